//! The `tsm-desk` binary: with no command, the desktop app; with a command, the
//! command line over the same database.

mod cli;
mod gui;

use clap::Parser as _;
use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    tsm_desk::service::quiet_panics();
    let args = cli::Cli::parse();
    if args.wants_gui() {
        return match gui::run(args.db().map(PathBuf::from)) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli::run(args, &mut out) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Errors name files, lines and fields, never pupil names.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
