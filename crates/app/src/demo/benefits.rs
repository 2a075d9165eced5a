//! The demo's benefits: besides the cards the members' forms carry (which become `bhyt`
//! benefits, policies/cards.rs), loans for some poor households, tuition exemption for
//! most pupils of poor households, and a handful of planted benefits to households that
//! were not eligible, so that coverage and the findings show something true. Everything
//! is decided by the seed and the household ids, so a demo is the same every time.

use crate::{App, AppError};
use chrono::{Datelike, NaiveDate};
use giamngheo_rules::Status;
use giamngheo_store::{AuditEntry, NewBenefit};

/// A number from 0 to 99 drawn from the seed and an id, the same on every run.
fn draw(seed: u64, id: i64, salt: u64) -> u64 {
    let mut x = seed ^ (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x % 100
}

/// The share of poor households with a loan, and of their pupils with tuition exemption,
/// in per cent; how many ineligible loans are planted.
const LOAN_SHARE: u64 = 40;
const TUITION_SHARE: u64 = 90;
const PLANTED: usize = 5;

/// The school levels whose tuition the demo records (the policy's own list decides who is
/// eligible; these are the pupils the schools would list).
const PUPIL_LEVELS: [&str; 4] = ["preschool", "primary", "lower_secondary", "upper_secondary"];

impl App {
    /// Records the demo's loans, tuition and planted benefits for households `(status in
    /// the latest period, id)`. Returns how many were recorded.
    pub(super) async fn demo_benefits(
        &self,
        seed: u64,
        households: &[(Status, i64)],
    ) -> Result<usize, AppError> {
        let today = self.clock().today();
        let loan_day = NaiveDate::from_ymd_opt(today.year(), 3, 1)
            .unwrap_or(today)
            .min(today);
        // The school year running today: from 5 September to 31 May.
        let school_start_year = if (today.month(), today.day()) >= (9, 5) {
            today.year()
        } else {
            today.year() - 1
        };
        let school_from = NaiveDate::from_ymd_opt(school_start_year, 9, 5).unwrap_or(today);
        let school_to = NaiveDate::from_ymd_opt(school_start_year + 1, 5, 31).unwrap_or(today);
        let now = self
            .clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut rows = Vec::new();
        let mut audit = Vec::new();
        let mut planted = 0;
        for &(status, id) in households {
            let loan = status == Status::Poor && draw(seed, id, 1) < LOAN_SHARE;
            let plant = status == Status::NotPoor && planted < PLANTED && draw(seed, id, 2) < 2;
            let pupils = status == Status::Poor;
            if !loan && !plant && !pupils {
                continue;
            }
            let Some(household) = self.store().household(id).await? else {
                continue;
            };
            let base = NewBenefit {
                household_id: id,
                member_id: None,
                policy: "loan_poor".into(),
                valid_from: loan_day,
                valid_to: None,
                amount: Some(50_000_000),
                quantity: None,
                agency_code: None,
                reference: Some(format!("HĐ-{id}")),
                unit_code: household.fields.village_code.clone(),
                province_code: household.fields.province_code.clone(),
                source: "demo".into(),
                import_id: None,
                recorded_by: "demo".into(),
            };
            let mut add = |row: NewBenefit| {
                audit.push(AuditEntry {
                    at: now.clone(),
                    user_id: None,
                    username: "demo".into(),
                    action: "benefit.create".into(),
                    entity: "benefit".into(),
                    entity_id: String::new(),
                    household_id: Some(id),
                    unit_code: Some(row.unit_code.clone()),
                    province_code: Some(row.province_code.clone()),
                    changes:
                        serde_json::json!([{"field": "policy", "old": null, "new": row.policy}])
                            .to_string(),
                    reason: Some("dữ liệu mẫu".into()),
                });
                rows.push(row);
            };
            if loan || plant {
                if plant {
                    planted += 1;
                }
                add(base.clone());
            }
            if pupils {
                for m in self.store().members_of(id, false).await? {
                    let at_school = m
                        .fields
                        .school_level
                        .as_deref()
                        .is_some_and(|l| PUPIL_LEVELS.contains(&l));
                    if at_school && draw(seed, m.id, 3) < TUITION_SHARE {
                        add(NewBenefit {
                            member_id: Some(m.id),
                            policy: "tuition_exemption".into(),
                            valid_from: school_from,
                            valid_to: Some(school_to),
                            amount: None,
                            reference: Some(format!("QĐ-MHP-{school_start_year}")),
                            ..base.clone()
                        });
                    }
                }
            }
        }
        if !rows.is_empty() {
            self.store().insert_benefits(&rows, &audit, &now).await?;
        }
        tracing::info!(benefits = rows.len(), planted, "demo benefits recorded");
        Ok(rows.len())
    }
}
