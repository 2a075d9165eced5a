//! The request log names the path but not the query string, where searches carry names
//! and citizen IDs.

use super::support::*;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Everything the subscriber writes, for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_search_query_never_reaches_the_log() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The test runs on one thread, so the default subscriber sees the whole request.
    let _guard = tracing::subscriber::set_default(subscriber);
    let site = site().await;
    let (session, _) = sign_in(&site, OFFICER).await;
    for uri in [
        "/households?q=Nguy%E1%BB%85n%20V%C4%83n%20B%C3%ACnh",
        "/households?q=042070000001",
        "/api/v1/households?unit=18499&q=Bình",
    ] {
        send(&site, get(uri, Some(&session))).await;
    }
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("path=/households"),
        "the path is logged:\n{log}"
    );
    for secret in ["q=", "Nguy", "042070000001", "Bình", "B%C3%ACnh"] {
        assert!(!log.contains(secret), "{secret:?} in the log:\n{log}");
    }
    site.db.finish().await;
}
