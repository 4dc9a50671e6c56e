//! The meeting: the nine-step TSM agenda with a progress rail, the data beside the
//! forms, and every edit saved through the worker as it is made.
//!
//! The screen draws from an immutable [`MeetingView`] and collects [`Edit`]s; after
//! drawing, each edit is applied to the screen's copy and sent to the worker, which
//! writes it with an audit row. Nothing waits for the database.

use super::Outbox;
use super::dashboard::{DashboardScreen, headline_tiles};
use super::widgets::{category_style, palette, pct, tag};
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

    fn attendees(&mut self, ui: &mut Ui, v: &MeetingView, edits: &mut Vec<Edit>) {
        let m = &v.meeting;
        ui.horizontal(|ui| {
            if let Some(d) = self.date_field(ui, "meeting_date", "Date", m.date) {
                edits.push(Edit::Date(d));
            }
            if let Some(t) = text(ui, "Time", &m.time, 60.0) {
                edits.push(Edit::Text(MeetingText::Time, t));
            }
            ui.label("Held");
            for mode in MeetingMode::ALL {
                if ui.radio(m.mode == *mode, mode.label()).clicked() && m.mode != *mode {
                    edits.push(Edit::Mode(*mode));
                }
            }
        });
        ui.add_space(8.0);
        ui.strong("Who attended");
        for a in &m.attendees {
            ui.horizontal(|ui| {
                let mut changed = a.clone();
                let mut any = false;
                if let Some(t) = text(ui, "Name", &a.name, 180.0) {
                    changed.name = t;
                    any = true;
                }
                if let Some(t) = text(ui, "Role", &a.role, 180.0) {
                    changed.role = t;
                    any = true;
                }
                if let Some(t) = text(ui, "Organisation", &a.organisation, 200.0) {
                    changed.organisation = t;
                    any = true;
                }
                if any {
                    edits.push(Edit::Attendee(changed));
                }
                if ui.small_button("Remove").clicked() {
                    edits.push(Edit::RemoveAttendee(a.id));
                }
            });
        }
        ui.horizontal(|ui| {
            if ui.button("Add attendee").clicked() {
                edits.push(Edit::Attendee(Attendee {
                    id: new_row_id(),
                    ..Attendee::default()
                }));
            }
            if ui.button("Add the school's attendance lead").clicked() {
                edits.push(Edit::Attendee(Attendee {
                    id: new_row_id(),
                    name: String::new(),
                    role: "Senior attendance lead".into(),
                    organisation: v
                        .school
                        .school
                        .name
                        .clone()
                        .unwrap_or_else(|| v.urn.clone()),
                }));
            }
        });
        ui.add_space(10.0);
        ui.strong("Context");
        headline_tiles(ui, &v.school);
    }

    fn review(&mut self, ui: &mut Ui, v: &MeetingView, edits: &mut Vec<Edit>) {
        let m = &v.meeting;
        if m.review.is_empty() {
            ui.label("No open actions from the school's earlier meetings.");
            return;
        }
        ui.label(format!(
            "{} actions from earlier meetings. Mark each, with a note; not-done actions can be carried forward into this meeting.",
            m.review.len()
        ));
        let carry: Vec<_> = m
            .review
            .iter()
            .filter(|r| {
                r.carried_as.is_none()
                    && matches!(
                        r.action.status,
                        ActionStatus::NotDone | ActionStatus::Partly
                    )
            })
            .map(|r| r.action.id)
            .collect();
        if ui
            .add_enabled(
                !carry.is_empty(),
                egui::Button::new(format!("Carry forward all not done ({})", carry.len())),
            )
            .clicked()
        {
            for from in carry {
                edits.push(Edit::CarryForward {
                    from,
                    id: new_row_id(),
                });
            }
        }
        ui.add_space(6.0);
        egui::Grid::new("review_grid")
            .striped(true)
            .num_columns(9)
            .spacing([10.0, 6.0])
            .show(ui, |ui| {
                for h in [
                    "Pupil", "Action", "Owner", "Due", "Agreed", "Then", "Now", "Review", "",
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for r in &m.review {
                    let a = &r.action;
                    ui.label(
                        a.pupil_id
                            .map_or_else(|| "whole school".into(), |p| self.label(v, p)),
                    );
                    ui.label(&a.description);
                    ui.label(&a.owner);
                    ui.label(a.due.map_or_else(String::new, crate::domain::dates::day));
                    ui.label(r.agreed_in.to_string());
                    ui.label(pct(r.rate_then));
                    ui.horizontal(|ui| {
                        ui.label(pct(r.rate_now));
                        if let (Some(then), Some(now)) = (r.rate_then, r.rate_now) {
                            super::widgets::change_label(ui, Some(now - then));
                        }
                    });
                    ui.vertical(|ui| {
                        let shown = if r.reviewed {
                            a.status.label().to_owned()
                        } else {
                            format!("{} (not reviewed)", a.status.label())
                        };
                        let mut chosen = a.status;
                        let label = ui.label(RichText::new("Reviewed as").small());
                        egui::ComboBox::from_id_salt(("review_status", a.id))
                            .selected_text(shown)
                            .show_ui(ui, |ui| {
                                for s in &ActionStatus::ALL[1..] {
                                    ui.selectable_value(&mut chosen, *s, s.label());
                                }
                            })
                            .response
                            .labelled_by(label.id);
                        if chosen != a.status {
                            edits.push(Edit::Review {
                                action: a.id,
                                status: chosen,
                                note: a.note.clone(),
                            });
                        }
                        if r.reviewed
                            && let Some(t) = text(ui, "Review note", &a.note, 200.0)
                        {
                            edits.push(Edit::Review {
                                action: a.id,
                                status: a.status,
                                note: t,
                            });
                        }
                    });
                    if r.carried_as.is_some() {
                        tag(ui, "carried forward", palette::GOOD);
                    } else if a.status.is_open() && a.status != ActionStatus::Open {
                        if ui.button("Carry forward").clicked() {
                            edits.push(Edit::CarryForward {
                                from: a.id,
                                id: new_row_id(),
                            });
                        }
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
    }

    fn trends(&mut self, ui: &mut Ui, v: &MeetingView, edits: &mut Vec<Edit>) {
        headline_tiles(ui, &v.school);
        if let Some(t) = multiline(ui, "Patterns and focus areas", &v.meeting.trends_notes, 3) {
            edits.push(Edit::Text(MeetingText::TrendsNotes, t));
        }
        ui.add_space(4.0);
        self.charts.charts_ui(ui, &v.school, "meeting_charts");
    }

    fn label(&self, v: &MeetingView, pupil: i64) -> String {
        match self.pupil_row(v, pupil) {
            Some(p) => pupil_label(&p.name, &p.upn),
            None => v
                .labels
                .get(&pupil)
                .cloned()
                .unwrap_or_else(|| format!("pupil #{pupil}")),
        }
    }

    fn pupil_row<'a>(&self, v: &'a MeetingView, pupil: i64) -> Option<&'a PupilRow> {
        self.index.get(&pupil).and_then(|i| v.school.pupils.get(*i))
    }

    fn pupils_step(
        &mut self,
        ui: &mut Ui,
        v: &MeetingView,
        step: AgendaStep,
        edits: &mut Vec<Edit>,
    ) {
        let (pstep, flagged, intro) = match step {
            AgendaStep::Severe => (
                PupilStep::Severe,
                &v.shortlist.severe,
                "Every severely absent pupil gets a joint approach: a lead practitioner, the barriers, agreed actions, and the CME question.",
            ),
            AgendaStep::Persistent => (
                PupilStep::Persistent,
                &v.shortlist.persistent,
                "Priority to out-of-school barriers needing joint action. A pupil may be marked \"support already in place, not discussed\".",
            ),
            _ => (
                PupilStep::AtRisk,
                &v.shortlist.at_risk,
                "Emerging patterns and early actions.",
            ),
        };
        ui.label(RichText::new(intro).weak());
        let m = &v.meeting;
        // Who is listed: every SA pupil; for PA and at risk, those chosen.
        let listed: Vec<i64> = if pstep == PupilStep::Severe {
            let mut l = v.shortlist.cme_question();
            for d in &m.discussions {
                if d.step == pstep && !l.contains(&d.pupil_id) {
                    l.push(d.pupil_id);
                }
            }
            l
        } else {
            m.discussions
                .iter()
                .filter(|d| d.step == pstep)
                .map(|d| d.pupil_id)
                .collect()
        };
        if self.selected.is_none_or(|s| !listed.contains(&s)) {
            self.selected = listed.first().copied();
        }
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(330.0);
                egui::ScrollArea::vertical()
                    .id_salt(("pupil_list", self.step))
                    .auto_shrink([false, false])
                    .max_height(ui.available_height())
                    .show(ui, |ui| {
                        self.pupil_list(ui, v, pstep, flagged, &listed, edits);
                    });
            });
            ui.separator();
            ui.vertical(|ui| {
                egui::ScrollArea::vertical()
                    .id_salt(("pupil_form", self.step))
                    .auto_shrink([false, false])
                    .show(ui, |ui| match self.selected {
                        Some(p) => self.pupil_form(ui, v, p, pstep, edits),
                        None => {
                            ui.label(match pstep {
                                PupilStep::Severe => {
                                    "No severely absent pupils in this term's data."
                                }
                                _ => "Choose pupils to discuss from the list on the left.",
                            });
                        }
                    });
            });
        });
    }

    fn pupil_list(
        &mut self,
        ui: &mut Ui,
        v: &MeetingView,
        pstep: PupilStep,
        flagged: &[i64],
        listed: &[i64],
        edits: &mut Vec<Edit>,
    ) {
        let m = &v.meeting;
        ui.strong(match pstep {
            PupilStep::Severe => format!("Severely absent ({})", listed.len()),
            _ => format!("Discussed ({})", listed.len()),
        });
        for p in listed {
            let d = m.discussion(*p);
            let mut marks = Vec::new();
            if d.is_some_and(|d| d.support_in_place) {
                marks.push("support in place");
            } else {
                if d.is_some_and(|d| d.lead.is_set()) {
                    marks.push("lead");
                }
                let n = m.actions_for(*p).count();
                if n > 0 {
                    marks.push(if n == 1 { "1 action" } else { "actions" });
                }
            }
            if m.cme_for(*p)
                .is_some_and(crate::domain::meeting::CmeEnquiry::is_open)
            {
                marks.push("CME open");
            }
            let left = v.shortlist.left_on(*p).map(|d| {
                format!(
                    "left {}: is a destination known?",
                    crate::domain::dates::day(d)
                )
            });
            let rate = self
                .pupil_row(v, *p)
                .map(|r| pct(r.absence_rate))
                .unwrap_or_default();
            let text = format!("{} · {rate}", self.label(v, *p));
            ui.horizontal(|ui| {
                if ui
                    .add(egui::Button::selectable(self.selected == Some(*p), text))
                    .clicked()
                {
                    self.selected = Some(*p);
                }
            });
            if !marks.is_empty() {
                ui.label(RichText::new(marks.join(" · ")).small().weak());
            }
            if let Some(left) = left {
                ui.label(RichText::new(left).small().color(palette::SEVERE));
            }
        }
        if pstep == PupilStep::Severe {
            return;
        }
        ui.add_space(8.0);
        let waiting: Vec<i64> = flagged
            .iter()
            .copied()
            .filter(|p| m.discussion(*p).is_none())
            .collect();
        ui.strong(format!(
            "{} not yet chosen ({})",
            if pstep == PupilStep::Persistent {
                "Persistently absent"
            } else {
                "At risk"
            },
            waiting.len()
        ));
        for p in waiting.iter().take(200) {
            let rate = self
                .pupil_row(v, *p)
                .map(|r| pct(r.absence_rate))
                .unwrap_or_default();
            ui.horizontal(|ui| {
                ui.label(format!("{} · {rate}", self.label(v, *p)));
            });
            ui.horizontal(|ui| {
                if ui.small_button("Discuss").clicked() {
                    edits.push(Edit::Discuss(*p, pstep));
                    self.selected = Some(*p);
                }
                if pstep == PupilStep::Persistent
                    && ui
                        .small_button("Support in place")
                        .on_hover_text("Support already in place, not discussed")
                        .clicked()
                {
                    edits.push(Edit::Discuss(*p, pstep));
                    edits.push(Edit::SupportInPlace(*p, true));
                }
            });
        }
        ui.add_space(8.0);
        ui.strong("Find another pupil");
        let label = ui.label("Name or UPN");
        ui.add(egui::TextEdit::singleline(&mut self.search).desired_width(220.0))
            .labelled_by(label.id);
        let needle = self.search.trim().to_lowercase();
        if needle.len() >= 2 {
            let found: Vec<&PupilRow> = v
                .school
                .pupils
                .iter()
                .filter(|r| m.discussion(r.pupil_id).is_none())
                .filter(|r| {
                    r.upn.to_lowercase().contains(&needle)
                        || r.name.to_lowercase().contains(&needle)
                })
                .take(8)
                .collect();
            for r in found {
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "{} · {}",
                        self.label(v, r.pupil_id),
                        pct(r.absence_rate)
                    ));
                    if ui.small_button("Add").clicked() {
                        edits.push(Edit::Discuss(r.pupil_id, pstep));
                        self.selected = Some(r.pupil_id);
                        self.search.clear();
                    }
                });
            }
        }
    }

    fn pupil_form(
        &mut self,
        ui: &mut Ui,
        v: &MeetingView,
        p: i64,
        pstep: PupilStep,
        edits: &mut Vec<Edit>,
    ) {
        let m = &v.meeting;
        let d = m.discussion(p);
        ui.horizontal(|ui| {
            ui.heading(self.label(v, p));
            if let Some(r) = self.pupil_row(v, p) {
                let (colour, word) = category_style(r.category);
                tag(ui, word, colour);
                if let Some(y) = r.year {
                    ui.label(y.to_string());
                }
                for b in &r.badges {
                    tag(ui, b.short(), palette::BADGE).on_hover_text(b.long());
                }
            }
        });
        if let Some(r) = self.pupil_row(v, p) {
            ui.label(
                RichText::new(format!(
                    "Absence {} of {} sessions · {} authorised, {} unauthorised · {}",
                    pct(r.absence_rate),
                    r.possible,
                    r.authorised,
                    r.unauthorised,
                    r.reasons
                ))
                .weak(),
            );
        }
        if pstep != PupilStep::Severe
            && d.is_some()
            && ui.small_button("Remove from this step").clicked()
        {
            edits.push(Edit::Undiscuss(p));
            return;
        }
        ui.add_space(6.0);
        if pstep == PupilStep::Persistent {
            let mut on = d.is_some_and(|d| d.support_in_place);
            if ui
                .checkbox(&mut on, "Support already in place, not discussed")
                .changed()
            {
                edits.push(Edit::SupportInPlace(p, on));
            }
            if on {
                return;
            }
        }
        self.lead_ui(ui, v, p, edits);
        ui.add_space(6.0);
        self.barriers_ui(ui, p, d.map_or(&[][..], |d| d.barriers.as_slice()), edits);
        if pstep == PupilStep::Severe {
            ui.add_space(6.0);
            self.cme_ui(ui, v, p, edits);
        }
        ui.add_space(6.0);
        ui.strong("Agreed actions");
        self.actions_ui(ui, v, m.actions_for(p).cloned().collect(), false, edits);
        if ui.button("Add action").clicked() {
            edits.push(Edit::Action(Action::new(new_row_id(), Some(p))));
        }
        ui.add_space(6.0);
        if let Some(t) = multiline(ui, "Notes", d.map_or("", |d| d.notes.as_str()), 3) {
            edits.push(Edit::PupilNotes(p, t));
        }
    }

    fn lead_ui(&mut self, ui: &mut Ui, v: &MeetingView, p: i64, edits: &mut Vec<Edit>) {
        let current = v
            .meeting
            .discussion(p)
            .map(|d| d.lead.clone())
            .unwrap_or_default();
        ui.horizontal(|ui| {
            let label = ui.strong("Lead practitioner");
            let mut org = current.organisation.clone();
            egui::ComboBox::from_id_salt(("lead", p))
                .selected_text(if org.is_empty() {
                    "(choose)".to_owned()
                } else {
                    org.clone()
                })
                .width(300.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut org, "School".to_owned(), "School");
                    for s in &v.services {
                        ui.selectable_value(&mut org, s.clone(), s);
                    }
                })
                .response
                .labelled_by(label.id);
            if org != current.organisation {
                edits.push(Edit::Lead(
                    p,
                    LeadPractitioner {
                        organisation: org,
                        person: current.person.clone(),
                    },
                ));
            }
            if let Some(t) = text(ui, "Named person", &current.person, 180.0) {
                edits.push(Edit::Lead(
                    p,
                    LeadPractitioner {
                        organisation: current.organisation.clone(),
                        person: t,
                    },
                ));
            }
        });
    }

    fn barriers_ui(&mut self, ui: &mut Ui, p: i64, barriers: &[Barrier], edits: &mut Vec<Edit>) {
        ui.strong("Barriers");
        for b in barriers {
            ui.horizontal(|ui| {
                let mut changed = b.clone();
                let mut any = false;
                if let Some(s) = combo(ui, "Side", ("side", b.id), b.side, BarrierSide::ALL, |s| {
                    s.label().to_owned()
                }) {
                    changed.side = s;
                    any = true;
                }
                if let Some(c) = combo(
                    ui,
                    "Category",
                    ("category", b.id),
                    b.category,
                    BarrierCategory::ALL,
                    |c| c.label().to_owned(),
                ) {
                    changed.category = c;
                    any = true;
                }
                if let Some(t) = text(ui, "Detail", &b.detail, 260.0) {
                    changed.detail = t;
                    any = true;
                }
                if any {
                    edits.push(Edit::Barrier(p, changed));
                }
                if ui.small_button("Remove").clicked() {
                    edits.push(Edit::RemoveBarrier(p, b.id));
                }
            });
        }
        ui.horizontal(|ui| {
            for (side, word) in [
                (BarrierSide::InSchool, "Add in-school barrier"),
                (BarrierSide::OutOfSchool, "Add out-of-school barrier"),
            ] {
                if ui.button(word).clicked() {
                    edits.push(Edit::Barrier(
                        p,
                        Barrier {
                            id: new_row_id(),
                            side,
                            category: BarrierCategory::Other,
                            detail: String::new(),
                        },
                    ));
                }
            }
        });
    }

    fn cme_ui(&mut self, ui: &mut Ui, v: &MeetingView, p: i64, edits: &mut Vec<Edit>) {
        let m = &v.meeting;
        let known = m.discussion(p).and_then(|d| d.whereabouts_known);
        let question = match v.shortlist.left_on(p) {
            Some(day) => format!(
                "Left {}: is a destination known? (possible child missing education)",
                crate::domain::dates::day(day)
            ),
            None => {
                "Possible child missing education: are the pupil's whereabouts known?".to_owned()
            }
        };
        ui.horizontal(|ui| {
            ui.strong(question);
            for (value, word) in [
                (Some(true), "Known"),
                (Some(false), "Not known"),
                (None, "Not asked"),
            ] {
                if ui.radio(known == value, word).clicked() && known != value {
                    edits.push(Edit::Whereabouts(p, value));
                }
            }
        });
        let enquiry = m.cme_for(p);
        if known == Some(false) && enquiry.is_none() {
            ui.colored_label(
                palette::SEVERE,
                "Whereabouts not known: joint reasonable enquiries should start now.",
            );
            if ui.button("Open CME enquiry").clicked() {
                edits.push(Edit::OpenCme(p, self.today.unwrap_or_default()));
            }
        }
        let Some(c) = enquiry else {
            return;
        };
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong(format!(
                    "CME enquiry opened {}",
                    crate::domain::dates::day(c.opened_on)
                ));
                if c.is_open() {
                    tag(ui, "OPEN", palette::SEVERE);
                } else {
                    tag(ui, "CLOSED", palette::GOOD);
                }
            });
            egui::Grid::new(("cme_grid", p))
                .num_columns(2)
                .spacing([8.0, 4.0])
                .show(ui, |ui| {
                    for kind in CmeCheckKind::ALL {
                        let check = c.checks.get(kind).cloned().unwrap_or_default();
                        ui.label(kind.label());
                        let mut changed = check.clone();
                        let mut any = false;
                        let key = format!("cme.{p}.{}", kind.key());
                        ui.horizontal(|ui| {
                            if let Some(d) = self.date_field(ui, &key, "Date", check.on) {
                                changed.on = d;
                                any = true;
                            }
                            if let Some(t) = text(ui, "By", &check.by, 130.0) {
                                changed.by = t;
                                any = true;
                            }
                            if let Some(t) = text(ui, "Outcome", &check.outcome, 200.0) {
                                changed.outcome = t;
                                any = true;
                            }
                        });
                        if any {
                            edits.push(Edit::CmeCheck(p, *kind, changed));
                        }
                        ui.end_row();
                    }
                });
            ui.horizontal(|ui| {
                let label = ui.strong("Conclusion");
                let mut chosen = c.conclusion;
                egui::ComboBox::from_id_salt(("cme_conclusion", p))
                    .selected_text(c.conclusion.map_or("(none yet)", CmeConclusion::label))
                    .width(220.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut chosen, None, "(none yet)");
                        for k in CmeConclusion::ALL {
                            ui.selectable_value(&mut chosen, Some(*k), k.label());
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if chosen != c.conclusion {
                    let on = chosen
                        .filter(|k| *k != CmeConclusion::StillMissing)
                        .map(|_| self.today.unwrap_or_default());
                    edits.push(Edit::ConcludeCme(p, chosen, on));
                }
                if let Some(d) = c.concluded_on {
                    ui.label(format!("concluded {}", crate::domain::dates::day(d)));
                }
            });
        });
    }

    /// Rows of actions, editable; `with_pupil` adds the pupil column (summary).
    fn actions_ui(
        &mut self,
        ui: &mut Ui,
        v: &MeetingView,
        actions: Vec<Action>,
        with_pupil: bool,
        edits: &mut Vec<Edit>,
    ) {
        for a in &actions {
            ui.horizontal_wrapped(|ui| {
                if with_pupil {
                    ui.label(
                        RichText::new(
                            a.pupil_id
                                .map_or_else(|| "whole school".into(), |p| self.label(v, p)),
                        )
                        .strong(),
                    );
                }
                let mut changed = a.clone();
                let mut any = false;
                if let Some(t) = text(ui, "Action", &a.description, 240.0) {
                    changed.description = t;
                    any = true;
                }
                if let Some(t) = text(ui, "Owner", &a.owner, 140.0) {
                    changed.owner = t;
                    any = true;
                }
                if let Some(d) = self.date_field(ui, &format!("due.{}", a.id), "Due", a.due) {
                    changed.due = d;
                    any = true;
                }
                if let Some(s) = combo(
                    ui,
                    "Status",
                    ("action_status", a.id),
                    a.status,
                    ActionStatus::ALL,
                    |s| s.label().to_owned(),
                ) {
                    changed.status = s;
                    any = true;
                }
                if any {
                    edits.push(Edit::Action(changed));
                }
                if ui.small_button("Remove").clicked() {
                    edits.push(Edit::RemoveAction(a.id));
                }
                let missing = a.missing();
                if !missing.is_empty() {
                    ui.label(
                        RichText::new(missing.join(", "))
                            .small()
                            .color(palette::PERSISTENT),
                    );
                }
            });
        }
    }

    fn legal(&mut self, ui: &mut Ui, v: &MeetingView, edits: &mut Vec<Edit>) {
        let m = &v.meeting;
        ui.label(RichText::new("Only where support was offered and not engaged with, or did not work. Record the support-first evidence before deciding.").weak());
        let mut candidates: Vec<i64> = v.shortlist.severe.clone();
        candidates.extend(m.discussions.iter().map(|d| d.pupil_id));
        candidates.extend(v.shortlist.persistent.iter().copied());
        let mut seen = std::collections::HashSet::new();
        candidates.retain(|p| seen.insert(*p) && m.legal_for(*p).is_none());
        ui.horizontal(|ui| {
            let label = ui.label("Propose a pupil");
            let mut chosen: Option<i64> = None;
            egui::ComboBox::from_id_salt("legal_propose")
                .selected_text("(choose a pupil)")
                .width(320.0)
                .show_ui(ui, |ui| {
                    for p in candidates.iter().take(300) {
                        ui.selectable_value(&mut chosen, Some(*p), self.label(v, *p));
                    }
                })
                .response
                .labelled_by(label.id);
            if let Some(p) = chosen {
                edits.push(Edit::ProposeLegal(p));
            }
        });
        for l in &m.legal {
            let p = l.pupil_id;
            ui.add_space(8.0);
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading(self.label(v, p));
                    if let Some(r) = self.pupil_row(v, p) {
                        ui.label(format!("absence {}", pct(r.absence_rate)));
                    }
                    if ui.small_button("Withdraw proposal").clicked() {
                        edits.push(Edit::WithdrawLegal(p));
                    }
                });
                ui.strong("Support-first evidence");
                egui::Grid::new(("evidence", p))
                    .num_columns(2)
                    .spacing([8.0, 2.0])
                    .show(ui, |ui| {
                        for item in LegalEvidence::ALL {
                            let current = l.evidence.get(item).cloned().unwrap_or_default();
                            let mut checked = current.checked;
                            if ui.checkbox(&mut checked, item.label()).changed() {
                                edits.push(Edit::Evidence(
                                    p,
                                    *item,
                                    EvidenceItem {
                                        checked,
                                        note: current.note.clone(),
                                    },
                                ));
                            }
                            if let Some(t) = ui
                                .horizontal(|ui| text(ui, "Evidence note", &current.note, 300.0))
                                .inner
                            {
                                edits.push(Edit::Evidence(
                                    p,
                                    *item,
                                    EvidenceItem {
                                        checked: current.checked,
                                        note: t,
                                    },
                                ));
                            }
                            ui.end_row();
                        }
                    });
                let gaps = l.unevidenced().len();
                ui.horizontal(|ui| {
                    ui.strong("Outcome");
                    if ui
                        .radio(
                            l.outcome == Some(LegalOutcome::MoreSupport),
                            "More support first",
                        )
                        .clicked()
                        && l.outcome != Some(LegalOutcome::MoreSupport)
                    {
                        edits.push(Edit::LegalOutcome(p, Some(LegalOutcome::MoreSupport)));
                    }
                    let proceeding = match l.outcome {
                        Some(LegalOutcome::Proceed(m)) => Some(m),
                        _ => None,
                    };
                    if ui.radio(proceeding.is_some(), "Proceed with").clicked()
                        && proceeding.is_none()
                    {
                        edits.push(Edit::LegalOutcome(
                            p,
                            Some(LegalOutcome::Proceed(LegalMeasure::PenaltyNotice)),
                        ));
                    }
                    if let Some(measure) = proceeding
                        && let Some(mm) = combo(
                            ui,
                            "Measure",
                            ("measure", p),
                            measure,
                            LegalMeasure::ALL,
                            |m| m.label().to_owned(),
                        )
                    {
                        edits.push(Edit::LegalOutcome(p, Some(LegalOutcome::Proceed(mm))));
                    }
                });
                if matches!(l.outcome, Some(LegalOutcome::Proceed(_))) && gaps > 0 {
                    ui.colored_label(
                        palette::SEVERE,
                        format!(
                            "{gaps} of the {} support-first items are not evidenced.",
                            LegalEvidence::ALL.len()
                        ),
                    );
                }
                if l.outcome == Some(LegalOutcome::MoreSupport) {
                    ui.strong("Support actions");
                    self.actions_ui(ui, v, m.actions_for(p).cloned().collect(), false, edits);
                    if ui.button("Add action").clicked() {
                        edits.push(Edit::Action(Action::new(new_row_id(), Some(p))));
                    }
                }
            });
        }
    }

    fn summary(&mut self, ui: &mut Ui, v: &MeetingView, edits: &mut Vec<Edit>, out: &mut Outbox) {
        let m = &v.meeting;
        ui.horizontal(|ui| {
            if let Some(d) = self.date_field(ui, "next_meeting", "Next meeting", m.next_meeting) {
                edits.push(Edit::NextMeeting(d));
            }
            if m.status != MeetingStatus::Held && ui.button("Mark the meeting held").clicked() {
                edits.push(Edit::Status(MeetingStatus::Held));
            }
        });
        let missing = m.missing(&v.shortlist);
        ui.add_space(6.0);
        if missing.is_empty() {
            ui.colored_label(palette::GOOD, "Nothing missing.");
        } else {
            ui.strong(format!("Missing ({})", missing.len()));
            for x in &missing {
                let who = x
                    .pupil
                    .map(|p| format!("{}: ", self.label(v, p)))
                    .unwrap_or_default();
                ui.colored_label(palette::PERSISTENT, format!("{who}{}", x.text));
            }
        }
        ui.add_space(8.0);
        ui.strong(format!("Agreed actions ({})", m.actions.len()));
        self.actions_ui(ui, v, m.actions.clone(), true, edits);
        if ui.button("Add whole-school action").clicked() {
            edits.push(Edit::Action(Action::new(new_row_id(), None)));
        }
        ui.add_space(8.0);
        ui.strong("By lead practitioner");
        egui::Grid::new("lead_counts")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                ui.strong("Lead practitioner");
                ui.strong("Pupils");
                ui.strong("Actions");
                ui.end_row();
                for (lead, pupils, actions) in m.lead_counts() {
                    ui.label(lead);
                    ui.label(pupils.to_string());
                    ui.label(actions.to_string());
                    ui.end_row();
                }
            });
        ui.add_space(8.0);
        if self.audit_stale && self.unsaved == 0 {
            self.audit_stale = false;
            out.requests.push(Request::Audit { meeting: m.id });
        }
        egui::CollapsingHeader::new(format!("Audit trail ({} latest changes)", v.audit.len()))
            .id_salt("audit")
            .show(ui, |ui| {
                for a in &v.audit {
                    let who = a
                        .pupil_id
                        .map(|p| format!(" · {}", self.label(v, p)))
                        .unwrap_or_default();
                    ui.label(format!(
                        "{} · {} · {}{who}",
                        crate::domain::dates::day_time(a.at),
                        a.officer,
                        a.summary
                    ));
                }
            });
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

/// A labelled one-line text box; the new text when it changed.
fn text(ui: &mut Ui, label: &str, value: &str, width: f32) -> Option<String> {
    let l = ui.label(label);
    let mut t = value.to_owned();
    let r = ui
        .add(egui::TextEdit::singleline(&mut t).desired_width(width))
        .labelled_by(l.id);
    r.changed().then_some(t)
}

/// A labelled multi-line text box.
fn multiline(ui: &mut Ui, label: &str, value: &str, rows: usize) -> Option<String> {
    let l = ui.strong(label);
    let mut t = value.to_owned();
    let r = ui
        .add(
            egui::TextEdit::multiline(&mut t)
                .desired_rows(rows)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(l.id);
    r.changed().then_some(t)
}

/// A labelled combo box over `options`; the new choice when it changed.
fn combo<T: Copy + PartialEq>(
    ui: &mut Ui,
    label: &str,
    salt: impl std::hash::Hash + std::fmt::Debug,
    current: T,
    options: &[T],
    name: impl Fn(T) -> String,
) -> Option<T> {
    let l = ui.label(label);
    let mut chosen = current;
    egui::ComboBox::from_id_salt(salt)
        .selected_text(name(current))
        .show_ui(ui, |ui| {
            for o in options {
                ui.selectable_value(&mut chosen, *o, name(*o));
            }
        })
        .response
        .labelled_by(l.id);
    (chosen != current).then_some(chosen)
}
