//! Reading the registry: lists of a unit, one household with its members, possible
//! duplicates, and the history and audit of changes.

use super::*;

impl App {
    /// The unit a list covers: the one asked for, or the user's own; outside the user's
    /// area it is not found.
    pub(super) async fn list_unit(
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
        let members = self.store().members_of(id, false).await?;
        let place = self
            .place_of(&household.fields.village_code)
            .await?
            .ok_or_else(not_found)?;
        Ok(Self::household_view(actor, household, members, place))
    }

    /// A household's view from its rows as read, citizen IDs masked unless the user may
    /// see them.
    fn household_view(
        actor: &Actor,
        household: HouseholdRecord,
        mut members: Vec<MemberRecord>,
        place: Place,
    ) -> HouseholdView {
        if !actor.may(Action::ReadCitizenId) {
            for m in &mut members {
                m.fields.citizen_id = m.fields.citizen_id.as_deref().map(mask_citizen_id);
            }
        }
        HouseholdView {
            can_write: actor.may(Action::WriteHouseholds),
            household,
            members,
            village: place.village,
            commune: place.commune,
        }
    }

    /// The views of several households read at once (two statements, and the access and
    /// place of each village once), for a phiếu B grid: read one by one they took about
    /// five queries a household. A household not found, or that the user may not read, is
    /// left out; [`App::household`] on it answers why.
    pub(crate) async fn households_read_together(
        &self,
        actor: &Actor,
        ids: &[i64],
    ) -> Result<HashMap<i64, HouseholdView>, AppError> {
        let (households, members) = self.store().households_for_survey(ids).await?;
        let mut members_of: HashMap<i64, Vec<MemberRecord>> = HashMap::new();
        for m in members {
            members_of.entry(m.household_id).or_default().push(m);
        }
        let mut places: HashMap<String, Option<Place>> = HashMap::new();
        let mut views = HashMap::with_capacity(households.len());
        for household in households {
            let village = household.fields.village_code.clone();
            if !places.contains_key(&village) {
                let readable = self
                    .authorize(actor, Action::ReadPersonal, &village)
                    .await
                    .is_ok();
                let place = if readable {
                    self.place_of(&village).await?
                } else {
                    None
                };
                places.insert(village.clone(), place);
            }
            let Some(Some(place)) = places.get(&village) else {
                continue;
            };
            let members = members_of.remove(&household.id).unwrap_or_default();
            views.insert(
                household.id,
                Self::household_view(actor, household, members, place.clone()),
            );
        }
        Ok(views)
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
