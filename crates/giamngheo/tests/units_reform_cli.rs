//! `giamngheo units reform` on a database with the demo's households under the old
//! communes of Hương Khê: a dry run, the run, a second run, and a refused mapping.

use std::path::Path;
use std::process::{Command, Output};

fn giamngheo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .args(args)
        .env_remove("GIAMNGHEO_DATABASE_URL")
        .env_remove("GIAMNGHEO_HIERARCHY")
        .output()
        .expect("run giamngheo")
}

fn succeeds(args: &[&str]) -> String {
    let out = giamngheo(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn data(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(file)
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_reform_command_moves_the_demo_onto_todays_communes_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let db = db.to_str().unwrap();
    // The demo builds its history under the district and communes of before the reform,
    // then applies the shipped reform to it with the code of this command: all 120
    // households move to today's communes.
    let demo = succeeds(&["demo", "--households", "120", "--database-url", db]);
    assert!(
        demo.contains("Sắp xếp đơn vị hành chính 01/07/2025:")
            && demo.contains("và 120 hộ chuyển về các xã mới"),
        "{demo}"
    );
    let list = data("admin-units-vn-2025-07.csv");
    let mapping = data("admin-units-vn-2025-07-from-2025-03.csv");
    let reform = |extra: &[&str]| {
        let mut args = vec![
            "units",
            "reform",
            "--list",
            &list,
            "--mapping",
            &mapping,
            "--effective",
            "01/07/2025",
            "--database-url",
            db,
        ];
        args.extend_from_slice(extra);
        succeeds(&args)
    };

    // The command on the same files then finds the work done: its dry run and its run
    // move nothing, and neither does a second run.
    let dry = reform(&["--dry-run"]);
    assert!(dry.contains("chạy thử: không thay đổi gì"), "{dry}");
    assert!(dry.contains("hộ chuyển theo thôn: 0"), "{dry}");
    let done = reform(&[]);
    assert!(done.contains("hộ chuyển theo thôn: 0"), "{done}");
    assert!(!done.contains("chạy thử"), "{done}");
    let again = reform(&[]);
    assert!(
        again.contains("đơn vị mở từ 01/07/2025: 0; đơn vị hết hiệu lực 30/06/2025: 0"),
        "{again}"
    );
    assert!(
        again.contains("thôn chuyển về xã mới: 0; hộ chuyển theo thôn: 0"),
        "{again}"
    );

    // A mapping with a bad row is refused, naming the line and column.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "old_code,new_code,whole\n18499,99999,1\n").unwrap();
    let out = giamngheo(&[
        "units",
        "reform",
        "--list",
        &list,
        "--mapping",
        bad.to_str().unwrap(),
        "--effective",
        "01/07/2025",
        "--database-url",
        db,
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("99999"), "{err}");
}
