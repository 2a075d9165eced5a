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

/// The agency kind whose officers write the livelihood activities (plan-2021.md: the
/// agriculture department guides production and the poverty-reduction models).
pub const AGRICULTURE: &str = "agriculture";

/// Whether `role` (of an agency of `agency_kind`) may record or correct an activity of
/// a kind that is (`livelihood`) or is not a livelihood model, within its area: the
/// administrator, the office and the commune officers (their commune's, by the area
/// check) write every activity; the agriculture agency's officers their livelihood
/// models; oversight and the other agencies read.
pub fn permits_activity_write(role: Role, agency_kind: Option<&str>, livelihood: bool) -> bool {
    match role {
        Role::Admin | Role::Office | Role::CommuneOfficer => true,
        Role::AgencyOfficer => livelihood && agency_kind == Some(AGRICULTURE),
        _ => false,
    }
}

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
        let kind = self.actor_agency_kind(actor).await?;
        Ok(permits(actor.role, kind.as_deref(), action))
    }

    /// The kind of an agency officer's agency today; `None` for other roles.
    pub(crate) async fn actor_agency_kind(
        &self,
        actor: &Actor,
    ) -> Result<Option<String>, AppError> {
        Ok(match (&actor.agency_code, actor.role) {
            (Some(code), Role::AgencyOfficer) => {
                self.store()
                    .agency_kind_on(code, self.clock().today())
                    .await?
            }
            _ => None,
        })
    }

    /// Whether `actor` may record activities at all (of a livelihood kind or not),
    /// leaving the area to the write itself: the pages show forms only to those.
    pub async fn may_write_activity(
        &self,
        actor: &Actor,
        livelihood: bool,
    ) -> Result<bool, AppError> {
        let kind = self.actor_agency_kind(actor).await?;
        Ok(permits_activity_write(
            actor.role,
            kind.as_deref(),
            livelihood,
        ))
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

    #[test]
    fn the_agriculture_agency_writes_only_livelihood_activities() {
        assert!(permits_activity_write(
            Role::AgencyOfficer,
            Some("agriculture"),
            true
        ));
        assert!(!permits_activity_write(
            Role::AgencyOfficer,
            Some("agriculture"),
            false
        ));
        assert!(!permits_activity_write(
            Role::AgencyOfficer,
            Some("finance"),
            true
        ));
        assert!(permits_activity_write(Role::CommuneOfficer, None, false));
        assert!(permits_activity_write(Role::Office, None, true));
        assert!(!permits_activity_write(Role::Oversight, None, true));
        assert!(!permits_activity_write(Role::VillageHead, None, true));
    }
}
