//! Plan targets, the dates reports were sent and units' boundaries: what the officials
//! enter beside the figures, kept apart from the figure queries of the parent module.

use crate::{Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AssertSqlSafe;

/// A plan target of one unit and year.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct TargetRecord {
    pub id: i64,
    pub province_code: String,
    pub unit_code: String,
    pub year: i32,
    pub indicator: String,
    pub target_value: f64,
    pub target_max: Option<f64>,
    pub measure_unit: String,
    pub source_note: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// A target as entered.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInput {
    pub province_code: String,
    pub unit_code: String,
    pub year: i32,
    pub indicator: String,
    pub target_value: f64,
    pub target_max: Option<f64>,
    pub measure_unit: String,
    pub source_note: String,
}

/// A unit's uploaded boundary.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoundaryRecord {
    pub unit_code: String,
    pub geometry: String,
}

impl Store {
    /// The targets of a unit and year, in indicator order of entry.
    pub async fn targets(
        &self,
        unit_code: &str,
        year: i32,
    ) -> Result<Vec<TargetRecord>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, TargetRecord>(
            "SELECT id, province_code, unit_code, year, indicator, target_value, target_max, \
                    measure_unit, source_note, version, updated_by, updated_at \
             FROM targets WHERE unit_code = $1 AND year = $2 ORDER BY id")
            .bind(unit_code)
            .bind(year)
            .fetch_all(pool)
            .await?))
    }

    /// The years that have targets for a unit, newest first.
    pub async fn target_years(&self, unit_code: &str) -> Result<Vec<i32>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT DISTINCT year FROM targets WHERE unit_code = $1 ORDER BY year DESC")
            .bind(unit_code)
            .fetch_all(pool)
            .await?))
    }

    /// Creates or changes a target; a change names the version it read (`None` creates).
    pub async fn save_target(
        &self,
        input: &TargetInput,
        expected_version: Option<i64>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<TargetRecord, StoreError> {
        let now = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        with_pool!(self, pool => {
            let changed = match expected_version {
                Some(v) => sqlx::query(
                    "UPDATE targets SET target_value = $1, target_max = $2, measure_unit = $3, \
                         source_note = $4, updated_by = $5, updated_at = $6, version = version + 1 \
                     WHERE unit_code = $7 AND year = $8 AND indicator = $9 AND version = $10")
                    .bind(input.target_value)
                    .bind(input.target_max)
                    .bind(&input.measure_unit)
                    .bind(&input.source_note)
                    .bind(by)
                    .bind(&now)
                    .bind(&input.unit_code)
                    .bind(input.year)
                    .bind(&input.indicator)
                    .bind(v)
                    .execute(pool)
                    .await?
                    .rows_affected(),
                None => sqlx::query(
                    "INSERT INTO targets (province_code, unit_code, year, indicator, target_value, \
                         target_max, measure_unit, source_note, updated_by, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(&input.province_code)
                    .bind(&input.unit_code)
                    .bind(input.year)
                    .bind(&input.indicator)
                    .bind(input.target_value)
                    .bind(input.target_max)
                    .bind(&input.measure_unit)
                    .bind(&input.source_note)
                    .bind(by)
                    .bind(&now)
                    .execute(pool)
                    .await
                    .map_err(|e| StoreError::unique_as_conflict(e, "chỉ tiêu này đã có"))?
                    .rows_affected(),
            };
            if changed == 0 {
                return Err(StoreError::Stale("chỉ tiêu".into()));
            }
        });
        let all = self.targets(&input.unit_code, input.year).await?;
        all.into_iter()
            .find(|t| t.indicator == input.indicator)
            .ok_or_else(|| StoreError::NotFound("chỉ tiêu".into()))
    }

    /// Records that a unit sent the report due on a date, with its audit entry. A report
    /// already recorded is not recorded again (history is never rewritten).
    pub async fn record_report_sent(
        &self,
        unit_code: &str,
        due_on: NaiveDate,
        sent_on: NaiveDate,
        by: &str,
        audit: &crate::AuditEntry,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO reports_sent (unit_code, due_on, sent_on, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5)")
                .bind(unit_code)
                .bind(due_on)
                .bind(sent_on)
                .bind(by)
                .bind(&audit.at)
                .execute(pool)
                .await
                .map_err(|e| StoreError::unique_as_conflict(e, "báo cáo này đã được ghi là đã gửi"))?;
        });
        self.append_audit(std::slice::from_ref(audit)).await
    }

    /// The reports a unit has recorded as sent with a due date in `[from, to]`: (due, sent).
    pub async fn reports_sent(
        &self,
        unit_code: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, NaiveDate)>, StoreError> {
        Ok(with_pool!(self, pool =>
            sqlx::query_as::<_, (NaiveDate, NaiveDate)>(
                "SELECT due_on, sent_on FROM reports_sent \
                 WHERE unit_code = $1 AND due_on >= $2 AND due_on <= $3 ORDER BY due_on")
                .bind(unit_code)
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await?))
    }

    /// Stores or replaces the boundary of a unit.
    pub async fn save_boundary(
        &self,
        unit_code: &str,
        province_code: &str,
        geometry: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO geo_boundaries (unit_code, province_code, geometry, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (unit_code) DO UPDATE SET geometry = excluded.geometry, \
                 uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at")
            .bind(unit_code)
            .bind(province_code)
            .bind(geometry)
            .bind(by)
            .bind(&now)
            .execute(pool)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// The boundaries of the given units that have one.
    pub async fn boundaries(
        &self,
        unit_codes: &[String],
    ) -> Result<Vec<BoundaryRecord>, StoreError> {
        if unit_codes.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=unit_codes.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT unit_code, geometry FROM geo_boundaries WHERE unit_code IN ({}) ORDER BY unit_code",
            placeholders.join(", ")
        );
        Ok(with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, BoundaryRecord>(AssertSqlSafe(sql.as_str()));
            for c in unit_codes {
                q = q.bind(c);
            }
            q.fetch_all(pool).await?
        }))
    }
}
