//! Inspections, their samples (migration 0081) and the facts the review checks read.
//! Their findings are rows of `findings`, written and read by `benefit_findings`.

use crate::households::insert_audit;
use crate::{AuditEntry, Store, StoreError, with_pool};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, QueryBuilder};

/// An inspection: its plan and, once held, its record.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InspectionRecord {
    pub id: i64,
    pub unit_code: String,
    pub province_code: String,
    pub year: i32,
    pub inspecting_agency: String,
    pub subject_kind: String,
    pub subject_code: Option<String>,
    pub planned_on: NaiveDate,
    pub held_on: Option<NaiveDate>,
    pub members: String,
    pub checked: String,
    pub sample_method: Option<String>,
    pub sample_seed: Option<i64>,
    pub sample_size: Option<i32>,
    pub created_by: String,
    pub created_at: String,
    pub version: i32,
}

const INSPECTION_COLUMNS: &str = "id, unit_code, province_code, year, inspecting_agency, \
     subject_kind, subject_code, planned_on, held_on, members, checked, sample_method, \
     sample_seed, sample_size, created_by, created_at, version";

/// An inspection to plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInspection {
    pub unit_code: String,
    pub province_code: String,
    pub year: i32,
    pub inspecting_agency: String,
    pub subject_kind: String,
    pub subject_code: Option<String>,
    pub planned_on: NaiveDate,
    pub created_by: String,
    pub created_at: String,
}

/// One household of a sample.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SampleRow {
    pub position: i32,
    pub household_id: i64,
    /// random, open_finding or class_changed.
    pub reason: String,
}

/// The facts of a household's classification in one period, for the risk sample.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClassFactsRow {
    pub id: i64,
    pub household_id: i64,
    pub period: i32,
    pub status: String,
    pub income_per_capita: Option<i64>,
    pub deprived: String,
    pub member_count: i32,
}

/// A classification as the review checks read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewCheckRow {
    pub id: i64,
    pub household_id: i64,
    pub province_code: String,
    pub village_code: String,
    pub standard: String,
    pub area: String,
    pub status: String,
    pub income_per_capita: Option<i64>,
    pub decision_number: Option<String>,
    pub certificate_number: Option<String>,
}

/// A village meeting as the review checks read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MeetingCheckRow {
    pub id: i64,
    pub review_id: i64,
    pub province_code: String,
    pub village_code: String,
    pub attendees: i32,
    pub agreeing: i32,
    pub passed: bool,
}

/// Household columns a scope may name.
fn checked_column(column: &str) -> Result<&str, StoreError> {
    match column {
        "province_code" | "district_code" | "commune_code" | "village_code" => Ok(column),
        other => Err(StoreError::NotFound(format!("cột {other}"))),
    }
}

impl Store {
    /// Plans an inspection, with its audit entry; its id.
    pub async fn insert_inspection(
        &self,
        i: &NewInspection,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO inspections (unit_code, province_code, year, inspecting_agency, \
                     subject_kind, subject_code, planned_on, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
                .bind(&i.unit_code)
                .bind(&i.province_code)
                .bind(i.year)
                .bind(&i.inspecting_agency)
                .bind(&i.subject_kind)
                .bind(&i.subject_code)
                .bind(i.planned_on)
                .bind(&i.created_by)
                .bind(&i.created_at)
                .fetch_one(&mut *tx)
                .await?;
            let mut entry = audit.clone();
            entry.entity_id = id.to_string();
            let entries = [entry];
            insert_audit!(tx, entries);
            tx.commit().await?;
            id
        }))
    }

    pub async fn inspections(
        &self,
        unit_code: &str,
        year: i32,
    ) -> Result<Vec<InspectionRecord>, StoreError> {
        let sql = format!(
            "SELECT {INSPECTION_COLUMNS} FROM inspections WHERE unit_code = $1 AND year = $2 \
             ORDER BY planned_on, id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, InspectionRecord>(AssertSqlSafe(sql.as_str()))
            .bind(unit_code)
            .bind(year)
            .fetch_all(pool)
            .await?),
        )
    }

    pub async fn inspection(&self, id: i64) -> Result<Option<InspectionRecord>, StoreError> {
        let sql = format!("SELECT {INSPECTION_COLUMNS} FROM inspections WHERE id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, InspectionRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Writes the record of a held inspection over the version read.
    pub async fn record_inspection(
        &self,
        id: i64,
        version: i32,
        held_on: NaiveDate,
        members: &str,
        checked: &str,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE inspections SET held_on = $1, members = $2, checked = $3, \
                     version = version + 1 WHERE id = $4 AND version = $5")
                .bind(held_on)
                .bind(members)
                .bind(checked)
                .bind(id)
                .bind(version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::Stale("đợt kiểm tra".into()));
            }
            let entries = [audit.clone()];
            insert_audit!(tx, entries);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Keeps a drawn sample. A sample is drawn once: an inspection that has one keeps it
    /// (`Conflict`), so the households visited can always be checked against the seed.
    pub async fn save_sample(
        &self,
        id: i64,
        method: &str,
        seed: Option<i64>,
        size: i32,
        rows: &[(i64, String)],
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE inspections SET sample_method = $1, sample_seed = $2, sample_size = $3, \
                     version = version + 1 WHERE id = $4 AND sample_method IS NULL")
                .bind(method)
                .bind(seed)
                .bind(size)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("đợt kiểm tra này đã chọn mẫu hộ".into()));
            }
            for (i, (household_id, reason)) in rows.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO inspection_sample (inspection_id, position, household_id, reason) \
                     VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(i as i32 + 1)
                    .bind(household_id)
                    .bind(reason)
                    .execute(&mut *tx)
                    .await?;
            }
            let entries = [audit.clone()];
            insert_audit!(tx, entries);
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn inspection_sample(&self, id: i64) -> Result<Vec<SampleRow>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, SampleRow>(
            "SELECT position, household_id, reason FROM inspection_sample \
             WHERE inspection_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(pool)
            .await?))
    }

    /// The active households whose `column` (province_code … village_code) is `code`.
    pub async fn active_household_ids(
        &self,
        column: &str,
        code: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = format!(
            "SELECT id FROM households WHERE {} = $1 AND active ORDER BY id",
            checked_column(column)?
        );
        Ok(
            with_pool!(self, pool => sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
            .bind(code)
            .fetch_all(pool)
            .await?),
        )
    }

    /// The households of a province with an open finding.
    pub async fn households_with_open_findings(
        &self,
        province_code: &str,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT DISTINCT household_id FROM findings \
             WHERE province_code = $1 AND status = 'open' AND household_id IS NOT NULL \
             ORDER BY household_id")
            .bind(province_code)
            .fetch_all(pool)
            .await?))
    }

    /// The classifications of two periods in a scope, oldest row first.
    pub async fn class_facts(
        &self,
        column: &str,
        code: &str,
        periods: (i32, i32),
    ) -> Result<Vec<ClassFactsRow>, StoreError> {
        let sql = format!(
            "SELECT id, household_id, period, status, income_per_capita, deprived, member_count \
             FROM classifications WHERE {} = $1 AND period IN ($2, $3) ORDER BY household_id, period, id",
            checked_column(column)?
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ClassFactsRow>(AssertSqlSafe(sql.as_str()))
            .bind(code)
            .bind(periods.0)
            .bind(periods.1)
            .fetch_all(pool)
            .await?),
        )
    }

    /// The classifications of a period in a scope, oldest row first (a correction comes
    /// after the row it corrects).
    pub async fn review_check_rows(
        &self,
        column: &str,
        code: &str,
        period: i32,
    ) -> Result<Vec<ReviewCheckRow>, StoreError> {
        let sql = format!(
            "SELECT id, household_id, province_code, village_code, standard, area, status, \
                    income_per_capita, decision_number, certificate_number \
             FROM classifications WHERE {} = $1 AND period = $2 ORDER BY household_id, id",
            checked_column(column)?
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewCheckRow>(AssertSqlSafe(sql.as_str()))
            .bind(code)
            .bind(period)
            .fetch_all(pool)
            .await?),
        )
    }

    /// The village meetings of the reviews of a period in a scope.
    pub async fn review_check_meetings(
        &self,
        column: &str,
        code: &str,
        period: i32,
    ) -> Result<Vec<MeetingCheckRow>, StoreError> {
        // A village is named on the meeting; the other tiers on its review.
        let filter = match checked_column(column)? {
            "village_code" => "m.village_code".to_string(),
            other => format!("r.{other}"),
        };
        let sql = format!(
            "SELECT m.id, m.review_id, r.province_code, m.village_code, m.attendees, m.agreeing, m.passed \
             FROM review_meetings m JOIN reviews r ON r.id = m.review_id \
             WHERE {filter} = $1 AND r.period = $2 ORDER BY m.id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, MeetingCheckRow>(AssertSqlSafe(sql.as_str()))
            .bind(code)
            .bind(period)
            .fetch_all(pool)
            .await?),
        )
    }
}
