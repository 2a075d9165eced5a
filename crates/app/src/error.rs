use giamngheo_sheets::SheetErrors;
use giamngheo_store::StoreError;
use thiserror::Error;

/// What a use case can answer instead of a result. The web layer renders each variant as
/// a page or a JSON body with the matching HTTP status.
#[derive(Debug, Error)]
pub enum AppError {
    /// The thing does not exist, or the user may not know that it exists.
    #[error("không tìm thấy {0}")]
    NotFound(String),
    /// The user's role does not allow the action (inside the user's own area; outside it
    /// the answer is `NotFound`).
    #[error("không có quyền: {0}")]
    Forbidden(String),
    /// One input field is wrong.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// A file was refused; nothing was written.
    #[error("{0}")]
    File(SheetErrors),
    /// The unit (or thing) existed but is no longer valid on the day asked about; the
    /// message says since when and what replaced it.
    #[error("{0}")]
    Gone(String),
    /// The change collides with existing data.
    #[error("{0}")]
    Conflict(String),
    /// No valid sign-in: a wrong username or password, or an expired session.
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many failed sign-ins; the message says when to try again.
    #[error("{message}")]
    TooManyAttempts {
        message: String,
        retry_after_secs: u64,
    },
    /// The server is doing as much of this work as it allows at once (imports); nothing
    /// was done and the message says to try again.
    #[error("{message}")]
    Busy {
        message: String,
        retry_after_secs: u64,
    },
    /// The database could not give a connection in time: more requests arrived than the
    /// server can serve. Nothing was done; the request may be sent again.
    #[error("máy chủ đang quá tải; hãy thử lại sau {retry_after_secs} giây")]
    Overloaded { retry_after_secs: u64 },
    #[error(transparent)]
    Store(StoreError),
}

/// The seconds an overloaded server asks a client to wait: long enough for a burst to
/// drain, short enough that a person retrying does not notice much.
pub const OVERLOAD_RETRY_AFTER_SECS: u64 = 2;

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Duplicate(key) => AppError::Conflict(key.message().to_string()),
            StoreError::NotFound(m) => AppError::NotFound(m),
            e @ StoreError::Stale(_) => AppError::Conflict(e.to_string()),
            StoreError::Overloaded => AppError::Overloaded {
                retry_after_secs: OVERLOAD_RETRY_AFTER_SECS,
            },
            other => AppError::Store(other),
        }
    }
}

impl From<SheetErrors> for AppError {
    fn from(e: SheetErrors) -> AppError {
        AppError::File(e)
    }
}
