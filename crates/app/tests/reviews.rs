//! The household review (rà soát) through the app layer, on SQLite and PostgreSQL: the
//! commune's annual review from the list to the certificates, a household's own request
//! during the year, what each step refuses, the deadlines counted in working days across
//! Tết, and who may read or act.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::awaiting::Awaiting;
use giamngheo_app::reviews::{MeetingInput, RequestInput, ReviewView, SurveyInput};
use giamngheo_app::{App, AppError, Clock, Config};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_rules::DeadlineStatus;
use giamngheo_store::{ClassificationFields, ReviewHouseholdRecord, Store};
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

/// Xã Điền Mỹ (18499) and Xã Hà Linh (18502) of Huyện Hương Khê (444), Tỉnh Hà Tĩnh (42).
const DIEN_MY: &str = "18499";
const HA_LINH: &str = "18502";
/// Thôn Trung Hòa and Thôn Hạ Lâm of Điền Mỹ, Thôn Bắc Hà of Hà Linh.
const TRUNG_HOA: &str = "18499001";
const HA_LAM: &str = "18499002";
const BAC_HA: &str = "18502001";

/// A clock the test moves from day to day, as the weeks of a review pass.
struct MovableClock(Mutex<DateTime<Utc>>);

impl MovableClock {
    fn on(date: &str) -> Arc<MovableClock> {
        Arc::new(MovableClock(Mutex::new(morning(date))))
    }

    /// Nine in the morning of `date` in Vietnam.
    fn set(&self, date: &str) {
        *self.0.lock().unwrap() = morning(date);
    }
}

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

fn morning(date: &str) -> DateTime<Utc> {
    day(date).and_hms_opt(2, 0, 0).unwrap().and_utc()
}

async fn setup(store: Store, today: &str) -> (App, Arc<MovableClock>) {
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

/// The district's Fatherland Front: reads everything of the district, acts on nothing.
fn front() -> Actor {
    actor(Role::Oversight, "444", Tier::District)
}

fn admin() -> Actor {
    actor(Role::Admin, "42", Tier::Province)
}

/// A household of one: its head.
async fn family(app: &App, me: &Actor, code: &str, village: &str, head: &str) -> i64 {
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
async fn baseline(app: &App, household_id: i64, period: i32, standard: &str, status: &str) {
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
fn phieu_b(score_a: i32, ticks: &[&str], on: &str) -> SurveyInput {
    SurveyInput {
        income_per_capita: None,
        score_a: Some(score_a),
        ticks: ticks.iter().map(|t| t.to_string()).collect(),
        surveyed_by: "Rà soát viên Trần Văn Quý".into(),
        surveyed_on: day(on),
    }
}

/// Three deprivations: poor when score A is at or under the line.
const THREE: [&str; 3] = ["health_insurance", "housing_quality", "sanitation"];
const FOUR: [&str; 4] = [
    "health_insurance",
    "housing_quality",
    "sanitation",
    "telecom",
];

fn request(date: &str, kind: &str, requester: &str) -> RequestInput {
    RequestInput {
        date: day(date),
        channel: "in_person".into(),
        requester: requester.into(),
        kind: kind.into(),
    }
}

fn meeting(village: &str, held_on: &str, attendees: u32, agreeing: u32) -> MeetingInput {
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

fn rh(view: &ReviewView, household_id: i64) -> &ReviewHouseholdRecord {
    view.households
        .iter()
        .find(|h| h.household_id == household_id)
        .unwrap_or_else(|| panic!("household {household_id} is not in the review"))
}

async fn version(app: &App, me: &Actor, review_id: i64) -> i64 {
    app.review(me, review_id).await.unwrap().review.version
}

/// Surveys one household of a review with phiếu B, reading its current version first.
async fn survey(
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

async fn screen(app: &App, me: &Actor, review_id: i64, household_id: i64, passed: bool) {
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
fn refused_at_step<T: Debug>(result: Result<T, AppError>, words: &str) {
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
async fn through_posting(
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

async fn the_annual_review_of_a_commune_runs_from_the_list_to_the_certificates(store: Store) {
    let (app, clock) = setup(store, "2021-08-20").await;
    let me = officer(DIEN_MY);

    // Điền Mỹ's lists for 2021, decided on paper under the 2016 standard.
    let binh = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    let lan = family(&app, &me, "DM-002", TRUNG_HOA, "Trần Thị Lan").await;
    let hung = family(&app, &me, "DM-003", TRUNG_HOA, "Lê Văn Hùng").await;
    let mai = family(&app, &me, "DM-004", TRUNG_HOA, "Hồ Thị Mai").await;
    let duc = family(&app, &me, "DM-005", HA_LAM, "Phan Văn Đức").await;
    let hoa = family(&app, &me, "DM-006", HA_LAM, "Võ Thị Hoa").await;
    let nam = family(&app, &me, "DM-007", HA_LAM, "Đặng Văn Nam").await;
    let thu = family(&app, &me, "DM-008", HA_LAM, "Bùi Thị Thu").await;
    let son = family(&app, &me, "DM-009", HA_LAM, "Ngô Văn Sơn").await;
    let elsewhere = family(&app, &officer(HA_LINH), "HL-001", BAC_HA, "Lê Văn Tám").await;
    for (h, status) in [
        (binh, "poor"),
        (lan, "poor"),
        (hung, "poor"),
        (mai, "near_poor"),
        (duc, "near_poor"),
        (son, "not_poor"),
        (elsewhere, "poor"),
    ] {
        baseline(&app, h, 2021, "vn-2016", status).await;
    }
    // Võ Thị Hoa left poverty in 2021 and now asks to be reviewed again.
    baseline(&app, hoa, 2020, "vn-2016", "poor").await;
    baseline(&app, hoa, 2021, "vn-2016", "not_poor").await;

    // Step 1, September 2021: the review for 2022 lists the households on the lists.
    clock.set("2021-09-06");
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.review.step, "listing");
    assert_eq!(view.review.standard, "vn-2022");
    assert_eq!(view.review.due_on, day("2021-12-14"));
    let listed: BTreeSet<i64> = view.households.iter().map(|h| h.household_id).collect();
    assert_eq!(
        listed,
        BTreeSet::from([binh, lan, hung, mai, duc]),
        "the poor and near-poor of Điền Mỹ are listed; not the others, nor Hà Linh's"
    );
    assert!(
        view.households
            .iter()
            .all(|h| h.source == "list" && h.step == "listed")
    );

    // Three households hand in a request; phiếu A lets two through.
    for (h, name) in [
        (hoa, "Võ Thị Hoa"),
        (nam, "Đặng Văn Nam"),
        (thu, "Bùi Thị Thu"),
    ] {
        app.add_review_request(&me, id, h, request("2021-09-06", "enter", name))
            .await
            .unwrap();
    }
    assert!(matches!(
        app.add_review_request(&me, id, nam, request("2021-09-07", "enter", "Đặng Văn Nam"))
            .await,
        Err(AppError::Conflict(_))
    ));
    refused_at_step(
        app.start_survey(&me, id, version(&app, &me, id).await)
            .await,
        "chưa được nhận dạng nhanh",
    );
    clock.set("2021-09-09");
    screen(&app, &me, id, hoa, true).await;
    screen(&app, &me, id, nam, true).await;
    screen(&app, &me, id, thu, false).await;

    // Step 2: the survey with phiếu B.
    clock.set("2021-09-10");
    let v = version(&app, &me, id).await;
    app.start_survey(&me, id, v).await.unwrap();
    clock.set("2021-09-20");
    let on = "2021-09-20";
    assert_eq!(
        survey(&app, &me, id, binh, phieu_b(120, &FOUR, on)).await,
        "poor"
    );
    assert_eq!(
        survey(&app, &me, id, lan, phieu_b(130, &["water"], on)).await,
        "near_poor"
    );
    assert_eq!(
        survey(&app, &me, id, hung, phieu_b(160, &THREE, on)).await,
        "not_poor"
    );
    assert_eq!(
        survey(&app, &me, id, mai, phieu_b(150, &[], on)).await,
        "not_poor"
    );
    refused_at_step(
        app.start_meetings(&me, id, version(&app, &me, id).await)
            .await,
        "chưa được điều tra",
    );
    assert_eq!(
        survey(&app, &me, id, duc, phieu_b(135, &["water", "telecom"], on)).await,
        "near_poor"
    );
    assert_eq!(
        survey(&app, &me, id, hoa, phieu_b(110, &THREE, on)).await,
        "poor"
    );
    assert_eq!(
        survey(&app, &me, id, nam, phieu_b(125, &FOUR, on)).await,
        "poor"
    );
    // The household screened out is not surveyed.
    let view = app.review(&me, id).await.unwrap();
    let out = rh(&view, thu);
    assert_eq!(out.step, "excluded");
    assert!(matches!(
        app.record_survey(&me, id, out.id, out.version, phieu_b(100, &FOUR, on))
            .await,
        Err(AppError::Invalid { .. })
    ));

    // Step 3: the village meetings. Trung Hòa agrees with only 49 of 100: its households
    // go back to the survey, and the posting cannot start.
    clock.set("2021-10-05");
    let v = version(&app, &me, id).await;
    app.start_meetings(&me, id, v).await.unwrap();
    assert!(
        !app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-10-05", 100, 49))
            .await
            .unwrap()
    );
    assert!(
        app.record_meeting(&me, id, meeting(HA_LAM, "2021-10-05", 35, 30))
            .await
            .unwrap()
    );
    let view = app.review(&me, id).await.unwrap();
    for h in [binh, lan, hung, mai] {
        assert_eq!(
            rh(&view, h).step,
            "resurvey",
            "Trung Hòa goes back to the survey"
        );
        assert_eq!(rh(&view, h).meeting_outcome, "rejected");
    }
    for h in [duc, hoa, nam] {
        assert_eq!(rh(&view, h).meeting_outcome, "agreed");
    }
    assert!(
        view.allows(giamngheo_domain::review::Move::StartPosting)
            .is_err()
    );
    refused_at_step(
        app.start_posting(&me, id, view.review.version, day("2021-10-06"), "UBND xã")
            .await,
        "chưa được điều tra",
    );
    // Hạ Lâm's households were agreed: no new survey for them without a complaint.
    let agreed = rh(&view, duc);
    refused_at_step(
        app.record_survey(&me, id, agreed.id, agreed.version, phieu_b(100, &FOUR, on))
            .await,
        "đã được họp dân thông qua",
    );

    // The reviewers go back to Trung Hòa; Lê Văn Hùng's home is found worse than thought.
    clock.set("2021-10-08");
    let on = "2021-10-08";
    assert_eq!(
        survey(&app, &me, id, binh, phieu_b(118, &FOUR, on)).await,
        "poor"
    );
    assert_eq!(
        survey(&app, &me, id, lan, phieu_b(131, &["water"], on)).await,
        "near_poor"
    );
    assert_eq!(
        survey(&app, &me, id, hung, phieu_b(145, &THREE, on)).await,
        "not_poor"
    );
    assert_eq!(
        survey(&app, &me, id, mai, phieu_b(152, &[], on)).await,
        "not_poor"
    );
    refused_at_step(
        app.start_posting(
            &me,
            id,
            version(&app, &me, id).await,
            day("2021-10-12"),
            "UBND xã",
        )
        .await,
        "chưa được họp dân thông qua",
    );
    // The new meeting: exactly half agrees, which is enough.
    clock.set("2021-10-12");
    assert!(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-10-12", 40, 20))
            .await
            .unwrap()
    );

    // Step 4: the posting, put up on Monday 18 October; the day it goes up is not counted,
    // so its 3 working days run to Thursday 21 October.
    clock.set("2021-10-18");
    let v = version(&app, &me, id).await;
    let ends = app
        .start_posting(&me, id, v, day("2021-10-18"), "Nhà văn hóa thôn và UBND xã")
        .await
        .unwrap();
    assert_eq!(ends, day("2021-10-21"));
    clock.set("2021-10-19");
    let complaint = app
        .record_complaint(
            &me,
            id,
            Some(duc),
            "Phan Văn Đức",
            "Gia đình không có bảo hiểm y tế, nhà dột nát; đề nghị xem lại.",
            day("2021-10-19"),
        )
        .await
        .unwrap();

    // The posting is not over on its last day.
    clock.set("2021-10-21");
    let v = version(&app, &me, id).await;
    refused_at_step(
        app.approve_review(&me, id, v, "125/QĐ-UBND", day("2021-10-21"))
            .await,
        "21/10/2021",
    );
    // The day after, the open complaint still stops the decision.
    clock.set("2021-10-22");
    refused_at_step(
        app.approve_review(&me, id, v, "125/QĐ-UBND", day("2021-10-22"))
            .await,
        "khiếu nại",
    );
    // The re-check (phúc tra) finds three deprivations: a new survey before the decision.
    app.resolve_complaint(
        &me,
        id,
        complaint,
        "Phúc tra: thiếu bảo hiểm y tế, nhà tạm; điều tra lại",
        day("2021-10-22"),
        true,
    )
    .await
    .unwrap();
    refused_at_step(
        app.approve_review(
            &me,
            id,
            version(&app, &me, id).await,
            "125/QĐ-UBND",
            day("2021-10-22"),
        )
        .await,
        "chưa được họp dân thông qua",
    );
    assert_eq!(
        survey(&app, &me, id, duc, phieu_b(135, &THREE, "2021-10-22")).await,
        "poor"
    );

    // Step 5: the chair decides on Monday.
    clock.set("2021-10-25");
    let v = version(&app, &me, id).await;
    let decided = app
        .approve_review(&me, id, v, "125/QĐ-UBND", day("2021-10-25"))
        .await
        .unwrap();
    assert_eq!(decided, 7, "every household surveyed gets a classification");

    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.review.step, "closed");
    assert_eq!(view.review.decision_number.as_deref(), Some("125/QĐ-UBND"));
    assert_eq!(view.review.closed_on, Some(day("2021-10-25")));
    assert!(!view.can_write);
    assert_eq!(view.meetings.len(), 3);
    assert_eq!(
        view.meetings.iter().filter(|m| !m.passed).count(),
        1,
        "the failed meeting stays on record"
    );
    assert_eq!(view.complaints[0].resolved_on, Some(day("2021-10-22")));

    let expected = [
        (binh, "poor", "unchanged"),
        (lan, "near_poor", "poor_to_near_poor"),
        (hung, "not_poor", "escaped_poverty"),
        (mai, "not_poor", "escaped_near_poverty"),
        (duc, "poor", "near_poor_to_poor"),
        (hoa, "poor", "fell_back"),
        (nam, "poor", "newly_poor"),
    ];
    let mut certificates = Vec::new();
    for (h, status, transition) in expected {
        let statuses = app.household_statuses(&me, h).await.unwrap();
        let c = &statuses[0].fields;
        assert_eq!(c.period, 2022, "household {h}");
        assert_eq!(c.standard, "vn-2022");
        assert_eq!(c.kind, "periodic");
        assert_eq!(c.review_id, Some(id));
        assert_eq!(c.status, status, "household {h}");
        assert_eq!(c.transition.as_deref(), Some(transition), "household {h}");
        assert_eq!(c.decision_number.as_deref(), Some("125/QĐ-UBND"));
        assert_eq!(c.decision_date, Some(day("2021-10-25")));
        let r = rh(&view, h);
        assert_eq!(r.final_status.as_deref(), Some(status));
        assert_eq!(r.classification_id, Some(statuses[0].id));
        if matches!(status, "poor" | "near_poor") {
            let n = c.certificate_number.clone().expect("a certificate");
            assert!(n.ends_with("/GCN-HN.HCN"), "{n}");
            certificates.push(n);
        } else {
            assert_eq!(c.certificate_number, None, "no certificate off the lists");
        }
    }
    certificates.sort();
    assert_eq!(
        certificates,
        [
            "001/GCN-HN.HCN",
            "002/GCN-HN.HCN",
            "003/GCN-HN.HCN",
            "004/GCN-HN.HCN",
            "005/GCN-HN.HCN"
        ]
    );
    // Phan Văn Đức's classification carries the re-check's survey.
    let duc_now = &app.household_statuses(&me, duc).await.unwrap()[0];
    assert_eq!(duc_now.fields.deprivation_count, 3);
    assert_eq!(duc_now.fields.score_b, 30);

    // The request phiếu A turned away is answered with a reason, and decided nothing.
    let refused = rh(&view, thu);
    assert_eq!(refused.step, "refused");
    assert!(
        refused
            .refusal_reason
            .as_deref()
            .unwrap()
            .contains("phiếu A")
    );
    assert_eq!(refused.classification_id, None);
    assert!(app.household_statuses(&me, thu).await.unwrap().is_empty());

    // Võ Thị Hoa's history over the years, newest first.
    let history: Vec<(i32, String)> = app
        .household_statuses(&me, hoa)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.fields.period, c.fields.status))
        .collect();
    assert_eq!(
        history,
        [
            (2022, "poor".to_string()),
            (2021, "not_poor".to_string()),
            (2020, "poor".to_string())
        ]
    );
    // Ngô Văn Sơn, off the lists and without a request, keeps his 2021 status only.
    assert_eq!(app.household_statuses(&me, son).await.unwrap().len(), 1);

    // Who did each step, and when, is in the audit log.
    let (log, _) = app.store().audit_log(1000, 0).await.unwrap();
    let actions: BTreeSet<&str> = log
        .iter()
        .filter(|a| a.entry.entity == "review")
        .map(|a| a.entry.action.as_str())
        .collect();
    for action in [
        "review.open",
        "review.request",
        "review.screening",
        "review.step",
        "review.survey",
        "review.meeting",
        "review.complaint",
        "review.recheck",
        "review.approve",
    ] {
        assert!(
            actions.contains(action),
            "{action} missing from {actions:?}"
        );
    }
    assert!(
        log.iter()
            .filter(|a| a.entry.entity == "review")
            .all(|a| a.entry.username == me.username && a.entry.entity_id == id.to_string())
    );
    let steps: Vec<String> = log
        .iter()
        .rev()
        .filter(|a| a.entry.action == "review.step")
        .map(|a| {
            giamngheo_app::households::decode_changes(&a.entry.changes)[0]
                .new
                .to_string()
        })
        .collect();
    assert_eq!(steps, ["\"survey\"", "\"meeting\"", "\"posting\""]);
    let duc_trail: Vec<String> = app
        .household_history(&me, duc)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.entry.action)
        .collect();
    assert_eq!(
        duc_trail
            .iter()
            .filter(|a| a.as_str() == "review.survey")
            .count(),
        2,
        "the first survey and the re-check's are both kept: {duc_trail:?}"
    );
    assert_eq!(duc_trail[0], "review.approve");

    // The five certificates wait to be issued on the officer's home; the households off
    // the lists get none.
    let awaiting_certificates = |app: App, unit: &'static str| async move {
        let mut hs: Vec<i64> = app
            .households_awaiting(&officer(DIEN_MY), unit)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.awaiting == Awaiting::Certificate)
            .map(|a| a.household_id)
            .collect();
        hs.sort();
        hs
    };
    let mut five = vec![binh, lan, duc, hoa, nam];
    five.sort();
    assert_eq!(awaiting_certificates(app.clone(), DIEN_MY).await, five);
    assert_eq!(
        awaiting_certificates(app.clone(), HA_LAM).await,
        [duc, hoa, nam],
        "a village's home lists its own households only"
    );
    // Issued before the decision or in the future: refused by its field.
    for bad in ["2021-10-24", "2021-10-26"] {
        let err = app
            .issue_certificates(&me, id, None, None, day(bad))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AppError::Invalid { field, .. } if field == "issued_on"),
            "{bad}: {err:?}"
        );
    }
    // A household off the lists has no certificate to issue.
    assert!(matches!(
        app.issue_certificates(&me, id, Some(rh(&view, hung).id), None, day("2021-10-25"))
            .await,
        Err(AppError::NotFound(_))
    ));
    // One household's, then Hạ Lâm's, then the rest; issuing again adds nothing.
    let one = app
        .issue_certificates(&me, id, Some(rh(&view, binh).id), None, day("2021-10-25"))
        .await
        .unwrap();
    assert_eq!(one, 1);
    let village = app
        .issue_certificates(&me, id, None, Some(HA_LAM), day("2021-10-25"))
        .await
        .unwrap();
    assert_eq!(village, 3);
    assert_eq!(awaiting_certificates(app.clone(), DIEN_MY).await, [lan]);
    let rest = app
        .issue_certificates(&me, id, None, None, day("2021-10-25"))
        .await
        .unwrap();
    assert_eq!(rest, 1, "only Trần Thị Lan's was left");
    assert!(awaiting_certificates(app.clone(), DIEN_MY).await.is_empty());
    let again = app
        .issue_certificates(&me, id, None, None, day("2021-10-25"))
        .await
        .unwrap();
    assert_eq!(again, 0);
    // Trung Hòa's village head reads Trung Hòa's part of the review, to print its
    // documents: its households, meetings and complaints only, and changes nothing.
    let head = actor(Role::VillageHead, TRUNG_HOA, Tier::Village);
    let part = app.review(&head, id).await.unwrap();
    let mut ours: Vec<i64> = part.households.iter().map(|h| h.household_id).collect();
    ours.sort();
    let mut trung_hoa = vec![binh, lan, hung, mai];
    trung_hoa.sort();
    assert_eq!(
        ours, trung_hoa,
        "no household of Hạ Lâm in Trung Hòa's part"
    );
    assert!(part.meetings.iter().all(|m| m.village_code == TRUNG_HOA));
    assert!(!part.meetings.is_empty());
    assert!(
        part.complaints
            .iter()
            .all(|c| c.household_id.is_some_and(|h| trung_hoa.contains(&h))),
        "no complaint about another village's household"
    );
    assert!(!part.can_write);
    let ha_lam_meeting = view
        .meetings
        .iter()
        .find(|m| m.village_code == HA_LAM)
        .unwrap()
        .id;
    assert!(matches!(
        app.meeting_minutes(&head, ha_lam_meeting).await,
        Err(AppError::NotFound(_))
    ));
    let (_, _, bytes) = app
        .meeting_minutes(&head, part.meetings[0].id)
        .await
        .unwrap();
    assert!(bytes.starts_with(b"%PDF"), "the village's own minutes open");
    assert!(app.meeting_minutes(&me, ha_lam_meeting).await.is_ok());
    assert!(
        app.issue_certificates(&head, id, None, None, day("2021-10-25"))
            .await
            .is_err(),
        "a village head records nothing"
    );
    // A village head of another commune does not find the review at all.
    let other = actor(Role::VillageHead, BAC_HA, Tier::Village);
    assert!(matches!(
        app.review(&other, id).await,
        Err(AppError::NotFound(_))
    ));
    // A commune cannot record another commune's certificates.
    assert!(
        app.issue_certificates(&officer(HA_LINH), id, None, None, day("2021-10-25"))
            .await
            .is_err()
    );
}
app_test!(the_annual_review_of_a_commune_runs_from_the_list_to_the_certificates);

async fn each_step_refuses_what_belongs_to_another(store: Store) {
    let (app, clock) = setup(store, "2021-09-01").await;
    let me = officer(DIEN_MY);
    let a = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    let b = family(&app, &me, "DM-002", HA_LAM, "Trần Thị Lan").await;
    let asking = family(&app, &me, "DM-003", HA_LAM, "Hồ Thị Mai").await;
    baseline(&app, a, 2021, "vn-2016", "poor").await;
    baseline(&app, b, 2021, "vn-2016", "near_poor").await;
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    app.add_review_request(
        &me,
        id,
        asking,
        request("2021-09-01", "enter", "Hồ Thị Mai"),
    )
    .await
    .unwrap();
    let on = "2021-09-01";

    // While the list is being made, nothing of the later steps can happen.
    let view = app.review(&me, id).await.unwrap();
    let first = rh(&view, a);
    refused_at_step(
        app.record_survey(&me, id, first.id, first.version, phieu_b(120, &FOUR, on))
            .await,
        "Lập danh sách",
    );
    refused_at_step(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, on, 10, 10))
            .await,
        "Lập danh sách",
    );
    refused_at_step(
        app.start_meetings(&me, id, view.review.version).await,
        "Lập danh sách",
    );
    refused_at_step(
        app.start_posting(&me, id, view.review.version, day(on), "UBND xã")
            .await,
        "Lập danh sách",
    );
    refused_at_step(
        app.record_complaint(&me, id, Some(a), "Nguyễn Văn Bình", "Xin xem lại", day(on))
            .await,
        "Lập danh sách",
    );
    refused_at_step(
        app.approve_review(&me, id, view.review.version, "1/QĐ", day(on))
            .await,
        "Lập danh sách",
    );
    // The survey waits for the request's screening.
    refused_at_step(
        app.start_survey(&me, id, view.review.version).await,
        "còn 1 hộ đề nghị",
    );
    screen(&app, &me, id, asking, true).await;
    // A stale copy of the review is refused, not applied.
    assert!(matches!(
        app.start_survey(&me, id, view.review.version - 1).await,
        Err(AppError::Conflict(_))
    ));
    app.start_survey(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();

    // During the survey: no more households, no screening, no meetings with households
    // not surveyed.
    refused_at_step(
        app.add_review_request(&me, id, asking, request(on, "enter", "Hồ Thị Mai"))
            .await,
        "Lập danh sách",
    );
    survey(&app, &me, id, a, phieu_b(120, &FOUR, on)).await;
    survey(&app, &me, id, b, phieu_b(130, &[], on)).await;
    refused_at_step(
        app.start_meetings(&me, id, version(&app, &me, id).await)
            .await,
        "còn 1 hộ chưa được điều tra",
    );
    refused_at_step(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, on, 10, 10))
            .await,
        "Họp dân",
    );
    survey(&app, &me, id, asking, phieu_b(125, &THREE, on)).await;
    app.start_meetings(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();

    // Minutes are kept only when their bytes are a PDF, JPEG or PNG, whatever name and
    // type the browser gives: an SVG can carry script. The refused meeting records
    // nothing (the three households still wait below).
    let mut svg = meeting(TRUNG_HOA, on, 10, 10);
    svg.minutes = Some((
        "bien-ban.png".into(),
        "image/png".into(),
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec(),
    ));
    assert!(matches!(
        app.record_meeting(&me, id, svg).await,
        Err(AppError::Invalid { field, message })
            if field == "minutes" && message.contains("PDF, JPEG hoặc PNG")
    ));

    // No posting before every village's meeting agreed.
    refused_at_step(
        app.start_posting(&me, id, version(&app, &me, id).await, day(on), "UBND xã")
            .await,
        "còn 3 hộ chưa được họp dân thông qua",
    );
    assert!(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, on, 10, 10))
            .await
            .unwrap()
    );
    refused_at_step(
        app.start_posting(&me, id, version(&app, &me, id).await, day(on), "UBND xã")
            .await,
        "còn 2 hộ chưa được họp dân thông qua",
    );
    refused_at_step(
        app.record_complaint(&me, id, Some(a), "Nguyễn Văn Bình", "Xin xem lại", day(on))
            .await,
        "Niêm yết",
    );
    // A meeting is for households waiting for one: Trung Hòa has none left.
    assert!(matches!(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, on, 10, 10)).await,
        Err(AppError::Invalid { field, .. }) if field == "village_code"
    ));
    assert!(
        app.record_meeting(&me, id, meeting(HA_LAM, on, 12, 6))
            .await
            .unwrap()
    );
    // Put up on Wednesday 1 September 2021, the eve of Quốc khánh (2–3 September): the
    // day it goes up is not counted, so its 3 working days are 6, 7 and 8 September.
    let ends = app
        .start_posting(&me, id, version(&app, &me, id).await, day(on), "UBND xã")
        .await
        .unwrap();
    assert_eq!(ends, day("2021-09-08"));
    refused_at_step(
        app.start_survey(&me, id, version(&app, &me, id).await)
            .await,
        "Niêm yết",
    );

    // The decision waits for the end of the posting and the complaints.
    let complaint = app
        .record_complaint(
            &me,
            id,
            None,
            "Hội Nông dân xã",
            "Đề nghị công khai danh sách lâu hơn",
            day(on),
        )
        .await
        .unwrap();
    refused_at_step(
        app.approve_review(&me, id, version(&app, &me, id).await, "1/QĐ", day(on))
            .await,
        "thời gian niêm yết chưa hết",
    );
    clock.set("2021-09-09");
    refused_at_step(
        app.approve_review(
            &me,
            id,
            version(&app, &me, id).await,
            "1/QĐ",
            day("2021-09-09"),
        )
        .await,
        "còn 1 khiếu nại",
    );
    // A complaint about no household cannot ask for a household's re-survey.
    assert!(matches!(
        app.resolve_complaint(&me, id, complaint, "Đã trả lời", day("2021-09-09"), true)
            .await,
        Err(AppError::Invalid { field, .. }) if field == "resurvey"
    ));
    app.resolve_complaint(
        &me,
        id,
        complaint,
        "Đã trả lời bằng văn bản",
        day("2021-09-09"),
        false,
    )
    .await
    .unwrap();
    assert!(matches!(
        app.approve_review(&me, id, version(&app, &me, id).await, " ", day("2021-09-09"))
            .await,
        Err(AppError::Invalid { field, .. }) if field == "decision_number"
    ));
    assert!(matches!(
        app.approve_review(&me, id, version(&app, &me, id).await, "1/QĐ", day("2021-09-10"))
            .await,
        Err(AppError::Invalid { field, .. }) if field == "decision_date"
    ));
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "1/QĐ-UBND",
        day("2021-09-09"),
    )
    .await
    .unwrap();

    // Once decided, nothing in the review changes any more.
    let view = app.review(&me, id).await.unwrap();
    let v = view.review.version;
    let decided = rh(&view, a);
    let closed = "đã kết thúc";
    refused_at_step(
        app.add_review_request(&me, id, asking, request(on, "enter", "Hồ Thị Mai"))
            .await,
        closed,
    );
    refused_at_step(
        app.record_screening(&me, id, decided.id, decided.version, &[], true)
            .await,
        closed,
    );
    refused_at_step(app.start_survey(&me, id, v).await, closed);
    refused_at_step(
        app.record_survey(
            &me,
            id,
            decided.id,
            decided.version,
            phieu_b(200, &[], "2021-09-09"),
        )
        .await,
        closed,
    );
    refused_at_step(app.start_meetings(&me, id, v).await, closed);
    refused_at_step(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-09-09", 10, 10))
            .await,
        closed,
    );
    refused_at_step(
        app.start_posting(&me, id, v, day("2021-09-09"), "UBND xã")
            .await,
        closed,
    );
    refused_at_step(
        app.record_complaint(
            &me,
            id,
            Some(a),
            "Nguyễn Văn Bình",
            "Xin xem lại",
            day("2021-09-09"),
        )
        .await,
        closed,
    );
    refused_at_step(
        app.resolve_complaint(&me, id, complaint, "Lại", day("2021-09-09"), false)
            .await,
        closed,
    );
    refused_at_step(
        app.approve_review(&me, id, v, "2/QĐ-UBND", day("2021-09-09"))
            .await,
        closed,
    );
    assert_eq!(
        app.review(&me, id)
            .await
            .unwrap()
            .review
            .decision_number
            .as_deref(),
        Some("1/QĐ-UBND")
    );
}
app_test!(each_step_refuses_what_belongs_to_another);

async fn a_commune_has_one_periodic_review_a_period_under_a_standard_that_applies(store: Store) {
    let (app, _clock) = setup(store, "2021-09-01").await;
    let me = officer(DIEN_MY);
    app.open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    assert!(matches!(
        app.open_periodic_review(&me, DIEN_MY, 2022, "vn-2022").await,
        Err(AppError::Conflict(m)) if m.contains("Xã Điền Mỹ")
    ));
    // Hà Linh's own review for 2022 is another matter.
    app.open_periodic_review(&officer(HA_LINH), HA_LINH, 2022, "vn-2022")
        .await
        .unwrap();
    // The 2016 standard ended with 2021; the 2022 one began with 2022.
    for (period, standard) in [(2022, "vn-2016"), (2021, "vn-2022"), (2028, "vn-2022")] {
        assert!(
            matches!(
                app.open_periodic_review(&me, DIEN_MY, period, standard).await,
                Err(AppError::Invalid { field, .. }) if field == "standard"
            ),
            "{standard} for {period}"
        );
    }
    assert!(matches!(
        app.open_periodic_review(&me, DIEN_MY, 2023, "vn-1999").await,
        Err(AppError::Invalid { field, .. }) if field == "standard"
    ));
    // A review is opened for a commune, not a village.
    assert!(matches!(
        app.open_periodic_review(&me, TRUNG_HOA, 2023, "vn-2022").await,
        Err(AppError::Invalid { field, .. }) if field == "commune"
    ));
    let mine = app.reviews(&me, None).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].commune_name, "Xã Điền Mỹ");
    assert_eq!(app.reviews(&front(), None).await.unwrap().len(), 2);
}
app_test!(a_commune_has_one_periodic_review_a_period_under_a_standard_that_applies);

async fn an_approved_classification_changes_only_by_a_correction_with_a_reason(store: Store) {
    let (app, clock) = setup(store, "2021-10-04").await;
    let me = officer(DIEN_MY);
    let binh = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    baseline(&app, binh, 2021, "vn-2016", "poor").await;
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let ends = through_posting(&app, &clock, &me, id, &phieu_b(120, &FOUR, "2021-10-04")).await;
    assert_eq!(ends, day("2021-10-07"));
    clock.set("2021-10-08");
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "90/QĐ-UBND",
        day("2021-10-08"),
    )
    .await
    .unwrap();
    let approved = app.household_statuses(&me, binh).await.unwrap()[0].clone();
    assert_eq!(approved.fields.status, "poor");

    // The closed review cannot be re-surveyed to change it.
    let view = app.review(&me, id).await.unwrap();
    let h = rh(&view, binh);
    refused_at_step(
        app.record_survey(&me, id, h.id, h.version, phieu_b(130, &[], "2021-10-07"))
            .await,
        "đã kết thúc",
    );

    // A correction needs a reason.
    clock.set("2021-11-02");
    for reason in ["", "   "] {
        assert!(matches!(
            app.correct_classification(&me, approved.id, "near_poor", reason).await,
            Err(AppError::Invalid { field, .. }) if field == "reason"
        ));
    }
    assert!(matches!(
        app.correct_classification(&me, approved.id, "rich", "Nhập nhầm").await,
        Err(AppError::Invalid { field, .. }) if field == "status"
    ));
    // Neither the Front nor another commune corrects Điền Mỹ's decisions.
    assert!(matches!(
        app.correct_classification(&front(), approved.id, "near_poor", "Nhập nhầm")
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.correct_classification(&officer(HA_LINH), approved.id, "near_poor", "Nhập nhầm")
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.correct_classification(&me, 999_999, "near_poor", "Nhập nhầm")
            .await,
        Err(AppError::NotFound(_))
    ));
    let reason = "Nhập nhầm số chỉ số thiếu hụt: phiếu B2 chỉ có 2 chỉ số";
    let corrected = app
        .correct_classification(&me, approved.id, "near_poor", reason)
        .await
        .unwrap();

    // The old row stays as it was; the new one supersedes it.
    let statuses = app.household_statuses(&me, binh).await.unwrap();
    assert_eq!(statuses.len(), 3, "baseline, decision, correction");
    let newest = &statuses[0];
    assert_eq!(newest.id, corrected);
    assert_eq!(newest.fields.status, "near_poor");
    assert_eq!(newest.fields.kind, "correction");
    assert_eq!(newest.fields.supersedes, Some(approved.id));
    assert_eq!(newest.fields.correction_reason.as_deref(), Some(reason));
    assert_eq!(newest.fields.period, 2022);
    assert_eq!(newest.fields.effective_date, day("2021-11-02"));
    let old = statuses.iter().find(|c| c.id == approved.id).unwrap();
    assert_eq!(old, &approved, "the approved row is never overwritten");
    let (log, _) = app
        .audit_log(&admin(), &Default::default(), 1)
        .await
        .unwrap();
    let entry = log
        .iter()
        .find(|a| a.entry.action == "classification.correct")
        .expect("the correction is in the log");
    assert_eq!(entry.entry.reason.as_deref(), Some(reason));
    assert_eq!(entry.entry.entity_id, approved.id.to_string());
    let change = &giamngheo_app::households::decode_changes(&entry.entry.changes)[0];
    assert_eq!(
        (change.old.as_str(), change.new.as_str()),
        (Some("poor"), Some("near_poor"))
    );
}
app_test!(an_approved_classification_changes_only_by_a_correction_with_a_reason);

async fn a_posting_put_up_the_friday_before_tet_ends_after_the_holiday(store: Store) {
    // Tết Nhâm Dần: Saturday 29 January to Sunday 6 February 2022.
    let (app, clock) = setup(store, "2022-01-17").await;
    let me = officer(DIEN_MY);
    let mai = family(&app, &me, "DM-001", TRUNG_HOA, "Hồ Thị Mai").await;
    let id = app
        .open_regular_review(&me, mai, request("2022-01-17", "enter", "Hồ Thị Mai"))
        .await
        .unwrap();
    screen(&app, &me, id, mai, true).await;
    app.start_survey(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();
    clock.set("2022-01-20");
    survey(&app, &me, id, mai, phieu_b(115, &FOUR, "2022-01-20")).await;
    app.start_meetings(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();
    clock.set("2022-01-26");
    assert!(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, "2022-01-26", 30, 25))
            .await
            .unwrap()
    );

    // Posted on Friday 28 January for 3 working days. The day it goes up is not counted
    // and Tết closes the offices for nine days: Monday 7, Tuesday 8 and Wednesday
    // 9 February.
    clock.set("2022-01-28");
    let ends = app
        .start_posting(
            &me,
            id,
            version(&app, &me, id).await,
            day("2022-01-28"),
            "UBND xã",
        )
        .await
        .unwrap();
    assert_eq!(ends, day("2022-02-09"));
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.postings[0].starts_on, day("2022-01-28"));
    assert_eq!(view.postings[0].ends_on, day("2022-02-09"));

    for today in ["2022-01-31", "2022-02-07", "2022-02-09"] {
        clock.set(today);
        refused_at_step(
            app.approve_review(
                &me,
                id,
                version(&app, &me, id).await,
                "12/QĐ-UBND",
                day(today),
            )
            .await,
            "đến hết ngày 09/02/2022",
        );
    }
    clock.set("2022-02-10");
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "12/QĐ-UBND",
        day("2022-02-10"),
    )
    .await
    .unwrap();
    let c = &app.household_statuses(&me, mai).await.unwrap()[0];
    assert_eq!(c.fields.status, "poor");
    assert_eq!(c.fields.decision_date, Some(day("2022-02-10")));
}
app_test!(a_posting_put_up_the_friday_before_tet_ends_after_the_holiday);

async fn a_regular_reviews_fifteen_days_turn_due_soon_then_overdue(store: Store) {
    let (app, clock) = setup(store, "2022-03-18").await;
    let me = officer(DIEN_MY);
    let lan = family(&app, &me, "DM-001", HA_LAM, "Trần Thị Lan").await;
    // Asked on Friday 18 March: fifteen days end on Saturday 2 April, so the term runs
    // to the next working day, Monday 4 April (Bộ luật Dân sự, Điều 148).
    let id = app
        .open_regular_review(&me, lan, request("2022-03-18", "enter", "Trần Thị Lan"))
        .await
        .unwrap();
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.review.opened_on, day("2022-03-18"));
    assert_eq!(view.review.due_on, day("2022-04-04"));
    assert_eq!(view.deadline, DeadlineStatus::OnTime);

    let deadline = |date: &'static str| {
        let app = app.clone();
        let me = me.clone();
        let clock = clock.clone();
        async move {
            clock.set(date);
            app.review(&me, id).await.unwrap().deadline
        }
    };
    assert_eq!(deadline("2022-03-29").await, DeadlineStatus::OnTime);
    assert_eq!(
        deadline("2022-03-30").await,
        DeadlineStatus::DueSoon {
            working_days_left: 3
        },
        "31 March, 1 and 4 April are left"
    );
    assert_eq!(
        deadline("2022-04-04").await,
        DeadlineStatus::DueSoon {
            working_days_left: 0
        }
    );
    assert_eq!(
        deadline("2022-04-05").await,
        DeadlineStatus::Overdue { days_late: 1 }
    );
    assert_eq!(
        deadline("2022-04-12").await,
        DeadlineStatus::Overdue { days_late: 8 }
    );
    // Decided late is still decided: a closed review has no deadline left to miss.
    let ends = through_posting(
        &app,
        &clock,
        &me,
        id,
        &phieu_b(120, &["water"], "2022-04-12"),
    )
    .await;
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "30/QĐ-UBND",
        clock.today(),
    )
    .await
    .unwrap();
    assert_eq!(
        app.review(&me, id).await.unwrap().deadline,
        DeadlineStatus::OnTime
    );
}
app_test!(a_regular_reviews_fifteen_days_turn_due_soon_then_overdue);

async fn the_reporting_calendar_marks_the_dates_due_and_late(store: Store) {
    let (app, clock) = setup(store, "2021-09-06").await;
    let me = officer(DIEN_MY);
    let binh = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    baseline(&app, binh, 2021, "vn-2016", "poor").await;
    let periodic = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let due = |dues: &[giamngheo_app::reporting::ReportingDue], date: &str| {
        dues.iter()
            .find(|d| d.due_on == day(date))
            .unwrap_or_else(|| panic!("no report due on {date}"))
            .clone()
    };

    // Friday 12 November 2021: the preliminary annual results are due on Monday.
    clock.set("2021-11-12");
    let dues = app.reporting_calendar(&me, 2021).await.unwrap();
    assert_eq!(
        dues.len(),
        11,
        "eight monthly reports, the end of the periodic review and two annual reports"
    );
    assert!(dues.windows(2).all(|w| w[0].due_on <= w[1].due_on));
    assert_eq!(due(&dues, "2021-12-14").open_reviews, 1);
    assert!(due(&dues, "2021-12-14").source.contains("14/12"));
    let preliminary = due(&dues, "2021-11-15");
    assert_eq!(preliminary.open_reviews, 1);
    assert_eq!(
        preliminary.status,
        DeadlineStatus::DueSoon {
            working_days_left: 1
        }
    );
    assert_eq!(due(&dues, "2021-12-20").status, DeadlineStatus::OnTime);
    // The monthly reports of 2021 are behind us, with no regular review open: nothing
    // records them as sent, so they are late, never "on time".
    assert_eq!(
        due(&dues, "2021-09-05").status,
        DeadlineStatus::Overdue { days_late: 68 }
    );
    assert_eq!(due(&dues, "2021-09-05").open_reviews, 0);
    // Tuesday 16 November, the review still open: late.
    clock.set("2021-11-16");
    let dues = app.reporting_calendar(&me, 2021).await.unwrap();
    assert_eq!(
        due(&dues, "2021-11-15").status,
        DeadlineStatus::Overdue { days_late: 1 }
    );
    // Decided in time for the official results.
    through_posting(
        &app,
        &clock,
        &me,
        periodic,
        &phieu_b(120, &FOUR, "2021-11-16"),
    )
    .await;
    clock.set("2021-11-22");
    app.approve_review(
        &me,
        periodic,
        version(&app, &me, periodic).await,
        "140/QĐ-UBND",
        day("2021-11-22"),
    )
    .await
    .unwrap();
    let dues = app.reporting_calendar(&me, 2021).await.unwrap();
    assert_eq!(due(&dues, "2021-11-15").open_reviews, 0);
    // Closing the review later does not make a missed date "on time".
    assert_eq!(
        due(&dues, "2021-11-15").status,
        DeadlineStatus::Overdue { days_late: 7 }
    );
    assert_eq!(due(&dues, "2021-12-20").status, DeadlineStatus::OnTime);

    // A request in March 2022 is reported on 5 April.
    clock.set("2022-03-18");
    let lan = family(&app, &me, "DM-002", HA_LAM, "Trần Thị Lan").await;
    let regular = app
        .open_regular_review(&me, lan, request("2022-03-18", "enter", "Trần Thị Lan"))
        .await
        .unwrap();
    clock.set("2022-04-04");
    let dues = app.reporting_calendar(&me, 2022).await.unwrap();
    let april = due(&dues, "2022-04-05");
    assert_eq!(april.open_reviews, 1);
    assert_eq!(
        april.status,
        DeadlineStatus::DueSoon {
            working_days_left: 1
        }
    );
    assert_eq!(due(&dues, "2022-03-05").open_reviews, 0);
    assert_eq!(
        due(&dues, "2022-03-05").status,
        DeadlineStatus::Overdue { days_late: 30 }
    );
    clock.set("2022-04-06");
    let dues = app.reporting_calendar(&me, 2022).await.unwrap();
    assert_eq!(
        due(&dues, "2022-04-05").status,
        DeadlineStatus::Overdue { days_late: 1 }
    );
    // The district sees the same calendar for its communes.
    let district = app.reporting_calendar(&front(), 2022).await.unwrap();
    assert_eq!(due(&district, "2022-04-05").open_reviews, 1);

    let ends = through_posting(
        &app,
        &clock,
        &me,
        regular,
        &phieu_b(125, &FOUR, "2022-04-06"),
    )
    .await;
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    app.approve_review(
        &me,
        regular,
        version(&app, &me, regular).await,
        "31/QĐ-UBND",
        clock.today(),
    )
    .await
    .unwrap();
    let dues = app.reporting_calendar(&me, 2022).await.unwrap();
    assert_eq!(due(&dues, "2022-04-05").open_reviews, 0);
    assert!(matches!(
        due(&dues, "2022-04-05").status,
        DeadlineStatus::Overdue { .. }
    ));
}
app_test!(the_reporting_calendar_marks_the_dates_due_and_late);

async fn a_household_asking_to_be_recognised_is_reviewed_within_the_month(store: Store) {
    let (app, clock) = setup(store, "2022-03-15").await;
    let me = officer(DIEN_MY);
    let nam = family(&app, &me, "DM-001", HA_LAM, "Đặng Văn Nam").await;
    baseline(&app, nam, 2022, "vn-2022", "not_poor").await;
    // He asked online on the 14th; the commune opens the review on the 15th.
    let id = app
        .open_regular_review(
            &me,
            nam,
            RequestInput {
                channel: "online".into(),
                ..request("2022-03-14", "enter", "Đặng Văn Nam")
            },
        )
        .await
        .unwrap();
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.review.kind, "regular");
    assert_eq!(view.review.period, 2022);
    assert_eq!(view.review.standard, "vn-2022");
    assert_eq!(view.review.opened_on, day("2022-03-14"));
    assert_eq!(view.review.due_on, day("2022-03-29"));
    let r = rh(&view, nam);
    assert_eq!(
        (r.source.as_str(), r.step.as_str()),
        ("request", "screening")
    );
    assert_eq!(r.request_channel.as_deref(), Some("online"));
    assert_eq!(r.request_kind.as_deref(), Some("enter"));

    // Phiếu A first, then the steps of the periodic review for his household alone.
    refused_at_step(
        app.start_survey(&me, id, view.review.version).await,
        "chưa được nhận dạng nhanh",
    );
    screen(&app, &me, id, nam, true).await;
    app.start_survey(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();
    clock.set("2022-03-17");
    assert_eq!(
        survey(&app, &me, id, nam, phieu_b(128, &THREE, "2022-03-17")).await,
        "poor"
    );
    app.start_meetings(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();
    clock.set("2022-03-21");
    assert!(
        app.record_meeting(&me, id, meeting(HA_LAM, "2022-03-21", 24, 20))
            .await
            .unwrap()
    );
    let ends = app
        .start_posting(
            &me,
            id,
            version(&app, &me, id).await,
            day("2022-03-22"),
            "Nhà văn hóa thôn Hạ Lâm",
        )
        .await
        .unwrap();
    assert_eq!(ends, day("2022-03-25"));
    clock.set("2022-03-28");
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "15/QĐ-UBND",
        day("2022-03-28"),
    )
    .await
    .unwrap();

    let statuses = app.household_statuses(&me, nam).await.unwrap();
    let c = &statuses[0].fields;
    assert_eq!(c.kind, "regular");
    assert_eq!(c.review_id, Some(id));
    assert_eq!(c.period, 2022);
    assert_eq!(c.status, "poor");
    assert_eq!(c.transition.as_deref(), Some("newly_poor"));
    assert_eq!(c.certificate_number.as_deref(), Some("001/GCN-HN.HCN"));
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(rh(&view, nam).refusal_reason, None);
    assert_eq!(view.deadline, DeadlineStatus::OnTime);
}
app_test!(a_household_asking_to_be_recognised_is_reviewed_within_the_month);

async fn a_household_found_above_the_line_is_refused_in_writing(store: Store) {
    let (app, clock) = setup(store, "2022-05-16").await;
    let me = officer(DIEN_MY);
    let above = family(&app, &me, "DM-001", TRUNG_HOA, "Lê Văn Hùng").await;
    let screened_out = family(&app, &me, "DM-002", TRUNG_HOA, "Bùi Thị Thu").await;

    // Lê Văn Hùng's phiếu B puts him above the line: a decision with reasons, no
    // certificate.
    let id = app
        .open_regular_review(&me, above, request("2022-05-16", "enter", "Lê Văn Hùng"))
        .await
        .unwrap();
    let ends = through_posting(&app, &clock, &me, id, &phieu_b(165, &THREE, "2022-05-16")).await;
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "20/QĐ-UBND",
        clock.today(),
    )
    .await
    .unwrap();
    let view = app.review(&me, id).await.unwrap();
    let reason = rh(&view, above)
        .refusal_reason
        .clone()
        .expect("a reason in writing");
    assert!(reason.contains("hộ không nghèo"), "{reason}");
    assert!(reason.contains("vn-2022"), "{reason}");
    let c = &app.household_statuses(&me, above).await.unwrap()[0].fields;
    assert_eq!(c.status, "not_poor");
    assert_eq!(c.certificate_number, None);

    // Bùi Thị Thu's request does not pass phiếu A: with nothing left to survey, the
    // review is decided at once and the refusal gives that reason.
    clock.set("2022-05-23");
    let id = app
        .open_regular_review(
            &me,
            screened_out,
            request("2022-05-23", "enter", "Bùi Thị Thu"),
        )
        .await
        .unwrap();
    screen(&app, &me, id, screened_out, false).await;
    clock.set("2022-05-24");
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "21/QĐ-UBND",
        day("2022-05-24"),
    )
    .await
    .unwrap();
    assert_eq!(app.review(&me, id).await.unwrap().review.step, "closed");
    let view = app.review(&me, id).await.unwrap();
    let r = rh(&view, screened_out);
    assert_eq!(r.step, "refused");
    assert!(r.refusal_reason.as_deref().unwrap().contains("phiếu A"));
    assert!(
        app.household_statuses(&me, screened_out)
            .await
            .unwrap()
            .is_empty()
    );
}
app_test!(a_household_found_above_the_line_is_refused_in_writing);

async fn another_commune_sees_no_review_and_the_front_reads_but_does_not_act(store: Store) {
    let (app, clock) = setup(store, "2021-09-06").await;
    let me = officer(DIEN_MY);
    let binh = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    baseline(&app, binh, 2021, "vn-2016", "poor").await;
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let v = version(&app, &me, id).await;

    // Hà Linh's officer: the review does not exist for him.
    let neighbour = officer(HA_LINH);
    assert!(matches!(
        app.review(&neighbour, id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.start_survey(&neighbour, id, v).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.open_periodic_review(&neighbour, DIEN_MY, 2023, "vn-2022")
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.open_regular_review(
            &neighbour,
            binh,
            request("2021-09-06", "leave", "Nguyễn Văn Bình")
        )
        .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.reviews(&neighbour, Some(DIEN_MY)).await,
        Err(AppError::NotFound(_))
    ));
    assert!(app.reviews(&neighbour, None).await.unwrap().is_empty());
    assert!(matches!(
        app.household_statuses(&neighbour, binh).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.review(&officer(DIEN_MY), 999_999).await,
        Err(AppError::NotFound(_))
    ));

    // The Fatherland Front supervises: it reads the review and its results…
    let front = front();
    let seen = app.review(&front, id).await.unwrap();
    assert!(!seen.can_write);
    assert_eq!(seen.households.len(), 1);
    assert_eq!(app.reviews(&front, Some(DIEN_MY)).await.unwrap().len(), 1);
    assert_eq!(app.household_statuses(&front, binh).await.unwrap().len(), 1);
    // …and takes no step itself.
    let h = rh(&seen, binh).clone();
    assert!(matches!(
        app.start_survey(&front, id, v).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.open_periodic_review(&front, HA_LINH, 2022, "vn-2022")
            .await,
        Err(AppError::Forbidden(_))
    ));
    app.start_survey(&me, id, v).await.unwrap();
    assert!(matches!(
        app.record_survey(
            &front,
            id,
            h.id,
            h.version,
            phieu_b(120, &FOUR, "2021-09-06")
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    survey(&app, &me, id, binh, phieu_b(120, &FOUR, "2021-09-06")).await;
    let v = version(&app, &me, id).await;
    assert!(matches!(
        app.start_meetings(&front, id, v).await,
        Err(AppError::Forbidden(_))
    ));
    app.start_meetings(&me, id, v).await.unwrap();
    assert!(matches!(
        app.record_meeting(&front, id, meeting(TRUNG_HOA, "2021-09-06", 10, 10))
            .await,
        Err(AppError::Forbidden(_))
    ));
    let ends = {
        app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-09-06", 10, 10))
            .await
            .unwrap();
        let v = version(&app, &me, id).await;
        assert!(matches!(
            app.start_posting(&front, id, v, day("2021-09-06"), "UBND xã")
                .await,
            Err(AppError::Forbidden(_))
        ));
        app.start_posting(&me, id, v, day("2021-09-06"), "UBND xã")
            .await
            .unwrap()
    };
    assert!(matches!(
        app.record_complaint(
            &front,
            id,
            Some(binh),
            "MTTQ xã",
            "Xem lại",
            day("2021-09-06")
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    let v = version(&app, &me, id).await;
    assert!(matches!(
        app.approve_review(&front, id, v, "1/QĐ", clock.today())
            .await,
        Err(AppError::Forbidden(_))
    ));
    // The province viewer sees counts, not households.
    let viewer = actor(Role::ProvinceViewer, "42", Tier::Province);
    assert!(matches!(
        app.review(&viewer, id).await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(app.reviews(&viewer, None).await.unwrap().len(), 1);
    app.approve_review(&me, id, v, "1/QĐ-UBND", clock.today())
        .await
        .unwrap();
    let c = &app.household_statuses(&front, binh).await.unwrap()[0];
    assert!(matches!(
        app.correct_classification(&front, c.id, "near_poor", "Theo kiến nghị của MTTQ")
            .await,
        Err(AppError::Forbidden(_))
    ));
}
app_test!(another_commune_sees_no_review_and_the_front_reads_but_does_not_act);

async fn a_poor_household_asking_to_leave_the_lists_is_recorded_as_escaped(store: Store) {
    let (app, clock) = setup(store, "2022-06-15").await;
    let me = officer(DIEN_MY);
    let duc = family(&app, &me, "DM-001", HA_LAM, "Phan Văn Đức").await;
    // Near-poor in 2021, poor for 2022 by the commune's annual decision.
    baseline(&app, duc, 2021, "vn-2016", "near_poor").await;
    baseline(&app, duc, 2022, "vn-2022", "poor").await;
    // In June his son finds work in the province; he asks to leave the lists.
    let id = app
        .open_regular_review(&me, duc, request("2022-06-15", "leave", "Phan Văn Đức"))
        .await
        .unwrap();
    let ends = through_posting(&app, &clock, &me, id, &phieu_b(170, &[], "2022-06-15")).await;
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "40/QĐ-UBND",
        clock.today(),
    )
    .await
    .unwrap();
    let statuses = app.household_statuses(&me, duc).await.unwrap();
    let c = &statuses[0].fields;
    assert_eq!((c.period, c.kind.as_str()), (2022, "regular"));
    assert_eq!(c.status, "not_poor");
    assert_eq!(
        c.transition.as_deref(),
        Some("escaped_poverty"),
        "poor earlier in the same year, not poor now: he escaped poverty"
    );
    assert_eq!(c.certificate_number, None);
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(
        rh(&view, duc).refusal_reason,
        None,
        "what he asked for was granted"
    );
}
app_test!(a_poor_household_asking_to_leave_the_lists_is_recorded_as_escaped);

async fn a_household_asking_to_leave_is_surveyed_without_phieu_a_and_refused_if_still_poor(
    store: Store,
) {
    let (app, clock) = setup(store, "2022-06-15").await;
    let me = officer(DIEN_MY);
    let duc = family(&app, &me, "DM-001", HA_LAM, "Phan Văn Đức").await;
    baseline(&app, duc, 2022, "vn-2022", "poor").await;
    let id = app
        .open_regular_review(&me, duc, request("2022-06-15", "leave", "Phan Văn Đức"))
        .await
        .unwrap();
    // Decision 24/2021 surveys a household asking to leave with phiếu B at once: it is
    // listed for the survey, and phiếu A is refused for it.
    let view = app.review(&me, id).await.unwrap();
    let h = rh(&view, duc).clone();
    assert_eq!(h.step, "listed");
    match app
        .record_screening(&me, id, h.id, h.version, &[], false)
        .await
    {
        Err(AppError::Invalid { message, .. }) => assert!(message.contains("phiếu B"), "{message}"),
        other => panic!("phiếu A for a request to leave: {other:?}"),
    }
    // The survey finds the household still poor: the request is refused for that reason,
    // not for a screening it never had.
    let ends = through_posting(&app, &clock, &me, id, &phieu_b(120, &FOUR, "2022-06-15")).await;
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "41/QĐ-UBND",
        clock.today(),
    )
    .await
    .unwrap();
    let view = app.review(&me, id).await.unwrap();
    let reason = rh(&view, duc)
        .refusal_reason
        .clone()
        .expect("refused in writing");
    assert!(reason.contains("hộ vẫn là hộ nghèo"), "{reason}");
    assert!(reason.contains("chưa đủ điều kiện thoát nghèo"), "{reason}");
    assert!(!reason.contains("phiếu A"), "{reason}");

    // The letter is numbered in the commune and year when issued, with the officer's
    // words; issued again it takes the next number, and the first stays as sent.
    let rh_id = rh(&view, duc).id;
    let first = app
        .issue_refusal_letter(&me, id, rh_id, "Hộ còn 4 chỉ số thiếu hụt", clock.today())
        .await
        .unwrap();
    assert_eq!(first.number, "001/UBND");
    let second = app
        .issue_refusal_letter(
            &me,
            id,
            rh_id,
            "Hộ còn thiếu hụt bảo hiểm y tế và nhà ở",
            clock.today(),
        )
        .await
        .unwrap();
    assert_eq!(second.number, "002/UBND");
    let now = app.refusal_letter(&me, id, rh_id).await.unwrap().unwrap();
    assert_eq!(now, second);
    assert_eq!(
        app.store().refusal_letters(id).await.unwrap(),
        vec![first, second]
    );
    // Without a reason, or from another commune, or for the front, nothing is issued.
    assert!(matches!(
        app.issue_refusal_letter(&me, id, rh_id, "  ", clock.today())
            .await,
        Err(AppError::Invalid { .. })
    ));
    assert!(matches!(
        app.issue_refusal_letter(&officer(HA_LINH), id, rh_id, "x", clock.today())
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.issue_refusal_letter(&front(), id, rh_id, "x", clock.today())
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(app.store().refusal_letters(id).await.unwrap().len(), 2);
}
app_test!(a_household_asking_to_leave_is_surveyed_without_phieu_a_and_refused_if_still_poor);

/// Eight households of one commune asked to be recognised and were reviewed the same
/// month; the chair signs the eight decisions at once. Each certificate gets its own
/// number, and together they run from 001 without a gap.
async fn concurrent_approvals_in_a_commune_give_distinct_consecutive_certificates(store: Store) {
    let (app, clock) = setup(store, "2022-03-15").await;
    let me = officer(DIEN_MY);
    let mut reviews = Vec::new();
    for i in 1..=8 {
        let h = family(&app, &me, &format!("DM-1{i:02}"), HA_LAM, "Đặng Văn Nam").await;
        baseline(&app, h, 2022, "vn-2022", "not_poor").await;
        let id = app
            .open_regular_review(&me, h, request("2022-03-14", "enter", "Đặng Văn Nam"))
            .await
            .unwrap();
        screen(&app, &me, id, h, true).await;
        app.start_survey(&me, id, version(&app, &me, id).await)
            .await
            .unwrap();
        survey(&app, &me, id, h, phieu_b(128, &THREE, "2022-03-15")).await;
        app.start_meetings(&me, id, version(&app, &me, id).await)
            .await
            .unwrap();
        app.record_meeting(&me, id, meeting(HA_LAM, "2022-03-15", 24, 20))
            .await
            .unwrap();
        app.start_posting(
            &me,
            id,
            version(&app, &me, id).await,
            day("2022-03-16"),
            "Nhà văn hóa thôn Hạ Lâm",
        )
        .await
        .unwrap();
        reviews.push((id, h));
    }
    clock.set("2022-03-28");
    let mut approvals = Vec::new();
    for &(id, _) in &reviews {
        let v = version(&app, &me, id).await;
        let (app, me) = (app.clone(), me.clone());
        approvals.push(tokio::spawn(async move {
            app.approve_review(&me, id, v, "15/QĐ-UBND", day("2022-03-28"))
                .await
        }));
    }
    for a in approvals {
        a.await.unwrap().unwrap();
    }
    let mut numbers = Vec::new();
    for &(_, h) in &reviews {
        let statuses = app.household_statuses(&me, h).await.unwrap();
        numbers.push(statuses[0].fields.certificate_number.clone().unwrap());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=8).map(|n| format!("{n:03}/GCN-HN.HCN")).collect();
    assert_eq!(numbers, expected);
}
app_test!(concurrent_approvals_in_a_commune_give_distinct_consecutive_certificates);

async fn the_meeting_share_is_a_setting_shown_with_its_source(store: Store) {
    let (app, _clock) = setup(store, "2021-09-01").await;
    let me = officer(DIEN_MY);
    let a = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    baseline(&app, a, 2021, "vn-2016", "poor").await;
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let v = version(&app, &me, id).await;
    app.start_survey(&me, id, v).await.unwrap();
    survey(&app, &me, id, a, phieu_b(120, &FOUR, "2021-09-01")).await;
    let v = version(&app, &me, id).await;
    app.start_meetings(&me, id, v).await.unwrap();

    // By default Decision 24/2021's half is the rule, and the page says so with its source.
    let view = app.review(&me, id).await.unwrap();
    assert!(
        view.meeting_rule
            .0
            .contains("ít nhất 50 % người dự họp đồng ý")
            && view.meeting_rule.0.contains("Quyết định 24/2021/QĐ-TTg"),
        "{}",
        view.meeting_rule.0
    );

    // A province that asks for 60 % changes the setting, not the code: 5 of 10 is no
    // longer enough, and the households go back to the survey.
    app.store()
        .set_setting("review.meeting_min_agree_percent", "60")
        .await
        .unwrap();
    app.store()
        .set_setting("review.meeting_rule_source", "Quyết định của tỉnh (thử)")
        .await
        .unwrap();
    assert!(
        !app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-09-01", 10, 5))
            .await
            .unwrap()
    );
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(rh(&view, a).step, "resurvey");
    assert!(
        view.meeting_rule.0.contains("ít nhất 60 %")
            && view.meeting_rule.0.contains("Quyết định của tỉnh (thử)"),
        "{}",
        view.meeting_rule.0
    );
    survey(&app, &me, id, a, phieu_b(120, &FOUR, "2021-09-01")).await;
    assert!(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-09-01", 10, 6))
            .await
            .unwrap()
    );

    // A share outside 1–100 % is a typing error: the regulation's 50 % stays in force.
    app.store()
        .set_setting("review.meeting_min_agree_percent", "0")
        .await
        .unwrap();
    assert_eq!(
        app.review_settings()
            .await
            .unwrap()
            .meeting_min_agree_percent,
        50
    );
}
app_test!(the_meeting_share_is_a_setting_shown_with_its_source);

async fn a_report_recorded_as_sent_is_no_longer_late(store: Store) {
    let (app, _clock) = setup(store, "2022-04-20").await;
    let me = officer(DIEN_MY);
    let due = |dues: &[giamngheo_app::reporting::ReportingDue], date: &str| {
        dues.iter()
            .find(|d| d.due_on == day(date))
            .unwrap_or_else(|| panic!("no report due on {date}"))
            .clone()
    };
    let dues = app.reporting_calendar(&me, 2022).await.unwrap();
    assert_eq!(
        due(&dues, "2022-03-05").status,
        DeadlineStatus::Overdue { days_late: 46 }
    );
    assert_eq!(due(&dues, "2022-03-05").sent_on, None);

    // February's report went on 04/03, March's on 08/04, three days late.
    app.record_report_sent(&me, day("2022-03-05"), day("2022-03-04"))
        .await
        .unwrap();
    app.record_report_sent(&me, day("2022-04-05"), day("2022-04-08"))
        .await
        .unwrap();
    let dues = app.reporting_calendar(&me, 2022).await.unwrap();
    let february = due(&dues, "2022-03-05");
    assert_eq!(february.sent_on, Some(day("2022-03-04")));
    assert!(!matches!(february.status, DeadlineStatus::Overdue { .. }));
    assert_eq!(
        due(&dues, "2022-04-05").status,
        DeadlineStatus::Overdue { days_late: 3 },
        "a report sent late stays late by the days it took"
    );
    // Recorded once: history is not rewritten.
    assert!(matches!(
        app.record_report_sent(&me, day("2022-03-05"), day("2022-03-01"))
            .await,
        Err(AppError::Conflict(_))
    ));
    // Not a due date, a day in the future, a role that does not send reports: refused.
    assert!(matches!(
        app.record_report_sent(&me, day("2022-03-06"), day("2022-03-06"))
            .await,
        Err(AppError::Invalid { .. })
    ));
    assert!(matches!(
        app.record_report_sent(&me, day("2022-05-05"), day("2022-05-01"))
            .await,
        Err(AppError::Invalid { .. })
    ));
    assert!(
        app.record_report_sent(&front(), day("2022-05-05"), day("2022-04-20"))
            .await
            .is_err()
    );
    // Another commune's calendar is its own.
    let other = app
        .reporting_calendar(&officer(HA_LINH), 2022)
        .await
        .unwrap();
    assert_eq!(due(&other, "2022-03-05").sent_on, None);
}
app_test!(a_report_recorded_as_sent_is_no_longer_late);
