//! Managing users, on SQLite and PostgreSQL: an administrator or an office manages the
//! users of its own area only, an office cannot give (or manage) a role above the ones
//! below its own, nobody manages their own account here, and every change is audited
//! without the password.

use chrono::NaiveDate;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::auth::{NewUserInput, SessionKind};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::Hierarchy;
use giamngheo_store::Store;
use std::sync::Arc;

use giamngheo_store::store_test as app_test;

const PASSWORD: &str = "mật khẩu đủ dài";

/// Hà Tĩnh (42) with two communes and a village in each, and Nghệ An (40) with one.
async fn setup(store: Store) -> App {
    let now = NaiveDate::from_ymd_opt(2026, 11, 20)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::three_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    );
    app.import_units(
        "code,name,kind,level,parent_code\n\
         42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
         18496,Xã Hương Khê,Xã,2,42\n\
         18499,Xã Điền Mỹ,Xã,2,42\n\
         40,Tỉnh Nghệ An,Tỉnh,1,\n\
         16681,Xã Quỳnh Lưu,Xã,2,40\n"
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
        "commune_code,name,kind\n18496,Thôn Hà Trai,Thôn\n18499,Thôn Trung Hòa,Thôn\n16681,Thôn Một,Thôn\n"
            .as_bytes(),
    )
    .await
    .unwrap();
    app
}

async fn user(app: &App, username: &str, role: Role, unit: &str) -> Actor {
    app.add_user_as_system(input(username, role, unit))
        .await
        .unwrap();
    signs_in(app, username, PASSWORD).await.unwrap()
}

fn input(username: &str, role: Role, unit: &str) -> NewUserInput {
    NewUserInput {
        username: username.into(),
        password: PASSWORD.into(),
        role,
        unit_code: unit.into(),
    }
}

async fn signs_in(app: &App, username: &str, password: &str) -> Result<Actor, AppError> {
    app.login(username, password, "127.0.0.1", SessionKind::Api)
        .await
        .map(|s| s.actor)
}

/// The user-management entries of the audit log, oldest first, as (action, entity id,
/// changes).
async fn user_audit(app: &App) -> Vec<(String, String, String)> {
    let (rows, _) = app.store().audit_log(1000, 0).await.unwrap();
    let mut out: Vec<_> = rows
        .into_iter()
        .filter(|r| r.entry.entity == "user")
        .map(|r| (r.entry.action, r.entry.entity_id, r.entry.changes))
        .collect();
    out.reverse();
    out
}

async fn an_office_manages_its_commune_below_its_own_role(store: Store) {
    let app = setup(store).await;
    let office = user(&app, "phongkt.huongkhe", Role::Office, "18496").await;
    let other_office = user(&app, "phongkt.dienmy", Role::Office, "18499").await;
    let admin = user(&app, "quantri.hatinh", Role::Admin, "42").await;

    // Within its commune, a role below its own: allowed.
    let head = app
        .add_user(
            &office,
            input("truongthon.hatrai", Role::VillageHead, "18496001"),
        )
        .await
        .unwrap();
    assert_eq!(head.unit_code, "18496001");
    signs_in(&app, "truongthon.hatrai", PASSWORD).await.unwrap();

    // Another commune is outside its area, as if it did not exist.
    let err = app
        .add_user(
            &office,
            input("truongthon.trunghoa", Role::VillageHead, "18499001"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");

    // The role ceiling: neither an office nor an administrator, even in its own commune.
    for role in [Role::Office, Role::Admin] {
        let err = app
            .add_user(&office, input("phongvh.huongkhe", role, "18496"))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "{role}: {err:?}");
    }
    assert_eq!(
        app.grantable_roles(&office),
        vec![
            Role::AgencyOfficer,
            Role::CommuneOfficer,
            Role::VillageHead,
            Role::Oversight,
            Role::ProvinceViewer
        ]
    );

    // The list shows what it may manage: not itself, not another commune's office, not
    // the province's administrator.
    let listed: Vec<String> = app
        .users(&office)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(listed, vec!["truongthon.hatrai"]);

    // It cannot reset, disable or move a user above its ceiling or outside its area.
    let err = app
        .reset_user_password(&office, admin.user_id)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    let err = app
        .set_user_active(&office, other_office.user_id, false)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    let err = app
        .change_user_unit(&office, head.id, "18499001")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    // An office of the same commune is in its area but above its ceiling.
    let peer = user(&app, "phongvh.huongkhe", Role::Office, "18496").await;
    let err = app
        .set_user_active(&office, peer.user_id, false)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    signs_in(&app, "phongvh.huongkhe", PASSWORD).await.unwrap();

    // The province's administrator may give any role in its province, another
    // administrator included, and not in another province.
    app.add_user(&admin, input("quantri.huongkhe", Role::Admin, "18496"))
        .await
        .unwrap();
    let err = app
        .add_user(&admin, input("quantri.nghean", Role::Admin, "40"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    // A village head manages nobody.
    let head_actor = signs_in(&app, "truongthon.hatrai", PASSWORD).await.unwrap();
    let err = app.users(&head_actor).await.unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");

    let audit = user_audit(&app).await;
    let actions: Vec<&str> = audit.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(actions, vec!["user.create", "user.create"]);
    assert_eq!(audit[0].1, head.id.to_string());
}
app_test!(an_office_manages_its_commune_below_its_own_role);

async fn reset_disable_and_move_are_audited(store: Store) {
    let app = setup(store).await;
    let admin = user(&app, "quantri.hatinh", Role::Admin, "42").await;
    let officer = app
        .add_user(
            &admin,
            input("canbo.huongkhe", Role::CommuneOfficer, "18496"),
        )
        .await
        .unwrap();
    let session = app
        .login("canbo.huongkhe", PASSWORD, "127.0.0.1", SessionKind::Web)
        .await
        .unwrap();

    // A reset: the new password signs in, the old one does not, the old session ends.
    let reset = app.reset_user_password(&admin, officer.id).await.unwrap();
    assert_eq!(reset.password.chars().count(), 19);
    assert!(giamngheo_app::passwords::check("canbo.huongkhe", &reset.password).is_ok());
    assert!(signs_in(&app, "canbo.huongkhe", PASSWORD).await.is_err());
    assert!(app.actor_for_token(&session.token).await.unwrap().is_none());
    signs_in(&app, "canbo.huongkhe", &reset.password)
        .await
        .unwrap();

    // Disabled, the user cannot sign in; enabled again, it can. Disabling twice writes
    // one entry.
    let off = app
        .set_user_active(&admin, officer.id, false)
        .await
        .unwrap();
    assert!(!off.active);
    app.set_user_active(&admin, officer.id, false)
        .await
        .unwrap();
    assert!(
        signs_in(&app, "canbo.huongkhe", &reset.password)
            .await
            .is_err()
    );
    app.set_user_active(&admin, officer.id, true).await.unwrap();
    signs_in(&app, "canbo.huongkhe", &reset.password)
        .await
        .unwrap();

    // Moved to another commune of the province; not to a village (a commune officer's
    // role does not fit it) and not to another province.
    let moved = app
        .change_user_unit(&admin, officer.id, "18499")
        .await
        .unwrap();
    assert_eq!(moved.unit_code, "18499");
    let err = app
        .change_user_unit(&admin, officer.id, "18499001")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid { .. }), "{err:?}");
    let err = app
        .change_user_unit(&admin, officer.id, "16681")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    let actor = signs_in(&app, "canbo.huongkhe", &reset.password)
        .await
        .unwrap();
    assert_eq!(actor.unit_code, "18499");

    // Nobody manages their own account here.
    let err = app
        .set_user_active(&admin, admin.user_id, false)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");

    let audit = user_audit(&app).await;
    let actions: Vec<&str> = audit.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "user.create",
            "user.password_reset",
            "user.disable",
            "user.enable",
            "user.unit"
        ]
    );
    assert!(audit.iter().all(|(_, id, _)| *id == officer.id.to_string()));
    assert!(
        audit.iter().all(|(_, _, c)| !c.contains(&reset.password)),
        "no password in the audit log"
    );
    assert!(audit[4].2.contains("18496") && audit[4].2.contains("18499"));
}
app_test!(reset_disable_and_move_are_audited);
