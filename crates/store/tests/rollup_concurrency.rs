//! Concurrent classifications in one commune, and in two, update the same per-commune
//! count rows (migration 0051) at once: none of them may fail with a deadlock, and the
//! counts must afterwards equal a recount of the classifications.

use chrono::{NaiveDate, Utc};
use giamngheo_store::testing::{add_units, classification};
use giamngheo_store::{ClassificationFields, Store, store_test};

const COMMUNES: [&str; 2] = ["18499", "18496"];
const STATUSES: [&str; 3] = ["poor", "near_poor", "not_poor"];
/// Households per commune; ids are given here so that the test knows them.
const PER_COMMUNE: i64 = 24;
/// Writers at once.
const WRITERS: i64 = 8;

async fn sql(store: &Store, statement: &str) {
    store.execute_admin(statement).await.unwrap();
}

/// Two communes of Hà Tĩnh with a village each, and their households; every third
/// household was first registered in another province (another shard on Citus).
async fn communes_with_households(store: &Store) {
    let villages = COMMUNES.map(|c| format!("{c}001"));
    let mut units = vec![("42", "Tỉnh Hà Tĩnh", "province", None)];
    for (commune, village) in COMMUNES.iter().zip(&villages) {
        units.push((commune, "Xã thử", "commune", Some("42")));
        units.push((village, "Thôn thử", "village", Some(commune)));
    }
    add_units(store, &units).await;
    let mut rows = Vec::new();
    for (c, commune) in COMMUNES.iter().enumerate() {
        for i in 0..PER_COMMUNE {
            let id = household(c, i);
            let home = if i % 3 == 0 { "44" } else { "42" };
            rows.push(format!(
                "({id}, '{home}', 'H-{id}', '{commune}001', '{commune}', '42', 'Chủ hộ', 'chu ho', 'rural', 'x', 'x')"
            ));
        }
    }
    sql(
        store,
        &format!(
            "INSERT INTO households (id, home_province, code, village_code, commune_code, province_code, head_name, head_sort_key, area, created_at, updated_at) VALUES {}",
            rows.join(", ")
        ),
    )
    .await;
    // Each household's key, as the store's own registration writes it (migration 0151).
    sql(
        store,
        "INSERT INTO household_homes (household_id, home) SELECT id, home_province FROM households",
    )
    .await;
}

fn household(commune: usize, i: i64) -> i64 {
    1000 * (commune as i64 + 1) + i
}

/// The rows of writer `w` in round `round`: its share of the households of the communes
/// it writes in, each given a status that changes with the round and the household (so
/// that count rows are both left and joined), dated so that some rows of later rounds
/// are corrections dated back (they end the span of an earlier row).
fn rows_of(w: i64, round: i64, communes: &[usize]) -> Vec<ClassificationFields> {
    let mut rows = Vec::new();
    for &c in communes {
        for i in (0..PER_COMMUNE).filter(|i| i % WRITERS == w) {
            let status = STATUSES[((i + round + w) % 3) as usize];
            let day = 1 + ((round * 7 + i) % 20) as u32;
            let effective = NaiveDate::from_ymd_opt(2022, 1 + (round % 3) as u32, day).unwrap();
            let commune = COMMUNES[c];
            let village = format!("{commune}001");
            rows.push(classification(
                household(c, i),
                "42",
                commune,
                &village,
                2022,
                status,
                effective,
            ));
        }
    }
    // Writers list their rows in opposite orders, as two approvals might.
    if w % 2 == 1 {
        rows.reverse();
    }
    rows
}

/// The counts, and the same figures recounted from the classifications, as text.
async fn counts_and_recount(store: &Store) -> (Vec<String>, Vec<String>) {
    let key = "province_code || '|' || district_code || '|' || commune_code || '|' || \
               CAST(period AS TEXT) || '|' || status || '|' || CAST(effective_date AS TEXT) || '|' || \
               CAST(valid_until AS TEXT)";
    let mut counts = store
        .admin_strings(&format!(
            "SELECT {key} || '=' || CAST(households AS TEXT) FROM classification_counts \
             WHERE households <> 0"
        ))
        .await
        .unwrap();
    counts.sort();
    // The same key, computed from each classification row.
    let of_row = "province_code || '|' || COALESCE(district_code, '') || '|' || commune_code || '|' || \
                  CAST(period AS TEXT) || '|' || status || '|' || CAST(effective_date AS TEXT) || '|' || \
                  CAST(COALESCE(valid_until, '9999-12-31') AS TEXT)";
    // Counted here rather than by a GROUP BY over the concatenation, which Citus's
    // pushdown of the grouping to the workers refuses.
    let mut recount: std::collections::BTreeMap<String, i64> = Default::default();
    for k in store
        .admin_strings(&format!("SELECT {of_row} FROM classifications"))
        .await
        .unwrap()
    {
        *recount.entry(k).or_default() += 1;
    }
    let recount = recount
        .into_iter()
        .map(|(k, n)| format!("{k}={n}"))
        .collect();
    (counts, recount)
}

async fn concurrent_classifications_keep_the_counts_without_deadlock(store: Store) {
    communes_with_households(&store).await;
    for round in 0..6 {
        // Even rounds: every writer in the first commune only; odd rounds: in both.
        let communes: &[usize] = if round % 2 == 0 { &[0] } else { &[0, 1] };
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let store = store.clone();
            let rows = rows_of(w, round, communes);
            writers.push(tokio::spawn(async move {
                store.insert_classifications(&rows, &[], Utc::now()).await
            }));
        }
        for (w, writer) in writers.into_iter().enumerate() {
            if let Err(e) = writer.await.unwrap() {
                panic!("round {round}, writer {w}: {e:?}");
            }
        }
    }
    let (counts, recount) = counts_and_recount(&store).await;
    assert!(!recount.is_empty());
    assert_eq!(counts, recount);
}
store_test!(concurrent_classifications_keep_the_counts_without_deadlock);
