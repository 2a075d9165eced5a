//! An activity's list of beneficiaries from a file: the upload on the activity's page,
//! the activity's queue of rows that matched nobody or several people (each matched to
//! a member found by search or among its candidates, or rejected with a reason), and
//! the same through `/api/v1/programme/activities/{id}/beneficiaries/import` and
//! `…/queue`. The app layer checks access and matches; these handlers read and render.

use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiError, ErrorBody, HtmlError};
use crate::format;
use crate::i18n::Lang;
use crate::match_queue::{self, HitView, MatchForm, QueueFrame, QueueRow, RejectForm};
use crate::routes::Routes;
use axum::Json;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use giamngheo_app::programme::ActivityImportSummary;
use giamngheo_app::{App, AppError};
use giamngheo_store::ActivityQueueRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The largest list taken through the web: the same as an agency's list.
pub(crate) const MAX_LIST_BYTES: usize = crate::policies::imports::MAX_LIST_BYTES;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route(
            "/programme/activities/{id}/beneficiaries/import",
            post(upload),
        )
        .route("/programme/activities/{id}/queue", get(queue_page))
        .route(
            "/programme/activities/{id}/queue/{row}/match",
            post(match_row),
        )
        .route(
            "/programme/activities/{id}/queue/{row}/reject",
            post(reject_row),
        )
}

pub(crate) fn api_routes() -> Routes {
    Routes::new()
        .route(
            "/programme/activities/{id}/beneficiaries/import",
            post(api_import),
        )
        .route("/programme/activities/{id}/queue", get(api_queue))
        .route(
            "/programme/activities/{id}/queue/{row}/match",
            post(api_match),
        )
        .route(
            "/programme/activities/{id}/queue/{row}/reject",
            post(api_reject),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(api_import, api_queue, api_match, api_reject),
    components(schemas(MatchBody, RejectBody, ImportAnswer)),
    security(("bearer" = []))
)]
pub struct BeneficiaryImportDoc;

/// Interface text, once per language.
pub struct QT {
    pub title: &'static str,
    pub intro: &'static str,
    pub back: &'static str,
    pub matched: &'static str,
    pub rejected: &'static str,
    pub upload_title: &'static str,
    pub upload_hint: &'static str,
    pub file: &'static str,
    pub submit: &'static str,
    pub open_queue: &'static str,
}

const VI: QT = QT {
    title: "Danh sách chờ đối chiếu của hoạt động",
    intro: "Các dòng của danh sách hưởng lợi chưa xác định được người: không tìm thấy ai, hoặc khớp nhiều người. Chọn đúng thành viên (tìm theo họ tên hoặc mã hộ) để đưa vào danh sách hưởng lợi, hoặc từ chối dòng kèm lý do.",
    back: "Về trang hoạt động",
    matched: "Đã đưa vào danh sách hưởng lợi dòng chờ số",
    rejected: "Đã từ chối dòng chờ số",
    upload_title: "Nhập danh sách hưởng lợi từ tệp",
    upload_hint: "Tệp .xlsx hoặc .csv có cột Họ và tên, và nếu có: Số CCCD, Năm sinh, Thôn. Mỗi dòng được đối chiếu theo số CCCD, nếu không có thì theo họ tên, năm sinh và thôn; dòng không khớp hoặc khớp nhiều người vào danh sách chờ đối chiếu. Nhập lại cùng một tệp không thay đổi gì.",
    file: "Tệp danh sách",
    submit: "Nhập danh sách",
    open_queue: "Danh sách chờ đối chiếu",
};

const EN: QT = QT {
    title: "Activity's match queue",
    intro: "Rows of the beneficiary list whose person is not known yet: nobody matched, or several people did. Choose the right member (search by name or household code) to add them to the beneficiaries, or reject the row with a reason.",
    back: "Back to the activity",
    matched: "Added to the beneficiaries: queued row",
    rejected: "Rejected queued row",
    upload_title: "Import beneficiaries from a file",
    upload_hint: "An .xlsx or .csv file with a Họ và tên (full name) column and, where known, Số CCCD, Năm sinh, Thôn. Each row is matched by citizen ID, else by name, birth year and village; rows matching nobody or several people wait in the match queue. Importing the same file again changes nothing.",
    file: "List file",
    submit: "Import list",
    open_queue: "Match queue",
};

pub(crate) fn queue_text(lang: Lang) -> &'static QT {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// The queue page after `result` (a notice, or the error of what was just tried).
async fn render(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    id: i64,
    q: &str,
    result: Result<Option<String>, AppError>,
) -> Response {
    let qt = queue_text(lang);
    let done = match match_queue::outcome(lang, result) {
        Ok(d) => d,
        Err(page) => return *page,
    };
    let lists = async {
        let activity = app.activity(&user.actor, id).await?;
        let rows = app.activity_queue(&user.actor, id, None).await?;
        let hits = app.queue_search(&user.actor, q, 30).await?;
        let wanted: std::collections::HashSet<i64> =
            rows.iter().flat_map(|r| r.candidate_ids()).collect();
        let known = app.queue_candidates(&user.actor, &wanted).await?;
        let rows: Vec<QueueRow> = rows
            .iter()
            .map(|r| {
                let ids = r.candidate_ids();
                QueueRow {
                    id: r.id,
                    line: format::number(r.line),
                    person: match_queue::person(&r.full_name, r.birth_year, r.village.as_deref()),
                    extra: Vec::new(),
                    reason: match_queue::reason(lang, &r.reason),
                    candidates: match_queue::candidates(&known, &ids),
                }
            })
            .collect();
        Ok::<_, AppError>((
            activity.fields.name,
            rows,
            hits.iter().map(HitView::of).collect(),
        ))
    };
    let (name, rows, hits) = match lists.await {
        Ok(l) => l,
        Err(error) => return HtmlError { lang, error }.into_response(),
    };
    let frame = QueueFrame {
        title: qt.title,
        intro: qt.intro,
        back: Some(format!("/programme/activities/{id}")),
        back_text: format!("{}: {name}", qt.back),
        base: format!("/programme/activities/{id}/queue"),
        extra_headings: Vec::new(),
    };
    match_queue::page(lang, user, frame, rows, q, hits, done)
}

#[derive(Deserialize, Default, IntoParams)]
pub struct QueueQuery {
    /// A name or household code to search the registry for (page only).
    q: Option<String>,
    /// `waiting` (default), `matched` or `rejected` (API only).
    status: Option<String>,
}

async fn queue_page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<QueueQuery>,
) -> Response {
    let q = q.q.unwrap_or_default();
    render(&app, lang, &user, id, &q, Ok(None)).await
}

/// The file of a multipart form, with its name; an empty or missing one is an error
/// naming the field.
async fn file_of(multipart: Option<Multipart>) -> Result<(String, Vec<u8>), AppError> {
    let none = || AppError::invalid("file", "chưa chọn tệp");
    let mut multipart = multipart.ok_or_else(none)?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::invalid("file", "không đọc được tệp tải lên"))?;
            if bytes.is_empty() {
                return Err(none());
            }
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(none())
}

/// Reads the uploaded list and imports it, holding one of the import places meanwhile.
async fn import(
    app: &App,
    user: &giamngheo_app::access::Actor,
    id: i64,
    multipart: Option<Multipart>,
) -> Result<ActivityImportSummary, AppError> {
    let (name, bytes) = file_of(multipart).await?;
    if bytes.len() > MAX_LIST_BYTES {
        return Err(AppError::invalid(
            "file",
            format!("tệp lớn hơn giới hạn {} MB", MAX_LIST_BYTES / (1024 * 1024)),
        ));
    }
    let _slot = app.import_slot()?;
    app.import_activity_beneficiaries(user, id, &name, &bytes)
        .await
}

async fn upload(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    multipart: Option<Multipart>,
) -> Response {
    let result = import(&app, &user.actor, id, multipart)
        .await
        .map(|s| Some(format!("{}.", s.message_vi())));
    render(&app, lang, &user, id, "", result).await
}

async fn match_row(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, row)): Path<(i64, i64)>,
    Form(form): Form<MatchForm>,
) -> Response {
    let qt = queue_text(lang);
    let result = match form.choice() {
        Ok((household_id, member_id)) => app
            .resolve_activity_queue_row(&user.actor, row, household_id, member_id)
            .await
            .map(|_| Some(format!("{} {row}.", qt.matched))),
        Err(e) => Err(e),
    };
    render(&app, lang, &user, id, "", result).await
}

async fn reject_row(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, row)): Path<(i64, i64)>,
    Form(form): Form<RejectForm>,
) -> Response {
    let qt = queue_text(lang);
    let result = app
        .reject_activity_queue_row(&user.actor, row, &form.reason)
        .await
        .map(|_| Some(format!("{} {row}.", qt.rejected)));
    render(&app, lang, &user, id, "", result).await
}

/// What an import did, with its summary in Vietnamese.
#[derive(Serialize, ToSchema)]
pub struct ImportAnswer {
    rows: u64,
    added: u64,
    queued: u64,
    unmatched: u64,
    ambiguous: u64,
    skipped: u64,
    message: String,
}

/// Imports a list of beneficiaries (.xlsx or .csv, the `file` field of a multipart form):
/// matched rows join the list, the others wait in the activity's queue; a bad row refuses
/// the file naming its line and column (audited).
#[utoipa::path(post, path = "/programme/activities/{id}/beneficiaries/import",
    params(("id" = i64, Path, description = "The activity")),
    request_body(content_type = "multipart/form-data", description = "`file`: the list"),
    responses((status = 200, body = ImportAnswer), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn api_import(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    multipart: Option<Multipart>,
) -> Result<Json<ImportAnswer>, ApiError> {
    let s = import(&app, &user.actor, id, multipart).await?;
    Ok(Json(ImportAnswer {
        message: s.message_vi(),
        rows: s.rows,
        added: s.added,
        queued: s.queued,
        unmatched: s.unmatched,
        ambiguous: s.ambiguous,
        skipped: s.skipped,
    }))
}

/// The activity's queued rows (waiting ones unless `status` says otherwise).
#[utoipa::path(get, path = "/programme/activities/{id}/queue",
    params(("id" = i64, Path, description = "The activity"), QueueQuery),
    responses((status = 200, description = "Queued rows"), (status = 404, body = ErrorBody)))]
async fn api_queue(
    State(app): State<App>,
    user: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<QueueQuery>,
) -> Result<Json<Vec<ActivityQueueRecord>>, ApiError> {
    Ok(Json(
        app.activity_queue(&user.actor, id, q.status.as_deref())
            .await?,
    ))
}

/// The household (and member) a queued row is about.
#[derive(Deserialize, ToSchema)]
pub struct MatchBody {
    household_id: i64,
    member_id: Option<i64>,
}

/// Matches a queued row: the person joins the activity's list (audited).
#[utoipa::path(post, path = "/programme/activities/{id}/queue/{row}/match", request_body = MatchBody,
    params(("id" = i64, Path, description = "The activity"), ("row" = i64, Path, description = "The queued row")),
    responses((status = 204), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn api_match(
    State(app): State<App>,
    user: ApiUser,
    Path((_, row)): Path<(i64, i64)>,
    Json(b): Json<MatchBody>,
) -> Result<StatusCode, ApiError> {
    app.resolve_activity_queue_row(&user.actor, row, b.household_id, b.member_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Why a queued row is rejected.
#[derive(Deserialize, ToSchema)]
pub struct RejectBody {
    reason: String,
}

/// Rejects a queued row with a reason; the row stays, marked rejected (audited).
#[utoipa::path(post, path = "/programme/activities/{id}/queue/{row}/reject", request_body = RejectBody,
    params(("id" = i64, Path, description = "The activity"), ("row" = i64, Path, description = "The queued row")),
    responses((status = 204), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn api_reject(
    State(app): State<App>,
    user: ApiUser,
    Path((_, row)): Path<(i64, i64)>,
    Json(b): Json<RejectBody>,
) -> Result<StatusCode, ApiError> {
    app.reject_activity_queue_row(&user.actor, row, &b.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
