//! The steering committee's page of a unit and year: read-only, phone-readable and
//! printable; each line links to its detail (an inspection's page is in `inspections`).

use super::{due_label, status_label};
use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::i18n::{Lang, T};
use crate::svg;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use chrono::Datelike;
use giamngheo_app::App;
use giamngheo_app::programme::progress::Amounts;
use giamngheo_store::FindingRecord;
use serde::Deserialize;

pub struct Line {
    pub href: String,
    pub text: String,
    pub detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "committee.html")]
pub(super) struct CommitteePage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    unit: String,
    unit_name: String,
    year: i32,
    review_period: i32,
    targets: Vec<Line>,
    review: Vec<Line>,
    overdue: Vec<Line>,
    due_soon: Vec<Line>,
    findings: Vec<Line>,
    inspections: Vec<Line>,
    /// `None` leaves the line out: the actor may not read coverage or money.
    coverage: Option<Vec<Line>>,
    money: Option<Vec<Line>>,
}

#[derive(Deserialize)]
pub(super) struct CommitteeQuery {
    unit: Option<String>,
    year: Option<i32>,
}

fn finding_line(f: &FindingRecord, lang: Lang) -> Line {
    let href = match f.inspection_id {
        Some(i) => format!("/inspections/{i}"),
        None => match f.household_id {
            Some(h) => format!("/households/{h}"),
            None => format!("/tasks?unit={}", f.unit_code),
        },
    };
    let deadline = f
        .deadline
        .as_ref()
        .map(|d| match lang {
            Lang::Vi => format!(" · hạn {}", format::date(d)),
            Lang::En => format!(" · due {}", format::date(d)),
        })
        .unwrap_or_default();
    Line {
        href,
        text: finding_kind(&f.kind, lang).to_string(),
        detail: format!(
            "{}{deadline}",
            f.required_action.clone().unwrap_or_default()
        ),
    }
}

/// A finding's kind in words: in Vietnamese from the one list of every source's kinds;
/// an unknown kind is «Phát hiện khác» / "Other finding", never its code.
fn finding_kind(kind: &str, lang: Lang) -> &'static str {
    match (kind, lang) {
        (_, Lang::Vi) => giamngheo_app::policies::findings::finding_kind_vi(kind),
        ("income_above_line", Lang::En) => "Poor household with income above the line",
        ("meeting_under_threshold", Lang::En) => "Meeting passed under the required share",
        ("certificate_without_decision", Lang::En) => "Certificate without a decision",
        ("wrong_class", Lang::En) => "Household wrongly classified",
        (_, Lang::En) => "Other finding",
    }
}

pub(super) async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<CommitteeQuery>,
) -> Result<CommitteePage, HtmlError> {
    let unit = q.unit.unwrap_or_else(|| user.actor.unit_code.clone());
    let year = q.year.unwrap_or_else(|| app.clock().today().year());
    let v = app
        .committee(&user.actor, &unit, year)
        .await
        .map_err(|error| HtmlError { lang, error })?;
    let vi = lang == Lang::Vi;
    let task_line = |t: &giamngheo_app::tasks::TaskView| Line {
        href: format!("/tasks/{}", t.id),
        text: t.title.clone(),
        detail: format!(
            "{} · {} {} · {}",
            t.lead.name,
            due_label(t.due_state, lang),
            t.next_due.as_ref().map(format::date).unwrap_or_default(),
            status_label(t.status, lang)
        ),
    };
    Ok(CommitteePage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        targets: v
            .targets
            .targets
            .iter()
            .map(|p| Line {
                href: format!("/targets?unit={}&year={}", v.unit_code, year),
                text: if vi { &p.label_vi } else { &p.label_en }.clone(),
                detail: if vi {
                    p.status.label_vi()
                } else {
                    p.status.label_en()
                }
                .to_string(),
            })
            .collect(),
        review: v
            .review_steps
            .iter()
            .map(|s| Line {
                href: "/reviews".into(),
                text: s.label_vi.clone(),
                detail: format::number(s.reviews),
            })
            .collect(),
        overdue: v.overdue.iter().map(task_line).collect(),
        due_soon: v.due_soon.iter().map(task_line).collect(),
        findings: v
            .open_findings
            .iter()
            .map(|f| finding_line(f, lang))
            .collect(),
        inspections: v
            .inspections
            .iter()
            .map(|i| Line {
                href: format!("/inspections/{}", i.id),
                text: format::date(&i.planned_on),
                detail: i
                    .subject_code
                    .clone()
                    .unwrap_or_else(|| i.subject_kind.clone()),
            })
            .collect(),
        coverage: v.coverage.as_ref().map(|rows| {
            rows.iter()
                .map(|r| coverage_line(&app, r, &v.unit_code, year, lang))
                .collect()
        }),
        money: v
            .money
            .as_ref()
            .map(|m| money_lines(m, &v.unit_code, year, lang)),
        unit: v.unit_code.clone(),
        unit_name: v.unit_name.clone(),
        year,
        review_period: v.review_period,
    })
}

/// A policy's coverage in one line, linking to its coverage by the units below.
fn coverage_line(
    app: &App,
    r: &giamngheo_app::policies::coverage::CoverageRow,
    unit: &str,
    year: i32,
    lang: Lang,
) -> Line {
    let vi = lang == Lang::Vi;
    let name = if vi {
        r.policy_name.clone()
    } else {
        app.policies()
            .get(&r.policy)
            .map(|p| p.name_en.clone())
            .unwrap_or_else(|| r.policy_name.clone())
    };
    let to_confirm = match (r.to_confirm, vi) {
        (false, _) => "",
        (true, true) => " (có mức cần xác nhận)",
        (true, false) => " (a figure to confirm)",
    };
    let detail = if vi {
        format!(
            "đủ điều kiện {} · được hưởng {} · tỷ lệ {}{to_confirm}",
            format::number(r.eligible),
            format::number(r.covered),
            svg::percent(r.rate)
        )
    } else {
        format!(
            "eligible {} · covered {} · rate {}{to_confirm}",
            format::number(r.eligible),
            format::number(r.covered),
            svg::percent(r.rate)
        )
    };
    Line {
        href: format!("/coverage?unit={unit}&year={year}&policy={}", r.policy),
        text: name,
        detail,
    }
}

/// The programme's money of the year in four lines, each linking to the progress page.
fn money_lines(m: &Amounts, unit: &str, year: i32, lang: Lang) -> Vec<Line> {
    let vi = lang == Lang::Vi;
    let href = format!("/programme?unit={unit}&year={year}");
    let money = |v: i64| {
        if vi {
            format!("{} đồng", format::number(v))
        } else {
            format!("{} VND", format::number(v))
        }
    };
    let rate = m.rate.map(svg::percent).unwrap_or_else(|| {
        if vi {
            "chưa phân bổ".into()
        } else {
            "nothing allocated".into()
        }
    });
    let lines: [(&str, &str, String); 4] = [
        ("Kế hoạch", "Planned", money(m.planned)),
        ("Đã phân bổ", "Allocated", money(m.allocated)),
        ("Đã giải ngân", "Disbursed", money(m.disbursed)),
        ("Tỷ lệ giải ngân", "Disbursement rate", rate),
    ];
    lines
        .into_iter()
        .map(|(text_vi, text_en, detail)| Line {
            href: href.clone(),
            text: if vi { text_vi } else { text_en }.to_string(),
            detail,
        })
        .collect()
}
