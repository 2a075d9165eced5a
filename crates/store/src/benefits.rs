//! Benefits (lần hưởng chính sách) and the agencies that give them (migration 0060).
//!
//! A benefit is never changed or deleted: a correction adds a row that names the one it
//! replaces (`supersedes`) and marks the old row voided, in one transaction with the audit
//! entries, so what an agency reported on a day can always be read back.

use crate::households::{AuditEntry, home_provinces, insert_audit};
use crate::{Store, StoreError, with_pool};
use chrono::NaiveDate;
use sqlx::{QueryBuilder, Row};

/// An agency (cơ quan, phòng, ban) as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgencyRecord {
    pub code: String,
    pub name: String,
    pub unit_code: String,
    pub kind: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// A benefit to record. The household's distribution key is looked up by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBenefit {
    pub household_id: i64,
    pub member_id: Option<i64>,
    pub policy: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub amount: Option<i64>,
    pub quantity: Option<f64>,
    pub agency_code: Option<String>,
    pub reference: Option<String>,
    pub unit_code: String,
    pub province_code: String,
    /// entry, bulk, import, migrated.
    pub source: String,
    pub import_id: Option<i64>,
    pub recorded_by: String,
}

/// A stored benefit.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct BenefitRecord {
    pub id: i64,
    pub home_province: String,
    pub household_id: i64,
    pub member_id: Option<i64>,
    pub policy: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub amount: Option<i64>,
    pub quantity: Option<f64>,
    pub agency_code: Option<String>,
    pub reference: Option<String>,
    pub unit_code: String,
    pub province_code: String,
    pub source: String,
    pub import_id: Option<i64>,
    pub supersedes: Option<i64>,
    pub voided_at: Option<String>,
    pub voided_by: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

const BENEFIT_COLUMNS: &str = "id, home_province, household_id, member_id, policy, valid_from, \
     valid_to, amount, quantity, agency_code, reference, unit_code, province_code, source, \
     import_id, supersedes, voided_at, voided_by, recorded_by, recorded_at";

/// Rows per multi-row insert: 15 parameters a row stays under SQLite's limit.
const CHUNK: usize = 500;

impl Store {
    /// One agency by code.
    pub async fn agency(&self, code: &str) -> Result<Option<AgencyRecord>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, AgencyRecord>(
            "SELECT code, name, unit_code, kind, valid_from, valid_to FROM agencies WHERE code = $1")
            .bind(code)
            .fetch_optional(pool)
            .await?))
    }

    /// Every agency, by code.
    pub async fn agencies(&self) -> Result<Vec<AgencyRecord>, StoreError> {
        self.agencies_where(None).await
    }

    /// The agencies of one unit (a district's offices, a province's departments), closed
    /// ones included, by code.
    pub async fn agencies_of_unit(&self, unit_code: &str) -> Result<Vec<AgencyRecord>, StoreError> {
        self.agencies_where(Some(unit_code)).await
    }

    /// The one query of the agencies: all of them, or one unit's.
    async fn agencies_where(
        &self,
        unit_code: Option<&str>,
    ) -> Result<Vec<AgencyRecord>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, AgencyRecord>(
            "SELECT code, name, unit_code, kind, valid_from, valid_to FROM agencies \
             WHERE $1 IS NULL OR unit_code = $1 ORDER BY code")
            .bind(unit_code)
            .fetch_all(pool)
            .await?))
    }

    /// Adds an agency; an existing code is a conflict.
    pub async fn insert_agency(&self, agency: &AgencyRecord) -> Result<(), StoreError> {
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO agencies (code, name, unit_code, kind, valid_from, valid_to) \
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&agency.code)
            .bind(&agency.name)
            .bind(&agency.unit_code)
            .bind(&agency.kind)
            .bind(agency.valid_from)
            .bind(agency.valid_to)
            .execute(pool)
            .await
            .map(|_| ())
            .map_err(|e| StoreError::unique_as_conflict(e, "mã cơ quan đã có"))?);
        Ok(())
    }

    /// Records benefits with their audit entries (one per benefit, in the same order; the
    /// entry's `entity_id` is filled with the new id) in one transaction. Returns the ids in
    /// the order of `rows`.
    pub async fn insert_benefits(
        &self,
        rows: &[NewBenefit],
        audit: &[AuditEntry],
        now: &str,
    ) -> Result<Vec<i64>, StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let homes = home_provinces!(tx, rows.iter().map(|r| r.household_id));
            let mut ids = Vec::with_capacity(rows.len());
            for chunk in rows.chunks(CHUNK) {
                // One statement per row keeps the returned ids in the rows' order, which a
                // multi-row RETURNING does not promise.
                for row in chunk {
                    let home = homes.get(&row.household_id).ok_or_else(|| {
                        StoreError::NotFound(format!("hộ mã số {}", row.household_id))
                    })?;
                    let id: i64 = sqlx::query(
                        "INSERT INTO benefits (home_province, household_id, member_id, policy, \
                         valid_from, valid_to, amount, quantity, agency_code, reference, unit_code, \
                         province_code, source, import_id, recorded_by, recorded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                         RETURNING id")
                        .bind(home)
                        .bind(row.household_id)
                        .bind(row.member_id)
                        .bind(&row.policy)
                        .bind(row.valid_from)
                        .bind(row.valid_to)
                        .bind(row.amount)
                        .bind(row.quantity)
                        .bind(&row.agency_code)
                        .bind(&row.reference)
                        .bind(&row.unit_code)
                        .bind(&row.province_code)
                        .bind(&row.source)
                        .bind(row.import_id)
                        .bind(&row.recorded_by)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get(0)?;
                    ids.push(id);
                }
            }
            let entries: Vec<AuditEntry> = audit
                .iter()
                .zip(&ids)
                .map(|(a, id)| AuditEntry { entity_id: id.to_string(), ..a.clone() })
                .collect();
            insert_audit!(tx, entries);
            crate::coverage_spans::mark_coverage_stale!(tx, homes, rows.iter().map(|r| r.household_id));
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// Replaces benefit `old_id` by `row`: the new row names the old one and the old one is
    /// voided, with the audit entry, in one transaction. A benefit already voided (corrected
    /// by someone else meanwhile) is a conflict and nothing changes.
    pub async fn correct_benefit(
        &self,
        old_id: i64,
        row: &NewBenefit,
        audit: &AuditEntry,
        now: &str,
    ) -> Result<i64, StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let homes = home_provinces!(tx, [row.household_id]);
            let home = homes.get(&row.household_id).cloned().ok_or_else(|| {
                StoreError::NotFound(format!("hộ mã số {}", row.household_id))
            })?;
            let voided = sqlx::query(
                "UPDATE benefits SET voided_at = $1, voided_by = $2 \
                 WHERE home_province = $3 AND id = $4 AND voided_at IS NULL")
                .bind(now)
                .bind(&row.recorded_by)
                .bind(&home)
                .bind(old_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if voided != 1 {
                return Err(StoreError::Conflict(
                    "bản ghi đã được người khác sửa; tải lại trang".into(),
                ));
            }
            let id: i64 = sqlx::query(
                "INSERT INTO benefits (home_province, household_id, member_id, policy, \
                 valid_from, valid_to, amount, quantity, agency_code, reference, unit_code, \
                 province_code, source, import_id, supersedes, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
                 RETURNING id")
                .bind(&home)
                .bind(row.household_id)
                .bind(row.member_id)
                .bind(&row.policy)
                .bind(row.valid_from)
                .bind(row.valid_to)
                .bind(row.amount)
                .bind(row.quantity)
                .bind(&row.agency_code)
                .bind(&row.reference)
                .bind(&row.unit_code)
                .bind(&row.province_code)
                .bind(&row.source)
                .bind(row.import_id)
                .bind(old_id)
                .bind(&row.recorded_by)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            let entries = [AuditEntry { entity_id: id.to_string(), ..audit.clone() }];
            insert_audit!(tx, entries);
            crate::coverage_spans::mark_coverage_stale!(tx, homes, [row.household_id]);
            tx.commit().await?;
            Ok(id)
        })
    }

    /// One benefit by id.
    pub async fn benefit(&self, id: i64) -> Result<Option<BenefitRecord>, StoreError> {
        let sql = format!("SELECT {BENEFIT_COLUMNS} FROM benefits WHERE id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, BenefitRecord>(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Every benefit of a household, voided ones included (history), oldest first.
    pub async fn household_benefits(
        &self,
        household_id: i64,
    ) -> Result<Vec<BenefitRecord>, StoreError> {
        let Some(home) = self.home_province_of(household_id).await? else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {BENEFIT_COLUMNS} FROM benefits WHERE home_province = $1 AND household_id = $2 \
             ORDER BY valid_from, id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, BenefitRecord>(sqlx::AssertSqlSafe(sql))
            .bind(&home)
            .bind(household_id)
            .fetch_all(pool)
            .await?),
        )
    }
}
