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
//! [`MEMBER_FIELDS`], [`AUDIT_COLUMNS`]), and the values of a `COPY` row are written by
//! the same bind macros that bind the inserts, in the lists' order, straight into the
//! `COPY` text (an earlier version built a `serde_json::Value` map for every row): a
//! column added to a table is added to its struct, its list and its
//! bind macro once, and both ways of writing follow.

use crate::households::{
    AUDIT_COLUMNS, HOUSEHOLD_FIELDS, MEMBER_FIELDS, bind_audit, bind_household, bind_member,
    timestamp,
};
use crate::{AuditEntry, NewHousehold, Pool, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AssertSqlSafe;
use std::fmt::Write as _;

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

/// Appends text in `COPY`'s text format: backslash escapes for the characters that
/// separate fields and rows.
pub(crate) fn copy_text(out: &mut String, s: &str) {
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

/// One value in `COPY`'s text format, as the registry's bind macros hand it over.
pub(crate) trait CopyValue {
    fn write(self, out: &mut String);
}

impl CopyValue for &String {
    fn write(self, out: &mut String) {
        copy_text(out, self);
    }
}

impl CopyValue for bool {
    fn write(self, out: &mut String) {
        out.push(if self { 't' } else { 'f' });
    }
}

impl CopyValue for i32 {
    fn write(self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl CopyValue for i64 {
    fn write(self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl CopyValue for NaiveDate {
    fn write(self, out: &mut String) {
        let _ = write!(out, "{}", self.format("%Y-%m-%d"));
    }
}

impl<T: CopyValue> CopyValue for Option<T> {
    fn write(self, out: &mut String) {
        match self {
            Some(value) => value.write(out),
            None => out.push_str("\\N"),
        }
    }
}

impl CopyValue for &Option<String> {
    fn write(self, out: &mut String) {
        self.as_ref().write(out);
    }
}

/// A `COPY` row being written: the registry's bind macros (`bind_household!`,
/// `bind_member!`, `bind_audit!`) call [`CopyRow::bind`] with every value in the order of
/// the column lists, as they bind the SQLite inserts, so both ways of writing follow one
/// list. Each value is preceded by a tab.
pub(crate) struct CopyRow<'a>(pub(crate) &'a mut String);

impl<'a> CopyRow<'a> {
    pub(crate) fn bind<T: CopyValue>(self, value: T) -> Self {
        self.0.push('\t');
        value.write(self.0);
        self
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
                    bind_household!(CopyRow(&mut data), bind, &h.fields);
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
                        bind_member!(CopyRow(&mut data), bind, m);
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
                for (h, id) in batch.iter().zip(&ids) {
                    let entry = audit_of(&h.audit, *id);
                    copy_text(&mut data, &h.fields.province_code);
                    bind_audit!(CopyRow(&mut data), bind, &entry);
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
                copy_claims(&mut tx, &claims).await?;
                data.clear();
                for (h, id) in batch.iter().zip(&ids) {
                    data.push_str(&id.to_string());
                    data.push('\t');
                    copy_text(&mut data, &h.fields.province_code);
                    data.push('\n');
                }
                copy_in(
                    &mut tx,
                    "COPY household_homes (household_id, home) FROM STDIN",
                    &data,
                )
                .await?;
                // New households can be eligible before any classification (a village's
                // flags) and bring their members' cards: their coverage spans are
                // computed before the next coverage is read.
                let homes: std::collections::HashMap<i64, String> =
                    crate::homes::registered(&ids, batch).into_iter().collect();
                crate::coverage_spans::mark_coverage_stale!(tx, homes, ids.iter().copied());
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
                let keys = crate::homes::registered(&ids, batch);
                crate::homes::insert_homes!(tx, &keys);
                // As on PostgreSQL above: the new households' coverage spans are computed
                // before the next coverage is read.
                let homes: std::collections::HashMap<i64, String> = keys.into_iter().collect();
                crate::coverage_spans::mark_coverage_stale!(tx, homes, ids.iter().copied());
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

/// Claims the values of a batch of new households (migration 0091) with `COPY`, inside the
/// batch's transaction: what `claims::settle!` does from nothing, in one round trip per
/// table instead of one `INSERT` of a thousand bound values per chunk. A value already
/// claimed is refused by the claim's primary key as the insert would be, and reaches the
/// caller as the same [`StoreError::Duplicate`].
async fn copy_claims(
    conn: &mut sqlx::PgConnection,
    claims: &crate::claims::Held,
) -> Result<(), StoreError> {
    let mut data = String::with_capacity(claims.citizen_ids.len() * 14);
    for id in &claims.citizen_ids {
        copy_text(&mut data, id);
        data.push('\n');
    }
    copy_in(
        conn,
        "COPY citizen_id_claims (citizen_id) FROM STDIN",
        &data,
    )
    .await?;
    data.clear();
    for (commune, code) in &claims.codes {
        copy_text(&mut data, commune);
        data.push('\t');
        copy_text(&mut data, code);
        data.push('\n');
    }
    copy_in(
        conn,
        "COPY household_code_claims (commune_code, code) FROM STDIN",
        &data,
    )
    .await
}

/// Sends `data` (rows in `COPY`'s text format) through one `COPY … FROM STDIN`.
pub(crate) async fn copy_in(
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
