//! Official reports on the web: the list, each report as a page (printable, A4
//! landscape), as JSON, CSV, .xlsx and PDF through the API, and the households behind
//! every figure. The app layer computes and checks access; these handlers only render.

use crate::auth::{ApiUser, CurrentUser, Viewer};
use crate::error::{ApiError, ErrorBody, HtmlError};
use crate::format;
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use giamngheo_app::basis::Basis;
use giamngheo_app::reports::{Report, ReportRequest, ValueFormat};
use giamngheo_app::{App, AppError};
use giamngheo_sheets::reports::{NumberKind, SheetReport, header_cells};
use giamngheo_store::HouseholdStatusRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/reports", get(list_page))
        .route("/reports/{name}", get(report_page))
        .route("/reports/{name}/households", get(households_page))
}

pub(crate) fn api_routes() -> Routes {
    Routes::new()
        .route("/reports", get(api_list))
        .route("/reports/{name}", get(api_report))
        .route("/reports/{name}/households", get(api_households))
}

#[derive(OpenApi)]
#[openapi(
    paths(api_list, api_report, api_households),
    components(schemas(ReportInfo, DrillHousehold, ReportFormat)),
    security(("bearer" = []))
)]
pub struct ReportsDoc;

/// The basis asked for (`current` or `as_was`); none when not given, so that the app
/// picks the default.
pub(crate) fn parse_basis(s: Option<&str>) -> Result<Option<Basis>, AppError> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .transpose()
}

/// The choices of the basis select, the chosen one marked.
pub struct BasisChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn basis_choices(lang: Lang, chosen: Option<Basis>) -> Vec<BasisChoice> {
    Basis::ALL
        .into_iter()
        .map(|b| BasisChoice {
            value: b.as_str(),
            label: if lang.code() == "vi" {
                b.label_vi()
            } else {
                b.label_en()
            },
            selected: chosen.unwrap_or_default() == b,
        })
        .collect()
}

pub(crate) fn parse_date(s: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%d/%m/%Y")
            .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
            .map(Some)
            .map_err(|_| AppError::invalid("as_of", "ngày không hợp lệ (dd/mm/yyyy)")),
    }
}

/// A report's name and what it shows.
#[derive(Serialize, ToSchema)]
pub struct ReportInfo {
    pub name: String,
    pub form: Option<String>,
    pub title: String,
    pub title_en: String,
    pub description: String,
    pub description_en: String,
}

/// The reports of the application's catalogue, with any `--reports-dir` overrides.
fn infos(app: &App) -> Vec<ReportInfo> {
    app.catalog()
        .reports
        .iter()
        .map(|d| ReportInfo {
            name: d.name.clone(),
            form: d.form.clone(),
            title: d.title.replace("{period}", "…"),
            title_en: d.title_en.replace("{period}", "…"),
            description: d.description.clone(),
            description_en: d.description_en.clone(),
        })
        .collect()
}

/// The reports this server knows.
#[utoipa::path(get, path = "/reports", responses((status = 200, body = Vec<ReportInfo>)))]
async fn api_list(State(app): State<App>, _user: ApiUser) -> Json<Vec<ReportInfo>> {
    Json(infos(&app))
}

/// The formats a report is answered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Json,
    Csv,
    Xlsx,
    Pdf,
}

impl ReportFormat {
    /// Parsed here rather than by the query extractor, so that an unknown format is a
    /// 422 naming the choices, in the API's error envelope.
    fn parse(s: &str) -> Result<ReportFormat, AppError> {
        match s {
            "json" | "" => Ok(ReportFormat::Json),
            "csv" => Ok(ReportFormat::Csv),
            "xlsx" => Ok(ReportFormat::Xlsx),
            "pdf" => Ok(ReportFormat::Pdf),
            other => Err(AppError::invalid(
                "format",
                format!("định dạng «{other}» không có (json, csv, xlsx, pdf)"),
            )),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ReportQuery {
    /// Unit code (province, district, commune or village); the user's own by default.
    unit: Option<String>,
    /// The classification period (year).
    period: i32,
    /// Figures as of this date (dd/mm/yyyy or yyyy-mm-dd); today by default.
    as_of: Option<String>,
    /// `current` (default): every period on today's units, earlier periods re-based
    /// onto them; `as_was`: the units as they stood on the report's date. Without it a
    /// unit closed since is reported as it was.
    basis: Option<String>,
    /// `json` (default), `csv`, `xlsx` or `pdf`.
    #[param(value_type = Option<ReportFormat>)]
    format: Option<String>,
    /// With `format=xlsx` or `format=pdf`, `1` writes the unit's report and then one per
    /// unit below it (each commune of a district): a sheet each in the workbook, pages
    /// of their own in the PDF.
    per_unit: Option<String>,
}

/// Answers a report in the asked format. The files are refused (409) when the
/// report's check fails; JSON carries `check_failed` and the failures.
fn render(app: &App, report: Report, format: ReportFormat) -> Result<Response, AppError> {
    if format != ReportFormat::Json {
        let stem = format!("{}-{}-{}", report.name, report.unit_code, report.period);
        return export(app, std::slice::from_ref(&report), format, &stem);
    }
    let failed = report.check_failed();
    let mut value = serde_json::to_value(&report)
        .map_err(|e| AppError::invalid("format", format!("không tạo được JSON: {e}")))?;
    if let Some(o) = value.as_object_mut() {
        o.insert("check_failed".into(), failed.into());
    }
    Ok(Json(value).into_response())
}

/// One report, or a unit's report followed by one per unit below it, as a file named
/// `stem` with the format's extension. Refused (409) when any report's check fails:
/// a file must never carry figures that do not add up.
fn export(
    app: &App,
    reports: &[Report],
    format: ReportFormat,
    stem: &str,
) -> Result<Response, AppError> {
    for r in reports {
        r.ensure_exportable()?;
    }
    let today = app.clock().today();
    let wording = &app.config().wording;
    let sheets: Vec<SheetReport> = reports.iter().map(|r| r.to_sheet(today, wording)).collect();
    let (bytes, content_type, extension) = match (format, sheets.as_slice()) {
        (ReportFormat::Csv, [one]) => (
            giamngheo_sheets::reports::csv(one),
            "text/csv; charset=utf-8",
            "csv",
        ),
        (ReportFormat::Xlsx, _) => (
            giamngheo_sheets::reports::xlsx(&sheets)
                .map_err(|e| AppError::invalid("format", format!("không tạo được .xlsx: {e}")))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        (ReportFormat::Pdf, _) => (
            giamngheo_sheets::pdf::reports_pdf(&sheets),
            "application/pdf",
            "pdf",
        ),
        _ => {
            return Err(AppError::invalid(
                "per_unit",
                "chỉ dùng với format=xlsx hoặc format=pdf",
            ));
        }
    };
    Ok(download(
        bytes,
        content_type,
        &format!("{stem}.{extension}"),
    ))
}

pub(crate) fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// One report for a unit and period, as JSON, CSV, .xlsx or PDF.
#[utoipa::path(get, path = "/reports/{name}",
    params(("name" = String, Path, description = "Report name: ket-qua-ra-soat, dien-bien-ho-ngheo, dien-bien-ho-can-ngheo, thieu-hut-ho-ngheo, thieu-hut-ho-can-ngheo, dac-diem-ho, dan-toc, tre-em, bao-phu-chinh-sach, tien-do-von, hoat-dong-chuong-trinh"), ReportQuery),
    responses(
        (status = 200, description = "The report (JSON with `check_failed`), or a CSV, .xlsx or PDF file"),
        (status = 404, description = "Unknown report or unit, or outside the user's area", body = ErrorBody),
        (status = 409, description = "The movement check fails: the export is refused, naming the units", body = ErrorBody),
        (status = 422, description = "Invalid period, date or format", body = ErrorBody)
    ))]
async fn api_report(
    State(app): State<App>,
    user: ApiUser,
    Path(name): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let req = ReportRequest {
        name,
        unit: q.unit.unwrap_or_else(|| user.actor.unit_code.clone()),
        period: q.period,
        as_of: parse_date(q.as_of.as_deref())?,
        basis: parse_basis(q.basis.as_deref())?,
    };
    let format = ReportFormat::parse(q.format.as_deref().unwrap_or("json"))?;
    if matches!(q.per_unit.as_deref(), Some("1" | "true")) {
        if !matches!(format, ReportFormat::Xlsx | ReportFormat::Pdf) {
            return Err(
                AppError::invalid("per_unit", "chỉ dùng với format=xlsx hoặc format=pdf").into(),
            );
        }
        let reports = app.report_per_unit(&user.actor, &req).await?;
        let first = reports
            .first()
            .ok_or_else(|| AppError::NotFound("báo cáo".into()))?;
        let stem = format!(
            "{}-{}-{}-theo-don-vi",
            first.name, first.unit_code, first.period
        );
        return Ok(export(&app, &reports, format, &stem)?);
    }
    let report = app.report(&user.actor, &req).await?;
    Ok(render(&app, report, format)?)
}

#[derive(Deserialize, IntoParams)]
pub struct DrillQuery {
    /// The row's unit code.
    unit: String,
    period: i32,
    /// The column's fact (`poor.households`, `move.poor.2`, …), as the report's
    /// `columns[].drill` gives it.
    key: String,
    as_of: Option<String>,
    /// `current` or `as_was`, as the report's.
    basis: Option<String>,
    /// A programme figure's key only: `1` for the row a unit's own entries are on
    /// beside the total of the same unit (passed on to `/programme/figures`).
    own: Option<String>,
}

/// Where the list behind a programme figure is, when `key` is one (issue 16): the
/// programme's figures are ledger entries, activities and beneficiaries, not the
/// registry's households, and are listed by `/programme/figures`. `api` gives the
/// JSON address.
fn programme_figure_address(
    app: &App,
    name: &str,
    q: &DrillQuery,
    api: bool,
) -> Result<Option<String>, AppError> {
    if !giamngheo_app::programme::is_programme_fact(&q.key) {
        return Ok(None);
    }
    if !app.catalog().reports.iter().any(|d| d.name == name) {
        return Err(AppError::NotFound(format!("báo cáo «{name}»")));
    }
    let own = matches!(q.own.as_deref(), Some("1" | "true"));
    Ok(Some(if api {
        crate::programme::figure_api_link(name, &q.unit, q.period, &q.key, own)
    } else {
        crate::programme::figure_link(name, &q.unit, q.period, &q.key, own)
    }))
}

/// A household behind a figure.
#[derive(Serialize, ToSchema)]
pub struct DrillHousehold {
    pub id: i64,
    pub code: String,
    pub head_name: String,
    pub village_code: String,
    pub village_name: String,
    pub member_count: i32,
    pub status_start: Option<String>,
    pub status_end: Option<String>,
    pub transition: Option<String>,
}

impl From<HouseholdStatusRow> for DrillHousehold {
    fn from(r: HouseholdStatusRow) -> DrillHousehold {
        DrillHousehold {
            id: r.id,
            code: r.code,
            head_name: r.head_name,
            village_code: r.village_code,
            village_name: r.village_name,
            member_count: r.member_count,
            status_start: r.prev_status,
            status_end: r.cur_status,
            transition: r.cur_transition,
        }
    }
}

/// The households behind one figure of a report (needs access to personal data: a
/// province viewer gets 403).
#[utoipa::path(get, path = "/reports/{name}/households",
    params(("name" = String, Path, description = "Report name"), DrillQuery),
    responses(
        (status = 200, body = Vec<DrillHousehold>),
        (status = 303, description = "A programme figure's key (`money.…`, `activity.…`, `beneficiaries.…`, `events.…`): its list is at `/api/v1/programme/figures` with the same unit, year (the period) and key, named in `Location` and in the body's message", body = ErrorBody),
        (status = 403, description = "The role sees aggregates only", body = ErrorBody),
        (status = 404, body = ErrorBody)
    ))]
async fn api_households(
    State(app): State<App>,
    user: ApiUser,
    Path(name): Path<String>,
    Query(q): Query<DrillQuery>,
) -> Result<Response, ApiError> {
    // A programme figure is answered by the programme's list: See Other, so that a client
    // following redirects gets the list with the same sign-in, and one that does not
    // reads where it is.
    if let Some(to) = programme_figure_address(&app, &name, &q, true)? {
        let mut answer = crate::error::api_response(
            axum::http::StatusCode::SEE_OTHER,
            "see_other",
            format!("«{}» là số liệu của chương trình: danh sách ở {to}", q.key),
            Some("key"),
        );
        if let Ok(location) = HeaderValue::from_str(&to) {
            answer.headers_mut().insert(header::LOCATION, location);
        }
        return Ok(answer);
    }
    let as_of = parse_date(q.as_of.as_deref())?;
    let basis = parse_basis(q.basis.as_deref())?;
    let rows = app
        .report_households(&user.actor, &q.unit, &q.key, q.period, as_of, basis)
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(DrillHousehold::from)
            .collect::<Vec<_>>(),
    )
    .into_response())
}

// ---------------------------------------------------------------- pages

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
struct ListPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    reports: Vec<ReportInfo>,
    unit: String,
    period: i32,
    bases: Vec<BasisChoice>,
    basis: &'static str,
}

#[derive(Deserialize)]
struct PageQuery {
    unit: Option<String>,
    period: Option<i32>,
    as_of: Option<String>,
    basis: Option<String>,
    print: Option<String>,
}

/// The unit and period a page shows: those asked for, else the user's unit and the
/// latest period it has, or this year when the user may not read the unit (the report
/// page then says why).
async fn unit_and_period(app: &App, user: &CurrentUser, q: &PageQuery) -> (String, i32) {
    use chrono::Datelike;
    let unit = q
        .unit
        .clone()
        .unwrap_or_else(|| user.actor.unit_code.clone());
    let period = match q.period {
        Some(p) => p,
        None => match app.default_report_period(&user.actor, &unit).await {
            Ok(period) => period,
            Err(_) => app.clock().today().year(),
        },
    };
    (unit, period)
}

async fn list_page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<ListPage, HtmlError> {
    let basis = parse_basis(q.basis.as_deref()).map_err(|error| HtmlError { lang, error })?;
    let (unit, period) = unit_and_period(&app, &user, &q).await;
    Ok(ListPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        reports: infos(&app),
        unit,
        period,
        bases: basis_choices(lang, basis),
        basis: basis.unwrap_or_default().as_str(),
    })
}

pub struct HeadCell {
    pub text: String,
    pub rows: usize,
    pub cols: usize,
}

pub struct Cell {
    pub text: String,
    pub link: Option<String>,
}

pub struct Row {
    pub label: String,
    pub total: bool,
    pub cells: Vec<Cell>,
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
struct ReportPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    report: Report,
    print: bool,
    head: Vec<Vec<HeadCell>>,
    numbers: Vec<String>,
    rows: Vec<Row>,
    failures: Vec<String>,
    as_of: String,
    /// The national motto's lines, from the wording file (`common.motto`).
    motto: Vec<String>,
    place_date: String,
    query: String,
    bases: Vec<BasisChoice>,
    basis_label: &'static str,
}

/// A figure as Vietnamese documents write it: `1.500.000`, `4,03`, `–` when undefined;
/// the same writer as the PDF's, so the page and the file cannot differ.
pub fn figure(v: Option<f64>, f: ValueFormat) -> String {
    let kind = match f {
        ValueFormat::Count => NumberKind::Count,
        ValueFormat::Rate => NumberKind::Rate,
    };
    giamngheo_sheets::reports::figure(v, kind)
}

async fn report_page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let as_of = parse_date(q.as_of.as_deref()).map_err(err)?;
    let basis = parse_basis(q.basis.as_deref()).map_err(err)?;
    let (unit, period) = unit_and_period(&app, &user, &q).await;
    let req = ReportRequest {
        name: name.clone(),
        unit,
        period,
        as_of,
        basis,
    };
    let report = app.report(&user.actor, &req).await.map_err(err)?;
    // The printed form is an export like the files: a failing check refuses it, naming
    // the units (the page itself still shows the figures and the failures).
    if q.print.is_some() {
        report.ensure_exportable().map_err(err)?;
    }
    let sheet = report.to_sheet(app.clock().today(), &app.config().wording);
    let (cells, depth) = header_cells(&sheet.label_heading, &sheet.columns);
    let mut head: Vec<Vec<HeadCell>> = (0..depth).map(|_| Vec::new()).collect();
    let mut sorted = cells.clone();
    sorted.sort_by_key(|c| (c.row, c.col));
    for c in sorted {
        head[c.row].push(HeadCell {
            text: c.text,
            rows: c.rows,
            cols: c.cols,
        });
    }
    let as_of_iso = report.as_of.format("%Y-%m-%d").to_string();
    // The list of those not covered counts on the report's date only when one was
    // asked for; otherwise it follows the year, as the report did.
    let coverage_as_of = as_of
        .map(|_| format!("&as_of={as_of_iso}"))
        .unwrap_or_default();
    let basis = report.basis.as_str();
    let rows = report
        .rows
        .iter()
        .map(|r| {
            let unit = r
                .unit_code
                .clone()
                .unwrap_or_else(|| report.unit_code.clone());
            Row {
                label: r.label.clone(),
                total: r.unit_code.is_none(),
                cells: r
                    .values
                    .iter()
                    .zip(&report.columns)
                    .map(|(v, c)| Cell {
                        text: figure(*v, c.format),
                        link: c.drill.as_ref().filter(|_| v.is_some()).map(|k| {
                            // A coverage figure opens the list of the eligible not yet
                            // covered, which the commune acts on (issue 14); a figure of
                            // the programme the entries, activities or beneficiaries
                            // behind it (issue 16).
                            if giamngheo_app::programme::is_programme_fact(k) {
                                let own = r.unit_code.as_deref() == Some(report.unit_code.as_str());
                                return crate::programme::figure_link(
                                    &report.name,
                                    &unit,
                                    report.period,
                                    k,
                                    own,
                                );
                            }
                            match giamngheo_app::policies::report::coverage_policy(k) {
                                Some(policy) => format!(
                                    "/coverage/uncovered?unit={unit}&year={}&policy={policy}{coverage_as_of}",
                                    report.period
                                ),
                                None => format!(
                                    "/reports/{}/households?unit={unit}&period={}&key={k}&as_of={as_of_iso}&basis={basis}",
                                    report.name, report.period
                                ),
                            }
                        }),
                    })
                    .collect(),
            }
        })
        .collect();
    let failures = report
        .check
        .as_ref()
        .map(|c| c.failures.iter().map(|f| f.message()).collect())
        .unwrap_or_default();
    Ok(ReportPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        print: q.print.is_some(),
        head,
        numbers: (1..=report.columns.len()).map(|i| i.to_string()).collect(),
        rows,
        failures,
        as_of: format::date(&report.as_of),
        motto: sheet.motto.clone(),
        place_date: sheet.place_date.clone(),
        query: format!(
            "unit={}&period={}&as_of={as_of_iso}&basis={basis}",
            report.unit_code, report.period
        ),
        bases: basis_choices(lang, Some(report.basis)),
        basis_label: if lang.code() == "vi" {
            report.basis.label_vi()
        } else {
            report.basis.label_en()
        },
        report,
    }
    .into_response())
}

pub struct DrillRow {
    pub id: i64,
    pub code: String,
    pub head: String,
    pub village: String,
    pub members: String,
    pub start: String,
    pub end: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "report_households.html")]
struct DrillPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    name: String,
    key: String,
    unit_name: String,
    period: i32,
    rows: Vec<DrillRow>,
    back: String,
}

fn status_vi(s: Option<&str>) -> String {
    match s {
        Some("poor") => "hộ nghèo",
        Some("near_poor") => "hộ cận nghèo",
        Some("medium") => "mức sống trung bình",
        Some("not_poor") => "không nghèo",
        _ => "–",
    }
    .to_string()
}

async fn households_page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(q): Query<DrillQuery>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    if let Some(to) = programme_figure_address(&app, &name, &q, false).map_err(err)? {
        return Ok(crate::headers::see_other(&to));
    }
    let as_of = parse_date(q.as_of.as_deref()).map_err(err)?;
    let basis = parse_basis(q.basis.as_deref()).map_err(err)?;
    let rows = app
        .report_households(&user.actor, &q.unit, &q.key, q.period, as_of, basis)
        .await
        .map_err(err)?;
    let unit = app.unit(&q.unit).await.map_err(err)?;
    Ok(DrillPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        back: format!("/reports/{name}?period={}", q.period),
        name,
        key: q.key,
        unit_name: unit.name,
        period: q.period,
        rows: rows
            .into_iter()
            .map(|r| DrillRow {
                id: r.id,
                code: r.code,
                head: r.head_name,
                village: r.village_name,
                members: format::number(r.member_count as i64),
                start: status_vi(r.prev_status.as_deref()),
                end: status_vi(r.cur_status.as_deref()),
            })
            .collect(),
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_use_vietnamese_separators() {
        assert_eq!(figure(Some(1_500_000.0), ValueFormat::Count), "1.500.000");
        assert_eq!(figure(Some(4.03), ValueFormat::Rate), "4,03");
        assert_eq!(figure(Some(1234.5), ValueFormat::Rate), "1.234,50");
        assert_eq!(figure(None, ValueFormat::Rate), "–");
    }
}
