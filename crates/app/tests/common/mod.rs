//! Set-ups shared by the import tests.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::bulk_import::BulkOptions;
use giamngheo_app::households::By;
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::Hierarchy;
use giamngheo_store::{MatchCandidate, Store};
use std::sync::Arc;

/// One commune, Xã Điền Mỹ (18499), with two villages, 18499001 and 18499002.
pub async fn one_commune(store: Store) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let config = Config {
        hierarchy: Hierarchy::four_levels(),
        ..Config::default()
    };
    let app = App::new(store, config, Arc::new(FixedClock(now)));
    let options = UnitImportOptions {
        valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        retire_missing: false,
        hierarchy: None,
    };
    let units = "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 444,Huyện Hương Khê,Huyện,2,42\n18499,Xã Điền Mỹ,Xã,3,444\n";
    app.import_units(units.as_bytes(), &options).await.unwrap();
    let villages = "commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n18499,Thôn Hạ Lâm,Thôn\n";
    app.import_villages_as_system(villages.as_bytes())
        .await
        .unwrap();
    app
}

/// 100 households of one member each in Xã Điền Mỹ; the last two share a name, a birth
/// year and a village and have no citizen ID, so a row naming them is ambiguous.
#[allow(dead_code)] // Only the tests of list imports use it.
pub async fn hundred_households(app: &App) -> Vec<MatchCandidate> {
    let mut csv = String::from(
        "household_code,village_code,full_name,sex,birth_date,ethnicity,relation,citizen_id\n",
    );
    for i in 0..100 {
        let village = if i % 2 == 0 { "18499001" } else { "18499002" };
        if i >= 98 {
            csv.push_str(&format!(
                "HK-{i:03},18499001,Trần Thị Bình,Nữ,1970,Kinh,Chủ hộ,\n"
            ));
        } else {
            csv.push_str(&format!(
                "HK-{i:03},{village},Nguyễn Văn An {i},Nam,{},Kinh,Chủ hộ,042{:09}\n",
                1950 + i % 40,
                i
            ));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ho.csv");
    std::fs::write(&path, csv).unwrap();
    app.import_households_bulk(By::System, &path, &BulkOptions::default(), &|_| {})
        .await
        .unwrap();
    let mut members = app
        .store()
        .match_candidates("18499", "commune")
        .await
        .unwrap();
    members.sort_by(|a, b| a.household_code.cmp(&b.household_code));
    assert_eq!(members.len(), 100);
    members
}
