//! The field survey on the web and the API (issue 18): the reviews a survey tool lists,
//! the forms for ODK Collect and KoboCollect, and the submissions they send back. The
//! app layer (`giamngheo_app::survey`) checks access and does the work.

mod api;

use crate::routes::Routes;

pub use api::SurveyDoc;

/// The pages under the site root.
pub(crate) fn routes() -> Routes {
    Routes::new()
}

/// The endpoints under `/api/v1`.
pub(crate) fn api_routes() -> Routes {
    api::routes()
}
