//! Submissions back from ODK Central and KoboToolbox into a review.
//!
//! Each submission is matched to the review's household by the code the reviewer picked
//! (field `household`), and kept under its stable id (see
//! [`giamngheo_sheets::submissions`]), so that an edited submission updates the survey
//! rather than adding one, and importing the same export again changes nothing. A
//! submission is applied through the same use case as phiếu B entered on the web
//! ([`App::record_survey`], [`App::record_screening`]): provisional class, suggestions
//! from member data and disagreements alike. One that cannot be applied waits in the
//! review's queue with the reason; none is dropped.

use super::forms::{FormBundle, FormKind, FormText, VERSION_FIELD};
use crate::access::Actor;
use crate::reviews::{ReviewView, SurveyInput};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_sheets::submissions::{Submission, read_export};
use giamngheo_store::SubmissionRecord;
use std::collections::HashMap;

/// The largest export taken in one upload: a commune's submissions are a few megabytes.
pub const MAX_EXPORT_BYTES: usize = 32 * 1024 * 1024;

/// What an import did, for the page and the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Submissions applied for the first time.
    pub applied: usize,
    /// Edited submissions (a new version of one already imported) applied again.
    pub updated: usize,
    /// Versions already imported: nothing changed.
    pub unchanged: usize,
    /// Submissions put in (or kept in) the queue.
    pub queued: usize,
    /// The reason of each queued submission, with where it is in the file.
    pub reasons: Vec<String>,
}

/// What a valid submission asks to record.
enum Apply {
    Survey(SurveyInput),
    Screening { passed: bool, note: String },
}

fn field<'a>(s: &'a Submission, name: &str) -> Option<&'a str> {
    s.fields
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// The form a submission was made on, from its form id (or, when the export does not
/// name it, from its answers).
fn kind_of(s: &Submission, review_id: i64) -> Result<FormKind, (FormKind, String)> {
    let guess = if s.fields.contains_key("passed") {
        FormKind::Screening
    } else {
        FormKind::Survey
    };
    match s.form_id.as_deref() {
        None => Ok(guess),
        Some(id) => [FormKind::Screening, FormKind::Survey]
            .into_iter()
            .find(|k| k.form_id(review_id) == id)
            .ok_or_else(|| {
                (
                    guess,
                    format!("phiếu «{id}» không phải phiếu của đợt rà soát số {review_id}"),
                )
            }),
    }
}

impl App {
    /// Imports an export of submissions into a review, for a user who may act on it.
    pub async fn import_submissions(
        &self,
        actor: &Actor,
        review_id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<ImportSummary, AppError> {
        self.authorize_review_write(actor, review_id).await?;
        if bytes.len() > MAX_EXPORT_BYTES {
            return Err(AppError::invalid(
                "file",
                format!(
                    "tệp lớn hơn {} MB; hãy xuất từng phần",
                    MAX_EXPORT_BYTES / (1024 * 1024)
                ),
            ));
        }
        let subs = read_export(file_name, bytes)
            .map_err(|e| AppError::invalid("file", format!("{file_name}: {e}")))?;
        let bundle = self.survey_forms(actor, review_id).await.ok();
        let mut existing: HashMap<(String, String), SubmissionRecord> = self
            .store()
            .submissions(review_id)
            .await?
            .into_iter()
            .map(|r| ((r.form_kind.clone(), r.stable_id.clone()), r))
            .collect();
        let text = FormText::embedded();
        let mut summary = ImportSummary::default();
        for s in &subs {
            let (kind, mut reason) = match kind_of(s, review_id) {
                Ok(k) => (k, None),
                Err((k, r)) => (k, Some(r)),
            };
            let kind_code = match kind {
                FormKind::Screening => "screening",
                FormKind::Survey => "survey",
            };
            let before = existing.get(&(kind_code.to_string(), s.stable_id.clone()));
            if before.is_some_and(|b| b.instance_id == s.instance_id) {
                summary.unchanged += 1;
                continue;
            }
            if s.stable_id.is_empty() {
                reason = Some("bản nộp không có mã (KEY, __id, meta/rootUuid hay _uuid)".into());
            }
            // Read again for each submission: applying one moves the household's version.
            let view = self.review(actor, review_id).await?;
            let code = field(s, "household").unwrap_or_default().to_string();
            let rh = view
                .households
                .iter()
                .find(|h| h.household_code == code && h.step != "excluded")
                .cloned();
            let checked = match reason {
                Some(r) => Err(r),
                None => self.check_submission(s, kind, &view, bundle.as_ref(), &text, rh.is_some()),
            };
            let outcome = match (checked, &rh) {
                (Ok(apply), Some(rh)) => {
                    let done = match apply {
                        Apply::Survey(input) => self
                            .record_survey(actor, review_id, rh.id, rh.version, input)
                            .await
                            .map(|_| ()),
                        Apply::Screening { passed, note } => {
                            let question = if note.is_empty() {
                                "Kết luận phiếu A".to_string()
                            } else {
                                note
                            };
                            self.record_screening(
                                actor,
                                review_id,
                                rh.id,
                                rh.version,
                                &[(question, passed)],
                                passed,
                            )
                            .await
                        }
                    };
                    done.map_err(|e| e.to_string())
                }
                (Ok(_), None) => Err(format!("hộ mã «{code}» không thuộc đợt rà soát này")),
                (Err(r), _) => Err(r),
            };
            let status = if outcome.is_ok() { "applied" } else { "queued" };
            match (&outcome, before) {
                (Ok(()), Some(_)) => summary.updated += 1,
                (Ok(()), None) => summary.applied += 1,
                (Err(r), _) => {
                    summary.queued += 1;
                    summary
                        .reasons
                        .push(format!("mục {} ({}): {r}", s.line, s.instance_id));
                }
            }
            let now = self
                .clock()
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let record = SubmissionRecord {
                id: 0,
                review_id,
                province_code: view.review.province_code.clone(),
                tool: s.tool.as_str().into(),
                form_kind: kind_code.into(),
                stable_id: s.stable_id.clone(),
                instance_id: s.instance_id.clone(),
                form_id: s.form_id.clone().unwrap_or_default(),
                form_version: version_of(s).unwrap_or_default(),
                submitted_at: s.submitted_at.clone(),
                household_code: code.clone(),
                review_household_id: rh.as_ref().filter(|_| outcome.is_ok()).map(|h| h.id),
                status: status.into(),
                reason: outcome.clone().err(),
                answers: serde_json::to_string(&s.fields).unwrap_or_else(|_| "{}".into()),
                source_file: file_name.into(),
                imported_by: actor.username.clone(),
                imported_at: now,
                updated_at: String::new(),
            };
            let id = self.store().save_submission(&record).await?;
            let audit = self.audit(
                actor,
                "survey.submission",
                "review",
                review_id.to_string(),
                rh.as_ref().map(|h| h.household_id),
                rh.as_ref()
                    .map(|h| h.village_code.as_str())
                    .unwrap_or(&view.review.commune_code),
                &view.review.province_code,
                vec![
                    Self::change("submission", before.map(|b| b.id), id),
                    Self::change(
                        "instance_id",
                        before.map(|b| &b.instance_id),
                        &s.instance_id,
                    ),
                    Self::change("status", before.map(|b| &b.status), status),
                ],
            );
            self.store().append_audit(&[audit]).await?;
            existing.insert(
                (kind_code.to_string(), s.stable_id.clone()),
                SubmissionRecord { id, ..record },
            );
        }
        Ok(summary)
    }

    /// Checks a submission against the review and the form it was made on; the reason
    /// names the field when it does not hold.
    fn check_submission(
        &self,
        s: &Submission,
        kind: FormKind,
        view: &ReviewView,
        bundle: Option<&FormBundle>,
        text: &FormText,
        in_review: bool,
    ) -> Result<Apply, String> {
        let code = field(s, "household").unwrap_or_default();
        if code.is_empty() {
            return Err("thiếu mã hộ (household)".into());
        }
        if !in_review {
            return Err(format!("hộ mã «{code}» không thuộc đợt rà soát này"));
        }
        let current = bundle
            .and_then(|b| b.forms.iter().find(|f| f.kind == kind))
            .map(|f| f.version.clone());
        match (version_of(s), current) {
            (Some(v), Some(c)) if v == c => {}
            (v, c) => {
                return Err(format!(
                    "phiếu phiên bản «{}», khác phiên bản hiện tại «{}»; hãy tải phiếu mới lên công cụ và điều tra lại hộ này",
                    v.unwrap_or_else(|| "không rõ".into()),
                    c.unwrap_or_default()
                ));
            }
        }
        if field(s, "confirm").is_some_and(|c| c != "yes") {
            return Err("rà soát viên chưa xác nhận đúng hộ (confirm)".into());
        }
        let surveyed_by = field(s, "surveyed_by").unwrap_or_default().to_string();
        let surveyed_on = field(s, "surveyed_on")
            .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok())
            .ok_or_else(|| {
                "ngày điều tra (surveyed_on) thiếu hoặc không đúng dạng yyyy-mm-dd".to_string()
            })?;
        let yes_no = |name: &str| match field(s, name) {
            Some("yes") => Ok(true),
            Some("no") => Ok(false),
            Some(other) => Err(format!("{name} = «{other}», cần yes hoặc no")),
            None => Err(format!("thiếu câu trả lời {name}")),
        };
        match kind {
            FormKind::Screening => Ok(Apply::Screening {
                passed: yes_no("passed")?,
                note: field(s, "note").unwrap_or_default().trim().to_string(),
            }),
            FormKind::Survey => {
                let standard = self
                    .config()
                    .standards
                    .get(&view.review.standard)
                    .ok_or_else(|| format!("không có chuẩn nghèo «{}»", view.review.standard))?;
                let (name, bound) = if standard.has_score_a() {
                    ("score_a", &text.bounds.score_a)
                } else {
                    ("income_per_capita", &text.bounds.income_per_capita)
                };
                let raw = field(s, name).ok_or_else(|| format!("thiếu {name}"))?;
                let value: i64 = raw
                    .parse()
                    .map_err(|_| format!("{name} = «{raw}» không phải số nguyên"))?;
                if !bound.holds(value) {
                    return Err(format!(
                        "{name} = {value} ngoài khoảng {}–{} ({})",
                        bound.min, bound.max, bound.message_vi
                    ));
                }
                let mut ticks = Vec::new();
                for i in standard.indicators() {
                    if yes_no(&format!("b2_{}", i.code))? {
                        ticks.push(i.code.clone());
                    }
                }
                let score_a = if name == "score_a" {
                    Some(i32::try_from(value).map_err(|_| format!("{name} = {value} quá lớn"))?)
                } else {
                    None
                };
                Ok(Apply::Survey(SurveyInput {
                    income_per_capita: (name == "income_per_capita").then_some(value),
                    score_a,
                    ticks,
                    surveyed_by,
                    surveyed_on,
                }))
            }
        }
    }
}

/// The version a submission was made on: the form's own field, else what the tool says.
fn version_of(s: &Submission) -> Option<String> {
    field(s, VERSION_FIELD)
        .map(str::to_string)
        .or_else(|| s.form_version.clone())
}
