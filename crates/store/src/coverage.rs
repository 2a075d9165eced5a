//! What the coverage of a policy reads: the households of a unit with their classification
//! history, their members, the unit flags and the benefits in force on a date. The
//! eligibility itself is pure code in the rules crate; this only fetches, in a few
//! scans of the unit's index ranges.

use crate::{Store, StoreError, with_pool};
use chrono::NaiveDate;
use sqlx::AssertSqlSafe;
use std::collections::{HashMap, HashSet};

/// The unit columns a coverage query may scope or group by.
const UNIT_COLUMNS: [&str; 4] = [
    "village_code",
    "commune_code",
    "district_code",
    "province_code",
];

pub(crate) fn checked(column: &str) -> Result<(), StoreError> {
    if UNIT_COLUMNS.contains(&column) {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("cột đơn vị {column}")))
    }
}

/// The condition that a benefit `b` is in force on the date `$3`: started on or before it
/// and either ends on or after it, or, being a benefit of one date (a loan disbursed, a
/// grant paid), was given within the date's year (from `$4`, its first day). Both the full
/// reading and the candidates' read it from here.
pub(crate) const BENEFIT_IN_FORCE: &str = " AND b.voided_at IS NULL AND b.valid_from <= $3 \
     AND (b.valid_to >= $3 OR (b.valid_to IS NULL AND b.valid_from >= $4))";

/// One household of the unit, placed by its classification in force on the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageHousehold {
    pub id: i64,
    /// The unit of the row the figures are grouped by (a commune of a district…).
    pub group: String,
    pub village_code: String,
    pub commune_code: String,
    pub ethnic_minority: bool,
    /// Its classifications on or before the date within the unit, in `(effective_date,
    /// id)` order: `(effective_date, status)`.
    pub changes: Vec<(NaiveDate, String)>,
}

/// One active member of a household of the unit.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CoverageMember {
    pub id: i64,
    pub household_id: i64,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: i32,
    pub school_level: Option<String>,
}

/// Which coverage to read: the households of `scope_code` (a `scope_column` value),
/// grouped by `group_column`, classified for `period`, as of `as_of`, for `policy`; with
/// their members when the policy is given to people.
#[derive(Debug, Clone, Copy)]
pub struct CoverageQuery<'a> {
    pub scope_column: &'a str,
    pub scope_code: &'a str,
    pub group_column: &'a str,
    pub period: i32,
    pub as_of: NaiveDate,
    pub policy: &'a str,
    pub with_members: bool,
}

/// Everything one policy's coverage in one unit on one date needs.
#[derive(Debug, Clone, Default)]
pub struct CoverageInputs {
    pub households: Vec<CoverageHousehold>,
    /// Empty unless members were asked for (a policy given to people).
    pub members: Vec<CoverageMember>,
    /// Unit codes with the flags `(extremely_difficult, border)`; units without flags are
    /// left out.
    pub unit_flags: HashMap<String, (bool, bool)>,
    /// `(household_id, member_id)` of every benefit of the policy in force on the date;
    /// `member_id` is `None` for a household benefit.
    pub covered: HashSet<(i64, Option<i64>)>,
}

/// A placed household as read: id, group, village, commune, ethnic minority.
pub(crate) type PlacedRow = (i64, String, String, String, bool);

/// The placed households, each with its classification history `(household, effective
/// date, status)` (rows in `(effective_date, id)` order).
pub(crate) fn with_history(
    placed: Vec<PlacedRow>,
    history: Vec<(i64, NaiveDate, String)>,
) -> Vec<CoverageHousehold> {
    let mut changes: HashMap<i64, Vec<(NaiveDate, String)>> = HashMap::new();
    for (id, effective, status) in history {
        changes.entry(id).or_default().push((effective, status));
    }
    placed
        .into_iter()
        .map(
            |(id, group, village_code, commune_code, ethnic_minority)| CoverageHousehold {
                changes: changes.remove(&id).unwrap_or_default(),
                id,
                group,
                village_code,
                commune_code,
                ethnic_minority,
            },
        )
        .collect()
}

impl Store {
    /// The inputs of a policy's coverage (see [`CoverageQuery`]).
    ///
    /// A benefit is in force on the date when it started on or before it and either ends
    /// on or after it, or, being a benefit of one date (a loan disbursed, a grant paid),
    /// was given within the date's year.
    pub async fn coverage_inputs(
        &self,
        query: &CoverageQuery<'_>,
    ) -> Result<CoverageInputs, StoreError> {
        let CoverageQuery {
            scope_column,
            scope_code,
            group_column,
            period,
            as_of,
            policy,
            with_members,
        } = *query;
        checked(scope_column)?;
        checked(group_column)?;
        // The households in the unit on the date, by their classification for the period
        // in force then (the reports' rule, migration 0012).
        let placed_sql = format!(
            "SELECT c.household_id, COALESCE(c.{group_column}, ''), c.village_code, c.commune_code, \
                    c.ethnic_minority \
             FROM classifications c \
             WHERE c.{scope_column} = $1 AND c.period = $2 AND c.effective_date <= $3 \
               AND (c.valid_until IS NULL OR c.valid_until > $3)"
        );
        // Their history within the unit, for "recently escaped".
        let history_sql = format!(
            "SELECT c.household_id, c.effective_date, c.status \
             FROM classifications c \
             WHERE c.{scope_column} = $1 AND c.effective_date <= $2 \
             ORDER BY c.household_id, c.effective_date, c.id"
        );
        let members_sql = format!(
            "SELECT m.id, m.household_id, m.birth_date, m.birth_year, m.school_level \
             FROM members m JOIN households h \
               ON h.home_province = m.home_province AND h.id = m.household_id \
             WHERE h.{scope_column} = $1 AND m.active"
        );
        let covered_sql = format!(
            "SELECT b.household_id, b.member_id FROM benefits b JOIN households h \
               ON h.home_province = b.home_province AND h.id = b.household_id \
             WHERE h.{scope_column} = $1 AND b.policy = $2{BENEFIT_IN_FORCE}"
        );
        let year_start =
            NaiveDate::from_ymd_opt(chrono::Datelike::year(&as_of), 1, 1).unwrap_or(as_of);
        let inputs = with_pool!(self, pool => {
            let placed: Vec<PlacedRow> =
                sqlx::query_as(AssertSqlSafe(placed_sql))
                    .bind(scope_code)
                    .bind(period)
                    .bind(as_of)
                    .fetch_all(pool)
                    .await?;
            let history: Vec<(i64, NaiveDate, String)> =
                sqlx::query_as(AssertSqlSafe(history_sql))
                    .bind(scope_code)
                    .bind(as_of)
                    .fetch_all(pool)
                    .await?;
            let members: Vec<CoverageMember> = if with_members {
                sqlx::query_as(AssertSqlSafe(members_sql))
                    .bind(scope_code)
                    .fetch_all(pool)
                    .await?
            } else {
                Vec::new()
            };
            let covered: Vec<(i64, Option<i64>)> = sqlx::query_as(AssertSqlSafe(covered_sql))
                .bind(scope_code)
                .bind(policy)
                .bind(as_of)
                .bind(year_start)
                .fetch_all(pool)
                .await?;

            CoverageInputs {
                households: with_history(placed, history),
                members,
                unit_flags: HashMap::new(),
                covered: covered.into_iter().collect(),
            }
        });
        Ok(CoverageInputs {
            unit_flags: self.unit_flags().await?,
            ..inputs
        })
    }

    /// The units flagged extremely difficult or border, with the flags
    /// `(extremely_difficult, border)`; the units without a flag are left out. Coverage
    /// and the findings both read them, so a household counts as eligible in one exactly
    /// where it does in the other.
    pub async fn unit_flags(&self) -> Result<HashMap<String, (bool, bool)>, StoreError> {
        let flags: Vec<(String, bool, bool)> = with_pool!(self, pool => sqlx::query_as(
            "SELECT code, extremely_difficult, border FROM admin_units \
             WHERE extremely_difficult OR border",
        )
        .fetch_all(pool)
        .await?);
        let mut unit_flags = HashMap::new();
        for (code, difficult, border) in flags {
            let entry = unit_flags.entry(code).or_insert((false, false));
            entry.0 |= difficult;
            entry.1 |= border;
        }
        Ok(unit_flags)
    }
}

/// Names for an uncovered list: households `(id, code, head_name, village_code)` and
/// members `(id, full_name, citizen_id)`.
pub type CoverageNames = (
    Vec<(i64, String, String, String)>,
    Vec<(i64, String, Option<String>)>,
);

impl Store {
    /// The codes and names of these households and members, for the list of eligible
    /// people not covered. Read in chunks of ids.
    pub async fn coverage_names(
        &self,
        household_ids: &[i64],
        member_ids: &[i64],
    ) -> Result<CoverageNames, StoreError> {
        let mut households = Vec::with_capacity(household_ids.len());
        let mut members = Vec::with_capacity(member_ids.len());
        with_pool!(self, pool => {
            for chunk in household_ids.chunks(500) {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT id, code, head_name, village_code FROM households WHERE id IN (",
                );
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(")");
                let rows: Vec<(i64, String, String, String)> =
                    qb.build_query_as().fetch_all(pool).await?;
                households.extend(rows);
            }
            for chunk in member_ids.chunks(500) {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT id, full_name, citizen_id FROM members WHERE id IN (",
                );
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(")");
                let rows: Vec<(i64, String, Option<String>)> =
                    qb.build_query_as().fetch_all(pool).await?;
                members.extend(rows);
            }
        });
        Ok((households, members))
    }
}
