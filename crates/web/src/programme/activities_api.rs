//! `/api/v1/programme/activities`: the activities, their corrections and beneficiaries,
//! and a livelihood model's evaluation.

use super::api::json_or_file;
use super::{parse_day, unit_and_year};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use giamngheo_app::programme::{
    ActivityInput, ActivityView, BeneficiaryInput, BeneficiaryView, SourceCost,
};
use giamngheo_app::{App, AppError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(crate) fn api_routes() -> Routes {
    Routes::new()
        .route("/programme/activities", get(list).post(create))
        .route("/programme/activities/{id}", get(one))
        .route("/programme/activities/{id}/corrections", post(correct))
        .route(
            "/programme/activities/{id}/beneficiaries",
            post(beneficiaries),
        )
        .route("/programme/activities/{id}/evaluation", get(evaluation))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, one, correct, beneficiaries, evaluation),
    components(schemas(ActivityBody, CorrectionBody, BeneficiariesBody, BeneficiaryItem, ActivityId)),
    security(("bearer" = []))
)]
pub struct ActivityDoc;

#[derive(Deserialize, IntoParams)]
pub struct ActivitiesQuery {
    /// The unit (default: the user's).
    unit: Option<String>,
    /// The year (default: this year).
    year: Option<i32>,
}

/// The activities of a year of a unit and the communes below it (current versions).
#[utoipa::path(get, path = "/programme/activities", params(ActivitiesQuery),
    responses((status = 200, description = "Activities"), (status = 404, body = ErrorBody)))]
async fn list(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<ActivitiesQuery>,
) -> Result<Json<Vec<ActivityView>>, ApiError> {
    let (unit, year) = unit_and_year(&app, &user.actor, q.unit, q.year);
    Ok(Json(app.activities(&user.actor, &unit, year).await?))
}

/// An activity.
#[derive(Deserialize, ToSchema)]
pub struct ActivityBody {
    unit: String,
    year: i32,
    /// A project or sub-project code of the year's structure (`GET /programme/structure`).
    project: String,
    /// An activity type under that project.
    activity_type: String,
    name: String,
    /// `dd/mm/yyyy` or `yyyy-mm-dd`.
    start_date: String,
    end_date: Option<String>,
    planned_quantity: Option<i64>,
    done_quantity: Option<i64>,
    place: Option<String>,
    content: Option<String>,
    /// Required for events (communication, training).
    participants: Option<i32>,
    participants_women: Option<i32>,
    participants_minority: Option<i32>,
    /// Livelihood models only: the inputs given to participants (vật tư, giống, vốn…).
    inputs: Option<String>,
    /// Events only: who the event was for (đối tượng) and its materials (tài liệu, ấn phẩm).
    audience: Option<String>,
    materials: Option<String>,
}

impl ActivityBody {
    fn input(self) -> Result<ActivityInput, AppError> {
        Ok(ActivityInput {
            unit: self.unit,
            year: self.year,
            project: self.project,
            activity_type: self.activity_type,
            name: self.name,
            start_date: parse_day("start_date", &self.start_date)?,
            end_date: match self.end_date.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(d) => Some(parse_day("end_date", d)?),
            },
            planned_quantity: self.planned_quantity,
            done_quantity: self.done_quantity,
            place: self.place,
            content: self.content,
            participants: self.participants,
            participants_women: self.participants_women,
            participants_minority: self.participants_minority,
            inputs: self.inputs,
            audience: self.audience,
            materials: self.materials,
        })
    }
}

/// The activity written.
#[derive(Serialize, ToSchema)]
pub struct ActivityId {
    id: i64,
}

/// Records an activity (audited).
#[utoipa::path(post, path = "/programme/activities", request_body = ActivityBody,
    responses((status = 200, body = ActivityId), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(app): State<App>,
    user: ApiUser,
    Json(b): Json<ActivityBody>,
) -> Result<Json<ActivityId>, ApiError> {
    let id = app.record_activity(&user.actor, &b.input()?).await?;
    Ok(Json(ActivityId { id }))
}

/// An activity with its versions, its cost by funding source and its beneficiaries now.
#[derive(Serialize)]
pub struct ActivityAnswer {
    activity: ActivityView,
    /// The ledger's disbursements naming the activity, net of reversals, by source.
    cost_by_source: Vec<SourceCost>,
    versions: Vec<ActivityView>,
    beneficiaries: Vec<BeneficiaryView>,
}

/// An activity, every version of it, its cost by funding source and who benefits now.
#[utoipa::path(get, path = "/programme/activities/{id}",
    params(("id" = i64, Path, description = "The activity")),
    responses((status = 200, description = "The activity"), (status = 404, body = ErrorBody)))]
async fn one(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ActivityAnswer>, ApiError> {
    Ok(Json(ActivityAnswer {
        activity: app.activity(&user.actor, id).await?,
        cost_by_source: app.activity_cost_by_source(&user.actor, id).await?,
        versions: app.activity_history(&user.actor, id).await?,
        beneficiaries: app.beneficiaries(&user.actor, id).await?,
    }))
}

/// A correction: the whole activity again, the version it corrects and why.
#[derive(Deserialize, ToSchema)]
pub struct CorrectionBody {
    /// The version read (`activity.version_id`); a later one is a conflict.
    version_id: i64,
    reason: String,
    #[serde(flatten)]
    activity: ActivityBody,
}

/// Corrects an activity: a new version, the old one kept (audited).
#[utoipa::path(post, path = "/programme/activities/{id}/corrections", request_body = CorrectionBody,
    params(("id" = i64, Path, description = "The activity")),
    responses((status = 200, body = ActivityId), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn correct(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<CorrectionBody>,
) -> Result<Json<ActivityId>, ApiError> {
    let id = app
        .correct_activity(
            &user.actor,
            id,
            b.version_id,
            &b.activity.input()?,
            &b.reason,
        )
        .await?;
    Ok(Json(ActivityId { id }))
}

/// A household (by code in its commune, and a member by position) or a whole commune.
#[derive(Deserialize, ToSchema)]
pub struct BeneficiaryItem {
    household_code: Option<String>,
    member_position: Option<i32>,
    commune: String,
}

/// Beneficiaries to add, or to take off with a reason.
#[derive(Deserialize, ToSchema)]
pub struct BeneficiariesBody {
    items: Vec<BeneficiaryItem>,
    #[serde(default)]
    remove: bool,
    reason: Option<String>,
}

/// Adds beneficiaries to an activity or takes them off, all or nothing (audited).
#[utoipa::path(post, path = "/programme/activities/{id}/beneficiaries", request_body = BeneficiariesBody,
    params(("id" = i64, Path, description = "The activity")),
    responses((status = 200, body = ActivityId), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn beneficiaries(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<BeneficiariesBody>,
) -> Result<Json<ActivityId>, ApiError> {
    let items: Vec<BeneficiaryInput> = b
        .items
        .into_iter()
        .map(|i| BeneficiaryInput {
            household_code: i.household_code,
            member_position: i.member_position,
            commune: i.commune,
        })
        .collect();
    app.change_beneficiaries(&user.actor, id, &items, b.remove, b.reason.as_deref())
        .await?;
    Ok(Json(ActivityId { id }))
}

#[derive(Deserialize, IntoParams)]
pub struct EvaluationQuery {
    /// `json` (default), `csv`, `xlsx` or `pdf`.
    format: Option<String>,
}

/// A livelihood model's evaluation: escapes from poverty by Y+1…Y+3 against the
/// households of the same communes and class not in it.
#[utoipa::path(get, path = "/programme/activities/{id}/evaluation", params(("id" = i64, Path, description = "The model"), EvaluationQuery),
    responses((status = 200, description = "The evaluation as JSON, or a CSV, .xlsx or PDF file"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn evaluation(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<EvaluationQuery>,
) -> Result<Response, ApiError> {
    let e = app.model_evaluation(&user.actor, id).await?;
    let today = app.clock().today();
    let wording = &app.config().wording;
    Ok(json_or_file(
        e,
        q.format.as_deref().unwrap_or("json"),
        &format!("danh-gia-mo-hinh-{id}"),
        |e| e.to_sheet(today, wording),
    )?)
}
