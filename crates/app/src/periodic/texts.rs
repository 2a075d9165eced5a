//! The texts the office writes on its periodic report, kept as drafts: each save of a
//! section is a new row with its audit entry, so every earlier text stays readable; and
//! the issue, which gives the report its number and date and closes it to edits.

use super::Period;
use super::layout::{self, Layout};
use crate::access::Actor;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_domain::text::normalize;
use giamngheo_store::PeriodicIssueRecord;
use serde::Serialize;

/// The longest text of one section: a few pages.
const MAX_TEXT_CHARS: usize = 20_000;
/// The longest document number ("125/BC-UBND").
const MAX_NUMBER_CHARS: usize = 40;

/// A text the office writes, as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextField {
    pub key: String,
    /// The section heading, or "Nơi nhận" / "Người ký".
    pub label: String,
    pub hint: String,
    pub body: String,
    /// Who saved the text in force, and when; `None` until first saved.
    pub saved_by: Option<String>,
    pub saved_at: Option<String>,
    /// How many times it was saved (its history).
    pub versions: usize,
}

fn label_of(layout: &Layout, key: &str) -> (String, String) {
    match key {
        layout::RECIPIENTS => ("Nơi nhận".into(), "Mỗi nơi nhận một dòng".into()),
        layout::SIGNER_NAME => ("Họ tên người ký".into(), String::new()),
        _ => layout
            .sections
            .iter()
            .find(|s| s.key == key)
            .map(|s| (s.heading.clone(), s.hint.clone()))
            .unwrap_or_else(|| (key.to_string(), String::new())),
    }
}

impl App {
    /// The texts of a report as they stand: the latest save of each key of the layout.
    pub(super) async fn periodic_texts(
        &self,
        unit: &str,
        period: &str,
        layout: &Layout,
    ) -> Result<Vec<TextField>, AppError> {
        let saved = self.store().periodic_texts(unit, period).await?;
        Ok(layout
            .text_keys()
            .into_iter()
            .map(|key| {
                let history: Vec<_> = saved.iter().filter(|r| r.section == key).collect();
                let last = history.last();
                let (label, hint) = label_of(layout, key);
                TextField {
                    key: key.to_string(),
                    label,
                    hint,
                    body: last.map(|r| r.body.clone()).unwrap_or_default(),
                    saved_by: last.map(|r| r.saved_by.clone()),
                    saved_at: last.map(|r| r.saved_at.clone()),
                    versions: history.len(),
                }
            })
            .collect())
    }

    /// Saves the texts the office wrote (key, text): a text that differs from the one in
    /// force becomes a new version with its audit entry; an unchanged one adds nothing.
    /// Nothing is saved when any key is unknown or any text too long, or once the report
    /// is issued. Returns how many texts were saved.
    pub async fn save_periodic_texts(
        &self,
        actor: &Actor,
        unit: &str,
        period: &str,
        texts: &[(String, String)],
    ) -> Result<usize, AppError> {
        self.authorize_periodic(actor, unit, true).await?;
        let period = Period::parse(period)?.to_string();
        let unit = self.unit(unit).await?;
        if self
            .store()
            .periodic_issue(&unit.code, &period)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(
                "báo cáo đã ban hành, không sửa được nội dung".into(),
            ));
        }
        let layout = &self.catalog().periodic;
        let keys = layout.text_keys();
        let current = self.periodic_texts(&unit.code, &period, layout).await?;
        let mut changed = Vec::new();
        let mut audits = Vec::new();
        for (key, body) in texts {
            if !keys.contains(&key.as_str()) {
                return Err(AppError::invalid(
                    key,
                    format!("báo cáo không có mục «{key}» để soạn"),
                ));
            }
            // Line by line: `normalize` folds every run of white space into one space,
            // and the office's paragraphs are its lines.
            let body = body
                .lines()
                .map(normalize)
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_string();
            let (label, _) = label_of(layout, key);
            if body.chars().count() > MAX_TEXT_CHARS {
                return Err(AppError::invalid(
                    key,
                    format!("mục «{label}» dài quá {MAX_TEXT_CHARS} ký tự"),
                ));
            }
            let old = current
                .iter()
                .find(|t| &t.key == key)
                .map(|t| t.body.clone())
                .unwrap_or_default();
            if old == body || changed.iter().any(|(k, _): &(String, String)| k == key) {
                continue;
            }
            // The audit entry names the section and the lengths, not the text: a text
            // may name people, and the audit log is read more widely than the report.
            audits.push(self.audit(
                actor,
                "periodic_report.text",
                "periodic_report",
                format!("{}:{period}:{key}", unit.code),
                None,
                &unit.code,
                &unit.province_code,
                vec![Self::change(key, old.chars().count(), body.chars().count())],
            ));
            changed.push((key.clone(), body));
        }
        if changed.is_empty() {
            return Ok(0);
        }
        self.store()
            .save_periodic_texts(&unit.code, &period, &changed, &actor.username, &audits)
            .await?;
        Ok(changed.len())
    }

    /// Every saved version of one text of a report, oldest first: (who, when, text).
    pub async fn periodic_text_history(
        &self,
        actor: &Actor,
        unit: &str,
        period: &str,
        key: &str,
    ) -> Result<Vec<(String, String, String)>, AppError> {
        self.authorize_periodic(actor, unit, false).await?;
        let period = Period::parse(period)?.to_string();
        let unit = self.unit(unit).await?;
        Ok(self
            .store()
            .periodic_texts(&unit.code, &period)
            .await?
            .into_iter()
            .filter(|r| r.section == key)
            .map(|r| (r.saved_by, r.saved_at, r.body))
            .collect())
    }

    /// Issues the report with its number and date (today when not given): its texts are
    /// then final. Audited; a report is issued once.
    pub async fn issue_periodic_report(
        &self,
        actor: &Actor,
        unit: &str,
        period: &str,
        number: &str,
        issued_on: Option<NaiveDate>,
    ) -> Result<(), AppError> {
        self.authorize_periodic(actor, unit, true).await?;
        let period = Period::parse(period)?.to_string();
        let unit = self.unit(unit).await?;
        let number = normalize(number.trim());
        if number.is_empty() {
            return Err(AppError::invalid(
                "number",
                "cần số văn bản (ví dụ 15/BC-UBND)",
            ));
        }
        if number.chars().count() > MAX_NUMBER_CHARS || number.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "number",
                format!("số văn bản «{number}» không hợp lệ"),
            ));
        }
        let today = self.clock().today();
        let issued_on = issued_on.unwrap_or(today);
        if issued_on > today {
            return Err(AppError::invalid("issued_on", "ngày ban hành ở tương lai"));
        }
        let audit = self.audit(
            actor,
            "periodic_report.issue",
            "periodic_report",
            format!("{}:{period}", unit.code),
            None,
            &unit.code,
            &unit.province_code,
            vec![
                Self::change("number", (), &number),
                Self::change("issued_on", (), issued_on.to_string()),
            ],
        );
        let record = PeriodicIssueRecord {
            unit_code: unit.code.clone(),
            period,
            number,
            issued_on,
            issued_by: actor.username.clone(),
            issued_at: audit.at.clone(),
        };
        self.store().issue_periodic(&record, &audit).await?;
        Ok(())
    }
}
