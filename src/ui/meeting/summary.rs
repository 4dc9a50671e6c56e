//! Steps 8 and 9: the summary, the next meeting and concluding the meeting.

use super::*;

impl MeetingScreen {
    pub(super) fn summary(
        &mut self,
        ui: &mut Ui,
        v: &MeetingView,
        edits: &mut Vec<Edit>,
        out: &mut Outbox,
    ) {
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
}
