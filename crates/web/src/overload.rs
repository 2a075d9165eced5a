//! What the server does with more requests than it can serve: they wait briefly for a
//! free place, and those that find none in time are shed with 503 and `Retry-After`,
//! never 500.
//!
//! Two things can run out. The number of requests being worked on at once is bounded
//! here ([`Capacity`]): a request waits at most [`Capacity::queue_wait`] for a place.
//! Behind it, the database pool gives a connection within its own wait or the store
//! answers [`giamngheo_app::AppError::Overloaded`]; the error pages turn that into the
//! same 503. Both are counted in one counter and logged under the `overload` target
//! with the cause and the running total only: the path and the query can hold names
//! and citizen IDs (a search), so they are never logged here.

use crate::i18n::Lang;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use giamngheo_app::{AppError, OVERLOAD_RETRY_AFTER_SECS};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Requests shed since the server started, over every cause.
static SHED: AtomicU64 = AtomicU64::new(0);

/// Counts one shed request and logs it apart from errors, without personal data.
pub(crate) fn count_shed(cause: &'static str) {
    let total = SHED.fetch_add(1, Ordering::Relaxed) + 1;
    tracing::warn!(target: "overload", cause, shed_total = total, "request shed with 503");
}

/// Requests shed since the server started (for tests and the operator's eyes).
pub fn shed_total() -> u64 {
    SHED.load(Ordering::Relaxed)
}

/// How many requests are worked on at once and how long one waits for a place.
#[derive(Debug, Clone)]
pub struct Capacity {
    places: Arc<Semaphore>,
    pub queue_wait: Duration,
}

impl Capacity {
    pub fn new(concurrent: usize, queue_wait: Duration) -> Capacity {
        Capacity {
            places: Arc::new(Semaphore::new(concurrent.max(1))),
            queue_wait,
        }
    }
}

impl Default for Capacity {
    /// Twice the PostgreSQL pool: enough that the pool stays busy while pages render,
    /// few enough that a request admitted gets a connection well within the pool's wait.
    fn default() -> Capacity {
        Capacity::new(32, Duration::from_secs(2))
    }
}

/// The health check and the static files need no database and stay answered under
/// load, so that a load balancer does not take an overloaded server for a dead one.
fn exempt(path: &str) -> bool {
    path == "/healthz" || path.starts_with("/assets/") || path == "/favicon.ico"
}

/// The middleware: waits for a place, or sheds the request.
pub(crate) async fn limit(State(capacity): State<Capacity>, req: Request, next: Next) -> Response {
    if exempt(req.uri().path()) {
        return next.run(req).await;
    }
    let place = tokio::time::timeout(capacity.queue_wait, capacity.places.clone().acquire_owned());
    match place.await {
        Ok(Ok(permit)) => {
            let response = next.run(req).await;
            drop(permit);
            response
        }
        // A timeout, or a closed semaphore (never closed here): shed either way.
        _ => {
            count_shed("concurrency limit");
            shed(req).await
        }
    }
}

/// The 503 answer, as a page or as the API's JSON envelope.
async fn shed(req: Request) -> Response {
    let (mut parts, _) = req.into_parts();
    let lang = match Lang::from_request_parts(&mut parts, &()).await {
        Ok(l) => l,
        Err(never) => match never {},
    };
    let mut response = if parts.uri.path().starts_with("/api/") {
        crate::error::api_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            AppError::Overloaded {
                retry_after_secs: OVERLOAD_RETRY_AFTER_SECS,
            }
            .to_string(),
            None,
        )
    } else {
        crate::error::page(
            StatusCode::SERVICE_UNAVAILABLE,
            lang,
            lang.t().overloaded.to_string(),
        )
    };
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(OVERLOAD_RETRY_AFTER_SECS),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    fn site(capacity: Capacity) -> Router {
        Router::new()
            .route("/households", get(|| async { "danh sách" }))
            .route("/api/v1/households", get(|| async { "[]" }))
            .route("/healthz", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(capacity, limit))
    }

    async fn get_path(router: &Router, path: &str) -> (StatusCode, Option<String>, String) {
        let response = router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let retry = response
            .headers()
            .get(axum::http::header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_string());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, retry, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn an_exhausted_database_pool_is_503_with_retry_after_not_500() {
        use axum::response::IntoResponse;
        let overloaded = || AppError::Overloaded {
            retry_after_secs: OVERLOAD_RETRY_AFTER_SECS,
        };
        let before = shed_total();
        let page = crate::error::HtmlError {
            lang: Lang::Vi,
            error: overloaded(),
        }
        .into_response();
        assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(page.headers()[axum::http::header::RETRY_AFTER], "2");
        let body = page.into_body().collect().await.unwrap().to_bytes();
        assert!(String::from_utf8_lossy(&body).contains("Máy chủ đang quá tải"));
        let api = crate::error::ApiError(overloaded()).into_response();
        assert_eq!(api.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(api.headers()[axum::http::header::RETRY_AFTER], "2");
        let body = api.into_body().collect().await.unwrap().to_bytes();
        assert!(String::from_utf8_lossy(&body).contains("\"code\":\"overloaded\""));
        assert!(shed_total() >= before + 2);
    }

    #[tokio::test]
    async fn a_request_beyond_capacity_waits_then_is_shed_with_503() {
        let capacity = Capacity::new(1, Duration::from_millis(50));
        let router = site(capacity.clone());
        // With a place free, the request is served.
        assert_eq!(get_path(&router, "/households").await.0, StatusCode::OK);

        // With the only place taken, the request waits its 50 ms and is shed.
        let taken = capacity.places.clone().acquire_owned().await.unwrap();
        let before = shed_total();
        let (status, retry, body) = get_path(&router, "/households").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry.as_deref(), Some("2"));
        assert!(body.contains("Máy chủ đang quá tải"), "{body}");
        let (status, retry, body) = get_path(&router, "/api/v1/households").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry.as_deref(), Some("2"));
        assert!(body.contains("\"code\":\"overloaded\""), "{body}");
        assert!(shed_total() >= before + 2);
        // The health check is never shed.
        assert_eq!(get_path(&router, "/healthz").await.0, StatusCode::OK);

        // A request that queues gets the place as soon as it is given back.
        let waiting = tokio::spawn({
            let router = router.clone();
            async move { get_path(&router, "/households").await.0 }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(taken);
        assert_eq!(waiting.await.unwrap(), StatusCode::OK);
    }
}
