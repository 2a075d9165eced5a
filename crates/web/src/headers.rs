//! Response headers: the security headers every answer carries, and the one way a
//! value from the request goes into a `Location` header.

use crate::auth::WebOptions;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

/// The header a reverse proxy names the client's scheme in (`https`).
pub(crate) const X_FORWARDED_PROTO: &str = "x-forwarded-proto";

/// The site's policy: scripts, styles and images from the site itself only (no inline
/// script or style, which is how injected markup would run), no plugins, forms posted
/// only here, and no other site may frame a page (clickjacking).
pub const SITE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How long a browser keeps to HTTPS once it has seen the site over HTTPS: a year, the
/// usual value (RFC 6797 leaves it to the site).
const HSTS: &str = "max-age=31536000";

/// The assets (the stylesheets, scripts and icon built into the binary) hold no
/// personal data and may be cached; every other answer (pages, API answers, files)
/// may, and is never stored by a browser or a proxy.
fn cacheable(path: &str) -> bool {
    path.starts_with("/assets/") || path == "/favicon.ico"
}

/// Adds the security headers to every answer. A header the handler set is kept: a
/// served upload has its own, stricter policy.
///
/// `X-Forwarded-Proto` is dropped here unless the peer is a configured trusted proxy:
/// whether the session cookie is marked `Secure` follows that header, and a client that
/// sets it itself must not decide how its cookies are sent.
pub(crate) async fn secure(
    State(options): State<WebOptions>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical());
    if !peer.is_some_and(|p| options.trusted_proxies.contains(&p)) {
        req.headers_mut().remove(X_FORWARDED_PROTO);
    }
    let cacheable = cacheable(req.uri().path());
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    keep_or_set(h, header::CONTENT_SECURITY_POLICY, SITE_POLICY);
    keep_or_set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    keep_or_set(h, header::X_FRAME_OPTIONS, "DENY");
    keep_or_set(h, header::REFERRER_POLICY, "same-origin");
    if options.secure_cookies {
        keep_or_set(h, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    if !cacheable {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn keep_or_set(h: &mut HeaderMap, name: header::HeaderName, value: &'static str) {
    h.entry(name)
        .or_insert_with(|| HeaderValue::from_static(value));
}

/// A 303 redirect to a path of this site built with request text (a unit code, a
/// village): control characters, spaces and anything outside ASCII are
/// percent-encoded, so that no request value can end the header or make it invalid
/// (which would answer 500), and the page at the other end sees the value as sent.
pub fn see_other(target: &str) -> Response {
    let mut safe = String::with_capacity(target.len());
    for c in target.chars() {
        if c.is_ascii_graphic() {
            safe.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                safe.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Redirect::to(&safe).into_response()
}

/// Percent-encodes request text for one path segment or query value: everything but
/// letters, digits and `-._~`.
pub fn component(s: &str) -> String {
    percent_encode(s, b"-._~")
}

/// Percent-encodes every byte but ASCII letters, digits and those in `keep`: the one
/// encoder behind query components here and the sign-in page's way back (which keeps `/`).
pub(crate) fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_never_carries_a_line_break() {
        let r = see_other("/dashboard?unit=444\r\nSet-Cookie: x=1&uploaded=2");
        assert_eq!(
            r.headers()[header::LOCATION],
            "/dashboard?unit=444%0D%0ASet-Cookie:%20x=1&uploaded=2"
        );
        assert_eq!(component("18499\r\n&x=1"), "18499%0D%0A%26x%3D1");
        let r = see_other("/units/Xã?created=1");
        assert_eq!(r.headers()[header::LOCATION], "/units/X%C3%A3?created=1");
    }
}
