//! The audit log in words and its filters (issue 15), on the demo of 07/12/2026: the
//! commune officer changes a household's phone number; the province's administrator
//! finds the change by user, action, day and unit, reads it as "Sửa thông tin hộ",
//! "Điện thoại: — → 0912…" with the household named by code and head, and a filter
//! outside the administrator's province is refused.

use axum::http::StatusCode;
use giamngheo_app::App;
use giamngheo_app::access::{Actor, Role};
use giamngheo_domain::Tier;
use giamngheo_store::Store;

mod support;
use support::{Answer, demo_of_today, demo_session, demo_user, get, send};

async fn audit_filters_find_a_change_in_words(store: Store) {
    let (router, app, demo) = demo_of_today(store, 120).await;
    let user = |role| demo_user(&demo, role);
    let officer_user = user(Role::CommuneOfficer);
    let officer = Actor {
        user_id: officer_user.user_id,
        username: officer_user.username.clone(),
        role: Role::CommuneOfficer,
        unit_code: officer_user.unit_code.clone(),
        unit_tier: Tier::Commune,
        agency_code: None,
    };
    let review = demo.open_review.as_ref().unwrap();
    let household_id = app.store().review_households(review.id).await.unwrap()[0].household_id;
    let view = app.household(&officer, household_id).await.unwrap();
    let (mut draft, ids) = App::draft_of(&view);
    draft.phone = Some("0912345678".into());
    app.update_household(
        &officer,
        household_id,
        view.household.version,
        draft,
        ids,
        Some("Hộ báo số mới".into()),
    )
    .await
    .unwrap();
    let named = format!(
        "{} – {}",
        view.household.fields.code, view.household.fields.head_name
    );

    let admin = user(Role::Admin);
    let session = demo_session(&router, &demo, Role::Admin).await;
    let open = |uri: String| {
        let router = router.clone();
        let session = session.clone();
        async move { send(&router, get(&uri, Some(&session))).await }
    };
    let by_officer = format!("/audit?user={}&action=household.update", officer.username);
    let found: Answer = open(by_officer.clone()).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let body = &found.body;
    assert!(body.contains("Sửa thông tin hộ"), "{body}");
    assert!(
        body.contains("<span class=\"field\">Điện thoại</span>: <del>—</del>"),
        "{body}"
    );
    assert!(
        body.contains("value=\"household.update\" selected"),
        "{body}"
    );
    assert!(body.contains("<ins>0912345678</ins>"), "{body}");
    assert!(body.contains(&named), "{named}: {body}");
    assert!(body.contains("Hộ báo số mới"));
    assert!(body.contains("Số mục: 1<"), "{body}");
    for internal in [">household.update<", "phone:", ">phone<"] {
        assert!(!body.contains(internal), "{internal}: {body}");
    }

    // The day of the change finds it; the next day does not.
    let same_day = open(format!("{by_officer}&from=07/12/2026&to=07/12/2026")).await;
    assert!(same_day.body.contains("Số mục: 1<"), "{}", same_day.body);
    let next_day = open(format!("{by_officer}&from=08/12/2026")).await;
    assert!(next_day.body.contains("Số mục: 0<"), "{}", next_day.body);

    // The officer's commune holds the change; another commune of the province does not.
    let in_commune = open(format!("{by_officer}&unit={}", officer.unit_code)).await;
    assert!(
        in_commune.body.contains("Số mục: 1<"),
        "{}",
        in_commune.body
    );
    let communes = app.children(Some(&admin.unit_code)).await.unwrap();
    let other = communes
        .iter()
        .find(|c| c.code != officer.unit_code)
        .unwrap();
    let elsewhere = open(format!("{by_officer}&unit={}", other.code)).await;
    assert!(elsewhere.body.contains("Số mục: 0<"), "{}", elsewhere.body);

    // A day that is not one comes back as typed with its problem; nothing is listed.
    let bad = open("/audit?from=31/02/2026&user=ai".to_string()).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("value=\"31/02/2026\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"ai\""));
    assert!(bad.body.contains("field-error"));

    // A unit outside the administrator's province is not theirs to read.
    let outside = open("/audit?unit=01".to_string()).await;
    assert!(
        matches!(
            outside.status,
            StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
        ),
        "{}",
        outside.status
    );
}
giamngheo_store::store_test!(audit_filters_find_a_change_in_words);
