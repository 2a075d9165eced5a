//! PDF versions of the household certificates (giấy chứng nhận hộ nghèo, hộ cận nghèo)
//! and of the written refusal (văn bản trả lời), one A4 page each.
//!
//! The pages are laid out here by hand with `pdf-writer`, and the embedded DejaVu Serif
//! is cut down to the glyphs used with `subsetter`: a few hundred kilobytes of
//! dependencies instead of a typesetting system. Vietnamese needs no shaping once the
//! text is in NFC, because every letter with its marks is one precomposed glyph in the
//! font; each character is therefore mapped to one glyph, and a ToUnicode map makes the
//! text selectable and searchable.
//!
//! The functions are pure: the web layer fills the plain documents below from what it
//! already computes for the print-ready HTML pages.

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use std::io::Write;
use subsetter::GlyphRemapper;
use unicode_normalization::UnicodeNormalization;

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
const WIDTH: f32 = PAGE_W - LEFT - RIGHT;

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

/// A document being written: the fonts, the finished pages' content streams, and the
/// page being drawn.
struct Doc {
    fonts: [FontUse; 3],
    pages: Vec<Vec<u8>>,
    content: Content,
    /// The baseline of the next line, from the bottom of the page.
    y: f32,
}

impl Doc {
    fn new() -> Doc {
        Doc {
            fonts: [
                FontUse::new(REGULAR, "DejaVuSerif"),
                FontUse::new(BOLD, "DejaVuSerif-Bold"),
                FontUse::new(ITALIC, "DejaVuSerif-Italic"),
            ],
            pages: Vec::new(),
            content: Content::new(),
            y: PAGE_H - TOP,
        }
    }

    fn font(&self, style: Style) -> &FontUse {
        &self.fonts[style as usize]
    }

    fn new_page(&mut self) {
        let content = std::mem::replace(&mut self.content, Content::new());
        self.pages.push(content.finish().to_vec());
        self.y = PAGE_H - TOP;
    }

    /// Starts a new page when fewer than `height` points are left, so that a table row
    /// or a signature block is never cut by the page edge.
    fn need(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
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
        let mut size = size;
        while size > 6.0 && self.measure(style, text, size) > w {
            size -= 0.5;
        }
        let tw = self.measure(style, text, size);
        let tx = match a {
            Align::Left => x,
            Align::Center => x + (w - tw) / 2.0,
        };
        self.text_at(tx, y, style, size, text);
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

    /// A left-aligned paragraph of styled runs; the first line is indented like the
    /// paragraphs of an official letter.
    fn paragraph(&mut self, runs: &[(Style, &str)], size: f32, indent: f32) {
        let leading = size * 1.45;
        // Wrapping the first line narrower by the indent keeps the code simple: the
        // indent is at most a few words.
        self.y -= size * 0.2;
        let first = self.wrap(runs, size, WIDTH - indent);
        let mut lines = Vec::new();
        if let Some(head) = first.first() {
            lines.push(head.clone());
            let rest: Vec<(Style, String)> = first[1..].iter().flatten().cloned().collect();
            let rest_refs: Vec<(Style, &str)> =
                rest.iter().map(|(s, t)| (*s, t.as_str())).collect();
            if !rest_refs.is_empty() {
                lines.extend(self.wrap(&rest_refs, size, WIDTH));
            }
        }
        for (i, line) in lines.iter().enumerate() {
            self.need(leading);
            self.y -= leading;
            let mut x = LEFT + if i == 0 { indent } else { 0.0 };
            for (style, text) in line {
                self.text_at(x, self.y, *style, size, text);
                x += self.measure(*style, text, size);
            }
        }
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
        let widths: Vec<f32> = cols.iter().map(|(f, _)| f * WIDTH).collect();
        // Header cells are bold and centred; body cells follow their column.
        let header = style == Style::Bold;
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                self.wrap(&[(style, c)], size, w - 2.0 * pad)
                    .into_iter()
                    .map(|l| l.into_iter().map(|(_, t)| t).collect::<String>())
                    .map(|l| l.trim_end().to_string())
                    .collect()
            })
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let natural = lines as f32 * leading + 2.0 * pad;
        let height = natural.max(min_height);
        self.need(height);
        let top = self.y;
        let mut x = LEFT;
        for ((cell, w), (_, align)) in wrapped.iter().zip(&widths).zip(cols) {
            let align = if header { Align::Center } else { *align };
            // Cells with fewer lines than the row are centred vertically.
            let offset = ((lines - cell.len()) as f32 * leading + height - natural) / 2.0;
            for (i, line) in cell.iter().enumerate() {
                let baseline = top - pad - offset - (i as f32 + 1.0) * leading + size * 0.3;
                self.line_in(x + pad, w - 2.0 * pad, baseline, style, size, line, align);
            }
            self.content
                .set_line_width(0.6)
                .rect(x, top - height, *w, height)
                .stroke();
            x += w;
        }
        self.y = top - height;
    }

    /// The national motto on the right and the issuing body (and number) on the left,
    /// as at the top of every administrative document.
    fn heading(&mut self, left: &[(Style, String)], number: Option<&str>) {
        // The left column stops a little short of the motto so that a long district
        // name does not run into it.
        let lw = WIDTH * 0.40 - 8.0;
        let rx = LEFT + WIDTH * 0.40;
        let rw = WIDTH * 0.60;
        let top = self.y;
        let size = 11.5;
        let leading = size * 1.35;

        let mut y = top - leading;
        self.line_in(
            rx,
            rw,
            y,
            Style::Bold,
            size,
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            Align::Center,
        );
        y -= leading;
        let motto = "Độc lập - Tự do - Hạnh phúc";
        self.line_in(rx, rw, y, Style::Bold, size + 0.5, motto, Align::Center);
        let mw = self.measure(Style::Bold, motto, size + 0.5);
        self.rule(rx + (rw - mw) / 2.0, y - 4.0, rx + (rw + mw) / 2.0, 0.6);

        let mut ly = top;
        let mut last_w = 0.0;
        for (style, line) in left {
            ly -= leading;
            self.line_in(LEFT, lw, ly, *style, size, line, Align::Center);
            last_w = self.measure(*style, line, size).min(lw);
        }
        // A short rule under the issuing body, a third of its name's width.
        let cx = LEFT + lw / 2.0;
        self.rule(cx - last_w / 6.0, ly - 6.0, cx + last_w / 6.0, 0.6);
        if let Some(number) = number {
            ly -= leading + 6.0;
            self.line_in(
                LEFT,
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

    /// The date line on the right, then the signature block of the commune chair.
    fn signature(&mut self, date_line: &str) {
        let size = 12.0;
        let leading = size * 1.4;
        self.need(leading * 6.0);
        let rx = LEFT + WIDTH * 0.42;
        let rw = WIDTH * 0.58;
        if date_line.is_empty() {
            self.y -= leading;
        } else {
            self.y -= leading * 1.3;
            self.line_in(
                rx,
                rw,
                self.y,
                Style::Italic,
                size,
                date_line,
                Align::Center,
            );
        }
        self.y -= leading * 1.2;
        self.line_in(
            rx,
            rw,
            self.y,
            Style::Bold,
            size,
            "TM. ỦY BAN NHÂN DÂN",
            Align::Center,
        );
        self.y -= leading;
        self.line_in(rx, rw, self.y, Style::Bold, size, "CHỦ TỊCH", Align::Center);
        self.y -= leading;
        self.line_in(
            rx,
            rw,
            self.y,
            Style::Italic,
            size - 1.5,
            "(Ký, ghi rõ họ tên, đóng dấu)",
            Align::Center,
        );
    }

    fn title(&mut self, lines: &[(&str, f32)]) {
        self.y -= 10.0;
        for &(line, size) in lines {
            self.y -= size * 1.4;
            self.line_in(LEFT, WIDTH, self.y, Style::Bold, size, line, Align::Center);
        }
        self.y -= 6.0;
    }

    /// Writes the PDF: catalog, pages, and each used font as a subset CID font.
    fn finish(mut self, title: &str) -> Vec<u8> {
        // The page being drawn is always the last one; with no documents it is the
        // single blank page that keeps the file a valid PDF.
        self.new_page();
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
        for ((page, content), data) in page_ids.iter().zip(&self.pages) {
            let mut p = pdf.page(*page);
            p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
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
    let mut doc = Doc::new();
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
    doc.heading(&left, Some(&c.number));
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
    let mut doc = Doc::new();
    doc.heading(
        &[(Style::Bold, format!("UBND {}", l.commune.to_uppercase()))],
        None,
    );
    doc.y -= 6.0;
    let size = 12.0;
    doc.y -= size * 1.4;
    doc.line_in(
        LEFT + WIDTH * 0.40,
        WIDTH * 0.60,
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
