//! The request log names the path but not the query string, in a test binary of its own.
//!
//! The test installs a subscriber for its own thread only. tracing caches, per call site,
//! whether anyone listens; with other tests running on other threads of the same process
//! at the same moment, the request span's call site could be cached as unheard and the
//! test then saw no log at all. Alone in its process it sees every line.

#[path = "support/mod.rs"]
mod common;
#[path = "hardening/logs.rs"]
mod logs;
#[allow(dead_code)]
#[path = "hardening/support.rs"]
mod support;
