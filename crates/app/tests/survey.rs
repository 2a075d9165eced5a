//! The field survey offline (issue 18) through the app layer, on SQLite, PostgreSQL and
//! Citus: the reviews a survey tool lists, and who may list them; the forms handed to
//! ODK Collect and KoboCollect, checked by pyxform itself.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::{App, AppError, Clock, Config};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{ClassificationFields, Store};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use giamngheo_store::store_test as app_test;

/// Xã Điền Mỹ (18499) and Xã Hà Linh (18502) of Huyện Hương Khê (444), Tỉnh Hà Tĩnh (42).
const DIEN_MY: &str = "18499";
const HA_LINH: &str = "18502";
const TRUNG_HOA: &str = "18499001";
const HA_LAM: &str = "18499002";

struct MovableClock(Mutex<DateTime<Utc>>);

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

async fn setup(store: Store, today: &str) -> App {
    let clock = Arc::new(MovableClock(Mutex::new(
        day(today).and_hms_opt(2, 0, 0).unwrap().and_utc(),
    )));
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        clock,
    );
    let units = "code,name,kind,level,parent_code\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 444,Huyện Hương Khê,Huyện,2,42\n\
                 18499,Xã Điền Mỹ,Xã,3,444\n\
                 18502,Xã Hà Linh,Xã,3,444\n";
    app.import_units(
        units.as_bytes(),
        &giamngheo_app::units::UnitImportOptions {
            valid_from: day("2020-01-01"),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    let villages = "commune_code,name,kind\n\
                    18499,Thôn Trung Hòa,Thôn\n\
                    18499,Thôn Hạ Lâm,Thôn\n\
                    18502,Thôn Bắc Hà,Thôn\n";
    app.import_villages_as_system(villages.as_bytes())
        .await
        .unwrap();
    app
}

fn actor(role: Role, unit: &str, tier: Tier) -> Actor {
    Actor {
        user_id: 1,
        username: format!("{}-{unit}", role.as_str()),
        role,
        unit_code: unit.to_string(),
        unit_tier: tier,
        agency_code: None,
    }
}

fn officer(commune: &str) -> Actor {
    actor(Role::CommuneOfficer, commune, Tier::Commune)
}

fn district_office() -> Actor {
    actor(Role::Office, "444", Tier::District)
}

/// A household of one: its head, born in `born`.
async fn family(app: &App, me: &Actor, code: &str, village: &str, head: &str, born: i32) -> i64 {
    app.create_household(
        me,
        HouseholdDraft {
            code: code.into(),
            village_code: village.into(),
            address: "Xóm 1".into(),
            water_source: Some("drilled_well".into()),
            members: vec![MemberDraft {
                full_name: head.into(),
                sex: Some(Sex::Male),
                birth_year: Some(born),
                ethnicity: "01".into(),
                relation: "head".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn two_reviews(app: &App) -> (i64, i64) {
    let dien_my = app
        .open_periodic_review(&officer(DIEN_MY), DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let ha_linh = app
        .open_periodic_review(&officer(HA_LINH), HA_LINH, 2022, "vn-2022")
        .await
        .unwrap();
    (dien_my, ha_linh)
}

async fn reviews_are_listed_below_a_unit_within_the_actors_area(store: Store) {
    let app = setup(store, "2021-09-06").await;
    let _ = family(
        &app,
        &officer(DIEN_MY),
        "HK-1",
        TRUNG_HOA,
        "Lê Văn Bình",
        1970,
    )
    .await;
    let _ = family(&app, &officer(DIEN_MY), "HK-2", HA_LAM, "Hồ Văn Đức", 1980).await;
    let (dien_my, ha_linh) = two_reviews(&app).await;

    // The district office sees both communes' reviews, by district or by province it
    // may not reach.
    let all = app
        .reviews_below(&district_office(), Some("444"), Some(2022))
        .await
        .unwrap();
    let ids: Vec<(i64, &str, i32, &str, &str)> = all
        .iter()
        .map(|r| {
            (
                r.id,
                r.commune_code.as_str(),
                r.period,
                r.kind.as_str(),
                r.step.as_str(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        vec![
            (dien_my, DIEN_MY, 2022, "periodic", "listing"),
            (ha_linh, HA_LINH, 2022, "periodic", "listing"),
        ]
    );
    // Another period has none; no period means every period.
    assert!(
        app.reviews_below(&district_office(), Some("444"), Some(2023))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.reviews_below(&district_office(), None, None)
            .await
            .unwrap()
            .len(),
        2
    );
    // A commune officer sees their commune's review only, and the district is outside
    // their area: not found, as every read outside one's area.
    let own = app
        .reviews_below(&officer(DIEN_MY), None, None)
        .await
        .unwrap();
    assert_eq!(own.iter().map(|r| r.id).collect::<Vec<_>>(), vec![dien_my]);
    assert!(matches!(
        app.reviews_below(&officer(DIEN_MY), Some("444"), None)
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.reviews_below(&officer(DIEN_MY), Some(HA_LINH), None)
            .await,
        Err(AppError::NotFound(_))
    ));
    // A village has no reviews below it: a clear refusal.
    assert!(matches!(
        app.reviews_below(&officer(DIEN_MY), Some(TRUNG_HOA), None)
            .await,
        Err(AppError::Invalid { .. })
    ));
}
app_test!(reviews_are_listed_below_a_unit_within_the_actors_area);

/// A status decided before the review (the commune's lists on paper).
async fn baseline(app: &App, household_id: i64, period: i32, status: &str) {
    let h = app.store().household(household_id).await.unwrap().unwrap();
    let row = ClassificationFields {
        household_id,
        province_code: h.fields.province_code.clone(),
        district_code: h.fields.district_code.clone(),
        commune_code: h.fields.commune_code.clone(),
        village_code: h.fields.village_code.clone(),
        period,
        standard: "vn-2016".into(),
        kind: "baseline".into(),
        review_id: None,
        status: status.into(),
        area: h.fields.area.clone(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: 0,
        deprived: String::new(),
        reasons: String::new(),
        transition: None,
        member_count: h.fields.member_count,
        causes: String::new(),
        decision_number: Some(format!("{period}/QĐ-UBND")),
        decision_date: Some(NaiveDate::from_ymd_opt(period - 1, 12, 20).unwrap()),
        effective_date: NaiveDate::from_ymd_opt(period, 1, 1).unwrap(),
        approved_by: "paper".into(),
        approved_at: format!("{}-12-20T00:00:00Z", period - 1),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    };
    app.store()
        .insert_classifications(&[row], &[], Utc::now())
        .await
        .unwrap();
}

/// Whether pyxform's `xls2xform` can be run here; CI installs it (`.ci/run`).
fn pyxform_available() -> bool {
    Command::new("xls2xform")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Converts a form with pyxform, running ODK Validate too when Java is there, and
/// returns the XForm XML; a form pyxform refuses fails the test with its message.
fn xls2xform(xlsx: &Path) -> String {
    let xml = xlsx.with_extension("xml");
    let out = Command::new("xls2xform")
        .arg(xlsx)
        .arg(&xml)
        .output()
        .expect("xls2xform runs");
    assert!(
        out.status.success(),
        "pyxform refused {}:\n{}\n{}",
        xlsx.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&xml).unwrap()
}

/// A review of Điền Mỹ for 2022 with a poor household of three in Trung Hòa and a
/// near-poor household of one in Hạ Lâm; Hà Linh has a household of its own.
async fn review_with_households(app: &App) -> (i64, i64, i64) {
    let me = officer(DIEN_MY);
    let binh = app
        .create_household(
            &me,
            HouseholdDraft {
                code: "HK-0001".into(),
                village_code: TRUNG_HOA.into(),
                address: "Xóm 1".into(),
                water_source: Some("drilled_well".into()),
                members: [
                    ("Lê Văn Bình", 1975, "head"),
                    ("Hồ Thị Lan", 1978, "spouse"),
                    ("Lê Văn An", 2010, "child"),
                ]
                .into_iter()
                .map(|(name, born, relation)| MemberDraft {
                    full_name: name.into(),
                    sex: Some(if name.contains(" Thị ") {
                        Sex::Female
                    } else {
                        Sex::Male
                    }),
                    birth_year: Some(born),
                    ethnicity: "01".into(),
                    relation: relation.into(),
                    ..Default::default()
                })
                .collect(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let duc = family(app, &me, "HK-0002", HA_LAM, "Hồ Văn Đức", 1950).await;
    let other = family(
        app,
        &officer(HA_LINH),
        "HL-0001",
        "18502001",
        "Trần Văn Hải",
        1960,
    )
    .await;
    baseline(app, binh, 2021, "poor").await;
    baseline(app, duc, 2021, "near_poor").await;
    baseline(app, other, 2021, "poor").await;
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    (id, binh, duc)
}

async fn the_forms_of_a_review_convert_with_pyxform_and_their_lists_load(store: Store) {
    let app = setup(store, "2021-09-06").await;
    let (id, _, _) = review_with_households(&app).await;
    let bundle = app.survey_forms(&officer(DIEN_MY), id).await.unwrap();
    let names: Vec<String> = bundle.files().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "phieu_a.xlsx",
            "phieu_b.xlsx",
            "hh_18499001.csv",
            "hh_18499002.csv"
        ]
    );
    // Each village's list: the review's households of that village only, with the facts
    // the reviewer confirms; Hà Linh's household is in no list.
    let lists: Vec<Vec<Vec<String>>> = bundle
        .attachments
        .iter()
        .map(|(_, bytes)| {
            let mut r = csv::Reader::from_reader(bytes.as_slice());
            assert_eq!(
                r.headers().unwrap().iter().collect::<Vec<_>>(),
                ["name", "label", "head_name", "ages", "current_class"]
            );
            r.records()
                .map(|row| row.unwrap().iter().map(str::to_string).collect())
                .collect()
        })
        .collect();
    assert_eq!(
        lists,
        vec![
            vec![vec![
                "HK-0001".to_string(),
                "HK-0001 — Lê Văn Bình".into(),
                "Lê Văn Bình".into(),
                "46, 43, 11".into(),
                "hộ nghèo".into(),
            ]],
            vec![vec![
                "HK-0002".to_string(),
                "HK-0002 — Hồ Văn Đức".into(),
                "Hồ Văn Đức".into(),
                "71".into(),
                "hộ cận nghèo".into(),
            ]],
        ]
    );
    // The version is the form's content: asking again gives the same.
    let again = app.survey_forms(&officer(DIEN_MY), id).await.unwrap();
    assert_eq!(again.forms[1].version, bundle.forms[1].version);
    assert_eq!(bundle.forms[1].form_id, format!("giamngheo_r{id}_phieu_b"));

    // The zip holds the same files.
    let unzipped = giamngheo_sheets::xlsform::unzip(&bundle.zip().unwrap(), 1 << 24).unwrap();
    assert_eq!(unzipped, bundle.files());

    if !pyxform_available() {
        eprintln!(
            "SKIPPED: pyxform (xls2xform) is not installed here, so the forms were not converted; \
             `pip install pyxform` (CI installs it)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in bundle.files() {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let a = xls2xform(&dir.path().join("phieu_a.xlsx"));
    let b = xls2xform(&dir.path().join("phieu_b.xlsx"));
    for xml in [&a, &b] {
        // Each village's list is an attachment the form looks the household up in.
        for v in [TRUNG_HOA, HA_LAM] {
            assert!(
                xml.contains(&format!("src=\"jr://file-csv/hh_{v}.csv\"")),
                "{xml}"
            );
            assert!(
                xml.contains(&format!("instance('hh_{v}')/root/item[name=")),
                "{xml}"
            );
        }
        assert!(xml.contains("lang=\"Tiếng Việt (vi)\" default=\"true()\""));
        assert!(xml.contains("lang=\"English (en)\""));
    }
    assert!(a.contains(&format!("id=\"giamngheo_r{id}_phieu_a\"")));
    assert!(b.contains(&format!("version=\"{}\"", bundle.forms[1].version)));
    // Phiếu B under vn-2022: score A bounded, and the twelve indicators with their
    // definitions as hints, each marked as a threshold to confirm.
    assert!(
        b.contains("/data/score_a\" type=\"int\" required=\"true()\""),
        "{b}"
    );
    assert!(
        b.contains("constraint=\". &gt;= 0 and . &lt;= 999\""),
        "{b}"
    );
    for code in [
        "employment",
        "dependants",
        "nutrition",
        "health_insurance",
        "adult_education",
        "school_attendance",
        "housing_quality",
        "housing_area",
        "water",
        "sanitation",
        "telecom",
        "info_means",
    ] {
        assert!(b.contains(&format!("/data/b2_{code}:hint")), "{code}");
    }
    assert!(b.contains("(ngưỡng cần xác nhận) Thiếu hụt khi có ít nhất 1 thành viên từ 6 tuổi trở lên không có bảo hiểm y tế"));
    assert!(b.contains("Ngưỡng vn-2022: nông thôn 140 điểm, thành thị 175 điểm"));
}
app_test!(the_forms_of_a_review_convert_with_pyxform_and_their_lists_load);

async fn forms_stay_within_the_actors_area(store: Store) {
    let app = setup(store, "2021-09-06").await;
    let (id, _, _) = review_with_households(&app).await;
    assert!(matches!(
        app.survey_forms(&officer(HA_LINH), id).await,
        Err(AppError::NotFound(m)) if !m.contains("Bình")
    ));
    assert!(matches!(
        app.survey_forms(&actor(Role::ProvinceViewer, "42", Tier::Province), id)
            .await,
        Err(AppError::Forbidden(_)) | Err(AppError::NotFound(_))
    ));
    assert!(app.survey_forms(&district_office(), id).await.is_ok());
}
app_test!(forms_stay_within_the_actors_area);
