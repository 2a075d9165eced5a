//! The set-up shared by the review tests (reviews, review_steps, review_deadlines,
//! review_requests, review_access): a commune of Hà Tĩnh on a clock the test moves, its
//! officers, households and the steps of a review, and the checks of a refusal.
//!
//! Each test binary uses only part of it, so what one leaves unused is not an error.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::reviews::{MeetingInput, RequestInput, ReviewView, SurveyInput};
use giamngheo_app::{App, AppError, Clock, Config};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{ClassificationFields, ReviewHouseholdRecord, Store};
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

/// Xã Điền Mỹ (18499) and Xã Hà Linh (18502) of Huyện Hương Khê (444), Tỉnh Hà Tĩnh (42).
pub const DIEN_MY: &str = "18499";
pub const HA_LINH: &str = "18502";
/// Thôn Trung Hòa and Thôn Hạ Lâm of Điền Mỹ, Thôn Bắc Hà of Hà Linh.
pub const TRUNG_HOA: &str = "18499001";
pub const HA_LAM: &str = "18499002";
pub const BAC_HA: &str = "18502001";

/// A clock the test moves from day to day, as the weeks of a review pass.
pub struct MovableClock(pub Mutex<DateTime<Utc>>);

impl MovableClock {
    pub fn on(date: &str) -> Arc<MovableClock> {
        Arc::new(MovableClock(Mutex::new(morning(date))))
    }

    /// Nine in the morning of `date` in Vietnam.
    pub fn set(&self, date: &str) {
        *self.0.lock().unwrap() = morning(date);
    }
}

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

pub fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

pub fn morning(date: &str) -> DateTime<Utc> {
    day(date).and_hms_opt(2, 0, 0).unwrap().and_utc()
}

pub async fn setup(store: Store, today: &str) -> (App, Arc<MovableClock>) {
    let clock = MovableClock::on(today);
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        clock.clone(),
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
    (app, clock)
}

pub fn actor(role: Role, unit: &str, tier: Tier) -> Actor {
    Actor {
        user_id: 1,
        username: format!("{}-{unit}", role.as_str()),
        role,
        unit_code: unit.to_string(),
        unit_tier: tier,
        agency_code: None,
    }
}

pub fn officer(commune: &str) -> Actor {
    actor(Role::CommuneOfficer, commune, Tier::Commune)
}

/// The district's Fatherland Front: reads everything of the district, acts on nothing.
pub fn front() -> Actor {
    actor(Role::Oversight, "444", Tier::District)
}

pub fn admin() -> Actor {
    actor(Role::Admin, "42", Tier::Province)
}

/// A household of one: its head.
pub async fn family(app: &App, me: &Actor, code: &str, village: &str, head: &str) -> i64 {
    app.create_household(
        me,
        HouseholdDraft {
            code: code.into(),
            village_code: village.into(),
            address: "Xóm 1".into(),
            water_source: Some("drilled_well".into()),
            members: vec![MemberDraft {
                full_name: head.into(),
                sex: Some(if head.contains(" Thị ") {
                    Sex::Female
                } else {
                    Sex::Male
                }),
                birth_year: Some(1975),
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

/// A status decided before the product existed (the commune's lists on paper).
pub async fn baseline(app: &App, household_id: i64, period: i32, standard: &str, status: &str) {
    let h = app.store().household(household_id).await.unwrap().unwrap();
    let row = ClassificationFields {
        household_id,
        province_code: h.fields.province_code.clone(),
        district_code: h.fields.district_code.clone(),
        commune_code: h.fields.commune_code.clone(),
        village_code: h.fields.village_code.clone(),
        period,
        standard: standard.into(),
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

/// Phiếu B as the reviewer brings it back: score A (part B1) and the ticks of part B2.
pub fn phieu_b(score_a: i32, ticks: &[&str], on: &str) -> SurveyInput {
    SurveyInput {
        income_per_capita: None,
        score_a: Some(score_a),
        ticks: ticks.iter().map(|t| t.to_string()).collect(),
        surveyed_by: "Rà soát viên Trần Văn Quý".into(),
        surveyed_on: day(on),
    }
}

/// Three deprivations: poor when score A is at or under the line.
pub const THREE: [&str; 3] = ["health_insurance", "housing_quality", "sanitation"];
pub const FOUR: [&str; 4] = [
    "health_insurance",
    "housing_quality",
    "sanitation",
    "telecom",
];

pub fn request(date: &str, kind: &str, requester: &str) -> RequestInput {
    RequestInput {
        date: day(date),
        channel: "in_person".into(),
        requester: requester.into(),
        kind: kind.into(),
    }
}

pub fn meeting(village: &str, held_on: &str, attendees: u32, agreeing: u32) -> MeetingInput {
    MeetingInput {
        village_code: village.into(),
        held_on: day(held_on),
        attendees,
        agreeing,
        chaired_by: Some("Trưởng thôn".into()),
        minutes: Some((
            "bien-ban.pdf".into(),
            "application/pdf".into(),
            b"%PDF-1.4 bien ban hop dan".to_vec(),
        )),
    }
}

pub fn rh(view: &ReviewView, household_id: i64) -> &ReviewHouseholdRecord {
    view.households
        .iter()
        .find(|h| h.household_id == household_id)
        .unwrap_or_else(|| panic!("household {household_id} is not in the review"))
}

pub async fn version(app: &App, me: &Actor, review_id: i64) -> i64 {
    app.review(me, review_id).await.unwrap().review.version
}

/// Surveys one household of a review with phiếu B, reading its current version first.
pub async fn survey(
    app: &App,
    me: &Actor,
    review_id: i64,
    household_id: i64,
    b: SurveyInput,
) -> String {
    let view = app.review(me, review_id).await.unwrap();
    let h = rh(&view, household_id);
    app.record_survey(me, review_id, h.id, h.version, b)
        .await
        .unwrap()
        .status
        .as_str()
        .to_string()
}

pub async fn screen(app: &App, me: &Actor, review_id: i64, household_id: i64, passed: bool) {
    let view = app.review(me, review_id).await.unwrap();
    let h = rh(&view, household_id);
    let answers = vec![
        ("Nhà ở tạm, dột nát".to_string(), passed),
        ("Không có xe máy, ô tô".to_string(), passed),
    ];
    app.record_screening(me, review_id, h.id, h.version, &answers, passed)
        .await
        .unwrap();
}

/// The refusal of a step the state machine does not allow now, in its words.
#[track_caller]
pub fn refused_at_step<T: Debug>(result: Result<T, AppError>, words: &str) {
    match result {
        Err(AppError::Invalid { field, message }) if field == "step" => {
            assert!(message.contains(words), "«{message}» should say «{words}»")
        }
        other => panic!("expected a refusal of the step saying «{words}», got {other:?}"),
    }
}

/// Runs an open review from its listing to a posting put up today: requests screened in,
/// every household surveyed with `b`, each village meets and agrees. Returns the last
/// day of the posting.
pub async fn through_posting(
    app: &App,
    clock: &MovableClock,
    me: &Actor,
    review_id: i64,
    b: &SurveyInput,
) -> NaiveDate {
    let today = clock.today().format("%Y-%m-%d").to_string();
    let view = app.review(me, review_id).await.unwrap();
    for h in &view.households {
        if h.step == "screening" {
            screen(app, me, review_id, h.household_id, true).await;
        }
    }
    let v = version(app, me, review_id).await;
    app.start_survey(me, review_id, v).await.unwrap();
    let mut villages = BTreeSet::new();
    for h in &view.households {
        survey(app, me, review_id, h.household_id, b.clone()).await;
        villages.insert(h.village_code.clone());
    }
    let v = version(app, me, review_id).await;
    app.start_meetings(me, review_id, v).await.unwrap();
    for village in villages {
        assert!(
            app.record_meeting(me, review_id, meeting(&village, &today, 20, 18))
                .await
                .unwrap()
        );
    }
    let v = version(app, me, review_id).await;
    app.start_posting(me, review_id, v, clock.today(), "Nhà văn hóa thôn")
        .await
        .unwrap()
}
