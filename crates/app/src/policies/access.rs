//! Who may record a policy's benefits.

use crate::access::{Action, Actor, Role};
use crate::{App, AppError};
use giamngheo_rules::Policy;

impl App {
    /// Checks that `actor` may record benefits of `policy` for a household of
    /// `unit_code`.
    ///
    /// The office and a commune officer record every policy of their area. An agency
    /// officer records only the policies whose agency kinds include their agency's kind;
    /// another agency's policy answers "not found", like a unit outside their area, so
    /// that they cannot tell what another agency records. Other roles read only.
    pub(crate) async fn authorize_benefit_write(
        &self,
        actor: &Actor,
        policy: &Policy,
        unit_code: &str,
    ) -> Result<(), AppError> {
        if actor.role != Role::AgencyOfficer {
            return self
                .authorize(actor, Action::WriteHouseholds, unit_code)
                .await;
        }
        // The area first: outside it, the answer is the same whatever the policy.
        self.authorize(actor, Action::ReadPersonal, unit_code)
            .await?;
        let not_found = || AppError::NotFound(format!("chính sách «{}»", policy.code));
        let Some(code) = actor.agency_code.as_deref() else {
            return Err(not_found());
        };
        let agency = self.store().agency(code).await?.ok_or_else(not_found)?;
        if !policy.recorded_by(&agency.kind) {
            return Err(not_found());
        }
        Ok(())
    }

    /// Whether `actor` may record benefits of `policy` anywhere in their area: for the
    /// menus and the list of policies offered on a household's page.
    pub async fn may_record_policy(&self, actor: &Actor, policy: &Policy) -> bool {
        match actor.role {
            Role::Admin | Role::Office | Role::CommuneOfficer => true,
            Role::AgencyOfficer => match actor.agency_code.as_deref() {
                Some(code) => matches!(
                    self.store().agency(code).await,
                    Ok(Some(agency)) if policy.recorded_by(&agency.kind)
                ),
                None => false,
            },
            _ => false,
        }
    }
}
