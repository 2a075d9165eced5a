//! Poverty standards as data: parsing, checking and looking them up.

use crate::derive::DeriveRule;
use crate::figure::Figure;
use giamngheo_domain::{Area, text};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::Arc;
use toml::Spanned;

/// The most indicators a standard may have: ticks travel as a `u16` bitmask, which keeps
/// the national batch small enough to classify in about a second.
pub const MAX_INDICATORS: usize = 16;

/// Column names of the `classify` input that an indicator code must not take.
const RESERVED_CODES: [&str; 4] = ["household_id", "area", "income_per_capita", "score_a"];

/// How the income test and the deprivation count combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeRule {
    /// Two lines, read "either/or" (vn-2016): at or below the poor line a household is
    /// poor whatever its deprivations; between the poor and the near-poor line it is poor
    /// with enough deprivations and near-poor otherwise.
    EitherOr,
    /// One line, read "and" (vn-2022, vn-2027): at or below the line a household is poor
    /// with enough deprivations and near-poor otherwise; above it, neither.
    And,
}

/// A range of review years a standard applies to, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: i32,
    pub to: i32,
    pub source: Option<String>,
}

/// One deprivation indicator (chỉ số thiếu hụt) of a standard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// The code used as a column name and in the database (see standards.md).
    pub code: String,
    pub dimension_vi: String,
    pub dimension_en: String,
    pub name_vi: String,
    pub name_en: String,
    pub deprived_when_vi: Option<String>,
    pub deprived_when_en: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub to_confirm: bool,
    /// How to derive the tick from member facts, when it can be.
    pub derive: Option<DeriveRule>,
}

/// The lines and thresholds of one area (rural or urban) of a standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaLines {
    /// Income per person per month at or below which a household can be poor.
    pub poor_line: Figure,
    /// The near-poor line; the same figure as the poor line under [`IncomeRule::And`].
    pub near_poor_line: Figure,
    /// The upper end of the medium-living band, which starts just above the near-poor line.
    pub medium_up_to: Option<Figure>,
    /// The score-A (form B1) threshold, for standards that have one.
    pub score_a_threshold: Option<Figure>,
}

/// Where a standard was read from, so that an official can tell a local override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Origin {
    /// Built into the binary.
    Embedded,
    /// Read from a file of the standards directory.
    File(String),
}

/// A poverty standard (chuẩn nghèo): income lines, indicators, thresholds and periods.
///
/// Built only by [`Standard::parse`], which checks it, so every `Standard` is coherent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standard {
    id: String,
    name_vi: String,
    name_en: String,
    instrument: Option<String>,
    income_rule: IncomeRule,
    min_deprivations: Figure,
    points_per_indicator: Figure,
    periods: Vec<Period>,
    rural: AreaLines,
    urban: AreaLines,
    #[serde(serialize_with = "serialize_indicators")]
    indicators: Arc<[Indicator]>,
    origin: Origin,
    #[serde(skip)]
    pub(crate) compiled: Compiled,
}

fn serialize_indicators<S: serde::Serializer>(
    indicators: &Arc<[Indicator]>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(indicators.iter())
}

/// The figures the classification reads, copied into plain integers once so that the
/// per-household path touches one small struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Compiled {
    pub either_or: bool,
    pub min_deprivations: u8,
    pub points_per_indicator: u16,
    /// The bits a tick mask may have: one per indicator.
    pub valid_mask: u16,
    /// Indexed by [`area_index`].
    pub areas: [CompiledArea; 2],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CompiledArea {
    pub poor_line: u64,
    pub near_poor_line: u64,
    /// The medium band is `near_poor_line < I ≤ medium_up_to`; without a band this equals
    /// `near_poor_line`, which makes the band empty.
    pub medium_up_to: u64,
    pub score_a_threshold: Option<u32>,
}

pub(crate) fn area_index(area: Area) -> usize {
    match area {
        Area::Rural => 0,
        Area::Urban => 1,
    }
}

impl Standard {
    /// Reads and checks a standard from TOML text. `file` names the source in errors.
    ///
    /// This is pure: the caller reads the file (see [`StandardSet::with_dir`]).
    pub fn parse(file: &str, text: &str) -> Result<Standard, StandardError> {
        let raw: RawStandard = toml::from_str(text).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            StandardError::invalid(file, text, span, error.message().trim_end().to_string())
        })?;
        raw.check(file, text)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name_vi(&self) -> &str {
        &self.name_vi
    }

    pub fn name_en(&self) -> &str {
        &self.name_en
    }

    /// The legal instrument that sets the standard, e.g. "Nghị định 07/2021/NĐ-CP, Điều 3".
    pub fn instrument(&self) -> Option<&str> {
        self.instrument.as_deref()
    }

    pub fn income_rule(&self) -> IncomeRule {
        self.income_rule
    }

    /// The least number of deprivations that makes a low-income household poor (3 in the
    /// national standards), with its source note.
    pub fn min_deprivations(&self) -> &Figure {
        &self.min_deprivations
    }

    /// Form B2 points per deprived indicator (10 in the national standards).
    pub fn points_per_indicator(&self) -> &Figure {
        &self.points_per_indicator
    }

    /// The score B at or above which a household under the score-A line is poor: the
    /// minimum deprivation count times the points per indicator (30 in vn-2022).
    pub fn score_b_threshold(&self) -> u16 {
        u16::from(self.compiled.min_deprivations) * self.compiled.points_per_indicator
    }

    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// Whether the standard applies to reviews of `year`.
    pub fn applies_to(&self, year: i32) -> bool {
        self.periods
            .iter()
            .any(|period| (period.from..=period.to).contains(&year))
    }

    pub fn lines(&self, area: Area) -> &AreaLines {
        match area {
            Area::Rural => &self.rural,
            Area::Urban => &self.urban,
        }
    }

    /// Whether households may be classified from score A under this standard.
    pub fn has_score_a(&self) -> bool {
        self.compiled
            .areas
            .iter()
            .all(|area| area.score_a_threshold.is_some())
    }

    /// The indicators in their fixed order: bit `i` of an [`IndicatorSet`] is
    /// `indicators()[i]`.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    pub(crate) fn indicators_shared(&self) -> &Arc<[Indicator]> {
        &self.indicators
    }

    pub fn indicator_index(&self, code: &str) -> Option<usize> {
        self.indicators
            .iter()
            .position(|indicator| indicator.code == code)
    }

    /// The set of the indicators named by `codes`, or the first unknown code.
    pub fn indicator_set<'c>(
        &self,
        codes: impl IntoIterator<Item = &'c str>,
    ) -> Result<crate::IndicatorSet, UnknownIndicator> {
        let mut set = crate::IndicatorSet::EMPTY;
        for code in codes {
            let index = self
                .indicator_index(code)
                .ok_or_else(|| UnknownIndicator(code.to_string()))?;
            set.insert(index);
        }
        Ok(set)
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Every figure marked to confirm, with a label saying which one: what the UI lists
    /// beside a classification made under this standard.
    pub fn figures_to_confirm(&self) -> Vec<(String, &Figure)> {
        let mut figures = Vec::new();
        for (label, figure) in [
            ("min_deprivations", &self.min_deprivations),
            ("points_per_indicator", &self.points_per_indicator),
        ] {
            figures.push((label.to_string(), figure));
        }
        for area in Area::ALL {
            let lines = self.lines(area);
            figures.push((format!("{area}.poor_line"), &lines.poor_line));
            if self.income_rule == IncomeRule::EitherOr {
                figures.push((format!("{area}.near_poor_line"), &lines.near_poor_line));
            }
            if let Some(figure) = &lines.medium_up_to {
                figures.push((format!("{area}.medium_up_to"), figure));
            }
            if let Some(figure) = &lines.score_a_threshold {
                figures.push((format!("{area}.score_a_threshold"), figure));
            }
        }
        figures.retain(|(_, figure)| figure.to_confirm);
        figures
    }
}

/// An indicator code the standard does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("chỉ số không có trong chuẩn «{0}» (unknown indicator)")]
pub struct UnknownIndicator(pub String);

/// A standard file that cannot be used, named by file, line and reason.
#[derive(Debug, thiserror::Error)]
pub enum StandardError {
    #[error("{file}:{line}:{column}: {reason}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("{file}: không đọc được tệp (cannot read the file): {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

impl StandardError {
    pub(crate) fn invalid(file: &str, text: &str, span: Range<usize>, reason: String) -> Self {
        let (line, column) = line_and_column(text, span.start);
        StandardError::Invalid {
            file: file.to_string(),
            line,
            column,
            reason,
        }
    }

    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            StandardError::Invalid { file, .. } | StandardError::Read { file, .. } => file,
        }
    }

    /// The 1-based line the error is about, when it is about a line.
    pub fn line(&self) -> Option<usize> {
        match self {
            StandardError::Invalid { line, .. } => Some(*line),
            StandardError::Read { .. } => None,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

// ----- The file format, as read before it is checked. -----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStandard {
    id: Spanned<String>,
    name_vi: String,
    name_en: String,
    instrument: Option<String>,
    income_rule: IncomeRule,
    min_deprivations: Spanned<Figure>,
    points_per_indicator: Spanned<Figure>,
    periods: Spanned<Vec<Spanned<Period>>>,
    areas: RawAreas,
    indicators: Spanned<Vec<Spanned<Indicator>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAreas {
    rural: RawArea,
    urban: RawArea,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    poor_line: Spanned<Figure>,
    near_poor_line: Option<Spanned<Figure>>,
    medium_up_to: Option<Spanned<Figure>>,
    score_a_threshold: Option<Spanned<Figure>>,
}

/// The checks of one file, which stop at the first problem and say where it is.
struct Checker<'a> {
    file: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    fn fail<T>(&self, span: Range<usize>, reason: String) -> Result<T, StandardError> {
        Err(StandardError::invalid(self.file, self.text, span, reason))
    }

    fn ensure(
        &self,
        ok: bool,
        span: Range<usize>,
        reason: impl FnOnce() -> String,
    ) -> Result<(), StandardError> {
        if ok {
            Ok(())
        } else {
            self.fail(span, reason())
        }
    }
}

impl RawStandard {
    fn check(self, file: &str, text: &str) -> Result<Standard, StandardError> {
        let checker = Checker { file, text };
        let id_ok =
            !self.id.get_ref().is_empty()
                && self.id.get_ref().bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
        checker.ensure(id_ok, self.id.span(), || {
            format!(
                "mã chuẩn «{}» chỉ được gồm chữ thường, số, '-' và '_' (id must be lowercase letters, digits, '-' or '_')",
                self.id.get_ref()
            )
        })?;

        checker.ensure(
            !self.periods.get_ref().is_empty(),
            self.periods.span(),
            || "cần ít nhất một giai đoạn áp dụng (at least one period is needed)".to_string(),
        )?;
        for period in self.periods.get_ref() {
            let p = period.get_ref();
            checker.ensure(p.from <= p.to, period.span(), || {
                format!(
                    "giai đoạn {}–{} ngược (period ends before it starts)",
                    p.from, p.to
                )
            })?;
        }

        let indicators = self.check_indicators(&checker)?;
        let n = indicators.len();

        let min_deprivations = self.min_deprivations.get_ref().value;
        checker.ensure(
            (1..=n as u64).contains(&min_deprivations),
            self.min_deprivations.span(),
            || format!("số chỉ số thiếu hụt tối thiểu {min_deprivations} phải từ 1 đến {n} (min_deprivations must be 1 … number of indicators)"),
        )?;
        let points = self.points_per_indicator.get_ref().value;
        checker.ensure(
            (1..=1000).contains(&points),
            self.points_per_indicator.span(),
            || format!("điểm mỗi chỉ số {points} phải từ 1 đến 1000 (points_per_indicator must be 1 … 1000)"),
        )?;

        let (rural, rural_compiled) =
            check_area(&checker, self.income_rule, self.areas.rural, "rural")?;
        let (urban, urban_compiled) =
            check_area(&checker, self.income_rule, self.areas.urban, "urban")?;

        // Score A is all or nothing: a standard with a threshold for one area only would
        // classify score-A households of the other area by an unstated rule.
        checker.ensure(
            rural.score_a_threshold.is_some() == urban.score_a_threshold.is_some(),
            self.id.span(),
            || "ngưỡng điểm A phải có cho cả nông thôn và thành thị, hoặc không có (score_a_threshold must be set for both areas or neither)".to_string(),
        )?;

        let valid_mask = if n == 16 { u16::MAX } else { (1u16 << n) - 1 };
        let compiled = Compiled {
            either_or: self.income_rule == IncomeRule::EitherOr,
            min_deprivations: min_deprivations as u8,
            points_per_indicator: points as u16,
            valid_mask,
            areas: [rural_compiled, urban_compiled],
        };
        Ok(Standard {
            id: self.id.into_inner(),
            name_vi: text::normalize(&self.name_vi),
            name_en: text::normalize(&self.name_en),
            instrument: self.instrument.as_deref().map(text::normalize),
            income_rule: self.income_rule,
            min_deprivations: self.min_deprivations.into_inner(),
            points_per_indicator: self.points_per_indicator.into_inner(),
            periods: self
                .periods
                .into_inner()
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            rural,
            urban,
            indicators: indicators.into(),
            origin: Origin::File(file.to_string()),
            compiled,
        })
    }

    fn check_indicators(&self, checker: &Checker<'_>) -> Result<Vec<Indicator>, StandardError> {
        let list = self.indicators.get_ref();
        checker.ensure(
            (1..=MAX_INDICATORS).contains(&list.len()),
            self.indicators.span(),
            || format!("cần từ 1 đến {MAX_INDICATORS} chỉ số, có {} (a standard needs 1 … {MAX_INDICATORS} indicators)", list.len()),
        )?;
        let mut seen: Vec<&str> = Vec::with_capacity(list.len());
        for spanned in list {
            let code = spanned.get_ref().code.as_str();
            let well_formed = !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            checker.ensure(well_formed, spanned.span(), || {
                format!("mã chỉ số «{code}» chỉ được gồm chữ thường, số và '_' (indicator code must be lowercase letters, digits or '_')")
            })?;
            checker.ensure(!RESERVED_CODES.contains(&code), spanned.span(), || {
                format!("mã chỉ số «{code}» trùng tên cột dành riêng (indicator code is a reserved column name)")
            })?;
            checker.ensure(!seen.contains(&code), spanned.span(), || {
                format!("mã chỉ số «{code}» bị lặp (duplicate indicator code)")
            })?;
            seen.push(code);
        }
        // The names are shown to officials and compared in reports: store them in NFC,
        // whatever form the editor of a local standard file saved them in.
        Ok(list
            .iter()
            .map(|spanned| {
                let indicator = spanned.get_ref();
                Indicator {
                    dimension_vi: text::normalize(&indicator.dimension_vi),
                    dimension_en: text::normalize(&indicator.dimension_en),
                    name_vi: text::normalize(&indicator.name_vi),
                    name_en: text::normalize(&indicator.name_en),
                    deprived_when_vi: indicator.deprived_when_vi.as_deref().map(text::normalize),
                    deprived_when_en: indicator.deprived_when_en.as_deref().map(text::normalize),
                    ..indicator.clone()
                }
            })
            .collect())
    }
}

fn check_area(
    checker: &Checker<'_>,
    rule: IncomeRule,
    raw: RawArea,
    name: &str,
) -> Result<(AreaLines, CompiledArea), StandardError> {
    let poor = raw.poor_line.get_ref().value;
    checker.ensure(poor > 0, raw.poor_line.span(), || {
        format!("chuẩn nghèo {name} phải lớn hơn 0 (poor_line must be > 0)")
    })?;
    let near_poor_line = match (rule, raw.near_poor_line) {
        (IncomeRule::EitherOr, None) => {
            return checker.fail(
                raw.poor_line.span(),
                format!("chuẩn hai ngưỡng (either_or) cần near_poor_line cho {name} (near_poor_line is required)"),
            );
        }
        (IncomeRule::EitherOr, Some(near)) => {
            let value = near.get_ref().value;
            checker.ensure(value > poor, near.span(), || {
                format!("chuẩn cận nghèo {name} {value} phải lớn hơn chuẩn nghèo {poor} (near_poor_line must exceed poor_line)")
            })?;
            near.into_inner()
        }
        (IncomeRule::And, Some(near)) => {
            let value = near.get_ref().value;
            checker.ensure(value == poor, near.span(), || {
                format!("chuẩn một ngưỡng (and) không có chuẩn cận nghèo riêng: near_poor_line {value} phải bằng poor_line {poor} hoặc bỏ đi (income_rule \"and\" has one line)")
            })?;
            near.into_inner()
        }
        (IncomeRule::And, None) => raw.poor_line.get_ref().clone(),
    };
    let near = near_poor_line.value;
    let medium_up_to = match raw.medium_up_to {
        Some(upper) => {
            let value = upper.get_ref().value;
            checker.ensure(value > near, upper.span(), || {
                format!("mức sống trung bình {name} đến {value} phải lớn hơn chuẩn cận nghèo {near} (medium_up_to must exceed the near-poor line)")
            })?;
            Some(upper.into_inner())
        }
        None => None,
    };
    let score_a_threshold = match raw.score_a_threshold {
        Some(threshold) => {
            let value = threshold.get_ref().value;
            checker.ensure(value <= u64::from(u32::MAX), threshold.span(), || {
                format!("ngưỡng điểm A {value} quá lớn (score_a_threshold too large)")
            })?;
            Some(threshold.into_inner())
        }
        None => None,
    };
    let compiled = CompiledArea {
        poor_line: poor,
        near_poor_line: near,
        medium_up_to: medium_up_to.as_ref().map_or(near, |figure| figure.value),
        score_a_threshold: score_a_threshold.as_ref().map(|figure| figure.value as u32),
    };
    let lines = AreaLines {
        poor_line: raw.poor_line.into_inner(),
        near_poor_line,
        medium_up_to,
        score_a_threshold,
    };
    Ok((lines, compiled))
}

// ----- The set of standards the product knows. -----

/// The embedded standard files, by file name.
const EMBEDDED: [(&str, &str); 3] = [
    ("vn-2016.toml", include_str!("../standards/vn-2016.toml")),
    ("vn-2022.toml", include_str!("../standards/vn-2022.toml")),
    ("vn-2027.toml", include_str!("../standards/vn-2027.toml")),
];

/// The standards the product knows: the embedded national ones, plus those read from a
/// standards directory, which add new ids or replace embedded ones of the same id.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardSet {
    /// Sorted by id.
    standards: Vec<Standard>,
}

impl StandardSet {
    /// The national standards built into the binary.
    pub fn embedded() -> StandardSet {
        let mut set = StandardSet {
            standards: Vec::new(),
        };
        for (file, text) in EMBEDDED {
            // The embedded files are checked by this crate's tests; a failure here is a
            // build defect, not a user error.
            let mut standard = Standard::parse(file, text)
                .unwrap_or_else(|error| panic!("embedded standard is invalid: {error}"));
            standard.origin = Origin::Embedded;
            set.insert(standard);
        }
        set
    }

    /// The embedded standards plus every `*.toml` file of `dir`.
    ///
    /// This is the one function of the crate that touches the file system. Files are read
    /// in name order; two files of the same id are refused, naming both.
    pub fn with_dir(dir: &std::path::Path) -> Result<StandardSet, StandardError> {
        let dir_name = dir.display().to_string();
        let read_error = |source| StandardError::Read {
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
            let text = std::fs::read_to_string(&path).map_err(|source| StandardError::Read {
                file: name.clone(),
                source,
            })?;
            files.push((name, text));
        }
        let mut set = StandardSet::embedded();
        set.add_files(
            files
                .iter()
                .map(|(name, text)| (name.as_str(), text.as_str())),
        )?;
        Ok(set)
    }

    /// Parses and adds standard files given as `(name, text)`, replacing embedded
    /// standards of the same id. Pure: [`StandardSet::with_dir`] reads the files.
    pub fn add_files<'a>(
        &mut self,
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), StandardError> {
        let mut added: Vec<(String, String)> = Vec::new();
        for (name, text) in files {
            let standard = Standard::parse(name, text)?;
            if let Some((_, first)) = added.iter().find(|(id, _)| id == standard.id()) {
                let span = id_span(text);
                return Err(StandardError::invalid(
                    name,
                    text,
                    span,
                    format!(
                        "chuẩn «{}» đã được khai báo trong {first} (standard id already defined in {first})",
                        standard.id()
                    ),
                ));
            }
            added.push((standard.id().to_string(), name.to_string()));
            self.insert(standard);
        }
        Ok(())
    }

    /// Adds a standard, returning the one of the same id it replaces.
    pub fn insert(&mut self, standard: Standard) -> Option<Standard> {
        match self
            .standards
            .binary_search_by(|known| known.id().cmp(standard.id()))
        {
            Ok(at) => Some(std::mem::replace(&mut self.standards[at], standard)),
            Err(at) => {
                self.standards.insert(at, standard);
                None
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Standard> {
        self.standards
            .binary_search_by(|known| known.id().cmp(id))
            .ok()
            .map(|at| &self.standards[at])
    }

    /// All standards, sorted by id.
    pub fn iter(&self) -> impl Iterator<Item = &Standard> {
        self.standards.iter()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.standards.iter().map(Standard::id)
    }

    /// The standards that apply to reviews of `year`; a province with a local standard
    /// sees both the national and its own.
    pub fn applying_to(&self, year: i32) -> impl Iterator<Item = &Standard> {
        self.standards
            .iter()
            .filter(move |standard| standard.applies_to(year))
    }

    /// The standard a periodic review for `period` uses by default: the one whose period
    /// *starts* that year when there is one, since a new standard replaces an extended
    /// one at its start (vn-2022 was extended through 2026, vn-2027 starts in 2027, and
    /// the review of autumn 2026 classifies for 2027 under vn-2027); otherwise the first
    /// that applies. Only national standards (embedded, or a file replacing one) are
    /// considered first, so that a province's local copy is never everybody's default.
    pub fn default_for(&self, period: i32) -> Option<&Standard> {
        let starting = |standard: &&Standard| {
            standard
                .periods
                .iter()
                .any(|covered| covered.from == period)
        };
        self.applying_to(period)
            .filter(starting)
            .find(|standard| is_national(standard))
            .or_else(|| self.applying_to(period).find(starting))
            .or_else(|| self.applying_to(period).next())
    }
}

/// Whether a standard has the id of an embedded (national) one.
fn is_national(standard: &Standard) -> bool {
    EMBEDDED
        .iter()
        .any(|(file, _)| file.strip_suffix(".toml") == Some(standard.id()))
}

/// Where the `id` key of a standard file stands, for errors about the whole standard.
fn id_span(text: &str) -> Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("id") {
            return offset..offset + line.len();
        }
        offset += line.len();
    }
    0..0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        let offset = text.find('=').unwrap();
        assert_eq!(line_and_column(text, offset), (1, 3));
        let offset = text.rfind('=').unwrap();
        assert_eq!(line_and_column(text, offset), (2, 4));
    }
}
