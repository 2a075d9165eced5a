//! What the review procedure makes a commune print, from the review's page: the list
//! posted in each village, the village meeting's minutes, and the draft recognition
//! decision with its annex. Each is a print-ready page and, with `format=pdf`, the same
//! document as a PDF. Without `village` the village documents come one village after the
//! other, each on its own pages.
//!
//! Access is the review's: the app refuses a review outside the user's area as not found,
//! and a village that is not in the review is not found either.

mod docs;
mod letters;

use crate::auth::CurrentUser;
use crate::error::HtmlError;
use crate::i18n::Lang;
use crate::reviews::{pdf_response, wants_pdf};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use docs::{Context, Village};
use giamngheo_app::print_wording::Wording;
use giamngheo_app::reviews::ReviewView;
use giamngheo_app::{App, AppError};
use giamngheo_sheets::pdf::{Block, PrintDoc, print_pdf};
use letters::LetterForm;
use serde::Deserialize;
use std::sync::Arc;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/reviews/{id}/print/posting", get(posting))
        .route("/reviews/{id}/print/minutes", get(minutes))
        .route("/reviews/{id}/print/decision", get(decision))
        .route(
            "/reviews/{id}/letters/{rh}",
            get(letters::letter).post(letters::issue),
        )
}

#[derive(Deserialize, Default)]
struct PrintQuery {
    /// A village code of the review; all its villages when absent.
    village: Option<String>,
    /// `pdf` for the PDF instead of the print-ready page.
    format: Option<String>,
}

/// The documents as a print-ready page.
#[derive(Template, WebTemplate)]
#[template(path = "print_doc.html")]
struct PrintPage {
    lang: Lang,
    title: String,
    docs: Vec<PrintDoc>,
    /// The same documents as a PDF, for the "Tải PDF" link.
    pdf_url: String,
    /// The refusal letter's form, for those who may issue it.
    form: Option<LetterForm>,
    /// What the last action did ("Đã cấp số …").
    notice: Option<String>,
}

/// The print page of `docs` with its PDF link.
fn answer_with(lang: Lang, docs: Vec<PrintDoc>, pdf_url: String) -> PrintPage {
    let title = match docs.as_slice() {
        [first, ..] => first.title.clone(),
        [] => "Tài liệu in".into(),
    };
    PrintPage {
        lang,
        title,
        docs,
        pdf_url,
        form: None,
        notice: None,
    }
}

/// The review with what the documents say about its place.
async fn load(app: &App, user: &CurrentUser, id: i64) -> Result<(ReviewView, Places), AppError> {
    let view = app.review(&user.actor, id).await?;
    let chain = app.ancestry(&view.commune.code).await?;
    let name_of = |tier: &str| {
        chain
            .iter()
            .find(|u| u.tier == tier)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let places = Places {
        district: name_of("district"),
        province: name_of("province"),
        instrument: app
            .config()
            .standards
            .get(&view.review.standard)
            .and_then(|s| s.instrument().map(str::to_string)),
        wording: app.config().wording.clone(),
    };
    Ok((view, places))
}

struct Places {
    district: String,
    province: String,
    instrument: Option<String>,
    wording: Arc<Wording>,
}

fn context<'a>(view: &'a ReviewView, places: &'a Places) -> Context<'a> {
    Context {
        view,
        district: places.district.clone(),
        province: places.province.clone(),
        instrument: places.instrument.clone(),
        wording: &places.wording,
    }
}

/// The villages asked for: the one named, which must be in the review, or all of them.
fn villages(view: &ReviewView, asked: Option<&str>) -> Result<Vec<Village>, AppError> {
    let mut all: Vec<Village> = view
        .households
        .iter()
        .map(|h| Village {
            code: h.village_code.clone(),
            name: h.village_name.clone(),
        })
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
    all.dedup_by(|a, b| a.code == b.code);
    match asked.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(all),
        Some(code) => all
            .into_iter()
            .find(|v| v.code == code)
            .map(|v| vec![v])
            .ok_or_else(|| AppError::NotFound(format!("thôn mã {code} trong đợt rà soát"))),
    }
}

/// The page or the PDF of `docs`. The PDF's file name is plain ASCII.
fn answer(lang: Lang, docs: Vec<PrintDoc>, q: &PrintQuery, path: &str, file: &str) -> Response {
    if wants_pdf(&q.format) {
        return pdf_response(print_pdf(&docs), &format!("{file}.pdf"));
    }
    let village = q
        .village
        .as_deref()
        .map(|v| format!("&village={}", crate::headers::component(v)))
        .unwrap_or_default();
    answer_with(lang, docs, format!("{path}?format=pdf{village}")).into_response()
}

/// A file name part for a village code: letters and digits only.
fn safe(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// The documents printed village by village.
#[derive(Clone, Copy)]
enum VillageDoc {
    Posting,
    Minutes,
}

async fn posting(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, HtmlError> {
    village_docs(&app, lang, &user, id, q, VillageDoc::Posting).await
}

async fn minutes(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, HtmlError> {
    village_docs(&app, lang, &user, id, q, VillageDoc::Minutes).await
}

/// One village's document, or each village's one after the other.
async fn village_docs(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    q: PrintQuery,
    which: VillageDoc,
) -> Result<Response, HtmlError> {
    let e = |error| HtmlError { lang, error };
    let (view, places) = load(app, user, id).await.map_err(e)?;
    let list = villages(&view, q.village.as_deref()).map_err(e)?;
    let cx = context(&view, &places);
    let rule = view.meeting_rule.0.clone();
    let (docs, file, path) = match which {
        VillageDoc::Posting => (
            list.iter().map(|v| docs::posting_list(&cx, v)).collect(),
            "niem-yet",
            "posting",
        ),
        VillageDoc::Minutes => (
            list.iter().map(|v| docs::minutes(&cx, v, &rule)).collect(),
            "bien-ban-hop-dan",
            "minutes",
        ),
    };
    let file = format!("{file}-{id}{}", suffix(&q));
    let path = format!("/reviews/{id}/print/{path}");
    Ok(answer(lang, docs, &q, &path, &file))
}

async fn decision(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, HtmlError> {
    let e = |error| HtmlError { lang, error };
    let (view, places) = load(&app, &user, id).await.map_err(e)?;
    let cx = context(&view, &places);
    let docs = vec![docs::decision(&cx)];
    let q = PrintQuery {
        village: None,
        format: q.format,
    };
    let path = format!("/reviews/{id}/print/decision");
    Ok(answer(lang, docs, &q, &path, &format!("quyet-dinh-{id}")))
}

fn suffix(q: &PrintQuery) -> String {
    q.village
        .as_deref()
        .map(|v| format!("-{}", safe(v)))
        .unwrap_or_default()
}

/// The review page's card of printed documents: by village, and for the commune.
#[derive(Template)]
#[template(path = "review_prints.html")]
struct Card {
    vi: bool,
    id: i64,
    villages: Vec<Village>,
    closed: bool,
}

/// The card's HTML, for the review page to place.
pub(crate) fn review_card(lang: Lang, view: &ReviewView) -> String {
    let card = Card {
        vi: lang == Lang::Vi,
        id: view.review.id,
        villages: villages(view, None).unwrap_or_default(),
        closed: view.review.step == "closed",
    };
    // The card is built from values the page already holds; rendering it cannot fail
    // short of a template defect, which the review page tests would show.
    card.render().unwrap_or_default()
}
