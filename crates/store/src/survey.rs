//! The field survey: the reviews below a unit for the phones' forms, and (from migration
//! 0090) the submissions brought back from ODK Central and KoboToolbox.

use crate::{Store, StoreError, with_pool};
use sqlx::AssertSqlSafe;

/// A review as the survey tools list it: which commune, period, kind and step.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewListItem {
    pub id: i64,
    pub commune_code: String,
    pub period: i32,
    pub kind: String,
    pub step: String,
}

impl Store {
    /// Every review of the communes below a unit (by the review's province, district or
    /// commune column), optionally of one period, by commune then newest first. There is
    /// no limit: a province holds a few hundred communes and one periodic review each a
    /// year, and a tool that syncs forms must see all of them.
    pub async fn reviews_below(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        period: Option<i32>,
    ) -> Result<Vec<ReviewListItem>, StoreError> {
        assert!(["province_code", "district_code", "commune_code"].contains(&scope_column));
        let sql = format!(
            "SELECT id, commune_code, period, kind, step FROM reviews \
             WHERE {scope_column} = $1 AND ($2 IS NULL OR period = $2) \
             ORDER BY commune_code, period DESC, id DESC"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewListItem>(AssertSqlSafe(sql.as_str()))
            .bind(scope_code)
            .bind(period)
            .fetch_all(pool)
            .await?),
        )
    }
}

/// A submission as kept (migration 0090).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubmissionRecord {
    pub id: i64,
    pub review_id: i64,
    pub province_code: String,
    pub tool: String,
    pub form_kind: String,
    pub stable_id: String,
    pub instance_id: String,
    pub form_id: String,
    pub form_version: String,
    pub submitted_at: Option<String>,
    pub household_code: String,
    pub review_household_id: Option<i64>,
    pub status: String,
    pub reason: Option<String>,
    pub answers: String,
    pub source_file: String,
    pub imported_by: String,
    pub imported_at: String,
    pub updated_at: String,
}

const SUBMISSION_COLUMNS: &str = "id, review_id, province_code, tool, form_kind, stable_id, instance_id, form_id, \
     form_version, submitted_at, household_code, review_household_id, status, reason, answers, source_file, \
     imported_by, imported_at, updated_at";

impl Store {
    /// A review's submissions, the queue first, then by household.
    pub async fn submissions(&self, review_id: i64) -> Result<Vec<SubmissionRecord>, StoreError> {
        let sql = format!(
            "SELECT {SUBMISSION_COLUMNS} FROM survey_submissions WHERE review_id = $1 \
             ORDER BY CASE WHEN status = 'queued' THEN 0 ELSE 1 END, household_code, form_kind, id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, SubmissionRecord>(AssertSqlSafe(sql.as_str()))
            .bind(review_id)
            .fetch_all(pool)
            .await?),
        )
    }

    /// Keeps a submission: a new row for a stable id not seen, else the row of that id
    /// takes the new version (its id is kept). Returns the row's id.
    pub async fn save_submission(&self, s: &SubmissionRecord) -> Result<i64, StoreError> {
        let sql = "INSERT INTO survey_submissions (review_id, province_code, tool, form_kind, stable_id, instance_id, \
             form_id, form_version, submitted_at, household_code, review_household_id, status, reason, answers, \
             source_file, imported_by, imported_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
             ON CONFLICT (review_id, form_kind, stable_id) DO UPDATE SET instance_id = EXCLUDED.instance_id, \
             tool = EXCLUDED.tool, form_id = EXCLUDED.form_id, form_version = EXCLUDED.form_version, \
             submitted_at = EXCLUDED.submitted_at, household_code = EXCLUDED.household_code, \
             review_household_id = EXCLUDED.review_household_id, status = EXCLUDED.status, \
             reason = EXCLUDED.reason, answers = EXCLUDED.answers, source_file = EXCLUDED.source_file, \
             imported_by = EXCLUDED.imported_by, updated_at = EXCLUDED.updated_at \
             RETURNING id";
        Ok(with_pool!(self, pool => sqlx::query_scalar::<_, i64>(sql)
            .bind(s.review_id)
            .bind(&s.province_code)
            .bind(&s.tool)
            .bind(&s.form_kind)
            .bind(&s.stable_id)
            .bind(&s.instance_id)
            .bind(&s.form_id)
            .bind(&s.form_version)
            .bind(&s.submitted_at)
            .bind(&s.household_code)
            .bind(s.review_household_id)
            .bind(&s.status)
            .bind(&s.reason)
            .bind(&s.answers)
            .bind(&s.source_file)
            .bind(&s.imported_by)
            .bind(&s.imported_at)
            .fetch_one(pool)
            .await?))
    }
}
