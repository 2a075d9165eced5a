//! The figures behind the official reports, the plan targets and the dashboard.
//!
//! A household's status for a period "as of" a date is its classification for that period
//! with the latest `(effective_date, id)` on or before the date; later reviews and
//! corrections therefore never change a report for a past date. Each classification
//! keeps the date its successor takes effect (`valid_until`) and what the review found of
//! the household (minority, merit, working capacity, children, the head's ethnicity), so
//! that a report is one pass over a `(scope, period)` index range with plain `GROUP BY`
//! and `CASE`, which SQLite, PostgreSQL and Citus (tables distributed by
//! `province_code`) all run; no window functions.

use crate::rebase::{Rebase, placeholders};
use crate::{Store, StoreError, with_pool};
use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;
use std::sync::Arc;

mod targets;
pub use targets::{BoundaryRecord, TargetInput, TargetRecord};

/// The household and classification columns that name a unit.
const UNIT_COLUMNS: [&str; 4] = [
    "village_code",
    "commune_code",
    "district_code",
    "province_code",
];

/// Refuses a column name that is not a unit column: the name goes into SQL text.
pub(crate) fn unit_column(column: &str) -> Result<(), StoreError> {
    if UNIT_COLUMNS.contains(&column) {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("cột đơn vị {column}")))
    }
}

/// Which households a report covers and how it groups them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportScope {
    /// The column that holds the report's unit (`district_code` for a district report).
    pub scope_column: &'static str,
    pub scope_code: String,
    /// The column whose values are the report's rows (`commune_code` for a district).
    pub group_column: &'static str,
    /// Rows placed by their villages on the units of another day (the report's basis)
    /// instead of by the units stored on them; none groups rows as they were.
    pub rebase: Option<Arc<Rebase>>,
}

impl ReportScope {
    /// A scope that groups by the units stored on the rows.
    pub fn as_stored(
        scope_column: &'static str,
        scope_code: &str,
        group_column: &'static str,
    ) -> ReportScope {
        ReportScope {
            scope_column,
            scope_code: scope_code.to_string(),
            group_column,
            rebase: None,
        }
    }

    /// The condition narrowing rows of `alias` to the scope, `column` the scope's column
    /// there: its code (`$1`), or when re-based every code the scope's villages were
    /// stored under (`$1` and the parameters from `$from`, bound by [`Self::extra_codes`]).
    pub(crate) fn narrows(&self, column: &str, from: usize) -> String {
        match &self.rebase {
            None => format!("{column} = $1"),
            Some(r) => format!(
                "{column} IN ($1{}{})",
                if r.stored_scope_codes.is_empty() {
                    ""
                } else {
                    ", "
                },
                placeholders(from, r.stored_scope_codes.len())
            ),
        }
    }

    /// The codes [`Self::narrows`] binds after the query's own parameters.
    pub(crate) fn extra_codes(&self) -> &[String] {
        self.rebase
            .as_deref()
            .map(|r| r.stored_scope_codes.as_slice())
            .unwrap_or(&[])
    }

    /// The row unit of a stored unit value (`village` when re-based, where the query
    /// selected the village), none when the row lies outside the scope.
    pub(crate) fn row_unit(&self, stored: Option<String>) -> Option<String> {
        match &self.rebase {
            None => stored,
            Some(r) => r.unit_of(stored.as_deref()),
        }
    }

    /// The column a query selects as a row's unit: the grouping column, or the village
    /// that decides the unit when re-based.
    pub(crate) fn stored_group(&self) -> &'static str {
        if self.rebase.is_some() {
            "village_code"
        } else {
            self.group_column
        }
    }

    pub(crate) fn check(&self) -> Result<(), StoreError> {
        if UNIT_COLUMNS.contains(&self.scope_column) && UNIT_COLUMNS.contains(&self.group_column) {
            Ok(())
        } else {
            Err(StoreError::NotFound(format!(
                "cột đơn vị {} / {}",
                self.scope_column, self.group_column
            )))
        }
    }
}

/// One figure of one unit: `poor.households`, `near_poor.deprived.water`, …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub unit: String,
    pub key: String,
    pub value: i64,
}

/// Households that moved the same way between the two periods of a movement table.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MovementGroup {
    pub prev_unit: Option<String>,
    pub prev_status: Option<String>,
    pub cur_unit: Option<String>,
    pub cur_status: Option<String>,
    pub transition: Option<String>,
    pub active: bool,
    pub split: bool,
    pub households: i64,
}

/// One household with its status at the start and at the end of a period, for the
/// drill-down lists behind the figures.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HouseholdStatusRow {
    pub id: i64,
    pub code: String,
    pub head_name: String,
    pub head_sort_key: String,
    pub village_code: String,
    pub village_name: String,
    pub address: String,
    pub member_count: i32,
    pub active: bool,
    pub split: bool,
    /// The registry's mark, for the registry figures.
    pub ethnic_minority: bool,
    /// What the classification of the period kept of the household (none when it has
    /// no classification for the period), for the status figures.
    pub cur_ethnic_minority: Option<bool>,
    pub cur_merit: Option<bool>,
    pub cur_female_headed: Option<bool>,
    pub cur_no_labour: Option<bool>,
    pub cur_children: Option<i32>,
    pub cur_head_ethnicity: Option<String>,
    pub cur_unit: Option<String>,
    pub cur_status: Option<String>,
    pub cur_transition: Option<String>,
    pub cur_deprived: Option<String>,
    pub cur_causes: Option<String>,
    pub cur_people: Option<i32>,
    pub cur_area: Option<String>,
    pub prev_unit: Option<String>,
    pub prev_status: Option<String>,
}

/// Health-insurance cards of the people of poor or near-poor households.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InsuranceCount {
    pub people: i64,
    pub insured: i64,
}

/// Binds a figure query's parameters: `$1` the scope's code, `$2` the period, `$3` the
/// date, and after them the codes a re-based scope narrows to ([`ReportScope::narrows`]
/// from `$4`).
macro_rules! bind_scope {
    ($q:expr, $scope:expr, $period:expr, $as_of:expr) => {{
        let mut q = $q.bind(&$scope.scope_code).bind($period).bind($as_of);
        for code in $scope.extra_codes() {
            q = q.bind(code);
        }
        q
    }};
}

/// True for the classification `alias` that holds its household's status as of the date
/// in `as_of` (a parameter name): the latest of its period on or before that date
/// (migration 0012 keeps `valid_until`).
fn holds_as_of(alias: &str, as_of: &str) -> String {
    format!(
        "{alias}.effective_date <= {as_of} \
         AND ({alias}.valid_until IS NULL OR {alias}.valid_until > {as_of})"
    )
}

/// Each household's classification for period `period` (a parameter name) as of `$3`,
/// within the scope `$1` (and the re-based scope's codes from `$from`). `unit` is the
/// grouping column, or the village when re-based.
fn latest(scope: &ReportScope, period: &str, from: usize) -> String {
    latest_where(scope, &format!("c.period = {period}"), from)
}

/// Each household's classification at the start of period `$2` as of `$3`, the pairs'
/// start row (migration 0056): its row of the latest earlier period in the same province
/// when it has a row of `$2`, else its row of `$2 - 1` (`$4`), if any. Within the scope
/// as [`latest`].
fn start_of(scope: &ReportScope, from: usize) -> String {
    let same = |a: &str| {
        format!(
            "{a}.household_id = c.household_id AND {a}.home_province = c.home_province \
             AND {a}.province_code = c.province_code"
        )
    };
    latest_where(
        scope,
        &format!(
            "c.period = CASE WHEN EXISTS (SELECT 1 FROM classifications r WHERE {r} AND r.period = $2) \
                 THEN (SELECT MAX(q.period) FROM classifications q WHERE {q} AND q.period < $2) \
                 ELSE $4 END",
            r = same("r"),
            q = same("q"),
        ),
        from,
    )
}

fn latest_where(scope: &ReportScope, period: &str, from: usize) -> String {
    format!(
        "SELECT c.household_id, c.home_province, c.{g} AS unit, c.status, c.transition, c.member_count, \
                c.deprived, c.causes, c.area, c.province_code, c.ethnic_minority, c.merit, \
                c.female_headed, c.no_labour, c.children, c.head_ethnicity \
         FROM classifications c \
         WHERE {narrows} AND {period} AND {holds}",
        g = scope.stored_group(),
        narrows = scope.narrows(&format!("c.{}", scope.scope_column), from),
        holds = holds_as_of("c", "$3"),
    )
}

impl ReportScope {
    /// The columns a figure query groups the rows by: the row unit's, except that a
    /// province's rows are grouped by district and commune together, the order of its
    /// report indexes (migration 0014), so that the groups come straight off the index
    /// whether the rows are districts or (without districts) communes. The caller sums
    /// the groups of a row unit.
    pub(crate) fn unit_grouping(&self, alias: &str) -> String {
        if self.rebase.is_some() {
            return format!("{alias}.village_code");
        }
        match (self.scope_column, self.group_column) {
            ("province_code", "district_code" | "commune_code") => {
                format!("{alias}.district_code, {alias}.commune_code")
            }
            (_, g) => format!("{alias}.{g}"),
        }
    }
}

fn safe_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Store {
    /// Brings the planner's statistics up to date after a bulk load (the demo, an
    /// import): without them PostgreSQL plans the report joins as if the tables were
    /// empty until autovacuum catches up, and a report takes seconds. On PostgreSQL the
    /// tables the reports read are vacuumed too: until a page is marked all-visible, an
    /// index-only scan still visits the table for each row, which doubles a district's
    /// report time right after a load. VACUUM reads only the pages changed since the
    /// last one, so a small import stays quick.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        match &self.pool {
            crate::Pool::Sqlite(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
            crate::Pool::Postgres(pool) => {
                // VACUUM runs outside a transaction, so as a simple query of its own.
                sqlx::raw_sql("VACUUM (ANALYZE) households, members, classifications, movements")
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Refreshes PostgreSQL's statistics of the registry and the classifications once
    /// the classifications have grown by half since they were last gathered. Growth, not
    /// changes, is what misleads the planner: rows rewritten in place (a span ended, a
    /// status corrected) leave the table's size and the statistics' shape as they were,
    /// yet counted as changes they fired an ANALYZE 18 times during one load. A bulk load (a province's baseline lists, an import) on a server
    /// without autovacuum, or faster than it, would otherwise plan every chunk as if the
    /// tables were empty: a list of a thousand households then looks no more selective
    /// than the whole table, and each chunk scans all the rows before it. One ANALYZE
    /// samples a fixed number of rows, so a load of any size runs a handful of them.
    pub(crate) async fn refresh_statistics_if_grown(&self) -> Result<(), StoreError> {
        let crate::Pool::Postgres(pool) = &self.pool else {
            return Ok(());
        };
        let stale: bool = sqlx::query_scalar(
            "SELECT COALESCE(MAX(CASE WHEN s.n_live_tup > 1000 + 1.5 * GREATEST(c.reltuples, 0) \
                                 THEN 1 ELSE 0 END), 0) = 1 \
             FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid \
             WHERE s.relname = 'classifications' AND s.schemaname = current_schema()",
        )
        .fetch_one(pool)
        .await?;
        if stale {
            sqlx::query("ANALYZE households, members, classifications, movements")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Registry figures per row unit: active households, their people and ethnic-minority
    /// households (`households`, `people`, `ethnic_minority`).
    pub async fn registry_facts(&self, scope: &ReportScope) -> Result<Vec<Fact>, StoreError> {
        scope.check()?;
        let rows = match &scope.rebase {
            Some(rebase) => self.registry_by_village(rebase).await?,
            None => self.registry_as_stored(scope).await?,
        };
        let mut sums: BTreeMap<String, [i64; 3]> = BTreeMap::new();
        for (unit, households, people, minority) in rows {
            let sum = sums.entry(unit).or_default();
            sum[0] += households;
            sum[1] += people;
            sum[2] += minority;
        }
        let mut facts = Vec::with_capacity(sums.len() * 3);
        for (unit, [households, people, minority]) in sums {
            for (key, value) in [
                ("households", households),
                ("people", people),
                ("ethnic_minority", minority),
            ] {
                facts.push(Fact {
                    unit: unit.clone(),
                    key: key.to_string(),
                    value,
                });
            }
        }
        Ok(facts)
    }

    /// The registry's (unit, households, people, minority) groups by the units stored on
    /// the households (today's).
    async fn registry_as_stored(
        &self,
        scope: &ReportScope,
    ) -> Result<Vec<(String, i64, i64, i64)>, StoreError> {
        let sql = format!(
            "SELECT h.{g} AS unit, COUNT(*) AS households, \
                    COALESCE(SUM(h.member_count), 0) AS people, \
                    SUM(CASE WHEN h.ethnic_minority THEN 1 ELSE 0 END) AS ethnic_minority \
             FROM households h WHERE h.{s} = $1 AND h.active AND h.{g} IS NOT NULL \
             GROUP BY {units}",
            g = scope.group_column,
            s = scope.scope_column,
            units = scope.unit_grouping("h"),
        );
        Ok(with_pool!(self, pool =>
            sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(&scope.scope_code)
                .fetch_all(pool)
                .await?))
    }

    /// The registry's groups by village, each counted in its village's row unit. The
    /// villages are asked for in chunks, each an index range of the households.
    async fn registry_by_village(
        &self,
        rebase: &Rebase,
    ) -> Result<Vec<(String, i64, i64, i64)>, StoreError> {
        let mut villages: Vec<&String> = rebase.villages.keys().collect();
        villages.sort();
        let mut out = Vec::new();
        for chunk in villages.chunks(500) {
            let sql = format!(
                "SELECT h.village_code, COUNT(*), COALESCE(SUM(h.member_count), 0), \
                        SUM(CASE WHEN h.ethnic_minority THEN 1 ELSE 0 END) \
                 FROM households h WHERE h.active AND h.village_code IN ({}) \
                 GROUP BY h.village_code",
                placeholders(1, chunk.len())
            );
            let rows: Vec<(String, i64, i64, i64)> = with_pool!(self, pool => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str()));
                for v in chunk {
                    q = q.bind(*v);
                }
                q.fetch_all(pool).await?
            });
            out.extend(
                rows.into_iter().filter_map(|(v, h, p, m)| {
                    rebase.villages.get(&v).map(|u| (u.clone(), h, p, m))
                }),
            );
        }
        Ok(out)
    }

    /// Figures per row unit and status for a period as of a date:
    /// `{status}.households`, `.people`, `.ethnic_minority`, `.merit`, `.female_headed`,
    /// `.urban`, `.no_labour`, `.deprived.{indicator}`, `.cause.{cause}`, `.children`,
    /// `.ethnicity.{name}`. `indicators` and `causes` are codes (`[a-z0-9_]`). The
    /// household figures are those kept on the classification (what the review found).
    pub async fn status_facts(
        &self,
        scope: &ReportScope,
        period: i32,
        as_of: NaiveDate,
        indicators: &[&str],
        causes: &[&str],
    ) -> Result<Vec<Fact>, StoreError> {
        scope.check()?;
        if let Some(bad) = indicators.iter().chain(causes).find(|c| !safe_code(c)) {
            return Err(StoreError::NotFound(format!("mã chỉ số «{bad}»")));
        }
        let flag = |column: &str| format!("SUM(CASE WHEN c.{column} THEN 1 ELSE 0 END)");
        let columns = [
            "COUNT(*)".to_string(),
            "COALESCE(SUM(c.member_count), 0)".to_string(),
            flag("ethnic_minority"),
            flag("merit"),
            flag("female_headed"),
            "SUM(CASE WHEN c.area = 'urban' THEN 1 ELSE 0 END)".to_string(),
            flag("no_labour"),
            "COALESCE(SUM(c.children), 0)".to_string(),
        ];
        const KEYS: [&str; 8] = [
            "households",
            "people",
            "ethnic_minority",
            "merit",
            "female_headed",
            "urban",
            "no_labour",
            "children",
        ];
        // Deprivations and causes are counted here from the distinct lists, which are
        // far fewer than the households: testing every code against every row in SQL
        // would cost more than the rest of the report.
        let lists = !indicators.is_empty() || !causes.is_empty();
        let (listed, list_columns) = if lists {
            ("c.deprived, c.causes", ", c.deprived, c.causes")
        } else {
            ("'', ''", "")
        };
        // The grouping follows the report indexes' order (status, unit, ethnicity, lists)
        // so that the groups come straight off the index.
        let sql = format!(
            "SELECT c.status, c.{g}, c.head_ethnicity, {listed}, {cols} \
             FROM classifications c \
             WHERE {narrows} AND c.period = $2 AND {holds} \
             GROUP BY c.status, {units}, c.head_ethnicity{list_columns}",
            g = scope.stored_group(),
            narrows = scope.narrows(&format!("c.{}", scope.scope_column), 4),
            cols = columns.join(", "),
            holds = holds_as_of("c", "$3"),
            units = scope.unit_grouping("c"),
        );
        let mut sums: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
        let mut ethnicities: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut facts = Vec::new();
        with_pool!(self, pool => {
            let q = bind_scope!(sqlx::query(AssertSqlSafe(sql.as_str())), scope, period, as_of);
            let rows = q.fetch_all(pool).await?;
            for row in rows {
                let status: String = row.try_get(0)?;
                let unit: Option<String> = scope.row_unit(row.try_get(1)?);
                let ethnicity: Option<String> = row.try_get(2)?;
                let deprived: String = row.try_get(3)?;
                let cause_list: String = row.try_get(4)?;
                let Some(unit) = unit else { continue };
                let values = (0..KEYS.len())
                    .map(|i| row.try_get::<i64, _>(i + 5))
                    .collect::<Result<Vec<i64>, _>>()?;
                let households = values[0];
                if let Some(ethnicity) = ethnicity {
                    *ethnicities
                        .entry((unit.clone(), format!("{status}.ethnicity.{ethnicity}")))
                        .or_default() += households;
                }
                let total = sums
                    .entry((unit, status))
                    .or_insert_with(|| vec![0; KEYS.len() + indicators.len() + causes.len()]);
                for (t, v) in total.iter_mut().zip(&values) {
                    *t += v;
                }
                let listed = |list: &str, code: &str| list.split(',').any(|c| c.trim() == code);
                for (i, code) in indicators.iter().enumerate() {
                    if listed(&deprived, code) {
                        total[KEYS.len() + i] += households;
                    }
                }
                for (i, code) in causes.iter().enumerate() {
                    if listed(&cause_list, code) {
                        total[KEYS.len() + indicators.len() + i] += households;
                    }
                }
            }
        });
        for ((unit, key), value) in ethnicities {
            facts.push(Fact { unit, key, value });
        }
        let keys: Vec<String> = KEYS
            .iter()
            .map(|k| k.to_string())
            .chain(indicators.iter().map(|c| format!("deprived.{c}")))
            .chain(causes.iter().map(|c| format!("cause.{c}")))
            .collect();
        for ((unit, status), values) in sums {
            for (key, value) in keys.iter().zip(values) {
                facts.push(Fact {
                    unit: unit.clone(),
                    key: format!("{status}.{key}"),
                    value,
                });
            }
        }
        Ok(facts)
    }

    /// Households grouped by how their status moved from the start of `period` (the list
    /// in force when it began: the household's latest earlier period, migration 0056) to
    /// its end, both as of `as_of`: every household of the scope that counts in a
    /// movement table (poor or near-poor at either end, or with a recorded movement).
    ///
    /// Read from the pairs kept in `movements` (migration 0013) in two halves, each
    /// household in exactly one: those whose end row is in the scope and on a list or
    /// recording a movement, and those whose start row is in the scope and on a list
    /// while their end row is not such a row of the scope. An end outside the scope is
    /// shown as missing, as the scope's own table sees it.
    pub async fn movement_groups(
        &self,
        scope: &ReportScope,
        period: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<MovementGroup>, StoreError> {
        scope.check()?;
        // Pairs are kept within a province, so the province of either end is the row's.
        let in_scope = |end: &str| match scope.scope_column {
            "province_code" => format!(
                "(m.{end}_status IS NOT NULL AND {})",
                scope.narrows("m.province_code", 4)
            ),
            s => scope.narrows(&format!("m.{end}_{s}"), 4),
        };
        let unit = |end: &str| match scope.stored_group() {
            "province_code" => {
                format!("CASE WHEN m.{end}_status IS NULL THEN NULL ELSE m.province_code END")
            }
            g => format!("m.{end}_{g}"),
        };
        let end_counts = "(m.cur_status IN ('poor', 'near_poor') \
                           OR (m.transition IS NOT NULL AND m.transition <> 'unchanged'))";
        let holds = "m.period = $2 AND m.valid_from <= $3 \
                     AND (m.valid_until IS NULL OR m.valid_until > $3)";
        // One half's groups. The half shows its other end only where that end is in the
        // scope too: the start row in the first half (`gate_prev`), the end row in the
        // second.
        let half = |gate_prev: bool, filter: String| {
            let shown = |end: &str, expr: String| {
                if gate_prev == (end == "prev") {
                    format!("CASE WHEN {} THEN {expr} END", in_scope(end))
                } else {
                    expr
                }
            };
            format!(
                "SELECT {} AS prev_unit, {} AS prev_status, {} AS cur_unit, {} AS cur_status, \
                        {} AS transition, m.active AS active, m.split AS split \
                 FROM movements m WHERE {filter} AND {holds}",
                shown("prev", unit("prev")),
                shown("prev", "m.prev_status".into()),
                shown("cur", unit("cur")),
                shown("cur", "m.cur_status".into()),
                shown("cur", "m.transition".into()),
            )
        };
        let sql = format!(
            "SELECT x.prev_unit, x.prev_status, x.cur_unit, x.cur_status, x.transition, \
                    x.active, x.split, COUNT(*) AS households \
             FROM ({first} UNION ALL {second}) x \
             GROUP BY x.prev_unit, x.prev_status, x.cur_unit, x.cur_status, x.transition, \
                      x.active, x.split",
            first = half(true, format!("{} AND {end_counts}", in_scope("cur"))),
            second = half(
                false,
                format!(
                    "{} AND m.prev_status IN ('poor', 'near_poor') \
                     AND CASE WHEN {} AND {end_counts} THEN 0 ELSE 1 END = 1",
                    in_scope("prev"),
                    in_scope("cur")
                )
            ),
        );
        let groups = with_pool!(self, pool => {
            let q = bind_scope!(sqlx::query_as::<_, MovementGroup>(AssertSqlSafe(sql.as_str())), scope, period, as_of);
            q.fetch_all(pool).await?
        });
        if scope.rebase.is_none() {
            return Ok(groups);
        }
        // Each end goes to its village's unit; an end whose village lies outside the
        // scope now is shown as missing, as the query shows an end outside the scope.
        Ok(groups
            .into_iter()
            .filter_map(|mut g| {
                g.prev_unit = scope.row_unit(g.prev_unit.take());
                if g.prev_unit.is_none() {
                    g.prev_status = None;
                }
                g.cur_unit = scope.row_unit(g.cur_unit.take());
                if g.cur_unit.is_none() {
                    g.cur_status = None;
                    g.transition = None;
                }
                (g.prev_unit.is_some() || g.cur_unit.is_some()).then_some(g)
            })
            .collect())
    }

    /// Every household of a unit (by its registry unit or by a classification of `period`
    /// or an earlier one there) with its statuses at the start and the end of `period`
    /// (the start as the movement pairs take it, [`start_of`]), in the
    /// Vietnamese order of the head's name. `scope.group_column` is the unit the
    /// statuses are grouped by, as in the report.
    pub async fn household_statuses(
        &self,
        scope: &ReportScope,
        period: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<HouseholdStatusRow>, StoreError> {
        scope.check()?;
        let v_latest = crate::units::latest_version("v", "h.village_code");
        let sql = format!(
            "SELECT h.id, h.code, h.head_name, h.head_sort_key, h.village_code, \
                    COALESCE(v.name, h.village_code) AS village_name, h.address, h.member_count, \
                    h.active, CASE WHEN h.split_from IS NULL THEN FALSE ELSE TRUE END AS split, \
                    h.ethnic_minority, \
                    cur.ethnic_minority AS cur_ethnic_minority, cur.merit AS cur_merit, \
                    cur.female_headed AS cur_female_headed, cur.no_labour AS cur_no_labour, \
                    cur.children AS cur_children, cur.head_ethnicity AS cur_head_ethnicity, \
                    cur.unit AS cur_unit, cur.status AS cur_status, cur.transition AS cur_transition, \
                    cur.deprived AS cur_deprived, cur.causes AS cur_causes, \
                    cur.member_count AS cur_people, cur.area AS cur_area, \
                    prev.unit AS prev_unit, prev.status AS prev_status \
             FROM households h \
             LEFT JOIN admin_units v ON v.code = h.village_code AND {v_latest} \
             LEFT JOIN ({cur}) cur ON cur.household_id = h.id AND cur.home_province = h.home_province \
             LEFT JOIN ({prev}) prev ON prev.household_id = h.id AND prev.home_province = h.home_province \
             WHERE h.{s} = $1 OR h.id IN (SELECT k.household_id FROM classifications k \
                            WHERE {narrows} AND k.period <= $2 AND k.effective_date <= $3) \
             ORDER BY h.head_sort_key, h.id",
            cur = latest(scope, "$2", 5),
            prev = start_of(scope, 5),
            s = scope.scope_column,
            narrows = scope.narrows(&format!("k.{}", scope.scope_column), 5),
        );
        let mut rows = with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, HouseholdStatusRow>(AssertSqlSafe(sql.as_str()))
                .bind(&scope.scope_code)
                .bind(period)
                .bind(as_of)
                .bind(period - 1);
            for code in scope.extra_codes() {
                q = q.bind(code);
            }
            q.fetch_all(pool).await?
        });
        if scope.rebase.is_some() {
            for row in &mut rows {
                row.cur_unit = scope.row_unit(row.cur_unit.take());
                row.prev_unit = scope.row_unit(row.prev_unit.take());
                if row.prev_unit.is_none() {
                    row.prev_status = None;
                }
                if row.cur_unit.is_none() {
                    row.cur_status = None;
                    row.cur_transition = None;
                }
            }
        }
        Ok(rows)
    }

    /// The kept counts (per commune, migration 0051; per village, migration 0095) that
    /// differ from a count of the classifications themselves, as `(key, kept, counted)`
    /// with the table's name first in the key: empty when they agree, as they must. For
    /// the check command and the tests.
    pub async fn classification_count_mismatches(
        &self,
    ) -> Result<Vec<(String, i64, i64)>, StoreError> {
        let mut out = Vec::new();
        for rollup in &crate::reviews::ROLLUPS {
            // Every key column is read as text, which both backends give for a date.
            let text = |columns: &[&str]| {
                columns
                    .iter()
                    .map(|c| format!("CAST({c} AS TEXT)"))
                    .collect::<Vec<_>>()
                    .join(" || '/' || ")
            };
            let kept_sql = format!(
                "SELECT {}, households FROM {} WHERE households <> 0",
                text(rollup.key),
                rollup.table
            );
            let counted_sql = format!(
                "SELECT {}, COUNT(*) FROM classifications c GROUP BY {}",
                text(rollup.key_of_row),
                rollup.key_of_row.join(", ")
            );
            let (kept, counted): (BTreeMap<String, i64>, BTreeMap<String, i64>) = with_pool!(self, pool => (
                sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(kept_sql.as_str()))
                    .fetch_all(pool).await?.into_iter().collect(),
                sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(counted_sql.as_str()))
                    .fetch_all(pool).await?.into_iter().collect(),
            ));
            let mut keys: Vec<&String> = kept.keys().chain(counted.keys()).collect();
            keys.sort();
            keys.dedup();
            out.extend(keys.into_iter().filter_map(|k| {
                let (a, b) = (
                    kept.get(k).copied().unwrap_or(0),
                    counted.get(k).copied().unwrap_or(0),
                );
                (a != b).then(|| (format!("{}/{k}", rollup.table), a, b))
            }));
        }
        Ok(out)
    }

    /// The people of the households that are poor (or near-poor) for a period as of a
    /// date, and how many of them hold a health-insurance card valid on that date.
    pub async fn insurance_count(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        period: i32,
        as_of: NaiveDate,
        status: &str,
        card_policy: &str,
    ) -> Result<InsuranceCount, StoreError> {
        let scope = ReportScope::as_stored(scope_column, scope_code, scope_column);
        scope.check()?;
        // The cards are the `bhyt` benefits in force on the date (migration 0061): one
        // that ends on or after it, or one of a single date within its year. The benefits
        // are joined on the distribution key, so that Citus runs it shard by shard.
        let sql = format!(
            "SELECT COUNT(*), SUM(CASE WHEN card.member_id IS NOT NULL THEN 1 ELSE 0 END) \
             FROM ({latest}) cur JOIN members m ON m.household_id = cur.household_id \
                  AND m.home_province = cur.home_province \
             LEFT JOIN (SELECT DISTINCT b.home_province, b.member_id FROM benefits b \
                        WHERE b.policy = $5 AND b.voided_at IS NULL AND b.member_id IS NOT NULL \
                          AND b.valid_from <= $3 \
                          AND (b.valid_to >= $3 OR (b.valid_to IS NULL AND b.valid_from >= $6))) card \
                  ON card.home_province = m.home_province AND card.member_id = m.id \
             WHERE m.active AND cur.status = $4",
            latest = latest(&scope, "$2", 7),
        );
        let year_start =
            NaiveDate::from_ymd_opt(chrono::Datelike::year(&as_of), 1, 1).unwrap_or(as_of);
        let (people, insured): (i64, Option<i64>) = with_pool!(self, pool =>
            sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(scope_code)
                .bind(period)
                .bind(as_of)
                .bind(status)
                .bind(card_policy)
                .bind(year_start)
                .fetch_one(pool)
                .await?);
        Ok(InsuranceCount {
            people,
            insured: insured.unwrap_or(0),
        })
    }

    /// Reviews per commune and step (`listing`, `survey`, … `closed`) for a period.
    pub async fn review_progress(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        period: i32,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        if !matches!(
            scope_column,
            "commune_code" | "district_code" | "province_code"
        ) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT r.commune_code, r.step, COUNT(*) FROM reviews r \
             WHERE r.{scope_column} = $1 AND r.period = $2 \
             GROUP BY r.commune_code, r.step ORDER BY r.commune_code, r.step"
        );
        Ok(with_pool!(self, pool =>
            sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(scope_code)
                .bind(period)
                .fetch_all(pool)
                .await?))
    }
}
