//! `tsm-desk-app`: the desktop app as a Windows GUI program, the one the Start menu
//! shortcut opens. It has no console, so a failure to start is shown in a message box.
//! Its only option is `--db FILE` (or `TSM_DESK_DB`); the command line is `tsm-desk`.
#![windows_subsystem = "windows"]

#[path = "../gui.rs"]
mod gui;

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    tsm_desk::service::quiet_panics();
    let result = database_arg().and_then(gui::run);
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Errors name files and fields, never pupil names.
            let message = format!("{e:#}");
            eprintln!("error: {message}");
            rfd::MessageDialog::new()
                .set_level(rfd::MessageLevel::Error)
                .set_title("tsm-desk could not start")
                .set_description(message)
                .set_buttons(rfd::MessageButtons::Ok)
                .show();
            std::process::ExitCode::FAILURE
        }
    }
}

/// The database named by `--db FILE` (or `--db=FILE`), else by `TSM_DESK_DB`.
fn database_arg() -> anyhow::Result<Option<PathBuf>> {
    let mut args = std::env::args_os().skip(1);
    let mut db = None;
    while let Some(arg) = args.next() {
        if arg == "--db" {
            let file = args
                .next()
                .ok_or_else(|| anyhow::anyhow!("--db needs a file name"))?;
            db = Some(PathBuf::from(file));
        } else if let Some(file) = arg.to_str().and_then(|a| a.strip_prefix("--db=")) {
            db = Some(PathBuf::from(file));
        } else {
            anyhow::bail!(
                "unknown argument {:?}: tsm-desk-app takes only --db FILE \
                 (the command line is tsm-desk)",
                arg.to_string_lossy()
            );
        }
    }
    Ok(db.or_else(|| std::env::var_os("TSM_DESK_DB").map(PathBuf::from)))
}
