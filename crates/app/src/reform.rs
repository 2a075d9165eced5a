//! The reform of administrative units (`giamngheo units reform`): a new official list and
//! the mapping from the old communes to the new ones, applied to a database that already
//! holds data.

use crate::{App, AppError};
use chrono::{Days, NaiveDate};
use giamngheo_domain::Hierarchy;
use giamngheo_sheets::SheetErrors;
use giamngheo_sheets::reform::read_unit_mapping;
use giamngheo_sheets::units::read_units;
use giamngheo_store::{AuditEntry, ReformInput, ReformOutcome, SuccessionPair};
use std::collections::{HashMap, HashSet};
use std::io::Read;

/// How a reform is applied.
#[derive(Debug, Clone)]
pub struct ReformOptions {
    /// The first day of the new units; the old ones are closed on the day before.
    pub effective: NaiveDate,
    /// A name for the list, recorded with its hierarchy.
    pub list_name: String,
    /// Check and count everything, then change nothing.
    pub dry_run: bool,
}

/// The hierarchy of an official list, read from its levels: a list with level-3 official
/// units has districts; one without has provinces and communes only.
pub fn hierarchy_of_list(max_level: i32) -> Hierarchy {
    if max_level >= 3 {
        Hierarchy::four_levels()
    } else {
        Hierarchy::three_levels()
    }
}

impl App {
    /// Applies a reform: the new list's units opened on `effective`, the old communes of
    /// the mapping (with their districts and provinces where those end) closed on the day
    /// before, villages moved under their new commune where the old one went whole into
    /// it (and their households and open reviews with them), the villages of a split
    /// commune flagged for an administrator, users of a closed unit moved to its
    /// successor. Classifications, certificates, decisions and the audit log keep the
    /// units they were made in.
    ///
    /// Both files are checked first, every problem named by line and column; then it is
    /// one transaction, and a second run changes nothing.
    pub async fn apply_reform<L: Read, M: Read>(
        &self,
        list: L,
        mapping: M,
        options: &ReformOptions,
    ) -> Result<ReformOutcome, AppError> {
        let eff = options.effective;
        let day_before = eff - Days::new(1);
        let rows = read_units(list)?;
        let hierarchy = hierarchy_of_list(rows.iter().map(|r| r.level).max().unwrap_or(1));
        let units = self.prepare_units(&rows, &hierarchy, eff, true).await?;
        let mapping = read_unit_mapping(mapping)?;

        let existing = self.store().official_versions().await?;
        // A mapping names communes, and the districts that had none (the island districts
        // that became special zones in 2025).
        let old_units: HashSet<&str> = existing
            .iter()
            .filter(|v| matches!(v.tier.as_str(), "commune" | "district") && v.covers(day_before))
            .map(|v| v.code.as_str())
            .collect();
        let new_communes: HashSet<&str> = units
            .iter()
            .filter(|u| u.tier == "commune")
            .map(|u| u.code.as_str())
            .collect();
        let mut rows_of: HashMap<&str, usize> = HashMap::new();
        for m in &mapping {
            *rows_of.entry(m.old_code.as_str()).or_default() += 1;
        }
        let mut errors = SheetErrors::new();
        let day = day_before.format("%d/%m/%Y");
        for m in &mapping {
            if !old_units.contains(m.old_code.as_str()) {
                errors.push(
                    m.line,
                    "old_code",
                    format!(
                        "không có xã (hay huyện) mã {} còn hiệu lực ngày {day}",
                        m.old_code
                    ),
                );
            }
            if !new_communes.contains(m.new_code.as_str()) {
                errors.push(
                    m.line,
                    "new_code",
                    format!("danh mục mới không có xã mã {}", m.new_code),
                );
            }
            if m.whole && rows_of[m.old_code.as_str()] > 1 {
                errors.push(
                    m.line,
                    "whole",
                    format!(
                        "xã {} nhập nguyên vẹn (whole = 1) nhưng có {} dòng",
                        m.old_code,
                        rows_of[m.old_code.as_str()]
                    ),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let input = ReformInput {
            effective: eff,
            list_name: options.list_name.clone(),
            hierarchy: hierarchy.to_string(),
            units,
            pairs: mapping
                .iter()
                .map(|m| SuccessionPair {
                    old_code: m.old_code.as_str().to_string(),
                    new_code: m.new_code.as_str().to_string(),
                    whole: m.whole,
                })
                .collect(),
            dry_run: options.dry_run,
        };
        let outcome = self
            .store()
            .apply_reform(&input, self.clock().now(), |out| {
                self.reform_audit(&input, out)
            })
            .await?;
        tracing::info!(
            opened = outcome.units_opened,
            closed = outcome.units_closed,
            villages = outcome.villages_moved,
            waiting = outcome.villages_waiting.len(),
            households = outcome.households_moved,
            users = outcome.users_moved.len(),
            dry_run = options.dry_run,
            "reform of administrative units"
        );
        Ok(outcome)
    }
}

impl App {
    /// An audit entry of something the system did (the command line, the demo): the
    /// new values of what it recorded, each as a change from nothing.
    pub(crate) fn system_audit(
        &self,
        action: &str,
        entity: (&str, String),
        unit: Option<(&str, &str)>,
        changes: Vec<(&str, serde_json::Value)>,
        reason: &str,
    ) -> AuditEntry {
        let changes: Vec<serde_json::Value> = changes
            .into_iter()
            .map(|(field, new)| serde_json::json!({ "field": field, "old": null, "new": new }))
            .collect();
        AuditEntry {
            at: self
                .clock()
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            user_id: None,
            username: "hệ thống".to_string(),
            action: action.to_string(),
            entity: entity.0.to_string(),
            entity_id: entity.1,
            household_id: None,
            unit_code: unit.map(|(u, _)| u.to_string()),
            province_code: unit.map(|(_, p)| p.to_string()),
            changes: serde_json::Value::Array(changes).to_string(),
            reason: Some(reason.to_string()),
        }
    }

    /// The audit entry of a reform run: who ran it and when, the list and its effective
    /// day, and what it did (counts, the villages left waiting, the users moved). A
    /// reform comes from the command line, so the system is who ran it.
    fn reform_audit(&self, input: &ReformInput, out: &ReformOutcome) -> AuditEntry {
        let users: Vec<String> = out
            .users_moved
            .iter()
            .map(|u| match &u.to {
                Some(to) => format!("{}: {} → {to}", u.username, u.from),
                None => format!("{}: {} (chờ quản trị viên)", u.username, u.from),
            })
            .collect();
        let waiting: Vec<&str> = out
            .villages_waiting
            .iter()
            .map(|v| v.code.as_str())
            .collect();
        self.system_audit(
            "units.reform",
            ("unit_list", input.list_name.clone()),
            None,
            vec![
                ("list", input.list_name.clone().into()),
                (
                    "effective",
                    input.effective.format("%d/%m/%Y").to_string().into(),
                ),
                ("units_opened", out.units_opened.into()),
                ("units_closed", out.units_closed.into()),
                ("villages_moved", out.villages_moved.into()),
                ("villages_waiting", waiting.into()),
                ("households_moved", out.households_moved.into()),
                ("reviews_moved", out.reviews_moved.into()),
                ("users_moved", users.into()),
            ],
            "giamngheo units reform",
        )
    }
}
