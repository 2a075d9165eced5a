//! The review page (issue 15), through the router on SQLite, PostgreSQL and Citus: the
//! current step's forms first and open, the other steps folded; the review's households
//! narrowed by village, classification and step and searched by the head's name or the
//! household code, on the server, with counts and a pager that keeps the filters; the
//! same for every role that opens the page, a village head seeing only their village;
//! and a bad filter refused in Vietnamese.

mod support;

use axum::http::StatusCode;
use giamngheo_store::Store;
use giamngheo_store::store_test as web_test;
use support::review_site::{HA_LAM, Site, TRUNG_HOA, head, session, site};
use support::{Answer, get, send};

/// The review page of the site with `query`, as `username` sees it.
async fn page(site: &Site, username: &str, query: &str) -> Answer {
    let me = session(site, username).await;
    let uri = format!("/reviews/{}{query}", site.review);
    send(site, get(&uri, Some(&me))).await
}

/// The household codes of the rows the page lists, in order.
fn rows(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer
        .body
        .split("<td class=\"code\"><a href=\"/households/")
        .skip(1)
        .map(|rest| {
            let code = &rest[rest.find('>').unwrap() + 1..];
            code[..code.find('<').unwrap()].to_string()
        })
        .collect()
}

/// The text of the summary line above the households.
fn shown(answer: &Answer) -> String {
    let at = answer
        .body
        .find("id=\"households-shown\">")
        .expect("the summary")
        + 22;
    let rest = &answer.body[at..];
    rest[..rest.find('<').unwrap()].to_string()
}

async fn the_current_steps_forms_come_first_and_the_others_are_folded(store: Store) {
    let site = site(store).await;
    // The site's review is posting its result: step 4.
    let answer = page(&site, "canbo.dienmy", "").await;
    let body = &answer.body;
    let at = |id: &str| body.find(id).unwrap_or_else(|| panic!("{id} in {body}"));
    assert!(body.contains("<details class=\"step-forms current\" id=\"step-posting\" open>"));
    assert!(at("id=\"step-posting\"") < at("id=\"step-listing\""));
    assert!(at("id=\"step-listing\"") < at("id=\"step-survey\""));
    assert!(at("id=\"step-survey\"") < at("id=\"step-meeting\""));
    for folded in ["step-listing", "step-survey", "step-meeting"] {
        assert!(
            body.contains(&format!("id=\"{folded}\">")),
            "{folded} is folded"
        );
    }
    // The forms are still all there, one click away; the current ones above the list.
    assert!(at("id=\"approve-form\"") < at("id=\"households\""));
    assert!(body.contains("id=\"meeting-form\""));
    assert!(body.contains(" · bước hiện tại</summary>"));
}
web_test!(the_current_steps_forms_come_first_and_the_others_are_folded);

async fn the_households_are_narrowed_by_village_status_step_and_search(store: Store) {
    let site = site(store).await;
    let view = site.app.review(&site.officer, site.review).await.unwrap();
    let all = view.households.len();
    assert_eq!(all, 48);

    // Unfiltered: the first page of 40, the counts beside each choice.
    let first = page(&site, "canbo.dienmy", "").await;
    assert_eq!(rows(&first).len(), 40);
    assert_eq!(shown(&first), "Đang hiện 48 trên 48 hộ · Trang 1/2");
    assert!(
        first.body.contains(">Thôn Trung Hòa (45)</option>"),
        "{}",
        first.body
    );
    assert!(first.body.contains(">Thôn Hạ Lâm (3)</option>"));
    let next = format!("/reviews/{}?page=2#households", site.review);
    assert!(first.body.contains(&format!("href=\"{next}\"")));

    // By village.
    let ha_lam = page(&site, "canbo.dienmy", &format!("?village={HA_LAM}")).await;
    let codes = rows(&ha_lam);
    assert_eq!(codes, ["002-001", "002-002", "002-003"]);
    assert_eq!(shown(&ha_lam), "Đang hiện 3 trên 48 hộ · Trang 1/1");
    assert!(
        ha_lam
            .body
            .contains(&format!("<option value=\"{HA_LAM}\" selected>"))
    );

    // By classification: every third household of the site found work and is not poor.
    let not_poor = view
        .households
        .iter()
        .filter(|h| h.provisional_status.as_deref() == Some("not_poor"))
        .count();
    assert!(not_poor > 0 && not_poor < all);
    let answer = page(&site, "canbo.dienmy", "?status=not_poor").await;
    assert_eq!(rows(&answer).len(), not_poor);
    assert!(
        answer.body.contains("<option value=\"not_poor\" selected>"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains(&format!(" ({not_poor})</option>")));

    // By step: every household's meeting agreed; none awaits a survey.
    let agreed = page(&site, "canbo.dienmy", "?step=agreed").await;
    assert_eq!(shown(&agreed), "Đang hiện 48 trên 48 hộ · Trang 1/2");
    let survey = page(&site, "canbo.dienmy", "?step=survey").await;
    assert!(rows(&survey).is_empty());
    assert!(survey.body.contains("Không có hộ nào khớp với bộ lọc."));

    // Search by the head's name typed without diacritics, and by the household code.
    let seventh = head(7, TRUNG_HOA);
    let answer = page(&site, "canbo.dienmy", "?q=nguyen+van+ho+07").await;
    assert_eq!(rows(&answer), ["001-007"]);
    assert!(answer.body.contains(&seventh));
    let answer = page(&site, "canbo.dienmy", "?q=002-00").await;
    assert_eq!(rows(&answer).len(), 3);

    // The filters together, and the pager keeps them.
    let query = format!("?village={TRUNG_HOA}&step=agreed&page=2");
    let second = page(&site, "canbo.dienmy", &query).await;
    assert_eq!(rows(&second).len(), 5);
    assert_eq!(shown(&second), "Đang hiện 45 trên 48 hộ · Trang 2/2");
    let prev = format!(
        "/reviews/{}?village={TRUNG_HOA}&#38;step=agreed&#38;page=1#households",
        site.review
    );
    assert!(
        second.body.contains(&format!("href=\"{prev}\"")),
        "{}",
        second.body
    );
    // A page past the last shows the last.
    let past = page(&site, "canbo.dienmy", &format!("?village={HA_LAM}&page=9")).await;
    assert_eq!(rows(&past).len(), 3);
}
web_test!(the_households_are_narrowed_by_village_status_step_and_search);

async fn every_role_that_opens_the_review_filters_it_within_its_reach(store: Store) {
    let site = site(store).await;
    // The district's office and its oversight read the whole review and filter it as
    // the commune does; the province's viewer reads no names, and no review. The
    // office may act on the review; the oversight only reads it, without forms.
    let viewer = page(&site, "tinh.hatinh", "?step=agreed").await;
    assert_eq!(viewer.status, StatusCode::FORBIDDEN);
    for username in ["phong.huongkhe", "mattran.huongkhe"] {
        let answer = page(&site, username, &format!("?village={HA_LAM}")).await;
        assert_eq!(rows(&answer).len(), 3, "{username}");
        assert_eq!(
            answer.body.contains("id=\"step-forms\""),
            username == "phong.huongkhe",
            "{username}"
        );
    }
    // Trung Hòa's head reads their village's part: its 45 households, its village alone
    // in the select, and another village's filter is refused without naming anyone.
    let mine = page(&site, "truongthon.trunghoa", "").await;
    assert_eq!(shown(&mine), "Đang hiện 45 trên 45 hộ · Trang 1/2");
    assert!(mine.body.contains(">Thôn Trung Hòa (45)</option>"));
    assert!(!mine.body.contains("Thôn Hạ Lâm ("));
    let answer = page(&site, "truongthon.trunghoa", "?q=lam").await;
    assert!(rows(&answer).is_empty());
    let other = page(&site, "truongthon.trunghoa", &format!("?village={HA_LAM}")).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!other.body.contains("Lê Thị Lâm"));
    // Another commune's officer does not find the review at all.
    let stranger = page(&site, "canbo.halinh", &format!("?village={HA_LAM}")).await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
}
web_test!(every_role_that_opens_the_review_filters_it_within_its_reach);

async fn a_bad_filter_is_refused_in_vietnamese(store: Store) {
    let site = site(store).await;
    for (query, words) in [
        (
            "?village=99999999",
            "Thôn: thôn này không có hộ nào trong đợt rà soát",
        ),
        ("?status=rich", "Phân loại: phân loại phải là hộ nghèo"),
        ("?step=6", "Bước: bước phải là một trong các bước"),
        ("?page=abc", "Trang: số trang phải là số từ 1"),
        ("?page=0", "Trang: số trang phải là số từ 1"),
    ] {
        let answer = page(&site, "canbo.dienmy", query).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(answer.body.contains(words), "{query}: {}", answer.body);
        // The error page keeps the header and menu.
        assert!(answer.body.contains("<nav class=\"main\">"), "{query}");
        assert!(!answer.body.contains("deserialize"), "{query}");
    }
}
web_test!(a_bad_filter_is_refused_in_vietnamese);
