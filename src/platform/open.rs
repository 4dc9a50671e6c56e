//! Opening a saved file in the system's viewer (the `opener` crate: `ShellExecuteW` on
//! Windows, so names with spaces or `&` work; `open` on macOS; `xdg-open` elsewhere).

use std::path::Path;

/// Opens `path` in the platform's viewer on a short-lived named thread, so the caller
/// never waits for the viewer to start.
pub fn open_in_viewer(path: &Path) {
    let path = path.to_path_buf();
    let _ = std::thread::Builder::new()
        .name("tsm-open-viewer".into())
        .spawn(move || {
            // Nothing to do about a viewer that cannot start: the file is saved and the
            // status line has said where.
            let _ = opener::open(&path);
        });
}
