//! The database file on the command line: its passphrase, backups, restore and
//! encryption.

use super::open_service;
use anyhow::{Context as _, Result, bail};
use clap::Args;
use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use tsm_desk::service::{MIN_PASSPHRASE_LEN, Passphrase, Protection, probe};

/// The environment variable holding the database passphrase for scripts.
pub const PASSPHRASE_ENV: &str = "TSM_DESK_PASSPHRASE";

/// The database the commands work on.
#[derive(Debug, Clone)]
pub struct Db {
    /// The file.
    pub path: PathBuf,
    /// Create a new database without encryption.
    pub unencrypted: bool,
}

impl std::ops::Deref for Db {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

/// The passphrase to open `db` with: none for a plain database (or a new one with
/// `--unencrypted`), else from `$TSM_DESK_PASSPHRASE` or typed at the terminal (twice
/// for a new database).
///
/// # Errors
/// No passphrase to be had (no terminal and no variable), or a new one too short.
pub fn passphrase(db: &Db) -> Result<Option<Passphrase>> {
    match probe(db)? {
        Protection::Plain => Ok(None),
        Protection::New if db.unencrypted => Ok(None),
        Protection::New => new_passphrase(db, "A new database is encrypted").map(Some),
        Protection::Encrypted => {
            if let Some(p) = from_env() {
                return Ok(Some(p));
            }
            if !std::io::stdin().is_terminal() {
                bail!(
                    "{} is encrypted: set {PASSPHRASE_ENV} or run the command at a terminal to type the passphrase",
                    db.display()
                );
            }
            let typed = rpassword::prompt_password(format!("Passphrase for {}: ", db.display()))
                .context("cannot read the passphrase from the terminal")?;
            Ok(Some(Passphrase::new(&typed)))
        }
    }
}

fn from_env() -> Option<Passphrase> {
    std::env::var(PASSPHRASE_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(|p| Passphrase::new(&p))
}

/// A new passphrase from the variable, or typed twice at the terminal.
fn new_passphrase(db: &Db, why: &str) -> Result<Passphrase> {
    let p = match from_env() {
        Some(p) => p,
        None => {
            if !std::io::stdin().is_terminal() {
                bail!(
                    "{why}: set {PASSPHRASE_ENV} or run the command at a terminal to choose a passphrase for {} (or pass --unencrypted, not recommended)",
                    db.display()
                );
            }
            let first = rpassword::prompt_password(format!(
                "Choose a passphrase for {} (at least {} characters): ",
                db.display(),
                MIN_PASSPHRASE_LEN
            ))
            .context("cannot read the passphrase from the terminal")?;
            let again = rpassword::prompt_password("Type it again: ")
                .context("cannot read the passphrase from the terminal")?;
            if first != again {
                bail!("the two passphrases differ; nothing was changed");
            }
            Passphrase::new(&first)
        }
    };
    if let Err(m) = p.check_new() {
        bail!("{m}");
    }
    Ok(p)
}

/// `tsm-desk backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Write the backup to this file instead of the backups folder.
    #[arg(long)]
    out: Option<PathBuf>,
    /// List the backups instead of making one.
    #[arg(long)]
    list: bool,
}

/// `tsm-desk restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file.
    file: PathBuf,
}

/// Makes or lists backups.
///
/// # Errors
/// The database cannot be opened; the backup cannot be written.
pub fn backup(db: &Db, args: &BackupArgs, out: &mut dyn Write) -> Result<()> {
    if probe(db)? == Protection::New {
        bail!("{} does not exist: nothing to back up", db.display());
    }
    let service = open_service(db)?;
    let view = service.safety()?;
    if args.list {
        if view.backups.is_empty() {
            writeln!(out, "No backups yet in {}", view.backup_dir)?;
        }
        for b in view.backups {
            writeln!(
                out,
                "{}  {:<24} {:>10} bytes  {}",
                b.made.format("%Y-%m-%d %H:%M:%S"),
                b.reason,
                b.bytes,
                b.path.display()
            )?;
        }
        return Ok(());
    }
    let path = match &args.out {
        Some(file) => {
            service.backup_to(file)?;
            file.clone()
        }
        None => service.backup_now()?.path,
    };
    writeln!(
        out,
        "Backed up {} to {}{}",
        db.display(),
        path.display(),
        if view.encrypted {
            " (encrypted with the database's passphrase)"
        } else {
            ""
        }
    )?;
    Ok(())
}

/// Restores a backup.
///
/// # Errors
/// The backup cannot be read with this database's passphrase, is damaged or newer.
pub fn restore(db: &Db, args: &RestoreArgs, out: &mut dyn Write) -> Result<()> {
    if probe(db)? == Protection::New {
        bail!(
            "{} does not exist: copy the backup there instead (it opens with its own passphrase)",
            db.display()
        );
    }
    let mut service = open_service(db)?;
    let before = service.restore(&args.file)?;
    writeln!(
        out,
        "Restored {} from {}; what was there before is in {}",
        db.display(),
        args.file.display(),
        before.path.display()
    )?;
    Ok(())
}

/// Encrypts a plain database.
///
/// # Errors
/// Not a plain database; the passphrase is too short; the conversion failed (the
/// database is then unchanged).
pub fn encrypt(db: &Db, out: &mut dyn Write) -> Result<()> {
    match probe(db)? {
        Protection::Plain => {}
        Protection::New => bail!("{} does not exist: nothing to encrypt", db.display()),
        Protection::Encrypted => bail!("{} is already encrypted", db.display()),
    }
    let passphrase = new_passphrase(db, "Encrypting the database")?;
    let backups = open_service(db)?.encrypt(&passphrase)?;
    writeln!(
        out,
        "Encrypted {} and {backups} backup{}; keep the passphrase safe: without it the data cannot be recovered",
        db.display(),
        if backups == 1 { "" } else { "s" }
    )?;
    Ok(())
}
