//! A condition "this column is one of these values", written the way each backend reads a
//! long list best.
//!
//! PostgreSQL (and Citus) takes the whole list as one array parameter (`column = ANY($1)`):
//! an import of a province's card list reads the facts of its 95.000 households in one
//! statement per table, where lists of 1.000 placeholders took 95 statements per table,
//! each planned and each sent to every shard. SQLite has no arrays and its statements
//! cost no round trip, so it keeps lists of [`CHUNK`] placeholders, under its limit of
//! bound parameters.

use crate::households::CHUNK;
use crate::{Pool, Store};
use sqlx::{Postgres, QueryBuilder, Sqlite};

/// How a backend writes `column IN (values)` for values of type `T`.
pub(crate) trait InList<T>: sqlx::Database {
    /// Pushes the condition; `column` is fixed SQL of the caller.
    fn push_in(qb: &mut QueryBuilder<Self>, column: &str, values: &[T]);
}

impl InList<i64> for Postgres {
    fn push_in(qb: &mut QueryBuilder<Self>, column: &str, values: &[i64]) {
        qb.push(format!("{column} = ANY("))
            .push_bind(values)
            .push(")");
    }
}

impl InList<String> for Postgres {
    fn push_in(qb: &mut QueryBuilder<Self>, column: &str, values: &[String]) {
        qb.push(format!("{column} = ANY("))
            .push_bind(values)
            .push(")");
    }
}

impl<T> InList<T> for Sqlite
where
    T: Clone + for<'q> sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite>,
{
    fn push_in(qb: &mut QueryBuilder<Self>, column: &str, values: &[T]) {
        qb.push(format!("{column} IN ("));
        let mut list = qb.separated(", ");
        for v in values {
            list.push_bind(v.clone());
        }
        list.push_unseparated(")");
    }
}

impl Store {
    /// How many values one condition of [`InList`] holds on this backend: all of them on
    /// PostgreSQL, [`CHUNK`] on SQLite.
    pub(crate) fn in_list_chunk(&self) -> usize {
        match &self.pool {
            Pool::Postgres(_) => usize::MAX,
            Pool::Sqlite(_) => CHUNK,
        }
    }
}
