//! Migrated templates, so that each test copies a schema instead of building it.
//!
//! Running the migrations took about a second per test database on SQLite and several on
//! PostgreSQL, and the suites make several hundred databases per run: most of a CI run's
//! database time. The migrations now run once per schema (the name of a template carries a
//! fingerprint of the migrations' versions and checksums, so a changed migration makes a
//! new template and a stale one is never used) and every test gets a copy: a file copy on
//! SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL. Templates outlive the test
//! binary, so the next binary and the next run reuse them.

use crate::Store;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection};
use std::path::PathBuf;
use tokio::sync::OnceCell;

/// A fingerprint of a set of migrations and of any other bytes the schema depends on
/// (FNV-1a over versions, checksums, then `extra`).
pub(super) fn fingerprint(migrator: &Migrator, extra: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for m in migrator.iter() {
        eat(&m.version.to_le_bytes());
        eat(&m.checksum);
    }
    for bytes in extra {
        eat(bytes);
    }
    hash
}

static SQLITE_TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();

/// The path of a migrated SQLite file to copy, made on first use.
pub(super) async fn sqlite_template() -> &'static PathBuf {
    SQLITE_TEMPLATE
        .get_or_init(|| async {
            let dir = std::env::temp_dir().join("giamngheo-test-templates");
            std::fs::create_dir_all(&dir).expect("the templates' folder");
            let path = dir.join(format!(
                "sqlite-{:016x}.db",
                fingerprint(&crate::SQLITE_MIGRATIONS, &[])
            ));
            if !path.exists() {
                // Built beside the final name and renamed into place, so that another
                // process never copies a half-written template.
                let building = tempfile::tempdir_in(&dir).expect("a building folder");
                let work = building.path().join("work.db");
                let store = Store::connect(work.to_str().expect("utf-8 path"))
                    .await
                    .expect("open the SQLite template");
                store.migrate().await.expect("migrate the SQLite template");
                let out = building.path().join("template.db");
                // VACUUM INTO writes one self-contained file, whatever is still in the
                // write-ahead log.
                store
                    .execute_admin(&format!("VACUUM INTO '{}'", out.display()))
                    .await
                    .expect("write the SQLite template");
                store.close().await;
                std::fs::rename(&out, &path).expect("put the SQLite template in place");
            }
            path
        })
        .await
}

static POSTGRES_TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// An advisory lock key of the test databases' own, so that two processes do not build
/// the same template at once.
const TEMPLATE_LOCK: i64 = 0x6769_616d_6e67;

/// The name of a migrated PostgreSQL database on the server of `admin_url` to copy, made
/// on first use.
pub(super) async fn postgres_template(admin_url: &str) -> &'static str {
    POSTGRES_TEMPLATE
        .get_or_init(|| async {
            let name = format!(
                "giamngheo_tmpl_{:016x}",
                fingerprint(&crate::POSTGRES_MIGRATIONS, &[])
            );
            let mut admin = PgConnection::connect(admin_url)
                .await
                .expect("PostgreSQL for the template");
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(TEMPLATE_LOCK)
                .execute(&mut admin)
                .await
                .expect("the template's lock");
            let exists: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                    .bind(&name)
                    .fetch_one(&mut admin)
                    .await
                    .expect("look for the template");
            if exists == 0 {
                let building = format!("{name}_b");
                let run = |sql: String| sqlx::raw_sql(AssertSqlSafe(sql));
                run(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .expect("drop a half-built template");
                run(format!("CREATE DATABASE {building}"))
                    .execute(&mut admin)
                    .await
                    .expect("create the template");
                let store = Store::connect(&super::replace_database(admin_url, &building))
                    .await
                    .expect("open the template");
                store.migrate().await.expect("migrate the template");
                store.close().await;
                // No connections from now on: a database being copied must have none, and
                // autovacuum leaves a database that allows none alone.
                execute_when_unused(
                    &mut admin,
                    &format!("ALTER DATABASE {building} RENAME TO {name}"),
                )
                .await;
                execute_when_unused(
                    &mut admin,
                    &format!("ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"),
                )
                .await;
            }
            let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(TEMPLATE_LOCK)
                .execute(&mut admin)
                .await;
            let _ = admin.close().await;
            name
        })
        .await
}

/// Runs a statement that needs a database nobody is connected to (a rename, a copy),
/// waiting for the backends of connections just closed to end: a pool's `close` returns
/// before the server has let them go.
pub(super) async fn execute_when_unused(admin: &mut PgConnection, sql: &str) {
    let mut tries = 0;
    loop {
        match sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
            .execute(&mut *admin)
            .await
        {
            Ok(_) => return,
            Err(e) if tries < 100 && e.to_string().contains("being accessed by other users") => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{sql}: {e}"),
        }
    }
}

/// The statement that lets a test database commit without waiting for the disk.
///
/// A test never needs its rows to survive a crash of the server, and waiting for each
/// commit's flush (a few milliseconds on the machines the suites run on) was a large part
/// of the suites' time on PostgreSQL and Citus. The rows are still written and visible to
/// every other connection as soon as the commit returns.
pub(crate) fn quick_commits(database: &str) -> String {
    format!("ALTER DATABASE {database} SET synchronous_commit = off")
}
