//! Household codes per commune, citizen IDs of active members and certificate numbers are
//! unique across the whole database, also between households of different home provinces
//! (on Citus, different shards: the rows' own unique indexes hold only within one home
//! province; migration 0091's claims hold across them). A refused write changes nothing,
//! and a value released by its holder may be taken again.

use chrono::{NaiveDate, Utc};
use giamngheo_store::testing::{add_units, classification, member, new_household};
use giamngheo_store::{MemberSave, Store, StoreError, UniqueKey, store_test};

const COMMUNE: &str = "18499";
const VILLAGE: &str = "18499001";
const CITIZEN: &str = "042080000001";

async fn units(store: &Store) {
    add_units(
        store,
        &[
            ("42", "Tỉnh Hà Tĩnh", "province", None),
            (COMMUNE, "Xã Điền Mỹ", "commune", Some("42")),
            (VILLAGE, "Thôn Trung Hòa", "village", Some(COMMUNE)),
        ],
    )
    .await;
}

/// A household living in Điền Mỹ, first registered in `home`.
async fn register(
    store: &Store,
    code: &str,
    home: &str,
    citizen_id: Option<&str>,
) -> Result<i64, StoreError> {
    let h = new_household(
        code,
        home,
        COMMUNE,
        VILLAGE,
        vec![member("Nguyễn Văn An", citizen_id)],
    );
    Ok(store.insert_households(&[h], Utc::now()).await?[0])
}

fn refused(result: Result<impl std::fmt::Debug, StoreError>, key: UniqueKey) {
    match result {
        Err(StoreError::Duplicate(k)) if k == key => {}
        other => panic!("expected {key:?} refused, got {other:?}"),
    }
}

async fn a_value_held_in_another_home_province_is_refused(store: Store) {
    units(&store).await;
    let a = register(&store, "DM-1", "42", Some(CITIZEN)).await.unwrap();

    // A family registered first in province 44 now lives in Điền Mỹ: it may take neither
    // the code nor the citizen ID a household of Hà Tĩnh holds there.
    refused(
        register(&store, "DM-1", "44", None).await,
        UniqueKey::HouseholdCode,
    );
    refused(
        register(&store, "DM-2", "44", Some(CITIZEN)).await,
        UniqueKey::CitizenId,
    );
    // Nor may two new households of different home provinces share one in one batch.
    let pair = ["42", "44"].map(|home| {
        new_household(
            "DM-3",
            home,
            COMMUNE,
            VILLAGE,
            vec![member("Lê Văn Bình", None)],
        )
    });
    refused(
        store.insert_households(&pair, Utc::now()).await,
        UniqueKey::HouseholdCode,
    );
    assert_eq!(
        store.household_count().await.unwrap(),
        1,
        "nothing was written"
    );
    let b = register(&store, "DM-2", "44", Some("044080000002"))
        .await
        .unwrap();

    // Nor may it be given a certificate number the commune already gave for the period.
    let day = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
    let mut first = classification(a, "42", COMMUNE, VILLAGE, 2022, "poor", day);
    first.certificate_number = Some("001/GCN-HN.HCN".into());
    store
        .insert_classifications(&[first.clone()], &[], Utc::now())
        .await
        .unwrap();
    let again = giamngheo_store::ClassificationFields {
        household_id: b,
        ..first
    };
    refused(
        store
            .insert_classifications(&[again], &[], Utc::now())
            .await,
        UniqueKey::CertificateNumber,
    );
    assert!(store.classifications_of(b).await.unwrap().is_empty());

    // A member who leaves releases the ID; a newcomer to the other household takes it.
    let saved = |id: i64, changes: Vec<MemberSave>| {
        let store = store.clone();
        async move {
            let h = store.household(id).await.unwrap().unwrap();
            store
                .save_household(id, h.version, &h.fields, &changes, &[], Utc::now())
                .await
        }
    };
    let taken = saved(
        b,
        vec![MemberSave::Insert(member("Trần Thị Chi", Some(CITIZEN)))],
    )
    .await;
    // The row's own unique index refuses it on SQLite, the claim elsewhere: the same
    // words either way.
    assert_eq!(
        taken.unwrap_err().to_string(),
        "số CCCD này vừa được đăng ký cho người khác"
    );
    let leaving = store.members_of(a, false).await.unwrap()[0].id;
    saved(a, vec![MemberSave::Deactivate { id: leaving }])
        .await
        .unwrap();
    saved(
        b,
        vec![MemberSave::Insert(member("Trần Thị Chi", Some(CITIZEN)))],
    )
    .await
    .unwrap();
    let holders = store
        .members_with_citizen_ids(&[CITIZEN.to_string()])
        .await
        .unwrap();
    assert_eq!(holders.len(), 1, "{holders:?}");
}
store_test!(a_value_held_in_another_home_province_is_refused);
