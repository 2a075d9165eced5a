//! The field survey on the web and the API (issue 18): the reviews a survey tool lists,
//! the forms for ODK Collect and KoboCollect, and the submissions they send back. The
//! app layer (`giamngheo_app::survey`) checks access and does the work.

mod api;
mod forms;
mod text;

use crate::i18n::Lang;
use crate::routes::Routes;
use askama::Template;
use axum::routing::get;
use giamngheo_app::reviews::ReviewView;

pub use api::SurveyDoc;

/// The pages under the site root.
pub(crate) fn routes() -> Routes {
    Routes::new().route("/reviews/{id}/forms.zip", get(forms::page_zip))
}

/// The endpoints under `/api/v1`.
pub(crate) fn api_routes() -> Routes {
    api::routes().route("/reviews/{id}/forms.zip", get(forms::api_zip))
}

#[derive(Template)]
#[template(path = "survey_card.html")]
struct Card {
    s: &'static text::ST,
    id: i64,
}

/// The survey card of a review's page (already escaped HTML), shown to every user who
/// may read the review.
pub(crate) fn review_card(lang: Lang, view: &ReviewView) -> String {
    Card {
        s: text::st(lang),
        id: view.review.id,
    }
    .render()
    .unwrap_or_default()
}
