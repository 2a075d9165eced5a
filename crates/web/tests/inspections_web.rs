//! Inspections in a browser's shoes and through the API, on every backend: the office
//! plans an inspection of a commune, the inspecting agency records it, draws a random
//! sample (shown by household code and head within the user's area, by number to a
//! province viewer) and records a finding with its required action, responsible agency
//! and deadline; the finding is in the one findings list, and the responsible agency
//! closes it. Each role may do only its part; another area's user finds nothing. Also:
//! a closed district's tasks are found by its code for the years it existed.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use giamngheo_app::access::Role;
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::Hierarchy;
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_store::Store;
use std::sync::Arc;
use support::*;

mod support;

const PASSWORD: &str = "mật khẩu đủ dài";

fn app_at(store: Store, y: i32, m: u32, d: u32) -> App {
    let now = NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    App::new(
        store,
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    )
}

async fn units(app: &App) {
    app.import_units(
        "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
         444,Huyện Hương Khê,Huyện,2,42\n445,Huyện Khác,Huyện,2,42\n\
         18499,Xã Điền Mỹ,Xã,3,444\n18520,Xã Khác,Xã,3,445\n"
            .as_bytes(),
        &UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
}

async fn user(app: &App, username: &str, role: Role, unit: &str, agency: Option<&str>) {
    let u = app
        .add_user_as_system(NewUserInput {
            username: username.into(),
            password: PASSWORD.into(),
            role,
            unit_code: unit.into(),
        })
        .await
        .unwrap();
    app.store().set_user_agency(u.id, agency).await.unwrap();
}

/// Tuesday 15 March 2022: commune 18499 with ten households, and the users of each role.
async fn site(store: Store) -> Router {
    let app = app_at(store, 2022, 3, 15);
    units(&app).await;
    app.import_villages_as_system("commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n".as_bytes())
        .await
        .unwrap();
    let drafts: Vec<DraftInput> = (0..10)
        .map(|i| {
            DraftInput::form(HouseholdDraft {
                code: format!("H{i:02}"),
                village_code: "18499001".into(),
                address: "Xóm 1".into(),
                members: vec![MemberDraft {
                    full_name: format!("Trần Thị Chủ {i}"),
                    sex: Some(Sex::Female),
                    birth_year: Some(1970),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    ..Default::default()
                }],
                ..Default::default()
            })
        })
        .collect();
    app.create_households(By::System, drafts, "test")
        .await
        .unwrap();
    user(
        &app,
        "ldtbxh.huongkhe",
        Role::Office,
        "444",
        Some("444-ldtbxh"),
    )
    .await;
    user(
        &app,
        "yte.huongkhe",
        Role::AgencyOfficer,
        "444",
        Some("444-yte"),
    )
    .await;
    user(
        &app,
        "mttq.huongkhe",
        Role::Oversight,
        "444",
        Some("444-mttq"),
    )
    .await;
    user(&app, "xem.hatinh", Role::ProvinceViewer, "42", None).await;
    user(&app, "ldtbxh.khac", Role::Office, "445", None).await;
    giamngheo_web::router(app)
}

async fn session(site: &Router, username: &str) -> String {
    sign_in_answer(site, username, PASSWORD)
        .await
        .cookie("gn_session")
        .unwrap()
}

/// A form post with the session and the CSRF token of a page the user opened.
async fn post(site: &Router, session: &str, uri: &str, fields: &[(&str, &str)]) -> Answer {
    let page = send(site, get("/inspections", Some(session))).await;
    let csrf = page.csrf_field();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    send(
        site,
        post_form(uri, Some(&format!("gn_session={session}")), &all),
    )
    .await
}

async fn token(site: &Router, username: &str) -> String {
    let login = send(
        site,
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::json!({"username": username, "password": PASSWORD}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    login.json()["token"].as_str().unwrap().to_string()
}

fn api(method: &str, uri: &str, token: &str, body: Option<serde_json::Value>) -> Request<Body> {
    let r = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(b) => r
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    }
}

async fn an_inspection_is_planned_recorded_sampled_and_its_finding_closed(store: Store) {
    let site = site(store).await;
    let office = session(&site, "ldtbxh.huongkhe").await;
    let health = session(&site, "yte.huongkhe").await;
    let oversight = session(&site, "mttq.huongkhe").await;
    let viewer = session(&site, "xem.hatinh").await;
    let elsewhere = session(&site, "ldtbxh.khac").await;

    // The office finds the page in its menu, with the plan form.
    let list = send(
        &site,
        get("/inspections?unit=18499&year=2022", Some(&office)),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body
            .contains("<a href=\"/inspections\">Kiểm tra, giám sát</a>")
    );
    assert!(list.body.contains("Lập kế hoạch kiểm tra"));
    assert!(list.body.contains("Năm này chưa có đợt kiểm tra nào."));
    // Oversight reads the page without the form; an agency may not plan.
    let read = send(
        &site,
        get("/inspections?unit=18499&year=2022", Some(&oversight)),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("Lập kế hoạch kiểm tra"));
    let plan = [
        ("unit", "18499"),
        ("year", "2022"),
        ("inspecting_agency", "444-ldtbxh"),
        ("subject_kind", "review"),
        ("subject_code", "2022"),
        ("planned_on", "10/03/2022"),
    ];
    let refused = post(&site, &health, "/inspections", &plan).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A date that is not one is named, and nothing is planned.
    let mut bad = plan;
    bad[5] = ("planned_on", "31/02/2022");
    let invalid = post(&site, &office, "/inspections", &bad).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let planned = post(&site, &office, "/inspections", &plan).await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    let page_uri = planned.location().split('?').next().unwrap().to_string();
    let id: i64 = page_uri.rsplit('/').next().unwrap().parse().unwrap();
    let list = send(
        &site,
        get("/inspections?unit=18499&year=2022", Some(&office)),
    )
    .await;
    assert_eq!(
        list.body.matches(&format!("href=\"{page_uri}\"")).count(),
        2
    );
    assert!(list.body.contains("Rà soát hộ nghèo, hộ cận nghèo (2022)"));

    // The inspecting agency (here the office's own department) records and samples.
    let recorded = post(
        &site,
        &office,
        &format!("{page_uri}/record"),
        &[
            ("version", "1"),
            ("held_on", "10/03/2022"),
            ("members", "Trưởng đoàn: Phòng LĐ-TB&XH"),
            ("checked", "Hồ sơ rà soát, biên bản họp dân"),
        ],
    )
    .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let sampled = post(
        &site,
        &office,
        &format!("{page_uri}/sample"),
        &[("method", "random"), ("size", "4"), ("seed", "7")],
    )
    .await;
    assert_eq!(sampled.status, StatusCode::SEE_OTHER, "{}", sampled.body);
    let again = post(
        &site,
        &office,
        &format!("{page_uri}/sample"),
        &[("method", "random"), ("size", "4"), ("seed", "8")],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let page = send(&site, get(&page_uri, Some(&office))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Ngẫu nhiên, hạt giống 7"));
    assert!(page.body.contains("10/03/2022"));
    assert_eq!(
        page.body.matches(" — Trần Thị Chủ ").count(),
        4 * 2,
        "in the list and the form's choices"
    );
    // A province viewer reads aggregates only: the households by number.
    let numbers = send(&site, get(&page_uri, Some(&viewer))).await;
    assert_eq!(numbers.status, StatusCode::OK);
    assert!(!numbers.body.contains("Trần Thị"));
    assert_eq!(numbers.body.matches("Hộ số ").count(), 4);

    // The sample through the API: the same households, with code and head.
    let office_token = token(&site, "ldtbxh.huongkhe").await;
    let detail = send(
        &site,
        api(
            "GET",
            &format!("/api/v1/inspections/{id}"),
            &office_token,
            None,
        ),
    )
    .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    let json = detail.json();
    assert_eq!(json["inspection"]["sample_seed"], 7);
    assert_eq!(json["inspection"]["held_on"], "10/03/2022");
    let sample = json["sample"].as_array().unwrap();
    assert_eq!(sample.len(), 4);
    assert!(
        sample
            .iter()
            .all(|s| s["head_name"].as_str().unwrap().starts_with("Trần Thị"))
    );
    let household = sample[0]["household_id"].as_i64().unwrap().to_string();

    // A finding with its required action, responsible agency and deadline.
    let finding = [
        ("kind", "wrong_class"),
        ("household_id", household.as_str()),
        ("evidence", "Hộ có nhà kiên cố; phiếu B ghi thiếu hụt nhà ở"),
        ("required_action", "Rà soát lại, trình UBND xã"),
        ("responsible_agency", "444-yte"),
        ("deadline", "15/04/2022"),
    ];
    let mut no_deadline = finding;
    no_deadline[5] = ("deadline", "");
    let invalid = post(
        &site,
        &office,
        &format!("{page_uri}/findings"),
        &no_deadline,
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.body.contains("cần ghi ngày"), "{}", invalid.body);
    let not_theirs = post(&site, &health, &format!("{page_uri}/findings"), &finding).await;
    assert_eq!(not_theirs.status, StatusCode::FORBIDDEN);
    let added = post(&site, &office, &format!("{page_uri}/findings"), &finding).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = send(&site, get(&page_uri, Some(&oversight))).await;
    assert!(page.body.contains("Phân loại hộ chưa đúng"));
    assert!(page.body.contains("15/04/2022"));
    assert!(page.body.contains("Rà soát lại, trình UBND xã"));
    assert!(
        !page.body.contains("Ghi phát hiện</button>"),
        "oversight has no forms"
    );

    // Another area's office finds nothing, by page or API, and changes nothing.
    for uri in [
        page_uri.clone(),
        "/inspections?unit=18499&year=2022".to_string(),
    ] {
        let seen = send(&site, get(&uri, Some(&elsewhere))).await;
        assert_eq!(seen.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!seen.body.contains("Trần Thị"));
    }
    let foreign = post(&site, &elsewhere, &format!("{page_uri}/findings"), &finding).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let other_token = token(&site, "ldtbxh.khac").await;
    let foreign = send(
        &site,
        api(
            "GET",
            &format!("/api/v1/inspections/{id}"),
            &other_token,
            None,
        ),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    // The API lists and plans; an agency may not plan there either.
    let listed = send(
        &site,
        api(
            "GET",
            "/api/v1/inspections?unit=18499&year=2022",
            &office_token,
            None,
        ),
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK);
    let items = listed.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["planned_on"], "10/03/2022");
    assert_eq!(items[0]["inspecting_agency"], "444-ldtbxh");
    let body = serde_json::json!({
        "unit": "18499", "year": 2022, "inspecting_agency": "444-yte",
        "subject_kind": "policy", "subject_code": "bhyt", "planned_on": "20/05/2022",
    });
    let health_token = token(&site, "yte.huongkhe").await;
    let denied = send(
        &site,
        api(
            "POST",
            "/api/v1/inspections",
            &health_token,
            Some(body.clone()),
        ),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let created = send(
        &site,
        api("POST", "/api/v1/inspections", &office_token, Some(body)),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    // The finding is in the one findings list, with its deadline and inspection.
    let oversight_token = token(&site, "mttq.huongkhe").await;
    let findings = send(
        &site,
        api("GET", "/api/v1/findings?unit=18499", &oversight_token, None),
    )
    .await;
    assert_eq!(findings.status, StatusCode::OK, "{}", findings.body);
    let items = findings.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let f = &items[0];
    assert_eq!(f["source"], "inspection");
    assert_eq!(f["deadline"], "15/04/2022");
    assert_eq!(f["inspection_id"], id);
    assert_eq!(f["responsible_agency"], "444-yte");
    let fid = f["id"].as_i64().unwrap();

    // One close rule: oversight reads only; the responsible agency closes, with a note.
    let page = send(&site, get("/findings?unit=18499", Some(&oversight))).await;
    assert!(!page.body.contains(&format!("/findings/{fid}/close")));
    let page = send(&site, get("/findings?unit=18499", Some(&health))).await;
    assert!(
        page.body.contains(&format!("/findings/{fid}/close")),
        "{}",
        page.body
    );
    let close = [
        ("status", "corrected"),
        ("note", "Đã điều chỉnh phân loại hộ"),
    ];
    let refused = post(&site, &oversight, &format!("/findings/{fid}/close"), &close).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let closed = post(&site, &health, &format!("/findings/{fid}/close"), &close).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let findings = send(
        &site,
        api("GET", "/api/v1/findings?unit=18499", &oversight_token, None),
    )
    .await;
    let f = &findings.json()["items"][0];
    assert_eq!(f["status"], "corrected");
    assert_eq!(f["closed_by"], "yte.huongkhe");
}
giamngheo_store::store_test!(an_inspection_is_planned_recorded_sampled_and_its_finding_closed);

/// District 444 was closed by the July 2025 reform (its commune now under the province);
/// in September 2025 the province's oversight reads its 2021 plan by its code.
async fn a_closed_districts_tasks_are_found_by_its_code(store: Store) {
    let app = app_at(store, 2025, 9, 15);
    units(&app).await;
    app.load_seed_plan_tasks().await.unwrap();
    app.import_units(
        "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
         18499,Xã Điền Mỹ,Xã,2,42\n18520,Xã Khác,Xã,2,42\n"
            .as_bytes(),
        &UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            retire_missing: true,
            hierarchy: Some(Hierarchy::three_levels()),
        },
    )
    .await
    .unwrap();
    assert!(
        app.unit("444").await.unwrap().valid_to.is_some(),
        "444 is closed"
    );
    user(&app, "mttq.hatinh", Role::Oversight, "42", None).await;
    let site = giamngheo_web::router(app);
    let token = token(&site, "mttq.hatinh").await;
    let answer = send(
        &site,
        api("GET", "/api/v1/tasks?unit=444&year=2021", &token, None),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json = answer.json();
    assert_eq!(json["unit_code"], "444");
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 19);
    assert!(
        items
            .iter()
            .all(|i| i["agency"].as_str().unwrap().starts_with("444-"))
    );
    assert!(
        items
            .iter()
            .all(|i| i["due"].as_str().is_none_or(|d| d.ends_with("/2021")))
    );
}
giamngheo_store::store_test!(a_closed_districts_tasks_are_found_by_its_code);
