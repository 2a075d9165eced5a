//! The periodic report as .docx and PDF: the Word file is unzipped and its
//! `document.xml` read back; the PDF's text is read back with lopdf, a parser independent
//! of the writer. Both must carry the motto, the issuing body, the number, the figures,
//! the text sections and the signature block.

use giamngheo_sheets::pdf::periodic_pdf;
use giamngheo_sheets::periodic::{Block, PeriodicDoc, periodic_docx};
use giamngheo_sheets::xlsform::unzip;

fn sample(rows: usize) -> PeriodicDoc {
    PeriodicDoc {
        agency: vec!["UBND TỈNH HÀ TĨNH".into(), "UBND HUYỆN HƯƠNG KHÊ".into()],
        motto: vec![
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
            "Độc lập - Tự do - Hạnh phúc".into(),
        ],
        number: "15/BC-UBND".into(),
        place_date: "Hương Khê, ngày 05 tháng 07 năm 2021".into(),
        title: "BÁO CÁO".into(),
        subject: "Kết quả thực hiện công tác giảm nghèo quý II năm 2021".into(),
        blocks: vec![
            Block::Heading("I. KẾT QUẢ RÀ SOÁT".into()),
            Block::Table {
                columns: vec!["Chỉ tiêu".into(), "Số liệu".into()],
                widths: vec![0.7, 0.3],
                right: vec![false, true],
                rows: (0..rows)
                    .map(|i| vec![format!("Hộ nghèo xã số {}", i + 1), "1.234".into()])
                    .chain(std::iter::once(vec![
                        "Tổng số hộ nghèo".into(),
                        "1.500.000".into(),
                    ]))
                    .collect(),
            },
            Block::Note("Tỷ lệ 4,03 % (cần xác nhận)".into()),
            Block::Heading("II. ĐÁNH GIÁ CHUNG".into()),
            Block::Paragraph(
                "Công tác giảm nghèo đạt kết quả tích cực <tốt> & đúng tiến độ.".into(),
            ),
        ],
        recipients: vec!["- UBND tỉnh;".into(), "- Lưu: VT.".into()],
        signer: vec!["TM. ỦY BAN NHÂN DÂN".into(), "CHỦ TỊCH".into()],
        signer_name: "Nguyễn Văn An".into(),
        watermark: "BẢN DỰ THẢO".into(),
    }
}

#[test]
fn the_docx_holds_the_motto_the_figures_and_the_sections() {
    let bytes = periodic_docx(&sample(3)).expect("the .docx is written");
    let files = unzip(&bytes, 10 * 1024 * 1024).expect("the .docx unzips");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for part in ["[Content_Types].xml", "_rels/.rels", "word/document.xml"] {
        assert!(names.contains(&part), "{part} missing from {names:?}");
    }
    let xml = files
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .map(|(_, b)| String::from_utf8(b.clone()).expect("UTF-8"))
        .expect("document.xml");
    for text in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND HUYỆN HƯƠNG KHÊ",
        "Số: 15/BC-UBND",
        "Hương Khê, ngày 05 tháng 07 năm 2021",
        "quý II năm 2021",
        "1.500.000",
        "4,03 % (cần xác nhận)",
        "Nơi nhận:",
        "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "Nguyễn Văn An",
        "BẢN DỰ THẢO",
        // Escaped, not raw: a raw "<tốt>" would make the file unreadable.
        "tích cực &lt;tốt&gt; &amp; đúng",
    ] {
        assert!(xml.contains(text), "document.xml lacks «{text}»");
    }
    // Well-formed enough for Word: every opened table is closed.
    assert_eq!(
        xml.matches("<w:tbl>").count(),
        xml.matches("</w:tbl>").count()
    );
    assert_eq!(
        xml.matches("<w:tbl>").count(),
        3,
        "heading, figures, signature"
    );
}

fn pdf_text(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    doc.get_pages()
        .keys()
        .map(|n| doc.extract_text(&[*n]).expect("text extracts"))
        .collect()
}

/// Text extraction may break lines anywhere; compare without whitespace.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_pdf_reads_back_with_the_motto_the_figures_and_the_signature() {
    let pdf = periodic_pdf(&sample(3));
    // `GIAMNGHEO_PDF_OUT=/tmp cargo test -p giamngheo-sheets --test periodic` keeps a copy
    // for a person to look at.
    if let Some(dir) = std::env::var_os("GIAMNGHEO_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("periodic.pdf"), &pdf).expect("write");
    }
    let pages = pdf_text(&pdf);
    assert_eq!(pages.len(), 1, "a short report is one page");
    let text = squash(&pages.concat());
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND HUYỆN HƯƠNG KHÊ",
        "Số: 15/BC-UBND",
        "Hương Khê, ngày 05 tháng 07 năm 2021",
        "1.500.000",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "Nguyễn Văn An",
        "Trang 1/1",
    ] {
        assert!(
            text.contains(&squash(expected)),
            "the PDF lacks «{expected}»: {text}"
        );
    }
}

#[test]
fn a_long_report_runs_onto_numbered_pages_and_signs_on_the_last() {
    let pdf = periodic_pdf(&sample(80));
    let pages = pdf_text(&pdf);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let last = squash(pages.last().expect("a last page"));
    assert!(last.contains(&squash("TM. ỦY BAN NHÂN DÂN")), "{last}");
    assert!(last.contains(&squash(&format!("Trang {0}/{0}", pages.len()))));
    let first = squash(&pages[0]);
    assert!(!first.contains(&squash("Nơi nhận:")));
}
