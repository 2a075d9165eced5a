//! Certificates issued (giấy chứng nhận đã cấp): after the decision the commune prints the
//! certificates and hands them to the households; it records that here, so that the
//! households still waiting for theirs are listed on the officer's home (issue 15).

use crate::access::{Action, Actor};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_store::{CertificateIssue, ReviewHouseholdRecord};

/// Whether a household of a decided review is to receive a certificate: the decision
/// recognised it poor or near-poor (the approval numbers exactly those).
pub fn gets_certificate(h: &ReviewHouseholdRecord) -> bool {
    h.classification_id.is_some() && matches!(h.final_status.as_deref(), Some("poor" | "near_poor"))
}

impl App {
    /// Records the certificates of a decided review as issued on `issued_on`: one
    /// household's (`rh`), a village's, or all of the review's not issued yet. Answers
    /// how many were recorded; a certificate already issued is left as it was.
    pub async fn issue_certificates(
        &self,
        actor: &Actor,
        review_id: i64,
        rh: Option<i64>,
        village: Option<&str>,
        issued_on: NaiveDate,
    ) -> Result<usize, AppError> {
        let view = self.review(actor, review_id).await?;
        self.authorize(actor, Action::WriteHouseholds, &view.review.commune_code)
            .await?;
        if view.review.step != "closed" {
            return Err(AppError::invalid(
                "step",
                "chỉ cấp giấy chứng nhận sau khi có quyết định công nhận",
            ));
        }
        if issued_on > self.clock().today() {
            return Err(AppError::invalid("issued_on", "ngày cấp ở tương lai"));
        }
        if let Some(decided) = view.review.decision_date
            && issued_on < decided
        {
            return Err(AppError::invalid(
                "issued_on",
                "ngày cấp trước ngày quyết định công nhận",
            ));
        }
        if let Some(r) = rh
            && !view
                .households
                .iter()
                .any(|h| h.id == r && gets_certificate(h))
        {
            return Err(AppError::NotFound(format!(
                "giấy chứng nhận của hộ số {r} trong đợt rà soát"
            )));
        }
        let issued = self.store().certificates_issued(review_id).await?;
        let mut issues = Vec::new();
        let mut audit = Vec::new();
        for h in view
            .households
            .iter()
            .filter(|h| rh.is_none_or(|r| r == h.id))
            .filter(|h| village.is_none_or(|v| v == h.village_code))
            .filter(|h| gets_certificate(h) && !issued.contains_key(&h.id))
        {
            let Some(classification_id) = h.classification_id else {
                continue;
            };
            issues.push(CertificateIssue {
                review_household_id: h.id,
                classification_id,
            });
            audit.push(self.audit(
                actor,
                "review.certificate_issued",
                "review",
                review_id.to_string(),
                Some(h.household_id),
                &h.village_code,
                &view.review.province_code,
                vec![Self::change(
                    "certificate_issued_on",
                    None::<NaiveDate>,
                    issued_on,
                )],
            ));
        }
        self.store()
            .record_certificate_issues(
                review_id,
                &view.review.commune_code,
                &issues,
                issued_on,
                &actor.username,
                &audit,
                self.clock().now(),
            )
            .await?;
        Ok(issues.len())
    }
}
