//! A refused form comes back with what was typed and the problem next to its field
//! (issue 15), on the demo of 07/12/2026 as its commune officer meets it: the village
//! meeting form, the request and decision forms, the phiếu B grid and the household form
//! with its members. Nothing is saved, and the page answers 422 with the header and menu.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use giamngheo_app::App;
use giamngheo_app::access::Role;
use giamngheo_store::Store;

mod support;
use support::{Answer, demo_of_today, demo_session, get, post_form, send};

struct Site {
    router: axum::Router,
    app: App,
    review: i64,
    session: String,
    csrf: String,
}

async fn officer_site(store: Store) -> Site {
    let (router, app, demo) = demo_of_today(store, 120).await;
    let session = demo_session(&router, &demo, Role::CommuneOfficer).await;
    let home = send(&router, get("/", Some(&session))).await;
    Site {
        router,
        app,
        review: demo.open_review.as_ref().unwrap().id,
        csrf: home.csrf_field(),
        session,
    }
}

/// A multipart form post of text fields, as the meeting form sends it.
fn multipart(uri: &str, session: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let boundary = "----giamngheo-refused";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Request::post(uri)
        .header(header::COOKIE, format!("gn_session={session}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

/// The text from the input named `name` up to the end of its label: where the page puts
/// the problem of that input.
fn around<'a>(page: &'a str, name: &str) -> &'a str {
    let at = page
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name}"));
    let end = at + page[at..].find("</label>").unwrap();
    &page[at..end]
}

async fn a_refused_meeting_keeps_what_was_typed(store: Store) {
    let site = officer_site(store).await;
    let households = site
        .app
        .store()
        .review_households(site.review)
        .await
        .unwrap();
    // The last village of the list, so that keeping the choice is not the default.
    let village = households.last().unwrap().village_code.clone();
    let answer = send(
        &site.router,
        multipart(
            &format!("/reviews/{}/meetings", site.review),
            &site.session,
            &[
                ("csrf", &site.csrf),
                ("village", &village),
                ("held_on", "05/12/2026"),
                ("attendees", "bốn mươi"),
                ("agreeing", "55"),
                ("chaired_by", "Trần Văn Bình"),
            ],
        ),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let page = &answer.body;
    assert!(page.contains("<nav"), "the page keeps its menu");
    for typed in [
        "value=\"05/12/2026\"",
        "value=\"bốn mươi\"",
        "value=\"55\"",
        "value=\"Trần Văn Bình\"",
    ] {
        assert!(page.contains(typed), "{typed}: {page}");
    }
    assert!(
        page.contains(&format!("<option value=\"{village}\" selected>")),
        "{page}"
    );
    let attendees = around(page, "attendees");
    assert!(attendees.contains("field-error"), "{attendees}");
    assert!(attendees.contains("phải là số"), "{attendees}");
    assert!(!around(page, "agreeing").contains("field-error"));
    // Nothing was saved.
    let view = site.app.store().meetings(site.review).await.unwrap();
    assert!(view.is_empty());
}
giamngheo_store::store_test!(a_refused_meeting_keeps_what_was_typed);

async fn a_refused_phieu_b_row_keeps_its_income_and_ticks(store: Store) {
    let site = officer_site(store).await;
    let households = site
        .app
        .store()
        .review_households(site.review)
        .await
        .unwrap();
    let row = households
        .iter()
        .find(|h| h.provisional_status.is_none() && h.step == "listed")
        .expect("a household not surveyed yet");
    let grid_uri = format!(
        "/reviews/{}/survey?village={}",
        site.review, row.village_code
    );
    let grid = send(&site.router, get(&grid_uri, Some(&site.session))).await;
    assert_eq!(grid.status, StatusCode::OK);
    // The first indicator of the grid, ticked by hand.
    let marker = format!("name=\"t{}\" value=\"", row.id);
    let at = grid.body.find(&marker).unwrap() + marker.len();
    let indicator = grid.body[at..].split('"').next().unwrap().to_string();
    let rh = row.id.to_string();
    let version = row.version.to_string();
    let answer = send(
        &site.router,
        post_form(
            &format!("/reviews/{}/survey", site.review),
            Some(&format!("gn_session={}", site.session)),
            &[
                ("csrf", &site.csrf),
                ("village", &row.village_code),
                ("surveyed_by", "Lê Thị Hoa"),
                ("surveyed_on", "04/12/2026"),
                ("rh", &rh),
                (&format!("v{rh}"), &version),
                (&format!("c{rh}"), &row.household_code),
                (&format!("i{rh}"), "mười triệu"),
                (&format!("t{rh}"), &indicator),
            ],
        ),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let page = &answer.body;
    assert!(page.contains("value=\"mười triệu\""), "{page}");
    assert!(page.contains("value=\"Lê Thị Hoa\""), "{page}");
    assert!(page.contains("value=\"04/12/2026\""), "{page}");
    let ticked = format!("name=\"t{rh}\" value=\"{indicator}\" checked");
    assert!(page.contains(&ticked), "{ticked}: {page}");
    // The problem is on the household's own row.
    let row_start = page.find(&format!("name=\"rh\" value=\"{rh}\"")).unwrap();
    let row_html = &page[row_start..row_start + page[row_start..].find("</tr>").unwrap()];
    assert!(row_html.contains("field-error"), "{row_html}");
    assert!(row_html.contains("không phải số"), "{row_html}");
    let after = site.app.store().review_household(row.id).await.unwrap();
    assert!(after.unwrap().provisional_status.is_none(), "nothing saved");
}
giamngheo_store::store_test!(a_refused_phieu_b_row_keeps_its_income_and_ticks);

async fn post_household(site: &Site, fields: &[(&str, &str)]) -> Answer {
    let mut all = vec![("csrf", site.csrf.as_str())];
    all.extend_from_slice(fields);
    send(
        &site.router,
        post_form(
            "/households",
            Some(&format!("gn_session={}", site.session)),
            &all,
        ),
    )
    .await
}

async fn a_refused_household_keeps_its_fields_and_members(store: Store) {
    let site = officer_site(store).await;
    let households = site
        .app
        .store()
        .review_households(site.review)
        .await
        .unwrap();
    let village = households[0].village_code.clone();
    // What the page cannot read: a floor area that is not a number, a birth date that
    // is not a date.
    let answer = post_household(
        &site,
        &[
            ("code", "HK-MOI-01"),
            ("village_code", &village),
            ("address", "Xóm Cồn"),
            ("phone", "0912345678"),
            ("floor_area_m2", "ba mươi"),
            ("m0.full_name", "Hồ Thị Lan"),
            ("m0.sex", "female"),
            ("m0.birth", "31/02/1990"),
            ("m0.relation", "head"),
            ("m0.ethnicity", "01"),
        ],
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let page = &answer.body;
    for typed in [
        "value=\"HK-MOI-01\"",
        "value=\"Xóm Cồn\"",
        "value=\"0912345678\"",
        "value=\"ba mươi\"",
        "value=\"Hồ Thị Lan\"",
        "value=\"31/02/1990\"",
    ] {
        assert!(page.contains(typed), "{typed}: {page}");
    }
    assert!(around(page, "floor_area_m2").contains("không phải số"));
    assert!(around(page, "m0.birth").contains("field-error"));
    assert!(!around(page, "m0.full_name").contains("field-error"));
    // The summary above the form names the fields by their labels.
    assert!(page.contains("Thành viên 1 – Ngày sinh"), "{page}");
    assert!(!page.contains("floor_area_m2:"), "{page}");

    // What the app refuses: a birth date in the future, next to the member's birth date.
    let answer = post_household(
        &site,
        &[
            ("code", "HK-MOI-01"),
            ("village_code", &village),
            ("m0.full_name", "Hồ Thị Lan"),
            ("m0.sex", "female"),
            ("m0.birth", "01/01/2030"),
            ("m0.relation", "head"),
            ("m0.ethnicity", "01"),
        ],
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let birth = around(&answer.body, "m0.birth");
    assert!(birth.contains("field-error"), "{}", answer.body);
    assert!(answer.body.contains("value=\"01/01/2030\""));
    assert!(!answer.body.contains("members[0]"), "{}", answer.body);
}
giamngheo_store::store_test!(a_refused_household_keeps_its_fields_and_members);

async fn a_refused_request_and_decision_keep_what_was_typed(store: Store) {
    let site = officer_site(store).await;
    let before = site
        .app
        .store()
        .review_households(site.review)
        .await
        .unwrap()
        .len();
    let answer = send(
        &site.router,
        post_form(
            &format!("/reviews/{}/requests", site.review),
            Some(&format!("gn_session={}", site.session)),
            &[
                ("csrf", &site.csrf),
                ("household_code", "KHÔNG-CÓ-999"),
                ("date", "03/12/2026"),
                ("channel", "online"),
                ("requester", "Phan Thị Lụa"),
                ("kind", "leave"),
            ],
        ),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let page = &answer.body;
    let code = around(page, "household_code");
    assert!(code.contains("value=\"KHÔNG-CÓ-999\""), "{code}");
    assert!(code.contains("field-error"), "{code}");
    assert!(code.contains("không có hộ mã KHÔNG-CÓ-999"), "{code}");
    assert!(page.contains("value=\"Phan Thị Lụa\""), "{page}");
    assert!(page.contains("value=\"03/12/2026\""), "{page}");
    assert!(
        page.contains("<option value=\"online\" selected>"),
        "{page}"
    );
    assert!(page.contains("<option value=\"leave\" selected>"), "{page}");
    assert!(page.contains("<nav"), "the page keeps its menu");
    let after = site
        .app
        .store()
        .review_households(site.review)
        .await
        .unwrap()
        .len();
    assert_eq!(after, before, "nothing saved");

    // A decision date that is not a date: the number typed stays, the problem is next to
    // the date, and the review is not decided.
    let answer = send(
        &site.router,
        post_form(
            &format!("/reviews/{}/approve", site.review),
            Some(&format!("gn_session={}", site.session)),
            &[
                ("csrf", &site.csrf),
                ("version", "1"),
                ("decision_number", "77/QĐ-UBND"),
                ("decision_date", "31/02/2026"),
            ],
        ),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let page = &answer.body;
    assert!(
        around(page, "decision_number").contains("value=\"77/QĐ-UBND\""),
        "{page}"
    );
    let date = around(page, "decision_date");
    assert!(date.contains("value=\"31/02/2026\""), "{date}");
    assert!(date.contains("field-error"), "{date}");
    let review = site.app.store().review(site.review).await.unwrap().unwrap();
    assert_ne!(review.step, "closed");
}
giamngheo_store::store_test!(a_refused_request_and_decision_keep_what_was_typed);
