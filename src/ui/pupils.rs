//! The pupil list: the short list first (severely absent, persistently absent, at
//! risk), filters by category, year, characteristic and text, sortable columns and
//! virtualised rows; a selected pupil's detail beside it.

use super::Outbox;
use super::charts::ChartView;
use super::widgets::{category_style, change_text, pct, sort_header, tag};
use crate::domain::{Category, FlagCategory, YearGroup};
use crate::service::worker::Request;
use crate::view::{Badge, CalendarDay, PupilDetail, PupilRow, SchoolView};
use egui::RichText;
use egui_extras::{Column, TableBuilder};
use std::cmp::Ordering;

/// Which pupils to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CategoryFilter {
    /// Severe, persistent and at risk.
    #[default]
    ShortList,
    /// Severely absent only.
    Severe,
    /// Persistently absent (not severe).
    Persistent,
    /// At risk only.
    AtRisk,
    /// Everyone.
    All,
}

impl CategoryFilter {
    const ALL: [CategoryFilter; 5] = [
        CategoryFilter::ShortList,
        CategoryFilter::Severe,
        CategoryFilter::Persistent,
        CategoryFilter::AtRisk,
        CategoryFilter::All,
    ];

    fn label(self) -> &'static str {
        match self {
            CategoryFilter::ShortList => "Short list",
            CategoryFilter::Severe => "Severely absent",
            CategoryFilter::Persistent => "Persistently absent",
            CategoryFilter::AtRisk => "At risk",
            CategoryFilter::All => "All pupils",
        }
    }

    fn accepts(self, c: FlagCategory) -> bool {
        match self {
            CategoryFilter::ShortList => c != FlagCategory::None,
            CategoryFilter::Severe => c == FlagCategory::Severe,
            CategoryFilter::Persistent => c == FlagCategory::Persistent,
            CategoryFilter::AtRisk => c == FlagCategory::AtRisk,
            CategoryFilter::All => true,
        }
    }
}

/// Columns the list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Category, then absence (the default short-list order).
    Category,
    /// UPN.
    Upn,
    /// Name.
    Name,
    /// Year group.
    Year,
    /// Registration group.
    Reg,
    /// Possible sessions.
    Possible,
    /// Absence rate.
    Absence,
    /// Authorised sessions.
    Authorised,
    /// Unauthorised sessions.
    Unauthorised,
    /// Change since the previous period.
    Change,
}

/// The pupil list's state.
#[derive(Default)]
pub struct PupilsScreen {
    category: CategoryFilter,
    year: Option<YearGroup>,
    badge: Option<Badge>,
    text: String,
    sort: Option<(SortBy, bool)>,
    /// The selected pupil.
    pub selected: Option<i64>,
    /// The selected pupil's detail, once loaded.
    pub detail: Option<PupilDetail>,
    chart: ChartView,
    cache: Option<(CacheKey, Vec<usize>)>,
}

type CacheKey = (
    String,
    crate::domain::Period,
    CategoryFilter,
    Option<YearGroup>,
    Option<Badge>,
    String,
    Option<(SortBy, bool)>,
);

impl std::fmt::Debug for PupilsScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PupilsScreen")
            .field("category", &self.category)
            .field("year", &self.year)
            .finish_non_exhaustive()
    }
}

fn compare(a: &PupilRow, b: &PupilRow, by: SortBy) -> Ordering {
    let f = |v: Option<f64>| v.unwrap_or(f64::NEG_INFINITY);
    match by {
        SortBy::Category => a
            .category
            .cmp(&b.category)
            .then(f(b.absence_rate).total_cmp(&f(a.absence_rate))),
        SortBy::Upn => a.upn.cmp(&b.upn),
        SortBy::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        SortBy::Year => a.year.cmp(&b.year),
        SortBy::Reg => a.reg_group.cmp(&b.reg_group),
        SortBy::Possible => a.possible.cmp(&b.possible),
        SortBy::Absence => f(a.absence_rate).total_cmp(&f(b.absence_rate)),
        SortBy::Authorised => a.authorised.cmp(&b.authorised),
        SortBy::Unauthorised => a.unauthorised.cmp(&b.unauthorised),
        SortBy::Change => f(a.change).total_cmp(&f(b.change)),
    }
}

impl PupilsScreen {
    /// A new school view arrived: keep the filters, drop a selection that is gone.
    pub fn school_changed(&mut self, view: &SchoolView) {
        self.cache = None;
        if let Some(id) = self.selected
            && !view.pupils.iter().any(|p| p.pupil_id == id)
        {
            self.selected = None;
            self.detail = None;
        }
        if self
            .detail
            .as_ref()
            .is_some_and(|d| d.period != view.period)
        {
            self.detail = None;
            self.selected = None;
        }
    }

    /// Indexes into `view.pupils` of the rows shown, in order.
    #[must_use]
    pub fn visible(&self, view: &SchoolView) -> Vec<usize> {
        let needle = self.text.trim().to_lowercase();
        let mut rows: Vec<usize> = view
            .pupils
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                self.category.accepts(p.category)
                    && self.year.is_none_or(|y| p.year == Some(y))
                    && self.badge.is_none_or(|b| p.badges.contains(&b))
                    && (needle.is_empty()
                        || p.upn.to_lowercase().contains(&needle)
                        || p.name.to_lowercase().contains(&needle)
                        || p.reg_group
                            .as_deref()
                            .is_some_and(|r| r.to_lowercase() == needle))
            })
            .map(|(i, _)| i)
            .collect();
        if let Some((by, descending)) = self.sort {
            rows.sort_by(|a, b| {
                let (Some(pa), Some(pb)) = (view.pupils.get(*a), view.pupils.get(*b)) else {
                    return Ordering::Equal;
                };
                let o = compare(pa, pb, by).then(pa.upn.cmp(&pb.upn));
                if descending { o.reverse() } else { o }
            });
        }
        rows
    }

    fn visible_cached(&mut self, view: &SchoolView) -> Vec<usize> {
        let key: CacheKey = (
            view.school.urn.clone(),
            view.period,
            self.category,
            self.year,
            self.badge,
            self.text.clone(),
            self.sort,
        );
        match &self.cache {
            Some((k, rows)) if *k == key => rows.clone(),
            _ => {
                let rows = self.visible(view);
                self.cache = Some((key, rows.clone()));
                rows
            }
        }
    }

    fn filters(&mut self, ui: &mut egui::Ui, view: &SchoolView) {
        ui.horizontal_wrapped(|ui| {
            for c in CategoryFilter::ALL {
                let n = view.pupils.iter().filter(|p| c.accepts(p.category)).count();
                ui.selectable_value(&mut self.category, c, format!("{} ({n})", c.label()));
            }
        });
        ui.horizontal(|ui| {
            let mut years: Vec<YearGroup> = view.pupils.iter().filter_map(|p| p.year).collect();
            years.sort();
            years.dedup();
            egui::ComboBox::from_label("Year group")
                .selected_text(self.year.map_or_else(|| "All years".to_owned(), year_long))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.year, None, "All years");
                    for y in years {
                        ui.selectable_value(&mut self.year, Some(y), year_long(y));
                    }
                });
            egui::ComboBox::from_label("Characteristic")
                .selected_text(self.badge.map_or("Any", Badge::long))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.badge, None, "Any");
                    for b in Badge::ALL {
                        ui.selectable_value(&mut self.badge, Some(b), b.long());
                    }
                });
            ui.add(
                egui::TextEdit::singleline(&mut self.text)
                    .hint_text("Search UPN, name or reg group")
                    .desired_width(220.0),
            )
            .on_hover_text("Filter by text");
            if ui.button("Clear filters").clicked() {
                *self = PupilsScreen {
                    selected: self.selected,
                    detail: self.detail.take(),
                    chart: std::mem::take(&mut self.chart),
                    ..PupilsScreen::default()
                };
            }
        });
    }

    fn head(&mut self, ui: &mut egui::Ui, label: &str, by: SortBy) {
        let state = match self.sort {
            Some((b, d)) if b == by => Some(d),
            _ => None,
        };
        if sort_header(ui, label, state).clicked() {
            self.sort = match self.sort {
                Some((b, d)) if b == by => Some((by, !d)),
                _ => Some((
                    by,
                    matches!(
                        by,
                        SortBy::Absence
                            | SortBy::Change
                            | SortBy::Authorised
                            | SortBy::Unauthorised
                    ),
                )),
            };
        }
    }

    /// Draws the list (and the detail panel when a pupil is selected).
    pub fn ui(&mut self, ui: &mut egui::Ui, view: &SchoolView, out: &mut Outbox) {
        if self.selected.is_some() {
            egui::Panel::right("pupil_detail")
                .resizable(true)
                .default_size(420.0)
                .show(ui, |ui| self.detail_ui(ui, view));
        }
        ui.horizontal(|ui| {
            ui.heading("Pupils");
            ui.label(
                RichText::new(format!(
                    "{} · {}",
                    view.school.name.as_deref().unwrap_or(&view.school.urn),
                    view.period
                ))
                .weak(),
            );
            if ui
                .button("Pupil list for the school…")
                .on_hover_text(
                    "Severely, persistently absent and at-risk pupils with columns for the school to fill in: preview, then PDF or XLSX",
                )
                .clicked()
            {
                out.print = Some(crate::service::print::Printable::PupilList {
                    urn: view.school.urn.clone(),
                    period: Some(view.period),
                });
            }
        });
        self.filters(ui, view);
        let rows = self.visible_cached(view);
        ui.label(
            RichText::new(format!("{} pupils shown", rows.len()))
                .small()
                .weak(),
        );
        let mut clicked = None;
        // Rows take the click, not the text in them.
        ui.style_mut().interaction.selectable_labels = false;
        // With the detail panel open the reasons are in the panel, so the column goes
        // and nothing is drawn under the panel.
        let why = self.selected.is_none();
        ui.set_clip_rect(ui.available_rect_before_wrap());
        let mut table = TableBuilder::new(ui)
            .id_salt("pupil_table")
            .striped(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(80.0))
            .column(Column::initial(120.0))
            .column(Column::initial(140.0).clip(true))
            .column(Column::initial(44.0))
            .column(Column::initial(50.0))
            .column(Column::initial(110.0).clip(true))
            .column(Column::initial(64.0))
            .column(Column::initial(68.0))
            .column(Column::initial(50.0))
            .column(Column::initial(56.0))
            .column(Column::initial(84.0));
        if why {
            table = table.column(Column::remainder().at_least(160.0).clip(true));
        }
        table
            .header(24.0, |mut h| {
                h.col(|ui| self.head(ui, "Flag", SortBy::Category));
                h.col(|ui| self.head(ui, "UPN", SortBy::Upn));
                h.col(|ui| self.head(ui, "Name", SortBy::Name));
                h.col(|ui| self.head(ui, "Year", SortBy::Year));
                h.col(|ui| self.head(ui, "Reg", SortBy::Reg));
                h.col(|ui| {
                    ui.strong("Needs");
                });
                h.col(|ui| self.head(ui, "Possible", SortBy::Possible));
                h.col(|ui| self.head(ui, "Absence", SortBy::Absence));
                h.col(|ui| self.head(ui, "Auth", SortBy::Authorised));
                h.col(|ui| self.head(ui, "Unauth", SortBy::Unauthorised));
                h.col(|ui| self.head(ui, "Change", SortBy::Change));
                if why {
                    h.col(|ui| {
                        ui.strong("Why");
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, rows.len(), |mut row| {
                    let Some(p) = rows.get(row.index()).and_then(|i| view.pupils.get(*i)) else {
                        return;
                    };
                    row.set_selected(self.selected == Some(p.pupil_id));
                    row.col(|ui| {
                        let (colour, text) = category_style(p.category);
                        if p.category == FlagCategory::None {
                            ui.label(text);
                        } else {
                            tag(ui, text, colour);
                        }
                    });
                    row.col(|ui| {
                        ui.label(&p.upn);
                    });
                    row.col(|ui| {
                        if p.tags.is_empty() {
                            ui.label(&p.name);
                        } else {
                            ui.horizontal(|ui| {
                                ui.label(&p.name);
                                let tags: Vec<String> =
                                    p.tags.iter().map(crate::domain::PupilTag::text).collect();
                                ui.label(RichText::new(tags.join(" · ")).small().italics());
                            });
                        }
                    });
                    row.col(|ui| {
                        ui.label(p.year.map_or_else(String::new, |y| y.to_string()));
                    });
                    row.col(|ui| {
                        ui.label(p.reg_group.as_deref().unwrap_or(""));
                    });
                    row.col(|ui| {
                        let text: Vec<&str> = p.badges.iter().map(|b| b.short()).collect();
                        ui.label(RichText::new(text.join(" ")).small());
                    });
                    row.col(|ui| {
                        ui.label(p.possible.to_string());
                    });
                    row.col(|ui| {
                        ui.label(pct(p.absence_rate));
                    });
                    row.col(|ui| {
                        ui.label(p.authorised.to_string());
                    });
                    row.col(|ui| {
                        ui.label(p.unauthorised.to_string());
                    });
                    row.col(|ui| {
                        ui.label(change_text(p.change));
                    });
                    if why {
                        row.col(|ui| {
                            ui.label(RichText::new(&p.reasons).small());
                        });
                    }
                    if row.response().clicked() {
                        clicked = Some(p.pupil_id);
                    }
                });
            });
        if let Some(id) = clicked {
            self.select(id, view, out);
        }
    }

    /// Selects a pupil and asks for their detail.
    pub fn select(&mut self, pupil_id: i64, view: &SchoolView, out: &mut Outbox) {
        self.selected = Some(pupil_id);
        if self.detail.as_ref().is_none_or(|d| d.pupil_id != pupil_id) {
            self.detail = None;
            out.requests.push(Request::Pupil {
                urn: view.school.urn.clone(),
                period: view.period,
                pupil_id,
            });
        }
    }

    fn detail_ui(&mut self, ui: &mut egui::Ui, view: &SchoolView) {
        let Some(row) = self
            .selected
            .and_then(|id| view.pupils.iter().find(|p| p.pupil_id == id))
        else {
            return;
        };
        ui.horizontal(|ui| {
            ui.heading(if row.name.is_empty() {
                &row.upn
            } else {
                &row.name
            });
            if ui.button("Close").on_hover_text("Esc").clicked() {
                self.selected = None;
                self.detail = None;
            }
        });
        let (colour, text) = category_style(row.category);
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} · {} · {}",
                row.upn,
                row.year.map_or_else(String::new, |y| y.to_string()),
                row.reg_group.as_deref().unwrap_or("")
            ));
            if row.category != FlagCategory::None {
                tag(ui, text, colour);
            }
        });
        ui.label(format!(
            "Absence {} of {} possible sessions ({} authorised, {} unauthorised)",
            pct(row.absence_rate),
            row.possible,
            row.authorised,
            row.unauthorised
        ));
        if row.unmarked > 0 {
            ui.label(
                RichText::new(format!(
                    "{} session{} not yet marked (left out of possible sessions)",
                    row.unmarked,
                    if row.unmarked == 1 { "" } else { "s" }
                ))
                .color(ui.visuals().warn_fg_color),
            );
        }
        if !row.badges.is_empty() {
            let names: Vec<&str> = row.badges.iter().map(|b| b.long()).collect();
            ui.label(RichText::new(names.join(" · ")).small());
        }
        if !row.tags.is_empty() {
            let tags: Vec<String> = row.tags.iter().map(crate::domain::PupilTag::text).collect();
            ui.label(RichText::new(tags.join(" · ")).small().italics());
        }
        let Some(d) = self.detail.as_ref().filter(|d| d.pupil_id == row.pupil_id) else {
            ui.spinner();
            return;
        };
        egui::ScrollArea::vertical()
            .id_salt("pupil_detail_scroll")
            .show(ui, |ui| {
                for e in &d.explanations {
                    ui.label(format!("• {e}"));
                }
                ui.add_space(6.0);
                let spec = super::dashboard::weekly_spec(&d.weekly, None);
                self.chart.ui(ui, &spec, 180.0);
                if !d.reasons.is_empty() {
                    ui.strong("Reasons");
                    egui::Grid::new("pupil_reasons")
                        .striped(true)
                        .show(ui, |ui| {
                            for r in &d.reasons {
                                ui.label(r.reason.label());
                                ui.label(format!("{} sessions", r.sessions));
                                ui.label(pct(r.share_of_absence));
                                ui.end_row();
                            }
                        });
                }
                ui.add_space(6.0);
                ui.strong("History");
                egui::Grid::new("pupil_history")
                    .striped(true)
                    .show(ui, |ui| {
                        for h in &d.history {
                            ui.label(h.period.to_string());
                            ui.label(format!("{} / {} sessions", h.absence, h.possible));
                            ui.label(pct(h.absence_rate));
                            ui.end_row();
                        }
                    });
                if !d.calendar.is_empty() {
                    ui.add_space(6.0);
                    ui.strong("Marks");
                    calendar_ui(ui, &d.calendar);
                    if row.unmarked > 0 {
                        ui.label(
                            RichText::new("- : not yet marked, so not a possible session")
                                .small()
                                .color(ui.visuals().warn_fg_color),
                        );
                    }
                }
            });
    }
}

fn year_long(y: YearGroup) -> String {
    let s = y.to_string();
    match s.strip_prefix('Y') {
        Some(n) => format!("Year {n}"),
        None => s,
    }
}

fn mark_colour(ui: &egui::Ui, c: Category) -> egui::Color32 {
    use super::widgets::palette;
    match c {
        Category::Authorised => palette::PERSISTENT,
        Category::Unauthorised => palette::SEVERE,
        Category::NoMark => ui.visuals().warn_fg_color,
        Category::NotPossible => ui.visuals().weak_text_color(),
        Category::Present | Category::ApprovedActivity => ui.visuals().text_color(),
    }
}

/// Marks week by week, Monday to Friday, AM and PM.
fn calendar_ui(ui: &mut egui::Ui, days: &[CalendarDay]) {
    use chrono::Datelike as _;
    egui::Grid::new("pupil_calendar")
        .striped(true)
        .show(ui, |ui| {
            ui.label("w/c");
            for d in ["Mon", "Tue", "Wed", "Thu", "Fri"] {
                ui.label(RichText::new(d).small().strong());
            }
            ui.end_row();
            let mut i = 0;
            while let Some(first) = days.get(i) {
                let monday = first.date
                    - chrono::Duration::days(i64::from(
                        first.date.weekday().num_days_from_monday(),
                    ));
                ui.label(RichText::new(monday.format("%d/%m").to_string()).small());
                for wd in 0..5 {
                    let date = monday + chrono::Duration::days(wd);
                    match days.get(i).filter(|d| d.date == date) {
                        Some(day) => {
                            ui.horizontal(|ui| {
                                ui.spacing_mut().item_spacing.x = 2.0;
                                for m in [&day.am, &day.pm] {
                                    match m {
                                        Some(m) => ui.label(
                                            RichText::new(&m.mark)
                                                .monospace()
                                                .color(mark_colour(ui, m.category)),
                                        ),
                                        None => ui.label(RichText::new("·").monospace().weak()),
                                    };
                                }
                            });
                            i += 1;
                        }
                        None => {
                            ui.label("");
                        }
                    }
                }
                // Skip weekend days, which the grid does not show.
                while days
                    .get(i)
                    .is_some_and(|d| d.date < monday + chrono::Duration::days(7))
                {
                    i += 1;
                }
                ui.end_row();
            }
        });
}
