//! PDF versions of the household certificates (giấy chứng nhận hộ nghèo, hộ cận nghèo)
//! and of the written refusal (văn bản trả lời), one A4 page each, and of the official
//! reports (`reports_pdf`), laid out as the printed forms are.
//!
//! The pages are laid out here by hand with `pdf-writer`, and the embedded DejaVu Serif
//! is cut down to the glyphs used with `subsetter`: a few hundred kilobytes of
//! dependencies instead of a typesetting system. Vietnamese needs no shaping once the
//! text is in NFC, because every letter with its marks is one precomposed glyph in the
//! font; each character is therefore mapped to one glyph, and a ToUnicode map makes the
//! text selectable and searchable.
//!
//! The functions are pure: the web layer fills the plain documents below from what it
//! already computes for the print-ready HTML pages, and a report arrives as the same
//! `SheetReport` the workbook and CSV writers take.

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use std::io::Write;
use subsetter::GlyphRemapper;
use unicode_normalization::UnicodeNormalization;

use crate::reports::{MOTTO, MOTTO_2, SheetReport, figure, header_cells};

mod periodic;
pub use periodic::periodic_pdf;

/// One member line of a certificate's member table.
#[derive(Debug, Clone, Default)]
pub struct CertMemberDoc {
    pub name: String,
    pub ethnicity: String,
    /// Relation to the head of the household ("Chủ hộ", "Vợ", "Con", …).
    pub relation: String,
    /// The year of birth goes in the male or the female column, the other stays empty.
    pub male_year: String,
    pub female_year: String,
}

/// Everything printed on one certificate.
#[derive(Debug, Clone, Default)]
pub struct CertificateDoc {
    /// The district ("Huyện Phong Điền"); empty where the 2025 reform removed the level.
    pub district: String,
    /// The issuing commune ("Xã Điền Mỹ").
    pub commune: String,
    /// The certificate number, "001/GCN-HN.HCN".
    pub number: String,
    /// "GIẤY CHỨNG NHẬN HỘ NGHÈO" or "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO".
    pub title: String,
    /// The year the status is recognised for.
    pub period: i32,
    /// The recognising decision, "Quyết định số 12/QĐ-UBND ngày 20/12/2025".
    pub decision: String,
    pub head: String,
    pub ethnicity: String,
    pub citizen_id: String,
    pub residence: String,
    /// The status in words ("Hộ nghèo"), for the sentence and the first confirmation row.
    pub status: String,
    pub members: Vec<CertMemberDoc>,
    /// "Điền Mỹ, ngày 20 tháng 12 năm 2025".
    pub date_line: String,
}

/// Everything printed on a refusal letter.
#[derive(Debug, Clone, Default)]
pub struct LetterDoc {
    pub commune: String,
    pub date_line: String,
    /// Who asked (the head unless someone else filed the request).
    pub requester: String,
    pub head: String,
    /// The request date as shown to people ("05/10/2025").
    pub request_date: String,
    pub reason: String,
}

/// A4 portrait and the margins of Vietnamese administrative documents (Decree 30/2020:
/// left 30–35 mm, right 15–20 mm, top and bottom 20–25 mm), slightly tightened so that a
/// large household still fits one page.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;
const LEFT: f32 = 28.0 * MM;
const RIGHT: f32 = 15.0 * MM;
const TOP: f32 = 18.0 * MM;
const BOTTOM: f32 = 18.0 * MM;

/// A page's paper and margins. Certificates and letters are portrait; a report whose
/// table is too wide for portrait is printed landscape, as the forms are.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PageSetup {
    w: f32,
    h: f32,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
}

impl PageSetup {
    /// The width between the margins.
    fn width(&self) -> f32 {
        self.w - self.left - self.right
    }
}

const PORTRAIT: PageSetup = PageSetup {
    w: PAGE_W,
    h: PAGE_H,
    left: LEFT,
    right: RIGHT,
    top: TOP,
    bottom: BOTTOM,
};

/// A4 landscape for wide report tables. The margins are narrower than a letter's: a
/// table form is not bound on its long edge, and every millimetre goes to the columns.
const LANDSCAPE: PageSetup = PageSetup {
    w: PAGE_H,
    h: PAGE_W,
    left: 20.0 * MM,
    right: 12.0 * MM,
    top: 14.0 * MM,
    bottom: 16.0 * MM,
};

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSerif.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSerif-Bold.ttf");
const ITALIC: &[u8] = include_bytes!("../fonts/DejaVuSerif-Italic.ttf");

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Regular,
    Bold,
    Italic,
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// One embedded font: its parsed face, the glyphs used so far (renumbered densely, as
/// the subset will number them) and the text each glyph stands for.
struct FontUse {
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    base_name: &'static str,
    remapper: GlyphRemapper,
    unicode: BTreeMap<u16, char>,
    widths: BTreeMap<u16, f32>,
}

impl FontUse {
    fn new(data: &'static [u8], base_name: &'static str) -> FontUse {
        // The fonts are compiled in and known good; failing here is a build defect.
        let face = ttf_parser::Face::parse(data, 0).expect("embedded DejaVu font parses");
        FontUse {
            data,
            face,
            base_name,
            remapper: GlyphRemapper::new(),
            unicode: BTreeMap::new(),
            widths: BTreeMap::new(),
        }
    }

    fn scale(&self) -> f32 {
        1000.0 / f32::from(self.face.units_per_em())
    }

    fn glyph(&self, c: char) -> ttf_parser::GlyphId {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .unwrap_or(ttf_parser::GlyphId(0))
    }

    /// Width in points of `text` at `size`.
    fn measure(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| u32::from(self.face.glyph_hor_advance(self.glyph(c)).unwrap_or(0)))
            .sum();
        units as f32 * self.scale() / 1000.0 * size
    }

    /// The two-byte CIDs (Identity-H) for `text`, recording the glyphs for the subset.
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let old = self.glyph(c);
            let new = self.remapper.remap(old.0);
            self.unicode.entry(new).or_insert(c);
            let width = f32::from(self.face.glyph_hor_advance(old).unwrap_or(0)) * self.scale();
            self.widths.entry(new).or_insert(width);
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }
}

/// A table cell's box: its top left corner, its size and the space kept between its
/// border and its text on the left and right.
#[derive(Clone, Copy)]
struct Frame {
    x: f32,
    top: f32,
    w: f32,
    h: f32,
    pad: f32,
}

/// The height `Doc::signatures` keeps together on one page: the date line, the
/// tallest block with its hint and the hint's descenders, and the room for the
/// signatures.
fn signatures_height(signers: &[Signer<'_>], size: f32, room: f32) -> f32 {
    let title_lines = signers.iter().map(|s| s.title.len()).max().unwrap_or(0);
    size * 1.4 * (2.8 + title_lines as f32) + room
}

/// A signature block: its title lines in bold and the hint under them in italics.
struct Signer<'a> {
    title: Vec<&'a str>,
    hint: &'a str,
}

/// A document being written: the fonts, the finished pages (each with its paper) and
/// the page being drawn.
struct Doc {
    fonts: [FontUse; 3],
    pages: Vec<(PageSetup, Vec<u8>)>,
    content: Content,
    /// The paper of the page being drawn.
    setup: PageSetup,
    /// The baseline of the next line, from the bottom of the page.
    y: f32,
    /// The first page of each separately numbered document ("Trang 1/3"); pages before
    /// the first entry carry no number.
    numbered_from: Vec<usize>,
}

impl Doc {
    fn new(setup: PageSetup) -> Doc {
        Doc {
            fonts: [
                FontUse::new(REGULAR, "DejaVuSerif"),
                FontUse::new(BOLD, "DejaVuSerif-Bold"),
                FontUse::new(ITALIC, "DejaVuSerif-Italic"),
            ],
            pages: Vec::new(),
            content: Content::new(),
            setup,
            y: setup.h - setup.top,
            numbered_from: Vec::new(),
        }
    }

    fn font(&self, style: Style) -> &FontUse {
        &self.fonts[style as usize]
    }

    fn new_page(&mut self) {
        let content = std::mem::replace(&mut self.content, Content::new());
        self.pages.push((self.setup, content.finish().to_vec()));
        self.y = self.setup.h - self.setup.top;
    }

    /// Finishes the page being drawn and starts one on other paper.
    fn new_page_as(&mut self, setup: PageSetup) {
        self.new_page();
        self.setup = setup;
        self.y = setup.h - setup.top;
    }

    /// Numbers the pages from the one being drawn on as a document of their own, until
    /// the next call.
    fn number_pages_from_here(&mut self) {
        self.numbered_from.push(self.pages.len());
    }

    /// Starts a new page when fewer than `height` points are left, so that a table row
    /// or a signature block is never cut by the page edge.
    fn need(&mut self, height: f32) {
        if !self.fits(height) {
            self.new_page();
        }
    }

    /// Whether `height` points are left above the bottom margin.
    fn fits(&self, height: f32) -> bool {
        self.y - height >= self.setup.bottom
    }

    fn measure(&self, style: Style, text: &str, size: f32) -> f32 {
        self.font(style).measure(text, size)
    }

    /// Draws one run of text with its baseline at (`x`, `y`).
    fn text_at(&mut self, x: f32, y: f32, style: Style, size: f32, text: &str) {
        let text: String = text.nfc().collect();
        let bytes = self.fonts[style as usize].encode(&text);
        let name = font_name(style);
        self.content
            .begin_text()
            .set_font(Name(name), size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    /// Draws one line aligned inside the box from `x` wide `w`, shrinking the size until
    /// it fits so that a long commune name never runs into the next column.
    // The box, baseline, style, size, text and alignment are all needed at every call;
    // bundling them into a struct would only move the same list into each caller.
    #[allow(clippy::too_many_arguments)]
    fn line_in(&mut self, x: f32, w: f32, y: f32, style: Style, size: f32, text: &str, a: Align) {
        // Measured as it will be drawn: decomposed input has more characters than glyphs.
        let text: String = text.nfc().collect();
        let mut size = size;
        let natural = self.measure(style, &text, size);
        if natural > w {
            // Widths grow in proportion to the size, so the size that fits is found at
            // once; it is rounded down to half a point, and never below 6 points.
            size = ((size * w / natural * 2.0).floor() / 2.0).max(6.0);
        }
        let tw = self.measure(style, &text, size);
        let tx = match a {
            Align::Left => x,
            Align::Center => x + (w - tw) / 2.0,
            Align::Right => x + w - tw,
        };
        self.text_at(tx, y, style, size, &text);
    }

    fn rule(&mut self, x1: f32, y: f32, x2: f32, width: f32) {
        self.content
            .set_line_width(width)
            .move_to(x1, y)
            .line_to(x2, y)
            .stroke();
    }

    /// Breaks styled runs into lines no wider than `w`. Words are kept whole; a single
    /// word wider than the line stays on a line of its own.
    fn wrap(&self, runs: &[(Style, &str)], size: f32, w: f32) -> Vec<Vec<(Style, String)>> {
        let mut lines: Vec<Vec<(Style, String)>> = vec![Vec::new()];
        let mut used = 0.0;
        for &(style, text) in runs {
            let text: String = text.nfc().collect();
            for word in text.split_inclusive(' ') {
                let ww = self.measure(style, word, size);
                let visible = self.measure(style, word.trim_end(), size);
                let line = lines.last_mut().expect("at least one line");
                if used + visible > w && !line.is_empty() {
                    lines.push(vec![(style, word.to_string())]);
                    used = ww;
                    continue;
                }
                match line.last_mut() {
                    Some((s, t)) if *s == style => t.push_str(word),
                    _ => line.push((style, word.to_string())),
                }
                used += ww;
            }
        }
        lines
    }

    /// The lines of one run of text wrapped into `w`, without their trailing spaces.
    fn lines_of(&self, style: Style, text: &str, size: f32, w: f32) -> Vec<String> {
        self.wrap(&[(style, text)], size, w)
            .into_iter()
            .map(|l| l.into_iter().map(|(_, t)| t).collect::<String>())
            .map(|l| l.trim_end().to_string())
            .collect()
    }

    /// A left-aligned paragraph of styled runs; the first line is indented like the
    /// paragraphs of an official letter.
    fn paragraph(&mut self, runs: &[(Style, &str)], size: f32, indent: f32) {
        let leading = size * 1.45;
        self.y -= size * 0.2;
        let lines = self.paragraph_lines(runs, size, indent);
        for (i, line) in lines.iter().enumerate() {
            self.need(leading);
            self.y -= leading;
            let mut x = self.setup.left + if i == 0 { indent } else { 0.0 };
            for (style, text) in line {
                self.text_at(x, self.y, *style, size, text);
                x += self.measure(*style, text, size);
            }
        }
    }

    /// The height `paragraph` takes for the same text.
    fn paragraph_height(&self, runs: &[(Style, &str)], size: f32, indent: f32) -> f32 {
        size * 0.2 + self.paragraph_lines(runs, size, indent).len() as f32 * size * 1.45
    }

    /// A paragraph's lines, the first narrower by the indent.
    fn paragraph_lines(
        &self,
        runs: &[(Style, &str)],
        size: f32,
        indent: f32,
    ) -> Vec<Vec<(Style, String)>> {
        // Wrapping the first line narrower by the indent keeps the code simple: the
        // indent is at most a few words.
        let width = self.setup.width();
        let first = self.wrap(runs, size, width - indent);
        let mut lines = Vec::new();
        if let Some(head) = first.first() {
            lines.push(head.clone());
            let rest: Vec<(Style, String)> = first[1..].iter().flatten().cloned().collect();
            let rest_refs: Vec<(Style, &str)> =
                rest.iter().map(|(s, t)| (*s, t.as_str())).collect();
            if !rest_refs.is_empty() {
                lines.extend(self.wrap(&rest_refs, size, width));
            }
        }
        lines
    }

    /// A ruled table. `cols` are fractions of the text width; each cell wraps inside
    /// its column and a row is as tall as its tallest cell, or `min_row` if taller.
    fn table(
        &mut self,
        cols: &[(f32, Align)],
        header: &[&str],
        rows: &[Vec<String>],
        size: f32,
        min_row: f32,
    ) {
        self.y -= 4.0;
        let head: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        self.table_row(cols, &head, Style::Bold, size, 0.0);
        for row in rows {
            self.table_row(cols, row, Style::Regular, size, min_row);
        }
    }

    fn table_row(
        &mut self,
        cols: &[(f32, Align)],
        cells: &[String],
        style: Style,
        size: f32,
        min_height: f32,
    ) {
        let pad = 4.0;
        let leading = size * 1.3;
        let widths: Vec<f32> = cols.iter().map(|(f, _)| f * self.setup.width()).collect();
        // Header cells are bold and centred; body cells follow their column.
        let header = style == Style::Bold;
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| self.lines_of(style, c, size, w - 2.0 * pad))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let natural = lines as f32 * leading + 2.0 * pad;
        let height = natural.max(min_height);
        self.need(height);
        let top = self.y;
        let mut x = self.setup.left;
        for ((cell, w), (_, align)) in wrapped.iter().zip(&widths).zip(cols) {
            let align = if header { Align::Center } else { *align };
            let frame = Frame {
                x,
                top,
                w: *w,
                h: height,
                pad,
            };
            self.cell(frame, cell, style, size, align);
            x += w;
        }
        self.y = top - height;
    }

    /// A ruled cell: its border, and its lines centred vertically inside it.
    fn cell(&mut self, f: Frame, lines: &[String], style: Style, size: f32, align: Align) {
        let leading = size * 1.3;
        let offset = (f.h - lines.len() as f32 * leading) / 2.0;
        for (i, line) in lines.iter().enumerate() {
            let baseline = f.top - offset - (i as f32 + 1.0) * leading + size * 0.3;
            let (x, w) = (f.x + f.pad, f.w - 2.0 * f.pad);
            self.line_in(x, w, baseline, style, size, line, align);
        }
        self.content
            .set_line_width(0.6)
            .rect(f.x, f.top - f.h, f.w, f.h)
            .stroke();
    }

    /// The national motto on the right (under the form number, if any) and the issuing
    /// body (and document number) on the left, as at the top of every administrative
    /// document.
    fn heading(&mut self, left: &[(Style, String)], number: Option<&str>, form: Option<&str>) {
        // The left column stops a little short of the motto so that a long district
        // name does not run into it.
        let width = self.setup.width();
        let x = self.setup.left;
        let lw = width * 0.40 - 8.0;
        let rx = x + width * 0.40;
        let rw = width * 0.60;
        let top = self.y;
        let size = 11.5;
        let leading = size * 1.35;

        let mut y = top;
        if let Some(form) = form {
            y -= leading;
            self.line_in(rx, rw, y, Style::Italic, size, form, Align::Center);
        }
        y -= leading;
        self.line_in(rx, rw, y, Style::Bold, size, MOTTO, Align::Center);
        y -= leading;
        self.line_in(rx, rw, y, Style::Bold, size + 0.5, MOTTO_2, Align::Center);
        let mw = self.measure(Style::Bold, MOTTO_2, size + 0.5);
        self.rule(rx + (rw - mw) / 2.0, y - 4.0, rx + (rw + mw) / 2.0, 0.6);

        // With a form number the motto moves down a line; the issuing body follows it so
        // that both blocks still start on the same line.
        let mut ly = if form.is_some() { top - leading } else { top };
        let mut last_w = 0.0;
        for (style, line) in left {
            ly -= leading;
            self.line_in(x, lw, ly, *style, size, line, Align::Center);
            last_w = self.measure(*style, line, size).min(lw);
        }
        // A short rule under the issuing body, a third of its name's width.
        let cx = x + lw / 2.0;
        self.rule(cx - last_w / 6.0, ly - 6.0, cx + last_w / 6.0, 0.6);
        if let Some(number) = number {
            ly -= leading + 6.0;
            self.line_in(
                x,
                lw,
                ly,
                Style::Regular,
                size,
                &format!("Số: {number}"),
                Align::Center,
            );
        }
        self.y = ly.min(y) - 4.0;
    }

    /// The date line, then the signature blocks side by side across the text width
    /// from the fraction `from` of it, the date over the last (rightmost) block, as the
    /// head of the issuing body signs there. The whole is kept on one page, with `room`
    /// points below for the signatures themselves.
    fn signatures(
        &mut self,
        date_line: &str,
        signers: &[Signer<'_>],
        from: f32,
        size: f32,
        room: f32,
    ) {
        let leading = size * 1.4;
        let title_lines = signers.iter().map(|s| s.title.len()).max().unwrap_or(0);
        self.need(signatures_height(signers, size, room));
        let x0 = self.setup.left + self.setup.width() * from;
        let bw = self.setup.width() * (1.0 - from) / signers.len().max(1) as f32;
        let last_x = x0 + bw * signers.len().saturating_sub(1) as f32;
        if date_line.is_empty() {
            self.y -= leading;
        } else {
            self.y -= leading * 1.3;
            self.line_in(
                last_x,
                bw,
                self.y,
                Style::Italic,
                size,
                date_line,
                Align::Center,
            );
        }
        self.y -= leading * 0.2;
        let top = self.y;
        for (i, signer) in signers.iter().enumerate() {
            let bx = x0 + bw * i as f32;
            let mut y = top;
            for line in &signer.title {
                y -= leading;
                self.line_in(bx, bw, y, Style::Bold, size, line, Align::Center);
            }
            y -= leading;
            let hint = size - 1.5;
            self.line_in(bx, bw, y, Style::Italic, hint, signer.hint, Align::Center);
        }
        self.y = top - leading * (1.0 + title_lines as f32) - room;
    }

    /// The date line on the right, then the commune chair's signature block under it,
    /// as on every decision of the commune.
    fn signature(&mut self, date_line: &str) {
        let chair = Signer {
            title: vec!["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
            hint: "(Ký, ghi rõ họ tên, đóng dấu)",
        };
        // The chair signs and stamps below the block; the certificate's page ends there,
        // so the room only keeps the block off the foot of the page.
        self.signatures(date_line, &[chair], 0.42, 12.0, 12.0 * 1.4 * 1.2);
    }

    /// Centred bold lines, each at its own size, wrapped when wider than the page.
    fn title(&mut self, lines: &[(&str, f32)]) {
        self.y -= 10.0;
        let (x, width) = (self.setup.left, self.setup.width());
        for &(line, size) in lines {
            for part in self.lines_of(Style::Bold, line, size, width) {
                self.y -= size * 1.4;
                self.line_in(x, width, self.y, Style::Bold, size, &part, Align::Center);
            }
        }
        self.y -= 6.0;
    }

    /// Writes "Trang 2/3" at the foot of every page of each numbered document.
    fn number_pages(&mut self) {
        let mut starts = self.numbered_from.clone();
        starts.push(self.pages.len());
        for pair in starts.windows(2) {
            let (first, end) = (pair[0], pair[1]);
            for i in first..end {
                let setup = self.pages[i].0;
                let text = format!("Trang {}/{}", i - first + 1, end - first);
                let size = 9.0;
                let y = setup.bottom / 2.0;
                self.content = Content::new();
                let (x, w) = (setup.left, setup.width());
                self.line_in(x, w, y, Style::Italic, size, &text, Align::Center);
                let footer = std::mem::replace(&mut self.content, Content::new()).finish();
                // Content streams are sequences of operators, so the footer's can follow
                // the page's own.
                let page = &mut self.pages[i].1;
                page.push(b'\n');
                page.extend_from_slice(&footer);
            }
        }
    }

    /// Writes the PDF: catalog, pages, and each used font as a subset CID font.
    fn finish(mut self, title: &str) -> Vec<u8> {
        // The page being drawn is always the last one; with no documents it is the
        // single blank page that keeps the file a valid PDF.
        self.new_page();
        self.number_pages();
        let mut alloc = Ref::new(1);
        let mut next = || alloc.bump();
        let catalog = next();
        let tree = next();
        let info = next();
        let page_ids: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (next(), next())).collect();
        let font_ids: Vec<[Ref; 5]> = self
            .fonts
            .iter()
            .map(|_| [next(), next(), next(), next(), next()])
            .collect();

        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().map(|(p, _)| *p))
            .count(page_ids.len() as i32);
        pdf.document_info(info)
            .title(TextStr(title))
            .producer(TextStr("giamngheo"));

        let used: Vec<bool> = self.fonts.iter().map(|f| !f.unicode.is_empty()).collect();
        for ((page, content), (setup, data)) in page_ids.iter().zip(&self.pages) {
            let mut p = pdf.page(*page);
            p.media_box(Rect::new(0.0, 0.0, setup.w, setup.h))
                .parent(tree)
                .contents(*content);
            let mut res = p.resources();
            let mut fonts = res.fonts();
            for (i, style) in [Style::Regular, Style::Bold, Style::Italic]
                .iter()
                .enumerate()
            {
                if used[i] {
                    fonts.pair(Name(font_name(*style)), font_ids[i][0]);
                }
            }
            fonts.finish();
            res.finish();
            p.finish();
            pdf.stream(*content, &deflate(data))
                .filter(Filter::FlateDecode);
        }

        for (font, ids) in self.fonts.iter().zip(&font_ids) {
            if font.unicode.is_empty() {
                continue;
            }
            write_font(&mut pdf, font, ids);
        }
        pdf.finish()
    }
}

fn font_name(style: Style) -> &'static [u8] {
    match style {
        Style::Regular => b"F1",
        Style::Bold => b"F2",
        Style::Italic => b"F3",
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    e.write_all(data).expect("deflate into memory");
    e.finish().expect("deflate into memory")
}

/// A six-letter subset tag derived from the glyphs used, as PDF requires for subsets.
fn subset_tag(font: &FontUse) -> String {
    let mut h: u32 = 2166136261;
    for (g, c) in &font.unicode {
        for b in g.to_be_bytes().into_iter().chain((*c as u32).to_be_bytes()) {
            h = (h ^ u32::from(b)).wrapping_mul(16777619);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect()
}

/// One font as Type0 → CIDFontType2 → descriptor → subset TrueType file, with a
/// ToUnicode map so that copied and searched text comes out as Vietnamese.
fn write_font(pdf: &mut Pdf, font: &FontUse, ids: &[Ref; 5]) {
    let [type0, cid, descriptor, file, cmap] = *ids;
    let name = format!("{}+{}", subset_tag(font), font.base_name);
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0)
        .base_font(Name(name.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);

    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type2)
        .base_font(Name(name.as_bytes()))
        .system_info(system)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let mut w = c.widths();
    for (g, width) in &font.widths {
        w.consecutive(*g, [*width]);
    }
    w.finish();
    c.finish();

    let face = &font.face;
    let s = font.scale();
    let bb = face.global_bounding_box();
    let mut flags = FontFlags::SERIF | FontFlags::NON_SYMBOLIC;
    if face.is_italic() {
        flags |= FontFlags::ITALIC;
    }
    pdf.font_descriptor(descriptor)
        .name(Name(name.as_bytes()))
        .flags(flags)
        .bbox(Rect::new(
            f32::from(bb.x_min) * s,
            f32::from(bb.y_min) * s,
            f32::from(bb.x_max) * s,
            f32::from(bb.y_max) * s,
        ))
        .italic_angle(face.italic_angle())
        .ascent(f32::from(face.ascender()) * s)
        .descent(f32::from(face.descender()) * s)
        .cap_height(f32::from(face.capital_height().unwrap_or(face.ascender())) * s)
        .stem_v(if face.is_bold() { 120.0 } else { 80.0 })
        .font_file2(file);

    // The subset keeps exactly the glyphs the pages use, numbered as the content
    // streams already number them. The fonts are fixed at build time and the tests
    // subset all three, so a failure here is a build defect, not a data problem.
    let data = subsetter::subset(font.data, 0, &font.remapper).expect("subset DejaVu Serif");
    pdf.stream(file, &deflate(&data))
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), data.len() as i32);

    let mut map = UnicodeCmap::new(Name(b"Custom"), system);
    for (g, c) in &font.unicode {
        map.pair(*g, *c);
    }
    pdf.cmap(cmap, &map.finish());
}

/// The certificates, one A4 page each, in the order given.
pub fn certificates_pdf(docs: &[CertificateDoc]) -> Vec<u8> {
    let mut doc = Doc::new(PORTRAIT);
    for (i, c) in docs.iter().enumerate() {
        if i > 0 {
            doc.new_page();
        }
        certificate_page(&mut doc, c);
    }
    let title = match docs {
        [one] => format!("{} — {}", one.title, one.head),
        _ => "Giấy chứng nhận hộ nghèo, hộ cận nghèo".to_string(),
    };
    doc.finish(&title)
}

fn certificate_page(doc: &mut Doc, c: &CertificateDoc) {
    let mut left = Vec::new();
    if !c.district.trim().is_empty() {
        left.push((
            Style::Regular,
            format!("UBND {}", c.district.to_uppercase()),
        ));
    }
    left.push((Style::Bold, format!("UBND {}", c.commune.to_uppercase())));
    doc.heading(&left, Some(&c.number), None);
    doc.title(&[(&c.title, 15.0), (&format!("Năm {}", c.period), 13.0)]);

    let size = 12.0;
    let indent = 10.0 * MM;
    doc.paragraph(
        &[(
            Style::Regular,
            &format!(
                "Căn cứ {} của Chủ tịch UBND {} về việc công nhận hộ nghèo, hộ cận nghèo năm {};",
                c.decision, c.commune, c.period
            ),
        )],
        size,
        indent,
    );
    doc.paragraph(
        &[(Style::Regular, &format!("UBND {} chứng nhận:", c.commune))],
        size,
        indent,
    );
    doc.paragraph(
        &[
            (Style::Regular, "Họ và tên chủ hộ: "),
            (Style::Bold, &c.head),
            (Style::Regular, &format!("    Dân tộc: {}", c.ethnicity)),
        ],
        size,
        indent,
    );
    doc.paragraph(
        &[(Style::Regular, &format!("Số CCCD: {}", c.citizen_id))],
        size,
        indent,
    );
    doc.paragraph(
        &[(Style::Regular, &format!("Nơi cư trú: {}", c.residence))],
        size,
        indent,
    );
    doc.paragraph(
        &[
            (Style::Regular, "Là "),
            (Style::Bold, &c.status.to_lowercase()),
            (
                Style::Regular,
                &format!(" năm {}. Danh sách thành viên của hộ:", c.period),
            ),
        ],
        size,
        indent,
    );

    let rows: Vec<Vec<String>> = c
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            vec![
                (i + 1).to_string(),
                m.name.clone(),
                m.ethnicity.clone(),
                m.relation.clone(),
                m.male_year.clone(),
                m.female_year.clone(),
            ]
        })
        .collect();
    doc.table(
        &[
            (0.07, Align::Center),
            (0.33, Align::Left),
            (0.13, Align::Center),
            (0.19, Align::Center),
            (0.14, Align::Center),
            (0.14, Align::Center),
        ],
        &[
            "TT",
            "Họ và tên",
            "Dân tộc",
            "Quan hệ với chủ hộ",
            "Năm sinh (Nam)",
            "Năm sinh (Nữ)",
        ],
        &rows,
        10.5,
        0.0,
    );

    // The yearly confirmation: the first year is the one recognised now; the next two
    // are left for the commune to confirm (or not) at the following reviews.
    doc.y -= 6.0;
    let confirm: Vec<Vec<String>> = (0..3)
        .map(|k| {
            vec![
                (c.period + k).to_string(),
                if k == 0 {
                    c.status.clone()
                } else {
                    String::new()
                },
                String::new(),
            ]
        })
        .collect();
    doc.table(
        &[
            (0.15, Align::Center),
            (0.50, Align::Center),
            (0.35, Align::Center),
        ],
        &["Năm", "Xác nhận tình trạng của hộ", "Chữ ký, đóng dấu"],
        &confirm,
        10.5,
        // Room for a signature and the commune's stamp in each year's row.
        34.0,
    );
    doc.signature(&c.date_line);
}

/// The written answer to a household whose request was refused, on one A4 page.
pub fn refusal_letter_pdf(l: &LetterDoc) -> Vec<u8> {
    let mut doc = Doc::new(PORTRAIT);
    doc.heading(
        &[(Style::Bold, format!("UBND {}", l.commune.to_uppercase()))],
        None,
        None,
    );
    doc.y -= 6.0;
    let size = 12.0;
    doc.y -= size * 1.4;
    doc.line_in(
        LEFT + PORTRAIT.width() * 0.40,
        PORTRAIT.width() * 0.60,
        doc.y,
        Style::Italic,
        size,
        &l.date_line,
        Align::Center,
    );
    doc.title(&[
        ("VĂN BẢN TRẢ LỜI", 15.0),
        ("về đề nghị rà soát hộ nghèo, hộ cận nghèo", 12.5),
    ]);
    let indent = 10.0 * MM;
    doc.paragraph(
        &[
            (Style::Regular, "Kính gửi: Ông/Bà "),
            (Style::Bold, &l.requester),
            (Style::Regular, &format!(" (hộ {}).", l.head)),
        ],
        size,
        indent,
    );
    doc.paragraph(
        &[(
            Style::Regular,
            &format!(
                "Ngày {}, UBND {} nhận được giấy đề nghị rà soát của hộ gia đình. Sau khi tổ chức rà soát theo quy định tại Quyết định số 24/2021/QĐ-TTg, UBND {} trả lời như sau:",
                l.request_date, l.commune, l.commune
            ),
        )],
        size,
        indent,
    );
    doc.paragraph(
        &[
            (
                Style::Bold,
                "Hộ gia đình không được công nhận theo đề nghị. Lý do: ",
            ),
            (
                Style::Regular,
                &format!("{}.", l.reason.trim_end_matches('.')),
            ),
        ],
        size,
        indent,
    );
    doc.paragraph(
        &[(
            Style::Regular,
            "Nếu không đồng ý, hộ gia đình có quyền khiếu nại theo quy định của pháp luật.",
        )],
        size,
        indent,
    );
    // The date line is already under the motto, as in the HTML letter.
    doc.signature("");
    doc.finish(&format!("Văn bản trả lời — {}", l.head))
}

/// The type size of a report table before it is shrunk to fit its page, and the
/// smallest it is shrunk to: below that a printed figure can no longer be read.
const TABLE_SIZE: f32 = 10.0;
const TABLE_MIN_SIZE: f32 = 6.0;
/// Space between a table cell's border and its text, in points.
const TABLE_PAD: f32 = 3.0;
/// Room left under the signature titles for the signatures and the stamp, about 2 cm.
const SIGNATURE_ROOM: f32 = 56.0;
const SIGNATURE_SIZE: f32 = 11.0;
const NOTE_SIZE: f32 = 10.0;

/// One or more official reports, each starting on a new page and numbered on its own
/// ("Trang 1/3"): portrait when the table fits it, A4 landscape when it is wide.
/// With no reports the result is a single blank page, still a valid PDF.
pub fn reports_pdf(reports: &[SheetReport]) -> Vec<u8> {
    let mut doc = Doc::new(PORTRAIT);
    for (i, report) in reports.iter().enumerate() {
        let (setup, table) = fit_report(&doc, report);
        if i == 0 {
            doc = Doc::new(setup);
        } else {
            doc.new_page_as(setup);
        }
        doc.number_pages_from_here();
        report_pages(&mut doc, report, &table);
    }
    let title = match reports {
        [] => "Báo cáo".to_string(),
        [one] => format!("{} — {}", one.title, one.sheet_name),
        [first, ..] => first.title.clone(),
    };
    doc.finish(&title)
}

/// How a report's table sits on its page: the width of the label column and of each
/// figure column, and the type size.
struct TableFit {
    widths: Vec<f32>,
    size: f32,
    /// Whether every figure and heading word fits its column at this size.
    fits: bool,
}

/// Portrait when the table fits it at full size, otherwise landscape with the type
/// shrunk until it fits, as a spreadsheet's "fit to page width" would.
fn fit_report(doc: &Doc, r: &SheetReport) -> (PageSetup, TableFit) {
    let natural = Natural::of(doc, r);
    // Portrait asks for roomier columns than landscape: a table that would need
    // narrow columns in portrait reads better across the long edge.
    let portrait = fit_table(&natural, PORTRAIT.width(), TABLE_SIZE, 4.8);
    if portrait.fits {
        return (PORTRAIT, portrait);
    }
    let mut size = TABLE_SIZE;
    loop {
        let fit = fit_table(&natural, LANDSCAPE.width(), size, 3.5);
        if fit.fits || size <= TABLE_MIN_SIZE {
            return (LANDSCAPE, fit);
        }
        size -= 0.5;
    }
}

/// The widths a table's content asks for at a type size of one point; widths grow in
/// proportion to the size, so each size tried costs no measuring.
struct Natural {
    /// The widest label (or the label column's heading).
    label: f32,
    /// Per figure column, the widest of its figures and of its heading's words.
    columns: Vec<f32>,
}

impl Natural {
    fn of(doc: &Doc, r: &SheetReport) -> Natural {
        // Totals are bold, so every label and figure is measured bold: a column wide
        // enough for the bold total is wide enough for the rows above it.
        let bold = |text: &str| doc.measure(Style::Bold, text, 1.0);
        let label = r
            .rows
            .iter()
            .map(|row| bold(&row.label))
            .fold(bold(&r.label_heading), f32::max);
        let columns = r
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let figures = r
                    .rows
                    .iter()
                    .map(|row| bold(&figure(row.values.get(i).copied().flatten(), column.kind)))
                    .fold(0.0, f32::max);
                let words = column
                    .heading
                    .last()
                    .map(|h| h.split_whitespace().map(bold).fold(0.0, f32::max))
                    .unwrap_or(0.0);
                figures.max(words)
            })
            .collect();
        Natural { label, columns }
    }
}

/// The column widths of a report's table at `size` in `width` points. A figure
/// column is at least `min_em` times the type size wide, so that its heading does not
/// become a tower of one-word lines. When the columns do not fit, every width is
/// scaled down to the page and `fits` is false; `line_in` then shrinks what overflows.
fn fit_table(natural: &Natural, width: f32, size: f32, min_em: f32) -> TableFit {
    let pad = 2.0 * TABLE_PAD;
    // A long label wraps rather than starving the figures of room.
    let mut label = (natural.label * size + pad)
        .min(width * 0.30)
        .max(size * 6.0);
    let needs: Vec<f32> = natural
        .columns
        .iter()
        .map(|w| (w * size + pad).max(size * min_em))
        .collect();
    let total: f32 = needs.iter().sum();
    if label + total > width {
        let scale = width / (label + total);
        let widths = std::iter::once(label)
            .chain(needs)
            .map(|w| w * scale)
            .collect();
        return TableFit {
            widths,
            size,
            fits: false,
        };
    }
    let n = needs.len().max(1) as f32;
    let widest = needs.iter().copied().fold(0.0, f32::max);
    if (width - label) / n > 2.0 * widest && label < width * 0.30 {
        // A narrow table on a wide page: the label column takes the room first, so the
        // names are not cramped beside columns of mostly empty space.
        label = width * 0.30;
    }
    let rest = width - label;
    let even = rest / n;
    let mut widths = vec![label];
    if needs.iter().all(|&need| need <= even) {
        // Equal columns, as the printed forms have, when every figure fits.
        widths.extend(needs.iter().map(|_| even));
    } else {
        let extra = (rest - total) / n;
        widths.extend(needs.iter().map(|need| need + extra));
    }
    TableFit {
        widths,
        size,
        fits: true,
    }
}

/// A report's header cells laid out: each cell's box relative to the table's top left
/// corner and its wrapped lines, and the height of all the header rows together.
struct HeaderLayout {
    cells: Vec<(Frame, Vec<String>)>,
    height: f32,
}

/// Lays out the merged header rows as `header_cells` describes them. A row is as tall
/// as its tallest single-row cell; a cell spanning several rows that needs more room
/// than they give makes the last of them taller.
fn layout_header(doc: &Doc, r: &SheetReport, fit: &TableFit) -> HeaderLayout {
    let size = fit.size;
    let leading = size * 1.3;
    let (mut cells, depth) = header_cells(&r.label_heading, &r.columns);
    cells.sort_by_key(|c| c.rows);
    let xs: Vec<f32> = fit
        .widths
        .iter()
        .scan(0.0, |x, w| {
            let left = *x;
            *x += w;
            Some(left)
        })
        .collect();
    let span = |col: usize, cols: usize| fit.widths[col..col + cols].iter().sum::<f32>();
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .map(|c| {
            let w = span(c.col, c.cols) - 2.0 * TABLE_PAD;
            doc.lines_of(Style::Bold, &c.text, size, w)
        })
        .collect();
    let mut heights = vec![leading + 2.0 * TABLE_PAD; depth];
    for (c, lines) in cells.iter().zip(&wrapped) {
        let need = lines.len() as f32 * leading + 2.0 * TABLE_PAD;
        let have: f32 = heights[c.row..c.row + c.rows].iter().sum();
        if need > have {
            heights[c.row + c.rows - 1] += need - have;
        }
    }
    let laid = cells
        .iter()
        .zip(wrapped)
        .map(|(c, lines)| {
            let frame = Frame {
                x: xs[c.col],
                top: -heights[..c.row].iter().sum::<f32>(),
                w: span(c.col, c.cols),
                h: heights[c.row..c.row + c.rows].iter().sum(),
                pad: TABLE_PAD,
            };
            (frame, lines)
        })
        .collect();
    HeaderLayout {
        cells: laid,
        height: heights.iter().sum(),
    }
}

/// The issuing body's lines for `Doc::heading`: the body itself, the last line, in bold
/// under the body it belongs to.
fn agency_lines(lines: &[String]) -> Vec<(Style, String)> {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let style = if i + 1 == lines.len() {
                Style::Bold
            } else {
                Style::Regular
            };
            (style, line.clone())
        })
        .collect()
}

/// The pages of one report: the heading blocks, the title, the table with its header
/// repeated on every page it runs onto, the notes, and the date and signatures kept
/// together at the end.
fn report_pages(doc: &mut Doc, r: &SheetReport, fit: &TableFit) {
    doc.heading(&agency_lines(&r.agency), None, r.form.as_deref());
    doc.title(&[(&r.title, 13.5)]);
    let (x, width) = (doc.setup.left, doc.setup.width());
    for line in &r.subtitle {
        doc.y -= 11.0 * 1.4;
        doc.line_in(x, width, doc.y, Style::Italic, 11.0, line, Align::Center);
    }
    doc.y -= 8.0;

    let size = fit.size;
    let leading = size * 1.3;
    let header = layout_header(doc, r, fit);
    let numbered = if r.numbered {
        leading + 2.0 * TABLE_PAD
    } else {
        0.0
    };
    let rows: Vec<(Style, Vec<String>, f32)> = r
        .rows
        .iter()
        .map(|row| {
            let style = if row.bold {
                Style::Bold
            } else {
                Style::Regular
            };
            let w = fit.widths[0] - 2.0 * TABLE_PAD;
            let lines = doc.lines_of(style, &row.label, size, w);
            let h = lines.len().max(1) as f32 * leading + 2.0 * TABLE_PAD;
            (style, lines, h)
        })
        .collect();
    let signers: Vec<Signer<'_>> = r
        .signers
        .iter()
        .map(|(title, hint)| Signer {
            title: vec![title.as_str()],
            hint: hint.as_str(),
        })
        .collect();
    let notes: f32 = r
        .notes
        .iter()
        .map(|note| doc.paragraph_height(&[(Style::Italic, note)], NOTE_SIZE, 0.0))
        .sum::<f32>()
        + if r.notes.is_empty() { 0.0 } else { 4.0 };
    // What follows the table and must not be left on a page of its own: the signed
    // page carries at least the last row (the total), so that it cannot be taken for
    // another table's.
    let tail = notes + signatures_height(&signers, SIGNATURE_SIZE, SIGNATURE_ROOM);
    // The header never stands alone at the foot of a page: it goes over with its first
    // row.
    let first = rows.first().map(|(_, _, h)| *h).unwrap_or(0.0);
    doc.need(header.height + numbered + first);
    table_head(doc, &header, r, fit);
    let count = rows.len();
    let mut on_page = 0;
    for (i, (row, (style, label, h))) in r.rows.iter().zip(rows).enumerate() {
        let keep = if i + 1 == count { h + tail } else { h };
        if !doc.fits(h) || (on_page > 0 && !doc.fits(keep)) {
            doc.new_page();
            table_head(doc, &header, r, fit);
            on_page = 0;
        }
        on_page += 1;
        let top = doc.y;
        let mut x = doc.setup.left;
        let frame = |x: f32, w: f32| Frame {
            x,
            top,
            w,
            h,
            pad: TABLE_PAD,
        };
        doc.cell(frame(x, fit.widths[0]), &label, style, size, Align::Left);
        x += fit.widths[0];
        for (i, (column, w)) in r.columns.iter().zip(&fit.widths[1..]).enumerate() {
            let text = figure(row.values.get(i).copied().flatten(), column.kind);
            doc.cell(frame(x, *w), &[text], style, size, Align::Right);
            x += w;
        }
        doc.y = top - h;
    }

    if !r.notes.is_empty() {
        doc.y -= 4.0;
        for note in &r.notes {
            doc.paragraph(&[(Style::Italic, note)], NOTE_SIZE, 0.0);
        }
    }
    doc.signatures(&r.place_date, &signers, 0.0, SIGNATURE_SIZE, SIGNATURE_ROOM);
}

/// The table's header rows, then the row of column numbers (A, 1, 2, …) when the form
/// has one, at the current position; on the first page and again on every page the
/// table runs onto.
fn table_head(doc: &mut Doc, header: &HeaderLayout, r: &SheetReport, fit: &TableFit) {
    let (left, top) = (doc.setup.left, doc.y);
    for (frame, lines) in &header.cells {
        let placed = Frame {
            x: left + frame.x,
            top: top + frame.top,
            ..*frame
        };
        doc.cell(placed, lines, Style::Bold, fit.size, Align::Center);
    }
    doc.y = top - header.height;
    if r.numbered {
        let h = fit.size * 1.3 + 2.0 * TABLE_PAD;
        let top = doc.y;
        let mut x = left;
        let numbers =
            std::iter::once("A".to_string()).chain((1..=r.columns.len()).map(|n| n.to_string()));
        for (text, w) in numbers.zip(&fit.widths) {
            let frame = Frame {
                x,
                top,
                w: *w,
                h,
                pad: TABLE_PAD,
            };
            doc.cell(frame, &[text], Style::Italic, fit.size, Align::Center);
            x += w;
        }
        doc.y = top - h;
    }
}
