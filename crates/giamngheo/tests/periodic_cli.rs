//! `giamngheo report periodic`: the periodic report of a unit and quarter written as a
//! .docx file and as JSON; a wrong period is refused naming the forms it takes.

use std::process::Command;

#[test]
fn the_periodic_report_is_written_as_docx_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let docx = dir.path().join("bao-cao.docx");
    let report = |period: &str, extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_giamngheo"))
            .args(["report", "periodic", "--unit", "444", "--period", period])
            .arg("--database-url")
            .arg(&db)
            .args(extra)
            .env_remove("GIAMNGHEO_DATABASE_URL")
            .output()
            .expect("run giamngheo")
    };

    let out = report(
        "2021-Q2",
        &["--format", "docx", "--output", docx.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&docx).unwrap();
    let files = giamngheo_sheets::xlsform::unzip(&bytes, 20 << 20).unwrap();
    let xml = files
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .expect("document.xml");
    assert!(xml.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    assert!(xml.contains("quý II năm 2021"));

    let out = report("2021-Q2", &["--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["period"], "2021-Q2");
    assert_eq!(v["unit_code"], "444");

    let out = report("quý 2", &["--format", "json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2021-Q2"));
}
