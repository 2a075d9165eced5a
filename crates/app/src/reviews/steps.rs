//! The survey, the village meetings, the posting and the complaints of a review.

use super::{MAX_MINUTES_BYTES, MeetingInput};
use crate::access::Actor;
use crate::{App, AppError, files};
use chrono::NaiveDate;
use giamngheo_domain::review::{Move, Step, meeting_passes_at};
use giamngheo_store::{AuditEntry, NewMeeting, ReviewHouseholdRecord};

impl App {
    /// Moves the review from the survey to the village meetings (step 3).
    pub async fn start_meetings(
        &self,
        actor: &Actor,
        review_id: i64,
        version: i64,
    ) -> Result<(), AppError> {
        let view = self
            .review_for(actor, review_id, Move::StartMeetings)
            .await?;
        Self::expect_version(&view, version)?;
        self.set_step(actor, &view, Step::Meeting).await
    }

    /// Records a village meeting for the village's surveyed households awaiting one.
    /// At least the share of attendees the settings name (half by default, as Decision
    /// 24/2021 says) agreeing passes them; otherwise they go back to the survey and a new
    /// meeting is needed. Returns whether it passed.
    pub async fn record_meeting(
        &self,
        actor: &Actor,
        review_id: i64,
        input: MeetingInput,
    ) -> Result<bool, AppError> {
        let view = self
            .review_for(actor, review_id, Move::RecordMeeting)
            .await?;
        if input.attendees == 0 {
            return Err(AppError::invalid(
                "attendees",
                "số người dự họp phải lớn hơn 0",
            ));
        }
        if input.agreeing > input.attendees {
            return Err(AppError::invalid(
                "agreeing",
                "số người đồng ý lớn hơn số người dự họp",
            ));
        }
        if input.held_on > view.today {
            return Err(AppError::invalid("held_on", "ngày họp ở tương lai"));
        }
        // The kind kept is the one the bytes show, not the one the browser claimed.
        let minutes_kind = match &input.minutes {
            Some((_, _, bytes)) => {
                if bytes.len() > MAX_MINUTES_BYTES {
                    return Err(files::too_large("minutes", MAX_MINUTES_BYTES));
                }
                Some(files::accept("minutes", bytes, files::DOCUMENTS)?)
            }
            None => None,
        };
        let pending: Vec<&ReviewHouseholdRecord> = view
            .households
            .iter()
            .filter(|h| h.village_code == input.village_code && h.step == "surveyed")
            .collect();
        if pending.is_empty() {
            return Err(AppError::invalid(
                "village_code",
                "thôn này không có hộ nào đã điều tra đang chờ họp dân",
            ));
        }
        let settings = self.review_settings().await?;
        let min_percent = settings.meeting_min_agree_percent;
        let passed = meeting_passes_at(input.attendees, input.agreeing, min_percent);
        let audit: Vec<AuditEntry> = pending
            .iter()
            .map(|h| {
                self.audit(actor, "review.meeting", "review", review_id.to_string(), Some(h.household_id), &h.village_code, &view.review.province_code, vec![
                    Self::change("meeting", (), serde_json::json!({"attendees": input.attendees, "agreeing": input.agreeing, "min_agree_percent": min_percent, "passed": passed})),
                ])
            })
            .collect();
        let (minutes_name, minutes_type, minutes) = match (input.minutes, minutes_kind) {
            (Some((n, _, b)), Some(kind)) => {
                (Some(n), Some(kind.media_type().to_string()), Some(b))
            }
            _ => (None, None, None),
        };
        self.store()
            .record_meeting(
                &NewMeeting {
                    review_id,
                    village_code: input.village_code,
                    held_on: input.held_on,
                    attendees: input.attendees as i32,
                    agreeing: input.agreeing as i32,
                    passed,
                    chaired_by: input.chaired_by,
                    minutes_name,
                    minutes_type,
                    minutes,
                    recorded_by: actor.username.clone(),
                },
                &pending.iter().map(|h| h.id).collect::<Vec<_>>(),
                &audit,
                self.clock().now(),
            )
            .await?;
        Ok(passed)
    }

    /// The minutes scan of a meeting, if the user may see the review.
    pub async fn meeting_minutes(
        &self,
        actor: &Actor,
        meeting_id: i64,
    ) -> Result<(String, String, Vec<u8>), AppError> {
        let file = self
            .store()
            .meeting_minutes(meeting_id)
            .await?
            .ok_or_else(|| AppError::NotFound("biên bản".into()))?;
        // A village head's view of the review holds their village's meetings only.
        let view = self.review(actor, file.review_id).await?;
        if !view.meetings.iter().any(|m| m.id == meeting_id) {
            return Err(AppError::NotFound("biên bản".into()));
        }
        Ok((file.name, file.media_type, file.bytes))
    }

    /// Starts the public posting (step 4); it lasts the set number of working days.
    pub async fn start_posting(
        &self,
        actor: &Actor,
        review_id: i64,
        version: i64,
        starts_on: NaiveDate,
        place: &str,
    ) -> Result<NaiveDate, AppError> {
        let view = self
            .review_for(actor, review_id, Move::StartPosting)
            .await?;
        Self::expect_version(&view, version)?;
        let days = u32::try_from(view.review.posting_days).unwrap_or(3).max(1);
        // The posting day itself is not counted (Civil Code 2015, Art. 147: a period in
        // days starts the day after the event), which also gives people the longer window
        // to complain.
        let ends_on = self.calendar().add_working_days(starts_on, days);
        self.store()
            .insert_posting(
                review_id,
                starts_on,
                ends_on,
                place.trim(),
                &actor.username,
                self.clock().now(),
            )
            .await?;
        let view = self.review(actor, review_id).await?;
        self.set_step(actor, &view, Step::Posting).await?;
        Ok(ends_on)
    }

    /// Records a complaint received during the posting.
    pub async fn record_complaint(
        &self,
        actor: &Actor,
        review_id: i64,
        household_id: Option<i64>,
        complainant: &str,
        content: &str,
        received_on: NaiveDate,
    ) -> Result<i64, AppError> {
        let view = self
            .review_for(actor, review_id, Move::RecordComplaint)
            .await?;
        if complainant.trim().is_empty() || content.trim().is_empty() {
            return Err(AppError::invalid(
                "content",
                "thiếu người khiếu nại hoặc nội dung",
            ));
        }
        if let Some(h) = household_id
            && !view.households.iter().any(|rh| rh.household_id == h)
        {
            return Err(AppError::invalid(
                "household",
                "hộ không có trong đợt rà soát",
            ));
        }
        let audit = self.audit(
            actor,
            "review.complaint",
            "review",
            review_id.to_string(),
            household_id,
            &view.review.commune_code,
            &view.review.province_code,
            vec![Self::change("complaint", (), received_on)],
        );
        Ok(self
            .store()
            .insert_complaint(
                review_id,
                household_id,
                &giamngheo_domain::text::normalize(complainant),
                &giamngheo_domain::text::normalize(content),
                received_on,
                &actor.username,
                &[audit],
                self.clock().now(),
            )
            .await?)
    }

    /// Records a complaint's re-check (phúc tra); with `resurvey`, the household is
    /// surveyed again before the decision.
    pub async fn resolve_complaint(
        &self,
        actor: &Actor,
        review_id: i64,
        complaint_id: i64,
        recheck_result: &str,
        resolved_on: NaiveDate,
        resurvey: bool,
    ) -> Result<(), AppError> {
        let view = self
            .review_for(actor, review_id, Move::RecordComplaint)
            .await?;
        let complaint = view
            .complaints
            .iter()
            .find(|c| c.id == complaint_id)
            .ok_or_else(|| AppError::NotFound(format!("khiếu nại số {complaint_id}")))?;
        if recheck_result.trim().is_empty() {
            return Err(AppError::invalid(
                "recheck_result",
                "thiếu kết quả phúc tra",
            ));
        }
        if resolved_on < complaint.received_on {
            return Err(AppError::invalid(
                "resolved_on",
                "ngày giải quyết trước ngày nhận khiếu nại",
            ));
        }
        let target = match (resurvey, complaint.household_id) {
            (true, Some(h)) => Some((review_id, h)),
            (true, None) => {
                return Err(AppError::invalid(
                    "resurvey",
                    "khiếu nại không gắn với hộ nào để điều tra lại",
                ));
            }
            _ => None,
        };
        let audit = self.audit(
            actor,
            "review.recheck",
            "review",
            review_id.to_string(),
            complaint.household_id,
            &view.review.commune_code,
            &view.review.province_code,
            vec![Self::change("recheck_result", (), recheck_result.trim())],
        );
        self.store()
            .resolve_complaint(
                complaint_id,
                recheck_result.trim(),
                resolved_on,
                target,
                &[audit],
            )
            .await?;
        Ok(())
    }
}
