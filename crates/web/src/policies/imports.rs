//! The import page of an agency's list (`/benefits/import`) and the match queue
//! (`/benefits/queue`): each waiting row can be matched to a member found by search (or
//! one of the candidates of an ambiguous row), or rejected with a reason.

use crate::auth::{CurrentUser, Viewer};
use crate::error::{HtmlError, public_message, status_of};
use crate::form::Refused;
use crate::format;
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
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
    pub line: &'static str,
    pub reference: &'static str,
    pub person: &'static str,
    pub reason: &'static str,
    pub valid: &'static str,
    pub action: &'static str,
    pub unmatched: &'static str,
    pub ambiguous: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub choose: &'static str,
    pub reject: &'static str,
    pub reject_reason: &'static str,
    pub empty: &'static str,
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
    line: "Dòng",
    reference: "Số tham chiếu",
    person: "Người trong danh sách",
    reason: "Lý do chờ",
    valid: "Thời hạn",
    action: "Xử lý",
    unmatched: "Không tìm thấy người phù hợp",
    ambiguous: "Khớp nhiều người",
    search: "Tìm",
    search_hint: "Họ tên hoặc mã hộ",
    choose: "Chọn người này",
    reject: "Từ chối",
    reject_reason: "Lý do từ chối",
    empty: "Không có dòng nào chờ đối chiếu.",
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
    line: "Line",
    reference: "Reference",
    person: "Person on the list",
    reason: "Why waiting",
    valid: "Period",
    action: "Action",
    unmatched: "Nobody matches",
    ambiguous: "Several people match",
    search: "Search",
    search_hint: "Name or household code",
    choose: "Choose this person",
    reject: "Reject",
    reject_reason: "Reason for rejecting",
    empty: "No rows are waiting.",
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
    let (status, notice, error, file_errors, form) = match result {
        Ok(n) => (StatusCode::OK, n, None, Vec::new(), Refused::default()),
        Err(error @ AppError::Store(_)) => return HtmlError { lang, error }.into_response(),
        Err(AppError::File(errors)) => {
            let mut lines: Vec<String> = errors.errors.iter().map(ToString::to_string).collect();
            if errors.truncated {
                lines.push("… và còn lỗi khác".into());
            }
            let form = Refused::with_values(typed);
            (StatusCode::UNPROCESSABLE_ENTITY, None, None, lines, form)
        }
        Err(e) => {
            let status = status_of(&e);
            match Refused::of(typed.clone(), e) {
                Ok(form) => (status, None, None, Vec::new(), form),
                Err(other) => (
                    status_of(&other),
                    None,
                    Some(public_message(&other, lang)),
                    Vec::new(),
                    Refused::with_values(typed),
                ),
            }
        }
    };
    let page = ImportPage {
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
        notice,
        error,
        file_errors,
        form,
    };
    (status, page).into_response()
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

/// A queued row as the page shows it.
pub struct QueueView {
    pub id: i64,
    pub line: String,
    pub reference: String,
    pub person: String,
    pub reason: &'static str,
    pub valid: String,
    pub candidates: Vec<(i64, i64, String)>,
}

/// A member found by the search, as (household id, member id, label).
pub struct HitView {
    pub household_id: i64,
    pub member_id: i64,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "benefit_queue.html")]
struct QueuePage {
    t: &'static T,
    it: &'static IT,
    lang: Lang,
    viewer: Option<Viewer>,
    rows: Vec<QueueView>,
    q: String,
    hits: Vec<HitView>,
    notice: Option<String>,
    error: Option<String>,
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
    let rows = match app.match_queue(&user.actor, Some("waiting")).await {
        Ok(r) => r,
        Err(error) => return HtmlError { lang, error }.into_response(),
    };
    let hits = match app.queue_search(&user.actor, q, 30).await {
        Ok(h) => h,
        Err(error) => return HtmlError { lang, error }.into_response(),
    };
    let (status, notice, error) = match result {
        Ok(n) => (StatusCode::OK, n, None),
        Err(error @ AppError::Store(_)) => return HtmlError { lang, error }.into_response(),
        Err(e) => (status_of(&e), None, Some(public_message(&e, lang))),
    };
    let wanted: std::collections::HashSet<i64> = rows
        .iter()
        .flat_map(|r| r.candidates.split(',').filter_map(|s| s.parse().ok()))
        .collect();
    let known = match app.queue_candidates(&user.actor, &wanted).await {
        Ok(c) => c,
        Err(error) => return HtmlError { lang, error }.into_response(),
    };
    let views = rows
        .iter()
        .map(|r| {
            let ids: Vec<i64> = r
                .candidates
                .split(',')
                .filter_map(|s| s.parse().ok())
                .collect();
            QueueView {
                id: r.id,
                line: format::number(r.line),
                reference: r.reference.clone(),
                person: [
                    Some(r.full_name.clone()),
                    r.birth_year.map(|y| y.to_string()),
                    r.village.clone(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
                reason: if r.reason == "ambiguous" {
                    it.ambiguous
                } else {
                    it.unmatched
                },
                valid: match r.valid_to {
                    Some(to) => format!("{} – {}", format::date(&r.valid_from), format::date(&to)),
                    None => format::date(&r.valid_from),
                },
                candidates: known
                    .iter()
                    .filter(|c| ids.contains(&c.member_id))
                    .map(|c| (c.household_id, c.member_id, label(c)))
                    .collect(),
            }
        })
        .collect();
    let page = QueuePage {
        t: lang.t(),
        it,
        lang,
        viewer: Some(user.viewer(lang)),
        rows: views,
        q: q.to_string(),
        hits: hits
            .into_iter()
            .map(|h| HitView {
                household_id: h.household_id,
                member_id: h.member_id,
                label: label(&h),
            })
            .collect(),
        notice,
        error,
    };
    (status, page).into_response()
}

pub(crate) fn label(c: &giamngheo_store::MatchCandidate) -> String {
    format!("{} · {} · {}", c.household_code, c.full_name, c.birth_year)
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

/// The match form. Every field has a default so that a form missing one is refused
/// with a Vietnamese message naming it.
#[derive(Deserialize, Default)]
struct MatchForm {
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    member_id: String,
}

async fn match_row(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MatchForm>,
) -> Response {
    let it = lang_text(lang);
    let member_id = form.member_id.trim().parse::<i64>().ok();
    let result = match form.household_id.trim().parse::<i64>() {
        Ok(household_id) => app
            .resolve_queued_row(By::User(&user.actor), id, household_id, member_id)
            .await
            .map(|_| Some(format!("{} {id}.", it.matched))),
        Err(_) => Err(AppError::invalid("household_id", "hãy chọn một hộ")),
    };
    render_queue(&app, lang, &user, "", result).await
}

#[derive(Deserialize, Default)]
struct RejectForm {
    #[serde(default)]
    reason: String,
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
