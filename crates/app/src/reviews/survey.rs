//! Phiếu B: one household's survey, or a village's grid of them saved at once. The grid
//! reads the review once and writes every row in one transaction, because a village of
//! 100 households saved row by row (each re-reading the whole review) took several
//! seconds (issue 15 asks for under one).

use super::{ReviewView, SurveyInput, SurveyOutcome};
use crate::access::{Action, Actor};
use crate::households::HouseholdView;
use crate::{App, AppError};
use giamngheo_domain::Area;
use giamngheo_domain::review::{Move, check};
use giamngheo_rules::{Evidence, HouseholdInput, Standard, classify, derive_deprivations};
use giamngheo_store::{StoreError, SurveyRecord, SurveyWrite};
use std::collections::HashMap;

/// One row of a phiếu B grid: the review household, the version it was read at, and
/// what was typed for it.
#[derive(Debug, Clone)]
pub struct SurveyEntry {
    pub rh_id: i64,
    pub version: i64,
    pub input: SurveyInput,
}

impl App {
    /// The standard's indicator set of the codes ticked, or the first unknown code.
    pub(super) fn ticks_of(
        standard: &Standard,
        codes: &[String],
    ) -> Result<giamngheo_rules::IndicatorSet, AppError> {
        standard
            .indicator_set(codes.iter().map(String::as_str))
            .map_err(|e| {
                AppError::invalid(
                    "ticks",
                    format!("chỉ số «{}» không có trong chuẩn {}", e.0, standard.id()),
                )
            })
    }

    /// Records phiếu B for a household and classifies it provisionally. The ticks the
    /// member data implies are computed beside the ticks entered, and disagreements are
    /// kept for the reviewer to look at.
    pub async fn record_survey(
        &self,
        actor: &Actor,
        review_id: i64,
        rh_id: i64,
        version: i64,
        input: SurveyInput,
    ) -> Result<SurveyOutcome, AppError> {
        let row = SurveyEntry {
            rh_id,
            version,
            input,
        };
        let mut results = self.record_surveys(actor, review_id, vec![row]).await?;
        results.pop().map(|(_, r)| r).unwrap_or_else(|| {
            Err(AppError::NotFound(format!(
                "hộ số {rh_id} trong đợt rà soát"
            )))
        })
    }

    /// Records the phiếu B rows of a grid: each row is checked and classified as
    /// [`App::record_survey`] does, the rows that pass are saved together in one
    /// transaction, and each row's outcome or problem is answered in the order given. A
    /// row refused leaves the others saved, as the reviewer expects from a grid. Fails as
    /// a whole only when the user may not write in the review's commune.
    pub async fn record_surveys(
        &self,
        actor: &Actor,
        review_id: i64,
        rows: Vec<SurveyEntry>,
    ) -> Result<Vec<(i64, Result<SurveyOutcome, AppError>)>, AppError> {
        let view = self.review(actor, review_id).await?;
        self.authorize(actor, Action::WriteHouseholds, &view.review.commune_code)
            .await?;
        // The rows' households and members are read together up front; each row then
        // finds its own, and answers as before when it is missing.
        let ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| view.households.iter().find(|h| h.id == r.rh_id))
            .map(|h| h.household_id)
            .collect();
        let households = self.households_read_together(actor, &ids).await?;
        let mut results = Vec::with_capacity(rows.len());
        let mut writes = Vec::new();
        for row in rows {
            let rh_id = row.rh_id;
            match self.prepare_survey(actor, &view, &households, row).await {
                Ok((write, outcome)) => {
                    writes.push(write);
                    results.push((rh_id, Ok(outcome)));
                }
                Err(e) => results.push((rh_id, Err(e))),
            }
        }
        let stale = self
            .store()
            .save_surveys(&writes, self.clock().now())
            .await?;
        for (rh_id, result) in &mut results {
            if stale.contains(rh_id) {
                *result = Err(StoreError::Stale("phiếu điều tra của hộ".into()).into());
            }
        }
        Ok(results)
    }

    /// Checks and classifies one row of phiếu B against the review as read, and gives
    /// what to write for it; nothing is written here.
    async fn prepare_survey(
        &self,
        actor: &Actor,
        view: &ReviewView,
        households: &HashMap<i64, HouseholdView>,
        row: SurveyEntry,
    ) -> Result<(SurveyWrite, SurveyOutcome), AppError> {
        let SurveyEntry {
            rh_id,
            version,
            input,
        } = row;
        let rh = self.review_household_of(view, rh_id).await?;
        let sent_back = matches!(rh.step.as_str(), "resurvey" | "recheck");
        check(&view.facts(), Move::Survey { sent_back })
            .map_err(|r| AppError::invalid("step", r.to_string()))?;
        if rh.step == "excluded" || rh.step == "screening" {
            return Err(AppError::invalid(
                "household",
                "hộ chưa qua nhận dạng nhanh (phiếu A) hoặc không đạt",
            ));
        }
        let standard = self.standard(&view.review.standard)?;
        let deprived = Self::ticks_of(standard, &input.ticks)?;
        let evidence =
            match (input.score_a, input.income_per_capita) {
                (Some(a), _) if standard.has_score_a() => Evidence::ScoreA(
                    u32::try_from(a)
                        .map_err(|_| AppError::invalid("score_a", "điểm A không được âm"))?,
                ),
                (Some(_), _) => {
                    return Err(AppError::invalid(
                        "score_a",
                        format!(
                            "chuẩn {} không dùng điểm A; hãy nhập thu nhập bình quân",
                            standard.id()
                        ),
                    ));
                }
                (None, Some(i)) => Evidence::Income(u64::try_from(i).map_err(|_| {
                    AppError::invalid("income_per_capita", "thu nhập không được âm")
                })?),
                (None, None) => {
                    return Err(AppError::invalid(
                        "score_a",
                        "cần điểm A (phiếu B1) hoặc thu nhập bình quân đầu người",
                    ));
                }
            };
        if input.surveyed_on > self.clock().today() {
            return Err(AppError::invalid(
                "surveyed_on",
                "ngày điều tra ở tương lai",
            ));
        }
        let read_alone;
        let hview = match households.get(&rh.household_id) {
            Some(v) => v,
            None => {
                read_alone = self.household(actor, rh.household_id).await?;
                &read_alone
            }
        };
        let area: Area = hview.household.fields.area.parse().unwrap_or(Area::Rural);
        let result = classify(
            standard,
            &HouseholdInput {
                area,
                evidence,
                deprived,
            },
        )
        .map_err(|e| AppError::invalid("survey", e.to_string()))?;
        let (draft, _) = App::draft_of(hview);
        let derived = derive_deprivations(
            standard,
            &crate::facts::household_facts(&draft),
            input.surveyed_on,
        );
        let disagreements = derived.disagreements(deprived);
        let derived_json = serde_json::to_string(&derived.ticks).unwrap_or_default();
        let disagreements_text: Vec<String> = disagreements.iter().map(|d| d.text_vi()).collect();
        let record = SurveyRecord {
            income_per_capita: input.income_per_capita,
            score_a: input.score_a,
            b1_answers: None,
            ticks: input.ticks.join(","),
            derived_ticks: derived_json,
            disagreements: disagreements_text.join("\n"),
            surveyed_by: input.surveyed_by.trim().to_string(),
            surveyed_on: input.surveyed_on,
            provisional_status: result.status.as_str().to_string(),
            provisional_reasons: result.reasons_text(giamngheo_rules::Lang::Vi),
            deprivation_count: i32::from(result.deprivation_count),
            score_b: i32::from(result.score_b),
        };
        if record.surveyed_by.is_empty() {
            return Err(AppError::invalid("surveyed_by", "thiếu tên rà soát viên"));
        }
        let audit = self.audit(
            actor,
            "review.survey",
            "review",
            view.review.id.to_string(),
            Some(rh.household_id),
            &rh.village_code,
            &view.review.province_code,
            vec![
                Self::change(
                    "provisional_status",
                    &rh.provisional_status,
                    result.status.as_str(),
                ),
                Self::change("score_b", rh.score_b, result.score_b),
            ],
        );
        let outcome = SurveyOutcome {
            status: result.status,
            reasons: record.provisional_reasons.clone(),
            score_b: result.score_b,
            deprivation_count: result.deprivation_count,
            disagreements: disagreements_text,
        };
        let write = SurveyWrite {
            id: rh_id,
            expected_version: version,
            survey: record,
            after_recheck: rh.step == "recheck",
            audit: vec![audit],
        };
        Ok((write, outcome))
    }
}
