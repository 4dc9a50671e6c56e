//! What the app remembers between runs (eframe's storage): the screen, the school and
//! meeting last open, the theme.

use super::*;

/// The screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Screen {
    /// Every school in the patch.
    #[default]
    Overview,
    /// One school's dashboard.
    Dashboard,
    /// One school's pupils.
    Pupils,
    /// The import wizard.
    Import,
    /// Settings.
    Settings,
    /// A school's meeting: the TSM agenda.
    Meeting,
    /// Every action across schools.
    Actions,
}

impl Screen {
    /// The tab label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Screen::Overview => "Patch overview",
            Screen::Dashboard => "Dashboard",
            Screen::Pupils => "Pupils",
            Screen::Import => "Import",
            Screen::Settings => "Settings",
            Screen::Meeting => "Meeting",
            Screen::Actions => "Actions tracker",
        }
    }
}

/// Light, dark or follow the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    /// Follow the system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// UI preferences kept by eframe between runs (no pupil data).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The last screen.
    pub screen: Screen,
    /// The last school opened (URN).
    pub school: Option<String>,
    /// The theme.
    pub theme: ThemeChoice,
    /// A database chosen in settings, used from the next start.
    pub database: Option<PathBuf>,
    /// The meeting last open (URN and term), reopened at the next start.
    pub meeting: Option<(String, Period)>,
    /// The agenda step last shown.
    pub meeting_step: usize,
}

/// The eframe storage key for [`Prefs`].
pub const PREFS_KEY: &str = "tsm-desk-prefs";
