//! A first look at a file for the import wizard: its header row, the layout it fits,
//! where each field was found and its first rows. Reads nothing into a batch.

use super::columns::{Columns, required};
use super::table::Table;
use super::{ColumnMapping, Field, HEADER_SEARCH_ROWS, ImportError, Problem, is_blank};
use crate::domain::{Layout, Period};
use chrono::NaiveDate;
use std::collections::HashSet;
use std::path::Path;

/// What a file holding several schools (the DfE weekly file) holds, counted over all
/// its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolsInFile {
    /// Distinct school URNs.
    pub schools: usize,
    /// Pupil rows.
    pub pupils: usize,
    /// The terms named in `academic_term` that could be read.
    pub terms: Vec<Period>,
}

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
    /// For a file holding several schools: how many, and how many pupil rows.
    pub schools_in_file: Option<SchoolsInFile>,
    /// The day the file was last modified: the date its weekly figures run to, unless
    /// the user gives another.
    pub modified: Option<NaiveDate>,
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
    let name = super::base_name(path);
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
    // Each requirement once: the alternative the file has, else the first.
    let needed: Vec<Field> = required(shown_layout)
        .iter()
        .filter_map(|any_of| {
            any_of
                .iter()
                .copied()
                .find(|f| cols.has(*f))
                .or_else(|| any_of.first().copied())
        })
        .collect();
    let mut fields: Vec<(Field, bool, Option<String>)> = needed
        .iter()
        .map(|f| (*f, true, cols.get(*f).map(|_| cols.header(*f))))
        .collect();
    for f in Field::ALL {
        if !needed.contains(&f) && cols.has(f) {
            fields.push((f, false, Some(cols.header(f))));
        }
    }
    let schools_in_file = if layout == Some(Layout::DfeWeekly) {
        Some(count_schools(&table, &name, header_line, &cols)?)
    } else {
        None
    };
    Ok(Preview {
        file: name,
        header_line,
        missing: cols.missing_for(shown_layout),
        headers,
        layout,
        shown_layout,
        fields,
        rows,
        schools_in_file,
        modified: super::modified_date(path),
    })
}

/// Counts the schools, pupil rows and terms of a multi-school file (one pass over its
/// rows, reading only the URN and term columns).
fn count_schools(
    table: &Table,
    name: &str,
    header_line: usize,
    cols: &Columns,
) -> Result<SchoolsInFile, ImportError> {
    let (Some(urn), Some(upn)) = (cols.get(Field::SchoolUrn), cols.get(Field::Upn)) else {
        return Ok(SchoolsInFile {
            schools: 0,
            pupils: 0,
            terms: Vec::new(),
        });
    };
    let term = cols.get(Field::Term);
    let mut schools: HashSet<String> = HashSet::new();
    let mut terms: Vec<Period> = Vec::new();
    let mut last_term = String::new();
    let mut pupils = 0;
    table.for_each(name, |line, record| {
        if line <= header_line || is_blank(record) {
            return Ok(true);
        }
        let cell = |i: usize| record.get(i).map_or("", |c| c.trim());
        if cell(upn).is_empty() {
            return Ok(true);
        }
        pupils += 1;
        if !schools.contains(cell(urn)) {
            schools.insert(cell(urn).to_owned());
        }
        if let Some(t) = term
            && cell(t) != last_term
        {
            cell(t).clone_into(&mut last_term);
            if let Ok(p) = last_term.parse::<Period>()
                && !terms.contains(&p)
            {
                terms.push(p);
            }
        }
        Ok(true)
    })?;
    terms.sort();
    Ok(SchoolsInFile {
        schools: schools.len(),
        pupils,
        terms,
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
