//! The LA's settings, kept in the database: flag thresholds, national comparators (the
//! shipped releases and which figure a school is compared with), the LA whose published
//! figures are drawn, the service directory and the officer's name.

use crate::domain::{Code, CodeMap, LocalCode, Thresholds};

/// National figures for one school type from one release, as percentages (6.38 is
/// 6.38%). A blank figure is taken from the next row that has it (see
/// [`Settings::national_for`]).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct NationalFigures {
    /// "All schools", "Primary", "Secondary" or "Special" (matched against a school's
    /// phase, ignoring case).
    pub phase: String,
    /// Overall absence rate, %.
    pub absence: Option<f64>,
    /// Authorised absence rate, %.
    pub authorised: Option<f64>,
    /// Unauthorised absence rate, %.
    pub unauthorised: Option<f64>,
    /// Persistently absent pupils, %.
    pub persistent: Option<f64>,
    /// Severely absent pupils, %.
    pub severe: Option<f64>,
    /// Where the figures come from: the release's name and date ("DfE, Pupil absence in
    /// schools in England: autumn term 2024/25"). Rows with the same source are one
    /// release.
    pub source: String,
}

pub use crate::view::comparator::{Comparator, NationalComparator, brief_release};

/// The latest shipped release: "Pupil absence in schools in England: autumn term
/// 2024/25" (DfE, explore-education-statistics.service.gov.uk).
pub const AUTUMN_2024_25: &str = "DfE, Pupil absence in schools in England: autumn term 2024/25";
/// The release before: "Pupil absence in schools in England: 2023/24" (full year).
pub const FULL_YEAR_2023_24: &str = "DfE, Pupil absence in schools in England: 2023/24 (full year)";
/// The release shipped before these (figures in [`shipped_autumn_2023_24`]).
const AUTUMN_2023_24: &str =
    "DfE, Pupil absence in schools in England: autumn term 2023/24 (state-funded schools)";

/// The shipped national figures, latest release first, from the DfE's "Pupil absence in
/// schools in England" statistics (`shared/domain.md`, "Latest national figures"):
/// autumn term 2024/25 overall absence 6.38% (primary 5.07%, secondary 7.66%, special
/// 12.55%), severe absence 2.04%; full year 2023/24 overall 7.1% (primary 5.5%,
/// secondary 8.9%, special 13.0%), persistent absence 20.0%, severe 2.3%. Figures not
/// published in those lines are left blank; [`Settings::national_for`] then takes them
/// from the next row that has them.
#[must_use]
pub fn default_national() -> Vec<NationalFigures> {
    let row = |phase: &str, source: &str, absence, persistent, severe| NationalFigures {
        phase: phase.to_owned(),
        absence: Some(absence),
        authorised: None,
        unauthorised: None,
        persistent,
        severe,
        source: source.to_owned(),
    };
    vec![
        row("All schools", AUTUMN_2024_25, 6.38, None, Some(2.04)),
        row("Primary", AUTUMN_2024_25, 5.07, None, None),
        row("Secondary", AUTUMN_2024_25, 7.66, None, None),
        row("Special", AUTUMN_2024_25, 12.55, None, None),
        row("All schools", FULL_YEAR_2023_24, 7.1, Some(20.0), Some(2.3)),
        row("Primary", FULL_YEAR_2023_24, 5.5, None, None),
        row("Secondary", FULL_YEAR_2023_24, 8.9, None, None),
        row("Special", FULL_YEAR_2023_24, 13.0, None, None),
    ]
}

/// The national table earlier versions shipped (autumn term 2023/24), so a saved
/// table that still holds exactly it can be brought up to date.
fn shipped_autumn_2023_24() -> Vec<NationalFigures> {
    let row = |phase: &str, absence, authorised, unauthorised, persistent| NationalFigures {
        phase: phase.to_owned(),
        absence: Some(absence),
        authorised,
        unauthorised,
        persistent,
        severe: None,
        source: AUTUMN_2023_24.to_owned(),
    };
    vec![
        row("All schools", 6.7, Some(4.5), Some(2.2), Some(19.4)),
        row("Primary", 5.3, None, None, None),
        row("Secondary", 8.1, None, None, None),
        row("Special", 12.7, None, None, None),
    ]
}

/// A phase for matching: lower case, no spaces, without "state-funded".
fn phase_key(phase: &str) -> String {
    let key: String = phase
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    key.strip_prefix("state-funded").unwrap_or(&key).to_owned()
}

/// Whether a national row is for all schools.
fn is_all_schools(phase: &str) -> bool {
    matches!(phase_key(phase).as_str(), "allschools" | "all" | "total")
}

/// The default service directory (`shared/domain.md`, "Services an LA may offer").
pub const DEFAULT_SERVICES: [&str; 16] = [
    "Attendance support / specialist team",
    "Attendance compliance (legal) team",
    "Early Help / family support",
    "Children's social care",
    "Virtual School",
    "Education Access (medical needs / section 19)",
    "Educational Psychology",
    "SEND operations",
    "Inclusion partners",
    "Engagement facilitators",
    "Specialist teaching (sensory / physical)",
    "Targeted youth support",
    "Preparing for adulthood",
    "School nursing",
    "CAMHS / mental health support team",
    "Housing",
];

/// Everything on the settings screen that lives in the database.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Flag thresholds.
    pub thresholds: Thresholds,
    /// National comparators.
    pub national: Vec<NationalFigures>,
    /// The LA's service directory.
    pub services: Vec<String>,
    /// The officer's name, prefilled in meetings.
    pub officer_name: String,
    /// How printed documents name pupils unless changed for one print.
    pub print_names: crate::report::NameStyle,
    /// How many backups to keep in the backups folder (the newest).
    pub backups_kept: usize,
    /// Academic years of data kept by a purge: 3 keeps this academic year and the two
    /// before; 0 keeps everything.
    pub retention_years: u32,
    /// The LA's local attendance codes and the national codes they stand for, for all
    /// schools or one.
    pub code_map: Vec<LocalCode>,
    /// The local authority whose published weekly figures are drawn beside a school's
    /// (matched ignoring case and spaces); empty: the school's own LA, as the DfE
    /// weekly file names it.
    pub la_name: String,
    /// How many pupils the meeting's persistent and at-risk steps list before "show
    /// all" (the top of the priority order).
    pub meeting_top_n: u32,
}

/// The default length of the meeting's persistent and at-risk lists.
pub const DEFAULT_MEETING_TOP_N: u32 = 20;

/// The default retention: this academic year and the two before.
pub const DEFAULT_RETENTION_YEARS: u32 = 3;
/// The most academic years the retention setting accepts.
pub const MAX_RETENTION_YEARS: u32 = 50;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            thresholds: Thresholds::default(),
            national: default_national(),
            services: DEFAULT_SERVICES.iter().map(|s| (*s).to_owned()).collect(),
            officer_name: String::new(),
            print_names: crate::report::NameStyle::default(),
            backups_kept: crate::store::DEFAULT_BACKUPS_KEPT,
            retention_years: DEFAULT_RETENTION_YEARS,
            code_map: Vec::new(),
            la_name: String::new(),
            meeting_top_n: DEFAULT_MEETING_TOP_N,
        }
    }
}

impl Settings {
    /// The comparator for a school of this phase. Each figure comes from the first
    /// row that has it, trying each release in the order the table first lists it
    /// (the latest first): the school's phase in that release, then its "All schools"
    /// row. So a secondary school gets overall absence from the autumn 2024/25
    /// secondary row, severe absence from autumn 2024/25 for all schools, and
    /// persistent absence from 2023/24 for all schools.
    #[must_use]
    pub fn national_for(&self, phase: Option<&str>) -> NationalComparator {
        let own = phase
            .map(phase_key)
            .filter(|k| !k.is_empty() && !is_all_schools(k));
        let mut releases: Vec<&str> = Vec::new();
        for row in &self.national {
            if !releases.contains(&row.source.trim()) {
                releases.push(row.source.trim());
            }
        }
        let mut order: Vec<&NationalFigures> = Vec::new();
        for release in releases {
            let rows = || self.national.iter().filter(|r| r.source.trim() == release);
            if let Some(own) = &own {
                order.extend(rows().filter(|r| phase_key(&r.phase) == *own));
            }
            order.extend(rows().filter(|r| is_all_schools(&r.phase)));
        }
        let pick = |f: fn(&NationalFigures) -> Option<f64>| {
            order.iter().find_map(|r| {
                f(r).map(|p| Comparator {
                    value: p / 100.0,
                    label: if is_all_schools(&r.phase) {
                        "National (all schools)".to_owned()
                    } else {
                        format!("National ({})", r.phase.trim().to_lowercase())
                    },
                    source: r.source.trim().to_owned(),
                })
            })
        };
        NationalComparator {
            absence: pick(|r| r.absence),
            authorised: pick(|r| r.authorised),
            unauthorised: pick(|r| r.unauthorised),
            persistent: pick(|r| r.persistent),
            severe: pick(|r| r.severe),
        }
    }

    /// Settings as saved by an earlier version, brought up to date: a national table
    /// that is exactly the one shipped before (autumn term 2023/24, never edited) is
    /// replaced by the figures shipped now; thresholds that are exactly the defaults
    /// shipped before issue 16 (band from 5%) take the band of today's defaults. An
    /// edited table or threshold is kept as it is.
    #[must_use]
    pub fn upgraded(mut self) -> Settings {
        if self.national == shipped_autumn_2023_24() {
            self.national = default_national();
        }
        let before_16 = Thresholds {
            band_lower: crate::domain::BasisPoints(500),
            ..Thresholds::default()
        };
        if self.thresholds == before_16 {
            self.thresholds.band_lower = Thresholds::default().band_lower;
        }
        self
    }

    /// The code map for one school's files: the entries for all schools, then the
    /// school's own (which win), then `extra` (given for one import, which win over
    /// both). Entries that do not check are left out (saving refuses them).
    #[must_use]
    pub fn code_map_for(&self, urn: Option<&str>, extra: &[(String, Code)]) -> CodeMap {
        let valid = |e: &&LocalCode| e.check().is_ok();
        let all = self
            .code_map
            .iter()
            .filter(|e| e.school.is_none())
            .filter(valid);
        let own = self
            .code_map
            .iter()
            .filter(|e| e.school.is_some() && e.school.as_deref() == urn)
            .filter(valid);
        CodeMap::new(
            all.chain(own)
                .filter_map(|e| Some((e.local.trim().to_owned(), e.check().ok()?)))
                .chain(extra.iter().cloned()),
        )
    }

    /// Checks the settings before saving; the message names the field.
    ///
    /// # Errors
    /// A sentence naming the first bad field.
    pub fn check(&self) -> Result<(), String> {
        let t = &self.thresholds;
        if t.persistent.0 == 0 || t.persistent.0 > 10_000 {
            return Err("Persistently absent threshold must be above 0% and at most 100%".into());
        }
        if t.severe.0 < t.persistent.0 || t.severe.0 > 10_000 {
            return Err(
                "Severely absent threshold must be at least the persistent threshold and at most 100%"
                    .into(),
            );
        }
        if t.band_lower.0 >= t.persistent.0 {
            return Err("At-risk band must start below the persistent threshold".into());
        }
        if !(1..=365).contains(&self.backups_kept) {
            return Err("Backups kept must be between 1 and 365".into());
        }
        if t.recent_above_school.0 > 10_000 {
            return Err(
                "Recent: the points above the rest of the school must be at most 100".into(),
            );
        }
        if self.meeting_top_n == 0 {
            return Err("Meeting lists: show at least 1 pupil before \"show all\"".into());
        }
        if t.recent_days == 0 {
            return Err("Recent window must be at least 1 school day".into());
        }
        if self.retention_years > MAX_RETENTION_YEARS {
            return Err(format!(
                "Data retention: keep at most {MAX_RETENTION_YEARS} academic years (0 keeps everything)"
            ));
        }
        for (i, entry) in self.code_map.iter().enumerate() {
            entry.check()?;
            if let Some(urn) = &entry.school
                && (urn.is_empty() || !urn.chars().all(|c| c.is_ascii_digit()))
            {
                return Err(format!(
                    "Code map: {:?} is for school {urn:?}, which is not a URN (digits)",
                    entry.local
                ));
            }
            if self.code_map[..i]
                .iter()
                .any(|e| e.local.trim() == entry.local.trim() && e.school == entry.school)
            {
                return Err(format!(
                    "Code map: {:?} is mapped twice for the same schools",
                    entry.local.trim()
                ));
            }
        }
        for row in &self.national {
            for (name, v) in [
                ("overall", row.absence),
                ("authorised", row.authorised),
                ("unauthorised", row.unauthorised),
                ("persistent", row.persistent),
                ("severe", row.severe),
            ] {
                if v.is_some_and(|v| !(0.0..=100.0).contains(&v)) {
                    let release = brief_release(&row.source);
                    let release = if release.is_empty() {
                        String::new()
                    } else {
                        format!(" ({release})")
                    };
                    return Err(format!(
                        "National figures, {}{release}: {name} must be between 0 and 100",
                        row.phase
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A figure's value in per cent (to the hundredth), label and source.
    fn fig(c: Option<&Comparator>) -> Option<(i64, &str, &str)> {
        #[expect(clippy::cast_possible_truncation, reason = "small percentages")]
        c.map(|c| {
            (
                (c.value * 10_000.0).round() as i64,
                c.label.as_str(),
                c.source.as_str(),
            )
        })
    }

    #[test]
    fn each_figure_comes_from_the_first_row_that_has_it() {
        let s = Settings::default();
        let all_autumn = ("National (all schools)", AUTUMN_2024_25);
        let all_year = ("National (all schools)", FULL_YEAR_2023_24);
        // Persistent absence is published only for the full year 2023/24, severe for
        // all schools in autumn 2024/25 (before 2023/24's 2.3%).
        for (phase, absence, label) in [
            (Some("Primary"), 507, "National (primary)"),
            (Some("secondary"), 766, "National (secondary)"),
            (Some(" SPECIAL "), 1255, "National (special)"),
            (Some("State-funded secondary"), 766, "National (secondary)"),
            (Some("nursery"), 638, "National (all schools)"),
            (None, 638, "National (all schools)"),
        ] {
            let c = s.national_for(phase);
            assert_eq!(
                fig(c.absence.as_ref()),
                Some((absence, label, AUTUMN_2024_25)),
                "{phase:?}"
            );
            assert_eq!(
                fig(c.persistent.as_ref()),
                Some((2000, all_year.0, all_year.1)),
                "{phase:?}"
            );
            assert_eq!(
                fig(c.severe.as_ref()),
                Some((204, all_autumn.0, all_autumn.1)),
                "{phase:?}"
            );
            assert_eq!((c.authorised, c.unauthorised), (None, None), "{phase:?}");
        }
        let c = s.national_for(Some("secondary"));
        let absence = c.absence.unwrap();
        assert_eq!(absence.release(), "autumn 2024/25");
        assert_eq!(absence.text(), "National (secondary) 7.7%, autumn 2024/25");
        assert_eq!(absence.name(), "National (secondary), autumn 2024/25");
        assert_eq!(
            c.persistent.unwrap().text(),
            "National (all schools) 20.0%, 2023/24"
        );

        // Without a special row in the latest release, all schools in the latest
        // release comes before special schools in the older one.
        let mut s = Settings::default();
        s.national
            .retain(|r| !(r.phase == "Special" && r.source == AUTUMN_2024_25));
        let c = s.national_for(Some("special"));
        assert_eq!(
            fig(c.absence.as_ref()),
            Some((638, all_autumn.0, all_autumn.1))
        );
        // Without the latest release's severe figure, 2023/24's 2.3% is used.
        s.national[0].severe = None;
        let c = s.national_for(Some("special"));
        assert_eq!(fig(c.severe.as_ref()), Some((230, all_year.0, all_year.1)));
        // An empty table compares with nothing.
        let none = Settings {
            national: Vec::new(),
            ..Settings::default()
        };
        assert_eq!(
            none.national_for(Some("primary")),
            NationalComparator::default()
        );
    }

    #[test]
    fn release_names_in_brief() {
        assert_eq!(brief_release(AUTUMN_2024_25), "autumn 2024/25");
        assert_eq!(brief_release(FULL_YEAR_2023_24), "2023/24");
        assert_eq!(brief_release(AUTUMN_2023_24), "autumn 2023/24");
        assert_eq!(brief_release("Our own figures"), "Our own figures");
        assert_eq!(brief_release(""), "");
    }

    #[test]
    fn a_saved_table_as_shipped_before_is_brought_up_to_date() {
        let old = Settings {
            national: shipped_autumn_2023_24(),
            officer_name: "A. Officer".into(),
            ..Settings::default()
        };
        let json = serde_json::to_string(&old).unwrap();
        let loaded: Settings = serde_json::from_str::<Settings>(&json).unwrap().upgraded();
        assert_eq!(loaded.national, default_national());
        assert_eq!(loaded.officer_name, "A. Officer");
        // An edited table is the officer's: kept.
        let mut edited = old;
        edited.national[1].absence = Some(5.25);
        assert_eq!(edited.clone().upgraded().national, edited.national);
    }

    #[test]
    fn thresholds_saved_as_shipped_before_take_the_new_band() {
        // Saved before issue 16: band from 5%, no recent_above_school field.
        let json = r#"{"thresholds":{"persistent":1000,"severe":5000,"band_lower":500,"recent_days":20,"recent":1000,"rising":300,"include_non_compulsory":false}}"#;
        let loaded = serde_json::from_str::<Settings>(json).unwrap().upgraded();
        assert_eq!(loaded.thresholds.band_lower.0, 700);
        assert_eq!(loaded.thresholds.recent_above_school.0, 1000);
        // An officer's own band is kept.
        let json = json.replace("\"band_lower\":500", "\"band_lower\":600");
        let loaded = serde_json::from_str::<Settings>(&json).unwrap().upgraded();
        assert_eq!(loaded.thresholds.band_lower.0, 600);
    }

    #[test]
    fn settings_checks_name_the_bad_field() {
        let mut s = Settings::default();
        assert_eq!(s.check(), Ok(()));
        s.thresholds.band_lower = s.thresholds.persistent;
        assert!(s.check().unwrap_err().contains("At-risk band"));
        let mut s = Settings::default();
        s.national[1].absence = Some(140.0);
        assert_eq!(
            s.check().unwrap_err(),
            "National figures, Primary (autumn 2024/25): overall must be between 0 and 100"
        );
        let mut s = Settings {
            retention_years: 0,
            ..Settings::default()
        };
        assert_eq!(s.check(), Ok(()));
        s.retention_years = MAX_RETENTION_YEARS + 1;
        assert!(s.check().unwrap_err().starts_with("Data retention"));
    }

    #[test]
    fn old_settings_documents_gain_new_fields_with_defaults() {
        let s: Settings = serde_json::from_str(r#"{"officer_name":"A. Officer"}"#).unwrap();
        assert_eq!(s.officer_name, "A. Officer");
        assert_eq!(s.services.len(), DEFAULT_SERVICES.len());
        assert_eq!(s.thresholds, Thresholds::default());
        assert_eq!(s.retention_years, DEFAULT_RETENTION_YEARS);
        assert_eq!(s.la_name, "");
        assert_eq!(s.national, default_national());
    }
}
