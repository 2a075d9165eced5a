//! The agencies' tasks of a unit's plan, their status updates and attachments
//! (migration 0080), and the agencies they name (migration 0060).

use crate::households::insert_audit;
use crate::{AuditEntry, Store, StoreError, with_pool};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, QueryBuilder};

/// A task of a plan.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskRecord {
    pub id: i64,
    pub unit_code: String,
    pub province_code: String,
    pub year: i32,
    pub plan_ref: Option<String>,
    pub lead_agency: String,
    pub title: String,
    pub description: String,
    pub serves_kind: Option<String>,
    pub serves_code: Option<String>,
    pub recurrence: String,
    pub due_on: Option<NaiveDate>,
    pub due_month: Option<i32>,
    pub due_day: Option<i32>,
    pub due_to_confirm: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub created_by: String,
    pub created_at: String,
}

const TASK_COLUMNS: &str = "id, unit_code, province_code, year, plan_ref, lead_agency, title, \
     description, serves_kind, serves_code, recurrence, due_on, due_month, due_day, \
     due_to_confirm, starts_on, ends_on, created_by, created_at";

/// A task to insert: the record without its id, and its co-operating agencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub unit_code: String,
    pub province_code: String,
    pub year: i32,
    pub plan_ref: Option<String>,
    pub lead_agency: String,
    pub co_agencies: Vec<String>,
    pub title: String,
    pub description: String,
    pub serves_kind: Option<String>,
    pub serves_code: Option<String>,
    pub recurrence: String,
    pub due_on: Option<NaiveDate>,
    pub due_month: Option<i32>,
    pub due_day: Option<i32>,
    pub due_to_confirm: bool,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub created_by: String,
    pub created_at: String,
}

/// A status update of a task.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskUpdateRecord {
    pub id: i64,
    pub task_id: i64,
    pub status: String,
    pub progress: Option<i32>,
    pub note: String,
    pub period_due: Option<NaiveDate>,
    pub agency_code: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A status update to insert, with its attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTaskUpdate {
    pub task_id: i64,
    pub status: String,
    pub progress: Option<i32>,
    pub note: String,
    pub period_due: Option<NaiveDate>,
    pub agency_code: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub files: Vec<NewTaskFile>,
}

/// An attachment to keep, already checked by its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTaskFile {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// What a list shows of an attachment, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskFileMeta {
    pub id: i64,
    pub task_id: i64,
    pub update_id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
}

/// An attachment with its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TaskFile {
    pub id: i64,
    pub task_id: i64,
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Inserts a task with its co-operating agencies and its audit entry, in one
    /// transaction. A task whose plan reference the unit's plan of that year already has
    /// is not inserted again: `None`.
    pub async fn insert_task(
        &self,
        task: &NewTask,
        audit: &AuditEntry,
    ) -> Result<Option<i64>, StoreError> {
        let id = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO tasks (unit_code, province_code, year, plan_ref, lead_agency, title, \
                     description, serves_kind, serves_code, recurrence, due_on, due_month, due_day, \
                     due_to_confirm, starts_on, ends_on, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
                 ON CONFLICT (unit_code, year, plan_ref) DO NOTHING RETURNING id")
                .bind(&task.unit_code)
                .bind(&task.province_code)
                .bind(task.year)
                .bind(&task.plan_ref)
                .bind(&task.lead_agency)
                .bind(&task.title)
                .bind(&task.description)
                .bind(&task.serves_kind)
                .bind(&task.serves_code)
                .bind(&task.recurrence)
                .bind(task.due_on)
                .bind(task.due_month)
                .bind(task.due_day)
                .bind(task.due_to_confirm)
                .bind(task.starts_on)
                .bind(task.ends_on)
                .bind(&task.created_by)
                .bind(&task.created_at)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(id) = id else {
                return Ok(None);
            };
            for agency in &task.co_agencies {
                sqlx::query("INSERT INTO task_agencies (task_id, agency_code) VALUES ($1, $2)")
                    .bind(id)
                    .bind(agency)
                    .execute(&mut *tx)
                    .await?;
            }
            let mut entry = audit.clone();
            entry.entity_id = id.to_string();
            let entries = [entry];
            insert_audit!(tx, entries);
            tx.commit().await?;
            id
        });
        Ok(Some(id))
    }

    /// The tasks of a unit's plan for a year, by id.
    pub async fn tasks(&self, unit_code: &str, year: i32) -> Result<Vec<TaskRecord>, StoreError> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE unit_code = $1 AND year = $2 ORDER BY id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, TaskRecord>(AssertSqlSafe(sql.as_str()))
            .bind(unit_code)
            .bind(year)
            .fetch_all(pool)
            .await?),
        )
    }

    pub async fn task(&self, id: i64) -> Result<Option<TaskRecord>, StoreError> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, TaskRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// The co-operating agencies of the given tasks: (task, agency code).
    pub async fn task_co_agencies(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT task_id, agency_code FROM task_agencies WHERE task_id IN ({}) \
             ORDER BY task_id, agency_code",
            placeholders(1, ids.len())
        );
        Ok(with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, (i64, String)>(AssertSqlSafe(sql.as_str()));
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// The status updates of the given tasks, oldest first.
    pub async fn task_updates(&self, ids: &[i64]) -> Result<Vec<TaskUpdateRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, task_id, status, progress, note, period_due, agency_code, recorded_by, \
                    recorded_at \
             FROM task_updates WHERE task_id IN ({}) ORDER BY task_id, id",
            placeholders(1, ids.len())
        );
        Ok(with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, TaskUpdateRecord>(AssertSqlSafe(sql.as_str()));
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// Records a status update with its attachments and its audit entry, in one
    /// transaction; returns the update's id.
    pub async fn insert_task_update(
        &self,
        update: &NewTaskUpdate,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO task_updates (task_id, status, progress, note, period_due, agency_code, \
                     recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                .bind(update.task_id)
                .bind(&update.status)
                .bind(update.progress)
                .bind(&update.note)
                .bind(update.period_due)
                .bind(&update.agency_code)
                .bind(&update.recorded_by)
                .bind(&update.recorded_at)
                .fetch_one(&mut *tx)
                .await?;
            for file in &update.files {
                sqlx::query(
                    "INSERT INTO task_files (task_id, update_id, name, media_type, bytes, size) \
                     VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(update.task_id)
                    .bind(id)
                    .bind(&file.name)
                    .bind(&file.media_type)
                    .bind(&file.bytes)
                    .bind(file.bytes.len() as i64)
                    .execute(&mut *tx)
                    .await?;
            }
            let mut entry = audit.clone();
            entry.entity_id = id.to_string();
            let entries = [entry];
            insert_audit!(tx, entries);
            tx.commit().await?;
            id
        }))
    }

    /// The attachments of a task, without their bytes.
    pub async fn task_files(&self, task_id: i64) -> Result<Vec<TaskFileMeta>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, TaskFileMeta>(
            "SELECT id, task_id, update_id, name, media_type, size FROM task_files \
             WHERE task_id = $1 ORDER BY id")
            .bind(task_id)
            .fetch_all(pool)
            .await?))
    }

    /// One attachment with its bytes.
    pub async fn task_file(&self, id: i64) -> Result<Option<TaskFile>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, TaskFile>(
            "SELECT id, task_id, name, media_type, bytes FROM task_files WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }
}
