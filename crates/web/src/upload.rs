//! Uploads over HTTP: how large a request body each route takes, the answer when a body
//! is larger, and how a kept file is served back. What a file is, is decided by its
//! bytes in the app layer ([`giamngheo_app::files`]); this module asks it again before
//! serving, so a file stored before that check existed is never shown as a page.

use crate::error;
use crate::i18n::Lang;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use giamngheo_app::files::{self, FileKind};

/// Room for the form fields and multipart boundaries around a file, on top of the
/// file's own limit: the app then refuses a file just over its limit with the same
/// message, and anything larger is cut off before it is read.
const FORM_OVERHEAD: usize = 64 * 1024;

/// Largest body of any other request (forms, JSON): axum's default, which every form of
/// the product fits in many times over.
pub const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// The largest file each upload route takes, by its route pattern. The CSRF check reads
/// the body under the same limit as the handler, so a file under its limit always
/// reaches the handler.
const FILE_LIMITS: &[(&str, usize)] = &[
    // A district's register (≈ 28 MB as CSV) in one file.
    (
        "/households/import",
        giamngheo_sheets::households::MAX_FILE_BYTES,
    ),
    (
        "/reviews/{id}/meetings",
        giamngheo_app::reviews::MAX_MINUTES_BYTES,
    ),
    (
        "/dashboard/boundaries",
        giamngheo_app::dashboard::MAX_BOUNDARY_BYTES,
    ),
    ("/units/{code}/villages/import", crate::html::MAX_UPLOAD),
    // Several attachments in one report; each is checked against its own limit.
    (
        "/tasks/{id}/updates",
        giamngheo_app::tasks::MAX_ATTACHMENT_BYTES * giamngheo_app::tasks::MAX_ATTACHMENTS,
    ),
    // An agency's list: a province's card list in one file.
    ("/benefits/import", crate::policies::imports::MAX_LIST_BYTES),
    // An activity's list of beneficiaries, on the page and through the API.
    (
        "/programme/activities/{id}/beneficiaries/import",
        crate::policies::imports::MAX_LIST_BYTES,
    ),
    (
        "/api/v1/programme/activities/{id}/beneficiaries/import",
        crate::policies::imports::MAX_LIST_BYTES,
    ),
    (
        "/reviews/{id}/submissions",
        giamngheo_app::survey::import::MAX_EXPORT_BYTES,
    ),
];

/// How much a route may receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The largest body read.
    pub body: usize,
    /// The limit told to the user: the file's, or the whole body's for a plain form.
    pub shown: usize,
}

/// The limit of the route matched by `pattern` (axum's `MatchedPath`, `None` when no
/// route matched).
pub fn limit_for(pattern: Option<&str>) -> Limit {
    FILE_LIMITS
        .iter()
        .find(|(p, _)| Some(*p) == pattern)
        .map(|&(_, file)| Limit {
            body: file + FORM_OVERHEAD,
            shown: file,
        })
        .unwrap_or(Limit {
            body: FORM_LIMIT,
            shown: FORM_LIMIT,
        })
}

/// Why a body could not be read.
pub enum Unread {
    /// Over the route's limit.
    TooLarge,
    /// The client broke off or sent something that is no body.
    Broken,
}

/// Reads a whole body, up to `limit` bytes.
pub async fn read(body: Body, limit: usize) -> Result<Bytes, Unread> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
        {
            Unread::TooLarge
        } else {
            Unread::Broken
        }
    })
}

/// "File too large (at most … MB)".
pub fn too_large_message(lang: Lang, limit: usize) -> String {
    let mb = files::megabytes(limit);
    match lang {
        Lang::Vi => format!("Tệp quá lớn (tối đa {mb} MB)"),
        Lang::En => format!("File too large (at most {mb} MB)"),
    }
}

/// The 413 answer to a body over its route's limit: a page, or the JSON error.
pub fn too_large(api: bool, lang: Lang, limit: usize) -> Response {
    if api {
        error::api_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            too_large_message(Lang::Vi, limit),
            Some("file"),
        )
    } else {
        error::page(
            StatusCode::PAYLOAD_TOO_LARGE,
            lang,
            too_large_message(lang, limit),
        )
    }
}

/// A kept file as a download. Its kind is sniffed again from the bytes: a JPEG or PNG
/// is shown in the browser, under a policy that lets nothing in it run; a PDF, and
/// anything that is none of the kinds kept, is saved, never shown.
pub fn serve(name: &str, bytes: Vec<u8>) -> Response {
    let kind = files::sniff(&bytes).filter(|k| files::ATTACHMENTS.contains(k));
    let media_type = kind.map_or("application/octet-stream", FileKind::media_type);
    let stem = ascii_stem(name);
    let filename = match kind {
        Some(k) => format!("{stem}.{}", k.extension()),
        None => format!("{stem}.bin"),
    };
    let disposition = if kind.is_some_and(FileKind::shown_inline) {
        "inline"
    } else {
        "attachment"
    };
    let disposition = HeaderValue::from_str(&format!("{disposition}; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // Replaces the site's policy for this answer: a file opened in the
            // browser is a document of its own origin that may run, load or frame
            // nothing.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(FILE_POLICY),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The policy of a served file: a sandbox (no script, no forms, an opaque origin) that
/// loads nothing; the browser's own image viewer keeps its inline styles.
pub const FILE_POLICY: &str = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'";

/// The file name without its extension, without diacritics and in the letters, digits,
/// `-` and `_` every browser keeps as given; the extension is the sniffed kind's.
fn ascii_stem(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let safe: String = giamngheo_domain::text::fold(stem)
        .chars()
        .map(|c| if c == ' ' { '-' } else { c })
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .take(80)
        .collect();
    if safe.is_empty() {
        "bien-ban".into()
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_routes_take_their_files_and_other_routes_a_form() {
        let import = limit_for(Some("/households/import"));
        assert_eq!(import.shown, 50 * 1024 * 1024);
        assert!(import.body > import.shown);
        assert_eq!(limit_for(Some("/households/{id}")).body, FORM_LIMIT);
        assert_eq!(limit_for(None).body, FORM_LIMIT);
    }

    #[test]
    fn the_message_tells_the_limit_in_megabytes() {
        assert_eq!(
            too_large_message(Lang::Vi, 50 * 1024 * 1024),
            "Tệp quá lớn (tối đa 50 MB)"
        );
        assert_eq!(
            too_large_message(Lang::En, 8 * 1024 * 1024),
            "File too large (at most 8 MB)"
        );
    }

    #[test]
    fn a_served_name_keeps_only_safe_letters() {
        assert_eq!(ascii_stem("Biên bản họp.svg"), "bien-ban-hop");
        assert_eq!(ascii_stem("\"\r\n.png"), "bien-ban");
        assert_eq!(ascii_stem("bien-ban_01.pdf"), "bien-ban_01");
    }
}
