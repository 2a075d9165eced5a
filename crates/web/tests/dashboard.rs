//! The dashboard page as a browser sees it: the charts of a district with
//! classifications, the no-data message, access by area and role, and the GeoJSON
//! upload that draws the map.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, Utc};
use giamngheo_app::access::Role;
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, SystemClock};
use giamngheo_domain::Hierarchy;
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_store::ClassificationFields;
use giamngheo_store::testing::TestDb;
use std::sync::Arc;
use support::*;

mod support;

const UNITS: &str = "code,name,kind,level,parent_code\n\
                     42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                     444,Huyện Hương Khê,Huyện,2,42\n\
                     18499,Xã Điền Mỹ,Xã,3,444\n\
                     18502,Xã Hà Linh,Xã,3,444\n";

const PASSWORD: &str = "mật khẩu đủ dài";

struct Site {
    router: Router,
    _db: TestDb,
}

fn classification(id: i64, village: &str, status: &str, deprived: &str) -> ClassificationFields {
    ClassificationFields {
        household_id: id,
        province_code: "42".into(),
        district_code: Some("444".into()),
        commune_code: village[..5].to_string(),
        village_code: village.to_string(),
        period: 2022,
        standard: "vn-2022".into(),
        kind: "baseline".into(),
        review_id: None,
        status: status.into(),
        area: "rural".into(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: deprived.split(',').filter(|s| !s.is_empty()).count() as i32,
        deprived: deprived.into(),
        reasons: String::new(),
        transition: None,
        member_count: 1,
        causes: String::new(),
        decision_number: None,
        decision_date: None,
        effective_date: NaiveDate::from_ymd_opt(2021, 12, 20).unwrap(),
        approved_by: "test".into(),
        approved_at: "2021-12-20T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

async fn site() -> Site {
    let db = TestDb::sqlite().await;
    let app = App::new(
        db.store.clone(),
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        Arc::new(SystemClock),
    );
    app.import_units(
        UNITS.as_bytes(),
        &UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system(
        "commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n18502,Thôn Bắc Hà,Thôn\n".as_bytes(),
    )
    .await
    .unwrap();
    for (username, role, unit) in [
        ("canbo.halinh", Role::CommuneOfficer, "18502"),
        ("phong.ldtbxh", Role::Office, "444"),
        ("xem.tinh", Role::ProvinceViewer, "42"),
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
    // Điền Mỹ: one poor household of four (25,00 %); Hà Linh: one near-poor of two.
    let households = [
        ("DM01", "18499001", Some(("poor", "water,sanitation"))),
        ("DM02", "18499001", Some(("not_poor", ""))),
        ("DM03", "18499001", None),
        ("DM04", "18499001", None),
        ("HL01", "18502001", Some(("near_poor", "water"))),
        ("HL02", "18502001", None),
    ];
    let drafts = households
        .iter()
        .map(|(code, village, _)| {
            DraftInput::form(HouseholdDraft {
                code: code.to_string(),
                village_code: village.to_string(),
                address: "Xóm 1".into(),
                members: vec![MemberDraft {
                    full_name: format!("Nguyễn Văn {code}"),
                    sex: Some(Sex::Male),
                    birth_year: Some(1970),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    ..Default::default()
                }],
                ..Default::default()
            })
        })
        .collect();
    let ids = app
        .create_households(By::System, drafts, "test")
        .await
        .unwrap();
    let rows: Vec<ClassificationFields> = households
        .iter()
        .zip(&ids)
        .filter_map(|((_, village, c), id)| c.map(|(s, d)| classification(*id, village, s, d)))
        .collect();
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    Site {
        router: giamngheo_web::router(app),
        _db: db,
    }
}

impl Served for Site {
    fn router(&self) -> &Router {
        &self.router
    }
}

async fn sign_in(site: &Site, username: &str) -> String {
    sign_in_answer(site, username, PASSWORD)
        .await
        .cookie("gn_session")
        .expect("a session cookie")
}

fn upload(session: &str, csrf: Option<&str>, property: &str, file: &str) -> Request<Body> {
    let boundary = "ranh-gioi-5678";
    let mut body = String::new();
    let mut fields: Vec<(&str, &str)> = vec![("unit", "444"), ("property", property)];
    if let Some(c) = csrf {
        fields.insert(0, ("csrf", c));
    }
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"xa.geojson\"\r\nContent-Type: application/geo+json\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    Request::post("/dashboard/boundaries")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, format!("gn_session={session}"))
        .body(Body::from(body))
        .unwrap()
}

const GEOJSON: &str = r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"ma_xa": "18499"},
   "geometry": {"type": "Polygon", "coordinates": [[[105.70, 18.10], [105.80, 18.10], [105.80, 18.20], [105.70, 18.20], [105.70, 18.10]]]}},
  {"type": "Feature", "properties": {"ma_xa": "18502"},
   "geometry": {"type": "Polygon", "coordinates": [[[105.80, 18.10], [105.90, 18.10], [105.90, 18.20], [105.80, 18.10]]]}}
]}"#;

#[tokio::test]
async fn the_dashboard_of_a_district_draws_its_figures() {
    let site = site().await;
    let session = sign_in(&site, "phong.ldtbxh").await;
    let page = send(&site, get("/dashboard", Some(&session))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("Tổng quan – Huyện Hương Khê – 2022"));
    assert!(body.contains("<svg"));
    assert!(body.matches("role=\"img\"").count() >= 3);
    assert!(body.contains("aria-label=\"Tỷ lệ hộ nghèo, hộ cận nghèo theo đơn vị"));
    // Điền Mỹ: 1 poor of 4 households; Hà Linh: 1 near-poor of 2.
    assert!(body.contains(">25,00 %<"), "{body}");
    assert!(body.contains(">50,00 %<"));
    assert!(body.contains("Xã Điền Mỹ"));
    // The deprivation profile names the standard's indicators.
    assert!(
        body.contains("Nguồn nước") || body.contains("Nước"),
        "{body}"
    );
    // No boundaries yet: the page says how a map appears, and offers the upload.
    assert!(body.contains("Bản đồ sẽ hiện khi ranh giới các xã"));
    assert!(body.contains("action=\"/dashboard/boundaries\""));
    assert!(!body.contains("<script>"));
    // The navigation links the dashboard.
    assert!(body.contains("<a href=\"/dashboard\">Tổng quan</a>"));

    // A year without classifications says so, with no figures.
    let empty = send(&site, get("/dashboard?period=2019", Some(&session))).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("Chưa có dữ liệu phân loại cho kỳ này"));
    assert!(!empty.body.contains(">25,00 %<"));

    let en = send(&site, get("/dashboard?unit=444&lang=en", Some(&session))).await;
    assert!(
        en.body
            .contains("Poor and near-poor household rates by unit")
    );
}

#[tokio::test]
async fn nobody_sees_another_area_and_a_viewer_sees_aggregates() {
    let site = site().await;
    let officer = sign_in(&site, "canbo.halinh").await;
    for uri in [
        "/dashboard?unit=18499",
        "/dashboard?unit=444",
        "/dashboard?unit=42",
    ] {
        let answer = send(&site, get(uri, Some(&officer))).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let own = send(&site, get("/dashboard", Some(&officer))).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(!own.body.contains("action=\"/dashboard/boundaries\""));

    let viewer = sign_in(&site, "xem.tinh").await;
    let page = send(&site, get("/dashboard?unit=444", Some(&viewer))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(">25,00 %<"));
    assert!(!page.body.contains("action=\"/dashboard/boundaries\""));
    // Nor may the viewer upload by posting directly.
    let csrf = page.csrf_field();
    let answer = send(&site, upload(&viewer, Some(&csrf), "ma_xa", GEOJSON)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_uploaded_geojson_draws_the_map() {
    let site = site().await;
    let session = sign_in(&site, "phong.ldtbxh").await;
    let page = send(&site, get("/dashboard", Some(&session))).await;
    let csrf = page.csrf_field();

    // Without the CSRF field the upload is refused.
    let answer = send(&site, upload(&session, None, "ma_xa", GEOJSON)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    // A broken file is refused with where it broke.
    let answer = send(&site, upload(&session, Some(&csrf), "ma_xa", "{\"type\": ")).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("dòng 1, cột"), "{}", answer.body);
    // A property the features do not have is named.
    let answer = send(&site, upload(&session, Some(&csrf), "code", GEOJSON)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("thiếu thuộc tính «code»"));

    let answer = send(&site, upload(&session, Some(&csrf), "ma_xa", GEOJSON)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let page = send(&site, get("/dashboard?unit=444&uploaded=2", Some(&session))).await;
    assert!(page.body.contains("Đã lưu ranh giới số xã: 2"));
    assert!(page.body.contains("<title>Xã Điền Mỹ: 25,00 %</title>"));
    assert!(page.body.contains("<title>Xã Hà Linh: 0,00 %</title>"));
    assert!(page.body.contains("fill-rule=\"evenodd\""));
    assert!(!page.body.contains("Bản đồ sẽ hiện khi"));
}

/// One commune deciding the next year early: the district's dashboard still opens on
/// the year every commune has, and the early year, asked for, names the commune
/// without data.
#[tokio::test]
async fn the_dashboard_opens_on_the_year_every_commune_has() {
    let site = site().await;
    let store = &site._db.store;
    let dm01 = store
        .household_by_code("18499", "DM01")
        .await
        .unwrap()
        .expect("DM01");
    let mut row = classification(dm01.id, "18499001", "poor", "water");
    row.period = 2023;
    store
        .insert_classifications(&[row], &[], Utc::now())
        .await
        .unwrap();
    let session = sign_in(&site, "phong.ldtbxh").await;
    let page = send(&site, get("/dashboard", Some(&session))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Tổng quan – Huyện Hương Khê – 2022"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Chưa có kết quả năm"));
    let early = send(&site, get("/dashboard?period=2023", Some(&session))).await;
    assert_eq!(early.status, StatusCode::OK);
    assert!(
        early.body.contains("Chưa có kết quả năm 2023: Xã Hà Linh."),
        "{}",
        early.body
    );
}
