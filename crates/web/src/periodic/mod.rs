//! The periodic report an office sends up (báo cáo định kỳ) on the web: the page to pick
//! a unit and a period, read the report as it will print, write its text sections and
//! issue it; and `GET /api/v1/reports/periodic` answering JSON, .docx or PDF. The app
//! layer assembles the report and checks access; these handlers only render.

mod api;
mod pages;

pub use api::PeriodicDoc;

use crate::i18n::Lang;
use crate::routes::Routes;
use axum::routing::get;

pub(crate) fn routes() -> Routes {
    Routes::new().route("/reports/periodic", get(pages::page).post(pages::save))
}

pub(crate) fn api_routes() -> Routes {
    Routes::new().route("/reports/periodic", get(api::report))
}

/// The menu's label of the page.
pub fn menu_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Báo cáo định kỳ",
        Lang::En => "Periodic report",
    }
}
