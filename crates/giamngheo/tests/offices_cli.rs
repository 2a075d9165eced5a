//! `giamngheo user add --role labour_office` still works (the old name of `office`), and
//! `giamngheo agency set|show` changes the name an office is shown as, on SQLite.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .args(args)
        .env_remove("GIAMNGHEO_DATABASE_URL")
        .env_remove("GIAMNGHEO_HIERARCHY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run giamngheo");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn succeeds(args: &[&str], stdin: &str) -> String {
    let out = run(args, stdin);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_old_role_name_and_the_agency_names_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    // A new database starts with the built-in list of units (Hà Tĩnh 42, Xã Điền Mỹ
    // 18499).
    let added = succeeds(
        &[
            "user",
            "add",
            "so.nnmt",
            "--role",
            "labour_office",
            "--unit",
            "42",
            "--password-stdin",
            "--database-url",
            s(&db),
        ],
        "mật khẩu đủ dài\n",
    );
    assert!(added.contains("Cơ quan chuyên môn"), "{added}");
    assert_eq!(
        succeeds(&["agency", "show", "42", "--database-url", s(&db)], "").trim(),
        "Sở Nông nghiệp và Môi trường"
    );
    succeeds(
        &[
            "agency",
            "set",
            "--unit",
            "18499",
            "Phòng Văn hóa – Xã hội",
            "--database-url",
            s(&db),
        ],
        "",
    );
    assert_eq!(
        succeeds(&["agency", "show", "18499", "--database-url", s(&db)], "").trim(),
        "Phòng Văn hóa – Xã hội"
    );
    // An unknown unit is refused by name and changes nothing.
    let out = run(
        &[
            "agency",
            "set",
            "--unit",
            "99999",
            "Phòng",
            "--database-url",
            s(&db),
        ],
        "",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("99999"));
}
