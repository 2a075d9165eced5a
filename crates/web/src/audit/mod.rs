//! The audit log page (`/audit`): every write of the user's area in words, filtered by
//! who acted, when (a range of days in Vietnam's time), which action and which unit.
//! The app layer keeps the log within the user's area and refuses a unit outside it.

mod words;

pub use words::{HistoryRow, history_rows};

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::form::Refused;
use crate::format;
use crate::hh_text::HT;
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate};
use giamngheo_app::{App, AppError};
use giamngheo_store::AuditFilter;
use serde::Deserialize;
use std::collections::HashMap;

pub(crate) fn routes() -> Routes {
    Routes::new().route("/audit", get(page))
}

/// The filters as typed in the page's form; all optional.
#[derive(Deserialize, Default)]
struct AuditQuery {
    user: Option<String>,
    from: Option<String>,
    to: Option<String>,
    action: Option<String>,
    unit: Option<String>,
    page: Option<String>,
}

/// An entry as the page lists it.
pub struct AuditLine {
    pub row: HistoryRow,
    /// The household it is about, "code – head", with its page.
    pub household: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    t: &'static T,
    h: &'static HT,
    lang: Lang,
    viewer: Option<Viewer>,
    a: &'static AT,
    rows: Vec<AuditLine>,
    total: String,
    prev: Option<String>,
    next: Option<String>,
    /// The filters as typed, and the problem of one of them.
    form: Refused,
    actions: Vec<(&'static str, &'static str)>,
    units: Vec<(String, String)>,
}

impl AuditPage {
    /// A problem of the filters that no field shows.
    fn general_problem(&self) -> Option<&str> {
        self.form.general(&["user", "from", "to", "action", "unit"])
    }
}

/// The page's own text.
pub struct AT {
    pub filter: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub unit: &'static str,
    pub any: &'static str,
    pub show: &'static str,
    pub entries: &'static str,
    pub none: &'static str,
}

const VI: AT = AT {
    filter: "Lọc nhật ký",
    from: "Từ ngày",
    to: "Đến ngày",
    unit: "Đơn vị",
    any: "Tất cả",
    show: "Xem",
    entries: "Số mục",
    none: "Không có mục nào khớp bộ lọc.",
};

const EN: AT = AT {
    filter: "Filter the log",
    from: "From",
    to: "To",
    unit: "Unit",
    any: "All",
    show: "Show",
    entries: "Entries",
    none: "No entry matches the filter.",
};

fn text(lang: Lang) -> &'static AT {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// A day typed as dd/mm/yyyy, or nothing when the field is empty.
fn day(s: Option<&str>, field: &str) -> Result<Option<NaiveDate>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => giamngheo_sheets::units::parse_date(s)
            .map(Some)
            .map_err(|e| AppError::invalid(field, e)),
    }
}

/// The first instant of a day in Vietnam (UTC+7), as the log stores instants.
fn start_of_day_utc(d: NaiveDate) -> String {
    let utc = d.and_hms_opt(0, 0, 0).expect("midnight") - Duration::hours(7);
    utc.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn filter_of(q: &AuditQuery) -> Result<AuditFilter, AppError> {
    fn text(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let from = day(q.from.as_deref(), "from")?;
    let to = day(q.to.as_deref(), "to")?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(AppError::invalid("to", "ngày kết thúc trước ngày bắt đầu"));
    }
    let action = text(&q.action).map(str::to_string);
    if let Some(a) = &action
        && !words::ACTIONS.iter().any(|(code, _, _)| code == a)
    {
        return Err(AppError::invalid(
            "action",
            "thao tác không có trong danh sách",
        ));
    }
    Ok(AuditFilter {
        username: text(&q.user).map(str::to_string),
        action,
        from: from.map(start_of_day_utc),
        before: to.map(|t| start_of_day_utc(t + Duration::days(1))),
        unit: text(&q.unit).map(str::to_string),
    })
}

async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let typed: HashMap<String, String> = [
        ("user", &q.user),
        ("from", &q.from),
        ("to", &q.to),
        ("action", &q.action),
        ("unit", &q.unit),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
    .collect();
    let page_number = match q.page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 1,
        Some(p) => p
            .parse::<i64>()
            .map_err(|_| err(AppError::invalid("page", "số trang phải là số")))?
            .max(1),
    };
    let (filter, form) = match filter_of(&q) {
        Ok(f) => (Some(f), Refused::with_values(typed.clone())),
        Err(e) => (None, Refused::of(typed.clone(), e).map_err(err)?),
    };
    let (records, total) = match &filter {
        Some(f) => app
            .audit_log(&user.actor, f, page_number)
            .await
            .map_err(err)?,
        None => (Vec::new(), 0),
    };
    let ids: Vec<i64> = {
        let mut ids: Vec<i64> = records
            .iter()
            .filter_map(|r| r.entry.household_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let labels = app
        .audit_household_labels(&user.actor, &ids)
        .await
        .map_err(err)?;
    let rows = records
        .iter()
        .map(|r| r.entry.household_id)
        .zip(history_rows(lang, &records))
        .map(|(hid, row)| AuditLine {
            row,
            household: hid.and_then(|id| {
                labels
                    .get(&id)
                    .map(|(code, head)| (format!("/households/{id}"), format!("{code} – {head}")))
            }),
        })
        .collect();
    let actor = &user.actor;
    let units = {
        let own = (!actor.unit_code.is_empty()).then_some(actor.unit_code.as_str());
        let mut units = Vec::new();
        if let Some(code) = own {
            let u = app.unit(code).await.map_err(err)?;
            units.push((u.code, u.name));
        }
        for c in app.children(own).await.map_err(err)? {
            units.push((c.code, c.name));
        }
        units
    };
    let size = giamngheo_app::households::PAGE_SIZE;
    let link = |p: i64| {
        let p = p.to_string();
        let mut pairs: Vec<(&str, &str)> = ["user", "from", "to", "action", "unit"]
            .into_iter()
            .filter_map(|k| typed.get(k).map(|v| (k, v.as_str())))
            .collect();
        pairs.push(("page", &p));
        format!("/audit?{}", crate::hh_list::query_string(&pairs))
    };
    let status = if form.is_refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AuditPage {
        t: lang.t(),
        h: lang.h(),
        lang,
        viewer: Some(user.viewer(lang)),
        a: text(lang),
        rows,
        total: format::number(total),
        prev: (page_number > 1).then(|| link(page_number - 1)),
        next: (page_number * size < total).then(|| link(page_number + 1)),
        form,
        actions: words::ACTIONS
            .iter()
            .map(|(code, vi, en)| {
                (
                    *code,
                    match lang {
                        Lang::Vi => *vi,
                        Lang::En => *en,
                    },
                )
            })
            .collect(),
        units,
    };
    Ok((status, page).into_response())
}
