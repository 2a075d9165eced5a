//! The periodic report's structure as data (`reports/bao-cao-dinh-ky.toml`): the title,
//! the sections in order and what each holds, so that an administrator corrects a
//! heading or adds a text section through `--reports-dir` without a rebuild.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The file name of the layout, built in and in an override folder.
pub const FILE_NAME: &str = "bao-cao-dinh-ky.toml";
pub(crate) const BUILTIN: &str = include_str!("../../reports/bao-cao-dinh-ky.toml");

/// The keys of the texts every report has besides its text sections.
pub const RECIPIENTS: &str = "recipients";
pub const SIGNER_NAME: &str = "signer_name";

/// What a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Tasks,
    Targets,
    Review,
    Coverage,
    Money,
    /// Written by the office.
    Text,
}

/// One section of the layout.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub key: String,
    pub kind: SectionKind,
    pub heading: String,
    /// What to write, shown beside a text section's box.
    #[serde(default)]
    pub hint: String,
}

/// The whole layout.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub title: String,
    /// `{period}` and `{unit}` are filled in.
    pub subject: String,
    pub number_suffix: String,
    pub signer: Vec<String>,
    pub recipients: String,
    pub sections: Vec<SectionDef>,
}

impl Layout {
    /// Reads and checks a layout: section keys unique and not the reserved ones.
    pub fn parse(text: &str) -> Result<Layout, String> {
        let layout: Layout = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut keys = HashSet::new();
        for s in &layout.sections {
            if s.key.trim().is_empty() {
                return Err(format!("mục «{}» không có key", s.heading));
            }
            if s.key == RECIPIENTS || s.key == SIGNER_NAME {
                return Err(format!("key «{}» dành cho nơi nhận và người ký", s.key));
            }
            if !keys.insert(s.key.clone()) {
                return Err(format!("key «{}» bị trùng", s.key));
            }
        }
        if layout.signer.is_empty() {
            return Err("signer cần ít nhất một dòng".into());
        }
        Ok(layout)
    }

    /// The built-in layout.
    pub fn builtin() -> Layout {
        // The shipped file is tested; failing here is a build defect.
        Layout::parse(BUILTIN).expect("built-in periodic report layout")
    }

    /// The keys the office may write: each text section, the recipients, the signer.
    pub fn text_keys(&self) -> Vec<&str> {
        self.sections
            .iter()
            .filter(|s| s.kind == SectionKind::Text)
            .map(|s| s.key.as_str())
            .chain([RECIPIENTS, SIGNER_NAME])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_layout_has_every_computed_part_and_three_text_sections() {
        let l = Layout::builtin();
        for kind in [
            SectionKind::Tasks,
            SectionKind::Targets,
            SectionKind::Review,
            SectionKind::Coverage,
            SectionKind::Money,
        ] {
            assert!(l.sections.iter().any(|s| s.kind == kind), "{kind:?}");
        }
        assert_eq!(
            l.text_keys(),
            vec![
                "assessment",
                "difficulties",
                "proposals",
                RECIPIENTS,
                SIGNER_NAME
            ]
        );
    }

    #[test]
    fn a_duplicate_or_reserved_key_is_refused() {
        let dup = format!(
            "{BUILTIN}\n[[sections]]\nkey = \"assessment\"\nkind = \"text\"\nheading = \"X\"\n"
        );
        assert!(Layout::parse(&dup).unwrap_err().contains("bị trùng"));
        let reserved = format!(
            "{BUILTIN}\n[[sections]]\nkey = \"recipients\"\nkind = \"text\"\nheading = \"X\"\n"
        );
        assert!(Layout::parse(&reserved).unwrap_err().contains("nơi nhận"));
        assert!(Layout::parse("title = 1").is_err());
    }

    #[test]
    fn an_administrator_corrects_a_heading_through_the_reports_folder() {
        let dir = tempfile::tempdir().unwrap();
        let text = BUILTIN.replace("VI. ĐÁNH GIÁ CHUNG", "VI. ĐÁNH GIÁ KẾT QUẢ");
        std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
        let catalog = crate::reports::ReportCatalog::with_overrides(dir.path()).unwrap();
        assert!(
            catalog
                .periodic
                .sections
                .iter()
                .any(|s| s.heading == "VI. ĐÁNH GIÁ KẾT QUẢ")
        );
        // The table reports are untouched.
        assert!(catalog.get("ket-qua-ra-soat").is_some());
        std::fs::write(dir.path().join(FILE_NAME), "title = [").unwrap();
        let e = crate::reports::ReportCatalog::with_overrides(dir.path()).unwrap_err();
        assert!(e.to_string().contains(FILE_NAME), "{e}");
    }
}
