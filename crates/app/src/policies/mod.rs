//! Support policies (issue 14): the catalogue, who may record which policy, benefit
//! records and coverage.
//!
//! - `access`: an agency officer records only the policies of their agency's kind, within
//!   their unit; another agency's policy is "not found", as an area outside theirs is.
//! - `benefits`: record, correct (a new row superseding the old, which is voided) and list
//!   a household's benefits; never deleted, always audited.
//! - `coverage`: eligible, covered and not covered per policy and unit on a date;
//!   `coverage_spans`: the same figures kept up to date per household and date span.
//! - `imports` and `lists`: agencies' lists (cards, loans, exemptions) with their match
//!   queue; `findings`: the abuse checks on the benefits.
//! - `report`: the coverage facts of the report family `bao-phu-chinh-sach`.

mod access;
pub mod agencies;
pub mod benefits;
pub mod cards;
pub mod coverage;
pub mod coverage_spans;
pub mod findings;
pub mod imports;
pub mod lists;
pub mod report;

use crate::{App, AppError};
use giamngheo_rules::{Policy, PolicyCatalogue};

impl App {
    /// The policy catalogue in use: the embedded one, or with the administrator's folder
    /// laid over it (`--policies-dir`).
    pub fn policies(&self) -> &PolicyCatalogue {
        &self.config().policies
    }

    /// One policy by code; an unknown code is not found.
    pub fn policy(&self, code: &str) -> Result<&Policy, AppError> {
        self.policies()
            .get(code)
            .ok_or_else(|| AppError::NotFound(format!("chính sách «{code}»")))
    }
}
