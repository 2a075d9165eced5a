//! Report definitions as data: the built-in TOML files, a folder laid over them, and the
//! catalogue of standards and code lists they read.

use super::*;

// ---------------------------------------------------------------- definitions

/// A report as defined in its TOML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportDef {
    /// The name in URLs and on the command line (`ket-qua-ra-soat`).
    pub name: String,
    #[serde(default)]
    pub form: Option<String>,
    /// `{period}` and `{previous}` are replaced (in the notes too, with `{standard}` and
    /// `{previous_standard}`, the standards of the two periods).
    pub title: String,
    pub title_en: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub description_en: String,
    /// Shows the row of column numbers, as official forms do.
    #[serde(default)]
    pub numbered: bool,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub check: Option<CheckDef>,
    pub columns: Vec<ColumnDef>,
}

/// A consistency check between columns, evaluated on every row: `left = right`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    pub left: String,
    pub right: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueFormat {
    #[default]
    Count,
    Rate,
}

/// A column: a fact (`value`) or a `formula` over facts and column ids, optionally
/// repeated for each indicator, cause or ethnicity (`expand`; `{code}` and `{name}` are
/// replaced).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    #[serde(default)]
    pub id: Option<String>,
    pub heading: Vec<String>,
    #[serde(default)]
    pub heading_en: Vec<String>,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub formula: Option<String>,
    #[serde(default)]
    pub format: ValueFormat,
    /// The fact whose households a click shows; by default the value, or the formula's
    /// first fact (for a rate, its numerator).
    #[serde(default)]
    pub drill: Option<String>,
    #[serde(default)]
    pub expand: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CodeName {
    pub code: String,
    pub name: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StandardIndicators {
    pub id: String,
    pub from: i32,
    pub to: i32,
    pub indicators: Vec<CodeName>,
}

/// The code lists definitions expand over.
#[derive(Debug, Clone, Deserialize)]
pub struct CodeLists {
    pub standards: Vec<StandardIndicators>,
    pub causes: Vec<CodeName>,
}

/// Every report definition and the code lists, checked when loaded.
#[derive(Debug, Clone)]
pub struct ReportCatalog {
    pub reports: Vec<ReportDef>,
    pub lists: CodeLists,
    /// The periodic report's structure (`bao-cao-dinh-ky.toml`).
    pub periodic: crate::periodic::Layout,
}

pub(super) const BUILTIN: [(&str, &str); 11] = [
    (
        "01-ket-qua-ra-soat.toml",
        include_str!("../../reports/01-ket-qua-ra-soat.toml"),
    ),
    (
        "02-dien-bien-ho-ngheo.toml",
        include_str!("../../reports/02-dien-bien-ho-ngheo.toml"),
    ),
    (
        "02-dien-bien-ho-can-ngheo.toml",
        include_str!("../../reports/02-dien-bien-ho-can-ngheo.toml"),
    ),
    (
        "03-thieu-hut-ho-ngheo.toml",
        include_str!("../../reports/03-thieu-hut-ho-ngheo.toml"),
    ),
    (
        "03-thieu-hut-ho-can-ngheo.toml",
        include_str!("../../reports/03-thieu-hut-ho-can-ngheo.toml"),
    ),
    (
        "04-dac-diem-ho.toml",
        include_str!("../../reports/04-dac-diem-ho.toml"),
    ),
    (
        "05-dan-toc.toml",
        include_str!("../../reports/05-dan-toc.toml"),
    ),
    (
        "06-tre-em.toml",
        include_str!("../../reports/06-tre-em.toml"),
    ),
    (
        "07-bao-phu-chinh-sach.toml",
        include_str!("../../reports/07-bao-phu-chinh-sach.toml"),
    ),
    (
        "08-tien-do-von.toml",
        include_str!("../../reports/08-tien-do-von.toml"),
    ),
    (
        "09-hoat-dong-chuong-trinh.toml",
        include_str!("../../reports/09-hoat-dong-chuong-trinh.toml"),
    ),
];
pub(super) const BUILTIN_CATALOG: &str = include_str!("../../reports/catalog.toml");

/// A definition file that cannot be used, named with the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("định nghĩa báo cáo {file}: {message}")]
pub struct DefinitionError {
    pub file: String,
    pub message: String,
}

impl ReportCatalog {
    /// The definitions built into the binary.
    pub fn builtin() -> ReportCatalog {
        let files: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        // The built-in files are tested; failing here is a build defect.
        ReportCatalog::parse(&files, BUILTIN_CATALOG).expect("built-in report definitions")
    }

    /// The built-in definitions with those of a folder laid over them: a file with a
    /// report's `name` replaces that report, a new name adds one, and `catalog.toml`
    /// replaces the code lists. So an administrator corrects a heading without a rebuild.
    pub fn with_overrides(dir: &Path) -> Result<ReportCatalog, DefinitionError> {
        let err = |file: &str, message: String| DefinitionError {
            file: file.to_string(),
            message,
        };
        let mut files: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        let mut catalog = BUILTIN_CATALOG.to_string();
        let entries =
            std::fs::read_dir(dir).map_err(|e| err(&dir.display().to_string(), e.to_string()))?;
        let mut extra: Vec<(String, String)> = Vec::new();
        let mut periodic = None;
        for entry in entries {
            let path = entry
                .map_err(|e| err(&dir.display().to_string(), e.to_string()))?
                .path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| err(&name, e.to_string()))?;
            let file_name = path.file_name().and_then(|f| f.to_str());
            if file_name == Some("catalog.toml") {
                catalog = text;
            } else if file_name == Some(crate::periodic::layout::FILE_NAME) {
                // The periodic report's structure is no table report: it replaces the
                // built-in layout.
                periodic = Some(crate::periodic::Layout::parse(&text).map_err(|m| err(&name, m))?);
            } else {
                extra.push((name, text));
            }
        }
        extra.sort();
        // Parse the extra files first to learn their names, then drop the built-ins
        // they replace.
        let mut replaced = HashSet::new();
        for (file, text) in &extra {
            let def: ReportDef = toml::from_str(text).map_err(|e| err(file, e.to_string()))?;
            replaced.insert(def.name);
        }
        files.retain(|(_, text)| {
            toml::from_str::<ReportDef>(text)
                .map(|d| !replaced.contains(&d.name))
                .unwrap_or(true)
        });
        files.extend(extra);
        let mut parsed = ReportCatalog::parse(&files, &catalog)?;
        if let Some(layout) = periodic {
            parsed.periodic = layout;
        }
        Ok(parsed)
    }

    /// The catalogue from the definitions' texts (file name, text) and the code lists'
    /// text alone, without the built-in ones: what [`ReportCatalog::with_overrides`] does
    /// once it has read the folder. Public for the fuzz target, which cannot write files
    /// for every input.
    pub fn parse(
        files: &[(String, String)],
        catalog: &str,
    ) -> Result<ReportCatalog, DefinitionError> {
        let lists: CodeLists = toml::from_str(catalog).map_err(|e| DefinitionError {
            file: "catalog.toml".into(),
            message: e.to_string(),
        })?;
        let mut reports = Vec::new();
        let mut names = HashSet::new();
        for (file, text) in files {
            let err = |message: String| DefinitionError {
                file: file.clone(),
                message,
            };
            let def: ReportDef = toml::from_str(text).map_err(|e| err(e.to_string()))?;
            if !names.insert(def.name.clone()) {
                return Err(err(format!("tên báo cáo «{}» bị trùng", def.name)));
            }
            let mut ids = HashSet::new();
            for c in &def.columns {
                if c.value.is_some() == c.formula.is_some() {
                    return Err(err(format!(
                        "cột «{}»: cần đúng một trong value hoặc formula",
                        c.heading.join(" / ")
                    )));
                }
                if c.heading.is_empty() {
                    return Err(err("một cột không có tiêu đề".into()));
                }
                if let Some(e) = &c.expand
                    && !matches!(
                        e.as_str(),
                        "indicators"
                            | "causes"
                            | "ethnicities"
                            | "policies"
                            | "funding_sources"
                            | "projects"
                            | "activity_types"
                    )
                {
                    return Err(err(format!(
                        "expand «{e}» không rõ (indicators, causes, ethnicities, policies, funding_sources, projects, activity_types)"
                    )));
                }
                if let Some(f) = &c.formula {
                    Expr::parse(&f.replace("{code}", "x"))
                        .map_err(|m| err(format!("công thức «{f}»: {m}")))?;
                }
                if let Some(id) = &c.id {
                    ids.insert(id.clone());
                }
            }
            if let Some(check) = &def.check {
                for side in [&check.left, &check.right] {
                    let expr =
                        Expr::parse(side).map_err(|m| err(format!("kiểm tra «{side}»: {m}")))?;
                    for name in expr.names() {
                        if !ids.contains(name) {
                            return Err(err(format!("kiểm tra nói đến cột «{name}» không có")));
                        }
                    }
                }
            }
            reports.push(def);
        }
        Ok(ReportCatalog {
            reports,
            lists,
            periodic: crate::periodic::Layout::builtin(),
        })
    }

    pub fn get(&self, name: &str) -> Option<&ReportDef> {
        self.reports.iter().find(|r| r.name == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.reports.iter().map(|r| r.name.as_str()).collect()
    }

    /// The indicators of the standard that applies to a classification period.
    pub fn indicators_for(&self, period: i32) -> (&str, &[CodeName]) {
        self.lists
            .standards
            .iter()
            .find(|s| s.from <= period && period <= s.to)
            .or_else(|| self.lists.standards.last())
            .map(|s| (s.id.as_str(), s.indicators.as_slice()))
            .unwrap_or(("", &[]))
    }
}

pub(super) static BUILTIN_CATALOG_PARSED: OnceLock<ReportCatalog> = OnceLock::new();

/// The built-in catalogue, parsed once. An application computes with its own
/// (`App::catalog`, from `Config::reports`), which the binary loads with the
/// `--reports-dir` overrides.
pub fn catalog() -> &'static ReportCatalog {
    BUILTIN_CATALOG_PARSED.get_or_init(ReportCatalog::builtin)
}
