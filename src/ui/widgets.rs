//! Small shared pieces of the screens: number formats, change arrows, badges, tiles.

use crate::domain::FlagCategory;
use egui::{Color32, RichText, Ui};

/// Colours with meaning, in one place (light and dark variants).
pub mod palette {
    use egui::Color32;

    /// Worse (absence up): red.
    pub const WORSE: Color32 = Color32::from_rgb(0xc0, 0x39, 0x2b);
    /// Worse, on a dark background.
    pub const WORSE_DARK: Color32 = Color32::from_rgb(0xff, 0x7b, 0x6b);
    /// Better (absence down): green.
    pub const BETTER: Color32 = Color32::from_rgb(0x1e, 0x84, 0x49);
    /// Better, on a dark background.
    pub const BETTER_DARK: Color32 = Color32::from_rgb(0x6f, 0xd6, 0x8f);
    /// Severely absent.
    pub const SEVERE: Color32 = Color32::from_rgb(0xb0, 0x1e, 0x1e);
    /// Persistently absent.
    pub const PERSISTENT: Color32 = Color32::from_rgb(0xd3, 0x6b, 0x00);
    /// At risk.
    pub const AT_RISK: Color32 = Color32::from_rgb(0x8a, 0x6d, 0x00);
    /// Demo-data banner.
    pub const DEMO: Color32 = Color32::from_rgb(0x5b, 0x3f, 0xa0);
    /// Done, saved, closed.
    pub const GOOD: Color32 = BETTER;
    /// Characteristic badges.
    pub const BADGE: Color32 = Color32::from_rgb(0x3d, 0x5a, 0x80);
}

/// A column header that sorts: the label as a frameless button, with a small painted
/// triangle showing the direction when the column is the sort key (`Some(true)` for
/// descending). The default fonts have no arrow glyphs, so the triangle is drawn.
pub fn sort_header(ui: &mut Ui, label: &str, state: Option<bool>) -> egui::Response {
    let r = ui
        .add(egui::Button::new(RichText::new(label).strong()).frame(false))
        .on_hover_text("Sort by this column");
    if let Some(descending) = state {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
        let c = rect.center();
        let (tip, base) = if descending { (4.0, -4.0) } else { (-4.0, 4.0) };
        let points = vec![
            egui::pos2(c.x - 4.0, c.y + base),
            egui::pos2(c.x + 4.0, c.y + base),
            egui::pos2(c.x, c.y + tip),
        ];
        ui.painter().add(egui::Shape::convex_polygon(
            points,
            ui.visuals().strong_text_color(),
            egui::Stroke::NONE,
        ));
    }
    r
}

/// Runs a native file dialog (rfd) on a short-lived named thread, so the UI keeps
/// drawing; the answer arrives on the returned channel and wakes the UI. `None` if the
/// thread could not start.
pub fn spawn_dialog<T: Send + 'static>(
    ctx: &egui::Context,
    dialog: impl FnOnce() -> T + Send + 'static,
) -> Option<std::sync::mpsc::Receiver<T>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let ctx = ctx.clone();
    std::thread::Builder::new()
        .name("tsm-file-dialog".into())
        .spawn(move || {
            let _ = tx.send(dialog());
            ctx.request_repaint();
        })
        .ok()
        .map(|_| rx)
}

/// A fraction as a percentage to one decimal place, or a dash.
#[must_use]
pub fn pct(v: Option<f64>) -> String {
    crate::domain::rules::percent_or_missing(v)
}

/// A change in percentage points ("+1.2 pts"), or empty.
#[must_use]
pub fn change_text(change: Option<f64>) -> String {
    match change {
        Some(c) if (c * 1000.0).round() == 0.0 => "no change".to_owned(),
        Some(c) if c > 0.0 => format!("+{:.1} pts", c * 100.0),
        Some(c) => format!("-{:.1} pts", -c * 100.0),
        None => String::new(),
    }
}

/// Shows a change in absence, red when up (worse) and green when down.
pub fn change_label(ui: &mut Ui, change: Option<f64>) {
    let text = change_text(change);
    if text.is_empty() {
        return;
    }
    let dark = ui.visuals().dark_mode;
    let colour = match change {
        Some(c) if (c * 1000.0).round() == 0.0 => ui.visuals().weak_text_color(),
        Some(c) if c > 0.0 => {
            if dark {
                palette::WORSE_DARK
            } else {
                palette::WORSE
            }
        }
        _ => {
            if dark {
                palette::BETTER_DARK
            } else {
                palette::BETTER
            }
        }
    };
    ui.label(RichText::new(text).color(colour).small());
}

/// The colour and words for a flag category.
#[must_use]
pub fn category_style(c: FlagCategory) -> (Color32, &'static str) {
    match c {
        FlagCategory::Severe => (palette::SEVERE, "Severe"),
        FlagCategory::Persistent => (palette::PERSISTENT, "Persistent"),
        FlagCategory::AtRisk => (palette::AT_RISK, "At risk"),
        FlagCategory::None => (Color32::GRAY, "–"),
    }
}

/// A small coloured tag.
pub fn tag(ui: &mut Ui, text: &str, colour: Color32) -> egui::Response {
    ui.add(
        egui::Label::new(
            RichText::new(text)
                .small()
                .strong()
                .color(Color32::WHITE)
                .background_color(colour),
        )
        .selectable(false),
    )
}

/// A headline tile: a title, a big figure, a change line and a comparator line.
pub fn tile(
    ui: &mut Ui,
    title: &str,
    value: &str,
    change: Option<f64>,
    since: &str,
    national: Option<&str>,
) {
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(10))
        .show(ui, |ui| {
            ui.set_min_width(150.0);
            ui.set_max_width(240.0);
            ui.vertical(|ui| {
                ui.label(RichText::new(title).small());
                ui.label(RichText::new(value).size(24.0).strong());
                ui.horizontal(|ui| {
                    change_label(ui, change);
                    if change.is_some() && !since.is_empty() {
                        ui.label(RichText::new(format!("since {since}")).small().weak());
                    }
                });
                if let Some(n) = national {
                    ui.label(RichText::new(n).small().weak());
                }
            });
        });
}

/// A message as a sentence: the first letter in capitals ("that passphrase…" from the
/// store reads "That passphrase…" on screen).
#[must_use]
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A labelled one-line text box; the new text when it changed.
pub fn text(ui: &mut Ui, label: &str, value: &str, width: f32) -> Option<String> {
    let l = ui.label(label);
    let mut t = value.to_owned();
    let r = ui
        .add(egui::TextEdit::singleline(&mut t).desired_width(width))
        .labelled_by(l.id);
    r.changed().then_some(t)
}

/// A labelled multi-line text box.
pub fn multiline(ui: &mut Ui, label: &str, value: &str, rows: usize) -> Option<String> {
    let l = ui.strong(label);
    let mut t = value.to_owned();
    let r = ui
        .add(
            egui::TextEdit::multiline(&mut t)
                .desired_rows(rows)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(l.id);
    r.changed().then_some(t)
}

/// A labelled combo box over `options`; the new choice when it changed.
pub fn combo<T: Copy + PartialEq>(
    ui: &mut Ui,
    label: &str,
    salt: impl std::hash::Hash + std::fmt::Debug,
    current: T,
    options: &[T],
    name: impl Fn(T) -> String,
) -> Option<T> {
    let l = ui.label(label);
    let mut chosen = current;
    egui::ComboBox::from_id_salt(salt)
        .selected_text(name(current))
        .show_ui(ui, |ui| {
            for o in options {
                ui.selectable_value(&mut chosen, *o, name(*o));
            }
        })
        .response
        .labelled_by(l.id);
    (chosen != current).then_some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_in_points_with_direction() {
        assert_eq!(change_text(Some(0.0123)), "+1.2 pts");
        assert_eq!(change_text(Some(-0.05)), "-5.0 pts");
        assert_eq!(change_text(Some(0.0001)), "no change");
        assert_eq!(change_text(None), "");
        assert_eq!(pct(Some(0.14)), "14.0%");
        assert_eq!(pct(None), "–");
    }

    #[test]
    fn messages_start_with_a_capital() {
        assert_eq!(
            sentence("that passphrase does not open x"),
            "That passphrase does not open x"
        );
        assert_eq!(sentence("éa"), "Éa");
        assert_eq!(sentence(""), "");
    }
}
