//! The in-CI fuzzing of the rule files a province may supply (standards, point tables,
//! the holiday calendar): whatever a file holds, the parsers answer with the rules or
//! with an error naming the file and line, never with a panic. The cargo-fuzz target
//! `standards_toml` in `crates/sheets/fuzz` runs the same under libFuzzer.

use giamngheo_rules::{Calendar, PointTable, Standard};
use proptest::prelude::*;

const SEEDS: [&str; 5] = [
    include_str!("../standards/vn-2016.toml"),
    include_str!("../standards/vn-2022.toml"),
    include_str!("../standards/vn-2027.toml"),
    include_str!("../calendar/vn-holidays.toml"),
    include_str!("data/b1-example.toml"),
];

/// Values that have broken parsers before: extremes, wrong types, empty things.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(
            [
                "0",
                "-1",
                "1",
                "65535",
                "65536",
                "4294967296",
                "9223372036854775807",
                "-9223372036854775808",
                "1e308",
                "-0.0",
                "nan",
                "inf",
                "\"\"",
                "\"x\"",
                "[]",
                "[[]]",
                "{}",
                "true",
                "2025-02-30",
                "1900-01-01",
                "9999-12-31",
                "[1, 2, 3]",
                "\"vn-2022\"",
                "\"rural\"",
                "\"urban\"",
                "\"to confirm\"",
            ]
            .map(String::from)
            .to_vec()
        ),
        "-?[0-9]{1,22}",
        "\"\\PC{0,10}\"",
    ]
}

/// One edit of a seed: a value replaced, a line dropped or repeated.
#[derive(Debug, Clone)]
enum Edit {
    Value(prop::sample::Index, String),
    Drop(prop::sample::Index),
    Repeat(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<prop::sample::Index>(), value()).prop_map(|(i, v)| Edit::Value(i, v)),
        1 => any::<prop::sample::Index>().prop_map(Edit::Drop),
        1 => any::<prop::sample::Index>().prop_map(Edit::Repeat),
    ]
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = seed.lines().map(String::from).collect();
    for e in edits {
        if lines.is_empty() {
            break;
        }
        match e {
            Edit::Value(i, v) => {
                let at = i.index(lines.len());
                let line = &mut lines[at];
                if let Some((key, _)) = line.split_once('=') {
                    *line = format!("{key}= {v}");
                }
            }
            Edit::Drop(i) => {
                lines.remove(i.index(lines.len()));
            }
            Edit::Repeat(i) => {
                let at = i.index(lines.len());
                lines.insert(at, lines[at].clone());
            }
        }
    }
    lines.join("\n")
}

fn parse_all(text: &str) {
    if let Ok(standard) = Standard::parse("x.toml", text) {
        let _ = standard.figures_to_confirm();
        let _ = standard.indicators().len();
    }
    let _ = PointTable::parse("x.toml", text);
    let _ = Calendar::parse("x.toml", text);
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(256)
    })]

    #[test]
    fn arbitrary_text(text in "\\PC{0,400}") {
        parse_all(&text);
    }

    #[test]
    fn arbitrary_bytes_as_lossy_text(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        parse_all(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn edited_real_files(seed in 0..SEEDS.len(), edits in proptest::collection::vec(edit(), 1..6)) {
        parse_all(&apply(SEEDS[seed], &edits));
    }
}
