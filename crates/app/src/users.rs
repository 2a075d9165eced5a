//! Managing users from the web page: an administrator, or an office within its unit,
//! lists the users of its area, creates one, resets a password, disables or enables an
//! account and moves a user to another unit. The command line keeps creating the first
//! administrator ([`App::add_user_as_system`]).
//!
//! The rule, checked here for every read and write: the user managed (and, for a new
//! user or a move, the unit it gets) must be in the actor's unit or below it, and its
//! role must be one the actor may give ([`Role::may_grant`]): an administrator any role,
//! an office only the roles below its own. Outside the actor's area a user is "not
//! found", as households are. Nobody manages their own account here: a password is
//! changed on the password page, and an administrator cannot lock itself out.
//!
//! Every change is written with its audit entry in one transaction. The entries never
//! hold a password; log lines name users by id only.

use crate::access::{Action, Actor, Role};
use crate::auth::{NewUserInput, UserSummary, hash_password, normalize_username, summary_of};
use crate::{App, AppError};
use giamngheo_store::{AuditEntry, UnitRecord, UserChange, UserRecord};

/// Letters and digits of a generated password, without those read alike on paper
/// (0/o, 1/l/i), since the administrator reads it out or writes it down for the user.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Groups of four characters in a generated password: 16 characters from 31 give about
/// 79 bits, well beyond guessing.
const GROUPS: usize = 4;

/// A password for a reset, such as `k7mp-2xqa-9rtd-h4we`: random, easy to copy by hand,
/// and checked against the same policy as any other password.
pub fn generate_password(username: &str) -> String {
    loop {
        let mut bytes = [0u8; GROUPS * 4];
        getrandom::fill(&mut bytes).expect("the operating system's random source works");
        // 256 is not a multiple of 31; the slight bias this leaves is far below what
        // could help a guesser of a 79-bit password.
        let chars: Vec<char> = bytes
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        let password = chars
            .chunks(4)
            .map(|g| g.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-");
        if crate::passwords::check(username, &password).is_ok() {
            return password;
        }
    }
}

/// A password set by a reset, to show once to the administrator who asked for it.
pub struct ResetPassword {
    pub user: UserSummary,
    pub password: String,
}

// Written by hand so that the new password never reaches a log line through `{:?}`.
impl std::fmt::Debug for ResetPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResetPassword")
            .field("user", &self.user.id)
            .finish_non_exhaustive()
    }
}

impl App {
    /// The users within the actor's area whose role the actor may manage, by username.
    pub async fn users(&self, actor: &Actor) -> Result<Vec<UserSummary>, AppError> {
        self.authorize(actor, Action::ManageUsers, &actor.unit_code)
            .await?;
        let mut out = Vec::new();
        for user in self.store().list_users().await? {
            let Some(s) = summary_of(&user) else { continue };
            if actor.role.may_grant(s.role) && self.covers(actor, &user.unit_code).await? {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// The roles the actor may give, for the creation form.
    pub fn grantable_roles(&self, actor: &Actor) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| actor.may(Action::ManageUsers) && actor.role.may_grant(*r))
            .collect()
    }

    /// Creates a user on behalf of an administrator or an office: the new user's unit
    /// must be in the actor's area and its role one the actor may give.
    pub async fn add_user(
        &self,
        actor: &Actor,
        input: NewUserInput,
    ) -> Result<UserSummary, AppError> {
        self.authorize(actor, Action::ManageUsers, input.unit_code.trim())
            .await?;
        self.check_grant(actor, input.role)?;
        let (user, unit) = self.new_user_row(&input).await?;
        let changes = serde_json::json!([
            {"field": "username", "old": null, "new": user.username},
            {"field": "role", "old": null, "new": input.role.as_str()},
            {"field": "unit", "old": null, "new": unit.code},
        ]);
        let audit = self.user_audit(actor, "user.create", 0, &unit, changes);
        let id = self
            .store()
            .create_user_audited(&user, self.clock().now(), &audit)
            .await?;
        tracing::info!(
            user_id = id,
            by = actor.user_id,
            role = input.role.as_str(),
            unit = %unit.code,
            "user created"
        );
        self.user_summary(id).await
    }

    /// Creates a user with a generated password, returned to show once: the page does
    /// not let an administrator choose a weak first password for someone else.
    pub async fn add_user_with_new_password(
        &self,
        actor: &Actor,
        username: &str,
        role: Role,
        unit_code: &str,
    ) -> Result<ResetPassword, AppError> {
        let username = normalize_username(username)?;
        let password = generate_password(&username);
        let input = NewUserInput {
            username,
            password: password.clone(),
            role,
            unit_code: unit_code.to_string(),
        };
        let user = self.add_user(actor, input).await?;
        Ok(ResetPassword { user, password })
    }

    /// Gives a user a new random password, ends its sessions, and returns the password
    /// to show once: it is kept nowhere but as a hash.
    pub async fn reset_user_password(
        &self,
        actor: &Actor,
        user_id: i64,
    ) -> Result<ResetPassword, AppError> {
        let (user, unit) = self.managed_user(actor, user_id).await?;
        let password = generate_password(&user.username);
        let hash = hash_password(&password).await?;
        let changes = serde_json::json!([{"field": "password", "old": null, "new": "(đặt lại)"}]);
        let audit = self.user_audit(actor, "user.password_reset", user.id, &unit, changes);
        self.store()
            .change_user(
                user.id,
                &UserChange::Password(hash),
                self.clock().now(),
                &audit,
            )
            .await?;
        tracing::info!(user_id = user.id, by = actor.user_id, "password reset");
        Ok(ResetPassword {
            user: self.user_summary(user.id).await?,
            password,
        })
    }

    /// Disables (`active = false`) or enables a user. Disabling ends its sessions at
    /// once. Setting the state the user already has changes nothing and writes no entry.
    pub async fn set_user_active(
        &self,
        actor: &Actor,
        user_id: i64,
        active: bool,
    ) -> Result<UserSummary, AppError> {
        let (user, unit) = self.managed_user(actor, user_id).await?;
        if user.active != active {
            let changes =
                serde_json::json!([{"field": "active", "old": user.active, "new": active}]);
            let action = if active {
                "user.enable"
            } else {
                "user.disable"
            };
            let audit = self.user_audit(actor, action, user.id, &unit, changes);
            self.store()
                .change_user(
                    user.id,
                    &UserChange::Active(active),
                    self.clock().now(),
                    &audit,
                )
                .await?;
            tracing::info!(
                user_id = user.id,
                by = actor.user_id,
                active,
                "user active set"
            );
        }
        self.user_summary(user.id).await
    }

    /// Moves a user to another unit in the actor's area, of a tier its role fits. The
    /// user's history (audit entries, decisions it made) keeps the unit it had then.
    pub async fn change_user_unit(
        &self,
        actor: &Actor,
        user_id: i64,
        unit_code: &str,
    ) -> Result<UserSummary, AppError> {
        let (user, old_unit) = self.managed_user(actor, user_id).await?;
        let role: Role = user
            .role
            .parse()
            .map_err(|_| AppError::NotFound(format!("người dùng số {user_id}")))?;
        self.authorize(actor, Action::ManageUsers, unit_code.trim())
            .await?;
        let unit = self.unit_for_role(role, unit_code.trim()).await?;
        if unit.code != old_unit.code {
            let changes = serde_json::json!([
                {"field": "unit", "old": old_unit.code, "new": unit.code}
            ]);
            let audit = self.user_audit(actor, "user.unit", user.id, &unit, changes);
            self.store()
                .change_user(
                    user.id,
                    &UserChange::Unit(unit.code.clone()),
                    self.clock().now(),
                    &audit,
                )
                .await?;
            tracing::info!(user_id = user.id, by = actor.user_id, unit = %unit.code, "user moved");
        }
        self.user_summary(user.id).await
    }

    /// The user `user_id` with its unit, if the actor may manage it: in the actor's
    /// area (else "not found", as if it did not exist), of a role the actor may give,
    /// and not the actor itself.
    async fn managed_user(
        &self,
        actor: &Actor,
        user_id: i64,
    ) -> Result<(UserRecord, UnitRecord), AppError> {
        let not_found = || AppError::NotFound(format!("người dùng số {user_id}"));
        let user = self
            .store()
            .user_by_id(user_id)
            .await?
            .ok_or_else(not_found)?;
        self.authorize(actor, Action::ManageUsers, &user.unit_code)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        if user.id == actor.user_id {
            return Err(AppError::Forbidden(
                "không tự quản lý tài khoản của mình ở trang này; đổi mật khẩu ở trang «Đổi mật khẩu»"
                    .into(),
            ));
        }
        let role: Role = user.role.parse().map_err(|_| not_found())?;
        self.check_grant(actor, role)?;
        let unit = self.unit(&user.unit_code).await?;
        Ok((user, unit))
    }

    fn check_grant(&self, actor: &Actor, role: Role) -> Result<(), AppError> {
        if actor.role.may_grant(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "vai trò «{}» không được cấp hay quản lý tài khoản vai trò «{}»",
                actor.role.label_vi(),
                role.label_vi()
            )))
        }
    }

    /// True when unit `code` is the actor's unit or below it.
    async fn covers(&self, actor: &Actor, code: &str) -> Result<bool, AppError> {
        let chain = self.store().ancestry(code).await?;
        Ok(actor.covers_chain(chain.iter().map(|u| u.code.as_str())))
    }

    fn user_audit(
        &self,
        actor: &Actor,
        action: &str,
        user_id: i64,
        unit: &UnitRecord,
        changes: serde_json::Value,
    ) -> AuditEntry {
        // The users page records its changes as a JSON object rather than field
        // changes; everything else is the shared entry.
        AuditEntry {
            changes: changes.to_string(),
            ..self.audit(
                actor,
                action,
                "user",
                user_id.to_string(),
                None,
                &unit.code,
                &unit.province_code,
                Vec::new(),
            )
        }
    }
}
