//! The household review (rà soát): periodic (a commune, once a year) and regular (one
//! household's request, any month). Each step is recorded with who and when; the state
//! machine in `giamngheo_domain::review` decides what may happen, the rules engine gives
//! the classes, and an approval turns the results into classifications that are never
//! overwritten.

use crate::access::{Action, Actor};
use crate::households::FieldChange;
use crate::{App, AppError, files};
use chrono::{Datelike, NaiveDate};
use giamngheo_domain::Area;
use giamngheo_domain::review::{
    HouseholdProgress, MeetingOutcome, Move, ReviewFacts, ReviewKind, Step, check,
    meeting_passes_at,
};
use giamngheo_rules::{Calendar, DeadlineStatus};
use giamngheo_rules::{
    Evidence, HouseholdInput, PeriodStatus, Standard, Status, TransitionWindows, classify,
    derive_deprivations, transition,
};
use giamngheo_store::{
    AuditEntry, ClassificationFields, ClassificationRecord, ComplaintRecord, MeetingRecord,
    NewMeeting, NewReview, NewReviewHousehold, PostingRecord, ReviewHouseholdRecord, ReviewRecord,
    ReviewSummary, SurveyRecord, UnitRecord,
};
use std::collections::HashMap;

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

/// The reason written to a household whose request phiếu A turned away. Only a request
/// to be recognised is screened; a request to leave the lists that was screened out
/// before this rule is answered without blaming phiếu A.
fn screening_refusal(rh: &ReviewHouseholdRecord) -> String {
    if rh.request_kind.as_deref() == Some("leave") {
        "Hộ chưa được khảo sát bằng phiếu B nên chưa có căn cứ xác định thoát nghèo, thoát cận nghèo".into()
    } else {
        "Không đạt tiêu chí nhận dạng nhanh (phiếu A)".into()
    }
}

/// Why a household's request was not granted, when it was not: a household asking to be
/// recognised that the survey finds above the lists, or a household asking to leave a
/// list that the survey finds still on it (or on a poorer one). A household moving from
/// poor to near-poor has left poverty as it asked. `previous` is its status before.
fn refusal(
    kind: Option<&str>,
    previous: Option<Status>,
    found: Status,
    standard: &str,
) -> Option<String> {
    let on_lists = matches!(found, Status::Poor | Status::NearPoor);
    match kind {
        Some("enter") if !on_lists => Some(format!(
            "Kết quả rà soát: {}; không đủ điều kiện công nhận hộ nghèo, hộ cận nghèo theo chuẩn {standard}",
            found.label_vi()
        )),
        Some("leave") => {
            let still = match previous {
                Some(Status::Poor) => found == Status::Poor,
                Some(Status::NearPoor) => on_lists,
                // Not on a list before: asking to leave, it is only refused if found on one.
                _ => on_lists,
            };
            still.then(|| {
                format!(
                    "Kết quả rà soát: hộ vẫn là {}; chưa đủ điều kiện thoát nghèo, thoát cận nghèo theo chuẩn {standard}",
                    found.label_vi()
                )
            })
        }
        _ => None,
    }
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

    fn standard(&self, id: &str) -> Result<&Standard, AppError> {
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
    async fn latest_statuses(
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
        self.authorize(actor, Action::ReadPersonal, &review.commune_code)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        let commune = self.unit(&review.commune_code).await?;
        let households = self.store().review_households(id).await?;
        let meetings = self.store().meetings(id).await?;
        let postings = self.store().postings(id).await?;
        let complaints = self.store().complaints(id).await?;
        let today = self.clock().today();
        let settings = self.review_settings().await?;
        let deadline = if review.step == "closed" {
            DeadlineStatus::OnTime
        } else {
            self.calendar()
                .deadline_status(today, review.due_on, settings.warning_working_days)
        };
        Ok(ReviewView {
            can_write: actor.may(Action::WriteHouseholds) && review.step != "closed",
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

    async fn review_for(&self, actor: &Actor, id: i64, mv: Move) -> Result<ReviewView, AppError> {
        let view = self.review(actor, id).await?;
        self.authorize(actor, Action::WriteHouseholds, &view.review.commune_code)
            .await?;
        check(&view.facts(), mv).map_err(|r| AppError::invalid("step", r.to_string()))?;
        Ok(view)
    }

    fn expect_version(view: &ReviewView, version: i64) -> Result<(), AppError> {
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

    async fn review_household_of(
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

    async fn set_step(&self, actor: &Actor, view: &ReviewView, step: Step) -> Result<(), AppError> {
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

    /// The standard's indicator set of the codes ticked, or the first unknown code.
    fn ticks_of(
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
        let view = self.review(actor, review_id).await?;
        let rh = self.review_household_of(&view, rh_id).await?;
        let sent_back = matches!(rh.step.as_str(), "resurvey" | "recheck");
        let view = self
            .review_for(actor, review_id, Move::Survey { sent_back })
            .await?;
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
        let household = self
            .store()
            .household(rh.household_id)
            .await?
            .ok_or_else(|| AppError::NotFound("hộ".into()))?;
        let area: Area = household.fields.area.parse().unwrap_or(Area::Rural);
        let result = classify(
            standard,
            &HouseholdInput {
                area,
                evidence,
                deprived,
            },
        )
        .map_err(|e| AppError::invalid("survey", e.to_string()))?;
        let hview = self.household(actor, rh.household_id).await?;
        let (draft, _) = App::draft_of(&hview);
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
            review_id.to_string(),
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
        self.store()
            .save_survey(
                rh_id,
                version,
                &record,
                rh.step == "recheck",
                &[audit],
                self.clock().now(),
            )
            .await?;
        Ok(SurveyOutcome {
            status: result.status,
            reasons: record.provisional_reasons,
            score_b: result.score_b,
            deprivation_count: result.deprivation_count,
            disagreements: disagreements_text,
        })
    }

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
        self.review(actor, file.review_id).await?;
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
        let mut audit = Vec::new();
        for rh in &view.households {
            if rh.step == "excluded" {
                refusals.push((rh.id, screening_refusal(rh)));
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
    async fn status_history(
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
