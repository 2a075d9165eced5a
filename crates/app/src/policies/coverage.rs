//! Coverage of a policy: eligible, covered and not covered per unit on a reference date.
//!
//! Eligible and covered for a year are counted on one date: 31 December, or today for the
//! current year, unless the caller gives `as_of`. Covered means a benefit of the policy in
//! force on that date (see `Store::coverage_inputs`). People are counted for a policy given
//! to people, households for a policy given to households.

use crate::access::{Action, Actor};
use crate::basis::{BasedScope, Basis};
use crate::reports::tier_of;
use crate::{App, AppError};
use chrono::{Datelike, NaiveDate};
use giamngheo_domain::household::mask_citizen_id;
use giamngheo_rules::{
    Beneficiary, Eligible, HouseholdTraits, MemberTraits, Policy, Status, StatusChange,
    StatusHistory, UnitFlag, eligible, narrowing,
};
use giamngheo_store::{CandidateFilter, CoverageInputs, MemberFilter};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What a coverage figure or list is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoverageRequest {
    pub unit: String,
    pub year: i32,
    /// One policy, or every policy of the catalogue.
    pub policy: Option<String>,
    /// The reference date instead of 31 December (or today for the current year).
    pub as_of: Option<NaiveDate>,
    /// One row per unit below the unit, instead of one row for the unit.
    pub by_child: bool,
    /// The units the figures are placed on, as in the other reports (`current` re-bases
    /// earlier periods onto today's units through the villages; `as_was` keeps the units
    /// of the reference date); none for the reports' default.
    pub basis: Option<Basis>,
}

/// One row of coverage: a policy in a unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageRow {
    pub policy: String,
    pub policy_name: String,
    pub unit: String,
    pub unit_name: String,
    /// `person` or `household`: what the figures count.
    pub counts: &'static str,
    pub eligible: i64,
    pub covered: i64,
    pub not_covered: i64,
    /// Covered as a per cent of eligible, two decimals; 0 when nobody is eligible.
    pub rate: f64,
    /// Whether a figure of the policy's terms is still to confirm (policies.md).
    pub to_confirm: bool,
}

/// Coverage of a unit for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageReport {
    pub unit: String,
    pub unit_name: String,
    pub year: i32,
    pub as_of: NaiveDate,
    pub rows: Vec<CoverageRow>,
}

/// One eligible person (or household) without the benefit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UncoveredItem {
    pub household_id: i64,
    pub household_code: String,
    pub village_code: String,
    /// The head's name, for roles that may read personal data.
    pub head_name: Option<String>,
    pub member_id: Option<i64>,
    pub member_name: Option<String>,
    /// In full for roles that read citizen IDs, masked for the others that read names.
    pub citizen_id: Option<String>,
    /// Why they are eligible, in Vietnamese.
    pub eligible_as: String,
}

/// The eligible people (or households) of a policy not covered on the date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncoveredList {
    pub policy: String,
    pub policy_name: String,
    pub unit: String,
    pub as_of: NaiveDate,
    pub items: Vec<UncoveredItem>,
    pub total: usize,
}

fn eligible_as(why: Eligible) -> String {
    match why {
        Eligible::Status(status) => status.label_vi().to_string(),
        Eligible::RecentlyEscaped => "hộ mới thoát nghèo".into(),
        Eligible::EthnicMinority => "hộ dân tộc thiểu số".into(),
        Eligible::Area(giamngheo_rules::UnitFlag::ExtremelyDifficult) => {
            "vùng đặc biệt khó khăn".into()
        }
        Eligible::Area(giamngheo_rules::UnitFlag::Border) => "xã biên giới".into(),
        Eligible::No => String::new(),
    }
}

/// What the eligibility rule reads of a household: its ethnicity and the flags of the
/// village or commune it lives in. Coverage and the findings both build it here, so a
/// household is eligible in the one exactly when it is in the other.
pub(crate) fn household_traits(
    unit_flags: &HashMap<String, (bool, bool)>,
    village_code: &str,
    commune_code: &str,
    ethnic_minority: bool,
) -> HouseholdTraits {
    let flag = |code: &str| unit_flags.get(code).copied().unwrap_or_default();
    let (village, commune) = (flag(village_code), flag(commune_code));
    HouseholdTraits {
        ethnic_minority,
        extremely_difficult: village.0 || commune.0,
        border: village.1 || commune.1,
    }
}

/// What the eligibility rule reads of a member (age, school level), for coverage and the
/// findings alike.
pub(crate) fn member_traits(
    birth_date: Option<NaiveDate>,
    birth_year: i32,
    school_level: &Option<String>,
) -> MemberTraits<'_> {
    MemberTraits {
        birth_date,
        birth_year: Some(birth_year),
        school_level: school_level.as_deref(),
    }
}

/// Eligible and covered of one group, and the eligible not covered.
#[derive(Debug, Default)]
struct Tally {
    eligible: i64,
    covered: i64,
}

/// The eligible `(household, member, why)` of a policy and whether each is covered,
/// grouped: pure, over what the store read.
fn evaluate(
    policy: &Policy,
    inputs: &CoverageInputs,
    as_of: NaiveDate,
    mut visit: impl FnMut(&str, i64, Option<i64>, Eligible, bool),
) {
    let mut members_of: HashMap<i64, Vec<&giamngheo_store::CoverageMember>> = HashMap::new();
    for m in &inputs.members {
        members_of.entry(m.household_id).or_default().push(m);
    }
    for h in &inputs.households {
        let history = StatusHistory::new(
            h.changes
                .iter()
                .filter_map(|(effective, status)| {
                    status.parse::<Status>().ok().map(|status| StatusChange {
                        effective: *effective,
                        status,
                    })
                })
                .collect(),
        );
        let traits = household_traits(
            &inputs.unit_flags,
            &h.village_code,
            &h.commune_code,
            h.ethnic_minority,
        );
        match policy.beneficiary {
            Beneficiary::Household => {
                let why = eligible(policy, &history, traits, None, as_of);
                if why.is_eligible() {
                    let covered = inputs.covered.contains(&(h.id, None));
                    visit(&h.group, h.id, None, why, covered);
                }
            }
            Beneficiary::Person => {
                for m in members_of.get(&h.id).map(Vec::as_slice).unwrap_or_default() {
                    let member = member_traits(m.birth_date, m.birth_year, &m.school_level);
                    let why = eligible(policy, &history, traits, Some(member), as_of);
                    if why.is_eligible() {
                        let covered = inputs.covered.contains(&(h.id, Some(m.id)));
                        visit(&h.group, h.id, Some(m.id), why, covered);
                    }
                }
            }
        }
    }
}

/// How a coverage reads the unit: only the candidates the policy's narrowing admits (the
/// product's way), or every household and member (the reference the tests compare with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Candidates,
    Everyone,
}

/// The store's filter for the households and members that can possibly be eligible for
/// `policy` on `as_of`, from the narrowing the rules crate derives of the rule's data.
fn candidate_filter(policy: &Policy, as_of: NaiveDate) -> CandidateFilter {
    let n = narrowing(policy, as_of);
    let codes = |statuses: &[Status]| statuses.iter().map(|s| s.as_str().to_string()).collect();
    CandidateFilter {
        statuses: codes(&n.statuses),
        on_lists_ended_since: n
            .on_lists_ended_since
            .map(|(statuses, since)| (codes(&statuses), since)),
        ethnic_minority: n.ethnic_minority,
        extremely_difficult: n.unit_flags.contains(&UnitFlag::ExtremelyDifficult),
        border: n.unit_flags.contains(&UnitFlag::Border),
        member: n.member.map(|m| MemberFilter {
            birth_dates: m.birth_dates,
            birth_years: m.birth_years,
            school_levels: m.school_levels,
        }),
    }
}

/// The store's query of a policy's coverage in a scope on a date.
fn coverage_query<'a>(
    policy: &'a Policy,
    scope: &'a giamngheo_store::ReportScope,
    year: i32,
    as_of: NaiveDate,
) -> giamngheo_store::CoverageQuery<'a> {
    giamngheo_store::CoverageQuery {
        scope_column: scope.scope_column,
        scope_code: &scope.scope_code,
        group_column: scope.group_column,
        period: year,
        as_of,
        policy: &policy.code,
        with_members: policy.beneficiary == Beneficiary::Person,
        rebase: scope.rebase.as_deref(),
    }
}

fn rate(covered: i64, eligible: i64) -> f64 {
    if eligible == 0 {
        0.0
    } else {
        (covered as f64 * 10_000.0 / eligible as f64).round() / 100.0
    }
}

impl App {
    /// The reference date of a year: 31 December, or today for the current year.
    pub fn coverage_date(&self, year: i32, as_of: Option<NaiveDate>) -> NaiveDate {
        if let Some(day) = as_of {
            return day;
        }
        let today = self.clock().today();
        if year == today.year() {
            today
        } else {
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today)
        }
    }

    /// The unit of a coverage request and its scope on the request's basis, the same
    /// as the other reports take (`App::based_unit`, `App::based_scope`).
    async fn coverage_scope(
        &self,
        req: &CoverageRequest,
    ) -> Result<(giamngheo_store::UnitRecord, BasedScope), AppError> {
        let based = self
            .based_unit(&req.unit, req.year, req.as_of, req.basis)
            .await?;
        let scope = self.based_scope(&based).await?;
        Ok((based.unit, scope))
    }

    /// The kept spans' sums of `policy` in the scope on `as_of`, `(group, eligible,
    /// covered)`; `None` when the policy's spans are not current (never built, or built
    /// with another rule or other units' flags), and the households must be counted.
    async fn coverage_from_spans(
        &self,
        policy: &Policy,
        scope: &giamngheo_store::ReportScope,
        year: i32,
        as_of: NaiveDate,
        unit_flags: &HashMap<String, (bool, bool)>,
    ) -> Result<Option<Vec<(String, i64, i64)>>, AppError> {
        if !self.coverage_spans_current(policy, unit_flags).await? {
            return Ok(None);
        }
        let query = coverage_query(policy, scope, year, as_of);
        let sums = self.store().coverage_span_sums(&query).await?;
        Ok(Some(
            sums.into_iter()
                .map(|(group, _, eligible, covered)| (group, eligible, covered))
                .collect(),
        ))
    }

    async fn coverage_inputs_for(
        &self,
        policy: &Policy,
        scope: &giamngheo_store::ReportScope,
        year: i32,
        as_of: NaiveDate,
        reading: Reading,
    ) -> Result<CoverageInputs, AppError> {
        let query = coverage_query(policy, scope, year, as_of);
        let inputs = match reading {
            Reading::Candidates => {
                self.store()
                    .coverage_candidates(&query, &candidate_filter(policy, as_of))
                    .await?
            }
            Reading::Everyone => self.store().coverage_inputs(&query).await?,
        };
        Ok(inputs)
    }

    /// Coverage of one policy or every policy in a unit the actor may read aggregates of.
    pub async fn coverage(
        &self,
        actor: &Actor,
        req: &CoverageRequest,
    ) -> Result<CoverageReport, AppError> {
        self.authorize(actor, Action::ReadAggregates, &req.unit)
            .await?;
        self.coverage_as_system(req).await
    }

    /// Coverage without an access check, for the command line.
    pub async fn coverage_as_system(
        &self,
        req: &CoverageRequest,
    ) -> Result<CoverageReport, AppError> {
        self.coverage_read(req, Reading::Candidates).await
    }

    /// Coverage computed by reading every household and member of the unit and running
    /// the rule on each: the reference the narrowed reading is tested against.
    #[doc(hidden)]
    pub async fn coverage_full_evaluation(
        &self,
        req: &CoverageRequest,
    ) -> Result<CoverageReport, AppError> {
        self.coverage_read(req, Reading::Everyone).await
    }

    async fn coverage_read(
        &self,
        req: &CoverageRequest,
        reading: Reading,
    ) -> Result<CoverageReport, AppError> {
        let (unit, scope) = self.coverage_scope(req).await?;
        let as_of = self.coverage_date(req.year, req.as_of);
        let policies: Vec<&Policy> = match &req.policy {
            Some(code) => vec![self.policy(code)?],
            None => self.policies().iter().collect(),
        };
        // The product's reading sums the kept spans when they are current, after
        // recomputing those of the households written since (see `coverage_spans`).
        let unit_flags = if reading == Reading::Candidates {
            self.coverage_refresh().await?;
            Some(self.store().unit_flags().await?)
        } else {
            None
        };
        let mut rows = Vec::new();
        for policy in policies {
            let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
            let from_spans = match &unit_flags {
                Some(flags) => {
                    self.coverage_from_spans(policy, &scope.figures, req.year, as_of, flags)
                        .await?
                }
                None => None,
            };
            if let Some(sums) = from_spans {
                for (group, eligible, covered) in sums {
                    let key = if req.by_child { group } else { String::new() };
                    let tally = groups.entry(key).or_default();
                    tally.eligible += eligible;
                    tally.covered += covered;
                }
            } else {
                let inputs = self
                    .coverage_inputs_for(policy, &scope.figures, req.year, as_of, reading)
                    .await?;
                evaluate(policy, &inputs, as_of, |group, _, _, _, covered| {
                    let key = if req.by_child { group } else { "" };
                    let tally = groups.entry(key.to_string()).or_default();
                    tally.eligible += 1;
                    tally.covered += i64::from(covered);
                });
            }
            let row = |code: &str, name: &str, t: &Tally| CoverageRow {
                policy: policy.code.clone(),
                policy_name: policy.name_vi.clone(),
                unit: code.to_string(),
                unit_name: name.to_string(),
                counts: policy.beneficiary.as_str(),
                eligible: t.eligible,
                covered: t.covered,
                not_covered: t.eligible - t.covered,
                rate: rate(t.covered, t.eligible),
                to_confirm: policy.has_figures_to_confirm(),
            };
            if req.by_child && tier_of(&unit) != giamngheo_domain::Tier::Village {
                for child in &scope.rows {
                    let t = groups.remove(&child.code).unwrap_or_default();
                    rows.push(row(&child.code, &child.name, &t));
                }
            } else {
                let t = groups.remove("").unwrap_or_default();
                rows.push(row(&unit.code, &unit.name, &t));
            }
        }
        Ok(CoverageReport {
            unit: unit.code.clone(),
            unit_name: unit.name.clone(),
            year: req.year,
            as_of,
            rows,
        })
    }

    /// The eligible people (or households) of one policy in a unit not covered on the
    /// date. Names only for roles that read personal data; citizen IDs in full only for
    /// those that read them, masked for the others.
    pub async fn uncovered(
        &self,
        actor: &Actor,
        req: &CoverageRequest,
    ) -> Result<UncoveredList, AppError> {
        self.authorize(actor, Action::ReadAggregates, &req.unit)
            .await?;
        let Some(code) = &req.policy else {
            return Err(AppError::invalid("policy", "chọn một chính sách"));
        };
        let policy = self.policy(code)?;
        let (unit, scope) = self.coverage_scope(req).await?;
        let as_of = self.coverage_date(req.year, req.as_of);
        let inputs = self
            .coverage_inputs_for(policy, &scope.figures, req.year, as_of, Reading::Candidates)
            .await?;
        let mut missing: Vec<(i64, Option<i64>, Eligible)> = Vec::new();
        evaluate(policy, &inputs, as_of, |_, hh, member, why, covered| {
            if !covered {
                missing.push((hh, member, why));
            }
        });
        let household_ids: Vec<i64> = {
            let mut ids: Vec<i64> = missing.iter().map(|m| m.0).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let member_ids: Vec<i64> = missing.iter().filter_map(|m| m.1).collect();
        let (households, members) = self
            .store()
            .coverage_names(&household_ids, &member_ids)
            .await?;
        let households: HashMap<i64, (String, String, String)> = households
            .into_iter()
            .map(|(id, code, head, village)| (id, (code, head, village)))
            .collect();
        let members: HashMap<i64, (String, Option<String>)> = members
            .into_iter()
            .map(|(id, name, cid)| (id, (name, cid)))
            .collect();
        let personal = actor.may(Action::ReadPersonal);
        let full_ids = actor.may(Action::ReadCitizenId);
        let mut items: Vec<UncoveredItem> = missing
            .into_iter()
            .map(|(hh, member, why)| {
                let (code, head, village) = households.get(&hh).cloned().unwrap_or_default();
                let (name, cid) = member
                    .and_then(|m| members.get(&m).cloned())
                    .unwrap_or_default();
                UncoveredItem {
                    household_id: hh,
                    household_code: code,
                    village_code: village,
                    head_name: personal.then_some(head),
                    member_id: member,
                    member_name: (personal && member.is_some()).then_some(name),
                    citizen_id: if full_ids {
                        cid
                    } else if personal {
                        cid.as_deref().map(mask_citizen_id)
                    } else {
                        None
                    },
                    eligible_as: eligible_as(why),
                }
            })
            .collect();
        items.sort_by(|a, b| {
            (&a.village_code, &a.household_code, a.member_id).cmp(&(
                &b.village_code,
                &b.household_code,
                b.member_id,
            ))
        });
        let total = items.len();
        Ok(UncoveredList {
            policy: policy.code.clone(),
            policy_name: policy.name_vi.clone(),
            unit: unit.code,
            as_of,
            items,
            total,
        })
    }
}

impl CoverageRow {
    /// The row as a line of the coverage file.
    pub fn line(&self) -> giamngheo_sheets::policies::CoverageLine {
        giamngheo_sheets::policies::CoverageLine {
            policy: self.policy.clone(),
            policy_name: self.policy_name.clone(),
            unit: self.unit.clone(),
            unit_name: self.unit_name.clone(),
            counts: self.counts.to_string(),
            eligible: self.eligible,
            covered: self.covered,
            not_covered: self.not_covered,
            rate: self.rate,
        }
    }
}

impl UncoveredItem {
    /// The item as a line of the uncovered list's file; what the role may not read stays
    /// empty.
    pub fn line(&self) -> giamngheo_sheets::policies::UncoveredLine {
        giamngheo_sheets::policies::UncoveredLine {
            village_code: self.village_code.clone(),
            household_code: self.household_code.clone(),
            head_name: self.head_name.clone().unwrap_or_default(),
            member_name: self.member_name.clone().unwrap_or_default(),
            citizen_id: self.citizen_id.clone().unwrap_or_default(),
            eligible_as: self.eligible_as.clone(),
        }
    }
}
