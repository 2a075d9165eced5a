//! Signing in: users, password hashes, sessions and CSRF tokens. The password policy is
//! in [`crate::passwords`], the sign-in throttle in [`crate::throttle`].
//!
//! Passwords are kept as argon2 hashes. A session is a random token handed to the client
//! (in a cookie for the browser, as a bearer token for API clients); the database keeps
//! only its SHA-256, so a copy of the database does not let anyone sign in. Nothing here
//! logs a username, a password or a token: log lines name the user by id.

use crate::access::{Actor, Role};
use crate::throttle::{ACCOUNT_FREE_ATTEMPTS, Refusal};
use crate::{App, AppError};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use giamngheo_domain::Tier;
use giamngheo_store::{NewSession, NewUser, UserRecord};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub use crate::passwords::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};

/// Failed sign-ins of an account before each further try has to wait (see
/// [`crate::throttle`]).
pub const MAX_FAILURES: usize = ACCOUNT_FREE_ATTEMPTS as usize;

/// How long an address's failed sign-ins count.
pub fn failure_window() -> Duration {
    crate::throttle::address_window()
}

/// A browser session ends after this long without use…
pub fn web_idle_timeout() -> Duration {
    Duration::hours(12)
}

/// …and after this long in any case.
pub fn web_max_age() -> Duration {
    Duration::days(7)
}

/// An API token lasts this long; scripts sign in again after it.
pub fn api_max_age() -> Duration {
    Duration::days(30)
}

/// How often the last use of a session is written: writing on every request would turn
/// every page view into a database write.
fn touch_interval() -> Duration {
    Duration::minutes(5)
}

/// Where a session is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser, with a cookie and CSRF tokens on its forms.
    Web,
    /// A program, with a bearer token.
    Api,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }

    fn parse(s: &str) -> Option<SessionKind> {
        match s {
            "web" => Some(SessionKind::Web),
            "api" => Some(SessionKind::Api),
            _ => None,
        }
    }
}

/// A new sign-in: the token goes to the client once and is not kept anywhere.
#[derive(Clone)]
pub struct LoginSession {
    pub token: String,
    pub csrf_token: String,
    pub kind: SessionKind,
    pub expires_at: DateTime<Utc>,
    pub actor: Actor,
}

// Written by hand so that a token never reaches a log line through `{:?}`.
impl std::fmt::Debug for LoginSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginSession")
            .field("kind", &self.kind)
            .field("expires_at", &self.expires_at)
            .field("user_id", &self.actor.user_id)
            .finish_non_exhaustive()
    }
}

/// A valid session as a request sees it.
#[derive(Clone)]
pub struct ActiveSession {
    pub actor: Actor,
    /// The name of the actor's unit, for the page header.
    pub unit_name: String,
    /// For an office, its agency's name from the settings (Sở Nông nghiệp và Môi
    /// trường, Phòng Kinh tế…), which the header shows instead of the role's name.
    pub agency_name: Option<String>,
    pub kind: SessionKind,
    /// The token every form of this session must carry back.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// This use moved a browser session's expiry forward, so the cookie's lifetime
    /// should follow.
    pub expiry_moved: bool,
}

impl std::fmt::Debug for ActiveSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveSession")
            .field("kind", &self.kind)
            .field("expires_at", &self.expires_at)
            .field("user_id", &self.actor.user_id)
            .finish_non_exhaustive()
    }
}

/// A user to create.
#[derive(Clone)]
pub struct NewUserInput {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub unit_code: String,
}

impl std::fmt::Debug for NewUserInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUserInput")
            .field("role", &self.role)
            .field("unit_code", &self.unit_code)
            .finish_non_exhaustive()
    }
}

/// A user as the use cases show it (never with the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub unit_code: String,
    pub unit_name: String,
    pub active: bool,
}

/// The hex SHA-256 of a session token: what the database keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares a presented CSRF token with the session's in constant time, so that the
/// answer's timing says nothing about how much of a guess was right.
pub fn csrf_matches(expected: &str, presented: &str) -> bool {
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 32 random bytes from the operating system as 64 hex digits: session tokens, CSRF
/// tokens. Without a working random source no session could be safe, so its failure
/// stops the request.
pub fn random_token() -> String {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    hex::encode(buf)
}

/// The canonical form of a username: trimmed, lower case, 3 to 64 characters among
/// a–z, 0–9, `.`, `_` and `-`, starting with a letter or digit.
pub fn normalize_username(raw: &str) -> Result<String, AppError> {
    let u = raw.trim().to_lowercase();
    let len = u.chars().count();
    if !(3..=64).contains(&len) {
        return Err(AppError::invalid(
            "username",
            "tên đăng nhập phải dài từ 3 đến 64 ký tự",
        ));
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c);
    let starts_well = u
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !u.chars().all(allowed) || !starts_well {
        return Err(AppError::invalid(
            "username",
            "tên đăng nhập chỉ gồm chữ không dấu, chữ số và các dấu . _ - (bắt đầu bằng chữ hoặc số)",
        ));
    }
    Ok(u)
}

/// Checks a new password against the policy every password follows, wherever it is set
/// (see [`crate::passwords`]).
pub fn validate_password(username: &str, password: &str) -> Result<(), AppError> {
    crate::passwords::check(username, password)
        .map_err(|weakness| AppError::invalid("password", weakness.message_vi()))
}

fn hash_blocking(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source works");
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| AppError::invalid("password", e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::invalid("password", e.to_string()))
}

fn verify_blocking(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to check unknown usernames against, so that a wrong username takes as long
/// as a wrong password and the answer's timing does not reveal which usernames exist.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking("không phải mật khẩu của ai cả").expect("hashing a fixed password")
    })
}

/// Argon2 takes tens of milliseconds of CPU on purpose; it runs off the async workers
/// so that other requests are not held up meanwhile.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Hashes a password with argon2 (default parameters, a random salt).
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    blocking(move || hash_blocking(&password)).await
}

/// True when `password` matches the argon2 hash `stored`.
pub async fn verify_password(password: &str, stored: &str) -> bool {
    let (password, stored) = (password.to_string(), stored.to_string());
    blocking(move || verify_blocking(&password, &stored)).await
}

fn wrong_credentials() -> AppError {
    AppError::Unauthenticated("tên đăng nhập hoặc mật khẩu không đúng".into())
}

fn too_many_attempts(now: DateTime<Utc>, refusal: Refusal) -> AppError {
    let retry_at = refusal.retry_at();
    let secs = (retry_at - now).num_seconds().max(1) as u64;
    // Short waits in seconds, longer ones in minutes with the clock time, which
    // officials read in Vietnamese time (UTC+7).
    let wait = if secs < 120 {
        format!("{secs} giây")
    } else {
        let local = (retry_at + Duration::hours(7)).format("%H:%M");
        format!("{} phút (lúc {local}, giờ Việt Nam)", secs.div_ceil(60))
    };
    let why = match refusal {
        Refusal::Account { .. } => "tài khoản này đã bị nhập sai mật khẩu nhiều lần",
        Refusal::Address { .. } => "có quá nhiều lần đăng nhập sai từ địa chỉ này",
    };
    AppError::TooManyAttempts {
        message: format!("{why}; hãy thử lại sau {wait}"),
        retry_after_secs: secs,
    }
}

/// The Vietnamese name of a tier, for messages.
fn tier_vi(t: Tier) -> &'static str {
    match t {
        Tier::Province => "tỉnh",
        Tier::District => "huyện",
        Tier::Commune => "xã",
        Tier::Village => "thôn",
    }
}

/// The actor a stored user acts as, or `None` when the row does not make sense any more
/// (a role or tier this binary does not know).
fn actor_of(user: &UserRecord) -> Option<Actor> {
    let role = user.role.parse::<Role>().ok()?;
    let unit_tier = user.unit_tier.parse::<Tier>().ok()?;
    Some(Actor {
        user_id: user.id,
        username: user.username.clone(),
        role,
        unit_code: user.unit_code.clone(),
        unit_tier,
        agency_code: user.agency_code.clone(),
    })
}

pub(crate) fn summary_of(user: &UserRecord) -> Option<UserSummary> {
    Some(UserSummary {
        id: user.id,
        username: user.username.clone(),
        role: user.role.parse().ok()?,
        unit_code: user.unit_code.clone(),
        unit_name: user.unit_name.clone(),
        active: user.active,
    })
}

impl App {
    /// Creates a user without an actor: for the command line, which whoever runs the
    /// server already controls (the first administrator is made this way).
    pub async fn add_user_as_system(&self, input: NewUserInput) -> Result<UserSummary, AppError> {
        let (user, unit) = self.new_user_row(&input).await?;
        let id = self.store().create_user(&user, self.clock().now()).await?;
        tracing::info!(user_id = id, role = input.role.as_str(), unit = %unit.code, "user created");
        self.user_summary(id).await
    }

    /// Checks a user to create (username, unit in force, role fitting the unit's tier,
    /// password policy) and hashes its password.
    pub(crate) async fn new_user_row(
        &self,
        input: &NewUserInput,
    ) -> Result<(NewUser, giamngheo_store::UnitRecord), AppError> {
        let username = normalize_username(&input.username)?;
        let unit = self
            .unit_for_role(input.role, input.unit_code.trim())
            .await?;
        validate_password(&username, &input.password)?;
        let password_hash = hash_password(&input.password).await?;
        let user = NewUser {
            username,
            password_hash,
            role: input.role.as_str().to_string(),
            unit_code: unit.code.clone(),
        };
        Ok((user, unit))
    }

    /// The unit `code`, if it is in force and of a tier `role` may be attached to.
    pub(crate) async fn unit_for_role(
        &self,
        role: Role,
        code: &str,
    ) -> Result<giamngheo_store::UnitRecord, AppError> {
        // Users work today: the unit is the one valid today, and a closed one is an
        // error naming what replaced it.
        let unit = self.resolve_unit(code, None).await?;
        let tier = unit
            .tier
            .parse::<Tier>()
            .map_err(|_| AppError::invalid("unit", "đơn vị có cấp không rõ"))?;
        let allowed = role.allowed_tiers();
        if !allowed.contains(&tier) {
            let names: Vec<&str> = allowed.iter().map(|t| tier_vi(*t)).collect();
            return Err(AppError::invalid(
                "role",
                format!(
                    "vai trò «{}» chỉ gắn với đơn vị cấp {}, không gắn với {} {}",
                    role.label_vi(),
                    names.join(", "),
                    tier_vi(tier),
                    unit.code
                ),
            ));
        }
        Ok(unit)
    }

    /// A user as the use cases show it, by id.
    pub(crate) async fn user_summary(&self, id: i64) -> Result<UserSummary, AppError> {
        let user = self
            .store()
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("người dùng số {id}")))?;
        summary_of(&user).ok_or_else(|| AppError::NotFound(format!("người dùng số {id}")))
    }

    /// Signs a user in. `client_key` names where the attempt comes from (the client's
    /// address). The attempt is counted before the password is checked; an account with
    /// [`MAX_FAILURES`] failures is slowed down and an address with too many failures is
    /// refused for a while (see [`crate::throttle`]), without even checking the password.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client_key: &str,
        kind: SessionKind,
    ) -> Result<LoginSession, AppError> {
        let name = username.trim().to_lowercase();
        let now = self.clock().now();
        self.limiter()
            .begin(&name, Some(client_key), now)
            .map_err(|refusal| {
                tracing::warn!("sign-in refused: too many failed attempts");
                too_many_attempts(now, refusal)
            })?;

        let user = if password.len() > MAX_PASSWORD_BYTES {
            None
        } else {
            self.store().user_by_username(&name).await?
        };
        let verified = match &user {
            Some(u) => verify_password(password, &u.password_hash).await,
            None => {
                if password.len() <= MAX_PASSWORD_BYTES {
                    verify_password(password, dummy_hash()).await;
                }
                false
            }
        };
        let actor = match &user {
            Some(u) if verified && u.active => actor_of(u),
            _ => None,
        };
        let Some(actor) = actor else {
            tracing::info!("sign-in refused: wrong username or password");
            return Err(wrong_credentials());
        };
        self.limiter().succeeded(&name, Some(client_key));

        // Sign-ins are rare enough to sweep out old sessions on the way.
        let swept = self.store().delete_expired_sessions(now).await?;
        if swept > 0 {
            tracing::debug!(sessions = swept, "expired sessions removed");
        }
        let token = random_token();
        let csrf_token = random_token();
        let expires_at = match kind {
            SessionKind::Web => now + web_idle_timeout().min(web_max_age()),
            SessionKind::Api => now + api_max_age(),
        };
        self.store()
            .create_session(&NewSession {
                token_hash: token_hash(&token),
                user_id: actor.user_id,
                kind: kind.as_str().to_string(),
                csrf_token: csrf_token.clone(),
                created_at: now,
                expires_at,
            })
            .await?;
        tracing::info!(user_id = actor.user_id, kind = kind.as_str(), "signed in");
        Ok(LoginSession {
            token,
            csrf_token,
            kind,
            expires_at,
            actor,
        })
    }

    /// The session a token belongs to, if it is valid now: not expired, of an active
    /// user. Using a browser session moves its idle expiry forward.
    pub async fn session_for_token(&self, token: &str) -> Result<Option<ActiveSession>, AppError> {
        // Tokens are 64 hex digits; anything else cannot be one and costs no query.
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let hash = token_hash(token);
        let Some(s) = self.store().session_by_token_hash(&hash).await? else {
            return Ok(None);
        };
        let now = self.clock().now();
        if s.expires_at <= now {
            self.store().delete_session(&hash).await?;
            return Ok(None);
        }
        if !s.user.active {
            return Ok(None);
        }
        let (Some(kind), Some(actor)) = (SessionKind::parse(&s.kind), actor_of(&s.user)) else {
            tracing::error!(
                user_id = s.user.id,
                "session of a user with an unknown role or unit tier"
            );
            return Ok(None);
        };
        let mut expires_at = s.expires_at;
        if now - s.last_seen_at >= touch_interval() {
            if kind == SessionKind::Web {
                expires_at = (now + web_idle_timeout()).min(s.created_at + web_max_age());
            }
            self.store().touch_session(&hash, now, expires_at).await?;
        }
        let expiry_moved = expires_at != s.expires_at;
        // Only an office reads its agency's name: other roles' requests cost no query.
        let agency_name = if actor.role == crate::access::Role::Office {
            self.agency_name(&actor.unit_code).await?
        } else {
            None
        };
        Ok(Some(ActiveSession {
            actor,
            agency_name,
            unit_name: s.user.unit_name,
            kind,
            csrf_token: s.csrf_token,
            expires_at,
            expiry_moved,
        }))
    }

    /// The actor a token signs in as, if the token is valid now.
    pub async fn actor_for_token(&self, token: &str) -> Result<Option<Actor>, AppError> {
        Ok(self.session_for_token(token).await?.map(|s| s.actor))
    }

    /// The CSRF token the forms of this session must carry.
    pub async fn csrf_token_for(&self, token: &str) -> Result<Option<String>, AppError> {
        Ok(self.session_for_token(token).await?.map(|s| s.csrf_token))
    }

    /// Refuses a form whose CSRF token is not the session's: another site made the
    /// browser send it.
    pub async fn check_csrf(
        &self,
        token: &str,
        presented: &str,
    ) -> Result<ActiveSession, AppError> {
        let session = self
            .session_for_token(token)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("phiên đăng nhập đã hết hạn".into()))?;
        if !csrf_matches(&session.csrf_token, presented) {
            return Err(AppError::Forbidden(
                "biểu mẫu đã cũ hoặc không gửi từ trang này; hãy tải lại trang rồi làm lại".into(),
            ));
        }
        Ok(session)
    }

    /// Ends a session. Ending one that does not exist (any more) is not an error.
    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        if self.store().delete_session(&token_hash(token)).await? {
            tracing::info!("signed out");
        }
        Ok(())
    }

    /// Changes the actor's own password after checking the current one, and ends the
    /// user's other sessions (a password is changed when it may have leaked). The
    /// session `current_token`, if given, stays signed in.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current_token: Option<&str>,
        old_password: &str,
        new_password: &str,
    ) -> Result<(), AppError> {
        // Wrong current passwords count against the same limit as sign-ins, so a stolen
        // session cannot be used to guess the password.
        let now = self.clock().now();
        self.limiter()
            .begin(&actor.username, None, now)
            .map_err(|refusal| too_many_attempts(now, refusal))?;
        let user = self
            .store()
            .user_by_id(actor.user_id)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("tài khoản không còn".into()))?;
        if old_password.len() > MAX_PASSWORD_BYTES
            || !verify_password(old_password, &user.password_hash).await
        {
            return Err(AppError::invalid(
                "old_password",
                "mật khẩu hiện tại không đúng",
            ));
        }
        self.limiter().succeeded(&actor.username, None);
        validate_password(&user.username, new_password)?;
        if new_password == old_password {
            return Err(AppError::invalid(
                "password",
                "mật khẩu mới phải khác mật khẩu hiện tại",
            ));
        }
        let hash = hash_password(new_password).await?;
        self.store().set_password_hash(user.id, &hash, now).await?;
        let ended = self
            .store()
            .delete_sessions_of_user(user.id, current_token.map(token_hash).as_deref())
            .await?;
        tracing::info!(
            user_id = user.id,
            other_sessions_ended = ended,
            "password changed"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_must_match_exactly() {
        assert!(csrf_matches("abc", "abc"));
        assert!(!csrf_matches("abc", "abd"));
        assert!(!csrf_matches("abc", "ab"));
        assert!(!csrf_matches("", ""));
    }

    #[test]
    fn usernames_are_lower_case_ascii() {
        assert_eq!(normalize_username("  CanBo.Xa_01 ").unwrap(), "canbo.xa_01");
        assert!(normalize_username("ab").is_err());
        assert!(normalize_username("cán bộ").is_err());
        assert!(normalize_username(".hidden").is_err());
    }

    #[test]
    fn passwords_are_long_and_not_the_username() {
        assert!(validate_password("canbo", "ngắn").is_err());
        assert!(validate_password("canbo12345", "CANBO12345").is_err());
        assert!(validate_password("canbo", "mật khẩu đủ dài").is_ok());
    }
}
