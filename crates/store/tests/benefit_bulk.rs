//! The bulk ways of an agency's list import (issue 14) on SQLite, PostgreSQL and Citus, on
//! random data: the benefits written by `COPY` (PostgreSQL) or prepared inserts (SQLite)
//! read back as given, text with tabs, backslashes and line breaks included; the facts of
//! a list of households, read in one statement per table on PostgreSQL and in chunks on
//! SQLite, are exactly the unit's facts restricted to those households (more households
//! than one SQLite chunk); and findings written through a temporary table and `COPY` are
//! stored as given, once per check key, in the order given.

use chrono::{NaiveDate, Utc};
use giamngheo_store::testing::{add_units, classification, member, new_household};
use giamngheo_store::{
    FactsOf, ImportedBenefit, NewBenefitImport, NewFinding, NewQueueRow, Store, store_test,
};
use std::collections::{HashMap, HashSet};

/// A small deterministic generator (xorshift), so that a failure can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Text that `COPY`'s format must escape, or that looks like its markers.
const AWKWARD: [&str; 6] = [
    "a\tb",
    "back\\slash",
    "two\nlines",
    "\\N",
    "dấu «ngã»",
    "r\r",
];

async fn units(store: &Store) {
    add_units(
        store,
        &[
            ("42", "Tỉnh Hà Tĩnh", "province", None),
            ("18499", "Xã Điền Mỹ", "commune", Some("42")),
            ("18499001", "Thôn Trung Hòa", "village", Some("18499")),
            ("18499002", "Thôn Thượng Lội", "village", Some("18499")),
        ],
    )
    .await;
}

const HOUSEHOLDS: usize = 1_100;

async fn an_import_writes_its_benefits_as_given_and_reads_facts_as_the_unit_does(store: Store) {
    units(&store).await;
    let mut random = Random(0x5eed_cafe);
    let mut households = Vec::new();
    for i in 0..HOUSEHOLDS {
        let village = if random.chance(50) {
            "18499001"
        } else {
            "18499002"
        };
        let mut members = Vec::new();
        for p in 0..1 + random.below(3) {
            let id = format!("042{:09}", i * 4 + p as usize);
            let mut m = member(
                &format!("Người {i} {p}"),
                random.chance(85).then_some(id.as_str()),
            );
            m.position = p as i32 + 1;
            m.birth_year = 1940 + random.below(80) as i32;
            members.push(m);
        }
        households.push(new_household(
            &format!("HK-{i:04}"),
            "42",
            "18499",
            village,
            members,
        ));
    }
    let ids = store
        .insert_households(&households, Utc::now())
        .await
        .unwrap();
    let mut rows = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let village = &households[n].fields.village_code;
        for k in 0..random.below(3) {
            let status = ["poor", "near_poor", "not_poor"][random.below(3) as usize];
            let year = 2022 + k as i32;
            let day = date(
                year,
                1 + random.below(12) as u32,
                1 + random.below(28) as u32,
            );
            rows.push(classification(
                *id, "42", "18499", village, year, status, day,
            ));
        }
    }
    store
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    let unit = FactsOf::Unit {
        code: "18499",
        tier: "commune",
    };
    let members = store.member_facts_of(unit).await.unwrap();
    let village_of: HashMap<i64, String> = ids
        .iter()
        .zip(&households)
        .map(|(id, h)| (*id, h.fields.village_code.clone()))
        .collect();

    // A card for most members, a household benefit now and then, awkward text here and
    // there; a few rows for the queue.
    let mut benefits = Vec::new();
    for (i, m) in members.iter().enumerate() {
        if !random.chance(80) {
            continue;
        }
        let person = random.chance(90);
        let reference = if random.chance(5) {
            format!(
                "R{i}-{}",
                AWKWARD[random.below(AWKWARD.len() as u64) as usize]
            )
        } else {
            format!("R{i}")
        };
        let from = date(
            2023 + random.below(3) as i32,
            1,
            1 + random.below(28) as u32,
        );
        benefits.push(ImportedBenefit {
            home_province: "42".into(),
            household_id: m.household_id,
            member_id: person.then_some(m.id),
            policy: "bhyt".into(),
            valid_from: from,
            valid_to: random
                .chance(70)
                .then(|| from + chrono::Duration::days(364)),
            amount: random.chance(30).then(|| random.below(5_000_000) as i64),
            agency_code: "42-bhxh".into(),
            reference,
            unit_code: village_of[&m.household_id].clone(),
            province_code: "42".into(),
        });
    }
    let queue: Vec<NewQueueRow> = (0..7)
        .map(|i| NewQueueRow {
            line: 10_000 + i,
            reference: format!("Q{i}"),
            citizen_id: None,
            full_name: format!("Không rõ {i}"),
            name_folded: format!("khong ro {i}"),
            birth_year: Some(1970),
            village: None,
            valid_from: date(2025, 1, 1),
            valid_to: None,
            amount: None,
            reason: "unmatched".into(),
            candidates: Vec::new(),
        })
        .collect();
    let run = NewBenefitImport {
        policy: "bhyt".into(),
        agency_code: "42-bhxh".into(),
        unit_code: "18499".into(),
        province_code: "42".into(),
        file_name: "the-bhyt.csv".into(),
        rows_total: (benefits.len() + queue.len()) as u64,
        recorded_by: "hệ thống".into(),
        user_id: None,
    };
    let counts = store
        .record_benefit_import(&run, &benefits, &queue, Utc::now())
        .await
        .unwrap();
    assert_eq!(counts.matched as usize, benefits.len());
    assert_eq!(counts.queued as usize, queue.len());
    assert_eq!(counts.skipped, 0);
    let import_id = counts.import_id.expect("a run written");
    let again = store
        .record_benefit_import(&run, &benefits, &queue, Utc::now())
        .await
        .unwrap();
    assert_eq!(again.import_id, None, "the same list again writes nothing");
    assert_eq!(again.skipped as usize, benefits.len() + queue.len());

    // Every benefit read back as given.
    let stored = store.benefits_of(unit).await.unwrap();
    let by_reference: HashMap<&str, _> = stored
        .iter()
        .filter(|b| b.import_id == Some(import_id))
        .map(|b| (b.reference.as_deref().unwrap(), b))
        .collect();
    assert_eq!(by_reference.len(), benefits.len());
    for b in &benefits {
        let s = by_reference[b.reference.as_str()];
        assert_eq!(
            (
                s.household_id,
                s.member_id,
                s.policy.as_str(),
                s.valid_from,
                s.valid_to,
                s.agency_code.as_deref(),
                s.unit_code.as_str(),
                s.province_code.as_str(),
                s.home_province.as_str(),
            ),
            (
                b.household_id,
                b.member_id,
                b.policy.as_str(),
                b.valid_from,
                b.valid_to,
                Some(b.agency_code.as_str()),
                b.unit_code.as_str(),
                b.province_code.as_str(),
                b.home_province.as_str(),
            ),
            "{}",
            b.reference
        );
        let full = store.benefit(s.id).await.unwrap().unwrap();
        assert_eq!(full.amount, b.amount, "{}", b.reference);
        assert_eq!(full.source, "import");
        assert_eq!(full.recorded_by, "hệ thống");
    }

    // The facts of more households than one SQLite chunk, and of one that does not
    // exist, are the unit's restricted to them.
    let mut chosen: Vec<i64> = ids.iter().copied().filter(|_| random.chance(95)).collect();
    chosen.push(i64::MAX);
    assert!(chosen.len() > 1_000);
    let inside: HashSet<i64> = chosen.iter().copied().collect();
    let of = FactsOf::Households(&chosen);
    let expected: Vec<_> = stored
        .iter()
        .filter(|b| inside.contains(&b.household_id))
        .cloned()
        .collect();
    assert_eq!(store.benefits_of(of).await.unwrap(), expected);
    let expected: Vec<_> = store
        .status_history_of(unit)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| inside.contains(&c.household_id))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(store.status_history_of(of).await.unwrap(), expected);
    let sorted = |mut v: Vec<giamngheo_store::MemberFact>| {
        v.sort_by_key(|m| m.id);
        v
    };
    let expected = sorted(
        members
            .iter()
            .filter(|m| inside.contains(&m.household_id))
            .cloned()
            .collect(),
    );
    assert_eq!(sorted(store.member_facts_of(of).await.unwrap()), expected);
    let sorted = |mut v: Vec<giamngheo_store::HouseholdFact>| {
        v.sort_by_key(|h| h.id);
        v
    };
    let expected = sorted(
        store
            .household_facts_of(unit)
            .await
            .unwrap()
            .into_iter()
            .filter(|h| inside.contains(&h.id))
            .collect(),
    );
    assert_eq!(
        sorted(store.household_facts_of(of).await.unwrap()),
        expected
    );

    // The benefits of people by citizen ID: those of the unit's benefits whose member
    // holds one of the IDs asked (more than one SQLite chunk of them).
    let citizen: HashMap<i64, &str> = members
        .iter()
        .filter_map(|m| Some((m.id, m.citizen_id.as_deref()?)))
        .collect();
    let mut asked: Vec<String> = citizen
        .values()
        .filter(|_| random.chance(90))
        .map(|c| c.to_string())
        .collect();
    asked.sort();
    assert!(asked.len() > 1_000);
    let wanted: HashSet<&str> = asked.iter().map(String::as_str).collect();
    let mut expected: Vec<(i64, String)> = stored
        .iter()
        .filter_map(|b| {
            let id = citizen.get(&b.member_id?)?;
            wanted.contains(id).then(|| (b.id, id.to_string()))
        })
        .collect();
    expected.sort();
    let mut got: Vec<(i64, String)> = store
        .person_benefits_in_province("42", &asked)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.benefit.id, p.citizen_id))
        .collect();
    got.sort();
    assert_eq!(got, expected);
}
store_test!(an_import_writes_its_benefits_as_given_and_reads_facts_as_the_unit_does);

fn finding(random: &mut Random, key: usize) -> NewFinding {
    let awkward = AWKWARD[random.below(AWKWARD.len() as u64) as usize];
    NewFinding {
        source: "policy".into(),
        kind: "ineligible_benefit".into(),
        check_key: Some(format!("ineligible_benefit:{key}")),
        province_code: "42".into(),
        unit_code: if random.chance(50) {
            "18499001".into()
        } else {
            "18499002".into()
        },
        household_id: random.chance(90).then(|| random.below(1_000) as i64),
        member_id: random.chance(50).then(|| random.below(1_000) as i64),
        benefit_id: Some(key as i64),
        activity_id: None,
        inspection_id: random.chance(5).then_some(7),
        evidence: serde_json::json!({ "text": format!("Hộ {key} {awkward}"), "n": key })
            .to_string(),
        required_action: random.chance(80).then(|| format!("Xác minh {awkward}")),
        responsible_agency: random.chance(80).then(|| "42-bhxh".to_string()),
        deadline: random.chance(20).then(|| date(2026, 12, 31)),
    }
}

async fn findings_are_written_as_given_once_per_key_in_order(store: Store) {
    units(&store).await;
    let mut random = Random(0xf1d1_2026);
    // 1.200 findings, some keys twice: the first of a key is the one written.
    let found: Vec<NewFinding> = (0..1_200)
        .map(|i| {
            let key = if i % 10 == 9 { i - 5 } else { i };
            finding(&mut random, key)
        })
        .collect();
    let mut first: Vec<&NewFinding> = Vec::new();
    let mut seen = HashSet::new();
    for f in &found {
        if seen.insert(f.check_key.clone()) {
            first.push(f);
        }
    }
    let added = store.insert_findings(&found, Utc::now()).await.unwrap();
    assert_eq!(added as usize, first.len());
    let mut stored = store.findings_of_province("42", None, None).await.unwrap();
    stored.sort_by_key(|f| f.id);
    assert_eq!(stored.len(), first.len());
    for (s, f) in stored.iter().zip(&first) {
        let read = NewFinding {
            source: s.source.clone(),
            kind: s.kind.clone(),
            check_key: s.check_key.clone(),
            province_code: s.province_code.clone(),
            unit_code: s.unit_code.clone(),
            household_id: s.household_id,
            member_id: s.member_id,
            benefit_id: s.benefit_id,
            activity_id: s.activity_id,
            inspection_id: s.inspection_id,
            evidence: s.evidence.clone(),
            required_action: s.required_action.clone(),
            responsible_agency: s.responsible_agency.clone(),
            deadline: s.deadline,
        };
        assert_eq!(&read, *f, "stored in the order given, as given");
        assert_eq!(s.status, "open");
    }
    // Found again with a few new ones: only the new ones are added, the others left as
    // they are.
    let mut more = found.clone();
    more.extend((2_000..2_013).map(|k| finding(&mut random, k)));
    assert_eq!(store.insert_findings(&more, Utc::now()).await.unwrap(), 13);
    assert_eq!(store.insert_findings(&more, Utc::now()).await.unwrap(), 0);
    assert_eq!(store.insert_findings(&[], Utc::now()).await.unwrap(), 0);
}
store_test!(findings_are_written_as_given_once_per_key_in_order);
