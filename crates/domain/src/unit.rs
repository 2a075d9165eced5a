//! Administrative units: province, district, commune (from the statistics office's list)
//! and villages (created by communes).

use crate::area::Area;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A unit code: the statistics office's code for provinces (2 digits), districts (3) and
/// communes (5); villages get their commune's code followed by a 3-digit number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitCodeError {
    #[error("mã đơn vị trống")]
    Empty,
    #[error("mã đơn vị «{0}» chỉ được gồm chữ số (0–9)")]
    NotDigits(String),
    #[error("mã đơn vị «{0}» dài quá 12 chữ số")]
    TooLong(String),
}

impl UnitCode {
    pub const MAX_LEN: usize = 12;

    pub fn parse(s: &str) -> Result<Self, UnitCodeError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(UnitCodeError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UnitCodeError::NotDigits(s.to_string()));
        }
        if s.len() > Self::MAX_LEN {
            return Err(UnitCodeError::TooLong(s.to_string()));
        }
        Ok(UnitCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UnitCode {
    type Err = UnitCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UnitCode::parse(s)
    }
}

impl TryFrom<String> for UnitCode {
    type Error = UnitCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        UnitCode::parse(&s)
    }
}

impl From<UnitCode> for String {
    fn from(c: UnitCode) -> String {
        c.0
    }
}

/// The kind word of a unit as the official list writes it ("Xã", "Phường", "Thị trấn",
/// "Huyện", "Thôn", …). Kept as text because the list has more kinds than the code needs
/// to know about; only the area default depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitKind(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitKindError {
    #[error("loại đơn vị trống")]
    Empty,
    #[error("loại đơn vị dài quá 40 ký tự")]
    TooLong,
}

impl UnitKind {
    pub fn parse(s: &str) -> Result<Self, UnitKindError> {
        let s = crate::text::normalize(s);
        if s.is_empty() {
            return Err(UnitKindError::Empty);
        }
        if s.chars().count() > 40 {
            return Err(UnitKindError::TooLong);
        }
        Ok(UnitKind(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The area implied by the kind: communes (xã) and rural villages are rural; wards
    /// (phường), townships (thị trấn) and urban residential groups are urban. Provinces and
    /// districts have no area of their own.
    pub fn default_area(&self) -> Option<Area> {
        match crate::text::fold(&self.0).as_str() {
            "xa" | "thon" | "ban" | "xom" | "ap" | "lang" | "buon" | "soc" | "plei" | "dac khu" => {
                Some(Area::Rural)
            }
            "phuong" | "thi tran" | "to dan pho" | "khu pho" | "khu dan cu" | "khom" => {
                Some(Area::Urban)
            }
            _ => None,
        }
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for UnitKind {
    type Error = UnitKindError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        UnitKind::parse(&s)
    }
}

impl From<UnitKind> for String {
    fn from(k: UnitKind) -> String {
        k.0
    }
}

/// The role of a level in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Province,
    District,
    Commune,
    Village,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Province => "province",
            Tier::District => "district",
            Tier::Commune => "commune",
            Tier::Village => "village",
        }
    }
}

impl FromStr for Tier {
    type Err = HierarchyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "province" => Ok(Tier::Province),
            "district" => Ok(Tier::District),
            "commune" => Ok(Tier::Commune),
            "village" => Ok(Tier::Village),
            other => Err(HierarchyError::UnknownTier(other.to_string())),
        }
    }
}

/// The levels of the administrative hierarchy, top first.
///
/// The seed's district works with four levels (province → district → commune → village);
/// since July 2025 most of the country works with three (province → commune → village).
/// Which one applies is configuration, so the code asks this value instead of assuming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hierarchy(Vec<Tier>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HierarchyError {
    #[error("cấp hành chính không rõ «{0}» (dùng province, district, commune, village)")]
    UnknownTier(String),
    #[error("phân cấp phải bắt đầu bằng province, kết thúc bằng commune, village và không lặp cấp")]
    Malformed,
}

impl Hierarchy {
    pub fn four_levels() -> Self {
        Hierarchy(vec![
            Tier::Province,
            Tier::District,
            Tier::Commune,
            Tier::Village,
        ])
    }

    pub fn three_levels() -> Self {
        Hierarchy(vec![Tier::Province, Tier::Commune, Tier::Village])
    }

    /// Parses a comma-separated list such as `province,commune,village`.
    pub fn parse(s: &str) -> Result<Self, HierarchyError> {
        let tiers = s
            .split(',')
            .map(Tier::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        let ok = matches!(
            tiers.as_slice(),
            [Tier::Province, Tier::Commune, Tier::Village]
                | [Tier::Province, Tier::District, Tier::Commune, Tier::Village]
        );
        if ok {
            Ok(Hierarchy(tiers))
        } else {
            Err(HierarchyError::Malformed)
        }
    }

    /// The tier at a level (1 = top); `None` below the deepest level.
    pub fn tier(&self, level: i32) -> Option<Tier> {
        usize::try_from(level - 1)
            .ok()
            .and_then(|i| self.0.get(i).copied())
    }

    /// The level number of a tier.
    pub fn level_of(&self, tier: Tier) -> Option<i32> {
        self.0.iter().position(|t| *t == tier).map(|i| i as i32 + 1)
    }

    pub fn depth(&self) -> i32 {
        self.0.len() as i32
    }

    pub fn tiers(&self) -> &[Tier] {
        &self.0
    }
}

impl fmt::Display for Hierarchy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|t| t.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

impl Default for Hierarchy {
    fn default() -> Self {
        Hierarchy::four_levels()
    }
}

/// The programme flags of a unit, set by decisions of the government or the province.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitFlags {
    /// Xã / thôn đặc biệt khó khăn.
    pub extremely_difficult: bool,
    /// Xã biên giới.
    pub border: bool,
    /// Covered by Programme 30a.
    pub programme_30a: bool,
    /// Covered by Programme 135.
    pub programme_135: bool,
}

/// An administrative unit as the product keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUnit {
    pub code: UnitCode,
    pub name: String,
    pub kind: UnitKind,
    pub level: i32,
    pub parent_code: Option<UnitCode>,
    pub area: Option<Area>,
    pub flags: UnitFlags,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_digits_only() {
        assert!(UnitCode::parse("444").is_ok());
        assert_eq!(UnitCode::parse(" 18").unwrap().as_str(), "18");
        assert!(matches!(
            UnitCode::parse("44a"),
            Err(UnitCodeError::NotDigits(_))
        ));
        assert!(matches!(UnitCode::parse(""), Err(UnitCodeError::Empty)));
        assert!(matches!(
            UnitCode::parse("1234567890123"),
            Err(UnitCodeError::TooLong(_))
        ));
    }

    #[test]
    fn area_follows_the_kind() {
        let area = |k: &str| UnitKind::parse(k).unwrap().default_area();
        assert_eq!(area("Xã"), Some(Area::Rural));
        assert_eq!(area("Phường"), Some(Area::Urban));
        assert_eq!(area("Thị trấn"), Some(Area::Urban));
        assert_eq!(area("Thôn"), Some(Area::Rural));
        assert_eq!(area("Tổ dân phố"), Some(Area::Urban));
        assert_eq!(area("Huyện"), None);
        assert_eq!(area("Tỉnh"), None);
    }

    #[test]
    fn hierarchy_is_configuration() {
        let four = Hierarchy::parse("province,district,commune,village").unwrap();
        assert_eq!(four.tier(3), Some(Tier::Commune));
        assert_eq!(four.level_of(Tier::Village), Some(4));
        let three = Hierarchy::parse("province,commune,village").unwrap();
        assert_eq!(three.tier(2), Some(Tier::Commune));
        assert_eq!(three.tier(4), None);
        assert!(Hierarchy::parse("province,village").is_err());
        assert!(Hierarchy::parse("province,town").is_err());
    }
}
