//! The one skeleton of the match-queue pages: an agency's benefit list (`/benefits/queue`)
//! and a programme activity's beneficiary list (`/programme/activities/{id}/queue`). Both
//! show the rows that matched nobody or several people, each with its candidates, the
//! members found by a search, a match form per person and a reject form with a reason.
//! Each page gives its own title, addresses, extra columns and the app calls; the words,
//! the outcome of an action, the forms and the template are shared here.

use crate::auth::{CurrentUser, Viewer};
use crate::error::{HtmlError, public_message, status_of};
use crate::i18n::{Lang, T};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use giamngheo_app::AppError;
use serde::Deserialize;

/// The words of a queue page, once per language.
pub struct QueueWords {
    pub line: &'static str,
    pub person: &'static str,
    pub reason: &'static str,
    pub action: &'static str,
    pub unmatched: &'static str,
    pub ambiguous: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub choose: &'static str,
    pub reject: &'static str,
    pub reject_reason: &'static str,
    pub empty: &'static str,
    pub errors_title: &'static str,
}

const VI: QueueWords = QueueWords {
    line: "Dòng",
    person: "Người trong danh sách",
    reason: "Lý do chờ",
    action: "Xử lý",
    unmatched: "Không tìm thấy người phù hợp",
    ambiguous: "Khớp nhiều người",
    search: "Tìm",
    search_hint: "Họ tên hoặc mã hộ",
    choose: "Chọn người này",
    reject: "Từ chối",
    reject_reason: "Lý do từ chối",
    empty: "Không có dòng nào chờ đối chiếu.",
    errors_title: "Tệp bị từ chối, không có gì được ghi:",
};

const EN: QueueWords = QueueWords {
    line: "Line",
    person: "Person on the list",
    reason: "Why waiting",
    action: "Action",
    unmatched: "Nobody matches",
    ambiguous: "Several people match",
    search: "Search",
    search_hint: "Name or household code",
    choose: "Choose this person",
    reject: "Reject",
    reject_reason: "Reason for rejecting",
    empty: "No rows are waiting.",
    errors_title: "File refused, nothing was written:",
};

pub(crate) fn queue_words(lang: Lang) -> &'static QueueWords {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// A member found by the search or a candidate of a row, as (household id, member id,
/// label).
pub struct HitView {
    pub household_id: i64,
    pub member_id: i64,
    pub label: String,
}

impl HitView {
    pub(crate) fn of(c: &giamngheo_store::MatchCandidate) -> HitView {
        HitView {
            household_id: c.household_id,
            member_id: c.member_id,
            label: label(c),
        }
    }
}

/// Those of `known` whom a row's candidate ids name.
pub(crate) fn candidates(known: &[giamngheo_store::MatchCandidate], ids: &[i64]) -> Vec<HitView> {
    known
        .iter()
        .filter(|c| ids.contains(&c.member_id))
        .map(HitView::of)
        .collect()
}

pub(crate) fn label(c: &giamngheo_store::MatchCandidate) -> String {
    format!("{} · {} · {}", c.household_code, c.full_name, c.birth_year)
}

/// The person of a queued row as the list gave it: name · birth year · village.
pub(crate) fn person(full_name: &str, birth_year: Option<i32>, village: Option<&str>) -> String {
    [
        Some(full_name.to_string()),
        birth_year.map(|y| y.to_string()),
        village.map(str::to_string),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ")
}

/// Why a row waits, in words.
pub(crate) fn reason(lang: Lang, reason: &str) -> &'static str {
    let w = queue_words(lang);
    if reason == "ambiguous" {
        w.ambiguous
    } else {
        w.unmatched
    }
}

/// A queued row as the page shows it; `extra` fills the page's own columns.
pub struct QueueRow {
    pub id: i64,
    pub line: String,
    pub person: String,
    pub extra: Vec<String>,
    pub reason: &'static str,
    pub candidates: Vec<HitView>,
}

/// What a page shows after an action: the status, a notice, the error of what was just
/// tried, and a refused file's problems by line.
pub(crate) struct Outcome {
    pub status: StatusCode,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub file_errors: Vec<String>,
}

impl Outcome {
    /// A form refused with its problems shown next to their fields: no message above it.
    pub(crate) fn refused(status: StatusCode) -> Outcome {
        Outcome {
            status,
            notice: None,
            error: None,
            file_errors: Vec::new(),
        }
    }
}

/// The outcome of `result`; a store error is the error page itself.
pub(crate) fn outcome(
    lang: Lang,
    result: Result<Option<String>, AppError>,
) -> Result<Outcome, Box<Response>> {
    let plain = |status, notice, error| Outcome {
        notice,
        error,
        ..Outcome::refused(status)
    };
    match result {
        Ok(n) => Ok(plain(StatusCode::OK, n, None)),
        Err(error @ AppError::Store(_)) => Err(Box::new(HtmlError { lang, error }.into_response())),
        Err(AppError::File(errors)) => {
            let mut lines: Vec<String> = errors.errors.iter().map(ToString::to_string).collect();
            if errors.truncated {
                lines.push(if lang == Lang::Vi {
                    "… và còn lỗi khác".into()
                } else {
                    "… and more".into()
                });
            }
            Ok(Outcome {
                file_errors: lines,
                ..plain(StatusCode::UNPROCESSABLE_ENTITY, None, None)
            })
        }
        Err(e) => Ok(plain(status_of(&e), None, Some(public_message(&e, lang)))),
    }
}

/// The match form. Every field has a default so that a form missing one is refused
/// with a Vietnamese message naming it.
#[derive(Deserialize, Default)]
pub(crate) struct MatchForm {
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    member_id: String,
}

impl MatchForm {
    /// The household chosen (an error naming the field when none) and the member.
    pub(crate) fn choice(&self) -> Result<(i64, Option<i64>), AppError> {
        let member_id = self.member_id.trim().parse::<i64>().ok();
        self.household_id
            .trim()
            .parse::<i64>()
            .map(|h| (h, member_id))
            .map_err(|_| AppError::invalid("household_id", "hãy chọn một hộ"))
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct RejectForm {
    #[serde(default)]
    pub reason: String,
}

/// What a queue page is about: its own words and addresses.
pub(crate) struct QueueFrame {
    pub title: &'static str,
    pub intro: &'static str,
    /// A link back to what the queue belongs to, and its text.
    pub back: Option<String>,
    pub back_text: String,
    /// The queue's address: the search form's, and the rows' forms below it.
    pub base: String,
    /// The headings of the page's own columns, after the person.
    pub extra_headings: Vec<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "match_queue.html")]
struct QueuePage {
    t: &'static T,
    w: &'static QueueWords,
    lang: Lang,
    viewer: Option<Viewer>,
    frame: QueueFrame,
    rows: Vec<QueueRow>,
    q: String,
    hits: Vec<HitView>,
    notice: Option<String>,
    error: Option<String>,
    file_errors: Vec<String>,
}

/// The queue page: `frame` with its `rows`, the search's `hits` for `q`, after `done`.
pub(crate) fn page(
    lang: Lang,
    user: &CurrentUser,
    frame: QueueFrame,
    rows: Vec<QueueRow>,
    q: &str,
    hits: Vec<HitView>,
    done: Outcome,
) -> Response {
    let page = QueuePage {
        t: lang.t(),
        w: queue_words(lang),
        lang,
        viewer: Some(user.viewer(lang)),
        frame,
        rows,
        q: q.to_string(),
        hits,
        notice: done.notice,
        error: done.error,
        file_errors: done.file_errors,
    };
    (done.status, page).into_response()
}
