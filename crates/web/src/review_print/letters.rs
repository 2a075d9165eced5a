//! The written answer to a refused request: the letter as a print page and a PDF, and
//! the form with which a commune officer states the reason in their own words and issues
//! it under the commune's next number.

use super::{PrintPage, answer_with};
use crate::auth::CurrentUser;
use crate::error::HtmlError;
use crate::format;
use crate::i18n::Lang;
use crate::reviews::{date_line, place_name, wants_pdf};
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use giamngheo_app::access::Action;
use giamngheo_app::{App, AppError};
use giamngheo_sheets::pdf::{LetterDoc, letter_doc};
use serde::Deserialize;

/// The form on the letter's page, for those who may issue it.
pub(crate) struct LetterForm {
    pub action: String,
    pub csrf: String,
    pub stated_reason: String,
    pub issued_on: String,
    /// The number of the letter in force, when one was issued.
    pub issued: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct LetterQuery {
    format: Option<String>,
    notice: Option<String>,
}

/// What the household asked for, in the letter's words.
fn request_words(kind: Option<&str>) -> &'static str {
    match kind {
        Some("leave") => "thoát nghèo, thoát cận nghèo",
        Some("enter") => "xét công nhận hộ nghèo, hộ cận nghèo",
        _ => "rà soát hộ nghèo, hộ cận nghèo",
    }
}

pub(super) async fn letter(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, rh)): Path<(i64, i64)>,
    Query(q): Query<LetterQuery>,
) -> Result<Response, HtmlError> {
    let e = |error| HtmlError { lang, error };
    let view = app.review(&user.actor, id).await.map_err(e)?;
    let h = view
        .households
        .iter()
        .find(|h| h.id == rh)
        .ok_or_else(|| e(AppError::NotFound("hộ trong đợt rà soát".into())))?;
    let reason = h
        .refusal_reason
        .clone()
        .ok_or_else(|| e(AppError::invalid("letter", "hộ này không bị từ chối")))?;
    let issued = app.refusal_letter(&user.actor, id, rh).await.map_err(e)?;
    let place = place_name(&view.commune.name);
    let doc = LetterDoc {
        commune: view.commune.name.clone(),
        date_line: match &issued {
            Some(l) => date_line(&place, l.issued_on),
            None => date_line(&place, view.review.decision_date.unwrap_or(view.today)),
        },
        requester: h.requester.clone().unwrap_or_else(|| h.head_name.clone()),
        head: h.head_name.clone(),
        request_date: h.request_date.map(|d| format::date(&d)).unwrap_or_default(),
        reason,
        number: issued
            .as_ref()
            .map(|l| l.number.clone())
            .unwrap_or_else(|| "…………/UBND".into()),
        request: request_words(h.request_kind.as_deref()).into(),
        stated_reason: issued
            .as_ref()
            .map(|l| l.stated_reason.clone())
            .unwrap_or_default(),
        recipients: vec![
            "Như trên;".into(),
            format!("Trưởng {};", h.village_name),
            "Lưu: VT.".into(),
        ],
    };
    let doc = letter_doc(&doc);
    if wants_pdf(&q.format) {
        let file = format!("van-ban-tra-loi-{id}-{rh}.pdf");
        return Ok(crate::reviews::pdf_response(
            giamngheo_sheets::pdf::print_pdf(&[doc]),
            &file,
        ));
    }
    let form = user.actor.may(Action::WriteHouseholds).then(|| LetterForm {
        action: format!("/reviews/{id}/letters/{rh}"),
        csrf: user.csrf.clone(),
        stated_reason: issued
            .as_ref()
            .map(|l| l.stated_reason.clone())
            .unwrap_or_default(),
        issued_on: format::date(&view.today),
        issued: issued.as_ref().map(|l| l.number.clone()),
    });
    let notice = (q.notice.as_deref() == Some("issued")).then(|| {
        format!(
            "Đã cấp số {} cho văn bản trả lời.",
            issued.as_ref().map(|l| l.number.as_str()).unwrap_or("")
        )
    });
    let mut page: PrintPage = answer_with(
        lang,
        vec![doc],
        format!("/reviews/{id}/letters/{rh}?format=pdf"),
    );
    page.form = form;
    page.notice = notice;
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub(super) struct IssueForm {
    #[serde(default)]
    stated_reason: String,
    #[serde(default)]
    issued_on: String,
}

pub(super) async fn issue(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, rh)): Path<(i64, i64)>,
    Form(f): Form<IssueForm>,
) -> Result<Response, HtmlError> {
    let e = |error| HtmlError { lang, error };
    let issued_on = giamngheo_sheets::units::parse_date(f.issued_on.trim())
        .map_err(|x| e(AppError::invalid("issued_on", x)))?;
    app.issue_refusal_letter(&user.actor, id, rh, &f.stated_reason, issued_on)
        .await
        .map_err(e)?;
    Ok(Redirect::to(&format!("/reviews/{id}/letters/{rh}?notice=issued")).into_response())
}
