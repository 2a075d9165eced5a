//! Households, members and the audit log in the store.
//!
//! The app layer decides what changes (and checks access); the store writes each change
//! in one transaction together with its audit entries, so the log never misses a change
//! and a failed save leaves nothing half-written.

use crate::{Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};

/// The household columns a user can change.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct HouseholdFields {
    pub code: String,
    pub village_code: String,
    pub commune_code: String,
    pub district_code: Option<String>,
    pub province_code: String,
    pub head_name: String,
    pub head_sort_key: String,
    pub address: String,
    pub phone: Option<String>,
    pub area: String,
    pub area_overridden: bool,
    pub ethnic_minority: bool,
    pub female_headed: bool,
    pub merit: bool,
    pub social_allowance: bool,
    pub floor_area_m2: Option<i32>,
    pub wall_material: Option<String>,
    pub column_material: Option<String>,
    pub roof_material: Option<String>,
    pub water_source: Option<String>,
    pub latrine: Option<String>,
    pub has_tv: bool,
    pub has_radio: bool,
    pub has_computer: bool,
    pub has_smartphone: bool,
    pub loudspeaker: bool,
    pub production_land_m2: Option<i32>,
    pub notes: String,
    pub member_count: i32,
}

pub(crate) const HOUSEHOLD_FIELDS: [&str; 29] = [
    "code",
    "village_code",
    "commune_code",
    "district_code",
    "province_code",
    "head_name",
    "head_sort_key",
    "address",
    "phone",
    "area",
    "area_overridden",
    "ethnic_minority",
    "female_headed",
    "merit",
    "social_allowance",
    "floor_area_m2",
    "wall_material",
    "column_material",
    "roof_material",
    "water_source",
    "latrine",
    "has_tv",
    "has_radio",
    "has_computer",
    "has_smartphone",
    "loudspeaker",
    "production_land_m2",
    "notes",
    "member_count",
];

/// Binds every `HouseholdFields` value, in `HOUSEHOLD_FIELDS` order, to a query or a
/// query builder's row (`$method` is `bind` or `push_bind`).
macro_rules! bind_household {
    ($q:expr, $method:ident, $f:expr) => {{
        let f = $f;
        $q.$method(&f.code)
            .$method(&f.village_code)
            .$method(&f.commune_code)
            .$method(&f.district_code)
            .$method(&f.province_code)
            .$method(&f.head_name)
            .$method(&f.head_sort_key)
            .$method(&f.address)
            .$method(&f.phone)
            .$method(&f.area)
            .$method(f.area_overridden)
            .$method(f.ethnic_minority)
            .$method(f.female_headed)
            .$method(f.merit)
            .$method(f.social_allowance)
            .$method(f.floor_area_m2)
            .$method(&f.wall_material)
            .$method(&f.column_material)
            .$method(&f.roof_material)
            .$method(&f.water_source)
            .$method(&f.latrine)
            .$method(f.has_tv)
            .$method(f.has_radio)
            .$method(f.has_computer)
            .$method(f.has_smartphone)
            .$method(f.loudspeaker)
            .$method(f.production_land_m2)
            .$method(&f.notes)
            .$method(f.member_count)
    }};
}

/// A stored household.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HouseholdRecord {
    pub id: i64,
    #[sqlx(flatten)]
    pub fields: HouseholdFields,
    pub active: bool,
    pub merged_into: Option<i64>,
    pub split_from: Option<i64>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// The member columns a user can change.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct MemberFields {
    pub position: i32,
    pub full_name: String,
    pub name_folded: String,
    pub sort_key: String,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: i32,
    pub ethnicity: String,
    pub relation: String,
    pub citizen_id: Option<String>,
    pub health_insurance_number: Option<String>,
    pub health_insurance_expiry: Option<NaiveDate>,
    pub school_level: Option<String>,
    pub school_grade: Option<i32>,
    pub qualification: Option<String>,
    pub work_status: Option<String>,
    pub labour_contract: bool,
    pub disability: Option<String>,
    pub social_allowance_vnd: i64,
    pub nutrition: Option<String>,
    pub uses_internet: bool,
}

pub(crate) const MEMBER_FIELDS: [&str; 21] = [
    "position",
    "full_name",
    "name_folded",
    "sort_key",
    "sex",
    "birth_date",
    "birth_year",
    "ethnicity",
    "relation",
    "citizen_id",
    "health_insurance_number",
    "health_insurance_expiry",
    "school_level",
    "school_grade",
    "qualification",
    "work_status",
    "labour_contract",
    "disability",
    "social_allowance_vnd",
    "nutrition",
    "uses_internet",
];

macro_rules! bind_member {
    ($q:expr, $method:ident, $f:expr) => {{
        let f = $f;
        $q.$method(f.position)
            .$method(&f.full_name)
            .$method(&f.name_folded)
            .$method(&f.sort_key)
            .$method(&f.sex)
            .$method(f.birth_date)
            .$method(f.birth_year)
            .$method(&f.ethnicity)
            .$method(&f.relation)
            .$method(&f.citizen_id)
            .$method(&f.health_insurance_number)
            .$method(f.health_insurance_expiry)
            .$method(&f.school_level)
            .$method(f.school_grade)
            .$method(&f.qualification)
            .$method(&f.work_status)
            .$method(f.labour_contract)
            .$method(&f.disability)
            .$method(f.social_allowance_vnd)
            .$method(&f.nutrition)
            .$method(f.uses_internet)
    }};
}

/// A stored member.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRecord {
    pub id: i64,
    pub household_id: i64,
    #[sqlx(flatten)]
    pub fields: MemberFields,
    pub active: bool,
}

/// A household to create with its members.
#[derive(Debug, Clone)]
pub struct NewHousehold {
    pub fields: HouseholdFields,
    pub members: Vec<MemberFields>,
    /// The audit entry that records the creation (its ids are filled in by the store).
    pub audit: AuditEntry,
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct AuditEntry {
    pub at: String,
    pub user_id: Option<i64>,
    pub username: String,
    /// `household.create`, `household.update`, `member.move`, …
    pub action: String,
    /// `household`, `member`, `unit`.
    pub entity: String,
    pub entity_id: String,
    pub household_id: Option<i64>,
    pub unit_code: Option<String>,
    pub province_code: Option<String>,
    /// JSON list of `{"field", "old", "new"}`.
    pub changes: String,
    pub reason: Option<String>,
}

/// What a reader narrows the audit log to, beyond their area: who acted, which action,
/// when (`from` inclusive, `before` exclusive, as stored RFC 3339 UTC text, which sorts
/// as time does) and in which unit (the unit and every unit under it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub before: Option<String>,
    pub unit: Option<String>,
}

/// Whose audit entries a user may read: a province's, or those of the units under a
/// district, commune or village.
#[derive(Debug, Clone, Copy)]
pub enum AuditScope<'a> {
    Province(&'a str),
    Below(&'a str),
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: i64,
    #[sqlx(flatten)]
    pub entry: AuditEntry,
}

/// A line of a household list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HouseholdListRow {
    pub id: i64,
    pub code: String,
    pub head_name: String,
    pub village_code: String,
    pub village_name: String,
    pub commune_code: String,
    pub address: String,
    pub member_count: i32,
    pub ethnic_minority: bool,
    pub version: i64,
}

/// How many households a list finds: exactly `count`, or at least `count` when `more`
/// (the count stopped at its bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListTotal {
    pub count: i64,
    pub more: bool,
}

/// A list row with the count of the rows found, read in the same statement.
#[derive(sqlx::FromRow)]
struct CountedRow {
    #[sqlx(flatten)]
    row: HouseholdListRow,
    matched_count: i64,
}

/// Which households a list shows.
#[derive(Debug, Clone)]
pub struct HouseholdFilter {
    /// `village_code`, `commune_code`, `district_code` or `province_code`.
    pub scope_column: &'static str,
    pub scope_code: String,
    /// Folded text to find in any member's name, or a household code.
    pub text: Option<String>,
    /// A full citizen ID.
    pub citizen_id: Option<String>,
    pub include_inactive: bool,
    /// When not empty, the households of these villages instead of the scope's: the
    /// villages a unit closed by a reform had, which now lie under its successors.
    pub villages: Vec<String>,
}

/// The column a household list is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HouseholdSort {
    /// The head's name, the Vietnamese way (given name first): the default.
    #[default]
    Head,
    Code,
    Village,
    Members,
}

impl HouseholdSort {
    /// Every sort and its name in a page address.
    pub const ALL: [(HouseholdSort, &'static str); 4] = [
        (HouseholdSort::Head, "head"),
        (HouseholdSort::Code, "code"),
        (HouseholdSort::Village, "village"),
        (HouseholdSort::Members, "members"),
    ];

    pub fn parse(s: &str) -> Option<HouseholdSort> {
        HouseholdSort::ALL
            .iter()
            .find(|(_, name)| *name == s)
            .map(|(sort, _)| *sort)
    }

    pub fn as_str(self) -> &'static str {
        HouseholdSort::ALL
            .iter()
            .find(|(sort, _)| *sort == self)
            .map(|(_, name)| *name)
            .unwrap_or("head")
    }

    fn column(self) -> &'static str {
        match self {
            HouseholdSort::Head => "head_sort_key",
            HouseholdSort::Code => "code",
            HouseholdSort::Village => "village_code",
            HouseholdSort::Members => "member_count",
        }
    }
}

/// What the households page narrows its list to, beyond the unit and the search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListNarrowing {
    /// One village of the unit.
    pub village: Option<String>,
    /// The current status (`poor`, `near_poor`, `medium`, `not_poor`): the household's
    /// classification of its latest period still in force.
    pub status: Option<String>,
    pub ethnic_minority: Option<bool>,
    pub female_headed: Option<bool>,
    pub merit: Option<bool>,
    /// Whether any active member has a disability recorded.
    pub disability: Option<bool>,
    pub sort: HouseholdSort,
    pub descending: bool,
}

impl HouseholdSort {
    fn order(descending: bool) -> &'static str {
        if descending { "DESC" } else { "ASC" }
    }
}

impl ListNarrowing {
    /// Adds the narrowing's conditions on `h` (the households) and their parameters.
    fn push_conditions(&self, conditions: &mut String, binds: &mut Vec<String>) {
        if let Some(v) = &self.village {
            binds.push(v.clone());
            conditions.push_str(&format!(" AND h.village_code = ${}", binds.len()));
        }
        for (column, wanted) in [
            ("ethnic_minority", self.ethnic_minority),
            ("female_headed", self.female_headed),
            ("merit", self.merit),
        ] {
            if let Some(w) = wanted {
                conditions.push_str(&format!(
                    " AND h.{column} = {}",
                    if w { "TRUE" } else { "FALSE" }
                ));
            }
        }
        if let Some(d) = self.disability {
            conditions.push_str(&format!(
                " AND {}EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id \
                 AND m.home_province = h.home_province AND m.active = TRUE \
                 AND m.disability IS NOT NULL AND m.disability <> '')",
                if d { "" } else { "NOT " }
            ));
        }
        if let Some(status) = &self.status {
            binds.push(status.clone());
            // The current status kept on the household (migration 0096) with each
            // classification written: one range of the (unit, status, active, sort key)
            // indexes instead of a subquery on the classifications per household.
            conditions.push_str(&format!(" AND h.current_status = ${}", binds.len()));
        }
    }

    /// The sort column and its direction.
    fn order_by(&self) -> (&'static str, &'static str) {
        (self.sort.column(), HouseholdSort::order(self.descending))
    }
}

/// A possible duplicate: people of one village with the same folded name and birth year.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DuplicateRow {
    pub village_code: String,
    pub name_folded: String,
    pub birth_year: i32,
    pub member_id: i64,
    pub full_name: String,
    pub household_id: i64,
    pub household_code: String,
}

/// A member's changes in a household save.
#[derive(Debug, Clone)]
pub enum MemberSave {
    /// An existing member, changed.
    Update { id: i64, fields: MemberFields },
    /// A new member.
    Insert(MemberFields),
    /// A member who left: kept, marked inactive.
    Deactivate { id: i64 },
}

/// A household in a transfer, with the fields it will have afterwards.
#[derive(Debug, Clone)]
pub struct TransferSide<'a> {
    pub id: i64,
    /// The version the user read; the save is refused if it changed since.
    pub version: i64,
    pub fields: &'a HouseholdFields,
}

/// The source household of a transfer.
#[derive(Debug, Clone)]
pub struct TransferSource<'a> {
    pub id: i64,
    pub version: i64,
    pub fields: &'a HouseholdFields,
    /// False when the household is merged away.
    pub active: bool,
}

#[derive(Debug, Clone)]
pub enum TransferTarget<'a> {
    Existing(TransferSide<'a>),
    /// A household split off, created by the transfer.
    New(&'a HouseholdFields),
}

/// Members moving from one household to another.
#[derive(Debug, Clone)]
pub struct Transfer<'a> {
    pub from: TransferSource<'a>,
    pub to: TransferTarget<'a>,
    pub target_province: String,
    /// (member id, new position, new relation to the head).
    pub moves: Vec<(i64, i32, String)>,
    /// Entries without a household id are filed under the target once it has one.
    pub audit: Vec<AuditEntry>,
}

const SCOPE_COLUMNS: [&str; 4] = [
    "village_code",
    "commune_code",
    "district_code",
    "province_code",
];

/// Rows per multi-row insert: members have 24 parameters a row, which stays under
/// SQLite's 32,766 parameters a statement at 1,000 rows.
pub(crate) const CHUNK: usize = 1000;

pub(crate) fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn like_contains(folded: &str) -> String {
    let mut p = String::from("%");
    for c in folded.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn household_columns() -> String {
    HOUSEHOLD_FIELDS.join(", ")
}

fn member_columns() -> String {
    MEMBER_FIELDS.join(", ")
}

fn select_household() -> String {
    format!(
        "SELECT id, {}, active, merged_into, split_from, version, created_at, updated_at FROM households",
        household_columns()
    )
}

fn select_member() -> String {
    format!(
        "SELECT id, household_id, {}, active FROM members",
        member_columns()
    )
}

pub(crate) const AUDIT_COLUMNS: &str = "at, user_id, username, action, entity, entity_id, household_id, unit_code, province_code, changes, reason";

macro_rules! bind_audit {
    ($q:expr, $method:ident, $a:expr) => {{
        let a = $a;
        $q.$method(&a.at)
            .$method(a.user_id)
            .$method(&a.username)
            .$method(&a.action)
            .$method(&a.entity)
            .$method(&a.entity_id)
            .$method(a.household_id)
            .$method(&a.unit_code)
            .$method(&a.province_code)
            .$method(&a.changes)
            .$method(&a.reason)
    }};
}

/// The columns an audit entry is inserted with: its distribution key (migration 0040),
/// then what it records.
pub(crate) const AUDIT_INSERT_COLUMNS: &str = "home_province, at, user_id, username, action, entity, entity_id, household_id, unit_code, province_code, changes, reason";

/// The distribution key of an audit entry: its household's, or for an entry about no
/// household (a user, a unit, a review) the province it names, or '' for the nation.
pub(crate) fn audit_home<'a>(
    entry: &'a AuditEntry,
    homes: &'a std::collections::HashMap<i64, String>,
) -> &'a str {
    entry
        .household_id
        .and_then(|id| homes.get(&id))
        .or(entry.province_code.as_ref())
        .map(String::as_str)
        .unwrap_or("")
}

/// The distribution keys (`home_province`, migration 0040) of households, read inside an
/// open transaction: every row inserted about a household carries its key, and the
/// callers know the household by id alone.
macro_rules! home_provinces {
    ($tx:expr, $ids:expr) => {{
        let mut ids: Vec<i64> = $ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        let mut homes = std::collections::HashMap::new();
        for chunk in ids.chunks($crate::households::CHUNK) {
            let mut qb =
                QueryBuilder::new("SELECT id, home_province FROM households WHERE id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut *$tx).await?;
            homes.extend(rows);
        }
        homes
    }};
}

/// Inserts audit entries inside an open transaction.
macro_rules! insert_audit {
    ($tx:expr, $entries:expr) => {{
        let homes = $crate::households::home_provinces!(
            $tx,
            $entries.iter().filter_map(|a| a.household_id)
        );
        for chunk in $entries.chunks($crate::households::CHUNK) {
            let mut qb = QueryBuilder::new(format!(
                "INSERT INTO audit_log ({}) ",
                $crate::households::AUDIT_INSERT_COLUMNS
            ));
            qb.push_values(chunk, |mut b, a| {
                b.push_bind($crate::households::audit_home(a, &homes).to_string());
                $crate::households::bind_audit!(b, push_bind, a);
            });
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use {bind_audit, bind_household, bind_member, home_provinces, insert_audit};

/// Inserts members inside an open transaction; each row names its household's
/// distribution key, its household and the household's province.
macro_rules! insert_members {
    ($tx:expr, $rows:expr, $now:expr) => {{
        for chunk in $rows.chunks(CHUNK) {
            let mut qb = QueryBuilder::new(format!(
                "INSERT INTO members (home_province, household_id, province_code, {}, created_at, updated_at) ",
                member_columns()
            ));
            qb.push_values(
                chunk,
                |mut b, (home, hid, province, m): &(String, i64, String, &MemberFields)| {
                    b.push_bind(home).push_bind(*hid).push_bind(province);
                    bind_member!(b, push_bind, *m);
                    b.push_bind($now).push_bind($now);
                },
            );
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}

impl Store {
    /// Creates households with their members and audit entries in one transaction: all
    /// or none. Returns the new ids in input order, or `StoreError::Duplicate` when a
    /// citizen ID or household code was saved by another writer since it was checked.
    pub async fn insert_households(
        &self,
        households: &[NewHousehold],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        let now = timestamp(now);
        let mut ids = Vec::with_capacity(households.len());
        // Before any write: two of them sharing a code would also be matched to one id
        // below.
        let claims = crate::claims::Held::of_new(households)?;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in households.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(format!(
                    "INSERT INTO households (home_province, {}, created_at, updated_at) ",
                    household_columns()
                ));
                // A new household's distribution key is the province it is registered in.
                qb.push_values(chunk, |mut b, h| {
                    b.push_bind(&h.fields.province_code);
                    bind_household!(b, push_bind, &h.fields);
                    b.push_bind(&now).push_bind(&now);
                });
                qb.push(" RETURNING id, commune_code, code");
                let returned: Vec<(i64, String, String)> = qb
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                // RETURNING gives no order guarantee, so ids are matched by the unique
                // (commune, code) key.
                let by_key: std::collections::HashMap<(String, String), i64> = returned
                    .into_iter()
                    .map(|(id, commune, code)| ((commune, code), id))
                    .collect();
                let chunk_ids: Vec<i64> = chunk
                    .iter()
                    .map(|h| by_key[&(h.fields.commune_code.clone(), h.fields.code.clone())])
                    .collect();
                let members: Vec<(String, i64, String, &MemberFields)> = chunk
                    .iter()
                    .zip(&chunk_ids)
                    .flat_map(|(h, id)| {
                        h.members.iter().map(move |m| {
                            let province = h.fields.province_code.clone();
                            (province.clone(), *id, province, m)
                        })
                    })
                    .collect();
                insert_members!(tx, members, &now);
                let audits: Vec<AuditEntry> = chunk
                    .iter()
                    .zip(&chunk_ids)
                    .map(|(h, id)| AuditEntry {
                        entity_id: id.to_string(),
                        household_id: Some(*id),
                        ..h.audit.clone()
                    })
                    .collect();
                insert_audit!(tx, audits);
                ids.extend(chunk_ids);
            }
            crate::claims::settle!(tx, &Default::default(), &claims);
            tx.commit().await?;
        });
        Ok(ids)
    }

    pub async fn household(&self, id: i64) -> Result<Option<HouseholdRecord>, StoreError> {
        let sql = format!("{} WHERE id = $1", select_household());
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, HouseholdRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    pub async fn household_by_code(
        &self,
        commune_code: &str,
        code: &str,
    ) -> Result<Option<HouseholdRecord>, StoreError> {
        let sql = format!(
            "{} WHERE commune_code = $1 AND code = $2",
            select_household()
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, HouseholdRecord>(AssertSqlSafe(sql.as_str()))
            .bind(commune_code)
            .bind(code)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// The members of a household, in their order; inactive ones only when asked.
    pub async fn members_of(
        &self,
        household_id: i64,
        include_inactive: bool,
    ) -> Result<Vec<MemberRecord>, StoreError> {
        let active = if include_inactive { "" } else { " AND active" };
        let sql = format!(
            "{} WHERE household_id = $1{active} ORDER BY position, id",
            select_member()
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, MemberRecord>(AssertSqlSafe(sql.as_str()))
            .bind(household_id)
            .fetch_all(pool)
            .await?),
        )
    }

    pub async fn member(&self, id: i64) -> Result<Option<MemberRecord>, StoreError> {
        let sql = format!("{} WHERE id = $1", select_member());
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, MemberRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// The active members holding any of these citizen IDs, with their household, for
    /// naming the other household when a duplicate is refused.
    pub async fn members_with_citizen_ids(
        &self,
        citizen_ids: &[String],
    ) -> Result<Vec<(String, i64, String, String)>, StoreError> {
        let mut found = Vec::new();
        for chunk in citizen_ids.chunks(CHUNK) {
            let rows: Vec<(String, i64, String, String)> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT m.citizen_id, h.id, h.code, h.commune_code FROM members m \
                     JOIN households h ON h.id = m.household_id AND h.home_province = m.home_province \
                     WHERE m.active AND m.citizen_id IN (",
                );
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(id);
                }
                qb.push(")");
                qb.build_query_as().fetch_all(pool).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// Which of these household codes a commune already uses.
    pub async fn existing_household_codes(
        &self,
        commune_code: &str,
        codes: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut found = Vec::new();
        for chunk in codes.chunks(CHUNK) {
            let rows: Vec<String> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new("SELECT code FROM households WHERE commune_code = ");
                qb.push_bind(commune_code);
                qb.push(" AND code IN (");
                let mut sep = qb.separated(", ");
                for c in chunk {
                    sep.push_bind(c);
                }
                qb.push(")");
                qb.build_query_scalar().fetch_all(pool).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// One page of households, sorted the Vietnamese way by the head's name, and the
    /// exact total count for the filter (for exports and tests, which need it exact).
    pub async fn list_households(
        &self,
        filter: &HouseholdFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<HouseholdListRow>, i64), StoreError> {
        let (rows, total) = self
            .list_households_counted(filter, limit, offset, None)
            .await?;
        Ok((rows, total.count))
    }

    /// One page of households and how many the filter finds, counted only up to
    /// `count_up_to` (at least to the end of the page) when it is given.
    ///
    /// The matching households are found once, in one statement: their ids in the
    /// list's order, up to the count's bound, are both counted and paged. A page deep in
    /// a large unit therefore no longer makes the database count the whole unit (80 ms
    /// for 200,000 households on PostgreSQL, on every page), and a search runs its member
    /// lookup once instead of once for the count and once for the page.
    pub async fn list_households_counted(
        &self,
        filter: &HouseholdFilter,
        limit: i64,
        offset: i64,
        count_up_to: Option<i64>,
    ) -> Result<(Vec<HouseholdListRow>, ListTotal), StoreError> {
        self.list_households_narrowed(
            filter,
            &ListNarrowing::default(),
            limit,
            offset,
            count_up_to,
        )
        .await
    }

    /// [`Store::list_households_counted`] narrowed further by the list page's filters
    /// (village, current status, ethnic minority, female head, merit, disability) and
    /// sorted by one of its columns.
    pub async fn list_households_narrowed(
        &self,
        filter: &HouseholdFilter,
        narrowing: &ListNarrowing,
        limit: i64,
        offset: i64,
        count_up_to: Option<i64>,
    ) -> Result<(Vec<HouseholdListRow>, ListTotal), StoreError> {
        assert!(
            SCOPE_COLUMNS.contains(&filter.scope_column),
            "scope column comes from a fixed list"
        );
        let (mut conditions, mut binds) = if filter.villages.is_empty() {
            (
                format!("h.{} = $1", filter.scope_column),
                vec![filter.scope_code.clone()],
            )
        } else {
            (
                format!(
                    "h.village_code IN ({})",
                    crate::rebase::placeholders(1, filter.villages.len())
                ),
                filter.villages.clone(),
            )
        };
        if !filter.include_inactive {
            // Written as an equality so that the (unit, active, sort key) index serves
            // both the filter and the order; a bare boolean test would not use it.
            conditions.push_str(" AND h.active = TRUE");
        }
        if let Some(text) = &filter.text {
            binds.push(like_contains(text));
            binds.push(text.to_uppercase());
            let n = binds.len();
            let name = n - 1;
            let scope = filter.scope_column;
            conditions.push_str(&if self.backend() == crate::Backend::Postgres {
                // The members' trigram index finds the name among all members, and the
                // code index the household code; only those households are then checked
                // against the unit. Written as one IN over a union so that PostgreSQL
                // can join from the few found rather than filter the whole unit.
                format!(
                    " AND h.id IN (SELECT m.household_id FROM members m WHERE m.active = TRUE \
                     AND m.name_folded LIKE ${name} ESCAPE '\\' \
                     UNION ALL SELECT c.id FROM households c WHERE c.{scope} = $1 AND UPPER(c.code) = ${n})"
                )
            } else if text.chars().count() >= 3 {
                // SQLite's trigram index of member names (migration 0092) finds the
                // members whose name holds the text, as the LIKE below would, and the
                // code index the household code; only those households are then checked
                // against the unit, as on PostgreSQL. The text is given to FTS5 as one
                // quoted phrase, so that none of its characters is read as an operator.
                binds.push(format!("\"{}\"", text.replace('"', "\"\"")));
                let phrase = binds.len();
                format!(
                    " AND h.id IN (SELECT m.household_id FROM members m WHERE m.id IN \
                     (SELECT rowid FROM member_names WHERE member_names MATCH ${phrase}) AND m.active = TRUE \
                     UNION ALL SELECT c.id FROM households c WHERE UPPER(c.code) = ${n})"
                )
            } else {
                // Fewer than three characters make no trigram: the search looks only at
                // the members of the unit's households, one household at a time through
                // the (household, active, name) index, never at the members of the whole
                // database.
                format!(
                    " AND (EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id \
                     AND m.active = TRUE AND m.name_folded LIKE ${name} ESCAPE '\\') \
                     OR UPPER(h.code) = ${n})"
                )
            });
        }
        if let Some(id) = &filter.citizen_id {
            binds.push(id.clone());
            conditions.push_str(&format!(
                // `active` is the predicate of the partial unique index on citizen IDs;
                // without it the index cannot be used and every member is scanned.
                " AND h.id IN (SELECT m.household_id FROM members m \
                 WHERE m.citizen_id = ${} AND m.active)",
                binds.len()
            ));
        }
        narrowing.push_conditions(&mut conditions, &mut binds);
        let bound = count_up_to.map(|c| c.max(offset + limit));
        let bound_sql = bound.map(|b| format!(" LIMIT {b}")).unwrap_or_default();
        let (sort_column, direction) = narrowing.order_by();
        // The page's ids are found first from the index alone; only the rows of the page
        // are then read in full, with the count of all the ids found carried on each.
        let v_latest = crate::units::latest_version("v", "h.village_code");
        // The sort column is carried in `matched` under the name `sort_key` so that
        // the page is cut in the order the user asked for; the head's sort key breaks
        // ties, so that equal values still list the Vietnamese way.
        let page_sql = format!(
            "WITH matched AS MATERIALIZED (SELECT h.id, h.{sort_column} AS sort_key, h.head_sort_key FROM households h \
             WHERE {conditions} ORDER BY h.{sort_column} {direction}, h.head_sort_key, h.id{bound_sql}) \
             SELECT h.id, h.code, h.head_name, h.village_code, v.name AS village_name, h.commune_code, \
             h.address, h.member_count, h.ethnic_minority, h.version, \
             (SELECT COUNT(*) FROM matched) AS matched_count \
             FROM households h JOIN admin_units v ON v.code = h.village_code AND {v_latest} \
             WHERE h.id IN (SELECT id FROM matched ORDER BY sort_key {direction}, head_sort_key, id LIMIT {limit} OFFSET {offset}) \
             ORDER BY h.{sort_column} {direction}, h.head_sort_key, h.id"
        );
        let rows: Vec<CountedRow> = with_pool!(self, pool => {
            let mut page = sqlx::query_as::<_, CountedRow>(AssertSqlSafe(page_sql.as_str()));
            for b in &binds {
                page = page.bind(b);
            }
            page.fetch_all(pool).await?
        });
        let count = match rows.first() {
            Some(r) => r.matched_count,
            // An empty page past the end says nothing of the count: count on its own.
            None if offset > 0 => {
                let count_sql = format!(
                    "SELECT COUNT(*) FROM (SELECT h.id FROM households h WHERE {conditions}{bound_sql}) c"
                );
                with_pool!(self, pool => {
                    let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.as_str()));
                    for b in &binds {
                        count = count.bind(b);
                    }
                    count.fetch_one(pool).await?
                })
            }
            None => 0,
        };
        let total = ListTotal {
            count,
            more: bound.is_some_and(|b| count >= b),
        };
        Ok((rows.into_iter().map(|r| r.row).collect(), total))
    }

    /// Saves a household's changed fields and members if its version is still
    /// `expected_version`; otherwise nothing is written and the answer is a conflict.
    pub async fn save_household(
        &self,
        id: i64,
        expected_version: i64,
        fields: &HouseholdFields,
        members: &[MemberSave],
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let set: Vec<String> = HOUSEHOLD_FIELDS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let n = HOUSEHOLD_FIELDS.len();
        let update_sql = format!(
            "UPDATE households SET {}, version = version + 1, updated_at = ${} WHERE id = ${} AND version = ${}",
            set.join(", "),
            n + 1,
            n + 2,
            n + 3
        );
        let member_set: Vec<String> = MEMBER_FIELDS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let m = MEMBER_FIELDS.len();
        let member_update_sql = format!(
            "UPDATE members SET {}, updated_at = ${} WHERE id = ${} AND household_id = ${}",
            member_set.join(", "),
            m + 1,
            m + 2,
            m + 3
        );
        // The claims are read before the first write: on SQLite the write lock is taken
        // at the start (see Store::begin_writing).
        let begin = self.begin_writing();
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let held_before = crate::claims::held_by!(tx, &[id]);
            let q = sqlx::query(AssertSqlSafe(update_sql.as_str()));
            let q = bind_household!(q, bind, fields);
            let updated = q
                .bind(&now)
                .bind(id)
                .bind(expected_version)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::unique_as_conflict(e, "mã hộ đã có trong xã"))?
                .rows_affected();
            if updated == 0 {
                return Err(StoreError::Stale(format!("hộ {}", fields.code)));
            }
            let mut inserts = Vec::new();
            for save in members {
                match save {
                    MemberSave::Update { id: member_id, fields: mf } => {
                        let q = sqlx::query(AssertSqlSafe(member_update_sql.as_str()));
                        let q = bind_member!(q, bind, mf);
                        q.bind(&now)
                            .bind(member_id)
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(|e| StoreError::unique_as_conflict(e, "số CCCD đã có ở hộ khác"))?;
                    }
                    MemberSave::Insert(mf) => inserts.push((String::new(), id, fields.province_code.clone(), mf)),
                    MemberSave::Deactivate { id: member_id } => {
                        sqlx::query("UPDATE members SET active = FALSE, updated_at = $1 WHERE id = $2 AND household_id = $3")
                            .bind(&now)
                            .bind(member_id)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
            if !inserts.is_empty() {
                let homes = home_provinces!(tx, [id]);
                let home = homes.get(&id).cloned().unwrap_or_default();
                for row in &mut inserts {
                    row.0 = home.clone();
                }
            }
            insert_members!(tx, inserts, &now);
            let held_after = crate::claims::held_by!(tx, &[id]);
            crate::claims::settle!(tx, &held_before, &held_after);
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(expected_version + 1)
    }

    /// Moves members to another household and saves both households' new fields, with
    /// version checks, in one transaction. Used to move a member, to split a household
    /// (the target is created in the same transaction) and to merge two households (the
    /// source is then left inactive, pointing at the target). Returns the target's id.
    pub async fn transfer_members(
        &self,
        transfer: &Transfer<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let set: Vec<String> = HOUSEHOLD_FIELDS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let n = HOUSEHOLD_FIELDS.len();
        let update_sql = format!(
            "UPDATE households SET {}, version = version + 1, updated_at = ${}, active = ${}, merged_into = ${} \
             WHERE id = ${} AND version = ${}",
            set.join(", "),
            n + 1,
            n + 2,
            n + 3,
            n + 4,
            n + 5
        );
        // A household split off another is registered with the same distribution key:
        // its members then stay on their shard, whichever province it is in later.
        let insert_sql = format!(
            "INSERT INTO households ({}, split_from, created_at, updated_at, home_province) VALUES ({}) RETURNING id",
            household_columns(),
            (1..=n + 4)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let from = &transfer.from;
        // Moving a member between households of different distribution keys cannot
        // update the key on Citus: the row is copied under the target's key, keeping its
        // id, and the old one removed. SQLite has no shards and updates it in place.
        let copy_member_sql = format!(
            "INSERT INTO members (id, home_province, household_id, province_code, position, relation, updated_at, {}, active, created_at) \
             SELECT id, $1, $2, $3, $4, $5, $6, {}, active, created_at FROM members WHERE id = $7 AND household_id = $8",
            MEMBER_FIELDS
                .iter()
                .filter(|c| **c != "position" && **c != "relation")
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            MEMBER_FIELDS
                .iter()
                .filter(|c| **c != "position" && **c != "relation")
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        );
        let sqlite = self.backend() == crate::Backend::Sqlite;
        let target_id = with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_writing()).await?;
            let mut homes = home_provinces!(tx, [from.id]);
            let from_home = homes.get(&from.id).cloned().unwrap_or_default();
            let mut before_ids = vec![from.id];
            if let TransferTarget::Existing(to) = &transfer.to {
                before_ids.push(to.id);
            }
            let held_before = crate::claims::held_by!(tx, &before_ids);
            let target_id = match &transfer.to {
                TransferTarget::Existing(to) => {
                    let q = sqlx::query(AssertSqlSafe(update_sql.as_str()));
                    let q = bind_household!(q, bind, to.fields);
                    let updated = q
                        .bind(&now)
                        .bind(true)
                        .bind(None::<i64>)
                        .bind(to.id)
                        .bind(to.version)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if updated == 0 {
                        return Err(StoreError::Stale(format!("hộ {}", to.fields.code)));
                    }
                    to.id
                }
                TransferTarget::New(fields) => {
                    let q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(insert_sql.as_str()));
                    let q = bind_household!(q, bind, *fields);
                    q.bind(from.id)
                        .bind(&now)
                        .bind(&now)
                        .bind(&from_home)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(|e| StoreError::unique_as_conflict(e, format!("mã hộ {} đã có trong xã", fields.code)))?
                }
            };
            let merged_into = if from.active { None } else { Some(target_id) };
            let q = sqlx::query(AssertSqlSafe(update_sql.as_str()));
            let q = bind_household!(q, bind, from.fields);
            let updated = q
                .bind(&now)
                .bind(from.active)
                .bind(merged_into)
                .bind(from.id)
                .bind(from.version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 0 {
                return Err(StoreError::Stale(format!("hộ {}", from.fields.code)));
            }
            // The movement tables read the registry's marks from their pairs
            // (migration 0013): a merge leaves the source inactive and the target active.
            for (household, active) in [(from.id, from.active), (target_id, true)] {
                sqlx::query("UPDATE movements SET active = $1 WHERE household_id = $2")
                    .bind(active)
                    .bind(household)
                    .execute(&mut *tx)
                    .await?;
            }
            homes.extend(home_provinces!(tx, [target_id]));
            let target_home = homes.get(&target_id).cloned().unwrap_or_default();
            for (member_id, position, relation) in &transfer.moves {
                if sqlite || target_home == from_home {
                    // Citus refuses any SET of the distribution column, even to the value
                    // it has, so the key is named only where it changes (SQLite).
                    let sql = if target_home == from_home {
                        "UPDATE members SET household_id = $1, province_code = $2, position = $3, relation = $4, updated_at = $5 \
                         WHERE id = $6 AND household_id = $7 AND home_province = $8"
                    } else {
                        "UPDATE members SET household_id = $1, province_code = $2, position = $3, relation = $4, updated_at = $5, \
                         home_province = $8 WHERE id = $6 AND household_id = $7"
                    };
                    sqlx::query(sql)
                    .bind(target_id)
                    .bind(&transfer.target_province)
                    .bind(position)
                    .bind(relation)
                    .bind(&now)
                    .bind(member_id)
                    .bind(from.id)
                    .bind(&target_home)
                    .execute(&mut *tx)
                    .await?;
                } else {
                    sqlx::query(AssertSqlSafe(copy_member_sql.as_str()))
                        .bind(&target_home)
                        .bind(target_id)
                        .bind(&transfer.target_province)
                        .bind(position)
                        .bind(relation)
                        .bind(&now)
                        .bind(member_id)
                        .bind(from.id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM members WHERE home_province = $1 AND id = $2 AND household_id = $3")
                        .bind(&from_home)
                        .bind(member_id)
                        .bind(from.id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let audit: Vec<AuditEntry> = transfer
                .audit
                .iter()
                .map(|a| {
                    let mut a = a.clone();
                    if a.household_id.is_none() {
                        a.household_id = Some(target_id);
                        a.entity_id = target_id.to_string();
                    }
                    a
                })
                .collect();
            let held_after = crate::claims::held_by!(tx, &[from.id, target_id]);
            crate::claims::settle!(tx, &held_before, &held_after);
            insert_audit!(tx, audit);
            tx.commit().await?;
            target_id
        });
        Ok(target_id)
    }

    /// People of the scope who share a folded name and birth year with someone else in
    /// the same village: possible duplicates for a person to look at.
    pub async fn possible_duplicates(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        limit: i64,
    ) -> Result<Vec<DuplicateRow>, StoreError> {
        assert!(SCOPE_COLUMNS.contains(&scope_column));
        let sql = format!(
            "SELECT h.village_code, m.name_folded, m.birth_year, m.id AS member_id, m.full_name, \
             h.id AS household_id, h.code AS household_code \
             FROM members m JOIN households h ON h.id = m.household_id AND h.home_province = m.home_province \
             JOIN (SELECT h2.village_code, m2.name_folded, m2.birth_year FROM members m2 \
                   JOIN households h2 ON h2.id = m2.household_id AND h2.home_province = m2.home_province \
                   WHERE h2.{scope_column} = $1 AND m2.active AND h2.active \
                   GROUP BY h2.village_code, m2.name_folded, m2.birth_year HAVING COUNT(*) > 1) d \
               ON d.village_code = h.village_code AND d.name_folded = m.name_folded AND d.birth_year = m.birth_year \
             WHERE m.active AND h.active \
             ORDER BY h.village_code, m.name_folded, m.birth_year, m.id LIMIT {limit}"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, DuplicateRow>(AssertSqlSafe(sql.as_str()))
            .bind(scope_code)
            .fetch_all(pool)
            .await?),
        )
    }

    /// The audit entries of one household, newest first.
    pub async fn audit_for_household(
        &self,
        household_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let sql = format!(
            "SELECT id, {AUDIT_COLUMNS} FROM audit_log WHERE household_id = $1 ORDER BY id DESC LIMIT {limit}"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, AuditRecord>(AssertSqlSafe(sql.as_str()))
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
    async fn units_below(&self, code: &str) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "WITH RECURSIVE area(code) AS (SELECT code FROM admin_units WHERE code = $1 \
             UNION ALL SELECT u.code FROM admin_units u JOIN area a ON u.parent_code = a.code) \
             SELECT DISTINCT code FROM area",
        )
        .bind(code)
        .fetch_all(pool)
        .await?))
    }

    /// Every household code of a commune (left households included: their codes stay
    /// taken), for suggesting the next one.
    pub async fn household_codes_in_commune(
        &self,
        commune: &str,
    ) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT code FROM households WHERE commune_code = $1",
        )
        .bind(commune)
        .fetch_all(pool)
        .await?))
    }

    /// The status of each period (the row in force) of the households asked for, oldest
    /// period first: a list page's class history, whose last entry is the current status.
    pub async fn period_statuses(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, i32, String)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT household_id, period, status FROM classifications \
             WHERE household_id IN ({}) AND valid_until IS NULL ORDER BY household_id, period, id",
            list.join(", ")
        );
        Ok(with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, (i64, i32, String)>(AssertSqlSafe(sql.as_str()));
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// The code and head of each household asked for, to name households in the audit
    /// log by what officials know them by rather than by their internal number.
    pub async fn household_labels(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, code, head_name FROM households WHERE id IN ({})",
            list.join(", ")
        );
        Ok(with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, (i64, String, String)>(AssertSqlSafe(sql.as_str()));
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// Appends audit entries on their own (changes to units, users).
    pub async fn append_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            insert_audit!(tx, entries);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Number of households, active or not.
    pub async fn household_count(&self) -> Result<i64, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM households")
            .fetch_one(pool)
            .await?),
        )
    }
}
