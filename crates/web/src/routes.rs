//! A router that remembers the paths it serves.
//!
//! axum's `Router` cannot list its routes, yet the access-matrix test must walk every
//! route the server has, so that a new route cannot ship without being tried by every
//! role against another area's data. Every module builds its routes with [`Routes`]
//! instead of `Router` directly; the recorded paths are what [`crate::route_paths`]
//! returns. The methods of each path are not recorded: the test asks the router itself
//! (a 405 answer names the allowed methods), so the list cannot drift from what is served.

use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, Route};
use giamngheo_app::App;
use std::convert::Infallible;
use tower::{Layer, Service};

/// Routes and the paths they were registered under.
#[derive(Default)]
pub(crate) struct Routes {
    router: Router<App>,
    paths: Vec<String>,
}

impl Routes {
    pub(crate) fn new() -> Routes {
        Routes::default()
    }

    /// Adds a route, exactly as [`Router::route`] does.
    pub(crate) fn route(mut self, path: &str, method_router: MethodRouter<App>) -> Routes {
        self.router = self.router.route(path, method_router);
        self.paths.push(path.to_string());
        self
    }

    /// Adds another module's routes, as [`Router::merge`] does.
    pub(crate) fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// Serves another module's routes under a prefix, as [`Router::nest`] does.
    pub(crate) fn nest(mut self, prefix: &str, other: Routes) -> Routes {
        self.router = self.router.nest(prefix, other.router);
        self.paths
            .extend(other.paths.into_iter().map(|p| format!("{prefix}{p}")));
        self
    }

    /// Wraps the routes added so far in a layer, as [`Router::layer`] does. No module
    /// wraps its own routes today (the language cookie is kept for every page, in
    /// `router_with`), but a module's own middleware belongs here, on its routes alone.
    #[allow(dead_code)]
    pub(crate) fn layer<L>(mut self, layer: L) -> Routes
    where
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        self.router = self.router.layer(layer);
        self
    }

    pub(crate) fn into_parts(self) -> (Router<App>, Vec<String>) {
        (self.router, self.paths)
    }
}
