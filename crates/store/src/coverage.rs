//! What the coverage of a policy reads: the households of a unit with their classification
//! history, their members, the unit flags and the benefits in force on a date. The
//! eligibility itself is pure code in the rules crate; this only fetches, in a few
//! scans of the unit's index ranges.

use crate::{Rebase, Store, StoreError, with_pool};
use chrono::NaiveDate;
use sqlx::{Database, Encode, QueryBuilder, Type};
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
    /// Its classifications on or before the date, in any unit, in `(effective_date, id)`
    /// order: `(effective_date, status)`.
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
///
/// A household is placed, like in the other reports, by its classification for the
/// period in force on the date: a household that moved to another commune counts where
/// its list placed it until the commune it moved to classifies it (whose row then ends
/// the first one's span), and its members and benefits go with it.
#[derive(Debug, Clone, Copy)]
pub struct CoverageQuery<'a> {
    pub scope_column: &'a str,
    pub scope_code: &'a str,
    pub group_column: &'a str,
    pub period: i32,
    pub as_of: NaiveDate,
    pub policy: &'a str,
    pub with_members: bool,
    /// The report's basis: rows placed by their villages on the units of another day
    /// (today's units for `current`), none to group them by the units stored on them.
    pub rebase: Option<&'a Rebase>,
}

impl CoverageQuery<'_> {
    /// Pushes the condition that the column `column` of a row (`c.province_code`…) lies
    /// in the scope: the scope's code, or when re-based every code its villages were
    /// stored under (the villages then decide, see [`place_rows`]).
    pub(crate) fn push_scope<DB>(&self, qb: &mut QueryBuilder<DB>, column: &str)
    where
        DB: Database,
        String: for<'t> Encode<'t, DB> + Type<DB>,
    {
        let extra = self.rebase.map(|r| r.stored_scope_codes.as_slice());
        match extra {
            None | Some([]) => {
                qb.push(format!("{column} = "))
                    .push_bind(self.scope_code.to_string());
            }
            Some(codes) => {
                qb.push(format!("{column} IN ("));
                let mut list = qb.separated(", ");
                list.push_bind(self.scope_code.to_string());
                for code in codes {
                    list.push_bind(code.clone());
                }
                qb.push(")");
            }
        }
    }

    /// The column a query selects as a household's group: the grouping column, or the
    /// village when re-based (see [`place_rows`]).
    pub(crate) fn stored_group(&self) -> &str {
        if self.rebase.is_some() {
            "village_code"
        } else {
            self.group_column
        }
    }
}

/// The placed rows with their groups on the query's basis: when re-based, each row's
/// village (read as its group) decides its unit, and a row whose village lies outside
/// the scope on the basis day is left out.
pub(crate) fn place_rows(q: &CoverageQuery<'_>, placed: Vec<PlacedRow>) -> Vec<PlacedRow> {
    match q.rebase {
        None => placed,
        Some(rebase) => placed
            .into_iter()
            .filter_map(|(id, village, v, c, minority)| {
                rebase
                    .unit_of(Some(&village))
                    .map(|group| (id, group, v, c, minority))
            })
            .collect(),
    }
}

/// Pushes the condition that a classification row `c` places a household for the
/// query's period on its date: within the scope, of the period, in force on the date.
pub(crate) fn push_placed<DB>(qb: &mut QueryBuilder<DB>, q: &CoverageQuery<'_>, c: &str)
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    NaiveDate: for<'t> Encode<'t, DB> + Type<DB>,
    i32: for<'t> Encode<'t, DB> + Type<DB>,
{
    q.push_scope(qb, &format!("{c}.{}", q.scope_column));
    qb.push(format!(" AND {c}.period = ")).push_bind(q.period);
    qb.push(format!(" AND {c}.effective_date <= "))
        .push_bind(q.as_of);
    qb.push(format!(
        " AND ({c}.valid_until IS NULL OR {c}.valid_until > "
    ))
    .push_bind(q.as_of);
    qb.push(")");
}

/// Pushes the condition that a benefit `b` of the query's policy is in force on its date
/// ([`BENEFIT_IN_FORCE`], its `$3` the date and `$4` the year's first day).
pub(crate) fn push_in_force<DB>(qb: &mut QueryBuilder<DB>, q: &CoverageQuery<'_>)
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    NaiveDate: for<'t> Encode<'t, DB> + Type<DB>,
{
    let year_start =
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&q.as_of), 1, 1).unwrap_or(q.as_of);
    qb.push(" AND b.policy = ").push_bind(q.policy.to_string());
    let mut rest = BENEFIT_IN_FORCE;
    while let Some(at) = rest.find('$') {
        qb.push(&rest[..at]);
        match &rest[at + 1..at + 2] {
            "3" => qb.push_bind(q.as_of),
            _ => qb.push_bind(year_start),
        };
        rest = &rest[at + 2..];
    }
    qb.push(rest);
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
        checked(query.scope_column)?;
        checked(query.group_column)?;
        let q = query;
        let inputs = with_pool!(self, pool => {
            // The households in the unit on the date, by their classification for the
            // period in force then (the reports' rule, migration 0012).
            let mut qb = QueryBuilder::new(format!(
                "SELECT c.household_id, COALESCE(c.{}, ''), c.village_code, c.commune_code, \
                        c.ethnic_minority FROM classifications c WHERE ",
                q.stored_group()
            ));
            push_placed(&mut qb, q, "c");
            let placed: Vec<PlacedRow> = qb.build_query_as().fetch_all(pool).await?;

            // Their whole history up to the date, wherever they were classified (a
            // household's status is its latest classification, and "recently escaped"
            // counts from the day it left the lists, in this unit or another). The
            // history does not depend on the unit asked, so the spans kept per
            // household (crate::coverage_spans) are the same for every unit.
            let mut qb = QueryBuilder::new(
                "SELECT h.household_id, h.effective_date, h.status FROM classifications h \
                 WHERE h.effective_date <= ",
            );
            qb.push_bind(q.as_of);
            qb.push(
                " AND (h.home_province, h.household_id) IN \
                 (SELECT c.home_province, c.household_id FROM classifications c WHERE ",
            );
            push_placed(&mut qb, q, "c");
            qb.push(") ORDER BY h.household_id, h.effective_date, h.id");
            let history: Vec<(i64, NaiveDate, String)> =
                qb.build_query_as().fetch_all(pool).await?;

            // The members and benefits of the households placed, wherever the registry
            // has them today (a household that moved keeps its members and benefits).
            let placed_households = |qb: &mut QueryBuilder<_>| {
                qb.push(
                    " (SELECT c.home_province, c.household_id FROM classifications c WHERE ",
                );
                push_placed(qb, q, "c");
                qb.push(")");
            };
            let members: Vec<CoverageMember> = if q.with_members {
                let mut qb = QueryBuilder::new(
                    "SELECT m.id, m.household_id, m.birth_date, m.birth_year, m.school_level \
                     FROM members m WHERE m.active AND (m.home_province, m.household_id) IN",
                );
                placed_households(&mut qb);
                qb.build_query_as().fetch_all(pool).await?
            } else {
                Vec::new()
            };
            let mut qb = QueryBuilder::new(
                "SELECT b.household_id, b.member_id FROM benefits b \
                 WHERE (b.home_province, b.household_id) IN",
            );
            placed_households(&mut qb);
            push_in_force(&mut qb, q);
            let covered: Vec<(i64, Option<i64>)> = qb.build_query_as().fetch_all(pool).await?;

            CoverageInputs {
                households: with_history(place_rows(q, placed), history),
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
