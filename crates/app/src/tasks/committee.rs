//! The steering committee's page (Ban Chỉ đạo) of a unit and year: where the plan stands
//! in one place — the targets with their status, the review's progress, the agencies'
//! overdue tasks, the open findings and the inspections, the policies' coverage and the
//! programme's money — each line linking to its detail.

use super::TaskView;
use crate::access::{Action, Actor};
use crate::policies::coverage::{CoverageRequest, CoverageRow};
use crate::programme::access::MoneyAction;
use crate::programme::progress::Amounts;
use crate::reports::tier_of;
use crate::targets::TargetsView;
use crate::{App, AppError};
use giamngheo_domain::review::Step;
use giamngheo_store::{FindingRecord, InspectionRecord};
use std::collections::HashMap;

/// The review's progress: how many communes' reviews stand at each step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewStep {
    pub step: String,
    pub label_vi: String,
    pub reviews: i64,
}

/// Everything the committee's page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitteeView {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    pub targets: TargetsView,
    /// The period whose lists the year's review makes (the next year's).
    pub review_period: i32,
    pub review_steps: Vec<ReviewStep>,
    pub overdue: Vec<TaskView>,
    pub due_soon: Vec<TaskView>,
    pub open_findings: Vec<FindingRecord>,
    pub inspections: Vec<InspectionRecord>,
    /// Coverage per policy of the unit on the year's reference date; `None` when the
    /// actor may not read coverage, so that the page leaves the line out.
    pub coverage: Option<Vec<CoverageRow>>,
    /// The programme's money of the unit for the year; `None` when the actor's role may
    /// not read money.
    pub money: Option<Amounts>,
}

/// A refusal (a role without the right, or a unit outside the area) means "leave the
/// line out"; any other failure is a real error and stops the page.
fn unless_refused<T>(result: Result<T, AppError>) -> Result<Option<T>, AppError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(AppError::Forbidden(_) | AppError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

impl App {
    /// The committee's page of `unit` for `year`, for anyone whose area holds the unit.
    pub async fn committee(
        &self,
        actor: &Actor,
        unit: &str,
        year: i32,
    ) -> Result<CommitteeView, AppError> {
        self.authorize(actor, Action::ReadAggregates, unit).await?;
        super::check_year(year)?;
        let unit = self.unit(unit).await?;
        let targets = self.targets_as_system(&unit.code, year).await?;
        let tasks = self.tasks_as_system(&unit.code, year).await?;
        let column = match tier_of(&unit) {
            giamngheo_domain::Tier::Province => "province_code",
            giamngheo_domain::Tier::District => "district_code",
            // The review is a commune's: a village shows its commune's.
            _ => "commune_code",
        };
        let code = if unit.tier == "village" {
            unit.parent_code
                .clone()
                .unwrap_or_else(|| unit.code.clone())
        } else {
            unit.code.clone()
        };
        let review_period = year + 1;
        let mut by_step: HashMap<String, i64> = HashMap::new();
        for (_, step, n) in self
            .store()
            .review_progress(column, &code, review_period)
            .await?
        {
            *by_step.entry(step).or_default() += n;
        }
        let review_steps = [
            Step::Listing,
            Step::Survey,
            Step::Meeting,
            Step::Posting,
            Step::Closed,
        ]
        .into_iter()
        .filter_map(|s| {
            by_step.get(s.as_str()).map(|n| ReviewStep {
                step: s.as_str().to_string(),
                label_vi: s.label_vi().to_string(),
                reviews: *n,
            })
        })
        .collect();
        // Open findings of the unit and the units below it.
        let mut inside: HashMap<String, bool> = HashMap::new();
        let mut open_findings = Vec::new();
        for f in self
            .store()
            .open_findings_of_province(&unit.province_code)
            .await?
        {
            let yes = match inside.get(&f.unit_code) {
                Some(v) => *v,
                None => {
                    let chain = self.store().ancestry(&f.unit_code).await?;
                    let v = chain.iter().any(|u| u.code == unit.code);
                    inside.insert(f.unit_code.clone(), v);
                    v
                }
            };
            if yes {
                open_findings.push(f);
            }
        }
        let inspections = self.store().inspections(&unit.code, year).await?;
        // Coverage and money come through their own functions, with the actor's access:
        // the committee's page shows no more than their own pages would.
        let coverage = unless_refused(
            self.coverage(
                actor,
                &CoverageRequest {
                    unit: unit.code.clone(),
                    year,
                    policy: None,
                    as_of: None,
                    by_child: false,
                    basis: None,
                },
            )
            .await,
        )?
        .map(|r| r.rows);
        let money = if self.may_money(actor, MoneyAction::Read).await? {
            unless_refused(self.programme_progress(actor, &unit.code, year).await)?.map(|p| p.total)
        } else {
            None
        };
        Ok(CommitteeView {
            unit_code: unit.code,
            unit_name: unit.name,
            year,
            targets,
            review_period,
            review_steps,
            overdue: tasks.overdue(None).into_iter().cloned().collect(),
            due_soon: tasks.due_soon(None).into_iter().cloned().collect(),
            open_findings,
            inspections,
            coverage,
            money,
        })
    }
}
