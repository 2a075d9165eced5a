//! Plan targets on the web: the page with each target's progress and, for the labour
//! office and administrators, the forms that correct a target; and the same progress as
//! JSON under `/api/v1/targets`. The app layer measures and checks access.

use crate::auth::{ApiUser, CurrentUser, Viewer};
use crate::error::{ApiError, ErrorBody, HtmlError};
use crate::headers::{component, see_other};
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use axum::routing::get;
use chrono::Datelike;
use giamngheo_app::access::Role;
use giamngheo_app::targets::{INDICATORS, TargetEdit, TargetStatus, TargetsView, decimal_vi};
use giamngheo_app::{App, AppError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(crate) fn routes() -> Routes {
    Routes::new().route("/targets", get(page).post(save))
}

pub(crate) fn api_routes() -> Routes {
    Routes::new().route("/targets", get(api_targets))
}

#[derive(OpenApi)]
#[openapi(
    paths(api_targets),
    components(schemas(TargetsBody, TargetBody)),
    security(("bearer" = []))
)]
pub struct TargetsDoc;

#[derive(Deserialize, IntoParams)]
pub struct TargetsQuery {
    /// Unit code; the user's own by default.
    unit: Option<String>,
    /// The plan year; the current year by default.
    year: Option<i32>,
}

/// The targets of a unit and year with their progress.
#[derive(Serialize, ToSchema)]
pub struct TargetsBody {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    /// The date the progress is measured on (ISO): today, or 31 December of a past year.
    pub as_of: String,
    /// Share of the year elapsed on `as_of` (0–1); "on track" compares against it.
    pub elapsed: f64,
    pub targets: Vec<TargetBody>,
}

/// One target and its progress.
#[derive(Serialize, ToSchema)]
pub struct TargetBody {
    /// `poverty_rate_reduction`, `health_insurance_poor`, `health_insurance_near_poor`,
    /// `preferential_loan`, `patient_support`, `tuition_support`,
    /// `information_access_poor`, `clean_water_poor`.
    pub indicator: String,
    pub label: String,
    pub label_en: String,
    pub target_value: f64,
    /// Upper end of a range target (1–1,5 points).
    pub target_max: Option<f64>,
    /// `points` (percentage points) or `percent`.
    pub measure_unit: String,
    /// The measured value; null when the data to measure it does not exist yet.
    pub measured: Option<f64>,
    /// `met`, `on_track`, `behind`, `missed` or `no_data`.
    pub status: String,
    /// How the value was obtained, or why there is none.
    pub note: String,
    pub source_note: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

fn status_code(s: TargetStatus) -> &'static str {
    match s {
        TargetStatus::Met => "met",
        TargetStatus::OnTrack => "on_track",
        TargetStatus::Behind => "behind",
        TargetStatus::Missed => "missed",
        TargetStatus::NoData => "no_data",
    }
}

fn body(view: TargetsView) -> TargetsBody {
    TargetsBody {
        unit_code: view.unit_code,
        unit_name: view.unit_name,
        year: view.year,
        as_of: view.as_of.to_string(),
        elapsed: view.elapsed,
        targets: view
            .targets
            .into_iter()
            .map(|p| TargetBody {
                indicator: p.target.indicator,
                label: p.label_vi,
                label_en: p.label_en,
                target_value: p.target.target_value,
                target_max: p.target.target_max,
                measure_unit: p.target.measure_unit,
                measured: p.measured,
                status: status_code(p.status).into(),
                note: p.note,
                source_note: p.target.source_note,
                version: p.target.version,
                updated_by: p.target.updated_by,
                updated_at: p.target.updated_at,
            })
            .collect(),
    }
}

/// The plan targets of a unit and year and the progress against each. A target whose
/// data does not exist yet has `measured: null`, status `no_data` and the reason.
#[utoipa::path(get, path = "/targets", params(TargetsQuery),
    responses(
        (status = 200, body = TargetsBody),
        (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody),
        (status = 422, description = "Invalid year", body = ErrorBody)
    ))]
async fn api_targets(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<TargetsQuery>,
) -> Result<Json<TargetsBody>, ApiError> {
    let unit = q.unit.unwrap_or_else(|| user.actor.unit_code.clone());
    let year = q.year.unwrap_or_else(|| app.clock().today().year());
    Ok(Json(body(app.targets(&user.actor, &unit, year).await?)))
}

// ---------------------------------------------------------------- page

pub struct RowView {
    pub indicator: String,
    pub label: String,
    pub target: String,
    pub target_value: String,
    pub target_max: String,
    pub measured: String,
    pub status: String,
    pub status_class: &'static str,
    pub note: String,
    pub source_note: String,
    pub version: i64,
    pub updated: String,
}

pub struct NewIndicator {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "targets.html")]
struct TargetsPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: String,
    unit_name: String,
    year: i32,
    as_of: String,
    elapsed: String,
    rows: Vec<RowView>,
    years: Vec<i32>,
    can_edit: bool,
    missing: Vec<NewIndicator>,
    saved: bool,
}

#[derive(Deserialize)]
struct PageQuery {
    unit: Option<String>,
    year: Option<i32>,
    saved: Option<String>,
}

/// `1–1,5 điểm %` or `100 %`.
fn target_text(value: f64, max: Option<f64>, measure_unit: &str, lang: Lang) -> String {
    // decimal_vi always writes a comma, so trimming zeros stops at it: 100,00 → 100.
    let n = |x: f64| {
        decimal_vi(x)
            .trim_end_matches('0')
            .trim_end_matches(',')
            .to_string()
    };
    let range = match max {
        Some(m) if m > value => format!("{}–{}", n(value), n(m)),
        _ => n(value),
    };
    match (measure_unit, lang) {
        ("points", Lang::Vi) => format!("{range} điểm %"),
        ("points", Lang::En) => format!("{range} points"),
        _ => format!("{range} %"),
    }
}

fn plain(x: f64) -> String {
    // The form's number inputs take a dot, whatever the page language.
    let s = format!("{x}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<TargetsPage, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let unit = q.unit.unwrap_or_else(|| user.actor.unit_code.clone());
    let year = q.year.unwrap_or_else(|| app.clock().today().year());
    let view = app.targets(&user.actor, &unit, year).await.map_err(err)?;
    let vi = lang == Lang::Vi;
    let rows: Vec<RowView> = view
        .targets
        .iter()
        .map(|p| RowView {
            indicator: p.target.indicator.clone(),
            label: if vi { &p.label_vi } else { &p.label_en }.clone(),
            target: target_text(
                p.target.target_value,
                p.target.target_max,
                &p.target.measure_unit,
                lang,
            ),
            target_value: plain(p.target.target_value),
            target_max: p.target.target_max.map(plain).unwrap_or_default(),
            measured: match p.measured {
                Some(v) if p.target.measure_unit == "points" => {
                    format!("{} {}", decimal_vi(v), if vi { "điểm %" } else { "points" })
                }
                Some(v) => format!("{} %", decimal_vi(v)),
                None => "—".into(),
            },
            status: if vi {
                p.status.label_vi()
            } else {
                p.status.label_en()
            }
            .into(),
            status_class: status_code(p.status),
            note: p.note.clone(),
            source_note: p.target.source_note.clone(),
            version: p.target.version,
            updated: format!("{} · {}", p.target.updated_by, p.target.updated_at),
        })
        .collect();
    let missing = INDICATORS
        .iter()
        .filter(|i| !view.targets.iter().any(|p| p.target.indicator == i.code))
        .map(|i| NewIndicator {
            code: i.code,
            label: if vi { i.label_vi } else { i.label_en },
        })
        .collect();
    Ok(TargetsPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        unit: view.unit_code.clone(),
        unit_name: view.unit_name.clone(),
        year,
        as_of: view.as_of.format("%d/%m/%Y").to_string(),
        elapsed: decimal_vi(view.elapsed * 100.0),
        rows,
        years: view.years.clone(),
        can_edit: matches!(user.actor.role, Role::Admin | Role::Office),
        missing,
        saved: q.saved.is_some(),
    })
}

#[derive(Deserialize)]
struct SaveForm {
    unit: String,
    year: i32,
    indicator: String,
    target_value: String,
    #[serde(default)]
    target_max: String,
    #[serde(default)]
    source_note: String,
    /// Empty for a new target.
    #[serde(default)]
    version: String,
}

/// Reads a number as an officer types it: `1,5` or `1.5`.
fn parse_number(field: &str, s: &str) -> Result<Option<f64>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.replace(',', ".")
        .parse::<f64>()
        .map(Some)
        .map_err(|_| AppError::invalid(field, format!("«{s}» không phải là số")))
}

async fn save(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<SaveForm>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let target_value = parse_number("target_value", &f.target_value)
        .map_err(err)?
        .ok_or_else(|| err(AppError::invalid("target_value", "cần nhập chỉ tiêu")))?;
    let target_max = parse_number("target_max", &f.target_max).map_err(err)?;
    let expected_version = match f.version.trim() {
        "" => None,
        v => Some(
            v.parse::<i64>()
                .map_err(|_| err(AppError::invalid("version", "phiên bản không hợp lệ")))?,
        ),
    };
    app.save_target(
        &user.actor,
        TargetEdit {
            unit_code: f.unit.clone(),
            year: f.year,
            indicator: f.indicator,
            target_value,
            target_max,
            source_note: f.source_note,
            expected_version,
        },
    )
    .await
    .map_err(err)?;
    Ok(see_other(&format!(
        "/targets?unit={}&year={}&saved=1",
        component(&f.unit),
        f.year
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_the_vietnamese_way() {
        assert_eq!(
            target_text(1.0, Some(1.5), "points", Lang::Vi),
            "1–1,5 điểm %"
        );
        assert_eq!(target_text(100.0, None, "percent", Lang::Vi), "100 %");
        assert_eq!(parse_number("x", "1,5").unwrap(), Some(1.5));
        assert!(parse_number("x", "abc").is_err());
    }
}
