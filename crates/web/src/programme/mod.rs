//! The programme's money on the web (issue 16): the progress page with the ledger and
//! its forms, the allocation page (suggestion with its formula per commune, editable,
//! then adopted), the exports, and the JSON API under `/api/v1/programme`. The app
//! layer checks access; these handlers only read the request and render.

mod activities;
mod activities_api;
mod activities_text;
mod api;
mod beneficiary_imports;
mod dashboard;
mod figures;
mod pages;
mod text;

pub use activities_api::ActivityDoc;
pub use api::ProgrammeDoc;
pub use beneficiary_imports::BeneficiaryImportDoc;
pub(crate) use beneficiary_imports::queue_text;
pub(crate) use dashboard::money_section;
pub use figures::FiguresDoc;
pub(crate) use figures::{figure_api_link, figure_link};

/// The programme's pages: the money's and the activities'.
pub(crate) fn routes() -> crate::routes::Routes {
    pages::routes()
        .merge(activities::routes())
        .merge(beneficiary_imports::routes())
        .merge(figures::routes())
}

/// The programme's API: the money's and the activities'.
pub(crate) fn api_routes() -> crate::routes::Routes {
    api::api_routes()
        .merge(activities_api::api_routes())
        .merge(beneficiary_imports::api_routes())
        .merge(figures::api_routes())
}

use crate::i18n::Lang;
use chrono::Datelike;
use giamngheo_app::access::Actor;
use giamngheo_app::{App, AppError};

/// The unit and year a programme request is about: those asked for, else the user's own
/// unit and this year. Every programme page, export and API read starts here, so that
/// they agree on the defaults; the app then checks access to the unit.
pub(crate) fn unit_and_year(
    app: &App,
    actor: &Actor,
    unit: Option<String>,
    year: Option<i32>,
) -> (String, i32) {
    (
        unit.unwrap_or_else(|| actor.unit_code.clone()),
        year.unwrap_or_else(|| app.clock().today().year()),
    )
}

/// The menu's label of the programme pages.
pub(crate) fn menu_label(lang: Lang) -> &'static str {
    text::lang_text(lang).menu
}

/// The menu's label of the activity pages.
pub(crate) fn activities_label(lang: Lang) -> &'static str {
    activities_text::activity_text(lang).menu
}

/// Reads an amount of VND as an officer types it: `1.500.000`, `1 500 000` or
/// `1500000`. Anything else (a decimal comma, letters) is refused naming the field.
pub(crate) fn parse_vnd(field: &str, text: &str) -> Result<u64, AppError> {
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if digits.is_empty() {
        return Err(AppError::invalid(field, "cần nhập số tiền"));
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            field,
            format!("«{}» không phải số tiền (đồng, số nguyên)", text.trim()),
        ));
    }
    digits
        .parse::<u64>()
        .map_err(|_| AppError::invalid(field, "số tiền quá lớn"))
}

/// Reads a date typed as `dd/mm/yyyy` (or `yyyy-mm-dd` from a date input).
pub(crate) fn parse_day(field: &str, text: &str) -> Result<chrono::NaiveDate, AppError> {
    giamngheo_sheets::units::parse_date(text.trim()).map_err(|e| AppError::invalid(field, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_officers_type_them() {
        assert_eq!(parse_vnd("amount", "1.500.000").unwrap(), 1_500_000);
        assert_eq!(parse_vnd("amount", " 1 500 000 ").unwrap(), 1_500_000);
        assert!(parse_vnd("amount", "1,5").is_err());
        assert!(parse_vnd("amount", "").is_err());
        assert!(parse_vnd("amount", "99999999999999999999999").is_err());
    }
}
