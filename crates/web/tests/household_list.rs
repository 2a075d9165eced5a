//! The households page as the commune officer of the demo (07/12/2026) uses it: the
//! current status and class history of each household, filters by status, village and
//! female head, sorting by a column, page numbers, and the export that holds exactly the
//! filtered list (issue 15).

use axum::http::StatusCode;
use giamngheo_app::access::Role;
use giamngheo_store::Store;
use std::collections::BTreeSet;

mod support;
use support::{demo_of_today, demo_session, demo_user, get, send};

/// The households found, from the summary line.
fn total(page: &str) -> i64 {
    let at = page.find("class=\"summary\"").expect("a summary");
    let strong = at + page[at..].find("<strong>").unwrap() + "<strong>".len();
    let end = strong + page[strong..].find("</strong>").unwrap();
    page[strong..end].replace('.', "").parse().unwrap()
}

/// The cells of each row of the list: code, head, village, address, people, status,
/// history.
fn rows(page: &str) -> Vec<Vec<String>> {
    let Some(start) = page.find("<table class=\"households\">") else {
        return Vec::new();
    };
    let body = &page[start..start + page[start..].find("</table>").unwrap()];
    body.split("<tr>")
        .skip(2)
        .map(|r| {
            r.split("<td")
                .skip(1)
                .map(|c| {
                    let inner = &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()];
                    // The head's cell is a link.
                    match inner.find("\">") {
                        Some(i) if inner.starts_with("<a ") => {
                            inner[i + 2..inner.find("</a>").unwrap()].to_string()
                        }
                        _ => inner.to_string(),
                    }
                })
                .collect()
        })
        .collect()
}

async fn the_household_list_filters_sorts_and_exports_what_it_shows(store: Store) {
    let (router, app, demo) = demo_of_today(store, 120).await;
    let session = demo_session(&router, &demo, Role::CommuneOfficer).await;
    let open = |uri: String| {
        let router = router.clone();
        let session = session.clone();
        async move {
            let answer = send(&router, get(&uri, Some(&session))).await;
            assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
            answer.body
        }
    };

    let all = open("/households".into()).await;
    let everyone = total(&all);
    assert!(everyone > 0);
    assert!(all.contains("Tình trạng hiện tại"), "{all}");
    assert!(all.contains("aria-current=\"page\""), "page numbers: {all}");
    // The demo's households carry their 2021–2026 lists: the history names the years.
    let first = &rows(&all)[0];
    assert!(first[6].contains("2026: "), "{first:?}");

    // By status: every row shown is poor, and the poor and the others make up the list.
    let poor = open("/households?status=poor".into()).await;
    let poor_rows = rows(&poor);
    assert!(!poor_rows.is_empty());
    assert!(
        poor_rows.iter().all(|r| r[5] == "Hộ nghèo"),
        "{poor_rows:?}"
    );
    let mut by_status = 0;
    for s in ["poor", "near_poor", "medium", "not_poor"] {
        by_status += total(&open(format!("/households?status={s}")).await);
    }
    assert!(
        by_status <= everyone && by_status > 0,
        "{by_status} of {everyone}"
    );

    // A yes/no filter splits the list in two.
    let female = total(&open("/households?female_head=1".into()).await);
    let male = total(&open("/households?female_head=0".into()).await);
    assert_eq!(female + male, everyone);

    // By village: every row is of that village.
    let review = demo.open_review.as_ref().unwrap();
    let village = app.store().review_households(review.id).await.unwrap()[0].clone();
    let of_village = open(format!("/households?village={}", village.village_code)).await;
    let village_rows = rows(&of_village);
    assert!(!village_rows.is_empty());
    assert!(village_rows.iter().all(|r| r[2] == village.village_name));
    assert!(
        of_village.contains(&format!(
            "<option value=\"{}\" selected>",
            village.village_code
        )),
        "the filter shows its choice"
    );

    // Sorted by code, descending.
    let sorted = rows(&open("/households?sort=code&dir=desc".into()).await);
    let codes: Vec<&String> = sorted.iter().map(|r| &r[0]).collect();
    let mut expected = codes.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(codes, expected);

    // The export of the filtered list holds exactly its households.
    let shown: BTreeSet<String> = poor_rows.iter().map(|r| r[0].clone()).collect();
    assert!(total(&poor) <= 50, "one page holds the poor of the commune");
    let link_start = poor.find("/api/v1/households/export?").unwrap();
    let link = poor[link_start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&")
        .replace("format=xlsx", "format=csv");
    assert!(
        link.contains("status=poor") && link.contains("format=csv"),
        "{link}"
    );
    let csv = send(&router, get(&link, Some(&session))).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let exported: BTreeSet<String> = csv
        .body
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(|c| c.trim_matches('"').to_string())
        .collect();
    assert_eq!(exported, shown, "{link}");

    // A filter that is no choice gets a Vietnamese refusal, not the framework's text.
    let bad = send(&router, get("/households?merit=maybe", Some(&session))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("phải là có (1) hoặc không (0)"),
        "{}",
        bad.body
    );
}
giamngheo_store::store_test!(the_household_list_filters_sorts_and_exports_what_it_shows);

async fn adding_a_household_suggests_the_next_code_and_an_office_picks_a_commune(store: Store) {
    let (router, app, demo) = demo_of_today(store, 120).await;
    let officer = demo_user(&demo, Role::CommuneOfficer);
    let code_field = |page: &str| {
        let at = page.find("name=\"code\" value=\"").expect("the code field") + 19;
        page[at..at + page[at..].find('"').unwrap()].to_string()
    };
    // The commune's codes are "{commune}-nnnnn": the suggestion is one past the highest.
    let codes = app
        .store()
        .household_codes_in_commune(&officer.unit_code)
        .await
        .unwrap();
    let highest = codes
        .iter()
        .filter_map(|c| c.strip_prefix(&format!("{}-", officer.unit_code)))
        .filter_map(|n| n.parse::<u64>().ok())
        .max()
        .unwrap();
    let expected = format!("{}-{:05}", officer.unit_code, highest + 1);
    let session = demo_session(&router, &demo, Role::CommuneOfficer).await;
    let form = send(&router, get("/households/new", Some(&session))).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(code_field(&form.body), expected);

    // An office above the communes picks the commune first, then gets its next code.
    let session = demo_session(&router, &demo, Role::Office).await;
    let pick = send(&router, get("/households/new", Some(&session))).await;
    assert_eq!(pick.status, StatusCode::OK, "{}", pick.body);
    let link = format!("/households/new?commune={}", officer.unit_code);
    assert!(pick.body.contains(&link), "{}", pick.body);
    let form = send(&router, get(&link, Some(&session))).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(code_field(&form.body), expected);
}
giamngheo_store::store_test!(
    adding_a_household_suggests_the_next_code_and_an_office_picks_a_commune
);
