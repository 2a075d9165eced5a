//! The decision that closes a review, and the statuses and reviews it leaves.

use super::{parse_status, refusal, screening_refusal};
use crate::access::{Action, Actor};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_domain::review::{Move, ReviewKind};
use giamngheo_rules::{PeriodStatus, Status, TransitionWindows, transition};
use giamngheo_store::{ClassificationFields, ClassificationRecord, ReviewSummary};
use std::collections::HashMap;

impl App {
    /// The commune chair's decision (step 5): the approved classes become the
    /// households' status for the period, certificates are numbered for poor and
    /// near-poor households, and the review closes. Refused before the posting ends or
    /// with complaints open.
    pub async fn approve_review(
        &self,
        actor: &Actor,
        review_id: i64,
        version: i64,
        decision_number: &str,
        decision_date: NaiveDate,
    ) -> Result<usize, AppError> {
        let view = self.review_for(actor, review_id, Move::Approve).await?;
        Self::expect_version(&view, version)?;
        let decision_number = decision_number.trim();
        if decision_number.is_empty() {
            return Err(AppError::invalid("decision_number", "thiếu số quyết định"));
        }
        if decision_date > view.today {
            return Err(AppError::invalid(
                "decision_date",
                "ngày quyết định ở tương lai",
            ));
        }
        let settings = self.review_settings().await?;
        let history = self
            .status_history(&view.review.commune_code, view.review.period)
            .await?;
        let windows = TransitionWindows::default();
        // A pattern without the running number would give every household the same
        // certificate, which the database refuses; say so before touching anything.
        if !settings.certificate_pattern.contains("{n}") {
            return Err(AppError::invalid(
                "certificate_pattern",
                "mẫu số giấy chứng nhận trong cài đặt phải có {n} ở chỗ số thứ tự",
            ));
        }
        let approved_at = self
            .clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut rows = Vec::new();
        let mut refusals = Vec::new();
        let wording = &self.config().wording;
        let mut audit = Vec::new();
        for rh in &view.households {
            if rh.step == "excluded" {
                refusals.push((rh.id, screening_refusal(rh, wording)));
                continue;
            }
            let Some(status) = rh.provisional_status.as_deref().and_then(parse_status) else {
                continue;
            };
            let household = self
                .store()
                .household(rh.household_id)
                .await?
                .ok_or_else(|| AppError::NotFound("hộ".into()))?;
            let past = history.get(&rh.household_id).cloned().unwrap_or_default();
            // A regular review changes a status within its period: the status it starts
            // from is the period's own, when the periodic review already decided one.
            let same_period = view.kind() == ReviewKind::Regular;
            let previous = past
                .iter()
                .rev()
                .find(|p| {
                    p.year < view.review.period || (same_period && p.year == view.review.period)
                })
                .copied();
            let t = transition(
                previous,
                PeriodStatus {
                    year: view.review.period,
                    status,
                },
                &past,
                &windows,
            );
            let on_lists = matches!(status, Status::Poor | Status::NearPoor);
            if let Some(reason) = refusal(
                rh.request_kind.as_deref(),
                previous.map(|p| p.status),
                status,
                &view.review.standard,
                wording,
            ) {
                refusals.push((rh.id, reason));
            }
            // The store numbers the certificate from the pattern in the approving
            // transaction, so that concurrent approvals cannot take the same number.
            let certificate_number = on_lists.then(|| settings.certificate_pattern.clone());
            audit.push(self.audit(
                actor,
                "review.approve",
                "review",
                review_id.to_string(),
                Some(rh.household_id),
                &rh.village_code,
                &view.review.province_code,
                vec![
                    Self::change(
                        "status",
                        previous.map(|p| p.status.as_str()),
                        status.as_str(),
                    ),
                    Self::change("decision", (), decision_number),
                ],
            ));
            rows.push(ClassificationFields {
                household_id: rh.household_id,
                province_code: household.fields.province_code.clone(),
                district_code: household.fields.district_code.clone(),
                commune_code: household.fields.commune_code.clone(),
                village_code: household.fields.village_code.clone(),
                period: view.review.period,
                standard: view.review.standard.clone(),
                kind: view.review.kind.clone(),
                review_id: Some(review_id),
                status: status.as_str().into(),
                area: household.fields.area.clone(),
                income_per_capita: rh.income_per_capita,
                score_a: rh.score_a,
                score_b: rh.score_b.unwrap_or(0),
                deprivation_count: rh.deprivation_count.unwrap_or(0),
                deprived: rh.ticks.clone().unwrap_or_default(),
                reasons: rh.provisional_reasons.clone().unwrap_or_default(),
                transition: Some(t.kind.as_str().to_string()),
                member_count: household.fields.member_count,
                causes: String::new(),
                decision_number: Some(decision_number.to_string()),
                decision_date: Some(decision_date),
                effective_date: decision_date,
                approved_by: actor.username.clone(),
                approved_at: approved_at.clone(),
                supersedes: None,
                correction_reason: None,
                certificate_number,
            });
        }
        let n = rows.len();
        self.store()
            .approve_review(
                review_id,
                version,
                decision_number,
                decision_date,
                &rows,
                &refusals,
                &audit,
                self.clock().now(),
            )
            .await?;
        tracing::info!(review = review_id, classifications = n, "review approved");
        Ok(n)
    }

    /// Each household's approved statuses by period, up to a period, in a commune.
    pub(super) async fn status_history(
        &self,
        commune: &str,
        up_to: i32,
    ) -> Result<HashMap<i64, Vec<PeriodStatus>>, AppError> {
        let mut by_household: HashMap<i64, Vec<PeriodStatus>> = HashMap::new();
        for c in self
            .store()
            .classifications_in_commune(commune, up_to)
            .await?
        {
            let Some(status) = parse_status(&c.fields.status) else {
                continue;
            };
            let entry = by_household.entry(c.fields.household_id).or_default();
            // The latest decision of a period replaces earlier ones of the same period.
            if let Some(last) = entry.last_mut()
                && last.year == c.fields.period
            {
                last.status = status;
            } else {
                entry.push(PeriodStatus {
                    year: c.fields.period,
                    status,
                });
            }
        }
        Ok(by_household)
    }

    /// A household's classifications over the years, newest first.
    pub async fn household_statuses(
        &self,
        actor: &Actor,
        household_id: i64,
    ) -> Result<Vec<ClassificationRecord>, AppError> {
        self.household(actor, household_id).await?;
        Ok(self.store().classifications_of(household_id).await?)
    }

    /// Corrects an approved classification with a reason: a new row replaces it; the
    /// old one stays, and the change is in the audit log.
    pub async fn correct_classification(
        &self,
        actor: &Actor,
        classification_id: i64,
        status: &str,
        reason: &str,
    ) -> Result<i64, AppError> {
        let old = self
            .store()
            .classification(classification_id)
            .await?
            .ok_or_else(|| {
                AppError::NotFound(format!("kết quả phân loại số {classification_id}"))
            })?;
        self.household(actor, old.fields.household_id).await?;
        self.authorize(actor, Action::WriteHouseholds, &old.fields.village_code)
            .await?;
        let status = parse_status(status).ok_or_else(|| {
            AppError::invalid("status", format!("tình trạng «{status}» không hợp lệ"))
        })?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid("reason", "đính chính phải có lý do"));
        }
        let mut fields = old.fields.clone();
        fields.kind = "correction".into();
        fields.status = status.as_str().into();
        fields.supersedes = Some(old.id);
        fields.correction_reason = Some(reason.trim().to_string());
        fields.effective_date = self.clock().today().max(old.fields.effective_date);
        fields.approved_by = actor.username.clone();
        fields.approved_at = self
            .clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut audit = self.audit(
            actor,
            "classification.correct",
            "classification",
            old.id.to_string(),
            Some(old.fields.household_id),
            &old.fields.village_code,
            &old.fields.province_code,
            vec![Self::change("status", &old.fields.status, status.as_str())],
        );
        audit.reason = Some(reason.trim().to_string());
        let ids = self
            .store()
            .insert_classifications(&[fields], &[audit], self.clock().now())
            .await?;
        Ok(ids[0])
    }

    /// The reviews in the user's area (or a unit inside it), newest first.
    pub async fn reviews(
        &self,
        actor: &Actor,
        unit: Option<&str>,
    ) -> Result<Vec<ReviewSummary>, AppError> {
        let code = unit.unwrap_or(&actor.unit_code);
        self.authorize(actor, Action::ReadAggregates, code).await?;
        let mut u = self.unit(code).await?;
        // A village's reviews are its commune's: a village head follows the review its
        // village takes part in.
        if u.tier == "village"
            && let Some(parent) = u.parent_code.clone()
        {
            u = self.unit(&parent).await?;
        }
        let column = match u.tier.as_str() {
            "province" => "province_code",
            "district" => "district_code",
            "commune" => "commune_code",
            _ => {
                return Err(AppError::invalid(
                    "unit",
                    "xem rà soát theo xã, huyện hoặc tỉnh",
                ));
            }
        };
        Ok(self.store().review_summaries(column, &u.code, 500).await?)
    }
}
