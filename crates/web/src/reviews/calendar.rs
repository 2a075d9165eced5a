//! The reporting calendar of the reviews.

use super::{date, err};
use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::i18n::{Lang, T};
use crate::rv_text::RT;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use giamngheo_app::App;
use serde::Deserialize;

pub struct DueLine {
    /// The due date as the form sends it back (`yyyy-mm-dd`).
    pub due_iso: String,
    /// "Đã gửi ngày dd/mm/yyyy" once recorded; empty before.
    pub sent: String,
    pub label: String,
    /// The instrument that names the date, shown under its label.
    pub source: String,
    pub due: String,
    pub status: String,
    pub late: bool,
    pub open: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "reporting_calendar.html")]
pub(super) struct CalendarPage {
    t: &'static T,
    r: &'static RT,
    lang: Lang,
    viewer: Option<Viewer>,
    year: i32,
    rows: Vec<DueLine>,
    today: String,
}

#[derive(Deserialize, Default)]
pub(super) struct YearQuery {
    year: Option<i32>,
}

pub(super) async fn calendar(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<CalendarPage, HtmlError> {
    let year = q.year.unwrap_or_else(|| app.clock().today().year());
    let dues = app
        .reporting_calendar(&user.actor, year)
        .await
        .map_err(err(lang))?;
    Ok(CalendarPage {
        t: lang.t(),
        r: lang.r(),
        lang,
        viewer: Some(user.viewer(lang)),
        year,
        today: format::date(&app.clock().today()),
        rows: dues
            .into_iter()
            .map(|d| DueLine {
                due_iso: d.due_on.to_string(),
                sent: d
                    .sent_on
                    .map(|on| {
                        let late = (on - d.due_on).num_days();
                        match (lang, late > 0) {
                            (Lang::Vi, false) => {
                                format!("Đã gửi ngày {}, đúng hạn", format::date(&on))
                            }
                            (Lang::Vi, true) => {
                                format!("Đã gửi ngày {}, muộn {late} ngày", format::date(&on))
                            }
                            (Lang::En, false) => format!("Sent on {}, on time", format::date(&on)),
                            (Lang::En, true) => {
                                format!("Sent on {}, {late} days late", format::date(&on))
                            }
                        }
                    })
                    .unwrap_or_default(),
                label: match lang {
                    Lang::Vi => d.label_vi,
                    Lang::En => d.label_en,
                },
                source: d.source,
                due: format::date(&d.due_on),
                late: d.sent_on.is_none()
                    && matches!(
                        d.status,
                        giamngheo_app::rules::DeadlineStatus::Overdue { .. }
                    ),
                status: lang.deadline(d.status),
                open: d.open_reviews,
            })
            .collect(),
    })
}

#[derive(Deserialize)]
pub(super) struct SentForm {
    due_on: String,
    sent_on: String,
}

/// Records a report of the calendar as sent, then shows the calendar of its year.
pub(super) async fn calendar_sent(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(f): Form<SentForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let due_on = date(&f.due_on, "due_on").map_err(&e)?;
    let sent_on = date(&f.sent_on, "sent_on").map_err(&e)?;
    app.record_report_sent(&user.actor, due_on, sent_on)
        .await
        .map_err(&e)?;
    Ok(Redirect::to(&format!("/reviews/calendar?year={}", due_on.year())).into_response())
}
