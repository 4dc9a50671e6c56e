//! Step 1: who attends, the meeting's date, time and format.

use super::*;

impl MeetingScreen {
    pub(super) fn attendees(&mut self, ui: &mut Ui, v: &MeetingView, edits: &mut Vec<Edit>) {
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
}
