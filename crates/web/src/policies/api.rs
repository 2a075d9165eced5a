//! `/api/v1/policies`, `/api/v1/coverage` and `/api/v1/coverage/uncovered`.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use giamngheo_app::App;
use giamngheo_app::policies::coverage::{CoverageRequest, UncoveredItem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(super) fn routes() -> Routes {
    Routes::new()
        .route("/policies", get(list_policies))
        .route("/coverage", get(coverage))
        .route("/coverage/uncovered", get(uncovered))
}

#[derive(OpenApi)]
#[openapi(
    paths(list_policies, coverage, uncovered),
    components(schemas(PoliciesBody, PolicyBody, QuantityUnitBody, CoverageBody, CoverageRowBody, UncoveredBody, UncoveredItemBody)),
    security(("bearer" = []))
)]
pub struct PoliciesDoc;

/// The policy catalogue.
#[derive(Serialize, ToSchema)]
pub struct PoliciesBody {
    pub items: Vec<PolicyBody>,
}

/// One policy of the catalogue.
#[derive(Serialize, ToSchema)]
pub struct PolicyBody {
    /// The code used by the other endpoints (`bhyt` is the health-insurance card).
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// `person` or `household`.
    pub beneficiary: String,
    /// `insurance_card`, `cash`, `in_kind`, `credit`, `service` or `training`.
    pub kind: String,
    /// The agency kinds that record it; the first provides it.
    pub agency_kinds: Vec<String>,
    /// The plan target it counts towards.
    pub target: Option<String>,
    /// Whether a figure of its terms is still to confirm.
    pub to_confirm: bool,
    /// The unit a benefit's quantity is counted in (months of training, m² of land…);
    /// `null` for a policy whose benefits carry no quantity.
    pub quantity_unit: Option<QuantityUnitBody>,
}

/// The unit of a policy's quantity, in both languages.
#[derive(Serialize, ToSchema)]
pub struct QuantityUnitBody {
    pub name: String,
    pub name_en: String,
}

/// The catalogue of support policies.
#[utoipa::path(get, path = "/policies", responses((status = 200, body = PoliciesBody)))]
async fn list_policies(State(app): State<App>, _user: ApiUser) -> Json<PoliciesBody> {
    Json(PoliciesBody {
        items: app
            .policies()
            .iter()
            .map(|p| PolicyBody {
                code: p.code.clone(),
                name: p.name_vi.clone(),
                name_en: p.name_en.clone(),
                beneficiary: p.beneficiary.as_str().into(),
                kind: p.kind.as_str().into(),
                agency_kinds: p.agency_kinds.clone(),
                target: p.target.clone(),
                to_confirm: p.has_figures_to_confirm(),
                quantity_unit: p.quantity.as_ref().map(|q| QuantityUnitBody {
                    name: q.unit_vi.clone(),
                    name_en: q.unit_en.clone(),
                }),
            })
            .collect(),
    })
}

#[derive(Deserialize, IntoParams)]
pub struct CoverageQuery {
    /// Unit code; the user's own by default.
    unit: Option<String>,
    /// The year; the current year by default.
    year: Option<i32>,
    /// A policy code; every policy by default (required for the uncovered list).
    policy: Option<String>,
    /// `child`: one row per unit below the unit.
    by: Option<String>,
    /// The reference date (ISO) instead of 31 December, or today for the current year.
    as_of: Option<String>,
    /// `current` (today's units, the default) or `as_was` (the units on the date), as in
    /// the reports.
    basis: Option<String>,
}

impl CoverageQuery {
    fn request(self, app: &App, user: &ApiUser) -> Result<CoverageRequest, ApiError> {
        let as_of = match self.as_of.as_deref().filter(|s| !s.is_empty()) {
            Some(text) => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                giamngheo_app::AppError::invalid("as_of", "ngày phải có dạng yyyy-mm-dd")
            })?),
            None => None,
        };
        let year = self
            .year
            .unwrap_or_else(|| as_of.map_or_else(|| app.clock().today().year(), |d| d.year()));
        if !(1990..=2100).contains(&year) {
            return Err(giamngheo_app::AppError::invalid("year", "năm không hợp lệ").into());
        }
        let by_child = match self.by.as_deref() {
            None | Some("") => false,
            Some("child") => true,
            Some(_) => {
                return Err(giamngheo_app::AppError::invalid("by", "chỉ nhận by=child").into());
            }
        };
        Ok(CoverageRequest {
            unit: self.unit.unwrap_or_else(|| user.actor.unit_code.clone()),
            year,
            policy: self.policy.filter(|p| !p.is_empty()),
            as_of,
            by_child,
            basis: crate::reports::parse_basis(self.basis.as_deref())?,
        })
    }
}

/// Coverage of a unit and year.
#[derive(Serialize, ToSchema)]
pub struct CoverageBody {
    pub unit: String,
    pub unit_name: String,
    pub year: i32,
    /// The reference date (ISO) the figures are counted on.
    pub as_of: String,
    pub rows: Vec<CoverageRowBody>,
}

/// One policy in one unit.
#[derive(Serialize, ToSchema)]
pub struct CoverageRowBody {
    pub policy: String,
    pub policy_name: String,
    pub unit: String,
    pub unit_name: String,
    /// `person` or `household`: what the figures count.
    pub counts: String,
    pub eligible: i64,
    pub covered: i64,
    pub not_covered: i64,
    /// Covered as a per cent of eligible (0 when nobody is eligible).
    pub rate: f64,
    pub to_confirm: bool,
}

/// Eligible, covered, not covered and the rate per policy: one row per policy for the
/// unit, or with `by=child` one per unit below it.
#[utoipa::path(get, path = "/coverage", params(CoverageQuery),
    responses(
        (status = 200, body = CoverageBody),
        (status = 404, description = "Unknown unit or policy, or outside the user's area", body = ErrorBody),
        (status = 422, description = "Invalid year, date or grouping", body = ErrorBody)
    ))]
async fn coverage(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<CoverageQuery>,
) -> Result<Json<CoverageBody>, ApiError> {
    let req = q.request(&app, &user)?;
    let report = app.coverage(&user.actor, &req).await?;
    Ok(Json(CoverageBody {
        unit: report.unit,
        unit_name: report.unit_name,
        year: report.year,
        as_of: report.as_of.to_string(),
        rows: report
            .rows
            .into_iter()
            .map(|r| CoverageRowBody {
                policy: r.policy,
                policy_name: r.policy_name,
                unit: r.unit,
                unit_name: r.unit_name,
                counts: r.counts.into(),
                eligible: r.eligible,
                covered: r.covered,
                not_covered: r.not_covered,
                rate: r.rate,
                to_confirm: r.to_confirm,
            })
            .collect(),
    }))
}

/// The eligible people (or households) not covered.
#[derive(Serialize, ToSchema)]
pub struct UncoveredBody {
    pub policy: String,
    pub unit: String,
    pub as_of: String,
    pub items: Vec<UncoveredItemBody>,
    /// Equal to the coverage row's `not_covered`.
    pub total: usize,
}

/// One eligible person (or household) without the benefit. Names only for roles that may
/// read personal data; citizen IDs masked unless the role reads them in full.
#[derive(Serialize, ToSchema)]
pub struct UncoveredItemBody {
    pub household_id: i64,
    pub household_code: String,
    pub village_code: String,
    pub head_name: Option<String>,
    pub member_id: Option<i64>,
    pub member_name: Option<String>,
    pub citizen_id: Option<String>,
    pub eligible_as: String,
}

impl From<UncoveredItem> for UncoveredItemBody {
    fn from(i: UncoveredItem) -> Self {
        UncoveredItemBody {
            household_id: i.household_id,
            household_code: i.household_code,
            village_code: i.village_code,
            head_name: i.head_name,
            member_id: i.member_id,
            member_name: i.member_name,
            citizen_id: i.citizen_id,
            eligible_as: i.eligible_as,
        }
    }
}

/// The list of eligible people (or households) of one policy not covered on the date.
#[utoipa::path(get, path = "/coverage/uncovered", params(CoverageQuery),
    responses(
        (status = 200, body = UncoveredBody),
        (status = 404, description = "Unknown unit or policy, or outside the user's area", body = ErrorBody),
        (status = 422, description = "No policy, or an invalid year or date", body = ErrorBody)
    ))]
async fn uncovered(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<CoverageQuery>,
) -> Result<Json<UncoveredBody>, ApiError> {
    let req = q.request(&app, &user)?;
    let list = app.uncovered(&user.actor, &req).await?;
    Ok(Json(UncoveredBody {
        policy: list.policy,
        unit: list.unit,
        as_of: list.as_of.to_string(),
        total: list.total,
        items: list.items.into_iter().map(Into::into).collect(),
    }))
}
