//! Any text given as a report definition (with the built-in code lists), or as the code
//! lists (with one built-in definition): loading answers with a catalogue or an error
//! naming the file, never with a panic. Formulas are parsed by hand and get the most
//! from this.

#![no_main]

use giamngheo_app::reports::ReportCatalog;
use libfuzzer_sys::fuzz_target;

const CATALOG: &str = include_str!("../../../app/reports/catalog.toml");
const DEFINITION: &str = include_str!("../../../app/reports/01-ket-qua-ra-soat.toml");

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = ReportCatalog::parse(&[("fuzz.toml".into(), text.clone())], CATALOG);
    let _ = ReportCatalog::parse(&[("01.toml".into(), DEFINITION.into())], &text);
});
