//! An agency reports on a task (báo cáo tiến độ): a status, the progress, a note and up to
//! a few attachments — PDF, images or Word files, each checked by its bytes, so that a
//! program renamed `.pdf` or `.docx` is refused. An update is never changed: the next one
//! follows it, and each has its audit entry.

use super::{TaskStatus, may_report};
use crate::access::Actor;
use crate::files::{self, ATTACHMENTS};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_domain::text::normalize;
use giamngheo_store::{AuditEntry, NewTaskFile, NewTaskUpdate, TaskFile};

/// The largest attachment taken: a scanned report of a few pages.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// The most attachments on one update.
pub const MAX_ATTACHMENTS: usize = 5;
const MAX_NOTE_CHARS: usize = 4000;
const MAX_NAME_CHARS: usize = 200;

/// A file sent with an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name the browser gave; kept for the download, never trusted for the kind.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A status update as an agency officer enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateInput {
    /// `not_started`, `in_progress` or `done`.
    pub status: String,
    /// 0–100.
    pub progress: Option<i32>,
    pub note: String,
    /// The due date the update reports for; the task's next due date when `None`.
    pub period_due: Option<NaiveDate>,
    pub files: Vec<Attachment>,
}

/// The file name kept: its last path segment, in NFC, without control characters.
fn clean_name(name: &str, ext: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = normalize(last)
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        format!("tep-dinh-kem.{ext}")
    } else {
        cleaned
    }
}

impl App {
    /// Records a status update on task `id`; the update's id. Nothing is written when
    /// any field or file is wrong.
    pub async fn report_task(
        &self,
        actor: &Actor,
        id: i64,
        input: UpdateInput,
    ) -> Result<i64, AppError> {
        let record = self.authorized_task(actor, id).await?;
        let unit = self.unit(&record.unit_code).await?;
        let agencies = self.store().agencies_of_unit(&record.unit_code).await?;
        let task = self
            .task_views(vec![record], &agencies)
            .await?
            .pop()
            .ok_or_else(|| AppError::NotFound(format!("nhiệm vụ số {id}")))?;
        if !may_report(actor, &task) {
            return Err(AppError::Forbidden(
                "chỉ cơ quan chủ trì, phối hợp hoặc cơ quan chuyên môn được báo cáo nhiệm vụ này"
                    .into(),
            ));
        }
        let status = TaskStatus::parse(&input.status).ok_or_else(|| {
            AppError::invalid(
                "status",
                format!(
                    "trạng thái «{}» không rõ (not_started, in_progress, done)",
                    input.status.trim()
                ),
            )
        })?;
        if let Some(p) = input.progress
            && !(0..=100).contains(&p)
        {
            return Err(AppError::invalid(
                "progress",
                format!("tiến độ {p} % phải từ 0 đến 100"),
            ));
        }
        let note = normalize(input.note.trim());
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(AppError::invalid(
                "note",
                format!("ghi chú dài quá {MAX_NOTE_CHARS} ký tự"),
            ));
        }
        let period_due = match input.period_due {
            Some(d) if !task.dues.contains(&d) => {
                return Err(AppError::invalid(
                    "period_due",
                    format!(
                        "ngày {} không phải một hạn của nhiệm vụ này",
                        d.format("%d/%m/%Y")
                    ),
                ));
            }
            Some(d) => Some(d),
            None => task.next_due,
        };
        if input.files.len() > MAX_ATTACHMENTS {
            return Err(AppError::invalid(
                "files",
                format!("tối đa {MAX_ATTACHMENTS} tệp đính kèm"),
            ));
        }
        let mut kept = Vec::with_capacity(input.files.len());
        for (i, file) in input.files.into_iter().enumerate() {
            let field = format!("files[{}]", i + 1);
            if file.bytes.len() > MAX_ATTACHMENT_BYTES {
                return Err(files::too_large(&field, MAX_ATTACHMENT_BYTES));
            }
            let kind = files::accept(&field, &file.bytes, ATTACHMENTS)?;
            kept.push(NewTaskFile {
                name: clean_name(&file.name, kind.extension()),
                media_type: kind.media_type().to_string(),
                bytes: file.bytes,
            });
        }
        let now = self
            .clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        // The agency the update speaks for: the officer's own; the office's when it
        // reports for the lead agency.
        let agency_code = actor
            .agency_code
            .clone()
            .filter(|a| task.involves(a))
            .or_else(|| Some(task.lead.code.clone()));
        let changes = serde_json::json!([
            {"field": "status", "old": task.status.code(), "new": status.code()},
            {"field": "progress", "old": task.progress, "new": input.progress},
            {"field": "period_due", "old": null, "new": period_due.map(|d| d.to_string())},
            {"field": "files", "old": null, "new": kept.len()},
        ]);
        let update = NewTaskUpdate {
            task_id: id,
            status: status.code().to_string(),
            progress: input.progress,
            note,
            period_due,
            agency_code,
            recorded_by: actor.username.clone(),
            recorded_at: now.clone(),
            files: kept,
        };
        let audit = AuditEntry {
            at: now,
            user_id: Some(actor.user_id),
            username: actor.username.clone(),
            action: "task.report".into(),
            entity: "task_update".into(),
            entity_id: String::new(),
            household_id: None,
            unit_code: Some(unit.code.clone()),
            province_code: Some(unit.province_code.clone()),
            changes: changes.to_string(),
            reason: None,
        };
        let update_id = self.store().insert_task_update(&update, &audit).await?;
        tracing::info!(task = id, update = update_id, "task progress reported");
        Ok(update_id)
    }

    /// An attachment, for anyone who may read its task.
    pub async fn task_file(&self, actor: &Actor, file_id: i64) -> Result<TaskFile, AppError> {
        let not_found = || AppError::NotFound(format!("tệp đính kèm số {file_id}"));
        let file = self
            .store()
            .task_file(file_id)
            .await?
            .ok_or_else(not_found)?;
        self.authorized_task(actor, file.task_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::clean_name;

    #[test]
    fn a_kept_name_is_its_last_segment() {
        assert_eq!(
            clean_name("C:\\fakepath\\báo cáo.pdf", "pdf"),
            "báo cáo.pdf"
        );
        assert_eq!(clean_name("../../etc/passwd", "pdf"), "passwd");
        assert_eq!(clean_name("a\u{0}b\u{7}.png", "png"), "ab.png");
        assert_eq!(clean_name("", "docx"), "tep-dinh-kem.docx");
    }
}
