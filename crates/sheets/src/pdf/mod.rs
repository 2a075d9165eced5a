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

mod forms;
mod periodic;
mod print;
mod report;
pub use periodic::periodic_pdf;

pub use forms::{CertMemberDoc, CertificateDoc, CertificateWords, certificates_pdf};
pub use print::{Block, ColumnAlign, ListColumn, ListTable, PrintDoc, PrintSigner, Run, print_pdf};
pub use report::reports_pdf;

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

const REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSerif.ttf");
const BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSerif-Bold.ttf");
const ITALIC: &[u8] = include_bytes!("../../fonts/DejaVuSerif-Italic.ttf");

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
    /// The national motto's two lines over the heading, set by each document from the
    /// wording an administrator may correct (`common.motto`), so that no copy of it is
    /// written in code.
    motto: [String; 2],
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
            motto: Default::default(),
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
        let [motto, motto_2] = self.motto.clone();
        y -= leading;
        self.line_in(rx, rw, y, Style::Bold, size, &motto, Align::Center);
        y -= leading;
        self.line_in(rx, rw, y, Style::Bold, size + 0.5, &motto_2, Align::Center);
        let mw = self.measure(Style::Bold, &motto_2, size + 0.5);
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

    /// Takes the motto's two lines from the document's wording; a line the wording
    /// leaves out stays blank.
    fn set_motto(&mut self, lines: &[String]) {
        let line = |i: usize| lines.get(i).cloned().unwrap_or_default();
        self.motto = [line(0), line(1)];
    }

    /// The date line on the right, then the commune chair's signature block under it,
    /// as on every decision of the commune.
    fn signature(&mut self, date_line: &str, title: &[String], hint: &str) {
        let chair = Signer {
            title: title.iter().map(String::as_str).collect(),
            hint,
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
