//! Reviews, their households and steps, and the classifications they approve.

use crate::households::{home_provinces, insert_audit};
use crate::{AuditEntry, Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::HashMap;

fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewRecord {
    pub id: i64,
    pub province_code: String,
    pub district_code: Option<String>,
    pub commune_code: String,
    pub kind: String,
    pub period: i32,
    pub standard: String,
    pub step: String,
    pub opened_on: NaiveDate,
    pub due_on: NaiveDate,
    pub posting_days: i32,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub version: i64,
    pub created_by: String,
}

const REVIEW_COLUMNS: &str = "id, province_code, district_code, commune_code, kind, period, standard, step, opened_on, due_on, \
     posting_days, decision_number, decision_date, closed_on, version, created_by";

#[derive(Debug, Clone)]
pub struct NewReview {
    pub province_code: String,
    pub district_code: Option<String>,
    pub commune_code: String,
    pub kind: String,
    pub period: i32,
    pub standard: String,
    pub opened_on: NaiveDate,
    pub due_on: NaiveDate,
    pub posting_days: i32,
    pub created_by: String,
}

/// A review with its progress, for lists.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewSummary {
    pub id: i64,
    pub commune_code: String,
    pub commune_name: String,
    pub kind: String,
    pub period: i32,
    pub standard: String,
    pub step: String,
    pub opened_on: NaiveDate,
    pub due_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub households: i64,
    pub surveyed: i64,
    pub agreed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewHouseholdRecord {
    pub id: i64,
    pub review_id: i64,
    pub household_id: i64,
    pub household_code: String,
    pub head_name: String,
    pub village_code: String,
    pub village_name: String,
    pub source: String,
    pub request_date: Option<NaiveDate>,
    pub request_channel: Option<String>,
    pub requester: Option<String>,
    pub request_kind: Option<String>,
    pub screening_answers: Option<String>,
    pub screening_passed: Option<bool>,
    pub income_per_capita: Option<i64>,
    pub score_a: Option<i32>,
    pub b1_answers: Option<String>,
    pub ticks: Option<String>,
    pub derived_ticks: Option<String>,
    pub disagreements: Option<String>,
    pub surveyed_by: Option<String>,
    pub surveyed_on: Option<NaiveDate>,
    pub provisional_status: Option<String>,
    pub provisional_reasons: Option<String>,
    pub deprivation_count: Option<i32>,
    pub score_b: Option<i32>,
    pub meeting_outcome: String,
    pub final_status: Option<String>,
    pub refusal_reason: Option<String>,
    pub classification_id: Option<i64>,
    pub step: String,
    pub version: i64,
}

const RH_SELECT: &str = "SELECT rh.id, rh.review_id, rh.household_id, h.code AS household_code, h.head_name, \
     rh.village_code, v.name AS village_name, rh.source, rh.request_date, rh.request_channel, rh.requester, \
     rh.request_kind, rh.screening_answers, rh.screening_passed, rh.income_per_capita, rh.score_a, rh.b1_answers, \
     rh.ticks, rh.derived_ticks, rh.disagreements, rh.surveyed_by, rh.surveyed_on, rh.provisional_status, \
     rh.provisional_reasons, rh.deprivation_count, rh.score_b, rh.meeting_outcome, rh.final_status, \
     rh.refusal_reason, rh.classification_id, rh.step, rh.version \
     FROM review_households rh JOIN households h ON h.id = rh.household_id AND h.home_province = rh.home_province \
     JOIN admin_units v ON v.code = rh.village_code \
     AND v.valid_from = (SELECT MAX(x.valid_from) FROM admin_units x WHERE x.code = rh.village_code)";

#[derive(Debug, Clone)]
pub struct NewReviewHousehold {
    pub household_id: i64,
    pub province_code: String,
    pub village_code: String,
    pub source: String,
    pub request_date: Option<NaiveDate>,
    pub request_channel: Option<String>,
    pub requester: Option<String>,
    pub request_kind: Option<String>,
    /// `listed` for households from the lists, `screening` for requests.
    pub step: String,
}

/// Phiếu B as entered and what the engine made of it.
#[derive(Debug, Clone, Default)]
pub struct SurveyRecord {
    pub income_per_capita: Option<i64>,
    pub score_a: Option<i32>,
    pub b1_answers: Option<String>,
    pub ticks: String,
    pub derived_ticks: String,
    pub disagreements: String,
    pub surveyed_by: String,
    pub surveyed_on: NaiveDate,
    pub provisional_status: String,
    pub provisional_reasons: String,
    pub deprivation_count: i32,
    pub score_b: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MeetingRecord {
    pub id: i64,
    pub review_id: i64,
    pub village_code: String,
    pub held_on: NaiveDate,
    pub attendees: i32,
    pub agreeing: i32,
    pub passed: bool,
    pub chaired_by: Option<String>,
    pub minutes_name: Option<String>,
    pub minutes_type: Option<String>,
    pub recorded_by: String,
}

/// A meeting's minutes scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesFile {
    pub review_id: i64,
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

#[derive(sqlx::FromRow)]
struct MinutesRow {
    review_id: i64,
    minutes_name: Option<String>,
    minutes_type: Option<String>,
    minutes: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub review_id: i64,
    pub village_code: String,
    pub held_on: NaiveDate,
    pub attendees: i32,
    pub agreeing: i32,
    pub passed: bool,
    pub chaired_by: Option<String>,
    pub minutes_name: Option<String>,
    pub minutes_type: Option<String>,
    pub minutes: Option<Vec<u8>>,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PostingRecord {
    pub id: i64,
    pub review_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub place: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ComplaintRecord {
    pub id: i64,
    pub review_id: i64,
    pub household_id: Option<i64>,
    pub complainant: String,
    pub content: String,
    pub received_on: NaiveDate,
    pub recheck_result: Option<String>,
    pub resolved_on: Option<NaiveDate>,
    pub recorded_by: String,
}

/// A classification to store.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ClassificationFields {
    pub household_id: i64,
    pub province_code: String,
    pub district_code: Option<String>,
    pub commune_code: String,
    pub village_code: String,
    pub period: i32,
    pub standard: String,
    pub kind: String,
    pub review_id: Option<i64>,
    pub status: String,
    pub area: String,
    pub income_per_capita: Option<i64>,
    pub score_a: Option<i32>,
    pub score_b: i32,
    pub deprivation_count: i32,
    pub deprived: String,
    pub reasons: String,
    pub transition: Option<String>,
    pub member_count: i32,
    pub causes: String,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub effective_date: NaiveDate,
    pub approved_by: String,
    pub approved_at: String,
    pub supersedes: Option<i64>,
    pub correction_reason: Option<String>,
    pub certificate_number: Option<String>,
}

const CLASSIFICATION_FIELDS: &str = "household_id, province_code, district_code, commune_code, village_code, period, standard, \
     kind, review_id, status, area, income_per_capita, score_a, score_b, deprivation_count, deprived, reasons, transition, \
     member_count, causes, decision_number, decision_date, effective_date, approved_by, approved_at, supersedes, \
     correction_reason, certificate_number";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClassificationRecord {
    pub id: i64,
    #[sqlx(flatten)]
    pub fields: ClassificationFields,
}

mod classify;
mod steps;

pub use classify::{certificate_number, movement_pairs_statement};

/// The rollups the reports read (see [`crate::rollup`]).
pub(crate) use crate::rollup::ROLLUPS;
