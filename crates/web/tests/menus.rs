//! Each role's home and menu, as a new user meets them: every demo user signs in, lands
//! on a page of their own (`/` answers 200), and every link of the page's first `<nav>`
//! (the menu) opens with 200 for that role, directly or after a redirect. The menu
//! offers the reports to every role, and nothing that would end in 403 or 422.

use axum::http::StatusCode;
use chrono::NaiveDate;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_store::Store;
use std::sync::Arc;

mod support;
use support::{Answer, get, send, sign_in_answer};

/// GETs `uri` with the session, following redirects within the site.
async fn open(site: &axum::Router, uri: &str, session: &str) -> (String, Answer) {
    let mut uri = uri.to_string();
    for _ in 0..5 {
        let answer = send(site, get(&uri, Some(session))).await;
        if answer.status.is_redirection() && answer.location().starts_with('/') {
            uri = answer.location().to_string();
            continue;
        }
        return (uri, answer);
    }
    panic!("{uri}: too many redirects");
}

/// The links of a page's first `<nav>`.
fn menu_links(page: &str) -> Vec<String> {
    let start = page.find("<nav").expect("the page has a menu");
    let end = start + page[start..].find("</nav>").expect("the menu is closed");
    page[start..end]
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .collect()
}

async fn every_role_has_a_home_and_a_menu_that_opens(store: Store) {
    let now = NaiveDate::from_ymd_opt(2025, 9, 15)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    let demo = app.load_demo(2021, 40).await.unwrap();
    let site = giamngheo_web::router(app.clone());
    assert_eq!(demo.users.len(), 7, "one demo user per role");
    let mut failures = Vec::new();
    for user in &demo.users {
        let role = user.role.as_str();
        let signed_in = sign_in_answer(&site, &user.username, &user.password).await;
        let session = signed_in.cookie("gn_session").expect("a session");
        let (_, home) = open(&site, "/", &session).await;
        assert_eq!(home.status, StatusCode::OK, "{role}: / {}", home.body);
        let links = menu_links(&home.body);
        assert!(
            links.iter().any(|l| l.starts_with("/reports")),
            "{role}: the menu offers the reports: {links:?}"
        );
        for link in &links {
            let (at, answer) = open(&site, link, &session).await;
            if answer.status != StatusCode::OK {
                failures.push(format!("{role}: {link} → {at}: {}", answer.status));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
giamngheo_store::store_test!(every_role_has_a_home_and_a_menu_that_opens);
