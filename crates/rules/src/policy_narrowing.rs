//! Which households and members can possibly be eligible for a policy on a date: a
//! necessary condition derived from the policy's rule data, for the store to narrow a
//! province of households down to a few candidates before the rule itself runs.
//!
//! The eligibility rule stays the single pure function of [`crate::eligible`]: the
//! narrowing only ever admits more than the rule (every bound carries a margin), and the
//! caller runs the rule on every candidate it admits. A narrowing that admits too much
//! costs time; one that admits too little would lose people, so every field below says
//! why an eligible household or member always passes it.

use crate::policy::{Beneficiary, Policy, UnitFlag};
use crate::status::Status;
use chrono::{Datelike, Months, NaiveDate};

/// A condition every household (and member) eligible for a policy on a date meets.
///
/// A household is a candidate when any of its "ways in" holds: its classification in
/// force on the date has a status of `statuses`; it was on the lists with a
/// classification that ended on or after `on_lists_ended_since` (recently escaped); it is
/// an ethnic-minority household and `ethnic_minority` is set; its village or commune has
/// a flag of `unit_flags`. The rule's required flags are left to the rule itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrowing {
    pub statuses: Vec<Status>,
    /// The statuses that are "on the lists", and the earliest end of a spell on them
    /// that can still make a household recently escaped on the date; `None` when the
    /// policy does not serve recently escaped households.
    pub on_lists_ended_since: Option<(Vec<Status>, NaiveDate)>,
    pub ethnic_minority: bool,
    pub unit_flags: Vec<UnitFlag>,
    /// For a policy given to people: what a member must be (always present for such a
    /// policy, with no bounds when the rule has none); `None` for a household policy.
    pub member: Option<MemberNarrowing>,
}

/// A condition every eligible member meets: a birth date (or, without one, a birth year)
/// within bounds, and a school level among some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberNarrowing {
    /// Inclusive bounds of the birth date, when the rule bounds the age.
    pub birth_dates: Option<(NaiveDate, NaiveDate)>,
    /// Inclusive bounds of the birth year, when the rule bounds the age.
    pub birth_years: Option<(i32, i32)>,
    /// The school levels that qualify (`none` standing for no level recorded); `None`
    /// when any level does.
    pub school_levels: Option<Vec<String>>,
}

/// Days of margin on every date bound: month arithmetic clamps at the end of a month
/// (29 February plus a year is 28 February), and a candidate too many costs nothing but
/// a rule evaluation.
const MARGIN_DAYS: u64 = 7;

/// The open ends of a date bound: days every database stores (chrono's own extremes are
/// outside PostgreSQL's range).
const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).expect("a valid date");
const LATEST: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date");

fn minus_years(date: NaiveDate, years: u32) -> Option<NaiveDate> {
    date.checked_sub_months(Months::new(years.checked_mul(12)?))
}

/// The narrowing of `policy` on `date`.
pub fn narrowing(policy: &Policy, date: NaiveDate) -> Narrowing {
    let rule = &policy.eligibility;
    let margin = chrono::Days::new(MARGIN_DAYS);
    // A household recently escaped on the date left the lists on a day `left` with
    // `date < left + years`, so `left > date - years`; its last classification on the
    // lists ends on `left` (or later, when the next one of its period came later), so it
    // ends after that bound. Without a computable bound, any spell on the lists admits.
    let on_lists_ended_since = rule.recently_escaped_years.as_ref().map(|years| {
        let since = u32::try_from(years.value)
            .ok()
            .and_then(|y| minus_years(date, y))
            .and_then(|d| d.checked_sub_days(margin))
            .unwrap_or(EARLIEST);
        let on_lists = Status::ALL
            .into_iter()
            .filter(|s| s.is_on_lists())
            .collect();
        (on_lists, since)
    });
    // A policy given to people without a member rule admits every member.
    let no_rule = crate::policy::MemberRule::default();
    let member = (policy.beneficiary == Beneficiary::Person)
        .then(|| rule.member.as_ref().unwrap_or(&no_rule))
        .map(|m| {
            // Age in whole years from the birth date: `min <= age` means born on or
            // before `date - min` years; `age <= max` means born after `date - (max + 1)`
            // years. From the birth year alone the age is `year - birth_year`.
            let bounded = m.min_age.is_some() || m.max_age.is_some();
            let earliest_date = m
                .max_age
                .and_then(|max| minus_years(date, max.saturating_add(1)))
                .and_then(|d| d.checked_sub_days(margin))
                .unwrap_or(EARLIEST);
            let latest_date = m
                .min_age
                .and_then(|min| minus_years(date, min))
                .and_then(|d| d.checked_add_days(margin))
                .unwrap_or(LATEST);
            let year_of = |age: Option<u32>, default: i32| {
                age.and_then(|a| i32::try_from(a).ok())
                    .map_or(default, |a| date.year().saturating_sub(a))
            };
            MemberNarrowing {
                birth_dates: bounded.then_some((earliest_date, latest_date)),
                birth_years: bounded
                    .then(|| (year_of(m.max_age, i32::MIN), year_of(m.min_age, i32::MAX))),
                school_levels: (!m.school_levels.is_empty()).then(|| m.school_levels.clone()),
            }
        });
    Narrowing {
        statuses: rule.statuses.clone(),
        on_lists_ended_since,
        ethnic_minority: rule.ethnic_minority,
        unit_flags: rule.any_unit_flags.clone(),
        member,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy_eligibility::{
        HouseholdTraits, MemberTraits, StatusChange, StatusHistory, eligible,
    };
    use crate::{PolicyCatalogue, derive::age_on};

    use proptest::prelude::Rng;
    use proptest::test_runner::{RngAlgorithm, TestRng};

    /// A deterministic generator, below `n`.
    fn below(rng: &mut TestRng, n: u64) -> u64 {
        rng.next_u64() % n
    }

    fn day(rng: &mut TestRng) -> NaiveDate {
        NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() + chrono::Days::new(below(rng, 3000))
    }

    /// Every household and member the rule finds eligible passes the narrowing, checked
    /// the way the store checks it, over the catalogue's policies and random histories.
    #[test]
    fn every_eligible_household_and_member_passes_the_narrowing() {
        let catalogue = PolicyCatalogue::embedded();
        let mut rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let mut eligible_seen = 0;
        for _ in 0..20_000 {
            let date = day(&mut rng);
            let mut changes: Vec<StatusChange> = (0..below(&mut rng, 5))
                .map(|_| StatusChange {
                    effective: day(&mut rng),
                    status: Status::ALL[below(&mut rng, 4) as usize],
                })
                .collect();
            changes.sort_by_key(|c| c.effective);
            let history = StatusHistory::new(changes.clone());
            let traits = HouseholdTraits {
                ethnic_minority: below(&mut rng, 4) == 0,
                extremely_difficult: below(&mut rng, 4) == 0,
                border: below(&mut rng, 4) == 0,
            };
            let birth_date = (below(&mut rng, 2) == 0).then(|| {
                NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()
                    + chrono::Days::new(below(&mut rng, 27_000))
            });
            let birth_year = birth_date.map_or(1950 + below(&mut rng, 75) as i32, |d| d.year());
            let levels = ["none", "primary", "university", "vocational"];
            let level = levels[below(&mut rng, 4) as usize];
            let member = MemberTraits {
                birth_date,
                birth_year: Some(birth_year),
                school_level: Some(level),
            };
            for policy in catalogue.iter() {
                let why = eligible(policy, &history, traits, Some(member), date);
                if !why.is_eligible() {
                    continue;
                }
                eligible_seen += 1;
                let n = narrowing(policy, date);
                // The store's "in force" row: the latest on or before the date.
                let in_force = history.status_on(date);
                // A row on the lists whose span (up to the next row) ends on or after the
                // bound, or is still open.
                let spell_ends = changes.iter().enumerate().any(|(i, c)| {
                    c.effective <= date
                        && c.status.is_on_lists()
                        && n.on_lists_ended_since.as_ref().is_some_and(|(_, since)| {
                            changes
                                .get(i + 1)
                                .is_none_or(|next| next.effective >= *since)
                        })
                });
                let household = in_force.is_some_and(|s| n.statuses.contains(&s))
                    || spell_ends
                    || (n.ethnic_minority && traits.ethnic_minority)
                    || n.unit_flags.iter().any(|f| match f {
                        UnitFlag::ExtremelyDifficult => traits.extremely_difficult,
                        UnitFlag::Border => traits.border,
                    });
                assert!(household, "{} on {date}: {changes:?}", policy.code);
                if let Some(m) = &n.member {
                    let by_date = m
                        .birth_dates
                        .is_none_or(|(lo, hi)| birth_date.is_some_and(|d| lo <= d && d <= hi));
                    let by_year = m
                        .birth_years
                        .is_none_or(|(lo, hi)| lo <= birth_year && birth_year <= hi);
                    // The store admits a member by either bound.
                    assert!(
                        by_date || by_year,
                        "{} {birth_date:?} {birth_year} {:?}",
                        policy.code,
                        age_on(birth_date, date)
                    );
                    assert!(
                        m.school_levels
                            .as_ref()
                            .is_none_or(|l| l.iter().any(|l| l == level))
                    );
                }
            }
        }
        assert!(
            eligible_seen > 1_000,
            "the test saw too few eligible: {eligible_seen}"
        );
    }
}
