//! `/api/v1/programme`: the suggested allocation, allocations, disbursements, reversals,
//! the progress report and the programme's structure.

use super::{parse_day, parse_vnd, unit_and_year};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use chrono::Datelike;
use giamngheo_app::programme::{
    AdoptItem, AdoptRequest, DisbursementInput, EntryView, FlagsInput, PlanInput, ProgressFamily,
    ProgressPart, ReverseInput, SuggestRequest,
};
use giamngheo_app::rules::programme::Weighting;
use giamngheo_app::{App, AppError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(crate) fn api_routes() -> Routes {
    Routes::new()
        .route("/programme/allocations/suggest", post(suggest))
        .route("/programme/allocations", get(allocations).post(adopt))
        .route(
            "/programme/disbursements",
            get(disbursements).post(disburse),
        )
        .route("/programme/plans", get(plans).post(plan))
        .route("/programme/entries/{id}/reverse", post(reverse))
        .route("/programme/progress", get(progress))
        .route("/programme/structure", get(structure))
        .route("/programme/units/{code}/flags", put(set_flags))
}

#[derive(OpenApi)]
#[openapi(
    paths(suggest, allocations, adopt, disbursements, disburse, plans, plan, reverse, progress, structure, set_flags),
    components(schemas(SuggestBody, SuggestAnswer, SuggestItem, AdoptBody, AdoptItemBody, MoneyBody, ReverseBody, FlagsBody, Ids)),
    security(("bearer" = []))
)]
pub struct ProgrammeDoc;

fn weighting(text: Option<&str>) -> Result<Weighting, AppError> {
    match text.unwrap_or("coefficients") {
        "coefficients" | "" => Ok(Weighting::Coefficients),
        "households" => Ok(Weighting::Households),
        other => Err(AppError::invalid(
            "weighting",
            format!("cách chia «{other}» phải là coefficients hoặc households"),
        )),
    }
}

/// A suggestion asked for.
#[derive(Deserialize, ToSchema)]
pub struct SuggestBody {
    /// The unit whose communes share the total (a province, a district, a commune).
    unit: String,
    year: i32,
    /// Integer VND.
    total: u64,
    /// `coefficients` (default) or `households`: coefficient × poor and near-poor
    /// households of the registry.
    weighting: Option<String>,
}

/// One commune's suggested share.
#[derive(Serialize, ToSchema)]
pub struct SuggestItem {
    unit: String,
    name: String,
    coefficient: u64,
    /// Integer VND; the shares add up to the total exactly.
    share: u64,
    /// What the total is divided in proportion to.
    weight: u64,
    formula: String,
    to_confirm: bool,
}

/// A suggested allocation.
#[derive(Serialize, ToSchema)]
pub struct SuggestAnswer {
    unit: String,
    year: i32,
    total: u64,
    rule: String,
    items: Vec<SuggestItem>,
}

/// Each commune's share of `total` by the allocation coefficients of the year,
/// largest-remainder rounded so that the shares sum exactly to the total.
#[utoipa::path(post, path = "/programme/allocations/suggest", request_body = SuggestBody,
    responses((status = 200, body = SuggestAnswer),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn suggest(
    State(app): State<App>,
    user: ApiUser,
    Json(b): Json<SuggestBody>,
) -> Result<Json<SuggestAnswer>, ApiError> {
    let s = app
        .suggest_allocation(
            &user.actor,
            &SuggestRequest {
                unit: b.unit,
                year: b.year,
                total: b.total,
                weighting: weighting(b.weighting.as_deref())?,
            },
        )
        .await?;
    Ok(Json(SuggestAnswer {
        unit: s.unit,
        year: s.year,
        total: s.total,
        rule: s.rule,
        items: s
            .items
            .into_iter()
            .map(|i| SuggestItem {
                unit: i.unit,
                name: i.name,
                coefficient: i.coefficient,
                share: i.share,
                weight: i.weight,
                formula: i.formula_vi,
                to_confirm: i.to_confirm,
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct LedgerQuery {
    /// Unit code; the user's own by default.
    unit: Option<String>,
    /// The year; the current year by default.
    year: Option<i32>,
}

async fn entries(
    app: &App,
    user: &ApiUser,
    q: LedgerQuery,
    kind: &str,
) -> Result<Json<Vec<EntryView>>, ApiError> {
    let (unit, year) = unit_and_year(app, &user.actor, q.unit, q.year);
    Ok(Json(
        app.programme_entries(&user.actor, &unit, year, Some(kind))
            .await?,
    ))
}

/// Allocations of a year to the communes at or below a unit (reversals included).
#[utoipa::path(get, path = "/programme/allocations", params(LedgerQuery),
    responses((status = 200, description = "Ledger rows"), (status = 404, body = ErrorBody)))]
async fn allocations(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<LedgerQuery>,
) -> Result<Json<Vec<EntryView>>, ApiError> {
    entries(&app, &user, q, "allocation").await
}

/// Disbursements of a year of the communes at or below a unit (reversals included).
#[utoipa::path(get, path = "/programme/disbursements", params(LedgerQuery),
    responses((status = 200, description = "Ledger rows"), (status = 404, body = ErrorBody)))]
async fn disbursements(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<LedgerQuery>,
) -> Result<Json<Vec<EntryView>>, ApiError> {
    entries(&app, &user, q, "disbursement").await
}

/// Planned amounts of a year.
#[utoipa::path(get, path = "/programme/plans", params(LedgerQuery),
    responses((status = 200, description = "Ledger rows"), (status = 404, body = ErrorBody)))]
async fn plans(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<LedgerQuery>,
) -> Result<Json<Vec<EntryView>>, ApiError> {
    entries(&app, &user, q, "plan").await
}

/// One commune's adopted amount.
#[derive(Deserialize, ToSchema)]
pub struct AdoptItemBody {
    unit: String,
    amount: u64,
}

/// An allocation to adopt.
#[derive(Deserialize, ToSchema)]
pub struct AdoptBody {
    unit: String,
    year: i32,
    /// A project or sub-project code of the year's programme period.
    project: String,
    /// A funding source code.
    source: String,
    /// `dd/mm/yyyy` or `yyyy-mm-dd`.
    date: String,
    document_number: Option<String>,
    weighting: Option<String>,
    items: Vec<AdoptItemBody>,
}

/// The ids of the rows written.
#[derive(Serialize, ToSchema)]
pub struct Ids {
    ids: Vec<i64>,
}

/// Adopts an allocation (as suggested or edited): one ledger row per commune, audited.
#[utoipa::path(post, path = "/programme/allocations", request_body = AdoptBody,
    responses((status = 200, body = Ids), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn adopt(
    State(app): State<App>,
    user: ApiUser,
    Json(b): Json<AdoptBody>,
) -> Result<Json<Ids>, ApiError> {
    let request = AdoptRequest {
        unit: b.unit,
        year: b.year,
        project: b.project,
        source: b.source,
        date: parse_day("date", &b.date)?,
        document_number: b.document_number,
        weighting: weighting(b.weighting.as_deref())?,
        items: b
            .items
            .into_iter()
            .map(|i| AdoptItem {
                unit: i.unit,
                amount: i.amount,
            })
            .collect(),
    };
    Ok(Json(Ids {
        ids: app.adopt_allocation(&user.actor, &request).await?,
    }))
}

/// A planned amount or a disbursement.
#[derive(Deserialize, ToSchema)]
pub struct MoneyBody {
    unit: String,
    year: i32,
    project: String,
    source: String,
    /// Integer VND, or a text such as `1.500.000`.
    amount: serde_json::Value,
    date: String,
    document_number: Option<String>,
    activity_id: Option<i64>,
    note: Option<String>,
    /// Why a disbursement may exceed the allocation; without it, an overdraw is refused.
    overdraw_note: Option<String>,
}

fn amount_of(v: &serde_json::Value) -> Result<u64, AppError> {
    match v {
        serde_json::Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| AppError::invalid("amount", "số tiền phải là số nguyên dương")),
        serde_json::Value::String(s) => parse_vnd("amount", s),
        _ => Err(AppError::invalid("amount", "cần nhập số tiền")),
    }
}

/// Records a disbursement of a commune; 409 when it would overdraw the allocation.
#[utoipa::path(post, path = "/programme/disbursements", request_body = MoneyBody,
    responses((status = 200, body = Ids), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Overdraws the allocation", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn disburse(
    State(app): State<App>,
    user: ApiUser,
    Json(b): Json<MoneyBody>,
) -> Result<Json<Ids>, ApiError> {
    let input = DisbursementInput {
        amount: amount_of(&b.amount)?,
        date: parse_day("date", &b.date)?,
        unit: b.unit,
        year: b.year,
        project: b.project,
        source: b.source,
        activity_id: b.activity_id,
        document_number: b.document_number,
        note: b.note,
        overdraw_note: b.overdraw_note,
    };
    Ok(Json(Ids {
        ids: vec![app.record_disbursement(&user.actor, &input).await?],
    }))
}

/// Records a planned amount of a unit.
#[utoipa::path(post, path = "/programme/plans", request_body = MoneyBody,
    responses((status = 200, body = Ids), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn plan(
    State(app): State<App>,
    user: ApiUser,
    Json(b): Json<MoneyBody>,
) -> Result<Json<Ids>, ApiError> {
    let input = PlanInput {
        amount: amount_of(&b.amount)?,
        date: parse_day("date", &b.date)?,
        unit: b.unit,
        year: b.year,
        project: b.project,
        source: b.source,
        document_number: b.document_number,
    };
    Ok(Json(Ids {
        ids: vec![app.record_plan(&user.actor, &input).await?],
    }))
}

/// Why an entry is reversed.
#[derive(Deserialize, ToSchema)]
pub struct ReverseBody {
    reason: String,
    overdraw_note: Option<String>,
}

/// Reverses a ledger row with a new row of the opposite amount; the old row stays.
#[utoipa::path(post, path = "/programme/entries/{id}/reverse", request_body = ReverseBody,
    params(("id" = i64, Path, description = "The ledger row")),
    responses((status = 200, body = Ids), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn reverse(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<ReverseBody>,
) -> Result<Json<Ids>, ApiError> {
    let id = app
        .reverse_entry(
            &user.actor,
            id,
            &ReverseInput {
                reason: b.reason,
                overdraw_note: b.overdraw_note,
            },
        )
        .await?;
    Ok(Json(Ids { ids: vec![id] }))
}

#[derive(Deserialize, IntoParams)]
pub struct ProgressQuery {
    unit: Option<String>,
    year: Option<i32>,
    /// `money` (default): planned, allocated, disbursed and rate by project and source and
    /// by commune; `activities`: activities planned against done, beneficiaries by group
    /// and event participants (the report `hoat-dong-chuong-trinh`); `all`: both (JSON
    /// `{"money", "activities"}`, a sheet each in the .xlsx and the PDF; CSV holds one).
    part: Option<String>,
    /// `json` (default), `csv`, `xlsx` or `pdf`.
    format: Option<String>,
}

/// The progress report family as JSON or as a file: a sheet per part in the .xlsx and
/// the PDF; a CSV holds one table, so one part.
pub(crate) fn progress_response(
    family: ProgressFamily,
    unit: &str,
    year: i32,
    format: &str,
    app: &App,
) -> Result<Response, AppError> {
    if matches!(format, "json" | "") {
        return Ok(Json(family.to_json()?).into_response());
    }
    let sheets = family.sheets(app.clock().today(), &app.config().wording)?;
    if format == "csv" && sheets.len() != 1 {
        return Err(AppError::invalid(
            "part",
            "tệp CSV chỉ chứa một bảng: chọn part=money hoặc part=activities",
        ));
    }
    sheets_response(&sheets, format, &family.stem(unit, year))
}

/// The render step of the programme's reports: `value` as JSON when `format` is empty or
/// `json`, else its sheet as a CSV, .xlsx or PDF download named `name`.
pub(crate) fn json_or_file<T: Serialize>(
    value: T,
    format: &str,
    name: &str,
    sheet: impl FnOnce(&T) -> giamngheo_sheets::reports::SheetReport,
) -> Result<Response, AppError> {
    if matches!(format, "json" | "") {
        return Ok(Json(value).into_response());
    }
    file_response(&sheet(&value), format, name)
}

/// A report sheet as a CSV, .xlsx or PDF download named `name`.
pub(crate) fn file_response(
    sheet: &giamngheo_sheets::reports::SheetReport,
    format: &str,
    name: &str,
) -> Result<Response, AppError> {
    sheets_response(std::slice::from_ref(sheet), format, name)
}

/// Report sheets as a CSV (the first sheet), .xlsx (a sheet each) or PDF (pages each)
/// download named `name`.
fn sheets_response(
    sheets: &[giamngheo_sheets::reports::SheetReport],
    format: &str,
    name: &str,
) -> Result<Response, AppError> {
    let (bytes, content_type, extension) = match (format, sheets) {
        ("csv", [first, ..]) => (
            giamngheo_sheets::reports::csv(first),
            "text/csv; charset=utf-8",
            "csv",
        ),
        ("xlsx", _) => (
            giamngheo_sheets::reports::xlsx(sheets)
                .map_err(|e| AppError::invalid("format", format!("không tạo được .xlsx: {e}")))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        ("pdf", _) => (
            giamngheo_sheets::pdf::reports_pdf(sheets),
            "application/pdf",
            "pdf",
        ),
        (other, _) => {
            return Err(AppError::invalid(
                "format",
                format!("định dạng «{other}» không có (json, csv, xlsx, pdf)"),
            ));
        }
    };
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{name}.{extension}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The programme's progress report family: by default planned, allocated, disbursed and
/// the disbursement rate by project and source and by commune; with `part=activities`
/// the activities planned against done and the beneficiaries by group; with `part=all`
/// both. As JSON, CSV, .xlsx or PDF.
#[utoipa::path(get, path = "/programme/progress", params(ProgressQuery),
    responses((status = 200, description = "The report as JSON, or a CSV, .xlsx or PDF file"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "The activities' check fails: files are refused", body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn progress(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<ProgressQuery>,
) -> Result<Response, ApiError> {
    let (unit, year) = unit_and_year(&app, &user.actor, q.unit, q.year);
    let part: ProgressPart = q.part.as_deref().unwrap_or("").parse()?;
    let family = app
        .programme_progress_family(&user.actor, &unit, year, part)
        .await?;
    Ok(progress_response(
        family,
        &unit,
        year,
        q.format.as_deref().unwrap_or("json"),
        &app,
    )?)
}

#[derive(Deserialize, IntoParams)]
pub struct StructureQuery {
    year: Option<i32>,
}

/// The programme period of a year as data: its projects, sub-projects and activity
/// types, with the funding sources open that year.
#[utoipa::path(get, path = "/programme/structure", params(StructureQuery),
    responses((status = 200, description = "The structure"), (status = 422, body = ErrorBody)))]
async fn structure(
    State(app): State<App>,
    _user: ApiUser,
    Query(q): Query<StructureQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let year = q.year.unwrap_or_else(|| app.clock().today().year());
    let structure = app.programme().structure_for(year).ok_or_else(|| {
        AppError::invalid(
            "year",
            format!("năm {year} không thuộc giai đoạn nào của chương trình"),
        )
    })?;
    let sources: Vec<_> = app
        .programme()
        .funding_sources()
        .iter()
        .filter(|s| s.open_in(year))
        .collect();
    Ok(Json(serde_json::json!({
        "structure": structure,
        "funding_sources": sources,
    })))
}

/// A unit's allocation flags.
#[derive(Deserialize, ToSchema)]
pub struct FlagsBody {
    /// `I`, `II`, `III`, or null.
    zone: Option<String>,
    #[serde(default)]
    safety_zone: bool,
    #[serde(default)]
    island: bool,
    #[serde(default)]
    special_zone: bool,
    /// The flags are a guess to confirm.
    #[serde(default)]
    to_confirm: bool,
}

/// Sets a unit's allocation flags (administrators), audited.
#[utoipa::path(put, path = "/programme/units/{code}/flags", request_body = FlagsBody,
    params(("code" = String, Path, description = "Unit code")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_flags(
    State(app): State<App>,
    user: ApiUser,
    Path(code): Path<String>,
    Json(b): Json<FlagsBody>,
) -> Result<axum::http::StatusCode, ApiError> {
    app.set_allocation_flags(
        &user.actor,
        &code,
        &FlagsInput {
            zone: b.zone,
            safety_zone: b.safety_zone,
            island: b.island,
            special_zone: b.special_zone,
            to_confirm: b.to_confirm,
        },
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
