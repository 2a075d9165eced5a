//! The page of villages waiting for their new commune (`/units/waiting`): the villages of
//! communes a reform split, flagged and left under their old commune, each with a form
//! to give it one of the new communes the old one went into. An administrator or an
//! office sees those within its unit. The check is the app's, the same as the command
//! line's `giamngheo units assign-villages`; this module parses the form and renders.

use crate::auth::{CurrentUser, Viewer};
use crate::error::{HtmlError, public_message, status_of};
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use giamngheo_app::village_assignment::WaitingVillage;
use giamngheo_app::{App, AppError};
use serde::Deserialize;

pub(crate) fn routes() -> Routes {
    Routes::new().route("/units/waiting", get(page).post(assign))
}

/// The menu's name for this page.
pub(crate) fn menu_label(lang: Lang) -> &'static str {
    lang_text(lang).title
}

/// Interface text of the page, once per language.
pub struct WT {
    pub title: &'static str,
    pub intro: &'static str,
    pub village: &'static str,
    pub old_commune: &'static str,
    pub new_commune: &'static str,
    pub flag: &'static str,
    pub choose: &'static str,
    pub assign: &'static str,
    pub none: &'static str,
    pub assigned: &'static str,
}

const VI: WT = WT {
    title: "Thôn chờ phân về xã mới",
    intro: "Thôn, tổ dân phố của các xã cũ bị chia cho nhiều xã mới khi sắp xếp đơn vị hành chính: hệ thống không tự chuyển được, nên thôn vẫn ở dưới xã cũ cho đến khi được phân. Chọn một trong các xã mới đã nhận phần của xã cũ; hộ gia đình và danh sách rà soát đang mở của thôn sẽ chuyển theo.",
    village: "Thôn",
    old_commune: "Xã cũ",
    new_commune: "Xã mới",
    flag: "Chờ phân",
    choose: "— chọn xã mới —",
    assign: "Phân về xã này",
    none: "Không có thôn nào chờ phân trong phạm vi đơn vị của bạn.",
    assigned: "Đã phân thôn",
};

const EN: WT = WT {
    title: "Villages awaiting their new commune",
    intro: "Villages of old communes that a reform split between several new ones: they cannot be moved automatically, so they stay under their old commune until assigned. Choose one of the new communes that took part of the old one; the village's households and open review rows follow it.",
    village: "Village",
    old_commune: "Old commune",
    new_commune: "New commune",
    flag: "Awaiting",
    choose: "— choose a new commune —",
    assign: "Assign to this commune",
    none: "No villages await assignment within your unit.",
    assigned: "Village assigned",
};

fn lang_text(lang: Lang) -> &'static WT {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "villages_waiting.html")]
struct WaitingPage {
    t: &'static T,
    wt: &'static WT,
    lang: Lang,
    viewer: Option<Viewer>,
    villages: Vec<WaitingVillage>,
    notice: Option<String>,
    error: Option<String>,
}

/// The list, with what the last form did or why it was refused (and its status).
async fn render(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    result: Result<Option<String>, AppError>,
) -> Response {
    let villages = match app.waiting_villages(&user.actor).await {
        Ok(v) => v,
        Err(error) => return HtmlError { lang, error }.into_response(),
    };
    let (status, notice, error) = match result {
        Ok(notice) => (StatusCode::OK, notice, None),
        Err(error @ AppError::Store(_)) => return HtmlError { lang, error }.into_response(),
        Err(e) => (status_of(&e), None, Some(public_message(&e, lang))),
    };
    let page = WaitingPage {
        t: lang.t(),
        wt: lang_text(lang),
        lang,
        viewer: Some(user.viewer(lang)),
        villages,
        notice,
        error,
    };
    (status, page).into_response()
}

async fn page(State(app): State<App>, lang: Lang, user: CurrentUser) -> Response {
    render(&app, lang, &user, Ok(None)).await
}

/// The assignment form. Every field has a default so that a form missing one is refused
/// with a Vietnamese message naming it, not the framework's text.
#[derive(Deserialize, Default)]
struct AssignForm {
    #[serde(default)]
    village_code: String,
    #[serde(default)]
    commune_code: String,
}

async fn assign(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Form(form): Form<AssignForm>,
) -> Response {
    let wt = lang_text(lang);
    let result = app
        .assign_village(
            &user.actor,
            form.village_code.trim(),
            form.commune_code.trim(),
        )
        .await
        .map(|_| {
            Some(format!(
                "{} {} → {}.",
                wt.assigned,
                form.village_code.trim(),
                form.commune_code.trim()
            ))
        });
    render(&app, lang, &user, result).await
}
