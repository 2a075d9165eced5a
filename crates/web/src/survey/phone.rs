//! Phiếu B for one household on a phone (390 px wide): one column, large targets, each
//! indicator with its definition. It posts to the review's survey endpoint, the same
//! save path as the desk's batch page, so the class, suggestions and disagreements are
//! computed the same way.

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::i18n::{Lang, T};
use crate::rv_text::RT;
use crate::standard_view::StandardView;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use giamngheo_app::{App, AppError};

pub struct Tick {
    pub code: String,
    pub label: String,
    pub hint: String,
    pub to_confirm: bool,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "survey_phone.html")]
pub(crate) struct PhonePage {
    t: &'static T,
    r: &'static RT,
    s: &'static super::text::ST,
    lang: Lang,
    viewer: Option<Viewer>,
    id: i64,
    rh: i64,
    version: i64,
    code: String,
    head: String,
    village: String,
    village_name: String,
    uses_score_a: bool,
    score_a: String,
    income: String,
    ticks: Vec<Tick>,
    surveyor: String,
    today: String,
    to_confirm_mark: &'static str,
}

pub(crate) async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, rh)): Path<(i64, i64)>,
) -> Result<PhonePage, HtmlError> {
    let e = |error| HtmlError { lang, error };
    app.authorize_review_write(&user.actor, id)
        .await
        .map_err(e)?;
    let view = app.review(&user.actor, id).await.map_err(e)?;
    let h = view
        .households
        .iter()
        .find(|h| h.id == rh && !matches!(h.step.as_str(), "excluded" | "screening"))
        .cloned()
        .ok_or_else(|| e(AppError::NotFound(format!("hộ số {rh} trong đợt rà soát"))))?;
    let standard = app
        .config()
        .standards
        .get(&view.review.standard)
        .ok_or_else(|| {
            e(AppError::invalid(
                "standard",
                "không có chuẩn nghèo của đợt",
            ))
        })?;
    let shown = StandardView::of(standard, lang);
    let ticked: Vec<&str> = h
        .ticks
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|c| !c.is_empty())
        .collect();
    let ticks = shown
        .indicators
        .iter()
        .map(|i| Tick {
            code: i.code.clone(),
            label: format!("{}: {}", i.dimension, i.name),
            hint: i.deprived_when.clone(),
            to_confirm: i.to_confirm,
            checked: ticked.contains(&i.code.as_str()),
        })
        .collect();
    Ok(PhonePage {
        t: lang.t(),
        r: lang.r(),
        s: super::text::st(lang),
        lang,
        viewer: Some(user.viewer(lang)),
        id,
        rh,
        version: h.version,
        code: h.household_code,
        head: h.head_name,
        village: h.village_code,
        village_name: h.village_name,
        uses_score_a: shown.uses_score_a,
        score_a: h.score_a.map(|a| a.to_string()).unwrap_or_default(),
        income: h
            .income_per_capita
            .map(|i| i.to_string())
            .unwrap_or_default(),
        ticks,
        surveyor: h.surveyed_by.unwrap_or_default(),
        today: format::date(&view.today),
        to_confirm_mark: shown.w.to_confirm,
    })
}
