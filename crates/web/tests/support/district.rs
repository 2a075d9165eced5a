//! A district's site for the web tests of its plan: the province 42, the district 444
//! (Huyện Hương Khê) and one commune, the seed plan's tasks of 2021, the district's
//! labour office (office), health office (agency officer) and Fatherland Front
//! (oversight) as users, and a programme plan of 1.500.000 đồng for 2021, so that the
//! tasks, the committee's page and the periodic report have something to show.

use axum::Router;
use chrono::NaiveDate;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::programme::ledger::PlanInput;
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::Store;
use std::sync::Arc;

/// The site on `today`, its users signing in with `password`.
pub async fn district_444_site(store: Store, today: NaiveDate, password: &str) -> Router {
    let now = today.and_hms_opt(2, 0, 0).unwrap().and_utc();
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    );
    app.import_units(
        "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
         444,Huyện Hương Khê,Huyện,2,42\n18499,Xã Điền Mỹ,Xã,3,444\n"
            .as_bytes(),
        &UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.load_seed_plan_tasks().await.unwrap();
    let mut office_id = 0;
    for (username, role, agency) in [
        ("ldtbxh.huongkhe", Role::Office, Some("444-ldtbxh")),
        ("yte.huongkhe", Role::AgencyOfficer, Some("444-yte")),
        ("mttq.huongkhe", Role::Oversight, Some("444-mttq")),
    ] {
        let user = app
            .add_user_as_system(NewUserInput {
                username: username.into(),
                password: password.into(),
                role,
                unit_code: "444".into(),
            })
            .await
            .unwrap();
        app.store().set_user_agency(user.id, agency).await.unwrap();
        if role == Role::Office {
            office_id = user.id;
        }
    }
    let admin = Actor {
        user_id: office_id,
        username: "ldtbxh.huongkhe".into(),
        role: Role::Admin,
        unit_code: "444".into(),
        unit_tier: Tier::District,
        agency_code: None,
    };
    app.record_plan(
        &admin,
        &PlanInput {
            unit: "444".into(),
            year: 2021,
            project: "p3".into(),
            source: "central".into(),
            amount: 1_500_000,
            date: NaiveDate::from_ymd_opt(2021, 1, 15).unwrap(),
            document_number: None,
        },
    )
    .await
    .unwrap();
    giamngheo_web::router(app)
}
