//! Plan targets (chỉ tiêu) per unit and year, and the progress against each.
//!
//! A target is data an officer corrects (the seed plan's 2021 targets for Hương Khê are
//! in the migration); each change is audited. Progress is measured only where the
//! product holds the data behind it; elsewhere the answer is "chưa có dữ liệu" with the
//! reason, never a guessed figure.
//!
//! How each indicator is measured, for target year `Y`, as of `D` = today, or 31/12/Y
//! for a past year:
//! - `poverty_rate_reduction` (points): the poor-household rate at the start of the
//!   year (classifications of period `Y − 1`, or the latest period before it) minus the
//!   rate of period `Y`, both as of `D`. The rate is poor households over the active
//!   households of the registry, as the official review-results report computes it;
//!   the registry keeps no history of its size, so both rates use today's count.
//! - `health_insurance_poor` / `health_insurance_near_poor` (percent): members of the
//!   poor (near-poor) households of period `Y` holding a card valid on `D`, over all
//!   their members. When no card at all is recorded for them, the cards have not been
//!   entered yet, and 0 % would be invented: no data.
//! - `clean_water_poor` / `information_access_poor` (percent): poor households of
//!   period `Y` not deprived in the water (information means) indicator of their
//!   review, over all poor households; household shares, since deprivations are
//!   recorded per household.
//! - `preferential_loan`, `patient_support`, `tuition_support`: no policy records exist
//!   yet, so no data.
//!
//! Status: met when the measured value reaches the target (its lower end for a range);
//! otherwise, while the year runs, on track when the value is at least the elapsed share
//! of the year times the target (a 1-point reduction is on track at 0,5 points by the
//! end of June); behind otherwise. A year that is over can no longer catch up, so a
//! target it did not reach is missed ("Không đạt"), not behind ("Chậm").

use crate::access::{Actor, Role};
use crate::households::FieldChange;
use crate::reports::{column_of, tier_of};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_store::{AuditEntry, ReportScope, TargetInput, TargetRecord};
use serde::Serialize;

/// An indicator the product knows how to name and, where it can, measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indicator {
    pub code: &'static str,
    pub label_vi: &'static str,
    pub label_en: &'static str,
    /// `points` or `percent`.
    pub measure_unit: &'static str,
}

/// The indicators of the seed plan, in the order the page lists them.
pub const INDICATORS: [Indicator; 8] = [
    Indicator {
        code: "poverty_rate_reduction",
        label_vi: "Giảm tỷ lệ hộ nghèo",
        label_en: "Reduction of the poor-household rate",
        measure_unit: "points",
    },
    Indicator {
        code: "health_insurance_poor",
        label_vi: "Người nghèo có thẻ BHYT",
        label_en: "Poor people holding a health-insurance card",
        measure_unit: "percent",
    },
    Indicator {
        code: "health_insurance_near_poor",
        label_vi: "Người cận nghèo có thẻ BHYT",
        label_en: "Near-poor people holding a health-insurance card",
        measure_unit: "percent",
    },
    Indicator {
        code: "preferential_loan",
        label_vi: "Hộ đủ điều kiện, có nhu cầu được vay vốn ưu đãi",
        label_en: "Eligible households in need given a preferential loan",
        measure_unit: "percent",
    },
    Indicator {
        code: "patient_support",
        label_vi: "Bệnh nhân nghèo được hỗ trợ tiền ăn, chi phí",
        label_en: "Poor patients given meal and cost support",
        measure_unit: "percent",
    },
    Indicator {
        code: "tuition_support",
        label_vi: "Học sinh hộ nghèo được miễn, giảm học phí",
        label_en: "Pupils of poor households given tuition support",
        measure_unit: "percent",
    },
    Indicator {
        code: "information_access_poor",
        label_vi: "Hộ nghèo có phương tiện tiếp cận thông tin",
        label_en: "Poor households with means of access to information",
        measure_unit: "percent",
    },
    Indicator {
        code: "clean_water_poor",
        label_vi: "Hộ nghèo có nước sinh hoạt hợp vệ sinh",
        label_en: "Poor households with hygienic water",
        measure_unit: "percent",
    },
];

pub fn indicator(code: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.code == code)
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    Met,
    OnTrack,
    Behind,
    /// The year is over and the target was not reached.
    Missed,
    NoData,
}

impl TargetStatus {
    pub fn label_vi(self) -> &'static str {
        match self {
            TargetStatus::Met => "Đạt",
            TargetStatus::OnTrack => "Đúng tiến độ",
            TargetStatus::Behind => "Chậm",
            TargetStatus::Missed => "Không đạt",
            TargetStatus::NoData => "Chưa có dữ liệu",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TargetStatus::Met => "Met",
            TargetStatus::OnTrack => "On track",
            TargetStatus::Behind => "Behind",
            TargetStatus::Missed => "Not met",
            TargetStatus::NoData => "No data",
        }
    }
}

/// What was measured for a target, or why nothing could be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// The measured value in the target's unit; `None` when the data does not exist.
    pub value: Option<f64>,
    /// How the value was obtained ("12 / 40 hộ"), or the reason there is none.
    pub note: String,
}

/// A target with its progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetProgress {
    pub target: TargetRecord,
    pub label_vi: String,
    pub label_en: String,
    pub measured: Option<f64>,
    pub note: String,
    pub status: TargetStatus,
}

/// The targets of a unit and year, measured as of a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetsView {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    pub as_of: NaiveDate,
    /// The share of the year elapsed on `as_of`, 0–1.
    pub elapsed: f64,
    pub targets: Vec<TargetProgress>,
    /// Other years with targets for the unit, newest first.
    pub years: Vec<i32>,
}

/// A target as an officer enters it.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetEdit {
    pub unit_code: String,
    pub year: i32,
    pub indicator: String,
    pub target_value: f64,
    pub target_max: Option<f64>,
    pub source_note: String,
    /// The version read; `None` creates the target.
    pub expected_version: Option<i64>,
}

/// The share of year `year` elapsed on `as_of` (0 before it starts, 1 after it ends).
pub fn elapsed_share(year: i32, as_of: NaiveDate) -> f64 {
    let (Some(start), Some(next)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year + 1, 1, 1),
    ) else {
        return 0.0;
    };
    let days = (next - start).num_days() as f64;
    let done = ((as_of - start).num_days() + 1) as f64;
    (done / days).clamp(0.0, 1.0)
}

/// The status rule of the module documentation.
pub fn status_of(target: f64, measured: Option<f64>, elapsed: f64) -> TargetStatus {
    match measured {
        None => TargetStatus::NoData,
        Some(v) if v + 1e-9 >= target => TargetStatus::Met,
        Some(_) if elapsed >= 1.0 => TargetStatus::Missed,
        Some(v) if v + 1e-9 >= target * elapsed => TargetStatus::OnTrack,
        Some(_) => TargetStatus::Behind,
    }
}

fn percent(part: i64, whole: i64) -> f64 {
    (part as f64 * 10_000.0 / whole as f64).round() / 100.0
}

fn no_data(note: impl Into<String>) -> Measure {
    Measure {
        value: None,
        note: note.into(),
    }
}

impl App {
    /// The targets of `unit` for `year` with their progress, for anyone who may read the
    /// unit's aggregates.
    pub async fn targets(
        &self,
        actor: &Actor,
        unit: &str,
        year: i32,
    ) -> Result<TargetsView, AppError> {
        self.authorize(actor, crate::access::Action::ReadAggregates, unit)
            .await?;
        self.targets_as_system(unit, year).await
    }

    pub async fn targets_as_system(&self, unit: &str, year: i32) -> Result<TargetsView, AppError> {
        check_year(year)?;
        let unit = self.unit(unit).await?;
        let today = self.clock().today();
        let year_end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
        let as_of = today.min(year_end);
        let elapsed = elapsed_share(year, as_of);
        let records = self.store().targets(&unit.code, year).await?;
        // Each measure is a query or two of its own; run together, they take the time of
        // the slowest rather than of all of them one after another.
        let measures = futures_util::future::try_join_all(
            records
                .iter()
                .map(|t| self.measure(&unit, &t.indicator, year, as_of)),
        )
        .await?;
        let mut targets = Vec::with_capacity(records.len());
        for (t, m) in records.into_iter().zip(measures) {
            let (label_vi, label_en) = indicator(&t.indicator)
                .map(|i| (i.label_vi.to_string(), i.label_en.to_string()))
                .unwrap_or_else(|| (t.indicator.clone(), t.indicator.clone()));
            targets.push(TargetProgress {
                status: status_of(t.target_value, m.value, elapsed),
                measured: m.value,
                note: m.note,
                label_vi,
                label_en,
                target: t,
            });
        }
        Ok(TargetsView {
            years: self.store().target_years(&unit.code).await?,
            unit_code: unit.code,
            unit_name: unit.name,
            year,
            as_of,
            elapsed,
            targets,
        })
    }

    /// Measures one indicator for a unit, year and date.
    async fn measure(
        &self,
        unit: &giamngheo_store::UnitRecord,
        code: &str,
        year: i32,
        as_of: NaiveDate,
    ) -> Result<Measure, AppError> {
        let column = column_of(tier_of(unit));
        match code {
            "poverty_rate_reduction" => self.measure_reduction(unit, column, year, as_of).await,
            "health_insurance_poor" | "health_insurance_near_poor" => {
                let (status, who) = if code == "health_insurance_poor" {
                    ("poor", "hộ nghèo")
                } else {
                    ("near_poor", "hộ cận nghèo")
                };
                let c = self
                    .store()
                    .insurance_count(
                        column,
                        &unit.code,
                        year,
                        as_of,
                        status,
                        crate::policies::cards::CARD_POLICY,
                    )
                    .await?;
                Ok(if c.people == 0 {
                    no_data(format!("chưa có {who} kỳ {year}"))
                } else if c.insured == 0 {
                    no_data(format!(
                        "chưa ghi thẻ BHYT nào cho {} thành viên {who}: danh sách thẻ của cơ quan bảo hiểm xã hội chưa được nhập",
                        number_vi(c.people)
                    ))
                } else {
                    Measure {
                        value: Some(percent(c.insured, c.people)),
                        note: format!(
                            "{} / {} người có thẻ còn hạn ngày {}",
                            number_vi(c.insured),
                            number_vi(c.people),
                            as_of.format("%d/%m/%Y")
                        ),
                    }
                })
            }
            "clean_water_poor" | "information_access_poor" => {
                let (_, indicators) = self.catalog().indicators_for(year);
                let wanted: &[&str] = if code == "clean_water_poor" {
                    &["water"]
                } else {
                    &["info_means", "info_assets"]
                };
                let Some(ind) = indicators
                    .iter()
                    .find(|i| wanted.contains(&i.code.as_str()))
                else {
                    return Ok(no_data(format!(
                        "chuẩn nghèo kỳ {year} không có chỉ số này (the standard has no such indicator)"
                    )));
                };
                let scope = ReportScope {
                    scope_column: column,
                    scope_code: unit.code.clone(),
                    group_column: column,
                    rebase: None,
                };
                let facts = self
                    .store()
                    .status_facts(&scope, year, as_of, &[ind.code.as_str()], &[])
                    .await?;
                let get = |key: &str| {
                    facts
                        .iter()
                        .filter(|f| f.key == key)
                        .map(|f| f.value)
                        .sum::<i64>()
                };
                let poor = get("poor.households");
                let deprived = get(&format!("poor.deprived.{}", ind.code));
                Ok(if poor == 0 {
                    no_data(format!("chưa có hộ nghèo kỳ {year}"))
                } else {
                    Measure {
                        value: Some(percent(poor - deprived, poor)),
                        note: format!(
                            "{} / {} hộ nghèo không thiếu hụt «{}»",
                            number_vi(poor - deprived),
                            number_vi(poor),
                            ind.name
                        ),
                    }
                })
            }
            "preferential_loan" | "patient_support" | "tuition_support" => {
                let target = match code {
                    "preferential_loan" => "loans",
                    "patient_support" => "medical_support",
                    _ => "tuition",
                };
                self.measure_coverage(unit, target, year, as_of).await
            }
            _ => Ok(no_data("chỉ tiêu này chưa có nguồn số liệu")),
        }
    }

    /// A coverage target: the people (or households) eligible for the policies that count
    /// towards `target` on the date, and the share of them covered. Where no benefit of
    /// those policies is recorded at all, the note names the agency whose list was never
    /// imported instead of giving a figure.
    async fn measure_coverage(
        &self,
        unit: &giamngheo_store::UnitRecord,
        target: &str,
        year: i32,
        as_of: NaiveDate,
    ) -> Result<Measure, AppError> {
        let policies: Vec<&giamngheo_rules::Policy> = self.policies().for_target(target).collect();
        let (mut eligible, mut covered) = (0i64, 0i64);
        for policy in &policies {
            let report = self
                .coverage_as_system(&crate::policies::coverage::CoverageRequest {
                    unit: unit.code.clone(),
                    year,
                    policy: Some(policy.code.clone()),
                    as_of: Some(as_of),
                    by_child: false,
                    basis: None,
                })
                .await?;
            for row in report.rows {
                eligible += row.eligible;
                covered += row.covered;
            }
        }
        let names: Vec<&str> = policies.iter().map(|p| p.name_vi.as_str()).collect();
        if eligible == 0 {
            return Ok(no_data(format!(
                "chưa có đối tượng được hưởng ({}) ngày {} (nobody eligible)",
                names.join(", "),
                as_of.format("%d/%m/%Y")
            )));
        }
        if covered == 0 {
            let mut agencies: Vec<&str> = policies
                .iter()
                .map(|p| crate::policies::agencies::kind_label_vi(p.provider_kind()))
                .collect();
            agencies.dedup();
            return Ok(no_data(format!(
                "chưa có bản ghi hưởng chính sách nào ({}) năm {year}: danh sách của {} chưa được nhập",
                names.join(", "),
                agencies.join(", ")
            )));
        }
        Ok(Measure {
            value: Some(percent(covered, eligible)),
            note: format!(
                "{} / {} đối tượng được hưởng đã được hưởng ngày {}",
                number_vi(covered),
                number_vi(eligible),
                as_of.format("%d/%m/%Y")
            ),
        })
    }

    async fn measure_reduction(
        &self,
        unit: &giamngheo_store::UnitRecord,
        column: &'static str,
        year: i32,
        as_of: NaiveDate,
    ) -> Result<Measure, AppError> {
        let trend = self.store().status_trend(column, &unit.code, as_of).await?;
        let poor_in = |period: i32| {
            trend
                .iter()
                .filter(|(p, s, _)| *p == period && s == "poor")
                .map(|(_, _, n)| *n)
                .sum::<i64>()
        };
        let Some(start) = trend.iter().map(|(p, _, _)| *p).filter(|p| *p < year).max() else {
            return Ok(no_data(format!(
                "chưa có kết quả phân loại nào trước năm {year}"
            )));
        };
        if !trend.iter().any(|(p, _, _)| *p == year) {
            return Ok(no_data(format!("chưa có kết quả phân loại kỳ {year}")));
        }
        let scope = ReportScope {
            scope_column: column,
            scope_code: unit.code.clone(),
            group_column: column,
            rebase: None,
        };
        let households: i64 = self
            .store()
            .registry_facts(&scope)
            .await?
            .iter()
            .filter(|f| f.key == "households")
            .map(|f| f.value)
            .sum();
        if households == 0 {
            return Ok(no_data("sổ hộ chưa có hộ nào (the registry is empty)"));
        }
        let (before, now) = (poor_in(start), poor_in(year));
        let rate = |n: i64| n as f64 * 100.0 / households as f64;
        let reduction = ((rate(before) - rate(now)) * 100.0).round() / 100.0;
        Ok(Measure {
            value: Some(reduction),
            note: format!(
                "kỳ {start}: {} / {h} hộ = {} %; kỳ {year}: {} / {h} hộ = {} %",
                number_vi(before),
                decimal_vi(rate(before)),
                number_vi(now),
                decimal_vi(rate(now)),
                h = number_vi(households),
            ),
        })
    }

    /// Creates or changes a target of a unit. Only the district labour office and the
    /// administrators of the unit (or above it) may; the change is audited, old → new.
    pub async fn save_target(
        &self,
        actor: &Actor,
        edit: TargetEdit,
    ) -> Result<TargetRecord, AppError> {
        self.authorize(
            actor,
            crate::access::Action::ReadAggregates,
            &edit.unit_code,
        )
        .await?;
        if !matches!(actor.role, Role::Admin | Role::Office) {
            return Err(AppError::Forbidden(format!(
                "vai trò {} không sửa được chỉ tiêu kế hoạch",
                actor.role.label_vi()
            )));
        }
        check_year(edit.year)?;
        let ind = indicator(&edit.indicator).ok_or_else(|| {
            AppError::invalid(
                "indicator",
                format!("chỉ tiêu «{}» không có", edit.indicator),
            )
        })?;
        let bounds = if ind.measure_unit == "percent" {
            0.0..=100.0
        } else {
            -100.0..=100.0
        };
        if !edit.target_value.is_finite() || !bounds.contains(&edit.target_value) {
            return Err(AppError::invalid(
                "target_value",
                format!(
                    "giá trị phải trong khoảng {}–{}",
                    bounds.start(),
                    bounds.end()
                ),
            ));
        }
        if let Some(max) = edit.target_max
            && (!max.is_finite() || !bounds.contains(&max) || max < edit.target_value)
        {
            return Err(AppError::invalid(
                "target_max",
                "mức trên phải không nhỏ hơn mức dưới",
            ));
        }
        let unit = self.unit(&edit.unit_code).await?;
        let before = self
            .store()
            .targets(&unit.code, edit.year)
            .await?
            .into_iter()
            .find(|t| t.indicator == edit.indicator);
        if before.is_some() && edit.expected_version.is_none() {
            return Err(AppError::Conflict("chỉ tiêu này đã có".into()));
        }
        let input = TargetInput {
            province_code: unit.province_code.clone(),
            unit_code: unit.code.clone(),
            year: edit.year,
            indicator: edit.indicator.clone(),
            target_value: edit.target_value,
            target_max: edit.target_max,
            measure_unit: ind.measure_unit.to_string(),
            source_note: edit.source_note.trim().to_string(),
        };
        let saved = self
            .store()
            .save_target(
                &input,
                edit.expected_version,
                &actor.username,
                self.clock().now(),
            )
            .await?;
        let json = |v: f64| serde_json::json!(v);
        let mut changes = Vec::new();
        let old = before.as_ref();
        let mut push = |field: &str, old: serde_json::Value, new: serde_json::Value| {
            if old != new {
                changes.push(FieldChange {
                    field: field.into(),
                    old,
                    new,
                });
            }
        };
        push(
            "target_value",
            old.map(|t| json(t.target_value)).unwrap_or_default(),
            json(saved.target_value),
        );
        push(
            "target_max",
            old.and_then(|t| t.target_max).map(json).unwrap_or_default(),
            saved.target_max.map(json).unwrap_or_default(),
        );
        push(
            "source_note",
            old.map(|t| t.source_note.clone().into())
                .unwrap_or_default(),
            saved.source_note.clone().into(),
        );
        self.store()
            .append_audit(&[AuditEntry {
                at: self
                    .clock()
                    .now()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                user_id: Some(actor.user_id),
                username: actor.username.clone(),
                action: if before.is_some() {
                    "target.update"
                } else {
                    "target.create"
                }
                .into(),
                entity: "target".into(),
                entity_id: saved.id.to_string(),
                household_id: None,
                unit_code: Some(saved.unit_code.clone()),
                province_code: Some(saved.province_code.clone()),
                changes: serde_json::to_string(&changes).unwrap_or_else(|_| "[]".into()),
                reason: Some(format!("{} năm {}", saved.indicator, saved.year)),
            }])
            .await?;
        Ok(saved)
    }
}

fn check_year(year: i32) -> Result<(), AppError> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(AppError::invalid("year", "năm không hợp lệ"))
    }
}

/// `1.500.000`: the one Vietnamese number format of the reports and the pages.
pub use giamngheo_sheets::reports::number as number_vi;

/// `4,03`: two decimals with the Vietnamese decimal comma.
pub fn decimal_vi(x: f64) -> String {
    giamngheo_sheets::reports::figure(Some(x), giamngheo_sheets::reports::NumberKind::Rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_elapsed_share_runs_from_zero_to_one() {
        let d = |m, day| NaiveDate::from_ymd_opt(2021, m, day).unwrap();
        assert!((elapsed_share(2021, d(12, 31)) - 1.0).abs() < 1e-9);
        assert!((elapsed_share(2021, d(7, 2)) - 183.0 / 365.0).abs() < 1e-9);
        assert_eq!(elapsed_share(2022, d(6, 1)), 0.0);
    }

    #[test]
    fn statuses_follow_the_elapsed_share() {
        assert_eq!(status_of(1.0, Some(1.2), 0.5), TargetStatus::Met);
        assert_eq!(status_of(1.0, Some(0.6), 0.5), TargetStatus::OnTrack);
        assert_eq!(status_of(1.0, Some(0.4), 0.5), TargetStatus::Behind);
        // A finished year that fell short is missed, not behind: it cannot catch up.
        assert_eq!(status_of(1.0, Some(0.9), 1.0), TargetStatus::Missed);
        assert_eq!(TargetStatus::Missed.label_vi(), "Không đạt");
        assert_eq!(status_of(1.0, Some(1.0), 1.0), TargetStatus::Met);
        assert_eq!(status_of(100.0, None, 0.5), TargetStatus::NoData);
    }

    #[test]
    fn figures_are_written_the_vietnamese_way() {
        assert_eq!(number_vi(1_500_000), "1.500.000");
        assert_eq!(decimal_vi(4.03), "4,03");
        assert_eq!(decimal_vi(-1.5), "-1,50");
    }
}
