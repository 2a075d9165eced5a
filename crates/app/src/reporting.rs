//! The reporting calendar (lịch báo cáo): the due dates the regulation names, read from
//! `reporting/due-dates.toml` rather than written in code, each with its status today
//! and the reviews in the area still open that it needs.
//!
//! A due date that has passed is late ("Quá hạn") until the unit records its report as
//! sent ([`App::record_report_sent`]), whether or not any review was opened: "no review
//! open" used to read "Còn trong hạn", which told a commune that had sent nothing that all
//! was well.

use crate::access::{Action, Actor, Role};
use crate::{App, AppError};
use chrono::{Datelike, NaiveDate};
use giamngheo_rules::DeadlineStatus;
use serde::Deserialize;
use std::sync::LazyLock;

const DUE_DATES_TEXT: &str = include_str!("../reporting/due-dates.toml");

/// Which reviews a report needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Covers {
    Regular,
    Periodic,
}

/// One entry of the due-dates file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueRule {
    pub covers: Covers,
    pub day: u32,
    pub months: Vec<u32>,
    pub label_vi: String,
    pub label_en: String,
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DueFile {
    due: Vec<DueRule>,
}

/// Reads and checks a due-dates file: every day must exist in every month it names.
pub fn parse_due_dates(text: &str) -> Result<Vec<DueRule>, String> {
    let file: DueFile = toml::from_str(text).map_err(|e| e.to_string())?;
    for rule in &file.due {
        for &month in &rule.months {
            // 2025 is not a leap year: a day valid in it is valid in every year.
            if NaiveDate::from_ymd_opt(2025, month, rule.day).is_none() {
                return Err(format!(
                    "«{}»: ngày {} tháng {month} không có trong mọi năm",
                    rule.label_vi, rule.day
                ));
            }
        }
    }
    Ok(file.due)
}

static DUE_DATES: LazyLock<Vec<DueRule>> = LazyLock::new(|| {
    parse_due_dates(DUE_DATES_TEXT)
        .unwrap_or_else(|e| panic!("the embedded reporting calendar is invalid: {e}"))
});

/// The due-date rules built into the product.
pub fn due_rules() -> &'static [DueRule] {
    &DUE_DATES
}

/// A due date of the reporting calendar (review.md) and whether it is met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportingDue {
    pub label_vi: String,
    pub label_en: String,
    pub due_on: NaiveDate,
    pub status: DeadlineStatus,
    /// Reviews in the area still open that this date needs.
    pub open_reviews: usize,
    /// The instrument that names the date.
    pub source: String,
    /// The day the unit recorded the report as sent; `status` is then frozen on that day.
    pub sent_on: Option<NaiveDate>,
}

impl App {
    /// The reporting calendar of a year, in date order: every due date of the data file,
    /// with its status today and the reviews in the area still open that it needs.
    pub async fn reporting_calendar(
        &self,
        actor: &Actor,
        year: i32,
    ) -> Result<Vec<ReportingDue>, AppError> {
        let reviews = self.reviews(actor, None).await?;
        let today = self.clock().today();
        let sent: std::collections::HashMap<NaiveDate, NaiveDate> = match (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            (Some(from), Some(to)) => self
                .store()
                .reports_sent(&actor.unit_code, from, to)
                .await?
                .into_iter()
                .collect(),
            _ => Default::default(),
        };
        let settings = self.review_settings().await?;
        let mut dues = Vec::new();
        for rule in due_rules() {
            for &month in &rule.months {
                let Some(due_on) = NaiveDate::from_ymd_opt(year, month, rule.day) else {
                    continue;
                };
                let month_start = due_on.with_day(1).expect("first of month");
                let open_reviews = reviews
                    .iter()
                    .filter(|r| r.closed_on.is_none())
                    .filter(|r| match rule.covers {
                        Covers::Regular => r.kind == "regular" && r.opened_on < month_start,
                        Covers::Periodic => r.kind == "periodic" && r.period == year + 1,
                    })
                    .count();
                let reported = if month == 1 { 12 } else { month - 1 };
                let sent_on = sent.get(&due_on).copied();
                dues.push(ReportingDue {
                    label_vi: rule.label_vi.replace("{month}", &reported.to_string()),
                    label_en: rule.label_en.replace("{month}", &reported.to_string()),
                    due_on,
                    // A date that has passed is late until its report is recorded as
                    // sent: a commune with no review open still owes its report. A sent
                    // report keeps the status of the day it went.
                    status: self.calendar().deadline_status(
                        sent_on.unwrap_or(today),
                        due_on,
                        settings.warning_working_days,
                    ),
                    open_reviews,
                    source: rule.source.clone(),
                    sent_on,
                });
            }
        }
        dues.sort_by_key(|d| d.due_on);
        Ok(dues)
    }
}

impl App {
    /// Records that the user's unit sent the report due on `due_on`, on `sent_on`. Only
    /// those who send reports may (a commune officer, an office, an administrator); the
    /// date must be one of the calendar's and the day not in the future. Audited.
    pub async fn record_report_sent(
        &self,
        actor: &Actor,
        due_on: NaiveDate,
        sent_on: NaiveDate,
    ) -> Result<(), AppError> {
        self.authorize(actor, Action::ReadAggregates, &actor.unit_code)
            .await?;
        if !matches!(
            actor.role,
            Role::Admin | Role::Office | Role::CommuneOfficer
        ) {
            return Err(AppError::Forbidden(format!(
                "vai trò {} không ghi nhận gửi báo cáo",
                actor.role.label_vi()
            )));
        }
        let is_due_date = due_rules()
            .iter()
            .any(|r| r.day == due_on.day() && r.months.contains(&due_on.month()));
        if !is_due_date {
            return Err(AppError::invalid(
                "due_on",
                format!(
                    "ngày {} không phải hạn báo cáo nào",
                    due_on.format("%d/%m/%Y")
                ),
            ));
        }
        if sent_on > self.clock().today() {
            return Err(AppError::invalid("sent_on", "ngày gửi ở tương lai"));
        }
        let unit = self.unit(&actor.unit_code).await?;
        let mut audit = self.audit(
            actor,
            "report.sent",
            "report",
            format!("{}:{}", unit.code, due_on),
            None,
            &unit.code,
            &unit.province_code,
            vec![Self::change("sent_on", (), sent_on.to_string())],
        );
        audit.reason = Some(format!("hạn {}", due_on.format("%d/%m/%Y")));
        self.store()
            .record_report_sent(&unit.code, due_on, sent_on, &actor.username, &audit)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_due_date_of_the_regulation_is_in_the_data() {
        let rules = due_rules();
        let monthly = rules
            .iter()
            .find(|r| r.covers == Covers::Regular)
            .expect("monthly reports");
        assert_eq!(monthly.day, 5);
        assert_eq!(monthly.months, (2..=9).collect::<Vec<_>>());
        let yearly: Vec<(u32, Vec<u32>)> = rules
            .iter()
            .filter(|r| r.covers == Covers::Periodic)
            .map(|r| (r.day, r.months.clone()))
            .collect();
        assert_eq!(
            yearly,
            vec![(15, vec![11]), (14, vec![12]), (20, vec![12])],
            "15/11, the end of the window on 14/12 and 20/12"
        );
        assert!(rules.iter().all(|r| r.source.contains("24/2021")));
    }

    #[test]
    fn a_day_missing_from_a_month_is_refused() {
        let text = "[[due]]\ncovers = \"regular\"\nday = 31\nmonths = [4]\n\
                    label_vi = \"Báo cáo\"\nlabel_en = \"Report\"\nsource = \"x\"\n";
        let error = parse_due_dates(text).unwrap_err();
        assert!(error.contains("ngày 31 tháng 4"), "{error}");
    }
}
