//! The suggested allocation of a budget to the communes of a unit, its adoption, and the
//! units' allocation flags.

use super::access::MoneyAction;
use crate::access::Actor;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_rules::programme::{
    CommuneFlags, CommuneInput, Weighting, Zone, suggest as suggest_shares,
};
use giamngheo_store::{AllocationFlags, NewEntry, Recorder};
use serde::{Deserialize, Serialize};

/// What the API and the page ask a suggestion for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SuggestRequest {
    pub unit: String,
    pub year: i32,
    pub total: u64,
    /// `coefficients` (the default) or `households` (coefficient × poor and near-poor
    /// households of the registry).
    #[serde(default)]
    pub weighting: Weighting,
}

/// One commune of a suggestion, with the inputs of its formula.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestionItem {
    pub unit: String,
    pub name: String,
    pub coefficient: u64,
    pub share: u64,
    pub weight: u64,
    pub formula_vi: String,
    pub formula_en: String,
    pub zone: Option<String>,
    pub border: bool,
    pub safety_zone: bool,
    pub island: bool,
    pub special_zone: bool,
    pub extremely_difficult_villages: u32,
    pub poor_and_near_poor: u64,
    /// A coefficient used, or a flag it was read from, is to confirm.
    pub to_confirm: bool,
}

/// A suggested allocation: the rule it used and one item per commune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub unit: String,
    pub year: i32,
    pub total: u64,
    pub weighting: Weighting,
    pub rule: String,
    pub rule_name_vi: String,
    pub rule_source: String,
    /// The day the communes and the registry were read on.
    pub day: NaiveDate,
    pub items: Vec<SuggestionItem>,
}

/// One commune's amount as adopted (edited or as suggested).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct AdoptItem {
    pub unit: String,
    pub amount: u64,
}

/// An allocation to adopt: from `unit` to its communes, for a year, project and source.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AdoptRequest {
    pub unit: String,
    pub year: i32,
    pub project: String,
    pub source: String,
    pub date: NaiveDate,
    pub document_number: Option<String>,
    #[serde(default)]
    pub weighting: Weighting,
    pub items: Vec<AdoptItem>,
}

/// A unit's allocation flags as an administrator edits them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct FlagsInput {
    /// `I`, `II`, `III`, or empty for none.
    pub zone: Option<String>,
    #[serde(default)]
    pub safety_zone: bool,
    #[serde(default)]
    pub island: bool,
    #[serde(default)]
    pub special_zone: bool,
    #[serde(default)]
    pub to_confirm: bool,
}

/// The longest document number kept (số quyết định, số chứng từ).
pub(crate) const MAX_DOCUMENT_CHARS: usize = 100;

pub(crate) fn clean_document(text: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = text else { return Ok(None) };
    let text = giamngheo_domain::text::normalize(text.trim());
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_DOCUMENT_CHARS {
        return Err(AppError::invalid(
            "document_number",
            format!("số văn bản dài quá {MAX_DOCUMENT_CHARS} ký tự"),
        ));
    }
    Ok(Some(text))
}

impl App {
    /// The day a year's allocation reads the communes on: 1 January, or the unit's
    /// first day when it was created later in the year (a commune of the 2025 reform).
    async fn allocation_day(&self, unit: &str, year: i32) -> Result<NaiveDate, AppError> {
        let first = NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| AppError::invalid("year", format!("năm {year} không hợp lệ")))?;
        let record = self.unit(unit).await?;
        Ok(first.max(record.valid_from))
    }

    /// Suggests how `total` VND of `year` is shared among the communes at or below
    /// `unit`, by the allocation rule of the year.
    pub async fn suggest_allocation(
        &self,
        actor: &Actor,
        request: &SuggestRequest,
    ) -> Result<Suggestion, AppError> {
        self.authorize_money(actor, MoneyAction::Suggest, &request.unit)
            .await?;
        let rule = self
            .programme()
            .allocation_rule_for(request.year)
            .ok_or_else(|| {
                AppError::invalid(
                    "year",
                    format!("chưa có hệ số phân bổ cho năm {}", request.year),
                )
            })?;
        if request.total == 0 {
            return Err(AppError::invalid("total", "tổng số vốn phải lớn hơn 0"));
        }
        // Amounts are stored as BIGINT: a total above it cannot be recorded anyway.
        if i64::try_from(request.total).is_err() {
            return Err(AppError::invalid("total", "tổng số vốn quá lớn"));
        }
        let day = self.allocation_day(&request.unit, request.year).await?;
        let rows = self
            .store()
            .communes_for_allocation(&request.unit, day)
            .await?;
        let inputs: Vec<CommuneInput> = rows
            .iter()
            .map(|r| CommuneInput {
                flags: CommuneFlags {
                    zone: r.zone.as_deref().and_then(Zone::parse),
                    safety_zone: r.safety_zone,
                    border: r.border,
                    island: r.island,
                    special_zone: r.special_zone,
                    extremely_difficult_villages: u32::try_from(r.extremely_difficult_villages)
                        .unwrap_or(u32::MAX),
                },
                poor_and_near_poor: u64::try_from(r.poor_and_near_poor).unwrap_or(0),
            })
            .collect();
        let shares = suggest_shares(rule, &inputs, request.total, request.weighting)
            .map_err(|e| AppError::invalid("unit", e.to_string()))?;
        let items = rows
            .into_iter()
            .zip(inputs)
            .zip(shares)
            .map(|((row, input), share)| SuggestionItem {
                coefficient: share.coefficient.value(),
                share: share.share,
                weight: share.weight,
                formula_vi: share.coefficient.formula_vi(),
                formula_en: share.coefficient.formula_en(),
                to_confirm: share.coefficient.to_confirm || row.allocation_flags_to_confirm,
                unit: row.code,
                name: row.name,
                zone: row.zone,
                border: row.border,
                safety_zone: row.safety_zone,
                island: row.island,
                special_zone: row.special_zone,
                extremely_difficult_villages: input.flags.extremely_difficult_villages,
                poor_and_near_poor: input.poor_and_near_poor,
            })
            .collect();
        Ok(Suggestion {
            unit: request.unit.clone(),
            year: request.year,
            total: request.total,
            weighting: request.weighting,
            rule: rule.id.clone(),
            rule_name_vi: rule.name_vi.clone(),
            rule_source: rule.source.clone(),
            day,
            items,
        })
    }

    /// Adopts an allocation, as suggested or edited: one ledger row per commune with a
    /// non-zero amount, each keeping the coefficient and formula of the suggestion, and
    /// one audit entry per row naming the suggested and the adopted amount.
    pub async fn adopt_allocation(
        &self,
        actor: &Actor,
        request: &AdoptRequest,
    ) -> Result<Vec<i64>, AppError> {
        self.authorize_money(actor, MoneyAction::Allocate, &request.unit)
            .await?;
        let structure = self.check_budget_line(request.year, &request.project, &request.source)?;
        let document = clean_document(request.document_number.as_deref())?;
        if request.items.iter().all(|i| i.amount == 0) {
            return Err(AppError::invalid(
                "items",
                "không có xã nào được phân bổ vốn",
            ));
        }
        let total: u64 = request.items.iter().map(|i| i.amount).sum();
        let suggestion = self
            .suggest_allocation(
                actor,
                &SuggestRequest {
                    unit: request.unit.clone(),
                    year: request.year,
                    total,
                    weighting: request.weighting,
                },
            )
            .await?;
        let from = self.unit(&request.unit).await?;
        let mut entries = Vec::new();
        let mut audits = Vec::new();
        for (row, item) in request.items.iter().enumerate() {
            let Some(suggested) = suggestion.items.iter().find(|s| s.unit == item.unit) else {
                return Err(AppError::invalid(
                    &format!("items[{row}].unit"),
                    format!(
                        "dòng {}: xã mã «{}» không thuộc đơn vị {}",
                        row + 1,
                        item.unit,
                        from.name
                    ),
                ));
            };
            if item.amount == 0 {
                continue;
            }
            let amount = i64::try_from(item.amount)
                .map_err(|_| AppError::invalid("amount", "số tiền quá lớn"))?;
            let mut audit = self.audit(
                actor,
                "programme.allocation.adopt",
                "programme_entry",
                format!("#{}", entries.len()),
                None,
                &item.unit,
                &from.province_code,
                vec![
                    Self::change("suggested", serde_json::Value::Null, suggested.share),
                    Self::change("amount", serde_json::Value::Null, item.amount),
                ],
            );
            audit.reason = Some(format!(
                "{} {}: {}",
                request.project, request.source, suggested.formula_vi
            ));
            audits.push(audit);
            entries.push(NewEntry {
                kind: "allocation".into(),
                year: request.year,
                unit_code: item.unit.clone(),
                from_unit_code: Some(request.unit.clone()),
                province_code: from.province_code.clone(),
                programme: structure.id.clone(),
                project: request.project.clone(),
                source: request.source.clone(),
                activity_id: None,
                amount,
                entry_date: request.date,
                document_number: document.clone(),
                note: None,
                reverses: None,
                overdraw_note: None,
                coefficient: i64::try_from(suggested.coefficient).ok(),
                formula: Some(suggested.formula_vi.clone()),
            });
        }
        let ids = self
            .store()
            .record_entries(&entries, &audits, &recorder(actor), self.clock().now())
            .await?;
        tracing::info!(
            rows = ids.len(),
            year = request.year,
            "programme allocation adopted"
        );
        Ok(ids)
    }

    /// The allocation flags of a unit.
    pub async fn allocation_flags(
        &self,
        actor: &Actor,
        unit: &str,
    ) -> Result<AllocationFlags, AppError> {
        self.authorize_money(actor, MoneyAction::Read, unit).await?;
        Ok(self.store().allocation_flags(unit).await?)
    }

    /// Sets a unit's allocation flags (an administrator's work), audited old → new.
    pub async fn set_allocation_flags(
        &self,
        actor: &Actor,
        unit: &str,
        input: &FlagsInput,
    ) -> Result<(), AppError> {
        self.authorize_money(actor, MoneyAction::EditFlags, unit)
            .await?;
        let zone = match input.zone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                Zone::parse(text)
                    .ok_or_else(|| {
                        AppError::invalid(
                            "zone",
                            format!("khu vực «{text}» phải là I, II hoặc III"),
                        )
                    })?
                    .as_str()
                    .to_string(),
            ),
        };
        let new = AllocationFlags {
            zone,
            safety_zone: input.safety_zone,
            island: input.island,
            special_zone: input.special_zone,
            allocation_flags_to_confirm: input.to_confirm,
        };
        self.write_allocation_flags(Some(actor), unit, new).await
    }

    /// Writes a unit's allocation flags when they changed, audited old → new, for an
    /// actor or (`None`) the system's units import.
    pub(crate) async fn write_allocation_flags(
        &self,
        actor: Option<&Actor>,
        unit: &str,
        new: AllocationFlags,
    ) -> Result<(), AppError> {
        let record = self.unit(unit).await?;
        let old = self.store().allocation_flags(unit).await?;
        let mut changes = Vec::new();
        if old.zone != new.zone {
            changes.push(Self::change("zone", &old.zone, &new.zone));
        }
        for (field, o, n) in [
            ("safety_zone", old.safety_zone, new.safety_zone),
            ("island", old.island, new.island),
            ("special_zone", old.special_zone, new.special_zone),
            (
                "allocation_flags_to_confirm",
                old.allocation_flags_to_confirm,
                new.allocation_flags_to_confirm,
            ),
        ] {
            if o != n {
                changes.push(Self::change(field, o, n));
            }
        }
        if changes.is_empty() {
            return Ok(());
        }
        let system = Actor {
            user_id: 0,
            username: "hệ thống".into(),
            role: crate::access::Role::Admin,
            unit_code: record.province_code.clone(),
            unit_tier: giamngheo_domain::Tier::Province,
            agency_code: None,
        };
        let mut audit = self.audit(
            actor.unwrap_or(&system),
            "unit.allocation_flags",
            "unit",
            unit.to_string(),
            None,
            unit,
            &record.province_code,
            changes,
        );
        if actor.is_none() {
            audit.user_id = None;
            audit.reason = Some("nhập danh mục đơn vị".into());
        }
        self.store()
            .set_allocation_flags(unit, &new, &audit, self.clock().now())
            .await?;
        Ok(())
    }
}

pub(crate) fn recorder(actor: &Actor) -> Recorder<'_> {
    Recorder {
        user_id: Some(actor.user_id),
        username: &actor.username,
    }
}
