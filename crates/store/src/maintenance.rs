//! What operators do to the database rather than with it: opening SQLite by URL, online
//! backups, integrity checks and row counts.

use crate::{Pool, Store, StoreError, with_pool};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// SQLite connect options for a URL (`sqlite://PATH?mode=ro`, `sqlite:PATH`) or a plain
/// file path, as sqlx's own parser reads them, so that query parameters are honoured
/// rather than becoming part of the file name.
pub(crate) struct SqliteTarget {
    pub options: SqliteConnectOptions,
    pub in_memory: bool,
}

fn query_params(url: &str) -> impl Iterator<Item = (&str, &str)> {
    url.split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
}

pub(crate) fn sqlite_target(url: &str) -> Result<SqliteTarget, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?;
    let mode = query_params(url)
        .find(|(k, _)| *k == "mode")
        .map(|(_, v)| v);
    let in_memory = mode == Some("memory")
        || options
            .get_filename()
            .to_string_lossy()
            .starts_with("file:sqlx-in-memory-");
    // Without a `mode`, a missing file is created, as a plain path always was; with one,
    // the URL decides (`mode=rw` refuses a missing file, `mode=ro` opens read-only).
    let mut options = if mode.is_none() {
        options.create_if_missing(true)
    } else {
        options
    };
    // A read-only connection cannot change the journal mode; everything else runs in
    // WAL, so that readers never wait for the writer.
    if mode != Some("ro") {
        options = options.journal_mode(SqliteJournalMode::Wal);
    }
    let options = options
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    Ok(SqliteTarget { options, in_memory })
}

/// The file a database URL names, when it is a SQLite database on disk.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if is_postgres_url(url) {
        return None;
    }
    let target = sqlite_target(url).ok()?;
    (!target.in_memory).then(|| target.options.get_filename().to_path_buf())
}

pub(crate) fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The outcome of an integrity check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integrity {
    Ok,
    /// SQLite found problems; the first few of its messages.
    Failed(Vec<String>),
    /// PostgreSQL checks its own pages; there is nothing to ask it for.
    NotApplicable,
}

impl Integrity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Integrity::Ok => "ok",
            Integrity::Failed(_) => "failed",
            Integrity::NotApplicable => "not_applicable",
        }
    }
}

/// How many of SQLite's integrity messages are kept: the first ones say enough.
const INTEGRITY_MESSAGES_KEPT: usize = 10;

impl Store {
    /// Checks the database's pages: `PRAGMA quick_check` when `quick` (seconds even on a
    /// large file, run at every server start), else the full `PRAGMA integrity_check`
    /// (also compares every index with its table, run before and after a restore).
    pub async fn integrity_check(&self, quick: bool) -> Result<Integrity, StoreError> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Ok(Integrity::NotApplicable);
        };
        let sql = if quick {
            "PRAGMA quick_check"
        } else {
            "PRAGMA integrity_check"
        };
        let rows: Vec<String> = match sqlx::query_scalar(sql).fetch_all(pool).await {
            Ok(rows) => rows,
            // A file damaged badly enough makes the check itself fail; that is a
            // failed check, not a reason to stop.
            Err(sqlx::Error::Database(e)) => vec![e.message().to_string()],
            Err(e) => return Err(e.into()),
        };
        if rows.len() == 1 && rows[0] == "ok" {
            Ok(Integrity::Ok)
        } else {
            Ok(Integrity::Failed(
                rows.into_iter().take(INTEGRITY_MESSAGES_KEPT).collect(),
            ))
        }
    }

    /// Runs the quick check and remembers its result for [`Store::integrity`]: the
    /// server does so once at start and the health check reports it.
    pub async fn check_integrity_at_start(&self) -> Result<Integrity, StoreError> {
        let result = self.integrity_check(true).await?;
        let _ = self.integrity.set(result.clone());
        Ok(result)
    }

    /// The result of [`Store::check_integrity_at_start`], if it ran.
    pub fn integrity(&self) -> Option<&Integrity> {
        self.integrity.get()
    }

    /// Writes a consistent copy of a SQLite database to `path` while it is in use
    /// (`VACUUM INTO`: one read transaction, so writes that commit meanwhile are either
    /// wholly in the copy or not at all). The file must not exist yet.
    pub async fn backup_sqlite_into(&self, path: &Path) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(StoreError::Conflict(
                "sao lưu trực tuyến bằng VACUUM INTO chỉ dành cho SQLite; với PostgreSQL hãy dùng pg_dump".into(),
            ));
        };
        let path = path
            .to_str()
            .ok_or_else(|| StoreError::Conflict("đường dẫn tệp sao lưu phải là UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(pool)
            .await?;
        Ok(())
    }

    /// How many other sessions are connected to this PostgreSQL database (a running
    /// server, a psql): a restore must not replace tables under them. 0 on SQLite.
    pub async fn other_connections(&self) -> Result<i64, StoreError> {
        let Pool::Postgres(pool) = &self.pool else {
            return Ok(0);
        };
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_one(pool)
        .await?)
    }

    /// The number of rows of every table of the product, by table name, for operators
    /// comparing a restored database with what they expected.
    pub async fn row_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let list_sql = match self.pool {
            Pool::Sqlite(_) => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Pool::Postgres(_) => {
                "SELECT table_name::TEXT FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            }
        };
        let tables: Vec<String> =
            with_pool!(self, pool => sqlx::query_scalar(list_sql).fetch_all(pool).await?);
        let mut out = Vec::with_capacity(tables.len());
        for table in tables {
            // Table names come from the catalogue, not from a user; quoting keeps any
            // odd name a name.
            let sql = format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\""));
            let n: i64 = with_pool!(self, pool => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool)
                .await?);
            out.push((table, n));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_and_plain_paths_name_the_file() {
        assert_eq!(
            sqlite_file("sqlite://data/gn.db?mode=rwc"),
            Some(PathBuf::from("data/gn.db"))
        );
        assert_eq!(sqlite_file("sqlite:gn.db"), Some(PathBuf::from("gn.db")));
        assert_eq!(
            sqlite_file("giamngheo.db"),
            Some(PathBuf::from("giamngheo.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file(":memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
        assert!(sqlite_target("sqlite://gn.db?mode=bogus").is_err());
    }
}
