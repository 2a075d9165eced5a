//! Pages of the household registry: the list with search, a household with its members
//! and history, the edit form, moves, splits and merges, imports and possible
//! duplicates. Access is decided by the app layer; these handlers only render.

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::hh_problems::FieldProblems;
use crate::hh_text::HT;
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use giamngheo_app::access::Action;
use giamngheo_app::households::{By, HouseholdView};
use giamngheo_app::{App, AppError};
use giamngheo_domain::household::{
    Choice, ChoiceList, CitizenId, DISABILITIES, ETHNICITIES, HouseholdDraft, LATRINES, MATERIALS,
    MemberDraft, NUTRITION, RELATIONS, SCHOOL_LEVELS, Sex, WATER_SOURCES, WORK_STATUSES,
};
use serde::Deserialize;

mod changes;
mod edit;

use changes::*;
pub(crate) use edit::*;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/households", get(crate::hh_list::list).post(create))
        .route("/households/new", get(crate::hh_new::new_form))
        .route("/households/import", get(import_page).post(import_upload))
        .route("/households/template.xlsx", get(template_xlsx))
        .route("/households/template.csv", get(template_csv))
        .route("/households/duplicates", get(duplicates))
        .route("/households/{id}", get(show).post(update))
        .route("/households/{id}/edit", get(edit_form))
        .route("/households/{id}/move-member", post(move_member))
        .route("/households/{id}/split", post(split))
        .route("/households/{id}/merge", post(merge))
}

fn html_err(lang: Lang) -> impl Fn(AppError) -> HtmlError {
    move |error| HtmlError { lang, error }
}

// ---------------------------------------------------------------- one household

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub sex: &'static str,
    pub birth: String,
    pub ethnicity: String,
    pub relation: String,
    pub citizen_id: String,
    pub insurance: String,
    pub school: String,
    pub work: String,
    pub is_head: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "household.html")]
struct HouseholdPage {
    t: &'static T,
    h: &'static HT,
    lang: Lang,
    viewer: Option<Viewer>,
    id: i64,
    version: i64,
    code: String,
    head: String,
    village_code: String,
    village_name: String,
    commune_code: String,
    commune_name: String,
    active: bool,
    facts: Vec<Fact>,
    members: Vec<MemberRow>,
    history: Vec<crate::audit::HistoryRow>,
    can_write: bool,
    notice: Option<String>,
    relations: &'static [Choice],
    r: &'static crate::rv_text::RT,
    statuses: Vec<StatusRow>,
    today: String,
    /// The benefits section; `None` when the actor may not read the household's benefits.
    benefits: Option<crate::policies::benefits::BenefitsSection>,
    /// The regular review request as typed when it was refused (empty otherwise).
    regular_form: crate::form::Refused,
}

/// A household's classification for a period, as the status history shows it.
pub struct StatusRow {
    pub period: i32,
    pub status: String,
    pub standard: String,
    /// Whether the standard still has figures or indicators to confirm, shown as a mark
    /// beside its id with a link to its sources on the standards page.
    pub standard_to_confirm: bool,
    pub kind: String,
    pub transition: String,
    pub decision: String,
    /// The review that decided it, linked from the decision (issue 15: each household's
    /// history links to the review that decided it); none for a correction or an import.
    pub review: Option<i64>,
    pub certificate: String,
    pub reasons: String,
    pub superseded: bool,
}

fn yes_no(h: &HT, v: bool) -> String {
    if v { h.yes } else { h.no }.to_string()
}

fn opt_number(v: Option<i32>) -> String {
    v.map(|v| format::number(v as i64))
        .unwrap_or_else(|| "—".into())
}

fn birth_text(date: Option<NaiveDate>, year: i32) -> String {
    match date {
        Some(d) => format::date(&d),
        None => year.to_string(),
    }
}

/// The words for a movement between periods (hộ thoát nghèo, hộ tái nghèo, …).
fn transition_label(lang: Lang) -> impl Fn(&str) -> String {
    use giamngheo_app::rules::TransitionKind::*;
    move |code: &str| {
        let kind = [
            NewlyPoor,
            FellBack,
            EscapedPoverty,
            EscapedNearPoverty,
            PoorToNearPoor,
            NearPoorToPoor,
            NewNearPoor,
            Unchanged,
        ]
        .into_iter()
        .find(|k| k.as_str() == code);
        match (kind, lang) {
            (Some(k), Lang::Vi) => k.label_vi().to_string(),
            (Some(k), Lang::En) => k.label_en().to_string(),
            (None, _) => code.to_string(),
        }
    }
}

fn facts(lang: Lang, v: &HouseholdView) -> Vec<Fact> {
    let h = lang.h();
    let f = &v.household.fields;
    let mut info = Vec::new();
    for (on, label) in [
        (f.has_tv, h.tv),
        (f.has_radio, h.radio),
        (f.has_computer, h.computer),
        (f.has_smartphone, h.smartphone),
        (f.loudspeaker, h.loudspeaker),
    ] {
        if on {
            info.push(label);
        }
    }
    vec![
        Fact {
            label: h.address,
            value: f.address.clone(),
        },
        Fact {
            label: h.phone,
            value: f.phone.clone().unwrap_or_else(|| "—".into()),
        },
        Fact {
            label: h.area,
            value: lang.area(Some(&f.area)).to_string(),
        },
        Fact {
            label: h.ethnic_minority,
            value: yes_no(h, f.ethnic_minority),
        },
        Fact {
            label: h.female_headed,
            value: yes_no(h, f.female_headed),
        },
        Fact {
            label: h.merit,
            value: yes_no(h, f.merit),
        },
        Fact {
            label: h.social_allowance,
            value: yes_no(h, f.social_allowance),
        },
        Fact {
            label: h.floor_area,
            value: opt_number(f.floor_area_m2),
        },
        Fact {
            label: h.wall,
            value: lang.label(&MATERIALS, f.wall_material.as_deref()),
        },
        Fact {
            label: h.column,
            value: lang.label(&MATERIALS, f.column_material.as_deref()),
        },
        Fact {
            label: h.roof,
            value: lang.label(&MATERIALS, f.roof_material.as_deref()),
        },
        Fact {
            label: h.water,
            value: lang.label(&WATER_SOURCES, f.water_source.as_deref()),
        },
        Fact {
            label: h.latrine,
            value: lang.label(&LATRINES, f.latrine.as_deref()),
        },
        Fact {
            label: h.information,
            value: if info.is_empty() {
                "—".into()
            } else {
                info.join(", ")
            },
        },
        Fact {
            label: h.land,
            value: opt_number(f.production_land_m2),
        },
        Fact {
            label: h.notes,
            value: if f.notes.is_empty() {
                "—".into()
            } else {
                f.notes.clone()
            },
        },
    ]
}

fn member_rows(lang: Lang, v: &HouseholdView) -> Vec<MemberRow> {
    let h = lang.h();
    v.members
        .iter()
        .map(|m| {
            let f = &m.fields;
            let insurance = match (&f.health_insurance_number, f.health_insurance_expiry) {
                (Some(n), Some(e)) => format!("{n} (đến {})", format::date(&e)),
                (Some(n), None) => n.clone(),
                _ => "—".into(),
            };
            let school = match (&f.school_level, f.school_grade) {
                (Some(l), Some(g)) if l != "none" => format!(
                    "{} ({} {g})",
                    lang.label(&SCHOOL_LEVELS, Some(l)),
                    h.school_grade
                ),
                (Some(l), _) if l != "none" => lang.label(&SCHOOL_LEVELS, Some(l)),
                _ => lang.label(&SCHOOL_LEVELS, f.qualification.as_deref()),
            };
            MemberRow {
                id: m.id,
                name: f.full_name.clone(),
                sex: if f.sex == "female" { h.female } else { h.male },
                birth: birth_text(f.birth_date, f.birth_year),
                ethnicity: lang.label(&ETHNICITIES, Some(&f.ethnicity)),
                relation: lang.label(&RELATIONS, Some(&f.relation)),
                citizen_id: f.citizen_id.clone().unwrap_or_else(|| "—".into()),
                insurance,
                school,
                work: lang.label(&WORK_STATUSES, f.work_status.as_deref()),
                is_head: f.relation == "head",
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    saved: Option<u8>,
    created: Option<u8>,
}

async fn show(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<HouseholdPage, HtmlError> {
    let h = lang.h();
    let notice = if q.created.is_some() {
        Some(h.created.to_string())
    } else if q.saved.is_some() {
        Some(h.saved.to_string())
    } else {
        None
    };
    page(&app, lang, &user, id, notice).await
}

/// A form of the household page refused by the app, to show again as typed.
pub(crate) enum RefusedForm {
    /// The benefit entry form of the benefits section.
    Benefit(crate::form::Refused),
    /// The request for a regular review.
    RegularReview(crate::form::Refused),
}

/// The household page again with the refused form as typed and the problem next to its
/// field (422); nothing was saved.
pub(crate) async fn with_refused(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    form: RefusedForm,
) -> Response {
    match page(app, lang, user, id, None).await {
        Ok(mut page) => {
            match form {
                RefusedForm::Benefit(form) => {
                    if let Some(b) = page.benefits.as_mut() {
                        b.form = form;
                    }
                }
                RefusedForm::RegularReview(form) => page.regular_form = form,
            }
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// The household page with its history, statuses and benefits.
async fn page(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    notice: Option<String>,
) -> Result<HouseholdPage, HtmlError> {
    let err = html_err(lang);
    let view = app.household(&user.actor, id).await.map_err(&err)?;
    let history = app.household_history(&user.actor, id).await.map_err(&err)?;
    let classifications = app
        .household_statuses(&user.actor, id)
        .await
        .map_err(&err)?;
    let superseded: Vec<i64> = classifications
        .iter()
        .filter_map(|c| c.fields.supersedes)
        .collect();
    let statuses = classifications
        .iter()
        .map(|c| StatusRow {
            period: c.fields.period,
            status: lang.status(Some(&c.fields.status)),
            standard: c.fields.standard.clone(),
            standard_to_confirm: app
                .config()
                .standards
                .get(&c.fields.standard)
                .is_some_and(crate::standard_view::to_confirm),
            kind: c.fields.kind.clone(),
            transition: c
                .fields
                .transition
                .as_deref()
                .map(transition_label(lang))
                .unwrap_or_default(),
            decision: match (&c.fields.decision_number, c.fields.decision_date) {
                (Some(n), Some(d)) => format!("{n}, {}", format::date(&d)),
                _ => c.fields.correction_reason.clone().unwrap_or_default(),
            },
            review: c.fields.review_id,
            certificate: c.fields.certificate_number.clone().unwrap_or_default(),
            reasons: c.fields.reasons.clone(),
            superseded: superseded.contains(&c.id),
        })
        .collect();
    let members = member_rows(lang, &view);
    let names: Vec<(i64, String)> = members.iter().map(|m| (m.id, m.name.clone())).collect();
    let benefits = crate::policies::benefits::section(app, &user.actor, id, &names, lang)
        .await
        .map_err(&err)?;
    let h = lang.h();
    Ok(HouseholdPage {
        t: lang.t(),
        h,
        lang,
        viewer: Some(user.viewer(lang)),
        id,
        version: view.household.version,
        code: view.household.fields.code.clone(),
        head: view.household.fields.head_name.clone(),
        village_code: view.village.code.clone(),
        village_name: view.village.name.clone(),
        commune_code: view.commune.code.clone(),
        commune_name: view.commune.name.clone(),
        active: view.household.active,
        facts: facts(lang, &view),
        members,
        history: crate::audit::history_rows(lang, &history),
        can_write: view.can_write && view.household.active,
        notice,
        relations: RELATIONS.choices,
        r: lang.r(),
        statuses,
        today: format::date(&app.clock().today()),
        benefits,
        regular_form: crate::form::Refused::default(),
    })
}
