//! Opening the desktop window: shared by `tsm-desk` (with no command) and the Windows
//! app `tsm-desk-app`.

use anyhow::Context as _;
use std::path::PathBuf;
use tsm_desk::ui::{Prefs, TsmApp};

/// Opens the desktop app on `db` (from `--db`/`TSM_DESK_DB`), else the database chosen
/// in settings, else the platform data folder's; a new database starts from the bundled
/// sample data.
pub fn run(db: Option<PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("tsm-desk")
            .with_app_id("tsm-desk")
            .with_inner_size([1360.0, 860.0])
            .with_min_inner_size([900.0, 600.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "tsm-desk",
        options,
        Box::new(move |cc| {
            let prefs: Prefs = cc
                .storage
                .and_then(|s| eframe::get_value(s, tsm_desk::ui::PREFS_KEY))
                .unwrap_or_default();
            let path = db
                .or_else(|| prefs.database.clone())
                .or_else(tsm_desk::service::default_database)
                .context("cannot find a data folder; pass --db FILE or set TSM_DESK_DB")?;
            let sample = tsm_desk::service::sample_dir();
            Ok(Box::new(TsmApp::start(&cc.egui_ctx, prefs, path, sample)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}
