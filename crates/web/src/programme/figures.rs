//! `/programme/figures`: the list behind one figure of the programme's reports (money,
//! activities, beneficiaries, events), opened from the report's cell; printable and as
//! .xlsx; and the same list as JSON, `GET /api/v1/programme/figures` with the page's
//! keys. The app layer computes the list and checks access (outside the user's area:
//! not found).

use crate::auth::{ApiUser, CurrentUser, Viewer};
use crate::error::{ApiError, ErrorBody, HtmlError};
use crate::format;
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use giamngheo_app::programme::FigureList;
use giamngheo_app::{App, AppError};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

pub(crate) fn routes() -> Routes {
    Routes::new().route("/programme/figures", get(page))
}

pub(crate) fn api_routes() -> Routes {
    Routes::new().route("/programme/figures", get(api_list))
}

#[derive(OpenApi)]
#[openapi(paths(api_list), security(("bearer" = [])))]
pub struct FiguresDoc;

/// The address of the JSON list behind a figure: the page's link under the API's prefix.
pub(crate) fn figure_api_link(report: &str, unit: &str, year: i32, key: &str, own: bool) -> String {
    format!("/api/v1{}", figure_link(report, unit, year, key, own))
}

/// The link from a report's cell to the list behind it. `own` marks the row a unit's own
/// entries are shown on beside the total of the same unit (a province's own plan).
/// The values are percent-encoded: a link may be built from a request's own query (the
/// reports' drill address sends programme keys here).
pub(crate) fn figure_link(report: &str, unit: &str, year: i32, key: &str, own: bool) -> String {
    use crate::headers::component;
    format!(
        "/programme/figures?report={}&unit={}&year={year}&key={}{}",
        component(report),
        component(unit),
        component(key),
        if own { "&own=1" } else { "" }
    )
}

#[derive(Deserialize)]
struct FigureQuery {
    /// The report the figure is from, for the link back.
    report: Option<String>,
    unit: String,
    year: i32,
    key: String,
    own: Option<String>,
    print: Option<String>,
    /// `xlsx` for the workbook; the page otherwise.
    format: Option<String>,
}

pub struct LineView {
    pub activity_id: Option<i64>,
    pub household_id: Option<i64>,
    pub cells: Vec<String>,
    pub figure: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_figures.html")]
struct FiguresPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    print: bool,
    title: String,
    headings: Vec<String>,
    figure_heading: String,
    lines: Vec<LineView>,
    total: String,
    /// The query of this list, for the print and .xlsx links.
    query: String,
    /// The report the figure is from.
    back: Option<String>,
}

async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<FigureQuery>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let own = matches!(q.own.as_deref(), Some("1" | "true"));
    let list = app
        .programme_figure(&user.actor, &q.unit, q.year, &q.key, own)
        .await
        .map_err(err)?;
    match q.format.as_deref() {
        None | Some("") | Some("html") => {}
        Some("xlsx") => return xlsx(&list).map_err(err),
        Some(other) => {
            return Err(err(AppError::invalid(
                "format",
                format!("định dạng «{other}» không có (xlsx)"),
            )));
        }
    }
    let vi = lang.code() == "vi";
    let report = q
        .report
        .filter(|r| app.catalog().reports.iter().any(|d| &d.name == r));
    let query = figure_link(
        report.as_deref().unwrap_or(""),
        &list.unit,
        list.year,
        &list.key,
        own,
    );
    Ok(FiguresPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        print: q.print.is_some(),
        title: if vi {
            list.title.clone()
        } else {
            list.title_en.clone()
        },
        headings: if vi {
            list.headings.clone()
        } else {
            list.headings_en.clone()
        },
        figure_heading: if vi {
            list.figure_heading.clone()
        } else {
            list.figure_heading_en.clone()
        },
        total: list.total_text(),
        back: report.map(|r| format!("/reports/{r}?unit={}&period={}", q.unit, q.year)),
        query: query.trim_start_matches("/programme/figures?").to_string(),
        lines: list
            .lines
            .into_iter()
            .map(|l| LineView {
                activity_id: l.activity_id,
                household_id: l.household_id,
                cells: l.cells,
                figure: format::number(l.figure),
            })
            .collect(),
    }
    .into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct FigureApiQuery {
    /// The row's unit. (A `report` key, as the page's links carry, is accepted and
    /// unused: the key says what is listed.)
    unit: String,
    year: i32,
    /// The column's fact, as the report's `columns[].drill` gives it (`money.disbursed`,
    /// `money.source.central.planned`, `activity.c2.livelihood_model.done`,
    /// `beneficiaries.poor`, `events.women`…).
    key: String,
    /// `1`: only the row's own entries (a province's own plan beside its total).
    own: Option<String>,
    /// `json` (default) or `xlsx`.
    format: Option<String>,
}

/// The list behind one figure of the programme's reports, the same as the page
/// `/programme/figures` shows: its lines (cells under `headings`, and what each adds to
/// the figure) and their total, the figure of the report's cell. Beneficiaries' names
/// only where the user may read personal data.
#[utoipa::path(get, path = "/programme/figures", params(FigureApiQuery),
    responses((status = 200, description = "The list (JSON), or an .xlsx file"),
              (status = 403, body = ErrorBody),
              (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody),
              (status = 422, description = "Unknown key or format", body = ErrorBody)))]
async fn api_list(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<FigureApiQuery>,
) -> Result<Response, ApiError> {
    let own = matches!(q.own.as_deref(), Some("1" | "true"));
    let list = app
        .programme_figure(&user.actor, &q.unit, q.year, &q.key, own)
        .await?;
    match q.format.as_deref() {
        None | Some("" | "json") => Ok(Json(list).into_response()),
        Some("xlsx") => Ok(xlsx(&list)?),
        Some(other) => Err(AppError::invalid(
            "format",
            format!("định dạng «{other}» không có (json, xlsx)"),
        )
        .into()),
    }
}

/// The list as a workbook named after the figure.
fn xlsx(list: &FigureList) -> Result<Response, AppError> {
    let lines: Vec<(Vec<String>, i64)> = list
        .lines
        .iter()
        .map(|l| (l.cells.clone(), l.figure))
        .collect();
    let bytes = giamngheo_sheets::programme::figure_list_xlsx(
        &list.title,
        &format!("Đơn vị: {} · Năm {}", list.unit_name, list.year),
        &list.headings,
        &list.figure_heading,
        &lines,
        list.total,
    )
    .map_err(|e| AppError::invalid("format", format!("không tạo được .xlsx: {e}")))?;
    let name = format!(
        "danh-sach-{}-{}-{}.xlsx",
        list.key.replace('.', "-"),
        list.unit,
        list.year
    );
    Ok(crate::reports::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
    ))
}
