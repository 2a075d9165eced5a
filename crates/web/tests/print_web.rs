//! What the review procedure makes a commune print (issue 15), through the router on
//! SQLite, PostgreSQL and Citus: the posting list and the meeting minutes of a village,
//! the draft and the final recognition decision with its annex, and the certificates by
//! village, each as a page and as a PDF read back with lopdf; and who may print them.

mod support;

use axum::http::{StatusCode, header};
use giamngheo_app::print_wording::Wording;
use giamngheo_app::{App, Config};
use giamngheo_domain::Hierarchy;
use giamngheo_store::Store;
use giamngheo_store::store_test as web_test;
use support::refused::Refusal;
use support::review_site::{
    HA_LAM, Site, TRUNG_HOA, TRUNG_HOA_HOUSEHOLDS, day, head, session, site, site_with,
};
use support::{Answer, get, send};

/// The text of each page of the PDF at `uri`, fetched with the session `cookie`.
async fn pdf(site: &Site, uri: &str, cookie: &str) -> Vec<String> {
    pages(&send(site, get(uri, Some(cookie))).await)
}

/// The text of the PDF at `uri`, all its pages one after the other.
async fn pdf_text(site: &Site, uri: &str, cookie: &str) -> String {
    pdf(site, uri, cookie).await.concat()
}

/// The text of each page of a PDF answer.
fn pages(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.header(header::CONTENT_TYPE), "application/pdf");
    let doc = lopdf::Document::load_mem(&answer.bytes).expect("the PDF parses");
    doc.get_pages()
        .keys()
        .map(|n| doc.extract_text(&[*n]).expect("text extracts"))
        .collect()
}

async fn a_village_posting_list_prints_over_pages_with_its_header_and_total(store: Store) {
    let site = site(store).await;
    let me = session(&site, "canbo.dienmy").await;
    let id = site.review;
    let page = send(&site, get(&format!("/reviews/{id}"), Some(&me))).await;
    assert_eq!(page.status, StatusCode::OK);
    let link = format!("/reviews/{id}/print/posting?village={TRUNG_HOA}&amp;format=pdf");
    assert!(page.body.contains(&link), "{}", page.body);
    assert!(page.body.contains("Giấy tờ in"));

    let uri = format!("/reviews/{id}/print/posting?village={TRUNG_HOA}&format=pdf");
    let answer = send(&site, get(&uri, Some(&me))).await;
    assert!(
        answer
            .header(header::CONTENT_DISPOSITION)
            .contains(&format!("niem-yet-{id}-{TRUNG_HOA}.pdf"))
    );
    let sheets = pages(&answer);
    assert!(sheets.len() >= 2, "{} pages", sheets.len());
    for (i, p) in sheets.iter().enumerate() {
        assert!(
            p.contains("Họ và tên chủ hộ") && p.contains("Ghi chú"),
            "the header is repeated on page {}: {p}",
            i + 1
        );
    }
    let text = sheets.concat();
    assert!(text.contains("DANH SÁCH NIÊM YẾT CÔNG KHAI"));
    assert!(text.contains("Thời gian niêm yết: từ ngày 06/09/2021 đến ngày"));
    assert!(text.contains("Nơi niêm yết: Nhà văn hóa thôn"));
    for i in 1..=TRUNG_HOA_HOUSEHOLDS {
        assert_eq!(text.matches(&head(i, TRUNG_HOA)).count(), 1, "{i}");
    }
    assert!(!text.contains("Lê Thị Lâm"), "another village's households");
    // 45 households: every third not poor.
    assert!(text.contains("Tổng số"));
    // The counts wrap inside their cell; read as one line.
    let flat = text.replace('\n', " ");
    assert!(
        flat.contains("30 hộ nghèo, 0 hộ cận nghèo, 15 hộ khác"),
        "{flat}"
    );
    let last = sheets.last().unwrap();
    assert!(last.contains("Tổng số") && last.contains("TRƯỞNG THÔN"));
    assert!(
        last.matches("Nguyễn Văn Hộ").count() >= 1,
        "the total never stands alone with the signatures: {last}"
    );

    // The print page says the same, with the PDF's link.
    let html = send(
        &site,
        get(
            &format!("/reviews/{id}/print/posting?village={TRUNG_HOA}"),
            Some(&me),
        ),
    )
    .await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("DANH SÁCH NIÊM YẾT CÔNG KHAI"));
    assert!(html.body.contains(&head(45, TRUNG_HOA)));
    // The link's `&` is escaped as the template escapes it.
    let pdf_link = ["&amp;", "&#38;"].map(|amp| {
        format!(
            "href=\"/reviews/{id}/print/posting?format=pdf{amp}village={TRUNG_HOA}\" id=\"pdf\""
        )
    });
    assert!(
        pdf_link.iter().any(|l| html.body.contains(l)),
        "{}",
        html.body
    );
    // Without a village, each village's list starts on its own pages.
    let all = pdf(
        &site,
        &format!("/reviews/{id}/print/posting?format=pdf"),
        &me,
    )
    .await;
    let firsts = all
        .iter()
        .filter(|p| p.contains("DANH SÁCH NIÊM YẾT CÔNG KHAI"))
        .count();
    assert_eq!(firsts, 2);
    // A village that is not in the review is not found.
    let none = send(
        &site,
        get(
            &format!("/reviews/{id}/print/posting?village=18502001"),
            Some(&me),
        ),
    )
    .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}
web_test!(a_village_posting_list_prints_over_pages_with_its_header_and_total);

async fn the_minutes_carry_the_meeting_counts_and_the_decision_its_annex(store: Store) {
    let site = site(store).await;
    let me = session(&site, "canbo.dienmy").await;
    let id = site.review;
    let minutes = pdf_text(
        &site,
        &format!("/reviews/{id}/print/minutes?village={TRUNG_HOA}&format=pdf"),
        &me,
    )
    .await;
    assert!(minutes.contains("BIÊN BẢN HỌP DÂN"));
    assert!(minutes.contains("Hôm nay, ngày 06/09/2021, tại Thôn Trung Hòa"));
    assert!(minutes.contains("Trần Văn Chủ"));
    assert!(minutes.contains("Số người dự họp: 40 người"));
    assert!(minutes.contains("31 người (77,5 %)"));
    assert!(minutes.contains("không đồng ý: 9 người"));
    assert!(minutes.contains("thông qua kết quả rà soát"));
    assert!(minutes.contains("THƯ KÝ") && minutes.contains("CHỦ TRÌ"));

    // Before the decision, the draft leaves its number and date to be written.
    let draft = pdf(
        &site,
        &format!("/reviews/{id}/print/decision?format=pdf"),
        &me,
    )
    .await;
    let text = draft.concat();
    assert!(text.contains("(Dự thảo)"));
    assert!(text.contains("Số: …………/QĐ-UBND"));
    assert!(
        text.contains("Nghị định 07/2021/NĐ-CP"),
        "the standard's instrument"
    );

    site.approve().await;
    // Two weeks later: a new session.
    let me = session(&site, "canbo.dienmy").await;
    let decision = pdf(
        &site,
        &format!("/reviews/{id}/print/decision?format=pdf"),
        &me,
    )
    .await;
    let first = &decision[0];
    assert!(first.contains("Số: 15/QĐ-UBND"));
    assert!(first.contains("Điền Mỹ, ngày 20 tháng 09 năm 2021"));
    assert!(!first.contains("Dự thảo"));
    assert!(first.contains("Công nhận 32 hộ nghèo và 0 hộ cận nghèo năm 2022"));
    assert!(first.contains("Nơi nhận:") && first.contains("UBND Huyện Hương Khê (báo cáo);"));
    assert!(
        !first.contains("Nguyễn Văn Hộ"),
        "the annex starts on its own page"
    );
    let annex = decision[1..].concat();
    assert!(annex.contains("DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2022"));
    assert!(annex.contains("(Kèm theo Quyết định số 15/QĐ-UBND ngày 20/09/2021"));
    assert!(annex.contains("Lê Thị Lâm 01") && annex.contains("Nguyễn Văn Hộ 01"));
    assert!(
        !annex.contains("Nguyễn Văn Hộ 03"),
        "not poor: not recognised"
    );

    // The certificates of one village only, one page each.
    let certificates = pdf(
        &site,
        &format!("/reviews/{id}/certificates?village={HA_LAM}&format=pdf"),
        &me,
    )
    .await;
    assert_eq!(certificates.len(), 2, "Hạ Lâm's two poor households");
    assert!(certificates.iter().all(|p| p.contains("Lê Thị Lâm")));
}
web_test!(the_minutes_carry_the_meeting_counts_and_the_decision_its_annex);

async fn only_users_who_may_read_the_commune_print_its_documents(store: Store) {
    let site = site(store).await;
    let id = site.review;
    let documents = [
        format!("/reviews/{id}/print/posting?village={TRUNG_HOA}"),
        format!("/reviews/{id}/print/posting?village={TRUNG_HOA}&format=pdf"),
        format!("/reviews/{id}/print/minutes?village={HA_LAM}"),
        format!("/reviews/{id}/print/minutes?format=pdf"),
        format!("/reviews/{id}/print/decision"),
        format!("/reviews/{id}/print/decision?format=pdf"),
    ];
    for (user, expected) in [
        ("canbo.dienmy", StatusCode::OK),
        ("phong.huongkhe", StatusCode::OK),
        ("mattran.huongkhe", StatusCode::OK),
        // Outside the commune: the review is not found, and no name shows.
        ("canbo.halinh", StatusCode::NOT_FOUND),
        // Aggregates only: the names on the lists are not for this role.
        ("tinh.hatinh", StatusCode::FORBIDDEN),
    ] {
        let cookie = session(&site, user).await;
        for uri in &documents {
            let answer = send(&site, get(uri, Some(&cookie))).await;
            assert_eq!(answer.status, expected, "{user} {uri}");
            if expected != StatusCode::OK {
                assert!(!answer.body.contains("Nguyễn Văn Hộ"), "{user} {uri}");
                assert!(!answer.body.contains("Lê Thị Lâm"), "{user} {uri}");
            }
        }
    }
    // The village head of Trung Hòa prints their own village's posting list; another
    // village's minutes are not found; whatever else they open never shows a name from
    // Hạ Lâm.
    let cookie = session(&site, "truongthon.trunghoa").await;
    for (i, uri) in documents.iter().enumerate() {
        let answer = send(&site, get(uri, Some(&cookie))).await;
        match i {
            0 | 1 => assert_eq!(answer.status, StatusCode::OK, "{uri}"),
            2 => assert_eq!(answer.status, StatusCode::NOT_FOUND, "{uri}"),
            _ => {}
        }
        assert!(
            !answer.body.contains("Lê Thị Lâm"),
            "truongthon.trunghoa {uri}"
        );
    }
    // Without a session, the sign-in page.
    let anonymous = send(&site, get(&documents[0], None)).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}
web_test!(only_users_who_may_read_the_commune_print_its_documents);

/// A complaint's recheck dated before the complaint was received comes back on the
/// review's page with what was typed and the problem next to the date (issue 15); it is
/// then resolved, so that the review can be decided.
async fn a_refused_recheck_keeps_what_was_typed(site: &Site, me: &str) {
    let id = site.review;
    let view = site.app.review(&site.officer, id).await.unwrap();
    let household = view.households[0].household_id;
    let complaint = site
        .app
        .record_complaint(
            &site.officer,
            id,
            Some(household),
            "Nguyễn Văn Hộ 01",
            "Không đồng ý kết quả bình xét",
            day("2021-09-06"),
        )
        .await
        .unwrap();
    let csrf = send(site, get(&format!("/reviews/{id}"), Some(me)))
        .await
        .csrf_field();
    let recheck = Refusal::new(
        "complaint recheck",
        format!("/reviews/{id}/complaints/{complaint}/resolve"),
        &[
            ("recheck_result", "Đã phúc tra, giữ kết quả"),
            ("resolved_on", "01/09/2021"),
            ("resurvey", "1"),
        ],
    )
    .keeps(&[
        "value=\"Đã phúc tra, giữ kết quả\"",
        "value=\"01/09/2021\"",
        "value=\"1\" checked",
    ])
    .at("resolved_on", "trước ngày nhận khiếu nại")
    .clean(&["recheck_result"]);
    support::refused::check(site, &site.app, me, &csrf, &recheck).await;
    site.app
        .resolve_complaint(
            &site.officer,
            id,
            complaint,
            "Giữ kết quả",
            day("2021-09-06"),
            false,
        )
        .await
        .unwrap();
}

async fn a_refused_household_gets_a_numbered_letter_with_the_officers_reason(store: Store) {
    let site = site(store).await;
    let before = session(&site, "canbo.dienmy").await;
    a_refused_recheck_keeps_what_was_typed(&site, &before).await;
    site.approve().await;
    // A new session: the approval moved the clock a fortnight on.
    let me = session(&site, "canbo.dienmy").await;
    let id = site.review;
    let view = site.app.review(&site.officer, id).await.unwrap();
    // The third household of Trung Hòa was found not poor: its request is refused.
    let refused = view
        .households
        .iter()
        .find(|h| h.head_name == head(3, TRUNG_HOA))
        .unwrap();
    let reason = refused.refusal_reason.clone().unwrap();
    assert!(reason.contains("không đủ điều kiện công nhận"), "{reason}");
    // The household's status history links the decision to the review that made it.
    let household = send(
        &site,
        get(&format!("/households/{}", refused.household_id), Some(&me)),
    )
    .await;
    assert_eq!(household.status, StatusCode::OK, "{}", household.body);
    assert!(
        household.body.contains(&format!(
            "<a href=\"/reviews/{id}\">15/QĐ-UBND, 20/09/2021</a>"
        )),
        "{}",
        household.body
    );
    let uri = format!("/reviews/{id}/letters/{}", refused.id);
    let page = send(&site, get(&uri, Some(&me))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Số: …………/UBND"));
    assert!(page.body.contains("Văn bản chưa được cấp số."));
    assert!(page.body.contains("Nơi nhận:"));

    let own_csrf = page.csrf_field();
    let issue = |reason: &'static str, cookie: String, csrf: String| {
        let uri = uri.clone();
        async move {
            support::post_form(
                &uri,
                Some(&format!("gn_session={cookie}")),
                &[
                    ("csrf", csrf.as_str()),
                    ("stated_reason", reason),
                    ("issued_on", "20/09/2021"),
                ],
            )
        }
    };
    let done = send(
        &site,
        issue(
            "Con trai của hộ đã có việc làm ổn định",
            me.clone(),
            own_csrf.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = send(&site, get(&format!("{uri}?notice=issued"), Some(&me))).await;
    assert!(page.body.contains("Đã cấp số 001/UBND"));
    let text = pdf(&site, &format!("{uri}?format=pdf"), &me).await.concat();
    for needle in [
        "Số: 001/UBND",
        "Điền Mỹ, ngày 20 tháng 09 năm 2021",
        "về đề nghị xét công nhận hộ nghèo, hộ cận nghèo",
        "Con trai của hộ đã có việc làm ổn định",
        "không đủ điều kiện công nhận",
        "Nơi nhận:",
        "- Trưởng Thôn Trung Hòa;",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }

    // An empty reason is refused in Vietnamese and issues nothing.
    let empty = send(&site, issue("   ", me.clone(), own_csrf.clone()).await).await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    assert!(empty.body.contains("lý do cụ thể"), "{}", empty.body);
    // Another commune's officer finds nothing; the Front reads but does not issue.
    // Each session posts with its own token, taken from a page it may open.
    let other = session(&site, "canbo.halinh").await;
    let other_csrf = send(&site, get("/reviews", Some(&other)))
        .await
        .csrf_field();
    let hidden = send(&site, issue("Lý do khác", other, other_csrf).await).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let front = session(&site, "mattran.huongkhe").await;
    let read = send(&site, get(&uri, Some(&front))).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("Cấp số và lưu văn bản"));
    assert_eq!(
        site.app.store().refusal_letters(id).await.unwrap().len(),
        1,
        "nothing issued by the refused attempts"
    );
    // Issued again, the letter takes the next number and the first stays as sent.
    send(
        &site,
        issue("Hộ có thu nhập trên chuẩn cận nghèo", me.clone(), own_csrf).await,
    )
    .await;
    let letters = site.app.store().refusal_letters(id).await.unwrap();
    assert_eq!(
        letters
            .iter()
            .map(|l| l.number.as_str())
            .collect::<Vec<_>>(),
        ["001/UBND", "002/UBND"]
    );
    let text = pdf(&site, &format!("{uri}?format=pdf"), &me).await.concat();
    assert!(text.contains("Số: 002/UBND") && text.contains("trên chuẩn cận nghèo"));
}
web_test!(a_refused_household_gets_a_numbered_letter_with_the_officers_reason);

/// The text of every printed review document (the posting lists and minutes of all the
/// villages, the draft and the final decision), page by page, compared with the text
/// recorded before the wording moved into data files: the built-in wording must print
/// exactly what the code printed. `GIAMNGHEO_WRITE_GOLDEN=1` records it again, after a
/// deliberate change of wording.
async fn the_built_in_wording_prints_the_recorded_text(store: Store) {
    let site = site(store).await;
    let me = session(&site, "canbo.dienmy").await;
    let id = site.review;
    let mut text = String::new();
    let mut add = |name: &str, pages: Vec<String>| {
        for (i, page) in pages.iter().enumerate() {
            text.push_str(&format!("===== {name}, page {}\n{page}\n", i + 1));
        }
    };
    for doc in ["posting", "minutes", "decision"] {
        let uri = format!("/reviews/{id}/print/{doc}?format=pdf");
        add(doc, pdf(&site, &uri, &me).await);
    }
    site.approve().await;
    let me = session(&site, "canbo.dienmy").await;
    let uri = format!("/reviews/{id}/print/decision?format=pdf");
    add("decision (approved)", pdf(&site, &uri, &me).await);

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/review_print.txt");
    if std::env::var_os("GIAMNGHEO_WRITE_GOLDEN").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let recorded = std::fs::read_to_string(path).expect("the recorded text");
    assert!(
        text == recorded,
        "the printed text differs from {path}:\n{}",
        first_difference(&text, &recorded)
    );
}
web_test!(the_built_in_wording_prints_the_recorded_text);

/// The first line where two texts differ, both versions, for a readable failure.
fn first_difference(printed: &str, recorded: &str) -> String {
    let (mut a, mut b) = (printed.lines(), recorded.lines());
    for n in 1.. {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) if x != y => {
                return format!("line {n}:\n printed:  {x:?}\n recorded: {y:?}");
            }
            _ => {}
        }
    }
    "the same lines, different line endings".into()
}

/// An administrator's wording folder changes what is printed, and a file of it with a
/// mistake is refused whole, naming its line and key, the built-in wording kept.
async fn an_overriding_wording_file_changes_the_printed_text(store: Store) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a-sua.toml"),
        "[decision]\nrecipients = [\"Như Điều 3;\", \"UBND {district} (b/c);\", \"Lưu: VT, LĐTBXH.\"]\n\n\
         [minutes]\ncopies = \"Biên bản được lập thành 03 bản.\"\n\n\
         [common]\nmotto = [\"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\", \"Độc lập – Tự do – Hạnh phúc\"]\n\
         date_line = \"{place}, ngày {day}/{month}/{year}\"\n\n\
         [refusal]\nenter = \"Kết quả phiếu B: {status} (chuẩn {standard}); lời văn của tỉnh\"\n\n\
         [letter]\ncomplaint_right = \"Hộ gia đình có quyền khiếu nại.\"\n\n\
         [certificate]\ncertifies = \"Ủy ban nhân dân {commune} xác nhận:\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b-loi.toml"),
        "[decision]\ndecides = \"QUYẾT ĐỊNH LẠI:\"\nissuer = \"CHỦ TỊCH {chairman}\"\n",
    )
    .unwrap();
    let (wording, problems) = Wording::with_overrides(dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    let message = problems[0].to_string();
    assert!(
        message.contains("«b-loi.toml», dòng 3, mục «decision.issuer»"),
        "{message}"
    );

    let site = site_with(store, wording).await;
    let me = session(&site, "canbo.dienmy").await;
    let id = site.review;
    let decision = pdf_text(
        &site,
        &format!("/reviews/{id}/print/decision?format=pdf"),
        &me,
    )
    .await;
    assert!(
        decision.contains("UBND Huyện Hương Khê (b/c);"),
        "{decision}"
    );
    assert!(decision.contains("Lưu: VT, LĐTBXH."));
    assert!(
        decision.contains("QUYẾT ĐỊNH:") && !decision.contains("QUYẾT ĐỊNH LẠI"),
        "nothing of the refused file is used"
    );
    let minutes = pdf_text(
        &site,
        &format!("/reviews/{id}/print/minutes?village={TRUNG_HOA}&format=pdf"),
        &me,
    )
    .await;
    assert!(
        minutes.contains("Biên bản được lập thành 03 bản"),
        "{minutes}"
    );
    // The motto, the refusal letter and the certificates are the wording file's too.
    let motto = "Độc lập – Tự do – Hạnh phúc";
    assert!(minutes.contains(motto), "{minutes}");
    site.approve().await;
    let me = session(&site, "canbo.dienmy").await;
    let view = site.app.review(&site.officer, id).await.unwrap();
    let refused = view
        .households
        .iter()
        .find(|h| h.refusal_reason.is_some())
        .unwrap();
    let letter = pdf_text(
        &site,
        &format!("/reviews/{id}/letters/{}?format=pdf", refused.id),
        &me,
    )
    .await;
    assert!(
        letter.contains("Hộ gia đình có quyền khiếu nại."),
        "{letter}"
    );
    assert!(!letter.contains("theo quy định của"), "{letter}");
    assert!(
        letter.contains(motto) && !letter.contains("Độc lập - Tự do"),
        "{letter}"
    );
    let certificates = pdf_text(
        &site,
        &format!("/reviews/{id}/certificates?format=pdf"),
        &me,
    )
    .await;
    assert!(
        certificates.contains("Ủy ban nhân dân Xã Điền Mỹ xác nhận:"),
        "{certificates}"
    );
    assert!(certificates.contains(motto), "{certificates}");
    let page = send(
        &site,
        get(&format!("/reviews/{id}/certificates"), Some(&me)),
    )
    .await;
    assert!(page.body.contains(motto), "{}", page.body);
    assert!(page.body.contains("Ủy ban nhân dân Xã Điền Mỹ xác nhận:"));

    // The refusal's reason for a request to be recognised is the file's, stored with the
    // decision, and the date line follows the file's pattern.
    let reason = refused.refusal_reason.clone().unwrap();
    assert!(
        reason.starts_with("Kết quả phiếu B: ")
            && reason.ends_with("(chuẩn vn-2022); lời văn của tỉnh"),
        "{reason}"
    );
    assert!(letter.contains("lời văn của tỉnh"), "{letter}");
    assert!(letter.contains("Điền Mỹ, ngày 20/09/2021"), "{letter}");
    assert!(!letter.contains("ngày 20 tháng 09"), "{letter}");
    assert!(
        certificates.contains("Điền Mỹ, ngày 20/09/2021"),
        "{certificates}"
    );

    // The official reports (page, PDF) and the periodic report (page, .docx, PDF) take
    // the motto and the date line from the same file.
    let report = "/reports/ket-qua-ra-soat?unit=18499&period=2022";
    let page = send(&site, get(report, Some(&me))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(motto), "{}", page.body);
    assert!(!page.body.contains("Độc lập - Tự do"), "{}", page.body);
    assert!(page.body.contains("ngày 20/09/2021"), "{}", page.body);
    let report_pdf = pdf_text(&site, &format!("/api/v1{report}&format=pdf"), &me).await;
    assert!(
        report_pdf.contains(motto) && !report_pdf.contains("Độc lập - Tự do"),
        "{report_pdf}"
    );
    assert!(report_pdf.contains("ngày 20/09/2021"), "{report_pdf}");
    let office = session(&site, "phong.huongkhe").await;
    let periodic = "reports/periodic?unit=444&period=2021-Q3";
    let page = send(&site, get(&format!("/{periodic}"), Some(&office))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(motto), "{}", page.body);
    assert!(!page.body.contains("Độc lập - Tự do"), "{}", page.body);
    let periodic_pdf = pdf_text(&site, &format!("/api/v1/{periodic}&format=pdf"), &office).await;
    assert!(
        periodic_pdf.contains(motto) && !periodic_pdf.contains("Độc lập - Tự do"),
        "{periodic_pdf}"
    );
    let docx = send(
        &site,
        get(&format!("/api/v1/{periodic}&format=docx"), Some(&office)),
    )
    .await;
    assert_eq!(docx.status, StatusCode::OK, "{}", docx.body);
    let files = giamngheo_sheets::xlsform::unzip(&docx.bytes, 20 << 20).unwrap();
    let xml = files
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .unwrap();
    assert!(xml.contains(motto) && !xml.contains("Độc lập - Tự do"));

    // Decisions already made keep the reason stored with them: the same database served
    // with the built-in wording still prints the file's reason, under the built-in
    // date line.
    let builtin = App::new(
        site.app.store().clone(),
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        site.clock.clone(),
    );
    let later = Site {
        router: giamngheo_web::router(builtin.clone()),
        app: builtin,
        clock: site.clock.clone(),
        review: id,
        officer: site.officer.clone(),
    };
    let letter = pdf_text(
        &later,
        &format!("/reviews/{id}/letters/{}?format=pdf", refused.id),
        &me,
    )
    .await;
    assert!(letter.contains("lời văn của tỉnh"), "{letter}");
    assert!(
        letter.contains("Điền Mỹ, ngày 20 tháng 09 năm 2021"),
        "{letter}"
    );
    assert!(letter.contains("Độc lập - Tự do - Hạnh phúc"), "{letter}");
}
web_test!(an_overriding_wording_file_changes_the_printed_text);

/// The text of the refusal letter (before and after it is issued) and of the
/// certificates of every village, compared with the text recorded before their wording
/// moves into the wording files: the built-in wording must print exactly what the code
/// printed. `GIAMNGHEO_WRITE_GOLDEN=1` records it again, after a deliberate change.
async fn the_letters_and_certificates_print_the_recorded_text(store: Store) {
    let site = site(store).await;
    site.approve().await;
    let id = site.review;
    let me = session(&site, "canbo.dienmy").await;
    let view = site.app.review(&site.officer, id).await.unwrap();
    let refused = view
        .households
        .iter()
        .find(|h| h.head_name == head(3, TRUNG_HOA))
        .unwrap();
    let mut text = String::new();
    let mut add = |name: &str, pages: Vec<String>| {
        for (i, page) in pages.iter().enumerate() {
            text.push_str(&format!("===== {name}, page {}\n{page}\n", i + 1));
        }
    };
    let letter = format!("/reviews/{id}/letters/{}", refused.id);
    add(
        "letter (not issued)",
        pdf(&site, &format!("{letter}?format=pdf"), &me).await,
    );
    let csrf = send(&site, get(&letter, Some(&me))).await.csrf_field();
    let issued = send(
        &site,
        support::post_form(
            &letter,
            Some(&format!("gn_session={me}")),
            &[
                ("csrf", &csrf),
                ("stated_reason", "Hộ có thu nhập trên chuẩn cận nghèo"),
                ("issued_on", "20/09/2021"),
            ],
        ),
    )
    .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.body);
    add(
        "letter (issued)",
        pdf(&site, &format!("{letter}?format=pdf"), &me).await,
    );
    add(
        "certificates",
        pdf(
            &site,
            &format!("/reviews/{id}/certificates?format=pdf"),
            &me,
        )
        .await,
    );

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/review_letters.txt"
    );
    if std::env::var_os("GIAMNGHEO_WRITE_GOLDEN").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let recorded = std::fs::read_to_string(path).expect("the recorded text");
    assert!(
        text == recorded,
        "the printed text differs from {path}:\n{}",
        first_difference(&text, &recorded)
    );
}
web_test!(the_letters_and_certificates_print_the_recorded_text);
