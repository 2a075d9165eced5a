//! Who is eligible for a policy on a date: pure code over the classification in force.
//!
//! A household's status on a date is the classification with the latest
//! `(effective_date, id)` on or before that date, the rule the reports use (migration 0012's
//! `valid_until`). "Recently escaped" (hộ mới thoát nghèo) is a household off the lists on
//! the date whose last day on them was less than the policy's number of years before.

use crate::derive::age_on;
use crate::policy::{Beneficiary, Policy, UnitFlag};
use crate::status::Status;
use chrono::{Months, NaiveDate};

/// One classification of a household: the date it takes effect and the status it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub effective: NaiveDate,
    pub status: Status,
}

/// A household's classifications, in the order they take effect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusHistory {
    /// Sorted by effective date; of two on one date, the later in the vector wins (the
    /// caller gives rows in `(effective_date, id)` order, or [`StatusHistory::new`] sorts
    /// stably).
    changes: Vec<StatusChange>,
}

impl StatusHistory {
    /// A history from classifications in `(effective_date, id)` order or any order of
    /// dates: the sort is stable, so rows of one date keep their given order.
    pub fn new(mut changes: Vec<StatusChange>) -> StatusHistory {
        changes.sort_by_key(|c| c.effective);
        StatusHistory { changes }
    }

    pub fn changes(&self) -> &[StatusChange] {
        &self.changes
    }

    /// The status in force on `date`: that of the latest classification on or before it;
    /// `None` before the household was first classified.
    pub fn status_on(&self, date: NaiveDate) -> Option<Status> {
        let after = self.changes.partition_point(|c| c.effective <= date);
        after.checked_sub(1).map(|at| self.changes[at].status)
    }

    /// The day the household left the lists (poor or near-poor), when it is off them on
    /// `date` and was on them before: the effective date of the first classification off
    /// the lists after its last spell on them.
    pub fn left_lists_on_or_before(&self, date: NaiveDate) -> Option<NaiveDate> {
        let upto = &self.changes[..self.changes.partition_point(|c| c.effective <= date)];
        let last_on = upto.iter().rposition(|c| c.status.is_on_lists())?;
        upto[last_on + 1..].first().map(|c| c.effective)
    }

    /// Whether the household left the lists less than `years` years before `date` and is
    /// off them on `date`. The day it left counts as the first day of the window, so the
    /// window ends on the day before the same date `years` years later.
    pub fn recently_escaped_on(&self, date: NaiveDate, years: u32) -> bool {
        let Some(left) = self.left_lists_on_or_before(date) else {
            return false;
        };
        match left.checked_add_months(Months::new(years.saturating_mul(12))) {
            Some(end) => date < end,
            None => true,
        }
    }
}

/// What the eligibility rule needs of a household on a date besides its history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HouseholdTraits {
    pub ethnic_minority: bool,
    /// The flags of the unit it lives in (its village's, or its commune's).
    pub extremely_difficult: bool,
    pub border: bool,
}

impl HouseholdTraits {
    fn has(&self, flag: UnitFlag) -> bool {
        match flag {
            UnitFlag::ExtremelyDifficult => self.extremely_difficult,
            UnitFlag::Border => self.border,
        }
    }
}

/// What the eligibility rule needs of a member.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberTraits<'a> {
    pub birth_date: Option<NaiveDate>,
    pub birth_year: Option<i32>,
    /// The school level the member is enrolled in (`none` or absent when not studying).
    pub school_level: Option<&'a str>,
}

impl MemberTraits<'_> {
    /// Age in whole years on `date`: from the birth date, else from the birth year alone
    /// (the age reached during the year), as the review forms do.
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        use chrono::Datelike;
        age_on(self.birth_date, date).or_else(|| {
            self.birth_year
                .and_then(|year| u32::try_from(date.year() - year).ok())
        })
    }
}

/// Why a household or member is eligible, or that it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eligible {
    /// On the lists with a status the policy names.
    Status(Status),
    /// Off the lists for less than the policy's years.
    RecentlyEscaped,
    EthnicMinority,
    /// Lives in a unit with a flag the policy names.
    Area(UnitFlag),
    No,
}

impl Eligible {
    pub fn is_eligible(self) -> bool {
        self != Eligible::No
    }
}

/// Whether the household (for a household policy) is eligible for `policy` on `date`.
pub fn household_eligible(
    policy: &Policy,
    history: &StatusHistory,
    traits: HouseholdTraits,
    date: NaiveDate,
) -> Eligible {
    let rule = &policy.eligibility;
    if !rule.required_unit_flags.iter().all(|f| traits.has(*f)) {
        return Eligible::No;
    }
    let status = history.status_on(date);
    if let Some(status) = status
        && rule.statuses.contains(&status)
    {
        return Eligible::Status(status);
    }
    if let Some(years) = &rule.recently_escaped_years {
        let years = u32::try_from(years.value).unwrap_or(u32::MAX);
        if history.recently_escaped_on(date, years) {
            return Eligible::RecentlyEscaped;
        }
    }
    if rule.ethnic_minority && traits.ethnic_minority {
        return Eligible::EthnicMinority;
    }
    if let Some(flag) = rule.any_unit_flags.iter().find(|f| traits.has(**f)) {
        return Eligible::Area(*flag);
    }
    Eligible::No
}

/// Whether `member` meets the policy's member rule on `date` (true when it has none).
pub fn member_meets(policy: &Policy, member: MemberTraits<'_>, date: NaiveDate) -> bool {
    let Some(rule) = &policy.eligibility.member else {
        return true;
    };
    if rule.min_age.is_some() || rule.max_age.is_some() {
        let Some(age) = member.age_on(date) else {
            return false;
        };
        if rule.min_age.is_some_and(|min| age < min) || rule.max_age.is_some_and(|max| age > max) {
            return false;
        }
    }
    if !rule.school_levels.is_empty() {
        let level = member.school_level.unwrap_or("none");
        if !rule.school_levels.iter().any(|l| l == level) {
            return false;
        }
    }
    true
}

/// Whether a person is eligible for `policy` on `date`: their household is, and they meet
/// the member rule. For a household policy it is the household's eligibility.
pub fn eligible(
    policy: &Policy,
    history: &StatusHistory,
    traits: HouseholdTraits,
    member: Option<MemberTraits<'_>>,
    date: NaiveDate,
) -> Eligible {
    let household = household_eligible(policy, history, traits, date);
    if !household.is_eligible() || policy.beneficiary == Beneficiary::Household {
        return household;
    }
    match member {
        Some(member) if member_meets(policy, member, date) => household,
        _ => Eligible::No,
    }
}
