//! The batch survey (phiếu B) of a village: the form and its save.

use super::{date, err};
use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::headers::{component, see_other};
use crate::i18n::{Lang, T};
use crate::rv_text::RT;
use crate::standard_view::StandardView;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Response};
use giamngheo_app::reviews::{SurveyEntry, SurveyInput};
use giamngheo_app::rules::derive_deprivations;
use giamngheo_app::{App, AppError};
use serde::Deserialize;

// ---------------------------------------------------------------- batch survey

pub struct TickCell {
    pub code: String,
    pub checked: bool,
    pub suggested: bool,
}

pub struct SurveyRow {
    pub rh: i64,
    pub version: i64,
    pub code: String,
    pub head: String,
    pub score_a: String,
    pub income: String,
    pub ticks: Vec<TickCell>,
    pub provisional: String,
    /// Which evidence decided the provisional class, empty before the survey.
    pub evidence: &'static str,
    pub disagreements: String,
    /// Why the row was not saved, next to it (empty when it was, or was not sent).
    pub error: String,
}

/// A survey grid as typed when some rows were refused: the refused rows come back with
/// what was typed in them and their problem; the rows saved show what was stored.
#[derive(Default)]
pub(super) struct SurveyTyped {
    /// Per review household: score A, income and the ticked indicators as typed.
    rows: std::collections::HashMap<i64, (String, String, Vec<String>)>,
    errors: std::collections::HashMap<i64, String>,
    surveyor: Option<String>,
    surveyed_on: Option<String>,
    /// The problem of the survey date, next to it.
    date_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "review_survey.html")]
pub(super) struct SurveyPage {
    t: &'static T,
    r: &'static RT,
    lang: Lang,
    viewer: Option<Viewer>,
    id: i64,
    village: String,
    village_name: String,
    villages: Vec<(String, String)>,
    rows: Vec<SurveyRow>,
    uses_score_a: bool,
    /// The review's standard with its sources and marks, and which evidence it takes.
    standard: StandardView,
    surveyor: String,
    today: String,
    errors: Vec<String>,
    date_error: Option<String>,
    /// What the last save did ("Đã lưu phiếu B của 96 hộ."), after its redirect.
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct VillageQuery {
    village: Option<String>,
    /// How many rows the save before the redirect stored. Text, so that a mangled
    /// address shows the page without the notice rather than an error.
    saved: Option<String>,
}

pub(super) async fn survey_form(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<VillageQuery>,
) -> Result<SurveyPage, HtmlError> {
    let mut page = survey_page(&app, lang, &user, id, q.village, SurveyTyped::default())
        .await
        .map_err(err(lang))?;
    page.notice = q
        .saved
        .and_then(|n| n.parse::<u32>().ok())
        .map(|n| page.r.saved_form_b.replace("{n}", &n.to_string()));
    Ok(page)
}

pub(super) async fn survey_page(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    village: Option<String>,
    typed: SurveyTyped,
) -> Result<SurveyPage, AppError> {
    let view = app.review(&user.actor, id).await?;
    let standard = app
        .config()
        .standards
        .get(&view.review.standard)
        .ok_or_else(|| AppError::invalid("standard", "không có chuẩn nghèo của đợt rà soát"))?;
    let mut villages: Vec<(String, String)> = view
        .households
        .iter()
        .map(|h| (h.village_code.clone(), h.village_name.clone()))
        .collect();
    villages.sort();
    villages.dedup();
    let village = village
        .filter(|v| villages.iter().any(|(c, _)| c == v))
        .or_else(|| villages.first().map(|(c, _)| c.clone()))
        .unwrap_or_default();
    let village_name = villages
        .iter()
        .find(|(c, _)| *c == village)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let shown = StandardView::of(standard, lang);
    let indicators: Vec<&str> = shown.indicators.iter().map(|i| i.code.as_str()).collect();
    let mut rows = Vec::new();
    for h in view.households.iter().filter(|h| {
        h.village_code == village && !matches!(h.step.as_str(), "excluded" | "screening")
    }) {
        // Suggestions: the ticks the member data implies today.
        let hv = app.household(&user.actor, h.household_id).await?;
        let (draft, _) = App::draft_of(&hv);
        let derived = derive_deprivations(
            standard,
            &giamngheo_app::facts::household_facts(&draft),
            view.today,
        );
        let entered: Vec<&str> = h
            .ticks
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .collect();
        let surveyed = h.provisional_status.is_some();
        let typed_row = typed.rows.get(&h.id);
        let entered: Vec<&str> = match typed_row {
            Some((_, _, ticks)) => ticks.iter().map(String::as_str).collect(),
            None => entered,
        };
        rows.push(SurveyRow {
            error: typed.errors.get(&h.id).cloned().unwrap_or_default(),
            rh: h.id,
            version: h.version,
            code: h.household_code.clone(),
            head: h.head_name.clone(),
            score_a: match typed_row {
                Some((a, _, _)) => a.clone(),
                None => h.score_a.map(|v| v.to_string()).unwrap_or_default(),
            },
            income: match typed_row {
                Some((_, i, _)) => i.clone(),
                None => h
                    .income_per_capita
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            },
            ticks: indicators
                .iter()
                .map(|&code| {
                    let suggested = derived
                        .ticks
                        .iter()
                        .any(|t| t.code == code && t.deprived == Some(true));
                    TickCell {
                        code: code.to_string(),
                        checked: if surveyed || typed_row.is_some() {
                            entered.contains(&code)
                        } else {
                            suggested
                        },
                        suggested,
                    }
                })
                .collect(),
            provisional: lang.status(h.provisional_status.as_deref()),
            evidence: match (surveyed, h.score_a, h.income_per_capita) {
                (false, _, _) => "",
                (true, Some(_), _) => lang.r().by_score_a,
                (true, None, Some(_)) => lang.r().by_income,
                (true, None, None) => "",
            },
            disagreements: h.disagreements.clone().unwrap_or_default(),
        });
    }
    Ok(SurveyPage {
        t: lang.t(),
        r: lang.r(),
        lang,
        viewer: Some(user.viewer(lang)),
        id,
        village,
        village_name,
        villages,
        rows,
        uses_score_a: shown.uses_score_a,
        standard: shown,
        surveyor: typed
            .surveyor
            .unwrap_or_else(|| user.actor.username.clone()),
        today: typed
            .surveyed_on
            .unwrap_or_else(|| format::date(&view.today)),
        // A refused row's problem is next to it; only a count is said above the grid.
        errors: if typed.errors.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "{} {}",
                lang.r().rows_refused,
                format::number(typed.errors.len() as i64)
            )]
        },
        date_error: typed.date_error,
        notice: None,
    })
}

pub(super) async fn survey_save(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    // Each row's save checks access too, but a form with no rows filled would otherwise
    // answer with a redirect for any review, in any commune.
    app.authorize_review_write(&user.actor, id)
        .await
        .map_err(&e)?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let surveyor = get("surveyed_by");
    let village = get("village");
    let typed_row = |rh: i64| {
        let ticks = pairs
            .iter()
            .filter(|(k, _)| *k == format!("t{rh}"))
            .map(|(_, v)| v.clone())
            .collect();
        (get(&format!("a{rh}")), get(&format!("i{rh}")), ticks)
    };
    let surveyed_on = match date(&get("surveyed_on"), "surveyed_on") {
        Ok(d) => d,
        // A survey date that is not a date refuses the whole grid: every row comes back
        // as typed, and the problem is next to the date.
        Err(AppError::Invalid { message, .. }) => {
            let typed = SurveyTyped {
                rows: pairs
                    .iter()
                    .filter_map(|(k, v)| (k == "rh").then(|| v.parse().ok()).flatten())
                    .map(|rh| (rh, typed_row(rh)))
                    .collect(),
                errors: Default::default(),
                surveyor: Some(surveyor),
                surveyed_on: Some(get("surveyed_on")),
                date_error: Some(message),
            };
            let page = survey_page(&app, lang, &user, id, Some(village), typed)
                .await
                .map_err(&e)?;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => return Err(e(other)),
    };
    let mut rows: Vec<i64> = pairs
        .iter()
        .filter_map(|(k, v)| (k == "rh").then(|| v.parse().ok()).flatten())
        .collect();
    rows.dedup();
    let mut typed = SurveyTyped::default();
    let mut inputs = Vec::new();
    for rh in rows {
        let score_a = get(&format!("a{rh}"));
        let income = get(&format!("i{rh}"));
        if score_a.is_empty() && income.is_empty() {
            // A row left empty is not surveyed yet; the reviewer comes back to it.
            continue;
        }
        let version = get(&format!("v{rh}")).parse().unwrap_or(0);
        let ticks: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| *k == format!("t{rh}"))
            .map(|(_, v)| v.clone())
            .collect();
        let parse = |s: &str, what: &str| -> Result<Option<i64>, String> {
            if s.is_empty() {
                return Ok(None);
            }
            s.replace('.', "")
                .parse::<i64>()
                .map(Some)
                .map_err(|_| format!("{what} «{s}» không phải số"))
        };
        let input = match (parse(&score_a, "điểm A"), parse(&income, "thu nhập")) {
            (Ok(a), Ok(i)) => SurveyInput {
                score_a: a.map(|v| v as i32),
                income_per_capita: if a.is_some() { None } else { i },
                ticks,
                surveyed_by: surveyor.clone(),
                surveyed_on,
            },
            (Err(m), _) | (_, Err(m)) => {
                typed.errors.insert(rh, m);
                typed.rows.insert(rh, typed_row(rh));
                continue;
            }
        };
        inputs.push(SurveyEntry {
            rh_id: rh,
            version,
            input,
        });
    }
    // The rows are saved together, in one transaction: a village's grid saved row by row
    // took seconds.
    let mut saved = 0;
    for (rh, result) in app
        .record_surveys(&user.actor, id, inputs)
        .await
        .map_err(&e)?
    {
        match result {
            Ok(_) => saved += 1,
            Err(AppError::Invalid { message, .. } | AppError::Conflict(message)) => {
                typed.errors.insert(rh, message);
                typed.rows.insert(rh, typed_row(rh));
            }
            Err(other) => return Err(e(other)),
        }
    }
    if typed.errors.is_empty() {
        return Ok(see_other(&format!(
            "/reviews/{id}/survey?village={}&saved={saved}",
            component(&village)
        )));
    }
    // Rows that failed come back as typed with their message; the rows saved stay saved.
    typed.surveyor = Some(surveyor);
    typed.surveyed_on = Some(get("surveyed_on"));
    let page = survey_page(&app, lang, &user, id, Some(village), typed)
        .await
        .map_err(&e)?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
