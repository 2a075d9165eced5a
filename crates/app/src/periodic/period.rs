//! The period a periodic report covers: a month (`2021-05`), a quarter (`2021-Q2`) or a
//! year (`2021`). Pure: parsing, its days and its Vietnamese name.

use crate::AppError;
use chrono::NaiveDate;
use std::fmt;

/// What a period spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Month(u32),
    Quarter(u32),
    Year,
}

/// A report's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    pub span: Span,
}

/// The earliest and latest years a report may cover: the programme's plans run from 2021,
/// and earlier lists are history the product holds without tasks or money.
const FIRST_YEAR: i32 = 2016;
const LAST_YEAR: i32 = 2100;

fn invalid(text: &str) -> AppError {
    AppError::invalid(
        "period",
        format!("kỳ báo cáo «{text}» không hợp lệ (dùng năm 2021, quý 2021-Q2 hoặc tháng 2021-05)"),
    )
}

impl Period {
    /// Reads `2021`, `2021-Q2` (or `2021-q2`) and `2021-05`.
    pub fn parse(text: &str) -> Result<Period, AppError> {
        let t = text.trim();
        let (year, rest) = match t.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (t, None),
        };
        let year: i32 = year
            .parse()
            .ok()
            .filter(|y| (FIRST_YEAR..=LAST_YEAR).contains(y))
            .ok_or_else(|| invalid(text))?;
        let span = match rest {
            None => Span::Year,
            Some(r) => {
                if let Some(q) = r.strip_prefix(['Q', 'q']) {
                    match q.parse::<u32>() {
                        Ok(q @ 1..=4) => Span::Quarter(q),
                        _ => return Err(invalid(text)),
                    }
                } else if r.len() == 2 {
                    match r.parse::<u32>() {
                        Ok(m @ 1..=12) => Span::Month(m),
                        _ => return Err(invalid(text)),
                    }
                } else {
                    return Err(invalid(text));
                }
            }
        };
        Ok(Period { year, span })
    }

    /// The first day of the period.
    pub fn start(&self) -> NaiveDate {
        let month = match self.span {
            Span::Month(m) => m,
            Span::Quarter(q) => 3 * q - 2,
            Span::Year => 1,
        };
        NaiveDate::from_ymd_opt(self.year, month, 1).expect("a checked month")
    }

    /// The last day of the period.
    pub fn end(&self) -> NaiveDate {
        let last_month = match self.span {
            Span::Month(m) => m,
            Span::Quarter(q) => 3 * q,
            Span::Year => 12,
        };
        let next = if last_month == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, last_month + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).expect("a checked month")
    }

    /// "tháng 5 năm 2021", "quý II năm 2021", "năm 2021".
    pub fn label_vi(&self) -> String {
        match self.span {
            Span::Month(m) => format!("tháng {m} năm {}", self.year),
            Span::Quarter(q) => {
                let roman = ["I", "II", "III", "IV"][(q - 1) as usize];
                format!("quý {roman} năm {}", self.year)
            }
            Span::Year => format!("năm {}", self.year),
        }
    }
}

impl fmt::Display for Period {
    /// The form `parse` reads, and the key the texts are stored under.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Span::Month(m) => write!(f, "{}-{m:02}", self.year),
            Span::Quarter(q) => write!(f, "{}-Q{q}", self.year),
            Span::Year => write!(f, "{}", self.year),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months_quarters_and_years_have_their_days_and_names() {
        let feb = Period::parse("2024-02").unwrap();
        assert_eq!((feb.start(), feb.end()), (d(2024, 2, 1), d(2024, 2, 29)));
        assert_eq!(feb.label_vi(), "tháng 2 năm 2024");
        assert_eq!(feb.to_string(), "2024-02");
        let q = Period::parse("2021-q4").unwrap();
        assert_eq!((q.start(), q.end()), (d(2021, 10, 1), d(2021, 12, 31)));
        assert_eq!(q.label_vi(), "quý IV năm 2021");
        assert_eq!(q.to_string(), "2021-Q4");
        let y = Period::parse(" 2021 ").unwrap();
        assert_eq!((y.start(), y.end()), (d(2021, 1, 1), d(2021, 12, 31)));
        assert_eq!(y.label_vi(), "năm 2021");
    }

    #[test]
    fn a_wrong_period_is_refused_naming_the_forms() {
        for bad in [
            "", "21", "2021-13", "2021-Q5", "2021-Q0", "2021-5", "abc", "1999",
        ] {
            let e = Period::parse(bad).unwrap_err().to_string();
            assert!(e.contains("2021-Q2"), "{bad}: {e}");
        }
    }
}
