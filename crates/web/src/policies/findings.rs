//! The findings page (`/findings`: filters by kind, status and unit; closing one with a
//! status and a note) and `GET /api/v1/findings?unit=&status=&kind=`. Every source is
//! listed: the policy checks', the review's and the inspections'.

use crate::auth::{ApiUser, CurrentUser, Viewer};
use crate::error::{ApiError, ErrorBody, HtmlError, public_message, status_of};
use crate::form::Refused;
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use giamngheo_app::households::By;
use giamngheo_app::policies::findings::{evidence_text, finding_kind_vi, finding_kinds};
use giamngheo_app::{App, AppError};
use giamngheo_store::FindingRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/findings", get(page))
        .route("/findings/{id}/close", post(close))
}

pub(crate) fn api_routes() -> Routes {
    Routes::new().route("/findings", get(api_findings))
}

#[derive(OpenApi)]
#[openapi(
    paths(api_findings),
    components(schemas(FindingsBody, FindingBody)),
    security(("bearer" = []))
)]
pub struct FindingsDoc;

#[derive(Deserialize, IntoParams, Default)]
pub struct FindingsQuery {
    /// Unit code; the user's own by default.
    unit: Option<String>,
    /// `open`, `justified` or `corrected`.
    status: Option<String>,
    /// A finding kind (`ineligible_benefit`, `duplicate_person`, …).
    kind: Option<String>,
}

/// The findings of a unit.
#[derive(Serialize, ToSchema)]
pub struct FindingsBody {
    pub items: Vec<FindingBody>,
}

/// One finding.
#[derive(Serialize, ToSchema)]
pub struct FindingBody {
    pub id: i64,
    /// `ineligible_benefit`, `duplicate_person`, `loan_after_escape`, `card_after_death`,
    /// `duplicate_citizen_id_in_import`, or a review's or inspection's kind.
    pub kind: String,
    /// The unit (village or commune) the finding is about.
    pub unit: String,
    /// `open`, `justified` or `corrected`.
    pub status: String,
    /// `policy`, `review` or `inspection`.
    pub source: String,
    /// The evidence in words (Vietnamese).
    pub evidence: String,
    pub household_id: Option<i64>,
    pub benefit_id: Option<i64>,
    pub required_action: Option<String>,
    pub responsible_agency: Option<String>,
    pub status_note: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    pub created_at: String,
    /// The deadline for the required action, dd/mm/yyyy.
    pub deadline: Option<String>,
    /// The inspection that recorded it.
    pub inspection_id: Option<i64>,
    pub activity_id: Option<i64>,
}

/// One finding as the API gives it (here and with its inspection).
pub(crate) fn finding_body(f: &FindingRecord) -> FindingBody {
    FindingBody {
        id: f.id,
        kind: f.kind.clone(),
        unit: f.unit_code.clone(),
        status: f.status.clone(),
        source: f.source.clone(),
        evidence: evidence_text(f),
        household_id: f.household_id,
        benefit_id: f.benefit_id,
        required_action: f.required_action.clone(),
        responsible_agency: f.responsible_agency.clone(),
        status_note: f.status_note.clone(),
        closed_by: f.closed_by.clone(),
        closed_at: f.closed_at.clone(),
        created_at: f.created_at.clone(),
        deadline: f.deadline.as_ref().map(crate::format::date),
        inspection_id: f.inspection_id,
        activity_id: f.activity_id,
    }
}

fn empty_none(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[utoipa::path(get, path = "/findings", params(FindingsQuery),
    responses(
        (status = 200, body = FindingsBody),
        (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody),
        (status = 422, description = "Invalid status", body = ErrorBody)
    ))]
async fn api_findings(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<FindingsQuery>,
) -> Result<Json<FindingsBody>, ApiError> {
    let list = app
        .findings(
            &user.actor,
            empty_none(&q.unit),
            empty_none(&q.kind),
            empty_none(&q.status),
        )
        .await?;
    Ok(Json(FindingsBody {
        items: list.iter().map(finding_body).collect(),
    }))
}

/// Interface text, once per language.
pub struct FT {
    pub title: &'static str,
    pub intro: &'static str,
    pub kind: &'static str,
    pub status: &'static str,
    pub unit: &'static str,
    pub source: &'static str,
    pub evidence: &'static str,
    pub action: &'static str,
    pub all: &'static str,
    pub filter: &'static str,
    pub close: &'static str,
    pub note: &'static str,
    pub empty: &'static str,
    pub closed: &'static str,
    pub statuses: [(&'static str, &'static str); 3],
    pub sources: [(&'static str, &'static str); 3],
}

const VI: FT = FT {
    title: "Phát hiện về thực hiện chính sách",
    intro: "Các trường hợp cần xác minh, do hệ thống tự kiểm tra từ các lần hưởng chính sách (hưởng khi không đủ điều kiện, một người trong danh sách của hai hộ, vay vốn quá thời hạn sau thoát nghèo, thẻ BHYT của người đã chết hoặc chuyển đi, một số CCCD hai lần trong một lần nhập), cùng các phát hiện của rà soát và kiểm tra. Mỗi phát hiện được đóng với kết quả «đã giải trình» hoặc «đã khắc phục» và ghi chú.",
    kind: "Loại",
    status: "Trạng thái",
    unit: "Đơn vị",
    source: "Nguồn",
    evidence: "Căn cứ",
    action: "Việc cần làm",
    all: "Tất cả",
    filter: "Lọc",
    close: "Đóng phát hiện",
    note: "Nội dung giải trình hoặc khắc phục",
    empty: "Không có phát hiện nào.",
    closed: "Đã đóng phát hiện",
    statuses: [
        ("open", "Chưa xử lý"),
        ("justified", "Đã giải trình"),
        ("corrected", "Đã khắc phục"),
    ],
    sources: [
        ("policy", "Kiểm tra chính sách"),
        ("review", "Rà soát"),
        ("inspection", "Kiểm tra, thanh tra"),
    ],
};

const EN: FT = FT {
    title: "Findings on the policies",
    intro: "Cases to verify, found by the system's checks on benefits (a benefit when not eligible, one person on two households' lists, a loan after the years of grace, a card of someone dead or moved away, one citizen ID twice in an import), with the review's and the inspections' findings. Each is closed as justified or corrected, with a note.",
    kind: "Kind",
    status: "Status",
    unit: "Unit",
    source: "Source",
    evidence: "Evidence",
    action: "Action required",
    all: "All",
    filter: "Filter",
    close: "Close finding",
    note: "Justification or correction",
    empty: "No findings.",
    closed: "Closed finding",
    statuses: [
        ("open", "Open"),
        ("justified", "Justified"),
        ("corrected", "Corrected"),
    ],
    sources: [
        ("policy", "Policy check"),
        ("review", "Review"),
        ("inspection", "Inspection"),
    ],
};

fn lang_text(lang: Lang) -> &'static FT {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

fn label<'a>(pairs: &'a [(&'a str, &'a str)], code: &'a str) -> &'a str {
    pairs
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}

/// A finding as a table row.
pub struct RowView {
    pub id: i64,
    pub kind: String,
    pub status: String,
    /// Whether the user may close it: the office of the unit, or the responsible agency.
    pub closable: bool,
    pub unit: String,
    pub source: String,
    pub evidence: String,
    pub action: String,
    pub note: String,
    /// The row's close form as typed when it was refused; empty for every other row.
    pub form: Refused,
}

#[derive(Template, WebTemplate)]
#[template(path = "findings.html")]
struct FindingsPage {
    t: &'static T,
    ft: &'static FT,
    lang: Lang,
    viewer: Option<Viewer>,
    rows: Vec<RowView>,
    kinds: Vec<(&'static str, &'static str)>,
    unit: String,
    kind: String,
    status: String,
    notice: Option<String>,
    error: Option<String>,
}

/// The findings page; `refused` is the close form of one finding as typed, when the app
/// refused it, shown again on that row with its problem next to its field.
async fn render(
    app: &App,
    lang: Lang,
    user: &CurrentUser,
    q: &FindingsQuery,
    result: Result<Option<String>, AppError>,
    refused: Option<(i64, Refused)>,
) -> Response {
    let ft = lang_text(lang);
    let list = match app
        .findings(
            &user.actor,
            empty_none(&q.unit),
            empty_none(&q.kind),
            empty_none(&q.status),
        )
        .await
    {
        Ok(l) => l,
        Err(error) => return HtmlError { lang, error }.into_response(),
    };
    let (status, notice, error) = match result {
        // A refused form answers 422, its problem shown on its row.
        Ok(_) if refused.is_some() => (StatusCode::UNPROCESSABLE_ENTITY, None, None),
        Ok(n) => (StatusCode::OK, n, None),
        Err(error @ AppError::Store(_)) => return HtmlError { lang, error }.into_response(),
        Err(e) => (status_of(&e), None, Some(public_message(&e, lang))),
    };
    let vi = lang == Lang::Vi;
    let may_write = user
        .actor
        .may(giamngheo_app::access::Action::WriteHouseholds);
    let rows = list
        .iter()
        .map(|f| RowView {
            id: f.id,
            kind: if vi {
                finding_kind_vi(&f.kind).to_string()
            } else {
                f.kind.replace('_', " ")
            },
            status: label(&ft.statuses, &f.status).to_string(),
            closable: f.status == "open"
                && (may_write
                    || (user.actor.agency_code.is_some()
                        && user.actor.agency_code == f.responsible_agency)),
            unit: f.unit_code.clone(),
            source: label(&ft.sources, &f.source).to_string(),
            evidence: evidence_text(f),
            action: f.required_action.clone().unwrap_or_default(),
            note: [f.status_note.clone(), f.closed_by.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" — "),
            form: match &refused {
                Some((id, form)) if *id == f.id => form.clone(),
                _ => Refused::default(),
            },
        })
        .collect();
    let page = FindingsPage {
        t: lang.t(),
        ft,
        lang,
        viewer: Some(user.viewer(lang)),
        rows,
        kinds: finding_kinds(),
        unit: q.unit.clone().unwrap_or_default(),
        kind: q.kind.clone().unwrap_or_default(),
        status: q.status.clone().unwrap_or_default(),
        notice,
        error,
    };
    (status, page).into_response()
}

async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<FindingsQuery>,
) -> Response {
    render(&app, lang, &user, &q, Ok(None), None).await
}

#[derive(Deserialize, Default)]
struct CloseForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

async fn close(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CloseForm>,
) -> Response {
    let ft = lang_text(lang);
    let result = app
        .close_finding(By::User(&user.actor), id, form.status.trim(), &form.note)
        .await
        .map(|_| Some(format!("{} {id}.", ft.closed)));
    // A refusal of what was typed comes back on the finding's own row; any other error
    // (not found, no access) is the page's.
    let (result, refused) = match result {
        Ok(n) => (Ok(n), None),
        Err(error) => {
            let typed = [("status", form.status), ("note", form.note)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            match Refused::of(typed, error) {
                Ok(refused) => (Ok(None), Some((id, refused))),
                Err(other) => (Err(other), None),
            }
        }
    };
    render(
        &app,
        lang,
        &user,
        &FindingsQuery::default(),
        result,
        refused,
    )
    .await
}
