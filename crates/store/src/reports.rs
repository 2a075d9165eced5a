//! The figures behind the official reports, the plan targets and the dashboard.
//!
//! A household's status for a period "as of" a date is its classification for that period
//! with the latest `(effective_date, id)` on or before the date; later reviews and
//! corrections therefore never change a report for a past date. The queries find that
//! row with a correlated `NOT EXISTS` on the `(household_id, period, effective_date, id)`
//! index and aggregate with plain `GROUP BY` and `CASE`, which SQLite, PostgreSQL and
//! Citus (tables distributed by `province_code`) all run; no window functions.

use crate::{Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, Row};

/// The household and classification columns that name a unit.
const UNIT_COLUMNS: [&str; 4] = [
    "village_code",
    "commune_code",
    "district_code",
    "province_code",
];

/// Which households a report covers and how it groups them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportScope {
    /// The column that holds the report's unit (`district_code` for a district report).
    pub scope_column: &'static str,
    pub scope_code: String,
    /// The column whose values are the report's rows (`commune_code` for a district).
    pub group_column: &'static str,
}

impl ReportScope {
    fn check(&self) -> Result<(), StoreError> {
        if UNIT_COLUMNS.contains(&self.scope_column) && UNIT_COLUMNS.contains(&self.group_column) {
            Ok(())
        } else {
            Err(StoreError::NotFound(format!(
                "cột đơn vị {} / {}",
                self.scope_column, self.group_column
            )))
        }
    }
}

/// One figure of one unit: `poor.households`, `near_poor.deprived.water`, …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub unit: String,
    pub key: String,
    pub value: i64,
}

/// Households that moved the same way between the two periods of a movement table.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MovementGroup {
    pub prev_unit: Option<String>,
    pub prev_status: Option<String>,
    pub cur_unit: Option<String>,
    pub cur_status: Option<String>,
    pub transition: Option<String>,
    pub active: bool,
    pub split: bool,
    pub households: i64,
}

/// One household with its status at the start and at the end of a period, for the
/// drill-down lists behind the figures.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HouseholdStatusRow {
    pub id: i64,
    pub code: String,
    pub head_name: String,
    pub head_sort_key: String,
    pub village_code: String,
    pub village_name: String,
    pub address: String,
    pub member_count: i32,
    pub active: bool,
    pub split: bool,
    pub ethnic_minority: bool,
    pub merit: bool,
    pub female_headed: bool,
    pub no_labour: bool,
    pub head_ethnicity: Option<String>,
    pub children: i64,
    pub cur_unit: Option<String>,
    pub cur_status: Option<String>,
    pub cur_transition: Option<String>,
    pub cur_deprived: Option<String>,
    pub cur_causes: Option<String>,
    pub cur_people: Option<i32>,
    pub cur_area: Option<String>,
    pub prev_unit: Option<String>,
    pub prev_status: Option<String>,
}

/// A group of members: unit, status, the ethnicity of heads (none for other members),
/// heads, children.
type MemberGroup = (
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// Which of the costly status figures a caller needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusNeeds {
    /// `.no_labour`: a look at the working-age members of every household.
    pub no_labour: bool,
    /// `.children` and `.ethnicity.{code}`: a pass over the members.
    pub members: bool,
}

impl StatusNeeds {
    pub const ALL: StatusNeeds = StatusNeeds {
        no_labour: true,
        members: true,
    };
}

/// A plan target of one unit and year.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct TargetRecord {
    pub id: i64,
    pub province_code: String,
    pub unit_code: String,
    pub year: i32,
    pub indicator: String,
    pub target_value: f64,
    pub target_max: Option<f64>,
    pub measure_unit: String,
    pub source_note: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// A target as entered.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInput {
    pub province_code: String,
    pub unit_code: String,
    pub year: i32,
    pub indicator: String,
    pub target_value: f64,
    pub target_max: Option<f64>,
    pub measure_unit: String,
    pub source_note: String,
}

/// A unit's uploaded boundary.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BoundaryRecord {
    pub unit_code: String,
    pub geometry: String,
}

/// Health-insurance cards of the people of poor or near-poor households.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InsuranceCount {
    pub people: i64,
    pub insured: i64,
}

/// The latest classification per household for period `$period` on or before `$3`,
/// within the scope `$1`. `unit` is the grouping column.
fn latest(scope: &ReportScope, period: &str) -> String {
    format!(
        "SELECT c.household_id, c.{g} AS unit, c.status, c.transition, c.member_count, \
                c.deprived, c.causes, c.area, c.province_code \
         FROM classifications c \
         WHERE c.{s} = $1 AND c.period = {period} AND c.effective_date <= $3 \
           AND NOT EXISTS (SELECT 1 FROM classifications n \
               WHERE n.household_id = c.household_id AND n.province_code = c.province_code \
                 AND n.period = c.period AND n.effective_date <= $3 \
                 AND (n.effective_date > c.effective_date \
                      OR (n.effective_date = c.effective_date AND n.id > c.id)))",
        g = scope.group_column,
        s = scope.scope_column,
    )
}

/// True when a comma list column holds `code`; `code` is one of the fixed codes the
/// caller passes, never user text.
fn contains_code(column: &str, code: &str) -> String {
    format!("CASE WHEN (',' || {column} || ',') LIKE '%,{code},%' THEN 1 ELSE 0 END")
}

fn safe_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A household has no working capacity when none of its active members of working age
/// (15–60 in the report year) is able to work.
/// `from` and `to` name the parameters that hold the birth years of the age band.
fn no_labour_sql(from: &str, to: &str) -> String {
    format!(
        "CASE WHEN NOT EXISTS (SELECT 1 FROM members m \
            WHERE m.household_id = h.id AND m.province_code = h.province_code AND m.active \
              AND m.birth_year BETWEEN {from} AND {to} AND COALESCE(m.work_status, '') <> 'unable') \
         THEN 1 ELSE 0 END"
    )
}

impl Store {
    /// Registry figures per row unit: active households, their people and ethnic-minority
    /// households (`households`, `people`, `ethnic_minority`).
    pub async fn registry_facts(&self, scope: &ReportScope) -> Result<Vec<Fact>, StoreError> {
        scope.check()?;
        let sql = format!(
            "SELECT h.{g} AS unit, COUNT(*) AS households, \
                    COALESCE(SUM(h.member_count), 0) AS people, \
                    SUM(CASE WHEN h.ethnic_minority THEN 1 ELSE 0 END) AS ethnic_minority \
             FROM households h WHERE h.{s} = $1 AND h.active AND h.{g} IS NOT NULL \
             GROUP BY h.{g}",
            g = scope.group_column,
            s = scope.scope_column
        );
        let rows: Vec<(String, i64, i64, i64)> = with_pool!(self, pool =>
            sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(&scope.scope_code)
                .fetch_all(pool)
                .await?);
        let mut facts = Vec::with_capacity(rows.len() * 3);
        for (unit, households, people, minority) in rows {
            for (key, value) in [
                ("households", households),
                ("people", people),
                ("ethnic_minority", minority),
            ] {
                facts.push(Fact {
                    unit: unit.clone(),
                    key: key.to_string(),
                    value,
                });
            }
        }
        Ok(facts)
    }

    /// Figures per row unit and status for a period as of a date:
    /// `{status}.households`, `.people`, `.ethnic_minority`, `.merit`, `.female_headed`,
    /// `.urban`, `.no_labour`, `.deprived.{indicator}`, `.cause.{cause}`, `.children`,
    /// `.ethnicity.{name}`. `indicators` and `causes` are codes (`[a-z0-9_]`).
    pub async fn status_facts(
        &self,
        scope: &ReportScope,
        period: i32,
        as_of: NaiveDate,
        indicators: &[&str],
        causes: &[&str],
    ) -> Result<Vec<Fact>, StoreError> {
        self.status_facts_for(scope, period, as_of, indicators, causes, StatusNeeds::ALL)
            .await
    }

    /// [`Store::status_facts`] with only the costly figures a report uses: each member
    /// figure reads the members of every household again, which would triple the time
    /// of a report that shows none of them.
    pub async fn status_facts_for(
        &self,
        scope: &ReportScope,
        period: i32,
        as_of: NaiveDate,
        indicators: &[&str],
        causes: &[&str],
        needs: StatusNeeds,
    ) -> Result<Vec<Fact>, StoreError> {
        scope.check()?;
        if let Some(bad) = indicators.iter().chain(causes).find(|c| !safe_code(c)) {
            return Err(StoreError::NotFound(format!("mã chỉ số «{bad}»")));
        }
        let mut columns = vec![
            "COUNT(*)".to_string(),
            "COALESCE(SUM(cur.member_count), 0)".to_string(),
            "SUM(CASE WHEN h.ethnic_minority THEN 1 ELSE 0 END)".to_string(),
            "SUM(CASE WHEN h.merit THEN 1 ELSE 0 END)".to_string(),
            "SUM(CASE WHEN h.female_headed THEN 1 ELSE 0 END)".to_string(),
            "SUM(CASE WHEN cur.area = 'urban' THEN 1 ELSE 0 END)".to_string(),
            if needs.no_labour {
                format!("SUM({})", no_labour_sql("$4", "$5"))
            } else {
                // Typed, so that PostgreSQL answers a BIGINT as it does for the SUM.
                "CAST(0 AS BIGINT)".to_string()
            },
        ];
        let mut keys: Vec<String> = [
            "households",
            "people",
            "ethnic_minority",
            "merit",
            "female_headed",
            "urban",
            "no_labour",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for code in indicators {
            columns.push(format!("SUM({})", contains_code("cur.deprived", code)));
            keys.push(format!("deprived.{code}"));
        }
        for code in causes {
            columns.push(format!("SUM({})", contains_code("cur.causes", code)));
            keys.push(format!("cause.{code}"));
        }
        let sql = format!(
            "SELECT cur.unit, cur.status, {cols} \
             FROM ({latest}) cur JOIN households h ON h.id = cur.household_id \
             GROUP BY cur.unit, cur.status",
            cols = columns.join(", "),
            latest = latest(scope, "$2"),
        );
        // Children and the heads' ethnicities in one pass over the members: each group
        // is a unit, a status and the ethnicity of a head (none for other members).
        let members_sql = format!(
            "SELECT cur.unit, cur.status, \
                    CASE WHEN m.relation = 'head' THEN m.ethnicity ELSE NULL END AS head_ethnicity, \
                    SUM(CASE WHEN m.relation = 'head' THEN 1 ELSE 0 END), \
                    SUM(CASE WHEN m.birth_year > $4 THEN 1 ELSE 0 END) \
             FROM ({latest}) cur JOIN members m ON m.household_id = cur.household_id \
             WHERE m.active \
             GROUP BY cur.unit, cur.status, CASE WHEN m.relation = 'head' THEN m.ethnicity ELSE NULL END",
            latest = latest(scope, "$2"),
        );
        let under_16_born_after = period - 16;
        let mut facts = Vec::new();
        with_pool!(self, pool => {
            let rows = sqlx::query(AssertSqlSafe(sql.as_str()))
                .bind(&scope.scope_code)
                .bind(period)
                .bind(as_of)
                .bind(period - 60)
                .bind(period - 15)
                .fetch_all(pool)
                .await?;
            for row in rows {
                let unit: Option<String> = row.try_get(0)?;
                let status: String = row.try_get(1)?;
                let Some(unit) = unit else { continue };
                for (i, key) in keys.iter().enumerate() {
                    let value: i64 = row.try_get(i + 2)?;
                    facts.push(Fact { unit: unit.clone(), key: format!("{status}.{key}"), value });
                }
            }
            if needs.members {
                let rows: Vec<MemberGroup> = sqlx::query_as(AssertSqlSafe(members_sql.as_str()))
                        .bind(&scope.scope_code)
                        .bind(period)
                        .bind(as_of)
                        .bind(under_16_born_after)
                        .fetch_all(pool)
                        .await?;
                let mut children: std::collections::BTreeMap<(String, String), i64> =
                    std::collections::BTreeMap::new();
                for (unit, status, ethnicity, heads, kids) in rows {
                    let Some(unit) = unit else { continue };
                    let kids = kids.unwrap_or(0);
                    if kids > 0 {
                        *children.entry((unit.clone(), status.clone())).or_default() += kids;
                    }
                    if let Some(ethnicity) = ethnicity {
                        facts.push(Fact {
                            unit,
                            key: format!("{status}.ethnicity.{ethnicity}"),
                            value: heads.unwrap_or(0),
                        });
                    }
                }
                for ((unit, status), value) in children {
                    facts.push(Fact { unit, key: format!("{status}.children"), value });
                }
            }
        });
        Ok(facts)
    }

    /// Households grouped by how their status moved from the end of `period - 1` to the
    /// end of `period`, both as of `as_of`: every household with a classification for
    /// either period in the scope.
    pub async fn movement_groups(
        &self,
        scope: &ReportScope,
        period: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<MovementGroup>, StoreError> {
        scope.check()?;
        let sql = format!(
            "SELECT prev.unit AS prev_unit, prev.status AS prev_status, \
                    cur.unit AS cur_unit, cur.status AS cur_status, cur.transition AS transition, \
                    h.active AS active, \
                    CASE WHEN h.split_from IS NULL THEN FALSE ELSE TRUE END AS split, \
                    COUNT(*) AS households \
             FROM households h \
             LEFT JOIN ({cur}) cur ON cur.household_id = h.id \
             LEFT JOIN ({prev}) prev ON prev.household_id = h.id \
             WHERE h.id IN (SELECT k.household_id FROM classifications k \
                            WHERE k.{s} = $1 AND k.period IN ($2, $4) AND k.effective_date <= $3) \
               AND (cur.household_id IS NOT NULL OR prev.household_id IS NOT NULL) \
             GROUP BY prev.unit, prev.status, cur.unit, cur.status, cur.transition, h.active, \
                      CASE WHEN h.split_from IS NULL THEN FALSE ELSE TRUE END",
            cur = latest(scope, "$2"),
            prev = latest(scope, "$4"),
            s = scope.scope_column,
        );
        Ok(with_pool!(self, pool =>
            sqlx::query_as::<_, MovementGroup>(AssertSqlSafe(sql.as_str()))
                .bind(&scope.scope_code)
                .bind(period)
                .bind(as_of)
                .bind(period - 1)
                .fetch_all(pool)
                .await?))
    }

    /// Every household of a unit (by its registry unit or by a classification of either
    /// period there) with its statuses at the start and the end of `period`, in the
    /// Vietnamese order of the head's name. `scope.group_column` is the unit the
    /// statuses are grouped by, as in the report.
    pub async fn household_statuses(
        &self,
        scope: &ReportScope,
        period: i32,
        as_of: NaiveDate,
    ) -> Result<Vec<HouseholdStatusRow>, StoreError> {
        scope.check()?;
        let sql = format!(
            "SELECT h.id, h.code, h.head_name, h.head_sort_key, h.village_code, \
                    COALESCE(v.name, h.village_code) AS village_name, h.address, h.member_count, \
                    h.active, CASE WHEN h.split_from IS NULL THEN FALSE ELSE TRUE END AS split, \
                    h.ethnic_minority, h.merit, h.female_headed, \
                    CASE WHEN ({no_labour}) = 1 THEN TRUE ELSE FALSE END AS no_labour, \
                    (SELECT MIN(hm.ethnicity) FROM members hm WHERE hm.household_id = h.id \
                        AND hm.active AND hm.relation = 'head') AS head_ethnicity, \
                    (SELECT COUNT(*) FROM members cm WHERE cm.household_id = h.id AND cm.active \
                        AND cm.birth_year > $7) AS children, \
                    cur.unit AS cur_unit, cur.status AS cur_status, cur.transition AS cur_transition, \
                    cur.deprived AS cur_deprived, cur.causes AS cur_causes, \
                    cur.member_count AS cur_people, cur.area AS cur_area, \
                    prev.unit AS prev_unit, prev.status AS prev_status \
             FROM households h \
             LEFT JOIN admin_units v ON v.code = h.village_code \
             LEFT JOIN ({cur}) cur ON cur.household_id = h.id \
             LEFT JOIN ({prev}) prev ON prev.household_id = h.id \
             WHERE h.{s} = $1 OR h.id IN (SELECT k.household_id FROM classifications k \
                            WHERE k.{s} = $1 AND k.period IN ($2, $4) AND k.effective_date <= $3) \
             ORDER BY h.head_sort_key, h.id",
            no_labour = no_labour_sql("$5", "$6"),
            cur = latest(scope, "$2"),
            prev = latest(scope, "$4"),
            s = scope.scope_column,
        );
        Ok(with_pool!(self, pool =>
            sqlx::query_as::<_, HouseholdStatusRow>(AssertSqlSafe(sql.as_str()))
                .bind(&scope.scope_code)
                .bind(period)
                .bind(as_of)
                .bind(period - 1)
                .bind(period - 60)
                .bind(period - 15)
                .bind(period - 16)
                .fetch_all(pool)
                .await?))
    }

    /// Households per period and status (the trend over years), each period as of a date.
    pub async fn status_trend(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        as_of: NaiveDate,
    ) -> Result<Vec<(i32, String, i64)>, StoreError> {
        let scope = ReportScope {
            scope_column,
            scope_code: scope_code.to_string(),
            group_column: scope_column,
        };
        scope.check()?;
        let sql = format!(
            "SELECT c.period, c.status, COUNT(*) FROM classifications c \
             WHERE c.{s} = $1 AND c.effective_date <= $2 \
               AND NOT EXISTS (SELECT 1 FROM classifications n \
                   WHERE n.household_id = c.household_id AND n.province_code = c.province_code \
                     AND n.period = c.period AND n.effective_date <= $2 \
                     AND (n.effective_date > c.effective_date \
                          OR (n.effective_date = c.effective_date AND n.id > c.id))) \
             GROUP BY c.period, c.status ORDER BY c.period",
            s = scope_column
        );
        Ok(with_pool!(self, pool =>
            sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(scope_code)
                .bind(as_of)
                .fetch_all(pool)
                .await?))
    }

    /// The people of the households that are poor (or near-poor) for a period as of a
    /// date, and how many of them hold a health-insurance card valid on that date.
    pub async fn insurance_count(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        period: i32,
        as_of: NaiveDate,
        status: &str,
    ) -> Result<InsuranceCount, StoreError> {
        let scope = ReportScope {
            scope_column,
            scope_code: scope_code.to_string(),
            group_column: scope_column,
        };
        scope.check()?;
        let sql = format!(
            "SELECT COUNT(*), SUM(CASE WHEN m.health_insurance_number IS NOT NULL \
                    AND (m.health_insurance_expiry IS NULL OR m.health_insurance_expiry >= $3) \
                    THEN 1 ELSE 0 END) \
             FROM ({latest}) cur JOIN members m ON m.household_id = cur.household_id \
             WHERE m.active AND cur.status = $4",
            latest = latest(&scope, "$2"),
        );
        let (people, insured): (i64, Option<i64>) = with_pool!(self, pool =>
            sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(scope_code)
                .bind(period)
                .bind(as_of)
                .bind(status)
                .fetch_one(pool)
                .await?);
        Ok(InsuranceCount {
            people,
            insured: insured.unwrap_or(0),
        })
    }

    /// Reviews per commune and step (`listing`, `survey`, … `closed`) for a period.
    pub async fn review_progress(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        period: i32,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        if !matches!(
            scope_column,
            "commune_code" | "district_code" | "province_code"
        ) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT r.commune_code, r.step, COUNT(*) FROM reviews r \
             WHERE r.{scope_column} = $1 AND r.period = $2 \
             GROUP BY r.commune_code, r.step ORDER BY r.commune_code, r.step"
        );
        Ok(with_pool!(self, pool =>
            sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(scope_code)
                .bind(period)
                .fetch_all(pool)
                .await?))
    }

    /// The targets of a unit and year, in indicator order of entry.
    pub async fn targets(
        &self,
        unit_code: &str,
        year: i32,
    ) -> Result<Vec<TargetRecord>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, TargetRecord>(
            "SELECT id, province_code, unit_code, year, indicator, target_value, target_max, \
                    measure_unit, source_note, version, updated_by, updated_at \
             FROM targets WHERE unit_code = $1 AND year = $2 ORDER BY id")
            .bind(unit_code)
            .bind(year)
            .fetch_all(pool)
            .await?))
    }

    /// The years that have targets for a unit, newest first.
    pub async fn target_years(&self, unit_code: &str) -> Result<Vec<i32>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT DISTINCT year FROM targets WHERE unit_code = $1 ORDER BY year DESC")
            .bind(unit_code)
            .fetch_all(pool)
            .await?))
    }

    /// Creates or changes a target; a change names the version it read (`None` creates).
    pub async fn save_target(
        &self,
        input: &TargetInput,
        expected_version: Option<i64>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<TargetRecord, StoreError> {
        let now = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        with_pool!(self, pool => {
            let changed = match expected_version {
                Some(v) => sqlx::query(
                    "UPDATE targets SET target_value = $1, target_max = $2, measure_unit = $3, \
                         source_note = $4, updated_by = $5, updated_at = $6, version = version + 1 \
                     WHERE unit_code = $7 AND year = $8 AND indicator = $9 AND version = $10")
                    .bind(input.target_value)
                    .bind(input.target_max)
                    .bind(&input.measure_unit)
                    .bind(&input.source_note)
                    .bind(by)
                    .bind(&now)
                    .bind(&input.unit_code)
                    .bind(input.year)
                    .bind(&input.indicator)
                    .bind(v)
                    .execute(pool)
                    .await?
                    .rows_affected(),
                None => sqlx::query(
                    "INSERT INTO targets (province_code, unit_code, year, indicator, target_value, \
                         target_max, measure_unit, source_note, updated_by, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(&input.province_code)
                    .bind(&input.unit_code)
                    .bind(input.year)
                    .bind(&input.indicator)
                    .bind(input.target_value)
                    .bind(input.target_max)
                    .bind(&input.measure_unit)
                    .bind(&input.source_note)
                    .bind(by)
                    .bind(&now)
                    .execute(pool)
                    .await
                    .map_err(|e| StoreError::unique_as_conflict(e, "chỉ tiêu này đã có"))?
                    .rows_affected(),
            };
            if changed == 0 {
                return Err(StoreError::Stale("chỉ tiêu".into()));
            }
        });
        let all = self.targets(&input.unit_code, input.year).await?;
        all.into_iter()
            .find(|t| t.indicator == input.indicator)
            .ok_or_else(|| StoreError::NotFound("chỉ tiêu".into()))
    }

    /// Stores or replaces the boundary of a unit.
    pub async fn save_boundary(
        &self,
        unit_code: &str,
        province_code: &str,
        geometry: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO geo_boundaries (unit_code, province_code, geometry, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (unit_code) DO UPDATE SET geometry = excluded.geometry, \
                 uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at")
            .bind(unit_code)
            .bind(province_code)
            .bind(geometry)
            .bind(by)
            .bind(&now)
            .execute(pool)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// The boundaries of the given units that have one.
    pub async fn boundaries(
        &self,
        unit_codes: &[String],
    ) -> Result<Vec<BoundaryRecord>, StoreError> {
        if unit_codes.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=unit_codes.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT unit_code, geometry FROM geo_boundaries WHERE unit_code IN ({}) ORDER BY unit_code",
            placeholders.join(", ")
        );
        Ok(with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, BoundaryRecord>(AssertSqlSafe(sql.as_str()));
            for c in unit_codes {
                q = q.bind(c);
            }
            q.fetch_all(pool).await?
        }))
    }
}
