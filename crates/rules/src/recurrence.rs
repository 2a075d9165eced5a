//! When a task of a plan falls due (thời hạn nhiệm vụ): once, or again and again — monthly
//! by a day of the month, quarterly by a day of a month of each quarter, yearly by a date.
//!
//! The recurrence is **data on the task**, never a rule in code: the plan, or the office
//! that assigns the task, says "báo cáo trước ngày 5 hằng tháng" and the task keeps
//! `monthly`, day 5. A due day that is not a working day (a weekend, a holiday, the Tết
//! break of the [`Calendar`]) moves to the next working day, as a period whose last day is
//! a day off ends on the next working day (Bộ luật Dân sự 2015, Điều 148 khoản 5). A day
//! past the end of a short month (the 31st in April, the 30th in February) is that
//! month's last day, so that a task due "on the 31st" still falls due every month.

use crate::calendar::Calendar;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How often a task falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "recurrence", rename_all = "snake_case")]
pub enum Recurrence {
    /// Once, on a date.
    Once { on: NaiveDate },
    /// Every month, on day `day` (1–31).
    Monthly { day: u32 },
    /// Every quarter, on day `day` of the quarter's `month`-th month (1–3): month 3,
    /// day 15 is 15/03, 15/06, 15/09 and 15/12.
    Quarterly { month: u32, day: u32 },
    /// Every year, on `day`/`month`.
    Yearly { month: u32, day: u32 },
}

/// A recurrence that names a day or month that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RecurrenceError {
    /// `day` or `month`.
    pub field: &'static str,
    /// Vietnamese, for the user.
    pub reason: String,
}

impl Recurrence {
    /// The code the API and the database use: `once`, `monthly`, `quarterly`, `yearly`.
    pub fn code(&self) -> &'static str {
        match self {
            Recurrence::Once { .. } => "once",
            Recurrence::Monthly { .. } => "monthly",
            Recurrence::Quarterly { .. } => "quarterly",
            Recurrence::Yearly { .. } => "yearly",
        }
    }

    /// Builds a recurrence from its stored columns: the code, the date of a one-off task,
    /// and the month and day of a recurring one.
    pub fn from_parts(
        code: &str,
        on: Option<NaiveDate>,
        month: Option<u32>,
        day: Option<u32>,
    ) -> Result<Recurrence, RecurrenceError> {
        let need = |field: &'static str, v: Option<u32>| {
            v.ok_or_else(|| RecurrenceError {
                field,
                reason: "thiếu giá trị".into(),
            })
        };
        let r = match code {
            "once" => Recurrence::Once {
                on: on.ok_or_else(|| RecurrenceError {
                    field: "due_on",
                    reason: "thiếu ngày đến hạn".into(),
                })?,
            },
            "monthly" => Recurrence::Monthly {
                day: need("day", day)?,
            },
            "quarterly" => Recurrence::Quarterly {
                month: need("month", month)?,
                day: need("day", day)?,
            },
            "yearly" => Recurrence::Yearly {
                month: need("month", month)?,
                day: need("day", day)?,
            },
            other => {
                return Err(RecurrenceError {
                    field: "recurrence",
                    reason: format!(
                        "kiểu thời hạn không rõ «{other}» (once, monthly, quarterly, yearly)"
                    ),
                });
            }
        };
        r.check()?;
        Ok(r)
    }

    /// The stored columns: (date of a one-off task, month, day).
    pub fn parts(&self) -> (Option<NaiveDate>, Option<u32>, Option<u32>) {
        match *self {
            Recurrence::Once { on } => (Some(on), None, None),
            Recurrence::Monthly { day } => (None, None, Some(day)),
            Recurrence::Quarterly { month, day } | Recurrence::Yearly { month, day } => {
                (None, Some(month), Some(day))
            }
        }
    }

    /// Refuses a day outside 1–31, a month outside its range, and a yearly date that no
    /// year has (30/02).
    pub fn check(&self) -> Result<(), RecurrenceError> {
        let day_ok = |day: u32| {
            if (1..=31).contains(&day) {
                Ok(())
            } else {
                Err(RecurrenceError {
                    field: "day",
                    reason: format!("ngày {day} không có trong tháng (1–31)"),
                })
            }
        };
        match *self {
            Recurrence::Once { .. } => Ok(()),
            Recurrence::Monthly { day } => day_ok(day),
            Recurrence::Quarterly { month, day } => {
                if !(1..=3).contains(&month) {
                    return Err(RecurrenceError {
                        field: "month",
                        reason: format!("tháng thứ {month} của quý không có (1–3)"),
                    });
                }
                day_ok(day)
            }
            Recurrence::Yearly { month, day } => {
                if !(1..=12).contains(&month) {
                    return Err(RecurrenceError {
                        field: "month",
                        reason: format!("tháng {month} không có (1–12)"),
                    });
                }
                day_ok(day)?;
                // A leap year has every date a year can have.
                if NaiveDate::from_ymd_opt(2024, month, day).is_none() {
                    return Err(RecurrenceError {
                        field: "day",
                        reason: format!("ngày {day}/{month} không có"),
                    });
                }
                Ok(())
            }
        }
    }

    /// How the recurrence reads in Vietnamese, e.g. "Hằng tháng, trước ngày 5".
    pub fn describe_vi(&self) -> String {
        match *self {
            Recurrence::Once { on } => format!("Một lần, hạn {}", on.format("%d/%m/%Y")),
            Recurrence::Monthly { day } => format!("Hằng tháng, hạn ngày {day}"),
            Recurrence::Quarterly { month, day } => {
                format!("Hằng quý, hạn ngày {day} tháng thứ {month} của quý")
            }
            Recurrence::Yearly { month, day } => format!("Hằng năm, hạn ngày {day:02}/{month:02}"),
        }
    }

    /// How the recurrence reads in English.
    pub fn describe_en(&self) -> String {
        match *self {
            Recurrence::Once { on } => format!("Once, due {}", on.format("%d/%m/%Y")),
            Recurrence::Monthly { day } => format!("Monthly, due on day {day}"),
            Recurrence::Quarterly { month, day } => {
                format!("Quarterly, due on day {day} of the quarter's month {month}")
            }
            Recurrence::Yearly { month, day } => format!("Yearly, due {day:02}/{month:02}"),
        }
    }

    /// The dates the recurrence names in `[from, to]`, before any move to a working day,
    /// in order.
    pub fn nominal_dates(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        if from > to {
            return Vec::new();
        }
        let in_range = |d: &NaiveDate| *d >= from && *d <= to;
        match *self {
            Recurrence::Once { on } => [on].into_iter().filter(in_range).collect(),
            _ => {
                let mut out = Vec::new();
                let (mut year, mut month) = (from.year(), from.month());
                while (year, month) <= (to.year(), to.month()) {
                    if let Some(d) = self.in_month(year, month).filter(in_range) {
                        out.push(d);
                    }
                    (year, month) = if month == 12 {
                        (year + 1, 1)
                    } else {
                        (year, month + 1)
                    };
                }
                out
            }
        }
    }

    /// The recurring date falling in a month, if the month has one.
    fn in_month(&self, year: i32, month: u32) -> Option<NaiveDate> {
        let day = match *self {
            Recurrence::Once { .. } => return None,
            Recurrence::Monthly { day } => day,
            Recurrence::Quarterly { month: m, day } => {
                if (month - 1) % 3 + 1 != m {
                    return None;
                }
                day
            }
            Recurrence::Yearly { month: m, day } => {
                if month != m {
                    return None;
                }
                day
            }
        };
        Some(clamped(year, month, day))
    }

    /// The due dates in `[from, to]` (by their nominal date), each moved to the next
    /// working day of `calendar` when it is a day off. Strictly increasing.
    pub fn due_dates(&self, calendar: &Calendar, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let mut out: Vec<NaiveDate> = Vec::new();
        for nominal in self.nominal_dates(from, to) {
            let due = calendar.working_day_on_or_after(nominal);
            // Two nominal days never meet on one working day (they are a month apart and
            // no break lasts a month), but a duplicate would count one report twice.
            if out.last() != Some(&due) {
                out.push(due);
            }
        }
        out
    }
}

/// `day` of the month, or the month's last day when it is shorter.
fn clamped(year: i32, month: u32, day: u32) -> NaiveDate {
    let mut d = day.min(31);
    loop {
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, d) {
            return date;
        }
        d -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn monthly_by_the_tenth_skips_the_tet_break_of_2021() {
        let cal = Calendar::embedded();
        let r = Recurrence::Monthly { day: 10 };
        let due = r.due_dates(&cal, date(2021, 1, 1), date(2021, 3, 31));
        // 10/01/2021 is a Sunday; 10/02 opens Tết (10–16/02); 10/03 is a Wednesday.
        assert_eq!(
            due,
            vec![date(2021, 1, 11), date(2021, 2, 17), date(2021, 3, 10)]
        );
    }

    #[test]
    fn monthly_by_the_fifth_crosses_months_and_tet_2022() {
        let cal = Calendar::embedded();
        let r = Recurrence::Monthly { day: 5 };
        let due = r.due_dates(&cal, date(2021, 12, 1), date(2022, 3, 31));
        // 05/12/2021 Sunday → Monday 06/12; 05/01/2022 Wednesday; 05/02/2022 falls in the
        // Tết break (29/01–06/02) → Monday 07/02; 05/03/2022 Saturday → Monday 07/03.
        assert_eq!(
            due,
            vec![
                date(2021, 12, 6),
                date(2022, 1, 5),
                date(2022, 2, 7),
                date(2022, 3, 7)
            ]
        );
    }

    #[test]
    fn a_day_past_a_short_month_is_its_last_day() {
        let cal = Calendar::embedded();
        let r = Recurrence::Monthly { day: 31 };
        let nominal = r.nominal_dates(date(2021, 2, 1), date(2021, 4, 30));
        assert_eq!(
            nominal,
            vec![date(2021, 2, 28), date(2021, 3, 31), date(2021, 4, 30)]
        );
        // 28/02/2021 is a Sunday.
        assert_eq!(
            r.due_dates(&cal, date(2021, 2, 1), date(2021, 2, 28)),
            vec![date(2021, 3, 1)]
        );
    }

    #[test]
    fn quarterly_and_yearly_fall_in_their_months() {
        let cal = Calendar::embedded();
        let q = Recurrence::Quarterly { month: 3, day: 15 };
        assert_eq!(
            q.nominal_dates(date(2021, 1, 1), date(2021, 12, 31)),
            vec![
                date(2021, 3, 15),
                date(2021, 6, 15),
                date(2021, 9, 15),
                date(2021, 12, 15)
            ]
        );
        let y = Recurrence::Yearly { month: 12, day: 15 };
        assert_eq!(
            y.due_dates(&cal, date(2021, 1, 1), date(2022, 12, 31)),
            vec![date(2021, 12, 15), date(2022, 12, 15)]
        );
        // 01/01/2022 is the New Year holiday, a Saturday, with 03/01 off in lieu.
        let new_year = Recurrence::Yearly { month: 1, day: 1 };
        assert_eq!(
            new_year.due_dates(&cal, date(2022, 1, 1), date(2022, 1, 31)),
            vec![date(2022, 1, 4)]
        );
    }

    #[test]
    fn impossible_days_and_months_are_refused() {
        assert!(Recurrence::Monthly { day: 0 }.check().is_err());
        assert!(Recurrence::Monthly { day: 32 }.check().is_err());
        assert!(Recurrence::Quarterly { month: 4, day: 1 }.check().is_err());
        assert!(Recurrence::Yearly { month: 2, day: 30 }.check().is_err());
        assert!(Recurrence::Yearly { month: 2, day: 29 }.check().is_ok());
        assert!(Recurrence::from_parts("weekly", None, None, Some(1)).is_err());
        assert_eq!(
            Recurrence::from_parts("monthly", None, None, Some(5)).unwrap(),
            Recurrence::Monthly { day: 5 }
        );
    }

    fn recurrence() -> impl Strategy<Value = Recurrence> {
        prop_oneof![
            (1u32..=31).prop_map(|day| Recurrence::Monthly { day }),
            (1u32..=3, 1u32..=31).prop_map(|(month, day)| Recurrence::Quarterly { month, day }),
            (1u32..=12, 1u32..=28).prop_map(|(month, day)| Recurrence::Yearly { month, day }),
        ]
    }

    proptest! {
        #[test]
        fn due_dates_are_working_days_soon_after_their_nominal_day(
            r in recurrence(),
            start in 0i64..(365 * 9),
            len in 0i64..800,
        ) {
            let cal = Calendar::embedded();
            let from = date(2020, 1, 1) + chrono::Days::new(start as u64);
            let to = from + chrono::Days::new(len as u64);
            let nominal = r.nominal_dates(from, to);
            let due = r.due_dates(&cal, from, to);
            prop_assert_eq!(nominal.len(), due.len());
            for (n, d) in nominal.iter().zip(&due) {
                prop_assert!(cal.is_working_day(*d));
                prop_assert!(d >= n);
                // The longest run of days off (Tết plus a weekend) is well under a fortnight.
                prop_assert!((*d - *n).num_days() < 14);
                prop_assert!(*n >= from && *n <= to);
            }
            prop_assert!(due.windows(2).all(|w| w[0] < w[1]));
            if let Recurrence::Monthly { .. } = r {
                // One due date per month touched in full.
                let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
                prop_assert!(nominal.len() as i32 >= months - 1);
            }
        }
    }
}
