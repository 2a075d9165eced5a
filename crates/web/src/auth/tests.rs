use super::*;

#[test]
fn only_local_paths_are_followed_after_signing_in() {
    assert_eq!(safe_next(Some("/units/42?x=1")), "/units/42?x=1");
    assert_eq!(safe_next(Some("//evil.example")), "/");
    assert_eq!(safe_next(Some("/\\evil.example")), "/");
    assert_eq!(safe_next(Some("https://evil.example")), "/");
    assert_eq!(safe_next(None), "/");
}

#[test]
fn forwarded_addresses_count_only_from_trusted_proxies() {
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    let proxy = [ip("10.0.0.5")];
    // No trusted proxy: the header is ignored, even from the same machine.
    assert_eq!(
        client_address(ip("127.0.0.1"), "203.0.113.9", &[]),
        ip("127.0.0.1")
    );
    // An untrusted peer cannot choose its address.
    assert_eq!(
        client_address(ip("198.51.100.7"), "203.0.113.9", &proxy),
        ip("198.51.100.7")
    );
    // The proxy's word is taken; what the client itself wrote before it is not.
    assert_eq!(
        client_address(ip("10.0.0.5"), "1.2.3.4, 203.0.113.9", &proxy),
        ip("203.0.113.9")
    );
    assert_eq!(
        client_address(ip("::ffff:10.0.0.5"), "203.0.113.9", &proxy),
        ip("203.0.113.9")
    );
    assert_eq!(
        client_address(ip("10.0.0.5"), "nonsense", &proxy),
        ip("10.0.0.5")
    );
    assert_eq!(client_address(ip("10.0.0.5"), "", &proxy), ip("10.0.0.5"));
}

#[test]
fn the_way_back_is_percent_encoded() {
    assert_eq!(encode_component("/search?q=a b"), "/search%3Fq%3Da%20b");
}

#[test]
fn cookies_and_bearer_tokens_are_read() {
    let mut h = HeaderMap::new();
    h.insert(
        header::COOKIE,
        HeaderValue::from_static("lang=en; gn_session=abc"),
    );
    h.insert(
        header::AUTHORIZATION,
        HeaderValue::from_static("bearer xyz"),
    );
    assert_eq!(cookie(&h, "gn_session").as_deref(), Some("abc"));
    assert_eq!(cookie(&h, "gn_login"), None);
    assert_eq!(bearer(&h).as_deref(), Some("xyz"));
}
