//! A unit's plan of tasks as a data file (TOML): the seed plan's section V is shipped as
//! the 2021 plan of the district 444 (`tasks/plan-444-2021.toml`), and an office loads
//! another plan of the same shape. Loading is idempotent: a task whose `ref` the unit's
//! plan of that year already holds is skipped, so the demo may load it again.

use super::TaskInput;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_rules::Recurrence;
use serde::Deserialize;

/// The seed plan's section V, as shipped.
pub const SEED_PLAN: &str = include_str!("../../tasks/plan-444-2021.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    unit: String,
    year: i32,
    #[allow(dead_code)]
    source: String,
    tasks: Vec<PlanTask>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanTask {
    #[serde(rename = "ref")]
    plan_ref: String,
    lead: String,
    #[serde(default)]
    co: Vec<String>,
    title: String,
    #[serde(default)]
    description: String,
    serves_kind: Option<String>,
    serves_code: Option<String>,
    recurrence: String,
    on: Option<NaiveDate>,
    month: Option<u32>,
    day: Option<u32>,
    #[serde(default)]
    to_confirm: bool,
}

/// What loading a plan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLoaded {
    pub inserted: usize,
    /// Tasks the plan already held.
    pub skipped: usize,
}

/// The tasks of a plan file, checked for shape; the unit's and agencies' existence is
/// checked when they are inserted.
fn parse(file: &str, text: &str) -> Result<Vec<TaskInput>, AppError> {
    let plan: PlanFile = toml::from_str(text)
        .map_err(|e| AppError::invalid("plan", format!("{file}: {}", e.message())))?;
    plan.tasks
        .into_iter()
        .map(|t| {
            let recurrence =
                Recurrence::from_parts(&t.recurrence, t.on, t.month, t.day).map_err(|e| {
                    AppError::invalid("plan", format!("{file}, mục {}: {e}", t.plan_ref))
                })?;
            Ok(TaskInput {
                unit_code: plan.unit.clone(),
                year: plan.year,
                plan_ref: Some(t.plan_ref),
                lead_agency: t.lead,
                co_agencies: t.co,
                title: t.title,
                description: t.description,
                serves_kind: t.serves_kind,
                serves_code: t.serves_code,
                recurrence,
                due_to_confirm: t.to_confirm,
                starts_on: None,
                ends_on: None,
            })
        })
        .collect()
}

impl App {
    /// Loads a plan file as the system (the command line, the demo). Every task is
    /// checked before the first is written, so a wrong file changes nothing.
    pub async fn load_plan_tasks(&self, file: &str, text: &str) -> Result<PlanLoaded, AppError> {
        let tasks = parse(file, text)?;
        for t in &tasks {
            self.unit(&t.unit_code).await?;
            for code in std::iter::once(&t.lead_agency).chain(&t.co_agencies) {
                if self.store().agency(code).await?.is_none() {
                    return Err(AppError::invalid(
                        "plan",
                        format!(
                            "{file}, mục {}: không có cơ quan mã «{code}»",
                            t.plan_ref.as_deref().unwrap_or("?")
                        ),
                    ));
                }
            }
        }
        let mut loaded = PlanLoaded {
            inserted: 0,
            skipped: 0,
        };
        for t in tasks {
            match self.insert_task("system", None, t).await? {
                Some(_) => loaded.inserted += 1,
                None => loaded.skipped += 1,
            }
        }
        Ok(loaded)
    }

    /// Loads the seed plan's section V as the 2021 plan of the district 444.
    pub async fn load_seed_plan_tasks(&self) -> Result<PlanLoaded, AppError> {
        self.load_plan_tasks("tasks/plan-444-2021.toml", SEED_PLAN)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_plan_parses_with_each_task_to_confirm() {
        let tasks = parse("seed", SEED_PLAN).unwrap();
        assert_eq!(tasks.len(), 19);
        assert!(
            tasks
                .iter()
                .all(|t| t.due_to_confirm && t.unit_code == "444")
        );
        let refs: std::collections::BTreeSet<_> =
            tasks.iter().map(|t| t.plan_ref.clone()).collect();
        assert_eq!(refs.len(), tasks.len(), "refs are unique");
    }

    #[test]
    fn a_wrong_recurrence_names_the_task() {
        let text = "unit = \"444\"\nyear = 2021\nsource = \"x\"\n[[tasks]]\nref = \"V.9\"\n\
                    lead = \"444-noivu\"\ntitle = \"t\"\nrecurrence = \"monthly\"\nday = 40\n";
        let e = parse("f.toml", text).unwrap_err().to_string();
        assert!(e.contains("mục V.9"), "{e}");
    }
}
