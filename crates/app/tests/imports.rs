//! Imports that cannot take the server down, on SQLite and PostgreSQL: a workbook that
//! unpacks to gigabytes is refused before it is read, only a bounded number of imports
//! run at once, and a refused file writes nothing.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::households::By;
use giamngheo_app::imports::MAX_CONCURRENT_IMPORTS;
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

/// One commune, Xã Điền Mỹ (18499), with two villages, 18499001 and 18499002.
async fn one_commune(store: Store) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let config = Config {
        hierarchy: Hierarchy::four_levels(),
        ..Config::default()
    };
    let app = App::new(store, config, Arc::new(FixedClock(now)));
    let options = UnitImportOptions {
        valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        retire_missing: false,
    };
    let units = "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 444,Huyện Hương Khê,Huyện,2,42\n18499,Xã Điền Mỹ,Xã,3,444\n";
    app.import_units(units.as_bytes(), &options).await.unwrap();
    let villages = "commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n18499,Thôn Hạ Lâm,Thôn\n";
    app.import_villages_as_system(villages.as_bytes())
        .await
        .unwrap();
    app
}

fn officer() -> Actor {
    Actor {
        user_id: 1,
        username: "canbo-18499".into(),
        role: Role::CommuneOfficer,
        unit_code: "18499".into(),
        unit_tier: Tier::Commune,
    }
}

/// A households CSV with `n` one-member households, all valid.
fn valid_csv(n: usize) -> String {
    let mut csv =
        String::from("household_code,village_code,full_name,sex,birth_date,ethnicity,relation\n");
    for i in 0..n {
        let village = if i % 2 == 0 { "18499001" } else { "18499002" };
        csv.push_str(&format!(
            "DM-{i:03},{village},Nguyễn Văn An {i},Nam,{},Kinh,Chủ hộ\n",
            1950 + i % 50
        ));
    }
    csv
}

async fn counts(app: &App) -> Vec<(String, i64)> {
    app.store().row_counts().await.unwrap()
}

async fn a_gigabyte_cell_is_refused_before_it_is_read(store: Store) {
    let app = one_commune(store).await;
    let before = counts(&app).await;
    let bomb = giamngheo_sheets::testing::xlsx_with_long_cell(1 << 30);
    let started = Instant::now();
    let err = app
        .import_households_file(By::User(&officer()), "ho-gia-dinh.xlsx", bomb)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    let AppError::File(errors) = err else {
        panic!("expected a refused file, got {err:?}");
    };
    assert!(
        errors.to_string().contains("dài quá 32.767 ký tự"),
        "{errors}"
    );
    assert_eq!(counts(&app).await, before, "nothing written");
}
app_test!(a_gigabyte_cell_is_refused_before_it_is_read);

async fn a_third_import_at_once_is_told_to_retry(store: Store) {
    let app = one_commune(store).await;
    // Two imports running: their places are taken as theirs would be.
    let running: Vec<_> = (0..MAX_CONCURRENT_IMPORTS)
        .map(|_| app.import_slot().expect("a free place"))
        .collect();
    let before = counts(&app).await;
    let err = app
        .import_households_file(By::User(&officer()), "ho.csv", valid_csv(3).into_bytes())
        .await
        .unwrap_err();
    let AppError::Busy {
        message,
        retry_after_secs,
    } = err
    else {
        panic!("expected busy, got {err:?}");
    };
    assert!(message.contains("thử lại"), "{message}");
    assert!(retry_after_secs > 0);
    assert_eq!(counts(&app).await, before, "nothing written");

    // One finishes; the same file now goes in.
    drop(running);
    let n = app
        .import_households_file(By::User(&officer()), "ho.csv", valid_csv(3).into_bytes())
        .await
        .unwrap();
    assert_eq!(n, 3);
    // Its place is free again afterwards.
    let _again: Vec<_> = (0..MAX_CONCURRENT_IMPORTS)
        .map(|_| app.import_slot().expect("a free place"))
        .collect();
}
app_test!(a_third_import_at_once_is_told_to_retry);
