//! Bulk loading of households: the command line's import of large files and the national
//! synthetic data.
//!
//! PostgreSQL (and Citus) loads each batch with `COPY … FROM STDIN`, the fastest way in;
//! SQLite, which has no `COPY`, runs one prepared insert per row, all rows of a batch in
//! one transaction. Either way a batch is all or nothing, and the count of an import run
//! is updated in the batch's own transaction, so that a killed load resumes exactly after
//! its last committed batch.
//!
//! The column lists are those of the ordinary inserts ([`HOUSEHOLD_FIELDS`],
//! [`MEMBER_FIELDS`], [`AUDIT_COLUMNS`]), and the values of a `COPY` row are looked up
//! by those names in the row's serialised fields: a column added to a table is added to
//! its struct and its list once, and both ways of writing follow.

use crate::households::{
    AUDIT_COLUMNS, HOUSEHOLD_FIELDS, MEMBER_FIELDS, bind_audit, bind_household, bind_member,
    timestamp,
};
use crate::{AuditEntry, NewHousehold, Pool, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::AssertSqlSafe;

/// An import run: a file being loaded, by the hash of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRun {
    pub file_sha256: String,
    pub file_name: String,
    pub households_total: i64,
    /// Households committed so far, in file order.
    pub households_done: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// The run a batch belongs to, and the count of households committed once it is.
#[derive(Debug, Clone, Copy)]
pub struct RunMark<'a> {
    pub file_sha256: &'a str,
    pub households_done: i64,
}

/// Appends one field of `COPY`'s text format: `\N` for NULL, backslash escapes for the
/// characters that separate fields and rows.
fn copy_field(out: &mut String, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Null => out.push_str("\\N"),
        Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => copy_text(out, s),
        // No field of the registry is a list or a map; as JSON text if one ever is.
        other => copy_text(out, &other.to_string()),
    }
}

fn copy_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Appends `row`'s values of `columns`, each preceded by a tab.
fn copy_fields<T: Serialize>(out: &mut String, row: &T, columns: &[&str]) {
    let value = serde_json::to_value(row).expect("registry rows serialise");
    let serde_json::Value::Object(map) = value else {
        panic!("a registry row serialises to a map");
    };
    for column in columns {
        out.push('\t');
        // A column the struct does not have is a programming error, caught by the tests
        // that load through this path on PostgreSQL.
        copy_field(out, map.get(*column).unwrap_or(&serde_json::Value::Null));
    }
}

/// Ends a registry row with its `created_at` and `updated_at`.
fn end_row(out: &mut String, now: &str) {
    for _ in 0..2 {
        out.push('\t');
        copy_text(out, now);
    }
    out.push('\n');
}

fn audit_columns() -> Vec<&'static str> {
    AUDIT_COLUMNS.split(", ").collect()
}

/// Moves a run to the count of a batch, inside the batch's open transaction.
macro_rules! mark_run {
    ($tx:expr, $mark:expr) => {
        if let Some(mark) = $mark {
            sqlx::query("UPDATE import_runs SET households_done = $2 WHERE file_sha256 = $1")
                .bind(mark.file_sha256)
                .bind(mark.households_done)
                .execute(&mut *$tx)
                .await?;
        }
    };
}

fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// The run of a file, if it was ever started.
    pub async fn import_run(&self, file_sha256: &str) -> Result<Option<ImportRun>, StoreError> {
        let sql = "SELECT file_sha256, file_name, households_total, households_done, started_at, finished_at \
                   FROM import_runs WHERE file_sha256 = $1";
        Ok(
            crate::with_pool!(self, pool => sqlx::query_as::<_, ImportRun>(sql)
            .bind(file_sha256)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Starts the run of a file, or gives back the one already started.
    pub async fn start_import_run(
        &self,
        file_sha256: &str,
        file_name: &str,
        households_total: i64,
        now: DateTime<Utc>,
    ) -> Result<ImportRun, StoreError> {
        let sql = "INSERT INTO import_runs (file_sha256, file_name, households_total, started_at) \
                   VALUES ($1, $2, $3, $4) ON CONFLICT (file_sha256) DO NOTHING";
        crate::with_pool!(self, pool => sqlx::query(sql)
            .bind(file_sha256)
            .bind(file_name)
            .bind(households_total)
            .bind(timestamp(now))
            .execute(pool)
            .await
            .map(|_| ())?);
        self.import_run(file_sha256)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("lần nhập tệp {file_name}")))
    }

    /// Marks a run finished.
    pub async fn finish_import_run(
        &self,
        file_sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE import_runs SET finished_at = $2 WHERE file_sha256 = $1";
        crate::with_pool!(self, pool => sqlx::query(sql)
            .bind(file_sha256)
            .bind(timestamp(now))
            .execute(pool)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// Loads a batch of households with their members and audit entries in one
    /// transaction, and moves `mark`'s run to its count in that same transaction.
    /// Returns the new ids in input order; `StoreError::Duplicate` when a unique index
    /// refuses a row (nothing of the batch is then written).
    pub async fn load_households(
        &self,
        batch: &[NewHousehold],
        now: DateTime<Utc>,
        mark: Option<RunMark<'_>>,
    ) -> Result<Vec<i64>, StoreError> {
        let now = timestamp(now);
        // The values the batch claims (migration 0091), refused before any write when two
        // of its households share one.
        let claims = crate::claims::Held::of_new(batch)?;
        match &self.pool {
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // COPY returns no ids, so they are drawn from the table's own sequence
                // first; the members and audit entries then name them.
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT nextval(pg_get_serial_sequence('households', 'id')) \
                     FROM generate_series(1, $1)",
                )
                .bind(batch.len() as i64)
                .fetch_all(&mut *tx)
                .await?;
                let mut data = String::with_capacity(batch.len() * 512);
                // A new household's distribution key (migration 0040) is the province it
                // is registered in, and its members and audit entry carry the same key.
                for (h, id) in batch.iter().zip(&ids) {
                    data.push_str(&id.to_string());
                    data.push('\t');
                    copy_text(&mut data, &h.fields.province_code);
                    copy_fields(&mut data, &h.fields, &HOUSEHOLD_FIELDS);
                    end_row(&mut data, &now);
                }
                copy_in(
                    &mut tx,
                    &format!(
                        "COPY households (id, home_province, {}, created_at, updated_at) FROM STDIN",
                        HOUSEHOLD_FIELDS.join(", ")
                    ),
                    &data,
                )
                .await?;
                data.clear();
                for (h, id) in batch.iter().zip(&ids) {
                    for m in &h.members {
                        copy_text(&mut data, &h.fields.province_code);
                        data.push('\t');
                        data.push_str(&id.to_string());
                        data.push('\t');
                        copy_text(&mut data, &h.fields.province_code);
                        copy_fields(&mut data, m, &MEMBER_FIELDS);
                        end_row(&mut data, &now);
                    }
                }
                copy_in(
                    &mut tx,
                    &format!(
                        "COPY members (home_province, household_id, province_code, {}, created_at, updated_at) FROM STDIN",
                        MEMBER_FIELDS.join(", ")
                    ),
                    &data,
                )
                .await?;
                data.clear();
                let columns = audit_columns();
                for (h, id) in batch.iter().zip(&ids) {
                    let entry = audit_of(&h.audit, *id);
                    let mut row = String::new();
                    copy_text(&mut row, &h.fields.province_code);
                    copy_fields(&mut row, &entry, &columns);
                    data.push_str(&row);
                    data.push('\n');
                }
                copy_in(
                    &mut tx,
                    &format!("COPY audit_log (home_province, {AUDIT_COLUMNS}) FROM STDIN"),
                    &data,
                )
                .await?;
                if let Some(first) = batch.first() {
                    sqlx::query(AssertSqlSafe(card_benefits_sql(true)))
                        .bind(&first.audit.username)
                        .bind(&now)
                        .bind(&ids)
                        .execute(&mut *tx)
                        .await?;
                }
                mark_run!(tx, mark);
                // After the run's mark: Citus takes no write to a shared (reference) table
                // after claims written to many shards at once in the same transaction.
                crate::claims::settle!(tx, &Default::default(), &claims);
                tx.commit().await?;
                Ok(ids)
            }
            Pool::Sqlite(pool) => {
                let household_sql = format!(
                    "INSERT INTO households ({}, created_at, updated_at, home_province) VALUES ({}) RETURNING id",
                    HOUSEHOLD_FIELDS.join(", "),
                    placeholders(HOUSEHOLD_FIELDS.len() + 3)
                );
                let member_sql = format!(
                    "INSERT INTO members (household_id, province_code, {}, created_at, updated_at, home_province) VALUES ({})",
                    MEMBER_FIELDS.join(", "),
                    placeholders(MEMBER_FIELDS.len() + 5)
                );
                let audit_sql = format!(
                    "INSERT INTO audit_log ({AUDIT_COLUMNS}, home_province) VALUES ({})",
                    placeholders(audit_columns().len() + 1)
                );
                let mut tx = pool.begin().await?;
                let mut ids = Vec::with_capacity(batch.len());
                // The same three statements for every row: sqlx prepares each once per
                // connection and reuses it.
                for h in batch {
                    let q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(household_sql.as_str()));
                    let id = bind_household!(q, bind, &h.fields)
                        .bind(&now)
                        .bind(&now)
                        .bind(&h.fields.province_code)
                        .fetch_one(&mut *tx)
                        .await?;
                    for m in &h.members {
                        let q = sqlx::query(AssertSqlSafe(member_sql.as_str()))
                            .bind(id)
                            .bind(&h.fields.province_code);
                        bind_member!(q, bind, m)
                            .bind(&now)
                            .bind(&now)
                            .bind(&h.fields.province_code)
                            .execute(&mut *tx)
                            .await?;
                    }
                    let entry = audit_of(&h.audit, id);
                    let q = sqlx::query(AssertSqlSafe(audit_sql.as_str()));
                    bind_audit!(q, bind, &entry)
                        .bind(&h.fields.province_code)
                        .execute(&mut *tx)
                        .await?;
                    if h.members
                        .iter()
                        .any(|m| m.health_insurance_number.is_some())
                    {
                        sqlx::query(AssertSqlSafe(card_benefits_sql(false)))
                            .bind(&h.audit.username)
                            .bind(&now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    ids.push(id);
                }
                mark_run!(tx, mark);
                // After the run's mark: Citus takes no write to a shared (reference) table
                // after claims written to many shards at once in the same transaction.
                crate::claims::settle!(tx, &Default::default(), &claims);
                tx.commit().await?;
                Ok(ids)
            }
        }
    }
}

/// The `bhyt` benefits of the loaded members' health-insurance cards, written in the
/// batch's transaction: the benefits are the one source coverage and the targets read, and
/// a register loaded in bulk would otherwise count none of its cards. The statement is
/// migration 0061's (a card runs a year to its expiry; without an expiry it counts on the
/// day it was recorded) and `sync_cards`' rule, read from the migration file so that the
/// two cannot differ, limited to the new households' active members; the source is
/// `import`, recorded by whoever ran the import, whose creation entry of each household
/// already names the card. Bound: the importer, the time, then the household ids (an
/// array on PostgreSQL, one id on SQLite).
fn card_benefits_sql(postgres: bool) -> &'static str {
    static POSTGRES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static SQLITE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if postgres {
        POSTGRES.get_or_init(|| {
            card_benefits_from(
                include_str!("../migrations/postgres/0061_cards_to_benefits.sql"),
                "m.household_id = ANY($3)",
            )
        })
    } else {
        SQLITE.get_or_init(|| {
            card_benefits_from(
                include_str!("../migrations/sqlite/0061_cards_to_benefits.sql"),
                "m.household_id = $3",
            )
        })
    }
}

/// Migration 0061's statement turned into the import's: its source and recorder (the
/// literals `'migrated'`, `'migration-0061'` and the time of the migration, which end
/// their line) become `'import'`, `$1` and `$2`, and its condition gains the households
/// (`households`) and the members' being active. The migration is applied and cannot
/// change, so a failed match is a programming error caught by the unit test below.
fn card_benefits_from(migration: &str, households: &str) -> String {
    let start = migration
        .find("INSERT INTO benefits")
        .expect("migration 0061 inserts the benefits");
    let len = migration[start..]
        .find(';')
        .expect("the statement ends with a semicolon");
    let statement = &migration[start..start + len];
    let source = statement
        .find("'migrated',")
        .expect("migration 0061 names its source");
    let recorder = statement
        .find("'migration-0061',")
        .expect("migration 0061 names its recorder");
    let line_end = recorder
        + statement[recorder..]
            .find('\n')
            .expect("the recorder and the time end their line");
    format!(
        "{}'import', $1, $2{} AND m.active AND {households}",
        &statement[..source],
        statement[line_end..].trim_end()
    )
}
/// The creation entry of a household, naming its new id.
fn audit_of(entry: &AuditEntry, id: i64) -> AuditEntry {
    AuditEntry {
        entity_id: id.to_string(),
        household_id: Some(id),
        ..entry.clone()
    }
}

/// Sends `data` (rows in `COPY`'s text format) through one `COPY … FROM STDIN`.
async fn copy_in(
    conn: &mut sqlx::PgConnection,
    statement: &str,
    data: &str,
) -> Result<(), StoreError> {
    if data.is_empty() {
        return Ok(());
    }
    let mut copy = conn.copy_in_raw(statement).await?;
    // In blocks, so that the driver never holds a second copy of a large batch.
    for block in data.as_bytes().chunks(1 << 20) {
        copy.send(block).await?;
    }
    copy.finish().await?;
    Ok(())
}

#[cfg(test)]
mod card_benefits_tests {
    use super::card_benefits_sql;

    /// The import's statement is migration 0061's with the import's source, recorder,
    /// time and households, and nothing of the migration's own recorder left.
    #[test]
    fn the_card_statement_is_the_migrations_with_the_imports_binds() {
        for (postgres, households) in [
            (true, "m.household_id = ANY($3)"),
            (false, "m.household_id = $3"),
        ] {
            let sql = card_benefits_sql(postgres);
            assert!(sql.starts_with("INSERT INTO benefits"), "{sql}");
            assert!(
                sql.contains("h.province_code, 'import', $1, $2\nFROM members m"),
                "{sql}"
            );
            assert!(
                sql.ends_with(&format!("<> '' AND m.active AND {households}")),
                "{sql}"
            );
            for gone in ["migrated", "migration-0061", "now"] {
                assert!(!sql.contains(gone), "{gone} in {sql}");
            }
        }
    }
}
