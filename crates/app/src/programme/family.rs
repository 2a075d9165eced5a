//! The programme's progress report family as one answer (issue 16: "planned / allocated /
//! disbursed / rate by project and source …; activities planned vs done; beneficiaries
//! by group"): the money's progress, the activities' report (`09-hoat-dong-chuong-trinh`),
//! or both, for `GET /api/v1/programme/progress?part=` and `giamngheo programme report
//! --part`. Officials file the two together, so `all` gives one workbook or PDF with a
//! sheet each; the money stays the default so that existing callers get what they got.

use super::MoneyAction;
use super::progress::Progress;
use crate::access::Actor;
use crate::print_wording::Wording;
use crate::reports::{Report, ReportRequest};
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_sheets::reports::SheetReport;

/// The report definition of the activities and beneficiaries.
pub const ACTIVITY_REPORT: &str = "hoat-dong-chuong-trinh";

/// Which part of the family is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressPart {
    #[default]
    Money,
    Activities,
    All,
}

impl std::str::FromStr for ProgressPart {
    type Err = AppError;

    fn from_str(s: &str) -> Result<ProgressPart, AppError> {
        match s.trim() {
            "" | "money" => Ok(ProgressPart::Money),
            "activities" => Ok(ProgressPart::Activities),
            "all" => Ok(ProgressPart::All),
            other => Err(AppError::invalid(
                "part",
                format!("phần «{other}» không có (money, activities, all)"),
            )),
        }
    }
}

/// The parts of the family asked for.
#[derive(Debug, Clone)]
pub struct ProgressFamily {
    pub money: Option<Progress>,
    pub activities: Option<Report>,
}

impl ProgressFamily {
    /// The answer as JSON: the part itself when one was asked for (the money's as it
    /// always was), else `{"money": …, "activities": …}`. The activities carry
    /// `check_failed` as the reports API does.
    pub fn to_json(&self) -> Result<serde_json::Value, AppError> {
        let json = |e: serde_json::Error| AppError::invalid("format", format!("JSON: {e}"));
        let money = self
            .money
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(json)?;
        let activities = match &self.activities {
            Some(r) => {
                let mut v = serde_json::to_value(r).map_err(json)?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("check_failed".into(), r.check_failed().into());
                }
                Some(v)
            }
            None => None,
        };
        Ok(match (money, activities) {
            (Some(m), None) => m,
            (None, Some(a)) => a,
            (m, a) => serde_json::json!({ "money": m, "activities": a }),
        })
    }

    /// The sheets of the files, the money's first. Refused (409) when the activities'
    /// check fails, as every report file is.
    pub fn sheets(
        &self,
        today: NaiveDate,
        wording: &Wording,
    ) -> Result<Vec<SheetReport>, AppError> {
        let mut sheets = Vec::new();
        if let Some(m) = &self.money {
            sheets.push(m.to_sheet(today, wording));
        }
        if let Some(a) = &self.activities {
            a.ensure_exportable()?;
            sheets.push(a.to_sheet(today, wording));
        }
        Ok(sheets)
    }

    /// The file name's stem.
    pub fn stem(&self, unit: &str, year: i32) -> String {
        let part = match (&self.money, &self.activities) {
            (Some(_), None) => "tien-do-von",
            (None, Some(_)) => ACTIVITY_REPORT,
            _ => "tien-do-chuong-trinh",
        };
        format!("{part}-{unit}-{year}")
    }
}

impl App {
    /// The parts of the programme's progress of `unit` in `year` asked for; every part
    /// needs the programme's read access to the unit.
    pub async fn programme_progress_family(
        &self,
        actor: &Actor,
        unit: &str,
        year: i32,
        part: ProgressPart,
    ) -> Result<ProgressFamily, AppError> {
        self.authorize_money(actor, MoneyAction::Read, unit).await?;
        let money = match part {
            ProgressPart::Activities => None,
            _ => Some(self.programme_progress_as_system(unit, year).await?),
        };
        let activities = match part {
            ProgressPart::Money => None,
            _ => Some(
                self.report_as_system(&ReportRequest {
                    name: ACTIVITY_REPORT.into(),
                    unit: unit.into(),
                    period: year,
                    as_of: None,
                    basis: None,
                })
                .await?,
            ),
        };
        Ok(ProgressFamily { money, activities })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_are_read_and_money_is_the_default() {
        assert_eq!("".parse::<ProgressPart>().unwrap(), ProgressPart::Money);
        assert_eq!(
            "activities".parse::<ProgressPart>().unwrap(),
            ProgressPart::Activities
        );
        assert_eq!("all".parse::<ProgressPart>().unwrap(), ProgressPart::All);
        assert!("tien".parse::<ProgressPart>().is_err());
    }
}
