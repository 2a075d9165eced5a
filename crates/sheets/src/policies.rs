//! Policy coverage as files: the coverage rows (CSV, .xlsx) and the list of eligible
//! people not covered (.xlsx, CSV) that a commune acts on. What goes in (which rows,
//! whether names and citizen IDs are shown) is decided by the app layer; this module only
//! writes. CSV rows go through [`crate::csv_out`]; the .xlsx writer stores text as text.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One policy in one unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoverageLine {
    pub policy: String,
    pub policy_name: String,
    pub unit: String,
    pub unit_name: String,
    /// `person` or `household`.
    pub counts: String,
    pub eligible: i64,
    pub covered: i64,
    pub not_covered: i64,
    pub rate: f64,
}

/// One eligible person (or household) not covered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UncoveredLine {
    pub village_code: String,
    pub household_code: String,
    pub head_name: String,
    pub member_name: String,
    pub citizen_id: String,
    pub eligible_as: String,
}

const COVERAGE_HEADINGS: [&str; 9] = [
    "policy",
    "Chính sách",
    "unit",
    "Đơn vị",
    "Đếm theo",
    "Đối tượng được hưởng",
    "Đã được hưởng",
    "Chưa được hưởng",
    "Tỷ lệ (%)",
];

const UNCOVERED_HEADINGS: [&str; 6] = [
    "Mã thôn",
    "Mã hộ",
    "Chủ hộ",
    "Người được hưởng",
    "Số CCCD",
    "Thuộc diện",
];

fn counts_vi(counts: &str) -> &'static str {
    if counts == "household" {
        "hộ"
    } else {
        "người"
    }
}

/// The coverage rows as CSV (UTF-8 with a byte-order mark, for spreadsheets).
pub fn coverage_csv(lines: &[CoverageLine]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(COVERAGE_HEADINGS);
    for l in lines {
        let cells = [
            l.policy.clone(),
            l.policy_name.clone(),
            l.unit.clone(),
            l.unit_name.clone(),
            counts_vi(&l.counts).to_string(),
            l.eligible.to_string(),
            l.covered.to_string(),
            l.not_covered.to_string(),
            format!("{:.2}", l.rate),
        ];
        let _ = crate::csv_out::write_row(&mut w, cells.iter().map(String::as_bytes));
    }
    out.extend(w.into_inner().unwrap_or_default());
    out
}

/// The coverage rows as an .xlsx workbook with one sheet; figures are numbers.
pub fn coverage_xlsx(lines: &[CoverageLine]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Bao phu chinh sach")?;
    let bold = Format::new().set_bold();
    for (c, h) in COVERAGE_HEADINGS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, l) in lines.iter().enumerate() {
        let row = r as u32 + 1;
        sheet.write_string(row, 0, &l.policy)?;
        sheet.write_string(row, 1, &l.policy_name)?;
        sheet.write_string(row, 2, &l.unit)?;
        sheet.write_string(row, 3, &l.unit_name)?;
        sheet.write_string(row, 4, counts_vi(&l.counts))?;
        sheet.write_number(row, 5, l.eligible as f64)?;
        sheet.write_number(row, 6, l.covered as f64)?;
        sheet.write_number(row, 7, l.not_covered as f64)?;
        sheet.write_number(row, 8, l.rate)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// The list of eligible people not covered as an .xlsx workbook; codes and IDs are text,
/// so that leading zeros survive.
pub fn uncovered_xlsx(title: &str, lines: &[UncoveredLine]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Chua duoc huong")?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, title, &bold)?;
    for (c, h) in UNCOVERED_HEADINGS.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *h, &bold)?;
    }
    for (r, l) in lines.iter().enumerate() {
        let row = r as u32 + 2;
        for (c, v) in [
            &l.village_code,
            &l.household_code,
            &l.head_name,
            &l.member_name,
            &l.citizen_id,
            &l.eligible_as,
        ]
        .into_iter()
        .enumerate()
        {
            sheet.write_string(row, c as u16, v)?;
        }
    }
    sheet.set_freeze_panes(2, 0)?;
    book.save_to_buffer()
}
