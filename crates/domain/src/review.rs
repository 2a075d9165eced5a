//! The household review (rà soát, Decision 24/2021/QĐ-TTg) as a state machine: which
//! step may follow which, and what must be true first. Pure: the app layer gathers the
//! facts, asks [`check`], and writes only when the answer is yes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Periodic (yearly, 1 September – 14 December) or regular (monthly, one household).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    Periodic,
    Regular,
}

impl ReviewKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::Periodic => "periodic",
            ReviewKind::Regular => "regular",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewKind> {
        match s {
            "periodic" => Some(ReviewKind::Periodic),
            "regular" => Some(ReviewKind::Regular),
            _ => None,
        }
    }
}

/// The steps of a review, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 1. Listing households and screening requests (phiếu A).
    Listing,
    /// 2. Survey with phiếu B and the provisional class.
    Survey,
    /// 3. Village meetings.
    Meeting,
    /// 4. Public posting and complaints.
    Posting,
    /// 5. Decision and certificates; then the review is closed.
    Closed,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Listing,
        Step::Survey,
        Step::Meeting,
        Step::Posting,
        Step::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Listing => "listing",
            Step::Survey => "survey",
            Step::Meeting => "meeting",
            Step::Posting => "posting",
            Step::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Step::Listing => "Lập danh sách",
            Step::Survey => "Điều tra, phân loại",
            Step::Meeting => "Họp dân",
            Step::Posting => "Niêm yết, khiếu nại",
            Step::Closed => "Đã quyết định",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Step::Listing => "Listing",
            Step::Survey => "Survey",
            Step::Meeting => "Village meeting",
            Step::Posting => "Posting and complaints",
            Step::Closed => "Decided",
        }
    }
}

/// What a meeting decided for its households.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingOutcome {
    Pending,
    Agreed,
    /// Less than half agreed: back to the survey, and a new meeting.
    Rejected,
}

impl MeetingOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingOutcome::Pending => "pending",
            MeetingOutcome::Agreed => "agreed",
            MeetingOutcome::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<MeetingOutcome> {
        match s {
            "pending" => Some(MeetingOutcome::Pending),
            "agreed" => Some(MeetingOutcome::Agreed),
            "rejected" => Some(MeetingOutcome::Rejected),
            _ => None,
        }
    }
}

/// True when at least half of the attendees agreed (review.md: "At least 50 % of
/// attendees must agree"). Integer arithmetic, so 50 % exactly passes and 49 % fails.
pub fn meeting_passes(attendees: u32, agreeing: u32) -> bool {
    meeting_passes_at(attendees, agreeing, 50)
}

/// True when at least `min_percent` % of the attendees agreed. The share is a setting
/// because it comes from a decision that may change; the comparison stays in integers
/// so that a share exactly on the threshold passes.
pub fn meeting_passes_at(attendees: u32, agreeing: u32, min_percent: u32) -> bool {
    attendees > 0
        && agreeing <= attendees
        && u64::from(agreeing) * 100 >= u64::from(attendees) * u64::from(min_percent)
}

/// One household of a review as the state machine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HouseholdProgress {
    /// False for a request that failed screening (phiếu A): it takes no further part.
    pub included: bool,
    /// A request not yet screened.
    pub awaiting_screening: bool,
    pub surveyed: bool,
    pub outcome: MeetingOutcome,
}

/// What the state machine needs to know of a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFacts {
    pub step: Step,
    pub households: Vec<HouseholdProgress>,
    /// The last day of the public posting, once it started.
    pub posting_ends: Option<chrono::NaiveDate>,
    pub open_complaints: usize,
    pub today: chrono::NaiveDate,
}

/// What a user asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    AddHousehold,
    Screen,
    StartSurvey,
    /// Enter or correct phiếu B for a household (`sent_back`: the household's meeting
    /// failed, or a complaint's re-check asks for a new survey).
    Survey {
        sent_back: bool,
    },
    StartMeetings,
    /// Record a village meeting for households that are surveyed and pending.
    RecordMeeting,
    StartPosting,
    RecordComplaint,
    Approve,
}

/// Why a move is refused, in words an official can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("rà soát đang ở bước «{}»; thao tác này chỉ làm được ở bước «{}»", .current.label_vi(), .needed.label_vi())]
    WrongStep { current: Step, needed: Step },
    #[error(
        "rà soát đã kết thúc; kết quả đã phê duyệt chỉ sửa bằng rà soát mới hoặc đính chính có lý do"
    )]
    Closed,
    #[error("chưa có hộ nào trong danh sách rà soát")]
    NoHouseholds,
    #[error("còn {0} hộ đề nghị chưa được nhận dạng nhanh (phiếu A)")]
    ScreeningPending(usize),
    #[error("còn {0} hộ chưa được điều tra (phiếu B)")]
    SurveyPending(usize),
    #[error("còn {0} hộ chưa được họp dân thông qua; chưa thể niêm yết")]
    MeetingNotPassed(usize),
    #[error("chưa niêm yết công khai kết quả")]
    NotPosted,
    #[error("thời gian niêm yết chưa hết (đến hết ngày {}); chưa thể phê duyệt", .0.format("%d/%m/%Y"))]
    PostingNotOver(chrono::NaiveDate),
    #[error("còn {0} khiếu nại chưa giải quyết xong")]
    ComplaintsOpen(usize),
    #[error("hộ này đã được họp dân thông qua; chỉ điều tra lại khi có phúc tra")]
    AlreadyAgreed,
}

impl fmt::Display for ReviewKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn at(current: Step, needed: Step) -> Result<(), Refusal> {
    if current == Step::Closed {
        return Err(Refusal::Closed);
    }
    if current == needed {
        Ok(())
    } else {
        Err(Refusal::WrongStep { current, needed })
    }
}

/// Says whether `mv` may happen now. Every guard of the review lives here, so that the
/// web, the API and the command line refuse the same things with the same words.
pub fn check(facts: &ReviewFacts, mv: Move) -> Result<(), Refusal> {
    let included = || facts.households.iter().filter(|h| h.included);
    match mv {
        Move::AddHousehold | Move::Screen => {
            if facts.step == Step::Closed {
                return Err(Refusal::Closed);
            }
            at(facts.step, Step::Listing)
        }
        Move::StartSurvey => {
            at(facts.step, Step::Listing)?;
            if facts.households.is_empty() {
                return Err(Refusal::NoHouseholds);
            }
            let pending = facts
                .households
                .iter()
                .filter(|h| h.awaiting_screening)
                .count();
            if pending > 0 {
                return Err(Refusal::ScreeningPending(pending));
            }
            Ok(())
        }
        Move::Survey { sent_back } => match facts.step {
            Step::Closed => Err(Refusal::Closed),
            Step::Survey => Ok(()),
            Step::Meeting | Step::Posting if sent_back => Ok(()),
            Step::Meeting | Step::Posting => Err(Refusal::AlreadyAgreed),
            current => Err(Refusal::WrongStep {
                current,
                needed: Step::Survey,
            }),
        },
        Move::StartMeetings => {
            at(facts.step, Step::Survey)?;
            let pending = included().filter(|h| !h.surveyed).count();
            if pending > 0 {
                return Err(Refusal::SurveyPending(pending));
            }
            Ok(())
        }
        Move::RecordMeeting => at(facts.step, Step::Meeting),
        Move::StartPosting => {
            at(facts.step, Step::Meeting)?;
            let not_surveyed = included().filter(|h| !h.surveyed).count();
            if not_surveyed > 0 {
                return Err(Refusal::SurveyPending(not_surveyed));
            }
            let pending = included()
                .filter(|h| h.outcome != MeetingOutcome::Agreed)
                .count();
            if pending > 0 {
                return Err(Refusal::MeetingNotPassed(pending));
            }
            Ok(())
        }
        Move::RecordComplaint => at(facts.step, Step::Posting),
        Move::Approve => {
            // A review whose every household failed screening has nothing to survey,
            // meet or post: it is decided at once, with the refusals in writing.
            let all_screened_out = !facts.households.is_empty()
                && facts
                    .households
                    .iter()
                    .all(|h| !h.included && !h.awaiting_screening);
            if all_screened_out && facts.step != Step::Closed {
                return Ok(());
            }
            at(facts.step, Step::Posting)?;
            let Some(ends) = facts.posting_ends else {
                return Err(Refusal::NotPosted);
            };
            if facts.today <= ends {
                return Err(Refusal::PostingNotOver(ends));
            }
            if facts.open_complaints > 0 {
                return Err(Refusal::ComplaintsOpen(facts.open_complaints));
            }
            let pending = included()
                .filter(|h| h.outcome != MeetingOutcome::Agreed || !h.surveyed)
                .count();
            if pending > 0 {
                return Err(Refusal::MeetingNotPassed(pending));
            }
            Ok(())
        }
    }
}

/// The step a move leads to, when it changes the review's step.
pub fn next_step(mv: Move) -> Option<Step> {
    match mv {
        Move::StartSurvey => Some(Step::Survey),
        Move::StartMeetings => Some(Step::Meeting),
        Move::StartPosting => Some(Step::Posting),
        Move::Approve => Some(Step::Closed),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 12, d).unwrap()
    }

    fn hh(surveyed: bool, outcome: MeetingOutcome) -> HouseholdProgress {
        HouseholdProgress {
            included: true,
            awaiting_screening: false,
            surveyed,
            outcome,
        }
    }

    fn facts(step: Step, households: Vec<HouseholdProgress>) -> ReviewFacts {
        ReviewFacts {
            step,
            households,
            posting_ends: None,
            open_complaints: 0,
            today: day(10),
        }
    }

    #[test]
    fn half_the_attendees_is_enough_and_one_less_is_not() {
        assert!(meeting_passes(100, 50));
        assert!(!meeting_passes(100, 49));
        assert!(meeting_passes(3, 2));
        assert!(!meeting_passes(3, 1));
        assert!(!meeting_passes(0, 0));
        assert!(!meeting_passes(10, 11));
        // Another threshold: 60 % passes at 6 of 10 and not at 5 of 10.
        assert!(meeting_passes_at(10, 6, 60));
        assert!(!meeting_passes_at(10, 5, 60));
        assert!(meeting_passes_at(3, 2, 66) && !meeting_passes_at(3, 2, 67));
    }

    #[test]
    fn the_survey_starts_only_with_households_all_screened() {
        assert_eq!(
            check(&facts(Step::Listing, vec![]), Move::StartSurvey),
            Err(Refusal::NoHouseholds)
        );
        let mut waiting = hh(false, MeetingOutcome::Pending);
        waiting.awaiting_screening = true;
        assert_eq!(
            check(&facts(Step::Listing, vec![waiting]), Move::StartSurvey),
            Err(Refusal::ScreeningPending(1))
        );
        assert_eq!(
            check(
                &facts(Step::Listing, vec![hh(false, MeetingOutcome::Pending)]),
                Move::StartSurvey
            ),
            Ok(())
        );
    }

    #[test]
    fn meetings_need_every_included_household_surveyed() {
        let mut screened_out = hh(false, MeetingOutcome::Pending);
        screened_out.included = false;
        let f = facts(
            Step::Survey,
            vec![hh(true, MeetingOutcome::Pending), screened_out],
        );
        assert_eq!(check(&f, Move::StartMeetings), Ok(()));
        let f = facts(Step::Survey, vec![hh(false, MeetingOutcome::Pending)]);
        assert_eq!(
            check(&f, Move::StartMeetings),
            Err(Refusal::SurveyPending(1))
        );
    }

    #[test]
    fn no_posting_before_the_meeting_passes() {
        let f = facts(
            Step::Meeting,
            vec![
                hh(true, MeetingOutcome::Agreed),
                hh(true, MeetingOutcome::Rejected),
            ],
        );
        assert_eq!(
            check(&f, Move::StartPosting),
            Err(Refusal::MeetingNotPassed(1))
        );
        assert_eq!(
            check(&facts(Step::Survey, vec![]), Move::StartPosting),
            Err(Refusal::WrongStep {
                current: Step::Survey,
                needed: Step::Meeting
            })
        );
    }

    #[test]
    fn a_household_sent_back_may_be_surveyed_again_during_meetings() {
        let f = facts(Step::Meeting, vec![hh(true, MeetingOutcome::Rejected)]);
        assert_eq!(check(&f, Move::Survey { sent_back: true }), Ok(()));
        assert_eq!(
            check(&f, Move::Survey { sent_back: false }),
            Err(Refusal::AlreadyAgreed)
        );
    }

    #[test]
    fn no_approval_before_the_posting_ends_or_with_open_complaints() {
        let mut f = facts(Step::Posting, vec![hh(true, MeetingOutcome::Agreed)]);
        assert_eq!(check(&f, Move::Approve), Err(Refusal::NotPosted));
        f.posting_ends = Some(day(10));
        assert_eq!(
            check(&f, Move::Approve),
            Err(Refusal::PostingNotOver(day(10)))
        );
        f.today = day(11);
        f.open_complaints = 1;
        assert_eq!(check(&f, Move::Approve), Err(Refusal::ComplaintsOpen(1)));
        f.open_complaints = 0;
        assert_eq!(check(&f, Move::Approve), Ok(()));
    }

    #[test]
    fn a_review_whose_every_request_failed_screening_is_decided_at_once() {
        let mut out = hh(false, MeetingOutcome::Pending);
        out.included = false;
        let f = facts(Step::Listing, vec![out]);
        assert_eq!(check(&f, Move::Approve), Ok(()));
        let mut waiting = out;
        waiting.awaiting_screening = true;
        let f = facts(Step::Listing, vec![out, waiting]);
        assert!(matches!(
            check(&f, Move::Approve),
            Err(Refusal::WrongStep { .. })
        ));
    }

    #[test]
    fn a_closed_review_refuses_everything() {
        let f = facts(Step::Closed, vec![hh(true, MeetingOutcome::Agreed)]);
        for mv in [
            Move::AddHousehold,
            Move::Screen,
            Move::StartSurvey,
            Move::Survey { sent_back: true },
            Move::StartMeetings,
            Move::RecordMeeting,
            Move::StartPosting,
            Move::RecordComplaint,
            Move::Approve,
        ] {
            assert_eq!(check(&f, mv), Err(Refusal::Closed), "{mv:?}");
        }
    }

    #[test]
    fn each_step_refuses_the_moves_of_other_steps() {
        let f = facts(Step::Listing, vec![hh(false, MeetingOutcome::Pending)]);
        assert!(matches!(
            check(&f, Move::RecordMeeting),
            Err(Refusal::WrongStep { .. })
        ));
        assert!(matches!(
            check(&f, Move::RecordComplaint),
            Err(Refusal::WrongStep { .. })
        ));
        assert!(matches!(
            check(&f, Move::Approve),
            Err(Refusal::WrongStep { .. })
        ));
        assert!(matches!(
            check(&f, Move::Survey { sent_back: false }),
            Err(Refusal::WrongStep { .. })
        ));
        let f = facts(Step::Posting, vec![hh(true, MeetingOutcome::Agreed)]);
        assert!(matches!(
            check(&f, Move::AddHousehold),
            Err(Refusal::WrongStep { .. })
        ));
        assert!(matches!(
            check(&f, Move::StartMeetings),
            Err(Refusal::WrongStep { .. })
        ));
    }
}
