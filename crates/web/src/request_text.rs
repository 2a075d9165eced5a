//! Control characters in request text. No address of the site, and no field a browser
//! sends from a one-line input, holds a line break, a NUL or another control character;
//! one that does would end up in a header (an invalid header value answers 500) or
//! reach PostgreSQL, which refuses NUL in text with an error. Such requests are refused
//! at once with 400, naming the parameter; nothing is read or written.

use crate::error;
use crate::i18n::Lang;
use crate::upload;
use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// ASCII control characters (C0 and DEL); UTF-8 never uses these bytes inside another
/// character, so the decoded bytes can be checked one by one.
pub fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7F
}

/// The name of the first parameter of a query string or urlencoded form whose decoded
/// name or value holds a byte `refused` refuses.
pub fn refused_parameter(encoded: &[u8], refused: impl Fn(u8) -> bool) -> Option<String> {
    encoded.split(|&b| b == b'&').find_map(|pair| {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        let name = decode(name);
        (name.iter().any(|&b| refused(b)) || decode(value).iter().any(|&b| refused(b)))
            .then(|| shown(&name))
    })
}

/// Percent-decoding as browsers encode forms (`+` is a space); a `%` not followed by
/// two hex digits is kept as it is.
fn decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex(s.get(i + 1)), hex(s.get(i + 2))) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex(b: Option<&u8>) -> Option<u8> {
    (*b? as char).to_digit(16).map(|d| d as u8)
}

/// A parameter's name as a message may show it: its control characters as `?`, at most
/// 40 characters.
fn shown(name: &[u8]) -> String {
    String::from_utf8_lossy(name)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(40)
        .collect()
}

/// The 400 answer naming the parameter.
pub fn refusal(api: bool, lang: Lang, parameter: &str) -> Response {
    let message = |lang| match lang {
        Lang::Vi => format!(
            "Tham số «{parameter}» chứa ký tự điều khiển (xuống dòng, NUL…); hãy bỏ chúng rồi thử lại."
        ),
        Lang::En => format!(
            "The parameter «{parameter}» holds control characters (line breaks, NUL…); remove them and try again."
        ),
    };
    if api {
        error::api_response(
            StatusCode::BAD_REQUEST,
            "invalid",
            message(Lang::Vi),
            Some(parameter),
        )
    } else {
        error::page(StatusCode::BAD_REQUEST, lang, message(lang))
    }
}

async fn lang_of(parts: &mut axum::http::request::Parts) -> Lang {
    match Lang::from_request_parts(parts, &()).await {
        Ok(l) => l,
        Err(never) => match never {},
    }
}

/// Refuses a request whose path or query holds a control character.
pub(crate) async fn refuse_controls(req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = lang_of(&mut parts).await;
    let refused = if decode(parts.uri.path().as_bytes())
        .into_iter()
        .any(is_control)
    {
        Some(match lang {
            Lang::Vi => "đường dẫn".to_string(),
            Lang::En => "path".to_string(),
        })
    } else {
        parts
            .uri
            .query()
            .and_then(|q| refused_parameter(q.as_bytes(), is_control))
    };
    match refused {
        Some(parameter) => refusal(parts.uri.path().starts_with("/api/"), lang, &parameter),
        None => next.run(Request::from_parts(parts, body)).await,
    }
}

/// Refuses a JSON body with a NUL in its text (`\u0000`), naming the field, before the
/// handler reads it. The body is read once here, under the route's limit, and handed on.
pub(crate) async fn refuse_nul_in_json(req: Request, next: Next) -> Response {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    if !json || matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let lang = lang_of(&mut parts).await;
    let api = parts.uri.path().starts_with("/api/");
    let limit = upload::limit_for(parts.extensions.get::<MatchedPath>().map(|m| m.as_str()));
    let bytes = match upload::read(body, limit.body).await {
        Ok(b) => b,
        Err(upload::Unread::TooLarge) => return upload::too_large(api, lang, limit.shown),
        Err(upload::Unread::Broken) => return StatusCode::BAD_REQUEST.into_response(),
    };
    if let Some(field) = json_nul_field(&bytes) {
        return refusal(api, lang, &field);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Where a JSON document holds a NUL: `members[0].full_name`, or `body` for a key or
/// the whole document. The document is parsed only when its text has the escape; one
/// that does not parse is left to the handler, which refuses it as bad JSON.
fn json_nul_field(bytes: &[u8]) -> Option<String> {
    if !has_nul_escape(bytes) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    nul_path(&value, "").map(|p| if p.is_empty() { "body".into() } else { p })
}

/// Whether the text has `\u0000` as an escape (not after an escaped backslash).
fn has_nul_escape(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1..].starts_with(b"u0000") {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

fn nul_path(v: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::String(s) if s.contains('\0') => Some(at.to_string()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_path(x, &format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            let here = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            if k.contains('\0') {
                Some(shown(at.as_bytes()))
            } else {
                nul_path(x, &here).map(|p| shown(p.as_bytes()))
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_parameter_with_a_control_character_is_named() {
        let q = b"unit=18499&q=Nguy%E1%BB%85n+V%C4%83n&as_of=01%2F01%2F2022%0D%0A&x=%00";
        assert_eq!(refused_parameter(q, is_control).as_deref(), Some("as_of"));
        assert_eq!(
            refused_parameter(b"unit=18499&q=Nguy%E1%BB%85n+V%C4%83n&p=100%", is_control),
            None
        );
        assert_eq!(
            refused_parameter(b"a%0Ab=1", is_control).as_deref(),
            Some("a?b")
        );
        assert_eq!(decode(b"%4"), b"%4");
        assert_eq!(
            json_nul_field(br#"{"a": [1, {"b": "x\u0000"}]}"#).as_deref(),
            Some("a[1].b")
        );
        assert_eq!(json_nul_field(br#"{"a": "\\u0000"}"#), None);
        assert_eq!(json_nul_field(br#""\u0000""#).as_deref(), Some("body"));
        assert_eq!(decode(b"%%41%zz"), b"%A%zz");
        // A form's text area may hold line breaks, never a NUL.
        let form = b"csrf=abc&notes=d%C3%B2ng+1%0D%0Ad%C3%B2ng+2";
        assert_eq!(refused_parameter(form, |b| b == 0), None);
        assert_eq!(
            refused_parameter(b"notes=a%00b", |b| b == 0).as_deref(),
            Some("notes")
        );
    }
}
