//! Every report on the demo district (Huyện Hương Khê, code 444, with the 2021–2025
//! classification history the rules engine gives it), on SQLite and PostgreSQL: each
//! figure equal to a count made here from the demo plan, the reports agreeing with each
//! other, and each report equal to its snapshot (`snapshots/demo_reports__*.snap`, the
//! report's JSON as in `tests/reports.rs`; both backends must give the same file). The
//! snapshots guard changes to how the store computes the figures.
//!
//! Size: the demo as `giamngheo demo` makes it has 30,000 households. Loading those in
//! the debug test profile took 67 s on SQLite and 85 s on PostgreSQL (2 cores), too long
//! for a test that every CI run pays for on both backends. This test loads
//! [`HOUSEHOLDS`] = 3,000 households from the same generator, seed (the command's default)
//! and district instead: the same code path with a tenth of the rows. The generator gives
//! a commune more villages the more households it has, so the villages are fewer than in
//! the full demo (175 here).

use chrono::{Datelike, NaiveDate};
use giamngheo_app::demo::{DemoPlan, DemoStatus, classify_plan, plan, shipped_communes};
use giamngheo_app::reports::{Report, ReportRequest, ValueFormat, catalog};
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::Area;
use giamngheo_domain::text::fold;
use giamngheo_rules::{Status, TransitionKind};
use giamngheo_store::Store;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The seed `giamngheo demo` uses by default.
const SEED: u64 = 2021;
/// A tenth of the full demo; see the top of the file.
const HOUSEHOLDS: usize = 3_000;
const DISTRICT: &str = "444";
const PERIODS: [i32; 5] = [2021, 2022, 2023, 2024, 2025];

/// The day the demo is loaded on and the reports are taken as of: the 2025 lists (the
/// review at the end of 2024) are in force, so the history runs from 2021 to 2025.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
}

/// The periods each report of the catalogue is shown for: the review results for every
/// period; the movement tables for every period that has one before it; the deprivation
/// tables under each standard (`vn-2016` in 2021, `vn-2022` since); the rest for the
/// latest lists.
fn periods_of(report: &str) -> &'static [i32] {
    match report {
        "ket-qua-ra-soat" => &PERIODS,
        "dien-bien-ho-ngheo" | "dien-bien-ho-can-ngheo" => &PERIODS[1..],
        "thieu-hut-ho-ngheo" | "thieu-hut-ho-can-ngheo" => &[2021, 2025],
        "dac-diem-ho" | "dan-toc" | "tre-em" => &[2025],
        // The demo's programme money is of the current year; tests/programme.rs checks
        // this report against the progress page.
        "tien-do-von" => &[],
        // The demo's activities and their households are of the current year, outside
        // these periods; tests/programme_activities.rs checks this report on a
        // hand-computed fixture.
        "hoat-dong-chuong-trinh" => &[],
        other => panic!("{other} is a new report: say here which demo periods it is for"),
    }
}

/// Figures by row unit (`None` for the total row) and fact (`poor.households`,
/// `move.near_poor.4`, …), counted from the plan. Facts that count nothing are absent.
type Expected = HashMap<Option<String>, HashMap<String, i64>>;

/// The demo as loaded, and the plan and history it was loaded from.
struct Demo {
    app: App,
    plan: DemoPlan,
    /// The statuses of each period, following `plan.households`.
    history: Vec<Vec<DemoStatus>>,
    /// The commune and the database code of the village of each household of the plan.
    homes: Vec<(String, String)>,
    /// The units of the demo's commune officer (Xã Hương Liên) and village head (Bản Rào
    /// Tre, the Chứt village).
    commune: String,
    village: String,
}

impl Demo {
    async fn load(store: Store) -> Demo {
        let now = today().and_hms_opt(2, 0, 0).unwrap().and_utc();
        let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
        let started = std::time::Instant::now();
        let summary = app.load_demo(SEED, HOUSEHOLDS).await.unwrap();
        eprintln!(
            "demo of {HOUSEHOLDS} households loaded into {:?} in {:.1} s",
            app.store().backend(),
            started.elapsed().as_secs_f64()
        );
        assert_eq!(summary.periods, PERIODS);
        let unit_of = |username: &str, name: &str| {
            let user = summary.users.iter().find(|u| u.username == username);
            let user = user.unwrap_or_else(|| panic!("{username}"));
            assert_eq!(user.unit_name, name);
            user.unit_code.clone()
        };
        let commune = unit_of("demo.commune_officer", "Xã Hương Liên");
        let village = unit_of("demo.village_head", "Bản Rào Tre");

        // The same plan again, as the loader made it, and its classification by the rules
        // engine: what the figures are counted from.
        let plan = plan(SEED, HOUSEHOLDS, &shipped_communes(DISTRICT), today());
        let history = classify_plan(&plan, &Config::default().standards, today()).unwrap();
        assert_eq!(summary.households, plan.households.len());
        assert_eq!(summary.members, plan.member_count());
        assert_eq!(summary.villages_created, plan.villages.len());
        let mut villages = HashMap::new();
        for v in &plan.villages {
            let code = app
                .store()
                .village_named(&v.commune_code, &fold(&v.name))
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{} not in the database", v.name));
            villages.insert(v.code.as_str(), (v.commune_code.clone(), code));
        }
        let homes = plan
            .households
            .iter()
            .map(|h| villages[h.village_code.as_str()].clone())
            .collect();
        Demo {
            app,
            plan,
            history,
            homes,
            commune,
            village,
        }
    }

    async fn report(&self, name: &str, unit: &str, period: i32) -> Report {
        self.app
            .report_as_system(&ReportRequest {
                name: name.into(),
                unit: unit.into(),
                period,
                as_of: Some(today()),
                basis: None,
            })
            .await
            .unwrap_or_else(|e| panic!("{name} of {unit} for {period}: {e}"))
    }

    /// Every fact of `period`, for the households `row_of` places in a row unit.
    fn expected(
        &self,
        period: i32,
        row_of: impl Fn(&(String, String)) -> Option<String>,
    ) -> Expected {
        let k = PERIODS.iter().position(|p| *p == period).unwrap();
        let standards = Config::default().standards;
        let standard = standards.get(&self.plan.periods[k].standard).unwrap();
        let mut out = Expected::new();
        for (i, h) in self.plan.households.iter().enumerate() {
            let Some(unit) = row_of(&self.homes[i]) else {
                continue;
            };
            let s = &self.history[k][i];
            let status = s.status.as_str();
            let born = |m: &giamngheo_domain::household::MemberDraft| {
                m.birth_year
                    .or(m.birth_date.map(|d| d.year()))
                    .expect("a birth year")
            };
            let head = h.head().expect("a head");
            // Working age is 15–60 in the report year; a household has no labour when
            // none of its members of that age can work.
            let no_labour = !h.members.iter().any(|m| {
                (period - 60..=period - 15).contains(&born(m))
                    && m.work_status.as_deref() != Some("unable")
            });
            let children = h.members.iter().filter(|m| born(m) > period - 16).count();
            let mut facts: Vec<(String, i64)> = vec![
                ("households".into(), 1),
                ("people".into(), h.members.len() as i64),
                ("ethnic_minority".into(), h.is_ethnic_minority().into()),
                (format!("{status}.households"), 1),
                (format!("{status}.people"), h.members.len() as i64),
                (
                    format!("{status}.ethnic_minority"),
                    h.is_ethnic_minority().into(),
                ),
                (format!("{status}.merit"), h.merit.into()),
                (
                    format!("{status}.female_headed"),
                    h.is_female_headed().into(),
                ),
                (
                    format!("{status}.urban"),
                    (self.plan.areas[i] == Area::Urban).into(),
                ),
                (format!("{status}.no_labour"), no_labour.into()),
                (format!("{status}.children"), children as i64),
                (format!("{status}.ethnicity.{}", head.ethnicity), 1),
            ];
            for d in s.input.deprived.indexes() {
                let code = &standard.indicators()[d].code;
                facts.push((format!("{status}.deprived.{code}"), 1));
            }
            // The demo records no causes of poverty, and no household moves, dies or
            // splits: columns 3 and 8 of the movement tables stay empty.
            if k > 0 {
                let before = self.history[k - 1][i].status;
                for list in [Status::Poor, Status::NearPoor] {
                    for column in movement(list, before, s) {
                        facts.push((format!("move.{}.{column}", list.as_str()), 1));
                    }
                }
            }
            for (fact, n) in facts.into_iter().filter(|(_, n)| *n > 0) {
                for row in [Some(unit.clone()), None] {
                    *out.entry(row).or_default().entry(fact.clone()).or_default() += n;
                }
            }
        }
        out
    }
}

/// The columns of the movement table of `list` a household counts in, from its status
/// before and its classification now, as the form defines them: (1) on the list at the
/// start, (2) escaped, (4) moved to the other list, (5) newly added, (6) fell back,
/// (7) came from the other list, (9) on the list at the end.
fn movement(list: Status, before: Status, now: &DemoStatus) -> Vec<u8> {
    use TransitionKind::*;
    let mut columns = Vec::new();
    if before == list {
        columns.push(1);
    }
    let moved = match (list, now.transition) {
        (Status::Poor, Some(EscapedPoverty)) | (Status::NearPoor, Some(EscapedNearPoverty)) => {
            Some(2)
        }
        (Status::Poor, Some(PoorToNearPoor)) | (Status::NearPoor, Some(NearPoorToPoor)) => Some(4),
        // A near-poor household poor again soon after escaping poverty left the near-poor
        // list for the poor one.
        (Status::NearPoor, Some(FellBack)) if before == Status::NearPoor => Some(4),
        (Status::Poor, Some(NewlyPoor)) | (Status::NearPoor, Some(NewNearPoor)) => Some(5),
        (Status::Poor, Some(FellBack)) => Some(6),
        (Status::Poor, Some(NearPoorToPoor)) | (Status::NearPoor, Some(PoorToNearPoor)) => Some(7),
        _ => None,
    };
    columns.extend(moved);
    if now.status == list {
        columns.push(9);
    }
    columns
}

/// The figure of a row (`None`: the total) in the count column that shows `fact`.
fn figure(r: &Report, row: Option<&str>, fact: &str) -> i64 {
    let col = r
        .columns
        .iter()
        .position(|c| c.format == ValueFormat::Count && c.drill.as_deref() == Some(fact))
        .unwrap_or_else(|| panic!("{}: no column of {fact}", r.name));
    let row = r
        .rows
        .iter()
        .find(|x| x.unit_code.as_deref() == row)
        .unwrap_or_else(|| panic!("{}: no row {row:?}", r.name));
    row.values[col].expect("a count") as i64
}

/// Every count of `r` equals the count made from the plan, row by row; the rows are the
/// units `units` (in that order) and the total.
fn assert_counts(r: &Report, expected: &Expected, units: &[String]) {
    let codes: Vec<Option<&str>> = r.rows.iter().map(|x| x.unit_code.as_deref()).collect();
    let mut want: Vec<Option<&str>> = units.iter().map(|u| Some(u.as_str())).collect();
    want.push(None);
    assert_eq!(codes, want, "{} {}: rows", r.name, r.period);
    for row in &r.rows {
        let facts = expected.get(&row.unit_code);
        for (c, v) in r.columns.iter().zip(&row.values) {
            if c.format != ValueFormat::Count {
                continue;
            }
            let fact = c.drill.as_deref().expect("a count shows a fact");
            let want = facts.and_then(|f| f.get(fact)).copied().unwrap_or(0);
            assert_eq!(
                *v,
                Some(want as f64),
                "{} {} of {}, {}: {fact}",
                r.name,
                r.period,
                r.unit_code,
                row.label
            );
        }
    }
}

/// Column (9) = (1) − (2) − (3) − (4) + (5) + (6) + (7) + (8) on every row, and the
/// report says so.
fn assert_movement_adds_up(r: &Report) {
    for row in &r.rows {
        let c = |n: usize| {
            let i = r
                .columns
                .iter()
                .position(|c| c.id == format!("c{n}"))
                .unwrap();
            row.values[i].unwrap()
        };
        assert_eq!(
            c(9),
            c(1) - c(2) - c(3) - c(4) + c(5) + c(6) + c(7) + c(8),
            "{} {}: {}",
            r.name,
            r.period,
            row.label
        );
    }
    let check = r.check.as_ref().expect("a movement table has its check");
    assert!(check.passed && check.failures.is_empty(), "{check:?}");
    r.ensure_exportable().unwrap();
}

async fn every_report_on_the_demo_district_matches_its_snapshot(store: Store) {
    let demo = Demo::load(store).await;
    let communes: Vec<String> = shipped_communes(DISTRICT)
        .into_iter()
        .map(|(code, _, _)| code)
        .collect();
    let by_commune: Vec<Expected> = PERIODS
        .iter()
        .map(|p| demo.expected(*p, |(commune, _)| Some(commune.clone())))
        .collect();
    let expected = |period: i32| &by_commune[(period - PERIODS[0]) as usize];

    // The district: every report for each of its periods.
    let mut reports: BTreeMap<(&str, i32), Report> = BTreeMap::new();
    // The coverage report counts benefits, which the expected figures here (from the
    // classifications) do not know; its figures are checked in the policies tests.
    for name in catalog()
        .names()
        .into_iter()
        .filter(|n| *n != "bao-phu-chinh-sach")
    {
        for &period in periods_of(name) {
            let r = demo.report(name, DISTRICT, period).await;
            insta::assert_json_snapshot!(format!("{name}_{period}"), r);
            assert_counts(&r, expected(period), &communes);
            if r.name.starts_with("dien-bien") {
                assert_movement_adds_up(&r);
            }
            reports.insert((name, period), r);
        }
    }

    // The reports agree with each other, unit by unit.
    let rows: Vec<Option<&str>> = communes
        .iter()
        .map(|c| Some(c.as_str()))
        .chain([None])
        .collect();
    for &period in &PERIODS {
        let results = &reports[&("ket-qua-ra-soat", period)];
        for &row in &rows {
            let poor = figure(results, row, "poor.households");
            let near_poor = figure(results, row, "near_poor.households");
            assert!(poor + near_poor <= figure(results, row, "households"));
            if period > PERIODS[0] {
                let before = &reports[&("ket-qua-ra-soat", period - 1)];
                for (list, now, table) in [
                    ("poor", poor, "dien-bien-ho-ngheo"),
                    ("near_poor", near_poor, "dien-bien-ho-can-ngheo"),
                ] {
                    let t = &reports[&(table, period)];
                    // The end of the period is the review's result; its start, the year
                    // before's.
                    assert_eq!(figure(t, row, &format!("move.{list}.9")), now, "{row:?}");
                    assert_eq!(
                        figure(t, row, &format!("move.{list}.1")),
                        figure(before, row, &format!("{list}.households")),
                        "{table} {period} {row:?}"
                    );
                }
            }
            for (list, total, table) in [
                ("poor", poor, "thieu-hut-ho-ngheo"),
                ("near_poor", near_poor, "thieu-hut-ho-can-ngheo"),
            ] {
                let Some(t) = reports.get(&(table, period)) else {
                    continue;
                };
                assert_eq!(figure(t, row, &format!("{list}.households")), total);
                for c in t.columns.iter().filter(|c| c.format == ValueFormat::Count) {
                    let fact = c.drill.as_deref().unwrap();
                    assert!(figure(t, row, fact) <= total, "{table} {row:?} {fact}");
                }
            }
        }
    }
    // The history shows every movement the demo makes (no household moves, dies or
    // splits, so none leaves or arrives by columns 3 and 8), so that the snapshots cover
    // each column: the change of standard in 2022 moves households between the lists,
    // later years see escapes and a few falls back.
    for (table, list, columns) in [
        ("dien-bien-ho-ngheo", "poor", &[2, 4, 5, 6, 7][..]),
        ("dien-bien-ho-can-ngheo", "near_poor", &[2, 4, 5, 7][..]),
    ] {
        for n in columns {
            let moved: i64 = PERIODS[1..]
                .iter()
                .map(|p| figure(&reports[&(table, *p)], None, &format!("move.{list}.{n}")))
                .sum();
            assert!(moved > 0, "no household in column {n} of {table}");
        }
    }
    let latest = PERIODS[PERIODS.len() - 1];
    let results = &reports[&("ket-qua-ra-soat", latest)];
    let traits = &reports[&("dac-diem-ho", latest)];
    let ethnicities = &reports[&("dan-toc", latest)];
    let children = &reports[&("tre-em", latest)];
    for &row in &rows {
        for list in ["poor", "near_poor"] {
            let households = figure(results, row, &format!("{list}.households"));
            assert_eq!(
                figure(traits, row, &format!("{list}.households")),
                households
            );
            assert_eq!(
                figure(children, row, &format!("{list}.households")),
                households
            );
            assert_eq!(
                figure(children, row, &format!("{list}.people")),
                figure(results, row, &format!("{list}.people"))
            );
            // Every household has one head, of one ethnicity.
            let by_ethnicity: i64 = ethnicities
                .columns
                .iter()
                .filter_map(|c| c.drill.as_deref())
                .filter(|f| f.starts_with(&format!("{list}.ethnicity.")))
                .map(|f| figure(ethnicities, row, f))
                .sum();
            assert_eq!(by_ethnicity, households, "dan-toc {list} {row:?}");
        }
    }
    // Children under 16 in poor households, counted from the members of the plan.
    let k = PERIODS.len() - 1;
    let poor_children: usize = demo
        .plan
        .households
        .iter()
        .zip(&demo.history[k])
        .filter(|(_, s)| s.status == Status::Poor)
        .flat_map(|(h, _)| &h.members)
        .filter(|m| m.birth_year.unwrap() > latest - 16)
        .count();
    assert!(poor_children > 0);
    assert_eq!(
        figure(children, None, "poor.children"),
        poor_children as i64
    );

    // A commune (Hương Liên) and a village (Bản Rào Tre): their figures, and their totals
    // equal to their rows in the report of the unit above.
    let (commune, village) = (demo.commune.as_str(), demo.village.as_str());
    let villages: Vec<String> = demo
        .app
        .store()
        .children(Some(commune), false)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.code)
        .collect();
    let position = communes.iter().position(|c| c == commune).unwrap();
    for (name, period) in [("ket-qua-ra-soat", latest), ("dien-bien-ho-ngheo", latest)] {
        let r = demo.report(name, commune, period).await;
        insta::assert_json_snapshot!(format!("{name}_{period}_commune"), r);
        let expected = demo.expected(period, |(c, v)| (c == commune).then(|| v.clone()));
        assert_counts(&r, &expected, &villages);
        let district = &reports[&(name, period)];
        assert_eq!(
            r.rows.last().unwrap().values,
            district.rows[position].values
        );
        if name.starts_with("dien-bien") {
            assert_movement_adds_up(&r);
        }
        if name == "ket-qua-ra-soat" {
            let v = demo.report(name, village, period).await;
            insta::assert_json_snapshot!(format!("{name}_{period}_village"), v);
            let expected = demo.expected(period, |(_, v)| (v == village).then(|| v.clone()));
            assert_counts(&v, &expected, &[village.to_string()]);
            let row = r
                .rows
                .iter()
                .find(|x| x.unit_code.as_deref() == Some(village));
            assert_eq!(v.rows[0].values, row.unwrap().values);
            assert!(
                figure(&v, None, "poor.ethnic_minority") > 0,
                "the Chứt are poor"
            );
        }
    }
}
giamngheo_store::store_test!(every_report_on_the_demo_district_matches_its_snapshot);
