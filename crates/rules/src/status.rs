//! The four statuses a classification can give.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A household's poverty status under one standard.
///
/// The order is from poorest to best off (`Poor < NearPoor < Medium < NotPoor`), so that
/// "a poorer status" has a meaning the property tests can check. `Medium` (hộ có mức sống
/// trung bình) is only reachable when the income itself is known: the score-A test of
/// form B1 only tells poor and near-poor from the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Status {
    Poor,
    NearPoor,
    Medium,
    NotPoor,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Poor,
        Status::NearPoor,
        Status::Medium,
        Status::NotPoor,
    ];

    /// The code used in files, the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Poor => "poor",
            Status::NearPoor => "near_poor",
            Status::Medium => "medium",
            Status::NotPoor => "not_poor",
        }
    }

    /// The Vietnamese term shown to officials.
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Poor => "hộ nghèo",
            Status::NearPoor => "hộ cận nghèo",
            Status::Medium => "hộ có mức sống trung bình",
            Status::NotPoor => "hộ không nghèo",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Status::Poor => "poor household",
            Status::NearPoor => "near-poor household",
            Status::Medium => "household of medium living standard",
            Status::NotPoor => "non-poor household",
        }
    }

    /// Whether the household is on the commune's lists (danh sách hộ nghèo, cận nghèo),
    /// which is what most support policies and the transitions look at.
    pub fn is_on_lists(self) -> bool {
        matches!(self, Status::Poor | Status::NearPoor)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "tình trạng không hợp lệ «{0}»: phải là poor, near_poor, medium hoặc not_poor (unknown status)"
)]
pub struct ParseStatusError(pub String);

impl FromStr for Status {
    type Err = ParseStatusError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s.trim())
            .ok_or_else(|| ParseStatusError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_ordered_from_poorest() {
        assert!(Status::Poor < Status::NearPoor);
        assert!(Status::NearPoor < Status::Medium);
        assert!(Status::Medium < Status::NotPoor);
    }

    #[test]
    fn codes_round_trip() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        assert!("rich".parse::<Status>().is_err());
    }
}
