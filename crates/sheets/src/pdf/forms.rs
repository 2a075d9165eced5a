//! The household certificates, one A4 page each. (The refusal letter is a [`PrintDoc`]
//! built by the web from the wording file.)

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
    /// The certificate number, "001/GCN-HN.HCN".
    pub number: String,
    /// "GIẤY CHỨNG NHẬN HỘ NGHÈO" or "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO".
    pub title: String,
    /// The year the status is recognised for.
    pub period: i32,
    pub head: String,
    /// The status in words ("Hộ nghèo"), for the sentence and the first confirmation row.
    pub status: String,
    pub members: Vec<CertMemberDoc>,
    /// "Điền Mỹ, ngày 20 tháng 12 năm 2025".
    pub date_line: String,
    /// The national motto's two lines, from the wording (`common.motto`).
    pub motto: Vec<String>,
    /// The certificate's sentences, filled in from the wording an administrator may
    /// correct.
    pub words: CertificateWords,
}

/// The sentences and labels of one certificate, already filled in with its figures: the
/// wording is data (the web's wording file), the layout is this module's.
#[derive(Debug, Clone, Default)]
pub struct CertificateWords {
    /// The issuing bodies, the last one (the commune) in bold: "UBND HUYỆN …", "UBND XÃ …".
    pub agency: Vec<String>,
    /// The line under the title, "Năm 2026".
    pub year: String,
    /// "Căn cứ Quyết định số … về việc công nhận hộ nghèo, hộ cận nghèo năm …;".
    pub basis: String,
    /// "UBND … chứng nhận:".
    pub certifies: String,
    /// "Họ và tên chủ hộ: ", followed by the head's name in bold.
    pub head_label: String,
    /// "Dân tộc: Kinh".
    pub ethnicity: String,
    /// "Số CCCD: …".
    pub citizen_id: String,
    /// "Nơi cư trú: …".
    pub residence: String,
    /// The sentence around the status, which is printed in bold between the two parts:
    /// "Là " and " năm 2026. Danh sách thành viên của hộ:".
    pub status_before: String,
    pub status_after: String,
    /// The six heads of the member table.
    pub member_columns: Vec<String>,
    /// The three heads of the yearly confirmation table.
    pub confirm_columns: Vec<String>,
    /// The chair's signature block.
    pub signer_title: Vec<String>,
    pub signer_hint: String,
    /// The PDF's title when it holds this certificate alone, and when it holds several.
    pub doc_title: String,
    pub collection_title: String,
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
        [one] => one.words.doc_title.clone(),
        [first, ..] => first.words.collection_title.clone(),
        [] => String::new(),
    };
    doc.finish(&title)
}

fn certificate_page(doc: &mut Doc, c: &CertificateDoc) {
    let w = &c.words;
    doc.set_motto(&c.motto);
    doc.heading(&agency_lines(&w.agency), Some(&c.number), None);
    doc.title(&[(&c.title, 15.0), (&w.year, 13.0)]);

    let size = 12.0;
    let indent = 10.0 * MM;
    doc.paragraph(&[(Style::Regular, &w.basis)], size, indent);
    doc.paragraph(&[(Style::Regular, &w.certifies)], size, indent);
    doc.paragraph(
        &[
            (Style::Regular, &w.head_label),
            (Style::Bold, &c.head),
            // Four spaces set the ethnicity apart on the head's line.
            (Style::Regular, &format!("    {}", w.ethnicity)),
        ],
        size,
        indent,
    );
    doc.paragraph(&[(Style::Regular, &w.citizen_id)], size, indent);
    doc.paragraph(&[(Style::Regular, &w.residence)], size, indent);
    doc.paragraph(
        &[
            (Style::Regular, &w.status_before),
            (Style::Bold, &c.status.to_lowercase()),
            (Style::Regular, &w.status_after),
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
        &heads(&w.member_columns),
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
        &heads(&w.confirm_columns),
        &confirm,
        10.5,
        // Room for a signature and the commune's stamp in each year's row.
        34.0,
    );
    doc.signature(&c.date_line, &w.signer_title, &w.signer_hint);
}

fn heads(columns: &[String]) -> Vec<&str> {
    columns.iter().map(String::as_str).collect()
}
