//! Official reports: each defined once as data (`crates/app/reports/*.toml`: headings,
//! figures, formulas, the movement check) and computed here for any unit, period and
//! "as of" date; the web pages, the API, the CLI, the workbook and the print page all
//! render the same [`Report`].
//!
//! Figures come from the store as named facts per unit (`poor.households`,
//! `near_poor.deprived.water`, `move.poor.5`, …); a column is a fact or a formula over
//! facts and other columns. Every fact has a matching household predicate, so every
//! figure drills down to the households behind it.

use crate::access::{Action, Actor};
use crate::basis::{BasedScope, Basis};
use crate::{App, AppError};
use chrono::{Datelike, NaiveDate};
use giamngheo_domain::Tier;
use giamngheo_domain::household::ETHNICITIES;
use giamngheo_sheets::reports::{NumberKind, SheetColumn, SheetReport, SheetRow};
use giamngheo_store::{HouseholdStatusRow, MovementGroup, ReportScope, UnitRecord};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

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

const BUILTIN: [(&str, &str); 10] = [
    (
        "01-ket-qua-ra-soat.toml",
        include_str!("../reports/01-ket-qua-ra-soat.toml"),
    ),
    (
        "02-dien-bien-ho-ngheo.toml",
        include_str!("../reports/02-dien-bien-ho-ngheo.toml"),
    ),
    (
        "02-dien-bien-ho-can-ngheo.toml",
        include_str!("../reports/02-dien-bien-ho-can-ngheo.toml"),
    ),
    (
        "03-thieu-hut-ho-ngheo.toml",
        include_str!("../reports/03-thieu-hut-ho-ngheo.toml"),
    ),
    (
        "03-thieu-hut-ho-can-ngheo.toml",
        include_str!("../reports/03-thieu-hut-ho-can-ngheo.toml"),
    ),
    (
        "04-dac-diem-ho.toml",
        include_str!("../reports/04-dac-diem-ho.toml"),
    ),
    (
        "05-dan-toc.toml",
        include_str!("../reports/05-dan-toc.toml"),
    ),
    ("06-tre-em.toml", include_str!("../reports/06-tre-em.toml")),
    (
        "07-bao-phu-chinh-sach.toml",
        include_str!("../reports/07-bao-phu-chinh-sach.toml"),
    ),
    (
        "08-tien-do-von.toml",
        include_str!("../reports/08-tien-do-von.toml"),
    ),
];
const BUILTIN_CATALOG: &str = include_str!("../reports/catalog.toml");

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
                        "indicators" | "causes" | "ethnicities" | "policies" | "funding_sources"
                    )
                {
                    return Err(err(format!(
                        "expand «{e}» không rõ (indicators, causes, ethnicities, policies, funding_sources)"
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

static BUILTIN_CATALOG_PARSED: OnceLock<ReportCatalog> = OnceLock::new();

/// The built-in catalogue, parsed once. An application computes with its own
/// (`App::catalog`, from `Config::reports`), which the binary loads with the
/// `--reports-dir` overrides.
pub fn catalog() -> &'static ReportCatalog {
    BUILTIN_CATALOG_PARSED.get_or_init(ReportCatalog::builtin)
}

// ---------------------------------------------------------------- formulas

/// A formula: numbers, names (facts or column ids), `+ - * /` and parentheses.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Num(f64),
    Name(String),
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
}

impl Expr {
    fn parse(text: &str) -> Result<Expr, String> {
        let tokens = tokenize(text)?;
        let mut pos = 0;
        let e = parse_sum(&tokens, &mut pos)?;
        if pos != tokens.len() {
            return Err(format!("thừa «{:?}»", tokens[pos]));
        }
        Ok(e)
    }

    fn names(&self) -> Vec<&str> {
        match self {
            Expr::Num(_) => vec![],
            Expr::Name(n) => vec![n.as_str()],
            Expr::Neg(e) => e.names(),
            Expr::Bin(_, a, b) => {
                let mut v = a.names();
                v.extend(b.names());
                v
            }
        }
    }

    /// `None` when a division by zero makes the figure meaningless.
    fn eval(&self, lookup: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
        match self {
            Expr::Num(n) => Some(*n),
            Expr::Name(n) => lookup(n),
            Expr::Neg(e) => e.eval(lookup).map(|v| -v),
            Expr::Bin(op, a, b) => {
                let (a, b) = (a.eval(lookup)?, b.eval(lookup)?);
                match op {
                    '+' => Some(a + b),
                    '-' => Some(a - b),
                    '*' => Some(a * b),
                    _ if b == 0.0 => None,
                    _ => Some(a / b),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Name(String),
    Op(char),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if "+-*/()".contains(c) {
            out.push(Token::Op(c));
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            out.push(Token::Num(s.parse().map_err(|_| format!("số «{s}»"))?));
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || "_.".contains(chars[i])) {
                i += 1;
            }
            out.push(Token::Name(chars[start..i].iter().collect()));
        } else {
            return Err(format!("ký tự «{c}»"));
        }
    }
    Ok(out)
}

fn parse_sum(t: &[Token], pos: &mut usize) -> Result<Expr, String> {
    let mut left = parse_product(t, pos)?;
    while let Some(Token::Op(op @ ('+' | '-'))) = t.get(*pos) {
        *pos += 1;
        let right = parse_product(t, pos)?;
        left = Expr::Bin(*op, Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_product(t: &[Token], pos: &mut usize) -> Result<Expr, String> {
    let mut left = parse_atom(t, pos)?;
    while let Some(Token::Op(op @ ('*' | '/'))) = t.get(*pos) {
        *pos += 1;
        let right = parse_atom(t, pos)?;
        left = Expr::Bin(*op, Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_atom(t: &[Token], pos: &mut usize) -> Result<Expr, String> {
    let token = t.get(*pos).ok_or("thiếu toán hạng")?.clone();
    *pos += 1;
    match token {
        Token::Num(n) => Ok(Expr::Num(n)),
        Token::Name(n) => Ok(Expr::Name(n)),
        Token::Op('-') => Ok(Expr::Neg(Box::new(parse_atom(t, pos)?))),
        Token::Op('(') => {
            let e = parse_sum(t, pos)?;
            match t.get(*pos) {
                Some(Token::Op(')')) => {
                    *pos += 1;
                    Ok(e)
                }
                _ => Err("thiếu «)»".into()),
            }
        }
        Token::Op(c) => Err(format!("không chờ «{c}»")),
    }
}

// ---------------------------------------------------------------- movement rules

/// The columns (1–9) of the movement table of `list` (`poor` or `near_poor`) that a
/// household counts in for `unit`.
///
/// Columns 1 and 9 come from the statuses at the start and the end. The movement columns
/// come from the `transition` the review recorded, or, where none was recorded, from the
/// two statuses; a household that moved to another unit leaves by column 3 and arrives
/// by column 8, and one that became inactive (moved away, died, merged) leaves by 3. So
/// the check 9 = 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8 holds exactly when the recorded transitions
/// agree with the statuses and every household on the start list was classified again.
pub fn movement_cells(list: &str, unit: &str, g: &MovementGroup) -> Vec<u8> {
    let other = if list == "poor" { "near_poor" } else { "poor" };
    let prev_here = g.prev_unit.as_deref() == Some(unit);
    let cur_here = g.cur_unit.as_deref() == Some(unit);
    let start_in = prev_here && g.prev_status.as_deref() == Some(list);
    let end_in = cur_here && g.cur_status.as_deref() == Some(list);
    let mut cells = Vec::new();
    if start_in {
        cells.push(1);
    }
    if end_in {
        cells.push(9);
    }
    if !g.active {
        if start_in && !end_in {
            cells.push(3);
        }
        return cells;
    }
    if g.prev_unit.is_some() && g.cur_unit.is_some() && g.prev_unit != g.cur_unit {
        if start_in {
            cells.push(3);
        }
        if end_in {
            cells.push(8);
        }
        return cells;
    }
    if !cur_here {
        return cells;
    }
    if g.split && g.prev_status.is_none() {
        if end_in {
            cells.push(8);
        }
        return cells;
    }
    match g.transition.as_deref().filter(|t| *t != "unchanged") {
        Some(t) => {
            let column = match (list, t) {
                ("poor", "escaped_poverty") => Some(2),
                ("poor", "poor_to_near_poor") => Some(4),
                ("poor", "newly_poor") => Some(5),
                ("poor", "fell_back") => Some(6),
                ("poor", "near_poor_to_poor") => Some(7),
                ("near_poor", "escaped_near_poverty") => Some(2),
                ("near_poor", "near_poor_to_poor") => Some(4),
                // A near-poor household that falls back into poverty (within the years
                // after an escape) is "tái nghèo" in the poor table and leaves the
                // near-poor list for the poor one here.
                ("near_poor", "fell_back") if start_in => Some(4),
                ("near_poor", "new_near_poor") => Some(5),
                ("near_poor", "poor_to_near_poor") => Some(7),
                _ => None,
            };
            cells.extend(column);
        }
        None if g.transition.is_some() => {}
        None => {
            if start_in && !end_in {
                if g.cur_status.as_deref() == Some(other) {
                    cells.push(4);
                } else if g.cur_status.is_some() {
                    cells.push(2);
                }
            } else if end_in && !start_in {
                if g.prev_status.as_deref() == Some(other) {
                    cells.push(7);
                } else {
                    cells.push(5);
                }
            }
        }
    }
    cells
}

fn group_of(row: &HouseholdStatusRow) -> MovementGroup {
    MovementGroup {
        prev_unit: row.prev_unit.clone(),
        prev_status: row.prev_status.clone(),
        cur_unit: row.cur_unit.clone(),
        cur_status: row.cur_status.clone(),
        transition: row.cur_transition.clone(),
        active: row.active,
        split: row.split,
        households: 1,
    }
}

fn has_code(list: Option<&str>, code: &str) -> bool {
    list.is_some_and(|l| l.split(',').any(|c| c.trim() == code))
}

/// Whether a household counts in fact `key` for `unit` (the drill-down of a figure).
/// `registered_here` says the registry places it in the unit.
pub fn household_counts_in(
    key: &str,
    unit: &str,
    row: &HouseholdStatusRow,
    registered_here: bool,
) -> bool {
    match key {
        "households" | "people" => return registered_here && row.active,
        "ethnic_minority" => return registered_here && row.active && row.ethnic_minority,
        _ => {}
    }
    if let Some(rest) = key.strip_prefix("move.") {
        let Some((list, n)) = rest.split_once('.') else {
            return false;
        };
        let Ok(n) = n.parse::<u8>() else {
            return false;
        };
        return movement_cells(list, unit, &group_of(row)).contains(&n);
    }
    let Some((status, measure)) = key.split_once('.') else {
        return false;
    };
    if row.cur_status.as_deref() != Some(status) || row.cur_unit.as_deref() != Some(unit) {
        return false;
    }
    match measure {
        "households" | "people" => true,
        "ethnic_minority" => row.cur_ethnic_minority == Some(true),
        "merit" => row.cur_merit == Some(true),
        "female_headed" => row.cur_female_headed == Some(true),
        "urban" => row.cur_area.as_deref() == Some("urban"),
        "no_labour" => row.cur_no_labour == Some(true),
        "children" => row.cur_children.is_some_and(|n| n > 0),
        m => {
            if let Some(code) = m.strip_prefix("deprived.") {
                has_code(row.cur_deprived.as_deref(), code)
            } else if let Some(code) = m.strip_prefix("cause.") {
                has_code(row.cur_causes.as_deref(), code)
            } else if let Some(code) = m.strip_prefix("ethnicity.") {
                row.cur_head_ethnicity.as_deref() == Some(code)
            } else {
                false
            }
        }
    }
}

// ---------------------------------------------------------------- computed reports

/// What to compute: a report for a unit, a classification period and a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    pub name: String,
    pub unit: String,
    pub period: i32,
    /// The day the figures are taken as of; today when not given.
    pub as_of: Option<NaiveDate>,
    /// The units the figures are placed on; see [`App::based_unit`] for the default.
    pub basis: Option<Basis>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportColumn {
    pub id: String,
    pub heading: Vec<String>,
    pub heading_en: Vec<String>,
    pub format: ValueFormat,
    /// The fact the column's figures drill down to.
    pub drill: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    /// `None` for the total row.
    pub unit_code: Option<String>,
    pub label: String,
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckFailure {
    pub unit_code: Option<String>,
    pub unit_name: String,
    pub left: String,
    pub right: String,
    pub left_value: i64,
    pub right_value: i64,
    /// Every column's figure of the row, by column id.
    pub figures: BTreeMap<String, i64>,
}

impl CheckFailure {
    pub fn message(&self) -> String {
        let figures: Vec<String> = self
            .figures
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!(
            "{}: {} = {} nhưng {} = {} ({})",
            self.unit_name,
            self.left,
            self.left_value,
            self.right,
            self.right_value,
            figures.join(", ")
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub rule: String,
    pub passed: bool,
    pub failures: Vec<CheckFailure>,
}

/// A computed report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub name: String,
    pub form: Option<String>,
    pub title: String,
    pub title_en: String,
    pub description: String,
    pub unit_code: String,
    pub unit_name: String,
    pub period: i32,
    pub as_of: NaiveDate,
    /// The units the figures are placed on (named in the first note too).
    pub basis: Basis,
    /// The standard whose indicators the period uses.
    pub standard: String,
    pub numbered: bool,
    pub notes: Vec<String>,
    pub columns: Vec<ReportColumn>,
    /// One row per unit below the report's unit in official code order, then the total.
    pub rows: Vec<ReportRow>,
    pub check: Option<CheckResult>,
    /// The agency lines of the header block.
    pub agency: Vec<String>,
    /// The place name for the date line ("Hương Khê").
    pub place: String,
}

impl Report {
    pub fn check_failed(&self) -> bool {
        self.check.as_ref().is_some_and(|c| !c.passed)
    }

    /// Refuses a report whose check fails: exports must never carry figures that do
    /// not add up. The message names each unit and its figures.
    pub fn ensure_exportable(&self) -> Result<(), AppError> {
        match &self.check {
            Some(c) if !c.passed => {
                let lines: Vec<String> = c.failures.iter().map(CheckFailure::message).collect();
                Err(AppError::Conflict(format!(
                    "báo cáo {} không xuất được: kiểm tra {} sai ở {} đơn vị: {}",
                    self.name,
                    c.rule,
                    c.failures.len(),
                    lines.join("; ")
                )))
            }
            _ => Ok(()),
        }
    }

    /// The report as a sheet for the workbook and CSV writers.
    pub fn to_sheet(&self, today: NaiveDate) -> SheetReport {
        let mut subtitle = vec![format!("Đơn vị: {}", self.unit_name)];
        subtitle.push(format!(
            "Số liệu tính đến ngày {} (kỳ {})",
            self.as_of.format("%d/%m/%Y"),
            self.period
        ));
        SheetReport {
            sheet_name: self.unit_name.clone(),
            agency: self.agency.clone(),
            form: self.form.clone(),
            title: self.title.clone(),
            subtitle,
            label_heading: "Đơn vị".into(),
            columns: self
                .columns
                .iter()
                .map(|c| SheetColumn {
                    heading: c.heading.clone(),
                    kind: match c.format {
                        ValueFormat::Count => NumberKind::Count,
                        ValueFormat::Rate => NumberKind::Rate,
                    },
                })
                .collect(),
            numbered: self.numbered,
            rows: self
                .rows
                .iter()
                .map(|r| SheetRow {
                    label: r.label.clone(),
                    values: r.values.clone(),
                    bold: r.unit_code.is_none(),
                })
                .collect(),
            notes: self.notes.clone(),
            place_date: place_date(&self.place, today),
            signers: vec![
                ("NGƯỜI LẬP BIỂU".into(), "(Ký, ghi rõ họ tên)".into()),
                ("THỦ TRƯỞNG ĐƠN VỊ".into(), "(Ký tên, đóng dấu)".into()),
            ],
        }
    }
}

/// "Hương Khê, ngày 05 tháng 12 năm 2021".
pub fn place_date(place: &str, d: NaiveDate) -> String {
    format!(
        "{place}, ngày {:02} tháng {:02} năm {}",
        d.day(),
        d.month(),
        d.year()
    )
}

/// The unit name without its kind ("Huyện Hương Khê" → "Hương Khê").
fn bare_name(u: &UnitRecord) -> String {
    u.name
        .strip_prefix(u.kind.as_str())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| u.name.clone())
}

pub(crate) fn tier_of(unit: &UnitRecord) -> Tier {
    match unit.tier.as_str() {
        "province" => Tier::Province,
        "district" => Tier::District,
        "commune" => Tier::Commune,
        _ => Tier::Village,
    }
}

pub(crate) fn column_of(tier: Tier) -> &'static str {
    match tier {
        Tier::Province => "province_code",
        Tier::District => "district_code",
        Tier::Commune => "commune_code",
        Tier::Village => "village_code",
    }
}

/// The facts of every row unit, and their totals under the key `""`.
#[derive(Debug, Default)]
struct Facts {
    by_unit: HashMap<String, HashMap<String, i64>>,
}

impl Facts {
    fn add(&mut self, unit: &str, key: &str, value: i64) {
        *self
            .by_unit
            .entry(unit.to_string())
            .or_default()
            .entry(key.to_string())
            .or_default() += value;
    }
}

impl App {
    /// The tier below a unit that a report's rows show: the tier of its units on the
    /// day (each list has its own hierarchy: a province had districts until 30/06/2025
    /// and has communes since), or the configured hierarchy's next tier when it has none.
    fn row_tier(&self, unit: &UnitRecord, children: &[UnitRecord]) -> Tier {
        let tier = tier_of(unit);
        if let Some(t) = children.first().and_then(|c| c.tier.parse::<Tier>().ok()) {
            return t;
        }
        let tiers = self.hierarchy().tiers();
        tiers
            .iter()
            .position(|t| *t == tier)
            .and_then(|i| tiers.get(i + 1))
            .copied()
            .unwrap_or(tier)
    }

    /// The day a report's unit is taken on: the figures' date (today unless asked), but
    /// no later than the end of the period's year. So `unit=444` for 2021 is the old
    /// district, its communes those of 2021, and for this year a clear error saying what
    /// replaced it.
    pub(crate) fn report_unit_day(&self, period: i32, as_of: Option<NaiveDate>) -> NaiveDate {
        let day = as_of.unwrap_or_else(|| self.clock().today());
        NaiveDate::from_ymd_opt(period, 12, 31)
            .map(|end| end.min(day))
            .unwrap_or(day)
    }

    /// The report scope of a unit on a day: its households, grouped by the units below
    /// it valid that day.
    pub(crate) async fn report_scope(
        &self,
        unit: &UnitRecord,
        day: NaiveDate,
    ) -> Result<(ReportScope, Vec<UnitRecord>), AppError> {
        let tier = tier_of(unit);
        // Within the unit's own validity, so that its version's units are the rows.
        let day = day
            .max(unit.valid_from)
            .min(unit.valid_to.unwrap_or(NaiveDate::MAX));
        let children = self.store().children_on(Some(&unit.code), day).await?;
        let row_tier = self.row_tier(unit, &children);
        let rows = if row_tier == tier {
            vec![unit.clone()]
        } else {
            children
        };
        Ok((
            ReportScope {
                scope_column: column_of(tier),
                scope_code: unit.code.clone(),
                group_column: column_of(row_tier),
                rebase: None,
            },
            rows,
        ))
    }

    /// Computes a report for a unit the user may read aggregates of.
    pub async fn report(&self, actor: &Actor, req: &ReportRequest) -> Result<Report, AppError> {
        self.authorize(actor, Action::ReadAggregates, &req.unit)
            .await?;
        self.report_as_system(req).await
    }

    /// The period a report of a unit opens on when none is asked for: the latest with
    /// classifications in the unit that have taken effect, or the current year when
    /// there are none (a new year is empty until its review is decided).
    pub async fn default_report_period(&self, actor: &Actor, unit: &str) -> Result<i32, AppError> {
        self.authorize(actor, Action::ReadAggregates, unit).await?;
        let today = self.clock().today();
        let unit = self.unit(unit).await?;
        Ok(self
            .opening_period(&unit, today)
            .await?
            .unwrap_or(today.year()))
    }

    /// The period a unit's pages open on: the latest for which every commune of the unit
    /// with decisions has them, so that one commune's early decision for next year does
    /// not show its district a year the others have not reached (one commune's 2027 list
    /// made a district read 0,11 % poverty). When no period is complete, the latest any
    /// commune has, and the page names the communes without data.
    pub(crate) async fn opening_period(
        &self,
        unit: &UnitRecord,
        as_of: NaiveDate,
    ) -> Result<Option<i32>, AppError> {
        let column = column_of(tier_of(unit));
        if let Some(p) = self
            .store()
            .latest_complete_period(column, &unit.code, as_of)
            .await?
        {
            return Ok(Some(p));
        }
        Ok(self
            .store()
            .latest_period(column, &unit.code, as_of)
            .await?)
    }

    /// The communes under `unit` that have the lists of one of `period − 1` and `period`
    /// but not the other, each with the year it lacks (the earlier when both are asked
    /// of it by nothing: a commune with neither has no figures to compare).
    async fn period_gaps(
        &self,
        unit: &UnitRecord,
        period: i32,
        as_of: NaiveDate,
        day: NaiveDate,
        basis: Basis,
    ) -> Result<Vec<(UnitRecord, i32)>, AppError> {
        let scope = &self.commune_scope(unit, day, basis).await?;
        let with = |p: i32| async move {
            Ok::<HashSet<String>, AppError>(
                self.store()
                    .communes_with_period_in(scope, p, as_of)
                    .await?
                    .into_iter()
                    .collect(),
            )
        };
        let (before, now) = (with(period - 1).await?, with(period).await?);
        Ok(self
            .communes_on(unit, day, basis)
            .await?
            .into_iter()
            .filter_map(
                |c| match (before.contains(&c.code), now.contains(&c.code)) {
                    (true, false) => Some((c, period)),
                    (false, true) => Some((c, period - 1)),
                    _ => None,
                },
            )
            .collect())
    }

    /// The communes under `unit` whose movement table cannot compare `period` with the
    /// list in force at its start, each with the year it lacks: `period` itself when the
    /// commune has not decided it, the year before when it has no earlier list at all.
    /// Second, the communes that skipped the year before but have an earlier list, each
    /// with the year of that list, which their table starts from (migration 0056).
    async fn movement_gaps(
        &self,
        unit: &UnitRecord,
        period: i32,
        as_of: NaiveDate,
        day: NaiveDate,
        basis: Basis,
    ) -> Result<(Vec<(UnitRecord, i32)>, Vec<(UnitRecord, i32)>), AppError> {
        let gaps = self.period_gaps(unit, period, as_of, day, basis).await?;
        let (missing_start, mut gaps): (Vec<_>, Vec<_>) =
            gaps.into_iter().partition(|(_, year)| *year == period - 1);
        if missing_start.is_empty() {
            return Ok((gaps, Vec::new()));
        }
        let scope = &self.commune_scope(unit, day, basis).await?;
        let mut waiting = missing_start;
        let mut restarted = Vec::new();
        // Back year by year to the unit's earliest lists, while a commune is still
        // without an earlier list.
        let earliest = self
            .store()
            .earliest_period(column_of(tier_of(unit)), &unit.code, as_of)
            .await?
            .unwrap_or(period);
        let mut year = period - 2;
        while !waiting.is_empty() && year >= earliest {
            let with: HashSet<String> = self
                .store()
                .communes_with_period_in(scope, year, as_of)
                .await?
                .into_iter()
                .collect();
            let (found, rest): (Vec<_>, Vec<_>) = waiting
                .into_iter()
                .partition(|(c, _)| with.contains(&c.code));
            restarted.extend(found.into_iter().map(|(c, _)| (c, year)));
            waiting = rest;
            year -= 1;
        }
        gaps.extend(waiting);
        Ok((gaps, restarted))
    }

    /// The communes of `communes` (those under `unit`) without a decision for `period`
    /// that has taken effect today.
    pub async fn communes_without_data(
        &self,
        unit: &UnitRecord,
        communes: &[UnitRecord],
        period: i32,
    ) -> Result<Vec<UnitRecord>, AppError> {
        let with: HashSet<String> = self
            .store()
            .communes_with_period(
                column_of(tier_of(unit)),
                &unit.code,
                period,
                self.clock().today(),
            )
            .await?
            .into_iter()
            .collect();
        Ok(communes
            .iter()
            .filter(|c| !with.contains(&c.code))
            .cloned()
            .collect())
    }

    /// Computes a report without an access check (the command line runs as the system).
    pub async fn report_as_system(&self, req: &ReportRequest) -> Result<Report, AppError> {
        let catalog = self.catalog();
        let def = catalog
            .get(&req.name)
            .ok_or_else(|| AppError::NotFound(format!("báo cáo «{}»", req.name)))?;
        if !(1990..=2100).contains(&req.period) {
            return Err(AppError::invalid("period", "năm không hợp lệ"));
        }
        let as_of = req.as_of.unwrap_or_else(|| self.clock().today());
        let based = self
            .based_unit(&req.unit, req.period, req.as_of, req.basis)
            .await?;
        let BasedScope {
            figures: scope,
            registry,
            rows: row_units,
        } = self.based_scope(&based).await?;
        let (unit, day, basis) = (based.unit, based.day, based.basis);
        let (standard, indicators) = catalog.indicators_for(req.period);

        // Which groups of facts the columns need.
        let keys: Vec<String> = def
            .columns
            .iter()
            .flat_map(|c| {
                c.value
                    .iter()
                    .cloned()
                    .chain(c.formula.iter().flat_map(|f| {
                        Expr::parse(f)
                            .map(|e| e.names().into_iter().map(String::from).collect())
                            .unwrap_or_else(|_| Vec::<String>::new())
                    }))
                    .collect::<Vec<_>>()
            })
            .collect();
        let needs_movement = keys.iter().any(|k| k.starts_with("move."));
        let needs_status = keys.iter().any(|k| {
            ["poor.", "near_poor.", "medium.", "not_poor."]
                .iter()
                .any(|p| k.starts_with(p))
        });
        let needs_registry = keys
            .iter()
            .any(|k| matches!(k.as_str(), "households" | "people" | "ethnic_minority"));
        // The coverage of support policies (`coverage.<policy>.<measure>`), counted by
        // the coverage code itself; its notes say on which day.
        let policy_list = crate::policies::report::report_policies(self.policies());
        let mut coverage_notes = Vec::new();

        let mut facts = Facts::default();
        if keys.iter().any(|k| k.starts_with("coverage.")) {
            let codes = crate::policies::report::coverage_codes(def, &policy_list);
            let found = self
                .coverage_facts(&unit.code, req.period, req.as_of, &codes)
                .await?;
            for (u, key, value) in found.facts {
                facts.add(&u, &key, value);
            }
            coverage_notes = found.notes;
        }
        // The programme's money (`money.…`), from the ledger.
        if keys.iter().any(|k| k.starts_with("money.")) {
            for (row, key, amount) in self.money_facts(&unit, req.period, &row_units).await? {
                facts.add(&row, &key, amount);
            }
        }
        if needs_registry {
            for f in self.store().registry_facts(&registry).await? {
                facts.add(&f.unit, &f.key, f.value);
            }
        }
        if needs_status {
            // Only the deprivations and causes the definition shows: each is a column of
            // the query. The definitions' raw text is searched, so that columns expanded
            // over codes count too.
            let mentions = |word: &str| {
                def.columns
                    .iter()
                    .any(|c| c.value.iter().chain(&c.formula).any(|t| t.contains(word)))
            };
            let codes: Vec<&str> = if mentions(".deprived.") {
                indicators.iter().map(|i| i.code.as_str()).collect()
            } else {
                Vec::new()
            };
            let causes: Vec<&str> = if mentions(".cause.") {
                catalog
                    .lists
                    .causes
                    .iter()
                    .map(|c| c.code.as_str())
                    .collect()
            } else {
                Vec::new()
            };
            for f in self
                .store()
                .status_facts(&scope, req.period, as_of, &codes, &causes)
                .await?
            {
                facts.add(&f.unit, &f.key, f.value);
            }
        }
        if needs_movement {
            let groups = self
                .store()
                .movement_groups(&scope, req.period, as_of)
                .await?;
            for list in ["poor", "near_poor"] {
                for g in &groups {
                    let mut units: Vec<&str> = Vec::new();
                    units.extend(g.prev_unit.as_deref());
                    units.extend(g.cur_unit.as_deref());
                    units.dedup();
                    for u in units {
                        for n in movement_cells(list, u, g) {
                            facts.add(u, &format!("move.{list}.{n}"), g.households);
                        }
                    }
                }
            }
        }

        // Ethnicities present, most households first, for the columns that expand over them.
        let mut ethnic_counts: HashMap<String, i64> = HashMap::new();
        for m in facts.by_unit.values() {
            for (k, v) in m {
                if let Some((_, code)) = k.split_once(".ethnicity.") {
                    *ethnic_counts.entry(code.to_string()).or_default() += v;
                }
            }
        }
        let mut ethnicities: Vec<(String, i64)> = ethnic_counts.into_iter().collect();
        ethnicities.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let ethnicity_list: Vec<CodeName> = ethnicities
            .into_iter()
            .map(|(code, _)| {
                let choice = ETHNICITIES.get(&code);
                CodeName {
                    name: choice
                        .map(|c| c.label_vi.to_string())
                        .unwrap_or(code.clone()),
                    name_en: choice
                        .map(|c| c.label_en.to_string())
                        .unwrap_or(code.clone()),
                    code,
                }
            })
            .collect();

        // The programme's funding sources open in the period, for the columns of the
        // money reports that expand over them.
        let funding_sources: Vec<CodeName> = self
            .programme()
            .funding_sources()
            .iter()
            .filter(|s| s.open_in(req.period))
            .map(|s| CodeName {
                code: s.code.clone(),
                name: s.name_vi.clone(),
                name_en: s.name_en.clone(),
            })
            .collect();

        // Columns, expanded.
        struct Col {
            out: ReportColumn,
            value: Option<String>,
            formula: Option<Expr>,
        }
        let mut cols: Vec<Col> = Vec::new();
        for (i, c) in def.columns.iter().enumerate() {
            let items: Vec<Option<&CodeName>> = match c.expand.as_deref() {
                Some("indicators") => indicators.iter().map(Some).collect(),
                Some("causes") => catalog.lists.causes.iter().map(Some).collect(),
                Some("ethnicities") => ethnicity_list.iter().map(Some).collect(),
                Some("policies") => policy_list.iter().map(Some).collect(),
                Some("funding_sources") => funding_sources.iter().map(Some).collect(),
                _ => vec![None],
            };
            for item in items {
                let fill = |s: &str, en: bool| match item {
                    Some(it) => s
                        .replace("{code}", &it.code)
                        .replace("{name}", if en { &it.name_en } else { &it.name }),
                    None => s.to_string(),
                };
                let value = c.value.as_deref().map(|v| fill(v, false));
                let formula = c
                    .formula
                    .as_deref()
                    .map(|f| Expr::parse(&fill(f, false)))
                    .transpose()
                    .map_err(|m| AppError::invalid("formula", m))?;
                let drill = c
                    .drill
                    .as_deref()
                    .map(|d| fill(d, false))
                    .or_else(|| value.clone())
                    .or_else(|| {
                        formula
                            .as_ref()
                            .and_then(|f| f.names().first().map(|s| s.to_string()))
                    })
                    // Money is not households: its drill-down is the ledger's page.
                    .filter(|d| !d.starts_with("money."));
                let id = match (&c.id, item) {
                    (Some(id), Some(it)) => format!("{id}.{}", it.code),
                    (Some(id), None) => id.clone(),
                    (None, Some(it)) => format!("col{}.{}", i + 1, it.code),
                    (None, None) => format!("col{}", i + 1),
                };
                cols.push(Col {
                    out: ReportColumn {
                        id,
                        heading: c.heading.iter().map(|h| fill(h, false)).collect(),
                        heading_en: c.heading_en.iter().map(|h| fill(h, true)).collect(),
                        format: c.format,
                        drill,
                    },
                    value,
                    formula,
                });
            }
        }

        // Rows: each unit below, then the total.
        let mut totals: HashMap<String, i64> = HashMap::new();
        for m in facts.by_unit.values() {
            for (k, v) in m {
                *totals.entry(k.clone()).or_default() += v;
            }
        }
        let mut row_specs: Vec<(Option<String>, String, HashMap<String, i64>)> = row_units
            .iter()
            .map(|u| {
                (
                    Some(u.code.clone()),
                    u.name.clone(),
                    facts.by_unit.get(&u.code).cloned().unwrap_or_default(),
                )
            })
            .collect();
        // Figures of units no longer valid (merged since) still count, on their own row.
        let known: HashSet<&str> = row_units.iter().map(|u| u.code.as_str()).collect();
        let mut others: Vec<&String> = facts
            .by_unit
            .keys()
            .filter(|k| !known.contains(k.as_str()))
            .collect();
        others.sort();
        for code in others {
            let name = match self.store().unit_on(code, day).await? {
                Some(u) => u.name,
                None => match self.store().unit(code).await? {
                    Some(u) => u.name,
                    None => code.clone(),
                },
            };
            row_specs.push((Some(code.clone()), name, facts.by_unit[code].clone()));
        }
        row_specs.push((None, "Tổng cộng".into(), totals));

        let mut rows = Vec::with_capacity(row_specs.len());
        let mut failures = Vec::new();
        for (code, label, f) in row_specs {
            let mut values: Vec<Option<f64>> = Vec::with_capacity(cols.len());
            let mut by_id: HashMap<String, f64> = HashMap::new();
            for c in &cols {
                let v = if let Some(key) = &c.value {
                    Some(f.get(key).copied().unwrap_or(0) as f64)
                } else if let Some(expr) = &c.formula {
                    let lookup = |name: &str| -> Option<f64> {
                        by_id
                            .get(name)
                            .copied()
                            .or_else(|| Some(f.get(name).copied().unwrap_or(0) as f64))
                    };
                    expr.eval(&lookup)
                } else {
                    None
                };
                let v = match (v, c.out.format) {
                    (Some(x), ValueFormat::Rate) => Some((x * 100.0).round() / 100.0),
                    (v, _) => v,
                };
                if let Some(x) = v {
                    by_id.insert(c.out.id.clone(), x);
                }
                values.push(v);
            }
            if let Some(check) = &def.check {
                let lookup = |name: &str| by_id.get(name).copied();
                let left = Expr::parse(&check.left)
                    .ok()
                    .and_then(|e| e.eval(&lookup))
                    .unwrap_or(0.0);
                let right = Expr::parse(&check.right)
                    .ok()
                    .and_then(|e| e.eval(&lookup))
                    .unwrap_or(0.0);
                if (left - right).abs() > 1e-9 {
                    failures.push(CheckFailure {
                        unit_code: code.clone(),
                        unit_name: label.clone(),
                        left: check.left.clone(),
                        right: check.right.clone(),
                        left_value: left.round() as i64,
                        right_value: right.round() as i64,
                        figures: by_id
                            .iter()
                            .map(|(k, v)| (k.clone(), v.round() as i64))
                            .collect(),
                    });
                }
            }
            rows.push(ReportRow {
                unit_code: code,
                label,
                values,
            });
        }
        // A commune without the lists of one of the two periods (it skipped a year, or has
        // not decided this one) cannot be compared: its table would fail the check in every
        // village. It is named in a note and left out of the check instead; the rows of the
        // communes that have both periods are still checked.
        let mut gap_notes = Vec::new();
        if needs_movement {
            let (gaps, restarted) = self
                .movement_gaps(&unit, req.period, as_of, day, basis)
                .await?;
            // A commune that skipped the year before starts from its latest earlier list,
            // the one its review compared against: the table is whole and checked, and
            // the note says which year its start column is.
            let mut by_start: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
            for (commune, year) in &restarted {
                by_start
                    .entry(*year)
                    .or_default()
                    .push(commune.name.as_str());
            }
            for (year, names) in by_start {
                gap_notes.push(format!(
                    "Không có kết quả năm {}: {}; đầu kỳ là kết quả năm {year}, danh sách còn hiệu lực khi bắt đầu năm {}.",
                    req.period - 1,
                    names.join(", "),
                    req.period
                ));
            }
            if !gaps.is_empty() {
                let complete: HashSet<String> = self
                    .communes_on(&unit, day, basis)
                    .await?
                    .into_iter()
                    .map(|c| c.code)
                    .filter(|c| !gaps.iter().any(|(g, _)| &g.code == c))
                    .collect();
                failures.retain(|f| f.unit_code.as_ref().is_some_and(|c| complete.contains(c)));
                let mut by_year: BTreeMap<i32, Vec<&str>> = BTreeMap::new();
                for (commune, year) in &gaps {
                    by_year
                        .entry(*year)
                        .or_default()
                        .push(commune.name.as_str());
                }
                for (year, names) in by_year {
                    gap_notes.push(format!(
                        "Chưa có kết quả năm {year}: {}; bảng không so sánh được và không kiểm tra cho {}.",
                        names.join(", "),
                        if names.len() == 1 { "xã này" } else { "các xã này" }
                    ));
                }
            }
        } else if needs_status {
            // A commune that has last year's lists but not this year's has not decided
            // yet: its zeros would read as "no poor household", so the report names it.
            let undecided: Vec<String> = self
                .period_gaps(&unit, req.period, as_of, day, basis)
                .await?
                .into_iter()
                .filter(|(_, year)| *year == req.period)
                .map(|(commune, _)| commune.name)
                .collect();
            if !undecided.is_empty() {
                gap_notes.push(format!(
                    "Chưa có kết quả năm {}: {}.",
                    req.period,
                    undecided.join(", ")
                ));
            }
        }
        let check = def.check.as_ref().map(|c| CheckResult {
            rule: format!("{} = {}", c.left, c.right),
            passed: failures.is_empty(),
            failures,
        });

        // A movement table compares two periods that may fall under two standards (the
        // 2026 lists under vn-2022, the 2027 lists under vn-2027): the notes name the
        // standard of each end, since a household poor in both stays "still poor" in
        // columns 1 and 9 though the standard changed.
        let (previous_standard, _) = catalog.indicators_for(req.period - 1);
        let fill = |s: &str| {
            s.replace("{period}", &req.period.to_string())
                .replace("{previous}", &(req.period - 1).to_string())
                .replace("{previous_standard}", previous_standard)
                .replace("{standard}", standard)
        };
        // The chain of the unit's own version, so that a report as it was keeps the
        // header it had, whatever a later reform made of the unit's code.
        let own_day = day
            .max(unit.valid_from)
            .min(unit.valid_to.unwrap_or(NaiveDate::MAX));
        let chain = self.store().ancestry_on(&unit.code, own_day).await?;
        let agency = {
            let mut lines = Vec::new();
            if let Some(parent) = chain.iter().rev().nth(1) {
                lines.push(format!("UBND {}", parent.name.to_uppercase()));
            }
            lines.push(format!("UBND {}", unit.name.to_uppercase()));
            lines
        };
        Ok(Report {
            name: def.name.clone(),
            form: def.form.clone(),
            title: fill(&def.title),
            title_en: fill(&def.title_en),
            description: def.description.clone(),
            unit_code: unit.code.clone(),
            unit_name: unit.name.clone(),
            period: req.period,
            as_of,
            basis,
            standard: standard.to_string(),
            numbered: def.numbered,
            notes: std::iter::once(basis.note(day))
                .chain(def.notes.iter().map(|n| fill(n)))
                .chain(gap_notes)
                .chain(coverage_notes)
                .collect(),
            columns: cols.into_iter().map(|c| c.out).collect(),
            rows,
            check,
            agency,
            place: bare_name(&unit),
        })
    }

    /// A report for a unit and, after it, the same report for each unit below it (each
    /// commune of a district), for a workbook with one sheet per unit.
    pub async fn report_per_unit(
        &self,
        actor: &Actor,
        req: &ReportRequest,
    ) -> Result<Vec<Report>, AppError> {
        self.authorize(actor, Action::ReadAggregates, &req.unit)
            .await?;
        self.report_per_unit_as_system(req).await
    }

    pub async fn report_per_unit_as_system(
        &self,
        req: &ReportRequest,
    ) -> Result<Vec<Report>, AppError> {
        let total = self.report_as_system(req).await?;
        let based = self
            .based_unit(&req.unit, req.period, req.as_of, Some(total.basis))
            .await?;
        let row_units = self.based_scope(&based).await?.rows;
        // All sheets take the same date and basis, even when the clock turns midnight
        // between them.
        let as_of = Some(total.as_of);
        let basis = Some(total.basis);
        let mut out = vec![total];
        for child in row_units.iter().filter(|u| u.code != based.unit.code) {
            let sub = ReportRequest {
                unit: child.code.clone(),
                as_of,
                basis,
                ..req.clone()
            };
            out.push(self.report_as_system(&sub).await?);
        }
        Ok(out)
    }

    /// The households behind a figure: fact `key` of `unit` (a row of a report) for a
    /// period as of a date. Needs the right to read personal data there; a province
    /// viewer is refused.
    pub async fn report_households(
        &self,
        actor: &Actor,
        unit: &str,
        key: &str,
        period: i32,
        as_of: Option<NaiveDate>,
        basis: Option<Basis>,
    ) -> Result<Vec<HouseholdStatusRow>, AppError> {
        self.authorize(actor, Action::ReadPersonal, unit).await?;
        self.report_households_as_system(unit, key, period, as_of, basis)
            .await
    }

    pub async fn report_households_as_system(
        &self,
        unit: &str,
        key: &str,
        period: i32,
        as_of: Option<NaiveDate>,
        basis: Option<Basis>,
    ) -> Result<Vec<HouseholdStatusRow>, AppError> {
        let based = self.based_unit(unit, period, as_of, basis).await?;
        let as_of = as_of.unwrap_or_else(|| self.clock().today());
        let (unit, day) = (&based.unit, based.day);
        let column = column_of(tier_of(unit));
        let mut scope = ReportScope::as_stored(column, &unit.code, column);
        if based.basis == Basis::Current {
            scope = self.rebased(&scope, unit, day).await?;
        }
        let rows = self
            .store()
            .household_statuses(&scope, period, as_of)
            .await?;
        // The registry places a household by its village; the village's chain on the
        // report's day says whether it lies in the unit.
        let mut inside: HashMap<String, bool> = HashMap::new();
        let mut out = Vec::new();
        for row in rows {
            let registered = match inside.get(&row.village_code) {
                Some(b) => *b,
                None => {
                    let mut chain = self.store().ancestry_on(&row.village_code, day).await?;
                    if chain.is_empty() {
                        // A village made after the day: its first knowledge stands for it.
                        chain = self.store().ancestry(&row.village_code).await?;
                    }
                    let b = chain.iter().any(|u| u.code == unit.code);
                    inside.insert(row.village_code.clone(), b);
                    b
                }
            };
            if household_counts_in(key, &unit.code, &row, registered) {
                out.push(row);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_definitions_load() {
        let c = ReportCatalog::builtin();
        assert!(c.get("dien-bien-ho-ngheo").is_some());
        assert_eq!(c.indicators_for(2021).0, "vn-2016");
        assert_eq!(c.indicators_for(2022).1.len(), 12);
    }

    #[test]
    fn formulas_compute_rates_and_refuse_division_by_zero() {
        let e = Expr::parse("poor.households / households * 100").unwrap();
        let f = |n: &str| match n {
            "poor.households" => Some(121.0),
            "households" => Some(3000.0),
            _ => None,
        };
        assert!((e.eval(&f).unwrap() - 4.0333).abs() < 1e-3);
        let zero = |n: &str| {
            if n == "households" {
                Some(0.0)
            } else {
                Some(1.0)
            }
        };
        assert_eq!(e.eval(&zero), None);
        assert_eq!(
            Expr::parse("c1 - c2 - (c3 - -c4)").unwrap().names(),
            vec!["c1", "c2", "c3", "c4"]
        );
        assert!(Expr::parse("a +").is_err());
    }

    fn g(prev: Option<(&str, &str)>, cur: Option<(&str, &str)>, t: Option<&str>) -> MovementGroup {
        MovementGroup {
            prev_unit: prev.map(|p| p.0.to_string()),
            prev_status: prev.map(|p| p.1.to_string()),
            cur_unit: cur.map(|c| c.0.to_string()),
            cur_status: cur.map(|c| c.1.to_string()),
            transition: t.map(String::from),
            active: true,
            split: false,
            households: 1,
        }
    }

    #[test]
    fn movements_fall_in_their_columns() {
        let esc = g(Some(("A", "poor")), Some(("A", "not_poor")), None);
        assert_eq!(movement_cells("poor", "A", &esc), vec![1, 2]);
        let to_np = g(Some(("A", "poor")), Some(("A", "near_poor")), None);
        assert_eq!(movement_cells("poor", "A", &to_np), vec![1, 4]);
        assert_eq!(movement_cells("near_poor", "A", &to_np), vec![9, 7]);
        let new = g(None, Some(("A", "poor")), Some("newly_poor"));
        assert_eq!(movement_cells("poor", "A", &new), vec![9, 5]);
        let back = g(
            Some(("A", "not_poor")),
            Some(("A", "poor")),
            Some("fell_back"),
        );
        assert_eq!(movement_cells("poor", "A", &back), vec![9, 6]);
        assert_eq!(movement_cells("near_poor", "A", &back), Vec::<u8>::new());
        let back_from_np = g(
            Some(("A", "near_poor")),
            Some(("A", "poor")),
            Some("fell_back"),
        );
        assert_eq!(movement_cells("poor", "A", &back_from_np), vec![9, 6]);
        assert_eq!(movement_cells("near_poor", "A", &back_from_np), vec![1, 4]);
        let moved = g(Some(("A", "poor")), Some(("B", "poor")), None);
        assert_eq!(movement_cells("poor", "A", &moved), vec![1, 3]);
        assert_eq!(movement_cells("poor", "B", &moved), vec![9, 8]);
        let mut gone = g(Some(("A", "poor")), None, None);
        gone.active = false;
        assert_eq!(movement_cells("poor", "A", &gone), vec![1, 3]);
        // A recorded escape from a household that was not poor at the start breaks the
        // check: it decreases a list it was never on.
        let wrong = g(
            Some(("A", "near_poor")),
            Some(("A", "not_poor")),
            Some("escaped_poverty"),
        );
        assert_eq!(movement_cells("poor", "A", &wrong), vec![2]);
    }
}
