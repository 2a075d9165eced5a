//! The `office` role in a province without districts, on SQLite and PostgreSQL: the old
//! name `labour_office` still works (parsed, and a stored row loads as `office`); an
//! office is scoped to a province's or a commune's department; the agencies' names are
//! settings rows an administrator changes; and a review opened for a commune directly
//! under its province names no district, even in a deployment started with four levels.

use chrono::NaiveDate;
use giamngheo_app::access::{Action, Role};
use giamngheo_app::agencies::AgencyScope;
use giamngheo_app::auth::{NewUserInput, SessionKind};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::Store;
use std::sync::Arc;

use giamngheo_store::store_test as app_test;

const PASSWORD: &str = "mật khẩu đủ dài";

/// Hà Tĩnh (42) with Xã Hương Khê (18496) directly under it since July 2025, and the old
/// Huyện Hương Khê (444) with Xã Điền Mỹ (18499) kept as four-level history.
async fn setup(store: Store) -> App {
    let now = NaiveDate::from_ymd_opt(2026, 11, 20)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(
        store,
        Config {
            // A deployment started on the four-level list that now also holds today's
            // communes under their province.
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    );
    app.import_units(
        "code,name,kind,level,parent_code\n\
         42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
         444,Huyện Hương Khê,Huyện,2,42\n\
         18499,Xã Điền Mỹ,Xã,3,444\n"
            .as_bytes(),
        &giamngheo_app::units::UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    // Today's commune, imported from the post-reform list (province → commune).
    let three_levels = App::new(
        app.store().clone(),
        Config {
            hierarchy: Hierarchy::three_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    );
    three_levels
        .import_units(
            "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n18496,Xã Hương Khê,Xã,2,42\n"
                .as_bytes(),
            &giamngheo_app::units::UnitImportOptions {
                valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
                retire_missing: false,
                hierarchy: None,
            },
        )
        .await
        .unwrap();
    app.import_villages_as_system(
        "commune_code,name,kind\n18496,Thôn Hà Trai,Thôn\n18499,Thôn Trung Hòa,Thôn\n".as_bytes(),
    )
    .await
    .unwrap();
    app
}

async fn user(app: &App, username: &str, role: Role, unit: &str) -> giamngheo_app::access::Actor {
    app.add_user_as_system(NewUserInput {
        username: username.into(),
        password: PASSWORD.into(),
        role,
        unit_code: unit.into(),
    })
    .await
    .unwrap();
    app.login(username, PASSWORD, "127.0.0.1", SessionKind::Api)
        .await
        .unwrap()
        .actor
}

#[test]
fn the_old_role_name_is_an_alias() {
    assert_eq!("labour_office".parse::<Role>().unwrap(), Role::Office);
    assert_eq!("office".parse::<Role>().unwrap(), Role::Office);
    assert_eq!(Role::Office.as_str(), "office");
    let from_json: Role = serde_json::from_str("\"labour_office\"").unwrap();
    assert_eq!(from_json, Role::Office);
    assert_eq!(serde_json::to_string(&Role::Office).unwrap(), "\"office\"");
    assert!(Role::Office.allowed_tiers().contains(&Tier::Commune));
    assert!(Role::Office.allowed_tiers().contains(&Tier::Province));
}

async fn offices_of_a_province_and_a_commune_work_without_a_district(store: Store) {
    let app = setup(store).await;
    let commune_office = user(&app, "phongkt.huongkhe", Role::Office, "18496").await;
    let province_office = user(&app, "so.nnmt", Role::Office, "42").await;
    assert_eq!(commune_office.role, Role::Office);

    // The commune's department writes its commune's households; the province's reads them.
    let id = app
        .create_household(
            &commune_office,
            HouseholdDraft {
                code: "HK-001".into(),
                village_code: "18496001".into(),
                address: "Xóm Trai".into(),
                members: vec![MemberDraft {
                    full_name: "Phan Văn Lộc".into(),
                    sex: Some(Sex::Male),
                    birth_year: Some(1970),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    app.household(&province_office, id).await.unwrap();
    // A commune's office does not reach another commune.
    assert!(
        app.authorize(&commune_office, Action::ReadPersonal, "18499")
            .await
            .is_err()
    );

    // The agencies' names are data: seeded for each tier, changed by an administrator for
    // one commune, and shown for the office's session.
    assert_eq!(
        app.agency_name("42").await.unwrap().as_deref(),
        Some("Sở Nông nghiệp và Môi trường")
    );
    assert_eq!(
        app.agency_name("18496").await.unwrap().as_deref(),
        Some("Phòng Kinh tế")
    );
    assert_eq!(
        app.agency_name("444").await.unwrap().as_deref(),
        Some("Phòng Lao động – Thương binh và Xã hội")
    );
    app.set_agency_name(
        &AgencyScope::Unit("18496".into()),
        // Decomposed, as some keyboards send it: stored in NFC.
        "  Phòng Văn ho\u{301}a – Xa\u{303} hội ",
    )
    .await
    .unwrap();
    assert_eq!(
        app.agency_name("18496").await.unwrap().as_deref(),
        Some("Phòng Văn hóa – Xã hội")
    );
    assert_eq!(
        app.agency_name("18499").await.unwrap().as_deref(),
        Some("Phòng Kinh tế"),
        "another commune keeps its tier's name"
    );
    let login = app
        .login("phongkt.huongkhe", PASSWORD, "127.0.0.1", SessionKind::Web)
        .await
        .unwrap();
    let session = app.session_for_token(&login.token).await.unwrap().unwrap();
    assert_eq!(
        session.agency_name.as_deref(),
        Some("Phòng Văn hóa – Xã hội")
    );
    for (scope, name, field) in [
        (AgencyScope::Tier(Tier::Commune), "  ", "name"),
        (AgencyScope::Tier(Tier::Village), "Ban", "tier"),
    ] {
        assert!(
            matches!(app.set_agency_name(&scope, name).await, Err(AppError::Invalid { field: f, .. }) if f == field),
            "{scope:?}"
        );
    }
    assert!(matches!(
        app.set_agency_name(&AgencyScope::Unit("99999".into()), "Phòng Kinh tế")
            .await,
        Err(AppError::NotFound(_))
    ));

    // A user stored under the old name (an older binary, a restored backup) still signs
    // in, as an office.
    app.store()
        .execute_admin("UPDATE users SET role = 'labour_office' WHERE username = 'so.nnmt'")
        .await
        .unwrap();
    let old = app
        .login("so.nnmt", PASSWORD, "127.0.0.2", SessionKind::Api)
        .await
        .unwrap();
    assert_eq!(old.actor.role, Role::Office);

    // The review of a commune directly under its province names no district, though the
    // deployment was started with four levels; one under a district names it.
    let officer = user(&app, "canbo.huongkhe", Role::CommuneOfficer, "18496").await;
    let review = app
        .open_periodic_review(&officer, "18496", 2027, "vn-2027")
        .await
        .unwrap();
    assert_eq!(
        app.review(&officer, review)
            .await
            .unwrap()
            .review
            .district_code,
        None
    );
    let old_officer = user(&app, "canbo.dienmy", Role::CommuneOfficer, "18499").await;
    let review = app
        .open_periodic_review(&old_officer, "18499", 2027, "vn-2027")
        .await
        .unwrap();
    assert_eq!(
        app.review(&old_officer, review)
            .await
            .unwrap()
            .review
            .district_code
            .as_deref(),
        Some("444")
    );
}
app_test!(offices_of_a_province_and_a_commune_work_without_a_district);
