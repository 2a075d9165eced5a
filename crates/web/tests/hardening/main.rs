//! Hardening of the web layer: uploads checked by their bytes and served so that
//! nothing in them runs, body limits per upload route told as "file too large", the
//! security headers of every answer, and request text with control characters that
//! never reaches a response header or the database.

#[path = "../support/mod.rs"]
mod common;
mod headers;
mod imports;
mod integrity;
mod support;
mod uploads;
