//! The official reports, laid out as the printed forms are.

use super::*;
use crate::reports::{SheetReport, figure, header_cells};

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

/// The pages of one report: the heading blocks, the title, the table with its header
/// repeated on every page it runs onto, the notes, and the date and signatures kept
/// together at the end.
fn report_pages(doc: &mut Doc, r: &SheetReport, fit: &TableFit) {
    doc.set_motto(&r.motto);
    doc.heading(&super::agency_lines(&r.agency), None, r.form.as_deref());
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
    // A closing total goes over with the row above it, so that the signed page always
    // carries part of the table itself and never a total alone.
    let closing_total = count >= 2 && r.rows[count - 1].bold;
    let keep_from = count.saturating_sub(if closing_total { 2 } else { 1 });
    let kept: f32 = rows[keep_from..].iter().map(|(_, _, h)| h).sum::<f32>() + tail;
    let mut on_page = 0;
    for (i, (row, (style, label, h))) in r.rows.iter().zip(rows).enumerate() {
        let keep = if i == keep_from { kept } else { h };
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
