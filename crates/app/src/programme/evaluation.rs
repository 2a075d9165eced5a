//! The follow-up evaluation of a livelihood model (đánh giá mô hình giảm nghèo): of the
//! households in the model in its year Y that were poor or near-poor then, how many had
//! escaped by the classifications of Y+1, Y+2 and Y+3, compared with the households of
//! the same communes and the same starting class that were not in it.
//!
//! A household's class in a year is the latest decision (by period, then effective date,
//! then id, so that a correction wins) for a period up to that year. A poor household
//! has escaped when its class is no longer poor; a near-poor one when it is neither poor
//! nor near-poor. A year no classification reaches yet is "no data", not zero.

use super::activities::current_beneficiaries;
use crate::access::Actor;
use crate::print_wording::Wording;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_sheets::reports::{NumberKind, SheetColumn, SheetReport, SheetRow};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The years after the model's year the evaluation follows.
pub const FOLLOW_UP_YEARS: usize = 3;

/// One classification as the evaluation reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassPoint {
    pub household_id: i64,
    pub period: i32,
    pub effective_date: NaiveDate,
    pub id: i64,
    pub status: String,
}

/// One group of the report: the households of a starting class, in the model or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationGroup {
    /// `poor` or `near_poor`.
    pub start_status: String,
    pub in_model: bool,
    pub households: u64,
    /// Escaped by Y+1, Y+2, Y+3; `None` where no classification reaches that year.
    pub escaped: [Option<u64>; FOLLOW_UP_YEARS],
}

impl EvaluationGroup {
    /// The share escaped by each follow-up year, in percent.
    pub fn rates(&self) -> [Option<f64>; FOLLOW_UP_YEARS] {
        self.escaped.map(|e| {
            e.filter(|_| self.households > 0)
                .map(|e| e as f64 * 100.0 / self.households as f64)
        })
    }
}

/// The evaluation of a model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub activity_id: i64,
    pub name: String,
    pub year: i32,
    pub unit_name: String,
    /// Participants (poor, near-poor), then the comparison households, by class.
    pub groups: Vec<EvaluationGroup>,
    /// Households in the model that were neither poor nor near-poor in its year, or had
    /// no classification: not followed.
    pub participants_not_followed: u64,
}

fn is_poor_or_near(status: &str) -> bool {
    matches!(status, "poor" | "near_poor")
}

/// Whether a household that started `start` has escaped once its class is `now`.
pub fn escaped(start: &str, now: &str) -> bool {
    match start {
        "poor" => now != "poor",
        "near_poor" => !is_poor_or_near(now),
        _ => false,
    }
}

/// The evaluation's groups from the classifications of the communes the model's
/// households live in. Pure: the caller reads the classifications.
pub fn evaluate(
    year: i32,
    participants: &BTreeSet<i64>,
    history: &[ClassPoint],
) -> (Vec<EvaluationGroup>, u64) {
    let mut by_household: BTreeMap<i64, Vec<&ClassPoint>> = BTreeMap::new();
    for point in history {
        by_household
            .entry(point.household_id)
            .or_default()
            .push(point);
    }
    let latest_period = history.iter().map(|p| p.period).max();
    let class_in = |points: &[&ClassPoint], y: i32| -> Option<String> {
        points
            .iter()
            .filter(|p| p.period <= y)
            .max_by_key(|p| (p.period, p.effective_date, p.id))
            .map(|p| p.status.clone())
    };
    // (start status, in model) → households, escaped per follow-up year.
    let mut groups: BTreeMap<(usize, bool), (u64, [u64; FOLLOW_UP_YEARS])> = BTreeMap::new();
    let mut not_followed = participants
        .iter()
        .filter(|h| !by_household.contains_key(h))
        .count() as u64;
    for (household, points) in &by_household {
        let in_model = participants.contains(household);
        let Some(start) = class_in(points, year).filter(|s| is_poor_or_near(s)) else {
            if in_model {
                not_followed += 1;
            }
            continue;
        };
        let order = usize::from(start != "poor");
        let group = groups
            .entry((order, in_model))
            .or_insert((0, [0; FOLLOW_UP_YEARS]));
        group.0 += 1;
        for (k, count) in group.1.iter_mut().enumerate() {
            let later = year + k as i32 + 1;
            if class_in(points, later).is_some_and(|now| escaped(&start, &now)) {
                *count += 1;
            }
        }
    }
    let mut out = Vec::new();
    for in_model in [true, false] {
        for (order, start) in ["poor", "near_poor"].into_iter().enumerate() {
            let (households, counts) = groups
                .get(&(order, in_model))
                .copied()
                .unwrap_or((0, [0; FOLLOW_UP_YEARS]));
            let mut escaped = [None; FOLLOW_UP_YEARS];
            for (k, e) in escaped.iter_mut().enumerate() {
                let later = year + k as i32 + 1;
                if latest_period.is_some_and(|p| p >= later) {
                    *e = Some(counts[k]);
                }
            }
            out.push(EvaluationGroup {
                start_status: start.into(),
                in_model,
                households,
                escaped,
            });
        }
    }
    (out, not_followed)
}

impl App {
    /// The follow-up evaluation of a livelihood model.
    pub async fn model_evaluation(&self, actor: &Actor, id: i64) -> Result<Evaluation, AppError> {
        let activity = self.activity(actor, id).await?;
        if !activity.livelihood_model {
            return Err(AppError::invalid(
                "activity",
                format!("hoạt động số {id} không phải là mô hình giảm nghèo"),
            ));
        }
        let unit = self.unit(&activity.fields.unit_code).await?;
        let journal = self.store().beneficiary_journal(id).await?;
        let on_list = current_beneficiaries(journal);
        let participants: BTreeSet<i64> = on_list.iter().filter_map(|r| r.household_id).collect();
        let communes: BTreeSet<String> = on_list
            .iter()
            .filter(|r| r.household_id.is_some())
            .map(|r| r.commune_code.clone())
            .collect();
        let mut history = Vec::new();
        for commune in &communes {
            let rows = self
                .store()
                .classifications_in_commune(commune, activity.fields.year + FOLLOW_UP_YEARS as i32)
                .await?;
            history.extend(rows.into_iter().map(|r| ClassPoint {
                household_id: r.fields.household_id,
                period: r.fields.period,
                effective_date: r.fields.effective_date,
                id: r.id,
                status: r.fields.status,
            }));
        }
        let (groups, participants_not_followed) =
            evaluate(activity.fields.year, &participants, &history);
        Ok(Evaluation {
            activity_id: id,
            name: activity.fields.name,
            year: activity.fields.year,
            unit_name: unit.name,
            groups,
            participants_not_followed,
        })
    }
}

/// The Vietnamese name of a starting class.
pub fn start_status_vi(status: &str) -> &'static str {
    match status {
        "poor" => "Hộ nghèo",
        _ => "Hộ cận nghèo",
    }
}

impl Evaluation {
    /// The report as a sheet for the workbook, CSV and PDF writers.
    pub fn to_sheet(&self, today: NaiveDate, wording: &Wording) -> SheetReport {
        let mut columns = vec![SheetColumn {
            heading: vec!["Số hộ".into()],
            kind: NumberKind::Count,
        }];
        for k in 1..=FOLLOW_UP_YEARS {
            let y = self.year + k as i32;
            columns.push(SheetColumn {
                heading: vec![format!("Đến năm {y}"), "Số hộ thoát".into()],
                kind: NumberKind::Count,
            });
            columns.push(SheetColumn {
                heading: vec![format!("Đến năm {y}"), "Tỷ lệ (%)".into()],
                kind: NumberKind::Rate,
            });
        }
        let rows = self
            .groups
            .iter()
            .map(|g| {
                let mut values = vec![Some(g.households as f64)];
                for (e, r) in g.escaped.iter().zip(g.rates()) {
                    values.push(e.map(|e| e as f64));
                    values.push(r);
                }
                SheetRow {
                    label: format!(
                        "{} — {}",
                        if g.in_model {
                            "Tham gia mô hình"
                        } else {
                            "Không tham gia (cùng xã)"
                        },
                        start_status_vi(&g.start_status)
                    ),
                    values,
                    bold: g.in_model,
                }
            })
            .collect();
        SheetReport {
            sheet_name: "Đánh giá mô hình".into(),
            agency: vec![self.unit_name.to_uppercase()],
            motto: wording.motto(),
            form: None,
            title: "ĐÁNH GIÁ KẾT QUẢ THOÁT NGHÈO CỦA MÔ HÌNH GIẢM NGHÈO".into(),
            subtitle: vec![
                format!("Mô hình: {} (năm {})", self.name, self.year),
                format!("Đơn vị: {}", self.unit_name),
            ],
            label_heading: "Nhóm hộ".into(),
            columns,
            numbered: false,
            rows,
            notes: vec![
                "Hộ nghèo thoát nghèo khi không còn là hộ nghèo; hộ cận nghèo thoát khi không còn là hộ nghèo hay cận nghèo, theo kết quả rà soát của năm.".into(),
                "Nhóm so sánh: các hộ cùng xã, cùng loại hộ đầu năm, không tham gia mô hình. Ô trống: chưa có kết quả rà soát của năm đó.".into(),
                format!(
                    "Hộ tham gia không thuộc hộ nghèo, cận nghèo năm {} (không theo dõi): {}",
                    self.year,
                    giamngheo_sheets::reports::number(self.participants_not_followed as i64)
                ),
            ],
            place_date: wording.date_line(&self.unit_name, today),
            signers: vec![
                ("NGƯỜI LẬP BIỂU".into(), "(Ký, ghi rõ họ tên)".into()),
                ("THỦ TRƯỞNG ĐƠN VỊ".into(), "(Ký tên, đóng dấu)".into()),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(household: i64, period: i32, id: i64, status: &str) -> ClassPoint {
        ClassPoint {
            household_id: household,
            period,
            effective_date: NaiveDate::from_ymd_opt(period - 1, 12, 20).unwrap(),
            id,
            status: status.into(),
        }
    }

    #[test]
    fn escapes_are_counted_by_year_against_the_comparison_group() {
        // Model of 2022 with households 1, 2, 3. 1: poor, near-poor in 2023 (escaped
        // poverty). 2: near-poor, still near-poor in 2023, not poor in 2024. 3: not poor
        // in 2022 (not followed). 4 (comparison): poor throughout. 5 (comparison): poor,
        // escaped in 2024. Classifications reach 2024 only.
        let history = vec![
            point(1, 2022, 1, "poor"),
            point(1, 2023, 2, "near_poor"),
            point(2, 2022, 3, "near_poor"),
            point(2, 2024, 4, "not_poor"),
            point(3, 2022, 5, "not_poor"),
            point(4, 2022, 6, "poor"),
            point(5, 2022, 7, "poor"),
            point(5, 2024, 8, "medium"),
        ];
        let participants = BTreeSet::from([1, 2, 3]);
        let (groups, not_followed) = evaluate(2022, &participants, &history);
        assert_eq!(not_followed, 1);
        assert_eq!(groups[0].households, 1);
        assert_eq!(groups[0].escaped, [Some(1), Some(1), None]);
        assert_eq!(groups[1].households, 1);
        assert_eq!(groups[1].escaped, [Some(0), Some(1), None]);
        assert_eq!((groups[2].in_model, groups[2].households), (false, 2));
        assert_eq!(groups[2].escaped, [Some(0), Some(1), None]);
        assert_eq!(groups[2].rates()[1], Some(50.0));
        assert_eq!(groups[3].households, 0);
        assert_eq!(groups[3].rates(), [None, None, None]);
    }

    #[test]
    fn a_correction_of_the_same_period_wins() {
        let history = vec![
            point(1, 2022, 1, "poor"),
            point(1, 2023, 2, "not_poor"),
            point(1, 2023, 3, "poor"),
        ];
        let (groups, _) = evaluate(2022, &BTreeSet::from([1]), &history);
        assert_eq!(groups[0].escaped[0], Some(0));
    }
}
