//! A figure of a standard with the note of where it comes from.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// One number of a standard (a line, a threshold, a count) with its legal source.
///
/// In a standard file a figure is written either as a plain integer, or as
/// `{ value = 1_500_000, source = "…", to_confirm = true }`. The embedded standards always
/// use the second form, so that the UI can show where each figure comes from and warn when
/// its exact legal wording has not been confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub value: u64,
    pub source: Option<String>,
    pub to_confirm: bool,
}

impl Figure {
    /// A figure without a source note, as a local standard may write it.
    pub fn plain(value: u64) -> Self {
        Figure {
            value,
            source: None,
            to_confirm: false,
        }
    }
}

impl<'de> Deserialize<'de> for Figure {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FigureVisitor)
    }
}

struct FigureVisitor;

impl<'de> Visitor<'de> for FigureVisitor {
    type Value = Figure;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer, or a table { value = …, source = \"…\", to_confirm = true|false }")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Figure, E> {
        Ok(Figure::plain(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Figure, E> {
        u64::try_from(value)
            .map(Figure::plain)
            .map_err(|_| E::custom(format!("{value} is negative; a figure must be ≥ 0")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Figure, A::Error> {
        let mut value: Option<i64> = None;
        let mut source: Option<String> = None;
        let mut to_confirm = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "value" => value = Some(map.next_value()?),
                "source" => source = Some(map.next_value()?),
                "to_confirm" => to_confirm = map.next_value()?,
                other => {
                    return Err(de::Error::unknown_field(
                        other,
                        &["value", "source", "to_confirm"],
                    ));
                }
            }
        }
        let value = value.ok_or_else(|| de::Error::missing_field("value"))?;
        let value = u64::try_from(value)
            .map_err(|_| de::Error::custom(format!("{value} is negative; a figure must be ≥ 0")))?;
        Ok(Figure {
            value,
            source,
            to_confirm,
        })
    }
}
