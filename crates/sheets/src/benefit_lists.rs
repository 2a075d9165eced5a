//! Reading an agency's own list of benefits (.csv or .xlsx): the social insurance agency's
//! card list, the social policy bank's loan list, a school's exemption list.
//!
//! Each agency writes its own headers, so which header holds which field is data (a
//! [`ListLayout`], read by the application from TOML); headers are compared folded, so
//! «Số CCCD», «so cccd» and «SỐ CCCD» are one column. A file with any bad row is refused
//! whole, every problem named by its line and column, and nothing is written.

use crate::error::SheetErrors;
use crate::households::{FileKind, MAX_FILE_BYTES};
use chrono::{Datelike, NaiveDate};
use giamngheo_domain::text;

/// The fields a benefit list may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListField {
    /// The agency's reference: card number, loan contract, decision number.
    Reference,
    CitizenId,
    FullName,
    /// A year, or a full date of birth of which the year is kept.
    BirthYear,
    /// A village's code or name.
    Village,
    ValidFrom,
    ValidTo,
    /// Integer VND.
    Amount,
}

impl ListField {
    pub const ALL: [ListField; 8] = [
        ListField::Reference,
        ListField::CitizenId,
        ListField::FullName,
        ListField::BirthYear,
        ListField::Village,
        ListField::ValidFrom,
        ListField::ValidTo,
        ListField::Amount,
    ];

    /// The field's code in a layout file.
    pub fn code(self) -> &'static str {
        match self {
            ListField::Reference => "reference",
            ListField::CitizenId => "citizen_id",
            ListField::FullName => "full_name",
            ListField::BirthYear => "birth_year",
            ListField::Village => "village",
            ListField::ValidFrom => "valid_from",
            ListField::ValidTo => "valid_to",
            ListField::Amount => "amount",
        }
    }

    pub fn from_code(code: &str) -> Option<ListField> {
        ListField::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// Which headers hold which field, and which fields a row must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListLayout {
    /// For each field, the headers that may hold it (compared folded).
    pub columns: Vec<(ListField, Vec<String>)>,
    pub required: Vec<ListField>,
}

/// One row of a list, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// The row's line (1 is the header line; for .xlsx, the spreadsheet's row number).
    pub line: u64,
    pub reference: String,
    pub citizen_id: Option<String>,
    pub full_name: String,
    pub birth_year: Option<i32>,
    pub village: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub amount: Option<i64>,
}

/// A cell as read from either format.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Broken,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Empty | Cell::Broken => String::new(),
            Cell::Text(s) => text::normalize(s),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        }
    }
}

/// The most rows a list may have: a province's card list with room to spare.
pub const MAX_LIST_ROWS: usize = 2_000_000;

/// Reads a list of either kind with `layout`.
pub fn read_benefit_list(
    bytes: &[u8],
    kind: FileKind,
    layout: &ListLayout,
) -> Result<Vec<ListRow>, SheetErrors> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SheetErrors::single(
            1,
            "",
            format!(
                "tệp lớn hơn giới hạn {} MB; hãy chia thành nhiều tệp",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let rows = match kind {
        FileKind::Csv => csv_rows(bytes)?,
        FileKind::Xlsx => xlsx_rows(bytes)?,
    };
    assemble(rows, layout)
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<(u64, Vec<Cell>)>, SheetErrors> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        SheetErrors::single(
            line,
            "",
            "tệp không phải văn bản UTF-8; hãy lưu lại dạng CSV UTF-8",
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(1, |p| p.line());
            SheetErrors::single(line, "", "dòng CSV không đọc được")
        })?;
        let line = record.position().map_or(out.len() as u64 + 1, |p| p.line());
        let cells = record
            .iter()
            .map(|s| {
                let s = s.trim_start_matches('\u{feff}');
                if s.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(s.to_string())
                }
            })
            .collect();
        out.push((line, cells));
        if out.len() > MAX_LIST_ROWS + 1 {
            return Err(SheetErrors::single(
                line,
                "",
                format!("tệp có hơn {MAX_LIST_ROWS} dòng; hãy chia thành nhiều tệp"),
            ));
        }
    }
    Ok(out)
}

/// Columns read from the left: a list has a dozen; a used range reaching column XFD must
/// not make us allocate it.
const MAX_COLUMNS: usize = 64;

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<(u64, Vec<Cell>)>, SheetErrors> {
    use calamine::{DataRef, Reader, Xlsx};
    crate::limits::check_xlsx(bytes, &crate::limits::XLSX_LIMITS)?;
    let not_xlsx = |e: calamine::XlsxError| {
        SheetErrors::single(
            1,
            "",
            format!("không đọc được tệp .xlsx (tệp hỏng hoặc không phải .xlsx): {e}"),
        )
    };
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(not_xlsx)?;
    let Some(sheet) = workbook
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| s.name.clone())
    else {
        return Err(SheetErrors::single(
            1,
            "",
            "tệp .xlsx không có trang tính nào",
        ));
    };
    let mut reader = workbook.worksheet_cells_reader(&sheet).map_err(not_xlsx)?;
    let mut out: Vec<(u64, Vec<Cell>)> = Vec::new();
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                let line = out.last().map_or(1, |(l, _)| *l);
                return Err(SheetErrors::single(
                    line,
                    "",
                    format!("không đọc được trang tính: {e}"),
                ));
            }
        };
        let (r, c) = cell.get_position();
        let line = u64::from(r) + 1;
        if out.last().is_none_or(|(l, _)| *l != line) {
            if out.len() > MAX_LIST_ROWS + 1 {
                return Err(SheetErrors::single(
                    line,
                    "",
                    format!("tệp có hơn {MAX_LIST_ROWS} dòng; hãy chia thành nhiều tệp"),
                ));
            }
            out.push((line, Vec::new()));
        }
        let c = c as usize;
        if c >= MAX_COLUMNS {
            continue;
        }
        let value = match cell.get_value() {
            DataRef::Empty => Cell::Empty,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                Cell::Text(s.clone())
            }
            DataRef::SharedString(s) => Cell::Text((*s).to_string()),
            DataRef::Int(i) => Cell::Number(*i as f64),
            DataRef::Float(f) => Cell::Number(*f),
            DataRef::Bool(b) => Cell::Text(b.to_string()),
            DataRef::DateTime(dt) => dt
                .as_datetime()
                .map_or(Cell::Broken, |dt| Cell::Date(dt.date())),
            DataRef::Error(_) => Cell::Broken,
        };
        let row = &mut out.last_mut().expect("pushed above").1;
        if row.len() <= c {
            row.resize(c + 1, Cell::Empty);
        }
        row[c] = value;
    }
    Ok(out)
}

/// Finds the header (the first non-empty row), maps its columns and reads every row after.
fn assemble(rows: Vec<(u64, Vec<Cell>)>, layout: &ListLayout) -> Result<Vec<ListRow>, SheetErrors> {
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| *c != Cell::Empty));
    let Some((header_line, header)) = rows.next() else {
        return Err(SheetErrors::single(1, "", "tệp trống"));
    };
    let header: Vec<String> = header.iter().map(Cell::text).collect();
    let folded: Vec<String> = header.iter().map(|h| text::fold(h)).collect();
    // For each field, the index of its column and the header as the file wrote it.
    let mut index: Vec<(ListField, usize, String)> = Vec::new();
    let mut errors = SheetErrors::new();
    for (field, aliases) in &layout.columns {
        let wanted: Vec<String> = aliases.iter().map(|a| text::fold(a)).collect();
        match folded.iter().position(|h| wanted.contains(h)) {
            Some(i) => index.push((*field, i, header[i].clone())),
            None if layout.required.contains(field) => {
                errors.push(
                    header_line,
                    aliases.first().map_or(field.code(), String::as_str),
                    format!(
                        "thiếu cột bắt buộc (một trong các tên: {})",
                        aliases.join(", ")
                    ),
                );
            }
            None => {}
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for (line, cells) in rows {
        let get = |field: ListField| -> Option<(&Cell, &str)> {
            index
                .iter()
                .find(|(f, _, _)| *f == field)
                .map(|(_, i, name)| (cells.get(*i).unwrap_or(&Cell::Empty), name.as_str()))
        };
        let mut row = ListRow {
            line,
            reference: String::new(),
            citizen_id: None,
            full_name: String::new(),
            birth_year: None,
            village: None,
            valid_from: NaiveDate::MIN,
            valid_to: None,
            amount: None,
        };
        let mut ok = true;
        for field in ListField::ALL {
            let Some((cell, column)) = get(field) else {
                continue;
            };
            let value = cell.text();
            if *cell == Cell::Broken {
                ok &= errors.push(line, column, "ô lỗi trong bảng tính");
                continue;
            }
            if value.is_empty() {
                if layout.required.contains(&field) {
                    ok &= errors.push(line, column, "ô trống, cần có giá trị");
                    if !ok {
                        break;
                    }
                }
                continue;
            }
            let problem: Option<String> = match field {
                ListField::Reference => {
                    row.reference = value;
                    None
                }
                ListField::FullName => {
                    row.full_name = value;
                    None
                }
                ListField::Village => {
                    row.village = Some(value);
                    None
                }
                ListField::CitizenId => {
                    let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                    // A number cell loses the leading zero of a twelve-digit citizen ID.
                    let digits = if digits.len() == 11 && matches!(cell, Cell::Number(_)) {
                        format!("0{digits}")
                    } else {
                        digits
                    };
                    if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
                        row.citizen_id = Some(digits);
                        None
                    } else {
                        Some("số CCCD phải có đúng 12 chữ số".into())
                    }
                }
                ListField::BirthYear => match birth_year(cell, &value) {
                    Ok(y) => {
                        row.birth_year = Some(y);
                        None
                    }
                    Err(e) => Some(e),
                },
                ListField::ValidFrom | ListField::ValidTo => match date(cell, &value) {
                    Ok(d) => {
                        if field == ListField::ValidFrom {
                            row.valid_from = d;
                        } else {
                            row.valid_to = Some(d);
                        }
                        None
                    }
                    Err(e) => Some(e),
                },
                ListField::Amount => {
                    let digits: String = value
                        .chars()
                        .filter(|c| !matches!(c, '.' | ',' | ' '))
                        .collect();
                    match digits.parse::<i64>() {
                        Ok(n) if n >= 0 => {
                            row.amount = Some(n);
                            None
                        }
                        _ => Some(format!("số tiền «{value}» không phải số nguyên không âm")),
                    }
                }
            };
            if let Some(reason) = problem {
                ok &= errors.push(line, column, reason);
                if !ok {
                    break;
                }
            }
        }
        if let (Some(to), Some((_, column))) = (row.valid_to, get(ListField::ValidTo))
            && to < row.valid_from
        {
            errors.push(line, column, "ngày kết thúc trước ngày bắt đầu");
        }
        if errors.truncated {
            break;
        }
        out.push(row);
    }
    errors.into_result(out)
}

fn date(cell: &Cell, value: &str) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => Ok(*d),
        // A date typed into a cell formatted as a number arrives as Excel's day count.
        Cell::Number(n) if (1.0..2_958_466.0).contains(n) => NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|base| base.checked_add_days(chrono::Days::new(*n as u64)))
            .ok_or_else(|| format!("ngày «{value}» không hợp lệ")),
        _ => crate::households::parse_date(value),
    }
}

fn birth_year(cell: &Cell, value: &str) -> Result<i32, String> {
    let year = if value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()) {
        value.parse::<i32>().ok()
    } else {
        date(cell, value).ok().map(|d| d.year())
    };
    match year {
        Some(y) if (1900..=2100).contains(&y) => Ok(y),
        _ => Err(format!(
            "năm sinh «{value}» không hợp lệ (cần năm yyyy hoặc ngày dd/mm/yyyy)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn layout() -> ListLayout {
        ListLayout {
            columns: vec![
                (ListField::Reference, vec!["Mã thẻ".into()]),
                (ListField::CitizenId, vec!["Số CCCD".into()]),
                (ListField::FullName, vec!["Họ và tên".into()]),
                (ListField::BirthYear, vec!["Năm sinh".into()]),
                (ListField::Village, vec!["Thôn".into()]),
                (ListField::ValidFrom, vec!["Từ ngày".into()]),
                (ListField::ValidTo, vec!["Đến ngày".into()]),
            ],
            required: vec![
                ListField::Reference,
                ListField::FullName,
                ListField::ValidFrom,
            ],
        }
    }

    #[test]
    fn reads_a_card_list_with_folded_headers() {
        let csv = "ma the,SỐ CCCD,Họ Và Tên,năm sinh,thôn,từ ngày,đến ngày\n\
                   HN4424212345678,042185000123,Hồ Thị Lan,1985,Trung Hòa,01/01/2026,31/12/2026\n";
        let rows = read_benefit_list(csv.as_bytes(), FileKind::Csv, &layout()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].citizen_id.as_deref(), Some("042185000123"));
        assert_eq!(rows[0].birth_year, Some(1985));
        assert_eq!(rows[0].valid_to, NaiveDate::from_ymd_opt(2026, 12, 31));
    }

    #[test]
    fn a_bad_row_is_named_by_line_and_column() {
        let csv = "Mã thẻ,Số CCCD,Họ và tên,Năm sinh,Thôn,Từ ngày,Đến ngày\n\
                   A1,042185000123,An,1985,X,01/01/2026,\n\
                   A2,12345,Bình,1990,X,31/02/2026,\n";
        let err = read_benefit_list(csv.as_bytes(), FileKind::Csv, &layout()).unwrap_err();
        let text: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
        assert!(
            text.contains(&"dòng 3, cột «Số CCCD»: số CCCD phải có đúng 12 chữ số".to_string()),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.starts_with("dòng 3, cột «Từ ngày»")),
            "{text:?}"
        );
        assert_eq!(err.errors.len(), 2);
    }

    #[test]
    fn a_missing_column_is_named() {
        let csv = "Số CCCD,Họ và tên\n042185000123,An\n";
        let err = read_benefit_list(csv.as_bytes(), FileKind::Csv, &layout()).unwrap_err();
        assert!(
            err.errors
                .iter()
                .any(|e| e.line == 1 && e.column == "Mã thẻ")
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let _ = read_benefit_list(&bytes, FileKind::Csv, &layout());
            let _ = read_benefit_list(&bytes, FileKind::Xlsx, &layout());
        }

        #[test]
        fn arbitrary_text_rows_never_panic(cells in proptest::collection::vec("[^\n]{0,20}", 0..40)) {
            let mut csv = String::from("Mã thẻ,Số CCCD,Họ và tên,Năm sinh,Thôn,Từ ngày,Đến ngày\n");
            for chunk in cells.chunks(7) {
                csv.push_str(&chunk.join(","));
                csv.push('\n');
            }
            let _ = read_benefit_list(csv.as_bytes(), FileKind::Csv, &layout());
        }
    }
}
