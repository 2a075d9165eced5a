//! The facts of the programme's activity report (`09-hoat-dong-chuong-trinh.toml`):
//! activities planned against done by activity type, the households that benefited by
//! their group on the activity's date, and the events' participants.
//!
//! A household is counted once per activity it benefited from (lượt hộ), in the first of
//! these groups it belongs to on the activity's start date, in the order the policies'
//! eligibility checks them: poor, near-poor, recently escaped (off the lists for less than
//! the period's `recently_escaped_years`, by the rules crate's
//! `StatusHistory::recently_escaped_on`), ethnic minority, others. So the groups add up
//! to the households.

use super::activities::current_beneficiaries;
use super::progress::RowPlacer;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_rules::Status;
use giamngheo_rules::StatusHistory;
use giamngheo_rules::programme::ProgrammeStructure;
use std::collections::HashMap;

/// The group a beneficiary household is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeneficiaryGroupOn {
    Poor,
    NearPoor,
    RecentlyEscaped,
    EthnicMinority,
    Other,
}

impl BeneficiaryGroupOn {
    /// The fact's last part (`beneficiaries.<key>`).
    pub fn key(self) -> &'static str {
        match self {
            BeneficiaryGroupOn::Poor => "poor",
            BeneficiaryGroupOn::NearPoor => "near_poor",
            BeneficiaryGroupOn::RecentlyEscaped => "recently_escaped",
            BeneficiaryGroupOn::EthnicMinority => "ethnic_minority",
            BeneficiaryGroupOn::Other => "other",
        }
    }
}

/// The group of a household on `date`, from its classifications (none when never
/// classified) and whether it is an ethnic-minority household.
pub fn beneficiary_group(
    history: Option<&StatusHistory>,
    ethnic_minority: bool,
    date: NaiveDate,
    recently_escaped_years: u32,
) -> BeneficiaryGroupOn {
    match history.and_then(|h| h.status_on(date)) {
        Some(Status::Poor) => return BeneficiaryGroupOn::Poor,
        Some(Status::NearPoor) => return BeneficiaryGroupOn::NearPoor,
        _ => {}
    }
    if history.is_some_and(|h| h.recently_escaped_on(date, recently_escaped_years)) {
        BeneficiaryGroupOn::RecentlyEscaped
    } else if ethnic_minority {
        BeneficiaryGroupOn::EthnicMinority
    } else {
        BeneficiaryGroupOn::Other
    }
}

/// The code an activity type is expanded over in the report: its budget line (project
/// or sub-project) and its own code, `p1.3.livelihood_model`.
pub(crate) fn activity_type_code(line: &str, activity_type: &str) -> String {
    format!("{line}.{activity_type}")
}

/// The activity types of a period as the report's expand list: (code, name, name_en),
/// each name with its unit of count.
pub(crate) fn activity_type_list(structure: &ProgrammeStructure) -> Vec<(String, String, String)> {
    structure
        .activity_places()
        .map(|p| {
            let line = p
                .subproject
                .map(|s| s.code.as_str())
                .unwrap_or(p.project.code.as_str());
            let t = p.activity_type;
            (
                activity_type_code(line, &t.code),
                format!("{} ({})", t.name_vi, t.unit_vi),
                format!("{} ({})", t.name_en, t.unit_en),
            )
        })
        .collect()
}

impl App {
    /// The activity report's facts of `year` in `unit`, each placed on the row unit that
    /// holds the activity's unit: `activity.<type code>.planned|done|count`,
    /// `beneficiaries.households`, `beneficiaries.<group>`, `beneficiaries.people`
    /// (members named on a list), and for events `events.participants|women|
    /// ethnic_minority`. Only the current version of each activity counts.
    pub(crate) async fn activity_facts(
        &self,
        unit: &giamngheo_store::UnitRecord,
        year: i32,
        rows: &[giamngheo_store::UnitRecord],
    ) -> Result<Vec<(String, String, i64)>, AppError> {
        let Some(structure) = self.programme().structure_for(year) else {
            return Ok(Vec::new());
        };
        let years = structure
            .recently_escaped_years
            .as_ref()
            .map(|f| u32::try_from(f.value).unwrap_or(u32::MAX))
            .ok_or_else(|| {
                AppError::invalid(
                    "recently_escaped_years",
                    format!(
                        "cơ cấu chương trình «{}» thiếu số năm của hộ mới thoát nghèo",
                        structure.id
                    ),
                )
            })?;
        let units = self.money_units(unit, year).await?;
        let activities = self
            .store()
            .activities(&unit.province_code, year, &units)
            .await?;
        let histories = crate::policies::findings::histories(
            &self
                .store()
                .status_history_in(&unit.code, &unit.tier)
                .await?,
        );
        let minority: HashMap<i64, bool> = self
            .store()
            .household_facts_in(&unit.code, &unit.tier)
            .await?
            .into_iter()
            .map(|h| (h.id, h.ethnic_minority))
            .collect();
        let mut placer = RowPlacer::new(rows);
        let mut out = Vec::new();
        for a in activities {
            let f = &a.fields;
            let row = self.row_of(&mut placer, &f.unit_code).await?;
            let code = activity_type_code(&f.project, &f.activity_type);
            let mut add = |key: String, n: i64| out.push((row.clone(), key, n));
            add(format!("activity.{code}.count"), 1);
            add(
                format!("activity.{code}.planned"),
                f.planned_quantity.unwrap_or(0),
            );
            add(
                format!("activity.{code}.done"),
                f.done_quantity.unwrap_or(0),
            );
            let event = super::activities::find_place(structure, &f.project, &f.activity_type)
                .is_some_and(|p| p.activity_type.event);
            if event {
                add(
                    "events.participants".into(),
                    i64::from(f.participants.unwrap_or(0)),
                );
                add(
                    "events.women".into(),
                    i64::from(f.participants_women.unwrap_or(0)),
                );
                add(
                    "events.ethnic_minority".into(),
                    i64::from(f.participants_minority.unwrap_or(0)),
                );
            }
            let journal = self.store().beneficiary_journal(a.activity_id).await?;
            let mut households = std::collections::HashSet::new();
            let mut people = std::collections::HashSet::new();
            for b in current_beneficiaries(journal) {
                if let Some(m) = b.member_id {
                    people.insert(m);
                }
                if let Some(h) = b.household_id {
                    households.insert(h);
                }
            }
            for h in households {
                let group = beneficiary_group(
                    histories.get(&h),
                    minority.get(&h).copied().unwrap_or(false),
                    f.start_date,
                    years,
                );
                add("beneficiaries.households".into(), 1);
                add(format!("beneficiaries.{}", group.key()), 1);
            }
            if !people.is_empty() {
                add("beneficiaries.people".into(), people.len() as i64);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use giamngheo_rules::StatusChange;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A history of classifications given as (effective date, status).
    fn history(changes: &[(NaiveDate, Status)]) -> StatusHistory {
        let list: Vec<StatusChange> = changes
            .iter()
            .map(|&(effective, status)| StatusChange { effective, status })
            .collect();
        StatusHistory::new(list)
    }

    #[test]
    fn a_household_that_left_the_lists_two_years_before_is_recently_escaped_four_is_not() {
        let activity = day(2025, 3, 1);
        let two = history(&[
            (day(2021, 1, 1), Status::Poor),
            (day(2023, 1, 1), Status::NotPoor),
        ]);
        let four = history(&[
            (day(2020, 1, 1), Status::NearPoor),
            (day(2021, 1, 1), Status::NotPoor),
        ]);
        assert_eq!(
            beneficiary_group(Some(&two), false, activity, 3),
            BeneficiaryGroupOn::RecentlyEscaped
        );
        assert_eq!(
            beneficiary_group(Some(&four), false, activity, 3),
            BeneficiaryGroupOn::Other
        );
        assert_eq!(
            beneficiary_group(Some(&four), true, activity, 3),
            BeneficiaryGroupOn::EthnicMinority
        );
        // Status is taken on the activity's date, not today's.
        assert_eq!(
            beneficiary_group(Some(&two), false, day(2022, 6, 1), 3),
            BeneficiaryGroupOn::Poor
        );
        assert_eq!(
            beneficiary_group(None, false, activity, 3),
            BeneficiaryGroupOn::Other
        );
    }
}
