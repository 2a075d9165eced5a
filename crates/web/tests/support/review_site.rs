//! A commune's periodic review well under way, shared by the tests of the review's pages:
//! Điền Mỹ's review for 2022 with 45 households in Thôn Trung Hòa and 3 in Thôn Hạ Lâm,
//! each added on request, screened and surveyed (every third found not poor), both
//! villages' meetings held and the posting under way; a commune officer of each commune,
//! the district's office and oversight, Trung Hòa's village head and the province's viewer.

use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::print_wording::Wording;
use giamngheo_app::reviews::{MeetingInput, RequestInput, SurveyInput};
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Clock, Config};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::Store;
use std::sync::{Arc, Mutex};

pub const PASSWORD: &str = "mật khẩu đủ dài";
pub const TRUNG_HOA: &str = "18499001";
pub const HA_LAM: &str = "18499002";
/// Enough households in Trung Hòa for its posting list to run over two pages.
pub const TRUNG_HOA_HOUSEHOLDS: usize = 45;

/// A clock the test moves past the posting, as the days of a review pass.
pub struct MovableClock(pub Mutex<DateTime<Utc>>);

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

pub fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

pub fn morning(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(2, 0, 0).unwrap().and_utc()
}

pub fn head(i: usize, village: &str) -> String {
    if village == TRUNG_HOA {
        format!("Nguyễn Văn Hộ {i:02}")
    } else {
        format!("Lê Thị Lâm {i:02}")
    }
}

pub struct Site {
    pub router: Router,
    pub app: App,
    pub clock: Arc<MovableClock>,
    pub review: i64,
    pub officer: Actor,
}

impl super::Served for Site {
    fn router(&self) -> &Router {
        &self.router
    }
}

/// Điền Mỹ's periodic review for 2022, every household added on request and surveyed,
/// its two villages' meetings held, and the posting under way.
pub async fn site(store: Store) -> Site {
    site_with(store, Wording::default()).await
}

/// The same site, printing with `wording`.
pub async fn site_with(store: Store, wording: Wording) -> Site {
    let clock = Arc::new(MovableClock(Mutex::new(morning(day("2021-09-06")))));
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::four_levels(),
            wording: Arc::new(wording),
            ..Config::default()
        },
        clock.clone(),
    );
    app.import_units(
        "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n444,Huyện Hương Khê,Huyện,2,42\n\
         18499,Xã Điền Mỹ,Xã,3,444\n18502,Xã Hà Linh,Xã,3,444\n"
            .as_bytes(),
        &UnitImportOptions {
            valid_from: day("2020-01-01"),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system(
        "commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n18499,Thôn Hạ Lâm,Thôn\n18502,Thôn Bắc Hà,Thôn\n"
            .as_bytes(),
    )
    .await
    .unwrap();
    for (username, role, unit) in [
        ("canbo.dienmy", Role::CommuneOfficer, "18499"),
        ("canbo.halinh", Role::CommuneOfficer, "18502"),
        ("phong.huongkhe", Role::Office, "444"),
        ("mattran.huongkhe", Role::Oversight, "444"),
        ("truongthon.trunghoa", Role::VillageHead, TRUNG_HOA),
        ("tinh.hatinh", Role::ProvinceViewer, "42"),
    ] {
        app.add_user_as_system(NewUserInput {
            username: username.into(),
            password: PASSWORD.into(),
            role,
            unit_code: unit.into(),
        })
        .await
        .unwrap();
    }
    let mut drafts = Vec::new();
    for (village, n) in [(TRUNG_HOA, TRUNG_HOA_HOUSEHOLDS), (HA_LAM, 3)] {
        for i in 1..=n {
            drafts.push(DraftInput::form(HouseholdDraft {
                code: format!("{}-{i:03}", &village[5..]),
                village_code: village.into(),
                address: "Xóm 1".into(),
                members: vec![MemberDraft {
                    full_name: head(i, village),
                    sex: Some(if village == HA_LAM {
                        Sex::Female
                    } else {
                        Sex::Male
                    }),
                    birth_year: Some(1970),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }));
        }
    }
    let ids = app
        .create_households(By::System, drafts, "test")
        .await
        .unwrap();
    let officer = Actor {
        user_id: 1,
        username: "canbo.dienmy".into(),
        role: Role::CommuneOfficer,
        unit_code: "18499".into(),
        unit_tier: Tier::Commune,
        agency_code: None,
    };
    let review = app
        .open_periodic_review(&officer, "18499", 2022, "vn-2022")
        .await
        .unwrap();
    for id in &ids {
        let rh = app
            .add_review_request(
                &officer,
                review,
                *id,
                RequestInput {
                    date: day("2021-09-01"),
                    channel: "in_person".into(),
                    requester: "Chủ hộ".into(),
                    kind: "enter".into(),
                },
            )
            .await
            .unwrap();
        app.record_screening(&officer, review, rh, 1, &[], true)
            .await
            .unwrap();
    }
    let version = |app: App, officer: Actor| async move {
        app.review(&officer, review).await.unwrap().review.version
    };
    app.start_survey(
        &officer,
        review,
        version(app.clone(), officer.clone()).await,
    )
    .await
    .unwrap();
    let view = app.review(&officer, review).await.unwrap();
    for (i, h) in view.households.iter().enumerate() {
        // Every third household has found work: not poor, and refused.
        let (score, ticks) = if i % 3 == 2 {
            (250, vec![])
        } else {
            (
                120,
                vec![
                    "health_insurance".to_string(),
                    "sanitation".into(),
                    "water".into(),
                ],
            )
        };
        app.record_survey(
            &officer,
            review,
            h.id,
            h.version,
            SurveyInput {
                income_per_capita: None,
                score_a: Some(score),
                ticks,
                surveyed_by: "Rà soát viên".into(),
                surveyed_on: day("2021-09-06"),
            },
        )
        .await
        .unwrap();
    }
    app.start_meetings(
        &officer,
        review,
        version(app.clone(), officer.clone()).await,
    )
    .await
    .unwrap();
    for (village, attendees, agreeing) in [(TRUNG_HOA, 40, 31), (HA_LAM, 12, 12)] {
        app.record_meeting(
            &officer,
            review,
            MeetingInput {
                village_code: village.into(),
                held_on: day("2021-09-06"),
                attendees,
                agreeing,
                chaired_by: Some("Trần Văn Chủ".into()),
                minutes: None,
            },
        )
        .await
        .unwrap();
    }
    app.start_posting(
        &officer,
        review,
        version(app.clone(), officer.clone()).await,
        day("2021-09-06"),
        "Nhà văn hóa thôn",
    )
    .await
    .unwrap();
    Site {
        router: giamngheo_web::router(app.clone()),
        app,
        clock,
        review,
        officer,
    }
}

impl Site {
    pub async fn approve(&self) {
        *self.clock.0.lock().unwrap() = morning(day("2021-09-20"));
        let v = self
            .app
            .review(&self.officer, self.review)
            .await
            .unwrap()
            .review
            .version;
        self.app
            .approve_review(
                &self.officer,
                self.review,
                v,
                "15/QĐ-UBND",
                day("2021-09-20"),
            )
            .await
            .unwrap();
    }
}

pub async fn session(site: &Site, username: &str) -> String {
    super::sign_in_answer(site, username, PASSWORD)
        .await
        .cookie("gn_session")
        .unwrap()
}
