//! The sign-in throttle: how many password guesses an account and an address get.
//!
//! An attempt is recorded, as if it had failed, before its password is checked, and the
//! check and the record happen under one lock: thirty guesses sent at the same moment
//! are counted one after the other, and only those the limits allow get to the password
//! hash. A right password then takes its attempt back.
//!
//! Per account, the limit slows guessing down instead of locking the account: after
//! [`ACCOUNT_FREE_ATTEMPTS`] failures, each further try must wait, twice as long after
//! each failure, up to [`account_max_delay`]. Someone guessing from many addresses gets
//! a few tries an hour, and the account's owner still signs in once the wait is over.
//! Per address, [`ADDRESS_MAX_FAILURES`] failures within [`address_window`], whatever
//! the usernames, stop further tries from there until the oldest one leaves the window:
//! that is what stops one machine trying a common password on every username.
//!
//! The state is kept in memory: it only needs to outlive minutes, and one server process
//! answers for one installation.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// Failed tries an account gets before each further one has to wait.
pub const ACCOUNT_FREE_ATTEMPTS: u32 = 5;
/// Failed sign-ins from one address, over all usernames, allowed within
/// [`address_window`]: generous enough for a commune office behind one address.
pub const ADDRESS_MAX_FAILURES: usize = 30;
/// Above this many remembered accounts or addresses, stale ones are dropped, so that
/// guessing many usernames cannot grow the maps without bound.
const PRUNE_AT: usize = 10_000;

/// The wait after the first failure past the free ones; it doubles after each further
/// failure.
pub fn account_first_delay() -> Duration {
    Duration::seconds(30)
}

/// The longest wait between two tries of one account.
pub fn account_max_delay() -> Duration {
    Duration::minutes(15)
}

/// An account's failures are forgotten after this long without a try: longer than the
/// longest wait, so that waiting does not reset the count.
pub fn account_memory() -> Duration {
    Duration::hours(1)
}

/// How long an address's failures count.
pub fn address_window() -> Duration {
    Duration::minutes(15)
}

/// Why an attempt may not be made now, and when it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The account is being slowed down.
    Account { retry_at: DateTime<Utc> },
    /// The address has used up its tries.
    Address { retry_at: DateTime<Utc> },
}

impl Refusal {
    pub fn retry_at(self) -> DateTime<Utc> {
        match self {
            Refusal::Account { retry_at } | Refusal::Address { retry_at } => retry_at,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct AccountState {
    /// Tries since the last success, the current one included.
    attempts: u32,
    last: DateTime<Utc>,
    next_allowed: DateTime<Utc>,
}

/// The wait after the `attempts`-th failed try of an account.
fn delay_after(attempts: u32) -> Duration {
    if attempts < ACCOUNT_FREE_ATTEMPTS {
        return Duration::zero();
    }
    let doublings = (attempts - ACCOUNT_FREE_ATTEMPTS).min(20);
    let delay = account_first_delay() * 2i32.pow(doublings);
    delay.min(account_max_delay())
}

/// The throttle's state; see the module comment.
#[derive(Debug, Default)]
pub(crate) struct LoginLimiter {
    accounts: HashMap<String, AccountState>,
    addresses: HashMap<String, Vec<DateTime<Utc>>>,
}

impl LoginLimiter {
    /// Records an attempt on `account` from `address` (none for a password change,
    /// which has no address of its own) as failed, unless a limit refuses it.
    pub(crate) fn begin(
        &mut self,
        account: &str,
        address: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        self.prune(now);
        if let Some(address) = address
            && let Some(times) = self.addresses.get_mut(address)
        {
            times.retain(|t| *t > now - address_window());
            if times.len() >= ADDRESS_MAX_FAILURES {
                let oldest = times.iter().min().copied().unwrap_or(now);
                return Err(Refusal::Address {
                    retry_at: oldest + address_window(),
                });
            }
        }
        let state = self
            .accounts
            .entry(account.to_string())
            .or_insert(AccountState {
                attempts: 0,
                last: now,
                next_allowed: now,
            });
        if now - state.last > account_memory() {
            state.attempts = 0;
            state.next_allowed = now;
        }
        if now < state.next_allowed {
            return Err(Refusal::Account {
                retry_at: state.next_allowed,
            });
        }
        state.attempts += 1;
        state.last = now;
        state.next_allowed = now + delay_after(state.attempts);
        if let Some(address) = address {
            self.addresses
                .entry(address.to_string())
                .or_default()
                .push(now);
        }
        Ok(())
    }

    /// The attempt begun with the same arguments had the right password: the account's
    /// failures are forgotten and the address gets its try back.
    pub(crate) fn succeeded(&mut self, account: &str, address: Option<&str>) {
        self.accounts.remove(account);
        if let Some(address) = address
            && let Some(times) = self.addresses.get_mut(address)
        {
            times.pop();
            if times.is_empty() {
                self.addresses.remove(address);
            }
        }
    }

    fn prune(&mut self, now: DateTime<Utc>) {
        if self.accounts.len() >= PRUNE_AT {
            self.accounts
                .retain(|_, s| now - s.last <= account_memory() || now < s.next_allowed);
        }
        if self.addresses.len() >= PRUNE_AT {
            self.addresses.retain(|_, times| {
                times.retain(|t| *t > now - address_window());
                !times.is_empty()
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn an_account_is_slowed_down_more_after_each_failure() {
        let mut l = LoginLimiter::default();
        let now = t0();
        for _ in 0..ACCOUNT_FREE_ATTEMPTS {
            l.begin("canbo", Some("a"), now).unwrap();
        }
        // The free tries are used up at once; the next waits 30 s, then 60 s, 120 s…
        assert_eq!(
            l.begin("canbo", Some("b"), now),
            Err(Refusal::Account {
                retry_at: now + Duration::seconds(30)
            })
        );
        let mut at = now;
        for wait in [30, 60, 120, 240, 480, 900, 900] {
            at += Duration::seconds(wait);
            assert!(
                l.begin("canbo", Some("c"), at - Duration::seconds(1))
                    .is_err()
            );
            l.begin("canbo", Some("c"), at).unwrap();
        }
        // A success forgets the failures.
        l.succeeded("canbo", Some("c"));
        for _ in 0..ACCOUNT_FREE_ATTEMPTS {
            l.begin("canbo", Some("c"), at).unwrap();
        }
    }

    #[test]
    fn an_address_has_a_fixed_number_of_failures_over_all_usernames() {
        let mut l = LoginLimiter::default();
        let now = t0();
        for i in 0..ADDRESS_MAX_FAILURES {
            l.begin(&format!("user{i}"), Some("10.0.0.1"), now).unwrap();
        }
        assert_eq!(
            l.begin("someone", Some("10.0.0.1"), now),
            Err(Refusal::Address {
                retry_at: now + address_window()
            })
        );
        l.begin("someone", Some("10.0.0.2"), now).unwrap();
        l.begin("someone.else", Some("10.0.0.1"), now + address_window())
            .unwrap();
    }

    #[test]
    fn failures_are_forgotten_after_an_hour_without_tries() {
        let mut l = LoginLimiter::default();
        let now = t0();
        for _ in 0..ACCOUNT_FREE_ATTEMPTS {
            l.begin("canbo", None, now).unwrap();
        }
        let later = now + account_memory() + Duration::seconds(1);
        for _ in 0..ACCOUNT_FREE_ATTEMPTS {
            l.begin("canbo", None, later).unwrap();
        }
    }
}
