//! Each role's home (`/`): the user's own unit with the links to its pages, the reviews
//! under way there with their step and due date (late ones first), and the units under
//! it. An administrator of the whole country lands on the provinces. A commune officer
//! and a village head also see the households awaiting something and the reporting
//! dates due or missed; a province viewer, who reads no names, sees the province's own
//! figures (rates and review progress by commune) instead of a bare list of units.

use crate::auth::{CurrentUser, Viewer};
use crate::dashboard::{Figures, figures};
use crate::error::HtmlError;
use crate::format;
use crate::html::UnitRow;
use crate::i18n::{Lang, T};
use crate::menu::{self, MenuLink};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use giamngheo_app::access::{Action, Role};
use giamngheo_app::awaiting::{Awaiting, AwaitingHousehold};
use giamngheo_app::rules::DeadlineStatus;
use giamngheo_app::{App, AppError};

mod text;

/// At most this many awaiting households are listed by name; the counts above the list
/// cover them all, and the review page has the rest.
const AWAITING_SHOWN: usize = 50;

/// A household awaiting something, as the home lists it.
pub struct AwaitingLine {
    pub household_href: String,
    pub review_href: String,
    /// "Mã hộ – Tên chủ hộ": a household is named by its code and head, never an id.
    pub household: String,
    pub village: String,
    pub what: &'static str,
}

/// How many households await one thing.
pub struct AwaitingCount {
    pub what: &'static str,
    pub count: String,
}

/// A reporting date due soon or missed, as the home lists it.
pub struct DueLine {
    pub label: String,
    pub due: String,
    pub state: String,
    pub late: bool,
}

/// A review under way, as the home lists it.
pub struct OpenReview {
    /// The review's page, for the roles that may open it.
    pub href: Option<String>,
    pub commune: String,
    pub kind: &'static str,
    pub period: i32,
    pub step: String,
    pub due: String,
    /// Past its due date, due within a week, or on time, in words.
    pub state: &'static str,
    pub late: bool,
    /// Households listed / surveyed / agreed at the meeting.
    pub progress: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    h: &'static text::HT,
    title: String,
    /// What the user does here, in a sentence for the role.
    intro: &'static str,
    unit_href: Option<String>,
    shortcuts: Vec<MenuLink>,
    reviews: Vec<OpenReview>,
    children_title: &'static str,
    rows: Vec<UnitRow>,
    /// The user's overdue and due-soon tasks (a rendered block, empty when none).
    reminders: String,
    /// Whether the awaiting list applies to this home (a commune or village reader of
    /// households); the list itself may then be empty.
    show_awaiting: bool,
    awaiting_counts: Vec<AwaitingCount>,
    awaiting: Vec<AwaitingLine>,
    awaiting_more: String,
    /// The reporting dates due soon or missed with nothing sent.
    dues: Vec<DueLine>,
    /// The unit's own figures for a province viewer.
    fig: Option<Figures>,
}

pub(crate) async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
) -> Result<HomePage, HtmlError> {
    render(&app, lang, &user)
        .await
        .map_err(|error| HtmlError { lang, error })
}

async fn render(app: &App, lang: Lang, user: &CurrentUser) -> Result<HomePage, AppError> {
    let t = lang.t();
    let h = text::of(lang);
    let actor = &user.actor;
    let intro = h.intro(actor.role);
    // The administrator of the whole country has no unit of its own: the provinces.
    if actor.unit_code.is_empty() {
        let units = app.children(None).await?;
        return Ok(HomePage {
            t,
            lang,
            viewer: Some(user.viewer(lang)),
            h,
            title: t.provinces.to_string(),
            intro,
            unit_href: None,
            shortcuts: Vec::new(),
            reviews: Vec::new(),
            children_title: t.provinces,
            rows: units.iter().map(|u| UnitRow::new(u, lang)).collect(),
            reminders: crate::tasks::reminders_html(app, actor, lang).await,
            show_awaiting: false,
            awaiting_counts: Vec::new(),
            awaiting: Vec::new(),
            awaiting_more: String::new(),
            dues: Vec::new(),
            fig: None,
        });
    }
    let unit = app.unit(&actor.unit_code).await?;
    let today = app.clock().today();
    let can_open = actor.may(Action::ReadPersonal);
    let mut reviews: Vec<OpenReview> = app
        .reviews(actor, None)
        .await?
        .into_iter()
        .filter(|s| s.closed_on.is_none())
        .map(|s| {
            let days = (s.due_on - today).num_days();
            OpenReview {
                href: can_open.then(|| format!("/reviews/{}", s.id)),
                commune: s.commune_name,
                kind: if s.kind == "periodic" {
                    h.periodic
                } else {
                    h.regular
                },
                period: s.period,
                step: lang.step(&s.step),
                due: format::date(&s.due_on),
                state: if days < 0 {
                    h.late
                } else if days <= 7 {
                    h.due_soon
                } else {
                    h.on_time
                },
                late: days < 0,
                progress: format!(
                    "{} / {} / {}",
                    format::number(s.households),
                    format::number(s.surveyed),
                    format::number(s.agreed)
                ),
            }
        })
        .collect();
    // Late reviews first, then by due date (dd/mm/yyyy does not sort, the flag does).
    reviews.sort_by_key(|r| !r.late);
    let children = if unit.tier == "village" {
        Vec::new()
    } else {
        app.children(Some(&unit.code)).await?
    };
    let children_title = match children.first().map(|c| c.tier.as_str()) {
        Some("village") => t.villages,
        Some("commune") => t.commune,
        Some("district") => t.district,
        _ => t.units_under,
    };
    let show_awaiting = can_open && (unit.tier == "commune" || unit.tier == "village");
    let awaiting = if show_awaiting {
        app.households_awaiting(actor, &unit.code).await?
    } else {
        Vec::new()
    };
    let dues = if actor.may(Action::WriteHouseholds) {
        due_lines(app, user, lang).await?
    } else {
        Vec::new()
    };
    // A province viewer reads aggregates only: the unit's own rates and progress are
    // what it came for.
    let fig = if actor.role == Role::ProvinceViewer {
        let dash = app.dashboard(actor, &unit.code, None).await?;
        Some(figures(lang, &dash))
    } else {
        None
    };
    Ok(HomePage {
        t,
        lang,
        viewer: Some(user.viewer(lang)),
        h,
        show_awaiting,
        awaiting_counts: awaiting_counts(&awaiting, lang),
        awaiting_more: if awaiting.len() > AWAITING_SHOWN {
            h.awaiting_more
                .replace("{n}", &format::number(AWAITING_SHOWN as i64))
        } else {
            String::new()
        },
        awaiting: awaiting
            .into_iter()
            .take(AWAITING_SHOWN)
            .map(|a| awaiting_line(a, lang))
            .collect(),
        dues,
        fig,
        title: unit.name.clone(),
        intro,
        unit_href: Some(format!("/units/{}", unit.code)),
        shortcuts: menu::unit_links(actor, &unit.code, lang),
        reviews,
        children_title,
        rows: children.iter().map(|u| UnitRow::new(u, lang)).collect(),
        reminders: crate::tasks::reminders_html(app, actor, lang).await,
    })
}

fn what(a: Awaiting, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => a.label_vi(),
        Lang::En => a.label_en(),
    }
}

fn awaiting_counts(list: &[AwaitingHousehold], lang: Lang) -> Vec<AwaitingCount> {
    Awaiting::ALL
        .into_iter()
        .filter_map(|kind| {
            let n = list.iter().filter(|a| a.awaiting == kind).count();
            (n > 0).then(|| AwaitingCount {
                what: what(kind, lang),
                count: format::number(n as i64),
            })
        })
        .collect()
}

fn awaiting_line(a: AwaitingHousehold, lang: Lang) -> AwaitingLine {
    AwaitingLine {
        household_href: format!("/households/{}", a.household_id),
        // A certificate not issued is done on the review's certificate page.
        review_href: if a.awaiting == Awaiting::Certificate {
            format!(
                "/reviews/{}/certificates?rh={}",
                a.review_id, a.review_household_id
            )
        } else {
            format!("/reviews/{}", a.review_id)
        },
        household: format!("{} – {}", a.household_code, a.head_name),
        village: a.village_name,
        what: what(a.awaiting, lang),
    }
}

/// The reporting dates of this year that are missed or due soon and not yet sent.
async fn due_lines(app: &App, user: &CurrentUser, lang: Lang) -> Result<Vec<DueLine>, AppError> {
    use chrono::Datelike;
    let year = app.clock().today().year();
    Ok(app
        .reporting_calendar(&user.actor, year)
        .await?
        .into_iter()
        .filter(|d| d.sent_on.is_none() && !matches!(d.status, DeadlineStatus::OnTime))
        .map(|d| DueLine {
            label: match lang {
                Lang::Vi => d.label_vi,
                Lang::En => d.label_en,
            },
            due: format::date(&d.due_on),
            state: lang.deadline(d.status),
            late: matches!(d.status, DeadlineStatus::Overdue { .. }),
        })
        .collect())
}

impl text::HT {
    fn intro(&self, role: Role) -> &'static str {
        match role {
            Role::Admin => self.intro_admin,
            Role::Office => self.intro_office,
            Role::AgencyOfficer => self.intro_agency,
            Role::CommuneOfficer => self.intro_commune,
            Role::VillageHead => self.intro_village,
            Role::Oversight => self.intro_oversight,
            Role::ProvinceViewer => self.intro_viewer,
        }
    }
}
