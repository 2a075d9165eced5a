//! Any bytes given as a households CSV file: the reader answers with households or with
//! problems, never with a panic, and the app's checks map back onto the file.

#![no_main]

use giamngheo_sheets::households::{draft_problems_to_cells, read_households_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(households) = read_households_csv(data) {
        let today = chrono_today();
        for h in &households {
            assert_eq!(h.member_lines.len(), h.draft.members.len());
            let problems = h.draft.clone().check(today);
            let _ = draft_problems_to_cells(h, &problems);
        }
    }
});

/// A fixed day keeps runs reproducible.
fn chrono_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("a valid date")
}
