//! The coverage of a policy at province size: only the households and members that can
//! possibly be eligible are read, each with whether a benefit of the policy covers it.
//!
//! The rules crate derives from a policy's rule data a necessary condition
//! (`giamngheo_rules::narrowing`); this module turns it into SQL over the classification
//! in force on the date, the unit flags and the members' birth dates and school levels.
//! The eligibility rule itself still runs on every candidate, so the SQL never decides who
//! is eligible, only who certainly is not. Covered is an `EXISTS` on the benefits in force
//! on the date (the same condition as [`Store::coverage_inputs`]).

use crate::coverage::{checked, place_rows, push_in_force, push_placed, with_history};
use crate::with_pool;
use crate::{CoverageInputs, CoverageMember, CoverageQuery, Store, StoreError};
use chrono::NaiveDate;
use sqlx::{Database, Encode, QueryBuilder, Type};
use std::collections::{HashMap, HashSet};

/// Who can possibly be eligible, in the store's terms (see the rules crate's
/// `Narrowing`, from which the application builds it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CandidateFilter {
    /// Statuses of the classification in force on the date that admit a household.
    pub statuses: Vec<String>,
    /// Statuses "on the lists" and the earliest end of a spell on them that admits a
    /// household (recently escaped).
    pub on_lists_ended_since: Option<(Vec<String>, NaiveDate)>,
    /// Ethnic-minority households are admitted.
    pub ethnic_minority: bool,
    /// Households whose village or commune is flagged extremely difficult (or border)
    /// are admitted.
    pub extremely_difficult: bool,
    pub border: bool,
    /// For a policy given to people: which members are admitted.
    pub member: Option<MemberFilter>,
}

/// Which members of a candidate household are admitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberFilter {
    /// A member is admitted when its birth date is within these bounds or its birth year
    /// within those (the rule reads the birth year when the date is missing).
    pub birth_dates: Option<(NaiveDate, NaiveDate)>,
    pub birth_years: Option<(i32, i32)>,
    /// School levels admitted, `none` standing for no level recorded.
    pub school_levels: Option<Vec<String>>,
}

/// A candidate member as read: id, household, birth date and year, school level, and
/// whether a benefit covers it.
type MemberRow = (i64, i64, Option<NaiveDate>, i32, Option<String>, bool);

/// Pushes `col IN (values…)`, or a false condition for no values.
fn push_strings<DB>(qb: &mut QueryBuilder<DB>, column: &str, values: &[String])
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
{
    if values.is_empty() {
        qb.push("1 = 0");
        return;
    }
    qb.push(column).push(" IN (");
    let mut list = qb.separated(", ");
    for v in values {
        list.push_bind(v.clone());
    }
    qb.push(")");
}

/// Pushes the condition that a classification row `c` is the row of a household of the
/// unit, placed for the period and in force on the date, that the filter admits.
///
/// The households admitted are gathered once, as one `IN` over a `UNION` of the three
/// ways in (the placed row's own status and flags, a row of another period in force on
/// the date, a spell on the lists that ended recently). Written as an `OR` of `IN`
/// subqueries, PostgreSQL could not turn the subqueries into joins and probed a
/// materialised list once per placed row (hours at 500.000 households); a single `IN`
/// becomes one hashed semi-join on PostgreSQL and one ephemeral index on SQLite.
fn push_candidate_rows<DB>(
    qb: &mut QueryBuilder<DB>,
    q: &CoverageQuery<'_>,
    filter: &CandidateFilter,
    c: &str,
) where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    NaiveDate: for<'t> Encode<'t, DB> + Type<DB>,
    i32: for<'t> Encode<'t, DB> + Type<DB>,
{
    push_placed(qb, q, c);
    qb.push(format!(" AND {c}.household_id IN ("));
    push_admitted_households(qb, q, filter);
    qb.push(")");
}

/// Pushes a `SELECT` of the ids of the households of the unit that the filter admits
/// (the union described at [`push_candidate_rows`]); a household may come from more than
/// one part, the `UNION` keeps it once.
fn push_admitted_households<DB>(
    qb: &mut QueryBuilder<DB>,
    q: &CoverageQuery<'_>,
    filter: &CandidateFilter,
) where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    NaiveDate: for<'t> Encode<'t, DB> + Type<DB>,
    i32: for<'t> Encode<'t, DB> + Type<DB>,
{
    // The placed row itself: its status, its ethnicity, its village's or commune's flags.
    qb.push("SELECT p.household_id FROM classifications p WHERE ");
    push_placed(qb, q, "p");
    qb.push(" AND (");
    push_strings(qb, "p.status", &filter.statuses);
    if filter.ethnic_minority {
        qb.push(" OR p.ethnic_minority");
    }
    let flags: Vec<&str> = [
        (filter.extremely_difficult, "extremely_difficult"),
        (filter.border, "border"),
    ]
    .into_iter()
    .filter_map(|(on, column)| on.then_some(column))
    .collect();
    if !flags.is_empty() {
        let flagged = format!(
            "(SELECT u.code FROM admin_units u WHERE u.{})",
            flags.join(" OR u.")
        );
        qb.push(format!(
            " OR p.village_code IN {flagged} OR p.commune_code IN {flagged}"
        ));
    }
    qb.push(")");
    // The household's status on the date is that of its latest classification on or
    // before it, of any period: this period's row (above), or a row of another period in
    // force on the date.
    if !filter.statuses.is_empty() {
        // Of any unit: the household's history is read wherever it was classified.
        qb.push(" UNION SELECT o.household_id FROM classifications o WHERE o.period <> ")
            .push_bind(q.period);
        qb.push(" AND ");
        push_strings(qb, "o.status", &filter.statuses);
        qb.push(" AND o.effective_date <= ").push_bind(q.as_of);
        qb.push(" AND (o.valid_until IS NULL OR o.valid_until > ")
            .push_bind(q.as_of);
        qb.push(")");
    }
    if let Some((on_lists, since)) = &filter.on_lists_ended_since {
        // A spell on the lists that ended on or after the bound, or is still open.
        qb.push(" UNION SELECT s.household_id FROM classifications s WHERE ");
        push_strings(qb, "s.status", on_lists);
        qb.push(" AND s.effective_date <= ").push_bind(q.as_of);
        qb.push(" AND (s.valid_until IS NULL OR s.valid_until >= ")
            .push_bind(*since);
        qb.push(")");
    }
}

/// Pushes the member filter on members `m`.
fn push_member_filter<DB>(qb: &mut QueryBuilder<DB>, filter: &MemberFilter)
where
    DB: Database,
    String: for<'t> Encode<'t, DB> + Type<DB>,
    NaiveDate: for<'t> Encode<'t, DB> + Type<DB>,
    i32: for<'t> Encode<'t, DB> + Type<DB>,
{
    if let (Some((first, last)), Some((low, high))) = (filter.birth_dates, filter.birth_years) {
        qb.push(" AND ((m.birth_date IS NOT NULL AND m.birth_date BETWEEN ")
            .push_bind(first)
            .push(" AND ")
            .push_bind(last)
            .push(") OR m.birth_year BETWEEN ")
            .push_bind(low)
            .push(" AND ")
            .push_bind(high)
            .push(")");
    }
    if let Some(levels) = &filter.school_levels {
        qb.push(" AND ");
        push_strings(qb, "COALESCE(m.school_level, 'none')", levels);
    }
}

impl Store {
    /// The candidates of a policy's coverage: the households of the unit placed for the
    /// period and in force on the date that `filter` admits, with their classification
    /// history in any unit; for a policy given to people, their active members that
    /// the member filter admits; and which of them a benefit of the policy covers.
    pub async fn coverage_candidates(
        &self,
        q: &CoverageQuery<'_>,
        filter: &CandidateFilter,
    ) -> Result<CoverageInputs, StoreError> {
        checked(q.scope_column)?;
        checked(q.group_column)?;
        let group = q.stored_group();
        let inputs = with_pool!(self, pool => {
            let mut qb = QueryBuilder::new(format!(
                "SELECT c.household_id, COALESCE(c.{group}, ''), c.village_code, c.commune_code, \
                        c.ethnic_minority, EXISTS (SELECT 1 FROM benefits b \
                          WHERE b.home_province = c.home_province \
                            AND b.household_id = c.household_id AND b.member_id IS NULL"
            ));
            push_in_force(&mut qb, q);
            qb.push(") FROM classifications c WHERE ");
            push_candidate_rows(&mut qb, q, filter, "c");
            let placed: Vec<(i64, String, String, String, bool, bool)> =
                qb.build_query_as().fetch_all(pool).await?;

            let mut qb = QueryBuilder::new(
                "SELECT h.household_id, h.effective_date, h.status FROM classifications h WHERE ",
            );
            // The whole history, in any unit (see `Store::coverage_inputs`).
            qb.push("h.effective_date <= ").push_bind(q.as_of);
            qb.push(
                " AND (h.home_province, h.household_id) IN \
                 (SELECT c.home_province, c.household_id FROM classifications c WHERE ",
            );
            push_candidate_rows(&mut qb, q, filter, "c");
            qb.push(") ORDER BY h.household_id, h.effective_date, h.id");
            let history: Vec<(i64, NaiveDate, String)> =
                qb.build_query_as().fetch_all(pool).await?;

            let mut members = Vec::new();
            let mut covered: HashSet<(i64, Option<i64>)> = placed
                .iter()
                .filter(|row| row.5)
                .map(|row| (row.0, None))
                .collect();
            if let Some(member_filter) = &filter.member {
                let mut qb = QueryBuilder::new(
                    "SELECT m.id, m.household_id, m.birth_date, m.birth_year, m.school_level, \
                            EXISTS (SELECT 1 FROM benefits b \
                              WHERE b.home_province = m.home_province \
                                AND b.household_id = m.household_id AND b.member_id = m.id",
                );
                push_in_force(&mut qb, q);
                qb.push(
                    ") FROM members m WHERE m.active AND (m.home_province, m.household_id) IN \
                     (SELECT c.home_province, c.household_id FROM classifications c WHERE ",
                );
                push_candidate_rows(&mut qb, q, filter, "c");
                qb.push(")");
                push_member_filter(&mut qb, member_filter);
                let rows: Vec<MemberRow> =
                    qb.build_query_as().fetch_all(pool).await?;
                for (id, household_id, birth_date, birth_year, school_level, is_covered) in rows {
                    if is_covered {
                        covered.insert((household_id, Some(id)));
                    }
                    members.push(CoverageMember {
                        id,
                        household_id,
                        birth_date,
                        birth_year,
                        school_level,
                    });
                }
            }

            let placed = placed
                .into_iter()
                .map(|(id, group, village, commune, minority, _)| {
                    (id, group, village, commune, minority)
                })
                .collect();
            CoverageInputs {
                households: with_history(place_rows(q, placed), history),
                members,
                unit_flags: HashMap::new(),
                covered,
            }
        });
        Ok(CoverageInputs {
            unit_flags: self.unit_flags().await?,
            ..inputs
        })
    }
}
