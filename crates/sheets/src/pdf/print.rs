//! Documents described as a list of blocks (heading, title, paragraphs, a ruled list,
//! signatures): the lists the review procedure makes a commune post and sign. The web
//! layer builds one [`PrintDoc`] and renders it twice, as the print-ready HTML page and,
//! here, as the PDF, so that the two never say different things.
//!
//! A ruled list repeats its header on every page it runs onto, and its last row (the
//! total), the row before it and what follows the table up to the signatures stay on one
//! page: a page holding only a total and signatures could be taken for another list's.

use super::*;

/// One printed document: its title (the PDF's and the HTML page's) and its blocks from
/// top to bottom.
#[derive(Debug, Clone, Default)]
pub struct PrintDoc {
    pub title: String,
    /// The national motto's two lines over the heading, from the document's wording
    /// (`common.motto`).
    pub motto: Vec<String>,
    pub blocks: Vec<Block>,
}

/// A run of text in a paragraph, bold or not.
#[derive(Debug, Clone)]
pub struct Run {
    pub text: String,
    pub bold: bool,
}

impl Run {
    pub fn plain(text: impl Into<String>) -> Run {
        Run {
            text: text.into(),
            bold: false,
        }
    }

    pub fn bold(text: impl Into<String>) -> Run {
        Run {
            text: text.into(),
            bold: true,
        }
    }
}

/// A signature block: its title lines (bold) and the hint under them (italics).
#[derive(Debug, Clone)]
pub struct PrintSigner {
    pub title: Vec<String>,
    pub hint: String,
}

/// How a list column aligns its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnAlign {
    Left,
    Center,
    Right,
}

impl ColumnAlign {
    /// The CSS class of the HTML rendering.
    pub fn css(&self) -> &'static str {
        match self {
            ColumnAlign::Left => "l",
            ColumnAlign::Center => "c",
            ColumnAlign::Right => "num",
        }
    }
}

/// A column of a ruled list: its heading, its share of the text width and its alignment.
#[derive(Debug, Clone)]
pub struct ListColumn {
    pub heading: String,
    pub share: f32,
    pub align: ColumnAlign,
}

/// A ruled list with its total row.
#[derive(Debug, Clone, Default)]
pub struct ListTable {
    pub columns: Vec<ListColumn>,
    pub rows: Vec<Vec<String>>,
    /// The bold last row ("Tổng số"), kept on the page of the signatures.
    pub total: Option<Vec<String>>,
}

/// A block of a printed document.
#[derive(Debug, Clone)]
pub enum Block {
    /// The issuing body on the left (its last line bold) with the document number under
    /// it, and the national motto on the right.
    Heading {
        agency: Vec<String>,
        number: Option<String>,
    },
    /// The place and date, in italics on the right under the motto.
    DateLine(String),
    /// Centred bold lines, the first one larger.
    Title(Vec<String>),
    /// Centred italic lines under the title.
    Subtitle(Vec<String>),
    /// A paragraph with its first line indented.
    Paragraph(Vec<Run>),
    /// A short note in italics, not indented.
    Note(String),
    Table(ListTable),
    /// The date line over the last signer, the signers side by side, and the recipients
    /// ("Nơi nhận") on the left when the document has them.
    Signatures {
        date_line: String,
        recipients: Vec<String>,
        signers: Vec<PrintSigner>,
    },
    /// The rest starts on a new page (the annex of a decision).
    PageBreak,
}

const BODY_SIZE: f32 = 12.0;
const LIST_SIZE: f32 = 10.5;
const LIST_PAD: f32 = 3.0;
const NOTE: f32 = 10.0;
const SIGN_SIZE: f32 = 12.0;
/// Room under the signature titles for the signatures and the stamp, about 2 cm.
const SIGN_ROOM: f32 = 56.0;
const RECIPIENT_SIZE: f32 = 10.0;

fn styled(runs: &[Run]) -> Vec<(Style, &str)> {
    runs.iter()
        .map(|r| {
            let style = if r.bold { Style::Bold } else { Style::Regular };
            (style, r.text.as_str())
        })
        .collect()
}

/// The documents one after the other, each starting on a new page and numbered on its
/// own ("Trang 1/2"). With no documents the result is a single blank page.
pub fn print_pdf(docs: &[PrintDoc]) -> Vec<u8> {
    let mut doc = Doc::new(PORTRAIT);
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            doc.new_page();
        }
        doc.number_pages_from_here();
        doc.set_motto(&d.motto);
        for (j, block) in d.blocks.iter().enumerate() {
            draw(&mut doc, block, &d.blocks[j + 1..]);
        }
    }
    let title = match docs {
        [one] => one.title.clone(),
        [first, ..] => first.title.clone(),
        [] => "Tài liệu in".to_string(),
    };
    doc.finish(&title)
}

fn draw(doc: &mut Doc, block: &Block, after: &[Block]) {
    let (x, width) = (doc.setup.left, doc.setup.width());
    match block {
        Block::Heading { agency, number } => {
            doc.heading(&agency_lines(agency), number.as_deref(), None);
        }
        Block::DateLine(line) => {
            doc.y -= BODY_SIZE * 1.4;
            let (lx, lw) = (x + width * 0.40, width * 0.60);
            doc.line_in(lx, lw, doc.y, Style::Italic, BODY_SIZE, line, Align::Center);
        }
        Block::Title(lines) => {
            let sized: Vec<(&str, f32)> = lines
                .iter()
                .enumerate()
                .map(|(i, l)| (l.as_str(), if i == 0 { 14.0 } else { 12.5 }))
                .collect();
            doc.title(&sized);
        }
        Block::Subtitle(lines) => {
            for line in lines {
                doc.y -= 11.0 * 1.4;
                doc.line_in(x, width, doc.y, Style::Italic, 11.0, line, Align::Center);
            }
            doc.y -= 4.0;
        }
        Block::Paragraph(runs) => doc.paragraph(&styled(runs), BODY_SIZE, 10.0 * MM),
        Block::Note(text) => doc.paragraph(&[(Style::Italic, text)], NOTE, 0.0),
        Block::Table(t) => {
            let tail = tail_height(doc, after);
            list_table(doc, t, tail);
        }
        Block::Signatures {
            date_line,
            recipients,
            signers,
        } => signatures(doc, date_line, recipients, signers),
        Block::PageBreak => doc.new_page(),
    }
}

/// The height of what follows a table up to the next table or page break: kept on the
/// page of the table's last rows.
fn tail_height(doc: &Doc, after: &[Block]) -> f32 {
    let mut h = 0.0;
    for block in after {
        h += match block {
            Block::Table(_) | Block::PageBreak => break,
            Block::Paragraph(runs) => doc.paragraph_height(&styled(runs), BODY_SIZE, 10.0 * MM),
            Block::Note(text) => doc.paragraph_height(&[(Style::Italic, text)], NOTE, 0.0),
            Block::Signatures {
                recipients,
                signers,
                ..
            } => signatures_room(recipients, signers),
            Block::DateLine(_) => BODY_SIZE * 1.4,
            Block::Subtitle(lines) => lines.len() as f32 * 11.0 * 1.4 + 4.0,
            // A heading or title after a table starts a new part; it is not kept.
            Block::Heading { .. } | Block::Title(_) => break,
        };
    }
    h
}

fn signers_of(signers: &[PrintSigner]) -> Vec<Signer<'_>> {
    signers
        .iter()
        .map(|s| Signer {
            title: s.title.iter().map(String::as_str).collect(),
            hint: s.hint.as_str(),
        })
        .collect()
}

/// The height of a signatures block with its recipients beside it.
fn signatures_room(recipients: &[String], signers: &[PrintSigner]) -> f32 {
    let signed = signatures_height(&signers_of(signers), SIGN_SIZE, SIGN_ROOM);
    let listed = SIGN_SIZE * 1.4 * 1.5 + (recipients.len() + 1) as f32 * RECIPIENT_SIZE * 1.35;
    signed.max(listed)
}

/// The signers on the right (across the page when there are several and no
/// recipients), the recipients on the left, as Decree 30/2020 places them.
fn signatures(doc: &mut Doc, date_line: &str, recipients: &[String], signers: &[PrintSigner]) {
    doc.need(signatures_room(recipients, signers));
    let top = doc.y;
    let from = if !recipients.is_empty() || signers.len() == 1 {
        0.45
    } else {
        0.0
    };
    doc.signatures(date_line, &signers_of(signers), from, SIGN_SIZE, SIGN_ROOM);
    if recipients.is_empty() {
        return;
    }
    let (x, w) = (doc.setup.left, doc.setup.width() * 0.42);
    // "Nơi nhận" starts on the line of the signer's title, under the date line.
    let mut y = top - SIGN_SIZE * 1.4 * 1.5;
    let leading = RECIPIENT_SIZE * 1.35;
    doc.line_in(
        x,
        w,
        y,
        Style::Bold,
        RECIPIENT_SIZE + 0.5,
        "Nơi nhận:",
        Align::Left,
    );
    for r in recipients {
        y -= leading;
        let line = format!("- {r}");
        doc.line_in(
            x,
            w,
            y,
            Style::Regular,
            RECIPIENT_SIZE - 0.5,
            &line,
            Align::Left,
        );
    }
    doc.y = doc.y.min(y - leading);
}

/// One laid-out row of a list: its style, each cell's lines, and its height.
struct LaidRow {
    style: Style,
    cells: Vec<Vec<String>>,
    h: f32,
}

fn lay_row(doc: &Doc, widths: &[f32], cells: &[String], style: Style) -> LaidRow {
    let leading = LIST_SIZE * 1.3;
    let cells: Vec<Vec<String>> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let text = cells.get(i).map(String::as_str).unwrap_or("");
            doc.lines_of(style, text, LIST_SIZE, w - 2.0 * LIST_PAD)
        })
        .collect();
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    LaidRow {
        style,
        cells,
        h: lines as f32 * leading + 2.0 * LIST_PAD,
    }
}

fn draw_row(doc: &mut Doc, widths: &[f32], row: &LaidRow, aligns: &[Align]) {
    let top = doc.y;
    let mut x = doc.setup.left;
    for ((lines, w), align) in row.cells.iter().zip(widths).zip(aligns) {
        let frame = Frame {
            x,
            top,
            w: *w,
            h: row.h,
            pad: LIST_PAD,
        };
        doc.cell(frame, lines, row.style, LIST_SIZE, *align);
        x += w;
    }
    doc.y = top - row.h;
}

/// A ruled list over as many pages as it needs, its header repeated on each; the last
/// data row, the total and `tail` points after it kept on one page when they fit one.
fn list_table(doc: &mut Doc, t: &ListTable, tail: f32) {
    let width = doc.setup.width();
    let shares: f32 = t
        .columns
        .iter()
        .map(|c| c.share)
        .sum::<f32>()
        .max(f32::EPSILON);
    let widths: Vec<f32> = t.columns.iter().map(|c| c.share / shares * width).collect();
    let aligns: Vec<Align> = t
        .columns
        .iter()
        .map(|c| match c.align {
            ColumnAlign::Left => Align::Left,
            ColumnAlign::Center => Align::Center,
            ColumnAlign::Right => Align::Right,
        })
        .collect();
    let centred = vec![Align::Center; widths.len()];
    let headings: Vec<String> = t.columns.iter().map(|c| c.heading.clone()).collect();
    let header = lay_row(doc, &widths, &headings, Style::Bold);
    let mut rows: Vec<LaidRow> = t
        .rows
        .iter()
        .map(|r| lay_row(doc, &widths, r, Style::Regular))
        .collect();
    let has_total = t.total.is_some();
    if let Some(total) = &t.total {
        rows.push(lay_row(doc, &widths, total, Style::Bold));
    }
    doc.y -= 4.0;
    // The header never stands alone at the foot of a page.
    let first = rows.first().map(|r| r.h).unwrap_or(0.0);
    doc.need(header.h + first);
    draw_row(doc, &widths, &header, &centred);

    let count = rows.len();
    // From this row on, the rows and the tail go together: the total and the row before
    // it, so that the signed page always carries part of the list itself.
    let keep_from = count.saturating_sub(if has_total { 2 } else { 1 });
    let kept: f32 = rows[keep_from..].iter().map(|r| r.h).sum::<f32>() + tail;
    // Kept together only when that fits a fresh page under the header at all.
    let page = doc.setup.h - doc.setup.top - doc.setup.bottom - header.h;
    let mut on_page = 0;
    for (i, row) in rows.iter().enumerate() {
        let needed = if i == keep_from && kept <= page {
            kept
        } else {
            row.h
        };
        if !doc.fits(row.h) || (on_page > 0 && !doc.fits(needed)) {
            doc.new_page();
            draw_row(doc, &widths, &header, &centred);
            on_page = 0;
        }
        draw_row(doc, &widths, row, &aligns);
        on_page += 1;
    }
}
