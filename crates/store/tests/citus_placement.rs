//! The schema's placement on a Citus cluster: `migrate` distributes every table by the rule
//! of `giamngheo_store::citus` (co-located by `home_province`, reference, or local), a re-run
//! changes nothing, and a table added by a later migration is placed on the next run. Runs on
//! the cluster named by GIAMNGHEO_TEST_CITUS only (`skip` skips it).

use giamngheo_store::testing::TestDb;

/// Each table's Citus placement: (table, method, co-location group), by table name.
async fn placements(db: &TestDb) -> Vec<String> {
    db.store
        .admin_strings(
            "SELECT logicalrelid::TEXT || ' ' || partmethod::TEXT || ' ' || \
                    CASE WHEN partmethod = 'h' THEN 'colocated:' || (colocationid = \
                         (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'households'::regclass))::TEXT \
                         WHEN repmodel = 't' THEN 'reference' ELSE 'local' END \
             FROM pg_dist_partition ORDER BY logicalrelid::TEXT",
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn migrate_places_every_table_and_a_rerun_changes_nothing() {
    let Some(db) = TestDb::citus().await else {
        return;
    };
    let before = placements(&db).await;
    for distributed in [
        "audit_log",
        "benefits",
        "classifications",
        "households",
        "members",
        "movements",
        "review_households",
        "programme_beneficiaries",
    ] {
        assert!(
            before.contains(&format!("{distributed} h colocated:true")),
            "{distributed}: {before:?}"
        );
    }
    for reference in [
        "admin_units",
        "agencies",
        "complaints",
        "findings",
        "reviews",
        "settings",
        "users",
        "programme_activities",
        "programme_beneficiary_queue",
    ] {
        assert!(
            before.contains(&format!("{reference} n reference")),
            "{reference}: {before:?}"
        );
    }
    assert!(
        before.contains(&"sessions n local".to_string()),
        "{before:?}"
    );
    // The claims of unique values are distributed by the value, apart from the households
    // (migration 0091).
    for by_value in [
        "certificate_claims",
        "citizen_id_claims",
        "household_code_claims",
    ] {
        assert!(
            before.contains(&format!("{by_value} h colocated:false")),
            "{by_value}: {before:?}"
        );
    }
    // No triggers: Citus refuses them on distributed tables (the audit log's append-only
    // guard is a pair of rules, migration 0040).
    let triggers = db
        .store
        .admin_strings(
            "SELECT t.tgname::TEXT FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT t.tgisinternal AND n.nspname = current_schema()",
        )
        .await
        .unwrap();
    assert!(triggers.is_empty(), "{triggers:?}");

    db.store.migrate().await.unwrap();
    assert_eq!(placements(&db).await, before);

    // What a later migration might add: a per-household table and a shared one.
    db.store
        .execute_admin(
            "CREATE TABLE household_notes (home_province TEXT NOT NULL, household_id BIGINT NOT NULL, \
                 note TEXT NOT NULL, PRIMARY KEY (home_province, household_id)); \
             CREATE TABLE note_kinds (code TEXT PRIMARY KEY)",
        )
        .await
        .unwrap();
    db.store.migrate().await.unwrap();
    let after = placements(&db).await;
    assert!(
        after.contains(&"household_notes h colocated:true".to_string()),
        "{after:?}"
    );
    assert!(
        after.contains(&"note_kinds n reference".to_string()),
        "{after:?}"
    );
    db.store
        .execute_admin("DROP TABLE household_notes; DROP TABLE note_kinds")
        .await
        .unwrap();
    db.finish().await;
}

/// A query for one distribution key is routed to one shard; a unit's query, which filters
/// on the row's own province, fans out to every shard (docs/OPERATIONS.md, query routing).
#[tokio::test]
async fn a_query_on_the_key_runs_on_one_shard() {
    let Some(db) = TestDb::citus().await else {
        return;
    };
    let tasks = |sql: &str| {
        let store = db.store.clone();
        let sql = format!("EXPLAIN {sql}");
        async move {
            store
                .admin_strings(&sql)
                .await
                .unwrap()
                .into_iter()
                .find_map(|l| l.trim().strip_prefix("Task Count: ").map(str::to_string))
                .unwrap()
        }
    };
    assert_eq!(
        tasks(
            "SELECT COUNT(*) FROM households h JOIN classifications c ON c.household_id = h.id \
             AND c.home_province = h.home_province WHERE h.home_province = '42' AND c.period = 2022"
        )
        .await,
        "1"
    );
    assert_eq!(
        tasks("SELECT COUNT(*) FROM classifications WHERE province_code = '42' AND period = 2022")
            .await,
        "4"
    );
    db.finish().await;
}
