//! The periodic report's text sections and its issue (migration 0085). A save is a new
//! row, never an update, so that every earlier text stays readable; the text in force is
//! the latest row of its section.

use crate::households::insert_audit;
use crate::{AuditEntry, Store, StoreError, with_pool};
use chrono::NaiveDate;
use sqlx::QueryBuilder;

/// One saved text of a section.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PeriodicTextRecord {
    pub id: i64,
    pub unit_code: String,
    pub period: String,
    pub section: String,
    pub body: String,
    pub saved_by: String,
    pub saved_at: String,
}

/// A report's issue: its number and date.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PeriodicIssueRecord {
    pub unit_code: String,
    pub period: String,
    pub number: String,
    pub issued_on: NaiveDate,
    pub issued_by: String,
    pub issued_at: String,
}

impl Store {
    /// Every saved text of a unit's report for a period, oldest first (the history; the
    /// last of each section is the text in force).
    pub async fn periodic_texts(
        &self,
        unit_code: &str,
        period: &str,
    ) -> Result<Vec<PeriodicTextRecord>, StoreError> {
        Ok(with_pool!(self, pool =>
            sqlx::query_as::<_, PeriodicTextRecord>(
                "SELECT id, unit_code, period, section, body, saved_by, saved_at \
                 FROM periodic_report_texts WHERE unit_code = $1 AND period = $2 ORDER BY id")
                .bind(unit_code)
                .bind(period)
                .fetch_all(pool)
                .await?))
    }

    /// Saves new texts of sections (section, body) with one audit entry each, in one
    /// transaction; refused with a conflict when the report was issued meanwhile.
    pub async fn save_periodic_texts(
        &self,
        unit_code: &str,
        period: &str,
        texts: &[(String, String)],
        by: &str,
        audits: &[AuditEntry],
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let issued: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM periodic_reports_issued WHERE unit_code = $1 AND period = $2")
                .bind(unit_code)
                .bind(period)
                .fetch_one(&mut *tx)
                .await?;
            if issued > 0 {
                return Err(StoreError::Conflict(
                    "báo cáo đã ban hành, không sửa được nội dung".into(),
                ));
            }
            for (section, body) in texts {
                sqlx::query(
                    "INSERT INTO periodic_report_texts (unit_code, period, section, body, saved_by, saved_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(unit_code)
                    .bind(period)
                    .bind(section)
                    .bind(body)
                    .bind(by)
                    .bind(audits.first().map(|a| a.at.as_str()).unwrap_or_default())
                    .execute(&mut *tx)
                    .await?;
            }
            insert_audit!(tx, audits);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The issue of a unit's report for a period, if issued.
    pub async fn periodic_issue(
        &self,
        unit_code: &str,
        period: &str,
    ) -> Result<Option<PeriodicIssueRecord>, StoreError> {
        Ok(with_pool!(self, pool =>
            sqlx::query_as::<_, PeriodicIssueRecord>(
                "SELECT unit_code, period, number, issued_on, issued_by, issued_at \
                 FROM periodic_reports_issued WHERE unit_code = $1 AND period = $2")
                .bind(unit_code)
                .bind(period)
                .fetch_optional(pool)
                .await?))
    }

    /// Records the issue of a report; a second issue of the same report is a conflict.
    pub async fn issue_periodic(
        &self,
        issue: &PeriodicIssueRecord,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO periodic_reports_issued (unit_code, period, number, issued_on, issued_by, issued_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&issue.unit_code)
                .bind(&issue.period)
                .bind(&issue.number)
                .bind(issue.issued_on)
                .bind(&issue.issued_by)
                .bind(&issue.issued_at)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::unique_as_conflict(e, "báo cáo này đã ban hành"))?;
            let entries = [audit.clone()];
            insert_audit!(tx, entries);
            tx.commit().await?;
        });
        Ok(())
    }
}
