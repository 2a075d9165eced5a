//! The review's forms that record a step: requests, screening, meetings, posting, complaints, approval.

use super::{ReviewForms, back, date, err, refused_page, saved_or_refused, typed};
use crate::auth::CurrentUser;
use crate::error::HtmlError;
use crate::form::Refused;
use crate::i18n::Lang;
use axum::extract::{Form, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use giamngheo_app::reviews::{MAX_MINUTES_BYTES, MeetingInput, RequestInput};
use giamngheo_app::{App, AppError};
use serde::Deserialize;
use std::collections::HashMap;

/// Records a household's request; a refused one shows the page again as typed.
pub(super) async fn add_request(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| typed(&fields, k);
    let saved = async {
        let view = app.review(&user.actor, id).await?;
        let code = get("household_code");
        let household = app
            .store()
            .household_by_code(&view.review.commune_code, &code)
            .await?
            .ok_or_else(|| {
                AppError::invalid("household_code", format!("không có hộ mã {code} trong xã"))
            })?;
        let request = RequestInput {
            date: date(&get("date"), "date")?,
            channel: get("channel"),
            requester: get("requester"),
            kind: get("kind"),
        };
        app.add_review_request(&user.actor, id, household.id, request)
            .await
    }
    .await;
    let place = |request| ReviewForms {
        request,
        ..ReviewForms::default()
    };
    saved_or_refused(&app, lang, &user, id, fields, saved, "saved", place).await
}

/// Records a household's phiếu A; a refused one shows the page again with the row's
/// form as typed.
pub(super) async fn screening(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, rh)): Path<(i64, i64)>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| typed(&fields, k);
    let saved = async {
        let version = version(&get("version"))?;
        let passed = match get("passed").as_str() {
            "1" => true,
            "0" => false,
            _ => return Err(AppError::invalid("passed", "chọn đạt hoặc không đạt")),
        };
        let note = get("note");
        let answers = vec![(
            if note.is_empty() {
                "Kết luận phiếu A".to_string()
            } else {
                note
            },
            passed,
        )];
        app.record_screening(&user.actor, id, rh, version, &answers, passed)
            .await
    }
    .await;
    let place = |form| ReviewForms {
        screening: Some((rh, form)),
        ..ReviewForms::default()
    };
    saved_or_refused(&app, lang, &user, id, fields, saved, "saved", place).await
}

#[derive(Deserialize)]
pub(super) struct VersionForm {
    version: i64,
}

pub(super) async fn start_survey(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Result<Response, HtmlError> {
    app.start_survey(&user.actor, id, f.version)
        .await
        .map_err(err(lang))?;
    Ok(back(id, "saved"))
}

pub(super) async fn start_meetings(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Result<Response, HtmlError> {
    app.start_meetings(&user.actor, id, f.version)
        .await
        .map_err(err(lang))?;
    Ok(back(id, "saved"))
}

// ---------------------------------------------------------------- meetings, posting, complaints

pub(super) async fn meeting(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    let mut fields = std::collections::HashMap::new();
    let mut minutes = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or("").to_string();
        if name == "minutes" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let kind = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| e(AppError::invalid("minutes", "không đọc được tệp biên bản")))?;
            if bytes.len() > MAX_MINUTES_BYTES {
                return Ok(crate::upload::too_large(false, lang, MAX_MINUTES_BYTES));
            }
            if !bytes.is_empty() {
                minutes = Some((file_name, kind, bytes.to_vec()));
            }
        } else if let Ok(text) = field.text().await {
            fields.insert(name, text);
        }
    }
    let get = |k: &str| typed(&fields, k);
    let number = |k: &str| {
        get(k)
            .parse::<u32>()
            .map_err(|_| AppError::invalid(k, "phải là số"))
    };
    let saved = async {
        let input = MeetingInput {
            village_code: get("village"),
            held_on: date(&get("held_on"), "held_on")?,
            attendees: number("attendees")?,
            agreeing: number("agreeing")?,
            chaired_by: Some(get("chaired_by")).filter(|s| !s.is_empty()),
            minutes,
        };
        app.record_meeting(&user.actor, id, input).await
    }
    .await;
    let passed = match saved {
        Ok(passed) => passed,
        // A refused meeting shows the review again with what was typed and the problem
        // next to its field; the minutes file is not kept and must be chosen again.
        Err(error) => {
            let meeting = Refused::of(fields, error)
                .map_err(&e)?
                .field_alias("village_code", "village");
            let forms = ReviewForms {
                meeting,
                ..ReviewForms::default()
            };
            return refused_page(&app, lang, &user, id, forms).await;
        }
    };
    Ok(back(
        id,
        if passed {
            "meeting-passed"
        } else {
            "meeting-failed"
        },
    ))
}

pub(super) async fn minutes(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(mid): Path<i64>,
) -> Result<Response, HtmlError> {
    // The stored media type is not trusted: `serve` decides from the bytes.
    let (name, _, bytes) = app
        .meeting_minutes(&user.actor, mid)
        .await
        .map_err(err(lang))?;
    Ok(crate::upload::serve(&name, bytes))
}

/// Starts the posting; a refused one shows the page again as typed.
pub(super) async fn posting(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| typed(&fields, k);
    let saved = async {
        let version = version(&get("version"))?;
        let starts = date(&get("starts_on"), "starts_on")?;
        app.start_posting(&user.actor, id, version, starts, &get("place"))
            .await
    }
    .await;
    let place = |posting| ReviewForms {
        posting,
        ..ReviewForms::default()
    };
    saved_or_refused(&app, lang, &user, id, fields, saved, "saved", place).await
}

/// Records a complaint; a refused one shows the page again as typed.
pub(super) async fn complaint(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| typed(&fields, k);
    let saved = async {
        let view = app.review(&user.actor, id).await?;
        let household = match get("household_code").as_str() {
            "" => None,
            code => Some(
                view.households
                    .iter()
                    .find(|h| h.household_code == code)
                    .map(|h| h.household_id)
                    .ok_or_else(|| {
                        AppError::invalid(
                            "household_code",
                            format!("hộ mã {code} không có trong đợt rà soát"),
                        )
                    })?,
            ),
        };
        let received = date(&get("received_on"), "received_on")?;
        app.record_complaint(
            &user.actor,
            id,
            household,
            &get("complainant"),
            &get("content"),
            received,
        )
        .await
    }
    .await;
    let place = |complaint| ReviewForms {
        complaint,
        ..ReviewForms::default()
    };
    saved_or_refused(&app, lang, &user, id, fields, saved, "saved", place).await
}

/// Records the recheck of a complaint; a refused one shows the page again with the
/// complaint's form as typed.
pub(super) async fn resolve(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, cid)): Path<(i64, i64)>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| typed(&fields, k);
    let saved = async {
        let resolved = date(&get("resolved_on"), "resolved_on")?;
        let resurvey = fields.contains_key("resurvey");
        app.resolve_complaint(
            &user.actor,
            id,
            cid,
            &get("recheck_result"),
            resolved,
            resurvey,
        )
        .await
    }
    .await;
    let place = |form| ReviewForms {
        resolve: Some((cid, form)),
        ..ReviewForms::default()
    };
    saved_or_refused(&app, lang, &user, id, fields, saved, "saved", place).await
}

/// The version a form was read at, as the form sent it.
fn version(typed: &str) -> Result<i64, AppError> {
    typed
        .parse()
        .map_err(|_| AppError::invalid("version", "phiên bản không hợp lệ"))
}

/// Records the chair's decision; a refused one shows the page again as typed.
pub(super) async fn approve(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| typed(&fields, k);
    let saved = async {
        let version = version(&get("version"))?;
        let d = date(&get("decision_date"), "decision_date")?;
        app.approve_review(&user.actor, id, version, &get("decision_number"), d)
            .await
    }
    .await;
    let place = |approve| ReviewForms {
        approve,
        ..ReviewForms::default()
    };
    saved_or_refused(&app, lang, &user, id, fields, saved, "approved", place).await
}

/// Opens a regular review on a household's request; a refused one shows the household's
/// page again with the request as typed.
pub(super) async fn open_regular(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(hid): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| typed(&fields, k);
    let opened = async {
        let request = RequestInput {
            date: date(&get("date"), "date")?,
            channel: get("channel"),
            requester: get("requester"),
            kind: get("kind"),
        };
        app.open_regular_review(&user.actor, hid, request).await
    }
    .await;
    match opened {
        Ok(id) => Ok(Redirect::to(&format!("/reviews/{id}")).into_response()),
        Err(error) => {
            let form = Refused::of(fields, error).map_err(err(lang))?;
            let form = crate::households::RefusedForm::RegularReview(form);
            Ok(crate::households::with_refused(&app, lang, &user, hid, form).await)
        }
    }
}
