//! Loading the demo plan into the database.

use super::*;

/// The demo's district: Huyện Hương Khê of the seed plan.
pub const DEMO_DISTRICT: &str = "444";
/// Its province, Hà Tĩnh.
pub const DEMO_PROVINCE: &str = "42";

/// A demo user, with the password the command line prints.
#[derive(Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub user_id: i64,
    pub username: String,
    pub password: String,
    pub role: Role,
    pub unit_code: String,
    pub unit_name: String,
}

// The password is for printing once, not for logs.
impl std::fmt::Debug for DemoUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoUser")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("unit_code", &self.unit_code)
            .finish_non_exhaustive()
    }
}

/// What [`App::load_demo`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub villages_created: usize,
    /// Villages of the plan that the database had already (same commune and name).
    pub villages_reused: usize,
    pub households: usize,
    pub members: usize,
    /// Classifications written, one per household and period.
    pub classifications: usize,
    /// The periods classified, oldest first.
    pub periods: Vec<i32>,
    /// What the 2025 reform did to the demo's units, when the clock is past it.
    pub reform: Option<ReformOutcome>,
    /// The review of the next period left open, when the review window is.
    pub open_review: Option<DemoReview>,
    pub users: Vec<DemoUser>,
}

/// What the classification history of the demo is written from, shared by the communes.
struct DemoLists<'a> {
    seed: u64,
    periods: &'a [DemoPeriod],
    history: &'a [Vec<DemoStatus>],
    /// The database village code and member count of each household of the plan.
    households: &'a [(String, i32)],
    certificate_pattern: String,
}

/// The units a period's lists were decided in: a commune of the old district before the
/// reform, a new commune (under the province directly) after it.
struct DemoUnit<'a> {
    commune: &'a str,
    district: Option<&'a str>,
}

/// Most households the demo makes: far more than a district has, still quick to make.
pub const MAX_DEMO_HOUSEHOLDS: usize = 1_000_000;

/// The demo password of a role: easy to type, and the same for a seed every time. It
/// does not start with the username (`demo.admin`), which the password policy refuses.
pub fn demo_password(seed: u64, role: Role) -> String {
    let index = Role::ALL.iter().position(|r| *r == role).unwrap_or(0) as u64;
    format!(
        "dung-thu-{}-{:04}",
        role.as_str(),
        mix(seed ^ (index << 56)) % 10_000
    )
}

impl App {
    /// Fills the database with the demo district: villages, `households` households with
    /// their members, their classification history (the 2021 baseline under `vn-2016`,
    /// then each end-of-year review's lists under `vn-2022`, see [`plan`]), and one user
    /// per role (see [`DemoSummary::users`]).
    ///
    /// The official units are loaded first when the database has none. A district that
    /// already has households is refused, so that demo data never mixes with real data.
    /// Households are written commune by commune, each commune in one transaction; should
    /// the load stop halfway, start again on a fresh database.
    pub async fn load_demo(&self, seed: u64, households: usize) -> Result<DemoSummary, AppError> {
        if households == 0 || households > MAX_DEMO_HOUSEHOLDS {
            return Err(AppError::invalid(
                "households",
                format!("số hộ mẫu phải từ 1 đến {MAX_DEMO_HOUSEHOLDS}"),
            ));
        }
        self.load_official_units_if_empty().await?;
        let district = self.store().unit(DEMO_DISTRICT).await?.ok_or_else(|| {
            AppError::NotFound(format!(
                "huyện mã {DEMO_DISTRICT} (Hương Khê); dữ liệu mẫu cần phân cấp tỉnh, huyện, xã, thôn"
            ))
        })?;
        // The demo's history lies under the district and communes of before the 2025
        // reform: once the district is closed, they are taken as they stood on its last
        // day, and villages are created valid from its first.
        let today = self.clock().today();
        let closed = district.valid_to.filter(|last| *last < today);
        // The demo's households live under the district until the reform and under the
        // communes that took it in after it: demo data never mixes with data already in
        // either.
        let mut scopes = vec![("district_code", DEMO_DISTRICT.to_string())];
        if let Some(last) = closed {
            for old in self.store().children_on(Some(DEMO_DISTRICT), last).await? {
                scopes.push(("commune_code", self.demo_scope_today(&old.code).await?));
            }
        }
        scopes.sort();
        scopes.dedup();
        let mut existing = 0;
        for (scope_column, scope_code) in scopes {
            let (_, count) = self
                .store()
                .list_households(
                    &HouseholdFilter {
                        scope_column,
                        scope_code,
                        text: None,
                        citizen_id: None,
                        include_inactive: true,
                        villages: Vec::new(),
                    },
                    1,
                    0,
                )
                .await?;
            existing += count;
        }
        if existing > 0 {
            return Err(AppError::Conflict(format!(
                "{} đã có {existing} hộ; dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu chưa có hộ nào \
                 ở huyện này, để không lẫn với dữ liệu thật (hãy dùng một cơ sở dữ liệu mới)",
                district.name
            )));
        }
        let villages_from = closed.map(|_| district.valid_from);
        let communes: Vec<(String, String, Option<String>)> = self
            .store()
            .children_on(Some(DEMO_DISTRICT), closed.unwrap_or(today))
            .await?
            .into_iter()
            .filter(|u| u.tier == "commune")
            .map(|u| (u.code, u.name, u.area))
            .collect();
        if communes.is_empty() {
            return Err(AppError::NotFound(format!("xã của {}", district.name)));
        }

        let started = std::time::Instant::now();
        let plan = plan(seed, households, &communes, self.clock().today());
        tracing::info!(
            villages = plan.villages.len(),
            households = plan.households.len(),
            members = plan.member_count(),
            ms = started.elapsed().as_millis() as u64,
            "demo planned"
        );

        let history = classify_plan(&plan, &self.config().standards, self.clock().today())?;
        for (period, statuses) in plan.periods.iter().zip(&history) {
            let count = |s: Status| statuses.iter().filter(|h| h.status == s).count();
            tracing::info!(
                period = period.period,
                standard = %period.standard,
                poor = count(Status::Poor),
                near_poor = count(Status::NearPoor),
                "demo classified"
            );
        }

        let (codes, villages_created, villages_reused) =
            self.demo_villages(&plan, villages_from).await?;

        // Households, commune by commune so that progress shows.
        let members = plan.member_count();
        let mut by_commune: BTreeMap<&str, Vec<DraftInput>> = BTreeMap::new();
        // The plan index of each household, in the order it is written, per commune; and
        // what its classifications repeat of it (village, members).
        let mut indexes: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut households_of: Vec<(String, i32)> = Vec::with_capacity(plan.households.len());
        let commune_of: BTreeMap<&str, &str> = plan
            .villages
            .iter()
            .map(|v| (v.code.as_str(), v.commune_code.as_str()))
            .collect();
        let total = plan.households.len();
        // The drafts move into the inputs rather than being copied: at national sizes the
        // plan is most of the memory the command uses.
        for (i, mut draft) in plan.households.into_iter().enumerate() {
            let commune = commune_of[draft.village_code.as_str()];
            draft.village_code = codes[draft.village_code.as_str()].clone();
            households_of.push((draft.village_code.clone(), draft.members.len() as i32));
            indexes.entry(commune).or_default().push(i);
            by_commune
                .entry(commune)
                .or_default()
                .push(DraftInput::form(draft));
        }
        let lists = DemoLists {
            seed,
            periods: &plan.periods,
            history: &history,
            households: &households_of,
            certificate_pattern: self.review_settings().await?.certificate_pattern,
        };
        // The periods decided under the old units (their lists took effect before the
        // district closed), and those decided by the communes that took it in.
        let split = plan
            .periods
            .iter()
            .position(|p| {
                closed.is_some_and(|last| {
                    NaiveDate::from_ymd_opt(p.period, 1, 1).is_some_and(|first| first > last)
                })
            })
            .unwrap_or(plan.periods.len());
        let mut written = 0;
        let mut classifications = 0;
        let mut pairs_of: BTreeMap<String, Vec<(usize, i64)>> = BTreeMap::new();
        for (done, (code, _, _)) in communes.iter().enumerate() {
            let Some(inputs) = by_commune.remove(code.as_str()) else {
                continue;
            };
            let ids = self.create_households(By::System, inputs, "demo").await?;
            written += ids.len();
            // `create_households` gives the ids in the order of its inputs.
            let plan_indexes = indexes.remove(code.as_str()).unwrap_or_default();
            let pairs: Vec<(usize, i64)> = plan_indexes.into_iter().zip(ids).collect();
            let unit = DemoUnit {
                commune: code,
                district: Some(DEMO_DISTRICT),
            };
            classifications += self
                .demo_classifications(&lists, &unit, 0..split, &pairs)
                .await?;
            tracing::info!(
                commune = %code,
                communes = format!("{}/{}", done + 1, communes.len()),
                households = format!("{written}/{total}"),
                classifications,
                "demo households written"
            );
            pairs_of.insert(code.clone(), pairs);
        }

        // The July 2025 merger, applied to the history just written with the same code
        // and files as `giamngheo units reform`: the villages, and their households, move
        // under the new communes. The later lists are those new communes' decisions.
        let reform = match closed {
            Some(_) => Some(self.apply_shipped_reform().await?),
            None => None,
        };
        if reform.is_some() {
            let mut by_new: BTreeMap<String, Vec<(usize, i64)>> = BTreeMap::new();
            for (old, pairs) in pairs_of {
                let new = self.demo_scope_today(&old).await?;
                by_new.entry(new).or_default().extend(pairs);
            }
            for (code, pairs) in &by_new {
                let unit = DemoUnit {
                    commune: code,
                    district: None,
                };
                classifications += self
                    .demo_classifications(&lists, &unit, split..plan.periods.len(), pairs)
                    .await?;
            }
            pairs_of = by_new;
        }
        // Loans, tuition and a few planted ineligible benefits, by the latest period's
        // status (demo/benefits.rs).
        let this_year = self.clock().today().year();
        let current = plan
            .periods
            .iter()
            .position(|p| p.period == this_year)
            .and_then(|i| history.get(i))
            .or(history.last());
        if let Some(latest) = current {
            let households: Vec<(Status, i64)> = pairs_of
                .values()
                .flatten()
                .filter_map(|(i, id)| latest.get(*i).map(|s| (s.status, *id)))
                .collect();
            self.demo_benefits(seed, &households).await?;
        }
        // The programme's year: funds allocated by the suggested formula and disbursed,
        // and activities with their households (programme/demo.rs).
        self.demo_programme(seed).await?;
        let by_commune: BTreeMap<String, Vec<i64>> = pairs_of
            .iter()
            .map(|(c, pairs)| (c.clone(), pairs.iter().map(|(_, id)| *id).collect()))
            .collect();
        self.demo_activities(seed, &by_commune).await?;
        let users = self
            .demo_users(seed, &communes, &plan.villages, &codes)
            .await?;
        // The review of the next period, open and half done, so that a new user lands in
        // the work of the day.
        let open_review = match (&plan.next, reform.is_some()) {
            (Some(next), true) => self.demo_open_review(&users, next, &pairs_of).await?,
            _ => None,
        };
        // The seed plan's section V, so that the tasks page shows the district's 2021 plan.
        self.load_seed_plan_tasks().await?;
        // The kept coverage figures of every policy (issue 14): without them coverage
        // counts the households on each request, as on a database never rebuilt.
        self.coverage_rebuild(&[], |_, _| {}).await?;
        // The reports' plans need statistics of the tables just filled.
        self.store().refresh_statistics().await?;
        tracing::info!(
            households = written,
            members,
            users = users.len(),
            seconds = started.elapsed().as_secs_f64(),
            "demo loaded"
        );
        Ok(DemoSummary {
            villages_created,
            villages_reused,
            households: written,
            members,
            classifications,
            periods: plan.periods.iter().map(|p| p.period).collect(),
            reform,
            open_review,
            users,
        })
    }

    /// Writes the classification history of one commune's households, `(plan index,
    /// id)`: one insert and one audit entry per period, as a commune's decision covers
    /// its households together. Returns how many were written.
    async fn demo_classifications(
        &self,
        lists: &DemoLists<'_>,
        unit: &DemoUnit<'_>,
        periods: std::ops::Range<usize>,
        households: &[(usize, i64)],
    ) -> Result<usize, AppError> {
        let commune = unit.commune;
        let mut written = 0;
        for (period, statuses) in lists.periods[periods.clone()]
            .iter()
            .zip(&lists.history[periods])
        {
            let standard = self
                .config()
                .standards
                .get(&period.standard)
                .ok_or_else(|| AppError::invalid("standard", period.standard.clone()))?;
            let (kind, decision_number, decision_date, effective_date) = if period.is_baseline() {
                (
                    "baseline",
                    format!(
                        "Danh sách hộ nghèo, hộ cận nghèo năm {} (dữ liệu mẫu)",
                        period.period
                    ),
                    None,
                    NaiveDate::from_ymd_opt(period.period, 1, 1).expect("1 January"),
                )
            } else {
                let (number, date) = demo_decision(lists.seed, commune, period.period);
                ("periodic", number, Some(date), date)
            };
            // Approved at 08:00 in Hà Nội on the day it took effect.
            let approved_at = format!("{effective_date}T01:00:00Z");
            let mut certificates: i64 = 0;
            let mut rows = Vec::with_capacity(households.len());
            for &(i, id) in households {
                let s = &statuses[i];
                let (village_code, member_count) = &lists.households[i];
                // Certificates are the periodic review's; the baseline lists came from
                // before the product.
                let certificate_number =
                    (!period.is_baseline() && s.status.is_on_lists()).then(|| {
                        certificates += 1;
                        certificate_number(&lists.certificate_pattern, certificates)
                    });
                let reasons = classify(standard, &s.input)
                    .map_err(|e| AppError::invalid("standard", e.to_string()))?
                    .reasons_text(Lang::Vi);
                let deprived: Vec<&str> = s
                    .input
                    .deprived
                    .indexes()
                    .map(|k| standard.indicators()[k].code.as_str())
                    .collect();
                let (income_per_capita, score_a) = match s.input.evidence {
                    Evidence::Income(i) => (Some(i as i64), None),
                    Evidence::ScoreA(a) => (None, Some(a as i32)),
                };
                rows.push(ClassificationFields {
                    household_id: id,
                    province_code: DEMO_PROVINCE.to_string(),
                    district_code: unit.district.map(str::to_string),
                    commune_code: commune.to_string(),
                    village_code: village_code.clone(),
                    period: period.period,
                    standard: period.standard.clone(),
                    kind: kind.to_string(),
                    review_id: None,
                    status: s.status.as_str().to_string(),
                    area: s.input.area.as_str().to_string(),
                    income_per_capita,
                    score_a,
                    score_b: i32::from(s.score_b),
                    deprivation_count: i32::from(s.deprivation_count),
                    deprived: deprived.join(","),
                    reasons,
                    transition: s.transition.map(|t| t.as_str().to_string()),
                    member_count: *member_count,
                    causes: String::new(),
                    decision_number: Some(decision_number.clone()),
                    decision_date,
                    effective_date,
                    approved_by: "hệ thống".to_string(),
                    approved_at: approved_at.clone(),
                    supersedes: None,
                    correction_reason: None,
                    certificate_number,
                });
            }
            let on = |status: Status| {
                households
                    .iter()
                    .filter(|(i, _)| statuses[*i].status == status)
                    .count()
            };
            let audit = self.system_audit(
                if period.is_baseline() {
                    "classification.baseline"
                } else {
                    "review.approve"
                },
                ("classification", String::new()),
                Some((commune, DEMO_PROVINCE)),
                vec![
                    ("period", period.period.into()),
                    ("standard", period.standard.clone().into()),
                    ("decision", decision_number.clone().into()),
                    ("households", rows.len().into()),
                    ("poor", on(Status::Poor).into()),
                    ("near_poor", on(Status::NearPoor).into()),
                ],
                "dữ liệu mẫu",
            );
            written += self
                .store()
                .insert_classifications(&rows, &[audit], self.clock().now())
                .await?
                .len();
        }
        Ok(written)
    }

    /// Creates the plan's villages that the communes do not have yet; returns the
    /// database code of each provisional code, and how many were created and reused.
    /// With `from`, the villages are created as they stood on that day (under communes
    /// closed since).
    async fn demo_villages(
        &self,
        plan: &DemoPlan,
        from: Option<NaiveDate>,
    ) -> Result<(BTreeMap<String, String>, usize, usize), AppError> {
        let mut codes = BTreeMap::new();
        let mut missing = Vec::new();
        for v in &plan.villages {
            match self
                .store()
                .village_named(&v.commune_code, &text::fold(&v.name))
                .await?
            {
                Some(code) => {
                    codes.insert(v.code.clone(), code);
                }
                None => missing.push(v),
            }
        }
        let reused = codes.len();
        if !missing.is_empty() {
            // Through the same path as a village list uploaded by an administrator, so
            // that codes are numbered and checked the usual way. Names hold no commas or
            // quotes, so the CSV needs no quoting.
            let mut csv = String::from("commune_code,name,kind\n");
            for v in &missing {
                csv.push_str(&format!("{},{},{}\n", v.commune_code, v.name, v.kind));
            }
            let created = match from {
                Some(day) => {
                    self.import_villages_as_system_on(csv.as_bytes(), day)
                        .await?
                }
                None => self.import_villages_as_system(csv.as_bytes()).await?,
            };
            for (v, code) in missing.iter().zip(created) {
                codes.insert(v.code.clone(), code);
            }
        }
        tracing::info!(created = missing.len(), reused, "demo villages ready");
        Ok((codes, missing.len(), reused))
    }

    /// One user per role, each at a unit where the role makes sense: the province for
    /// the administrator and the province viewer, the district for its offices and
    /// oversight, Hương Liên (or the first commune) and one of its villages.
    async fn demo_users(
        &self,
        seed: u64,
        communes: &[(String, String, Option<String>)],
        villages: &[DemoVillage],
        codes: &BTreeMap<String, String>,
    ) -> Result<Vec<DemoUser>, AppError> {
        let commune = communes
            .iter()
            .find(|(_, name, _)| text::fold(name).ends_with("huong lien"))
            .unwrap_or(&communes[0])
            .0
            .clone();
        // The village head of Bản Rào Tre shows the Chứt village; elsewhere the first.
        let of_commune = || villages.iter().filter(|v| v.commune_code == commune);
        let village = of_commune()
            .find(|v| v.kind == "Bản")
            .or_else(|| of_commune().next())
            .map(|v| codes[&v.code].clone())
            .expect("every commune has villages");
        // Users work today: a unit of the demo's history closed since is replaced by the
        // unit that succeeded it.
        let district_today = self.demo_scope_today(DEMO_DISTRICT).await?;
        let commune_today = self.demo_scope_today(&commune).await?;
        let mut users = Vec::new();
        for role in Role::ALL {
            let unit_code = match role {
                Role::Admin | Role::ProvinceViewer => DEMO_PROVINCE.to_string(),
                Role::Office | Role::AgencyOfficer | Role::Oversight => district_today.clone(),
                Role::CommuneOfficer => commune_today.clone(),
                Role::VillageHead => village.clone(),
            };
            let password = demo_password(seed, role);
            let user = self
                .add_user_as_system(NewUserInput {
                    username: format!("demo.{}", role.as_str()),
                    password: password.clone(),
                    role,
                    unit_code,
                })
                .await?;
            if role == Role::AgencyOfficer {
                // The agency officer works for the province's social insurance agency,
                // so that the demo shows an agency importing its card list; a database
                // without that agency (another province's demo) leaves it without one.
                let agency = format!("{}-bhxh", user.unit_code);
                match self.store().set_user_agency(user.id, Some(&agency)).await {
                    Ok(()) | Err(giamngheo_store::StoreError::NotFound(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            users.push(DemoUser {
                user_id: user.id,
                username: user.username,
                password,
                role,
                unit_code: user.unit_code,
                unit_name: user.unit_name,
            });
        }
        Ok(users)
    }

    /// The unit valid today for a code of the demo's history: itself while valid, else
    /// the one unit it went into, else its province (a district split between communes).
    async fn demo_scope_today(&self, code: &str) -> Result<String, AppError> {
        match self.resolve_unit(code, None).await {
            Ok(u) => Ok(u.code),
            Err(AppError::Gone(_)) => {
                let closed = self.unit(code).await?;
                let successors = self.successors(&closed).await?;
                Ok(match successors.as_slice() {
                    [(only, _)] => only.code.clone(),
                    _ => closed.province_code,
                })
            }
            Err(e) => Err(e),
        }
    }
}
