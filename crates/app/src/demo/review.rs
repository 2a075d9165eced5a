//! The periodic review of the next period, which the demo leaves open and half done so
//! that a new user lands in the work of the day.

use super::*;
use crate::access::Actor;
use crate::reviews::SurveyInput;
use giamngheo_domain::Tier;
use std::collections::HashMap;

/// The review the demo left open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReview {
    pub id: i64,
    pub commune_code: String,
    pub period: i32,
    pub standard: String,
    /// The households on the review's list (the commune's poor and near-poor).
    pub listed: usize,
    /// How many of them the survey has reached: about half.
    pub surveyed: usize,
}

/// The reviewer the demo's surveys are signed by (a made-up name).
const DEMO_SURVEYOR: &str = "Nguyễn Thị Hoa";

impl App {
    /// Opens the periodic review of `next` in the demo commune officer's commune, as
    /// that officer, when the review window of today is for `next` under its standard;
    /// moves it to the survey and records the survey of the first half of its households
    /// with what the plan says the survey finds: the income, and the deprivations the
    /// household's facts show. `households_of` gives, per commune of today, each
    /// household's `(plan index, id)`.
    pub(super) async fn demo_open_review(
        &self,
        users: &[DemoUser],
        next: &DemoPeriod,
        households_of: &BTreeMap<String, Vec<(usize, i64)>>,
    ) -> Result<Option<DemoReview>, AppError> {
        let defaults = self.periodic_review_defaults();
        if defaults.period != next.period || defaults.standard.as_deref() != Some(&next.standard) {
            return Ok(None);
        }
        let Some(officer) = users.iter().find(|u| u.role == Role::CommuneOfficer) else {
            return Ok(None);
        };
        let actor = Actor {
            user_id: officer.user_id,
            username: officer.username.clone(),
            role: officer.role,
            unit_code: officer.unit_code.clone(),
            unit_tier: Tier::Commune,
            agency_code: None,
        };
        let id = self
            .open_periodic_review(&actor, &officer.unit_code, next.period, &next.standard)
            .await?;
        let view = self.review(&actor, id).await?;
        // A small demo may leave the commune nobody on its lists: its review stays at the
        // listing step, as a real one would, since the survey needs households.
        if view.households.is_empty() {
            return Ok(Some(DemoReview {
                id,
                commune_code: officer.unit_code.clone(),
                period: next.period,
                standard: next.standard.clone(),
                listed: 0,
                surveyed: 0,
            }));
        }
        self.start_survey(&actor, id, view.review.version).await?;
        let view = self.review(&actor, id).await?;
        let standard = self
            .config()
            .standards
            .get(&next.standard)
            .ok_or_else(|| AppError::invalid("standard", next.standard.clone()))?;
        let index_of: HashMap<i64, usize> = households_of
            .get(&officer.unit_code)
            .into_iter()
            .flatten()
            .map(|&(i, id)| (id, i))
            .collect();
        let today = self.clock().today();
        let half = view.households.len().div_ceil(2);
        let mut surveyed = 0;
        for rh in view.households.iter().take(half) {
            let Some(&i) = index_of.get(&rh.household_id) else {
                continue;
            };
            let household = self.household(&actor, rh.household_id).await?;
            let (draft, _) = App::draft_of(&household);
            let derived =
                derive_deprivations(standard, &crate::facts::household_facts(&draft), today);
            let ticks = derived
                .deprived()
                .indexes()
                .map(|k| standard.indicators()[k].code.clone())
                .collect();
            let (income_per_capita, score_a) = match next.evidence[i] {
                Evidence::Income(v) => (Some(v as i64), None),
                Evidence::ScoreA(a) => (None, Some(a as i32)),
            };
            self.record_survey(
                &actor,
                id,
                rh.id,
                rh.version,
                SurveyInput {
                    income_per_capita,
                    score_a,
                    ticks,
                    surveyed_by: DEMO_SURVEYOR.to_string(),
                    surveyed_on: today,
                },
            )
            .await?;
            surveyed += 1;
        }
        tracing::info!(
            review = id,
            period = next.period,
            listed = view.households.len(),
            surveyed,
            "demo review left open"
        );
        Ok(Some(DemoReview {
            id,
            commune_code: officer.unit_code.clone(),
            period: next.period,
            standard: next.standard.clone(),
            listed: view.households.len(),
            surveyed,
        }))
    }
}
