//! Imports through the web that cannot take the server down: a decompression bomb is
//! refused with the limit it crosses, and a third import at once is told to retry.

use super::support::*;
use axum::http::{StatusCode, header};
use giamngheo_app::imports::MAX_CONCURRENT_IMPORTS;
use std::time::{Duration, Instant};

fn upload(csrf: &str, name: &str, file: &[u8]) -> Vec<u8> {
    multipart(&[
        Part::Text("csrf", csrf),
        Part::File(
            "file",
            name,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            file,
        ),
    ])
}

#[tokio::test]
async fn a_workbook_with_a_gigabyte_cell_is_refused_with_the_limit() {
    for site in both_sites().await {
        let (session, csrf) = sign_in(&site, OFFICER).await;
        let bomb = giamngheo_sheets::testing::xlsx_with_long_cell(1 << 30);
        let started = Instant::now();
        let answer = send(
            &site,
            post_multipart(
                "/households/import",
                &session,
                upload(&csrf, "ho.xlsx", &bomb),
                true,
            ),
        )
        .await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            answer.text().contains("dài quá 32.767 ký tự"),
            "{}",
            answer.text()
        );
        assert_eq!(site.app.store().household_count().await.unwrap(), 0);
        site.db.finish().await;
    }
}

#[tokio::test]
async fn a_third_import_at_once_is_told_to_retry_later() {
    let site = site().await;
    let (session, csrf) = sign_in(&site, OFFICER).await;
    let running: Vec<_> = (0..MAX_CONCURRENT_IMPORTS)
        .map(|_| site.app.import_slot().unwrap())
        .collect();
    let file = format!(
        "household_code,village_code,full_name,sex,birth_date,ethnicity,relation\n\
         DM-1,{TRUNG_HOA},Hồ Văn Thành,Nam,1975,Kinh,Chủ hộ\n"
    );
    let body = upload(&csrf, "ho.csv", file.as_bytes());
    let answer = send(
        &site,
        post_multipart("/households/import", &session, body.clone(), true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.header(header::RETRY_AFTER), "60");
    assert!(answer.text().contains("hãy thử lại"), "{}", answer.text());
    drop(running);
    let answer = send(
        &site,
        post_multipart("/households/import", &session, body, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    site.db.finish().await;
}
