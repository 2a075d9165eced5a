//! Who may do what, where. Every use case that reads or writes asks this module first;
//! the web layer never decides access on its own.
//!
//! A user has one role and one unit; the role applies to that unit and everything below
//! it. A household outside the user's scope is reported as not found, so that its
//! existence does not leak.

use giamngheo_domain::Tier;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The roles of the product's users (plan-2021.md, "Who does what").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Administers the system within its unit (the whole country for the root admin).
    Admin,
    /// A specialised office (phòng, sở chuyên môn) of whatever unit it is given: the
    /// province's Department of Agriculture and Environment, a commune's Economic or
    /// Culture–Social Department, or, for history, a district's labour office. Reads and
    /// writes everything of its unit. Its old name `labour_office` (when districts ran
    /// the review) is still accepted from stored rows, the command line and the API.
    #[serde(alias = "labour_office")]
    Office,
    /// Another department of a unit (province, commune, or a district for history):
    /// reads its unit.
    AgencyOfficer,
    /// Commune officer: reads and writes its commune.
    CommuneOfficer,
    /// Village head: reads its village and proposes changes.
    VillageHead,
    /// Fatherland Front, People's Council: reads, never writes.
    Oversight,
    /// Province viewer: aggregates only, no personal data.
    ProvinceViewer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Office,
        Role::AgencyOfficer,
        Role::CommuneOfficer,
        Role::VillageHead,
        Role::Oversight,
        Role::ProvinceViewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Office => "office",
            Role::AgencyOfficer => "agency_officer",
            Role::CommuneOfficer => "commune_officer",
            Role::VillageHead => "village_head",
            Role::Oversight => "oversight",
            Role::ProvinceViewer => "province_viewer",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            // The agency's own name (Sở Nông nghiệp và Môi trường, Phòng Kinh tế…) is data
            // of its unit (App::agency_name); this is only the role's generic name.
            Role::Office => "Cơ quan chuyên môn (sở, phòng)",
            Role::AgencyOfficer => "Cán bộ phòng, ban",
            Role::CommuneOfficer => "Cán bộ xã",
            Role::VillageHead => "Trưởng thôn",
            Role::Oversight => "Giám sát (Mặt trận Tổ quốc, HĐND)",
            Role::ProvinceViewer => "Xem số liệu tổng hợp cấp tỉnh",
        }
    }

    /// The tiers a user of this role may be attached to.
    pub fn allowed_tiers(self) -> &'static [Tier] {
        match self {
            Role::Admin => &[Tier::Province, Tier::District, Tier::Commune],
            // Since July 2025 a province's and a commune's departments hold these roles;
            // a district only in the history of a four-level list.
            Role::Office | Role::AgencyOfficer => &[Tier::Province, Tier::District, Tier::Commune],
            Role::CommuneOfficer => &[Tier::Commune],
            Role::VillageHead => &[Tier::Village],
            Role::Oversight => &[Tier::Province, Tier::District, Tier::Commune],
            Role::ProvinceViewer => &[Tier::Province],
        }
    }
}

impl Role {
    /// Whether a user of this role may give `other` to a user, or manage a user who has
    /// it. An administrator may give any role (another administrator included: someone
    /// must be able to replace an administrator who leaves, without the command line); an
    /// office only the roles below its own, so that it can neither make an administrator
    /// nor take over, reset or disable another office or an administrator. Whatever the
    /// role, the user managed must be in the actor's unit or below it.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::Admin => true,
            Role::Office => !matches!(other, Role::Admin | Role::Office),
            _ => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "vai trò không rõ «{0}» (admin, office, agency_officer, commune_officer, village_head, oversight, province_viewer)"
)]
pub struct ParseRoleError(pub String);

/// Old role names still accepted, with the role they now mean: users created, scripts
/// written and rows stored before the 2025 reform keep working.
pub const ROLE_ALIASES: [(&str, Role); 1] = [("labour_office", Role::Office)];

impl FromStr for Role {
    type Err = ParseRoleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .or_else(|| {
                ROLE_ALIASES
                    .iter()
                    .find(|(alias, _)| *alias == s)
                    .map(|(_, role)| *role)
            })
            .ok_or_else(|| ParseRoleError(s.to_string()))
    }
}

/// What a user wants to do. Each use case names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Counts, rates and reports without names.
    ReadAggregates,
    /// Households, members and their personal data (names; citizen IDs masked).
    ReadPersonal,
    /// Citizen IDs in full.
    ReadCitizenId,
    /// Create and change households and members.
    WriteHouseholds,
    /// Propose a change for a commune officer to accept.
    ProposeChange,
    /// Create villages, change unit flags.
    ManageUnits,
    /// Create users, reset their passwords, disable them and change their unit, within
    /// the actor's unit and below its role ceiling ([`Role::may_grant`]).
    ManageUsers,
    /// The audit log across the system.
    ReadAuditLog,
}

/// The permission matrix: which role may take which action within its scope.
pub fn permits(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ReadAggregates => true,
        ReadPersonal => !matches!(role, ProvinceViewer),
        ReadCitizenId => matches!(role, Admin | Office | CommuneOfficer),
        WriteHouseholds => matches!(role, Admin | Office | CommuneOfficer),
        ProposeChange => matches!(role, Admin | Office | CommuneOfficer | VillageHead),
        ManageUnits => matches!(role, Admin | Office | CommuneOfficer),
        ManageUsers => matches!(role, Admin | Office),
        ReadAuditLog => matches!(role, Admin),
    }
}

/// The signed-in user as the use cases see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// The unit the role applies to (and everything below it).
    pub unit_code: String,
    /// The tier of that unit, which says which column of a household to filter on.
    pub unit_tier: Tier,
    /// The agency the user works for: an agency officer records and imports only for the
    /// policies, money and tasks of that agency (migration 0060).
    pub agency_code: Option<String>,
}

impl Actor {
    pub fn may(&self, action: Action) -> bool {
        permits(self.role, action)
    }

    /// True when `chain` (the units from the province down to some unit, as
    /// `Store::ancestry` returns them) passes through the actor's unit.
    pub fn covers_chain<'a>(&self, chain: impl IntoIterator<Item = &'a str>) -> bool {
        chain.into_iter().any(|code| code == self.unit_code)
    }
}

impl crate::App {
    /// Checks that `actor` may take `action` on something in unit `unit_code`.
    ///
    /// Outside the actor's area the answer is `NotFound`, the same as for a unit that
    /// does not exist, so a user cannot probe another commune's data; inside it, a role
    /// without the permission gets `Forbidden`.
    pub async fn authorize(
        &self,
        actor: &Actor,
        action: Action,
        unit_code: &str,
    ) -> Result<(), crate::AppError> {
        let chain = self.store().ancestry(unit_code).await?;
        let covered = !chain.is_empty()
            && (actor.covers_chain(chain.iter().map(|u| u.code.as_str()))
                || self.absorbed_into_scope(actor, &chain).await?);
        if !covered {
            return Err(crate::AppError::NotFound(format!("đơn vị mã {unit_code}")));
        }
        if !actor.may(action) {
            return Err(crate::AppError::Forbidden(format!(
                "vai trò {} không được phép thao tác này",
                actor.role.label_vi()
            )));
        }
        Ok(())
    }
}

impl crate::App {
    /// Whether a closed unit of `chain` (the unit asked for, or a unit above it) went
    /// wholly into units within the actor's area: a user of a commune made by the 2025
    /// reform reads the history of the old communes it absorbed. A unit split between the
    /// actor's unit and another stays closed to them, as do its neighbours: its history
    /// holds households that are not theirs.
    async fn absorbed_into_scope(
        &self,
        actor: &Actor,
        chain: &[giamngheo_store::UnitRecord],
    ) -> Result<bool, crate::AppError> {
        for unit in chain.iter().rev().filter(|u| u.valid_to.is_some()) {
            let successors = self.store().successors(&unit.code, unit.valid_from).await?;
            if successors.is_empty() {
                continue;
            }
            let mut all_inside = true;
            for (successor, _) in &successors {
                let above = self.store().ancestry(&successor.code).await?;
                if !actor.covers_chain(above.iter().map(|u| u.code.as_str())) {
                    all_inside = false;
                    break;
                }
            }
            if all_inside {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_some_roles_write_households() {
        let writers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| permits(*r, Action::WriteHouseholds))
            .collect();
        assert_eq!(
            writers,
            vec![Role::Admin, Role::Office, Role::CommuneOfficer]
        );
    }

    #[test]
    fn a_province_viewer_sees_no_personal_data() {
        assert!(!permits(Role::ProvinceViewer, Action::ReadPersonal));
        assert!(!permits(Role::ProvinceViewer, Action::ReadCitizenId));
        assert!(permits(Role::ProvinceViewer, Action::ReadAggregates));
    }

    #[test]
    fn oversight_reads_but_never_writes() {
        assert!(permits(Role::Oversight, Action::ReadPersonal));
        assert!(!permits(Role::Oversight, Action::WriteHouseholds));
        assert!(!permits(Role::Oversight, Action::ProposeChange));
    }

    #[test]
    fn an_office_grants_only_roles_below_its_own() {
        assert!(Role::Admin.may_grant(Role::Admin));
        assert!(Role::Office.may_grant(Role::CommuneOfficer));
        assert!(Role::Office.may_grant(Role::VillageHead));
        assert!(!Role::Office.may_grant(Role::Office));
        assert!(!Role::Office.may_grant(Role::Admin));
        for r in Role::ALL {
            assert_eq!(
                Role::ALL.iter().any(|o| r.may_grant(*o)),
                permits(r, Action::ManageUsers),
                "{r}: granting a role goes with managing users"
            );
        }
    }

    #[test]
    fn roles_round_trip_through_text() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("mayor".parse::<Role>().is_err());
    }
}
