//! `/programme/activities`: the activities of a unit and year with the form of those who
//! may record one, an activity's page (its versions, beneficiaries, disbursements and
//! correction form), and a livelihood model's evaluation on screen and as a file.

use super::activities_text::{AT, activity_text};
use super::api::file_response;
use super::parse_day;
use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::form::Refused;
use crate::format;
use crate::headers::see_other;
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use giamngheo_app::programme::{ActivityInput, ActivityView, BeneficiaryInput};
use giamngheo_app::{App, AppError};
use giamngheo_sheets::reports::{NumberKind, figure};
use serde::Deserialize;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/programme/activities", get(list).post(create))
        .route("/programme/activities/{id}", get(detail))
        .route("/programme/activities/{id}/correct", post(correct))
        .route(
            "/programme/activities/{id}/beneficiaries",
            post(add_beneficiaries),
        )
        .route(
            "/programme/activities/{id}/beneficiaries/remove",
            post(remove_beneficiary),
        )
        .route("/programme/activities/{id}/evaluation", get(evaluation))
}

/// An activity type the form offers: `project|type` and its names.
pub struct KindChoice {
    pub value: String,
    pub name: String,
}

/// An activity's line in the list, written the Vietnamese way.
pub struct ActivityRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub project: String,
    pub unit: String,
    pub dates: String,
    pub planned: String,
    pub done: String,
    pub participants: String,
    pub disbursed: String,
    pub to_confirm: bool,
    pub version_id: i64,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

fn count(n: Option<i64>, unit: &str) -> String {
    n.map(|n| format!("{} {unit}", format::number(n)))
        .unwrap_or_default()
}

fn row(a: &ActivityView) -> ActivityRow {
    ActivityRow {
        id: a.id,
        name: a.fields.name.clone(),
        kind: a.activity_type_name.clone(),
        project: a.project_name.clone(),
        unit: a.fields.unit_code.clone(),
        dates: match a.fields.end_date {
            Some(end) => format!(
                "{} – {}",
                format::date(&a.fields.start_date),
                format::date(&end)
            ),
            None => format::date(&a.fields.start_date),
        },
        planned: count(a.fields.planned_quantity, &a.quantity_unit),
        done: count(a.fields.done_quantity, &a.quantity_unit),
        participants: match a.fields.participants {
            None => String::new(),
            Some(n) => format!(
                "{} ({} nữ, {} DTTS)",
                format::number(i64::from(n)),
                format::number(i64::from(a.fields.participants_women.unwrap_or(0))),
                format::number(i64::from(a.fields.participants_minority.unwrap_or(0)))
            ),
        },
        disbursed: format::number(a.disbursed),
        to_confirm: a.to_confirm,
        version_id: a.version_id,
        reason: a.fields.reason.clone().unwrap_or_default(),
        recorded_by: a.recorded_by.clone(),
        recorded_at: a.recorded_at.clone(),
    }
}

/// The activity types of a year's structure, as `project|type` choices.
fn kinds(app: &App, year: i32, lang: Lang) -> Vec<KindChoice> {
    let vi = lang == Lang::Vi;
    app.programme()
        .structure_for(year)
        .map(|s| {
            s.activity_places()
                .map(|p| {
                    let line = p.subproject.map(|s| &s.code).unwrap_or(&p.project.code);
                    KindChoice {
                        value: format!("{line}|{}", p.activity_type.code),
                        name: format!(
                            "{} — {}",
                            line,
                            if vi {
                                &p.activity_type.name_vi
                            } else {
                                &p.activity_type.name_en
                            }
                        ),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_activities.html")]
struct ListPage {
    t: &'static T,
    a: &'static AT,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: String,
    year: i32,
    rows: Vec<ActivityRow>,
    kinds: Vec<KindChoice>,
    can_write: bool,
    today: String,
    /// The new-activity form as typed when it was refused, else empty.
    form: Refused,
}

/// The fields of the new-activity form that show their own problem; any other problem
/// is shown above the form.
const FORM_FIELDS: &[&str] = &[
    "unit",
    "kind",
    "name",
    "start_date",
    "end_date",
    "planned_quantity",
    "done_quantity",
    "place",
    "content",
    "participants",
    "participants_women",
    "participants_minority",
    "inputs",
    "audience",
    "materials",
];

impl ListPage {
    /// A problem of the refused form that is about none of its fields.
    fn form_problem(&self) -> Option<&str> {
        self.form.general(FORM_FIELDS)
    }
}

#[derive(Deserialize)]
struct ListQuery {
    unit: Option<String>,
    year: Option<i32>,
}

async fn list(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, HtmlError> {
    let (unit, year) = super::unit_and_year(&app, &user.actor, q.unit, q.year);
    list_page(&app, lang, &user, unit, year, Refused::default()).await
}

/// The list of a unit's activities of a year with the new-activity form, fresh or as
/// refused.
async fn list_page(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    unit: String,
    year: i32,
    form: Refused,
) -> Result<ListPage, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let activities = app
        .activities(&user.actor, &unit, year)
        .await
        .map_err(err)?;
    let can_write = app
        .may_write_activity(&user.actor, true)
        .await
        .map_err(err)?;
    Ok(ListPage {
        t: lang.t(),
        a: activity_text(lang),
        lang,
        viewer: Some(user.viewer(lang)),
        unit,
        year,
        rows: activities.iter().map(row).collect(),
        kinds: kinds(app, year, lang),
        can_write,
        today: format::date(&app.clock().today()),
        form,
    })
}

/// The activity form, for a new activity and for a correction.
#[derive(Deserialize)]
struct ActivityForm {
    unit: String,
    year: i32,
    /// `project|activity type`.
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    planned_quantity: String,
    #[serde(default)]
    done_quantity: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    participants_women: String,
    #[serde(default)]
    participants_minority: String,
    #[serde(default)]
    inputs: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    materials: String,
    #[serde(default)]
    version_id: i64,
    #[serde(default)]
    reason: String,
}

impl ActivityForm {
    /// The form's fields as typed, to show a refused form again.
    fn typed(&self) -> std::collections::HashMap<String, String> {
        [
            ("unit", &self.unit),
            ("kind", &self.kind),
            ("name", &self.name),
            ("start_date", &self.start_date),
            ("end_date", &self.end_date),
            ("planned_quantity", &self.planned_quantity),
            ("done_quantity", &self.done_quantity),
            ("place", &self.place),
            ("content", &self.content),
            ("participants", &self.participants),
            ("participants_women", &self.participants_women),
            ("participants_minority", &self.participants_minority),
            ("inputs", &self.inputs),
            ("audience", &self.audience),
            ("materials", &self.materials),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }
}

fn some(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// An optional whole number typed in a form (`1.500` is read as 1500).
fn whole<N: std::str::FromStr>(field: &str, text: &str) -> Result<Option<N>, AppError> {
    let digits: String = text.trim().chars().filter(|c| *c != '.').collect();
    if digits.is_empty() {
        return Ok(None);
    }
    digits
        .parse::<N>()
        .map(Some)
        .map_err(|_| AppError::invalid(field, format!("«{}» không phải số nguyên", text.trim())))
}

fn input_of(f: &ActivityForm) -> Result<ActivityInput, AppError> {
    let (project, activity_type) = f
        .kind
        .split_once('|')
        .ok_or_else(|| AppError::invalid("kind", "cần chọn loại hoạt động"))?;
    Ok(ActivityInput {
        unit: f.unit.trim().to_string(),
        year: f.year,
        project: project.to_string(),
        activity_type: activity_type.to_string(),
        name: f.name.clone(),
        start_date: parse_day("start_date", &f.start_date)?,
        end_date: match some(&f.end_date) {
            Some(d) => Some(parse_day("end_date", &d)?),
            None => None,
        },
        planned_quantity: whole("planned_quantity", &f.planned_quantity)?,
        done_quantity: whole("done_quantity", &f.done_quantity)?,
        place: some(&f.place),
        content: some(&f.content),
        participants: whole("participants", &f.participants)?,
        participants_women: whole("participants_women", &f.participants_women)?,
        participants_minority: whole("participants_minority", &f.participants_minority)?,
        inputs: some(&f.inputs),
        audience: some(&f.audience),
        materials: some(&f.materials),
    })
}

async fn create(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<ActivityForm>,
) -> Result<Response, HtmlError> {
    let saved = match input_of(&f) {
        Ok(input) => app.record_activity(&user.actor, &input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(id) => Ok(see_other(&format!("/programme/activities/{id}?saved=1"))),
        // Refused: the list again with the form as typed and the problem next to its
        // field; nothing was saved. The app names the budget line and the activity type
        // separately, the form chooses both in `kind`.
        Err(error) => {
            let form = Refused::of(f.typed(), error)
                .map_err(|error| HtmlError { lang, error })?
                .field_alias("project", "kind")
                .field_alias("activity_type", "kind");
            let page =
                list_page(&app, lang, &user, f.unit.trim().to_string(), f.year, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn correct(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ActivityForm>,
) -> Result<Response, HtmlError> {
    let saved = match input_of(&f) {
        Ok(input) => {
            app.correct_activity(&user.actor, id, f.version_id, &input, &f.reason)
                .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/programme/activities/{id}?saved=1"))),
        // Refused: the activity's page again with the correction as typed and the
        // problem next to its field; nothing was saved.
        Err(error) => {
            let mut typed = f.typed();
            typed.insert("reason".into(), f.reason.clone());
            let form = Refused::of(typed, error)
                .map_err(|error| HtmlError { lang, error })?
                .field_alias("project", "kind")
                .field_alias("activity_type", "kind");
            let page = detail_page(&app, lang, &user, id, false, form).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A beneficiary on the list, for the page.
pub struct BeneficiaryRow {
    pub commune: String,
    pub household: String,
    pub head: String,
    pub member: String,
    pub added_by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_activity.html")]
struct DetailPage {
    t: &'static T,
    a: &'static AT,
    /// The text of the list import and its queue.
    qt: &'static super::beneficiary_imports::QT,
    lang: Lang,
    viewer: Option<Viewer>,
    activity: ActivityRow,
    view: ActivityView,
    form_kind: String,
    start: String,
    end: String,
    history: Vec<ActivityRow>,
    beneficiaries: Vec<BeneficiaryRow>,
    /// The activity's cost by funding source (name, VND written the Vietnamese way).
    costs: Vec<(String, String)>,
    kinds: Vec<KindChoice>,
    can_write: bool,
    saved: bool,
    /// The correction form as typed when it was refused, else empty.
    correction: Refused,
}

#[derive(Deserialize)]
struct DetailQuery {
    saved: Option<String>,
}

fn opt(n: Option<impl ToString>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

async fn detail(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<DetailPage, HtmlError> {
    detail_page(&app, lang, &user, id, q.saved.is_some(), Refused::default()).await
}

/// An activity's page, with its correction form fresh or as refused.
async fn detail_page(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    saved: bool,
    correction: Refused,
) -> Result<DetailPage, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let view = app.activity(&user.actor, id).await.map_err(err)?;
    let history = app.activity_history(&user.actor, id).await.map_err(err)?;
    let beneficiaries = app
        .beneficiaries(&user.actor, id)
        .await
        .map_err(err)?
        .into_iter()
        .map(|b| BeneficiaryRow {
            commune: b.commune,
            household: b.household_code.unwrap_or_default(),
            head: b.head_name.unwrap_or_default(),
            member: b.member_name.unwrap_or_default(),
            added_by: b.added_by,
        })
        .collect();
    let vi = lang == Lang::Vi;
    let costs = app
        .activity_cost_by_source(&user.actor, id)
        .await
        .map_err(err)?
        .into_iter()
        .map(|c| {
            let name = if vi { c.source_name } else { c.source_name_en };
            (name, format::number(c.disbursed))
        })
        .collect();
    let can_write = app
        .may_write_activity(&user.actor, view.livelihood_model)
        .await
        .map_err(err)?;
    Ok(DetailPage {
        t: lang.t(),
        a: activity_text(lang),
        qt: super::queue_text(lang),
        lang,
        viewer: Some(user.viewer(lang)),
        activity: row(&view),
        form_kind: format!("{}|{}", view.fields.project, view.fields.activity_type),
        start: format::date(&view.fields.start_date),
        end: view
            .fields
            .end_date
            .map(|d| format::date(&d))
            .unwrap_or_default(),
        history: history.iter().map(row).collect(),
        beneficiaries,
        costs,
        kinds: kinds(app, view.fields.year, lang),
        can_write,
        saved,
        correction,
        view,
    })
}

/// Values of a planned or done quantity, participants… as the form shows them again.
impl DetailPage {
    /// What the correction form shows in `field`: what was typed when it was refused,
    /// else the activity's current value.
    fn typed(&self, field: &str) -> String {
        if self.correction.is_refused() {
            return self.correction.value(field).to_string();
        }
        match field {
            "unit" => self.view.fields.unit_code.clone(),
            "name" => self.view.fields.name.clone(),
            "start_date" => self.start.clone(),
            "end_date" => self.end.clone(),
            "reason" => String::new(),
            other => self.value(other),
        }
    }

    /// Whether the correction form's kind select shows `option` chosen.
    fn kind_chosen(&self, option: &str) -> bool {
        if self.correction.is_refused() {
            self.correction.chose("kind", option)
        } else {
            option == self.form_kind
        }
    }

    /// A refusal of the correction that is about none of its fields: the correction form
    /// has the new-activity form's fields and its reason.
    fn correction_problem(&self) -> Option<&str> {
        match self.correction.error("reason") {
            Some(_) => None,
            None => self.correction.general(FORM_FIELDS),
        }
    }

    fn value(&self, field: &str) -> String {
        let v = &self.view;
        match field {
            "planned_quantity" => opt(v.fields.planned_quantity),
            "done_quantity" => opt(v.fields.done_quantity),
            "participants" => opt(v.fields.participants),
            "participants_women" => opt(v.fields.participants_women),
            "participants_minority" => opt(v.fields.participants_minority),
            "place" => v.fields.place.clone().unwrap_or_default(),
            "content" => v.fields.content.clone().unwrap_or_default(),
            "inputs" => v.fields.inputs.clone().unwrap_or_default(),
            "audience" => v.fields.audience.clone().unwrap_or_default(),
            "materials" => v.fields.materials.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

#[derive(Deserialize)]
struct BeneficiaryForm {
    #[serde(default)]
    commune: String,
    #[serde(default)]
    codes: String,
    #[serde(default)]
    whole_commune: Option<String>,
    #[serde(default)]
    household: String,
    #[serde(default)]
    reason: String,
}

/// The lines of the codes box: `code` or `code; member position`.
fn lines_of(f: &BeneficiaryForm) -> Result<Vec<BeneficiaryInput>, AppError> {
    let mut lines = Vec::new();
    for (i, text) in f.codes.lines().enumerate() {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let (code, position) = match text.split_once(';') {
            Some((code, position)) => {
                let position = position.trim().parse::<i32>().map_err(|_| {
                    AppError::invalid(
                        "codes",
                        format!(
                            "dòng {}: «{}» không phải số thứ tự thành viên",
                            i + 1,
                            position.trim()
                        ),
                    )
                })?;
                (code.trim(), Some(position))
            }
            None => (text, None),
        };
        lines.push(BeneficiaryInput {
            household_code: Some(code.to_string()),
            member_position: position,
            commune: f.commune.trim().to_string(),
        });
    }
    if f.whole_commune.is_some() {
        lines.push(BeneficiaryInput {
            household_code: None,
            member_position: None,
            commune: f.commune.trim().to_string(),
        });
    }
    Ok(lines)
}

async fn add_beneficiaries(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<BeneficiaryForm>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let lines = lines_of(&f).map_err(err)?;
    app.change_beneficiaries(&user.actor, id, &lines, false, None)
        .await
        .map_err(err)?;
    Ok(see_other(&format!("/programme/activities/{id}?saved=1")))
}

async fn remove_beneficiary(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<BeneficiaryForm>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let line = BeneficiaryInput {
        household_code: some(&f.household),
        member_position: None,
        commune: f.commune.trim().to_string(),
    };
    app.change_beneficiaries(&user.actor, id, &[line], true, Some(&f.reason))
        .await
        .map_err(err)?;
    Ok(see_other(&format!("/programme/activities/{id}?saved=1")))
}

/// A group of the evaluation, written the Vietnamese way.
pub struct GroupRow {
    pub label: String,
    pub in_model: bool,
    pub households: String,
    pub cells: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_evaluation.html")]
struct EvaluationPage {
    t: &'static T,
    a: &'static AT,
    lang: Lang,
    viewer: Option<Viewer>,
    id: i64,
    name: String,
    year: i32,
    unit_name: String,
    years: Vec<i32>,
    groups: Vec<GroupRow>,
    not_followed: String,
}

#[derive(Deserialize)]
struct EvaluationQuery {
    format: Option<String>,
}

async fn evaluation(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<EvaluationQuery>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let e = app.model_evaluation(&user.actor, id).await.map_err(err)?;
    if let Some(format) = q.format.as_deref() {
        let sheet = e.to_sheet(app.clock().today(), &app.config().wording);
        return file_response(&sheet, format, &format!("danh-gia-mo-hinh-{id}")).map_err(err);
    }
    let a = activity_text(lang);
    let groups = e
        .groups
        .iter()
        .map(|g| GroupRow {
            label: if g.start_status == "poor" {
                a.poor
            } else {
                a.near_poor
            }
            .to_string(),
            in_model: g.in_model,
            households: format::number(g.households as i64),
            cells: g
                .escaped
                .iter()
                .zip(g.rates())
                .map(|(n, r)| match n {
                    Some(n) => (format::number(*n as i64), figure(r, NumberKind::Rate)),
                    None => (a.no_data.to_string(), String::new()),
                })
                .collect(),
        })
        .collect();
    Ok(EvaluationPage {
        t: lang.t(),
        a,
        lang,
        viewer: Some(user.viewer(lang)),
        id,
        years: (1..=giamngheo_app::programme::evaluation::FOLLOW_UP_YEARS as i32)
            .map(|k| e.year + k)
            .collect(),
        name: e.name,
        year: e.year,
        unit_name: e.unit_name,
        groups,
        not_followed: format::number(e.participants_not_followed as i64),
    }
    .into_response())
}
