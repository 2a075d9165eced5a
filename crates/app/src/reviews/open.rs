//! Opening a review, reading it, and its first steps: requests, screening, the start of
//! the survey.

use super::{RequestInput, ReviewView, first_step, validate_request};
use crate::access::{Action, Actor};
use crate::{App, AppError};
use chrono::Datelike;
use giamngheo_domain::Tier;
use giamngheo_domain::review::{Move, Step, check};
use giamngheo_rules::DeadlineStatus;
use giamngheo_store::{ClassificationRecord, NewReview, NewReviewHousehold, ReviewHouseholdRecord};
use std::collections::HashMap;

impl App {
    /// Opens the periodic review of a commune for a period (the end-2021 review
    /// classifies for 2022) under a standard. The households on the poor and near-poor
    /// lists are listed at once.
    pub async fn open_periodic_review(
        &self,
        actor: &Actor,
        commune_code: &str,
        period: i32,
        standard_id: &str,
    ) -> Result<i64, AppError> {
        self.authorize(actor, Action::WriteHouseholds, commune_code)
            .await?;
        let commune = self.unit(commune_code).await?;
        if commune.tier != "commune" {
            return Err(AppError::invalid(
                "commune",
                "rà soát mở theo xã, phường, thị trấn",
            ));
        }
        let standard = self.standard(standard_id)?;
        if !standard.applies_to(period) {
            return Err(AppError::invalid(
                "standard",
                format!("chuẩn {standard_id} không áp dụng cho năm {period}"),
            ));
        }
        if !self
            .store()
            .reviews_of_commune(&commune.code, period, "periodic")
            .await?
            .is_empty()
        {
            return Err(AppError::Conflict(format!(
                "{} đã có đợt rà soát định kỳ cho năm {period}",
                commune.name
            )));
        }
        // The district the review reports to is the commune's actual parent when that is a
        // district; a commune under its province directly (since July 2025) has none,
        // whatever hierarchy the deployment was started with.
        let settings = self.review_settings().await?;
        let today = self.clock().today();
        // The periodic review runs in the window of the year before the period it
        // classifies for (1 September to 14 December, from the calendar file).
        let due_on = self.calendar().periodic_review().closes_in(period - 1);
        let latest = self.latest_statuses(&commune.code, period - 1).await?;
        let mut listed = Vec::new();
        for (household_id, c) in latest {
            if !matches!(c.fields.status.as_str(), "poor" | "near_poor") {
                continue;
            }
            let Some(h) = self.store().household(household_id).await? else {
                continue;
            };
            if !h.active {
                continue;
            }
            listed.push(NewReviewHousehold {
                household_id,
                province_code: h.fields.province_code.clone(),
                village_code: h.fields.village_code.clone(),
                source: "list".into(),
                request_date: None,
                request_channel: None,
                requester: None,
                request_kind: None,
                step: "listed".into(),
            });
        }
        let audit = self.audit(
            actor,
            "review.open",
            "review",
            String::new(),
            None,
            &commune.code,
            &commune.province_code,
            vec![
                Self::change("period", (), period),
                Self::change("standard", (), standard_id),
                Self::change("listed", (), listed.len()),
            ],
        );
        let id = self
            .store()
            .insert_review(
                &NewReview {
                    province_code: commune.province_code.clone(),
                    // The commune's own list says whether it has a district: a parent
                    // that is not the province is one (the March 2025 list), none since.
                    district_code: commune
                        .parent_code
                        .clone()
                        .filter(|p| *p != commune.province_code),
                    commune_code: commune.code.clone(),
                    kind: "periodic".into(),
                    period,
                    standard: standard_id.into(),
                    opened_on: today,
                    due_on,
                    posting_days: settings.posting_working_days as i32,
                    created_by: actor.username.clone(),
                },
                &listed,
                &[audit],
                self.clock().now(),
            )
            .await?;
        tracing::info!(review = id, listed = listed.len(), "periodic review opened");
        Ok(id)
    }

    /// Each household's latest classification up to a period, in one commune.
    pub(super) async fn latest_statuses(
        &self,
        commune: &str,
        up_to: i32,
    ) -> Result<HashMap<i64, ClassificationRecord>, AppError> {
        let mut latest: HashMap<i64, ClassificationRecord> = HashMap::new();
        // Rows come ordered by household, period, effective date and id, so the last
        // one seen for a household is its current status.
        for c in self
            .store()
            .classifications_in_commune(commune, up_to)
            .await?
        {
            latest.insert(c.fields.household_id, c);
        }
        Ok(latest)
    }

    /// Opens a regular review for one household's request (monthly review, from the
    /// 15th): the decision is due within the set number of days.
    pub async fn open_regular_review(
        &self,
        actor: &Actor,
        household_id: i64,
        request: RequestInput,
    ) -> Result<i64, AppError> {
        let view = self.household(actor, household_id).await?;
        self.authorize(
            actor,
            Action::WriteHouseholds,
            &view.household.fields.village_code,
        )
        .await?;
        validate_request(&request)?;
        let today = self.clock().today();
        let period = today.year();
        let standard = self
            .config()
            .standards
            .applying_to(period)
            .next()
            .ok_or_else(|| {
                AppError::invalid(
                    "standard",
                    format!("không có chuẩn nghèo áp dụng cho năm {period}"),
                )
            })?
            .id()
            .to_string();
        let settings = self.review_settings().await?;
        let opened = request.date.min(today);
        // "Within 15 days" counts calendar days; a deadline on a day off moves to the
        // next working day (Civil Code 2015, Art. 148).
        let due_on = self
            .calendar()
            .calendar_days_deadline(opened, settings.regular_deadline_days);
        let f = &view.household.fields;
        let audit = self.audit(
            actor,
            "review.open_regular",
            "review",
            String::new(),
            Some(household_id),
            &f.village_code,
            &f.province_code,
            vec![
                Self::change("request_kind", (), &request.kind),
                Self::change("request_date", (), request.date),
            ],
        );
        let id = self
            .store()
            .insert_review(
                &NewReview {
                    province_code: f.province_code.clone(),
                    district_code: f.district_code.clone(),
                    commune_code: f.commune_code.clone(),
                    kind: "regular".into(),
                    period,
                    standard,
                    opened_on: opened,
                    due_on,
                    posting_days: settings.posting_working_days as i32,
                    created_by: actor.username.clone(),
                },
                &[NewReviewHousehold {
                    household_id,
                    province_code: f.province_code.clone(),
                    village_code: f.village_code.clone(),
                    source: "request".into(),
                    request_date: Some(request.date),
                    request_channel: Some(request.channel),
                    requester: Some(request.requester),
                    step: first_step(&request.kind).into(),
                    request_kind: Some(request.kind),
                }],
                &[audit],
                self.clock().now(),
            )
            .await?;
        Ok(id)
    }

    /// A review the user may see, with its households and steps.
    pub async fn review(&self, actor: &Actor, id: i64) -> Result<ReviewView, AppError> {
        let not_found = || AppError::NotFound(format!("đợt rà soát số {id}"));
        let review = self.store().review(id).await?.ok_or_else(not_found)?;
        // A village head reads their own village's part of their commune's review (to
        // print its posting list, minutes and certificates); anyone else reads it whole
        // or not at all.
        let village = self.village_part(actor, &review.commune_code).await?;
        let scope = village.as_deref().unwrap_or(&review.commune_code);
        self.authorize(actor, Action::ReadPersonal, scope)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        let commune = self.unit(&review.commune_code).await?;
        let mut households = self.store().review_households(id).await?;
        let mut meetings = self.store().meetings(id).await?;
        let postings = self.store().postings(id).await?;
        let mut complaints = self.store().complaints(id).await?;
        if let Some(v) = &village {
            households.retain(|h| h.village_code == *v);
            meetings.retain(|m| m.village_code == *v);
            // A complaint names its complainant: only those about the village's own
            // households are shown in the village's part.
            let ours: std::collections::HashSet<i64> =
                households.iter().map(|h| h.household_id).collect();
            complaints.retain(|c| c.household_id.is_some_and(|h| ours.contains(&h)));
        }
        let today = self.clock().today();
        let settings = self.review_settings().await?;
        let deadline = if review.step == "closed" {
            DeadlineStatus::OnTime
        } else {
            self.calendar()
                .deadline_status(today, review.due_on, settings.warning_working_days)
        };
        Ok(ReviewView {
            can_write: village.is_none()
                && actor.may(Action::WriteHouseholds)
                && review.step != "closed",
            review,
            commune,
            households,
            meetings,
            postings,
            complaints,
            deadline,
            today,
            meeting_rule: (settings.meeting_rule_vi(), settings.meeting_rule_en()),
        })
    }

    /// The village whose part of a commune's review the actor reads: their own, when the
    /// actor works for a village of that commune; `None` for everyone else, who is
    /// checked against the whole commune.
    async fn village_part(&self, actor: &Actor, commune: &str) -> Result<Option<String>, AppError> {
        if actor.unit_tier != Tier::Village {
            return Ok(None);
        }
        let village = self.unit(&actor.unit_code).await?;
        Ok((village.parent_code.as_deref() == Some(commune)).then_some(village.code))
    }

    /// Loads a review for a change: the user may write in its commune, the version read
    /// is current, and the state machine allows the move.
    /// Checks that `actor` may act on a review, before a handler reads what was posted:
    /// a review outside the actor's area is not found, a role that only reads is refused.
    pub async fn authorize_review_write(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        let not_found = || AppError::NotFound(format!("đợt rà soát số {id}"));
        let review = self.store().review(id).await?.ok_or_else(not_found)?;
        self.authorize(actor, Action::WriteHouseholds, &review.commune_code)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })
    }

    pub(super) async fn review_for(
        &self,
        actor: &Actor,
        id: i64,
        mv: Move,
    ) -> Result<ReviewView, AppError> {
        let view = self.review(actor, id).await?;
        self.authorize(actor, Action::WriteHouseholds, &view.review.commune_code)
            .await?;
        check(&view.facts(), mv).map_err(|r| AppError::invalid("step", r.to_string()))?;
        Ok(view)
    }

    pub(super) fn expect_version(view: &ReviewView, version: i64) -> Result<(), AppError> {
        if view.review.version != version {
            return Err(giamngheo_store::StoreError::Stale("đợt rà soát".into()).into());
        }
        Ok(())
    }

    /// Records a household's request in a periodic review (step 1); it is screened next.
    pub async fn add_review_request(
        &self,
        actor: &Actor,
        review_id: i64,
        household_id: i64,
        request: RequestInput,
    ) -> Result<i64, AppError> {
        let view = self
            .review_for(actor, review_id, Move::AddHousehold)
            .await?;
        validate_request(&request)?;
        let h = self.household(actor, household_id).await?;
        if h.household.fields.commune_code != view.review.commune_code {
            return Err(AppError::invalid(
                "household",
                "hộ không thuộc xã của đợt rà soát",
            ));
        }
        let f = &h.household.fields;
        let audit = self.audit(
            actor,
            "review.request",
            "review",
            review_id.to_string(),
            Some(household_id),
            &f.village_code,
            &f.province_code,
            vec![
                Self::change("request_kind", (), &request.kind),
                Self::change("channel", (), &request.channel),
            ],
        );
        Ok(self
            .store()
            .add_review_household(
                review_id,
                &NewReviewHousehold {
                    household_id,
                    province_code: f.province_code.clone(),
                    village_code: f.village_code.clone(),
                    source: "request".into(),
                    request_date: Some(request.date),
                    request_channel: Some(request.channel),
                    requester: Some(request.requester),
                    step: first_step(&request.kind).into(),
                    request_kind: Some(request.kind),
                },
                &[audit],
                self.clock().now(),
            )
            .await?)
    }

    pub(super) async fn review_household_of(
        &self,
        view: &ReviewView,
        rh_id: i64,
    ) -> Result<ReviewHouseholdRecord, AppError> {
        view.households
            .iter()
            .find(|h| h.id == rh_id)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("hộ số {rh_id} trong đợt rà soát")))
    }

    /// Records the quick screening (phiếu A) of a requesting household: the answers as
    /// (question, yes/no), and whether it passed on to the survey.
    pub async fn record_screening(
        &self,
        actor: &Actor,
        review_id: i64,
        rh_id: i64,
        version: i64,
        answers: &[(String, bool)],
        passed: bool,
    ) -> Result<(), AppError> {
        let view = self.review(actor, review_id).await?;
        let rh = self.review_household_of(&view, rh_id).await?;
        // A regular review screens during its first step, like a periodic one.
        let view = self.review_for(actor, review_id, Move::Screen).await?;
        if rh.source != "request" {
            return Err(AppError::invalid(
                "household",
                "chỉ hộ có giấy đề nghị mới nhận dạng bằng phiếu A",
            ));
        }
        if rh.request_kind.as_deref() == Some("leave") {
            return Err(AppError::invalid(
                "household",
                "hộ đề nghị thoát nghèo, thoát cận nghèo không nhận dạng bằng phiếu A mà khảo sát ngay bằng phiếu B",
            ));
        }
        let json = serde_json::to_string(
            &answers
                .iter()
                .map(|(q, a)| serde_json::json!({"question": q, "answer": a}))
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default();
        let audit = self.audit(
            actor,
            "review.screening",
            "review",
            review_id.to_string(),
            Some(rh.household_id),
            &rh.village_code,
            &view.commune.province_code,
            vec![Self::change(
                "screening_passed",
                rh.screening_passed,
                passed,
            )],
        );
        self.store()
            .save_screening(rh_id, version, &json, passed, &[audit], self.clock().now())
            .await?;
        Ok(())
    }

    /// Moves the review from listing to the survey (step 2).
    pub async fn start_survey(
        &self,
        actor: &Actor,
        review_id: i64,
        version: i64,
    ) -> Result<(), AppError> {
        let view = self.review_for(actor, review_id, Move::StartSurvey).await?;
        Self::expect_version(&view, version)?;
        self.set_step(actor, &view, Step::Survey).await
    }

    pub(super) async fn set_step(
        &self,
        actor: &Actor,
        view: &ReviewView,
        step: Step,
    ) -> Result<(), AppError> {
        let audit = self.audit(
            actor,
            "review.step",
            "review",
            view.review.id.to_string(),
            None,
            &view.review.commune_code,
            &view.review.province_code,
            vec![Self::change("step", &view.review.step, step.as_str())],
        );
        self.store()
            .set_review_step(
                view.review.id,
                view.review.version,
                step.as_str(),
                None,
                None,
                &[audit],
                self.clock().now(),
            )
            .await?;
        Ok(())
    }
}
