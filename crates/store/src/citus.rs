//! Distributing the schema on a distributed PostgreSQL (Citus), after the migrations.
//!
//! `migrate` calls [`distribute`] whenever the database has the `citus` extension. Each
//! table is placed once, by what it holds:
//! - a table with a `home_province` column holds rows about households and is distributed
//!   by that column, co-located with `households`, so that a household's rows share its
//!   shard and the joins between them stay on one node;
//! - the tables in [`LOCAL`] are read and written by the coordinator alone and stay there;
//! - the claims of unique values (migration 0091, [`CLAIMS`]) are distributed by the
//!   value itself, so that each value has one place in the cluster where a second claim
//!   of it is refused, whichever households' shards the claimants live on; the households'
//!   keys (migration 0151) likewise by household id, so that a household known by its id
//!   alone is found on one shard;
//! - every other table is small and shared (units, settings, users, reviews…) and becomes
//!   a reference table, copied to every node.
//!
//! A table Citus already knows is left alone, so a re-run does nothing, and a table a newer
//! migration adds is placed by the same rule the next time `migrate` runs.

use crate::StoreError;
use sqlx::{PgPool, Row};

/// The distribution column every per-household table carries (migration 0040).
pub const DISTRIBUTION_COLUMN: &str = "home_province";

/// The table the per-household tables are co-located with.
const ANCHOR: &str = "households";

/// Coordinator-only tables: sign-ins are checked by the coordinator alone, and sqlx's
/// own bookkeeping must stay where `migrate` reads it.
const LOCAL: [&str; 2] = ["sessions", "_sqlx_migrations"];

/// Tables that point at a local table by foreign key: they are placed last, with the
/// local table following them into Citus's metadata (a "Citus local table"), which keeps
/// the foreign key and its ON DELETE CASCADE working.
const REFERENCED_BY_LOCAL: [&str; 1] = ["users"];

/// The tables distributed by a value of their own, and the column each is distributed
/// by: the claims (migration 0091), and the households' keys by household id (migration
/// 0151), so that the key of a household known by its id alone is read from one shard.
const CLAIMS: [(&str, &str); 4] = [
    ("citizen_id_claims", "citizen_id"),
    ("household_code_claims", "commune_code"),
    ("certificate_claims", "commune_code"),
    ("household_homes", "household_id"),
];

/// How a table is placed on the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Distributed,
    /// Distributed by the named column of its own, in a co-location group of its own.
    ByValue(&'static str),
    Reference,
    Local,
}

/// The placement of a table, by the rule of the module documentation.
pub fn placement(table: &str, has_distribution_column: bool) -> Placement {
    if LOCAL.contains(&table) {
        Placement::Local
    } else if let Some((_, column)) = CLAIMS.iter().find(|(t, _)| *t == table) {
        Placement::ByValue(column)
    } else if has_distribution_column {
        Placement::Distributed
    } else {
        Placement::Reference
    }
}

/// True when the database runs Citus.
pub async fn is_citus(pool: &PgPool) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_extension WHERE extname = 'citus'")
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}

/// Distributes every table Citus does not know yet; returns how many were placed.
pub async fn distribute(pool: &PgPool) -> Result<usize, StoreError> {
    // One connection: the settings below hold for the session that places the tables.
    let mut conn = pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT t.table_name::TEXT AS name, \
                EXISTS (SELECT 1 FROM information_schema.columns c \
                        WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name \
                          AND c.column_name = $1) AS keyed, \
                EXISTS (SELECT 1 FROM pg_dist_partition p \
                        WHERE p.logicalrelid = (quote_ident(t.table_schema) || '.' || \
                              quote_ident(t.table_name))::regclass) AS known \
         FROM information_schema.tables t \
         WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
         ORDER BY t.table_name",
    )
    .bind(DISTRIBUTION_COLUMN)
    .fetch_all(&mut *conn)
    .await?;
    let mut reference = Vec::new();
    let mut distributed = Vec::new();
    let mut by_value = Vec::new();
    for row in &rows {
        let name: String = row.get("name");
        if row.get::<bool, _>("known") {
            continue;
        }
        match placement(&name, row.get("keyed")) {
            Placement::Local => {}
            Placement::Reference => reference.push(name),
            Placement::Distributed => distributed.push(name),
            Placement::ByValue(column) => by_value.push((name, column)),
        }
    }
    // A reference table can only point at tables Citus already holds, so the tables
    // each one references come first. Reference tables referenced by a local table come
    // last (see REFERENCED_BY_LOCAL); until then Citus must not pull the local tables
    // into its metadata, or it would turn the households' tables into Citus local tables
    // that can no longer be distributed.
    let links: Vec<(String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::TEXT, confrelid::regclass::TEXT FROM pg_constraint \
         WHERE contype = 'f' AND conrelid <> confrelid",
    )
    .fetch_all(&mut *conn)
    .await?;
    let reference = in_reference_order(reference, &links);
    sqlx::query("SET citus.enable_local_reference_table_foreign_keys = off")
        .execute(&mut *conn)
        .await?;
    let mut placed = 0;
    for table in &reference {
        if REFERENCED_BY_LOCAL.contains(&table.as_str()) {
            sqlx::query("SET citus.enable_local_reference_table_foreign_keys = on")
                .execute(&mut *conn)
                .await?;
        }
        let had_rows = has_rows(&mut conn, table).await?;
        sqlx::query("SELECT create_reference_table($1)")
            .bind(table)
            .execute(&mut *conn)
            .await?;
        // A table a local table points at cannot be truncated; its few rows stay.
        if had_rows && !REFERENCED_BY_LOCAL.contains(&table.as_str()) {
            drop_local_copy(&mut conn, table).await?;
        }
        placed += 1;
    }
    // The anchor first, then the others co-located with it.
    distributed.sort_by_key(|t| t != ANCHOR);
    for table in &distributed {
        let had_rows = has_rows(&mut conn, table).await?;
        if table == ANCHOR {
            sqlx::query("SELECT create_distributed_table($1, $2)")
                .bind(table)
                .bind(DISTRIBUTION_COLUMN)
                .execute(&mut *conn)
                .await?;
        } else {
            sqlx::query("SELECT create_distributed_table($1, $2, colocate_with => $3)")
                .bind(table)
                .bind(DISTRIBUTION_COLUMN)
                .bind(ANCHOR)
                .execute(&mut *conn)
                .await?;
        }
        if had_rows {
            drop_local_copy(&mut conn, table).await?;
        }
        placed += 1;
    }
    for (table, column) in &by_value {
        let had_rows = has_rows(&mut conn, table).await?;
        sqlx::query("SELECT create_distributed_table($1, $2, colocate_with => 'none')")
            .bind(table)
            .bind(column)
            .execute(&mut *conn)
            .await?;
        if had_rows {
            drop_local_copy(&mut conn, table).await?;
        }
        placed += 1;
    }
    sqlx::query("RESET citus.enable_local_reference_table_foreign_keys")
        .execute(&mut *conn)
        .await?;
    Ok(placed)
}

/// Orders tables so that each comes after the tables it points at by foreign key
/// (`links` are (from, to) pairs), with REFERENCED_BY_LOCAL last.
fn in_reference_order(mut pending: Vec<String>, links: &[(String, String)]) -> Vec<String> {
    let mut ordered: Vec<String> = Vec::new();
    while !pending.is_empty() {
        let ready = |t: &String| {
            links
                .iter()
                .filter(|(from, to)| from == t && to != t)
                .all(|(_, to)| !pending.contains(to) || REFERENCED_BY_LOCAL.contains(&to.as_str()))
        };
        // A cycle, which the schema does not have, would otherwise loop: take the first.
        let i = pending
            .iter()
            .position(|t| ready(t) && !REFERENCED_BY_LOCAL.contains(&t.as_str()))
            .or_else(|| pending.iter().position(ready))
            .unwrap_or(0);
        ordered.push(pending.remove(i));
    }
    ordered
}

/// True when a table not yet distributed holds rows.
async fn has_rows(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Postgres>,
    table: &str,
) -> Result<bool, StoreError> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM \"{}\")",
        table.replace('"', "\"\"")
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut **conn)
        .await?)
}

/// Citus copies a table's rows into its shards and leaves the originals on the
/// coordinator's disk, invisible; they are removed so that a database distributed after
/// years of use does not hold its data twice.
async fn drop_local_copy(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Postgres>,
    table: &str,
) -> Result<(), StoreError> {
    sqlx::query("SELECT truncate_local_data_after_distributing_table($1)")
        .bind(table)
        .execute(&mut **conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_placed_by_their_key() {
        assert_eq!(placement("households", true), Placement::Distributed);
        assert_eq!(placement("audit_log", true), Placement::Distributed);
        assert_eq!(placement("admin_units", false), Placement::Reference);
        assert_eq!(placement("sessions", false), Placement::Local);
        assert_eq!(
            placement("citizen_id_claims", false),
            Placement::ByValue("citizen_id")
        );
        assert_eq!(placement("_sqlx_migrations", false), Placement::Local);
    }

    #[test]
    fn referenced_tables_come_first_and_users_last() {
        let tables = ["complaints", "reviews", "users", "unit_lists"].map(String::from);
        let links = [
            ("complaints".to_string(), "reviews".to_string()),
            ("sessions".to_string(), "users".to_string()),
        ];
        assert_eq!(
            in_reference_order(tables.to_vec(), &links),
            ["reviews", "complaints", "unit_lists", "users"]
        );
    }
}
