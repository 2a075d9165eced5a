//! `giamngheo programme import disbursements` and `giamngheo programme report` on
//! SQLite: the finance department's sheet goes in whole or not at all, with each
//! problem named by line and column, and the report shows what went in.

use giamngheo_app::access::{Actor, Role};
use giamngheo_app::programme::{AdoptItem, AdoptRequest};
use giamngheo_app::rules::programme::Weighting;
use giamngheo_app::{App, Config, SystemClock};
use giamngheo_domain::Tier;
use giamngheo_store::Store;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .args(args)
        .env_remove("GIAMNGHEO_DATABASE_URL")
        .env_remove("GIAMNGHEO_HIERARCHY")
        .output()
        .expect("run giamngheo")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sheet(path: &Path, rows: &[&[&str]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// Allocates 1.000.000 to each of the first two communes of Hà Tĩnh for this year.
async fn allocate(db: &str, year: i32) -> Vec<String> {
    let store = Store::connect(db).await.unwrap();
    let app = App::new(store, Config::default(), Arc::new(SystemClock));
    let communes: Vec<String> = app
        .children(Some("42"))
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.valid_to.is_none())
        .take(2)
        .map(|u| u.code)
        .collect();
    let admin = Actor {
        user_id: 0,
        username: "test".into(),
        role: Role::Admin,
        unit_code: "42".into(),
        unit_tier: Tier::Province,
        agency_code: None,
    };
    app.adopt_allocation(
        &admin,
        &AdoptRequest {
            unit: "42".into(),
            year,
            project: "c2".into(),
            source: "central".into(),
            date: chrono::NaiveDate::from_ymd_opt(year, 2, 1).unwrap(),
            document_number: None,
            weighting: Weighting::Coefficients,
            items: communes
                .iter()
                .map(|c| AdoptItem {
                    unit: c.clone(),
                    amount: 1_000_000,
                })
                .collect(),
        },
    )
    .await
    .unwrap();
    app.store().close().await;
    communes
}

#[tokio::test]
async fn a_disbursement_sheet_goes_in_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let db = s(&db).to_string();
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive()).max(2026);
    let y = year.to_string();
    // A first command on a new database loads the built-in units; an empty report.
    let out = run(&[
        "programme",
        "report",
        "--unit",
        "42",
        "--year",
        &y,
        "--database-url",
        &db,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"lines\": []"));
    let communes = allocate(&db, year).await;
    let (a, b) = (communes[0].as_str(), communes[1].as_str());
    let head: &[&str] = &[
        "Mã xã",
        "Năm",
        "Dự án",
        "Nguồn vốn",
        "Số tiền",
        "Ngày",
        "Số chứng từ",
    ];

    // Two problems, each named; nothing goes in.
    let bad = dir.path().join("bad.xlsx");
    sheet(
        &bad,
        &[
            head,
            &[a, &y, "c2", "central", "300.000", "10/03/2026", "PC-01"],
            &[b, &y, "p9", "central", "100", "10/03/2026", "PC-02"],
            &[a, &y, "c2", "central", "1,5", "10/03/2026", "PC-03"],
        ],
    );
    let out = run(&[
        "programme",
        "import",
        "disbursements",
        s(&bad),
        "--database-url",
        &db,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dòng 4, cột «amount»"), "{err}");
    // The amount is checked while reading; the project once the sheet reads.
    let bad2 = dir.path().join("bad2.xlsx");
    sheet(
        &bad2,
        &[
            head,
            &[a, &y, "c2", "central", "300.000", "10/03/2026", "PC-01"],
            &[b, &y, "p9", "central", "100", "10/03/2026", "PC-02"],
        ],
    );
    let out = run(&[
        "programme",
        "import",
        "disbursements",
        s(&bad2),
        "--database-url",
        &db,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dòng 3, cột «project»: dự án «p9»"), "{err}");

    // An overdraw of one commune refuses the whole sheet.
    let over = dir.path().join("over.xlsx");
    sheet(
        &over,
        &[
            head,
            &[a, &y, "c2", "central", "300.000", "10/03/2026", "PC-01"],
            &[b, &y, "c2", "central", "1.000.001", "10/03/2026", "PC-02"],
        ],
    );
    let out = run(&[
        "programme",
        "import",
        "disbursements",
        s(&over),
        "--database-url",
        &db,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("vượt số vốn"));

    let good = dir.path().join("good.xlsx");
    sheet(
        &good,
        &[
            head,
            &[a, &y, "c2", "central", "300.000", "10/03/2026", "PC-01"],
            &[b, &y, "c2", "central", "1.000.000", "10/03/2026", "PC-02"],
        ],
    );
    let out = run(&[
        "programme",
        "import",
        "disbursements",
        s(&good),
        "--database-url",
        &db,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("đã nhập 2 dòng"));

    let out = run(&[
        "programme",
        "report",
        "--unit",
        "42",
        "--year",
        &y,
        "--format",
        "csv",
        "--database-url",
        &db,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    // Only what went in: the refused sheets left nothing behind.
    assert!(csv.contains("Tổng cộng,0,2000000,1300000,65.00"), "{csv}");
    let xlsx = dir.path().join("tien-do.xlsx");
    let out = run(&[
        "programme",
        "report",
        "--unit",
        "42",
        "--year",
        &y,
        "--format",
        "xlsx",
        "--output",
        s(&xlsx),
        "--database-url",
        &db,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
}

/// `programme activities add|list|import-beneficiaries`: a bad option or a bad row is
/// named and changes nothing; the list's unknown people wait in the queue, once.
#[tokio::test]
async fn activities_are_added_listed_and_given_a_list_of_beneficiaries() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let db = s(&db).to_string();
    let add = |extra: &[&str]| {
        let mut args = vec![
            "programme",
            "activities",
            "add",
            "--database-url",
            &db,
            "--unit",
            "42",
            "--year",
            "2026",
            "--project",
            "c5",
            "--type",
            "communication_event",
            "--name",
            "Hội nghị truyền thông giảm nghèo",
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let out = add(&["--start", "40/05/2026", "--participants", "50"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--start: ngày «40/05/2026»"), "{err}");
    let out = add(&["--start", "10/05/2026"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("participants"));
    let out = add(&[
        "--start",
        "10/05/2026",
        "--participants",
        "50",
        "--women",
        "21",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("đã ghi hoạt động số 1"));
    let out = run(&[
        "programme",
        "activities",
        "list",
        "--database-url",
        &db,
        "--unit",
        "42",
        "--year",
        "2026",
    ]);
    let listed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains("10/05/2026") && listed.contains("Hội nghị truyền thông giảm nghèo"));
    // The progress report family gives the activities too: alone as JSON, with the
    // money in one workbook; a CSV holds one table, so `all` is refused as CSV.
    let report = |part: &str, format: &str, output: Option<&Path>| {
        let mut args = vec![
            "programme",
            "report",
            "--database-url",
            &db,
            "--unit",
            "42",
            "--year",
            "2026",
            "--part",
            part,
            "--format",
            format,
        ];
        if let Some(o) = output {
            args.extend_from_slice(&["--output", s(o)]);
        }
        run(&args)
    };
    let out = report("activities", "json", None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["name"], "hoat-dong-chuong-trinh", "{json}");
    let col = json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["id"] == "participants")
        .unwrap();
    let total = json["rows"].as_array().unwrap().last().unwrap();
    assert_eq!(total["values"][col], 50.0, "{json}");
    let both = dir.path().join("tien-do-chuong-trinh.xlsx");
    let out = report("all", "xlsx", Some(&both));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A sheet each: the zip's directory names the second sheet's part.
    let bytes = std::fs::read(&both).unwrap();
    let has = |name: &[u8]| bytes.windows(name.len()).any(|w| w == name);
    assert!(has(b"xl/worksheets/sheet2.xml") && !has(b"xl/worksheets/sheet3.xml"));
    let out = report("all", "json", None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["money"]["lines"].is_array() && json["activities"]["rows"].is_array());
    let out = report("all", "csv", None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CSV chỉ chứa một bảng"));

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Họ và tên,Năm sinh\nLê Văn Tám,1980\nHồ Thị Chín,abc\n",
    )
    .unwrap();
    let import = |file: &Path| {
        run(&[
            "programme",
            "activities",
            "import-beneficiaries",
            "--database-url",
            &db,
            "--activity",
            "1",
            s(file),
        ])
    };
    let out = import(&bad);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dòng 3, cột «Năm sinh»"), "{err}");
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "Họ và tên,Năm sinh\nLê Văn Tám,1980\nHồ Thị Chín,1990\n",
    )
    .unwrap();
    let out = import(&good);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 dòng chờ đối chiếu"));
    let out = import(&good);
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 dòng đã có từ lần nhập trước"));
}
