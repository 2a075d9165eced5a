//! The in-CI fuzzing of the report definitions an administrator may lay over the built-in
//! ones (`--reports-dir`): whatever the files hold, loading them gives a catalogue or an
//! error naming the file, never a panic. Formulas get the most attention: they are parsed
//! by hand. The cargo-fuzz target `report_definitions` in `crates/sheets/fuzz` runs the
//! same under libFuzzer.

use giamngheo_app::reports::ReportCatalog;
use proptest::prelude::*;

const SEEDS: [&str; 4] = [
    include_str!("../reports/01-ket-qua-ra-soat.toml"),
    include_str!("../reports/02-dien-bien-ho-ngheo.toml"),
    include_str!("../reports/03-thieu-hut-ho-ngheo.toml"),
    include_str!("../reports/06-tre-em.toml"),
];
const CATALOG: &str = include_str!("../reports/catalog.toml");

/// Formulas and values made of the pieces formulas are made of.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\"[a-z_.{}0-9+*/() -]{0,30}\"",
        "\"[(]{0,40}[)]{0,40}\"",
        proptest::sample::select(
            [
                "\"\"",
                "\"1/0\"",
                "\"--1\"",
                "\"c1 +\"",
                "\"((c1)\"",
                "\"{code}\"",
                "\"poor.households / households * 100\"",
                "[]",
                "[\"\"]",
                "{}",
                "0",
                "true",
                "\"indicators\"",
                "\"causes\"",
                "\"nothing\"",
            ]
            .map(String::from)
            .to_vec()
        ),
        "\"\\PC{0,12}\"",
    ]
}

/// Each seed line has a chance of being changed: a value replaced, dropped or repeated.
fn mutate(seed: &str, edits: &[(prop::sample::Index, u8, String)]) -> String {
    let mut lines: Vec<String> = seed.lines().map(String::from).collect();
    for (i, kind, v) in edits {
        if lines.is_empty() {
            break;
        }
        let at = i.index(lines.len());
        match kind % 4 {
            0 | 1 => {
                if let Some((key, _)) = lines[at].split_once('=') {
                    lines[at] = format!("{key}= {v}");
                }
            }
            2 => {
                lines.remove(at);
            }
            _ => lines.insert(at, lines[at].clone()),
        }
    }
    lines.join("\n")
}

fn load(definition: &str, catalog: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bao-cao.toml"), definition).unwrap();
    if let Some(catalog) = catalog {
        std::fs::write(dir.path().join("catalog.toml"), catalog).unwrap();
    }
    if let Ok(catalog) = ReportCatalog::with_overrides(dir.path()) {
        let _ = catalog.names();
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(128)
    })]

    #[test]
    fn arbitrary_text(text in "\\PC{0,300}") {
        load(&text, None);
        load(SEEDS[0], Some(&text));
    }

    #[test]
    fn edited_definitions(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), value()), 1..6),
        catalog_edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), value()), 0..3),
    ) {
        let catalog = (!catalog_edits.is_empty()).then(|| mutate(CATALOG, &catalog_edits));
        load(&mutate(SEEDS[seed], &edits), catalog.as_deref());
    }
}
