//! Users and sessions in the store, on SQLite and on PostgreSQL.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use giamngheo_store::{NewSession, NewUser, Store, StoreError, UnitUpsert, store_test};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn unit(code: &str, name: &str, level: i32, tier: &str, parent: Option<&str>) -> UnitUpsert {
    UnitUpsert {
        code: code.into(),
        name: name.into(),
        name_folded: giamngheo_domain::text::fold(name),
        kind: if level == 1 { "Tỉnh" } else { "Xã" }.into(),
        level,
        tier: tier.into(),
        parent_code: parent.map(Into::into),
        province_code: "42".into(),
        area: None,
        area_given: false,
        extremely_difficult: false,
        border: false,
        programme_30a: false,
        programme_135: false,
        valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
    }
}

async fn with_units(store: &Store) {
    store
        .upsert_units(
            &[
                unit("42", "Tỉnh Hà Tĩnh", 1, "province", None),
                unit("18499", "Xã Điền Mỹ", 2, "commune", Some("42")),
            ],
            false,
            now(),
        )
        .await
        .unwrap();
}

fn officer() -> NewUser {
    NewUser {
        username: "canbo.dienmy".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: "commune_officer".into(),
        unit_code: "18499".into(),
    }
}

fn session(token_hash: &str, user_id: i64, expires_in: Duration) -> NewSession {
    NewSession {
        token_hash: token_hash.into(),
        user_id,
        kind: "web".into(),
        csrf_token: "csrf".into(),
        created_at: now(),
        expires_at: now() + expires_in,
    }
}

async fn a_user_is_found_by_name_and_id_with_its_units_tier(store: Store) {
    with_units(&store).await;
    let id = store.create_user(&officer(), now()).await.unwrap();
    let by_name = store
        .user_by_username("canbo.dienmy")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_name.id, id);
    assert_eq!(by_name.unit_tier, "commune");
    assert_eq!(by_name.unit_name, "Xã Điền Mỹ");
    assert!(by_name.active);
    assert_eq!(store.user_by_id(id).await.unwrap().unwrap(), by_name);
    assert!(store.user_by_username("nobody").await.unwrap().is_none());
    assert_eq!(store.list_users().await.unwrap(), vec![by_name]);
}
store_test!(a_user_is_found_by_name_and_id_with_its_units_tier);

async fn a_taken_username_is_a_conflict(store: Store) {
    with_units(&store).await;
    store.create_user(&officer(), now()).await.unwrap();
    let err = store.create_user(&officer(), now()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}
store_test!(a_taken_username_is_a_conflict);

async fn a_user_needs_an_existing_unit(store: Store) {
    with_units(&store).await;
    let mut u = officer();
    u.unit_code = "99999".into();
    assert!(store.create_user(&u, now()).await.is_err());
}
store_test!(a_user_needs_an_existing_unit);

async fn a_new_password_hash_replaces_the_old(store: Store) {
    with_units(&store).await;
    let id = store.create_user(&officer(), now()).await.unwrap();
    let later = now() + Duration::days(1);
    store
        .set_password_hash(id, "new-hash", later)
        .await
        .unwrap();
    let u = store.user_by_id(id).await.unwrap().unwrap();
    assert_eq!(u.password_hash, "new-hash");
    assert_eq!(u.password_changed_at, "2026-11-29T08:00:00Z");
    assert!(matches!(
        store.set_password_hash(id + 100, "x", later).await,
        Err(StoreError::NotFound(_))
    ));
}
store_test!(a_new_password_hash_replaces_the_old);

async fn a_user_names_a_known_agency_or_none(store: Store) {
    with_units(&store).await;
    let id = store.create_user(&officer(), now()).await.unwrap();
    assert_eq!(
        store.user_by_id(id).await.unwrap().unwrap().agency_code,
        None
    );
    // The seeded finance department of Hà Tĩnh (migration 0060).
    store.set_user_agency(id, Some("42-stc")).await.unwrap();
    let u = store.user_by_id(id).await.unwrap().unwrap();
    assert_eq!(u.agency_code.as_deref(), Some("42-stc"));
    // An unknown agency changes nothing.
    assert!(matches!(
        store.set_user_agency(id, Some("42-none")).await,
        Err(StoreError::NotFound(_))
    ));
    let u = store.user_by_id(id).await.unwrap().unwrap();
    assert_eq!(u.agency_code.as_deref(), Some("42-stc"));
    store.set_user_agency(id, None).await.unwrap();
    assert_eq!(
        store.user_by_id(id).await.unwrap().unwrap().agency_code,
        None
    );
}
store_test!(a_user_names_a_known_agency_or_none);

async fn sessions_are_found_touched_and_ended(store: Store) {
    with_units(&store).await;
    let id = store.create_user(&officer(), now()).await.unwrap();
    store
        .create_session(&session("aaaa", id, Duration::hours(12)))
        .await
        .unwrap();
    let s = store.session_by_token_hash("aaaa").await.unwrap().unwrap();
    assert_eq!(s.kind, "web");
    assert_eq!(s.csrf_token, "csrf");
    assert_eq!(s.created_at, now());
    assert_eq!(s.last_seen_at, now());
    assert_eq!(s.expires_at, now() + Duration::hours(12));
    assert_eq!(s.user.id, id);
    assert_eq!(s.user.unit_tier, "commune");

    let seen = now() + Duration::hours(1);
    store
        .touch_session("aaaa", seen, seen + Duration::hours(12))
        .await
        .unwrap();
    let s = store.session_by_token_hash("aaaa").await.unwrap().unwrap();
    assert_eq!(s.last_seen_at, seen);
    assert_eq!(s.expires_at, seen + Duration::hours(12));

    assert!(store.delete_session("aaaa").await.unwrap());
    assert!(!store.delete_session("aaaa").await.unwrap());
    assert!(store.session_by_token_hash("aaaa").await.unwrap().is_none());
}
store_test!(sessions_are_found_touched_and_ended);

async fn expired_sessions_are_swept_and_other_sessions_of_a_user_ended(store: Store) {
    with_units(&store).await;
    let id = store.create_user(&officer(), now()).await.unwrap();
    for (hash, hours) in [("old", 1), ("mid", 5), ("new", 20)] {
        store
            .create_session(&session(hash, id, Duration::hours(hours)))
            .await
            .unwrap();
    }
    let swept = store
        .delete_expired_sessions(now() + Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(swept, 1);
    assert!(store.session_by_token_hash("old").await.unwrap().is_none());

    let ended = store
        .delete_sessions_of_user(id, Some("new"))
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert!(store.session_by_token_hash("mid").await.unwrap().is_none());
    assert!(store.session_by_token_hash("new").await.unwrap().is_some());
    assert_eq!(store.delete_sessions_of_user(id, None).await.unwrap(), 1);
}
store_test!(expired_sessions_are_swept_and_other_sessions_of_a_user_ended);
