//! The household certificates and the refusal letter, one A4 page each.

use super::print::{Block, PrintDoc, PrintSigner, Run};
use super::*;

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
    /// The review's recorded reason, right for the kind of request.
    pub reason: String,
    /// The letter's number ("005/UBND"), or a dotted one before it is issued.
    pub number: String,
    /// What the household asked for: "xét công nhận hộ nghèo, hộ cận nghèo" or
    /// "thoát nghèo, thoát cận nghèo".
    pub request: String,
    /// The officer's own words; a dotted line to fill in by hand when empty.
    pub stated_reason: String,
    /// "Nơi nhận": the household, the village head, the archive.
    pub recipients: Vec<String>,
}

/// The certificates, one A4 page each, in the order given.
pub fn certificates_pdf(docs: &[CertificateDoc]) -> Vec<u8> {
    let mut doc = Doc::new(PORTRAIT);
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
    doc.heading(&left, Some(&c.number), None);
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
    super::print_pdf(&[letter_doc(l)])
}

/// The refusal letter as blocks, for the print page and the PDF alike: the commune's
/// number, the reason the review recorded for the kind of request, the officer's own
/// words, the right to complain, and the recipients beside the chair's signature.
pub fn letter_doc(l: &LetterDoc) -> PrintDoc {
    let stated = if l.stated_reason.trim().is_empty() {
        "…………………………………………………………".to_string()
    } else {
        format!("{}.", l.stated_reason.trim().trim_end_matches('.'))
    };
    let para = |text: String| Block::Paragraph(vec![Run::plain(text)]);
    PrintDoc {
        title: format!("Văn bản trả lời — {}", l.head),
        blocks: vec![
            Block::Heading {
                agency: vec![format!("UBND {}", l.commune.to_uppercase())],
                number: Some(l.number.clone()),
            },
            Block::DateLine(l.date_line.clone()),
            Block::Title(vec![
                "VĂN BẢN TRẢ LỜI".into(),
                format!("về đề nghị {} của hộ gia đình", l.request),
            ]),
            Block::Paragraph(vec![
                Run::plain("Kính gửi: Ông/Bà "),
                Run::bold(l.requester.clone()),
                Run::plain(format!(" (hộ {}).", l.head)),
            ]),
            para(format!(
                "Ngày {}, UBND {} nhận được giấy đề nghị {} của hộ gia đình. Sau khi tổ chức rà soát theo quy định tại Quyết định số 24/2021/QĐ-TTg, UBND {} trả lời như sau:",
                l.request_date, l.commune, l.request, l.commune
            )),
            Block::Paragraph(vec![
                Run::bold("Đề nghị của hộ gia đình chưa được chấp thuận. Lý do: "),
                Run::plain(format!("{}.", l.reason.trim().trim_end_matches('.'))),
            ]),
            Block::Paragraph(vec![Run::bold("Cụ thể: "), Run::plain(stated)]),
            para(
                "Nếu không đồng ý, hộ gia đình có quyền khiếu nại theo quy định của pháp luật."
                    .into(),
            ),
            Block::Signatures {
                date_line: String::new(),
                recipients: l.recipients.clone(),
                signers: vec![PrintSigner {
                    title: vec!["TM. ỦY BAN NHÂN DÂN".into(), "CHỦ TỊCH".into()],
                    hint: "(Ký, ghi rõ họ tên, đóng dấu)".into(),
                }],
            },
        ],
    }
}
