//! An activity's list of beneficiaries imported from a file, and the queue of its rows
//! that matched nobody or several people (migration 0072).
//!
//! A matched row becomes an `add` line of the beneficiary journal (0071); a queued row
//! waits until an officer matches it (which writes the `add` line) or rejects it with a
//! reason. Nothing is deleted and nothing is written twice: a person already in the
//! activity's journal, or a row already queued for the activity, is skipped, so a
//! second import of the same list writes nothing at all.

use crate::households::{AuditEntry, insert_audit};
use crate::programme::Recorder;
use crate::programme_activities::{NewBeneficiary, insert_beneficiary};
use crate::units::timestamp;
use crate::{Backend, Store, StoreError, with_pool};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use std::collections::HashSet;

/// A row of the file that waits for an officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivityQueueRow {
    pub line: u64,
    /// What identifies the person in the list; unique per activity.
    pub row_key: String,
    pub citizen_id: Option<String>,
    pub full_name: String,
    pub name_folded: String,
    pub birth_year: Option<i32>,
    pub village: Option<String>,
    /// `unmatched` or `ambiguous`.
    pub reason: String,
    /// The member ids that fitted an ambiguous row.
    pub candidates: Vec<i64>,
}

/// One import of a list for an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivityImport<'a> {
    pub activity_id: i64,
    pub unit_code: &'a str,
    pub province_code: &'a str,
    pub file_name: &'a str,
    /// The matched rows, each an `add` line with its audit entry.
    pub matched: &'a [(NewBeneficiary, AuditEntry)],
    pub queue: &'a [NewActivityQueueRow],
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActivityImportCounts {
    pub added: u64,
    pub queued: u64,
    /// Of the queued rows, those that fitted several people.
    pub queued_ambiguous: u64,
    /// Rows already in the journal or the queue.
    pub skipped: u64,
}

/// A queued row as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ActivityQueueRecord {
    pub id: i64,
    pub activity_id: i64,
    pub unit_code: String,
    pub province_code: String,
    pub file_name: String,
    pub line: i64,
    pub citizen_id: Option<String>,
    pub full_name: String,
    pub birth_year: Option<i32>,
    pub village: Option<String>,
    pub reason: String,
    pub candidates: String,
    pub status: String,
    pub household_id: Option<i64>,
    pub member_id: Option<i64>,
    pub note: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub created_at: String,
}

impl ActivityQueueRecord {
    /// The member ids that fitted an ambiguous row.
    pub fn candidate_ids(&self) -> Vec<i64> {
        self.candidates
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    }
}

const QUEUE_COLUMNS: &str = "id, activity_id, unit_code, province_code, file_name, line, citizen_id, \
     full_name, birth_year, village, reason, candidates, status, household_id, member_id, note, \
     resolved_by, resolved_at, created_at";

/// The same lock as the beneficiary journal's writes (programme_activities.rs), so that
/// an import and a hand-made change of one list do not interleave.
const JOURNAL_LOCK: &str = "SELECT pg_advisory_xact_lock(71161)";

impl Store {
    /// Writes an import of an activity's list in one transaction: the matched rows not
    /// yet in the activity's journal (ever: someone taken off stays off) with their audit
    /// entries, and the queued rows not yet queued for the activity.
    pub async fn record_activity_import(
        &self,
        run: &NewActivityImport<'_>,
        by: &Recorder<'_>,
        now: DateTime<Utc>,
    ) -> Result<ActivityImportCounts, StoreError> {
        let now = timestamp(now);
        let postgres = self.backend() == Backend::Postgres;
        let mut counts = ActivityImportCounts::default();
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                sqlx::raw_sql(JOURNAL_LOCK).execute(&mut *tx).await?;
            }
            let known: Vec<(Option<i64>, Option<i64>)> = sqlx::query_as(
                "SELECT DISTINCT household_id, member_id FROM programme_beneficiaries WHERE activity_id = $1",
            )
            .bind(run.activity_id)
            .fetch_all(&mut *tx)
            .await?;
            let mut known: HashSet<(Option<i64>, Option<i64>)> = known.into_iter().collect();
            let mut audits = Vec::new();
            for (row, audit) in run.matched {
                if !known.insert((row.household_id, row.member_id)) {
                    counts.skipped += 1;
                    continue;
                }
                insert_beneficiary!(tx, run.activity_id, row, by, &now);
                audits.push(audit.clone());
                counts.added += 1;
            }
            for q in run.queue {
                let candidates: Vec<String> = q.candidates.iter().map(i64::to_string).collect();
                let done = sqlx::query(
                    "INSERT INTO programme_beneficiary_queue (activity_id, unit_code, province_code, file_name, \
                     line, row_key, citizen_id, full_name, name_folded, birth_year, village, reason, candidates, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                     ON CONFLICT (activity_id, row_key) DO NOTHING",
                )
                .bind(run.activity_id)
                .bind(run.unit_code)
                .bind(run.province_code)
                .bind(run.file_name)
                .bind(q.line as i64)
                .bind(&q.row_key)
                .bind(&q.citizen_id)
                .bind(&q.full_name)
                .bind(&q.name_folded)
                .bind(q.birth_year)
                .bind(&q.village)
                .bind(&q.reason)
                .bind(candidates.join(","))
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 1 {
                    counts.queued += 1;
                    counts.queued_ambiguous += u64::from(q.reason == "ambiguous");
                } else {
                    counts.skipped += 1;
                }
            }
            insert_audit!(tx, audits);
            tx.commit().await?;
        });
        Ok(counts)
    }

    /// An activity's queued rows, by line; only those of `status` when given.
    pub async fn activity_queue(
        &self,
        activity_id: i64,
        status: Option<&str>,
    ) -> Result<Vec<ActivityQueueRecord>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut qb = QueryBuilder::new(format!(
                "SELECT {QUEUE_COLUMNS} FROM programme_beneficiary_queue WHERE activity_id = "
            ));
            qb.push_bind(activity_id);
            if let Some(status) = status {
                qb.push(" AND status = ");
                qb.push_bind(status);
            }
            qb.push(" ORDER BY line, id");
            qb.build_query_as::<ActivityQueueRecord>().fetch_all(pool).await?
        }))
    }

    /// One queued row.
    pub async fn activity_queue_row(
        &self,
        id: i64,
    ) -> Result<Option<ActivityQueueRecord>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut qb = QueryBuilder::new(format!(
                "SELECT {QUEUE_COLUMNS} FROM programme_beneficiary_queue WHERE id = "
            ));
            qb.push_bind(id);
            qb.build_query_as::<ActivityQueueRecord>().fetch_optional(pool).await?
        }))
    }

    /// Closes a waiting row: `matched` with the journal's `add` line written, or
    /// `rejected` with the officer's note; with the audit entry. A row closed meanwhile
    /// is a conflict, and so is a match of someone already on the list.
    pub async fn close_activity_queue_row(
        &self,
        id: i64,
        matched: Option<&NewBeneficiary>,
        note: Option<&str>,
        audit: &AuditEntry,
        by: &Recorder<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        let postgres = self.backend() == Backend::Postgres;
        let status = if matched.is_some() {
            "matched"
        } else {
            "rejected"
        };
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                sqlx::raw_sql(JOURNAL_LOCK).execute(&mut *tx).await?;
            }
            let closed = sqlx::query(
                "UPDATE programme_beneficiary_queue SET status = $1, household_id = $2, member_id = $3, \
                 note = $4, resolved_by = $5, resolved_at = $6 WHERE id = $7 AND status = 'waiting'",
            )
            .bind(status)
            .bind(matched.and_then(|m| m.household_id))
            .bind(matched.and_then(|m| m.member_id))
            .bind(note)
            .bind(by.username)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if closed.rows_affected() != 1 {
                return Err(StoreError::Conflict(format!(
                    "dòng chờ đối chiếu số {id} đã được xử lý"
                )));
            }
            if let Some(row) = matched {
                let activity_id: i64 = sqlx::query_scalar(
                    "SELECT activity_id FROM programme_beneficiary_queue WHERE id = $1",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                let last: Option<String> = sqlx::query_scalar(
                    "SELECT action FROM programme_beneficiaries WHERE home_province = $1 AND activity_id = $2 \
                     AND COALESCE(household_id, 0) = $3 AND COALESCE(member_id, 0) = $4 \
                     ORDER BY id DESC LIMIT 1",
                )
                .bind(&row.home_province)
                .bind(activity_id)
                .bind(row.household_id.unwrap_or(0))
                .bind(row.member_id.unwrap_or(0))
                .fetch_optional(&mut *tx)
                .await?;
                if last.as_deref() == Some("add") {
                    return Err(StoreError::Conflict(
                        "người này đã có trong danh sách hưởng lợi của hoạt động".into(),
                    ));
                }
                let row = NewBeneficiary {
                    action: "add".into(),
                    reason: None,
                    ..row.clone()
                };
                insert_beneficiary!(tx, activity_id, row, by, &now);
            }
            let audits = [audit.clone()];
            insert_audit!(tx, audits);
            tx.commit().await?;
        });
        Ok(())
    }
}
