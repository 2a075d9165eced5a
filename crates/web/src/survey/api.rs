//! `GET /api/v1/reviews`: the reviews below a unit, for survey tools that fetch forms.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use giamngheo_app::{App, AppError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(crate) fn routes() -> Routes {
    Routes::new().route("/reviews", get(list_reviews))
}

#[derive(OpenApi)]
#[openapi(
    paths(list_reviews, super::forms::api_zip),
    components(schemas(ReviewList, ReviewItem)),
    security(("bearer" = []))
)]
pub struct SurveyDoc;

#[derive(Deserialize, IntoParams)]
pub struct ReviewsQuery {
    /// A province, district or commune code; the user's own unit by default.
    unit: Option<String>,
    /// The review period (year); every period by default.
    period: Option<String>,
}

/// The reviews found.
#[derive(Serialize, ToSchema)]
pub struct ReviewList {
    pub items: Vec<ReviewItem>,
}

/// One commune's review.
#[derive(Serialize, ToSchema)]
pub struct ReviewItem {
    pub id: i64,
    /// The commune's code.
    pub unit: String,
    /// The year the review classifies for.
    pub period: i32,
    /// `periodic` or `regular`.
    pub kind: String,
    /// `listing`, `survey`, `meeting`, `posting`, `decision` or `closed`.
    pub step: String,
}

/// Every commune's reviews below a unit, within the user's area.
#[utoipa::path(get, path = "/reviews", params(ReviewsQuery),
    responses(
        (status = 200, body = ReviewList),
        (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody),
        (status = 422, description = "A village, or a period that is not a year", body = ErrorBody)
    ))]
async fn list_reviews(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<ReviewsQuery>,
) -> Result<Json<ReviewList>, ApiError> {
    let period =
        match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(p.parse::<i32>().map_err(|_| {
                AppError::invalid("period", "kỳ rà soát phải là một năm, ví dụ 2025")
            })?),
        };
    let items = app
        .reviews_below(&user.actor, q.unit.as_deref(), period)
        .await?
        .into_iter()
        .map(|r| ReviewItem {
            id: r.id,
            unit: r.commune_code,
            period: r.period,
            kind: r.kind,
            step: r.step,
        })
        .collect();
    Ok(Json(ReviewList { items }))
}
