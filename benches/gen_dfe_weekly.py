#!/usr/bin/env python3
"""Seeded generator of a synthetic DfE weekly pupil-level attendance file.

An English local authority downloads this file each week, for all its schools, from
the DfE's daily attendance data feed: one row per pupil enrolment, year to date, many
schools in one file, 38 columns. This script writes a synthetic one for the invented
authority "Countyshire" (LA 936), to test and time tsm-desk's importer against. No
real pupil or school appears in it: the names are drawn from word lists.

Usage:
    python3 benches/gen_dfe_weekly.py --out FILE [--rows 300000] [--schools 500]
        [--seed 20251201] [--week 1] [--term "2025/26 Autumn term"]

The output is deterministic: the same arguments give a byte-identical file (only
seeded `random.Random` instances are used, never the global generator or the clock).
The pupils and schools come from the seed alone. The figures come from one random
stream per pupil (seeded with integer arithmetic from the seed and the pupil's index
in the file), drawn in blocks of 10 sessions (a school week): week 1 holds the first
6 weeks of term (60 possible sessions for a pupil on roll throughout) and week N
holds 60 + 10*(N-1). Week N's figures therefore extend week N-1's: the same rows,
absence never decreasing, leavers' figures frozen at their leaving date (and a
leaving date shown only once it has passed).

What is in the file, beyond the ordinary rows:
  * about 3% of pupils joined during the term (their possible sessions start then);
    about 1.5% have left within week 1's figures and another 1.5% leave later;
  * a handful of pupils who joined on the school day after week 1's figures end
    (0 possible sessions in week 1, all their figures 0);
  * a few pupils held at exactly 10% and 50% absence, and one session below each
    (besides the many who land there by chance);
  * deliberate data-quality cases: about 1 row in 5,000 where possible_sessions is one
    more than present + approved educational activity + authorised + unauthorised
    (an unmarked session counted as possible), and about 1 in 10,000 where
    absent_sessions is one off authorised + unauthorised; a quarter of the boundary
    pupils above carry one of these, so the cases meet;
  * persistently_absent / severely_absent computed as such a file computes them: on
    the file's own absent_sessions / possible_sessions, rounded half up to one decimal
    place (>= 10.0% and >= 50.0%, severe included in persistent). With whole sessions
    in one term the rounding itself never changes a flag (9.95% needs 200 sessions),
    so the flags disagree with the exact rule only on the data-quality rows that sit
    at a boundary (the sessions the file counts differ from the true ones there).

CSV, UTF-8 (a few accented names), comma separated, "\\n" line ends, a header row; no
field contains a comma or a quote, so nothing is quoted. A one-line summary (rows,
schools, file size, seconds) goes to stderr at the end.
"""
import argparse
import datetime as dt
import os
import random
import sys
import time

HEADER = (
    "academic_term,UPN,DOB,sex,ethnicity,english_additional_language,compulsory_school_age,"
    "sen_support,free_school_meals,education_health_care_plan,primary_sen_type,"
    "secondary_sen_type,looked_after_child,previously_looked_after_child,child_in_need,"
    "child_protection_plan,persistently_absent,severely_absent,unique_reference_number,"
    "year_group,school_local_authority_ukprn,school_local_authority_name,"
    "home_local_authority_ukprn,home_local_authority_name,learning_provider-ukprn,"
    "school_name,phase,pupil_surname,pupil_forename,admission_date,leaving_date,"
    "full_days_missed,possible_sessions,absent_sessions,present_sessions,"
    "approved_educational_activity_sessions,authorised_absent_sessions,"
    "unauthorised_absent_sessions"
)

LA_NUMBER = "936"
LA_UKPRN = "10000936"
LA_NAME = "Countyshire"
NEIGHBOURS = [("10000937", "Northborough"), ("10000938", "Westvale"), ("10000939", "Eastmere")]

TERM_START = dt.date(2025, 9, 3)
HALF_TERM = (dt.date(2025, 10, 27), dt.date(2025, 10, 31))
TERM_DAYS = 73            # 3 Sep to 19 Dec 2025, less half term
WEEK1_DAYS = 30           # the first 6 weeks of term: 60 sessions
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
# Per phase: the typical pupil's mean absence, the shares of high and of severe
# absentees (before the lifts for FSM, SEN and year group), the high band's width.
PROPENSITY = {
    "Primary": (0.034, 0.064, 0.0070, 0.31),
    "Secondary": (0.041, 0.076, 0.0100, 0.37),
    "Special": (0.045, 0.100, 0.012, 0.32),
}

# --- schools ---------------------------------------------------------------------
NAME_FIRST = [
    "Oak", "Ash", "Beech", "Elm", "Birch", "Hazel", "Holly", "Willow", "Rowan", "Alder",
    "Maple", "Cedar", "Larch", "Thorn", "Brook", "River", "Meadow", "Hill", "Green",
    "Stone", "Mill", "Bridge", "Fern", "Heath", "Moor", "Lark", "Wren", "Kings", "Church",
    "Orchard", "Spring", "Sunny", "Clay", "Fox", "Hart", "Swan", "Kestrel", "Bramble",
    "Primrose", "Bluebell",
]
NAME_SECOND = [
    "field", "wood", "side", " Park", "bank", "dale", "crest", "lands", "brook", "mead",
    "hurst", "ley", "ton", "worth", "gate", "well", " Vale", " Lane", " Grove", " House",
    " Hill", "combe", "ford", "holme",
]
NAME_QUALIFIER = ["", "", "", "North ", "South ", "East ", "West ", "Upper ", "Lower ",
                  "Little ", "Great ", "New ", "Old "]
SUFFIX = {
    "Primary": [("Primary School", 6), ("Community Primary School", 2), ("Primary Academy", 2),
                ("Church of England Primary School", 2), ("Infant and Junior School", 1),
                ("Catholic Primary School", 1)],
    "Secondary": [("Academy", 4), ("High School", 4), ("School", 2), ("Community College", 2),
                  ("Secondary School", 1), ("Church of England Academy", 1)],
    "Special": [("School", 5), ("Special School", 2), ("Academy", 1), ("Learning Centre", 1)],
}
SIZE = {"Primary": 1.0, "Secondary": 5.0, "Special": 1.0 / 3.0}
ESTAB_BASE = {"Primary": 2000, "Secondary": 4000, "Special": 7000}
ESTAB_ROOM = {"Primary": 2000, "Secondary": 3000, "Special": 1000}

# --- pupils ----------------------------------------------------------------------
# year group -> its offset from reception (R = 0): DOB between 1 Sep (2020-k) and 31 Aug (2021-k).
YEAR_OFFSET = {"N1": -2, "N2": -1, "R": 0}
YEAR_OFFSET.update({str(k): k for k in range(1, 15)})

# pool index: 0 British, 1 European, 2 South Asian, 3 Black, 4 East Asian
ETHNICITIES = [  # code, weight, name pool, EAL chance
    ("WBRI", 6100, 0, 0.015), ("WIRI", 100, 0, 0.03), ("WOTH", 750, 1, 0.80),
    ("WROM", 50, 1, 0.60), ("MWBC", 350, 3, 0.05), ("MWBA", 100, 3, 0.25),
    ("MWAS", 150, 2, 0.30), ("MOTH", 200, 0, 0.25), ("AIND", 350, 2, 0.65),
    ("APKN", 500, 2, 0.70), ("ABAN", 200, 2, 0.75), ("AOTH", 150, 2, 0.75),
    ("BAFR", 500, 3, 0.60), ("BCRB", 200, 3, 0.03), ("BOTH", 50, 3, 0.30),
    ("CHNE", 100, 4, 0.70), ("OOTH", 100, 1, 0.65), ("REFU", 100, 0, 0.15),
    ("NOBT", 50, 0, 0.10),
]
FEMALE = [
    ["Amelia", "Olivia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Florence", "Grace",
     "Sophia", "Emily", "Zoë", "Evie", "Ruby", "Poppy", "Daisy", "Ella", "Niamh", "Siobhán",
     "Renée", "Hannah", "Megan", "Erin", "Phoebe", "Rosie", "Holly", "Isabelle", "Harper",
     "Matilda"],
    ["Zuzanna", "Maja", "Julia", "Alicja", "Ana", "Maria", "Sofia", "Noémie", "Chloé", "Elena",
     "Léa", "Inês"],
    ["Aisha", "Maryam", "Fatima", "Amira", "Anaya", "Priya", "Zainab", "Hafsa", "Inaya",
     "Aleena", "Simran", "Khadija"],
    ["Amara", "Precious", "Favour", "Adaeze", "Nia", "Imani", "Kemi", "Abena", "Tiana",
     "Esther", "Deborah", "Zara"],
    ["Mei", "Lily", "Yu", "Grace", "Chloe", "Hannah", "Joy"],
]
MALE = [
    ["Oliver", "Noah", "George", "Arthur", "Leo", "Harry", "Oscar", "Archie", "Henry", "Jack",
     "Theo", "Freddie", "Alfie", "Charlie", "Jacob", "Thomas", "Joshua", "Seán", "Rory",
     "Reuben", "Finley", "Tyler", "Mason", "Logan", "Ethan", "Callum", "Lewis", "Dylan",
     "Jude", "Albie"],
    ["Jakub", "Filip", "Antoni", "Mateus", "Tomás", "José", "Andrei", "Luca", "Matteo",
     "Stefan", "João", "Adrián"],
    ["Muhammad", "Ibrahim", "Yusuf", "Arjun", "Rohan", "Dev", "Zayn", "Ayaan", "Hamza",
     "Rayyan", "Aryan", "Idris"],
    ["Kwame", "Tobi", "David", "Samuel", "Emmanuel", "Daniel", "Kofi", "Jayden", "Malachi",
     "Joel", "Elijah", "Kayden"],
    ["Jun", "Hao", "Ethan", "Leo", "Ryan", "Lucas", "Kai"],
]
SURNAMES = [
    ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
     "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
     "Jackson", "Hughes", "Edwards", "Murphy", "Kelly", "Turner", "Bennett", "Parker",
     "Cooper", "Ward", "Lloyd-Jones", "Harris", "Clarke", "Lewis", "Morris", "Baker", "Price",
     "Fletcher", "Marsh", "Dawson", "Holt", "Barker", "Pearce", "Shaw", "Fox", "Booth",
     "Ashworth", "Kemp"],
    ["Nowak", "Kowalski", "Wójcik", "Lewandowski", "Silva", "Santos", "Ferreira", "García",
     "Rossi", "Popescu", "Ionescu", "Novák", "Horváth", "Petrov"],
    ["Khan", "Hussain", "Ahmed", "Ali", "Patel", "Begum", "Shah", "Akhtar", "Iqbal", "Rahman",
     "Singh", "Kaur", "Sharma", "Chowdhury", "Miah", "Mahmood"],
    ["Okafor", "Mensah", "Adeyemi", "Osei", "Campbell", "Williams", "Brown", "Thomas",
     "Clarke", "Boateng", "Asante", "Okoro", "Richards", "Johnson", "Francis"],
    ["Chen", "Wang", "Li", "Zhang", "Wong", "Lin", "Liu", "Huang"],
]
SEN_MAINSTREAM = [("SLCN", 24), ("SEMH", 20), ("MLD", 15), ("ASD", 14), ("SPLD", 12),
                  ("OTH", 5), ("PD", 3), ("HI", 2), ("VI", 1), ("SLD", 2), ("MSI", 1),
                  ("PMLD", 1)]
SEN_SPECIAL = [("ASD", 32), ("SLD", 18), ("SEMH", 14), ("MLD", 10), ("PMLD", 7), ("SLCN", 7),
               ("PD", 4), ("HI", 2), ("VI", 2), ("MSI", 1), ("SPLD", 1), ("OTH", 2)]


def cumulative(pairs):
    """Names and running weight totals for Random.choices(cum_weights=...)."""
    names, cums, total = [], [], 0
    for name, weight in pairs:
        total += weight
        names.append(name)
        cums.append(total)
    return names, cums


ETH_CODES, ETH_CUM = cumulative([(e[0], e[1]) for e in ETHNICITIES])
ETH_INFO = {e[0]: (e[2], e[3]) for e in ETHNICITIES}
SEN_MAIN_NAMES, SEN_MAIN_CUM = cumulative(SEN_MAINSTREAM)
SEN_SPEC_NAMES, SEN_SPEC_CUM = cumulative(SEN_SPECIAL)


def check_letter(twelve):
    """The UPN check letter for its 12 trailing characters (weights 2..=13, mod 23)."""
    total = sum(int(c) * w for c, w in zip(twelve, range(2, 14)))
    return CHECK_LETTERS[total % 23]


def school_days(count):
    """The first `count` school days from 3 Sep 2025 (weekdays, less half term);
    beyond the term's 73 days, weekdays simply continue."""
    days, day = [], TERM_START
    while len(days) < count:
        if day.weekday() < 5 and not (HALF_TERM[0] <= day <= HALF_TERM[1]):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def first_weekday_from(year, month, day):
    d = dt.date(year, month, day)
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def binomial(n, p, u):
    """A Binomial(n, p) draw from one uniform u, by the inverse CDF (n is small)."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    q = 1.0 - p
    prob = q ** n
    cdf = prob
    k = 0
    ratio = p / q
    while u > cdf and k < n:
        prob *= (n - k) / (k + 1) * ratio
        k += 1
        cdf += prob
    return k


# --- the population (seed alone) --------------------------------------------------

def make_schools(rng, n_schools, n_rows):
    n_sec = round(0.20 * n_schools)
    n_spec = round(0.04 * n_schools)
    n_pri = n_schools - n_sec - n_spec
    phases = ["Primary"] * n_pri + ["Secondary"] * n_sec + ["Special"] * n_spec
    rng.shuffle(phases)
    for phase in ESTAB_BASE:
        if phases.count(phase) > ESTAB_ROOM[phase]:
            sys.exit(f"too many {phase.lower()} schools for 4-digit establishment numbers")

    used_names = set()
    estab_next = dict(ESTAB_BASE)
    schools = []
    for i, phase in enumerate(phases):
        suffixes, cums = cumulative(SUFFIX[phase])
        for attempt in range(1000):
            qualifier = rng.choice(NAME_QUALIFIER) if attempt < 200 else rng.choice(NAME_QUALIFIER[3:])
            stem = rng.choice(NAME_FIRST) + rng.choice(NAME_SECOND)
            name = f"{qualifier}{stem} {rng.choices(suffixes, cum_weights=cums)[0]}"
            if name not in used_names:
                break
        else:
            sys.exit("ran out of school names")
        used_names.add(name)
        estab = estab_next[phase]
        estab_next[phase] += 1
        school = {
            "index": i,
            "urn": str(100001 + i),
            "ukprn": str(10070001 + i),
            "estab": f"{estab:04d}",
            "name": name,
            "phase": phase,
            "weight": SIZE[phase] * rng.uniform(0.55, 1.45),
        }
        if phase == "Primary":
            school["nursery"] = rng.random() < 1.0 / 3.0
        elif phase == "Secondary":
            school["sixth_form"] = rng.random() < 0.5
        schools.append(school)

    # Rows in proportion to size, at least 20 a school, exactly n_rows in all.
    total_w = sum(s["weight"] for s in schools)
    spare = n_rows - 20 * n_schools
    targets = [20 + spare * s["weight"] / total_w for s in schools]
    counts = [int(t) for t in targets]
    order = sorted(range(n_schools), key=lambda j: (counts[j] - targets[j], j))
    for j in order[: n_rows - sum(counts)]:
        counts[j] += 1
    for s, c in zip(schools, counts):
        s["rows"] = c
    return schools


def year_groups_for(rng, school):
    """The school's pupils' year groups, in the file's order (by year group)."""
    phase = school["phase"]
    if phase == "Primary":
        groups = [("R", 1.0)] + [(str(k), 1.0) for k in range(1, 7)]
        if school["nursery"]:
            groups = [("N1", 0.45), ("N2", 0.85)] + groups
    elif phase == "Secondary":
        groups = [(str(k), 1.0) for k in range(7, 12)]
        if school["sixth_form"]:
            groups += [("12", 0.6), ("13", 0.55)]
    else:
        groups = [(str(k), 1.0 if k <= 11 else 0.6) for k in range(1, 15)]
    names, cums = cumulative(groups)
    drawn = rng.choices(names, cum_weights=cums, k=school["rows"])
    rank = {g: r for r, g in enumerate(names)}
    drawn.sort(key=rank.__getitem__)
    return drawn


def flag(rng, p_yes):
    r = rng.random()
    if r < 0.01:
        return "unknown"
    return "yes" if r < 0.01 + p_yes * 0.99 else "no"


def assign_roles(rng, layouts, n_rows):
    """The rows that carry the special cases: index -> (kind, defect).

    kind: "zero" (joins the day after week 1's figures end), "exact10" / "below10" /
    "exact50" / "below50" (held at exactly 10% or 50% absence, or one session below),
    or None. defect: "unmarked" (possible_sessions one more than the sessions
    accounted for), "absent_up" / "absent_down" (absent_sessions one off authorised +
    unauthorised), or None. A few boundary pupils carry a defect too, so that the
    file's own flags certainly disagree with the exact rule on some rows."""
    roles = {}
    groups = [g for layout in layouts for g in layout]
    pool = list(range(n_rows))
    rng.shuffle(pool)
    it = iter(pool)

    def take(count, role, compulsory_only=False):
        taken = []
        while len(taken) < count:
            i = next(it, None)
            if i is None:
                break
            if i in roles or (compulsory_only and groups[i] in ("N1", "N2", "R", "12", "13", "14")):
                continue
            roles[i] = role
            taken.append(i)
        return taken

    take(max(1, n_rows // 50000), ("zero", None))
    n_force = max(2, n_rows // 25000)
    n_combo = max(1, n_force // 4)
    for kind, defect in (("exact10", "unmarked"), ("below10", "absent_up"),
                         ("exact50", "unmarked"), ("below50", "absent_up")):
        take(n_combo, (kind, defect), compulsory_only=True)
        take(n_force - n_combo, (kind, None), compulsory_only=True)
    take(max(0, round(n_rows / 5000) - 2 * n_combo), (None, "unmarked"))
    for i in take(max(0, round(n_rows / 10000) - 2 * n_combo), (None, "absent_down")):
        if rng.random() < 0.5:
            roles[i] = (None, "absent_up")
    return roles


NO_ROLE = (None, None)


def pupil_record(rng, school, group, counters, role):
    """One pupil's fixed details (everything but the figures)."""
    phase = school["phase"]
    offset = YEAR_OFFSET[group]
    born_from = dt.date(2020 - offset, 9, 1)
    born_to = dt.date(2021 - offset, 8, 31)
    dob = born_from + dt.timedelta(days=rng.randrange((born_to - born_from).days + 1))
    sex = "F" if rng.random() < 0.49 else "M"
    eth = rng.choices(ETH_CODES, cum_weights=ETH_CUM)[0]
    pool, eal_p = ETH_INFO[eth]
    if rng.random() < 0.1:          # names do not always follow the census category
        pool = rng.randrange(5)
    forename = rng.choice(FEMALE[pool] if sex == "F" else MALE[pool])
    surname = rng.choice(SURNAMES[pool])
    if rng.random() < 0.01:
        surname = f"{surname}-{rng.choice(SURNAMES[0])}"
    eal = flag(rng, eal_p)

    if phase == "Special":
        ehcp = flag(rng, 0.95)
        sen = "no" if ehcp == "yes" else flag(rng, 0.8)
        sen_names, sen_cum = SEN_SPEC_NAMES, SEN_SPEC_CUM
    else:
        ehcp = flag(rng, 0.04 * (1.3 if sex == "M" else 0.7))
        sen = "no" if ehcp == "yes" else flag(rng, 0.135 * (1.25 if sex == "M" else 0.75))
        sen_names, sen_cum = SEN_MAIN_NAMES, SEN_MAIN_CUM
    primary_sen = secondary_sen = ""
    if sen == "yes" or ehcp == "yes":
        primary_sen = rng.choices(sen_names, cum_weights=sen_cum)[0]
        if rng.random() < 0.2:
            while True:
                secondary_sen = rng.choices(sen_names, cum_weights=sen_cum)[0]
                if secondary_sen != primary_sen:
                    break
    fsm = flag(rng, 0.25)
    lac = flag(rng, 0.007)
    plac = "no" if lac == "yes" else flag(rng, 0.01)
    cpp = flag(rng, 0.01)
    cin = "yes" if cpp == "yes" else flag(rng, 0.02)
    if rng.random() < 0.96:
        home = (LA_UKPRN, LA_NAME)
    else:
        home = NEIGHBOURS[rng.randrange(3)]
    if group in ("N1", "N2") or group in ("12", "13", "14") or (group == "R" and dob.year >= 2021):
        compulsory = "no"
    else:
        compulsory = "yes"

    # UPN: allocated when the pupil first started school (nursery or reception).
    entry_year = 2025 - max(offset, 0) if group not in ("N2",) else 2024
    yy = entry_year % 100
    for _ in range(100):
        serial = counters.get(yy, 0) + 1
        if serial <= 999:
            counters[yy] = serial
            break
        yy = (yy - 1) % 100
    else:
        sys.exit(f"more than 99,900 pupils at school {school['urn']}")
    twelve = f"{LA_NUMBER}{school['estab']}{yy:02d}{serial:03d}"
    upn = check_letter(twelve) + twelve

    # Admission: the September the pupil entered this school, unless a joiner.
    adm_day = 0            # the school day the pupil came on roll this term
    leave_day = None       # the last school day on roll, for leavers
    if phase == "Primary":
        entry = 2025 if group == "N1" else 2024 if group == "N2" else 2025 - offset
        if school["nursery"] and offset >= 0 and rng.random() < 0.7:
            entry -= 1 if rng.random() < 0.6 else 2       # came up from the nursery
    elif phase == "Secondary":
        entry = 2025 - (offset - 7)
        if offset >= 12 and rng.random() < 0.2:
            entry = 2025 - (offset - 12)                   # joined the sixth form
    else:
        entry = 2025 - rng.randrange(0, min(offset, 6) + 1) if offset > 0 else 2025
    admission = first_weekday_from(entry, 9, 3)
    if entry < 2025 and rng.random() < 0.08:               # an in-year move in an earlier year
        admission = first_weekday_from(entry + rng.randrange(0, 2025 - entry), 9, 3) + dt.timedelta(
            days=rng.randrange(1, 300))
        if admission > dt.date(2025, 7, 18):
            admission = dt.date(2025, 7, 14)
        while admission.weekday() >= 5:
            admission += dt.timedelta(days=1)
    joiner_draw, leaver_draw, day_draw = rng.random(), rng.random(), rng.random()
    if role[0] == "zero":
        adm_day = WEEK1_DAYS
    elif role[0] is None:
        if joiner_draw < 0.03:
            adm_day = 1 + int(day_draw * (WEEK1_DAYS - 1))
        elif leaver_draw < 0.015:
            leave_day = 1 + int(day_draw * (WEEK1_DAYS - 1))
        elif leaver_draw < 0.03:
            leave_day = WEEK1_DAYS + int(day_draw * (TERM_DAYS - 1 - WEEK1_DAYS))

    return {
        "upn": upn, "dob": dob.isoformat(), "sex": sex, "eth": eth, "eal": eal,
        "compulsory": compulsory, "sen": sen, "fsm": fsm, "ehcp": ehcp,
        "primary_sen": primary_sen, "secondary_sen": secondary_sen, "lac": lac,
        "plac": plac, "cin": cin, "cpp": cpp, "home": home, "group": group,
        "surname": surname, "forename": forename, "admission": admission,
        "adm_day": adm_day, "leave_day": leave_day,
    }


# --- the figures (per-pupil stream) -----------------------------------------------

def figures(seed, index, pupil, phase, role, days_in_file):
    """Cumulative (possible, absent, authorised, unauthorised, aea) to the end of the
    file's figures, drawn week by week (10 sessions) from the pupil's own stream."""
    r = random.Random(seed * 1_000_003 + index)
    # The pupil's propensities (the stream's first draws, the same in every week).
    u_kind, u_rate, u_share, u_aea, u_aea_rate = r.random(), r.random(), r.random(), r.random(), r.random()
    group = pupil["group"]
    # A skewed propensity, a mixture: most pupils miss little (a gamma around a low
    # mean), some miss a lot (13% up to 43-50%), a few most of the time (50-95%). Disadvantage
    # raises all three.
    base, high, severe, top = PROPENSITY[phase]
    lift = 1.0
    if pupil["fsm"] == "yes":
        base *= 1.3
        lift *= 1.8
    if pupil["sen"] == "yes" or pupil["ehcp"] == "yes":
        base *= 1.15
        lift *= 1.4
    if group in ("10", "11", "N1", "N2"):
        base *= 1.1
        lift *= 1.2
    if u_kind < severe * lift:
        p = 0.5 + 0.45 * u_rate
    elif u_kind < (severe + high) * lift:
        p = 0.13 + top * u_rate
    else:
        p = min(0.3, r.gammavariate(3.0, base / 3.0))
    share = 0.35 + 0.6 * u_share                          # authorised share of absence
    if p > 0.3:
        share *= 0.7
    aea_rate = 0.0
    if u_aea < (0.075 if phase == "Secondary" else 0.035):
        aea_rate = 0.015 + 0.07 * u_aea_rate

    adm = pupil["adm_day"]
    last = days_in_file if pupil["leave_day"] is None else min(days_in_file, pupil["leave_day"] + 1)
    possible = absent = authorised = aea = 0
    for start in range(0, days_in_file, 5):
        u1, u2, u3 = r.random(), r.random(), r.random()
        on = min(start + 5, last) - max(start, adm)
        if on <= 0:
            continue
        n = 2 * on
        a = binomial(n, p, u1)
        possible += n
        absent += a
        authorised += binomial(a, share, u2)
        aea += binomial(n - a, aea_rate, u3)

    kind = role[0]
    if kind in ("exact10", "below10", "exact50", "below50"):
        aea = 0
        absent = possible // 10 if kind.endswith("10") else possible // 2
        if kind.startswith("below"):
            absent -= 1
        authorised = int(absent * share)
    return possible, absent, authorised, absent - authorised, aea


def rounded_tenths(absent, possible):
    """The absence percentage in tenths, rounded half up, as the file computes it."""
    return (2000 * absent + possible) // (2 * possible)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="the CSV file to write")
    ap.add_argument("--rows", type=int, default=300000)
    ap.add_argument("--schools", type=int, default=500)
    ap.add_argument("--seed", type=int, default=20251201)
    ap.add_argument("--week", type=int, default=1, help="1, 2, 3, ...: week 1 holds 60 sessions, each later week 10 more")
    ap.add_argument("--term", default="2025/26 Autumn term")
    args = ap.parse_args()
    if args.schools < 1 or args.rows < 20 * args.schools:
        ap.error("need at least one school and at least 20 rows per school")
    if args.week < 1:
        ap.error("--week starts at 1")
    if "," in args.term or '"' in args.term:
        ap.error("--term must not contain a comma or a quote")
    started = time.perf_counter()

    days_in_file = WEEK1_DAYS + 5 * (args.week - 1)
    if days_in_file > TERM_DAYS:
        print(f"note: week {args.week} runs past the autumn term's {TERM_DAYS} school days",
              file=sys.stderr)
    calendar = school_days(max(days_in_file, TERM_DAYS) + 1)

    rng = random.Random(args.seed)
    schools = make_schools(rng, args.schools, args.rows)
    layouts = [year_groups_for(rng, s) for s in schools]
    roles = assign_roles(random.Random(args.seed * 7 + 3), layouts, args.rows)

    term = args.term
    index = 0
    with open(args.out, "w", encoding="utf-8", newline="\n") as out:
        out.write(HEADER + "\n")
        for school, layout in zip(schools, layouts):
            counters = {}
            prefix = f"{school['urn']},"
            middle = f",{LA_UKPRN},{LA_NAME},"
            school_part = f"{school['ukprn']},{school['name']},{school['phase']}"
            lines = []
            for group in layout:
                role = roles.get(index, NO_ROLE)
                p = pupil_record(rng, school, group, counters, role)
                possible, absent, auth, unauth, aea = figures(
                    args.seed, index, p, school["phase"], role, days_in_file)
                present = possible - absent - aea
                file_possible, file_absent = possible, absent
                defect = role[1]
                if defect == "unmarked" and possible > 0:
                    file_possible += 1
                elif defect == "absent_up" or (defect == "absent_down" and absent == 0):
                    file_absent += 1
                elif defect == "absent_down":
                    file_absent -= 1
                if file_possible > 0:
                    tenths = rounded_tenths(file_absent, file_possible)
                    pa = "yes" if tenths >= 100 else "no"
                    sa = "yes" if tenths >= 500 else "no"
                else:
                    pa = sa = "no"
                adm_day = p["adm_day"]
                admission = calendar[adm_day].isoformat() if adm_day else p["admission"].isoformat()
                leave = p["leave_day"]
                leaving = calendar[leave].isoformat() if leave is not None and leave < days_in_file else ""
                days_missed = f"{file_absent // 2}.{5 if file_absent % 2 else 0}"
                lines.append(
                    f"{term},{p['upn']},{p['dob']},{p['sex']},{p['eth']},{p['eal']},{p['compulsory']},"
                    f"{p['sen']},{p['fsm']},{p['ehcp']},{p['primary_sen']},{p['secondary_sen']},"
                    f"{p['lac']},{p['plac']},{p['cin']},{p['cpp']},{pa},{sa},{prefix}{group}{middle}"
                    f"{p['home'][0]},{p['home'][1]},{school_part},{p['surname']},{p['forename']},"
                    f"{admission},{leaving},{days_missed},{file_possible},{file_absent},{present},"
                    f"{aea},{auth},{unauth}\n")
                index += 1
            out.write("".join(lines))
    size = os.path.getsize(args.out)
    print(f"{args.out}: {index} rows, {len(schools)} schools, week {args.week}, {size:,} bytes, "
          f"{time.perf_counter() - started:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
