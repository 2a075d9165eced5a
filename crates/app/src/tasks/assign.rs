//! The office assigns a task (giao nhiệm vụ): checked in full before anything is written,
//! with its audit entry in the same transaction.

use super::{TaskStatus, check_year};
use crate::access::{Action, Actor, Role};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_domain::text::normalize;
use giamngheo_rules::Recurrence;
use giamngheo_store::{AuditEntry, NewTask};

/// What a task may serve: a policy code, a project code, a target indicator, or other.
pub const SERVES_KINDS: [&str; 4] = ["policy", "project", "target", "other"];

const MAX_TITLE_CHARS: usize = 300;
const MAX_TEXT_CHARS: usize = 4000;
const MAX_CODE_CHARS: usize = 100;

/// A task as the office enters it (or a plan file gives it).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInput {
    pub unit_code: String,
    pub year: i32,
    pub plan_ref: Option<String>,
    pub lead_agency: String,
    pub co_agencies: Vec<String>,
    pub title: String,
    pub description: String,
    pub serves_kind: Option<String>,
    pub serves_code: Option<String>,
    pub recurrence: Recurrence,
    pub due_to_confirm: bool,
    /// The first and last day of the task; the plan's year by default.
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

fn text(field: &str, value: &str, max: usize, required: bool) -> Result<String, AppError> {
    let value = normalize(value.trim());
    if required && value.is_empty() {
        return Err(AppError::invalid(field, "không được để trống"));
    }
    if value.chars().count() > max {
        return Err(AppError::invalid(field, format!("dài quá {max} ký tự")));
    }
    Ok(value)
}

fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(Some(text(field, v, max, true)?)),
        None => Ok(None),
    }
}

impl App {
    /// The office (or an administrator) of an area holding the unit assigns a task; the
    /// new task's id. Nothing is written when any field is wrong.
    pub async fn assign_task(&self, actor: &Actor, input: TaskInput) -> Result<i64, AppError> {
        self.authorize(actor, Action::ReadAggregates, &input.unit_code)
            .await?;
        if !matches!(actor.role, Role::Admin | Role::Office) {
            return Err(AppError::Forbidden(format!(
                "vai trò {} không được giao nhiệm vụ",
                actor.role.label_vi()
            )));
        }
        self.insert_task(&actor.username, Some(actor.user_id), input)
            .await?
            .ok_or_else(|| AppError::Conflict("kế hoạch đã có nhiệm vụ mang số mục này".into()))
    }

    /// Checks and inserts a task; `None` when the plan already holds its reference.
    pub(crate) async fn insert_task(
        &self,
        by: &str,
        user_id: Option<i64>,
        input: TaskInput,
    ) -> Result<Option<i64>, AppError> {
        check_year(input.year)?;
        let unit = self.unit(&input.unit_code).await?;
        let first = NaiveDate::from_ymd_opt(input.year, 1, 1)
            .ok_or_else(|| AppError::invalid("year", "năm không hợp lệ"))?;
        let last = NaiveDate::from_ymd_opt(input.year, 12, 31)
            .ok_or_else(|| AppError::invalid("year", "năm không hợp lệ"))?;
        // A unit's plan is for a year it existed in: a closed district keeps its history
        // but takes no plan for a year after it was closed.
        if unit.valid_from > last || unit.valid_to.is_some_and(|to| to < first) {
            return Err(AppError::invalid(
                "year",
                format!("{} không tồn tại trong năm {}", unit.name, input.year),
            ));
        }
        let title = text("title", &input.title, MAX_TITLE_CHARS, true)?;
        let description = text("description", &input.description, MAX_TEXT_CHARS, false)?;
        let plan_ref = optional("plan_ref", input.plan_ref.as_deref(), MAX_CODE_CHARS)?;
        let serves_kind = optional("serves_kind", input.serves_kind.as_deref(), MAX_CODE_CHARS)?;
        if let Some(kind) = &serves_kind
            && !SERVES_KINDS.contains(&kind.as_str())
        {
            return Err(AppError::invalid(
                "serves_kind",
                format!("loại «{kind}» không rõ (policy, project, target, other)"),
            ));
        }
        let serves_code = optional("serves_code", input.serves_code.as_deref(), MAX_CODE_CHARS)?;
        input
            .recurrence
            .check()
            .map_err(|e| AppError::invalid(e.field, e.reason))?;
        let starts_on = input.starts_on.unwrap_or(first);
        let ends_on = input.ends_on.unwrap_or(last);
        if ends_on < starts_on {
            return Err(AppError::invalid(
                "ends_on",
                "ngày kết thúc trước ngày bắt đầu",
            ));
        }
        let lead = self.known_agency("lead_agency", &input.lead_agency).await?;
        let mut co_agencies = Vec::new();
        for code in &input.co_agencies {
            let code = self.known_agency("co_agencies", code).await?;
            if code != lead && !co_agencies.contains(&code) {
                co_agencies.push(code);
            }
        }
        let (due_on, due_month, due_day) = input.recurrence.parts();
        let now = self
            .clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let task = NewTask {
            unit_code: unit.code.clone(),
            province_code: unit.province_code.clone(),
            year: input.year,
            plan_ref,
            lead_agency: lead,
            co_agencies,
            title,
            description,
            serves_kind,
            serves_code,
            recurrence: input.recurrence.code().to_string(),
            due_on,
            due_month: due_month.map(|m| m as i32),
            due_day: due_day.map(|d| d as i32),
            due_to_confirm: input.due_to_confirm,
            starts_on,
            ends_on,
            created_by: by.to_string(),
            created_at: now.clone(),
        };
        let changes = serde_json::json!([
            {"field": "title", "old": null, "new": task.title},
            {"field": "lead_agency", "old": null, "new": task.lead_agency},
            {"field": "recurrence", "old": null, "new": input.recurrence.describe_vi()},
            {"field": "status", "old": null, "new": TaskStatus::NotStarted.code()},
        ]);
        let audit = AuditEntry {
            at: now,
            user_id,
            username: by.to_string(),
            action: "task.create".into(),
            entity: "task".into(),
            // The store fills in the new id.
            entity_id: String::new(),
            household_id: None,
            unit_code: Some(unit.code.clone()),
            province_code: Some(unit.province_code.clone()),
            changes: changes.to_string(),
            reason: None,
        };
        let id = self.store().insert_task(&task, &audit).await?;
        if let Some(id) = id {
            tracing::info!(task = id, unit = %unit.code, "task assigned");
        }
        Ok(id)
    }

    /// The code of an agency that exists, or a refusal on `field`.
    async fn known_agency(&self, field: &str, code: &str) -> Result<String, AppError> {
        let code = code.trim();
        match self.store().agency(code).await? {
            Some(a) => Ok(a.code),
            None => Err(AppError::invalid(
                field,
                format!("không có cơ quan mã «{code}»"),
            )),
        }
    }
}
