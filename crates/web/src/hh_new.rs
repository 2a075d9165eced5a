//! The page that adds a household (`/households/new`): the form with the next household
//! code of the commune already filled in, and, for a user above the communes (an office
//! of a province or district), first the choice of the commune.

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::hh_text::HT;
use crate::households::{HouseholdForm, commune_for, form_page, village_options};
use crate::i18n::{Lang, T};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use giamngheo_app::access::Action;
use giamngheo_app::{App, AppError};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub(crate) struct NewQuery {
    village: Option<String>,
    commune: Option<String>,
}

/// The communes an office may add a household in, to pick one.
#[derive(Template, WebTemplate)]
#[template(path = "household_commune.html")]
struct CommunePage {
    t: &'static T,
    h: &'static HT,
    lang: Lang,
    viewer: Option<Viewer>,
    title: &'static str,
    help: &'static str,
    communes: Vec<(String, String)>,
}

/// The communes under a unit: its children, or their children when the children are
/// districts (a four-level history).
async fn communes_under(app: &App, unit: &str) -> Result<Vec<(String, String)>, AppError> {
    let mut out = Vec::new();
    for child in app.children(Some(unit)).await? {
        if child.tier == "commune" {
            out.push((child.code, child.name));
        } else if child.tier == "district" {
            for c in app.children(Some(&child.code)).await? {
                out.push((c.code, c.name));
            }
        }
    }
    Ok(out)
}

pub(crate) async fn new_form(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    if !user.actor.may(Action::WriteHouseholds) {
        return Err(err(AppError::Forbidden("thêm hộ".into())));
    }
    let picked = q
        .commune
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let commune = match (picked, q.village.as_deref()) {
        (Some(c), _) => c.to_string(),
        (None, village) => match commune_for(&app, &user, village).await {
            Ok(c) => c,
            // An office above the communes picks the commune first.
            Err(AppError::Invalid { .. }) if village.is_none() => {
                let (title, help) = match lang {
                    Lang::Vi => (
                        "Thêm hộ: chọn xã",
                        "Hộ mới thuộc thôn của một xã; hãy chọn xã trước.",
                    ),
                    Lang::En => (
                        "Add a household: pick the commune",
                        "A new household belongs to a village of a commune; pick the commune first.",
                    ),
                };
                let communes = communes_under(&app, &user.actor.unit_code)
                    .await
                    .map_err(err)?;
                return Ok(CommunePage {
                    t: lang.t(),
                    h: lang.h(),
                    lang,
                    viewer: Some(user.viewer(lang)),
                    title,
                    help,
                    communes,
                }
                .into_response());
            }
            Err(e) => return Err(err(e)),
        },
    };
    // The suggestion also checks that the user may add households in the commune.
    let code = app
        .suggest_household_code(&user.actor, &commune)
        .await
        .map_err(err)?;
    let villages = village_options(&app, &commune).await.map_err(err)?;
    let f = HouseholdForm {
        code,
        village_code: q.village.unwrap_or_default(),
        ..Default::default()
    };
    Ok(form_page(
        lang,
        &user,
        lang.h().add_household.to_string(),
        "/households".into(),
        "/households".into(),
        0,
        f,
        Vec::new(),
        villages,
        None,
        true,
    )
    .into_response())
}
