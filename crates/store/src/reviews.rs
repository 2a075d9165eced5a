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

macro_rules! bind_classification {
    ($q:expr, $method:ident, $c:expr) => {{
        let c = $c;
        $q.$method(c.household_id)
            .$method(&c.province_code)
            .$method(&c.district_code)
            .$method(&c.commune_code)
            .$method(&c.village_code)
            .$method(c.period)
            .$method(&c.standard)
            .$method(&c.kind)
            .$method(c.review_id)
            .$method(&c.status)
            .$method(&c.area)
            .$method(c.income_per_capita)
            .$method(c.score_a)
            .$method(c.score_b)
            .$method(c.deprivation_count)
            .$method(&c.deprived)
            .$method(&c.reasons)
            .$method(&c.transition)
            .$method(c.member_count)
            .$method(&c.causes)
            .$method(&c.decision_number)
            .$method(c.decision_date)
            .$method(c.effective_date)
            .$method(&c.approved_by)
            .$method(&c.approved_at)
            .$method(c.supersedes)
            .$method(&c.correction_reason)
            .$method(&c.certificate_number)
    }};
}

/// A certificate number from its pattern: `{n}` becomes the running number, three digits
/// at least (`001/GCN-HN.HCN`).
pub fn certificate_number(pattern: &str, n: i64) -> String {
    pattern.replace("{n}", &format!("{n:03}"))
}

/// The rows of an approval that carry a certificate pattern, grouped by commune, period
/// and pattern: each group takes one block of numbers from its counter, in row order.
struct CertificateSeries {
    commune: String,
    period: i32,
    pattern: String,
    rows: Vec<usize>,
}

fn certificate_series(rows: &[ClassificationFields]) -> Vec<CertificateSeries> {
    let mut series: Vec<CertificateSeries> = Vec::new();
    for (i, c) in rows.iter().enumerate() {
        let Some(pattern) = &c.certificate_number else {
            continue;
        };
        match series
            .iter_mut()
            .find(|s| s.commune == c.commune_code && s.period == c.period && s.pattern == *pattern)
        {
            Some(s) => s.rows.push(i),
            None => series.push(CertificateSeries {
                commune: c.commune_code.clone(),
                period: c.period,
                pattern: pattern.clone(),
                rows: vec![i],
            }),
        }
    }
    series
}

/// Takes a block of certificate numbers from a commune's counter and returns the last.
///
/// The upsert locks the counter row until the approving transaction ends, so a concurrent
/// approval in the same commune waits and continues after these numbers instead of reading
/// the same count. A counter created now starts after the certificates the commune already
/// holds for the period (whatever their pattern), which is where the series stood before
/// counters existed: no earlier number can be above that count.
const TAKE_CERTIFICATE_NUMBERS: &str = "INSERT INTO certificate_counters (commune_code, period, pattern, last_number) \
     VALUES ($1, $2, $3, $5 + $4) \
     ON CONFLICT (commune_code, period, pattern) \
     DO UPDATE SET last_number = certificate_counters.last_number + $4 \
     RETURNING last_number";

/// The certificates a commune already holds for a period: where its counter starts when it
/// has none yet ($5 of [`TAKE_CERTIFICATE_NUMBERS`]). Read by its own statement because
/// Citus runs no subquery inside an INSERT's values.
const CERTIFICATES_HELD: &str = "SELECT COUNT(*) FROM classifications \
     WHERE commune_code = $1 AND period = $2 AND certificate_number IS NOT NULL";

/// Gives the rows of an approval that carry a certificate pattern their numbers, inside
/// the approving transaction (see [`TAKE_CERTIFICATE_NUMBERS`]).
macro_rules! number_certificates {
    ($tx:expr, $rows:expr) => {{
        let rows: &[ClassificationFields] = $rows;
        let mut numbered = rows.to_vec();
        for s in certificate_series(rows) {
            let count = s.rows.len() as i64;
            let held: i64 = sqlx::query_scalar(CERTIFICATES_HELD)
                .bind(&s.commune)
                .bind(s.period)
                .fetch_one(&mut *$tx)
                .await?;
            let last: i64 = sqlx::query_scalar(TAKE_CERTIFICATE_NUMBERS)
                .bind(&s.commune)
                .bind(s.period)
                .bind(&s.pattern)
                .bind(count)
                .bind(held)
                .fetch_one(&mut *$tx)
                .await?;
            for (k, i) in s.rows.into_iter().enumerate() {
                numbered[i].certificate_number =
                    Some(certificate_number(&s.pattern, last - count + 1 + k as i64));
            }
        }
        numbered
    }};
}

/// Parameters a classification row binds: its 28 fields, created_at, home_province, the
/// six snapshot columns and valid_until.
const PARAMS_PER_ROW: usize = 37;

/// Rows per multi-row insert: as many as fit in SQLite's limit of 32,766 parameters a
/// statement. A thousand rows of 37 did not, and the demo failed at its first big chunk.
const CHUNK: usize = 32_766 / PARAMS_PER_ROW;

macro_rules! insert_classifications {
    ($tx:expr, $rows:expr, $now:expr, $postgres:expr) => {{
        let mut ids = Vec::new();
        for chunk in $rows.chunks(CHUNK) {
            let chunk: &[ClassificationFields] = chunk;
            let mut households: Vec<i64> = chunk.iter().map(|c| c.household_id).collect();
            households.sort_unstable();
            households.dedup();
            let homes = home_provinces!($tx, households.iter().copied());
            if $postgres {
                // Two transactions classifying the same household at once (a correction
                // and a regular review) would each compute the spans without the other's
                // row; locking the households first makes the second wait and then see
                // the first's rows. SQLite runs one writer at a time anyway. The lock is
                // taken one distribution key at a time (in key order, ids in order within
                // it), which Citus routes to one shard each; it refuses FOR UPDATE across
                // shards.
                let mut by_home: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
                for id in &households {
                    by_home.entry(homes.get(id).map(String::as_str).unwrap_or("")).or_default().push(*id);
                }
                for (home, ids) in by_home {
                    let mut qb = QueryBuilder::new("SELECT id FROM households WHERE home_province = ");
                    qb.push_bind(home.to_string());
                    push_in(&mut qb, " AND id", &ids);
                    qb.push(" ORDER BY id FOR UPDATE");
                    qb.build().fetch_all(&mut *$tx).await?;
                }
            }
            // The counts the households' rows of these periods make up are read before
            // the write and after it, and only the difference is written, in key order
            // (see crate::rollup: concurrent approvals must not lock the count rows in
            // different orders).
            let mut periods: Vec<i32> = chunk.iter().map(|c| c.period).collect();
            periods.sort_unstable();
            periods.dedup();
            let mut counts_before = Vec::with_capacity(crate::rollup::ROLLUPS.len());
            for rollup in &crate::rollup::ROLLUPS {
                let rows = crate::rollup::counted(rollup, &households, &periods)
                    .build()
                    .fetch_all(&mut *$tx)
                    .await?;
                let rows: Result<Vec<_>, sqlx::Error> =
                    rows.iter().map(|r| crate::rollup::decode(rollup, r)).collect();
                counts_before.push(rows?);
            }
            // Each row is written once, whole: the household's characteristics and the
            // end of its span (the next row already stored, if any) are read first and
            // computed here, then inserted with the row. Inserting and then updating each
            // row twice wrote every row three times (2 GB for a million rows on
            // PostgreSQL), and an insert computing them in correlated subqueries is a
            // join Citus cannot plan, since the new rows are not in a distributed table.
            let facts = SnapshotFacts::read(
                {
                    let mut qb = QueryBuilder::new(
                        "SELECT id, province_code, ethnic_minority, merit, female_headed FROM households",
                    );
                    push_in(&mut qb, " WHERE id", &households);
                    qb.build_query_as().fetch_all(&mut *$tx).await?
                },
                {
                    let mut qb = QueryBuilder::new(
                        "SELECT household_id, province_code, birth_year, COALESCE(work_status, ''), \
                         ethnicity, relation FROM members WHERE active",
                    );
                    push_in(&mut qb, " AND household_id", &households);
                    qb.build_query_as().fetch_all(&mut *$tx).await?
                },
                {
                    let mut qb = QueryBuilder::new(
                        "SELECT household_id, home_province, province_code, period, effective_date \
                         FROM classifications",
                    );
                    push_in(&mut qb, " WHERE household_id", &households);
                    push_in(&mut qb, " AND period", &periods);
                    qb.build_query_as().fetch_all(&mut *$tx).await?
                },
            );
            let mut qb = QueryBuilder::new(format!(
                "INSERT INTO classifications ({CLASSIFICATION_FIELDS}, created_at, home_province, \
                 {SNAPSHOT_COLUMNS}, valid_until) "
            ));
            qb.push_values(chunk, |mut b, c: &ClassificationFields| {
                let home = homes.get(&c.household_id).cloned().unwrap_or_default();
                let snap = facts.snapshot(c, &home);
                bind_classification!(b, push_bind, c);
                b.push_bind($now);
                b.push_bind(home);
                b.push_bind(snap.ethnic_minority);
                b.push_bind(snap.merit);
                b.push_bind(snap.female_headed);
                b.push_bind(snap.no_labour);
                b.push_bind(snap.children);
                b.push_bind(snap.head_ethnicity);
                b.push_bind(snap.valid_until);
            });
            qb.push(" RETURNING id, household_id");
            let returned: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *$tx).await?;
            // Each household's rows of the periods just classified, in effective order:
            // a row dated before one already stored (a correction dated back) ends the
            // span of the row before it, and two new rows of one household in one chunk
            // end each other's. Only the rows whose end changes are written.
            let mut qb = QueryBuilder::new(format!(
                "UPDATE classifications SET valid_until = ({NEXT_EFFECTIVE}) WHERE household_id IN ("
            ));
            push_list(&mut qb, &households);
            qb.push(") AND period IN (");
            push_list(&mut qb, &periods);
            qb.push(format!(") AND valid_until IS DISTINCT FROM ({NEXT_EFFECTIVE})"));
            qb.build().execute(&mut *$tx).await?;
            for (rollup, before) in crate::rollup::ROLLUPS.iter().zip(counts_before) {
                let rows = crate::rollup::counted(rollup, &households, &periods)
                    .build()
                    .fetch_all(&mut *$tx)
                    .await?;
                let after: Result<Vec<_>, sqlx::Error> =
                    rows.iter().map(|r| crate::rollup::decode(rollup, r)).collect();
                let changes = crate::rollup::changes(before, after?);
                for mut statement in crate::rollup::apply(rollup, &changes) {
                    statement.build().execute(&mut *$tx).await?;
                }
            }
            current_status(&households).build().execute(&mut *$tx).await?;
            // The households' movement pairs, all periods: a new period can change the
            // start period of a later one (migration 0056).
            let mut qb = QueryBuilder::new("DELETE FROM movements");
            push_in(&mut qb, " WHERE household_id", &households);
            qb.build().execute(&mut *$tx).await?;
            push_movement_pairs(&households).build().execute(&mut *$tx).await?;
            ids.extend(returned);
        }
        // Last: Citus takes no write to a shared table (the counts above) after claims
        // written to several shards at once in the same transaction.
        crate::claims::claim_certificates!($tx, $rows);
        ids
    }};
}

/// The rollups the reports read (see [`crate::rollup`]).
pub(crate) use crate::rollup::ROLLUPS;

/// Sets the current status kept on `households` (migration 0096) to the row in force of
/// each one's latest period, after their rows' spans are up to date; a household whose
/// status did not change is not written.
fn current_status<DB>(households: &[i64]) -> QueryBuilder<DB>
where
    DB: sqlx::Database,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "UPDATE households AS h SET current_status = c.status FROM classifications c \
         WHERE c.household_id = h.id AND c.home_province = h.home_province \
         AND c.valid_until IS NULL AND NOT EXISTS (SELECT 1 FROM classifications l \
         WHERE l.household_id = c.household_id AND l.home_province = c.home_province \
         AND l.valid_until IS NULL AND l.period > c.period) \
         AND h.current_status IS DISTINCT FROM c.status AND h.id IN (",
    );
    push_list(&mut qb, households);
    qb.push(")");
    qb
}

/// Binds `values` as a comma-separated list (the inside of an `IN (…)`).
fn push_list<DB, T>(qb: &mut QueryBuilder<DB>, values: &[T])
where
    DB: sqlx::Database,
    T: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB> + Copy,
{
    let mut list = qb.separated(", ");
    for v in values {
        list.push_bind(*v);
    }
}

/// Recomputes the movement pairs (migrations 0013 and 0056) of `households`, after their
/// rows' spans are up to date: migration 0056's statement, with each of its marks a filter
/// on those households. All their periods are recomputed, since a new period can change
/// which period another one starts from (a household that skipped a year).
fn push_movement_pairs<DB>(households: &[i64]) -> QueryBuilder<DB>
where
    DB: sqlx::Database,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut qb = QueryBuilder::new("");
    let mut rest = movement_pairs_statement();
    while let Some(at) = rest.find(MARK) {
        qb.push(&rest[..at]);
        let after = &rest[at + MARK.len()..];
        let end = after.find("*/").expect("a household mark is closed");
        push_in(
            &mut qb,
            &format!(" WHERE {}.household_id", &after[..end]),
            households,
        );
        rest = &after[end + 2..];
    }
    qb.push(rest);
    qb
}

/// Where migration 0056's statement takes a filter on households: `/*households:b*/`
/// filters the rows of alias `b`.
const MARK: &str = "/*households:";

/// Migration 0056's backfill of the movement pairs, the one statement that writes them
/// (read from the migration, so that the two cannot differ).
pub fn movement_pairs_statement() -> &'static str {
    let migration = include_str!("../migrations/postgres/0056_movement_start_list.sql");
    let start = migration
        .find("INSERT INTO movements")
        .expect("migration 0056 inserts the pairs");
    let len = migration[start..]
        .find(';')
        .expect("the statement ends with a semicolon");
    &migration[start..start + len]
}

/// Pushes `{column} IN (…values)`, `column` with whatever precedes it.
fn push_in<DB, T>(qb: &mut QueryBuilder<DB>, column: &str, values: &[T])
where
    DB: sqlx::Database,
    T: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB> + Copy,
{
    qb.push(column);
    qb.push(" IN (");
    push_list(qb, values);
    qb.push(")");
}

/// The effective date of the classification that follows a row (same household and
/// period, next in `(effective_date, id)` order): the end of the row's span.
const NEXT_EFFECTIVE: &str = "SELECT MIN(n.effective_date) FROM classifications n \
     WHERE n.household_id = classifications.household_id \
       AND n.home_province = classifications.home_province \
       AND n.province_code = classifications.province_code \
       AND n.period = classifications.period \
       AND (n.effective_date > classifications.effective_date \
            OR (n.effective_date = classifications.effective_date AND n.id > classifications.id))";

/// The household's characteristics kept on a classification when it is stored (the
/// same rules as migration 0012), in the order of their columns.
const SNAPSHOT_COLUMNS: &str =
    "ethnic_minority, merit, female_headed, no_labour, children, head_ethnicity";

/// A household row as the snapshot reads it: id, province, ethnic minority, merit,
/// female-headed.
type SnapshotHousehold = (i64, String, bool, bool, bool);
/// An active member as the snapshot reads it: household, province, birth year, work
/// status ('' when unknown), ethnicity, relation.
type SnapshotMember = (i64, String, i32, String, String, String);
/// A stored classification as the span end reads it: household, distribution key,
/// province, period, effective date.
type SnapshotRow = (i64, String, String, i32, NaiveDate);

/// Rows grouped by the household they belong to.
fn by_household<T>(rows: Vec<T>, household: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut grouped: HashMap<i64, Vec<T>> = HashMap::new();
    for row in rows {
        grouped.entry(household(&row)).or_default().push(row);
    }
    grouped
}

/// What a new classification row keeps of its household, and the end of its span.
struct Snapshot {
    ethnic_minority: bool,
    merit: bool,
    female_headed: bool,
    no_labour: bool,
    children: i32,
    head_ethnicity: Option<String>,
    valid_until: Option<NaiveDate>,
}

/// The registry rows and stored classifications of the households a chunk classifies,
/// read once per chunk.
struct SnapshotFacts {
    households: HashMap<i64, SnapshotHousehold>,
    members: HashMap<i64, Vec<SnapshotMember>>,
    stored: HashMap<i64, Vec<SnapshotRow>>,
}

impl SnapshotFacts {
    fn read(
        households: Vec<SnapshotHousehold>,
        members: Vec<SnapshotMember>,
        stored: Vec<SnapshotRow>,
    ) -> SnapshotFacts {
        // Grouped by household, so that each new row looks only at its own household's
        // rows: a chunk of a thousand rows would otherwise scan every stored row of the
        // chunk's households once per new row.
        SnapshotFacts {
            households: households.into_iter().map(|h| (h.0, h)).collect(),
            members: by_household(members, |m| m.0),
            stored: by_household(stored, |r| r.0),
        }
    }

    /// The snapshot of a new row, by migration 0012's rules: the household and members
    /// count only where they are in the row's province; working ages (15–60) and
    /// children (under 16) are counted for the row's period. The span ends at the first
    /// row already stored for the same household, key, province and period that takes
    /// effect after it (rows stored before have smaller ids, so a tie on the date leaves
    /// the new row the latest).
    fn snapshot(&self, c: &ClassificationFields, home: &str) -> Snapshot {
        let household = self
            .households
            .get(&c.household_id)
            .filter(|h| h.1 == c.province_code);
        let members: Vec<&SnapshotMember> = self
            .members
            .get(&c.household_id)
            .map(|ms| ms.iter().filter(|m| m.1 == c.province_code).collect())
            .unwrap_or_default();
        let working = members
            .iter()
            .any(|m| (c.period - 60..=c.period - 15).contains(&m.2) && m.3 != "unable");
        let valid_until = self
            .stored
            .get(&c.household_id)
            .into_iter()
            .flatten()
            .filter(|r| {
                r.1 == home && r.2 == c.province_code && r.3 == c.period && r.4 > c.effective_date
            })
            .map(|r| r.4)
            .min();
        Snapshot {
            ethnic_minority: household.is_some_and(|h| h.2),
            merit: household.is_some_and(|h| h.3),
            female_headed: household.is_some_and(|h| h.4),
            no_labour: !working,
            children: members.iter().filter(|m| m.2 > c.period - 16).count() as i32,
            head_ethnicity: members
                .iter()
                .filter(|m| m.5 == "head")
                .map(|m| m.4.clone())
                .min(),
            valid_until,
        }
    }
}

impl Store {
    pub async fn insert_review(
        &self,
        r: &NewReview,
        households: &[NewReviewHousehold],
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let id = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO reviews (province_code, district_code, commune_code, kind, period, standard, step, \
                 opened_on, due_on, posting_days, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'listing', $7, $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind(&r.province_code)
            .bind(&r.district_code)
            .bind(&r.commune_code)
            .bind(&r.kind)
            .bind(r.period)
            .bind(&r.standard)
            .bind(r.opened_on)
            .bind(r.due_on)
            .bind(r.posting_days)
            .bind(&r.created_by)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            for chunk in households.chunks(CHUNK) {
                let homes = home_provinces!(tx, chunk.iter().map(|h| h.household_id));
                let mut qb = QueryBuilder::new(
                    "INSERT INTO review_households (home_province, review_id, household_id, province_code, village_code, source, \
                     request_date, request_channel, requester, request_kind, step, updated_at) ",
                );
                qb.push_values(chunk, |mut b, h| {
                    b.push_bind(homes.get(&h.household_id).cloned().unwrap_or_default())
                        .push_bind(id)
                        .push_bind(h.household_id)
                        .push_bind(&h.province_code)
                        .push_bind(&h.village_code)
                        .push_bind(&h.source)
                        .push_bind(h.request_date)
                        .push_bind(&h.request_channel)
                        .push_bind(&h.requester)
                        .push_bind(&h.request_kind)
                        .push_bind(&h.step)
                        .push_bind(&now);
                });
                qb.build().execute(&mut *tx).await?;
            }
            let audit: Vec<AuditEntry> = audit
                .iter()
                .map(|a| AuditEntry { entity_id: id.to_string(), ..a.clone() })
                .collect();
            insert_audit!(tx, audit);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    pub async fn review(&self, id: i64) -> Result<Option<ReviewRecord>, StoreError> {
        let sql = format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Reviews of a commune for a period and kind (to refuse a second periodic review).
    pub async fn reviews_of_commune(
        &self,
        commune: &str,
        period: i32,
        kind: &str,
    ) -> Result<Vec<ReviewRecord>, StoreError> {
        let sql = format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE commune_code = $1 AND period = $2 AND kind = $3 ORDER BY id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewRecord>(AssertSqlSafe(sql.as_str()))
            .bind(commune)
            .bind(period)
            .bind(kind)
            .fetch_all(pool)
            .await?),
        )
    }

    /// Reviews in a unit (by the review's province, district or commune column), newest
    /// first, with their progress.
    pub async fn review_summaries(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        limit: i64,
    ) -> Result<Vec<ReviewSummary>, StoreError> {
        assert!(["province_code", "district_code", "commune_code"].contains(&scope_column));
        let c_at = crate::units::version_at("c", "r.commune_code", "r.opened_on");
        let sql = format!(
            "SELECT r.id, r.commune_code, c.name AS commune_name, r.kind, r.period, r.standard, r.step, r.opened_on, \
             r.due_on, r.closed_on, \
             COALESCE(n.households, 0) AS households, COALESCE(n.surveyed, 0) AS surveyed, \
             COALESCE(n.agreed, 0) AS agreed \
             FROM reviews r JOIN admin_units c ON c.code = r.commune_code AND {c_at} \
             LEFT JOIN (SELECT rh.review_id, COUNT(*) AS households, \
                    SUM(CASE WHEN rh.provisional_status IS NOT NULL THEN 1 ELSE 0 END) AS surveyed, \
                    SUM(CASE WHEN rh.meeting_outcome = 'agreed' THEN 1 ELSE 0 END) AS agreed \
                FROM review_households rh \
                WHERE rh.step <> 'excluded' AND rh.review_id IN (SELECT x.id FROM reviews x WHERE x.{scope_column} = $1) \
                GROUP BY rh.review_id) n ON n.review_id = r.id \
             WHERE r.{scope_column} = $1 ORDER BY r.period DESC, r.commune_code, r.id DESC LIMIT {limit}"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewSummary>(AssertSqlSafe(sql.as_str()))
            .bind(scope_code)
            .fetch_all(pool)
            .await?),
        )
    }

    /// Moves a review to another step (and records its decision when given) if its
    /// version is still the one read.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_review_step(
        &self,
        id: i64,
        expected_version: i64,
        step: &str,
        decision: Option<(&str, NaiveDate)>,
        closed_on: Option<NaiveDate>,
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE reviews SET step = $1, decision_number = COALESCE($2, decision_number), \
                 decision_date = COALESCE($3, decision_date), closed_on = COALESCE($4, closed_on), \
                 version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
            )
            .bind(step)
            .bind(decision.map(|d| d.0))
            .bind(decision.map(|d| d.1))
            .bind(closed_on)
            .bind(&now)
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Stale("đợt rà soát".into()));
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn add_review_household(
        &self,
        review_id: i64,
        h: &NewReviewHousehold,
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_writing()).await?;
            let homes = home_provinces!(tx, [h.household_id]);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO review_households (review_id, household_id, province_code, village_code, source, \
                 request_date, request_channel, requester, request_kind, step, updated_at, home_province) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(review_id)
            .bind(h.household_id)
            .bind(&h.province_code)
            .bind(&h.village_code)
            .bind(&h.source)
            .bind(h.request_date)
            .bind(&h.request_channel)
            .bind(&h.requester)
            .bind(&h.request_kind)
            .bind(&h.step)
            .bind(&now)
            .bind(homes.get(&h.household_id).cloned().unwrap_or_default())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::unique_as_conflict(e, "hộ đã có trong đợt rà soát này"))?;
            insert_audit!(tx, audit);
            tx.commit().await?;
            id
        }))
    }

    pub async fn review_households(
        &self,
        review_id: i64,
    ) -> Result<Vec<ReviewHouseholdRecord>, StoreError> {
        let sql = format!(
            "{RH_SELECT} WHERE rh.review_id = $1 ORDER BY rh.village_code, h.head_sort_key, rh.id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewHouseholdRecord>(AssertSqlSafe(sql.as_str()))
            .bind(review_id)
            .fetch_all(pool)
            .await?),
        )
    }

    pub async fn review_household(
        &self,
        id: i64,
    ) -> Result<Option<ReviewHouseholdRecord>, StoreError> {
        let sql = format!("{RH_SELECT} WHERE rh.id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewHouseholdRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// The reviews a household has been part of, newest first.
    pub async fn reviews_of_household(
        &self,
        household_id: i64,
    ) -> Result<Vec<ReviewHouseholdRecord>, StoreError> {
        let sql = format!("{RH_SELECT} WHERE rh.household_id = $1 ORDER BY rh.review_id DESC");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewHouseholdRecord>(AssertSqlSafe(sql.as_str()))
            .bind(household_id)
            .fetch_all(pool)
            .await?),
        )
    }

    /// Records the screening (phiếu A) of a requesting household.
    pub async fn save_screening(
        &self,
        id: i64,
        expected_version: i64,
        answers: &str,
        passed: bool,
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        let step = if passed { "listed" } else { "excluded" };
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE review_households SET screening_answers = $1, screening_passed = $2, step = $3, \
                 version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
            )
            .bind(answers)
            .bind(passed)
            .bind(step)
            .bind(&now)
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Stale("hộ trong đợt rà soát".into()));
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records a village meeting and its outcome for the given review households.
    pub async fn record_meeting(
        &self,
        m: &NewMeeting,
        households: &[i64],
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let outcome = if m.passed { "agreed" } else { "rejected" };
        // A failed meeting sends its households back to the survey (review.md step 3).
        let step = if m.passed { "agreed" } else { "resurvey" };
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO review_meetings (review_id, village_code, held_on, attendees, agreeing, passed, chaired_by, \
                 minutes_name, minutes_type, minutes, recorded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(m.review_id)
            .bind(&m.village_code)
            .bind(m.held_on)
            .bind(m.attendees)
            .bind(m.agreeing)
            .bind(m.passed)
            .bind(&m.chaired_by)
            .bind(&m.minutes_name)
            .bind(&m.minutes_type)
            .bind(&m.minutes)
            .bind(&m.recorded_by)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            for hid in households {
                sqlx::query(
                    "UPDATE review_households SET meeting_outcome = $1, step = $2, version = version + 1, updated_at = $3 \
                     WHERE id = $4",
                )
                .bind(outcome)
                .bind(step)
                .bind(&now)
                .bind(hid)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
            id
        }))
    }

    pub async fn meetings(&self, review_id: i64) -> Result<Vec<MeetingRecord>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, MeetingRecord>(
            "SELECT id, review_id, village_code, held_on, attendees, agreeing, passed, chaired_by, minutes_name, \
             minutes_type, recorded_by FROM review_meetings WHERE review_id = $1 ORDER BY id",
        )
        .bind(review_id)
        .fetch_all(pool)
        .await?))
    }

    /// The minutes file of a meeting, with the review it belongs to.
    pub async fn meeting_minutes(
        &self,
        meeting_id: i64,
    ) -> Result<Option<MinutesFile>, StoreError> {
        let row: Option<MinutesRow> = with_pool!(self, pool => sqlx::query_as::<_, MinutesRow>(
            "SELECT review_id, minutes_name, minutes_type, minutes FROM review_meetings WHERE id = $1",
        )
        .bind(meeting_id)
        .fetch_optional(pool)
        .await?);
        Ok(row.and_then(|r| {
            Some(MinutesFile {
                review_id: r.review_id,
                name: r.minutes_name?,
                media_type: r.minutes_type?,
                bytes: r.minutes?,
            })
        }))
    }

    pub async fn insert_posting(
        &self,
        review_id: i64,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        place: &str,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO review_postings (review_id, starts_on, ends_on, place, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(review_id)
        .bind(starts_on)
        .bind(ends_on)
        .bind(place)
        .bind(recorded_by)
        .bind(&now)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    pub async fn postings(&self, review_id: i64) -> Result<Vec<PostingRecord>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, PostingRecord>(
            "SELECT id, review_id, starts_on, ends_on, place, recorded_by FROM review_postings WHERE review_id = $1 ORDER BY id",
        )
        .bind(review_id)
        .fetch_all(pool)
        .await?))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_complaint(
        &self,
        review_id: i64,
        household_id: Option<i64>,
        complainant: &str,
        content: &str,
        received_on: NaiveDate,
        recorded_by: &str,
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO complaints (review_id, household_id, complainant, content, received_on, recorded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(review_id)
            .bind(household_id)
            .bind(complainant)
            .bind(content)
            .bind(received_on)
            .bind(recorded_by)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(tx, audit);
            tx.commit().await?;
            id
        }))
    }

    /// Records a complaint's re-check result; with `resurvey`, the household it concerns
    /// is surveyed again before the decision.
    pub async fn resolve_complaint(
        &self,
        id: i64,
        recheck_result: &str,
        resolved_on: NaiveDate,
        resurvey: Option<(i64, i64)>,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE complaints SET recheck_result = $1, resolved_on = $2 WHERE id = $3 AND resolved_on IS NULL",
            )
            .bind(recheck_result)
            .bind(resolved_on)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("khiếu nại đã được giải quyết".into()));
            }
            if let Some((review_id, household_id)) = resurvey {
                sqlx::query(
                    "UPDATE review_households SET step = 'recheck', version = version + 1 WHERE review_id = $1 AND household_id = $2",
                )
                .bind(review_id)
                .bind(household_id)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn complaints(&self, review_id: i64) -> Result<Vec<ComplaintRecord>, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ComplaintRecord>(
            "SELECT id, review_id, household_id, complainant, content, received_on, recheck_result, resolved_on, recorded_by \
             FROM complaints WHERE review_id = $1 ORDER BY id",
        )
        .bind(review_id)
        .fetch_all(pool)
        .await?),
        )
    }

    /// Approves a review: stores the classifications, links them to the review's
    /// households, and closes the review, all at once. A classification that carries a
    /// certificate number carries its pattern (`{n}/GCN-HN.HCN`); the number is taken
    /// from the commune's counter in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn approve_review(
        &self,
        review_id: i64,
        expected_version: i64,
        decision_number: &str,
        decision_date: NaiveDate,
        classifications: &[ClassificationFields],
        refusals: &[(i64, String)],
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let now = timestamp(now);
        let postgres = self.backend() == crate::Backend::Postgres;
        let ids = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE reviews SET step = 'closed', decision_number = $1, decision_date = $2, closed_on = $2, \
                 version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5 AND step <> 'closed'",
            )
            .bind(decision_number)
            .bind(decision_date)
            .bind(&now)
            .bind(review_id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Stale("đợt rà soát".into()));
            }
            let numbered = number_certificates!(tx, classifications);
            let ids = insert_classifications!(tx, &numbered, &now, postgres);
            for (classification_id, household_id) in &ids {
                let status = classifications
                    .iter()
                    .find(|c| c.household_id == *household_id)
                    .map(|c| c.status.clone());
                sqlx::query(
                    "UPDATE review_households SET classification_id = $1, final_status = $2, step = 'decided', \
                     version = version + 1, updated_at = $3 WHERE review_id = $4 AND household_id = $5",
                )
                .bind(classification_id)
                .bind(status)
                .bind(&now)
                .bind(review_id)
                .bind(household_id)
                .execute(&mut *tx)
                .await?;
            }
            for (rh, reason) in refusals {
                sqlx::query(
                    "UPDATE review_households SET refusal_reason = $1, step = 'refused', version = version + 1, updated_at = $2 WHERE id = $3",
                )
                .bind(reason)
                .bind(&now)
                .bind(rh)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
            ids
        });
        self.refresh_statistics_if_grown().await?;
        Ok(ids)
    }

    /// Adds classifications on their own: baseline lists, audited corrections.
    pub async fn insert_classifications(
        &self,
        rows: &[ClassificationFields],
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        let now = timestamp(now);
        let postgres = self.backend() == crate::Backend::Postgres;
        let begin = self.begin_writing();
        let ids = with_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let ids = insert_classifications!(tx, rows, &now, postgres);
            insert_audit!(tx, audit);
            tx.commit().await?;
            ids
        });
        self.refresh_statistics_if_grown().await?;
        Ok(ids.into_iter().map(|(id, _)| id).collect())
    }

    /// A household's classifications, newest period first, newest decision first.
    pub async fn classifications_of(
        &self,
        household_id: i64,
    ) -> Result<Vec<ClassificationRecord>, StoreError> {
        let sql = format!(
            "SELECT id, {CLASSIFICATION_FIELDS} FROM classifications WHERE household_id = $1 \
             ORDER BY period DESC, effective_date DESC, id DESC"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ClassificationRecord>(AssertSqlSafe(sql.as_str()))
            .bind(household_id)
            .fetch_all(pool)
            .await?),
        )
    }

    pub async fn classification(
        &self,
        id: i64,
    ) -> Result<Option<ClassificationRecord>, StoreError> {
        let sql = format!("SELECT id, {CLASSIFICATION_FIELDS} FROM classifications WHERE id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ClassificationRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Every classification of a commune's households up to a period (for the lists a
    /// review starts from and the history transitions are computed from).
    pub async fn classifications_in_commune(
        &self,
        commune: &str,
        up_to_period: i32,
    ) -> Result<Vec<ClassificationRecord>, StoreError> {
        let sql = format!(
            "SELECT id, {CLASSIFICATION_FIELDS} FROM classifications WHERE commune_code = $1 AND period <= $2 \
             ORDER BY household_id, period, effective_date, id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ClassificationRecord>(AssertSqlSafe(sql.as_str()))
            .bind(commune)
            .bind(up_to_period)
            .fetch_all(pool)
            .await?),
        )
    }
}
