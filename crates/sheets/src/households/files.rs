//! Reading a whole households file, CSV or .xlsx, into households: the size, encoding and
//! format checks before any row, then each row through the [`Assembler`].

use super::{
    Assembler, ImportedHousehold, In, MAX_COLUMNS, MAX_FILE_BYTES, OLE_MAGIC, SHEET_NAME, ZIP_MAGIC,
};
use crate::error::SheetErrors;
use giamngheo_domain::text;
use std::borrow::Cow;

fn too_large(bytes: &[u8]) -> Result<(), SheetErrors> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SheetErrors::single(
            1,
            "",
            format!(
                "tệp lớn {} MB, vượt giới hạn {} MB; hãy chia thành nhiều tệp (ví dụ theo xã)",
                bytes.len().div_ceil(1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(())
}

/// Reads a households CSV file: UTF-8 (with or without a byte-order mark), separated by
/// commas, or by semicolons or tabs as some spreadsheet programs save.
pub fn read_households_csv(bytes: &[u8]) -> Result<Vec<ImportedHousehold>, SheetErrors> {
    too_large(bytes)?;
    refuse_workbooks(bytes)?;
    let text = decode_utf8(bytes)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = delimiter_of(text.lines().next().unwrap_or(""));
    let lines = crate::error::Lines::new(text.as_bytes());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    // The header is the first line that is not blank.
    let mut assembler = loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Err(SheetErrors::single(1, "", "tệp trống")),
            Ok(true) if record.iter().all(|c| c.trim().is_empty()) => continue,
            Ok(true) => {
                let line = lines.of(record.position()).max(1);
                break Assembler::new(line, record.iter().map(Cow::Borrowed))?;
            }
            Err(e) => {
                let c = crate::error::csv_error(&e, &lines);
                return Err(SheetErrors::single(c.line.max(1), "", c.reason));
            }
        }
    };
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.of(record.position());
                let cells: Vec<In<'_>> = record.iter().map(In::Text).collect();
                if !assembler.row(line, &cells) {
                    break;
                }
            }
            Err(e) => {
                let c = crate::error::csv_error(&e, &lines);
                if !assembler.errors.push(c.line, "", c.reason) {
                    break;
                }
            }
        }
    }
    assembler.finish()
}

/// Refuses a workbook given as CSV, from the first bytes of the file.
pub(super) fn refuse_workbooks(head: &[u8]) -> Result<(), SheetErrors> {
    if head.starts_with(ZIP_MAGIC) {
        return Err(SheetErrors::single(
            1,
            "",
            "đây là tệp Excel (.xlsx), không phải CSV; hãy tải lên với đuôi .xlsx",
        ));
    }
    if head.starts_with(OLE_MAGIC) {
        return Err(SheetErrors::single(
            1,
            "",
            "đây là tệp Excel cũ (.xls); hãy lưu lại dạng .xlsx hoặc CSV UTF-8",
        ));
    }
    Ok(())
}

/// The separator a spreadsheet program used: the one the header line holds most of,
/// the comma when tied.
pub(super) fn delimiter_of(first_line: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (first_line.bytes().filter(|&b| b == d).count(), d == b','))
        .expect("three candidates")
}

/// Checks the encoding before anything else, so that a file saved in a legacy code page
/// gets one clear message instead of a wrong letter on every line.
pub(super) fn decode_utf8(bytes: &[u8]) -> Result<&str, SheetErrors> {
    const ADVICE: &str = "hãy mở tệp trong Excel hoặc LibreOffice và lưu dạng «CSV UTF-8»";
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || {
        // UTF-16 without a byte-order mark still has a zero byte beside every ASCII one.
        let head = &bytes[..bytes.len().min(512)];
        head.len() >= 4 && head.iter().filter(|&&b| b == 0).count() * 4 >= head.len()
    } {
        return Err(SheetErrors::single(
            1,
            "",
            format!("tệp không phải UTF-8 (đang là UTF-16, kiểu «Unicode Text»); {ADVICE}"),
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count() as u64;
        SheetErrors::single(
            line,
            "",
            format!(
                "tệp không phải UTF-8 (có thể là Windows-1258 hoặc TCVN3, chữ có dấu sẽ bị sai); {ADVICE}"
            ),
        )
    })
}

/// Reads a households workbook (.xlsx): the sheet named «Hộ gia đình» when there is one,
/// otherwise the first worksheet. Lines are the spreadsheet's row numbers.
///
/// Cells are streamed rather than loaded as one rectangle: a small file whose used range
/// claims a million rows by sixteen thousand columns must not allocate them. What the
/// archive unpacks to is checked first ([`crate::limits`]).
pub fn read_households_xlsx(bytes: &[u8]) -> Result<Vec<ImportedHousehold>, SheetErrors> {
    use calamine::{DataRef, Reader, SheetType, Xlsx};
    too_large(bytes)?;
    if bytes.starts_with(OLE_MAGIC) {
        return Err(SheetErrors::single(
            1,
            "",
            "đây là tệp Excel cũ (.xls); hãy lưu lại dạng .xlsx",
        ));
    }
    // Before calamine, which holds strings in memory whole: a small file may unpack to
    // gigabytes.
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
    let wanted = text::fold(SHEET_NAME);
    let sheets = workbook.sheets_metadata();
    let Some(sheet) = sheets
        .iter()
        .find(|s| text::fold(&s.name) == wanted)
        .or_else(|| sheets.iter().find(|s| s.typ == SheetType::WorkSheet))
        .map(|s| s.name.clone())
    else {
        return Err(SheetErrors::single(
            1,
            "",
            "tệp .xlsx không có trang tính nào",
        ));
    };
    let mut reader = workbook.worksheet_cells_reader(&sheet).map_err(not_xlsx)?;

    let mut assembler: Option<Assembler> = None;
    let mut row: Vec<DataRef<'_>> = Vec::new();
    let mut row_index: Option<u32> = None;
    // Hands a finished row to the assembler (or makes it the header); false stops.
    let flush = |row_index: u32,
                 row: &mut Vec<DataRef<'_>>,
                 assembler: &mut Option<Assembler>|
     -> Result<bool, SheetErrors> {
        let line = u64::from(row_index) + 1;
        let cells: Vec<In<'_>> = row.iter().map(xlsx_cell).collect();
        let go_on = match assembler {
            // A cell right of the table in a spreadsheet is a remark beside it, not a
            // shifted row as in CSV.
            Some(a) => a.row(line, &cells[..cells.len().min(a.header_width)]),
            None if cells.iter().all(In::is_empty) => true,
            None => {
                *assembler = Some(Assembler::new(line, cells.iter().map(|c| c.text()))?);
                true
            }
        };
        row.clear();
        Ok(go_on)
    };
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                let line = row_index.map_or(1, |r| u64::from(r) + 1);
                let reason = format!("không đọc được trang tính: {e}");
                match &mut assembler {
                    Some(a) => {
                        a.errors.push(line, "", reason);
                    }
                    None => return Err(SheetErrors::single(line, "", reason)),
                }
                break;
            }
        };
        let (r, c) = cell.get_position();
        if row_index != Some(r) {
            if let Some(previous) = row_index
                && !flush(previous, &mut row, &mut assembler)?
            {
                row_index = None;
                break;
            }
            row_index = Some(r);
        }
        let c = c as usize;
        if c < MAX_COLUMNS {
            if row.len() <= c {
                row.resize(c + 1, DataRef::Empty);
            }
            row[c] = cell.get_value().clone();
        }
    }
    if let Some(last) = row_index {
        flush(last, &mut row, &mut assembler)?;
    }
    match assembler {
        Some(a) => a.finish(),
        None => Err(SheetErrors::single(1, "", "tệp trống")),
    }
}

/// An .xlsx cell as the readers see it.
fn xlsx_cell<'a>(d: &'a calamine::DataRef<'_>) -> In<'a> {
    use calamine::DataRef;
    match d {
        DataRef::Empty => In::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => In::Text(s),
        DataRef::SharedString(s) => In::Text(s),
        DataRef::Int(i) => In::Number(*i as f64),
        DataRef::Float(f) => In::Number(*f),
        DataRef::Bool(b) => In::Bool(*b),
        DataRef::DateTime(dt) => dt
            .as_datetime()
            .map_or(In::Broken, |dt| In::Date(dt.date())),
        DataRef::Error(_) => In::Broken,
    }
}
