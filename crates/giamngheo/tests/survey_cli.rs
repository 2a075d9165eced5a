//! `giamngheo survey forms --review ID --output DIR`: a review's forms and household
//! lists written to a folder, and a clear refusal for a review that does not exist.

use chrono::NaiveDate;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::households::By;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::Store;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .arg("survey")
        .args(args)
        .args(["--database-url", db.to_str().unwrap()])
        .env_remove("GIAMNGHEO_DATABASE_URL")
        .env_remove("GIAMNGHEO_HIERARCHY")
        .output()
        .expect("run giamngheo")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A database with Điền Mỹ's 2022 review and one household of Thôn Trung Hòa in it,
/// which asked to be reviewed; the review's id and the version of its phiếu A.
fn database(db: &Path) -> (i64, String) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::connect(db.to_str().unwrap()).await.unwrap();
        store.migrate().await.unwrap();
        let now = NaiveDate::from_ymd_opt(2021, 9, 6)
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap()
            .and_utc();
        let app = App::new(
            store,
            Config {
                hierarchy: Hierarchy::four_levels(),
                ..Config::default()
            },
            Arc::new(FixedClock(now)),
        );
        app.import_units(
            "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n444,Huyện Hương Khê,Huyện,2,42\n\
             18499,Xã Điền Mỹ,Xã,3,444\n"
                .as_bytes(),
            &giamngheo_app::units::UnitImportOptions {
                valid_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                retire_missing: false,
                hierarchy: None,
            },
        )
        .await
        .unwrap();
        let village = app
            .import_villages_as_system("commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n".as_bytes())
            .await
            .unwrap()
            .remove(0);
        let csv = format!(
            "household_code,village_code,address,full_name,sex,birth_date,ethnicity,relation\n\
             HK-1,{village},Xóm 1,Lê Văn Hà,Nam,1970,Kinh,Chủ hộ\n"
        );
        app.import_households_file(By::System, "ho.csv", csv.as_bytes().to_vec())
            .await
            .unwrap();
        let officer = Actor {
            user_id: 1,
            username: "canbo".into(),
            role: Role::CommuneOfficer,
            unit_code: "18499".into(),
            unit_tier: Tier::Commune,
            agency_code: None,
        };
        let id = app
            .open_periodic_review(&officer, "18499", 2022, "vn-2022")
            .await
            .unwrap();
        let hh = app.store().household_by_code("18499", "HK-1").await.unwrap().unwrap();
        app.add_review_request(
            &officer,
            id,
            hh.id,
            giamngheo_app::reviews::RequestInput {
                date: NaiveDate::from_ymd_opt(2021, 9, 1).unwrap(),
                channel: "in_person".into(),
                requester: "Lê Văn Hà".into(),
                kind: "enter".into(),
            },
        )
        .await
        .unwrap();
        let forms = app.survey_forms_as_system(id).await.unwrap();
        (id, forms.forms[0].version.clone())
    })
}

#[test]
fn the_forms_of_a_review_are_written_to_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let (id, _) = database(&db);
    let out_dir = dir.path().join("phieu");
    let out = run(
        &db,
        &[
            "forms",
            "--review",
            &id.to_string(),
            "--output",
            out_dir.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    for name in ["phieu_a.xlsx", "phieu_b.xlsx", "hh_18499001.csv"] {
        assert!(out_dir.join(name).is_file(), "{name}: {}", text(&out));
    }
    let csv = std::fs::read_to_string(out_dir.join("hh_18499001.csv")).unwrap();
    assert!(
        csv.starts_with("name,label,head_name,ages,current_class\nHK-1,HK-1 — Lê Văn Hà,"),
        "{csv}"
    );

    let missing = run(
        &db,
        &[
            "forms",
            "--review",
            "999",
            "--output",
            out_dir.to_str().unwrap(),
        ],
    );
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("không tìm thấy đợt rà soát số 999"),
        "{}",
        text(&missing)
    );
}

#[test]
fn a_kobo_export_of_phieu_a_is_imported_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let (id, version) = database(&db);
    let entry = |uuid: &str, household: &str| {
        serde_json::json!({
            "_id": 7, "_uuid": uuid, "_xform_id_string": format!("giamngheo_r{id}_phieu_a"),
            "_submission_time": "2021-09-05T03:00:00", "__version__": "vKobo1",
            "meta/instanceID": format!("uuid:{uuid}"), "meta/rootUuid": format!("uuid:{uuid}"),
            "village": "18499001", "hh_18499001": household, "household": household, "confirm": "yes",
            "passed": "yes", "note": "", "surveyed_by": "Trần Văn Quý", "surveyed_on": "2021-09-05",
            "form_version": version
        })
    };
    let export = serde_json::json!({"count": 2, "next": null, "previous": null,
        "results": [entry("a1", "HK-1"), entry("a2", "HK-404")]});
    let file = dir.path().join("kobo.json");
    std::fs::write(&file, export.to_string()).unwrap();
    let out = run(
        &db,
        &[
            "import",
            "--review",
            &id.to_string(),
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("nhập mới: 1, cập nhật: 0, không đổi: 0, chờ xử lý: 1"),
        "{said}"
    );
    assert!(
        said.contains("hộ mã «HK-404» không thuộc đợt rà soát này"),
        "{said}"
    );
    let again = run(
        &db,
        &[
            "import",
            "--review",
            &id.to_string(),
            file.to_str().unwrap(),
        ],
    );
    assert!(
        text(&again).contains("nhập mới: 0, cập nhật: 0, không đổi: 2, chờ xử lý: 0"),
        "{}",
        text(&again)
    );
}
