//! The test site: a district with one commune officer and the labour office, signing in,
//! requests and multipart bodies, and a review waiting for its village meeting.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::reviews::SurveyInput;
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::ClassificationFields;
use giamngheo_store::testing::TestDb;
use giamngheo_web::WebOptions;
use std::sync::Arc;

pub use crate::common::*;

pub const UNITS: &str = "code,name,kind,level,parent_code\n\
                     42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                     444,Huyện Hương Khê,Huyện,2,42\n\
                     18499,Xã Điền Mỹ,Xã,3,444\n";
/// Thôn Trung Hòa of Xã Điền Mỹ, the first village imported.
pub const TRUNG_HOA: &str = "18499001";
pub const PASSWORD: &str = "mật khẩu đủ dài";
pub const OFFICER: &str = "canbo.dienmy";
/// The district's labour office, which uploads the communes' boundaries.
pub const LABOUR_OFFICE: &str = "phong.ldtbxh";

pub struct Site {
    pub router: Router,
    pub app: App,
    pub db: TestDb,
}

/// Nine in the morning of 6 September 2021 in Vietnam: the annual review is open.
pub fn now() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2021, 9, 6)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc()
}

pub async fn site_with(options: WebOptions) -> Site {
    site_on(TestDb::sqlite().await, options).await
}

/// The SQLite site and, unless PostgreSQL tests are switched off, the PostgreSQL one.
pub async fn both_sites() -> Vec<Site> {
    let mut sites = vec![site().await];
    if let Some(db) = TestDb::postgres().await {
        sites.push(site_on(db, WebOptions::default()).await);
    }
    sites
}

pub async fn site_on(db: TestDb, options: WebOptions) -> Site {
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
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system("commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n".as_bytes())
        .await
        .unwrap();
    for (username, role, unit) in [
        (OFFICER, Role::CommuneOfficer, "18499"),
        (LABOUR_OFFICE, Role::Office, "444"),
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

pub async fn site() -> Site {
    site_with(WebOptions::default()).await
}

/// The officer as the app layer knows them (the first user, id 1).
pub fn officer() -> Actor {
    Actor {
        user_id: 1,
        username: OFFICER.into(),
        role: Role::CommuneOfficer,
        unit_code: "18499".into(),
        unit_tier: Tier::Commune,
        agency_code: None,
    }
}

impl Served for Site {
    fn router(&self) -> &Router {
        &self.router
    }
}

/// Signs in through the login page; returns the session cookie and its CSRF token.
pub async fn sign_in(site: &Site, username: &str) -> (String, String) {
    let session = sign_in_answer(site, username, PASSWORD)
        .await
        .cookie("gn_session")
        .unwrap();
    let csrf = send(site, get("/households/import", Some(&session)))
        .await
        .csrf_field();
    (session, csrf)
}

/// A part of a multipart body: a text field, or a file with its name and type.
pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a str, &'a [u8]),
}

pub const BOUNDARY: &str = "ranh-gioi-5678";

pub fn multipart(parts: &[Part]) -> Vec<u8> {
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
pub fn post_multipart(uri: &str, session: &str, body: Vec<u8>, length: bool) -> Request<Body> {
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

// ---------------------------------------------------------------- meeting minutes

/// A review of Điền Mỹ at its meetings step, with one poor household of Trung Hòa
/// surveyed and waiting for the village meeting.
pub async fn review_at_meetings(app: &App) -> i64 {
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

pub fn meeting_form<'a>(csrf: &'a str, minutes: Part<'a>) -> Vec<u8> {
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
pub fn minutes_link(page: &str) -> String {
    let at = page.find("/meetings/").expect("a minutes link");
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

pub const SVG: &[u8] = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(document.cookie)'/>";
/// A PNG's signature and the start of its header chunk: enough for its kind.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01";
