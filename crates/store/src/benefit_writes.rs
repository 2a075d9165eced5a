//! Writing many benefits and findings at once: an agency's list of 100.000 cards and the
//! findings its check raises.
//!
//! PostgreSQL (and Citus) takes the rows with `COPY … FROM STDIN`, the fastest way in;
//! SQLite, which has no `COPY`, runs one prepared insert per row, all in the caller's
//! transaction (sqlx prepares the statement once per connection and reuses it), as the
//! bulk load of households does (see [`crate::bulk`]).

use crate::benefit_imports::ImportedBenefit;
use crate::bulk::{CopyRow, copy_in, copy_text};
use crate::{NewFinding, StoreError};
use std::collections::HashSet;

/// The columns an imported benefit is written with, in the order of both ways of writing.
const IMPORTED_BENEFIT_COLUMNS: &str = "home_province, household_id, member_id, policy, \
     valid_from, valid_to, amount, agency_code, reference, unit_code, province_code, source, \
     import_id, recorded_by, recorded_at";

/// The columns a computed finding is written with.
const FINDING_INSERT_COLUMNS: &str = "source, kind, check_key, province_code, unit_code, \
     household_id, member_id, benefit_id, activity_id, inspection_id, evidence, \
     required_action, responsible_agency, deadline, status, created_at";

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
        for b in rows {
            copy_text(&mut data, &b.home_province);
            CopyRow(&mut data)
                .bind(b.household_id)
                .bind(b.member_id)
                .bind(&b.policy)
                .bind(b.valid_from)
                .bind(b.valid_to)
                .bind(b.amount)
                .bind(&b.agency_code)
                .bind(&b.reference)
                .bind(&b.unit_code)
                .bind(&b.province_code)
                .bind(&source)
                .bind(import_id)
                .bind(&recorded_by)
                .bind(&now);
            data.push('\n');
        }
        copy_in(
            self,
            &format!("COPY benefits ({IMPORTED_BENEFIT_COLUMNS}) FROM STDIN"),
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
            CopyRow(&mut data)
                .bind(&f.source)
                .bind(&f.kind)
                .bind(&f.check_key)
                .bind(&f.province_code)
                .bind(&f.unit_code)
                .bind(f.household_id)
                .bind(f.member_id)
                .bind(f.benefit_id)
                .bind(f.activity_id)
                .bind(f.inspection_id)
                .bind(&f.evidence)
                .bind(&f.required_action)
                .bind(&f.responsible_agency)
                .bind(f.deadline)
                .bind(&open)
                .bind(&now);
            data.push('\n');
        }
        copy_in(&mut *self, "COPY findings_incoming FROM STDIN", &data).await?;
        let sql = format!(
            "INSERT INTO findings ({FINDING_INSERT_COLUMNS}) \
             SELECT {FINDING_INSERT_COLUMNS} FROM findings_incoming ORDER BY ord \
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
        let sql = format!(
            "INSERT INTO benefits ({IMPORTED_BENEFIT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'import', $12, $13, $14)"
        );
        for b in rows {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(&b.home_province)
                .bind(b.household_id)
                .bind(b.member_id)
                .bind(&b.policy)
                .bind(b.valid_from)
                .bind(b.valid_to)
                .bind(b.amount)
                .bind(&b.agency_code)
                .bind(&b.reference)
                .bind(&b.unit_code)
                .bind(&b.province_code)
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
            "INSERT INTO findings ({FINDING_INSERT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'open', $15) \
             ON CONFLICT (check_key) DO NOTHING"
        );
        let mut added = 0;
        for f in findings {
            added += sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(&f.source)
                .bind(&f.kind)
                .bind(&f.check_key)
                .bind(&f.province_code)
                .bind(&f.unit_code)
                .bind(f.household_id)
                .bind(f.member_id)
                .bind(f.benefit_id)
                .bind(f.activity_id)
                .bind(f.inspection_id)
                .bind(&f.evidence)
                .bind(&f.required_action)
                .bind(&f.responsible_agency)
                .bind(f.deadline)
                .bind(now)
                .execute(&mut *self)
                .await?
                .rows_affected();
        }
        Ok(added)
    }
}
