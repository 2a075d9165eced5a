//! Who may read and write the programme's money.
//!
//! The area is checked as everywhere else ([`App::authorize`]: outside it, not found);
//! the role then decides, and for an agency officer the kind of their agency: the
//! finance agency's officers write money (plan-2021.md: "Phòng Tài chính – Kế hoạch:
//! budget allocation, counterpart funds"), the office allocates, oversight and the
//! communes read.

use crate::access::{Action, Actor, Role};
use crate::{App, AppError};

/// What a user wants to do with the programme's money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyAction {
    /// Plans, allocations, disbursements and progress of the actor's area.
    Read,
    /// Compute a suggested allocation.
    Suggest,
    /// Adopt an allocation to communes.
    Allocate,
    /// Record planned amounts and disbursements, and reverse entries.
    WriteMoney,
    /// Change a unit's allocation flags (zone, safety zone, island, special zone).
    EditFlags,
}

/// The agency kind whose officers write money.
pub const FINANCE: &str = "finance";

/// Whether `role` (of an agency of `agency_kind`, for an agency officer) may take
/// `action` within its area.
pub fn permits(role: Role, agency_kind: Option<&str>, action: MoneyAction) -> bool {
    let finance = role == Role::AgencyOfficer && agency_kind == Some(FINANCE);
    match action {
        MoneyAction::Read => !matches!(role, Role::VillageHead),
        MoneyAction::Suggest | MoneyAction::Allocate => {
            matches!(role, Role::Admin | Role::Office) || finance
        }
        MoneyAction::WriteMoney => role == Role::Admin || finance,
        MoneyAction::EditFlags => role == Role::Admin,
    }
}

impl App {
    /// Whether `actor`'s role (and agency) allows `action` at all, leaving the area to
    /// [`App::authorize_money`]: the pages show a form only to those who may use it.
    pub async fn may_money(&self, actor: &Actor, action: MoneyAction) -> Result<bool, AppError> {
        let kind = match (&actor.agency_code, actor.role) {
            (Some(code), Role::AgencyOfficer) => {
                self.store()
                    .agency_kind_on(code, self.clock().today())
                    .await?
            }
            _ => None,
        };
        Ok(permits(actor.role, kind.as_deref(), action))
    }

    /// Checks that `actor` may take `action` on the money of `unit_code`.
    pub async fn authorize_money(
        &self,
        actor: &Actor,
        action: MoneyAction,
        unit_code: &str,
    ) -> Result<(), AppError> {
        // Every role may read aggregates: this checks the area alone.
        self.authorize(actor, Action::ReadAggregates, unit_code)
            .await?;
        if self.may_money(actor, action).await? {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "vai trò {} không được phép thao tác này với vốn chương trình",
                actor.role.label_vi()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_finance_agency_and_the_administrator_write_money() {
        let writers: Vec<(Role, Option<&str>)> = [
            (Role::Admin, None),
            (Role::Office, None),
            (Role::AgencyOfficer, Some("finance")),
            (Role::AgencyOfficer, Some("agriculture")),
            (Role::AgencyOfficer, None),
            (Role::CommuneOfficer, None),
            (Role::Oversight, None),
        ]
        .into_iter()
        .filter(|(r, k)| permits(*r, *k, MoneyAction::WriteMoney))
        .collect();
        assert_eq!(
            writers,
            [(Role::Admin, None), (Role::AgencyOfficer, Some("finance"))]
        );
    }

    #[test]
    fn the_office_allocates_and_oversight_only_reads() {
        assert!(permits(Role::Office, None, MoneyAction::Allocate));
        assert!(permits(Role::Office, None, MoneyAction::Suggest));
        assert!(!permits(Role::Office, None, MoneyAction::WriteMoney));
        assert!(permits(Role::Oversight, None, MoneyAction::Read));
        assert!(!permits(Role::Oversight, None, MoneyAction::Suggest));
        assert!(permits(Role::CommuneOfficer, None, MoneyAction::Read));
        assert!(!permits(Role::CommuneOfficer, None, MoneyAction::Allocate));
        assert!(!permits(Role::VillageHead, None, MoneyAction::Read));
        assert!(!permits(Role::Office, None, MoneyAction::EditFlags));
    }
}
