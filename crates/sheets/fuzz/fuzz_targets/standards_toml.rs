//! Any text given as a poverty standard, a B1 point table or a holiday calendar (files a
//! province may supply): the parsers answer with the rules or an error naming the line,
//! never with a panic.

#![no_main]

use giamngheo_rules::{Calendar, PointTable, Standard};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(standard) = Standard::parse("fuzz.toml", &text) {
        let _ = standard.figures_to_confirm();
    }
    let _ = PointTable::parse("fuzz.toml", &text);
    let _ = Calendar::parse("fuzz.toml", &text);
});
