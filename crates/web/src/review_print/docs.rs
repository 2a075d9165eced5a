//! The documents the review procedure (Decision 24/2021/QĐ-TTg) makes a commune print,
//! built from a review as plain blocks: the list posted in each village (danh sách niêm
//! yết), the village meeting's minutes with its counts (biên bản họp dân), and the draft
//! decision recognising the poor and near-poor households with its annex list. The same
//! blocks become the print page and the PDF.
//!
//! These are official Vietnamese forms: they are printed in Vietnamese whatever the
//! language of the pages, and a value not known yet is left as a dotted line for the
//! commune to fill in by hand, as on the paper forms.

use crate::format;
use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};
use giamngheo_app::reviews::ReviewView;
use giamngheo_sheets::pdf::{
    Block, ColumnAlign, ListColumn, ListTable, PrintDoc, PrintSigner, Run,
};
use giamngheo_store::ReviewHouseholdRecord;

/// A dotted line left for a value written by hand.
const BLANK: &str = "…………";

/// What the documents say about the review's place, besides the review itself.
pub(crate) struct Context<'a> {
    pub view: &'a ReviewView,
    /// The district's name, empty where the 2025 reform removed the level.
    pub district: String,
    pub province: String,
    /// The instrument of the review's poverty standard ("Nghị định 07/2021/NĐ-CP, Điều 3").
    pub instrument: Option<String>,
}

/// A village of the review: its code and name.
#[derive(Debug, Clone)]
pub(crate) struct Village {
    pub code: String,
    pub name: String,
}

impl Context<'_> {
    fn commune(&self) -> &str {
        &self.view.commune.name
    }

    fn place(&self) -> String {
        crate::reviews::place_name(self.commune())
    }

    /// The commune's issuing body, as its documents head it.
    fn commune_body(&self) -> String {
        format!("UBND {}", self.commune().to_uppercase())
    }

    /// "định kỳ năm 2021 (danh sách năm 2022)" or "thường xuyên năm 2022".
    fn review_words(&self) -> String {
        let period = self.view.review.period;
        if self.view.review.kind == "periodic" {
            format!("định kỳ năm {} (danh sách năm {period})", period - 1)
        } else {
            format!("thường xuyên năm {period}")
        }
    }

    /// The households of a village (or of the commune) that reached a result, in the
    /// order of the lists: poor, near-poor, the others, then by household code.
    fn results(&self, village: Option<&str>) -> Vec<(&ReviewHouseholdRecord, String)> {
        let mut rows: Vec<(&ReviewHouseholdRecord, String)> = self
            .view
            .households
            .iter()
            .filter(|h| village.is_none_or(|v| h.village_code == v))
            .filter_map(|h| result_of(h).map(|s| (h, s.to_string())))
            .collect();
        rows.sort_by(|(a, sa), (b, sb)| {
            (rank(sa), &a.village_name, &a.household_code).cmp(&(
                rank(sb),
                &b.village_name,
                &b.household_code,
            ))
        });
        rows
    }

    fn date_line(&self, d: Option<NaiveDate>) -> String {
        match d {
            Some(d) => crate::reviews::date_line(&self.place(), d),
            None => format!(
                "{}, ngày {BLANK} tháng {BLANK} năm {}",
                self.place(),
                self.view.today.year()
            ),
        }
    }
}

/// The result a household reached: the decided status once the review is closed, the
/// provisional one before; none for a household screened out or not surveyed yet.
pub(crate) fn result_of(h: &ReviewHouseholdRecord) -> Option<&str> {
    if matches!(h.step.as_str(), "excluded" | "screening") {
        return None;
    }
    h.final_status
        .as_deref()
        .or(h.provisional_status.as_deref())
}

fn rank(status: &str) -> u8 {
    match status {
        "poor" => 0,
        "near_poor" => 1,
        "medium" => 2,
        _ => 3,
    }
}

fn status_words(status: &str) -> String {
    Lang::Vi.status(Some(status))
}

/// The counts of a list's total row: "3 hộ nghèo, 2 hộ cận nghèo, 1 hộ khác".
fn counts(rows: &[(&ReviewHouseholdRecord, String)]) -> String {
    let n = |s: &str| rows.iter().filter(|(_, r)| r == s).count();
    let others = rows.len() - n("poor") - n("near_poor");
    format!(
        "{} hộ nghèo, {} hộ cận nghèo, {others} hộ khác",
        n("poor"),
        n("near_poor")
    )
}

/// Why a household is in the review, as the posting list's last column says it.
fn note_of(h: &ReviewHouseholdRecord) -> &'static str {
    match (h.source.as_str(), h.request_kind.as_deref()) {
        ("list", _) => "Đang trong danh sách",
        (_, Some("leave")) => "Đề nghị thoát nghèo",
        _ => "Đề nghị xét công nhận",
    }
}

/// Score A, or the income per person where the standard reads income.
fn score_of(h: &ReviewHouseholdRecord) -> String {
    match (h.score_a, h.income_per_capita) {
        (Some(a), _) => a.to_string(),
        (None, Some(i)) => format!("{} đ", format::number(i)),
        _ => "—".into(),
    }
}

/// The rows of a household list: the running number, the household's code and head,
/// then the cells `rest` gives for the household and its result.
fn numbered(
    rows: &[(&ReviewHouseholdRecord, String)],
    rest: impl Fn(&ReviewHouseholdRecord, &str) -> Vec<String>,
) -> Vec<Vec<String>> {
    rows.iter()
        .enumerate()
        .map(|(i, (h, status))| {
            let mut cells = vec![
                (i + 1).to_string(),
                h.household_code.clone(),
                h.head_name.clone(),
            ];
            cells.extend(rest(h, status));
            cells
        })
        .collect()
}

fn column(heading: &str, share: f32, align: ColumnAlign) -> ListColumn {
    ListColumn {
        heading: heading.into(),
        share,
        align,
    }
}

fn signer(title: &[&str], hint: &str) -> PrintSigner {
    PrintSigner {
        title: title.iter().map(|s| s.to_string()).collect(),
        hint: hint.into(),
    }
}

fn chair() -> PrintSigner {
    signer(
        &["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
        "(Ký, ghi rõ họ tên, đóng dấu)",
    )
}

fn para(text: String) -> Block {
    Block::Paragraph(vec![Run::plain(text)])
}

/// The list posted at the village hall and the commune office (step 4): every household
/// of the village reviewed, with its scores and result, for complaints to be made.
pub(crate) fn posting_list(cx: &Context<'_>, village: &Village) -> PrintDoc {
    let rows = cx.results(Some(&village.code));
    let posting = cx.view.postings.last();
    let period = match posting {
        Some(p) => format!(
            "Thời gian niêm yết: từ ngày {} đến ngày {}",
            format::date(&p.starts_on),
            format::date(&p.ends_on)
        ),
        None => format!("Thời gian niêm yết: từ ngày {BLANK} đến ngày {BLANK}"),
    };
    let mut subtitle = vec![format!("{}, {}", village.name, cx.commune()), period];
    if let Some(p) = posting.filter(|p| !p.place.trim().is_empty()) {
        subtitle.push(format!("Nơi niêm yết: {}", p.place.trim()));
    }
    let table = ListTable {
        columns: vec![
            column("TT", 0.05, ColumnAlign::Center),
            column("Mã hộ", 0.12, ColumnAlign::Left),
            column("Họ và tên chủ hộ", 0.29, ColumnAlign::Left),
            column("Điểm A (thu nhập)", 0.12, ColumnAlign::Right),
            column("Số chỉ số thiếu hụt", 0.11, ColumnAlign::Right),
            column("Kết quả rà soát", 0.15, ColumnAlign::Left),
            column("Ghi chú", 0.16, ColumnAlign::Left),
        ],
        rows: numbered(&rows, |h, status| {
            vec![
                score_of(h),
                h.deprivation_count
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                status_words(status),
                note_of(h).to_string(),
            ]
        }),
        total: Some(vec![
            String::new(),
            "Tổng số".into(),
            format!("{} hộ", rows.len()),
            String::new(),
            String::new(),
            counts(&rows),
            String::new(),
        ]),
    };
    PrintDoc {
        title: format!("Danh sách niêm yết — {}", village.name),
        blocks: vec![
            Block::Heading {
                agency: vec![cx.commune_body(), village.name.to_uppercase()],
                number: None,
            },
            Block::Title(vec![
                "DANH SÁCH NIÊM YẾT CÔNG KHAI".into(),
                format!(
                    "Kết quả rà soát hộ nghèo, hộ cận nghèo {}",
                    cx.review_words()
                ),
            ]),
            Block::Subtitle(subtitle),
            Block::Table(table),
            Block::Note(
                "Ý kiến, khiếu nại về kết quả rà soát gửi Ủy ban nhân dân xã trong thời gian niêm yết."
                    .into(),
            ),
            Block::Signatures {
                date_line: cx.date_line(posting.map(|p| p.starts_on)),
                recipients: Vec::new(),
                signers: vec![signer(&["TRƯỞNG THÔN"], "(Ký, ghi rõ họ tên)"), chair()],
            },
        ],
    }
}

/// The minutes of a village's meeting (step 3), with the attendance and the votes of its
/// latest meeting filled in, and the households it voted on.
pub(crate) fn minutes(cx: &Context<'_>, village: &Village, rule: &str) -> PrintDoc {
    let meeting = cx
        .view
        .meetings
        .iter()
        .rfind(|m| m.village_code == village.code);
    let rows = cx.results(Some(&village.code));
    let held = meeting
        .map(|m| format::date(&m.held_on))
        .unwrap_or_else(|| BLANK.to_string());
    let chaired = meeting
        .and_then(|m| m.chaired_by.clone())
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| BLANK.to_string());
    let votes = match meeting {
        Some(m) => {
            // Shown to one decimal, as the rule compares the exact share.
            let share = f64::from(m.agreeing) * 100.0 / f64::from(m.attendees.max(1));
            format!(
                "Số người dự họp: {} người. Số người đồng ý: {} người ({} %). Số người không đồng ý: {} người.",
                m.attendees,
                m.agreeing,
                format!("{share:.1}").replace('.', ","),
                (m.attendees - m.agreeing).max(0)
            )
        }
        None => format!(
            "Số người dự họp: {BLANK} người. Số người đồng ý: {BLANK} người ({BLANK} %). Số người không đồng ý: {BLANK} người."
        ),
    };
    let outcome = match meeting {
        Some(m) if m.passed => "Kết quả: cuộc họp thông qua kết quả rà soát của thôn.".to_string(),
        Some(_) => {
            "Kết quả: cuộc họp không thông qua; các hộ được điều tra, rà soát lại và họp lại."
                .to_string()
        }
        None => format!("Kết quả: {BLANK}"),
    };
    let opinion = |h: &ReviewHouseholdRecord| match h.meeting_outcome.as_str() {
        "agreed" => "Thống nhất",
        "rejected" => "Không thống nhất",
        _ => "",
    };
    let table = ListTable {
        columns: vec![
            column("TT", 0.07, ColumnAlign::Center),
            column("Mã hộ", 0.15, ColumnAlign::Left),
            column("Họ và tên chủ hộ", 0.32, ColumnAlign::Left),
            column("Kết quả rà soát", 0.22, ColumnAlign::Left),
            column("Ý kiến cuộc họp", 0.24, ColumnAlign::Left),
        ],
        rows: numbered(&rows, |h, status| {
            vec![status_words(status), opinion(h).to_string()]
        }),
        total: Some(vec![
            String::new(),
            "Tổng số".into(),
            format!("{} hộ", rows.len()),
            counts(&rows),
            String::new(),
        ]),
    };
    PrintDoc {
        title: format!("Biên bản họp dân — {}", village.name),
        blocks: vec![
            Block::Heading {
                agency: vec![cx.commune_body(), village.name.to_uppercase()],
                number: None,
            },
            Block::Title(vec![
                "BIÊN BẢN HỌP DÂN".into(),
                format!(
                    "Thống nhất kết quả rà soát hộ nghèo, hộ cận nghèo {}",
                    cx.review_words()
                ),
            ]),
            para(format!(
                "Hôm nay, ngày {held}, tại {}, {}, cuộc họp dân được tổ chức để thống nhất kết quả rà soát hộ nghèo, hộ cận nghèo theo Quyết định số 24/2021/QĐ-TTg.",
                village.name,
                cx.commune()
            )),
            Block::Paragraph(vec![
                Run::bold("Chủ trì: "),
                Run::plain(format!("{chaired}, Trưởng thôn. ")),
                Run::bold("Thư ký: "),
                Run::plain(BLANK),
            ]),
            para(
                "Thành phần: đại diện Ban chỉ đạo rà soát cấp xã, Bí thư chi bộ thôn, đại diện các tổ chức đoàn thể, rà soát viên và đại diện các hộ gia đình; Ban công tác Mặt trận thôn giám sát."
                    .into(),
            ),
            para(votes),
            Block::Paragraph(vec![Run::bold(outcome)]),
            Block::Note(rule.to_string()),
            para("Danh sách hộ đưa ra cuộc họp:".into()),
            Block::Table(table),
            para(
                "Biên bản được lập thành 02 bản: thôn giữ 01 bản, Ủy ban nhân dân xã giữ 01 bản."
                    .into(),
            ),
            Block::Signatures {
                date_line: String::new(),
                recipients: Vec::new(),
                signers: vec![
                    signer(&["THƯ KÝ"], "(Ký, ghi rõ họ tên)"),
                    signer(&["ĐẠI DIỆN MẶT TRẬN"], "(Ký, ghi rõ họ tên)"),
                    signer(&["CHỦ TRÌ"], "(Ký, ghi rõ họ tên)"),
                ],
            },
        ],
    }
}

/// The commune chair's decision recognising the poor and near-poor households (step 5),
/// as a draft until the review is decided, with its annex: the households recognised,
/// by village, and those leaving the lists.
pub(crate) fn decision(cx: &Context<'_>) -> PrintDoc {
    let review = &cx.view.review;
    let decided = review.step == "closed";
    let period = review.period;
    let number = if decided {
        review.decision_number.clone().unwrap_or_default()
    } else {
        format!("{BLANK}/QĐ-UBND")
    };
    let when = if decided { review.decision_date } else { None };
    let rows = cx.results(None);
    let listed: Vec<_> = rows
        .iter()
        .filter(|(_, s)| matches!(s.as_str(), "poor" | "near_poor"))
        .cloned()
        .collect();
    let leaving: Vec<_> = rows
        .iter()
        .filter(|(h, s)| h.source == "list" && !matches!(s.as_str(), "poor" | "near_poor"))
        .cloned()
        .collect();
    let count = |s: &str| listed.iter().filter(|(_, r)| r == s).count();
    let commune = cx.commune();
    let mut basis = vec!["Căn cứ Luật Tổ chức chính quyền địa phương;".to_string()];
    if let Some(instrument) = &cx.instrument {
        basis.push(format!(
            "Căn cứ {instrument} quy định chuẩn nghèo áp dụng cho đợt rà soát;"
        ));
    }
    basis.push(
        "Căn cứ Quyết định số 24/2021/QĐ-TTg của Thủ tướng Chính phủ quy định quy trình rà soát hộ nghèo, hộ cận nghèo hằng năm;"
            .into(),
    );
    basis.push(format!(
        "Căn cứ kết quả rà soát hộ nghèo, hộ cận nghèo {} trên địa bàn {commune};",
        cx.review_words()
    ));
    let mut blocks = vec![
        Block::Heading {
            agency: vec![format!("ỦY BAN NHÂN DÂN {}", commune.to_uppercase())],
            number: Some(number.clone()),
        },
        Block::DateLine(cx.date_line(when)),
        Block::Title(vec![
            "QUYẾT ĐỊNH".into(),
            format!("Về việc công nhận hộ nghèo, hộ cận nghèo năm {period}"),
        ]),
    ];
    if !decided {
        blocks.push(Block::Subtitle(vec!["(Dự thảo)".into()]));
    }
    blocks.push(Block::Title(vec![format!(
        "CHỦ TỊCH ỦY BAN NHÂN DÂN {}",
        commune.to_uppercase()
    )]));
    blocks.extend(basis.into_iter().map(para));
    blocks.push(Block::Title(vec!["QUYẾT ĐỊNH:".into()]));
    blocks.push(Block::Paragraph(vec![
        Run::bold("Điều 1. "),
        Run::plain(format!(
            "Công nhận {} hộ nghèo và {} hộ cận nghèo năm {period} trên địa bàn {commune}; {} hộ ra khỏi danh sách hộ nghèo, hộ cận nghèo (danh sách kèm theo).",
            count("poor"),
            count("near_poor"),
            leaving.len()
        )),
    ]));
    blocks.push(Block::Paragraph(vec![
        Run::bold("Điều 2. "),
        Run::plain("Quyết định có hiệu lực kể từ ngày ký."),
    ]));
    blocks.push(Block::Paragraph(vec![
        Run::bold("Điều 3. "),
        Run::plain(format!(
            "Văn phòng Ủy ban nhân dân {commune}, công chức phụ trách lao động - thương binh và xã hội, trưởng các thôn và các hộ gia đình có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này."
        )),
    ]));
    let mut recipients = vec!["Như Điều 3;".to_string()];
    if !cx.district.is_empty() {
        recipients.push(format!("UBND {} (báo cáo);", cx.district));
    }
    recipients.push("Lưu: VT.".into());
    blocks.push(Block::Signatures {
        date_line: String::new(),
        recipients,
        signers: vec![signer(&["CHỦ TỊCH"], "(Ký, ghi rõ họ tên, đóng dấu)")],
    });

    let reference = match when {
        Some(d) => format!("ngày {}", format::date(&d)),
        None => format!("ngày {BLANK}"),
    };
    blocks.push(Block::PageBreak);
    blocks.push(Block::Title(vec![
        format!("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {period}"),
        format!("{commune}, {}", cx.province),
    ]));
    blocks.push(Block::Subtitle(vec![format!(
        "(Kèm theo Quyết định số {number} {reference} của Chủ tịch Ủy ban nhân dân {commune})"
    )]));
    blocks.push(Block::Table(annex(&listed, "Phân loại")));
    if !leaving.is_empty() {
        blocks.push(Block::Title(vec![
            "DANH SÁCH HỘ RA KHỎI DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO".into(),
        ]));
        blocks.push(Block::Table(annex(&leaving, "Kết quả rà soát")));
    }
    PrintDoc {
        title: format!("Dự thảo quyết định công nhận — {commune}"),
        blocks,
    }
}

/// An annex list: the households by village, with their class and their count.
fn annex(rows: &[(&ReviewHouseholdRecord, String)], status_heading: &str) -> ListTable {
    let mut rows = rows.to_vec();
    rows.sort_by(|(a, sa), (b, sb)| {
        (&a.village_name, rank(sa), &a.household_code).cmp(&(
            &b.village_name,
            rank(sb),
            &b.household_code,
        ))
    });
    ListTable {
        columns: vec![
            column("TT", 0.07, ColumnAlign::Center),
            column("Mã hộ", 0.15, ColumnAlign::Left),
            column("Họ và tên chủ hộ", 0.32, ColumnAlign::Left),
            column("Thôn", 0.22, ColumnAlign::Left),
            column(status_heading, 0.24, ColumnAlign::Left),
        ],
        rows: numbered(&rows, |h, status| {
            vec![h.village_name.clone(), status_words(status)]
        }),
        total: Some(vec![
            String::new(),
            "Tổng số".into(),
            format!("{} hộ", rows.len()),
            String::new(),
            counts(&rows),
        ]),
    }
}
