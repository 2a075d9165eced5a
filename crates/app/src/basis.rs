//! Which units a report's figures are placed on (issue 12, "reports across the reform").
//!
//! `as_was` keeps each figure where it was made: a 2024 report of Huyện Hương Khê shows
//! the district and its communes of 2024, the same before and after the 2025 reform.
//! `current` places the figures of every period on today's units, through the villages
//! (which the reform moved under their new communes), so that a commune made in 2025 has
//! the years of the communes it absorbed and its movement table adds up.

use crate::reports::{column_of, tier_of};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_store::{ReportScope, UnitRecord};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::sync::Arc;

/// The units a report's figures are placed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The units as they stood on the report's date.
    AsWas,
    /// Today's units, earlier periods re-based onto them.
    #[default]
    Current,
}

impl Basis {
    pub const ALL: [Basis; 2] = [Basis::Current, Basis::AsWas];

    /// The name in URLs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::AsWas => "as_was",
            Basis::Current => "current",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Basis::Current => "Theo đơn vị hành chính hiện nay",
            Basis::AsWas => "Theo đơn vị hành chính tại thời điểm báo cáo",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Basis::Current => "On today's administrative units",
            Basis::AsWas => "On the units as they stood at the report's date",
        }
    }

    /// The report's note saying which units its figures are on, `day` the day its units
    /// were taken on.
    pub fn note(self, day: NaiveDate) -> String {
        match self {
            Basis::Current => format!(
                "Số liệu theo đơn vị hành chính hiện nay (ngày {}); số liệu các năm trước \
                 được tính theo thôn, tổ dân phố về đơn vị hiện nay.",
                day.format("%d/%m/%Y")
            ),
            Basis::AsWas => format!(
                "Số liệu theo đơn vị hành chính tại thời điểm báo cáo (ngày {}).",
                day.format("%d/%m/%Y")
            ),
        }
    }
}

impl FromStr for Basis {
    type Err = AppError;

    /// Accepts the names in URLs and on the command line.
    fn from_str(s: &str) -> Result<Basis, AppError> {
        Basis::ALL
            .into_iter()
            .find(|b| b.as_str() == s.trim())
            .ok_or_else(|| {
                AppError::invalid(
                    "basis",
                    format!(
                        "cách tính theo đơn vị «{}» không rõ: chọn current (đơn vị hiện nay) \
                         hoặc as_was (đơn vị tại thời điểm báo cáo)",
                        s.trim()
                    ),
                )
            })
    }
}

/// A report's unit placed on its basis: the unit's version, the day its rows are taken
/// on, and the basis used.
#[derive(Debug, Clone)]
pub struct BasedUnit {
    pub unit: UnitRecord,
    pub day: NaiveDate,
    pub basis: Basis,
}

/// The scopes a report reads with: the classifications', and the registry's (which
/// holds today's units only, so it goes by village even when the report is as it was).
#[derive(Debug, Clone)]
pub struct BasedScope {
    pub figures: ReportScope,
    pub registry: ReportScope,
    /// The units of the report's rows, in official code order.
    pub rows: Vec<UnitRecord>,
}

impl App {
    /// The unit a report of `code` for `period` is on. `current` takes the unit valid
    /// today (a unit closed by a reform is a clear error naming its successors); `as_was`
    /// the unit valid on the report's day. Without a basis, `current`, except that a
    /// unit closed since is reported as it was (`unit=444&year=2021` is the old
    /// district), since it has no units today to re-base onto.
    pub async fn based_unit(
        &self,
        code: &str,
        period: i32,
        as_of: Option<NaiveDate>,
        basis: Option<Basis>,
    ) -> Result<BasedUnit, AppError> {
        let today = self.clock().today();
        let day = self.report_unit_day(period, as_of);
        let as_was = || async {
            match self.resolve_unit(code, Some(day)).await {
                Ok(unit) => Ok(BasedUnit {
                    unit,
                    day,
                    basis: Basis::AsWas,
                }),
                // A unit closed during the period's year (Huyện Hương Khê on 30/06/2025)
                // made that year's lists: its report of the year is taken on its last day.
                Err(gone @ AppError::Gone(_)) => {
                    let year_start = NaiveDate::from_ymd_opt(period, 1, 1).unwrap_or(day);
                    let versions = self.store().unit_versions(code).await?;
                    let last = versions.into_iter().rev().find(|v| {
                        v.valid_from <= day && v.valid_to.is_some_and(|to| to >= year_start)
                    });
                    match last {
                        Some(unit) => Ok(BasedUnit {
                            day: unit.valid_to.unwrap_or(day),
                            unit,
                            basis: Basis::AsWas,
                        }),
                        None => Err(gone),
                    }
                }
                Err(e) => Err(e),
            }
        };
        match basis {
            Some(Basis::AsWas) => as_was().await,
            Some(Basis::Current) => Ok(BasedUnit {
                unit: self.resolve_unit(code, Some(today)).await?,
                day: today,
                basis: Basis::Current,
            }),
            None => match self.resolve_unit(code, Some(today)).await {
                Ok(unit) => Ok(BasedUnit {
                    unit,
                    day: today,
                    basis: Basis::Current,
                }),
                Err(gone @ AppError::Gone(_)) => as_was().await.map_err(|_| gone),
                Err(e) => Err(e),
            },
        }
    }

    /// The scopes and rows of a report on its basis.
    pub async fn based_scope(&self, based: &BasedUnit) -> Result<BasedScope, AppError> {
        let (scope, rows) = self.report_scope(&based.unit, based.day).await?;
        let rebased = self.rebased(&scope, &based.unit, based.day).await?;
        let figures = match based.basis {
            Basis::Current => rebased.clone(),
            Basis::AsWas => scope,
        };
        Ok(BasedScope {
            figures,
            registry: rebased,
            rows,
        })
    }

    /// `scope` with its rows placed by village on the units of `day`.
    pub(crate) async fn rebased(
        &self,
        scope: &ReportScope,
        unit: &UnitRecord,
        day: NaiveDate,
    ) -> Result<ReportScope, AppError> {
        let rebase = self
            .store()
            .rebase_on(
                scope.scope_column,
                &scope.scope_code,
                &unit.province_code,
                scope.group_column,
                day,
            )
            .await?;
        Ok(ReportScope {
            rebase: Some(Arc::new(rebase)),
            ..scope.clone()
        })
    }

    /// The scope of a unit's communes on a basis, for the communes that have a period:
    /// re-based (a new commune has the years of those it absorbed) or as stored.
    pub(crate) async fn commune_scope(
        &self,
        unit: &UnitRecord,
        day: NaiveDate,
        basis: Basis,
    ) -> Result<ReportScope, AppError> {
        let scope = ReportScope::as_stored(column_of(tier_of(unit)), &unit.code, "commune_code");
        match basis {
            Basis::AsWas => Ok(scope),
            Basis::Current => self.rebased(&scope, unit, day).await,
        }
    }

    /// The communes of a unit on a basis: today's for `current`, those under the unit
    /// on the report's day for `as_was`, in official code order.
    pub(crate) async fn communes_on(
        &self,
        unit: &UnitRecord,
        day: NaiveDate,
        basis: Basis,
    ) -> Result<Vec<UnitRecord>, AppError> {
        let on = (basis == Basis::AsWas).then_some(day);
        self.communes_below(unit, on).await
    }
}
