//! The drill-down of the programme's reports (`08-tien-do-von`, `09-hoat-dong-chuong-trinh`):
//! the ledger entries, activities or beneficiary households behind one figure of a row.
//!
//! The lists are read with the same computation as the figures (the ledger's entries of
//! the unit, [`App::counted_activities`]), so a list's figures add up to the cell it was
//! opened from. Access is the programme's read access to the row's unit; the names of
//! beneficiaries show only where the user may read personal data, as on an activity's
//! page.

use super::MoneyAction;
use super::activity_report::{BeneficiaryGroupOn, CountedActivity};
use crate::access::{Action, Actor};
use crate::{App, AppError};
use giamngheo_sheets::reports::number;
use serde::Serialize;
use std::collections::HashMap;

/// The fact prefixes whose figures this module lists (the registry's figures drill down
/// to households through the reports' own list).
pub const PROGRAMME_FACTS: [&str; 4] = ["money.", "activity.", "beneficiaries.", "events."];

/// Whether a report's fact is one of the programme's.
pub fn is_programme_fact(key: &str) -> bool {
    PROGRAMME_FACTS.iter().any(|p| key.starts_with(p))
}

/// One line of a list behind a figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureLine {
    /// The activity the line is or names, for a link to its page.
    pub activity_id: Option<i64>,
    /// The household of a beneficiary line, for a link to its page (only when its names
    /// are shown).
    pub household_id: Option<i64>,
    /// The line's text cells under [`FigureList::headings`], written as Vietnamese
    /// documents write them (dates `dd/mm/yyyy`, numbers `1.500.000`).
    pub cells: Vec<String>,
    /// What the line adds to the figure.
    pub figure: i64,
}

/// The list behind one figure of a programme report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureList {
    pub unit: String,
    pub unit_name: String,
    pub year: i32,
    pub key: String,
    pub title: String,
    pub title_en: String,
    pub headings: Vec<String>,
    pub headings_en: Vec<String>,
    /// The heading of the figure column (đồng, lượt hộ, người…).
    pub figure_heading: String,
    pub figure_heading_en: String,
    pub lines: Vec<FigureLine>,
    /// The figure of the report's cell: the lines' figures added up.
    pub total: i64,
}

/// What a fact asks for, parsed.
enum Fact<'a> {
    Money {
        kind: &'a str,
        source: Option<&'a str>,
        /// A project of the year's structure: its own entries and its sub-projects'.
        project: Option<&'a str>,
    },
    Activity {
        code: &'a str,
        measure: &'a str,
    },
    Event(&'a str),
    Beneficiaries(&'a str),
}

fn parse_fact(key: &str) -> Option<Fact<'_>> {
    let money_kind = |k: &str| matches!(k, "planned" | "allocated" | "disbursed");
    if let Some(rest) = key.strip_prefix("money.") {
        return match rest.split('.').collect::<Vec<_>>().as_slice() {
            [kind] if money_kind(kind) => Some(Fact::Money {
                kind,
                source: None,
                project: None,
            }),
            ["source", source, kind] if money_kind(kind) => Some(Fact::Money {
                kind,
                source: Some(source),
                project: None,
            }),
            ["project", project, kind] if money_kind(kind) => Some(Fact::Money {
                kind,
                source: None,
                project: Some(project),
            }),
            _ => None,
        };
    }
    if let Some(rest) = key.strip_prefix("activity.") {
        let (code, measure) = rest.rsplit_once('.')?;
        return matches!(measure, "planned" | "done" | "count")
            .then_some(Fact::Activity { code, measure });
    }
    if let Some(m) = key.strip_prefix("events.") {
        return matches!(m, "participants" | "women" | "ethnic_minority").then_some(Fact::Event(m));
    }
    let group = key.strip_prefix("beneficiaries.")?;
    matches!(
        group,
        "households"
            | "people"
            | "poor"
            | "near_poor"
            | "recently_escaped"
            | "ethnic_minority"
            | "other"
    )
    .then_some(Fact::Beneficiaries(group))
}

/// Which of a money figure's entries a list keeps: those of one funding source, or of one
/// project (with its sub-projects), or all.
struct MoneyFilter<'a> {
    source: Option<&'a str>,
    project: Option<&'a str>,
}

/// A group's name in the lists (the report's column headings).
fn group_vi(g: BeneficiaryGroupOn) -> &'static str {
    match g {
        BeneficiaryGroupOn::Poor => "Hộ nghèo",
        BeneficiaryGroupOn::NearPoor => "Hộ cận nghèo",
        BeneficiaryGroupOn::RecentlyEscaped => "Hộ mới thoát nghèo",
        BeneficiaryGroupOn::EthnicMinority => "Hộ dân tộc thiểu số khác",
        BeneficiaryGroupOn::Other => "Hộ khác",
    }
}

fn day(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl App {
    /// The list behind the figure `key` of `year` on the row of `unit` (the row's own
    /// entries only when `own`: the row a province's own plan or activity is shown on,
    /// beside the total of the same unit).
    pub async fn programme_figure(
        &self,
        actor: &Actor,
        unit: &str,
        year: i32,
        key: &str,
        own: bool,
    ) -> Result<FigureList, AppError> {
        self.authorize_money(actor, MoneyAction::Read, unit).await?;
        let fact = parse_fact(key).ok_or_else(|| {
            AppError::invalid(
                "key",
                format!("«{key}» không phải số liệu của chương trình"),
            )
        })?;
        let record = self.unit(unit).await?;
        let mut list = FigureList {
            unit: record.code.clone(),
            unit_name: record.name.clone(),
            year,
            key: key.to_string(),
            title: String::new(),
            title_en: String::new(),
            headings: Vec::new(),
            headings_en: Vec::new(),
            figure_heading: String::new(),
            figure_heading_en: String::new(),
            lines: Vec::new(),
            total: 0,
        };
        match fact {
            Fact::Money {
                kind,
                source,
                project,
            } => {
                let filter = MoneyFilter { source, project };
                self.money_lines(&mut list, &record, own, kind, filter)
                    .await?
            }
            other => {
                let activities: Vec<CountedActivity> = self
                    .counted_activities(&record, year)
                    .await?
                    .into_iter()
                    .filter(|a| !own || a.record.fields.unit_code == record.code)
                    .collect();
                self.activity_lines(actor, &mut list, &activities, other)
                    .await?
            }
        }
        list.total = list.lines.iter().map(|l| l.figure).sum();
        let (vi, en) = (list.title.clone(), list.title_en.clone());
        list.title = format!("{vi} năm {year} — {}", record.name);
        list.title_en = format!("{en}, {year} — {}", record.name);
        Ok(list)
    }

    /// The ledger's entries of one kind (and source), reversals with their negative
    /// amounts as the report counts them.
    async fn money_lines(
        &self,
        list: &mut FigureList,
        record: &giamngheo_store::UnitRecord,
        own: bool,
        kind: &str,
        filter: MoneyFilter<'_>,
    ) -> Result<(), AppError> {
        let MoneyFilter { source, project } = filter;
        let (ledger_kind, vi, en) = match kind {
            "planned" => ("plan", "Các khoản kế hoạch vốn", "Planned amounts"),
            "allocated" => ("allocation", "Các khoản vốn đã phân bổ", "Allocations"),
            _ => ("disbursement", "Các khoản đã giải ngân", "Disbursements"),
        };
        let set = self.programme();
        let source_name = |code: &str| {
            set.funding_source(code)
                .map(|s| (s.name_vi.clone(), s.name_en.clone()))
                .unwrap_or_else(|| (code.to_string(), code.to_string()))
        };
        (list.title, list.title_en) = match source {
            Some(code) => {
                let (name_vi, name_en) = source_name(code);
                (
                    format!("{vi} — nguồn {name_vi}"),
                    format!("{en} — source {name_en}"),
                )
            }
            None => (vi.to_string(), en.to_string()),
        };
        if let Some(code) = project {
            let (name_vi, name_en) = set
                .structure_for(list.year)
                .and_then(|s| s.project(code))
                .map(|p| (p.name_vi.clone(), p.name_en.clone()))
                .unwrap_or_else(|| (code.to_string(), code.to_string()));
            list.title = format!("{} — {name_vi}", list.title);
            list.title_en = format!("{} — {name_en}", list.title_en);
        }
        list.headings = strings(&[
            "Ngày",
            "Số chứng từ",
            "Đơn vị",
            "Dự án",
            "Nguồn vốn",
            "Ghi chú",
        ]);
        list.headings_en = strings(&["Date", "Document", "Unit", "Project", "Source", "Note"]);
        list.figure_heading = "Số tiền (đồng)".into();
        list.figure_heading_en = "Amount (VND)".into();
        let units = self.money_units(record, list.year).await?;
        let entries = self
            .store()
            .entries(&record.province_code, list.year, &units, &[ledger_kind])
            .await?;
        let mut names: HashMap<String, String> = HashMap::new();
        for e in entries {
            if own && e.unit_code != record.code {
                continue;
            }
            if source.is_some_and(|s| s != e.source) {
                continue;
            }
            if project.is_some_and(|p| {
                super::progress::project_of(set, &e.programme, &e.project, list.year) != Some(p)
            }) {
                continue;
            }
            if !names.contains_key(&e.unit_code) {
                let name = self
                    .unit(&e.unit_code)
                    .await
                    .map(|u| u.name)
                    .unwrap_or_else(|_| e.unit_code.clone());
                names.insert(e.unit_code.clone(), name);
            }
            let (project, _, _) = super::progress::line_names(set, &e.programme, &e.project);
            let mut note = e.note.clone().unwrap_or_default();
            if let Some(old) = e.reverses {
                // A reversal names the entry it cancels, as the ledger page does.
                note = format!("Điều chỉnh bút toán số {old}. {note}")
                    .trim()
                    .to_string();
            }
            list.lines.push(FigureLine {
                activity_id: e.activity_id,
                household_id: None,
                cells: vec![
                    day(e.entry_date),
                    e.document_number.clone().unwrap_or_default(),
                    names[&e.unit_code].clone(),
                    project,
                    source_name(&e.source).0,
                    note,
                ],
                figure: e.amount,
            });
        }
        Ok(())
    }

    /// The activities (or their beneficiaries) behind an activity, event or beneficiary
    /// figure.
    async fn activity_lines(
        &self,
        actor: &Actor,
        list: &mut FigureList,
        activities: &[CountedActivity],
        fact: Fact<'_>,
    ) -> Result<(), AppError> {
        let activity_cells = |a: &CountedActivity| {
            let f = &a.record.fields;
            vec![
                f.name.clone(),
                f.unit_code.clone(),
                day(f.start_date),
                f.end_date.map(day).unwrap_or_default(),
            ]
        };
        match fact {
            Fact::Activity { code, measure } => {
                let name = self
                    .programme()
                    .structure_for(list.year)
                    .map(super::activity_report::activity_type_list)
                    .unwrap_or_default()
                    .into_iter()
                    .find(|(c, _, _)| c == code)
                    .map(|(_, vi, en)| (vi, en))
                    .unwrap_or_else(|| (code.to_string(), code.to_string()));
                let (vi, en, heading, heading_en) = match measure {
                    "planned" => (
                        "Khối lượng kế hoạch",
                        "Planned quantity",
                        "Kế hoạch",
                        "Planned",
                    ),
                    "done" => (
                        "Khối lượng đã thực hiện",
                        "Done quantity",
                        "Đã thực hiện",
                        "Done",
                    ),
                    _ => ("Các hoạt động", "Activities", "Số hoạt động", "Activities"),
                };
                list.title = format!("{vi}: {}", name.0);
                list.title_en = format!("{en}: {}", name.1);
                (list.figure_heading, list.figure_heading_en) =
                    (heading.to_string(), heading_en.to_string());
                list.headings = strings(&["Hoạt động", "Mã đơn vị", "Từ ngày", "Đến ngày"]);
                list.headings_en = strings(&["Activity", "Unit", "From", "To"]);
                for a in activities.iter().filter(|a| a.code == code) {
                    let f = &a.record.fields;
                    let figure = match measure {
                        "planned" => f.planned_quantity.unwrap_or(0),
                        "done" => f.done_quantity.unwrap_or(0),
                        _ => 1,
                    };
                    list.lines.push(FigureLine {
                        activity_id: Some(a.record.activity_id),
                        household_id: None,
                        cells: activity_cells(a),
                        figure,
                    });
                }
            }
            Fact::Event(measure) => {
                let (vi, en, heading, heading_en) = match measure {
                    "women" => (
                        "Người tham gia sự kiện là nữ",
                        "Women at events",
                        "Nữ",
                        "Women",
                    ),
                    "ethnic_minority" => (
                        "Người tham gia sự kiện là người dân tộc thiểu số",
                        "Ethnic-minority people at events",
                        "Dân tộc thiểu số",
                        "Ethnic minority",
                    ),
                    _ => (
                        "Người tham gia sự kiện",
                        "Event participants",
                        "Người tham gia",
                        "Participants",
                    ),
                };
                (list.title, list.title_en) = (vi.to_string(), en.to_string());
                (list.figure_heading, list.figure_heading_en) =
                    (heading.to_string(), heading_en.to_string());
                list.headings = strings(&["Sự kiện", "Mã đơn vị", "Từ ngày", "Đến ngày"]);
                list.headings_en = strings(&["Event", "Unit", "From", "To"]);
                for a in activities.iter().filter(|a| a.event) {
                    let f = &a.record.fields;
                    let n = match measure {
                        "women" => f.participants_women,
                        "ethnic_minority" => f.participants_minority,
                        _ => f.participants,
                    };
                    list.lines.push(FigureLine {
                        activity_id: Some(a.record.activity_id),
                        household_id: None,
                        cells: activity_cells(a),
                        figure: i64::from(n.unwrap_or(0)),
                    });
                }
            }
            Fact::Beneficiaries(group) => {
                self.beneficiary_lines(actor, list, activities, group)
                    .await?
            }
            Fact::Money { .. } => {}
        }
        Ok(())
    }

    /// The beneficiary households (or named people) behind a beneficiary figure, one
    /// line per activity and household as the report counts them (lượt hộ).
    async fn beneficiary_lines(
        &self,
        actor: &Actor,
        list: &mut FigureList,
        activities: &[CountedActivity],
        group: &str,
    ) -> Result<(), AppError> {
        let people = group == "people";
        (list.title, list.title_en) = match group {
            "people" => (
                "Người hưởng lợi được ghi tên".to_string(),
                "Named beneficiary people".to_string(),
            ),
            "households" => (
                "Lượt hộ hưởng lợi".to_string(),
                "Beneficiary households".to_string(),
            ),
            g => {
                let vi = [
                    BeneficiaryGroupOn::Poor,
                    BeneficiaryGroupOn::NearPoor,
                    BeneficiaryGroupOn::RecentlyEscaped,
                    BeneficiaryGroupOn::EthnicMinority,
                    BeneficiaryGroupOn::Other,
                ]
                .into_iter()
                .find(|x| x.key() == g)
                .map(group_vi)
                .unwrap_or(g);
                (
                    format!("Lượt hộ hưởng lợi: {}", vi.to_lowercase()),
                    format!("Beneficiary households: {g}"),
                )
            }
        };
        list.headings = strings(&[
            "Hoạt động",
            "Ngày bắt đầu",
            "Mã hộ",
            "Chủ hộ",
            if people {
                "Người hưởng lợi"
            } else {
                "Nhóm đối tượng"
            },
        ]);
        list.headings_en = strings(&[
            "Activity",
            "Start",
            "Household",
            "Head",
            if people { "Person" } else { "Group" },
        ]);
        (list.figure_heading, list.figure_heading_en) = if people {
            ("Người".to_string(), "People".to_string())
        } else {
            ("Lượt hộ".to_string(), "Households".to_string())
        };
        // Whether the user may read the names of a commune's households, asked once per
        // commune.
        let mut personal: HashMap<String, bool> = HashMap::new();
        for a in activities {
            let f = &a.record.fields;
            let lines: Vec<(&giamngheo_store::BeneficiaryRecord, String)> = if people {
                a.people
                    .iter()
                    .map(|b| (b, b.member_name.clone().unwrap_or_default()))
                    .collect()
            } else {
                a.households
                    .iter()
                    .filter(|(_, g)| group == "households" || g.key() == group)
                    .map(|(b, g)| (b, group_vi(*g).to_string()))
                    .collect()
            };
            for (b, last) in lines {
                if !personal.contains_key(&b.commune_code) {
                    let may = self
                        .authorize(actor, Action::ReadPersonal, &b.commune_code)
                        .await
                        .is_ok();
                    personal.insert(b.commune_code.clone(), may);
                }
                let may = personal[&b.commune_code];
                list.lines.push(FigureLine {
                    activity_id: Some(a.record.activity_id),
                    household_id: b.household_id.filter(|_| may),
                    cells: vec![
                        f.name.clone(),
                        day(f.start_date),
                        b.household_code.clone().unwrap_or_default(),
                        b.head_name.clone().filter(|_| may).unwrap_or_default(),
                        if people && !may { String::new() } else { last },
                    ],
                    figure: 1,
                });
            }
        }
        Ok(())
    }
}

impl FigureList {
    /// The total as the report writes it.
    pub fn total_text(&self) -> String {
        number(self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_programme_facts_are_parsed_and_others_refused() {
        assert!(matches!(
            parse_fact("money.source.central.disbursed"),
            Some(Fact::Money {
                kind: "disbursed",
                source: Some("central"),
                project: None
            })
        ));
        assert!(matches!(
            parse_fact("money.project.p1.planned"),
            Some(Fact::Money {
                kind: "planned",
                source: None,
                project: Some("p1")
            })
        ));
        assert!(matches!(
            parse_fact("activity.p1.3.livelihood_model.done"),
            Some(Fact::Activity {
                code: "p1.3.livelihood_model",
                measure: "done"
            })
        ));
        assert!(matches!(
            parse_fact("beneficiaries.near_poor"),
            Some(Fact::Beneficiaries("near_poor"))
        ));
        assert!(parse_fact("money.rate").is_none());
        assert!(parse_fact("poor.households").is_none());
        assert!(is_programme_fact("events.women"));
        assert!(!is_programme_fact("poor.households"));
    }
}
