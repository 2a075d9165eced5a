//! The narrowed coverage (only the candidates the policy's rule data admits, read with
//! SQL) gives the same figures as the full evaluation (every household and member read,
//! the rule run on each), on random households, histories, flags and benefits.

use super::*;
use giamngheo_app::policies::benefits::BenefitInput;
use giamngheo_app::policies::coverage::CoverageRequest;
use giamngheo_store::store_test as app_test;

/// A deterministic generator: the same data on every backend and every run.
struct Random(proptest::test_runner::TestRng);

impl Random {
    fn next(&mut self, n: u64) -> u64 {
        proptest::prelude::Rng::next_u64(&mut self.0) % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len() as u64) as usize]
    }

    fn day(&mut self, from: NaiveDate, days: u64) -> NaiveDate {
        from + chrono::Days::new(self.next(days))
    }
}

async fn the_narrowed_coverage_equals_the_full_evaluation(store: Store) {
    let app = setup(store).await;
    let mut rng = Random(proptest::test_runner::TestRng::deterministic_rng(
        proptest::test_runner::RngAlgorithm::ChaCha,
    ));
    let villages = ["18499001", "18502001"];
    let levels = [
        "primary",
        "lower_secondary",
        "upper_secondary",
        "vocational",
        "university",
    ];
    let mut all = Vec::new();
    for (v, village) in villages.iter().enumerate() {
        let drafts: Vec<Vec<_>> = (0..30)
            .map(|h| {
                (0..1 + rng.next(4))
                    .map(|i| {
                        let school = (rng.next(3) == 0).then(|| rng.pick(&levels));
                        let mut m = member(
                            &format!("Người {v}-{h}-{i}"),
                            if i == 0 { "head" } else { "child" },
                            1945 + rng.next(75) as i32,
                            school,
                        );
                        if rng.next(4) == 0 {
                            m.ethnicity = "44".into();
                        }
                        if rng.next(2) == 0 {
                            let year = m.birth_year.unwrap();
                            m.birth_date = NaiveDate::from_ymd_opt(year, 1, 1)
                                .map(|d| d + chrono::Days::new(rng.next(365)));
                        }
                        m
                    })
                    .collect()
            })
            .collect();
        let ids = households(&app, village, &drafts).await;
        // Each household's classifications over the periods, in date order.
        let mut rows = Vec::new();
        for id in &ids {
            let mut day = date(2017, 6, 1);
            for period in 2018..=2021 {
                if rng.next(4) == 0 {
                    continue;
                }
                day = rng.day(day, 500).max(date(period - 1, 12, 1));
                let status = rng.pick(&["poor", "near_poor", "medium", "not_poor", "not_poor"]);
                rows.push(classification(*id, village, period, status, day));
            }
        }
        app.store()
            .insert_classifications(&rows, &[], Utc::now())
            .await
            .unwrap();
        all.extend(ids);
    }
    // The commune of the second village is extremely difficult, the first village border.
    let flags = |extremely_difficult, border| giamngheo_store::UnitUpdate {
        area: None,
        extremely_difficult,
        border,
        programme_30a: false,
        programme_135: false,
    };
    app.store()
        .update_unit("18502", &flags(true, false), Utc::now())
        .await
        .unwrap();
    app.store()
        .update_unit("18499001", &flags(false, true), Utc::now())
        .await
        .unwrap();

    // Benefits of every policy to random households and members, some over a period,
    // some of one date.
    let office = actor(Role::Office, "444", Tier::District, None);
    let policies: Vec<(String, bool, bool)> = app
        .policies()
        .iter()
        .map(|p| {
            (
                p.code.clone(),
                p.beneficiary == giamngheo_rules::Beneficiary::Person,
                p.quantity.is_some(),
            )
        })
        .collect();
    let mut benefits = Vec::new();
    for id in &all {
        let members = app.store().members_of(*id, false).await.unwrap();
        for (code, person, quantity) in &policies {
            if rng.next(3) != 0 {
                continue;
            }
            let from = rng.day(date(2018, 1, 1), 1300);
            let to = (rng.next(3) != 0).then(|| rng.day(from, 700));
            let member_id = person.then(|| members[rng.next(members.len() as u64) as usize].id);
            benefits.push(BenefitInput {
                household_id: *id,
                member_id,
                policy: code.clone(),
                valid_from: Some(from),
                valid_to: to,
                amount: Some(1_000_000),
                quantity: quantity.then_some(1.0),
                ..Default::default()
            });
        }
    }
    app.record_benefits(&office, benefits, "bulk")
        .await
        .unwrap();

    // Counted from the households (no spans kept yet), then from the kept spans, then
    // after writes of every kind the spans are kept up to date by, and after a unit's
    // flag changes (the spans are then set aside until rebuilt).
    let codes: Vec<String> = policies.iter().map(|(c, _, _)| c.clone()).collect();
    let (eligible, covered) = compare(&app, &codes, "counted").await;
    // The data exercised the rule: people eligible, some covered, some not.
    assert!(
        eligible > 100 && covered > 10 && covered < eligible,
        "{eligible} {covered}"
    );
    let counts = app.coverage_rebuild(&[], |_, _| {}).await.unwrap();
    assert_eq!(counts.policies, codes.len());
    assert!(counts.spans > 100, "{counts:?}");
    for code in &codes {
        assert!(app.coverage_spans_in_use(code).await.unwrap(), "{code}");
    }
    assert_eq!(compare(&app, &codes, "kept").await, (eligible, covered));
    assert_eq!(
        app.store().coverage_span_states().await.unwrap().len(),
        codes.len()
    );

    // Classifications: a new row of some households, dated back into 2020 and 2021.
    let mut rows = Vec::new();
    for (i, id) in all.iter().enumerate().filter(|(i, _)| i % 5 == 0) {
        let village = villages[usize::from(i >= 30)];
        let status = rng.pick(&["poor", "near_poor", "not_poor"]);
        let period = 2020 + i32::from(i % 2 == 0);
        rows.push(classification(
            *id,
            village,
            period,
            status,
            rng.day(date(2020, 1, 1), 500),
        ));
    }
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    // Benefits: new ones, and corrections of recorded ones (a new period, voiding the
    // old row).
    let mut more = Vec::new();
    for id in all.iter().skip(1).step_by(4) {
        let members = app.store().members_of(*id, false).await.unwrap();
        let (code, person, quantity) = &policies[rng.next(policies.len() as u64) as usize];
        let from = rng.day(date(2019, 1, 1), 900);
        more.push(BenefitInput {
            household_id: *id,
            member_id: person.then(|| members[rng.next(members.len() as u64) as usize].id),
            policy: code.clone(),
            valid_from: Some(from),
            valid_to: (rng.next(2) == 0).then(|| rng.day(from, 600)),
            amount: Some(500_000),
            quantity: quantity.then_some(1.0),
            ..Default::default()
        });
    }
    app.record_benefits(&office, more, "bulk").await.unwrap();
    for id in all.iter().skip(2).step_by(7) {
        let recorded = app.household_benefits(&office, *id).await.unwrap();
        if let Some(b) = recorded.iter().find(|b| b.voided_at.is_none()) {
            let from = rng.day(date(2019, 6, 1), 700);
            app.correct_benefit(
                &office,
                b.id,
                BenefitInput {
                    household_id: *id,
                    member_id: b.member_id,
                    policy: b.policy.clone(),
                    valid_from: Some(from),
                    valid_to: Some(rng.day(from, 400)),
                    amount: Some(700_000),
                    quantity: b.quantity,
                    ..Default::default()
                },
                "Sai ngày hiệu lực",
            )
            .await
            .unwrap();
        }
    }
    // Members: a birth year and school level changed, a member gone.
    for id in all.iter().skip(3).step_by(6) {
        let view = app.household(&office, *id).await.unwrap();
        let (mut draft, ids) = App::draft_of(&view);
        let last = draft.members.len() - 1;
        let m = &mut draft.members[last];
        m.birth_year = Some(2003 + rng.next(14) as i32);
        m.birth_date = None;
        m.school_level = Some(rng.pick(&levels).to_string());
        let (draft, ids) = if draft.members.len() > 1 && rng.next(2) == 0 {
            let mut draft = draft;
            let mut ids = ids;
            draft.members.pop();
            ids.pop();
            (draft, ids)
        } else {
            (draft, ids)
        };
        app.update_household(
            &office,
            *id,
            view.household.version,
            draft,
            ids,
            Some("Cập nhật thành viên".into()),
        )
        .await
        .unwrap();
    }
    assert!(
        !app.store().coverage_stale(10_000).await.unwrap().is_empty(),
        "the writes marked their households"
    );
    compare(&app, &codes, "kept after writes").await;
    assert!(app.store().coverage_stale(10).await.unwrap().is_empty());

    // A unit's flag changes: the spans no longer match it, the households are counted
    // until the spans are rebuilt.
    app.store()
        .update_unit("18499", &flags(true, true), Utc::now())
        .await
        .unwrap();
    assert!(!app.coverage_spans_in_use("bhyt").await.unwrap());
    compare(&app, &codes, "after a flag, counted").await;
    app.coverage_rebuild(&[], |_, _| {}).await.unwrap();
    assert!(app.coverage_spans_in_use("bhyt").await.unwrap());
    compare(&app, &codes, "after a flag, rebuilt").await;
}
app_test!(the_narrowed_coverage_equals_the_full_evaluation);

/// The coverage of every policy on three dates in three units, by the product's reading
/// (spans when kept, candidates otherwise) and by the full evaluation, which must agree;
/// the uncovered list's total matches. Returns the sums of eligible and covered.
async fn compare(app: &App, codes: &[String], stage: &str) -> (i64, i64) {
    let (mut eligible, mut covered) = (0, 0);
    for as_of in [date(2019, 6, 30), date(2020, 12, 31), date(2021, 3, 1)] {
        for (unit, by_child) in [("444", true), ("42", false), ("18502001", false)] {
            for code in codes {
                let req = CoverageRequest {
                    unit: unit.into(),
                    year: chrono::Datelike::year(&as_of),
                    policy: Some(code.clone()),
                    as_of: Some(as_of),
                    by_child,
                    basis: None,
                };
                let fast = app.coverage_as_system(&req).await.unwrap();
                let full = app.coverage_full_evaluation(&req).await.unwrap();
                assert_eq!(fast, full, "{stage}: {code} in {unit} on {as_of}");
                for row in &fast.rows {
                    eligible += row.eligible;
                    covered += row.covered;
                }
                if !by_child {
                    let list = app
                        .uncovered(&actor(Role::Office, "42", Tier::Province, None), &req)
                        .await
                        .unwrap();
                    assert_eq!(list.total as i64, fast.rows[0].not_covered, "{stage}");
                }
            }
        }
    }
    (eligible, covered)
}
