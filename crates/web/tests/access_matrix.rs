//! The access matrix, generated from the router: every route the server registers
//! ([`giamngheo_web::route_paths`]), with every method the router answers on it, tried
//! by a user of every role whose area is another province than the data's. Whatever the
//! route, the answer must never carry the other area's personal data (its members' names
//! and citizen IDs), never be a server error, and a request that could change something
//! must change nothing. A new route is in this test the day it is added, so it cannot
//! ship without its access check.
//!
//! The data is the demo (a small Huyện Hương Khê in Hà Tĩnh, province 42, with its
//! reviews, meetings, complaints and certificates); the users are all in Nghệ An (40).

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::NaiveDate;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::reviews::{MeetingInput, SurveyInput};
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::Tier;
use giamngheo_store::Store;
use std::sync::Arc;

mod support;

const PASSWORD: &str = "Sông-Lam-chảy-1975!";
const DEMO_HOUSEHOLDS: usize = 150;

/// What the out-of-area user aims at: real records of the demo in Hà Tĩnh.
struct Target {
    commune: String,
    village: String,
    household: i64,
    household_code: String,
    review: i64,
    meeting: i64,
    complaint: i64,
    review_household: i64,
    /// A user of the target's commune, whom no one of another province may manage.
    user: i64,
    /// Names and citizen IDs of the target household's members: none may appear in an
    /// answer to a user of another province.
    secrets: Vec<String>,
}

/// One request of the matrix and what it answered.
struct Tried {
    role: Role,
    method: Method,
    uri: String,
    status: StatusCode,
    body: String,
}

/// During the 2025 review (for the 2026 lists), so that the target commune's review can
/// be run up to its posting with a meeting, its minutes and a complaint.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 9, 15).unwrap()
}

async fn load(store: Store) -> App {
    let now = today().and_hms_opt(2, 0, 0).unwrap().and_utc();
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    // A database that has not applied the July 2025 reform yet (the units of March 2025
    // only, as a database made before it and not yet run through `units reform`), so
    // that the matrix's users have the district and communes it is written for.
    app.import_units(
        giamngheo_app::units::OFFICIAL_UNITS_CSV.as_bytes(),
        &giamngheo_app::units::UnitImportOptions {
            valid_from: giamngheo_app::units::shipped_history_start(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.load_demo(2021, DEMO_HOUSEHOLDS).await.unwrap();
    app
}

fn system_admin(unit: &str, tier: Tier) -> Actor {
    Actor {
        user_id: 0,
        username: "test.admin".into(),
        role: Role::Admin,
        unit_code: unit.into(),
        unit_tier: tier,
        agency_code: None,
    }
}

/// Runs the first demo commune's review for 2026 to its posting, with a minutes file
/// and a complaint, and picks the records the matrix aims at.
async fn target(app: &App) -> Target {
    let admin = system_admin("42", Tier::Province);
    let communes = app.children(Some("444")).await.unwrap();
    let mut opened = None;
    for c in &communes {
        let id = app
            .open_periodic_review(&admin, &c.code, 2026, "vn-2022")
            .await
            .unwrap();
        if !app.review(&admin, id).await.unwrap().households.is_empty() {
            opened = Some(id);
            break;
        }
    }
    let id = opened.expect("a demo commune with households on its lists");
    let version = |app: &App, id| {
        let admin = admin.clone();
        let app = app.clone();
        async move { app.review(&admin, id).await.unwrap().review.version }
    };
    app.start_survey(&admin, id, version(app, id).await)
        .await
        .unwrap();
    let view = app.review(&admin, id).await.unwrap();
    let mut villages = std::collections::BTreeSet::new();
    for h in &view.households {
        let b = SurveyInput {
            income_per_capita: None,
            score_a: Some(120),
            ticks: vec![
                "health_insurance".into(),
                "sanitation".into(),
                "water".into(),
            ],
            surveyed_by: "Rà soát viên".into(),
            surveyed_on: today(),
        };
        app.record_survey(&admin, id, h.id, h.version, b)
            .await
            .unwrap();
        villages.insert(h.village_code.clone());
    }
    app.start_meetings(&admin, id, version(app, id).await)
        .await
        .unwrap();
    for village in villages {
        let meeting = MeetingInput {
            village_code: village,
            held_on: today(),
            attendees: 20,
            agreeing: 18,
            chaired_by: Some("Trưởng thôn".into()),
            minutes: Some((
                "bien-ban.pdf".into(),
                "application/pdf".into(),
                b"%PDF-1.4 bien ban hop dan".to_vec(),
            )),
        };
        app.record_meeting(&admin, id, meeting).await.unwrap();
    }
    app.start_posting(&admin, id, version(app, id).await, today(), "Nhà văn hóa")
        .await
        .unwrap();
    let view = app.review(&admin, id).await.unwrap();
    let rh = &view.households[0];
    app.record_complaint(
        &admin,
        id,
        Some(rh.household_id),
        "Người dân",
        "Khiếu nại",
        today(),
    )
    .await
    .unwrap();
    let view = app.review(&admin, id).await.unwrap();
    let household = app.household(&admin, rh.household_id).await.unwrap();
    let mut secrets = Vec::new();
    for m in &household.members {
        secrets.push(m.fields.full_name.clone());
    }
    // Read the members from the store so that full citizen IDs are what is looked for.
    for m in app
        .store()
        .members_of(rh.household_id, false)
        .await
        .expect("members of the target household")
    {
        if let Some(id) = m.fields.citizen_id {
            secrets.push(id);
        }
    }
    let user = app
        .add_user_as_system(NewUserInput {
            username: "hatinh.canbo".into(),
            password: PASSWORD.into(),
            role: Role::CommuneOfficer,
            unit_code: view.commune.code.clone(),
        })
        .await
        .unwrap()
        .id;
    Target {
        user,
        commune: view.commune.code.clone(),
        village: household.village.code.clone(),
        household: rh.household_id,
        household_code: household.household.fields.code.clone(),
        review: view.review.id,
        meeting: view.meetings[0].id,
        complaint: view.complaints[0].id,
        review_household: rh.id,
        secrets,
    }
}

/// The users of every role, all in Nghệ An: the province, its first district, the
/// district's first commune and a village made for the village head.
async fn users(app: &App) -> Vec<(Role, String)> {
    let district = app.children(Some("40")).await.unwrap()[0].code.clone();
    let commune = app.children(Some(&district)).await.unwrap()[0].code.clone();
    app.import_villages_as_system(
        format!("commune_code,name,kind\n{commune},Thôn Thử,Thôn\n").as_bytes(),
    )
    .await
    .unwrap();
    let village = app
        .children(Some(&commune))
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == "Thôn Thử")
        .unwrap()
        .code;
    let mut out = Vec::new();
    for role in Role::ALL {
        let unit = match role {
            Role::Admin | Role::Oversight | Role::ProvinceViewer => "40".to_string(),
            Role::Office | Role::AgencyOfficer => district.clone(),
            Role::CommuneOfficer => commune.clone(),
            Role::VillageHead => village.clone(),
        };
        let username = format!("nghean.{}", role.as_str());
        app.add_user_as_system(NewUserInput {
            username: username.clone(),
            password: PASSWORD.into(),
            role,
            unit_code: unit,
        })
        .await
        .unwrap();
        out.push((role, username));
    }
    out
}

/// The status, the `Allow` header and the body of an answer.
async fn send(router: &Router, request: Request<Body>) -> (StatusCode, String, Vec<u8>) {
    let answer = support::send(router, request).await;
    let allow = answer.header(header::ALLOW).to_string();
    (answer.status, allow, answer.bytes)
}

async fn token(router: &Router, username: &str) -> String {
    let body = serde_json::json!({"username": username, "password": PASSWORD}).to_string();
    let request = Request::post("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let (status, _, body) = send(router, request).await;
    assert_eq!(status, StatusCode::OK, "{username} signs in");
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    json["token"].as_str().unwrap().to_string()
}

/// The path with every parameter replaced by the target's record of that kind.
fn concrete(path: &str, t: &Target) -> String {
    let id = if path.contains("/reviews/") {
        t.review
    } else {
        t.household
    };
    path.replace("{id}", &id.to_string())
        .replace("{mid}", &t.meeting.to_string())
        .replace("{cid}", &t.complaint.to_string())
        .replace("{rh}", &t.review_household.to_string())
        .replace("{uid}", &t.user.to_string())
        .replace("{code}", &t.commune)
        .replace("{name}", "ket-qua-ra-soat")
}

/// Query parameters aimed at the target's area, for the routes that take a unit.
fn query(t: &Target) -> String {
    format!(
        "unit={}&period=2025&year=2025&key=poor.households&household={}&q={}&page=1",
        t.commune, t.household, t.household_code
    )
}

/// A body that names the target's area and records in every field a route might read.
fn body(api: bool, t: &Target) -> (&'static str, String) {
    if api {
        let json = serde_json::json!({
            "unit": t.commune, "commune_code": t.commune, "village_code": t.village,
            "household_id": t.household, "name": "Thôn Mới", "kind": "Thôn",
            "code": t.household_code, "version": 1, "members": [],
        });
        ("application/json", json.to_string())
    } else {
        let form = format!(
            "unit={c}&commune_code={c}&village_code={v}&household_id={h}&version=1&name=x&kind=x&code={hc}&period=2025&target=1&reason=x&agree=5&disagree=0&present=5",
            c = t.commune,
            v = t.village,
            h = t.household,
            hc = t.household_code
        );
        ("application/x-www-form-urlencoded", form)
    }
}

/// What the matrix may not find changed after a request that could write: the audit
/// log's length and the target's household and review.
async fn fingerprint(app: &App, t: &Target) -> String {
    let store = app.store();
    let (_, audit) = store.audit_log(1, 0).await.unwrap();
    let household = store.household(t.household).await.unwrap().unwrap();
    let review = store.review(t.review).await.unwrap().unwrap();
    format!(
        "audit={audit} household.version={} review.step={}",
        household.version, review.step
    )
}

/// Paths that sign the caller out: tried last for each user, since afterwards its token
/// no longer opens anything.
fn signs_out(path: &str) -> bool {
    path.ends_with("/logout")
}

async fn every_route_refuses_every_role_of_another_province(store: Store) {
    let app = load(store).await;
    let t = target(&app).await;
    let users = users(&app).await;
    let router = giamngheo_web::router(app.clone());

    let mut paths = giamngheo_web::route_paths();
    paths.sort_by_key(|p| signs_out(p));
    assert!(
        paths.len() > 40,
        "the router lists its routes ({})",
        paths.len()
    );

    // The detector works: the same requests by a user of Hà Tĩnh find the secrets.
    let own = {
        app.add_user_as_system(NewUserInput {
            username: "hatinh.admin".into(),
            password: PASSWORD.into(),
            role: Role::Admin,
            unit_code: "42".into(),
        })
        .await
        .unwrap();
        token(&router, "hatinh.admin").await
    };
    let (status, _, page) = send(
        &router,
        Request::get(format!("/households/{}", t.household))
            .header(header::AUTHORIZATION, format!("Bearer {own}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8_lossy(&page);
    assert!(
        t.secrets.iter().any(|s| page.contains(s.as_str())),
        "the household page shows its members to its own province"
    );

    let probe = Method::from_bytes(b"PROBE").unwrap();
    let mut tried: Vec<Tried> = Vec::new();
    for (role, username) in &users {
        let bearer = format!("Bearer {}", token(&router, username).await);
        for path in &paths {
            let uri = concrete(path, &t);
            // The router itself says which methods the path has.
            let (_, allow, _) = send(
                &router,
                Request::builder()
                    .method(probe.clone())
                    .uri(&uri)
                    .header(header::AUTHORIZATION, &bearer)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            let methods: Vec<Method> = allow
                .split(',')
                .filter_map(|m| Method::from_bytes(m.trim().as_bytes()).ok())
                .filter(|m| *m != Method::HEAD && *m != Method::OPTIONS)
                .collect();
            assert!(!methods.is_empty(), "{path} answers some method");
            for method in methods {
                let full = format!("{uri}?{}", query(&t));
                let before = fingerprint(&app, &t).await;
                let mut request = Request::builder()
                    .method(method.clone())
                    .uri(&full)
                    .header(header::AUTHORIZATION, &bearer);
                let request = if method == Method::GET {
                    request.body(Body::empty()).unwrap()
                } else {
                    let (content_type, payload) = body(path.starts_with("/api/"), &t);
                    request = request.header(header::CONTENT_TYPE, content_type);
                    request.body(Body::from(payload)).unwrap()
                };
                let (status, _, answer) = send(&router, request).await;
                let answer = String::from_utf8_lossy(&answer).to_string();
                if method != Method::GET {
                    let after = fingerprint(&app, &t).await;
                    assert_eq!(
                        before, after,
                        "{role} {method} {full} changed another province's data"
                    );
                }
                tried.push(Tried {
                    role: *role,
                    method,
                    uri: full,
                    status,
                    body: answer,
                });
            }
        }
    }

    let mut failures = Vec::new();
    for t2 in &tried {
        if t2.status.is_server_error() {
            failures.push(format!(
                "{} {} {} → {}",
                t2.role, t2.method, t2.uri, t2.status
            ));
        }
        // A write aimed at another province is refused outright, not accepted as a
        // change of nothing; signing out ends only the caller's own session.
        let own_session = signs_out(t2.uri.split('?').next().unwrap_or(""));
        if t2.method != Method::GET && !own_session && !t2.status.is_client_error() {
            failures.push(format!(
                "{} {} {} → {}: a write into another province is not refused",
                t2.role, t2.method, t2.uri, t2.status
            ));
        }
        if t.secrets.iter().any(|s| t2.body.contains(s.as_str())) {
            failures.push(format!(
                "{} {} {} → {} shows another province's personal data",
                t2.role, t2.method, t2.uri, t2.status
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} requests failed:\n{}",
        failures.len(),
        tried.len(),
        failures.join("\n")
    );
    // Most requests aimed at another province's records are refused outright.
    let refused = tried
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                StatusCode::NOT_FOUND | StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
            )
        })
        .count();
    assert!(
        refused * 2 > tried.len(),
        "{refused} of {} requests refused",
        tried.len()
    );
    eprintln!(
        "access matrix: {} routes, {} requests, {refused} refused",
        paths.len(),
        tried.len()
    );
}

giamngheo_store::store_test!(every_route_refuses_every_role_of_another_province);
