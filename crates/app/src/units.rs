//! Administrative units: the official list, browsing, search, villages.

use crate::access::{Action, Actor};
use crate::unit_retire::UnitImportPlan;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_domain::{Area, Hierarchy, Tier, UnitCode, UnitKind, text};
use giamngheo_sheets::SheetErrors;
use giamngheo_sheets::units::{UnitRow, read_units, read_villages};
use giamngheo_store::{NewVillage, UnitRecord, UnitSearchHit, UnitUpdate, UnitUpsert};
use std::collections::{BTreeSet, HashMap};
use std::io::Read;

/// The statistics office's list of provinces, districts and communes as of 01/03/2025,
/// shipped with the binary so that a new installation works without a download.
pub const OFFICIAL_UNITS_CSV: &str = include_str!("../../../data/admin-units-vn-2025-03.csv");

/// The date the shipped list of March 2025 took effect.
pub fn official_list_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 1).expect("valid date")
}

/// The first day the shipped March 2025 list is taken to describe. It is the oldest list
/// the product ships, so it stands for every earlier date back to the 2016–2020 period
/// (the oldest poverty standard shipped, `vn-2016`): a record of 2021 finds its district
/// and commune in it. Changes between 2016 and March 2025 are not in the data.
pub fn shipped_history_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2016, 1, 1).expect("valid date")
}

/// The statistics office's list after the reform of 1 July 2025: 34 provinces and 3,321
/// communes, no districts.
pub const CURRENT_UNITS_CSV: &str = include_str!("../../../data/admin-units-vn-2025-07.csv");

/// Every commune of the March 2025 list with the new commune(s) it became part of.
pub const REFORM_2025_MAPPING_CSV: &str =
    include_str!("../../../data/admin-units-vn-2025-07-from-2025-03.csv");

/// The five island districts that had no communes and became special zones (đặc khu),
/// in the mapping's layout: the shipped mapping (which lists communes only) leaves them
/// out, see data/README-2025-07.md §5.2.
pub const REFORM_2025_ISLAND_DISTRICTS_CSV: &str =
    include_str!("../../../data/admin-units-vn-2025-07-from-2025-03-island-districts.csv");

/// The shipped mapping of the 2025 reform, communes and island districts together.
pub fn reform_2025_mapping() -> String {
    let mut all = REFORM_2025_MAPPING_CSV.to_string();
    if !all.ends_with('\n') {
        all.push('\n');
    }
    // The second file's header is the same as the first's.
    all.extend(
        REFORM_2025_ISLAND_DISTRICTS_CSV
            .lines()
            .skip(1)
            .map(|l| format!("{l}\n")),
    );
    all
}

/// The day the 2025 reform took effect (the old units were valid until the day before).
pub fn reform_2025_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("valid date")
}

/// How a units file is applied.
#[derive(Debug, Clone)]
pub struct UnitImportOptions {
    /// The date the list takes effect; new units are valid from it and retired ones end
    /// on it.
    pub valid_from: NaiveDate,
    /// Retire the official units of the file's provinces that the file no longer lists
    /// (after a merge). Off by default so that a partial file never retires anything.
    pub retire_missing: bool,
    /// The list's own hierarchy (which tier each level is); the configured one when
    /// `None`. One database holds lists of both: the four levels of March 2025 as history
    /// and today's three.
    pub hierarchy: Option<Hierarchy>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub rows: usize,
    pub retired: u64,
}

/// Shortest search text: one letter would match most of the country.
pub const MIN_SEARCH_LEN: usize = 2;
/// Most results a search returns.
pub const SEARCH_LIMIT: i64 = 50;

impl App {
    /// Loads the shipped official lists when the database has no units yet: the March
    /// 2025 list (four levels) as history, then the reform of 1 July 2025 onto today's
    /// list (three levels). Returns the number of unit versions written (0 when there
    /// were units already).
    pub async fn load_official_units_if_empty(&self) -> Result<usize, AppError> {
        if self.store().unit_count().await? > 0 {
            return Ok(0);
        }
        let four = Hierarchy::four_levels();
        let summary = self
            .import_units(
                OFFICIAL_UNITS_CSV.as_bytes(),
                &UnitImportOptions {
                    valid_from: shipped_history_start(),
                    retire_missing: false,
                    hierarchy: Some(four.clone()),
                },
            )
            .await?;
        self.store()
            .record_unit_list(
                "vn-2025-03",
                &four.to_string(),
                official_list_date(),
                self.clock().now(),
            )
            .await?;
        let reform = self.apply_shipped_reform().await?;
        let written = summary.rows + reform.units_opened as usize;
        tracing::info!(units = written, "official administrative units loaded");
        Ok(written)
    }

    /// Applies the July 2025 merger shipped with the binary (the list and the mapping in
    /// data/), as `giamngheo units reform` would with those files. A second run finds
    /// the units in place and moves only what was made under the old ones since: the
    /// demo uses it so to carry its history across the reform.
    pub async fn apply_shipped_reform(&self) -> Result<giamngheo_store::ReformOutcome, AppError> {
        self.apply_reform(
            CURRENT_UNITS_CSV.as_bytes(),
            reform_2025_mapping().as_bytes(),
            &crate::reform::ReformOptions {
                effective: reform_2025_date(),
                list_name: "vn-2025-07".into(),
                dry_run: false,
            },
        )
        .await
    }

    /// Loads or updates an official units list. The whole file is checked first; a file
    /// with any bad row is refused with every problem named, and nothing is written.
    /// Units left out are retired only when they hold nothing (see [`Self::plan_units`]).
    pub async fn import_units<R: Read>(
        &self,
        input: R,
        options: &UnitImportOptions,
    ) -> Result<ImportSummary, AppError> {
        let (_, summary) = self.plan_units(input, options, &[], true).await?;
        Ok(summary.unwrap_or_default())
    }

    /// Checks a units file and what it would retire, and writes it when `apply` is set.
    ///
    /// A unit the file leaves out (with `retire_missing`) that still holds households,
    /// villages, users or units of the file is retired only with its successors named
    /// in `successors` (old code, new code; the reform's mapping), and a commune moved to
    /// another province is refused while its households are recorded in the old one:
    /// either would leave people attached to a unit that no longer exists or to the
    /// wrong province's data. Any refusal writes nothing, applied or not.
    pub async fn plan_units<R: Read>(
        &self,
        input: R,
        options: &UnitImportOptions,
        successors: &[(String, String)],
        apply: bool,
    ) -> Result<(UnitImportPlan, Option<ImportSummary>), AppError> {
        let rows = read_units(input)?;
        let hierarchy = options
            .hierarchy
            .clone()
            .unwrap_or_else(|| self.hierarchy().clone());
        let upserts = self
            .prepare_units(&rows, &hierarchy, options.valid_from, false)
            .await?;
        let keep_flags = rows.iter().all(|r| r.flags.is_none());
        self.refuse_province_moves(&rows, &upserts).await?;
        let mut gone = Vec::new();
        if options.retire_missing {
            let listed: BTreeSet<&str> = upserts.iter().map(|u| u.code.as_str()).collect();
            let provinces: BTreeSet<&str> =
                upserts.iter().map(|u| u.province_code.as_str()).collect();
            for province in provinces {
                gone.extend(
                    self.store()
                        .official_codes_in(province)
                        .await?
                        .into_iter()
                        .filter(|c| !listed.contains(c.as_str())),
                );
            }
        }
        let plan = self
            .retirements(&upserts, &gone, successors)
            .await?
            .with_rows(upserts.len());
        if !plan.refused().is_empty() {
            return Err(AppError::Conflict(plan.refusal_vi()));
        }
        if !apply {
            return Ok((plan, None));
        }
        let now = self.clock().now();
        self.store().upsert_units(&upserts, keep_flags, now).await?;
        // The programme's allocation flags, when the file has their columns: each unit's
        // change is audited as an administrator's edit would be.
        for row in &rows {
            if let Some(a) = &row.allocation {
                let flags = giamngheo_store::AllocationFlags {
                    zone: a.zone.clone(),
                    safety_zone: a.safety_zone,
                    island: a.island,
                    special_zone: a.special_zone,
                    allocation_flags_to_confirm: a.to_confirm,
                };
                self.write_allocation_flags(None, row.code.as_str(), flags)
                    .await?;
            }
        }
        let retired = self
            .store()
            .retire_units(
                &gone,
                &plan.successor_pairs(),
                // Closed on the day before the list takes effect: valid_to is a unit's
                // last valid day.
                options.valid_from - chrono::Days::new(1),
                now,
            )
            .await?;
        Ok((
            plan,
            Some(ImportSummary {
                rows: upserts.len(),
                retired,
            }),
        ))
    }

    /// Checks an official list against its hierarchy and the units already held, and
    /// turns its rows into units to write, parents first. Every problem is named; nothing
    /// is returned when there is one. With `force_date`, every row is dated `valid_from`
    /// whatever the file says.
    pub(crate) async fn prepare_units(
        &self,
        rows: &[UnitRow],
        hierarchy: &Hierarchy,
        valid_from: NaiveDate,
        force_date: bool,
    ) -> Result<Vec<UnitUpsert>, AppError> {
        let mut errors = SheetErrors::new();

        // Levels and provinces of the units in the file, to resolve parents declared in it.
        let in_file: HashMap<String, (i32, usize)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.as_str().to_string(), (r.level, i)))
            .collect();
        let mut db_parents: HashMap<String, Option<UnitRecord>> = HashMap::new();
        for r in rows {
            if let Some(p) = &r.parent_code
                && !in_file.contains_key(p.as_str())
                && !db_parents.contains_key(p.as_str())
            {
                let found = match self.store().unit_on(p.as_str(), valid_from).await? {
                    Some(u) => Some(u),
                    None => self.store().unit(p.as_str()).await?,
                };
                db_parents.insert(p.as_str().to_string(), found);
            }
        }

        let mut tiers = Vec::with_capacity(rows.len());
        for r in rows {
            let tier = hierarchy.tier(r.level);
            match tier {
                None | Some(Tier::Village) => {
                    errors.push(
                        r.line,
                        "level",
                        format!(
                            "cấp {} không phải cấp hành chính chính thức trong phân cấp {}",
                            r.level, hierarchy
                        ),
                    );
                }
                Some(_) => {}
            }
            tiers.push(tier);
            if let Some(p) = &r.parent_code {
                let parent_level = match in_file.get(p.as_str()) {
                    Some((level, _)) => Some(*level),
                    None => db_parents
                        .get(p.as_str())
                        .and_then(|u| u.as_ref())
                        .map(|u| u.level),
                };
                match parent_level {
                    None => {
                        errors.push(
                            r.line,
                            "parent_code",
                            format!("không có đơn vị cấp trên mã {p} (trong tệp hay trong cơ sở dữ liệu)"),
                        );
                    }
                    Some(l) if l != r.level - 1 => {
                        errors.push(
                            r.line,
                            "parent_code",
                            format!("đơn vị cấp trên {p} ở cấp {l}, phải ở cấp {}", r.level - 1),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }

        // Parents first, so that every foreign key points at a unit already written.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| (rows[i].level, rows[i].line));
        let mut province_of: HashMap<String, String> = HashMap::new();
        let mut upserts = Vec::with_capacity(rows.len());
        for &i in &order {
            let r = &rows[i];
            let code = r.code.as_str().to_string();
            let province_code = match &r.parent_code {
                None => code.clone(),
                Some(p) => match province_of.get(p.as_str()) {
                    Some(pc) => pc.clone(),
                    None => db_parents
                        .get(p.as_str())
                        .and_then(|u| u.as_ref())
                        .map(|u| u.province_code.clone())
                        .expect("parent checked above"),
                },
            };
            province_of.insert(code.clone(), province_code.clone());
            let area = r.area.or_else(|| r.kind.default_area());
            let flags = r.flags.unwrap_or_default();
            upserts.push(UnitUpsert {
                code,
                name: r.name.clone(),
                name_folded: text::fold(&r.name),
                kind: r.kind.as_str().to_string(),
                level: r.level,
                tier: tiers[i].expect("checked above").as_str().to_string(),
                parent_code: r.parent_code.as_ref().map(|p| p.as_str().to_string()),
                province_code,
                area: area.map(|a| a.as_str().to_string()),
                area_given: r.area.is_some(),
                extremely_difficult: flags.extremely_difficult,
                border: flags.border,
                programme_30a: flags.programme_30a,
                programme_135: flags.programme_135,
                valid_from: match r.valid_from {
                    Some(d) if !force_date => d,
                    _ => valid_from,
                },
            });
        }
        Ok(upserts)
    }

    /// One unit by code: its latest version (the one valid today, or the last one of a
    /// closed unit). Code that has a date to go by uses [`App::resolve_unit`].
    pub async fn unit(&self, code: &str) -> Result<UnitRecord, AppError> {
        let code =
            UnitCode::parse(code).map_err(|_| AppError::NotFound(format!("đơn vị mã «{code}»")))?;
        self.store()
            .unit(code.as_str())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("đơn vị mã {code}")))
    }

    /// The unit a bare code means on a day: the version valid on `as_of`, today when it
    /// is `None`. Every endpoint and command that takes a unit goes through here, so
    /// that a code reused by the statistics office (18496 was Thị trấn Hương Khê and is
    /// now Xã Hương Khê) finds the unit the date means, and a closed unit is a clear
    /// error naming the units it went into.
    pub async fn resolve_unit(
        &self,
        code: &str,
        as_of: Option<NaiveDate>,
    ) -> Result<UnitRecord, AppError> {
        let parsed =
            UnitCode::parse(code).map_err(|_| AppError::NotFound(format!("đơn vị mã «{code}»")))?;
        let day = as_of.unwrap_or_else(|| self.clock().today());
        if let Some(u) = self.store().unit_on(parsed.as_str(), day).await? {
            return Ok(u);
        }
        let versions = self.store().unit_versions(parsed.as_str()).await?;
        let earlier = versions.iter().rev().find(|v| v.valid_from <= day);
        match (earlier, versions.first().cloned()) {
            (Some(closed), _) => Err(AppError::Gone(self.closed_message(closed).await?)),
            // A day before the first list that has the unit: that list is the oldest
            // knowledge there is and stands for earlier days (as in the stores' joins).
            (None, Some(first)) => Ok(first),
            (None, None) => Err(AppError::NotFound(format!("đơn vị mã {parsed}"))),
        }
    }

    /// "… đã giải thể từ 01/07/2025 (hết hiệu lực 30/06/2025), nay thuộc …", naming the
    /// units a closed version went into.
    async fn closed_message(&self, closed: &UnitRecord) -> Result<String, AppError> {
        let last = closed.valid_to.unwrap_or(closed.valid_from);
        let from = last + chrono::Days::new(1);
        let successors = self.successors(closed).await?;
        let now_part = if successors.is_empty() {
            "không ghi nhận đơn vị kế tiếp".to_string()
        } else {
            let names: Vec<String> = successors
                .iter()
                .map(|(u, whole)| {
                    let part = if *whole { "" } else { " (một phần)" };
                    format!("{} (mã {}){part}", u.name, u.code)
                })
                .collect();
            format!("nay thuộc {}", names.join(", "))
        };
        Ok(format!(
            "{} (mã {}) đã giải thể từ {} (hết hiệu lực {}), {now_part}",
            closed.name,
            closed.code,
            from.format("%d/%m/%Y"),
            last.format("%d/%m/%Y"),
        ))
    }

    /// The units a closed unit version went into (empty while it is valid), with
    /// whether it went whole into each.
    pub async fn successors(&self, unit: &UnitRecord) -> Result<Vec<(UnitRecord, bool)>, AppError> {
        if unit.valid_to.is_none() {
            return Ok(Vec::new());
        }
        Ok(self.store().successors(&unit.code, unit.valid_from).await?)
    }

    /// The units under `parent` (provinces when `None`) valid on `as_of` (today when
    /// `None`), in official code order.
    pub async fn children_on(
        &self,
        parent: Option<&str>,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<UnitRecord>, AppError> {
        let day = as_of.unwrap_or_else(|| self.clock().today());
        let parent = match parent {
            // Asking for the children of a unit that does not exist (or not on that day)
            // is an error, not an empty list, so that a mistyped code is noticed.
            Some(p) => Some(self.resolve_unit(p, Some(day)).await?.code),
            None => None,
        };
        Ok(self.store().children_on(parent.as_deref(), day).await?)
    }

    /// The units under `parent` (provinces when `None`) valid today.
    pub async fn children(&self, parent: Option<&str>) -> Result<Vec<UnitRecord>, AppError> {
        self.children_on(parent, None).await
    }

    /// The chain from the province down to the unit, top first.
    pub async fn ancestry(&self, code: &str) -> Result<Vec<UnitRecord>, AppError> {
        Ok(self.store().ancestry(code).await?)
    }

    /// Units whose name contains the query, with or without diacritics.
    pub async fn search_units(&self, query: &str) -> Result<Vec<UnitSearchHit>, AppError> {
        let folded = text::fold(query);
        if folded.chars().count() < MIN_SEARCH_LEN {
            return Err(AppError::invalid(
                "q",
                format!("hãy gõ ít nhất {MIN_SEARCH_LEN} ký tự"),
            ));
        }
        Ok(self.store().search_units(&folded, SEARCH_LIMIT).await?)
    }

    /// Creates a village (thôn, bản, tổ dân phố) under a commune and returns it. The actor
    /// must manage units over the commune.
    pub async fn create_village(
        &self,
        actor: &Actor,
        input: VillageInput,
    ) -> Result<UnitRecord, AppError> {
        // Access is checked before anything else, so that the answers for another
        // commune's units say nothing about them.
        self.authorize(actor, Action::ManageUnits, &input.commune_code)
            .await?;
        let code = self
            .create_villages(vec![input], Some(actor), None)
            .await?
            .remove(0);
        self.unit(&code).await
    }

    /// Creates villages from a CSV file (`commune_code,name,kind` and optionally `code`,
    /// `area`): all rows or none. With `only_commune`, the file is for that commune alone
    /// and may leave out `commune_code`. The actor must manage units over every commune
    /// the file names; a commune outside its area is reported like one that does not
    /// exist.
    pub async fn import_villages<R: Read>(
        &self,
        actor: &Actor,
        input: R,
        only_commune: Option<&str>,
    ) -> Result<Vec<String>, AppError> {
        if let Some(c) = only_commune {
            self.authorize(actor, Action::ManageUnits, c).await?;
        }
        self.import_villages_for(Some(actor), input, only_commune, None)
            .await
    }

    /// Creates villages from a CSV file for the whole system, without an actor: for the
    /// command line, which whoever runs the server already controls.
    pub async fn import_villages_as_system<R: Read>(
        &self,
        input: R,
    ) -> Result<Vec<String>, AppError> {
        self.import_villages_for(None, input, None, None).await
    }

    /// Creates villages from a CSV file for the whole system, as they stood on `on`: each
    /// commune must be valid on that day and the villages are valid from it. The demo
    /// builds its history this way under units that have since been merged.
    pub async fn import_villages_as_system_on<R: Read>(
        &self,
        input: R,
        on: NaiveDate,
    ) -> Result<Vec<String>, AppError> {
        self.import_villages_for(None, input, None, Some(on)).await
    }

    async fn import_villages_for<R: Read>(
        &self,
        actor: Option<&Actor>,
        input: R,
        only_commune: Option<&str>,
        on: Option<NaiveDate>,
    ) -> Result<Vec<String>, AppError> {
        let only = match only_commune {
            Some(c) => Some(
                UnitCode::parse(c).map_err(|_| AppError::NotFound(format!("đơn vị mã «{c}»")))?,
            ),
            None => None,
        };
        let rows = read_villages(input, only.as_ref())?;
        let inputs = rows
            .into_iter()
            .map(|r| VillageInput {
                line: Some(r.line),
                commune_code: r.commune_code.as_str().to_string(),
                code: r.code.map(|c| c.as_str().to_string()),
                name: r.name,
                kind: r.kind.as_str().to_string(),
                area: r.area,
            })
            .collect();
        self.create_villages(inputs, actor, on).await
    }

    /// Creates villages; with an actor, each commune must be within its area (checked
    /// again here for files that name several communes).
    async fn create_villages(
        &self,
        inputs: Vec<VillageInput>,
        actor: Option<&Actor>,
        on: Option<NaiveDate>,
    ) -> Result<Vec<String>, AppError> {
        let day = on.unwrap_or_else(|| self.clock().today());
        let single = inputs.len() == 1 && inputs[0].line.is_none();
        let mut errors = SheetErrors::new();
        let mut fail = |line: Option<u64>, field: &str, message: String| -> Option<AppError> {
            match line {
                Some(l) => {
                    errors.push(l, field, message);
                    None
                }
                None => Some(AppError::invalid(field, message)),
            }
        };
        let mut next_number: HashMap<String, u32> = HashMap::new();
        let mut communes: HashMap<String, Option<UnitRecord>> = HashMap::new();
        let mut villages = Vec::new();
        for input in inputs {
            let line = input.line;
            let name = text::normalize(&input.name);
            if name.is_empty() {
                if let Some(e) = fail(line, "name", "tên thôn trống".into()) {
                    return Err(e);
                }
                continue;
            }
            if name.chars().count() > 120 {
                if let Some(e) = fail(line, "name", "tên dài quá 120 ký tự".into()) {
                    return Err(e);
                }
                continue;
            }
            let kind = match UnitKind::parse(&input.kind) {
                Ok(k) => k,
                Err(e) => {
                    if let Some(e) = fail(line, "kind", e.to_string()) {
                        return Err(e);
                    }
                    continue;
                }
            };
            if !communes.contains_key(&input.commune_code) {
                let allowed = match actor {
                    None => true,
                    Some(a) => match self
                        .authorize(a, Action::ManageUnits, &input.commune_code)
                        .await
                    {
                        Ok(()) => true,
                        // Outside the actor's area the commune is treated as missing.
                        Err(AppError::NotFound(_)) => false,
                        Err(e) => return Err(e),
                    },
                };
                let found = if allowed {
                    self.store().unit_on(&input.commune_code, day).await?
                } else {
                    None
                };
                communes.insert(input.commune_code.clone(), found);
            }
            let commune = match communes.get(&input.commune_code).and_then(|c| c.as_ref()) {
                Some(c) if c.tier == Tier::Commune.as_str() => c,
                Some(_) => {
                    let m = format!("{} không phải xã, phường, thị trấn", input.commune_code);
                    if single {
                        return Err(AppError::invalid("commune_code", m));
                    }
                    fail(line, "commune_code", m);
                    continue;
                }
                None => {
                    if single {
                        return Err(AppError::NotFound(format!(
                            "đơn vị mã {}",
                            input.commune_code
                        )));
                    }
                    fail(
                        line,
                        "commune_code",
                        format!("không có xã mã {}", input.commune_code),
                    );
                    continue;
                }
            };
            let folded = text::fold(&name);
            if let Some(existing) = self.store().village_named(&commune.code, &folded).await? {
                let m = format!("{} đã có thôn «{name}» (mã {existing})", commune.name);
                if single {
                    return Err(AppError::Conflict(m));
                }
                fail(line, "name", m);
                continue;
            }
            let code = match input.code {
                Some(c) => match UnitCode::parse(&c) {
                    Ok(c) => c.as_str().to_string(),
                    Err(e) => {
                        if let Some(e) = fail(line, "code", e.to_string()) {
                            return Err(e);
                        }
                        continue;
                    }
                },
                None => {
                    let n = match next_number.get(&commune.code) {
                        Some(n) => *n,
                        None => {
                            let last = self.store().last_village_code(&commune.code).await?;
                            last.and_then(|c| c.strip_prefix(commune.code.as_str())?.parse().ok())
                                .unwrap_or(0)
                                + 1
                        }
                    };
                    if n > 999 {
                        let m = format!("{} đã có 999 thôn, hãy nhập mã thôn", commune.name);
                        if let Some(e) = fail(line, "code", m) {
                            return Err(e);
                        }
                        continue;
                    }
                    next_number.insert(commune.code.clone(), n + 1);
                    format!("{}{n:03}", commune.code)
                }
            };
            let area = input
                .area
                .or_else(|| commune.area.as_deref().and_then(|a| a.parse::<Area>().ok()))
                .or_else(|| kind.default_area());
            villages.push(NewVillage {
                code,
                name,
                name_folded: folded,
                kind: kind.as_str().to_string(),
                // A village sits one level under its commune, whichever list the
                // commune comes from (level 4 under a district's commune, 3 today).
                level: commune.level + 1,
                parent_code: commune.code.clone(),
                province_code: commune.province_code.clone(),
                area: area.map(|a| a.as_str().to_string()),
                valid_from: day,
            });
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let now = self.clock().now();
        self.store().create_villages(&villages, now).await?;
        Ok(villages.into_iter().map(|v| v.code).collect())
    }

    /// Changes a unit's area and programme flags. The actor must manage units over it.
    pub async fn update_unit(
        &self,
        actor: &Actor,
        code: &str,
        update: UnitUpdate,
    ) -> Result<UnitRecord, AppError> {
        self.authorize(actor, Action::ManageUnits, code).await?;
        let unit = self.unit(code).await?;
        if let Some(a) = &update.area {
            a.parse::<Area>()
                .map_err(|e| AppError::invalid("area", e.to_string()))?;
        }
        self.store()
            .update_unit(&unit.code, &update, self.clock().now())
            .await?;
        self.unit(&unit.code).await
    }
}

/// Reads an `as_of` date given by a user (dd/mm/yyyy, or yyyy-mm-dd).
pub fn parse_as_of(text: &str) -> Result<NaiveDate, AppError> {
    giamngheo_sheets::units::parse_date(text.trim()).map_err(|e| AppError::invalid("as_of", e))
}

/// A village to create, from a form, the API or a CSV line.
#[derive(Debug, Clone)]
pub struct VillageInput {
    /// The CSV line, when the village comes from a file.
    pub line: Option<u64>,
    pub commune_code: String,
    pub code: Option<String>,
    pub name: String,
    pub kind: String,
    pub area: Option<Area>,
}
