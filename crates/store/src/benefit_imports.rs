//! Benefits read from an agency's own list (issue 14, migration 0065): the members a list
//! is matched against, the run with its benefit rows and its match queue written in one
//! transaction, and the queue's resolution by an officer.
//!
//! Re-importing a list must change nothing, so every write first looks up the references
//! (policy, agency, reference) already stored, as a benefit or in the queue, and skips them.
//! On Citus the benefits are spread over shards by `home_province`, where a unique index
//! on the reference alone cannot hold, so the check is made here rather than by the schema.

use crate::benefit_writes::{BulkWrite, bind_imported_benefit, imported_benefit_insert};
use crate::households::{AuditEntry, CHUNK, insert_audit};
use crate::in_list::InList;
use crate::{Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::HashSet;

/// A member of the unit a list is matched within, with what matching compares.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MatchCandidate {
    pub member_id: i64,
    pub household_id: i64,
    pub home_province: String,
    pub household_code: String,
    pub village_code: String,
    pub commune_code: String,
    pub province_code: String,
    pub citizen_id: Option<String>,
    pub full_name: String,
    pub name_folded: String,
    pub birth_year: i32,
}

/// A benefit row to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedBenefit {
    pub home_province: String,
    pub household_id: i64,
    pub member_id: Option<i64>,
    pub policy: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub amount: Option<i64>,
    pub agency_code: String,
    pub reference: String,
    pub unit_code: String,
    pub province_code: String,
}

/// A row of a list that waits for an officer.
#[derive(Debug, Clone, PartialEq)]
pub struct NewQueueRow {
    pub line: u64,
    pub reference: String,
    pub citizen_id: Option<String>,
    pub full_name: String,
    pub name_folded: String,
    pub birth_year: Option<i32>,
    pub village: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub amount: Option<i64>,
    /// `unmatched` or `ambiguous`.
    pub reason: String,
    pub candidates: Vec<i64>,
}

/// One import run as the caller describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBenefitImport {
    pub policy: String,
    pub agency_code: String,
    pub unit_code: String,
    pub province_code: String,
    pub file_name: String,
    pub rows_total: u64,
    pub recorded_by: String,
    pub user_id: Option<i64>,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportCounts {
    /// The run's id, or `None` when every row was already stored and nothing was written.
    pub import_id: Option<i64>,
    pub matched: u64,
    pub queued: u64,
    pub skipped: u64,
}

/// A queued row as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct QueueRecord {
    pub id: i64,
    pub import_id: i64,
    pub line: i64,
    pub policy: String,
    pub agency_code: String,
    pub reference: String,
    pub unit_code: String,
    pub province_code: String,
    pub citizen_id: Option<String>,
    pub full_name: String,
    pub birth_year: Option<i32>,
    pub village: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub amount: Option<i64>,
    pub reason: String,
    pub candidates: String,
    pub status: String,
    pub household_id: Option<i64>,
    pub member_id: Option<i64>,
    pub benefit_id: Option<i64>,
    pub note: Option<String>,
    pub resolved_by: Option<String>,
}

const QUEUE_COLUMNS: &str = "id, import_id, line, policy, agency_code, reference, unit_code, \
     province_code, citizen_id, full_name, birth_year, village, valid_from, valid_to, amount, \
     reason, candidates, status, household_id, member_id, benefit_id, note, resolved_by";

/// A stored benefit, as the findings read it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ImportedBenefitRecord {
    pub id: i64,
    pub home_province: String,
    pub household_id: i64,
    pub member_id: Option<i64>,
    pub policy: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub agency_code: Option<String>,
    pub reference: Option<String>,
    pub unit_code: String,
    pub province_code: String,
    pub import_id: Option<i64>,
}

/// Where a benefit of a household is written.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BenefitTarget {
    pub home_province: String,
    pub village_code: String,
    pub province_code: String,
    pub household_code: String,
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The household column that holds a unit of `tier` (`village`, `commune`, …).
pub(crate) fn scope_column(tier: &str) -> Result<&'static str, StoreError> {
    Ok(match tier {
        "province" => "province_code",
        "district" => "district_code",
        "commune" => "commune_code",
        "village" => "village_code",
        other => return Err(StoreError::NotFound(format!("cấp đơn vị {other}"))),
    })
}

impl Store {
    /// The active members of the active households in a unit of `tier`.
    pub async fn match_candidates(
        &self,
        unit_code: &str,
        tier: &str,
    ) -> Result<Vec<MatchCandidate>, StoreError> {
        let column = scope_column(tier)?;
        let sql = format!(
            "SELECT m.id AS member_id, h.id AS household_id, h.home_province, \
                    h.code AS household_code, h.village_code, h.commune_code, h.province_code, m.citizen_id, \
                    m.full_name, m.name_folded, m.birth_year \
             FROM households h JOIN members m \
               ON m.home_province = h.home_province AND m.household_id = h.id \
             WHERE h.{column} = $1 AND h.active AND m.active"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, MatchCandidate>(AssertSqlSafe(sql.as_str()))
            .bind(unit_code)
            .fetch_all(pool)
            .await?),
        )
    }

    /// The active members of the active households in a unit of `tier` that hold one of
    /// `citizen_ids` or bear one of `names_folded`: the only ones matching a list whose
    /// rows carry those IDs and names can find. An import reads these instead of every
    /// member of the unit (1,8 million in a province), through their indexes
    /// (`members_citizen_lookup`, `members_name`): one statement for the IDs and one for
    /// the names on PostgreSQL, chunks of them on SQLite.
    pub async fn match_candidates_among(
        &self,
        unit_code: &str,
        tier: &str,
        citizen_ids: &[String],
        names_folded: &[String],
    ) -> Result<Vec<MatchCandidate>, StoreError> {
        let column = scope_column(tier)?;
        let mut out: Vec<MatchCandidate> = Vec::new();
        let mut seen: HashSet<i64> = HashSet::new();
        for (key, values) in [("citizen_id", citizen_ids), ("name_folded", names_folded)] {
            for chunk in values.chunks(self.in_list_chunk()) {
                let rows: Vec<MatchCandidate> = with_pool!(self, pool => {
                    let mut qb = QueryBuilder::new(format!(
                        "SELECT m.id AS member_id, h.id AS household_id, h.home_province, \
                                h.code AS household_code, h.village_code, h.commune_code, \
                                h.province_code, m.citizen_id, m.full_name, m.name_folded, \
                                m.birth_year \
                         FROM members m JOIN households h \
                           ON h.home_province = m.home_province AND h.id = m.household_id \
                         WHERE m.active AND h.active AND h.{column} = "
                    ));
                    qb.push_bind(unit_code);
                    qb.push(" AND ");
                    InList::push_in(&mut qb, &format!("m.{key}"), chunk);
                    qb.build_query_as().fetch_all(pool).await?
                });
                // A member found by both its ID and its name is kept once.
                out.extend(rows.into_iter().filter(|c| seen.insert(c.member_id)));
            }
        }
        // The order of the full reading's index buckets does not matter, but a stable
        // one keeps an ambiguous row's candidates in the same order run after run.
        out.sort_by_key(|c| c.member_id);
        Ok(out)
    }

    /// The folded names (every version) of the villages given, as (code, folded name).
    pub async fn village_names_folded(
        &self,
        codes: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut out = Vec::new();
        for chunk in codes.chunks(CHUNK) {
            let rows: Vec<(String, String)> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new("SELECT code, name_folded FROM admin_units WHERE code IN (");
                let mut list = qb.separated(", ");
                for c in chunk {
                    list.push_bind(c);
                }
                qb.push(")");
                qb.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Writes an import: the run, its queued rows, one audit entry for the run and its
    /// benefits (through [`BulkWrite::write_imported_benefits`]), in one transaction. Rows
    /// whose reference is already stored for the policy and agency (as a benefit or in the
    /// queue) are skipped, so a second run of the same file writes nothing at all.
    pub async fn record_benefit_import(
        &self,
        run: &NewBenefitImport,
        benefits: &[ImportedBenefit],
        queue: &[NewQueueRow],
        now: DateTime<Utc>,
    ) -> Result<ImportCounts, StoreError> {
        let now = timestamp(now);
        let mut counts = ImportCounts::default();
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // The references already stored, among those of the file.
            let mut known: HashSet<String> = HashSet::new();
            let refs: Vec<String> = benefits
                .iter()
                .map(|b| b.reference.clone())
                .chain(queue.iter().map(|q| q.reference.clone()))
                .collect();
            for table in ["benefits", "benefit_match_queue"] {
                for chunk in refs.chunks(self.in_list_chunk()) {
                    let mut qb = QueryBuilder::new(format!(
                        "SELECT reference FROM {table} WHERE policy = "
                    ));
                    qb.push_bind(&run.policy);
                    qb.push(" AND agency_code = ");
                    qb.push_bind(&run.agency_code);
                    qb.push(" AND ");
                    InList::push_in(&mut qb, "reference", chunk);
                    let rows: Vec<(String,)> = qb.build_query_as().fetch_all(&mut *tx).await?;
                    known.extend(rows.into_iter().map(|(r,)| r));
                }
            }
            let new_benefits: Vec<&ImportedBenefit> =
                benefits.iter().filter(|b| !known.contains(&b.reference)).collect();
            let new_queue: Vec<&NewQueueRow> =
                queue.iter().filter(|q| !known.contains(&q.reference)).collect();
            counts.skipped = (benefits.len() + queue.len()
                - new_benefits.len()
                - new_queue.len()) as u64;
            if new_benefits.is_empty() && new_queue.is_empty() {
                tx.commit().await?;
                return Ok(counts);
            }
            let import_id: i64 = sqlx::query_scalar(
                "INSERT INTO benefit_imports (policy, agency_code, unit_code, province_code, \
                 file_name, rows_total, matched, queued, skipped, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(&run.policy)
            .bind(&run.agency_code)
            .bind(&run.unit_code)
            .bind(&run.province_code)
            .bind(&run.file_name)
            .bind(run.rows_total as i64)
            .bind(new_benefits.len() as i64)
            .bind(new_queue.len() as i64)
            .bind(counts.skipped as i64)
            .bind(&run.recorded_by)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            for chunk in new_queue.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO benefit_match_queue (import_id, line, policy, agency_code, \
                     reference, unit_code, province_code, citizen_id, full_name, name_folded, \
                     birth_year, village, valid_from, valid_to, amount, reason, candidates, \
                     created_at) ",
                );
                qb.push_values(chunk, |mut b, q| {
                    let candidates: Vec<String> =
                        q.candidates.iter().map(i64::to_string).collect();
                    b.push_bind(import_id)
                        .push_bind(q.line as i64)
                        .push_bind(&run.policy)
                        .push_bind(&run.agency_code)
                        .push_bind(&q.reference)
                        .push_bind(&run.unit_code)
                        .push_bind(&run.province_code)
                        .push_bind(&q.citizen_id)
                        .push_bind(&q.full_name)
                        .push_bind(&q.name_folded)
                        .push_bind(q.birth_year)
                        .push_bind(&q.village)
                        .push_bind(q.valid_from)
                        .push_bind(q.valid_to)
                        .push_bind(q.amount)
                        .push_bind(&q.reason)
                        .push_bind(candidates.join(","))
                        .push_bind(&now);
                });
                qb.build().execute(&mut *tx).await?;
            }
            // One audit entry for the run, naming its counts; the benefits themselves
            // carry the run's id, so each row's origin is readable without an entry each.
            let audit = [AuditEntry {
                at: now.clone(),
                user_id: run.user_id,
                username: run.recorded_by.clone(),
                action: "benefit.import".into(),
                entity: "benefit_import".into(),
                entity_id: import_id.to_string(),
                household_id: None,
                unit_code: Some(run.unit_code.clone()),
                province_code: Some(run.province_code.clone()),
                changes: serde_json::json!([
                    {"field": "policy", "old": null, "new": run.policy},
                    {"field": "agency_code", "old": null, "new": run.agency_code},
                    {"field": "matched", "old": null, "new": new_benefits.len()},
                    {"field": "queued", "old": null, "new": new_queue.len()},
                ])
                .to_string(),
                reason: None,
            }];
            insert_audit!(tx, audit);
            // The benefits last, after the run and the queue (shared, reference tables on
            // Citus): Citus refuses a write to a reference table after rows written to many
            // shards at once in the same transaction.
            BulkWrite::write_imported_benefits(&mut *tx, &new_benefits, import_id, &run.recorded_by, &now)
                .await?;
            // The households of the new benefits: their coverage spans are recomputed
            // before the next coverage is read.
            let homes: std::collections::HashMap<i64, String> = new_benefits
                .iter()
                .map(|b| (b.household_id, b.home_province.clone()))
                .collect();
            crate::coverage_spans::mark_coverage_stale!(
                tx,
                homes,
                new_benefits.iter().map(|b| b.household_id)
            );
            tx.commit().await?;
            counts.import_id = Some(import_id);
            counts.matched = new_benefits.len() as u64;
            counts.queued = new_queue.len() as u64;
        });
        Ok(counts)
    }

    /// The queued rows of a unit (the unit the list was matched within, or any below the
    /// given codes), waiting ones first.
    pub async fn match_queue(
        &self,
        unit_codes: &[String],
        status: Option<&str>,
    ) -> Result<Vec<QueueRecord>, StoreError> {
        let mut out = Vec::new();
        for chunk in unit_codes.chunks(CHUNK) {
            let rows: Vec<QueueRecord> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(format!(
                    "SELECT {QUEUE_COLUMNS} FROM benefit_match_queue WHERE unit_code IN ("
                ));
                let mut list = qb.separated(", ");
                for c in chunk {
                    list.push_bind(c);
                }
                qb.push(")");
                if let Some(s) = status {
                    qb.push(" AND status = ");
                    qb.push_bind(s);
                }
                qb.push(" ORDER BY import_id, line");
                qb.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    pub async fn queue_row(&self, id: i64) -> Result<Option<QueueRecord>, StoreError> {
        let sql = format!("SELECT {QUEUE_COLUMNS} FROM benefit_match_queue WHERE id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, QueueRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Matches a waiting row: inserts its benefit and marks the row matched, with an audit
    /// entry, in one transaction. A row no longer waiting (resolved meanwhile by someone
    /// else) is a conflict and nothing changes. Returns the benefit's id.
    pub async fn resolve_queue_row(
        &self,
        id: i64,
        benefit: &ImportedBenefit,
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let benefit_id = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE benefit_match_queue SET status = 'matched', household_id = $1, \
                 member_id = $2, resolved_by = $3, resolved_at = $4 \
                 WHERE id = $5 AND status = 'waiting'",
            )
            .bind(benefit.household_id)
            .bind(benefit.member_id)
            .bind(&audit.username)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(format!(
                    "dòng chờ đối chiếu số {id} đã được xử lý"
                )));
            }
            let import_id: Option<i64> =
                sqlx::query_scalar("SELECT import_id FROM benefit_match_queue WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            let sql = format!("{} RETURNING id", imported_benefit_insert());
            let q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.as_str()));
            let benefit_id: i64 = bind_imported_benefit!(q, bind, benefit)
            .bind(import_id)
            .bind(&audit.username)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("UPDATE benefit_match_queue SET benefit_id = $1 WHERE id = $2")
                .bind(benefit_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let audit = [AuditEntry {
                at: now.clone(),
                entity_id: benefit_id.to_string(),
                ..audit
            }];
            insert_audit!(tx, audit);
            let homes: std::collections::HashMap<i64, String> =
                [(benefit.household_id, benefit.home_province.clone())].into();
            crate::coverage_spans::mark_coverage_stale!(tx, homes, [benefit.household_id]);
            tx.commit().await?;
            benefit_id
        });
        Ok(benefit_id)
    }

    /// Rejects a waiting row with the officer's reason; the row stays, marked rejected.
    pub async fn reject_queue_row(
        &self,
        id: i64,
        note: &str,
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE benefit_match_queue SET status = 'rejected', note = $1, \
                 resolved_by = $2, resolved_at = $3 WHERE id = $4 AND status = 'waiting'",
            )
            .bind(note)
            .bind(&audit.username)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(format!(
                    "dòng chờ đối chiếu số {id} đã được xử lý"
                )));
            }
            let audit = [AuditEntry { at: now.clone(), ..audit }];
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Where a benefit for a household (and one of its members) is written: the
    /// household's distribution key, village and province, when the household (and the
    /// member, of that household) exist.
    pub async fn benefit_target(
        &self,
        household_id: i64,
        member_id: Option<i64>,
    ) -> Result<Option<BenefitTarget>, StoreError> {
        let Some(home) = self.home_province_of(household_id).await? else {
            return Ok(None);
        };
        let target: Option<BenefitTarget> = with_pool!(self, pool => sqlx::query_as::<_, BenefitTarget>(
            "SELECT home_province, village_code, province_code, code AS household_code \
             FROM households WHERE home_province = $1 AND id = $2",
        )
        .bind(&home)
        .bind(household_id)
        .fetch_optional(pool)
        .await?);
        let Some(target) = target else {
            return Ok(None);
        };
        if let Some(member_id) = member_id {
            let n: i64 = with_pool!(self, pool => sqlx::query_scalar(
                "SELECT COUNT(*) FROM members WHERE home_province = $1 AND household_id = $2 AND id = $3",
            )
            .bind(&target.home_province)
            .bind(household_id)
            .bind(member_id)
            .fetch_one(pool)
            .await?);
            if n == 0 {
                return Ok(None);
            }
        }
        Ok(Some(target))
    }

    /// The units the match queue has rows for.
    pub async fn match_queue_units(&self) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT DISTINCT unit_code FROM benefit_match_queue ORDER BY unit_code",
        )
        .fetch_all(pool)
        .await?))
    }
}
