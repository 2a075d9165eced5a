//! The programme's activities and their beneficiaries (migration 0071).
//!
//! Nothing here updates or deletes a row: a corrected activity is a new version naming
//! the version it replaces, and a beneficiary taken off the list is a `remove` row after
//! its `add` row. The checks that keep the chains straight (a version replaced once, a
//! household not added twice nor removed when absent) run inside the writing
//! transaction, so two officers saving at once cannot both win.

use crate::households::{AuditEntry, insert_audit};
use crate::programme::Recorder;
use crate::units::timestamp;
use crate::{Backend, Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};

/// What an officer records about an activity, the same in every version.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ActivityFields {
    pub year: i32,
    pub programme: String,
    pub project: String,
    pub activity_type: String,
    pub unit_code: String,
    pub province_code: String,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub planned_quantity: Option<i64>,
    pub done_quantity: Option<i64>,
    pub place: Option<String>,
    pub content: Option<String>,
    pub participants: Option<i32>,
    pub participants_women: Option<i32>,
    pub participants_minority: Option<i32>,
    /// A livelihood model's inputs given to its participants (vật tư, giống, vốn…).
    pub inputs: Option<String>,
    /// An event's audience (đối tượng) and the materials handed out or shown.
    pub audience: Option<String>,
    pub materials: Option<String>,
    /// Why a correction was made.
    pub reason: Option<String>,
}

/// A version of an activity to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    /// The version this one corrects; `None` for a new activity.
    pub replaces: Option<i64>,
    pub fields: ActivityFields,
}

/// A version of an activity as stored, with the money the ledger links to it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActivityRecord {
    /// The activity's id: its first version's.
    pub activity_id: i64,
    /// This version's own row.
    pub version_id: i64,
    pub replaces: Option<i64>,
    /// The version that corrects this one, if any.
    pub replaced_by: Option<i64>,
    #[sqlx(flatten)]
    pub fields: ActivityFields,
    /// Disbursements of the ledger naming the activity, net of reversals (VND).
    pub disbursed: i64,
    pub recorded_by_name: String,
    pub recorded_at: String,
}

/// A line of a beneficiary journal to write. The household's distribution key and
/// commune are the application's to look up, as it checks the household is in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBeneficiary {
    pub home_province: String,
    pub household_id: Option<i64>,
    pub member_id: Option<i64>,
    pub commune_code: String,
    /// `add` or `remove`.
    pub action: String,
    pub reason: Option<String>,
}

/// A line of an activity's beneficiary journal, with the household's code and head.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BeneficiaryRecord {
    pub id: i64,
    pub household_id: Option<i64>,
    pub member_id: Option<i64>,
    pub commune_code: String,
    pub action: String,
    pub reason: Option<String>,
    pub household_code: Option<String>,
    pub head_name: Option<String>,
    pub member_name: Option<String>,
    pub recorded_by_name: String,
    pub recorded_at: String,
}

/// Writes one line of an activity's beneficiary journal inside an open transaction:
/// the one insert of the hand-made changes, the imports and the queue's matches.
macro_rules! insert_beneficiary {
    ($tx:expr, $activity_id:expr, $row:expr, $by:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO programme_beneficiaries (home_province, activity_id, household_id, member_id, \
             commune_code, action, reason, recorded_by, recorded_by_name, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&$row.home_province)
        .bind($activity_id)
        .bind($row.household_id)
        .bind($row.member_id)
        .bind(&$row.commune_code)
        .bind(&$row.action)
        .bind(&$row.reason)
        .bind($by.user_id)
        .bind($by.username)
        .bind($now)
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use insert_beneficiary;

const ACTIVITY_COLUMNS: &str = "COALESCE(a.root_id, a.id) AS activity_id, a.id AS version_id, a.replaces, \
     (SELECT r.id FROM programme_activities r WHERE r.replaces = a.id) AS replaced_by, \
     a.year, a.programme, a.project, a.activity_type, a.unit_code, a.province_code, a.name, \
     a.start_date, a.end_date, a.planned_quantity, a.done_quantity, a.place, a.content, \
     a.participants, a.participants_women, a.participants_minority, a.inputs, a.audience, a.materials, \
     a.reason, \
     CAST(COALESCE((SELECT SUM(e.amount) FROM programme_entries e WHERE e.kind = 'disbursement' \
        AND e.activity_id = COALESCE(a.root_id, a.id)), 0) AS BIGINT) AS disbursed, \
     a.recorded_by_name, a.recorded_at";

/// The versions no later version replaces.
const CURRENT: &str = "NOT EXISTS (SELECT 1 FROM programme_activities r WHERE r.replaces = a.id)";

impl Store {
    /// Writes a version of an activity with its audit entry (whose `entity_id` `#0`
    /// becomes the activity's id) in one transaction, and returns the activity's id.
    /// A correction must replace the current version of an existing activity.
    pub async fn record_activity(
        &self,
        activity: &NewActivity,
        audit: &AuditEntry,
        by: &Recorder<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let postgres = self.backend() == Backend::Postgres;
        let f = &activity.fields;
        let id = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                // Two corrections of one version must not both be written: the check
                // below and the insert are one step. The key is this module's number.
                sqlx::query("SELECT pg_advisory_xact_lock(71160)")
                    .execute(&mut *tx)
                    .await?;
            }
            let root = match activity.replaces {
                None => None,
                Some(old) => {
                    let row: Option<(i64, Option<i64>)> = sqlx::query_as(
                        "SELECT COALESCE(a.root_id, a.id), \
                         (SELECT r.id FROM programme_activities r WHERE r.replaces = a.id) \
                         FROM programme_activities a WHERE a.id = $1",
                    )
                    .bind(old)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match row {
                        None => return Err(StoreError::NotFound(format!("hoạt động (bản số {old})"))),
                        Some((_, Some(by))) => {
                            return Err(StoreError::Conflict(format!(
                                "bản số {old} của hoạt động đã được sửa bởi bản số {by}; hãy tải lại trang"
                            )));
                        }
                        Some((root, None)) => Some(root),
                    }
                }
            };
            let version: i64 = sqlx::query_scalar(
                "INSERT INTO programme_activities (root_id, replaces, year, programme, project, activity_type, \
                 unit_code, province_code, name, start_date, end_date, planned_quantity, done_quantity, place, \
                 content, participants, participants_women, participants_minority, inputs, audience, materials, \
                 reason, recorded_by, recorded_by_name, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                 $21, $22, $23, $24, $25) \
                 RETURNING id",
            )
            .bind(root)
            .bind(activity.replaces)
            .bind(f.year)
            .bind(&f.programme)
            .bind(&f.project)
            .bind(&f.activity_type)
            .bind(&f.unit_code)
            .bind(&f.province_code)
            .bind(&f.name)
            .bind(f.start_date)
            .bind(f.end_date)
            .bind(f.planned_quantity)
            .bind(f.done_quantity)
            .bind(&f.place)
            .bind(&f.content)
            .bind(f.participants)
            .bind(f.participants_women)
            .bind(f.participants_minority)
            .bind(&f.inputs)
            .bind(&f.audience)
            .bind(&f.materials)
            .bind(&f.reason)
            .bind(by.user_id)
            .bind(by.username)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let id = root.unwrap_or(version);
            let mut audit = audit.clone();
            if audit.entity_id == "#0" {
                audit.entity_id = id.to_string();
            }
            let audits = [audit];
            insert_audit!(tx, audits);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The current version of an activity, by the activity's id.
    pub async fn activity(&self, id: i64) -> Result<Option<ActivityRecord>, StoreError> {
        let sql = format!(
            "SELECT {ACTIVITY_COLUMNS} FROM programme_activities a \
             WHERE (a.id = $1 OR a.root_id = $1) AND {CURRENT}"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ActivityRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Every version of an activity, the first first.
    pub async fn activity_versions(&self, id: i64) -> Result<Vec<ActivityRecord>, StoreError> {
        let sql = format!(
            "SELECT {ACTIVITY_COLUMNS} FROM programme_activities a \
             WHERE a.id = $1 OR a.root_id = $1 ORDER BY a.id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ActivityRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_all(pool)
            .await?),
        )
    }

    /// The current versions of the activities of `year` whose unit is one of `units`
    /// (every unit of the province when `units` is empty), by start date then id.
    pub async fn activities(
        &self,
        province_code: &str,
        year: i32,
        units: &[String],
    ) -> Result<Vec<ActivityRecord>, StoreError> {
        Ok(with_pool!(self, pool => {
            let mut qb = QueryBuilder::new(format!(
                "SELECT {ACTIVITY_COLUMNS} FROM programme_activities a WHERE {CURRENT} AND a.province_code = "
            ));
            qb.push_bind(province_code);
            qb.push(" AND a.year = ");
            qb.push_bind(year);
            if !units.is_empty() {
                qb.push(" AND a.unit_code IN (");
                let mut list = qb.separated(", ");
                for unit in units {
                    list.push_bind(unit);
                }
                qb.push(")");
            }
            qb.push(" ORDER BY a.start_date, activity_id");
            qb.build_query_as::<ActivityRecord>().fetch_all(pool).await?
        }))
    }

    /// Writes lines of an activity's beneficiary journal with their audit entries, all
    /// or nothing. An `add` of a household (or member, or commune) already on the list,
    /// or a `remove` of one not on it, is refused naming the line (1-based).
    pub async fn record_beneficiaries(
        &self,
        activity_id: i64,
        rows: &[NewBeneficiary],
        audits: &[AuditEntry],
        by: &Recorder<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        let postgres = self.backend() == Backend::Postgres;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if postgres {
                sqlx::query("SELECT pg_advisory_xact_lock(71161)")
                    .execute(&mut *tx)
                    .await?;
            }
            for (i, row) in rows.iter().enumerate() {
                let last: Option<String> = sqlx::query_scalar(
                    "SELECT action FROM programme_beneficiaries WHERE home_province = $1 AND activity_id = $2 \
                     AND COALESCE(household_id, 0) = $3 AND COALESCE(member_id, 0) = $4 AND commune_code = $5 \
                     ORDER BY id DESC LIMIT 1",
                )
                .bind(&row.home_province)
                .bind(activity_id)
                .bind(row.household_id.unwrap_or(0))
                .bind(row.member_id.unwrap_or(0))
                .bind(&row.commune_code)
                .fetch_optional(&mut *tx)
                .await?;
                let on_list = last.as_deref() == Some("add");
                match (row.action.as_str(), on_list) {
                    ("add", true) => {
                        return Err(StoreError::Conflict(format!(
                            "dòng {}: đã có trong danh sách hưởng lợi của hoạt động",
                            i + 1
                        )));
                    }
                    ("remove", false) => {
                        return Err(StoreError::Conflict(format!(
                            "dòng {}: không có trong danh sách hưởng lợi của hoạt động",
                            i + 1
                        )));
                    }
                    _ => {}
                }
                insert_beneficiary!(tx, activity_id, row, by, &now);
            }
            insert_audit!(tx, audits);
            tx.commit().await?;
        });
        Ok(())
    }

    /// An activity's beneficiary journal, in the order written.
    pub async fn beneficiary_journal(
        &self,
        activity_id: i64,
    ) -> Result<Vec<BeneficiaryRecord>, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, BeneficiaryRecord>(
            "SELECT b.id, b.household_id, b.member_id, b.commune_code, b.action, b.reason, \
             h.code AS household_code, h.head_name, m.full_name AS member_name, \
             b.recorded_by_name, b.recorded_at \
             FROM programme_beneficiaries b \
             LEFT JOIN households h ON h.home_province = b.home_province AND h.id = b.household_id \
             LEFT JOIN members m ON m.home_province = b.home_province AND m.id = b.member_id \
             WHERE b.activity_id = $1 ORDER BY b.id",
        )
        .bind(activity_id)
        .fetch_all(pool)
        .await?),
        )
    }

    /// The disbursements of the ledger naming an activity, net of reversals, by funding
    /// source (in source code order); a source whose entries cancel out is left out.
    pub async fn activity_disbursed_by_source(
        &self,
        activity_id: i64,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT source, CAST(SUM(amount) AS BIGINT) FROM programme_entries \
             WHERE kind = 'disbursement' AND activity_id = $1 \
             GROUP BY source HAVING SUM(amount) <> 0 ORDER BY source",
        )
        .bind(activity_id)
        .fetch_all(pool)
        .await?))
    }
}
