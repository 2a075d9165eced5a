//! Classifying one household under a standard, with the reasons for its status.

use crate::money::{Lang, write_grouped};
use crate::standard::{Indicator, Standard, area_index};
use crate::status::Status;
use giamngheo_domain::Area;
use serde::{Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// The indicators ticked as deprived, as a bitmask: bit `i` is the standard's `i`-th
/// indicator. A standard has at most 16 indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IndicatorSet(u16);

impl IndicatorSet {
    pub const EMPTY: IndicatorSet = IndicatorSet(0);

    pub fn from_bits(bits: u16) -> Self {
        IndicatorSet(bits)
    }

    pub fn bits(self) -> u16 {
        self.0
    }

    pub fn insert(&mut self, index: usize) {
        self.0 |= 1 << index;
    }

    pub fn contains(self, index: usize) -> bool {
        index < 16 && self.0 & (1 << index) != 0
    }

    /// The number of deprived indicators, `D` in standards.md.
    pub fn len(self) -> u8 {
        self.0.count_ones() as u8
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The indexes in the set, lowest first.
    pub fn indexes(self) -> impl Iterator<Item = usize> {
        (0..16).filter(move |&index| self.contains(index))
    }
}

/// What decides the income test: measured income, or the form-B1 income proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Evidence {
    /// Income per person per month, in đồng.
    Income(u64),
    /// Score A of form B1 (phiếu B, phần B1). When it is known it alone decides the
    /// income test, and `medium` cannot be given.
    ScoreA(u32),
}

/// What the classification needs to know about one household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HouseholdInput {
    pub area: Area,
    pub evidence: Evidence,
    /// The deprivation ticks, in the standard's indicator order.
    pub deprived: IndicatorSet,
}

/// Why a household cannot be classified under a standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClassifyError {
    #[error(
        "chuẩn này không có ngưỡng điểm A, cần thu nhập bình quân (this standard has no score-A threshold: give the income)"
    )]
    ScoreANotUsed,
    #[error(
        "dấu thiếu hụt ngoài danh sách chỉ số của chuẩn (a deprivation tick outside the standard's indicators)"
    )]
    UnknownIndicator,
}

/// Where an income falls against the lines of a standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "band")]
pub enum IncomePosition {
    /// `I ≤ poor line`.
    AtOrBelowPoorLine { poor_line: u64 },
    /// `poor line < I ≤ near-poor line` (two-line standards only).
    BetweenLines { poor_line: u64, near_poor_line: u64 },
    /// `near-poor line < I ≤ upper end of the medium band`.
    MediumBand { line: u64, up_to: u64 },
    /// Above the medium band.
    AboveMediumBand { up_to: u64 },
    /// Above the line of a standard that has no medium band.
    AboveLine { line: u64 },
}

/// The outcome of the rules for one household, without any allocation: what the batch
/// and the CSV command use. [`Decision::reasons`] spells it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub status: Status,
    pub deprivation_count: u8,
    pub score_b: u16,
    area: Area,
    test: Test,
    /// Whether the deprivation count took part in the decision (it does not when the
    /// income alone settles the status).
    deprivations_decided: bool,
    deprived: IndicatorSet,
    min_deprivations: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Test {
    Income {
        income: u64,
        position: IncomePosition,
    },
    ScoreA {
        score: u32,
        threshold: u32,
    },
}

/// Applies the rules of standards.md. Kept small and free of allocation because the
/// national batch runs it 27 million times; everything else is derived from its result.
#[inline]
pub(crate) fn decide(
    standard: &Standard,
    area: Area,
    evidence: Evidence,
    deprived: IndicatorSet,
) -> Result<Decision, ClassifyError> {
    let rules = &standard.compiled;
    if deprived.bits() & !rules.valid_mask != 0 {
        return Err(ClassifyError::UnknownIndicator);
    }
    let lines = &rules.areas[area_index(area)];
    let count = deprived.len();
    let enough = count >= rules.min_deprivations;
    let poor_or_near = if enough {
        Status::Poor
    } else {
        Status::NearPoor
    };
    let (status, test, deprivations_decided) = match evidence {
        Evidence::ScoreA(score) => {
            let threshold = lines
                .score_a_threshold
                .ok_or(ClassifyError::ScoreANotUsed)?;
            let test = Test::ScoreA { score, threshold };
            if score <= threshold {
                (poor_or_near, test, true)
            } else {
                (Status::NotPoor, test, false)
            }
        }
        Evidence::Income(income) => {
            let (status, position, decided) = if income <= lines.poor_line {
                let position = IncomePosition::AtOrBelowPoorLine {
                    poor_line: lines.poor_line,
                };
                if rules.either_or {
                    (Status::Poor, position, false)
                } else {
                    (poor_or_near, position, true)
                }
            } else if income <= lines.near_poor_line {
                let position = IncomePosition::BetweenLines {
                    poor_line: lines.poor_line,
                    near_poor_line: lines.near_poor_line,
                };
                (poor_or_near, position, true)
            } else if income <= lines.medium_up_to {
                let position = IncomePosition::MediumBand {
                    line: lines.near_poor_line,
                    up_to: lines.medium_up_to,
                };
                (Status::Medium, position, false)
            } else if lines.medium_up_to > lines.near_poor_line {
                let position = IncomePosition::AboveMediumBand {
                    up_to: lines.medium_up_to,
                };
                (Status::NotPoor, position, false)
            } else {
                let position = IncomePosition::AboveLine {
                    line: lines.near_poor_line,
                };
                (Status::NotPoor, position, false)
            };
            (status, Test::Income { income, position }, decided)
        }
    };
    Ok(Decision {
        status,
        deprivation_count: count,
        score_b: u16::from(count) * rules.points_per_indicator,
        area,
        test,
        deprivations_decided,
        deprived,
        min_deprivations: rules.min_deprivations,
    })
}

impl Standard {
    /// Classifies one household without spelling out the reasons. The reasons can be had
    /// later from [`Decision::reasons`], without allocating.
    pub fn decide(&self, input: &HouseholdInput) -> Result<Decision, ClassifyError> {
        decide(self, input.area, input.evidence, input.deprived)
    }
}

/// A household's status under a standard, with the reasons for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    pub status: Status,
    pub deprivation_count: u8,
    pub score_b: u16,
    pub reasons: Vec<Reason>,
}

impl Classification {
    /// The reasons as one line, separated by "; ", in `lang`.
    pub fn reasons_text(&self, lang: Lang) -> String {
        let mut text = String::new();
        for (at, reason) in self.reasons.iter().enumerate() {
            if at > 0 {
                text.push_str("; ");
            }
            // Writing into a String cannot fail.
            let _ = reason.write(&mut text, lang);
        }
        text
    }
}

/// Classifies one household under `standard`: the status, the deprivation count, score B
/// and the reasons (which rule decided, which indicators are deprived).
pub fn classify(
    standard: &Standard,
    input: &HouseholdInput,
) -> Result<Classification, ClassifyError> {
    let decision = standard.decide(input)?;
    Ok(Classification {
        status: decision.status,
        deprivation_count: decision.deprivation_count,
        score_b: decision.score_b,
        reasons: decision.reasons(standard).collect(),
    })
}

/// One reason for a status, in a form that can be stored and rendered in Vietnamese or
/// English.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// The income test: where the income falls against the lines.
    Income {
        area: Area,
        income: u64,
        position: IncomePosition,
    },
    /// The score-A test of form B1.
    ScoreA {
        area: Area,
        score: u32,
        threshold: u32,
    },
    /// The deprivation count, when it took part in the decision.
    Deprivations {
        count: u8,
        minimum: u8,
        score_b: u16,
    },
    /// Which indicators are deprived (given whenever any is).
    Deprived(DeprivedIndicators),
}

/// The deprived indicators of a household, sharing the standard's indicator list.
#[derive(Debug, Clone, PartialEq)]
pub struct DeprivedIndicators {
    set: IndicatorSet,
    indicators: Arc<[Indicator]>,
}

impl DeprivedIndicators {
    pub fn iter(&self) -> impl Iterator<Item = &Indicator> {
        self.set.indexes().map(|index| &self.indicators[index])
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|indicator| indicator.code.as_str())
    }
}

impl Serialize for DeprivedIndicators {
    /// Stored as the list of indicator codes, which is what stays meaningful when the
    /// standard's texts are later corrected.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.codes())
    }
}

impl Decision {
    /// The reasons, in the order an official reads them: the income (or score-A) test,
    /// then the deprivation count when it decided, then the deprived indicators.
    pub fn reasons(&self, standard: &Standard) -> impl Iterator<Item = Reason> + use<> {
        let first = match self.test {
            Test::Income { income, position } => Reason::Income {
                area: self.area,
                income,
                position,
            },
            Test::ScoreA { score, threshold } => Reason::ScoreA {
                area: self.area,
                score,
                threshold,
            },
        };
        let count = self.deprivations_decided.then_some(Reason::Deprivations {
            count: self.deprivation_count,
            minimum: self.min_deprivations,
            score_b: self.score_b,
        });
        let deprived = (!self.deprived.is_empty()).then(|| {
            Reason::Deprived(DeprivedIndicators {
                set: self.deprived,
                indicators: Arc::clone(standard.indicators_shared()),
            })
        });
        std::iter::once(first).chain(count).chain(deprived)
    }

    /// Writes the reasons as one line, separated by "; ", without allocating.
    pub fn write_reasons(
        &self,
        standard: &Standard,
        out: &mut dyn fmt::Write,
        lang: Lang,
    ) -> fmt::Result {
        for (at, reason) in self.reasons(standard).enumerate() {
            if at > 0 {
                out.write_str("; ")?;
            }
            reason.write(out, lang)?;
        }
        Ok(())
    }
}

/// The words of the reasons in one language, so that both languages share one layout.
struct Words {
    income: &'static str,
    per_month: &'static str,
    unit: &'static str,
    poor_line: &'static str,
    near_poor_line: &'static str,
    line: &'static str,
    and: &'static str,
    medium: &'static str,
    above_medium: &'static str,
    score_a: &'static str,
    threshold: &'static str,
    deprived: &'static str,
    rural: &'static str,
    urban: &'static str,
}

const VI: Words = Words {
    income: "Thu nhập bình quân ",
    per_month: " đồng/người/tháng",
    unit: " đồng",
    poor_line: "chuẩn nghèo ",
    near_poor_line: "chuẩn cận nghèo ",
    line: "chuẩn ",
    and: " và",
    medium: ": mức sống trung bình",
    above_medium: "mức sống trung bình ",
    score_a: "Điểm A (B1) = ",
    threshold: "ngưỡng ",
    deprived: "Chỉ số thiếu hụt: ",
    rural: "nông thôn",
    urban: "thành thị",
};

const EN: Words = Words {
    income: "Income ",
    per_month: " VND per person per month",
    unit: " VND",
    poor_line: "poor line ",
    near_poor_line: "near-poor line ",
    line: "line ",
    and: " and",
    medium: ": medium living standard",
    above_medium: "medium-living band ",
    score_a: "Score A (B1) = ",
    threshold: "threshold ",
    deprived: "Deprived: ",
    rural: "rural",
    urban: "urban",
};

impl Words {
    fn of(lang: Lang) -> &'static Words {
        match lang {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    fn area(&self, area: Area) -> &'static str {
        match area {
            Area::Rural => self.rural,
            Area::Urban => self.urban,
        }
    }
}

impl Reason {
    pub fn text_vi(&self) -> String {
        self.text(Lang::Vi)
    }

    pub fn text_en(&self) -> String {
        self.text(Lang::En)
    }

    pub fn text(&self, lang: Lang) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = self.write(&mut text, lang);
        text
    }

    /// Writes the reason as a sentence fragment in `lang`, amounts grouped the way the
    /// language does (1.500.000 in Vietnamese).
    pub fn write(&self, out: &mut dyn fmt::Write, lang: Lang) -> fmt::Result {
        let words = Words::of(lang);
        // "≤ poor line 1.500.000", "> line 2.000.000", …
        let compare = |out: &mut dyn fmt::Write, relation: &str, what: &str, value: u64| {
            write!(out, " {relation} {what}")?;
            write_grouped(out, value, lang)
        };
        match self {
            Reason::Income {
                area,
                income,
                position,
            } => {
                out.write_str(words.income)?;
                write_grouped(out, *income, lang)?;
                out.write_str(words.per_month)?;
                match *position {
                    IncomePosition::AtOrBelowPoorLine { poor_line } => {
                        compare(out, "≤", words.poor_line, poor_line)?;
                        out.write_str(words.unit)?;
                    }
                    IncomePosition::BetweenLines {
                        poor_line,
                        near_poor_line,
                    } => {
                        compare(out, ">", words.poor_line, poor_line)?;
                        out.write_str(words.and)?;
                        compare(out, "≤", words.near_poor_line, near_poor_line)?;
                        out.write_str(words.unit)?;
                    }
                    IncomePosition::MediumBand { line, up_to } => {
                        compare(out, ">", words.line, line)?;
                        out.write_str(words.and)?;
                        compare(out, "≤", "", up_to)?;
                        out.write_str(words.unit)?;
                        out.write_str(words.medium)?;
                    }
                    IncomePosition::AboveMediumBand { up_to } => {
                        compare(out, ">", words.above_medium, up_to)?;
                        out.write_str(words.unit)?;
                    }
                    IncomePosition::AboveLine { line } => {
                        compare(out, ">", words.line, line)?;
                        out.write_str(words.unit)?;
                    }
                }
                write!(out, " ({})", words.area(*area))
            }
            Reason::ScoreA {
                area,
                score,
                threshold,
            } => {
                let relation = if score <= threshold { "≤" } else { ">" };
                write!(
                    out,
                    "{}{score} {relation} {}{threshold} ({})",
                    words.score_a,
                    words.threshold,
                    words.area(*area)
                )
            }
            Reason::Deprivations {
                count,
                minimum,
                score_b,
            } => {
                let relation = if count >= minimum { "≥" } else { "<" };
                match lang {
                    Lang::Vi => write!(
                        out,
                        "Thiếu hụt {count} chỉ số (điểm B = {score_b}) {relation} {minimum} chỉ số"
                    ),
                    Lang::En => {
                        let plural = if *count == 1 { "" } else { "s" };
                        write!(
                            out,
                            "{count} deprivation{plural} (score B = {score_b}) {relation} {minimum}"
                        )
                    }
                }
            }
            Reason::Deprived(deprived) => {
                out.write_str(words.deprived)?;
                for (at, indicator) in deprived.iter().enumerate() {
                    if at > 0 {
                        out.write_str(", ")?;
                    }
                    out.write_str(match lang {
                        Lang::Vi => &indicator.name_vi,
                        Lang::En => &indicator.name_en,
                    })?;
                }
                Ok(())
            }
        }
    }
}
