//! The PDF certificates and letters: real pages, real (searchable) Vietnamese text,
//! embedded subset fonts. Text is read back with lopdf, a parser independent of the
//! writer, through the fonts' ToUnicode maps.

use giamngheo_sheets::pdf::{
    CertMemberDoc, CertificateDoc, LetterDoc, certificates_pdf, refusal_letter_pdf,
};

fn member(name: &str, relation: &str, male: bool, year: i32) -> CertMemberDoc {
    CertMemberDoc {
        name: name.into(),
        ethnicity: "Kinh".into(),
        relation: relation.into(),
        male_year: if male {
            year.to_string()
        } else {
            String::new()
        },
        female_year: if male {
            String::new()
        } else {
            year.to_string()
        },
    }
}

fn certificate(number: &str, head: &str, poor: bool) -> CertificateDoc {
    CertificateDoc {
        district: "Huyện Phong Điền".into(),
        commune: "Xã Điền Mỹ".into(),
        number: number.into(),
        title: if poor {
            "GIẤY CHỨNG NHẬN HỘ NGHÈO"
        } else {
            "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO"
        }
        .into(),
        period: 2025,
        decision: "Quyết định số 12/QĐ-UBND ngày 20/12/2025".into(),
        head: head.into(),
        ethnicity: "Kinh".into(),
        citizen_id: "046085001234".into(),
        residence: "Thôn Thượng Hòa, Xã Điền Mỹ, Tỉnh Thừa Thiên Huế".into(),
        status: if poor {
            "Hộ nghèo"
        } else {
            "Hộ cận nghèo"
        }
        .into(),
        members: vec![
            member(head, "Chủ hộ", true, 1968),
            member("Trần Thị Ngọc Ánh", "Vợ", false, 1971),
            member("Nguyễn Đức Thắng", "Con", true, 1998),
            member("Nguyễn Thị Thu Hường", "Con", false, 2003),
        ],
        date_line: "Điền Mỹ, ngày 20 tháng 12 năm 2025".into(),
    }
}

/// Keeps a copy of a PDF for a person to look at when GIAMNGHEO_PDF_OUT names a folder:
/// `GIAMNGHEO_PDF_OUT=/tmp cargo test -p giamngheo-sheets --test pdf`, then
/// `pdftoppm -png -r 60 /tmp/certificates.pdf /tmp/page`.
fn look_at(name: &str, pdf: &[u8]) {
    if let Some(dir) = std::env::var_os("GIAMNGHEO_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join(name), pdf).expect("write the PDF");
    }
}

fn text_of(pdf: &[u8]) -> (usize, String) {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text extracts");
    (pages.len(), text)
}

#[test]
fn one_page_per_certificate_with_searchable_vietnamese() {
    let docs = vec![
        certificate("001/GCN-HN.HCN", "Nguyễn Văn Hùng", true),
        certificate("002/GCN-HN.HCN", "Lê Thị Mỹ Duyên", false),
        certificate("003/GCN-HN.HCN", "Hồ Đắc Lượng", true),
    ];
    let pdf = certificates_pdf(&docs);
    look_at("certificates.pdf", &pdf);
    assert!(pdf.starts_with(b"%PDF-"));
    let (pages, text) = text_of(&pdf);
    assert_eq!(pages, 3);
    for needle in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND XÃ ĐIỀN MỸ",
        "Số: 001/GCN-HN.HCN",
        "003/GCN-HN.HCN",
        "GIẤY CHỨNG NHẬN HỘ NGHÈO",
        "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO",
        "Nguyễn Văn Hùng",
        "Lê Thị Mỹ Duyên",
        "Trần Thị Ngọc Ánh",
        "046085001234",
        "(Nữ)",
        "Xác nhận tình trạng của hộ",
        "2027",
        "Điền Mỹ, ngày 20 tháng 12 năm 2025",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

#[test]
fn decomposed_input_comes_out_precomposed() {
    // "Hường" typed with combining marks (NFD), as some keyboards and old files do.
    let nfd = "Nguye\u{302}\u{303}n Thi\u{323} Hu\u{31b}o\u{31b}\u{300}ng";
    let pdf = certificates_pdf(&[certificate("004/GCN-HN.HCN", nfd, true)]);
    let (_, text) = text_of(&pdf);
    assert!(text.contains("Nguyễn Thị Hường"), "{text}");
}

#[test]
fn fonts_are_embedded_subsets_with_unicode_maps() {
    let pdf = certificates_pdf(&[certificate("001/GCN-HN.HCN", "Nguyễn Văn Hùng", true)]);
    let doc = lopdf::Document::load_mem(&pdf).expect("the PDF parses");
    let mut embedded = 0;
    for (_, object) in doc.objects.iter() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(|t| t.as_name()).ok() != Some(b"Font".as_slice())
            || dict.get(b"Subtype").and_then(|t| t.as_name()).ok() != Some(b"Type0".as_slice())
        {
            continue;
        }
        assert!(dict.get(b"ToUnicode").is_ok());
        let name = dict
            .get(b"BaseFont")
            .and_then(|n| n.as_name())
            .expect("BaseFont");
        // Subset fonts are named "ABCDEF+Name".
        assert_eq!(
            name.get(6),
            Some(&b'+'),
            "{}",
            String::from_utf8_lossy(name)
        );
        embedded += 1;
    }
    // Regular, bold and italic are all used on a certificate.
    assert_eq!(embedded, 3);
    // Three whole DejaVu fonts weigh over a megabyte; the subsets a few tens of kB.
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
}

#[test]
fn a_large_household_still_prints_and_empty_batch_is_a_valid_pdf() {
    let mut big = certificate("005/GCN-HN.HCN", "Vừ A Páo", true);
    for i in 0..30 {
        big.members
            .push(member(&format!("Vừ Thị Mai {i}"), "Cháu", false, 2010));
    }
    let (pages, text) = text_of(&certificates_pdf(&[big]));
    // Too many members for one sheet: the table continues on a second page rather
    // than running off the first.
    assert_eq!(pages, 2);
    assert!(text.contains("Vừ Thị Mai 29"));

    let empty = certificates_pdf(&[]);
    assert!(empty.starts_with(b"%PDF-"));
    assert_eq!(text_of(&empty).0, 1);
}

#[test]
fn refusal_letter() {
    let pdf = refusal_letter_pdf(&LetterDoc {
        commune: "Xã Điền Mỹ".into(),
        date_line: "Điền Mỹ, ngày 20 tháng 12 năm 2025".into(),
        requester: "Phạm Thị Lụa".into(),
        head: "Đặng Văn Quý".into(),
        request_date: "05/10/2025".into(),
        reason: "thu nhập bình quân đầu người cao hơn chuẩn cận nghèo".into(),
    });
    look_at("letter.pdf", &pdf);
    assert!(pdf.starts_with(b"%PDF-"));
    let (pages, text) = text_of(&pdf);
    assert_eq!(pages, 1);
    for needle in [
        "VĂN BẢN TRẢ LỜI",
        "Phạm Thị Lụa",
        "Đặng Văn Quý",
        "24/2021/QĐ-TTg",
        "cao hơn chuẩn cận nghèo",
        "TM. ỦY BAN NHÂN DÂN",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}
