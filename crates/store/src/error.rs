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
    /// A unique index refused a row another writer saved first (the checks before the
    /// write did not see it yet). Nothing was written.
    #[error("{}", .0.message())]
    Duplicate(UniqueKey),
    /// A save named a version that is no longer the current one: someone else saved in
    /// between. Nothing was written.
    #[error(
        "{0} đã được người khác sửa sau khi bạn mở; hãy tải lại trang để xem bản mới rồi sửa lại (không có gì bị ghi đè)"
    )]
    Stale(String),
    #[error("không tìm thấy {0}")]
    NotFound(String),
    /// No database connection came free within the pool's wait: the server is doing as
    /// much as it can. Nothing was read or written; the request may be tried again.
    #[error("máy chủ đang quá tải, chưa lấy được kết nối cơ sở dữ liệu")]
    Overloaded,
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Database(sqlx::Error),
    #[error("lỗi chuyển đổi lược đồ: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// What a unique index keeps single. Each index of the schema is named here once, with
/// the words a user is told, so that no violation reaches the user as a database error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueKey {
    CitizenId,
    HouseholdCode,
    Username,
    CertificateNumber,
    Target,
    ReviewHousehold,
    /// A unique index not listed in [`UNIQUE_INDEXES`] (a bug to fix there).
    Other,
}

/// Each unique index by its PostgreSQL name and by the columns SQLite names in its
/// message (`UNIQUE constraint failed: members.citizen_id`).
const UNIQUE_INDEXES: &[(&str, &str, UniqueKey)] = &[
    (
        "members_citizen_id",
        "members.citizen_id",
        UniqueKey::CitizenId,
    ),
    (
        "households_commune_code_code_key",
        "households.commune_code, households.code",
        UniqueKey::HouseholdCode,
    ),
    ("users_username_key", "users.username", UniqueKey::Username),
    (
        "classifications_certificate",
        "classifications.province_code, classifications.commune_code, classifications.period, classifications.certificate_number",
        UniqueKey::CertificateNumber,
    ),
    (
        "targets_unit_code_year_indicator_key",
        "targets.unit_code, targets.year, targets.indicator",
        UniqueKey::Target,
    ),
    // The claims that make three of the keys above hold across home provinces
    // (migration 0091, crates/store/src/claims.rs).
    (
        "citizen_id_claims_pkey",
        "citizen_id_claims.citizen_id",
        UniqueKey::CitizenId,
    ),
    (
        "household_code_claims_pkey",
        "household_code_claims.commune_code, household_code_claims.code",
        UniqueKey::HouseholdCode,
    ),
    (
        "certificate_claims_pkey",
        "certificate_claims.commune_code, certificate_claims.province_code, certificate_claims.period, certificate_claims.certificate_number",
        UniqueKey::CertificateNumber,
    ),
    (
        "review_households_review_id_household_id_key",
        "review_households.review_id, review_households.household_id",
        UniqueKey::ReviewHousehold,
    ),
];

impl UniqueKey {
    /// The unique index a database error reports as violated, if it is one.
    fn of(e: &sqlx::Error) -> Option<UniqueKey> {
        let sqlx::Error::Database(db) = e else {
            return None;
        };
        if !db.is_unique_violation() {
            return None;
        }
        let sqlite_columns = db
            .message()
            .strip_prefix("UNIQUE constraint failed: ")
            .unwrap_or_default();
        Some(
            UNIQUE_INDEXES
                .iter()
                .find(|(name, columns, _)| {
                    constraint_name(db.as_ref()) == Some(*name) || sqlite_columns == *columns
                })
                .map(|(_, _, key)| *key)
                .unwrap_or(UniqueKey::Other),
        )
    }

    pub fn message(self) -> &'static str {
        match self {
            UniqueKey::CitizenId => "số CCCD này vừa được đăng ký cho người khác",
            UniqueKey::HouseholdCode => "mã hộ đã có trong xã",
            UniqueKey::Username => "tên đăng nhập này đã có người dùng",
            UniqueKey::CertificateNumber => {
                "số giấy chứng nhận này đã được cấp trong xã và năm này; hãy thử lại"
            }
            UniqueKey::Target => "chỉ tiêu này đã có",
            UniqueKey::ReviewHousehold => "hộ đã có trong đợt rà soát này",
            UniqueKey::Other => "dữ liệu này vừa được người khác lưu; hãy tải lại trang",
        }
    }
}

/// The unique index a violation names. Citus passes a worker's error on without the
/// constraint field, so its name is then read from the message
/// (`… violates unique constraint "NAME"`).
fn constraint_name(db: &dyn sqlx::error::DatabaseError) -> Option<&str> {
    let name = db.constraint().or_else(|| {
        let message = db.message();
        let start = message.find("unique constraint \"")? + "unique constraint \"".len();
        let len = message[start..].find('"')?;
        Some(&message[start..start + len])
    })?;
    Some(without_shard(name))
}

/// The name of an index as the schema gives it: on Citus, a violation is reported by the
/// shard that refused it, whose index name ends in `_` and the shard's number.
fn without_shard(constraint: &str) -> &str {
    match constraint.rsplit_once('_') {
        Some((name, shard)) if !shard.is_empty() && shard.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => constraint,
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        if matches!(e, sqlx::Error::PoolTimedOut) {
            return StoreError::Overloaded;
        }
        match UniqueKey::of(&e) {
            Some(key) => StoreError::Duplicate(key),
            None => StoreError::Database(e),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::without_shard;

    #[test]
    fn a_shards_index_is_named_as_in_the_schema() {
        assert_eq!(
            without_shard("citizen_id_claims_pkey_102044"),
            "citizen_id_claims_pkey"
        );
        assert_eq!(
            without_shard("citizen_id_claims_pkey"),
            "citizen_id_claims_pkey"
        );
        assert_eq!(without_shard("users_username_key"), "users_username_key");
    }
}
