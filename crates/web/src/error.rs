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
    /// Who is signed in, with the menu: filled by [`with_menu`] when the request had a
    /// session, so that an error is no dead end.
    viewer: Option<crate::auth::Viewer>,
    /// The page the user came from, for the link back.
    back: Option<String>,
    back_label: &'static str,
}

/// What an error page said, kept on its response so that [`with_menu`] can show it
/// again with the header and menu of the signed-in user.
#[derive(Clone)]
struct Shown {
    lang: Lang,
    message: String,
    cells: Vec<CellError>,
}

fn back_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Quay lại trang trước",
        Lang::En => "Back to the previous page",
    }
}

/// What a page answers in place of the framework's own text for a request it could not
/// read (axum's rejections are English, plain text and name internal types).
fn framework_message(status: StatusCode, lang: Lang) -> String {
    match (status, lang) {
        (StatusCode::NOT_FOUND, _) => lang.t().not_found.to_string(),
        (StatusCode::BAD_REQUEST, Lang::Vi) => "Địa chỉ trang có tham số không hợp lệ (ví dụ năm để trống, số trang không phải là số). Hãy sửa địa chỉ hoặc quay lại trang trước; không có gì bị thay đổi.".into(),
        (StatusCode::BAD_REQUEST, Lang::En) => "The page address has an invalid parameter (an empty year, a page number that is not a number). Correct the address or go back; nothing was changed.".into(),
        (_, Lang::Vi) => "Không đọc được biểu mẫu gửi lên. Hãy quay lại, kiểm tra các ô và gửi lại; không có gì bị thay đổi.".into(),
        (_, Lang::En) => "The form sent could not be read. Go back, check its fields and send it again; nothing was changed.".into(),
    }
}

/// Shows every error page of the site's pages (not the API) with the header and menu of
/// the signed-in user and a link back to where the user came from, and replaces the
/// framework's English plain-text refusals (a bad query parameter, an unreadable form,
/// an unknown address) with a page in the user's language. Runs inside the sign-in
/// check, which puts the session into the request.
pub(crate) async fn with_menu(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/assets/") {
        return next.run(req).await;
    }
    let lang = Lang::of(req.uri(), req.headers());
    let user = crate::auth::CurrentUser::of_request(&req);
    let back = req
        .headers()
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(same_site_path);
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let shown = match response.extensions().get::<Shown>() {
        Some(s) if user.is_some() => s.clone(),
        Some(_) => return response,
        None => {
            let plain = response
                .headers()
                .get(axum::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|c| c.starts_with("text/plain"));
            let framework = matches!(
                status,
                StatusCode::BAD_REQUEST
                    | StatusCode::NOT_FOUND
                    | StatusCode::UNPROCESSABLE_ENTITY
                    | StatusCode::UNSUPPORTED_MEDIA_TYPE
            );
            if !(plain && framework) {
                return response;
            }
            Shown {
                lang,
                message: framework_message(status, lang),
                cells: Vec::new(),
            }
        }
    };
    let page = ErrorPage {
        t: shown.lang.t(),
        lang: shown.lang,
        message: shown.message,
        cells: &shown.cells,
        viewer: user.map(|u| u.viewer(shown.lang)),
        back,
        back_label: back_label(shown.lang),
    };
    let (mut parts, _) = response.into_parts();
    let mut rendered = (status, page).into_response();
    // The original answer's headers (Retry-After, cookies) stay; the body is the page's.
    parts.headers.remove(axum::http::header::CONTENT_TYPE);
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    for (name, value) in parts.headers.iter() {
        rendered.headers_mut().append(name.clone(), value.clone());
    }
    rendered
}

/// The path of a referring page of this site (its scheme and host dropped), for the link
/// back; another site's address is not linked.
fn same_site_path(referer: &str) -> Option<String> {
    let rest = referer.split_once("://").map(|(_, r)| r)?;
    let path = &rest[rest.find('/')?..];
    (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_string())
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
            message: message.clone(),
            cells,
            viewer: None,
            back: None,
            back_label: back_label(self.lang),
        };
        let mut response = (status, page).into_response();
        set_retry_after(&mut response, retry_after_of(&self.error));
        response.extensions_mut().insert(Shown {
            lang: self.lang,
            message,
            cells: cells.to_vec(),
        });
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
        message: message.clone(),
        cells: &[],
        viewer: None,
        back: None,
        back_label: back_label(lang),
    };
    let mut response = (status, page).into_response();
    response.extensions_mut().insert(Shown {
        lang,
        message,
        cells: Vec::new(),
    });
    response
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
    /// `unauthenticated`, `too_many_attempts`, `busy`, `overloaded` or `internal`; on a
    /// 303, `see_other` with where the answer is.
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
