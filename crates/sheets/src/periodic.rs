//! The periodic report an office sends up (báo cáo định kỳ) as a Word document: the
//! national motto and the issuing body with the document's number at the top, the place
//! and date, the title, the sections (headings, paragraphs and tables), then "Nơi nhận"
//! and the signature block side by side, as Decree 30/2020 lays out an administrative
//! report.
//!
//! The .docx is written by hand as OOXML (a few XML parts packed with the `zip` crate the
//! workspace already has) rather than through a document library: the layout needs
//! paragraphs, runs and borderless or ruled tables, nothing more. The PDF of the same
//! document is `pdf::periodic_pdf`. Both take the plain [`PeriodicDoc`] that the app
//! layer assembles, so that they never disagree on a figure.

use crate::xlsform::zip_files;
use unicode_normalization::UnicodeNormalization;

/// One piece of a report's body, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading ("I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ"), bold.
    Heading(String),
    /// A paragraph of running text, its first line indented.
    Paragraph(String),
    /// A paragraph in italics, for notes ("cần xác nhận", a failed check).
    Note(String),
    /// A ruled table: the column headings, then the rows; `right[i]` right-aligns
    /// column `i` (figures), `widths[i]` is its share of the text width.
    Table {
        columns: Vec<String>,
        widths: Vec<f32>,
        right: Vec<bool>,
        rows: Vec<Vec<String>>,
    },
}

/// Everything printed on a periodic report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PeriodicDoc {
    /// The issuing body's lines, the body itself last ("UBND TỈNH HÀ TĨNH",
    /// "UBND HUYỆN HƯƠNG KHÊ").
    pub agency: Vec<String>,
    /// The national motto's two lines, from the wording an administrator may correct
    /// (`common.motto` of the forms' wording file).
    pub motto: Vec<String>,
    /// The document number ("15/BC-UBND", or "…/BC-UBND" while a draft).
    pub number: String,
    /// "Hương Khê, ngày 05 tháng 07 năm 2021".
    pub place_date: String,
    /// "BÁO CÁO".
    pub title: String,
    /// What the report is about, under the title.
    pub subject: String,
    pub blocks: Vec<Block>,
    /// The lines under "Nơi nhận:" ("- UBND tỉnh;", "- Lưu: VT.").
    pub recipients: Vec<String>,
    /// The signer's title lines ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH").
    pub signer: Vec<String>,
    /// The signer's name under the signature; empty leaves room only.
    pub signer_name: String,
    /// "BẢN DỰ THẢO" on a draft, empty once issued.
    pub watermark: String,
}

/// The label above the recipients.
pub const RECIPIENTS_LABEL: &str = "Nơi nhận:";
/// The hint under the signer's title.
pub const SIGNATURE_HINT: &str = "(Ký, ghi rõ họ tên, đóng dấu)";

/// Text as XML character data: escaped and in NFC, so that Word shows one glyph per
/// Vietnamese letter.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 cannot carry are dropped rather than corrupting the file.
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// How a run of text looks.
#[derive(Clone, Copy, Default)]
struct Look {
    bold: bool,
    italic: bool,
    underline: bool,
    /// Half-points, as OOXML counts font sizes (28 = 14 pt).
    size: u32,
}

const BODY: Look = Look {
    bold: false,
    italic: false,
    underline: false,
    size: 28,
};

fn run(text: &str, look: Look) -> String {
    let mut props = String::from(
        "<w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\"/>",
    );
    if look.bold {
        props.push_str("<w:b/>");
    }
    if look.italic {
        props.push_str("<w:i/>");
    }
    if look.underline {
        props.push_str("<w:u w:val=\"single\"/>");
    }
    props.push_str(&format!(
        "<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/></w:rPr>",
        look.size
    ));
    format!(
        "<w:r>{props}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        esc(text)
    )
}

#[derive(Clone, Copy, PartialEq)]
enum Jc {
    Left,
    Center,
    Right,
    Both,
}

impl Jc {
    fn val(self) -> &'static str {
        match self {
            Jc::Left => "left",
            Jc::Center => "center",
            Jc::Right => "right",
            Jc::Both => "both",
        }
    }
}

/// One paragraph of one run; `indent` in twentieths of a point for the first line.
fn para(text: &str, look: Look, jc: Jc, indent: u32) -> String {
    let ind = if indent > 0 {
        format!("<w:ind w:firstLine=\"{indent}\"/>")
    } else {
        String::new()
    };
    format!(
        "<w:p><w:pPr><w:spacing w:before=\"60\" w:after=\"60\"/>{ind}<w:jc w:val=\"{}\"/></w:pPr>{}</w:p>",
        jc.val(),
        run(text, look)
    )
}

/// The text width of an A4 page with the margins below, in twentieths of a point.
const TEXT_WIDTH: f32 = 11906.0 - 1701.0 - 1134.0;

/// A table of `cells` (each a list of paragraphs' XML) with the given column shares;
/// `ruled` draws the grid, otherwise the table only places blocks side by side.
fn table(widths: &[f32], rows: &[Vec<String>], ruled: bool) -> String {
    let twips: Vec<u32> = widths.iter().map(|w| (w * TEXT_WIDTH) as u32).collect();
    let border = if ruled { "single" } else { "nil" };
    let mut out = format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/><w:tblBorders>",
        twips.iter().sum::<u32>()
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        out.push_str(&format!(
            "<w:{side} w:val=\"{border}\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        ));
    }
    out.push_str("</w:tblBorders></w:tblPr><w:tblGrid>");
    for w in &twips {
        out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    out.push_str("</w:tblGrid>");
    for row in rows {
        out.push_str("<w:tr>");
        for (cell, w) in row.iter().zip(&twips) {
            // A cell must hold at least one paragraph.
            let body = if cell.is_empty() { "<w:p/>" } else { cell };
            out.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr>{body}</w:tc>"
            ));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

/// The body of `document.xml`.
fn body(doc: &PeriodicDoc) -> String {
    let mut out = String::new();
    let small = |bold: bool| Look {
        bold,
        size: 26,
        ..BODY
    };
    // The heading: the issuing body and the number on the left, the motto and the place
    // and date on the right.
    let mut left = String::new();
    for (i, line) in doc.agency.iter().enumerate() {
        let last = i + 1 == doc.agency.len();
        left.push_str(&para(line, small(last), Jc::Center, 0));
    }
    left.push_str(&para(
        &format!("Số: {}", doc.number),
        small(false),
        Jc::Center,
        0,
    ));
    // The motto: the country's name small, the motto under it underlined.
    let mut right = String::new();
    for (i, line) in doc.motto.iter().enumerate() {
        let look = if i == 0 {
            small(true)
        } else {
            Look {
                bold: true,
                underline: true,
                ..BODY
            }
        };
        right.push_str(&para(line, look, Jc::Center, 0));
    }
    right.push_str(&para(
        &doc.place_date,
        Look {
            italic: true,
            ..BODY
        },
        Jc::Center,
        0,
    ));
    out.push_str(&table(&[0.4, 0.6], &[vec![left, right]], false));
    if !doc.watermark.is_empty() {
        out.push_str(&para(
            &doc.watermark,
            Look {
                bold: true,
                italic: true,
                ..BODY
            },
            Jc::Right,
            0,
        ));
    }
    out.push_str(&para(
        &doc.title,
        Look {
            bold: true,
            size: 30,
            ..BODY
        },
        Jc::Center,
        0,
    ));
    out.push_str(&para(
        &doc.subject,
        Look { bold: true, ..BODY },
        Jc::Center,
        0,
    ));
    for block in &doc.blocks {
        match block {
            Block::Heading(text) => {
                out.push_str(&para(text, Look { bold: true, ..BODY }, Jc::Left, 0));
            }
            Block::Paragraph(text) => out.push_str(&para(text, BODY, Jc::Both, 567)),
            Block::Note(text) => out.push_str(&para(
                text,
                Look {
                    italic: true,
                    size: 24,
                    ..BODY
                },
                Jc::Both,
                0,
            )),
            Block::Table {
                columns,
                widths,
                right,
                rows,
            } => {
                let cell = |text: &str, bold: bool, jc: Jc| {
                    para(
                        text,
                        Look {
                            bold,
                            size: 24,
                            ..BODY
                        },
                        jc,
                        0,
                    )
                };
                let mut grid = vec![
                    columns
                        .iter()
                        .map(|c| cell(c, true, Jc::Center))
                        .collect::<Vec<_>>(),
                ];
                for row in rows {
                    grid.push(
                        row.iter()
                            .enumerate()
                            .map(|(i, text)| {
                                let jc = if right.get(i).copied().unwrap_or(false) {
                                    Jc::Right
                                } else {
                                    Jc::Left
                                };
                                cell(text, false, jc)
                            })
                            .collect(),
                    );
                }
                out.push_str(&table(widths, &grid, true));
            }
        }
    }
    // "Nơi nhận" on the left, the signature on the right.
    let mut recipients = para(
        RECIPIENTS_LABEL,
        Look {
            bold: true,
            italic: true,
            size: 24,
            ..BODY
        },
        Jc::Left,
        0,
    );
    for line in &doc.recipients {
        recipients.push_str(&para(line, Look { size: 22, ..BODY }, Jc::Left, 0));
    }
    let mut signature = String::new();
    for line in &doc.signer {
        signature.push_str(&para(line, Look { bold: true, ..BODY }, Jc::Center, 0));
    }
    signature.push_str(&para(
        SIGNATURE_HINT,
        Look {
            italic: true,
            size: 24,
            ..BODY
        },
        Jc::Center,
        0,
    ));
    // Room for the signature and the stamp.
    for _ in 0..3 {
        signature.push_str("<w:p/>");
    }
    signature.push_str(&para(
        &doc.signer_name,
        Look { bold: true, ..BODY },
        Jc::Center,
        0,
    ));
    out.push_str(&table(&[0.5, 0.5], &[vec![recipients, signature]], false));
    out
}

/// The main part of the document: the body on A4 portrait with the margins of Decree
/// 30/2020 (left 30 mm, right 20 mm, top and bottom 20 mm).
pub fn document_xml(doc: &PeriodicDoc) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:body>{}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
<w:pgMar w:top=\"1134\" w:right=\"1134\" w:bottom=\"1134\" w:left=\"1701\" w:header=\"720\" w:footer=\"720\" w:gutter=\"0\"/>\
</w:sectPr></w:body></w:document>",
        body(doc)
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

fn core_xml(doc: &PeriodicDoc) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>giamngheo</dc:creator></cp:coreProperties>",
        esc(&format!("{} {}", doc.title, doc.subject))
    )
}

/// The report as a .docx file.
pub fn periodic_docx(doc: &PeriodicDoc) -> Result<Vec<u8>, zip::result::ZipError> {
    zip_files(&[
        (
            "[Content_Types].xml".into(),
            CONTENT_TYPES.as_bytes().to_vec(),
        ),
        ("_rels/.rels".into(), RELS.as_bytes().to_vec()),
        ("docProps/core.xml".into(), core_xml(doc).into_bytes()),
        ("word/document.xml".into(), document_xml(doc).into_bytes()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_precomposed() {
        // "ộ" decomposed: o + combining circumflex + combining dot below.
        let decomposed = "Ho\u{0302}\u{0323} <nghèo> & \"cận\"";
        let out = esc(decomposed);
        assert_eq!(out, "Hộ &lt;nghèo&gt; &amp; &quot;cận&quot;");
    }
}
