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
use giamngheo_store::BeneficiaryRecord;
use std::collections::{HashMap, HashSet};

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

/// An activity of the report with what it counts: the one computation behind both the
/// report's figures and the lists its figures drill down to, so that they cannot differ.
pub(crate) struct CountedActivity {
    pub record: giamngheo_store::ActivityRecord,
    /// Its activity type's code in the report (`<project or sub-project>.<type>`).
    pub code: String,
    /// Whether it is a communication or training event (its participants count).
    pub event: bool,
    /// The households on its list now, once each, with their group on its start date.
    pub households: Vec<(BeneficiaryRecord, BeneficiaryGroupOn)>,
    /// The people named on its list now, once each.
    pub people: Vec<BeneficiaryRecord>,
}

impl App {
    /// The current version of each activity of `year` in `unit` and the communes below
    /// it, with its beneficiaries grouped as the report counts them.
    pub(crate) async fn counted_activities(
        &self,
        unit: &giamngheo_store::UnitRecord,
        year: i32,
    ) -> Result<Vec<CountedActivity>, AppError> {
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
        let mut out = Vec::with_capacity(activities.len());
        for a in activities {
            let f = &a.fields;
            let code = activity_type_code(&f.project, &f.activity_type);
            let event = super::activities::find_place(structure, &f.project, &f.activity_type)
                .is_some_and(|p| p.activity_type.event);
            let journal = self.store().beneficiary_journal(a.activity_id).await?;
            let mut seen_households = HashSet::new();
            let mut seen_people = HashSet::new();
            let mut households = Vec::new();
            let mut people = Vec::new();
            for b in current_beneficiaries(journal) {
                if let Some(m) = b.member_id
                    && seen_people.insert(m)
                {
                    people.push(b.clone());
                }
                if let Some(h) = b.household_id
                    && seen_households.insert(h)
                {
                    let group = beneficiary_group(
                        histories.get(&h),
                        minority.get(&h).copied().unwrap_or(false),
                        f.start_date,
                        years,
                    );
                    households.push((b, group));
                }
            }
            out.push(CountedActivity {
                record: a,
                code,
                event,
                households,
                people,
            });
        }
        Ok(out)
    }

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
        let mut placer = RowPlacer::new(rows);
        let mut out = Vec::new();
        for a in self.counted_activities(unit, year).await? {
            let row = self.row_of(&mut placer, &a.record.fields.unit_code).await?;
            for (key, n) in a.facts() {
                out.push((row.clone(), key, n));
            }
        }
        Ok(out)
    }
}

impl CountedActivity {
    /// The facts this activity adds to its row.
    pub(crate) fn facts(&self) -> Vec<(String, i64)> {
        let f = &self.record.fields;
        let code = &self.code;
        let mut out = vec![
            (format!("activity.{code}.count"), 1),
            (
                format!("activity.{code}.planned"),
                f.planned_quantity.unwrap_or(0),
            ),
            (
                format!("activity.{code}.done"),
                f.done_quantity.unwrap_or(0),
            ),
        ];
        if self.event {
            for (key, n) in [
                ("events.participants", f.participants),
                ("events.women", f.participants_women),
                ("events.ethnic_minority", f.participants_minority),
            ] {
                out.push((key.to_string(), i64::from(n.unwrap_or(0))));
            }
        }
        for (_, group) in &self.households {
            out.push(("beneficiaries.households".into(), 1));
            out.push((format!("beneficiaries.{}", group.key()), 1));
        }
        if !self.people.is_empty() {
            out.push(("beneficiaries.people".into(), self.people.len() as i64));
        }
        out
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
