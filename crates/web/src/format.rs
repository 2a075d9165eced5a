//! Vietnamese number and date formats: `1.500.000`, `4,03`, `dd/mm/yyyy`.

use chrono::NaiveDate;

/// Thousands grouped with dots. It lives with the report writers in `giamngheo_sheets`
/// so that the pages and the PDF reports write numbers alike.
pub use giamngheo_sheets::reports::number;

pub fn date(d: &NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_day_first() {
        assert_eq!(
            date(&NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
            "01/03/2025"
        );
    }
}
