//! The household registry: households and members, their search, creation from forms,
//! the API and files, edits with optimistic locking, moves, splits and merges, possible
//! duplicates, and the audit trail of every change.

use crate::access::{Action, Actor};
use crate::{App, AppError};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, RELATIONS, mask_citizen_id};
use giamngheo_domain::{Tier, text};
use giamngheo_rules::Status;
use giamngheo_sheets::SheetErrors;
use giamngheo_store::{
    AuditEntry, AuditFilter, AuditRecord, AuditScope, DuplicateRow, HouseholdFields,
    HouseholdFilter, HouseholdListRow, HouseholdRecord, ListNarrowing, MemberFields, MemberRecord,
    MemberSave, NewHousehold, StoreError, Transfer, TransferSide, TransferSource, TransferTarget,
    UnitRecord,
};
use std::collections::{HashMap, HashSet};

mod create;
mod edit;
mod read;
mod transfers;

/// Households a list page shows.
pub const PAGE_SIZE: i64 = 50;
/// A household list counts its matches up to this many (200 pages) and says "more than"
/// beyond: counting a province of a million households on every page is what made the
/// list slow, and nobody reads the exact figure of such a list from it (the reports
/// give it).
pub const LIST_COUNT_UP_TO: i64 = 10_000;

/// A household as entered, with where it came from in a file (when it did).
#[derive(Debug, Clone)]
pub struct DraftInput {
    /// The household's first line in the file; `None` for a form or the API.
    pub line: Option<u64>,
    /// Each member's line, in member order (empty when not from a file).
    pub member_lines: Vec<u64>,
    pub draft: HouseholdDraft,
}

impl DraftInput {
    pub fn form(draft: HouseholdDraft) -> DraftInput {
        DraftInput {
            line: None,
            member_lines: Vec::new(),
            draft,
        }
    }
}

/// One page of a household list.
#[derive(Debug, Clone)]
pub struct HouseholdPage {
    pub items: Vec<HouseholdListRow>,
    /// The households found, exactly, or at least this many when `more`.
    pub total: i64,
    /// The count stopped at [`LIST_COUNT_UP_TO`] (or the end of the page asked for).
    pub more: bool,
    pub page: i64,
    pub page_size: i64,
}

/// A household with its members and places, as the user may see it.
#[derive(Debug, Clone)]
pub struct HouseholdView {
    pub household: HouseholdRecord,
    /// Active members; citizen IDs masked unless the user may see them.
    pub members: Vec<MemberRecord>,
    pub village: UnitRecord,
    pub commune: UnitRecord,
    pub can_write: bool,
}

/// Who does a change: a signed-in user or the system (command line, demo).
#[derive(Debug, Clone, Copy)]
pub enum By<'a> {
    User(&'a Actor),
    System,
}

impl By<'_> {
    fn user_id(&self) -> Option<i64> {
        match self {
            By::User(a) => Some(a.user_id),
            By::System => None,
        }
    }

    fn username(&self) -> String {
        match self {
            By::User(a) => a.username.clone(),
            By::System => "hệ thống".to_string(),
        }
    }
}

/// A change to one field, for the audit log.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

/// Fields derived from others, left out of the audit trail because the change of their
/// source is already recorded.
const DERIVED_FIELDS: [&str; 5] = [
    "head_sort_key",
    "name_folded",
    "sort_key",
    "member_count",
    "position",
];

/// The fields whose values differ between two records, citizen IDs masked.
fn diff<T: serde::Serialize>(prefix: &str, old: Option<&T>, new: Option<&T>) -> Vec<FieldChange> {
    let as_map = |v: Option<&T>| match v.map(serde_json::to_value) {
        Some(Ok(serde_json::Value::Object(m))) => m,
        _ => serde_json::Map::new(),
    };
    let (old, new) = (as_map(old), as_map(new));
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut changes = Vec::new();
    for k in keys {
        if DERIVED_FIELDS.contains(&k.as_str()) {
            continue;
        }
        let o = old.get(k).cloned().unwrap_or(serde_json::Value::Null);
        let n = new.get(k).cloned().unwrap_or(serde_json::Value::Null);
        if o == n {
            continue;
        }
        let mask = |v: serde_json::Value| match (k.as_str(), v) {
            ("citizen_id", serde_json::Value::String(s)) => {
                serde_json::Value::String(mask_citizen_id(&s))
            }
            (_, v) => v,
        };
        changes.push(FieldChange {
            field: format!("{prefix}{k}"),
            old: mask(o),
            new: mask(n),
        });
    }
    changes
}

fn changes_json(changes: &[FieldChange]) -> String {
    serde_json::to_string(changes).unwrap_or_else(|_| "[]".to_string())
}

/// The household column that holds a unit of this tier.
fn scope_column(tier: Tier) -> &'static str {
    match tier {
        Tier::Province => "province_code",
        Tier::District => "district_code",
        Tier::Commune => "commune_code",
        Tier::Village => "village_code",
    }
}

fn tier_of(unit: &UnitRecord) -> Tier {
    match unit.tier.as_str() {
        "province" => Tier::Province,
        "district" => Tier::District,
        "commune" => Tier::Commune,
        _ => Tier::Village,
    }
}

fn member_fields(position: usize, m: &MemberDraft) -> MemberFields {
    MemberFields {
        position: position as i32,
        full_name: m.full_name.clone(),
        name_folded: text::fold(&m.full_name),
        sort_key: text::person_sort_key(&m.full_name),
        sex: m.sex.map(|s| s.as_str()).unwrap_or("male").to_string(),
        birth_date: m.birth_date,
        birth_year: m.birth_year.unwrap_or_default(),
        ethnicity: m.ethnicity.clone(),
        relation: m.relation.clone(),
        citizen_id: m.citizen_id.as_ref().map(|c| c.as_str().to_string()),
        health_insurance_number: m.health_insurance_number.clone(),
        health_insurance_expiry: m.health_insurance_expiry,
        school_level: m.school_level.clone(),
        school_grade: m.school_grade.map(i32::from),
        qualification: m.qualification.clone(),
        work_status: m.work_status.clone(),
        labour_contract: m.labour_contract,
        disability: m.disability.clone(),
        social_allowance_vnd: m.social_allowance_vnd,
        nutrition: m.nutrition.clone(),
        uses_internet: m.uses_internet,
    }
}

/// The places a village belongs to.
#[derive(Debug, Clone)]
struct Place {
    village: UnitRecord,
    commune: UnitRecord,
    district_code: Option<String>,
}

fn household_fields(d: &HouseholdDraft, place: &Place) -> HouseholdFields {
    let head = d.head().map(|h| h.full_name.clone()).unwrap_or_default();
    let area = d
        .area
        .map(|a| a.as_str().to_string())
        .or_else(|| place.village.area.clone())
        .or_else(|| place.commune.area.clone())
        .unwrap_or_else(|| "rural".to_string());
    HouseholdFields {
        code: d.code.clone(),
        village_code: place.village.code.clone(),
        commune_code: place.commune.code.clone(),
        district_code: place.district_code.clone(),
        province_code: place.village.province_code.clone(),
        head_sort_key: text::person_sort_key(&head),
        head_name: head,
        address: d.address.clone(),
        phone: d.phone.clone(),
        area,
        area_overridden: d.area.is_some(),
        ethnic_minority: d.is_ethnic_minority(),
        female_headed: d.is_female_headed(),
        merit: d.merit,
        social_allowance: d.social_allowance,
        floor_area_m2: d.floor_area_m2.map(|v| v.min(i32::MAX as u32) as i32),
        wall_material: d.wall_material.clone(),
        column_material: d.column_material.clone(),
        roof_material: d.roof_material.clone(),
        water_source: d.water_source.clone(),
        latrine: d.latrine.clone(),
        has_tv: d.has_tv,
        has_radio: d.has_radio,
        has_computer: d.has_computer,
        has_smartphone: d.has_smartphone,
        loudspeaker: d.loudspeaker,
        production_land_m2: d.production_land_m2.map(|v| v.min(i32::MAX as u32) as i32),
        notes: d.notes.clone(),
        member_count: d.members.len() as i32,
    }
}

/// Collects problems either as located cells (a file) or as one field error (a form).
pub(crate) struct Problems {
    file: SheetErrors,
    form: Vec<(String, String)>,
    conflict: Option<String>,
}

impl Problems {
    pub(crate) fn new() -> Problems {
        Problems {
            file: SheetErrors::new(),
            form: Vec::new(),
            conflict: None,
        }
    }

    pub(crate) fn add(
        &mut self,
        input: &DraftInput,
        member: Option<usize>,
        field: &str,
        message: String,
    ) {
        match input.line {
            Some(line) => {
                let line = member
                    .and_then(|i| input.member_lines.get(i).copied())
                    .unwrap_or(line);
                self.file.push(line, field, message);
            }
            None => {
                let field = match member {
                    Some(i) => format!("members[{i}].{field}"),
                    None => field.to_string(),
                };
                self.form.push((field, message));
            }
        }
    }

    fn conflict(
        &mut self,
        input: &DraftInput,
        member: Option<usize>,
        field: &str,
        message: String,
    ) {
        if input.line.is_none() && self.conflict.is_none() {
            self.conflict = Some(message.clone());
        }
        self.add(input, member, field, message);
    }

    /// True once a file's problems fill the list shown: checking more is wasted.
    pub(crate) fn full(&self) -> bool {
        self.file.truncated
    }

    pub(crate) fn into_result(self) -> Result<(), AppError> {
        if !self.file.is_empty() {
            return Err(AppError::File(self.file));
        }
        if let Some(c) = self.conflict {
            return Err(AppError::Conflict(c));
        }
        if let Some((field, _)) = self.form.first() {
            let message = self
                .form
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(AppError::Invalid {
                field: field.clone(),
                message,
            });
        }
        Ok(())
    }
}

/// The villages (and the writer's access to them) looked up while checking drafts, kept
/// from one batch of a file to the next.
#[derive(Default)]
pub(crate) struct CheckCache {
    places: HashMap<String, Option<Place>>,
    allowed: HashMap<String, bool>,
}

impl CheckCache {
    /// The commune of a village that was checked and found.
    pub(crate) fn commune_of(&self, village_code: &str) -> Option<&str> {
        self.places
            .get(village_code.trim())?
            .as_ref()
            .map(|p| p.commune.code.as_str())
    }
}

/// The rows to store for checked drafts, each with the audit entry of its creation.
pub(crate) fn new_households(
    by: By<'_>,
    inputs: &[DraftInput],
    cache: &CheckCache,
    source: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<NewHousehold> {
    let at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    inputs
        .iter()
        .map(|input| {
            let place = cache.places[input.draft.village_code.trim()]
                .as_ref()
                .expect("checked above");
            let fields = household_fields(&input.draft, place);
            let members: Vec<MemberFields> = input
                .draft
                .members
                .iter()
                .enumerate()
                .map(|(i, m)| member_fields(i + 1, m))
                .collect();
            let changes = vec![FieldChange {
                field: "source".into(),
                old: serde_json::Value::Null,
                new: serde_json::Value::String(source.to_string()),
            }];
            let audit = AuditEntry {
                at: at.clone(),
                user_id: by.user_id(),
                username: by.username(),
                action: "household.create".into(),
                entity: "household".into(),
                entity_id: String::new(),
                household_id: None,
                unit_code: Some(fields.village_code.clone()),
                province_code: Some(fields.province_code.clone()),
                changes: changes_json(&changes),
                reason: None,
            };
            NewHousehold {
                fields,
                members,
                audit,
            }
        })
        .collect()
}

/// What a writer outside the area of the household holding a citizen ID is told: that
/// the ID is taken, and whom to ask, never where.
pub const CITIZEN_ID_REGISTERED_ELSEWHERE: &str = "đã được đăng ký ở địa bàn khác; \
     liên hệ cơ quan quản lý cấp tỉnh hoặc xã nơi đã đăng ký để xác minh";

/// Refuses a status filter that names no status, in words.
pub(crate) fn check_status(status: Option<&str>) -> Result<(), AppError> {
    match status {
        Some(s) if s.parse::<Status>().is_err() => Err(AppError::invalid(
            "status",
            "tình trạng không hợp lệ (hộ nghèo, hộ cận nghèo, hộ có mức sống trung bình hoặc hộ không nghèo)",
        )),
        _ => Ok(()),
    }
}

/// Decodes the changes of an audit entry for display.
pub fn decode_changes(changes: &str) -> Vec<FieldChange> {
    serde_json::from_str(changes).unwrap_or_default()
}
