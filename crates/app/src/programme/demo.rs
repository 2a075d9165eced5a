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

/// The administrator of the demo's province, who writes its programme year.
fn demo_admin() -> Actor {
    Actor {
        user_id: 0,
        username: "demo".into(),
        role: Role::Admin,
        unit_code: DEMO_PROVINCE.into(),
        unit_tier: Tier::Province,
        agency_code: None,
    }
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
        let admin = demo_admin();
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

/// The demo's activities of one commune: activity type, name, planned and done
/// quantities, the month it started, households on its list, and for events the
/// participants (all, women, ethnic minority).
type DemoActivity = (
    &'static str,
    &'static str,
    i64,
    i64,
    u32,
    usize,
    Option<(i32, i32, i32)>,
);

/// The year's activities of each demo commune, by activity type: each is written under
/// the project of the year's structure that has that type (the last one, the project
/// of its own rather than a sub-project of Programme 30a), and left out in a period
/// whose structure has no such type.
const DEMO_ACTIVITIES: [DemoActivity; 5] = [
    (
        "livelihood_model",
        "Mô hình nuôi bò sinh sản (dữ liệu mẫu)",
        12,
        10,
        3,
        10,
        None,
    ),
    (
        "housing",
        "Hỗ trợ sửa chữa nhà ở cho hộ nghèo (dữ liệu mẫu)",
        5,
        3,
        4,
        3,
        None,
    ),
    (
        "vocational_training",
        "Lớp đào tạo nghề may công nghiệp (dữ liệu mẫu)",
        30,
        25,
        5,
        0,
        None,
    ),
    (
        "communication_event",
        "Hội nghị truyền thông về chính sách giảm nghèo (dữ liệu mẫu)",
        2,
        1,
        6,
        0,
        Some((64, 37, 5)),
    ),
    (
        "training",
        "Tập huấn cán bộ xã về rà soát hộ nghèo (dữ liệu mẫu)",
        1,
        1,
        2,
        0,
        Some((28, 11, 2)),
    ),
];

/// What the demo's livelihood model gives its participants, and what its events were for
/// and handed out, as a commune's minutes write them.
const DEMO_MODEL_INPUTS: &str = "Mỗi hộ 01 con bò cái giống lai Sind, 200 kg thức ăn tinh, vắc-xin và 02 buổi tập huấn kỹ thuật chăn nuôi (dữ liệu mẫu)";
const DEMO_EVENT_AUDIENCE: &str =
    "Hộ nghèo, hộ cận nghèo, trưởng thôn và cán bộ đoàn thể của xã (dữ liệu mẫu)";
const DEMO_EVENT_MATERIALS: &str =
    "Tờ gấp về chính sách giảm nghèo, sổ tay hướng dẫn và pa-nô tại nhà văn hóa (dữ liệu mẫu)";

/// How many of the demo's communes get activities: enough for the pages and the
/// evaluation to show something, few enough to keep the demo quick.
const DEMO_ACTIVITY_COMMUNES: usize = 4;

impl App {
    /// Writes the demo's activities of today's year (when a programme period covers it)
    /// in the first communes of `households` (commune code → household ids), with the
    /// households of each livelihood model and housing line on their lists; returns how
    /// many activities were written.
    pub async fn demo_activities(
        &self,
        seed: u64,
        households: &std::collections::BTreeMap<String, Vec<i64>>,
    ) -> Result<usize, AppError> {
        let today = self.clock().today();
        let year = today.year();
        if self.programme().structure_for(year).is_none() {
            return Ok(0);
        }
        let admin = demo_admin();
        let mut written = 0;
        for (commune, ids) in households.iter().take(DEMO_ACTIVITY_COMMUNES) {
            for (kind, name, planned, done, month, listed, event) in DEMO_ACTIVITIES {
                // An activity of a kind the year's structure does not have is left out
                // rather than failing the demo: the structure is data and may change.
                let Some(project) = self
                    .structure_for(year)?
                    .activity_places()
                    .filter(|p| p.activity_type.code == kind)
                    .last()
                    .map(|p| {
                        p.subproject
                            .map(|s| &s.code)
                            .unwrap_or(&p.project.code)
                            .clone()
                    })
                else {
                    continue;
                };
                let start =
                    NaiveDate::from_ymd_opt(year, month, 1 + (mix(seed, commune) % 20) as u32)
                        .unwrap_or(today)
                        .min(today);
                let input = super::ActivityInput {
                    unit: commune.clone(),
                    year,
                    project,
                    activity_type: kind.into(),
                    name: name.into(),
                    start_date: start,
                    end_date: None,
                    planned_quantity: Some(planned),
                    done_quantity: Some(done),
                    place: event.map(|_| "Hội trường Ủy ban nhân dân xã".into()),
                    content: event
                        .map(|_| "Các chính sách hỗ trợ giảm nghèo của chương trình".into()),
                    participants: event.map(|e| e.0),
                    participants_women: event.map(|e| e.1),
                    participants_minority: event.map(|e| e.2),
                    inputs: (kind == "livelihood_model").then(|| DEMO_MODEL_INPUTS.into()),
                    audience: event.map(|_| DEMO_EVENT_AUDIENCE.into()),
                    materials: event.map(|_| DEMO_EVENT_MATERIALS.into()),
                };
                let id = self.record_activity(&admin, &input).await?;
                written += 1;
                self.demo_activity_cost(&admin, commune, year, &input.project, id, start)
                    .await?;
                if listed == 0 || ids.is_empty() {
                    continue;
                }
                // A deterministic choice of households spread over the commune's list.
                let step = (ids.len() / listed).max(1);
                let offset = (mix(seed ^ id as u64, commune) as usize) % step;
                let mut rows = Vec::new();
                for household_id in ids.iter().skip(offset).step_by(step).take(listed) {
                    let Some(h) = self.store().household(*household_id).await? else {
                        continue;
                    };
                    let Some(home) = self.store().home_province_of(*household_id).await? else {
                        continue;
                    };
                    rows.push(giamngheo_store::NewBeneficiary {
                        home_province: home,
                        household_id: Some(*household_id),
                        member_id: None,
                        commune_code: h.fields.commune_code.clone(),
                        action: "add".into(),
                        reason: None,
                    });
                }
                let audits: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        self.audit(
                            &admin,
                            "programme.beneficiary.add",
                            "programme_activity",
                            id.to_string(),
                            r.household_id,
                            &r.commune_code,
                            DEMO_PROVINCE,
                            Vec::new(),
                        )
                    })
                    .collect();
                self.store()
                    .record_beneficiaries(
                        id,
                        &rows,
                        &audits,
                        &super::allocation::recorder(&admin),
                        self.clock().now(),
                    )
                    .await?;
            }
        }
        tracing::info!(
            year,
            activities = written,
            "demo programme activities written"
        );
        Ok(written)
    }
    /// Pays part of what is left of the commune's allocations of the activity's budget
    /// line from each of the demo's sources, naming the activity, so that its page shows
    /// its cost by source: a third of each balance, in thousands of đồng.
    async fn demo_activity_cost(
        &self,
        admin: &Actor,
        commune: &str,
        year: i32,
        project: &str,
        activity_id: i64,
        day: NaiveDate,
    ) -> Result<(), AppError> {
        let province = self.unit(commune).await?.province_code;
        let entries = self
            .store()
            .entries(
                &province,
                year,
                &[commune.to_string()],
                &["allocation", "disbursement"],
            )
            .await?;
        let mut sources: Vec<&str> = DEMO_PLAN
            .iter()
            .filter(|(p, _, _)| *p == project)
            .map(|(_, s, _)| *s)
            .collect();
        sources.dedup();
        for source in sources {
            let balance: i64 = entries
                .iter()
                .filter(|e| e.project == project && e.source == source)
                .map(|e| match e.kind.as_str() {
                    "allocation" => e.amount,
                    _ => -e.amount,
                })
                .sum();
            let amount = (balance / 3 / 1_000 * 1_000).max(0) as u64;
            if amount == 0 {
                continue;
            }
            self.record_disbursement(
                admin,
                &DisbursementInput {
                    unit: commune.into(),
                    year,
                    project: project.into(),
                    source: source.into(),
                    activity_id: Some(activity_id),
                    amount,
                    date: day,
                    document_number: Some(format!("PC-HD-{activity_id:04}")),
                    note: Some("chi cho hoạt động (dữ liệu mẫu)".into()),
                    overdraw_note: None,
                },
            )
            .await?;
        }
        Ok(())
    }
}
