//! Support policies on the web (issue 14): the JSON API of the catalogue, coverage and the
//! uncovered list, and the coverage page. The app layer checks access and computes.

mod api;
mod page;

use crate::i18n::Lang;
use crate::routes::Routes;
use giamngheo_app::access::Role;

/// The menu's link to the coverage page, for the roles that follow coverage.
pub(crate) fn menu_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Bao phủ chính sách",
        Lang::En => "Policy coverage",
    }
}

pub(crate) use api::PoliciesDoc;

/// The pages, served at the site's root.
pub(crate) fn routes() -> Routes {
    page::routes()
}

/// The JSON endpoints, served under `/api/v1`.
pub(crate) fn api_routes() -> Routes {
    api::routes()
}
