//! The field survey on the web and the API (issue 18): the reviews a survey tool lists,
//! the forms for ODK Collect and KoboCollect, and the submissions they send back. The
//! app layer (`giamngheo_app::survey`) checks access and does the work.

mod api;
mod forms;
mod phone;
mod submissions;
mod text;

use crate::auth::CurrentUser;
use crate::i18n::Lang;
use crate::routes::Routes;
use askama::Template;
use axum::routing::{get, post};
use giamngheo_app::App;
use giamngheo_app::reviews::ReviewView;

pub use api::SurveyDoc;

/// The pages under the site root.
pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/reviews/{id}/forms.zip", get(forms::page_zip))
        .route("/reviews/{id}/submissions", post(submissions::upload))
        .route("/reviews/{id}/households/{rh}/phieu-b", get(phone::page))
}

/// The endpoints under `/api/v1`.
pub(crate) fn api_routes() -> Routes {
    api::routes().route("/reviews/{id}/forms.zip", get(forms::api_zip))
}

/// A queued submission as the page lists it: codes and the reason, no names.
struct QueueLine {
    household: String,
    form: &'static str,
    tool: &'static str,
    submitted: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "survey_card.html")]
struct Card {
    s: &'static text::ST,
    id: i64,
    csrf: String,
    can_write: bool,
    result: Option<String>,
    queue: Vec<QueueLine>,
    applied: usize,
    /// (review household id, household code) of the households phiếu B may be entered
    /// for, each linking to the phone page.
    phone: Vec<(i64, String)>,
}

/// `1.0.3.2` (applied, updated, unchanged, queued) in words.
fn result_text(lang: Lang, imported: &str) -> Option<String> {
    let n: Vec<usize> = imported
        .split('.')
        .map(|x| x.parse().ok())
        .collect::<Option<Vec<_>>>()?;
    let [applied, updated, unchanged, queued] = n.as_slice() else {
        return None;
    };
    Some(match lang {
        Lang::Vi => format!(
            "{applied} bản nộp mới, {updated} bản nộp đã sửa được nhập; {unchanged} không đổi; {queued} chờ xử lý"
        ),
        Lang::En => format!(
            "{applied} new and {updated} edited submissions applied; {unchanged} unchanged; {queued} waiting"
        ),
    })
}

/// The survey card of a review's page (already escaped HTML), shown to every user who
/// may read the review; the import form only to those who may act on it.
pub(crate) async fn review_card(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    view: &ReviewView,
    imported: Option<&str>,
) -> String {
    let s = text::st(lang);
    let submissions = app
        .survey_submissions(&user.actor, view.review.id)
        .await
        .unwrap_or_default();
    let applied = submissions.iter().filter(|r| r.status == "applied").count();
    let queue = submissions
        .into_iter()
        .filter(|r| r.status == "queued")
        .map(|r| QueueLine {
            household: r.household_code,
            form: if r.form_kind == "screening" {
                s.form_a
            } else {
                s.form_b
            },
            tool: if r.tool == "kobo" {
                "KoboToolbox"
            } else {
                "ODK Central"
            },
            // dd/mm/yyyy, as every date of the product; the time of day is the tool's.
            submitted: r
                .submitted_at
                .as_deref()
                .and_then(|t| t.get(..10))
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .map(|d| crate::format::date(&d))
                .unwrap_or_default(),
            reason: r.reason.unwrap_or_default(),
        })
        .collect();
    Card {
        s,
        id: view.review.id,
        csrf: user.csrf.clone(),
        can_write: view.can_write,
        result: imported.and_then(|i| result_text(lang, i)),
        queue,
        applied,
        phone: if view.can_write {
            view.households
                .iter()
                .filter(|h| !matches!(h.step.as_str(), "excluded" | "screening"))
                .map(|h| (h.id, h.household_code.clone()))
                .collect()
        } else {
            Vec::new()
        },
    }
    .render()
    .unwrap_or_default()
}
