//! An inspection's findings (phát hiện): each names what it is about (a household of
//! the inspected unit, a benefit, an activity), the action required, the agency
//! responsible and a deadline, and stays open until the office or that agency closes it
//! as justified or corrected (`App::close_finding`, the one rule for findings of every
//! source). A closed finding is not reopened: history is kept.

use super::audit;
use crate::access::Actor;
use crate::reports::tier_of;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_domain::text::normalize;
use giamngheo_store::NewFinding;

/// The kinds of finding an inspection records, with their Vietnamese and English
/// names: the form offers these, so no code is typed by hand.
pub const INSPECTION_FINDING_KINDS: [(&str, &str, &str); 5] = [
    (
        "wrong_class",
        "Phân loại hộ chưa đúng",
        "Household wrongly classified",
    ),
    (
        "missing_document",
        "Thiếu hồ sơ, giấy tờ",
        "Missing document",
    ),
    (
        "benefit_not_received",
        "Hộ chưa được hưởng chính sách",
        "Benefit not received",
    ),
    (
        "wrong_procedure",
        "Thực hiện chưa đúng quy trình",
        "Procedure not followed",
    ),
    ("other", "Phát hiện khác", "Other finding"),
];

/// A finding as the inspectors record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingInput {
    /// What was found, as a short code (wrong_class, missing_document, benefit_not_received, …).
    pub kind: String,
    pub household_id: Option<i64>,
    pub benefit_id: Option<i64>,
    pub activity_id: Option<i64>,
    /// What was seen, in words (no names: the household is named by its id).
    pub evidence: String,
    pub required_action: String,
    pub responsible_agency: String,
    pub deadline: NaiveDate,
}

/// How a finding is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingStatus {
    /// The finding was looked into and the record was right.
    Justified,
    /// The record was corrected.
    Corrected,
}

impl FindingStatus {
    pub fn code(self) -> &'static str {
        match self {
            FindingStatus::Justified => "justified",
            FindingStatus::Corrected => "corrected",
        }
    }

    pub fn parse(s: &str) -> Option<FindingStatus> {
        match s.trim() {
            "justified" => Some(FindingStatus::Justified),
            "corrected" => Some(FindingStatus::Corrected),
            _ => None,
        }
    }
}

const MAX_TEXT_CHARS: usize = 4000;

fn text(field: &str, value: &str, required: bool) -> Result<String, AppError> {
    let value = normalize(value.trim());
    if required && value.is_empty() {
        return Err(AppError::invalid(field, "không được để trống"));
    }
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::invalid(
            field,
            format!("dài quá {MAX_TEXT_CHARS} ký tự"),
        ));
    }
    Ok(value)
}

impl App {
    /// Whether household `id` is active and lies in the unit `code` of tier `tier`. Only
    /// that one household is read: loading every household of a province to test one id
    /// would cost a full scan per finding.
    async fn household_inside(
        &self,
        id: i64,
        tier: giamngheo_domain::Tier,
        code: &str,
    ) -> Result<bool, AppError> {
        let Some(h) = self.store().household(id).await? else {
            return Ok(false);
        };
        let f = &h.fields;
        let at = match tier {
            giamngheo_domain::Tier::Province => Some(&f.province_code),
            giamngheo_domain::Tier::District => f.district_code.as_ref(),
            giamngheo_domain::Tier::Commune => Some(&f.commune_code),
            giamngheo_domain::Tier::Village => Some(&f.village_code),
        };
        Ok(h.active && at.is_some_and(|c| c == code))
    }

    /// Records a finding of inspection `id`; its id.
    pub async fn add_inspection_finding(
        &self,
        actor: &Actor,
        id: i64,
        input: FindingInput,
    ) -> Result<i64, AppError> {
        let record = self.writable_inspection(actor, id).await?;
        let kind = input.kind.trim().to_string();
        if !INSPECTION_FINDING_KINDS.iter().any(|(k, _, _)| *k == kind) {
            return Err(AppError::invalid(
                "kind",
                format!(
                    "loại phát hiện không rõ; chọn một trong: {}",
                    INSPECTION_FINDING_KINDS
                        .iter()
                        .map(|(_, vi, _)| *vi)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            ));
        }
        let evidence = text("evidence", &input.evidence, true)?;
        let required_action = text("required_action", &input.required_action, true)?;
        let agency = self
            .store()
            .agency(input.responsible_agency.trim())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "responsible_agency",
                    format!("không có cơ quan mã «{}»", input.responsible_agency.trim()),
                )
            })?;
        // A household, benefit or activity of the inspected unit only; another is "not
        // found" without saying where it is.
        if input.household_id.is_some() || input.benefit_id.is_some() {
            let unit = self.unit(&record.unit_code).await?;
            let tier = tier_of(&unit);
            if let Some(h) = input.household_id
                && !self.household_inside(h, tier, &unit.code).await?
            {
                return Err(AppError::invalid(
                    "household_id",
                    format!("không có hộ số {h} trong đơn vị được kiểm tra"),
                ));
            }
            if let Some(b) = input.benefit_id {
                let inside = match self.store().benefit(b).await? {
                    Some(x) => {
                        self.household_inside(x.household_id, tier, &unit.code)
                            .await?
                    }
                    None => false,
                };
                if !inside {
                    return Err(AppError::invalid(
                        "benefit_id",
                        format!(
                            "không có bản ghi hưởng chính sách số {b} trong đơn vị được kiểm tra"
                        ),
                    ));
                }
            }
        }
        if let Some(a) = input.activity_id {
            let activity = self.store().activity(a).await?;
            let inside = match activity {
                Some(act) => self
                    .store()
                    .ancestry(&act.fields.unit_code)
                    .await?
                    .iter()
                    .any(|u| u.code == record.unit_code),
                None => false,
            };
            if !inside {
                return Err(AppError::invalid(
                    "activity_id",
                    format!("không có hoạt động số {a} trong đơn vị được kiểm tra"),
                ));
            }
        }
        let row = NewFinding {
            source: "inspection".into(),
            kind: kind.clone(),
            check_key: None,
            province_code: record.province_code.clone(),
            unit_code: record.unit_code.clone(),
            household_id: input.household_id,
            member_id: None,
            benefit_id: input.benefit_id,
            activity_id: input.activity_id,
            inspection_id: Some(id),
            evidence: serde_json::json!({ "note": evidence }).to_string(),
            required_action: Some(required_action),
            responsible_agency: Some(agency.code.clone()),
            deadline: Some(input.deadline),
        };
        let mut entry = audit(
            self,
            actor,
            "finding.create",
            "finding",
            0,
            &record,
            serde_json::json!([
                {"field": "kind", "old": null, "new": kind},
                {"field": "inspection_id", "old": null, "new": id},
                {"field": "responsible_agency", "old": null, "new": agency.code},
            ]),
        );
        entry.household_id = input.household_id;
        self.store()
            .insert_finding(&row, &entry)
            .await?
            .ok_or_else(|| AppError::Conflict("phát hiện này đã được ghi".into()))
    }
}
