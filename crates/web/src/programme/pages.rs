//! `/programme`: the progress page with the ledger and the forms of those who may write,
//! the allocation page, the exports and the form posts.

use super::api::progress_response;
use super::text::{PT, lang_text};
use super::{parse_day, parse_vnd};
use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::headers::{component, see_other};
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Datelike;
use giamngheo_app::programme::{
    AdoptItem, AdoptRequest, Amounts, DisbursementInput, MoneyAction, PlanInput, ProgressPart,
    ReverseInput, SuggestRequest,
};
use giamngheo_app::rules::programme::Weighting;
use giamngheo_app::{App, AppError};
use giamngheo_sheets::reports::{NumberKind, figure};
use serde::Deserialize;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/programme", get(page))
        .route("/programme/export", get(export))
        .route("/programme/allocate", get(allocate_page).post(adopt))
        .route("/programme/plans", post(plan))
        .route("/programme/disbursements", post(disburse))
        .route("/programme/entries/{id}/reverse", post(reverse))
}

/// A line of amounts, written the Vietnamese way.
pub struct AmountsView {
    pub label: String,
    pub planned: String,
    pub allocated: String,
    pub disbursed: String,
    pub rate: String,
    pub to_confirm: bool,
}

pub(crate) fn amounts_view(label: String, a: &Amounts, to_confirm: bool) -> AmountsView {
    AmountsView {
        label,
        planned: format::number(a.planned),
        allocated: format::number(a.allocated),
        disbursed: format::number(a.disbursed),
        rate: figure(a.rate, NumberKind::Rate),
        to_confirm,
    }
}

pub struct EntryRow {
    pub id: i64,
    pub kind: &'static str,
    pub date: String,
    pub unit: String,
    pub line: String,
    pub amount: String,
    pub document: String,
    pub note: String,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub recorded_by: String,
    pub can_reverse: bool,
}

pub struct Choice {
    pub code: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "programme.html")]
struct ProgrammePage {
    t: &'static T,
    p: &'static PT,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: String,
    unit_name: String,
    year: i32,
    programme_name: String,
    to_confirm: bool,
    lines: Vec<AmountsView>,
    total: AmountsView,
    communes: Vec<AmountsView>,
    entries: Vec<EntryRow>,
    projects: Vec<Choice>,
    sources: Vec<Choice>,
    communes_choice: Vec<Choice>,
    can_write: bool,
    can_allocate: bool,
    today: String,
    saved: bool,
}

#[derive(Deserialize)]
struct PageQuery {
    unit: Option<String>,
    year: Option<i32>,
    saved: Option<String>,
}

/// The budget lines (projects and sub-projects) and funding sources of a year.
fn choices(app: &App, year: i32, lang: Lang) -> (Vec<Choice>, Vec<Choice>) {
    let vi = lang == Lang::Vi;
    let projects = app
        .programme()
        .structure_for(year)
        .map(|s| {
            s.projects
                .iter()
                .flat_map(|p| {
                    std::iter::once(Choice {
                        code: p.code.clone(),
                        name: if vi { &p.name_vi } else { &p.name_en }.clone(),
                    })
                    .chain(p.subprojects.iter().map(move |sp| Choice {
                        code: sp.code.clone(),
                        name: format!("— {}", if vi { &sp.name_vi } else { &sp.name_en }),
                    }))
                })
                .collect()
        })
        .unwrap_or_default();
    let sources = app
        .programme()
        .funding_sources()
        .iter()
        .filter(|s| s.open_in(year))
        .map(|s| Choice {
            code: s.code.clone(),
            name: if vi { &s.name_vi } else { &s.name_en }.clone(),
        })
        .collect();
    (projects, sources)
}

async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<ProgrammePage, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let p = lang_text(lang);
    let vi = lang == Lang::Vi;
    let (unit, year) = super::unit_and_year(&app, &user.actor, q.unit, q.year);
    let progress = app
        .programme_progress(&user.actor, &unit, year)
        .await
        .map_err(err)?;
    let entries = app
        .programme_entries(&user.actor, &unit, year, None)
        .await
        .map_err(err)?;
    let can_write = app
        .may_money(&user.actor, MoneyAction::WriteMoney)
        .await
        .map_err(err)?;
    let can_allocate = app
        .may_money(&user.actor, MoneyAction::Allocate)
        .await
        .map_err(err)?;
    let (projects, sources) = choices(&app, year, lang);
    let name_of = |code: &str, list: &[Choice]| {
        list.iter()
            .find(|c| c.code == code)
            .map(|c| c.name.trim_start_matches("— ").to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let lines = progress
        .lines
        .iter()
        .map(|l| {
            let (project, source) = if vi {
                (&l.project_name_vi, &l.source_name_vi)
            } else {
                (&l.project_name_en, &l.source_name_en)
            };
            amounts_view(format!("{project} — {source}"), &l.amounts, l.to_confirm)
        })
        .collect();
    let communes: Vec<AmountsView> = progress
        .communes
        .iter()
        .map(|c| amounts_view(c.name.clone(), &c.amounts, false))
        .collect();
    let commune_names: std::collections::HashMap<&str, &str> = progress
        .communes
        .iter()
        .map(|c| (c.unit.as_str(), c.name.as_str()))
        .collect();
    let entries = entries
        .iter()
        .map(|e| EntryRow {
            id: e.id,
            kind: match e.kind.as_str() {
                "plan" => p.kind_plan,
                "allocation" => p.kind_allocation,
                _ => p.kind_disbursement,
            },
            date: format::date(&e.date),
            unit: commune_names
                .get(e.unit.as_str())
                .map(|n| n.to_string())
                .unwrap_or_else(|| progress.unit_name.clone()),
            line: format!(
                "{} — {}",
                name_of(&e.project, &projects),
                name_of(&e.source, &sources)
            ),
            amount: format::number(e.amount),
            document: e.document_number.clone().unwrap_or_default(),
            note: [e.formula.clone(), e.note.clone(), e.overdraw_note.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            reverses: e.reverses,
            reversed_by: e.reversed_by,
            recorded_by: e.recorded_by.clone(),
            can_reverse: e.reverses.is_none()
                && e.reversed_by.is_none()
                && (can_write || (can_allocate && e.kind == "allocation")),
        })
        .collect();
    let communes_choice = progress
        .communes
        .iter()
        .map(|c| Choice {
            code: c.unit.clone(),
            name: c.name.clone(),
        })
        .collect();
    Ok(ProgrammePage {
        t: lang.t(),
        p,
        lang,
        viewer: Some(user.viewer(lang)),
        total: amounts_view(p.total.to_string(), &progress.total, false),
        unit: progress.unit.clone(),
        unit_name: progress.unit_name.clone(),
        year,
        programme_name: progress.programme_name_vi.clone().unwrap_or_default(),
        to_confirm: progress.to_confirm,
        lines,
        communes,
        entries,
        projects,
        sources,
        communes_choice,
        can_write,
        can_allocate,
        today: format::date(&app.clock().today()),
        saved: q.saved.is_some(),
    })
}

#[derive(Deserialize)]
struct ExportQuery {
    unit: Option<String>,
    year: Option<i32>,
    /// `money` (default), `activities` or `all`, as the API's.
    part: Option<String>,
    format: Option<String>,
}

async fn export(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ExportQuery>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let (unit, year) = super::unit_and_year(&app, &user.actor, q.unit, q.year);
    let part: ProgressPart = q.part.as_deref().unwrap_or("").parse().map_err(err)?;
    let family = app
        .programme_progress_family(&user.actor, &unit, year, part)
        .await
        .map_err(err)?;
    progress_response(
        family,
        &unit,
        year,
        q.format.as_deref().unwrap_or("xlsx"),
        &app,
    )
    .map_err(err)
}

// ---------------------------------------------------------------- allocation

pub struct SuggestionRow {
    pub unit: String,
    pub name: String,
    pub zone: String,
    pub flags: String,
    pub villages: u32,
    pub households: String,
    pub coefficient: u64,
    pub formula: String,
    pub share: String,
    pub share_plain: u64,
    pub to_confirm: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "programme_allocate.html")]
struct AllocatePage {
    t: &'static T,
    p: &'static PT,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: String,
    year: i32,
    total: String,
    households: bool,
    rule: String,
    rows: Vec<SuggestionRow>,
    sum: String,
    projects: Vec<Choice>,
    sources: Vec<Choice>,
    today: String,
}

#[derive(Deserialize)]
struct AllocateQuery {
    unit: Option<String>,
    year: Option<i32>,
    total: Option<String>,
    weighting: Option<String>,
}

async fn allocate_page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<AllocateQuery>,
) -> Result<AllocatePage, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let vi = lang == Lang::Vi;
    let (unit, year) = super::unit_and_year(&app, &user.actor, q.unit, q.year);
    let households = q.weighting.as_deref() == Some("households");
    let total = match q.total.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(parse_vnd("total", t).map_err(err)?),
    };
    let (rows, sum, rule) = match total {
        Some(total) => {
            let s = app
                .suggest_allocation(
                    &user.actor,
                    &SuggestRequest {
                        unit: unit.clone(),
                        year,
                        total,
                        weighting: if households {
                            Weighting::Households
                        } else {
                            Weighting::Coefficients
                        },
                    },
                )
                .await
                .map_err(err)?;
            let rows = s
                .items
                .iter()
                .map(|i| {
                    let mut flags = Vec::new();
                    let names: [(bool, &str, &str); 4] = [
                        (i.border, "biên giới", "border"),
                        (i.safety_zone, "an toàn khu", "safety zone"),
                        (i.island, "đảo", "island"),
                        (i.special_zone, "đặc khu", "special zone"),
                    ];
                    for (on, name_vi, name_en) in names {
                        if on {
                            flags.push(if vi { name_vi } else { name_en });
                        }
                    }
                    SuggestionRow {
                        unit: i.unit.clone(),
                        name: i.name.clone(),
                        zone: i.zone.clone().unwrap_or_else(|| "—".into()),
                        flags: flags.join(", "),
                        villages: i.extremely_difficult_villages,
                        households: format::number(
                            i64::try_from(i.poor_and_near_poor).unwrap_or(i64::MAX),
                        ),
                        coefficient: i.coefficient,
                        formula: if vi { &i.formula_vi } else { &i.formula_en }.clone(),
                        share: format::number(i64::try_from(i.share).unwrap_or(i64::MAX)),
                        share_plain: i.share,
                        to_confirm: i.to_confirm,
                    }
                })
                .collect();
            let sum: u64 = s.items.iter().map(|i| i.share).sum();
            (
                rows,
                format::number(i64::try_from(sum).unwrap_or(i64::MAX)),
                format!("{} — {}", s.rule_name_vi, s.rule_source),
            )
        }
        None => {
            // Without a total, the page only asks for one; the role is checked all the
            // same, so that nobody is shown a form they cannot use.
            if !app
                .may_money(&user.actor, MoneyAction::Suggest)
                .await
                .map_err(err)?
            {
                return Err(err(AppError::Forbidden(
                    "chỉ cơ quan chuyên môn, cơ quan tài chính và quản trị viên được phân bổ vốn"
                        .into(),
                )));
            }
            (Vec::new(), String::new(), String::new())
        }
    };
    let (projects, sources) = choices(&app, year, lang);
    Ok(AllocatePage {
        t: lang.t(),
        p: lang_text(lang),
        lang,
        viewer: Some(user.viewer(lang)),
        unit,
        year,
        total: total.map(|t| t.to_string()).unwrap_or_default(),
        households,
        rule,
        rows,
        sum,
        projects,
        sources,
        today: format::date(&app.clock().today()),
    })
}

/// The allocation form: the common fields, then `amount_<commune code>` per commune.
async fn adopt(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let unit = get("unit");
    let year: i32 = get("year")
        .parse()
        .map_err(|_| err(AppError::invalid("year", "năm không hợp lệ")))?;
    let mut items = Vec::new();
    for (key, value) in &fields {
        if let Some(code) = key.strip_prefix("amount_") {
            let amount = if value.trim().is_empty() {
                0
            } else {
                parse_vnd(key, value).map_err(err)?
            };
            items.push(AdoptItem {
                unit: code.to_string(),
                amount,
            });
        }
    }
    let document = get("document_number");
    let request = AdoptRequest {
        unit: unit.clone(),
        year,
        project: get("project"),
        source: get("source"),
        date: parse_day("date", &get("date")).map_err(err)?,
        document_number: (!document.is_empty()).then_some(document),
        weighting: if get("weighting") == "households" {
            Weighting::Households
        } else {
            Weighting::Coefficients
        },
        items,
    };
    app.adopt_allocation(&user.actor, &request)
        .await
        .map_err(err)?;
    Ok(see_other(&format!(
        "/programme?unit={}&year={year}&saved=1",
        component(&unit)
    )))
}

#[derive(Deserialize)]
struct MoneyForm {
    unit: String,
    year: i32,
    project: String,
    source: String,
    amount: String,
    date: String,
    #[serde(default)]
    document_number: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    overdraw_note: String,
    /// The page the form came from, to go back to.
    #[serde(default)]
    back: String,
    /// The number of the activity a disbursement pays for, if any.
    #[serde(default)]
    activity: String,
}

fn some(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn back_to(f: &MoneyForm) -> Response {
    let unit = if f.back.chars().all(|c| c.is_ascii_digit()) && !f.back.is_empty() {
        &f.back
    } else {
        &f.unit
    };
    see_other(&format!(
        "/programme?unit={}&year={}&saved=1",
        component(unit),
        f.year
    ))
}

async fn plan(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<MoneyForm>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let input = PlanInput {
        unit: f.unit.clone(),
        year: f.year,
        project: f.project.clone(),
        source: f.source.clone(),
        amount: parse_vnd("amount", &f.amount).map_err(err)?,
        date: parse_day("date", &f.date).map_err(err)?,
        document_number: some(&f.document_number),
    };
    app.record_plan(&user.actor, &input).await.map_err(err)?;
    Ok(back_to(&f))
}

async fn disburse(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<MoneyForm>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let input = DisbursementInput {
        unit: f.unit.clone(),
        year: f.year,
        project: f.project.clone(),
        source: f.source.clone(),
        activity_id: match some(&f.activity) {
            None => None,
            Some(n) => Some(n.parse::<i64>().map_err(|_| {
                err(AppError::invalid(
                    "activity_id",
                    format!("«{n}» không phải số hoạt động"),
                ))
            })?),
        },
        amount: parse_vnd("amount", &f.amount).map_err(err)?,
        date: parse_day("date", &f.date).map_err(err)?,
        document_number: some(&f.document_number),
        note: some(&f.note),
        overdraw_note: some(&f.overdraw_note),
    };
    app.record_disbursement(&user.actor, &input)
        .await
        .map_err(err)?;
    Ok(back_to(&f))
}

#[derive(Deserialize)]
struct ReverseForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    overdraw_note: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
}

async fn reverse(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ReverseForm>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    app.reverse_entry(
        &user.actor,
        id,
        &ReverseInput {
            reason: f.reason.clone(),
            overdraw_note: some(&f.overdraw_note),
        },
    )
    .await
    .map_err(err)?;
    let year: i32 = f
        .year
        .parse()
        .unwrap_or_else(|_| app.clock().today().year());
    Ok(see_other(&format!(
        "/programme?unit={}&year={year}&saved=1",
        component(&f.unit)
    )))
}
