//! The figures kept up to date in the transaction that writes classifications: the
//! per-commune counts (migration 0051) and the per-village counts with the deprivation
//! lists of the households on a list (migration 0095).
//!
//! Two approvals in one commune at once touch the same count rows. When each wrote its
//! changes in whatever order the database's grouping produced, and in two statements (the
//! rows leaving the counts, then the rows coming back), one could hold row X and wait for
//! row Y while the other held Y and waited for X: a deadlock, which PostgreSQL breaks by
//! failing one of the approvals. So the counts before and after the write are read, the
//! net change per count row is computed here, and the changes are written one table after
//! the other (in the order of [`ROLLUPS`]), in the order of their keys: every writer takes
//! the row locks in the same order, and rows whose count does not change are not touched.

use chrono::NaiveDate;
use sqlx::QueryBuilder;
use std::collections::BTreeMap;

/// A table of figures kept up to date with each classification written: the households
/// per key, the key computed from each classification row.
pub(crate) struct Rollup {
    pub table: &'static str,
    /// The table's key columns.
    pub key: &'static [&'static str],
    /// How a classification row `c` gives the key, column for column.
    pub key_of_row: &'static [&'static str],
}

/// The per-commune counts and the per-village counts, in the order they are written.
pub(crate) const ROLLUPS: [Rollup; 2] = [
    Rollup {
        table: "classification_counts",
        key: &[
            "province_code",
            "district_code",
            "commune_code",
            "period",
            "status",
            "effective_date",
            "valid_until",
        ],
        key_of_row: &[
            "c.province_code",
            "COALESCE(c.district_code, '')",
            "c.commune_code",
            "c.period",
            "c.status",
            "c.effective_date",
            "COALESCE(c.valid_until, '9999-12-31')",
        ],
    },
    Rollup {
        table: "classification_village_counts",
        key: &[
            "province_code",
            "district_code",
            "commune_code",
            "village_code",
            "period",
            "status",
            "deprived",
            "effective_date",
            "valid_until",
        ],
        key_of_row: &[
            "c.province_code",
            "COALESCE(c.district_code, '')",
            "c.commune_code",
            "c.village_code",
            "c.period",
            "c.status",
            "CASE WHEN c.status IN ('poor', 'near_poor') THEN c.deprived ELSE '' END",
            "c.effective_date",
            "COALESCE(c.valid_until, '9999-12-31')",
        ],
    },
];

/// One value of a count key: the period is a number, the span's ends are dates, every
/// other key column is text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum KeyValue {
    Text(String),
    Period(i32),
    Date(NaiveDate),
}

/// A count row: its key, column for column as [`Rollup::key`], and a number of
/// households.
pub(crate) type CountRow = (Vec<KeyValue>, i64);

fn is_date(column: &str) -> bool {
    matches!(column, "effective_date" | "valid_until")
}

/// The counts of `rollup` that the classifications of `households` (whose keys are
/// `homes`) in `periods` make up, grouped by key.
pub(crate) fn counted<DB>(
    rollup: &Rollup,
    homes: &[String],
    households: &[i64],
    periods: &[i32],
) -> QueryBuilder<DB>
where
    DB: sqlx::Database,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i32: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let key_of_row = rollup.key_of_row.join(", ");
    let mut qb = QueryBuilder::new(format!(
        "SELECT {key_of_row}, COUNT(*) FROM classifications c WHERE "
    ));
    crate::homes::push_homes(&mut qb, "c.home_province", homes);
    qb.push(" AND c.household_id IN (");
    let mut list = qb.separated(", ");
    for h in households {
        list.push_bind(*h);
    }
    qb.push(") AND c.period IN (");
    let mut list = qb.separated(", ");
    for p in periods {
        list.push_bind(*p);
    }
    qb.push(format!(") GROUP BY {key_of_row}"));
    qb
}

/// Reads one row of [`counted`] for `rollup`.
pub(crate) fn decode<R>(rollup: &Rollup, row: &R) -> Result<CountRow, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    NaiveDate: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut key = Vec::with_capacity(rollup.key.len());
    for (i, column) in rollup.key.iter().enumerate() {
        key.push(match *column {
            "period" => KeyValue::Period(row.try_get(i)?),
            c if is_date(c) => KeyValue::Date(row.try_get(i)?),
            _ => KeyValue::Text(row.try_get(i)?),
        });
    }
    Ok((key, row.try_get(rollup.key.len())?))
}

/// The net change of each count row from `before` to `after` (both as [`counted`] reads
/// them), without the rows that do not change, in key order.
pub(crate) fn changes(before: Vec<CountRow>, after: Vec<CountRow>) -> Vec<CountRow> {
    let mut net: BTreeMap<Vec<KeyValue>, i64> = BTreeMap::new();
    let rows = before.into_iter().map(|(k, n)| (k, -n)).chain(after);
    for (key, n) in rows {
        *net.entry(key).or_default() += n;
    }
    net.into_iter().filter(|(_, n)| *n != 0).collect()
}

/// The statements adding `changes` (in key order, as [`changes`] gives them) to the
/// counts of `rollup`, one per batch of rows.
pub(crate) fn apply<DB>(rollup: &Rollup, changes: &[CountRow]) -> Vec<QueryBuilder<DB>>
where
    DB: sqlx::Database,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    i32: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    NaiveDate: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let (table, key) = (rollup.table, rollup.key.join(", "));
    // One parameter per key column and one for the count a row, under SQLite's 32,766
    // parameters a statement.
    let rows_per_statement = 32_000 / (rollup.key.len() + 1);
    changes
        .chunks(rows_per_statement)
        .map(|batch| {
            let mut qb = QueryBuilder::new(format!("INSERT INTO {table} ({key}, households) "));
            qb.push_values(batch, |mut b, (values, n)| {
                for value in values {
                    match value {
                        KeyValue::Text(t) => b.push_bind(t.clone()),
                        KeyValue::Period(p) => b.push_bind(*p),
                        KeyValue::Date(d) => b.push_bind(*d),
                    };
                }
                b.push_bind(*n);
            });
            qb.push(format!(
                " ON CONFLICT ({key}) \
                 DO UPDATE SET households = {table}.households + excluded.households"
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
        let key = vec![
            KeyValue::Text("42".into()),
            KeyValue::Text(String::new()),
            KeyValue::Text("18499".into()),
            KeyValue::Period(2022),
            KeyValue::Text(status.into()),
            KeyValue::Date(d),
            KeyValue::Date(end),
        ];
        (key, n)
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
