//! The computed sections of the periodic report. Each takes its figures from the function
//! behind the page that shows them (tasks, targets, the official reports, coverage, the
//! programme's progress) and only formats them.

use super::{Period, Section, Table};
use crate::policies::coverage::CoverageRequest;
use crate::reports::{Report, ReportRequest, ValueFormat};
use crate::targets::decimal_vi;
use crate::tasks::{DueState, TaskStatus};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_sheets::reports::{NumberKind, figure, number};
use std::collections::BTreeMap;

/// The official reports the review section shows, in order, with the table's caption.
const REVIEW_REPORTS: [(&str, &str); 3] = [
    ("ket-qua-ra-soat", "Kết quả rà soát"),
    ("dien-bien-ho-ngheo", "Diễn biến hộ nghèo"),
    ("dien-bien-ho-can-ngheo", "Diễn biến hộ cận nghèo"),
];

fn date(d: &NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The total row of an official report turned on its side: one line per column, so that
/// a report of twenty columns reads down a portrait page.
fn transposed(report: &Report) -> Table {
    let total = report.rows.iter().find(|r| r.unit_code.is_none());
    let rows = report
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let kind = match c.format {
                ValueFormat::Count => NumberKind::Count,
                ValueFormat::Rate => NumberKind::Rate,
            };
            let value = total.and_then(|t| t.values.get(i).copied().flatten());
            vec![c.heading.join(" – "), figure(value, kind)]
        })
        .collect();
    Table {
        columns: vec!["Chỉ tiêu".into(), "Số liệu".into()],
        widths: vec![0.72, 0.28],
        right: vec![false, true],
        rows,
    }
}

impl App {
    /// Each lead agency's tasks of the year by status, and the overdue ones by name.
    pub(super) async fn tasks_section(
        &self,
        unit: &str,
        period: &Period,
        section: &mut Section,
    ) -> Result<(), AppError> {
        let view = self.tasks_as_system(unit, period.year).await?;
        // Counts per agency: total, done, in progress, not started, overdue.
        let mut by_agency: BTreeMap<String, [i64; 5]> = BTreeMap::new();
        for t in &view.items {
            let c = by_agency.entry(t.lead.name.clone()).or_default();
            c[0] += 1;
            match t.status {
                TaskStatus::Done => c[1] += 1,
                TaskStatus::InProgress => c[2] += 1,
                TaskStatus::NotStarted => c[3] += 1,
            }
            if t.due_state == DueState::Overdue {
                c[4] += 1;
            }
        }
        let mut total = [0i64; 5];
        let mut rows: Vec<Vec<String>> = by_agency
            .into_iter()
            .map(|(agency, c)| {
                for (t, n) in total.iter_mut().zip(c) {
                    *t += n;
                }
                std::iter::once(agency)
                    .chain(c.iter().map(|n| number(*n)))
                    .collect()
            })
            .collect();
        if rows.is_empty() {
            section.notes.push(format!(
                "Chưa có nhiệm vụ nào trong kế hoạch năm {} của đơn vị.",
                period.year
            ));
            return Ok(());
        }
        rows.push(
            std::iter::once("Tổng cộng".to_string())
                .chain(total.iter().map(|n| number(*n)))
                .collect(),
        );
        section.tables.push((
            format!("Nhiệm vụ năm {} theo cơ quan chủ trì", period.year),
            Table {
                columns: [
                    "Cơ quan chủ trì",
                    "Số nhiệm vụ",
                    "Hoàn thành",
                    "Đang thực hiện",
                    "Chưa triển khai",
                    "Quá hạn",
                ]
                .map(String::from)
                .to_vec(),
                widths: vec![0.35, 0.13, 0.13, 0.13, 0.13, 0.13],
                right: vec![false, true, true, true, true, true],
                rows,
            },
        ));
        for t in view.overdue(None) {
            let due = t.next_due.as_ref().map(date).unwrap_or_default();
            let confirm = if t.due_to_confirm {
                " (hạn cần xác nhận)"
            } else {
                ""
            };
            section.notes.push(format!(
                "Quá hạn: {} — {}, hạn {due}{confirm}.",
                t.title, t.lead.name
            ));
        }
        Ok(())
    }

    /// The plan's targets of the year with what was measured and their status.
    pub(super) async fn targets_section(
        &self,
        unit: &str,
        period: &Period,
        section: &mut Section,
    ) -> Result<(), AppError> {
        let view = self.targets_as_system(unit, period.year).await?;
        if view.targets.is_empty() {
            section.notes.push(format!(
                "Chưa có chỉ tiêu nào cho năm {} của đơn vị.",
                period.year
            ));
            return Ok(());
        }
        let rows = view
            .targets
            .iter()
            .map(|p| {
                let t = &p.target;
                let planned = match t.target_max {
                    Some(max) => format!(
                        "{}–{} {}",
                        decimal_vi(t.target_value),
                        decimal_vi(max),
                        t.measure_unit
                    ),
                    None => format!("{} {}", decimal_vi(t.target_value), t.measure_unit),
                };
                vec![
                    p.label_vi.clone(),
                    planned.trim().to_string(),
                    p.measured.map(decimal_vi).unwrap_or_else(|| "—".into()),
                    p.status.label_vi().to_string(),
                    p.note.clone(),
                ]
            })
            .collect();
        section.tables.push((
            format!(
                "Chỉ tiêu năm {}, tính đến ngày {}",
                period.year,
                date(&view.as_of)
            ),
            Table {
                columns: ["Chỉ tiêu", "Kế hoạch", "Thực hiện", "Tình trạng", "Ghi chú"]
                    .map(String::from)
                    .to_vec(),
                widths: vec![0.32, 0.15, 0.13, 0.15, 0.25],
                right: vec![false, true, true, false, false],
                rows,
            },
        ));
        Ok(())
    }

    /// The official review report and the two movement tables of the unit, their totals
    /// turned on their side; whether a movement check fails, and the header block.
    pub(super) async fn review_section(
        &self,
        unit: &str,
        period: &Period,
        as_of: NaiveDate,
        section: &mut Section,
    ) -> Result<(bool, (Vec<String>, String)), AppError> {
        let mut failed = false;
        let mut header = None;
        section.notes.push(format!(
            "Số liệu theo danh sách hộ nghèo, hộ cận nghèo năm {}, tính đến ngày {}.",
            period.year,
            date(&as_of)
        ));
        for (name, caption) in REVIEW_REPORTS {
            if self.catalog().get(name).is_none() {
                continue;
            }
            let report = self
                .report_as_system(&ReportRequest {
                    name: name.into(),
                    unit: unit.into(),
                    period: period.year,
                    as_of: Some(as_of),
                    basis: None,
                })
                .await?;
            if let Err(e) = report.ensure_exportable() {
                // Never silently: the report carries the failure in its text.
                failed = true;
                section.notes.push(format!("Cảnh báo: {e}"));
            }
            if header.is_none() {
                header = Some((report.agency.clone(), report.place.clone()));
            }
            section
                .tables
                .push((caption.to_string(), transposed(&report)));
        }
        let header = match header {
            Some(h) => h,
            None => self.report_header(unit, period, as_of).await?,
        };
        Ok((failed, header))
    }

    /// The issuing body's lines and the place, as the official reports of the unit have
    /// them.
    pub(super) async fn report_header(
        &self,
        unit: &str,
        period: &Period,
        as_of: NaiveDate,
    ) -> Result<(Vec<String>, String), AppError> {
        let name = self
            .catalog()
            .reports
            .first()
            .map(|r| r.name.clone())
            .ok_or_else(|| AppError::NotFound("định nghĩa báo cáo".into()))?;
        let report = self
            .report_as_system(&ReportRequest {
                name,
                unit: unit.into(),
                period: period.year,
                as_of: Some(as_of),
                basis: None,
            })
            .await?;
        Ok((report.agency, report.place))
    }

    /// Coverage of each policy on the figures' day.
    pub(super) async fn coverage_section(
        &self,
        unit: &str,
        period: &Period,
        as_of: NaiveDate,
        section: &mut Section,
    ) -> Result<(), AppError> {
        let report = self
            .coverage_as_system(&CoverageRequest {
                unit: unit.into(),
                year: period.year,
                policy: None,
                as_of: Some(as_of),
                by_child: false,
                basis: None,
            })
            .await?;
        if report.rows.is_empty() {
            section
                .notes
                .push("Chưa có chính sách nào được theo dõi độ bao phủ.".into());
            return Ok(());
        }
        let mut to_confirm = false;
        let rows = report
            .rows
            .iter()
            .map(|r| {
                to_confirm |= r.to_confirm;
                let name = if r.to_confirm {
                    format!("{} (cần xác nhận)", r.policy_name)
                } else {
                    r.policy_name.clone()
                };
                vec![
                    name,
                    if r.counts == "person" {
                        "Người"
                    } else {
                        "Hộ"
                    }
                    .to_string(),
                    number(r.eligible),
                    number(r.covered),
                    decimal_vi(r.rate),
                ]
            })
            .collect();
        section.tables.push((
            format!("Độ bao phủ chính sách đến ngày {}", date(&report.as_of)),
            Table {
                columns: [
                    "Chính sách",
                    "Đơn vị tính",
                    "Đủ điều kiện",
                    "Đã thụ hưởng",
                    "Tỷ lệ (%)",
                ]
                .map(String::from)
                .to_vec(),
                widths: vec![0.4, 0.12, 0.16, 0.16, 0.16],
                right: vec![false, false, true, true, true],
                rows,
            },
        ));
        if to_confirm {
            section.notes.push(
                "Chính sách ghi «cần xác nhận» có điều kiện hoặc mức hỗ trợ chưa được xác nhận."
                    .into(),
            );
        }
        Ok(())
    }

    /// The programme's money of the year by project and source, with the total.
    pub(super) async fn money_section(
        &self,
        unit: &str,
        period: &Period,
        section: &mut Section,
    ) -> Result<(), AppError> {
        let progress = self.programme_progress_as_system(unit, period.year).await?;
        let amounts = |a: &crate::programme::progress::Amounts| {
            vec![
                number(a.planned),
                number(a.allocated),
                number(a.disbursed),
                a.rate.map(decimal_vi).unwrap_or_else(|| "—".into()),
            ]
        };
        let mut rows: Vec<Vec<String>> = progress
            .lines
            .iter()
            .map(|l| {
                let confirm = if l.to_confirm {
                    " (cần xác nhận)"
                } else {
                    ""
                };
                std::iter::once(format!(
                    "{} — {}{confirm}",
                    l.project_name_vi, l.source_name_vi
                ))
                .chain(amounts(&l.amounts))
                .collect()
            })
            .collect();
        rows.push(
            std::iter::once("Tổng cộng".to_string())
                .chain(amounts(&progress.total))
                .collect(),
        );
        section.tables.push((
            format!("Vốn chương trình năm {} (đồng)", period.year),
            Table {
                columns: [
                    "Dự án — nguồn vốn",
                    "Kế hoạch",
                    "Đã phân bổ",
                    "Đã giải ngân",
                    "Tỷ lệ giải ngân (%)",
                ]
                .map(String::from)
                .to_vec(),
                widths: vec![0.36, 0.17, 0.17, 0.17, 0.13],
                right: vec![false, true, true, true, true],
                rows,
            },
        ));
        if progress.lines.is_empty() {
            section
                .notes
                .push(format!("Chưa có kế hoạch vốn nào cho năm {}.", period.year));
        }
        Ok(())
    }
}
