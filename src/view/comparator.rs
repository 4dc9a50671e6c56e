//! National comparators as a school's view shows them: each figure with the release it
//! came from, and the release's name in brief for tiles and charts.

/// One national figure for a school and where it came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparator {
    /// The figure as a fraction (0.0766 is 7.66%).
    pub value: f64,
    /// Which schools it is for, in words ("National (secondary)").
    pub label: String,
    /// The release it comes from, in full (the row's source).
    pub source: String,
}

impl Comparator {
    /// The release in brief ("autumn 2024/25", "2023/24"): see [`brief_release`].
    #[must_use]
    pub fn release(&self) -> String {
        brief_release(&self.source)
    }

    /// The label and release, for a chart line ("National (secondary), autumn 2024/25").
    #[must_use]
    pub fn name(&self) -> String {
        with_release(self.label.clone(), &self.release())
    }

    /// The figure with its label and release ("National (secondary) 7.7%, autumn
    /// 2024/25").
    #[must_use]
    pub fn text(&self) -> String {
        with_release(
            format!(
                "{} {}",
                self.label,
                crate::domain::rules::percent(self.value)
            ),
            &self.release(),
        )
    }
}

fn with_release(mut text: String, release: &str) -> String {
    if !release.is_empty() {
        text.push_str(", ");
        text.push_str(release);
    }
    text
}

/// A release's name in brief, for tiles and charts: the part after the last colon,
/// without words in brackets or the word "term" ("DfE, Pupil absence in schools in
/// England: autumn term 2024/25" is "autumn 2024/25"; "...: 2023/24 (full year)" is
/// "2023/24"). A source without a colon is kept whole.
#[must_use]
pub fn brief_release(source: &str) -> String {
    let tail = source.rsplit_once(':').map_or(source, |(_, t)| t);
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in tail.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = plain
        .split_whitespace()
        .filter(|w| !w.eq_ignore_ascii_case("term"))
        .collect();
    if words.is_empty() {
        source.trim().to_owned()
    } else {
        words.join(" ")
    }
}

/// The comparator for one school: each figure with the release it came from, if
/// known.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct NationalComparator {
    /// Overall absence rate.
    pub absence: Option<Comparator>,
    /// Authorised absence rate.
    pub authorised: Option<Comparator>,
    /// Unauthorised absence rate.
    pub unauthorised: Option<Comparator>,
    /// Share of pupils persistently absent.
    pub persistent: Option<Comparator>,
    /// Share of pupils severely absent.
    pub severe: Option<Comparator>,
}
