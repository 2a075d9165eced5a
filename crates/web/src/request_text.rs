//! Control characters in request text. No address of the site, and no field a browser
//! sends from a one-line input, holds a line break, a NUL or another control character;
//! one that does would end up in a header (an invalid header value answers 500) or
//! reach PostgreSQL, which refuses NUL in text with an error. Such requests are refused
//! at once with 400, naming the parameter; nothing is read or written.

use crate::error;
use crate::i18n::Lang;
use axum::extract::{FromRequestParts, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

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

/// Refuses a request whose path or query holds a control character.
pub(crate) async fn refuse_controls(req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = match Lang::from_request_parts(&mut parts, &()).await {
        Ok(l) => l,
        Err(never) => match never {},
    };
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
