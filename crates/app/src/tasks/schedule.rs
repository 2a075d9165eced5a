//! Where a task stands on a day: its next due date and whether it is overdue or due
//! soon. Pure: the caller gives the calendar, the reports already made and today.
//!
//! Each status update names the due date it reports for (`period_due`). A task's next due
//! date is its earliest due date that no update reports for; while it is before today the
//! task is overdue, so a monthly task that skipped May stays overdue for May even after
//! June's report. A task reported done has no next due date.

use chrono::NaiveDate;
use giamngheo_rules::{Calendar, DeadlineStatus, Recurrence};
use serde::Serialize;
use std::collections::BTreeSet;

/// Where a task's next due date stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    /// Nothing is due any more (done, or past its last due date with all reported).
    None,
    OnTime,
    DueSoon,
    Overdue,
}

impl DueState {
    pub fn code(self) -> &'static str {
        match self {
            DueState::None => "none",
            DueState::OnTime => "on_time",
            DueState::DueSoon => "due_soon",
            DueState::Overdue => "overdue",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            DueState::None => "Không còn hạn",
            DueState::OnTime => "Trong hạn",
            DueState::DueSoon => "Sắp đến hạn",
            DueState::Overdue => "Quá hạn",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DueState::None => "Nothing due",
            DueState::OnTime => "On time",
            DueState::DueSoon => "Due soon",
            DueState::Overdue => "Overdue",
        }
    }
}

/// The due dates of a task: a one-off task's date (moved to a working day), or each
/// recurring date between its first and last day.
pub fn due_dates(
    recurrence: &Recurrence,
    calendar: &Calendar,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> Vec<NaiveDate> {
    match recurrence {
        Recurrence::Once { on } => vec![calendar.working_day_on_or_after(*on)],
        _ => recurrence.due_dates(calendar, starts_on, ends_on),
    }
}

/// The earliest due date not reported for, unless the task is done.
pub fn next_due(
    dues: &[NaiveDate],
    reported: &BTreeSet<NaiveDate>,
    done: bool,
) -> Option<NaiveDate> {
    if done {
        return None;
    }
    dues.iter().find(|d| !reported.contains(d)).copied()
}

/// Where `due` stands on `today`: overdue from the day after, due soon when at most
/// `warn_working_days` working days are left.
pub fn due_state(
    calendar: &Calendar,
    due: Option<NaiveDate>,
    today: NaiveDate,
    warn_working_days: u32,
) -> DueState {
    match due {
        None => DueState::None,
        Some(due) => match calendar.deadline_status(today, due, warn_working_days) {
            DeadlineStatus::Overdue { .. } => DueState::Overdue,
            DeadlineStatus::DueSoon { .. } => DueState::DueSoon,
            DeadlineStatus::OnTime => DueState::OnTime,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_missed_month_stays_due_after_a_later_report() {
        let cal = Calendar::embedded();
        let r = Recurrence::Monthly { day: 5 };
        let dues = due_dates(&r, &cal, date(2021, 1, 1), date(2021, 12, 31));
        assert_eq!(dues.len(), 12);
        // January reported, February not, March reported.
        let reported: BTreeSet<_> = [dues[0], dues[2]].into_iter().collect();
        let next = next_due(&dues, &reported, false);
        assert_eq!(next, Some(date(2021, 2, 5)));
        assert_eq!(
            due_state(&cal, next, date(2021, 3, 20), 3),
            DueState::Overdue
        );
        assert_eq!(next_due(&dues, &reported, true), None);
        assert_eq!(due_state(&cal, None, date(2021, 3, 20), 3), DueState::None);
    }

    #[test]
    fn due_soon_counts_working_days() {
        let cal = Calendar::embedded();
        // Due Wednesday 17/02/2021, the first working day after Tết.
        let due = Some(date(2021, 2, 17));
        // On Tuesday 09/02 one working day (10–16/02 are Tết) is left before it.
        assert_eq!(due_state(&cal, due, date(2021, 2, 9), 1), DueState::DueSoon);
        assert_eq!(due_state(&cal, due, date(2021, 2, 3), 1), DueState::OnTime);
        assert_eq!(
            due_state(&cal, due, date(2021, 2, 17), 0),
            DueState::DueSoon
        );
        assert_eq!(
            due_state(&cal, due, date(2021, 2, 18), 5),
            DueState::Overdue
        );
    }
}
