use super::*;
use giamngheo_app::policies::benefits::BenefitInput;
use giamngheo_app::policies::coverage::CoverageRequest;
use giamngheo_domain::household::CitizenId;
use giamngheo_store::store_test as app_test;

/// The hand-computed fixture, on 31/12/2020 unless said otherwise:
///
/// | household | village  | status in force                         | members            |
/// |-----------|----------|-----------------------------------------|--------------------|
/// | H0        | 18499001 | poor (2020)                             | head, pupil        |
/// | H1        | 18499001 | near-poor (2020)                        | head               |
/// | H2        | 18499001 | poor 2019, not poor from 01/03/2020     | head               |
/// | H3        | 18502001 | not poor, poor from 15/06/2020          | head, pupil, wife  |
/// | H4        | 18502001 | not poor                                | head               |
///
/// Cards: H0 head (all 2020), H0 pupil (to 30/06/2020), H1 head, H3 head, H4 head (not
/// eligible: not counted). So BHYT: eligible 6 (H0 2, H1 1, H3 3), covered 3.
struct Fixture {
    app: App,
    h: Vec<i64>,
    members: Vec<Vec<i64>>,
}

async fn fixture(store: Store) -> Fixture {
    let app = setup(store).await;
    let mut head3 = member("Đỗ Văn Hải", "head", 1975, None);
    head3.citizen_id = Some(CitizenId::parse("042075000123").unwrap());
    let mut h = households(
        &app,
        "18499001",
        &[
            vec![
                member("Nguyễn Văn An", "head", 1970, None),
                member("Nguyễn Thị Bé", "child", 2012, Some("primary")),
            ],
            vec![member("Trần Văn Cả", "head", 1960, None)],
            vec![member("Lê Văn Dư", "head", 1965, None)],
        ],
    )
    .await;
    h.extend(
        households(
            &app,
            "18502001",
            &[
                vec![
                    head3,
                    member("Đỗ Văn Giỏi", "child", 2011, Some("primary")),
                    member("Phan Thị Hoa", "spouse", 1978, None),
                ],
                vec![member("Vũ Văn Khá", "head", 1980, None)],
            ],
        )
        .await,
    );
    let mut members = Vec::new();
    for id in &h {
        let ms = app.store().members_of(*id, false).await.unwrap();
        members.push(ms.iter().map(|m| m.id).collect::<Vec<_>>());
    }
    let (v1, v2) = ("18499001", "18502001");
    let rows = vec![
        classification(h[0], v1, 2020, "poor", date(2019, 12, 20)),
        classification(h[1], v1, 2020, "near_poor", date(2019, 12, 20)),
        classification(h[2], v1, 2019, "poor", date(2018, 12, 20)),
        classification(h[2], v1, 2020, "not_poor", date(2020, 3, 1)),
        classification(h[3], v2, 2020, "not_poor", date(2019, 12, 20)),
        classification(h[3], v2, 2020, "poor", date(2020, 6, 15)),
        classification(h[4], v2, 2020, "not_poor", date(2019, 12, 20)),
    ];
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    let office = actor(Role::Office, "444", Tier::District, None);
    let card = |hh: usize, m: usize, to: NaiveDate| BenefitInput {
        household_id: h[hh],
        member_id: Some(members[hh][m]),
        policy: "bhyt".into(),
        valid_from: Some(date(2020, 1, 1)),
        valid_to: Some(to),
        ..Default::default()
    };
    let end = date(2020, 12, 31);
    app.record_benefits(
        &office,
        vec![
            card(0, 0, end),
            card(0, 1, date(2020, 6, 30)),
            card(1, 0, end),
            card(3, 0, end),
            card(4, 0, end),
        ],
        "bulk",
    )
    .await
    .unwrap();
    // A loan to the recently escaped H2, on one date in the year.
    app.record_benefit(
        &office,
        BenefitInput {
            household_id: h[2],
            policy: "loan_recently_escaped".into(),
            valid_from: Some(date(2020, 5, 1)),
            amount: Some(30_000_000),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Tuition for H3's pupil over the school year; a corrected row counts once.
    let tuition = BenefitInput {
        household_id: h[3],
        member_id: Some(members[3][1]),
        policy: "tuition_exemption".into(),
        valid_from: Some(date(2020, 9, 5)),
        valid_to: Some(date(2021, 5, 31)),
        ..Default::default()
    };
    let first = app.record_benefit(&office, tuition.clone()).await.unwrap();
    app.correct_benefit(
        &office,
        first,
        BenefitInput {
            reference: Some("QĐ 12/2020".into()),
            ..tuition
        },
        "Thêm số quyết định",
    )
    .await
    .unwrap();
    Fixture { app, h, members }
}

fn req(policy: &str, by_child: bool) -> CoverageRequest {
    CoverageRequest {
        unit: "444".into(),
        year: 2020,
        policy: Some(policy.into()),
        as_of: None,
        by_child,
        basis: None,
    }
}

async fn coverage_figures_of_a_hand_computed_fixture(store: Store) {
    let f = fixture(store).await;
    let app = &f.app;
    let office = actor(Role::Office, "444", Tier::District, None);
    let report = app.coverage(&office, &req("bhyt", false)).await.unwrap();
    assert_eq!(report.as_of, date(2020, 12, 31));
    assert_eq!(report.rows.len(), 1);
    let row = &report.rows[0];
    assert_eq!(
        (
            row.unit.as_str(),
            row.eligible,
            row.covered,
            row.not_covered
        ),
        ("444", 6, 3, 3)
    );
    assert_eq!(row.rate, 50.0);
    assert_eq!(row.counts, "person");
    assert!(row.to_confirm, "the province's 30 % is to confirm");

    let by_commune = app.coverage(&office, &req("bhyt", true)).await.unwrap();
    let figures: Vec<(&str, i64, i64, f64)> = by_commune
        .rows
        .iter()
        .map(|r| (r.unit.as_str(), r.eligible, r.covered, r.rate))
        .collect();
    assert_eq!(
        figures,
        vec![("18499", 3, 2, 66.67), ("18502", 3, 1, 33.33)]
    );

    // On 14/06/2020 H3 was not yet poor, and the pupil's card still ran.
    let june = app
        .coverage(
            &office,
            &CoverageRequest {
                as_of: Some(date(2020, 6, 14)),
                ..req("bhyt", false)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (
            june.rows[0].eligible,
            june.rows[0].covered,
            june.rows[0].rate
        ),
        (3, 3, 100.0)
    );

    let loans = app
        .coverage(&office, &req("loan_recently_escaped", false))
        .await
        .unwrap();
    assert_eq!(
        (
            loans.rows[0].eligible,
            loans.rows[0].covered,
            loans.rows[0].counts
        ),
        (1, 1, "household")
    );
    let tuition = app
        .coverage(&office, &req("tuition_exemption", false))
        .await
        .unwrap();
    assert_eq!((tuition.rows[0].eligible, tuition.rows[0].covered), (2, 1));

    // Every policy at once: one row per policy of the catalogue.
    let all = app
        .coverage(
            &office,
            &CoverageRequest {
                policy: None,
                ..req("bhyt", false)
            },
        )
        .await
        .unwrap();
    assert_eq!(all.rows.len(), app.policies().iter().count());
    let poor_loans = all.rows.iter().find(|r| r.policy == "loan_poor").unwrap();
    // H0 and H3 are poor on 31/12/2020; no loan recorded.
    assert_eq!((poor_loans.eligible, poor_loans.covered), (2, 0));
}
app_test!(coverage_figures_of_a_hand_computed_fixture);

async fn the_uncovered_list_matches_not_covered_and_hides_names(store: Store) {
    let f = fixture(store).await;
    let app = &f.app;
    let office = actor(Role::Office, "444", Tier::District, None);
    let list = app.uncovered(&office, &req("bhyt", false)).await.unwrap();
    assert_eq!(list.total, 3);
    assert_eq!(list.items.len(), 3);
    let members: Vec<i64> = list.items.iter().filter_map(|i| i.member_id).collect();
    assert_eq!(
        members,
        vec![f.members[0][1], f.members[3][1], f.members[3][2]]
    );
    assert_eq!(list.items[0].member_name.as_deref(), Some("Nguyễn Thị Bé"));
    assert_eq!(list.items[0].eligible_as, "hộ nghèo");
    assert_eq!(list.items[0].household_id, f.h[0]);
    // H3's head holds a card: not on the list; his ID is not either.
    assert!(list.items.iter().all(|i| i.citizen_id.is_none()));

    // A province viewer sees the count and the households' codes, never a name.
    let viewer = actor(Role::ProvinceViewer, "42", Tier::Province, None);
    let blind = app
        .uncovered(
            &viewer,
            &CoverageRequest {
                unit: "444".into(),
                ..req("bhyt", false)
            },
        )
        .await
        .unwrap();
    assert_eq!(blind.total, 3);
    assert!(
        blind
            .items
            .iter()
            .all(|i| i.member_name.is_none() && i.head_name.is_none())
    );

    // The loan list: H0 and H3 are poor without a loan.
    let loans = app
        .uncovered(&office, &req("loan_poor", false))
        .await
        .unwrap();
    assert_eq!(loans.total, 2);
    assert!(loans.items.iter().all(|i| i.member_id.is_none()));
    assert_eq!(loans.items[1].head_name.as_deref(), Some("Đỗ Văn Hải"));

    // Outside the actor's area: not found.
    let other = actor(Role::Office, "445", Tier::District, None);
    assert!(matches!(
        app.uncovered(&other, &req("bhyt", false))
            .await
            .unwrap_err(),
        giamngheo_app::AppError::NotFound(_)
    ));
}
app_test!(the_uncovered_list_matches_not_covered_and_hides_names);

/// The report family `bao-phu-chinh-sach` is a report definition like the others: one
/// row per commune and the total, and for each policy with a target its eligible,
/// covered and rate, the same figures as `App::coverage`.
async fn the_coverage_report_gives_the_coverage_figures(store: Store) {
    let f = fixture(store).await;
    let report = f
        .app
        .report_as_system(&giamngheo_app::reports::ReportRequest {
            name: "bao-phu-chinh-sach".into(),
            unit: "444".into(),
            period: 2020,
            as_of: None,
            basis: None,
        })
        .await
        .unwrap();
    let labels: Vec<Option<&str>> = report.rows.iter().map(|r| r.unit_code.as_deref()).collect();
    assert_eq!(labels, vec![Some("18499"), Some("18502"), None]);
    let column = |id: &str| {
        report
            .columns
            .iter()
            .position(|c| c.id == id)
            .unwrap_or_else(|| panic!("column {id}"))
    };
    let figures = |id: &str| -> Vec<Option<f64>> {
        let i = column(id);
        report.rows.iter().map(|r| r.values[i]).collect()
    };
    assert_eq!(
        figures("eligible.bhyt"),
        vec![Some(3.0), Some(3.0), Some(6.0)]
    );
    assert_eq!(
        figures("covered.bhyt"),
        vec![Some(2.0), Some(1.0), Some(3.0)]
    );
    assert_eq!(
        figures("rate.bhyt"),
        vec![Some(66.67), Some(33.33), Some(50.0)]
    );
    assert_eq!(
        figures("eligible.loan_poor"),
        vec![Some(1.0), Some(1.0), Some(2.0)]
    );
    assert_eq!(
        figures("covered.loan_poor"),
        vec![Some(0.0), Some(0.0), Some(0.0)]
    );
    // A policy without a target (legal aid) is not a column.
    assert!(!report.columns.iter().any(|c| c.id.ends_with(".legal_aid")));
    let bhyt = &report.columns[column("eligible.bhyt")];
    assert_eq!(
        bhyt.heading,
        vec![
            "Số đủ điều kiện".to_string(),
            "Thẻ bảo hiểm y tế (người)".to_string()
        ]
    );
    // A rate opens the list of the eligible not covered of its policy.
    assert_eq!(
        report.columns[column("rate.bhyt")].drill.as_deref(),
        Some("coverage.bhyt.covered")
    );
    assert!(
        report.notes.iter().any(|n| n.contains("31/12/2020")),
        "{:?}",
        report.notes
    );
    assert!(
        report.notes.iter().any(|n| n.contains("cần xác nhận")),
        "{:?}",
        report.notes
    );
}
app_test!(the_coverage_report_gives_the_coverage_figures);
