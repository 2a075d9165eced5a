//! The dashboard's section on the programme's money: planned, allocated, disbursed and
//! the disbursement rate of the unit for a year, by commune, linking to the progress
//! report. Rendered here so that the dashboard only places it.

use super::pages::{AmountsView, amounts_view};
use super::text::{PT, lang_text};
use crate::i18n::Lang;
use askama::Template;
use giamngheo_app::access::Actor;
use giamngheo_app::{App, AppError};

#[derive(Template)]
#[template(path = "programme_dashboard.html")]
struct MoneySection {
    p: &'static PT,
    unit: String,
    year: i32,
    total: AmountsView,
    communes: Vec<AmountsView>,
    to_confirm: bool,
}

/// The section's HTML, or nothing for a role that does not read the programme's money.
pub(crate) async fn money_section(
    app: &App,
    actor: &Actor,
    unit: &str,
    year: i32,
    lang: Lang,
) -> Result<String, AppError> {
    let progress = match app.programme_progress(actor, unit, year).await {
        Ok(p) => p,
        Err(AppError::Forbidden(_)) => return Ok(String::new()),
        Err(e) => return Err(e),
    };
    let p = lang_text(lang);
    let section = MoneySection {
        p,
        unit: progress.unit.clone(),
        year,
        total: amounts_view(p.total.to_string(), &progress.total, false),
        communes: progress
            .communes
            .iter()
            .map(|c| amounts_view(c.name.clone(), &c.amounts, false))
            .collect(),
        to_confirm: progress.to_confirm,
    };
    section.render().map_err(|e| {
        AppError::invalid("dashboard", format!("không hiển thị được tiến độ vốn: {e}"))
    })
}
