//! The per-commune classification counts (migration 0051), kept up to date in the
//! transaction that writes classifications.
//!
//! Two approvals in one commune at once touch the same count rows. When each wrote its
//! changes in whatever order the database's grouping produced, and in two statements (the
//! rows leaving the counts, then the rows coming back), one could hold row X and wait for
//! row Y while the other held Y and waited for X: a deadlock, which PostgreSQL breaks by
//! failing one of the approvals. So the counts before and after the write are read, the
//! net change per count row is computed here, and the changes are written in one
//! statement per batch, in the order of their keys: every writer takes the row locks in
//! the same order, and rows whose count does not change are not touched at all.

use chrono::NaiveDate;
use sqlx::QueryBuilder;
use std::collections::BTreeMap;

/// One count row's key (province, district or '', commune, period, status, start of the
/// span, end of the span or 9999-12-31) and a number of households.
pub(crate) type CountRow = (
    String,
    String,
    String,
    i32,
    String,
    NaiveDate,
    NaiveDate,
    i64,
);

type CountKey = (String, String, String, i32, String, NaiveDate, NaiveDate);

/// The key of the per-commune counts, and how a classification row gives it.
const COUNT_KEY: &str =
    "province_code, district_code, commune_code, period, status, effective_date, valid_until";
pub(crate) const COUNT_KEY_OF_ROW: &str = "c.province_code, COALESCE(c.district_code, ''), \
     c.commune_code, c.period, c.status, c.effective_date, COALESCE(c.valid_until, '9999-12-31')";

/// Count rows per statement: eight parameters a row, under SQLite's 32,766 a statement.
const ROWS_PER_STATEMENT: usize = 4000;

/// The counts the classifications of `households` in `periods` make up, by count key.
pub(crate) fn counted<DB>(households: &[i64], periods: &[i32]) -> QueryBuilder<DB>
where
    DB: sqlx::Database,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i32: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut qb = QueryBuilder::new(format!(
        "SELECT {COUNT_KEY_OF_ROW}, COUNT(*) FROM classifications c WHERE c.household_id IN ("
    ));
    let mut list = qb.separated(", ");
    for h in households {
        list.push_bind(*h);
    }
    qb.push(") AND c.period IN (");
    let mut list = qb.separated(", ");
    for p in periods {
        list.push_bind(*p);
    }
    qb.push(format!(") GROUP BY {COUNT_KEY_OF_ROW}"));
    qb
}

/// The net change of each count row from `before` to `after` (both as [`counted`] reads
/// them), without the rows that do not change, in key order.
pub(crate) fn changes(before: Vec<CountRow>, after: Vec<CountRow>) -> Vec<CountRow> {
    let mut net: BTreeMap<CountKey, i64> = BTreeMap::new();
    let rows = before
        .into_iter()
        .map(|r| (r, -1))
        .chain(after.into_iter().map(|r| (r, 1)));
    for ((p, d, c, period, s, from, to, n), sign) in rows {
        *net.entry((p, d, c, period, s, from, to)).or_default() += sign * n;
    }
    net.into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|((p, d, c, period, s, from, to), n)| (p, d, c, period, s, from, to, n))
        .collect()
}

/// The statements adding `changes` (in key order, as [`changes`] gives them) to the
/// counts, one per batch of rows.
pub(crate) fn apply<DB>(changes: &[CountRow]) -> Vec<QueryBuilder<DB>>
where
    DB: sqlx::Database,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i32: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    NaiveDate: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    changes
        .chunks(ROWS_PER_STATEMENT)
        .map(|batch| {
            let mut qb = QueryBuilder::new(format!(
                "INSERT INTO classification_counts ({COUNT_KEY}, households) "
            ));
            qb.push_values(batch, |mut b, (p, d, c, period, s, from, to, n)| {
                b.push_bind(p.clone())
                    .push_bind(d.clone())
                    .push_bind(c.clone())
                    .push_bind(*period)
                    .push_bind(s.clone())
                    .push_bind(*from)
                    .push_bind(*to)
                    .push_bind(*n);
            });
            qb.push(format!(
                " ON CONFLICT ({COUNT_KEY}) \
                 DO UPDATE SET households = classification_counts.households + excluded.households"
            ));
            qb
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, day: u32, n: i64) -> CountRow {
        let d = NaiveDate::from_ymd_opt(2022, 1, day).unwrap();
        let end = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        (
            "42".into(),
            String::new(),
            "18499".into(),
            2022,
            status.into(),
            d,
            end,
            n,
        )
    }

    #[test]
    fn changes_are_net_without_zeros_and_in_key_order() {
        let before = vec![row("poor", 1, 3), row("near_poor", 1, 2)];
        let after = vec![
            row("poor", 1, 3),
            row("near_poor", 1, 1),
            row("not_poor", 1, 1),
        ];
        assert_eq!(
            changes(before, after),
            vec![row("near_poor", 1, -1), row("not_poor", 1, 1)]
        );
    }
}
