//! Who may do what, where: users, sign-in, sessions and the units use cases through the
//! app layer, on SQLite and PostgreSQL.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::auth::{MAX_FAILURES, NewUserInput, SessionKind, token_hash};
use giamngheo_app::units::{UnitImportOptions, VillageInput};
use giamngheo_app::{App, AppError, Clock, Config};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{Store, UnitUpdate};
use std::sync::{Arc, Mutex};

/// A clock the test moves forward by hand.
#[derive(Clone)]
struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    fn new() -> TestClock {
        let start = DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        TestClock(Arc::new(Mutex::new(start)))
    }

    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// A province with two districts; Hương Khê has two communes, Điền Mỹ has a village.
const UNITS: &str = "code,name,kind,level,parent_code\n\
                     42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                     444,Huyện Hương Khê,Huyện,2,42\n\
                     445,Huyện Hương Sơn,Huyện,2,42\n\
                     18499,Xã Điền Mỹ,Xã,3,444\n\
                     18496,Thị trấn Hương Khê,Thị trấn,3,444\n\
                     18520,Xã Sơn Hồng,Xã,3,445\n";

const PASSWORD: &str = "mật khẩu đủ dài";

async fn setup(store: Store) -> (App, TestClock) {
    let clock = TestClock::new();
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        Arc::new(clock.clone()),
    );
    app.import_units(
        UNITS.as_bytes(),
        &UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system("commune_code,name,kind\n18499,Thôn Một,Thôn\n".as_bytes())
        .await
        .unwrap();
    (app, clock)
}

/// An actor as a session would produce it; access depends only on role and unit.
fn actor(role: Role, unit_code: &str) -> Actor {
    let unit_tier = match unit_code.len() {
        2 => Tier::Province,
        3 => Tier::District,
        5 => Tier::Commune,
        _ => Tier::Village,
    };
    Actor {
        user_id: 1,
        username: format!("{}.{unit_code}", role.as_str()),
        role,
        unit_code: unit_code.into(),
        unit_tier,
        agency_code: None,
    }
}

fn village(commune: &str, name: &str) -> VillageInput {
    VillageInput {
        line: None,
        commune_code: commune.into(),
        code: None,
        name: name.into(),
        kind: "Thôn".into(),
        area: None,
    }
}

fn flags() -> UnitUpdate {
    UnitUpdate {
        area: None,
        extremely_difficult: true,
        border: false,
        programme_30a: false,
        programme_135: true,
    }
}

async fn user(app: &App, username: &str, role: Role, unit: &str) {
    app.add_user_as_system(NewUserInput {
        username: username.into(),
        password: PASSWORD.into(),
        role,
        unit_code: unit.into(),
    })
    .await
    .unwrap();
}

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

// Units: who may create villages and change flags, where.

async fn every_role_creating_a_village_in_dien_my_gets_the_matrixs_answer(store: Store) {
    let (app, _) = setup(store).await;
    // (role, unit): Ok, Forbidden (inside the area, no permission) or NotFound (outside).
    let cases = [
        (Role::Admin, "42", "ok"),
        (Role::Admin, "444", "ok"),
        (Role::Admin, "18499", "ok"),
        (Role::Admin, "445", "not_found"),
        (Role::Office, "444", "ok"),
        (Role::Office, "445", "not_found"),
        (Role::AgencyOfficer, "444", "forbidden"),
        (Role::CommuneOfficer, "18499", "ok"),
        (Role::CommuneOfficer, "18496", "not_found"),
        (Role::VillageHead, "18499001", "not_found"),
        (Role::Oversight, "42", "forbidden"),
        (Role::Oversight, "18499", "forbidden"),
        (Role::ProvinceViewer, "42", "forbidden"),
    ];
    for (i, (role, unit, expected)) in cases.into_iter().enumerate() {
        let who = actor(role, unit);
        let result = app
            .create_village(&who, village("18499", &format!("Thôn Thử {i}")))
            .await;
        let got = match &result {
            Ok(v) => {
                assert_eq!(v.parent_code.as_deref(), Some("18499"));
                "ok"
            }
            Err(AppError::Forbidden(_)) => "forbidden",
            Err(AppError::NotFound(_)) => "not_found",
            Err(e) => panic!("{role} at {unit}: unexpected {e:?}"),
        };
        assert_eq!(got, expected, "{role} at {unit}");
    }
}
app_test!(every_role_creating_a_village_in_dien_my_gets_the_matrixs_answer);

async fn a_commune_officer_cannot_learn_about_another_communes_villages(store: Store) {
    let (app, _) = setup(store).await;
    let officer = actor(Role::CommuneOfficer, "18499");
    // A duplicate name in another commune must not answer "exists" (409): not found.
    app.create_village(&actor(Role::Admin, "42"), village("18496", "Tổ Một"))
        .await
        .unwrap();
    for commune in ["18496", "18520", "99999"] {
        let err = app
            .create_village(&officer, village(commune, "Tổ Một"))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound(_)), "{commune}: {err:?}");
    }
}
app_test!(a_commune_officer_cannot_learn_about_another_communes_villages);

async fn a_village_file_is_checked_for_every_commune_it_names(store: Store) {
    let (app, _) = setup(store).await;
    let officer = actor(Role::CommuneOfficer, "18499");
    // A file for the officer's own commune.
    let made = app
        .import_villages(
            &officer,
            "name,kind\nThôn Hai,Thôn\n".as_bytes(),
            Some("18499"),
        )
        .await
        .unwrap();
    assert_eq!(made, ["18499002"]);
    // A file for another commune is refused as if that commune did not exist.
    let err = app
        .import_villages(
            &officer,
            "name,kind\nTổ Hai,Tổ dân phố\n".as_bytes(),
            Some("18496"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    // A file naming several communes: the foreign row is refused, nothing is written.
    let csv = "commune_code,name,kind\n18499,Thôn Ba,Thôn\n18496,Tổ Ba,Tổ dân phố\n";
    let AppError::File(problems) = app
        .import_villages(&officer, csv.as_bytes(), None)
        .await
        .unwrap_err()
    else {
        panic!("expected a refused file");
    };
    assert_eq!(problems.errors.len(), 1);
    assert_eq!(problems.errors[0].line, 3);
    assert_eq!(problems.errors[0].column, "commune_code");
    assert_eq!(app.children(Some("18499")).await.unwrap().len(), 2);
    // Oversight may read the commune but not import into it.
    let err = app
        .import_villages(
            &actor(Role::Oversight, "444"),
            "name,kind\nThôn Bốn,Thôn\n".as_bytes(),
            Some("18499"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
}
app_test!(a_village_file_is_checked_for_every_commune_it_names);

async fn unit_flags_are_changed_only_within_the_area_by_managers(store: Store) {
    let (app, _) = setup(store).await;
    let updated = app
        .update_unit(&actor(Role::CommuneOfficer, "18499"), "18499", flags())
        .await
        .unwrap();
    assert!(updated.extremely_difficult && updated.programme_135);
    let err = app
        .update_unit(&actor(Role::CommuneOfficer, "18499"), "18520", flags())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    let err = app
        .update_unit(&actor(Role::Oversight, "444"), "18499", flags())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    let err = app
        .update_unit(&actor(Role::Office, "445"), "444", flags())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
}
app_test!(unit_flags_are_changed_only_within_the_area_by_managers);

async fn every_signed_in_role_browses_and_searches_units(store: Store) {
    let (app, _) = setup(store).await;
    // Units are public data: the read use cases take no actor, and the web layer only
    // requires a sign-in. This pins that the whole tree is readable.
    assert_eq!(app.children(None).await.unwrap().len(), 1);
    assert_eq!(app.children(Some("444")).await.unwrap().len(), 2);
    assert_eq!(app.unit("18520").await.unwrap().name, "Xã Sơn Hồng");
    assert_eq!(app.search_units("son hong").await.unwrap()[0].code, "18520");
}
app_test!(every_signed_in_role_browses_and_searches_units);

// Users.

async fn users_are_created_only_with_a_role_fitting_their_units_tier(store: Store) {
    let (app, _) = setup(store).await;
    let input = |username: &str, role: Role, unit: &str, password: &str| NewUserInput {
        username: username.into(),
        password: password.into(),
        role,
        unit_code: unit.into(),
    };
    let made = app
        .add_user_as_system(input(
            " CanBo.DienMy ",
            Role::CommuneOfficer,
            "18499",
            PASSWORD,
        ))
        .await
        .unwrap();
    assert_eq!(made.username, "canbo.dienmy");
    assert_eq!(made.unit_name, "Xã Điền Mỹ");
    let refused = [
        input("canbo2", Role::CommuneOfficer, "444", PASSWORD),
        input("truongthon", Role::VillageHead, "18499", PASSWORD),
        input("tinh", Role::ProvinceViewer, "444", PASSWORD),
        input("ngan", Role::CommuneOfficer, "18499", "ngắn"),
        input(
            "trungten1234",
            Role::CommuneOfficer,
            "18499",
            "TrungTen1234",
        ),
        input("có dấu", Role::CommuneOfficer, "18499", PASSWORD),
    ];
    for r in refused {
        let err = app.add_user_as_system(r.clone()).await.unwrap_err();
        assert!(matches!(err, AppError::Invalid { .. }), "{r:?}: {err:?}");
    }
    let err = app
        .add_user_as_system(input(
            "canbo.dienmy",
            Role::CommuneOfficer,
            "18499",
            PASSWORD,
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    let err = app
        .add_user_as_system(input("khongco", Role::CommuneOfficer, "99999", PASSWORD))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    app.add_user_as_system(input("truongthon", Role::VillageHead, "18499001", PASSWORD))
        .await
        .unwrap();
}
app_test!(users_are_created_only_with_a_role_fitting_their_units_tier);

/// An administrator, and an office below its own role (see `tests/users.rs`), create
/// users within their area; other roles create none.
async fn admins_and_offices_create_users_only_within_their_area(store: Store) {
    let (app, _) = setup(store).await;
    let input = |username: &str, unit: &str| NewUserInput {
        username: username.into(),
        password: PASSWORD.into(),
        role: Role::CommuneOfficer,
        unit_code: unit.into(),
    };
    app.add_user(&actor(Role::Admin, "444"), input("canbo.dienmy", "18499"))
        .await
        .unwrap();
    let err = app
        .add_user(&actor(Role::Admin, "444"), input("canbo.sonhong", "18520"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    app.add_user(&actor(Role::Office, "444"), input("canbo.x", "18499"))
        .await
        .unwrap();
    let err = app
        .add_user(&actor(Role::Oversight, "444"), input("canbo.y", "18499"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    let listed = app.users(&actor(Role::Admin, "444")).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        app.users(&actor(Role::Admin, "445"))
            .await
            .unwrap()
            .is_empty()
    );
}
app_test!(admins_and_offices_create_users_only_within_their_area);

// Signing in.

async fn a_signed_in_officer_acts_as_herself_until_logout(store: Store) {
    let (app, _) = setup(store).await;
    user(&app, "canbo.dienmy", Role::CommuneOfficer, "18499").await;
    let s = app
        .login("CanBo.DienMy", PASSWORD, "10.0.0.1", SessionKind::Web)
        .await
        .unwrap();
    assert_eq!(s.actor.role, Role::CommuneOfficer);
    assert_eq!(s.actor.unit_tier, Tier::Commune);
    let actor = app.actor_for_token(&s.token).await.unwrap().unwrap();
    assert_eq!(actor, s.actor);
    // The database keeps only the token's hash.
    assert!(
        app.store()
            .session_by_token_hash(&s.token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.store()
            .session_by_token_hash(&token_hash(&s.token))
            .await
            .unwrap()
            .is_some()
    );
    // The session's actor works with the use cases.
    app.create_village(&actor, village("18499", "Thôn Hai"))
        .await
        .unwrap();
    app.logout(&s.token).await.unwrap();
    assert!(app.actor_for_token(&s.token).await.unwrap().is_none());
    // Tokens that are not tokens are simply not signed in.
    assert!(app.actor_for_token("").await.unwrap().is_none());
    assert!(app.actor_for_token("x'; --").await.unwrap().is_none());
}
app_test!(a_signed_in_officer_acts_as_herself_until_logout);

async fn a_wrong_password_and_an_unknown_user_get_the_same_answer(store: Store) {
    let (app, _) = setup(store).await;
    user(&app, "canbo.dienmy", Role::CommuneOfficer, "18499").await;
    let wrong = app
        .login(
            "canbo.dienmy",
            "sai mật khẩu rồi",
            "10.0.0.1",
            SessionKind::Web,
        )
        .await
        .unwrap_err();
    let unknown = app
        .login("khong.co.ai", PASSWORD, "10.0.0.1", SessionKind::Web)
        .await
        .unwrap_err();
    assert!(matches!(wrong, AppError::Unauthenticated(_)));
    assert_eq!(wrong.to_string(), unknown.to_string());
}
app_test!(a_wrong_password_and_an_unknown_user_get_the_same_answer);

async fn wrong_passwords_slow_the_account_down_without_locking_it(store: Store) {
    let (app, clock) = setup(store).await;
    user(&app, "canbo.dienmy", Role::CommuneOfficer, "18499").await;
    let guess = || async {
        app.login("canbo.dienmy", "đoán sai", "10.0.0.1", SessionKind::Web)
            .await
            .unwrap_err()
    };
    let right = || app.login("canbo.dienmy", PASSWORD, "10.0.0.1", SessionKind::Web);
    let refused = |err: AppError| match err {
        AppError::TooManyAttempts {
            message,
            retry_after_secs,
        } => (message, retry_after_secs),
        other => panic!("expected too many attempts, got {other:?}"),
    };
    for i in 0..MAX_FAILURES {
        // A guesser from a new address each time is still guessing one account.
        let err = app
            .login(
                "canbo.dienmy",
                "đoán sai mật khẩu",
                &format!("10.0.0.{i}"),
                SessionKind::Web,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Unauthenticated(_)));
    }
    // Now every try waits, the right password too, from any address.
    let (message, secs) = refused(
        app.login("canbo.dienmy", PASSWORD, "10.0.0.99", SessionKind::Web)
            .await
            .unwrap_err(),
    );
    assert_eq!(secs, 30);
    assert!(message.contains("thử lại sau 30 giây"), "{message}");
    // Another username is not held up.
    user(&app, "canbo.khac", Role::CommuneOfficer, "18499").await;
    app.login("canbo.khac", PASSWORD, "10.0.0.1", SessionKind::Web)
        .await
        .unwrap();
    // One more wrong guess after the wait doubles it.
    clock.advance(Duration::seconds(30));
    guess().await;
    let (_, secs) = refused(right().await.unwrap_err());
    assert_eq!(secs, 60);
    // Long waits are told in minutes with the time in Vietnam.
    for wait in [60, 120, 240, 480] {
        clock.advance(Duration::seconds(wait));
        guess().await;
    }
    let (message, secs) = refused(right().await.unwrap_err());
    assert_eq!(secs, 15 * 60);
    assert!(message.contains("15 phút"), "{message}");
    assert!(message.contains("giờ Việt Nam"), "{message}");
    // The owner waits the wait out and signs in.
    clock.advance(Duration::minutes(15));
    right().await.unwrap();
}
app_test!(wrong_passwords_slow_the_account_down_without_locking_it);

async fn a_successful_sign_in_forgets_earlier_failures(store: Store) {
    let (app, _) = setup(store).await;
    user(&app, "canbo.dienmy", Role::CommuneOfficer, "18499").await;
    for round in 0..2 {
        for _ in 0..MAX_FAILURES - 1 {
            app.login("canbo.dienmy", "đoán sai mật khẩu", "ip", SessionKind::Web)
                .await
                .unwrap_err();
        }
        app.login("canbo.dienmy", PASSWORD, "ip", SessionKind::Web)
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e:?}"));
    }
}
app_test!(a_successful_sign_in_forgets_earlier_failures);

async fn a_browser_session_ends_after_twelve_idle_hours_or_seven_days(store: Store) {
    let (app, clock) = setup(store).await;
    user(&app, "canbo.dienmy", Role::CommuneOfficer, "18499").await;
    // Idle: used once, then left for 13 hours.
    let idle = app
        .login("canbo.dienmy", PASSWORD, "ip", SessionKind::Web)
        .await
        .unwrap();
    // In use every 11 hours: lives until the seven days are up.
    let busy = app
        .login("canbo.dienmy", PASSWORD, "ip", SessionKind::Web)
        .await
        .unwrap();
    let api = app
        .login("canbo.dienmy", PASSWORD, "ip", SessionKind::Api)
        .await
        .unwrap();
    clock.advance(Duration::hours(11));
    assert!(app.actor_for_token(&busy.token).await.unwrap().is_some());
    clock.advance(Duration::hours(2));
    assert!(app.actor_for_token(&idle.token).await.unwrap().is_none());
    assert!(app.actor_for_token(&busy.token).await.unwrap().is_some());
    let start = TestClock::new().now();
    let mut ended = false;
    for _ in 0..15 {
        clock.advance(Duration::hours(11));
        let alive = app.actor_for_token(&busy.token).await.unwrap().is_some();
        let elapsed = clock.now() - start;
        assert_eq!(alive, elapsed < Duration::days(7), "after {elapsed}");
        ended |= !alive;
    }
    assert!(ended, "the seven-day limit was reached");
    // An API token ignores idleness and lasts 30 days.
    assert!(app.actor_for_token(&api.token).await.unwrap().is_some());
    clock.advance(Duration::days(30));
    assert!(app.actor_for_token(&api.token).await.unwrap().is_none());
}
app_test!(a_browser_session_ends_after_twelve_idle_hours_or_seven_days);

async fn a_form_with_a_wrong_csrf_token_is_refused(store: Store) {
    let (app, _) = setup(store).await;
    user(&app, "canbo.dienmy", Role::CommuneOfficer, "18499").await;
    let s = app
        .login("canbo.dienmy", PASSWORD, "ip", SessionKind::Web)
        .await
        .unwrap();
    let csrf = app.csrf_token_for(&s.token).await.unwrap().unwrap();
    assert_eq!(csrf, s.csrf_token);
    assert_ne!(csrf, s.token);
    app.check_csrf(&s.token, &csrf).await.unwrap();
    for wrong in ["", "0", s.token.as_str(), &csrf[..63]] {
        let err = app.check_csrf(&s.token, wrong).await.unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "{wrong:?}: {err:?}");
    }
    // Another session's token does not fit either.
    let other = app
        .login("canbo.dienmy", PASSWORD, "ip", SessionKind::Web)
        .await
        .unwrap();
    assert!(app.check_csrf(&s.token, &other.csrf_token).await.is_err());
    app.logout(&s.token).await.unwrap();
    assert!(matches!(
        app.check_csrf(&s.token, &csrf).await.unwrap_err(),
        AppError::Unauthenticated(_)
    ));
}
app_test!(a_form_with_a_wrong_csrf_token_is_refused);

async fn changing_the_password_signs_out_the_other_sessions(store: Store) {
    let (app, _) = setup(store).await;
    user(&app, "canbo.dienmy", Role::CommuneOfficer, "18499").await;
    let here = app
        .login("canbo.dienmy", PASSWORD, "ip", SessionKind::Web)
        .await
        .unwrap();
    let elsewhere = app
        .login("canbo.dienmy", PASSWORD, "ip", SessionKind::Api)
        .await
        .unwrap();
    let me = here.actor.clone();
    let new = "mật khẩu mới còn dài hơn";
    for (old, new_pw, field) in [
        ("sai mật khẩu cũ", new, "old_password"),
        (PASSWORD, "ngắn", "password"),
        (PASSWORD, "CANBO.DIENMY", "password"),
        (PASSWORD, PASSWORD, "password"),
    ] {
        let err = app
            .change_password(&me, Some(&here.token), old, new_pw)
            .await
            .unwrap_err();
        let AppError::Invalid { field: f, .. } = &err else {
            panic!("expected invalid, got {err:?}");
        };
        assert_eq!(f, field);
    }
    app.change_password(&me, Some(&here.token), PASSWORD, new)
        .await
        .unwrap();
    assert!(app.actor_for_token(&here.token).await.unwrap().is_some());
    assert!(
        app.actor_for_token(&elsewhere.token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.login("canbo.dienmy", PASSWORD, "ip", SessionKind::Web)
            .await
            .is_err()
    );
    app.login("canbo.dienmy", new, "ip", SessionKind::Web)
        .await
        .unwrap();
}
app_test!(changing_the_password_signs_out_the_other_sessions);
