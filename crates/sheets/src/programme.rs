//! The finance department's disbursement sheet (.xlsx): one disbursement per row, with
//! a header row naming the columns by code or by their Vietnamese heading. Every problem
//! is named by line and column, and a sheet with any problem is refused whole.

use crate::error::SheetErrors;
use giamngheo_domain::text;

/// One row of the sheet, read and checked for its shape (codes are checked by the app).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisbursementRow {
    /// The spreadsheet's row number (1 is the header).
    pub line: u64,
    pub unit: String,
    pub year: i32,
    pub project: String,
    pub source: String,
    pub amount: u64,
    pub date: chrono::NaiveDate,
    pub document_number: Option<String>,
    pub note: Option<String>,
}

/// The columns: code, then the Vietnamese headings accepted for it; required first.
const COLUMNS: [(&str, &[&str]); 8] = [
    ("unit", &["mã xã", "ma xa", "mã đơn vị"]),
    ("year", &["năm"]),
    ("project", &["dự án", "mã dự án"]),
    ("source", &["nguồn vốn", "mã nguồn vốn"]),
    ("amount", &["số tiền", "số tiền (đồng)"]),
    ("date", &["ngày", "ngày giải ngân"]),
    ("document_number", &["số chứng từ", "số văn bản"]),
    ("note", &["ghi chú"]),
];
const REQUIRED: usize = 6;

/// The largest number of rows read: a province's year of disbursements fits well below.
pub const MAX_ROWS: usize = 100_000;

fn column_of(heading: &str) -> Option<usize> {
    let folded = text::fold(heading.trim());
    COLUMNS
        .iter()
        .position(|(code, names)| folded == *code || names.iter().any(|n| text::fold(n) == folded))
}

/// A cell as text: numbers without a fraction written as integers, dates as dd/mm/yyyy.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        Data::Error(_) => "#ERROR".into(),
    }
}

fn parse_amount(text: &str) -> Result<u64, String> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("«{text}» không phải số tiền (đồng, số nguyên)"));
    }
    match digits.parse::<u64>() {
        Ok(0) => Err("số tiền phải lớn hơn 0".into()),
        Ok(n) => Ok(n),
        Err(_) => Err("số tiền quá lớn".into()),
    }
}

/// Reads the first worksheet of a disbursement workbook.
pub fn read_disbursements_xlsx(bytes: &[u8]) -> Result<Vec<DisbursementRow>, SheetErrors> {
    use calamine::{Reader, Xlsx};
    crate::limits::check_xlsx(bytes, &crate::limits::XLSX_LIMITS)?;
    let not_xlsx = |e: calamine::XlsxError| {
        SheetErrors::single(
            1,
            "",
            format!("không đọc được tệp .xlsx (tệp hỏng hoặc không phải .xlsx): {e}"),
        )
    };
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(not_xlsx)?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(SheetErrors::single(
            1,
            "",
            "tệp .xlsx không có trang tính nào",
        ));
    };
    let range = book.worksheet_range(&sheet).map_err(not_xlsx)?;
    let first_row = u64::from(range.start().map(|(r, _)| r).unwrap_or(0));
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Err(SheetErrors::single(1, "", "tệp trống"));
    };
    let header_line = first_row + 1;
    let mut errors = SheetErrors::new();
    let mut index: [Option<usize>; 8] = [None; 8];
    for (i, cell) in header.iter().enumerate() {
        if let Some(c) = column_of(&cell_text(cell))
            && index[c].is_none()
        {
            index[c] = Some(i);
        }
    }
    for (c, (code, names)) in COLUMNS.iter().enumerate().take(REQUIRED) {
        if index[c].is_none() {
            errors.push(
                header_line,
                code,
                format!("thiếu cột «{}» ({code})", names[0]),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for (n, row) in rows.enumerate() {
        let line = header_line + 1 + n as u64;
        let get = |c: usize| {
            index[c]
                .and_then(|i| row.get(i))
                .map(cell_text)
                .unwrap_or_default()
        };
        if (0..COLUMNS.len()).all(|c| get(c).is_empty()) {
            continue;
        }
        if out.len() >= MAX_ROWS {
            errors.push(line, "", format!("tệp có hơn {MAX_ROWS} dòng"));
            break;
        }
        let mut missing = false;
        for (c, (code, _)) in COLUMNS.iter().enumerate().take(REQUIRED) {
            if get(c).is_empty() {
                errors.push(line, code, "thiếu giá trị");
                missing = true;
            }
        }
        if missing {
            continue;
        }
        let year = get(1).parse::<i32>().map_err(|_| {
            errors.push(line, "year", format!("năm «{}» không hợp lệ", get(1)));
        });
        let amount = parse_amount(&get(4)).map_err(|e| {
            errors.push(line, "amount", e);
        });
        let date = crate::units::parse_date(&get(5)).map_err(|e| {
            errors.push(line, "date", e);
        });
        let (Ok(year), Ok(amount), Ok(date)) = (year, amount, date) else {
            continue;
        };
        let optional = |c: usize| Some(get(c)).filter(|s| !s.is_empty());
        out.push(DisbursementRow {
            line,
            unit: get(0),
            year,
            project: get(2),
            source: get(3),
            amount,
            date,
            document_number: optional(6),
            note: optional(7),
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(header_line + 1, "", "tệp không có dòng giải ngân nào");
    }
    errors.into_result(out)
}

/// The list behind one figure of a programme report, as an .xlsx workbook: the title,
/// the unit and year, the headings, one row per line with its figure as a number, and
/// the total (the report's figure). Text cells stay text, so codes keep their zeros.
pub fn figure_list_xlsx(
    title: &str,
    subtitle: &str,
    headings: &[String],
    figure_heading: &str,
    lines: &[(Vec<String>, i64)],
    total: i64,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sach")?;
    let bold = Format::new().set_bold();
    let amount = Format::new().set_num_format("#,##0");
    let bold_amount = Format::new().set_bold().set_num_format("#,##0");
    sheet.write_string_with_format(0, 0, title, &bold)?;
    sheet.write_string(1, 0, subtitle)?;
    let figure_col = headings.len() as u16;
    for (c, h) in headings.iter().enumerate() {
        sheet.write_string_with_format(3, c as u16, h, &bold)?;
    }
    sheet.write_string_with_format(3, figure_col, figure_heading, &bold)?;
    for (r, (cells, figure)) in lines.iter().enumerate() {
        let row = r as u32 + 4;
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(row, c as u16, v)?;
            }
        }
        sheet.write_number_with_format(row, figure_col, *figure as f64, &amount)?;
    }
    let row = lines.len() as u32 + 4;
    sheet.write_string_with_format(row, 0, "Tổng cộng", &bold)?;
    sheet.write_number_with_format(row, figure_col, total as f64, &bold_amount)?;
    sheet.set_freeze_panes(4, 0)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn book(rows: &[&[&str]]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_sheet_with_vietnamese_headings_is_read() {
        let bytes = book(&[
            &[
                "Mã xã",
                "Năm",
                "Dự án",
                "Nguồn vốn",
                "Số tiền",
                "Ngày",
                "Số chứng từ",
            ],
            &[
                "18001",
                "2026",
                "c2",
                "central",
                "1.500.000",
                "20/02/2026",
                "PC-01",
            ],
        ]);
        let rows = read_disbursements_xlsx(&bytes).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].amount, 1_500_000);
        assert_eq!(rows[0].document_number.as_deref(), Some("PC-01"));
    }

    #[test]
    fn every_problem_is_named_by_line_and_column() {
        let bytes = book(&[
            &["unit", "year", "project", "source", "amount", "date"],
            &["18001", "2026", "c2", "central", "1,5", "20/02/2026"],
            &["18001", "", "c2", "central", "100", "31/02/2026"],
        ]);
        let errors = read_disbursements_xlsx(&bytes).unwrap_err();
        let text: Vec<String> = errors.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            text,
            [
                "dòng 2, cột «amount»: «1,5» không phải số tiền (đồng, số nguyên)",
                "dòng 3, cột «year»: thiếu giá trị",
            ]
        );
        let missing = read_disbursements_xlsx(&book(&[&["unit", "year"]])).unwrap_err();
        assert_eq!(missing.errors[0].column, "project");
    }
}
