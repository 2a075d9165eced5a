//! The column layout of each kind of agency list, as data: TOML files shipped in
//! `crates/app/benefit_lists/`, each of which a folder of the same file names may replace
//! (`BenefitLists::load_dir`). Each layout names the catalogue's policies whose lists come
//! in it (`policies = [...]`); everything else about a policy (its name, the agency kinds
//! that provide it, person or household, who is eligible) is the policy catalogue's
//! (`crates/rules/policies/`), so that the rules live in one place.

use giamngheo_rules::{Beneficiary, Policy, PolicyCatalogue, PolicyKind};
use giamngheo_sheets::benefit_lists::{ListField, ListLayout};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The layout of an activity's list of beneficiaries, which belongs to no policy.
pub const ACTIVITY_BENEFICIARIES: &str = "activity_beneficiaries";

const LAYOUTS: [(&str, &str); 4] = [
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
    (
        ACTIVITY_BENEFICIARIES,
        include_str!("../../benefit_lists/activity_beneficiaries.toml"),
    ),
];

/// A catalogue policy an agency's list may be imported for, with the layout of that list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPolicy {
    pub code: String,
    pub name: String,
    pub agency_kinds: Vec<String>,
    pub unit: Beneficiary,
    /// The layout of the list its agencies send.
    pub list: String,
    /// The catalogue's entry, whose eligibility the findings apply.
    pub policy: Policy,
}

impl ListPolicy {
    fn new(policy: &Policy, list: &str) -> ListPolicy {
        ListPolicy {
            code: policy.code.clone(),
            name: policy.name_vi.clone(),
            agency_kinds: policy.agency_kinds.clone(),
            unit: policy.beneficiary,
            list: list.to_string(),
            policy: policy.clone(),
        }
    }

    /// A health-insurance card: a card of someone who died or moved away is a finding.
    pub fn card(&self) -> bool {
        self.policy.kind == PolicyKind::InsuranceCard
    }

    /// A loan that recently escaped households may get: one given after the years of
    /// grace, to a household not otherwise eligible, is a finding of its own kind.
    pub fn loan_after_escape(&self) -> bool {
        self.policy.kind == PolicyKind::Credit
            && self.policy.eligibility.recently_escaped_years.is_some()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    name: String,
    required: Vec<String>,
    #[serde(default)]
    policies: Vec<String>,
    columns: BTreeMap<String, Vec<String>>,
}

/// A layout with its Vietnamese name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedLayout {
    pub name: String,
    pub layout: ListLayout,
}

/// The list layouts in force.
#[derive(Debug, Clone, PartialEq)]
pub struct BenefitLists {
    pub layouts: BTreeMap<String, NamedLayout>,
    /// The layout of each policy's list, by policy code.
    pub list_of: BTreeMap<String, String>,
}

impl BenefitLists {
    /// The files shipped in the crate.
    pub fn embedded() -> BenefitLists {
        let layouts: Vec<(String, String)> = LAYOUTS
            .iter()
            .map(|(k, t)| (k.to_string(), t.to_string()))
            .collect();
        BenefitLists::parse(&layouts).expect("the shipped benefit list files are valid")
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
        let mut layouts = Vec::new();
        for (k, t) in LAYOUTS {
            layouts.push((k.to_string(), read(k, t)?));
        }
        BenefitLists::parse(&layouts)
    }

    fn parse(layouts: &[(String, String)]) -> Result<BenefitLists, String> {
        let mut parsed = BTreeMap::new();
        let mut list_of: BTreeMap<String, String> = BTreeMap::new();
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
            for code in &f.policies {
                if let Some(other) = list_of.insert(code.clone(), kind.clone()) {
                    return Err(format!(
                        "{kind}.toml: chính sách {code} đã có mẫu danh sách «{other}»"
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
        Ok(BenefitLists {
            layouts: parsed,
            list_of,
        })
    }

    /// A policy of the catalogue whose list has a layout; `None` for a policy unknown to
    /// the catalogue or without a list.
    pub fn policy(&self, catalogue: &PolicyCatalogue, code: &str) -> Option<ListPolicy> {
        let list = self.list_of.get(code)?;
        catalogue.get(code).map(|p| ListPolicy::new(p, list))
    }

    /// The catalogue's policies whose lists have a layout, by code.
    pub fn policies(&self, catalogue: &PolicyCatalogue) -> Vec<ListPolicy> {
        catalogue
            .iter()
            .filter_map(|p| self.list_of.get(&p.code).map(|l| ListPolicy::new(p, l)))
            .collect()
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
    fn the_shipped_layouts_name_catalogue_policies() {
        let lists = BenefitLists::embedded();
        let catalogue = PolicyCatalogue::embedded();
        for code in [
            "bhyt",
            "loan_poor",
            "loan_near_poor",
            "loan_recently_escaped",
            "tuition_exemption",
        ] {
            let p = lists.policy(&catalogue, code).unwrap();
            assert!(!lists.layout_of(&p).layout.columns.is_empty());
            assert_eq!(p.name, catalogue.get(code).unwrap().name_vi);
        }
        // Every policy a layout names is in the catalogue.
        for code in lists.list_of.keys() {
            assert!(catalogue.get(code).is_some(), "{code}");
        }
        assert!(lists.policy(&catalogue, "bhyt").unwrap().card());
        assert!(
            lists
                .policy(&catalogue, "loan_recently_escaped")
                .unwrap()
                .loan_after_escape()
        );
        assert!(
            !lists
                .policy(&catalogue, "loan_poor")
                .unwrap()
                .loan_after_escape()
        );
        assert!(lists.policy(&catalogue, "housing").is_none());
    }

    #[test]
    fn a_folder_replaces_a_layout() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bhxh_cards.toml"),
            "name = \"Thẻ\"\nrequired = [\"reference\"]\npolicies = [\"bhyt\"]\n[columns]\nreference = [\"Số thẻ mới\"]\n",
        )
        .unwrap();
        let lists = BenefitLists::load_dir(dir.path()).unwrap();
        let layout = &lists.layouts["bhxh_cards"].layout;
        assert_eq!(
            layout.columns,
            vec![(ListField::Reference, vec!["Số thẻ mới".to_string()])]
        );
        // A policy given two layouts is refused.
        std::fs::write(
            dir.path().join("bhxh_cards.toml"),
            "name = \"Thẻ\"\nrequired = [\"reference\"]\npolicies = [\"bhyt\", \"loan_poor\"]\n[columns]\nreference = [\"Số thẻ mới\"]\n",
        )
        .unwrap();
        assert!(BenefitLists::load_dir(dir.path()).is_err());
    }
}
