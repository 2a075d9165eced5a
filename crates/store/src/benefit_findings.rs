//! Findings (table `findings`, migration 0060), one model for every source (policy,
//! review, inspection): writing computed ones once each by their stable `check_key`,
//! recording one by hand, listing them, closing one with an audit entry, and the facts
//! the policy checks read.

use crate::benefit_writes::{BulkWrite, FINDING_FIELDS, bind_finding};
use crate::households::{AuditEntry, insert_audit};
use crate::in_list::InList;
use crate::{Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};

/// A finding to add, of any source: computed by the policy or review checks (with a
/// stable `check_key`, so a later run adds it only once) or recorded by an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewFinding {
    /// policy, review or inspection.
    pub source: String,
    pub kind: String,
    /// A computed finding's stable key; `None` for one recorded by hand.
    pub check_key: Option<String>,
    pub province_code: String,
    pub unit_code: String,
    pub household_id: Option<i64>,
    pub member_id: Option<i64>,
    pub benefit_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub inspection_id: Option<i64>,
    /// JSON with the evidence in words (`text`) and its figures.
    pub evidence: String,
    pub required_action: Option<String>,
    pub responsible_agency: Option<String>,
    pub deadline: Option<NaiveDate>,
}

/// A stored finding of any source.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FindingRecord {
    pub id: i64,
    pub source: String,
    pub kind: String,
    pub check_key: Option<String>,
    pub province_code: String,
    pub unit_code: String,
    pub household_id: Option<i64>,
    pub member_id: Option<i64>,
    pub benefit_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub inspection_id: Option<i64>,
    pub evidence: String,
    pub required_action: Option<String>,
    pub responsible_agency: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub status: String,
    pub status_note: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    pub created_at: String,
}

const FINDING_COLUMNS: &str = "id, source, kind, check_key, province_code, unit_code, \
     household_id, member_id, benefit_id, activity_id, inspection_id, evidence, \
     required_action, responsible_agency, deadline, status, status_note, closed_by, \
     closed_at, created_at";

/// One classification as the checks read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatusHistoryRow {
    pub id: i64,
    pub household_id: i64,
    pub effective_date: NaiveDate,
    pub status: String,
    pub supersedes: Option<i64>,
}

/// A member as the checks read it: who they are, and the facts a policy's eligibility
/// reads of a person (age, school level), as coverage reads them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberFact {
    pub id: i64,
    pub household_id: i64,
    pub household_code: String,
    pub citizen_id: Option<String>,
    pub active: bool,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: i32,
    pub school_level: Option<String>,
}

/// A household as the checks read it: where it lives (for its unit's flags) and whether
/// it is an ethnic-minority household.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HouseholdFact {
    pub id: i64,
    pub village_code: String,
    pub commune_code: String,
    pub ethnic_minority: bool,
}

/// A benefit given to a person with a citizen ID, anywhere in a province: what the
/// duplicate-person check compares the benefits of the unit it checks against.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PersonBenefit {
    #[sqlx(flatten)]
    pub benefit: crate::ImportedBenefitRecord,
    pub citizen_id: String,
    pub household_code: String,
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Store {
    /// Adds the findings whose `check_key` is new; returns how many were added. A
    /// finding found again by a later run is left as it is (with its status).
    pub async fn insert_findings(
        &self,
        findings: &[NewFinding],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let now = timestamp(now);
        let added = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let added = BulkWrite::write_new_findings(&mut *tx, findings, &now).await?;
            tx.commit().await?;
            added
        });
        Ok(added)
    }

    /// The findings of a province (every source), optionally of one kind and status,
    /// newest first.
    pub async fn findings_of_province(
        &self,
        province_code: &str,
        kind: Option<&str>,
        status: Option<&str>,
    ) -> Result<Vec<FindingRecord>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut qb = QueryBuilder::new(format!(
                "SELECT {FINDING_COLUMNS} FROM findings WHERE province_code = "
            ));
            qb.push_bind(province_code);
            if let Some(k) = kind {
                qb.push(" AND kind = ");
                qb.push_bind(k);
            }
            if let Some(s) = status {
                qb.push(" AND status = ");
                qb.push_bind(s);
            }
            qb.push(" ORDER BY id DESC");
            qb.build_query_as().fetch_all(pool).await?
        }))
    }

    pub async fn finding(&self, id: i64) -> Result<Option<FindingRecord>, StoreError> {
        let sql = format!("SELECT {FINDING_COLUMNS} FROM findings WHERE id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, FindingRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Adds one finding with its audit entry (whose `at` becomes the finding's
    /// `created_at`); its id, or `None` when a finding with its check key is already
    /// recorded (nothing is then written).
    pub async fn insert_finding(
        &self,
        f: &NewFinding,
        audit: &AuditEntry,
    ) -> Result<Option<i64>, StoreError> {
        let id = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let sql = format!(
                "INSERT INTO findings ({FINDING_FIELDS}, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                 ON CONFLICT (check_key) DO NOTHING RETURNING id"
            );
            let q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.as_str()));
            let id: Option<i64> = bind_finding!(q, bind, f)
                .bind(&audit.at)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(id) = id else {
                return Ok(None);
            };
            let entries = [AuditEntry { entity_id: id.to_string(), ..audit.clone() }];
            insert_audit!(tx, entries);
            tx.commit().await?;
            id
        });
        Ok(Some(id))
    }

    /// The findings an inspection recorded, oldest first.
    pub async fn inspection_findings(&self, id: i64) -> Result<Vec<FindingRecord>, StoreError> {
        self.findings_where("inspection_id = $1 ORDER BY id", &[], Some(id))
            .await
    }

    /// The findings of a source in a unit (its own code), oldest first.
    pub async fn unit_findings(
        &self,
        source: &str,
        unit_code: &str,
    ) -> Result<Vec<FindingRecord>, StoreError> {
        self.findings_where(
            "source = $1 AND unit_code = $2 ORDER BY id",
            &[source, unit_code],
            None,
        )
        .await
    }

    /// The open findings of a province, oldest first.
    pub async fn open_findings_of_province(
        &self,
        province_code: &str,
    ) -> Result<Vec<FindingRecord>, StoreError> {
        self.findings_where(
            "province_code = $1 AND status = 'open' ORDER BY id",
            &[province_code],
            None,
        )
        .await
    }

    /// The findings matching `filter` (fixed SQL of this module), with its text
    /// parameters bound first and then an id.
    async fn findings_where(
        &self,
        filter: &str,
        texts: &[&str],
        id: Option<i64>,
    ) -> Result<Vec<FindingRecord>, StoreError> {
        let sql = format!("SELECT {FINDING_COLUMNS} FROM findings WHERE {filter}");
        Ok(with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, FindingRecord>(AssertSqlSafe(sql.as_str()));
            for t in texts {
                q = q.bind(*t);
            }
            if let Some(id) = id {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// Closes an open finding as justified or corrected, with a note and an audit entry.
    /// A finding closed meanwhile is a conflict and nothing changes.
    pub async fn close_finding(
        &self,
        id: i64,
        status: &str,
        note: &str,
        audit: AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE findings SET status = $1, status_note = $2, closed_by = $3, \
                 closed_at = $4 WHERE id = $5 AND status = 'open'",
            )
            .bind(status)
            .bind(note)
            .bind(&audit.username)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(format!("phát hiện số {id} đã được xử lý")));
            }
            let audit = [AuditEntry { at: now.clone(), ..audit }];
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The benefits not voided, anywhere in the province, of the people holding one of
    /// these citizen IDs: in one statement on PostgreSQL, in chunks of IDs on SQLite.
    pub async fn person_benefits_in_province(
        &self,
        province_code: &str,
        citizen_ids: &[String],
    ) -> Result<Vec<PersonBenefit>, StoreError> {
        let mut out = Vec::new();
        for chunk in citizen_ids.chunks(self.in_list_chunk()) {
            let rows: Vec<PersonBenefit> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT b.id, b.home_province, b.household_id, b.member_id, b.policy, \
                            b.valid_from, b.valid_to, b.agency_code, b.reference, b.unit_code, \
                            b.province_code, b.import_id, m.citizen_id, h.code AS household_code \
                     FROM benefits b \
                     JOIN members m ON m.home_province = b.home_province AND m.id = b.member_id \
                     JOIN households h \
                       ON h.home_province = b.home_province AND h.id = b.household_id \
                     WHERE b.voided_at IS NULL AND h.province_code = ",
                );
                qb.push_bind(province_code);
                qb.push(" AND ");
                InList::push_in(&mut qb, "m.citizen_id", chunk);
                qb.push(" ORDER BY b.id");
                qb.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// When each of the members given left their household (died or moved away), from
    /// the audit log: (member id, timestamp of the latest `member.leave`).
    pub async fn members_left_at(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        let mut out = Vec::new();
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        for chunk in ids.chunks(self.in_list_chunk()) {
            let rows: Vec<(String, String)> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT entity_id, MAX(at) FROM audit_log WHERE action = 'member.leave' \
                     AND entity = 'member' AND ",
                );
                InList::push_in(&mut qb, "entity_id", chunk);
                qb.push(" GROUP BY entity_id");
                qb.build_query_as().fetch_all(pool).await?
            });
            out.extend(
                rows.into_iter()
                    .filter_map(|(id, at)| id.parse().ok().map(|id| (id, at))),
            );
        }
        Ok(out)
    }
}
