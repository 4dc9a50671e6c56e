//! One pupil's register over one period: present by default, then approved activities,
//! the absence the term brings (holidays, suspensions, exams, an outbreak, a part-time
//! timetable), everyday absence placed in episodes until the pupil's absence rate for
//! the term is reached, and finally late marks.

use super::SampleError;
use super::calendar::{Calendar, TermKind, dates};
use super::people::{Enrol, Phase, Profile, Pupil, Shape};
use super::rng::Rng;
use crate::domain::Code;
use chrono::{Datelike as _, Weekday};
use std::ops::Range;

/// A pupil's AM and PM marks on one school day, or `None` when they have no row.
pub(crate) type Day = Option<[Code; 2]>;

/// The codes the generator writes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Palette {
    pub(crate) present_am: Code,
    pub(crate) present_pm: Code,
    pub(crate) late: Code,
    pub(crate) late_after_close: Code,
    pub(crate) illness: Code,
    pub(crate) medical: Code,
    pub(crate) other_unauthorised: Code,
    pub(crate) not_established: Code,
    pub(crate) holiday: Code,
    pub(crate) legacy_holiday: Code,
    pub(crate) exceptional: Code,
    pub(crate) religious: Code,
    pub(crate) part_time: Code,
    pub(crate) suspended: Code,
    pub(crate) study_leave: Code,
    pub(crate) trip: Code,
    pub(crate) sport: Code,
    pub(crate) work_experience: Code,
    pub(crate) approved_other: Code,
    pub(crate) la_provision: Code,
    pub(crate) dual_registered: Code,
    pub(crate) no_transport: Code,
    pub(crate) travel_disruption: Code,
    pub(crate) prospective: Code,
    pub(crate) closed: Code,
    pub(crate) legacy_interview: Code,
}

impl Palette {
    /// Looks every code up in the domain's code table.
    ///
    /// # Errors
    /// [`SampleError::Invalid`] if the table lacks one (it never should).
    pub(crate) fn new() -> Result<Palette, SampleError> {
        let c = |m: &str| Code::parse(m).map_err(|e| SampleError::Invalid(e.to_string()));
        Ok(Palette {
            present_am: c("/")?,
            present_pm: c("\\")?,
            late: c("L")?,
            late_after_close: c("U")?,
            illness: c("I")?,
            medical: c("M")?,
            other_unauthorised: c("O")?,
            not_established: c("N")?,
            holiday: c("G")?,
            legacy_holiday: c("H")?,
            exceptional: c("C")?,
            religious: c("R")?,
            part_time: c("C2")?,
            suspended: c("E")?,
            study_leave: c("S")?,
            trip: c("V")?,
            sport: c("P")?,
            work_experience: c("W")?,
            approved_other: c("B")?,
            la_provision: c("K")?,
            dual_registered: c("D")?,
            no_transport: c("Y1")?,
            travel_disruption: c("Y2")?,
            prospective: c("Z")?,
            closed: c("#")?,
            legacy_interview: c("J")?,
        })
    }

    /// Whether a session holds a plain present mark that other marks may replace.
    pub(crate) fn is_free(&self, code: Code) -> bool {
        code == self.present_am || code == self.present_pm
    }
}

/// Something a whole year group does away from the classroom.
#[derive(Debug, Clone)]
pub(crate) struct GroupEvent {
    /// The year group (in the period).
    pub(crate) year: i8,
    /// The days.
    pub(crate) days: Range<usize>,
    /// The share of pupils taking part, basis points.
    pub(crate) take_bp: u32,
    /// The mark.
    pub(crate) code: Code,
}

/// Trips, the Year 6 residential and Year 10 work experience for one school's period.
pub(crate) fn group_events(
    cal: &Calendar,
    phase: Phase,
    years: (i8, i8),
    pal: &Palette,
    rng: &mut Rng,
) -> Vec<GroupEvent> {
    let n = cal.len();
    let mut events = Vec::new();
    for year in years.0..=years.1 {
        let summer = cal.term == TermKind::Summer;
        if summer && phase == Phase::Primary && year == 6 {
            let first = cal.index_of(dates::RESIDENTIAL).unwrap_or(0);
            events.push(GroupEvent {
                year,
                days: first..(first + 3).min(n),
                take_bp: 8500,
                code: pal.trip,
            });
            continue;
        }
        if summer && phase == Phase::Secondary && year == 10 {
            let first = cal.index_of(dates::WORK_EXPERIENCE).unwrap_or(0);
            events.push(GroupEvent {
                year,
                days: first..(first + 5).min(n),
                take_bp: 9000,
                code: pal.work_experience,
            });
        }
        if summer && phase == Phase::Secondary && year == 11 {
            continue;
        }
        let mut day = rng.index(n.saturating_sub(15)) + 5;
        if cal.closed.get(day).copied().unwrap_or(false) {
            day += 1;
        }
        events.push(GroupEvent {
            year,
            days: day..(day + 1).min(n),
            take_bp: if phase == Phase::Special { 8500 } else { 9300 },
            code: pal.trip,
        });
    }
    events
}

/// What a school's period shares between its pupils.
pub(crate) struct TermContext<'a> {
    /// The school days.
    pub(crate) cal: &'a Calendar,
    /// The school's phase.
    pub(crate) phase: Phase,
    /// The codes.
    pub(crate) pal: &'a Palette,
    /// Year-group events.
    pub(crate) events: &'a [GroupEvent],
    /// The school's random stream number.
    pub(crate) seed: u64,
    /// The school's absence scale, percent.
    pub(crate) scale: u32,
    /// How the school's absence moves across the terms.
    pub(crate) shape: Shape,
}

/// Kinds of everyday absence episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One or more whole days of illness.
    IllDays,
    /// Went home ill at lunchtime.
    IllPm,
    /// A medical or dental appointment.
    Medical,
    /// Absent, no reason given.
    Other,
    /// Reason not yet established.
    NotYet,
    /// Arrived after the register closed.
    LateU,
    /// A day of unauthorised holiday.
    HolidayDay,
    /// Exceptional circumstances (a funeral, say).
    Exceptional,
    /// Religious observance.
    Religious,
}

const TYPICAL_KINDS: [(Kind, u32); 9] = [
    (Kind::IllDays, 340),
    (Kind::IllPm, 40),
    (Kind::Medical, 130),
    (Kind::Other, 180),
    (Kind::NotYet, 90),
    (Kind::LateU, 90),
    (Kind::HolidayDay, 60),
    (Kind::Exceptional, 50),
    (Kind::Religious, 20),
];

const SPECIAL_KINDS: [(Kind, u32); 9] = [
    (Kind::IllDays, 330),
    (Kind::IllPm, 50),
    (Kind::Medical, 250),
    (Kind::Other, 130),
    (Kind::NotYet, 80),
    (Kind::LateU, 30),
    (Kind::HolidayDay, 40),
    (Kind::Exceptional, 70),
    (Kind::Religious, 20),
];

const SEVERE_KINDS: [(Kind, u32); 9] = [
    (Kind::IllDays, 150),
    (Kind::IllPm, 10),
    (Kind::Medical, 30),
    (Kind::Other, 450),
    (Kind::NotYet, 200),
    (Kind::LateU, 60),
    (Kind::HolidayDay, 40),
    (Kind::Exceptional, 60),
    (Kind::Religious, 0),
];

/// Where a pupil's everyday absence falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Emphasis {
    /// Anywhere.
    None,
    /// Mostly Mondays and Fridays.
    MondayFriday,
    /// Mostly in the latest four weeks.
    Recent,
}

/// A pupil's register being written.
struct Sim<'a> {
    cal: &'a Calendar,
    pal: &'a Palette,
    days: Vec<Day>,
    rng: Rng,
}

impl Sim<'_> {
    fn free(&self, d: usize, s: usize) -> bool {
        self.days
            .get(d)
            .copied()
            .flatten()
            .is_some_and(|day| self.pal.is_free(day[s]))
    }

    /// Sets one session if it is free; returns whether it was set.
    fn set(&mut self, d: usize, s: usize, code: Code) -> bool {
        if !self.free(d, s) {
            return false;
        }
        if let Some(Some(day)) = self.days.get_mut(d) {
            day[s] = code;
        }
        true
    }

    /// Sets the free sessions of days `range` to `code`; returns how many were set.
    fn block(&mut self, range: Range<usize>, code: Code) -> u32 {
        let mut set = 0;
        for d in range {
            for s in 0..2 {
                set += u32::from(self.set(d, s, code));
            }
        }
        set
    }

    fn weekday(&self, d: usize) -> Weekday {
        self.cal
            .days
            .get(d)
            .map_or(Weekday::Sat, |day| day.weekday())
    }

    fn count(&self, what: impl Fn(Code) -> bool) -> u32 {
        let n = self
            .days
            .iter()
            .flatten()
            .flat_map(|day| day.iter())
            .filter(|c| what(**c))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    fn possible(&self) -> u32 {
        self.count(|c| c.category().is_possible())
    }

    fn absence(&self) -> u32 {
        self.count(|c| c.category().is_absence())
    }
}

/// Writes one pupil's register for one period. `year` is the pupil's year group in the
/// period; days outside `enrol` have no row (or `Z` before joining).
pub(crate) fn register(ctx: &TermContext<'_>, pupil: &Pupil, year: i8, enrol: Enrol) -> Vec<Day> {
    let cal = ctx.cal;
    let pal = ctx.pal;
    let term_id = match cal.term {
        TermKind::Summer => 1,
        TermKind::Autumn => 2,
        TermKind::Bench => 3,
    };
    let days = (0..cal.len())
        .map(|d| {
            if (enrol.first..enrol.end).contains(&d) {
                Some(if cal.closed[d] {
                    [pal.closed; 2]
                } else {
                    [pal.present_am, pal.present_pm]
                })
            } else if enrol.z_before && d < enrol.first {
                Some([pal.prospective; 2])
            } else {
                None
            }
        })
        .collect();
    let mut sim = Sim {
        cal,
        pal,
        days,
        rng: Rng::stream(&[ctx.seed, 100 + term_id, pupil.seq]),
    };
    let (rate_bp, controlled) = target_rate(ctx, pupil, &mut sim.rng);

    activities(ctx, pupil, year, &enrol, &mut sim);
    if pupil.profile == Profile::PartTime {
        part_time(&enrol, &mut sim);
    }
    if !controlled {
        term_absence(ctx, pupil, year, &enrol, &mut sim);
    }

    let scaled = u64::from(rate_bp) * u64::from(sim.possible());
    let mut target = u32::try_from(scaled / 10_000).unwrap_or(u32::MAX);
    if u64::from(sim.rng.below(10_000)) < scaled % 10_000 {
        target += 1;
    }
    let remaining = if controlled {
        target.saturating_sub(sim.absence())
    } else {
        target
    };
    let (kinds, emphasis) = match pupil.profile {
        Profile::Severe | Profile::SevereAutumn if controlled => (&SEVERE_KINDS, Emphasis::None),
        Profile::MondayFriday => (&TYPICAL_KINDS, Emphasis::MondayFriday),
        Profile::Rising if cal.term != TermKind::Summer || ctx.shape.rising_from_summer => {
            (&TYPICAL_KINDS, Emphasis::Recent)
        }
        _ if ctx.phase == Phase::Special => (&SPECIAL_KINDS, Emphasis::None),
        _ => (&TYPICAL_KINDS, Emphasis::None),
    };
    everyday(ctx, pupil, remaining, kinds, emphasis, &mut sim);
    lateness(pupil.late_bp, &mut sim);
    sim.days
}

/// The absence rate to reach this term (basis points), and whether it is exact
/// ("controlled": term events count towards it) or comes on top of term events.
fn target_rate(ctx: &TermContext<'_>, pupil: &Pupil, rng: &mut Rng) -> (u32, bool) {
    let autumn = ctx.cal.term != TermKind::Summer;
    match pupil.profile {
        Profile::Severe => (rng.between(5000, 8500), true),
        Profile::SevereAutumn if autumn => (rng.between(5000, 8000), true),
        Profile::Rising if autumn => (rng.between(850, 1500), true),
        Profile::Rising if ctx.shape.rising_from_summer => (rng.between(400, 900), true),
        Profile::Rising => (rng.between(50, 400), true),
        Profile::WasPa if autumn => (rng.between(520, 880), true),
        Profile::WasPa => (rng.between(1100, 2200), true),
        Profile::HighNeed => (rng.between(3000, 4900), true),
        _ => {
            let rate = u64::from(pupil.propensity_bp)
                * u64::from(pupil.multiplier())
                * u64::from(ctx.scale)
                * u64::from(rng.between(70, 130))
                / 1_000_000;
            (u32::try_from(rate.min(4200)).unwrap_or(4200), false)
        }
    }
}

/// Trips, work experience, sport, alternative provision and college link courses:
/// attendance away from the classroom.
fn activities(ctx: &TermContext<'_>, pupil: &Pupil, year: i8, enrol: &Enrol, sim: &mut Sim<'_>) {
    let pal = ctx.pal;
    for event in ctx.events.iter().filter(|e| e.year == year) {
        if sim.rng.chance(event.take_bp) {
            sim.block(event.days.clone(), event.code);
        }
    }
    let on_roll = enrol.first..enrol.end;
    for d in on_roll.clone() {
        let weekday = sim.weekday(d);
        if pupil.alternative_provision && weekday == Weekday::Wed {
            sim.block(d..d + 1, pal.la_provision);
        }
        if pupil.college_link && weekday == Weekday::Fri {
            sim.block(d..d + 1, pal.approved_other);
        }
    }
    if on_roll.is_empty() {
        return;
    }
    let sporty = match ctx.phase {
        Phase::Secondary => 1500,
        Phase::Primary if year >= 4 => 1200,
        _ => 300,
    };
    if sim.rng.chance(sporty) {
        for _ in 0..sim.rng.between(1, 3) {
            let d = enrol.first + sim.rng.index(on_roll.len());
            sim.set(d, 1, pal.sport);
        }
    }
    if ctx.phase == Phase::Secondary && year >= 10 && sim.rng.chance(300) {
        let d = enrol.first + sim.rng.index(on_roll.len());
        sim.block(d..d + 1, pal.approved_other);
    }
}

/// A part-time timetable: afternoons marked `C2` for some weeks.
fn part_time(enrol: &Enrol, sim: &mut Sim<'_>) {
    let n = enrol.end.saturating_sub(enrol.first);
    let span = if sim.cal.term == TermKind::Summer {
        let start = enrol.first + n / 2 + sim.rng.index(n / 4 + 1);
        start..enrol.end
    } else {
        let weeks = sim.rng.index(3) + 3;
        enrol.first..(enrol.first + weeks * 5).min(enrol.end)
    };
    let code = sim.pal.part_time;
    for d in span {
        sim.set(d, 1, code);
    }
}

/// Absence that belongs to the term rather than the pupil: holidays at the end of
/// the summer term and around half term, suspensions, exam study leave, the outbreak.
fn term_absence(ctx: &TermContext<'_>, pupil: &Pupil, year: i8, enrol: &Enrol, sim: &mut Sim<'_>) {
    let cal = ctx.cal;
    let pal = ctx.pal;
    let summer = cal.term == TermKind::Summer;
    let to_end = enrol.end == cal.len();
    if summer && to_end && !cal.last_week.is_empty() {
        let chance = match ctx.phase {
            Phase::Primary => 700,
            Phase::Secondary => 450,
            Phase::Special => 300,
        };
        if sim.rng.chance(chance) {
            let len = sim.rng.index(4) + 2;
            let code = if ctx.phase == Phase::Secondary && sim.rng.chance(1200) {
                pal.legacy_holiday
            } else {
                pal.holiday
            };
            let start = cal.len().saturating_sub(len);
            sim.block(start..cal.len(), code);
        }
    }
    let half_term = if summer { 250 } else { 350 };
    if sim.rng.chance(half_term) {
        let around = if sim.rng.chance(5000) {
            &cal.before_half_term
        } else {
            &cal.after_half_term
        };
        let len = sim.rng.index(2) + 1;
        let chosen: Vec<usize> = if around == &cal.before_half_term {
            around.iter().rev().take(len).copied().collect()
        } else {
            around.iter().take(len).copied().collect()
        };
        for d in chosen {
            sim.block(d..d + 1, pal.holiday);
        }
    }
    let suspension = match ctx.phase {
        Phase::Secondary => 250,
        Phase::Special => 120,
        Phase::Primary => 30,
    } * if pupil.multiplier() >= 250 { 3 } else { 1 };
    if enrol.end > enrol.first + 2 && sim.rng.chance(suspension) {
        let d = enrol.first + sim.rng.index(enrol.end - enrol.first - 2);
        let len = sim.rng.index(3) + 1;
        sim.block(d..d + len, pal.suspended);
    }
    if summer && ctx.phase == Phase::Secondary && year == 11 && sim.rng.chance(2500) {
        let exams = cal.span(dates::EXAMS.0, dates::EXAMS.1);
        for _ in 0..sim.rng.between(2, 6) {
            let d = exams.start + sim.rng.index(exams.len());
            let s = sim.rng.index(2);
            sim.set(d, s, pal.study_leave);
        }
    }
    if (ctx.phase == Phase::Primary || ctx.shape.outbreak_everywhere)
        && !cal.outbreak.is_empty()
        && sim.rng.chance(2000)
    {
        let d = *sim.rng.pick(&cal.outbreak);
        let len = sim.rng.index(3) + 1;
        sim.block(d..d + len, pal.illness);
    }
}

/// Everyday absence: episodes of the given kinds until `remaining` sessions are absent.
fn everyday(
    ctx: &TermContext<'_>,
    pupil: &Pupil,
    mut remaining: u32,
    kinds: &[(Kind, u32); 9],
    emphasis: Emphasis,
    sim: &mut Sim<'_>,
) {
    let pal = *ctx.pal;
    let n = sim.cal.len();
    let weights = kinds.map(|k| k.1);
    let mut attempts = 100 + remaining * 6;
    let mut day_weights = vec![0u32; n];
    while remaining > 0 && attempts > 0 {
        attempts -= 1;
        let kind = kinds[sim.rng.weighted(&weights)].0;
        let illness = matches!(kind, Kind::IllDays | Kind::IllPm);
        for (d, w) in day_weights.iter_mut().enumerate() {
            *w = day_weight(ctx, sim, d, illness, emphasis);
        }
        if day_weights.iter().all(|w| *w == 0) {
            break;
        }
        let d = sim.rng.weighted(&day_weights);
        let mut mark = |sim: &mut Sim<'_>, d: usize, s: usize, code: Code| {
            if remaining > 0 && sim.set(d, s, code) {
                remaining -= 1;
            }
        };
        let either = usize::from(sim.rng.chance(5000));
        match kind {
            Kind::IllDays => {
                let len = [1, 1, 1, 1, 1, 2, 2, 2, 3, 5][sim.rng.index(10)];
                for k in d..(d + len).min(n) {
                    if !sim.free(k, 0) && !sim.free(k, 1) {
                        break;
                    }
                    mark(sim, k, 0, pal.illness);
                    mark(sim, k, 1, pal.illness);
                }
            }
            Kind::IllPm => mark(sim, d, 1, pal.illness),
            Kind::Medical => mark(sim, d, either, pal.medical),
            Kind::Other => {
                mark(sim, d, either, pal.other_unauthorised);
                if sim.rng.chance(6000) {
                    mark(sim, d, 1 - either, pal.other_unauthorised);
                }
            }
            Kind::NotYet => {
                mark(sim, d, either, pal.not_established);
                if sim.rng.chance(3000) {
                    mark(sim, d, 1 - either, pal.not_established);
                }
            }
            Kind::LateU if pupil.late_bp >= 150 => mark(sim, d, 0, pal.late_after_close),
            Kind::LateU => mark(sim, d, either, pal.other_unauthorised),
            Kind::HolidayDay => {
                mark(sim, d, 0, pal.holiday);
                mark(sim, d, 1, pal.holiday);
            }
            Kind::Exceptional => {
                mark(sim, d, 0, pal.exceptional);
                mark(sim, d, 1, pal.exceptional);
            }
            Kind::Religious => {
                mark(sim, d, 0, pal.religious);
                mark(sim, d, 1, pal.religious);
            }
        }
    }
}

fn day_weight(
    ctx: &TermContext<'_>,
    sim: &Sim<'_>,
    d: usize,
    illness: bool,
    emphasis: Emphasis,
) -> u32 {
    if !sim.free(d, 0) && !sim.free(d, 1) {
        return 0;
    }
    let cal = sim.cal;
    let mut w = 10;
    if illness && cal.winter[d] {
        w *= 2;
    }
    if illness
        && (ctx.phase == Phase::Primary || ctx.shape.outbreak_everywhere)
        && cal.outbreak.contains(&d)
    {
        w *= 3;
    }
    match emphasis {
        Emphasis::MondayFriday if matches!(sim.weekday(d), Weekday::Mon | Weekday::Fri) => w *= 8,
        Emphasis::Recent if d + 20 >= cal.len() => w *= 8,
        _ => {}
    }
    w
}

/// Late marks (`L`, present) on mornings, and now and then an afternoon.
fn lateness(late_bp: u32, sim: &mut Sim<'_>) {
    let late = sim.pal.late;
    for d in 0..sim.days.len() {
        if sim.rng.chance(late_bp) {
            sim.set(d, 0, late);
        }
        if sim.rng.chance(late_bp / 6) {
            sim.set(d, 1, late);
        }
    }
}
