//! What a writer learns from a refusal: a citizen ID already registered is named with its
//! household only inside the writer's area, two creates racing with the same ID end in
//! the same conflict as one after the other, and a survey form with no rows filled is
//! refused outside the writer's area like any other.

use super::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::units::UnitImportOptions;
use giamngheo_domain::household::{CitizenId, HouseholdDraft, MemberDraft, Sex};

/// Tỉnh Quảng Bình, far from the officer's commune, with one village.
const OTHER_PROVINCE: &str = "code,name,kind,level,parent_code\n\
                              44,Tỉnh Quảng Bình,Tỉnh,1,\n\
                              450,Huyện Minh Hóa,Huyện,2,44\n\
                              19000,Xã Hóa Sơn,Xã,3,450\n";
const HOA_SON_VILLAGE: &str = "19000001";

/// A household of one, its head holding `citizen_id`.
fn draft(code: &str, village: &str, citizen_id: &str) -> HouseholdDraft {
    HouseholdDraft {
        code: code.into(),
        village_code: village.into(),
        address: "Xóm 1".into(),
        members: vec![MemberDraft {
            full_name: "Đinh Thị Mến".into(),
            sex: Some(Sex::Female),
            birth_year: Some(1980),
            ethnicity: "01".into(),
            relation: "head".into(),
            citizen_id: Some(CitizenId::parse(citizen_id).unwrap()),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Adds the units of a units file, valid since 2020.
async fn add_units(site: &Site, csv: &str) {
    site.app
        .import_units(
            csv.as_bytes(),
            &UnitImportOptions {
                valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                retire_missing: false,
                hierarchy: None,
            },
        )
        .await
        .unwrap();
}

/// Adds Tỉnh Quảng Bình and a household there holding `citizen_id`.
async fn household_in_another_province(site: &Site, citizen_id: &str) {
    add_units(site, OTHER_PROVINCE).await;
    site.app
        .import_villages_as_system("commune_code,name,kind\n19000,Bản Yên Hợp,Bản\n".as_bytes())
        .await
        .unwrap();
    site.app
        .create_households(
            By::System,
            vec![DraftInput::form(draft("HS-7", HOA_SON_VILLAGE, citizen_id))],
            "test",
        )
        .await
        .unwrap();
}

/// A session of the API for `username`.
pub async fn api_token(site: &Site, username: &str) -> String {
    let login = format!(r#"{{"username": "{username}", "password": "{PASSWORD}"}}"#);
    let a = send(site, api_post("/api/v1/auth/login", None, login)).await;
    let v: serde_json::Value = serde_json::from_slice(&a.bytes).unwrap();
    v["token"].as_str().unwrap().to_string()
}

pub fn api_post(uri: &str, token: Option<&str>, body: String) -> Request<Body> {
    let mut r = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    r.body(Body::from(body)).unwrap()
}

/// The household form as the browser posts it, with one member.
fn household_form(csrf: &str, code: &str, citizen_id: &str) -> String {
    format!(
        "csrf={csrf}&code={code}&village_code={TRUNG_HOA}&address=X%C3%B3m%201&area=rural\
         &m0.full_name=%C4%90inh%20V%C4%83n%20Tu%E1%BA%A5n&m0.sex=male&m0.birth=1982\
         &m0.ethnicity=01&m0.relation=head&m0.citizen_id={citizen_id}"
    )
}

fn post_form(uri: &str, session: &str, body: String) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("gn_session={session}"))
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn a_citizen_id_registered_elsewhere_is_refused_without_saying_where() {
    for site in both_sites().await {
        let backend = site.app.store().backend().as_str();
        household_in_another_province(&site, "044180000123").await;
        let (session, csrf) = sign_in(&site, OFFICER).await;

        // The form: refused, saying whom to ask, and nothing of the other household.
        let a = send(
            &site,
            post_form(
                "/households",
                &session,
                household_form(&csrf, "DM-50", "044180000123"),
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        let page = a.text();
        assert!(
            page.contains("đã được đăng ký ở địa bàn khác"),
            "{backend}: {page}"
        );
        assert!(page.contains("liên hệ cơ quan quản lý"), "{backend}");
        for secret in [
            "HS-7",
            "Hóa Sơn",
            "Quảng Bình",
            "Minh Hóa",
            "19000",
            "Đinh Thị Mến",
        ] {
            assert!(
                !page.contains(secret),
                "{backend}: the form names «{secret}»"
            );
        }

        // The API: the same conflict, the same silence.
        let token = api_token(&site, OFFICER).await;
        let body = serde_json::to_string(&draft("DM-51", TRUNG_HOA, "044180000123")).unwrap();
        let a = send(&site, api_post("/api/v1/households", Some(&token), body)).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{backend}: {}", a.text());
        let text = a.text();
        assert!(
            text.contains("đã được đăng ký ở địa bàn khác"),
            "{backend}: {text}"
        );
        for secret in [
            "HS-7",
            "Hóa Sơn",
            "Quảng Bình",
            "Minh Hóa",
            "19000",
            "Đinh Thị Mến",
        ] {
            assert!(
                !text.contains(secret),
                "{backend}: the API names «{secret}»"
            );
        }
        site.db.finish().await;
    }
}

#[tokio::test]
async fn a_citizen_id_registered_in_the_writers_area_names_the_household() {
    for site in both_sites().await {
        let backend = site.app.store().backend().as_str();
        site.app
            .create_household(&officer(), draft("DM-1", TRUNG_HOA, "042180000456"))
            .await
            .unwrap();
        let (session, csrf) = sign_in(&site, OFFICER).await;
        let a = send(
            &site,
            post_form(
                "/households",
                &session,
                household_form(&csrf, "DM-2", "042180000456"),
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
        assert!(
            a.text().contains("đã có ở hộ DM-1 (Xã Điền Mỹ)"),
            "{backend}: {}",
            a.text()
        );

        let token = api_token(&site, OFFICER).await;
        let body = serde_json::to_string(&draft("DM-3", TRUNG_HOA, "042180000456")).unwrap();
        let a = send(&site, api_post("/api/v1/households", Some(&token), body)).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{backend}: {}", a.text());
        assert!(
            a.text().contains("đã có ở hộ DM-1 (Xã Điền Mỹ)"),
            "{backend}"
        );
        site.db.finish().await;
    }
}

#[tokio::test]
async fn concurrent_creates_with_one_citizen_id_give_one_household_and_conflicts() {
    for site in both_sites().await {
        let backend = site.app.store().backend().as_str();
        let token = api_token(&site, OFFICER).await;
        let mut tasks = Vec::new();
        for i in 0..8 {
            let router = site.router.clone();
            let body =
                serde_json::to_string(&draft(&format!("DM-6{i}"), TRUNG_HOA, "042180000789"))
                    .unwrap();
            let request = api_post("/api/v1/households", Some(&token), body);
            tasks.push(tokio::spawn(async move {
                use http_body_util::BodyExt;
                use tower::ServiceExt;
                let response = router.oneshot(request).await.unwrap();
                let status = response.status();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                (status, String::from_utf8_lossy(&body).into_owned())
            }));
        }
        let mut created = 0;
        for t in tasks {
            let (status, text) = t.await.unwrap();
            match status {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => assert!(
                    text.contains("số CCCD *********789 đã có ở hộ DM-6"),
                    "{backend}: the conflict should be the check's own: {text}"
                ),
                other => panic!("{backend}: {other} {text}"),
            }
        }
        assert_eq!(created, 1, "{backend}");
        site.db.finish().await;
    }
}

#[tokio::test]
async fn an_empty_survey_form_is_refused_outside_the_writers_area() {
    for site in both_sites().await {
        let backend = site.app.store().backend().as_str();
        let id = review_at_meetings(&site.app).await;
        add_units(
            &site,
            "code,name,kind,level,parent_code\n18502,Xã Hà Linh,Xã,3,444\n",
        )
        .await;
        site.app
            .add_user_as_system(giamngheo_app::auth::NewUserInput {
                username: "canbo.halinh".into(),
                password: PASSWORD.into(),
                role: giamngheo_app::access::Role::CommuneOfficer,
                unit_code: "18502".into(),
            })
            .await
            .unwrap();
        let empty = |csrf: &str| {
            format!("csrf={csrf}&village={TRUNG_HOA}&surveyed_by=A&surveyed_on=06/09/2021")
        };

        let (session, csrf) = sign_in(&site, "canbo.halinh").await;
        let a = send(
            &site,
            post_form(&format!("/reviews/{id}/survey"), &session, empty(&csrf)),
        )
        .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{backend}: {}", a.text());
        assert!(a.header(header::LOCATION).is_empty(), "{backend}");

        // The commune's own officer still comes back to the form.
        let (session, csrf) = sign_in(&site, OFFICER).await;
        let a = send(
            &site,
            post_form(&format!("/reviews/{id}/survey"), &session, empty(&csrf)),
        )
        .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{backend}: {}", a.text());
        site.db.finish().await;
    }
}
