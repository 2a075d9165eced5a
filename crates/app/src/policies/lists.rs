//! The policies an agency's list may be imported for, and the column layout of each kind
//! of list, as data: TOML files shipped in `crates/app/benefit_lists/`, each of which a
//! folder of the same file names may replace (`BenefitLists::load_dir`).
//!
//! The policy part stands in for the policy catalogue until it lands; this is the one
//! place that knows policy codes, so the catalogue replaces it at the merge.

use giamngheo_sheets::benefit_lists::{ListField, ListLayout};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

const POLICIES: &str = include_str!("../../benefit_lists/policies.toml");
const LAYOUTS: [(&str, &str); 3] = [
    (
        "bhxh_cards",
        include_str!("../../benefit_lists/bhxh_cards.toml"),
    ),
    (
        "nhcsxh_loans",
        include_str!("../../benefit_lists/nhcsxh_loans.toml"),
    ),
    (
        "school_exemptions",
        include_str!("../../benefit_lists/school_exemptions.toml"),
    ),
];

/// Whether a policy goes to a person or to the whole household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenefitUnit {
    Person,
    Household,
}

/// A household status on a date that makes it eligible for a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EligibleStatus {
    Poor,
    NearPoor,
    /// Left the poor or near-poor list less than `recently_escaped_years` before.
    RecentlyEscaped,
}

/// A policy an agency's list may be imported for.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ListPolicy {
    pub code: String,
    pub name: String,
    pub agency_kinds: Vec<String>,
    pub unit: BenefitUnit,
    /// The layout of the list its agencies send.
    pub list: String,
    pub eligible: Vec<EligibleStatus>,
    /// A health-insurance card: a card of someone who died or moved away is a finding.
    #[serde(default)]
    pub card: bool,
    /// A loan for recently escaped households: one given after the years of grace is a
    /// finding of its own kind.
    #[serde(default)]
    pub loan_after_escape: bool,
}

#[derive(Debug, Deserialize)]
struct PoliciesFile {
    recently_escaped_years: u32,
    policy: Vec<ListPolicy>,
}

#[derive(Debug, Deserialize)]
struct LayoutFile {
    name: String,
    required: Vec<String>,
    columns: BTreeMap<String, Vec<String>>,
}

/// A layout with its Vietnamese name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedLayout {
    pub name: String,
    pub layout: ListLayout,
}

/// The policies and list layouts in force.
#[derive(Debug, Clone, PartialEq)]
pub struct BenefitLists {
    pub recently_escaped_years: u32,
    pub policies: Vec<ListPolicy>,
    pub layouts: BTreeMap<String, NamedLayout>,
}

impl BenefitLists {
    /// The files shipped in the crate.
    pub fn embedded() -> BenefitLists {
        let layouts: Vec<(String, String)> = LAYOUTS
            .iter()
            .map(|(k, t)| (k.to_string(), t.to_string()))
            .collect();
        BenefitLists::parse(POLICIES, &layouts).expect("the shipped benefit list files are valid")
    }

    /// The shipped files with those of `dir` (same names) laid over them.
    pub fn load_dir(dir: &Path) -> Result<BenefitLists, String> {
        let read = |name: &str, shipped: &str| -> Result<String, String> {
            let path = dir.join(format!("{name}.toml"));
            if path.exists() {
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
            } else {
                Ok(shipped.to_string())
            }
        };
        let policies = read("policies", POLICIES)?;
        let mut layouts = Vec::new();
        for (k, t) in LAYOUTS {
            layouts.push((k.to_string(), read(k, t)?));
        }
        BenefitLists::parse(&policies, &layouts)
    }

    fn parse(policies: &str, layouts: &[(String, String)]) -> Result<BenefitLists, String> {
        let file: PoliciesFile =
            toml::from_str(policies).map_err(|e| format!("policies.toml: {e}"))?;
        let mut parsed = BTreeMap::new();
        for (kind, text) in layouts {
            let f: LayoutFile = toml::from_str(text).map_err(|e| format!("{kind}.toml: {e}"))?;
            let field = |code: &str| {
                ListField::from_code(code)
                    .ok_or_else(|| format!("{kind}.toml: trường không rõ «{code}»"))
            };
            let mut columns = Vec::new();
            for (code, aliases) in &f.columns {
                columns.push((field(code)?, aliases.clone()));
            }
            let required = f
                .required
                .iter()
                .map(|c| field(c))
                .collect::<Result<Vec<_>, _>>()?;
            for r in &required {
                if !columns.iter().any(|(c, _)| c == r) {
                    return Err(format!(
                        "{kind}.toml: trường bắt buộc {} không có cột",
                        r.code()
                    ));
                }
            }
            parsed.insert(
                kind.clone(),
                NamedLayout {
                    name: f.name,
                    layout: ListLayout { columns, required },
                },
            );
        }
        for p in &file.policy {
            if !parsed.contains_key(&p.list) {
                return Err(format!(
                    "policies.toml: chính sách {} dùng mẫu danh sách không có «{}»",
                    p.code, p.list
                ));
            }
        }
        Ok(BenefitLists {
            recently_escaped_years: file.recently_escaped_years,
            policies: file.policy,
            layouts: parsed,
        })
    }

    pub fn policy(&self, code: &str) -> Option<&ListPolicy> {
        self.policies.iter().find(|p| p.code == code)
    }

    /// The layout of a policy's list.
    pub fn layout_of(&self, policy: &ListPolicy) -> &NamedLayout {
        &self.layouts[&policy.list]
    }
}

/// The list data in force: the shipped files unless the server was started with a folder.
pub fn benefit_lists() -> &'static BenefitLists {
    LISTS.get_or_init(BenefitLists::embedded)
}

static LISTS: std::sync::OnceLock<BenefitLists> = std::sync::OnceLock::new();

/// Lays a folder over the shipped files, once, before the first import (the command
/// line's `--benefit-lists-dir`). A second call is refused: the data does not change
/// under a running server.
pub fn use_benefit_lists_dir(dir: &Path) -> Result<(), String> {
    let lists = BenefitLists::load_dir(dir)?;
    LISTS
        .set(lists)
        .map_err(|_| "danh mục danh sách chính sách đã được nạp".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_files_parse_and_name_every_list() {
        let lists = BenefitLists::embedded();
        assert_eq!(lists.recently_escaped_years, 3);
        for code in [
            "bhyt",
            "loan_poor",
            "loan_near_poor",
            "loan_recently_escaped",
            "tuition_exemption",
        ] {
            let p = lists.policy(code).unwrap();
            assert!(!lists.layout_of(p).layout.columns.is_empty());
        }
    }

    #[test]
    fn a_folder_replaces_a_layout() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bhxh_cards.toml"),
            "name = \"Thẻ\"\nrequired = [\"reference\"]\n[columns]\nreference = [\"Số thẻ mới\"]\n",
        )
        .unwrap();
        let lists = BenefitLists::load_dir(dir.path()).unwrap();
        let layout = &lists.layouts["bhxh_cards"].layout;
        assert_eq!(
            layout.columns,
            vec![(ListField::Reference, vec!["Số thẻ mới".to_string()])]
        );
        std::fs::write(dir.path().join("policies.toml"), "recently_escaped_years = 3\n[[policy]]\ncode=\"x\"\nname=\"x\"\nagency_kinds=[]\nunit=\"person\"\nlist=\"nope\"\neligible=[]\n").unwrap();
        assert!(BenefitLists::load_dir(dir.path()).is_err());
    }
}
