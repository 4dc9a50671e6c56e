#!/usr/bin/env python3
"""The read, store and per-school work tsm-desk does on a DfE weekly attendance file,
done instead the way a data officer would with pandas, and timed.

1. Reads the DfE weekly pupil-level CSV (38 columns, many schools) with pd.read_csv:
   UPN, URN and dates as strings, session counts as integers.
2. Recomputes from the session counts, never trusting the file's own flags or totals:
   attendance = present + approved educational activity, absence = authorised +
   unauthorised, possible = attendance + absence (the DfE's definition).
3. Stores it in a fresh SQLite file (a temporary one unless --db) with sqlite3 and
   DataFrame.to_sql, in one transaction: schools (urn, name, phase), pupils (urn, upn,
   names, year group, characteristics, admission and leaving dates) and attendance
   (urn, upn, term, possible, present, approved, authorised, unauthorised).
4. Per school, over pupils with possible > 0 who are of compulsory school age: pupils,
   absence rate (sum of absence / sum of possible), persistently absent (absence
   >= 10% of possible, exactly, in whole numbers, severe included) and severely
   absent (>= 50%), with their rates.
5. Counts the rows (possible > 0) where the file's persistently_absent /
   severely_absent disagree with the exact flags recomputed in 4.

Prints the time of each stage and the total; with --json, prints instead
{"schools": [{"urn", "name", "phase", "pupils", "absence_rate", "persistent",
"persistent_rate", "severe", "severe_rate"}, ...], "disagree_persistent": N,
"disagree_severe": N}, schools sorted by URN, so another program can compare every
figure with its own (the timings and counts go to stderr then).

Usage: python3 benches/pandas_dfe.py FILE.csv [--db OUT.sqlite] [--json]
"""
import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time

import pandas as pd

COUNTS = ["possible_sessions", "absent_sessions", "present_sessions",
          "approved_educational_activity_sessions", "authorised_absent_sessions",
          "unauthorised_absent_sessions"]
TEXT = ["academic_term", "UPN", "DOB", "sex", "ethnicity", "english_additional_language",
        "compulsory_school_age", "sen_support", "free_school_meals",
        "education_health_care_plan", "primary_sen_type", "secondary_sen_type",
        "looked_after_child", "previously_looked_after_child", "child_in_need",
        "child_protection_plan", "persistently_absent", "severely_absent",
        "unique_reference_number", "year_group", "school_local_authority_ukprn",
        "school_local_authority_name", "home_local_authority_ukprn",
        "home_local_authority_name", "learning_provider-ukprn", "school_name", "phase",
        "pupil_surname", "pupil_forename", "admission_date", "leaving_date"]


def read(path):
    dtypes = {c: "string" for c in TEXT}
    dtypes.update({c: "int64" for c in COUNTS})
    dtypes["full_days_missed"] = "float64"
    return pd.read_csv(path, dtype=dtypes, keep_default_na=False, encoding="utf-8")


def recompute(df):
    df["attendance"] = df["present_sessions"] + df["approved_educational_activity_sessions"]
    df["absence"] = df["authorised_absent_sessions"] + df["unauthorised_absent_sessions"]
    df["possible"] = df["attendance"] + df["absence"]
    return df


def store(df, db_path):
    schools = (df[["unique_reference_number", "school_name", "phase"]]
               .drop_duplicates("unique_reference_number")
               .rename(columns={"unique_reference_number": "urn", "school_name": "name"}))
    pupils = df[["unique_reference_number", "UPN", "pupil_surname", "pupil_forename",
                 "year_group", "DOB", "sex", "ethnicity", "english_additional_language",
                 "compulsory_school_age", "sen_support", "education_health_care_plan",
                 "primary_sen_type", "secondary_sen_type", "free_school_meals",
                 "looked_after_child", "previously_looked_after_child", "child_in_need",
                 "child_protection_plan", "home_local_authority_name", "admission_date",
                 "leaving_date"]].rename(columns={
                     "unique_reference_number": "urn", "UPN": "upn", "pupil_surname": "surname",
                     "pupil_forename": "forename", "DOB": "dob"})
    attendance = pd.DataFrame({
        "urn": df["unique_reference_number"], "upn": df["UPN"], "term": df["academic_term"],
        "possible": df["possible"], "present": df["present_sessions"],
        "approved": df["approved_educational_activity_sessions"],
        "authorised": df["authorised_absent_sessions"],
        "unauthorised": df["unauthorised_absent_sessions"]})
    con = sqlite3.connect(db_path)
    try:
        con.execute("BEGIN")
        schools.to_sql("schools", con, index=False)
        pupils.to_sql("pupils", con, index=False)
        attendance.to_sql("attendance", con, index=False)
        con.commit()
    finally:
        con.close()
    return len(schools), len(pupils), len(attendance)


def per_school(df):
    has = df["possible"] > 0
    persistent = has & (df["absence"] * 10000 >= 1000 * df["possible"])
    severe = has & (df["absence"] * 10000 >= 5000 * df["possible"])
    disagree_p = int(((df["persistently_absent"] == "yes") != persistent)[has].sum())
    disagree_s = int(((df["severely_absent"] == "yes") != severe)[has].sum())

    counted = has & (df["compulsory_school_age"] != "no")
    sub = pd.DataFrame({"urn": df["unique_reference_number"], "possible": df["possible"],
                        "absence": df["absence"], "persistent": persistent.astype("int64"),
                        "severe": severe.astype("int64")})[counted]
    g = sub.groupby("urn").agg(pupils=("possible", "size"), possible=("possible", "sum"),
                               absence=("absence", "sum"), persistent=("persistent", "sum"),
                               severe=("severe", "sum"))
    names = df.drop_duplicates("unique_reference_number").set_index("unique_reference_number")[
        ["school_name", "phase"]]
    out = names.join(g, how="left").fillna({"pupils": 0, "possible": 0, "absence": 0,
                                            "persistent": 0, "severe": 0})
    out["absence_rate"] = out["absence"] / out["possible"]
    out["persistent_rate"] = out["persistent"] / out["pupils"]
    out["severe_rate"] = out["severe"] / out["pupils"]
    out = out.sort_index()
    return out, disagree_p, disagree_s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--db", help="the SQLite file to write (must not exist); a temporary file otherwise")
    ap.add_argument("--json", action="store_true", help="print every school's figures as JSON")
    args = ap.parse_args()

    tmpdir = None
    if args.db:
        if os.path.exists(args.db):
            sys.exit(f"{args.db} already exists; give a fresh file")
        db_path = args.db
    else:
        tmpdir = tempfile.TemporaryDirectory()
        db_path = os.path.join(tmpdir.name, "dfe.sqlite")

    t0 = time.perf_counter()
    df = recompute(read(args.csv))
    t1 = time.perf_counter()
    n_schools, n_pupils, n_att = store(df, db_path)
    t2 = time.perf_counter()
    out, disagree_p, disagree_s = per_school(df)
    t3 = time.perf_counter()
    timings = {"read": t1 - t0, "store": t2 - t1, "per_school": t3 - t2, "total": t3 - t0}
    db_size = os.path.getsize(db_path)
    if tmpdir:
        tmpdir.cleanup()

    report = sys.stderr if args.json else sys.stdout
    print(f"pandas {pd.__version__}: {len(df):,} rows, {n_schools} schools; stored "
          f"{n_schools} schools, {n_pupils:,} pupils, {n_att:,} attendance rows "
          f"({db_size:,} bytes of SQLite)", file=report)
    print("read {read:.3f} s, store {store:.3f} s, per-school {per_school:.3f} s, "
          "total {total:.3f} s".format(**timings), file=report)
    print(f"file flags that disagree with the exact rule: persistent {disagree_p}, "
          f"severe {disagree_s}", file=report)
    if args.json:
        schools = [{
            "urn": urn, "name": r.school_name, "phase": r.phase, "pupils": int(r.pupils),
            "absence_rate": None if r.possible == 0 else float(r.absence_rate),
            "persistent": int(r.persistent),
            "persistent_rate": None if r.pupils == 0 else float(r.persistent_rate),
            "severe": int(r.severe),
            "severe_rate": None if r.pupils == 0 else float(r.severe_rate),
        } for urn, r in out.iterrows()]
        json.dump({"schools": schools, "disagree_persistent": disagree_p,
                   "disagree_severe": disagree_s},
                  sys.stdout, ensure_ascii=False)
        print()


if __name__ == "__main__":
    main()
