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

    let (mut eligible, mut covered) = (0, 0);
    for as_of in [date(2019, 6, 30), date(2020, 12, 31), date(2021, 3, 1)] {
        for (unit, by_child) in [("444", true), ("42", false), ("18502001", false)] {
            for (code, _, _) in &policies {
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
                assert_eq!(fast, full, "{code} in {unit} on {as_of}");
                for row in &fast.rows {
                    eligible += row.eligible;
                    covered += row.covered;
                }
                if !by_child {
                    let list = app
                        .uncovered(&actor(Role::Office, "42", Tier::Province, None), &req)
                        .await
                        .unwrap();
                    assert_eq!(list.total as i64, fast.rows[0].not_covered);
                }
            }
        }
    }
    // The data exercised the rule: people eligible, some covered, some not.
    assert!(
        eligible > 100 && covered > 10 && covered < eligible,
        "{eligible} {covered}"
    );
}
app_test!(the_narrowed_coverage_equals_the_full_evaluation);
