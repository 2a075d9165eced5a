//! Set-ups shared by the import tests.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::Hierarchy;
use giamngheo_store::Store;
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
