use super::*;
use giamngheo_app::policies::coverage::CoverageRequest;
use giamngheo_store::testing::TestDb;

/// The demo carries benefits: most poor people carded with a few gaps, loans for some poor
/// households, tuition for most pupils of poor households, and the planted ineligible
/// loans; the same seed gives the same benefits.
#[tokio::test]
async fn the_demo_has_realistic_benefits() {
    let db = TestDb::sqlite().await;
    let now = date(2025, 9, 15).and_hms_opt(2, 0, 0).unwrap().and_utc();
    let app = App::new(
        db.store.clone(),
        Config::default(),
        Arc::new(FixedClock(now)),
    );
    app.load_demo(2021, 300).await.unwrap();
    let coverage = |policy: &str| {
        let app = app.clone();
        let policy = policy.to_string();
        async move {
            app.coverage_as_system(&CoverageRequest {
                // After the July 2025 reform the demo's 2025 lists sit under the new communes.
                unit: "42".into(),
                year: 2025,
                policy: Some(policy),
                as_of: None,
                by_child: false,
                basis: None,
            })
            .await
            .unwrap()
            .rows
            .remove(0)
        }
    };
    let cards = coverage("bhyt").await;
    assert!(cards.eligible > 0, "{cards:?}");
    assert!(cards.covered * 2 > cards.eligible, "most carded: {cards:?}");
    assert!(cards.not_covered > 0, "a few gaps: {cards:?}");
    let loans = coverage("loan_poor").await;
    assert!(loans.covered > 0 && loans.not_covered > 0, "{loans:?}");
    let tuition = coverage("tuition_exemption").await;
    assert!(tuition.covered > 0, "{tuition:?}");
    db.finish().await;
}
