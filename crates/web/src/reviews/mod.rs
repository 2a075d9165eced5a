//! Pages of the household review: the reviews of an area with their progress, one
//! review with the form of its current step, batch survey entry by village, meetings,
//! posting and complaints, the decision, certificates and refusal letters, and the
//! reporting calendar. The app layer decides what is allowed; these handlers render.

mod actions;
mod calendar;
mod certificates;
mod filter;
mod survey;

use actions::{
    add_request, approve, complaint, meeting, minutes, open_regular, posting, resolve, screening,
    start_meetings, start_survey,
};
use calendar::{calendar, calendar_sent};
use certificates::{certificates, certificates_issued};
pub(crate) use certificates::{pdf_response, place_name, wants_pdf};
use survey::{survey_form, survey_save};

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::form::Refused;
use crate::format;
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use crate::rv_text::RT;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use giamngheo_app::access::Action;
use giamngheo_app::reviews::ReviewView;
use giamngheo_app::{App, AppError};
use giamngheo_domain::review::{Move, Step};
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
        .route(
            "/reviews/{id}/certificates/issued",
            post(certificates_issued),
        )
        .route("/meetings/{mid}/minutes", get(minutes))
        .route("/households/{id}/regular-review", post(open_regular))
}

fn err(lang: Lang) -> impl Fn(AppError) -> HtmlError {
    move |error| HtmlError { lang, error }
}

fn date(s: &str, field: &str) -> Result<NaiveDate, AppError> {
    giamngheo_sheets::units::parse_date(s.trim()).map_err(|e| AppError::invalid(field, e))
}

/// Back to the review with `notice` when a form saved; otherwise the page again with the
/// form as typed, `place` putting it in its slot of the page.
#[allow(clippy::too_many_arguments)]
async fn saved_or_refused<T>(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    fields: std::collections::HashMap<String, String>,
    saved: Result<T, AppError>,
    notice: &str,
    place: impl FnOnce(Refused) -> ReviewForms,
) -> Result<Response, HtmlError> {
    match saved {
        Ok(_) => Ok(back(id, notice)),
        Err(error) => {
            let refused = Refused::of(fields, error).map_err(err(lang))?;
            refused_page(app, lang, user, id, place(refused)).await
        }
    }
}

/// What was typed in a form's field, trimmed; empty when the field was not sent.
fn typed(fields: &std::collections::HashMap<String, String>, name: &str) -> String {
    fields
        .get(name)
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
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
    /// The opening form as typed when it was refused (empty otherwise).
    open_form: Refused,
}

impl ListPage {
    /// The period the opening form shows: as typed, or the next period.
    fn open_period(&self) -> String {
        self.open_form
            .value_or("period", &self.next_period.to_string())
            .to_string()
    }

    /// Whether the opening form selects `standard`: as typed, or the default one.
    fn open_standard(&self, standard: &str) -> bool {
        if self.open_form.is_refused() {
            self.open_form.chose("standard", standard)
        } else {
            standard == self.default_standard
        }
    }
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
    let unit = q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    list_page(&app, lang, &user, unit, Refused::default())
        .await
        .map_err(err(lang))
}

/// The reviews of `unit` (the user's own by default), with the opening form as typed
/// when it was refused.
async fn list_page(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    unit: Option<&str>,
    open_form: Refused,
) -> Result<ListPage, AppError> {
    let rows = app.reviews(&user.actor, unit).await?;
    let r = lang.r();
    // The communes a user can open a review for: its own, or every commune below its
    // unit, whether a province holds them directly (since July 2025) or through
    // districts (a four-level list).
    let own = app.unit(&user.actor.unit_code).await?;
    let communes: Vec<(String, String)> = app
        .communes_under(&own)
        .await?
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
        open_form,
    })
}

/// Opens a periodic review; a refused one shows the list again with the form as typed
/// and the problem next to its field.
async fn open_periodic(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(fields): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| typed(&fields, k);
    let opened = async {
        let period = get("period")
            .parse::<i32>()
            .map_err(|_| AppError::invalid("period", "năm phải là số, ví dụ 2027"))?;
        app.open_periodic_review(&user.actor, &get("commune"), period, &get("standard"))
            .await
    }
    .await;
    match opened {
        Ok(id) => Ok(Redirect::to(&format!("/reviews/{id}")).into_response()),
        Err(error) => {
            let form = Refused::of(fields, error).map_err(err(lang))?;
            let page = list_page(&app, lang, &user, None, form)
                .await
                .map_err(err(lang))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
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
    /// The row's phiếu A form as typed when it was refused; empty for every other row.
    pub form: Refused,
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
    /// The row's resolve form as typed when it was refused; empty for every other row.
    pub form: Refused,
}

/// The forms of one step of the procedure on the review page, folded unless `open`.
pub struct StepForms {
    /// `listing`, `survey`, `meeting` or `posting`: which forms the template puts in.
    pub step: &'static str,
    pub label: String,
    pub current: bool,
    pub open: bool,
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
    f: &'static filter::FT,
    lang: Lang,
    viewer: Option<Viewer>,
    id: i64,
    version: i64,
    title: String,
    steps: Vec<(String, bool, bool)>,
    due: String,
    deadline: String,
    late: bool,
    /// The households of the page: those the filters keep, a page of them.
    households: Vec<HouseholdLine>,
    /// The filters with their counts, the summary and the pager.
    narrowed: filter::Narrowed,
    /// The steps' forms, the current step's first.
    groups: Vec<StepForms>,
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
    /// The request form likewise.
    request_form: Refused,
    /// The decision form likewise.
    approve_form: Refused,
    /// The posting form likewise.
    posting_form: Refused,
    /// The complaint form likewise.
    complaint_form: Refused,
}

/// The review page's forms as typed when one of them was refused; all empty for a page
/// shown fresh.
#[derive(Default)]
pub(super) struct ReviewForms {
    pub(super) meeting: Refused,
    pub(super) request: Refused,
    pub(super) approve: Refused,
    pub(super) posting: Refused,
    pub(super) complaint: Refused,
    /// The phiếu A form of one household of the review (its id in the review).
    pub(super) screening: Option<(i64, Refused)>,
    /// The resolve form of one complaint (its id).
    pub(super) resolve: Option<(i64, Refused)>,
}

/// The form of row `id` as typed when it is the refused one; empty for every other row.
fn row_form(refused: &Option<(i64, Refused)>, id: i64) -> Refused {
    match refused {
        Some((row, form)) if *row == id => form.clone(),
        _ => Refused::default(),
    }
}

/// Shows the review page again with the refused form as typed and its problem next to
/// its field; nothing was saved, so it answers 422.
pub(super) async fn refused_page(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    forms: ReviewForms,
) -> Result<Response, HtmlError> {
    let page = review_page(app, lang, user, id, &NoticeQuery::default(), forms)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

impl ReviewPage {
    /// The request form's problem when it is about no field of the form.
    fn request_general(&self) -> Option<&str> {
        self.request_form
            .general(&["household_code", "date", "channel", "requester", "kind"])
    }

    /// The decision form's problem when it is about no field of the form.
    fn approve_general(&self) -> Option<&str> {
        self.approve_form
            .general(&["decision_number", "decision_date"])
    }

    /// The posting form's problem when it is about no field of the form.
    fn posting_general(&self) -> Option<&str> {
        self.posting_form.general(&["starts_on", "place"])
    }

    /// The complaint form's problem when it is about no field of the form.
    fn complaint_general(&self) -> Option<&str> {
        self.complaint_form
            .general(&["household_code", "complainant", "content", "received_on"])
    }

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
    /// The households' filters, search and page.
    #[serde(flatten)]
    filter: filter::FilterQuery,
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
    review_page(&app, lang, &user, id, &q, ReviewForms::default())
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
    forms: ReviewForms,
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
    let mut narrowed = filter::narrow(lang, id, &view.households, &villages, &q.filter)?;
    // A refused phiếu A form comes back on its row with what was typed, whatever page or
    // filter it was sent from: the row joins the page shown when it is not on it.
    if let Some((rh, _)) = &forms.screening
        && let Some(i) = view.households.iter().position(|h| h.id == *rh)
        && !narrowed.rows.contains(&i)
    {
        narrowed.rows.insert(0, i);
    }
    let households = narrowed
        .rows
        .iter()
        .map(|i| &view.households[*i])
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
            form: row_form(&forms.screening, h.id),
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
    let g_approve = gate(&view, Move::Approve);
    let groups = step_forms(lang, step, &forms, g_approve.allowed);
    Ok(ReviewPage {
        t: lang.t(),
        r,
        f: filter::text(lang),
        narrowed,
        groups,
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
                form: row_form(&forms.resolve, c.id),
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
        g_approve,
        regular: view.review.kind == "regular",
        survey_card: crate::survey::review_card(app, lang, user, &view, q.imported.as_deref())
            .await,
        villages,
        prints: crate::review_print::review_card(lang, &view),
        meeting_form: forms.meeting,
        request_form: forms.request,
        approve_form: forms.approve,
        posting_form: forms.posting,
        complaint_form: forms.complaint,
    })
}

/// The steps whose forms the review page shows, the current one first and open. Another
/// step's forms are open when one of them was refused and is shown again with what was
/// typed, or, for the last step's, when the decision may be taken now (a review whose
/// every household failed screening is decided from its first step).
fn step_forms(lang: Lang, current: Step, forms: &ReviewForms, may_approve: bool) -> Vec<StepForms> {
    let refused = |step: Step| match step {
        Step::Listing => forms.request.is_refused(),
        Step::Meeting => forms.meeting.is_refused() || forms.posting.is_refused(),
        Step::Posting => forms.complaint.is_refused() || forms.approve.is_refused(),
        _ => false,
    };
    let mut steps: Vec<Step> = [Step::Listing, Step::Survey, Step::Meeting, Step::Posting]
        .into_iter()
        .collect();
    // Stable: the current step moves to the front, the others keep the procedure's order.
    steps.sort_by_key(|s| *s != current);
    steps
        .into_iter()
        .map(|s| StepForms {
            step: s.as_str(),
            label: lang.step(s.as_str()),
            current: s == current,
            open: s == current || refused(s) || (s == Step::Posting && may_approve),
        })
        .collect()
}
