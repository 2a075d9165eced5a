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

/// Turns a reader error into a located problem.
pub(crate) fn csv_error(e: &csv::Error) -> CellError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
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
