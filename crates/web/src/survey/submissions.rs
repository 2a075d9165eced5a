//! `POST /reviews/{id}/submissions`: an export of phone submissions uploaded from the
//! review's page. The app layer imports it; the page then shows what was done and the
//! queue.

use crate::auth::CurrentUser;
use crate::error::HtmlError;
use crate::i18n::Lang;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use giamngheo_app::survey::import::MAX_EXPORT_BYTES;
use giamngheo_app::{App, AppError};

pub(crate) async fn upload(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, HtmlError> {
    let e = |error| HtmlError { lang, error };
    // Refuse before reading the file when the user may not act on the review.
    app.authorize_review_write(&user.actor, id)
        .await
        .map_err(e)?;
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("submissions").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| e(AppError::invalid("file", "không đọc được tệp xuất")))?;
            if bytes.len() > MAX_EXPORT_BYTES {
                return Ok(crate::upload::too_large(false, lang, MAX_EXPORT_BYTES));
            }
            file = Some((name, bytes));
        }
    }
    let (name, bytes) = file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| e(AppError::invalid("file", "chưa chọn tệp xuất bản nộp")))?;
    let s = app
        .import_submissions(&user.actor, id, &name, &bytes)
        .await
        .map_err(e)?;
    Ok(Redirect::to(&format!(
        "/reviews/{id}?imported={}.{}.{}.{}#survey-card",
        s.applied, s.updated, s.unchanged, s.queued
    ))
    .into_response())
}
