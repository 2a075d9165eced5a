//! Importing an agency's list (issue 14) on SQLite, PostgreSQL and Citus: matched rows
//! become benefits, ambiguous and unmatched rows wait in the match queue and nowhere else,
//! a re-import changes nothing, resolving a queued row writes its benefit, a bad row is
//! named by line and column, and an agency officer cannot import another agency's policy.

use giamngheo_app::AppError;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::households::By;
use giamngheo_app::policies::imports::BenefitImportRequest;
use giamngheo_domain::Tier;
use giamngheo_store::Store;

use giamngheo_store::store_test as app_test;

mod common;
use common::{hundred_households as households, one_commune};

const HEADER: &str = "Mã thẻ,Số CCCD,Họ và tên,Năm sinh,Thôn,Từ ngày,Đến ngày\n";

/// The card list: 91 rows with a known citizen ID, 2 by name, year and village written
/// without accents, 2 ambiguous (2 %), 5 unknown (5 %).
fn card_list() -> String {
    let mut csv = String::from(HEADER);
    for i in 0..91 {
        csv.push_str(&format!(
            "HN{i:013},042{i:09},Nguyễn Văn An {i},{},,01/01/2026,31/12/2026\n",
            1950 + i % 40
        ));
    }
    for i in 91..93 {
        let village = if i % 2 == 0 {
            "Trung Hoa"
        } else {
            "thon ha lam"
        };
        csv.push_str(&format!(
            "HN{i:013},,Nguyen Van An {i},{},{village},01/01/2026,31/12/2026\n",
            1950 + i % 40
        ));
    }
    for i in 93..95 {
        csv.push_str(&format!(
            "HN{i:013},,Trần Thị Bình,1970,Thôn Trung Hòa,01/01/2026,31/12/2026\n"
        ));
    }
    for i in 95..100 {
        csv.push_str(&format!(
            "HN{i:013},099{i:09},Lê Văn Lạ {i},1980,Thôn Trung Hòa,01/01/2026,31/12/2026\n"
        ));
    }
    csv
}

async fn count(store: &Store, table: &str) -> i64 {
    store
        .row_counts()
        .await
        .unwrap()
        .into_iter()
        .find(|(t, _)| t == table)
        .map_or(0, |(_, n)| n)
}

fn request<'a>(policy: &'a str, agency: &'a str, bytes: &'a [u8]) -> BenefitImportRequest<'a> {
    BenefitImportRequest {
        policy,
        agency_code: agency,
        unit_code: Some("18499"),
        file_name: "the-bhyt.csv",
        bytes,
    }
}

fn actor(role: Role, unit: &str, tier: Tier, agency: Option<&str>) -> Actor {
    Actor {
        user_id: 1,
        username: "can-bo".into(),
        role,
        unit_code: unit.into(),
        unit_tier: tier,
        agency_code: agency.map(str::to_string),
    }
}

async fn ambiguous_and_unmatched_rows_wait_in_the_queue_and_nowhere_else(store: Store) {
    let app = one_commune(store.clone()).await;
    let members = households(&app).await;
    let list = card_list();
    let summary = app
        .import_benefit_list(By::System, &request("bhyt", "42-bhxh", list.as_bytes()))
        .await
        .unwrap();
    assert_eq!(summary.rows, 100);
    assert_eq!(summary.matched, 93);
    assert_eq!(summary.queued, 7);
    assert_eq!(summary.ambiguous, 2);
    assert_eq!(summary.unmatched, 5);
    // None of these households is classified, so every card is also a finding (the
    // findings have their own tests).
    assert_eq!(
        summary.message_vi(),
        "Đã nhập 93 dòng; 7 dòng chờ đối chiếu; 93 phát hiện mới"
    );
    assert_eq!(count(&store, "benefits").await, 93);
    assert_eq!(count(&store, "benefit_match_queue").await, 7);
    assert_eq!(count(&store, "benefit_imports").await, 1);

    // The rows matched by name went to the right members; no queued row has a benefit.
    let benefits = store.benefits_in("18499", "commune").await.unwrap();
    let by_ref = |r: &str| benefits.iter().find(|b| b.reference.as_deref() == Some(r));
    let b91 = by_ref("HN0000000000091").expect("row 91 matched by name, year and village");
    assert_eq!(b91.member_id, Some(members[91].member_id));
    assert_eq!(b91.unit_code, "18499002");
    for i in 93..100 {
        assert!(by_ref(&format!("HN{i:013}")).is_none(), "row {i} must wait");
    }
    let queue = store
        .match_queue(&["18499".to_string()], None)
        .await
        .unwrap();
    let reasons: Vec<(&str, i64)> = queue.iter().map(|q| (q.reason.as_str(), q.line)).collect();
    assert_eq!(
        reasons,
        vec![
            ("ambiguous", 95),
            ("ambiguous", 96),
            ("unmatched", 97),
            ("unmatched", 98),
            ("unmatched", 99),
            ("unmatched", 100),
            ("unmatched", 101),
        ]
    );
    let ambiguous = &queue[0];
    let mut expected = vec![members[98].member_id, members[99].member_id];
    expected.sort_unstable();
    let mut got: Vec<i64> = ambiguous
        .candidates
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    got.sort_unstable();
    assert_eq!(got, expected);

    // The same file again changes nothing.
    let again = app
        .import_benefit_list(By::System, &request("bhyt", "42-bhxh", list.as_bytes()))
        .await
        .unwrap();
    assert_eq!((again.matched, again.queued, again.skipped), (0, 0, 100));
    assert_eq!(again.import_id, None);
    assert_eq!(count(&store, "benefits").await, 93);
    assert_eq!(count(&store, "benefit_match_queue").await, 7);
    assert_eq!(count(&store, "benefit_imports").await, 1);

    // Resolving the ambiguous row writes its benefit for the member chosen.
    let chosen = &members[99];
    let benefit_id = app
        .resolve_queued_row(
            By::System,
            ambiguous.id,
            chosen.household_id,
            Some(chosen.member_id),
        )
        .await
        .unwrap();
    let benefits = store.benefits_in("18499", "commune").await.unwrap();
    let written = benefits.iter().find(|b| b.id == benefit_id).unwrap();
    assert_eq!(written.member_id, Some(chosen.member_id));
    assert_eq!(written.reference.as_deref(), Some("HN0000000000093"));
    assert_eq!(benefits.len(), 94);
    let row = store.queue_row(ambiguous.id).await.unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.benefit_id),
        ("matched", Some(benefit_id))
    );
    // Twice is a conflict, and nothing more is written.
    assert!(matches!(
        app.resolve_queued_row(
            By::System,
            ambiguous.id,
            chosen.household_id,
            Some(chosen.member_id)
        )
        .await,
        Err(AppError::Conflict(_))
    ));
    // A person's policy needs the member.
    assert!(matches!(
        app.resolve_queued_row(By::System, queue[1].id, chosen.household_id, None)
            .await,
        Err(AppError::Invalid { .. })
    ));

    // Rejecting keeps the row, with its reason.
    assert!(matches!(
        app.reject_queued_row(By::System, queue[2].id, "  ").await,
        Err(AppError::Invalid { .. })
    ));
    app.reject_queued_row(By::System, queue[2].id, "Không phải người của xã")
        .await
        .unwrap();
    let row = store.queue_row(queue[2].id).await.unwrap().unwrap();
    assert_eq!(row.status, "rejected");
    assert_eq!(row.note.as_deref(), Some("Không phải người của xã"));
    assert_eq!(count(&store, "benefit_match_queue").await, 7);
    assert_eq!(count(&store, "benefits").await, 94);
    // And a re-import after resolving still changes nothing.
    let third = app
        .import_benefit_list(By::System, &request("bhyt", "42-bhxh", list.as_bytes()))
        .await
        .unwrap();
    assert_eq!(third.skipped, 100);
    assert_eq!(count(&store, "benefits").await, 94);
}
app_test!(ambiguous_and_unmatched_rows_wait_in_the_queue_and_nowhere_else);

async fn a_bad_row_is_named_by_line_and_column_and_nothing_is_written(store: Store) {
    let app = one_commune(store.clone()).await;
    households(&app).await;
    let list = format!(
        "{HEADER}HN1,042000000001,Nguyễn Văn An 1,1951,,01/01/2026,31/12/2026\n\
         HN2,12345,Nguyễn Văn An 2,1952,,01/01/2026,31/12/2026\n\
         HN1,042000000003,Nguyễn Văn An 3,1953,,01/01/2026,31/12/2026\n"
    );
    let err = app
        .import_benefit_list(By::System, &request("bhyt", "42-bhxh", list.as_bytes()))
        .await
        .unwrap_err();
    let AppError::File(errors) = err else {
        panic!("expected a file error, got {err:?}");
    };
    assert_eq!(
        errors.errors[0].to_string(),
        "dòng 3, cột «Số CCCD»: số CCCD phải có đúng 12 chữ số"
    );
    assert_eq!(count(&store, "benefits").await, 0);
    assert_eq!(count(&store, "benefit_match_queue").await, 0);

    // A reference twice in one file is named too.
    let list = format!(
        "{HEADER}HN1,042000000001,Nguyễn Văn An 1,1951,,01/01/2026,31/12/2026\n\
         HN1,042000000003,Nguyễn Văn An 3,1953,,01/01/2026,31/12/2026\n"
    );
    let AppError::File(errors) = app
        .import_benefit_list(By::System, &request("bhyt", "42-bhxh", list.as_bytes()))
        .await
        .unwrap_err()
    else {
        panic!("expected a file error");
    };
    assert_eq!(
        errors.errors[0].to_string(),
        "dòng 3, cột «Mã thẻ»: mã «HN1» trùng với dòng 2"
    );
    assert_eq!(count(&store, "benefits").await, 0);
}
app_test!(a_bad_row_is_named_by_line_and_column_and_nothing_is_written);

async fn an_agency_officer_imports_only_for_their_own_agency(store: Store) {
    let app = one_commune(store.clone()).await;
    households(&app).await;
    let list = card_list();
    let officer = actor(Role::AgencyOfficer, "42", Tier::Province, Some("42-bhxh"));
    // Another agency's policy: not found, and nothing is written.
    let loans = "Số khế ước,Họ tên người vay,Năm sinh,Thôn,Ngày giải ngân,Số tiền vay\n\
                 KU1,Nguyễn Văn An 1,1951,Hạ Lâm,01/03/2026,50.000.000\n";
    let err = app
        .import_benefit_list(
            By::User(&officer),
            &request("loan_poor", "42-nhcsxh", loans.as_bytes()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    // A policy its agency does not provide is refused too.
    let err = app
        .import_benefit_list(
            By::User(&officer),
            &request("loan_poor", "42-bhxh", loans.as_bytes()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid { .. }), "{err:?}");
    // Outside the officer's unit: not found.
    let elsewhere = actor(
        Role::AgencyOfficer,
        "18499002",
        Tier::Village,
        Some("42-bhxh"),
    );
    let err = app
        .import_benefit_list(
            By::User(&elsewhere),
            &request("bhyt", "42-bhxh", list.as_bytes()),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    // A village head may not import.
    let head = actor(Role::VillageHead, "18499001", Tier::Village, None);
    assert!(
        app.import_benefit_list(
            By::User(&head),
            &request("bhyt", "42-bhxh", list.as_bytes())
        )
        .await
        .is_err()
    );
    assert_eq!(count(&store, "benefits").await, 0);
    assert_eq!(count(&store, "benefit_match_queue").await, 0);

    // Its own agency's policy is imported, and its queue shows only its agency's rows.
    let summary = app
        .import_benefit_list(
            By::User(&officer),
            &request("bhyt", "42-bhxh", list.as_bytes()),
        )
        .await
        .unwrap();
    assert_eq!(summary.matched, 93);
    assert_eq!(
        app.match_queue(&officer, Some("waiting"))
            .await
            .unwrap()
            .len(),
        7
    );
    let bank = actor(Role::AgencyOfficer, "42", Tier::Province, Some("42-nhcsxh"));
    assert!(app.match_queue(&bank, None).await.unwrap().is_empty());
    // The bank's officer cannot resolve the social insurance agency's row.
    let row = &app.match_queue(&officer, None).await.unwrap()[0];
    let err = app
        .reject_queued_row(By::User(&bank), row.id, "không rõ")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
}
app_test!(an_agency_officer_imports_only_for_their_own_agency);

async fn an_xlsx_list_is_read_like_a_csv_one(store: Store) {
    let app = one_commune(store.clone()).await;
    households(&app).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Mã thẻ", "Số CCCD", "Họ và tên", "Năm sinh", "Từ ngày"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 1).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for i in 0..3u32 {
        sheet.write_string(i + 1, 0, format!("X{i}")).unwrap();
        sheet.write_string(i + 1, 1, format!("042{i:09}")).unwrap();
        sheet
            .write_string(i + 1, 2, format!("Nguyễn Văn An {i}"))
            .unwrap();
        sheet.write_number(i + 1, 3, 1950.0 + f64::from(i)).unwrap();
        sheet
            .write_datetime_with_format(i + 1, 4, &date, &format)
            .unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let summary = app
        .import_benefit_list(
            By::System,
            &BenefitImportRequest {
                file_name: "the.xlsx",
                ..request("bhyt", "42-bhxh", &bytes)
            },
        )
        .await
        .unwrap();
    assert_eq!((summary.matched, summary.queued), (3, 0));
    let benefits = store.benefits_in("18499", "commune").await.unwrap();
    assert!(
        benefits
            .iter()
            .all(|b| b.valid_from.to_string() == "2026-01-01")
    );
}
app_test!(an_xlsx_list_is_read_like_a_csv_one);
