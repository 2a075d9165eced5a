//! The coverage facts of the report family `bao-phu-chinh-sach` (reports.md, family 5):
//! the report engine asks for `coverage.<policy>.eligible`, `.covered` and `.not_covered`
//! per row unit, and they are counted here by the same code as the coverage page, the
//! API and the command line (`App::coverage_as_system`), so the report can never
//! disagree with them.

use super::coverage::CoverageRequest;
use crate::basis::Basis;
use crate::reports::{CodeName, ReportDef};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_rules::{Beneficiary, PolicyCatalogue};

/// The prefix of the coverage facts.
const PREFIX: &str = "coverage.";

/// What a coverage fact counts, after `coverage.<policy>.`.
const MEASURES: [&str; 3] = ["eligible", "covered", "not_covered"];

/// The policies a column `expand = "policies"` repeats over: those of the catalogue that
/// count towards a target of the plan, in the catalogue's order, each named with what its
/// figures count (people or households).
pub fn report_policies(catalogue: &PolicyCatalogue) -> Vec<CodeName> {
    catalogue
        .iter()
        .filter(|p| p.target.is_some())
        .map(|p| {
            let (vi, en) = match p.beneficiary {
                Beneficiary::Person => ("người", "people"),
                Beneficiary::Household => ("hộ", "households"),
            };
            CodeName {
                code: p.code.clone(),
                name: format!("{} ({vi})", p.name_vi),
                name_en: format!("{} ({en})", p.name_en),
            }
        })
        .collect()
}

/// The policy of a coverage fact's key (`coverage.bhyt.covered` → `bhyt`), when the key
/// is one.
pub fn coverage_policy(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(PREFIX)?;
    let (policy, measure) = rest.rsplit_once('.')?;
    MEASURES.contains(&measure).then_some(policy)
}

/// The policies whose coverage a definition's columns read: every policy of
/// [`report_policies`] when a column expands over them, and those named in a value or a
/// formula.
pub(crate) fn coverage_codes(def: &ReportDef, expanded: &[CodeName]) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for c in &def.columns {
        if c.expand.as_deref() == Some("policies") {
            codes.extend(expanded.iter().map(|p| p.code.clone()));
        }
        for text in c.value.iter().chain(&c.formula) {
            for word in text.split(|ch: char| !(ch.is_ascii_alphanumeric() || "._{}".contains(ch)))
            {
                if let Some(code) = coverage_policy(word)
                    && code != "{code}"
                {
                    codes.push(code.to_string());
                }
            }
        }
    }
    codes.sort();
    codes.dedup();
    codes
}

/// The coverage facts of a report and its notes.
pub(crate) struct CoverageFacts {
    /// `(unit, key, value)` for each unit below the report's unit (or the unit itself
    /// when it has none below).
    pub facts: Vec<(String, String, i64)>,
    pub notes: Vec<String>,
}

impl App {
    /// The coverage facts of `policies` in `unit` for a report of `period`, on the
    /// coverage's reference date (31 December, or today for the current year, or
    /// `as_of`), per unit below.
    pub(crate) async fn coverage_facts(
        &self,
        unit: &str,
        period: i32,
        as_of: Option<NaiveDate>,
        basis: Basis,
        policies: &[String],
    ) -> Result<CoverageFacts, AppError> {
        let mut facts = Vec::new();
        let mut to_confirm = Vec::new();
        let mut day = self.coverage_date(period, as_of);
        for code in policies {
            let report = self
                .coverage_as_system(&CoverageRequest {
                    unit: unit.to_string(),
                    year: period,
                    policy: Some(code.clone()),
                    as_of,
                    by_child: true,
                    basis: Some(basis),
                })
                .await?;
            day = report.as_of;
            for row in report.rows {
                if row.to_confirm && !to_confirm.contains(&row.policy_name) {
                    to_confirm.push(row.policy_name.clone());
                }
                for (measure, value) in [
                    ("eligible", row.eligible),
                    ("covered", row.covered),
                    ("not_covered", row.not_covered),
                ] {
                    facts.push((row.unit.clone(), format!("{PREFIX}{code}.{measure}"), value));
                }
            }
        }
        let mut notes = vec![format!(
            "Số đủ điều kiện và số đã hưởng tính trên ngày {}: đã hưởng là có bản ghi chính sách còn hiệu lực ngày đó.",
            day.format("%d/%m/%Y")
        )];
        if !to_confirm.is_empty() {
            notes.push(format!(
                "Mức hoặc điều kiện cần xác nhận: {}.",
                to_confirm.join("; ")
            ));
        }
        Ok(CoverageFacts { facts, notes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_keys_name_their_policy() {
        assert_eq!(coverage_policy("coverage.bhyt.covered"), Some("bhyt"));
        assert_eq!(
            coverage_policy("coverage.loan_poor.not_covered"),
            Some("loan_poor")
        );
        assert_eq!(coverage_policy("coverage.bhyt.other"), None);
        assert_eq!(coverage_policy("poor.households"), None);
    }

    #[test]
    fn the_report_policies_are_those_with_a_target() {
        let list = report_policies(&PolicyCatalogue::embedded());
        assert!(
            list.iter()
                .any(|p| p.code == "bhyt" && p.name.ends_with("(người)"))
        );
        assert!(
            list.iter()
                .any(|p| p.code == "loan_poor" && p.name.ends_with("(hộ)"))
        );
        assert!(!list.iter().any(|p| p.code == "legal_aid"));
    }
}
