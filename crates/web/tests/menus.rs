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

/// No dead ends: a bad query parameter, an unknown address and a refused unit answer a
/// page in Vietnamese with the header and the menu, a link back to the page the user
/// came from, and never the framework's English text; English chosen once stays.
async fn error_pages_keep_the_menu_and_speak_vietnamese(store: Store) {
    let now = NaiveDate::from_ymd_opt(2025, 9, 15)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    let demo = app.load_demo(2021, 20).await.unwrap();
    let site = giamngheo_web::router(app.clone());
    let officer = demo
        .users
        .iter()
        .find(|u| u.role == giamngheo_app::access::Role::CommuneOfficer)
        .unwrap();
    let signed_in = sign_in_answer(&site, &officer.username, &officer.password).await;
    let session = signed_in.cookie("gn_session").unwrap();
    let with_referer = |uri: &str| {
        axum::http::Request::get(uri)
            .header("cookie", format!("gn_session={session}"))
            .header("referer", "http://localhost/households")
            .body(axum::body::Body::empty())
            .unwrap()
    };
    for (uri, status) in [
        ("/households?page=abc", StatusCode::BAD_REQUEST),
        ("/no-such-page", StatusCode::NOT_FOUND),
        ("/households/999999999", StatusCode::NOT_FOUND),
    ] {
        let answer = send(&site, with_referer(uri)).await;
        assert_eq!(answer.status, status, "{uri}: {}", answer.body);
        assert!(
            answer
                .header(axum::http::header::CONTENT_TYPE)
                .starts_with("text/html"),
            "{uri}"
        );
        let menu = menu_links(&answer.body);
        assert!(menu.iter().any(|l| l == "/reports"), "{uri}: {menu:?}");
        assert!(
            answer
                .body
                .contains("href=\"/households\">Quay lại trang trước<"),
            "{uri}: {}",
            answer.body
        );
        for english in ["Failed to deserialize", "invalid digit", "Not Found"] {
            assert!(!answer.body.contains(english), "{uri}: {}", answer.body);
        }
    }
    let bad = send(&site, with_referer("/households?page=abc")).await;
    assert!(bad.body.contains("tham số không hợp lệ"), "{}", bad.body);

    // English chosen on any page stays for the next ones (a cookie).
    let english = send(&site, get("/households?lang=en", Some(&session))).await;
    let cookie = english
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("lang=en"))
        .expect("the language is remembered");
    assert!(cookie.contains("Path=/"));
}
giamngheo_store::store_test!(error_pages_keep_the_menu_and_speak_vietnamese);

/// The header search finds households of the user's area (by name, without diacritics)
/// as well as units; a province viewer, who reads no names, finds units only.
async fn the_header_search_finds_households_within_the_area(store: Store) {
    let now = NaiveDate::from_ymd_opt(2025, 9, 15)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    let demo = app.load_demo(2021, 20).await.unwrap();
    let site = giamngheo_web::router(app.clone());
    let user = |role| demo.users.iter().find(|u| u.role == role).unwrap();
    let session = async |role| {
        let u = user(role);
        sign_in_answer(&site, &u.username, &u.password)
            .await
            .cookie("gn_session")
            .unwrap()
    };
    use giamngheo_app::access::Role;
    let officer = session(Role::CommuneOfficer).await;
    // A household's head, as the officer's list shows it, found by the header search.
    let list = send(&site, get("/households", Some(&officer))).await;
    let id: String = list
        .body
        .split("href=\"/households/")
        .skip(1)
        .map(|s| {
            s.chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
        })
        .find(|id| !id.is_empty())
        .expect("a household on the list");
    let household = app
        .store()
        .household(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let q = support::encode(&household.fields.code);
    let found = send(&site, get(&format!("/search?q={q}"), Some(&officer))).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        found.body.contains(&format!("href=\"/households/{id}\"")),
        "{}",
        found.body
    );
    // The province viewer reads no households: the same search lists none.
    let viewer = session(Role::ProvinceViewer).await;
    let found = send(&site, get(&format!("/search?q={q}"), Some(&viewer))).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        !found.body.contains("href=\"/households/"),
        "{}",
        found.body
    );
}
giamngheo_store::store_test!(the_header_search_finds_households_within_the_area);
