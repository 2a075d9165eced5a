//! Errors that point at a place in a file.

use std::fmt;

/// One problem at one place of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// Line number in the file, 1 being the header line.
    pub line: u64,
    /// The column name from the header, or empty when the problem is the whole line.
    pub column: String,
    pub reason: String,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "dòng {}: {}", self.line, self.reason)
        } else {
            write!(
                f,
                "dòng {}, cột «{}»: {}",
                self.line, self.column, self.reason
            )
        }
    }
}

/// All problems found in a file. A file with any problem is refused whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SheetErrors {
    pub errors: Vec<CellError>,
    /// True when reading stopped early because there were too many problems to list.
    pub truncated: bool,
}

impl SheetErrors {
    /// How many problems are listed before reading stops: enough to fix a file in one go,
    /// not so many that a wrong file floods the screen.
    pub const LIMIT: usize = 200;

    pub fn new() -> Self {
        SheetErrors {
            errors: Vec::new(),
            truncated: false,
        }
    }

    pub fn single(line: u64, column: &str, reason: impl Into<String>) -> Self {
        let mut e = SheetErrors::new();
        e.push(line, column, reason);
        e
    }

    /// Records a problem; returns false once the limit is reached.
    pub fn push(&mut self, line: u64, column: &str, reason: impl Into<String>) -> bool {
        if self.errors.len() >= Self::LIMIT {
            self.truncated = true;
            return false;
        }
        self.errors.push(CellError {
            line,
            column: column.to_string(),
            reason: reason.into(),
        });
        true
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn into_result<T>(self, value: T) -> Result<T, SheetErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl Default for SheetErrors {
    fn default() -> Self {
        SheetErrors::new()
    }
}

impl fmt::Display for SheetErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tệp bị từ chối, không có gì được ghi ({} lỗi)",
            self.errors.len()
        )?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        if self.truncated {
            write!(f, "\n  … và còn lỗi khác")?;
        }
        Ok(())
    }
}

/// Column lookup by header name, shared by the CSV readers.
pub(crate) struct Header {
    names: Vec<String>,
}

impl Header {
    pub(crate) fn new(record: &csv::StringRecord) -> Self {
        Header {
            names: record
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    // A UTF-8 byte-order mark, which spreadsheet programs write, must not
                    // become part of the first column's name.
                    let h = if i == 0 {
                        h.trim_start_matches('\u{feff}')
                    } else {
                        h
                    };
                    h.trim().to_lowercase()
                })
                .collect(),
        }
    }

    pub(crate) fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// Finds the physical line of a CSV record in a file held in memory.
///
/// The csv reader's `Position::line()` is the line where the previous record ended: when
/// blank lines come before a record (the reader skips them) it names the first blank line,
/// one or more lines too early. The record starts after the line ends at that position.
pub(crate) struct Lines<'a> {
    bytes: &'a [u8],
}

impl<'a> Lines<'a> {
    /// `bytes` must be what the csv reader reads, so that its byte offsets index them.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Lines { bytes }
    }

    /// The line (1 = the file's first line) where the record at `position` starts.
    pub(crate) fn of(&self, position: Option<&csv::Position>) -> u64 {
        let Some(p) = position else { return 0 };
        let at = usize::try_from(p.byte())
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        p.line() + leading_line_ends(&self.bytes[at..]).0
    }
}

/// The lines ended by the CR and LF bytes that `bytes` starts with, and whether nothing
/// else follows them in `bytes`. A reader that streams a file adds this to the csv
/// reader's line, reading on from the record's byte offset while `bytes` is all line ends.
pub fn leading_line_ends(bytes: &[u8]) -> (u64, bool) {
    let run = bytes
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(bytes.len());
    let lines = bytes[..run].iter().filter(|&&b| b == b'\n').count() as u64;
    (lines, run == bytes.len())
}

/// Turns a reader error into a located problem.
pub(crate) fn csv_error(e: &csv::Error, lines: &Lines<'_>) -> CellError {
    let line = lines.of(e.position());
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "tệp không phải UTF-8 (hãy lưu tệp dạng CSV UTF-8)".to_string()
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("dòng có {len} cột, tiêu đề có {expected_len} cột"),
        _ => format!("không đọc được tệp CSV: {e}"),
    };
    CellError {
        line,
        column: String::new(),
        reason,
    }
}
