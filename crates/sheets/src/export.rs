//! The household list as a file: one line per member with its household's code, village,
//! address and current status, in .xlsx or CSV. What goes in (which households, whether
//! citizen IDs are masked) is decided by the app layer; this module only writes.
//!
//! A cell of a CSV file that starts with `=`, `+`, `-`, `@` or a tab is run as a formula
//! by a spreadsheet that opens it; names and addresses come from the public, so every
//! CSV row is written through [`crate::csv_out`], the guard every CSV of the product
//! uses. The .xlsx writer stores text as text, never as a formula.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One member's line of the export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportLine {
    pub household_code: String,
    pub village: String,
    pub address: String,
    /// The household's current status in words, or empty when it has none.
    pub status: String,
    pub full_name: String,
    pub relation: String,
    pub birth_year: i32,
    /// Masked (`*********123`) for a role that may not see it.
    pub citizen_id: String,
    /// Health insurance (BHYT) card number, masked like the citizen ID.
    pub insurance_number: String,
}

/// The column headings, in Vietnamese.
pub const HEADINGS: [&str; 9] = [
    "Mã hộ",
    "Thôn",
    "Địa chỉ",
    "Tình trạng hiện tại",
    "Họ và tên",
    "Quan hệ với chủ hộ",
    "Năm sinh",
    "Số CCCD",
    "Số thẻ BHYT",
];

fn cells(l: &ExportLine) -> [String; 9] {
    [
        l.household_code.clone(),
        l.village.clone(),
        l.address.clone(),
        l.status.clone(),
        l.full_name.clone(),
        l.relation.clone(),
        l.birth_year.to_string(),
        l.citizen_id.clone(),
        l.insurance_number.clone(),
    ]
}

/// The export as CSV (UTF-8 with a byte-order mark, which spreadsheets need to read
/// Vietnamese correctly), every row through [`crate::csv_out::write_row`].
pub fn households_csv(lines: &[ExportLine]) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(HEADINGS);
    for l in lines {
        let _ = crate::csv_out::write_row(&mut w, cells(l));
    }
    out.extend(w.into_inner().unwrap_or_default());
    out
}

/// The export as an .xlsx workbook with one sheet; codes and numbers are text, so that
/// leading zeros of a citizen ID survive.
pub fn households_xlsx(lines: &[ExportLine]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách hộ")?;
    let bold = Format::new().set_bold();
    for (c, h) in HEADINGS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, l) in lines.iter().enumerate() {
        let row = r as u32 + 1;
        for (c, v) in cells(l).iter().enumerate() {
            if c == 6 {
                sheet.write_number(row, c as u16, l.birth_year)?;
            } else {
                sheet.write_string(row, c as u16, v)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_look_like_formulas_are_kept_as_text() {
        let guarded = |s: &str| {
            String::from_utf8(crate::csv_out::safe_field(s.as_bytes()).into_owned()).unwrap()
        };
        assert_eq!(guarded("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guarded("-1+2"), "'-1+2");
        assert_eq!(guarded("Nguyễn Văn An"), "Nguyễn Văn An");
        let line = ExportLine {
            full_name: "@SUM(A1)".into(),
            ..ExportLine::default()
        };
        let text = String::from_utf8(households_csv(&[line])).unwrap();
        assert!(text.contains("'@SUM(A1)"), "{text}");
    }
}
