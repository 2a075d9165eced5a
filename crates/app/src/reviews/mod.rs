//! The household review (rà soát): periodic (a commune, once a year) and regular (one
//! household's request, any month). Each step is recorded with who and when; the state
//! machine in `giamngheo_domain::review` decides what may happen, the rules engine gives
//! the classes, and an approval turns the results into classifications that are never
//! overwritten.

mod approval;
mod issues;
mod open;
mod steps;
mod survey;

pub use issues::gets_certificate;
pub use survey::SurveyEntry;

use crate::access::Actor;
use crate::households::FieldChange;
use crate::print_wording::Wording;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_domain::review::{
    HouseholdProgress, MeetingOutcome, Move, ReviewFacts, ReviewKind, Step, check,
};
use giamngheo_rules::{Calendar, DeadlineStatus};
use giamngheo_rules::{Standard, Status};
use giamngheo_store::{
    AuditEntry, ComplaintRecord, MeetingRecord, PostingRecord, ReviewHouseholdRecord, ReviewRecord,
    UnitRecord,
};

/// Settings of the review an administrator can change (table `settings`), with the
/// defaults review.md gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSettings {
    /// Length of the public posting, in working days.
    pub posting_working_days: u32,
    /// Calendar days a regular review may take from the request to the decision.
    pub regular_deadline_days: u32,
    /// Working days before a deadline when it is shown as due soon.
    pub warning_working_days: u32,
    /// Certificate number pattern; `{n}` is the running number in the commune and year.
    pub certificate_pattern: String,
    /// The smallest share of a village meeting's attendees, in percent, whose agreement
    /// passes its households; below it they go back to the survey.
    pub meeting_min_agree_percent: u32,
    /// Where that share comes from, shown beside each meeting's result.
    pub meeting_rule_source: String,
    /// Refusal letter number pattern; `{n}` is the running number in the commune and year.
    pub letter_pattern: String,
}

impl ReviewSettings {
    /// The meeting rule in words, with its source, for the page beside the results.
    pub fn meeting_rule_vi(&self) -> String {
        format!(
            "Thông qua khi ít nhất {} % người dự họp đồng ý; dưới mức này các hộ được điều tra lại ({}).",
            self.meeting_min_agree_percent, self.meeting_rule_source
        )
    }

    pub fn meeting_rule_en(&self) -> String {
        format!(
            "Passed when at least {} % of attendees agree; below that the households are surveyed again ({}).",
            self.meeting_min_agree_percent, self.meeting_rule_source
        )
    }
}

impl Default for ReviewSettings {
    fn default() -> Self {
        ReviewSettings {
            posting_working_days: 3,
            regular_deadline_days: 15,
            warning_working_days: 3,
            certificate_pattern: "{n}/GCN-HN.HCN".into(),
            meeting_min_agree_percent: 50,
            meeting_rule_source: "Quyết định 24/2021/QĐ-TTg (review.md, bước 3)".into(),
            letter_pattern: "{n}/UBND".into(),
        }
    }
}

/// A review with everything its pages show.
#[derive(Debug, Clone)]
pub struct ReviewView {
    pub review: ReviewRecord,
    pub commune: UnitRecord,
    pub households: Vec<ReviewHouseholdRecord>,
    pub meetings: Vec<MeetingRecord>,
    pub postings: Vec<PostingRecord>,
    pub complaints: Vec<ComplaintRecord>,
    pub deadline: DeadlineStatus,
    pub can_write: bool,
    pub today: NaiveDate,
    /// The meeting rule in force, in words with its source (Vietnamese, English).
    pub meeting_rule: (String, String),
}

impl ReviewView {
    pub fn step(&self) -> Step {
        Step::parse(&self.review.step).unwrap_or(Step::Closed)
    }

    pub fn kind(&self) -> ReviewKind {
        ReviewKind::parse(&self.review.kind).unwrap_or(ReviewKind::Periodic)
    }

    /// The facts the state machine decides on.
    pub fn facts(&self) -> ReviewFacts {
        ReviewFacts {
            step: self.step(),
            households: self.households.iter().map(progress).collect(),
            posting_ends: self.postings.last().map(|p| p.ends_on),
            open_complaints: self
                .complaints
                .iter()
                .filter(|c| c.resolved_on.is_none())
                .count(),
            today: self.today,
        }
    }

    /// Says whether a move is allowed now, with the reason when it is not.
    pub fn allows(&self, mv: Move) -> Result<(), String> {
        check(&self.facts(), mv).map_err(|e| e.to_string())
    }
}

/// The first step of a household's request: a request to be recognised is screened with
/// phiếu A first; a household on the lists asking to leave them is surveyed with phiếu B
/// at once (Decision 24/2021/QĐ-TTg), so it is listed for the survey.
fn first_step(kind: &str) -> &'static str {
    if kind == "leave" {
        "listed"
    } else {
        "screening"
    }
}

/// The reason written to a household whose request phiếu A turned away, in the words of
/// the wording file (`refusal.*`). Only a request to be recognised is screened; a request
/// to leave the lists that was screened out before this rule is answered without blaming
/// phiếu A.
fn screening_refusal(rh: &ReviewHouseholdRecord, wording: &Wording) -> String {
    let key = if rh.request_kind.as_deref() == Some("leave") {
        "refusal.screening_leave"
    } else {
        "refusal.screening"
    };
    wording.text(key, &[])
}

/// Why a household's request was not granted, when it was not: a household asking to be
/// recognised that the survey finds above the lists, or a household asking to leave a
/// list that the survey finds still on it (or on a poorer one). A household moving from
/// poor to near-poor has left poverty as it asked. `previous` is its status before. The
/// words are the wording file's reason for the request's kind (`refusal.enter`,
/// `refusal.leave`); the approval stores them with the decision, so a later change of
/// wording leaves the decisions already made as they were.
fn refusal(
    kind: Option<&str>,
    previous: Option<Status>,
    found: Status,
    standard: &str,
    wording: &Wording,
) -> Option<String> {
    let on_lists = matches!(found, Status::Poor | Status::NearPoor);
    let key = match kind {
        Some("enter") if !on_lists => "refusal.enter",
        Some("leave") => {
            let still = match previous {
                Some(Status::Poor) => found == Status::Poor,
                Some(Status::NearPoor) => on_lists,
                // Not on a list before: asking to leave, it is only refused if found on one.
                _ => on_lists,
            };
            if !still {
                return None;
            }
            "refusal.leave"
        }
        _ => return None,
    };
    Some(wording.text(key, &[("status", found.label_vi()), ("standard", standard)]))
}

fn progress(h: &ReviewHouseholdRecord) -> HouseholdProgress {
    HouseholdProgress {
        included: h.step != "excluded",
        awaiting_screening: h.step == "screening",
        surveyed: h.provisional_status.is_some() && h.step != "resurvey" && h.step != "recheck",
        outcome: MeetingOutcome::parse(&h.meeting_outcome).unwrap_or(MeetingOutcome::Pending),
    }
}

/// A request to be reviewed (giấy đề nghị).
#[derive(Debug, Clone)]
pub struct RequestInput {
    pub date: NaiveDate,
    /// `in_person`, `post` or `online`.
    pub channel: String,
    pub requester: String,
    /// `enter` (to be recognised as poor or near-poor) or `leave` (to leave the lists).
    pub kind: String,
}

/// Phiếu B as entered.
#[derive(Debug, Clone, Default)]
pub struct SurveyInput {
    pub income_per_capita: Option<i64>,
    pub score_a: Option<i32>,
    /// Codes of the indicators ticked as deprived on part B2.
    pub ticks: Vec<String>,
    pub surveyed_by: String,
    pub surveyed_on: NaiveDate,
}

/// A village meeting as recorded.
#[derive(Debug, Clone)]
pub struct MeetingInput {
    pub village_code: String,
    pub held_on: NaiveDate,
    pub attendees: u32,
    pub agreeing: u32,
    pub chaired_by: Option<String>,
    /// The minutes scan: file name, the media type the client claimed (not trusted: the
    /// kind kept is decided by the bytes, see [`crate::files`]), bytes (PDF, JPEG or PNG).
    pub minutes: Option<(String, String, Vec<u8>)>,
}

/// Largest minutes scan kept: a few phone photos or a scanned PDF.
pub const MAX_MINUTES_BYTES: usize = 10 * 1024 * 1024;

/// The period and standard a periodic review opened today defaults to, and the window of
/// the year it runs in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PeriodicDefaults {
    pub period: i32,
    /// None when no standard applies to the period (after 2030 until one is added).
    pub standard: Option<String>,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    /// Whether today is inside the window; outside it the review is opened late or early.
    pub in_window: bool,
}

fn parse_status(s: &str) -> Option<Status> {
    s.parse().ok()
}

impl App {
    /// The review settings, from the settings table where an administrator set them.
    pub async fn review_settings(&self) -> Result<ReviewSettings, AppError> {
        let mut s = ReviewSettings::default();
        let num = |v: Option<String>, d: u32| v.and_then(|v| v.trim().parse().ok()).unwrap_or(d);
        s.posting_working_days = num(
            self.store().setting("review.posting_working_days").await?,
            s.posting_working_days,
        );
        s.regular_deadline_days = num(
            self.store().setting("review.regular_deadline_days").await?,
            s.regular_deadline_days,
        );
        s.warning_working_days = num(
            self.store().setting("review.warning_working_days").await?,
            s.warning_working_days,
        );
        if let Some(p) = self.store().setting("review.certificate_pattern").await? {
            s.certificate_pattern = p;
        }
        if let Some(p) = self.store().setting("review.letter_pattern").await? {
            s.letter_pattern = p;
        }
        // A share outside 1–100 % is a typing error; the regulation's 50 % stays.
        let share = num(
            self.store()
                .setting("review.meeting_min_agree_percent")
                .await?,
            s.meeting_min_agree_percent,
        );
        if (1..=100).contains(&share) {
            s.meeting_min_agree_percent = share;
        }
        if let Some(source) = self.store().setting("review.meeting_rule_source").await?
            && !source.trim().is_empty()
        {
            s.meeting_rule_source = source;
        }
        Ok(s)
    }

    pub(super) fn standard(&self, id: &str) -> Result<&Standard, AppError> {
        self.config()
            .standards
            .get(id)
            .ok_or_else(|| AppError::invalid("standard", format!("không có chuẩn nghèo «{id}»")))
    }

    pub fn calendar(&self) -> &Calendar {
        &self.config().calendar
    }

    /// What a periodic review opened today is for unless the user says otherwise: from
    /// the first day of the review window (1 September), the next year's lists, under
    /// the standard that starts that year when one does (vn-2027 for 2027) — both read
    /// from data, the window from the calendar file and the periods from the standards.
    pub fn periodic_review_defaults(&self) -> PeriodicDefaults {
        let today = self.clock().today();
        let window = self.calendar().periodic_review();
        let period = window.period_for(today);
        PeriodicDefaults {
            period,
            standard: self
                .config()
                .standards
                .default_for(period)
                .map(|standard| standard.id().to_string()),
            opens: window.opens_in(period - 1),
            closes: window.closes_in(period - 1),
            in_window: window.contains(today),
        }
    }

    // Every field of an audit entry is a separate fact of the step being recorded; a
    // struct for them would only rename the arguments at each call.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn audit(
        &self,
        actor: &Actor,
        action: &str,
        entity: &str,
        entity_id: String,
        household_id: Option<i64>,
        unit: &str,
        province: &str,
        changes: Vec<FieldChange>,
    ) -> AuditEntry {
        AuditEntry {
            at: self
                .clock()
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            user_id: Some(actor.user_id),
            username: actor.username.clone(),
            action: action.into(),
            entity: entity.into(),
            entity_id,
            household_id,
            unit_code: Some(unit.to_string()),
            province_code: Some(province.to_string()),
            changes: serde_json::to_string(&changes).unwrap_or_else(|_| "[]".into()),
            reason: None,
        }
    }

    pub(crate) fn change(
        field: &str,
        old: impl serde::Serialize,
        new: impl serde::Serialize,
    ) -> FieldChange {
        FieldChange {
            field: field.into(),
            old: serde_json::to_value(old).unwrap_or_default(),
            new: serde_json::to_value(new).unwrap_or_default(),
        }
    }
}

/// What a survey gave, for the reviewer's screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyOutcome {
    pub status: Status,
    pub reasons: String,
    pub score_b: u16,
    pub deprivation_count: u8,
    pub disagreements: Vec<String>,
}

fn validate_request(r: &RequestInput) -> Result<(), AppError> {
    if !matches!(r.channel.as_str(), "in_person" | "post" | "online") {
        return Err(AppError::invalid(
            "channel",
            "hình thức nộp phải là in_person, post hoặc online",
        ));
    }
    if !matches!(r.kind.as_str(), "enter" | "leave") {
        return Err(AppError::invalid(
            "kind",
            "đề nghị phải là enter (công nhận) hoặc leave (thoát)",
        ));
    }
    if r.requester.trim().is_empty() {
        return Err(AppError::invalid("requester", "thiếu tên người đề nghị"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reason stored for a refused request is the wording file's reason for the
    /// request's kind: a request to be recognised that the survey finds above the lists,
    /// and a request to leave that the survey finds still on them; a granted request
    /// (poor to near-poor counts as leaving poverty) has none.
    #[test]
    fn the_refusal_reason_is_the_wording_of_the_requests_kind() {
        let builtin = Wording::builtin();
        let enter = refusal(Some("enter"), None, Status::NotPoor, "vn-2022", builtin).unwrap();
        assert!(
            enter.contains("không đủ điều kiện công nhận") && enter.ends_with("chuẩn vn-2022"),
            "{enter}"
        );
        let leave = refusal(
            Some("leave"),
            Some(Status::Poor),
            Status::Poor,
            "vn-2022",
            builtin,
        )
        .unwrap();
        assert!(leave.contains("chưa đủ điều kiện thoát nghèo"), "{leave}");
        assert!(!leave.contains("phiếu A"), "{leave}");
        let granted = |kind, before, found| refusal(Some(kind), before, found, "vn-2022", builtin);
        assert_eq!(granted("leave", Some(Status::Poor), Status::NearPoor), None);
        assert_eq!(granted("enter", None, Status::Poor), None);

        let mut ours = builtin.clone();
        ours.overlay(
            "ly-do.toml",
            "[refusal]\nleave = \"Hộ vẫn là {status} theo chuẩn {standard}.\"\nscreening = \"Không qua phiếu A.\"\n",
        )
        .unwrap();
        let leave = refusal(
            Some("leave"),
            Some(Status::NearPoor),
            Status::NearPoor,
            "vn-2022",
            &ours,
        )
        .unwrap();
        assert_eq!(
            leave,
            format!(
                "Hộ vẫn là {} theo chuẩn vn-2022.",
                Status::NearPoor.label_vi()
            )
        );
        // The screening refusal: phiếu A for a request to be recognised, never for a
        // request to leave, which goes straight to phiếu B.
        assert_eq!(ours.text("refusal.screening", &[]), "Không qua phiếu A.");
        assert!(
            builtin
                .text("refusal.screening_leave", &[])
                .contains("phiếu B")
        );
    }
}
