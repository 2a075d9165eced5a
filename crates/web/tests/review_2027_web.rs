//! The review of autumn 2026 as a commune officer sees it, on SQLite and PostgreSQL:
//! signed in on 20/11/2026 in a commune of a province without districts, the officer
//! finds the review form set to 2027 under vn-2027, opens it, and the survey form shows
//! vn-2027's twelve indicators (waste treatment, no "means of information"), each with
//! its source and "cần xác nhận" mark, and says the income decides since vn-2027 has no
//! score-A threshold. The standards page shows the same marks. The commune's and the
//! province's offices see their agencies' names.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::NaiveDate;
use giamngheo_app::access::Role;
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::Hierarchy;
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_store::ClassificationFields;
use giamngheo_store::testing::TestDb;
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

const PASSWORD: &str = "mật khẩu đủ dài";

async fn site(db: &TestDb) -> (Router, App) {
    // Nine in the morning of 20/11/2026 in Vietnam.
    let now = NaiveDate::from_ymd_opt(2026, 11, 20)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(
        db.store.clone(),
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
            valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system("commune_code,name,kind\n18496,Thôn Hà Trai,Thôn\n".as_bytes())
        .await
        .unwrap();
    for (username, role, unit) in [
        ("canbo.huongkhe", Role::CommuneOfficer, "18496"),
        ("phongkt.huongkhe", Role::Office, "18496"),
        ("so.nnmt", Role::Office, "42"),
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
    // One household of Thôn Hà Trai, poor in 2026 under vn-2022: the 2027 review lists it.
    let ids = app
        .create_households(
            By::System,
            vec![DraftInput::form(HouseholdDraft {
                code: "HK-001".into(),
                village_code: "18496001".into(),
                address: "Xóm Trai".into(),
                members: vec![MemberDraft {
                    full_name: "Phan Văn Lộc".into(),
                    sex: Some(Sex::Male),
                    birth_year: Some(1970),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    ..Default::default()
                }],
                ..Default::default()
            })],
            "test",
        )
        .await
        .unwrap();
    let decided = NaiveDate::from_ymd_opt(2025, 12, 22).unwrap();
    app.store()
        .insert_classifications(
            &[ClassificationFields {
                household_id: ids[0],
                province_code: "42".into(),
                district_code: None,
                commune_code: "18496".into(),
                village_code: "18496001".into(),
                period: 2026,
                standard: "vn-2022".into(),
                kind: "baseline".into(),
                review_id: None,
                status: "poor".into(),
                area: "rural".into(),
                income_per_capita: None,
                score_a: None,
                score_b: 0,
                deprivation_count: 0,
                deprived: String::new(),
                reasons: String::new(),
                transition: None,
                member_count: 1,
                causes: String::new(),
                decision_number: Some("250/QĐ-UBND".into()),
                decision_date: Some(decided),
                effective_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                approved_by: "paper".into(),
                approved_at: "2025-12-22T00:00:00Z".into(),
                supersedes: None,
                correction_reason: None,
                certificate_number: None,
            }],
            &[],
            now,
        )
        .await
        .unwrap();
    (giamngheo_web::router(app.clone()), app)
}

/// The value of the first `name="NAME" value="…"` field of a page.
fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let rest = &page[page
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .find_map(|c| {
                c.to_str()
                    .ok()?
                    .split(';')
                    .next()?
                    .strip_prefix(&format!("{name}="))
                    .map(str::to_string)
            })
    }

    fn csrf_field(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let rest = &self.body[self.body.find(marker).expect("a csrf field") + marker.len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

fn get(uri: &str, session: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, format!("gn_session={session}"))
        .body(Body::empty())
        .unwrap()
}

fn form(uri: &str, cookie: &str, pairs: &[(&str, &str)]) -> Request<Body> {
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn sign_in(router: &Router, username: &str) -> String {
    let page = send(router, Request::get("/login").body(Body::empty()).unwrap()).await;
    let login = page.cookie("gn_login").unwrap();
    let request = form(
        "/login",
        &format!("gn_login={login}"),
        &[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", &page.csrf_field()),
            ("next", "/"),
        ],
    );
    let answer = send(router, request).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    answer.cookie("gn_session").expect("a session cookie")
}

async fn a_commune_officer_in_november_2026_opens_the_review_under_vn_2027(db: &TestDb) {
    let (router, app) = site(db).await;
    let session = sign_in(&router, "canbo.huongkhe").await;

    let list = send(&router, get("/reviews", &session)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("name=\"period\" value=\"2027\""),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("<option selected>vn-2027</option>"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("<option selected>vn-2022</option>"));
    assert!(
        list.body.contains("Rà soát định kỳ từ 01/09/2026 đến 14/12/2026 xác định hộ nghèo, hộ cận nghèo cho năm 2027 theo chuẩn vn-2027"),
        "{}",
        list.body
    );

    let opened = send(
        &router,
        form(
            "/reviews",
            &format!("gn_session={session}"),
            &[
                ("csrf", &list.csrf_field()),
                ("commune", "18496"),
                ("period", "2027"),
                ("standard", "vn-2027"),
            ],
        ),
    )
    .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let review = opened
        .headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();

    let review_id: i64 = review.rsplit('/').next().unwrap().parse().unwrap();
    let version = app
        .store()
        .review(review_id)
        .await
        .unwrap()
        .unwrap()
        .version;
    let started = send(
        &router,
        form(
            &format!("{review}/start-survey"),
            &format!("gn_session={session}"),
            &[
                ("csrf", &list.csrf_field()),
                ("version", &version.to_string()),
            ],
        ),
    )
    .await;
    assert!(started.status.is_redirection(), "{}", started.body);

    let survey = send(&router, get(&format!("{review}/survey"), &session)).await;
    assert_eq!(survey.status, StatusCode::OK, "{}", survey.body);
    // The review page states the meeting rule in force beside the meetings, with its
    // source.
    let page = send(&router, get(&review, &session)).await;
    assert!(
        page.body
            .contains("Thông qua khi ít nhất 50 % người dự họp đồng ý; dưới mức này các hộ được điều tra lại (Quyết định 24/2021/QĐ-TTg"),
        "{}",
        page.body
    );
    // The reporting calendar on 20/11/2026: August's report, due 05/09, has passed with
    // nothing recorded as sent, so it is late, never "Còn trong hạn"; so has the
    // preliminary annual report of 15/11. The end of the periodic review on 14/12 is
    // among the dates, each with its source.
    let calendar = send(&router, get("/reviews/calendar?year=2026", &session)).await;
    assert_eq!(calendar.status, StatusCode::OK, "{}", calendar.body);
    let body = &calendar.body;
    assert!(body.contains("Quá hạn 76 ngày"), "{body}");
    assert!(body.contains("Kết thúc rà soát định kỳ"), "{body}");
    assert!(body.contains("đến hết ngày 14/12"), "{body}");
    assert!(body.contains("Quá hạn 5 ngày"), "{body}");
    // Each late row offers to record its report as sent; recorded, it reads so.
    assert!(body.contains("action=\"/reviews/calendar/sent\""), "{body}");
    let sent = send(
        &router,
        form(
            "/reviews/calendar/sent",
            &format!("gn_session={session}"),
            &[
                ("csrf", &calendar.csrf_field()),
                ("due_on", "2026-09-05"),
                ("sent_on", "04/09/2026"),
            ],
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let calendar = send(&router, get("/reviews/calendar?year=2026", &session)).await;
    assert!(
        calendar.body.contains("Đã gửi ngày 04/09/2026, đúng hạn"),
        "{}",
        calendar.body
    );
    assert!(!calendar.body.contains("Quá hạn 76 ngày"));
    let page = &survey.body;
    assert!(
        page.contains("Chuẩn nghèo đa chiều giai đoạn 2027–2030"),
        "{page}"
    );
    for name in [
        "việc làm",
        "người phụ thuộc",
        "dinh dưỡng",
        "bảo hiểm y tế",
        "trình độ giáo dục người lớn",
        "tình trạng đi học của trẻ em",
        "chất lượng nhà ở",
        "diện tích nhà ở bình quân",
        "nguồn nước sinh hoạt",
        "nhà tiêu hợp vệ sinh",
        "xử lý rác thải sinh hoạt",
        "sử dụng dịch vụ viễn thông",
    ] {
        assert!(page.contains(name), "the form lacks «{name}»");
    }
    assert_eq!(page.matches("<tr data-code=").count(), 12);
    assert!(!page.contains("phương tiện tiếp cận thông tin"), "{page}");
    assert!(!page.contains("data-code=\"info_means\""));
    // Every value is marked with its source, and what is not confirmed says so.
    assert!(
        page.contains("Nghị định 351/2025/NĐ-CP: khu vực nông thôn 2.200.000"),
        "{page}"
    );
    assert!(page.contains("2.800.000 đ"), "{page}");
    assert!(page.contains("cần xác nhận"));
    // No score-A column: the income as assessed decides, and the form says so.
    assert!(page.contains("chưa có ngưỡng điểm A"), "{page}");
    assert!(!page.contains("Điểm A (B1)</th>"), "{page}");

    // The income as assessed decides, and the row says so.
    let rh = field(page, "rh");
    let saved = send(
        &router,
        form(
            &format!("{review}/survey"),
            &format!("gn_session={session}"),
            &[
                ("csrf", &survey.csrf_field()),
                ("village", "18496001"),
                ("surveyed_by", "Rà soát viên Lê Thị Hoa"),
                ("surveyed_on", "20/11/2026"),
                ("rh", &rh),
                (&format!("v{rh}"), &field(page, &format!("v{rh}"))),
                (&format!("c{rh}"), "HK-001"),
                (&format!("i{rh}"), "2.100.000"),
                (&format!("t{rh}"), "waste"),
                (&format!("t{rh}"), "water"),
                (&format!("t{rh}"), "sanitation"),
            ],
        ),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let again = send(&router, get(&format!("{review}/survey"), &session)).await;
    assert!(again.body.contains("Hộ nghèo"), "{}", again.body);
    assert!(again.body.contains("(theo thu nhập)"), "{}", again.body);

    // The household's page links its 2026 standard to its sources, marked to confirm.
    let household = send(&router, get("/households/1", &session)).await;
    assert_eq!(household.status, StatusCode::OK, "{}", household.body);
    assert!(
        household
            .body
            .contains("<a href=\"/standards#vn-2022\">vn-2022</a> <span class=\"warn\""),
        "{}",
        household.body
    );

    let standards = send(&router, get("/standards", &session)).await;
    assert_eq!(standards.status, StatusCode::OK);
    assert!(standards.body.contains("id=\"vn-2027\""));
    assert!(standards.body.contains("xử lý rác thải sinh hoạt"));
    assert!(
        standards
            .body
            .contains("Thông tư 07/2021/TT-BLĐTBXH, phiếu B phần B1: khu vực nông thôn 140 điểm")
    );
}

#[tokio::test]
async fn on_sqlite() {
    let db = TestDb::sqlite().await;
    a_commune_officer_in_november_2026_opens_the_review_under_vn_2027(&db).await;
    db.finish().await;
}

#[tokio::test]
async fn on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        a_commune_officer_in_november_2026_opens_the_review_under_vn_2027(&db).await;
        db.finish().await;
    }
}
