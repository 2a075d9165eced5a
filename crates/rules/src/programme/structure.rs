//! The programme's structure as data: programme → project → sub-project → activity type.

use serde::{Deserialize, Serialize};

/// Who a project serves, as the structure files name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BeneficiaryGroup {
    Poor,
    NearPoor,
    RecentlyEscaped,
    EthnicMinority,
    Workers,
    Communes,
}

impl BeneficiaryGroup {
    /// The group's name in Vietnamese.
    pub fn name_vi(self) -> &'static str {
        match self {
            BeneficiaryGroup::Poor => "Hộ nghèo",
            BeneficiaryGroup::NearPoor => "Hộ cận nghèo",
            BeneficiaryGroup::RecentlyEscaped => "Hộ mới thoát nghèo",
            BeneficiaryGroup::EthnicMinority => "Hộ đồng bào dân tộc thiểu số",
            BeneficiaryGroup::Workers => "Người lao động",
            BeneficiaryGroup::Communes => "Xã",
        }
    }
}

/// A measure a project or sub-project reports on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeIndicator {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub unit_vi: String,
    pub unit_en: String,
}

/// A kind of activity a project pays for, with the unit its quantities count in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityType {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub unit_vi: String,
    pub unit_en: String,
    /// A livelihood model: its participants are followed by the evaluation report.
    #[serde(default)]
    pub livelihood_model: bool,
    /// A communication or training event: it counts participants by sex and ethnicity.
    #[serde(default)]
    pub event: bool,
}

/// A sub-project (tiểu dự án) of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subproject {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    #[serde(default)]
    pub beneficiaries: Vec<BeneficiaryGroup>,
    #[serde(default)]
    pub indicators: Vec<ProgrammeIndicator>,
    #[serde(default)]
    pub activity_types: Vec<ActivityType>,
    #[serde(default)]
    pub to_confirm: bool,
}

/// A project (dự án, or hợp phần since 2026) of a programme period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    #[serde(default)]
    pub beneficiaries: Vec<BeneficiaryGroup>,
    #[serde(default)]
    pub indicators: Vec<ProgrammeIndicator>,
    #[serde(default)]
    pub subprojects: Vec<Subproject>,
    /// Activity types directly under the project, for projects without sub-projects.
    #[serde(default)]
    pub activity_types: Vec<ActivityType>,
    #[serde(default)]
    pub to_confirm: bool,
}

/// One programme period: its name, years, legal source and projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeStructure {
    pub kind: String,
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub source: String,
    /// The whole period's components are known only from drafts or news.
    #[serde(default)]
    pub to_confirm: bool,
    pub from: i32,
    pub to: i32,
    /// How long a household that left the poor or near-poor lists counts as "recently
    /// escaped" (hộ mới thoát nghèo) among the period's beneficiaries, in years; the
    /// window is the one of `StatusHistory::recently_escaped_on`.
    #[serde(default)]
    pub recently_escaped_years: Option<crate::figure::Figure>,
    pub projects: Vec<Project>,
}

/// Where an activity type sits in a structure: its project and, if any, sub-project.
#[derive(Debug, Clone, Copy)]
pub struct ActivityPlace<'a> {
    pub project: &'a Project,
    pub subproject: Option<&'a Subproject>,
    pub activity_type: &'a ActivityType,
}

impl ProgrammeStructure {
    /// Whether the period covers `year`.
    pub fn covers(&self, year: i32) -> bool {
        (self.from..=self.to).contains(&year)
    }

    /// The project or sub-project of this code (`p1`, `p1.3`).
    pub fn project(&self, code: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.code == code)
    }

    /// Whether `code` names a project or a sub-project of this period.
    pub fn has_budget_line(&self, code: &str) -> bool {
        self.projects
            .iter()
            .any(|p| p.code == code || p.subprojects.iter().any(|s| s.code == code))
    }

    /// The project a project or sub-project code belongs to.
    pub fn project_of(&self, code: &str) -> Option<&Project> {
        self.projects
            .iter()
            .find(|p| p.code == code || p.subprojects.iter().any(|s| s.code == code))
    }

    /// Every activity type with where it sits, in file order.
    pub fn activity_places(&self) -> impl Iterator<Item = ActivityPlace<'_>> {
        self.projects.iter().flat_map(|project| {
            let direct = project.activity_types.iter().map(move |t| ActivityPlace {
                project,
                subproject: None,
                activity_type: t,
            });
            let nested = project.subprojects.iter().flat_map(move |s| {
                s.activity_types.iter().map(move |t| ActivityPlace {
                    project,
                    subproject: Some(s),
                    activity_type: t,
                })
            });
            direct.chain(nested)
        })
    }

    /// Checks what serde cannot: codes unique, years in order, something to record under.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.kind != "structure" {
            return Err(format!("kind = «{}», expected «structure»", self.kind));
        }
        if self.from > self.to {
            return Err(format!(
                "from = {} is after to = {} (năm bắt đầu sau năm kết thúc)",
                self.from, self.to
            ));
        }
        if self.projects.is_empty() {
            return Err("no [[projects]] (chương trình không có dự án nào)".into());
        }
        let mut codes: Vec<&str> = Vec::new();
        for project in &self.projects {
            codes.push(&project.code);
            codes.extend(project.subprojects.iter().map(|s| s.code.as_str()));
        }
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!(
                "project code «{}» is used twice (mã dự án bị trùng)",
                pair[0]
            ));
        }
        Ok(())
    }
}
