//! Limits on what a workbook may unpack to, checked before the spreadsheet reader sees it.
//!
//! An .xlsx file is a zip archive of XML parts, and deflate compresses a run of one
//! character about a thousand to one: a 1 MB upload can hold a 1 GB cell. The reader
//! (calamine) keeps every shared string and each cell's text in memory, so such a file
//! once took 3.5 GB and a minute, and two at once aborted the server.
//!
//! [`check_xlsx`] therefore inflates every part once, streaming through a small buffer,
//! and stops at the first limit crossed. It counts the bytes the parts really inflate to:
//! the sizes the archive's directory declares are written by whoever made the file and
//! prove nothing. Inside the XML parts it also measures each run of text between two tags
//! (a cell's or shared string's content) and each tag itself, because those are what the
//! reader holds in memory at once. Memory stays flat whatever the file claims; time is
//! bounded by the per-part and total caps.

use crate::error::SheetErrors;
use crate::reports::number;
use std::io::Read;

/// What a workbook may unpack to. [`XLSX_LIMITS`] is what the importers use; tests pass
/// smaller values to reach each limit with small files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XlsxLimits {
    /// Parts (files) in the archive. A workbook has a few dozen; the zip reader keeps a
    /// record of each in memory, so a directory of millions is refused before it is read.
    pub max_entries: usize,
    /// Bytes one part may inflate to.
    pub max_entry_bytes: u64,
    /// Bytes all parts together may inflate to.
    pub max_total_bytes: u64,
    /// Bytes the shared strings part may inflate to: unlike a worksheet, which is read
    /// row by row, it is loaded whole.
    pub max_shared_strings_bytes: u64,
    /// Characters in one cell or string (an XML entity such as `&amp;` counts as one).
    pub max_cell_chars: u64,
    /// Bytes in one XML tag with its attributes.
    pub max_tag_bytes: u64,
}

/// The limits of every import.
///
/// A district's register (120,000 member rows, 10.6 MB as .xlsx) unpacks to a worksheet
/// of 94 MB and shared strings of 12 MB; the largest file accepted
/// ([`crate::households::MAX_FILE_BYTES`], 50 MB) at the same ratio gives about 450 MB and
/// 60 MB. The caps leave room above that while keeping a refused bomb to seconds of
/// inflating. The shared strings are capped lower because they are held in memory, where
/// millions of tiny strings weigh several times their XML.
pub const XLSX_LIMITS: XlsxLimits = XlsxLimits {
    max_entries: 10_000,
    max_entry_bytes: 1024 * MIB,
    max_total_bytes: 1536 * MIB,
    max_shared_strings_bytes: 96 * MIB,
    // Excel's own limit on the length of a cell.
    max_cell_chars: 32_767,
    max_tag_bytes: 64 * 1024,
};

const MIB: u64 = 1024 * 1024;

/// The central directory's signature; each part has one record starting with it.
const CENTRAL_RECORD: &[u8] = b"PK\x01\x02";

/// Checks that a workbook unpacks within `limits`; the error names the limit crossed.
pub fn check_xlsx(bytes: &[u8], limits: &XlsxLimits) -> Result<(), SheetErrors> {
    let refuse = |reason: String| Err(SheetErrors::single(1, "", reason));
    // Counting signatures, rather than reading the count the directory declares, cannot
    // be lied to: a record the zip reader would parse starts with one. Compressed data may
    // contain the four bytes by chance, which only overcounts, far below the limit.
    let records = bytes
        .windows(CENTRAL_RECORD.len())
        .filter(|w| *w == CENTRAL_RECORD)
        .count();
    if records > limits.max_entries {
        return refuse(format!(
            "tệp .xlsx có hơn {} phần bên trong (giới hạn {}); tệp hỏng hoặc không phải bảng tính thông thường",
            number(records as i64),
            number(limits.max_entries as i64)
        ));
    }
    let corrupt = |e: &dyn std::fmt::Display| {
        SheetErrors::single(
            1,
            "",
            format!("không đọc được tệp .xlsx (tệp hỏng hoặc không phải .xlsx): {e}"),
        )
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
    let mut total: u64 = 0;
    let mut buffer = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| corrupt(&e))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| corrupt(&e))?.to_ascii_lowercase();
        let cap = if name.ends_with("sharedstrings.xml") {
            limits.max_shared_strings_bytes.min(limits.max_entry_bytes)
        } else {
            limits.max_entry_bytes
        };
        let mut scanner =
            (name.ends_with(".xml") || name.ends_with(".rels")).then(|| XmlScanner::new(limits));
        let mut size: u64 = 0;
        loop {
            let n = entry.read(&mut buffer).map_err(|e| corrupt(&e))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            total += n as u64;
            if size > cap {
                return refuse(format!(
                    "một phần bên trong tệp .xlsx khi giải nén vượt quá {} MB (giới hạn mỗi phần); \
                     tệp quá lớn hoặc là tệp nén bất thường, hãy chia thành nhiều tệp",
                    number((cap / MIB) as i64)
                ));
            }
            if total > limits.max_total_bytes {
                return refuse(format!(
                    "tệp .xlsx khi giải nén vượt quá {} MB (giới hạn của cả tệp); \
                     tệp quá lớn hoặc là tệp nén bất thường, hãy chia thành nhiều tệp",
                    number((limits.max_total_bytes / MIB) as i64)
                ));
            }
            if let Some(scanner) = &mut scanner
                && let Err(reason) = scanner.feed(&buffer[..n])
            {
                return refuse(reason);
            }
        }
    }
    Ok(())
}

/// Measures text runs, cells and tags of an XML part as it streams past, in constant
/// memory.
///
/// A cell's or shared string's text may come in several runs (rich text: `<r><t>…</t></r>`
/// once per formatting change), which the reader joins into one string, so the
/// characters are also counted from the opening of a cell (`<c>`) or shared string
/// (`<si>`) to its end, whatever the tags between.
struct XmlScanner {
    max_cell_chars: u64,
    max_tag_bytes: u64,
    in_tag: bool,
    in_entity: bool,
    /// Characters since the last tag, or bytes since the start of the current tag.
    run: u64,
    /// Characters since the current cell or shared string opened; `None` outside one.
    cell: Option<u64>,
    /// The current tag's name (local part, without a namespace prefix) as far as it
    /// matters: the first bytes, and whether it was longer.
    name: [u8; 2],
    name_len: usize,
    /// The tag started `</`, or its name has ended (at a space or `/`).
    closing: bool,
    name_done: bool,
    /// The last byte of the tag, `/` for an empty element.
    last: u8,
}

impl XmlScanner {
    fn new(limits: &XlsxLimits) -> Self {
        XmlScanner {
            max_cell_chars: limits.max_cell_chars,
            max_tag_bytes: limits.max_tag_bytes,
            in_tag: false,
            in_entity: false,
            run: 0,
            cell: None,
            name: [0; 2],
            name_len: 0,
            closing: false,
            name_done: false,
            last: 0,
        }
    }

    fn too_long(&self) -> String {
        format!(
            "tệp .xlsx có một ô hoặc chuỗi dài quá {} ký tự (giới hạn của Excel); hãy rút ngắn ô đó",
            number(self.max_cell_chars as i64)
        )
    }

    /// A byte of a tag, after its `<` and before its `>`.
    fn tag_byte(&mut self, b: u8) {
        if self.run == 1 && b == b'/' {
            self.closing = true;
        } else if !self.name_done {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b'/' => self.name_done = true,
                // A namespace prefix: the local name starts again after it.
                b':' => self.name_len = 0,
                _ => {
                    if self.name_len < self.name.len() {
                        self.name[self.name_len] = b;
                    }
                    self.name_len += 1;
                }
            }
        }
        self.last = b;
    }

    /// The tag just ended: a cell or shared string opens or closes.
    fn tag_end(&mut self) {
        let name = &self.name[..self.name_len.min(self.name.len())];
        let is_cell = self.name_len <= self.name.len() && (name == b"c" || name == b"si");
        if is_cell {
            if self.closing {
                self.cell = None;
            } else if self.last != b'/' {
                self.cell = Some(0);
            }
        }
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<(), String> {
        for &b in chunk {
            if self.in_tag {
                if b == b'>' {
                    self.tag_end();
                    self.in_tag = false;
                    self.run = 0;
                    continue;
                }
                self.run += 1;
                if self.run > self.max_tag_bytes {
                    return Err(format!(
                        "tệp .xlsx có cấu trúc bất thường (một thẻ XML dài quá {} KB); tệp hỏng hoặc không phải bảng tính thông thường",
                        number((self.max_tag_bytes / 1024) as i64)
                    ));
                }
                self.tag_byte(b);
            } else if b == b'<' {
                self.in_tag = true;
                self.in_entity = false;
                self.run = 0;
                self.name_len = 0;
                self.closing = false;
                self.name_done = false;
                self.last = 0;
            } else {
                // Characters, not bytes: a UTF-8 continuation byte and the rest of an
                // entity after its `&` add nothing.
                let starts_char = if self.in_entity {
                    self.in_entity = b != b';';
                    false
                } else {
                    self.in_entity = b == b'&';
                    b & 0xC0 != 0x80
                };
                if starts_char {
                    self.run += 1;
                    if let Some(cell) = &mut self.cell {
                        *cell += 1;
                    }
                    if self.run > self.max_cell_chars
                        || self.cell.is_some_and(|c| c > self.max_cell_chars)
                    {
                        return Err(self.too_long());
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str, limits: &XlsxLimits) -> Result<(), String> {
        XmlScanner::new(limits).feed(xml.as_bytes())
    }

    #[test]
    fn text_runs_count_characters_and_entities_as_one() {
        let limits = XlsxLimits {
            max_cell_chars: 3,
            max_tag_bytes: 30,
            ..XLSX_LIMITS
        };
        assert!(scan("<t>ắớụ</t><t>&amp;&lt;a</t>", &limits).is_ok());
        assert!(scan("<t>abcd</t>", &limits).is_err());
        assert!(scan("<t>&amp;&amp;&amp;&amp;</t>", &limits).is_err());
        assert!(scan(r#"<c r="A1" s="1" t="s"/>"#, &limits).is_ok());
        let long_tag = format!("<c r=\"{}\"/>", "A".repeat(40));
        assert!(scan(&long_tag, &limits).is_err());
    }

    #[test]
    fn the_runs_of_a_cell_or_shared_string_count_together() {
        let limits = XlsxLimits {
            max_cell_chars: 5,
            ..XLSX_LIMITS
        };
        let runs = "<si><r><t>abc</t></r><r><t>def</t></r></si>";
        assert!(scan(runs, &limits).is_err());
        let prefixed = r#"<x:c r="A1" t="inlineStr"><x:is><x:r><x:t>abc</x:t></x:r><x:r><x:t>def</x:t></x:r></x:is></x:c>"#;
        assert!(scan(prefixed, &limits).is_err());
        // Each cell counts from its own start; text between cells counts for none.
        let cells =
            r#"<row><c r="A1"><v>12345</v></c> <c r="B1"/><c r="C1"><v>12345</v></c></row>"#;
        assert!(scan(cells, &limits).is_ok());
        let strings = "<sst><si><t>abcde</t></si><si><t>abcde</t></si></sst>";
        assert!(scan(strings, &limits).is_ok());
        // Other elements named like a cell's start do not open one.
        assert!(scan("<col>abc</col><cols>def</cols>", &limits).is_ok());
    }
}
