//! The programme's activities (hoạt động): what was done under a project or sub-project
//! of the year's structure, in a unit, with its quantities, its events' participants,
//! the disbursements the ledger links to it, and the households, members or communes
//! that benefited.
//!
//! An activity is corrected by a new version (the old one stays readable) and its
//! beneficiaries are a journal of additions and removals; both are audited.

use super::allocation::recorder;
use crate::access::{Action, Actor};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_rules::programme::{ActivityPlace, ProgrammeStructure};
use giamngheo_store::{
    ActivityFields, ActivityRecord, BeneficiaryRecord, NewActivity, NewBeneficiary,
};
use serde::{Deserialize, Serialize};

/// An activity as an officer enters or corrects it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ActivityInput {
    /// The commune (or a higher unit) the activity belongs to.
    pub unit: String,
    pub year: i32,
    /// The project or sub-project code of the year's structure (p1.3, p4…).
    pub project: String,
    /// The activity type code under that project (livelihood_model, training…).
    pub activity_type: String,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub planned_quantity: Option<i64>,
    pub done_quantity: Option<i64>,
    /// Events: where, what was said or taught, and who came.
    pub place: Option<String>,
    pub content: Option<String>,
    pub participants: Option<i32>,
    pub participants_women: Option<i32>,
    pub participants_minority: Option<i32>,
    /// Livelihood models: the inputs given to participants (vật tư, giống, vốn…).
    pub inputs: Option<String>,
    /// Events: who they were for (đối tượng) and the materials used or handed out.
    pub audience: Option<String>,
    pub materials: Option<String>,
}

/// What an activity cost from one funding source: the disbursements of the ledger naming
/// it, net of reversals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceCost {
    pub source: String,
    pub source_name: String,
    pub source_name_en: String,
    /// VND.
    pub disbursed: i64,
}

/// An activity as the pages and the API show it (its current version), with the names
/// of its project and kind from the programme's structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityView {
    pub id: i64,
    pub version_id: i64,
    pub replaces: Option<i64>,
    pub replaced_by: Option<i64>,
    #[serde(flatten)]
    pub fields: ActivityFields,
    pub project_name: String,
    pub activity_type_name: String,
    /// The unit of its quantities (hộ, người, cuộc…).
    pub quantity_unit: String,
    pub livelihood_model: bool,
    pub event: bool,
    /// The structure of the year is still "to confirm".
    pub to_confirm: bool,
    /// The disbursements of the ledger naming the activity, net of reversals (VND).
    pub disbursed: i64,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Someone to add to an activity's beneficiaries, or take off.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BeneficiaryInput {
    /// A household of the registry by its code in `commune` …
    pub household_code: Option<String>,
    /// … and, where one person benefited, the member's position in the household.
    pub member_position: Option<i32>,
    /// The commune of the household, or the commune that benefited as a whole.
    pub commune: String,
}

/// A beneficiary on the list now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BeneficiaryView {
    pub commune: String,
    pub household_id: Option<i64>,
    pub household_code: Option<String>,
    pub head_name: Option<String>,
    pub member_id: Option<i64>,
    pub member_name: Option<String>,
    pub added_by: String,
    pub added_at: String,
}

/// The longest name and free text kept on an activity.
const MAX_NAME_CHARS: usize = 300;
const MAX_TEXT_CHARS: usize = 2_000;

fn clean_text(field: &str, text: Option<&str>, max: usize) -> Result<Option<String>, AppError> {
    let Some(text) = text else { return Ok(None) };
    let text = giamngheo_domain::text::normalize(text.trim());
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(AppError::invalid(field, format!("dài quá {max} ký tự")));
    }
    Ok(Some(text))
}

fn not_negative(field: &str, n: Option<i64>) -> Result<(), AppError> {
    match n {
        Some(n) if n < 0 => Err(AppError::invalid(field, "không được là số âm")),
        _ => Ok(()),
    }
}

/// The budget line (sub-project, or project without one) an activity type sits under.
fn line_code<'a>(place: &ActivityPlace<'a>) -> &'a str {
    place
        .subproject
        .map(|s| s.code.as_str())
        .unwrap_or(place.project.code.as_str())
}

/// The activity type `code` under the budget line `project` of a structure.
pub(crate) fn find_place<'a>(
    structure: &'a ProgrammeStructure,
    project: &str,
    code: &str,
) -> Option<ActivityPlace<'a>> {
    structure
        .activity_places()
        .find(|p| line_code(p) == project && p.activity_type.code == code)
}

/// Checks an activity's fields against the year's structure and each other; returns
/// the version to write (without `replaces`) and whether it is a livelihood model.
fn checked(
    structure: &ProgrammeStructure,
    input: &ActivityInput,
    unit: &giamngheo_store::UnitRecord,
) -> Result<(NewActivity, bool), AppError> {
    let place = find_place(structure, &input.project, &input.activity_type).ok_or_else(|| {
        AppError::invalid(
            "activity_type",
            format!(
                "loại hoạt động «{}» không có trong dự án «{}» của {}",
                input.activity_type, input.project, structure.name_vi
            ),
        )
    })?;
    let name = clean_text("name", Some(&input.name), MAX_NAME_CHARS)?
        .ok_or_else(|| AppError::invalid("name", "cần nhập tên hoạt động"))?;
    if let Some(end) = input.end_date
        && end < input.start_date
    {
        return Err(AppError::invalid(
            "end_date",
            "ngày kết thúc trước ngày bắt đầu",
        ));
    }
    not_negative("planned_quantity", input.planned_quantity)?;
    not_negative("done_quantity", input.done_quantity)?;
    let event = place.activity_type.event;
    let livelihood = place.activity_type.livelihood_model;
    let inputs = clean_text("inputs", input.inputs.as_deref(), MAX_TEXT_CHARS)?;
    let audience = clean_text("audience", input.audience.as_deref(), MAX_TEXT_CHARS)?;
    let materials = clean_text("materials", input.materials.as_deref(), MAX_TEXT_CHARS)?;
    // Refused rather than dropped: an officer who typed them must not lose them unseen.
    if inputs.is_some() && !livelihood {
        return Err(AppError::invalid(
            "inputs",
            "vật tư, giống, vốn chỉ ghi cho mô hình giảm nghèo",
        ));
    }
    for (field, text) in [("audience", &audience), ("materials", &materials)] {
        if text.is_some() && !event {
            return Err(AppError::invalid(
                field,
                "chỉ ghi cho sự kiện truyền thông, tập huấn",
            ));
        }
    }
    if event {
        let participants = input.participants.ok_or_else(|| {
            AppError::invalid(
                "participants",
                "sự kiện truyền thông, tập huấn cần số người tham dự",
            )
        })?;
        if participants < 0 {
            return Err(AppError::invalid("participants", "không được là số âm"));
        }
        for (field, part) in [
            ("participants_women", input.participants_women),
            ("participants_minority", input.participants_minority),
        ] {
            match part {
                Some(n) if n < 0 => return Err(AppError::invalid(field, "không được là số âm")),
                Some(n) if n > participants => {
                    return Err(AppError::invalid(
                        field,
                        format!("lớn hơn tổng số người tham dự ({participants})"),
                    ));
                }
                _ => {}
            }
        }
    }
    Ok((
        NewActivity {
            replaces: None,
            fields: ActivityFields {
                year: input.year,
                programme: structure.id.clone(),
                project: input.project.clone(),
                activity_type: input.activity_type.clone(),
                unit_code: unit.code.clone(),
                province_code: unit.province_code.clone(),
                name,
                start_date: input.start_date,
                end_date: input.end_date,
                planned_quantity: input.planned_quantity,
                done_quantity: input.done_quantity,
                place: clean_text("place", input.place.as_deref(), MAX_NAME_CHARS)?,
                content: clean_text("content", input.content.as_deref(), MAX_TEXT_CHARS)?,
                participants: event.then_some(input.participants).flatten(),
                participants_women: event.then_some(input.participants_women).flatten(),
                participants_minority: event.then_some(input.participants_minority).flatten(),
                inputs,
                audience,
                materials,
                reason: None,
            },
        },
        livelihood,
    ))
}

impl App {
    fn activity_view(&self, r: ActivityRecord) -> ActivityView {
        let f = &r.fields;
        let structure = self
            .programme()
            .structures()
            .iter()
            .find(|s| s.id == f.programme);
        let place = structure.and_then(|s| find_place(s, &f.project, &f.activity_type));
        let (project_name, activity_type_name, quantity_unit) = match &place {
            Some(p) => (
                p.subproject
                    .map(|s| s.name_vi.clone())
                    .unwrap_or_else(|| p.project.name_vi.clone()),
                p.activity_type.name_vi.clone(),
                p.activity_type.unit_vi.clone(),
            ),
            None => (f.project.clone(), f.activity_type.clone(), String::new()),
        };
        ActivityView {
            id: r.activity_id,
            version_id: r.version_id,
            replaces: r.replaces,
            replaced_by: r.replaced_by,
            project_name,
            activity_type_name,
            quantity_unit,
            livelihood_model: place
                .as_ref()
                .is_some_and(|p| p.activity_type.livelihood_model),
            event: place.as_ref().is_some_and(|p| p.activity_type.event),
            to_confirm: structure.is_some_and(|s| s.to_confirm),
            disbursed: r.disbursed,
            recorded_by: r.recorded_by_name,
            recorded_at: r.recorded_at,
            fields: r.fields,
        }
    }

    /// Checks that `actor` may write an activity of the kind given in `unit`.
    pub(super) async fn authorize_activity_write(
        &self,
        actor: &Actor,
        unit: &str,
        livelihood: bool,
    ) -> Result<(), AppError> {
        self.authorize(actor, Action::ReadAggregates, unit).await?;
        if self.may_write_activity(actor, livelihood).await? {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "vai trò {} không được ghi hoạt động loại này của chương trình",
                actor.role.label_vi()
            )))
        }
    }

    /// Records a new activity; returns its id.
    pub async fn record_activity(
        &self,
        actor: &Actor,
        input: &ActivityInput,
    ) -> Result<i64, AppError> {
        let structure = self.structure_for(input.year)?;
        let unit = self.unit(&input.unit).await?;
        let (activity, livelihood) = checked(structure, input, &unit)?;
        self.authorize_activity_write(actor, &unit.code, livelihood)
            .await?;
        self.write_activity(actor, activity, "programme.activity.record")
            .await
    }

    /// Corrects an activity: a new version replacing `version_id` (the version the
    /// officer read), with why. Someone else's correction in between is a conflict.
    pub async fn correct_activity(
        &self,
        actor: &Actor,
        id: i64,
        version_id: i64,
        input: &ActivityInput,
        reason: &str,
    ) -> Result<i64, AppError> {
        let old = self.activity(actor, id).await?;
        let old_livelihood = old.livelihood_model;
        self.authorize_activity_write(actor, &old.fields.unit_code, old_livelihood)
            .await?;
        let reason = clean_text("reason", Some(reason), MAX_TEXT_CHARS)?
            .ok_or_else(|| AppError::invalid("reason", "cần ghi lý do sửa"))?;
        let structure = self.structure_for(input.year)?;
        let unit = self.unit(&input.unit).await?;
        let (mut activity, livelihood) = checked(structure, input, &unit)?;
        self.authorize_activity_write(actor, &unit.code, livelihood)
            .await?;
        if version_id != old.version_id {
            return Err(AppError::Conflict(format!(
                "hoạt động số {id} đã được sửa sau khi bạn mở; hãy tải lại trang"
            )));
        }
        activity.replaces = Some(version_id);
        activity.fields.reason = Some(reason);
        self.write_activity(actor, activity, "programme.activity.correct")
            .await
    }

    async fn write_activity(
        &self,
        actor: &Actor,
        activity: NewActivity,
        action: &str,
    ) -> Result<i64, AppError> {
        let mut audit = self.audit(
            actor,
            action,
            "programme_activity",
            "#0".into(),
            None,
            &activity.fields.unit_code,
            &activity.fields.province_code,
            vec![
                Self::change("project", serde_json::Value::Null, &activity.fields.project),
                Self::change(
                    "activity_type",
                    serde_json::Value::Null,
                    &activity.fields.activity_type,
                ),
                Self::change("name", serde_json::Value::Null, &activity.fields.name),
                Self::change("replaces", serde_json::Value::Null, activity.replaces),
            ],
        );
        audit.reason = activity.fields.reason.clone();
        let id = self
            .store()
            .record_activity(&activity, &audit, &recorder(actor), self.clock().now())
            .await?;
        tracing::info!(year = activity.fields.year, %action, "programme activity written");
        Ok(id)
    }

    /// An activity's current version, if `actor` may read the programme of its unit;
    /// otherwise not found.
    pub async fn activity(&self, actor: &Actor, id: i64) -> Result<ActivityView, AppError> {
        let not_found = || AppError::NotFound(format!("hoạt động số {id}"));
        let record = self.store().activity(id).await?.ok_or_else(not_found)?;
        self.authorize_money(actor, super::MoneyAction::Read, &record.fields.unit_code)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        Ok(self.activity_view(record))
    }

    /// An activity's cost by funding source: the ledger's disbursements naming it, net
    /// of reversals, in the order of the funding sources' file. What it cost is what the
    /// officials account for (the plan by source is the ledger's, per budget line).
    pub async fn activity_cost_by_source(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<SourceCost>, AppError> {
        self.activity(actor, id).await?;
        let amounts = self.store().activity_disbursed_by_source(id).await?;
        let programme = self.programme();
        let position = |code: &str| {
            programme
                .funding_sources()
                .iter()
                .position(|s| s.code == code)
                .unwrap_or(usize::MAX)
        };
        let mut costs: Vec<SourceCost> = amounts
            .into_iter()
            .map(|(source, disbursed)| {
                let known = programme.funding_source(&source);
                SourceCost {
                    source_name: known.map_or_else(|| source.clone(), |s| s.name_vi.clone()),
                    source_name_en: known.map_or_else(|| source.clone(), |s| s.name_en.clone()),
                    source,
                    disbursed,
                }
            })
            .collect();
        costs.sort_by_key(|c| position(&c.source));
        Ok(costs)
    }

    /// Every version of an activity, the first first.
    pub async fn activity_history(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<ActivityView>, AppError> {
        self.activity(actor, id).await?;
        let rows = self.store().activity_versions(id).await?;
        Ok(rows.into_iter().map(|r| self.activity_view(r)).collect())
    }

    /// The activities of `year` in `unit` and the communes below it.
    pub async fn activities(
        &self,
        actor: &Actor,
        unit: &str,
        year: i32,
    ) -> Result<Vec<ActivityView>, AppError> {
        self.authorize_money(actor, super::MoneyAction::Read, unit)
            .await?;
        let record = self.unit(unit).await?;
        let units = self.money_units(&record, year).await?;
        let rows = self
            .store()
            .activities(&record.province_code, year, &units)
            .await?;
        Ok(rows.into_iter().map(|r| self.activity_view(r)).collect())
    }

    /// Adds beneficiaries to an activity (`remove` false) or takes them off, all or
    /// nothing: every line is checked first (a household of the commune, within the
    /// actor's area and the activity's unit) and the first problem is named by its line.
    pub async fn change_beneficiaries(
        &self,
        actor: &Actor,
        id: i64,
        lines: &[BeneficiaryInput],
        remove: bool,
        reason: Option<&str>,
    ) -> Result<usize, AppError> {
        let activity = self.activity(actor, id).await?;
        self.authorize_activity_write(actor, &activity.fields.unit_code, activity.livelihood_model)
            .await?;
        let reason = clean_text("reason", reason, MAX_TEXT_CHARS)?;
        if remove && reason.is_none() {
            return Err(AppError::invalid(
                "reason",
                "cần ghi lý do đưa ra khỏi danh sách",
            ));
        }
        if lines.is_empty() {
            return Err(AppError::invalid("households", "chưa có hộ hoặc xã nào"));
        }
        let mut rows = Vec::with_capacity(lines.len());
        let mut audits = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            let at = |e: AppError| match e {
                AppError::Invalid { field, message } => {
                    AppError::invalid(&field, format!("dòng {}: {message}", i + 1))
                }
                AppError::NotFound(what) => AppError::invalid(
                    "households",
                    format!("dòng {}: không tìm thấy {what}", i + 1),
                ),
                other => other,
            };
            let row = self
                .beneficiary_row(actor, &activity, line, remove, reason.clone())
                .await
                .map_err(at)?;
            let mut audit = self.audit(
                actor,
                if remove {
                    "programme.beneficiary.remove"
                } else {
                    "programme.beneficiary.add"
                },
                "programme_activity",
                id.to_string(),
                row.household_id,
                &row.commune_code,
                &row.home_province,
                vec![Self::change(
                    "member_id",
                    serde_json::Value::Null,
                    row.member_id,
                )],
            );
            audit.reason = reason.clone();
            audits.push(audit);
            rows.push(row);
        }
        self.store()
            .record_beneficiaries(id, &rows, &audits, &recorder(actor), self.clock().now())
            .await?;
        tracing::info!(
            activity = id,
            lines = rows.len(),
            remove,
            "programme beneficiaries written"
        );
        Ok(rows.len())
    }

    async fn beneficiary_row(
        &self,
        actor: &Actor,
        activity: &ActivityView,
        line: &BeneficiaryInput,
        remove: bool,
        reason: Option<String>,
    ) -> Result<NewBeneficiary, AppError> {
        let commune = self.unit(line.commune.trim()).await?;
        if commune.tier != "commune" {
            return Err(AppError::invalid(
                "commune",
                format!("«{}» không phải là xã", commune.name),
            ));
        }
        // The beneficiary must be within the activity's unit: the commune itself or
        // one below it.
        let chain = self.store().ancestry(&commune.code).await?;
        if !chain.iter().any(|u| u.code == activity.fields.unit_code) {
            return Err(AppError::invalid(
                "commune",
                format!("{} không thuộc đơn vị của hoạt động", commune.name),
            ));
        }
        let action = if remove { "remove" } else { "add" }.to_string();
        let Some(code) = line
            .household_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        else {
            self.authorize(actor, Action::ReadAggregates, &commune.code)
                .await?;
            return Ok(NewBeneficiary {
                home_province: commune.province_code.clone(),
                household_id: None,
                member_id: None,
                commune_code: commune.code.clone(),
                action,
                reason,
            });
        };
        let household = self
            .store()
            .household_by_code(&commune.code, code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("hộ mã «{code}» ở {}", commune.name)))?;
        self.authorize(actor, Action::ReadPersonal, &household.fields.village_code)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => {
                    AppError::NotFound(format!("hộ mã «{code}» ở {}", commune.name))
                }
                other => other,
            })?;
        let member_id = match line.member_position {
            None => None,
            Some(position) => Some(
                self.store()
                    .members_of(household.id, false)
                    .await?
                    .into_iter()
                    .find(|m| m.fields.position == position)
                    .map(|m| m.id)
                    .ok_or_else(|| {
                        AppError::invalid(
                            "member_position",
                            format!("hộ «{code}» không có thành viên thứ {position}"),
                        )
                    })?,
            ),
        };
        let home_province = self
            .store()
            .home_province_of(household.id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("hộ mã «{code}»")))?;
        Ok(NewBeneficiary {
            home_province,
            household_id: Some(household.id),
            member_id,
            commune_code: commune.code.clone(),
            action,
            reason,
        })
    }

    /// The beneficiaries on an activity's list now, in the order they were added, with
    /// names only for those whose households `actor` may read.
    pub async fn beneficiaries(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<BeneficiaryView>, AppError> {
        self.activity(actor, id).await?;
        let journal = self.store().beneficiary_journal(id).await?;
        let mut views = Vec::new();
        for r in current_beneficiaries(journal) {
            let personal = self
                .authorize(actor, Action::ReadPersonal, &r.commune_code)
                .await
                .is_ok();
            views.push(BeneficiaryView {
                commune: r.commune_code,
                household_id: r.household_id,
                household_code: r.household_code,
                head_name: r.head_name.filter(|_| personal),
                member_id: r.member_id,
                member_name: r.member_name.filter(|_| personal),
                added_by: r.recorded_by_name,
                added_at: r.recorded_at,
            });
        }
        Ok(views)
    }
}

/// The lines of a journal whose latest line for the same household, member and commune
/// is an addition: who is on the list now, in the order they were (last) added.
pub fn current_beneficiaries(journal: Vec<BeneficiaryRecord>) -> Vec<BeneficiaryRecord> {
    let key = |r: &BeneficiaryRecord| (r.household_id, r.member_id, r.commune_code.clone());
    let mut last: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
    for (i, r) in journal.iter().enumerate() {
        last.insert(key(r), i);
    }
    journal
        .iter()
        .enumerate()
        .filter(|(i, r)| r.action == "add" && last.get(&key(r)) == Some(i))
        .map(|(_, r)| r.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(household: i64, action: &str) -> BeneficiaryRecord {
        BeneficiaryRecord {
            id: 0,
            household_id: Some(household),
            member_id: None,
            commune_code: "18499".into(),
            action: action.into(),
            reason: None,
            household_code: None,
            head_name: None,
            member_name: None,
            recorded_by_name: "x".into(),
            recorded_at: "t".into(),
        }
    }

    #[test]
    fn a_household_removed_then_added_again_is_on_the_list_once() {
        let journal = vec![
            line(1, "add"),
            line(2, "add"),
            line(1, "remove"),
            line(3, "add"),
            line(1, "add"),
            line(3, "remove"),
        ];
        let now: Vec<Option<i64>> = current_beneficiaries(journal)
            .iter()
            .map(|r| r.household_id)
            .collect();
        assert_eq!(now, [Some(2), Some(1)]);
    }
}
