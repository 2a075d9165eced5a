//! Throw-away databases for tests, on both backends.
//!
//! PostgreSQL tests make their own database on the server named by
//! `GIAMNGHEO_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`) and
//! drop it afterwards. They fail when the server cannot be reached, because CI must run
//! the suite on both backends; a developer without PostgreSQL sets
//! `GIAMNGHEO_TEST_POSTGRES=skip` and the PostgreSQL half reports itself skipped.
//!
//! The same suites run a third time on a Citus cluster (`GIAMNGHEO_TEST_CITUS`, see
//! [`citus`]), from a small pool of distributed databases emptied between tests.

mod citus;
mod templates;

use crate::Store;
use sqlx::{AssertSqlSafe, Connection};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A migrated, empty database that is removed when dropped.
pub struct TestDb {
    pub store: Store,
    /// How to open the same database again (with other pool limits).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// A database of the Citus pool, given back when the test ends (even by a panic).
    Citus(Option<citus::Slot>),
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Cleanup::Citus(slot) = self
            && let Some(slot) = slot.take()
        {
            citus::give_back(slot);
        }
    }
}

impl TestDb {
    /// A fresh SQLite file in a temporary folder.
    pub async fn sqlite() -> TestDb {
        let template = templates::sqlite_template().await;
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("test.db");
        std::fs::copy(template, &path).expect("copy the SQLite template");
        let url = path.to_str().expect("utf-8 path").to_string();
        let store = Store::connect(&url).await.expect("open SQLite");
        TestDb {
            store,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A fresh SQLite file without the schema, for tests of a migration.
    pub async fn sqlite_unmigrated() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("test.db");
        let url = path.to_str().expect("utf-8 path").to_string();
        let store = Store::connect(&url).await.expect("open SQLite");
        TestDb {
            store,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A fresh PostgreSQL database, or `None` when PostgreSQL tests are switched off.
    pub async fn postgres() -> Option<TestDb> {
        let (admin_url, name) = TestDb::postgres_name()?;
        let template = templates::postgres_template(&admin_url).await;
        let mut admin = sqlx::postgres::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is needed ({e})"));
        templates::execute_when_unused(
            &mut admin,
            &format!("CREATE DATABASE {name} TEMPLATE {template}"),
        )
        .await;
        // A database's settings are not copied from its template, so each copy is told
        // here, before anything connects to it.
        sqlx::raw_sql(AssertSqlSafe(templates::quick_commits(&name)))
            .execute(&mut admin)
            .await
            .expect("the test database's commit setting");
        let _ = admin.close().await;
        Some(TestDb::postgres_opened(admin_url, name).await)
    }

    /// A fresh PostgreSQL database without the schema, for tests of a migration.
    pub async fn postgres_unmigrated() -> Option<TestDb> {
        let (admin_url, name) = TestDb::postgres_name()?;
        let admin = Store::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL at {admin_url} is needed for the store tests ({e}); \
                 set GIAMNGHEO_TEST_POSTGRES=skip to run without it"
            )
        });
        admin
            .execute_admin(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        admin
            .execute_admin(&templates::quick_commits(&name))
            .await
            .expect("the test database's commit setting");
        admin.close().await;
        Some(TestDb::postgres_opened(admin_url, name).await)
    }

    /// The server's URL and a new database name, or `None` when PostgreSQL tests are
    /// switched off.
    fn postgres_name() -> Option<(String, String)> {
        let admin_url =
            std::env::var("GIAMNGHEO_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_ADMIN_URL.into());
        if admin_url == "skip" {
            eprintln!("PostgreSQL tests skipped (GIAMNGHEO_TEST_POSTGRES=skip)");
            return None;
        }
        let name = format!(
            "giamngheo_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        Some((admin_url, name))
    }

    /// Opens a test database just created on the server.
    async fn postgres_opened(admin_url: String, name: String) -> TestDb {
        let url = replace_database(&admin_url, &name);
        let store = Store::connect(&url).await.expect("open test database");
        TestDb {
            store,
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }

    /// A migrated, emptied database on the Citus cluster, or `None` when Citus tests are
    /// switched off (`GIAMNGHEO_TEST_CITUS=skip`).
    pub async fn citus() -> Option<TestDb> {
        let admin_url = citus::admin_url()?;
        let (slot, store) = citus::lease(&admin_url).await;
        let url = replace_database(&admin_url, &slot.name);
        Some(TestDb {
            store,
            url,
            cleanup: Cleanup::Citus(Some(slot)),
        })
    }

    /// Closes the pool and removes the database.
    pub async fn finish(self) {
        self.store.close().await;
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup
            && let Ok(admin) = Store::connect(admin_url).await
        {
            let _ = admin
                .execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            admin.close().await;
        }
    }
}

/// Takes `n` connections out of a store's pool and keeps them until dropped, so that a
/// test can see what a request gets when the pool is exhausted.
pub async fn hold_connections(store: &Store, n: usize) -> Vec<Box<dyn std::any::Any + Send>> {
    let mut held: Vec<Box<dyn std::any::Any + Send>> = Vec::new();
    for _ in 0..n {
        match &store.pool {
            crate::Pool::Sqlite(pool) => {
                held.push(Box::new(pool.acquire().await.expect("a connection")))
            }
            crate::Pool::Postgres(pool) => {
                held.push(Box::new(pool.acquire().await.expect("a connection")))
            }
        }
    }
    held
}

/// One number from a query of the test's own (a count, a maximum), for checks that
/// look at how rows are stored.
pub async fn query_i64(store: &Store, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    crate::with_pool!(store, pool => sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await
        .expect("the test's query"))
}

/// Adds units for a test straight into `admin_units`, valid since 2020, all of province
/// 42: (code, name, tier, parent). The tier gives the level and the kind.
pub async fn add_units(store: &Store, units: &[(&str, &str, &str, Option<&str>)]) {
    let rows: Vec<String> = units
        .iter()
        .map(|(code, name, tier, parent)| {
            let (level, kind) = match *tier {
                "province" => (1, "Tỉnh"),
                "commune" => (2, "Xã"),
                _ => (3, "Thôn"),
            };
            format!(
                "('{code}', '{name}', '{}', '{kind}', {level}, '{tier}', {}, '42', '2020-01-01', 'x', 'x')",
                giamngheo_domain::text::fold(name),
                parent.map_or("NULL".to_string(), |p| format!("'{p}'")),
            )
        })
        .collect();
    store
        .execute_admin(&format!(
            "INSERT INTO admin_units (code, name, name_folded, kind, level, tier, parent_code, \
             province_code, valid_from, created_at, updated_at) VALUES {}",
            rows.join(", ")
        ))
        .await
        .expect("the test's units");
}

/// A plain classification of a household in a rural village for a test: the status and
/// date it was decided, no scores, no review, no certificate. Tests set the fields they
/// look at on the result, so that each does not spell out all 28 fields again.
pub fn classification(
    household_id: i64,
    province: &str,
    commune: &str,
    village: &str,
    period: i32,
    status: &str,
    effective_date: chrono::NaiveDate,
) -> crate::ClassificationFields {
    crate::ClassificationFields {
        household_id,
        province_code: province.into(),
        district_code: None,
        commune_code: commune.into(),
        village_code: village.into(),
        period,
        standard: "vn-2022".into(),
        kind: "periodic".into(),
        review_id: None,
        status: status.into(),
        area: "rural".into(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: 0,
        deprived: String::new(),
        reasons: String::new(),
        transition: None,
        member_count: 1,
        causes: String::new(),
        decision_number: None,
        decision_date: None,
        effective_date,
        approved_by: "chủ tịch".into(),
        approved_at: "x".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

/// A new household for a test, registered in `province` (its distribution key), with
/// its members and an audit entry; the other fields are plain.
pub fn new_household(
    code: &str,
    province: &str,
    commune: &str,
    village: &str,
    members: Vec<crate::MemberFields>,
) -> crate::NewHousehold {
    crate::NewHousehold {
        fields: crate::HouseholdFields {
            code: code.into(),
            village_code: village.into(),
            commune_code: commune.into(),
            district_code: None,
            province_code: province.into(),
            head_name: "Chủ hộ".into(),
            head_sort_key: "chu ho".into(),
            address: String::new(),
            phone: None,
            area: "rural".into(),
            area_overridden: false,
            ethnic_minority: false,
            female_headed: false,
            merit: false,
            social_allowance: false,
            floor_area_m2: None,
            wall_material: None,
            column_material: None,
            roof_material: None,
            water_source: None,
            latrine: None,
            has_tv: false,
            has_radio: false,
            has_computer: false,
            has_smartphone: false,
            loudspeaker: false,
            production_land_m2: None,
            notes: String::new(),
            member_count: members.len() as i32,
        },
        members,
        audit: crate::AuditEntry {
            at: "2026-01-01T00:00:00Z".into(),
            user_id: None,
            username: "test".into(),
            action: "household.create".into(),
            entity: "household".into(),
            entity_id: String::new(),
            household_id: None,
            unit_code: Some(commune.into()),
            province_code: Some(province.into()),
            changes: "[]".into(),
            reason: None,
        },
    }
}

/// A member for a test: the head, with a name and a citizen ID.
pub fn member(full_name: &str, citizen_id: Option<&str>) -> crate::MemberFields {
    let folded = giamngheo_domain::text::fold(full_name);
    crate::MemberFields {
        position: 1,
        full_name: full_name.into(),
        name_folded: folded.clone(),
        sort_key: folded,
        sex: "male".into(),
        birth_date: None,
        birth_year: 1980,
        ethnicity: "Kinh".into(),
        relation: "head".into(),
        citizen_id: citizen_id.map(Into::into),
        health_insurance_number: None,
        health_insurance_expiry: None,
        school_level: None,
        school_grade: None,
        qualification: None,
        work_status: None,
        labour_contract: false,
        disability: None,
        social_allowance_vnd: 0,
        nutrition: None,
        uses_internet: false,
    }
}

/// Swaps the database name at the end of a PostgreSQL URL, keeping any query string.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Runs a test function once on SQLite, once on PostgreSQL and once on Citus:
/// `store_test!(name_of_test);` where `async fn name_of_test(store: Store)` is in scope.
#[macro_export]
macro_rules! store_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite().await;
                super::$name(db.store.clone()).await;
                db.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(db) = $crate::testing::TestDb::postgres().await {
                    super::$name(db.store.clone()).await;
                    db.finish().await;
                }
            }

            #[tokio::test]
            async fn citus() {
                if let Some(db) = $crate::testing::TestDb::citus().await {
                    super::$name(db.store.clone()).await;
                    db.finish().await;
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            super::replace_database("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }
}
