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
            certificate: c.fields.certificate_number.clone().unwrap_or_default(),
            reasons: c.fields.reasons.clone(),
            superseded: superseded.contains(&c.id),
        })
        .collect();
    let members = member_rows(lang, &view);
    let names: Vec<(i64, String)> = members.iter().map(|m| (m.id, m.name.clone())).collect();
    let benefits = crate::policies::benefits::section(&app, &user.actor, id, &names, lang)
        .await
        .map_err(&err)?;
    let h = lang.h();
    let notice = if q.created.is_some() {
        Some(h.created.to_string())
    } else if q.saved.is_some() {
        Some(h.saved.to_string())
    } else {
        None
    };
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
    })
}

// ---------------------------------------------------------------- the form

/// A member row of the form, as text (what was typed comes back on an error).
#[derive(Default, Clone)]
pub struct MemberForm {
    pub index: usize,
    pub id: String,
    pub full_name: String,
    pub sex: String,
    pub birth: String,
    pub ethnicity: String,
    pub relation: String,
    pub citizen_id: String,
    pub citizen_id_masked: String,
    pub hi_number: String,
    pub hi_expiry: String,
    pub school_level: String,
    pub school_grade: String,
    pub qualification: String,
    pub work_status: String,
    pub labour_contract: bool,
    pub disability: String,
    pub allowance: String,
    pub nutrition: String,
    pub uses_internet: bool,
    pub remove: bool,
}

/// The household part of the form, as text.
#[derive(Default, Clone)]
pub struct HouseholdForm {
    pub code: String,
    pub village_code: String,
    pub address: String,
    pub phone: String,
    pub area: String,
    pub merit: bool,
    pub social_allowance: bool,
    pub floor_area: String,
    pub wall: String,
    pub column: String,
    pub roof: String,
    pub water: String,
    pub latrine: String,
    pub tv: bool,
    pub radio: bool,
    pub computer: bool,
    pub smartphone: bool,
    pub loudspeaker: bool,
    pub land: String,
    pub notes: String,
    pub reason: String,
}

pub struct Select {
    pub name: String,
    pub label: &'static str,
    pub selected: String,
    pub options: Vec<(&'static str, &'static str)>,
    pub allow_empty: bool,
}

fn select(
    lang: Lang,
    name: String,
    label: &'static str,
    list: &ChoiceList,
    selected: &str,
    allow_empty: bool,
) -> Select {
    Select {
        name,
        label,
        selected: selected.to_string(),
        options: list
            .choices
            .iter()
            .map(|c| (c.code, lang.choice(c)))
            .collect(),
        allow_empty,
    }
}

pub struct MemberFormView {
    pub m: MemberForm,
    pub selects: Vec<Select>,
}

#[derive(Template, WebTemplate)]
#[template(path = "household_form.html")]
pub(crate) struct FormPage {
    t: &'static T,
    h: &'static HT,
    lang: Lang,
    viewer: Option<Viewer>,
    title: String,
    action: String,
    cancel: String,
    version: i64,
    f: HouseholdForm,
    villages: Vec<(String, String)>,
    house_selects: Vec<Select>,
    members: Vec<MemberFormView>,
    error: Option<String>,
    /// The problems of a refused form, shown next to their inputs.
    problems: FieldProblems,
    is_new: bool,
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| format::date(&d)).unwrap_or_default()
}

fn form_of(view: &HouseholdView) -> (HouseholdForm, Vec<MemberForm>) {
    let f = &view.household.fields;
    let hf = HouseholdForm {
        code: f.code.clone(),
        village_code: f.village_code.clone(),
        address: f.address.clone(),
        phone: f.phone.clone().unwrap_or_default(),
        area: if f.area_overridden {
            f.area.clone()
        } else {
            String::new()
        },
        merit: f.merit,
        social_allowance: f.social_allowance,
        floor_area: f.floor_area_m2.map(|v| v.to_string()).unwrap_or_default(),
        wall: f.wall_material.clone().unwrap_or_default(),
        column: f.column_material.clone().unwrap_or_default(),
        roof: f.roof_material.clone().unwrap_or_default(),
        water: f.water_source.clone().unwrap_or_default(),
        latrine: f.latrine.clone().unwrap_or_default(),
        tv: f.has_tv,
        radio: f.has_radio,
        computer: f.has_computer,
        smartphone: f.has_smartphone,
        loudspeaker: f.loudspeaker,
        land: f
            .production_land_m2
            .map(|v| v.to_string())
            .unwrap_or_default(),
        notes: f.notes.clone(),
        reason: String::new(),
    };
    let members = view
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let f = &m.fields;
            let shown = f.citizen_id.clone().unwrap_or_default();
            let masked = shown.contains('*');
            MemberForm {
                index: i,
                id: m.id.to_string(),
                full_name: f.full_name.clone(),
                sex: f.sex.clone(),
                birth: match f.birth_date {
                    Some(d) => format::date(&d),
                    None => f.birth_year.to_string(),
                },
                ethnicity: f.ethnicity.clone(),
                relation: f.relation.clone(),
                citizen_id: if masked { String::new() } else { shown.clone() },
                citizen_id_masked: if masked { shown } else { String::new() },
                hi_number: f.health_insurance_number.clone().unwrap_or_default(),
                hi_expiry: date_text(f.health_insurance_expiry),
                school_level: f.school_level.clone().unwrap_or_default(),
                school_grade: f.school_grade.map(|g| g.to_string()).unwrap_or_default(),
                qualification: f.qualification.clone().unwrap_or_default(),
                work_status: f.work_status.clone().unwrap_or_default(),
                labour_contract: f.labour_contract,
                disability: f.disability.clone().unwrap_or_default(),
                allowance: if f.social_allowance_vnd == 0 {
                    String::new()
                } else {
                    f.social_allowance_vnd.to_string()
                },
                nutrition: f.nutrition.clone().unwrap_or_default(),
                uses_internet: f.uses_internet,
                remove: false,
            }
        })
        .collect();
    (hf, members)
}

fn member_views(lang: Lang, members: Vec<MemberForm>) -> Vec<MemberFormView> {
    let h = lang.h();
    members
        .into_iter()
        .map(|m| {
            let i = m.index;
            let selects = vec![
                select(
                    lang,
                    format!("m{i}.ethnicity"),
                    h.ethnicity,
                    &ETHNICITIES,
                    &m.ethnicity,
                    false,
                ),
                select(
                    lang,
                    format!("m{i}.relation"),
                    h.relation,
                    &RELATIONS,
                    &m.relation,
                    false,
                ),
                select(
                    lang,
                    format!("m{i}.school_level"),
                    h.school_level,
                    &SCHOOL_LEVELS,
                    &m.school_level,
                    true,
                ),
                select(
                    lang,
                    format!("m{i}.qualification"),
                    h.qualification,
                    &SCHOOL_LEVELS,
                    &m.qualification,
                    true,
                ),
                select(
                    lang,
                    format!("m{i}.work_status"),
                    h.work_status,
                    &WORK_STATUSES,
                    &m.work_status,
                    true,
                ),
                select(
                    lang,
                    format!("m{i}.disability"),
                    h.disability,
                    &DISABILITIES,
                    &m.disability,
                    true,
                ),
                select(
                    lang,
                    format!("m{i}.nutrition"),
                    h.nutrition,
                    &NUTRITION,
                    &m.nutrition,
                    true,
                ),
            ];
            MemberFormView { m, selects }
        })
        .collect()
}

fn house_selects(lang: Lang, f: &HouseholdForm) -> Vec<Select> {
    let h = lang.h();
    vec![
        select(
            lang,
            "wall_material".into(),
            h.wall,
            &MATERIALS,
            &f.wall,
            true,
        ),
        select(
            lang,
            "column_material".into(),
            h.column,
            &MATERIALS,
            &f.column,
            true,
        ),
        select(
            lang,
            "roof_material".into(),
            h.roof,
            &MATERIALS,
            &f.roof,
            true,
        ),
        select(
            lang,
            "water_source".into(),
            h.water,
            &WATER_SOURCES,
            &f.water,
            true,
        ),
        select(
            lang,
            "latrine".into(),
            h.latrine,
            &LATRINES,
            &f.latrine,
            true,
        ),
    ]
}

/// The villages a household can be placed in: those of the household's commune, or of
/// the user's commune or village.
pub(crate) async fn village_options(
    app: &App,
    commune: &str,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(app
        .children(Some(commune))
        .await?
        .into_iter()
        .filter(|u| u.tier == "village")
        .map(|u| (u.code, u.name))
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn form_page(
    lang: Lang,
    user: &CurrentUser,
    title: String,
    action: String,
    cancel: String,
    version: i64,
    f: HouseholdForm,
    mut members: Vec<MemberForm>,
    villages: Vec<(String, String)>,
    problems: Option<FieldProblems>,
    is_new: bool,
) -> FormPage {
    let problems = problems.unwrap_or_default();
    // One blank row lets the user add a member without another round trip.
    if !members
        .iter()
        .any(|m| m.id.is_empty() && !m.full_name.is_empty())
        || members.is_empty()
    {
        let index = members.iter().map(|m| m.index + 1).max().unwrap_or(0);
        members.push(MemberForm {
            index,
            ethnicity: "01".into(),
            relation: if members.is_empty() {
                "head".into()
            } else {
                "child".into()
            },
            sex: "male".into(),
            ..Default::default()
        });
    }
    FormPage {
        t: lang.t(),
        h: lang.h(),
        lang,
        viewer: Some(user.viewer(lang)),
        title,
        action,
        cancel,
        version,
        house_selects: house_selects(lang, &f),
        f,
        villages,
        members: member_views(lang, members),
        error: (!problems.is_empty()).then(|| problems.summary(lang.h())),
        problems,
        is_new,
    }
}

async fn edit_form(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<FormPage, HtmlError> {
    let err = html_err(lang);
    let view = app.household(&user.actor, id).await.map_err(&err)?;
    if !view.can_write {
        return Err(err(AppError::Forbidden("sửa hộ".into())));
    }
    let (f, members) = form_of(&view);
    let villages = village_options(&app, &view.commune.code)
        .await
        .map_err(&err)?;
    Ok(form_page(
        lang,
        &user,
        format!(
            "{} {} — {}",
            lang.h().edit,
            view.household.fields.code,
            view.household.fields.head_name
        ),
        format!("/households/{id}"),
        format!("/households/{id}"),
        view.household.version,
        f,
        members,
        villages,
        None,
        false,
    ))
}

/// The commune whose villages a new household may go to: the village's commune when one
/// is given, else the user's own commune (or the commune of the user's village).
pub(crate) async fn commune_for(
    app: &App,
    user: &CurrentUser,
    village: Option<&str>,
) -> Result<String, AppError> {
    let start = village.unwrap_or(&user.actor.unit_code);
    let chain = app.ancestry(start).await?;
    chain
        .iter()
        .rev()
        .find(|u| u.tier == "commune")
        .map(|u| u.code.clone())
        .ok_or_else(|| AppError::invalid("village", "hãy mở trang thêm hộ từ một xã hoặc thôn"))
}

/// A draft and, for each of its members, the stored member it edits.
type ParsedDraft = Result<(HouseholdDraft, Vec<Option<i64>>), FieldProblems>;

/// The form as typed, the version it was opened at, and the draft read from it.
struct ParsedForm {
    household: HouseholdForm,
    members: Vec<MemberForm>,
    version: i64,
    draft: ParsedDraft,
}

/// Reads the form into a draft; also keeps what was typed, for showing it again.
fn parse_form(pairs: &[(String, String)]) -> ParsedForm {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let on = |k: &str| pairs.iter().any(|(key, v)| key == k && !v.is_empty());
    let f = HouseholdForm {
        code: get("code"),
        village_code: get("village_code"),
        address: get("address"),
        phone: get("phone"),
        area: get("area"),
        merit: on("merit"),
        social_allowance: on("social_allowance"),
        floor_area: get("floor_area_m2"),
        wall: get("wall_material"),
        column: get("column_material"),
        roof: get("roof_material"),
        water: get("water_source"),
        latrine: get("latrine"),
        tv: on("has_tv"),
        radio: on("has_radio"),
        computer: on("has_computer"),
        smartphone: on("has_smartphone"),
        loudspeaker: on("loudspeaker"),
        land: get("production_land_m2"),
        notes: get("notes"),
        reason: get("reason"),
    };
    let version = get("version").parse().unwrap_or(0);
    let mut indices: Vec<usize> = pairs
        .iter()
        .filter_map(|(k, _)| k.strip_prefix('m')?.split_once('.')?.0.parse().ok())
        .collect();
    indices.sort_unstable();
    indices.dedup();
    let members: Vec<MemberForm> = indices
        .into_iter()
        .map(|i| {
            let g = |field: &str| get(&format!("m{i}.{field}"));
            MemberForm {
                index: i,
                id: g("id"),
                full_name: g("full_name"),
                sex: g("sex"),
                birth: g("birth"),
                ethnicity: g("ethnicity"),
                relation: g("relation"),
                citizen_id: g("citizen_id"),
                citizen_id_masked: g("citizen_id_masked"),
                hi_number: g("health_insurance_number"),
                hi_expiry: g("health_insurance_expiry"),
                school_level: g("school_level"),
                school_grade: g("school_grade"),
                qualification: g("qualification"),
                work_status: g("work_status"),
                labour_contract: on(&format!("m{i}.labour_contract")),
                disability: g("disability"),
                allowance: g("social_allowance_vnd"),
                nutrition: g("nutrition"),
                uses_internet: on(&format!("m{i}.uses_internet")),
                remove: on(&format!("m{i}.remove")),
            }
        })
        .collect();
    let draft = to_draft(&f, &members);
    ParsedForm {
        household: f,
        members,
        version,
        draft,
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// The form indices of the member blocks that become members of the draft, in order:
/// a blank new block and a removed member are left out.
fn kept_members(members: &[MemberForm]) -> Vec<usize> {
    members
        .iter()
        .filter(|m| !(m.remove || (m.id.is_empty() && m.full_name.is_empty())))
        .map(|m| m.index)
        .collect()
}

fn to_draft(
    f: &HouseholdForm,
    members: &[MemberForm],
) -> Result<(HouseholdDraft, Vec<Option<i64>>), FieldProblems> {
    let mut problems = FieldProblems::new();
    let number = |name: &str, s: &str, problems: &mut FieldProblems| -> Option<u32> {
        if s.is_empty() {
            return None;
        }
        match s.replace('.', "").parse::<u32>() {
            Ok(v) => Some(v),
            Err(_) => {
                problems.push(name, format!("«{s}» không phải số"));
                None
            }
        }
    };
    let date = |name: &str, s: &str, problems: &mut FieldProblems| -> Option<NaiveDate> {
        if s.is_empty() {
            return None;
        }
        match giamngheo_sheets::units::parse_date(s) {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(name, e);
                None
            }
        }
    };
    let area = match f.area.as_str() {
        "" => None,
        a => a.parse().ok(),
    };
    let mut draft = HouseholdDraft {
        code: f.code.clone(),
        village_code: f.village_code.clone(),
        address: f.address.clone(),
        phone: opt(&f.phone),
        area,
        ethnic_minority: None,
        female_headed: None,
        merit: f.merit,
        social_allowance: f.social_allowance,
        floor_area_m2: number("floor_area_m2", &f.floor_area, &mut problems),
        wall_material: opt(&f.wall),
        column_material: opt(&f.column),
        roof_material: opt(&f.roof),
        water_source: opt(&f.water),
        latrine: opt(&f.latrine),
        has_tv: f.tv,
        has_radio: f.radio,
        has_computer: f.computer,
        has_smartphone: f.smartphone,
        loudspeaker: f.loudspeaker,
        production_land_m2: number("production_land_m2", &f.land, &mut problems),
        notes: f.notes.clone(),
        members: Vec::new(),
    };
    let mut ids = Vec::new();
    for m in members {
        if m.remove || (m.id.is_empty() && m.full_name.is_empty()) {
            continue;
        }
        let at = |field: &str| format!("m{}.{field}", m.index);
        let (birth_date, birth_year) =
            if m.birth.len() == 4 && m.birth.bytes().all(|b| b.is_ascii_digit()) {
                (None, m.birth.parse().ok())
            } else {
                let d = date(&at("birth"), &m.birth, &mut problems);
                (d, None)
            };
        let citizen_id = if m.citizen_id.is_empty() {
            None
        } else {
            match CitizenId::parse(&m.citizen_id) {
                Ok(c) => Some(c),
                Err(e) => {
                    problems.push(at("citizen_id"), e.to_string());
                    None
                }
            }
        };
        let allowance = if m.allowance.is_empty() {
            0
        } else {
            m.allowance
                .replace('.', "")
                .parse::<i64>()
                .unwrap_or_else(|_| {
                    problems.push(
                        at("social_allowance_vnd"),
                        format!("«{}» không phải số", m.allowance),
                    );
                    0
                })
        };
        draft.members.push(MemberDraft {
            full_name: m.full_name.clone(),
            sex: Sex::parse(&m.sex),
            birth_date,
            birth_year,
            ethnicity: m.ethnicity.clone(),
            relation: m.relation.clone(),
            citizen_id,
            health_insurance_number: opt(&m.hi_number),
            health_insurance_expiry: date(
                &at("health_insurance_expiry"),
                &m.hi_expiry,
                &mut problems,
            ),
            school_level: opt(&m.school_level),
            school_grade: m.school_grade.parse().ok(),
            qualification: opt(&m.qualification),
            work_status: opt(&m.work_status),
            labour_contract: m.labour_contract,
            disability: opt(&m.disability),
            social_allowance_vnd: allowance,
            nutrition: opt(&m.nutrition),
            uses_internet: m.uses_internet,
        });
        ids.push(m.id.parse::<i64>().ok());
    }
    if problems.is_empty() {
        Ok((draft, ids))
    } else {
        Err(problems)
    }
}

/// The app's refusal of a form as problems of its inputs; any other error stays one.
fn problems_of(e: AppError, members: &[MemberForm]) -> Result<FieldProblems, AppError> {
    match e {
        AppError::Invalid { field, message } => Ok(FieldProblems::from_app(
            &field,
            &message,
            &kept_members(members),
        )),
        AppError::Conflict(message) => {
            let mut p = FieldProblems::new();
            p.push("", message);
            Ok(p)
        }
        other => Err(other),
    }
}

async fn update(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let err = html_err(lang);
    let ParsedForm {
        household: f,
        members,
        version,
        draft: parsed,
    } = parse_form(&pairs);
    let result = match parsed {
        Ok((draft, ids)) => {
            let reason = opt(&f.reason);
            app.update_household(&user.actor, id, version, draft, ids, reason)
                .await
                .map_err(|e| problems_of(e, &members))
        }
        Err(problems) => Err(Ok(problems)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/households/{id}?saved=1")).into_response()),
        Err(Err(e)) => Err(err(e)),
        Err(Ok(problems)) => {
            // The form comes back as typed, with the reason, so nothing is lost.
            let view = app.household(&user.actor, id).await.map_err(&err)?;
            let villages = village_options(&app, &view.commune.code)
                .await
                .map_err(&err)?;
            let page = form_page(
                lang,
                &user,
                format!("{} {}", lang.h().edit, view.household.fields.code),
                format!("/households/{id}"),
                format!("/households/{id}"),
                version,
                f,
                members,
                villages,
                Some(problems),
                false,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn create(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let err = html_err(lang);
    let ParsedForm {
        household: f,
        members,
        draft: parsed,
        ..
    } = parse_form(&pairs);
    let result = match parsed {
        Ok((draft, _)) => app
            .create_household(&user.actor, draft)
            .await
            .map_err(|e| problems_of(e, &members)),
        Err(problems) => Err(Ok(problems)),
    };
    // The form comes back as typed with the reason. A village outside the user's area
    // is not used to pick the villages offered, so no other commune's names are shown.
    let (message, start) = match result {
        Ok(id) => return Ok(Redirect::to(&format!("/households/{id}?created=1")).into_response()),
        Err(Err(AppError::NotFound(m))) => {
            let mut p = FieldProblems::new();
            p.push(
                "village_code",
                format!("không tìm thấy {m} trong địa bàn của bạn"),
            );
            (p, None)
        }
        Err(Err(e)) => return Err(err(e)),
        Err(Ok(problems)) => (problems, opt(&f.village_code)),
    };
    let commune = match commune_for(&app, &user, start.as_deref()).await {
        Ok(c) => c,
        Err(_) => commune_for(&app, &user, None).await.unwrap_or_default(),
    };
    let villages = village_options(&app, &commune).await.unwrap_or_default();
    let page = form_page(
        lang,
        &user,
        lang.h().add_household.into(),
        "/households".into(),
        "/households".into(),
        0,
        f,
        members,
        villages,
        Some(message),
        true,
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// ---------------------------------------------------------------- moves, splits, merges

/// Finds a household of the same commune by its code, for the move and merge forms.
async fn household_in_commune(
    app: &App,
    user: &CurrentUser,
    commune: &str,
    code: &str,
) -> Result<(i64, i64), AppError> {
    let found = app
        .store()
        .household_by_code(commune, code.trim())
        .await?
        .ok_or_else(|| {
            AppError::invalid("code", format!("không có hộ mã {} trong xã", code.trim()))
        })?;
    let view = app.household(&user.actor, found.id).await?;
    Ok((view.household.id, view.household.version))
}

#[derive(Deserialize)]
struct MoveForm {
    version: i64,
    member: i64,
    to_code: String,
    relation: String,
}

async fn move_member(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Result<Response, HtmlError> {
    let err = html_err(lang);
    let view = app.household(&user.actor, id).await.map_err(&err)?;
    let to = household_in_commune(&app, &user, &view.commune.code, &form.to_code)
        .await
        .map_err(&err)?;
    app.move_member(
        &user.actor,
        form.member,
        (id, form.version),
        to,
        &form.relation,
    )
    .await
    .map_err(&err)?;
    Ok(Redirect::to(&format!("/households/{id}?saved=1")).into_response())
}

async fn split(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let err = html_err(lang);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let version = get("version").parse().unwrap_or(0);
    let members: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "members")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let head = get("new_head").parse().unwrap_or(0);
    let new_id = app
        .split_household(&user.actor, id, version, &members, head, &get("new_code"))
        .await
        .map_err(&err)?;
    Ok(Redirect::to(&format!("/households/{new_id}?created=1")).into_response())
}

#[derive(Deserialize)]
struct MergeForm {
    version: i64,
    from_code: String,
}

async fn merge(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MergeForm>,
) -> Result<Response, HtmlError> {
    let err = html_err(lang);
    let view = app.household(&user.actor, id).await.map_err(&err)?;
    let source = household_in_commune(&app, &user, &view.commune.code, &form.from_code)
        .await
        .map_err(&err)?;
    app.merge_households(&user.actor, (id, form.version), source)
        .await
        .map_err(&err)?;
    Ok(Redirect::to(&format!("/households/{id}?saved=1")).into_response())
}

// ---------------------------------------------------------------- import

#[derive(Template, WebTemplate)]
#[template(path = "household_import.html")]
struct ImportPage {
    t: &'static T,
    h: &'static HT,
    lang: Lang,
    viewer: Option<Viewer>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct ImportQuery {
    imported: Option<i64>,
}

async fn import_page(
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ImportQuery>,
) -> Result<ImportPage, HtmlError> {
    if !user.actor.may(Action::WriteHouseholds) {
        return Err(HtmlError {
            lang,
            error: AppError::Forbidden("nhập hộ".into()),
        });
    }
    Ok(ImportPage {
        t: lang.t(),
        h: lang.h(),
        lang,
        viewer: Some(user.viewer(lang)),
        notice: q
            .imported
            .map(|n| format!("{} {}", lang.h().imported, format::number(n))),
    })
}

/// Largest household file accepted through the web; larger files go through the
/// command line.
const MAX_IMPORT: usize = giamngheo_sheets::households::MAX_FILE_BYTES;

async fn import_upload(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    mut multipart: Multipart,
) -> Result<Response, HtmlError> {
    let err = html_err(lang);
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| err(AppError::invalid("file", "không đọc được tệp tải lên")))?;
            if bytes.len() > MAX_IMPORT {
                return Ok(crate::upload::too_large(false, lang, MAX_IMPORT));
            }
            file = Some((name, bytes));
        }
    }
    let Some((name, bytes)) = file else {
        return Err(err(AppError::invalid("file", "chưa chọn tệp")));
    };
    let n = app
        .import_households_file(By::User(&user.actor), &name, Vec::from(bytes))
        .await
        .map_err(&err)?;
    Ok(Redirect::to(&format!("/households/import?imported={n}")).into_response())
}

async fn template_xlsx() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"mau-nhap-ho-gia-dinh.xlsx\"",
            ),
        ],
        giamngheo_sheets::households::households_template_xlsx(),
    )
        .into_response()
}

async fn template_csv() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"mau-nhap-ho-gia-dinh.csv\"",
            ),
        ],
        giamngheo_sheets::households::households_template_csv(),
    )
        .into_response()
}

// ---------------------------------------------------------------- duplicates and audit

pub struct DuplicateView {
    pub name: String,
    pub birth_year: i32,
    pub village: String,
    pub household_id: i64,
    pub household_code: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    t: &'static T,
    h: &'static HT,
    lang: Lang,
    viewer: Option<Viewer>,
    rows: Vec<DuplicateView>,
}

#[derive(Deserialize, Default)]
struct UnitParam {
    unit: Option<String>,
}

async fn duplicates(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> Result<DuplicatesPage, HtmlError> {
    let err = html_err(lang);
    let rows = app
        .possible_duplicates(&user.actor, q.unit.as_deref())
        .await
        .map_err(&err)?;
    let mut names = std::collections::HashMap::new();
    for r in &rows {
        if !names.contains_key(&r.village_code) {
            let name = app
                .unit(&r.village_code)
                .await
                .map(|u| u.name)
                .unwrap_or_default();
            names.insert(r.village_code.clone(), name);
        }
    }
    Ok(DuplicatesPage {
        t: lang.t(),
        h: lang.h(),
        lang,
        viewer: Some(user.viewer(lang)),
        rows: rows
            .into_iter()
            .map(|r| DuplicateView {
                name: r.full_name,
                birth_year: r.birth_year,
                village: names[&r.village_code].clone(),
                household_id: r.household_id,
                household_code: r.household_code,
            })
            .collect(),
    })
}
