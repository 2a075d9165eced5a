//! XLSForm workbooks for ODK Collect and KoboCollect, their CSV attachments, and the .zip
//! they travel in. What the form asks is decided by the app layer (from the review's
//! standard); this module only writes the sheets the XLSForm specification names
//! (`survey`, `choices`, `settings`), every cell as text, and reads a .zip back within
//! limits for the submissions' exports.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::io::{Read, Write};

/// One sheet of an XLSForm: its name, its header row and its rows, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormSheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Writes the sheets as one workbook. Every cell is a string: a name such as `score_a`
/// or a constraint such as `. >= 0` must reach pyxform exactly as written, never as a
/// number or a formula.
pub fn workbook(sheets: &[FormSheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for s in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(&s.name)?;
        for (c, h) in s.header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(r as u32 + 1, c as u16, v)?;
                }
            }
        }
    }
    book.save_to_buffer()
}

/// A CSV attachment: UTF-8 without a byte-order mark (ODK Collect reads the first
/// column name with the mark as part of it), every row through the formula guard.
pub fn attachment_csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = crate::csv_out::write_row(&mut w, r);
    }
    w.into_inner().unwrap_or_default()
}

/// Packs files into one .zip (deflated), in the order given.
pub fn zip_files(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        out.start_file(name.as_str(), options)?;
        out.write_all(bytes)?;
    }
    Ok(out.finish()?.into_inner())
}

/// Why a .zip could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipReadError {
    #[error("không đọc được tệp .zip (tệp hỏng hoặc không phải .zip): {0}")]
    Corrupt(String),
    #[error("tệp .zip khi giải nén vượt quá {0} MB")]
    TooLarge(u64),
}

/// Reads every file of a .zip into memory, refusing one that unpacks to more than
/// `max_bytes` in all (an export of a commune is a few megabytes; a zip bomb is not).
pub fn unzip(bytes: &[u8], max_bytes: u64) -> Result<Vec<(String, Vec<u8>)>, ZipReadError> {
    let corrupt = |e: &dyn std::fmt::Display| ZipReadError::Corrupt(e.to_string());
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
    let mut files = Vec::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| corrupt(&e))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| corrupt(&e))?.to_string();
        let mut data = Vec::new();
        let left = max_bytes.saturating_sub(total);
        entry
            .take(left + 1)
            .read_to_end(&mut data)
            .map_err(|e| corrupt(&e))?;
        total += data.len() as u64;
        if total > max_bytes {
            return Err(ZipReadError::TooLarge(max_bytes / (1024 * 1024)));
        }
        files.push((name, data));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_back_out_of_the_zip_as_they_went_in() {
        let files = vec![
            ("phieu_b.xlsx".to_string(), vec![1, 2, 3]),
            (
                "hh_18499001.csv".to_string(),
                "name,label\n".as_bytes().to_vec(),
            ),
        ];
        let zipped = zip_files(&files).unwrap();
        assert_eq!(unzip(&zipped, 1024).unwrap(), files);
        assert!(matches!(unzip(&zipped, 4), Err(ZipReadError::TooLarge(_))));
        assert!(matches!(
            unzip(b"not a zip", 1024),
            Err(ZipReadError::Corrupt(_))
        ));
    }

    #[test]
    fn an_attachment_guards_formulas_and_has_no_byte_order_mark() {
        let csv = attachment_csv(&["name", "label"], &[vec!["H1".into(), "=1+1".into()]]);
        assert_eq!(String::from_utf8(csv).unwrap(), "name,label\nH1,'=1+1\n");
    }
}
