//! The agencies' tasks of a unit's plan (nhiệm vụ, tổ chức thực hiện): each with a lead
//! agency and co-operating agencies, what it serves, its due dates (once or recurring, as
//! data on the task), and the status updates the agencies report with attachments.
//!
//! Access, checked here for every read and write:
//! - anyone whose area holds the unit reads its tasks (oversight reads them all);
//! - the office (and an administrator) assigns tasks;
//! - an agency officer reports only on the tasks its agency leads or co-operates in; the
//!   office may also report for an agency.
//!
//! A closed unit (the district 444, closed on 30/06/2025) keeps its code on its tasks, so
//! `unit=444&year=2021` finds its 2021 plan for whoever's area took the district in.

mod assign;
pub mod committee;
pub mod plan;
mod report;
pub mod schedule;

pub use assign::{SERVES_KINDS, TaskInput};
pub use report::{Attachment, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, UpdateInput};
pub use schedule::DueState;

use crate::access::{Action, Actor, Role};
use crate::{App, AppError};
use chrono::{Datelike, NaiveDate};
use giamngheo_rules::Recurrence;
use giamngheo_store::{AgencyRecord, TaskRecord, TaskUpdateRecord};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

/// The reminder settings shipped with the product (`tasks/reminders.toml`).
#[derive(Debug, Clone, Deserialize)]
struct Reminders {
    due_soon_working_days: u32,
}

static REMINDERS: LazyLock<Reminders> = LazyLock::new(|| {
    toml::from_str(include_str!("../../tasks/reminders.toml"))
        .unwrap_or_else(|e| panic!("tasks/reminders.toml is invalid: {e}"))
});

/// How many working days before its due date a task is due soon (from data).
pub fn due_soon_working_days() -> u32 {
    REMINDERS.due_soon_working_days
}

/// A task's status, from its latest update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 3] = [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Done,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
        }
    }

    pub fn parse(code: &str) -> Option<TaskStatus> {
        TaskStatus::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "Chưa triển khai",
            TaskStatus::InProgress => "Đang thực hiện",
            TaskStatus::Done => "Hoàn thành",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "Not started",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Done => "Done",
        }
    }
}

/// An agency as a task names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyRef {
    pub code: String,
    pub name: String,
}

/// A task as the lists and the API show it, with where it stands today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskView {
    pub id: i64,
    pub unit_code: String,
    pub year: i32,
    pub plan_ref: Option<String>,
    pub lead: AgencyRef,
    pub co_agencies: Vec<AgencyRef>,
    pub title: String,
    pub description: String,
    pub serves_kind: Option<String>,
    pub serves_code: Option<String>,
    pub recurrence: Recurrence,
    /// The plan gives no date: the due dates are the office's reading, to confirm.
    pub due_to_confirm: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Every due date of the task, in order.
    pub dues: Vec<NaiveDate>,
    /// The earliest due date not reported for; `None` once done.
    pub next_due: Option<NaiveDate>,
    pub due_state: DueState,
    pub status: TaskStatus,
    pub progress: Option<i32>,
    pub updated_at: Option<String>,
}

impl TaskView {
    /// Whether `agency` leads or co-operates in the task.
    pub fn involves(&self, agency: &str) -> bool {
        self.lead.code == agency || self.co_agencies.iter().any(|a| a.code == agency)
    }
}

/// The tasks of a unit's plan for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TasksView {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    pub today: NaiveDate,
    pub items: Vec<TaskView>,
    /// The unit's agencies, for the assignment form and the agency filter.
    pub agencies: Vec<AgencyRef>,
}

impl TasksView {
    /// The overdue tasks, of one agency when given (leading or co-operating).
    pub fn overdue(&self, agency: Option<&str>) -> Vec<&TaskView> {
        self.filtered(DueState::Overdue, agency)
    }

    /// The tasks due soon, of one agency when given.
    pub fn due_soon(&self, agency: Option<&str>) -> Vec<&TaskView> {
        self.filtered(DueState::DueSoon, agency)
    }

    fn filtered(&self, state: DueState, agency: Option<&str>) -> Vec<&TaskView> {
        self.items
            .iter()
            .filter(|t| t.due_state == state && agency.is_none_or(|a| t.involves(a)))
            .collect()
    }
}

/// One status update as the task's page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdateView {
    pub id: i64,
    pub status: TaskStatus,
    pub progress: Option<i32>,
    pub note: String,
    pub period_due: Option<NaiveDate>,
    pub agency: Option<AgencyRef>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub files: Vec<AttachmentView>,
}

/// An attachment as a list shows it, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentView {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
}

/// A task with its updates and attachments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskDetail {
    pub task: TaskView,
    pub unit_name: String,
    pub updates: Vec<UpdateView>,
    /// Whether the actor may report on it.
    pub may_report: bool,
}

/// A reminder on the home page: a task of the user's agency or unit overdue or due soon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reminder {
    pub task_id: i64,
    pub title: String,
    pub agency: String,
    pub due: NaiveDate,
    pub state: DueState,
}

/// The years a plan may be for; anything else is a typing error.
pub(crate) fn check_year(year: i32) -> Result<(), AppError> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "year",
            format!("năm {year} không hợp lệ"),
        ))
    }
}

fn agency_ref(code: &str, names: &HashMap<String, String>) -> AgencyRef {
    AgencyRef {
        code: code.to_string(),
        name: names.get(code).cloned().unwrap_or_else(|| code.to_string()),
    }
}

impl App {
    /// The tasks of `unit`'s plan for `year`, for anyone whose area holds the unit.
    pub async fn tasks(&self, actor: &Actor, unit: &str, year: i32) -> Result<TasksView, AppError> {
        self.authorize(actor, Action::ReadAggregates, unit).await?;
        self.tasks_as_system(unit, year).await
    }

    /// The tasks of a unit and year, without an access check (the command line, the
    /// reports the office sends up).
    pub async fn tasks_as_system(&self, unit: &str, year: i32) -> Result<TasksView, AppError> {
        check_year(year)?;
        let unit = self.unit(unit).await?;
        let records = self.store().tasks(&unit.code, year).await?;
        let agencies = self.store().agencies_of_unit(&unit.code).await?;
        let items = self.task_views(records, &agencies).await?;
        Ok(TasksView {
            unit_code: unit.code,
            unit_name: unit.name,
            year,
            today: self.clock().today(),
            items,
            agencies: agencies
                .iter()
                .map(|a| AgencyRef {
                    code: a.code.clone(),
                    name: a.name.clone(),
                })
                .collect(),
        })
    }

    /// One task with its updates, for anyone whose area holds its unit.
    pub async fn task(&self, actor: &Actor, id: i64) -> Result<TaskDetail, AppError> {
        let record = self.authorized_task(actor, id).await?;
        let unit = self.unit(&record.unit_code).await?;
        let agencies = self.store().agencies_of_unit(&record.unit_code).await?;
        let names: HashMap<String, String> = agencies
            .iter()
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect();
        let updates = self.store().task_updates(&[id]).await?;
        let files = self.store().task_files(id).await?;
        let task = self
            .task_views(vec![record], &agencies)
            .await?
            .pop()
            .ok_or_else(|| AppError::NotFound(format!("nhiệm vụ số {id}")))?;
        let may_report = may_report(actor, &task);
        let updates = updates
            .into_iter()
            .rev()
            .map(|u| UpdateView {
                files: files
                    .iter()
                    .filter(|f| f.update_id == u.id)
                    .map(|f| AttachmentView {
                        id: f.id,
                        name: f.name.clone(),
                        media_type: f.media_type.clone(),
                        size: f.size,
                    })
                    .collect(),
                id: u.id,
                status: TaskStatus::parse(&u.status).unwrap_or(TaskStatus::InProgress),
                progress: u.progress,
                note: u.note,
                period_due: u.period_due,
                agency: u.agency_code.as_deref().map(|c| agency_ref(c, &names)),
                recorded_by: u.recorded_by,
                recorded_at: u.recorded_at,
            })
            .collect();
        Ok(TaskDetail {
            task,
            unit_name: unit.name,
            updates,
            may_report,
        })
    }

    /// The task `id` when the actor's area holds its unit; otherwise "not found", the
    /// same as for a task that does not exist.
    pub(crate) async fn authorized_task(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<TaskRecord, AppError> {
        let not_found = || AppError::NotFound(format!("nhiệm vụ số {id}"));
        let record = self.store().task(id).await?.ok_or_else(not_found)?;
        self.authorize(actor, Action::ReadAggregates, &record.unit_code)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        Ok(record)
    }

    /// Task records with their agencies' names, updates and where each stands today.
    async fn task_views(
        &self,
        records: Vec<TaskRecord>,
        agencies: &[AgencyRecord],
    ) -> Result<Vec<TaskView>, AppError> {
        let ids: Vec<i64> = records.iter().map(|t| t.id).collect();
        let co = self.store().task_co_agencies(&ids).await?;
        let updates = self.store().task_updates(&ids).await?;
        let mut names: HashMap<String, String> = agencies
            .iter()
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect();
        // A task may name an agency of another unit (a province department co-operating
        // in a commune's task).
        for code in records
            .iter()
            .map(|t| &t.lead_agency)
            .chain(co.iter().map(|(_, c)| c))
        {
            if !names.contains_key(code)
                && let Some(a) = self.store().agency(code).await?
            {
                names.insert(a.code, a.name);
            }
        }
        let today = self.clock().today();
        let calendar = self.calendar();
        let warn = due_soon_working_days();
        let mut out = Vec::with_capacity(records.len());
        for t in records {
            let recurrence = recurrence_of(&t)?;
            let own: Vec<&TaskUpdateRecord> =
                updates.iter().filter(|u| u.task_id == t.id).collect();
            let latest = own.last();
            let status = latest
                .and_then(|u| TaskStatus::parse(&u.status))
                .unwrap_or(TaskStatus::NotStarted);
            let reported: BTreeSet<NaiveDate> = own.iter().filter_map(|u| u.period_due).collect();
            let dues = schedule::due_dates(&recurrence, calendar, t.starts_on, t.ends_on);
            let next_due = schedule::next_due(&dues, &reported, status == TaskStatus::Done);
            out.push(TaskView {
                id: t.id,
                lead: agency_ref(&t.lead_agency, &names),
                co_agencies: co
                    .iter()
                    .filter(|(id, _)| *id == t.id)
                    .map(|(_, c)| agency_ref(c, &names))
                    .collect(),
                due_state: schedule::due_state(calendar, next_due, today, warn),
                next_due,
                dues,
                status,
                progress: own.iter().rev().find_map(|u| u.progress),
                updated_at: latest.map(|u| u.recorded_at.clone()),
                unit_code: t.unit_code,
                year: t.year,
                plan_ref: t.plan_ref,
                title: t.title,
                description: t.description,
                serves_kind: t.serves_kind,
                serves_code: t.serves_code,
                recurrence,
                due_to_confirm: t.due_to_confirm,
                starts_on: t.starts_on,
                ends_on: t.ends_on,
            });
        }
        Ok(out)
    }

    /// The reminders of the user's home page: the tasks of this year that the user's
    /// agency leads or co-operates in (an agency officer's), or of the user's unit
    /// (anyone else's), that are overdue or due soon — overdue first, then by date.
    pub async fn task_reminders(&self, actor: &Actor) -> Result<Vec<Reminder>, AppError> {
        let year = self.clock().today().year();
        let (unit, agency) = match &actor.agency_code {
            Some(code) => match self.store().agency(code).await? {
                Some(a) => (a.unit_code, Some(a.code)),
                None => (actor.unit_code.clone(), None),
            },
            None => (actor.unit_code.clone(), None),
        };
        let view = match self.tasks(actor, &unit, year).await {
            Ok(view) => view,
            // An agency of a unit outside the user's area has no reminders for them.
            Err(AppError::NotFound(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let only = if actor.role == Role::AgencyOfficer {
            agency.as_deref()
        } else {
            None
        };
        let mut out: Vec<Reminder> = view
            .overdue(only)
            .into_iter()
            .chain(view.due_soon(only))
            .filter_map(|t| {
                Some(Reminder {
                    task_id: t.id,
                    title: t.title.clone(),
                    agency: t.lead.name.clone(),
                    due: t.next_due?,
                    state: t.due_state,
                })
            })
            .collect();
        out.sort_by_key(|r| (r.state != DueState::Overdue, r.due, r.task_id));
        Ok(out)
    }
}

/// The recurrence stored on a task.
fn recurrence_of(t: &TaskRecord) -> Result<Recurrence, AppError> {
    Recurrence::from_parts(
        &t.recurrence,
        t.due_on,
        t.due_month.and_then(|m| u32::try_from(m).ok()),
        t.due_day.and_then(|d| u32::try_from(d).ok()),
    )
    .map_err(|e| AppError::invalid(e.field, e.reason))
}

/// Whether `actor` may report on `task`: the office and administrators of its area, and
/// the officers of the agencies it names.
pub(crate) fn may_report(actor: &Actor, task: &TaskView) -> bool {
    match actor.role {
        Role::Admin | Role::Office => true,
        Role::AgencyOfficer => actor
            .agency_code
            .as_deref()
            .is_some_and(|a| task.involves(a)),
        _ => false,
    }
}
