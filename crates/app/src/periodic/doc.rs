//! The periodic report as the document the .docx and PDF writers take.

use super::{PeriodicReport, SectionKind};
use crate::AppError;
use crate::print_wording::Wording;
use giamngheo_sheets::periodic::{Block, PeriodicDoc};

/// The mark on a report not yet issued.
pub const DRAFT_MARK: &str = "BẢN DỰ THẢO";

impl PeriodicReport {
    /// The document: the heading blocks, each section's tables and notes or the office's
    /// text (a paragraph per line), then the recipients and the signature; the motto
    /// and the date line in the words of `wording`.
    pub fn to_doc(&self, wording: &Wording) -> PeriodicDoc {
        let mut blocks = Vec::new();
        if self.check_failed {
            blocks.push(Block::Note(
                "Cảnh báo: số liệu diễn biến không khớp kiểm tra cột 9 = 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8; xem mục kết quả rà soát."
                    .into(),
            ));
        }
        for s in &self.sections {
            blocks.push(Block::Heading(s.heading.clone()));
            if s.kind == SectionKind::Text {
                let mut any = false;
                for line in s.text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    blocks.push(Block::Paragraph(line.to_string()));
                    any = true;
                }
                if !any {
                    blocks.push(Block::Note("(Chưa soạn nội dung)".into()));
                }
                continue;
            }
            for (caption, t) in &s.tables {
                blocks.push(Block::Paragraph(format!("{caption}:")));
                blocks.push(Block::Table {
                    columns: t.columns.clone(),
                    widths: t.widths.clone(),
                    right: t.right.clone(),
                    rows: t.rows.clone(),
                });
            }
            for n in &s.notes {
                blocks.push(Block::Note(n.clone()));
            }
        }
        PeriodicDoc {
            agency: self.agency.clone(),
            motto: wording.motto(),
            number: self.number.clone(),
            place_date: wording.date_line(&self.place, self.date),
            title: self.title.clone(),
            subject: self.subject.clone(),
            blocks,
            recipients: self.recipients.clone(),
            signer: self.signer.clone(),
            signer_name: self.signer_name.clone(),
            watermark: if self.issued.is_some() {
                String::new()
            } else {
                DRAFT_MARK.into()
            },
        }
    }

    /// The report as a .docx file.
    pub fn to_docx(&self, wording: &Wording) -> Result<Vec<u8>, AppError> {
        giamngheo_sheets::periodic::periodic_docx(&self.to_doc(wording))
            .map_err(|e| AppError::invalid("format", format!("không tạo được .docx: {e}")))
    }

    /// The report as a PDF file.
    pub fn to_pdf(&self, wording: &Wording) -> Vec<u8> {
        giamngheo_sheets::pdf::periodic_pdf(&self.to_doc(wording))
    }

    /// The file name stem: `bao-cao-dinh-ky-444-2021-Q2`.
    pub fn file_stem(&self) -> String {
        format!("bao-cao-dinh-ky-{}-{}", self.unit_code, self.period)
    }
}
