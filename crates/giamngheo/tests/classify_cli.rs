//! The `classify` command as other tools use it: its CSV contract, its bad-row behaviour
//! and its fatal errors, which leave no output file behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VN2022_TICKS: &str = "employment,dependants,nutrition,health_insurance,adult_education,school_attendance,housing_quality,housing_area,water,sanitation,telecom,info_means";
const VN2016_TICKS: &str = "medical_access,health_insurance,adult_education,school_attendance,housing_quality,housing_area,water,sanitation,telecom,info_assets";

fn classify(args: &[&str]) -> Output {
    // With the reasons column, the output every test below was written for.
    Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .arg("classify")
        .arg("--reasons")
        .args(args)
        .env_remove("GIAMNGHEO_STANDARDS_DIR")
        .output()
        .expect("the binary runs")
}

/// Classifies `input` into `dir/out.csv`, returning the run and the output path.
fn classify_to_file(dir: &Path, standard: &str, input: &Path) -> (Output, PathBuf) {
    let out = dir.join("out.csv");
    let output = classify(&[
        "--standard",
        standard,
        "--input",
        input.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    (output, out)
}

/// A vn-2022 input `h.csv` of one row: `fields` (id, area, income), then `deprived`
/// ticks set.
fn vn2022_row(dir: &Path, fields: &str, deprived: usize) -> PathBuf {
    let ticks = ticks(12, deprived);
    let text = format!("household_id,area,income_per_capita,{VN2022_TICKS}\n{fields},{ticks}\n");
    write(dir, "h.csv", &text)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// `n` ticks: the first `deprived` set to 1.
fn ticks(n: usize, deprived: usize) -> String {
    (0..n)
        .map(|i| if i < deprived { "1" } else { "0" })
        .collect::<Vec<_>>()
        .join(",")
}

/// The `household_id,status,deprivation_count,score_b` part of each output row.
fn statuses(csv: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "household_id",
            "status",
            "deprivation_count",
            "score_b",
            "reasons"
        ]
    );
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            format!(
                "{},{},{},{}",
                &record[0], &record[1], &record[2], &record[3]
            )
        })
        .collect()
}

#[test]
fn classifies_every_row_in_input_order_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "households.csv",
        &format!(
            "note,household_id,area,score_a,income_per_capita,{VN2022_TICKS}\n\
             x,H1,rural,,1500000,{}\n\
             x,H2,rural,,1500000,{}\n\
             x,H3,rural,,1500001,{}\n\
             x,H4,urban,,3000001,{}\n\
             x,H5,urban,175,900000,{}\n\
             x,H6,urban,176,900000,{}\n",
            ticks(12, 3),
            ticks(12, 2),
            ticks(12, 12),
            ticks(12, 0),
            ticks(12, 3),
            ticks(12, 3),
        ),
    );
    let output = classify(&["--standard", "vn-2022", "--input", input.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert_eq!(
        statuses(&stdout),
        [
            "H1,poor,3,30",
            "H2,near_poor,2,20",
            "H3,medium,12,120",
            "H4,not_poor,0,0",
            // With score A present it alone decides, whatever the income says.
            "H5,poor,3,30",
            "H6,not_poor,3,30",
        ]
    );
    assert!(
        stdout.contains(
            "Thu nhập bình quân 1.500.000 đồng/người/tháng ≤ chuẩn nghèo 1.500.000 đồng (nông thôn)"
        ),
        "{stdout}"
    );
}

#[test]
fn english_reasons_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "h.csv",
        &format!(
            "household_id,area,income_per_capita,{VN2016_TICKS}\nA,urban,1000000,{}\n",
            ticks(10, 1)
        ),
    );
    let output = classify(&[
        "--standard",
        "vn-2016",
        "--input",
        input.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "household_id,status,deprivation_count,score_b,reasons\n\
         A,near_poor,1,10,\"Income 1,000,000 VND per person per month > poor line 900,000 and ≤ near-poor line 1,300,000 VND (urban); \
         1 deprivation (score B = 10) < 3; Deprived: access to medical services\"\n"
    );
}

#[test]
fn bad_rows_are_named_and_skipped_and_the_rest_classified() {
    let dir = tempfile::tempdir().unwrap();
    let good = ticks(12, 0);
    let input = write(
        dir.path(),
        "households.csv",
        &format!(
            "household_id,area,income_per_capita,score_a,{VN2022_TICKS}\n\
             OK1,rural,1000000,,{good}\n\
             BAD_AREA,town,1000000,,{good}\n\
             BAD_INCOME,rural,1.5tr,,{good}\n\
             NOTHING,rural,,,{good}\n\
             BAD_TICK,rural,1000000,,2,0,0,0,0,0,0,0,0,0,0,0\n\
             SHORT,rural,1000000\n\
             OK2,urban,,100,{good}\n"
        ),
    );
    let (output, out) = classify_to_file(dir.path(), "vn-2022", &input);
    assert_eq!(
        output.status.code(),
        Some(2),
        "non-zero when a row is invalid"
    );
    let stderr = text(&output.stderr);
    let name = input.display().to_string();
    for expected in [
        format!("{name}:3: cột area"),
        format!("{name}:4: cột income_per_capita"),
        format!("{name}:5: cột income_per_capita"),
        format!("{name}:6: cột employment"),
        format!("{name}:7: cột employment, dependants"),
    ] {
        assert!(stderr.contains(&expected), "{expected:?} not in:\n{stderr}");
    }
    assert!(
        !stderr.contains(":2:") && !stderr.contains(":8:"),
        "{stderr}"
    );
    // The valid rows are still classified and the output kept.
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        statuses(&written),
        ["OK1,near_poor,0,0", "OK2,near_poor,0,0"]
    );
}

#[test]
fn bad_rows_are_named_by_the_line_an_editor_shows() {
    let dir = tempfile::tempdir().unwrap();
    let good = ticks(12, 0);
    // Windows line ends, blank lines and a quoted cell over two lines before the bad row.
    let file = format!(
        "household_id,area,income_per_capita,score_a,{VN2022_TICKS}\n\
         \n\
         \"OK\n1\",rural,1000000,,{good}\n\
         \n\
         \n\
         BAD,town,1000000,,{good}\n"
    )
    .replace('\n', "\r\n");
    let input = write(dir.path(), "h.csv", &file);
    let output = classify(&["--standard", "vn-2022", "--input", input.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("h.csv:7: cột area"), "{stderr}");
}

#[test]
fn an_identifier_that_is_a_formula_is_written_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let input = vn2022_row(
        dir.path(),
        "\"=HYPERLINK(\"\"http://x\"\")\",rural,1000000",
        0,
    );
    let output = classify(&["--standard", "vn-2022", "--input", input.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("\n\"'=HYPERLINK(\"\"http://x\"\")\",near_poor,"),
        "{stdout}"
    );
}

#[test]
fn a_score_under_a_standard_without_threshold_is_a_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "h.csv",
        &format!(
            "household_id,area,income_per_capita,score_a,{VN2016_TICKS}\nA,rural,,120,{}\nB,rural,650000,,{}\n",
            ticks(10, 0),
            ticks(10, 0)
        ),
    );
    let output = classify(&["--standard", "vn-2016", "--input", input.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains(":2: cột score_a"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(statuses(&text(&output.stdout)), ["B,poor,0,0"]);
}

#[test]
fn an_unknown_standard_is_fatal_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = vn2022_row(dir.path(), "A,rural,1", 0);
    let (output, _) = classify_to_file(dir.path(), "vn-2099", &input);
    assert_fatal(dir.path(), &output, "vn-2099");
    // The message lists the standards that do exist.
    assert!(text(&output.stderr).contains("vn-2016, vn-2022, vn-2027"));
}

#[test]
fn a_file_that_is_not_csv_is_fatal_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("photo.csv");
    std::fs::write(
        &input,
        [
            0xFFu8, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', b'\n', 1, 2, 3,
        ],
    )
    .unwrap();
    let (output, _) = classify_to_file(dir.path(), "vn-2022", &input);
    assert_fatal(dir.path(), &output, "CSV");
}

#[test]
fn a_header_without_an_indicator_column_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let header = VN2022_TICKS.replace(",water", "");
    let input = write(
        dir.path(),
        "h.csv",
        &format!(
            "household_id,area,income_per_capita,{header}\nA,rural,1,{}\n",
            ticks(11, 0)
        ),
    );
    let (output, _) = classify_to_file(dir.path(), "vn-2022", &input);
    assert_fatal(dir.path(), &output, "«water»");
}

#[test]
fn a_malformed_standard_file_is_refused_at_start_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let standards = dir.path().join("standards");
    std::fs::create_dir(&standards).unwrap();
    write(
        &standards,
        "local.toml",
        "id = \"local\"\nname_vi = \"Chuẩn địa phương\"\nname_en = 7\n",
    );
    let input = vn2022_row(dir.path(), "A,rural,1", 0);
    let output = classify(&[
        "--standard",
        "vn-2022",
        "--input",
        input.to_str().unwrap(),
        "--standards-dir",
        standards.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("local.toml:3:"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_local_standard_from_the_directory_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let standards = dir.path().join("standards");
    std::fs::create_dir(&standards).unwrap();
    // A province that raises the rural line to 1,800,000.
    let local = include_str!("../../rules/standards/vn-2022.toml")
        .replacen("id = \"vn-2022\"", "id = \"dn-2022\"", 1)
        .replacen("value = 1_500_000, source", "value = 1_800_000, source", 1);
    write(&standards, "dn-2022.toml", &local);
    let input = vn2022_row(dir.path(), "A,rural,1700000", 3);
    let output = Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .args([
            "classify",
            "--reasons",
            "--standard",
            "dn-2022",
            "--input",
            input.to_str().unwrap(),
        ])
        .env("GIAMNGHEO_STANDARDS_DIR", &standards)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(statuses(&text(&output.stdout)), ["A,poor,3,30"]);
}

#[test]
fn an_output_file_is_replaced_only_when_complete() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "h.csv",
        &format!(
            "\u{feff}household_id,area,income_per_capita,{VN2022_TICKS}\nA,rural,1,{}\n",
            ticks(12, 0)
        ),
    );
    write(dir.path(), "out.csv", "previous result\n");
    let (output, out) = classify_to_file(dir.path(), "vn-2022", &input);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        statuses(&std::fs::read_to_string(&out).unwrap()),
        ["A,near_poor,0,0"]
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
}

/// A fatal run: exit status 1, `needle` in the message, and only the input files left in
/// `dir` (no output, no temporary file).
fn assert_fatal(dir: &Path, output: &Output, needle: &str) {
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            name == "h.csv" || name == "photo.csv" || name == "households.csv",
            "left behind: {name}"
        );
    }
}

/// Runs `classify` with exactly `args`, without the `--reasons` the other tests add.
fn classify_plain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .arg("classify")
        .args(args)
        .env_remove("GIAMNGHEO_STANDARDS_DIR")
        .output()
        .expect("the binary runs")
}

/// 500 vn-2022 rows of every status, every tenth one bad (an unknown area or a tick that
/// is not 0 or 1), with blank lines here and there.
fn mixed_rows(dir: &Path) -> PathBuf {
    let mut text = format!("household_id,area,income_per_capita,{VN2022_TICKS}\n");
    for i in 0..500 {
        let area = match i % 10 {
            9 => "city",
            n if n % 2 == 0 => "rural",
            _ => "urban",
        };
        let income = 500_000 + (i * 37_111) % 3_000_000;
        let mut ticks = ticks(12, i % 7);
        if i % 20 == 4 {
            ticks = ticks.replacen('0', "2", 1);
        }
        text.push_str(&format!("H{i},{area},{income},{ticks}\n"));
        if i % 97 == 0 {
            text.push('\n');
        }
    }
    write(dir, "mixed.csv", &text)
}

#[test]
fn the_output_is_the_same_however_the_rows_are_split_between_cores() {
    let dir = tempfile::tempdir().unwrap();
    let input = mixed_rows(dir.path());
    let input = input.to_str().unwrap();
    let whole = classify(&[
        "--standard",
        "vn-2022",
        "--input",
        input,
        "--chunk-rows",
        "100000",
    ]);
    let split = classify(&[
        "--standard",
        "vn-2022",
        "--input",
        input,
        "--chunk-rows",
        "7",
    ]);
    assert_eq!(whole.status.code(), Some(2), "{}", text(&whole.stderr));
    assert_eq!(split.status.code(), Some(2));
    assert_eq!(text(&whole.stdout), text(&split.stdout));
    assert_eq!(text(&whole.stderr), text(&split.stderr));
    // The rows are in input order, the bad ones left out and named by line in order.
    let ids: Vec<String> = statuses(&text(&split.stdout))
        .iter()
        .map(|row| row.split(',').next().unwrap().to_string())
        .collect();
    let expected: Vec<String> = (0..500)
        .filter(|i| i % 10 != 9 && i % 20 != 4)
        .map(|i| format!("H{i}"))
        .collect();
    assert_eq!(ids, expected);
    let stderr = text(&split.stderr);
    let lines: Vec<u64> = stderr
        .lines()
        .filter_map(|l| l.split(':').nth(1)?.parse().ok())
        .collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{stderr}");
    // H9 is on line 12: the header, H0, the blank line after H0, then H1…H9.
    assert!(stderr.contains(":12: cột area"), "{stderr}");
}

#[test]
fn without_reasons_the_columns_stop_at_score_b() {
    let dir = tempfile::tempdir().unwrap();
    let input = mixed_rows(dir.path());
    let input = input.to_str().unwrap();
    let with = classify(&["--standard", "vn-2022", "--input", input]);
    let without = classify_plain(&["--standard", "vn-2022", "--input", input]);
    let without_text = text(&without.stdout);
    assert!(
        without_text.starts_with("household_id,status,deprivation_count,score_b\n"),
        "{without_text}"
    );
    let rows: Vec<&str> = without_text.lines().skip(1).collect();
    assert_eq!(rows, statuses(&text(&with.stdout)));
}
