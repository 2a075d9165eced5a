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

pub(crate) fn select_household() -> String {
    format!(
        "SELECT id, {}, active, merged_into, split_from, version, created_at, updated_at FROM households",
        household_columns()
    )
}

pub(crate) fn select_member() -> String {
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
/// callers know the household by id alone. Read from `household_homes` (migration 0151),
/// so that on Citus each household's key is read from one shard (see crate::homes).
macro_rules! home_provinces {
    ($tx:expr, $ids:expr) => {{
        let mut ids: Vec<i64> = $ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        $crate::homes::read_homes!($tx, &ids)
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

// The parts of the store's household code; declared after the macros above, which they
// use by their textual scope.
mod audit;
mod read;
mod write;
