//! Where a household's rows are: its distribution key (`home_province`, migration 0040),
//! found once per household and named in every statement about the household.
//!
//! On Citus a statement that names a household by its id alone is sent to every shard,
//! since the shards are chosen by `home_province`; the same statement with
//! `home_province = $n` added goes to one. A household's key never changes (a move to
//! another province changes its `province_code`, not its key), so once read it can be kept
//! for the life of the process: the store keeps a bounded map of the keys it has read. On a
//! miss the key is read from `household_homes` (migration 0151), keyed and on Citus
//! distributed by the household's id, so that the lookup too goes to one shard. SQLite and
//! plain PostgreSQL run the same code; for them the extra predicate is harmless.

use crate::{Store, StoreError, with_pool};
use std::collections::HashMap;
use std::sync::Mutex;

/// How many households' keys a store keeps: a few megabytes, far more than the
/// households a server's users look at between restarts in a province. When full, the map
/// is emptied and filled again by the next reads, which keeps the bound without the
/// bookkeeping of a least-recently-used order.
const CAPACITY: usize = 200_000;

/// The keys a store has read, by household id.
#[derive(Default)]
pub(crate) struct HomeCache {
    homes: Mutex<HashMap<i64, String>>,
}

impl HomeCache {
    fn get(&self, id: i64) -> Option<String> {
        self.lock().get(&id).cloned()
    }

    fn put(&self, found: &HashMap<i64, String>) {
        let mut homes = self.lock();
        if homes.len() + found.len() > CAPACITY {
            homes.clear();
        }
        homes.extend(found.iter().map(|(id, home)| (*id, home.clone())));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, String>> {
        // A panic while holding the lock leaves a map that is still correct.
        self.homes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Reads the keys of `ids` from `household_homes` (one shard per household on Citus).
/// Every path that creates a household writes its key there in the same transaction, and
/// migration 0151 wrote those of the households already stored; a household without a
/// key does not exist.
macro_rules! read_homes {
    ($conn:expr, $ids:expr) => {{
        let ids: &[i64] = $ids;
        let mut homes: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
        for chunk in ids.chunks($crate::households::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT household_id, home FROM household_homes WHERE household_id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut *$conn).await?;
            homes.extend(rows);
        }
        homes
    }};
}
pub(crate) use read_homes;

/// Records the keys of new households in `household_homes`, inside the transaction that
/// creates them. `$rows` is a slice of (household id, key).
macro_rules! insert_homes {
    ($tx:expr, $rows:expr) => {{
        let rows: &[(i64, String)] = $rows;
        for chunk in rows.chunks($crate::households::CHUNK) {
            let mut qb =
                sqlx::QueryBuilder::new("INSERT INTO household_homes (household_id, home) ");
            qb.push_values(chunk, |mut b, (id, home)| {
                b.push_bind(*id).push_bind(home);
            });
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use insert_homes;

/// The keys of new households (`ids` in the order of `households`): the province each is
/// registered in.
pub(crate) fn registered(ids: &[i64], households: &[crate::NewHousehold]) -> Vec<(i64, String)> {
    ids.iter()
        .zip(households)
        .map(|(id, h)| (*id, h.fields.province_code.clone()))
        .collect()
}

impl Store {
    /// The distribution key of a household, `None` when there is no such household.
    pub async fn home_province_of(&self, household_id: i64) -> Result<Option<String>, StoreError> {
        Ok(self.homes_of(&[household_id]).await?.remove(&household_id))
    }

    /// The distribution keys of households, by id; a household that does not exist is
    /// left out.
    pub(crate) async fn homes_of(&self, ids: &[i64]) -> Result<HashMap<i64, String>, StoreError> {
        let mut homes = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match self.homes.get(*id) {
                Some(home) => {
                    homes.insert(*id, home);
                }
                None => missing.push(*id),
            }
        }
        if missing.is_empty() {
            return Ok(homes);
        }
        missing.sort_unstable();
        missing.dedup();
        let found = with_pool!(self, pool => {
            let mut conn = pool.acquire().await?;
            read_homes!(conn, &missing)
        });
        self.homes.put(&found);
        homes.extend(found);
        Ok(homes)
    }

    /// The distinct keys of households, sorted: what a statement about several households
    /// names in `home_province IN (…)`. Empty when none of them exists.
    pub(crate) async fn home_list(&self, ids: &[i64]) -> Result<Vec<String>, StoreError> {
        Ok(distinct_homes(&self.homes_of(ids).await?))
    }
}

/// The distinct keys of a map of households' keys, sorted.
pub(crate) fn distinct_homes(homes: &HashMap<i64, String>) -> Vec<String> {
    let mut list: Vec<String> = homes.values().cloned().collect();
    list.sort_unstable();
    list.dedup();
    list
}

/// Pushes `{column} IN (…keys)`: the shards of the households a statement is about. With
/// no key (none of the households exists) the condition holds for no row, as the ids'
/// own condition would not.
pub(crate) fn push_homes<DB>(qb: &mut sqlx::QueryBuilder<DB>, column: &str, homes: &[String])
where
    DB: sqlx::Database,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(column);
    if homes.is_empty() {
        qb.push(" IS NULL");
        return;
    }
    qb.push(" IN (");
    let mut list = qb.separated(", ");
    for home in homes {
        list.push_bind(home.clone());
    }
    qb.push(")");
}

/// Where a statement names the keys of the households it is about: `/*home:c*/` becomes
/// `c.home_province IN (…keys)`. Citus chooses the shards of a statement from the
/// conditions on each table it reads, a correlated subquery's included, so each of them
/// names the keys even where it already matches its outer row's key.
const HOME_MARK: &str = "/*home:";

/// Pushes `sql` with each of its `/*home:ALIAS*/` marks made `ALIAS.home_province IN (…)`
/// over `homes` (see [`push_homes`]).
pub(crate) fn push_with_homes<DB>(qb: &mut sqlx::QueryBuilder<DB>, sql: &str, homes: &[String])
where
    DB: sqlx::Database,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut rest = sql;
    while let Some(at) = rest.find(HOME_MARK) {
        qb.push(&rest[..at]);
        let after = &rest[at + HOME_MARK.len()..];
        let end = after.find("*/").expect("a home mark is closed");
        push_homes(qb, &format!("{}.home_province", &after[..end]), homes);
        rest = &after[end + 2..];
    }
    qb.push(rest);
}

/// Marks every correlated subquery of `sql` over `table` (`FROM table x WHERE …`) with
/// `/*home:x*/ AND`, for [`push_with_homes`]: used on a statement kept in a migration
/// file, which must stay the same text as the migration's.
pub(crate) fn mark_subqueries(sql: &str, table: &str) -> String {
    let from = format!("FROM {table} ");
    let mut out = String::with_capacity(sql.len() + 256);
    let mut rest = sql;
    while let Some(at) = rest.find(&from) {
        let after = &rest[at + from.len()..];
        let alias_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let alias = &after[..alias_len];
        let tail = after[alias_len..].trim_start();
        out.push_str(&rest[..at + from.len() + alias_len]);
        if !alias.is_empty() && tail.starts_with("WHERE ") {
            out.push_str(&format!(" WHERE {HOME_MARK}{alias}*/ AND "));
            rest = &tail["WHERE ".len()..];
        } else {
            rest = &after[alias_len..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn correlated_subqueries_are_marked() {
        assert_eq!(
            super::mark_subqueries(
                "SELECT (SELECT MAX(q.period) FROM classifications q\n   WHERE q.id = b.id) \
                 FROM classifications b /*households:b*/ JOIN classifications p ON p.id = b.id",
                "classifications"
            ),
            "SELECT (SELECT MAX(q.period) FROM classifications q WHERE /*home:q*/ AND q.id = b.id) \
             FROM classifications b /*households:b*/ JOIN classifications p ON p.id = b.id"
        );
    }
}
