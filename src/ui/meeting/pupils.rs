//! Steps 4 to 6: the flagged pupils discussed one by one: barriers, the lead
//! practitioner, CME checks and agreed actions.

use super::*;

impl MeetingScreen {
    pub(super) fn label(&self, v: &MeetingView, pupil: i64) -> String {
        match self.pupil_row(v, pupil) {
            Some(p) => pupil_label(&p.name, &p.upn),
            None => v
                .labels
                .get(&pupil)
                .cloned()
                .unwrap_or_else(|| format!("pupil #{pupil}")),
        }
    }

    pub(super) fn pupil_row<'a>(&self, v: &'a MeetingView, pupil: i64) -> Option<&'a PupilRow> {
        self.index.get(&pupil).and_then(|i| v.school.pupils.get(*i))
    }

    pub(super) fn pupils_step(
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
            // An open CME enquiry follows the pupil into every later meeting.
            for c in m.cme.iter().filter(|c| c.is_open()) {
                if m.discussion(c.pupil_id).is_none() && !l.contains(&c.pupil_id) {
                    l.push(c.pupil_id);
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

    pub(super) fn pupil_list(
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
        let all = self.show_all.contains(&pstep);
        let shown = if all {
            waiting.len()
        } else {
            waiting.len().min(v.top_n)
        };
        ui.strong(format!(
            "{} not yet chosen ({})",
            if pstep == PupilStep::Persistent {
                "Persistently absent"
            } else {
                "At risk"
            },
            waiting.len()
        ));
        if shown < waiting.len() {
            ui.label(
                RichText::new(format!(
                    "The top {shown} by priority; the reason for each pupil's place is under their name."
                ))
                .small()
                .weak(),
            );
        }
        for p in waiting.iter().take(shown) {
            let row = self.pupil_row(v, *p);
            let rate = row.map(|r| pct(r.absence_rate)).unwrap_or_default();
            ui.horizontal(|ui| {
                ui.label(format!("{} · {rate}", self.label(v, *p)));
            });
            if let Some(r) = row.filter(|r| !r.reasons.is_empty()) {
                ui.label(RichText::new(&r.reasons).small().weak());
            }
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
        if shown < waiting.len() {
            if ui.button(format!("Show all {}", waiting.len())).clicked() {
                self.show_all.insert(pstep);
            }
        } else if all
            && waiting.len() > v.top_n
            && ui.button(format!("Show the top {}", v.top_n)).clicked()
        {
            self.show_all.remove(&pstep);
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

    pub(super) fn pupil_form(
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
        self.proposal_ui(ui, v, p, pstep, edits);
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
        // The CME question in the severe step; an enquiry wherever the pupil is.
        if pstep == PupilStep::Severe || m.cme_for(p).is_some() {
            ui.add_space(6.0);
            self.cme_ui(ui, v, p, pstep, edits);
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

    pub(super) fn lead_ui(&mut self, ui: &mut Ui, v: &MeetingView, p: i64, edits: &mut Vec<Edit>) {
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

    pub(super) fn barriers_ui(
        &mut self,
        ui: &mut Ui,
        p: i64,
        barriers: &[Barrier],
        edits: &mut Vec<Edit>,
    ) {
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

    /// Rows of actions, editable; `with_pupil` adds the pupil column (summary).
    pub(super) fn actions_ui(
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
}
