//! Coverage kept up to date (migrations 0136–0140): per household, policy and period, the
//! date spans over which it counts eligible and covered people (or one household). The
//! application computes the spans with the pure eligibility rule; the store keeps them,
//! sums them for a request, and marks a household stale in the same transaction as any
//! write that changes what it is counted from, so that its spans are recomputed before the
//! next coverage is read.

use crate::coverage::checked;
use crate::households::home_provinces;
use crate::{CoverageQuery, Store, StoreError, with_pool};
use chrono::NaiveDate;
use sqlx::{QueryBuilder, Row};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

/// Rows per multi-row insert of spans: 12 parameters a row, within SQLite's 32,766.
const SPAN_CHUNK: usize = 2_000;

/// Households per read of their sources.
const SOURCE_CHUNK: usize = 2_000;

/// One span of one household's coverage for one policy, placed by one classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageSpan {
    pub household_id: i64,
    pub policy: String,
    pub period: i32,
    pub valid_from: NaiveDate,
    /// The first day the span no longer holds; `None` when it is open.
    pub valid_to: Option<NaiveDate>,
    pub province_code: String,
    pub district_code: Option<String>,
    pub commune_code: String,
    pub village_code: String,
    pub eligible: i64,
    pub covered: i64,
}

/// One classification of a household as the spans read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SpanClassification {
    pub household_id: i64,
    pub id: i64,
    pub period: i32,
    pub effective_date: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub status: String,
    pub province_code: String,
    pub district_code: Option<String>,
    pub commune_code: String,
    pub village_code: String,
    pub ethnic_minority: bool,
}

/// One benefit (not voided) of a household as the spans read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SpanBenefit {
    pub household_id: i64,
    pub member_id: Option<i64>,
    pub policy: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// Everything the spans of some households are computed from: their classifications in
/// `(household, effective_date, id)` order, their active members, their benefits.
#[derive(Debug, Clone, Default)]
pub struct SpanSources {
    /// `(home_province, household_id)` of the households read.
    pub households: Vec<(String, i64)>,
    pub classifications: Vec<SpanClassification>,
    pub members: Vec<crate::CoverageMember>,
    pub benefits: Vec<SpanBenefit>,
}

/// A policy whose spans are kept: its code and the fingerprint of its rule and of the
/// units' flags the spans were computed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanState {
    pub policy: String,
    pub fingerprint: String,
}

/// A value that differs at every marking within this process and, through the clock,
/// across processes: a recomputation deletes a stale mark only if it is still the one it
/// read.
fn next_mark() -> i64 {
    static COUNTER: AtomicI64 = AtomicI64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or_default();
    nanos.wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Marks households stale inside an open transaction: `$homes` maps household ids to
/// their distribution keys (as `home_provinces!` returns), `$ids` the households. Every
/// store function that writes what coverage counts from (classifications, members,
/// benefits) calls it in its own transaction.
macro_rules! mark_coverage_stale {
    ($tx:expr, $homes:expr, $ids:expr) => {{
        let mut marked: Vec<(String, i64)> = $ids
            .into_iter()
            .filter_map(|id: i64| $homes.get(&id).map(|h: &String| (h.clone(), id)))
            .collect();
        marked.sort_unstable();
        marked.dedup();
        for chunk in marked.chunks(2_000) {
            let mark = $crate::coverage_spans::mark_value();
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO coverage_stale (home_province, household_id, mark) ",
            );
            qb.push_values(chunk, |mut b, (home, id)| {
                b.push_bind(home.clone()).push_bind(*id).push_bind(mark);
            });
            qb.push(
                " ON CONFLICT (home_province, household_id) DO UPDATE SET mark = EXCLUDED.mark",
            );
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use mark_coverage_stale;

/// The value of a new stale mark (see [`mark_coverage_stale`]).
pub(crate) fn mark_value() -> i64 {
    next_mark()
}

/// Pushes `column IN (ids…)`.
fn push_ids<DB>(qb: &mut QueryBuilder<DB>, column: &str, ids: &[i64])
where
    DB: sqlx::Database,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(column).push(" IN (");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
}

/// Pushes `home_province IN (…) AND household_id IN (…)` for these households: the
/// distribution key first, which the per-household indexes lead with (and by which Citus
/// routes the statement to the shards concerned).
fn push_households<DB>(qb: &mut QueryBuilder<DB>, households: &[(String, i64)])
where
    DB: sqlx::Database,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut homes: Vec<&String> = households.iter().map(|(home, _)| home).collect();
    homes.sort_unstable();
    homes.dedup();
    qb.push("home_province IN (");
    let mut list = qb.separated(", ");
    for home in homes {
        list.push_bind(home.clone());
    }
    qb.push(") AND ");
    let ids: Vec<i64> = households.iter().map(|(_, id)| *id).collect();
    push_ids(qb, "household_id", &ids);
}

/// Pushes `policy IN (codes…)`.
fn push_policies<DB>(qb: &mut QueryBuilder<DB>, policies: &[String])
where
    DB: sqlx::Database,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push("policy IN (");
    let mut list = qb.separated(", ");
    for p in policies {
        list.push_bind(p.clone());
    }
    qb.push(")");
}

/// A stale mark as read: `(home_province, household_id, mark)`.
pub type StaleMark = (String, i64, i64);

/// Sums of one group: `(group, village, eligible, covered)`.
pub type SpanSum = (String, String, i64, i64);

impl Store {
    /// Marks households stale outside any other write: for a bulk write that bypasses the
    /// store's own benefit, member and classification functions (a `COPY`), to be called
    /// once the rows are committed. The store's own write functions mark in their
    /// transactions and need no call.
    pub async fn mark_coverage_stale(&self, household_ids: &[i64]) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in household_ids.chunks(SOURCE_CHUNK) {
                let homes = home_provinces!(tx, chunk.iter().copied());
                mark_coverage_stale!(tx, homes, chunk.iter().copied());
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The policies whose spans are kept.
    pub async fn coverage_span_states(&self) -> Result<Vec<SpanState>, StoreError> {
        let rows: Vec<(String, String)> = with_pool!(self, pool => sqlx::query_as(
            "SELECT policy, fingerprint FROM coverage_span_state ORDER BY policy",
        )
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(policy, fingerprint)| SpanState {
                policy,
                fingerprint,
            })
            .collect())
    }

    /// Starts a rebuild of these policies' spans: their state says `building` (requests
    /// count the households themselves meanwhile) and their spans are deleted.
    pub async fn begin_coverage_rebuild(
        &self,
        policies: &[String],
        now: &str,
    ) -> Result<(), StoreError> {
        if policies.is_empty() {
            return Ok(());
        }
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE coverage_span_state SET refreshes = refreshes + 1")
                .execute(&mut *tx)
                .await?;
            for policy in policies {
                sqlx::query(
                    "INSERT INTO coverage_span_state (policy, fingerprint, built_at) \
                     VALUES ($1, 'building', $2) \
                     ON CONFLICT (policy) DO UPDATE SET fingerprint = 'building', built_at = $2",
                )
                .bind(policy)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let mut qb = QueryBuilder::new("DELETE FROM coverage_spans WHERE ");
            push_policies(&mut qb, policies);
            qb.build().execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Ends a rebuild: the policy's spans are now those of `fingerprint`.
    pub async fn finish_coverage_rebuild(
        &self,
        policy: &str,
        fingerprint: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => sqlx::query(
            "UPDATE coverage_span_state SET fingerprint = $1, built_at = $2 WHERE policy = $3",
        )
        .bind(fingerprint)
        .bind(now)
        .bind(policy)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Households in id order after `after`, at most `limit`: `(home_province, id)`.
    pub async fn coverage_households_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT home_province, id FROM households WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?))
    }

    /// The stale households, at most `limit`: `(home_province, household_id, mark)`.
    pub async fn coverage_stale(&self, limit: i64) -> Result<Vec<(String, i64, i64)>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT home_province, household_id, mark FROM coverage_stale \
             ORDER BY home_province, household_id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?))
    }

    /// Replaces the spans of some households for some policies, computed by `compute`
    /// from their sources read in the same transaction, and clears the stale marks given
    /// (each only if it is still the mark read). The first statement updates every state
    /// row, so that two replacements of one household take turns and the second reads
    /// what the first wrote.
    pub async fn replace_coverage_spans<F>(
        &self,
        households: &[(String, i64)],
        policies: &[String],
        marks: &[(String, i64, i64)],
        compute: F,
    ) -> Result<usize, StoreError>
    where
        F: FnOnce(&SpanSources) -> Vec<CoverageSpan>,
    {
        let homes: HashMap<i64, String> = households
            .iter()
            .map(|(home, id)| (*id, home.clone()))
            .collect();
        let written = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE coverage_span_state SET refreshes = refreshes + 1")
                .execute(&mut *tx)
                .await?;
            // A refresh recomputes only the households still marked once it holds the
            // lock: a concurrent refresh that took them first has already cleared them,
            // and many requests after a bulk write then do the work once, not each.
            let (households, marks): (Vec<(String, i64)>, Vec<StaleMark>) =
                if marks.is_empty() || households.is_empty() {
                    (households.to_vec(), Vec::new())
                } else {
                    let mut qb = QueryBuilder::new(
                        "SELECT home_province, household_id, mark FROM coverage_stale WHERE ",
                    );
                    push_households(&mut qb, households);
                    let current: Vec<StaleMark> =
                        qb.build_query_as().fetch_all(&mut *tx).await?;
                    (current.iter().map(|(h, id, _)| (h.clone(), *id)).collect(), current)
                };
            let households = households.as_slice();
            let mut sources = SpanSources {
                households: households.to_vec(),
                ..SpanSources::default()
            };
            let mut spans = Vec::new();
            if !households.is_empty() && !policies.is_empty() {
                let mut qb = QueryBuilder::new(
                    "SELECT household_id, id, period, effective_date, valid_until, status, \
                     province_code, district_code, commune_code, village_code, ethnic_minority \
                     FROM classifications WHERE ",
                );
                push_households(&mut qb, households);
                qb.push(" ORDER BY household_id, effective_date, id");
                sources.classifications = qb.build_query_as().fetch_all(&mut *tx).await?;
                let mut qb = QueryBuilder::new(
                    "SELECT id, household_id, birth_date, birth_year, school_level \
                     FROM members WHERE active AND ",
                );
                push_households(&mut qb, households);
                sources.members = qb.build_query_as().fetch_all(&mut *tx).await?;
                let mut qb = QueryBuilder::new(
                    "SELECT household_id, member_id, policy, valid_from, valid_to \
                     FROM benefits WHERE voided_at IS NULL AND ",
                );
                push_households(&mut qb, households);
                qb.push(" AND ");
                push_policies(&mut qb, policies);
                sources.benefits = qb.build_query_as().fetch_all(&mut *tx).await?;
                spans = compute(&sources);

                let mut qb = QueryBuilder::new("DELETE FROM coverage_spans WHERE ");
                push_households(&mut qb, households);
                qb.push(" AND ");
                push_policies(&mut qb, policies);
                qb.build().execute(&mut *tx).await?;
                for chunk in spans.chunks(SPAN_CHUNK) {
                    let mut qb = QueryBuilder::new(
                        "INSERT INTO coverage_spans (home_province, household_id, policy, period, \
                         valid_from, valid_to, province_code, district_code, commune_code, \
                         village_code, eligible, covered) ",
                    );
                    qb.push_values(chunk, |mut b, s| {
                        b.push_bind(homes.get(&s.household_id).cloned().unwrap_or_default())
                            .push_bind(s.household_id)
                            .push_bind(s.policy.clone())
                            .push_bind(s.period)
                            .push_bind(s.valid_from)
                            .push_bind(s.valid_to)
                            .push_bind(s.province_code.clone())
                            .push_bind(s.district_code.clone())
                            .push_bind(s.commune_code.clone())
                            .push_bind(s.village_code.clone())
                            .push_bind(s.eligible)
                            .push_bind(s.covered);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
            }
            // One distribution key at a time, so that Citus routes each to one shard.
            for (home, id, mark) in &marks {
                sqlx::query(
                    "DELETE FROM coverage_stale WHERE home_province = $1 AND household_id = $2 \
                     AND mark = $3",
                )
                .bind(home)
                .bind(id)
                .bind(mark)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            spans.len()
        });
        Ok(written)
    }

    /// The sums of the spans of `q.policy` valid on `q.as_of`, for the households placed
    /// in the scope for the period, by group and village: `(group, village, eligible,
    /// covered)`. When re-based, the group is the village (see `CoverageQuery`).
    pub async fn coverage_span_sums(
        &self,
        q: &CoverageQuery<'_>,
    ) -> Result<Vec<SpanSum>, StoreError> {
        checked(q.scope_column)?;
        checked(q.group_column)?;
        let group = q.stored_group();
        let rows = with_pool!(self, pool => {
            let mut qb = QueryBuilder::new(format!(
                "SELECT COALESCE(s.{group}, ''), s.village_code, SUM(s.eligible), SUM(s.covered) \
                 FROM coverage_spans s WHERE s.policy = "
            ));
            qb.push_bind(q.policy.to_string());
            qb.push(" AND s.period = ").push_bind(q.period);
            qb.push(" AND ");
            q.push_scope(&mut qb, &format!("s.{}", q.scope_column));
            qb.push(" AND s.valid_from <= ").push_bind(q.as_of);
            qb.push(" AND (s.valid_to IS NULL OR s.valid_to > ")
                .push_bind(q.as_of);
            qb.push(format!(") GROUP BY COALESCE(s.{group}, ''), s.village_code"));
            let rows = qb.build().fetch_all(pool).await?;
            let mut sums = Vec::with_capacity(rows.len());
            for row in rows {
                sums.push((
                    row.try_get::<String, _>(0)?,
                    row.try_get::<String, _>(1)?,
                    row.try_get::<i64, _>(2)?,
                    row.try_get::<i64, _>(3)?,
                ));
            }
            sums
        });
        Ok(match q.rebase {
            None => rows,
            Some(rebase) => rows
                .into_iter()
                .filter_map(|(_, village, e, c)| {
                    rebase
                        .unit_of(Some(&village))
                        .map(|group| (group, village, e, c))
                })
                .collect(),
        })
    }
}
