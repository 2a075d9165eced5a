//! A household's standing on a date, from its classification history: poor, near-poor,
//! recently escaped (and since when), or neither. The findings on benefits ask it for the
//! date of each benefit; how many years "recently" lasts is data, given by the caller.

use crate::Status;
use chrono::{Months, NaiveDate};

/// One classification in force from `effective` until the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusSpan {
    pub effective: NaiveDate,
    pub status: Status,
}

/// Where a household stood on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// No classification was in force yet.
    Unclassified,
    Poor,
    NearPoor,
    /// Off the lists since `left_on`, having been on them just before.
    Escaped {
        left_on: NaiveDate,
    },
    /// Off the lists and never on them before.
    NeverListed,
}

impl Standing {
    /// Whether an escaped household is still "recently escaped" on `date`: less than
    /// `years` years after it left the lists.
    pub fn recently_escaped_on(self, date: NaiveDate, years: u32) -> bool {
        match self {
            Standing::Escaped { left_on } => left_on
                .checked_add_months(Months::new(12 * years))
                .is_none_or(|end| date < end),
            _ => false,
        }
    }
}

/// The standing on `date`. `history` is the household's classifications in the order they
/// were made (a later one on the same date wins), corrections already applied.
pub fn standing_on(history: &[StatusSpan], date: NaiveDate) -> Standing {
    let mut spans: Vec<(usize, StatusSpan)> = history.iter().copied().enumerate().collect();
    spans.sort_by_key(|(i, s)| (s.effective, *i));
    let in_force: Vec<StatusSpan> = spans
        .into_iter()
        .map(|(_, s)| s)
        .filter(|s| s.effective <= date)
        .collect();
    let Some(last) = in_force.last() else {
        return Standing::Unclassified;
    };
    match last.status {
        Status::Poor => Standing::Poor,
        Status::NearPoor => Standing::NearPoor,
        Status::Medium | Status::NotPoor => {
            // The first span of the run of off-list spans that ends with the one in force.
            let off_run_start = in_force
                .iter()
                .rposition(|s| s.status.is_on_lists())
                .map(|on| on + 1);
            match off_run_start {
                Some(i) => Standing::Escaped {
                    left_on: in_force[i].effective,
                },
                None => Standing::NeverListed,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn poor_from_its_effective_date_not_the_day_before() {
        let h = [StatusSpan {
            effective: d(2026, 3, 15),
            status: Status::Poor,
        }];
        assert_eq!(standing_on(&h, d(2026, 3, 15)), Standing::Poor);
        assert_eq!(standing_on(&h, d(2026, 3, 14)), Standing::Unclassified);
    }

    #[test]
    fn recently_escaped_ends_after_the_years_given() {
        let h = [
            StatusSpan {
                effective: d(2022, 1, 1),
                status: Status::Poor,
            },
            StatusSpan {
                effective: d(2023, 1, 1),
                status: Status::NotPoor,
            },
            StatusSpan {
                effective: d(2024, 1, 1),
                status: Status::Medium,
            },
        ];
        let s = standing_on(&h, d(2025, 6, 1));
        assert_eq!(
            s,
            Standing::Escaped {
                left_on: d(2023, 1, 1)
            }
        );
        assert!(s.recently_escaped_on(d(2025, 12, 31), 3));
        let later = standing_on(&h, d(2026, 1, 1));
        assert!(!later.recently_escaped_on(d(2026, 1, 1), 3));
        let never = [StatusSpan {
            effective: d(2022, 1, 1),
            status: Status::NotPoor,
        }];
        assert_eq!(standing_on(&never, d(2023, 1, 1)), Standing::NeverListed);
    }

    fn status() -> impl Strategy<Value = Status> {
        prop::sample::select(Status::ALL.to_vec())
    }

    proptest! {
        /// The standing on a date depends only on the classifications in force by then:
        /// adding one that starts later changes nothing.
        #[test]
        fn later_classifications_do_not_change_the_past(
            spans in prop::collection::vec((0u32..3000, status()), 0..8),
            day in 0u32..3000,
            extra in status(),
        ) {
            let base = d(2020, 1, 1);
            let history: Vec<StatusSpan> = spans
                .iter()
                .map(|(o, s)| StatusSpan { effective: base + chrono::Days::new(u64::from(*o)), status: *s })
                .collect();
            let date = base + chrono::Days::new(u64::from(day));
            let before = standing_on(&history, date);
            let mut more = history.clone();
            more.push(StatusSpan { effective: date + chrono::Days::new(1), status: extra });
            prop_assert_eq!(standing_on(&more, date), before);
        }

        /// A household poor or near-poor on a date is never "escaped" that day, and an
        /// escaped one left on or before the date.
        #[test]
        fn escape_dates_are_in_the_past(
            spans in prop::collection::vec((0u32..3000, status()), 1..8),
            day in 0u32..3000,
        ) {
            let base = d(2020, 1, 1);
            let history: Vec<StatusSpan> = spans
                .iter()
                .map(|(o, s)| StatusSpan { effective: base + chrono::Days::new(u64::from(*o)), status: *s })
                .collect();
            let date = base + chrono::Days::new(u64::from(day));
            if let Standing::Escaped { left_on } = standing_on(&history, date) {
                prop_assert!(left_on <= date);
            }
        }
    }
}
