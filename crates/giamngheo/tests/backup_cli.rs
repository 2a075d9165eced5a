//! `giamngheo backup` and `giamngheo restore` on SQLite: a backup taken while households
//! are being written restores to a consistent database with the same report, and a
//! restore refuses a database in use, a damaged backup and a backup from a newer binary.

use giamngheo_app::households::By;
use giamngheo_app::{App, Config, SystemClock};
use giamngheo_store::Store;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Households each write of the load adds, in one transaction.
const BATCH: usize = 10;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .args(args)
        .env_remove("GIAMNGHEO_DATABASE_URL")
        .output()
        .expect("run giamngheo")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn succeeds(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

async fn counts(url: &str) -> Vec<(String, i64)> {
    let store = Store::connect(url).await.unwrap();
    let counts = store.row_counts().await.unwrap();
    store.close().await;
    counts
}

fn households(counts: &[(String, i64)]) -> i64 {
    counts
        .iter()
        .find(|(t, _)| t == "households")
        .map(|(_, n)| *n)
        .unwrap()
}

fn report_csv(db: &Path) -> String {
    succeeds(&[
        "report",
        "ket-qua-ra-soat",
        "--database-url",
        s(db),
        "--unit",
        "444",
        "--period",
        "2022",
        "--format",
        "csv",
    ])
}

/// Keeps adding households, [`BATCH`] per transaction, until told to stop.
async fn write_load(db: String, stop: Arc<AtomicBool>, batches: Arc<AtomicUsize>) {
    let store = Store::connect(&db).await.unwrap();
    let app = App::new(store, Config::default(), Arc::new(SystemClock));
    // One of the demo's villages of old Xã Điền Mỹ: the demo district is history (closed
    // on 30/06/2025), so no new village can be made under it today, but its villages
    // still take households, which its reports count.
    let village = app
        .store()
        .children(Some("18499"), false)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.tier == "village")
        .expect("the demo made villages in every commune")
        .code;
    let header = "household_code,village_code,address,floor_area_m2,water_source,has_tv,full_name,sex,birth_date,ethnicity,relation,citizen_id,school_grade";
    let mut round = 0;
    while !stop.load(Ordering::SeqCst) {
        let mut csv = String::from(header);
        for i in 0..BATCH {
            csv.push_str(&format!(
                "\nSL-{round}-{i},{village},Thôn Sao Lưu,40,Giếng khoan,có,Người Thử {i},Nữ,1980,Kinh,Chủ hộ,,"
            ));
        }
        app.import_households_file(By::System, "tai.csv", csv.as_bytes())
            .await
            .unwrap();
        batches.fetch_add(1, Ordering::SeqCst);
        round += 1;
    }
    app.store().close().await;
}

#[test]
fn a_backup_under_write_load_restores_to_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let backup = dir.path().join("sao-luu.db");
    let restored = dir.path().join("restored.db");
    succeeds(&["demo", "--households", "150", "--database-url", s(&live)]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let before = households(&rt.block_on(counts(s(&live))));
    assert_eq!(report_total(&report_csv(&live)), before);

    let stop = Arc::new(AtomicBool::new(false));
    let batches = Arc::new(AtomicUsize::new(0));
    let writer = rt.spawn(write_load(
        s(&live).to_string(),
        stop.clone(),
        batches.clone(),
    ));
    while batches.load(Ordering::SeqCst) < 2 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let said = succeeds(&["backup", "--database-url", s(&live), "--output", s(&backup)]);
    assert!(said.contains("households"), "{said}");
    let during = batches.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    rt.block_on(writer).unwrap();
    assert!(during >= 2);

    // A backup file is never overwritten.
    let again = run(&["backup", "--database-url", s(&live), "--output", s(&backup)]);
    assert!(!again.status.success());

    succeeds(&["restore", s(&backup), "--database-url", s(&restored)]);
    let from_backup = rt.block_on(counts(&format!("sqlite://{}?mode=ro", s(&backup))));
    let from_restored = rt.block_on(counts(s(&restored)));
    assert_eq!(from_backup, from_restored);
    // The copy holds whole transactions only: some of the load's batches, never part
    // of one.
    let added = households(&from_restored) - before;
    assert!(added >= 2 * BATCH as i64, "{added}");
    assert_eq!(added % BATCH as i64, 0, "{added}");
    assert!(households(&rt.block_on(counts(s(&live)))) >= households(&from_restored));
    // The restored database gives the backup's report, and the report counts what the
    // backup holds.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&backup, &copy).unwrap();
    let report = report_csv(&restored);
    assert_eq!(report, report_csv(&copy));
    assert_eq!(report_total(&report), households(&from_restored));
}

/// The district's number of households in a review results report.
fn report_total(csv: &str) -> i64 {
    let total = csv.lines().find(|l| l.starts_with("Tổng cộng,")).unwrap();
    total.split(',').nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_restore_refuses_a_database_in_use_a_damaged_backup_and_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let backup = dir.path().join("sao-luu.db");
    succeeds(&["migrate", "--database-url", s(&live)]);
    succeeds(&["backup", "--database-url", s(&live), "--output", s(&backup)]);

    // A running server holds the database: the restore is refused and changes nothing.
    let mut server = Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .args([
            "serve",
            "--database-url",
            s(&live),
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("GIAMNGHEO_DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    assert!(
        lines
            .by_ref()
            .map_while(Result::ok)
            .any(|l| l.contains("đang chạy")),
        "the server started"
    );
    let before = std::fs::read(&live).unwrap();
    let refused = run(&["restore", s(&backup), "--database-url", s(&live)]);
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("đang được dùng"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(std::fs::read(&live).unwrap(), before);

    // A damaged backup is refused before anything is touched.
    let damaged = dir.path().join("hong.db");
    let mut bytes = std::fs::read(&backup).unwrap();
    let page_size = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
    let last = bytes.len() / page_size - 1;
    bytes[page_size..page_size + 12].fill(0xA5);
    bytes[last * page_size..last * page_size + 12].fill(0xA5);
    std::fs::write(&damaged, &bytes).unwrap();
    let refused = run(&["restore", s(&damaged), "--database-url", s(&live)]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("hỏng") || stderr(&refused).contains("SQLite"));

    // A backup written by a newer binary is refused.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::connect(s(&backup)).await.unwrap();
        store
            .execute_admin(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES (99990101000000, 'from the future', TRUE, X'00', 0)",
            )
            .await
            .unwrap();
        store.close().await;
    });
    let refused = run(&["restore", s(&backup), "--database-url", s(&live)]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("mới hơn"), "{}", stderr(&refused));
    assert_eq!(std::fs::read(&live).unwrap(), before);

    // With the server stopped, a good backup restores and the old file is kept aside.
    let good = dir.path().join("tot.db");
    succeeds(&["backup", "--database-url", s(&live), "--output", s(&good)]);
    succeeds(&["restore", s(&good), "--database-url", s(&live)]);
    assert!(dir.path().join("live.db.before-restore").exists());
}
