//! Any bytes given as an administrative units list or a village list: the readers answer
//! with rows or with located problems, never with a panic.

#![no_main]

use giamngheo_domain::UnitCode;
use giamngheo_sheets::units::{read_units, read_villages};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_units(data);
    let _ = read_villages(data, None);
    let commune = UnitCode::parse("18499").expect("a valid code");
    let _ = read_villages(data, Some(&commune));
});
