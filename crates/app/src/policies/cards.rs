//! The member form's card fields write `bhyt` benefits, so that the benefits stay the one
//! source the targets and the coverage read (migration 0061 moved the cards recorded
//! before). A member whose card number or expiry differs from their current `bhyt`
//! benefit gets a new benefit (the first) or a correction (a new row superseding the old).
//! Clearing the card fields leaves the benefit as it was: a card is ended by correcting
//! its benefit, never by deleting history.

use crate::{App, AppError};
use chrono::{Datelike, NaiveDate};
use giamngheo_store::{AuditEntry, NewBenefit};

/// The policy code of the health-insurance card.
pub const CARD_POLICY: &str = "bhyt";

impl App {
    /// Brings the `bhyt` benefits of these households in line with their members' card
    /// fields, recorded by `username` (`user_id` when a user saved the form).
    pub(crate) async fn sync_cards(
        &self,
        username: &str,
        user_id: Option<i64>,
        household_ids: &[i64],
    ) -> Result<(), AppError> {
        let now = self
            .clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut new_rows = Vec::new();
        let mut new_audit = Vec::new();
        for &hh in household_ids {
            let members = self.store().members_of(hh, false).await?;
            if !members
                .iter()
                .any(|m| m.fields.health_insurance_number.is_some())
            {
                continue;
            }
            let Some(household) = self.store().household(hh).await? else {
                continue;
            };
            let benefits = self.store().household_benefits(hh).await?;
            for m in &members {
                let Some(number) = m.fields.health_insurance_number.as_deref() else {
                    continue;
                };
                let number = number.trim().to_string();
                let expiry = m.fields.health_insurance_expiry;
                let current = benefits.iter().rev().find(|b| {
                    b.policy == CARD_POLICY && b.member_id == Some(m.id) && b.voided_at.is_none()
                });
                if current.is_some_and(|b| {
                    b.reference.as_deref() == Some(number.as_str()) && b.valid_to == expiry
                }) {
                    continue;
                }
                // A card runs a year: its first day is the day after the same date a year
                // before the expiry, or the day it is entered when the form has no expiry.
                let valid_from = match expiry {
                    Some(to) => NaiveDate::from_ymd_opt(to.year() - 1, to.month(), to.day())
                        .and_then(|d| d.succ_opt())
                        .unwrap_or(to),
                    None => self.clock().today(),
                };
                let row = NewBenefit {
                    household_id: hh,
                    member_id: Some(m.id),
                    policy: CARD_POLICY.into(),
                    valid_from,
                    valid_to: expiry,
                    amount: None,
                    quantity: None,
                    agency_code: None,
                    reference: Some(number.clone()),
                    unit_code: household.fields.village_code.clone(),
                    province_code: household.fields.province_code.clone(),
                    source: "entry".into(),
                    import_id: None,
                    recorded_by: username.to_string(),
                };
                let entry = AuditEntry {
                    at: now.clone(),
                    user_id,
                    username: username.to_string(),
                    action: if current.is_some() {
                        "benefit.correct".into()
                    } else {
                        "benefit.create".into()
                    },
                    entity: "benefit".into(),
                    entity_id: String::new(),
                    household_id: Some(hh),
                    unit_code: Some(household.fields.village_code.clone()),
                    province_code: Some(household.fields.province_code.clone()),
                    changes: serde_json::json!([
                        {"field": "policy", "old": null, "new": CARD_POLICY},
                        {"field": "member_id", "old": null, "new": m.id},
                        {"field": "valid_to", "old": current.and_then(|b| b.valid_to), "new": expiry},
                    ])
                    .to_string(),
                    reason: Some("thẻ BHYT ghi trên phiếu thành viên".into()),
                };
                match current {
                    Some(old) => {
                        self.store()
                            .correct_benefit(old.id, &row, &entry, &now)
                            .await?;
                    }
                    None => {
                        new_rows.push(row);
                        new_audit.push(entry);
                    }
                }
            }
        }
        if !new_rows.is_empty() {
            self.store()
                .insert_benefits(&new_rows, &new_audit, &now)
                .await?;
        }
        Ok(())
    }
}
