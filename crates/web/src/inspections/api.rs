//! `/api/v1/inspections`: a unit's inspections of a year, the office's plan, one
//! inspection with its sample and findings, and the inspecting agency's record, sample
//! and findings, as JSON. Findings of every source are read at `/api/v1/findings`.

use super::required_date;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::format;
use crate::policies::findings::{FindingBody, finding_body};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Datelike;
use giamngheo_app::App;
use giamngheo_app::inspections::{FindingInput, InspectionInput, RecordInput, SampleChoice};
use giamngheo_store::InspectionRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list, plan, detail, record, sample, add_finding),
    components(schemas(InspectionsBody, InspectionItem, InspectionDetailBody, SampleItem,
        NewInspectionBody, RecordBody, SampleBody, NewFindingBody, Created)),
    security(("bearer" = []))
)]
pub struct InspectionsDoc;

#[derive(Deserialize, IntoParams)]
pub struct InspectionsQuery {
    /// Unit code (a closed unit's code finds its inspections of the years it existed);
    /// the user's own by default.
    unit: Option<String>,
    /// The year; the current year by default.
    year: Option<i32>,
}

/// A unit's inspections of a year.
#[derive(Serialize, ToSchema)]
pub struct InspectionsBody {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    pub items: Vec<InspectionItem>,
}

/// One inspection: its plan and, once held, its record.
#[derive(Serialize, ToSchema)]
pub struct InspectionItem {
    pub id: i64,
    /// The unit inspected.
    pub unit_code: String,
    pub year: i32,
    /// The inspecting agency's code.
    pub inspecting_agency: String,
    /// `review`, `policy` or `project`.
    pub subject_kind: String,
    /// The policy or project code, or the review's period.
    pub subject_code: Option<String>,
    /// dd/mm/yyyy.
    pub planned_on: String,
    /// dd/mm/yyyy; null until held.
    pub held_on: Option<String>,
    /// `random` or `risk`; null until drawn.
    pub sample_method: Option<String>,
    /// The random sample's seed: the same seed draws the same households.
    pub sample_seed: Option<u64>,
    pub sample_size: Option<i32>,
    /// Sent back with the record, so that two writers do not overwrite each other.
    pub version: i32,
}

fn item(r: &InspectionRecord) -> InspectionItem {
    InspectionItem {
        id: r.id,
        unit_code: r.unit_code.clone(),
        year: r.year,
        inspecting_agency: r.inspecting_agency.clone(),
        subject_kind: r.subject_kind.clone(),
        subject_code: r.subject_code.clone(),
        planned_on: format::date(&r.planned_on),
        held_on: r.held_on.as_ref().map(format::date),
        sample_method: r.sample_method.clone(),
        // Kept as the database's signed integer; given back bit for bit.
        sample_seed: r.sample_seed.map(|s| s as u64),
        sample_size: r.sample_size,
        version: r.version,
    }
}

/// The inspections of a unit in a year.
#[utoipa::path(get, path = "/inspections", params(InspectionsQuery),
    responses(
        (status = 200, body = InspectionsBody),
        (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody),
        (status = 422, description = "Invalid year", body = ErrorBody)
    ))]
pub(super) async fn list(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<InspectionsQuery>,
) -> Result<Json<InspectionsBody>, ApiError> {
    let unit = q.unit.unwrap_or_else(|| user.actor.unit_code.clone());
    let year = q.year.unwrap_or_else(|| app.clock().today().year());
    let v = app.inspections_page(&user.actor, &unit, year).await?;
    Ok(Json(InspectionsBody {
        items: v.items.iter().map(item).collect(),
        unit_code: v.unit_code,
        unit_name: v.unit_name,
        year,
    }))
}

/// An inspection the office plans.
#[derive(Deserialize, ToSchema)]
pub struct NewInspectionBody {
    pub unit: String,
    pub year: i32,
    pub inspecting_agency: String,
    /// `review`, `policy` or `project`.
    pub subject_kind: String,
    pub subject_code: Option<String>,
    /// dd/mm/yyyy.
    pub planned_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// The office plans an inspection of a unit.
#[utoipa::path(post, path = "/inspections", request_body = NewInspectionBody,
    responses(
        (status = 201, body = Created),
        (status = 403, description = "Only the office or an administrator plans", body = ErrorBody),
        (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(super) async fn plan(
    State(app): State<App>,
    user: ApiUser,
    Json(b): Json<NewInspectionBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = app
        .plan_inspection(
            &user.actor,
            InspectionInput {
                unit_code: b.unit,
                year: b.year,
                inspecting_agency: b.inspecting_agency,
                subject_kind: b.subject_kind,
                subject_code: b.subject_code,
                planned_on: required_date(&b.planned_on, "planned_on")?,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A household of the sample.
#[derive(Serialize, ToSchema)]
pub struct SampleItem {
    pub position: i32,
    pub household_id: i64,
    /// `random`, `open_finding` or `class_changed`.
    pub reason: String,
    /// The household's code and head: null when the user may not read them.
    pub code: Option<String>,
    pub head_name: Option<String>,
}

/// An inspection with its record, sample and findings.
#[derive(Serialize, ToSchema)]
pub struct InspectionDetailBody {
    pub inspection: InspectionItem,
    pub unit_name: String,
    pub agency_name: String,
    /// The team's members, one per line.
    pub members: String,
    pub checked: String,
    pub sample: Vec<SampleItem>,
    pub findings: Vec<FindingBody>,
    /// Whether the user may record, draw the sample and add findings.
    pub may_write: bool,
}

async fn detail_body(app: &App, user: &ApiUser, id: i64) -> Result<InspectionDetailBody, ApiError> {
    let v = app.inspection(&user.actor, id).await?;
    Ok(InspectionDetailBody {
        inspection: item(&v.record),
        members: v.record.members.clone(),
        checked: v.record.checked.clone(),
        sample: v
            .households
            .into_iter()
            .map(|s| SampleItem {
                position: s.position,
                household_id: s.household_id,
                reason: s.reason,
                code: s.code,
                head_name: s.head_name,
            })
            .collect(),
        findings: v.findings.iter().map(finding_body).collect(),
        unit_name: v.unit_name,
        agency_name: v.agency_name,
        may_write: v.may_write,
    })
}

#[utoipa::path(get, path = "/inspections/{id}",
    responses(
        (status = 200, body = InspectionDetailBody),
        (status = 404, description = "No such inspection in the user's area", body = ErrorBody)
    ))]
pub(super) async fn detail(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<InspectionDetailBody>, ApiError> {
    Ok(Json(detail_body(&app, &user, id).await?))
}

/// The record of a held inspection.
#[derive(Deserialize, ToSchema)]
pub struct RecordBody {
    /// The inspection's version as read.
    pub version: i32,
    /// dd/mm/yyyy.
    pub held_on: String,
    /// The team's members, one per line.
    pub members: String,
    #[serde(default)]
    pub checked: String,
}

#[utoipa::path(post, path = "/inspections/{id}/record", request_body = RecordBody,
    responses(
        (status = 200, body = InspectionDetailBody),
        (status = 403, description = "Not the inspecting agency nor the office", body = ErrorBody),
        (status = 404, description = "No such inspection in the user's area", body = ErrorBody),
        (status = 409, description = "Changed meanwhile", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(super) async fn record(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<RecordBody>,
) -> Result<Json<InspectionDetailBody>, ApiError> {
    app.record_inspection(
        &user.actor,
        id,
        RecordInput {
            version: b.version,
            held_on: required_date(&b.held_on, "held_on")?,
            members: b.members,
            checked: b.checked,
        },
    )
    .await?;
    Ok(Json(detail_body(&app, &user, id).await?))
}

/// How to draw the sample.
#[derive(Deserialize, ToSchema)]
pub struct SampleBody {
    /// `random` or `risk`.
    pub method: String,
    pub size: usize,
    /// The random sample's seed; taken from the clock (and kept) when absent.
    pub seed: Option<u64>,
}

#[utoipa::path(post, path = "/inspections/{id}/sample", request_body = SampleBody,
    responses(
        (status = 200, body = InspectionDetailBody),
        (status = 403, description = "Not the inspecting agency nor the office", body = ErrorBody),
        (status = 404, description = "No such inspection in the user's area", body = ErrorBody),
        (status = 409, description = "The sample is already drawn", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(super) async fn sample(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<SampleBody>,
) -> Result<Json<InspectionDetailBody>, ApiError> {
    let clock_seed = app.clock().now().timestamp().unsigned_abs();
    let choice = SampleChoice::from_parts(&b.method, b.size, b.seed, clock_seed)?;
    app.draw_inspection_sample(&user.actor, id, choice).await?;
    Ok(Json(detail_body(&app, &user, id).await?))
}

/// A finding of the inspection.
#[derive(Deserialize, ToSchema)]
pub struct NewFindingBody {
    /// `wrong_class`, `missing_document`, `benefit_not_received`, `wrong_procedure` or
    /// `other`.
    pub kind: String,
    /// A household of the inspected unit.
    pub household_id: Option<i64>,
    pub benefit_id: Option<i64>,
    pub activity_id: Option<i64>,
    /// What was seen, in words (no names).
    pub evidence: String,
    pub required_action: String,
    /// The responsible agency's code.
    pub responsible_agency: String,
    /// dd/mm/yyyy.
    pub deadline: String,
}

#[utoipa::path(post, path = "/inspections/{id}/findings", request_body = NewFindingBody,
    responses(
        (status = 201, body = Created),
        (status = 403, description = "Not the inspecting agency nor the office", body = ErrorBody),
        (status = 404, description = "No such inspection in the user's area", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(super) async fn add_finding(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<NewFindingBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = app
        .add_inspection_finding(
            &user.actor,
            id,
            FindingInput {
                kind: b.kind,
                household_id: b.household_id,
                benefit_id: b.benefit_id,
                activity_id: b.activity_id,
                evidence: b.evidence,
                required_action: b.required_action,
                responsible_agency: b.responsible_agency,
                deadline: required_date(&b.deadline, "deadline")?,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}
