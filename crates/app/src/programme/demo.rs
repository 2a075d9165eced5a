//! The demo's year of programme funds (issue 16): plausible allocation flags on Hà
//! Tĩnh's communes (marked to confirm: they are a guess, not the ethnic committee's
//! decision), a provincial plan, allocations to every commune by the suggested formula,
//! and disbursements of part of each allocation. Deterministic from the seed.

use super::allocation::{AdoptItem, AdoptRequest, FlagsInput, SuggestRequest};
use super::ledger::{DisbursementInput, PlanInput};
use crate::access::{Actor, Role};
use crate::{App, AppError};
use chrono::{Datelike, NaiveDate};
use giamngheo_domain::Tier;
use giamngheo_rules::programme::Weighting;

/// The province the demo's funds are in (Hà Tĩnh).
const DEMO_PROVINCE: &str = "42";

/// The plan's lines: project, source and amount in VND for the year.
const DEMO_PLAN: [(&str, &str, u64); 3] = [
    ("c2", "central", 24_000_000_000),
    ("c4", "central", 12_000_000_000),
    ("c2", "provincial", 3_600_000_000),
];

/// A small deterministic mix of a seed and a code (FNV-1a), for the demo's choices.
fn mix(seed: u64, code: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in code.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What the demo's programme year wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoFunds {
    pub year: i32,
    pub communes: usize,
    pub allocations: usize,
    pub disbursements: usize,
}

impl App {
    /// Writes the demo's programme year for today's year, when a programme period and
    /// allocation coefficients cover it; otherwise nothing.
    pub async fn demo_programme(&self, seed: u64) -> Result<DemoFunds, AppError> {
        let today = self.clock().today();
        let year = today.year();
        if self.programme().allocation_rule_for(year).is_none()
            || self.programme().structure_for(year).is_none()
        {
            return Ok(DemoFunds::default());
        }
        let admin = Actor {
            user_id: 0,
            username: "demo".into(),
            role: Role::Admin,
            unit_code: DEMO_PROVINCE.into(),
            unit_tier: Tier::Province,
            agency_code: None,
        };
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
        let communes = self
            .store()
            .communes_for_allocation(
                DEMO_PROVINCE,
                first.max(self.unit(DEMO_PROVINCE).await?.valid_from),
            )
            .await?;
        // Hà Tĩnh's west borders Laos: about one commune in six is taken as a border
        // commune, the mountain ones as zone II or III.
        for c in &communes {
            let h = mix(seed, &c.code);
            let zone = match h % 10 {
                0 => Some("III"),
                1..=3 => Some("II"),
                4..=6 => Some("I"),
                _ => None,
            };
            self.set_allocation_flags(
                &admin,
                &c.code,
                &FlagsInput {
                    zone: zone.map(str::to_string),
                    safety_zone: h.is_multiple_of(29),
                    island: false,
                    special_zone: false,
                    to_confirm: true,
                },
            )
            .await?;
        }
        let plan_day = NaiveDate::from_ymd_opt(year, 1, 15)
            .unwrap_or(today)
            .min(today);
        for (project, source, amount) in DEMO_PLAN {
            self.record_plan(
                &admin,
                &PlanInput {
                    unit: DEMO_PROVINCE.into(),
                    year,
                    project: project.into(),
                    source: source.into(),
                    amount,
                    date: plan_day,
                    document_number: Some(format!("KH-{year}/UBND (dữ liệu mẫu)")),
                },
            )
            .await?;
        }
        let allocation_day = NaiveDate::from_ymd_opt(year, 2, 20)
            .unwrap_or(today)
            .min(today);
        let mut allocations = 0;
        let mut disbursements = 0;
        for (n, (project, source, amount)) in DEMO_PLAN.into_iter().enumerate() {
            // Nine tenths of the plan is allocated; the rest is kept for later in the year.
            let total = amount / 10 * 9;
            let suggestion = self
                .suggest_allocation(
                    &admin,
                    &SuggestRequest {
                        unit: DEMO_PROVINCE.into(),
                        year,
                        total,
                        weighting: Weighting::Coefficients,
                    },
                )
                .await?;
            let items: Vec<AdoptItem> = suggestion
                .items
                .iter()
                .map(|i| AdoptItem {
                    unit: i.unit.clone(),
                    amount: i.share,
                })
                .collect();
            allocations += self
                .adopt_allocation(
                    &admin,
                    &AdoptRequest {
                        unit: DEMO_PROVINCE.into(),
                        year,
                        project: project.into(),
                        source: source.into(),
                        date: allocation_day,
                        document_number: Some(format!("{}/QĐ-UBND (dữ liệu mẫu)", 100 + n)),
                        weighting: Weighting::Coefficients,
                        items: items.clone(),
                    },
                )
                .await?
                .len();
            // Each commune has spent between a fifth and nine tenths of its share.
            for item in &items {
                let h = mix(seed ^ n as u64, &item.unit);
                let percent = 20 + h % 71;
                let spent = item.amount / 100 * percent;
                if spent == 0 {
                    continue;
                }
                let days = (today - allocation_day).num_days().max(0) as u64;
                let day = allocation_day + chrono::Days::new(if days == 0 { 0 } else { h % days });
                self.record_disbursement(
                    &admin,
                    &DisbursementInput {
                        unit: item.unit.clone(),
                        year,
                        project: project.into(),
                        source: source.into(),
                        activity_id: None,
                        amount: spent,
                        date: day,
                        document_number: Some(format!("PC-{:04}", h % 10_000)),
                        note: Some("dữ liệu mẫu".into()),
                        overdraw_note: None,
                    },
                )
                .await?;
                disbursements += 1;
            }
        }
        tracing::info!(
            year,
            communes = communes.len(),
            allocations,
            disbursements,
            "demo programme funds written"
        );
        Ok(DemoFunds {
            year,
            communes: communes.len(),
            allocations,
            disbursements,
        })
    }
}
