//! The import page of an agency's list (`/benefits/import`) and the match queue
//! (`/benefits/queue`): each waiting row can be matched to a member found by search (or
//! one of the candidates of an ambiguous row), or rejected with a reason.

use crate::auth::{CurrentUser, Viewer};
use crate::error::{HtmlError, status_of};
use crate::form::Refused;
use crate::format;
use crate::i18n::{Lang, T};
use crate::match_queue::{self, HitView, MatchForm, Outcome, QueueFrame, QueueRow, RejectForm};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use giamngheo_app::households::By;
use giamngheo_app::policies::imports::BenefitImportRequest;
use giamngheo_app::{App, AppError};
use serde::Deserialize;
use std::collections::HashMap;

/// The largest list taken through the web; a larger one goes through the command line.
pub(crate) const MAX_LIST_BYTES: usize = giamngheo_sheets::households::MAX_FILE_BYTES;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/benefits/import", get(import_page).post(import_upload))
        .route("/benefits/queue", get(queue_page))
        .route("/benefits/queue/{id}/match", post(match_row))
        .route("/benefits/queue/{id}/reject", post(reject_row))
}

/// Interface text, once per language.
pub struct IT {
    pub import_title: &'static str,
    pub import_intro: &'static str,
    pub policy: &'static str,
    pub agency: &'static str,
    pub file: &'static str,
    pub submit: &'static str,
    pub no_choice: &'static str,
    pub queue_title: &'static str,
    pub queue_intro: &'static str,
    pub reference: &'static str,
    pub valid: &'static str,
    pub matched: &'static str,
    pub rejected: &'static str,
    pub errors_title: &'static str,
}

const VI: IT = IT {
    import_title: "Nhập danh sách hưởng chính sách của cơ quan",
    import_intro: "Tải lên danh sách do cơ quan gửi (.xlsx hoặc .csv): danh sách thẻ BHYT của Bảo hiểm xã hội, danh sách cho vay của Ngân hàng Chính sách xã hội, danh sách miễn học phí của nhà trường. Mỗi dòng được đối chiếu theo số CCCD, nếu không có thì theo họ tên, năm sinh và thôn. Dòng không khớp hoặc khớp nhiều người được đưa vào danh sách chờ đối chiếu, không dòng nào bị bỏ. Nhập lại cùng một tệp không thay đổi gì.",
    policy: "Chính sách",
    agency: "Cơ quan gửi danh sách",
    file: "Tệp danh sách",
    submit: "Nhập danh sách",
    no_choice: "Không có chính sách nào bạn được nhập danh sách trong đơn vị của mình.",
    queue_title: "Danh sách chờ đối chiếu",
    queue_intro: "Các dòng của danh sách cơ quan chưa xác định được người hưởng. Chọn đúng thành viên (tìm theo họ tên hoặc mã hộ) để ghi nhận, hoặc từ chối dòng kèm lý do.",
    reference: "Số tham chiếu",
    valid: "Thời hạn",
    matched: "Đã ghi nhận dòng",
    rejected: "Đã từ chối dòng",
    errors_title: "Tệp bị từ chối, không có gì được ghi:",
};

const EN: IT = IT {
    import_title: "Import an agency's benefit list",
    import_intro: "Upload the list an agency sent (.xlsx or .csv): the social insurance agency's health-insurance cards, the social policy bank's loans, a school's tuition exemptions. Each row is matched by citizen ID, else by name, birth year and village. Rows that match nobody or several people wait in the match queue; none is dropped. Importing the same file again changes nothing.",
    policy: "Policy",
    agency: "Agency that sent the list",
    file: "List file",
    submit: "Import list",
    no_choice: "There is no policy whose lists you may import in your unit.",
    queue_title: "Match queue",
    queue_intro: "Rows of agencies' lists whose recipient is not known yet. Choose the right member (search by name or household code) to record the benefit, or reject the row with a reason.",
    reference: "Reference",
    valid: "Period",
    matched: "Recorded row",
    rejected: "Rejected row",
    errors_title: "File refused, nothing was written:",
};

fn lang_text(lang: Lang) -> &'static IT {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// One policy of the form with the agencies that may send its list.
pub struct ChoiceView {
    pub code: String,
    pub name: String,
    pub agencies: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "benefit_import.html")]
struct ImportPage {
    t: &'static T,
    it: &'static IT,
    lang: Lang,
    viewer: Option<Viewer>,
    choices: Vec<ChoiceView>,
    notice: Option<String>,
    error: Option<String>,
    file_errors: Vec<String>,
    /// The form as typed when it was refused (the policy and agency chosen), with the
    /// problem next to its field.
    form: Refused,
}

/// The import page; `typed` is the policy and agency of the upload that gave `result`,
/// chosen again when it was refused.
async fn render_import(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    result: Result<Option<String>, AppError>,
    typed: HashMap<String, String>,
) -> Response {
    let choices = match app.import_choices(&user.actor).await {
        Ok(c) => c,
        Err(error) => return HtmlError { lang, error }.into_response(),
    };
    // A refusal that names a field comes back next to it with the choices as typed;
    // anything else is shown as the match queues show their outcomes.
    let (result, form) = match result {
        Err(e @ (AppError::Store(_) | AppError::File(_))) => (Err(e), Refused::with_values(typed)),
        Err(e) => {
            let status = status_of(&e);
            match Refused::of(typed.clone(), e) {
                Ok(form) => {
                    let page = import_page_of(lang, user, choices, Outcome::refused(status), form);
                    return (status, page).into_response();
                }
                Err(other) => (Err(other), Refused::with_values(typed)),
            }
        }
        Ok(n) => (Ok(n), Refused::default()),
    };
    let done = match match_queue::outcome(lang, result) {
        Ok(done) => done,
        Err(page) => return *page,
    };
    let status = done.status;
    (status, import_page_of(lang, user, choices, done, form)).into_response()
}

/// The import page with the outcome of an upload and the form as it is shown again.
fn import_page_of(
    lang: Lang,
    user: &CurrentUser,
    choices: Vec<giamngheo_app::policies::imports::ImportChoice>,
    done: Outcome,
    form: Refused,
) -> ImportPage {
    ImportPage {
        t: lang.t(),
        it: lang_text(lang),
        lang,
        viewer: Some(user.viewer(lang)),
        choices: choices
            .into_iter()
            .map(|c| ChoiceView {
                code: c.policy.code.clone(),
                name: c.policy.name.clone(),
                agencies: c.agencies.into_iter().map(|a| (a.code, a.name)).collect(),
            })
            .collect(),
        notice: done.notice,
        error: done.error,
        file_errors: done.file_errors,
        form,
    }
}

async fn import_page(State(app): State<App>, lang: Lang, user: CurrentUser) -> Response {
    render_import(&app, lang, &user, Ok(None), HashMap::new()).await
}

async fn import_upload(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    multipart: Option<Multipart>,
) -> Response {
    let Some(mut multipart) = multipart else {
        let e = AppError::invalid("file", "chưa chọn tệp");
        return render_import(&app, lang, &user, Err(e), HashMap::new()).await;
    };
    let (mut policy, mut agency, mut file) = (String::new(), String::new(), None);
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("policy") => policy = field.text().await.unwrap_or_default(),
            Some("agency") => agency = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let Ok(bytes) = field.bytes().await else {
                    let e = AppError::invalid("file", "không đọc được tệp tải lên");
                    let typed = typed_choice(&policy, &agency);
                    return render_import(&app, lang, &user, Err(e), typed).await;
                };
                if bytes.len() > MAX_LIST_BYTES {
                    return crate::upload::too_large(false, lang, MAX_LIST_BYTES);
                }
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let result = match file {
        Some((name, bytes)) if !bytes.is_empty() => {
            // Holds one of the import places while it reads; refused at once when all are
            // taken.
            match app.import_slot() {
                Ok(_slot) => app
                    .import_benefit_list(
                        By::User(&user.actor),
                        &BenefitImportRequest {
                            policy: policy.trim(),
                            agency_code: agency.trim(),
                            unit_code: None,
                            file_name: &name,
                            bytes: &bytes,
                        },
                    )
                    .await
                    .map(|s| Some(format!("{}.", s.message_vi()))),
                Err(e) => Err(e),
            }
        }
        _ => Err(AppError::invalid("file", "chưa chọn tệp")),
    };
    let typed = typed_choice(&policy, &agency);
    render_import(&app, lang, &user, result, typed).await
}

/// The policy and agency of an upload, for choosing them again on a refused form (a
/// file field cannot be filled back in).
fn typed_choice(policy: &str, agency: &str) -> HashMap<String, String> {
    [("policy", policy), ("agency", agency)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

#[derive(Deserialize, Default)]
struct QueueQuery {
    q: Option<String>,
}

async fn render_queue(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    q: &str,
    result: Result<Option<String>, AppError>,
) -> Response {
    let it = lang_text(lang);
    let done = match match_queue::outcome(lang, result) {
        Ok(d) => d,
        Err(page) => return *page,
    };
    let lists = async {
        let rows = app.match_queue(&user.actor, Some("waiting")).await?;
        let hits = app.queue_search(&user.actor, q, 30).await?;
        let ids = |r: &giamngheo_store::QueueRecord| -> Vec<i64> {
            r.candidates
                .split(',')
                .filter_map(|s| s.parse().ok())
                .collect()
        };
        let wanted: std::collections::HashSet<i64> = rows.iter().flat_map(ids).collect();
        let known = app.queue_candidates(&user.actor, &wanted).await?;
        let rows: Vec<QueueRow> = rows
            .iter()
            .map(|r| {
                let ids = ids(r);
                QueueRow {
                    id: r.id,
                    line: format::number(r.line),
                    person: match_queue::person(&r.full_name, r.birth_year, r.village.as_deref()),
                    extra: vec![
                        r.reference.clone(),
                        match r.valid_to {
                            Some(to) => {
                                format!("{} – {}", format::date(&r.valid_from), format::date(&to))
                            }
                            None => format::date(&r.valid_from),
                        },
                    ],
                    reason: match_queue::reason(lang, &r.reason),
                    candidates: match_queue::candidates(&known, &ids),
                }
            })
            .collect();
        Ok::<_, AppError>((rows, hits.iter().map(HitView::of).collect()))
    };
    let (rows, hits) = match lists.await {
        Ok(l) => l,
        Err(error) => return HtmlError { lang, error }.into_response(),
    };
    let frame = QueueFrame {
        title: it.queue_title,
        intro: it.queue_intro,
        back: None,
        back_text: String::new(),
        base: "/benefits/queue".into(),
        extra_headings: vec![it.reference, it.valid],
    };
    match_queue::page(lang, user, frame, rows, q, hits, done)
}

async fn queue_page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<QueueQuery>,
) -> Response {
    let q = q.q.unwrap_or_default();
    render_queue(&app, lang, &user, &q, Ok(None)).await
}

async fn match_row(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MatchForm>,
) -> Response {
    let it = lang_text(lang);
    let result = match form.choice() {
        Ok((household_id, member_id)) => app
            .resolve_queued_row(By::User(&user.actor), id, household_id, member_id)
            .await
            .map(|_| Some(format!("{} {id}.", it.matched))),
        Err(e) => Err(e),
    };
    render_queue(&app, lang, &user, "", result).await
}

async fn reject_row(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RejectForm>,
) -> Response {
    let it = lang_text(lang);
    let result = app
        .reject_queued_row(By::User(&user.actor), id, &form.reason)
        .await
        .map(|_| Some(format!("{} {id}.", it.rejected)));
    render_queue(&app, lang, &user, "", result).await
}
