//! The tasks pages: a unit's plan for a year (with the overdue and due-soon lists and the
//! office's assignment form) and a task's page (its updates, attachments and the report
//! form of its agencies).

use super::{due_label, optional_date, recurrence_text, status_label};
use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::headers::{component, see_other};
use crate::i18n::{Lang, T};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::response::Response;
use chrono::Datelike;
use giamngheo_app::access::Role;
use giamngheo_app::rules::Recurrence;
use giamngheo_app::tasks::{
    Attachment, MAX_ATTACHMENT_BYTES, TaskInput, TaskStatus, TaskView, UpdateInput,
};
use giamngheo_app::{App, AppError};
use serde::Deserialize;

fn err(lang: Lang) -> impl Fn(AppError) -> HtmlError {
    move |error| HtmlError { lang, error }
}

pub struct Row {
    pub id: i64,
    pub plan_ref: String,
    pub agency: String,
    pub co_agencies: String,
    pub title: String,
    pub serves: String,
    pub due: String,
    pub due_state: &'static str,
    pub due_class: &'static str,
    pub recurrence: String,
    pub status: &'static str,
    pub progress: String,
}

fn row(t: &TaskView, lang: Lang) -> Row {
    Row {
        id: t.id,
        plan_ref: t.plan_ref.clone().unwrap_or_default(),
        agency: t.lead.name.clone(),
        co_agencies: t
            .co_agencies
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        title: t.title.clone(),
        serves: match (&t.serves_kind, &t.serves_code) {
            (Some(kind), Some(code)) => format!("{}: {code}", serves_label(kind, lang)),
            (Some(kind), None) => serves_label(kind, lang).to_string(),
            (None, Some(code)) => code.clone(),
            (None, None) => String::new(),
        },
        due: t
            .next_due
            .as_ref()
            .map(format::date)
            .unwrap_or_else(|| "—".into()),
        due_state: due_label(t.due_state, lang),
        due_class: t.due_state.code(),
        recurrence: recurrence_text(t, lang),
        status: status_label(t.status, lang),
        progress: t.progress.map(|p| format!("{p} %")).unwrap_or_default(),
    }
}

fn serves_label(kind: &str, lang: Lang) -> &'static str {
    match (kind, lang) {
        ("policy", Lang::Vi) => "Chính sách",
        ("project", Lang::Vi) => "Dự án",
        ("target", Lang::Vi) => "Chỉ tiêu",
        (_, Lang::Vi) => "Khác",
        ("policy", Lang::En) => "Policy",
        ("project", Lang::En) => "Project",
        ("target", Lang::En) => "Target",
        (_, Lang::En) => "Other",
    }
}

pub struct Choice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
pub(super) struct ListPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: String,
    unit_name: String,
    year: i32,
    today: String,
    agencies: Vec<Choice>,
    overdue: Vec<Row>,
    due_soon: Vec<Row>,
    rows: Vec<Row>,
    can_assign: bool,
    notice: bool,
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    unit: Option<String>,
    year: Option<i32>,
    agency: Option<String>,
    assigned: Option<String>,
}

pub(super) async fn list(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, HtmlError> {
    let e = err(lang);
    // An agency officer lands on its agency's unit and tasks; anyone else on their unit.
    let own_agency = match &user.actor.agency_code {
        Some(code) => app.store().agency(code).await.ok().flatten(),
        None => None,
    };
    let unit = q.unit.clone().unwrap_or_else(|| {
        own_agency
            .as_ref()
            .map(|a| a.unit_code.clone())
            .unwrap_or_else(|| user.actor.unit_code.clone())
    });
    let year = q.year.unwrap_or_else(|| app.clock().today().year());
    let view = app.tasks(&user.actor, &unit, year).await.map_err(&e)?;
    let agency = match q.agency {
        Some(a) => a.trim().to_string(),
        None if q.unit.is_none() && user.actor.role == Role::AgencyOfficer => {
            own_agency.map(|a| a.code).unwrap_or_default()
        }
        None => String::new(),
    };
    let only = Some(agency.as_str()).filter(|a| !a.is_empty());
    let rows = |list: Vec<&TaskView>| list.into_iter().map(|t| row(t, lang)).collect();
    Ok(ListPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        unit_name: view.unit_name.clone(),
        year,
        today: format::date(&view.today),
        agencies: view
            .agencies
            .iter()
            .map(|a| Choice {
                code: a.code.clone(),
                name: a.name.clone(),
                selected: a.code == agency,
            })
            .collect(),
        overdue: rows(view.overdue(only)),
        due_soon: rows(view.due_soon(only)),
        rows: rows(
            view.items
                .iter()
                .filter(|t| only.is_none_or(|a| t.involves(a)))
                .collect(),
        ),
        can_assign: matches!(user.actor.role, Role::Admin | Role::Office),
        notice: q.assigned.is_some(),
        unit: view.unit_code,
    })
}

#[derive(Deserialize)]
pub(super) struct AssignForm {
    unit: String,
    year: i32,
    lead_agency: String,
    #[serde(default)]
    co_agency: String,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    serves_kind: String,
    #[serde(default)]
    serves_code: String,
    recurrence: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    due_month: String,
    #[serde(default)]
    due_day: String,
}

fn small_number(field: &str, s: &str) -> Result<Option<u32>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<u32>()
        .map(Some)
        .map_err(|_| AppError::invalid(field, format!("«{s}» không phải là số")))
}

pub(super) async fn assign(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<AssignForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let due_on = optional_date(&f.due_on, "due_on").map_err(&e)?;
    let recurrence = Recurrence::from_parts(
        &f.recurrence,
        due_on,
        small_number("due_month", &f.due_month).map_err(&e)?,
        small_number("due_day", &f.due_day).map_err(&e)?,
    )
    .map_err(|r| e(AppError::invalid(r.field, r.reason)))?;
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let id = app
        .assign_task(
            &user.actor,
            TaskInput {
                unit_code: f.unit.clone(),
                year: f.year,
                plan_ref: None,
                lead_agency: f.lead_agency,
                co_agencies: some(&f.co_agency).into_iter().collect(),
                title: f.title,
                description: f.description,
                serves_kind: some(&f.serves_kind),
                serves_code: some(&f.serves_code),
                recurrence,
                due_to_confirm: false,
                starts_on: None,
                ends_on: None,
            },
        )
        .await
        .map_err(&e)?;
    Ok(see_other(&format!(
        "/tasks?unit={}&year={}&assigned={id}",
        component(&f.unit),
        f.year
    )))
}

pub struct UpdateRow {
    pub status: &'static str,
    pub progress: String,
    pub note: String,
    pub period_due: String,
    pub agency: String,
    pub recorded: String,
    pub files: Vec<FileRow>,
}

pub struct FileRow {
    pub id: i64,
    pub name: String,
    pub size: String,
}

pub struct DueRow {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "task.html")]
pub(super) struct DetailPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    task: Row,
    description: String,
    unit: String,
    unit_name: String,
    year: i32,
    dues: Vec<DueRow>,
    updates: Vec<UpdateRow>,
    may_report: bool,
    statuses: Vec<(&'static str, &'static str)>,
    max_mb: usize,
    notice: bool,
}

#[derive(Deserialize)]
pub(super) struct DetailQuery {
    reported: Option<String>,
}

pub(super) async fn detail(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<DetailPage, HtmlError> {
    let d = app.task(&user.actor, id).await.map_err(err(lang))?;
    let t = &d.task;
    Ok(DetailPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        task: row(t, lang),
        description: t.description.clone(),
        unit: t.unit_code.clone(),
        unit_name: d.unit_name.clone(),
        year: t.year,
        dues: t
            .dues
            .iter()
            .map(|due| DueRow {
                value: format::date(due),
                label: format::date(due),
                selected: Some(*due) == t.next_due,
            })
            .collect(),
        updates: d
            .updates
            .iter()
            .map(|u| UpdateRow {
                status: status_label(u.status, lang),
                progress: u.progress.map(|p| format!("{p} %")).unwrap_or_default(),
                note: u.note.clone(),
                period_due: u.period_due.as_ref().map(format::date).unwrap_or_default(),
                agency: u
                    .agency
                    .as_ref()
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                recorded: format!("{} · {}", u.recorded_by, u.recorded_at),
                files: u
                    .files
                    .iter()
                    .map(|f| FileRow {
                        id: f.id,
                        name: f.name.clone(),
                        size: format!("{} KB", format::number((f.size + 1023) / 1024)),
                    })
                    .collect(),
            })
            .collect(),
        may_report: d.may_report,
        statuses: TaskStatus::ALL
            .into_iter()
            .map(|s| (s.code(), status_label(s, lang)))
            .collect(),
        max_mb: giamngheo_app::files::megabytes(MAX_ATTACHMENT_BYTES),
        notice: q.reported.is_some(),
    })
}

pub(super) async fn report(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let mut fields = std::collections::HashMap::new();
    let mut files = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or("").to_string();
        if name == "files" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| e(AppError::invalid("files", "không đọc được tệp đính kèm")))?;
            // A form sent without a file still has the empty field.
            if !bytes.is_empty() {
                files.push(Attachment {
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
            }
        } else if let Ok(text) = field.text().await {
            fields.insert(name, text);
        }
    }
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let progress = match get("progress").as_str() {
        "" => None,
        p => Some(p.parse::<i32>().map_err(|_| {
            e(AppError::invalid(
                "progress",
                format!("«{p}» không phải là số"),
            ))
        })?),
    };
    app.report_task(
        &user.actor,
        id,
        UpdateInput {
            status: get("status"),
            progress,
            note: get("note"),
            period_due: optional_date(&get("period_due"), "period_due").map_err(&e)?,
            files,
        },
    )
    .await
    .map_err(&e)?;
    Ok(see_other(&format!("/tasks/{id}?reported=1")))
}

pub(super) async fn file(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(fid): Path<i64>,
) -> Result<Response, HtmlError> {
    // The stored media type is not trusted: `serve` decides from the bytes.
    let f = app.task_file(&user.actor, fid).await.map_err(err(lang))?;
    Ok(crate::upload::serve(&f.name, f.bytes))
}
