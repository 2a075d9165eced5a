//! Writing many benefits and findings at once: an agency's list of 100.000 cards and the
//! findings its check raises.
//!
//! PostgreSQL (and Citus) takes the rows with `COPY … FROM STDIN`, the fastest way in;
//! SQLite, which has no `COPY`, runs one prepared insert per row, all in the caller's
//! transaction (sqlx prepares the statement once per connection and reuses it), as the
//! bulk load of households does (see [`crate::bulk`]). The values of a row are bound by
//! one macro per table ([`bind_imported_benefit!`], [`bind_finding!`]) for the `COPY`
//! text, the prepared inserts and the one-row inserts alike, in the order of one column
//! list, so that a column added is added once.

use crate::benefit_imports::ImportedBenefit;
use crate::bulk::{CopyRow, copy_in};
use crate::{NewFinding, StoreError};
use std::collections::HashSet;

/// The columns of an imported benefit that [`bind_imported_benefit!`] binds, in its order.
pub(crate) const IMPORTED_BENEFIT_FIELDS: &str = "home_province, household_id, member_id, \
     policy, valid_from, valid_to, amount, agency_code, reference, unit_code, province_code";

/// Binds the values of an imported benefit (`$b`) with `$method` (`bind`, `push_bind`),
/// in the order of [`IMPORTED_BENEFIT_FIELDS`].
macro_rules! bind_imported_benefit {
    ($q:expr, $method:ident, $b:expr) => {{
        let b = $b;
        $q.$method(&b.home_province)
            .$method(b.household_id)
            .$method(b.member_id)
            .$method(&b.policy)
            .$method(b.valid_from)
            .$method(b.valid_to)
            .$method(b.amount)
            .$method(&b.agency_code)
            .$method(&b.reference)
            .$method(&b.unit_code)
            .$method(&b.province_code)
    }};
}

/// The insert of one imported benefit: its fields, then its run, recorder and time.
pub(crate) fn imported_benefit_insert() -> String {
    format!(
        "INSERT INTO benefits ({IMPORTED_BENEFIT_FIELDS}, source, import_id, recorded_by, \
         recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'import', $12, \
         $13, $14)"
    )
}

/// The columns of a finding that [`bind_finding!`] binds, in its order.
pub(crate) const FINDING_FIELDS: &str = "source, kind, check_key, province_code, unit_code, \
     household_id, member_id, benefit_id, activity_id, inspection_id, evidence, \
     required_action, responsible_agency, deadline";

/// Binds the values of a finding (`$f`) with `$method`, in the order of [`FINDING_FIELDS`].
macro_rules! bind_finding {
    ($q:expr, $method:ident, $f:expr) => {{
        let f = $f;
        $q.$method(&f.source)
            .$method(&f.kind)
            .$method(&f.check_key)
            .$method(&f.province_code)
            .$method(&f.unit_code)
            .$method(f.household_id)
            .$method(f.member_id)
            .$method(f.benefit_id)
            .$method(f.activity_id)
            .$method(f.inspection_id)
            .$method(&f.evidence)
            .$method(&f.required_action)
            .$method(&f.responsible_agency)
            .$method(f.deadline)
    }};
}
pub(crate) use {bind_finding, bind_imported_benefit};

/// Bulk writes inside an open transaction, one implementation per backend.
pub(crate) trait BulkWrite {
    /// Writes the benefits an import matched, as rows of run `import_id`. Every benefit
    /// an import writes goes through here (a queued row matched by hand goes through
    /// `Store::resolve_queue_row`).
    async fn write_imported_benefits(
        &mut self,
        rows: &[&ImportedBenefit],
        import_id: i64,
        recorded_by: &str,
        now: &str,
    ) -> Result<(), StoreError>;

    /// Adds the findings whose `check_key` is not stored yet, in the order given; returns
    /// how many were added.
    async fn write_new_findings(
        &mut self,
        findings: &[NewFinding],
        now: &str,
    ) -> Result<u64, StoreError>;
}

impl BulkWrite for sqlx::PgConnection {
    async fn write_imported_benefits(
        &mut self,
        rows: &[&ImportedBenefit],
        import_id: i64,
        recorded_by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let mut data = String::with_capacity(rows.len() * 160);
        let recorded_by = recorded_by.to_string();
        let now = now.to_string();
        let source = "import".to_string();
        // The run's id first: each value a `CopyRow` binds is preceded by a tab.
        for b in rows {
            data.push_str(&import_id.to_string());
            bind_imported_benefit!(CopyRow(&mut data), bind, *b)
                .bind(&source)
                .bind(&recorded_by)
                .bind(&now);
            data.push('\n');
        }
        copy_in(
            self,
            &format!(
                "COPY benefits (import_id, {IMPORTED_BENEFIT_FIELDS}, source, recorded_by, \
                 recorded_at) FROM STDIN"
            ),
            &data,
        )
        .await
    }

    async fn write_new_findings(
        &mut self,
        findings: &[NewFinding],
        now: &str,
    ) -> Result<u64, StoreError> {
        // The first finding of each key among those not stored yet. Citus counts every
        // row an INSERT … SELECT sends to a shared table as written, even those ON
        // CONFLICT skips, so the count of what is added is only right for rows known new.
        let keys: Vec<String> = findings
            .iter()
            .filter_map(|f| f.check_key.clone())
            .collect();
        let mut seen: HashSet<String> = HashSet::new();
        if !keys.is_empty() {
            let stored: Vec<String> =
                sqlx::query_scalar("SELECT check_key FROM findings WHERE check_key = ANY($1)")
                    .bind(&keys)
                    .fetch_all(&mut *self)
                    .await?;
            seen.extend(stored);
        }
        let findings: Vec<&NewFinding> = findings
            .iter()
            .filter(|f| f.check_key.as_ref().is_none_or(|k| seen.insert(k.clone())))
            .collect();
        if findings.is_empty() {
            return Ok(0);
        }
        // COPY cannot skip a row whose key is stored meanwhile (by a check running at the
        // same time), so the rows go to a temporary table first and from there into
        // `findings` with ON CONFLICT, in their order (`ord`), so that their ids follow it
        // as the row-by-row insert's did.
        sqlx::query(
            "CREATE TEMPORARY TABLE findings_incoming (ord BIGINT, source TEXT, kind TEXT, \
             check_key TEXT, province_code TEXT, unit_code TEXT, household_id BIGINT, \
             member_id BIGINT, benefit_id BIGINT, activity_id BIGINT, inspection_id BIGINT, \
             evidence TEXT, required_action TEXT, responsible_agency TEXT, deadline DATE, \
             status TEXT, created_at TEXT) ON COMMIT DROP",
        )
        .execute(&mut *self)
        .await?;
        let mut data = String::with_capacity(findings.len() * 512);
        let now = now.to_string();
        let open = "open".to_string();
        for (i, f) in findings.iter().enumerate() {
            data.push_str(&i.to_string());
            bind_finding!(CopyRow(&mut data), bind, *f)
                .bind(&open)
                .bind(&now);
            data.push('\n');
        }
        copy_in(&mut *self, "COPY findings_incoming FROM STDIN", &data).await?;
        let sql = format!(
            "INSERT INTO findings ({FINDING_FIELDS}, status, created_at) \
             SELECT {FINDING_FIELDS}, status, created_at FROM findings_incoming ORDER BY ord \
             ON CONFLICT (check_key) DO NOTHING"
        );
        let added = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *self)
            .await?
            .rows_affected();
        sqlx::query("DROP TABLE findings_incoming")
            .execute(&mut *self)
            .await?;
        Ok(added)
    }
}

impl BulkWrite for sqlx::SqliteConnection {
    async fn write_imported_benefits(
        &mut self,
        rows: &[&ImportedBenefit],
        import_id: i64,
        recorded_by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        let sql = imported_benefit_insert();
        for b in rows {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            bind_imported_benefit!(q, bind, *b)
                .bind(import_id)
                .bind(recorded_by)
                .bind(now)
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }

    async fn write_new_findings(
        &mut self,
        findings: &[NewFinding],
        now: &str,
    ) -> Result<u64, StoreError> {
        let sql = format!(
            "INSERT INTO findings ({FINDING_FIELDS}, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'open', $15) \
             ON CONFLICT (check_key) DO NOTHING"
        );
        let mut added = 0;
        for f in findings {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            added += bind_finding!(q, bind, f)
                .bind(now)
                .execute(&mut *self)
                .await?
                .rows_affected();
        }
        Ok(added)
    }
}
