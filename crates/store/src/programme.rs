//! The programme's money ledger and the units' allocation flags (migration 0070).
//!
//! The ledger is append-only: this module has no UPDATE or DELETE of `programme_entries`.
//! A correction is a new row that reverses an old one. The balance of an allocation
//! (allocated − disbursed, per year, commune, project and source) is checked inside the
//! transaction that writes, so that two writers cannot both spend the last of it.

use crate::households::{AuditEntry, insert_audit};
use crate::units::timestamp;
use crate::{Backend, Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};

use std::collections::BTreeMap;

/// A commune with what the allocation coefficients read about it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CommuneAllocationRow {
    pub code: String,
    pub name: String,
    pub zone: Option<String>,
    pub safety_zone: bool,
    pub border: bool,
    pub island: bool,
    pub special_zone: bool,
    pub allocation_flags_to_confirm: bool,
    pub extremely_difficult_villages: i64,
    /// Poor and near-poor households of the registry on the day asked about.
    pub poor_and_near_poor: i64,
}

/// The allocation flags of a unit, as an administrator sets them.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct AllocationFlags {
    pub zone: Option<String>,
    pub safety_zone: bool,
    pub island: bool,
    pub special_zone: bool,
    pub allocation_flags_to_confirm: bool,
}

/// A row of the ledger to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub kind: String,
    pub year: i32,
    pub unit_code: String,
    pub from_unit_code: Option<String>,
    pub province_code: String,
    pub programme: String,
    pub project: String,
    pub source: String,
    pub activity_id: Option<i64>,
    pub amount: i64,
    pub entry_date: NaiveDate,
    pub document_number: Option<String>,
    pub note: Option<String>,
    pub reverses: Option<i64>,
    pub overdraw_note: Option<String>,
    pub coefficient: Option<i64>,
    pub formula: Option<String>,
}

/// A row of the ledger as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EntryRecord {
    pub id: i64,
    pub kind: String,
    pub year: i32,
    pub unit_code: String,
    pub from_unit_code: Option<String>,
    pub province_code: String,
    pub programme: String,
    pub project: String,
    pub source: String,
    pub activity_id: Option<i64>,
    pub amount: i64,
    pub entry_date: NaiveDate,
    pub document_number: Option<String>,
    pub note: Option<String>,
    pub reverses: Option<i64>,
    /// The row that reverses this one, if any.
    pub reversed_by: Option<i64>,
    pub overdraw_note: Option<String>,
    pub coefficient: Option<i64>,
    pub formula: Option<String>,
    pub recorded_by_name: String,
    pub recorded_at: String,
}

/// Who writes, for the ledger's `recorded_by` columns.
#[derive(Debug, Clone)]
pub struct Recorder<'a> {
    pub user_id: Option<i64>,
    pub username: &'a str,
}

/// The key an allocation's balance is kept by.
type BalanceKey = (i32, String, String, String);

const ENTRY_COLUMNS: &str = "e.id, e.kind, e.year, e.unit_code, e.from_unit_code, e.province_code, \
     e.programme, e.project, e.source, e.activity_id, e.amount, e.entry_date, e.document_number, \
     e.note, e.reverses, (SELECT r.id FROM programme_entries r WHERE r.reverses = e.id) AS reversed_by, \
     e.overdraw_note, e.coefficient, e.formula, e.recorded_by_name, e.recorded_at";

impl Store {
    /// The communes valid on `day` at or below `unit_code` (a province, a district or a
    /// commune), with their allocation flags, their extremely difficult villages and
    /// their poor and near-poor households on that day, in code order.
    pub async fn communes_for_allocation(
        &self,
        unit_code: &str,
        day: NaiveDate,
    ) -> Result<Vec<CommuneAllocationRow>, StoreError> {
        let sql = "SELECT u.code, u.name, u.zone, u.safety_zone, u.border, u.island, u.special_zone, \
             u.allocation_flags_to_confirm, \
             (SELECT COUNT(*) FROM admin_units v WHERE v.parent_code = u.code AND v.tier = 'village' \
                AND v.extremely_difficult AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to >= $2)) \
                AS extremely_difficult_villages, \
             CAST(COALESCE((SELECT SUM(c.households) FROM classification_counts c WHERE c.commune_code = u.code \
                AND c.status IN ('poor', 'near_poor') AND c.effective_date <= $2 AND c.valid_until >= $2), 0) AS BIGINT) \
                AS poor_and_near_poor \
             FROM admin_units u \
             WHERE u.tier = 'commune' AND u.valid_from <= $2 AND (u.valid_to IS NULL OR u.valid_to >= $2) \
               AND (u.code = $1 OR u.parent_code = $1 OR u.province_code = $1) \
             ORDER BY u.code";
        Ok(with_pool!(self, pool => {
            sqlx::query_as::<_, CommuneAllocationRow>(sql)
                .bind(unit_code)
                .bind(day)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The allocation flags of the latest version of a unit.
    pub async fn allocation_flags(&self, code: &str) -> Result<AllocationFlags, StoreError> {
        let row = with_pool!(self, pool => sqlx::query_as::<_, AllocationFlags>(
            "SELECT zone, safety_zone, island, special_zone, allocation_flags_to_confirm FROM admin_units \
             WHERE code = $1 ORDER BY valid_from DESC LIMIT 1",
        )
        .bind(code)
        .fetch_optional(pool)
        .await?);
        row.ok_or_else(|| StoreError::NotFound(format!("đơn vị {code}")))
    }

    /// Sets the allocation flags of the latest version of a unit, with its audit entry,
    /// in one transaction.
    pub async fn set_allocation_flags(
        &self,
        code: &str,
        flags: &AllocationFlags,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE admin_units SET zone = $1, safety_zone = $2, island = $3, special_zone = $4, \
                 allocation_flags_to_confirm = $5, updated_at = $6 \
                 WHERE code = $7 AND valid_from = (SELECT MAX(x.valid_from) FROM admin_units x WHERE x.code = $7)",
            )
            .bind(&flags.zone)
            .bind(flags.safety_zone)
            .bind(flags.island)
            .bind(flags.special_zone)
            .bind(flags.allocation_flags_to_confirm)
            .bind(&now)
            .bind(code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound(format!("đơn vị {code}")));
            }
            insert_audit!(tx, [audit]);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Writes ledger rows and their audit entries in one transaction, all or nothing.
    /// An audit entry whose `entity_id` is `#i` is about the `i`-th row of `entries`,
    /// and gets that row's id once it is written.
    ///
    /// A row that reverses another must name a row not yet reversed that is not itself
    /// a reversal. After the rows, no allocation touched may have a negative balance
    /// unless every row that lowered it carries an `overdraw_note`; otherwise nothing is
    /// written and the error names the commune, project and source.
    pub async fn record_entries(
        &self,
        entries: &[NewEntry],
        audits: &[AuditEntry],
        by: &Recorder<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        let now = timestamp(now);
        let postgres = self.backend() == Backend::Postgres;
        let ids = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                // One writer of the ledger at a time: the balance read below must still
                // hold when the rows are written. The key is this module's own number.
                sqlx::query("SELECT pg_advisory_xact_lock(70160)")
                    .execute(&mut *tx)
                    .await?;
            }
            for entry in entries {
                if let Some(old) = entry.reverses {
                    let row: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
                        "SELECT e.reverses, (SELECT r.id FROM programme_entries r WHERE r.reverses = e.id) \
                         FROM programme_entries e WHERE e.id = $1",
                    )
                    .bind(old)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match row {
                        None => return Err(StoreError::NotFound(format!("bút toán số {old}"))),
                        Some((Some(_), _)) => {
                            return Err(StoreError::Conflict(format!(
                                "bút toán số {old} là bút toán điều chỉnh, không điều chỉnh tiếp được"
                            )));
                        }
                        Some((None, Some(by))) => {
                            return Err(StoreError::Conflict(format!(
                                "bút toán số {old} đã được điều chỉnh bởi bút toán số {by}"
                            )));
                        }
                        Some((None, None)) => {}
                    }
                }
            }
            // The allocations this batch lowers (a disbursement, or a negative
            // allocation), unless every such row allows an overdraw.
            let mut checked: BTreeMap<BalanceKey, bool> = BTreeMap::new();
            for entry in entries {
                let lowers = match entry.kind.as_str() {
                    "disbursement" => entry.amount > 0,
                    "allocation" => entry.amount < 0,
                    _ => false,
                };
                if lowers {
                    let key = (entry.year, entry.unit_code.clone(), entry.project.clone(), entry.source.clone());
                    let allowed = entry.overdraw_note.is_some();
                    checked
                        .entry(key)
                        .and_modify(|a| *a = *a && allowed)
                        .or_insert(allowed);
                }
            }
            let mut ids = Vec::with_capacity(entries.len());
            for entry in entries {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO programme_entries (kind, year, unit_code, from_unit_code, province_code, \
                     programme, project, source, activity_id, amount, entry_date, document_number, note, \
                     reverses, overdraw_note, coefficient, formula, recorded_by, recorded_by_name, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
                     RETURNING id",
                )
                .bind(&entry.kind)
                .bind(entry.year)
                .bind(&entry.unit_code)
                .bind(&entry.from_unit_code)
                .bind(&entry.province_code)
                .bind(&entry.programme)
                .bind(&entry.project)
                .bind(&entry.source)
                .bind(entry.activity_id)
                .bind(entry.amount)
                .bind(entry.entry_date)
                .bind(&entry.document_number)
                .bind(&entry.note)
                .bind(entry.reverses)
                .bind(&entry.overdraw_note)
                .bind(entry.coefficient)
                .bind(&entry.formula)
                .bind(by.user_id)
                .bind(by.username)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?;
                ids.push(id);
            }
            for ((year, unit, project, source), allowed) in &checked {
                if *allowed {
                    continue;
                }
                let balance: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(CASE WHEN kind = 'allocation' THEN amount ELSE -amount END), 0) AS BIGINT) \
                     FROM programme_entries WHERE kind IN ('allocation', 'disbursement') \
                     AND year = $1 AND unit_code = $2 AND project = $3 AND source = $4",
                )
                .bind(year)
                .bind(unit)
                .bind(project)
                .bind(source)
                .fetch_one(&mut *tx)
                .await?;
                if balance < 0 {
                    // Dropping the transaction rolls every row back.
                    return Err(StoreError::Conflict(format!(
                        "vượt số vốn đã phân bổ: xã {unit}, năm {year}, dự án {project}, nguồn {source} còn thiếu {} đồng",
                        -balance
                    )));
                }
            }
            let mut audits = audits.to_vec();
            for audit in &mut audits {
                // The audit entries name the rows they are about once the ids are known.
                if let Some(id) = audit
                    .entity_id
                    .strip_prefix('#')
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|index| ids.get(index))
                {
                    audit.entity_id = id.to_string();
                }
            }
            insert_audit!(tx, audits);
            tx.commit().await?;
            ids
        });
        Ok(ids)
    }

    /// Ledger rows of `year` whose unit is one of `units` (or every unit of the
    /// province when `units` is empty), of the kinds given (every kind when empty), in
    /// date then id order.
    pub async fn entries(
        &self,
        province_code: &str,
        year: i32,
        units: &[String],
        kinds: &[&str],
    ) -> Result<Vec<EntryRecord>, StoreError> {
        let mut sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM programme_entries e WHERE e.province_code = $1 AND e.year = $2"
        );
        let mut n = 2;
        if !units.is_empty() {
            let marks: Vec<String> = (0..units.len())
                .map(|i| format!("${}", n + 1 + i))
                .collect();
            n += units.len();
            sql.push_str(&format!(" AND e.unit_code IN ({})", marks.join(", ")));
        }
        if !kinds.is_empty() {
            let marks: Vec<String> = (0..kinds.len())
                .map(|i| format!("${}", n + 1 + i))
                .collect();
            sql.push_str(&format!(" AND e.kind IN ({})", marks.join(", ")));
        }
        sql.push_str(" ORDER BY e.entry_date, e.id");
        Ok(with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, EntryRecord>(AssertSqlSafe(sql.as_str()))
                .bind(province_code)
                .bind(year);
            for unit in units {
                q = q.bind(unit);
            }
            for kind in kinds {
                q = q.bind(*kind);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// The kind of an agency that exists on `day` (finance, agriculture…), or `None`
    /// for an unknown or closed agency.
    pub async fn agency_kind_on(
        &self,
        code: &str,
        day: NaiveDate,
    ) -> Result<Option<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT kind FROM agencies WHERE code = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)",
        )
        .bind(code)
        .bind(day)
        .fetch_optional(pool)
        .await?))
    }

    /// One ledger row.
    pub async fn entry(&self, id: i64) -> Result<Option<EntryRecord>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM programme_entries e WHERE e.id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, EntryRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }
}
