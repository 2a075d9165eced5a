//! The household registry through the app layer, on SQLite and PostgreSQL: what each
//! role may see and change, and what a change leaves in the audit trail.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::households::{By, DraftInput, decode_changes};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::household::{CitizenId, HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{AuditEntry, Store};
use std::sync::Arc;

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

mod scale;

/// Xã Điền Mỹ (18499) and Xã Hà Linh (18502) of Huyện Hương Khê (444), Tỉnh Hà Tĩnh (42).
const DIEN_MY: &str = "18499";
const HA_LINH: &str = "18502";

async fn setup(store: Store) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    );
    let units = "code,name,kind,level,parent_code\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 444,Huyện Hương Khê,Huyện,2,42\n\
                 18499,Xã Điền Mỹ,Xã,3,444\n\
                 18502,Xã Hà Linh,Xã,3,444\n";
    app.import_units(
        units.as_bytes(),
        &giamngheo_app::units::UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
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

fn member(name: &str, relation: &str, year: i32, citizen_id: Option<&str>) -> MemberDraft {
    MemberDraft {
        full_name: name.into(),
        sex: Some(if name.contains(" Thị ") {
            Sex::Female
        } else {
            Sex::Male
        }),
        birth_year: Some(year),
        ethnicity: "01".into(),
        relation: relation.into(),
        citizen_id: citizen_id.map(|c| CitizenId::parse(c).unwrap()),
        ..Default::default()
    }
}

fn household(code: &str, village: &str, members: Vec<MemberDraft>) -> HouseholdDraft {
    HouseholdDraft {
        code: code.into(),
        village_code: village.into(),
        address: "Xóm 1".into(),
        water_source: Some("drilled_well".into()),
        members,
        ..Default::default()
    }
}

async fn a_commune_officer_registers_and_finds_households(store: Store) {
    let app = setup(store).await;
    let me = officer(DIEN_MY);
    let a = app
        .create_household(
            &me,
            household(
                "DM-001",
                "18499001",
                vec![
                    member("Nguyễn Văn Bình", "head", 1970, Some("042070000001")),
                    member("Trần Thị Lan", "spouse", 1972, None),
                ],
            ),
        )
        .await
        .unwrap();
    app.create_household(
        &me,
        household(
            "DM-002",
            "18499002",
            vec![member("Hồ Thị An", "head", 1980, None)],
        ),
    )
    .await
    .unwrap();

    let page = app.list_households(&me, None, None, 1).await.unwrap();
    assert_eq!(page.total, 2);
    // Sorted by given name: An before Bình.
    let heads: Vec<&str> = page.items.iter().map(|h| h.head_name.as_str()).collect();
    assert_eq!(heads, ["Hồ Thị An", "Nguyễn Văn Bình"]);

    let found = app
        .list_households(&me, None, Some("tran thi lan"), 1)
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].id, a);
    let by_id = app
        .list_households(&me, None, Some("042 070 000 001"), 1)
        .await
        .unwrap();
    assert_eq!(by_id.items[0].code, "DM-001");
    let by_code = app
        .list_households(&me, None, Some("dm-002"), 1)
        .await
        .unwrap();
    assert_eq!(by_code.items[0].head_name, "Hồ Thị An");

    let view = app.household(&me, a).await.unwrap();
    assert_eq!(view.members.len(), 2);
    assert_eq!(view.household.fields.commune_code, DIEN_MY);
    assert_eq!(view.household.fields.district_code.as_deref(), Some("444"));
    assert_eq!(view.household.fields.area, "rural");
    assert_eq!(
        view.members[0].fields.citizen_id.as_deref(),
        Some("042070000001")
    );
}
app_test!(a_commune_officer_registers_and_finds_households);

async fn another_communes_household_does_not_exist_for_an_officer(store: Store) {
    let app = setup(store).await;
    let theirs = app
        .create_household(
            &officer(HA_LINH),
            household(
                "HL-001",
                "18502001",
                vec![member("Lê Văn Tám", "head", 1960, None)],
            ),
        )
        .await
        .unwrap();
    let me = officer(DIEN_MY);
    assert!(matches!(
        app.household(&me, theirs).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.list_households(&me, Some(HA_LINH), None, 1).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.household_history(&me, theirs).await,
        Err(AppError::NotFound(_))
    ));
    // Writing into another commune's village is refused the same way.
    assert!(matches!(
        app.create_household(
            &me,
            household(
                "X-1",
                "18502001",
                vec![member("Lê Văn Một", "head", 1990, None)]
            )
        )
        .await,
        Err(AppError::NotFound(_))
    ));
    // My own list does not show it.
    assert_eq!(
        app.list_households(&me, None, None, 1).await.unwrap().total,
        0
    );
    // The district labour office sees both communes.
    let district = actor(Role::Office, "444", Tier::District);
    assert_eq!(
        app.household(&district, theirs).await.unwrap().household.id,
        theirs
    );
}
app_test!(another_communes_household_does_not_exist_for_an_officer);

async fn each_role_reads_and_writes_only_what_it_may(store: Store) {
    let app = setup(store).await;
    let id = app
        .create_household(
            &officer(DIEN_MY),
            household(
                "DM-001",
                "18499001",
                vec![member(
                    "Nguyễn Văn Bình",
                    "head",
                    1970,
                    Some("042070000001"),
                )],
            ),
        )
        .await
        .unwrap();
    let edit = |app: App, who: Actor| async move {
        let view = app.household(&who, id).await?;
        let (mut draft, ids) = App::draft_of(&view);
        draft.address = "Xóm 2".into();
        app.update_household(&who, id, view.household.version, draft, ids, None)
            .await
    };
    // Readers: see the household, citizen ID masked or not by role; cannot write.
    for (role, unit, tier, sees_id, writes) in [
        (Role::Admin, "42", Tier::Province, true, true),
        (Role::Office, "444", Tier::District, true, true),
        (Role::AgencyOfficer, "444", Tier::District, false, false),
        (Role::CommuneOfficer, DIEN_MY, Tier::Commune, true, true),
        (Role::VillageHead, "18499001", Tier::Village, false, false),
        (Role::Oversight, "444", Tier::District, false, false),
    ] {
        let who = actor(role, unit, tier);
        let view = app.household(&who, id).await.unwrap();
        let shown = view.members[0].fields.citizen_id.clone().unwrap();
        assert_eq!(shown == "042070000001", sees_id, "{role}: {shown}");
        if !sees_id {
            assert_eq!(shown, "*********001", "{role}");
        }
        let result = edit(app.clone(), who).await;
        assert_eq!(result.is_ok(), writes, "{role}: {result:?}");
        if !writes {
            assert!(matches!(result, Err(AppError::Forbidden(_))), "{role}");
        }
    }
    // A village head of another village and a province viewer see nothing personal.
    let other_head = actor(Role::VillageHead, "18499002", Tier::Village);
    assert!(matches!(
        app.household(&other_head, id).await,
        Err(AppError::NotFound(_))
    ));
    let viewer = actor(Role::ProvinceViewer, "42", Tier::Province);
    assert!(matches!(
        app.household(&viewer, id).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.list_households(&viewer, None, None, 1).await,
        Err(AppError::Forbidden(_))
    ));
    // Only roles that see citizen IDs may search by one.
    let agency = actor(Role::AgencyOfficer, "444", Tier::District);
    assert!(matches!(
        app.list_households(&agency, None, Some("042070000001"), 1)
            .await,
        Err(AppError::Forbidden(_))
    ));
}
app_test!(each_role_reads_and_writes_only_what_it_may);

async fn a_citizen_id_in_another_household_is_refused_naming_it(store: Store) {
    let app = setup(store).await;
    let me = officer(DIEN_MY);
    app.create_household(
        &me,
        household(
            "DM-001",
            "18499001",
            vec![member(
                "Nguyễn Văn Bình",
                "head",
                1970,
                Some("042070000001"),
            )],
        ),
    )
    .await
    .unwrap();
    let err = app
        .create_household(
            &me,
            household(
                "DM-002",
                "18499002",
                vec![member(
                    "Nguyễn Văn Bính",
                    "head",
                    1971,
                    Some("042070000001"),
                )],
            ),
        )
        .await
        .unwrap_err();
    let AppError::Conflict(message) = err else {
        panic!("expected a conflict, got {err:?}");
    };
    assert!(message.contains("DM-001"), "{message}");
    assert!(message.contains("Xã Điền Mỹ"), "{message}");
    assert!(
        !message.contains("042070000001"),
        "the number is masked: {message}"
    );
    assert_eq!(
        app.list_households(&me, None, None, 1).await.unwrap().total,
        1
    );
}
app_test!(a_citizen_id_in_another_household_is_refused_naming_it);

async fn saving_a_stale_copy_is_refused_and_nothing_is_lost(store: Store) {
    let app = setup(store).await;
    let me = officer(DIEN_MY);
    let id = app
        .create_household(
            &me,
            household(
                "DM-001",
                "18499001",
                vec![member("Nguyễn Văn Bình", "head", 1970, None)],
            ),
        )
        .await
        .unwrap();
    let view = app.household(&me, id).await.unwrap();
    let (mut first, ids) = App::draft_of(&view);
    let (mut second, _) = App::draft_of(&view);
    first.address = "Xóm 3".into();
    second.address = "Xóm 4".into();
    let v2 = app
        .update_household(&me, id, view.household.version, first, ids.clone(), None)
        .await
        .unwrap();
    assert_eq!(v2, view.household.version + 1);
    let err = app
        .update_household(&me, id, view.household.version, second, ids, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("tải lại")),
        "{err:?}"
    );
    let now = app.household(&me, id).await.unwrap();
    assert_eq!(now.household.fields.address, "Xóm 3");
    assert_eq!(now.household.version, v2);
}
app_test!(saving_a_stale_copy_is_refused_and_nothing_is_lost);

async fn every_change_is_in_the_households_history_and_the_log_is_append_only(store: Store) {
    let app = setup(store).await;
    let me = officer(DIEN_MY);
    let id = app
        .create_household(
            &me,
            household(
                "DM-001",
                "18499001",
                vec![member(
                    "Nguyễn Văn Bình",
                    "head",
                    1970,
                    Some("042070000001"),
                )],
            ),
        )
        .await
        .unwrap();
    let view = app.household(&me, id).await.unwrap();
    let (mut draft, mut ids) = App::draft_of(&view);
    draft.address = "Xóm Mới".into();
    draft.village_code = "18499002".into();
    draft.members[0].citizen_id = Some(CitizenId::parse("042070000009").unwrap());
    draft
        .members
        .push(member("Nguyễn Thị Hoa", "child", 2005, None));
    ids.push(None);
    app.update_household(
        &me,
        id,
        view.household.version,
        draft,
        ids,
        Some("Chuyển thôn".into()),
    )
    .await
    .unwrap();
    let history = app.household_history(&me, id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.entry.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "member.add",
            "member.update",
            "household.move",
            "household.create"
        ]
    );
    let moved = decode_changes(&history[2].entry.changes);
    let address = moved.iter().find(|c| c.field == "address").unwrap();
    assert_eq!(address.old, "Xóm 1");
    assert_eq!(address.new, "Xóm Mới");
    assert!(
        moved
            .iter()
            .any(|c| c.field == "village_code" && c.new == "18499002")
    );
    let id_change = decode_changes(&history[1].entry.changes);
    let cid = id_change
        .iter()
        .find(|c| c.field.ends_with("citizen_id"))
        .unwrap();
    assert_eq!(cid.old, "*********001", "audit keeps citizen IDs masked");
    assert_eq!(cid.new, "*********009");
    assert_eq!(history[2].entry.username, me.username);
    assert_eq!(history[2].entry.reason.as_deref(), Some("Chuyển thôn"));

    // Nobody can change the log, not even with SQL.
    assert!(
        app.store()
            .execute_admin("UPDATE audit_log SET username = 'x'")
            .await
            .is_err()
    );
    assert!(
        app.store()
            .execute_admin("DELETE FROM audit_log")
            .await
            .is_err()
    );
    // Only administrators read the whole log.
    assert!(matches!(
        app.audit_log(&me, &Default::default(), 1).await,
        Err(AppError::Forbidden(_))
    ));
    let admin = actor(Role::Admin, "42", Tier::Province);
    let (entries, total) = app.audit_log(&admin, &Default::default(), 1).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(entries.len(), 4);
}
app_test!(every_change_is_in_the_households_history_and_the_log_is_append_only);

async fn members_move_households_split_and_merge_with_history(store: Store) {
    let app = setup(store).await;
    let me = officer(DIEN_MY);
    let a = app
        .create_household(
            &me,
            household(
                "DM-001",
                "18499001",
                vec![
                    member("Nguyễn Văn Bình", "head", 1950, None),
                    member("Nguyễn Văn Cường", "child", 1980, None),
                    member("Phan Thị Dung", "child_in_law", 1982, None),
                    member("Nguyễn Văn Em", "grandchild", 2010, None),
                ],
            ),
        )
        .await
        .unwrap();
    let b = app
        .create_household(
            &me,
            household(
                "DM-002",
                "18499001",
                vec![member("Lê Văn Giang", "head", 1975, None)],
            ),
        )
        .await
        .unwrap();

    // The head cannot move; a grandchild can.
    let va = app.household(&me, a).await.unwrap();
    let vb = app.household(&me, b).await.unwrap();
    let head = va.members[0].id;
    assert!(matches!(
        app.move_member(
            &me,
            head,
            (a, va.household.version),
            (b, vb.household.version),
            "other"
        )
        .await,
        Err(AppError::Invalid { .. })
    ));
    let em = va.members[3].id;
    app.move_member(
        &me,
        em,
        (a, va.household.version),
        (b, vb.household.version),
        "grandchild",
    )
    .await
    .unwrap();
    let va = app.household(&me, a).await.unwrap();
    let vb = app.household(&me, b).await.unwrap();
    assert_eq!(va.members.len(), 3);
    assert_eq!(va.household.fields.member_count, 3);
    assert_eq!(vb.members.len(), 2);

    // The son and his wife split off into their own household, the son at its head.
    let cuong = va.members[1].id;
    let dung = va.members[2].id;
    let c = app
        .split_household(
            &me,
            a,
            va.household.version,
            &[cuong, dung],
            cuong,
            "DM-003",
        )
        .await
        .unwrap();
    let vc = app.household(&me, c).await.unwrap();
    assert_eq!(vc.household.fields.head_name, "Nguyễn Văn Cường");
    assert_eq!(vc.members.len(), 2);
    assert_eq!(vc.household.split_from, Some(a));
    assert_eq!(app.household(&me, a).await.unwrap().members.len(), 1);

    // Household B merges into C.
    let vb = app.household(&me, b).await.unwrap();
    app.merge_households(&me, (c, vc.household.version), (b, vb.household.version))
        .await
        .unwrap();
    let vc = app.household(&me, c).await.unwrap();
    assert_eq!(vc.members.len(), 4);
    let vb = app.household(&me, b).await.unwrap();
    assert!(!vb.household.active);
    assert_eq!(vb.household.merged_into, Some(c));
    // Merged households leave the list but keep their history.
    assert_eq!(
        app.list_households(&me, None, None, 1).await.unwrap().total,
        2
    );
    let history: Vec<String> = app
        .household_history(&me, b)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.entry.action)
        .collect();
    assert_eq!(
        history,
        ["household.merge_out", "member.move_in", "household.create"]
    );
    let history: Vec<String> = app
        .household_history(&me, c)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.entry.action)
        .collect();
    assert_eq!(history, ["household.merge_in", "household.create"]);
}
app_test!(members_move_households_split_and_merge_with_history);

async fn the_same_name_and_birth_year_in_a_village_is_flagged(store: Store) {
    let app = setup(store).await;
    let me = officer(DIEN_MY);
    app.create_household(
        &me,
        household(
            "DM-001",
            "18499001",
            vec![member("Nguyễn Văn Bình", "head", 1970, None)],
        ),
    )
    .await
    .unwrap();
    app.create_household(
        &me,
        household(
            "DM-002",
            "18499001",
            vec![member("Nguyen Van Binh", "head", 1970, None)],
        ),
    )
    .await
    .unwrap();
    // Same name in another village, or another birth year: not flagged.
    app.create_household(
        &me,
        household(
            "DM-003",
            "18499002",
            vec![member("Nguyễn Văn Bình", "head", 1970, None)],
        ),
    )
    .await
    .unwrap();
    app.create_household(
        &me,
        household(
            "DM-004",
            "18499001",
            vec![member("Nguyễn Văn Bình", "head", 1971, None)],
        ),
    )
    .await
    .unwrap();
    let dups = app.possible_duplicates(&me, None).await.unwrap();
    let codes: Vec<&str> = dups.iter().map(|d| d.household_code.as_str()).collect();
    assert_eq!(codes, ["DM-001", "DM-002"]);
}
app_test!(the_same_name_and_birth_year_in_a_village_is_flagged);

async fn a_file_of_households_is_all_or_nothing_with_lines(store: Store) {
    let app = setup(store).await;
    let me = officer(DIEN_MY);
    let input = |line: u64, draft: HouseholdDraft| DraftInput {
        line: Some(line),
        member_lines: (0..draft.members.len() as u64).map(|i| line + i).collect(),
        draft,
    };
    let good = household(
        "DM-001",
        "18499001",
        vec![member(
            "Nguyễn Văn Bình",
            "head",
            1970,
            Some("042070000001"),
        )],
    );
    let mut bad_year = household(
        "DM-002",
        "18499001",
        vec![
            member("Lê Văn Hải", "head", 1970, None),
            member("Lê Thị Hà", "child", 2100, None),
        ],
    );
    bad_year.members[1].birth_year = Some(2100);
    let same_id = household(
        "DM-003",
        "18499002",
        vec![member("Trần Văn Khoa", "head", 1988, Some("042070000001"))],
    );
    let elsewhere = household(
        "HL-1",
        "18502001",
        vec![member("Võ Văn Long", "head", 1990, None)],
    );
    let err = app
        .create_households(
            By::User(&me),
            vec![
                input(2, good.clone()),
                input(3, bad_year),
                input(5, same_id),
                input(6, elsewhere),
            ],
            "test.csv",
        )
        .await
        .unwrap_err();
    let AppError::File(errors) = err else {
        panic!("expected a refused file, got {err:?}");
    };
    let places: Vec<(u64, &str)> = errors
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_str()))
        .collect();
    assert_eq!(
        places,
        [(4, "birth_date"), (6, "village_code"), (5, "citizen_id")]
    );
    assert_eq!(
        app.list_households(&me, None, None, 1).await.unwrap().total,
        0,
        "nothing written"
    );

    let ids = app
        .create_households(By::User(&me), vec![input(2, good)], "test.csv")
        .await
        .unwrap();
    assert_eq!(ids.len(), 1);
}
app_test!(a_file_of_households_is_all_or_nothing_with_lines);

/// An actor with a user id of their own, for reads that also show a user's own actions.
fn user(id: i64, role: Role, unit: &str, tier: Tier) -> Actor {
    Actor {
        user_id: id,
        ..actor(role, unit, tier)
    }
}

async fn the_audit_log_shows_an_administrator_only_their_area_and_own_actions(store: Store) {
    let app = setup(store).await;
    app.import_units(
        "code,name,kind,level,parent_code\n\
         44,Tỉnh Quảng Bình,Tỉnh,1,\n\
         450,Huyện Minh Hóa,Huyện,2,44\n\
         19000,Xã Hóa Sơn,Xã,3,450\n"
            .as_bytes(),
        &giamngheo_app::units::UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system("commune_code,name,kind\n19000,Bản Yên Hợp,Bản\n".as_bytes())
        .await
        .unwrap();
    let hoa_son_village = "19000001";
    for (who, code, village, name) in [
        (
            user(11, Role::CommuneOfficer, DIEN_MY, Tier::Commune),
            "DM-001",
            "18499001",
            "Trần Văn Điền",
        ),
        (
            user(12, Role::CommuneOfficer, HA_LINH, Tier::Commune),
            "HL-001",
            "18502001",
            "Lê Thị Linh",
        ),
        (
            user(13, Role::CommuneOfficer, "19000", Tier::Commune),
            "HS-001",
            hoa_son_village,
            "Đinh Thị Mến",
        ),
    ] {
        app.create_household(
            &who,
            household(code, village, vec![member(name, "head", 1970, None)]),
        )
        .await
        .unwrap();
    }
    // Something the commune's administrator did that belongs to no unit.
    app.store()
        .append_audit(&[AuditEntry {
            at: "2026-11-28T08:00:00Z".into(),
            user_id: Some(21),
            username: "quantri.dienmy".into(),
            action: "user.password".into(),
            entity: "user".into(),
            entity_id: "21".into(),
            household_id: None,
            unit_code: None,
            province_code: None,
            changes: "[]".into(),
            reason: None,
        }])
        .await
        .unwrap();
    let seen = |entries: &[giamngheo_store::AuditRecord]| -> Vec<String> {
        let mut v: Vec<String> = entries.iter().map(|e| e.entry.username.clone()).collect();
        v.sort();
        v
    };

    // The commune's administrator: the commune's entries and their own, nothing of Hà
    // Linh or of another province, not even a member's name.
    let commune_admin = user(21, Role::Admin, DIEN_MY, Tier::Commune);
    let (entries, total) = app
        .audit_log(&commune_admin, &Default::default(), 1)
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(seen(&entries), ["commune_officer-18499", "quantri.dienmy"]);
    let text = format!("{entries:?}");
    for name in ["Lê Thị Linh", "Đinh Thị Mến"] {
        assert!(!text.contains(name), "the commune's log names {name}");
    }

    // The province's administrator: both communes of Hà Tĩnh, nothing of Quảng Bình.
    let province_admin = user(22, Role::Admin, "42", Tier::Province);
    let (entries, total) = app
        .audit_log(&province_admin, &Default::default(), 1)
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        seen(&entries),
        ["commune_officer-18499", "commune_officer-18502"]
    );
    assert!(!format!("{entries:?}").contains("Đinh Thị Mến"));

    // The district's administrator: the units under the district.
    let district_admin = user(23, Role::Admin, "444", Tier::District);
    let (_, total) = app
        .audit_log(&district_admin, &Default::default(), 1)
        .await
        .unwrap();
    assert_eq!(total, 2);

    // Quảng Bình's administrator sees Quảng Bình's entry alone.
    let other = user(24, Role::Admin, "44", Tier::Province);
    let (entries, total) = app.audit_log(&other, &Default::default(), 1).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(seen(&entries), ["commune_officer-19000"]);
}
app_test!(the_audit_log_shows_an_administrator_only_their_area_and_own_actions);
