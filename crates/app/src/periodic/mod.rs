//! The periodic report an office sends up (báo cáo định kỳ) for a unit and a month,
//! quarter or year: assembled from what the product holds — each agency's tasks and
//! progress, the targets with their status, the review results and movements, the
//! policies' coverage and the programme's money — through the same functions as the
//! pages that show them, so that a figure never differs between the two. What the
//! product cannot know (the assessment, the difficulties, the proposals, the
//! recipients, the signer's name) the office writes; each save is kept as a draft with
//! its history and audit entry until the report is issued with its number.
//!
//! The structure (sections, headings, title) is data: `reports/bao-cao-dinh-ky.toml`,
//! overridable through `--reports-dir` ([`layout`]).
//!
//! Access: the office and an administrator prepare, save and issue the report of a unit
//! in their area; oversight reads it. Other roles have their own pages.

mod content;
mod doc;
pub mod layout;
pub mod period;
mod texts;

pub use layout::{Layout, SectionDef, SectionKind};
pub use period::{Period, Span};
pub use texts::TextField;

use crate::access::{Action, Actor, Role};
use crate::{App, AppError};
use chrono::NaiveDate;
use serde::Serialize;

/// A table of a computed section, already formatted (`1.500.000`, `4,03`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub columns: Vec<String>,
    /// Each column's share of the text width.
    pub widths: Vec<f32>,
    /// Right-aligned (figure) columns.
    pub right: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

/// One section as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub key: String,
    pub kind: SectionKind,
    pub heading: String,
    /// Computed sections: their tables, in order (the review has three).
    pub tables: Vec<(String, Table)>,
    /// Computed sections: sentences under the tables (overdue tasks, "cần xác nhận").
    pub notes: Vec<String>,
    /// Text sections: the text in force, empty until written.
    pub text: String,
    pub hint: String,
}

/// A report's issue: its number, date and who issued it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub number: String,
    pub issued_on: NaiveDate,
    pub issued_by: String,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodicReport {
    pub unit_code: String,
    pub unit_name: String,
    /// `2021-Q2`, as asked.
    pub period: String,
    /// "quý II năm 2021".
    pub period_label: String,
    /// The day the figures are taken on: the period's last day, or today while it runs.
    pub as_of: NaiveDate,
    /// The issuing body's lines, the body itself last.
    pub agency: Vec<String>,
    /// The place of the date line ("Hương Khê").
    pub place: String,
    /// "15/BC-UBND" once issued, "…/BC-UBND" while a draft.
    pub number: String,
    /// The issue date once issued, today while a draft.
    pub date: NaiveDate,
    pub issued: Option<Issue>,
    pub title: String,
    pub subject: String,
    pub sections: Vec<Section>,
    pub recipients: Vec<String>,
    pub signer: Vec<String>,
    pub signer_name: String,
    /// The texts the office writes, with who saved them last and how many versions.
    pub texts: Vec<TextField>,
    /// A movement check of the review fails: the report says so in its text.
    pub check_failed: bool,
}

/// Whether the role may read the periodic report; `write` asks whether it may also save
/// and issue it.
fn role_may(role: Role, write: bool) -> bool {
    match role {
        Role::Admin | Role::Office => true,
        Role::Oversight => !write,
        _ => false,
    }
}

impl App {
    /// Checks that `actor` may read (or, with `write`, prepare and issue) the periodic
    /// report of `unit`.
    pub(crate) async fn authorize_periodic(
        &self,
        actor: &Actor,
        unit: &str,
        write: bool,
    ) -> Result<(), AppError> {
        if !role_may(actor.role, write) {
            return Err(AppError::Forbidden(format!(
                "vai trò {} không {} báo cáo định kỳ",
                actor.role.label_vi(),
                if write { "soạn, ban hành" } else { "xem" }
            )));
        }
        self.authorize(actor, Action::ReadAggregates, unit).await
    }

    /// Whether the menu shows the periodic report to this role.
    pub fn may_read_periodic(role: Role) -> bool {
        role_may(role, false)
    }

    /// Whether the role may save and issue the periodic report.
    pub fn may_write_periodic(role: Role) -> bool {
        role_may(role, true)
    }

    /// The periodic report of `unit` for `period` (`2021`, `2021-Q2`, `2021-05`), for
    /// the office, an administrator or oversight whose area holds the unit.
    pub async fn periodic_report(
        &self,
        actor: &Actor,
        unit: &str,
        period: &str,
    ) -> Result<PeriodicReport, AppError> {
        self.authorize_periodic(actor, unit, false).await?;
        self.periodic_report_as_system(unit, period).await
    }

    /// The periodic report without an access check (the command line).
    pub async fn periodic_report_as_system(
        &self,
        unit: &str,
        period: &str,
    ) -> Result<PeriodicReport, AppError> {
        let period = Period::parse(period)?;
        let unit = self.unit(unit).await?;
        let layout = self.catalog().periodic.clone();
        let today = self.clock().today();
        let as_of = period.end().min(today).max(period.start());
        let key = period.to_string();
        let issued = self
            .store()
            .periodic_issue(&unit.code, &key)
            .await?
            .map(|i| Issue {
                number: i.number,
                issued_on: i.issued_on,
                issued_by: i.issued_by,
            });
        let texts = self.periodic_texts(&unit.code, &key, &layout).await?;
        let text_of = |k: &str| {
            texts
                .iter()
                .find(|t| t.key == k)
                .map(|t| t.body.clone())
                .unwrap_or_default()
        };
        let mut sections = Vec::new();
        let mut check_failed = false;
        let mut header = None;
        for def in &layout.sections {
            let mut section = Section {
                key: def.key.clone(),
                kind: def.kind,
                heading: def.heading.clone(),
                tables: Vec::new(),
                notes: Vec::new(),
                text: String::new(),
                hint: def.hint.clone(),
            };
            match def.kind {
                SectionKind::Text => section.text = text_of(&def.key),
                SectionKind::Tasks => {
                    self.tasks_section(&unit.code, &period, &mut section)
                        .await?
                }
                SectionKind::Targets => {
                    self.targets_section(&unit.code, &period, &mut section)
                        .await?
                }
                SectionKind::Review => {
                    let (failed, agency) = self
                        .review_section(&unit.code, &period, as_of, &mut section)
                        .await?;
                    check_failed |= failed;
                    header = Some(agency);
                }
                SectionKind::Coverage => {
                    self.coverage_section(&unit.code, &period, as_of, &mut section)
                        .await?
                }
                SectionKind::Money => {
                    self.money_section(&unit.code, &period, &mut section)
                        .await?
                }
            }
            sections.push(section);
        }
        // The issuing body and the place come from the official report of the unit, so
        // that they read as on every other report; a layout without the review section
        // still needs them.
        let (agency, place) = match header {
            Some(h) => h,
            None => self.report_header(&unit.code, &period, as_of).await?,
        };
        let recipients_text = match text_of(layout::RECIPIENTS) {
            t if t.trim().is_empty() => layout.recipients.clone(),
            t => t,
        };
        let (number, date) = match &issued {
            Some(i) => (i.number.clone(), i.issued_on),
            None => (format!("…{}", layout.number_suffix), today),
        };
        Ok(PeriodicReport {
            unit_code: unit.code.clone(),
            unit_name: unit.name.clone(),
            period: key,
            period_label: period.label_vi(),
            as_of,
            agency,
            place,
            number,
            date,
            issued,
            title: layout.title.clone(),
            subject: layout
                .subject
                .replace("{period}", &period.label_vi())
                .replace("{unit}", &unit.name),
            sections,
            recipients: recipients_text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            signer: layout.signer.clone(),
            signer_name: text_of(layout::SIGNER_NAME),
            texts,
            check_failed,
        })
    }
}
