//! The documents the review procedure (Decision 24/2021/QĐ-TTg) makes a commune print,
//! built from a review as plain blocks: the list posted in each village (danh sách niêm
//! yết), the village meeting's minutes with its counts (biên bản họp dân), and the draft
//! decision recognising the poor and near-poor households with its annex list. The same
//! blocks become the print page and the PDF.
//!
//! These are official Vietnamese forms: they are printed in Vietnamese whatever the
//! language of the pages, and a value not known yet is left as a dotted line for the
//! commune to fill in by hand, as on the paper forms. Their words come from the wording
//! files (`giamngheo_app::print_wording`, overridable with `--forms-dir`); this module
//! only chooses which text goes where and fills in the figures.

use crate::format;
use crate::i18n::Lang;
use chrono::{Datelike, NaiveDate};
use giamngheo_app::print_wording::Wording;
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
    /// The wording of the documents, built-in or overridden.
    pub wording: &'a Wording,
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

    /// The text of a wording key with its figures filled in.
    fn text(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.wording.text(key, values)
    }

    /// The lines of a wording key, those without their value left out.
    fn lines(&self, key: &str, values: &[(&str, &str)]) -> Vec<String> {
        self.wording.lines(key, values)
    }

    fn commune_upper(&self) -> String {
        self.commune().to_uppercase()
    }

    /// The commune's issuing body, as its documents head it.
    fn commune_body(&self) -> String {
        self.text(
            "common.commune_body",
            &[("commune_upper", &self.commune_upper())],
        )
    }

    /// "định kỳ năm 2021 (danh sách năm 2022)" or "thường xuyên năm 2022".
    fn review_words(&self) -> String {
        let period = self.view.review.period;
        let (year, survey_year) = (period.to_string(), (period - 1).to_string());
        let key = if self.view.review.kind == "periodic" {
            "common.review_periodic"
        } else {
            "common.review_ongoing"
        };
        self.text(key, &[("year", &year), ("survey_year", &survey_year)])
    }

    /// A column heading of the `common` section.
    fn column(&self, key: &str, share: f32, align: ColumnAlign) -> ListColumn {
        column(&self.text(key, &[]), share, align)
    }

    /// The total row's "N hộ".
    fn households(&self, count: usize) -> String {
        self.text("common.total_households", &[("count", &count.to_string())])
    }

    /// The counts of a list's total row: "3 hộ nghèo, 2 hộ cận nghèo, 1 hộ khác".
    fn counts(&self, rows: &[(&ReviewHouseholdRecord, String)]) -> String {
        let n = |s: &str| rows.iter().filter(|(_, r)| r == s).count();
        let others = rows.len() - n("poor") - n("near_poor");
        self.text(
            "common.counts",
            &[
                ("poor", &n("poor").to_string()),
                ("near_poor", &n("near_poor").to_string()),
                ("others", &others.to_string()),
            ],
        )
    }

    /// A signer whose title lines and hint are wording keys.
    fn signer(&self, title: &str, hint: &str) -> PrintSigner {
        PrintSigner {
            title: self.lines(title, &[]),
            hint: self.text(hint, &[]),
        }
    }

    fn chair(&self) -> PrintSigner {
        self.signer("common.chair_title", "common.chair_hint")
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
            Some(d) => self.wording.date_line(&self.place(), d),
            None => self.text(
                "common.date_line_blank",
                &[
                    ("place", &self.place()),
                    ("year", &self.view.today.year().to_string()),
                ],
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

/// Why a household is in the review, as the posting list's last column says it: the
/// wording key of the note.
fn note_of(h: &ReviewHouseholdRecord) -> &'static str {
    match (h.source.as_str(), h.request_kind.as_deref()) {
        ("list", _) => "posting.note_listed",
        (_, Some("leave")) => "posting.note_leave",
        _ => "posting.note_enter",
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

fn para(text: String) -> Block {
    Block::Paragraph(vec![Run::plain(text)])
}

/// The list posted at the village hall and the commune office (step 4): every household
/// of the village reviewed, with its scores and result, for complaints to be made.
pub(crate) fn posting_list(cx: &Context<'_>, village: &Village) -> PrintDoc {
    let rows = cx.results(Some(&village.code));
    let posting = cx.view.postings.last();
    let (from, to) = match posting {
        Some(p) => (format::date(&p.starts_on), format::date(&p.ends_on)),
        None => (BLANK.to_string(), BLANK.to_string()),
    };
    let mut subtitle = vec![
        cx.text(
            "posting.place_line",
            &[("village", &village.name), ("commune", cx.commune())],
        ),
        cx.text("posting.period", &[("from", &from), ("to", &to)]),
    ];
    if let Some(p) = posting.filter(|p| !p.place.trim().is_empty()) {
        subtitle.push(cx.text("posting.where", &[("place", p.place.trim())]));
    }
    let table = ListTable {
        columns: vec![
            cx.column("common.col_number", 0.05, ColumnAlign::Center),
            cx.column("common.col_code", 0.12, ColumnAlign::Left),
            cx.column("common.col_head", 0.29, ColumnAlign::Left),
            cx.column("posting.col_score", 0.12, ColumnAlign::Right),
            cx.column("posting.col_deprivations", 0.11, ColumnAlign::Right),
            cx.column("common.col_result", 0.15, ColumnAlign::Left),
            cx.column("posting.col_note", 0.16, ColumnAlign::Left),
        ],
        rows: numbered(&rows, |h, status| {
            vec![
                score_of(h),
                h.deprivation_count
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                status_words(status),
                cx.text(note_of(h), &[]),
            ]
        }),
        total: Some(vec![
            String::new(),
            cx.text("common.total_label", &[]),
            cx.households(rows.len()),
            String::new(),
            String::new(),
            cx.counts(&rows),
            String::new(),
        ]),
    };
    let review = cx.review_words();
    PrintDoc {
        title: cx.text("posting.doc_title", &[("village", &village.name)]),
        motto: cx.wording.motto(),
        blocks: vec![
            Block::Heading {
                agency: vec![cx.commune_body(), village.name.to_uppercase()],
                number: None,
            },
            Block::Title(cx.lines("posting.title", &[("review", &review)])),
            Block::Subtitle(subtitle),
            Block::Table(table),
            Block::Note(cx.text("posting.complaints", &[])),
            Block::Signatures {
                date_line: cx.date_line(posting.map(|p| p.starts_on)),
                recipients: Vec::new(),
                signers: vec![
                    cx.signer("posting.village_head_title", "common.sign_hint"),
                    cx.chair(),
                ],
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
    let figures = match meeting {
        Some(m) => {
            // Shown to one decimal, as the rule compares the exact share.
            let share = f64::from(m.agreeing) * 100.0 / f64::from(m.attendees.max(1));
            [
                m.attendees.to_string(),
                m.agreeing.to_string(),
                format!("{share:.1}").replace('.', ","),
                (m.attendees - m.agreeing).max(0).to_string(),
            ]
        }
        None => [BLANK, BLANK, BLANK, BLANK].map(String::from),
    };
    let [attendees, agreeing, share, disagreeing] = &figures;
    let votes = cx.text(
        "minutes.votes",
        &[
            ("attendees", attendees),
            ("agreeing", agreeing),
            ("share", share),
            ("disagreeing", disagreeing),
        ],
    );
    let outcome = cx.text(
        match meeting {
            Some(m) if m.passed => "minutes.passed",
            Some(_) => "minutes.not_passed",
            None => "minutes.no_result",
        },
        &[],
    );
    let opinion = |h: &ReviewHouseholdRecord| match h.meeting_outcome.as_str() {
        "agreed" => cx.text("minutes.opinion_agreed", &[]),
        "rejected" => cx.text("minutes.opinion_rejected", &[]),
        _ => String::new(),
    };
    let table = ListTable {
        columns: vec![
            cx.column("common.col_number", 0.07, ColumnAlign::Center),
            cx.column("common.col_code", 0.15, ColumnAlign::Left),
            cx.column("common.col_head", 0.32, ColumnAlign::Left),
            cx.column("common.col_result", 0.22, ColumnAlign::Left),
            cx.column("minutes.col_opinion", 0.24, ColumnAlign::Left),
        ],
        rows: numbered(&rows, |h, status| vec![status_words(status), opinion(h)]),
        total: Some(vec![
            String::new(),
            cx.text("common.total_label", &[]),
            cx.households(rows.len()),
            cx.counts(&rows),
            String::new(),
        ]),
    };
    let review = cx.review_words();
    // A label and its text are separate keys so the label stays bold; the space between
    // them is layout, not wording.
    let labelled = |key: &str| format!("{} ", cx.text(key, &[]));
    PrintDoc {
        title: cx.text("minutes.doc_title", &[("village", &village.name)]),
        motto: cx.wording.motto(),
        blocks: vec![
            Block::Heading {
                agency: vec![cx.commune_body(), village.name.to_uppercase()],
                number: None,
            },
            Block::Title(cx.lines("minutes.title", &[("review", &review)])),
            para(cx.text(
                "minutes.opening",
                &[
                    ("held", &held),
                    ("village", &village.name),
                    ("commune", cx.commune()),
                ],
            )),
            Block::Paragraph(vec![
                Run::bold(labelled("minutes.chair_label")),
                Run::plain(format!(
                    "{} ",
                    cx.text("minutes.chair_text", &[("chaired", &chaired)])
                )),
                Run::bold(labelled("minutes.secretary_label")),
                Run::plain(BLANK),
            ]),
            para(cx.text("minutes.attendance", &[])),
            para(votes),
            Block::Paragraph(vec![Run::bold(outcome)]),
            Block::Note(rule.to_string()),
            para(cx.text("minutes.list_intro", &[])),
            Block::Table(table),
            para(cx.text("minutes.copies", &[])),
            Block::Signatures {
                date_line: String::new(),
                recipients: Vec::new(),
                signers: vec![
                    cx.signer("minutes.secretary_title", "common.sign_hint"),
                    cx.signer("minutes.front_title", "common.sign_hint"),
                    cx.signer("minutes.chair_title", "common.sign_hint"),
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
    let year = review.period.to_string();
    let number = if decided {
        review.decision_number.clone().unwrap_or_default()
    } else {
        cx.text("decision.number_blank", &[])
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
    let count = |s: &str| listed.iter().filter(|(_, r)| r == s).count().to_string();
    let commune = cx.commune();
    let commune_upper = cx.commune_upper();
    let review_words = cx.review_words();
    let instrument = cx.instrument.clone().unwrap_or_default();
    let basis = cx.lines(
        "decision.basis",
        &[
            ("instrument", &instrument),
            ("review", &review_words),
            ("commune", commune),
        ],
    );
    let mut blocks = vec![
        Block::Heading {
            agency: vec![cx.text("decision.agency", &[("commune_upper", &commune_upper)])],
            number: Some(number.clone()),
        },
        Block::DateLine(cx.date_line(when)),
        Block::Title(cx.lines("decision.title", &[("year", &year)])),
    ];
    if !decided {
        blocks.push(Block::Subtitle(vec![cx.text("decision.draft_mark", &[])]));
    }
    blocks.push(Block::Title(vec![
        cx.text("decision.issuer", &[("commune_upper", &commune_upper)]),
    ]));
    blocks.extend(basis.into_iter().map(para));
    blocks.push(Block::Title(vec![cx.text("decision.decides", &[])]));
    let article = |n: u8, values: &[(&str, &str)]| {
        Block::Paragraph(vec![
            Run::bold(format!(
                "{} ",
                cx.text(&format!("decision.article_{n}_label"), &[])
            )),
            Run::plain(cx.text(&format!("decision.article_{n}"), values)),
        ])
    };
    blocks.push(article(
        1,
        &[
            ("poor", &count("poor")),
            ("near_poor", &count("near_poor")),
            ("year", &year),
            ("commune", commune),
            ("leaving", &leaving.len().to_string()),
        ],
    ));
    blocks.push(article(2, &[]));
    blocks.push(article(3, &[("commune", commune)]));
    blocks.push(Block::Signatures {
        date_line: String::new(),
        recipients: cx.lines("decision.recipients", &[("district", &cx.district)]),
        signers: vec![cx.signer("decision.signer_title", "decision.signer_hint")],
    });

    let date = when
        .map(|d| format::date(&d))
        .unwrap_or_else(|| BLANK.to_string());
    let reference = cx.text("decision.annex_date", &[("date", &date)]);
    blocks.push(Block::PageBreak);
    blocks.push(Block::Title(cx.lines(
        "decision.annex_title",
        &[
            ("year", &year),
            ("commune", commune),
            ("province", &cx.province),
        ],
    )));
    blocks.push(Block::Subtitle(vec![cx.text(
        "decision.annex_reference",
        &[
            ("number", &number),
            ("date", &reference),
            ("commune", commune),
        ],
    )]));
    blocks.push(Block::Table(annex(cx, &listed, "decision.col_class")));
    if !leaving.is_empty() {
        blocks.push(Block::Title(cx.lines("decision.leaving_title", &[])));
        blocks.push(Block::Table(annex(cx, &leaving, "common.col_result")));
    }
    PrintDoc {
        title: cx.text("decision.doc_title", &[("commune", commune)]),
        motto: cx.wording.motto(),
        blocks,
    }
}

/// An annex list: the households by village, with their class and their count.
fn annex(
    cx: &Context<'_>,
    rows: &[(&ReviewHouseholdRecord, String)],
    status_heading: &str,
) -> ListTable {
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
            cx.column("common.col_number", 0.07, ColumnAlign::Center),
            cx.column("common.col_code", 0.15, ColumnAlign::Left),
            cx.column("common.col_head", 0.32, ColumnAlign::Left),
            cx.column("decision.col_village", 0.22, ColumnAlign::Left),
            cx.column(status_heading, 0.24, ColumnAlign::Left),
        ],
        rows: numbered(&rows, |h, status| {
            vec![h.village_name.clone(), status_words(status)]
        }),
        total: Some(vec![
            String::new(),
            cx.text("common.total_label", &[]),
            cx.households(rows.len()),
            String::new(),
            cx.counts(&rows),
        ]),
    }
}
