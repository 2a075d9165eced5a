//! Saving phiếu B: one household's survey, or a village's grid of surveys in one
//! transaction (issue 15: a village of 100 households must save in under a second, and
//! a transaction per row made it take several).

use crate::households::{insert_audit, select_household, select_member, timestamp};
use crate::{
    AuditEntry, HouseholdRecord, MemberRecord, Store, StoreError, SurveyRecord, with_pool,
};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

/// One household's phiếu B to save with the version of the review household it was typed
/// on, and the audit entries that go with it.
#[derive(Debug, Clone)]
pub struct SurveyWrite {
    pub id: i64,
    pub expected_version: i64,
    pub survey: SurveyRecord,
    /// A re-check during the posting decides without a new meeting.
    pub after_recheck: bool,
    pub audit: Vec<AuditEntry>,
}

/// Writes one survey inside an open transaction and answers how many rows it changed
/// (none when the version read is no longer current).
macro_rules! update_survey {
    ($tx:expr, $w:expr, $now:expr) => {{
        let w: &SurveyWrite = $w;
        let s = &w.survey;
        sqlx::query(
            "UPDATE review_households SET income_per_capita = $1, score_a = $2, b1_answers = $3, ticks = $4, \
             derived_ticks = $5, disagreements = $6, surveyed_by = $7, surveyed_on = $8, provisional_status = $9, \
             provisional_reasons = $10, deprivation_count = $11, score_b = $12, \
             meeting_outcome = CASE WHEN $16 THEN meeting_outcome ELSE 'pending' END, \
             step = CASE WHEN $16 THEN 'agreed' ELSE 'surveyed' END, \
             version = version + 1, updated_at = $13 WHERE id = $14 AND version = $15",
        )
        .bind(s.income_per_capita)
        .bind(s.score_a)
        .bind(&s.b1_answers)
        .bind(&s.ticks)
        .bind(&s.derived_ticks)
        .bind(&s.disagreements)
        .bind(&s.surveyed_by)
        .bind(s.surveyed_on)
        .bind(&s.provisional_status)
        .bind(&s.provisional_reasons)
        .bind(s.deprivation_count)
        .bind(s.score_b)
        .bind($now)
        .bind(w.id)
        .bind(w.expected_version)
        .bind(w.after_recheck)
        .execute(&mut *$tx)
        .await?
        .rows_affected()
    }};
}

impl Store {
    /// Records phiếu B and the provisional class; the household then waits for its
    /// village meeting, unless `after_recheck`: a re-check during the posting decides
    /// without a new meeting.
    pub async fn save_survey(&self, w: &SurveyWrite, now: DateTime<Utc>) -> Result<(), StoreError> {
        let stale = self.save_surveys(std::slice::from_ref(w), now).await?;
        if !stale.is_empty() {
            return Err(StoreError::Stale("phiếu điều tra của hộ".into()));
        }
        Ok(())
    }

    /// Records the surveys of a grid in one transaction and answers the review households
    /// whose version changed since the grid was read: those are not saved (another
    /// reviewer saved them first), the others are, with their audit entries.
    pub async fn save_surveys(
        &self,
        writes: &[SurveyWrite],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        let now = timestamp(now);
        let mut stale = Vec::new();
        let mut audit = Vec::new();
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for w in writes {
                if update_survey!(tx, w, &now) == 0 {
                    stale.push(w.id);
                } else {
                    audit.extend(w.audit.iter().cloned());
                }
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(stale)
    }

    /// The households of a phiếu B grid and their active members (in their order), read
    /// in two statements: reading them household by household took about five queries a
    /// row, most of a village's save on PostgreSQL. Ids not found are left out.
    pub async fn households_for_survey(
        &self,
        ids: &[i64],
    ) -> Result<(Vec<HouseholdRecord>, Vec<MemberRecord>), StoreError> {
        if ids.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let households = format!("{} WHERE id IN (", select_household());
        let members = format!("{} WHERE active AND household_id IN (", select_member());
        Ok(with_pool!(self, pool => {
            let mut qb = QueryBuilder::new(households);
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            qb.push(")");
            let households: Vec<HouseholdRecord> =
                qb.build_query_as().fetch_all(pool).await?;
            let mut qb = QueryBuilder::new(members);
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            qb.push(") ORDER BY household_id, position, id");
            let members: Vec<MemberRecord> = qb.build_query_as().fetch_all(pool).await?;
            (households, members)
        }))
    }
}
