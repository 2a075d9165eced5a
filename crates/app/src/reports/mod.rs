//! Official reports: each defined once as data (`crates/app/reports/*.toml`: headings,
//! figures, formulas, the movement check) and computed here for any unit, period and
//! "as of" date; the web pages, the API, the CLI, the workbook and the print page all
//! render the same [`Report`].
//!
//! Figures come from the store as named facts per unit (`poor.households`,
//! `near_poor.deprived.water`, `move.poor.5`, …); a column is a fact or a formula over
//! facts and other columns. Every fact has a matching household predicate, so every
//! figure drills down to the households behind it.

mod catalog;
mod compute;
mod expr;
mod model;
mod movement;
#[cfg(test)]
mod tests;

pub use catalog::*;
use expr::*;
pub use model::*;
pub use movement::*;

use crate::access::{Action, Actor};
use crate::basis::{BasedScope, Basis};
use crate::{App, AppError};
use chrono::{Datelike, NaiveDate};
use giamngheo_domain::Tier;
use giamngheo_domain::household::ETHNICITIES;
use giamngheo_sheets::reports::{NumberKind, SheetColumn, SheetReport, SheetRow};
use giamngheo_store::{HouseholdStatusRow, MovementGroup, ReportScope, UnitRecord};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;
