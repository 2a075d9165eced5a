//! The poverty-reduction programme (issue 16): its structure and funding sources as data
//! (`giamngheo_rules::programme`), the units' allocation flags, the suggested allocation
//! of a budget to communes, the money ledger (plans, allocations, disbursements), and
//! the activities with their beneficiaries and the livelihood models' evaluation.
//!
//! Who may do what is decided in [`access`]; every function here asks it first.

pub mod access;
pub mod activities;
pub mod activity_report;
pub mod allocation;
pub mod beneficiary_imports;
pub mod demo;
pub mod evaluation;
pub mod family;
pub mod figures;
pub mod ledger;
pub mod progress;

pub use access::MoneyAction;
pub use activities::{ActivityInput, ActivityView, BeneficiaryInput, BeneficiaryView, SourceCost};
pub use allocation::{
    AdoptItem, AdoptRequest, FlagsInput, SuggestRequest, Suggestion, SuggestionItem,
};
pub use beneficiary_imports::ActivityImportSummary;
pub use evaluation::{Evaluation, EvaluationGroup};
pub use family::{ProgressFamily, ProgressPart};
pub use figures::{FigureLine, FigureList, is_programme_fact};
pub use ledger::{DisbursementInput, EntryView, PlanInput, ReverseInput};
pub use progress::{Amounts, CommuneLine, Progress, ProjectLine};

use crate::{App, AppError};
use giamngheo_rules::programme::{ProgrammeSet, ProgrammeStructure};

impl App {
    /// The programme's structures, funding sources and allocation rules in use.
    pub fn programme(&self) -> &ProgrammeSet {
        &self.config().programme
    }

    /// The programme period of `year`, or a clear error naming the year.
    pub(crate) fn structure_for(&self, year: i32) -> Result<&ProgrammeStructure, AppError> {
        self.programme().structure_for(year).ok_or_else(|| {
            AppError::invalid(
                "year",
                format!("năm {year} không thuộc giai đoạn nào của chương trình"),
            )
        })
    }

    /// Checks that `project` is a project or sub-project of the year's period and
    /// `source` a funding source open that year.
    pub(crate) fn check_budget_line(
        &self,
        year: i32,
        project: &str,
        source: &str,
    ) -> Result<&ProgrammeStructure, AppError> {
        let structure = self.structure_for(year)?;
        if !structure.has_budget_line(project) {
            return Err(AppError::invalid(
                "project",
                format!("dự án «{project}» không có trong {}", structure.name_vi),
            ));
        }
        match self.programme().funding_source(source) {
            Some(s) if s.open_in(year) => Ok(structure),
            Some(s) => Err(AppError::invalid(
                "source",
                format!("nguồn vốn «{}» không còn trong năm {year}", s.name_vi),
            )),
            None => Err(AppError::invalid(
                "source",
                format!("nguồn vốn «{source}» không có trong danh mục"),
            )),
        }
    }
}
