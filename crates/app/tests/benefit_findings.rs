//! The findings on benefits (issue 14) on SQLite, PostgreSQL and Citus: each kind raised
//! where it should be and not where it should not, a re-run adds nothing, and closing one
//! keeps who closed it and why.

use chrono::NaiveDate;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::bulk_import::BulkOptions;
use giamngheo_app::households::By;
use giamngheo_app::policies::findings::evidence_text;
use giamngheo_app::policies::imports::BenefitImportRequest;
use giamngheo_app::{App, AppError};
use giamngheo_domain::Tier;
use giamngheo_store::{ClassificationFields, FindingRecord, MatchCandidate, Store};

use giamngheo_store::store_test as app_test;

mod common;
use common::one_commune;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Ten households of one member each, HK-000 … HK-009, with citizen IDs 042000000000 + i.
async fn households(app: &App) -> Vec<MatchCandidate> {
    let mut csv = String::from(
        "household_code,village_code,full_name,sex,birth_date,ethnicity,relation,citizen_id\n",
    );
    for i in 0..10 {
        csv.push_str(&format!(
            "HK-{i:03},18499001,Nguyễn Văn An {i},Nam,{},Kinh,Chủ hộ,042{i:09}\n",
            1960 + i
        ));
    }
    import_households(app, csv).await
}

/// Imports a households CSV into the commune; its members, sorted by household code.
async fn import_households(app: &App, csv: String) -> Vec<MatchCandidate> {
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
    members
}

fn classification(id: i64, status: &str, effective: NaiveDate) -> ClassificationFields {
    ClassificationFields {
        household_id: id,
        province_code: "42".into(),
        district_code: Some("444".into()),
        commune_code: "18499".into(),
        village_code: "18499001".into(),
        period: effective.format("%Y").to_string().parse().unwrap(),
        standard: "vn-2022".into(),
        kind: "regular".into(),
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
        member_count: 1,
        causes: String::new(),
        decision_number: None,
        decision_date: None,
        effective_date: effective,
        approved_by: "test".into(),
        approved_at: "2021-12-20T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

async fn import(app: &App, policy: &str, agency: &str, list: &str) {
    app.import_benefit_list(
        By::System,
        &BenefitImportRequest {
            policy,
            agency_code: agency,
            unit_code: Some("18499"),
            file_name: "ds.csv",
            bytes: list.as_bytes(),
        },
    )
    .await
    .unwrap();
}

const CARDS: &str = "Mã thẻ,Số CCCD,Họ và tên,Từ ngày,Đến ngày\n";
const LOANS: &str = "Số khế ước,Số CCCD,Họ tên người vay,Ngày giải ngân,Số tiền vay\n";

fn reference_of(f: &FindingRecord) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(&f.evidence).ok()?;
    v.get("reference")?.as_str().map(str::to_string)
}

fn office() -> Actor {
    Actor {
        user_id: 1,
        username: "phong-kinh-te".into(),
        role: Role::Office,
        unit_code: "18499".into(),
        unit_tier: Tier::Commune,
        agency_code: None,
    }
}

async fn each_finding_kind_is_raised_where_it_should_be_and_not_elsewhere(store: Store) {
    let app = one_commune(store.clone()).await;
    let m = households(&app).await;
    let h = |i: usize| m[i].household_id;
    let poor_2022 = |i: usize| classification(h(i), "poor", date(2021, 12, 20));
    let rows = vec![
        // HK-000 poor from 15/03/2026: a card from that day is due.
        classification(h(0), "poor", date(2026, 3, 15)),
        // HK-001 poor from 16/03/2026: a card from 15/03 is a day early.
        classification(h(1), "poor", date(2026, 3, 16)),
        // HK-002 and HK-003 left the list on 20/12/2022.
        poor_2022(2),
        classification(h(2), "not_poor", date(2022, 12, 20)),
        poor_2022(3),
        classification(h(3), "not_poor", date(2022, 12, 20)),
        poor_2022(4),
        poor_2022(5),
        poor_2022(6),
        poor_2022(7),
        poor_2022(8),
        poor_2022(9),
    ];
    store
        .insert_classifications(&rows, &[], chrono::Utc::now())
        .await
        .unwrap();
    // HK-005's member died (left) on 01/04/2026; HK-006's on the same day.
    for (i, at) in [(5, "2026-04-01T08:00:00Z"), (6, "2026-04-01T08:00:00Z")] {
        store
            .execute_admin(&format!(
                "UPDATE members SET active = FALSE WHERE id = {}",
                m[i].member_id
            ))
            .await
            .unwrap();
        store
            .execute_admin(&format!(
                "INSERT INTO audit_log (home_province, at, username, action, entity, entity_id, household_id, changes) \
                 VALUES ('42', '{at}', 'test', 'member.leave', 'member', '{}', {}, '[]')",
                m[i].member_id, m[i].household_id
            ))
            .await
            .unwrap();
    }
    // The cards of HK-005 and HK-006 were imported before, while they were members:
    // HK-005's runs past the death, HK-006's ended the day before.
    let cards = format!(
        "{CARDS}C0,042000000000,An 0,15/03/2026,31/12/2026\n\
         C1,042000000001,An 1,15/03/2026,31/12/2026\n\
         C4,042000000004,An 4,01/01/2026,31/12/2026\n\
         C7,042000000007,An 7,01/01/2026,31/12/2026\n\
         C8,042000000008,An 8,01/01/2026,31/12/2026\n"
    );
    // Imported before the deaths are recorded below would be the real order; the checks
    // look at the state when they run, so the order here does not matter.
    import(&app, "bhyt", "42-bhxh", &cards).await;
    // HK-005 and HK-006: cards matched by the officer from the queue (their members are
    // no longer active, so the import cannot match them itself).
    let late = format!(
        "{CARDS}C5,099000000005,Người đã mất 5,01/01/2026,31/12/2026\n\
         C6,099000000006,Người đã mất 6,01/01/2026,31/03/2026\n"
    );
    import(&app, "bhyt", "42-bhxh", &late).await;
    let queue = store
        .match_queue(&["18499".into()], Some("waiting"))
        .await
        .unwrap();
    assert_eq!(queue.len(), 2);
    app.resolve_queued_row(By::System, queue[0].id, h(5), Some(m[5].member_id))
        .await
        .unwrap();
    app.resolve_queued_row(By::System, queue[1].id, h(6), Some(m[6].member_id))
        .await
        .unwrap();
    // HK-008's member moves away and HK-009's member is found to hold the same citizen
    // ID: a second card for that person on another household's list.
    store
        .execute_admin(&format!(
            "UPDATE members SET active = FALSE WHERE id = {}",
            m[8].member_id
        ))
        .await
        .unwrap();
    store
        .execute_admin(&format!(
            "UPDATE members SET citizen_id = '042000000008' WHERE id = {}",
            m[9].member_id
        ))
        .await
        .unwrap();
    import(
        &app,
        "bhyt",
        "42-bhxh",
        &format!("{CARDS}C9,042000000008,An 9,01/01/2026,31/12/2026\n"),
    )
    .await;
    // Loans for recently escaped households: HK-002 within 3 years, HK-003 after.
    let loans = format!(
        "{LOANS}L2,042000000002,An 2,01/06/2025,50.000.000\n\
         L3,042000000003,An 3,05/01/2026,50.000.000\n"
    );
    import(&app, "loan_recently_escaped", "42-nhcsxh", &loans).await;
    // A list with one citizen ID twice (two references).
    let twice = format!(
        "{CARDS}D1,042000000007,An 7,01/01/2027,31/12/2027\n\
         D2,042000000007,An 7,01/01/2027,31/12/2027\n"
    );
    import(&app, "bhyt", "42-bhxh", &twice).await;

    // Each import checked only the households it wrote benefits for, which finds every
    // finding an import can bring; HK-008's card became suspect when its member moved
    // away, after its import, so only the unit's full check flags it.
    let after_imports = app.findings(&office(), None, None, None).await.unwrap();
    assert!(
        after_imports
            .iter()
            .all(|f| reference_of(f).as_deref() != Some("C8")),
        "HK-008's card is not flagged by a later import of other households"
    );
    let run = app.check_findings("18499").await.unwrap();
    assert_eq!(
        run.added, 1,
        "the full check adds HK-008's card and nothing else"
    );

    let all = app.findings(&office(), None, None, None).await.unwrap();
    let kinds = |reference: &str| -> Vec<String> {
        let mut k: Vec<String> = all
            .iter()
            .filter(|f| reference_of(f).as_deref() == Some(reference))
            .map(|f| f.kind.clone())
            .collect();
        k.sort();
        k
    };
    let none: Vec<String> = Vec::new();
    assert_eq!(kinds("C0"), none, "poor from the card's first day");
    assert_eq!(kinds("C1"), vec!["ineligible_benefit"]);
    assert_eq!(kinds("C4"), none);
    assert_eq!(kinds("C5"), vec!["card_after_death"]);
    assert_eq!(kinds("C6"), none, "the card ended before the death");
    assert_eq!(kinds("C7"), none);
    assert_eq!(kinds("L2"), none, "within three years of escaping");
    assert_eq!(kinds("L3"), vec!["loan_after_escape"]);
    assert_eq!(kinds("C9"), vec!["duplicate_person"]);
    // HK-008's own card: its member moved away with no date recorded, so the full check
    // flags the card too.
    assert_eq!(kinds("C8"), vec!["card_after_death"]);
    let dup_import: Vec<&FindingRecord> = all
        .iter()
        .filter(|f| f.kind == "duplicate_citizen_id_in_import")
        .collect();
    assert_eq!(dup_import.len(), 1);
    assert!(
        evidence_text(dup_import[0]).contains("ở các dòng 2, 3"),
        "{}",
        evidence_text(dup_import[0])
    );
    // No citizen ID in full in any evidence.
    assert!(
        all.iter()
            .all(|f| !evidence_text(f).contains("042000000008"))
    );
    let text = evidence_text(all.iter().find(|f| f.kind == "loan_after_escape").unwrap());
    assert!(text.contains("20/12/2022"), "{text}");
    assert!(
        all.iter()
            .all(|f| f.source == "policy" && f.status == "open")
    );

    // A run again adds nothing.
    let before = all.len();
    let run = app.check_findings("18499").await.unwrap();
    assert_eq!(run.added, 0);
    assert_eq!(
        run.found as usize,
        before - 1,
        "all but the import's duplicate"
    );
    assert_eq!(
        app.findings(&office(), None, None, None)
            .await
            .unwrap()
            .len(),
        before
    );

    // Closing one keeps who and why; it is then no longer open, and the filters see it.
    let target = all.iter().find(|f| f.kind == "ineligible_benefit").unwrap();
    let oversight = Actor {
        role: Role::Oversight,
        ..office()
    };
    assert!(matches!(
        app.close_finding(By::User(&oversight), target.id, "justified", "ok")
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.close_finding(By::User(&office()), target.id, "open", "x")
            .await,
        Err(AppError::Invalid { .. })
    ));
    app.close_finding(
        By::User(&office()),
        target.id,
        "justified",
        "Quyết định công nhận hộ nghèo ký ngày 15/03, nhập nhầm ngày",
    )
    .await
    .unwrap();
    let closed = app
        .findings(
            &oversight,
            None,
            Some("ineligible_benefit"),
            Some("justified"),
        )
        .await
        .unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].closed_by.as_deref(), Some("phong-kinh-te"));
    assert!(matches!(
        app.close_finding(By::User(&office()), target.id, "corrected", "x")
            .await,
        Err(AppError::Conflict(_))
    ));
    // A re-run does not reopen it.
    app.check_findings("18499").await.unwrap();
    let still = app
        .findings(&office(), None, None, Some("open"))
        .await
        .unwrap();
    assert_eq!(still.len(), before - 1);
    // Outside the unit: not found.
    let elsewhere = Actor {
        unit_code: "18499002".into(),
        unit_tier: Tier::Village,
        role: Role::CommuneOfficer,
        ..office()
    };
    assert!(matches!(
        app.close_finding(By::User(&elsewhere), still[0].id, "justified", "x")
            .await,
        Err(AppError::NotFound(_))
    ));
}
app_test!(each_finding_kind_is_raised_where_it_should_be_and_not_elsewhere);

/// Households HK-100 … of one member each, from `(village, birth year, school level)`,
/// with citizen IDs 0421000001xx; their members sorted by household code.
async fn households_with(app: &App, rows: &[(&str, i32, &str)]) -> Vec<MatchCandidate> {
    let mut csv = String::from(
        "household_code,village_code,full_name,sex,birth_date,ethnicity,relation,citizen_id,school_level\n",
    );
    for (i, (village, born, school)) in rows.iter().enumerate() {
        csv.push_str(&format!(
            "HK-{:03},{village},Lê Thị Bình {i},Nữ,{born},Kinh,Chủ hộ,0421000001{i:02},{school}\n",
            100 + i
        ));
    }
    import_households(app, csv).await
}

/// The findings' eligibility reads what coverage reads: a card held by someone not poor
/// in an extremely difficult village is due (not reported), while tuition exempted for a
/// poor household's member who is not at school is reported.
async fn findings_read_unit_flags_and_member_facts(store: Store) {
    let app = one_commune(store.clone()).await;
    store
        .execute_admin("UPDATE admin_units SET extremely_difficult = TRUE WHERE code = '18499002'")
        .await
        .unwrap();
    let m = households_with(
        &app,
        &[
            // HK-100: not poor, in the extremely difficult village.
            ("18499002", 1980, "Không"),
            // HK-101: not poor, in the other village.
            ("18499001", 1980, "Không"),
            // HK-102: poor, a pupil at primary school.
            ("18499001", 2017, "Tiểu học"),
            // HK-103: poor, an adult not at school.
            ("18499001", 1970, "Không"),
        ],
    )
    .await;
    let rows = vec![
        classification(m[2].household_id, "poor", date(2025, 12, 20)),
        classification(m[3].household_id, "poor", date(2025, 12, 20)),
    ];
    store
        .insert_classifications(&rows, &[], chrono::Utc::now())
        .await
        .unwrap();
    let cards = format!(
        "{CARDS}E0,042100000100,Bình 0,01/01/2026,31/12/2026\n\
         E1,042100000101,Bình 1,01/01/2026,31/12/2026\n"
    );
    import(&app, "bhyt", "42-bhxh", &cards).await;
    let tuition = "Số quyết định,Số CCCD,Họ và tên học sinh,Từ ngày\n\
                   T2,042100000102,Bình 2,05/09/2026\n\
                   T3,042100000103,Bình 3,05/09/2026\n";
    import(&app, "tuition_exemption", "42-sgddt", tuition).await;
    let all = app.findings(&office(), None, None, None).await.unwrap();
    let kinds = |reference: &str| -> Vec<String> {
        all.iter()
            .filter(|f| reference_of(f).as_deref() == Some(reference))
            .map(|f| f.kind.clone())
            .collect()
    };
    let none: Vec<String> = Vec::new();
    assert_eq!(
        kinds("E0"),
        none,
        "extremely difficult village: the card is due"
    );
    assert_eq!(kinds("E1"), vec!["ineligible_benefit"]);
    assert_eq!(kinds("T2"), none, "a poor household's pupil");
    assert_eq!(kinds("T3"), vec!["ineligible_benefit"], "not at school");
    let text = evidence_text(
        all.iter()
            .find(|f| reference_of(f).as_deref() == Some("T3"))
            .unwrap(),
    );
    assert!(text.contains("tuổi hoặc cấp học"), "{text}");
}
app_test!(findings_read_unit_flags_and_member_facts);

/// A person on two households' lists is found whichever unit is checked: the check of
/// one village compares its benefits with the whole province's, and the finding is the
/// same one from either village.
async fn duplicate_person_is_found_across_units(store: Store) {
    let app = one_commune(store.clone()).await;
    let m = households_with(
        &app,
        &[("18499001", 1980, "Không"), ("18499002", 1981, "Không")],
    )
    .await;
    let rows = vec![
        classification(m[0].household_id, "poor", date(2025, 12, 20)),
        classification(m[1].household_id, "poor", date(2025, 12, 20)),
    ];
    store
        .insert_classifications(&rows, &[], chrono::Utc::now())
        .await
        .unwrap();
    let cards = format!(
        "{CARDS}F0,042100000100,Bình 0,01/01/2026,31/12/2026\n\
         F1,042100000101,Bình 1,01/01/2026,31/12/2026\n"
    );
    import(&app, "bhyt", "42-bhxh", &cards).await;
    assert!(
        app.findings(&office(), None, Some("duplicate_person"), None)
            .await
            .unwrap()
            .is_empty()
    );
    // HK-100's member moves to HK-101, whose member she turns out to be: the same
    // citizen ID, now on two households' card lists.
    store
        .execute_admin(&format!(
            "UPDATE members SET active = FALSE WHERE id = {}",
            m[0].member_id
        ))
        .await
        .unwrap();
    store
        .execute_admin(&format!(
            "UPDATE members SET citizen_id = '042100000100' WHERE id = {}",
            m[1].member_id
        ))
        .await
        .unwrap();
    let run = app.check_findings("18499002").await.unwrap();
    assert_eq!(run.added, 1, "the other village's card is compared");
    let dup = app
        .findings(&office(), None, Some("duplicate_person"), None)
        .await
        .unwrap();
    assert_eq!(dup.len(), 1);
    assert_eq!(reference_of(&dup[0]).as_deref(), Some("F1"));
    let text = evidence_text(&dup[0]);
    assert!(text.contains("HK-100") && text.contains("HK-101"), "{text}");
    // Checking the first village finds the same finding, not a second one (its other
    // finding is the card of the member who left).
    app.check_findings("18499001").await.unwrap();
    let again = app
        .findings(&office(), None, Some("duplicate_person"), None)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
}
app_test!(duplicate_person_is_found_across_units);

/// The check an import runs on the households it wrote benefits for (read in one
/// statement per table on PostgreSQL, in chunks on SQLite) finds exactly what the check
/// of the whole unit finds, on random data: after each of two imports (cards, then loans
/// and more cards) the unit's check finds as many findings as are stored and adds none.
async fn the_import_check_finds_what_the_unit_check_finds(store: Store) {
    let app = one_commune(store.clone()).await;
    let mut seed: u64 = 0x2026_1208;
    let mut below = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let villages = ["18499001", "18499002"];
    let schools = ["Không", "Tiểu học", "Trung học cơ sở"];
    let people: Vec<(&str, i32, &str)> = (0..60)
        .map(|_| {
            (
                villages[below(2) as usize],
                1950 + below(70) as i32,
                schools[below(3) as usize],
            )
        })
        .collect();
    let m = households_with(&app, &people).await;
    let mut rows = Vec::new();
    for member in &m {
        for year in [2021, 2023, 2025] {
            if below(2) == 0 {
                let status = ["poor", "near_poor", "not_poor"][below(3) as usize];
                let day = date(year, 1 + below(12) as u32, 1 + below(28) as u32);
                rows.push(classification(member.household_id, status, day));
            }
        }
    }
    store
        .insert_classifications(&rows, &[], chrono::Utc::now())
        .await
        .unwrap();
    // A few members left (died or moved away) before the lists came.
    for member in m.iter().filter(|_| below(10) == 0) {
        store
            .execute_admin(&format!(
                "UPDATE members SET active = FALSE WHERE id = {}",
                member.member_id
            ))
            .await
            .unwrap();
        store
            .execute_admin(&format!(
                "INSERT INTO audit_log (home_province, at, username, action, entity, entity_id, household_id, changes) \
                 VALUES ('42', '2025-06-01T08:00:00Z', 'test', 'member.leave', 'member', '{}', {}, '[]')",
                member.member_id, member.household_id
            ))
            .await
            .unwrap();
    }
    let day = |below: &mut dyn FnMut(u64) -> u64| {
        format!(
            "{:02}/{:02}/{}",
            1 + below(28),
            1 + below(12),
            2024 + below(3)
        )
    };
    let policy_findings = |all: &[FindingRecord]| {
        all.iter()
            .filter(|f| f.source == "policy" && f.kind != "duplicate_citizen_id_in_import")
            .count() as u64
    };
    let mut cards = String::from(CARDS);
    for (i, member) in m.iter().enumerate() {
        if below(10) < 7 {
            let from = day(&mut below);
            cards.push_str(&format!(
                "A{i},{},Bình {i},{from},31/12/2026\n",
                member.citizen_id.clone().unwrap_or_default()
            ));
        }
    }
    import(&app, "bhyt", "42-bhxh", &cards).await;
    let stored = app.findings(&office(), None, None, None).await.unwrap();
    assert!(policy_findings(&stored) > 0, "random data raises findings");
    let run = app.check_findings("18499").await.unwrap();
    assert_eq!((run.found, run.added), (policy_findings(&stored), 0));

    let mut loans = String::from(LOANS);
    let mut more_cards = String::from(CARDS);
    for (i, member) in m.iter().enumerate() {
        let id = member.citizen_id.clone().unwrap_or_default();
        if below(10) < 4 {
            let from = day(&mut below);
            loans.push_str(&format!("L{i},{id},Bình {i},{from},50.000.000\n"));
        }
        if below(10) < 3 {
            let from = day(&mut below);
            more_cards.push_str(&format!("B{i},{id},Bình {i},{from},31/12/2027\n"));
        }
    }
    import(&app, "loan_poor", "42-nhcsxh", &loans).await;
    import(&app, "bhyt", "42-bhxh", &more_cards).await;
    let stored = app.findings(&office(), None, None, None).await.unwrap();
    let run = app.check_findings("18499").await.unwrap();
    assert_eq!((run.found, run.added), (policy_findings(&stored), 0));
}
app_test!(the_import_check_finds_what_the_unit_check_finds);
