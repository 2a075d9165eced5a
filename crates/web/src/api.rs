//! The JSON API, version 1, described by the OpenAPI document at `/api/v1/openapi.json`.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use giamngheo_app::App;
use giamngheo_app::units::{VillageInput, parse_as_of};
use giamngheo_domain::Area;
use giamngheo_store::{UnitRecord, UnitSearchHit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/units", get(list_units))
        .route("/units/search", get(search_units))
        .route("/units/{code}", get(get_unit))
        .route("/units/{code}/villages", post(create_village))
        .route("/openapi.json", get(openapi))
        .merge(crate::auth::api_routes())
}

/// Declares the bearer token that every endpoint but sign-in needs.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Token từ POST /auth/login (a token from POST /auth/login)",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "giamngheo API",
        description = "Dữ liệu giảm nghèo bền vững: đơn vị hành chính, hộ gia đình, rà soát, báo cáo. \
                       Poverty-reduction data: administrative units, households, reviews, reports.",
        version = "1"
    ),
    servers((url = "/api/v1")),
    paths(list_units, get_unit, search_units, create_village,
          crate::auth::api_login, crate::auth::api_logout, crate::auth::api_me),
    components(schemas(Unit, Successor, UnitHit, NewVillageBody, ErrorBody, crate::error::ErrorDetail, crate::error::Problem,
                       crate::auth::LoginBody, crate::auth::TokenBody, crate::auth::Me)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(full_openapi())
}

/// The whole API's document: units and sign-in here, households from their module.
pub fn full_openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::api_households::HouseholdsDoc::openapi());
    doc.merge(crate::reports::ReportsDoc::openapi());
    doc.merge(crate::targets::TargetsDoc::openapi());
    doc.merge(crate::policies::PoliciesDoc::openapi());
    doc.merge(crate::programme::ProgrammeDoc::openapi());
    doc.merge(crate::tasks::TasksDoc::openapi());
    doc.merge(crate::survey::SurveyDoc::openapi());
    doc.merge(crate::policies::findings::FindingsDoc::openapi());
    doc.merge(crate::inspections::InspectionsDoc::openapi());
    doc.merge(crate::periodic::PeriodicDoc::openapi());
    doc.merge(crate::programme::ActivityDoc::openapi());
    doc.merge(crate::programme::BeneficiaryImportDoc::openapi());
    doc.merge(crate::programme::FiguresDoc::openapi());
    doc
}

/// An administrative unit.
#[derive(Serialize, ToSchema)]
pub struct Unit {
    /// Statistics office code; villages: commune code + 3 digits.
    pub code: String,
    pub name: String,
    /// Kind as the official list writes it: "Tỉnh", "Huyện", "Xã", "Phường", "Thôn", …
    pub kind: String,
    /// Depth in the hierarchy, 1 = province.
    pub level: i32,
    /// `province`, `district`, `commune` or `village`.
    pub tier: String,
    pub parent_code: Option<String>,
    /// `rural` or `urban`; none for provinces and districts.
    pub area: Option<String>,
    pub extremely_difficult: bool,
    pub border: bool,
    pub programme_30a: bool,
    pub programme_135: bool,
    /// ISO date.
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// Units directly under this one, valid on the day asked about.
    pub child_count: i64,
    /// For a closed unit: the units it went into (from the reform's mapping).
    pub successors: Vec<Successor>,
}

/// A unit a closed one went into.
#[derive(Serialize, ToSchema)]
pub struct Successor {
    pub code: String,
    pub name: String,
    /// False where the closed unit was split and only part of it went here.
    pub whole: bool,
}

impl From<UnitRecord> for Unit {
    fn from(u: UnitRecord) -> Unit {
        Unit {
            code: u.code,
            name: u.name,
            kind: u.kind,
            level: u.level,
            tier: u.tier,
            parent_code: u.parent_code,
            area: u.area,
            extremely_difficult: u.extremely_difficult,
            border: u.border,
            programme_30a: u.programme_30a,
            programme_135: u.programme_135,
            valid_from: u.valid_from.to_string(),
            valid_to: u.valid_to.map(|d| d.to_string()),
            child_count: u.child_count,
            successors: Vec::new(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Parent unit code; without it, the provinces.
    parent: Option<String>,
    /// The day (dd/mm/yyyy) the units are listed as of; today by default. With
    /// `parent=444&as_of=01/01/2025`, the communes of the old district.
    as_of: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct UnitQuery {
    /// The day (dd/mm/yyyy) the code is taken on: the unit valid then (a code may have
    /// been reused). Without it, the latest unit with the code, with its successors when
    /// it is closed.
    as_of: Option<String>,
}

/// The units directly under a parent, in official code order.
#[utoipa::path(get, path = "/units", params(ListQuery),
    responses(
        (status = 200, description = "Children in code order", body = Vec<Unit>),
        (status = 404, description = "Unknown parent", body = ErrorBody)
    ))]
async fn list_units(
    State(app): State<App>,
    _user: ApiUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Unit>>, ApiError> {
    let as_of = q.as_of.as_deref().map(parse_as_of).transpose()?;
    let units = app.children_on(q.parent.as_deref(), as_of).await?;
    Ok(Json(units.into_iter().map(Unit::from).collect()))
}

/// One unit by code.
#[utoipa::path(get, path = "/units/{code}", params(("code" = String, Path, description = "Unit code"), UnitQuery),
    responses(
        (status = 200, body = Unit),
        (status = 404, description = "Unknown code", body = ErrorBody)
    ))]
async fn get_unit(
    State(app): State<App>,
    _user: ApiUser,
    Path(code): Path<String>,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Unit>, ApiError> {
    let unit = match q.as_of.as_deref() {
        Some(d) => app.resolve_unit(&code, Some(parse_as_of(d)?)).await?,
        None => app.unit(&code).await?,
    };
    let successors = app
        .successors(&unit)
        .await?
        .into_iter()
        .map(|(u, whole)| Successor {
            code: u.code,
            name: u.name,
            whole,
        })
        .collect();
    Ok(Json(Unit {
        successors,
        ..unit.into()
    }))
}

/// A search hit with the names around it.
#[derive(Serialize, ToSchema)]
pub struct UnitHit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: i32,
    pub tier: String,
    pub parent_code: Option<String>,
    pub parent_name: Option<String>,
    pub province_name: Option<String>,
}

impl From<UnitSearchHit> for UnitHit {
    fn from(h: UnitSearchHit) -> UnitHit {
        UnitHit {
            code: h.code,
            name: h.name,
            kind: h.kind,
            level: h.level,
            tier: h.tier,
            parent_code: h.parent_code,
            parent_name: h.parent_name,
            province_name: h.province_name,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Part of a name, with or without diacritics ("huong khe").
    q: String,
}

/// Units whose name contains the text, with or without diacritics; at most 50.
#[utoipa::path(get, path = "/units/search", params(SearchQuery),
    responses(
        (status = 200, body = Vec<UnitHit>),
        (status = 422, description = "Query too short", body = ErrorBody)
    ))]
async fn search_units(
    State(app): State<App>,
    _user: ApiUser,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<UnitHit>>, ApiError> {
    let hits = app.search_units(&q.q).await?;
    Ok(Json(hits.into_iter().map(UnitHit::from).collect()))
}

/// A village to create under a commune.
#[derive(Deserialize, ToSchema)]
pub struct NewVillageBody {
    pub name: String,
    /// "Thôn", "Bản", "Tổ dân phố", …
    pub kind: String,
    /// Optional code; by default the commune code followed by the next 3-digit number.
    pub code: Option<String>,
    /// Optional `rural` / `urban`; by default the commune's area.
    #[schema(value_type = Option<String>)]
    pub area: Option<Area>,
}

/// Creates a village (thôn, bản, tổ dân phố) under a commune.
#[utoipa::path(post, path = "/units/{code}/villages", request_body = NewVillageBody,
    params(("code" = String, Path, description = "Commune code")),
    responses(
        (status = 201, body = Unit),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not create villages", body = ErrorBody),
        (status = 404, description = "Unknown commune, or outside the user's area", body = ErrorBody),
        (status = 409, description = "A village with that name or code exists", body = ErrorBody),
        (status = 422, description = "Invalid input", body = ErrorBody)
    ))]
async fn create_village(
    State(app): State<App>,
    user: ApiUser,
    Path(code): Path<String>,
    Json(body): Json<NewVillageBody>,
) -> Result<(StatusCode, Json<Unit>), ApiError> {
    let unit = app
        .create_village(
            &user.actor,
            VillageInput {
                line: None,
                commune_code: code,
                code: body.code,
                name: body.name,
                kind: body.kind,
                area: body.area,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(unit.into())))
}
