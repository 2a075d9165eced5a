//! The dashboard (issue 6): poverty and near-poverty rates by unit, their trend over the
//! years, the deprivation profile of poor households, review progress per commune, and
//! a map of communes once their boundaries are uploaded as GeoJSON.
//!
//! Figures come from the same store queries as the official reports, so a rate on the
//! dashboard is the rate of Biểu 01 (poor households over the registry's active
//! households). Only aggregates leave this module: a province viewer may see it.

use crate::access::{Action, Actor, Role};
use crate::reports::{catalog, column_of, tier_of};
use crate::{App, AppError, files};
use giamngheo_domain::review::Step;
use giamngheo_store::{AuditEntry, ReportScope, UnitRecord};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// The largest GeoJSON file accepted: a district's communes drawn in detail fit well
/// under it, and the server never holds more than this in memory for one upload.
pub const MAX_BOUNDARY_BYTES: usize = 8 * 1024 * 1024;

/// Poor and near-poor households of a unit and their rates (% of households).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRate {
    pub code: String,
    pub name: String,
    /// Active households in the registry: the denominator of the rates.
    pub households: i64,
    pub poor: i64,
    pub near_poor: i64,
    /// `None` when the unit has no households: a rate over nothing is not zero.
    pub poor_rate: Option<f64>,
    pub near_poor_rate: Option<f64>,
}

/// The rates of one classification period.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub period: i32,
    pub poor: i64,
    pub near_poor: i64,
    pub poor_rate: Option<f64>,
    pub near_poor_rate: Option<f64>,
}

/// How many poor households are deprived in one indicator, and their share.
#[derive(Debug, Clone, PartialEq)]
pub struct DeprivationShare {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub households: i64,
    pub share: Option<f64>,
}

/// The reviews of one commune for the period, counted by step (in [`Step::ALL`] order).
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewProgress {
    pub commune_code: String,
    pub commune_name: String,
    pub by_step: Vec<(Step, i64)>,
}

impl ReviewProgress {
    pub fn total(&self) -> i64 {
        self.by_step.iter().map(|(_, n)| n).sum()
    }

    /// The least advanced step any of the commune's reviews is at: where the commune's
    /// work stands.
    pub fn current(&self) -> Option<Step> {
        self.by_step.iter().find(|(_, n)| *n > 0).map(|(s, _)| *s)
    }
}

/// A polygon: an outer ring and its holes, each a list of (longitude, latitude).
pub type Polygon = Vec<Vec<(f64, f64)>>;

/// A commune on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapUnit {
    pub code: String,
    pub name: String,
    pub poor_rate: Option<f64>,
    pub polygons: Vec<Polygon>,
}

/// Everything the dashboard shows for a unit and period.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub unit: UnitRecord,
    /// The period shown; `None` when the unit has no classifications at all.
    pub period: Option<i32>,
    /// The periods with classifications, oldest first.
    pub periods: Vec<i32>,
    /// The standard whose indicators the period uses.
    pub standard: Option<String>,
    /// True when the period has classifications in the unit.
    pub has_data: bool,
    /// One row per unit below, in official code order.
    pub rates: Vec<UnitRate>,
    /// The unit as a whole.
    pub total: Option<UnitRate>,
    pub trend: Vec<TrendPoint>,
    pub poor_households: i64,
    pub deprivation: Vec<DeprivationShare>,
    pub progress: Vec<ReviewProgress>,
    /// The communes with an uploaded boundary; empty without an upload.
    pub map: Vec<MapUnit>,
    /// Whether the user may upload boundaries (admin or labour office).
    pub can_upload: bool,
    /// The communes below with no decision for the period, in official code order: the
    /// page names them rather than letting their households count as none.
    pub communes_without_data: Vec<UnitRecord>,
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// Who may upload boundaries: they change what every user of the area sees.
pub fn may_upload(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Office)
}

impl App {
    /// The dashboard of a unit the user may read aggregates of; outside the user's area
    /// the answer is `NotFound`. `period` defaults to the latest with classifications.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        unit: &str,
        period: Option<i32>,
    ) -> Result<Dashboard, AppError> {
        self.authorize(actor, Action::ReadAggregates, unit).await?;
        let mut d = self.dashboard_as_system(unit, period).await?;
        d.can_upload = may_upload(actor);
        Ok(d)
    }

    /// The dashboard without an access check (for the command line and tests).
    pub async fn dashboard_as_system(
        &self,
        unit: &str,
        period: Option<i32>,
    ) -> Result<Dashboard, AppError> {
        if let Some(p) = period
            && !(1990..=2100).contains(&p)
        {
            return Err(AppError::invalid("period", "năm không hợp lệ"));
        }
        let as_of = self.clock().today();
        let unit = self.unit(unit).await?;
        let column = column_of(tier_of(&unit));
        let (scope, row_units) = self.report_scope(&unit, as_of).await?;

        // The trend: households per period and status, over the registry's households.
        // A unit valid today shows every year on today's units: a commune or province
        // made by the 2025 reform carries the years of the units it absorbed, without a
        // break at the reform. A closed unit shows its years as they were.
        let mut trend_scope = ReportScope::as_stored(column, &unit.code, column);
        if unit.valid_to.is_none() {
            trend_scope = self.rebased(&trend_scope, &unit, as_of).await?;
        }
        let trend_rows = self.store().status_trend_in(&trend_scope, as_of).await?;
        let registry_total: i64 = self
            .store()
            .registry_facts(&trend_scope)
            .await?
            .iter()
            .filter(|f| f.key == "households")
            .map(|f| f.value)
            .sum();
        let mut by_period: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
        for (p, status, n) in &trend_rows {
            let e = by_period.entry(*p).or_default();
            match status.as_str() {
                "poor" => e.0 += n,
                "near_poor" => e.1 += n,
                _ => {}
            }
        }
        let periods: Vec<i32> = by_period.keys().copied().collect();
        let trend = by_period
            .iter()
            .map(|(p, (poor, near))| TrendPoint {
                period: *p,
                poor: *poor,
                near_poor: *near,
                poor_rate: rate(*poor, registry_total),
                near_poor_rate: rate(*near, registry_total),
            })
            .collect();
        let period = match period {
            Some(p) => Some(p),
            None => self.opening_period(&unit, as_of).await?,
        };
        let has_data = period.is_some_and(|p| by_period.contains_key(&p));

        let mut d = Dashboard {
            unit: unit.clone(),
            period,
            periods,
            standard: None,
            has_data,
            rates: Vec::new(),
            total: None,
            trend,
            poor_households: 0,
            deprivation: Vec::new(),
            progress: Vec::new(),
            map: Vec::new(),
            can_upload: false,
            communes_without_data: Vec::new(),
        };
        let communes = self.communes_under(&unit).await?;
        if let Some(p) = period {
            d.progress = self.review_progress_of(&unit, &communes, p).await?;
            d.communes_without_data = self.communes_without_data(&unit, &communes, p).await?;
        }
        let Some(period) = period.filter(|_| has_data) else {
            d.map = self.map_units(&communes, &HashMap::new()).await?;
            return Ok(d);
        };

        // The standard of the period and its indicators, named as the rules name them.
        let (standard_id, catalog_indicators) = catalog().indicators_for(period);
        let indicators: Vec<(String, String, String)> =
            match self.config().standards.get(standard_id) {
                Some(s) => s
                    .indicators()
                    .iter()
                    .map(|i| {
                        (
                            i.code.clone(),
                            capitalized(&i.name_vi),
                            capitalized(&i.name_en),
                        )
                    })
                    .collect(),
                None => catalog_indicators
                    .iter()
                    .map(|i| (i.code.clone(), i.name.clone(), i.name_en.clone()))
                    .collect(),
            };
        d.standard = Some(standard_id.to_string());

        // A province's map needs its communes' figures as well as its districts'; the
        // store groups a province's figures by district and commune in one pass either
        // way, so the communes' are read once and summed into their districts. A commune
        // found under no listed district (retired since) sends the districts back to
        // a query of their own, so that no household is lost from the sums.
        let commune_facts =
            if scope.scope_column == "province_code" && scope.group_column != "commune_code" {
                let communes_scope = ReportScope {
                    group_column: "commune_code",
                    ..scope.clone()
                };
                Some(
                    self.unit_facts(&communes_scope, period, &indicators)
                        .await?,
                )
            } else {
                None
            };
        let rolled_up = commune_facts.as_ref().and_then(|cf| {
            let district_of: HashMap<&str, &str> = communes
                .iter()
                .filter_map(|c| Some((c.code.as_str(), c.parent_code.as_deref()?)))
                .collect();
            roll_up(cf, &district_of, &row_units)
        });
        let facts = match rolled_up {
            Some(f) => f,
            None => self.unit_facts(&scope, period, &indicators).await?,
        };
        d.rates = row_units
            .iter()
            .map(|u| unit_rate(u, facts.get(&u.code)))
            .collect();
        let mut sum: HashMap<String, i64> = HashMap::new();
        for m in facts.values() {
            for (k, v) in m {
                *sum.entry(k.clone()).or_default() += v;
            }
        }
        d.total = Some(unit_rate(&unit, Some(&sum)));
        let poor = sum.get("poor.households").copied().unwrap_or(0);
        d.poor_households = poor;
        d.deprivation = indicators
            .into_iter()
            .map(|(code, name_vi, name_en)| {
                let n = sum
                    .get(&format!("poor.deprived.{code}"))
                    .copied()
                    .unwrap_or(0);
                DeprivationShare {
                    code,
                    name_vi,
                    name_en,
                    households: n,
                    share: rate(n, poor),
                }
            })
            .collect();

        // Commune rates for the map: the rows already are communes for a district; a
        // province's were read above (a village has no communes to draw).
        let commune_rates: HashMap<String, Option<f64>> =
            if scope.group_column == "commune_code" || unit.tier == "commune" {
                d.rates
                    .iter()
                    .map(|r| (r.code.clone(), r.poor_rate))
                    .chain(d.total.iter().map(|t| (t.code.clone(), t.poor_rate)))
                    .collect()
            } else {
                let facts = commune_facts.unwrap_or_default();
                communes
                    .iter()
                    .map(|c| (c.code.clone(), unit_rate(c, facts.get(&c.code)).poor_rate))
                    .collect()
            };
        d.map = self.map_units(&communes, &commune_rates).await?;
        Ok(d)
    }

    /// Registry and status facts per row unit of a scope.
    async fn unit_facts(
        &self,
        scope: &ReportScope,
        period: i32,
        indicators: &[(String, String, String)],
    ) -> Result<HashMap<String, HashMap<String, i64>>, AppError> {
        let as_of = self.clock().today();
        let codes: Vec<&str> = indicators.iter().map(|i| i.0.as_str()).collect();
        let mut facts: HashMap<String, HashMap<String, i64>> = HashMap::new();
        let registry = self.store().registry_facts(scope).await?;
        // The households and deprivations of each status come from the per-village
        // counts kept with each classification (migration 0095), not from the rows.
        let status = self
            .store()
            .status_counts(scope, period, as_of, &codes)
            .await?;
        for f in registry.into_iter().chain(status) {
            *facts.entry(f.unit).or_default().entry(f.key).or_default() += f.value;
        }
        Ok(facts)
    }

    /// The communes of a unit, in official code order: itself for a commune, those below
    /// it for a district or province, none for a village.
    pub async fn communes_under(&self, unit: &UnitRecord) -> Result<Vec<UnitRecord>, AppError> {
        self.communes_below(unit, None).await
    }

    /// [`App::communes_under`] on a day (those valid that day), or today's without one.
    pub(crate) async fn communes_below(
        &self,
        unit: &UnitRecord,
        on: Option<chrono::NaiveDate>,
    ) -> Result<Vec<UnitRecord>, AppError> {
        if unit.tier == "commune" {
            return Ok(vec![unit.clone()]);
        }
        if unit.tier == "village" {
            return Ok(Vec::new());
        }
        // The province's tree above its villages is read once and walked here.
        let tree = self
            .store()
            .units_above_villages(&unit.province_code, on)
            .await?;
        let mut children: HashMap<&str, Vec<&UnitRecord>> = HashMap::new();
        for u in &tree {
            if let Some(parent) = u.parent_code.as_deref() {
                children.entry(parent).or_default().push(u);
            }
        }
        let mut out = Vec::new();
        let mut queue = vec![unit.code.as_str()];
        // A province has districts, or (in the three-level hierarchy) communes directly;
        // the depth bound guards against a cycle written into the database by hand.
        for _ in 0..3 {
            let mut next = Vec::new();
            for code in &queue {
                for child in children.get(code).into_iter().flatten() {
                    match child.tier.as_str() {
                        "commune" => out.push((*child).clone()),
                        "village" => {}
                        _ => next.push(child.code.as_str()),
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            queue = next;
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(out)
    }

    async fn review_progress_of(
        &self,
        unit: &UnitRecord,
        communes: &[UnitRecord],
        period: i32,
    ) -> Result<Vec<ReviewProgress>, AppError> {
        let column = column_of(tier_of(unit));
        let rows = self
            .store()
            .review_progress(column, &unit.code, period)
            .await?;
        let mut counts: HashMap<(String, String), i64> = HashMap::new();
        for (commune, step, n) in rows {
            *counts.entry((commune, step)).or_default() += n;
        }
        Ok(communes
            .iter()
            .map(|c| ReviewProgress {
                commune_code: c.code.clone(),
                commune_name: c.name.clone(),
                by_step: Step::ALL
                    .iter()
                    .map(|s| {
                        let key = (c.code.clone(), s.as_str().to_string());
                        (*s, counts.get(&key).copied().unwrap_or(0))
                    })
                    .collect(),
            })
            .collect())
    }

    async fn map_units(
        &self,
        communes: &[UnitRecord],
        rates: &HashMap<String, Option<f64>>,
    ) -> Result<Vec<MapUnit>, AppError> {
        let codes: Vec<String> = communes.iter().map(|c| c.code.clone()).collect();
        let names: HashMap<&str, &str> = communes
            .iter()
            .map(|c| (c.code.as_str(), c.name.as_str()))
            .collect();
        let mut out = Vec::new();
        for b in self.store().boundaries(&codes).await? {
            // A stored geometry was checked on upload; one that no longer reads is left
            // off the map rather than failing the whole page.
            let Some(polygons) = geometry_polygons(&b.geometry) else {
                tracing::warn!(unit = %b.unit_code, "stored boundary does not read");
                continue;
            };
            out.push(MapUnit {
                name: names
                    .get(b.unit_code.as_str())
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| b.unit_code.clone()),
                poor_rate: rates.get(&b.unit_code).copied().flatten(),
                code: b.unit_code,
                polygons,
            });
        }
        Ok(out)
    }

    /// Stores the commune boundaries of a GeoJSON FeatureCollection for the communes of
    /// `unit` (the user's own unit by default); `property` names the feature property
    /// holding the commune code. The file is checked whole first: a file with any
    /// problem (a JSON error, a feature without the code, a bad geometry, a code that
    /// is not a commune of the unit) is refused and nothing is written. Returns the
    /// number of communes stored.
    pub async fn upload_boundaries(
        &self,
        actor: &Actor,
        unit: Option<&str>,
        property: &str,
        bytes: &[u8],
    ) -> Result<usize, AppError> {
        let unit_code = unit.unwrap_or(&actor.unit_code).to_string();
        self.authorize(actor, Action::ReadAggregates, &unit_code)
            .await?;
        if !may_upload(actor) {
            return Err(AppError::Forbidden(
                "chỉ quản trị viên hoặc Phòng Lao động – Thương binh và Xã hội được tải ranh giới lên"
                    .into(),
            ));
        }
        let unit = self.unit(&unit_code).await?;
        let property = property.trim();
        if property.is_empty() {
            return Err(AppError::invalid(
                "property",
                "cần tên thuộc tính chứa mã xã (ví dụ ma_xa)",
            ));
        }
        // Boundaries are read from JSON text only, like every upload checked by its bytes
        // (see `files`); a file over the limit is told so by the parser instead.
        if bytes.len() <= MAX_BOUNDARY_BYTES {
            files::accept("file", bytes, &[files::FileKind::Json])?;
        }
        let boundaries = parse_boundaries(bytes, property).map_err(problems_error)?;
        let communes = self.communes_under(&unit).await?;
        let known: HashMap<&str, &UnitRecord> =
            communes.iter().map(|c| (c.code.as_str(), c)).collect();
        let unknown: Vec<String> = boundaries
            .iter()
            .filter(|b| !known.contains_key(b.code.as_str()))
            .map(|b| b.code.clone())
            .collect();
        if !unknown.is_empty() {
            return Err(problems_error(vec![BoundaryProblem::UnknownCodes {
                unit: unit.name.clone(),
                codes: unknown,
            }]));
        }
        // The audit says which communes had a boundary before (replaced) and which are
        // new, so the old → new record is honest about what the upload overwrote.
        let codes: Vec<String> = boundaries.iter().map(|b| b.code.clone()).collect();
        let replaced: Vec<String> = self
            .store()
            .boundaries(&codes)
            .await?
            .into_iter()
            .map(|b| b.unit_code)
            .collect();
        let now = self.clock().now();
        for b in &boundaries {
            let commune = known[b.code.as_str()];
            self.store()
                .save_boundary(
                    &b.code,
                    &commune.province_code,
                    &b.geometry,
                    &actor.username,
                    now,
                )
                .await?;
        }
        let changes = serde_json::json!([{
            "field": "geo_boundaries",
            "old": if replaced.is_empty() { Value::Null } else { Value::String(replaced.join(", ")) },
            "new": codes.join(", "),
        }]);
        self.store()
            .append_audit(&[AuditEntry {
                at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                user_id: Some(actor.user_id),
                username: actor.username.clone(),
                action: "boundary.upload".into(),
                entity: "unit".into(),
                entity_id: unit.code.clone(),
                household_id: None,
                unit_code: Some(unit.code.clone()),
                province_code: Some(unit.province_code.clone()),
                changes: changes.to_string(),
                reason: Some(format!(
                    "tải ranh giới xã (GeoJSON, thuộc tính {property}): {} xã",
                    boundaries.len()
                )),
            }])
            .await?;
        Ok(boundaries.len())
    }
}

fn unit_rate(u: &UnitRecord, facts: Option<&HashMap<String, i64>>) -> UnitRate {
    let get = |k: &str| facts.and_then(|f| f.get(k)).copied().unwrap_or(0);
    let households = get("households");
    let poor = get("poor.households");
    let near_poor = get("near_poor.households");
    UnitRate {
        code: u.code.clone(),
        name: u.name.clone(),
        households,
        poor,
        near_poor,
        poor_rate: rate(poor, households),
        near_poor_rate: rate(near_poor, households),
    }
}

/// The facts of communes summed into the row units above them, or none when a commune
/// with figures has no row unit among `rows`.
fn roll_up(
    communes: &HashMap<String, HashMap<String, i64>>,
    parent: &HashMap<&str, &str>,
    rows: &[UnitRecord],
) -> Option<HashMap<String, HashMap<String, i64>>> {
    let mut out: HashMap<String, HashMap<String, i64>> = HashMap::new();
    for (commune, facts) in communes {
        let row = parent
            .get(commune.as_str())
            .filter(|p| rows.iter().any(|r| r.code == **p))?;
        let sums = out.entry(row.to_string()).or_default();
        for (k, v) in facts {
            *sums.entry(k.clone()).or_default() += v;
        }
    }
    Some(out)
}

/// A label starts with a capital, as a heading does; the standards write indicator
/// names in lower case to fit inside sentences.
fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn problems_error(problems: Vec<BoundaryProblem>) -> AppError {
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    AppError::invalid("file", lines.join("\n"))
}

// ---------------------------------------------------------------- GeoJSON

/// One commune's boundary read from an upload: its code and its geometry as compact
/// GeoJSON (`{"type": "Polygon" | "MultiPolygon", "coordinates": …}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedBoundary {
    pub code: String,
    pub geometry: String,
}

/// Something wrong with an uploaded GeoJSON file. Features are numbered from 1.
#[derive(Debug, Clone, PartialEq)]
pub enum BoundaryProblem {
    TooLarge {
        size: usize,
        max: usize,
    },
    /// The text is not JSON; where the parser stopped.
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    NotFeatureCollection,
    NoFeatures,
    MissingProperty {
        feature: usize,
        property: String,
    },
    BadGeometry {
        feature: usize,
        code: String,
        message: String,
    },
    Duplicate {
        code: String,
    },
    /// Codes that are not communes of the unit the upload is for.
    UnknownCodes {
        unit: String,
        codes: Vec<String>,
    },
}

impl fmt::Display for BoundaryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoundaryProblem::TooLarge { size, max } => write!(
                f,
                "tệp quá lớn ({} byte; tối đa {} byte) / file too large",
                size, max
            ),
            BoundaryProblem::Json {
                line,
                column,
                message,
            } => write!(
                f,
                "không đọc được JSON ở dòng {line}, cột {column}: {message} / not JSON at line {line}, column {column}"
            ),
            BoundaryProblem::NotFeatureCollection => f.write_str(
                "tệp không phải GeoJSON FeatureCollection (cần \"type\": \"FeatureCollection\" và \"features\") / not a FeatureCollection",
            ),
            BoundaryProblem::NoFeatures => {
                f.write_str("FeatureCollection không có đối tượng nào / no features")
            }
            BoundaryProblem::MissingProperty { feature, property } => write!(
                f,
                "đối tượng thứ {feature}: thiếu thuộc tính «{property}» chứa mã xã / feature {feature}: no property «{property}»"
            ),
            BoundaryProblem::BadGeometry {
                feature,
                code,
                message,
            } => write!(
                f,
                "đối tượng thứ {feature} (mã {code}): hình không hợp lệ: {message} / bad geometry"
            ),
            BoundaryProblem::Duplicate { code } => {
                write!(f, "mã xã {code} xuất hiện hơn một lần / code {code} repeated")
            }
            BoundaryProblem::UnknownCodes { unit, codes } => write!(
                f,
                "mã không phải xã thuộc {unit}: {} / unknown commune codes: {}",
                codes.join(", "),
                codes.join(", ")
            ),
        }
    }
}

/// Reads a GeoJSON FeatureCollection of commune boundaries; `property` names the
/// feature property that holds the commune code (a string, or a number, which is
/// padded to the five digits of commune codes since a number loses leading zeros).
/// Every problem of the file is reported, not just the first.
pub fn parse_boundaries(
    bytes: &[u8],
    property: &str,
) -> Result<Vec<ParsedBoundary>, Vec<BoundaryProblem>> {
    if bytes.len() > MAX_BOUNDARY_BYTES {
        return Err(vec![BoundaryProblem::TooLarge {
            size: bytes.len(),
            max: MAX_BOUNDARY_BYTES,
        }]);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![BoundaryProblem::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }]
    })?;
    let features = match (doc.get("type").and_then(Value::as_str), doc.get("features")) {
        (Some("FeatureCollection"), Some(Value::Array(f))) => f,
        _ => return Err(vec![BoundaryProblem::NotFeatureCollection]),
    };
    if features.is_empty() {
        return Err(vec![BoundaryProblem::NoFeatures]);
    }
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, feature) in features.iter().enumerate() {
        let n = i + 1;
        let code = match feature.get("properties").and_then(|p| p.get(property)) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(x)) if x.is_u64() => format!("{:05}", x.as_u64().unwrap_or(0)),
            _ => {
                problems.push(BoundaryProblem::MissingProperty {
                    feature: n,
                    property: property.to_string(),
                });
                continue;
            }
        };
        match check_geometry(feature.get("geometry")) {
            Ok(geometry) => {
                if !seen.insert(code.clone()) {
                    problems.push(BoundaryProblem::Duplicate { code });
                } else {
                    out.push(ParsedBoundary { code, geometry });
                }
            }
            Err(message) => problems.push(BoundaryProblem::BadGeometry {
                feature: n,
                code,
                message,
            }),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Checks a Polygon or MultiPolygon and returns it as compact GeoJSON without any
/// other members.
fn check_geometry(g: Option<&Value>) -> Result<String, String> {
    let g = g
        .filter(|g| !g.is_null())
        .ok_or("không có geometry / no geometry")?;
    let kind = g.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = g
        .get("coordinates")
        .ok_or("thiếu coordinates / no coordinates")?;
    let polygons: Vec<&Value> = match kind {
        "Polygon" => vec![coords],
        "MultiPolygon" => coords
            .as_array()
            .ok_or("coordinates không phải mảng / not an array")?
            .iter()
            .collect(),
        other => {
            return Err(format!(
                "kiểu «{other}» (cần Polygon hoặc MultiPolygon / Polygon or MultiPolygon needed)"
            ));
        }
    };
    if polygons.is_empty() {
        return Err("không có đa giác nào / no polygon".into());
    }
    for p in polygons {
        read_polygon(p)?;
    }
    Ok(serde_json::json!({ "type": kind, "coordinates": coords }).to_string())
}

fn read_polygon(p: &Value) -> Result<Polygon, String> {
    let rings = p
        .as_array()
        .filter(|r| !r.is_empty())
        .ok_or("đa giác không có vòng nào / polygon without rings")?;
    rings
        .iter()
        .map(|ring| {
            let positions = ring
                .as_array()
                .ok_or("vòng không phải mảng / ring is not an array")?;
            if positions.len() < 4 {
                return Err("vòng có ít hơn 4 điểm / ring with fewer than 4 positions".into());
            }
            positions
                .iter()
                .map(|pos| {
                    let lon = pos.get(0).and_then(Value::as_f64);
                    let lat = pos.get(1).and_then(Value::as_f64);
                    match (lon, lat) {
                        (Some(lon), Some(lat))
                            if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) =>
                        {
                            Ok((lon, lat))
                        }
                        _ => Err(format!(
                            "tọa độ {pos} không phải [kinh độ, vĩ độ] / not [lon, lat]"
                        )),
                    }
                })
                .collect()
        })
        .collect()
}

/// The polygons of a stored geometry; `None` when it does not read.
pub fn geometry_polygons(text: &str) -> Option<Vec<Polygon>> {
    let g: Value = serde_json::from_str(text).ok()?;
    let coords = g.get("coordinates")?;
    match g.get("type")?.as_str()? {
        "Polygon" => Some(vec![read_polygon(coords).ok()?]),
        "MultiPolygon" => coords
            .as_array()?
            .iter()
            .map(|p| read_polygon(p).ok())
            .collect(),
        _ => None,
    }
}
