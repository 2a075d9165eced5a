//! Administrative units through the app layer, on SQLite and PostgreSQL.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::units::{OFFICIAL_UNITS_CSV, UnitImportOptions, official_list_date};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::Hierarchy;
use giamngheo_store::Store;
use std::sync::Arc;

fn app(store: Store, hierarchy: Hierarchy) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    App::new(
        store,
        Config {
            hierarchy,
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    )
}

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

async fn the_official_list_loads_once_with_areas_from_kinds(store: Store) {
    let app = app(store, Hierarchy::four_levels());
    let loaded = app.load_official_units_if_empty().await.unwrap();
    assert_eq!(loaded, OFFICIAL_UNITS_CSV.lines().count() - 1);
    assert_eq!(app.load_official_units_if_empty().await.unwrap(), 0);

    let ha_tinh = app.unit("42").await.unwrap();
    assert_eq!(ha_tinh.name, "Tỉnh Hà Tĩnh");
    assert_eq!(ha_tinh.tier, "province");
    assert_eq!(ha_tinh.area, None);
    let huong_khe = app.unit("444").await.unwrap();
    assert_eq!(huong_khe.parent_code.as_deref(), Some("42"));
    let communes = app.children(Some("444")).await.unwrap();
    assert!(
        communes.len() > 10,
        "Hương Khê has {} communes",
        communes.len()
    );
    assert!(communes.windows(2).all(|w| w[0].code < w[1].code));
    let town = communes.iter().find(|c| c.kind == "Thị trấn").unwrap();
    assert_eq!(town.area.as_deref(), Some("urban"));
    assert!(
        communes
            .iter()
            .filter(|c| c.kind == "Xã")
            .all(|c| c.area.as_deref() == Some("rural"))
    );
    assert!(communes.iter().all(|c| c.province_code == "42"));
    assert_eq!(ha_tinh.valid_from, official_list_date());
}
app_test!(the_official_list_loads_once_with_areas_from_kinds);

async fn a_search_without_diacritics_finds_the_district(store: Store) {
    let app = app(store, Hierarchy::four_levels());
    app.load_official_units_if_empty().await.unwrap();
    let hits = app.search_units("huong khe").await.unwrap();
    assert_eq!(hits[0].name, "Huyện Hương Khê");
    let hits = app.search_units("HƯƠNG KHÊ").await.unwrap();
    assert_eq!(hits[0].code, "444");
    assert!(matches!(
        app.search_units("h").await,
        Err(AppError::Invalid { .. })
    ));
}
app_test!(a_search_without_diacritics_finds_the_district);

async fn a_file_with_a_bad_row_is_refused_whole(store: Store) {
    let app = app(store, Hierarchy::four_levels());
    let csv = "code,name,kind,level,parent_code\n\
               42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
               444,Huyện Hương Khê,Huyện,2,42\n\
               18499,Xã Điền Mỹ,Xã,3,999\n\
               18502,Xã Hà Linh,Xã,2,444\n";
    let options = UnitImportOptions {
        valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        retire_missing: false,
    };
    let err = app
        .import_units(csv.as_bytes(), &options)
        .await
        .unwrap_err();
    let AppError::File(errors) = err else {
        panic!("expected a refused file, got {err:?}");
    };
    let places: Vec<(u64, &str)> = errors
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_str()))
        .collect();
    assert_eq!(places, [(4, "parent_code"), (5, "parent_code")]);
    assert_eq!(
        app.store().unit_count().await.unwrap(),
        0,
        "nothing written"
    );
}
app_test!(a_file_with_a_bad_row_is_refused_whole);

async fn a_merge_retires_the_units_a_new_list_leaves_out(store: Store) {
    let app = app(store, Hierarchy::three_levels());
    let options = |retire| UnitImportOptions {
        valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        retire_missing: retire,
    };
    let before = "code,name,kind,level,parent_code\n\
                  42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                  18499,Xã Điền Mỹ,Xã,2,42\n\
                  18502,Xã Hà Linh,Xã,2,42\n";
    app.import_units(before.as_bytes(), &options(false))
        .await
        .unwrap();
    let after = "code,name,kind,level,parent_code\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 18499,Xã Hương Đô,Xã,2,42\n";
    let summary = app
        .import_units(after.as_bytes(), &options(true))
        .await
        .unwrap();
    assert_eq!(summary.retired, 1);
    let kept = app.children(Some("42")).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].name, "Xã Hương Đô");
    let gone = app.unit("18502").await.unwrap();
    assert_eq!(gone.valid_to, NaiveDate::from_ymd_opt(2025, 7, 1));
}
app_test!(a_merge_retires_the_units_a_new_list_leaves_out);

async fn a_three_level_hierarchy_refuses_level_three_official_units(store: Store) {
    let app = app(store, Hierarchy::three_levels());
    let csv = "code,name,kind,level,parent_code\n\
               42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
               444,Huyện Hương Khê,Huyện,2,42\n\
               18499,Xã Điền Mỹ,Xã,3,444\n";
    let options = UnitImportOptions {
        valid_from: official_list_date(),
        retire_missing: false,
    };
    let AppError::File(errors) = app
        .import_units(csv.as_bytes(), &options)
        .await
        .unwrap_err()
    else {
        panic!("expected a refused file");
    };
    assert_eq!(errors.errors[0].line, 4);
    assert_eq!(errors.errors[0].column, "level");
}
app_test!(a_three_level_hierarchy_refuses_level_three_official_units);

/// Hà Tĩnh with two communes on the three-level hierarchy, a village and a household in
/// Hà Linh, and a user of Hà Linh.
async fn ha_tinh_with_people(app: &App) {
    app.import_units(
        "code,name,kind,level,parent_code\n\
         42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
         18499,Xã Điền Mỹ,Xã,2,42\n\
         18502,Xã Hà Linh,Xã,2,42\n"
            .as_bytes(),
        &UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            retire_missing: false,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system("commune_code,name,kind\n18502,Thôn Bắc Hà,Thôn\n".as_bytes())
        .await
        .unwrap();
    app.create_households(
        giamngheo_app::households::By::System,
        vec![giamngheo_app::households::DraftInput::form(
            giamngheo_domain::household::HouseholdDraft {
                code: "HL-001".into(),
                village_code: "18502001".into(),
                address: "Xóm 1".into(),
                members: vec![giamngheo_domain::household::MemberDraft {
                    full_name: "Lê Văn Hà".into(),
                    sex: Some(giamngheo_domain::household::Sex::Male),
                    birth_year: Some(1970),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )],
        "test",
    )
    .await
    .unwrap();
    app.add_user_as_system(giamngheo_app::auth::NewUserInput {
        username: "canbo.halinh".into(),
        password: "Sông-Lam-chảy-1975!".into(),
        role: giamngheo_app::access::Role::CommuneOfficer,
        unit_code: "18502".into(),
    })
    .await
    .unwrap();
}

const AFTER_MERGE: &str = "code,name,kind,level,parent_code\n\
                           42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                           18499,Xã Hương Đô,Xã,2,42\n";

async fn a_unit_that_holds_people_is_retired_only_with_its_successors(store: Store) {
    let app = app(store, Hierarchy::three_levels());
    ha_tinh_with_people(&app).await;
    let options = UnitImportOptions {
        valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        retire_missing: true,
    };

    // Without successors: refused, naming what Hà Linh holds, and nothing written.
    let refused = app.import_units(AFTER_MERGE.as_bytes(), &options).await;
    let Err(AppError::Conflict(message)) = refused else {
        panic!("expected a refusal, got {refused:?}");
    };
    assert!(
        message.contains("18502 Xã Hà Linh: 1 hộ, 1 thôn, 1 người dùng"),
        "{message}"
    );
    assert_eq!(app.unit("18502").await.unwrap().valid_to, None);
    assert_eq!(app.unit("18499").await.unwrap().name, "Xã Điền Mỹ");

    // A successor that is neither in the list nor in the database is refused too.
    let unknown = app
        .plan_units(
            AFTER_MERGE.as_bytes(),
            &options,
            &[("18502".into(), "99999".into())],
            true,
        )
        .await;
    assert!(
        matches!(&unknown, Err(AppError::Invalid { field, .. }) if field == "successors"),
        "{unknown:?}"
    );

    // A dry run with the successor says what would happen and writes nothing.
    let successors = [("18502".to_string(), "18499".to_string())];
    let (plan, summary) = app
        .plan_units(AFTER_MERGE.as_bytes(), &options, &successors, false)
        .await
        .unwrap();
    assert_eq!(summary, None);
    assert_eq!(plan.retirements.len(), 1);
    assert_eq!(plan.retirements[0].successors, ["18499"]);
    assert_eq!(app.unit("18502").await.unwrap().valid_to, None);

    // Applied: Hà Linh ends, its successor is recorded, its people stay on record.
    let (_, summary) = app
        .plan_units(AFTER_MERGE.as_bytes(), &options, &successors, true)
        .await
        .unwrap();
    assert_eq!(summary.unwrap().retired, 1);
    assert_eq!(
        app.unit("18502").await.unwrap().valid_to,
        NaiveDate::from_ymd_opt(2025, 7, 1)
    );
    assert_eq!(
        app.store().unit_successors("18502").await.unwrap(),
        ["18499"]
    );
}
app_test!(a_unit_that_holds_people_is_retired_only_with_its_successors);

async fn a_commune_does_not_move_to_another_province_without_its_households(store: Store) {
    let app = app(store, Hierarchy::three_levels());
    ha_tinh_with_people(&app).await;
    let moved = "code,name,kind,level,parent_code\n\
                 44,Tỉnh Quảng Bình,Tỉnh,1,\n\
                 18502,Xã Hà Linh,Xã,2,44\n";
    let refused = app
        .import_units(
            moved.as_bytes(),
            &UnitImportOptions {
                valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
                retire_missing: false,
            },
        )
        .await;
    let Err(AppError::File(errors)) = refused else {
        panic!("expected a refusal, got {refused:?}");
    };
    let text = errors.to_string();
    assert!(
        text.contains("xã 18502 chuyển sang tỉnh 44 nhưng 1 hộ"),
        "{text}"
    );
    assert_eq!(errors.errors[0].line, 3);
    assert_eq!(
        app.unit("18502").await.unwrap().parent_code.as_deref(),
        Some("42")
    );
    assert!(app.unit("44").await.is_err(), "nothing written");
}
app_test!(a_commune_does_not_move_to_another_province_without_its_households);
