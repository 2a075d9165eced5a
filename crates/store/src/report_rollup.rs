//! The figures read from the per-village counts kept with each classification written
//! (migration 0095): the trend over the years, the period a dashboard or report opens on,
//! the communes with a period's lists, and the dashboard's households and deprivations
//! per unit and status.
//!
//! A classification row counts in exactly one key of the counts (its units, period,
//! status, deprivation list if it is on a list, and the span of dates it holds), so that
//! summing the keys whose span holds on a day gives the count of the rows holding that
//! day, and a key with households above zero and taking effect by a day says that the
//! unit has rows of the period by then. These reads therefore give the same answers as
//! counting the classifications, from a few rows per village instead of every household's
//! rows (the dashboard of a district of 30,000 households scanned them four times).

use crate::reports::{Fact, ReportScope, unit_column};
use crate::{Store, StoreError, with_pool};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Row};
use std::collections::{BTreeMap, HashSet};

/// The counts' table.
const COUNTS: &str = "classification_village_counts";

/// True for the keys of `alias` whose span holds on the date in `as_of` (a parameter
/// name); a latest row's span ends on '9999-12-31'.
fn holds_on(alias: &str, as_of: &str) -> String {
    format!("{alias}.effective_date <= {as_of} AND {alias}.valid_until > {as_of}")
}

/// The row unit of a counted key's unit value: the district is kept as '' where a row
/// has none, which a count of the rows leaves out as it leaves out a NULL.
fn stored_unit(scope: &ReportScope, value: String) -> Option<String> {
    scope.row_unit(Some(value).filter(|v| !v.is_empty()))
}

impl Store {
    /// Households per period and status (the trend over years), each period as of a date.
    pub async fn status_trend(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        as_of: NaiveDate,
    ) -> Result<Vec<(i32, String, i64)>, StoreError> {
        self.status_trend_in(
            &ReportScope::as_stored(scope_column, scope_code, scope_column),
            as_of,
        )
        .await
    }

    /// [`Store::status_trend`] of a scope, re-based when the scope is: every period then
    /// counts the households of the villages the unit has on the scope's day, so that a
    /// commune made by the 2025 reform shows the years of the communes it absorbed.
    pub async fn status_trend_in(
        &self,
        scope: &ReportScope,
        as_of: NaiveDate,
    ) -> Result<Vec<(i32, String, i64)>, StoreError> {
        scope.check()?;
        // A re-based scope needs each key's village to place it; a stored one sums its
        // keys straight away. A span emptied by a later row keeps its key with 0
        // households: left out, as a count of the rows would leave it out.
        let village = if scope.rebase.is_some() {
            ", k.village_code"
        } else {
            ", ''"
        };
        let grouped_village = if scope.rebase.is_some() {
            ", k.village_code"
        } else {
            ""
        };
        let sql = format!(
            "SELECT k.period, k.status{village}, CAST(SUM(k.households) AS BIGINT) FROM {COUNTS} k \
             WHERE {narrows} AND {holds} \
             GROUP BY k.period, k.status{grouped_village} HAVING SUM(k.households) > 0",
            narrows = scope.narrows(&format!("k.{}", scope.scope_column), 3),
            holds = holds_on("k", "$2"),
        );
        let rows: Vec<(i32, String, String, i64)> = with_pool!(self, pool => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(&scope.scope_code)
                .bind(as_of);
            for code in scope.extra_codes() {
                q = q.bind(code);
            }
            q.fetch_all(pool).await?
        });
        let mut sums: BTreeMap<(i32, String), i64> = BTreeMap::new();
        for (period, status, village, n) in rows {
            if scope.rebase.is_some() && scope.row_unit(Some(village)).is_none() {
                continue;
            }
            *sums.entry((period, status)).or_default() += n;
        }
        Ok(sums.into_iter().map(|((p, s), n)| (p, s, n)).collect())
    }

    /// Households per row unit and status for a period as of a date, and how many of
    /// them are deprived in each of `indicators` (codes, `[a-z0-9_]`), as the facts
    /// `{status}.households` and `{status}.deprived.{indicator}`: the figures of
    /// [`Store::status_facts`] that the dashboard shows. Deprivations are kept for the
    /// households on a list (poor and near-poor) only, and are zero for the others.
    pub async fn status_counts(
        &self,
        scope: &ReportScope,
        period: i32,
        as_of: NaiveDate,
        indicators: &[&str],
    ) -> Result<Vec<Fact>, StoreError> {
        scope.check()?;
        let sql = format!(
            "SELECT k.status, k.{g}, k.deprived, CAST(SUM(k.households) AS BIGINT) FROM {COUNTS} k \
             WHERE {narrows} AND k.period = $2 AND {holds} \
             GROUP BY k.status, {units}, k.deprived HAVING SUM(k.households) > 0",
            g = scope.stored_group(),
            narrows = scope.narrows(&format!("k.{}", scope.scope_column), 4),
            holds = holds_on("k", "$3"),
            units = scope.unit_grouping("k"),
        );
        let mut sums: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
        with_pool!(self, pool => {
            let mut q = sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(&scope.scope_code)
                .bind(period)
                .bind(as_of);
            for code in scope.extra_codes() {
                q = q.bind(code);
            }
            for row in q.fetch_all(pool).await? {
                let status: String = row.try_get(0)?;
                let Some(unit) = stored_unit(scope, row.try_get(1)?) else {
                    continue;
                };
                let deprived: String = row.try_get(2)?;
                let households: i64 = row.try_get(3)?;
                let total = sums
                    .entry((unit, status))
                    .or_insert_with(|| vec![0; 1 + indicators.len()]);
                total[0] += households;
                for (i, code) in indicators.iter().enumerate() {
                    if deprived.split(',').any(|c| c.trim() == *code) {
                        total[1 + i] += households;
                    }
                }
            }
        });
        let mut facts = Vec::with_capacity(sums.len() * (1 + indicators.len()));
        for ((unit, status), values) in sums {
            let keys = std::iter::once(format!("{status}.households")).chain(
                indicators
                    .iter()
                    .map(|code| format!("{status}.deprived.{code}")),
            );
            for (key, value) in keys.zip(values) {
                facts.push(Fact {
                    unit: unit.clone(),
                    key,
                    value,
                });
            }
        }
        Ok(facts)
    }

    /// The latest period with a classification in a unit that took effect on or before a
    /// date (none when the unit has none).
    pub async fn latest_period(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        as_of: NaiveDate,
    ) -> Result<Option<i32>, StoreError> {
        self.period_of("MAX", scope_column, scope_code, as_of).await
    }

    /// The earliest period with classifications in a unit (taken effect on or before a
    /// date): how far back a movement table looks for a commune's list in force.
    pub async fn earliest_period(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        as_of: NaiveDate,
    ) -> Result<Option<i32>, StoreError> {
        self.period_of("MIN", scope_column, scope_code, as_of).await
    }

    /// The latest period for which every commune of a unit that has any classification
    /// (taken effect on or before a date) has one: the period a dashboard or report can
    /// show whole. One commune that has already decided next year's lists must not make
    /// its district open on a year the others have not reached. None when no period is
    /// complete (or the unit has no classification).
    pub async fn latest_complete_period(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        as_of: NaiveDate,
    ) -> Result<Option<i32>, StoreError> {
        unit_column(scope_column)?;
        // The communes of each period are read and compared here: the unit's keys are a
        // few per village and period.
        let sql = format!(
            "SELECT DISTINCT k.period, k.commune_code FROM {COUNTS} k \
             WHERE k.{scope_column} = $1 AND k.effective_date <= $2 AND k.households > 0"
        );
        let rows: Vec<(i32, String)> = with_pool!(self, pool =>
            sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(scope_code)
                .bind(as_of)
                .fetch_all(pool)
                .await?);
        let all: HashSet<&str> = rows.iter().map(|(_, c)| c.as_str()).collect();
        let mut per_period: BTreeMap<i32, usize> = BTreeMap::new();
        for (period, _) in &rows {
            *per_period.entry(*period).or_default() += 1;
        }
        Ok(per_period
            .into_iter()
            .filter(|(_, n)| *n == all.len())
            .map(|(p, _)| p)
            .next_back())
    }

    /// The first or last (`aggregate`, `MIN` or `MAX`) period with a classification in a
    /// unit, taken effect on or before a date.
    async fn period_of(
        &self,
        aggregate: &str,
        scope_column: &'static str,
        scope_code: &str,
        as_of: NaiveDate,
    ) -> Result<Option<i32>, StoreError> {
        unit_column(scope_column)?;
        let sql = format!(
            "SELECT {aggregate}(k.period) FROM {COUNTS} k \
             WHERE k.{scope_column} = $1 AND k.effective_date <= $2 AND k.households > 0"
        );
        Ok(with_pool!(self, pool =>
            sqlx::query_scalar::<_, Option<i32>>(AssertSqlSafe(sql.as_str()))
                .bind(scope_code)
                .bind(as_of)
                .fetch_one(pool)
                .await?))
    }

    /// The communes of a unit with classifications of a period taken effect on or before
    /// a date, so that a page can name the communes that have none.
    pub async fn communes_with_period(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        period: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<String>, StoreError> {
        self.communes_with_period_in(
            &ReportScope::as_stored(scope_column, scope_code, "commune_code"),
            period,
            as_of,
        )
        .await
    }

    /// [`Store::communes_with_period`] of a scope whose rows are communes, re-based when
    /// the scope is (a new commune has the years of the communes it absorbed).
    pub async fn communes_with_period_in(
        &self,
        scope: &ReportScope,
        period: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<String>, StoreError> {
        scope.check()?;
        let stored = if scope.rebase.is_some() {
            "village_code"
        } else {
            "commune_code"
        };
        let sql = format!(
            "SELECT DISTINCT k.{stored} FROM {COUNTS} k \
             WHERE {narrows} AND k.period = $2 AND k.effective_date <= $3 AND k.households > 0",
            narrows = scope.narrows(&format!("k.{}", scope.scope_column), 4),
        );
        let codes: Vec<String> = with_pool!(self, pool => {
            let mut q = sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
                .bind(&scope.scope_code)
                .bind(period)
                .bind(as_of);
            for code in scope.extra_codes() {
                q = q.bind(code);
            }
            q.fetch_all(pool).await?
        });
        let communes: HashSet<String> = if scope.rebase.is_some() {
            codes
                .into_iter()
                .filter_map(|v| scope.row_unit(Some(v)))
                .collect()
        } else {
            codes.into_iter().collect()
        };
        let mut communes: Vec<String> = communes.into_iter().collect();
        communes.sort();
        Ok(communes)
    }
}
