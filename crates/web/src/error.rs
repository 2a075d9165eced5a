//! One error, two renderings: an HTML page for people and a JSON body for programs.
//! Internal details (database errors) are logged and never shown.

use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use giamngheo_app::AppError;
use giamngheo_sheets::CellError;
use serde::Serialize;

pub(crate) fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Invalid { .. } | AppError::File(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Gone(_) => StatusCode::GONE,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Busy { .. } | AppError::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub(crate) fn public_message(e: &AppError, lang: Lang) -> String {
    match e {
        AppError::Store(inner) => {
            tracing::error!(error = %inner, "store error");
            match lang {
                Lang::Vi => "Lỗi hệ thống; hãy thử lại sau hoặc báo quản trị viên.".into(),
                Lang::En => "Internal error; try again later or tell the administrator.".into(),
            }
        }
        AppError::Overloaded { .. } => {
            crate::overload::count_shed("database pool");
            lang.t().overloaded.to_string()
        }
        other => other.to_string(),
    }
}

/// An error shown as a page.
pub struct HtmlError {
    pub lang: Lang,
    pub error: AppError,
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: &'static crate::i18n::T,
    lang: Lang,
    message: String,
    cells: &'a [CellError],
    /// Error pages do not show who is signed in: the error may come before the session
    /// is known.
    viewer: Option<crate::auth::Viewer>,
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let status = status_of(&self.error);
        let t = self.lang.t();
        let message = match &self.error {
            AppError::NotFound(_) => t.not_found.to_string(),
            AppError::File(_) => t.file_refused.to_string(),
            e => public_message(e, self.lang),
        };
        let cells: &[CellError] = match &self.error {
            AppError::File(f) => &f.errors,
            _ => &[],
        };
        let page = ErrorPage {
            t,
            lang: self.lang,
            message,
            cells,
            viewer: None,
        };
        let mut response = (status, page).into_response();
        set_retry_after(&mut response, retry_after_of(&self.error));
        response
    }
}

/// The seconds an error asks to wait before trying again, for `Retry-After`.
fn retry_after_of(e: &AppError) -> Option<u64> {
    match e {
        AppError::TooManyAttempts {
            retry_after_secs, ..
        }
        | AppError::Busy {
            retry_after_secs, ..
        }
        | AppError::Overloaded { retry_after_secs } => Some(*retry_after_secs),
        _ => None,
    }
}

fn set_retry_after(response: &mut Response, secs: Option<u64>) {
    if let Some(secs) = secs {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(secs),
        );
    }
}

/// An error page with its own status and message, for answers that are no [`AppError`]
/// (a body over its route's limit).
pub fn page(status: StatusCode, lang: Lang, message: String) -> Response {
    let page = ErrorPage {
        t: lang.t(),
        lang,
        message,
        cells: &[],
        viewer: None,
    };
    (status, page).into_response()
}

/// The JSON envelope with its own status, code and message, the counterpart of [`page`].
pub fn api_response(
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<&str>,
) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code,
            message,
            field: field.map(str::to_string),
            problems: Vec::new(),
        },
    };
    (status, Json(body)).into_response()
}

/// An error as a JSON envelope: `{"error": {"code", "message", "field"?, "problems"?}}`.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError(e)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// `not_found`, `forbidden`, `invalid`, `file_refused`, `too_large`, `conflict`,
    /// `unauthenticated`, `too_many_attempts`, `busy`, `overloaded` or `internal`.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a refused file: every problem with its line and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let code = match &self.0 {
            AppError::NotFound(_) => "not_found",
            AppError::Forbidden(_) => "forbidden",
            AppError::Invalid { .. } => "invalid",
            AppError::File(_) => "file_refused",
            AppError::Conflict(_) => "conflict",
            AppError::Gone(_) => "gone",
            AppError::Unauthenticated(_) => "unauthenticated",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::Busy { .. } => "busy",
            AppError::Overloaded { .. } => "overloaded",
            AppError::Store(_) => "internal",
        };
        let field = match &self.0 {
            AppError::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        };
        let problems = match &self.0 {
            AppError::File(f) => f
                .errors
                .iter()
                .map(|c| Problem {
                    line: c.line,
                    column: c.column.clone(),
                    reason: c.reason.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let message = match &self.0 {
            AppError::File(f) => format!(
                "tệp bị từ chối, không có gì được ghi ({} lỗi)",
                f.errors.len()
            ),
            e => public_message(e, Lang::Vi),
        };
        let retry_after = retry_after_of(&self.0);
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message,
                field,
                problems,
            },
        };
        let mut response = (status, Json(body)).into_response();
        set_retry_after(&mut response, retry_after);
        response
    }
}
