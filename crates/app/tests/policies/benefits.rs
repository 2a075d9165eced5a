use super::*;
use giamngheo_app::AppError;
use giamngheo_app::policies::benefits::BenefitInput;
use giamngheo_store::store_test as app_test;

async fn benefits_correction_keeps_history(store: Store) {
    let app = setup(store).await;
    let ids = households(
        &app,
        "18499001",
        &[vec![member("Nguyễn Văn An", "head", 1970, None)]],
    )
    .await;
    let hh = ids[0];
    let member_id = app.store().members_of(hh, false).await.unwrap()[0].id;
    let office = actor(Role::Office, "444", Tier::District, None);
    let card = BenefitInput {
        household_id: hh,
        member_id: Some(member_id),
        policy: "bhyt".into(),
        valid_from: Some(date(2021, 1, 1)),
        valid_to: Some(date(2021, 12, 31)),
        reference: Some("HN4424212345678".into()),
        ..Default::default()
    };
    let first = app.record_benefit(&office, card.clone()).await.unwrap();
    let corrected = app
        .correct_benefit(
            &office,
            first,
            BenefitInput {
                valid_to: Some(date(2022, 12, 31)),
                ..card.clone()
            },
            "Thẻ gia hạn đến hết năm 2022",
        )
        .await
        .unwrap();
    let rows = app.household_benefits(&office, hh).await.unwrap();
    assert_eq!(rows.len(), 2, "the old row stays");
    let old = rows.iter().find(|r| r.id == first).unwrap();
    let new = rows.iter().find(|r| r.id == corrected).unwrap();
    assert!(!old.is_current());
    assert_eq!(old.valid_to, Some(date(2021, 12, 31)));
    assert!(new.is_current());
    assert_eq!(new.supersedes, Some(first));
    assert_eq!(new.valid_to, Some(date(2022, 12, 31)));
    assert_eq!(new.policy_name, "Thẻ bảo hiểm y tế");
    // Correcting the old row again is refused: the latest is the one to correct.
    let again = app
        .correct_benefit(&office, first, card.clone(), "lần nữa")
        .await
        .unwrap_err();
    assert!(matches!(again, AppError::Conflict(_)), "{again:?}");
    // Both changes are in the household's audit trail, the correction with its reason.
    let trail = app.household_history(&office, hh).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|a| a.entry.action.as_str()).collect();
    assert!(actions.contains(&"benefit.create"), "{actions:?}");
    let correction = trail
        .iter()
        .find(|a| a.entry.action == "benefit.correct")
        .expect("correction audited");
    assert_eq!(correction.entry.entity_id, corrected.to_string());
    assert_eq!(
        correction.entry.reason.as_deref(),
        Some("Thẻ gia hạn đến hết năm 2022")
    );
}
app_test!(benefits_correction_keeps_history);

async fn an_agency_officer_records_only_their_agencys_policies(store: Store) {
    let app = setup(store).await;
    let ids = households(
        &app,
        "18499001",
        &[vec![member("Trần Văn Bình", "head", 1968, None)]],
    )
    .await;
    let outside = households(
        &app,
        "18600001",
        &[vec![member("Lê Văn Cường", "head", 1966, None)]],
    )
    .await;
    let member_id = app.store().members_of(ids[0], false).await.unwrap()[0].id;
    let bank = actor(
        Role::AgencyOfficer,
        "444",
        Tier::District,
        Some("444-nhcsxh"),
    );
    let loan = BenefitInput {
        household_id: ids[0],
        policy: "loan_poor".into(),
        valid_from: Some(date(2021, 3, 1)),
        amount: Some(50_000_000),
        reference: Some("HĐ 01/2021".into()),
        ..Default::default()
    };
    let id = app.record_benefit(&bank, loan.clone()).await.unwrap();
    let stored = app.store().benefit(id).await.unwrap().unwrap();
    assert_eq!(stored.agency_code.as_deref(), Some("444-nhcsxh"));
    assert_eq!(stored.source, "entry");
    assert_eq!(stored.unit_code, "18499001");

    // The card is the social insurance agency's: not found for the bank.
    let card = BenefitInput {
        household_id: ids[0],
        member_id: Some(member_id),
        policy: "bhyt".into(),
        valid_from: Some(date(2021, 1, 1)),
        valid_to: Some(date(2021, 12, 31)),
        ..Default::default()
    };
    let refused = app.record_benefit(&bank, card.clone()).await.unwrap_err();
    assert!(matches!(refused, AppError::NotFound(_)), "{refused:?}");
    assert!(!refused.to_string().contains("Bình"));
    // Outside the officer's district: not found, with no name.
    let far = app
        .record_benefit(
            &bank,
            BenefitInput {
                household_id: outside[0],
                ..loan.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(far, AppError::NotFound(_)), "{far:?}");
    assert!(!far.to_string().contains("Cường"));
    // An agency officer without an agency records nothing.
    let nobody = actor(Role::AgencyOfficer, "444", Tier::District, None);
    assert!(matches!(
        app.record_benefit(&nobody, loan.clone()).await.unwrap_err(),
        AppError::NotFound(_)
    ));
    // The social insurance agency records the card.
    let insurance = actor(Role::AgencyOfficer, "444", Tier::District, Some("444-bhxh"));
    app.record_benefit(&insurance, card).await.unwrap();
    // Oversight reads everything in its unit and writes nothing.
    let front = actor(Role::Oversight, "444", Tier::District, Some("444-mttq"));
    assert_eq!(
        app.household_benefits(&front, ids[0]).await.unwrap().len(),
        2
    );
    assert!(matches!(
        app.record_benefit(&front, loan).await.unwrap_err(),
        AppError::Forbidden(_)
    ));
    let other = actor(Role::Oversight, "445", Tier::District, None);
    assert!(matches!(
        app.household_benefits(&other, ids[0]).await.unwrap_err(),
        AppError::NotFound(_)
    ));
}
app_test!(an_agency_officer_records_only_their_agencys_policies);

async fn bulk_entry_names_the_bad_row_and_records_nothing(store: Store) {
    let app = setup(store).await;
    let ids = households(
        &app,
        "18502001",
        &[
            vec![member("Phạm Văn Dũng", "head", 1970, None)],
            vec![member("Hoàng Văn Em", "head", 1972, None)],
        ],
    )
    .await;
    let commune = actor(Role::CommuneOfficer, "18502", Tier::Commune, None);
    let row = |hh: i64, member_id: Option<i64>| BenefitInput {
        household_id: hh,
        member_id,
        policy: "housing".into(),
        valid_from: Some(date(2021, 5, 1)),
        amount: Some(40_000_000),
        ..Default::default()
    };
    let first_member = app.store().members_of(ids[0], false).await.unwrap()[0].id;
    // Row 2 names a member for a household policy.
    let error = app
        .record_benefits(
            &commune,
            vec![row(ids[0], None), row(ids[1], Some(first_member))],
            "bulk",
        )
        .await
        .unwrap_err();
    match &error {
        AppError::Invalid { field, message } => {
            assert_eq!(field, "member_id");
            assert!(message.starts_with("dòng 2:"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        app.household_benefits(&commune, ids[0])
            .await
            .unwrap()
            .is_empty()
    );
    let done = app
        .record_benefits(&commune, vec![row(ids[0], None), row(ids[1], None)], "bulk")
        .await
        .unwrap();
    assert_eq!(done.len(), 2);
    let stored = app.store().benefit(done[1]).await.unwrap().unwrap();
    assert_eq!(
        (stored.household_id, stored.source.as_str()),
        (ids[1], "bulk")
    );
}
app_test!(bulk_entry_names_the_bad_row_and_records_nothing);
