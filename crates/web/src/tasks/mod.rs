//! The agencies' tasks on the web: the list of a unit's plan with its overdue and due-soon
//! lists and the office's assignment form, a task's page with its updates, attachments and
//! the agency's report form, the JSON API under `/api/v1/tasks`, and the reminder block of
//! the home page. The app layer checks access and every field.

mod api;
mod committee;
mod pages;

pub use api::TasksDoc;

use crate::i18n::Lang;
use crate::routes::Routes;
use askama::Template;
use axum::routing::{get, post};
use giamngheo_app::access::Actor;
use giamngheo_app::tasks::{DueState, TaskStatus, TaskView};
use giamngheo_app::{App, AppError};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/tasks", get(pages::list).post(pages::assign))
        .route("/tasks/{id}", get(pages::detail))
        .route("/tasks/{id}/updates", post(pages::report))
        .route("/tasks/files/{fid}", get(pages::file))
        .route("/committee", get(committee::page))
}

pub(crate) fn api_routes() -> Routes {
    Routes::new()
        .route("/tasks", get(api::list).post(api::assign))
        .route("/tasks/{id}", get(api::detail))
        .route("/tasks/{id}/updates", post(api::report))
}

fn status_label(s: TaskStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => s.label_vi(),
        Lang::En => s.label_en(),
    }
}

fn due_label(s: DueState, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => s.label_vi(),
        Lang::En => s.label_en(),
    }
}

fn recurrence_text(t: &TaskView, lang: Lang) -> String {
    let text = match lang {
        Lang::Vi => t.recurrence.describe_vi(),
        Lang::En => t.recurrence.describe_en(),
    };
    if t.due_to_confirm {
        match lang {
            Lang::Vi => format!("{text} (cần xác nhận)"),
            Lang::En => format!("{text} (to confirm)"),
        }
    } else {
        text
    }
}

/// A field given as `dd/mm/yyyy` (or ISO), or nothing when empty.
pub(crate) fn optional_date(s: &str, field: &str) -> Result<Option<chrono::NaiveDate>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    giamngheo_sheets::units::parse_date(s)
        .map(Some)
        .map_err(|e| AppError::invalid(field, e))
}

#[derive(Template)]
#[template(path = "task_reminders.html")]
struct RemindersBlock {
    lang: Lang,
    rows: Vec<ReminderRow>,
}

struct ReminderRow {
    id: i64,
    title: String,
    agency: String,
    due: String,
    state: &'static str,
    overdue: bool,
}

/// The home page's reminder block: the user's overdue and due-soon tasks, or nothing.
/// Reminders are a help, never a reason for the home page to fail: an error shows none.
pub async fn reminders_html(app: &App, actor: &Actor, lang: Lang) -> String {
    let Ok(reminders) = app.task_reminders(actor).await else {
        return String::new();
    };
    if reminders.is_empty() {
        return String::new();
    }
    let block = RemindersBlock {
        lang,
        rows: reminders
            .into_iter()
            .map(|r| ReminderRow {
                id: r.task_id,
                title: r.title,
                agency: r.agency,
                due: crate::format::date(&r.due),
                state: due_label(r.state, lang),
                overdue: r.state == DueState::Overdue,
            })
            .collect(),
    };
    block.render().unwrap_or_default()
}
