//! The working-day calendar: weekends, the yearly holidays, the counting conventions,
//! deadline status, calendar files and the laws that tie the operations together.

use chrono::{Datelike, NaiveDate, Weekday};
use giamngheo_rules::{Calendar, DayKind, DeadlineStatus, Origin, Term};
use proptest::prelude::*;

fn d(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
}

fn cal() -> Calendar {
    Calendar::embedded()
}

#[test]
fn weekends_are_off_and_weekdays_work_in_an_ordinary_week() {
    let calendar = cal();
    // 4–10 March 2024 has no holiday.
    for day in 4..=8 {
        assert!(calendar.is_working_day(d(2024, 3, day)), "2024-03-{day}");
    }
    assert!(!calendar.is_working_day(d(2024, 3, 9)));
    assert!(!calendar.is_working_day(d(2024, 3, 10)));
    assert_eq!(calendar.special_day(d(2024, 3, 9)), None);
}

#[test]
fn every_listed_holiday_is_off() {
    let calendar = cal();
    // The holidays of the law, from the announcements (2020–2026) and
    // the law (2027–2030). Lunar new year and Giỗ Tổ are the computed lunar dates.
    let holidays: &[(&str, &str)] = &[
        (
            "Tết Dương lịch",
            "2020-01-01 2021-01-01 2022-01-01 2022-01-03 2023-01-02 2024-01-01 \
             2025-01-01 2026-01-01 2027-01-01 2028-01-03 2029-01-01 2030-01-01",
        ),
        (
            "mùng 1 Tết",
            "2020-01-25 2021-02-12 2022-02-01 2023-01-22 2024-02-10 2025-01-29 \
             2026-02-17 2027-02-06 2028-01-26 2029-02-13 2030-02-02",
        ),
        (
            "Giỗ Tổ Hùng Vương",
            "2020-04-02 2021-04-21 2022-04-10 2022-04-11 2023-04-29 2024-04-18 \
             2025-04-07 2026-04-26 2026-04-27 2027-04-16 2028-04-04 2029-04-23 \
             2030-04-12",
        ),
        (
            "30/4 và 1/5",
            "2020-04-30 2020-05-01 2021-04-30 2021-05-03 2022-05-02 2022-05-03 \
             2023-05-01 2023-05-02 2023-05-03 2024-04-29 2024-04-30 2024-05-01 \
             2025-04-30 2025-05-01 2025-05-02 2026-04-30 2026-05-01 2027-04-30 \
             2027-05-03 2028-05-01 2028-05-02 2029-04-30 2029-05-01 2030-04-30 \
             2030-05-01",
        ),
        (
            "Quốc khánh",
            "2020-09-02 2021-09-02 2021-09-03 2022-09-01 2022-09-02 2023-09-01 \
             2023-09-04 2024-09-02 2024-09-03 2025-09-01 2025-09-02 2026-09-02 \
             2027-09-02 2027-09-03 2028-09-01 2028-09-04 2029-09-03 2029-09-04 \
             2030-09-02 2030-09-03",
        ),
    ];
    for (what, dates) in holidays {
        for date in dates.split_whitespace() {
            let date: NaiveDate = date.parse().expect("test date");
            assert!(
                !calendar.is_working_day(date),
                "{what} {date} should be off"
            );
            assert!(
                calendar
                    .special_day(date)
                    .is_some_and(|day| day.kind.is_off()),
                "{what} {date} should be listed"
            );
        }
    }
    // The official Tết breaks given in the announcements, every day of them.
    let breaks = [
        (d(2020, 1, 23), d(2020, 1, 29)),
        (d(2021, 2, 10), d(2021, 2, 16)),
        (d(2022, 1, 29), d(2022, 2, 6)),
        (d(2023, 1, 20), d(2023, 1, 26)),
        (d(2024, 2, 8), d(2024, 2, 14)),
        (d(2025, 1, 25), d(2025, 2, 2)),
        (d(2026, 2, 14), d(2026, 2, 22)),
    ];
    for (first, last) in breaks {
        let mut day = first;
        while day <= last {
            assert!(!calendar.is_working_day(day), "Tết {day} should be off");
            day = day.succ_opt().unwrap();
        }
        assert!(
            calendar.is_working_day(first.pred_opt().unwrap()) || first.weekday() == Weekday::Sun
        );
        assert!(
            calendar.is_working_day(last.succ_opt().unwrap()),
            "{last} + 1"
        );
    }
}

#[test]
fn every_year_has_the_eleven_holidays_of_the_law_on_weekdays() {
    // Off weekdays minus worked weekend days is what the law gives: 10 days under the
    // 2012 code, 11 under the 2019 code (National Day became two days). A typing error in
    // the data almost always breaks this count.
    let calendar = cal();
    assert_eq!(
        calendar.years_covered().collect::<Vec<_>>(),
        (2020..=2030).collect::<Vec<_>>()
    );
    for year in calendar.years_covered() {
        let days = calendar.year(year).unwrap().days();
        let balance: i32 = days
            .map(|day| match (day.kind, day.date.weekday()) {
                (DayKind::MakeUp, _) => -1,
                (_, Weekday::Sat | Weekday::Sun) => 0,
                _ => 1,
            })
            .sum();
        assert_eq!(balance, if year == 2020 { 10 } else { 11 }, "year {year}");
    }
}

#[test]
fn make_up_saturdays_are_working_days() {
    let calendar = cal();
    for date in [d(2024, 5, 4), d(2025, 4, 26)] {
        assert!(calendar.is_working_day(date), "{date}");
        assert_eq!(calendar.special_day(date).unwrap().kind, DayKind::MakeUp);
    }
}

#[test]
fn a_posting_from_the_friday_before_tet_2022_ends_after_tet() {
    let calendar = cal();
    let friday = d(2022, 1, 28);
    // Start not counted (Civil Code art. 147): Mon 7/2, Tue 8/2, Wed 9/2.
    assert_eq!(calendar.add_working_days(friday, 3), d(2022, 2, 9));
    assert_eq!(
        calendar.due_date(friday, Term::POSTING_DEFAULT),
        d(2022, 2, 9)
    );
    // Start counted: Fri 28/1, Mon 7/2, Tue 8/2.
    assert_eq!(calendar.nth_working_day_from(friday, 3), d(2022, 2, 8));
    assert_eq!(calendar.nth_working_day_from(friday, 1), friday);
}

#[test]
fn a_posting_that_starts_on_a_holiday() {
    let calendar = cal();
    // 30/4/2024 (Tuesday, holiday); 1/5 off; Thu 2/5, Fri 3/5, then the make-up Saturday.
    let start = d(2024, 4, 30);
    assert_eq!(calendar.add_working_days(start, 3), d(2024, 5, 4));
    // When the start is a day off, both readings agree: it is never counted.
    assert_eq!(calendar.nth_working_day_from(start, 3), d(2024, 5, 4));
    // A posting put up on the first day of Tết 2023 (a Monday off).
    assert_eq!(calendar.add_working_days(d(2023, 1, 23), 1), d(2023, 1, 27));
    assert_eq!(calendar.add_working_days(start, 0), start);
    assert_eq!(calendar.nth_working_day_from(start, 0), start);
}

#[test]
fn working_days_between_across_tet_2024() {
    let calendar = cal();
    // February 2024 after the 1st has 20 weekdays, 5 of them in the Tết break.
    assert_eq!(
        calendar.working_days_between(d(2024, 2, 1), d(2024, 2, 29)),
        15
    );
    assert_eq!(
        calendar.working_days_between(d(2024, 2, 29), d(2024, 2, 1)),
        -15
    );
    assert_eq!(
        calendar.working_days_between(d(2024, 2, 7), d(2024, 2, 15)),
        1
    );
    assert_eq!(
        calendar.working_days_between(d(2024, 2, 9), d(2024, 2, 9)),
        0
    );
}

#[test]
fn reunification_and_labour_day_next_to_a_weekend() {
    let calendar = cal();
    // 2022: 30/4 and 1/5 are Saturday and Sunday, compensated on Monday and Tuesday.
    assert_eq!(calendar.add_working_days(d(2022, 4, 29), 1), d(2022, 5, 4));
    assert_eq!(
        calendar.special_day(d(2022, 5, 2)).unwrap().kind,
        DayKind::Compensatory
    );
    // 2021: 30/4 Friday, 1/5 Saturday compensated on Monday 3/5.
    assert_eq!(calendar.add_working_days(d(2021, 4, 29), 1), d(2021, 5, 4));
    // 2025: 30/4–4/5 with Friday 2/5 swapped for Saturday 26/4.
    assert_eq!(calendar.add_working_days(d(2025, 4, 25), 1), d(2025, 4, 26));
    assert_eq!(calendar.add_working_days(d(2025, 4, 29), 1), d(2025, 5, 5));
    assert_eq!(
        calendar.special_day(d(2025, 5, 2)).unwrap().kind,
        DayKind::Swapped
    );
}

#[test]
fn the_regular_review_deadline_counts_calendar_days_and_ends_on_a_working_day() {
    let calendar = cal();
    // 15 days after Monday 29/1/2024 is Tuesday 13/2, in the Tết break: the deadline
    // moves to the next working day, Thursday 15/2 (Civil Code art. 148(5)).
    let start = d(2024, 1, 29);
    assert_eq!(calendar.add_calendar_days(start, 15), d(2024, 2, 13));
    assert_eq!(
        calendar.due_date(start, Term::REGULAR_REVIEW),
        d(2024, 2, 15)
    );
    // On an ordinary working day it stays put.
    assert_eq!(
        calendar.calendar_days_deadline(d(2024, 3, 4), 15),
        d(2024, 3, 19)
    );
}

#[test]
fn deadline_status_goes_from_on_time_to_due_soon_to_overdue() {
    let calendar = cal();
    let due = d(2024, 2, 15);
    let soon = |left| DeadlineStatus::DueSoon {
        working_days_left: left,
    };
    // Warning 2 working days ahead; through Tết nothing changes: no working day passes.
    let expected = [
        (d(2024, 1, 29), DeadlineStatus::OnTime),
        (d(2024, 2, 5), DeadlineStatus::OnTime),
        (d(2024, 2, 6), soon(2)),
        (d(2024, 2, 7), soon(1)),
        (d(2024, 2, 12), soon(1)),
        (d(2024, 2, 15), soon(0)),
        (d(2024, 2, 16), DeadlineStatus::Overdue { days_late: 1 }),
        (d(2024, 2, 19), DeadlineStatus::Overdue { days_late: 4 }),
    ];
    for (today, status) in expected {
        assert_eq!(calendar.deadline_status(today, due, 2), status, "{today}");
    }
    // Warning of zero: only the due day itself is "due soon"; the last Tết day before it
    // still has one working day (the due day) ahead.
    assert_eq!(calendar.deadline_status(d(2024, 2, 15), due, 0), soon(0));
    assert_eq!(
        calendar.deadline_status(d(2024, 2, 14), due, 0),
        DeadlineStatus::OnTime
    );
    assert_eq!(soon(2).describe_vi(), "Sắp đến hạn: còn 2 ngày làm việc");
    assert_eq!(
        DeadlineStatus::Overdue { days_late: 4 }.describe_vi(),
        "Quá hạn 4 ngày"
    );
}

#[test]
fn outside_the_covered_years_only_weekends_are_off() {
    let calendar = cal();
    let new_year_2031 = d(2031, 1, 1); // a Wednesday
    assert!(!calendar.covers(new_year_2031));
    assert!(calendar.is_working_day(new_year_2031));
    assert!(calendar.covers(d(2030, 12, 31)));
    assert!(calendar.covers_range(d(2020, 1, 1), d(2030, 12, 31)));
    assert!(!calendar.covers_range(d(2030, 12, 1), d(2031, 1, 10)));
    assert_eq!(
        calendar.uncovered_years(d(2032, 1, 1), d(2019, 1, 1)),
        vec![2019, 2031, 2032]
    );
}

#[test]
fn an_administrator_adds_and_replaces_years_from_a_file() {
    let text = r#"
[[years]]
year = 2031
source = "Thông báo lịch nghỉ năm 2031"
days_off = [
  { date = 2031-01-01, name_vi = "Tết Dương lịch" },
  { from = 2031-01-22, to = 2031-01-28, name_vi = "Tết Nguyên Đán" },
]

[[years]]
year = 2026
source = "Thông báo sửa năm 2026"
days_off = [{ date = 2026-01-02, kind = "swapped", name_vi = "Nghỉ hoán đổi" }]
working_days = [{ date = 2026-01-10, name_vi = "Làm bù cho thứ Sáu 2/1" }]
"#;
    let overrides = Calendar::parse("local/2031.toml", text).unwrap();
    let calendar = cal().with_overrides(overrides);
    assert!(calendar.covers(d(2031, 1, 1)));
    assert!(!calendar.is_working_day(d(2031, 1, 1)));
    assert!(!calendar.is_working_day(d(2031, 1, 27)));
    let year = calendar.year(2031).unwrap();
    assert_eq!(year.origin(), &Origin::File("local/2031.toml".to_string()));
    assert_eq!(calendar.year(2025).unwrap().origin(), &Origin::Embedded);
    // The replaced year is taken whole: Tết 2026 is gone with the old data.
    assert!(!calendar.is_working_day(d(2026, 1, 2)));
    assert!(calendar.is_working_day(d(2026, 1, 10)));
    assert!(calendar.is_working_day(d(2026, 2, 17)));
}

#[test]
fn the_embedded_data_says_what_is_to_confirm() {
    let calendar = cal();
    let pending: Vec<NaiveDate> = calendar.to_confirm().iter().map(|day| day.date).collect();
    assert!(pending.contains(&d(2020, 4, 2)));
    assert!(pending.contains(&d(2026, 9, 1)));
    assert!(pending.contains(&d(2030, 2, 2)));
    assert!(!pending.contains(&d(2024, 2, 10)));
    assert!(!pending.contains(&d(2026, 2, 17)));
    assert!(calendar.year(2027).unwrap().to_confirm());
    assert!(!calendar.year(2024).unwrap().to_confirm());
    for year in calendar.years_covered() {
        assert!(!calendar.year(year).unwrap().source().is_empty());
    }
}

#[test]
fn a_malformed_calendar_file_is_refused_with_line_and_reason() {
    // Each case: the lines after a valid year header (lines 1–3), the line the error must
    // name and a piece of its reason.
    let cases: &[(&str, usize, &str)] = &[
        (
            "days_off = [\n { date = 2031-01-01, name_vi = \"Tết\" },\n]\nworking_days = [\n { date = 2031-01-06, name_vi = \"Làm bù\" },\n]\n",
            8,
            "thứ Bảy hoặc Chủ nhật",
        ),
        (
            "days_off = [{ date = 2030-12-31, name_vi = \"x\" }]\n",
            4,
            "không thuộc năm 2031",
        ),
        (
            "days_off = [\n { from = 2031-02-05, to = 2031-02-01, name_vi = \"x\" },\n]\n",
            5,
            "ngược",
        ),
        (
            "days_off = [\n { date = 2031-01-01, name_vi = \"a\" },\n { from = 2030-12-31, to = 2031-01-02, name_vi = \"b\" },\n]\n",
            6,
            "không thuộc năm",
        ),
        (
            "days_off = [\n { date = 2031-01-01, name_vi = \"a\" },\n { from = 2031-01-01, to = 2031-01-02, name_vi = \"b\" },\n]\n",
            6,
            "date listed twice",
        ),
        (
            "days_off = [{ date = 2031-01-01T08:00:00, name_vi = \"x\" }]\n",
            4,
            "plain date",
        ),
        ("days_off = [{ name_vi = \"x\" }]\n", 4, "cả `from` và `to`"),
        (
            "days_off = [{ date = 2031-01-01, kind = \"make_up\", name_vi = \"x\" }]\n",
            4,
            "make_up",
        ),
        (
            "days_off = [{ date = 2031-01-01, nam_vi = \"x\" }]\n",
            4,
            "nam_vi",
        ),
        ("\n[[years]]\nyear = 2031\nsource = \"y\"\n", 6, "bị lặp"),
        ("days_off = [\n", 4, "unclosed array"),
    ];
    for (tail, want_line, want_reason) in cases {
        let text = format!("[[years]]\nyear = 2031\nsource = \"x\"\n{tail}");
        let error = Calendar::parse("bad.toml", &text).expect_err(tail);
        assert_eq!(error.file, "bad.toml");
        assert_eq!(error.line, *want_line, "{tail}: {error}");
        assert!(error.reason.contains(want_reason), "{tail}: {error}");
        assert!(
            error
                .to_string()
                .starts_with(&format!("bad.toml:{want_line}:"))
        );
    }
    let empty = Calendar::parse("empty.toml", "# trống\n").unwrap_err();
    assert!(empty.reason.contains("không có năm nào"), "{empty}");
}

proptest! {
    #[test]
    fn adding_working_days_lands_on_a_working_day_and_counts_back(
        offset in 0_i64..(13 * 366),
        n in 1_u32..80,
    ) {
        let calendar = cal();
        // From 2019 to 2031: the covered years and one uncovered year on each side.
        let start = d(2019, 1, 1) + chrono::Duration::days(offset);
        let end = calendar.add_working_days(start, n);
        prop_assert!(end > start);
        prop_assert!(calendar.is_working_day(end));
        prop_assert_eq!(calendar.working_days_between(start, end), i64::from(n));
        prop_assert_eq!(calendar.working_days_between(end, start), -i64::from(n));
        // Counting the start gives the same day or an earlier one, never later.
        let counted = calendar.nth_working_day_from(start, n);
        prop_assert!(counted <= end && counted >= start);
        prop_assert!(calendar.is_working_day(counted));
        // The calendar-day deadline is a working day no earlier than the plain date.
        let due = calendar.calendar_days_deadline(start, n);
        prop_assert!(calendar.is_working_day(due));
        prop_assert!(due >= calendar.add_calendar_days(start, n));
    }
}

#[test]
fn the_periodic_review_window_is_data_of_the_calendar() {
    let window = cal().periodic_review().clone();
    assert_eq!(window.opens_in(2026), d(2026, 9, 1));
    assert_eq!(window.closes_in(2026), d(2026, 12, 14));
    assert_eq!(window.period_for(d(2026, 11, 20)), 2027);
    assert!(window.source.contains("24/2021"));

    // A calendar file with only the window replaces it and keeps the holidays.
    let overrides = Calendar::parse(
        "window.toml",
        "[periodic_review]\nopens = \"15/08\"\ncloses = \"30/11\"\nsource = \"thử\"\n",
    )
    .unwrap();
    let calendar = cal().with_overrides(overrides);
    assert_eq!(calendar.periodic_review().opens_in(2026), d(2026, 8, 15));
    assert_eq!(calendar.periodic_review().period_for(d(2026, 8, 20)), 2027);
    assert!(calendar.covers(d(2026, 1, 1)));

    // A file without the table keeps the built-in window.
    let years_only =
        Calendar::parse("years.toml", "[[years]]\nyear = 2031\nsource = \"thử\"\n").unwrap();
    assert_eq!(
        cal()
            .with_overrides(years_only)
            .periodic_review()
            .closes_in(2031),
        d(2031, 12, 14)
    );

    let error = Calendar::parse(
        "bad.toml",
        "[periodic_review]\nopens = \"01/09\"\ncloses = \"31/02\"\nsource = \"thử\"\n",
    )
    .unwrap_err();
    assert_eq!(error.line, 3, "{error}");
}
