//! The security headers of every answer, and control characters in request text.

use super::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_web::WebOptions;

// ---------------------------------------------------------------- response headers

/// The headers every page, API answer and refusal carries.
fn assert_secured(a: &Answer, what: &str) {
    let policy = a.header(header::CONTENT_SECURITY_POLICY);
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(part), "{what}: {policy}");
    }
    assert!(!policy.contains("unsafe-inline"), "{what}: {policy}");
    assert_eq!(
        a.header(header::X_CONTENT_TYPE_OPTIONS),
        "nosniff",
        "{what}"
    );
    assert_eq!(a.header(header::REFERRER_POLICY), "same-origin", "{what}");
    assert_eq!(a.header(header::CACHE_CONTROL), "no-store", "{what}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_assets_stay_cacheable() {
    let site = site().await;
    let id = review_at_meetings(&site.app).await;
    let (session, csrf) = sign_in(&site, OFFICER).await;
    for uri in [
        "/login".to_string(),
        "/".to_string(),
        "/households".to_string(),
        format!("/reviews/{id}"),
        "/reports/ket-qua-ra-soat?unit=18499&print=1".to_string(),
        "/dashboard?unit=18499".to_string(),
        "/households/template.csv".to_string(),
        "/api/v1/households?unit=18499".to_string(),
        "/khong-co".to_string(),
    ] {
        let a = send(&site, get(&uri, Some(&session))).await;
        assert!(a.status.as_u16() < 500, "{uri}: {}", a.status);
        assert_secured(&a, &uri);
        // No page needs inline script or style: the policy would block them.
        let text = a.text();
        if a.header(header::CONTENT_TYPE).starts_with("text/html") {
            for inline in ["<script>", "<style", " style=\"", "onclick=", "onload="] {
                assert!(!text.contains(inline), "{uri} has {inline}");
            }
        }
    }
    // Refusals before any handler: a page without a sign-in, an API call without one.
    let a = send(&site, get("/households", None)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_secured(&a, "redirect to the login page");
    let a = send(&site, get("/api/v1/households", None)).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_secured(&a, "API without a token");
    // No HSTS over plain HTTP: the product may be run without TLS on a LAN.
    assert_eq!(a.header(header::STRICT_TRANSPORT_SECURITY), "");

    // The assets, personal data free, are cached; the pages' styles and print script
    // are among them.
    for asset in [
        "/assets/app.css",
        "/assets/htmx.min.js",
        "/assets/dashboard.css",
        "/assets/report.css",
        "/assets/print.css",
        "/assets/print.js",
        "/assets/submit.js",
    ] {
        let a = send(&site, get(asset, None)).await;
        assert_eq!(a.status, StatusCode::OK, "{asset}");
        assert!(
            a.header(header::CACHE_CONTROL).starts_with("public"),
            "{asset}"
        );
        assert_eq!(a.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    }

    // A served upload keeps its own, sandboxed policy and is not stored either.
    let body = meeting_form(&csrf, Part::File("minutes", "bb.png", "image/png", PNG));
    let answer = send(
        &site,
        post_multipart(&format!("/reviews/{id}/meetings"), &session, body, true),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let page = send(&site, get(&format!("/reviews/{id}"), Some(&session))).await;
    let file = send(&site, get(&minutes_link(&page.text()), Some(&session))).await;
    assert!(
        file.header(header::CONTENT_SECURITY_POLICY)
            .starts_with("sandbox")
    );
    assert_eq!(file.header(header::CACHE_CONTROL), "no-store");
    site.db.finish().await;
}

#[tokio::test]
async fn https_deployments_get_strict_transport_security() {
    let site = site_with(WebOptions {
        secure_cookies: true,
        ..WebOptions::default()
    })
    .await;
    let a = send(&site, get("/login", None)).await;
    assert!(
        a.header(header::STRICT_TRANSPORT_SECURITY)
            .starts_with("max-age="),
        "{:?}",
        a.headers
    );
    site.db.finish().await;
}

// ---------------------------------------------------------------- line breaks in requests

#[tokio::test]
async fn line_breaks_in_parameters_never_give_a_server_error() {
    for site in both_sites().await {
        for bad in ["%0D%0ASet-Cookie:%20x=1", "%00", "%1B%7F"] {
            control_characters_in(&site, bad).await;
        }
        site.db.finish().await;
    }
}

/// Sends `bad` (percent-encoded control characters) in the parameters of the report,
/// export, household and other routes; none may answer 500 or carry it in a header.
async fn control_characters_in(site: &Site, bad: &str) {
    let id = match site.app.store().review(1).await.unwrap() {
        Some(r) => r.id,
        None => review_at_meetings(&site.app).await,
    };
    let (session, csrf) = sign_in(site, OFFICER).await;
    let backend = site.app.store().backend().as_str();
    let mut failures = Vec::new();
    let mut uris = Vec::new();
    for name in ["ket-qua-ra-soat", "dien-bien-ho-ngheo", bad] {
        uris.push(format!("/reports/{name}?unit=18499{bad}"));
        uris.push(format!("/reports/{name}?unit=18499&period=2022{bad}"));
        uris.push(format!("/reports/{name}/households?unit=18499{bad}"));
        for format in ["csv", "xlsx", "pdf", "json"] {
            uris.push(format!(
                "/api/v1/reports/{name}?unit=18499{bad}&format={format}"
            ));
            uris.push(format!(
                "/api/v1/reports/{name}?unit=18499&format={format}{bad}"
            ));
            uris.push(format!(
                "/api/v1/reports/{name}?unit=18499&as_of=01/01/2022{bad}&format={format}&per_unit=1"
            ));
        }
    }
    for q in ["unit", "q", "page", "next", "lang", "period", "year"] {
        for path in [
            "/households",
            "/households/duplicates",
            "/reports",
            "/reviews",
            "/reviews/calendar",
            "/dashboard",
            "/targets",
            "/search",
            "/login",
            "/api/v1/households",
            "/api/v1/units/search",
            "/api/v1/targets",
        ] {
            uris.push(format!("{path}?{q}=18499{bad}"));
        }
    }
    uris.push(format!("/reviews/{id}/survey?village={bad}"));
    uris.push(format!("/units/18499{bad}"));
    uris.push(format!("/households/1{bad}"));
    for uri in &uris {
        let a = send(site, get(uri, Some(&session))).await;
        if a.status.as_u16() >= 500 {
            failures.push(format!("{backend} {uri}: {}", a.status));
        }
        for (name, value) in &a.headers {
            assert!(
                !value.as_bytes().iter().any(|b| b.is_ascii_control()),
                "{uri}: {name}: {value:?}"
            );
        }
    }
    // Forms whose answer redirects with what was sent.
    let form = |uri: &str, body: String| {
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("gn_session={session}"))
            .body(Body::from(body))
            .unwrap()
    };
    for (uri, body) in [
        (
            format!("/reviews/{id}/survey"),
            format!("csrf={csrf}&village=18499001{bad}&surveyed_by=A&surveyed_on=06/09/2021"),
        ),
        (
            format!("/units/18499{bad}/villages"),
            format!("csrf={csrf}&name=Th%C3%B4n%20M%E1%BB%9Bi&kind=Th%C3%B4n"),
        ),
        (
            "/targets".to_string(),
            format!("csrf={csrf}&unit=18499{bad}&year=2025&indicator=poor_rate&target_value=3"),
        ),
    ] {
        let a = send(site, form(&uri, body)).await;
        if a.status.as_u16() >= 500 {
            failures.push(format!("{backend} POST {uri}: {}", a.status));
        }
        assert!(
            !a.header(header::LOCATION).contains('\n'),
            "{uri}: {}",
            a.header(header::LOCATION)
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The answer names the parameter, in the page's language or as the API's error.
    let a = send(
        site,
        get(
            &format!("/households?q=Nguy%E1%BB%85n{bad}&unit=18499"),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.text()
            .contains("Tham số «q» chứa ký tự điều khiển (xuống dòng, NUL…)"),
        "{}",
        a.text()
    );
    let a = send(
        site,
        get(
            &format!("/reports/ket-qua-ra-soat?lang=en&as_of=01/01/2022{bad}"),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.text()
            .contains("The parameter «as_of» holds control characters")
    );
    let a = send(
        site,
        get(
            &format!("/api/v1/reports/ket-qua-ra-soat?unit=18499{bad}&format=csv"),
            Some(&session),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let error: serde_json::Value = serde_json::from_slice(&a.bytes).unwrap();
    assert_eq!(error["error"]["field"], "unit");
}

#[tokio::test]
async fn a_nul_in_a_json_body_is_refused_naming_the_field() {
    for site in both_sites().await {
        let backend = site.app.store().backend().as_str();
        let json = |uri: &str, token: Option<&str>, body: &str| {
            let mut r = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
            if let Some(t) = token {
                r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            r.body(Body::from(body.to_string())).unwrap()
        };
        let a = send(
            &site,
            json(
                "/api/v1/auth/login",
                None,
                r#"{"username": "canbo\u0000", "password": "x"}"#,
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        let error: serde_json::Value = serde_json::from_slice(&a.bytes).unwrap();
        assert_eq!(error["error"]["field"], "username", "{backend}");

        let login = format!(r#"{{"username": "{OFFICER}", "password": "{PASSWORD}"}}"#);
        let token = send(&site, json("/api/v1/auth/login", None, &login)).await;
        let token: serde_json::Value = serde_json::from_slice(&token.bytes).unwrap();
        let token = token["token"].as_str().unwrap();
        let draft = HouseholdDraft {
            code: "DM-9".into(),
            village_code: TRUNG_HOA.into(),
            address: "Xóm 1".into(),
            members: vec![MemberDraft {
                full_name: "Hồ Thị An".into(),
                sex: Some(Sex::Female),
                birth_year: Some(1980),
                ethnicity: "01".into(),
                relation: "head".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let household = serde_json::to_string(&draft)
            .unwrap()
            .replace("Hồ Thị An", r"Hồ Thị\u0000 An");
        let a = send(&site, json("/api/v1/households", Some(token), &household)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{backend}: {}", a.text());
        let error: serde_json::Value = serde_json::from_slice(&a.bytes).unwrap();
        assert_eq!(error["error"]["field"], "members[0].full_name", "{backend}");
        // An escaped backslash before "u0000" is text, not a NUL.
        let household = household.replace(r"\u0000", r"\\u0000");
        let a = send(&site, json("/api/v1/households", Some(token), &household)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{backend}: {}", a.text());
        site.db.finish().await;
    }
}
