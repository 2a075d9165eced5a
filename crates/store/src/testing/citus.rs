//! Databases on a Citus cluster for tests: a small pool per test binary, emptied between
//! tests.
//!
//! Creating a distributed database takes seconds (a database on every node, the
//! extension, the workers registered, the schema distributed), far longer than most
//! tests. So the databases outlive the test binaries: a pool of a few databases per schema
//! (named after a fingerprint of the migrations and of the code that distributes the
//! tables) serves every test binary in turn, and each test takes a free one, which is first
//! emptied (every table truncated, then the rows the migrations seed put back, as they were
//! after migrating) and given back when the test ends, even by a panic. Which process holds
//! which database is told by a file lock per database in the system's temporary folder, so
//! a process that ends (or crashes) frees its databases without any clean-up. Before this,
//! each test binary made its own two databases: about ten seconds each, eighty binaries a
//! run.
//!
//! When every pooled database is taken (several suites at once), a process makes databases
//! of its own, named after its process id, as before; the first database a process makes
//! drops such databases of processes that have ended, and pooled databases of another
//! schema that nobody holds, because Citus runs a maintenance worker per database and a
//! node has only a few worker slots. Databases are made one at a time, across processes:
//! Citus's node registrations in two new databases at once collide.
//!
//! The cluster is named by `GIAMNGHEO_TEST_CITUS` (default
//! `postgres://postgres@127.0.0.1:5433/postgres`, the coordinator of
//! `../shared/vendor/citus/cluster.sh start`); `skip` skips the Citus half.

use crate::Store;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, Connection};
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

const DEFAULT_CITUS_URL: &str = "postgres://postgres@127.0.0.1:5433/postgres";

/// Shards per distributed table in tests: few, so that creating and emptying a database
/// stays quick, but more than one per worker so that a query can still span shards.
const TEST_SHARD_COUNT: u32 = 4;

/// A pooled database: its name and the rows the migrations seeded, per table (JSON).
pub(crate) struct Slot {
    pub(crate) name: String,
    seed: Vec<(String, String)>,
    /// The pooled database's file lock, held while this process may use it (until it
    /// ends); `None` for a database of this process's own.
    _lock: Option<std::fs::File>,
}

/// Pooled databases per schema: enough for two test threads in each of two suites.
const POOL_SLOTS: usize = 4;

/// The prefix of the pooled databases' names (after [`PREFIX`]).
const POOLED: &str = "pool_";

/// Where the pooled databases' locks and seeded rows are kept.
fn pool_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("giamngheo-citus-pool");
    std::fs::create_dir_all(&dir).expect("the Citus pool's folder");
    dir
}

/// A fingerprint of the schema a migrated database has: the migrations and the code that
/// distributes the tables.
fn schema_fingerprint() -> String {
    let hash = super::templates::fingerprint(
        &crate::POSTGRES_MIGRATIONS,
        &[
            include_str!("../citus.rs").as_bytes(),
            &TEST_SHARD_COUNT.to_le_bytes(),
            // Databases made before their nodes were told to commit quickly are not reused.
            super::templates::quick_commits("").as_bytes(),
        ],
    );
    format!("{:012x}", hash >> 16)
}

/// Opens (making it when missing) a lock file of the pool.
fn lock_file(path: &std::path::Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .expect("a Citus pool lock file")
}

/// A file lock taken without waiting, or `None` when another process holds it.
fn try_lock(path: &std::path::Path) -> Option<std::fs::File> {
    let file = lock_file(path);
    file.try_lock().ok().map(|()| file)
}

static FREE: Mutex<Vec<Slot>> = Mutex::new(Vec::new());
static MADE: AtomicU32 = AtomicU32::new(0);
/// Held while a database is made; a tokio mutex, which each test's own runtime can await.
static MAKING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The prefix of every pooled database's name.
const PREFIX: &str = "gn_citus_";

/// The coordinator's URL, or `None` when Citus tests are switched off.
pub(crate) fn admin_url() -> Option<String> {
    let url = std::env::var("GIAMNGHEO_TEST_CITUS").unwrap_or_else(|_| DEFAULT_CITUS_URL.into());
    if url == "skip" {
        eprintln!("Citus tests skipped (GIAMNGHEO_TEST_CITUS=skip)");
        return None;
    }
    Some(url)
}

/// Takes a free database of the pool, emptied, or makes a new one.
pub(crate) async fn lease(admin_url: &str) -> (Slot, Store) {
    let free = FREE.lock().unwrap_or_else(|e| e.into_inner()).pop();
    let url = |name: &str| super::replace_database(admin_url, name);
    match free {
        Some(slot) => {
            let store = Store::connect(&url(&slot.name))
                .await
                .expect("open Citus test database");
            empty(&store, &slot.seed).await;
            (slot, store)
        }
        None => {
            let _making = MAKING.lock().await;
            // Across processes too: the lock is released when this file is dropped.
            let making_file = lock_file(&pool_dir().join("making.lock"));
            making_file.lock().expect("the Citus pool's making lock");
            let made = MADE.fetch_add(1, Ordering::Relaxed);
            let fingerprint = schema_fingerprint();
            if made == 0 {
                drop_ended(admin_url, &fingerprint).await;
            }
            let dir = pool_dir();
            for k in 0..POOL_SLOTS {
                // The `_1_` sits where a process's own database has its process id, so
                // that the clean-up of suites older than the pool (which drops the
                // databases of ended processes) sees process 1, which never ends.
                let name = format!("{PREFIX}{POOLED}{fingerprint}_1_{k}");
                let Some(lock) = try_lock(&dir.join(format!("{name}.lock"))) else {
                    continue;
                };
                let seed_file = dir.join(format!("{name}.seed.json"));
                let seed: Option<Vec<(String, String)>> = std::fs::read_to_string(&seed_file)
                    .ok()
                    .and_then(|json| serde_json::from_str(&json).ok());
                if let Some(seed) = seed
                    && exists(admin_url, &name).await
                {
                    let store = Store::connect(&url(&name))
                        .await
                        .expect("open Citus test database");
                    empty(&store, &seed).await;
                    return (
                        Slot {
                            name,
                            seed,
                            _lock: Some(lock),
                        },
                        store,
                    );
                }
                let _ = std::fs::remove_file(&seed_file);
                let (seed, store) = make(admin_url, &name).await;
                std::fs::write(
                    &seed_file,
                    serde_json::to_string(&seed).expect("seed as JSON"),
                )
                .expect("keep the seeded rows");
                return (
                    Slot {
                        name,
                        seed,
                        _lock: Some(lock),
                    },
                    store,
                );
            }
            let name = format!("{PREFIX}{}_{}_{made}", binary_name(), std::process::id());
            let (seed, store) = make(admin_url, &name).await;
            (
                Slot {
                    name,
                    seed,
                    _lock: None,
                },
                store,
            )
        }
    }
}

/// Makes, migrates and opens a distributed database, with its seeded rows.
async fn make(admin_url: &str, name: &str) -> (Vec<(String, String)>, Store) {
    create(admin_url, name).await;
    let store = Store::connect(&super::replace_database(admin_url, name))
        .await
        .expect("open Citus test database");
    store.migrate().await.expect("migrate Citus");
    (snapshot(&store).await, store)
}

/// True when the coordinator has a database of that name.
async fn exists(admin_url: &str, name: &str) -> bool {
    let admin = PgConnectOptions::from_str(admin_url).expect("Citus URL");
    let mut conn = connect(admin).await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_one(&mut conn)
        .await
        .expect("look for a pooled database");
    conn.close().await.ok();
    n > 0
}

/// Gives a database back to the pool.
pub(crate) fn give_back(slot: Slot) {
    FREE.lock().unwrap_or_else(|e| e.into_inner()).push(slot);
}

/// Drops, on every node, the databases of test processes that have ended and the pooled
/// databases of another schema that no process holds.
async fn drop_ended(admin_url: &str, fingerprint: &str) {
    let dir = pool_dir();
    let admin = PgConnectOptions::from_str(admin_url).expect("Citus URL");
    for node in nodes(&admin).await {
        let mut conn = connect(node).await;
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT datname::TEXT FROM pg_database WHERE starts_with(datname, $1)",
        )
        .bind(PREFIX)
        .fetch_all(&mut conn)
        .await
        .expect("list the pooled databases");
        for name in names {
            if let Some(pooled) = name.strip_prefix(&format!("{PREFIX}{POOLED}")) {
                if pooled.starts_with(fingerprint) {
                    continue;
                }
                // Held by a process of another branch's suite: left to it.
                let Some(_lock) = try_lock(&dir.join(format!("{name}.lock"))) else {
                    continue;
                };
                run(
                    &mut conn,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                )
                .await;
                let _ = std::fs::remove_file(dir.join(format!("{name}.seed.json")));
                continue;
            }
            let pid = name.rsplit('_').nth(1).and_then(|p| p.parse::<u32>().ok());
            let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
            if !alive {
                run(
                    &mut conn,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                )
                .await;
            }
        }
        conn.close().await.ok();
    }
}

/// The coordinator and its active workers, as connection options to their `postgres`.
async fn nodes(admin: &PgConnectOptions) -> Vec<PgConnectOptions> {
    let mut coordinator = connect(admin.clone()).await;
    let workers: Vec<(String, i32)> = sqlx::query_as(
        "SELECT nodename::TEXT, nodeport FROM pg_dist_node \
         WHERE groupid <> 0 AND noderole = 'primary' AND isactive ORDER BY nodeid",
    )
    .fetch_all(&mut coordinator)
    .await
    .expect("read the cluster's workers");
    coordinator.close().await.ok();
    let mut nodes = vec![admin.clone()];
    nodes.extend(
        workers
            .into_iter()
            .map(|(host, port)| admin.clone().host(&host).port(port as u16)),
    );
    nodes
}

/// The test binary's name without cargo's hash, folded to what a database name takes.
fn binary_name() -> String {
    let exe = std::env::current_exe().ok();
    let stem = exe
        .as_ref()
        .and_then(|p| p.file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("test");
    let stem = stem.rsplit_once('-').map(|(a, _)| a).unwrap_or(stem);
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(40)
        .collect()
}

async fn connect(options: PgConnectOptions) -> PgConnection {
    PgConnection::connect_with(&options)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the Citus cluster is needed for the Citus tests ({e}); start it with \
                 ../shared/vendor/citus/cluster.sh start, or set GIAMNGHEO_TEST_CITUS=skip"
            )
        })
}

async fn run(conn: &mut PgConnection, sql: &str) {
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Makes `name` on every node of the cluster, with the extension, and registers the
/// workers on the coordinator (what `cluster.sh createdb` does).
async fn create(admin_url: &str, name: &str) {
    let admin = PgConnectOptions::from_str(admin_url).expect("Citus URL");
    let nodes = nodes(&admin).await;
    let coordinator_host = admin.get_host().to_string();
    let coordinator_port = admin.get_port();
    for node in &nodes {
        let mut conn = connect(node.clone()).await;
        run(
            &mut conn,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
        run(&mut conn, &format!("CREATE DATABASE {name}")).await;
        run(&mut conn, &super::templates::quick_commits(name)).await;
        conn.close().await.ok();
        let mut conn = connect(node.clone().database(name)).await;
        run(&mut conn, "CREATE EXTENSION IF NOT EXISTS citus").await;
        conn.close().await.ok();
    }
    let mut conn = connect(admin.clone().database(name)).await;
    run(
        &mut conn,
        &format!("ALTER DATABASE {name} SET citus.shard_count = {TEST_SHARD_COUNT}"),
    )
    .await;
    run(
        &mut conn,
        &format!("SELECT citus_set_coordinator_host('{coordinator_host}', {coordinator_port})"),
    )
    .await;
    for node in &nodes[1..] {
        run(
            &mut conn,
            &format!(
                "SELECT citus_add_node('{}', {})",
                node.get_host(),
                node.get_port()
            ),
        )
        .await;
    }
    conn.close().await.ok();
}

/// The tables of the schema, but sqlx's bookkeeping.
async fn tables(store: &Store) -> Vec<String> {
    store
        .admin_strings(
            "SELECT table_name::TEXT FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
               AND table_name <> '_sqlx_migrations' ORDER BY table_name",
        )
        .await
        .expect("list tables")
}

/// The rows every table holds right after migrating (units, settings, targets…).
async fn snapshot(store: &Store) -> Vec<(String, String)> {
    let mut seed = Vec::new();
    for table in tables(store).await {
        let rows = store
            .admin_strings(&format!(
                "SELECT COALESCE(json_agg(t), '[]')::TEXT FROM {table} t"
            ))
            .await
            .expect("read seeded rows");
        if let Some(json) = rows.into_iter().next().filter(|j| j != "[]") {
            seed.push((table, json));
        }
    }
    seed
}

/// Empties every table and puts the seeded rows back.
async fn empty(store: &Store, seed: &[(String, String)]) {
    // A test of the schema check records a migration newer than the binary's; the
    // database outlives the test binary, so that row must not reach the next test.
    let newest = crate::POSTGRES_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    store
        .execute_admin(&format!(
            "DELETE FROM _sqlx_migrations WHERE version > {newest}"
        ))
        .await
        .expect("forget migrations the binary does not know");
    let all = tables(store).await.join(", ");
    store
        .execute_admin(&format!("TRUNCATE {all} CASCADE"))
        .await
        .expect("empty the Citus test database");
    for (table, json) in seed {
        store
            .execute_admin(&format!(
                "INSERT INTO {table} OVERRIDING SYSTEM VALUE \
                 SELECT * FROM json_populate_recordset(NULL::{table}, '{}'::JSON)",
                json.replace('\'', "''")
            ))
            .await
            .expect("restore the seeded rows");
    }
}
