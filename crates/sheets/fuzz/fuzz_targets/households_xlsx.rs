//! Any bytes given as a households workbook: the reader answers with households or with
//! problems, never with a panic or a runaway allocation. Seed the corpus with the
//! template (see README.md) so that the fuzzer starts from a valid zip archive.

#![no_main]

use giamngheo_sheets::households::read_households_xlsx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(households) = read_households_xlsx(data) {
        for h in &households {
            assert_eq!(h.member_lines.len(), h.draft.members.len());
        }
    }
});
