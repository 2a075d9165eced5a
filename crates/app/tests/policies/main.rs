//! Support policies through the app layer on SQLite, PostgreSQL and Citus: benefit
//! records (entry, bulk, correction with history), who may record which policy, and
//! coverage of a hand-computed fixture.

mod benefits;
mod coverage;
mod coverage_narrowing;
mod demo;
mod moved;

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{ClassificationFields, Store};
use std::sync::Arc;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// District 444 of two communes (18499 with village 18499001, 18502 with 18502001), and a
/// district 445 outside it, on 2 July 2021.
pub async fn setup(store: Store) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2021-07-02T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let config = Config {
        hierarchy: Hierarchy::four_levels(),
        ..Config::default()
    };
    let app = App::new(store, config, Arc::new(FixedClock(now)));
    let units = "code,name,kind,level,parent_code\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 444,Huyện Hương Khê,Huyện,2,42\n\
                 445,Huyện Khác,Huyện,2,42\n\
                 18499,Xã Điền Mỹ,Xã,3,444\n\
                 18502,Xã Hà Linh,Xã,3,444\n\
                 18600,Xã Ngoài,Xã,3,445\n";
    app.import_units(
        units.as_bytes(),
        &giamngheo_app::units::UnitImportOptions {
            valid_from: date(2020, 1, 1),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system(
        "commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n18502,Thôn Bắc Hà,Thôn\n18600,Thôn Ngoài,Thôn\n"
            .as_bytes(),
    )
    .await
    .unwrap();
    app
}

/// A member born in `birth_year`, at school at `school` (or not).
pub fn member(name: &str, relation: &str, birth_year: i32, school: Option<&str>) -> MemberDraft {
    MemberDraft {
        full_name: name.into(),
        sex: Some(Sex::Male),
        birth_year: Some(birth_year),
        ethnicity: "01".into(),
        relation: relation.into(),
        work_status: Some(
            if school.is_some() {
                "student"
            } else {
                "employed"
            }
            .into(),
        ),
        school_level: school.map(str::to_string),
        ..Default::default()
    }
}

/// Creates households in `village`, each with the given members; returns their ids.
pub async fn households(app: &App, village: &str, members: &[Vec<MemberDraft>]) -> Vec<i64> {
    let drafts: Vec<DraftInput> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            DraftInput::form(HouseholdDraft {
                code: format!("{village}-{i:02}"),
                village_code: village.into(),
                address: "Xóm 1".into(),
                members: m.clone(),
                ..Default::default()
            })
        })
        .collect();
    app.create_households(By::System, drafts, "test")
        .await
        .unwrap()
}

/// A classification of household `id` with `status`, effective on `effective`.
pub fn classification(
    id: i64,
    village: &str,
    period: i32,
    status: &str,
    effective: NaiveDate,
) -> ClassificationFields {
    ClassificationFields {
        household_id: id,
        province_code: "42".into(),
        district_code: Some(
            if village.starts_with("186") {
                "445"
            } else {
                "444"
            }
            .into(),
        ),
        commune_code: village[..5].to_string(),
        village_code: village.to_string(),
        period,
        standard: "vn-2016".into(),
        kind: "baseline".into(),
        review_id: None,
        status: status.into(),
        area: "rural".into(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: 0,
        deprived: String::new(),
        reasons: String::new(),
        transition: None,
        member_count: 2,
        causes: String::new(),
        decision_number: None,
        decision_date: None,
        effective_date: effective,
        approved_by: "test".into(),
        approved_at: "2020-12-20T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

pub fn actor(role: Role, unit: &str, tier: Tier, agency: Option<&str>) -> Actor {
    Actor {
        user_id: 1,
        username: format!("{}-{unit}", role.as_str()),
        role,
        unit_code: unit.to_string(),
        unit_tier: tier,
        agency_code: agency.map(str::to_string),
    }
}
