//! Inspections (kiểm tra, giám sát) of the review, a policy or a project in a unit: the
//! plan (who inspects which unit, when, about what), the record (the day, the members,
//! what was checked), the sample of households drawn by the product, and the findings,
//! each a row of `findings` with source `inspection`, a required action, a responsible
//! agency, a deadline and a status until closed.
//!
//! Access: anyone whose area holds the unit reads its inspections; the office (or an
//! administrator) plans them; the office and the inspecting agency's officers record,
//! draw the sample and add findings; the office and the responsible agency close a
//! finding. Outside the area everything is "not found".

mod findings;
mod review_checks;
mod sample;

pub use findings::{FindingInput, FindingStatus, INSPECTION_FINDING_KINDS};
pub use review_checks::{REVIEW_FINDING_KINDS, ReviewChecks};
pub use sample::{SampleChoice, SampledHousehold, max_changed_facts};

use crate::access::{Action, Actor, Role};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_domain::text::normalize;
use giamngheo_store::{
    AgencyRecord, AuditEntry, FindingRecord, InspectionRecord, NewInspection, SampleRow,
};
use serde::Serialize;

/// What an inspection is about.
pub const SUBJECT_KINDS: [&str; 3] = ["review", "policy", "project"];

const MAX_TEXT_CHARS: usize = 4000;

/// An inspection as the office plans it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionInput {
    pub unit_code: String,
    pub year: i32,
    pub inspecting_agency: String,
    /// review, policy or project.
    pub subject_kind: String,
    /// The policy or project code, or the review's period.
    pub subject_code: Option<String>,
    pub planned_on: NaiveDate,
}

/// The record of a held inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordInput {
    pub version: i32,
    pub held_on: NaiveDate,
    /// The team's members, one per line.
    pub members: String,
    pub checked: String,
}

/// An inspection with its sample and findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionView {
    #[serde(skip)]
    pub record: InspectionRecord,
    pub unit_name: String,
    pub agency_name: String,
    #[serde(skip)]
    pub sample: Vec<SampleRow>,
    /// The sample as the actor may see it: code and head only within their area.
    #[serde(skip)]
    pub households: Vec<SampledHousehold>,
    #[serde(skip)]
    pub findings: Vec<FindingRecord>,
    /// Whether the actor may record, sample and add findings.
    pub may_write: bool,
}

fn audit(
    app: &App,
    actor: &Actor,
    action: &str,
    entity: &str,
    id: i64,
    unit: &InspectionRecord,
    changes: serde_json::Value,
) -> AuditEntry {
    AuditEntry {
        at: app
            .clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        user_id: Some(actor.user_id),
        username: actor.username.clone(),
        action: action.into(),
        entity: entity.into(),
        entity_id: id.to_string(),
        household_id: None,
        unit_code: Some(unit.unit_code.clone()),
        province_code: Some(unit.province_code.clone()),
        changes: changes.to_string(),
        reason: None,
    }
}

/// A unit's inspections of a year, with what the plan form offers.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionsPage {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    pub items: Vec<InspectionRecord>,
    /// The agencies of the unit and the units above it.
    pub agencies: Vec<AgencyRecord>,
    /// Whether the actor plans inspections (the office, an administrator).
    pub may_plan: bool,
}

/// Whether `actor` may write on an inspection by `agency`.
fn may_write(actor: &Actor, agency: &str) -> bool {
    match actor.role {
        Role::Admin | Role::Office => true,
        Role::AgencyOfficer => actor.agency_code.as_deref() == Some(agency),
        _ => false,
    }
}

impl App {
    /// The office plans an inspection of a unit; its id.
    pub async fn plan_inspection(
        &self,
        actor: &Actor,
        input: InspectionInput,
    ) -> Result<i64, AppError> {
        self.authorize(actor, Action::ReadAggregates, &input.unit_code)
            .await?;
        if !matches!(actor.role, Role::Admin | Role::Office) {
            return Err(AppError::Forbidden(format!(
                "vai trò {} không được lập kế hoạch kiểm tra",
                actor.role.label_vi()
            )));
        }
        crate::tasks::check_year(input.year)?;
        let unit = self.unit(&input.unit_code).await?;
        if !SUBJECT_KINDS.contains(&input.subject_kind.as_str()) {
            return Err(AppError::invalid(
                "subject_kind",
                format!(
                    "nội dung kiểm tra «{}» không rõ (review, policy, project)",
                    input.subject_kind
                ),
            ));
        }
        let agency = self
            .store()
            .agency(input.inspecting_agency.trim())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "inspecting_agency",
                    format!("không có cơ quan mã «{}»", input.inspecting_agency.trim()),
                )
            })?;
        let now = self
            .clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let new = NewInspection {
            unit_code: unit.code.clone(),
            province_code: unit.province_code.clone(),
            year: input.year,
            inspecting_agency: agency.code.clone(),
            subject_kind: input.subject_kind.clone(),
            subject_code: input
                .subject_code
                .map(|s| normalize(s.trim()))
                .filter(|s| !s.is_empty()),
            planned_on: input.planned_on,
            created_by: actor.username.clone(),
            created_at: now.clone(),
        };
        let entry = AuditEntry {
            at: now,
            user_id: Some(actor.user_id),
            username: actor.username.clone(),
            action: "inspection.plan".into(),
            entity: "inspection".into(),
            entity_id: String::new(),
            household_id: None,
            unit_code: Some(unit.code.clone()),
            province_code: Some(unit.province_code.clone()),
            changes: serde_json::json!([
                {"field": "inspecting_agency", "old": null, "new": agency.code},
                {"field": "subject_kind", "old": null, "new": input.subject_kind},
                {"field": "planned_on", "old": null, "new": input.planned_on.to_string()},
            ])
            .to_string(),
            reason: None,
        };
        Ok(self.store().insert_inspection(&new, &entry).await?)
    }

    /// The inspections of a unit in a year.
    pub async fn inspections(
        &self,
        actor: &Actor,
        unit: &str,
        year: i32,
    ) -> Result<Vec<InspectionRecord>, AppError> {
        self.authorize(actor, Action::ReadAggregates, unit).await?;
        crate::tasks::check_year(year)?;
        let unit = self.unit(unit).await?;
        Ok(self.store().inspections(&unit.code, year).await?)
    }

    /// The inspections page of a unit and year: its inspections, the agencies that may
    /// inspect it or answer for a finding there, and whether the actor plans.
    pub async fn inspections_page(
        &self,
        actor: &Actor,
        unit: &str,
        year: i32,
    ) -> Result<InspectionsPage, AppError> {
        let items = self.inspections(actor, unit, year).await?;
        let unit = self.unit(unit).await?;
        Ok(InspectionsPage {
            agencies: self.inspection_agencies(&unit.code, year).await?,
            may_plan: matches!(actor.role, Role::Admin | Role::Office),
            unit_code: unit.code,
            unit_name: unit.name,
            year,
            items,
        })
    }

    /// The agencies of a unit and of the units above it that existed in `year`: those
    /// that may inspect the unit (a district's department inspects its communes) or be
    /// responsible for a finding there. A closed district's 2021 inspections still offer
    /// its departments of the time.
    pub async fn inspection_agencies(
        &self,
        unit: &str,
        year: i32,
    ) -> Result<Vec<AgencyRecord>, AppError> {
        let (first, last) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        );
        let mut out = Vec::new();
        for u in self.store().ancestry(unit).await? {
            out.extend(
                self.store()
                    .agencies_of_unit(&u.code)
                    .await?
                    .into_iter()
                    .filter(|a| {
                        last.is_none_or(|l| a.valid_from <= l)
                            && a.valid_to.is_none_or(|to| first.is_none_or(|f| to >= f))
                    }),
            );
        }
        Ok(out)
    }

    /// An inspection with its sample and findings.
    pub async fn inspection(&self, actor: &Actor, id: i64) -> Result<InspectionView, AppError> {
        let record = self.authorized_inspection(actor, id).await?;
        let unit = self.unit(&record.unit_code).await?;
        let agency_name = self
            .store()
            .agency(&record.inspecting_agency)
            .await?
            .map(|a| a.name)
            .unwrap_or_else(|| record.inspecting_agency.clone());
        let sample = self.store().inspection_sample(id).await?;
        Ok(InspectionView {
            households: self.sampled_households(actor, &sample).await?,
            sample,
            findings: self.store().inspection_findings(id).await?,
            may_write: may_write(actor, &record.inspecting_agency),
            record,
            unit_name: unit.name,
            agency_name,
        })
    }

    /// Writes the record of a held inspection (the office or the inspecting agency).
    pub async fn record_inspection(
        &self,
        actor: &Actor,
        id: i64,
        input: RecordInput,
    ) -> Result<(), AppError> {
        let record = self.writable_inspection(actor, id).await?;
        let members = normalize(input.members.trim());
        let checked = normalize(input.checked.trim());
        if members.is_empty() {
            return Err(AppError::invalid(
                "members",
                "cần ghi thành phần đoàn kiểm tra",
            ));
        }
        for (field, text) in [("members", &members), ("checked", &checked)] {
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(AppError::invalid(
                    field,
                    format!("dài quá {MAX_TEXT_CHARS} ký tự"),
                ));
            }
        }
        if input.held_on > self.clock().today() {
            return Err(AppError::invalid("held_on", "ngày kiểm tra chưa đến"));
        }
        let entry = audit(
            self,
            actor,
            "inspection.record",
            "inspection",
            id,
            &record,
            serde_json::json!([
                {"field": "held_on", "old": record.held_on.map(|d| d.to_string()), "new": input.held_on.to_string()},
                {"field": "checked", "old": record.checked, "new": checked},
            ]),
        );
        self.store()
            .record_inspection(id, input.version, input.held_on, &members, &checked, &entry)
            .await?;
        Ok(())
    }

    /// The inspection `id` when the actor's area holds its unit.
    pub(crate) async fn authorized_inspection(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<InspectionRecord, AppError> {
        let not_found = || AppError::NotFound(format!("đợt kiểm tra số {id}"));
        let record = self.store().inspection(id).await?.ok_or_else(not_found)?;
        self.authorize(actor, Action::ReadAggregates, &record.unit_code)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        Ok(record)
    }

    /// The inspection `id` when the actor may write on it.
    pub(crate) async fn writable_inspection(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<InspectionRecord, AppError> {
        let record = self.authorized_inspection(actor, id).await?;
        if !may_write(actor, &record.inspecting_agency) {
            return Err(AppError::Forbidden(
                "chỉ cơ quan kiểm tra hoặc cơ quan chuyên môn được ghi đợt kiểm tra này".into(),
            ));
        }
        Ok(record)
    }
}
