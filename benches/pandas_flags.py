#!/usr/bin/env python3
"""The same read-and-flag work as tsm-desk's benchmark (a), done with pandas.

Reads a long-format marks CSV (UPN, Date, Session, Mark), counts possible and absence
sessions per pupil with the national codes, and flags persistently absent (>= 10%),
severely absent (>= 50%) and at-risk pupils (5-10% band, or >= 10% over the latest 20
school days with possible sessions). Prints the flag counts and the time taken, so the
figures can be compared with `cargo bench --bench engine`.

Usage: python3 benches/pandas_flags.py FILE.csv
"""
import sys
import time

import pandas as pd

NOT_POSSIBLE = {"X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#", "D", "Y"}
AUTHORISED = {"C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E", "H", "F"}
UNAUTHORISED = {"G", "N", "O", "U"}


def flag(path):
    df = pd.read_csv(path, dtype={"UPN": "string", "Date": "string", "Session": "string", "Mark": "string"},
                     keep_default_na=False)
    df["Date"] = pd.to_datetime(df["Date"], format="%d/%m/%Y")
    mark = df["Mark"].str.upper()
    df["possible"] = (~mark.isin(NOT_POSSIBLE)).astype("int64")
    df["absence"] = (mark.isin(AUTHORISED) | mark.isin(UNAUTHORISED)).astype("int64")
    pupils = df.groupby("UPN")[["possible", "absence"]].sum()
    days = df.groupby(["UPN", "Date"])[["possible", "absence"]].sum().reset_index()
    days = days[days["possible"] > 0].sort_values(["UPN", "Date"], ascending=[True, False])
    recent = days.groupby("UPN").head(20).groupby("UPN")[["possible", "absence"]].sum()
    pupils = pupils.join(recent, rsuffix="_recent")
    has = pupils["possible"] > 0
    # Exact comparisons on whole numbers, as tsm-desk makes them.
    severe = has & (pupils["absence"] * 10000 >= 5000 * pupils["possible"])
    persistent = has & (pupils["absence"] * 10000 >= 1000 * pupils["possible"]) & ~severe
    band = has & (pupils["absence"] * 10000 >= 500 * pupils["possible"]) & ~severe & ~persistent
    recent_hit = (pupils["possible_recent"] > 0) & (pupils["absence_recent"] * 10000 >= 1000 * pupils["possible_recent"])
    at_risk = (band | recent_hit) & ~severe & ~persistent & has
    return int(severe.sum()), int(persistent.sum()), int(at_risk.sum()), len(pupils), len(df)


def main():
    path = sys.argv[1]
    start = time.perf_counter()
    severe, persistent, at_risk, pupils, marks = flag(path)
    elapsed = time.perf_counter() - start
    print(f"pandas {pd.__version__}: {marks} marks, {pupils} pupils: {severe} severe, "
          f"{persistent} persistent, {at_risk} at risk in {elapsed:.3f} s")


if __name__ == "__main__":
    main()
