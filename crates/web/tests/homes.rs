//! Each role's home as the demo of 07/12/2026 shows it: the 2027 review of the officer's
//! commune is at the survey with half of its households surveyed, so the commune
//! officer's home lists the other half as awaiting phiếu B, the village head's home lists
//! only the village's households, and the province viewer's home shows the province's
//! own figures, without a name.

use axum::http::StatusCode;
use giamngheo_app::App;
use giamngheo_app::access::Role;
use giamngheo_app::demo::DemoSummary;
use giamngheo_store::Store;

mod support;
use support::{Answer, demo_of_today, demo_session, get, send};

async fn demo_today(store: Store) -> (axum::Router, App, DemoSummary) {
    demo_of_today(store, 120).await
}

async fn home_of(site: &axum::Router, demo: &DemoSummary, role: Role) -> Answer {
    let session = demo_session(site, demo, role).await;
    let home = send(site, get("/", Some(&session))).await;
    assert_eq!(home.status, StatusCode::OK, "{role:?}: {}", home.body);
    home
}

/// The rows of the table that follows the awaiting list's heading.
fn awaiting_rows(page: &str) -> Vec<String> {
    let start = page
        .find("id=\"awaiting-h\"")
        .expect("the home has the awaiting list");
    let section = &page[start..start + page[start..].find("</section>").unwrap()];
    section
        .split("<tr>")
        .skip(2)
        .map(|r| r.split("</tr>").next().unwrap().to_string())
        .collect()
}

async fn a_commune_officer_lands_on_the_households_awaiting_something(store: Store) {
    let (site, app, demo) = demo_today(store).await;
    let review = demo.open_review.as_ref().expect("the 2027 review is open");
    assert!(review.surveyed < review.listed, "{review:?}");
    let home = home_of(&site, &demo, Role::CommuneOfficer).await;
    assert!(home.body.contains("Hộ đang chờ xử lý"), "{}", home.body);
    let rows = awaiting_rows(&home.body);
    let waiting = (review.listed - review.surveyed).min(50);
    assert_eq!(rows.len(), waiting, "{rows:#?}");
    assert!(
        rows.iter().all(|r| r.contains("Chưa nhập phiếu B")),
        "{rows:#?}"
    );
    // A household is named by its code and head, and links to its page and the review.
    let households = app.store().review_households(review.id).await.unwrap();
    let first_waiting = households
        .iter()
        .find(|h| h.provisional_status.is_none())
        .unwrap();
    let named = format!(
        "{} – {}",
        first_waiting.household_code, first_waiting.head_name
    );
    assert!(
        rows.iter().any(|r| r.contains(&named)
            && r.contains(&format!("/households/{}", first_waiting.household_id))
            && r.contains(&format!("/reviews/{}", review.id))),
        "{named}: {rows:#?}"
    );
    // A surveyed household waits for nothing at the survey step.
    let surveyed = households
        .iter()
        .find(|h| h.provisional_status.is_some())
        .unwrap();
    assert!(
        !rows
            .iter()
            .any(|r| r.contains(&format!("/households/{}\"", surveyed.household_id))),
        "{rows:#?}"
    );
    // December's reporting dates of the year are due or missed, nothing being sent.
    assert!(
        home.body.contains("Hạn báo cáo sắp đến và đã quá"),
        "{}",
        home.body
    );
    assert!(home.body.contains("Quá hạn"), "{}", home.body);
}
giamngheo_store::store_test!(a_commune_officer_lands_on_the_households_awaiting_something);

async fn a_village_head_sees_only_the_village_households(store: Store) {
    let (site, _app, demo) = demo_today(store).await;
    let head = demo
        .users
        .iter()
        .find(|u| u.role == Role::VillageHead)
        .unwrap();
    let home = home_of(&site, &demo, Role::VillageHead).await;
    assert!(home.body.contains(&head.unit_name), "{}", home.body);
    let rows = awaiting_rows(&home.body);
    assert!(!rows.is_empty(), "the village has households to survey");
    for row in &rows {
        assert!(
            row.contains(&format!("<td>{}</td>", head.unit_name)),
            "{}: {row}",
            head.unit_name
        );
    }
    // The village head sends no report: no reporting dates on the home.
    assert!(!home.body.contains("Hạn báo cáo sắp đến và đã quá"));
}
giamngheo_store::store_test!(a_village_head_sees_only_the_village_households);

async fn a_province_viewer_lands_on_the_province_figures(store: Store) {
    let (site, app, demo) = demo_today(store).await;
    let home = home_of(&site, &demo, Role::ProvinceViewer).await;
    assert!(
        home.body.contains("Hộ nghèo, hộ cận nghèo theo đơn vị"),
        "{}",
        home.body
    );
    assert!(home.body.contains("Tiến độ rà soát theo xã"));
    // The officer's commune has the 2026 lists: it is a row with a rate.
    let officer = demo
        .users
        .iter()
        .find(|u| u.role == Role::CommuneOfficer)
        .unwrap();
    let commune = app.unit(&officer.unit_code).await.unwrap();
    let row_start = home
        .body
        .find(&format!("<tr><td>{}</td>", commune.name))
        .unwrap_or_else(|| panic!("{}: {}", commune.name, home.body));
    let row = &home.body[row_start..row_start + home.body[row_start..].find("</tr>").unwrap()];
    assert!(row.contains('%'), "{row}");
    // No name of a person, and no list of households awaiting.
    assert!(!home.body.contains("Hộ đang chờ xử lý"));
    let review = demo.open_review.as_ref().unwrap();
    let households = app.store().review_households(review.id).await.unwrap();
    for h in &households {
        assert!(!home.body.contains(&h.head_name), "{}", h.head_name);
    }
}
giamngheo_store::store_test!(a_province_viewer_lands_on_the_province_figures);
