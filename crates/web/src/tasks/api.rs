//! `/api/v1/tasks`: a unit's tasks for a year, one task with its updates, the office's
//! assignment and an agency's status update, as JSON.

use super::optional_date;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::format;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Datelike;
use giamngheo_app::App;
use giamngheo_app::rules::Recurrence;
use giamngheo_app::tasks::{TaskInput, TaskView, UpdateInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(list, detail, assign, report),
    components(schemas(TasksBody, TaskItem, TaskDetailBody, UpdateItem, NewTaskBody, NewUpdateBody, Created)),
    security(("bearer" = []))
)]
pub struct TasksDoc;

#[derive(Deserialize, IntoParams)]
pub struct TasksQuery {
    /// Unit code (a closed unit's code finds its plans of the years it existed); the
    /// user's own by default.
    unit: Option<String>,
    /// The plan year; the current year by default.
    year: Option<i32>,
    /// Only the tasks an agency leads or co-operates in (its code, e.g. `444-tckh`).
    agency: Option<String>,
}

/// A unit's tasks for a year.
#[derive(Serialize, ToSchema)]
pub struct TasksBody {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    pub items: Vec<TaskItem>,
}

/// One task and where it stands today.
#[derive(Serialize, ToSchema)]
pub struct TaskItem {
    pub id: i64,
    /// The lead agency's code.
    pub agency: String,
    pub agency_name: String,
    /// The co-operating agencies' codes.
    pub co_agencies: Vec<String>,
    pub title: String,
    pub description: String,
    /// `policy`, `project`, `target` or `other`, and the code it names.
    pub serves_kind: Option<String>,
    pub serves_code: Option<String>,
    /// The next due date, dd/mm/yyyy: the earliest not reported for; null once done.
    pub due: Option<String>,
    /// `on_time`, `due_soon`, `overdue` or `none`.
    pub due_state: String,
    /// `once`, `monthly`, `quarterly` or `yearly`.
    pub recurrence: String,
    /// The recurrence in Vietnamese ("Hằng tháng, hạn ngày 5").
    pub recurrence_text: String,
    /// The plan gives no date: the due dates are to be confirmed.
    pub due_to_confirm: bool,
    /// `not_started`, `in_progress` or `done`.
    pub status: String,
    pub progress: Option<i32>,
    pub plan_ref: Option<String>,
}

fn item(t: &TaskView) -> TaskItem {
    TaskItem {
        id: t.id,
        agency: t.lead.code.clone(),
        agency_name: t.lead.name.clone(),
        co_agencies: t.co_agencies.iter().map(|a| a.code.clone()).collect(),
        title: t.title.clone(),
        description: t.description.clone(),
        serves_kind: t.serves_kind.clone(),
        serves_code: t.serves_code.clone(),
        due: t.next_due.as_ref().map(format::date),
        due_state: t.due_state.code().into(),
        recurrence: t.recurrence.code().into(),
        recurrence_text: t.recurrence.describe_vi(),
        due_to_confirm: t.due_to_confirm,
        status: t.status.code().into(),
        progress: t.progress,
        plan_ref: t.plan_ref.clone(),
    }
}

/// The tasks of a unit's plan for a year, each with its next due date (dd/mm/yyyy),
/// recurrence and status.
#[utoipa::path(get, path = "/tasks", params(TasksQuery),
    responses(
        (status = 200, body = TasksBody),
        (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody),
        (status = 422, description = "Invalid year", body = ErrorBody)
    ))]
pub(super) async fn list(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<TasksQuery>,
) -> Result<Json<TasksBody>, ApiError> {
    let unit = q.unit.unwrap_or_else(|| user.actor.unit_code.clone());
    let year = q.year.unwrap_or_else(|| app.clock().today().year());
    let view = app.tasks(&user.actor, &unit, year).await?;
    let agency = q.agency.as_deref().map(str::trim).filter(|a| !a.is_empty());
    Ok(Json(TasksBody {
        items: view
            .items
            .iter()
            .filter(|t| agency.is_none_or(|a| t.involves(a)))
            .map(item)
            .collect(),
        unit_code: view.unit_code,
        unit_name: view.unit_name,
        year,
    }))
}

/// A task with its status updates, newest first.
#[derive(Serialize, ToSchema)]
pub struct TaskDetailBody {
    pub task: TaskItem,
    /// Every due date of the task, dd/mm/yyyy.
    pub dues: Vec<String>,
    pub updates: Vec<UpdateItem>,
}

#[derive(Serialize, ToSchema)]
pub struct UpdateItem {
    pub id: i64,
    pub status: String,
    pub progress: Option<i32>,
    pub note: String,
    /// The due date it reports for, dd/mm/yyyy.
    pub period_due: Option<String>,
    pub agency: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    /// The attachments' download paths (`/tasks/files/{id}`).
    pub files: Vec<String>,
}

#[utoipa::path(get, path = "/tasks/{id}",
    responses(
        (status = 200, body = TaskDetailBody),
        (status = 404, description = "No such task in the user's area", body = ErrorBody)
    ))]
pub(super) async fn detail(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<TaskDetailBody>, ApiError> {
    let d = app.task(&user.actor, id).await?;
    Ok(Json(TaskDetailBody {
        task: item(&d.task),
        dues: d.task.dues.iter().map(format::date).collect(),
        updates: d
            .updates
            .into_iter()
            .map(|u| UpdateItem {
                id: u.id,
                status: u.status.code().into(),
                progress: u.progress,
                note: u.note,
                period_due: u.period_due.as_ref().map(format::date),
                agency: u.agency.map(|a| a.code),
                recorded_by: u.recorded_by,
                recorded_at: u.recorded_at,
                files: u
                    .files
                    .iter()
                    .map(|f| format!("/tasks/files/{}", f.id))
                    .collect(),
            })
            .collect(),
    }))
}

/// A task the office assigns.
#[derive(Deserialize, ToSchema)]
pub struct NewTaskBody {
    pub unit: String,
    pub year: i32,
    pub lead_agency: String,
    #[serde(default)]
    pub co_agencies: Vec<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub serves_kind: Option<String>,
    pub serves_code: Option<String>,
    /// `once`, `monthly`, `quarterly` or `yearly`.
    pub recurrence: String,
    /// A one-off task's date, dd/mm/yyyy.
    pub due_on: Option<String>,
    /// Yearly: the month (1–12); quarterly: the month of the quarter (1–3).
    pub due_month: Option<u32>,
    /// The day of the month (1–31; a shorter month's last day).
    pub due_day: Option<u32>,
    #[serde(default)]
    pub due_to_confirm: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// The office assigns a task of a unit's plan.
#[utoipa::path(post, path = "/tasks", request_body = NewTaskBody,
    responses(
        (status = 201, body = Created),
        (status = 403, description = "Only the office or an administrator assigns", body = ErrorBody),
        (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(super) async fn assign(
    State(app): State<App>,
    user: ApiUser,
    Json(b): Json<NewTaskBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let due_on = optional_date(b.due_on.as_deref().unwrap_or(""), "due_on")?;
    let recurrence = Recurrence::from_parts(&b.recurrence, due_on, b.due_month, b.due_day)
        .map_err(|e| giamngheo_app::AppError::invalid(e.field, e.reason))?;
    let id = app
        .assign_task(
            &user.actor,
            TaskInput {
                unit_code: b.unit,
                year: b.year,
                plan_ref: None,
                lead_agency: b.lead_agency,
                co_agencies: b.co_agencies,
                title: b.title,
                description: b.description,
                serves_kind: b.serves_kind,
                serves_code: b.serves_code,
                recurrence,
                due_to_confirm: b.due_to_confirm,
                starts_on: None,
                ends_on: None,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A status update (attachments go through the page's form).
#[derive(Deserialize, ToSchema)]
pub struct NewUpdateBody {
    /// `not_started`, `in_progress` or `done`.
    pub status: String,
    /// 0–100.
    pub progress: Option<i32>,
    #[serde(default)]
    pub note: String,
    /// The due date reported for, dd/mm/yyyy; the task's next due date by default.
    pub period_due: Option<String>,
}

/// An agency reports on a task it leads or co-operates in.
#[utoipa::path(post, path = "/tasks/{id}/updates", request_body = NewUpdateBody,
    responses(
        (status = 201, body = Created),
        (status = 403, description = "Not the task's agency nor the office", body = ErrorBody),
        (status = 404, description = "No such task in the user's area", body = ErrorBody),
        (status = 422, body = ErrorBody)
    ))]
pub(super) async fn report(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    Json(b): Json<NewUpdateBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let period_due = optional_date(b.period_due.as_deref().unwrap_or(""), "period_due")?;
    let id = app
        .report_task(
            &user.actor,
            id,
            UpdateInput {
                status: b.status,
                progress: b.progress,
                note: b.note,
                period_due,
                files: Vec::new(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}
