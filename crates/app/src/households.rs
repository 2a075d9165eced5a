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

impl App {
    /// Finds a valid village and the units above it.
    async fn place_of(&self, village_code: &str) -> Result<Option<Place>, AppError> {
        let chain = self.store().ancestry(village_code).await?;
        let Some(village) = chain.last().cloned() else {
            return Ok(None);
        };
        if village.tier != "village" || village.valid_to.is_some() {
            return Ok(None);
        }
        let Some(commune) = chain.iter().rev().find(|u| u.tier == "commune").cloned() else {
            return Ok(None);
        };
        let district_code = chain
            .iter()
            .find(|u| u.tier == "district")
            .map(|u| u.code.clone());
        Ok(Some(Place {
            village,
            commune,
            district_code,
        }))
    }

    /// The refusal of a citizen ID that another household already holds.
    ///
    /// Within the writer's area it names that household and its commune, so the officer
    /// can fix the right record. Outside it, it says only that the ID is registered
    /// elsewhere and whom to ask: naming the household or the commune would let any
    /// writer find where a person lives anywhere in the country by trying their ID.
    pub(crate) async fn citizen_id_taken(
        &self,
        by: By<'_>,
        citizen_id: &str,
        household_code: &str,
        commune: &str,
    ) -> Result<String, AppError> {
        let masked = mask_citizen_id(citizen_id);
        if self
            .authorize_by(by, Action::ReadPersonal, commune)
            .await
            .is_err()
        {
            return Ok(format!(
                "số CCCD {masked} {CITIZEN_ID_REGISTERED_ELSEWHERE}"
            ));
        }
        let commune_name = self
            .store()
            .unit(commune)
            .await?
            .map(|u| u.name)
            .unwrap_or_else(|| commune.to_string());
        Ok(format!(
            "số CCCD {masked} đã có ở hộ {household_code} ({commune_name})"
        ))
    }

    /// Checks that `by` may write households in `unit`; the system always may.
    async fn authorize_by(&self, by: By<'_>, action: Action, unit: &str) -> Result<(), AppError> {
        match by {
            By::User(actor) => self.authorize(actor, action, unit).await,
            By::System => Ok(()),
        }
    }

    /// Creates households with their members: all or none. Every problem is reported
    /// (with its line and column when the households come from a file); the citizen IDs
    /// and household codes are checked against the whole database first.
    pub async fn create_households(
        &self,
        by: By<'_>,
        inputs: Vec<DraftInput>,
        source: &str,
    ) -> Result<Vec<i64>, AppError> {
        let ids = self.create_households_once(by, inputs, source).await?;
        // The card fields of the members become `bhyt` benefits (policies/cards.rs).
        let (username, user_id) = match by {
            By::User(actor) => (actor.username.as_str(), Some(actor.user_id)),
            By::System => (source, None),
        };
        self.sync_cards(username, user_id, &ids).await?;
        Ok(ids)
    }

    async fn create_households_once(
        &self,
        by: By<'_>,
        inputs: Vec<DraftInput>,
        source: &str,
    ) -> Result<Vec<i64>, AppError> {
        match self.check_and_create(by, inputs, source).await? {
            Ok(ids) => Ok(ids),
            // Another writer saved the same citizen ID or household code between the
            // check and the insert, and the unique index refused ours. Checking once more
            // sees their row, and refuses with the check's own message: the household
            // named only within the writer's area, the file's line and column.
            Err(inputs) => match self.check_and_create(by, inputs, source).await? {
                Ok(ids) => Ok(ids),
                Err(_) => Err(AppError::Conflict(
                    "dữ liệu vừa được người khác lưu; hãy thử lại".into(),
                )),
            },
        }
    }

    /// Checks and creates households; gives the inputs back when a unique index refused
    /// a row the check had not seen, so that the caller can check them again.
    async fn check_and_create(
        &self,
        by: By<'_>,
        inputs: Vec<DraftInput>,
        source: &str,
    ) -> Result<Result<Vec<i64>, Vec<DraftInput>>, AppError> {
        let mut problems = Problems::new();
        let mut cache = CheckCache::default();
        let mut inputs = inputs;
        self.check_drafts(by, &mut inputs, &mut cache, &mut problems)
            .await?;
        problems.into_result()?;
        let now = self.clock().now();
        let new = new_households(by, &inputs, &cache, source, now);
        let ids = match self.store().insert_households(&new, now).await {
            Ok(ids) => ids,
            Err(StoreError::Duplicate(_)) => return Ok(Err(inputs)),
            Err(e) => return Err(e.into()),
        };
        tracing::info!(households = ids.len(), source, "households created");
        Ok(Ok(ids))
    }

    /// Checks drafts before they are created: each draft's own fields, its village and
    /// the writer's access to it, and household codes and citizen IDs against each other
    /// and the database. Problems go to `problems`; a form's problem that has no file line
    /// to name returns at once. `cache` keeps the villages looked up, for the next batch of
    /// the same file and for [`new_households`].
    pub(crate) async fn check_drafts(
        &self,
        by: By<'_>,
        inputs: &mut [DraftInput],
        cache: &mut CheckCache,
        problems: &mut Problems,
    ) -> Result<(), AppError> {
        let today = self.clock().today();
        let CheckCache { places, allowed } = cache;
        for input in inputs.iter_mut() {
            let found = input.draft.check(today);
            for p in found {
                let snapshot = DraftInput {
                    line: input.line,
                    member_lines: input.member_lines.clone(),
                    draft: HouseholdDraft::default(),
                };
                problems.add(&snapshot, p.member, p.field, p.message);
            }
        }
        // Places and access, once per village.
        for input in inputs.iter() {
            let v = input.draft.village_code.trim().to_string();
            if v.is_empty() {
                continue;
            }
            if !places.contains_key(&v) {
                let place = self.place_of(&v).await?;
                places.insert(v.clone(), place);
            }
            if places[&v].is_none() {
                if input.line.is_none() {
                    return Err(AppError::NotFound(format!("thôn mã {v}")));
                }
                problems.add(input, None, "village_code", format!("không có thôn mã {v}"));
                continue;
            }
            if !allowed.contains_key(&v) {
                let ok = match self.authorize_by(by, Action::WriteHouseholds, &v).await {
                    Ok(()) => true,
                    Err(e @ AppError::Forbidden(_)) if input.line.is_none() => return Err(e),
                    Err(AppError::NotFound(_) | AppError::Forbidden(_)) => false,
                    Err(e) => return Err(e),
                };
                allowed.insert(v.clone(), ok);
            }
            if !allowed[&v] {
                if input.line.is_none() {
                    return Err(AppError::NotFound(format!("thôn mã {v}")));
                }
                problems.add(
                    input,
                    None,
                    "village_code",
                    format!("thôn mã {v} nằm ngoài địa bàn bạn được cập nhật"),
                );
            }
        }
        // Household codes: unique within a commune, in the file and in the database.
        let mut codes_by_commune: HashMap<String, Vec<(usize, String)>> = HashMap::new();
        for (i, input) in inputs.iter().enumerate() {
            if let Some(Some(place)) = places.get(input.draft.village_code.trim()) {
                codes_by_commune
                    .entry(place.commune.code.clone())
                    .or_default()
                    .push((i, input.draft.code.clone()));
            }
        }
        for (commune, codes) in &codes_by_commune {
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (i, code) in codes {
                if let Some(first) = seen.insert(code.as_str(), *i) {
                    let first_line = inputs[first].line.unwrap_or(0);
                    problems.add(
                        &inputs[*i],
                        None,
                        "household_code",
                        format!("mã hộ {code} trùng với hộ ở dòng {first_line}"),
                    );
                }
            }
            let list: Vec<String> = codes.iter().map(|(_, c)| c.clone()).collect();
            let existing: HashSet<String> = self
                .store()
                .existing_household_codes(commune, &list)
                .await?
                .into_iter()
                .collect();
            for (i, code) in codes {
                if existing.contains(code) {
                    problems.conflict(
                        &inputs[*i],
                        None,
                        "household_code",
                        format!("mã hộ {code} đã có trong xã"),
                    );
                }
            }
        }
        // Citizen IDs: one person, one household, across the file and the database.
        let mut ids: HashMap<String, (usize, usize)> = HashMap::new();
        for (i, input) in inputs.iter().enumerate() {
            for (j, m) in input.draft.members.iter().enumerate() {
                if let Some(c) = &m.citizen_id {
                    if let Some((hi, _)) = ids.get(c.as_str()).copied() {
                        if hi != i {
                            let other = inputs[hi]
                                .line
                                .map(|l| format!(" (dòng {l})"))
                                .unwrap_or_default();
                            problems.add(
                                input,
                                Some(j),
                                "citizen_id",
                                format!(
                                    "số CCCD {} trùng với hộ {}{other}",
                                    c.masked(),
                                    inputs[hi].draft.code
                                ),
                            );
                        }
                    } else {
                        ids.insert(c.as_str().to_string(), (i, j));
                    }
                }
            }
        }
        let all_ids: Vec<String> = ids.keys().cloned().collect();
        for (citizen_id, _hid, code, commune) in
            self.store().members_with_citizen_ids(&all_ids).await?
        {
            let (i, j) = ids[&citizen_id];
            let message = self
                .citizen_id_taken(by, &citizen_id, &code, &commune)
                .await?;
            problems.conflict(&inputs[i], Some(j), "citizen_id", message);
        }
        Ok(())
    }

    /// Reads a households file (.xlsx or .csv, told apart by name and content) and
    /// creates its households: all or none. Returns how many were created.
    ///
    /// At most [`crate::imports::MAX_CONCURRENT_IMPORTS`] imports run at once; another is
    /// refused with [`AppError::Busy`]. The file is read on a blocking thread.
    pub async fn import_households_file(
        &self,
        by: By<'_>,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<usize, AppError> {
        use giamngheo_sheets::households::{FileKind, read_households};
        let _slot = self.import_slot()?;
        let kind = FileKind::detect(name, &bytes);
        let households =
            crate::imports::off_the_async_threads(move || read_households(&bytes, kind)).await?;
        let inputs: Vec<DraftInput> = households
            .into_iter()
            .map(|h| DraftInput {
                line: Some(h.line),
                member_lines: h.member_lines,
                draft: h.draft,
            })
            .collect();
        let source = if name.is_empty() {
            "import".to_string()
        } else {
            format!("import: {name}")
        };
        let written = self.create_households(by, inputs, &source).await?.len();
        // An import can multiply a table's size; the reports' plans need to know.
        self.store().refresh_statistics().await?;
        Ok(written)
    }

    /// Creates one household from a form or the API.
    pub async fn create_household(
        &self,
        actor: &Actor,
        draft: HouseholdDraft,
    ) -> Result<i64, AppError> {
        let ids = self
            .create_households(By::User(actor), vec![DraftInput::form(draft)], "form")
            .await?;
        Ok(ids[0])
    }

    /// The unit a list covers: the one asked for, or the user's own; outside the user's
    /// area it is not found.
    async fn list_unit(
        &self,
        actor: &Actor,
        unit: Option<&str>,
        as_of: Option<chrono::NaiveDate>,
    ) -> Result<UnitRecord, AppError> {
        let code = unit.unwrap_or(&actor.unit_code);
        self.authorize(actor, Action::ReadPersonal, code).await?;
        match (unit, as_of) {
            // The user's own unit is the one they work in today.
            (None, None) => self.unit(code).await,
            // A unit asked for is the one its code means on the day (today unless
            // `as_of` says otherwise); a closed one is an error naming its successors.
            _ => self.resolve_unit(code, as_of).await,
        }
    }

    /// One page of the households in a unit (the user's own by default), sorted the
    /// Vietnamese way by the head's given name; `query` finds a name (with or without
    /// diacritics), a household code or a full citizen ID.
    pub async fn list_households(
        &self,
        actor: &Actor,
        unit: Option<&str>,
        query: Option<&str>,
        page: i64,
    ) -> Result<HouseholdPage, AppError> {
        self.list_households_as_of(actor, unit, query, page, None)
            .await
    }

    /// [`App::list_households`] with the unit's code taken as of a day: the households
    /// registered today in the unit that code meant then.
    pub async fn list_households_as_of(
        &self,
        actor: &Actor,
        unit: Option<&str>,
        query: Option<&str>,
        page: i64,
        as_of: Option<chrono::NaiveDate>,
    ) -> Result<HouseholdPage, AppError> {
        self.list_households_narrowed(actor, unit, query, &ListNarrowing::default(), page, as_of)
            .await
    }

    /// [`App::list_households_as_of`] narrowed by the list page's filters and sorted by
    /// the column asked for. A status that is not one is refused in words.
    pub async fn list_households_narrowed(
        &self,
        actor: &Actor,
        unit: Option<&str>,
        query: Option<&str>,
        narrowing: &ListNarrowing,
        page: i64,
        as_of: Option<chrono::NaiveDate>,
    ) -> Result<HouseholdPage, AppError> {
        check_status(narrowing.status.as_deref())?;
        let (_, filter) = self.household_filter(actor, unit, query, as_of).await?;
        let page = page.max(1);
        let (items, total) = self
            .store()
            .list_households_narrowed(
                &filter,
                narrowing,
                PAGE_SIZE,
                (page - 1) * PAGE_SIZE,
                Some(LIST_COUNT_UP_TO),
            )
            .await?;
        Ok(HouseholdPage {
            items,
            total: total.count,
            more: total.more,
            page,
            page_size: PAGE_SIZE,
        })
    }

    /// Each household's status of every period (the row in force), oldest first, for
    /// the households of a list page the user was shown: the page's class history.
    pub async fn period_statuses(
        &self,
        actor: &Actor,
        ids: &[i64],
    ) -> Result<HashMap<i64, Vec<(i32, Status)>>, AppError> {
        if !actor.may(Action::ReadPersonal) {
            return Err(AppError::Forbidden("danh sách hộ".into()));
        }
        let mut out: HashMap<i64, Vec<(i32, Status)>> = HashMap::new();
        for (id, period, status) in self.store().period_statuses(ids).await? {
            if let Ok(s) = status.parse::<Status>() {
                out.entry(id).or_default().push((period, s));
            }
        }
        Ok(out)
    }

    /// The filter of a household list: the unit (the user's own by default, within its
    /// area) and the search, a name, a household code or a full citizen ID (which only a
    /// role that reads citizen IDs may search by). The page and the export share it, so
    /// that the export holds exactly the list on screen.
    pub(crate) async fn household_filter(
        &self,
        actor: &Actor,
        unit: Option<&str>,
        query: Option<&str>,
        as_of: Option<chrono::NaiveDate>,
    ) -> Result<(UnitRecord, HouseholdFilter), AppError> {
        let unit = self.list_unit(actor, unit, as_of).await?;
        let query = query.map(str::trim).filter(|q| !q.is_empty());
        let compact: Option<String> =
            query.map(|q| q.chars().filter(|c| !c.is_whitespace()).collect());
        let (text, citizen_id) = match (&query, &compact) {
            (Some(_), Some(c)) if c.len() == 12 && c.bytes().all(|b| b.is_ascii_digit()) => {
                if !actor.may(Action::ReadCitizenId) {
                    return Err(AppError::Forbidden("tìm theo số CCCD".into()));
                }
                (None, Some(c.clone()))
            }
            (Some(q), _) => (Some(text::fold(q)), None),
            _ => (None, None),
        };
        // A unit closed by a reform no longer holds households: its list is that of the
        // villages it had on the day asked for (its last day by default), wherever they
        // lie now.
        let villages = match unit.valid_to {
            Some(last) => {
                let day = as_of.unwrap_or(last).min(last);
                let column = scope_column(tier_of(&unit));
                let mut villages: Vec<String> = self
                    .store()
                    .rebase_on(column, &unit.code, &unit.province_code, "village_code", day)
                    .await?
                    .villages
                    .into_keys()
                    .collect();
                villages.sort();
                villages
            }
            None => Vec::new(),
        };
        let filter = HouseholdFilter {
            scope_column: scope_column(tier_of(&unit)),
            scope_code: unit.code.clone(),
            text,
            citizen_id,
            include_inactive: false,
            villages,
        };
        Ok((unit, filter))
    }

    /// A household with its members, if the user may see it; otherwise not found.
    pub async fn household(&self, actor: &Actor, id: i64) -> Result<HouseholdView, AppError> {
        let not_found = || AppError::NotFound(format!("hộ số {id}"));
        let household = self.store().household(id).await?.ok_or_else(not_found)?;
        self.authorize(actor, Action::ReadPersonal, &household.fields.village_code)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        let mut members = self.store().members_of(id, false).await?;
        if !actor.may(Action::ReadCitizenId) {
            for m in &mut members {
                m.fields.citizen_id = m.fields.citizen_id.as_deref().map(mask_citizen_id);
            }
        }
        let place = self
            .place_of(&household.fields.village_code)
            .await?
            .ok_or_else(not_found)?;
        Ok(HouseholdView {
            can_write: actor.may(Action::WriteHouseholds),
            household,
            members,
            village: place.village,
            commune: place.commune,
        })
    }

    /// Saves a changed household and its members, if nobody saved it since the user read
    /// `expected_version`. `member_ids` pairs each draft member with the member it edits
    /// (`None` for a new one); members left out are marked as having left. A change of
    /// village moves the household, within the user's area.
    pub async fn update_household(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        mut draft: HouseholdDraft,
        member_ids: Vec<Option<i64>>,
        reason: Option<String>,
    ) -> Result<i64, AppError> {
        let current = self.household(actor, id).await?;
        self.authorize(
            actor,
            Action::WriteHouseholds,
            &current.household.fields.village_code,
        )
        .await?;
        if member_ids.len() != draft.members.len() {
            return Err(AppError::invalid(
                "members",
                "danh sách thành viên không khớp",
            ));
        }
        let existing = self.store().members_of(id, false).await?;
        let existing_by_id: HashMap<i64, &MemberRecord> =
            existing.iter().map(|m| (m.id, m)).collect();
        // A masked citizen ID coming back from a form means "unchanged".
        for (m, mid) in draft.members.iter_mut().zip(&member_ids) {
            if let (Some(mid), None) = (mid, &m.citizen_id)
                && let Some(old) = existing_by_id.get(mid)
                && let Some(old_id) = &old.fields.citizen_id
            {
                m.citizen_id = giamngheo_domain::household::CitizenId::parse(old_id).ok();
            }
        }
        for mid in member_ids.iter().flatten() {
            if !existing_by_id.contains_key(mid) {
                return Err(AppError::invalid(
                    "members",
                    format!("thành viên số {mid} không thuộc hộ này"),
                ));
            }
        }
        let input = DraftInput::form(draft);
        let mut problems = Problems::new();
        let mut draft = input.draft.clone();
        for p in draft.check(self.clock().today()) {
            problems.add(&input, p.member, p.field, p.message);
        }
        problems.into_result()?;
        let place = self
            .place_of(draft.village_code.trim())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "village_code",
                    format!("không có thôn mã {}", draft.village_code),
                )
            })?;
        if place.village.code != current.household.fields.village_code {
            self.authorize(actor, Action::WriteHouseholds, &place.village.code)
                .await
                .map_err(|_| {
                    AppError::invalid(
                        "village_code",
                        "thôn mới nằm ngoài địa bàn bạn được cập nhật",
                    )
                })?;
        }
        // Citizen IDs must not belong to another household.
        let ids: Vec<String> = draft
            .members
            .iter()
            .filter_map(|m| m.citizen_id.as_ref().map(|c| c.as_str().to_string()))
            .collect();
        for (citizen_id, hid, code, commune) in self.store().members_with_citizen_ids(&ids).await? {
            if hid != id {
                return Err(AppError::Conflict(
                    self.citizen_id_taken(By::User(actor), &citizen_id, &code, &commune)
                        .await?,
                ));
            }
        }
        if place.commune.code != current.household.fields.commune_code
            && !self
                .store()
                .existing_household_codes(&place.commune.code, std::slice::from_ref(&draft.code))
                .await?
                .is_empty()
        {
            return Err(AppError::Conflict(format!(
                "mã hộ {} đã có trong xã {}",
                draft.code, place.commune.name
            )));
        }

        let mut fields = household_fields(&draft, &place);
        // Keep the overridden area when the form did not set one.
        if draft.area.is_none() && current.household.fields.area_overridden {
            fields.area = current.household.fields.area.clone();
            fields.area_overridden = true;
        }
        let now = self.clock().now();
        let at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let entry =
            |action: &str, entity: &str, entity_id: String, changes: Vec<FieldChange>| AuditEntry {
                at: at.clone(),
                user_id: Some(actor.user_id),
                username: actor.username.clone(),
                action: action.into(),
                entity: entity.into(),
                entity_id,
                household_id: Some(id),
                unit_code: Some(fields.village_code.clone()),
                province_code: Some(fields.province_code.clone()),
                changes: changes_json(&changes),
                reason: reason.clone(),
            };
        let mut audit = Vec::new();
        let household_changes = diff("", Some(&current.household.fields), Some(&fields));
        if !household_changes.is_empty() {
            let action = if fields.village_code != current.household.fields.village_code {
                "household.move"
            } else {
                "household.update"
            };
            audit.push(entry(
                action,
                "household",
                id.to_string(),
                household_changes,
            ));
        }
        let mut saves = Vec::new();
        let kept: HashSet<i64> = member_ids.iter().flatten().copied().collect();
        for (i, (m, mid)) in draft.members.iter().zip(&member_ids).enumerate() {
            let mf = member_fields(i + 1, m);
            match mid {
                Some(mid) => {
                    let old = &existing_by_id[mid].fields;
                    let changes = diff(&format!("{}.", m.full_name), Some(old), Some(&mf));
                    if !changes.is_empty() || old.position != mf.position {
                        if !changes.is_empty() {
                            audit.push(entry("member.update", "member", mid.to_string(), changes));
                        }
                        saves.push(MemberSave::Update {
                            id: *mid,
                            fields: mf,
                        });
                    }
                }
                None => {
                    let changes = diff(&format!("{}.", m.full_name), None, Some(&mf));
                    audit.push(entry("member.add", "member", String::new(), changes));
                    saves.push(MemberSave::Insert(mf));
                }
            }
        }
        for m in &existing {
            if !kept.contains(&m.id) {
                audit.push(entry(
                    "member.leave",
                    "member",
                    m.id.to_string(),
                    vec![FieldChange {
                        field: format!("{}.active", m.fields.full_name),
                        old: serde_json::Value::Bool(true),
                        new: serde_json::Value::Bool(false),
                    }],
                ));
                saves.push(MemberSave::Deactivate { id: m.id });
            }
        }
        if audit.is_empty() {
            return Ok(expected_version);
        }
        let version = self
            .store()
            .save_household(id, expected_version, &fields, &saves, &audit, now)
            .await?;
        tracing::info!(household = id, version, "household saved");
        self.sync_cards(&actor.username, Some(actor.user_id), &[id])
            .await?;
        Ok(version)
    }

    /// The draft that reproduces a stored household, for edit forms and the API.
    pub fn draft_of(view: &HouseholdView) -> (HouseholdDraft, Vec<Option<i64>>) {
        let h = &view.household.fields;
        let members = view
            .members
            .iter()
            .map(|m| {
                let f = &m.fields;
                MemberDraft {
                    full_name: f.full_name.clone(),
                    sex: giamngheo_domain::household::Sex::parse(&f.sex),
                    birth_date: f.birth_date,
                    birth_year: Some(f.birth_year),
                    ethnicity: f.ethnicity.clone(),
                    relation: f.relation.clone(),
                    citizen_id: f
                        .citizen_id
                        .as_deref()
                        .and_then(|c| giamngheo_domain::household::CitizenId::parse(c).ok()),
                    health_insurance_number: f.health_insurance_number.clone(),
                    health_insurance_expiry: f.health_insurance_expiry,
                    school_level: f.school_level.clone(),
                    school_grade: f.school_grade.and_then(|g| u8::try_from(g).ok()),
                    qualification: f.qualification.clone(),
                    work_status: f.work_status.clone(),
                    labour_contract: f.labour_contract,
                    disability: f.disability.clone(),
                    social_allowance_vnd: f.social_allowance_vnd,
                    nutrition: f.nutrition.clone(),
                    uses_internet: f.uses_internet,
                }
            })
            .collect();
        let draft = HouseholdDraft {
            code: h.code.clone(),
            village_code: h.village_code.clone(),
            address: h.address.clone(),
            phone: h.phone.clone(),
            area: if h.area_overridden {
                h.area.parse().ok()
            } else {
                None
            },
            ethnic_minority: Some(h.ethnic_minority),
            female_headed: Some(h.female_headed),
            merit: h.merit,
            social_allowance: h.social_allowance,
            floor_area_m2: h.floor_area_m2.and_then(|v| u32::try_from(v).ok()),
            wall_material: h.wall_material.clone(),
            column_material: h.column_material.clone(),
            roof_material: h.roof_material.clone(),
            water_source: h.water_source.clone(),
            latrine: h.latrine.clone(),
            has_tv: h.has_tv,
            has_radio: h.has_radio,
            has_computer: h.has_computer,
            has_smartphone: h.has_smartphone,
            loudspeaker: h.loudspeaker,
            production_land_m2: h.production_land_m2.and_then(|v| u32::try_from(v).ok()),
            notes: h.notes.clone(),
            members,
        };
        (draft, view.members.iter().map(|m| Some(m.id)).collect())
    }

    /// Loads a household for a structural change (move, split, merge), checking that the
    /// user may write it and that the version the user read is still current.
    async fn writable(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
    ) -> Result<HouseholdView, AppError> {
        let view = self.household(actor, id).await?;
        self.authorize(
            actor,
            Action::WriteHouseholds,
            &view.household.fields.village_code,
        )
        .await?;
        if !view.household.active {
            return Err(AppError::Conflict(format!(
                "hộ {} không còn hoạt động (đã nhập vào hộ khác)",
                view.household.fields.code
            )));
        }
        if view.household.version != version {
            return Err(giamngheo_store::StoreError::Stale(format!(
                "hộ {}",
                view.household.fields.code
            ))
            .into());
        }
        Ok(view)
    }

    fn audit_entry(
        &self,
        actor: &Actor,
        action: &str,
        household: Option<&HouseholdRecord>,
        changes: Vec<FieldChange>,
        reason: Option<String>,
    ) -> AuditEntry {
        AuditEntry {
            at: self
                .clock()
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            user_id: Some(actor.user_id),
            username: actor.username.clone(),
            action: action.into(),
            entity: "household".into(),
            entity_id: household.map(|h| h.id.to_string()).unwrap_or_default(),
            household_id: household.map(|h| h.id),
            unit_code: household.map(|h| h.fields.village_code.clone()),
            province_code: household.map(|h| h.fields.province_code.clone()),
            changes: changes_json(&changes),
            reason,
        }
    }

    /// Moves one member to another household. The head cannot move (choose a new head
    /// first), and a household is never left without members.
    pub async fn move_member(
        &self,
        actor: &Actor,
        member_id: i64,
        from: (i64, i64),
        to: (i64, i64),
        relation: &str,
    ) -> Result<(), AppError> {
        if RELATIONS.get(relation).is_none() || relation == "head" {
            return Err(AppError::invalid(
                "relation",
                "quan hệ với chủ hộ mới không hợp lệ",
            ));
        }
        if from.0 == to.0 {
            return Err(AppError::invalid("to", "hộ chuyển đến trùng hộ hiện tại"));
        }
        let source = self.writable(actor, from.0, from.1).await?;
        let target = self.writable(actor, to.0, to.1).await?;
        let member = source
            .members
            .iter()
            .find(|m| m.id == member_id)
            .ok_or_else(|| AppError::NotFound(format!("thành viên số {member_id} trong hộ")))?;
        if member.fields.relation == "head" {
            return Err(AppError::invalid(
                "member",
                "không chuyển chủ hộ; hãy chọn chủ hộ mới trước",
            ));
        }
        if source.members.len() < 2 {
            return Err(AppError::invalid(
                "member",
                "hộ không thể không còn thành viên",
            ));
        }
        let mut from_fields = source.household.fields.clone();
        from_fields.member_count -= 1;
        let mut to_fields = target.household.fields.clone();
        to_fields.member_count += 1;
        let change = FieldChange {
            field: format!("{}.household", member.fields.full_name),
            old: serde_json::Value::String(source.household.fields.code.clone()),
            new: serde_json::Value::String(target.household.fields.code.clone()),
        };
        let audit = vec![
            self.audit_entry(
                actor,
                "member.move_out",
                Some(&source.household),
                vec![change.clone()],
                None,
            ),
            self.audit_entry(
                actor,
                "member.move_in",
                Some(&target.household),
                vec![change],
                None,
            ),
        ];
        self.store()
            .transfer_members(
                &Transfer {
                    from: TransferSource {
                        id: from.0,
                        version: from.1,
                        fields: &from_fields,
                        active: true,
                    },
                    to: TransferTarget::Existing(TransferSide {
                        id: to.0,
                        version: to.1,
                        fields: &to_fields,
                    }),
                    target_province: to_fields.province_code.clone(),
                    moves: vec![(member_id, to_fields.member_count, relation.to_string())],
                    audit,
                },
                self.clock().now(),
            )
            .await?;
        Ok(())
    }

    /// Splits members off into a new household (tách hộ) with its own code; `new_head`
    /// becomes its head. Returns the new household's id.
    pub async fn split_household(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        member_ids: &[i64],
        new_head: i64,
        new_code: &str,
    ) -> Result<i64, AppError> {
        let source = self.writable(actor, id, version).await?;
        let new_code = giamngheo_domain::household::parse_household_code(new_code)
            .map_err(|e| AppError::invalid("code", e))?;
        let moving: Vec<&MemberRecord> = source
            .members
            .iter()
            .filter(|m| member_ids.contains(&m.id))
            .collect();
        if moving.len() != member_ids.len() || moving.is_empty() {
            return Err(AppError::invalid(
                "members",
                "hãy chọn thành viên của hộ để tách",
            ));
        }
        if moving.len() == source.members.len() {
            return Err(AppError::invalid(
                "members",
                "hộ cũ phải còn ít nhất một thành viên",
            ));
        }
        if moving.iter().any(|m| m.fields.relation == "head") {
            return Err(AppError::invalid(
                "members",
                "không tách chủ hộ ra khỏi hộ của mình",
            ));
        }
        let head = moving.iter().find(|m| m.id == new_head).ok_or_else(|| {
            AppError::invalid("new_head", "chủ hộ mới phải là một người được tách")
        })?;
        if !self
            .store()
            .existing_household_codes(
                &source.household.fields.commune_code,
                std::slice::from_ref(&new_code),
            )
            .await?
            .is_empty()
        {
            return Err(AppError::Conflict(format!(
                "mã hộ {new_code} đã có trong xã"
            )));
        }
        let mut from_fields = source.household.fields.clone();
        from_fields.member_count -= moving.len() as i32;
        let mut new_fields = source.household.fields.clone();
        new_fields.code = new_code.clone();
        new_fields.head_name = head.fields.full_name.clone();
        new_fields.head_sort_key = text::person_sort_key(&head.fields.full_name);
        new_fields.female_headed = head.fields.sex == "female";
        new_fields.member_count = moving.len() as i32;
        let moves: Vec<(i64, i32, String)> = moving
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let relation = if m.id == new_head { "head" } else { "other" };
                (m.id, i as i32 + 1, relation.to_string())
            })
            .collect();
        let names: Vec<String> = moving.iter().map(|m| m.fields.full_name.clone()).collect();
        let change = FieldChange {
            field: "split".into(),
            old: serde_json::Value::String(source.household.fields.code.clone()),
            new: serde_json::json!({ "code": new_code, "members": names }),
        };
        let audit = vec![
            self.audit_entry(
                actor,
                "household.split",
                Some(&source.household),
                vec![change.clone()],
                None,
            ),
            self.audit_entry(actor, "household.create", None, vec![change], None),
        ];
        let new_id = self
            .store()
            .transfer_members(
                &Transfer {
                    from: TransferSource {
                        id,
                        version,
                        fields: &from_fields,
                        active: true,
                    },
                    to: TransferTarget::New(&new_fields),
                    target_province: new_fields.province_code.clone(),
                    moves,
                    audit,
                },
                self.clock().now(),
            )
            .await?;
        Ok(new_id)
    }

    /// Merges household `source` into `target` (nhập hộ): its members join the target
    /// (relation "other" until corrected) and it stays, inactive, pointing at the target.
    pub async fn merge_households(
        &self,
        actor: &Actor,
        target: (i64, i64),
        source: (i64, i64),
    ) -> Result<(), AppError> {
        if target.0 == source.0 {
            return Err(AppError::invalid(
                "source",
                "không nhập một hộ vào chính nó",
            ));
        }
        let into = self.writable(actor, target.0, target.1).await?;
        let from = self.writable(actor, source.0, source.1).await?;
        let mut to_fields = into.household.fields.clone();
        to_fields.member_count += from.members.len() as i32;
        let mut from_fields = from.household.fields.clone();
        from_fields.member_count = 0;
        let start = into.members.len() as i32;
        let moves: Vec<(i64, i32, String)> = from
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id, start + i as i32 + 1, "other".to_string()))
            .collect();
        let change = FieldChange {
            field: "merged_into".into(),
            old: serde_json::Value::String(from.household.fields.code.clone()),
            new: serde_json::Value::String(into.household.fields.code.clone()),
        };
        let audit = vec![
            self.audit_entry(
                actor,
                "household.merge_out",
                Some(&from.household),
                vec![change.clone()],
                None,
            ),
            self.audit_entry(
                actor,
                "household.merge_in",
                Some(&into.household),
                vec![change],
                None,
            ),
        ];
        self.store()
            .transfer_members(
                &Transfer {
                    from: TransferSource {
                        id: source.0,
                        version: source.1,
                        fields: &from_fields,
                        active: false,
                    },
                    to: TransferTarget::Existing(TransferSide {
                        id: target.0,
                        version: target.1,
                        fields: &to_fields,
                    }),
                    target_province: to_fields.province_code.clone(),
                    moves,
                    audit,
                },
                self.clock().now(),
            )
            .await?;
        Ok(())
    }

    /// People who may be recorded twice: the same name and birth year in one village.
    pub async fn possible_duplicates(
        &self,
        actor: &Actor,
        unit: Option<&str>,
    ) -> Result<Vec<DuplicateRow>, AppError> {
        let unit = self.list_unit(actor, unit, None).await?;
        Ok(self
            .store()
            .possible_duplicates(scope_column(tier_of(&unit)), &unit.code, 1000)
            .await?)
    }

    /// The audit trail of one household, newest first.
    pub async fn household_history(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<AuditRecord>, AppError> {
        self.household(actor, id).await?;
        Ok(self.store().audit_for_household(id, 500).await?)
    }

    /// The audit log of the administrator's area, with their own actions: like every
    /// other read, it stops at the user's unit, since entries name members. `filter`
    /// narrows it further (who, which action, when, which unit); a unit outside the
    /// user's area is refused as any other read there is.
    pub async fn audit_log(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: i64,
    ) -> Result<(Vec<AuditRecord>, i64), AppError> {
        if !actor.may(Action::ReadAuditLog) {
            return Err(AppError::Forbidden("nhật ký hệ thống".into()));
        }
        if let Some(unit) = &filter.unit {
            self.authorize(actor, Action::ReadAuditLog, unit).await?;
        }
        let page = page.max(1);
        let scope = match actor.unit_tier {
            Tier::Province => AuditScope::Province(&actor.unit_code),
            _ => AuditScope::Below(&actor.unit_code),
        };
        Ok(self
            .store()
            .audit_log_in(
                scope,
                actor.user_id,
                filter,
                PAGE_SIZE,
                (page - 1) * PAGE_SIZE,
            )
            .await?)
    }

    /// The code and head of the households an audit page names, for a reader of the
    /// audit log (who reads those entries already).
    pub async fn audit_household_labels(
        &self,
        actor: &Actor,
        ids: &[i64],
    ) -> Result<HashMap<i64, (String, String)>, AppError> {
        if !actor.may(Action::ReadAuditLog) {
            return Err(AppError::Forbidden("nhật ký hệ thống".into()));
        }
        Ok(self
            .store()
            .household_labels(ids)
            .await?
            .into_iter()
            .map(|(id, code, head)| (id, (code, head)))
            .collect())
    }
}

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
