//! The households part of the JSON API.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use giamngheo_app::households::decode_changes;
use giamngheo_app::units::parse_as_of;
use giamngheo_app::{App, AppError};
use giamngheo_domain::household::HouseholdDraft;
use giamngheo_store::{HouseholdFields, MemberFields};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/households", get(list).post(create))
        .route("/households/export", get(export))
        .route("/households/{id}", get(show).put(update))
        .route("/households/{id}/history", get(history))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, export, show, create, update, history),
    components(schemas(HouseholdList, HouseholdSummary, HouseholdDetail, Member, Created, Saved, UpdateBody, HistoryEntry, Change)),
    security(("bearer" = []))
)]
pub struct HouseholdsDoc;

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Unit code (province, district, commune or village); the user's own by default.
    unit: Option<String>,
    /// A name (with or without diacritics), a household code or a 12-digit citizen ID.
    q: Option<String>,
    /// Page number, from 1; 50 households a page.
    page: Option<i64>,
    /// The day the unit code is taken on (dd/mm/yyyy); today by default. A code closed
    /// on that day answers 410 with the units that replaced it.
    as_of: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// Unit code (province, commune or village); the user's own by default.
    unit: Option<String>,
    /// The households page's search: a name, a household code or a 12-digit citizen ID.
    q: Option<String>,
    /// Only households whose current status is this: `poor`, `near_poor`, `medium`,
    /// `not_poor`; all by default.
    status: Option<String>,
    /// `xlsx` (the default) or `csv`.
    format: Option<String>,
    /// The day the unit code is taken on (dd/mm/yyyy); today by default. A code closed
    /// on that day answers 410 with the units that replaced it.
    as_of: Option<String>,
    /// The households page's filters, so that the file holds the list on screen: one
    /// village of the unit (its code).
    village: Option<String>,
    /// `1` for ethnic minority households only, `0` for the others.
    ethnic_minority: Option<String>,
    /// `1` for households with a female head only, `0` for the others.
    female_head: Option<String>,
    /// `1` for households with a person of merit only, `0` for the others.
    merit: Option<String>,
    /// `1` for households with a member with a disability only, `0` for the others.
    disability: Option<String>,
    /// The list's order: `head` (default), `code`, `village` or `members`.
    sort: Option<String>,
    /// `desc` for the reverse order.
    dir: Option<String>,
}

impl ExportQuery {
    fn filters(&self) -> crate::hh_list::ListFilters {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        crate::hh_list::ListFilters {
            village: s(&self.village),
            status: s(&self.status),
            ethnic_minority: s(&self.ethnic_minority),
            female_head: s(&self.female_head),
            merit: s(&self.merit),
            disability: s(&self.disability),
            sort: s(&self.sort),
            dir: s(&self.dir),
        }
    }
}

/// The households of a unit the user may read as a file, one line per member; citizen
/// IDs and health insurance numbers masked unless the role may read citizen IDs. The
/// households page's export button links here, so the browser's session works too.
#[utoipa::path(get, path = "/households/export", params(ExportQuery),
    responses(
        (status = 200, description = "The file (.xlsx or CSV)", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody),
        (status = 410, description = "The unit was closed on that day; the answer names its successors", body = ErrorBody),
        (status = 422, description = "Unknown status or format, or too many households", body = ErrorBody)
    ))]
async fn export(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    use giamngheo_sheets::export::{households_csv, households_xlsx};
    let format = q.format.as_deref().map(str::trim).unwrap_or("xlsx");
    if !matches!(format, "xlsx" | "csv" | "") {
        return Err(AppError::invalid(
            "format",
            format!("định dạng «{format}» không hợp lệ (xlsx hoặc csv)"),
        )
        .into());
    }
    let as_of = q.as_of.as_deref().map(parse_as_of).transpose()?;
    let lines = app
        .export_households(
            &user.actor,
            q.unit.as_deref(),
            q.q.as_deref(),
            q.status.as_deref(),
            &q.filters().narrowing()?,
            as_of,
        )
        .await?;
    let (body, content_type, ext) = if format == "csv" {
        (households_csv(&lines), "text/csv; charset=utf-8", "csv")
    } else {
        let bytes = households_xlsx(&lines).map_err(|e| {
            tracing::error!(error = %e, "household export workbook");
            AppError::invalid("format", "không tạo được tệp .xlsx")
        })?;
        (
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    };
    let unit = q
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or(&user.actor.unit_code);
    // The unit code is digits once it passed the access check, so the name is plain.
    let filename = format!(
        "danh-sach-ho-{}.{ext}",
        unit.replace(|c: char| !c.is_ascii_alphanumeric(), "")
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

/// A line of a household list.
#[derive(Serialize, ToSchema)]
pub struct HouseholdSummary {
    pub id: i64,
    pub code: String,
    pub head_name: String,
    pub village_code: String,
    pub village_name: String,
    pub commune_code: String,
    pub address: String,
    pub member_count: i32,
    pub ethnic_minority: bool,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct HouseholdList {
    pub items: Vec<HouseholdSummary>,
    /// The households found; at least this many when `total_more` (a large list is
    /// counted only up to a bound).
    pub total: i64,
    pub total_more: bool,
    pub page: i64,
    pub page_size: i64,
}

/// Households of a unit the user may read, sorted by the head's given name.
#[utoipa::path(get, path = "/households", params(ListQuery),
    responses(
        (status = 200, body = HouseholdList),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody)
    ))]
async fn list(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<HouseholdList>, ApiError> {
    let as_of = q.as_of.as_deref().map(parse_as_of).transpose()?;
    let page = app
        .list_households_as_of(
            &user.actor,
            q.unit.as_deref(),
            q.q.as_deref(),
            q.page.unwrap_or(1),
            as_of,
        )
        .await?;
    Ok(Json(HouseholdList {
        items: page
            .items
            .into_iter()
            .map(|r| HouseholdSummary {
                id: r.id,
                code: r.code,
                head_name: r.head_name,
                village_code: r.village_code,
                village_name: r.village_name,
                commune_code: r.commune_code,
                address: r.address,
                member_count: r.member_count,
                ethnic_minority: r.ethnic_minority,
                version: r.version,
            })
            .collect(),
        total: page.total,
        total_more: page.more,
        page: page.page,
        page_size: page.page_size,
    }))
}

/// A member; `citizen_id` is masked (`*********123`) for roles that may not see it.
#[derive(Serialize, ToSchema)]
pub struct Member {
    pub id: i64,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub fields: MemberFields,
}

/// A household with its members. Send `version` back with a change.
#[derive(Serialize, ToSchema)]
pub struct HouseholdDetail {
    pub id: i64,
    pub version: i64,
    pub active: bool,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub fields: HouseholdFields,
    pub village_name: String,
    pub commune_name: String,
    pub members: Vec<Member>,
}

/// One household with its members.
#[utoipa::path(get, path = "/households/{id}", params(("id" = i64, Path)),
    responses(
        (status = 200, body = HouseholdDetail),
        (status = 404, description = "Unknown, or outside the user's area", body = ErrorBody)
    ))]
async fn show(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<HouseholdDetail>, ApiError> {
    let view = app.household(&user.actor, id).await?;
    Ok(Json(HouseholdDetail {
        id: view.household.id,
        version: view.household.version,
        active: view.household.active,
        fields: view.household.fields,
        village_name: view.village.name,
        commune_name: view.commune.name,
        members: view
            .members
            .into_iter()
            .map(|m| Member {
                id: m.id,
                fields: m.fields,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Creates a household. The body is a household draft: `code`, `village_code`,
/// `address`, housing facts, and `members` (each with `full_name`, `sex`, `birth_date`
/// or `birth_year`, `ethnicity` code, `relation` code, optional `citizen_id`, …).
#[utoipa::path(post, path = "/households", request_body(content = Object, description = "HouseholdDraft"),
    responses(
        (status = 201, body = Created),
        (status = 409, description = "Code or citizen ID already used; the message names the other household", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
async fn create(
    State(app): State<App>,
    user: ApiUser,
    Json(draft): Json<HouseholdDraft>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = app.create_household(&user.actor, draft).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A change: the version read, the whole household as it should be, and for each member
/// of `household.members` the id of the member it edits (`null` for a new one). Members
/// left out are recorded as having left the household.
#[derive(Deserialize, ToSchema)]
pub struct UpdateBody {
    pub version: i64,
    #[schema(value_type = Object)]
    pub household: HouseholdDraft,
    pub member_ids: Vec<Option<i64>>,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Saved {
    pub version: i64,
}

/// Saves a household if nobody saved it since `version` (otherwise 409, nothing written).
#[utoipa::path(put, path = "/households/{id}", params(("id" = i64, Path)), request_body = UpdateBody,
    responses(
        (status = 200, body = Saved),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Stale version or duplicate", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
async fn update(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<UpdateBody>,
) -> Result<Json<Saved>, ApiError> {
    let version = app
        .update_household(
            &user.actor,
            id,
            body.version,
            body.household,
            body.member_ids,
            body.reason,
        )
        .await?;
    Ok(Json(Saved { version }))
}

#[derive(Serialize, ToSchema)]
pub struct Change {
    pub field: String,
    #[schema(value_type = Object)]
    pub old: serde_json::Value,
    #[schema(value_type = Object)]
    pub new: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    pub at: String,
    pub username: String,
    pub action: String,
    pub changes: Vec<Change>,
    pub reason: Option<String>,
}

/// Every change of a household, newest first.
#[utoipa::path(get, path = "/households/{id}/history", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404, body = ErrorBody)))]
async fn history(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let records = app.household_history(&user.actor, id).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| HistoryEntry {
                changes: decode_changes(&r.entry.changes)
                    .into_iter()
                    .map(|c| Change {
                        field: c.field,
                        old: c.old,
                        new: c.new,
                    })
                    .collect(),
                at: r.entry.at,
                username: r.entry.username,
                action: r.entry.action,
                reason: r.entry.reason,
            })
            .collect(),
    ))
}
