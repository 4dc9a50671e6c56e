//! The school dashboard for a period: headline tiles against the previous period and
//! the national comparator, and the trend charts.

use super::charts::ChartView;
use super::widgets::{pct, tile};
use super::{Outbox, Screen};
pub use crate::chart::specs::{chart_specs, weekly_spec};
use crate::view::SchoolView;
use egui::RichText;

/// The dashboard's state: one cached chart view per chart.
#[derive(Default)]
pub struct DashboardScreen {
    charts: [ChartView; 6],
}

impl std::fmt::Debug for DashboardScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DashboardScreen").finish_non_exhaustive()
    }
}

impl DashboardScreen {
    /// Draws the dashboard.
    pub fn ui(&mut self, ui: &mut egui::Ui, s: &SchoolView, out: &mut Outbox) {
        ui.horizontal(|ui| {
            ui.heading(s.school.name.as_deref().unwrap_or(&s.school.urn));
            ui.label(
                RichText::new(format!(
                    "URN {}{}",
                    s.school.urn,
                    s.school
                        .phase
                        .as_deref()
                        .map(|p| format!(" · {p}"))
                        .unwrap_or_default()
                ))
                .weak(),
            );
        });
        ui.horizontal(|ui| {
            let mut chosen = s.period;
            egui::ComboBox::from_label("Period")
                .selected_text(s.period.to_string())
                .show_ui(ui, |ui| {
                    for p in s.periods.iter().rev() {
                        ui.selectable_value(&mut chosen, *p, p.to_string());
                    }
                });
            if chosen != s.period {
                out.open_school = Some((s.school.urn.clone(), Some(chosen)));
                out.goto = Some(Screen::Dashboard);
            }
            if ui.button("Pupil list").clicked() {
                out.goto = Some(Screen::Pupils);
            }
            if ui
                .button("Open this term's meeting")
                .on_hover_text("Walk the TSM agenda with this school")
                .clicked()
            {
                out.open_meeting = Some((s.school.urn.clone(), None));
            }
            if ui
                .button("Export cohort tables…")
                .on_hover_text("Absence by year group and by characteristic, as XLSX or CSV")
                .clicked()
            {
                out.export = Some((
                    crate::service::print::Export::Cohorts {
                        urn: s.school.urn.clone(),
                        period: Some(s.period),
                    },
                    format!("Cohorts {} {}.xlsx", s.school.urn, s.period),
                ));
            }
            if !s.has_marks {
                // Weekly snapshots (DfE weekly files) draw the week-by-week line.
                let note = if s.weekly.is_empty() {
                    "Pupil summary only: weekly, reason and day charts need session marks"
                } else {
                    "Weekly totals only: reason and day charts need session marks"
                };
                ui.label(RichText::new(note).weak());
            }
        });
        ui.add_space(6.0);
        headline_tiles(ui, s);
        ui.add_space(6.0);
        self.charts_ui(ui, s, "dashboard_scroll");
    }

    /// Draws the six charts in a scroll area (`salt` keeps scroll positions apart when
    /// another screen shows them too).
    pub fn charts_ui(&mut self, ui: &mut egui::Ui, s: &SchoolView, salt: &str) {
        let specs = chart_specs(s);
        egui::ScrollArea::vertical()
            .id_salt(salt)
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let width = ui.available_width();
                let columns = if width > 900.0 { 2 } else { 1 };
                let chart_height = 240.0;
                ui.columns(columns, |cols| {
                    for (i, (spec, view)) in specs.iter().zip(self.charts.iter_mut()).enumerate() {
                        if let Some(col) = cols.get_mut(i % columns) {
                            view.ui(col, spec, chart_height);
                            col.add_space(8.0);
                        }
                    }
                });
            });
    }
}

/// The headline tiles: overall, authorised and unauthorised absence, PA, SA and at
/// risk, each with the change since the previous period and the national comparator.
pub fn headline_tiles(ui: &mut egui::Ui, s: &SchoolView) {
    let h = &s.headline;
    let prev = h.previous.as_ref();
    let since = s.previous.map(|p| p.to_string()).unwrap_or_default();
    let diff = |now: Option<f64>, then: Option<f64>| Some(now? - then?);
    let national = |c: &Option<crate::service::settings::Comparator>| c.as_ref().map(|c| c.text());
    let tiles = [
        (
            "Overall absence",
            pct(h.now.absence_rate),
            diff(h.now.absence_rate, prev.and_then(|p| p.absence_rate)),
            national(&s.national.absence),
        ),
        (
            "Authorised absence",
            pct(h.now.authorised_rate),
            diff(h.now.authorised_rate, prev.and_then(|p| p.authorised_rate)),
            national(&s.national.authorised),
        ),
        (
            "Unauthorised absence",
            pct(h.now.unauthorised_rate),
            diff(
                h.now.unauthorised_rate,
                prev.and_then(|p| p.unauthorised_rate),
            ),
            national(&s.national.unauthorised),
        ),
        (
            "Persistently absent",
            format!("{} · {}", h.now.persistent, pct(h.now.persistent_rate)),
            diff(h.now.persistent_rate, prev.and_then(|p| p.persistent_rate)),
            national(&s.national.persistent),
        ),
        (
            "Severely absent",
            format!("{} · {}", h.now.severe, pct(h.now.severe_rate)),
            diff(h.now.severe_rate, prev.and_then(|p| p.severe_rate)),
            national(&s.national.severe),
        ),
        (
            "At risk",
            h.now.at_risk.map_or_else(|| "–".into(), |n| n.to_string()),
            None,
            s.backtest.as_ref().map(crate::domain::backtest::summary),
        ),
    ];
    ui.horizontal_wrapped(|ui| {
        for (title, value, change, nat) in &tiles {
            tile(ui, title, value, *change, &since, nat.as_deref());
        }
    });
    ui.label(
        RichText::new(format!(
            "{} pupils with possible sessions · lateness: {} late before close (L), {} after close (U)",
            h.now.pupils, s.lateness.before_close, s.lateness.after_close
        ))
        .small()
        .weak(),
    );
}
