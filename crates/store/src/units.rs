//! Administrative units in the store.

use crate::{Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::HashMap;

/// A unit as stored, with the number of units directly under it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitRecord {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: i32,
    pub tier: String,
    pub parent_code: Option<String>,
    pub province_code: String,
    pub area: Option<String>,
    pub area_overridden: bool,
    pub extremely_difficult: bool,
    pub border: bool,
    pub programme_30a: bool,
    pub programme_135: bool,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Units directly under this one that are still valid.
    pub child_count: i64,
}

/// A search result: the unit and the names of its parent and province for context.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitSearchHit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: i32,
    pub tier: String,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    pub province_name: Option<String>,
}

/// A unit to insert or update from an official list.
#[derive(Debug, Clone)]
pub struct UnitUpsert {
    pub code: String,
    pub name: String,
    pub name_folded: String,
    pub kind: String,
    pub level: i32,
    pub tier: String,
    pub parent_code: Option<String>,
    pub province_code: String,
    pub area: Option<String>,
    /// True when the file gave the area, which then overrides the kind's default.
    pub area_given: bool,
    pub extremely_difficult: bool,
    pub border: bool,
    pub programme_30a: bool,
    pub programme_135: bool,
    pub valid_from: NaiveDate,
}

/// A village to create.
#[derive(Debug, Clone)]
pub struct NewVillage {
    pub code: String,
    pub name: String,
    pub name_folded: String,
    pub kind: String,
    pub level: i32,
    pub parent_code: String,
    pub province_code: String,
    pub area: Option<String>,
    pub valid_from: NaiveDate,
}

/// Changes an administrator may make to a unit's attributes.
#[derive(Debug, Clone)]
pub struct UnitUpdate {
    /// `Some(area)` overrides the area; `None` leaves it as it is.
    pub area: Option<String>,
    pub extremely_difficult: bool,
    pub border: bool,
    pub programme_30a: bool,
    pub programme_135: bool,
}

const UNIT_COLUMNS: &str = "u.code, u.name, u.kind, u.level, u.tier, u.parent_code, u.province_code, \
     u.area, u.area_overridden, u.extremely_difficult, u.border, u.programme_30a, u.programme_135, \
     u.valid_from, u.valid_to, \
     (SELECT COUNT(*) FROM admin_units c WHERE c.parent_code = u.code AND c.valid_to IS NULL) AS child_count";

/// Rows per multi-row INSERT: 16 parameters a row stays well under SQLite's limit of
/// 32,766 parameters a statement and PostgreSQL's 65,535.
const UPSERT_CHUNK: usize = 1000;

fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Escapes `%`, `_` and `\` so user text matches literally inside LIKE.
fn like_pattern(folded: &str) -> String {
    let mut p = String::with_capacity(folded.len() + 2);
    p.push('%');
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl Store {
    /// Number of units, valid or retired.
    pub async fn unit_count(&self) -> Result<i64, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM admin_units")
                .fetch_one(pool)
                .await?),
        )
    }

    /// One unit by code.
    pub async fn unit(&self, code: &str) -> Result<Option<UnitRecord>, StoreError> {
        let sql = format!("SELECT {UNIT_COLUMNS} FROM admin_units u WHERE u.code = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, UnitRecord>(AssertSqlSafe(sql.as_str()))
            .bind(code)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// The units directly under `parent` (the provinces when `None`), in official code
    /// order. Retired units are left out unless asked for.
    pub async fn children(
        &self,
        parent: Option<&str>,
        include_retired: bool,
    ) -> Result<Vec<UnitRecord>, StoreError> {
        let retired = if include_retired {
            ""
        } else {
            " AND u.valid_to IS NULL"
        };
        let sql = match parent {
            Some(_) => format!(
                "SELECT {UNIT_COLUMNS} FROM admin_units u WHERE u.parent_code = $1{retired} ORDER BY u.code"
            ),
            None => format!(
                "SELECT {UNIT_COLUMNS} FROM admin_units u WHERE u.parent_code IS NULL{retired} ORDER BY u.code"
            ),
        };
        Ok(with_pool!(self, pool => {
            let q = sqlx::query_as::<_, UnitRecord>(AssertSqlSafe(sql.as_str()));
            let q = match parent {
                Some(p) => q.bind(p),
                None => q,
            };
            q.fetch_all(pool).await?
        }))
    }

    /// The chain of units from the province down to `code`, top first.
    pub async fn ancestry(&self, code: &str) -> Result<Vec<UnitRecord>, StoreError> {
        let mut chain = Vec::new();
        let mut next = Some(code.to_string());
        // The hierarchy is at most four levels deep; the bound guards against a cycle
        // written into the database by hand.
        while let Some(c) = next.take() {
            if chain.len() > 8 {
                break;
            }
            match self.unit(&c).await? {
                Some(u) => {
                    next = u.parent_code.clone();
                    chain.push(u);
                }
                None => break,
            }
        }
        chain.reverse();
        Ok(chain)
    }

    /// Valid units whose folded name contains the folded query, top levels first.
    pub async fn search_units(
        &self,
        folded_query: &str,
        limit: i64,
    ) -> Result<Vec<UnitSearchHit>, StoreError> {
        let sql = "SELECT u.code, u.name, u.kind, u.level, u.tier, u.parent_code, \
                   p.name AS parent_name, pr.name AS province_name \
                   FROM admin_units u \
                   LEFT JOIN admin_units p ON p.code = u.parent_code \
                   LEFT JOIN admin_units pr ON pr.code = u.province_code AND pr.code <> u.code \
                   WHERE u.name_folded LIKE $1 ESCAPE '\\' AND u.valid_to IS NULL \
                   ORDER BY u.level, u.code LIMIT $2";
        let pattern = like_pattern(folded_query);
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, UnitSearchHit>(sql)
            .bind(&pattern)
            .bind(limit)
            .fetch_all(pool)
            .await?),
        )
    }

    /// Inserts or updates units from an official list in one transaction; parents must
    /// come before their children. With `keep_flags`, the programme flags of existing
    /// units are left as they are (the file did not carry them).
    pub async fn upsert_units(
        &self,
        rows: &[UnitUpsert],
        keep_flags: bool,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let now = timestamp(now);
        let flags_update = if keep_flags {
            ""
        } else {
            ", extremely_difficult = excluded.extremely_difficult, border = excluded.border, \
             programme_30a = excluded.programme_30a, programme_135 = excluded.programme_135"
        };
        let conflict = format!(
            " ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded, \
             kind = excluded.kind, level = excluded.level, tier = excluded.tier, \
             parent_code = excluded.parent_code, province_code = excluded.province_code, \
             area = CASE WHEN excluded.area_overridden THEN excluded.area \
                         WHEN admin_units.area_overridden THEN admin_units.area \
                         ELSE excluded.area END, \
             area_overridden = excluded.area_overridden OR admin_units.area_overridden, \
             valid_to = NULL, updated_at = excluded.updated_at{flags_update}"
        );
        let mut written = 0u64;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in rows.chunks(UPSERT_CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO admin_units (code, name, name_folded, kind, level, tier, parent_code, \
                     province_code, area, area_overridden, extremely_difficult, border, programme_30a, \
                     programme_135, valid_from, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(&r.code)
                        .push_bind(&r.name)
                        .push_bind(&r.name_folded)
                        .push_bind(&r.kind)
                        .push_bind(r.level)
                        .push_bind(&r.tier)
                        .push_bind(&r.parent_code)
                        .push_bind(&r.province_code)
                        .push_bind(&r.area)
                        .push_bind(r.area_given)
                        .push_bind(r.extremely_difficult)
                        .push_bind(r.border)
                        .push_bind(r.programme_30a)
                        .push_bind(r.programme_135)
                        .push_bind(r.valid_from)
                        .push_bind(&now)
                        .push_bind(&now);
                });
                qb.push(&conflict);
                written += qb.build().execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
        });
        Ok(written)
    }

    /// Codes of the valid official (non-village) units of the given provinces.
    pub async fn official_codes_in(&self, province: &str) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT code FROM admin_units WHERE province_code = $1 AND tier <> 'village' AND valid_to IS NULL ORDER BY code"
        )
        .bind(province)
        .fetch_all(pool)
        .await?))
    }

    /// What still points at each of these units: active households of the commune,
    /// valid villages under it and active users given it, as (households, villages,
    /// users) by code. Units holding nothing are left out.
    pub async fn unit_holdings(
        &self,
        codes: &[String],
    ) -> Result<HashMap<String, (i64, i64, i64)>, StoreError> {
        let mut found: HashMap<String, (i64, i64, i64)> = HashMap::new();
        for chunk in codes.chunks(1000) {
            for (i, sql) in [
                "SELECT commune_code, COUNT(*) FROM households WHERE active AND commune_code IN (",
                "SELECT parent_code, COUNT(*) FROM admin_units WHERE tier = 'village' AND valid_to IS NULL AND parent_code IN (",
                "SELECT unit_code, COUNT(*) FROM users WHERE active AND unit_code IN (",
            ]
            .into_iter()
            .enumerate()
            {
                let rows: Vec<(String, i64)> = with_pool!(self, pool => {
                    let mut qb = QueryBuilder::new(sql);
                    let mut sep = qb.separated(", ");
                    for c in chunk {
                        sep.push_bind(c);
                    }
                    qb.push(") GROUP BY 1");
                    qb.build_query_as().fetch_all(pool).await?
                });
                for (code, n) in rows {
                    let e = found.entry(code).or_default();
                    match i {
                        0 => e.0 = n,
                        1 => e.1 = n,
                        _ => e.2 = n,
                    }
                }
            }
        }
        Ok(found)
    }

    /// Active households of these communes by commune and the province they are in.
    pub async fn households_by_commune_province(
        &self,
        communes: &[String],
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let mut found = Vec::new();
        for chunk in communes.chunks(1000) {
            let rows: Vec<(String, String, i64)> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT commune_code, province_code, COUNT(*) FROM households WHERE active AND commune_code IN (",
                );
                let mut sep = qb.separated(", ");
                for c in chunk {
                    sep.push_bind(c);
                }
                qb.push(") GROUP BY commune_code, province_code");
                qb.build_query_as().fetch_all(pool).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// The successors recorded for a retired unit.
    pub async fn unit_successors(&self, old_code: &str) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT new_code FROM unit_successors WHERE old_code = $1 ORDER BY new_code",
        )
        .bind(old_code)
        .fetch_all(pool)
        .await?))
    }

    /// Marks units as no longer valid from `valid_to` (merged or abolished), recording
    /// the units that succeed them (old code, new code). They stay in the database so
    /// that history keeps pointing at them.
    pub async fn retire_units(
        &self,
        codes: &[String],
        successors: &[(String, String)],
        valid_to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let now = timestamp(now);
        let mut n = 0;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for (old, new) in successors {
                sqlx::query(
                    "INSERT INTO unit_successors (old_code, new_code, valid_from, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (old_code, new_code) DO NOTHING",
                )
                .bind(old)
                .bind(new)
                .bind(valid_to)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            for code in codes {
                n += sqlx::query(
                    "UPDATE admin_units SET valid_to = $1, updated_at = $2 WHERE code = $3 AND valid_to IS NULL",
                )
                .bind(valid_to)
                .bind(&now)
                .bind(code)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
        });
        Ok(n)
    }

    /// The highest code among a commune's villages, valid or retired.
    pub async fn last_village_code(&self, commune: &str) -> Result<Option<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT MAX(code) FROM admin_units WHERE parent_code = $1 AND tier = 'village'"
        )
        .bind(commune)
        .fetch_one(pool)
        .await?))
    }

    /// Creates villages in one transaction: all or none.
    pub async fn create_villages(
        &self,
        villages: &[NewVillage],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for v in villages {
                sqlx::query(
                    "INSERT INTO admin_units (code, name, name_folded, kind, level, tier, parent_code, \
                     province_code, area, area_overridden, valid_from, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 'village', $6, $7, $8, FALSE, $9, $10, $10)",
                )
                .bind(&v.code)
                .bind(&v.name)
                .bind(&v.name_folded)
                .bind(&v.kind)
                .bind(v.level)
                .bind(&v.parent_code)
                .bind(&v.province_code)
                .bind(&v.area)
                .bind(v.valid_from)
                .bind(&now)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::unique_as_conflict(e, format!("mã đơn vị {} đã tồn tại", v.code)))?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Valid villages of a commune whose folded name equals `name_folded`.
    pub async fn village_named(
        &self,
        commune: &str,
        name_folded: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT code FROM admin_units WHERE parent_code = $1 AND tier = 'village' AND name_folded = $2 AND valid_to IS NULL"
        )
        .bind(commune)
        .bind(name_folded)
        .fetch_optional(pool)
        .await?))
    }

    /// Changes a unit's area and programme flags.
    pub async fn update_unit(
        &self,
        code: &str,
        update: &UnitUpdate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        let n = with_pool!(self, pool => sqlx::query(
            "UPDATE admin_units SET \
             area = COALESCE($1, area), \
             area_overridden = (area_overridden OR $1 IS NOT NULL), \
             extremely_difficult = $2, border = $3, programme_30a = $4, programme_135 = $5, updated_at = $6 \
             WHERE code = $7",
        )
        .bind(&update.area)
        .bind(update.extremely_difficult)
        .bind(update.border)
        .bind(update.programme_30a)
        .bind(update.programme_135)
        .bind(&now)
        .bind(code)
        .execute(pool)
        .await?
        .rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound(format!("đơn vị {code}")));
        }
        Ok(())
    }
}
