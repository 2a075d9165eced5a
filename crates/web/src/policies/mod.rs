//! Support policies on the web (issue 14): the JSON API of the catalogue, coverage and the
//! uncovered list, and the coverage page; importing an agency's list, its match queue, and
//! the findings (page and `GET /api/v1/findings`). The app layer checks access and does
//! the work; these modules parse forms and render.

mod api;
pub(crate) mod benefits;
pub(crate) mod findings;
pub(crate) mod imports;
mod page;

use crate::i18n::Lang;
use crate::routes::Routes;

/// The menu's link to the coverage page, for the roles that follow coverage.
pub(crate) fn menu_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Bao phủ chính sách",
        Lang::En => "Policy coverage",
    }
}

/// The menu's link to the import of an agency's list.
pub(crate) fn import_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Nhập danh sách chính sách",
        Lang::En => "Import benefit lists",
    }
}

/// The menu's link to the rows of imported lists waiting to be matched.
pub(crate) fn queue_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Chờ đối chiếu",
        Lang::En => "Match queue",
    }
}

/// The menu's link to the findings.
pub(crate) fn findings_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Phát hiện",
        Lang::En => "Findings",
    }
}

pub(crate) use api::PoliciesDoc;

/// The pages, served at the site's root.
pub(crate) fn routes() -> Routes {
    page::routes()
        .merge(benefits::routes())
        .merge(imports::routes())
        .merge(findings::routes())
}

/// The JSON endpoints, served under `/api/v1`.
pub(crate) fn api_routes() -> Routes {
    api::routes().merge(findings::api_routes())
}
