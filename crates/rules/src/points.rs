//! Form B1 item scoring: a region's point table, loaded as data, turns the item answers
//! of phiếu B phần B1 into score A.
//!
//! The official tables differ by region and are still to confirm, so none is embedded.
//! Without a table the product takes score A as entered from the paper form; with one
//! loaded by an administrator, it computes score A from the answers and can show where
//! the entered total differs.

use crate::standard::{StandardError, line_and_column};
use giamngheo_domain::Area;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use toml::Spanned;

/// A region's B1 point table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointTable {
    /// e.g. "b1-2022-vung-trung-du-mien-nui-phia-bac".
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    /// The standard whose score-A threshold the total is compared with.
    pub standard: String,
    /// The area the table is for, when it is specific to one.
    pub area: Option<Area>,
    pub source: Option<String>,
    pub to_confirm: bool,
    /// Points every household starts with (the region's constant).
    pub base: u32,
    pub items: Vec<PointItem>,
}

/// One B1 item and how its answer scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointItem {
    pub code: String,
    pub name_vi: String,
    pub name_en: Option<String>,
    pub scoring: Scoring,
}

/// An item scores either by a chosen answer code or by a count falling in a band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// `choices = { yes = 10, no = 0 }`.
    Choices(BTreeMap<String, u32>),
    /// `bands = [{ up_to = 1, points = 40 }, { up_to = 3, points = 20 }, { points = 0 }]`:
    /// the first band whose `up_to` is at least the answer; the last may be open.
    Bands(Vec<Band>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub up_to: Option<u64>,
    pub points: u32,
}

/// An answer to a B1 item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer<'a> {
    Choice(&'a str),
    Count(u64),
}

/// Why item answers cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointError {
    #[error("mục B1 «{0}» không có trong bảng điểm (unknown B1 item)")]
    UnknownItem(String),
    #[error("mục B1 «{0}» được trả lời hai lần (item answered twice)")]
    AnsweredTwice(String),
    #[error("thiếu câu trả lời cho mục B1 «{0}» (no answer for the item)")]
    Missing(String),
    #[error("câu trả lời «{answer}» không hợp lệ cho mục B1 «{item}» (invalid answer)")]
    InvalidAnswer { item: String, answer: String },
}

impl PointTable {
    /// Reads and checks a point table from TOML text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<PointTable, StandardError> {
        let invalid = |span: std::ops::Range<usize>, reason: String| {
            let (line, column) = line_and_column(text, span.start);
            StandardError::Invalid {
                file: file.to_string(),
                line,
                column,
                reason,
            }
        };
        let raw: RawTable = toml::from_str(text).map_err(|error| {
            invalid(
                error.span().unwrap_or(0..0),
                error.message().trim_end().to_string(),
            )
        })?;
        let mut items: Vec<PointItem> = Vec::with_capacity(raw.items.len());
        for spanned in raw.items {
            let span = spanned.span();
            let item = spanned.into_inner();
            let code = item.code;
            if items.iter().any(|known| known.code == code) {
                return Err(invalid(
                    span,
                    format!("mục B1 «{code}» bị lặp (duplicate item code)"),
                ));
            }
            let scoring = match (item.choices, item.bands) {
                (Some(choices), None) if !choices.is_empty() => Scoring::Choices(choices),
                (None, Some(bands)) if bands_are_ordered(&bands) => Scoring::Bands(bands),
                _ => {
                    return Err(invalid(
                        span,
                        format!(
                            "mục B1 «{code}» cần đúng một trong choices hoặc bands; choices không rỗng; bands tăng dần và chỉ khoảng cuối được để mở (an item needs either non-empty choices or rising bands, only the last open)"
                        ),
                    ));
                }
            };
            items.push(PointItem {
                code,
                name_vi: item.name_vi,
                name_en: item.name_en,
                scoring,
            });
        }
        Ok(PointTable {
            id: raw.id,
            name_vi: raw.name_vi,
            name_en: raw.name_en,
            standard: raw.standard,
            area: raw.area,
            source: raw.source,
            to_confirm: raw.to_confirm,
            base: raw.base,
            items,
        })
    }

    /// Score A from the answers: the base plus each item's points. Every item must be
    /// answered once.
    pub fn score<'a>(
        &self,
        answers: impl IntoIterator<Item = (&'a str, Answer<'a>)>,
    ) -> Result<u32, PointError> {
        let mut answered = vec![false; self.items.len()];
        let mut total = self.base;
        for (code, answer) in answers {
            let index = self
                .items
                .iter()
                .position(|item| item.code == code)
                .ok_or_else(|| PointError::UnknownItem(code.to_string()))?;
            if std::mem::replace(&mut answered[index], true) {
                return Err(PointError::AnsweredTwice(code.to_string()));
            }
            total = total.saturating_add(self.items[index].points(answer)?);
        }
        if let Some(index) = answered.iter().position(|done| !done) {
            return Err(PointError::Missing(self.items[index].code.clone()));
        }
        Ok(total)
    }
}

/// Score A as the classification should use it, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResolvedScoreA {
    pub score: Option<u32>,
    /// Computed from the item answers with a loaded point table.
    pub computed: bool,
    /// The total entered from the paper form, when it differs from the computed one: a
    /// point for the reviewer to check.
    pub entered_differs: Option<u32>,
}

/// Score A for one household: computed from the B1 answers when an administrator has
/// loaded a point table and the answers were recorded; otherwise the total as entered
/// from the paper form (standards.md: the official tables are still to confirm).
pub fn resolve_score_a<'a>(
    table: Option<&PointTable>,
    entered: Option<u32>,
    answers: &[(&'a str, Answer<'a>)],
) -> Result<ResolvedScoreA, PointError> {
    match table {
        Some(table) if !answers.is_empty() => {
            let computed = table.score(answers.iter().copied())?;
            Ok(ResolvedScoreA {
                score: Some(computed),
                computed: true,
                entered_differs: entered.filter(|entered| *entered != computed),
            })
        }
        _ => Ok(ResolvedScoreA {
            score: entered,
            computed: false,
            entered_differs: None,
        }),
    }
}

impl PointItem {
    fn points(&self, answer: Answer<'_>) -> Result<u32, PointError> {
        let invalid = || PointError::InvalidAnswer {
            item: self.code.clone(),
            answer: match answer {
                Answer::Choice(choice) => choice.to_string(),
                Answer::Count(count) => count.to_string(),
            },
        };
        match (&self.scoring, answer) {
            (Scoring::Choices(choices), Answer::Choice(choice)) => {
                choices.get(choice).copied().ok_or_else(invalid)
            }
            (Scoring::Bands(bands), Answer::Count(count)) => bands
                .iter()
                .find(|band| band.up_to.is_none_or(|up_to| count <= up_to))
                .map(|band| band.points)
                .ok_or_else(invalid),
            _ => Err(invalid()),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    id: String,
    name_vi: String,
    name_en: String,
    standard: String,
    area: Option<Area>,
    source: Option<String>,
    #[serde(default)]
    to_confirm: bool,
    #[serde(default)]
    base: u32,
    items: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: String,
    name_vi: String,
    name_en: Option<String>,
    choices: Option<BTreeMap<String, u32>>,
    bands: Option<Vec<Band>>,
}

/// Bands must rise, and only the last may be open-ended.
fn bands_are_ordered(bands: &[Band]) -> bool {
    !bands.is_empty()
        && bands
            .windows(2)
            .all(|pair| match (pair[0].up_to, pair[1].up_to) {
                (Some(lower), Some(upper)) => lower < upper,
                (Some(_), None) => true,
                (None, _) => false,
            })
}
