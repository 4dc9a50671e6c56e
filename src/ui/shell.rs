//! The window around the screens: the top bar, the status bar, keyboard shortcuts,
//! the demo banner and the theme; drawing a frame.

use super::app::opener_for;
use super::*;

impl TsmApp {
    pub(super) fn keyboard(&mut self, ctx: &egui::Context) {
        let (import, escape) = ctx.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::I),
                i.key_pressed(egui::Key::Escape),
            )
        });
        if import {
            self.prefs.screen = Screen::Import;
        }
        if escape {
            self.print.close();
            self.overview.close_dialog();
            self.pupils.detail = None;
            self.pupils.selected = None;
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            self.prefs.screen = Screen::Import;
            let mut out = Outbox::at(self.now());
            self.import.add_files(dropped, &mut out);
            self.apply(out);
        }
    }

    pub(super) fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading("tsm-desk");
            ui.separator();
            for screen in [
                Screen::Overview,
                Screen::Dashboard,
                Screen::Pupils,
                Screen::Meeting,
                Screen::Actions,
                Screen::Import,
                Screen::Settings,
            ] {
                let needs_school = matches!(screen, Screen::Dashboard | Screen::Pupils);
                // Nothing to show until the database is open (or unlocked).
                let enabled = self.ready
                    && match screen {
                        Screen::Meeting => {
                            self.meeting.view().is_some() || self.prefs.meeting.is_some()
                        }
                        _ => !needs_school || self.school.is_some() || self.prefs.school.is_some(),
                    };
                let label = match (screen, &self.school) {
                    (Screen::Import, _) => "Import… (Ctrl+I)".to_owned(),
                    _ => screen.label().to_owned(),
                };
                let r = ui.add_enabled(
                    enabled,
                    egui::Button::selectable(self.prefs.screen == screen, label),
                );
                if r.clicked() {
                    self.go(screen);
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let mut theme = self.prefs.theme;
                egui::ComboBox::from_label("Theme")
                    .selected_text(match theme {
                        ThemeChoice::System => "System",
                        ThemeChoice::Light => "Light",
                        ThemeChoice::Dark => "Dark",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut theme, ThemeChoice::System, "System");
                        ui.selectable_value(&mut theme, ThemeChoice::Light, "Light");
                        ui.selectable_value(&mut theme, ThemeChoice::Dark, "Dark");
                    });
                if theme != self.prefs.theme {
                    self.prefs.theme = theme;
                    apply_theme(ui.ctx(), theme);
                }
                if let Some(s) = &self.school {
                    ui.label(
                        egui::RichText::new(format!(
                            "{} · {}",
                            s.school.name.as_deref().unwrap_or(&s.school.urn),
                            s.period
                        ))
                        .weak(),
                    );
                }
            });
        });
    }

    pub(super) fn status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if let Some(p) = &self.progress {
                ui.spinner();
                ui.add(
                    egui::ProgressBar::new(p.fraction)
                        .desired_width(160.0)
                        .show_percentage(),
                );
                ui.label(&p.label);
            } else if self.worker.as_ref().is_some_and(Worker::busy) {
                ui.spinner();
                ui.label("Working…");
            } else if let Some(s) = &self.status {
                ui.label(s);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(egui::RichText::new(&self.database_label).small().weak());
                if self.demo {
                    widgets::tag(ui, "DEMO DATA", widgets::palette::DEMO)
                        .on_hover_text("Synthetic pupils from sample_data/; import your own exports to use real data");
                }
            });
        });
    }

    /// Draws the whole window (the body of [`eframe::App::ui`]).
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        self.handle_replies();
        self.keyboard(ui.ctx());
        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar(ui));
        egui::CentralPanel::default().show(ui, |ui| {
            if self.worker.is_none()
                && self.failed.is_none()
                && let Some(gate) = self.unlock.as_mut()
            {
                if let Some(key) = gate.screen.ui(ui) {
                    let opener = opener_for(
                        gate.path.clone(),
                        key,
                        gate.sample.clone(),
                        self.clock.clone(),
                    );
                    self.spawn(opener);
                }
                return;
            }
            if let Some(e) = &self.failed {
                ui.heading("The database could not be opened");
                ui.label(e);
                ui.label(format!("Database: {}", self.database_label));
                return;
            }
            if !self.ready {
                ui.vertical_centered(|ui| {
                    ui.add_space(80.0);
                    ui.spinner();
                    ui.label(
                        self.progress
                            .as_ref()
                            .map_or("Opening the database…", |p| p.label.as_str()),
                    );
                });
                return;
            }
            if self.demo && self.prefs.screen == Screen::Overview {
                demo_banner(ui);
            }
            let mut out = Outbox::at(self.now());
            match self.prefs.screen {
                Screen::Overview => self.overview.ui(ui, self.today(), &mut out),
                Screen::Dashboard => match (&self.school, &self.school_error) {
                    (Some(s), _) => self.dashboard.ui(ui, s, &mut out),
                    (None, Some(e)) => {
                        ui.label(e);
                    }
                    (None, None) => {
                        ui.spinner();
                    }
                },
                Screen::Pupils => match (&self.school, &self.school_error) {
                    (Some(s), _) => self.pupils.ui(ui, s, &mut out),
                    (None, Some(e)) => {
                        ui.label(e);
                    }
                    (None, None) => {
                        ui.spinner();
                    }
                },
                Screen::Import => {
                    let schools = self.overview.schools();
                    self.import.ui(
                        ui,
                        &schools,
                        (&self.mappings, &self.settings),
                        self.progress.as_ref(),
                        &mut out,
                    );
                }
                Screen::Meeting => {
                    self.meeting.ui(ui, self.today(), &mut out);
                    self.prefs.meeting_step = self.meeting.step_index();
                }
                Screen::Actions => {
                    if self.actions.rows.is_none()
                        && !self.worker.as_ref().is_some_and(Worker::busy)
                    {
                        let today = self.today();
                        out.requests.push(Request::Tracker { today });
                    }
                    self.actions.ui(ui, self.today(), &mut out);
                }
                Screen::Settings => {
                    if self.settings_screen.counts.is_none()
                        && !self.worker.as_ref().is_some_and(Worker::busy)
                    {
                        out.requests.push(Request::Counts);
                    }
                    if self.settings_screen.retention.wants_activity()
                        && !self.worker.as_ref().is_some_and(Worker::busy)
                    {
                        out.requests.push(Request::Activity {
                            limit: retention::ACTIVITY_ROWS,
                        });
                    }
                    let schools: Vec<(String, String)> = self
                        .overview
                        .schools()
                        .into_iter()
                        .map(|(urn, name, _)| (urn, name))
                        .collect();
                    let today = self.today();
                    self.settings_screen.ui(
                        ui,
                        &self.database_label,
                        &mut self.prefs,
                        (&schools, today),
                        &mut out,
                    );
                }
            }
            self.apply(out);
        });
        self.poll_export();
        let mut out = Outbox::at(self.now());
        let now = self.now();
        self.print.ui(ui.ctx(), now, &mut out);
        self.apply(out);
    }

    /// Sends an export to the worker once the user has chosen where.
    pub(super) fn poll_export(&mut self) {
        let Some((_, rx)) = &self.export else { return };
        match rx.try_recv() {
            Ok(Some(path)) => {
                if let Some((what, _)) = self.export.take() {
                    self.send(Request::Export { what, path });
                }
            }
            Ok(None) | Err(std::sync::mpsc::TryRecvError::Disconnected) => self.export = None,
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
    }
}

fn demo_banner(ui: &mut egui::Ui) {
    egui::Frame::new()
        .fill(widgets::palette::DEMO)
        .inner_margin(egui::Margin::symmetric(10, 6))
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.label(
                egui::RichText::new(
                    "Demo data: these schools and pupils are synthetic, loaded from the bundled sample_data/ folder. Import your school exports (Ctrl+I) to work with real data.",
                )
                .color(egui::Color32::WHITE),
            );
        });
    ui.add_space(6.0);
}

pub(super) fn apply_theme(ctx: &egui::Context, theme: ThemeChoice) {
    ctx.set_theme(match theme {
        ThemeChoice::System => egui::ThemePreference::System,
        ThemeChoice::Light => egui::ThemePreference::Light,
        ThemeChoice::Dark => egui::ThemePreference::Dark,
    });
}

impl eframe::App for TsmApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.prefs);
    }
}
