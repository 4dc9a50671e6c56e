//! What each agenda step and the meeting's summary still need, and the shortlist of
//! flagged pupils the steps work through.

use super::*;
use chrono::NaiveDate;

/// The pupils the meeting's data flags, by step (each pupil once, most severe
/// first), so the agenda knows who must be discussed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shortlist {
    /// Severely absent pupils.
    pub severe: Vec<i64>,
    /// Persistently absent pupils.
    pub persistent: Vec<i64>,
    /// At-risk pupils.
    pub at_risk: Vec<i64>,
    /// Severely or persistently absent pupils who have left the school, with the day:
    /// the CME question becomes "is a destination known?".
    pub leavers: Vec<(i64, NaiveDate)>,
}

impl Shortlist {
    /// The pupils the severe step asks the CME question about: every severely absent
    /// pupil, then the persistently absent leavers.
    #[must_use]
    pub fn cme_question(&self) -> Vec<i64> {
        let mut out = self.severe.clone();
        for (p, _) in &self.leavers {
            if !out.contains(p) {
                out.push(*p);
            }
        }
        out
    }

    /// The day a listed leaver left, if the pupil is one.
    #[must_use]
    pub fn left_on(&self, pupil: i64) -> Option<NaiveDate> {
        self.leavers
            .iter()
            .find(|(p, _)| *p == pupil)
            .map(|(_, d)| *d)
    }
}

/// Something the summary flags as missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The pupil it is about, if any.
    pub pupil: Option<i64>,
    /// The action it is about, if any.
    pub action: Option<RowId>,
    /// What is missing, in words.
    pub text: String,
}

/// How a step stands on the progress rail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    /// Nothing recorded yet.
    NotStarted,
    /// Everything the step asks for is recorded.
    Done,
    /// Something is missing, in words ("3 severely absent pupils without a lead
    /// practitioner").
    Needs(Vec<String>),
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl Meeting {
    /// Where each step stands, for the progress rail.
    #[must_use]
    pub fn step_state(&self, step: AgendaStep, shortlist: &Shortlist) -> StepState {
        let needs = |v: Vec<String>| {
            if v.is_empty() {
                StepState::Done
            } else {
                StepState::Needs(v)
            }
        };
        match step {
            AgendaStep::Attendees => {
                let mut v = Vec::new();
                if self.date.is_none() {
                    v.push("no meeting date".to_owned());
                }
                let named = self
                    .attendees
                    .iter()
                    .filter(|a| !a.name.trim().is_empty())
                    .count();
                if named < 2 {
                    v.push("fewer than two attendees".to_owned());
                }
                needs(v)
            }
            AgendaStep::Review => {
                let left = self.review.iter().filter(|r| !r.reviewed).count();
                needs(if left > 0 {
                    vec![plural(left, "action not reviewed", "actions not reviewed")]
                } else {
                    Vec::new()
                })
            }
            AgendaStep::Trends => notes_state(&self.trends_notes),
            AgendaStep::Practice => notes_state(&self.practice_notes),
            AgendaStep::Severe => {
                let mut v = Vec::new();
                let no_lead = shortlist
                    .severe
                    .iter()
                    .filter(|p| !self.discussion(**p).is_some_and(|d| d.lead.is_set()))
                    .count();
                if no_lead > 0 {
                    v.push(plural(
                        no_lead,
                        "severely absent pupil without a lead practitioner",
                        "severely absent pupils without a lead practitioner",
                    ));
                }
                let unasked = shortlist
                    .cme_question()
                    .iter()
                    .filter(|p| {
                        self.discussion(**p)
                            .is_none_or(|d| d.whereabouts_known.is_none())
                    })
                    .count();
                if unasked > 0 {
                    v.push(plural(
                        unasked,
                        "pupil not asked the CME question",
                        "pupils not asked the CME question",
                    ));
                }
                let unknown = shortlist
                    .cme_question()
                    .iter()
                    .filter(|p| {
                        self.discussion(**p)
                            .is_some_and(|d| d.whereabouts_known == Some(false))
                            && self.cme_for(**p).is_none()
                    })
                    .count();
                if unknown > 0 {
                    v.push(plural(
                        unknown,
                        "pupil with whereabouts unknown and no CME enquiry",
                        "pupils with whereabouts unknown and no CME enquiry",
                    ));
                }
                needs(v)
            }
            AgendaStep::Persistent | AgendaStep::AtRisk => {
                let ps = if step == AgendaStep::Persistent {
                    PupilStep::Persistent
                } else {
                    PupilStep::AtRisk
                };
                let chosen: Vec<&Discussion> =
                    self.discussions.iter().filter(|d| d.step == ps).collect();
                if chosen.is_empty() {
                    return StepState::NotStarted;
                }
                let bare = chosen
                    .iter()
                    .filter(|d| {
                        !d.support_in_place
                            && !d.lead.is_set()
                            && self.actions_for(d.pupil_id).next().is_none()
                    })
                    .count();
                needs(if bare > 0 {
                    vec![plural(
                        bare,
                        "pupil discussed with no lead, action or support in place",
                        "pupils discussed with no lead, action or support in place",
                    )]
                } else {
                    Vec::new()
                })
            }
            AgendaStep::Legal => {
                if self.legal.is_empty() {
                    return StepState::NotStarted;
                }
                let undecided = self.legal.iter().filter(|l| l.outcome.is_none()).count();
                let mut v = Vec::new();
                if undecided > 0 {
                    v.push(plural(
                        undecided,
                        "proposal without an outcome",
                        "proposals without an outcome",
                    ));
                }
                needs(v)
            }
            AgendaStep::Summary => {
                let n = self.missing(shortlist).len();
                let mut v = Vec::new();
                if n > 0 {
                    v.push(plural(n, "item missing", "items missing"));
                }
                if self.status != MeetingStatus::Held {
                    v.push("meeting not marked held".to_owned());
                }
                needs(v)
            }
        }
    }

    /// Everything the summary flags as missing.
    #[must_use]
    pub fn missing(&self, shortlist: &Shortlist) -> Vec<Missing> {
        let mut v = Vec::new();
        let pupil = |p: i64, text: String| Missing {
            pupil: Some(p),
            action: None,
            text,
        };
        for p in &shortlist.severe {
            if !self.discussion(*p).is_some_and(|d| d.lead.is_set()) {
                v.push(pupil(
                    *p,
                    "severely absent with no lead practitioner".into(),
                ));
            }
        }
        for a in &self.actions {
            let m = a.missing();
            if !m.is_empty() {
                v.push(Missing {
                    pupil: a.pupil_id,
                    action: Some(a.id),
                    text: format!("action {:?}: {}", a.description, m.join(", ")),
                });
            }
        }
        for l in &self.legal {
            if matches!(l.outcome, Some(LegalOutcome::Proceed(_))) {
                let gaps = l.unevidenced().len();
                if gaps > 0 {
                    v.push(pupil(
                        l.pupil_id,
                        format!(
                            "proceeding to legal intervention with {} of the support-first checklist not evidenced",
                            plural(gaps, "item", "items")
                        ),
                    ));
                }
            }
        }
        for c in &self.cme {
            if c.is_open() {
                v.push(pupil(c.pupil_id, "CME enquiry still open".into()));
            }
        }
        if self.next_meeting.is_none() {
            v.push(Missing {
                pupil: None,
                action: None,
                text: "no next meeting date".into(),
            });
        }
        v
    }

    /// Agreed actions and pupils led, per lead practitioner organisation (pupils
    /// without one under "(none)"), by organisation.
    #[must_use]
    pub fn lead_counts(&self) -> Vec<(String, usize, usize)> {
        let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let lead_of = |p: i64| {
            self.discussion(p)
                .filter(|d| d.lead.is_set())
                .map_or_else(|| "(none)".to_owned(), |d| d.lead.organisation.clone())
        };
        for d in &self.discussions {
            if d.lead.is_set() {
                by.entry(d.lead.organisation.clone()).or_default().0 += 1;
            }
        }
        for a in &self.actions {
            let key = a.pupil_id.map_or_else(|| "(none)".to_owned(), lead_of);
            by.entry(key).or_default().1 += 1;
        }
        by.into_iter().map(|(k, (p, a))| (k, p, a)).collect()
    }
}

fn notes_state(notes: &str) -> StepState {
    if notes.trim().is_empty() {
        StepState::NotStarted
    } else {
        StepState::Done
    }
}
