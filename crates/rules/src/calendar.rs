//! The Vietnamese working-day calendar that deadlines count (lịch ngày làm việc).
//!
//! Saturday and Sunday are off; so are the public holidays, Tết and the compensatory and
//! swapped days the government announces each year, which are **yearly data**
//! (`calendar/vn-holidays.toml`, embedded) rather than rules in code: the Tết break and the
//! swaps are decided year by year, and the lunar dates cannot be derived simply. A
//! weekend day that is worked in exchange for a swapped weekday ("làm bù") is a working day.
//!
//! # Counting conventions
//!
//! The Civil Code (Bộ luật Dân sự 2015) fixes how a period counted in days runs, and
//! administrative deadlines follow it:
//!
//! - **Điều 147**: the day of the event that starts a period is not counted; the period
//!   starts the next day. [`Calendar::add_working_days`]`(start, n)` therefore gives the
//!   n-th working day *after* `start`, and [`Calendar::due_date`] uses it for
//!   [`Term::WorkingDays`]. A posting put up on Friday 28/01/2022 for 3 working days runs
//!   to the end of the third working day after it, Wednesday 09/02/2022, because the Tết
//!   break (29/01–06/02/2022) falls in between. This reading gives people the longer
//!   period, which is the safe side for a complaint window;
//!   [`Calendar::nth_working_day_from`] gives the other reading (the start counts when it
//!   is a working day, Tuesday 08/02/2022 in the example) for a commune that counts the
//!   day of posting.
//! - **Điều 148 khoản 5**: when the last day of a period is a weekend day or a holiday, the
//!   period ends at the end of the next working day. [`Term::CalendarDays`] ("within 15
//!   days" of the regular review, Quyết định 24/2021/QĐ-TTg, which says days and not
//!   working days, unlike the 7 working days of the 2016 rules) is counted in calendar days
//!   and then moved to the next working day by [`Calendar::calendar_days_deadline`].
//!
//! [`Calendar::working_days_between`]`(a, b)` counts the working days in `(a, b]`, so that
//! it undoes `add_working_days`: `working_days_between(d, add_working_days(d, n)) == n`.
//!
//! # Dates outside the data
//!
//! For a year the calendar does not cover, only weekends are off: a deadline still comes
//! out, but it may land on a holiday nobody listed. [`Calendar::covers`] and
//! [`Calendar::covers_range`] tell the application when to warn, and an administrator adds
//! the year from a file ([`Calendar::parse`], [`Calendar::with_overrides`]) without a
//! rebuild.

use crate::review_window::{PeriodicWindow, RawWindow};
use crate::standard::{Origin, line_and_column};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;
use toml::Spanned;
use toml::value::Datetime;

/// The embedded calendar file, named in errors and in [`Origin::File`] of overrides.
const EMBEDDED_NAME: &str = "calendar/vn-holidays.toml";
const EMBEDDED_TEXT: &str = include_str!("../calendar/vn-holidays.toml");

/// A range entry longer than this is almost certainly a typing error (the longest break,
/// Tết, is nine or ten days).
const MAX_RANGE_DAYS: i64 = 31;

/// The years a calendar file may describe; anything else is a typing error.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

static EMBEDDED: LazyLock<Calendar> = LazyLock::new(|| {
    Calendar::parse_with_origin(EMBEDDED_NAME, EMBEDDED_TEXT, Origin::Embedded)
        .unwrap_or_else(|error| panic!("the embedded calendar is invalid: {error}"))
});

/// Why a listed day is special.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday or Tết day (ngày nghỉ lễ, Tết).
    Holiday,
    /// A day off because a holiday fell on a weekly rest day (nghỉ bù).
    Compensatory,
    /// A weekday off in exchange for a weekend day worked (nghỉ hoán đổi).
    Swapped,
    /// A weekend day that is worked in exchange for a swapped weekday (làm bù).
    MakeUp,
}

impl DayKind {
    /// Whether the day is off work.
    pub fn is_off(self) -> bool {
        !matches!(self, DayKind::MakeUp)
    }

    /// A short Vietnamese label for lists and tooltips.
    pub fn label_vi(self) -> &'static str {
        match self {
            DayKind::Holiday => "Ngày nghỉ lễ, Tết",
            DayKind::Compensatory => "Ngày nghỉ bù",
            DayKind::Swapped => "Ngày nghỉ hoán đổi",
            DayKind::MakeUp => "Ngày làm bù",
        }
    }
}

/// One listed day of a year: a day off on a weekday or a worked weekend day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The Vietnamese name shown to officials, e.g. "Tết Nguyên Đán".
    pub name_vi: String,
    pub note: Option<String>,
    /// Not checked against the official announcement.
    pub to_confirm: bool,
}

/// The listed days of one year, with where they come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarYear {
    year: i32,
    source: String,
    note: Option<String>,
    to_confirm: bool,
    origin: Origin,
    days: BTreeMap<NaiveDate, SpecialDay>,
}

impl CalendarYear {
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The legal instrument and announcement the year's days come from.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// Whether the year as a whole, or any of its days, is still to be confirmed.
    pub fn to_confirm(&self) -> bool {
        self.to_confirm || self.days.values().any(|day| day.to_confirm)
    }

    /// Built in, or read from an administrator's file.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The listed days in date order: weekdays off and weekend days worked.
    pub fn days(&self) -> impl Iterator<Item = &SpecialDay> {
        self.days.values()
    }
}

/// A term set in the settings: how long a posting, a complaint window or a review lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "unit", content = "count")]
pub enum Term {
    /// Counted in working days, the start day excluded (Bộ luật Dân sự 2015, Điều 147).
    WorkingDays(u32),
    /// Counted in calendar days, the start day excluded, ending on a working day
    /// (Bộ luật Dân sự 2015, Điều 147 and 148 khoản 5).
    CalendarDays(u32),
}

impl Term {
    /// The default length of the public posting and of the complaint window
    /// (review.md: "commonly 3 working days"); a setting, this is only its default.
    pub const POSTING_DEFAULT: Term = Term::WorkingDays(3);
    /// The regular review: the chair decides "within 15 days" from its start
    /// (Quyết định 24/2021/QĐ-TTg).
    pub const REGULAR_REVIEW: Term = Term::CalendarDays(15);

    /// How the term reads in Vietnamese, e.g. "3 ngày làm việc".
    pub fn describe_vi(self) -> String {
        match self {
            Term::WorkingDays(n) => format!("{n} ngày làm việc"),
            Term::CalendarDays(n) => format!("{n} ngày"),
        }
    }
}

/// Where a deadline stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum DeadlineStatus {
    /// More working days are left than the warning threshold.
    OnTime,
    /// The deadline is today or within the warning threshold; `working_days_left` counts
    /// the working days after today up to and including the due day (0 on the due day).
    DueSoon { working_days_left: u32 },
    /// The due day has passed; `days_late` counts calendar days after it, as a person
    /// reading a date would.
    Overdue { days_late: u32 },
}

impl DeadlineStatus {
    /// How the status reads in Vietnamese, for a badge or a reminder.
    pub fn describe_vi(self) -> String {
        match self {
            DeadlineStatus::OnTime => "Còn trong hạn".to_string(),
            DeadlineStatus::DueSoon {
                working_days_left: 0,
            } => "Hết hạn hôm nay".to_string(),
            DeadlineStatus::DueSoon { working_days_left } => {
                format!("Sắp đến hạn: còn {working_days_left} ngày làm việc")
            }
            DeadlineStatus::Overdue { days_late } => format!("Quá hạn {days_late} ngày"),
        }
    }
}

/// A calendar file that cannot be used, named by file, line and reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {reason}")]
pub struct CalendarError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub reason: String,
}

/// The working-day calendar: weekends plus the listed days of the covered years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Calendar {
    years: BTreeMap<i32, CalendarYear>,
    /// The periodic review's window when this file gives one; the embedded file always
    /// does, so [`Calendar::periodic_review`] falls back to it for an override without.
    periodic_review: Option<PeriodicWindow>,
}

impl Calendar {
    /// The built-in calendar of Vietnam's public holidays (2020–2030).
    pub fn embedded() -> Calendar {
        EMBEDDED.clone()
    }

    /// Reads and checks a calendar from TOML text of the shape of
    /// `calendar/vn-holidays.toml`. `file` names the source in errors and in
    /// [`CalendarYear::origin`]. Pure: the caller reads the file.
    pub fn parse(file: &str, text: &str) -> Result<Calendar, CalendarError> {
        Calendar::parse_with_origin(file, text, Origin::File(file.to_string()))
    }

    /// This calendar with the years of `overrides` added; a year present in both is taken
    /// whole from `overrides`, so that a corrected year never mixes old and new days.
    pub fn with_overrides(mut self, overrides: Calendar) -> Calendar {
        self.years.extend(overrides.years);
        if overrides.periodic_review.is_some() {
            self.periodic_review = overrides.periodic_review;
        }
        self
    }

    /// When the periodic review runs each year (1 September – 14 December under
    /// Decision 24/2021/QĐ-TTg), from the calendar file.
    pub fn periodic_review(&self) -> &PeriodicWindow {
        self.periodic_review
            .as_ref()
            .or(EMBEDDED.periodic_review.as_ref())
            .expect("the embedded calendar has a [periodic_review] table")
    }

    /// The years with listed days, in order (there may be gaps after an override).
    pub fn years_covered(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    pub fn year(&self, year: i32) -> Option<&CalendarYear> {
        self.years.get(&year)
    }

    /// Whether the holidays of `date`'s year are known. Outside, only weekends are off.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.years.contains_key(&date.year())
    }

    /// Whether every year from `from` to `to` (either order) is covered, i.e. whether a
    /// deadline counted across them can be trusted.
    pub fn covers_range(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.uncovered_years(from, to).is_empty()
    }

    /// The years from `from` to `to` (either order) without listed days, to name them in
    /// a warning ("chưa có lịch nghỉ lễ năm 2031").
    pub fn uncovered_years(&self, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
        let (low, high) = ordered(from, to);
        (low.year()..=high.year())
            .filter(|year| !self.years.contains_key(year))
            .collect()
    }

    /// The listed day at `date`, if any: why a weekday is off or a weekend day worked.
    pub fn special_day(&self, date: NaiveDate) -> Option<&SpecialDay> {
        self.years.get(&date.year())?.days.get(&date)
    }

    /// Whether `date` is a working day: Monday to Friday and not a listed day off, or a
    /// listed make-up day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.special_day(date) {
            Some(day) => !day.kind.is_off(),
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// `date` if it is a working day, otherwise the next working day.
    pub fn working_day_on_or_after(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        while !self.is_working_day(day) {
            day = next(day);
        }
        day
    }

    /// The `n`-th working day after `start`, `start` itself not counted (Bộ luật Dân sự
    /// 2015, Điều 147); `start` itself when `n` is 0. For `n ≥ 1` the result is a working
    /// day strictly after `start`, whatever kind of day `start` is.
    ///
    /// Panics only if the result is past chrono's last date (about the year 262 000).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        for _ in 0..n {
            day = next(day);
            while !self.is_working_day(day) {
                day = next(day);
            }
        }
        day
    }

    /// The `n`-th working day counting from `start` itself: `start` is the first when it
    /// is a working day, otherwise the first is the next working day. `start` when `n`
    /// is 0. A 3-day posting put up on a working day S ends on the 2nd working day after S.
    pub fn nth_working_day_from(&self, start: NaiveDate, n: u32) -> NaiveDate {
        match n {
            0 => start,
            _ => self.add_working_days(start.pred_opt().unwrap_or(start), n),
        }
    }

    /// The number of working days in `(a, b]`: after `a`, up to and including `b`.
    /// Negative when `b` is before `a` (minus the working days in `(b, a]`), 0 when equal.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        let (low, high) = ordered(a, b);
        let mut count = 0_i64;
        let mut day = low;
        while day < high {
            day = next(day);
            if self.is_working_day(day) {
                count += 1;
            }
        }
        if b < a { -count } else { count }
    }

    /// `start` plus `n` calendar days, as is: no moving off weekends or holidays.
    pub fn add_calendar_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        start
            .checked_add_days(Days::new(u64::from(n)))
            .expect("date past chrono's range")
    }

    /// The end of a period of `n` calendar days from `start` (start not counted), moved to
    /// the next working day when it falls on a weekend or a day off (Bộ luật Dân sự 2015,
    /// Điều 148 khoản 5). The regular review's "within 15 days" is `(start, 15)`.
    pub fn calendar_days_deadline(&self, start: NaiveDate, n: u32) -> NaiveDate {
        self.working_day_on_or_after(self.add_calendar_days(start, n))
    }

    /// The last day of `term` started on `start`, by the conventions of the module.
    pub fn due_date(&self, start: NaiveDate, term: Term) -> NaiveDate {
        match term {
            Term::WorkingDays(n) => self.add_working_days(start, n),
            Term::CalendarDays(n) => self.calendar_days_deadline(start, n),
        }
    }

    /// Where a deadline due on `due` stands on `today`: due soon once at most `warn_days`
    /// working days are left (so with 0, only on the due day), overdue from the day after.
    pub fn deadline_status(
        &self,
        today: NaiveDate,
        due: NaiveDate,
        warn_days: u32,
    ) -> DeadlineStatus {
        if today > due {
            let late = (today - due).num_days();
            return DeadlineStatus::Overdue {
                days_late: u32::try_from(late).unwrap_or(u32::MAX),
            };
        }
        let left = u32::try_from(self.working_days_between(today, due)).unwrap_or(u32::MAX);
        if left <= warn_days {
            DeadlineStatus::DueSoon {
                working_days_left: left,
            }
        } else {
            DeadlineStatus::OnTime
        }
    }

    /// Every listed day, in date order, that is not yet checked against the official
    /// announcement (its own mark or its year's).
    pub fn to_confirm(&self) -> Vec<&SpecialDay> {
        self.years
            .values()
            .flat_map(|year| {
                year.days
                    .values()
                    .filter(move |day| year.to_confirm || day.to_confirm)
            })
            .collect()
    }

    fn parse_with_origin(
        file: &str,
        text: &str,
        origin: Origin,
    ) -> Result<Calendar, CalendarError> {
        let raw: RawCalendar = toml::from_str(text).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            invalid(file, text, span, error.message().trim_end().to_string())
        })?;
        let checker = Checker { file, text };
        let mut years = BTreeMap::new();
        let periodic_review = match raw.periodic_review {
            Some(window) => Some(
                window
                    .check()
                    .or_else(|(span, reason)| checker.fail(span, reason))?,
            ),
            None => None,
        };
        if raw.years.is_empty() && periodic_review.is_none() {
            return checker.fail(
                0..0,
                "tệp không có năm nào (the file has no [[years]])".to_string(),
            );
        }
        for raw_year in raw.years {
            let (year, span) = checker.year(raw_year, origin.clone())?;
            if years.contains_key(&year.year) {
                return checker.fail(span, format!("năm {} bị lặp (duplicate year)", year.year));
            }
            years.insert(year.year, year);
        }
        Ok(Calendar {
            years,
            periodic_review,
        })
    }
}

fn next(day: NaiveDate) -> NaiveDate {
    day.succ_opt().expect("date past chrono's range")
}

fn ordered(a: NaiveDate, b: NaiveDate) -> (NaiveDate, NaiveDate) {
    if a <= b { (a, b) } else { (b, a) }
}

fn invalid(file: &str, text: &str, span: Range<usize>, reason: String) -> CalendarError {
    let (line, column) = line_and_column(text, span.start);
    CalendarError {
        file: file.to_string(),
        line,
        column,
        reason,
    }
}

// ----- The file format, as read before it is checked. -----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    years: Vec<RawYear>,
    periodic_review: Option<RawWindow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: Spanned<i32>,
    source: Spanned<String>,
    note: Option<String>,
    #[serde(default)]
    to_confirm: bool,
    #[serde(default)]
    days_off: Vec<Spanned<RawEntry>>,
    #[serde(default)]
    working_days: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    date: Option<Spanned<Datetime>>,
    from: Option<Spanned<Datetime>>,
    to: Option<Spanned<Datetime>>,
    kind: Option<Spanned<DayKind>>,
    name_vi: Spanned<String>,
    note: Option<String>,
    #[serde(default)]
    to_confirm: bool,
}

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    fn fail<T>(&self, span: Range<usize>, reason: String) -> Result<T, CalendarError> {
        Err(invalid(self.file, self.text, span, reason))
    }

    fn year(
        &self,
        raw: RawYear,
        origin: Origin,
    ) -> Result<(CalendarYear, Range<usize>), CalendarError> {
        let year = *raw.year.get_ref();
        let year_span = raw.year.span();
        if !YEARS.contains(&year) {
            return self.fail(
                year_span,
                format!(
                    "năm {year} phải từ {} đến {} (year out of range)",
                    YEARS.start(),
                    YEARS.end()
                ),
            );
        }
        if raw.source.get_ref().trim().is_empty() {
            return self.fail(
                raw.source.span(),
                "cần ghi nguồn (văn bản, thông báo) của năm (source must not be empty)".to_string(),
            );
        }
        let mut days = BTreeMap::new();
        for (entry, off) in raw
            .days_off
            .into_iter()
            .map(|entry| (entry, true))
            .chain(raw.working_days.into_iter().map(|entry| (entry, false)))
        {
            for day in self.entry(year, entry, off)? {
                let (day, span) = day;
                if days.contains_key(&day.date) {
                    return self.fail(
                        span,
                        format!(
                            "ngày {} đã có trong một mục khác (date listed twice)",
                            day.date
                        ),
                    );
                }
                days.insert(day.date, day);
            }
        }
        let calendar_year = CalendarYear {
            year,
            source: raw.source.into_inner(),
            note: raw.note,
            to_confirm: raw.to_confirm,
            origin,
            days,
        };
        Ok((calendar_year, year_span))
    }

    /// The days of one entry of `days_off` (`off`) or `working_days`, each with the span
    /// to blame if it clashes with another entry.
    fn entry(
        &self,
        year: i32,
        raw: Spanned<RawEntry>,
        off: bool,
    ) -> Result<Vec<(SpecialDay, Range<usize>)>, CalendarError> {
        let span = raw.span();
        let raw = raw.into_inner();
        let (first, last) = match (&raw.date, &raw.from, &raw.to) {
            (Some(date), None, None) => {
                let date = self.date(date)?;
                (date, date)
            }
            (None, Some(from), Some(to)) => {
                let first = self.date(from)?;
                let last = self.date(to)?;
                if last < first {
                    return self.fail(
                        to.span(),
                        format!("khoảng ngày {first} – {last} ngược (range ends before it starts)"),
                    );
                }
                if (last - first).num_days() >= MAX_RANGE_DAYS {
                    return self.fail(
                        to.span(),
                        format!(
                            "khoảng ngày {first} – {last} dài quá {MAX_RANGE_DAYS} ngày (range too long)"
                        ),
                    );
                }
                (first, last)
            }
            _ => {
                return self.fail(
                    span,
                    "mỗi mục cần `date`, hoặc cả `from` và `to` (an entry needs date, or from and to)"
                        .to_string(),
                );
            }
        };
        for (bound, date) in [(&raw.date, first), (&raw.from, first), (&raw.to, last)] {
            if let Some(bound) = bound
                && date.year() != year
            {
                return self.fail(
                    bound.span(),
                    format!("ngày {date} không thuộc năm {year} (date outside its year)"),
                );
            }
        }
        if raw.name_vi.get_ref().trim().is_empty() {
            return self.fail(
                raw.name_vi.span(),
                "cần tên ngày (name_vi must not be empty)".to_string(),
            );
        }
        let kind = match (&raw.kind, off) {
            (None, true) => DayKind::Holiday,
            (None, false) => DayKind::MakeUp,
            (Some(kind), true) if kind.get_ref().is_off() => *kind.get_ref(),
            (Some(kind), false) if *kind.get_ref() == DayKind::MakeUp => DayKind::MakeUp,
            (Some(kind), _) => {
                return self.fail(
                    kind.span(),
                    if off {
                        "ngày nghỉ không thể có kind = \"make_up\" (days_off cannot be make_up)"
                            .to_string()
                    } else {
                        "ngày làm bù chỉ có kind = \"make_up\" (working_days are make_up)"
                            .to_string()
                    },
                );
            }
        };
        let mut days = Vec::new();
        let mut date = first;
        loop {
            if !off && !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                return self.fail(
                    span,
                    format!(
                        "ngày làm bù {date} phải là thứ Bảy hoặc Chủ nhật (a make-up day must be a weekend day)"
                    ),
                );
            }
            days.push((
                SpecialDay {
                    date,
                    kind,
                    name_vi: raw.name_vi.get_ref().clone(),
                    note: raw.note.clone(),
                    to_confirm: raw.to_confirm,
                },
                span.clone(),
            ));
            if date == last {
                break;
            }
            date = next(date);
        }
        Ok(days)
    }

    fn date(&self, value: &Spanned<Datetime>) -> Result<NaiveDate, CalendarError> {
        let datetime = value.get_ref();
        let date = match (datetime.date, datetime.time, datetime.offset) {
            (Some(date), None, None) => NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            ),
            _ => None,
        };
        match date {
            Some(date) => Ok(date),
            None => self.fail(
                value.span(),
                format!("«{datetime}» phải là một ngày như 2024-02-10 (a plain date is needed)"),
            ),
        }
    }
}
