//! The PDF certificates, letters and reports: real pages, real (searchable) Vietnamese
//! text, embedded subset fonts. Text is read back with lopdf, a parser independent of
//! the writer, through the fonts' ToUnicode maps.

use giamngheo_sheets::pdf::{
    Block, CertMemberDoc, CertificateDoc, CertificateWords, ColumnAlign, ListColumn, ListTable,
    PrintDoc, PrintSigner, Run, certificates_pdf, print_pdf, reports_pdf,
};
use giamngheo_sheets::reports::{NumberKind, SheetColumn, SheetReport, SheetRow};

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
    let strings = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect();
    let title = if poor {
        "GIẤY CHỨNG NHẬN HỘ NGHÈO"
    } else {
        "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO"
    };
    CertificateDoc {
        number: number.into(),
        title: title.into(),
        period: 2025,
        head: head.into(),
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
        motto: motto(),
        words: CertificateWords {
            agency: strings(&["UBND HUYỆN PHONG ĐIỀN", "UBND XÃ ĐIỀN MỸ"]),
            year: "Năm 2025".into(),
            basis: "Căn cứ Quyết định số 12/QĐ-UBND ngày 20/12/2025 của Chủ tịch UBND Xã Điền Mỹ về việc công nhận hộ nghèo, hộ cận nghèo năm 2025;".into(),
            certifies: "UBND Xã Điền Mỹ chứng nhận:".into(),
            head_label: "Họ và tên chủ hộ: ".into(),
            ethnicity: "Dân tộc: Kinh".into(),
            citizen_id: "Số CCCD: 046085001234".into(),
            residence: "Nơi cư trú: Thôn Thượng Hòa, Xã Điền Mỹ, Tỉnh Thừa Thiên Huế".into(),
            status_before: "Là ".into(),
            status_after: " năm 2025. Danh sách thành viên của hộ:".into(),
            member_columns: strings(&[
                "TT",
                "Họ và tên",
                "Dân tộc",
                "Quan hệ với chủ hộ",
                "Năm sinh (Nam)",
                "Năm sinh (Nữ)",
            ]),
            confirm_columns: strings(&["Năm", "Xác nhận tình trạng của hộ", "Chữ ký, đóng dấu"]),
            signer_title: strings(&["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
            signer_hint: "(Ký, ghi rõ họ tên, đóng dấu)".into(),
            doc_title: format!("{title} — {head}"),
            collection_title: "Giấy chứng nhận hộ nghèo, hộ cận nghèo".into(),
        },
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
    let pages = pages_of(pdf);
    (pages.len(), pages.concat())
}

/// The text of each page, in order.
fn pages_of(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    doc.get_pages()
        .keys()
        .map(|n| doc.extract_text(&[*n]).expect("text extracts"))
        .collect()
}

/// The width and height of each page's media box, in points.
fn page_sizes(pdf: &[u8]) -> Vec<(f32, f32)> {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    doc.get_pages()
        .values()
        .map(|id| {
            let page = doc.get_dictionary(*id).expect("a page dictionary");
            let media = page
                .get(b"MediaBox")
                .and_then(|m| m.as_array())
                .expect("a media box");
            let n: Vec<f32> = media
                .iter()
                .map(|v| v.as_float().expect("a number"))
                .collect();
            (n[2] - n[0], n[3] - n[1])
        })
        .collect()
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

/// Each document prints the motto its wording gives: one with the motto an
/// administrator corrected, the next with the built-in wording's.
#[test]
fn a_document_prints_its_own_motto() {
    let mut own = posting(3);
    own.motto = vec![
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
        "Độc lập – Tự do – Hạnh phúc".into(),
    ];
    let pages = pages_of(&print_pdf(&[own, posting(3)]));
    assert!(
        pages[0].contains("Độc lập – Tự do – Hạnh phúc"),
        "{}",
        pages[0]
    );
    assert!(
        !pages[0].contains("Độc lập - Tự do - Hạnh phúc"),
        "{}",
        pages[0]
    );
    let last = pages.last().unwrap();
    assert!(last.contains("Độc lập - Tự do - Hạnh phúc"), "{last}");
}

fn column(heading: &[&str], kind: NumberKind) -> SheetColumn {
    SheetColumn {
        heading: heading.iter().map(|h| h.to_string()).collect(),
        kind,
    }
}

/// The movement of poor households in a district, as form 02a lays it out: nine
/// columns under three levels of merged headings, one row per commune and the total.
fn movement(unit: &str, communes: usize) -> SheetReport {
    use NumberKind::Count;
    let columns = vec![
        column(&["Số hộ đầu kỳ"], Count),
        column(&["Số hộ giảm", "Thoát nghèo"], Count),
        column(
            &["Số hộ giảm", "Giảm khác (chuyển đi, chết, nhập hộ)"],
            Count,
        ),
        column(&["Số hộ giảm", "Chuyển thành hộ cận nghèo"], Count),
        column(&["Số hộ tăng", "Phát sinh mới"], Count),
        column(&["Số hộ tăng", "Tái nghèo"], Count),
        column(&["Số hộ tăng", "Từ hộ cận nghèo chuyển sang"], Count),
        column(&["Số hộ tăng", "Tăng khác (chuyển đến, tách hộ)"], Count),
        column(&["Số hộ cuối kỳ"], Count),
    ];
    let mut rows: Vec<SheetRow> = (0..communes)
        .map(|i| SheetRow {
            label: format!("Xã Hương Trạch {}", i + 1),
            values: (0..9).map(|c| Some((i * 10 + c) as f64)).collect(),
            bold: false,
        })
        .collect();
    rows.push(SheetRow {
        label: "Tổng cộng".into(),
        values: vec![
            Some(1_500_000.0),
            Some(27_000.0),
            Some(0.0),
            None,
            Some(3.0),
            Some(4.0),
            Some(5.0),
            Some(6.0),
            Some(1_473_018.0),
        ],
        bold: true,
    });
    SheetReport {
        sheet_name: unit.into(),
        agency: vec!["UBND HUYỆN HƯƠNG KHÊ".into(), "PHÒNG LAO ĐỘNG - TB&XH".into()],
        motto: motto(),
        form: Some("Biểu số 02a".into()),
        title: "DIỄN BIẾN HỘ NGHÈO NĂM 2022".into(),
        subtitle: vec![
            format!("Đơn vị: {unit}"),
            "Số liệu tính đến ngày 31/12/2022 (kỳ 2022)".into(),
        ],
        label_heading: "Đơn vị".into(),
        columns,
        numbered: true,
        rows,
        notes: vec![
            "Cột (9) = (1) − (2) − (3) − (4) + (5) + (6) + (7) + (8). Đầu kỳ: kết quả năm 2021; cuối kỳ: kết quả năm 2022.".into(),
        ],
        place_date: "Hương Khê, ngày 05 tháng 01 năm 2023".into(),
        signers: vec![
            ("NGƯỜI LẬP BIỂU".into(), "(Ký, ghi rõ họ tên)".into()),
            ("THỦ TRƯỞNG ĐƠN VỊ".into(), "(Ký tên, đóng dấu)".into()),
        ],
    }
}

/// A narrow report: poor households by ethnicity, two columns.
fn by_ethnicity(unit: &str) -> SheetReport {
    SheetReport {
        title: "HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC NĂM 2022".into(),
        form: None,
        columns: vec![
            column(&["Hộ nghèo"], NumberKind::Count),
            column(&["Tỷ lệ hộ nghèo (%)"], NumberKind::Rate),
        ],
        numbered: false,
        rows: vec![
            SheetRow {
                label: "Chứt".into(),
                values: vec![Some(42.0), Some(4.03)],
                bold: false,
            },
            SheetRow {
                label: "Tổng cộng".into(),
                values: vec![Some(2_345.0), Some(12.5)],
                bold: true,
            },
        ],
        notes: vec![],
        ..movement(unit, 0)
    }
}

#[test]
fn a_report_prints_as_the_official_form_with_real_text() {
    let pdf = reports_pdf(&[movement("Huyện Hương Khê", 22)]);
    look_at("report.pdf", &pdf);
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = pages_of(&pdf);
    let text = pages.concat();
    for needle in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Biểu số 02a",
        "UBND HUYỆN HƯƠNG KHÊ",
        "PHÒNG LAO ĐỘNG - TB&XH",
        "DIỄN BIẾN HỘ NGHÈO NĂM 2022",
        "Đơn vị: Huyện Hương Khê",
        "Số hộ giảm",
        "Tái nghèo",
        "Xã Hương Trạch 22",
        "Tổng cộng",
        "1.500.000",
        "27.000",
        "1.473.018",
        "Cột (9) = (1)",
        "Hương Khê, ngày 05 tháng 01 năm 2023",
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG ĐƠN VỊ",
        "(Ký tên, đóng dấu)",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
    // An undefined figure is a dash, as on the screen, not an empty cell or a zero.
    assert!(text.contains('–'), "{text}");
    // Nine columns are too wide for portrait: the form is printed landscape.
    let (w, h) = page_sizes(&pdf)[0];
    assert!(w > h, "{w} × {h}");
    let n = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Trang {}/{n}", i + 1)), "{page}");
    }
}

#[test]
fn a_long_report_repeats_its_header_on_every_page() {
    let pdf = reports_pdf(&[movement("Tỉnh Hà Tĩnh", 120)]);
    look_at("report-long.pdf", &pdf);
    let pages = pages_of(&pdf);
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for (i, page) in pages.iter().enumerate() {
        for heading in [
            "Đơn vị",
            "Số hộ giảm",
            "Số hộ tăng",
            "Tái nghèo",
            "Phát sinh",
        ] {
            assert!(
                page.contains(heading),
                "{heading:?} missing from page {}",
                i + 1
            );
        }
        assert!(page.contains(&format!("Trang {}/{}", i + 1, pages.len())));
    }
    // The title is printed once; the pages after the first carry only the table.
    assert_eq!(
        pages
            .concat()
            .matches("DIỄN BIẾN HỘ NGHÈO NĂM 2022")
            .count(),
        1
    );
    // Every row is printed once, and the date and signatures close the last page
    // together, below at least the total: a signed page never stands on its own.
    let text = pages.concat();
    assert_eq!(text.matches("Xã Hương Trạch 120\n").count(), 1);
    assert_eq!(text.matches("Tổng cộng").count(), 1);
    let last = pages.last().unwrap();
    assert!(last.contains("Tổng cộng"), "{last}");
    assert!(last.contains("NGƯỜI LẬP BIỂU") && last.contains("THỦ TRƯỞNG ĐƠN VỊ"));
    assert!(last.contains("Hương Khê, ngày 05 tháng 01 năm 2023"));
}

#[test]
fn the_signatures_never_stand_on_a_page_without_the_table() {
    // Whatever the number of rows, including those that end the table at the foot of
    // a page, the total goes over with the date and the signatures.
    for communes in 8..32 {
        let pages = pages_of(&reports_pdf(&[movement("Huyện Hương Khê", communes)]));
        let last = pages.last().unwrap();
        assert!(last.contains("Tổng cộng"), "{communes} rows: {last}");
        // The row above the total goes over with it: never a total alone.
        assert!(
            last.contains(&format!("Xã Hương Trạch {communes}\n")),
            "{communes} rows: {last}"
        );
        assert!(
            last.contains("THỦ TRƯỞNG ĐƠN VỊ"),
            "{communes} rows: {last}"
        );
    }
}

#[test]
fn several_reports_each_start_on_their_own_page() {
    let pdf = reports_pdf(&[
        by_ethnicity("Huyện Hương Khê"),
        by_ethnicity("Xã Hương Liên"),
        by_ethnicity("Xã Hà Linh"),
    ]);
    look_at("reports-per-unit.pdf", &pdf);
    let pages = pages_of(&pdf);
    assert_eq!(pages.len(), 3);
    for (page, unit) in pages
        .iter()
        .zip(["Huyện Hương Khê", "Xã Hương Liên", "Xã Hà Linh"])
    {
        assert!(page.contains(&format!("Đơn vị: {unit}")), "{page}");
        assert_eq!(page.matches("Đơn vị: ").count(), 1, "{page}");
        // Each report is numbered on its own.
        assert!(page.contains("Trang 1/1"), "{page}");
        assert!(page.contains("4,03") && page.contains("2.345"), "{page}");
    }
    // Two columns fit a portrait page.
    for (w, h) in page_sizes(&pdf) {
        assert!(w < h, "{w} × {h}");
    }
    // No report at all is still a valid file.
    assert_eq!(pages_of(&reports_pdf(&[])).len(), 1);
}

#[test]
fn report_text_is_precomposed_and_the_fonts_subset() {
    let mut report = by_ethnicity("Xã Hương Liên");
    // "Chứt" typed with combining marks, as some keyboards and old files do.
    report.rows[0].label = "Chu\u{31b}\u{301}t".into();
    let pdf = reports_pdf(&[report]);
    let (_, text) = text_of(&pdf);
    assert!(text.contains("Chứt"), "{text}");
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
}

/// A posting list of `n` households, as the review's print pages build it.
/// The motto as the built-in wording writes it; the documents take it from the wording
/// (`common.motto`), the PDF writer has no copy of its own.
fn motto() -> Vec<String> {
    vec![
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
        "Độc lập - Tự do - Hạnh phúc".into(),
    ]
}

fn posting(n: usize) -> PrintDoc {
    let column = |heading: &str, share: f32| ListColumn {
        heading: heading.into(),
        share,
        align: ColumnAlign::Left,
    };
    PrintDoc {
        title: "Danh sách niêm yết — Thôn Trung Hòa".into(),
        motto: motto(),
        blocks: vec![
            Block::Heading {
                agency: vec!["UBND XÃ ĐIỀN MỸ".into(), "THÔN TRUNG HÒA".into()],
                number: None,
            },
            Block::Title(vec!["DANH SÁCH NIÊM YẾT CÔNG KHAI".into()]),
            Block::Subtitle(vec!["Thôn Trung Hòa, Xã Điền Mỹ".into()]),
            Block::Table(ListTable {
                columns: vec![
                    column("TT", 0.08),
                    column("Họ và tên chủ hộ", 0.5),
                    column("Kết quả rà soát", 0.42),
                ],
                rows: (1..=n)
                    .map(|i| vec![i.to_string(), format!("Hộ số {i:03}"), "Hộ nghèo".into()])
                    .collect(),
                total: Some(vec![String::new(), "Tổng số".into(), format!("{n} hộ")]),
            }),
            Block::Note("Ý kiến, khiếu nại gửi Ủy ban nhân dân xã.".into()),
            Block::Signatures {
                date_line: "Điền Mỹ, ngày 01 tháng 12 năm 2025".into(),
                recipients: Vec::new(),
                signers: vec![
                    PrintSigner {
                        title: vec!["TRƯỞNG THÔN".into()],
                        hint: "(Ký, ghi rõ họ tên)".into(),
                    },
                    PrintSigner {
                        title: vec!["TM. ỦY BAN NHÂN DÂN".into(), "CHỦ TỊCH".into()],
                        hint: "(Ký, ghi rõ họ tên, đóng dấu)".into(),
                    },
                ],
            },
        ],
    }
}

#[test]
fn a_long_list_repeats_its_header_and_keeps_its_last_row_with_the_total_and_signatures() {
    // Every length from one page to three, so that the table ends at every height of
    // the page, including just above its foot.
    for n in 1..=90 {
        let pdf = print_pdf(&[posting(n)]);
        let pages = pages_of(&pdf);
        if n == 90 {
            look_at("posting-list.pdf", &pdf);
            assert!(pages.len() >= 3, "{} pages", pages.len());
        }
        for (i, page) in pages.iter().enumerate() {
            assert!(
                page.contains("Họ và tên chủ hộ") && page.contains("Kết quả rà soát"),
                "{n} rows: the header is missing from page {}",
                i + 1
            );
            assert!(page.contains(&format!("Trang {}/{}", i + 1, pages.len())));
        }
        let text = pages.concat();
        for i in 1..=n {
            assert_eq!(
                text.matches(&format!("Hộ số {i:03}")).count(),
                1,
                "{n} rows"
            );
        }
        let last = pages.last().unwrap();
        assert!(
            last.contains(&format!("Hộ số {n:03}")) && last.contains("Tổng số"),
            "{n} rows: the last row and the total part on {last}"
        );
        assert!(last.contains("TRƯỞNG THÔN") && last.contains("CHỦ TỊCH"));
        assert!(last.contains("Ý kiến, khiếu nại"));
    }
}

#[test]
fn a_decision_carries_its_recipients_and_its_annex_on_a_new_page() {
    let mut doc = posting(3);
    doc.blocks.insert(
        4,
        Block::Paragraph(vec![
            Run::bold("Điều 1. "),
            Run::plain("Công nhận 3 hộ nghèo."),
        ]),
    );
    let annex = doc.blocks[3].clone();
    doc.blocks[6] = Block::Signatures {
        date_line: String::new(),
        recipients: vec!["Như Điều 3;".into(), "Lưu: VT.".into()],
        signers: vec![PrintSigner {
            title: vec!["CHỦ TỊCH".into()],
            hint: "(Ký, ghi rõ họ tên, đóng dấu)".into(),
        }],
    };
    doc.blocks.push(Block::PageBreak);
    doc.blocks
        .push(Block::Title(vec!["DANH SÁCH KÈM THEO".into()]));
    doc.blocks.push(annex);
    let pages = pages_of(&print_pdf(&[doc]));
    assert_eq!(pages.len(), 2);
    assert!(pages[0].contains("Nơi nhận:") && pages[0].contains("- Như Điều 3;"));
    // The bold and the plain run are drawn apart; the text reads back in order.
    let article = pages[0].find("Điều 1.").expect("article 1");
    assert!(pages[0][article..].contains("Công nhận 3 hộ nghèo."));
    assert!(pages[1].contains("DANH SÁCH KÈM THEO"));
    assert!(!pages[0].contains("DANH SÁCH KÈM THEO"));
    assert!(pages[1].contains("Hộ số 003"));
    // Two documents each start on a new page, numbered on their own.
    let pages = pages_of(&print_pdf(&[posting(2), posting(2)]));
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().all(|p| p.contains("Trang 1/1")));
}
