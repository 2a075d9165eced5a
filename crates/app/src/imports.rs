//! How many file imports run at once.
//!
//! Reading a large register takes seconds of processor time and, while it is read, memory
//! in proportion to the file. The server has few cores and serves pages while an import
//! runs, so imports read their files on tokio's blocking threads (never on the threads
//! that answer requests) and at most [`MAX_CONCURRENT_IMPORTS`] of them run at once.
//!
//! A further import is refused at once with [`AppError::Busy`] rather than queued: a
//! queued upload would hold its file (up to 50 MB) in memory while it waits, which is
//! what the bound is there to prevent, and the person is told to try again in a minute.

use crate::{App, AppError};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Imports that may read and write at the same time, in one server process.
pub const MAX_CONCURRENT_IMPORTS: usize = 2;

/// The seconds a refused import is told to wait, as `Retry-After`.
pub const RETRY_AFTER_SECS: u64 = 60;

/// The shared count of running imports.
pub(crate) fn slots() -> Arc<Semaphore> {
    Arc::new(Semaphore::new(MAX_CONCURRENT_IMPORTS))
}

/// A running import's place; the place is free again when this is dropped.
#[derive(Debug)]
pub struct ImportSlot {
    _permit: OwnedSemaphorePermit,
}

impl App {
    /// Takes one of the import places, or says that all are taken.
    pub fn import_slot(&self) -> Result<ImportSlot, AppError> {
        self.imports
            .clone()
            .try_acquire_owned()
            .map(|permit| ImportSlot { _permit: permit })
            .map_err(|_| AppError::Busy {
                message: format!(
                    "máy chủ đang nhập {MAX_CONCURRENT_IMPORTS} tệp khác; \
                     hãy thử lại sau khoảng một phút, tệp này chưa được ghi gì"
                ),
                retry_after_secs: RETRY_AFTER_SECS,
            })
    }
}

/// Runs `read` on a blocking thread, so that reading a large file does not stall the
/// threads that answer requests. A panic in `read` is carried on to the caller, as if it
/// had run in place.
pub(crate) async fn off_the_async_threads<T, F>(read: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(read).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
