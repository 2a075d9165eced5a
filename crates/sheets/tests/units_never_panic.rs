//! The in-CI fuzzing of the units and village lists: whatever a file holds, the readers
//! answer with rows or with located problems, never with a panic. The cargo-fuzz target
//! `units_csv` in `crates/sheets/fuzz` runs the same under libFuzzer.

use giamngheo_domain::UnitCode;
use giamngheo_sheets::units::{read_units, read_villages};
use proptest::prelude::*;

/// Header names of both lists, and a few that are not.
fn column() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(
            [
                "code",
                "name",
                "kind",
                "level",
                "parent_code",
                "area",
                "extremely_difficult",
                "border",
                "programme_30a",
                "programme_135",
                "valid_from",
                "commune_code",
                "\u{feff}code",
            ]
            .map(String::from)
            .to_vec()
        ),
        "\\PC{0,8}",
    ]
}

/// Cells that are almost right: codes of every length, kinds, levels, dates, flags.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{0,14}",
        proptest::sample::select(
            [
                "Tỉnh",
                "Thành phố",
                "Huyện",
                "Xã",
                "Phường",
                "Thị trấn",
                "Thôn",
                "Bản",
                "1",
                "2",
                "3",
                "4",
                "-1",
                "x",
                "có",
                "31/02/2025",
                "2025-03-01",
                "urban",
                "rural",
                "\"a,b\"",
                "\"a\nb\"",
            ]
            .map(String::from)
            .to_vec()
        ),
        "\\PC{0,12}",
    ]
}

fn text(header: &[String], rows: &[Vec<String>], crlf: bool, blank_lines: &[bool]) -> Vec<u8> {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut out = header.join(",");
    for (i, r) in rows.iter().enumerate() {
        out.push_str(end);
        if blank_lines.get(i).copied().unwrap_or(false) {
            out.push_str(end);
        }
        out.push_str(&r.join(","));
    }
    out.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(256)
    })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_units(&bytes[..]);
        let _ = read_villages(&bytes[..], None);
        let _ = read_villages(&bytes[..], Some(&UnitCode::parse("18499").unwrap()));
    }

    #[test]
    fn csv_like_lists(
        header in proptest::collection::vec(column(), 0..14),
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..14), 0..20),
        crlf in any::<bool>(),
        blank_lines in proptest::collection::vec(any::<bool>(), 0..20),
    ) {
        let bytes = text(&header, &rows, crlf, &blank_lines);
        let lines_in_file = 1 + bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        for result in [
            read_units(&bytes[..]).map(|r| r.len()),
            read_villages(&bytes[..], None).map(|r| r.len()),
            read_villages(&bytes[..], Some(&UnitCode::parse("18499").unwrap())).map(|r| r.len()),
        ] {
            // A problem names a line of the file.
            if let Err(errors) = result {
                for e in &errors.errors {
                    prop_assert!(e.line <= lines_in_file + 1, "{e} in a file of {lines_in_file} lines");
                }
            }
        }
    }
}
