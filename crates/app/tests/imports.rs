//! Imports that cannot take the server down, on SQLite and PostgreSQL: a workbook that
//! unpacks to gigabytes is refused before it is read, only a bounded number of imports
//! run at once, and a refused file writes nothing.

use chrono::NaiveDate;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::households::By;
use giamngheo_app::imports::MAX_CONCURRENT_IMPORTS;
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, AppError};
use giamngheo_domain::Tier;
use giamngheo_store::Store;
use std::time::{Duration, Instant};

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

mod common;
use common::one_commune;

fn officer() -> Actor {
    Actor {
        user_id: 1,
        username: "canbo-18499".into(),
        role: Role::CommuneOfficer,
        unit_code: "18499".into(),
        unit_tier: Tier::Commune,
        agency_code: None,
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

/// The ways one row can spoil a file: found by the reader, by the app's checks of the
/// drafts, or by the database's and the access rules.
#[derive(Debug, Clone, Copy)]
enum BadRow {
    /// Refused by the reader.
    Sex,
    /// A date that does not exist, refused by the reader.
    Date,
    /// A village that does not exist, refused by the app.
    UnknownVillage,
    /// A village of another commune, outside the officer's area.
    OtherCommune,
    /// Born next century: refused by the app's checks with today's date.
    Future,
    /// The citizen ID of an earlier row.
    SameCitizenId,
}

const BAD_ROWS: [BadRow; 6] = [
    BadRow::Sex,
    BadRow::Date,
    BadRow::UnknownVillage,
    BadRow::OtherCommune,
    BadRow::Future,
    BadRow::SameCitizenId,
];

/// `valid` good households with the bad one at `at`, with Unix or Windows line ends.
fn spoiled_csv(valid: usize, at: usize, bad: BadRow, crlf: bool) -> String {
    let mut rows = vec![
        "household_code,village_code,full_name,sex,birth_date,ethnicity,relation,citizen_id"
            .to_string(),
    ];
    let row = |i: usize, village: &str, sex: &str, birth: &str, id: String| {
        format!("DM-{i:03},{village},Nguyễn Văn An {i},{sex},{birth},Kinh,Chủ hộ,{id}")
    };
    let id = |i: usize| format!("042070{i:06}");
    for i in 0..valid {
        rows.push(row(i, "18499001", "Nam", "1970", id(i)));
    }
    let i = valid;
    let bad_row = match bad {
        BadRow::Sex => row(i, "18499001", "X", "1970", id(i)),
        BadRow::Date => row(i, "18499001", "Nam", "31/02/1970", id(i)),
        BadRow::UnknownVillage => row(i, "18499099", "Nam", "1970", id(i)),
        BadRow::OtherCommune => row(i, "18502001", "Nam", "1970", id(i)),
        BadRow::Future => row(i, "18499001", "Nam", "2100", String::new()),
        BadRow::SameCitizenId => row(i, "18499002", "Nam", "1970", id(0)),
    };
    rows.insert(1 + at, bad_row);
    let end = if crlf { "\r\n" } else { "\n" };
    rows.join(end) + end
}

/// Runs the property on one backend: whatever the bad row and wherever it is, the file
/// is refused naming its line, and no table has a row more.
fn a_refused_import_writes_nothing(backend: &str) {
    use giamngheo_store::testing::TestDb;
    use proptest::prelude::*;
    use proptest::test_runner::{Config as Cases, TestRunner};
    // Not a tokio test: proptest's runner is synchronous, so each case blocks on the
    // runtime that made the database's connections.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = match backend {
        "sqlite" => runtime.block_on(TestDb::sqlite()),
        "postgres" => match runtime.block_on(TestDb::postgres()) {
            Some(db) => db,
            None => return,
        },
        _ => match runtime.block_on(TestDb::citus()) {
            Some(db) => db,
            None => return,
        },
    };
    // Another commune, so that a row there is outside the officer's area but exists.
    let app = runtime.block_on(async {
        let app = one_commune(db.store.clone()).await;
        let options = UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        };
        let units = "code,name,kind,level,parent_code\n18502,Xã Hà Linh,Xã,3,444\n";
        app.import_units(units.as_bytes(), &options).await.unwrap();
        app.import_villages_as_system(
            "commune_code,name,kind\n18502,Thôn Bắc Hà,Thôn\n".as_bytes(),
        )
        .await
        .unwrap();
        app
    });
    let before = runtime.block_on(counts(&app));
    let strategy = (
        1usize..40,
        any::<prop::sample::Index>(),
        0..BAD_ROWS.len(),
        any::<bool>(),
    );
    let cases = Cases {
        failure_persistence: None,
        ..Cases::with_cases(24)
    };
    TestRunner::new(cases)
        .run(&strategy, |(valid, at, bad, crlf)| {
            let at = at.index(valid + 1);
            let bad = BAD_ROWS[bad];
            let file = spoiled_csv(valid, at, bad, crlf);
            let err = runtime
                .block_on(app.import_households_file(
                    By::User(&officer()),
                    "ho.csv",
                    file.into_bytes(),
                ))
                .unwrap_err();
            let AppError::File(errors) = err else {
                panic!("expected a refused file for {bad:?}, got {err:?}");
            };
            // The header is line 1 and the bad row the file's (2 + at)th line. A citizen
            // ID given twice is named on the later line, pointing back to the earlier.
            let line = 2 + at as u64;
            let earlier = format!("dòng {line}");
            prop_assert!(
                errors
                    .errors
                    .iter()
                    .any(|e| e.line == line || e.reason.ends_with(&earlier)),
                "{bad:?} at line {line}: {errors}"
            );
            prop_assert_eq!(&runtime.block_on(counts(&app)), &before);
            Ok(())
        })
        .unwrap();
    runtime.block_on(db.finish());
}

#[test]
fn a_refused_import_writes_nothing_on_sqlite() {
    a_refused_import_writes_nothing("sqlite");
}

#[test]
fn a_refused_import_writes_nothing_on_postgres() {
    a_refused_import_writes_nothing("postgres");
}

#[test]
fn a_refused_import_writes_nothing_on_citus() {
    a_refused_import_writes_nothing("citus");
}
