//! The streamed bulk import of the command line, on SQLite and PostgreSQL: a killed run
//! resumes and ends with exactly the file's rows, a bad row refuses the file with its line
//! and column and writes nothing, and the checks of a file read whole still hold.

use giamngheo_app::bulk_import::{BulkOptions, BulkSummary};
use giamngheo_app::households::By;
use giamngheo_app::{App, AppError};
use giamngheo_store::Store;
use std::path::Path;

use giamngheo_store::store_test as app_test;

mod common;
use common::one_commune;

/// `n` households of two members each (head and spouse), with citizen IDs.
fn csv(n: usize) -> String {
    let mut csv = String::from(
        "household_code,village_code,full_name,sex,birth_date,ethnicity,relation,citizen_id\n",
    );
    for i in 0..n {
        let village = if i % 2 == 0 { "18499001" } else { "18499002" };
        csv.push_str(&format!(
            "DM-{i:03},{village},Nguyễn Văn An {i},Nam,{},Kinh,Chủ hộ,042{:09}\n",
            1950 + i % 50,
            2 * i
        ));
        csv.push_str(&format!(
            "DM-{i:03},{village},Trần Thị Bình {i},Nữ,{},Kinh,Vợ/chồng,042{:09}\n",
            1952 + i % 50,
            2 * i + 1
        ));
    }
    csv
}

async fn count(app: &App, table: &str) -> i64 {
    app.store()
        .row_counts()
        .await
        .unwrap()
        .into_iter()
        .find(|(t, _)| t == table)
        .map_or(0, |(_, n)| n)
}

async fn import(
    app: &App,
    path: &Path,
    batch: usize,
    stop: Option<usize>,
) -> Result<BulkSummary, AppError> {
    let options = BulkOptions {
        batch_households: batch,
        stop_after_batches: stop,
    };
    app.import_households_bulk(By::System, path, &options, &|_| {})
        .await
}

fn file_errors(err: AppError) -> giamngheo_sheets::SheetErrors {
    match err {
        AppError::File(errors) => errors,
        other => panic!("expected a file error, got {other:?}"),
    }
}

fn file(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("ho-gia-dinh.csv");
    std::fs::write(&path, text).unwrap();
    path
}

async fn a_killed_import_resumes_and_ends_with_exactly_the_files_rows(store: Store) {
    let app = one_commune(store).await;
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir, &csv(25));

    // Killed after two batches of four: eight households, all of their rows, no more.
    let first = import(&app, &path, 4, Some(2)).await.unwrap();
    assert!(!first.complete);
    assert_eq!(first.loaded, 8);
    assert_eq!(count(&app, "households").await, 8);
    assert_eq!(count(&app, "members").await, 16);

    // The re-run checks the rest against the database (the first eight are its own) and
    // loads only the rest.
    let second = import(&app, &path, 4, None).await.unwrap();
    assert!(second.complete);
    assert_eq!(second.already_committed, 8);
    assert_eq!(second.loaded, 17);
    assert_eq!(second.households, 25);
    assert_eq!(second.members, 50);
    assert_eq!(count(&app, "households").await, 25);
    assert_eq!(count(&app, "members").await, 50);
    let created = app
        .store()
        .audit_log(100, 0)
        .await
        .unwrap()
        .0
        .into_iter()
        .filter(|a| a.entry.action == "household.create")
        .count();
    assert_eq!(created, 25);

    // Each household once, with its two members in order and its ids wired.
    for i in [0usize, 7, 8, 24] {
        let h = app
            .store()
            .household_by_code("18499", &format!("DM-{i:03}"))
            .await
            .unwrap()
            .expect("imported");
        let members = app.store().members_of(h.id, false).await.unwrap();
        let names: Vec<&str> = members
            .iter()
            .map(|m| m.fields.full_name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                format!("Nguyễn Văn An {i}").as_str(),
                format!("Trần Thị Bình {i}").as_str()
            ]
        );
        assert_eq!(h.fields.member_count, 2);
        assert_eq!(h.fields.head_name, format!("Nguyễn Văn An {i}"));
    }

    // A third run of the finished file writes nothing.
    let third = import(&app, &path, 4, None).await.unwrap();
    assert_eq!(third.loaded, 0);
    assert_eq!(count(&app, "households").await, 25);
}
app_test!(a_killed_import_resumes_and_ends_with_exactly_the_files_rows);

async fn a_bad_row_refuses_the_file_naming_line_and_column(store: Store) {
    let app = one_commune(store).await;
    let dir = tempfile::tempdir().unwrap();
    let mut text = csv(12);
    // Line 20 (household DM-009's head): a sex that is not one; line 24, an unknown village.
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[19] = lines[19].replace(",Nam,", ",Nan,");
    lines[23] = lines[23].replace("18499002", "18499009");
    lines[24] = lines[24].replace("18499002", "18499009");
    text = lines.join("\n") + "\n";
    let path = file(&dir, &text);
    let before = app.store().row_counts().await.unwrap();
    let err = import(&app, &path, 4, None).await.unwrap_err();
    let errors = file_errors(err);
    assert!(
        errors
            .errors
            .iter()
            .any(|e| e.line == 20 && e.column == "sex"),
        "{errors:?}"
    );
    assert_eq!(app.store().row_counts().await.unwrap(), before);

    // The file's own problem fixed, the village still refused, by the check against the
    // database, with the line of the household.
    lines[19] = lines[19].replace(",Nan,", ",Nam,");
    let path = file(&dir, &(lines.join("\n") + "\n"));
    let err = import(&app, &path, 4, None).await.unwrap_err();
    let errors = file_errors(err);
    assert_eq!(errors.errors.len(), 1, "{errors:?}");
    assert_eq!(errors.errors[0].line, 24);
    assert_eq!(errors.errors[0].column, "village_code");
    assert_eq!(app.store().row_counts().await.unwrap(), before);
}
app_test!(a_bad_row_refuses_the_file_naming_line_and_column);

async fn duplicates_across_batches_and_with_the_database_are_refused(store: Store) {
    let app = one_commune(store).await;
    let dir = tempfile::tempdir().unwrap();

    // A household whose rows are not together, and a citizen ID used twice, far apart.
    let mut text = csv(10);
    text.push_str("DM-001,18499002,Lê Văn Cường,Nam,1990,Kinh,Con,\n");
    text.push_str("DM-050,18499001,Lê Văn Dũng,Nam,1990,Kinh,Chủ hộ,042000000003\n");
    let path = file(&dir, &text);
    let err = import(&app, &path, 3, None).await.unwrap_err();
    let errors = file_errors(err);
    assert!(
        errors
            .errors
            .iter()
            .any(|e| e.line == 22 && e.column == "household_code"),
        "{errors:?}"
    );
    assert!(
        errors
            .errors
            .iter()
            .any(|e| e.line == 23 && e.column == "citizen_id"),
        "{errors:?}"
    );
    assert_eq!(count(&app, "households").await, 0);

    // Two villages of one commune with the same household code in different batches.
    let mut text = csv(6);
    text.push_str("DM-000,18499002,Lê Văn Cường,Nam,1990,Kinh,Chủ hộ,\n");
    let path = file(&dir, &text);
    let err = import(&app, &path, 2, None).await.unwrap_err();
    let errors = file_errors(err);
    assert_eq!(errors.errors[0].line, 14, "{errors:?}");
    assert_eq!(errors.errors[0].column, "household_code");

    // A household already in the database, then a file that has it too.
    let path = file(&dir, &csv(3));
    import(&app, &path, 2, None).await.unwrap();
    let mut text = csv(5);
    text = text.replace("DM-00", "DX-00");
    text = text.replace("DX-002", "DM-002");
    let path = file(&dir, &text.replace(",042", ",043"));
    let err = import(&app, &path, 2, None).await.unwrap_err();
    let errors = file_errors(err);
    assert!(
        errors
            .errors
            .iter()
            .any(|e| e.line == 6 && e.column == "household_code"),
        "{errors:?}"
    );
    assert_eq!(count(&app, "households").await, 3);
}
app_test!(duplicates_across_batches_and_with_the_database_are_refused);

async fn blank_lines_keep_the_line_numbers_an_editor_shows(store: Store) {
    let app = one_commune(store).await;
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = csv(4).lines().map(String::from).collect();
    // Two blank lines before line 4 of the original file, which becomes line 6.
    lines.insert(3, String::new());
    lines.insert(3, String::new());
    lines[5] = lines[5].replace(",Nam,", ",Nan,");
    let path = file(&dir, &(lines.join("\r\n") + "\r\n"));
    let err = import(&app, &path, 2, None).await.unwrap_err();
    let errors = file_errors(err);
    assert_eq!(errors.errors[0].line, 6, "{errors:?}");
    assert_eq!(errors.errors[0].column, "sex");
}
app_test!(blank_lines_keep_the_line_numbers_an_editor_shows);

/// A register loaded in bulk counts its members' health-insurance cards: each card becomes
/// a `bhyt` benefit of its member, valid for the year to its expiry, as the member form and
/// the one-file import make it; a member without a card gets none, and a re-run of the
/// finished file adds none.
async fn cards_in_a_bulk_file_become_bhyt_benefits(store: Store) {
    let app = one_commune(store).await;
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "household_code,village_code,full_name,sex,birth_date,ethnicity,relation,citizen_id,\
         health_insurance_number,health_insurance_expiry\n",
    );
    for (i, card) in ["HN4424212345678,31/12/2026", ","].iter().enumerate() {
        text.push_str(&format!(
            "DM-{i:03},18499001,Nguyễn Văn An {i},Nam,1960,Kinh,Chủ hộ,04206000000{i},{card}\n"
        ));
    }
    let path = file(&dir, &text);
    import(&app, &path, 1, None).await.unwrap();
    import(&app, &path, 1, None).await.unwrap();

    let with_card = app
        .store()
        .household_by_code("18499", "DM-000")
        .await
        .unwrap()
        .unwrap();
    let benefits = app.store().household_benefits(with_card.id).await.unwrap();
    assert_eq!(benefits.len(), 1, "{benefits:?}");
    let b = &benefits[0];
    let member = &app.store().members_of(with_card.id, false).await.unwrap()[0];
    assert_eq!(b.policy, "bhyt");
    assert_eq!(b.member_id, Some(member.id));
    assert_eq!(b.reference.as_deref(), Some("HN4424212345678"));
    assert_eq!(b.valid_to, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
    assert_eq!(
        b.valid_from,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
    );
    assert_eq!(b.source, "import");
    assert_eq!(b.unit_code, "18499001");

    let without = app
        .store()
        .household_by_code("18499", "DM-001")
        .await
        .unwrap()
        .unwrap();
    assert!(
        app.store()
            .household_benefits(without.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(count(&app, "benefits").await, 1);
}
app_test!(cards_in_a_bulk_file_become_bhyt_benefits);
