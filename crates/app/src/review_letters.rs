//! The written answer (văn bản trả lời) to a household whose request a review did not
//! grant: numbered in the commune and year when the officer issues it, with the
//! officer's own words beside the reason the review recorded. A letter issued again
//! takes a new number; the earlier one stays as it was sent.

use crate::access::Actor;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_store::{NewRefusalLetter, RefusalLetterRecord};

/// The longest stated reason: a few sentences, as a letter holds.
pub const MAX_STATED_REASON: usize = 1000;

impl App {
    /// Issues the letter of a refused household of a review, with the next number of the
    /// commune. The officer must be able to write in the review's commune; the household
    /// must have been refused.
    pub async fn issue_refusal_letter(
        &self,
        actor: &Actor,
        review_id: i64,
        rh_id: i64,
        stated_reason: &str,
        issued_on: NaiveDate,
    ) -> Result<RefusalLetterRecord, AppError> {
        self.authorize_review_write(actor, review_id).await?;
        let view = self.review(actor, review_id).await?;
        let rh = view
            .households
            .iter()
            .find(|h| h.id == rh_id)
            .ok_or_else(|| AppError::NotFound(format!("hộ số {rh_id} trong đợt rà soát")))?;
        if rh.refusal_reason.is_none() {
            return Err(AppError::invalid(
                "letter",
                "hộ này không bị từ chối nên không có văn bản trả lời",
            ));
        }
        let stated = stated_reason.trim();
        if stated.is_empty() {
            return Err(AppError::invalid(
                "stated_reason",
                "cần ghi lý do cụ thể gửi hộ gia đình",
            ));
        }
        if stated.chars().count() > MAX_STATED_REASON {
            return Err(AppError::invalid(
                "stated_reason",
                format!("lý do dài quá {MAX_STATED_REASON} ký tự"),
            ));
        }
        if issued_on > view.today {
            return Err(AppError::invalid("issued_on", "ngày ban hành ở tương lai"));
        }
        let settings = self.review_settings().await?;
        if !settings.letter_pattern.contains("{n}") {
            return Err(AppError::invalid(
                "letter_pattern",
                "mẫu số văn bản trả lời trong cài đặt phải có {n} ở chỗ số thứ tự",
            ));
        }
        let audit = self.audit(
            actor,
            "review.refusal_letter",
            "review",
            review_id.to_string(),
            Some(rh.household_id),
            &rh.village_code,
            &view.review.province_code,
            vec![Self::change("issued_on", (), issued_on)],
        );
        let letter = self
            .store()
            .issue_refusal_letter(
                &NewRefusalLetter {
                    review_id,
                    review_household_id: rh_id,
                    commune_code: view.review.commune_code.clone(),
                    pattern: settings.letter_pattern,
                    stated_reason: stated.to_string(),
                    issued_on,
                    issued_by: actor.username.clone(),
                },
                &[audit],
                self.clock().now(),
            )
            .await?;
        tracing::info!(
            review = review_id,
            letter = letter.id,
            "refusal letter issued"
        );
        Ok(letter)
    }

    /// The letter in force for a household of a review (the last issued), if any; read
    /// with the review's own access.
    pub async fn refusal_letter(
        &self,
        actor: &Actor,
        review_id: i64,
        rh_id: i64,
    ) -> Result<Option<RefusalLetterRecord>, AppError> {
        // The review's own check: its commune in the actor's area, personal data allowed.
        self.review(actor, review_id).await?;
        Ok(self
            .store()
            .refusal_letters(review_id)
            .await?
            .into_iter()
            .rfind(|l| l.review_household_id == rh_id))
    }
}
