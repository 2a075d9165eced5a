//! What an activity keeps beyond its quantities, and the programme figures' lists as
//! JSON (issue 16): an activity's cost by funding source from the ledger (reversals
//! netted), a livelihood model's inputs and an event's audience and materials through
//! the API, the form and the page; `GET /api/v1/programme/figures` with the page's keys
//! and access; and the reports' households address sending a programme key there.

mod support;

use axum::http::StatusCode;
use giamngheo_store::Store;
use support::programme::{get, post_form, post_json, send, site, token};

const INPUTS: &str = "Mỗi hộ 01 con bò cái giống, 200 kg thức ăn tinh";
const AUDIENCE: &str = "Hộ nghèo và hộ cận nghèo của xã";
const MATERIALS: &str = "Tờ gấp chính sách giảm nghèo";

/// A livelihood model and an event with their own fields; an activity paid from three
/// sources, one payment reversed, shows its cost by source in the sources' order.
async fn an_activity_keeps_its_inputs_audience_materials_and_cost_by_source(store: Store) {
    let router = site(store).await;
    let office = token(&router, "vanphong.hatinh").await;
    let finance = token(&router, "taichinh.hatinh").await;
    let oversight = token(&router, "giamsat.hatinh").await;
    let model = serde_json::json!({
        "unit": "18001", "year": 2026, "project": "c2", "activity_type": "livelihood_model",
        "name": "Mô hình nuôi bò sinh sản", "start_date": "01/04/2026", "planned_quantity": 10,
        "inputs": INPUTS,
    });
    let answer = send(
        &router,
        post_json("/api/v1/programme/activities", &office, model.clone()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let id = answer.json()["id"].as_i64().unwrap();
    // An audience belongs to events: refused on a model, naming the field.
    let mut wrong = model.clone();
    wrong["audience"] = AUDIENCE.into();
    let answer = send(
        &router,
        post_json("/api/v1/programme/activities", &office, wrong),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer.json()["error"]["field"],
        "audience",
        "{}",
        answer.text()
    );
    let event = serde_json::json!({
        "unit": "18002", "year": 2026, "project": "c5", "activity_type": "communication_event",
        "name": "Hội nghị truyền thông", "start_date": "02/05/2026", "participants": 40,
        "audience": AUDIENCE, "materials": MATERIALS,
    });
    let answer = send(
        &router,
        post_json("/api/v1/programme/activities", &office, event),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let event_id = answer.json()["id"].as_i64().unwrap();

    let mut entries = Vec::new();
    for (source, amount) in [
        ("peoples_contribution", 80_000),
        ("central", 300_000),
        ("provincial", 120_000),
        ("provincial", 50_000),
    ] {
        let body = serde_json::json!({
            "unit": "18001", "year": 2026, "project": "c2", "source": source, "amount": amount,
            "date": "10/04/2026", "activity_id": id, "overdraw_note": "tạm ứng",
        });
        let answer = send(
            &router,
            post_json("/api/v1/programme/disbursements", &finance, body),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
        entries.push(answer.json()["ids"][0].as_i64().unwrap());
    }
    let reverse = serde_json::json!({"reason": "chi nhầm", "overdraw_note": "tạm ứng"});
    let answer = send(
        &router,
        post_json(
            &format!("/api/v1/programme/entries/{}/reverse", entries[3]),
            &finance,
            reverse,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());

    let one = send(
        &router,
        get(&format!("/api/v1/programme/activities/{id}"), &oversight),
    )
    .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text());
    let json = one.json();
    assert_eq!(json["activity"]["inputs"], INPUTS, "{json}");
    assert_eq!(json["activity"]["disbursed"], 500_000, "{json}");
    let costs: Vec<(String, i64)> = json["cost_by_source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["source"].as_str().unwrap().to_string(),
                c["disbursed"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        costs,
        [
            ("central".to_string(), 300_000),
            ("provincial".to_string(), 120_000),
            ("peoples_contribution".to_string(), 80_000),
        ],
        "{json}"
    );
    let page = send(
        &router,
        get(&format!("/programme/activities/{id}"), &oversight),
    )
    .await;
    let text = page.text();
    let table = &text[text.find("id=\"cost-by-source\"").expect(&text)..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        table.contains("<td>Ngân sách tỉnh</td><td class=\"num\">120.000</td>"),
        "{table}"
    );
    assert!(table.contains("500.000"), "{table}");
    assert!(text.contains(INPUTS), "{text}");

    let event = send(
        &router,
        get(
            &format!("/api/v1/programme/activities/{event_id}"),
            &oversight,
        ),
    )
    .await;
    let json = event.json();
    assert_eq!(json["activity"]["audience"], AUDIENCE, "{json}");
    assert_eq!(json["activity"]["materials"], MATERIALS, "{json}");
    assert_eq!(json["cost_by_source"], serde_json::json!([]), "{json}");
    let page = send(
        &router,
        get(&format!("/programme/activities/{event_id}"), &oversight),
    )
    .await;
    let text = page.text();
    assert!(
        text.contains(AUDIENCE) && text.contains(MATERIALS),
        "{text}"
    );
    assert!(text.contains("chưa có khoản giải ngân nào"), "{text}");

    // The form: inputs typed on an event are refused next to the field, with what was
    // typed kept; nothing is saved.
    let form = "unit=18002&year=2026&kind=c5%7Ccommunication_event&name=H%E1%BB%99i+ngh%E1%BB%8B\
                &start_date=02%2F05%2F2026&participants=30\
                &audience=H%E1%BB%99+ngh%C3%A8o&materials=T%E1%BB%9D+g%E1%BA%A5p&inputs=Gi%E1%BB%91ng+l%C3%BAa";
    let answer = send(&router, post_form("/programme/activities", &office, form)).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.text()
    );
    let text = answer.text();
    for kept in [
        "value=\"Hộ nghèo\"",
        "value=\"Tờ gấp\"",
        "value=\"Giống lúa\"",
    ] {
        assert!(text.contains(kept), "{kept}: {text}");
    }
    let field = &text[text.find("name=\"inputs\"").unwrap()..];
    let field = &field[..field.find("</label>").unwrap()];
    assert!(field.contains("class=\"field-error\""), "{field}");
    assert!(field.contains("chỉ ghi cho mô hình giảm nghèo"), "{field}");
    let audience = &text[text.find("name=\"audience\"").unwrap()..];
    let audience = &audience[..audience.find("</label>").unwrap()];
    assert!(!audience.contains("field-error"), "{audience}");
    let list = send(
        &router,
        get("/api/v1/programme/activities?unit=42&year=2026", &office),
    )
    .await;
    assert_eq!(list.json().as_array().unwrap().len(), 2, "{}", list.text());

    // The correction form without its reason comes back the same way, the new inputs
    // kept; the activity keeps its one version.
    let version = one_version(&router, &oversight, id).await;
    let form = format!(
        "unit=18001&year=2026&version_id={version}&kind=c2%7Clivelihood_model\
         &name=M%C3%B4+h%C3%ACnh+nu%C3%B4i+b%C3%B2&start_date=01%2F04%2F2026\
         &inputs=B%C3%B2+gi%E1%BB%91ng+lai+Sind&reason="
    );
    let answer = send(
        &router,
        post_form(
            &format!("/programme/activities/{id}/correct"),
            &office,
            form,
        ),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.text()
    );
    let text = answer.text();
    assert!(text.contains("value=\"Bò giống lai Sind\""), "{text}");
    assert!(
        text.contains("<option value=\"c2|livelihood_model\" selected>"),
        "{text}"
    );
    let reason = &text[text.rfind("name=\"reason\"").unwrap()..];
    let reason = &reason[..reason.find("</label>").unwrap()];
    assert!(reason.contains("cần ghi lý do sửa"), "{reason}");
    assert_eq!(one_version(&router, &oversight, id).await, version);
}

/// The current version of an activity, read through the API.
async fn one_version(router: &axum::Router, bearer: &str, id: i64) -> i64 {
    let one = send(
        router,
        get(&format!("/api/v1/programme/activities/{id}"), bearer),
    )
    .await;
    one.json()["activity"]["version_id"].as_i64().unwrap()
}

/// The figures' lists as JSON: the same lines and total as the page, the same access
/// (another unit's list is not found), an unknown key refused; the reports' households
/// address sends a programme key there with 303, and the list follows.
async fn the_figures_api_lists_what_the_page_lists(store: Store) {
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
    for (amount, document) in [(300_000, "PC-01"), (150_000, "PC-02")] {
        let body = serde_json::json!({
            "unit": "18001", "year": 2026, "project": "c2", "source": "central",
            "amount": amount, "date": "20/02/2026", "document_number": document,
        });
        let answer = send(
            &router,
            post_json("/api/v1/programme/disbursements", &finance, body),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    }

    let address =
        "/api/v1/programme/figures?report=tien-do-von&unit=18001&year=2026&key=money.disbursed";
    let list = send(&router, get(address, &oversight)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let json = list.json();
    assert_eq!(json["total"], 450_000, "{json}");
    assert_eq!(json["unit"], "18001", "{json}");
    let lines = json["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{json}");
    let figures: i64 = lines.iter().map(|l| l["figure"].as_i64().unwrap()).sum();
    assert_eq!(figures, 450_000, "{json}");
    assert!(
        lines[0]["cells"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "PC-01"),
        "{json}"
    );
    assert!(
        json["title"]
            .as_str()
            .unwrap()
            .contains("Các khoản đã giải ngân năm 2026"),
        "{json}"
    );
    // The same list as the page's, by source, and as a workbook.
    let by_source = send(
        &router,
        get(
            "/api/v1/programme/figures?unit=42&year=2026&key=money.source.central.allocated",
            &oversight,
        ),
    )
    .await;
    assert_eq!(by_source.json()["total"], 1_000_000, "{}", by_source.text());
    let xlsx = send(&router, get(&format!("{address}&format=xlsx"), &oversight)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"), "{}", xlsx.content_type);
    // Access: a commune officer reads their commune's list, not the other commune's; an
    // office of another province does not see Hà Tĩnh's.
    for (who, unit, status) in [
        (&commune, "18002", StatusCode::OK),
        (&commune, "18001", StatusCode::NOT_FOUND),
        (&other, "18001", StatusCode::NOT_FOUND),
    ] {
        let answer = send(
            &router,
            get(
                &format!("/api/v1/programme/figures?unit={unit}&year=2026&key=money.disbursed"),
                who,
            ),
        )
        .await;
        assert_eq!(answer.status, status, "{unit}: {}", answer.text());
    }
    for bad in ["key=money.spent", "key=money.disbursed&format=pdf"] {
        let answer = send(
            &router,
            get(
                &format!("/api/v1/programme/figures?unit=18001&year=2026&{bad}"),
                &oversight,
            ),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            answer.text()
        );
    }

    // The reports' drill address answers a programme key with where its list is.
    let drill = "/api/v1/reports/tien-do-von/households?unit=18001&period=2026&key=money.disbursed";
    let answer = send(&router, get(drill, &office)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let to =
        "/api/v1/programme/figures?report=tien-do-von&unit=18001&year=2026&key=money.disbursed";
    assert_eq!(answer.location, to);
    let json = answer.json();
    assert!(
        json["error"]["message"].as_str().unwrap().contains(to),
        "{json}"
    );
    let followed = send(&router, get(to, &office)).await;
    assert_eq!(followed.json()["total"], 450_000, "{}", followed.text());
    let page = send(
        &router,
        get(
            "/reports/hoat-dong-chuong-trinh/households?unit=18001&period=2026&key=beneficiaries.poor",
            &office,
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(
        page.location,
        "/programme/figures?report=hoat-dong-chuong-trinh&unit=18001&year=2026&key=beneficiaries.poor"
    );
    let answer = send(
        &router,
        get(
            "/api/v1/reports/khong-co/households?unit=18001&period=2026&key=money.disbursed",
            &office,
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.text());
}

giamngheo_store::store_test!(an_activity_keeps_its_inputs_audience_materials_and_cost_by_source);
giamngheo_store::store_test!(the_figures_api_lists_what_the_page_lists);
