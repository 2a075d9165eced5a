//! The agencies' tasks in a browser's shoes and through the API: the office finds the
//! page in the menu and assigns a task, the agency reports progress with an attachment
//! (a disguised program refused, nothing recorded), the task's page shows it, the home
//! page reminds the agency, the API lists the plan with dd/mm/yyyy dates, and oversight
//! reads but may not report.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use giamngheo_store::Store;
use support::district::district_444_site;
use support::*;

mod support;

const PASSWORD: &str = "mật khẩu đủ dài";

/// Tuesday 9 February 2021, the last working day before Tết.
async fn site(store: Store) -> Router {
    district_444_site(
        store,
        NaiveDate::from_ymd_opt(2021, 2, 9).unwrap(),
        PASSWORD,
    )
    .await
}

async fn session(site: &Router, username: &str) -> String {
    sign_in_answer(site, username, PASSWORD)
        .await
        .cookie("gn_session")
        .unwrap()
}

/// A report form with one attachment, as a browser sends it.
fn report(uri: &str, session: &str, csrf: &str, file_name: &str, file: &[u8]) -> Request<Body> {
    let boundary = "ranh-gioi-5678";
    let mut body = Vec::new();
    for (name, value) in [
        ("csrf", csrf),
        ("status", "in_progress"),
        ("progress", "40"),
        ("note", "Đã cấp 120 thẻ BHYT cho người nghèo"),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post(uri)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, format!("gn_session={session}"))
        .body(Body::from(body))
        .unwrap()
}

async fn the_office_assigns_and_the_agency_reports_with_an_attachment(store: Store) {
    let site = site(store).await;
    let office = session(&site, "ldtbxh.huongkhe").await;
    // The menu leads to the tasks; the office's own district plan is the default.
    let home = send(&site, get("/", Some(&office))).await;
    assert!(
        home.body.contains("<a href=\"/tasks\">Nhiệm vụ</a>"),
        "menu"
    );
    let page = send(&site, get("/tasks", Some(&office))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Nhiệm vụ năm 2021 — Huyện Hương Khê"));
    assert!(page.body.contains("Phòng Y tế"));
    assert!(
        page.body.contains("cần xác nhận"),
        "seed dates are to confirm"
    );
    assert!(page.body.contains("Giao nhiệm vụ"), "the office's form");

    // The office assigns a monthly task to the health office.
    let answer = send(
        &site,
        post_form(
            "/tasks",
            Some(&format!("gn_session={office}")),
            &[
                ("csrf", &page.csrf_field()),
                ("unit", "444"),
                ("year", "2021"),
                ("title", "Báo cáo cấp thẻ BHYT hằng tháng"),
                ("lead_agency", "444-yte"),
                ("co_agency", ""),
                ("serves_kind", "target"),
                ("serves_code", "health_insurance_poor"),
                ("recurrence", "monthly"),
                ("due_day", "10"),
            ],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let id: i64 = answer
        .location()
        .rsplit("assigned=")
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // The health office is reminded on its home page: January's 11/01 is overdue.
    let yte = session(&site, "yte.huongkhe").await;
    let home = send(&site, get("/", Some(&yte))).await;
    assert!(home.body.contains("Nhắc việc"), "{}", home.body);
    assert!(home.body.contains("Báo cáo cấp thẻ BHYT hằng tháng"));
    assert!(home.body.contains("Quá hạn: 11/01/2021"));

    // A program renamed `.pdf` is refused and nothing is recorded.
    let task_page = send(&site, get(&format!("/tasks/{id}"), Some(&yte))).await;
    assert!(task_page.body.contains("Báo cáo tiến độ mới"));
    let csrf = task_page.csrf_field();
    let uri = format!("/tasks/{id}/updates");
    let exe = b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode";
    let refused = send(&site, report(&uri, &yte, &csrf, "bao-cao.pdf", exe)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("loại tệp không được nhận"));
    let task_page = send(&site, get(&format!("/tasks/{id}"), Some(&yte))).await;
    assert!(task_page.body.contains("Chưa có báo cáo nào"));

    // A real PDF is kept and shown with the update.
    let pdf = b"%PDF-1.4\n% bao cao thang 1\n";
    let ok = send(&site, report(&uri, &yte, &csrf, "Báo cáo tháng 1.pdf", pdf)).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let task_page = send(&site, get(&format!("/tasks/{id}"), Some(&yte))).await;
    assert!(
        task_page
            .body
            .contains("Đã cấp 120 thẻ BHYT cho người nghèo")
    );
    assert!(task_page.body.contains("Báo cáo tháng 1.pdf"));
    assert!(task_page.body.contains("Đang thực hiện 40 %"));
    // February's due date, moved past Tết, is next.
    assert!(task_page.body.contains("17/02/2021"));
    let at = task_page.body.find("/tasks/files/").unwrap();
    let link: String = task_page.body[at..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let file = send(&site, get(&link, Some(&office))).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, pdf);
    assert!(
        file.header(header::CONTENT_DISPOSITION)
            .starts_with("attachment")
    );

    // The steering committee's page shows the task with its state and links to it, and
    // the real coverage and money of the unit and year, each linking to its page.
    let committee = send(&site, get("/committee?unit=444&year=2021", Some(&office))).await;
    assert_eq!(committee.status, StatusCode::OK);
    assert!(
        committee
            .body
            .contains("<a href=\"/committee\">Ban Chỉ đạo</a>"),
        "menu"
    );
    assert!(committee.body.contains(&format!(
        "<a href=\"/tasks/{id}\">Báo cáo cấp thẻ BHYT hằng tháng</a>"
    )));
    assert!(
        committee
            .body
            .contains("Sắp đến hạn 17/02/2021 · Đang thực hiện"),
        "{}",
        committee.body
    );
    assert!(
        !committee.body.contains("Chưa có dữ liệu."),
        "{}",
        committee.body
    );
    assert!(
        committee
            .body
            .contains("<a href=\"/programme?unit=444&#38;year=2021\">Kế hoạch</a>: <strong>1.500.000 đồng</strong>"),
        "{}",
        committee.body
    );
    assert!(
        committee
            .body
            .contains("Tỷ lệ giải ngân</a>: <strong>chưa phân bổ</strong>")
    );
    assert!(
        committee.body.contains(
            "<a href=\"/coverage?unit=444&#38;year=2021&#38;policy=bhyt\">Thẻ bảo hiểm y tế</a>: "
        ),
        "{}",
        committee.body
    );
    assert!(
        committee
            .body
            .contains("đủ điều kiện 0 · được hưởng 0 · tỷ lệ 0,00 %")
    );

    // Oversight reads the plan and the task, and may not report.
    let mttq = session(&site, "mttq.huongkhe").await;
    let seen = send(&site, get(&format!("/tasks/{id}"), Some(&mttq))).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("Báo cáo tiến độ mới"));
    let csrf = seen.csrf_field();
    let forbidden = send(&site, report(&uri, &mttq, &csrf, "x.pdf", pdf)).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    // The API lists the plan with the next due date as dd/mm/yyyy.
    let login = send(
        &site,
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::json!({"username": "mttq.huongkhe", "password": PASSWORD}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    let token = login.json()["token"].as_str().unwrap().to_string();
    let api = send(
        &site,
        Request::get("/api/v1/tasks?unit=444&year=2021")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json = api.json();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    let ours = items.iter().find(|i| i["id"] == id).unwrap();
    assert_eq!(ours["agency"], "444-yte");
    assert_eq!(ours["title"], "Báo cáo cấp thẻ BHYT hằng tháng");
    assert_eq!(ours["due"], "17/02/2021");
    assert_eq!(ours["recurrence"], "monthly");
    assert_eq!(ours["status"], "in_progress");
    assert_eq!(ours["due_state"], "due_soon");
    let yearly = items.iter().find(|i| i["plan_ref"] == "V.5").unwrap();
    assert_eq!(yearly["due"], "15/12/2021");
    assert_eq!(yearly["due_to_confirm"], true);
    // Oversight may not report through the API either.
    let denied = send(
        &site,
        Request::post(format!("/api/v1/tasks/{id}/updates"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(r#"{"status":"done","progress":100}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}
giamngheo_store::store_test!(the_office_assigns_and_the_agency_reports_with_an_attachment);
