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

// ---------------------------------------------------------------- submissions

const INDICATORS: [&str; 12] = [
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
];
const THREE: [&str; 3] = ["health_insurance", "housing_quality", "sanitation"];

/// The answers of phiếu B for a household, as the form's fields name them.
fn answers(
    village: &str,
    household: &str,
    score_a: &str,
    ticks: &[&str],
    version: &str,
) -> Vec<(String, String)> {
    let mut a = vec![
        ("village".to_string(), village.to_string()),
        (format!("hh_{village}"), household.to_string()),
        ("household".into(), household.into()),
        ("confirm".into(), "yes".into()),
        ("score_a".into(), score_a.into()),
    ];
    for i in INDICATORS {
        a.push((
            format!("b2_{i}"),
            if ticks.contains(&i) { "yes" } else { "no" }.into(),
        ));
    }
    a.push(("surveyed_by".into(), "Trần Văn Quý".into()));
    a.push(("surveyed_on".into(), "2021-09-20".into()));
    a.push(("form_version".into(), version.into()));
    a
}

/// An ODK Central CSV export (.csv.zip) of phiếu B: the main file with Central's system
/// columns, and a repeat's file pointing at its parent by `PARENT_KEY`.
fn odk_csv_zip(form_id: &str, rows: &[(&str, Vec<(String, String)>)]) -> Vec<u8> {
    let fields: Vec<String> = rows[0].1.iter().map(|(k, _)| k.clone()).collect();
    let mut main = String::from("SubmissionDate,");
    main.push_str(&fields.join(","));
    main.push_str(",meta-instanceID,KEY,SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion\n");
    let mut repeat = String::from("member_age,PARENT_KEY,KEY\n");
    for (uuid, values) in rows {
        main.push_str("2021-09-20T08:15:02.123Z,");
        main.push_str(
            &values
                .iter()
                .map(|(_, v)| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(","),
        );
        main.push_str(&format!(
            ",{uuid},{uuid},5,ra-soat-vien-1,0,0,,,collect:abc123,0,ignored\n"
        ));
        repeat.push_str(&format!("46,{uuid},{uuid}/member[1]\n"));
    }
    giamngheo_sheets::xlsform::zip_files(&[
        (format!("{form_id}.csv"), main.into_bytes()),
        (format!("{form_id}-member.csv"), repeat.into_bytes()),
    ])
    .unwrap()
}

async fn surveyed(
    app: &App,
    me: &Actor,
    id: i64,
    household_id: i64,
) -> Option<(String, Option<i32>)> {
    let view = app.review(me, id).await.unwrap();
    let h = view
        .households
        .iter()
        .find(|h| h.household_id == household_id)
        .unwrap();
    h.provisional_status.clone().map(|s| (s, h.score_a))
}

async fn submissions_from_each_tool_update_one_survey_and_queue_bad_rows(store: Store) {
    let app = setup(store, "2021-09-25").await;
    let me = officer(DIEN_MY);
    let (id, binh, duc) = review_with_households(&app).await;
    let version = app.review(&me, id).await.unwrap().review.version;
    app.start_survey(&me, id, version).await.unwrap();
    let bundle = app.survey_forms(&me, id).await.unwrap();
    let v = bundle.forms[1].version.clone();
    let form_id = format!("giamngheo_r{id}_phieu_b");

    // ODK Central, CSV export: Bình's household is poor; a household of Hà Linh and a
    // score of 1400 go to the queue with their reasons.
    let zip = odk_csv_zip(
        &form_id,
        &[
            ("uuid:b1", answers(TRUNG_HOA, "HK-0001", "120", &THREE, &v)),
            ("uuid:x1", answers(TRUNG_HOA, "HL-0001", "120", &THREE, &v)),
            ("uuid:d1", answers(HA_LAM, "HK-0002", "1400", &[], &v)),
        ],
    );
    let s = app
        .import_submissions(&me, id, &format!("{form_id}.csv.zip"), &zip)
        .await
        .unwrap();
    assert_eq!(
        (s.applied, s.updated, s.unchanged, s.queued),
        (1, 0, 0, 2),
        "{s:?}"
    );
    assert!(
        s.reasons
            .iter()
            .any(|r| r.contains("hộ mã «HL-0001» không thuộc đợt rà soát này")),
        "{s:?}"
    );
    assert!(
        s.reasons
            .iter()
            .any(|r| r.contains("score_a = 1400 ngoài khoảng 0–999")),
        "{s:?}"
    );
    assert_eq!(
        surveyed(&app, &me, id, binh).await,
        Some(("poor".into(), Some(120)))
    );
    assert_eq!(surveyed(&app, &me, id, duc).await, None);
    // The same export again changes nothing.
    let again = app
        .import_submissions(&me, id, &format!("{form_id}.csv.zip"), &zip)
        .await
        .unwrap();
    assert_eq!(
        (again.applied, again.updated, again.unchanged, again.queued),
        (0, 0, 3, 0)
    );

    // ODK Central, OData: Bình's submission edited (score 150, above the rural line):
    // the same survey is updated, under the same stable id.
    let odata = serde_json::json!({
        "@odata.context": format!("https://central.example.vn/v1/projects/3/forms/{form_id}.svc/$metadata#Submissions"),
        "value": [{
            "__id": "uuid:b1",
            "__system": {"submissionDate": "2021-09-21T02:00:00.000Z", "submitterId": "5",
                         "submitterName": "ra-soat-vien-1", "attachmentsPresent": 0, "attachmentsExpected": 0,
                         "status": null, "reviewState": "edited", "deviceId": "collect:abc123", "edits": 1,
                         "formVersion": v},
            "meta": {"instanceID": "uuid:b2", "deprecatedID": "uuid:b1"},
            "village": TRUNG_HOA, "household": "HK-0001", "confirm": "yes", "score_a": 150,
            "b2_employment": "no", "b2_dependants": "no", "b2_nutrition": "no", "b2_health_insurance": "yes",
            "b2_adult_education": "no", "b2_school_attendance": "no", "b2_housing_quality": "yes",
            "b2_housing_area": "no", "b2_water": "no", "b2_sanitation": "yes", "b2_telecom": "no",
            "b2_info_means": "no", "surveyed_by": "Trần Văn Quý", "surveyed_on": "2021-09-21",
            "form_version": v
        }]
    });
    let s = app
        .import_submissions(&me, id, "Submissions.json", odata.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!((s.applied, s.updated, s.queued), (0, 1, 0), "{s:?}");
    assert_eq!(
        surveyed(&app, &me, id, binh).await,
        Some(("not_poor".into(), Some(150)))
    );

    // KoboToolbox, data API JSON: Đức's household (the one queued for 1400) surveyed
    // again on the phone and corrected, then edited once more; one survey, the last.
    let kobo = |uuid: &str, deprecated: Option<&str>, score: &str| {
        let mut e = serde_json::Map::new();
        e.insert("_id".into(), 101.into());
        e.insert("_uuid".into(), uuid.into());
        e.insert("formhub/uuid".into(), "f0a1".into());
        e.insert("__version__".into(), "vKoboDeploy1".into());
        e.insert("_xform_id_string".into(), form_id.clone().into());
        e.insert("_submission_time".into(), "2021-09-22T03:00:00".into());
        e.insert("meta/instanceID".into(), format!("uuid:{uuid}").into());
        e.insert("meta/rootUuid".into(), "uuid:k1".into());
        if let Some(d) = deprecated {
            e.insert("meta/deprecatedID".into(), d.into());
        }
        for (k, val) in answers(HA_LAM, "HK-0002", score, &[], &v) {
            e.insert(k, val.into());
        }
        serde_json::Value::Object(e)
    };
    let page = serde_json::json!({"count": 1, "next": null, "previous": null, "results": [kobo("k1", None, "100")]});
    let s = app
        .import_submissions(&me, id, "kobo.json", page.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!((s.applied, s.queued), (1, 0), "{s:?}");
    assert_eq!(
        surveyed(&app, &me, id, duc).await,
        Some(("near_poor".into(), Some(100)))
    );
    let page = serde_json::json!({"count": 1, "next": null, "previous": null,
        "results": [kobo("k2", Some("uuid:k1"), "110")]});
    let s = app
        .import_submissions(&me, id, "kobo.json", page.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!((s.applied, s.updated), (0, 1), "{s:?}");
    assert_eq!(
        surveyed(&app, &me, id, duc).await,
        Some(("near_poor".into(), Some(110)))
    );

    // KoboToolbox, CSV export (`;`-separated): a submission made on an older form is
    // queued, naming both versions.
    let mut csv = String::from("_uuid;_submission_time;_xform_id_string;meta/instanceID");
    let old = answers(HA_LAM, "HK-0002", "90", &[], "0000aaaa0000");
    for (k, _) in &old {
        csv.push(';');
        csv.push_str(k);
    }
    csv.push_str(&format!("\nk9;2021-09-23T01:00:00;{form_id};uuid:k9"));
    for (_, val) in &old {
        csv.push(';');
        csv.push_str(val);
    }
    csv.push('\n');
    let s = app
        .import_submissions(&me, id, "kobo.csv", csv.as_bytes())
        .await
        .unwrap();
    assert_eq!(s.queued, 1, "{s:?}");
    assert!(
        s.reasons[0].contains("phiếu phiên bản «0000aaaa0000»"),
        "{s:?}"
    );
    assert_eq!(
        surveyed(&app, &me, id, duc).await,
        Some(("near_poor".into(), Some(110)))
    );

    // Every submission is kept, one row per stable id; the queue says why.
    let kept = app.survey_submissions(&me, id).await.unwrap();
    let mut rows: Vec<(String, String, String)> = kept
        .iter()
        .map(|r| (r.stable_id.clone(), r.tool.clone(), r.status.clone()))
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ("uuid:b1", "odk", "applied"),
            ("uuid:d1", "odk", "queued"),
            ("uuid:k1", "kobo", "applied"),
            ("uuid:k9", "kobo", "queued"),
            ("uuid:x1", "odk", "queued"),
        ]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    // A file that is no export is refused whole, naming the problem.
    assert!(matches!(
        app.import_submissions(&me, id, "x.csv", b"a,b\n1,2\n").await,
        Err(AppError::Invalid { field, .. }) if field == "file"
    ));
    // Another commune's officer finds no such review.
    assert!(matches!(
        app.import_submissions(
            &officer(HA_LINH),
            id,
            "kobo.json",
            page.to_string().as_bytes()
        )
        .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.survey_submissions(&officer(HA_LINH), id).await,
        Err(AppError::NotFound(_))
    ));
}
app_test!(submissions_from_each_tool_update_one_survey_and_queue_bad_rows);
