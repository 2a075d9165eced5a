//! Body limits per upload route, and what an upload may be and how it is served.

use super::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use giamngheo_sheets::households::COLUMNS;
use giamngheo_store::NewMeeting;

// ---------------------------------------------------------------- body limits

/// A commune's register as CSV, every column filled as in a real file, households of
/// four members, until the file is at least `bytes` long.
fn register(bytes: usize) -> (Vec<u8>, usize) {
    let members = [
        ("Hồ Văn", "Nam", "Chủ hộ", "12/03/1975"),
        ("Lê Thị", "Nữ", "Vợ/chồng", "1978"),
        ("Hồ Thị", "Nữ", "Con", "01/09/2010"),
        ("Hồ Văn", "Nam", "Con", "2016-05-20"),
    ];
    let mut out: Vec<u8> = COLUMNS
        .iter()
        .map(|c| c.code)
        .collect::<Vec<_>>()
        .join(",")
        .into_bytes();
    out.push(b'\n');
    let mut households = 0;
    while out.len() < bytes {
        let h = households;
        for (i, (family, sex, relation, birth)) in members.iter().enumerate() {
            let row: Vec<String> = COLUMNS
                .iter()
                .map(|c| {
                    let v = match c.code {
                        "household_code" => format!("DM-{h:06}"),
                        "village_code" => TRUNG_HOA.into(),
                        "address" => format!("Xóm {}, thôn Trung Hòa, xã Điền Mỹ", h % 12 + 1),
                        "phone" => format!("09{h:08}"),
                        "area" => "Nông thôn".into(),
                        "floor_area_m2" => format!("{}", 20 + h % 80),
                        "wall_material" | "column_material" => "Gỗ tạp, tre".into(),
                        "roof_material" => "Kim loại, tôn".into(),
                        "water_source" => "Giếng khoan".into(),
                        "latrine" => "Hố xí đơn giản".into(),
                        "has_tv" | "has_smartphone" => "x".into(),
                        "production_land_m2" => format!("{}", 1_000 + h % 5_000),
                        "full_name" => format!("{family} Thành {h}"),
                        "sex" => sex.to_string(),
                        "birth_date" => birth.to_string(),
                        "ethnicity" => "Kinh".into(),
                        "relation" => relation.to_string(),
                        "citizen_id" => format!("0441{:08}", h * 4 + i),
                        "health_insurance_number" => format!("DT44{:011}", h * 4 + i),
                        "health_insurance_expiry" => "31/12/2026".into(),
                        "school_level" if i >= 2 => "Tiểu học".into(),
                        "work_status" if i >= 2 => "Trẻ em".into(),
                        "work_status" => "Có việc làm".into(),
                        "disability" => "Không".into(),
                        "uses_internet" => "có".into(),
                        _ => String::new(),
                    };
                    if c.household && i > 0 && !c.required {
                        String::new()
                    } else if v.contains(',') {
                        format!("\"{v}\"")
                    } else {
                        v
                    }
                })
                .collect();
            out.extend_from_slice(row.join(",").as_bytes());
            out.push(b'\n');
        }
        households += 1;
    }
    (out, households)
}

#[tokio::test]
async fn a_register_over_two_megabytes_imports_through_the_web() {
    let site = site().await;
    let (session, csrf) = sign_in(&site, OFFICER).await;
    let (file, households) = register(3 * 1024 * 1024);
    assert!(file.len() > 3 * 1024 * 1024);
    let body = multipart(&[
        Part::Text("csrf", &csrf),
        Part::File("file", "so-ho-dien-my.csv", "text/csv", &file),
    ]);
    let answer = send(
        &site,
        post_multipart("/households/import", &session, body, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    assert_eq!(
        answer.header(header::LOCATION),
        format!("/households/import?imported={households}")
    );
    site.db.finish().await;
}

#[tokio::test]
async fn a_body_over_the_routes_limit_is_told_too_large_and_changes_nothing() {
    let site = site().await;
    let (session, csrf) = sign_in(&site, OFFICER).await;
    // 50 MB and a byte: the household import's limit. The file's content does not
    // matter, it is never parsed.
    let file = vec![b'a'; 50 * 1024 * 1024 + 1];
    let body = multipart(&[
        Part::Text("csrf", &csrf),
        Part::File("file", "so-ho.csv", "text/csv", &file),
    ]);
    for length in [true, false] {
        let answer = send(
            &site,
            post_multipart("/households/import", &session, body.clone(), length),
        )
        .await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{length}");
        assert!(
            answer.text().contains("Tệp quá lớn (tối đa 50 MB)"),
            "{}",
            answer.text()
        );
        assert!(!answer.text().contains("hết hạn"));
    }
    // A file just over its limit fits the body's room for the form around it; the
    // handler refuses it the same way.
    let villages = vec![b'a'; 2 * 1024 * 1024 + 10];
    let body = multipart(&[
        Part::Text("csrf", &csrf),
        Part::File("file", "thon.csv", "text/csv", &villages),
    ]);
    let answer = send(
        &site,
        post_multipart("/units/18499/villages/import", &session, body, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.text().contains("Tệp quá lớn (tối đa 2 MB)"));
    // In English, and for the minutes' own, smaller limit.
    let minutes = vec![b'%'; 11 * 1024 * 1024];
    let body = multipart(&[
        Part::Text("csrf", &csrf),
        Part::File("minutes", "bien-ban.pdf", "application/pdf", &minutes),
    ]);
    let answer = send(
        &site,
        post_multipart("/reviews/1/meetings?lang=en", &session, body, false),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.text().contains("File too large (at most 10 MB)"));
    let list = send(&site, get("/households", Some(&session))).await;
    assert!(!list.text().contains("DM-0"));

    // A script's body over the 2 MB of other routes gets the JSON error.
    let login = serde_json::json!({"username": OFFICER, "password": PASSWORD}).to_string();
    let token = send(
        &site,
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(login))
            .unwrap(),
    )
    .await;
    let token: serde_json::Value = serde_json::from_slice(&token.bytes).unwrap();
    let big = vec![b' '; 3 * 1024 * 1024];
    let answer = send(
        &site,
        Request::post("/api/v1/households")
            .header(header::CONTENT_TYPE, "application/json")
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", token["token"].as_str().unwrap()),
            )
            .header(header::CONTENT_LENGTH, big.len())
            .body(Body::from(big))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let error: serde_json::Value = serde_json::from_slice(&answer.bytes).unwrap();
    assert_eq!(error["error"]["code"], "too_large");
    assert_eq!(error["error"]["message"], "Tệp quá lớn (tối đa 2 MB)");
    site.db.finish().await;
}

#[tokio::test]
async fn minutes_are_kept_only_as_pdf_jpeg_or_png_by_their_bytes() {
    let site = site().await;
    let id = review_at_meetings(&site.app).await;
    let (session, csrf) = sign_in(&site, OFFICER).await;
    let uri = format!("/reviews/{id}/meetings");

    // An SVG, and HTML named `.png` and sent as an image: both refused, naming the
    // kinds accepted, and the meeting is not recorded.
    for (name, kind, bytes) in [
        ("bien-ban.svg", "image/svg+xml", SVG),
        (
            "bien-ban.png",
            "image/png",
            b"<html><script>alert(1)</script>" as &[u8],
        ),
    ] {
        let body = meeting_form(&csrf, Part::File("minutes", name, kind, bytes));
        let answer = send(&site, post_multipart(&uri, &session, body, true)).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            answer.text().contains("chỉ nhận tệp PDF, JPEG hoặc PNG"),
            "{}",
            answer.text()
        );
    }
    let page = send(&site, get(&format!("/reviews/{id}"), Some(&session))).await;
    assert!(!page.text().contains("/meetings/"));

    // A PNG sent as anything at all is kept as a PNG and shown inline, sandboxed.
    let body = meeting_form(
        &csrf,
        Part::File(
            "minutes",
            "Biên bản họp.dat",
            "application/octet-stream",
            PNG,
        ),
    );
    let answer = send(&site, post_multipart(&uri, &session, body, true)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let page = send(&site, get(&format!("/reviews/{id}"), Some(&session))).await;
    let file = send(&site, get(&minutes_link(&page.text()), Some(&session))).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, PNG);
    assert_eq!(file.header(header::CONTENT_TYPE), "image/png");
    assert_eq!(
        file.header(header::CONTENT_DISPOSITION),
        "inline; filename=\"bien-ban-hop.png\""
    );
    assert_eq!(file.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    let policy = file.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        policy.starts_with("sandbox; default-src 'none'"),
        "{policy}"
    );
    site.db.finish().await;
}

#[tokio::test]
async fn minutes_stored_before_the_check_are_downloaded_never_shown() {
    let site = site().await;
    let id = review_at_meetings(&site.app).await;
    // A row as the product kept it before: an SVG that said it was an image.
    site.app
        .store()
        .record_meeting(
            &NewMeeting {
                review_id: id,
                village_code: TRUNG_HOA.into(),
                held_on: NaiveDate::from_ymd_opt(2021, 9, 6).unwrap(),
                attendees: 20,
                agreeing: 18,
                passed: true,
                chaired_by: None,
                minutes_name: Some("bien-ban.svg".into()),
                minutes_type: Some("image/svg+xml".into()),
                minutes: Some(SVG.to_vec()),
                recorded_by: OFFICER.into(),
            },
            &[],
            &[],
            now(),
        )
        .await
        .unwrap();
    let (session, _) = sign_in(&site, OFFICER).await;
    let page = send(&site, get(&format!("/reviews/{id}"), Some(&session))).await;
    let file = send(&site, get(&minutes_link(&page.text()), Some(&session))).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(
        file.header(header::CONTENT_TYPE),
        "application/octet-stream"
    );
    assert_eq!(
        file.header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"bien-ban.bin\""
    );
    assert_eq!(file.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    site.db.finish().await;
}

#[tokio::test]
async fn a_boundary_file_must_be_json_text() {
    let site = site().await;
    let (session, csrf) = sign_in(&site, LABOUR_OFFICE).await;
    let body = multipart(&[
        Part::Text("csrf", &csrf),
        Part::Text("unit", "444"),
        Part::Text("property", "ma_xa"),
        Part::File("file", "ranh-gioi.geojson", "application/geo+json", SVG),
    ]);
    let answer = send(
        &site,
        post_multipart("/dashboard/boundaries", &session, body, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.text().contains("chỉ nhận tệp JSON (GeoJSON)"),
        "{}",
        answer.text()
    );
    site.db.finish().await;
}
