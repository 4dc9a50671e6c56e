//! The meeting: the nine-step TSM agenda with a progress rail, the data beside the
//! forms, and every edit saved through the worker as it is made.
//!
//! The screen draws from an immutable [`MeetingView`] and collects [`Edit`]s; after
//! drawing, each edit is applied to the screen's copy and sent to the worker, which
//! writes it with an audit row. Nothing waits for the database.

mod attendees;
mod cases;
mod legal;
mod pupils;
mod review;
mod summary;

use super::Outbox;
use super::dashboard::{DashboardScreen, headline_tiles};
use super::widgets::{category_style, combo, multiline, palette, pct, tag, text};
use crate::domain::meeting::{
    Action, ActionStatus, AgendaStep, Attendee, Barrier, BarrierCategory, BarrierSide,
    CmeCheckKind, CmeConclusion, Edit, EvidenceItem, LeadPractitioner, LegalEvidence, LegalMeasure,
    LegalOutcome, MeetingMode, MeetingStatus, MeetingText, PupilStep, StepState,
};
use crate::service::new_row_id;
use crate::service::worker::Request;
use crate::view::{MeetingView, PupilRow, pupil_label};
use chrono::NaiveDate;
use egui::{Color32, RichText, Ui};
use std::collections::HashMap;

/// The meeting screen's state.
#[derive(Debug, Default)]
pub struct MeetingScreen {
    view: Option<Box<MeetingView>>,
    index: HashMap<i64, usize>,
    /// Why the meeting could not be opened.
    pub error: Option<String>,
    save_error: Option<String>,
    unsaved: usize,
    step: usize,
    selected: Option<i64>,
    search: String,
    dates: HashMap<String, String>,
    charts: DashboardScreen,
    audit_stale: bool,
    today: Option<NaiveDate>,
    /// The pupil steps whose "not yet chosen" list shows everyone, not the top N.
    show_all: std::collections::HashSet<PupilStep>,
}

impl MeetingScreen {
    /// The meeting shown, if any.
    #[must_use]
    pub fn view(&self) -> Option<&MeetingView> {
        self.view.as_deref()
    }

    /// The step shown.
    #[must_use]
    pub fn step(&self) -> AgendaStep {
        AgendaStep::ALL
            .get(self.step)
            .copied()
            .unwrap_or(AgendaStep::Attendees)
    }

    /// The step shown, counting from 0.
    #[must_use]
    pub fn step_index(&self) -> usize {
        self.step
    }

    /// Shows a step.
    pub fn set_step(&mut self, step: AgendaStep) {
        self.step = AgendaStep::ALL.iter().position(|s| *s == step).unwrap_or(0);
        self.selected = None;
    }

    /// Edits sent and not yet confirmed saved.
    #[must_use]
    pub fn unsaved(&self) -> usize {
        self.unsaved
    }

    /// The last save error, if any.
    #[must_use]
    pub fn save_error(&self) -> Option<&str> {
        self.save_error.as_deref()
    }

    /// A meeting arrived from the worker.
    pub fn set_view(&mut self, view: Box<MeetingView>) {
        let same = self
            .view
            .as_ref()
            .is_some_and(|v| v.meeting.id == view.meeting.id);
        if !same {
            self.selected = None;
            self.dates.clear();
            self.search.clear();
        }
        self.index = view
            .school
            .pupils
            .iter()
            .enumerate()
            .map(|(i, p)| (p.pupil_id, i))
            .collect();
        self.view = Some(view);
        self.error = None;
        self.save_error = None;
        self.audit_stale = false;
    }

    /// The worker saved an edit (or could not: then the meeting is reloaded so the
    /// screen shows what is stored).
    pub fn saved(&mut self, result: Result<(), String>, out: &mut Outbox) {
        self.unsaved = self.unsaved.saturating_sub(1);
        if let Err(e) = result {
            self.save_error = Some(e);
            if let Some(v) = &self.view {
                out.open_meeting = Some((v.urn.clone(), Some(v.meeting.period)));
            }
        }
    }

    /// The audit trail arrived.
    pub fn audit_arrived(&mut self, audit: Vec<crate::view::AuditRow>) {
        if let Some(v) = self.view.as_mut() {
            v.audit = audit;
        }
    }

    fn commit(&mut self, edits: Vec<Edit>, out: &mut Outbox) {
        let Some(view) = self.view.as_mut() else {
            return;
        };
        let at = out.now;
        for edit in edits {
            if let Err(e) = view.meeting.apply(&edit) {
                self.save_error = Some(e.to_string());
                continue;
            }
            self.unsaved += 1;
            self.audit_stale = true;
            out.requests.push(Request::Edit {
                meeting: view.meeting.id,
                edit: Box::new(edit),
                at,
            });
        }
    }

    /// Draws the meeting.
    pub fn ui(&mut self, ui: &mut Ui, today: NaiveDate, out: &mut Outbox) {
        self.today = Some(today);
        let Some(view) = self.view.take() else {
            match &self.error {
                Some(e) => {
                    ui.heading("The meeting could not be opened");
                    ui.label(e);
                }
                None => {
                    ui.label("Open a meeting from the patch overview or a school's dashboard.");
                }
            }
            return;
        };
        let mut edits = Vec::new();
        self.keyboard(ui);
        self.header(ui, &view, &mut edits, out);
        egui::Panel::left("agenda_rail")
            .resizable(false)
            .exact_size(250.0)
            .show(ui, |ui| self.rail(ui, &view));
        egui::CentralPanel::default().show(ui, |ui| {
            let step = self.step();
            ui.horizontal(|ui| {
                ui.heading(format!("{}. {}", self.step + 1, step.label()));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let last = self.step + 1 >= AgendaStep::ALL.len();
                    if ui
                        .add_enabled(!last, egui::Button::new("Next step >"))
                        .on_hover_text("Ctrl+Page Down")
                        .clicked()
                    {
                        self.step += 1;
                        self.selected = None;
                    }
                    if ui
                        .add_enabled(self.step > 0, egui::Button::new("< Previous step"))
                        .on_hover_text("Ctrl+Page Up")
                        .clicked()
                    {
                        self.step -= 1;
                        self.selected = None;
                    }
                });
            });
            ui.separator();
            match step {
                AgendaStep::Trends => self.trends(ui, &view, &mut edits),
                AgendaStep::Severe | AgendaStep::Persistent | AgendaStep::AtRisk => {
                    self.pupils_step(ui, &view, step, &mut edits);
                }
                _ => {
                    egui::ScrollArea::vertical()
                        .id_salt(("meeting_step", self.step))
                        .auto_shrink([false, false])
                        .show(ui, |ui| match step {
                            AgendaStep::Attendees => self.attendees(ui, &view, &mut edits),
                            AgendaStep::Review => self.review(ui, &view, &mut edits),
                            AgendaStep::Legal => self.legal(ui, &view, &mut edits),
                            AgendaStep::Practice => {
                                ui.label("Optional: areas to focus on, and schools to learn from.");
                                if let Some(t) = multiline(
                                    ui,
                                    "Practice and policy notes",
                                    &view.meeting.practice_notes,
                                    8,
                                ) {
                                    edits.push(Edit::Text(MeetingText::PracticeNotes, t));
                                }
                            }
                            _ => self.summary(ui, &view, &mut edits, out),
                        });
                }
            }
        });
        self.view = Some(view);
        self.commit(edits, out);
    }

    fn keyboard(&mut self, ui: &Ui) {
        let (next, prev) = ui.ctx().input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::PageDown),
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::PageUp),
            )
        });
        if next && self.step + 1 < AgendaStep::ALL.len() {
            self.step += 1;
            self.selected = None;
        }
        if prev && self.step > 0 {
            self.step -= 1;
            self.selected = None;
        }
    }

    fn header(&mut self, ui: &mut Ui, v: &MeetingView, edits: &mut Vec<Edit>, out: &mut Outbox) {
        let m = &v.meeting;
        ui.horizontal(|ui| {
            ui.heading(format!(
                "TSM · {}",
                v.school.school.name.as_deref().unwrap_or(&v.urn)
            ));
            let mut terms: Vec<crate::domain::Period> = v.school.periods.clone();
            if !terms.contains(&m.period) {
                terms.push(m.period);
            }
            terms.sort();
            if let Some(p) = combo(ui, "Meeting term", "meeting_term", m.period, &terms, |p| {
                p.to_string()
            }) {
                out.open_meeting = Some((v.urn.clone(), Some(p)));
            }
            ui.label(RichText::new(format!("data: {}", v.data_period)).weak())
                .on_hover_text("The latest term with data up to the meeting's term");
            ui.label(RichText::new(format!("#{}", m.id)).weak().small())
                .on_hover_text(format!(
                    "Meeting id: tsm-desk action-log --meeting {} --out log.pdf",
                    m.id
                ));
            ui.separator();
            if let Some(s) = combo(
                ui,
                "Status",
                "meeting_status",
                m.status,
                MeetingStatus::ALL,
                |s| s.label().to_owned(),
            ) {
                edits.push(Edit::Status(s));
            }
            ui.separator();
            if ui
                .button("Action log…")
                .on_hover_text("Preview, save and print the meeting action log (PDF)")
                .clicked()
            {
                out.print = Some(crate::service::print::Printable::ActionLog {
                    urn: v.urn.clone(),
                    meeting: m.id,
                });
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if let Some(e) = &self.save_error {
                    ui.colored_label(ui.visuals().error_fg_color, format!("Not saved: {e}"));
                } else if self.unsaved > 0 {
                    ui.spinner();
                    ui.label("Saving…");
                } else {
                    ui.label(RichText::new("All changes saved").color(palette::GOOD));
                }
            });
        });
        ui.separator();
    }

    fn rail(&mut self, ui: &mut Ui, v: &MeetingView) {
        ui.add_space(4.0);
        ui.strong("Agenda");
        ui.add_space(4.0);
        for (i, step) in AgendaStep::ALL.iter().enumerate() {
            let state = v.meeting.step_state(*step, &v.shortlist);
            let (colour, word) = match &state {
                StepState::Done => (palette::GOOD, "done"),
                StepState::Needs(_) => (palette::PERSISTENT, "needs something"),
                StepState::NotStarted => (Color32::GRAY, "not started"),
            };
            ui.horizontal(|ui| {
                let (rect, _) =
                    ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                let painter = ui.painter();
                if matches!(state, StepState::NotStarted) {
                    painter.circle_stroke(rect.center(), 5.0, egui::Stroke::new(1.5, colour));
                } else {
                    painter.circle_filled(rect.center(), 5.0, colour);
                }
                let r = ui
                    .add(egui::Button::selectable(
                        self.step == i,
                        format!("{}. {}", i + 1, step.label()),
                    ))
                    .on_hover_text(word);
                if r.clicked() {
                    self.step = i;
                    self.selected = None;
                }
            });
            if let StepState::Needs(items) = &state {
                ui.indent(("needs", i), |ui| {
                    for item in items {
                        ui.add(
                            egui::Label::new(
                                RichText::new(item).small().color(palette::PERSISTENT),
                            )
                            .wrap(),
                        );
                    }
                });
            }
        }
        ui.add_space(10.0);
        ui.label(
            RichText::new("Ctrl+Page Down / Page Up moves between steps. Every change is saved as you make it.")
                .small()
                .weak(),
        );
    }

    /// A date typed as dd/mm/yyyy. Returns the new value once the text is a date (or
    /// empty); half-typed text stays in the box until it is.
    fn date_field(
        &mut self,
        ui: &mut Ui,
        key: &str,
        label: &str,
        value: Option<NaiveDate>,
    ) -> Option<Option<NaiveDate>> {
        let shown = value.map_or_else(String::new, crate::domain::dates::day);
        let id = ui.make_persistent_id(("date", key));
        let focused = ui.memory(|m| m.has_focus(id));
        let buffer = self
            .dates
            .entry(key.to_owned())
            .or_insert_with(|| shown.clone());
        if !focused {
            buffer.clone_from(&shown);
        }
        let l = ui.label(label);
        let r = ui
            .add(
                egui::TextEdit::singleline(buffer)
                    .id(id)
                    .hint_text("dd/mm/yyyy")
                    .desired_width(90.0),
            )
            .labelled_by(l.id);
        let t = buffer.trim();
        let parsed = if t.is_empty() {
            Some(None)
        } else {
            crate::domain::dates::parse_day(t)
                .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
                .ok()
                .map(Some)
        };
        if parsed.is_none() {
            r.clone().on_hover_text("Type a date like 24/11/2026");
            ui.painter().rect_stroke(
                r.rect,
                2.0,
                egui::Stroke::new(1.0, ui.visuals().error_fg_color),
                egui::StrokeKind::Outside,
            );
        }
        if r.changed() {
            parsed.filter(|p| *p != value)
        } else {
            None
        }
    }
}
