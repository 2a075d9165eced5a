//! Benefit records: entry on a household's page, bulk entry, correction and history.

use crate::access::{Action, Actor};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_rules::{Beneficiary, Policy};
use giamngheo_store::{AuditEntry, BenefitRecord, HouseholdRecord, NewBenefit};
use serde::Serialize;

/// The longest agency reference accepted (card number, loan contract, decision number).
const MAX_REFERENCE_CHARS: usize = 60;

/// The most rows one bulk entry takes; a larger list is an import.
pub const MAX_BULK_ROWS: usize = 5_000;

/// One benefit as a user enters it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BenefitInput {
    pub household_id: i64,
    /// The member, for a policy given to a person; `None` for a household policy.
    pub member_id: Option<i64>,
    pub policy: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub amount: Option<i64>,
    pub quantity: Option<f64>,
    pub reference: Option<String>,
}

/// A stored benefit as the pages and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenefitView {
    pub id: i64,
    pub household_id: i64,
    pub member_id: Option<i64>,
    pub policy: String,
    pub policy_name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub amount: Option<i64>,
    pub quantity: Option<f64>,
    pub agency_code: Option<String>,
    pub reference: Option<String>,
    pub source: String,
    pub supersedes: Option<i64>,
    /// Set when a correction replaced this row; it stays for history.
    pub voided_at: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl BenefitView {
    fn of(record: BenefitRecord, policy_name: String) -> BenefitView {
        BenefitView {
            id: record.id,
            household_id: record.household_id,
            member_id: record.member_id,
            policy: record.policy,
            policy_name,
            valid_from: record.valid_from,
            valid_to: record.valid_to,
            amount: record.amount,
            quantity: record.quantity,
            agency_code: record.agency_code,
            reference: record.reference,
            source: record.source,
            supersedes: record.supersedes,
            voided_at: record.voided_at,
            recorded_by: record.recorded_by,
            recorded_at: record.recorded_at,
        }
    }

    /// Whether the row is in force (not replaced by a correction).
    pub fn is_current(&self) -> bool {
        self.voided_at.is_none()
    }
}

/// Prefixes a field error with its row of a bulk entry ("dòng 3: …").
fn on_row(row: Option<usize>, error: AppError) -> AppError {
    match (row, error) {
        (Some(n), AppError::Invalid { field, message }) => AppError::Invalid {
            field,
            message: format!("dòng {n}: {message}"),
        },
        (_, other) => other,
    }
}

impl App {
    /// Records one benefit entered on a household's page.
    pub async fn record_benefit(
        &self,
        actor: &Actor,
        input: BenefitInput,
    ) -> Result<i64, AppError> {
        let ids = self.record_benefits(actor, vec![input], "entry").await?;
        Ok(ids[0])
    }

    /// Records a list of benefits (bulk entry: a list of members or households and one
    /// policy). Every row is checked first; one bad row refuses the whole list, naming its
    /// row (from 1) and field, and nothing is recorded.
    pub async fn record_benefits(
        &self,
        actor: &Actor,
        inputs: Vec<BenefitInput>,
        source: &str,
    ) -> Result<Vec<i64>, AppError> {
        if inputs.is_empty() {
            return Err(AppError::invalid("rows", "danh sách trống"));
        }
        if inputs.len() > MAX_BULK_ROWS {
            return Err(AppError::invalid(
                "rows",
                format!("danh sách quá {MAX_BULK_ROWS} dòng; hãy nhập bằng tệp"),
            ));
        }
        let bulk = inputs.len() > 1;
        let mut rows = Vec::with_capacity(inputs.len());
        let mut audit = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.into_iter().enumerate() {
            let row = bulk.then_some(i + 1);
            let (new, entry) = self
                .checked_benefit(actor, input, source)
                .await
                .map_err(|e| on_row(row, e))?;
            rows.push(new);
            audit.push(entry);
        }
        let ids = self
            .store()
            .insert_benefits(&rows, &audit, &self.benefit_clock_text())
            .await?;
        tracing::info!(count = ids.len(), source, "benefits recorded");
        Ok(ids)
    }

    /// Corrects benefit `id`: the corrected values become a new row that names the old
    /// one, and the old row is voided (kept for history). The policy and the household
    /// stay those of the old row.
    pub async fn correct_benefit(
        &self,
        actor: &Actor,
        id: i64,
        mut input: BenefitInput,
        reason: &str,
    ) -> Result<i64, AppError> {
        let not_found = || AppError::NotFound(format!("bản ghi hưởng chính sách số {id}"));
        let old = self.store().benefit(id).await?.ok_or_else(not_found)?;
        let reason = giamngheo_domain::text::normalize(reason.trim());
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "cần nêu lý do sửa"));
        }
        input.household_id = old.household_id;
        input.policy = old.policy.clone();
        let (new, mut entry) = self
            .checked_benefit(actor, input, &old.source)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        if old.voided_at.is_some() {
            return Err(AppError::Conflict(
                "bản ghi này đã được sửa; hãy sửa bản ghi mới nhất".into(),
            ));
        }
        entry.action = "benefit.correct".into();
        entry.reason = Some(reason);
        let new_id = self
            .store()
            .correct_benefit(id, &new, &entry, &self.benefit_clock_text())
            .await?;
        Ok(new_id)
    }

    /// Every benefit of a household the actor may see, corrected rows included (marked),
    /// oldest first.
    pub async fn household_benefits(
        &self,
        actor: &Actor,
        household_id: i64,
    ) -> Result<Vec<BenefitView>, AppError> {
        let household = self.visible_household(actor, household_id).await?;
        self.authorize(actor, Action::ReadPersonal, &household.fields.village_code)
            .await?;
        let records = self.store().household_benefits(household_id).await?;
        Ok(records
            .into_iter()
            .map(|r| {
                let name = self
                    .policies()
                    .get(&r.policy)
                    .map_or_else(|| r.policy.clone(), |p| p.name_vi.clone());
                BenefitView::of(r, name)
            })
            .collect())
    }

    /// The household if it exists and lies in the actor's area; otherwise not found, with
    /// no name.
    async fn visible_household(
        &self,
        actor: &Actor,
        household_id: i64,
    ) -> Result<HouseholdRecord, AppError> {
        let not_found = || AppError::NotFound(format!("hộ số {household_id}"));
        let household = self
            .store()
            .household(household_id)
            .await?
            .ok_or_else(not_found)?;
        self.authorize(
            actor,
            Action::ReadAggregates,
            &household.fields.village_code,
        )
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => not_found(),
            other => other,
        })?;
        Ok(household)
    }

    /// Checks one benefit and the actor's right to record it; gives the row to store and
    /// its audit entry.
    async fn checked_benefit(
        &self,
        actor: &Actor,
        input: BenefitInput,
        source: &str,
    ) -> Result<(NewBenefit, AuditEntry), AppError> {
        let policy: &Policy = self.policy(&input.policy)?;
        let household = self.visible_household(actor, input.household_id).await?;
        let unit = household.fields.village_code.clone();
        self.authorize_benefit_write(actor, policy, &unit).await?;
        if !household.active {
            return Err(AppError::invalid(
                "household_id",
                "hộ đã ngừng theo dõi (đã nhập hoặc tách)",
            ));
        }
        match (policy.beneficiary, input.member_id) {
            (Beneficiary::Person, None) => {
                return Err(AppError::invalid(
                    "member_id",
                    format!(
                        "chính sách «{}» cấp cho từng người: chọn thành viên",
                        policy.name_vi
                    ),
                ));
            }
            (Beneficiary::Household, Some(_)) => {
                return Err(AppError::invalid(
                    "member_id",
                    format!(
                        "chính sách «{}» cấp cho cả hộ: không chọn thành viên",
                        policy.name_vi
                    ),
                ));
            }
            (Beneficiary::Person, Some(member_id)) => {
                let member = self.store().member(member_id).await?;
                if member.is_none_or(|m| m.household_id != household.id) {
                    return Err(AppError::invalid(
                        "member_id",
                        "thành viên không thuộc hộ này",
                    ));
                }
            }
            (Beneficiary::Household, None) => {}
        }
        let Some(valid_from) = input.valid_from else {
            return Err(AppError::invalid("valid_from", "thiếu ngày hưởng"));
        };
        if input.valid_to.is_some_and(|to| to < valid_from) {
            return Err(AppError::invalid(
                "valid_to",
                "ngày hết hạn trước ngày bắt đầu",
            ));
        }
        if input.amount.is_some_and(|a| a < 0) {
            return Err(AppError::invalid("amount", "số tiền không được âm"));
        }
        if input.quantity.is_some_and(|q| !q.is_finite() || q < 0.0) {
            return Err(AppError::invalid("quantity", "số lượng không hợp lệ"));
        }
        // The catalogue says which policies count their benefits (m² of land, months of
        // training); for those the quantity is part of the record, for the others it
        // would be a figure nobody reads.
        match (&policy.quantity, input.quantity) {
            (Some(unit), None) => {
                return Err(AppError::invalid(
                    "quantity",
                    format!(
                        "chính sách «{}» cần ghi số lượng (tính bằng {})",
                        policy.name_vi, unit.unit_vi
                    ),
                ));
            }
            (None, Some(_)) => {
                return Err(AppError::invalid(
                    "quantity",
                    format!("chính sách «{}» không ghi số lượng", policy.name_vi),
                ));
            }
            _ => {}
        }
        let reference = input
            .reference
            .map(|r| giamngheo_domain::text::normalize(r.trim()))
            .filter(|r| !r.is_empty());
        if reference
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_REFERENCE_CHARS)
        {
            return Err(AppError::invalid(
                "reference",
                format!("số hiệu dài quá {MAX_REFERENCE_CHARS} ký tự"),
            ));
        }
        // The agency is the actor's when it provides the policy; the office recording on
        // an agency's behalf leaves it empty rather than guess.
        let agency_code = match actor.agency_code.as_deref() {
            Some(code) => match self.store().agency(code).await? {
                Some(agency) if policy.recorded_by(&agency.kind) => Some(agency.code),
                _ => None,
            },
            None => None,
        };
        let row = NewBenefit {
            household_id: household.id,
            member_id: input.member_id,
            policy: policy.code.clone(),
            valid_from,
            valid_to: input.valid_to,
            amount: input.amount,
            quantity: input.quantity,
            agency_code,
            reference,
            unit_code: unit.clone(),
            province_code: household.fields.province_code.clone(),
            source: source.to_string(),
            import_id: None,
            recorded_by: actor.username.clone(),
        };
        let changes = serde_json::json!([
            {"field": "policy", "old": null, "new": row.policy},
            {"field": "member_id", "old": null, "new": row.member_id},
            {"field": "valid_from", "old": null, "new": row.valid_from},
            {"field": "valid_to", "old": null, "new": row.valid_to},
            {"field": "amount", "old": null, "new": row.amount},
            {"field": "quantity", "old": null, "new": row.quantity},
            {"field": "reference", "old": null, "new": row.reference},
        ]);
        let entry = AuditEntry {
            at: self.benefit_clock_text(),
            user_id: Some(actor.user_id),
            username: actor.username.clone(),
            action: "benefit.create".into(),
            entity: "benefit".into(),
            entity_id: String::new(),
            household_id: Some(household.id),
            unit_code: Some(unit),
            province_code: Some(household.fields.province_code.clone()),
            changes: changes.to_string(),
            reason: None,
        };
        Ok((row, entry))
    }

    fn benefit_clock_text(&self) -> String {
        self.clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}
