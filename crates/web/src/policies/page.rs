//! The coverage page: eligible, covered and not covered per policy for a unit and year,
//! drill-down to the units below and to the list of eligible people not covered, and that
//! list as an .xlsx file for the commune to act on.

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format::number;
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Datelike;
use giamngheo_app::App;
use giamngheo_app::policies::coverage::CoverageRequest;
use serde::Deserialize;

pub(super) fn routes() -> Routes {
    Routes::new()
        .route("/coverage", get(page))
        .route("/coverage/uncovered", get(uncovered_page))
        .route("/coverage/uncovered.xlsx", get(uncovered_xlsx))
}

#[derive(Deserialize)]
struct PageQuery {
    unit: Option<String>,
    year: Option<i32>,
    policy: Option<String>,
    /// The reference date (dd/mm/yyyy or ISO) instead of 31 December or today.
    as_of: Option<String>,
    /// `current` or `as_was`: the units the figures are placed on, as in the reports.
    basis: Option<String>,
}

impl PageQuery {
    fn request(
        &self,
        app: &App,
        user: &CurrentUser,
        by_child: bool,
    ) -> Result<CoverageRequest, giamngheo_app::AppError> {
        Ok(CoverageRequest {
            unit: self
                .unit
                .clone()
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| user.actor.unit_code.clone()),
            year: self.year.unwrap_or_else(|| app.clock().today().year()),
            policy: self.policy.clone().filter(|p| !p.is_empty()),
            as_of: crate::reports::parse_date(self.as_of.as_deref())?,
            by_child,
            basis: crate::reports::parse_basis(self.basis.as_deref())?,
        })
    }
}

/// What the page's links add so that they count on the same date: `&amp;as_of=yyyy-mm-dd`
/// when a date was given, nothing otherwise (the date then follows the year). It is
/// already escaped for an attribute (the templates print it as is): it holds a formatted
/// date and nothing typed.
fn as_of_param(req: &CoverageRequest) -> String {
    req.as_of
        .map(|d| format!("&amp;as_of={}", d.format("%Y-%m-%d")))
        .unwrap_or_default()
}

pub struct RowView {
    pub policy: String,
    pub policy_name: String,
    pub unit: String,
    pub unit_name: String,
    pub counts: &'static str,
    pub eligible: String,
    pub covered: String,
    pub not_covered: String,
    pub not_covered_n: i64,
    pub rate: String,
    pub to_confirm: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "coverage.html")]
struct CoveragePage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: String,
    unit_name: String,
    year: i32,
    as_of: String,
    policy: String,
    policy_name: String,
    /// `&as_of=…` for the page's links when a date was given (see [`as_of_param`]).
    as_of_param: String,
    /// The date given, as typed back into the form (dd/mm/yyyy), or empty.
    as_of_given: String,
    rows: Vec<RowView>,
}

fn rate_text(rate: f64) -> String {
    // One decimal comma, as officials write a rate.
    format!("{rate:.2}").replace('.', ",")
}

async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<CoveragePage, HtmlError> {
    let err = |error| HtmlError { lang, error };
    // One policy: its rows by the units below; every policy: one row each for the unit.
    let by_child = q.policy.as_deref().is_some_and(|p| !p.is_empty());
    let req = q.request(&app, &user, by_child).map_err(err)?;
    let report = app.coverage(&user.actor, &req).await.map_err(err)?;
    let vi = lang == Lang::Vi;
    let policy_name = match &req.policy {
        Some(code) => app
            .policies()
            .get(code)
            .map(|p| {
                if vi {
                    p.name_vi.clone()
                } else {
                    p.name_en.clone()
                }
            })
            .unwrap_or_default(),
        None => String::new(),
    };
    let rows = report
        .rows
        .iter()
        .map(|r| RowView {
            policy: r.policy.clone(),
            policy_name: if vi {
                r.policy_name.clone()
            } else {
                app.policies()
                    .get(&r.policy)
                    .map_or_else(|| r.policy_name.clone(), |p| p.name_en.clone())
            },
            unit: r.unit.clone(),
            unit_name: r.unit_name.clone(),
            counts: match (r.counts, vi) {
                ("household", true) => "hộ",
                ("household", false) => "households",
                (_, true) => "người",
                (_, false) => "people",
            },
            eligible: number(r.eligible),
            covered: number(r.covered),
            not_covered: number(r.not_covered),
            not_covered_n: r.not_covered,
            rate: rate_text(r.rate),
            to_confirm: r.to_confirm,
        })
        .collect();
    Ok(CoveragePage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        unit: report.unit,
        unit_name: report.unit_name,
        year: report.year,
        as_of: report.as_of.format("%d/%m/%Y").to_string(),
        as_of_param: as_of_param(&req),
        as_of_given: req
            .as_of
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        policy: req.policy.unwrap_or_default(),
        policy_name,
        rows,
    })
}

pub struct ItemView {
    pub village_code: String,
    pub household_code: String,
    pub household_id: i64,
    pub head_name: String,
    pub member_name: String,
    pub citizen_id: String,
    pub eligible_as: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "coverage_uncovered.html")]
struct UncoveredPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: String,
    year: i32,
    as_of: String,
    policy: String,
    policy_name: String,
    total: String,
    /// `&as_of=…` for the page's links when a date was given.
    as_of_param: String,
    items: Vec<ItemView>,
}

async fn uncovered_page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<UncoveredPage, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let req = q.request(&app, &user, false).map_err(err)?;
    let list = app.uncovered(&user.actor, &req).await.map_err(err)?;
    Ok(UncoveredPage {
        as_of_param: as_of_param(&req),
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        unit: list.unit.clone(),
        year: req.year,
        as_of: list.as_of.format("%d/%m/%Y").to_string(),
        policy: list.policy.clone(),
        policy_name: list.policy_name.clone(),
        total: number(list.total as i64),
        items: list
            .items
            .into_iter()
            .map(|i| ItemView {
                village_code: i.village_code,
                household_code: i.household_code,
                household_id: i.household_id,
                head_name: i.head_name.unwrap_or_default(),
                member_name: i.member_name.unwrap_or_default(),
                citizen_id: i.citizen_id.unwrap_or_default(),
                eligible_as: i.eligible_as,
            })
            .collect(),
    })
}

async fn uncovered_xlsx(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let req = q.request(&app, &user, false).map_err(err)?;
    let list = app.uncovered(&user.actor, &req).await.map_err(err)?;
    let lines: Vec<_> = list.items.iter().map(|i| i.line()).collect();
    let title = format!(
        "Danh sách chưa được hưởng: {} — đơn vị {} — ngày {}",
        list.policy_name,
        list.unit,
        list.as_of.format("%d/%m/%Y")
    );
    let bytes = giamngheo_sheets::policies::uncovered_xlsx(&title, &lines).map_err(|e| {
        err(giamngheo_app::AppError::invalid(
            "xlsx",
            format!("không ghi được tệp: {e}"),
        ))
    })?;
    let name = format!("chua-duoc-huong-{}-{}.xlsx", list.policy, list.unit);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
