//! Synthetic demo data: a made-up but realistic Huyện Hương Khê (Hà Tĩnh), the
//! mountainous border district of the seed plan, for trying the product without real
//! personal data.
//!
//! [`plan`] is pure and deterministic: the same seed, household count, commune list and
//! date give a byte-identical plan on every machine. It draws from a self-written
//! xoshiro256** generator rather than a crate, so that no upgrade of a dependency can
//! silently change the data a seed produces, and it uses only `+ − × ÷` on floats (no
//! `exp`, `ln` or `sqrt` from the platform's maths library, whose last bits may differ
//! between systems).
//!
//! Each household gets a hidden "wealth" score that makes its facts hang together: poorer
//! households have more children, non-durable homes, unsafe water, stunted children,
//! lapsed health-insurance cards. The score itself is never stored; the product must
//! find the poor households from their facts, as a reviewer would.
//!
//! The same score, with yearly noise and growth, gives each household's survey figures
//! for the demo's classification history: income per person under `vn-2016` (2021) and
//! score A of form B1 under `vn-2022` (2022 on). They are stored only as what they are,
//! the survey results of each classification; [`classify_plan`] classifies them through
//! the rules engine, with the deprivations derived from the households' facts.

mod benefits;
mod generator;
mod load;
mod people;
mod review;
mod tables;

use generator::{Generator, mix};
pub use load::*;
pub use review::DemoReview;

use crate::access::Role;
use crate::auth::NewUserInput;
use crate::households::{By, DraftInput};
use crate::{App, AppError};
use chrono::{Datelike, Days, Months, NaiveDate};
use giamngheo_domain::Area;
use giamngheo_domain::household::{CitizenId, HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::text;
use giamngheo_rules::{
    Evidence, HouseholdInput, IndicatorSet, Lang, PeriodStatus, StandardSet, Status,
    TransitionKind, TransitionWindows, classify, derive_deprivations, transition,
};
use giamngheo_store::{ClassificationFields, HouseholdFilter, ReformOutcome, certificate_number};
use std::collections::BTreeMap;

/// A village (thôn, bản, tổ dân phố) the demo creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoVillage {
    /// A provisional code: the commune's code and a three-digit number, as the app numbers
    /// villages of a commune that has none yet. The loader replaces it with the code the
    /// database actually gives.
    pub code: String,
    pub commune_code: String,
    /// The full name with its kind word, e.g. «Thôn Trung Hòa», «Bản Rào Tre».
    pub name: String,
    /// «Thôn», «Bản» or «Tổ dân phố».
    pub kind: String,
}

/// Everything the demo writes, before it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPlan {
    pub villages: Vec<DemoVillage>,
    /// Households whose `village_code` is the provisional code of one of `villages`.
    pub households: Vec<HouseholdDraft>,
    /// The area of each household (its commune's), in the order of `households`.
    pub areas: Vec<Area>,
    /// The periods the demo classifies, oldest first, with each household's survey
    /// figures: up to the current year, whose lists were decided at the end of the last.
    pub periods: Vec<DemoPeriod>,
    /// The next year's period, whose periodic review runs at the end of this one, with
    /// what its survey finds; `None` past the last period the demo knows.
    pub next: Option<DemoPeriod>,
}

/// One period of the demo's classification history, before it is classified.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPeriod {
    /// The year the lists apply to.
    pub period: i32,
    /// The standard the period was classified under: `vn-2016` for 2021, `vn-2022` after.
    pub standard: String,
    /// What the survey found of each household, in the order of the plan's households:
    /// income per person per month under `vn-2016`, score A of form B1 under `vn-2022`.
    pub evidence: Vec<Evidence>,
}

impl DemoPeriod {
    /// A period with room for the survey figures of `households` households, under the
    /// standard that applied to it: `vn-2016` for the 2021 baseline, `vn-2022` for the
    /// lists of 2022 to 2026 (Decree 07/2021, extended to 2026), `vn-2027` after.
    pub fn new(period: i32, households: usize) -> DemoPeriod {
        let standard = match period {
            FIRST_PERIOD => "vn-2016",
            p if p <= 2026 => "vn-2022",
            _ => "vn-2027",
        };
        DemoPeriod {
            period,
            standard: standard.to_string(),
            evidence: Vec::with_capacity(households),
        }
    }

    /// The 2021 lists were the baseline the seed plan started from; every later period
    /// is the result of the periodic review held at the end of the year before.
    pub fn is_baseline(&self) -> bool {
        self.period == FIRST_PERIOD
    }
}

/// The first period of the demo history: the seed plan's year.
pub const FIRST_PERIOD: i32 = 2021;
/// The last period the demo may reach: 2027, the first year of the `vn-2027` standard,
/// whose periodic review runs in the autumn of 2026. Later years have no standard yet.
pub const LAST_PERIOD: i32 = 2027;

impl DemoPlan {
    /// The number of members over all households.
    pub fn member_count(&self) -> usize {
        self.households.iter().map(|h| h.members.len()).sum()
    }
}

/// Plans `households` households of the communes given as `(code, name, area)`, with
/// ages, cards and school years reckoned on `today`.
///
/// Every commune gets 8–20 villages and at least one household (when there are at least
/// as many households as communes); a township (thị trấn) or ward gets more households
/// and residential groups (tổ dân phố) instead of villages. The commune named Hương Liên,
/// or failing that the last rural commune, gets «Bản Rào Tre», a village of mostly Chứt
/// households: the Chứt of Hương Khê live there.
///
/// The classification history covers 2021 and 2022, and each later period up to 2026
/// whose review (at the end of the year before) lies in a year already begun on `today`;
/// [`DemoPlan::next`] holds the survey figures of the year after `today`'s (up to 2027).
pub fn plan(
    seed: u64,
    households: usize,
    communes: &[(String, String, Option<String>)],
    today: NaiveDate,
) -> DemoPlan {
    Generator::new(seed, today).plan(households, communes)
}

/// The communes of `district` in the official list shipped with the binary, as
/// `(code, name, area)`: what [`plan`] takes, for tests and benchmarks that run without a
/// database.
pub fn shipped_communes(district: &str) -> Vec<(String, String, Option<String>)> {
    let rows = giamngheo_sheets::units::read_units(crate::units::OFFICIAL_UNITS_CSV.as_bytes())
        .expect("the shipped units list is valid");
    rows.into_iter()
        .filter(|r| {
            r.parent_code
                .as_ref()
                .is_some_and(|p| p.as_str() == district)
        })
        .map(|r| {
            let area = r.area.or_else(|| r.kind.default_area());
            (
                r.code.as_str().to_string(),
                r.name,
                area.map(|a| a.as_str().to_string()),
            )
        })
        .collect()
}

/// One household's classification in one period, as the rules engine gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoStatus {
    /// What the engine was given: the area, the survey figure and the derived ticks.
    pub input: HouseholdInput,
    pub status: Status,
    pub deprivation_count: u8,
    pub score_b: u16,
    /// The move from the previous period; `None` in the first, which has none.
    pub transition: Option<TransitionKind>,
}

/// Classifies every household of `plan` in every period of it through the rules engine,
/// as a reviewer's survey would: the deprivations derived from the household's facts,
/// the income or score A from the plan, the transitions from the household's history.
/// The result follows `plan.periods`, each list following `plan.households`.
///
/// The facts are derived on `today`, the day the plan describes the households on: on
/// any other day ages and cards would be read out of their time (children not yet born,
/// cards not yet issued). The periods differ by their survey figures, which move faster
/// than the deprivations do.
pub fn classify_plan(
    plan: &DemoPlan,
    standards: &StandardSet,
    today: NaiveDate,
) -> Result<Vec<Vec<DemoStatus>>, AppError> {
    let used = plan
        .periods
        .iter()
        .map(|p| {
            standards.get(&p.standard).ok_or_else(|| {
                AppError::invalid("standard", format!("không có chuẩn nghèo «{}»", p.standard))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let windows = TransitionWindows::default();
    let mut out: Vec<Vec<DemoStatus>> = plan
        .periods
        .iter()
        .map(|_| Vec::with_capacity(plan.households.len()))
        .collect();
    let mut history: Vec<PeriodStatus> = Vec::with_capacity(plan.periods.len());
    let mut derived: Vec<(&str, IndicatorSet)> = Vec::with_capacity(2);
    for (i, draft) in plan.households.iter().enumerate() {
        let facts = crate::facts::household_facts(draft);
        history.clear();
        derived.clear();
        for (k, (period, standard)) in plan.periods.iter().zip(&used).enumerate() {
            // Periods under the same standard share the ticks, derived once.
            let deprived = match derived.iter().find(|(id, _)| *id == standard.id()) {
                Some((_, set)) => *set,
                None => {
                    let set = derive_deprivations(standard, &facts, today).deprived();
                    derived.push((standard.id(), set));
                    set
                }
            };
            let input = HouseholdInput {
                area: plan.areas[i],
                evidence: period.evidence[i],
                deprived,
            };
            let decision = standard
                .decide(&input)
                .map_err(|e| AppError::invalid("standard", e.to_string()))?;
            let current = PeriodStatus {
                year: period.period,
                status: decision.status,
            };
            let moved = (k > 0)
                .then(|| transition(history.last().copied(), current, &history, &windows).kind);
            history.push(current);
            out[k].push(DemoStatus {
                input,
                status: decision.status,
                deprivation_count: decision.deprivation_count,
                score_b: decision.score_b,
                transition: moved,
            });
        }
    }
    Ok(out)
}

/// The decision of a commune's periodic review that set the lists of `period`: its
/// number and date, a working day between 15 and 30 December of the year before, after
/// the review's deadline of 14 December.
pub fn demo_decision(seed: u64, commune: &str, period: i32) -> (String, NaiveDate) {
    let key = commune
        .bytes()
        .fold(seed ^ ((period as u64) << 40), |h, b| mix(h ^ u64::from(b)));
    let number = 100 + mix(key) % 400;
    let day = 15 + (mix(key ^ 1) % 16) as u32;
    let mut date = NaiveDate::from_ymd_opt(period - 1, 12, day).expect("a December day");
    // A weekend decision moves to the Friday before.
    while date.weekday().number_from_monday() > 5 {
        date = date.pred_opt().expect("within the calendar");
    }
    (format!("{number}/QĐ-UBND"), date)
}
