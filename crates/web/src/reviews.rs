//! Pages of the household review: the reviews of an area with their progress, one
//! review with the form of its current step, batch survey entry by village, meetings,
//! posting and complaints, the decision, certificates and refusal letters, and the
//! reporting calendar. The app layer decides what is allowed; these handlers render.

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::form::Refused;
use crate::format;
use crate::headers::{component, see_other};
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use crate::rv_text::RT;
use crate::standard_view::StandardView;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use giamngheo_app::access::Action;
use giamngheo_app::reviews::{
    MAX_MINUTES_BYTES, MeetingInput, RequestInput, ReviewView, SurveyInput,
};
use giamngheo_app::rules::derive_deprivations;
use giamngheo_app::{App, AppError};
use giamngheo_domain::review::Move;
use giamngheo_sheets::pdf::{CertMemberDoc, CertificateDoc, certificates_pdf};
use serde::Deserialize;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/reviews", get(list).post(open_periodic))
        .route("/reviews/calendar", get(calendar))
        .route("/reviews/calendar/sent", post(calendar_sent))
        .route("/reviews/{id}", get(show))
        .route("/reviews/{id}/requests", post(add_request))
        .route("/reviews/{id}/screening/{rh}", post(screening))
        .route("/reviews/{id}/start-survey", post(start_survey))
        .route("/reviews/{id}/survey", get(survey_form).post(survey_save))
        .route("/reviews/{id}/start-meetings", post(start_meetings))
        .route("/reviews/{id}/meetings", post(meeting))
        .route("/reviews/{id}/posting", post(posting))
        .route("/reviews/{id}/complaints", post(complaint))
        .route("/reviews/{id}/complaints/{cid}/resolve", post(resolve))
        .route("/reviews/{id}/approve", post(approve))
        .route("/reviews/{id}/certificates", get(certificates))
        .route("/meetings/{mid}/minutes", get(minutes))
        .route("/households/{id}/regular-review", post(open_regular))
}

fn err(lang: Lang) -> impl Fn(AppError) -> HtmlError {
    move |error| HtmlError { lang, error }
}

fn date(s: &str, field: &str) -> Result<NaiveDate, AppError> {
    giamngheo_sheets::units::parse_date(s.trim()).map_err(|e| AppError::invalid(field, e))
}

fn back(id: i64, notice: &str) -> Response {
    Redirect::to(&format!("/reviews/{id}?notice={notice}")).into_response()
}

// ---------------------------------------------------------------- list

pub struct SummaryRow {
    pub id: i64,
    pub commune: String,
    pub kind: String,
    pub period: i32,
    pub standard: String,
    pub step: String,
    pub due: String,
    pub progress: String,
    pub closed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews.html")]
struct ListPage {
    t: &'static T,
    r: &'static RT,
    lang: Lang,
    viewer: Option<Viewer>,
    rows: Vec<SummaryRow>,
    communes: Vec<(String, String)>,
    standards: Vec<String>,
    next_period: i32,
    default_standard: String,
    /// The window, period and standard of the review being opened, from the data.
    period_note: String,
    can_open: bool,
}

/// The unit whose reviews the list shows (the user's own by default).
#[derive(Deserialize)]
struct ListQuery {
    unit: Option<String>,
}

async fn list(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, HtmlError> {
    let e = err(lang);
    let unit = q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let rows = app.reviews(&user.actor, unit).await.map_err(&e)?;
    let r = lang.r();
    // The communes a user can open a review for: its own, or every commune below its
    // unit, whether a province holds them directly (since July 2025) or through
    // districts (a four-level list).
    let own = app.unit(&user.actor.unit_code).await.map_err(&e)?;
    let communes: Vec<(String, String)> = app
        .communes_under(&own)
        .await
        .map_err(&e)?
        .into_iter()
        .map(|u| (u.code, u.name))
        .collect();
    // The period and standard come from the calendar's review window and the
    // standards' periods (1 September 2026 on: 2027 under vn-2027), not from this page.
    let defaults = app.periodic_review_defaults();
    let window = app.calendar().periodic_review();
    let standard = defaults.standard.clone().unwrap_or_default();
    let (opens, closes) = (
        format::date(&defaults.opens),
        format::date(&defaults.closes),
    );
    let period_note = match lang {
        Lang::Vi => format!(
            "Rà soát định kỳ từ {opens} đến {closes} xác định hộ nghèo, hộ cận nghèo cho năm {} theo chuẩn {standard} ({}).",
            defaults.period, window.source
        ),
        Lang::En => format!(
            "The periodic review from {opens} to {closes} classifies households for {} under {standard} ({}).",
            defaults.period, window.source
        ),
    };
    Ok(ListPage {
        t: lang.t(),
        r,
        lang,
        can_open: user.actor.may(Action::WriteHouseholds) && !communes.is_empty(),
        viewer: Some(user.viewer(lang)),
        rows: rows
            .iter()
            .map(|s| SummaryRow {
                id: s.id,
                commune: s.commune_name.clone(),
                kind: if s.kind == "periodic" {
                    r.periodic
                } else {
                    r.regular
                }
                .to_string(),
                period: s.period,
                standard: s.standard.clone(),
                step: lang.step(&s.step),
                due: format::date(&s.due_on),
                progress: format!(
                    "{} / {} / {}",
                    format::number(s.households),
                    format::number(s.surveyed),
                    format::number(s.agreed)
                ),
                closed: s.closed_on.is_some(),
            })
            .collect(),
        communes,
        standards: app.config().standards.ids().map(str::to_string).collect(),
        next_period: defaults.period,
        default_standard: standard,
        period_note,
    })
}

#[derive(Deserialize)]
struct OpenForm {
    commune: String,
    period: i32,
    standard: String,
}

async fn open_periodic(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<OpenForm>,
) -> Result<Response, HtmlError> {
    let id = app
        .open_periodic_review(&user.actor, &f.commune, f.period, &f.standard)
        .await
        .map_err(err(lang))?;
    Ok(Redirect::to(&format!("/reviews/{id}")).into_response())
}

// ---------------------------------------------------------------- one review

pub struct HouseholdLine {
    pub id: i64,
    pub household_id: i64,
    pub code: String,
    pub head: String,
    pub village: String,
    pub source: String,
    pub awaiting_screening: bool,
    pub version: i64,
    pub provisional: String,
    pub score: String,
    pub outcome: String,
    pub final_status: String,
    pub disagreements: String,
    pub refusal: bool,
}

pub struct MeetingLine {
    pub id: i64,
    pub village: String,
    pub held_on: String,
    pub votes: String,
    pub passed: bool,
    pub has_minutes: bool,
}

pub struct ComplaintLine {
    pub id: i64,
    pub complainant: String,
    pub content: String,
    pub received_on: String,
    pub result: String,
    pub open: bool,
    pub household: bool,
}

#[derive(Clone)]
pub struct Gate {
    pub allowed: bool,
    pub reason: String,
}

fn gate(view: &ReviewView, mv: Move) -> Gate {
    match view.allows(mv) {
        Ok(()) => Gate {
            allowed: view.can_write,
            reason: String::new(),
        },
        Err(reason) => Gate {
            allowed: false,
            reason,
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "review.html")]
struct ReviewPage {
    t: &'static T,
    r: &'static RT,
    lang: Lang,
    viewer: Option<Viewer>,
    id: i64,
    version: i64,
    title: String,
    steps: Vec<(String, bool, bool)>,
    due: String,
    deadline: String,
    late: bool,
    households: Vec<HouseholdLine>,
    villages: Vec<(String, String)>,
    meetings: Vec<MeetingLine>,
    /// The meeting rule in force and its source, shown beside the form and the results.
    meeting_rule: String,
    posting: Option<String>,
    complaints: Vec<ComplaintLine>,
    decision: Option<String>,
    notice: Option<String>,
    can_write: bool,
    is_closed: bool,
    today: String,
    g_add: Gate,
    g_start_survey: Gate,
    g_survey: Gate,
    g_start_meetings: Gate,
    g_meeting: Gate,
    g_posting: Gate,
    g_complaint: Gate,
    g_approve: Gate,
    regular: bool,
    /// The field survey's card (phone forms, submissions), rendered by its module.
    survey_card: String,
    /// The documents to print (posting lists, minutes, decision), rendered by their module.
    prints: String,
    /// The meeting form as typed when it was refused, shown again (empty otherwise).
    meeting_form: Refused,
}

impl ReviewPage {
    /// The meeting form's problem when it is about no field of the form.
    fn meeting_general(&self) -> Option<&str> {
        self.meeting_form.general(&[
            "village",
            "held_on",
            "attendees",
            "agreeing",
            "chaired_by",
            "minutes",
        ])
    }
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    notice: Option<String>,
    /// What an import of phone submissions did (see `crate::survey`).
    imported: Option<String>,
}

fn notice_text(r: &RT, code: &str) -> String {
    match code {
        "saved" => "Đã lưu.".into(),
        "approved" => format!("{} ✓", r.decision),
        other if other.starts_with("surveys-") => format!("{} {}", r.saved_surveys, &other[8..]),
        "meeting-passed" => format!("{}: {}", r.meeting, r.passed),
        "meeting-failed" => format!("{}: {}", r.meeting, r.failed),
        _ => "Đã lưu.".into(),
    }
}

async fn show(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<ReviewPage, HtmlError> {
    review_page(&app, lang, &user, id, &q, Refused::default())
        .await
        .map_err(err(lang))
}

/// The review page, with the meeting form as typed when it was refused.
async fn review_page(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    q: &NoticeQuery,
    meeting_form: Refused,
) -> Result<ReviewPage, AppError> {
    let view = app.review(&user.actor, id).await?;
    let r = lang.r();
    let step = view.step();
    let mut villages: Vec<(String, String)> = view
        .households
        .iter()
        .map(|h| (h.village_code.clone(), h.village_name.clone()))
        .collect();
    villages.sort();
    villages.dedup();
    let village_name = |code: &str| {
        villages
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let households = view
        .households
        .iter()
        .map(|h| HouseholdLine {
            id: h.id,
            household_id: h.household_id,
            code: h.household_code.clone(),
            head: h.head_name.clone(),
            village: h.village_name.clone(),
            source: if h.source == "list" {
                r.source_list
            } else {
                r.source_request
            }
            .to_string(),
            awaiting_screening: h.step == "screening",
            version: h.version,
            provisional: lang.status(h.provisional_status.as_deref()),
            score: match (h.score_a, h.income_per_capita, h.score_b) {
                (Some(a), _, Some(b)) => format!("A {a} · B {b}"),
                (None, Some(i), Some(b)) => format!("{} đ · B {b}", format::number(i)),
                _ => "—".into(),
            },
            outcome: match h.meeting_outcome.as_str() {
                "agreed" => r.passed.to_string(),
                "rejected" => r.failed.to_string(),
                _ if h.step == "excluded" => r.screening_failed.to_string(),
                _ => "—".into(),
            },
            final_status: lang.status(h.final_status.as_deref()),
            disagreements: h.disagreements.clone().unwrap_or_default(),
            refusal: h.refusal_reason.is_some(),
        })
        .collect();
    let posting = view.postings.last().map(|p| {
        format!(
            "{} – {} ({})",
            format::date(&p.starts_on),
            format::date(&p.ends_on),
            p.place
        )
    });
    let steps = giamngheo_domain::review::Step::ALL
        .iter()
        .map(|s| (lang.step(s.as_str()), *s == step, *s < step))
        .collect();
    let late = matches!(
        view.deadline,
        giamngheo_app::rules::DeadlineStatus::Overdue { .. }
    );
    Ok(ReviewPage {
        t: lang.t(),
        r,
        lang,
        viewer: Some(user.viewer(lang)),
        id,
        version: view.review.version,
        title: format!(
            "{} {} — {} — {} {}",
            r.review,
            if view.review.kind == "periodic" {
                r.periodic
            } else {
                r.regular
            },
            view.commune.name,
            r.period.split(' ').next().unwrap_or(""),
            view.review.period
        ),
        steps,
        due: format::date(&view.review.due_on),
        deadline: lang.deadline(view.deadline),
        late,
        households,
        meetings: view
            .meetings
            .iter()
            .map(|m| MeetingLine {
                id: m.id,
                village: village_name(&m.village_code),
                held_on: format::date(&m.held_on),
                votes: format!("{}/{}", m.agreeing, m.attendees),
                passed: m.passed,
                has_minutes: m.minutes_name.is_some(),
            })
            .collect(),
        meeting_rule: if lang == Lang::Vi {
            view.meeting_rule.0.clone()
        } else {
            view.meeting_rule.1.clone()
        },
        posting,
        complaints: view
            .complaints
            .iter()
            .map(|c| ComplaintLine {
                id: c.id,
                complainant: c.complainant.clone(),
                content: c.content.clone(),
                received_on: format::date(&c.received_on),
                result: c.recheck_result.clone().unwrap_or_default(),
                open: c.resolved_on.is_none(),
                household: c.household_id.is_some(),
            })
            .collect(),
        decision: view.review.decision_number.as_ref().map(|n| {
            format!(
                "{n}, {}",
                view.review
                    .decision_date
                    .map(|d| format::date(&d))
                    .unwrap_or_default()
            )
        }),
        notice: q.notice.as_deref().map(|n| notice_text(r, n)),
        can_write: view.can_write,
        is_closed: view.review.step == "closed",
        today: format::date(&view.today),
        g_add: gate(&view, Move::AddHousehold),
        g_start_survey: gate(&view, Move::StartSurvey),
        g_survey: gate(&view, Move::Survey { sent_back: true }),
        g_start_meetings: gate(&view, Move::StartMeetings),
        g_meeting: gate(&view, Move::RecordMeeting),
        g_posting: gate(&view, Move::StartPosting),
        g_complaint: gate(&view, Move::RecordComplaint),
        g_approve: gate(&view, Move::Approve),
        regular: view.review.kind == "regular",
        survey_card: crate::survey::review_card(app, lang, user, &view, q.imported.as_deref())
            .await,
        villages,
        prints: crate::review_print::review_card(lang, &view),
        meeting_form,
    })
}

#[derive(Deserialize)]
struct RequestForm {
    household_code: String,
    date: String,
    channel: String,
    requester: String,
    kind: String,
}

async fn add_request(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<RequestForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let view = app.review(&user.actor, id).await.map_err(&e)?;
    let household = app
        .store()
        .household_by_code(&view.review.commune_code, f.household_code.trim())
        .await
        .map_err(|x| e(x.into()))?
        .ok_or_else(|| {
            e(AppError::invalid(
                "household_code",
                format!("không có hộ mã {} trong xã", f.household_code.trim()),
            ))
        })?;
    let request = RequestInput {
        date: date(&f.date, "date").map_err(&e)?,
        channel: f.channel,
        requester: f.requester,
        kind: f.kind,
    };
    app.add_review_request(&user.actor, id, household.id, request)
        .await
        .map_err(&e)?;
    Ok(back(id, "saved"))
}

#[derive(Deserialize)]
struct ScreeningForm {
    version: i64,
    passed: String,
    #[serde(default)]
    note: String,
}

async fn screening(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, rh)): Path<(i64, i64)>,
    Form(f): Form<ScreeningForm>,
) -> Result<Response, HtmlError> {
    let passed = f.passed == "1";
    let answers = vec![(
        if f.note.trim().is_empty() {
            "Kết luận phiếu A".to_string()
        } else {
            f.note.trim().to_string()
        },
        passed,
    )];
    app.record_screening(&user.actor, id, rh, f.version, &answers, passed)
        .await
        .map_err(err(lang))?;
    Ok(back(id, "saved"))
}

#[derive(Deserialize)]
struct VersionForm {
    version: i64,
}

async fn start_survey(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Result<Response, HtmlError> {
    app.start_survey(&user.actor, id, f.version)
        .await
        .map_err(err(lang))?;
    Ok(back(id, "saved"))
}

async fn start_meetings(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Result<Response, HtmlError> {
    app.start_meetings(&user.actor, id, f.version)
        .await
        .map_err(err(lang))?;
    Ok(back(id, "saved"))
}

// ---------------------------------------------------------------- batch survey

pub struct TickCell {
    pub code: String,
    pub checked: bool,
    pub suggested: bool,
}

pub struct SurveyRow {
    pub rh: i64,
    pub version: i64,
    pub code: String,
    pub head: String,
    pub score_a: String,
    pub income: String,
    pub ticks: Vec<TickCell>,
    pub provisional: String,
    /// Which evidence decided the provisional class, empty before the survey.
    pub evidence: &'static str,
    pub disagreements: String,
    /// Why the row was not saved, next to it (empty when it was, or was not sent).
    pub error: String,
}

/// A survey grid as typed when some rows were refused: the refused rows come back with
/// what was typed in them and their problem; the rows saved show what was stored.
#[derive(Default)]
struct SurveyTyped {
    /// Per review household: score A, income and the ticked indicators as typed.
    rows: std::collections::HashMap<i64, (String, String, Vec<String>)>,
    errors: std::collections::HashMap<i64, String>,
    surveyor: Option<String>,
    surveyed_on: Option<String>,
    /// The problem of the survey date, next to it.
    date_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "review_survey.html")]
struct SurveyPage {
    t: &'static T,
    r: &'static RT,
    lang: Lang,
    viewer: Option<Viewer>,
    id: i64,
    village: String,
    village_name: String,
    villages: Vec<(String, String)>,
    rows: Vec<SurveyRow>,
    uses_score_a: bool,
    /// The review's standard with its sources and marks, and which evidence it takes.
    standard: StandardView,
    surveyor: String,
    today: String,
    errors: Vec<String>,
    date_error: Option<String>,
}

#[derive(Deserialize, Default)]
struct VillageQuery {
    village: Option<String>,
}

async fn survey_form(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<VillageQuery>,
) -> Result<SurveyPage, HtmlError> {
    survey_page(&app, lang, &user, id, q.village, SurveyTyped::default())
        .await
        .map_err(err(lang))
}

async fn survey_page(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    village: Option<String>,
    typed: SurveyTyped,
) -> Result<SurveyPage, AppError> {
    let view = app.review(&user.actor, id).await?;
    let standard = app
        .config()
        .standards
        .get(&view.review.standard)
        .ok_or_else(|| AppError::invalid("standard", "không có chuẩn nghèo của đợt rà soát"))?;
    let mut villages: Vec<(String, String)> = view
        .households
        .iter()
        .map(|h| (h.village_code.clone(), h.village_name.clone()))
        .collect();
    villages.sort();
    villages.dedup();
    let village = village
        .filter(|v| villages.iter().any(|(c, _)| c == v))
        .or_else(|| villages.first().map(|(c, _)| c.clone()))
        .unwrap_or_default();
    let village_name = villages
        .iter()
        .find(|(c, _)| *c == village)
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let shown = StandardView::of(standard, lang);
    let indicators: Vec<&str> = shown.indicators.iter().map(|i| i.code.as_str()).collect();
    let mut rows = Vec::new();
    for h in view.households.iter().filter(|h| {
        h.village_code == village && !matches!(h.step.as_str(), "excluded" | "screening")
    }) {
        // Suggestions: the ticks the member data implies today.
        let hv = app.household(&user.actor, h.household_id).await?;
        let (draft, _) = App::draft_of(&hv);
        let derived = derive_deprivations(
            standard,
            &giamngheo_app::facts::household_facts(&draft),
            view.today,
        );
        let entered: Vec<&str> = h
            .ticks
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .collect();
        let surveyed = h.provisional_status.is_some();
        let typed_row = typed.rows.get(&h.id);
        let entered: Vec<&str> = match typed_row {
            Some((_, _, ticks)) => ticks.iter().map(String::as_str).collect(),
            None => entered,
        };
        rows.push(SurveyRow {
            error: typed.errors.get(&h.id).cloned().unwrap_or_default(),
            rh: h.id,
            version: h.version,
            code: h.household_code.clone(),
            head: h.head_name.clone(),
            score_a: match typed_row {
                Some((a, _, _)) => a.clone(),
                None => h.score_a.map(|v| v.to_string()).unwrap_or_default(),
            },
            income: match typed_row {
                Some((_, i, _)) => i.clone(),
                None => h
                    .income_per_capita
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            },
            ticks: indicators
                .iter()
                .map(|&code| {
                    let suggested = derived
                        .ticks
                        .iter()
                        .any(|t| t.code == code && t.deprived == Some(true));
                    TickCell {
                        code: code.to_string(),
                        checked: if surveyed || typed_row.is_some() {
                            entered.contains(&code)
                        } else {
                            suggested
                        },
                        suggested,
                    }
                })
                .collect(),
            provisional: lang.status(h.provisional_status.as_deref()),
            evidence: match (surveyed, h.score_a, h.income_per_capita) {
                (false, _, _) => "",
                (true, Some(_), _) => lang.r().by_score_a,
                (true, None, Some(_)) => lang.r().by_income,
                (true, None, None) => "",
            },
            disagreements: h.disagreements.clone().unwrap_or_default(),
        });
    }
    Ok(SurveyPage {
        t: lang.t(),
        r: lang.r(),
        lang,
        viewer: Some(user.viewer(lang)),
        id,
        village,
        village_name,
        villages,
        rows,
        uses_score_a: shown.uses_score_a,
        standard: shown,
        surveyor: typed
            .surveyor
            .unwrap_or_else(|| user.actor.username.clone()),
        today: typed
            .surveyed_on
            .unwrap_or_else(|| format::date(&view.today)),
        // A refused row's problem is next to it; only a count is said above the grid.
        errors: if typed.errors.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "{} {}",
                lang.r().rows_refused,
                format::number(typed.errors.len() as i64)
            )]
        },
        date_error: typed.date_error,
    })
}

async fn survey_save(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    // Each row's save checks access too, but a form with no rows filled would otherwise
    // answer with a redirect for any review, in any commune.
    app.authorize_review_write(&user.actor, id)
        .await
        .map_err(&e)?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let surveyor = get("surveyed_by");
    let village = get("village");
    let typed_row = |rh: i64| {
        let ticks = pairs
            .iter()
            .filter(|(k, _)| *k == format!("t{rh}"))
            .map(|(_, v)| v.clone())
            .collect();
        (get(&format!("a{rh}")), get(&format!("i{rh}")), ticks)
    };
    let surveyed_on = match date(&get("surveyed_on"), "surveyed_on") {
        Ok(d) => d,
        // A survey date that is not a date refuses the whole grid: every row comes back
        // as typed, and the problem is next to the date.
        Err(AppError::Invalid { message, .. }) => {
            let typed = SurveyTyped {
                rows: pairs
                    .iter()
                    .filter_map(|(k, v)| (k == "rh").then(|| v.parse().ok()).flatten())
                    .map(|rh| (rh, typed_row(rh)))
                    .collect(),
                errors: Default::default(),
                surveyor: Some(surveyor),
                surveyed_on: Some(get("surveyed_on")),
                date_error: Some(message),
            };
            let page = survey_page(&app, lang, &user, id, Some(village), typed)
                .await
                .map_err(&e)?;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(other) => return Err(e(other)),
    };
    let mut rows: Vec<i64> = pairs
        .iter()
        .filter_map(|(k, v)| (k == "rh").then(|| v.parse().ok()).flatten())
        .collect();
    rows.dedup();
    let mut saved = 0;
    let mut typed = SurveyTyped::default();
    for rh in rows {
        let score_a = get(&format!("a{rh}"));
        let income = get(&format!("i{rh}"));
        if score_a.is_empty() && income.is_empty() {
            // A row left empty is not surveyed yet; the reviewer comes back to it.
            continue;
        }
        let version = get(&format!("v{rh}")).parse().unwrap_or(0);
        let ticks: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| *k == format!("t{rh}"))
            .map(|(_, v)| v.clone())
            .collect();
        let parse = |s: &str, what: &str| -> Result<Option<i64>, String> {
            if s.is_empty() {
                return Ok(None);
            }
            s.replace('.', "")
                .parse::<i64>()
                .map(Some)
                .map_err(|_| format!("{what} «{s}» không phải số"))
        };
        let input = match (parse(&score_a, "điểm A"), parse(&income, "thu nhập")) {
            (Ok(a), Ok(i)) => SurveyInput {
                score_a: a.map(|v| v as i32),
                income_per_capita: if a.is_some() { None } else { i },
                ticks,
                surveyed_by: surveyor.clone(),
                surveyed_on,
            },
            (Err(m), _) | (_, Err(m)) => {
                typed.errors.insert(rh, m);
                typed.rows.insert(rh, typed_row(rh));
                continue;
            }
        };
        match app.record_survey(&user.actor, id, rh, version, input).await {
            Ok(_) => saved += 1,
            Err(AppError::Invalid { message, .. } | AppError::Conflict(message)) => {
                typed.errors.insert(rh, message);
                typed.rows.insert(rh, typed_row(rh));
            }
            Err(other) => return Err(e(other)),
        }
    }
    if typed.errors.is_empty() {
        return Ok(see_other(&format!(
            "/reviews/{id}/survey?village={}&saved={saved}",
            component(&village)
        )));
    }
    // Rows that failed come back as typed with their message; the rows saved stay saved.
    typed.surveyor = Some(surveyor);
    typed.surveyed_on = Some(get("surveyed_on"));
    let page = survey_page(&app, lang, &user, id, Some(village), typed)
        .await
        .map_err(&e)?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// ---------------------------------------------------------------- meetings, posting, complaints

async fn meeting(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let mut fields = std::collections::HashMap::new();
    let mut minutes = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or("").to_string();
        if name == "minutes" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let kind = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| e(AppError::invalid("minutes", "không đọc được tệp biên bản")))?;
            if bytes.len() > MAX_MINUTES_BYTES {
                return Ok(crate::upload::too_large(false, lang, MAX_MINUTES_BYTES));
            }
            if !bytes.is_empty() {
                minutes = Some((file_name, kind, bytes.to_vec()));
            }
        } else if let Ok(text) = field.text().await {
            fields.insert(name, text);
        }
    }
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let number = |k: &str| {
        get(k)
            .parse::<u32>()
            .map_err(|_| AppError::invalid(k, "phải là số"))
    };
    let saved = async {
        let input = MeetingInput {
            village_code: get("village"),
            held_on: date(&get("held_on"), "held_on")?,
            attendees: number("attendees")?,
            agreeing: number("agreeing")?,
            chaired_by: Some(get("chaired_by")).filter(|s| !s.is_empty()),
            minutes,
        };
        app.record_meeting(&user.actor, id, input).await
    }
    .await;
    let passed = match saved {
        Ok(passed) => passed,
        // A refused meeting shows the review again with what was typed and the problem
        // next to its field; the minutes file is not kept and must be chosen again.
        Err(error) => {
            let refused = Refused::of(fields, error)
                .map_err(&e)?
                .field_alias("village_code", "village");
            let page = review_page(&app, lang, &user, id, &NoticeQuery::default(), refused)
                .await
                .map_err(&e)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    Ok(back(
        id,
        if passed {
            "meeting-passed"
        } else {
            "meeting-failed"
        },
    ))
}

async fn minutes(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(mid): Path<i64>,
) -> Result<Response, HtmlError> {
    // The stored media type is not trusted: `serve` decides from the bytes.
    let (name, _, bytes) = app
        .meeting_minutes(&user.actor, mid)
        .await
        .map_err(err(lang))?;
    Ok(crate::upload::serve(&name, bytes))
}

#[derive(Deserialize)]
struct PostingForm {
    version: i64,
    starts_on: String,
    #[serde(default)]
    place: String,
}

async fn posting(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<PostingForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let starts = date(&f.starts_on, "starts_on").map_err(&e)?;
    app.start_posting(&user.actor, id, f.version, starts, &f.place)
        .await
        .map_err(&e)?;
    Ok(back(id, "saved"))
}

#[derive(Deserialize)]
struct ComplaintForm {
    #[serde(default)]
    household_code: String,
    complainant: String,
    content: String,
    received_on: String,
}

async fn complaint(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ComplaintForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let view = app.review(&user.actor, id).await.map_err(&e)?;
    let household = match f.household_code.trim() {
        "" => None,
        code => Some(
            view.households
                .iter()
                .find(|h| h.household_code == code)
                .map(|h| h.household_id)
                .ok_or_else(|| {
                    e(AppError::invalid(
                        "household_code",
                        format!("hộ mã {code} không có trong đợt rà soát"),
                    ))
                })?,
        ),
    };
    let received = date(&f.received_on, "received_on").map_err(&e)?;
    app.record_complaint(
        &user.actor,
        id,
        household,
        &f.complainant,
        &f.content,
        received,
    )
    .await
    .map_err(&e)?;
    Ok(back(id, "saved"))
}

#[derive(Deserialize)]
struct ResolveForm {
    recheck_result: String,
    resolved_on: String,
    #[serde(default)]
    resurvey: Option<String>,
}

async fn resolve(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, cid)): Path<(i64, i64)>,
    Form(f): Form<ResolveForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let resolved = date(&f.resolved_on, "resolved_on").map_err(&e)?;
    app.resolve_complaint(
        &user.actor,
        id,
        cid,
        &f.recheck_result,
        resolved,
        f.resurvey.is_some(),
    )
    .await
    .map_err(&e)?;
    Ok(back(id, "saved"))
}

#[derive(Deserialize)]
struct ApproveForm {
    version: i64,
    decision_number: String,
    decision_date: String,
}

async fn approve(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ApproveForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let d = date(&f.decision_date, "decision_date").map_err(&e)?;
    app.approve_review(&user.actor, id, f.version, &f.decision_number, d)
        .await
        .map_err(&e)?;
    Ok(back(id, "approved"))
}

#[derive(Deserialize)]
struct RegularForm {
    date: String,
    channel: String,
    requester: String,
    kind: String,
}

async fn open_regular(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(hid): Path<i64>,
    Form(f): Form<RegularForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let request = RequestInput {
        date: date(&f.date, "date").map_err(&e)?,
        channel: f.channel,
        requester: f.requester,
        kind: f.kind,
    };
    let id = app
        .open_regular_review(&user.actor, hid, request)
        .await
        .map_err(&e)?;
    Ok(Redirect::to(&format!("/reviews/{id}")).into_response())
}

// ---------------------------------------------------------------- certificates, letters, calendar

pub struct CertMember {
    pub name: String,
    pub ethnicity: String,
    pub relation: String,
    pub male_year: String,
    pub female_year: String,
}

pub struct Certificate {
    pub number: String,
    pub kind_title: String,
    pub head: String,
    pub ethnicity: String,
    pub citizen_id: String,
    pub residence: String,
    pub members: Vec<CertMember>,
    pub period: i32,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "certificates.html")]
struct CertificatesPage {
    lang: Lang,
    commune: String,
    district: String,
    decision: String,
    date_line: String,
    certificates: Vec<Certificate>,
    /// The same certificates as a PDF, for the "Tải PDF" link.
    pdf_url: String,
}

impl CertificatesPage {
    /// The PDF version of the page: the same certificates, filled from the same values.
    fn pdf_docs(&self) -> Vec<CertificateDoc> {
        self.certificates
            .iter()
            .map(|c| CertificateDoc {
                district: self.district.clone(),
                commune: self.commune.clone(),
                number: c.number.clone(),
                title: c.kind_title.clone(),
                period: c.period,
                decision: self.decision.clone(),
                head: c.head.clone(),
                ethnicity: c.ethnicity.clone(),
                citizen_id: c.citizen_id.clone(),
                residence: c.residence.clone(),
                status: c.status.clone(),
                members: c
                    .members
                    .iter()
                    .map(|m| CertMemberDoc {
                        name: m.name.clone(),
                        ethnicity: m.ethnicity.clone(),
                        relation: m.relation.clone(),
                        male_year: m.male_year.clone(),
                        female_year: m.female_year.clone(),
                    })
                    .collect(),
                date_line: self.date_line.clone(),
            })
            .collect()
    }
}

/// A PDF download. The filename is plain ASCII so that every browser keeps it as given.
pub(crate) fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) fn wants_pdf(format: &Option<String>) -> bool {
    format.as_deref() == Some("pdf")
}

pub(crate) fn date_line(place: &str, d: NaiveDate) -> String {
    format!(
        "{place}, ngày {:02} tháng {:02} năm {}",
        d.day(),
        d.month(),
        d.year()
    )
}

/// The short place name of a unit for the date line ("Điền Mỹ" of "Xã Điền Mỹ").
pub(crate) fn place_name(name: &str) -> String {
    for prefix in [
        "Xã ",
        "Phường ",
        "Thị trấn ",
        "Huyện ",
        "Tỉnh ",
        "Thành phố ",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    name.to_string()
}

#[derive(Deserialize, Default)]
struct CertQuery {
    rh: Option<i64>,
    /// A village's certificates only (its code), for handing them out village by village.
    village: Option<String>,
    /// `pdf` for the PDF instead of the print-ready page.
    format: Option<String>,
}

async fn certificates(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<CertQuery>,
) -> Result<Response, HtmlError> {
    use giamngheo_domain::household::{ETHNICITIES, RELATIONS};
    let e = err(lang);
    let view = app.review(&user.actor, id).await.map_err(&e)?;
    if view.review.step != "closed" {
        return Err(e(AppError::invalid(
            "step",
            "chỉ in giấy chứng nhận sau khi có quyết định công nhận",
        )));
    }
    let chain = app.ancestry(&view.commune.code).await.map_err(&e)?;
    let name_of = |tier: &str| {
        chain
            .iter()
            .find(|u| u.tier == tier)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let mut certificates = Vec::new();
    for h in view
        .households
        .iter()
        .filter(|h| q.rh.is_none_or(|r| r == h.id))
        .filter(|h| q.village.as_deref().is_none_or(|v| v == h.village_code))
    {
        let Some(cid) = h.classification_id else {
            continue;
        };
        let Some(c) = app
            .store()
            .classification(cid)
            .await
            .map_err(|x| e(x.into()))?
        else {
            continue;
        };
        let Some(number) = c.fields.certificate_number.clone() else {
            continue;
        };
        let hv = app
            .household(&user.actor, h.household_id)
            .await
            .map_err(&e)?;
        let head = hv.members.iter().find(|m| m.fields.relation == "head");
        let poor = c.fields.status == "poor";
        certificates.push(Certificate {
            number,
            kind_title: if poor {
                "GIẤY CHỨNG NHẬN HỘ NGHÈO"
            } else {
                "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO"
            }
            .into(),
            head: hv.household.fields.head_name.clone(),
            ethnicity: head
                .map(|m| lang.label(&ETHNICITIES, Some(&m.fields.ethnicity)))
                .unwrap_or_default(),
            citizen_id: head
                .and_then(|m| m.fields.citizen_id.clone())
                .unwrap_or_else(|| "—".into()),
            residence: format!(
                "{}, {}, {}",
                hv.village.name,
                hv.commune.name,
                name_of("province")
            ),
            members: hv
                .members
                .iter()
                .map(|m| CertMember {
                    name: m.fields.full_name.clone(),
                    ethnicity: lang.label(&ETHNICITIES, Some(&m.fields.ethnicity)),
                    relation: lang.label(&RELATIONS, Some(&m.fields.relation)),
                    male_year: if m.fields.sex == "male" {
                        m.fields.birth_year.to_string()
                    } else {
                        String::new()
                    },
                    female_year: if m.fields.sex == "female" {
                        m.fields.birth_year.to_string()
                    } else {
                        String::new()
                    },
                })
                .collect(),
            period: c.fields.period,
            status: lang.status(Some(&c.fields.status)),
        });
    }
    let decided = view.review.decision_date.unwrap_or(view.today);
    let mut one = q.rh.map(|rh| format!("&rh={rh}")).unwrap_or_default();
    if let Some(v) = &q.village {
        one.push_str(&format!("&village={}", crate::headers::component(v)));
    }
    let page = CertificatesPage {
        lang,
        commune: view.commune.name.clone(),
        district: name_of("district"),
        decision: format!(
            "Quyết định số {} ngày {}",
            view.review.decision_number.clone().unwrap_or_default(),
            format::date(&decided)
        ),
        date_line: date_line(&place_name(&view.commune.name), decided),
        certificates,
        pdf_url: format!("/reviews/{id}/certificates?format=pdf{one}"),
    };
    if wants_pdf(&q.format) {
        let name = match q.rh {
            Some(rh) => format!("giay-chung-nhan-{id}-{rh}.pdf"),
            None => format!("giay-chung-nhan-{id}.pdf"),
        };
        return Ok(pdf_response(certificates_pdf(&page.pdf_docs()), &name));
    }
    Ok(page.into_response())
}

pub struct DueLine {
    /// The due date as the form sends it back (`yyyy-mm-dd`).
    pub due_iso: String,
    /// "Đã gửi ngày dd/mm/yyyy" once recorded; empty before.
    pub sent: String,
    pub label: String,
    /// The instrument that names the date, shown under its label.
    pub source: String,
    pub due: String,
    pub status: String,
    pub late: bool,
    pub open: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "reporting_calendar.html")]
struct CalendarPage {
    t: &'static T,
    r: &'static RT,
    lang: Lang,
    viewer: Option<Viewer>,
    year: i32,
    rows: Vec<DueLine>,
    today: String,
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

async fn calendar(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<CalendarPage, HtmlError> {
    let year = q.year.unwrap_or_else(|| app.clock().today().year());
    let dues = app
        .reporting_calendar(&user.actor, year)
        .await
        .map_err(err(lang))?;
    Ok(CalendarPage {
        t: lang.t(),
        r: lang.r(),
        lang,
        viewer: Some(user.viewer(lang)),
        year,
        today: format::date(&app.clock().today()),
        rows: dues
            .into_iter()
            .map(|d| DueLine {
                due_iso: d.due_on.to_string(),
                sent: d
                    .sent_on
                    .map(|on| {
                        let late = (on - d.due_on).num_days();
                        match (lang, late > 0) {
                            (Lang::Vi, false) => {
                                format!("Đã gửi ngày {}, đúng hạn", format::date(&on))
                            }
                            (Lang::Vi, true) => {
                                format!("Đã gửi ngày {}, muộn {late} ngày", format::date(&on))
                            }
                            (Lang::En, false) => format!("Sent on {}, on time", format::date(&on)),
                            (Lang::En, true) => {
                                format!("Sent on {}, {late} days late", format::date(&on))
                            }
                        }
                    })
                    .unwrap_or_default(),
                label: match lang {
                    Lang::Vi => d.label_vi,
                    Lang::En => d.label_en,
                },
                source: d.source,
                due: format::date(&d.due_on),
                late: d.sent_on.is_none()
                    && matches!(
                        d.status,
                        giamngheo_app::rules::DeadlineStatus::Overdue { .. }
                    ),
                status: lang.deadline(d.status),
                open: d.open_reviews,
            })
            .collect(),
    })
}

#[derive(Deserialize)]
struct SentForm {
    due_on: String,
    sent_on: String,
}

/// Records a report of the calendar as sent, then shows the calendar of its year.
async fn calendar_sent(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<SentForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let due_on = date(&f.due_on, "due_on").map_err(&e)?;
    let sent_on = date(&f.sent_on, "sent_on").map_err(&e)?;
    app.record_report_sent(&user.actor, due_on, sent_on)
        .await
        .map_err(&e)?;
    Ok(Redirect::to(&format!("/reviews/calendar?year={}", due_on.year())).into_response())
}
