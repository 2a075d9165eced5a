//! Administrative units in the store.

use crate::{Store, StoreError, with_pool};
use chrono::{DateTime, Days, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::HashMap;

/// A unit as stored, with the number of units directly under it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitRecord {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: i32,
    pub tier: String,
    pub parent_code: Option<String>,
    pub province_code: String,
    pub area: Option<String>,
    pub area_overridden: bool,
    pub extremely_difficult: bool,
    pub border: bool,
    pub programme_30a: bool,
    pub programme_135: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// A village of a split commune waiting for an administrator to name its new commune.
    pub awaiting_assignment: bool,
    /// Units directly under this one valid on the day asked about (for a unit asked for
    /// without a day: still valid, or valid on its last day when it is closed).
    pub child_count: i64,
}

/// A search result: the unit and the names of its parent and province for context.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitSearchHit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: i32,
    pub tier: String,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    pub province_name: Option<String>,
}

/// A unit to insert or update from an official list.
#[derive(Debug, Clone)]
pub struct UnitUpsert {
    pub code: String,
    pub name: String,
    pub name_folded: String,
    pub kind: String,
    pub level: i32,
    pub tier: String,
    pub parent_code: Option<String>,
    pub province_code: String,
    pub area: Option<String>,
    /// True when the file gave the area, which then overrides the kind's default.
    pub area_given: bool,
    pub extremely_difficult: bool,
    pub border: bool,
    pub programme_30a: bool,
    pub programme_135: bool,
    pub valid_from: NaiveDate,
}

/// A village to create.
#[derive(Debug, Clone)]
pub struct NewVillage {
    pub code: String,
    pub name: String,
    pub name_folded: String,
    pub kind: String,
    pub level: i32,
    pub parent_code: String,
    pub province_code: String,
    pub area: Option<String>,
    pub valid_from: NaiveDate,
}

/// Changes an administrator may make to a unit's attributes.
#[derive(Debug, Clone)]
pub struct UnitUpdate {
    /// `Some(area)` overrides the area; `None` leaves it as it is.
    pub area: Option<String>,
    pub extremely_difficult: bool,
    pub border: bool,
    pub programme_30a: bool,
    pub programme_135: bool,
}

/// The columns of a [`UnitRecord`], its children counted on the SQL date `on`.
pub(crate) fn unit_columns(on: &str) -> String {
    format!(
        "u.code, u.name, u.kind, u.level, u.tier, u.parent_code, u.province_code, \
         u.area, u.area_overridden, u.extremely_difficult, u.border, u.programme_30a, u.programme_135, \
         u.valid_from, u.valid_to, u.awaiting_assignment, \
         (SELECT COUNT(*) FROM admin_units c WHERE c.parent_code = u.code \
          AND c.valid_from <= {on} AND (c.valid_to IS NULL OR c.valid_to >= {on})) AS child_count"
    )
}

/// The day a unit asked for without a day is looked at: today while it is valid (every
/// open version), its last day once closed. The far date compares as a date on both
/// backends (text `YYYY-MM-DD` on SQLite).
pub(crate) const OWN_LAST_DAY: &str = "COALESCE(u.valid_to, '9999-12-31')";

/// SQL that picks, for a row of `alias` joined on `code_expr`, the version of the unit
/// that started last on or before `date_expr` (the version a dated row meant), or its
/// first version when the row is older than the unit. Joins through it never duplicate a
/// row when a code was reused.
pub(crate) fn version_at(alias: &str, code_expr: &str, date_expr: &str) -> String {
    format!(
        "{alias}.valid_from = COALESCE(\
         (SELECT MAX(x.valid_from) FROM admin_units x WHERE x.code = {code_expr} AND x.valid_from <= {date_expr}), \
         (SELECT MIN(x.valid_from) FROM admin_units x WHERE x.code = {code_expr}))"
    )
}

/// SQL that picks the latest version of a unit joined as `alias` on `code_expr`.
pub(crate) fn latest_version(alias: &str, code_expr: &str) -> String {
    format!(
        "{alias}.valid_from = (SELECT MAX(x.valid_from) FROM admin_units x WHERE x.code = {code_expr})"
    )
}

/// What tells two versions of a code apart: a version with the same meaning is updated in
/// place, a different one starts a new version.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitVersion {
    pub code: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub name: String,
    pub kind: String,
    pub level: i32,
    pub tier: String,
    pub parent_code: Option<String>,
    pub province_code: String,
}

/// What writing an official list does to the versions held: rows to insert or update
/// (each with the valid_from of the version it writes and its valid_to) and versions to
/// close (code, valid_from, last day).
#[derive(Debug, Default)]
pub(crate) struct VersionPlan {
    pub writes: Vec<(UnitUpsert, Option<NaiveDate>)>,
    pub closes: Vec<(String, NaiveDate, NaiveDate)>,
    /// How many of the writes start a new version (the others update one in place).
    pub opened: usize,
}

impl VersionPlan {
    pub(crate) fn new(existing: &[UnitVersion], rows: &[UnitUpsert]) -> VersionPlan {
        let mut versions: HashMap<&str, Vec<&UnitVersion>> = HashMap::new();
        for v in existing {
            versions.entry(v.code.as_str()).or_default().push(v);
        }
        let mut plan = VersionPlan::default();
        for r in rows {
            let day = r.valid_from;
            let known = versions
                .get(r.code.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            match known.iter().find(|v| v.covers(day)) {
                Some(v) if v.valid_from == day || v.same_meaning(r) => {
                    let mut row = r.clone();
                    row.valid_from = v.valid_from;
                    plan.writes.push((row, v.valid_to));
                }
                Some(v) => {
                    plan.closes
                        .push((v.code.clone(), v.valid_from, day - Days::new(1)));
                    plan.writes.push((r.clone(), v.valid_to));
                    plan.opened += 1;
                }
                None => {
                    // A list older than a version already held becomes its history.
                    let until = known
                        .iter()
                        .filter(|v| v.valid_from > day)
                        .map(|v| v.valid_from)
                        .min()
                        .map(|next| next - Days::new(1));
                    plan.writes.push((r.clone(), until));
                    plan.opened += 1;
                }
            }
        }
        plan
    }
}

impl UnitVersion {
    fn same_meaning(&self, r: &UnitUpsert) -> bool {
        self.name == r.name
            && self.kind == r.kind
            && self.level == r.level
            && self.tier == r.tier
            && self.parent_code == r.parent_code
            && self.province_code == r.province_code
    }

    pub fn covers(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|t| t >= day)
    }
}

/// Rows per multi-row INSERT: 16 parameters a row stays well under SQLite's limit of
/// 32,766 parameters a statement and PostgreSQL's 65,535.
pub(crate) const UPSERT_CHUNK: usize = 1000;

pub(crate) fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Escapes `%`, `_` and `\` so user text matches literally inside LIKE.
fn like_pattern(folded: &str) -> String {
    let mut p = String::with_capacity(folded.len() + 2);
    p.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The ON CONFLICT clause of an official list's INSERT: a version written again is
/// updated in place, its area kept where an administrator set it.
pub(crate) fn upsert_conflict(keep_flags: bool) -> String {
    let flags_update = if keep_flags {
        ""
    } else {
        ", extremely_difficult = excluded.extremely_difficult, border = excluded.border, \
         programme_30a = excluded.programme_30a, programme_135 = excluded.programme_135"
    };
    format!(
        " ON CONFLICT (code, valid_from) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded, \
         kind = excluded.kind, level = excluded.level, tier = excluded.tier, \
         parent_code = excluded.parent_code, province_code = excluded.province_code, \
         area = CASE WHEN excluded.area_overridden THEN excluded.area \
                     WHEN admin_units.area_overridden THEN admin_units.area \
                     ELSE excluded.area END, \
         area_overridden = excluded.area_overridden OR admin_units.area_overridden, \
         updated_at = excluded.updated_at{flags_update}"
    )
}

/// Version keys per batched close: two parameters a key, far under either backend's limit.
pub(crate) const CLOSE_CHUNK: usize = 1000;

/// Ends the admin unit versions `$keys` (a `Vec<(&String, NaiveDate)>` of code and
/// valid_from) on `$to` in the open transaction `$tx`, `CLOSE_CHUNK` keys a statement
/// instead of one statement a version: on Citus each statement on the reference table is a
/// round trip to every node. `$cond` is either empty or an extra condition ending in `AND`.
/// Evaluates to the rows changed.
macro_rules! close_versions {
    ($tx:ident, $to:expr, $now:expr, $cond:expr, $keys:expr) => {{
        let mut changed = 0u64;
        for chunk in $keys.chunks(CLOSE_CHUNK) {
            let mut qb = QueryBuilder::new("UPDATE admin_units SET valid_to = ");
            qb.push_bind($to);
            qb.push(", updated_at = ");
            qb.push_bind($now);
            qb.push(" WHERE ");
            qb.push($cond);
            // Row values with IN (VALUES …): SQLite 3.15 and later, and PostgreSQL.
            qb.push(" (code, valid_from) IN (");
            qb.push_values(chunk, |mut b, (code, from)| {
                b.push_bind(*code).push_bind(*from);
            });
            qb.push(")");
            changed += qb.build().execute(&mut *$tx).await?.rows_affected();
        }
        changed
    }};
}
pub(crate) use close_versions;

/// Writes a [`VersionPlan`] in the open transaction `$tx` (either backend): closes first,
/// then the rows, adding the rows written to `$written`.
macro_rules! write_versions {
    ($tx:ident, $plan:expr, $conflict:expr, $now:expr, $written:ident) => {
        // One statement per run of closes that end on the same day (a reform closes all
        // of them the day before it takes effect), in the plan's order, so a version
        // listed twice still ends on the later day as it did one statement at a time.
        for run in $plan.closes.chunk_by(|a, b| a.2 == b.2) {
            let keys: Vec<(&String, NaiveDate)> = run.iter().map(|(c, f, _)| (c, *f)).collect();
            close_versions!($tx, run[0].2, &$now, "", keys);
        }
        for chunk in $plan.writes.chunks(UPSERT_CHUNK) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO admin_units (code, name, name_folded, kind, level, tier, parent_code, \
                 province_code, area, area_overridden, extremely_difficult, border, programme_30a, \
                 programme_135, valid_from, valid_to, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, (r, valid_to)| {
                b.push_bind(&r.code)
                    .push_bind(&r.name)
                    .push_bind(&r.name_folded)
                    .push_bind(&r.kind)
                    .push_bind(r.level)
                    .push_bind(&r.tier)
                    .push_bind(&r.parent_code)
                    .push_bind(&r.province_code)
                    .push_bind(&r.area)
                    .push_bind(r.area_given)
                    .push_bind(r.extremely_difficult)
                    .push_bind(r.border)
                    .push_bind(r.programme_30a)
                    .push_bind(r.programme_135)
                    .push_bind(r.valid_from)
                    .push_bind(*valid_to)
                    .push_bind(&$now)
                    .push_bind(&$now);
            });
            qb.push(&$conflict);
            $written += qb.build().execute(&mut *$tx).await?.rows_affected();
        }
    };
}
pub(crate) use write_versions;

impl Store {
    /// Number of units, valid or retired.
    pub async fn unit_count(&self) -> Result<i64, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM admin_units")
                .fetch_one(pool)
                .await?),
        )
    }

    /// Units selected by `condition` (on `u`, with `$1` the code and `$2` the day when
    /// there is one), children counted on `on`, in `order`.
    async fn units_where(
        &self,
        condition: &str,
        on: &str,
        order: &str,
        code: &str,
        day: Option<NaiveDate>,
    ) -> Result<Vec<UnitRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM admin_units u WHERE {condition} ORDER BY {order}",
            unit_columns(on)
        );
        Ok(with_pool!(self, pool => {
            let q = sqlx::query_as::<_, UnitRecord>(AssertSqlSafe(sql.as_str())).bind(code);
            let q = match day {
                Some(d) => q.bind(d),
                None => q,
            };
            q.fetch_all(pool).await?
        }))
    }

    /// The latest version of a unit (the one valid today, or the last one of a closed
    /// unit). Callers that have a date use [`Store::unit_on`].
    pub async fn unit(&self, code: &str) -> Result<Option<UnitRecord>, StoreError> {
        let found = self
            .units_where(
                "u.code = $1",
                OWN_LAST_DAY,
                "u.valid_from DESC LIMIT 1",
                code,
                None,
            )
            .await?;
        Ok(found.into_iter().next())
    }

    /// The version of a unit valid on `on`, with its children counted on that day.
    pub async fn unit_on(
        &self,
        code: &str,
        on: NaiveDate,
    ) -> Result<Option<UnitRecord>, StoreError> {
        let found = self
            .units_where(
                "u.code = $1 AND u.valid_from <= $2 AND (u.valid_to IS NULL OR u.valid_to >= $2)",
                "$2",
                "u.valid_from DESC LIMIT 1",
                code,
                Some(on),
            )
            .await?;
        Ok(found.into_iter().next())
    }

    /// Every version of a code, oldest first.
    pub async fn unit_versions(&self, code: &str) -> Result<Vec<UnitRecord>, StoreError> {
        self.units_where("u.code = $1", OWN_LAST_DAY, "u.valid_from", code, None)
            .await
    }

    /// The units directly under `parent` (the provinces when `None`), in official code
    /// order. Retired units are left out unless asked for.
    pub async fn children(
        &self,
        parent: Option<&str>,
        include_retired: bool,
    ) -> Result<Vec<UnitRecord>, StoreError> {
        let retired = if include_retired {
            ""
        } else {
            " AND u.valid_to IS NULL"
        };
        let cols = unit_columns(OWN_LAST_DAY);
        let sql = match parent {
            Some(_) => format!(
                "SELECT {cols} FROM admin_units u WHERE u.parent_code = $1{retired} ORDER BY u.code, u.valid_from"
            ),
            None => format!(
                "SELECT {cols} FROM admin_units u WHERE u.parent_code IS NULL{retired} ORDER BY u.code, u.valid_from"
            ),
        };
        Ok(with_pool!(self, pool => {
            let q = sqlx::query_as::<_, UnitRecord>(AssertSqlSafe(sql.as_str()));
            let q = match parent {
                Some(p) => q.bind(p),
                None => q,
            };
            q.fetch_all(pool).await?
        }))
    }

    /// The units directly under `parent` (the provinces when `None`) valid on `on`, in
    /// official code order.
    pub async fn children_on(
        &self,
        parent: Option<&str>,
        on: NaiveDate,
    ) -> Result<Vec<UnitRecord>, StoreError> {
        let cols = unit_columns("$1");
        let valid = "u.valid_from <= $1 AND (u.valid_to IS NULL OR u.valid_to >= $1)";
        let sql = match parent {
            Some(_) => format!(
                "SELECT {cols} FROM admin_units u WHERE u.parent_code = $2 AND {valid} ORDER BY u.code"
            ),
            None => format!(
                "SELECT {cols} FROM admin_units u WHERE u.parent_code IS NULL AND {valid} ORDER BY u.code"
            ),
        };
        Ok(with_pool!(self, pool => {
            let q = sqlx::query_as::<_, UnitRecord>(AssertSqlSafe(sql.as_str())).bind(on);
            let q = match parent {
                Some(p) => q.bind(p),
                None => q,
            };
            q.fetch_all(pool).await?
        }))
    }

    /// The units of a province above the villages (the province, its districts and its
    /// communes) valid on `on`, or today's (not retired) without a day, in official code
    /// order: one read from which a caller walks the tree in memory, instead of a read of
    /// each district's children (a province of 30 districts cost 31 queries per page).
    pub async fn units_above_villages(
        &self,
        province_code: &str,
        on: Option<NaiveDate>,
    ) -> Result<Vec<UnitRecord>, StoreError> {
        let (count_on, valid) = match on {
            Some(_) => (
                "$2",
                "u.valid_from <= $2 AND (u.valid_to IS NULL OR u.valid_to >= $2)",
            ),
            None => (OWN_LAST_DAY, "u.valid_to IS NULL"),
        };
        self.units_where(
            &format!("u.province_code = $1 AND u.tier <> 'village' AND {valid}"),
            count_on,
            "u.code, u.valid_from",
            province_code,
            on,
        )
        .await
    }

    /// The chain of units from the province down to the latest version of `code`, top
    /// first; each parent is the version valid when its child started.
    pub async fn ancestry(&self, code: &str) -> Result<Vec<UnitRecord>, StoreError> {
        let first = self.unit(code).await?;
        self.chain_up(first).await
    }

    /// The chain from the province down to the version of `code` valid on `on`.
    pub async fn ancestry_on(
        &self,
        code: &str,
        on: NaiveDate,
    ) -> Result<Vec<UnitRecord>, StoreError> {
        let first = self.unit_on(code, on).await?;
        self.chain_up(first).await
    }

    async fn chain_up(&self, first: Option<UnitRecord>) -> Result<Vec<UnitRecord>, StoreError> {
        let Some(first) = first else {
            return Ok(Vec::new());
        };
        let Some(parent) = first.parent_code.clone() else {
            return Ok(vec![first]);
        };
        // The units above are read in one statement: each step up takes the parent's
        // version that started last on or before its child started (the latest version
        // when none had started). Every access check
        // walks the chain, and a read per level made one household page 25 reads of
        // units. The hierarchy is at most four levels deep; the depth bound guards
        // against a cycle written into the database by hand.
        let version_of = |code: &str, day: &str| {
            format!(
                "COALESCE((SELECT MAX(x.valid_from) FROM admin_units x WHERE x.code = {code} AND x.valid_from <= {day}), \
                 (SELECT MAX(x.valid_from) FROM admin_units x WHERE x.code = {code}))"
            )
        };
        let sql = format!(
            "WITH RECURSIVE chain(code, valid_from, parent_code, depth) AS (\
             SELECT p.code, p.valid_from, p.parent_code, 1 FROM admin_units p \
             WHERE p.code = $1 AND p.valid_from = {first_version} \
             UNION ALL \
             SELECT p.code, p.valid_from, p.parent_code, c.depth + 1 FROM chain c \
             JOIN admin_units p ON p.code = c.parent_code AND p.valid_from = {next_version} \
             WHERE c.depth < 8) \
             SELECT {cols} FROM chain c JOIN admin_units u ON u.code = c.code AND u.valid_from = c.valid_from \
             ORDER BY c.depth DESC",
            first_version = version_of("$1", "$2"),
            next_version = version_of("c.parent_code", "c.valid_from"),
            cols = unit_columns(OWN_LAST_DAY),
        );
        let mut chain: Vec<UnitRecord> = with_pool!(self, pool =>
            sqlx::query_as::<_, UnitRecord>(AssertSqlSafe(sql.as_str()))
                .bind(&parent)
                .bind(first.valid_from)
                .fetch_all(pool)
                .await?);
        chain.push(first);
        Ok(chain)
    }

    /// Valid units whose folded name contains the folded query, top levels first.
    pub async fn search_units(
        &self,
        folded_query: &str,
        limit: i64,
    ) -> Result<Vec<UnitSearchHit>, StoreError> {
        let sql = "SELECT u.code, u.name, u.kind, u.level, u.tier, u.parent_code, \
                   p.name AS parent_name, pr.name AS province_name \
                   FROM admin_units u \
                   LEFT JOIN admin_units p ON p.code = u.parent_code AND p.valid_to IS NULL \
                   LEFT JOIN admin_units pr ON pr.code = u.province_code AND pr.code <> u.code \
                        AND pr.valid_to IS NULL \
                   WHERE u.name_folded LIKE $1 ESCAPE '\\' AND u.valid_to IS NULL \
                   ORDER BY u.level, u.code LIMIT $2";
        let pattern = like_pattern(folded_query);
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, UnitSearchHit>(sql)
            .bind(&pattern)
            .bind(limit)
            .fetch_all(pool)
            .await?),
        )
    }

    /// Inserts or updates units from an official list in one transaction; parents must
    /// come before their children. With `keep_flags`, the programme flags of existing
    /// units are left as they are (the file did not carry them).
    ///
    /// Each row is dated by its `valid_from`. A row that means what the version valid on
    /// that day already means (same name, kind, level, parent and province) updates that
    /// version in place; a row that means something else (a renamed or reclassified unit,
    /// or a reused code) closes that version the day before and starts a new one, so
    /// that every record dated earlier still finds the unit it meant.
    pub async fn upsert_units(
        &self,
        rows: &[UnitUpsert],
        keep_flags: bool,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let now = timestamp(now);
        let existing = self.official_versions().await?;
        let plan = VersionPlan::new(&existing, rows);
        let conflict = upsert_conflict(keep_flags);
        let mut written = 0u64;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            write_versions!(tx, plan, conflict, now, written);
            tx.commit().await?;
        });
        Ok(written)
    }

    /// Every version of every official (non-village) unit.
    pub async fn official_versions(&self) -> Result<Vec<UnitVersion>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT code, valid_from, valid_to, name, kind, level, tier, parent_code, province_code \
             FROM admin_units WHERE tier <> 'village' ORDER BY code, valid_from"
        )
        .fetch_all(pool)
        .await?))
    }

    /// Codes of the valid official (non-village) units of the given provinces.
    pub async fn official_codes_in(&self, province: &str) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT code FROM admin_units WHERE province_code = $1 AND tier <> 'village' AND valid_to IS NULL ORDER BY code"
        )
        .bind(province)
        .fetch_all(pool)
        .await?))
    }

    /// What still points at each of these units: active households of the commune,
    /// valid villages under it and active users given it, as (households, villages,
    /// users) by code. Units holding nothing are left out.
    pub async fn unit_holdings(
        &self,
        codes: &[String],
    ) -> Result<HashMap<String, (i64, i64, i64)>, StoreError> {
        let mut found: HashMap<String, (i64, i64, i64)> = HashMap::new();
        for chunk in codes.chunks(1000) {
            for (i, sql) in [
                "SELECT commune_code, COUNT(*) FROM households WHERE active AND commune_code IN (",
                "SELECT parent_code, COUNT(*) FROM admin_units WHERE tier = 'village' AND valid_to IS NULL AND parent_code IN (",
                "SELECT unit_code, COUNT(*) FROM users WHERE active AND unit_code IN (",
            ]
            .into_iter()
            .enumerate()
            {
                let rows: Vec<(String, i64)> = with_pool!(self, pool => {
                    let mut qb = QueryBuilder::new(sql);
                    let mut sep = qb.separated(", ");
                    for c in chunk {
                        sep.push_bind(c);
                    }
                    qb.push(") GROUP BY 1");
                    qb.build_query_as().fetch_all(pool).await?
                });
                for (code, n) in rows {
                    let e = found.entry(code).or_default();
                    match i {
                        0 => e.0 = n,
                        1 => e.1 = n,
                        _ => e.2 = n,
                    }
                }
            }
        }
        Ok(found)
    }

    /// Active households of these communes by commune and the province they are in.
    pub async fn households_by_commune_province(
        &self,
        communes: &[String],
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let mut found = Vec::new();
        for chunk in communes.chunks(1000) {
            let rows: Vec<(String, String, i64)> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT commune_code, province_code, COUNT(*) FROM households WHERE active AND commune_code IN (",
                );
                let mut sep = qb.separated(", ");
                for c in chunk {
                    sep.push_bind(c);
                }
                qb.push(") GROUP BY commune_code, province_code");
                qb.build_query_as().fetch_all(pool).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// The successors recorded for a retired unit.
    pub async fn unit_successors(&self, old_code: &str) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT DISTINCT new_code FROM unit_successors WHERE old_code = $1 ORDER BY new_code",
        )
        .bind(old_code)
        .fetch_all(pool)
        .await?))
    }

    /// Closes the open version of each unit on `valid_to`, its last valid day (merged or
    /// abolished), recording the units that succeed them (old code, new code: the version
    /// of the new code valid on the next day). They stay in the database so that history
    /// keeps pointing at them.
    pub async fn retire_units(
        &self,
        codes: &[String],
        successors: &[(String, String)],
        valid_to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let now = timestamp(now);
        let mut n = 0;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // Recorded before the old versions are closed: the old side is the version
            // still open, the new side the version valid on the day after `valid_to`.
            let next_day = valid_to + chrono::Days::new(1);
            for (old, new) in successors {
                let whole = successors.iter().filter(|(o, _)| o == old).count() == 1;
                sqlx::query(
                    "INSERT INTO unit_successors (old_code, old_valid_from, new_code, new_valid_from, whole) \
                     SELECT o.code, o.valid_from, n.code, n.valid_from, $3 \
                     FROM admin_units o, admin_units n \
                     WHERE o.code = $1 AND o.valid_to IS NULL AND n.code = $2 \
                       AND n.valid_from <= $4 AND (n.valid_to IS NULL OR n.valid_to >= $4) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(old)
                .bind(new)
                .bind(whole)
                .bind(next_day)
                .execute(&mut *tx)
                .await?;
            }
            for code in codes {
                n += sqlx::query(
                    "UPDATE admin_units SET valid_to = $1, updated_at = $2 WHERE code = $3 AND valid_to IS NULL",
                )
                .bind(valid_to)
                .bind(&now)
                .bind(code)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
        });
        Ok(n)
    }

    /// The highest village code numbered after a commune (its code followed by three
    /// digits), valid or retired. Villages that moved in from a merged commune keep their
    /// old commune's numbers and are not counted.
    pub async fn last_village_code(&self, commune: &str) -> Result<Option<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT MAX(code) FROM admin_units WHERE code LIKE $1 AND tier = 'village'"
        )
        .bind(format!("{commune}___"))
        .fetch_one(pool)
        .await?))
    }

    /// Creates villages in one transaction: all or none.
    pub async fn create_villages(
        &self,
        villages: &[NewVillage],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for v in villages {
                // The key is (code, valid_from); a village code names one village for
                // good, whatever its versions.
                let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM admin_units WHERE code = $1")
                    .bind(&v.code)
                    .fetch_one(&mut *tx)
                    .await?;
                if taken > 0 {
                    return Err(StoreError::Conflict(format!("mã đơn vị {} đã tồn tại", v.code)));
                }
                sqlx::query(
                    "INSERT INTO admin_units (code, name, name_folded, kind, level, tier, parent_code, \
                     province_code, area, area_overridden, valid_from, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'village', $6, $7, $8, FALSE, $9, $10, $10)",
                )
                .bind(&v.code)
                .bind(&v.name)
                .bind(&v.name_folded)
                .bind(&v.kind)
                .bind(v.level)
                .bind(&v.parent_code)
                .bind(&v.province_code)
                .bind(&v.area)
                .bind(v.valid_from)
                .bind(&now)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::unique_as_conflict(e, format!("mã đơn vị {} đã tồn tại", v.code)))?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Valid villages of a commune whose folded name equals `name_folded`.
    pub async fn village_named(
        &self,
        commune: &str,
        name_folded: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT code FROM admin_units WHERE parent_code = $1 AND tier = 'village' AND name_folded = $2 AND valid_to IS NULL"
        )
        .bind(commune)
        .bind(name_folded)
        .fetch_optional(pool)
        .await?))
    }

    /// Changes a unit's area and programme flags.
    pub async fn update_unit(
        &self,
        code: &str,
        update: &UnitUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        let n = with_pool!(self, pool => sqlx::query(
            "UPDATE admin_units SET \
             area = COALESCE($1, area), \
             area_overridden = (area_overridden OR $1 IS NOT NULL), \
             extremely_difficult = $2, border = $3, programme_30a = $4, programme_135 = $5, updated_at = $6 \
             WHERE code = $7 AND valid_from = (SELECT MAX(x.valid_from) FROM admin_units x WHERE x.code = $7)",
        )
        .bind(&update.area)
        .bind(update.extremely_difficult)
        .bind(update.border)
        .bind(update.programme_30a)
        .bind(update.programme_135)
        .bind(&now)
        .bind(code)
        .execute(pool)
        .await?
        .rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound(format!("đơn vị {code}")));
        }
        Ok(())
    }
}

impl Store {
    /// Records that an official list was loaded, with its hierarchy; loading it again
    /// changes nothing.
    pub async fn record_unit_list(
        &self,
        name: &str,
        hierarchy: &str,
        valid_from: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO unit_lists (name, hierarchy, valid_from, loaded_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(hierarchy)
        .bind(valid_from)
        .bind(&now)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// The units a closed version went into, with whether it went whole.
    pub async fn successors(
        &self,
        code: &str,
        valid_from: NaiveDate,
    ) -> Result<Vec<(UnitRecord, bool)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            unit: UnitRecord,
            whole: bool,
        }
        let sql = format!(
            "SELECT {}, s.whole FROM unit_successors s \
             JOIN admin_units u ON u.code = s.new_code AND u.valid_from = s.new_valid_from \
             WHERE s.old_code = $1 AND s.old_valid_from = $2 ORDER BY u.code",
            unit_columns(OWN_LAST_DAY)
        );
        let rows = with_pool!(self, pool => sqlx::query_as::<_, Row>(AssertSqlSafe(sql.as_str()))
            .bind(code)
            .bind(valid_from)
            .fetch_all(pool)
            .await?);
        Ok(rows.into_iter().map(|r| (r.unit, r.whole)).collect())
    }
}
