//! Migration 0015 on a database that already gave the same certificate number twice in a
//! commune: it does not stop, renumbers nothing, and from then on refuses a number
//! already given.

use giamngheo_store::testing::TestDb;
use giamngheo_store::{ClassificationFields, Store, StoreError, UniqueKey};

/// The schema before certificate numbers were counted.
const BEFORE_COUNTERS: i64 = 14;

async fn sql(store: &Store, statement: &str) {
    store.execute_admin(statement).await.unwrap();
}

/// Three households of Điền Mỹ; the first two were given certificate 001 at once, the
/// third 002, and the first's certificate was carried over by a correction.
async fn duplicates_from_before(store: &Store) {
    sql(
        store,
        "INSERT INTO admin_units (code, name, name_folded, kind, level, tier, parent_code, province_code, valid_from, created_at, updated_at) VALUES \
         ('42', 'Tỉnh Hà Tĩnh', 'tinh ha tinh', 'Tỉnh', 1, 'province', NULL, '42', '2020-01-01', 'x', 'x'), \
         ('18499', 'Xã Điền Mỹ', 'xa dien my', 'Xã', 2, 'commune', '42', '42', '2020-01-01', 'x', 'x'), \
         ('18499001', 'Thôn Trung Hòa', 'thon trung hoa', 'Thôn', 3, 'village', '18499', '42', '2020-01-01', 'x', 'x')",
    )
    .await;
    for code in ["DM-1", "DM-2", "DM-3"] {
        sql(
            store,
            &format!(
                "INSERT INTO households (code, village_code, commune_code, province_code, head_name, head_sort_key, area, created_at, updated_at) \
                 VALUES ('{code}', '18499001', '18499', '42', 'Chủ hộ', 'chu ho', 'rural', 'x', 'x')"
            ),
        )
        .await;
    }
    for (household, number, supersedes) in [
        (1, "001/GCN-HN.HCN", "NULL"),
        (2, "001/GCN-HN.HCN", "NULL"),
        (3, "002/GCN-HN.HCN", "NULL"),
        (1, "001/GCN-HN.HCN", "1"),
    ] {
        sql(
            store,
            &format!(
                "INSERT INTO classifications (household_id, province_code, commune_code, village_code, period, standard, kind, status, area, \
                 score_b, deprivation_count, member_count, effective_date, approved_by, approved_at, supersedes, certificate_number, created_at) \
                 VALUES ({household}, '42', '18499', '18499001', 2022, 'vn-2022', 'periodic', 'poor', 'rural', 0, 3, 1, '2021-12-01', 'chủ tịch', 'x', \
                 {supersedes}, '{number}', 'x')"
            ),
        )
        .await;
    }
}

async fn old_duplicates_stay_and_new_ones_are_refused(store: Store) {
    store.migrate_to(BEFORE_COUNTERS).await.unwrap();
    duplicates_from_before(&store).await;
    store
        .migrate()
        .await
        .expect("the migration runs over old duplicates");

    // Nothing was renumbered: the second household keeps the number it was given.
    let second = store.classifications_of(2).await.unwrap();
    assert_eq!(
        second[0].fields.certificate_number.as_deref(),
        Some("001/GCN-HN.HCN")
    );
    // A number already given is refused from now on, by name.
    let mut again = store.classifications_of(3).await.unwrap()[0].fields.clone();
    again.household_id = 2;
    again.certificate_number = Some("002/GCN-HN.HCN".into());
    let refused = store
        .insert_classifications(&[again.clone()], &[], chrono::Utc::now())
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Duplicate(UniqueKey::CertificateNumber))
        ),
        "{refused:?}"
    );
    // A new number is accepted.
    let fresh = ClassificationFields {
        certificate_number: Some("003/GCN-HN.HCN".into()),
        ..again
    };
    store
        .insert_classifications(&[fresh], &[], chrono::Utc::now())
        .await
        .unwrap();
}

#[tokio::test]
async fn old_duplicate_certificates_on_sqlite() {
    let db = TestDb::sqlite_unmigrated().await;
    old_duplicates_stay_and_new_ones_are_refused(db.store.clone()).await;
    db.finish().await;
}

#[tokio::test]
async fn old_duplicate_certificates_on_postgres() {
    if let Some(db) = TestDb::postgres_unmigrated().await {
        old_duplicates_stay_and_new_ones_are_refused(db.store.clone()).await;
        db.finish().await;
    }
}
