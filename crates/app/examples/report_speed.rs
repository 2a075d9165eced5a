//! Times every official report on a freshly filled database: a district (Hương Khê, 444)
//! and its province (Hà Tĩnh, 42), on SQLite or PostgreSQL. The budget
//! (shared/domain/reports.md, docs/ARCHITECTURE.md): a district of 30.000 households
//! under 100 ms a report, a province of 500.000 under 1 s.
//!
//! ```sh
//! cargo run --release -p giamngheo-app --example report_speed -- /tmp/rs.db 30000
//! psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE gn_report_speed'
//! cargo run --release -p giamngheo-app --example report_speed -- \
//!     postgres://postgres@127.0.0.1:5432/gn_report_speed 500000
//! ```
//! The database must be empty. Households (three members each) are spread over the
//! province's districts, at most 30.000 in 444 first, then the others; each gets a
//! classification for 2021 and 2022 whose transitions agree with its statuses, so the
//! movement check passes. Prints, per report and unit, the median and slowest of
//! several runs.

use chrono::{NaiveDate, Utc};
use giamngheo_app::basis::Basis;
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::reports::ReportRequest;
use giamngheo_app::{App, Config, SystemClock};
use giamngheo_domain::Hierarchy;
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_store::{ClassificationFields, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BATCH: usize = 5_000;
const DISTRICT: &str = "444";
const PROVINCE: &str = "42";

/// A small deterministic generator (xorshift), so that runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn percent(&mut self) -> u64 {
        self.next() % 100
    }
}

/// The statuses of 2021 and 2022 and the 2022 transition, with the movements the
/// tables count: escapes, moves between the lists, new and fallen-back households.
fn statuses(rng: &mut Rng) -> (&'static str, &'static str, &'static str) {
    let start = match rng.percent() {
        0..=7 => "poor",
        8..=13 => "near_poor",
        _ => "not_poor",
    };
    let r = rng.percent();
    match start {
        "poor" => match r {
            0..=69 => ("poor", "poor", "unchanged"),
            70..=89 => ("poor", "not_poor", "escaped_poverty"),
            _ => ("poor", "near_poor", "poor_to_near_poor"),
        },
        "near_poor" => match r {
            0..=69 => ("near_poor", "near_poor", "unchanged"),
            70..=89 => ("near_poor", "not_poor", "escaped_near_poverty"),
            _ => ("near_poor", "poor", "near_poor_to_poor"),
        },
        _ => match r {
            0..=1 => ("not_poor", "poor", "newly_poor"),
            2..=3 => ("not_poor", "near_poor", "new_near_poor"),
            _ => ("not_poor", "not_poor", "unchanged"),
        },
    }
}

fn member(name: String, relation: &str, year: i32, sex: Sex) -> MemberDraft {
    MemberDraft {
        full_name: name,
        sex: Some(sex),
        birth_year: Some(year),
        ethnicity: "01".into(),
        relation: relation.into(),
        work_status: Some(if year > 2006 { "student" } else { "employed" }.into()),
        ..Default::default()
    }
}

async fn time<F, Fut, T, E>(label: &str, runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    let mut samples: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f().await.expect(label));
        samples.push(start.elapsed());
    }
    samples.sort();
    println!(
        "{label:<44} median {:>8.1} ms   max {:>8.1} ms",
        samples[runs / 2].as_secs_f64() * 1e3,
        samples[runs - 1].as_secs_f64() * 1e3
    );
    samples[runs - 1]
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "/tmp/report_speed.db".into());
    let households: usize = args
        .next()
        .map(|s| s.parse().expect("HOUSEHOLDS is a number"))
        .unwrap_or(30_000);
    let store = Store::connect(&url).await.expect("open the database");
    store.migrate().await.expect("migrate");
    let config = Config {
        hierarchy: Hierarchy::four_levels(),
        ..Config::default()
    };
    let app = App::new(store, config, Arc::new(SystemClock));
    app.load_official_units_if_empty().await.expect("units");
    let existing = app.store().household_count().await.expect("count");
    if existing == 0 {
        fill(&app, households).await;
    } else {
        // A database this example filled before: time it again (after an ANALYZE, say).
        println!("{url}: {existing} households already, timing only");
    }

    report_times(&app, households).await;
}

/// Fills an empty database with `households` households and their classifications.
async fn fill(app: &App, households: usize) {
    // One village per commune, in the district first and then the others.
    let started = Instant::now();
    let mut districts = app.children(Some(PROVINCE)).await.expect("districts");
    districts.sort_by_key(|d| d.code != DISTRICT);
    let mut villages: Vec<Vec<(String, String)>> = Vec::new();
    for d in &districts {
        let communes = app.children(Some(&d.code)).await.expect("communes");
        let mut csv = String::from("commune_code,name,kind\n");
        for c in &communes {
            csv.push_str(&format!("{},Thôn Một,Thôn\n", c.code));
        }
        app.import_villages_as_system(csv.as_bytes())
            .await
            .expect("villages");
        villages.push(
            communes
                .iter()
                .map(|c| (c.code.clone(), format!("{}001", c.code)))
                .collect(),
        );
    }
    // At most 30.000 households in the district timed as a district, the rest spread
    // over the other districts.
    let in_district = households.min(30_000);
    let others = districts.len().saturating_sub(1).max(1);
    let place = |i: usize| -> (usize, usize) {
        let d = if i < in_district || districts.len() == 1 {
            0
        } else {
            1 + (i - in_district) % others
        };
        (d, i / districts.len().max(1))
    };

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut done = 0;
    while done < households {
        let end = (done + BATCH).min(households);
        let mut plan = Vec::with_capacity(end - done);
        let drafts: Vec<DraftInput> = (done..end)
            .map(|i| {
                let (d, k) = place(i);
                let communes = &villages[d];
                let (commune, village) = communes[k % communes.len()].clone();
                plan.push((districts[d].code.clone(), commune, village.clone()));
                DraftInput::form(HouseholdDraft {
                    code: format!("B{i:07}"),
                    village_code: village,
                    address: "Xóm 1".into(),
                    members: vec![
                        member(format!("Nguyễn Văn Hộ {i}"), "head", 1970, Sex::Male),
                        member(format!("Trần Thị Vợ {i}"), "spouse", 1972, Sex::Female),
                        member(format!("Nguyễn Văn Con {i}"), "child", 2012, Sex::Male),
                    ],
                    ..Default::default()
                })
            })
            .collect();
        let ids = app
            .create_households(By::System, drafts, "report_speed")
            .await
            .expect("households");
        let mut rows = Vec::with_capacity(ids.len() * 2);
        for (id, (district, commune, village)) in ids.iter().zip(plan) {
            let (s2021, s2022, transition) = statuses(&mut rng);
            for (period, status, transition) in
                [(2021, s2021, None), (2022, s2022, Some(transition))]
            {
                let deprived = if status == "not_poor" {
                    ""
                } else if rng.percent() < 50 {
                    "water,sanitation"
                } else {
                    "health_insurance,housing_quality"
                };
                rows.push(ClassificationFields {
                    household_id: *id,
                    province_code: PROVINCE.into(),
                    district_code: Some(district.clone()),
                    commune_code: commune.clone(),
                    village_code: village.clone(),
                    period,
                    standard: if period == 2021 { "vn-2016" } else { "vn-2022" }.into(),
                    kind: "baseline".into(),
                    review_id: None,
                    status: status.into(),
                    area: "rural".into(),
                    income_per_capita: None,
                    score_a: None,
                    score_b: 0,
                    deprivation_count: deprived.split(',').filter(|s| !s.is_empty()).count() as i32,
                    deprived: deprived.into(),
                    reasons: String::new(),
                    transition: transition.map(String::from),
                    member_count: 3,
                    causes: if status == "poor" { "no_land" } else { "" }.into(),
                    decision_number: None,
                    decision_date: None,
                    effective_date: NaiveDate::from_ymd_opt(period - 1, 12, 20).unwrap(),
                    approved_by: "report_speed".into(),
                    approved_at: "2021-12-20T00:00:00Z".into(),
                    supersedes: None,
                    correction_reason: None,
                    certificate_number: None,
                });
            }
        }
        app.store()
            .insert_classifications(&rows, &[], Utc::now())
            .await
            .expect("classifications");
        done = end;
        if done % 50_000 == 0 || done == households {
            eprintln!("  {done} hộ ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
    // As the demo and the imports do after a bulk load.
    app.store().refresh_statistics().await.expect("statistics");
    println!(
        "{} households ({}), {in_district} in {DISTRICT}, filled in {:.0} s",
        households,
        app.store().backend().as_str(),
        started.elapsed().as_secs_f64()
    );
}

/// Times every report of the catalogue, the targets and the dashboard for the district
/// and, above 30.000 households, for the province.
async fn report_times(app: &App, households: usize) {
    let as_of = NaiveDate::from_ymd_opt(2022, 6, 1);
    let names: Vec<String> = app
        .catalog()
        .names()
        .into_iter()
        .map(String::from)
        .collect();
    let mut units = vec![(DISTRICT, 7)];
    if households > 30_000 {
        units.push((PROVINCE, 3));
    }
    for (unit, runs) in units {
        let mut slowest = Duration::ZERO;
        // Both bases: `current` follows each row's village to today's unit, `as_was`
        // reads the units stored on the rows.
        for name in &names {
            for basis in Basis::ALL {
                let req = ReportRequest {
                    name: name.clone(),
                    unit: unit.into(),
                    period: 2022,
                    as_of,
                    basis: Some(basis),
                };
                let label = format!("{unit} {name} {}", basis.as_str());
                // A unit closed by the reform has no units today to re-base onto.
                if let Err(e) = app.report_as_system(&req).await {
                    println!("{label:<44} {e}");
                    continue;
                }
                slowest = slowest.max(time(&label, runs, || app.report_as_system(&req)).await);
            }
        }
        let label = format!("{unit} targets 2021");
        slowest = slowest.max(time(&label, runs, || app.targets_as_system(unit, 2021)).await);
        let label = format!("{unit} dashboard 2022");
        slowest =
            slowest.max(time(&label, runs, || app.dashboard_as_system(unit, Some(2022))).await);
        println!("{unit}: slowest run {:.1} ms", slowest.as_secs_f64() * 1e3);
    }
}
