//! The villages of communes a reform split (`whole = 0` in its mapping): they wait, under
//! their old commune and flagged, until an administrator gives each one of the new
//! communes the old one went into. Both ways of doing so — a CSV file from the command
//! line (`giamngheo units assign-villages`) and the page of the web — go through the one
//! check here.

use crate::access::{Action, Actor, Role};
use crate::{App, AppError};
use giamngheo_sheets::SheetErrors;
use giamngheo_sheets::reform::read_village_assignments;
use giamngheo_store::{ReformOutcome, VillageAssignment};
use std::io::Read;

/// A village waiting for its new commune, with the communes it may go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingVillage {
    pub code: String,
    pub name: String,
    pub old_commune_code: String,
    pub old_commune_name: String,
    /// The new communes the old one went into, `(code, name)`: the only choices.
    pub candidates: Vec<(String, String)>,
}

/// Who may give a waiting village its commune: an administrator or an office, within
/// its unit. A commune officer manages its own villages but cannot choose which commune
/// a village belongs to.
fn may_assign(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin | Role::Office)
}

impl App {
    /// Gives the villages of split communes their new commune, from a CSV file
    /// (`village_code,commune_code`): each village must be waiting (flagged by a reform)
    /// and the commune one of those its old commune went into. All rows or none; the
    /// village's households and open review rows follow it.
    pub async fn assign_villages<R: Read>(&self, input: R) -> Result<ReformOutcome, AppError> {
        let rows = read_village_assignments(input)?;
        let rows: Vec<(u64, &str, &str)> = rows
            .iter()
            .map(|r| (r.line, r.village_code.as_str(), r.commune_code.as_str()))
            .collect();
        let assignments = self.check_assignments(&rows).await??;
        Ok(self
            .store()
            .assign_villages(&assignments, self.clock().now())
            .await?)
    }

    /// The villages waiting for a new commune that `actor` may assign, by code.
    pub async fn waiting_villages(&self, actor: &Actor) -> Result<Vec<WaitingVillage>, AppError> {
        if !may_assign(actor) {
            return Err(AppError::Forbidden(format!(
                "vai trò {} không được phân thôn về xã mới",
                actor.role.label_vi()
            )));
        }
        let mut out = Vec::new();
        for village in self.store().waiting_villages(None).await? {
            // Only the villages within the actor's unit, checked on the server.
            if self
                .authorize(actor, Action::ManageUnits, &village.code)
                .await
                .is_err()
            {
                continue;
            }
            let old_code = village.parent_code.clone().unwrap_or_default();
            let (old_name, candidates) = match self.store().unit(&old_code).await? {
                Some(old) => {
                    let successors = self.successors(&old).await?;
                    (
                        old.name,
                        successors
                            .into_iter()
                            .map(|(u, _)| (u.code, u.name))
                            .collect(),
                    )
                }
                None => (String::new(), Vec::new()),
            };
            out.push(WaitingVillage {
                code: village.code,
                name: village.name,
                old_commune_code: old_code,
                old_commune_name: old_name,
                candidates,
            });
        }
        Ok(out)
    }

    /// Gives one waiting village its new commune, for `actor` (the web page): the same
    /// check as the CSV file, with the village and the commune within the actor's unit.
    pub async fn assign_village(
        &self,
        actor: &Actor,
        village_code: &str,
        commune_code: &str,
    ) -> Result<ReformOutcome, AppError> {
        if !may_assign(actor) {
            return Err(AppError::Forbidden(format!(
                "vai trò {} không được phân thôn về xã mới",
                actor.role.label_vi()
            )));
        }
        self.authorize(actor, Action::ManageUnits, village_code)
            .await?;
        if commune_code.trim().is_empty() {
            return Err(AppError::invalid(
                "commune_code",
                "hãy chọn xã mới cho thôn",
            ));
        }
        self.authorize(actor, Action::ManageUnits, commune_code)
            .await?;
        let assignments = match self
            .check_assignments(&[(1, village_code, commune_code)])
            .await?
        {
            Ok(a) => a,
            // One row: its problem is the answer, without a line number the page has not.
            Err(errors) => {
                let first = errors.errors.into_iter().next();
                return Err(match first {
                    Some(e) => AppError::invalid(&e.column, e.reason),
                    None => AppError::invalid("village_code", "không phân được thôn"),
                });
            }
        };
        let outcome = self
            .store()
            .assign_villages(&assignments, self.clock().now())
            .await?;
        tracing::info!(
            user_id = actor.user_id,
            village = %village_code,
            commune = %commune_code,
            "village assigned to its new commune"
        );
        Ok(outcome)
    }

    /// Checks assignments `(line, village code, commune code)`: each village open and
    /// waiting, each commune one its old commune went into. Every problem is named by
    /// line and column (the inner error); the outer one is the database's.
    async fn check_assignments(
        &self,
        rows: &[(u64, &str, &str)],
    ) -> Result<Result<Vec<VillageAssignment>, SheetErrors>, AppError> {
        let mut errors = SheetErrors::new();
        let mut assignments = Vec::new();
        for &(line, village_code, commune_code) in rows {
            let village = self.store().unit(village_code).await?;
            let Some(village) = village.filter(|v| v.tier == "village" && v.valid_to.is_none())
            else {
                errors.push(
                    line,
                    "village_code",
                    format!("không có thôn mã {village_code} còn hiệu lực"),
                );
                continue;
            };
            if !village.awaiting_assignment {
                errors.push(
                    line,
                    "village_code",
                    format!(
                        "thôn {} ({}) không chờ phân về xã mới",
                        village.name, village.code
                    ),
                );
                continue;
            }
            let old = village.parent_code.clone().unwrap_or_default();
            let successors = match self.store().unit(&old).await? {
                Some(u) => self.successors(&u).await?,
                None => Vec::new(),
            };
            let Some((commune, _)) = successors.into_iter().find(|(u, _)| u.code == commune_code)
            else {
                errors.push(
                    line,
                    "commune_code",
                    format!(
                        "xã mã {commune_code} không nhận phần nào của xã cũ {old} (thôn {})",
                        village.name
                    ),
                );
                continue;
            };
            assignments.push(VillageAssignment {
                village_code: village.code.clone(),
                village_valid_from: village.valid_from,
                commune_code: commune.code.clone(),
                commune_level: commune.level,
                commune_name: commune.name.clone(),
                province_code: commune.province_code.clone(),
                effective: commune.valid_from,
            });
        }
        Ok(if errors.is_empty() {
            Ok(assignments)
        } else {
            Err(errors)
        })
    }
}
