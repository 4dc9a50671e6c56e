//! The `tsm-desk` binary: the command line over the tsm-desk library.

mod cli;

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
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
