//! The household form: its fields as text, parsing what was typed, and the create and
//! update handlers that re-render it with the problems next to their fields.

use super::*;

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

pub(super) fn select(
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

pub(super) fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| format::date(&d)).unwrap_or_default()
}

pub(super) fn form_of(view: &HouseholdView) -> (HouseholdForm, Vec<MemberForm>) {
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

pub(super) fn member_views(lang: Lang, members: Vec<MemberForm>) -> Vec<MemberFormView> {
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

pub(super) fn house_selects(lang: Lang, f: &HouseholdForm) -> Vec<Select> {
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

pub(super) async fn edit_form(
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
pub(super) type ParsedDraft = Result<(HouseholdDraft, Vec<Option<i64>>), FieldProblems>;

/// The form as typed, the version it was opened at, and the draft read from it.
pub(super) struct ParsedForm {
    household: HouseholdForm,
    members: Vec<MemberForm>,
    version: i64,
    draft: ParsedDraft,
}

/// Reads the form into a draft; also keeps what was typed, for showing it again.
pub(super) fn parse_form(pairs: &[(String, String)]) -> ParsedForm {
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

pub(super) fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// The form indices of the member blocks that become members of the draft, in order:
/// a blank new block and a removed member are left out.
pub(super) fn kept_members(members: &[MemberForm]) -> Vec<usize> {
    members
        .iter()
        .filter(|m| !(m.remove || (m.id.is_empty() && m.full_name.is_empty())))
        .map(|m| m.index)
        .collect()
}

pub(super) fn to_draft(
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
pub(super) fn problems_of(e: AppError, members: &[MemberForm]) -> Result<FieldProblems, AppError> {
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

pub(super) async fn update(
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

pub(super) async fn create(
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
