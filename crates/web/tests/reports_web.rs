//! Reports and plan targets through the web and the API: the report page, the JSON, CSV,
//! .xlsx and PDF answers (one sheet or set of pages per commune on request), the refusal
//! of an export whose movement check fails, drill-down refused to a province viewer, a
//! unit outside the user's area answered as not found, a `--reports-dir` override of a
//! heading, and the targets page with its edit form.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, Utc};
use giamngheo_app::access::Role;
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::reports::ReportCatalog;
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
    db: TestDb,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A household's two periods: (2021 status, 2022 status, 2022 transition).
type Path2 = (&'static str, &'static str, Option<&'static str>);

/// Households that move consistently between 2021 and 2022: the movement check holds.
const GOOD: &[(&str, Path2)] = &[
    ("18499001", ("poor", "poor", Some("unchanged"))),
    ("18499001", ("poor", "not_poor", Some("escaped_poverty"))),
    ("18499001", ("not_poor", "poor", Some("newly_poor"))),
    ("18499001", ("near_poor", "near_poor", None)),
    ("18502001", ("poor", "near_poor", Some("poor_to_near_poor"))),
    ("18502001", ("not_poor", "not_poor", None)),
];

/// A recorded escape from poverty for a household that was near-poor: the poor table's
/// check fails in Hà Linh.
const BROKEN: (&str, Path2) = (
    "18502001",
    ("near_poor", "not_poor", Some("escaped_poverty")),
);

async fn site_with(config: Config, broken: bool) -> Site {
    let db = TestDb::sqlite().await;
    let app = App::new(db.store.clone(), config, Arc::new(SystemClock));
    app.import_units(
        UNITS.as_bytes(),
        &UnitImportOptions {
            valid_from: date(2020, 1, 1),
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
        ("phong.ldtbxh", Role::Office, "444"),
        ("tinh.xem", Role::ProvinceViewer, "42"),
        ("canbo.dienmy", Role::CommuneOfficer, "18499"),
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
    let mut list: Vec<(&str, Path2)> = GOOD.to_vec();
    if broken {
        list.push(BROKEN);
    }
    let drafts: Vec<DraftInput> = list
        .iter()
        .enumerate()
        .map(|(i, (village, _))| {
            DraftInput::form(HouseholdDraft {
                code: format!("H{i:02}"),
                village_code: village.to_string(),
                address: "Xóm 1".into(),
                members: vec![MemberDraft {
                    full_name: format!("Nguyễn Văn Hộ {i}"),
                    sex: Some(Sex::Male),
                    birth_year: Some(1970),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    work_status: Some("employed".into()),
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
    let mut rows = Vec::new();
    for (id, (village, (s2021, s2022, transition))) in ids.iter().zip(&list) {
        for (period, status, transition) in [(2021, s2021, None), (2022, s2022, *transition)] {
            rows.push(ClassificationFields {
                household_id: *id,
                province_code: "42".into(),
                district_code: Some("444".into()),
                commune_code: village[..5].to_string(),
                village_code: village.to_string(),
                period,
                standard: if period == 2021 { "vn-2016" } else { "vn-2022" }.into(),
                kind: "baseline".into(),
                review_id: None,
                status: status.to_string(),
                area: "rural".into(),
                income_per_capita: None,
                score_a: None,
                score_b: 0,
                deprivation_count: 0,
                deprived: String::new(),
                reasons: String::new(),
                transition: transition.map(String::from),
                member_count: 1,
                causes: String::new(),
                decision_number: None,
                decision_date: None,
                effective_date: date(period - 1, 12, 20),
                approved_by: "test".into(),
                approved_at: "2021-12-20T00:00:00Z".into(),
                supersedes: None,
                correction_reason: None,
                certificate_number: None,
            });
        }
    }
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    Site {
        router: giamngheo_web::router(app),
        db,
    }
}

fn config() -> Config {
    Config {
        hierarchy: Hierarchy::four_levels(),
        ..Config::default()
    }
}

async fn site() -> Site {
    site_with(config(), false).await
}

impl Served for Site {
    fn router(&self) -> &Router {
        &self.router
    }
}

fn page(uri: &str, session: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, format!("gn_session={session}"))
        .body(Body::empty())
        .unwrap()
}

fn form(uri: &str, cookie: &str, fields: &[(&str, &str)]) -> Request<Body> {
    post_form(uri, Some(cookie), fields)
}

fn api(uri: &str, token: &str) -> Request<Body> {
    Request::get(format!("/api/v1{uri}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

/// An API token for a user.
async fn token(site: &Site, username: &str) -> String {
    let answer = send(
        site,
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::json!({"username": username, "password": PASSWORD}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()["token"].as_str().unwrap().to_string()
}

/// Signs in through the login page as a browser does; returns the session cookie.
async fn sign_in(site: &Site, username: &str) -> String {
    sign_in_answer(site, username, PASSWORD)
        .await
        .cookie("gn_session")
        .expect("a session cookie")
}

const REPORT: &str = "/reports/dien-bien-ho-ngheo?unit=444&period=2022&as_of=2022-06-01";

#[tokio::test]
async fn the_report_page_shows_the_table_with_drill_down_links() {
    let site = site().await;
    let session = sign_in(&site, "phong.ldtbxh").await;
    let answer = send(&site, page(REPORT, &session)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let body = answer.text();
    assert!(body.contains("Xã Điền Mỹ") && body.contains("Xã Hà Linh"));
    assert!(body.contains("Tổng cộng"));
    assert!(body.contains("/reports/dien-bien-ho-ngheo/households?unit=18499"));
    site.db.finish().await;
}

#[tokio::test]
async fn the_report_says_its_basis_and_offers_the_other() {
    let site = site().await;
    let session = sign_in(&site, "phong.ldtbxh").await;
    let answer = send(&site, page(REPORT, &session)).await;
    let body = answer.text();
    assert!(body.contains("<select name=\"basis\">"), "{body}");
    assert!(
        body.contains(
            "<option value=\"current\" selected>Theo đơn vị hành chính hiện nay</option>"
        )
    );
    assert!(body.contains(
        "<option value=\"as_was\">Theo đơn vị hành chính tại thời điểm báo cáo</option>"
    ));
    assert!(body.contains("basis=current"), "the links keep the basis");
    let as_was = send(&site, page(&format!("{REPORT}&basis=as_was"), &session)).await;
    assert_eq!(as_was.status, StatusCode::OK, "{}", as_was.text());
    assert!(as_was.text().contains("<option value=\"as_was\" selected>"));
    assert!(
        as_was
            .text()
            .contains("tại thời điểm báo cáo (ngày 01/06/2022)")
    );

    let token = token(&site, "phong.ldtbxh").await;
    let uri = "/reports/ket-qua-ra-soat?unit=444&period=2022&as_of=2022-06-01";
    let json = send(&site, api(&format!("{uri}&basis=as_was"), &token)).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.text());
    assert_eq!(json.json()["basis"], "as_was");
    assert_eq!(
        send(&site, api(uri, &token)).await.json()["basis"],
        "current"
    );
    let bad = send(&site, api(&format!("{uri}&basis=now"), &token)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("«now» không rõ"), "{}", bad.text());
    site.db.finish().await;
}

#[tokio::test]
async fn the_report_pages_open_on_the_latest_classified_period() {
    // The site's clock is today's; its classifications are of 2021 and 2022.
    let site = site().await;
    let session = sign_in(&site, "phong.ldtbxh").await;
    let list = send(&site, page("/reports?unit=444", &session)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    assert!(list.text().contains("name=\"period\" value=\"2022\""));
    assert!(list.text().contains("unit=444&amp;period=2022"));
    let report = send(
        &site,
        page("/reports/dien-bien-ho-ngheo?unit=444", &session),
    )
    .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text());
    assert!(report.text().contains("period=2022"));
    site.db.finish().await;
}

#[tokio::test]
async fn the_api_answers_json_csv_and_xlsx() {
    let site = site().await;
    let token = token(&site, "phong.ldtbxh").await;
    let uri = "/reports/ket-qua-ra-soat?unit=444&period=2022&as_of=2022-06-01";
    let json = send(&site, api(uri, &token)).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.text());
    let report = json.json();
    assert_eq!(report["check_failed"], false);
    assert_eq!(report["rows"].as_array().unwrap().len(), 3);

    let csv = send(&site, api(&format!("{uri}&format=csv"), &token)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header(header::CONTENT_TYPE).starts_with("text/csv"));
    assert!(csv.text().starts_with("Đơn vị,"), "{}", csv.text());
    assert!(csv.text().contains("Tổng cộng"));

    let xlsx = send(&site, api(&format!("{uri}&format=xlsx"), &token)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "an .xlsx is a zip file");
    assert!(
        xlsx.header(header::CONTENT_DISPOSITION)
            .contains("ket-qua-ra-soat-444-2022.xlsx")
    );

    let bad = send(&site, api(&format!("{uri}&format=ods"), &token)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text().contains("pdf"),
        "the choices are named: {}",
        bad.text()
    );
    site.db.finish().await;
}

#[tokio::test]
async fn the_report_downloads_as_a_pdf_from_the_page_and_the_api() {
    let site = site().await;
    let session = sign_in(&site, "phong.ldtbxh").await;
    let shown = send(&site, page(REPORT, &session)).await;
    // The page's links escape the query's ampersands.
    let link = "as_of=2022-06-01&#38;basis=current&amp;format=pdf\">PDF</a>";
    assert!(shown.text().contains(link), "{}", shown.text());

    let token = token(&site, "phong.ldtbxh").await;
    let pdf = send(&site, api(&format!("{REPORT}&format=pdf"), &token)).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text());
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    assert_eq!(pdf.header(header::CONTENT_TYPE), "application/pdf");
    assert!(
        pdf.header(header::CONTENT_DISPOSITION)
            .contains("dien-bien-ho-ngheo-444-2022.pdf")
    );

    // The district's pages, then each commune's, in one file.
    let per_unit = send(
        &site,
        api(&format!("{REPORT}&format=pdf&per_unit=1"), &token),
    )
    .await;
    assert_eq!(per_unit.status, StatusCode::OK, "{}", per_unit.text());
    assert!(per_unit.bytes.starts_with(b"%PDF-"));
    assert!(
        per_unit
            .header(header::CONTENT_DISPOSITION)
            .contains("dien-bien-ho-ngheo-444-2022-theo-don-vi.pdf")
    );
    assert!(per_unit.bytes.len() > pdf.bytes.len());

    // The OpenAPI document offers the format.
    let doc = send(&site, api("/openapi.json", &token)).await.json();
    let formats = &doc["components"]["schemas"]["ReportFormat"]["enum"];
    assert_eq!(*formats, serde_json::json!(["json", "csv", "xlsx", "pdf"]));
    let params = doc["paths"]["/reports/{name}"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let format = params.iter().find(|p| p["name"] == "format").unwrap();
    assert!(format.to_string().contains("ReportFormat"), "{format}");
    site.db.finish().await;
}

#[tokio::test]
async fn a_workbook_has_one_sheet_per_commune_on_request() {
    let site = site().await;
    let token = token(&site, "phong.ldtbxh").await;
    let uri = "/reports/dien-bien-ho-ngheo?unit=444&period=2022&as_of=2022-06-01";
    let xlsx = send(&site, api(&format!("{uri}&format=xlsx&per_unit=1"), &token)).await;
    assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.text());
    assert!(xlsx.bytes.starts_with(b"PK"));
    assert!(
        xlsx.header(header::CONTENT_DISPOSITION)
            .contains("theo-don-vi")
    );
    // Per unit is a workbook layout; JSON and CSV refuse it rather than ignore it.
    let csv = send(&site, api(&format!("{uri}&format=csv&per_unit=1"), &token)).await;
    assert_eq!(csv.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The sheets' figures, for scripts/check_xlsx.py to read back with openpyxl: the
    // district's sheet, then each commune's.
    let mut sheets = vec![send(&site, api(uri, &token)).await.json()];
    for commune in ["18499", "18502"] {
        let one = send(
            &site,
            api(
                &format!("/reports/dien-bien-ho-ngheo?unit={commune}&period=2022&as_of=2022-06-01"),
                &token,
            ),
        )
        .await;
        sheets.push(one.json());
    }
    assert_eq!(sheets[1]["unit_name"], "Xã Điền Mỹ");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-xlsx");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("per-unit-dien-bien-ho-ngheo.xlsx"), &xlsx.bytes).unwrap();
    std::fs::write(
        dir.join("per-unit-dien-bien-ho-ngheo.json"),
        serde_json::to_vec_pretty(&sheets).unwrap(),
    )
    .unwrap();
    site.db.finish().await;
}

#[tokio::test]
async fn an_export_whose_movement_check_fails_is_refused_with_409() {
    let site = site_with(config(), true).await;
    let token = token(&site, "phong.ldtbxh").await;
    let json = send(&site, api(REPORT, &token)).await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(json.json()["check_failed"], true);
    for format in ["csv", "xlsx", "xlsx&per_unit=1", "pdf", "pdf&per_unit=1"] {
        let answer = send(&site, api(&format!("{REPORT}&format={format}"), &token)).await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "{format}");
        let body = answer.json();
        assert_eq!(body["error"]["code"], "conflict");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Xã Hà Linh"),
            "{body}"
        );
    }
    // The page still shows the report, with the failures named.
    let session = sign_in(&site, "phong.ldtbxh").await;
    let shown = send(&site, page(REPORT, &session)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.text().contains("Xã Hà Linh"));
    // ... without links to exports that would be refused, and the printed form is
    // refused like the files.
    assert!(!shown.text().contains("format=xlsx"), "{}", shown.text());
    assert!(!shown.text().contains("print=1"));
    let printed = send(&site, page(&format!("{REPORT}&print=1"), &session)).await;
    assert_eq!(printed.status, StatusCode::CONFLICT);
    assert!(printed.text().contains("Xã Hà Linh"));
    site.db.finish().await;
}

#[tokio::test]
async fn a_province_viewer_sees_figures_but_no_households() {
    let site = site().await;
    let viewer = token(&site, "tinh.xem").await;
    let report = send(
        &site,
        api(
            "/reports/ket-qua-ra-soat?unit=444&period=2022&as_of=2022-06-01",
            &viewer,
        ),
    )
    .await;
    assert_eq!(report.status, StatusCode::OK);
    let drill = "/reports/ket-qua-ra-soat/households?unit=18499&period=2022&key=poor.households";
    let answer = send(&site, api(drill, &viewer)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
    let session = sign_in(&site, "tinh.xem").await;
    let refused = send(&site, page(drill, &session)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The labour office sees the two poor households of Điền Mỹ.
    let office = token(&site, "phong.ldtbxh").await;
    let list = send(&site, api(&format!("{drill}&as_of=2022-06-01"), &office)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json().as_array().unwrap().len(), 2);
    site.db.finish().await;
}

#[tokio::test]
async fn a_unit_outside_the_users_area_is_not_found() {
    let site = site().await;
    let token = token(&site, "canbo.dienmy").await;
    for uri in [
        "/reports/ket-qua-ra-soat?unit=18502&period=2022",
        "/reports/ket-qua-ra-soat?unit=444&period=2022&format=csv",
        "/reports/ket-qua-ra-soat/households?unit=18502&period=2022&key=poor.households",
        "/targets?unit=444&year=2021",
    ] {
        let answer = send(&site, api(uri, &token)).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}");
    }
    // Its own commune answers.
    let own = send(
        &site,
        api("/reports/ket-qua-ra-soat?unit=18499&period=2022", &token),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK);
    site.db.finish().await;
}

#[tokio::test]
async fn a_reports_dir_override_changes_a_heading() {
    let dir = std::env::temp_dir().join(format!("giamngheo-reports-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let builtin = include_str!("../../app/reports/01-ket-qua-ra-soat.toml");
    std::fs::write(
        dir.join("ket-qua.toml"),
        builtin.replace("\"Tổng số hộ dân cư\"", "\"Tổng số hộ (đã sửa)\""),
    )
    .unwrap();
    let catalog = ReportCatalog::with_overrides(&dir).unwrap();
    let site = site_with(
        Config {
            reports: Arc::new(catalog),
            ..config()
        },
        false,
    )
    .await;
    let token = token(&site, "phong.ldtbxh").await;
    let report = send(
        &site,
        api("/reports/ket-qua-ra-soat?unit=444&period=2022", &token),
    )
    .await
    .json();
    assert_eq!(report["columns"][0]["heading"][0], "Tổng số hộ (đã sửa)");
    // The other reports are still the built-in ones: the override replaced one definition
    // and added none, so the list is as long as the built-in catalogue.
    let list = send(&site, api("/reports", &token)).await.json();
    assert_eq!(
        list.as_array().unwrap().len(),
        ReportCatalog::builtin().names().len()
    );

    // A malformed file is refused, naming the file and the line.
    std::fs::write(dir.join("hong.toml"), "name = \"x\"\ntitle = [\n").unwrap();
    let e = ReportCatalog::with_overrides(&dir).unwrap_err();
    let message = e.to_string();
    assert!(message.contains("hong.toml"), "{message}");
    assert!(message.contains("line"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
    site.db.finish().await;
}

#[tokio::test]
async fn the_targets_page_shows_progress_and_saves_an_edit() {
    let site = site().await;
    let session = sign_in(&site, "phong.ldtbxh").await;
    let answer = send(&site, page("/targets?unit=444&year=2021", &session)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let body = answer.text();
    assert!(body.contains("Giảm tỷ lệ hộ nghèo"));
    assert!(body.contains("1–1,5 điểm %"));
    assert!(body.contains("Chưa có dữ liệu"));
    assert!(body.contains("chưa có bản ghi hưởng chính sách"));
    let csrf = answer.csrf_field();

    let cookie = format!("gn_session={session}");
    let fields = [
        ("unit", "444"),
        ("year", "2021"),
        ("indicator", "poverty_rate_reduction"),
        ("target_value", "1,2"),
        ("target_max", ""),
        ("source_note", "Điều chỉnh"),
        ("version", "1"),
    ];
    // Without the CSRF token the form is refused.
    let refused = send(&site, form("/targets", &cookie, &fields)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut with_csrf = fields.to_vec();
    with_csrf.push(("csrf", &csrf));
    let saved = send(&site, form("/targets", &cookie, &with_csrf)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(
        saved.header(header::LOCATION),
        "/targets?unit=444&year=2021&saved=1"
    );

    let token = token(&site, "phong.ldtbxh").await;
    let json = send(&site, api("/targets?unit=444&year=2021", &token))
        .await
        .json();
    let rate = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["indicator"] == "poverty_rate_reduction")
        .unwrap()
        .clone();
    assert_eq!(rate["target_value"], 1.2);
    assert_eq!(rate["version"], 2);
    assert_eq!(rate["updated_by"], "phong.ldtbxh");
    // Period 2021 is the earliest classified, so there is no start-of-year rate.
    assert_eq!(rate["status"], "no_data");
    let tuition = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["indicator"] == "tuition_support")
        .unwrap()
        .clone();
    assert_eq!(tuition["measured"], serde_json::Value::Null);

    // A province viewer reads the targets but cannot change them.
    let viewer = sign_in(&site, "tinh.xem").await;
    let view = send(&site, page("/targets?unit=444&year=2021", &viewer)).await;
    assert_eq!(view.status, StatusCode::OK);
    assert!(
        !view
            .text()
            .contains("action=\"/targets\" class=\"target-edit\"")
    );

    let doc = send(&site, api("/openapi.json", &token)).await.json();
    assert!(doc["paths"]["/targets"]["get"].is_object());
    site.db.finish().await;
}
