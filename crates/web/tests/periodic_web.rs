//! The periodic report on the web and through the API: the office finds it in the menu,
//! reads the district's report with its motto, tasks and money, writes its texts (kept as
//! a draft), downloads it as .docx and PDF, and issues it, after which the texts are
//! final; oversight reads and writes nothing; an agency officer has no access; a wrong
//! period or format is a clear 422.

use axum::Router;
use axum::http::{StatusCode, header};
use chrono::NaiveDate;
use giamngheo_store::Store;
use support::district::district_444_site;
use support::*;

mod support;

const PASSWORD: &str = "mật khẩu đủ dài";

/// Monday 5 April 2021: the first quarter's report is due.
async fn site(store: Store) -> Router {
    district_444_site(
        store,
        NaiveDate::from_ymd_opt(2021, 4, 5).unwrap(),
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

/// The `Cookie` header of a form post.
fn cookie(session: &str) -> String {
    format!("gn_session={session}")
}

/// A post of the page's form for the district's first quarter, with `fields` after the
/// CSRF token, the unit and the period.
fn post(
    session: &str,
    csrf: &str,
    fields: &[(&str, &str)],
) -> axum::http::Request<axum::body::Body> {
    let mut all = vec![("csrf", csrf), ("unit", "444"), ("period", "2021-Q1")];
    all.extend_from_slice(fields);
    post_form("/reports/periodic", Some(&cookie(session)), &all)
}

const PAGE: &str = "/reports/periodic?unit=444&period=2021-Q1";
const API: &str = "/api/v1/reports/periodic?unit=444&period=2021-Q1";

async fn the_office_writes_downloads_and_issues_the_report(store: Store) {
    let site = site(store).await;
    let office = session(&site, "ldtbxh.huongkhe").await;
    let home = send(&site, get("/", Some(&office))).await;
    assert!(
        home.body
            .contains("<a href=\"/reports/periodic\">Báo cáo định kỳ</a>"),
        "menu: {}",
        home.body
    );
    // The default period is the quarter running today.
    let page = send(&site, get("/reports/periodic", Some(&office))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("quý II năm 2021"));

    let page = send(&site, get(PAGE, Some(&office))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND HUYỆN HƯƠNG KHÊ",
        "Số: …/BC-UBND",
        "Hương Khê, ngày 05 tháng 04 năm 2021",
        "quý I năm 2021",
        "Phòng Y tế",
        "1.500.000",
        "Nơi nhận:",
        "Bản dự thảo",
        "name=\"text_assessment\"",
    ] {
        assert!(page.body.contains(text), "page lacks «{text}»");
    }

    let answer = send(
        &site,
        post(
            &office,
            &page.csrf_field(),
            &[
                ("text_assessment", "Các xã triển khai đúng kế hoạch."),
                ("text_proposals", "Đề nghị tỉnh bổ sung vốn Dự án 3."),
                ("text_signer_name", "Nguyễn Văn An"),
                ("action", "save"),
            ],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert!(
        answer.location().contains("saved=3"),
        "{}",
        answer.location()
    );
    let page = send(&site, get(PAGE, Some(&office))).await;
    assert!(page.body.contains("Các xã triển khai đúng kế hoạch."));
    assert!(page.body.contains("Đã lưu 3 mục") || page.body.contains("Lưu lần 1"));

    // JSON, .docx and PDF carry the same report.
    let json = send(&site, get(API, Some(&office))).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    let v = json.json();
    assert_eq!(v["period"], "2021-Q1");
    assert_eq!(v["number"], "…/BC-UBND");
    assert!(v["sections"].as_array().unwrap().len() >= 8);
    let docx = send(&site, get(&format!("{API}&format=docx"), Some(&office))).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert!(
        docx.header(header::CONTENT_TYPE)
            .contains("wordprocessingml")
    );
    assert!(
        docx.header(header::CONTENT_DISPOSITION)
            .contains("bao-cao-dinh-ky-444-2021-Q1.docx")
    );
    let files = giamngheo_sheets::xlsform::unzip(&docx.bytes, 20 << 20).unwrap();
    let xml = files
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .unwrap();
    for text in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "1.500.000",
        "Các xã triển khai đúng kế hoạch.",
        "Nguyễn Văn An",
    ] {
        assert!(xml.contains(text), "document.xml lacks «{text}»");
    }
    let pdf = send(&site, get(&format!("{API}&format=pdf"), Some(&office))).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header(header::CONTENT_TYPE), "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF"));

    // Issued: numbered, and the texts are final.
    let answer = send(
        &site,
        post(
            &office,
            &page.csrf_field(),
            &[
                ("action", "issue"),
                ("number", "15/BC-UBND"),
                ("issued_on", "05/04/2021"),
            ],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let page = send(&site, get(PAGE, Some(&office))).await;
    assert!(
        page.body
            .contains("Đã ban hành số 15/BC-UBND ngày 05/04/2021")
    );
    assert!(page.body.contains("Số: 15/BC-UBND"));
    assert!(!page.body.contains("name=\"text_assessment\""));
    let again = send(
        &site,
        post(
            &office,
            &page.csrf_field(),
            &[("text_assessment", "Sửa sau khi ban hành.")],
        ),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("đã ban hành"));
    let v = send(&site, get(API, Some(&office))).await.json();
    assert_eq!(v["number"], "15/BC-UBND");
}
giamngheo_store::store_test!(the_office_writes_downloads_and_issues_the_report);

async fn access_per_role_and_clear_errors(store: Store) {
    let site = site(store).await;
    // Oversight reads the report, without the forms, and cannot write.
    let oversight = session(&site, "mttq.huongkhe").await;
    let home = send(&site, get("/", Some(&oversight))).await;
    assert!(home.body.contains("href=\"/reports/periodic\""));
    let page = send(&site, get(PAGE, Some(&oversight))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("<textarea"));
    let answer = send(
        &site,
        post(
            &oversight,
            &page.csrf_field(),
            &[("text_assessment", "Ý kiến giám sát.")],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let v = send(&site, get(API, Some(&oversight))).await.json();
    assert_eq!(v["texts"][0]["versions"], 0, "nothing was saved");

    // An agency officer has its own pages: no menu entry, 403 on page and API.
    let yte = session(&site, "yte.huongkhe").await;
    let home = send(&site, get("/", Some(&yte))).await;
    assert!(!home.body.contains("href=\"/reports/periodic\""));
    assert_eq!(
        send(&site, get(PAGE, Some(&yte))).await.status,
        StatusCode::FORBIDDEN
    );
    let api = send(&site, get(API, Some(&yte))).await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert!(api.body.contains("báo cáo định kỳ"), "{}", api.body);
    // Not signed in: 401.
    assert_eq!(
        send(&site, get(API, None)).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Clear errors for a wrong period or format.
    let office = session(&site, "ldtbxh.huongkhe").await;
    for (uri, field) in [
        ("/api/v1/reports/periodic?unit=444", "period"),
        ("/api/v1/reports/periodic?unit=444&period=quy-1", "period"),
        (
            "/api/v1/reports/periodic?unit=444&period=2021&format=xlsx",
            "format",
        ),
    ] {
        let a = send(&site, get(uri, Some(&office))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert!(a.body.contains(field), "{uri}: {}", a.body);
    }
    // Another province's unit is outside the office's area.
    let a = send(
        &site,
        get(
            "/api/v1/reports/periodic?unit=01&period=2021",
            Some(&office),
        ),
    )
    .await;
    assert!(
        matches!(a.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{}",
        a.status
    );
}
giamngheo_store::store_test!(access_per_role_and_clear_errors);
