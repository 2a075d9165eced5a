//! Figures of any period placed on the units of one day (a report's "basis").
//!
//! A classification keeps the units its household was in when it was made, and a report
//! "as it was" groups by them. Re-basing instead follows each row's village to the units
//! the village is under on the day asked for: the 2025 reform moved every village of a
//! merged commune under its new commune and an administrator assigns those of a split
//! one, so the village carries the mapping, split communes included. Villages keep their
//! codes through a reform; only their parents change, as new versions of the village.
//!
//! The store still narrows every query to an index range first: to the codes, in the
//! scope's own column, that the scope's villages were stored under in any of their
//! versions (for a new commune, the old communes it absorbed), then sorts the rows out by
//! village.

use crate::units::version_at;
use crate::{Store, StoreError, with_pool};
use chrono::NaiveDate;
use sqlx::AssertSqlSafe;
use std::collections::HashMap;

/// The villages of a scope on a day and the unit of a report's rows each is under.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rebase {
    /// Every code, in the scope's column, that rows of these villages were stored under:
    /// what a query narrows its index range to before the villages decide.
    pub stored_scope_codes: Vec<String>,
    /// The row unit (in the report's grouping column) of each village of the scope.
    pub villages: HashMap<String, String>,
}

impl Rebase {
    /// The row unit a village's rows count in, none when the village lies outside.
    pub fn unit_of(&self, village: Option<&str>) -> Option<String> {
        village.and_then(|v| self.villages.get(v).cloned())
    }
}

/// The unit of tier `column` above village version `v`, whose commune version is `c`.
fn above_village(column: &str, v: &str, c: &str) -> Option<String> {
    Some(match column {
        "village_code" => format!("{v}.code"),
        "commune_code" => format!("{v}.parent_code"),
        // A commune hangs under a district in a four-level list, under its province in
        // today's three levels.
        "district_code" => {
            format!(
                "CASE WHEN {c}.parent_code = {c}.province_code THEN NULL ELSE {c}.parent_code END"
            )
        }
        "province_code" => format!("{v}.province_code"),
        _ => return None,
    })
}

/// `$from, $from+1, …` for `n` parameters.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// The villages under `scope_code` (a unit of `scope_column`, in province
    /// `province_code`) on `day`, each with its unit of `group_column` that day, and the
    /// codes their rows were stored under. A village is taken in the version valid that
    /// day, or in its first version when it was made later (as the stores' other joins
    /// take an older row); a village closed before the day is left out.
    pub async fn rebase_on(
        &self,
        scope_column: &str,
        scope_code: &str,
        province_code: &str,
        group_column: &str,
        day: NaiveDate,
    ) -> Result<Rebase, StoreError> {
        let bad = || StoreError::NotFound(format!("cột đơn vị {scope_column} / {group_column}"));
        let scope = above_village(scope_column, "v", "c").ok_or_else(bad)?;
        let group = above_village(group_column, "v", "c").ok_or_else(bad)?;
        let villages_on_day = format!(
            "FROM admin_units v \
             LEFT JOIN admin_units c ON c.code = v.parent_code AND {parent} \
             WHERE v.tier = 'village' AND v.province_code = $3 AND {own} \
               AND (v.valid_to IS NULL OR v.valid_to >= $2) AND {scope} = $1",
            parent = version_at("c", "v.parent_code", "$2"),
            own = version_at("v", "v.code", "$2"),
        );
        let sql = format!("SELECT v.code, {group} {villages_on_day}");
        let stored_scope = above_village(scope_column, "o", "oc").ok_or_else(bad)?;
        // The stored codes over every version of those villages, each version under the
        // parent version it started under.
        let codes_sql = format!(
            "SELECT DISTINCT {stored_scope} FROM admin_units o \
             LEFT JOIN admin_units oc ON oc.code = o.parent_code AND {parent} \
             WHERE o.tier = 'village' AND o.code IN (SELECT v.code {villages_on_day})",
            parent = version_at("oc", "o.parent_code", "o.valid_from"),
        );
        let (rows, codes) = with_pool!(self, pool => {
            let rows: Vec<(String, Option<String>)> = sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(scope_code)
                .bind(day)
                .bind(province_code)
                .fetch_all(pool)
                .await?;
            let codes: Vec<Option<String>> = sqlx::query_scalar(AssertSqlSafe(codes_sql.as_str()))
                .bind(scope_code)
                .bind(day)
                .bind(province_code)
                .fetch_all(pool)
                .await?;
            (rows, codes)
        });
        let mut stored_scope_codes: Vec<String> = codes.into_iter().flatten().collect();
        stored_scope_codes.sort();
        stored_scope_codes.dedup();
        Ok(Rebase {
            stored_scope_codes,
            villages: rows
                .into_iter()
                .filter_map(|(village, unit)| unit.map(|u| (village, u)))
                .collect(),
        })
    }
}
