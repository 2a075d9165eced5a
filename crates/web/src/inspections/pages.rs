//! The inspections pages: a unit's inspections of a year (with the office's plan form)
//! and an inspection's page (its record, sample and findings, with the inspecting
//! agency's forms). Every form posts back and lands on the inspection's page.

use super::{
    kind_text, method_text, reason_text, required_date, sample_choice, status_text, subject_text,
    subjects,
};
use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::headers::see_other;
use crate::i18n::{Lang, T};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use chrono::Datelike;
use giamngheo_app::inspections::{
    FindingInput, INSPECTION_FINDING_KINDS, InspectionInput, RecordInput,
};
use giamngheo_app::{App, AppError};
use giamngheo_store::AgencyRecord;
use serde::Deserialize;

fn err(lang: Lang) -> impl Fn(AppError) -> HtmlError {
    move |error| HtmlError { lang, error }
}

pub struct Choice {
    pub code: String,
    pub name: String,
}

fn choices(agencies: &[AgencyRecord]) -> Vec<Choice> {
    agencies
        .iter()
        .map(|a| Choice {
            code: a.code.clone(),
            name: a.name.clone(),
        })
        .collect()
}

/// The name of an agency among those offered, or its code when it is not among them.
fn agency_name(agencies: &[AgencyRecord], code: &str) -> String {
    agencies
        .iter()
        .find(|a| a.code == code)
        .map_or_else(|| code.to_string(), |a| a.name.clone())
}

pub struct ListRow {
    pub id: i64,
    pub planned_on: String,
    pub held_on: String,
    pub agency: String,
    pub subject: String,
    pub method: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections.html")]
pub(super) struct ListPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: String,
    unit_name: String,
    year: i32,
    rows: Vec<ListRow>,
    may_plan: bool,
    agencies: Vec<Choice>,
    subjects: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    unit: Option<String>,
    year: Option<i32>,
}

pub(super) async fn list(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, HtmlError> {
    let unit = q.unit.unwrap_or_else(|| user.actor.unit_code.clone());
    let year = q.year.unwrap_or_else(|| app.clock().today().year());
    let v = app
        .inspections_page(&user.actor, &unit, year)
        .await
        .map_err(err(lang))?;
    Ok(ListPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        rows: v
            .items
            .iter()
            .map(|r| ListRow {
                id: r.id,
                planned_on: format::date(&r.planned_on),
                held_on: r.held_on.as_ref().map(format::date).unwrap_or_default(),
                agency: agency_name(&v.agencies, &r.inspecting_agency),
                subject: subject_text(r, lang),
                method: method_text(r, lang),
            })
            .collect(),
        agencies: choices(&v.agencies),
        may_plan: v.may_plan,
        subjects: subjects(lang),
        unit: v.unit_code,
        unit_name: v.unit_name,
        year,
    })
}

#[derive(Deserialize)]
pub(super) struct PlanForm {
    unit: String,
    year: i32,
    inspecting_agency: String,
    subject_kind: String,
    #[serde(default)]
    subject_code: String,
    #[serde(default)]
    planned_on: String,
}

pub(super) async fn plan(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<PlanForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let id = app
        .plan_inspection(
            &user.actor,
            InspectionInput {
                unit_code: f.unit,
                year: f.year,
                inspecting_agency: f.inspecting_agency,
                subject_kind: f.subject_kind,
                subject_code: Some(f.subject_code),
                planned_on: required_date(&f.planned_on, "planned_on").map_err(&e)?,
            },
        )
        .await
        .map_err(&e)?;
    Ok(see_other(&format!("/inspections/{id}?done=planned")))
}

pub struct SampleLine {
    pub household_id: i64,
    /// The household's code and head, or its number when the user may not read them.
    pub household: String,
    pub readable: bool,
    pub reason: &'static str,
}

pub struct FindingLine {
    pub kind: &'static str,
    pub household: String,
    pub evidence: String,
    pub action: String,
    pub agency: String,
    pub deadline: String,
    pub status: &'static str,
    pub open: bool,
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inspection.html")]
pub(super) struct DetailPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    id: i64,
    version: i32,
    unit: String,
    unit_name: String,
    year: i32,
    agency: String,
    subject: String,
    planned_on: String,
    held_on: String,
    members: String,
    checked: String,
    method: String,
    has_sample: bool,
    sample: Vec<SampleLine>,
    findings: Vec<FindingLine>,
    may_write: bool,
    agencies: Vec<Choice>,
    kinds: Vec<(&'static str, &'static str)>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub(super) struct DetailQuery {
    done: Option<String>,
}

fn notice(done: Option<&str>, lang: Lang) -> Option<&'static str> {
    let vi = lang == Lang::Vi;
    Some(match (done?, vi) {
        ("planned", true) => "Đã lập kế hoạch kiểm tra.",
        ("recorded", true) => "Đã ghi biên bản kiểm tra.",
        ("sampled", true) => "Đã chọn mẫu hộ kiểm tra.",
        ("finding", true) => "Đã ghi phát hiện.",
        ("planned", false) => "Inspection planned.",
        ("recorded", false) => "Record saved.",
        ("sampled", false) => "Sample drawn.",
        ("finding", false) => "Finding recorded.",
        _ => return None,
    })
}

pub(super) async fn detail(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<DetailPage, HtmlError> {
    let e = err(lang);
    let v = app.inspection(&user.actor, id).await.map_err(&e)?;
    let agencies = app
        .inspection_agencies(&v.record.unit_code, v.record.year)
        .await
        .map_err(&e)?;
    let vi = lang == Lang::Vi;
    let numbered = |h: i64| {
        if vi {
            format!("Hộ số {h}")
        } else {
            format!("Household {h}")
        }
    };
    let sample: Vec<SampleLine> = v
        .households
        .iter()
        .map(|s| SampleLine {
            household_id: s.household_id,
            household: match (&s.code, &s.head_name) {
                (Some(code), Some(head)) => format!("{code} — {head}"),
                _ => numbered(s.household_id),
            },
            readable: s.code.is_some(),
            reason: reason_text(&s.reason, lang),
        })
        .collect();
    let in_sample = |h: i64| {
        sample
            .iter()
            .find(|s| s.household_id == h)
            .map_or_else(|| numbered(h), |s| s.household.clone())
    };
    let r = &v.record;
    Ok(DetailPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        id: r.id,
        version: r.version,
        unit: r.unit_code.clone(),
        unit_name: v.unit_name.clone(),
        year: r.year,
        agency: v.agency_name.clone(),
        subject: subject_text(r, lang),
        planned_on: format::date(&r.planned_on),
        held_on: r.held_on.as_ref().map(format::date).unwrap_or_default(),
        members: r.members.clone(),
        checked: r.checked.clone(),
        method: method_text(r, lang),
        has_sample: r.sample_method.is_some(),
        findings: v
            .findings
            .iter()
            .map(|f| FindingLine {
                kind: kind_text(&f.kind, lang),
                household: f.household_id.map(in_sample).unwrap_or_default(),
                evidence: giamngheo_app::policies::findings::evidence_text(f),
                action: f.required_action.clone().unwrap_or_default(),
                agency: f
                    .responsible_agency
                    .as_deref()
                    .map(|a| agency_name(&agencies, a))
                    .unwrap_or_default(),
                deadline: f.deadline.as_ref().map(format::date).unwrap_or_default(),
                status: status_text(&f.status, lang),
                open: f.status == "open",
                note: f.status_note.clone().unwrap_or_default(),
            })
            .collect(),
        sample,
        may_write: v.may_write,
        agencies: choices(&agencies),
        kinds: INSPECTION_FINDING_KINDS
            .iter()
            .map(|(k, vi_name, en)| (*k, if vi { *vi_name } else { *en }))
            .collect(),
        notice: notice(q.done.as_deref(), lang),
    })
}

#[derive(Deserialize)]
pub(super) struct RecordForm {
    version: i32,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    members: String,
    #[serde(default)]
    checked: String,
}

pub(super) async fn record(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<RecordForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    app.record_inspection(
        &user.actor,
        id,
        RecordInput {
            version: f.version,
            held_on: required_date(&f.held_on, "held_on").map_err(&e)?,
            members: f.members,
            checked: f.checked,
        },
    )
    .await
    .map_err(&e)?;
    Ok(see_other(&format!("/inspections/{id}?done=recorded")))
}

#[derive(Deserialize)]
pub(super) struct SampleForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    seed: String,
}

pub(super) async fn sample(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<SampleForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let clock_seed = app.clock().now().timestamp().unsigned_abs();
    let choice = sample_choice(&f.method, &f.size, &f.seed, clock_seed).map_err(&e)?;
    app.draw_inspection_sample(&user.actor, id, choice)
        .await
        .map_err(&e)?;
    Ok(see_other(&format!("/inspections/{id}?done=sampled")))
}

#[derive(Deserialize)]
pub(super) struct FindingForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    required_action: String,
    #[serde(default)]
    responsible_agency: String,
    #[serde(default)]
    deadline: String,
}

pub(super) async fn add_finding(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<FindingForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let household_id = match f.household_id.trim() {
        "" => None,
        h => Some(h.parse::<i64>().map_err(|_| {
            e(AppError::invalid(
                "household_id",
                format!("«{h}» không phải là số hộ"),
            ))
        })?),
    };
    app.add_inspection_finding(
        &user.actor,
        id,
        FindingInput {
            kind: f.kind,
            household_id,
            benefit_id: None,
            activity_id: None,
            evidence: f.evidence,
            required_action: f.required_action,
            responsible_agency: f.responsible_agency,
            deadline: required_date(&f.deadline, "deadline").map_err(&e)?,
        },
    )
    .await
    .map_err(&e)?;
    Ok(see_other(&format!("/inspections/{id}?done=finding")))
}
