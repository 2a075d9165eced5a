//! The demo loaded on 07/12/2026, as a new user meets it: Hương Khê's 2021–2025 lists
//! under the old district 444, the July 2025 merger carried through (villages and
//! households under the new Hà Tĩnh communes), the 2026 lists decided by those communes,
//! and the 2027 review under vn-2027 open and half done in Xã Phúc Trạch. Both backends.

use chrono::{Datelike, NaiveDate};
use giamngheo_app::auth::SessionKind;
use giamngheo_app::demo::{classify_plan, plan};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::text;
use giamngheo_rules::Status;
use giamngheo_store::{HouseholdFilter, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const SEED: u64 = 2021;
const HOUSEHOLDS: usize = 400;
/// The commune the demo's officer works in: Phúc Trạch took in Hương Trạch and Hương
/// Liên (with Bản Rào Tre) on 01/07/2025.
const OFFICER_COMMUNE: &str = "18547";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

/// The old communes of district 444 and the new commune each went into, from the shipped
/// mapping (every one of them went whole into one).
fn mapping() -> BTreeMap<String, String> {
    let csv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/admin-units-vn-2025-07-from-2025-03.csv"
    ))
    .unwrap();
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[2] == "444")
        .map(|f| (f[0].to_string(), f[4].to_string()))
        .collect()
}

async fn households_in(app: &App, column: &'static str, code: &str) -> i64 {
    let (_, total) = app
        .store()
        .list_households(
            &HouseholdFilter {
                scope_column: column,
                scope_code: code.to_string(),
                text: None,
                citizen_id: None,
                include_inactive: true,
                villages: Vec::new(),
            },
            1,
            0,
        )
        .await
        .unwrap();
    total
}

async fn the_demo_of_today_is_carried_through_the_reform(store: Store) {
    let now = today().and_hms_opt(2, 0, 0).unwrap().and_utc();
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    let summary = app.load_demo(SEED, HOUSEHOLDS).await.unwrap();
    assert_eq!(summary.households, HOUSEHOLDS);
    assert_eq!(summary.periods, vec![2021, 2022, 2023, 2024, 2025, 2026]);
    assert_eq!(summary.classifications, HOUSEHOLDS * 6);

    // The reform moved every village the demo made, and every household with it.
    let reform = summary
        .reform
        .as_ref()
        .expect("the clock is past 01/07/2025");
    assert_eq!(reform.villages_moved as usize, summary.villages_created);
    assert_eq!(reform.households_moved as usize, HOUSEHOLDS);
    assert!(reform.villages_waiting.is_empty(), "{reform:?}");
    assert_eq!(households_in(&app, "district_code", "444").await, 0);

    // Each new commune holds exactly the households of the old communes it took in, as
    // the 2025 lists (decided under the old communes, kept as they were) counted them.
    let mapping = mapping();
    assert_eq!(mapping.len(), 20);
    let mut expected: BTreeMap<&str, usize> = BTreeMap::new();
    for (old, new) in &mapping {
        let rows = app
            .store()
            .classifications_in_commune(old, 2025)
            .await
            .unwrap();
        let mut in_2025 = BTreeSet::new();
        for c in &rows {
            let f = &c.fields;
            assert_eq!(
                f.district_code.as_deref(),
                Some("444"),
                "{old} {}",
                f.period
            );
            if f.period == 2025 {
                in_2025.insert(f.household_id);
            }
        }
        *expected.entry(new.as_str()).or_default() += in_2025.len();
    }
    assert_eq!(expected.values().sum::<usize>(), HOUSEHOLDS);
    let new_communes: BTreeSet<&str> = mapping.values().map(String::as_str).collect();
    let mut lists_2026 = 0;
    for new in &new_communes {
        assert_eq!(
            households_in(&app, "commune_code", new).await as usize,
            expected[new],
            "{new}"
        );
        // The 2026 lists are the new commune's own decision of December 2025.
        let rows_2026: Vec<_> = app
            .store()
            .classifications_in_commune(new, 2026)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.fields.period == 2026)
            .collect();
        assert_eq!(rows_2026.len(), expected[new], "{new}");
        for c in &rows_2026 {
            let f = &c.fields;
            assert_eq!(f.district_code, None);
            assert_eq!(
                (f.standard.as_str(), f.kind.as_str()),
                ("vn-2022", "periodic")
            );
            let date = f.decision_date.unwrap();
            assert_eq!((date.year(), date.month()), (2025, 12));
            assert!(f.transition.is_some());
            if matches!(f.status.as_str(), "poor" | "near_poor") {
                lists_2026 += 1;
            }
        }
    }

    // The statuses stored for 2026 are those the rules engine gives the plan.
    let communes = giamngheo_app::demo::shipped_communes("444");
    let expected_plan = plan(SEED, HOUSEHOLDS, &communes, today());
    let history = classify_plan(&expected_plan, &app.config().standards, today()).unwrap();
    assert_eq!(history.len(), 6);
    let planned_2026 = history[5].iter().filter(|s| s.status.is_on_lists()).count();
    assert_eq!(lists_2026, planned_2026);
    let next = expected_plan
        .next
        .as_ref()
        .expect("the 2027 survey figures");
    assert_eq!((next.period, next.standard.as_str()), (2027, "vn-2027"));

    // Users work in today's units: the officer in Phúc Trạch, the village head in Bản
    // Rào Tre, now one of Phúc Trạch's villages.
    let user = |name: &str| {
        summary
            .users
            .iter()
            .find(|u| u.username == name)
            .unwrap()
            .clone()
    };
    let officer = user("demo.commune_officer");
    assert_eq!(
        (officer.unit_code.as_str(), officer.unit_name.as_str()),
        (OFFICER_COMMUNE, "Xã Phúc Trạch")
    );
    let head = user("demo.village_head");
    assert_eq!(head.unit_name, "Bản Rào Tre");
    let village = app.store().unit(&head.unit_code).await.unwrap().unwrap();
    assert_eq!(village.parent_code.as_deref(), Some(OFFICER_COMMUNE));
    for name in ["demo.office", "demo.oversight", "demo.admin"] {
        assert_eq!(user(name).unit_code, "42", "{name}");
    }

    // The 2027 review is open in Phúc Trạch under vn-2027, at the survey, half done.
    let open = summary
        .open_review
        .as_ref()
        .expect("the review window is open");
    assert_eq!(
        (
            open.commune_code.as_str(),
            open.period,
            open.standard.as_str()
        ),
        (OFFICER_COMMUNE, 2027, "vn-2027")
    );
    let session = app
        .login(
            &officer.username,
            &officer.password,
            "test",
            SessionKind::Web,
        )
        .await
        .unwrap();
    let view = app.review(&session.actor, open.id).await.unwrap();
    assert_eq!(view.review.step, "survey");
    assert_eq!(view.review.standard, "vn-2027");
    let on_lists_2026 = app
        .store()
        .classifications_in_commune(OFFICER_COMMUNE, 2026)
        .await
        .unwrap()
        .iter()
        .filter(|c| {
            c.fields.period == 2026 && matches!(c.fields.status.as_str(), "poor" | "near_poor")
        })
        .count();
    assert!(on_lists_2026 > 1, "Phúc Trạch has poor households in 2026");
    assert_eq!(view.households.len(), on_lists_2026);
    assert_eq!(open.listed, on_lists_2026);
    let surveyed: Vec<_> = view
        .households
        .iter()
        .filter(|h| h.step == "surveyed")
        .collect();
    assert_eq!(surveyed.len(), on_lists_2026.div_ceil(2));
    assert_eq!(open.surveyed, surveyed.len());
    assert!(
        surveyed.len() < view.households.len(),
        "half done, not done"
    );
    for h in &surveyed {
        // vn-2027 has no score A: the survey took the income.
        assert!(
            h.income_per_capita.is_some() && h.score_a.is_none(),
            "{}",
            h.id
        );
        let status = h.provisional_status.as_deref().unwrap_or_default();
        assert!(Status::ALL.iter().any(|s| s.as_str() == status), "{status}");
    }

    // A second 2027 review is refused: the officer continues the one there.
    match app
        .open_periodic_review(&session.actor, OFFICER_COMMUNE, 2027, "vn-2027")
        .await
    {
        Err(AppError::Conflict(message)) => {
            assert!(text::fold(&message).contains("phuc trach"), "{message}")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }

    // The programme's year: the livelihood model is paid for from the budgets its line
    // was allocated, and its cost by source adds up to what it was paid.
    let admin = giamngheo_app::access::Actor {
        user_id: 0,
        username: "test".into(),
        role: giamngheo_app::access::Role::Admin,
        unit_code: "42".into(),
        unit_tier: giamngheo_domain::Tier::Province,
        agency_code: None,
    };
    let activities = app.activities(&admin, "42", today().year()).await.unwrap();
    let model = activities
        .iter()
        .find(|a| a.livelihood_model)
        .expect("the demo has a livelihood model this year");
    assert!(model.fields.inputs.is_some());
    let costs = app.activity_cost_by_source(&admin, model.id).await.unwrap();
    let sources: Vec<&str> = costs.iter().map(|c| c.source.as_str()).collect();
    assert_eq!(sources, ["central", "provincial"], "{costs:?}");
    assert_eq!(
        costs.iter().map(|c| c.disbursed).sum::<i64>(),
        model.disbursed
    );

    // A second load is refused: the households now live under the new communes.
    match app.load_demo(1, 10).await {
        Err(AppError::Conflict(message)) => {
            assert!(message.contains(&format!("{HOUSEHOLDS} hộ")), "{message}")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        app.store().household_count().await.unwrap(),
        HOUSEHOLDS as i64
    );
}

giamngheo_store::store_test!(the_demo_of_today_is_carried_through_the_reform);
