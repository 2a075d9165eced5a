//! Eligibility for support policies over the classification in force on a date.

use chrono::{Months, NaiveDate};
use giamngheo_rules::{
    Eligible, HouseholdTraits, MemberTraits, PolicyCatalogue, Status, StatusChange, StatusHistory,
    eligible,
};
use proptest::prelude::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn date_strategy() -> impl Strategy<Value = NaiveDate> {
    (0i64..3650).prop_map(|n| day(2021, 1, 1) + chrono::Days::new(n as u64))
}

fn status_strategy() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

fn history(changes: &[(NaiveDate, Status)]) -> StatusHistory {
    StatusHistory::new(
        changes
            .iter()
            .map(|&(effective, status)| StatusChange { effective, status })
            .collect(),
    )
}

#[test]
fn a_status_change_mid_year_changes_eligibility_on_its_day() {
    let catalogue = PolicyCatalogue::embedded();
    let loan = catalogue.get("loan_poor").unwrap();
    let h = history(&[
        (day(2024, 1, 1), Status::NotPoor),
        (day(2024, 3, 15), Status::Poor),
        (day(2024, 9, 1), Status::NearPoor),
    ]);
    let t = HouseholdTraits::default();
    assert_eq!(eligible(loan, &h, t, None, day(2024, 3, 14)), Eligible::No);
    assert_eq!(
        eligible(loan, &h, t, None, day(2024, 3, 15)),
        Eligible::Status(Status::Poor)
    );
    assert_eq!(
        eligible(loan, &h, t, None, day(2024, 8, 31)),
        Eligible::Status(Status::Poor)
    );
    assert_eq!(eligible(loan, &h, t, None, day(2024, 9, 1)), Eligible::No);
    let near = catalogue.get("loan_near_poor").unwrap();
    assert!(eligible(near, &h, t, None, day(2024, 9, 1)).is_eligible());
}

#[test]
fn recently_escaped_ends_three_years_after_leaving_the_list() {
    let catalogue = PolicyCatalogue::embedded();
    let loan = catalogue.get("loan_recently_escaped").unwrap();
    let h = history(&[
        (day(2021, 1, 1), Status::Poor),
        (day(2022, 6, 10), Status::NotPoor),
    ]);
    let t = HouseholdTraits::default();
    // Still poor: the poor-household loan, not this one.
    assert_eq!(eligible(loan, &h, t, None, day(2022, 6, 9)), Eligible::No);
    assert_eq!(
        eligible(loan, &h, t, None, day(2022, 6, 10)),
        Eligible::RecentlyEscaped
    );
    assert_eq!(
        eligible(loan, &h, t, None, day(2025, 6, 9)),
        Eligible::RecentlyEscaped
    );
    assert_eq!(eligible(loan, &h, t, None, day(2025, 6, 10)), Eligible::No);
}

#[test]
fn a_pupil_of_a_poor_household_is_exempt_and_a_worker_is_not() {
    let catalogue = PolicyCatalogue::embedded();
    let tuition = catalogue.get("tuition_exemption").unwrap();
    let h = history(&[(day(2024, 1, 1), Status::Poor)]);
    let t = HouseholdTraits::default();
    let pupil = MemberTraits {
        birth_date: Some(day(2014, 5, 1)),
        birth_year: Some(2014),
        school_level: Some("primary"),
    };
    let worker = MemberTraits {
        birth_date: Some(day(1990, 5, 1)),
        birth_year: Some(1990),
        school_level: Some("none"),
    };
    assert!(eligible(tuition, &h, t, Some(pupil), day(2024, 10, 1)).is_eligible());
    assert!(!eligible(tuition, &h, t, Some(worker), day(2024, 10, 1)).is_eligible());
    // A person policy without the member is not eligible.
    assert!(!eligible(tuition, &h, t, None, day(2024, 10, 1)).is_eligible());
}

#[test]
fn people_of_extremely_difficult_areas_hold_a_card_whatever_their_status() {
    let catalogue = PolicyCatalogue::embedded();
    let bhyt = catalogue.get("bhyt").unwrap();
    let h = history(&[(day(2024, 1, 1), Status::NotPoor)]);
    let member = MemberTraits::default();
    let plain = HouseholdTraits::default();
    let difficult = HouseholdTraits {
        extremely_difficult: true,
        ..HouseholdTraits::default()
    };
    assert!(!eligible(bhyt, &h, plain, Some(member), day(2024, 6, 1)).is_eligible());
    assert!(eligible(bhyt, &h, difficult, Some(member), day(2024, 6, 1)).is_eligible());
    // Land needs the flag on top of the status.
    let land = catalogue.get("land").unwrap();
    let poor = history(&[(day(2024, 1, 1), Status::Poor)]);
    assert!(!eligible(land, &poor, plain, None, day(2024, 6, 1)).is_eligible());
    assert!(eligible(land, &poor, difficult, None, day(2024, 6, 1)).is_eligible());
}

proptest! {
    /// A household poor from a date is eligible for the poor-household loan on that date
    /// and not on the day before, whatever it was before and whatever the date.
    #[test]
    fn poor_from_a_date_is_eligible_from_that_date(
        from in date_strategy(),
        before in prop::sample::select(vec![Status::NearPoor, Status::Medium, Status::NotPoor]),
    ) {
        let catalogue = PolicyCatalogue::embedded();
        let loan = catalogue.get("loan_poor").unwrap();
        let h = history(&[(day(2020, 1, 1), before), (from, Status::Poor)]);
        let t = HouseholdTraits::default();
        prop_assert!(eligible(loan, &h, t, None, from).is_eligible());
        prop_assert!(!eligible(loan, &h, t, None, from.pred_opt().unwrap()).is_eligible());
    }

    /// Recently escaped holds from the day the household leaves the lists to the day before
    /// the same date N years later, for the N of the catalogue.
    #[test]
    fn recently_escaped_window_is_n_years(
        on in date_strategy(),
        left_after_days in 1u64..2000,
        was in prop::sample::select(vec![Status::Poor, Status::NearPoor]),
        to in prop::sample::select(vec![Status::Medium, Status::NotPoor]),
        probe_days in 0u64..2000,
    ) {
        let catalogue = PolicyCatalogue::embedded();
        let loan = catalogue.get("loan_recently_escaped").unwrap();
        let years = loan.eligibility.recently_escaped_years.as_ref().unwrap().value as u32;
        let left = on + chrono::Days::new(left_after_days);
        let h = history(&[(on, was), (left, to)]);
        let end = left.checked_add_months(Months::new(12 * years)).unwrap();
        let probe = on + chrono::Days::new(probe_days);
        let got = eligible(loan, &h, HouseholdTraits::default(), None, probe).is_eligible();
        prop_assert_eq!(got, probe >= left && probe < end, "left {} probe {}", left, probe);
    }

    /// The status on a date is the latest classification on or before it, whatever order the
    /// rows come in.
    #[test]
    fn status_on_is_the_latest_on_or_before(
        rows in prop::collection::vec((date_strategy(), status_strategy()), 0..8),
        probe in date_strategy(),
    ) {
        let mut sorted = rows.clone();
        sorted.sort_by_key(|r| r.0);
        let expected = sorted.iter().rev().find(|r| r.0 <= probe).map(|r| r.1);
        // Rows of one date: the stable sort keeps the given order, so the last given wins.
        let expected = expected.map(|_| {
            let best = sorted.iter().filter(|r| r.0 <= probe).map(|r| r.0).max().unwrap();
            rows.iter().rev().find(|r| r.0 == best).unwrap().1
        });
        let h = history(&rows);
        prop_assert_eq!(h.status_on(probe), expected);
    }

    /// Where a household stood on a date depends only on the classifications in force by
    /// then: one that starts later changes neither its status nor the day it left the lists
    /// (the findings on benefits rely on it), and that day is never after the date.
    #[test]
    fn later_classifications_do_not_change_the_past(
        rows in prop::collection::vec((date_strategy(), status_strategy()), 0..8),
        probe in date_strategy(),
        extra in status_strategy(),
    ) {
        let before = history(&rows);
        let mut more = rows.clone();
        more.push((probe.succ_opt().unwrap(), extra));
        let after = history(&more);
        prop_assert_eq!(after.status_on(probe), before.status_on(probe));
        prop_assert_eq!(
            after.left_lists_on_or_before(probe),
            before.left_lists_on_or_before(probe)
        );
        if let Some(left) = before.left_lists_on_or_before(probe) {
            prop_assert!(left <= probe);
        }
    }
}
