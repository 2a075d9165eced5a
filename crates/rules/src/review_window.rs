//! The window of the periodic review (rà soát định kỳ) as data of the calendar file.
//!
//! Decision 24/2021/QĐ-TTg runs the periodic review once a year from 1 September to
//! 14 December, and the lists it produces are those of the **next** year: the review held
//! in the autumn of 2026 classifies households for 2027. The dates are read from the
//! `[periodic_review]` table of `calendar/vn-holidays.toml` rather than written in code,
//! because the ministry is expected to issue new review rules for 2027–2030 and an
//! administrator must be able to follow them with a calendar file, without a rebuild.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A day of the year, written `dd/mm` in the calendar file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DayOfYear {
    pub month: u32,
    pub day: u32,
}

impl DayOfYear {
    /// Reads `dd/mm`, refusing a day that no year has (31/04) and 29/02, which most
    /// years lack, so that every year has the window.
    pub fn parse(text: &str) -> Option<DayOfYear> {
        let (day, month) = text.trim().split_once('/')?;
        let (day, month): (u32, u32) = (day.parse().ok()?, month.parse().ok()?);
        // 2025 is not a leap year: a day valid in it is valid in every year.
        NaiveDate::from_ymd_opt(2025, month, day)?;
        Some(DayOfYear { month, day })
    }

    /// This day in `year`.
    pub fn in_year(self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
            .expect("a day checked by DayOfYear::parse exists in every year")
    }
}

/// When the periodic review runs each year, with the instrument that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodicWindow {
    pub opens: DayOfYear,
    pub closes: DayOfYear,
    pub source: String,
    pub to_confirm: bool,
}

impl PeriodicWindow {
    /// The first day of the review held in `year`.
    pub fn opens_in(&self, year: i32) -> NaiveDate {
        self.opens.in_year(year)
    }

    /// The last day of the review held in `year`, which is the deadline of the review
    /// that classifies for `year + 1`.
    pub fn closes_in(&self, year: i32) -> NaiveDate {
        self.closes.in_year(year)
    }

    /// Whether `date` falls inside the window of its year.
    pub fn contains(&self, date: NaiveDate) -> bool {
        let year = date.year();
        (self.opens_in(year)..=self.closes_in(year)).contains(&date)
    }

    /// The period a periodic review opened on `date` classifies for: from the window's
    /// first day on, the next year's lists are being prepared; before it, a review opened
    /// late still belongs to the current year.
    pub fn period_for(&self, date: NaiveDate) -> i32 {
        if date >= self.opens_in(date.year()) {
            date.year() + 1
        } else {
            date.year()
        }
    }
}

/// The `[periodic_review]` table as written in the file, checked by the calendar parser.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWindow {
    pub opens: toml::Spanned<String>,
    pub closes: toml::Spanned<String>,
    pub source: toml::Spanned<String>,
    #[serde(default)]
    pub to_confirm: bool,
}

impl RawWindow {
    /// The checked window, or the span to blame and the reason.
    pub(crate) fn check(self) -> Result<PeriodicWindow, (std::ops::Range<usize>, String)> {
        let day = |field: &toml::Spanned<String>| {
            DayOfYear::parse(field.get_ref()).ok_or_else(|| {
                (
                    field.span(),
                    format!(
                        "«{}» không phải ngày dạng dd/mm (expected a day as dd/mm)",
                        field.get_ref()
                    ),
                )
            })
        };
        let opens = day(&self.opens)?;
        let closes = day(&self.closes)?;
        if closes < opens {
            return Err((
                self.closes.span(),
                "ngày kết thúc rà soát trước ngày bắt đầu (closes before it opens)".to_string(),
            ));
        }
        if self.source.get_ref().trim().is_empty() {
            return Err((
                self.source.span(),
                "cần ghi nguồn (văn bản) của thời gian rà soát (source must not be empty)"
                    .to_string(),
            ));
        }
        Ok(PeriodicWindow {
            opens,
            closes,
            source: self.source.into_inner(),
            to_confirm: self.to_confirm,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window() -> PeriodicWindow {
        PeriodicWindow {
            opens: DayOfYear::parse("01/09").unwrap(),
            closes: DayOfYear::parse("14/12").unwrap(),
            source: "Quyết định 24/2021/QĐ-TTg".into(),
            to_confirm: false,
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_review_opened_from_september_is_for_next_year() {
        let w = window();
        assert_eq!(w.period_for(date(2026, 8, 31)), 2026);
        assert_eq!(w.period_for(date(2026, 9, 1)), 2027);
        assert_eq!(w.period_for(date(2026, 11, 20)), 2027);
        assert_eq!(w.period_for(date(2026, 12, 14)), 2027);
        assert!(w.contains(date(2026, 12, 14)));
        assert!(!w.contains(date(2026, 12, 15)));
        assert_eq!(w.closes_in(2026), date(2026, 12, 14));
    }

    #[test]
    fn days_that_not_every_year_has_are_refused() {
        assert!(DayOfYear::parse("29/02").is_none());
        assert!(DayOfYear::parse("31/04").is_none());
        assert!(DayOfYear::parse("9/1").is_some());
        assert!(DayOfYear::parse("01-09").is_none());
    }
}
