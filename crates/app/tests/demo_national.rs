//! The national synthetic data, on SQLite and PostgreSQL: every province of today's list
//! gets households, and the shares of poor and near-poor households are shaped like the
//! national figures, higher in the northern mountains.

use chrono::{DateTime, Utc};
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_store::Store;
use std::collections::BTreeMap;
use std::sync::Arc;

use giamngheo_store::store_test as app_test;

const MOUNTAIN: [&str; 9] = ["04", "08", "11", "12", "14", "15", "19", "20", "25"];

async fn the_national_generator_covers_34_provinces_with_sane_shares(store: Store) {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    let summary = app
        .load_national_demo(11, 2_000, None, &|_| {})
        .await
        .unwrap();
    assert_eq!(summary.provinces, 34);
    assert_eq!(summary.communes, 3_321);
    assert_eq!(summary.households, 2_000);
    assert_eq!(summary.classifications, 4_000);
    assert!(
        summary.members > 5_000 && summary.members < 9_000,
        "{summary:?}"
    );

    let (poor, near) = summary.last_period;
    let poor_share = poor as f64 / 2_000.0;
    let near_share = near as f64 / 2_000.0;
    assert!((0.01..0.03).contains(&poor_share), "{summary:?}");
    assert!((0.015..0.045).contains(&near_share), "{summary:?}");

    // Every province has households, and the mountain provinces are the poorer: the
    // last period's poor counted from the stored classifications.
    let mut households: BTreeMap<String, i64> = BTreeMap::new();
    let mut counted = [(0usize, 0usize); 2];
    for province in app.store().children(None, false).await.unwrap() {
        if province.tier != "province" {
            continue;
        }
        let communes: Vec<String> = app
            .store()
            .children(Some(&province.code), false)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.code)
            .collect();
        let found = app
            .store()
            .households_by_commune_province(&communes)
            .await
            .unwrap();
        *households.entry(province.code.clone()).or_default() +=
            found.iter().map(|(_, _, n)| n).sum::<i64>();
        let k = usize::from(MOUNTAIN.contains(&province.code.as_str()));
        for commune in &communes {
            for c in app
                .store()
                .classifications_in_commune(commune, 2024)
                .await
                .unwrap()
            {
                if c.fields.period == 2024 {
                    counted[k].0 += 1;
                    counted[k].1 += usize::from(c.fields.status == "poor");
                }
            }
        }
    }
    assert_eq!(households.len(), 34);
    assert!(households.values().all(|&n| n > 0), "{households:?}");
    let rate = |(n, poor): (usize, usize)| poor as f64 / n.max(1) as f64;
    assert!(rate(counted[1]) > 2.0 * rate(counted[0]), "{counted:?}");
    assert_eq!(counted[0].1 + counted[1].1, poor);
}
app_test!(the_national_generator_covers_34_provinces_with_sane_shares);
