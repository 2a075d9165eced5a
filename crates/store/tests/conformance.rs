//! The store's conformance suite: every test runs on SQLite and on PostgreSQL, so the two
//! backends cannot drift apart.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_store::{Backend, NewVillage, Store, StoreError, UnitUpdate, UnitUpsert, store_test};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn unit(
    code: &str,
    name: &str,
    kind: &str,
    level: i32,
    tier: &str,
    parent: Option<&str>,
) -> UnitUpsert {
    UnitUpsert {
        code: code.into(),
        name: name.into(),
        name_folded: giamngheo_domain::text::fold(name),
        kind: kind.into(),
        level,
        tier: tier.into(),
        parent_code: parent.map(Into::into),
        province_code: "42".into(),
        area: giamngheo_domain::UnitKind::parse(kind)
            .unwrap()
            .default_area()
            .map(|a| a.as_str().to_string()),
        area_given: false,
        extremely_difficult: false,
        border: false,
        programme_30a: false,
        programme_135: false,
        valid_from: date(2025, 3, 1),
    }
}

fn ha_tinh() -> Vec<UnitUpsert> {
    vec![
        unit("42", "Tỉnh Hà Tĩnh", "Tỉnh", 1, "province", None),
        unit("444", "Huyện Hương Khê", "Huyện", 2, "district", Some("42")),
        unit("18499", "Xã Điền Mỹ", "Xã", 3, "commune", Some("444")),
        unit(
            "18496",
            "Thị trấn Hương Khê",
            "Thị trấn",
            3,
            "commune",
            Some("444"),
        ),
    ]
}

async fn a_fresh_database_is_at_the_binarys_schema_version(store: Store) {
    assert!(store.known_schema_version() >= 1);
    assert_eq!(
        store.schema_version().await.unwrap(),
        store.known_schema_version()
    );
    assert!(store.is_current().await.unwrap());
    // Migrating again is harmless.
    assert_eq!(store.migrate().await.unwrap(), store.known_schema_version());
}
store_test!(a_fresh_database_is_at_the_binarys_schema_version);

async fn a_database_from_a_newer_binary_is_refused(store: Store) {
    let bytes = match store.backend() {
        Backend::Sqlite => "X'00'",
        Backend::Postgres => "'\\x00'::bytea",
    };
    store
        .execute_admin(&format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99999, 'from the future', TRUE, {bytes}, 0)"
        ))
        .await
        .unwrap();
    let err = store.migrate().await.unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 99999, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("mới hơn"));
}
store_test!(a_database_from_a_newer_binary_is_refused);

async fn children_come_in_official_code_order_with_counts(store: Store) {
    store.upsert_units(&ha_tinh(), true, now()).await.unwrap();
    let provinces = store.children(None, false).await.unwrap();
    assert_eq!(provinces.len(), 1);
    assert_eq!(provinces[0].child_count, 1);
    let communes = store.children(Some("444"), false).await.unwrap();
    let codes: Vec<&str> = communes.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes, ["18496", "18499"]);
    assert_eq!(communes[0].area.as_deref(), Some("urban"));
    assert_eq!(communes[1].area.as_deref(), Some("rural"));
    assert_eq!(communes[1].valid_from, date(2025, 3, 1));
    let chain = store.ancestry("18499").await.unwrap();
    let names: Vec<&str> = chain.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Tỉnh Hà Tĩnh", "Huyện Hương Khê", "Xã Điền Mỹ"]);
    assert!(store.unit("99999").await.unwrap().is_none());
}
store_test!(children_come_in_official_code_order_with_counts);

async fn search_matches_folded_names_and_escapes_wildcards(store: Store) {
    store.upsert_units(&ha_tinh(), true, now()).await.unwrap();
    let hits = store.search_units("huong khe", 50).await.unwrap();
    let codes: Vec<&str> = hits.iter().map(|h| h.code.as_str()).collect();
    assert_eq!(codes, ["444", "18496"]);
    assert_eq!(hits[1].parent_name.as_deref(), Some("Huyện Hương Khê"));
    assert_eq!(hits[1].province_name.as_deref(), Some("Tỉnh Hà Tĩnh"));
    assert!(store.search_units("%", 50).await.unwrap().is_empty());
    assert!(store.search_units("_", 50).await.unwrap().is_empty());
}
store_test!(search_matches_folded_names_and_escapes_wildcards);

async fn upserting_updates_names_keeps_overridden_areas_and_flags(store: Store) {
    store.upsert_units(&ha_tinh(), true, now()).await.unwrap();
    store
        .update_unit(
            "18499",
            &UnitUpdate {
                area: Some("urban".into()),
                extremely_difficult: true,
                border: true,
                programme_30a: false,
                programme_135: true,
            },
            now(),
        )
        .await
        .unwrap();
    let mut again = ha_tinh();
    again[2].name = "Xã Điền Mỹ Mới".into();
    store.upsert_units(&again, true, now()).await.unwrap();
    let u = store.unit("18499").await.unwrap().unwrap();
    assert_eq!(u.name, "Xã Điền Mỹ Mới");
    assert_eq!(
        u.area.as_deref(),
        Some("urban"),
        "override survives an update"
    );
    assert!(u.area_overridden);
    assert!(u.extremely_difficult && u.border && u.programme_135 && !u.programme_30a);
    // A file that carries flags replaces them.
    store.upsert_units(&again, false, now()).await.unwrap();
    let u = store.unit("18499").await.unwrap().unwrap();
    assert!(!u.extremely_difficult);
}
store_test!(upserting_updates_names_keeps_overridden_areas_and_flags);

async fn retired_units_stay_but_leave_the_lists(store: Store) {
    store.upsert_units(&ha_tinh(), true, now()).await.unwrap();
    let n = store
        .retire_units(&["18496".to_string()], &[], date(2025, 7, 1), now())
        .await
        .unwrap();
    assert_eq!(n, 1);
    let listed = store.children(Some("444"), false).await.unwrap();
    assert_eq!(listed.len(), 1);
    let all = store.children(Some("444"), true).await.unwrap();
    assert_eq!(all.len(), 2);
    let retired = store.unit("18496").await.unwrap().unwrap();
    assert_eq!(retired.valid_to, Some(date(2025, 7, 1)));
    // Codes compare as text: equal-length codes of one level sort in official order.
    assert_eq!(
        store.official_codes_in("42").await.unwrap(),
        ["18499", "42", "444"]
    );
}
store_test!(retired_units_stay_but_leave_the_lists);

fn village(code: &str, name: &str) -> NewVillage {
    NewVillage {
        code: code.into(),
        name: name.into(),
        name_folded: giamngheo_domain::text::fold(name),
        kind: "Thôn".into(),
        level: 4,
        parent_code: "18499".into(),
        province_code: "42".into(),
        area: Some("rural".into()),
        valid_from: date(2026, 11, 28),
    }
}

async fn villages_are_created_all_or_nothing(store: Store) {
    store.upsert_units(&ha_tinh(), true, now()).await.unwrap();
    store
        .create_villages(&[village("18499001", "Thôn Trung Hòa")], now())
        .await
        .unwrap();
    assert_eq!(
        store.last_village_code("18499").await.unwrap().as_deref(),
        Some("18499001")
    );
    assert_eq!(
        store
            .village_named("18499", "thon trung hoa")
            .await
            .unwrap()
            .as_deref(),
        Some("18499001")
    );
    // The second village collides with the first: neither of the batch is written.
    let err = store
        .create_villages(
            &[
                village("18499002", "Thôn Hạ"),
                village("18499001", "Thôn Khác"),
            ],
            now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(store.unit("18499002").await.unwrap().is_none());
    let commune = store.unit("18499").await.unwrap().unwrap();
    assert_eq!(commune.child_count, 1);
}
store_test!(villages_are_created_all_or_nothing);

async fn settings_are_written_and_replaced(store: Store) {
    assert_eq!(store.setting("posting_days").await.unwrap(), None);
    store.set_setting("posting_days", "3").await.unwrap();
    store.set_setting("posting_days", "5").await.unwrap();
    assert_eq!(
        store.setting("posting_days").await.unwrap().as_deref(),
        Some("5")
    );
}
store_test!(settings_are_written_and_replaced);
