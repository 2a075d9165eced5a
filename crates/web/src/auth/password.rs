//! The page where a signed-in user changes their own password.

use super::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::i18n::{Lang, T};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use giamngheo_app::{App, AppError};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    min_chars: usize,
    error: Option<String>,
    notice: Option<String>,
}

fn password_form(
    lang: Lang,
    user: &CurrentUser,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let page = PasswordPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        min_chars: giamngheo_app::auth::MIN_PASSWORD_CHARS,
        error,
        notice,
    };
    (status, page).into_response()
}

pub(super) async fn password_page(lang: Lang, user: CurrentUser) -> Response {
    password_form(lang, &user, StatusCode::OK, None, None)
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    old_password: String,
    new_password: String,
    confirm_password: String,
}

pub(super) async fn password_submit(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Response {
    let t = lang.t();
    if form.new_password != form.confirm_password {
        return password_form(
            lang,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(t.passwords_differ.to_string()),
            None,
        );
    }
    match app
        .change_password(
            &user.actor,
            Some(&user.token),
            &form.old_password,
            &form.new_password,
        )
        .await
    {
        Ok(()) => password_form(
            lang,
            &user,
            StatusCode::OK,
            None,
            Some(t.password_changed.to_string()),
        ),
        Err(AppError::Invalid { message, .. }) => password_form(
            lang,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
            None,
        ),
        Err(e @ AppError::TooManyAttempts { .. }) => password_form(
            lang,
            &user,
            StatusCode::TOO_MANY_REQUESTS,
            Some(e.to_string()),
            None,
        ),
        Err(error) => HtmlError { lang, error }.into_response(),
    }
}
