//! The administrative units list (danh mục đơn vị hành chính) and village lists.

use crate::error::{Header, Lines, SheetErrors, csv_error};
use chrono::NaiveDate;
use giamngheo_domain::{Area, UnitCode, UnitFlags, UnitKind, text};
use std::collections::HashSet;
use std::io::Read;

/// One row of an administrative units file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub line: u64,
    pub code: UnitCode,
    pub name: String,
    pub kind: UnitKind,
    pub level: i32,
    pub parent_code: Option<UnitCode>,
    /// Set only when the file gives an area; otherwise the kind decides.
    pub area: Option<Area>,
    /// Set only when the file has the flag columns; otherwise existing flags are kept.
    pub flags: Option<UnitFlags>,
    /// Set only when the file has one of the allocation columns (zone, safety zone,
    /// island, special zone, to confirm); otherwise existing allocation flags are kept.
    pub allocation: Option<AllocationRow>,
    pub valid_from: Option<NaiveDate>,
}

/// The flags the programme's allocation coefficients read (reform-2025.md), as a units
/// file gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllocationRow {
    /// `I`, `II` or `III` (khu vực of ethnic-minority and mountain areas), if any.
    pub zone: Option<String>,
    pub safety_zone: bool,
    pub island: bool,
    pub special_zone: bool,
    /// The flags are a guess still to be confirmed by a decision.
    pub to_confirm: bool,
}

/// One row of a village list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageRow {
    pub line: u64,
    pub commune_code: UnitCode,
    pub code: Option<UnitCode>,
    pub name: String,
    pub kind: UnitKind,
    pub area: Option<Area>,
}

const UNIT_REQUIRED: [&str; 5] = ["code", "name", "kind", "level", "parent_code"];
const FLAG_COLUMNS: [&str; 4] = [
    "extremely_difficult",
    "border",
    "programme_30a",
    "programme_135",
];
/// The allocation columns: the zone, then the yes/no flags.
const ALLOCATION_COLUMNS: [&str; 5] = [
    "zone",
    "safety_zone",
    "island",
    "special_zone",
    "flags_to_confirm",
];

/// A zone as a file writes it: `I`, `II`, `III` (or 1, 2, 3, or «khu vực II»); empty
/// for none.
fn parse_zone(text: &str) -> Result<Option<String>, String> {
    let folded = text::fold(text.trim());
    let bare = folded.strip_prefix("khu vuc").unwrap_or(&folded).trim();
    match bare {
        "" => Ok(None),
        "i" | "1" => Ok(Some("I".into())),
        "ii" | "2" => Ok(Some("II".into())),
        "iii" | "3" => Ok(Some("III".into())),
        _ => Err(format!(
            "khu vực «{}» phải là I, II hoặc III (hoặc để trống)",
            text.trim()
        )),
    }
}

/// A CSV reader of a file held in memory, past its header, or the header's problem.
pub(crate) fn open_csv<'a>(
    bytes: &'a [u8],
    lines: &Lines<'_>,
) -> Result<(csv::Reader<&'a [u8]>, Header), SheetErrors> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) => Header::new(h),
        Err(e) => {
            let c = csv_error(&e, lines);
            return Err(SheetErrors::single(c.line.max(1), "", c.reason));
        }
    };
    Ok((reader, header))
}

/// What to do with a record read from a CSV file.
enum Next {
    Record(u64, csv::StringRecord),
    /// The record could not be read; its problem is noted.
    Skip,
    /// Too many problems to go on.
    Stop,
}

fn next_record(
    result: csv::Result<csv::StringRecord>,
    lines: &Lines<'_>,
    errors: &mut SheetErrors,
) -> Next {
    match result {
        Ok(record) => Next::Record(lines.of(record.position()), record),
        Err(e) => {
            let c = csv_error(&e, lines);
            if errors.push(c.line, "", c.reason) {
                Next::Skip
            } else {
                Next::Stop
            }
        }
    }
}

/// Reads an administrative units file: `code,name,kind,level,parent_code` and optionally
/// `area`, the four flag columns and `valid_from` (dd/mm/yyyy or yyyy-mm-dd).
///
/// The whole file is checked before anything is returned, so a caller either gets every
/// row or a list of every problem.
pub fn read_units<R: Read>(input: R) -> Result<Vec<UnitRow>, SheetErrors> {
    let bytes = read_bytes(input)?;
    let lines = Lines::new(&bytes);
    let optional: Vec<&str> = ["area", "valid_from"]
        .into_iter()
        .chain(FLAG_COLUMNS)
        .chain(ALLOCATION_COLUMNS)
        .collect();
    let (mut reader, required, found) =
        crate::reform::open(&bytes, &lines, &UNIT_REQUIRED, &optional)?;
    let mut errors = SheetErrors::new();
    let [i_code, i_name, i_kind, i_level, i_parent] = required[..] else {
        unreachable!("all five required columns were found");
    };
    let (i_area, i_valid_from) = (found[0], found[1]);
    let flag_idx: Vec<Option<usize>> = found[2..2 + FLAG_COLUMNS.len()].to_vec();
    let has_flags = flag_idx.iter().any(Option::is_some);
    let allocation_idx: Vec<Option<usize>> = found[2 + FLAG_COLUMNS.len()..].to_vec();
    let has_allocation = allocation_idx.iter().any(Option::is_some);

    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for result in reader.records() {
        let (line, record) = match next_record(result, &lines, &mut errors) {
            Next::Record(line, record) => (line, record),
            Next::Skip => continue,
            Next::Stop => break,
        };
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let before = errors.errors.len();

        let code = UnitCode::parse(cell(i_code))
            .map_err(|e| errors.push(line, "code", e.to_string()))
            .ok();
        if let Some(c) = &code
            && !seen.insert(c.clone())
        {
            errors.push(
                line,
                "code",
                format!("mã {c} xuất hiện lần thứ hai trong tệp"),
            );
        }
        let name = text::normalize(cell(i_name));
        if name.is_empty() {
            errors.push(line, "name", "tên trống");
        }
        let kind = UnitKind::parse(cell(i_kind))
            .map_err(|e| errors.push(line, "kind", e.to_string()))
            .ok();
        let level = match cell(i_level).parse::<i32>() {
            Ok(l) if (1..=3).contains(&l) => Some(l),
            _ => {
                errors.push(line, "level", "cấp phải là 1, 2 hoặc 3");
                None
            }
        };
        let parent_code = match cell(i_parent) {
            "" => None,
            p => UnitCode::parse(p)
                .map_err(|e| errors.push(line, "parent_code", e.to_string()))
                .ok(),
        };
        if level == Some(1) && parent_code.is_some() {
            errors.push(line, "parent_code", "đơn vị cấp 1 không có đơn vị cấp trên");
        }
        if matches!(level, Some(l) if l > 1) && cell(i_parent).is_empty() {
            errors.push(line, "parent_code", "thiếu mã đơn vị cấp trên");
        }
        let area = match i_area.map(cell) {
            None | Some("") => None,
            Some(a) => a
                .parse::<Area>()
                .map_err(|e| errors.push(line, "area", e.to_string()))
                .ok(),
        };
        let flags = if has_flags {
            let mut values = [false; 4];
            for (k, idx) in flag_idx.iter().enumerate() {
                if let Some(i) = idx {
                    match parse_flag(cell(*i)) {
                        Some(v) => values[k] = v,
                        None => {
                            errors.push(line, FLAG_COLUMNS[k], "phải là 0 hoặc 1");
                        }
                    }
                }
            }
            Some(UnitFlags {
                extremely_difficult: values[0],
                border: values[1],
                programme_30a: values[2],
                programme_135: values[3],
            })
        } else {
            None
        };
        let allocation = if has_allocation {
            let mut row = AllocationRow::default();
            if let Some(i) = allocation_idx[0] {
                match parse_zone(cell(i)) {
                    Ok(zone) => row.zone = zone,
                    Err(e) => {
                        errors.push(line, "zone", e);
                    }
                }
            }
            for (k, idx) in allocation_idx.iter().enumerate().skip(1) {
                let Some(i) = idx else { continue };
                match parse_flag(cell(*i)) {
                    Some(v) => match k {
                        1 => row.safety_zone = v,
                        2 => row.island = v,
                        3 => row.special_zone = v,
                        _ => row.to_confirm = v,
                    },
                    None => {
                        errors.push(line, ALLOCATION_COLUMNS[k], "phải là 0 hoặc 1");
                    }
                }
            }
            Some(row)
        } else {
            None
        };
        let valid_from = match i_valid_from.map(cell) {
            None | Some("") => None,
            Some(d) => parse_date(d)
                .map_err(|e| errors.push(line, "valid_from", e))
                .ok(),
        };
        if errors.truncated {
            break;
        }
        if errors.errors.len() == before {
            rows.push(UnitRow {
                line,
                code: code.expect("checked"),
                name,
                kind: kind.expect("checked"),
                level: level.expect("checked"),
                parent_code,
                area,
                flags,
                allocation,
                valid_from,
            });
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(2, "", "tệp không có dòng dữ liệu nào");
    }
    errors.into_result(rows)
}

/// Reads a whole (small) list into memory, so that problems can be named by the file's
/// physical line ([`Lines`]).
pub(crate) fn read_bytes<R: Read>(mut input: R) -> Result<Vec<u8>, SheetErrors> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| SheetErrors::single(1, "", format!("không đọc được tệp: {e}")))?;
    Ok(bytes)
}

/// Reads a village list: `commune_code,name,kind` and optionally `code` and `area`.
///
/// With `only_commune` (a file uploaded on one commune's page), the `commune_code` column
/// may be left out, and a row naming another commune is refused.
pub fn read_villages<R: Read>(
    input: R,
    only_commune: Option<&UnitCode>,
) -> Result<Vec<VillageRow>, SheetErrors> {
    let bytes = read_bytes(input)?;
    let lines = Lines::new(&bytes);
    let (mut reader, header) = open_csv(&bytes, &lines)?;
    let mut errors = SheetErrors::new();
    let mut find = |name: &str| {
        let i = header.index(name);
        if i.is_none() {
            errors.push(1, name, "thiếu cột bắt buộc");
        }
        i
    };
    let i_commune = match only_commune {
        Some(_) => header.index("commune_code"),
        None => find("commune_code"),
    };
    let (i_name, i_kind) = (find("name"), find("kind"));
    let (Some(i_name), Some(i_kind)) = (i_name, i_kind) else {
        return Err(errors);
    };
    if only_commune.is_none() && i_commune.is_none() {
        return Err(errors);
    }
    let i_code = header.index("code");
    let i_area = header.index("area");
    let mut rows = Vec::new();
    let mut seen_codes = HashSet::new();
    let mut seen_names = HashSet::new();
    for result in reader.records() {
        let (line, record) = match next_record(result, &lines, &mut errors) {
            Next::Record(line, record) => (line, record),
            Next::Skip => continue,
            Next::Stop => break,
        };
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let before = errors.errors.len();
        let commune_code = match (i_commune, only_commune) {
            (Some(i), only) => UnitCode::parse(cell(i))
                .map_err(|e| errors.push(line, "commune_code", e.to_string()))
                .ok()
                .filter(|c| match only {
                    Some(o) if o != c => {
                        errors.push(
                            line,
                            "commune_code",
                            format!("thôn của xã {c}, không phải của xã {o} đang mở"),
                        );
                        false
                    }
                    _ => true,
                }),
            (None, only) => only.cloned(),
        };
        let name = text::normalize(cell(i_name));
        if name.is_empty() {
            errors.push(line, "name", "tên trống");
        } else if name.chars().count() > 120 {
            errors.push(line, "name", "tên dài quá 120 ký tự");
        } else if let Some(c) = &commune_code
            && !seen_names.insert((c.clone(), text::fold(&name)))
        {
            errors.push(
                line,
                "name",
                "tên thôn trùng với một dòng trước trong cùng xã",
            );
        }
        let kind = UnitKind::parse(cell(i_kind))
            .map_err(|e| errors.push(line, "kind", e.to_string()))
            .ok();
        let code = match i_code.map(cell) {
            None | Some("") => None,
            Some(c) => UnitCode::parse(c)
                .map_err(|e| errors.push(line, "code", e.to_string()))
                .ok(),
        };
        if let Some(c) = &code
            && !seen_codes.insert(c.clone())
        {
            errors.push(
                line,
                "code",
                format!("mã {c} xuất hiện lần thứ hai trong tệp"),
            );
        }
        let area = match i_area.map(cell) {
            None | Some("") => None,
            Some(a) => a
                .parse::<Area>()
                .map_err(|e| errors.push(line, "area", e.to_string()))
                .ok(),
        };
        if errors.truncated {
            break;
        }
        if errors.errors.len() == before {
            rows.push(VillageRow {
                line,
                commune_code: commune_code.expect("checked"),
                code,
                name,
                kind: kind.expect("checked"),
                area,
            });
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(2, "", "tệp không có dòng dữ liệu nào");
    }
    errors.into_result(rows)
}

fn parse_flag(s: &str) -> Option<bool> {
    match s {
        "" | "0" => Some(false),
        "1" => Some(true),
        _ => None,
    }
}

/// Accepts the Vietnamese `dd/mm/yyyy` and ISO `yyyy-mm-dd`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .map_err(|_| format!("ngày «{s}» không hợp lệ (dùng dd/mm/yyyy)"))
}

/// Reads a successor mapping: `old_code,new_code`, one row per old unit and each unit it
/// went into; other columns (names, `whole`, as in the 2025 reform's mapping file) are
/// ignored. Returns (old, new) pairs, or every problem with its line.
pub fn read_successors<R: Read>(input: R) -> Result<Vec<(UnitCode, UnitCode)>, SheetErrors> {
    let bytes = read_bytes(input)?;
    let lines = Lines::new(&bytes);
    let (mut reader, required, _) =
        crate::reform::open(&bytes, &lines, &["old_code", "new_code"], &[])?;
    let [i_old, i_new] = required[..] else {
        unreachable!("both required columns were found");
    };
    let mut errors = SheetErrors::new();
    let mut pairs = Vec::new();
    for result in reader.records() {
        let (line, record) = match next_record(result, &lines, &mut errors) {
            Next::Record(line, record) => (line, record),
            Next::Skip => continue,
            Next::Stop => break,
        };
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let old =
            UnitCode::parse(cell(i_old)).map_err(|e| errors.push(line, "old_code", e.to_string()));
        let new =
            UnitCode::parse(cell(i_new)).map_err(|e| errors.push(line, "new_code", e.to_string()));
        if let (Ok(old), Ok(new)) = (old, new) {
            pairs.push((old, new));
        }
    }
    if errors.is_empty() {
        Ok(pairs)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_official_list_layout() {
        let csv = "\u{feff}code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n444,Huyện Hương Khê,Huyện,2,42\n";
        let rows = read_units(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].parent_code.as_ref().unwrap().as_str(), "42");
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[0].flags, None);
    }

    #[test]
    fn bad_rows_are_named_by_line_and_column() {
        let csv = "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n44x,Huyện,Huyện,2,42\n445,,Huyện,7,42\n";
        let err = read_units(csv.as_bytes()).unwrap_err();
        let places: Vec<(u64, &str)> = err
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert_eq!(places, vec![(3, "code"), (4, "name"), (4, "level")]);
    }

    #[test]
    fn the_allocation_flags_are_read_and_bad_ones_named_by_line_and_column() {
        let csv = "code,name,kind,level,parent_code,border,zone,safety_zone,island,special_zone,flags_to_confirm\n\
                   42,Tỉnh Hà Tĩnh,Tỉnh,1,,0,,0,0,0,0\n\
                   18001,Xã Sơn Kim,Xã,2,42,1,khu vực II,0,0,0,1\n\
                   18002,Xã Kỳ Anh,Xã,2,42,0,III,1,0,1,0\n";
        let rows = read_units(csv.as_bytes()).unwrap();
        assert_eq!(rows[0].allocation, Some(AllocationRow::default()));
        assert_eq!(
            rows[1].allocation,
            Some(AllocationRow {
                zone: Some("II".into()),
                to_confirm: true,
                ..AllocationRow::default()
            })
        );
        assert!(rows[1].flags.unwrap().border);
        let third = rows[2].allocation.clone().unwrap();
        assert_eq!(third.zone.as_deref(), Some("III"));
        assert!(third.safety_zone && third.special_zone && !third.island);

        let bad = "code,name,kind,level,parent_code,zone,island\n\
                   42,Tỉnh Hà Tĩnh,Tỉnh,1,,IV,0\n\
                   18001,Xã Sơn Kim,Xã,2,42,I,có\n";
        let err = read_units(bad.as_bytes()).unwrap_err();
        let places: Vec<(u64, &str)> = err
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert_eq!(places, vec![(2, "zone"), (3, "island")]);
        assert!(
            err.errors[0].reason.contains("phải là I, II hoặc III"),
            "{:?}",
            err.errors[0]
        );
        // Without the columns, nothing is said about the allocation flags.
        let plain = "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n";
        assert_eq!(read_units(plain.as_bytes()).unwrap()[0].allocation, None);
    }

    #[test]
    fn a_missing_column_refuses_the_file() {
        let err = read_units("code,name,kind\n1,a,b\n".as_bytes()).unwrap_err();
        assert_eq!(err.errors[0].line, 1);
        assert_eq!(err.errors[0].column, "level");
    }

    #[test]
    fn non_utf8_is_reported() {
        let bytes = b"code,name,kind,level,parent_code\n42,T\xe1nh,T,1,\n";
        let err = read_units(&bytes[..]).unwrap_err();
        assert_eq!(err.errors[0].line, 2);
        assert!(err.errors[0].reason.contains("UTF-8"));
    }

    #[test]
    fn villages_need_a_commune_and_unique_names() {
        let csv = "commune_code,name,kind\n18100,Thôn 1,Thôn\n18100,thôn  1,Thôn\n,Thôn 2,Thôn\n";
        let err = read_villages(csv.as_bytes(), None).unwrap_err();
        let places: Vec<(u64, &str)> = err
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert_eq!(places, vec![(3, "name"), (4, "commune_code")]);
    }

    #[test]
    fn a_commune_page_upload_may_omit_the_commune_and_not_name_another() {
        let here = UnitCode::parse("18100").unwrap();
        let rows = read_villages("name,kind\nThôn 1,Thôn\n".as_bytes(), Some(&here)).unwrap();
        assert_eq!(rows[0].commune_code, here);
        let csv = "commune_code,name,kind\n18101,Thôn 1,Thôn\n";
        let err = read_villages(csv.as_bytes(), Some(&here)).unwrap_err();
        assert_eq!(err.errors[0].column, "commune_code");
    }
}
