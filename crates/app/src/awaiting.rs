//! The households awaiting something in the reviews under way (issue 15): a request not
//! yet screened with phiếu A, a household whose phiếu B is not entered, one sent back to
//! the survey by its village meeting, one waiting for its meeting, and one with an open
//! complaint, and, once the decision is taken, one whose certificate is not issued yet. A
//! commune officer's home lists them for the commune, a village head's for
//! the village, so that the day's work is on the first page rather than found by opening
//! each review.

use crate::access::{Action, Actor};
use crate::reviews::gets_certificate;
use crate::{App, AppError};
use giamngheo_domain::review::Step;
use giamngheo_store::{ComplaintRecord, ReviewHouseholdRecord};
use std::collections::HashSet;

/// What a household is waiting for, in the order the work is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Awaiting {
    /// A request (giấy đề nghị) not yet screened with phiếu A.
    Screening,
    /// Listed, the review at the survey, and no phiếu B entered.
    Survey,
    /// The village meeting did not agree: survey again (Decision 24/2021).
    Resurvey,
    /// Surveyed, the review at the meetings, and no meeting held for it yet.
    Meeting,
    /// A complaint about it is not resolved, or its recheck is not entered.
    Complaint,
    /// Recognised poor or near-poor by the decision, and its certificate not recorded as
    /// issued.
    Certificate,
}

impl Awaiting {
    pub const ALL: [Awaiting; 6] = [
        Awaiting::Screening,
        Awaiting::Survey,
        Awaiting::Resurvey,
        Awaiting::Meeting,
        Awaiting::Complaint,
        Awaiting::Certificate,
    ];

    pub fn label_vi(self) -> &'static str {
        match self {
            Awaiting::Screening => "Đề nghị chưa xét phiếu A",
            Awaiting::Survey => "Chưa nhập phiếu B",
            Awaiting::Resurvey => "Họp dân không thống nhất, chờ điều tra lại",
            Awaiting::Meeting => "Chờ họp dân",
            Awaiting::Complaint => "Khiếu nại chưa giải quyết",
            Awaiting::Certificate => "Chưa cấp giấy chứng nhận",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Awaiting::Screening => "Request not yet screened (form A)",
            Awaiting::Survey => "Form B not entered",
            Awaiting::Resurvey => "Meeting disagreed, to be surveyed again",
            Awaiting::Meeting => "Waiting for the village meeting",
            Awaiting::Complaint => "Complaint not resolved",
            Awaiting::Certificate => "Certificate not issued",
        }
    }
}

/// A household of an open review and what it waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaitingHousehold {
    pub review_id: i64,
    /// The household's row in the review, which the certificate page selects by.
    pub review_household_id: i64,
    pub household_id: i64,
    pub household_code: String,
    pub head_name: String,
    pub village_name: String,
    pub awaiting: Awaiting,
}

/// What one household of a review at `step` waits for, if anything. Pure, so that the
/// rules of the list are tested without a database.
pub fn awaiting_of(
    step: Step,
    h: &ReviewHouseholdRecord,
    open_complaints: &HashSet<i64>,
) -> Option<Awaiting> {
    if open_complaints.contains(&h.household_id) || h.step == "recheck" {
        return Some(Awaiting::Complaint);
    }
    match h.step.as_str() {
        "screening" => Some(Awaiting::Screening),
        "resurvey" => Some(Awaiting::Resurvey),
        "listed" if step >= Step::Survey && h.provisional_status.is_none() => {
            Some(Awaiting::Survey)
        }
        "surveyed" if step == Step::Meeting && h.meeting_outcome == "pending" => {
            Some(Awaiting::Meeting)
        }
        _ => None,
    }
}

/// The households a complaint names that is not resolved yet.
fn open_complaint_households(complaints: &[ComplaintRecord]) -> HashSet<i64> {
    complaints
        .iter()
        .filter(|c| c.resolved_on.is_none())
        .filter_map(|c| c.household_id)
        .collect()
}

impl App {
    /// The households awaiting something in the open reviews of a commune or village the
    /// user may read households of, in order of the work (screening first), then village
    /// and head as the review lists them.
    pub async fn households_awaiting(
        &self,
        actor: &Actor,
        unit: &str,
    ) -> Result<Vec<AwaitingHousehold>, AppError> {
        self.authorize(actor, Action::ReadPersonal, unit).await?;
        let u = self.unit(unit).await?;
        let village = (u.tier == "village").then(|| u.code.clone());
        if village.is_none() && u.tier != "commune" {
            // A district or province has too many households for one list: its home shows
            // the communes' progress instead.
            return Ok(Vec::new());
        }
        let reviews = self.reviews(actor, Some(unit)).await?;
        // Certificates are awaited from the reviews decided for the latest period decided:
        // an earlier year's certificates have been replaced by that period's.
        let latest_decided = reviews
            .iter()
            .filter(|r| r.closed_on.is_some())
            .map(|r| r.period)
            .max();
        let mut out = Vec::new();
        for review in reviews {
            let decided = review.closed_on.is_some();
            if decided && Some(review.period) != latest_decided {
                continue;
            }
            let step = Step::parse(&review.step).unwrap_or(Step::Closed);
            let (open, issued) = if decided {
                let issued = self.store().certificates_issued(review.id).await?;
                (HashSet::new(), issued.into_keys().collect())
            } else {
                let complaints = self.store().complaints(review.id).await?;
                (open_complaint_households(&complaints), HashSet::new())
            };
            for h in self.store().review_households(review.id).await? {
                if village.as_ref().is_some_and(|v| *v != h.village_code) {
                    continue;
                }
                let awaiting = if decided {
                    (gets_certificate(&h) && !issued.contains(&h.id))
                        .then_some(Awaiting::Certificate)
                } else {
                    awaiting_of(step, &h, &open)
                };
                if let Some(awaiting) = awaiting {
                    out.push(AwaitingHousehold {
                        review_id: review.id,
                        review_household_id: h.id,
                        household_id: h.household_id,
                        household_code: h.household_code,
                        head_name: h.head_name,
                        village_name: h.village_name,
                        awaiting,
                    });
                }
            }
        }
        // A stable sort keeps the review's own order (village, head) within each kind.
        out.sort_by_key(|a| a.awaiting);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn household(step: &str, surveyed: bool, outcome: &str) -> ReviewHouseholdRecord {
        ReviewHouseholdRecord {
            id: 1,
            review_id: 1,
            household_id: 7,
            household_code: "H1".into(),
            head_name: "Nguyễn Văn A".into(),
            village_code: "V".into(),
            village_name: "Thôn 1".into(),
            source: "list".into(),
            request_date: None,
            request_channel: None,
            requester: None,
            request_kind: None,
            screening_answers: None,
            screening_passed: None,
            income_per_capita: None,
            score_a: None,
            b1_answers: None,
            ticks: None,
            derived_ticks: None,
            disagreements: None,
            surveyed_by: None,
            surveyed_on: None,
            provisional_status: surveyed.then(|| "poor".into()),
            provisional_reasons: None,
            deprivation_count: None,
            score_b: None,
            meeting_outcome: outcome.into(),
            final_status: None,
            refusal_reason: None,
            classification_id: None,
            step: step.into(),
            version: 1,
        }
    }

    #[test]
    fn a_request_not_screened_waits_for_phieu_a_whatever_the_step() {
        let none = HashSet::new();
        let h = household("screening", false, "pending");
        assert_eq!(
            awaiting_of(Step::Listing, &h, &none),
            Some(Awaiting::Screening)
        );
        assert_eq!(
            awaiting_of(Step::Survey, &h, &none),
            Some(Awaiting::Screening)
        );
    }

    #[test]
    fn a_listed_household_waits_for_phieu_b_only_once_the_survey_started() {
        let none = HashSet::new();
        let h = household("listed", false, "pending");
        assert_eq!(awaiting_of(Step::Listing, &h, &none), None);
        assert_eq!(awaiting_of(Step::Survey, &h, &none), Some(Awaiting::Survey));
        let done = household("surveyed", true, "pending");
        assert_eq!(awaiting_of(Step::Survey, &done, &none), None);
        assert_eq!(
            awaiting_of(Step::Meeting, &done, &none),
            Some(Awaiting::Meeting)
        );
        let agreed = household("agreed", true, "agreed");
        assert_eq!(awaiting_of(Step::Meeting, &agreed, &none), None);
    }

    #[test]
    fn an_open_complaint_comes_before_anything_else() {
        let open: HashSet<i64> = [7].into();
        let h = household("agreed", true, "agreed");
        assert_eq!(
            awaiting_of(Step::Posting, &h, &open),
            Some(Awaiting::Complaint)
        );
        assert_eq!(awaiting_of(Step::Posting, &h, &HashSet::new()), None);
    }

    #[test]
    fn an_excluded_or_decided_household_waits_for_nothing() {
        let none = HashSet::new();
        for step in ["excluded", "decided", "refused"] {
            assert_eq!(
                awaiting_of(Step::Survey, &household(step, false, "pending"), &none),
                None
            );
        }
    }
}
