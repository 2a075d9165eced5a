//! The programme's funds through the API and the pages: the suggested allocation's
//! answer, who may call it, an overdraw refused with 409, the progress report as a real
//! .xlsx read back, and the menu leading to the page for the roles that read it.

mod support;

use axum::http::StatusCode;
use giamngheo_store::Store;
use support::programme::{get, multipart, post_form, post_json, send, site, token};

async fn the_api_suggests_adopts_disburses_and_reports(store: Store) {
    let router = site(store).await;
    let office = token(&router, "vanphong.hatinh").await;
    let finance = token(&router, "taichinh.hatinh").await;
    let oversight = token(&router, "giamsat.hatinh").await;
    let other = token(&router, "taichinh.nghean").await;
    let ask = serde_json::json!({"unit": "42", "year": 2026, "total": 1_000_001});

    let answer = send(
        &router,
        post_json(
            "/api/v1/programme/allocations/suggest",
            &office,
            ask.clone(),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let json = answer.json();
    let items = json["items"].as_array().unwrap();
    // Two communes without flags: 25 each, and the odd VND to the first.
    let shares: Vec<(&str, u64, u64)> = items
        .iter()
        .map(|i| {
            (
                i["unit"].as_str().unwrap(),
                i["coefficient"].as_u64().unwrap(),
                i["share"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(shares, [("18001", 25, 500_001), ("18002", 25, 500_000)]);
    let answer = send(
        &router,
        post_json(
            "/api/v1/programme/allocations/suggest",
            &oversight,
            ask.clone(),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = send(
        &router,
        post_json("/api/v1/programme/allocations/suggest", &other, ask),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    let adopt = serde_json::json!({
        "unit": "42", "year": 2026, "project": "c2", "source": "central", "date": "15/02/2026",
        "document_number": "125/QĐ-UBND",
        "items": [{"unit": "18001", "amount": 600_000}, {"unit": "18002", "amount": 400_001}],
    });
    let answer = send(
        &router,
        post_json("/api/v1/programme/allocations", &office, adopt),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());

    let disburse = |amount: serde_json::Value| {
        serde_json::json!({
            "unit": "18001", "year": 2026, "project": "c2", "source": "central",
            "amount": amount, "date": "20/02/2026", "document_number": "PC-01",
        })
    };
    let answer = send(
        &router,
        post_json(
            "/api/v1/programme/disbursements",
            &office,
            disburse(1.into()),
        ),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "the office allocates but does not spend"
    );
    let answer = send(
        &router,
        post_json(
            "/api/v1/programme/disbursements",
            &finance,
            disburse("450.000".into()),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let answer = send(
        &router,
        post_json(
            "/api/v1/programme/disbursements",
            &finance,
            disburse(150_001.into()),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.text());
    assert!(answer.text().contains("vượt số vốn"), "{}", answer.text());

    let answer = send(
        &router,
        get(
            "/api/v1/programme/disbursements?unit=42&year=2026",
            &oversight,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json().as_array().unwrap().len(), 1);

    let answer = send(
        &router,
        get("/api/v1/programme/progress?unit=42&year=2026", &oversight),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let json = answer.json();
    assert_eq!(json["total"]["allocated"], 1_000_001);
    assert_eq!(json["total"]["disbursed"], 450_000);
    assert_eq!(json["communes"][0]["rate"], 75.0);

    // The workbook read back: the total row has the figures as numbers.
    let answer = send(
        &router,
        get(
            "/api/v1/programme/progress?unit=42&year=2026&format=xlsx",
            &oversight,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.content_type.contains("spreadsheetml"),
        "{}",
        answer.content_type
    );
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(answer.body)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let total = range
        .rows()
        .find(|r| matches!(&r[0], Data::String(s) if s == "Tổng cộng"))
        .expect("a total row");
    let numbers: Vec<f64> = total[1..4]
        .iter()
        .map(|c| match c {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(numbers, [0.0, 1_000_001.0, 450_000.0]);
    let answer = send(
        &router,
        get(
            "/api/v1/programme/progress?unit=42&year=2026&format=csv",
            &oversight,
        ),
    )
    .await;
    assert!(
        answer.text().contains("Tổng cộng,0,1000001,450000"),
        "{}",
        answer.text()
    );
    let answer = send(
        &router,
        get(
            "/api/v1/programme/progress?unit=42&year=2026&format=pdf",
            &oversight,
        ),
    )
    .await;
    assert!(answer.body.starts_with(b"%PDF"));

    // The dashboard shows the year's disbursement progress by commune, linking to the
    // progress report.
    let page = send(&router, get("/dashboard?unit=42", &oversight)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    let start = text
        .find("id=\"programme-money\"")
        .expect("the money section");
    let section = &text[start..start + text[start..].find("</section>").unwrap()];
    assert!(section.contains("Xã Sơn Kim"), "{section}");
    assert!(section.contains("1.000.001"), "{section}");
    assert!(section.contains("450.000"), "{section}");
    assert!(section.contains("75,00"), "{section}");
    assert!(
        section.contains("href=\"/programme?unit=42&amp;year=2026\""),
        "{section}"
    );
}

/// The pages read the signed-in user from a bearer token as from a session cookie, so
/// the same token opens them here.
async fn the_menu_leads_office_and_oversight_to_the_programme_page(store: Store) {
    let router = site(store).await;
    for username in ["vanphong.hatinh", "giamsat.hatinh", "taichinh.hatinh"] {
        let bearer = token(&router, username).await;
        let home = send(&router, get("/", &bearer)).await;
        let text = home.text();
        let menu = &text[text.find("<nav").unwrap()..text.find("</nav>").unwrap()];
        assert!(
            menu.contains("href=\"/programme\">Vốn chương trình<"),
            "{menu}"
        );
        let page = send(&router, get("/programme?unit=42&year=2026", &bearer)).await;
        assert_eq!(page.status, StatusCode::OK, "{username}: {}", page.text());
        assert!(
            page.text()
                .contains("Tiến độ phân bổ, giải ngân vốn chương trình")
        );
        assert!(page.text().contains("cần xác nhận"));
        let writes = page.text().contains("id=\"disbursement-form\"");
        assert_eq!(writes, username == "taichinh.hatinh", "{username}");
        let allocates = page.text().contains("href=\"/programme/allocate?");
        assert_eq!(allocates, username != "giamsat.hatinh", "{username}");
    }
    // The allocation page with a total shows each commune's formula.
    let bearer = token(&router, "vanphong.hatinh").await;
    let page = send(
        &router,
        get(
            "/programme/allocate?unit=42&year=2026&total=1.000.000",
            &bearer,
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(
        page.text()
            .contains("25 (xã còn lại) + 0 × 1 (thôn ĐBKK) = 25"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("500.000"));
    let bearer = token(&router, "giamsat.hatinh").await;
    let page = send(
        &router,
        get("/programme/allocate?unit=42&year=2026", &bearer),
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

/// The activities through the API and the pages: the office records a livelihood model
/// and an event, bad input is refused naming the field, oversight reads but may not
/// write, the menu leads to the list, and the model's evaluation is a real .xlsx.
async fn activities_are_recorded_listed_and_evaluated(store: Store) {
    let router = site(store).await;
    let office = token(&router, "vanphong.hatinh").await;
    let oversight = token(&router, "giamsat.hatinh").await;
    let model = serde_json::json!({
        "unit": "18001", "year": 2026, "project": "c2", "activity_type": "livelihood_model",
        "name": "Mô hình trồng cam", "start_date": "01/04/2026", "planned_quantity": 12
    });
    let answer = send(
        &router,
        post_json("/api/v1/programme/activities", &office, model.clone()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let id = answer.json()["id"].as_i64().unwrap();
    let mut event = serde_json::json!({
        "unit": "18002", "year": 2026, "project": "c5", "activity_type": "communication_event",
        "name": "Truyền thông về chính sách", "start_date": "2026-05-02", "place": "Hội trường xã",
        "participants": 40, "participants_women": 41
    });
    let answer = send(
        &router,
        post_json("/api/v1/programme/activities", &office, event.clone()),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.text()
    );
    assert!(
        answer.text().contains("participants_women"),
        "{}",
        answer.text()
    );
    event["participants_women"] = 22.into();
    let answer = send(
        &router,
        post_json("/api/v1/programme/activities", &oversight, event.clone()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
    let answer = send(
        &router,
        post_json("/api/v1/programme/activities", &office, event),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());

    let list = send(
        &router,
        get("/api/v1/programme/activities?unit=42&year=2026", &oversight),
    )
    .await;
    assert_eq!(list.json().as_array().unwrap().len(), 2, "{}", list.text());
    let home = send(&router, get("/", &oversight)).await;
    assert!(
        home.text()
            .contains("href=\"/programme/activities\">Hoạt động chương trình<")
    );
    let page = send(
        &router,
        get("/programme/activities?unit=42&year=2026", &oversight),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("Mô hình trồng cam"));
    assert!(
        page.text().contains("40 (22 nữ, 0 DTTS)"),
        "{}",
        page.text()
    );
    assert!(!page.text().contains("id=\"activity-form\""));
    // The list links to the report of activities and beneficiaries, which the report
    // machinery serves as JSON and as a real .xlsx.
    assert!(
        page.text()
            .contains("href=\"/reports/hoat-dong-chuong-trinh?unit=42&amp;period=2026\""),
        "{}",
        page.text()
    );
    let report = send(
        &router,
        get(
            "/api/v1/reports/hoat-dong-chuong-trinh?unit=42&period=2026",
            &oversight,
        ),
    )
    .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text());
    let json = report.json();
    let planned = json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["id"] == "planned.c2.livelihood_model")
        .unwrap_or_else(|| panic!("{json}"));
    let total = json["rows"].as_array().unwrap().last().unwrap();
    assert_eq!(total["values"][planned], 12.0, "{json}");
    let xlsx = send(
        &router,
        get(
            "/api/v1/reports/hoat-dong-chuong-trinh?unit=42&period=2026&format=xlsx",
            &oversight,
        ),
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"), "{}", xlsx.content_type);
    let page = send(
        &router,
        get("/programme/activities?unit=42&year=2026", &office),
    )
    .await;
    assert!(page.text().contains("id=\"activity-form\""));
    // A refused new activity (its end before its start) comes back with 422, what was
    // typed kept, and the problem next to the end date; nothing is saved.
    let form = "unit=18001&year=2026&kind=c2%7Clivelihood_model&name=M%C3%B4+h%C3%ACnh+nu%C3%B4i+d%C3%AA\
                &start_date=01%2F05%2F2026&end_date=01%2F04%2F2026&planned_quantity=7";
    let answer = send(&router, post_form("/programme/activities", &office, form)).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.text()
    );
    let text = answer.text();
    assert!(text.contains("value=\"Mô hình nuôi dê\""), "{text}");
    assert!(text.contains("value=\"01/05/2026\""), "{text}");
    assert!(text.contains("value=\"7\""), "{text}");
    assert!(
        text.contains("<option value=\"c2|livelihood_model\" selected>"),
        "{text}"
    );
    let end = &text[text.find("name=\"end_date\"").unwrap()..];
    let end = &end[..end.find("</label>").unwrap()];
    assert!(end.contains("aria-invalid=\"true\""), "{end}");
    assert!(end.contains("class=\"field-error\""), "{end}");
    let list = send(
        &router,
        get("/api/v1/programme/activities?unit=42&year=2026", &office),
    )
    .await;
    assert_eq!(list.json().as_array().unwrap().len(), 2, "{}", list.text());
    let page = send(
        &router,
        get(&format!("/programme/activities/{id}"), &office),
    )
    .await;
    assert!(
        page.text()
            .contains(&format!("/programme/activities/{id}/evaluation"))
    );

    // The finance department's disbursement form names the activity it pays for; the
    // activity then shows the money.
    let finance = token(&router, "taichinh.hatinh").await;
    let form = format!(
        "unit=18001&year=2026&project=c2&source=central&amount=250.000&date=10%2F04%2F2026\
         &overdraw_note=t%E1%BA%A1m+%E1%BB%A9ng&activity={id}"
    );
    let answer = send(
        &router,
        post_form("/programme/disbursements", &finance, form),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let one = send(
        &router,
        get(&format!("/api/v1/programme/activities/{id}"), &oversight),
    )
    .await;
    assert_eq!(
        one.json()["activity"]["disbursed"],
        250_000,
        "{}",
        one.text()
    );

    let answer = send(
        &router,
        get(
            &format!("/api/v1/programme/activities/{id}/evaluation?format=xlsx"),
            &oversight,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(answer.body)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let text = |c: &Data| match c {
        Data::String(s) => s.clone(),
        _ => String::new(),
    };
    assert!(range.rows().any(|r| {
        r.iter()
            .any(|c| text(c).contains("ĐÁNH GIÁ KẾT QUẢ THOÁT NGHÈO"))
    }));
    let labels: Vec<String> = range
        .rows()
        .map(|r| text(&r[0]))
        .filter(|l| l.contains(" — Hộ"))
        .collect();
    assert_eq!(
        labels,
        [
            "Tham gia mô hình — Hộ nghèo",
            "Tham gia mô hình — Hộ cận nghèo",
            "Không tham gia (cùng xã) — Hộ nghèo",
            "Không tham gia (cùng xã) — Hộ cận nghèo",
        ]
    );
    let answer = send(
        &router,
        get(
            &format!("/programme/activities/{id}/evaluation"),
            &oversight,
        ),
    )
    .await;
    assert!(answer.text().contains("Đến năm 2027"), "{}", answer.text());
}

/// A list of beneficiaries through the API and the pages: the rows the registry does not
/// know wait in the activity's queue, a second upload changes nothing, a bad row is named
/// by line and column, and the officer rejects a queued row.
async fn an_activity_list_is_imported_and_its_queue_resolved(store: Store) {
    let router = site(store).await;
    let office = token(&router, "vanphong.hatinh").await;
    let model = serde_json::json!({
        "unit": "18001", "year": 2026, "project": "c2", "activity_type": "livelihood_model",
        "name": "Mô hình nuôi gà", "start_date": "01/04/2026", "planned_quantity": 2
    });
    let answer = send(
        &router,
        post_json("/api/v1/programme/activities", &office, model),
    )
    .await;
    let id = answer.json()["id"].as_i64().unwrap();
    let page = send(
        &router,
        get(&format!("/programme/activities/{id}"), &office),
    )
    .await;
    assert!(
        page.text().contains("id=\"beneficiary-import\""),
        "{}",
        page.text()
    );

    let list = "Họ và tên,Năm sinh,Thôn\nLê Văn Tám,1980,Thôn 1\nHồ Thị Chín,1990,\n";
    let uri = format!("/api/v1/programme/activities/{id}/beneficiaries/import");
    let answer = send(&router, multipart(&uri, &office, "ds.csv", list)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let summary = answer.json();
    assert_eq!(
        (summary["added"].as_u64(), summary["queued"].as_u64()),
        (Some(0), Some(2))
    );
    assert!(
        summary["message"]
            .as_str()
            .unwrap()
            .contains("2 dòng chờ đối chiếu")
    );
    let again = send(&router, multipart(&uri, &office, "ds.csv", list)).await;
    assert_eq!(again.json()["skipped"], 2, "{}", again.text());

    let bad = "Họ và tên,Năm sinh\nLê Văn Tám,1980\nHồ Thị Chín,chín mươi\n";
    let answer = send(&router, multipart(&uri, &office, "ds.csv", bad)).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.text()
    );
    let problem = &answer.json()["error"]["problems"][0];
    assert_eq!(
        (problem["line"].as_u64(), problem["column"].as_str()),
        (Some(3), Some("Năm sinh"))
    );

    let queue = send(
        &router,
        get(&format!("/api/v1/programme/activities/{id}/queue"), &office),
    )
    .await;
    let rows = queue.json();
    assert_eq!(rows.as_array().unwrap().len(), 2, "{}", queue.text());
    let first = rows[0]["id"].as_i64().unwrap();
    let answer = send(
        &router,
        post_json(
            &format!("/api/v1/programme/activities/{id}/queue/{first}/reject"),
            &office,
            serde_json::json!({"reason": "không ở xã này"}),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    let page = send(
        &router,
        get(&format!("/programme/activities/{id}/queue"), &office),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(
        page.text().contains("Hồ Thị Chín · 1990"),
        "{}",
        page.text()
    );
    assert!(!page.text().contains("Lê Văn Tám"), "{}", page.text());
    // Oversight reads the programme but may not change an activity's list.
    let oversight = token(&router, "giamsat.hatinh").await;
    let answer = send(&router, multipart(&uri, &oversight, "ds.csv", list)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text());
}

/// The programme reports' figures open the lists behind them (the ledger's entries, the
/// activities), whose total is the figure, printable and as .xlsx; another unit's user is
/// told the list does not exist. The progress API serves the activities' report too.
async fn the_programme_reports_figures_open_their_lists(store: Store) {
    let router = site(store).await;
    let office = token(&router, "vanphong.hatinh").await;
    let finance = token(&router, "taichinh.hatinh").await;
    let oversight = token(&router, "giamsat.hatinh").await;
    let commune = token(&router, "xa.kyanh").await;
    let other = token(&router, "taichinh.nghean").await;
    let adopt = serde_json::json!({
        "unit": "42", "year": 2026, "project": "c2", "source": "central", "date": "15/02/2026",
        "items": [{"unit": "18001", "amount": 600_000}, {"unit": "18002", "amount": 400_000}],
    });
    let answer = send(
        &router,
        post_json("/api/v1/programme/allocations", &office, adopt),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    for (unit, amount, document) in [
        ("18001", 300_000, "PC-01"),
        ("18001", 150_000, "PC-02"),
        ("18002", 100_000, "PC-03"),
    ] {
        let body = serde_json::json!({
            "unit": unit, "year": 2026, "project": "c2", "source": "central",
            "amount": amount, "date": "20/02/2026", "document_number": document,
        });
        let answer = send(
            &router,
            post_json("/api/v1/programme/disbursements", &finance, body),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    }
    let model = serde_json::json!({
        "unit": "18001", "year": 2026, "project": "c2", "activity_type": "livelihood_model",
        "name": "Mô hình trồng cam", "start_date": "01/04/2026", "planned_quantity": 12
    });
    let answer = send(
        &router,
        post_json("/api/v1/programme/activities", &office, model),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());

    // The money report's cell links to its list; the list adds up to the cell.
    let page = send(
        &router,
        get("/reports/tien-do-von?unit=42&period=2026", &oversight),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let link = "/programme/figures?report=tien-do-von&unit=18001&year=2026&key=money.disbursed";
    assert!(
        page.text().contains(&link.replace('&', "&#38;")),
        "{}",
        page.text()
    );
    let list = send(&router, get(link, &oversight)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let text = list.text();
    assert!(
        text.contains("Các khoản đã giải ngân năm 2026 — Xã Sơn Kim"),
        "{text}"
    );
    assert!(text.contains("id=\"figure-total\">450.000<"), "{text}");
    assert!(text.contains("PC-01") && text.contains("PC-02") && !text.contains("PC-03"));
    assert!(
        text.contains("format=xlsx") && text.contains("print=1"),
        "{text}"
    );
    let print = send(&router, get(&format!("{link}&print=1"), &oversight)).await;
    assert!(
        print.text().contains("/assets/print.js"),
        "{}",
        print.text()
    );
    let xlsx = send(&router, get(&format!("{link}&format=xlsx"), &oversight)).await;
    assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.text());
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.body)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let total = range
        .rows()
        .find(|r| matches!(&r[0], Data::String(s) if s == "Tổng cộng"))
        .expect("a total row");
    assert_eq!(total.last(), Some(&Data::Float(450_000.0)));
    // The total row's list is the province's, by source too.
    let all = send(
        &router,
        get(
            "/programme/figures?unit=42&year=2026&key=money.source.central.disbursed",
            &oversight,
        ),
    )
    .await;
    assert!(
        all.text().contains("id=\"figure-total\">550.000<"),
        "{}",
        all.text()
    );

    // A commune officer reads their commune's list, not the neighbour's; another
    // province's user is told neither exists.
    let own = send(
        &router,
        get(
            "/programme/figures?unit=18002&year=2026&key=money.disbursed",
            &commune,
        ),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    assert!(own.text().contains("id=\"figure-total\">100.000<"));
    let answer = send(&router, get(link, &commune)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = send(&router, get(link, &other)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);

    // The activities report's figure opens the activities behind it.
    let page = send(
        &router,
        get(
            "/reports/hoat-dong-chuong-trinh?unit=42&period=2026",
            &oversight,
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let link = "/programme/figures?report=hoat-dong-chuong-trinh&unit=18001&year=2026\
                &key=activity.c2.livelihood_model.planned";
    assert!(
        page.text().contains(&link.replace('&', "&#38;")),
        "{}",
        page.text()
    );
    let list = send(&router, get(link, &oversight)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    assert!(list.text().contains("Mô hình trồng cam"), "{}", list.text());
    assert!(
        list.text().contains("id=\"figure-total\">12<"),
        "{}",
        list.text()
    );

    // The progress API serves the activities' report, and both in one workbook.
    let answer = send(
        &router,
        get(
            "/api/v1/programme/progress?unit=42&year=2026&part=activities",
            &oversight,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["name"], "hoat-dong-chuong-trinh");
    let answer = send(
        &router,
        get(
            "/api/v1/programme/progress?unit=42&year=2026&part=all",
            &oversight,
        ),
    )
    .await;
    let json = answer.json();
    assert_eq!(json["money"]["total"]["disbursed"], 550_000, "{json}");
    assert!(json["activities"]["rows"].is_array(), "{json}");
    let answer = send(
        &router,
        get(
            "/api/v1/programme/progress?unit=42&year=2026&part=all&format=xlsx",
            &oversight,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(answer.body)).unwrap();
    assert_eq!(book.sheet_names().len(), 2, "{:?}", book.sheet_names());
    let answer = send(
        &router,
        get(
            "/api/v1/programme/progress?unit=42&year=2026&part=all&format=csv",
            &oversight,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let answer = send(
        &router,
        get("/api/v1/programme/progress?unit=42&part=tien", &oversight),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
}

giamngheo_store::store_test!(the_api_suggests_adopts_disburses_and_reports);
giamngheo_store::store_test!(the_menu_leads_office_and_oversight_to_the_programme_page);
giamngheo_store::store_test!(activities_are_recorded_listed_and_evaluated);
giamngheo_store::store_test!(an_activity_list_is_imported_and_its_queue_resolved);
giamngheo_store::store_test!(the_programme_reports_figures_open_their_lists);
