//! The household search by a member's name finds what a plain `LIKE '%…%'` over the folded
//! names of the unit's active members (or the household code) finds, whether it is served
//! by an index (SQLite's FTS5 trigram index of migration 0092 for three characters or
//! more, PostgreSQL's trigram index) or by reading the unit; names changed, members who
//! left and households of another unit included.

use chrono::Utc;
use giamngheo_store::testing::{add_units, member, new_household};
use giamngheo_store::{HouseholdFilter, MemberSave, Store, store_test};

const NAMES: [&str; 8] = [
    "Nguyễn Văn An",
    "Trần Thị Ánh",
    "Lê Văn Bình",
    "Phạm Thị Hà",
    "Đặng Văn Nam",
    "Nguyễn Thị Thu Hà",
    "Hoàng 100% Vàng_",
    "Võ \"Tèo\" Văn",
];

async fn units(store: &Store) {
    add_units(
        store,
        &[
            ("42", "Tỉnh Hà Tĩnh", "province", None),
            ("18499", "Xã Điền Mỹ", "commune", Some("42")),
            ("18499001", "Thôn Trung Hòa", "village", Some("18499")),
            ("18496", "Thị trấn Hương Khê", "commune", Some("42")),
            ("18496001", "Tổ 1", "village", Some("18496")),
        ],
    )
    .await;
}

/// The households of a commune (scope) whose active members' folded names hold `text`,
/// or whose code is `text` in capitals, read by a plain scan.
async fn by_scan(store: &Store, commune: &str, text: &str) -> Vec<i64> {
    let pattern = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let sql = format!(
        "SELECT CAST(h.id AS TEXT) FROM households h WHERE h.commune_code = '{commune}' AND h.active = TRUE \
         AND (EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.home_province = h.home_province AND m.active = TRUE \
         AND m.name_folded LIKE '%{}%' ESCAPE '\\') OR UPPER(h.code) = '{}')",
        pattern.replace('\'', "''"),
        text.to_uppercase().replace('\'', "''"),
    );
    let mut ids: Vec<i64> = store
        .admin_strings(&sql)
        .await
        .unwrap()
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

async fn by_search(store: &Store, commune: &str, text: &str) -> Vec<i64> {
    let filter = HouseholdFilter {
        scope_column: "commune_code",
        scope_code: commune.into(),
        text: Some(text.into()),
        citizen_id: None,
        include_inactive: false,
        villages: Vec::new(),
    };
    let (rows, total) = store.list_households(&filter, 1000, 0).await.unwrap();
    let mut ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    assert_eq!(total as usize, ids.len());
    ids
}

async fn the_name_search_finds_what_a_scan_finds(store: Store) {
    units(&store).await;
    let mut households = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        for (commune, village) in [("18499", "18499001"), ("18496", "18496001")] {
            let mut head = member(name, None);
            let mut other = member(NAMES[(i + 3) % NAMES.len()], None);
            other.position = 2;
            head.position = 1;
            households.push(new_household(
                &format!("HK-{commune}-{i}"),
                "42",
                commune,
                village,
                vec![head, other],
            ));
        }
    }
    let ids = store
        .insert_households(&households, Utc::now())
        .await
        .unwrap();

    // A member leaves, and another's name is corrected: the index follows both.
    let first = ids[0];
    let h = store.household(first).await.unwrap().unwrap();
    let members = store.members_of(first, false).await.unwrap();
    let mut renamed = members[0].fields.clone();
    renamed.full_name = "Nguyễn Văn Khánh".into();
    renamed.name_folded = giamngheo_domain::text::fold(&renamed.full_name);
    store
        .save_household(
            first,
            h.version,
            &h.fields,
            &[
                MemberSave::Update {
                    id: members[0].id,
                    fields: renamed,
                },
                MemberSave::Deactivate { id: members[1].id },
            ],
            &[],
            Utc::now(),
        )
        .await
        .unwrap();

    for text in [
        "nguyen",
        "van",
        "an",
        "ha",
        "thi thu",
        "khanh",
        "van an",
        "100%",
        "vang_",
        "\"teo\"",
        "hk-18499-3",
        "a",
        "xyz",
        "nguyen van an",
    ] {
        let expected = by_scan(&store, "18499", text).await;
        assert_eq!(
            by_search(&store, "18499", text).await,
            expected,
            "search {text:?}"
        );
    }
    // The searches above found something where they should: the index is not empty.
    assert!(!by_search(&store, "18499", "khanh").await.is_empty());
}
store_test!(the_name_search_finds_what_a_scan_finds);
