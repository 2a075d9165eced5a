//! Computing a report for a unit, a period and a date, and the households behind a
//! figure.

use super::*;

impl App {
    /// The tier below a unit that a report's rows show: the tier of its units on the
    /// day (each list has its own hierarchy: a province had districts until 30/06/2025
    /// and has communes since), or the configured hierarchy's next tier when it has none.
    fn row_tier(&self, unit: &UnitRecord, children: &[UnitRecord]) -> Tier {
        let tier = tier_of(unit);
        if let Some(t) = children.first().and_then(|c| c.tier.parse::<Tier>().ok()) {
            return t;
        }
        let tiers = self.hierarchy().tiers();
        tiers
            .iter()
            .position(|t| *t == tier)
            .and_then(|i| tiers.get(i + 1))
            .copied()
            .unwrap_or(tier)
    }

    /// The day a report's unit is taken on: the figures' date (today unless asked), but
    /// no later than the end of the period's year. So `unit=444` for 2021 is the old
    /// district, its communes those of 2021, and for this year a clear error saying what
    /// replaced it.
    pub(crate) fn report_unit_day(&self, period: i32, as_of: Option<NaiveDate>) -> NaiveDate {
        let day = as_of.unwrap_or_else(|| self.clock().today());
        NaiveDate::from_ymd_opt(period, 12, 31)
            .map(|end| end.min(day))
            .unwrap_or(day)
    }

    /// The report scope of a unit on a day: its households, grouped by the units below
    /// it valid that day.
    pub(crate) async fn report_scope(
        &self,
        unit: &UnitRecord,
        day: NaiveDate,
    ) -> Result<(ReportScope, Vec<UnitRecord>), AppError> {
        let tier = tier_of(unit);
        // Within the unit's own validity, so that its version's units are the rows.
        let day = day
            .max(unit.valid_from)
            .min(unit.valid_to.unwrap_or(NaiveDate::MAX));
        let children = self.store().children_on(Some(&unit.code), day).await?;
        let row_tier = self.row_tier(unit, &children);
        let rows = if row_tier == tier {
            vec![unit.clone()]
        } else {
            children
        };
        Ok((
            ReportScope {
                scope_column: column_of(tier),
                scope_code: unit.code.clone(),
                group_column: column_of(row_tier),
                rebase: None,
            },
            rows,
        ))
    }

    /// Computes a report for a unit the user may read aggregates of.
    pub async fn report(&self, actor: &Actor, req: &ReportRequest) -> Result<Report, AppError> {
        self.authorize(actor, Action::ReadAggregates, &req.unit)
            .await?;
        self.report_as_system(req).await
    }

    /// The period a report of a unit opens on when none is asked for: the latest with
    /// classifications in the unit that have taken effect, or the current year when
    /// there are none (a new year is empty until its review is decided).
    pub async fn default_report_period(&self, actor: &Actor, unit: &str) -> Result<i32, AppError> {
        self.authorize(actor, Action::ReadAggregates, unit).await?;
        let today = self.clock().today();
        let unit = self.unit(unit).await?;
        Ok(self
            .opening_period(&unit, today)
            .await?
            .unwrap_or(today.year()))
    }

    /// The period a unit's pages open on: the latest for which every commune of the unit
    /// with decisions has them, so that one commune's early decision for next year does
    /// not show its district a year the others have not reached (one commune's 2027 list
    /// made a district read 0,11 % poverty). When no period is complete, the latest any
    /// commune has, and the page names the communes without data.
    pub(crate) async fn opening_period(
        &self,
        unit: &UnitRecord,
        as_of: NaiveDate,
    ) -> Result<Option<i32>, AppError> {
        let column = column_of(tier_of(unit));
        if let Some(p) = self
            .store()
            .latest_complete_period(column, &unit.code, as_of)
            .await?
        {
            return Ok(Some(p));
        }
        Ok(self
            .store()
            .latest_period(column, &unit.code, as_of)
            .await?)
    }

    /// The communes under `unit` that have the lists of one of `period − 1` and `period`
    /// but not the other, each with the year it lacks (the earlier when both are asked
    /// of it by nothing: a commune with neither has no figures to compare).
    async fn period_gaps(
        &self,
        unit: &UnitRecord,
        period: i32,
        as_of: NaiveDate,
        day: NaiveDate,
        basis: Basis,
    ) -> Result<Vec<(UnitRecord, i32)>, AppError> {
        let scope = &self.commune_scope(unit, day, basis).await?;
        let with = |p: i32| async move {
            Ok::<HashSet<String>, AppError>(
                self.store()
                    .communes_with_period_in(scope, p, as_of)
                    .await?
                    .into_iter()
                    .collect(),
            )
        };
        let (before, now) = (with(period - 1).await?, with(period).await?);
        Ok(self
            .communes_on(unit, day, basis)
            .await?
            .into_iter()
            .filter_map(
                |c| match (before.contains(&c.code), now.contains(&c.code)) {
                    (true, false) => Some((c, period)),
                    (false, true) => Some((c, period - 1)),
                    _ => None,
                },
            )
            .collect())
    }

    /// The communes under `unit` whose movement table cannot compare `period` with the
    /// list in force at its start, each with the year it lacks: `period` itself when the
    /// commune has not decided it, the year before when it has no earlier list at all.
    /// Second, the communes that skipped the year before but have an earlier list, each
    /// with the year of that list, which their table starts from (migration 0056).
    async fn movement_gaps(
        &self,
        unit: &UnitRecord,
        period: i32,
        as_of: NaiveDate,
        day: NaiveDate,
        basis: Basis,
    ) -> Result<(Vec<(UnitRecord, i32)>, Vec<(UnitRecord, i32)>), AppError> {
        let gaps = self.period_gaps(unit, period, as_of, day, basis).await?;
        let (missing_start, mut gaps): (Vec<_>, Vec<_>) =
            gaps.into_iter().partition(|(_, year)| *year == period - 1);
        if missing_start.is_empty() {
            return Ok((gaps, Vec::new()));
        }
        let scope = &self.commune_scope(unit, day, basis).await?;
        let mut waiting = missing_start;
        let mut restarted = Vec::new();
        // Back year by year to the unit's earliest lists, while a commune is still
        // without an earlier list.
        let earliest = self
            .store()
            .earliest_period(column_of(tier_of(unit)), &unit.code, as_of)
            .await?
            .unwrap_or(period);
        let mut year = period - 2;
        while !waiting.is_empty() && year >= earliest {
            let with: HashSet<String> = self
                .store()
                .communes_with_period_in(scope, year, as_of)
                .await?
                .into_iter()
                .collect();
            let (found, rest): (Vec<_>, Vec<_>) = waiting
                .into_iter()
                .partition(|(c, _)| with.contains(&c.code));
            restarted.extend(found.into_iter().map(|(c, _)| (c, year)));
            waiting = rest;
            year -= 1;
        }
        gaps.extend(waiting);
        Ok((gaps, restarted))
    }

    /// The communes of `communes` (those under `unit`) without a decision for `period`
    /// that has taken effect today.
    pub async fn communes_without_data(
        &self,
        unit: &UnitRecord,
        communes: &[UnitRecord],
        period: i32,
    ) -> Result<Vec<UnitRecord>, AppError> {
        let with: HashSet<String> = self
            .store()
            .communes_with_period(
                column_of(tier_of(unit)),
                &unit.code,
                period,
                self.clock().today(),
            )
            .await?
            .into_iter()
            .collect();
        Ok(communes
            .iter()
            .filter(|c| !with.contains(&c.code))
            .cloned()
            .collect())
    }

    /// Computes a report without an access check (the command line runs as the system).
    pub async fn report_as_system(&self, req: &ReportRequest) -> Result<Report, AppError> {
        let catalog = self.catalog();
        let def = catalog
            .get(&req.name)
            .ok_or_else(|| AppError::NotFound(format!("báo cáo «{}»", req.name)))?;
        if !(1990..=2100).contains(&req.period) {
            return Err(AppError::invalid("period", "năm không hợp lệ"));
        }
        let as_of = req.as_of.unwrap_or_else(|| self.clock().today());
        let based = self
            .based_unit(&req.unit, req.period, req.as_of, req.basis)
            .await?;
        let BasedScope {
            figures: scope,
            registry,
            rows: row_units,
        } = self.based_scope(&based).await?;
        let (unit, day, basis) = (based.unit, based.day, based.basis);
        let (standard, indicators) = catalog.indicators_for(req.period);

        // Which groups of facts the columns need.
        let keys: Vec<String> = def
            .columns
            .iter()
            .flat_map(|c| {
                c.value
                    .iter()
                    .cloned()
                    .chain(c.formula.iter().flat_map(|f| {
                        Expr::parse(f)
                            .map(|e| e.names().into_iter().map(String::from).collect())
                            .unwrap_or_else(|_| Vec::<String>::new())
                    }))
                    .collect::<Vec<_>>()
            })
            .collect();
        let needs_movement = keys.iter().any(|k| k.starts_with("move."));
        let needs_status = keys.iter().any(|k| {
            ["poor.", "near_poor.", "medium.", "not_poor."]
                .iter()
                .any(|p| k.starts_with(p))
        });
        let needs_registry = keys
            .iter()
            .any(|k| matches!(k.as_str(), "households" | "people" | "ethnic_minority"));
        // The coverage of support policies (`coverage.<policy>.<measure>`), counted by
        // the coverage code itself; its notes say on which day.
        let policy_list = crate::policies::report::report_policies(self.policies());
        let mut coverage_notes = Vec::new();

        let mut facts = Facts::default();
        if keys.iter().any(|k| k.starts_with("coverage.")) {
            let codes = crate::policies::report::coverage_codes(def, &policy_list);
            let found = self
                .coverage_facts(&unit.code, req.period, req.as_of, basis, &codes)
                .await?;
            for (u, key, value) in found.facts {
                facts.add(&u, &key, value);
            }
            coverage_notes = found.notes;
        }
        // The programme's money (`money.…`), from the ledger.
        if keys.iter().any(|k| k.starts_with("money.")) {
            for (row, key, amount) in self.money_facts(&unit, req.period, &row_units).await? {
                facts.add(&row, &key, amount);
            }
        }
        // The programme's activities, beneficiaries and events, from the activities.
        if keys.iter().any(|k| {
            ["activity.", "beneficiaries.", "events."]
                .iter()
                .any(|p| k.starts_with(p))
        }) {
            for (row, key, n) in self.activity_facts(&unit, req.period, &row_units).await? {
                facts.add(&row, &key, n);
            }
        }
        if needs_registry {
            for f in self.store().registry_facts(&registry).await? {
                facts.add(&f.unit, &f.key, f.value);
            }
        }
        if needs_status {
            // Only the deprivations and causes the definition shows: each is a column of
            // the query. The definitions' raw text is searched, so that columns expanded
            // over codes count too.
            let mentions = |word: &str| {
                def.columns
                    .iter()
                    .any(|c| c.value.iter().chain(&c.formula).any(|t| t.contains(word)))
            };
            let codes: Vec<&str> = if mentions(".deprived.") {
                indicators.iter().map(|i| i.code.as_str()).collect()
            } else {
                Vec::new()
            };
            let causes: Vec<&str> = if mentions(".cause.") {
                catalog
                    .lists
                    .causes
                    .iter()
                    .map(|c| c.code.as_str())
                    .collect()
            } else {
                Vec::new()
            };
            for f in self
                .store()
                .status_facts(&scope, req.period, as_of, &codes, &causes)
                .await?
            {
                facts.add(&f.unit, &f.key, f.value);
            }
        }
        if needs_movement {
            let groups = self
                .store()
                .movement_groups(&scope, req.period, as_of)
                .await?;
            for list in ["poor", "near_poor"] {
                for g in &groups {
                    let mut units: Vec<&str> = Vec::new();
                    units.extend(g.prev_unit.as_deref());
                    units.extend(g.cur_unit.as_deref());
                    units.dedup();
                    for u in units {
                        for n in movement_cells(list, u, g) {
                            facts.add(u, &format!("move.{list}.{n}"), g.households);
                        }
                    }
                }
            }
        }

        // Ethnicities present, most households first, for the columns that expand over them.
        let mut ethnic_counts: HashMap<String, i64> = HashMap::new();
        for m in facts.by_unit.values() {
            for (k, v) in m {
                if let Some((_, code)) = k.split_once(".ethnicity.") {
                    *ethnic_counts.entry(code.to_string()).or_default() += v;
                }
            }
        }
        let mut ethnicities: Vec<(String, i64)> = ethnic_counts.into_iter().collect();
        ethnicities.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let ethnicity_list: Vec<CodeName> = ethnicities
            .into_iter()
            .map(|(code, _)| {
                let choice = ETHNICITIES.get(&code);
                CodeName {
                    name: choice
                        .map(|c| c.label_vi.to_string())
                        .unwrap_or(code.clone()),
                    name_en: choice
                        .map(|c| c.label_en.to_string())
                        .unwrap_or(code.clone()),
                    code,
                }
            })
            .collect();

        // The programme's funding sources open in the period, for the columns of the
        // money reports that expand over them.
        let funding_sources: Vec<CodeName> = self
            .programme()
            .funding_sources()
            .iter()
            .filter(|s| s.open_in(req.period))
            .map(|s| CodeName {
                code: s.code.clone(),
                name: s.name_vi.clone(),
                name_en: s.name_en.clone(),
            })
            .collect();

        // The projects of the period's programme structure, for the columns of the money
        // reports that expand over them.
        let projects: Vec<CodeName> = self
            .programme()
            .structure_for(req.period)
            .map(|s| {
                s.projects
                    .iter()
                    .map(|p| CodeName {
                        code: p.code.clone(),
                        name: p.name_vi.clone(),
                        name_en: p.name_en.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();

        // The activity types of the period's programme structure, for the columns of the
        // activity report that expand over them.
        let activity_types: Vec<CodeName> = self
            .programme()
            .structure_for(req.period)
            .map(crate::programme::activity_report::activity_type_list)
            .unwrap_or_default()
            .into_iter()
            .map(|(code, name, name_en)| CodeName {
                code,
                name,
                name_en,
            })
            .collect();

        // Columns, expanded.
        struct Col {
            out: ReportColumn,
            value: Option<String>,
            formula: Option<Expr>,
        }
        let mut cols: Vec<Col> = Vec::new();
        for (i, c) in def.columns.iter().enumerate() {
            let items: Vec<Option<&CodeName>> = match c.expand.as_deref() {
                Some("indicators") => indicators.iter().map(Some).collect(),
                Some("causes") => catalog.lists.causes.iter().map(Some).collect(),
                Some("ethnicities") => ethnicity_list.iter().map(Some).collect(),
                Some("policies") => policy_list.iter().map(Some).collect(),
                Some("funding_sources") => funding_sources.iter().map(Some).collect(),
                Some("projects") => projects.iter().map(Some).collect(),
                Some("activity_types") => activity_types.iter().map(Some).collect(),
                _ => vec![None],
            };
            for item in items {
                let fill = |s: &str, en: bool| match item {
                    Some(it) => s
                        .replace("{code}", &it.code)
                        .replace("{name}", if en { &it.name_en } else { &it.name }),
                    None => s.to_string(),
                };
                let value = c.value.as_deref().map(|v| fill(v, false));
                let formula = c
                    .formula
                    .as_deref()
                    .map(|f| Expr::parse(&fill(f, false)))
                    .transpose()
                    .map_err(|m| AppError::invalid("formula", m))?;
                let drill = c
                    .drill
                    .as_deref()
                    .map(|d| fill(d, false))
                    .or_else(|| value.clone())
                    .or_else(|| {
                        formula
                            .as_ref()
                            .and_then(|f| f.names().first().map(|s| s.to_string()))
                    });
                let id = match (&c.id, item) {
                    (Some(id), Some(it)) => format!("{id}.{}", it.code),
                    (Some(id), None) => id.clone(),
                    (None, Some(it)) => format!("col{}.{}", i + 1, it.code),
                    (None, None) => format!("col{}", i + 1),
                };
                cols.push(Col {
                    out: ReportColumn {
                        id,
                        heading: c.heading.iter().map(|h| fill(h, false)).collect(),
                        heading_en: c.heading_en.iter().map(|h| fill(h, true)).collect(),
                        format: c.format,
                        drill,
                    },
                    value,
                    formula,
                });
            }
        }

        // Rows: each unit below, then the total.
        let mut totals: HashMap<String, i64> = HashMap::new();
        for m in facts.by_unit.values() {
            for (k, v) in m {
                *totals.entry(k.clone()).or_default() += v;
            }
        }
        let mut row_specs: Vec<(Option<String>, String, HashMap<String, i64>)> = row_units
            .iter()
            .map(|u| {
                (
                    Some(u.code.clone()),
                    u.name.clone(),
                    facts.by_unit.get(&u.code).cloned().unwrap_or_default(),
                )
            })
            .collect();
        // Figures of units no longer valid (merged since) still count, on their own row.
        let known: HashSet<&str> = row_units.iter().map(|u| u.code.as_str()).collect();
        let mut others: Vec<&String> = facts
            .by_unit
            .keys()
            .filter(|k| !known.contains(k.as_str()))
            .collect();
        others.sort();
        for code in others {
            let name = match self.store().unit_on(code, day).await? {
                Some(u) => u.name,
                None => match self.store().unit(code).await? {
                    Some(u) => u.name,
                    None => code.clone(),
                },
            };
            row_specs.push((Some(code.clone()), name, facts.by_unit[code].clone()));
        }
        row_specs.push((None, "Tổng cộng".into(), totals));

        let mut rows = Vec::with_capacity(row_specs.len());
        let mut failures = Vec::new();
        for (code, label, f) in row_specs {
            let mut values: Vec<Option<f64>> = Vec::with_capacity(cols.len());
            let mut by_id: HashMap<String, f64> = HashMap::new();
            for c in &cols {
                let v = if let Some(key) = &c.value {
                    Some(f.get(key).copied().unwrap_or(0) as f64)
                } else if let Some(expr) = &c.formula {
                    let lookup = |name: &str| -> Option<f64> {
                        by_id
                            .get(name)
                            .copied()
                            .or_else(|| Some(f.get(name).copied().unwrap_or(0) as f64))
                    };
                    expr.eval(&lookup)
                } else {
                    None
                };
                let v = match (v, c.out.format) {
                    (Some(x), ValueFormat::Rate) => Some((x * 100.0).round() / 100.0),
                    (v, _) => v,
                };
                if let Some(x) = v {
                    by_id.insert(c.out.id.clone(), x);
                }
                values.push(v);
            }
            if let Some(check) = &def.check {
                let lookup = |name: &str| by_id.get(name).copied();
                let left = Expr::parse(&check.left)
                    .ok()
                    .and_then(|e| e.eval(&lookup))
                    .unwrap_or(0.0);
                let right = Expr::parse(&check.right)
                    .ok()
                    .and_then(|e| e.eval(&lookup))
                    .unwrap_or(0.0);
                if (left - right).abs() > 1e-9 {
                    failures.push(CheckFailure {
                        unit_code: code.clone(),
                        unit_name: label.clone(),
                        left: check.left.clone(),
                        right: check.right.clone(),
                        left_value: left.round() as i64,
                        right_value: right.round() as i64,
                        figures: by_id
                            .iter()
                            .map(|(k, v)| (k.clone(), v.round() as i64))
                            .collect(),
                    });
                }
            }
            rows.push(ReportRow {
                unit_code: code,
                label,
                values,
            });
        }
        // A commune without the lists of one of the two periods (it skipped a year, or has
        // not decided this one) cannot be compared: its table would fail the check in every
        // village. It is named in a note and left out of the check instead; the rows of the
        // communes that have both periods are still checked.
        let mut gap_notes = Vec::new();
        if needs_movement {
            let (gaps, restarted) = self
                .movement_gaps(&unit, req.period, as_of, day, basis)
                .await?;
            // A commune that skipped the year before starts from its latest earlier list,
            // the one its review compared against: the table is whole and checked, and
            // the note says which year its start column is.
            let mut by_start: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
            for (commune, year) in &restarted {
                by_start
                    .entry(*year)
                    .or_default()
                    .push(commune.name.as_str());
            }
            for (year, names) in by_start {
                gap_notes.push(format!(
                    "Không có kết quả năm {}: {}; đầu kỳ là kết quả năm {year}, danh sách còn hiệu lực khi bắt đầu năm {}.",
                    req.period - 1,
                    names.join(", "),
                    req.period
                ));
            }
            if !gaps.is_empty() {
                let complete: HashSet<String> = self
                    .communes_on(&unit, day, basis)
                    .await?
                    .into_iter()
                    .map(|c| c.code)
                    .filter(|c| !gaps.iter().any(|(g, _)| &g.code == c))
                    .collect();
                failures.retain(|f| f.unit_code.as_ref().is_some_and(|c| complete.contains(c)));
                let mut by_year: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
                for (commune, year) in &gaps {
                    by_year
                        .entry(*year)
                        .or_default()
                        .push(commune.name.as_str());
                }
                for (year, names) in by_year {
                    gap_notes.push(format!(
                        "Chưa có kết quả năm {year}: {}; bảng không so sánh được và không kiểm tra cho {}.",
                        names.join(", "),
                        if names.len() == 1 { "xã này" } else { "các xã này" }
                    ));
                }
            }
        } else if needs_status {
            // A commune that has last year's lists but not this year's has not decided
            // yet: its zeros would read as "no poor household", so the report names it.
            let undecided: Vec<String> = self
                .period_gaps(&unit, req.period, as_of, day, basis)
                .await?
                .into_iter()
                .filter(|(_, year)| *year == req.period)
                .map(|(commune, _)| commune.name)
                .collect();
            if !undecided.is_empty() {
                gap_notes.push(format!(
                    "Chưa có kết quả năm {}: {}.",
                    req.period,
                    undecided.join(", ")
                ));
            }
        }
        let check = def.check.as_ref().map(|c| CheckResult {
            rule: format!("{} = {}", c.left, c.right),
            passed: failures.is_empty(),
            failures,
        });

        // A movement table compares two periods that may fall under two standards (the
        // 2026 lists under vn-2022, the 2027 lists under vn-2027): the notes name the
        // standard of each end, since a household poor in both stays "still poor" in
        // columns 1 and 9 though the standard changed.
        let (previous_standard, _) = catalog.indicators_for(req.period - 1);
        let fill = |s: &str| {
            s.replace("{period}", &req.period.to_string())
                .replace("{previous}", &(req.period - 1).to_string())
                .replace("{previous_standard}", previous_standard)
                .replace("{standard}", standard)
        };
        // The chain of the unit's own version, so that a report as it was keeps the
        // header it had, whatever a later reform made of the unit's code.
        let own_day = day
            .max(unit.valid_from)
            .min(unit.valid_to.unwrap_or(NaiveDate::MAX));
        let chain = self.store().ancestry_on(&unit.code, own_day).await?;
        let agency = {
            let mut lines = Vec::new();
            if let Some(parent) = chain.iter().rev().nth(1) {
                lines.push(format!("UBND {}", parent.name.to_uppercase()));
            }
            lines.push(format!("UBND {}", unit.name.to_uppercase()));
            lines
        };
        Ok(Report {
            name: def.name.clone(),
            form: def.form.clone(),
            title: fill(&def.title),
            title_en: fill(&def.title_en),
            description: def.description.clone(),
            unit_code: unit.code.clone(),
            unit_name: unit.name.clone(),
            period: req.period,
            as_of,
            basis,
            standard: standard.to_string(),
            numbered: def.numbered,
            notes: std::iter::once(basis.note(day))
                .chain(def.notes.iter().map(|n| fill(n)))
                .chain(gap_notes)
                .chain(coverage_notes)
                .collect(),
            columns: cols.into_iter().map(|c| c.out).collect(),
            rows,
            check,
            agency,
            place: bare_name(&unit),
        })
    }

    /// A report for a unit and, after it, the same report for each unit below it (each
    /// commune of a district), for a workbook with one sheet per unit.
    pub async fn report_per_unit(
        &self,
        actor: &Actor,
        req: &ReportRequest,
    ) -> Result<Vec<Report>, AppError> {
        self.authorize(actor, Action::ReadAggregates, &req.unit)
            .await?;
        self.report_per_unit_as_system(req).await
    }

    pub async fn report_per_unit_as_system(
        &self,
        req: &ReportRequest,
    ) -> Result<Vec<Report>, AppError> {
        let total = self.report_as_system(req).await?;
        let based = self
            .based_unit(&req.unit, req.period, req.as_of, Some(total.basis))
            .await?;
        let row_units = self.based_scope(&based).await?.rows;
        // All sheets take the same date and basis, even when the clock turns midnight
        // between them.
        let as_of = Some(total.as_of);
        let basis = Some(total.basis);
        let mut out = vec![total];
        for child in row_units.iter().filter(|u| u.code != based.unit.code) {
            let sub = ReportRequest {
                unit: child.code.clone(),
                as_of,
                basis,
                ..req.clone()
            };
            out.push(self.report_as_system(&sub).await?);
        }
        Ok(out)
    }

    /// The households behind a figure: fact `key` of `unit` (a row of a report) for a
    /// period as of a date. Needs the right to read personal data there; a province
    /// viewer is refused.
    pub async fn report_households(
        &self,
        actor: &Actor,
        unit: &str,
        key: &str,
        period: i32,
        as_of: Option<NaiveDate>,
        basis: Option<Basis>,
    ) -> Result<Vec<HouseholdStatusRow>, AppError> {
        self.authorize(actor, Action::ReadPersonal, unit).await?;
        self.report_households_as_system(unit, key, period, as_of, basis)
            .await
    }

    pub async fn report_households_as_system(
        &self,
        unit: &str,
        key: &str,
        period: i32,
        as_of: Option<NaiveDate>,
        basis: Option<Basis>,
    ) -> Result<Vec<HouseholdStatusRow>, AppError> {
        let based = self.based_unit(unit, period, as_of, basis).await?;
        let as_of = as_of.unwrap_or_else(|| self.clock().today());
        let (unit, day) = (&based.unit, based.day);
        let column = column_of(tier_of(unit));
        let mut scope = ReportScope::as_stored(column, &unit.code, column);
        if based.basis == Basis::Current {
            scope = self.rebased(&scope, unit, day).await?;
        }
        let rows = self
            .store()
            .household_statuses(&scope, period, as_of)
            .await?;
        // The registry places a household by its village; the village's chain on the
        // report's day says whether it lies in the unit.
        let mut inside: HashMap<String, bool> = HashMap::new();
        let mut out = Vec::new();
        for row in rows {
            let registered = match inside.get(&row.village_code) {
                Some(b) => *b,
                None => {
                    let mut chain = self.store().ancestry_on(&row.village_code, day).await?;
                    if chain.is_empty() {
                        // A village made after the day: its first knowledge stands for it.
                        chain = self.store().ancestry(&row.village_code).await?;
                    }
                    let b = chain.iter().any(|u| u.code == unit.code);
                    inside.insert(row.village_code.clone(), b);
                    b
                }
            };
            if household_counts_in(key, &unit.code, &row, registered) {
                out.push(row);
            }
        }
        Ok(out)
    }
}
