//! What a computed report is: the request, its columns, rows and check, and the facts
//! it is computed from.

use super::*;
use crate::print_wording::Wording;

// ---------------------------------------------------------------- computed reports

/// What to compute: a report for a unit, a classification period and a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    pub name: String,
    pub unit: String,
    pub period: i32,
    /// The day the figures are taken as of; today when not given.
    pub as_of: Option<NaiveDate>,
    /// The units the figures are placed on; see [`App::based_unit`] for the default.
    pub basis: Option<Basis>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportColumn {
    pub id: String,
    pub heading: Vec<String>,
    pub heading_en: Vec<String>,
    pub format: ValueFormat,
    /// The fact the column's figures drill down to.
    pub drill: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    /// `None` for the total row.
    pub unit_code: Option<String>,
    pub label: String,
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckFailure {
    pub unit_code: Option<String>,
    pub unit_name: String,
    pub left: String,
    pub right: String,
    pub left_value: i64,
    pub right_value: i64,
    /// Every column's figure of the row, by column id.
    pub figures: BTreeMap<String, i64>,
}

impl CheckFailure {
    pub fn message(&self) -> String {
        let figures: Vec<String> = self
            .figures
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!(
            "{}: {} = {} nhưng {} = {} ({})",
            self.unit_name,
            self.left,
            self.left_value,
            self.right,
            self.right_value,
            figures.join(", ")
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub rule: String,
    pub passed: bool,
    pub failures: Vec<CheckFailure>,
}

/// A computed report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub name: String,
    pub form: Option<String>,
    pub title: String,
    pub title_en: String,
    pub description: String,
    pub unit_code: String,
    pub unit_name: String,
    pub period: i32,
    pub as_of: NaiveDate,
    /// The units the figures are placed on (named in the first note too).
    pub basis: Basis,
    /// The standard whose indicators the period uses.
    pub standard: String,
    pub numbered: bool,
    pub notes: Vec<String>,
    pub columns: Vec<ReportColumn>,
    /// One row per unit below the report's unit in official code order, then the total.
    pub rows: Vec<ReportRow>,
    pub check: Option<CheckResult>,
    /// The agency lines of the header block.
    pub agency: Vec<String>,
    /// The place name for the date line ("Hương Khê").
    pub place: String,
}

impl Report {
    pub fn check_failed(&self) -> bool {
        self.check.as_ref().is_some_and(|c| !c.passed)
    }

    /// Refuses a report whose check fails: exports must never carry figures that do
    /// not add up. The message names each unit and its figures.
    pub fn ensure_exportable(&self) -> Result<(), AppError> {
        match &self.check {
            Some(c) if !c.passed => {
                let lines: Vec<String> = c.failures.iter().map(CheckFailure::message).collect();
                Err(AppError::Conflict(format!(
                    "báo cáo {} không xuất được: kiểm tra {} sai ở {} đơn vị: {}",
                    self.name,
                    c.rule,
                    c.failures.len(),
                    lines.join("; ")
                )))
            }
            _ => Ok(()),
        }
    }

    /// The report as a sheet for the workbook and CSV writers; the motto and the date
    /// line in the words of `wording`.
    pub fn to_sheet(&self, today: NaiveDate, wording: &Wording) -> SheetReport {
        let mut subtitle = vec![format!("Đơn vị: {}", self.unit_name)];
        subtitle.push(format!(
            "Số liệu tính đến ngày {} (kỳ {})",
            self.as_of.format("%d/%m/%Y"),
            self.period
        ));
        SheetReport {
            sheet_name: self.unit_name.clone(),
            agency: self.agency.clone(),
            motto: wording.motto(),
            form: self.form.clone(),
            title: self.title.clone(),
            subtitle,
            label_heading: "Đơn vị".into(),
            columns: self
                .columns
                .iter()
                .map(|c| SheetColumn {
                    heading: c.heading.clone(),
                    kind: match c.format {
                        ValueFormat::Count => NumberKind::Count,
                        ValueFormat::Rate => NumberKind::Rate,
                    },
                })
                .collect(),
            numbered: self.numbered,
            rows: self
                .rows
                .iter()
                .map(|r| SheetRow {
                    label: r.label.clone(),
                    values: r.values.clone(),
                    bold: r.unit_code.is_none(),
                })
                .collect(),
            notes: self.notes.clone(),
            place_date: wording.date_line(&self.place, today),
            signers: vec![
                ("NGƯỜI LẬP BIỂU".into(), "(Ký, ghi rõ họ tên)".into()),
                ("THỦ TRƯỞNG ĐƠN VỊ".into(), "(Ký tên, đóng dấu)".into()),
            ],
        }
    }
}

/// The unit name without its kind ("Huyện Hương Khê" → "Hương Khê").
pub(super) fn bare_name(u: &UnitRecord) -> String {
    u.name
        .strip_prefix(u.kind.as_str())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| u.name.clone())
}

pub(crate) fn tier_of(unit: &UnitRecord) -> Tier {
    match unit.tier.as_str() {
        "province" => Tier::Province,
        "district" => Tier::District,
        "commune" => Tier::Commune,
        _ => Tier::Village,
    }
}

pub(crate) fn column_of(tier: Tier) -> &'static str {
    match tier {
        Tier::Province => "province_code",
        Tier::District => "district_code",
        Tier::Commune => "commune_code",
        Tier::Village => "village_code",
    }
}

/// The facts of every row unit, and their totals under the key `""`.
#[derive(Debug, Default)]
pub(super) struct Facts {
    pub(super) by_unit: HashMap<String, HashMap<String, i64>>,
}

impl Facts {
    pub(super) fn add(&mut self, unit: &str, key: &str, value: i64) {
        *self
            .by_unit
            .entry(unit.to_string())
            .or_default()
            .entry(key.to_string())
            .or_default() += value;
    }
}
