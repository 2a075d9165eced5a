//! `/api/v1/policies`, `/api/v1/coverage` and `/api/v1/coverage/uncovered`: the JSON
//! shapes the issue names (integers, the rate a number, total = not_covered), the
//! grouping by the units below, and the errors for a bad request.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::policies::benefits::BenefitInput;
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{ClassificationFields, Store};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

use giamngheo_store::store_test as web_test;

const PASSWORD: &str = "mật khẩu thử đủ dài 2026";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, serde_json::Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

fn get(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

async fn token(router: &Router, username: &str) -> String {
    let body = serde_json::json!({"username": username, "password": PASSWORD}).to_string();
    let (status, json) = send(
        router,
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    json["token"].as_str().unwrap().to_string()
}

fn classification(id: i64, village: &str, status: &str) -> ClassificationFields {
    ClassificationFields {
        household_id: id,
        province_code: "42".into(),
        district_code: None,
        commune_code: village[..5].to_string(),
        village_code: village.to_string(),
        period: 2026,
        standard: "vn-2022".into(),
        kind: "baseline".into(),
        review_id: None,
        status: status.into(),
        area: "rural".into(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: 0,
        deprived: String::new(),
        reasons: String::new(),
        transition: None,
        member_count: 2,
        causes: String::new(),
        decision_number: None,
        decision_date: None,
        effective_date: date(2026, 1, 1),
        approved_by: "test".into(),
        approved_at: "2026-01-01T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

/// Province 42 with commune 18496 and one village; two poor households of two people,
/// one of whom holds a card: 4 eligible, 1 covered.
async fn site(store: Store) -> (Router, App) {
    let now = date(2026, 11, 20).and_hms_opt(2, 0, 0).unwrap().and_utc();
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::three_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    );
    app.import_units(
        "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n18496,Xã Hương Khê,Xã,2,42\n"
            .as_bytes(),
        &UnitImportOptions {
            valid_from: date(2025, 7, 1),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system("commune_code,name,kind\n18496,Thôn Một,Thôn\n".as_bytes())
        .await
        .unwrap();
    for (username, role) in [
        ("so.ha.tinh", Role::Office),
        ("xem.tinh", Role::ProvinceViewer),
        ("mttq.tinh", Role::Oversight),
    ] {
        app.add_user_as_system(NewUserInput {
            username: username.into(),
            password: PASSWORD.into(),
            role,
            unit_code: "42".into(),
        })
        .await
        .unwrap();
    }
    let person = |name: &str, relation: &str| MemberDraft {
        full_name: name.into(),
        sex: Some(Sex::Female),
        birth_year: Some(1980),
        ethnicity: "01".into(),
        relation: relation.into(),
        work_status: Some("employed".into()),
        ..Default::default()
    };
    let drafts = (0..2)
        .map(|i| {
            DraftInput::form(HouseholdDraft {
                code: format!("H{i}"),
                village_code: "18496001".into(),
                address: "Xóm 1".into(),
                members: vec![
                    person("Nguyễn Thị Lan", "head"),
                    person("Trần Văn Nam", "spouse"),
                ],
                ..Default::default()
            })
        })
        .collect();
    let ids = app
        .create_households(By::System, drafts, "test")
        .await
        .unwrap();
    let rows: Vec<_> = ids
        .iter()
        .map(|id| classification(*id, "18496001", "poor"))
        .collect();
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    let member = app.store().members_of(ids[0], false).await.unwrap()[0].id;
    let office = Actor {
        user_id: 1,
        username: "so.ha.tinh".into(),
        role: Role::Office,
        unit_code: "42".into(),
        unit_tier: Tier::Province,
        agency_code: None,
    };
    app.record_benefit(
        &office,
        BenefitInput {
            household_id: ids[0],
            member_id: Some(member),
            policy: "bhyt".into(),
            valid_from: Some(date(2026, 1, 1)),
            valid_to: Some(date(2026, 12, 31)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (giamngheo_web::router(app.clone()), app)
}

async fn coverage_api_answers_the_shapes_the_issue_names(store: Store) {
    let (router, _app) = site(store).await;
    let office = token(&router, "so.ha.tinh").await;

    let (status, json) = send(&router, get("/api/v1/policies", &office)).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let items = json["items"].as_array().unwrap();
    let bhyt = items.iter().find(|p| p["code"] == "bhyt").expect("bhyt");
    assert_eq!(bhyt["name"], "Thẻ bảo hiểm y tế");
    assert_eq!(bhyt["beneficiary"], "person");
    // A card carries no quantity; a course is counted in months of training.
    assert!(bhyt["quantity_unit"].is_null(), "{bhyt}");
    let training = items
        .iter()
        .find(|p| p["code"] == "vocational_training")
        .expect("vocational_training");
    assert_eq!(training["quantity_unit"]["name"], "tháng đào tạo");
    assert_eq!(training["quantity_unit"]["name_en"], "months of training");

    let (status, json) = send(
        &router,
        get("/api/v1/coverage?unit=18496&year=2026&policy=bhyt", &office),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row["policy"], "bhyt");
    assert_eq!(row["unit"], "18496");
    assert!(row["eligible"].is_i64() && row["covered"].is_i64() && row["not_covered"].is_i64());
    assert_eq!(
        (
            row["eligible"].as_i64(),
            row["covered"].as_i64(),
            row["not_covered"].as_i64()
        ),
        (Some(4), Some(1), Some(3))
    );
    assert!(row["rate"].is_number());
    assert_eq!(row["rate"].as_f64(), Some(25.0));
    // Today is 20/11/2026, in the year asked.
    assert_eq!(json["as_of"], "2026-11-20");

    let (status, json) = send(
        &router,
        get(
            "/api/v1/coverage/uncovered?unit=18496&year=2026&policy=bhyt",
            &office,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["total"].as_u64(), Some(3));
    assert_eq!(json["items"].as_array().unwrap().len(), 3);
    assert!(json["items"][0]["member_name"].is_string());

    // The province by the units below it: one row per commune.
    let (status, json) = send(
        &router,
        get(
            "/api/v1/coverage?unit=42&year=2026&policy=bhyt&by=child",
            &office,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["unit"], "18496");
    assert_eq!(rows[0]["covered"].as_i64(), Some(1));

    // A province viewer gets the list without a name.
    let viewer = token(&router, "xem.tinh").await;
    let (status, json) = send(
        &router,
        get(
            "/api/v1/coverage/uncovered?unit=18496&year=2026&policy=bhyt",
            &viewer,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["total"].as_u64(), Some(3));
    assert!(!json.to_string().contains("Lan") && !json.to_string().contains("Nam"));

    // Errors: an unknown policy is 404; a bad grouping, a missing policy for the list 422.
    let (status, _) = send(
        &router,
        get("/api/v1/coverage?unit=18496&year=2026&policy=nope", &office),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        &router,
        get("/api/v1/coverage?unit=18496&by=parent", &office),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = send(
        &router,
        get("/api/v1/coverage/uncovered?unit=18496", &office),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
web_test!(coverage_api_answers_the_shapes_the_issue_names);

/// Signs in through the login page; returns the session cookie.
async fn page_session(router: &Router, username: &str) -> String {
    let raw = |request: Request<Body>| async {
        let response = router.clone().oneshot(request).await.unwrap();
        let cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
            .collect();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, cookies, String::from_utf8(body.to_vec()).unwrap())
    };
    let (_, cookies, body) = raw(Request::get("/login").body(Body::empty()).unwrap()).await;
    let login = cookies
        .iter()
        .find(|c| c.starts_with("gn_login="))
        .unwrap()
        .clone();
    let at = body.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = &body[at..at + body[at..].find('"').unwrap()];
    let form = format!(
        "username={username}&password={}&csrf={csrf}&next=%2F",
        PASSWORD
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            })
            .collect::<String>()
    );
    let (status, cookies, _) = raw(Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &login)
        .body(Body::from(form))
        .unwrap())
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    cookies
        .into_iter()
        .find(|c| c.starts_with("gn_session="))
        .unwrap()
}

async fn page(router: &Router, uri: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
    let response = router
        .clone()
        .oneshot(
            Request::get(uri)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

async fn the_coverage_page_is_in_the_menu_and_exports_the_uncovered_list(store: Store) {
    let (router, _app) = site(store).await;
    let office = page_session(&router, "so.ha.tinh").await;
    let (status, home) = page(&router, "/", &office).await;
    assert_eq!(status, StatusCode::OK);
    let home = String::from_utf8(home).unwrap();
    let menu = &home[home.find("<nav").unwrap()..home.find("</nav>").unwrap()];
    assert!(
        menu.contains("href=\"/coverage\">Bao phủ chính sách<"),
        "{menu}"
    );

    let (status, body) = page(&router, "/coverage?unit=18496&year=2026", &office).await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Thẻ bảo hiểm y tế"));
    // Drill-down: the card's row by the units below, then the list of the 3 not covered.
    assert!(body.contains("/coverage/uncovered?unit=18496&amp;year=2026&amp;policy=bhyt"));
    let (status, body) = page(
        &router,
        "/coverage/uncovered?unit=18496&year=2026&policy=bhyt",
        &office,
    )
    .await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(": 3 đối tượng"), "{body}");

    // The .xlsx, read back: a title, the headings, and the three people.
    let (status, bytes) = page(
        &router,
        "/coverage/uncovered.xlsx?unit=18496&year=2026&policy=bhyt",
        &office,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.height(), 5, "title, headings, 3 people");
    assert_eq!(sheet.get((1, 3)).unwrap().to_string(), "Người được hưởng");
    let names: Vec<String> = (2..5)
        .map(|r| sheet.get((r, 3)).unwrap().to_string())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n == "Nguyễn Thị Lan" || n == "Trần Văn Nam"),
        "{names:?}"
    );

    // A date given is counted on and carried by every link: to the report, to the units
    // below, to the list of those not covered and to its file.
    let (status, body) = page(
        &router,
        "/coverage?unit=18496&year=2026&as_of=30/06/2026",
        &office,
    )
    .await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Đếm ngày 30/06/2026"), "{body}");
    assert!(
        body.contains(
            "/reports/bao-phu-chinh-sach?unit=18496&amp;period=2026&amp;as_of=2026-06-30"
        ),
        "{body}"
    );
    assert!(
        body.contains("&amp;policy=bhyt&amp;as_of=2026-06-30\""),
        "{body}"
    );
    let (status, body) = page(
        &router,
        "/coverage/uncovered?unit=18496&year=2026&policy=bhyt&as_of=2026-06-30",
        &office,
    )
    .await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("ngày 30/06/2026"), "{body}");
    assert!(
        body.contains(
            "/coverage/uncovered.xlsx?unit=18496&amp;year=2026&amp;policy=bhyt&amp;as_of=2026-06-30"
        ),
        "{body}"
    );
    // A report asked for a date links its coverage figures to the list on that date.
    let (status, body) = page(
        &router,
        "/reports/bao-phu-chinh-sach?unit=18496&period=2026&as_of=30/06/2026",
        &office,
    )
    .await;
    // The report page escapes a link's `&` as `&#38;`.
    let body = String::from_utf8(body).unwrap().replace("&#38;", "&amp;");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("&amp;policy=bhyt&amp;as_of=2026-06-30"),
        "{body}"
    );
    // A date that is not one is refused, naming the field.
    let (status, body) = page(&router, "/coverage?unit=18496&as_of=31/02/2026", &office).await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("ngày không hợp lệ"), "{body}");
}
web_test!(the_coverage_page_is_in_the_menu_and_exports_the_uncovered_list);

/// Posts a form with the session cookie, as a browser does.
async fn post_form(router: &Router, uri: &str, cookie: &str, form: String) -> StatusCode {
    post_form_body(router, uri, cookie, form).await.0
}

async fn post_form_body(
    router: &Router,
    uri: &str,
    cookie: &str,
    form: String,
) -> (StatusCode, String) {
    let response = router
        .clone()
        .oneshot(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookie)
                .body(Body::from(form))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// The household page lists the household's benefits and records one through its form;
/// a bad date is refused with its field named and records nothing.
async fn a_benefit_is_recorded_on_the_household_page(store: Store) {
    let (router, app) = site(store).await;
    let household = app
        .store()
        .household_by_code("18496", "H1")
        .await
        .unwrap()
        .unwrap();
    let id = household.id;
    let member = app.store().members_of(id, false).await.unwrap()[1].id;
    let office = page_session(&router, "so.ha.tinh").await;
    let uri = format!("/households/{id}");
    let (status, body) = page(&router, &uri, &office).await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Chính sách đã hưởng"), "{body}");
    assert!(body.contains("Chưa có chính sách nào được ghi nhận."));
    let action = format!("action=\"/households/{id}/benefits\"");
    assert!(body.contains(&action), "{body}");
    let at = body.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = body[at..at + body[at..].find('"').unwrap()].to_string();
    let post = format!("/households/{id}/benefits");

    // A day that does not exist is refused, naming the field by its label, and nothing
    // is recorded.
    let bad = format!(
        "csrf={csrf}&policy=bhyt&member={member}&valid_from=31%2F02%2F2026&valid_to=&amount=&reference="
    );
    let (status, refused) = post_form_body(&router, &post, &office, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    // The household page comes back with the form as typed and the problem next to the
    // date, in words rather than the field's internal name.
    let at = refused.find("name=\"valid_from\"").expect("the entry form");
    let next = &refused[at..at + refused[at..].find("</label>").unwrap()];
    assert!(next.contains("value=\"31/02/2026\""), "{next}");
    let problem = &next[next
        .find("field-error")
        .expect("a problem next to the date")..];
    assert!(!problem.contains("valid_from"), "{problem}");
    assert!(app.store().household_benefits(id).await.unwrap().is_empty());

    let good = format!(
        "csrf={csrf}&policy=bhyt&member={member}&valid_from=01%2F02%2F2026&valid_to=31%2F12%2F2026&amount=1.500.000&reference=HT-0042"
    );
    assert_eq!(
        post_form(&router, &post, &office, good).await,
        StatusCode::SEE_OTHER
    );
    let (_, body) = page(&router, &uri, &office).await;
    let body = String::from_utf8(body).unwrap();
    let section = &body[body.find("id=\"benefits\"").unwrap()..];
    let section = &section[..section.find("</table>").unwrap()];
    assert!(
        section.contains("<td>Thẻ bảo hiểm y tế</td><td>Trần Văn Nam</td>"),
        "{section}"
    );
    assert!(section.contains("01/02/2026 – 31/12/2026"), "{section}");
    assert!(section.contains("1.500.000"), "{section}");
    assert!(section.contains("HT-0042"), "{section}");
    assert_eq!(app.store().household_benefits(id).await.unwrap().len(), 1);

    // Oversight reads the section but may not record: no form, and the server refuses
    // a forged post.
    let oversight = page_session(&router, "mttq.tinh").await;
    let (status, body) = page(&router, &uri, &oversight).await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("HT-0042"), "{body}");
    assert!(!body.contains(&action), "{body}");
    let at = body.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = body[at..at + body[at..].find('"').unwrap()].to_string();
    let forged = format!(
        "csrf={csrf}&policy=bhyt&member={member}&valid_from=01%2F03%2F2026&amount=&reference="
    );
    assert_eq!(
        post_form(&router, &post, &oversight, forged).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.store().household_benefits(id).await.unwrap().len(), 1);
}
web_test!(a_benefit_is_recorded_on_the_household_page);

/// The id of household `code` of the fixture's commune.
async fn household_id(app: &App, code: &str) -> i64 {
    app.store()
        .household_by_code("18496", code)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The csrf token of a page.
fn csrf_of(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

/// A benefit is corrected on the household page: the correction needs a reason, becomes
/// a new row superseding the old one (kept, struck through), and is audited; a row of
/// another household, or a role that may not record, is refused and nothing changes.
async fn a_benefit_is_corrected_on_the_household_page(store: Store) {
    let (router, app) = site(store).await;
    let h0 = household_id(&app, "H0").await;
    let h1 = household_id(&app, "H1").await;
    let card = app.store().household_benefits(h0).await.unwrap()[0].id;
    let office = page_session(&router, "so.ha.tinh").await;
    let uri = format!("/households/{h0}");
    let (_, body) = page(&router, &uri, &office).await;
    let body = String::from_utf8(body).unwrap();
    let action = format!("action=\"/households/{h0}/benefits/{card}/correct\"");
    assert!(body.contains(&action), "{body}");
    // The form starts from the row's own values.
    assert!(body.contains("value=\"31/12/2026\""), "{body}");
    let csrf = csrf_of(&body);
    let post = format!("/households/{h0}/benefits/{card}/correct");
    let member = app.store().household_benefits(h0).await.unwrap()[0]
        .member_id
        .unwrap();
    let values = format!(
        "csrf={csrf}&policy=&member={member}&valid_from=01%2F01%2F2026&valid_to=30%2F06%2F2026&amount=&quantity=&reference=TE-0001"
    );

    // Without a reason: refused, naming the field by its label; nothing changes.
    let (status, refused) =
        post_form_body(&router, &post, &office, format!("{values}&reason=")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.contains("Lý do sửa"), "{refused}");
    assert_eq!(app.store().household_benefits(h0).await.unwrap().len(), 1);

    // Under another household's address: not found.
    let elsewhere = format!("/households/{h1}/benefits/{card}/correct");
    let (status, _) = post_form_body(
        &router,
        &elsewhere,
        &office,
        format!("{values}&reason=Sai+ng%C3%A0y"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.store().household_benefits(h0).await.unwrap().len(), 1);

    // With a reason: a new row supersedes the old one, which stays, voided.
    let (status, body) = post_form_body(
        &router,
        &post,
        &office,
        format!("{values}&reason=Th%E1%BA%BB+h%E1%BA%BFt+h%E1%BA%A1n+s%E1%BB%9Bm"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let rows = app.store().household_benefits(h0).await.unwrap();
    assert_eq!(rows.len(), 2);
    let old = rows.iter().find(|r| r.id == card).unwrap();
    let new = rows.iter().find(|r| r.id != card).unwrap();
    assert!(old.voided_at.is_some());
    assert_eq!(new.supersedes, Some(card));
    assert_eq!(new.valid_to, Some(date(2026, 6, 30)));
    assert_eq!(new.reference.as_deref(), Some("TE-0001"));
    let audit = app.store().audit_for_household(h0, 10).await.unwrap();
    let entry = audit
        .iter()
        .find(|a| a.entry.action == "benefit.correct")
        .unwrap();
    assert_eq!(entry.entry.reason.as_deref(), Some("Thẻ hết hạn sớm"));
    assert_eq!(entry.entry.username, "so.ha.tinh");
    // The page strikes the old row through and offers the correction on the new one only.
    let (_, body) = page(&router, &uri, &office).await;
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("class=\"superseded\""), "{body}");
    assert!(!body.contains(&action), "{body}");
    assert!(
        body.contains(&format!("/benefits/{}/correct", new.id)),
        "{body}"
    );
    // The old row cannot be corrected again.
    let (status, _) = post_form_body(
        &router,
        &post,
        &office,
        format!("{values}&reason=L%E1%BA%A7n+n%E1%BB%AFa"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Oversight sees no correction form and is refused a forged one.
    let oversight = page_session(&router, "mttq.tinh").await;
    let (_, body) = page(&router, &uri, &oversight).await;
    let body = String::from_utf8(body).unwrap();
    assert!(!body.contains("/correct\""), "{body}");
    let forged = format!(
        "csrf={}&policy=&member={member}&valid_from=01%2F01%2F2026&valid_to=&amount=&quantity=&reference=&reason=x",
        csrf_of(&body)
    );
    let new_post = format!("/households/{h0}/benefits/{}/correct", new.id);
    assert_eq!(
        post_form(&router, &new_post, &oversight, forged).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.store().household_benefits(h0).await.unwrap().len(), 2);
}
web_test!(a_benefit_is_corrected_on_the_household_page);

/// A policy whose unit counts a quantity (land, in m²) asks for it: without one it is
/// refused naming the field, with one it is recorded and shown with its unit.
async fn a_quantity_is_recorded_where_the_policy_counts_one(store: Store) {
    let (router, app) = site(store).await;
    let id = household_id(&app, "H1").await;
    let office = page_session(&router, "so.ha.tinh").await;
    let uri = format!("/households/{id}");
    let (_, body) = page(&router, &uri, &office).await;
    let body = String::from_utf8(body).unwrap();
    assert!(
        body.contains("Hỗ trợ đất ở, đất sản xuất (số lượng: m²)"),
        "{body}"
    );
    assert!(body.contains("name=\"quantity\""), "{body}");
    let csrf = csrf_of(&body);
    let post = format!("/households/{id}/benefits");
    let form = |quantity: &str| {
        format!(
            "csrf={csrf}&policy=land&member=&valid_from=01%2F03%2F2026&valid_to=&amount=&quantity={quantity}&reference=Q%C4%90-7"
        )
    };
    let (status, refused) = post_form_body(&router, &post, &office, form("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.contains("Số lượng"), "{refused}");
    assert!(refused.contains("m²"), "{refused}");
    let (status, refused) = post_form_body(&router, &post, &office, form("nhi%E1%BB%81u")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(app.store().household_benefits(id).await.unwrap().is_empty());

    // A policy that counts none refuses a quantity rather than keep a figure nobody reads.
    let card = format!(
        "csrf={csrf}&policy=loan_poor&member=&valid_from=01%2F03%2F2026&valid_to=&amount=&quantity=3&reference="
    );
    let (status, refused) = post_form_body(&router, &post, &office, card).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(app.store().household_benefits(id).await.unwrap().is_empty());

    assert_eq!(
        post_form(&router, &post, &office, form("1.200")).await,
        StatusCode::SEE_OTHER
    );
    let rows = app.store().household_benefits(id).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].quantity, Some(1200.0));
    let (_, body) = page(&router, &uri, &office).await;
    let body = String::from_utf8(body).unwrap();
    let section = &body[body.find("id=\"benefits\"").unwrap()..];
    assert!(section.contains("1.200 m²"), "{section}");
    // Its correction form keeps the quantity, required.
    assert!(section.contains("value=\"1.200\" required"), "{section}");
}
web_test!(a_quantity_is_recorded_where_the_policy_counts_one);

/// The coverage report through the reports' own output path: JSON, the .xlsx read back
/// (headings and figures), and a PDF.
async fn the_coverage_report_is_exported_like_the_other_reports(store: Store) {
    let (router, _app) = site(store).await;
    let token = token(&router, "so.ha.tinh").await;
    let base = "/api/v1/reports/bao-phu-chinh-sach?unit=18496&period=2026";
    let (status, json) = send(&router, get(base, &token)).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let ids: Vec<&str> = json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let at = ids.iter().position(|id| *id == "covered.bhyt").unwrap();
    let total = json["rows"].as_array().unwrap().last().unwrap();
    assert_eq!(total["values"][at], 1.0);

    let bytes = |format: &'static str| {
        let router = router.clone();
        let token = token.clone();
        async move {
            let response = router
                .oneshot(get(&format!("{base}&format={format}"), &token))
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{format}");
            response
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec()
        }
    };
    use calamine::{Data, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes("xlsx").await)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cell = |r: usize, c: usize| sheet.get((r, c)).map(Data::to_string).unwrap_or_default();
    let find = |text: &str| {
        (0..sheet.height())
            .flat_map(|r| (0..sheet.width()).map(move |c| (r, c)))
            .find(|(r, c)| cell(*r, *c) == text)
            .unwrap_or_else(|| panic!("«{text}» not in the workbook"))
    };
    let title = find("BAO PHỦ CHÍNH SÁCH HỖ TRỢ GIẢM NGHÈO NĂM 2026");
    assert_eq!(title.1, 0);
    let (heading_row, _) = find("Số đủ điều kiện");
    // The policy headings sit under the group headings; the card's three columns are
    // eligible 4, covered 1 and the rate 25 on the total row.
    let (total_row, _) = find("Tổng cộng");
    let columns: Vec<usize> = (0..sheet.width())
        .filter(|c| cell(heading_row + 1, *c) == "Thẻ bảo hiểm y tế (người)")
        .collect();
    assert_eq!(columns.len(), 3, "eligible, covered, rate");
    let value = |c: usize| match sheet.get((total_row, c)) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(x)) => *x as f64,
        other => panic!("{other:?}"),
    };
    assert_eq!(value(columns[0]), 4.0);
    assert_eq!(value(columns[1]), 1.0);
    assert!(
        (value(columns[2]) - 25.0).abs() < 1e-9,
        "{}",
        value(columns[2])
    );

    let pdf = bytes("pdf").await;
    assert!(pdf.starts_with(b"%PDF"));
}
web_test!(the_coverage_report_is_exported_like_the_other_reports);
