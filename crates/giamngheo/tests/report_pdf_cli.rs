//! `giamngheo report --format pdf`: a district's report with one report per commune
//! after it, written to a file; without `--output` the PDF is refused rather than sent
//! to the terminal.

use std::process::Command;

#[test]
fn a_district_report_is_written_as_a_pdf_with_its_communes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let pdf = dir.path().join("dien-bien.pdf");
    let report = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_giamngheo"))
            .args(["report", "dien-bien-ho-ngheo", "--unit", "444"])
            .args(["--period", "2022", "--format", "pdf"])
            .arg("--database-url")
            .arg(&db)
            .args(extra)
            .env_remove("GIAMNGHEO_DATABASE_URL")
            .output()
            .expect("run giamngheo")
    };

    let out = report(&["--per-unit", "--output", pdf.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));

    let out = report(&[]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output"));
}
