//! On Citus, the work of one household runs on the household's shard alone (a "router"
//! query, `Task Count: 1`): its page's reads, a save, a classification and the spans,
//! counts and movement pairs it rewrites (docs/OPERATIONS.md, "Query routing"). The test
//! opens the database a second time with Citus told to refuse every statement that would
//! go to more than one shard (`citus.multi_task_query_log_level = error`), so that any
//! statement about one household that names it by its id alone fails the test, whichever
//! code path sends it.

use chrono::{NaiveDate, Utc};
use giamngheo_store::testing::{TestDb, add_units, classification, member, new_household};
use giamngheo_store::{AuditEntry, MemberSave, Store};

const COMMUNE: &str = "18499";
const VILLAGE: &str = "18499001";

/// The test's database opened again, refusing any statement sent to several shards.
async fn single_shard_only(db: &TestDb) -> Store {
    let sep = if db.url.contains('?') { '&' } else { '?' };
    Store::connect(&format!(
        "{}{sep}options=-c%20citus.multi_task_query_log_level%3Derror",
        db.url
    ))
    .await
    .unwrap()
}

fn audit(household: i64) -> AuditEntry {
    AuditEntry {
        at: "2026-01-02T00:00:00Z".into(),
        user_id: None,
        username: "test".into(),
        action: "household.update".into(),
        entity: "household".into(),
        entity_id: household.to_string(),
        household_id: Some(household),
        unit_code: Some(COMMUNE.into()),
        province_code: Some("42".into()),
        changes: "[]".into(),
        reason: None,
    }
}

#[tokio::test]
async fn the_work_of_one_household_runs_on_its_shard() {
    let Some(db) = TestDb::citus().await else {
        return;
    };
    add_units(
        &db.store,
        &[
            ("42", "Tỉnh Hà Tĩnh", "province", None),
            (COMMUNE, "Xã Điền Mỹ", "commune", Some("42")),
            (VILLAGE, "Thôn Trung Hòa", "village", Some(COMMUNE)),
        ],
    )
    .await;
    // Two households of Điền Mỹ, one first registered in Hà Tĩnh (42) and one that moved
    // in from province 44: their rows are on the shards of 42 and of 44.
    let ids = db
        .store
        .insert_households(
            &[
                new_household(
                    "DM-1",
                    "42",
                    COMMUNE,
                    VILLAGE,
                    vec![member("Nguyễn Văn An", Some("042080000001"))],
                ),
                new_household(
                    "DM-2",
                    "44",
                    COMMUNE,
                    VILLAGE,
                    vec![member("Lê Thị Bình", Some("044080000002"))],
                ),
            ],
            Utc::now(),
        )
        .await
        .unwrap();
    let strict = single_shard_only(&db).await;
    // The control: a statement about no household in particular still fans out, and is
    // refused, so the checks below do test the routing.
    assert!(
        strict.household_count().await.is_err(),
        "the strict connection refuses a statement sent to every shard"
    );

    for (id, home) in [(ids[0], "42"), (ids[1], "44")] {
        // A classification: the lock, the snapshot's reads, the insert, the spans, the
        // per-commune counts, the current status and the movement pairs.
        let day = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        strict
            .insert_classifications(
                &[classification(
                    id, "42", COMMUNE, VILLAGE, 2022, "poor", day,
                )],
                &[audit(id)],
                Utc::now(),
            )
            .await
            .unwrap();
        let later = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        strict
            .insert_classifications(
                &[classification(
                    id,
                    "42",
                    COMMUNE,
                    VILLAGE,
                    2023,
                    "near_poor",
                    later,
                )],
                &[],
                Utc::now(),
            )
            .await
            .unwrap();

        // The household page's reads.
        assert_eq!(
            strict.home_province_of(id).await.unwrap().as_deref(),
            Some(home)
        );
        let h = strict.household(id).await.unwrap().expect("the household");
        let members = strict.members_of(id, true).await.unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!(strict.classifications_of(id).await.unwrap().len(), 2);
        assert!(strict.household_benefits(id).await.unwrap().is_empty());
        assert!(strict.reviews_of_household(id).await.unwrap().is_empty());
        assert!(!strict.audit_for_household(id, 50).await.unwrap().is_empty());
        assert_eq!(strict.household_labels(&[id]).await.unwrap().len(), 1);
        assert_eq!(
            strict.period_statuses(&[id]).await.unwrap(),
            vec![(id, 2022, "poor".into()), (id, 2023, "near_poor".into())]
        );
        assert!(strict.benefit_target(id, None).await.unwrap().is_some());

        // A save: the household, a changed member, a new one, the claims, the audit.
        let mut fields = h.fields.clone();
        fields.notes = "Đã xác minh".into();
        let mut changed = members[0].fields.clone();
        changed.uses_internet = true;
        strict
            .save_household(
                id,
                h.version,
                &fields,
                &[
                    MemberSave::Update {
                        id: members[0].id,
                        fields: changed,
                    },
                    MemberSave::Insert(member("Trần Văn Cường", None)),
                ],
                &[audit(id)],
                Utc::now(),
            )
            .await
            .unwrap();
        assert_eq!(strict.members_of(id, false).await.unwrap().len(), 2);
        assert_eq!(
            strict.household(id).await.unwrap().unwrap().fields.notes,
            "Đã xác minh"
        );
    }
    // No such household: nothing is read but its key, from one shard.
    assert!(strict.household(i64::MAX).await.unwrap().is_none());
    strict.close().await;
    db.finish().await;
}
