//! The suggested allocation of a programme budget to communes, from coefficients as data.
//!
//! A commune takes the highest coefficient of its flags (zone III, safety zone, border,
//! island, special zone; zone II; zone I; otherwise "other") and adds the village
//! coefficient once per extremely difficult village in it. The total is then divided in
//! proportion to the coefficients, or to coefficient × poor and near-poor households when
//! the registry-weighted option is chosen, by the largest-remainder method so that the
//! shares are whole VND and sum exactly to the total.

use crate::Figure;
use serde::{Deserialize, Serialize};

/// The zone (khu vực) of a commune in ethnic-minority and mountain areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Zone {
    #[serde(rename = "I")]
    I,
    #[serde(rename = "II")]
    II,
    #[serde(rename = "III")]
    III,
}

impl Zone {
    /// Reads `I`, `II`, `III` (also `1`, `2`, `3`), as the unit sheets and forms write it.
    pub fn parse(text: &str) -> Option<Zone> {
        match text.trim().to_ascii_uppercase().as_str() {
            "I" | "1" => Some(Zone::I),
            "II" | "2" => Some(Zone::II),
            "III" | "3" => Some(Zone::III),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Zone::I => "I",
            Zone::II => "II",
            Zone::III => "III",
        }
    }
}

/// What the allocation needs to know about a commune.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneFlags {
    pub zone: Option<Zone>,
    pub safety_zone: bool,
    pub border: bool,
    pub island: bool,
    pub special_zone: bool,
    /// How many of the commune's villages are extremely difficult.
    pub extremely_difficult_villages: u32,
}

/// The commune coefficients of an allocation rule; only the highest that applies counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommuneCoefficients {
    pub zone_iii: Figure,
    pub safety_zone: Figure,
    pub border: Figure,
    pub island: Figure,
    pub special_zone: Figure,
    pub zone_ii: Figure,
    pub zone_i: Figure,
    pub other: Figure,
}

/// The coefficients added per village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VillageCoefficients {
    pub extremely_difficult: Figure,
}

/// One set of allocation coefficients, for the years it applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationRule {
    pub kind: String,
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub source: String,
    pub from: i32,
    pub to: i32,
    pub commune: CommuneCoefficients,
    pub village: VillageCoefficients,
}

/// Why a commune has its base coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseReason {
    ZoneIii,
    SafetyZone,
    Border,
    Island,
    SpecialZone,
    ZoneIi,
    ZoneI,
    Other,
}

impl BaseReason {
    pub fn name_vi(self) -> &'static str {
        match self {
            BaseReason::ZoneIii => "xã khu vực III",
            BaseReason::SafetyZone => "xã an toàn khu",
            BaseReason::Border => "xã biên giới",
            BaseReason::Island => "xã đảo",
            BaseReason::SpecialZone => "đặc khu",
            BaseReason::ZoneIi => "xã khu vực II",
            BaseReason::ZoneI => "xã khu vực I",
            BaseReason::Other => "xã còn lại",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            BaseReason::ZoneIii => "zone III commune",
            BaseReason::SafetyZone => "safety-zone commune",
            BaseReason::Border => "border commune",
            BaseReason::Island => "island commune",
            BaseReason::SpecialZone => "special zone",
            BaseReason::ZoneIi => "zone II commune",
            BaseReason::ZoneI => "zone I commune",
            BaseReason::Other => "other commune",
        }
    }
}

/// A commune's coefficient with the inputs it came from, to show the formula.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coefficient {
    /// The highest applying commune coefficient and why.
    pub base: u64,
    pub base_reason: BaseReason,
    pub villages: u32,
    pub per_village: u64,
    /// Whether a figure used is marked to confirm.
    pub to_confirm: bool,
}

impl Coefficient {
    /// base + villages × per_village.
    pub fn value(&self) -> u64 {
        self.base + u64::from(self.villages) * self.per_village
    }

    /// The formula in Vietnamese, e.g. «50 (xã biên giới) + 2 × 1 (thôn ĐBKK) = 52».
    pub fn formula_vi(&self) -> String {
        format!(
            "{} ({}) + {} × {} (thôn ĐBKK) = {}",
            self.base,
            self.base_reason.name_vi(),
            self.villages,
            self.per_village,
            self.value()
        )
    }

    /// The formula in English.
    pub fn formula_en(&self) -> String {
        format!(
            "{} ({}) + {} × {} (extremely difficult villages) = {}",
            self.base,
            self.base_reason.name_en(),
            self.villages,
            self.per_village,
            self.value()
        )
    }
}

impl AllocationRule {
    /// Whether the rule applies to `year`.
    pub fn covers(&self, year: i32) -> bool {
        (self.from..=self.to).contains(&year)
    }

    /// The commune's coefficient: the highest of its applying flags, plus its villages.
    pub fn coefficient(&self, flags: &CommuneFlags) -> Coefficient {
        let c = &self.commune;
        let candidates = [
            (
                flags.zone == Some(Zone::III),
                &c.zone_iii,
                BaseReason::ZoneIii,
            ),
            (flags.safety_zone, &c.safety_zone, BaseReason::SafetyZone),
            (flags.border, &c.border, BaseReason::Border),
            (flags.island, &c.island, BaseReason::Island),
            (flags.special_zone, &c.special_zone, BaseReason::SpecialZone),
            (flags.zone == Some(Zone::II), &c.zone_ii, BaseReason::ZoneIi),
            (flags.zone == Some(Zone::I), &c.zone_i, BaseReason::ZoneI),
        ];
        // The first of equal highest values names the reason, so that a zone III border
        // commune reads "zone III" as the file lists it first.
        let mut best: Option<(&Figure, BaseReason)> = None;
        for (applies, figure, reason) in candidates {
            if applies && best.is_none_or(|(b, _)| figure.value > b.value) {
                best = Some((figure, reason));
            }
        }
        let (figure, reason) = best.unwrap_or((&c.other, BaseReason::Other));
        let per_village = &self.village.extremely_difficult;
        Coefficient {
            base: figure.value,
            base_reason: reason,
            villages: flags.extremely_difficult_villages,
            per_village: per_village.value,
            to_confirm: figure.to_confirm
                || (flags.extremely_difficult_villages > 0 && per_village.to_confirm),
        }
    }

    /// Checks the rule file beyond its shape.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.kind != "allocation" {
            return Err(format!("kind = «{}», expected «allocation»", self.kind));
        }
        if self.from > self.to {
            return Err(format!(
                "from = {} is after to = {} (năm bắt đầu sau năm kết thúc)",
                self.from, self.to
            ));
        }
        Ok(())
    }
}

/// How the total is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// In proportion to the coefficients alone.
    #[default]
    Coefficients,
    /// In proportion to coefficient × poor and near-poor households of the registry.
    Households,
}

/// One commune's input to a suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommuneInput {
    pub flags: CommuneFlags,
    /// Poor plus near-poor households in the registry, for [`Weighting::Households`].
    pub poor_and_near_poor: u64,
}

/// One commune's suggested share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestedShare {
    pub coefficient: Coefficient,
    /// What the total is divided in proportion to.
    pub weight: u64,
    pub share: u64,
}

/// Why no suggestion can be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("không có xã nào để phân bổ (no commune to allocate to)")]
    NoCommunes,
    #[error(
        "tổng trọng số bằng 0: không xã nào có hộ nghèo, cận nghèo (all weights are zero: no commune has poor or near-poor households)"
    )]
    ZeroWeights,
}

/// Shares `total` among the communes by `weighting`.
pub fn suggest(
    rule: &AllocationRule,
    communes: &[CommuneInput],
    total: u64,
    weighting: Weighting,
) -> Result<Vec<SuggestedShare>, AllocationError> {
    let coefficients: Vec<Coefficient> = communes
        .iter()
        .map(|c| rule.coefficient(&c.flags))
        .collect();
    let weights: Vec<u64> = coefficients
        .iter()
        .zip(communes)
        .map(|(coefficient, commune)| match weighting {
            Weighting::Coefficients => coefficient.value(),
            Weighting::Households => coefficient
                .value()
                .saturating_mul(commune.poor_and_near_poor),
        })
        .collect();
    let shares = largest_remainder(total, &weights)?;
    Ok(coefficients
        .into_iter()
        .zip(weights)
        .zip(shares)
        .map(|((coefficient, weight), share)| SuggestedShare {
            coefficient,
            weight,
            share,
        })
        .collect())
}

/// Divides `total` in proportion to `weights` into whole numbers summing exactly to
/// `total`: each gets the floor of its exact share, and the units left over go one each
/// to the largest remainders (the earlier item first among equal remainders). Every
/// share is therefore within 1 of `total × weight ÷ Σ weights`.
pub fn largest_remainder(total: u64, weights: &[u64]) -> Result<Vec<u64>, AllocationError> {
    if weights.is_empty() {
        return Err(AllocationError::NoCommunes);
    }
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 {
        return Err(AllocationError::ZeroWeights);
    }
    let total_wide = u128::from(total);
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    for (index, &weight) in weights.iter().enumerate() {
        let exact = total_wide * u128::from(weight);
        let floor = exact / sum;
        given += floor;
        shares.push(floor);
        remainders.push((exact % sum, index));
    }
    // Fewer than `weights.len()` units are left, since each floor lost less than one.
    let left = usize::try_from(total_wide - given).expect("fewer units left than communes");
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, index) in remainders.iter().take(left) {
        shares[index] += 1;
    }
    Ok(shares
        .into_iter()
        .map(|s| u64::try_from(s).expect("a share is at most the total"))
        .collect())
}
