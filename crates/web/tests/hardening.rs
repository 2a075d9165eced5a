//! Hardening of the web layer: uploads checked by their bytes and served so that
//! nothing in them runs, body limits per upload route told as "file too large", the
//! security headers of every answer, and request text with line breaks that never
//! reaches a response header.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::reviews::SurveyInput;
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_sheets::households::COLUMNS;
use giamngheo_store::testing::TestDb;
use giamngheo_store::{ClassificationFields, NewMeeting};
use giamngheo_web::WebOptions;
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

const UNITS: &str = "code,name,kind,level,parent_code\n\
                     42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                     444,Huyện Hương Khê,Huyện,2,42\n\
                     18499,Xã Điền Mỹ,Xã,3,444\n";
/// Thôn Trung Hòa of Xã Điền Mỹ, the first village imported.
const TRUNG_HOA: &str = "18499001";
const PASSWORD: &str = "mật khẩu đủ dài";
const OFFICER: &str = "canbo.dienmy";
/// The district's labour office, which uploads the communes' boundaries.
const LABOUR_OFFICE: &str = "phong.ldtbxh";

struct Site {
    router: Router,
    app: App,
    db: TestDb,
}

/// Nine in the morning of 6 September 2021 in Vietnam: the annual review is open.
fn now() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2021, 9, 6)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc()
}

async fn site_with(options: WebOptions) -> Site {
    site_on(TestDb::sqlite().await, options).await
}

/// The SQLite site and, unless PostgreSQL tests are switched off, the PostgreSQL one.
async fn both_sites() -> Vec<Site> {
    let mut sites = vec![site().await];
    if let Some(db) = TestDb::postgres().await {
        sites.push(site_on(db, WebOptions::default()).await);
    }
    sites
}

async fn site_on(db: TestDb, options: WebOptions) -> Site {
    let app = App::new(
        db.store.clone(),
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now())),
    );
    app.import_units(
        UNITS.as_bytes(),
        &UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            retire_missing: false,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system("commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n".as_bytes())
        .await
        .unwrap();
    for (username, role, unit) in [
        (OFFICER, Role::CommuneOfficer, "18499"),
        (LABOUR_OFFICE, Role::LabourOffice, "444"),
    ] {
        app.add_user_as_system(NewUserInput {
            username: username.into(),
            password: PASSWORD.into(),
            role,
            unit_code: unit.into(),
        })
        .await
        .unwrap();
    }
    Site {
        router: giamngheo_web::router_with(app.clone(), options),
        app,
        db,
    }
}

async fn site() -> Site {
    site_with(WebOptions::default()).await
}

/// The officer as the app layer knows them (the first user, id 1).
fn officer() -> Actor {
    Actor {
        user_id: 1,
        username: OFFICER.into(),
        role: Role::CommuneOfficer,
        unit_code: "18499".into(),
        unit_tier: Tier::Commune,
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                c.split(';')
                    .next()?
                    .strip_prefix(&format!("{name}="))
                    .map(str::to_string)
            })
    }

    fn csrf_field(&self) -> String {
        let text = self.text();
        let marker = "name=\"csrf\" value=\"";
        let at = text.find(marker).expect("a csrf field") + marker.len();
        text[at..at + text[at..].find('"').unwrap()].to_string()
    }
}

async fn send(site: &Site, request: Request<Body>) -> Answer {
    let response = site.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: body.to_vec(),
    }
}

fn get(uri: &str, session: Option<&str>) -> Request<Body> {
    let mut r = Request::get(uri);
    if let Some(s) = session {
        r = r.header(header::COOKIE, format!("gn_session={s}"));
    }
    r.body(Body::empty()).unwrap()
}

/// Signs in through the login page; returns the session cookie and its CSRF token.
async fn sign_in(site: &Site, username: &str) -> (String, String) {
    let page = send(site, get("/login", None)).await;
    let login = page.cookie("gn_login").unwrap();
    let body = format!(
        "username={username}&password={}&csrf={}",
        PASSWORD
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>(),
        page.csrf_field()
    );
    let answer = send(
        site,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("gn_login={login}"))
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let session = answer.cookie("gn_session").unwrap();
    let csrf = send(site, get("/households/import", Some(&session)))
        .await
        .csrf_field();
    (session, csrf)
}

/// A part of a multipart body: a text field, or a file with its name and type.
enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a str, &'a [u8]),
}

const BOUNDARY: &str = "ranh-gioi-5678";

fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in parts {
        match p {
            Part::Text(name, value) => body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            ),
            Part::File(name, filename, kind, bytes) => {
                body.extend_from_slice(
                    format!(
                        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {kind}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A multipart post as a browser sends it; `length` adds the Content-Length header
/// browsers send (without it the body's size is known only by reading it).
fn post_multipart(uri: &str, session: &str, body: Vec<u8>, length: bool) -> Request<Body> {
    let mut r = Request::post(uri)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::COOKIE, format!("gn_session={session}"));
    if length {
        r = r.header(header::CONTENT_LENGTH, body.len());
    }
    r.body(Body::from(body)).unwrap()
}

// ---------------------------------------------------------------- body limits

/// A commune's register as CSV, every column filled as in a real file, households of
/// four members, until the file is at least `bytes` long.
fn register(bytes: usize) -> (Vec<u8>, usize) {
    let members = [
        ("Hồ Văn", "Nam", "Chủ hộ", "12/03/1975"),
        ("Lê Thị", "Nữ", "Vợ/chồng", "1978"),
        ("Hồ Thị", "Nữ", "Con", "01/09/2010"),
        ("Hồ Văn", "Nam", "Con", "2016-05-20"),
    ];
    let mut out: Vec<u8> = COLUMNS
        .iter()
        .map(|c| c.code)
        .collect::<Vec<_>>()
        .join(",")
        .into_bytes();
    out.push(b'\n');
    let mut households = 0;
    while out.len() < bytes {
        let h = households;
        for (i, (family, sex, relation, birth)) in members.iter().enumerate() {
            let row: Vec<String> = COLUMNS
                .iter()
                .map(|c| {
                    let v = match c.code {
                        "household_code" => format!("DM-{h:06}"),
                        "village_code" => TRUNG_HOA.into(),
                        "address" => format!("Xóm {}, thôn Trung Hòa, xã Điền Mỹ", h % 12 + 1),
                        "phone" => format!("09{h:08}"),
                        "area" => "Nông thôn".into(),
                        "floor_area_m2" => format!("{}", 20 + h % 80),
                        "wall_material" | "column_material" => "Gỗ tạp, tre".into(),
                        "roof_material" => "Kim loại, tôn".into(),
                        "water_source" => "Giếng khoan".into(),
                        "latrine" => "Hố xí đơn giản".into(),
                        "has_tv" | "has_smartphone" => "x".into(),
                        "production_land_m2" => format!("{}", 1_000 + h % 5_000),
                        "full_name" => format!("{family} Thành {h}"),
                        "sex" => sex.to_string(),
                        "birth_date" => birth.to_string(),
                        "ethnicity" => "Kinh".into(),
                        "relation" => relation.to_string(),
                        "citizen_id" => format!("0441{:08}", h * 4 + i),
                        "health_insurance_number" => format!("DT44{:011}", h * 4 + i),
                        "health_insurance_expiry" => "31/12/2026".into(),
                        "school_level" if i >= 2 => "Tiểu học".into(),
                        "work_status" if i >= 2 => "Trẻ em".into(),
                        "work_status" => "Có việc làm".into(),
                        "disability" => "Không".into(),
                        "uses_internet" => "có".into(),
                        _ => String::new(),
                    };
                    if c.household && i > 0 && !c.required {
                        String::new()
                    } else if v.contains(',') {
                        format!("\"{v}\"")
                    } else {
                        v
                    }
                })
                .collect();
            out.extend_from_slice(row.join(",").as_bytes());
            out.push(b'\n');
        }
        households += 1;
    }
    (out, households)
}

#[tokio::test]
async fn a_register_over_two_megabytes_imports_through_the_web() {
    let site = site().await;
    let (session, csrf) = sign_in(&site, OFFICER).await;
    let (file, households) = register(3 * 1024 * 1024);
    assert!(file.len() > 3 * 1024 * 1024);
    let body = multipart(&[
        Part::Text("csrf", &csrf),
        Part::File("file", "so-ho-dien-my.csv", "text/csv", &file),
    ]);
    let answer = send(
        &site,
        post_multipart("/households/import", &session, body, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    assert_eq!(
        answer.header(header::LOCATION),
        format!("/households/import?imported={households}")
    );
    site.db.finish().await;
}

#[tokio::test]
async fn a_body_over_the_routes_limit_is_told_too_large_and_changes_nothing() {
    let site = site().await;
    let (session, csrf) = sign_in(&site, OFFICER).await;
    // 50 MB and a byte: the household import's limit. The file's content does not
    // matter, it is never parsed.
    let file = vec![b'a'; 50 * 1024 * 1024 + 1];
    let body = multipart(&[
        Part::Text("csrf", &csrf),
        Part::File("file", "so-ho.csv", "text/csv", &file),
    ]);
    for length in [true, false] {
        let answer = send(
            &site,
            post_multipart("/households/import", &session, body.clone(), length),
        )
        .await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{length}");
        assert!(
            answer.text().contains("Tệp quá lớn (tối đa 50 MB)"),
            "{}",
            answer.text()
        );
        assert!(!answer.text().contains("hết hạn"));
    }
    // A file just over its limit fits the body's room for the form around it; the
    // handler refuses it the same way.
    let villages = vec![b'a'; 2 * 1024 * 1024 + 10];
    let body = multipart(&[
        Part::Text("csrf", &csrf),
        Part::File("file", "thon.csv", "text/csv", &villages),
    ]);
    let answer = send(
        &site,
        post_multipart("/units/18499/villages/import", &session, body, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.text().contains("Tệp quá lớn (tối đa 2 MB)"));
    // In English, and for the minutes' own, smaller limit.
    let minutes = vec![b'%'; 11 * 1024 * 1024];
    let body = multipart(&[
        Part::Text("csrf", &csrf),
        Part::File("minutes", "bien-ban.pdf", "application/pdf", &minutes),
    ]);
    let answer = send(
        &site,
        post_multipart("/reviews/1/meetings?lang=en", &session, body, false),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.text().contains("File too large (at most 10 MB)"));
    let list = send(&site, get("/households", Some(&session))).await;
    assert!(!list.text().contains("DM-0"));

    // A script's body over the 2 MB of other routes gets the JSON error.
    let login = serde_json::json!({"username": OFFICER, "password": PASSWORD}).to_string();
    let token = send(
        &site,
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(login))
            .unwrap(),
    )
    .await;
    let token: serde_json::Value = serde_json::from_slice(&token.body).unwrap();
    let big = vec![b' '; 3 * 1024 * 1024];
    let answer = send(
        &site,
        Request::post("/api/v1/households")
            .header(header::CONTENT_TYPE, "application/json")
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", token["token"].as_str().unwrap()),
            )
            .header(header::CONTENT_LENGTH, big.len())
            .body(Body::from(big))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let error: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(error["error"]["code"], "too_large");
    assert_eq!(error["error"]["message"], "Tệp quá lớn (tối đa 2 MB)");
    site.db.finish().await;
}

// ---------------------------------------------------------------- meeting minutes

/// A review of Điền Mỹ at its meetings step, with one poor household of Trung Hòa
/// surveyed and waiting for the village meeting.
async fn review_at_meetings(app: &App) -> i64 {
    let me = officer();
    let household = app
        .create_household(
            &me,
            HouseholdDraft {
                code: "DM-001".into(),
                village_code: TRUNG_HOA.into(),
                address: "Xóm 1".into(),
                members: vec![MemberDraft {
                    full_name: "Nguyễn Văn Bình".into(),
                    sex: Some(Sex::Male),
                    birth_year: Some(1975),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let h = app.store().household(household).await.unwrap().unwrap();
    let baseline = ClassificationFields {
        household_id: household,
        province_code: h.fields.province_code.clone(),
        district_code: h.fields.district_code.clone(),
        commune_code: h.fields.commune_code.clone(),
        village_code: h.fields.village_code.clone(),
        period: 2021,
        standard: "vn-2016".into(),
        kind: "baseline".into(),
        review_id: None,
        status: "poor".into(),
        area: h.fields.area.clone(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: 0,
        deprived: String::new(),
        reasons: String::new(),
        transition: None,
        member_count: h.fields.member_count,
        causes: String::new(),
        decision_number: Some("2021/QĐ-UBND".into()),
        decision_date: NaiveDate::from_ymd_opt(2020, 12, 20),
        effective_date: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
        approved_by: "paper".into(),
        approved_at: "2020-12-20T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    };
    app.store()
        .insert_classifications(&[baseline], &[], Utc::now())
        .await
        .unwrap();
    let id = app
        .open_periodic_review(&me, "18499", 2022, "vn-2022")
        .await
        .unwrap();
    let version = |app: &App| {
        let app = app.clone();
        let me = me.clone();
        async move { app.review(&me, id).await.unwrap().review.version }
    };
    app.start_survey(&me, id, version(app).await).await.unwrap();
    let view = app.review(&me, id).await.unwrap();
    let rh = &view.households[0];
    app.record_survey(
        &me,
        id,
        rh.id,
        rh.version,
        SurveyInput {
            income_per_capita: None,
            score_a: Some(120),
            ticks: vec!["health_insurance".into(), "housing_quality".into()],
            surveyed_by: "Rà soát viên".into(),
            surveyed_on: NaiveDate::from_ymd_opt(2021, 9, 6).unwrap(),
        },
    )
    .await
    .unwrap();
    app.start_meetings(&me, id, version(app).await)
        .await
        .unwrap();
    id
}

fn meeting_form<'a>(csrf: &'a str, minutes: Part<'a>) -> Vec<u8> {
    multipart(&[
        Part::Text("csrf", csrf),
        Part::Text("village", TRUNG_HOA),
        Part::Text("held_on", "06/09/2021"),
        Part::Text("attendees", "20"),
        Part::Text("agreeing", "18"),
        Part::Text("chaired_by", "Trưởng thôn"),
        minutes,
    ])
}

/// The one `/meetings/{id}/minutes` link of a review page.
fn minutes_link(page: &str) -> String {
    let at = page.find("/meetings/").expect("a minutes link");
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

const SVG: &[u8] = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(document.cookie)'/>";
/// A PNG's signature and the start of its header chunk: enough for its kind.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01";

#[tokio::test]
async fn minutes_are_kept_only_as_pdf_jpeg_or_png_by_their_bytes() {
    let site = site().await;
    let id = review_at_meetings(&site.app).await;
    let (session, csrf) = sign_in(&site, OFFICER).await;
    let uri = format!("/reviews/{id}/meetings");

    // An SVG, and HTML named `.png` and sent as an image: both refused, naming the
    // kinds accepted, and the meeting is not recorded.
    for (name, kind, bytes) in [
        ("bien-ban.svg", "image/svg+xml", SVG),
        (
            "bien-ban.png",
            "image/png",
            b"<html><script>alert(1)</script>" as &[u8],
        ),
    ] {
        let body = meeting_form(&csrf, Part::File("minutes", name, kind, bytes));
        let answer = send(&site, post_multipart(&uri, &session, body, true)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            answer.text().contains("chỉ nhận tệp PDF, JPEG hoặc PNG"),
            "{}",
            answer.text()
        );
    }
    let page = send(&site, get(&format!("/reviews/{id}"), Some(&session))).await;
    assert!(!page.text().contains("/meetings/"));

    // A PNG sent as anything at all is kept as a PNG and shown inline, sandboxed.
    let body = meeting_form(
        &csrf,
        Part::File(
            "minutes",
            "Biên bản họp.dat",
            "application/octet-stream",
            PNG,
        ),
    );
    let answer = send(&site, post_multipart(&uri, &session, body, true)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let page = send(&site, get(&format!("/reviews/{id}"), Some(&session))).await;
    let file = send(&site, get(&minutes_link(&page.text()), Some(&session))).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, PNG);
    assert_eq!(file.header(header::CONTENT_TYPE), "image/png");
    assert_eq!(
        file.header(header::CONTENT_DISPOSITION),
        "inline; filename=\"bien-ban-hop.png\""
    );
    assert_eq!(file.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    let policy = file.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        policy.starts_with("sandbox; default-src 'none'"),
        "{policy}"
    );
    site.db.finish().await;
}

#[tokio::test]
async fn minutes_stored_before_the_check_are_downloaded_never_shown() {
    let site = site().await;
    let id = review_at_meetings(&site.app).await;
    // A row as the product kept it before: an SVG that said it was an image.
    site.app
        .store()
        .record_meeting(
            &NewMeeting {
                review_id: id,
                village_code: TRUNG_HOA.into(),
                held_on: NaiveDate::from_ymd_opt(2021, 9, 6).unwrap(),
                attendees: 20,
                agreeing: 18,
                passed: true,
                chaired_by: None,
                minutes_name: Some("bien-ban.svg".into()),
                minutes_type: Some("image/svg+xml".into()),
                minutes: Some(SVG.to_vec()),
                recorded_by: OFFICER.into(),
            },
            &[],
            &[],
            now(),
        )
        .await
        .unwrap();
    let (session, _) = sign_in(&site, OFFICER).await;
    let page = send(&site, get(&format!("/reviews/{id}"), Some(&session))).await;
    let file = send(&site, get(&minutes_link(&page.text()), Some(&session))).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(
        file.header(header::CONTENT_TYPE),
        "application/octet-stream"
    );
    assert_eq!(
        file.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"bien-ban.bin\""
    );
    assert_eq!(file.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    site.db.finish().await;
}

#[tokio::test]
async fn a_boundary_file_must_be_json_text() {
    let site = site().await;
    let (session, csrf) = sign_in(&site, LABOUR_OFFICE).await;
    let body = multipart(&[
        Part::Text("csrf", &csrf),
        Part::Text("unit", "444"),
        Part::Text("property", "ma_xa"),
        Part::File("file", "ranh-gioi.geojson", "application/geo+json", SVG),
    ]);
    let answer = send(
        &site,
        post_multipart("/dashboard/boundaries", &session, body, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.text().contains("chỉ nhận tệp JSON (GeoJSON)"),
        "{}",
        answer.text()
    );
    site.db.finish().await;
}

// ---------------------------------------------------------------- response headers

/// The headers every page, API answer and refusal carries.
fn assert_secured(a: &Answer, what: &str) {
    let policy = a.header(header::CONTENT_SECURITY_POLICY);
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(part), "{what}: {policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{what}: {policy}");
    assert_eq!(
        a.header(header::X_CONTENT_TYPE_OPTIONS),
        "nosniff",
        "{what}"
    );
    assert_eq!(a.header(header::REFERRER_POLICY), "same-origin", "{what}");
    assert_eq!(a.header(header::CACHE_CONTROL), "no-store", "{what}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_assets_stay_cacheable() {
    let site = site().await;
    let id = review_at_meetings(&site.app).await;
    let (session, csrf) = sign_in(&site, OFFICER).await;
    for uri in [
        "/login".to_string(),
        "/".to_string(),
        "/households".to_string(),
        format!("/reviews/{id}"),
        "/reports/ket-qua-ra-soat?unit=18499&print=1".to_string(),
        "/dashboard?unit=18499".to_string(),
        "/households/template.csv".to_string(),
        "/api/v1/households?unit=18499".to_string(),
        "/khong-co".to_string(),
    ] {
        let a = send(&site, get(&uri, Some(&session))).await;
        assert!(a.status.as_u16() < 500, "{uri}: {}", a.status);
        assert_secured(&a, &uri);
        // No page needs inline script or style: the policy would block them.
        let text = a.text();
        if a.header(header::CONTENT_TYPE).starts_with("text/html") {
            for inline in ["<script>", "<style", " style=\"", "onclick=", "onload="] {
                assert!(!text.contains(inline), "{uri} has {inline}");
            }
        }
    }
    // Refusals before any handler: a page without a sign-in, an API call without one.
    let a = send(&site, get("/households", None)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_secured(&a, "redirect to the login page");
    let a = send(&site, get("/api/v1/households", None)).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_secured(&a, "API without a token");
    // No HSTS over plain HTTP: the product may be run without TLS on a LAN.
    assert_eq!(a.header(header::STRICT_TRANSPORT_SECURITY), "");

    // The assets, personal data free, are cached; the pages' styles and print script
    // are among them.
    for asset in [
        "/assets/app.css",
        "/assets/htmx.min.js",
        "/assets/dashboard.css",
        "/assets/report.css",
        "/assets/print.css",
        "/assets/print.js",
    ] {
        let a = send(&site, get(asset, None)).await;
        assert_eq!(a.status, StatusCode::OK, "{asset}");
        assert!(
            a.header(header::CACHE_CONTROL).starts_with("public"),
            "{asset}"
        );
        assert_eq!(a.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    }

    // A served upload keeps its own, sandboxed policy and is not stored either.
    let body = meeting_form(&csrf, Part::File("minutes", "bb.png", "image/png", PNG));
    let answer = send(
        &site,
        post_multipart(&format!("/reviews/{id}/meetings"), &session, body, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let page = send(&site, get(&format!("/reviews/{id}"), Some(&session))).await;
    let file = send(&site, get(&minutes_link(&page.text()), Some(&session))).await;
    assert!(
        file.header(header::CONTENT_SECURITY_POLICY)
            .starts_with("sandbox")
    );
    assert_eq!(file.header(header::CACHE_CONTROL), "no-store");
    site.db.finish().await;
}

#[tokio::test]
async fn https_deployments_get_strict_transport_security() {
    let site = site_with(WebOptions {
        secure_cookies: true,
    })
    .await;
    let a = send(&site, get("/login", None)).await;
    assert!(
        a.header(header::STRICT_TRANSPORT_SECURITY)
            .starts_with("max-age="),
        "{:?}",
        a.headers
    );
    site.db.finish().await;
}

// ---------------------------------------------------------------- line breaks in requests

#[tokio::test]
async fn line_breaks_in_parameters_never_give_a_server_error() {
    for site in both_sites().await {
        for bad in ["%0D%0ASet-Cookie:%20x=1", "%00", "%1B%7F"] {
            control_characters_in(&site, bad).await;
        }
        site.db.finish().await;
    }
}

/// Sends `bad` (percent-encoded control characters) in the parameters of the report,
/// export, household and other routes; none may answer 500 or carry it in a header.
async fn control_characters_in(site: &Site, bad: &str) {
    let id = match site.app.store().review(1).await.unwrap() {
        Some(r) => r.id,
        None => review_at_meetings(&site.app).await,
    };
    let (session, csrf) = sign_in(site, OFFICER).await;
    let backend = site.app.store().backend().as_str();
    let mut failures = Vec::new();
    let mut uris = Vec::new();
    for name in ["ket-qua-ra-soat", "dien-bien-ho-ngheo", bad] {
        uris.push(format!("/reports/{name}?unit=18499{bad}"));
        uris.push(format!("/reports/{name}?unit=18499&period=2022{bad}"));
        uris.push(format!("/reports/{name}/households?unit=18499{bad}"));
        for format in ["csv", "xlsx", "pdf", "json"] {
            uris.push(format!(
                "/api/v1/reports/{name}?unit=18499{bad}&format={format}"
            ));
            uris.push(format!(
                "/api/v1/reports/{name}?unit=18499&format={format}{bad}"
            ));
            uris.push(format!(
                "/api/v1/reports/{name}?unit=18499&as_of=01/01/2022{bad}&format={format}&per_unit=1"
            ));
        }
    }
    for q in ["unit", "q", "page", "next", "lang", "period", "year"] {
        for path in [
            "/households",
            "/households/duplicates",
            "/reports",
            "/reviews",
            "/reviews/calendar",
            "/dashboard",
            "/targets",
            "/search",
            "/login",
            "/api/v1/households",
            "/api/v1/units/search",
            "/api/v1/targets",
        ] {
            uris.push(format!("{path}?{q}=18499{bad}"));
        }
    }
    uris.push(format!("/reviews/{id}/survey?village={bad}"));
    uris.push(format!("/units/18499{bad}"));
    uris.push(format!("/households/1{bad}"));
    for uri in &uris {
        let a = send(site, get(uri, Some(&session))).await;
        if a.status.as_u16() >= 500 {
            failures.push(format!("{backend} {uri}: {}", a.status));
        }
        for (name, value) in &a.headers {
            assert!(
                !value.as_bytes().iter().any(|b| b.is_ascii_control()),
                "{uri}: {name}: {value:?}"
            );
        }
    }
    // Forms whose answer redirects with what was sent.
    let form = |uri: &str, body: String| {
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("gn_session={session}"))
            .body(Body::from(body))
            .unwrap()
    };
    for (uri, body) in [
        (
            format!("/reviews/{id}/survey"),
            format!("csrf={csrf}&village=18499001{bad}&surveyed_by=A&surveyed_on=06/09/2021"),
        ),
        (
            format!("/units/18499{bad}/villages"),
            format!("csrf={csrf}&name=Th%C3%B4n%20M%E1%BB%9Bi&kind=Th%C3%B4n"),
        ),
        (
            "/targets".to_string(),
            format!("csrf={csrf}&unit=18499{bad}&year=2025&indicator=poor_rate&target_value=3"),
        ),
    ] {
        let a = send(site, form(&uri, body)).await;
        if a.status.as_u16() >= 500 {
            failures.push(format!("{backend} POST {uri}: {}", a.status));
        }
        assert!(
            !a.header(header::LOCATION).contains('\n'),
            "{uri}: {}",
            a.header(header::LOCATION)
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The answer names the parameter, in the page's language or as the API's error.
    let a = send(
        site,
        get(
            &format!("/households?q=Nguy%E1%BB%85n{bad}&unit=18499"),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.text()
            .contains("Tham số «q» chứa ký tự điều khiển (xuống dòng, NUL…)"),
        "{}",
        a.text()
    );
    let a = send(
        site,
        get(
            &format!("/reports/ket-qua-ra-soat?lang=en&as_of=01/01/2022{bad}"),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.text()
            .contains("The parameter «as_of» holds control characters")
    );
    let a = send(
        site,
        get(
            &format!("/api/v1/reports/ket-qua-ra-soat?unit=18499{bad}&format=csv"),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let error: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(error["error"]["field"], "unit");
}

#[tokio::test]
async fn a_nul_in_a_json_body_is_refused_naming_the_field() {
    for site in both_sites().await {
        let backend = site.app.store().backend().as_str();
        let json = |uri: &str, token: Option<&str>, body: &str| {
            let mut r = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
            if let Some(t) = token {
                r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            r.body(Body::from(body.to_string())).unwrap()
        };
        let a = send(
            &site,
            json(
                "/api/v1/auth/login",
                None,
                r#"{"username": "canbo\u0000", "password": "x"}"#,
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        let error: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(error["error"]["field"], "username", "{backend}");

        let login = format!(r#"{{"username": "{OFFICER}", "password": "{PASSWORD}"}}"#);
        let token = send(&site, json("/api/v1/auth/login", None, &login)).await;
        let token: serde_json::Value = serde_json::from_slice(&token.body).unwrap();
        let token = token["token"].as_str().unwrap();
        let draft = HouseholdDraft {
            code: "DM-9".into(),
            village_code: TRUNG_HOA.into(),
            address: "Xóm 1".into(),
            members: vec![MemberDraft {
                full_name: "Hồ Thị An".into(),
                sex: Some(Sex::Female),
                birth_year: Some(1980),
                ethnicity: "01".into(),
                relation: "head".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let household = serde_json::to_string(&draft)
            .unwrap()
            .replace("Hồ Thị An", r"Hồ Thị\u0000 An");
        let a = send(&site, json("/api/v1/households", Some(token), &household)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        let error: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(error["error"]["field"], "members[0].full_name", "{backend}");
        // An escaped backslash before "u0000" is text, not a NUL.
        let household = household.replace(r"\u0000", r"\\u0000");
        let a = send(&site, json("/api/v1/households", Some(token), &household)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        site.db.finish().await;
    }
}
