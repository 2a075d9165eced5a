//! What changed between a household's classifications of two periods.

use crate::status::Status;
use serde::{Deserialize, Serialize};

/// A household's approved status in one review year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PeriodStatus {
    pub year: i32,
    pub status: Status,
}

/// How the status moved from the previous period to the current one.
///
/// "Escaped poverty" means leaving the lists from poor; a poor household that becomes
/// near-poor is counted as [`TransitionKind::PoorToNearPoor`], which reports may add to
/// the escapes when the official layout asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionKind {
    /// Hộ nghèo phát sinh: poor now, not poor before, and not a fall back.
    NewlyPoor,
    /// Hộ tái nghèo: poor again within the window after having escaped poverty.
    FellBack,
    /// Hộ thoát nghèo: poor before, off the lists now.
    EscapedPoverty,
    /// Hộ thoát cận nghèo: near-poor before, off the lists now.
    EscapedNearPoverty,
    PoorToNearPoor,
    NearPoorToPoor,
    /// Hộ cận nghèo phát sinh: near-poor now, off the lists before.
    NewNearPoor,
    /// The same status, or a move between `medium` and `not_poor`.
    Unchanged,
}

impl TransitionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransitionKind::NewlyPoor => "newly_poor",
            TransitionKind::FellBack => "fell_back",
            TransitionKind::EscapedPoverty => "escaped_poverty",
            TransitionKind::EscapedNearPoverty => "escaped_near_poverty",
            TransitionKind::PoorToNearPoor => "poor_to_near_poor",
            TransitionKind::NearPoorToPoor => "near_poor_to_poor",
            TransitionKind::NewNearPoor => "new_near_poor",
            TransitionKind::Unchanged => "unchanged",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TransitionKind::NewlyPoor => "hộ nghèo phát sinh",
            TransitionKind::FellBack => "hộ tái nghèo",
            TransitionKind::EscapedPoverty => "hộ thoát nghèo",
            TransitionKind::EscapedNearPoverty => "hộ thoát cận nghèo",
            TransitionKind::PoorToNearPoor => "hộ nghèo chuyển thành hộ cận nghèo",
            TransitionKind::NearPoorToPoor => "hộ cận nghèo chuyển thành hộ nghèo",
            TransitionKind::NewNearPoor => "hộ cận nghèo phát sinh",
            TransitionKind::Unchanged => "không thay đổi",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TransitionKind::NewlyPoor => "newly poor",
            TransitionKind::FellBack => "fell back into poverty",
            TransitionKind::EscapedPoverty => "escaped poverty",
            TransitionKind::EscapedNearPoverty => "escaped near-poverty",
            TransitionKind::PoorToNearPoor => "poor to near-poor",
            TransitionKind::NearPoorToPoor => "near-poor to poor",
            TransitionKind::NewNearPoor => "new near-poor",
            TransitionKind::Unchanged => "unchanged",
        }
    }
}

/// The windows, in years, that the transitions look back over. Policies change them, so
/// they are configuration, not constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionWindows {
    /// A household poor again at most this many years after escaping poverty fell back.
    pub fell_back_years: u16,
    /// A household off the lists that left them at most this many years ago is
    /// "recently escaped" (hộ mới thoát nghèo), which some credit policies look at.
    pub recently_escaped_years: u16,
}

impl Default for TransitionWindows {
    /// Three years for both: the "mới thoát nghèo" window of the credit policies; the
    /// fall-back window is set to the same until a local rule says otherwise.
    fn default() -> Self {
        TransitionWindows {
            fell_back_years: 3,
            recently_escaped_years: 3,
        }
    }
}

/// The outcome of comparing two periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub kind: TransitionKind,
    /// Off the lists now, and left them (from poor or near-poor) within the window.
    pub recently_escaped: bool,
    /// The year the household last left the lists, if it ever did.
    pub left_lists_in: Option<i32>,
}

/// Compares the `current` classification with the previous period's (`prev`, `None` for
/// a household classified for the first time).
///
/// `history` holds any earlier classifications, in any order; it may include `prev`.
/// Entries of `current.year` or later are ignored. The history decides a fall back (poor
/// again after an escape from poverty within `windows.fell_back_years`) and the
/// `recently_escaped` flag.
pub fn transition(
    prev: Option<PeriodStatus>,
    current: PeriodStatus,
    history: &[PeriodStatus],
    windows: &TransitionWindows,
) -> Transition {
    let mut timeline: Vec<PeriodStatus> = history
        .iter()
        .copied()
        .chain(prev)
        .filter(|entry| entry.year < current.year)
        .collect();
    timeline.sort_by_key(|entry| entry.year);
    timeline.dedup_by_key(|entry| entry.year);
    timeline.push(current);

    // The last year the household went from poor to not poor, and from the lists to off
    // them, looking at consecutive known periods.
    let mut escaped_poverty_in = None;
    let mut left_lists_in = None;
    for pair in timeline.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        if before.status == Status::Poor && after.status != Status::Poor {
            escaped_poverty_in = Some(after.year);
        }
        if before.status.is_on_lists() && !after.status.is_on_lists() {
            left_lists_in = Some(after.year);
        }
    }
    let within = |year: Option<i32>, window: u16| {
        year.is_some_and(|year| year < current.year && current.year - year <= i32::from(window))
    };
    let escaped_before_now = escaped_poverty_in.filter(|year| *year < current.year);

    let previous = prev.map(|entry| entry.status);
    let kind = match (previous, current.status) {
        (Some(Status::Poor), Status::Poor) => TransitionKind::Unchanged,
        (Some(Status::NearPoor), Status::NearPoor) => TransitionKind::Unchanged,
        (Some(Status::Poor), Status::NearPoor) => TransitionKind::PoorToNearPoor,
        (Some(Status::Poor), _) => TransitionKind::EscapedPoverty,
        (Some(Status::NearPoor), Status::Medium | Status::NotPoor) => {
            TransitionKind::EscapedNearPoverty
        }
        (_, Status::Poor) if within(escaped_before_now, windows.fell_back_years) => {
            TransitionKind::FellBack
        }
        (Some(Status::NearPoor), Status::Poor) => TransitionKind::NearPoorToPoor,
        (_, Status::Poor) => TransitionKind::NewlyPoor,
        (_, Status::NearPoor) => TransitionKind::NewNearPoor,
        (_, Status::Medium | Status::NotPoor) => TransitionKind::Unchanged,
    };
    let recently_escaped = !current.status.is_on_lists()
        && left_lists_in
            .is_some_and(|year| current.year - year <= i32::from(windows.recently_escaped_years));
    Transition {
        kind,
        recently_escaped,
        left_lists_in,
    }
}
