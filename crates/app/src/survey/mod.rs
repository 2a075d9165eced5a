//! The field survey offline (issue 18): the reviews a survey tool lists, the XLSForms and
//! household lists handed to ODK Collect and KoboCollect, and the submissions they send
//! back.

pub mod forms;
pub mod import;

use crate::access::{Action, Actor};
use crate::{App, AppError};
use giamngheo_store::ReviewListItem;

impl App {
    /// The actor the command line acts as on a review: an administrator of the review's
    /// province, since whoever runs the binary holds the database already.
    pub(crate) async fn system_actor_for_review(&self, review_id: i64) -> Result<Actor, AppError> {
        let review = self
            .store()
            .review(review_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("đợt rà soát số {review_id}")))?;
        Ok(Actor {
            user_id: 0,
            username: "system".into(),
            role: crate::access::Role::Admin,
            unit_code: review.province_code,
            unit_tier: giamngheo_domain::Tier::Province,
            agency_code: None,
        })
    }

    /// The forms of a review, for the command line.
    pub async fn survey_forms_as_system(
        &self,
        review_id: i64,
    ) -> Result<forms::FormBundle, AppError> {
        let actor = self.system_actor_for_review(review_id).await?;
        self.survey_forms(&actor, review_id).await
    }

    /// Every commune's reviews below `unit` (the actor's own unit by default), of one
    /// period when given. A unit outside the actor's area is not found.
    pub async fn reviews_below(
        &self,
        actor: &Actor,
        unit: Option<&str>,
        period: Option<i32>,
    ) -> Result<Vec<ReviewListItem>, AppError> {
        let code = unit.unwrap_or(&actor.unit_code);
        self.authorize(actor, Action::ReadAggregates, code).await?;
        let u = self.unit(code).await?;
        let column = match u.tier.as_str() {
            "province" => "province_code",
            "district" => "district_code",
            "commune" => "commune_code",
            _ => {
                return Err(AppError::invalid(
                    "unit",
                    "chọn tỉnh, huyện hoặc xã để xem các đợt rà soát",
                ));
            }
        };
        Ok(self.store().reviews_below(column, &u.code, period).await?)
    }
}

impl App {
    /// A review's submissions (the queue first), for a user who may read the review.
    pub async fn survey_submissions(
        &self,
        actor: &Actor,
        review_id: i64,
    ) -> Result<Vec<giamngheo_store::SubmissionRecord>, AppError> {
        self.review(actor, review_id).await?;
        Ok(self.store().submissions(review_id).await?)
    }

    /// Imports submissions, for the command line.
    pub async fn import_submissions_as_system(
        &self,
        review_id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<import::ImportSummary, AppError> {
        let actor = self.system_actor_for_review(review_id).await?;
        self.import_submissions(&actor, review_id, file_name, bytes)
            .await
    }
}
