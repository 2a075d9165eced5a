//! Classifications: the approval that stores them, their certificate numbers, the
//! snapshot each row keeps of its household, and the spans, counts and movements their
//! writes keep up to date.

use super::*;

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
pub(super) const CHUNK: usize = 32_766 / PARAMS_PER_ROW;

macro_rules! insert_classifications {
    ($tx:expr, $rows:expr, $now:expr, $postgres:expr) => {{
        let mut ids = Vec::new();
        for chunk in $rows.chunks(CHUNK) {
            let chunk: &[ClassificationFields] = chunk;
            let mut households: Vec<i64> = chunk.iter().map(|c| c.household_id).collect();
            households.sort_unstable();
            households.dedup();
            let homes = home_provinces!($tx, households.iter().copied());
            // Every statement below names the households' keys as well as their ids, so
            // that Citus sends it to their shards only (see crate::homes).
            let keys = crate::homes::distinct_homes(&homes);
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
                let rows = crate::rollup::counted(rollup, &keys, &households, &periods)
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
                        "SELECT id, province_code, ethnic_minority, merit, female_headed FROM households WHERE ",
                    );
                    crate::homes::push_homes(&mut qb, "home_province", &keys);
                    push_in(&mut qb, " AND id", &households);
                    qb.build_query_as().fetch_all(&mut *$tx).await?
                },
                {
                    let mut qb = QueryBuilder::new(
                        "SELECT household_id, province_code, birth_year, COALESCE(work_status, ''), \
                         ethnicity, relation FROM members WHERE active AND ",
                    );
                    crate::homes::push_homes(&mut qb, "home_province", &keys);
                    push_in(&mut qb, " AND household_id", &households);
                    qb.build_query_as().fetch_all(&mut *$tx).await?
                },
                {
                    let mut qb = QueryBuilder::new(
                        "SELECT household_id, home_province, province_code, period, effective_date \
                         FROM classifications WHERE ",
                    );
                    crate::homes::push_homes(&mut qb, "home_province", &keys);
                    push_in(&mut qb, " AND household_id", &households);
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
            let mut qb = QueryBuilder::new("UPDATE classifications SET valid_until = (");
            crate::homes::push_with_homes(&mut qb, NEXT_EFFECTIVE, &keys);
            qb.push(") WHERE ");
            crate::homes::push_homes(&mut qb, "home_province", &keys);
            qb.push(" AND household_id IN (");
            push_list(&mut qb, &households);
            qb.push(") AND period IN (");
            push_list(&mut qb, &periods);
            qb.push(") AND valid_until IS DISTINCT FROM (");
            crate::homes::push_with_homes(&mut qb, NEXT_EFFECTIVE, &keys);
            qb.push(")");
            qb.build().execute(&mut *$tx).await?;
            for (rollup, before) in crate::rollup::ROLLUPS.iter().zip(counts_before) {
                let rows = crate::rollup::counted(rollup, &keys, &households, &periods)
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
            current_status(&keys, &households).build().execute(&mut *$tx).await?;
            // Their coverage spans are recomputed before the next coverage is read.
            crate::coverage_spans::mark_coverage_stale!($tx, homes, households.iter().copied());
            // The households' movement pairs, all periods: a new period can change the
            // start period of a later one (migration 0056). One key at a time: each
            // statement then runs on one shard (on Citus the INSERT … SELECT over every
            // shard took 0.2–0.4 s, whatever the number of households).
            let mut by_key: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
            for id in &households {
                if let Some(home) = homes.get(id) {
                    by_key.entry(home.as_str()).or_default().push(*id);
                }
            }
            for (home, ids) in by_key {
                let key = [home.to_string()];
                let mut qb = QueryBuilder::new("DELETE FROM movements WHERE ");
                crate::homes::push_homes(&mut qb, "home_province", &key);
                push_in(&mut qb, " AND household_id", &ids);
                qb.build().execute(&mut *$tx).await?;
                push_movement_pairs(&key, &ids).build().execute(&mut *$tx).await?;
            }
            ids.extend(returned);
        }
        // Last: Citus takes no write to a shared table (the counts above) after claims
        // written to several shards at once in the same transaction.
        crate::claims::claim_certificates!($tx, $rows);
        ids
    }};
}

/// Sets the current status kept on `households` (migration 0096) to the row in force of
/// each one's latest period, after their rows' spans are up to date; a household whose
/// status did not change is not written.
fn current_status<DB>(homes: &[String], households: &[i64]) -> QueryBuilder<DB>
where
    DB: sqlx::Database,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "UPDATE households AS h SET current_status = c.status FROM classifications c \
         WHERE c.household_id = h.id AND c.home_province = h.home_province \
         AND c.valid_until IS NULL AND NOT EXISTS (SELECT 1 FROM classifications l \
         WHERE l.household_id = c.household_id AND l.home_province = c.home_province \
         AND l.valid_until IS NULL AND l.period > c.period) \
         AND h.current_status IS DISTINCT FROM c.status AND ",
    );
    crate::homes::push_homes(&mut qb, "h.home_province", homes);
    qb.push(" AND h.id IN (");
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
/// which period another one starts from (a household that skipped a year). Each mark and
/// the join to `households` also name the households' keys (`homes`), so that on Citus the
/// statement runs on their shards only.
fn push_movement_pairs<DB>(homes: &[String], households: &[i64]) -> QueryBuilder<DB>
where
    DB: sqlx::Database,
    i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    // The statement's correlated subqueries name the keys too (without them Citus sent
    // it to every shard).
    static MARKED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let marked = MARKED.get_or_init(|| {
        crate::homes::mark_subqueries(movement_pairs_statement(), "classifications")
    });
    let mut qb = QueryBuilder::new("");
    let mut rest = marked.as_str();
    while let Some(at) = rest.find(MARK) {
        crate::homes::push_with_homes(&mut qb, &rest[..at], homes);
        let after = &rest[at + MARK.len()..];
        let end = after.find("*/").expect("a household mark is closed");
        let alias = &after[..end];
        crate::homes::push_homes(&mut qb, &format!(" WHERE {alias}.home_province"), homes);
        push_in(&mut qb, &format!(" AND {alias}.household_id"), households);
        rest = &after[end + 2..];
    }
    crate::homes::push_with_homes(&mut qb, rest, homes);
    crate::homes::push_homes(&mut qb, " AND h.home_province", homes);
    qb
}

/// Where migration 0056's statement takes a filter on households: `/*households:b*/`
/// filters the rows of alias `b`.
const MARK: &str = "/*households:";

/// Migration 0056's backfill of the movement pairs, the one statement that writes them
/// (read from the migration, so that the two cannot differ).
pub fn movement_pairs_statement() -> &'static str {
    let migration = include_str!("../../migrations/postgres/0056_movement_start_list.sql");
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
     WHERE /*home:n*/ AND n.household_id = classifications.household_id \
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
        let Some(home) = self.home_province_of(household_id).await? else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT id, {CLASSIFICATION_FIELDS} FROM classifications \
             WHERE home_province = $1 AND household_id = $2 \
             ORDER BY period DESC, effective_date DESC, id DESC"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ClassificationRecord>(AssertSqlSafe(sql.as_str()))
            .bind(&home)
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
