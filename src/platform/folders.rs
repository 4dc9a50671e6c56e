//! The platform's folders, from the `directories` crate: the Known Folder API on
//! Windows (so a Documents folder redirected to OneDrive is found where it really is),
//! the XDG base and user directories on Linux, the standard folders on macOS.

use std::path::{Path, PathBuf};

/// The name of the program's folder inside the platform data folder.
const APP_FOLDER: &str = "tsm-desk";

/// The program's data folder: `%APPDATA%\tsm-desk` on Windows (the roaming
/// application data, private to the user), `$XDG_DATA_HOME/tsm-desk` (by default
/// `~/.local/share/tsm-desk`) on Linux, `~/Library/Application Support/tsm-desk` on
/// macOS. `None` when the platform reports no home folder.
#[must_use]
pub fn data_dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.data_dir().join(APP_FOLDER))
}

/// The folder to offer for saving documents: the user's Documents folder (wherever
/// Windows has redirected it; on Linux `XDG_DOCUMENTS_DIR`, else `~/Documents` when
/// there is no `user-dirs.dirs`), else the home folder, else the working folder.
#[must_use]
pub fn documents_dir() -> PathBuf {
    let Some(dirs) = directories::UserDirs::new() else {
        return PathBuf::from(".");
    };
    let home = dirs.home_dir();
    [dirs.document_dir(), Some(home.join("Documents").as_path())]
        .into_iter()
        .flatten()
        .find(|d| d.is_dir())
        .unwrap_or(home)
        .to_path_buf()
}

/// The folder holding the running program (where an installer puts the bundled
/// sample data beside it).
#[must_use]
pub fn program_dir() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_folder_is_the_platforms_own() {
        let dir = data_dir().expect("a data folder");
        assert!(dir.is_absolute(), "{}", dir.display());
        assert_eq!(dir.file_name().and_then(|n| n.to_str()), Some("tsm-desk"));
        let parent = dir.parent().expect("a parent");
        if cfg!(windows) {
            // The Known Folder for roaming application data: `...\AppData\Roaming`.
            assert!(parent.ends_with("AppData\\Roaming"), "{}", parent.display());
        } else if cfg!(target_os = "macos") {
            assert!(parent.ends_with("Library/Application Support"));
        } else {
            // XDG: $XDG_DATA_HOME when it is an absolute path, else ~/.local/share.
            let expected = std::env::var_os("XDG_DATA_HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share"))
                });
            if let Some(expected) = expected {
                assert_eq!(parent, expected);
            }
        }
    }

    #[test]
    fn documents_is_a_folder_that_exists() {
        let dir = documents_dir();
        assert!(dir.is_dir(), "{}", dir.display());
        if cfg!(windows) {
            // Under the user's profile (`C:\Users\name\Documents`, or the OneDrive
            // folder it is redirected to, which is also in the profile).
            let profile = std::env::var_os("USERPROFILE").map(PathBuf::from);
            if let Some(profile) = profile {
                assert!(
                    dir.starts_with(&profile),
                    "{} not in {}",
                    dir.display(),
                    profile.display()
                );
            }
        }
    }

    #[test]
    fn the_program_folder_holds_the_running_program() {
        let dir = program_dir().expect("the program's folder");
        let exe = std::env::current_exe().expect("the program");
        assert_eq!(exe.parent(), Some(dir.as_path()));
        if cfg!(windows) {
            assert_eq!(exe.extension().and_then(|e| e.to_str()), Some("exe"));
        }
    }
}
