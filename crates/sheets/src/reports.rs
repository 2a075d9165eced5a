//! Official report layouts as .xlsx and CSV: the national motto block, the unit block,
//! a title, merged header cells, the table, the place and date line and the signatures.
//!
//! The report's content (which columns, which figures) is decided by the app layer from
//! the report definitions; this module only lays a finished table out, so the screen,
//! the workbook and the print page cannot disagree on headings.
//!
//! Number formats: Excel takes the thousands and decimal separators of a format such as
//! `#,##0` from the reader's regional settings, so an English Windows would show
//! `1,500,000`. Counts therefore use conditional sections with literal dots
//! (`[>=1000000]#\.###\.##0;[>=1000]#\.##0;0`), which show `1.500.000` in every locale
//! and keep the cell a number. A decimal separator cannot be forced that way, so rates
//! use `[$-42A]0.00`: the Vietnamese language tag makes LibreOffice (and Excel on a
//! Vietnamese system) show `4,03`; an English Excel shows `4.03`.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// Counts: `1.500.000` whatever the reader's locale.
pub const COUNT_FORMAT: &str = r"[>=1000000]#\.###\.##0;[>=1000]#\.##0;0";
/// Rates with two decimals, Vietnamese decimal comma where the reader honours the tag.
pub const RATE_FORMAT: &str = "[$-42A]0.00";

/// How a column's figures are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    Count,
    Rate,
}

/// A column: its heading path from the top header row down (cells with the same path
/// prefix in adjacent columns are merged), and how its figures are written.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetColumn {
    pub heading: Vec<String>,
    pub kind: NumberKind,
}

/// A table row: a label and one value per column (`None` for an empty cell).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub label: String,
    pub values: Vec<Option<f64>>,
    /// Totals are bold.
    pub bold: bool,
}

/// One report as a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetReport {
    /// At most 31 characters; Excel refuses longer names.
    pub sheet_name: String,
    /// The issuing body, top left: ["UBND HUYỆN HƯƠNG KHÊ", "PHÒNG LAO ĐỘNG - TB&XH"].
    pub agency: Vec<String>,
    /// The national motto's two lines on the right, from the wording an administrator
    /// may correct (`common.motto` of the forms' wording file).
    pub motto: Vec<String>,
    /// A form number shown above the motto on the right ("Biểu số 01"), if any.
    pub form: Option<String>,
    pub title: String,
    /// Lines under the title: period, "as of" date, unit.
    pub subtitle: Vec<String>,
    /// Heading of the label column ("Đơn vị").
    pub label_heading: String,
    pub columns: Vec<SheetColumn>,
    /// Show a row of column numbers (A, 1, 2, …) under the headings, as official forms do.
    pub numbered: bool,
    pub rows: Vec<SheetRow>,
    /// Notes under the table.
    pub notes: Vec<String>,
    /// "Hương Khê, ngày 05 tháng 12 năm 2021".
    pub place_date: String,
    /// Signature blocks left to right: (title, hint).
    pub signers: Vec<(String, String)>,
}

/// Groups thousands with dots, as Vietnamese documents write numbers: `1.500.000`.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A figure as the report page, its print and the PDF write it: counts `1.500.000`,
/// rates with two decimals after a comma `4,03`, and `–` where a figure is undefined
/// (a rate of no households).
pub fn figure(value: Option<f64>, kind: NumberKind) -> String {
    match (value, kind) {
        (None, _) => "–".into(),
        (Some(x), NumberKind::Count) => number(x.round() as i64),
        (Some(x), NumberKind::Rate) => {
            // The sign is kept apart: "-0.50" would otherwise lose it in the integer part.
            let s = format!("{:.2}", x.abs());
            let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
            let sign = if x < 0.0 && s != "0.00" { "-" } else { "" };
            format!("{sign}{},{frac}", number(int.parse().unwrap_or(0)))
        }
    }
}

/// A header cell of the table, relative to the table's first header row and the label
/// column (column 0 is the label column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderCell {
    pub row: usize,
    pub col: usize,
    pub rows: usize,
    pub cols: usize,
    pub text: String,
}

/// The merged header cells of a table: the label column spans every header row; cells
/// that share a heading prefix are merged across; a heading shorter than the deepest one
/// spans down to the last header row. Returns the cells and the number of header rows.
pub fn header_cells(label: &str, columns: &[SheetColumn]) -> (Vec<HeaderCell>, usize) {
    let depth = columns
        .iter()
        .map(|c| c.heading.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let mut cells = vec![HeaderCell {
        row: 0,
        col: 0,
        rows: depth,
        cols: 1,
        text: label.to_string(),
    }];
    for level in 0..depth {
        let mut i = 0;
        while i < columns.len() {
            let heading = &columns[i].heading;
            if heading.len() <= level {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            // Merge across while the heading path up to this level is the same and the
            // neighbour is not a leaf where this one goes deeper (or the other way).
            while j < columns.len()
                && columns[j].heading.len() > level
                && columns[j].heading[..=level] == heading[..=level]
                && (level + 1 < heading.len()) == (level + 1 < columns[j].heading.len())
            {
                j += 1;
            }
            let leaf = level + 1 == heading.len();
            cells.push(HeaderCell {
                row: level,
                col: i + 1,
                rows: if leaf { depth - level } else { 1 },
                cols: if leaf { 1 } else { j - i },
                text: heading[level].clone(),
            });
            // A leaf is never merged across: two columns with the same full heading are
            // still two columns.
            i = if leaf { i + 1 } else { j };
        }
    }
    (cells, depth)
}

/// Writes one or more reports into a workbook, one sheet each.
pub fn xlsx(reports: &[SheetReport]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let font = "Times New Roman";
    let base = Format::new().set_font_name(font).set_font_size(11);
    let bold = base.clone().set_bold();
    let centre = base.clone().set_align(FormatAlign::Center);
    let centre_bold = bold.clone().set_align(FormatAlign::Center);
    let italic_centre = centre.clone().set_italic();
    let title = bold
        .clone()
        .set_font_size(13)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let header = bold
        .clone()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let number_row = italic_centre.clone().set_border(FormatBorder::Thin);
    let cell = base.clone().set_border(FormatBorder::Thin);
    let cell_bold = bold.clone().set_border(FormatBorder::Thin);
    let count = cell.clone().set_num_format(COUNT_FORMAT);
    let count_bold = cell_bold.clone().set_num_format(COUNT_FORMAT);
    let rate = cell.clone().set_num_format(RATE_FORMAT);
    let rate_bold = cell_bold.clone().set_num_format(RATE_FORMAT);

    let mut used = std::collections::HashSet::new();
    for report in reports {
        let sheet = workbook.add_worksheet();
        sheet.set_name(unique_sheet_name(&report.sheet_name, &mut used))?;
        sheet.set_landscape();
        // 9 is A4 in the paper sizes Excel numbers.
        sheet.set_paper_size(9);
        sheet.set_print_fit_to_pages(1, 0);
        let last_col = report.columns.len() as u16;
        sheet.set_column_width(0, 28)?;
        for c in 1..=last_col {
            sheet.set_column_width(c, 12)?;
        }
        // The top block: the agency on the left, the motto on the right.
        let split = (last_col / 3).max(1);
        let right_first = (split + 1).min(last_col);
        let mut row: u32 = 0;
        if let Some(form) = &report.form {
            write_span(sheet, row, right_first, last_col, form, &italic_centre)?;
            row += 1;
        }
        let agency_top = row;
        for (i, line) in report.agency.iter().enumerate() {
            let f = if i + 1 == report.agency.len() {
                &centre_bold
            } else {
                &centre
            };
            write_span(sheet, agency_top + i as u32, 0, split, line, f)?;
        }
        for (i, line) in report.motto.iter().enumerate() {
            write_span(
                sheet,
                agency_top + i as u32,
                right_first,
                last_col,
                line,
                &centre_bold,
            )?;
        }
        let block = report.agency.len().max(report.motto.len()).max(2);
        row = agency_top + block as u32 + 1;
        write_span(sheet, row, 0, last_col, &report.title, &title)?;
        row += 1;
        for line in &report.subtitle {
            write_span(sheet, row, 0, last_col, line, &italic_centre)?;
            row += 1;
        }
        row += 1;
        // The header, merged as the screen shows it.
        let (cells, depth) = header_cells(&report.label_heading, &report.columns);
        let header_top = row;
        for c in &cells {
            let r0 = header_top + c.row as u32;
            let r1 = r0 + c.rows as u32 - 1;
            let c0 = c.col as u16;
            let c1 = c0 + c.cols as u16 - 1;
            if r0 == r1 && c0 == c1 {
                sheet.write_string_with_format(r0, c0, &c.text, &header)?;
            } else {
                sheet.merge_range(r0, c0, r1, c1, &c.text, &header)?;
            }
        }
        row = header_top + depth as u32;
        if report.numbered {
            sheet.write_string_with_format(row, 0, "A", &number_row)?;
            for c in 1..=last_col {
                sheet.write_number_with_format(row, c, c as f64, &number_row)?;
            }
            row += 1;
        }
        sheet.set_repeat_rows(header_top, row - 1)?;
        for r in &report.rows {
            let (label_f, count_f, rate_f) = if r.bold {
                (&cell_bold, &count_bold, &rate_bold)
            } else {
                (&cell, &count, &rate)
            };
            sheet.write_string_with_format(row, 0, &r.label, label_f)?;
            for (i, v) in r.values.iter().enumerate() {
                let col = i as u16 + 1;
                let f = match report.columns.get(i).map(|c| c.kind) {
                    Some(NumberKind::Rate) => rate_f,
                    _ => count_f,
                };
                match v {
                    Some(v) => sheet.write_number_with_format(row, col, *v, f)?,
                    None => sheet.write_blank(row, col, f)?,
                };
            }
            row += 1;
        }
        for note in &report.notes {
            row += 1;
            sheet.merge_range(row, 0, row, last_col, note, &base.clone().set_italic())?;
        }
        // The place and date on the right, then the signatures.
        row += 2;
        write_span(
            sheet,
            row,
            right_first,
            last_col,
            &report.place_date,
            &italic_centre,
        )?;
        row += 1;
        let n = report.signers.len().max(1) as u16;
        let width = (last_col + 1) / n;
        for (i, (who, hint)) in report.signers.iter().enumerate() {
            let c0 = i as u16 * width;
            let c1 = if i as u16 + 1 == n {
                last_col
            } else {
                c0 + width - 1
            };
            write_span(sheet, row, c0, c1, who, &centre_bold)?;
            write_span(sheet, row + 1, c0, c1, hint, &italic_centre)?;
        }
    }
    workbook.save_to_buffer()
}

/// Writes text across columns `c0..=c1` of a row, merging when it spans more than one.
fn write_span(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    c0: u16,
    c1: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if c1 > c0 {
        sheet.merge_range(row, c0, row, c1, text, format)?;
    } else {
        sheet.write_string_with_format(row, c0, text, format)?;
    }
    Ok(())
}

/// Excel's sheet names: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    cleaned.chars().take(31).collect()
}

/// A sheet name not yet used in the workbook (Excel compares them without case): two
/// units whose names share their first 31 characters get " (2)", " (3)", ….
fn unique_sheet_name(name: &str, used: &mut std::collections::HashSet<String>) -> String {
    let base = sheet_name(name);
    let mut candidate = base.clone();
    let mut n = 2;
    while !used.insert(candidate.to_lowercase()) {
        let suffix = format!(" ({n})");
        let keep = 31 - suffix.chars().count();
        candidate = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
        n += 1;
    }
    candidate
}

/// The report as CSV: one header line with the heading paths joined by " - ", then the
/// rows; numbers plainly (`1500000`, `4.03`) so that programs read them back. Names
/// that could run as formulas are made text ([`crate::csv_out`]).
pub fn csv(report: &SheetReport) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec![report.label_heading.clone()];
    head.extend(report.columns.iter().map(|c| c.heading.join(" - ")));
    // Writing to a Vec cannot fail.
    let _ = crate::csv_out::write_row(&mut w, &head);
    for r in &report.rows {
        let mut line = vec![r.label.clone()];
        for (i, v) in r.values.iter().enumerate() {
            line.push(match (v, report.columns.get(i).map(|c| c.kind)) {
                (None, _) => String::new(),
                (Some(v), Some(NumberKind::Rate)) => format!("{v:.2}"),
                (Some(v), _) => format!("{}", v.round() as i64),
            });
        }
        let _ = crate::csv_out::write_row(&mut w, &line);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_csv_keeps_numbers_and_makes_formulas_text() {
        let report = SheetReport {
            sheet_name: "Báo cáo".into(),
            agency: Vec::new(),
            motto: Vec::new(),
            form: None,
            title: "Biến động".into(),
            subtitle: Vec::new(),
            label_heading: "Đơn vị".into(),
            columns: vec![
                SheetColumn {
                    heading: vec!["Tăng, giảm".into()],
                    kind: NumberKind::Count,
                },
                SheetColumn {
                    heading: vec!["Tỷ lệ".into()],
                    kind: NumberKind::Rate,
                },
            ],
            numbered: false,
            rows: vec![SheetRow {
                label: "=HYPERLINK(\"http://x\")".into(),
                values: vec![Some(-27.0), Some(-0.5)],
                bold: false,
            }],
            notes: Vec::new(),
            place_date: String::new(),
            signers: Vec::new(),
        };
        let text = String::from_utf8(csv(&report)).unwrap();
        assert_eq!(
            text,
            "Đơn vị,\"Tăng, giảm\",Tỷ lệ\n\"'=HYPERLINK(\"\"http://x\"\")\",-27,-0.50\n"
        );
    }

    #[test]
    fn figures_are_written_the_vietnamese_way() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1_500_000), "1.500.000");
        assert_eq!(number(-27_000), "-27.000");
        assert_eq!(figure(Some(1_500_000.0), NumberKind::Count), "1.500.000");
        assert_eq!(figure(Some(4.03), NumberKind::Rate), "4,03");
        assert_eq!(figure(Some(1234.5), NumberKind::Rate), "1.234,50");
        assert_eq!(figure(Some(-0.5), NumberKind::Rate), "-0,50");
        assert_eq!(figure(None, NumberKind::Rate), "–");
    }

    #[test]
    fn sheet_names_stay_unique_within_31_characters() {
        let mut used = std::collections::HashSet::new();
        let long = "Xã Hương Trạch thuộc huyện Hương Khê cũ";
        let first = unique_sheet_name(long, &mut used);
        let second = unique_sheet_name(long, &mut used);
        assert_eq!(first.chars().count(), 31);
        assert!(second.ends_with(" (2)") && second.chars().count() == 31);
        assert_eq!(unique_sheet_name("A/B", &mut used), "A-B");
    }

    fn col(h: &[&str]) -> SheetColumn {
        SheetColumn {
            heading: h.iter().map(|s| s.to_string()).collect(),
            kind: NumberKind::Count,
        }
    }

    #[test]
    fn shared_headings_are_merged_and_short_ones_span_down() {
        let cols = [
            col(&["Tổng số hộ"]),
            col(&["Hộ nghèo", "Số hộ"]),
            col(&["Hộ nghèo", "Tỷ lệ (%)"]),
            col(&["Hộ cận nghèo", "Số hộ"]),
        ];
        let (cells, depth) = header_cells("Đơn vị", &cols);
        assert_eq!(depth, 2);
        let find = |t: &str| cells.iter().find(|c| c.text == t).unwrap().clone();
        assert_eq!(
            find("Đơn vị"),
            HeaderCell {
                row: 0,
                col: 0,
                rows: 2,
                cols: 1,
                text: "Đơn vị".into()
            }
        );
        assert_eq!((find("Tổng số hộ").rows, find("Tổng số hộ").cols), (2, 1));
        assert_eq!((find("Hộ nghèo").col, find("Hộ nghèo").cols), (2, 2));
        assert_eq!(
            (find("Hộ cận nghèo").col, find("Hộ cận nghèo").cols),
            (4, 1)
        );
        assert_eq!(cells.iter().filter(|c| c.text == "Số hộ").count(), 2);
    }

    #[test]
    fn a_workbook_is_written() {
        let report = SheetReport {
            sheet_name: "Xã Điền Mỹ: 2021/2022".into(),
            agency: vec!["UBND HUYỆN HƯƠNG KHÊ".into()],
            motto: vec!["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into()],
            form: Some("Biểu số 01".into()),
            title: "KẾT QUẢ".into(),
            subtitle: vec!["Năm 2021".into()],
            label_heading: "Đơn vị".into(),
            columns: vec![col(&["Số hộ"])],
            numbered: true,
            rows: vec![SheetRow {
                label: "Tổng".into(),
                values: vec![Some(1_500_000.0)],
                bold: true,
            }],
            notes: vec![],
            place_date: "Hương Khê, ngày 05 tháng 12 năm 2021".into(),
            signers: vec![
                ("NGƯỜI LẬP BIỂU".into(), "(Ký, ghi rõ họ tên)".into()),
                ("THỦ TRƯỞNG ĐƠN VỊ".into(), "(Ký tên, đóng dấu)".into()),
            ],
        };
        let bytes = xlsx(std::slice::from_ref(&report)).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let text = String::from_utf8(csv(&report)).unwrap();
        assert_eq!(text, "Đơn vị,Số hộ\nTổng,1500000\n");
    }
}
