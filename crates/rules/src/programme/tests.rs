use super::*;
use proptest::prelude::*;

fn flags(zone: Option<Zone>, border: bool, villages: u32) -> CommuneFlags {
    CommuneFlags {
        zone,
        border,
        extremely_difficult_villages: villages,
        ..CommuneFlags::default()
    }
}

#[test]
fn the_embedded_files_load_with_both_periods_and_every_funding_source() {
    let set = ProgrammeSet::embedded();
    let old = set.structure_for(2021).expect("2021 is covered");
    assert_eq!(old.id, "ntp-2021-2025");
    assert!(!old.to_confirm);
    let codes: Vec<&str> = old.projects.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["p1", "p3", "p4", "p5"]);
    assert!(old.has_budget_line("p1.3") && old.has_budget_line("p1.4"));
    assert_eq!(old.project_of("p1.3").unwrap().code, "p1");
    assert!(
        old.activity_places()
            .any(|p| p.activity_type.livelihood_model && p.subproject.is_some())
    );

    let new = set.structure_for(2026).expect("2026 is covered");
    assert_eq!(new.id, "ntp-2026-2035");
    assert!(new.to_confirm && new.projects.iter().all(|p| p.to_confirm));

    let sources: Vec<&str> = set
        .funding_sources()
        .iter()
        .map(|s| s.code.as_str())
        .collect();
    assert_eq!(
        sources,
        [
            "central",
            "provincial",
            "district",
            "commune",
            "social_mobilisation",
            "counterpart",
            "peoples_contribution",
            "preferential_credit"
        ]
    );
    let district = set.funding_source("district").unwrap();
    assert!(district.open_in(2025) && !district.open_in(2026));
    assert!(set.allocation_rule_for(2026).is_some());
    assert!(set.allocation_rule_for(2021).is_none());
}

#[test]
fn a_file_of_the_same_id_replaces_the_embedded_one() {
    let mut set = ProgrammeSet::embedded();
    let text = include_str!("../../programme/allocation-2026-2030.toml")
        .replace("value = 25,", "value = 20,");
    set.add_files([("local/allocation.toml", text.as_str())])
        .unwrap();
    assert_eq!(set.allocation_rules().len(), 1);
    let rule = set.allocation_rule_for(2027).unwrap();
    assert_eq!(rule.coefficient(&CommuneFlags::default()).value(), 20);
}

#[test]
fn a_broken_file_is_named_by_file_and_line() {
    let mut set = ProgrammeSet::embedded();
    let error = set
        .add_files([(
            "bad.toml",
            "kind = \"allocation\"\nid = \"x\"\nfrom = \"2026\"\n",
        )])
        .unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("bad.toml:3:"), "{text}");
    let error = set
        .add_files([("kind.toml", "kind = \"budget\"\n")])
        .unwrap_err();
    assert!(error.to_string().contains("kind.toml"), "{error}");
}

#[test]
fn a_commune_takes_only_its_highest_coefficient_plus_its_villages() {
    let set = ProgrammeSet::embedded();
    let rule = set.allocation_rule_for(2026).unwrap();
    // The example of reform-2025.md: a border commune in zone II with two extremely
    // difficult villages is 50 + 2 = 52, not 50 + 40 + 2.
    let c = rule.coefficient(&flags(Some(Zone::II), true, 2));
    assert_eq!(c.value(), 52);
    assert_eq!(c.base_reason, BaseReason::Border);
    assert!(c.to_confirm);
    assert_eq!(c.formula_vi(), "50 (xã biên giới) + 2 × 1 (thôn ĐBKK) = 52");
    let zone_iii_border = rule.coefficient(&flags(Some(Zone::III), true, 0));
    assert_eq!(
        (zone_iii_border.value(), zone_iii_border.base_reason),
        (50, BaseReason::ZoneIii)
    );
    assert_eq!(
        rule.coefficient(&flags(Some(Zone::II), false, 0)).value(),
        40
    );
    assert_eq!(
        rule.coefficient(&flags(Some(Zone::I), false, 3)).value(),
        33
    );
    let island = CommuneFlags {
        island: true,
        zone: Some(Zone::I),
        ..CommuneFlags::default()
    };
    assert_eq!(rule.coefficient(&island).value(), 50);
    let other = rule.coefficient(&CommuneFlags::default());
    assert_eq!((other.value(), other.base_reason), (25, BaseReason::Other));
}

#[test]
fn the_hand_computed_fixture_shares_exactly_one_million() {
    let set = ProgrammeSet::embedded();
    let rule = set.allocation_rule_for(2026).unwrap();
    let communes = [
        flags(Some(Zone::II), true, 2),  // 52
        flags(Some(Zone::III), true, 0), // 50
        flags(Some(Zone::I), false, 0),  // 30
        flags(None, false, 0),           // 25
        flags(Some(Zone::II), false, 0), // 40
    ]
    .map(|flags| CommuneInput {
        flags,
        poor_and_near_poor: 0,
    });
    let shares = suggest(rule, &communes, 1_000_000, Weighting::Coefficients).unwrap();
    let got: Vec<(u64, u64)> = shares
        .iter()
        .map(|s| (s.coefficient.value(), s.share))
        .collect();
    // Σ = 197. Floors 263 959 + 253 807 + 152 284 + 126 903 + 203 045 = 999 998; the
    // two VND left go to the largest remainders, 135/197 (zone II) and 109/197 (other).
    assert_eq!(
        got,
        [
            (52, 263_959),
            (50, 253_807),
            (30, 152_284),
            (25, 126_904),
            (40, 203_046)
        ]
    );
}

#[test]
fn the_registry_weighted_option_multiplies_by_poor_and_near_poor_households() {
    let set = ProgrammeSet::embedded();
    let rule = set.allocation_rule_for(2026).unwrap();
    let communes = [
        CommuneInput {
            flags: flags(Some(Zone::III), false, 0),
            poor_and_near_poor: 10,
        },
        CommuneInput {
            flags: flags(None, false, 0),
            poor_and_near_poor: 20,
        },
    ];
    // Weights 500 and 500: half each, though the coefficients differ.
    let shares = suggest(rule, &communes, 1_001, Weighting::Households).unwrap();
    assert_eq!(
        shares.iter().map(|s| s.share).collect::<Vec<_>>(),
        [501, 500]
    );
    let none = communes.clone().map(|mut c| {
        c.poor_and_near_poor = 0;
        c
    });
    assert_eq!(
        suggest(rule, &none, 1_000, Weighting::Households),
        Err(AllocationError::ZeroWeights)
    );
    assert_eq!(
        suggest(rule, &[], 1_000, Weighting::Coefficients),
        Err(AllocationError::NoCommunes)
    );
}

proptest! {
    #[test]
    fn shares_sum_exactly_and_each_is_within_one_of_its_exact_share(
        total in 0u64..=u64::MAX / 2,
        weights in proptest::collection::vec(0u64..1_000_000, 1..60),
    ) {
        prop_assume!(weights.iter().any(|&w| w > 0));
        let shares = largest_remainder(total, &weights).unwrap();
        prop_assert_eq!(shares.len(), weights.len());
        let sum: u128 = shares.iter().map(|&s| u128::from(s)).sum();
        prop_assert_eq!(sum, u128::from(total));
        let wsum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
        for (&share, &weight) in shares.iter().zip(&weights) {
            // |share − total × w ÷ Σw| < 1, in integers: |share × Σw − total × w| < Σw.
            let lhs = u128::from(share) * wsum;
            let exact = u128::from(total) * u128::from(weight);
            prop_assert!(lhs.abs_diff(exact) < wsum);
        }
    }

    #[test]
    fn a_coefficient_is_the_highest_applying_base_plus_its_villages(
        zone in proptest::option::of(prop_oneof![Just(Zone::I), Just(Zone::II), Just(Zone::III)]),
        safety_zone: bool, border: bool, island: bool, special_zone: bool,
        villages in 0u32..40,
    ) {
        let set = ProgrammeSet::embedded();
        let rule = set.allocation_rule_for(2026).unwrap();
        let flags = CommuneFlags { zone, safety_zone, border, island, special_zone, extremely_difficult_villages: villages };
        let c = rule.coefficient(&flags);
        let special = zone == Some(Zone::III) || safety_zone || border || island || special_zone;
        let base = if special { 50 } else {
            match zone { Some(Zone::II) => 40, Some(Zone::I) => 30, _ => 25 }
        };
        prop_assert_eq!(c.value(), base + u64::from(villages));
    }
}
