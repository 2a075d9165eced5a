//! The programme's progress report: planned, allocated and disbursed amounts and the
//! disbursement rate, by project and funding source, and by commune, for a unit and
//! a year. Read from the ledger; reversals count with their negative amounts, so a
//! corrected entry and its reversal cancel out.

use super::access::MoneyAction;
use crate::access::Actor;
use crate::print_wording::Wording;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_rules::programme::ProgrammeSet;
use giamngheo_sheets::reports::{NumberKind, SheetColumn, SheetReport, SheetRow};
use serde::Serialize;
use std::collections::BTreeMap;

/// Amounts of one line of the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Amounts {
    pub planned: i64,
    pub allocated: i64,
    pub disbursed: i64,
    /// Disbursed ÷ allocated in percent; `None` when nothing is allocated.
    pub rate: Option<f64>,
}

impl Amounts {
    fn add(&mut self, kind: &str, amount: i64) {
        match kind {
            "plan" => self.planned += amount,
            "allocation" => self.allocated += amount,
            "disbursement" => self.disbursed += amount,
            _ => {}
        }
    }

    fn finish(mut self) -> Amounts {
        self.rate =
            (self.allocated > 0).then(|| self.disbursed as f64 * 100.0 / self.allocated as f64);
        self
    }
}

/// A project and funding source line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectLine {
    pub project: String,
    pub project_name_vi: String,
    pub project_name_en: String,
    pub source: String,
    pub source_name_vi: String,
    pub source_name_en: String,
    /// The project's components are to confirm (the 2026–2035 programme).
    pub to_confirm: bool,
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// A commune's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommuneLine {
    pub unit: String,
    pub name: String,
    #[serde(flatten)]
    pub amounts: Amounts,
}

/// The progress of a unit's programme money in a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub unit: String,
    pub unit_name: String,
    pub year: i32,
    pub programme: Option<String>,
    pub programme_name_vi: Option<String>,
    pub to_confirm: bool,
    pub lines: Vec<ProjectLine>,
    pub communes: Vec<CommuneLine>,
    pub total: Amounts,
}

/// The name of a project or sub-project code in any period (`p1.3` → its sub-project).
pub(super) fn line_names(
    set: &ProgrammeSet,
    programme: &str,
    code: &str,
) -> (String, String, bool) {
    for structure in set.structures().iter().filter(|s| s.id == programme) {
        for project in &structure.projects {
            if project.code == code {
                return (
                    project.name_vi.clone(),
                    project.name_en.clone(),
                    structure.to_confirm || project.to_confirm,
                );
            }
            if let Some(s) = project.subprojects.iter().find(|s| s.code == code) {
                return (
                    s.name_vi.clone(),
                    s.name_en.clone(),
                    structure.to_confirm || s.to_confirm,
                );
            }
        }
    }
    // A code from a file since replaced: shown as it was recorded.
    (code.to_string(), code.to_string(), false)
}

impl App {
    /// The progress report of `unit` for `year`.
    pub async fn programme_progress(
        &self,
        actor: &Actor,
        unit: &str,
        year: i32,
    ) -> Result<Progress, AppError> {
        self.authorize_money(actor, MoneyAction::Read, unit).await?;
        self.programme_progress_as_system(unit, year).await
    }

    /// The progress report without an access check, for the periodic report the office
    /// sends up (whose access is checked as a whole) and the command line.
    pub async fn programme_progress_as_system(
        &self,
        unit: &str,
        year: i32,
    ) -> Result<Progress, AppError> {
        let record = self.unit(unit).await?;
        let units = self.money_units(&record, year).await?;
        let entries = self
            .store()
            .entries(&record.province_code, year, &units, &[])
            .await?;
        let set = self.programme();
        let mut lines: BTreeMap<(String, String, String), Amounts> = BTreeMap::new();
        let mut communes: BTreeMap<String, Amounts> = BTreeMap::new();
        let mut total = Amounts::default();
        for e in &entries {
            // A province's own plan counts once, at the province; plans of the units
            // below it are theirs and are shown on their own report.
            if e.kind == "plan" && e.unit_code != record.code {
                continue;
            }
            lines
                .entry((e.programme.clone(), e.project.clone(), e.source.clone()))
                .or_default()
                .add(&e.kind, e.amount);
            total.add(&e.kind, e.amount);
            if e.kind != "plan" {
                communes
                    .entry(e.unit_code.clone())
                    .or_default()
                    .add(&e.kind, e.amount);
            }
        }
        // Lines in the order of the structure file, then by source in the order of the
        // funding sources file.
        let order = |programme: &str, project: &str| -> usize {
            set.structures()
                .iter()
                .filter(|s| s.id == programme)
                .flat_map(|s| {
                    s.projects.iter().flat_map(|p| {
                        std::iter::once(&p.code).chain(p.subprojects.iter().map(|s| &s.code))
                    })
                })
                .position(|c| c == project)
                .unwrap_or(usize::MAX)
        };
        let source_order = |source: &str| {
            set.funding_sources()
                .iter()
                .position(|s| s.code == source)
                .unwrap_or(usize::MAX)
        };
        let mut lines: Vec<ProjectLine> = lines
            .into_iter()
            .map(|((programme, project, source), amounts)| {
                let (name_vi, name_en, to_confirm) = line_names(set, &programme, &project);
                let (source_vi, source_en) = set
                    .funding_source(&source)
                    .map(|s| (s.name_vi.clone(), s.name_en.clone()))
                    .unwrap_or_else(|| (source.clone(), source.clone()));
                ProjectLine {
                    project,
                    project_name_vi: name_vi,
                    project_name_en: name_en,
                    source,
                    source_name_vi: source_vi,
                    source_name_en: source_en,
                    to_confirm,
                    amounts: amounts.finish(),
                }
            })
            .collect();
        lines.sort_by_key(|l| {
            let programme = set.structure_for(year).map(|s| s.id.as_str()).unwrap_or("");
            (order(programme, &l.project), source_order(&l.source))
        });
        let day = NaiveDate::from_ymd_opt(year, 12, 31)
            .unwrap_or(record.valid_from)
            .min(record.valid_to.unwrap_or(NaiveDate::MAX))
            .max(record.valid_from);
        let names: BTreeMap<String, String> = self
            .store()
            .communes_for_allocation(&record.code, day)
            .await?
            .into_iter()
            .map(|c| (c.code, c.name))
            .collect();
        let mut commune_lines = Vec::with_capacity(communes.len());
        for (code, amounts) in communes {
            let name = match names.get(&code) {
                Some(n) => n.clone(),
                None => self
                    .unit(&code)
                    .await
                    .map(|u| u.name)
                    .unwrap_or(code.clone()),
            };
            commune_lines.push(CommuneLine {
                unit: code,
                name,
                amounts: amounts.finish(),
            });
        }
        let structure = set.structure_for(year);
        Ok(Progress {
            unit: record.code.clone(),
            unit_name: record.name.clone(),
            year,
            programme: structure.map(|s| s.id.clone()),
            programme_name_vi: structure.map(|s| s.name_vi.clone()),
            to_confirm: structure.is_some_and(|s| s.to_confirm),
            lines,
            communes: commune_lines,
            total: total.finish(),
        })
    }
}

impl Progress {
    /// The report as a sheet: the lines by project and source, the total, then the
    /// communes; for the workbook, CSV and PDF writers.
    pub fn to_sheet(&self, today: NaiveDate, wording: &Wording) -> SheetReport {
        let columns = [
            "Kế hoạch (đồng)",
            "Đã phân bổ (đồng)",
            "Đã giải ngân (đồng)",
        ]
        .into_iter()
        .map(|h| SheetColumn {
            heading: vec![h.to_string()],
            kind: NumberKind::Count,
        })
        .chain(std::iter::once(SheetColumn {
            heading: vec!["Tỷ lệ giải ngân (%)".to_string()],
            kind: NumberKind::Rate,
        }))
        .collect();
        let values = |a: &Amounts, planned: bool| {
            vec![
                planned.then_some(a.planned as f64),
                Some(a.allocated as f64),
                Some(a.disbursed as f64),
                a.rate,
            ]
        };
        let mut rows: Vec<SheetRow> = self
            .lines
            .iter()
            .map(|l| SheetRow {
                label: format!(
                    "{} — {}{}",
                    l.project_name_vi,
                    l.source_name_vi,
                    if l.to_confirm {
                        " (cần xác nhận)"
                    } else {
                        ""
                    }
                ),
                values: values(&l.amounts, true),
                bold: false,
            })
            .collect();
        rows.push(SheetRow {
            label: "Tổng cộng".into(),
            values: values(&self.total, true),
            bold: true,
        });
        rows.extend(self.communes.iter().map(|c| SheetRow {
            label: c.name.clone(),
            values: values(&c.amounts, false),
            bold: false,
        }));
        let mut notes = vec![
            "Tỷ lệ giải ngân = số đã giải ngân ÷ số đã phân bổ. Các bút toán điều chỉnh được tính với số âm.".to_string(),
        ];
        if self.to_confirm {
            notes.push(
                "Cơ cấu dự án của giai đoạn 2026–2035 cần xác nhận theo quyết định phê duyệt."
                    .into(),
            );
        }
        SheetReport {
            sheet_name: format!("Tiến độ vốn {}", self.year),
            agency: vec![self.unit_name.to_uppercase()],
            motto: wording.motto(),
            form: None,
            title: format!(
                "TIẾN ĐỘ PHÂN BỔ, GIẢI NGÂN VỐN CHƯƠNG TRÌNH NĂM {}",
                self.year
            ),
            subtitle: vec![
                format!("Đơn vị: {}", self.unit_name),
                self.programme_name_vi.clone().unwrap_or_default(),
            ],
            label_heading: "Dự án — nguồn vốn / xã".into(),
            columns,
            numbered: false,
            rows,
            notes,
            place_date: wording.date_line(&self.unit_name, today),
            signers: vec![
                ("NGƯỜI LẬP BIỂU".into(), "(Ký, ghi rõ họ tên)".into()),
                ("THỦ TRƯỞNG ĐƠN VỊ".into(), "(Ký tên, đóng dấu)".into()),
            ],
        }
    }
}

impl App {
    /// The ledger's amounts of `year` in `unit` as facts of the report definitions
    /// (`money.planned`, `money.allocated`, `money.disbursed`, the same per funding
    /// source as `money.source.<code>.<…>` and per project of the year's programme
    /// structure as `money.project.<code>.<…>`), each placed on the row unit that holds the
    /// entry's unit, or on the entry's own unit when no row does (a province's plan):
    /// (row unit code, fact, amount). Reversals count with their negative amounts, as on
    /// the progress page, so that both show the same figures.
    pub(crate) async fn money_facts(
        &self,
        unit: &giamngheo_store::UnitRecord,
        year: i32,
        rows: &[giamngheo_store::UnitRecord],
    ) -> Result<Vec<(String, String, i64)>, AppError> {
        let units = self.money_units(unit, year).await?;
        let entries = self
            .store()
            .entries(&unit.province_code, year, &units, &[])
            .await?;
        let mut placer = RowPlacer::new(rows);
        let set = self.programme();
        let mut out = Vec::with_capacity(entries.len() * 3);
        for e in entries {
            let row = self.row_of(&mut placer, &e.unit_code).await?;
            let kind = match e.kind.as_str() {
                "plan" => "planned",
                "allocation" => "allocated",
                _ => "disbursed",
            };
            out.push((row.clone(), format!("money.{kind}"), e.amount));
            out.push((
                row.clone(),
                format!("money.source.{}.{kind}", e.source),
                e.amount,
            ));
            // A sub-project's entry counts for its project; a code no structure of the
            // year knows (a file since replaced) counts in the totals only.
            if let Some(project) = project_of(set, &e.programme, &e.project, year) {
                out.push((row, format!("money.project.{project}.{kind}"), e.amount));
            }
        }
        Ok(out)
    }
}

/// The project of the year's programme structure that a ledger line (a project or a
/// sub-project of programme `programme`) belongs to, by code.
pub(crate) fn project_of<'a>(
    set: &'a ProgrammeSet,
    programme: &str,
    line: &str,
    year: i32,
) -> Option<&'a str> {
    set.structure_for(year)
        .filter(|s| s.id == programme)
        .and_then(|s| s.project_of(line))
        .map(|p| p.code.as_str())
}

/// Which row of a report holds a unit's figures: the row unit among the unit's ancestry,
/// or the unit itself when no row does (a province's own plan or activity). Each unit's
/// answer is kept, since one unit has many entries.
pub(crate) struct RowPlacer {
    rows: std::collections::HashSet<String>,
    placed: BTreeMap<String, String>,
}

impl RowPlacer {
    pub(crate) fn new(rows: &[giamngheo_store::UnitRecord]) -> RowPlacer {
        RowPlacer {
            rows: rows.iter().map(|u| u.code.clone()).collect(),
            placed: BTreeMap::new(),
        }
    }
}

impl App {
    /// The row of `placer`'s report that holds `unit_code`.
    pub(crate) async fn row_of(
        &self,
        placer: &mut RowPlacer,
        unit_code: &str,
    ) -> Result<String, AppError> {
        if let Some(row) = placer.placed.get(unit_code) {
            return Ok(row.clone());
        }
        let chain = self.store().ancestry(unit_code).await?;
        let row = chain
            .iter()
            .map(|u| u.code.as_str())
            .find(|c| placer.rows.contains(*c))
            .unwrap_or(unit_code)
            .to_string();
        placer.placed.insert(unit_code.to_string(), row.clone());
        Ok(row)
    }
}
