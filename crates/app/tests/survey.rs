//! The field survey offline (issue 18) through the app layer, on SQLite, PostgreSQL and
//! Citus: the reviews a survey tool lists, and who may list them.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::{App, AppError, Clock, Config};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::Store;
use std::sync::{Arc, Mutex};

use giamngheo_store::store_test as app_test;

/// Xã Điền Mỹ (18499) and Xã Hà Linh (18502) of Huyện Hương Khê (444), Tỉnh Hà Tĩnh (42).
const DIEN_MY: &str = "18499";
const HA_LINH: &str = "18502";
const TRUNG_HOA: &str = "18499001";
const HA_LAM: &str = "18499002";

struct MovableClock(Mutex<DateTime<Utc>>);

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

async fn setup(store: Store, today: &str) -> App {
    let clock = Arc::new(MovableClock(Mutex::new(
        day(today).and_hms_opt(2, 0, 0).unwrap().and_utc(),
    )));
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        clock,
    );
    let units = "code,name,kind,level,parent_code\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 444,Huyện Hương Khê,Huyện,2,42\n\
                 18499,Xã Điền Mỹ,Xã,3,444\n\
                 18502,Xã Hà Linh,Xã,3,444\n";
    app.import_units(
        units.as_bytes(),
        &giamngheo_app::units::UnitImportOptions {
            valid_from: day("2020-01-01"),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    let villages = "commune_code,name,kind\n\
                    18499,Thôn Trung Hòa,Thôn\n\
                    18499,Thôn Hạ Lâm,Thôn\n\
                    18502,Thôn Bắc Hà,Thôn\n";
    app.import_villages_as_system(villages.as_bytes())
        .await
        .unwrap();
    app
}

fn actor(role: Role, unit: &str, tier: Tier) -> Actor {
    Actor {
        user_id: 1,
        username: format!("{}-{unit}", role.as_str()),
        role,
        unit_code: unit.to_string(),
        unit_tier: tier,
        agency_code: None,
    }
}

fn officer(commune: &str) -> Actor {
    actor(Role::CommuneOfficer, commune, Tier::Commune)
}

fn district_office() -> Actor {
    actor(Role::Office, "444", Tier::District)
}

/// A household of one: its head, born in `born`.
async fn family(app: &App, me: &Actor, code: &str, village: &str, head: &str, born: i32) -> i64 {
    app.create_household(
        me,
        HouseholdDraft {
            code: code.into(),
            village_code: village.into(),
            address: "Xóm 1".into(),
            water_source: Some("drilled_well".into()),
            members: vec![MemberDraft {
                full_name: head.into(),
                sex: Some(Sex::Male),
                birth_year: Some(born),
                ethnicity: "01".into(),
                relation: "head".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn two_reviews(app: &App) -> (i64, i64) {
    let dien_my = app
        .open_periodic_review(&officer(DIEN_MY), DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let ha_linh = app
        .open_periodic_review(&officer(HA_LINH), HA_LINH, 2022, "vn-2022")
        .await
        .unwrap();
    (dien_my, ha_linh)
}

async fn reviews_are_listed_below_a_unit_within_the_actors_area(store: Store) {
    let app = setup(store, "2021-09-06").await;
    let _ = family(
        &app,
        &officer(DIEN_MY),
        "HK-1",
        TRUNG_HOA,
        "Lê Văn Bình",
        1970,
    )
    .await;
    let _ = family(&app, &officer(DIEN_MY), "HK-2", HA_LAM, "Hồ Văn Đức", 1980).await;
    let (dien_my, ha_linh) = two_reviews(&app).await;

    // The district office sees both communes' reviews, by district or by province it
    // may not reach.
    let all = app
        .reviews_below(&district_office(), Some("444"), Some(2022))
        .await
        .unwrap();
    let ids: Vec<(i64, &str, i32, &str, &str)> = all
        .iter()
        .map(|r| {
            (
                r.id,
                r.commune_code.as_str(),
                r.period,
                r.kind.as_str(),
                r.step.as_str(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        vec![
            (dien_my, DIEN_MY, 2022, "periodic", "listing"),
            (ha_linh, HA_LINH, 2022, "periodic", "listing"),
        ]
    );
    // Another period has none; no period means every period.
    assert!(
        app.reviews_below(&district_office(), Some("444"), Some(2023))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.reviews_below(&district_office(), None, None)
            .await
            .unwrap()
            .len(),
        2
    );
    // A commune officer sees their commune's review only, and the district is outside
    // their area: not found, as every read outside one's area.
    let own = app
        .reviews_below(&officer(DIEN_MY), None, None)
        .await
        .unwrap();
    assert_eq!(own.iter().map(|r| r.id).collect::<Vec<_>>(), vec![dien_my]);
    assert!(matches!(
        app.reviews_below(&officer(DIEN_MY), Some("444"), None)
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.reviews_below(&officer(DIEN_MY), Some(HA_LINH), None)
            .await,
        Err(AppError::NotFound(_))
    ));
    // A village has no reviews below it: a clear refusal.
    assert!(matches!(
        app.reviews_below(&officer(DIEN_MY), Some(TRUNG_HOA), None)
            .await,
        Err(AppError::Invalid { .. })
    ));
}
app_test!(reviews_are_listed_below_a_unit_within_the_actors_area);
