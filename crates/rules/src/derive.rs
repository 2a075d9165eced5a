//! Deprivation ticks derived from what is known of a household and its members, so that
//! a reviewer sees where the form's ticks and the member data disagree.
//!
//! Every fact is optional: a commune rarely knows everything. Each indicator is derived
//! with three-valued logic: deprived, not deprived, or unknown when the missing facts
//! could change the answer. Only known answers are compared with the form.

use crate::classify::IndicatorSet;
use crate::standard::Standard;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How an indicator is derived from facts, with its thresholds as data. Written in a
/// standard file as e.g. `derive = { rule = "health_insurance", age_from = 6 }`.
/// Ages are in full years on the survey date; `age_under` is exclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum DeriveRule {
    /// A working-age member is unemployed (able and wanting to work) or works for wages
    /// without a labour contract.
    Employment { age_from: u8, age_under: u8 },
    /// Dependants (outside working age, or unable to work) are more than
    /// `max_share_percent` of the members.
    Dependants {
        age_from: u8,
        age_under: u8,
        max_share_percent: u8,
    },
    /// A child under `age_under` is stunted or underweight.
    Nutrition { age_under: u8 },
    /// A member aged `age_from` or over has no health-insurance card valid on the survey
    /// date.
    HealthInsurance { age_from: u8 },
    /// A member in the age range is neither studying nor holds `required`.
    AdultEducation {
        age_from: u8,
        age_under: u8,
        required: Qualification,
    },
    /// A child in the age range is not enrolled in school.
    SchoolAttendance { age_from: u8, age_under: u8 },
    /// At least `min_non_durable_parts` of walls, columns and roof are non-durable.
    HousingQuality { min_non_durable_parts: u8 },
    /// Less than `min_m2_per_person` of floor area per member.
    HousingArea { min_m2_per_person: u32 },
    /// No safe domestic water source.
    Water,
    /// No hygienic latrine.
    Sanitation,
    /// No member uses any of `services`.
    Telecom { services: Vec<Service> },
    /// The household has none of `devices` and, when `loudspeaker` is set, no village
    /// loudspeaker reaches it.
    InfoMeans {
        devices: Vec<Device>,
        loudspeaker: bool,
    },
}

/// Highest education completed, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualification {
    None,
    Primary,
    LowerSecondary,
    UpperSecondary,
    Vocational,
    Tertiary,
}

/// A member's work situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Employment {
    /// Able and wanting to work, without work.
    Unemployed,
    WageWithoutContract,
    WageWithContract,
    /// Own farm or business.
    SelfEmployed,
    /// Studying, at home, retired, or not wanting to work.
    NotInLabourForce,
}

/// A member's health-insurance card (thẻ BHYT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum HealthInsurance {
    #[default]
    Unknown,
    NoCard,
    Card {
        valid_from: NaiveDate,
        valid_until: NaiveDate,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Internet,
    Phone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Device {
    Tv,
    Radio,
    Computer,
    Smartphone,
    Phone,
}

/// What is known of one member; `None` means not recorded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberFacts {
    pub birth_date: Option<NaiveDate>,
    pub health_insurance: HealthInsurance,
    /// Enrolled in school or training at the level for their age.
    pub in_school: Option<bool>,
    pub qualification: Option<Qualification>,
    pub employment: Option<Employment>,
    pub able_to_work: Option<bool>,
    pub uses_internet: Option<bool>,
    pub uses_phone: Option<bool>,
    pub stunted_or_underweight: Option<bool>,
}

/// Devices the household owns; `None` means not recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Devices {
    pub tv: Option<bool>,
    pub radio: Option<bool>,
    pub computer: Option<bool>,
    pub smartphone: Option<bool>,
    pub phone: Option<bool>,
}

/// What is known of a household and its members.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HouseholdFacts {
    pub members: Vec<MemberFacts>,
    /// Total floor area of the home, in m².
    pub floor_area_m2: Option<f64>,
    /// How many of walls, columns and roof are of non-durable material (0–3).
    pub non_durable_parts: Option<u8>,
    pub safe_water: Option<bool>,
    pub hygienic_latrine: Option<bool>,
    pub devices: Devices,
    pub loudspeaker_reach: Option<bool>,
}

/// The derived tick of one indicator: `None` when it has no derivation rule or the facts
/// do not settle it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DerivedTick {
    pub code: String,
    pub deprived: Option<bool>,
}

/// The derived ticks of all indicators of a standard, in its order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DerivedTicks {
    pub ticks: Vec<DerivedTick>,
    names: Vec<(String, String)>,
}

/// An indicator whose tick on the form differs from the one the member data gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub entered: bool,
    pub derived: bool,
}

impl Disagreement {
    pub fn text_vi(&self) -> String {
        let word = |deprived: bool| {
            if deprived {
                "thiếu hụt"
            } else {
                "không thiếu hụt"
            }
        };
        format!(
            "Chỉ số «{}»: phiếu ghi {}, dữ liệu thành viên cho thấy {}",
            self.name_vi,
            word(self.entered),
            word(self.derived)
        )
    }

    pub fn text_en(&self) -> String {
        let word = |deprived: bool| if deprived { "deprived" } else { "not deprived" };
        format!(
            "Indicator “{}”: the form says {}, the member data says {}",
            self.name_en,
            word(self.entered),
            word(self.derived)
        )
    }
}

impl DerivedTicks {
    /// The indicators whose tick the facts settle.
    pub fn known(&self) -> IndicatorSet {
        self.collect(|tick| tick.is_some())
    }

    /// The indicators the facts show deprived.
    pub fn deprived(&self) -> IndicatorSet {
        self.collect(|tick| tick == Some(true))
    }

    fn collect(&self, keep: impl Fn(Option<bool>) -> bool) -> IndicatorSet {
        let mut set = IndicatorSet::EMPTY;
        for (index, tick) in self.ticks.iter().enumerate() {
            if keep(tick.deprived) {
                set.insert(index);
            }
        }
        set
    }

    /// Where the ticks `entered` on the form differ from the derived ones. Indicators the
    /// facts do not settle are never reported.
    pub fn disagreements(&self, entered: IndicatorSet) -> Vec<Disagreement> {
        self.ticks
            .iter()
            .zip(&self.names)
            .enumerate()
            .filter_map(|(index, (tick, (name_vi, name_en)))| {
                let derived = tick.deprived?;
                let entered = entered.contains(index);
                (derived != entered).then(|| Disagreement {
                    code: tick.code.clone(),
                    name_vi: name_vi.clone(),
                    name_en: name_en.clone(),
                    entered,
                    derived,
                })
            })
            .collect()
    }
}

/// Derives each indicator's tick of `standard` from `facts`, with ages and card validity
/// taken on `survey_date`.
pub fn derive_deprivations(
    standard: &Standard,
    facts: &HouseholdFacts,
    survey_date: NaiveDate,
) -> DerivedTicks {
    let ticks = standard
        .indicators()
        .iter()
        .map(|indicator| DerivedTick {
            code: indicator.code.clone(),
            deprived: indicator
                .derive
                .as_ref()
                .and_then(|rule| derive_one(rule, facts, survey_date)),
        })
        .collect();
    let names = standard
        .indicators()
        .iter()
        .map(|indicator| (indicator.name_vi.clone(), indicator.name_en.clone()))
        .collect();
    DerivedTicks { ticks, names }
}

/// Full years of age on `date`; `None` when the birth date is unknown or after `date`.
pub fn age_on(birth_date: Option<NaiveDate>, date: NaiveDate) -> Option<u32> {
    let birth = birth_date?;
    if birth > date {
        return None;
    }
    let mut age = date.year() - birth.year();
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    u32::try_from(age).ok()
}

/// Three-valued "and": false wins, then unknown.
fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Three-valued "or" over many: true wins, then unknown.
fn any3(values: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
    let mut result = Some(false);
    for value in values {
        match value {
            Some(true) => return Some(true),
            None => result = None,
            Some(false) => {}
        }
    }
    result
}

fn in_age_range(member: &MemberFacts, date: NaiveDate, from: u8, under: u8) -> Option<bool> {
    age_on(member.birth_date, date).map(|age| (u32::from(from)..u32::from(under)).contains(&age))
}

fn derive_one(rule: &DeriveRule, facts: &HouseholdFacts, date: NaiveDate) -> Option<bool> {
    let members = &facts.members;
    let member_based = !matches!(
        rule,
        DeriveRule::HousingQuality { .. }
            | DeriveRule::Water
            | DeriveRule::Sanitation
            | DeriveRule::InfoMeans { .. }
    );
    // Without recorded members, "some member …" or "no member …" would be settled
    // vacuously; the truth is that nothing is known.
    if member_based && members.is_empty() {
        return None;
    }
    // "Some member, among those the rule is about, is deprived."
    let any_member = |relevant: &dyn Fn(&MemberFacts) -> Option<bool>,
                      deprived: &dyn Fn(&MemberFacts) -> Option<bool>| {
        any3(
            members
                .iter()
                .map(|member| and3(relevant(member), deprived(member))),
        )
    };
    match rule {
        DeriveRule::Employment {
            age_from,
            age_under,
        } => any_member(&|m| in_age_range(m, date, *age_from, *age_under), &|m| {
            m.employment.map(|employment| {
                matches!(
                    employment,
                    Employment::Unemployed | Employment::WageWithoutContract
                )
            })
        }),
        DeriveRule::Dependants {
            age_from,
            age_under,
            max_share_percent,
        } => {
            let dependant = |m: &MemberFacts| match in_age_range(m, date, *age_from, *age_under) {
                Some(false) => Some(true),
                Some(true) => m.able_to_work.map(|able| !able),
                None if m.able_to_work == Some(false) => Some(true),
                None => None,
            };
            let surely = members
                .iter()
                .filter(|m| dependant(m) == Some(true))
                .count();
            let possibly = members
                .iter()
                .filter(|m| dependant(m) != Some(false))
                .count();
            let over = |count: usize| count * 100 > usize::from(*max_share_percent) * members.len();
            if over(surely) {
                Some(true)
            } else if !over(possibly) {
                Some(false)
            } else {
                None
            }
        }
        DeriveRule::Nutrition { age_under } => any_member(
            &|m| age_on(m.birth_date, date).map(|age| age < u32::from(*age_under)),
            &|m| m.stunted_or_underweight,
        ),
        DeriveRule::HealthInsurance { age_from } => any_member(
            &|m| age_on(m.birth_date, date).map(|age| age >= u32::from(*age_from)),
            &|m| match m.health_insurance {
                HealthInsurance::Unknown => None,
                HealthInsurance::NoCard => Some(true),
                HealthInsurance::Card {
                    valid_from,
                    valid_until,
                } => Some(!(valid_from..=valid_until).contains(&date)),
            },
        ),
        DeriveRule::AdultEducation {
            age_from,
            age_under,
            required,
        } => any_member(&|m| in_age_range(m, date, *age_from, *age_under), &|m| {
            and3(
                m.in_school.map(|studying| !studying),
                m.qualification.map(|held| held < *required),
            )
        }),
        DeriveRule::SchoolAttendance {
            age_from,
            age_under,
        } => any_member(&|m| in_age_range(m, date, *age_from, *age_under), &|m| {
            m.in_school.map(|enrolled| !enrolled)
        }),
        DeriveRule::HousingQuality {
            min_non_durable_parts,
        } => facts
            .non_durable_parts
            .map(|parts| parts >= *min_non_durable_parts),
        DeriveRule::HousingArea { min_m2_per_person } => {
            let area = facts.floor_area_m2?;
            Some(area < f64::from(*min_m2_per_person) * members.len() as f64)
        }
        DeriveRule::Water => facts.safe_water.map(|safe| !safe),
        DeriveRule::Sanitation => facts.hygienic_latrine.map(|hygienic| !hygienic),
        DeriveRule::Telecom { services } => {
            let someone_uses = any3(members.iter().map(|m| {
                any3(services.iter().map(|service| match service {
                    Service::Internet => m.uses_internet,
                    Service::Phone => m.uses_phone,
                }))
            }));
            someone_uses.map(|uses| !uses)
        }
        DeriveRule::InfoMeans {
            devices,
            loudspeaker,
        } => {
            let owned = devices.iter().map(|device| match device {
                Device::Tv => facts.devices.tv,
                Device::Radio => facts.devices.radio,
                Device::Computer => facts.devices.computer,
                Device::Smartphone => facts.devices.smartphone,
                Device::Phone => facts.devices.phone,
            });
            let reach = loudspeaker.then_some(facts.loudspeaker_reach);
            any3(owned.chain(reach)).map(|has_means| !has_means)
        }
    }
}
