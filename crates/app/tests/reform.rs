//! The reform of administrative units (`units reform`, `units assign-villages`) applied to
//! a database that already holds data, on SQLite and PostgreSQL.

use chrono::NaiveDate;
use giamngheo_app::reform::ReformOptions;
use giamngheo_app::units::{
    CURRENT_UNITS_CSV, OFFICIAL_UNITS_CSV, UnitImportOptions, reform_2025_date,
    reform_2025_mapping, shipped_history_start,
};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::Hierarchy;
use giamngheo_store::{HouseholdFilter, Store};
use std::collections::BTreeMap;
use std::sync::Arc;

use giamngheo_store::store_test as app_test;

/// The demo's households in the old communes of Hương Khê and their two years of
/// classifications (2021, 2022), on a database that holds the March 2025 units only (as
/// one made before the reform), plus a village in Phường Đại Nài (18082), which the
/// reform split between two wards.
async fn before_the_reform(store: Store) -> App {
    let now = NaiveDate::from_ymd_opt(2022, 10, 1)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    app.import_units(
        OFFICIAL_UNITS_CSV.as_bytes(),
        &UnitImportOptions {
            valid_from: shipped_history_start(),
            retire_missing: false,
            hierarchy: Some(Hierarchy::four_levels()),
        },
    )
    .await
    .unwrap();
    let demo = app.load_demo(2021, 300).await.unwrap();
    assert_eq!(demo.periods, vec![2021, 2022]);
    // Villages made in 2026 under the old communes, as in a database that applies the
    // reform late: one under a code the reform reused (18496), one under a code it ended.
    app.import_villages_as_system_on(
        "commune_code,name,kind\n18496,Tổ dân phố Muộn,Tổ dân phố\n18499,Thôn Muộn,Thôn\n"
            .as_bytes(),
        NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
    )
    .await
    .unwrap();
    app.import_villages_as_system(
        "commune_code,name,kind\n18082,Tổ dân phố 9,Tổ dân phố\n".as_bytes(),
    )
    .await
    .unwrap();
    app
}

fn options(dry_run: bool) -> ReformOptions {
    ReformOptions {
        effective: reform_2025_date(),
        list_name: "vn-2025-07".into(),
        dry_run,
    }
}

async fn reform(
    app: &App,
    mapping: &str,
    dry_run: bool,
) -> Result<giamngheo_store::ReformOutcome, AppError> {
    app.apply_reform(
        CURRENT_UNITS_CSV.as_bytes(),
        mapping.as_bytes(),
        &options(dry_run),
    )
    .await
}

async fn households_in(app: &App, column: &'static str, code: &str) -> i64 {
    let filter = HouseholdFilter {
        scope_column: column,
        scope_code: code.to_string(),
        text: None,
        citizen_id: None,
        include_inactive: true,
        villages: Vec::new(),
    };
    app.store().list_households(&filter, 1, 0).await.unwrap().1
}

/// The audit entries of reform runs, newest first, as `(username, changes)`.
async fn reform_audits(app: &App) -> Vec<(String, serde_json::Value)> {
    let (entries, _) = app.store().audit_log(100_000, 0).await.unwrap();
    entries
        .into_iter()
        .filter(|e| e.entry.action == "units.reform")
        .map(|e| {
            (
                e.entry.username.clone(),
                serde_json::from_str(&e.entry.changes).unwrap(),
            )
        })
        .collect()
}

/// Everything a reform could change, to compare a database before and after.
async fn state(app: &App) -> (i64, BTreeMap<String, i64>, Vec<(String, String)>, usize) {
    let mut by_commune = BTreeMap::new();
    for c in app.store().children(Some("444"), true).await.unwrap() {
        by_commune.insert(
            c.code.clone(),
            households_in(app, "commune_code", &c.code).await,
        );
    }
    for new in [
        "18496", "18502", "18523", "18532", "18544", "18547", "18550",
    ] {
        by_commune.insert(
            format!("new {new}"),
            households_in(app, "commune_code", new).await,
        );
    }
    let users = app
        .store()
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.username, u.unit_code))
        .collect();
    let classifications = app
        .store()
        .classifications_in_commune("18499", 2030)
        .await
        .unwrap()
        .len();
    (
        app.store().unit_count().await.unwrap(),
        by_commune,
        users,
        classifications,
    )
}

async fn the_reform_moves_households_with_their_villages_once(store: Store) {
    let app = before_the_reform(store).await;
    let old_communes: Vec<String> = app
        .store()
        .children(Some("444"), false)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(old_communes.len(), 20);
    let mut before = BTreeMap::new();
    for c in &old_communes {
        before.insert(c.clone(), households_in(&app, "commune_code", c).await);
    }
    assert_eq!(before.values().sum::<i64>(), 300);
    let classifications = app
        .store()
        .classifications_in_commune("18499", 2030)
        .await
        .unwrap();
    assert!(!classifications.is_empty());
    let start = state(&app).await;

    // A dry run counts and changes nothing.
    let dry = reform(&app, &reform_2025_mapping(), true).await.unwrap();
    assert_eq!(dry.households_moved, 300);
    assert_eq!(state(&app).await, start);
    let audits_before = reform_audits(&app).await.len();

    let done = reform(&app, &reform_2025_mapping(), false).await.unwrap();
    assert_eq!(done, dry, "the dry run said what the run did");
    assert_eq!(done.households_moved, 300);
    assert!(
        done.units_opened >= 3321 && done.units_closed > 10_000,
        "{done:?}"
    );
    // The run is in the audit log: who ran it, the list and its day, what it did.
    let audits = reform_audits(&app).await;
    assert_eq!(audits.len(), audits_before + 1);
    let (who, changes) = &audits[0];
    assert_eq!(who, "hệ thống");
    let field = |name: &str| {
        changes
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == name)
            .unwrap_or_else(|| panic!("{name} in {changes}"))["new"]
            .clone()
    };
    assert_eq!(field("list"), "vn-2025-07");
    assert_eq!(field("effective"), "01/07/2025");
    assert_eq!(field("households_moved"), 300);
    assert_eq!(field("units_opened"), done.units_opened);
    assert_eq!(field("units_closed"), done.units_closed);
    assert_eq!(field("villages_moved"), done.villages_moved);
    assert_eq!(
        field("villages_waiting").as_array().unwrap().len(),
        done.villages_waiting.len()
    );
    let users = field("users_moved");
    assert_eq!(users.as_array().unwrap().len(), done.users_moved.len());
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u.as_str().unwrap().starts_with("demo.commune_officer: ")),
        "{users}"
    );

    // Each new commune holds the households of the old communes that went into it
    // (README §8: the 20 communes of Hương Khê form 7 new ones, all whole).
    let mapping =
        giamngheo_sheets::reform::read_unit_mapping(reform_2025_mapping().as_bytes()).unwrap();
    let mut per_new: BTreeMap<String, i64> = BTreeMap::new();
    for m in mapping
        .iter()
        .filter(|m| before.contains_key(m.old_code.as_str()))
    {
        assert!(m.whole);
        *per_new.entry(m.new_code.as_str().to_string()).or_default() += before[m.old_code.as_str()];
    }
    assert_eq!(per_new.len(), 7);
    for (new, count) in &per_new {
        assert_eq!(
            households_in(&app, "commune_code", new).await,
            *count,
            "{new}"
        );
    }
    assert_eq!(households_in(&app, "district_code", "444").await, 0);
    // The villages made late moved too, keeping their first day.
    for (name, commune) in [("Tổ dân phố Muộn", "18496"), ("Thôn Muộn", "18502")] {
        let hits = app
            .store()
            .search_units(&giamngheo_domain::text::fold(name), 5)
            .await
            .unwrap();
        let v = app.unit(&hits[0].code).await.unwrap();
        assert_eq!(v.parent_code.as_deref(), Some(commune), "{name}");
        assert_eq!(v.level, 3, "{name}");
        assert_eq!(v.valid_from, NaiveDate::from_ymd_opt(2026, 1, 10).unwrap());
        assert_eq!(app.store().unit_versions(&v.code).await.unwrap().len(), 1);
    }
    assert_eq!(households_in(&app, "province_code", "42").await, 300);
    // Classifications keep the unit they were made in.
    let after = app
        .store()
        .classifications_in_commune("18499", 2030)
        .await
        .unwrap();
    assert_eq!(after.len(), classifications.len());

    // The commune officer follows their commune; district users wait for an
    // administrator (the district went into seven communes).
    let officer = done
        .users_moved
        .iter()
        .find(|u| u.username == "demo.commune_officer")
        .unwrap();
    assert!(officer.to.is_some());
    let office = done
        .users_moved
        .iter()
        .find(|u| u.username == "demo.office")
        .unwrap();
    assert_eq!(office.from, "444");
    assert_eq!(office.to, None);

    // The split ward's village waits, where it was.
    let waiting: Vec<_> = done
        .villages_waiting
        .iter()
        .filter(|v| v.old_commune_code == "18082")
        .collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        waiting[0].candidates,
        vec!["18073".to_string(), "18652".to_string()]
    );
    let village = app.unit(&waiting[0].code).await.unwrap();
    assert!(village.awaiting_assignment);
    assert_eq!(village.parent_code.as_deref(), Some("18082"));

    // Running it again changes nothing.
    let settled = state(&app).await;
    let again = reform(&app, &reform_2025_mapping(), false).await.unwrap();
    assert_eq!(
        (
            again.units_opened,
            again.units_closed,
            again.villages_moved,
            again.households_moved
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(again.successions_recorded, 0);
    assert!(again.users_moved.is_empty());
    assert_eq!(state(&app).await, settled);
    assert_eq!(
        reform_audits(&app).await.len(),
        audits.len(),
        "no entry for nothing"
    );

    // An administrator assigns the waiting village; a commune that took no part of the
    // old ward is refused.
    let csv = format!("village_code,commune_code\n{},18496\n", waiting[0].code);
    let err = app.assign_villages(csv.as_bytes()).await.unwrap_err();
    assert!(matches!(err, AppError::File(_)), "{err:?}");
    let csv = format!("village_code,commune_code\n{},18652\n", waiting[0].code);
    let moved = app.assign_villages(csv.as_bytes()).await.unwrap();
    assert_eq!(moved.villages_moved, 1);
    let village = app.unit(&waiting[0].code).await.unwrap();
    assert_eq!(village.parent_code.as_deref(), Some("18652"));
    assert!(!village.awaiting_assignment);
}
app_test!(the_reform_moves_households_with_their_villages_once);

async fn a_bad_mapping_row_leaves_the_database_as_it_was(store: Store) {
    let app = before_the_reform(store).await;
    let start = state(&app).await;
    let mut mapping = reform_2025_mapping();
    mapping.push_str("99999,Xã Không Có,444,42,18496,Xã Hương Khê,42,1\n");
    let lines = mapping.lines().count() as u64;
    let err = reform(&app, &mapping, false).await.unwrap_err();
    let AppError::File(errors) = err else {
        panic!("expected a refused file, got {err:?}");
    };
    assert_eq!(errors.errors.len(), 1);
    assert_eq!(errors.errors[0].line, lines);
    assert_eq!(errors.errors[0].column, "old_code");
    assert_eq!(state(&app).await, start);
}
app_test!(a_bad_mapping_row_leaves_the_database_as_it_was);
