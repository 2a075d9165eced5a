//! Each role's home (`/`): the user's own unit with the links to its pages, the reviews
//! under way there with their step and due date (late ones first), and the units under
//! it. An administrator of the whole country lands on the provinces.

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::html::UnitRow;
use crate::i18n::{Lang, T};
use crate::menu::{self, MenuLink};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use giamngheo_app::access::{Action, Role};
use giamngheo_app::{App, AppError};

mod text;

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
    Ok(HomePage {
        t,
        lang,
        viewer: Some(user.viewer(lang)),
        h,
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
