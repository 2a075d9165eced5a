//! Deprivation ticks derived from member facts, and the disagreements a reviewer sees.

use chrono::NaiveDate;
use giamngheo_rules::{
    Devices, Employment, HealthInsurance, HouseholdFacts, IndicatorSet, MemberFacts, Qualification,
    Standard, StandardSet, derive_deprivations,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const SURVEY: (i32, u32, u32) = (2022, 10, 15);

fn survey() -> NaiveDate {
    date(SURVEY.0, SURVEY.1, SURVEY.2)
}

fn vn2022() -> Standard {
    StandardSet::embedded().get("vn-2022").unwrap().clone()
}

fn tick(standard: &Standard, facts: &HouseholdFacts, code: &str) -> Option<bool> {
    let derived = derive_deprivations(standard, facts, survey());
    derived.ticks[standard.indicator_index(code).unwrap()].deprived
}

/// An adult born on the given date, insured for the survey year, working with a contract,
/// with lower-secondary education and using the internet.
fn adult(born: NaiveDate) -> MemberFacts {
    MemberFacts {
        birth_date: Some(born),
        health_insurance: HealthInsurance::Card {
            valid_from: date(2022, 1, 1),
            valid_until: date(2022, 12, 31),
        },
        in_school: Some(false),
        qualification: Some(Qualification::UpperSecondary),
        employment: Some(Employment::WageWithContract),
        able_to_work: Some(true),
        uses_internet: Some(true),
        uses_phone: Some(true),
        stunted_or_underweight: None,
    }
}

fn child(born: NaiveDate) -> MemberFacts {
    MemberFacts {
        birth_date: Some(born),
        health_insurance: HealthInsurance::Card {
            valid_from: date(2022, 1, 1),
            valid_until: date(2022, 12, 31),
        },
        in_school: Some(true),
        stunted_or_underweight: Some(false),
        ..MemberFacts::default()
    }
}

/// A household that is deprived on nothing, with every fact known.
fn well_off() -> HouseholdFacts {
    HouseholdFacts {
        members: vec![
            adult(date(1985, 3, 1)),
            adult(date(1988, 7, 9)),
            child(date(2012, 5, 20)),
        ],
        floor_area_m2: Some(60.0),
        non_durable_parts: Some(0),
        safe_water: Some(true),
        hygienic_latrine: Some(true),
        devices: Devices {
            tv: Some(true),
            ..Devices::default()
        },
        loudspeaker_reach: Some(true),
    }
}

#[test]
fn a_household_with_all_facts_known_and_good_is_deprived_on_nothing() {
    let standard = vn2022();
    let derived = derive_deprivations(&standard, &well_off(), survey());
    for tick in &derived.ticks {
        assert_eq!(tick.deprived, Some(false), "{}", tick.code);
    }
    assert!(derived.disagreements(IndicatorSet::EMPTY).is_empty());
}

#[test]
fn a_card_that_expired_before_the_survey_date_is_no_insurance() {
    let standard = vn2022();
    let mut facts = well_off();
    facts.members[1].health_insurance = HealthInsurance::Card {
        valid_from: date(2021, 1, 1),
        valid_until: date(2022, 10, 14),
    };
    assert_eq!(tick(&standard, &facts, "health_insurance"), Some(true));
    // Valid through the survey day itself counts.
    facts.members[1].health_insurance = HealthInsurance::Card {
        valid_from: date(2021, 1, 1),
        valid_until: date(2022, 10, 15),
    };
    assert_eq!(tick(&standard, &facts, "health_insurance"), Some(false));
}

#[test]
fn a_child_under_six_without_a_card_is_not_a_deprivation() {
    let standard = vn2022();
    let mut facts = well_off();
    // Turns six the day after the survey.
    let mut young = child(date(2016, 10, 16));
    young.health_insurance = HealthInsurance::NoCard;
    facts.members.push(young);
    assert_eq!(tick(&standard, &facts, "health_insurance"), Some(false));
    // Six on the survey day: now the card is required.
    facts.members.last_mut().unwrap().birth_date = Some(date(2016, 10, 15));
    assert_eq!(tick(&standard, &facts, "health_insurance"), Some(true));
}

#[test]
fn an_unknown_card_leaves_the_indicator_unknown_unless_another_member_decides() {
    let standard = vn2022();
    let mut facts = well_off();
    facts.members[0].health_insurance = HealthInsurance::Unknown;
    assert_eq!(tick(&standard, &facts, "health_insurance"), None);
    facts.members[1].health_insurance = HealthInsurance::NoCard;
    assert_eq!(tick(&standard, &facts, "health_insurance"), Some(true));
}

#[test]
fn school_attendance_counts_children_three_to_under_sixteen() {
    let standard = vn2022();
    let mut facts = well_off();
    facts.members[2].in_school = Some(false);
    assert_eq!(tick(&standard, &facts, "school_attendance"), Some(true));
    // Sixteen on the survey day: no longer a child for this indicator, but an adult of
    // 16–30 without lower-secondary education who does not study.
    facts.members[2].birth_date = Some(date(2006, 10, 15));
    facts.members[2].qualification = Some(Qualification::Primary);
    assert_eq!(tick(&standard, &facts, "school_attendance"), Some(false));
    assert_eq!(tick(&standard, &facts, "adult_education"), Some(true));
    // Studying again clears it.
    facts.members[2].in_school = Some(true);
    assert_eq!(tick(&standard, &facts, "adult_education"), Some(false));
}

#[test]
fn wage_work_without_a_contract_is_an_employment_deprivation() {
    let standard = vn2022();
    let mut facts = well_off();
    facts.members[0].employment = Some(Employment::WageWithoutContract);
    assert_eq!(tick(&standard, &facts, "employment"), Some(true));
    facts.members[0].employment = Some(Employment::SelfEmployed);
    assert_eq!(tick(&standard, &facts, "employment"), Some(false));
    facts.members[0].employment = Some(Employment::Unemployed);
    assert_eq!(tick(&standard, &facts, "employment"), Some(true));
}

#[test]
fn dependants_over_half_of_members() {
    let standard = vn2022();
    let mut facts = well_off();
    // Two adults, one child: one third dependants.
    assert_eq!(tick(&standard, &facts, "dependants"), Some(false));
    facts.members.push(child(date(2015, 1, 1)));
    // Two of four: exactly half is not more than half.
    assert_eq!(tick(&standard, &facts, "dependants"), Some(false));
    facts.members[1].able_to_work = Some(false);
    assert_eq!(tick(&standard, &facts, "dependants"), Some(true));
}

#[test]
fn housing_area_is_per_member() {
    let standard = vn2022();
    let mut facts = well_off();
    facts.floor_area_m2 = Some(24.0);
    assert_eq!(tick(&standard, &facts, "housing_area"), Some(false));
    facts.floor_area_m2 = Some(23.5);
    assert_eq!(tick(&standard, &facts, "housing_area"), Some(true));
}

#[test]
fn information_indicators() {
    let standard = vn2022();
    let mut facts = well_off();
    for member in &mut facts.members {
        member.uses_internet = Some(false);
    }
    assert_eq!(tick(&standard, &facts, "telecom"), Some(true));
    facts.devices.tv = Some(false);
    facts.loudspeaker_reach = Some(false);
    assert_eq!(
        tick(&standard, &facts, "info_means"),
        None,
        "other devices unknown"
    );
    facts.devices = Devices {
        tv: Some(false),
        radio: Some(false),
        computer: Some(false),
        smartphone: Some(false),
        phone: None,
    };
    assert_eq!(tick(&standard, &facts, "info_means"), Some(true));
    facts.loudspeaker_reach = Some(true);
    assert_eq!(tick(&standard, &facts, "info_means"), Some(false));
}

#[test]
fn vn_2016_telecom_counts_phones_too() {
    let vn2016 = StandardSet::embedded().get("vn-2016").unwrap().clone();
    let mut facts = well_off();
    for member in &mut facts.members {
        member.uses_internet = Some(false);
    }
    assert_eq!(tick(&vn2016, &facts, "telecom"), Some(false));
    for member in &mut facts.members {
        member.uses_phone = Some(false);
    }
    assert_eq!(tick(&vn2016, &facts, "telecom"), Some(true));
    // No rule derives access to medical services.
    assert_eq!(tick(&vn2016, &facts, "medical_access"), None);
}

#[test]
fn disagreements_name_the_indicator_both_ways() {
    let standard = vn2022();
    let mut facts = well_off();
    facts.safe_water = Some(false);
    facts.members[0].health_insurance = HealthInsurance::Unknown;
    let derived = derive_deprivations(&standard, &facts, survey());
    // The form ticks sanitation (facts say not deprived), not water (facts say deprived),
    // and health insurance (facts do not settle it: never reported).
    let entered = standard
        .indicator_set(["sanitation", "health_insurance"])
        .unwrap();
    let disagreements = derived.disagreements(entered);
    let codes: Vec<_> = disagreements.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["water", "sanitation"]);
    assert_eq!(
        disagreements[0].text_vi(),
        "Chỉ số «nguồn nước sinh hoạt»: phiếu ghi không thiếu hụt, dữ liệu thành viên cho thấy thiếu hụt"
    );
    assert_eq!(
        disagreements[1].text_en(),
        "Indicator “hygienic latrine”: the form says deprived, the member data says not deprived"
    );
    assert!(
        derived
            .deprived()
            .contains(standard.indicator_index("water").unwrap())
    );
    assert!(
        !derived
            .known()
            .contains(standard.indicator_index("health_insurance").unwrap())
    );
}

#[test]
fn nothing_known_derives_nothing() {
    let standard = vn2022();
    let derived = derive_deprivations(&standard, &HouseholdFacts::default(), survey());
    // Not even "no member uses the internet": with no members recorded, nothing is known.
    for tick in &derived.ticks {
        assert_eq!(tick.deprived, None, "{}", tick.code);
    }
    assert_eq!(derived.known(), IndicatorSet::EMPTY);
}
