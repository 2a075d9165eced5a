//! `giamngheo units import --retire-missing`: a dry run first, `--yes` to apply, and no
//! retirement of a commune that still holds households, villages or users unless the
//! reform's mapping names its successor.

use giamngheo_app::households::By;
use giamngheo_app::{App, Config, SystemClock};
use giamngheo_domain::Hierarchy;
use giamngheo_store::Store;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .args(["units", "import"])
        .args(args)
        // The test's lists are four-level, like the lists from before July 2025; a new
        // database's own hierarchy is three levels.
        .args(["--list-hierarchy", "province,district,commune,village"])
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

/// Whether Hà Linh is still a valid unit.
fn ha_linh_valid(db: &Path) -> bool {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::connect(db.to_str().unwrap()).await.unwrap();
        let valid = store
            .unit("90002")
            .await
            .unwrap()
            .unwrap()
            .valid_to
            .is_none();
        store.close().await;
        valid
    })
}

#[test]
fn retiring_a_commune_with_people_needs_its_successor_and_yes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("units.db");
    let file = |name: &str, content: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p.to_str().unwrap().to_string()
    };
    let before = file(
        "truoc.csv",
        "code,name,kind,level,parent_code\n90,Tỉnh Thử,Tỉnh,1,\n900,Huyện Thử,Huyện,2,90\n\
         90001,Xã Điền Mỹ,Xã,3,900\n90002,Xã Hà Linh,Xã,3,900\n",
    );
    let after = file(
        "sau.csv",
        "code,name,kind,level,parent_code\n90,Tỉnh Thử,Tỉnh,1,\n900,Huyện Thử,Huyện,2,90\n\
         90001,Xã Hương Đô,Xã,3,900\n",
    );
    let mapping = file(
        "ke-thua.csv",
        "old_code,old_name,new_code,new_name,whole\n90002,Xã Hà Linh,90001,Xã Hương Đô,1\n",
    );
    let out = run(&db, &[&before]);
    assert!(out.status.success(), "{}", text(&out));

    // A village and a household in Hà Linh.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::connect(db.to_str().unwrap()).await.unwrap();
        let app = App::new(
            store,
            Config {
                hierarchy: Hierarchy::four_levels(),
                ..Config::default()
            },
            Arc::new(SystemClock),
        );
        let village = app
            .import_villages_as_system(
                "commune_code,name,kind\n90002,Thôn Bắc Hà,Thôn\n".as_bytes(),
            )
            .await
            .unwrap()
            .remove(0);
        let csv = format!(
            "household_code,village_code,address,full_name,sex,birth_date,ethnicity,relation\n\
             HL-1,{village},Xóm 1,Lê Văn Hà,Nam,1970,Kinh,Chủ hộ\n"
        );
        app.import_households_file(By::System, "ho.csv", csv.as_bytes().to_vec())
            .await
            .unwrap();
        app.store().close().await;
    });

    // Without a successor: refused, with what Hà Linh holds.
    let out = run(&db, &[&after, "--retire-missing", "--yes"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("90002 Xã Hà Linh: 1 hộ, 1 thôn"),
        "{}",
        text(&out)
    );
    assert!(ha_linh_valid(&db));

    // With the mapping but without --yes: a summary, and nothing changes.
    let out = run(&db, &[&after, "--retire-missing", "--successors", &mapping]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("Chạy thử: sẽ nhập 3 đơn vị, 1 đơn vị hết hiệu lực."),
        "{said}"
    );
    assert!(
        said.contains("90002 Xã Hà Linh: 1 hộ, 1 thôn → kế thừa: 90001"),
        "{said}"
    );
    assert!(said.contains("Chạy lại với --yes"), "{said}");
    assert!(ha_linh_valid(&db));

    // With --yes: applied.
    let out = run(
        &db,
        &[
            &after,
            "--retire-missing",
            "--successors",
            &mapping,
            "--yes",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("đã nhập 3 đơn vị, 1 đơn vị hết hiệu lực"),
        "{}",
        text(&out)
    );
    assert!(!ha_linh_valid(&db));
}
