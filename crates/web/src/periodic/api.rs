//! `GET /api/v1/reports/periodic?unit=&period=&format=`: the periodic report as JSON, or
//! the file to send up (.docx or PDF).

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use giamngheo_app::periodic::PeriodicReport;
use giamngheo_app::print_wording::Wording;
use giamngheo_app::{App, AppError};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

#[derive(OpenApi)]
#[openapi(paths(report), security(("bearer" = [])))]
pub struct PeriodicDoc;

#[derive(Deserialize, IntoParams)]
pub struct PeriodicQuery {
    /// Unit code; the user's own by default.
    unit: Option<String>,
    /// `2021` (a year), `2021-Q2` (a quarter) or `2021-05` (a month).
    period: Option<String>,
    /// `json` (default), `docx` or `pdf`.
    format: Option<String>,
}

/// The file of a report in a format, with its name.
pub(super) fn file(
    report: &PeriodicReport,
    format: &str,
    wording: &Wording,
) -> Result<Response, AppError> {
    let (bytes, content_type, ext) = match format {
        "docx" => (
            report.to_docx(wording)?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        "pdf" => (report.to_pdf(wording), "application/pdf", "pdf"),
        other => {
            return Err(AppError::invalid(
                "format",
                format!("định dạng «{other}» không có (json, docx, pdf)"),
            ));
        }
    };
    let name = format!("{}.{ext}", report.file_stem());
    Ok(crate::reports::download(bytes, content_type, &name))
}

/// The periodic report of a unit and period: JSON (the sections, tables, texts and
/// whether it is issued), or the .docx or PDF to send up.
#[utoipa::path(get, path = "/reports/periodic", params(PeriodicQuery),
    responses(
        (status = 200, description = "The report as JSON, or the .docx or PDF file"),
        (status = 403, description = "A role that does not prepare or read the periodic report", body = ErrorBody),
        (status = 404, description = "Unknown unit, or outside the user's area", body = ErrorBody),
        (status = 422, description = "Missing or invalid period, or an unknown format", body = ErrorBody)
    ))]
pub(super) async fn report(
    State(app): State<App>,
    user: ApiUser,
    Query(q): Query<PeriodicQuery>,
) -> Result<Response, ApiError> {
    let unit = q.unit.unwrap_or_else(|| user.actor.unit_code.clone());
    let period = q.period.filter(|p| !p.trim().is_empty()).ok_or_else(|| {
        AppError::invalid("period", "cần kỳ báo cáo (2021, 2021-Q2 hoặc 2021-05)")
    })?;
    let format = q.format.unwrap_or_default();
    // Checked before the report is assembled, so that a typo costs nothing.
    if !matches!(format.as_str(), "" | "json" | "docx" | "pdf") {
        return Err(AppError::invalid(
            "format",
            format!("định dạng «{format}» không có (json, docx, pdf)"),
        )
        .into());
    }
    let report = app.periodic_report(&user.actor, &unit, &period).await?;
    match format.as_str() {
        "" | "json" => Ok(Json(report).into_response()),
        f => Ok(file(&report, f, &app.config().wording)?),
    }
}
