//! The files of a reform of administrative units: the mapping from old units to new ones
//! (`admin-units-vn-2025-07-from-2025-03.csv`) and an administrator's assignment of the
//! villages of split communes.

use crate::error::{Lines, SheetErrors, csv_error};
use giamngheo_domain::UnitCode;
use std::collections::HashSet;
use std::io::Read;

/// One (old commune, new commune) pair of a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRow {
    pub line: u64,
    pub old_code: UnitCode,
    pub old_district_code: Option<UnitCode>,
    pub old_province_code: Option<UnitCode>,
    pub new_code: UnitCode,
    pub new_province_code: Option<UnitCode>,
    /// False where the old commune was split between several new ones.
    pub whole: bool,
}

/// One village given its new commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    pub line: u64,
    pub village_code: UnitCode,
    pub commune_code: UnitCode,
}

/// An open CSV file with the positions of its required and optional columns.
pub(crate) type Opened<'a> = (csv::Reader<&'a [u8]>, Vec<usize>, Vec<Option<usize>>);

/// Opens a CSV file and finds its required columns (refusing the file, with line 1
/// named, when one is missing) and its optional ones.
pub(crate) fn open<'a>(
    bytes: &'a [u8],
    lines: &Lines<'_>,
    required: &[&str],
    optional: &[&str],
) -> Result<Opened<'a>, SheetErrors> {
    let (reader, header) = crate::units::open_csv(bytes, lines)?;
    let mut errors = SheetErrors::new();
    let found: Vec<usize> = required
        .iter()
        .filter_map(|name| {
            let i = header.index(name);
            if i.is_none() {
                errors.push(1, name, "thiếu cột bắt buộc");
            }
            i
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let optional = optional.iter().map(|c| header.index(c)).collect();
    Ok((reader, found, optional))
}

/// Reads every record of `reader`, giving each (line, cells) to `row`, which pushes its
/// problems; the whole file is read before anything is returned.
fn read_all<T>(
    mut reader: csv::Reader<&[u8]>,
    lines: &Lines<'_>,
    mut row: impl FnMut(u64, &dyn Fn(usize) -> String, &mut SheetErrors) -> Option<T>,
) -> Result<Vec<T>, SheetErrors> {
    let mut errors = SheetErrors::new();
    let mut rows = Vec::new();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let c = csv_error(&e, lines);
                if !errors.push(c.line, "", c.reason) {
                    break;
                }
                continue;
            }
        };
        let line = lines.of(record.position());
        let cell = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        if let Some(r) = row(line, &cell, &mut errors) {
            rows.push(r);
        }
        if errors.truncated {
            break;
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(2, "", "tệp không có dòng dữ liệu nào");
    }
    errors.into_result(rows)
}

fn code(line: u64, column: &str, value: &str, errors: &mut SheetErrors) -> Option<UnitCode> {
    UnitCode::parse(value)
        .map_err(|e| errors.push(line, column, e.to_string()))
        .ok()
}

fn optional_code(
    line: u64,
    column: &str,
    value: Option<String>,
    errors: &mut SheetErrors,
) -> Option<UnitCode> {
    match value.as_deref() {
        None | Some("") => None,
        Some(v) => code(line, column, v, errors),
    }
}

/// Reads a mapping: `old_code,new_code,whole` and optionally `old_district_code`,
/// `old_province_code`, `new_province_code` (the names in the shipped file are for
/// people and are not read).
pub fn read_unit_mapping<R: Read>(input: R) -> Result<Vec<MappingRow>, SheetErrors> {
    let bytes = crate::units::read_bytes(input)?;
    let lines = Lines::new(&bytes);
    let (reader, req, opt) = open(
        &bytes,
        &lines,
        &["old_code", "new_code", "whole"],
        &[
            "old_district_code",
            "old_province_code",
            "new_province_code",
        ],
    )?;
    let mut pairs = HashSet::new();
    read_all(reader, &lines, |line, cell, errors| {
        let before = errors.errors.len();
        let old_code = code(line, "old_code", &cell(req[0]), errors);
        let new_code = code(line, "new_code", &cell(req[1]), errors);
        let whole = match cell(req[2]).as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => {
                errors.push(line, "whole", "phải là 0 hoặc 1");
                None
            }
        };
        let get = |k: usize| opt[k].map(cell);
        let old_district_code = optional_code(line, "old_district_code", get(0), errors);
        let old_province_code = optional_code(line, "old_province_code", get(1), errors);
        let new_province_code = optional_code(line, "new_province_code", get(2), errors);
        if let (Some(o), Some(n)) = (&old_code, &new_code)
            && !pairs.insert((o.clone(), n.clone()))
        {
            errors.push(
                line,
                "new_code",
                format!("cặp {o} → {n} xuất hiện lần thứ hai trong tệp"),
            );
        }
        (errors.errors.len() == before).then(|| MappingRow {
            line,
            old_code: old_code.expect("checked"),
            old_district_code,
            old_province_code,
            new_code: new_code.expect("checked"),
            new_province_code,
            whole: whole.expect("checked"),
        })
    })
}

/// Reads an assignment of villages: `village_code,commune_code`.
pub fn read_village_assignments<R: Read>(input: R) -> Result<Vec<AssignmentRow>, SheetErrors> {
    let bytes = crate::units::read_bytes(input)?;
    let lines = Lines::new(&bytes);
    let (reader, req, _) = open(&bytes, &lines, &["village_code", "commune_code"], &[])?;
    let mut seen = HashSet::new();
    read_all(reader, &lines, |line, cell, errors| {
        let before = errors.errors.len();
        let village_code = code(line, "village_code", &cell(req[0]), errors);
        let commune_code = code(line, "commune_code", &cell(req[1]), errors);
        if let Some(v) = &village_code
            && !seen.insert(v.clone())
        {
            errors.push(
                line,
                "village_code",
                format!("thôn {v} xuất hiện lần thứ hai trong tệp"),
            );
        }
        (errors.errors.len() == before).then(|| AssignmentRow {
            line,
            village_code: village_code.expect("checked"),
            commune_code: commune_code.expect("checked"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shipped_mapping_layout() {
        let csv = "old_code,old_name,old_district_code,old_province_code,new_code,new_name,new_province_code,whole\n\
                   18499,Xã Hương Long,444,42,18496,Xã Hương Khê,42,1\n";
        let rows = read_unit_mapping(csv.as_bytes()).unwrap();
        assert_eq!(rows[0].old_code.as_str(), "18499");
        assert_eq!(rows[0].new_code.as_str(), "18496");
        assert_eq!(rows[0].old_district_code.as_ref().unwrap().as_str(), "444");
        assert!(rows[0].whole);
    }

    #[test]
    fn a_bad_mapping_row_is_named() {
        let csv = "old_code,new_code,whole\n18499,18496,1\n18499,18496,1\n1849x,18496,2\n";
        let err = read_unit_mapping(csv.as_bytes()).unwrap_err();
        let places: Vec<(u64, &str)> = err
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert_eq!(places, vec![(3, "new_code"), (4, "old_code"), (4, "whole")]);
    }

    #[test]
    fn an_assignment_names_each_village_once() {
        let csv = "village_code,commune_code\n18499001,18496\n18499001,18502\n";
        let err = read_village_assignments(csv.as_bytes()).unwrap_err();
        assert_eq!(err.errors[0].line, 3);
    }
}
