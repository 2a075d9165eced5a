//! Reading the audit log: a household's history and the log of a unit.

use super::*;

impl Store {
    /// The audit entries of one household, newest first.
    pub async fn audit_for_household(
        &self,
        household_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        // A household's entries carry its key (crate::households::audit_home).
        let Some(home) = self.home_province_of(household_id).await? else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT id, {AUDIT_COLUMNS} FROM audit_log WHERE home_province = $1 AND household_id = $2 \
             ORDER BY id DESC LIMIT {limit}"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, AuditRecord>(AssertSqlSafe(sql.as_str()))
            .bind(&home)
            .bind(household_id)
            .fetch_all(pool)
            .await?),
        )
    }

    /// The whole audit log, newest first, one page.
    pub async fn audit_log(
        &self,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditRecord>, i64), StoreError> {
        let sql = format!(
            "SELECT id, {AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT {limit} OFFSET {offset}"
        );
        Ok(with_pool!(self, pool => {
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await?;
            let rows = sqlx::query_as::<_, AuditRecord>(AssertSqlSafe(sql.as_str()))
                .fetch_all(pool)
                .await?;
            (rows, total)
        }))
    }

    /// The audit log one user may read, newest first, with its total: the entries about
    /// units of their area and their own actions.
    ///
    /// A province's entries are found by their province; below it, by the units under
    /// the user's unit (at most four levels, so the recursion is short). Entries of no
    /// unit, or of another province, are shown only to whoever made them.
    pub async fn audit_log_in(
        &self,
        scope: AuditScope<'_>,
        user_id: i64,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditRecord>, i64), StoreError> {
        // Below a province, the units under the reader's unit are read first, from the
        // units table alone, and the log is then filtered on their codes: Citus runs a
        // recursive query only beside a filter on the distribution column, so the
        // recursion cannot sit inside the log's query.
        let (mut filter_sql, unit, mut binds) = match scope {
            AuditScope::Province(code) => (
                "(province_code = $1 OR unit_code = $1 OR user_id = $2)".to_string(),
                code,
                Vec::new(),
            ),
            AuditScope::Below(code) => {
                let area = self.units_below(code).await?;
                let list: Vec<String> = (0..area.len()).map(|i| format!("${}", i + 3)).collect();
                let filter = if list.is_empty() {
                    "user_id = $2 AND $1 = $1".to_string()
                } else {
                    format!(
                        "(unit_code IN ({}) OR user_id = $2) AND $1 = $1",
                        list.join(", ")
                    )
                };
                (filter, code, area)
            }
        };
        // The reader's own filters, each a further condition with its own parameters.
        let next = |value: String, binds: &mut Vec<String>| {
            binds.push(value);
            format!("${}", binds.len() + 2)
        };
        if let Some(name) = &filter.username {
            let p = next(name.clone(), &mut binds);
            filter_sql.push_str(&format!(" AND username = {p}"));
        }
        if let Some(action) = &filter.action {
            let p = next(action.clone(), &mut binds);
            filter_sql.push_str(&format!(" AND action = {p}"));
        }
        if let Some(from) = &filter.from {
            let p = next(from.clone(), &mut binds);
            filter_sql.push_str(&format!(" AND at >= {p}"));
        }
        if let Some(before) = &filter.before {
            let p = next(before.clone(), &mut binds);
            filter_sql.push_str(&format!(" AND at < {p}"));
        }
        if let Some(code) = &filter.unit {
            let area = self.units_below(code).await?;
            if area.is_empty() {
                filter_sql.push_str(" AND 1 = 0");
            } else {
                let list: Vec<String> = area.into_iter().map(|c| next(c, &mut binds)).collect();
                filter_sql.push_str(&format!(" AND unit_code IN ({})", list.join(", ")));
            }
        }
        let rows_sql = format!(
            "SELECT id, {AUDIT_COLUMNS} FROM audit_log WHERE {filter_sql} \
             ORDER BY id DESC LIMIT {limit} OFFSET {offset}"
        );
        let count_sql = format!("SELECT COUNT(*) FROM audit_log WHERE {filter_sql}");
        Ok(with_pool!(self, pool => {
            let mut count = sqlx::query_scalar(AssertSqlSafe(count_sql.as_str()))
                .bind(unit)
                .bind(user_id);
            for value in &binds {
                count = count.bind(value);
            }
            let total: i64 = count.fetch_one(pool).await?;
            let mut page = sqlx::query_as::<_, AuditRecord>(AssertSqlSafe(rows_sql.as_str()))
                .bind(unit)
                .bind(user_id);
            for value in &binds {
                page = page.bind(value);
            }
            let rows = page.fetch_all(pool).await?;
            (rows, total)
        }))
    }

    /// A unit's code and the codes of every unit under it, from the units table alone.
    pub(super) async fn units_below(&self, code: &str) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "WITH RECURSIVE area(code) AS (SELECT code FROM admin_units WHERE code = $1 \
             UNION ALL SELECT u.code FROM admin_units u JOIN area a ON u.parent_code = a.code) \
             SELECT DISTINCT code FROM area",
        )
        .bind(code)
        .fetch_all(pool)
        .await?))
    }
}
