//! A first look at a file for the import wizard: its header row, the layout it fits,
//! where each field was found and its first rows. Reads nothing into a batch.

use super::columns::{Columns, required};
use super::table::Table;
use super::{ColumnMapping, Field, HEADER_SEARCH_ROWS, ImportError, Problem, is_blank};
use crate::domain::Layout;
use std::path::Path;

/// What a file looks like, before importing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The file's name.
    pub file: String,
    /// The header row's line (1-based).
    pub header_line: usize,
    /// The header row as written.
    pub headers: Vec<String>,
    /// The layout the header fits with the mapping given, if any.
    pub layout: Option<Layout>,
    /// The layout used to list fields: the detected one, else the closest.
    pub shown_layout: Layout,
    /// Each field the shown layout reads (required first, then details), with the header
    /// it is read from, if found.
    pub fields: Vec<(Field, bool, Option<String>)>,
    /// Required fields not found.
    pub missing: Vec<Field>,
    /// The first rows after the header, cell by cell.
    pub rows: Vec<Vec<String>>,
}

/// Looks at a file: finds its header row as an import would and keeps `max_rows` rows.
///
/// # Errors
/// [`ImportError`] when the file cannot be read or decoded, or has no rows at all.
pub fn preview(
    path: &Path,
    mapping: &ColumnMapping,
    max_rows: usize,
) -> Result<Preview, ImportError> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes =
        std::fs::read(path).map_err(|e| ImportError::whole(&name, Problem::Io(e.to_string())))?;
    let table = Table::from_bytes(&name, bytes)?;
    let mut header: Option<(usize, Vec<String>, Columns, Option<Layout>)> = None;
    let mut first: Option<(usize, Vec<String>)> = None;
    let mut seen = 0usize;
    let mut rows = Vec::new();
    table.for_each(&name, |line, record| {
        if header.is_some() {
            if !is_blank(record) {
                rows.push(record.iter().map(|c| (*c).to_owned()).collect());
            }
            return Ok(rows.len() < max_rows);
        }
        if is_blank(record) {
            return Ok(true);
        }
        seen += 1;
        let cells: Vec<String> = record.iter().map(|c| (*c).trim().to_owned()).collect();
        let cols = Columns::match_headers(&cells, mapping);
        let layout = mapping.layout.or_else(|| cols.detect());
        if layout.is_some_and(|l| cols.missing_for(l).is_empty()) {
            header = Some((line, cells, cols, layout));
            return Ok(max_rows > 0);
        }
        if first.is_none() {
            first = Some((line, cells));
        }
        // No header fits: show the file from its first non-blank row, so the user can
        // map the columns by hand.
        if seen >= HEADER_SEARCH_ROWS || mapping.layout.is_some() {
            if let Some((line, cells)) = first.take() {
                let cols = Columns::match_headers(&cells, mapping);
                header = Some((line, cells, cols, None));
            }
            return Ok(false);
        }
        Ok(true)
    })?;
    let (header_line, headers, cols, layout) = match header {
        Some(h) => h,
        None => {
            let (line, cells) = first.ok_or_else(|| ImportError::whole(&name, Problem::Empty))?;
            let cols = Columns::match_headers(&cells, mapping);
            (line, cells, cols, None)
        }
    };
    if rows.is_empty() && header_line > 0 {
        // The header search stopped early; read the rows below the chosen header.
        table.for_each(&name, |line, record| {
            if line <= header_line || is_blank(record) {
                return Ok(true);
            }
            rows.push(record.iter().map(|c| (*c).to_owned()).collect());
            Ok(rows.len() < max_rows)
        })?;
    }
    let shown_layout = layout.or(mapping.layout).unwrap_or_else(|| cols.closest());
    let needed = required(shown_layout);
    let mut fields: Vec<(Field, bool, Option<String>)> = needed
        .iter()
        .map(|f| (*f, true, cols.get(*f).map(|_| cols.header(*f))))
        .collect();
    for f in Field::ALL {
        if !needed.contains(&f) && cols.has(f) {
            fields.push((f, false, Some(cols.header(f))));
        }
    }
    Ok(Preview {
        file: name,
        header_line,
        missing: cols.missing_for(shown_layout),
        headers,
        layout,
        shown_layout,
        fields,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn a_summary_is_detected_and_its_first_rows_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "s.csv",
            "Attendance report\n\nUPN,Year Group,Possible Sessions,Present,Authorised Absences,Unauthorised Absences\nA1,7,100,90,5,5\nA2,8,100,80,10,10\nA3,9,100,70,20,10\n",
        );
        let p = preview(&p, &ColumnMapping::default(), 2).unwrap();
        assert_eq!(p.header_line, 3);
        assert_eq!(p.layout, Some(Layout::Summary));
        assert!(p.missing.is_empty());
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[1][0], "A2");
        let year = p.fields.iter().find(|f| f.0 == Field::YearGroup).unwrap();
        assert_eq!(
            year,
            &(Field::YearGroup, false, Some("Year Group".to_owned()))
        );
    }

    #[test]
    fn unknown_headers_show_what_is_missing_and_a_mapping_fixes_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "m.csv",
            "Pupil Ref,Day,Session,Mark\nA1,01/09/2025,AM,/\n",
        );
        let none = preview(&p, &ColumnMapping::default(), 5).unwrap();
        assert_eq!(none.layout, None);
        assert_eq!(none.shown_layout, Layout::MarksLong);
        assert_eq!(none.missing, vec![Field::Upn, Field::Date]);
        assert_eq!(none.rows.len(), 1);
        let mapping = ColumnMapping {
            layout: None,
            columns: vec![
                (Field::Upn, "Pupil Ref".into()),
                (Field::Date, "Day".into()),
            ],
        };
        let fixed = preview(&p, &mapping, 5).unwrap();
        assert_eq!(fixed.layout, Some(Layout::MarksLong));
        assert!(fixed.missing.is_empty());
    }

    #[test]
    fn an_empty_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "e.csv", "\n\n");
        let err = preview(&p, &ColumnMapping::default(), 5).unwrap_err();
        assert_eq!(err.file, "e.csv");
    }
}
