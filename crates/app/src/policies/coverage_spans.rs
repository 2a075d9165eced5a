//! Coverage kept up to date (issue 14: a province of 500.000 households under 1 s).
//!
//! For each household, policy and classification placing it for a period, the date spans
//! over which it counts eligible people (or one household) and covered ones. They are
//! derived here from the pure eligibility rule of the rules crate, evaluated once on each
//! day where anything it reads can change (a classification's date, the end of "recently
//! escaped", a member's birthday crossing an age bound, a benefit starting or ending), so
//! that between two such days the figures are constant. A request then sums the spans
//! valid on its date (`Store::coverage_span_sums`) instead of reading the households.
//!
//! The store marks a household stale in the same transaction as any write that changes
//! what it is counted from; its spans are recomputed before the next coverage is read
//! ([`App::coverage_refresh`]). A policy's spans are used only while the fingerprint of
//! its rule and of the units' flags is the one they were built with; otherwise the
//! coverage counts the households themselves until `giamngheo coverage-rebuild` runs
//! ([`App::coverage_rebuild`]). The full recount stays, and the tests compare the two.

use super::coverage::{household_traits, member_traits};
use crate::{App, AppError};
use chrono::{Datelike, Months, NaiveDate};
use giamngheo_rules::{
    Beneficiary, Policy, Status, StatusChange, StatusHistory, eligible, household_eligible,
};
use giamngheo_store::{CoverageMember, CoverageSpan, SpanBenefit, SpanClassification, SpanSources};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};

/// Households recomputed per transaction, by a refresh or a rebuild.
const CHUNK: usize = 2_000;

/// The units' flags as coverage reads them: code → `(extremely_difficult, border)`.
pub type UnitFlags = HashMap<String, (bool, bool)>;

/// What a policy's spans depend on besides the households' rows: its rule (who counts,
/// eligibility) and the units' flags. Spans built with another fingerprint are not read.
pub fn fingerprint(policy: &Policy, unit_flags: &UnitFlags) -> String {
    let mut flags: Vec<_> = unit_flags.iter().collect();
    flags.sort();
    let text = format!(
        "{:?}|{:?}|{:?}",
        policy.beneficiary, policy.eligibility, flags
    );
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The first day a benefit is no longer in force, and its first day; `None` for a benefit
/// without a start (never in force). A benefit of one date (no end) is in force for the
/// rest of its year (see `giamngheo_store`'s `BENEFIT_IN_FORCE`).
fn in_force(b: &SpanBenefit) -> Option<(NaiveDate, NaiveDate)> {
    let from = b.valid_from?;
    let to = match b.valid_to {
        Some(to) => to.succ_opt().unwrap_or(NaiveDate::MAX),
        None => NaiveDate::from_ymd_opt(from.year() + 1, 1, 1).unwrap_or(NaiveDate::MAX),
    };
    Some((from, to))
}

/// The day a person born on `birth` is `years` old by `giamngheo_rules`' age (a birthday
/// on 29 February counts from 1 March in other years).
fn anniversary(birth: NaiveDate, years: u32) -> Option<NaiveDate> {
    let year = birth.year().checked_add(i32::try_from(years).ok()?)?;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// The days on which a member's age can cross one of the rule's bounds: by the birth
/// date, and by the birth year alone (which the rule reads before the birth date and
/// when there is none).
fn member_days(policy: &Policy, m: &CoverageMember, days: &mut BTreeSet<NaiveDate>) {
    let Some(rule) = &policy.eligibility.member else {
        return;
    };
    if rule.min_age.is_none() && rule.max_age.is_none() {
        return;
    }
    let bounds: Vec<u32> = [rule.min_age, rule.max_age.map(|a| a.saturating_add(1))]
        .into_iter()
        .flatten()
        .collect();
    if let Some(birth) = m.birth_date {
        days.insert(birth);
        days.extend(bounds.iter().filter_map(|a| anniversary(birth, *a)));
    }
    let first_of = |year: i32| NaiveDate::from_ymd_opt(year, 1, 1);
    days.extend(first_of(m.birth_year));
    days.extend(bounds.iter().filter_map(|a| {
        i32::try_from(*a)
            .ok()
            .and_then(|a| m.birth_year.checked_add(a))
            .and_then(first_of)
    }));
}

/// One household's rows, members and benefits, as the spans read them.
struct HouseholdSources<'a> {
    id: i64,
    rows: Vec<&'a SpanClassification>,
    members: Vec<&'a CoverageMember>,
    benefits: Vec<&'a SpanBenefit>,
}

/// The spans of `policies` for the households of `sources`.
pub fn spans_of(
    policies: &[&Policy],
    sources: &SpanSources,
    unit_flags: &UnitFlags,
) -> Vec<CoverageSpan> {
    let mut by_household: HashMap<i64, HouseholdSources<'_>> = HashMap::new();
    // A household without classifications has no spans: it is only entered by its rows.
    for row in &sources.classifications {
        by_household
            .entry(row.household_id)
            .or_insert_with(|| HouseholdSources {
                id: row.household_id,
                rows: Vec::new(),
                members: Vec::new(),
                benefits: Vec::new(),
            })
            .rows
            .push(row);
    }
    for m in &sources.members {
        if let Some(h) = by_household.get_mut(&m.household_id) {
            h.members.push(m);
        }
    }
    for b in &sources.benefits {
        if let Some(h) = by_household.get_mut(&b.household_id) {
            h.benefits.push(b);
        }
    }
    let mut ids: Vec<&i64> = by_household.keys().collect();
    ids.sort();
    let mut spans = Vec::new();
    for id in ids {
        let h = &by_household[id];
        for policy in policies {
            household_spans(policy, h, unit_flags, &mut spans);
        }
    }
    spans
}

/// The spans of one policy for one household, appended to `out`.
fn household_spans(
    policy: &Policy,
    h: &HouseholdSources<'_>,
    unit_flags: &UnitFlags,
    out: &mut Vec<CoverageSpan>,
) {
    // The whole history, rows in (effective_date, id) order as the store reads them.
    let history = StatusHistory::new(
        h.rows
            .iter()
            .filter_map(|r| {
                r.status.parse::<Status>().ok().map(|status| StatusChange {
                    effective: r.effective_date,
                    status,
                })
            })
            .collect(),
    );
    let benefits: Vec<(Option<i64>, NaiveDate, NaiveDate)> = h
        .benefits
        .iter()
        .filter(|b| b.policy == policy.code)
        .filter_map(|b| in_force(b).map(|(from, to)| (b.member_id, from, to)))
        .collect();
    // Every day on which something the rule or the benefits read can change.
    let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
    let escaped_years = policy
        .eligibility
        .recently_escaped_years
        .as_ref()
        .map(|y| u32::try_from(y.value).unwrap_or(u32::MAX));
    for r in &h.rows {
        days.insert(r.effective_date);
        if let Some(years) = escaped_years
            && let Some(end) = r
                .effective_date
                .checked_add_months(Months::new(years.saturating_mul(12)))
        {
            days.insert(end);
        }
    }
    for (_, from, to) in &benefits {
        days.insert(*from);
        days.insert(*to);
    }
    if policy.beneficiary == Beneficiary::Person {
        for m in &h.members {
            member_days(policy, m, &mut days);
        }
    }
    let covered_on = |member: Option<i64>, day: NaiveDate| {
        benefits
            .iter()
            .any(|(m, from, to)| *m == member && *from <= day && day < *to)
    };
    for row in &h.rows {
        let start = row.effective_date;
        if row.valid_until.is_some_and(|end| end <= start) {
            continue;
        }
        let traits = household_traits(
            unit_flags,
            &row.village_code,
            &row.commune_code,
            row.ethnic_minority,
        );
        let inner = days
            .range(start..)
            .copied()
            .skip_while(|d| *d == start)
            .take_while(|d| row.valid_until.is_none_or(|end| *d < end));
        let starts: Vec<NaiveDate> = std::iter::once(start).chain(inner).collect();
        let mut current: Option<(NaiveDate, i64, i64)> = None;
        let mut emit = |from: NaiveDate, to: Option<NaiveDate>, e: i64, c: i64| {
            if e > 0 {
                out.push(CoverageSpan {
                    household_id: h.id,
                    policy: policy.code.clone(),
                    period: row.period,
                    valid_from: from,
                    valid_to: to,
                    province_code: row.province_code.clone(),
                    district_code: row.district_code.clone(),
                    commune_code: row.commune_code.clone(),
                    village_code: row.village_code.clone(),
                    eligible: e,
                    covered: c,
                });
            }
        };
        for day in starts {
            let (mut e, mut c) = (0, 0);
            if household_eligible(policy, &history, traits, day).is_eligible() {
                match policy.beneficiary {
                    Beneficiary::Household => {
                        e = 1;
                        c = i64::from(covered_on(None, day));
                    }
                    Beneficiary::Person => {
                        for m in &h.members {
                            let member = member_traits(m.birth_date, m.birth_year, &m.school_level);
                            if eligible(policy, &history, traits, Some(member), day).is_eligible() {
                                e += 1;
                                c += i64::from(covered_on(Some(m.id), day));
                            }
                        }
                    }
                }
            }
            match current {
                Some((_, ce, cc)) if (ce, cc) == (e, c) => {}
                Some((from, ce, cc)) => {
                    emit(from, Some(day), ce, cc);
                    current = Some((day, e, c));
                }
                None => current = Some((day, e, c)),
            }
        }
        if let Some((from, e, c)) = current {
            emit(from, row.valid_until, e, c);
        }
    }
}

/// What a rebuild did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RebuildCounts {
    pub policies: usize,
    pub households: usize,
    pub spans: usize,
}

impl App {
    /// Recomputes the spans of the households marked stale, for every policy whose spans
    /// are kept; returns how many households were recomputed. Called before every
    /// coverage read, so that the figures include every write committed before it.
    pub async fn coverage_refresh(&self) -> Result<usize, AppError> {
        let store = self.store();
        let mut done = 0;
        // Bounded: a household marked again while it is recomputed stays stale, and is
        // left to the next read rather than retried here without end.
        for _ in 0..1_000 {
            let stale = store.coverage_stale(CHUNK as i64).await?;
            if stale.is_empty() {
                break;
            }
            let codes: Vec<String> = store
                .coverage_span_states()
                .await?
                .into_iter()
                .map(|s| s.policy)
                .filter(|code| self.policies().get(code).is_some())
                .collect();
            let policies: Vec<&Policy> = codes
                .iter()
                .filter_map(|c| self.policies().get(c))
                .collect();
            let flags = store.unit_flags().await?;
            let households: Vec<(String, i64)> =
                stale.iter().map(|(h, id, _)| (h.clone(), *id)).collect();
            store
                .replace_coverage_spans(&households, &codes, &stale, |sources| {
                    spans_of(&policies, sources, &flags)
                })
                .await?;
            done += stale.len();
            if stale.len() < CHUNK {
                break;
            }
        }
        Ok(done)
    }

    /// Recomputes the spans of `policies` (every policy of the catalogue when empty) for
    /// every household, reporting `(households done, households in all)` after each chunk.
    /// Requests count the households themselves for those policies until it ends.
    pub async fn coverage_rebuild(
        &self,
        policies: &[String],
        mut progress: impl FnMut(usize, usize),
    ) -> Result<RebuildCounts, AppError> {
        let store = self.store();
        let codes: Vec<String> = if policies.is_empty() {
            self.policies().iter().map(|p| p.code.clone()).collect()
        } else {
            for code in policies {
                self.policy(code)?;
            }
            policies.to_vec()
        };
        let chosen: Vec<&Policy> = codes
            .iter()
            .filter_map(|c| self.policies().get(c))
            .collect();
        let flags = store.unit_flags().await?;
        let now = self.clock().now().to_rfc3339();
        store.begin_coverage_rebuild(&codes, &now).await?;
        let total = usize::try_from(store.household_count().await?).unwrap_or(0);
        let mut counts = RebuildCounts {
            policies: codes.len(),
            ..RebuildCounts::default()
        };
        let mut after = 0;
        loop {
            let batch = store.coverage_households_after(after, CHUNK as i64).await?;
            let Some((_, last)) = batch.last() else {
                break;
            };
            after = *last;
            counts.spans += store
                .replace_coverage_spans(&batch, &codes, &[], |sources| {
                    spans_of(&chosen, sources, &flags)
                })
                .await?;
            counts.households += batch.len();
            progress(counts.households, total.max(counts.households));
        }
        for policy in &chosen {
            store
                .finish_coverage_rebuild(&policy.code, &fingerprint(policy, &flags), &now)
                .await?;
        }
        Ok(counts)
    }

    /// Whether the coverage of the policy `code` is read from its kept spans (they were
    /// built with its current rule and the units' current flags).
    pub async fn coverage_spans_in_use(&self, code: &str) -> Result<bool, AppError> {
        let flags = self.store().unit_flags().await?;
        self.coverage_spans_current(self.policy(code)?, &flags)
            .await
    }

    /// Whether `policy`'s spans can be read with these units' flags.
    pub(crate) async fn coverage_spans_current(
        &self,
        policy: &Policy,
        unit_flags: &UnitFlags,
    ) -> Result<bool, AppError> {
        let states = self.store().coverage_span_states().await?;
        let wanted = fingerprint(policy, unit_flags);
        Ok(states
            .iter()
            .any(|s| s.policy == policy.code && s.fingerprint == wanted))
    }
}
