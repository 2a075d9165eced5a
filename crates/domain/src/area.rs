//! Place of residence: rural (nông thôn) or urban (thành thị).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The area a household lives in, which selects the income line of a standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Rural,
    Urban,
}

impl Area {
    pub const ALL: [Area; 2] = [Area::Rural, Area::Urban];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Rural => "rural",
            Area::Urban => "urban",
        }
    }

    /// The Vietnamese word shown to officials.
    pub fn label_vi(self) -> &'static str {
        match self {
            Area::Rural => "Nông thôn",
            Area::Urban => "Thành thị",
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("khu vực không hợp lệ «{0}»: phải là rural hoặc urban")]
pub struct ParseAreaError(pub String);

impl FromStr for Area {
    type Err = ParseAreaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "rural" => Ok(Area::Rural),
            "urban" => Ok(Area::Urban),
            other => Err(ParseAreaError(other.to_string())),
        }
    }
}
