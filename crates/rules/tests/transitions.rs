//! Transitions between two periods, falls back into poverty and the recently-escaped flag.

use giamngheo_rules::{PeriodStatus, Status, TransitionKind, TransitionWindows, transition};

use Status::{Medium, NearPoor, NotPoor, Poor};

fn at(year: i32, status: Status) -> PeriodStatus {
    PeriodStatus { year, status }
}

fn kind(prev: Option<Status>, current: Status) -> TransitionKind {
    transition(
        prev.map(|status| at(2022, status)),
        at(2023, current),
        &[],
        &TransitionWindows::default(),
    )
    .kind
}

#[test]
fn the_moves_between_two_periods() {
    use TransitionKind::*;
    let table = [
        (None, Poor, NewlyPoor),
        (None, NearPoor, NewNearPoor),
        (None, NotPoor, Unchanged),
        (Some(NotPoor), Poor, NewlyPoor),
        (Some(Medium), Poor, NewlyPoor),
        (Some(NotPoor), NearPoor, NewNearPoor),
        (Some(Poor), NotPoor, EscapedPoverty),
        (Some(Poor), Medium, EscapedPoverty),
        (Some(NearPoor), NotPoor, EscapedNearPoverty),
        (Some(NearPoor), Medium, EscapedNearPoverty),
        (Some(Poor), NearPoor, PoorToNearPoor),
        (Some(NearPoor), Poor, NearPoorToPoor),
        (Some(Poor), Poor, Unchanged),
        (Some(NearPoor), NearPoor, Unchanged),
        (Some(Medium), NotPoor, Unchanged),
    ];
    for (prev, current, expected) in table {
        assert_eq!(kind(prev, current), expected, "{prev:?} → {current:?}");
    }
}

#[test]
fn poor_again_within_the_window_after_escaping_is_a_fall_back() {
    let windows = TransitionWindows::default();
    let history = [at(2019, Poor), at(2020, NotPoor), at(2021, NotPoor)];
    let result = transition(Some(at(2022, NotPoor)), at(2023, Poor), &history, &windows);
    assert_eq!(result.kind, TransitionKind::FellBack);
    assert!(!result.recently_escaped, "poor now");

    // Escaped in 2019, poor again in 2023: four years, outside a three-year window.
    let history = [at(2018, Poor), at(2019, NotPoor)];
    let result = transition(Some(at(2022, NotPoor)), at(2023, Poor), &history, &windows);
    assert_eq!(result.kind, TransitionKind::NewlyPoor);

    // The window is configuration.
    let wide = TransitionWindows {
        fell_back_years: 5,
        ..windows
    };
    let result = transition(Some(at(2022, NotPoor)), at(2023, Poor), &history, &wide);
    assert_eq!(result.kind, TransitionKind::FellBack);
}

#[test]
fn near_poor_back_to_poor_after_an_escape_is_a_fall_back() {
    let history = [at(2021, Poor)];
    let result = transition(
        Some(at(2022, NearPoor)),
        at(2023, Poor),
        &history,
        &TransitionWindows::default(),
    );
    assert_eq!(result.kind, TransitionKind::FellBack);
}

#[test]
fn recently_escaped_is_off_the_lists_for_at_most_three_years() {
    let windows = TransitionWindows::default();
    let history = [at(2020, NearPoor), at(2021, NotPoor)];
    for (year, expected) in [(2022, true), (2023, true), (2024, true), (2025, false)] {
        let result = transition(
            Some(at(year - 1, NotPoor)),
            at(year, NotPoor),
            &history,
            &windows,
        );
        assert_eq!(result.recently_escaped, expected, "{year}");
        assert_eq!(result.left_lists_in, Some(2021));
    }
    // Escaping in the current period is recent too.
    let result = transition(Some(at(2022, Poor)), at(2023, Medium), &[], &windows);
    assert_eq!(result.kind, TransitionKind::EscapedPoverty);
    assert!(result.recently_escaped);
    // Never on the lists: never escaped.
    let result = transition(Some(at(2022, NotPoor)), at(2023, NotPoor), &[], &windows);
    assert!(!result.recently_escaped);
    assert_eq!(result.left_lists_in, None);
}

#[test]
fn history_may_repeat_prev_and_come_in_any_order() {
    let windows = TransitionWindows::default();
    let history = [
        at(2022, NotPoor),
        at(2020, Poor),
        at(2021, NotPoor),
        at(2024, Poor),
    ];
    let result = transition(Some(at(2022, NotPoor)), at(2023, Poor), &history, &windows);
    assert_eq!(result.kind, TransitionKind::FellBack);
}

#[test]
fn transition_codes_and_labels() {
    assert_eq!(TransitionKind::FellBack.as_str(), "fell_back");
    assert_eq!(TransitionKind::FellBack.label_vi(), "hộ tái nghèo");
    assert_eq!(TransitionKind::NewlyPoor.label_vi(), "hộ nghèo phát sinh");
    assert_eq!(TransitionKind::EscapedPoverty.as_str(), "escaped_poverty");
}
