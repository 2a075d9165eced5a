//! Users and sign-in sessions in the store.
//!
//! Sessions are looked up by the SHA-256 of their token, which the app layer computes;
//! the store never sees a token or a password.

use crate::households::{AuditEntry, insert_audit};
use crate::{Store, StoreError, with_pool};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

/// A user as stored, with the tier of its unit (which the access rules need).
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    /// An argon2 PHC string.
    pub password_hash: String,
    pub role: String,
    pub unit_code: String,
    pub unit_tier: String,
    pub unit_name: String,
    pub active: bool,
    pub created_at: String,
    pub password_changed_at: String,
    /// The agency the user works for (migration 0060), if any.
    pub agency_code: Option<String>,
}

// Written by hand so that a password hash never reaches a log line through `{:?}`.
impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("unit_code", &self.unit_code)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A user to create.
#[derive(Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub unit_code: String,
}

/// A change an administrator makes to a user (see `App::reset_user_password` and its
/// neighbours). Each is stored together with its audit entry.
#[derive(Clone)]
pub enum UserChange {
    /// A new password hash; the user's sessions end.
    Password(String),
    /// Enabled or disabled; disabling ends the user's sessions.
    Active(bool),
    /// Another unit (the role stays).
    Unit(String),
}

/// The statement creating a user, active, its password set now.
/// A user's unit must exist: checked here, since a unit code is no longer a key that a
/// foreign key could check. No row comes back when it does not.
const INSERT_USER: &str = "INSERT INTO users (username, password_hash, role, unit_code, active, created_at, password_changed_at) \
     SELECT $1, $2, $3, $4, TRUE, $5, $5 \
     WHERE EXISTS (SELECT 1 FROM admin_units WHERE code = $4) RETURNING id";

/// A session to create.
#[derive(Clone)]
pub struct NewSession {
    /// Hex SHA-256 of the token handed to the client.
    pub token_hash: String,
    pub user_id: i64,
    /// `web` or `api`.
    pub kind: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A session with the user it belongs to.
#[derive(Clone)]
pub struct SessionRecord {
    pub token_hash: String,
    pub kind: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user: UserRecord,
}

impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("kind", &self.kind)
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    token_hash: String,
    kind: String,
    csrf_token: String,
    s_created_at: String,
    expires_at: String,
    last_seen_at: String,
    #[sqlx(flatten)]
    user: UserRecord,
}

const USER_COLUMNS: &str = "us.id, us.username, us.password_hash, us.role, us.unit_code, \
     au.tier AS unit_tier, au.name AS unit_name, us.active, us.created_at, us.password_changed_at, \
     us.agency_code";

/// A user's unit is the latest version of its code: users work today.
const AU_LATEST: &str =
    "au.valid_from = (SELECT MAX(x.valid_from) FROM admin_units x WHERE x.code = us.unit_code)";

/// Timestamps are kept as fixed-width RFC 3339 text in UTC (as in admin_units), so that
/// text order is time order on both backends.
fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

impl Store {
    /// Creates a user; returns its id. A taken username is a conflict.
    /// A user's unit must exist (checked here, since a unit code is no longer a key a
    /// foreign key could check).
    pub async fn create_user(&self, user: &NewUser, now: DateTime<Utc>) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let id: Option<i64> = with_pool!(self, pool => sqlx::query_scalar(
            INSERT_USER,
        )
        .bind(&user.username)
        .bind(&user.password_hash)
        .bind(&user.role)
        .bind(&user.unit_code)
        .bind(&now)
        .fetch_optional(pool)
        .await
        .map_err(|e| StoreError::unique_as_conflict(e, "tên đăng nhập này đã có người dùng"))?);
        id.ok_or_else(|| StoreError::NotFound(format!("đơn vị mã {}", user.unit_code)))
    }

    /// Creates a user and its audit entry in one transaction, so that no user appears
    /// without the record of who created it; the entry's `entity_id` is set to the new
    /// id. A taken username is a conflict.
    pub async fn create_user_audited(
        &self,
        user: &NewUser,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
                INSERT_USER,
            )
            .bind(&user.username)
            .bind(&user.password_hash)
            .bind(&user.role)
            .bind(&user.unit_code)
            .bind(&now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| StoreError::unique_as_conflict(e, "tên đăng nhập này đã có người dùng"))?;
            let id = id.ok_or_else(|| StoreError::NotFound(format!("đơn vị mã {}", user.unit_code)))?;
            let entry = AuditEntry { entity_id: id.to_string(), ..audit.clone() };
            insert_audit!(tx, std::slice::from_ref(&entry));
            tx.commit().await?;
            id
        }))
    }

    /// Applies a change to a user with its audit entry in one transaction; a new
    /// password or a disabled account also ends the user's sessions there, so that
    /// nobody stays signed in with what was just taken away.
    pub async fn change_user(
        &self,
        user_id: i64,
        change: &UserChange,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let (n, end_sessions) = match change {
                UserChange::Password(hash) => (
                    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
                        .bind(hash)
                        .bind(&now)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                    true,
                ),
                UserChange::Active(active) => (
                    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
                        .bind(*active)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                    !*active,
                ),
                UserChange::Unit(code) => (
                    sqlx::query("UPDATE users SET unit_code = $1 WHERE id = $2")
                        .bind(code)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                    false,
                ),
            };
            if n == 0 {
                return Err(StoreError::NotFound(format!("người dùng số {user_id}")));
            }
            if end_sessions {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_audit!(tx, std::slice::from_ref(audit));
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users us JOIN admin_units au ON au.code = us.unit_code AND {AU_LATEST} \
             WHERE us.username = $1"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, UserRecord>(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(username)
            .fetch_optional(pool)
            .await?),
        )
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users us JOIN admin_units au ON au.code = us.unit_code AND {AU_LATEST} \
             WHERE us.id = $1"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, UserRecord>(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Names the agency a user works for (or none). An unknown agency or user is
    /// `NotFound`, and nothing changes.
    pub async fn set_user_agency(
        &self,
        user_id: i64,
        agency_code: Option<&str>,
    ) -> Result<(), StoreError> {
        if let Some(code) = agency_code {
            let known: i64 = with_pool!(self, pool => sqlx::query_scalar(
                "SELECT COUNT(*) FROM agencies WHERE code = $1",
            )
            .bind(code)
            .fetch_one(pool)
            .await?);
            if known == 0 {
                return Err(StoreError::NotFound(format!("cơ quan {code}")));
            }
        }
        let n = with_pool!(self, pool => sqlx::query("UPDATE users SET agency_code = $1 WHERE id = $2")
            .bind(agency_code)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound(format!("người dùng số {user_id}")));
        }
        Ok(())
    }

    /// Every user, by username.
    pub async fn list_users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users us JOIN admin_units au ON au.code = us.unit_code AND {AU_LATEST} \
             ORDER BY us.username"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, UserRecord>(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(pool)
            .await?),
        )
    }

    /// Replaces a user's password hash.
    pub async fn set_password_hash(
        &self,
        user_id: i64,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        let n = with_pool!(self, pool => sqlx::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(&now)
        .bind(user_id)
        .execute(pool)
        .await?
        .rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound(format!("người dùng số {user_id}")));
        }
        Ok(())
    }

    pub async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        let created = timestamp(session.created_at);
        let expires = timestamp(session.expires_at);
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $5)",
        )
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(&session.kind)
        .bind(&session.csrf_token)
        .bind(&created)
        .bind(&expires)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// A session and its user by the token's hash, expired or not (the caller decides).
    pub async fn session_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT s.token_hash, s.kind, s.csrf_token, s.created_at AS s_created_at, s.expires_at, \
             s.last_seen_at, {USER_COLUMNS} \
             FROM sessions s JOIN users us ON us.id = s.user_id \
             JOIN admin_units au ON au.code = us.unit_code AND {AU_LATEST} \
             WHERE s.token_hash = $1"
        );
        let row = with_pool!(self, pool => sqlx::query_as::<_, SessionRow>(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(token_hash)
            .fetch_optional(pool)
            .await?);
        row.map(|r| {
            Ok(SessionRecord {
                token_hash: r.token_hash,
                kind: r.kind,
                csrf_token: r.csrf_token,
                created_at: parse_timestamp(&r.s_created_at)?,
                expires_at: parse_timestamp(&r.expires_at)?,
                last_seen_at: parse_timestamp(&r.last_seen_at)?,
                user: r.user,
            })
        })
        .transpose()
    }

    /// Records that a session was used and moves its expiry (idle timeout).
    pub async fn touch_session(
        &self,
        token_hash: &str,
        last_seen_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let seen = timestamp(last_seen_at);
        let expires = timestamp(expires_at);
        with_pool!(self, pool => sqlx::query(
            "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3",
        )
        .bind(&seen)
        .bind(&expires)
        .bind(token_hash)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Ends one session; true when it existed.
    pub async fn delete_session(&self, token_hash: &str) -> Result<bool, StoreError> {
        let n = with_pool!(self, pool => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    /// Ends every session of a user except, optionally, one (the one changing the
    /// password stays signed in).
    pub async fn delete_sessions_of_user(
        &self,
        user_id: i64,
        except_token_hash: Option<&str>,
    ) -> Result<u64, StoreError> {
        let keep = except_token_hash.unwrap_or("");
        Ok(with_pool!(self, pool => sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
        )
        .bind(user_id)
        .bind(keep)
        .execute(pool)
        .await?
        .rows_affected()))
    }

    /// Removes sessions that expired at or before `now`; returns how many.
    pub async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = timestamp(now);
        Ok(
            with_pool!(self, pool => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(&now)
            .execute(pool)
            .await?
            .rows_affected()),
        )
    }
}
