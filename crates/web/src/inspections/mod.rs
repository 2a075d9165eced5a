//! Inspections on the web: a unit's inspections of a year with the office's plan form,
//! an inspection's page (its record, the sample of households drawn by the product and
//! its findings, with the forms of the inspecting agency), and the JSON API under
//! `/api/v1/inspections`. Findings are listed and closed with those of every source at
//! `/findings` and `GET /api/v1/findings?unit=`. The app layer checks access and every
//! field.

mod api;
mod pages;

pub use api::InspectionsDoc;

use crate::i18n::Lang;
use crate::routes::Routes;
use axum::routing::{get, post};
use giamngheo_app::AppError;
use giamngheo_app::inspections::{INSPECTION_FINDING_KINDS, REVIEW_FINDING_KINDS, SampleChoice};
use giamngheo_store::InspectionRecord;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/inspections", get(pages::list).post(pages::plan))
        .route("/inspections/{id}", get(pages::detail))
        .route("/inspections/{id}/record", post(pages::record))
        .route("/inspections/{id}/sample", post(pages::sample))
        .route("/inspections/{id}/findings", post(pages::add_finding))
}

pub(crate) fn api_routes() -> Routes {
    Routes::new()
        .route("/inspections", get(api::list).post(api::plan))
        .route("/inspections/{id}", get(api::detail))
        .route("/inspections/{id}/record", post(api::record))
        .route("/inspections/{id}/sample", post(api::sample))
        .route("/inspections/{id}/findings", post(api::add_finding))
}

/// The menu's link to the inspections.
pub(crate) fn menu_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Kiểm tra, giám sát",
        Lang::En => "Inspections",
    }
}

/// What an inspection is about, in words, with the policy, project or period it names.
fn subject_text(r: &InspectionRecord, lang: Lang) -> String {
    let kind = match (r.subject_kind.as_str(), lang) {
        ("review", Lang::Vi) => "Rà soát hộ nghèo, hộ cận nghèo",
        ("policy", Lang::Vi) => "Thực hiện chính sách",
        (_, Lang::Vi) => "Thực hiện dự án",
        ("review", Lang::En) => "The household review",
        ("policy", Lang::En) => "A policy",
        (_, Lang::En) => "A project",
    };
    match &r.subject_code {
        Some(code) => format!("{kind} ({code})"),
        None => kind.to_string(),
    }
}

/// The subjects the plan form offers.
fn subjects(lang: Lang) -> Vec<(&'static str, &'static str)> {
    match lang {
        Lang::Vi => vec![
            ("review", "Rà soát hộ nghèo, hộ cận nghèo"),
            ("policy", "Thực hiện chính sách"),
            ("project", "Thực hiện dự án"),
        ],
        Lang::En => vec![
            ("review", "The household review"),
            ("policy", "A policy"),
            ("project", "A project"),
        ],
    }
}

/// How the sample was drawn, in words.
fn method_text(r: &InspectionRecord, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    match (r.sample_method.as_deref(), r.sample_seed, vi) {
        // The seed is shown as drawn (an unsigned number kept bit for bit).
        (Some("random"), Some(seed), true) => format!("Ngẫu nhiên, hạt giống {}", seed as u64),
        (Some("random"), Some(seed), false) => format!("Random, seed {}", seed as u64),
        (Some("risk"), _, true) => "Theo rủi ro".into(),
        (Some("risk"), _, false) => "By risk".into(),
        (_, _, true) => "Chưa chọn mẫu".into(),
        (_, _, false) => "No sample yet".into(),
    }
}

/// Why a household is in the sample, in words.
fn reason_text(reason: &str, lang: Lang) -> &'static str {
    match (reason, lang) {
        ("open_finding", Lang::Vi) => "Có phát hiện chưa xử lý",
        ("class_changed", Lang::Vi) => "Đổi loại hộ nhưng ít thay đổi thông tin",
        (_, Lang::Vi) => "Ngẫu nhiên",
        ("open_finding", Lang::En) => "Open finding",
        ("class_changed", Lang::En) => "Class changed on few facts",
        (_, Lang::En) => "Random",
    }
}

/// A finding's kind in words; a kind not known here is «Phát hiện khác».
fn kind_text(kind: &str, lang: Lang) -> &'static str {
    let found = INSPECTION_FINDING_KINDS
        .iter()
        .chain(REVIEW_FINDING_KINDS.iter())
        .find(|(k, _, _)| *k == kind);
    match (found, lang) {
        (Some((_, vi, _)), Lang::Vi) => vi,
        (Some((_, _, en)), Lang::En) => en,
        (None, Lang::Vi) => giamngheo_app::policies::findings::finding_kind_vi(kind),
        (None, Lang::En) => "Other finding",
    }
}

/// A finding's status in words.
fn status_text(status: &str, lang: Lang) -> &'static str {
    match (status, lang) {
        ("open", Lang::Vi) => "Chưa xử lý",
        ("justified", Lang::Vi) => "Đã giải trình",
        (_, Lang::Vi) => "Đã khắc phục",
        ("open", Lang::En) => "Open",
        ("justified", Lang::En) => "Justified",
        (_, Lang::En) => "Corrected",
    }
}

/// The sample asked for, from the form's or the API's text.
fn sample_choice(
    method: &str,
    size: &str,
    seed: &str,
    clock_seed: u64,
) -> Result<SampleChoice, AppError> {
    let size = size.trim().parse::<usize>().map_err(|_| {
        AppError::invalid("size", format!("cỡ mẫu «{}» không phải là số", size.trim()))
    })?;
    let seed = match seed.trim() {
        "" => None,
        s => Some(s.parse::<u64>().map_err(|_| {
            AppError::invalid(
                "seed",
                format!("hạt giống «{s}» không phải là số nguyên dương"),
            )
        })?),
    };
    SampleChoice::from_parts(method, size, seed, clock_seed)
}

/// A required date given as `dd/mm/yyyy` (or ISO).
fn required_date(s: &str, field: &str) -> Result<chrono::NaiveDate, AppError> {
    crate::tasks::optional_date(s, field)?
        .ok_or_else(|| AppError::invalid(field, "cần ghi ngày (dd/mm/yyyy)"))
}
