//! Settings › Code map: the LA's local attendance codes and the national codes they
//! stand for, for all schools or one. Edited in the settings draft and saved with the
//! other settings. National codes, SIMS sub-codes (`I01`), Capita One stand-ins and
//! SIMS COVID-era codes are read without it.

use crate::domain::{Code, LocalCode};
use egui::RichText;

/// The row being added.
#[derive(Debug, Default)]
pub struct CodeMapSection {
    local: String,
    national: Option<Code>,
    /// The school's URN, or empty for every school.
    school: String,
}

fn code_text(c: Code) -> String {
    format!("{} ({})", c.mark(), c.info().meaning)
}

impl CodeMapSection {
    /// Draws the map and the row to add; edits `map` in place. `schools` are (URN,
    /// name) pairs for the school choice.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        map: &mut Vec<LocalCode>,
        schools: &[(String, String)],
    ) {
        ui.strong("Code map");
        ui.label(
            RichText::new(
                "Local attendance codes your schools' registers use, and the national code each stands for. National codes, SIMS sub-codes (I01 is I), Capita One stand-ins (< is C1) and SIMS COVID-era codes (7 is I) are read without an entry here. Saved with the settings.",
            )
            .small()
            .weak(),
        );
        let school_name = |urn: &Option<String>| match urn {
            None => "All schools".to_owned(),
            Some(u) => schools
                .iter()
                .find(|(s, _)| s == u)
                .map_or_else(|| format!("school {u}"), |(_, n)| format!("{n} ({u})")),
        };
        let mut remove = None;
        if map.is_empty() {
            ui.label(RichText::new("No local codes yet.").weak());
        } else {
            egui::Grid::new("code_map").striped(true).show(ui, |ui| {
                for h in ["Local code", "National code", "For", ""] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for (i, e) in map.iter().enumerate() {
                    ui.monospace(&e.local);
                    ui.label(
                        Code::parse(&e.national).map_or_else(|_| e.national.clone(), code_text),
                    );
                    ui.label(school_name(&e.school));
                    if ui
                        .small_button("Remove")
                        .on_hover_text(format!("Remove {:?} from the code map", e.local))
                        .clicked()
                    {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
        }
        if let Some(i) = remove {
            map.remove(i);
        }
        ui.horizontal(|ui| {
            let label = ui.label("Add: local code");
            ui.add(
                egui::TextEdit::singleline(&mut self.local)
                    .desired_width(60.0)
                    .hint_text("Q9"),
            )
            .labelled_by(label.id);
            let stands = ui.label("stands for");
            egui::ComboBox::from_id_salt("code_map_national")
                .selected_text(
                    self.national
                        .map_or_else(|| "a national code".to_owned(), code_text),
                )
                .width(300.0)
                .show_ui(ui, |ui| {
                    for c in Code::all().filter(|c| *c != Code::NO_MARK) {
                        ui.selectable_value(&mut self.national, Some(c), code_text(c));
                    }
                })
                .response
                .labelled_by(stands.id);
            let school = (!self.school.is_empty()).then(|| self.school.clone());
            egui::ComboBox::from_label("for")
                .selected_text(school_name(&school))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.school, String::new(), "All schools");
                    for (urn, name) in schools {
                        ui.selectable_value(
                            &mut self.school,
                            urn.clone(),
                            format!("{name} ({urn})"),
                        );
                    }
                });
            let entry = self.national.map(|c| LocalCode {
                local: self.local.trim().to_owned(),
                national: c.mark().to_owned(),
                school: (!self.school.is_empty()).then(|| self.school.clone()),
            });
            let problem = match &entry {
                None => Some("choose the national code".to_owned()),
                Some(e) => e.check().err(),
            };
            if ui
                .add_enabled(problem.is_none(), egui::Button::new("Add to the map"))
                .clicked()
                && let Some(e) = entry
            {
                map.retain(|m| !(m.local.trim() == e.local && m.school == e.school));
                map.push(e);
                self.local.clear();
                self.national = None;
            }
            if let Some(p) = problem
                && !self.local.trim().is_empty()
            {
                ui.label(RichText::new(p).small().weak());
            }
        });
    }
}
