//! The LA's settings, kept in the database: flag thresholds, national comparators, the
//! service directory and the officer's name.

use crate::domain::{Code, CodeMap, LocalCode, Thresholds};

/// National figures for one school type, as percentages (6.7 is 6.7%). A blank figure
/// falls back to the "All schools" row.
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
    /// Where the figures come from.
    pub source: String,
}

/// The comparator for one school: each figure as a fraction (0.067), if known.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct NationalComparator {
    /// Which row(s) the figures came from.
    pub label: String,
    /// Overall absence rate.
    pub absence: Option<f64>,
    /// Authorised absence rate.
    pub authorised: Option<f64>,
    /// Unauthorised absence rate.
    pub unauthorised: Option<f64>,
    /// Share of pupils persistently absent.
    pub persistent: Option<f64>,
    /// Share of pupils severely absent.
    pub severe: Option<f64>,
}

const AUTUMN_2023: &str =
    "DfE, Pupil absence in schools in England: autumn term 2023/24 (state-funded schools)";

/// The shipped national figures. Sourced from DfE statistics (explore-education-statistics.service.gov.uk):
/// "Pupil absence in schools in England, autumn term 2023/24" gives overall 6.7%,
/// authorised 4.5%, unauthorised 2.2%, and by type primary 5.3%, secondary 8.1%,
/// special 12.7%; the persistent absence rate for that term, 19.4%, is as reported
/// from the same release. Figures not published in those lines are left blank for the
/// LA to fill in from the latest release.
#[must_use]
pub fn default_national() -> Vec<NationalFigures> {
    let row = |phase: &str, absence, authorised, unauthorised, persistent| NationalFigures {
        phase: phase.to_owned(),
        absence: Some(absence),
        authorised,
        unauthorised,
        persistent,
        severe: None,
        source: AUTUMN_2023.to_owned(),
    };
    vec![
        row("All schools", 6.7, Some(4.5), Some(2.2), Some(19.4)),
        row("Primary", 5.3, None, None, None),
        row("Secondary", 8.1, None, None, None),
        row("Special", 12.7, None, None, None),
    ]
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
}

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
        }
    }
}

impl Settings {
    /// The comparator for a school of this phase: the phase's row, with blanks filled
    /// from "All schools".
    #[must_use]
    pub fn national_for(&self, phase: Option<&str>) -> NationalComparator {
        let find = |name: &str| {
            self.national
                .iter()
                .find(|r| r.phase.trim().eq_ignore_ascii_case(name.trim()))
        };
        let all = find("All schools");
        let own = phase.and_then(find).filter(|r| Some(*r) != all);
        let pick = |f: fn(&NationalFigures) -> Option<f64>| {
            own.and_then(f)
                .or_else(|| all.and_then(f))
                .map(|p| p / 100.0)
        };
        let label = match (own, all) {
            (Some(o), _) => format!("National ({})", o.phase.to_lowercase()),
            (None, Some(_)) => "National (all schools)".to_owned(),
            (None, None) => String::new(),
        };
        NationalComparator {
            label,
            absence: pick(|r| r.absence),
            authorised: pick(|r| r.authorised),
            unauthorised: pick(|r| r.unauthorised),
            persistent: pick(|r| r.persistent),
            severe: pick(|r| r.severe),
        }
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
                    return Err(format!(
                        "National figures, {}: {name} must be between 0 and 100",
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

    #[test]
    fn a_phase_row_falls_back_to_all_schools_for_blank_figures() {
        let s = Settings::default();
        let c = s.national_for(Some("secondary"));
        assert_eq!(c.label, "National (secondary)");
        assert!((c.absence.unwrap() - 0.081).abs() < 1e-12);
        assert!((c.persistent.unwrap() - 0.194).abs() < 1e-12);
        assert_eq!(c.severe, None);
        let unknown = s.national_for(Some("nursery"));
        assert_eq!(unknown.label, "National (all schools)");
        assert!((unknown.absence.unwrap() - 0.067).abs() < 1e-12);
    }

    #[test]
    fn settings_checks_name_the_bad_field() {
        let mut s = Settings::default();
        assert_eq!(s.check(), Ok(()));
        s.thresholds.band_lower = s.thresholds.persistent;
        assert!(s.check().unwrap_err().contains("At-risk band"));
        let mut s = Settings::default();
        s.national[1].absence = Some(140.0);
        assert!(s.check().unwrap_err().contains("Primary: overall"));
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
    }
}
