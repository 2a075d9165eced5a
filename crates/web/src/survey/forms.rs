//! The forms of a review as one .zip: `GET /reviews/{id}/forms.zip` for the page's link
//! and `GET /api/v1/reviews/{id}/forms.zip` for the API. Both check access in the app
//! layer: a review outside the user's area is not found.

use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiError, HtmlError};
use crate::i18n::Lang;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use giamngheo_app::{App, AppError};

async fn zip_of(
    app: &App,
    actor: &giamngheo_app::access::Actor,
    id: i64,
) -> Result<Response, AppError> {
    let bundle = app.survey_forms(actor, id).await?;
    let bytes = bundle.zip()?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"giamngheo-ra-soat-{id}-phieu.zip\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The link on the review's page.
pub(crate) async fn page_zip(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, HtmlError> {
    zip_of(&app, &user.actor, id)
        .await
        .map_err(|error| HtmlError { lang, error })
}

/// The forms (phiếu A, phiếu B as XLSForms) and each village's household list (CSV) of a
/// review, as one .zip to upload to ODK Central or KoboToolbox.
#[utoipa::path(get, path = "/reviews/{id}/forms.zip",
    params(("id" = i64, Path, description = "Review id")),
    responses(
        (status = 200, description = "application/zip: phieu_a.xlsx, phieu_b.xlsx, hh_<village>.csv"),
        (status = 404, description = "Unknown review, or outside the user's area", body = crate::error::ErrorBody),
        (status = 422, description = "The review has no households yet", body = crate::error::ErrorBody)
    ))]
pub(crate) async fn api_zip(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(zip_of(&app, &user.actor, id).await?)
}
