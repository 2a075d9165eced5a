//! Vietnamese number and date formats: `1.500.000`, `4,03`, `dd/mm/yyyy`.

use chrono::NaiveDate;

/// Groups thousands with dots, as Vietnamese documents write numbers.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

pub fn date(d: &NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_dots_for_thousands() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1_500_000), "1.500.000");
        assert_eq!(number(-27_000), "-27.000");
    }

    #[test]
    fn dates_are_day_first() {
        assert_eq!(
            date(&NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
            "01/03/2025"
        );
    }
}
