use thiserror::Error;

/// What can go wrong in the store. Database details stay in the `Database` variant, which
/// the web layer logs and never shows.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "cơ sở dữ liệu ở phiên bản lược đồ {found}, mới hơn phiên bản {known} mà chương trình này biết; \
         hãy dùng bản giamngheo mới hơn (the database schema {found} is newer than this binary's {known})"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("{0}")]
    Conflict(String),
    /// A save named a version that is no longer the current one: someone else saved in
    /// between. Nothing was written.
    #[error(
        "{0} đã được người khác sửa sau khi bạn mở; hãy tải lại trang để xem bản mới rồi sửa lại (không có gì bị ghi đè)"
    )]
    Stale(String),
    #[error("không tìm thấy {0}")]
    NotFound(String),
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Database(#[from] sqlx::Error),
    #[error("lỗi chuyển đổi lược đồ: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Turns a unique-constraint violation into a conflict the user can act on.
    pub(crate) fn unique_as_conflict(e: sqlx::Error, message: impl Into<String>) -> StoreError {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(message.into())
            }
            _ => StoreError::Database(e),
        }
    }
}
