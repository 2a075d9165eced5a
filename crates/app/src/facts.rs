//! What the rules engine needs to know of a household, read from the registry.

use chrono::NaiveDate;
use giamngheo_domain::household::{HouseholdDraft, LATRINES, MATERIALS, WATER_SOURCES};
use giamngheo_rules::{
    Devices, Employment, HealthInsurance, HouseholdFacts, MemberFacts, Qualification,
};

/// The facts of a household and its members that derive the deprivation indicators.
///
/// Unknown answers stay `None`, so the engine leaves the indicator undecided rather than
/// guess. A health-insurance card is known only by its expiry, so it counts as valid from
/// any earlier date up to that expiry.
pub fn household_facts(d: &HouseholdDraft) -> HouseholdFacts {
    let adequate = |list: &giamngheo_domain::household::ChoiceList, v: &Option<String>| {
        v.as_deref().and_then(|c| list.get(c)).map(|c| c.adequate)
    };
    let parts = [&d.wall_material, &d.column_material, &d.roof_material];
    let known_parts = parts.iter().filter(|p| p.is_some()).count();
    let non_durable = parts
        .iter()
        .filter(|m| adequate(&MATERIALS, m) == Some(false))
        .count() as u8;
    HouseholdFacts {
        members: d
            .members
            .iter()
            .map(|m| MemberFacts {
                birth_date: m.birth_date.or_else(|| {
                    // Only the year is known: the middle of the year errs least either way.
                    m.birth_year.and_then(|y| NaiveDate::from_ymd_opt(y, 7, 1))
                }),
                health_insurance: match m.health_insurance_expiry {
                    Some(until) => HealthInsurance::Card {
                        valid_from: NaiveDate::MIN,
                        valid_until: until,
                    },
                    None if m.health_insurance_number.is_none() => HealthInsurance::NoCard,
                    None => HealthInsurance::Unknown,
                },
                in_school: m.school_level.as_deref().map(|level| level != "none"),
                qualification: m.qualification.as_deref().map(|q| match q {
                    "none" | "preschool" => Qualification::None,
                    "primary" => Qualification::Primary,
                    "lower_secondary" => Qualification::LowerSecondary,
                    "upper_secondary" => Qualification::UpperSecondary,
                    "vocational" => Qualification::Vocational,
                    _ => Qualification::Tertiary,
                }),
                employment: m.work_status.as_deref().map(|w| match w {
                    "unemployed" => Employment::Unemployed,
                    "wage_worker" if m.labour_contract => Employment::WageWithContract,
                    "wage_worker" => Employment::WageWithoutContract,
                    "employed" => Employment::SelfEmployed,
                    _ => Employment::NotInLabourForce,
                }),
                able_to_work: m.work_status.as_deref().map(|w| w != "unable"),
                uses_internet: Some(m.uses_internet),
                uses_phone: None,
                stunted_or_underweight: m.nutrition.as_deref().map(|n| n != "normal"),
            })
            .collect(),
        floor_area_m2: d.floor_area_m2.map(f64::from),
        non_durable_parts: (known_parts > 0).then_some(non_durable),
        safe_water: adequate(&WATER_SOURCES, &d.water_source),
        hygienic_latrine: adequate(&LATRINES, &d.latrine),
        devices: Devices {
            tv: Some(d.has_tv),
            radio: Some(d.has_radio),
            computer: Some(d.has_computer),
            smartphone: Some(d.has_smartphone),
            phone: None,
        },
        loudspeaker_reach: Some(d.loudspeaker),
    }
}
