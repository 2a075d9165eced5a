//! Hostile files for the tests of this crate and of the app and web importers.
//!
//! Not used by the product. It lives in the library, rather than under `tests/`, so that
//! the app's and the web's tests can refuse the same files the reader's tests do.

/// A workbook of one sheet whose cell A2 holds `chars` times the letter `a`, compressed
/// about a thousand to one: one gigabyte of cell fits in a file of about 1 MB.
///
/// The deflate stream is written by hand, because compressing a gigabyte with a library
/// would take the test a minute in a debug build: a stored block with the XML before the
/// cell, one dynamic-Huffman block whose only codes are the letter, the end of the block
/// and "copy 258 bytes from 1 back" (two bits a copy, all of them zero), and a stored block
/// with the XML after it. The directory declares the true sizes and checksum, so that a
/// small one is a workbook any reader opens.
pub fn xlsx_with_long_cell(chars: u64) -> Vec<u8> {
    assert!(chars >= 1);
    let before = concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>household_code</t></is></c></row>"#,
        r#"<row r="2"><c r="A2" t="inlineStr"><is><t>"#
    );
    let after = r#"</t></is></c></row></sheetData></worksheet>"#;
    let copies = (chars - 1) / 258;
    let tail = (chars - 1) % 258;
    let mut bits = BitWriter::default();
    bits.stored(before.as_bytes(), false);
    bits.run_of(b'a', copies);
    // What does not fill a last copy of 258 is written as stored letters.
    let mut rest = vec![b'a'; tail as usize];
    rest.extend_from_slice(after.as_bytes());
    bits.stored(&rest, true);
    let sheet_size = before.len() as u64 + chars + after.len() as u64;
    // The checksum of the gigabyte, from the checksum of a block combined with itself.
    let mut crc = flate2::Crc::new();
    crc.update(before.as_bytes());
    let block = vec![b'a'; 1 << 16];
    let mut block_crc = flate2::Crc::new();
    block_crc.update(&block);
    for _ in 0..chars >> 16 {
        crc.combine(&block_crc);
    }
    crc.update(&block[..(chars & 0xFFFF) as usize]);
    crc.update(after.as_bytes());

    let mut zip = ZipBuilder::default();
    for (name, content) in MINIMAL_PARTS {
        zip.stored(name, content.as_bytes());
    }
    zip.deflated(
        "xl/worksheets/sheet1.xml",
        &bits.finish(),
        sheet_size,
        crc.sum(),
    );
    zip.finish()
}

/// The parts a reader needs besides the worksheet.
const MINIMAL_PARTS: [(&str, &str); 4] = [
    (
        "[Content_Types].xml",
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
            r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
            r#"<Default Extension="xml" ContentType="application/xml"/>"#,
            r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
            r#"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
            r#"</Types>"#
        ),
    ),
    (
        "_rels/.rels",
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
            r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
            r#"</Relationships>"#
        ),
    ),
    (
        "xl/workbook.xml",
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
            r#"<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        ),
    ),
    (
        "xl/_rels/workbook.xml.rels",
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
            r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
            r#"</Relationships>"#
        ),
    ),
];

/// Writes a raw deflate stream (RFC 1951) bit by bit.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u8,
    filled: u8,
}

impl BitWriter {
    /// `n` bits of `value`, least significant first (headers and extra bits).
    fn bits(&mut self, value: u32, n: u8) {
        for i in 0..n {
            self.acc |= (((value >> i) & 1) as u8) << self.filled;
            self.filled += 1;
            if self.filled == 8 {
                self.out.push(self.acc);
                self.acc = 0;
                self.filled = 0;
            }
        }
    }

    /// A Huffman code of `n` bits, most significant first.
    fn code(&mut self, code: u32, n: u8) {
        for i in (0..n).rev() {
            self.bits((code >> i) & 1, 1);
        }
    }

    fn align(&mut self) {
        if self.filled > 0 {
            self.out.push(self.acc);
            self.acc = 0;
            self.filled = 0;
        }
    }

    /// Stored blocks of `data`, the last one final when `last`.
    fn stored(&mut self, data: &[u8], last: bool) {
        let chunks: Vec<&[u8]> = if data.is_empty() {
            vec![data]
        } else {
            data.chunks(0xFFFF).collect()
        };
        let count = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            self.bits(u32::from(last && i + 1 == count), 1);
            self.bits(0, 2);
            self.align();
            let len = chunk.len() as u16;
            self.out.extend_from_slice(&len.to_le_bytes());
            self.out.extend_from_slice(&(!len).to_le_bytes());
            self.out.extend_from_slice(chunk);
        }
    }

    /// One dynamic block: `letter`, then `copies` times 258 more of it.
    fn run_of(&mut self, letter: u8, copies: u64) {
        self.bits(0, 1); // not the last block
        self.bits(2, 2); // dynamic Huffman codes
        self.bits(29, 5); // 286 literal/length codes, up to 285 (length 258)
        self.bits(0, 5); // one distance code
        self.bits(14, 4); // 18 code-length code lengths
        // The code-length alphabet uses 1, 2, 17 and 18, each with two bits, in the
        // order the format lists them.
        const ORDER: [u32; 18] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
        for symbol in ORDER {
            self.bits(
                if matches!(symbol, 1 | 2 | 17 | 18) {
                    2
                } else {
                    0
                },
                3,
            );
        }
        // Canonical codes of that alphabet: 1 → 00, 2 → 01, 17 → 10, 18 → 11.
        let zeros = |w: &mut BitWriter, mut n: u32| {
            while n > 0 {
                if n >= 11 {
                    let k = n.min(138);
                    w.code(0b11, 2);
                    w.bits(k - 11, 7);
                    n -= k;
                } else {
                    assert!(n >= 3, "runs of zeros here are at least three long");
                    w.code(0b10, 2);
                    w.bits(n - 3, 3);
                    n = 0;
                }
            }
        };
        let letter = u32::from(letter);
        assert!((3..=252).contains(&letter));
        zeros(self, letter);
        self.code(0b01, 2); // the letter: two bits
        zeros(self, 256 - letter - 1);
        self.code(0b01, 2); // end of block: two bits
        zeros(self, 28);
        self.code(0b00, 2); // length 258: one bit
        self.code(0b00, 2); // distance 1: one bit
        // Canonical literal/length codes: 285 → 0, the letter → 10, end of block → 11;
        // the one distance code is 0.
        self.code(0b10, 2);
        let zero_bytes = copies / 4;
        for _ in 0..copies % 4 {
            self.bits(0, 2);
        }
        // Four copies are a byte of zero bits whatever the alignment: the pending
        // partial byte is completed with zeros, and as many zero bits stay pending.
        if zero_bytes > 0 {
            let mut n = zero_bytes as usize;
            if self.filled > 0 {
                self.out.push(self.acc);
                self.acc = 0;
                n -= 1;
            }
            self.out.resize(self.out.len() + n, 0);
        }
        self.code(0b11, 2);
    }

    fn finish(mut self) -> Vec<u8> {
        self.align();
        self.out
    }
}

/// Writes a zip archive of stored and pre-deflated parts.
#[derive(Default)]
struct ZipBuilder {
    out: Vec<u8>,
    directory: Vec<u8>,
    count: u16,
}

impl ZipBuilder {
    fn stored(&mut self, name: &str, content: &[u8]) {
        let mut crc = flate2::Crc::new();
        crc.update(content);
        self.part(name, 0, content, content.len() as u64, crc.sum());
    }

    fn deflated(&mut self, name: &str, data: &[u8], size: u64, crc: u32) {
        self.part(name, 8, data, size, crc);
    }

    fn part(&mut self, name: &str, method: u16, data: &[u8], size: u64, crc: u32) {
        let offset = self.out.len() as u32;
        let size = u32::try_from(size).unwrap_or(u32::MAX);
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&0u16.to_le_bytes()); // flags
            v.extend_from_slice(&method.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // time
            v.extend_from_slice(&0x21u16.to_le_bytes()); // 1 January 1980
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra field
        };
        self.out.extend_from_slice(b"PK\x03\x04");
        common(&mut self.out);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(data);

        self.directory.extend_from_slice(b"PK\x01\x02");
        self.directory.extend_from_slice(&20u16.to_le_bytes()); // version made by
        common(&mut self.directory);
        self.directory.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        self.directory.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        self.directory.extend_from_slice(&offset.to_le_bytes());
        self.directory.extend_from_slice(name.as_bytes());
        self.count += 1;
    }

    fn finish(mut self) -> Vec<u8> {
        let offset = self.out.len() as u32;
        let size = self.directory.len() as u32;
        self.out.extend_from_slice(&self.directory);
        self.out.extend_from_slice(b"PK\x05\x06");
        self.out.extend_from_slice(&[0; 4]); // disk numbers
        self.out.extend_from_slice(&self.count.to_le_bytes());
        self.out.extend_from_slice(&self.count.to_le_bytes());
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&offset.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes()); // comment
        self.out
    }
}
