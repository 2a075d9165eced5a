//! A refused form comes back with what was typed and the problem next to its field
//! (issue 15), on the demo of 07/12/2026 as its commune officer meets it. Every form is
//! one row of a table run by `support::refused::check` (422, the values kept, the
//! problem next to its field or above the form, the menu, nothing saved), on one demo
//! per backend; the phiếu B grid and the household form, whose shapes differ, have their
//! own checks on the same demo.

use axum::http::StatusCode;
use chrono::NaiveDate;
use giamngheo_app::App;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::reviews::RequestInput;
use giamngheo_domain::Tier;
use giamngheo_store::Store;

mod support;
use support::refused::{Refusal, around, check, form_of};
use support::{Answer, demo_of_today, demo_session, demo_user, get, post_form, send};

struct Site {
    router: axum::Router,
    app: App,
    review: i64,
    session: String,
    csrf: String,
    officer: Actor,
}

async fn officer_site(store: Store) -> Site {
    let (router, app, demo) = demo_of_today(store, 120).await;
    let session = demo_session(&router, &demo, Role::CommuneOfficer).await;
    let home = send(&router, get("/", Some(&session))).await;
    let user = demo_user(&demo, Role::CommuneOfficer);
    Site {
        router,
        app,
        review: demo.open_review.as_ref().unwrap().id,
        csrf: home.csrf_field(),
        session,
        officer: Actor {
            user_id: user.user_id,
            username: user.username.clone(),
            role: user.role,
            unit_code: user.unit_code.clone(),
            unit_tier: Tier::Commune,
            agency_code: None,
        },
    }
}

fn day(d: u32, m: u32, y: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The value of the last `<option>` of the select named `name` in `page`, so that a
/// test that keeps it does not pass by the default choice.
fn last_option(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no select {name}: {page}"));
    let part = &page[at..at + page[at..].find("</select>").unwrap()];
    let v = part.rfind("<option value=\"").unwrap() + "<option value=\"".len();
    part[v..v + part[v..].find('"').unwrap()].to_string()
}

/// The forms of the open review's page, refused for what the page cannot read or what
/// the app refuses before any step is checked.
async fn review_forms(site: &Site) -> Vec<Refusal> {
    let id = site.review;
    let households = site.app.store().review_households(id).await.unwrap();
    // The last village of the list, so that keeping the choice is not the default.
    let village = households.last().unwrap().village_code.clone();
    let selected = format!("<option value=\"{village}\" selected>");
    vec![
        Refusal::new(
            "meeting",
            format!("/reviews/{id}/meetings"),
            &[
                ("village", &village),
                ("held_on", "05/12/2026"),
                ("attendees", "bốn mươi"),
                ("agreeing", "55"),
                ("chaired_by", "Trần Văn Bình"),
            ],
        )
        .multipart()
        .keeps(&[
            "value=\"05/12/2026\"",
            "value=\"bốn mươi\"",
            "value=\"55\"",
            "value=\"Trần Văn Bình\"",
            &selected,
        ])
        .at("attendees", "phải là số")
        .clean(&["agreeing"]),
        Refusal::new(
            "request",
            format!("/reviews/{id}/requests"),
            &[
                ("household_code", "KHÔNG-CÓ-999"),
                ("date", "03/12/2026"),
                ("channel", "online"),
                ("requester", "Phan Thị Lụa"),
                ("kind", "leave"),
            ],
        )
        .keeps(&[
            "value=\"KHÔNG-CÓ-999\"",
            "value=\"Phan Thị Lụa\"",
            "value=\"03/12/2026\"",
            "<option value=\"online\" selected>",
            "<option value=\"leave\" selected>",
        ])
        .at("household_code", "không có hộ mã KHÔNG-CÓ-999"),
        Refusal::new(
            "decision",
            format!("/reviews/{id}/approve"),
            &[
                ("version", "1"),
                ("decision_number", "77/QĐ-UBND"),
                ("decision_date", "31/02/2026"),
            ],
        )
        .keeps(&["value=\"77/QĐ-UBND\"", "value=\"31/02/2026\""])
        .at("decision_date", "không hợp lệ"),
        Refusal::new(
            "posting",
            format!("/reviews/{id}/posting"),
            &[
                ("version", "1"),
                ("starts_on", "mùng 5 tháng 12"),
                ("place", "Nhà văn hóa thôn Đông"),
            ],
        )
        .keeps(&[
            "value=\"mùng 5 tháng 12\"",
            "value=\"Nhà văn hóa thôn Đông\"",
        ])
        .at("starts_on", "không hợp lệ")
        .clean(&["place"]),
        Refusal::new(
            "complaint",
            format!("/reviews/{id}/complaints"),
            &[
                ("household_code", "KHONG-CO-999"),
                ("complainant", "Nguyễn Văn An"),
                ("content", "Không đồng ý kết quả bình xét"),
                ("received_on", "06/12/2026"),
            ],
        )
        .keeps(&[
            "value=\"KHONG-CO-999\"",
            "value=\"Nguyễn Văn An\"",
            ">Không đồng ý kết quả bình xét</textarea>",
            "value=\"06/12/2026\"",
        ])
        .at("household_code", "không có trong đợt rà soát")
        .clean(&["complainant"]),
        Refusal::new(
            "open a periodic review",
            "/reviews",
            &[
                ("commune", &site.officer.unit_code),
                ("period", "hai nghìn"),
                ("standard", "vn-2016"),
            ],
        )
        .keeps(&["value=\"hai nghìn\"", "<option selected>vn-2016</option>"])
        .at("period", "năm phải là số"),
    ]
}

/// The forms of a household's page: the benefit entry and the request for a regular
/// review, on the last household of the open review.
async fn household_forms(site: &Site) -> Vec<Refusal> {
    let rows = site
        .app
        .store()
        .review_households(site.review)
        .await
        .unwrap();
    let household = rows.last().unwrap().household_id;
    let uri = format!("/households/{household}");
    let shown = send(&site.router, get(&uri, Some(&site.session))).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    let entry = form_of(&shown.body, &format!("{uri}/benefits"));
    let policy = last_option(entry, "policy");
    vec![
        Refusal::new(
            "benefit entry",
            format!("{uri}/benefits"),
            &[
                ("policy", &policy),
                ("member", ""),
                ("valid_from", "31/02/2026"),
                ("valid_to", ""),
                ("amount", "1.500.000"),
                ("reference", "QĐ 12/2026"),
            ],
        )
        .keeps(&[
            &format!("<option value=\"{policy}\" selected>"),
            "value=\"31/02/2026\"",
            "value=\"1.500.000\"",
            "value=\"QĐ 12/2026\"",
        ])
        .at("valid_from", "")
        .clean(&["amount", "reference"]),
        Refusal::new(
            "regular review request",
            format!("{uri}/regular-review"),
            &[
                ("date", "31/02/2026"),
                ("channel", "online"),
                ("requester", "Phan Văn Tư"),
                ("kind", "leave"),
            ],
        )
        .keeps(&[
            "value=\"31/02/2026\"",
            "value=\"Phan Văn Tư\"",
            "<option value=\"online\" selected>",
            "<option value=\"leave\" selected>",
        ])
        .at("date", "không hợp lệ")
        .clean(&["requester"]),
    ]
}

/// The policy pages' forms: a finding's close form (the last finding the officer may
/// close, so that the row is not simply the first) and the benefit list import.
async fn policy_forms(site: &Site) -> Vec<Refusal> {
    // The policy checks find what the demo's benefits break (the demo records none).
    site.app
        .check_findings(&site.officer.unit_code)
        .await
        .unwrap();
    let list = send(&site.router, get("/findings", Some(&site.session))).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let close = list
        .body
        .match_indices("action=\"/findings/")
        .map(|(at, _)| {
            let rest = &list.body[at + "action=\"".len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .last()
        .unwrap_or_else(|| panic!("the demo's officer has a finding to close: {}", list.body));
    let import = send(&site.router, get("/benefits/import", Some(&site.session))).await;
    assert_eq!(import.status, StatusCode::OK, "{}", import.body);
    let (policy, agency) = (
        last_option(&import.body, "policy"),
        last_option(&import.body, "agency"),
    );
    vec![
        Refusal::new(
            "finding close, status",
            close.clone(),
            &[("status", "open"), ("note", "Đã cấp lại thẻ BHYT")],
        )
        .keeps(&["value=\"Đã cấp lại thẻ BHYT\""])
        .at("status", "trạng thái đóng")
        .clean(&["note"]),
        Refusal::new(
            "finding close, note",
            close,
            &[("status", "corrected"), ("note", " ")],
        )
        .keeps(&["<option value=\"corrected\" selected>"])
        .at("note", "cần ghi nội dung"),
        Refusal::new(
            "benefit list import",
            "/benefits/import",
            &[("policy", &policy), ("agency", &agency)],
        )
        .multipart()
        .keeps(&[
            &format!("<option value=\"{policy}\" selected>"),
            &format!("<option value=\"{agency}\" selected>"),
        ])
        .at("file", "chưa chọn tệp"),
    ]
}

/// A regular review opened on a household's request, for the forms of its later steps:
/// phiếu A while the household awaits it, then, once it failed phiếu A and the review
/// was decided, the refusal letter.
async fn regular_review_forms(site: &Site) -> Vec<Refusal> {
    let app = &site.app;
    let officer = &site.officer;
    let rows = app.store().review_households(site.review).await.unwrap();
    let request = RequestInput {
        date: day(1, 12, 2026),
        channel: "in_person".into(),
        requester: "Chủ hộ".into(),
        kind: "enter".into(),
    };
    let id = app
        .open_regular_review(officer, rows[0].household_id, request)
        .await
        .unwrap();
    let rh = &app.review(officer, id).await.unwrap().households[0];
    let (rh, version) = (rh.id, rh.version);
    let screening = Refusal::new(
        "phiếu A",
        format!("/reviews/{id}/screening/{rh}"),
        &[
            // A version someone else has already moved past.
            ("version", &(version + 7).to_string()),
            ("passed", "0"),
            ("note", "Nhà có xe máy mới"),
        ],
    )
    .keeps(&["value=\"Nhà có xe máy mới\"", "value=\"0\" checked"])
    .above("đã được người khác sửa");
    // Run in this order: the letter exists only once the review is decided.
    let letter = Refusal::new(
        "refusal letter",
        format!("/reviews/{id}/letters/{rh}"),
        &[("stated_reason", "   "), ("issued_on", "05/12/2026")],
    )
    .keeps(&["value=\"05/12/2026\""])
    .at("stated_reason", "cần ghi lý do cụ thể");
    vec![screening, letter]
}

/// Fails the regular review's household on phiếu A and decides the review, so that it
/// has a refusal letter to issue.
async fn decide_regular_review(site: &Site, action: &str) {
    let app = &site.app;
    let officer = &site.officer;
    let mut parts = action.trim_start_matches("/reviews/").split('/');
    let id: i64 = parts.next().unwrap().parse().unwrap();
    let rh: i64 = parts.nth(1).unwrap().parse().unwrap();
    let version = app.review(officer, id).await.unwrap().households[0].version;
    app.record_screening(officer, id, rh, version, &[], false)
        .await
        .unwrap();
    let version = app.review(officer, id).await.unwrap().review.version;
    app.approve_review(officer, id, version, "88/QĐ-UBND", day(7, 12, 2026))
        .await
        .unwrap();
}

/// Posts one refused form as the officer and checks the page it comes back on.
async fn run(site: &Site, case: &Refusal) {
    check(&site.router, &site.app, &site.session, &site.csrf, case).await;
}

/// Every form of the table, then the phiếu B grid and the household form, on one demo.
async fn refused_forms_come_back_as_typed(store: Store) {
    let site = officer_site(store).await;
    let mut cases = review_forms(&site).await;
    cases.extend(household_forms(&site).await);
    cases.extend(policy_forms(&site).await);
    for case in &cases {
        run(&site, case).await;
    }
    let regular = regular_review_forms(&site).await;
    run(&site, &regular[0]).await;
    decide_regular_review(&site, &regular[0].action).await;
    run(&site, &regular[1]).await;

    phieu_b_row_keeps_its_income_and_ticks(&site).await;
    household_keeps_its_fields_and_members(&site).await;
}
giamngheo_store::store_test!(refused_forms_come_back_as_typed);

/// The phiếu B grid: the problem is on the household's own row, among many rows.
async fn phieu_b_row_keeps_its_income_and_ticks(site: &Site) {
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

async fn post_household(site: &Site, fields: &[(&str, &str)]) -> Answer {
    post_as_officer(site, "/households", fields).await
}

/// Posts a form as the officer, with the page's CSRF token, and answers the page.
async fn post_as_officer(site: &Site, uri: &str, fields: &[(&str, &str)]) -> Answer {
    let mut all = vec![("csrf", site.csrf.as_str())];
    all.extend_from_slice(fields);
    send(
        &site.router,
        post_form(uri, Some(&format!("gn_session={}", site.session)), &all),
    )
    .await
}

/// The household form: what the page cannot read and what the app refuses, with the
/// members' fields and the summary above the form naming fields by their labels.
async fn household_keeps_its_fields_and_members(site: &Site) {
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
        site,
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
        site,
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
