//! The dashboard through the app layer on SQLite and PostgreSQL: rates by commune, the
//! trend, the deprivation profile, review progress, access, and the GeoJSON boundary
//! upload (the parser's answers to good and bad files, unknown codes, the audit entry).

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::dashboard::{BoundaryProblem, parse_boundaries};
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::review::Step;
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{ClassificationFields, NewReview, Store};
use std::sync::Arc;

// The store's macro runs each test on SQLite and, when it is reachable, PostgreSQL.
use giamngheo_store::store_test as app_test;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn setup(store: Store) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2022-06-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    // The configuration gains fields as features land; the update keeps this test
    // independent of them.
    #[allow(clippy::needless_update)]
    let config = Config {
        hierarchy: Hierarchy::four_levels(),
        ..Config::default()
    };
    let app = App::new(store, config, Arc::new(FixedClock(now)));
    let units = "code,name,kind,level,parent_code\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 444,Huyện Hương Khê,Huyện,2,42\n\
                 18499,Xã Điền Mỹ,Xã,3,444\n\
                 18502,Xã Hà Linh,Xã,3,444\n\
                 445,Huyện Vũ Quang,Huyện,2,42\n\
                 18550,Xã Hương Minh,Xã,3,445\n";
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
    let villages = "commune_code,name,kind\n\
                    18499,Thôn Trung Hòa,Thôn\n\
                    18502,Thôn Bắc Hà,Thôn\n";
    app.import_villages_as_system(villages.as_bytes())
        .await
        .unwrap();
    app
}

/// A household of the fixture: code, village, 2021 status, 2022 status and deprivations.
type Fixture = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<(&'static str, &'static str)>,
);

const HOUSEHOLDS: &[Fixture] = &[
    (
        "DM01",
        "18499001",
        Some("poor"),
        Some(("poor", "water,sanitation")),
    ),
    (
        "DM02",
        "18499001",
        Some("poor"),
        Some(("near_poor", "water")),
    ),
    ("DM03", "18499001", None, Some(("not_poor", ""))),
    ("DM04", "18499001", None, None),
    (
        "HL01",
        "18502001",
        Some("near_poor"),
        Some(("poor", "water")),
    ),
    ("HL02", "18502001", None, None),
];

fn classification(
    id: i64,
    village: &str,
    period: i32,
    status: &str,
    deprived: &str,
) -> ClassificationFields {
    ClassificationFields {
        household_id: id,
        province_code: "42".into(),
        district_code: Some("444".into()),
        commune_code: village[..5].to_string(),
        village_code: village.to_string(),
        period,
        standard: if period <= 2021 { "vn-2016" } else { "vn-2022" }.into(),
        kind: "baseline".into(),
        review_id: None,
        status: status.into(),
        area: "rural".into(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: deprived.split(',').filter(|s| !s.is_empty()).count() as i32,
        deprived: deprived.into(),
        reasons: String::new(),
        transition: None,
        member_count: 2,
        causes: String::new(),
        decision_number: None,
        decision_date: None,
        effective_date: date(period - 1, 12, 20),
        approved_by: "test".into(),
        approved_at: "2021-12-20T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

async fn build(app: &App) {
    let drafts: Vec<DraftInput> = HOUSEHOLDS
        .iter()
        .map(|(code, village, _, _)| {
            DraftInput::form(HouseholdDraft {
                code: code.to_string(),
                village_code: village.to_string(),
                address: "Xóm 1".into(),
                members: vec![MemberDraft {
                    full_name: format!("Nguyễn Văn {code}"),
                    sex: Some(Sex::Male),
                    birth_year: Some(1970),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    ..Default::default()
                }],
                ..Default::default()
            })
        })
        .collect();
    let ids = app
        .create_households(By::System, drafts, "test")
        .await
        .unwrap();
    let mut rows = Vec::new();
    for ((_, village, y2021, y2022), id) in HOUSEHOLDS.iter().zip(&ids) {
        if let Some(s) = y2021 {
            rows.push(classification(*id, village, 2021, s, ""));
        }
        if let Some((s, d)) = y2022 {
            rows.push(classification(*id, village, 2022, s, d));
        }
    }
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    app.store()
        .insert_review(
            &NewReview {
                province_code: "42".into(),
                district_code: Some("444".into()),
                commune_code: "18499".into(),
                kind: "periodic".into(),
                period: 2022,
                standard: "vn-2022".into(),
                opened_on: date(2022, 9, 1),
                due_on: date(2022, 12, 15),
                posting_days: 3,
                created_by: "test".into(),
            },
            &[],
            &[],
            Utc::now(),
        )
        .await
        .unwrap();
}

fn actor(role: Role, unit: &str, tier: Tier) -> Actor {
    Actor {
        user_id: 1,
        username: format!("{role}.{unit}"),
        role,
        unit_code: unit.into(),
        unit_tier: tier,
        agency_code: None,
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

async fn rates_trend_profile_and_progress(store: Store) {
    let app = setup(store).await;
    build(&app).await;
    let viewer = actor(Role::ProvinceViewer, "42", Tier::Province);
    let d = app.dashboard(&viewer, "444", None).await.unwrap();
    // The latest period with classifications is the default.
    assert_eq!(d.period, Some(2022));
    assert_eq!(d.periods, vec![2021, 2022]);
    assert!(d.has_data);
    assert_eq!(d.standard.as_deref(), Some("vn-2022"));
    assert!(!d.can_upload);
    // Communes in official code order; rates over the registry's households.
    let codes: Vec<&str> = d.rates.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, vec!["18499", "18502"]);
    let dm = &d.rates[0];
    assert_eq!((dm.households, dm.poor, dm.near_poor), (4, 1, 1));
    assert!(close(dm.poor_rate, 25.0) && close(dm.near_poor_rate, 25.0));
    let hl = &d.rates[1];
    assert!(close(hl.poor_rate, 50.0) && close(hl.near_poor_rate, 0.0));
    let total = d.total.as_ref().unwrap();
    assert_eq!((total.households, total.poor), (6, 2));
    // The trend: 2021 had two poor and one near-poor household of the six.
    assert_eq!(d.trend.len(), 2);
    assert!(close(d.trend[0].poor_rate, 200.0 / 6.0));
    assert!(close(d.trend[0].near_poor_rate, 100.0 / 6.0));
    assert!(close(d.trend[1].poor_rate, 200.0 / 6.0));
    // The deprivation profile uses the period's standard: both poor households lack
    // water, one sanitation, none employment.
    assert_eq!(d.poor_households, 2);
    assert_eq!(d.deprivation.len(), 12);
    let share = |code: &str| d.deprivation.iter().find(|x| x.code == code).unwrap().share;
    assert!(close(share("water"), 100.0));
    assert!(close(share("sanitation"), 50.0));
    assert!(close(share("employment"), 0.0));
    let water = d.deprivation.iter().find(|x| x.code == "water").unwrap();
    assert!(water.name_vi.starts_with('N'), "{}", water.name_vi);
    // Review progress: Điền Mỹ has a review at the listing step, Hà Linh none.
    assert_eq!(d.progress.len(), 2);
    assert_eq!(d.progress[0].current(), Some(Step::Listing));
    assert_eq!(d.progress[1].current(), None);
    assert!(d.map.is_empty());

    // An earlier year is shown on request; a year without classifications says so and
    // carries no figures.
    let d2021 = app.dashboard(&viewer, "444", Some(2021)).await.unwrap();
    assert_eq!(d2021.standard.as_deref(), Some("vn-2016"));
    assert!(close(d2021.rates[0].poor_rate, 50.0));
    let empty = app.dashboard(&viewer, "444", Some(2019)).await.unwrap();
    assert!(!empty.has_data);
    assert!(empty.rates.is_empty() && empty.total.is_none() && empty.deprivation.is_empty());

    // A unit with no classifications at all has no period.
    let other = app.dashboard(&viewer, "445", None).await.unwrap();
    assert_eq!(other.period, None);
    assert!(!other.has_data);

    // A commune's dashboard shows its villages; a province's its districts.
    let commune = app.dashboard(&viewer, "18499", Some(2022)).await.unwrap();
    assert_eq!(commune.rates.len(), 1);
    assert!(close(commune.total.unwrap().poor_rate, 25.0));
    let province = app.dashboard(&viewer, "42", None).await.unwrap();
    assert_eq!(
        province
            .rates
            .iter()
            .map(|r| r.code.as_str())
            .collect::<Vec<_>>(),
        vec!["444", "445"]
    );
    assert_eq!(province.progress.len(), 3);
    // The province's figures for a district, summed from its communes, are the
    // district's own, and so is the deprivation profile (only 444 has classifications).
    let district = app.dashboard(&viewer, "444", Some(2022)).await.unwrap();
    let province = app.dashboard(&viewer, "42", Some(2022)).await.unwrap();
    let in_province = province.rates.iter().find(|r| r.code == "444").unwrap();
    let own = district.total.clone().unwrap();
    assert_eq!(
        (
            in_province.households,
            in_province.poor,
            in_province.near_poor
        ),
        (own.households, own.poor, own.near_poor)
    );
    assert!(own.poor > 0);
    assert_eq!(province.deprivation, district.deprivation);
    assert_eq!(province.poor_households, district.poor_households);
}
app_test!(rates_trend_profile_and_progress);

async fn nobody_sees_another_area(store: Store) {
    let app = setup(store).await;
    build(&app).await;
    let officer = actor(Role::CommuneOfficer, "18502", Tier::Commune);
    assert!(app.dashboard(&officer, "18502", None).await.is_ok());
    for unit in ["18499", "444", "42", "445", "99999"] {
        assert!(
            matches!(
                app.dashboard(&officer, unit, None).await,
                Err(AppError::NotFound(_))
            ),
            "{unit}"
        );
    }
}
app_test!(nobody_sees_another_area);

const GOOD: &str = r#"{"type": "FeatureCollection", "features": [
  {"type": "Feature", "properties": {"ma_xa": "18499", "ten": "Điền Mỹ"},
   "geometry": {"type": "Polygon", "coordinates": [[[105.70, 18.10], [105.80, 18.10], [105.80, 18.20], [105.70, 18.20], [105.70, 18.10]]]}},
  {"type": "Feature", "properties": {"ma_xa": 18502},
   "geometry": {"type": "MultiPolygon", "coordinates": [
     [[[105.80, 18.10], [105.90, 18.10], [105.90, 18.20], [105.80, 18.10]]],
     [[[105.95, 18.10], [106.00, 18.10], [106.00, 18.15], [105.95, 18.10]]]]}}
]}"#;

#[test]
fn a_good_file_reads_with_numeric_codes_padded() {
    let b = parse_boundaries(GOOD.as_bytes(), "ma_xa").unwrap();
    assert_eq!(b.len(), 2);
    assert_eq!(b[0].code, "18499");
    assert!(b[0].geometry.contains("\"Polygon\""));
    // Other members of the feature are not stored.
    assert!(!b[0].geometry.contains("Điền Mỹ"));
    assert_eq!(b[1].code, "18502");
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), GOOD.as_bytes()].concat();
    assert!(parse_boundaries(&with_bom, "ma_xa").is_ok());
    let small = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":1},
      "geometry":{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]}}]}"#;
    assert_eq!(
        parse_boundaries(small.as_bytes(), "code").unwrap()[0].code,
        "00001"
    );
}

#[test]
fn bad_json_is_refused_with_its_position() {
    let bad =
        "{\"type\": \"FeatureCollection\",\n \"features\": [\n  {\"type\": \"Feature\",, }\n]}";
    let problems = parse_boundaries(bad.as_bytes(), "ma_xa").unwrap_err();
    match &problems[0] {
        BoundaryProblem::Json { line, column, .. } => {
            assert_eq!(*line, 3);
            assert_eq!(*column, 22);
        }
        other => panic!("{other:?}"),
    }
    assert!(problems[0].to_string().contains("dòng 3, cột 22"));
    assert_eq!(
        parse_boundaries(b"[1, 2]", "ma_xa").unwrap_err(),
        vec![BoundaryProblem::NotFeatureCollection]
    );
    let big = vec![b' '; giamngheo_app::dashboard::MAX_BOUNDARY_BYTES + 1];
    assert!(matches!(
        parse_boundaries(&big, "ma_xa").unwrap_err()[0],
        BoundaryProblem::TooLarge { .. }
    ));
}

#[test]
fn every_feature_without_the_code_or_a_good_shape_is_named() {
    let file = r#"{"type": "FeatureCollection", "features": [
      {"type": "Feature", "properties": {"code": "18499"},
       "geometry": {"type": "Polygon", "coordinates": [[[105.7, 18.1], [105.8, 18.1], [105.8, 18.2], [105.7, 18.1]]]}},
      {"type": "Feature", "properties": {"ma_xa": "18502"},
       "geometry": {"type": "Point", "coordinates": [105.7, 18.1]}},
      {"type": "Feature", "properties": {"ma_xa": "18550"},
       "geometry": {"type": "Polygon", "coordinates": [[[105.7, 18.1], [105.8, 18.1]]]}}
    ]}"#;
    let problems = parse_boundaries(file.as_bytes(), "ma_xa").unwrap_err();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert_eq!(
        problems[0],
        BoundaryProblem::MissingProperty {
            feature: 1,
            property: "ma_xa".into()
        }
    );
    assert!(problems[0].to_string().contains("đối tượng thứ 1"));
    assert!(
        matches!(&problems[1], BoundaryProblem::BadGeometry { feature: 2, code, .. } if code == "18502")
    );
    assert!(matches!(
        &problems[2],
        BoundaryProblem::BadGeometry { feature: 3, .. }
    ));
}

async fn boundaries_upload_and_draw_the_map(store: Store) {
    let app = setup(store).await;
    build(&app).await;
    let office = actor(Role::Office, "444", Tier::District);
    // Codes of another district's commune and of no unit are listed; nothing is stored.
    let foreign = GOOD
        .replace("\"18499\"", "\"18550\"")
        .replace("18502", "77777");
    let err = app
        .upload_boundaries(&office, None, "ma_xa", foreign.as_bytes())
        .await
        .unwrap_err();
    match err {
        AppError::Invalid { field, message } => {
            assert_eq!(field, "file");
            assert!(message.contains("18550, 77777"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        app.dashboard(&office, "444", None)
            .await
            .unwrap()
            .map
            .is_empty()
    );
    // A file that is no JSON text (an SVG named .geojson) is refused by its bytes,
    // naming what is accepted.
    let svg = "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
    match app
        .upload_boundaries(&office, None, "ma_xa", svg.as_bytes())
        .await
    {
        Err(AppError::Invalid { field, message }) => {
            assert_eq!(field, "file");
            assert!(message.contains("chỉ nhận tệp JSON (GeoJSON)"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    // Only an administrator or the labour office uploads.
    let officer = actor(Role::CommuneOfficer, "18499", Tier::Commune);
    assert!(matches!(
        app.upload_boundaries(&officer, None, "ma_xa", GOOD.as_bytes())
            .await,
        Err(AppError::Forbidden(_))
    ));
    let viewer = actor(Role::ProvinceViewer, "42", Tier::Province);
    assert!(matches!(
        app.upload_boundaries(&viewer, Some("444"), "ma_xa", GOOD.as_bytes())
            .await,
        Err(AppError::Forbidden(_))
    ));

    let n = app
        .upload_boundaries(&office, None, "ma_xa", GOOD.as_bytes())
        .await
        .unwrap();
    assert_eq!(n, 2);
    let d = app.dashboard(&office, "444", None).await.unwrap();
    assert!(d.can_upload);
    assert_eq!(d.map.len(), 2);
    assert_eq!(d.map[0].name, "Xã Điền Mỹ");
    assert!(close(d.map[0].poor_rate, 25.0));
    assert_eq!(d.map[1].polygons.len(), 2);
    // The province's map shows the same communes with their rates.
    let p = app.dashboard(&viewer, "42", None).await.unwrap();
    assert_eq!(p.map.len(), 2);
    assert!(close(p.map[1].poor_rate, 50.0));

    let (log, _) = app.store().audit_log(10, 0).await.unwrap();
    let entry = log
        .iter()
        .find(|r| r.entry.action == "boundary.upload")
        .expect("an audit entry");
    assert_eq!(entry.entry.unit_code.as_deref(), Some("444"));
    assert!(entry.entry.changes.contains("\"new\":\"18499, 18502\""));
    assert!(entry.entry.changes.contains("\"old\":null"));
    // A second upload replaces the boundaries and says which it replaced.
    app.upload_boundaries(&office, Some("444"), "ma_xa", GOOD.as_bytes())
        .await
        .unwrap();
    let (log, _) = app.store().audit_log(1, 0).await.unwrap();
    assert!(log[0].entry.changes.contains("\"old\":\"18499, 18502\""));
    assert_eq!(
        app.dashboard(&office, "444", None).await.unwrap().map.len(),
        2
    );
}
app_test!(boundaries_upload_and_draw_the_map);

/// Each classification is written once, whole (its snapshot and its span computed in
/// the insert), and the per-commune counts the trend reads stay equal to a count of the
/// rows through corrections dated back and forward, so that the trend is the same as
/// counting the classifications on any day.
async fn classifications_are_written_once_and_counted_as_they_are_written(store: Store) {
    let app = setup(store).await;
    build(&app).await;
    let store = app.store();
    let rows =
        giamngheo_store::testing::query_i64(store, "SELECT COUNT(*) FROM classifications").await;
    assert_eq!(rows, 7);
    if store.backend() == giamngheo_store::Backend::Postgres {
        // An updated row leaves its old version behind and lives further on in the
        // page: written once, the seven rows are the page's first seven items.
        let moved = giamngheo_store::testing::query_i64(
            store,
            "SELECT COUNT(*) FROM classifications \
             WHERE (ctid::text::point)[0] > 0 OR (ctid::text::point)[1] > 7",
        )
        .await;
        assert_eq!(
            moved, 0,
            "classification rows were rewritten after their insert"
        );
    }
    // The snapshot is computed in the insert: every fixture head is a man of working
    // age, with no children.
    let snapshot = giamngheo_store::testing::query_i64(
        store,
        "SELECT COUNT(*) FROM classifications WHERE no_labour = FALSE AND children = 0 \
         AND head_ethnicity = '01' AND valid_until IS NULL",
    )
    .await;
    assert_eq!(snapshot, 7);
    assert!(
        store
            .classification_count_mismatches()
            .await
            .unwrap()
            .is_empty()
    );

    // DM02 (poor in 2021, effective 20/12/2020) is corrected twice for 2021: once dated
    // back before its row, once dated forward. The rows' spans and the counts follow.
    let dm02 = store
        .household_by_code("18499", "DM02")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut back = classification(dm02, "18499001", 2021, "near_poor", "");
    back.effective_date = date(2020, 6, 1);
    let mut forward = classification(dm02, "18499001", 2021, "not_poor", "");
    forward.effective_date = date(2021, 3, 1);
    store
        .insert_classifications(&[back], &[], Utc::now())
        .await
        .unwrap();
    store
        .insert_classifications(&[forward], &[], Utc::now())
        .await
        .unwrap();
    let spans = giamngheo_store::testing::query_i64(
        store,
        &format!(
            "SELECT COUNT(*) FROM classifications WHERE household_id = {dm02} AND period = 2021 AND \
             ((status = 'near_poor' AND CAST(valid_until AS TEXT) = '2020-12-20') OR \
              (status = 'poor' AND CAST(valid_until AS TEXT) = '2021-03-01') OR \
              (status = 'not_poor' AND valid_until IS NULL))"
        ),
    )
    .await;
    assert_eq!(spans, 3);
    assert_eq!(
        store.classification_count_mismatches().await.unwrap(),
        Vec::new()
    );
    // On any day, the trend from the counts equals a count of the rows holding then.
    for day in [
        date(2020, 7, 1),
        date(2020, 12, 20),
        date(2021, 2, 1),
        date(2021, 3, 1),
        date(2022, 6, 1),
    ] {
        for (column, code) in [
            ("village_code", "18499001"),
            ("commune_code", "18499"),
            ("district_code", "444"),
            ("province_code", "42"),
        ] {
            let trend = store.status_trend(column, code, day).await.unwrap();
            let mut counted = Vec::new();
            for period in [2021, 2022] {
                for status in ["near_poor", "not_poor", "poor"] {
                    let n = giamngheo_store::testing::query_i64(
                        store,
                        &format!(
                            "SELECT COUNT(*) FROM classifications WHERE {column} = '{code}' \
                             AND period = {period} AND status = '{status}' \
                             AND effective_date <= '{day}' \
                             AND (valid_until IS NULL OR valid_until > '{day}')"
                        ),
                    )
                    .await;
                    if n > 0 {
                        counted.push((period, status.to_string(), n));
                    }
                }
            }
            let mut trend = trend;
            trend.sort();
            assert_eq!(trend, counted, "{column} {code} on {day}");
        }
    }
    // The current status kept on each household (migration 0096) is the row in force of
    // its latest period, after the corrections too: DM02's corrections of 2021 leave it
    // near-poor, as its 2022 row says.
    let differing = giamngheo_store::testing::query_i64(
        store,
        "SELECT COUNT(*) FROM households h WHERE h.current_status IS DISTINCT FROM \
         (SELECT c.status FROM classifications c WHERE c.household_id = h.id \
          AND c.home_province = h.home_province AND c.valid_until IS NULL \
          AND NOT EXISTS (SELECT 1 FROM classifications l WHERE l.household_id = c.household_id \
          AND l.home_province = c.home_province AND l.valid_until IS NULL AND l.period > c.period))",
    )
    .await;
    assert_eq!(differing, 0);
    let dm02_now = giamngheo_store::testing::query_i64(
        store,
        &format!(
            "SELECT COUNT(*) FROM households WHERE id = {dm02} AND current_status = 'near_poor'"
        ),
    )
    .await;
    assert_eq!(dm02_now, 1);
}
app_test!(classifications_are_written_once_and_counted_as_they_are_written);
