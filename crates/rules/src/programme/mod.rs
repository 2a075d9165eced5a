//! The poverty-reduction programme as data: its periods' structure (projects,
//! sub-projects, activity types), its funding sources, and the coefficients that suggest
//! how a budget is shared among communes.
//!
//! Like the standards, the files are embedded (`programme/*.toml`) and a folder of files
//! of the same kind and id replaces them without a rebuild ([`ProgrammeSet::with_dir`]).
//! Each file says what it is with `kind = "structure" | "funding_sources" | "allocation"`.

mod allocation;
mod structure;

pub use allocation::{
    AllocationError, AllocationRule, BaseReason, Coefficient, CommuneCoefficients, CommuneFlags,
    CommuneInput, SuggestedShare, VillageCoefficients, Weighting, Zone, largest_remainder, suggest,
};
pub use structure::{
    ActivityPlace, ActivityType, BeneficiaryGroup, ProgrammeIndicator, ProgrammeStructure, Project,
    Subproject,
};

use serde::{Deserialize, Serialize};

const EMBEDDED: [(&str, &str); 4] = [
    (
        "ntp-2021-2025.toml",
        include_str!("../../programme/ntp-2021-2025.toml"),
    ),
    (
        "ntp-2026-2035.toml",
        include_str!("../../programme/ntp-2026-2035.toml"),
    ),
    (
        "funding-sources.toml",
        include_str!("../../programme/funding-sources.toml"),
    ),
    (
        "allocation-2026-2030.toml",
        include_str!("../../programme/allocation-2026-2030.toml"),
    ),
];

/// A source of money (nguồn vốn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingSource {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// The last year the source exists (the district budget ends with the districts).
    #[serde(default)]
    pub until: Option<i32>,
}

impl FundingSource {
    /// Whether money may be recorded from this source in `year`.
    pub fn open_in(&self, year: i32) -> bool {
        self.until.is_none_or(|until| year <= until)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FundingSourcesFile {
    kind: String,
    id: String,
    sources: Vec<FundingSource>,
}

#[derive(Deserialize)]
struct KindOnly {
    kind: String,
}

/// A programme file that cannot be used, named by file, line and reason.
#[derive(Debug, thiserror::Error)]
pub enum ProgrammeError {
    #[error("{file}:{line}: {reason}")]
    Invalid {
        file: String,
        line: usize,
        reason: String,
    },
    #[error("{file}: không đọc được tệp (cannot read the file): {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

/// The structures, funding sources and allocation rules the product knows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeSet {
    structures: Vec<ProgrammeStructure>,
    sources: Vec<FundingSource>,
    allocation_rules: Vec<AllocationRule>,
}

fn invalid(file: &str, text: &str, error: &toml::de::Error) -> ProgrammeError {
    let line = error
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
        .unwrap_or(1);
    ProgrammeError::Invalid {
        file: file.to_string(),
        line,
        reason: error.message().to_string(),
    }
}

impl ProgrammeSet {
    /// The files built into the binary.
    pub fn embedded() -> ProgrammeSet {
        let mut set = ProgrammeSet {
            structures: Vec::new(),
            sources: Vec::new(),
            allocation_rules: Vec::new(),
        };
        // The embedded files are checked by this crate's tests; a failure here is a build
        // defect, not a user error.
        set.add_files(EMBEDDED)
            .unwrap_or_else(|error| panic!("embedded programme file is invalid: {error}"));
        set
    }

    /// The embedded files plus every `*.toml` file of `dir`, which replace embedded
    /// files of the same kind and id. The one function here that reads the file system.
    pub fn with_dir(dir: &std::path::Path) -> Result<ProgrammeSet, ProgrammeError> {
        let dir_name = dir.display().to_string();
        let read_error = |source| ProgrammeError::Read {
            file: dir_name.clone(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(read_error)? {
            let path = entry.map_err(read_error)?.path();
            if path.extension().is_some_and(|ext| ext == "toml") && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| ProgrammeError::Read {
                file: name.clone(),
                source,
            })?;
            files.push((name, text));
        }
        let mut set = ProgrammeSet::embedded();
        set.add_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))?;
        Ok(set)
    }

    /// Parses and adds files given as `(name, text)`; a file replaces the one of the same
    /// kind and id. Pure: [`ProgrammeSet::with_dir`] reads the files.
    pub fn add_files<'a>(
        &mut self,
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), ProgrammeError> {
        for (name, text) in files {
            let kind: KindOnly = toml::from_str(text).map_err(|e| invalid(name, text, &e))?;
            let semantic = |reason: String| ProgrammeError::Invalid {
                file: name.to_string(),
                line: 1,
                reason,
            };
            match kind.kind.as_str() {
                "structure" => {
                    let structure: ProgrammeStructure =
                        toml::from_str(text).map_err(|e| invalid(name, text, &e))?;
                    structure.check().map_err(semantic)?;
                    self.structures.retain(|s| s.id != structure.id);
                    self.structures.push(structure);
                    self.structures.sort_by_key(|s| s.from);
                }
                "funding_sources" => {
                    let file: FundingSourcesFile =
                        toml::from_str(text).map_err(|e| invalid(name, text, &e))?;
                    if file.sources.is_empty() {
                        return Err(semantic("no [[sources]] (không có nguồn vốn nào)".into()));
                    }
                    self.sources = file.sources;
                }
                "allocation" => {
                    let rule: AllocationRule =
                        toml::from_str(text).map_err(|e| invalid(name, text, &e))?;
                    rule.check().map_err(semantic)?;
                    self.allocation_rules.retain(|r| r.id != rule.id);
                    self.allocation_rules.push(rule);
                    self.allocation_rules.sort_by_key(|r| r.from);
                }
                other => {
                    return Err(semantic(format!(
                        "kind = «{other}»: expected structure, funding_sources or allocation (loại tệp không hợp lệ)"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Every programme period, oldest first.
    pub fn structures(&self) -> &[ProgrammeStructure] {
        &self.structures
    }

    /// The programme period that covers `year` (the latest if periods overlap).
    pub fn structure_for(&self, year: i32) -> Option<&ProgrammeStructure> {
        self.structures.iter().rev().find(|s| s.covers(year))
    }

    /// Every funding source, in file order.
    pub fn funding_sources(&self) -> &[FundingSource] {
        &self.sources
    }

    /// The funding source of this code.
    pub fn funding_source(&self, code: &str) -> Option<&FundingSource> {
        self.sources.iter().find(|s| s.code == code)
    }

    /// The allocation rule that covers `year` (the latest if rules overlap).
    pub fn allocation_rule_for(&self, year: i32) -> Option<&AllocationRule> {
        self.allocation_rules.iter().rev().find(|r| r.covers(year))
    }

    /// Every allocation rule, oldest first.
    pub fn allocation_rules(&self) -> &[AllocationRule] {
        &self.allocation_rules
    }
}

#[cfg(test)]
mod tests;
