//! The money ledger: planned amounts, disbursements and reversals, and reading it back.

use super::access::MoneyAction;
use super::allocation::{clean_document, recorder};
use crate::access::Actor;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_store::{EntryRecord, NewEntry};
use serde::{Deserialize, Serialize};

/// A planned amount of a unit for a year, project and source.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PlanInput {
    pub unit: String,
    pub year: i32,
    pub project: String,
    pub source: String,
    pub amount: u64,
    pub date: NaiveDate,
    pub document_number: Option<String>,
}

/// A disbursement (giải ngân) of a commune.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DisbursementInput {
    pub unit: String,
    pub year: i32,
    pub project: String,
    pub source: String,
    pub activity_id: Option<i64>,
    pub amount: u64,
    pub date: NaiveDate,
    pub document_number: Option<String>,
    pub note: Option<String>,
    /// Why the commune may spend more than it was allocated; without it an overdraw is
    /// refused.
    pub overdraw_note: Option<String>,
}

/// A reversal of an entry, with why.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReverseInput {
    pub reason: String,
    pub overdraw_note: Option<String>,
}

/// A ledger row as the pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryView {
    pub id: i64,
    pub kind: String,
    pub year: i32,
    pub unit: String,
    pub from_unit: Option<String>,
    pub programme: String,
    pub project: String,
    pub source: String,
    pub activity_id: Option<i64>,
    pub amount: i64,
    pub date: NaiveDate,
    pub document_number: Option<String>,
    pub note: Option<String>,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub overdraw_note: Option<String>,
    pub coefficient: Option<i64>,
    pub formula: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl From<EntryRecord> for EntryView {
    fn from(r: EntryRecord) -> EntryView {
        EntryView {
            id: r.id,
            kind: r.kind,
            year: r.year,
            unit: r.unit_code,
            from_unit: r.from_unit_code,
            programme: r.programme,
            project: r.project,
            source: r.source,
            activity_id: r.activity_id,
            amount: r.amount,
            date: r.entry_date,
            document_number: r.document_number,
            note: r.note,
            reverses: r.reverses,
            reversed_by: r.reversed_by,
            overdraw_note: r.overdraw_note,
            coefficient: r.coefficient,
            formula: r.formula,
            recorded_by: r.recorded_by_name,
            recorded_at: r.recorded_at,
        }
    }
}

/// The longest free note kept on an entry.
const MAX_NOTE_CHARS: usize = 500;

fn clean_note(field: &str, text: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = text else { return Ok(None) };
    let text = giamngheo_domain::text::normalize(text.trim());
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::invalid(
            field,
            format!("ghi chú dài quá {MAX_NOTE_CHARS} ký tự"),
        ));
    }
    Ok(Some(text))
}

fn positive(amount: u64) -> Result<i64, AppError> {
    if amount == 0 {
        return Err(AppError::invalid("amount", "số tiền phải lớn hơn 0"));
    }
    i64::try_from(amount).map_err(|_| AppError::invalid("amount", "số tiền quá lớn"))
}

impl App {
    /// Records a planned amount of a unit.
    pub async fn record_plan(&self, actor: &Actor, input: &PlanInput) -> Result<i64, AppError> {
        self.authorize_money(actor, MoneyAction::WriteMoney, &input.unit)
            .await?;
        let structure = self.check_budget_line(input.year, &input.project, &input.source)?;
        let amount = positive(input.amount)?;
        let unit = self.unit(&input.unit).await?;
        let entry = NewEntry {
            kind: "plan".into(),
            year: input.year,
            unit_code: unit.code.clone(),
            from_unit_code: None,
            province_code: unit.province_code.clone(),
            programme: structure.id.clone(),
            project: input.project.clone(),
            source: input.source.clone(),
            activity_id: None,
            amount,
            entry_date: input.date,
            document_number: clean_document(input.document_number.as_deref())?,
            note: None,
            reverses: None,
            overdraw_note: None,
            coefficient: None,
            formula: None,
        };
        self.write_entry(actor, entry, "programme.plan.record", None)
            .await
    }

    /// Records a disbursement of a commune; refused when it spends more than the
    /// commune's allocation for the year, project and source, unless an overdraw note
    /// says why.
    pub async fn record_disbursement(
        &self,
        actor: &Actor,
        input: &DisbursementInput,
    ) -> Result<i64, AppError> {
        self.authorize_money(actor, MoneyAction::WriteMoney, &input.unit)
            .await?;
        let structure = self.check_budget_line(input.year, &input.project, &input.source)?;
        let amount = positive(input.amount)?;
        let unit = self.unit(&input.unit).await?;
        if unit.tier != "commune" {
            return Err(AppError::invalid(
                "unit",
                format!("giải ngân ghi cho một xã; «{}» không phải là xã", unit.name),
            ));
        }
        if let Some(id) = input.activity_id {
            self.check_disbursed_activity(actor, id, &unit.code, input.year)
                .await?;
        }
        let entry = NewEntry {
            kind: "disbursement".into(),
            year: input.year,
            unit_code: unit.code.clone(),
            from_unit_code: None,
            province_code: unit.province_code.clone(),
            programme: structure.id.clone(),
            project: input.project.clone(),
            source: input.source.clone(),
            activity_id: input.activity_id,
            amount,
            entry_date: input.date,
            document_number: clean_document(input.document_number.as_deref())?,
            note: clean_note("note", input.note.as_deref())?,
            reverses: None,
            overdraw_note: clean_note("overdraw_note", input.overdraw_note.as_deref())?,
            coefficient: None,
            formula: None,
        };
        self.write_entry(actor, entry, "programme.disbursement.record", None)
            .await
    }

    /// Imports the finance department's disbursement sheet, all or nothing: every row is
    /// checked first (the actor's area, a commune, the year's projects and sources) and
    /// every problem named by line and column; then every row is written in one
    /// transaction, which an overdraw of any commune's allocation refuses whole.
    pub async fn import_disbursements(
        &self,
        actor: &Actor,
        rows: &[giamngheo_sheets::programme::DisbursementRow],
    ) -> Result<Vec<i64>, AppError> {
        let mut errors = giamngheo_sheets::SheetErrors::new();
        let mut entries = Vec::with_capacity(rows.len());
        let mut audits = Vec::with_capacity(rows.len());
        for row in rows {
            let mut fail = |column: &str, e: AppError| {
                let message = match e {
                    AppError::Invalid { message, .. } => message,
                    other => other.to_string(),
                };
                errors.push(row.line, column, message);
            };
            if let Err(e) = self
                .authorize_money(actor, MoneyAction::WriteMoney, &row.unit)
                .await
            {
                fail("unit", e);
                continue;
            }
            let unit = match self.unit(&row.unit).await {
                Ok(u) if u.tier == "commune" => u,
                Ok(u) => {
                    fail(
                        "unit",
                        AppError::invalid("unit", format!("«{}» không phải là xã", u.name)),
                    );
                    continue;
                }
                Err(e) => {
                    fail("unit", e);
                    continue;
                }
            };
            let structure = match self.check_budget_line(row.year, &row.project, &row.source) {
                Ok(s) => s,
                Err(e) => {
                    let column = match &e {
                        AppError::Invalid { field, .. } => field.clone(),
                        _ => String::new(),
                    };
                    fail(&column, e);
                    continue;
                }
            };
            let document = match clean_document(row.document_number.as_deref()) {
                Ok(d) => d,
                Err(e) => {
                    fail("document_number", e);
                    continue;
                }
            };
            let note = match clean_note("note", row.note.as_deref()) {
                Ok(n) => n,
                Err(e) => {
                    fail("note", e);
                    continue;
                }
            };
            let Ok(amount) = i64::try_from(row.amount) else {
                fail("amount", AppError::invalid("amount", "số tiền quá lớn"));
                continue;
            };
            let mut audit = self.audit(
                actor,
                "programme.disbursement.import",
                "programme_entry",
                format!("#{}", entries.len()),
                None,
                &unit.code,
                &unit.province_code,
                vec![Self::change("amount", serde_json::Value::Null, amount)],
            );
            audit.reason = Some(format!("dòng {}", row.line));
            audits.push(audit);
            entries.push(NewEntry {
                kind: "disbursement".into(),
                year: row.year,
                unit_code: unit.code.clone(),
                from_unit_code: None,
                province_code: unit.province_code.clone(),
                programme: structure.id.clone(),
                project: row.project.clone(),
                source: row.source.clone(),
                activity_id: None,
                amount,
                entry_date: row.date,
                document_number: document,
                note,
                reverses: None,
                overdraw_note: None,
                coefficient: None,
                formula: None,
            });
        }
        if !errors.is_empty() {
            return Err(AppError::File(errors));
        }
        let ids = self
            .store()
            .record_entries(&entries, &audits, &recorder(actor), self.clock().now())
            .await?;
        tracing::info!(rows = ids.len(), "programme disbursements imported");
        Ok(ids)
    }

    /// Reverses an entry with a new one of the opposite amount, dated today. The old
    /// entry stays as it was.
    pub async fn reverse_entry(
        &self,
        actor: &Actor,
        id: i64,
        input: &ReverseInput,
    ) -> Result<i64, AppError> {
        let not_found = || AppError::NotFound(format!("bút toán số {id}"));
        let old = self.store().entry(id).await?.ok_or_else(not_found)?;
        let action = if old.kind == "allocation" {
            MoneyAction::Allocate
        } else {
            MoneyAction::WriteMoney
        };
        self.authorize_money(actor, action, &old.unit_code)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        let reason = clean_note("reason", Some(&input.reason))?
            .ok_or_else(|| AppError::invalid("reason", "cần ghi lý do điều chỉnh"))?;
        let entry = NewEntry {
            kind: old.kind.clone(),
            year: old.year,
            unit_code: old.unit_code.clone(),
            from_unit_code: old.from_unit_code.clone(),
            province_code: old.province_code.clone(),
            programme: old.programme.clone(),
            project: old.project.clone(),
            source: old.source.clone(),
            activity_id: old.activity_id,
            amount: -old.amount,
            entry_date: self.clock().today(),
            document_number: old.document_number.clone(),
            note: Some(reason.clone()),
            reverses: Some(old.id),
            overdraw_note: clean_note("overdraw_note", input.overdraw_note.as_deref())?,
            coefficient: old.coefficient,
            formula: old.formula.clone(),
        };
        self.write_entry(actor, entry, "programme.entry.reverse", Some(reason))
            .await
    }

    async fn write_entry(
        &self,
        actor: &Actor,
        entry: NewEntry,
        action: &str,
        reason: Option<String>,
    ) -> Result<i64, AppError> {
        let mut changes = vec![Self::change(
            "amount",
            serde_json::Value::Null,
            entry.amount,
        )];
        if let Some(old) = entry.reverses {
            changes.push(Self::change("reverses", serde_json::Value::Null, old));
        }
        if let Some(note) = &entry.overdraw_note {
            changes.push(Self::change("overdraw_note", serde_json::Value::Null, note));
        }
        let mut audit = self.audit(
            actor,
            action,
            "programme_entry",
            "#0".into(),
            None,
            &entry.unit_code,
            &entry.province_code,
            changes,
        );
        audit.reason = reason;
        let ids = self
            .store()
            .record_entries(
                std::slice::from_ref(&entry),
                &[audit],
                &recorder(actor),
                self.clock().now(),
            )
            .await?;
        tracing::info!(kind = %entry.kind, year = entry.year, "programme entry recorded");
        Ok(ids[0])
    }

    /// Checks that the activity a disbursement names exists within the actor's area,
    /// is of the same year, and belongs to the commune or a unit above it.
    async fn check_disbursed_activity(
        &self,
        actor: &Actor,
        id: i64,
        commune: &str,
        year: i32,
    ) -> Result<(), AppError> {
        let activity = self
            .activity(actor, id)
            .await
            .map_err(|_| AppError::invalid("activity_id", format!("không có hoạt động số {id}")))?;
        if activity.fields.year != year {
            return Err(AppError::invalid(
                "activity_id",
                format!(
                    "hoạt động số {id} thuộc năm {}, không phải năm {year}",
                    activity.fields.year
                ),
            ));
        }
        let chain = self.store().ancestry(commune).await?;
        if !chain.iter().any(|u| u.code == activity.fields.unit_code) {
            return Err(AppError::invalid(
                "activity_id",
                format!("hoạt động số {id} không thuộc xã giải ngân"),
            ));
        }
        Ok(())
    }

    /// The ledger rows of `year` for `unit` and the communes below it, of one kind or
    /// all; a commune officer sees only their commune's.
    pub async fn programme_entries(
        &self,
        actor: &Actor,
        unit: &str,
        year: i32,
        kind: Option<&str>,
    ) -> Result<Vec<EntryView>, AppError> {
        self.authorize_money(actor, MoneyAction::Read, unit).await?;
        let record = self.unit(unit).await?;
        let kinds: Vec<&str> = match kind {
            None | Some("") => Vec::new(),
            Some(k @ ("plan" | "allocation" | "disbursement")) => vec![k],
            Some(other) => {
                return Err(AppError::invalid(
                    "kind",
                    format!("loại bút toán «{other}» phải là plan, allocation hoặc disbursement"),
                ));
            }
        };
        let units = self.money_units(&record, year).await?;
        let rows = self
            .store()
            .entries(&record.province_code, year, &units, &kinds)
            .await?;
        Ok(rows.into_iter().map(EntryView::from).collect())
    }

    /// The unit codes whose rows belong to `unit`'s view: the unit itself and the
    /// communes at or below it; empty (every row of the province) for a province.
    pub(crate) async fn money_units(
        &self,
        unit: &giamngheo_store::UnitRecord,
        year: i32,
    ) -> Result<Vec<String>, AppError> {
        if unit.tier == "province" {
            return Ok(Vec::new());
        }
        let day = NaiveDate::from_ymd_opt(year, 12, 31)
            .ok_or_else(|| AppError::invalid("year", format!("năm {year} không hợp lệ")))?
            .min(unit.valid_to.unwrap_or(NaiveDate::MAX))
            .max(unit.valid_from);
        let mut units: Vec<String> = self
            .store()
            .communes_for_allocation(&unit.code, day)
            .await?
            .into_iter()
            .map(|c| c.code)
            .collect();
        if !units.contains(&unit.code) {
            units.push(unit.code.clone());
        }
        Ok(units)
    }
}
