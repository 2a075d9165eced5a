//! An activity's beneficiaries imported from a list, on SQLite, PostgreSQL and Citus:
//! matched rows join the list, the 5 % unmatched and 2 % ambiguous rows wait in the
//! activity's queue and nowhere else, a re-import changes nothing, a bad row is named by
//! line and column and writes nothing, an officer resolves or rejects a queued row, an
//! .xlsx list is read like a .csv one, and an officer of another commune sees nothing.

use chrono::NaiveDate;
use giamngheo_app::AppError;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::programme::ActivityInput;
use giamngheo_domain::Tier;
use giamngheo_store::Store;
use giamngheo_store::testing::query_i64;

use giamngheo_store::store_test as app_test;

mod common;
use common::{hundred_households, one_commune};

fn officer(commune: &str) -> Actor {
    Actor {
        user_id: 1,
        username: format!("xa-{commune}"),
        role: Role::CommuneOfficer,
        unit_code: commune.into(),
        unit_tier: Tier::Commune,
        agency_code: None,
    }
}

/// A livelihood model of 2022 in Xã Điền Mỹ (Project 3 of 2021–2025).
fn model() -> ActivityInput {
    ActivityInput {
        unit: "18499".into(),
        year: 2022,
        project: "p3".into(),
        activity_type: "livelihood_model".into(),
        name: "Mô hình nuôi bò sinh sản".into(),
        start_date: NaiveDate::from_ymd_opt(2022, 3, 1).unwrap(),
        planned_quantity: Some(100),
        ..ActivityInput::default()
    }
}

const HEADER: &str = "Số CCCD,Họ và tên,Năm sinh,Thôn\n";

/// The model's list of 100 people: 91 by citizen ID, 2 by name, year and village written
/// without accents, 2 ambiguous (2 %: two registry members share the name and year, and
/// one row names their village while the other names none), 5 unknown (5 %).
fn list() -> String {
    let mut csv = String::from(HEADER);
    for i in 0..91 {
        csv.push_str(&format!("042{i:09},Nguyễn Văn An {i},{},\n", 1950 + i % 40));
    }
    for i in 91..93 {
        let village = if i % 2 == 0 {
            "Trung Hoa"
        } else {
            "thon ha lam"
        };
        csv.push_str(&format!(",Nguyen Van An {i},{},{village}\n", 1950 + i % 40));
    }
    csv.push_str(",Trần Thị Bình,1970,Thôn Trung Hòa\n");
    csv.push_str(",Trần Thị Bình,1970,\n");
    for k in 0..5 {
        csv.push_str(&format!(",Người Ở Nơi Khác {k},1990,Thôn Trung Hòa\n"));
    }
    csv
}

async fn count(store: &Store, sql: &str) -> i64 {
    query_i64(store, sql).await
}

async fn a_list_is_matched_queued_and_imported_once(store: Store) {
    let app = one_commune(store.clone()).await;
    let people = hundred_households(&app).await;
    let me = officer("18499");
    let id = app.record_activity(&me, &model()).await.unwrap();

    let s = app
        .import_activity_beneficiaries(&me, id, "ds.csv", list().as_bytes())
        .await
        .unwrap();
    assert_eq!(
        (
            s.rows,
            s.added,
            s.queued,
            s.unmatched,
            s.ambiguous,
            s.skipped
        ),
        (100, 93, 7, 5, 2, 0)
    );
    assert!(
        s.message_vi().contains("thêm 93 người"),
        "{}",
        s.message_vi()
    );
    assert_eq!(app.beneficiaries(&me, id).await.unwrap().len(), 93);
    let queue = app.activity_queue(&me, id, None).await.unwrap();
    assert_eq!(queue.len(), 7);
    assert_eq!(queue.iter().filter(|q| q.reason == "ambiguous").count(), 2);
    // The ambiguous row with a village names the two members who fit it.
    let ambiguous = queue
        .iter()
        .find(|q| q.reason == "ambiguous" && q.village.is_some())
        .unwrap();
    let twins: Vec<i64> = people[98..].iter().map(|c| c.member_id).collect();
    let mut candidates = ambiguous.candidate_ids();
    candidates.sort_unstable();
    assert_eq!(candidates, twins);
    assert_eq!(ambiguous.line, 95);

    // The same list again writes nothing.
    let again = app
        .import_activity_beneficiaries(&me, id, "ds.csv", list().as_bytes())
        .await
        .unwrap();
    assert_eq!((again.added, again.queued, again.skipped), (0, 0, 100));
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM programme_beneficiaries").await,
        93
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM programme_beneficiary_queue").await,
        7
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'programme.beneficiary.import'"
        )
        .await,
        93
    );

    // A bad row refuses the file, named by line and column; nothing is written.
    let bad = format!("{HEADER}042000000001,Nguyễn Văn An 1,1951,\n,Lê Thị Hoa,năm ngoái,\n");
    match app
        .import_activity_beneficiaries(&me, id, "ds.csv", bad.as_bytes())
        .await
    {
        Err(AppError::File(e)) => {
            assert_eq!(e.errors[0].line, 3);
            assert_eq!(e.errors[0].column, "Năm sinh");
        }
        other => panic!("expected a file error, got {other:?}"),
    }
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM programme_beneficiary_queue").await,
        7
    );

    // The officer matches the ambiguous row to one of the two, and rejects an unknown.
    let twin = &people[98];
    app.resolve_activity_queue_row(&me, ambiguous.id, twin.household_id, Some(twin.member_id))
        .await
        .unwrap();
    assert_eq!(app.beneficiaries(&me, id).await.unwrap().len(), 94);
    let e = app
        .resolve_activity_queue_row(&me, ambiguous.id, twin.household_id, None)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
    let unknown = queue.iter().find(|q| q.reason == "unmatched").unwrap();
    let e = app
        .reject_activity_queue_row(&me, unknown.id, " ")
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Invalid { ref field, .. } if field == "reason"));
    app.reject_activity_queue_row(&me, unknown.id, "không phải người của xã")
        .await
        .unwrap();
    assert_eq!(app.activity_queue(&me, id, None).await.unwrap().len(), 5);
    assert_eq!(
        app.activity_queue(&me, id, Some("rejected"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM audit_log WHERE action IN \
             ('programme.beneficiary.match', 'programme.beneficiary.reject')"
        )
        .await,
        2
    );

    // An officer of another commune does not see the activity, nor its queue.
    let other = officer("18500");
    assert!(matches!(
        app.import_activity_beneficiaries(&other, id, "ds.csv", list().as_bytes())
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.activity_queue(&other, id, None).await,
        Err(AppError::NotFound(_))
    ));
}

async fn an_xlsx_list_is_read_like_a_csv_one(store: Store) {
    let app = one_commune(store.clone()).await;
    hundred_households(&app).await;
    let me = officer("18499");
    let id = app.record_activity(&me, &model()).await.unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Họ và tên", "Năm sinh", "Số CCCD"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..3u32 {
        sheet
            .write_string(i + 1, 0, format!("Nguyễn Văn An {i}"))
            .unwrap();
        sheet.write_number(i + 1, 1, 1950.0 + f64::from(i)).unwrap();
        // A citizen ID typed as a number loses its leading zero; it is put back.
        sheet
            .write_number(i + 1, 2, 42_000_000_000.0 + f64::from(i))
            .unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let s = app
        .import_activity_beneficiaries(&me, id, "ds.xlsx", &bytes)
        .await
        .unwrap();
    assert_eq!((s.added, s.queued), (3, 0));
}

app_test!(a_list_is_matched_queued_and_imported_once);
app_test!(an_xlsx_list_is_read_like_a_csv_one);
