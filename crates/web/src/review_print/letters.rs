//! The written answer to a refused request: the letter as a print page and a PDF, and
//! the form with which a commune officer states the reason in their own words and issues
//! it under the commune's next number.

use super::{PrintPage, answer_with};
use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::form::Refused;
use crate::format;
use crate::i18n::{Lang, T};
use crate::reviews::{place_name, wants_pdf};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use giamngheo_app::access::Action;
use giamngheo_app::print_wording::Wording;
use giamngheo_app::{App, AppError};
use giamngheo_sheets::pdf::{Block, PrintDoc, PrintSigner, Run};
use giamngheo_store::RefusalLetterRecord;
use serde::Deserialize;
use std::collections::HashMap;

/// The form on the letter's page, for those who may issue it.
pub(crate) struct LetterForm {
    pub action: String,
    pub csrf: String,
    pub stated_reason: String,
    pub issued_on: String,
    /// The number of the letter in force, when one was issued.
    pub issued: Option<String>,
    /// The form as typed when it was refused, with the problem next to its field.
    pub refused: Refused,
}

impl LetterForm {
    /// The problem when it is about no field of the form, shown above it.
    pub fn general(&self) -> Option<&str> {
        self.refused.general(&["stated_reason", "issued_on"])
    }
}

#[derive(Deserialize, Default)]
pub(super) struct LetterQuery {
    format: Option<String>,
    notice: Option<String>,
}

/// Everything a refusal letter says about its household, before the wording is
/// filled in.
struct LetterDoc {
    commune: String,
    date_line: String,
    /// Who asked (the head unless someone else filed the request).
    requester: String,
    head: String,
    village: String,
    /// The request date as shown to people ("05/10/2025").
    request_date: String,
    /// The request's kind: `enter`, `leave`, or none.
    kind: Option<String>,
    /// The review's recorded reason, right for the kind of request.
    reason: String,
    /// The letter's number ("005/UBND"), when it was issued.
    number: Option<String>,
    /// The officer's own words; a dotted line to fill in by hand when empty.
    stated_reason: String,
}

/// Marks where a bold value goes in a sentence of the wording, to split it there.
const BOLD_HERE: &str = "\u{1}";

/// The refusal letter as blocks, for the print page and the PDF alike, in the words of
/// the wording file: the commune's number, the reason the review recorded for the kind
/// of request, the officer's own words, the right to complain, and the recipients
/// beside the chair's signature.
fn letter_doc(w: &Wording, l: &LetterDoc) -> PrintDoc {
    let request = w.text(
        match l.kind.as_deref() {
            Some("leave") => "letter.request_leave",
            Some("enter") => "letter.request_enter",
            _ => "letter.request_other",
        },
        &[],
    );
    let stated = match l.stated_reason.trim() {
        "" => w.text("letter.stated_blank", &[]),
        s => format!("{}.", s.trim_end_matches('.')),
    };
    let commune = ("commune", l.commune.as_str());
    let addressee = w.text(
        "letter.addressee",
        &[("requester", BOLD_HERE), ("head", &l.head)],
    );
    let (before, after) = addressee.split_once(BOLD_HERE).unwrap_or((&addressee, ""));
    let para = |text: String| Block::Paragraph(vec![Run::plain(text)]);
    PrintDoc {
        title: w.text("letter.doc_title", &[("head", &l.head)]),
        motto: w.motto(),
        blocks: vec![
            Block::Heading {
                agency: vec![w.text(
                    "letter.agency",
                    &[("commune_upper", &l.commune.to_uppercase())],
                )],
                number: Some(
                    l.number
                        .clone()
                        .unwrap_or_else(|| w.text("letter.number_blank", &[])),
                ),
            },
            Block::DateLine(l.date_line.clone()),
            Block::Title(w.lines("letter.title", &[("request", &request)])),
            Block::Paragraph(vec![
                Run::plain(before),
                Run::bold(l.requester.clone()),
                Run::plain(after),
            ]),
            para(w.text(
                "letter.received",
                &[
                    ("request_date", &l.request_date),
                    commune,
                    ("request", &request),
                ],
            )),
            Block::Paragraph(vec![
                Run::bold(w.text("letter.refused_label", &[])),
                Run::plain(format!("{}.", l.reason.trim().trim_end_matches('.'))),
            ]),
            Block::Paragraph(vec![
                Run::bold(w.text("letter.stated_label", &[])),
                Run::plain(stated),
            ]),
            para(w.text("letter.complaint_right", &[])),
            Block::Signatures {
                date_line: String::new(),
                recipients: w.lines("letter.recipients", &[("village", &l.village)]),
                signers: vec![PrintSigner {
                    title: w.lines("common.chair_title", &[]),
                    hint: w.text("common.chair_hint", &[]),
                }],
            },
        ],
    }
}

pub(super) async fn letter(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, rh)): Path<(i64, i64)>,
    Query(q): Query<LetterQuery>,
) -> Result<Response, HtmlError> {
    letter_page(&app, lang, &user, (id, rh), &q)
        .await
        .map_err(|error| HtmlError { lang, error })
}

/// What the letter's page and the refused issue's page both show: the letter, the one
/// issued if any, and the issue form.
struct LetterView {
    doc: PrintDoc,
    issued: Option<RefusalLetterRecord>,
    form: Option<LetterForm>,
}

/// The letter of household `rh` of review `id`, and its issue form with `refused`'s
/// values when the form was refused (otherwise the letter in force and today).
async fn letter_view(
    app: &App,
    user: &CurrentUser,
    (id, rh): (i64, i64),
    refused: Refused,
) -> Result<LetterView, AppError> {
    let view = app.review(&user.actor, id).await?;
    let h = view
        .households
        .iter()
        .find(|h| h.id == rh)
        .ok_or_else(|| AppError::NotFound("hộ trong đợt rà soát".into()))?;
    let reason = h
        .refusal_reason
        .clone()
        .ok_or_else(|| AppError::invalid("letter", "hộ này không bị từ chối"))?;
    let issued = app.refusal_letter(&user.actor, id, rh).await?;
    let place = place_name(&view.commune.name);
    let wording = &app.config().wording;
    let doc = LetterDoc {
        commune: view.commune.name.clone(),
        date_line: match &issued {
            Some(l) => wording.date_line(&place, l.issued_on),
            None => wording.date_line(&place, view.review.decision_date.unwrap_or(view.today)),
        },
        requester: h.requester.clone().unwrap_or_else(|| h.head_name.clone()),
        head: h.head_name.clone(),
        village: h.village_name.clone(),
        request_date: h.request_date.map(|d| format::date(&d)).unwrap_or_default(),
        kind: h.request_kind.clone(),
        reason,
        number: issued.as_ref().map(|l| l.number.clone()),
        stated_reason: issued
            .as_ref()
            .map(|l| l.stated_reason.clone())
            .unwrap_or_default(),
    };
    let doc = letter_doc(wording, &doc);
    // A refused form shows what was typed; a fresh one the letter in force and today.
    let stated_reason = match &issued {
        Some(l) => refused.value_or("stated_reason", &l.stated_reason),
        None => refused.value("stated_reason"),
    }
    .to_string();
    let today = format::date(&view.today);
    let issued_on = refused.value_or("issued_on", &today).to_string();
    let form = user.actor.may(Action::WriteHouseholds).then(|| LetterForm {
        action: format!("/reviews/{id}/letters/{rh}"),
        csrf: user.csrf.clone(),
        stated_reason,
        issued_on,
        issued: issued.as_ref().map(|l| l.number.clone()),
        refused,
    });
    Ok(LetterView { doc, issued, form })
}

/// The letter of household `rh` of review `id` as a print page (or its PDF), with the
/// issue form for those who may issue it.
async fn letter_page(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    (id, rh): (i64, i64),
    q: &LetterQuery,
) -> Result<Response, AppError> {
    let LetterView { doc, issued, form } =
        letter_view(app, user, (id, rh), Refused::default()).await?;
    if wants_pdf(&q.format) {
        let file = format!("van-ban-tra-loi-{id}-{rh}.pdf");
        return Ok(crate::reviews::pdf_response(
            giamngheo_sheets::pdf::print_pdf(&[doc]),
            &file,
        ));
    }
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

/// A refused issue of the letter: the form as typed with the problem next to its field,
/// on a page of the site with its header and menu (the print page has neither), and
/// links to the letter and back to the review.
#[derive(Template, WebTemplate)]
#[template(path = "letter_refused.html")]
struct RefusedLetterPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    title: String,
    form: LetterForm,
    letter_url: String,
    review_id: i64,
}

/// Issues the letter under the commune's next number; a refused one comes back as typed
/// with the problem next to its field (422), with the site's header and menu.
pub(super) async fn issue(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, rh)): Path<(i64, i64)>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, HtmlError> {
    let get = |k: &str| fields.get(k).map(|v| v.trim()).unwrap_or("").to_string();
    let issued = async {
        let issued_on = giamngheo_sheets::units::parse_date(&get("issued_on"))
            .map_err(|x| AppError::invalid("issued_on", x))?;
        app.issue_refusal_letter(&user.actor, id, rh, &get("stated_reason"), issued_on)
            .await
    }
    .await;
    let e = |error| HtmlError { lang, error };
    let error = match issued {
        Ok(_) => {
            return Ok(
                Redirect::to(&format!("/reviews/{id}/letters/{rh}?notice=issued")).into_response(),
            );
        }
        Err(error) => error,
    };
    let refused = Refused::of(fields, error).map_err(e)?;
    let LetterView { doc, form, .. } = letter_view(&app, &user, (id, rh), refused)
        .await
        .map_err(e)?;
    // Only those who may issue reach a refusal of the form's input; anyone else was
    // refused before it, as not allowed.
    let form = form.ok_or_else(|| e(AppError::Forbidden("cấp văn bản trả lời".into())))?;
    let page = RefusedLetterPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        title: doc.title,
        form,
        letter_url: format!("/reviews/{id}/letters/{rh}"),
        review_id: id,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
