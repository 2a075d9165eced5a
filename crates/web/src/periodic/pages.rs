//! The periodic report's page: the unit and period, the report as it will print, the
//! office's text sections in a form, the issue form, and the download links.

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::headers::{component, see_other};
use crate::i18n::{Lang, T};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use chrono::Datelike;
use giamngheo_app::periodic::{PeriodicReport, SectionKind, TextField};
use giamngheo_app::{App, AppError};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "periodic_report.html")]
pub(super) struct PeriodicPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: String,
    period: String,
    r: PeriodicReport,
    /// The national motto's lines, from the wording file (`common.motto`).
    motto: Vec<String>,
    place_date: String,
    as_of: String,
    /// The texts the office writes that are not sections: the recipients, the signer.
    others: Vec<TextField>,
    can_edit: bool,
    saved: Option<usize>,
    issued_on: Option<String>,
}

impl PeriodicPage {
    /// The text of a section's key as it stands, for its form box.
    fn text(&self, key: &str) -> Option<&TextField> {
        self.r.texts.iter().find(|t| t.key == key)
    }

    /// A figure column's cells are right-aligned.
    fn cell_class(right: &[bool], i: &usize) -> &'static str {
        if right.get(*i).copied().unwrap_or(false) {
            "num"
        } else {
            ""
        }
    }

    fn is_text(kind: &SectionKind) -> bool {
        *kind == SectionKind::Text
    }
}

#[derive(Deserialize)]
pub(super) struct PageQuery {
    unit: Option<String>,
    period: Option<String>,
    saved: Option<usize>,
}

/// The quarter running today, the report an office prepares most often.
fn current_quarter(app: &App) -> String {
    let today = app.clock().today();
    format!("{}-Q{}", today.year(), today.month0() / 3 + 1)
}

pub(super) async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<PeriodicPage, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let unit = q
        .unit
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| user.actor.unit_code.clone());
    let period = q
        .period
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| current_quarter(&app));
    let r = app
        .periodic_report(&user.actor, &unit, &period)
        .await
        .map_err(err)?;
    let section_keys: Vec<&str> = r.sections.iter().map(|s| s.key.as_str()).collect();
    let others = r
        .texts
        .iter()
        .filter(|t| !section_keys.contains(&t.key.as_str()))
        .cloned()
        .collect();
    Ok(PeriodicPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        unit: r.unit_code.clone(),
        period: r.period.clone(),
        motto: app.config().wording.motto(),
        place_date: app.config().wording.date_line(&r.place, r.date),
        as_of: format::date(&r.as_of),
        others,
        can_edit: App::may_write_periodic(user.actor.role) && r.issued.is_none(),
        saved: q.saved,
        issued_on: r.issued.as_ref().map(|i| format::date(&i.issued_on)),
        r,
    })
}

/// Saves the texts (`text_<key>` fields), or issues the report (`action=issue` with its
/// `number` and `issued_on`); then back to the page.
pub(super) async fn save(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let unit = field("unit");
    let period = field("period");
    if unit.trim().is_empty() || period.trim().is_empty() {
        return Err(err(AppError::invalid("period", "cần đơn vị và kỳ báo cáo")));
    }
    let mut saved = 0;
    if field("action") == "issue" {
        let issued_on = match field("issued_on").trim() {
            "" => None,
            d => Some(
                giamngheo_sheets::units::parse_date(d)
                    .map_err(|e| err(AppError::invalid("issued_on", e)))?,
            ),
        };
        app.issue_periodic_report(&user.actor, &unit, &period, &field("number"), issued_on)
            .await
            .map_err(err)?;
    } else {
        let texts: Vec<(String, String)> = fields
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("text_").map(|k| (k.to_string(), v.clone())))
            .collect();
        saved = app
            .save_periodic_texts(&user.actor, &unit, &period, &texts)
            .await
            .map_err(err)?;
    }
    Ok(see_other(&format!(
        "/reports/periodic?unit={}&period={}&saved={saved}",
        component(&unit),
        component(&period)
    )))
}
