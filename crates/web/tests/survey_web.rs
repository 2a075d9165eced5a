//! The field survey on the web and the API (issue 18), on SQLite, PostgreSQL and Citus:
//! the reviews listed for survey tools, the forms' .zip by API and from the review's
//! page, and a commune officer of another commune finding neither.

mod support;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::Store;
use giamngheo_store::store_test as web_test;
use std::sync::Arc;
use support::{Answer, send};

const PASSWORD: &str = "mật khẩu đủ dài";

async fn site(store: Store) -> (Router, App, i64) {
    // Nine in the morning of 06/09/2021 in Vietnam.
    let now = NaiveDate::from_ymd_opt(2021, 9, 6)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    );
    app.import_units(
        "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n444,Huyện Hương Khê,Huyện,2,42\n\
         18499,Xã Điền Mỹ,Xã,3,444\n18502,Xã Hà Linh,Xã,3,444\n"
            .as_bytes(),
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
        ("canbo.dienmy", Role::CommuneOfficer, "18499"),
        ("canbo.halinh", Role::CommuneOfficer, "18502"),
        ("phong.huongkhe", Role::Office, "444"),
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
    let ids = app
        .create_households(
            By::System,
            vec![DraftInput::form(HouseholdDraft {
                code: "HK-001".into(),
                village_code: "18499001".into(),
                address: "Xóm 1".into(),
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
    let officer = Actor {
        user_id: 1,
        username: "canbo.dienmy".into(),
        role: Role::CommuneOfficer,
        unit_code: "18499".into(),
        unit_tier: Tier::Commune,
        agency_code: None,
    };
    let id = app
        .open_periodic_review(&officer, "18499", 2022, "vn-2022")
        .await
        .unwrap();
    // A household added on request, so that the review has one to put on the lists.
    app.add_review_request(
        &officer,
        id,
        ids[0],
        giamngheo_app::reviews::RequestInput {
            date: NaiveDate::from_ymd_opt(2021, 9, 1).unwrap(),
            channel: "in_person".into(),
            requester: "Phan Văn Lộc".into(),
            kind: "enter".into(),
        },
    )
    .await
    .unwrap();
    (giamngheo_web::router(app.clone()), app, id)
}

async fn token(router: &Router, username: &str) -> String {
    let body = serde_json::json!({"username": username, "password": PASSWORD}).to_string();
    let answer = send(
        router,
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()["token"].as_str().unwrap().to_string()
}

fn api(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

fn zip_names(answer: &Answer) -> Vec<String> {
    giamngheo_sheets::xlsform::unzip(&answer.bytes, 1 << 24)
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

async fn survey_tools_list_reviews_and_fetch_forms_within_their_area(store: Store) {
    let (router, _app, id) = site(store).await;
    let office = token(&router, "phong.huongkhe").await;
    let list = send(
        &router,
        api("/api/v1/reviews?unit=444&period=2022", &office),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(
        list.json(),
        serde_json::json!({"items": [
            {"id": id, "unit": "18499", "period": 2022, "kind": "periodic", "step": "listing"}
        ]})
    );
    let bad = send(&router, api("/api/v1/reviews?unit=444&period=năm", &office)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);

    let own = token(&router, "canbo.dienmy").await;
    let zip = send(
        &router,
        api(&format!("/api/v1/reviews/{id}/forms.zip"), &own),
    )
    .await;
    assert_eq!(zip.status, StatusCode::OK, "{}", zip.body);
    assert_eq!(zip.header(header::CONTENT_TYPE), "application/zip");
    assert_eq!(
        zip_names(&zip),
        ["phieu_a.xlsx", "phieu_b.xlsx", "hh_18499001.csv"]
    );

    // Hà Linh's officer finds neither Điền Mỹ's reviews nor its forms, and no name.
    let other = token(&router, "canbo.halinh").await;
    let hidden = send(
        &router,
        api(&format!("/api/v1/reviews/{id}/forms.zip"), &other),
    )
    .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(!hidden.body.contains("Lộc"), "{}", hidden.body);
    let hidden = send(&router, api("/api/v1/reviews?unit=18499", &other)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let theirs = send(&router, api("/api/v1/reviews", &other)).await;
    assert_eq!(theirs.json(), serde_json::json!({"items": []}));
}
web_test!(survey_tools_list_reviews_and_fetch_forms_within_their_area);

async fn the_review_page_links_the_forms(store: Store) {
    let (router, _app, id) = site(store).await;
    let session = support::sign_in_answer(&router, "canbo.dienmy", PASSWORD)
        .await
        .cookie("gn_session")
        .unwrap();
    let page = send(
        &router,
        support::get(&format!("/reviews/{id}"), Some(&session)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let link = format!("href=\"/reviews/{id}/forms.zip\"");
    assert!(page.body.contains(&link), "{}", page.body);
    assert!(page.body.contains("Tải phiếu và danh sách hộ (.zip)"));
    let zip = send(
        &router,
        support::get(&format!("/reviews/{id}/forms.zip"), Some(&session)),
    )
    .await;
    assert_eq!(zip.status, StatusCode::OK);
    assert_eq!(zip_names(&zip).len(), 3);

    let other = support::sign_in_answer(&router, "canbo.halinh", PASSWORD)
        .await
        .cookie("gn_session")
        .unwrap();
    let hidden = send(
        &router,
        support::get(&format!("/reviews/{id}/forms.zip"), Some(&other)),
    )
    .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}
web_test!(the_review_page_links_the_forms);

/// A multipart upload of one file with the page's CSRF token.
fn upload(uri: &str, session: &str, csrf: &str, name: &str, bytes: &[u8]) -> Request<Body> {
    let boundary = "----giamngheo-survey";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/json\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post(uri)
        .header(header::COOKIE, format!("gn_session={session}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

async fn an_upload_on_the_review_page_queues_a_bad_submission_with_its_reason(store: Store) {
    let (router, _app, id) = site(store).await;
    let session = support::sign_in_answer(&router, "canbo.dienmy", PASSWORD)
        .await
        .cookie("gn_session")
        .unwrap();
    let page = send(
        &router,
        support::get(&format!("/reviews/{id}"), Some(&session)),
    )
    .await;
    assert!(page.body.contains("id=\"survey-import\""), "{}", page.body);
    let export = serde_json::json!({"count": 1, "next": null, "previous": null, "results": [{
        "_uuid": "z1", "meta/instanceID": "uuid:z1", "meta/rootUuid": "uuid:z1",
        "_xform_id_string": format!("giamngheo_r{id}_phieu_b"), "_submission_time": "2021-09-05T03:00:00",
        "household": "HK-404", "confirm": "yes"
    }]});
    let answer = send(
        &router,
        upload(
            &format!("/reviews/{id}/submissions"),
            &session,
            &page.csrf_field(),
            "kobo.json",
            export.to_string().as_bytes(),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(
        answer.location(),
        format!("/reviews/{id}?imported=0.0.0.1#survey-card")
    );
    let page = send(
        &router,
        support::get(
            &answer.location().replace("#survey-card", ""),
            Some(&session),
        ),
    )
    .await;
    assert!(
        page.body
            .contains("0 bản nộp mới, 0 bản nộp đã sửa được nhập; 0 không đổi; 1 chờ xử lý"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"survey-queue\""));
    assert!(
        page.body
            .contains("hộ mã «HK-404» không thuộc đợt rà soát này"),
        "{}",
        page.body
    );
    assert!(page.body.contains("05/09/2021"));

    // Hà Linh's officer cannot upload into Điền Mỹ's review.
    let other = support::sign_in_answer(&router, "canbo.halinh", PASSWORD)
        .await
        .cookie("gn_session")
        .unwrap();
    let home = send(&router, support::get("/", Some(&other))).await;
    let refused = send(
        &router,
        upload(
            &format!("/reviews/{id}/submissions"),
            &other,
            &home.csrf_field(),
            "kobo.json",
            export.to_string().as_bytes(),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
}
web_test!(an_upload_on_the_review_page_queues_a_bad_submission_with_its_reason);

async fn phieu_b_is_entered_on_a_phone_for_one_household(store: Store) {
    let (router, app, id) = site(store).await;
    let officer = Actor {
        user_id: 1,
        username: "canbo.dienmy".into(),
        role: Role::CommuneOfficer,
        unit_code: "18499".into(),
        unit_tier: Tier::Commune,
        agency_code: None,
    };
    let view = app.review(&officer, id).await.unwrap();
    let h = view.households[0].clone();
    app.record_screening(
        &officer,
        id,
        h.id,
        h.version,
        &[("Kết luận phiếu A".into(), true)],
        true,
    )
    .await
    .unwrap();
    app.start_survey(&officer, id, view.review.version)
        .await
        .unwrap();
    let session = support::sign_in_answer(&router, "canbo.dienmy", PASSWORD)
        .await
        .cookie("gn_session")
        .unwrap();
    let review = send(
        &router,
        support::get(&format!("/reviews/{id}"), Some(&session)),
    )
    .await;
    let link = format!("/reviews/{id}/households/{}/phieu-b", h.id);
    assert!(
        review.body.contains(&format!("href=\"{link}\"")),
        "{}",
        review.body
    );
    let page = send(&router, support::get(&link, Some(&session))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("class=\"phone-form\""));
    assert!(
        page.body
            .contains("có ít nhất 1 thành viên từ 6 tuổi trở lên không có bảo hiểm y tế")
    );
    assert!(page.body.contains(&format!("name=\"a{}\"", h.id)));
    let rh = h.id.to_string();
    let version = app.review(&officer, id).await.unwrap().households[0]
        .version
        .to_string();
    let saved = send(
        &router,
        support::post_form(
            &format!("/reviews/{id}/survey"),
            Some(&format!("gn_session={session}")),
            &[
                ("csrf", &page.csrf_field()),
                ("village", "18499001"),
                ("rh", &rh),
                (&format!("v{rh}"), &version),
                (&format!("c{rh}"), "HK-001"),
                ("surveyed_by", "Trần Văn Quý"),
                ("surveyed_on", "06/09/2021"),
                (&format!("a{rh}"), "120"),
                (&format!("t{rh}"), "health_insurance"),
                (&format!("t{rh}"), "housing_quality"),
                (&format!("t{rh}"), "sanitation"),
            ],
        ),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // The page the save leads to says what it did; a mangled count shows no notice.
    let back = send(&router, support::get(saved.location(), Some(&session))).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert!(
        back.body.contains("Đã lưu phiếu B của 1 hộ."),
        "{}",
        saved.location()
    );
    let mangled = saved.location().replace("saved=1", "saved=abc");
    let back = send(&router, support::get(&mangled, Some(&session))).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert!(!back.body.contains("Đã lưu phiếu B"));
    let after = app.review(&officer, id).await.unwrap();
    assert_eq!(
        after.households[0].provisional_status.as_deref(),
        Some("poor")
    );

    // Hà Linh's officer finds no such page.
    let other = support::sign_in_answer(&router, "canbo.halinh", PASSWORD)
        .await
        .cookie("gn_session")
        .unwrap();
    let hidden = send(&router, support::get(&link, Some(&other))).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(!hidden.body.contains("Lộc"));
}
web_test!(phieu_b_is_entered_on_a_phone_for_one_household);
