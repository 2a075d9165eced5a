//! What keeps the product answering at national scale, on SQLite and PostgreSQL: an
//! exhausted database pool is an "overloaded" answer (503), never an internal error; the
//! name search stays in the user's unit and runs once for the page and its count; a long list is
//! counted only up to its bound.

use super::{DIEN_MY, HA_LINH, app_test, household, member, officer, setup};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::Hierarchy;
use giamngheo_store::testing::{TestDb, hold_connections};
use giamngheo_store::{HouseholdFilter, PoolLimits, Store, StoreError};
use std::sync::Arc;
use std::time::Duration;

/// An app on a store opened with other pool limits (the units are not needed).
fn app_on(store: Store) -> App {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    App::new(
        store,
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    )
}

fn head(name: &str, citizen_id: Option<&str>) -> giamngheo_domain::household::MemberDraft {
    member(name, "head", 1970, citizen_id)
}

fn one(
    code: &str,
    village: &str,
    name: &str,
    citizen_id: Option<&str>,
) -> giamngheo_domain::household::HouseholdDraft {
    household(code, village, vec![head(name, citizen_id)])
}

async fn the_name_search_stays_in_the_unit_and_counts_once(store: Store) {
    let app = setup(store).await;
    let dm = officer(DIEN_MY);
    let hl = officer(HA_LINH);
    // The same name in both communes: each officer finds only their own.
    app.create_household(
        &dm,
        one(
            "DM-001",
            "18499001",
            "Nguyễn Văn Bình",
            Some("042070000001"),
        ),
    )
    .await
    .unwrap();
    app.create_household(&hl, one("HL-001", "18502001", "Nguyễn Văn Bình", None))
        .await
        .unwrap();
    app.create_household(&dm, one("DM-002", "18499001", "Hồ Thị An", None))
        .await
        .unwrap();

    let found = app
        .list_households(&dm, None, Some("văn bình"), 1)
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert!(!found.more);
    assert_eq!(found.items[0].code, "DM-001");
    let found = app
        .list_households(&hl, None, Some("VAN BINH"), 1)
        .await
        .unwrap();
    assert_eq!(
        found
            .items
            .iter()
            .map(|h| h.code.as_str())
            .collect::<Vec<_>>(),
        ["HL-001"]
    );
    // A household code and a citizen ID are found as before.
    let by_code = app
        .list_households(&dm, None, Some("dm-002"), 1)
        .await
        .unwrap();
    assert_eq!(by_code.items[0].head_name, "Hồ Thị An");
    let by_id = app
        .list_households(&dm, None, Some("042070000001"), 1)
        .await
        .unwrap();
    assert_eq!(by_id.total, 1);
    assert_eq!(by_id.items[0].code, "DM-001");
    // Nothing found is a count of zero, not an error.
    let none = app
        .list_households(&dm, None, Some("không có ai"), 1)
        .await
        .unwrap();
    assert_eq!((none.total, none.items.len()), (0, 0));
}
app_test!(the_name_search_stays_in_the_unit_and_counts_once);

async fn a_long_list_is_counted_up_to_its_bound(store: Store) {
    let app = setup(store).await;
    let dm = officer(DIEN_MY);
    for (i, name) in ["An", "Bình", "Chi", "Dũng", "Giang"].iter().enumerate() {
        app.create_household(
            &dm,
            household(
                &format!("DM-{i:03}"),
                "18499001",
                vec![head(&format!("Lê Văn {name}"), None)],
            ),
        )
        .await
        .unwrap();
    }
    let filter = HouseholdFilter {
        scope_column: "commune_code",
        scope_code: DIEN_MY.into(),
        text: None,
        citizen_id: None,
        include_inactive: false,
        villages: Vec::new(),
    };
    let store = app.store();
    // Bound 3, page of 2: the count stops at 3 and says there are more.
    let (rows, total) = store
        .list_households_counted(&filter, 2, 0, Some(3))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((total.count, total.more), (3, true));
    assert_eq!(rows[0].head_name, "Lê Văn An");
    // A page past the bound is still served, and the count reaches at least its end.
    let (rows, total) = store
        .list_households_counted(&filter, 2, 4, Some(3))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].head_name, "Lê Văn Giang");
    assert_eq!((total.count, total.more), (5, false));
    // A page past the end counts on its own.
    let (rows, total) = store
        .list_households_counted(&filter, 2, 10, Some(3))
        .await
        .unwrap();
    assert!(rows.is_empty());
    assert_eq!((total.count, total.more), (5, false));
    // Without a bound the count is exact, as the export needs.
    let (_, exact) = store.list_households(&filter, 2, 0).await.unwrap();
    assert_eq!(exact, 5);
    let page = app.list_households(&dm, None, None, 1).await.unwrap();
    assert_eq!((page.total, page.more), (5, false));
}
app_test!(a_long_list_is_counted_up_to_its_bound);

/// With every connection of the pool taken, a request waits the pool's time and gets
/// "overloaded" (which the web answers 503 with Retry-After), never a database error.
async fn an_exhausted_pool_is_overload_not_an_error(db: TestDb) {
    let limits = PoolLimits {
        postgres_connections: 1,
        sqlite_connections: 1,
        acquire_timeout: Duration::from_millis(200),
    };
    let store = Store::connect_with(&db.url, limits).await.unwrap();
    let app = app_on(store.clone());
    // Served while a connection is free.
    assert!(store.household_count().await.is_ok());
    let held = hold_connections(&store, 1).await;
    let e = store.household_count().await.unwrap_err();
    assert!(matches!(e, StoreError::Overloaded), "{e:?}");
    let e = app.unit(DIEN_MY).await.unwrap_err();
    assert!(
        matches!(e, AppError::Overloaded { retry_after_secs } if retry_after_secs > 0),
        "{e:?}"
    );
    assert!(e.to_string().contains("quá tải"), "{e}");
    drop(held);
    assert!(store.household_count().await.is_ok());
    store.close().await;
    db.finish().await;
}

#[tokio::test]
async fn an_exhausted_pool_is_overload_not_an_error_sqlite() {
    an_exhausted_pool_is_overload_not_an_error(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn an_exhausted_pool_is_overload_not_an_error_postgres() {
    if let Some(db) = TestDb::postgres().await {
        an_exhausted_pool_is_overload_not_an_error(db).await;
    }
}
