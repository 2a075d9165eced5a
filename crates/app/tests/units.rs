//! Administrative units through the app layer, on SQLite and PostgreSQL.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::units::{
    OFFICIAL_UNITS_CSV, UnitImportOptions, official_list_date, shipped_history_start,
};
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
    assert!(loaded >= OFFICIAL_UNITS_CSV.lines().count() - 1);
    assert_eq!(app.load_official_units_if_empty().await.unwrap(), 0);

    // Hà Tĩnh is one unit throughout: the reform did not change it.
    let ha_tinh = app.unit("42").await.unwrap();
    assert_eq!(ha_tinh.name, "Tỉnh Hà Tĩnh");
    assert_eq!(ha_tinh.tier, "province");
    assert_eq!(ha_tinh.area, None);
    assert_eq!(ha_tinh.valid_from, shipped_history_start());
    assert_eq!(ha_tinh.valid_to, None);
    // The old district is history: valid until 30/06/2025, its communes listed as of a
    // day it was valid.
    let huong_khe = app.unit("444").await.unwrap();
    assert_eq!(huong_khe.parent_code.as_deref(), Some("42"));
    assert_eq!(huong_khe.valid_to, NaiveDate::from_ymd_opt(2025, 6, 30));
    let communes = app
        .children_on(Some("444"), NaiveDate::from_ymd_opt(2025, 1, 1))
        .await
        .unwrap();
    assert_eq!(communes.len(), 20, "Hương Khê had 20 communes");
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
}
app_test!(the_official_list_loads_once_with_areas_from_kinds);

async fn a_fresh_database_starts_on_todays_units_with_the_old_ones_as_history(store: Store) {
    let app = app(store, Hierarchy::three_levels());
    app.load_official_units_if_empty().await.unwrap();
    let provinces = app.children(None).await.unwrap();
    assert_eq!(provinces.len(), 34);
    let mut communes = 0;
    for p in &provinces {
        let under = app.children(Some(&p.code)).await.unwrap();
        let odd: Vec<_> = under
            .iter()
            .filter(|c| c.tier != "commune" || c.level != 2)
            .map(|c| (&c.code, &c.name, c.level, &c.tier))
            .collect();
        assert!(odd.is_empty(), "{odd:?}");
        communes += under.len();
        assert_eq!(p.child_count as usize, under.len());
    }
    assert_eq!(communes, 3321);
    let before = NaiveDate::from_ymd_opt(2025, 6, 30);
    assert_eq!(app.children_on(None, before).await.unwrap().len(), 63);
    // Province 44 was Quảng Bình and is Quảng Trị today; old Quảng Trị (45) is closed.
    assert_eq!(
        app.resolve_unit("44", before).await.unwrap().name,
        "Tỉnh Quảng Bình"
    );
    assert_eq!(
        app.resolve_unit("44", None).await.unwrap().name,
        "Tỉnh Quảng Trị"
    );
    let Err(AppError::Gone(m)) = app.resolve_unit("45", None).await else {
        panic!("old Quảng Trị is closed");
    };
    assert!(m.contains("nay thuộc Tỉnh Quảng Trị (mã 44)"), "{m}");
}
app_test!(a_fresh_database_starts_on_todays_units_with_the_old_ones_as_history);

async fn a_reused_code_means_the_unit_valid_on_the_day(store: Store) {
    let app = app(store, Hierarchy::three_levels());
    app.load_official_units_if_empty().await.unwrap();
    let old = app
        .resolve_unit("18496", NaiveDate::from_ymd_opt(2024, 12, 31))
        .await
        .unwrap();
    assert_eq!(old.name, "Thị trấn Hương Khê");
    assert_eq!(old.parent_code.as_deref(), Some("444"));
    assert_eq!(old.level, 3);
    let new = app.resolve_unit("18496", None).await.unwrap();
    assert_eq!(new.name, "Xã Hương Khê");
    assert_eq!(new.parent_code.as_deref(), Some("42"));
    assert_eq!(new.level, 2);
    assert_eq!(new.valid_from, NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
    // The old town went whole into the new commune, with Hương Long and Phú Gia.
    let successors = app.successors(&old).await.unwrap();
    assert_eq!(successors.len(), 1);
    assert_eq!(successors[0].0.name, "Xã Hương Khê");
    assert!(successors[0].1);
}
app_test!(a_reused_code_means_the_unit_valid_on_the_day);

async fn a_closed_unit_used_for_today_names_its_successors(store: Store) {
    let app = app(store, Hierarchy::three_levels());
    app.load_official_units_if_empty().await.unwrap();
    let err = app.children(Some("444")).await.unwrap_err();
    let AppError::Gone(message) = err else {
        panic!("expected a closed unit, got {err:?}");
    };
    assert!(
        message.starts_with(
            "Huyện Hương Khê (mã 444) đã giải thể từ 01/07/2025 (hết hiệu lực 30/06/2025), nay thuộc "
        ),
        "{message}"
    );
    for new in [
        "Xã Hương Khê (mã 18496)",
        "Xã Hà Linh (mã 18502)",
        "Xã Hương Bình (mã 18523)",
        "Xã Hương Phố (mã 18532)",
        "Xã Hương Xuân (mã 18544)",
        "Xã Phúc Trạch (mã 18547)",
        "Xã Hương Đô (mã 18550)",
    ] {
        assert!(message.contains(new), "{new} missing from {message}");
    }
}
app_test!(a_closed_unit_used_for_today_names_its_successors);

async fn a_search_without_diacritics_finds_todays_unit(store: Store) {
    let app = app(store, Hierarchy::four_levels());
    app.load_official_units_if_empty().await.unwrap();
    let hits = app.search_units("huong khe").await.unwrap();
    assert_eq!(hits[0].name, "Xã Hương Khê");
    assert_eq!(hits[0].parent_name.as_deref(), Some("Tỉnh Hà Tĩnh"));
    let hits = app.search_units("HƯƠNG KHÊ").await.unwrap();
    assert_eq!(hits[0].code, "18496");
    assert!(matches!(
        app.search_units("h").await,
        Err(AppError::Invalid { .. })
    ));
}
app_test!(a_search_without_diacritics_finds_todays_unit);

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
        hierarchy: None,
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
        hierarchy: None,
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
    // valid_to is the last valid day: the day before the new list.
    let gone = app.unit("18502").await.unwrap();
    assert_eq!(gone.valid_to, NaiveDate::from_ymd_opt(2025, 6, 30));
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
        hierarchy: None,
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
            hierarchy: None,
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
        hierarchy: None,
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
    // Hà Linh's last valid day is the day before the list took effect.
    assert_eq!(
        app.unit("18502").await.unwrap().valid_to,
        NaiveDate::from_ymd_opt(2025, 6, 30)
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
                hierarchy: None,
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

async fn a_newer_list_renames_and_reclassifies_with_history(store: Store) {
    let app = app(store, Hierarchy::three_levels());
    app.load_official_units_if_empty().await.unwrap();
    // 2026 (README-2025-07 §5.4): Bắc Ninh became a centrally-run city and Xã Bố Hạ a
    // ward; codes unchanged. The date here is the example's, not the resolution's.
    let csv = "code,name,kind,level,parent_code\n\
               24,Thành phố Bắc Ninh,Thành phố Trung ương,1,\n\
               07294,Phường Bố Hạ,Phường,2,24\n";
    let from = NaiveDate::from_ymd_opt(2026, 8, 4).unwrap();
    let options = UnitImportOptions {
        valid_from: from,
        retire_missing: false,
        hierarchy: None,
    };
    app.import_units(csv.as_bytes(), &options).await.unwrap();
    let before = NaiveDate::from_ymd_opt(2026, 1, 1);
    let old = app.resolve_unit("07294", before).await.unwrap();
    assert_eq!(
        (old.name.as_str(), old.area.as_deref()),
        ("Xã Bố Hạ", Some("rural"))
    );
    assert_eq!(old.valid_to, from.pred_opt());
    let new = app.resolve_unit("07294", None).await.unwrap();
    assert_eq!(
        (new.name.as_str(), new.area.as_deref()),
        ("Phường Bố Hạ", Some("urban"))
    );
    assert_eq!(new.valid_from, from);
    assert_eq!(
        app.resolve_unit("24", before).await.unwrap().name,
        "Tỉnh Bắc Ninh"
    );
    let city = app.resolve_unit("24", None).await.unwrap();
    assert_eq!(city.name, "Thành phố Bắc Ninh");
    // The province's communes are still under it, the renamed one among them, once.
    let communes = app.children(Some("24")).await.unwrap();
    assert_eq!(city.child_count as usize, communes.len());
    assert_eq!(communes.iter().filter(|c| c.code == "07294").count(), 1);
    // Importing the same list again changes nothing.
    let versions = app.store().unit_count().await.unwrap();
    app.import_units(csv.as_bytes(), &options).await.unwrap();
    assert_eq!(app.store().unit_count().await.unwrap(), versions);
}
app_test!(a_newer_list_renames_and_reclassifies_with_history);
