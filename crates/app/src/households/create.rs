//! Creating households: from the form, the API and files, with every draft checked
//! (citizen IDs, places, statuses) before anything is written.

use super::*;

impl App {
    /// Finds a valid village and the units above it.
    pub(super) async fn place_of(&self, village_code: &str) -> Result<Option<Place>, AppError> {
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
    pub(super) async fn authorize_by(
        &self,
        by: By<'_>,
        action: Action,
        unit: &str,
    ) -> Result<(), AppError> {
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

    pub(super) async fn create_households_once(
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
    pub(super) async fn check_and_create(
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
        // The database's codes for every commune of the batch at once: an import's batch
        // spreads over hundreds of communes, and one query a commune was most of a large
        // import's time.
        let pairs: Vec<(String, String)> = codes_by_commune
            .iter()
            .flat_map(|(commune, codes)| codes.iter().map(|(_, c)| (commune.clone(), c.clone())))
            .collect();
        let existing: HashSet<(String, String)> = self
            .store()
            .existing_household_codes_in(&pairs)
            .await?
            .into_iter()
            .collect();
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
            for (i, code) in codes {
                if existing.contains(&(commune.clone(), code.clone())) {
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
}
