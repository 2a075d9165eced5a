//! Editing a household with optimistic locking, and the audit entries of a change.

use super::*;

impl App {
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
    pub(super) async fn writable(
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

    pub(super) fn audit_entry(
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
}
