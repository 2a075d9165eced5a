//! The periodic report (báo cáo định kỳ) as a PDF, from the same [`PeriodicDoc`] as the
//! .docx: the heading blocks, the place and date under the motto, the title, the
//! sections, then "Nơi nhận" and the signature block kept together on the last page.

use super::{Align, Doc, PORTRAIT, Signer, Style, agency_lines, signatures_height};
use crate::periodic::{Block, PeriodicDoc, RECIPIENTS_LABEL, SIGNATURE_HINT};

const BODY_SIZE: f32 = 12.0;
const TABLE_SIZE: f32 = 10.0;
const SMALL_SIZE: f32 = 10.0;
/// Room under the signer's title for the signature and the stamp, about 2 cm.
const SIGNATURE_ROOM: f32 = 56.0;
/// The first-line indent of a paragraph, 1 cm.
const INDENT: f32 = 28.35;

/// The report as a PDF, A4 portrait, its pages numbered.
pub fn periodic_pdf(r: &PeriodicDoc) -> Vec<u8> {
    let mut doc = Doc::new(PORTRAIT);
    doc.number_pages_from_here();
    let agency = agency_lines(&r.agency);
    let top = doc.y;
    doc.set_motto(&r.motto);
    doc.heading(&agency, Some(&r.number), None);
    // The place and date go under the motto, on the right, as in every document.
    let width = doc.setup.width();
    let (rx, rw) = (doc.setup.left + width * 0.40, width * 0.60);
    let date_y = (top - 11.5 * 1.35 * 3.0 - 4.0).min(doc.y + 2.0);
    doc.line_in(
        rx,
        rw,
        date_y,
        Style::Italic,
        11.5,
        &r.place_date,
        Align::Center,
    );
    doc.y = doc.y.min(date_y - 6.0);
    if !r.watermark.is_empty() {
        doc.y -= BODY_SIZE * 1.4;
        let (x, w) = (doc.setup.left, doc.setup.width());
        doc.line_in(
            x,
            w,
            doc.y,
            Style::Italic,
            BODY_SIZE,
            &r.watermark,
            Align::Right,
        );
    }
    doc.title(&[(&r.title, 14.0), (&r.subject, 12.5)]);
    for block in &r.blocks {
        match block {
            Block::Heading(text) => {
                doc.y -= 4.0;
                let runs = [(Style::Bold, text.as_str())];
                let h = doc.paragraph_height(&runs, BODY_SIZE, 0.0);
                // A heading never stands alone at the foot of a page.
                doc.need(h + BODY_SIZE * 3.0);
                doc.paragraph(&runs, BODY_SIZE, 0.0);
            }
            Block::Paragraph(text) => {
                doc.paragraph(&[(Style::Regular, text.as_str())], BODY_SIZE, INDENT);
            }
            Block::Note(text) => {
                doc.paragraph(&[(Style::Italic, text.as_str())], SMALL_SIZE, 0.0);
            }
            Block::Table {
                columns,
                widths,
                right,
                rows,
            } => {
                let cols: Vec<(f32, Align)> = widths
                    .iter()
                    .enumerate()
                    .map(|(i, w)| {
                        let align = if right.get(i).copied().unwrap_or(false) {
                            Align::Right
                        } else {
                            Align::Left
                        };
                        (*w, align)
                    })
                    .collect();
                let header: Vec<&str> = columns.iter().map(String::as_str).collect();
                doc.table(&cols, &header, rows, TABLE_SIZE, 0.0);
                doc.y -= 4.0;
            }
        }
    }
    closing(&mut doc, r);
    doc.finish(&format!("{} {}", r.title, r.subject))
}

/// "Nơi nhận" on the left and the signature block on the right, on one page.
fn closing(doc: &mut Doc, r: &PeriodicDoc) {
    let title: Vec<&str> = r.signer.iter().map(String::as_str).collect();
    let signers = [Signer {
        title,
        hint: SIGNATURE_HINT,
    }];
    let recipients = SMALL_SIZE * 1.4 * (r.recipients.len() as f32 + 2.0);
    let sign = signatures_height(&signers, BODY_SIZE, SIGNATURE_ROOM) + BODY_SIZE * 1.4;
    doc.need(recipients.max(sign));
    let top = doc.y;
    doc.signatures("", &signers, 0.5, BODY_SIZE, SIGNATURE_ROOM);
    let (x, w) = (
        doc.setup.left + doc.setup.width() * 0.5,
        doc.setup.width() * 0.5,
    );
    doc.y -= BODY_SIZE * 1.4;
    doc.line_in(
        x,
        w,
        doc.y,
        Style::Bold,
        BODY_SIZE,
        &r.signer_name,
        Align::Center,
    );
    let bottom = doc.y;
    // The recipients start level with the signer's title.
    let (lx, lw) = (doc.setup.left, doc.setup.width() * 0.48);
    let mut y = top - BODY_SIZE * 1.4;
    doc.line_in(
        lx,
        lw,
        y,
        Style::Bold,
        SMALL_SIZE + 1.0,
        RECIPIENTS_LABEL,
        Align::Left,
    );
    for line in &r.recipients {
        y -= SMALL_SIZE * 1.4;
        doc.line_in(lx, lw, y, Style::Regular, SMALL_SIZE, line, Align::Left);
    }
    doc.y = bottom.min(y);
}
