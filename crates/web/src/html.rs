//! Server-rendered pages. One askama struct per page; view rows carry text already
//! formatted the Vietnamese way, so templates only place it.

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::headers::{component, see_other};
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use giamngheo_app::access::Action;
use giamngheo_app::units::VillageInput;
use giamngheo_app::{App, AppError};
use giamngheo_store::{UnitRecord, UnitSearchHit};
use serde::Deserialize;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/", get(crate::home::page))
        .route("/units/{code}", get(unit_page))
        .route("/units/{code}/villages", post(add_village))
        .route("/units/{code}/villages/import", post(import_villages))
        .route("/search", get(search))
}

/// Keeps a language chosen with `?lang=` on any page in a cookie for the next pages.
pub(crate) async fn remember_lang(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let chosen = req.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.strip_prefix("lang="))
            .find(|l| matches!(*l, "vi" | "en"))
            .map(str::to_string)
    });
    let mut response = next.run(req).await;
    if let Some(lang) = chosen {
        let cookie = format!("lang={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
        if let Ok(v) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// A unit as a table row.
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub area: &'static str,
    pub children: String,
    pub retired: bool,
}

impl UnitRow {
    pub(crate) fn new(u: &UnitRecord, lang: Lang) -> UnitRow {
        UnitRow {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind.clone(),
            area: lang.area(u.area.as_deref()),
            children: format::number(u.child_count),
            retired: u.valid_to.is_some(),
        }
    }
}

pub struct Crumb {
    pub code: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "unit.html")]
struct UnitPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: UnitRow,
    tier: &'static str,
    level: i32,
    flags: Vec<&'static str>,
    valid_from: String,
    valid_to: Option<String>,
    crumbs: Vec<Crumb>,
    rows: Vec<UnitRow>,
    children_title: &'static str,
    is_commune: bool,
    /// The user may add villages here (the forms are shown).
    can_manage: bool,
    notice: Option<String>,
    form_error: Option<String>,
    form_name: String,
    form_kind: String,
    /// The unit's households, reviews, reports and dashboard, for the roles that may open
    /// them.
    shortcuts: Vec<crate::menu::MenuLink>,
}

#[derive(Deserialize, Default)]
struct UnitQuery {
    created: Option<String>,
    imported: Option<usize>,
}

async fn unit_page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<UnitQuery>,
) -> Result<UnitPage, HtmlError> {
    let notice = match (q.created, q.imported) {
        (Some(c), _) => Some(format!("{} ({c})", lang.t().village_created)),
        (None, Some(n)) => Some(format!(
            "{} {}",
            lang.t().villages_imported,
            format::number(n as i64)
        )),
        _ => None,
    };
    render_unit(
        &app,
        lang,
        &user,
        &code,
        notice,
        None,
        String::new(),
        String::new(),
    )
    .await
    .map_err(|error| HtmlError { lang, error })
}

#[allow(clippy::too_many_arguments)]
async fn render_unit(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    code: &str,
    notice: Option<String>,
    form_error: Option<String>,
    form_name: String,
    form_kind: String,
) -> Result<UnitPage, AppError> {
    let unit = app.unit(code).await?;
    // A closed unit's page shows the units under it on its last day.
    let children = app.children_on(Some(&unit.code), unit.valid_to).await?;
    let ancestry = app.ancestry(&unit.code).await?;
    // The forms are only offered to users who may use them; the app layer checks again
    // when they are sent.
    let can_manage = app
        .authorize(&user.actor, Action::ManageUnits, &unit.code)
        .await
        .is_ok();
    let t = lang.t();
    let mut flags = Vec::new();
    if unit.extremely_difficult {
        flags.push(t.extremely_difficult);
    }
    if unit.border {
        flags.push(t.border);
    }
    if unit.programme_30a {
        flags.push(t.programme_30a);
    }
    if unit.programme_135 {
        flags.push(t.programme_135);
    }
    // Each list has its own hierarchy: the units under this one say which tier they are.
    let child_tier = children
        .first()
        .map(|c| c.tier.as_str())
        .or_else(|| app.hierarchy().tier(unit.level + 1).map(|t| t.as_str()))
        .unwrap_or("");
    let children_title = match child_tier {
        "village" => t.villages,
        "commune" => t.commune,
        "district" => t.district,
        _ => t.units_under,
    };
    Ok(UnitPage {
        t,
        lang,
        viewer: Some(user.viewer(lang)),
        tier: lang.tier(&unit.tier),
        level: unit.level,
        flags,
        valid_from: format::date(&unit.valid_from),
        valid_to: unit.valid_to.as_ref().map(format::date),
        crumbs: ancestry
            .iter()
            .filter(|a| a.code != unit.code)
            .map(|a| Crumb {
                code: a.code.clone(),
                name: a.name.clone(),
            })
            .collect(),
        rows: children.iter().map(|u| UnitRow::new(u, lang)).collect(),
        children_title,
        is_commune: unit.tier == "commune",
        can_manage,
        unit: UnitRow::new(&unit, lang),
        notice,
        form_error,
        form_name,
        form_kind,
        shortcuts: crate::menu::unit_links(&user.actor, &unit.code, lang),
    })
}

#[derive(Deserialize)]
struct VillageForm {
    name: String,
    kind: String,
}

async fn add_village(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<VillageForm>,
) -> Result<Response, HtmlError> {
    let input = VillageInput {
        line: None,
        commune_code: code.clone(),
        code: None,
        name: form.name.clone(),
        kind: form.kind.clone(),
        area: None,
    };
    match app.create_village(&user.actor, input).await {
        Ok(v) => Ok(see_other(&format!(
            "/units/{}?created={}",
            component(&code),
            component(&v.code)
        ))),
        Err(AppError::NotFound(m)) => Err(HtmlError {
            lang,
            error: AppError::NotFound(m),
        }),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            // The form comes back with what was typed and the reason, so nothing is lost.
            let page = render_unit(
                &app,
                lang,
                &user,
                &code,
                None,
                Some(e.to_string()),
                form.name,
                form.kind,
            )
            .await
            .map_err(|error| HtmlError { lang, error })?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(HtmlError { lang, error }),
    }
}

/// Largest village file accepted: a commune has at most a few hundred villages.
pub(crate) const MAX_UPLOAD: usize = 2 * 1024 * 1024;

async fn import_villages(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(code): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, HtmlError> {
    let mut data = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            match field.bytes().await {
                Ok(b) if b.len() <= MAX_UPLOAD => data = Some(b),
                Ok(_) => return Ok(crate::upload::too_large(false, lang, MAX_UPLOAD)),
                Err(_) => {
                    return Err(HtmlError {
                        lang,
                        error: AppError::invalid("file", "không đọc được tệp tải lên"),
                    });
                }
            }
        }
    }
    let Some(data) = data else {
        return Err(HtmlError {
            lang,
            error: AppError::invalid("file", "chưa chọn tệp"),
        });
    };
    let created = app
        .import_villages(&user.actor, &data[..], Some(&code))
        .await
        .map_err(|error| HtmlError { lang, error })?;
    Ok(see_other(&format!(
        "/units/{}?imported={}",
        component(&code),
        created.len()
    )))
}

pub struct SearchRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub context: String,
}

impl SearchRow {
    fn new(h: &UnitSearchHit) -> SearchRow {
        let context = [h.parent_name.as_deref(), h.province_name.as_deref()]
            .into_iter()
            .flatten()
            .fold(Vec::<&str>::new(), |mut v, n| {
                if !v.contains(&n) {
                    v.push(n);
                }
                v
            })
            .join(", ");
        SearchRow {
            code: h.code.clone(),
            name: h.name.clone(),
            kind: h.kind.clone(),
            context,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    q: String,
    rows: Vec<SearchRow>,
    households: Vec<HouseholdHit>,
    households_title: &'static str,
    error: Option<String>,
}

/// A household the header search found within the user's area: by the head's or a
/// member's name, the household code or a full citizen ID (for the roles that may search
/// by it).
pub struct HouseholdHit {
    pub id: i64,
    pub code: String,
    pub head_name: String,
    pub village_name: String,
}

/// How many households the header search shows; the households page lists them all.
const HOUSEHOLD_HITS: usize = 10;

/// The households of the user's area a search finds, for the roles that read them. A
/// search they may not make (a citizen ID without the right to read it) finds none.
async fn household_hits(app: &App, user: &CurrentUser, q: &str) -> Vec<HouseholdHit> {
    if q.trim().is_empty() || !user.actor.may(Action::ReadPersonal) {
        return Vec::new();
    }
    match app.list_households(&user.actor, None, Some(q), 1).await {
        Ok(page) => page
            .items
            .into_iter()
            .take(HOUSEHOLD_HITS)
            .map(|h| HouseholdHit {
                id: h.id,
                code: h.code,
                head_name: h.head_name,
                village_name: h.village_name,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn households_title(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Hộ gia đình",
        Lang::En => "Households",
    }
}

/// The results alone, for the live search box (htmx swaps them into the page).
#[derive(Template, WebTemplate)]
#[template(path = "search_results.html")]
struct SearchResults {
    t: &'static T,
    q: String,
    rows: Vec<SearchRow>,
    households: Vec<HouseholdHit>,
    households_title: &'static str,
    error: Option<String>,
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Query(SearchQuery { q }): Query<SearchQuery>,
) -> Result<Response, HtmlError> {
    let partial = headers.contains_key("hx-request");
    let (rows, error) = match app.search_units(&q).await {
        Ok(hits) => (hits.iter().map(SearchRow::new).collect(), None),
        Err(AppError::Invalid { message, .. }) => (Vec::new(), Some(message)),
        Err(error) => return Err(HtmlError { lang, error }),
    };
    let t = lang.t();
    // A search too short for the units is too short for the households too.
    let households = if error.is_some() {
        Vec::new()
    } else {
        household_hits(&app, &user, &q).await
    };
    let households_title = households_title(lang);
    if partial {
        if q.trim().is_empty() {
            // An emptied search box clears the results instead of showing an error.
            return Ok(String::new().into_response());
        }
        return Ok(SearchResults {
            t,
            q,
            rows,
            households,
            households_title,
            error,
        }
        .into_response());
    }
    Ok(SearchPage {
        t,
        lang,
        viewer: Some(user.viewer(lang)),
        q,
        rows,
        households,
        households_title,
        error,
    }
    .into_response())
}
