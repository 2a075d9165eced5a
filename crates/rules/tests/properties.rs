//! Properties that must hold for every household, every standard and every area:
//! more income never gives a poorer status; more deprivations never a better one.

use giamngheo_domain::Area;
use giamngheo_rules::{
    Evidence, HouseholdColumns, HouseholdInput, IndicatorSet, Standard, StandardSet, Status,
    classify, classify_columns,
};
use proptest::prelude::*;

fn standards() -> Vec<Standard> {
    StandardSet::embedded().iter().cloned().collect()
}

fn area() -> impl Strategy<Value = Area> {
    prop_oneof![Just(Area::Rural), Just(Area::Urban)]
}

fn status(standard: &Standard, area: Area, evidence: Evidence, bits: u16) -> Status {
    let mask = (1u32 << standard.indicators().len()) - 1;
    let input = HouseholdInput {
        area,
        evidence,
        deprived: IndicatorSet::from_bits((u32::from(bits) & mask) as u16),
    };
    classify(standard, &input).expect("valid input").status
}

proptest! {
    #[test]
    fn more_income_never_gives_a_poorer_status(
        area in area(),
        income in 0u64..6_000_000,
        more in 0u64..3_000_000,
        bits: u16,
    ) {
        for standard in standards() {
            let lower = status(&standard, area, Evidence::Income(income), bits);
            let higher = status(&standard, area, Evidence::Income(income + more), bits);
            prop_assert!(higher >= lower, "{}: {income} → {lower}, {} → {higher}", standard.id(), income + more);
        }
    }

    #[test]
    fn a_higher_score_a_never_gives_a_poorer_status(
        area in area(),
        score in 0u32..400,
        more in 0u32..200,
        bits: u16,
    ) {
        let set = StandardSet::embedded();
        let standard = set.get("vn-2022").unwrap();
        let lower = status(standard, area, Evidence::ScoreA(score), bits);
        let higher = status(standard, area, Evidence::ScoreA(score + more), bits);
        prop_assert!(higher >= lower);
        prop_assert!(lower != Status::Medium && higher != Status::Medium, "medium needs income");
    }

    #[test]
    fn more_deprivations_never_give_a_better_status(
        area in area(),
        income in 0u64..6_000_000,
        score in 0u32..400,
        bits: u16,
        extra: u16,
    ) {
        for standard in standards() {
            let mut evidences = vec![Evidence::Income(income)];
            if standard.has_score_a() {
                evidences.push(Evidence::ScoreA(score));
            }
            for evidence in evidences {
                let fewer = status(&standard, area, evidence, bits);
                let more = status(&standard, area, evidence, bits | extra);
                prop_assert!(more <= fewer, "{}: {evidence:?}", standard.id());
            }
        }
    }

    #[test]
    fn the_batch_agrees_with_one_by_one(
        rows in proptest::collection::vec((area(), 0u64..4_000_000, any::<bool>(), 0u32..300, any::<u16>()), 0..200),
    ) {
        let set = StandardSet::embedded();
        let standard = set.get("vn-2022").unwrap();
        let mut columns = HouseholdColumns::default();
        for &(area, income, use_score, score, bits) in &rows {
            let evidence = if use_score { Evidence::ScoreA(score) } else { Evidence::Income(income) };
            columns.push(area, evidence, IndicatorSet::from_bits(bits & 0x0FFF));
        }
        let outcome = classify_columns(standard, &columns).unwrap();
        prop_assert_eq!(outcome.counts.total(), rows.len() as u64);
        for index in 0..rows.len() {
            let input = HouseholdInput {
                area: columns.area[index],
                evidence: columns.evidence[index],
                deprived: columns.deprived[index],
            };
            let one = classify(standard, &input).unwrap();
            prop_assert_eq!(outcome.status[index], one.status);
            prop_assert_eq!(outcome.deprivation_count[index], one.deprivation_count);
        }
    }
}

#[test]
fn a_batch_reports_its_first_invalid_household() {
    let set = StandardSet::embedded();
    let vn2016 = set.get("vn-2016").unwrap();
    let mut columns = HouseholdColumns::default();
    for index in 0..200_000u64 {
        let evidence = if index == 150_000 || index == 190_000 {
            Evidence::ScoreA(100)
        } else {
            Evidence::Income(index * 10)
        };
        columns.push(Area::Rural, evidence, IndicatorSet::EMPTY);
    }
    let error = classify_columns(vn2016, &columns).unwrap_err();
    assert_eq!(error.index, 150_000);
}
