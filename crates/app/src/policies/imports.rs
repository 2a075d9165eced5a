//! Importing an agency's own list of benefits and resolving its match queue (issue 14).
//!
//! A row is matched to a member by citizen ID; failing that, by the folded name, birth
//! year and village; failing that, it is unmatched. A row that fits several members is
//! ambiguous. Ambiguous and unmatched rows wait in the match queue for an officer, who
//! matches them to a member (or household) or rejects them with a reason: nothing read
//! from a list is dropped. The agency's reference (policy, agency, reference) makes the
//! import idempotent: a row whose reference is stored already is skipped.

use super::lists::{ListPolicy, benefit_lists};
use crate::access::{Action, Actor, Role};
use crate::households::By;
use crate::matching::{Index, Match};
use crate::{App, AppError};
use giamngheo_domain::text;
use giamngheo_rules::Beneficiary;
use giamngheo_sheets::SheetErrors;
use giamngheo_sheets::benefit_lists::read_benefit_list;
use giamngheo_sheets::households::FileKind;
use giamngheo_store::{
    AgencyRecord, AuditEntry, ImportedBenefit, MatchCandidate, NewBenefitImport, NewQueueRow,
    QueueRecord,
};
use std::collections::{HashMap, HashSet};

/// What to import.
#[derive(Debug, Clone, Copy)]
pub struct BenefitImportRequest<'a> {
    pub policy: &'a str,
    pub agency_code: &'a str,
    /// The unit to match within: the importer's own unit when `None` (the agency's unit
    /// for the command line).
    pub unit_code: Option<&'a str>,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
}

/// How far an import is, for the command line's progress: each step is announced as it
/// starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStep {
    /// Reading and checking the file.
    Reading,
    /// Matching the file's rows to members.
    Matching { rows: u64 },
    /// Writing the run: its benefits and its queued rows.
    Writing { benefits: u64, queued: u64 },
    /// Reading the facts of the households the run wrote benefits for, and checking them.
    Checking { households: u64 },
    /// Writing the findings the check found (those stored already are left as they are).
    WritingFindings { findings: u64 },
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct BenefitImportSummary {
    pub import_id: Option<i64>,
    /// Rows read from the file.
    pub rows: u64,
    /// Benefits written.
    pub matched: u64,
    /// Rows put in the match queue (unmatched plus ambiguous).
    pub queued: u64,
    pub unmatched: u64,
    pub ambiguous: u64,
    /// Rows whose reference was stored already (by an earlier import of the same list).
    pub skipped: u64,
    /// Findings the import and the check after it added.
    pub findings_added: u64,
}

impl BenefitImportSummary {
    /// The summary in Vietnamese, numbers grouped with dots.
    pub fn message_vi(&self) -> String {
        let mut s = format!(
            "Đã nhập {} dòng; {} dòng chờ đối chiếu",
            group(self.matched),
            group(self.queued)
        );
        if self.skipped > 0 {
            s.push_str(&format!(
                "; {} dòng đã có từ lần nhập trước, không ghi lại",
                group(self.skipped)
            ));
        }
        if self.findings_added > 0 {
            s.push_str(&format!("; {} phát hiện mới", group(self.findings_added)));
        }
        s
    }
}

/// 9500 as «9.500».
pub(crate) fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn who(by: By<'_>) -> (Option<i64>, String) {
    match by {
        By::User(a) => (Some(a.user_id), a.username.clone()),
        By::System => (None, "hệ thống".to_string()),
    }
}

impl App {
    /// The policy and agency of an import or a queued row, with the check that `by` may
    /// act for them in `unit_code`: an agency officer only for their own agency's
    /// policies, an office, a commune officer and an administrator for any agency,
    /// everything within their unit. Outside it, or for another agency, the answer is
    /// `NotFound`.
    pub(crate) async fn benefit_list_access(
        &self,
        by: By<'_>,
        policy: &str,
        agency_code: &str,
        unit_code: &str,
    ) -> Result<(ListPolicy, AgencyRecord), AppError> {
        let policy = benefit_lists()
            .policy(self.policies(), policy)
            .ok_or_else(|| AppError::NotFound(format!("chính sách mã «{policy}»")))?;
        let agency = self
            .store()
            .agency(agency_code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("cơ quan mã «{agency_code}»")))?;
        if let By::User(actor) = by {
            self.authorize(actor, Action::ReadPersonal, unit_code)
                .await?;
            match actor.role {
                Role::Admin | Role::Office | Role::CommuneOfficer => {}
                Role::AgencyOfficer => {
                    if actor.agency_code.as_deref() != Some(agency.code.as_str()) {
                        return Err(AppError::NotFound(format!("cơ quan mã «{agency_code}»")));
                    }
                }
                _ => {
                    return Err(AppError::Forbidden(format!(
                        "vai trò {} không được nhập danh sách hưởng chính sách",
                        actor.role.label_vi()
                    )));
                }
            }
        }
        if !policy.agency_kinds.contains(&agency.kind) {
            return Err(AppError::invalid(
                "policy",
                format!(
                    "{} không cung cấp chính sách «{}»",
                    agency.name, policy.name
                ),
            ));
        }
        Ok((policy, agency))
    }

    /// Imports an agency's list: reads and checks the whole file (a bad row refuses it,
    /// named by line and column, and nothing is written), matches each row, writes the
    /// benefits and the match queue in one transaction, then runs the findings of the
    /// households it wrote benefits for.
    pub async fn import_benefit_list(
        &self,
        by: By<'_>,
        request: &BenefitImportRequest<'_>,
    ) -> Result<BenefitImportSummary, AppError> {
        self.import_benefit_list_with_progress(by, request, &|_| {})
            .await
    }

    /// [`App::import_benefit_list`], announcing each step to `progress` as it starts.
    pub async fn import_benefit_list_with_progress(
        &self,
        by: By<'_>,
        request: &BenefitImportRequest<'_>,
        progress: &(dyn Fn(ImportStep) + Sync),
    ) -> Result<BenefitImportSummary, AppError> {
        // The agency's unit is the command line's default: read it without the check.
        let default_unit = match (request.unit_code, by) {
            (Some(u), _) => u.to_string(),
            (None, By::User(actor)) => actor.unit_code.clone(),
            (None, By::System) => self
                .store()
                .agency(request.agency_code)
                .await?
                .map(|a| a.unit_code)
                .ok_or_else(|| {
                    AppError::NotFound(format!("cơ quan mã «{}»", request.agency_code))
                })?,
        };
        let unit = self.unit(&default_unit).await?;
        let (policy, agency) = self
            .benefit_list_access(by, request.policy, request.agency_code, &unit.code)
            .await?;
        // The list must be matched within the agency's own area.
        let chain = self.store().ancestry(&unit.code).await?;
        if !chain.iter().any(|u| u.code == agency.unit_code) {
            return Err(AppError::invalid(
                "unit",
                format!(
                    "đơn vị {} không thuộc địa bàn của {}",
                    unit.name, agency.name
                ),
            ));
        }
        let lists = benefit_lists();
        let layout = lists.layout_of(&policy).layout.clone();
        progress(ImportStep::Reading);
        let bytes = request.bytes.to_vec();
        let kind = FileKind::detect(request.file_name, request.bytes);
        let rows =
            crate::imports::off_the_async_threads(move || read_benefit_list(&bytes, kind, &layout))
                .await
                .map_err(AppError::File)?;
        let reference_column = lists
            .layout_of(&policy)
            .layout
            .columns
            .iter()
            .find(|(f, _)| *f == giamngheo_sheets::benefit_lists::ListField::Reference)
            .and_then(|(_, a)| a.first().cloned())
            .unwrap_or_default();
        let mut seen: HashMap<&str, u64> = HashMap::new();
        let mut errors = SheetErrors::new();
        for row in &rows {
            if let Some(first) = seen.insert(row.reference.as_str(), row.line) {
                errors.push(
                    row.line,
                    &reference_column,
                    format!("mã «{}» trùng với dòng {first}", row.reference),
                );
                seen.insert(row.reference.as_str(), first);
            }
        }
        if !errors.is_empty() {
            return Err(AppError::File(errors));
        }

        progress(ImportStep::Matching {
            rows: rows.len() as u64,
        });
        let (candidates, villages) = self.match_candidates_of(&unit, &rows).await?;
        let index = Index::new(&candidates, &villages);

        let mut summary = BenefitImportSummary {
            rows: rows.len() as u64,
            ..BenefitImportSummary::default()
        };
        let mut benefits = Vec::new();
        let mut queue = Vec::new();
        for row in &rows {
            let found = index.find(row);
            if let Match::One(i) = found {
                let c = &candidates[i];
                benefits.push(ImportedBenefit {
                    home_province: c.home_province.clone(),
                    household_id: c.household_id,
                    member_id: (policy.unit == Beneficiary::Person).then_some(c.member_id),
                    policy: policy.code.clone(),
                    valid_from: row.valid_from,
                    valid_to: row.valid_to,
                    amount: row.amount,
                    agency_code: agency.code.clone(),
                    reference: row.reference.clone(),
                    unit_code: c.village_code.clone(),
                    province_code: c.province_code.clone(),
                });
                continue;
            }
            let (reason, ids) = match found {
                Match::Ambiguous(ids) => ("ambiguous", ids),
                _ => ("unmatched", Vec::new()),
            };
            queue.push(NewQueueRow {
                line: row.line,
                reference: row.reference.clone(),
                citizen_id: row.citizen_id.clone(),
                full_name: row.full_name.clone(),
                name_folded: text::fold(&row.full_name),
                birth_year: row.birth_year,
                village: row.village.clone(),
                valid_from: row.valid_from,
                valid_to: row.valid_to,
                amount: row.amount,
                reason: reason.into(),
                candidates: ids.iter().map(|i| candidates[*i].member_id).collect(),
            });
        }
        let (user_id, username) = who(by);
        let run = NewBenefitImport {
            policy: policy.code.clone(),
            agency_code: agency.code.clone(),
            unit_code: unit.code.clone(),
            province_code: unit.province_code.clone(),
            file_name: request.file_name.chars().take(200).collect(),
            rows_total: rows.len() as u64,
            recorded_by: username,
            user_id,
        };
        progress(ImportStep::Writing {
            benefits: benefits.len() as u64,
            queued: queue.len() as u64,
        });
        let counts = self
            .store()
            .record_benefit_import(&run, &benefits, &queue, self.clock().now())
            .await?;
        summary.import_id = counts.import_id;
        summary.matched = counts.matched;
        summary.queued = counts.queued;
        summary.skipped = counts.skipped;
        if counts.import_id.is_some() {
            let written: HashSet<&str> = queue.iter().map(|q| q.reference.as_str()).collect();
            summary.ambiguous = queue
                .iter()
                .filter(|q| q.reason == "ambiguous" && written.contains(q.reference.as_str()))
                .count() as u64;
            summary.unmatched = summary.queued - summary.ambiguous.min(summary.queued);
            summary.findings_added += self
                .record_duplicate_citizen_ids(&run, counts.import_id.unwrap_or(0), &rows)
                .await?;
            let mut touched: Vec<i64> = benefits.iter().map(|b| b.household_id).collect();
            touched.sort_unstable();
            touched.dedup();
            progress(ImportStep::Checking {
                households: touched.len() as u64,
            });
            summary.findings_added += self
                .check_findings_of_households(&unit, &touched, progress)
                .await?
                .added;
        }
        tracing::info!(
            policy = %policy.code,
            agency = %agency.code,
            unit = %unit.code,
            matched = summary.matched,
            queued = summary.queued,
            skipped = summary.skipped,
            "benefit list imported"
        );
        Ok(summary)
    }

    /// The queued rows `actor` may see: those of imports within their unit (for an
    /// agency officer, of their agency), waiting ones unless `status` says otherwise.
    pub async fn match_queue(
        &self,
        actor: &Actor,
        status: Option<&str>,
    ) -> Result<Vec<QueueRecord>, AppError> {
        if !actor.may(Action::ReadPersonal) {
            return Err(AppError::Forbidden(format!(
                "vai trò {} không xem được danh sách chờ đối chiếu",
                actor.role.label_vi()
            )));
        }
        let mut units = Vec::new();
        for code in self.store().match_queue_units().await? {
            let chain = self.store().ancestry(&code).await?;
            if actor.covers_chain(chain.iter().map(|u| u.code.as_str())) {
                units.push(code);
            }
        }
        let mut rows = self.store().match_queue(&units, status).await?;
        if actor.role == Role::AgencyOfficer {
            rows.retain(|r| actor.agency_code.as_deref() == Some(r.agency_code.as_str()));
        }
        Ok(rows)
    }

    /// A queued row `by` may act on, with its policy.
    async fn queued_row(&self, by: By<'_>, id: i64) -> Result<(QueueRecord, ListPolicy), AppError> {
        let row = self
            .store()
            .queue_row(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("dòng chờ đối chiếu số {id}")))?;
        let (policy, _) = self
            .benefit_list_access(by, &row.policy, &row.agency_code, &row.unit_code)
            .await
            .map_err(|e| match e {
                // Another agency's or another unit's row does not exist for this user.
                AppError::Invalid { .. } => e,
                _ => AppError::NotFound(format!("dòng chờ đối chiếu số {id}")),
            })?;
        if row.status != "waiting" {
            return Err(AppError::Conflict(format!(
                "dòng chờ đối chiếu số {id} đã được xử lý"
            )));
        }
        Ok((row, policy))
    }

    /// Matches a queued row to a household (and a member, for a policy of persons): the
    /// benefit is written as the list gave it, the row is marked matched, and the change
    /// is audited. The household must be within the officer's unit.
    pub async fn resolve_queued_row(
        &self,
        by: By<'_>,
        id: i64,
        household_id: i64,
        member_id: Option<i64>,
    ) -> Result<i64, AppError> {
        let (row, policy) = self.queued_row(by, id).await?;
        let member_id = match policy.unit {
            Beneficiary::Person => Some(member_id.ok_or_else(|| {
                AppError::invalid(
                    "member_id",
                    "chính sách này cấp cho từng người: hãy chọn thành viên",
                )
            })?),
            Beneficiary::Household => None,
        };
        let target = self
            .store()
            .benefit_target(household_id, member_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("hộ số {household_id}")))?;
        if let By::User(actor) = by {
            self.authorize(actor, Action::ReadPersonal, &target.village_code)
                .await
                .map_err(|_| AppError::NotFound(format!("hộ số {household_id}")))?;
        }
        let (user_id, username) = who(by);
        let benefit = ImportedBenefit {
            home_province: target.home_province.clone(),
            household_id,
            member_id,
            policy: row.policy.clone(),
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            amount: row.amount,
            agency_code: row.agency_code.clone(),
            reference: row.reference.clone(),
            unit_code: target.village_code.clone(),
            province_code: target.province_code.clone(),
        };
        let audit = AuditEntry {
            at: String::new(),
            user_id,
            username,
            action: "benefit.match".into(),
            entity: "benefit".into(),
            entity_id: String::new(),
            household_id: Some(household_id),
            unit_code: Some(target.village_code.clone()),
            province_code: Some(target.province_code.clone()),
            changes: serde_json::json!([
                {"field": "queue_id", "old": null, "new": id},
                {"field": "policy", "old": null, "new": row.policy},
                {"field": "member_id", "old": null, "new": member_id},
            ])
            .to_string(),
            reason: None,
        };
        let benefit_id = self
            .store()
            .resolve_queue_row(id, &benefit, audit, self.clock().now())
            .await?;
        self.check_findings(&target.village_code).await?;
        Ok(benefit_id)
    }

    /// Rejects a queued row with a reason (a person not of this unit, a wrong row of the
    /// agency's list…); the row stays, marked rejected, and the change is audited.
    pub async fn reject_queued_row(
        &self,
        by: By<'_>,
        id: i64,
        reason: &str,
    ) -> Result<(), AppError> {
        let reason = text::normalize(reason);
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "cần ghi lý do từ chối"));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::invalid("reason", "lý do dài quá 500 ký tự"));
        }
        let (row, _) = self.queued_row(by, id).await?;
        let (user_id, username) = who(by);
        let audit = AuditEntry {
            at: String::new(),
            user_id,
            username,
            action: "benefit.reject".into(),
            entity: "benefit_match_queue".into(),
            entity_id: id.to_string(),
            household_id: None,
            unit_code: Some(row.unit_code.clone()),
            province_code: Some(row.province_code.clone()),
            changes: serde_json::json!([
                {"field": "status", "old": "waiting", "new": "rejected"},
            ])
            .to_string(),
            reason: Some(reason.clone()),
        };
        self.store()
            .reject_queue_row(id, &reason, audit, self.clock().now())
            .await?;
        Ok(())
    }
}

/// The agencies and policies an actor may import for, for the import form.
#[derive(Debug, Clone)]
pub struct ImportChoice {
    pub policy: ListPolicy,
    pub agencies: Vec<AgencyRecord>,
}

impl App {
    /// The policies and, for each, the agencies whose lists `actor` may import: an agency
    /// officer's own agency; for others, the agencies still open whose unit is the
    /// actor's or above it.
    pub async fn import_choices(&self, actor: &Actor) -> Result<Vec<ImportChoice>, AppError> {
        if !matches!(
            actor.role,
            Role::Admin | Role::Office | Role::CommuneOfficer | Role::AgencyOfficer
        ) {
            return Err(AppError::Forbidden(format!(
                "vai trò {} không được nhập danh sách hưởng chính sách",
                actor.role.label_vi()
            )));
        }
        let chain = self.store().ancestry(&actor.unit_code).await?;
        let agencies: Vec<AgencyRecord> = self
            .store()
            .agencies()
            .await?
            .into_iter()
            .filter(|a| a.valid_to.is_none())
            .filter(|a| chain.iter().any(|u| u.code == a.unit_code))
            .filter(|a| {
                actor.role != Role::AgencyOfficer
                    || actor.agency_code.as_deref() == Some(a.code.as_str())
            })
            .collect();
        Ok(benefit_lists()
            .policies(self.policies())
            .into_iter()
            .map(|p| ImportChoice {
                agencies: agencies
                    .iter()
                    .filter(|a| p.agency_kinds.contains(&a.kind))
                    .cloned()
                    .collect(),
                policy: p,
            })
            .filter(|c| !c.agencies.is_empty())
            .collect())
    }

    /// The members of `ids` within the actor's unit (the candidates of ambiguous rows).
    pub async fn queue_candidates(
        &self,
        actor: &Actor,
        ids: &HashSet<i64>,
    ) -> Result<Vec<MatchCandidate>, AppError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.authorize(actor, Action::ReadPersonal, &actor.unit_code)
            .await?;
        Ok(self
            .store()
            .match_candidates(&actor.unit_code, actor.unit_tier.as_str())
            .await?
            .into_iter()
            .filter(|c| ids.contains(&c.member_id))
            .collect())
    }

    /// Members within the actor's unit whose folded name contains the folded `query`, for
    /// matching a queued row by hand: at most `limit`.
    pub async fn queue_search(
        &self,
        actor: &Actor,
        query: &str,
        limit: usize,
    ) -> Result<Vec<MatchCandidate>, AppError> {
        self.authorize(actor, Action::ReadPersonal, &actor.unit_code)
            .await?;
        let q = text::fold(query);
        if q.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let tier = actor.unit_tier.as_str();
        let mut hits: Vec<MatchCandidate> = self
            .store()
            .match_candidates(&actor.unit_code, tier)
            .await?
            .into_iter()
            .filter(|c| c.name_folded.contains(&q) || c.household_code.to_lowercase() == q)
            .take(limit)
            .collect();
        hits.sort_by(|a, b| a.household_code.cmp(&b.household_code));
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_with_dots() {
        assert_eq!(group(0), "0");
        assert_eq!(group(300), "300");
        assert_eq!(group(9500), "9.500");
        assert_eq!(group(1_234_567), "1.234.567");
        let s = BenefitImportSummary {
            matched: 9500,
            queued: 300,
            ..Default::default()
        };
        assert_eq!(s.message_vi(), "Đã nhập 9.500 dòng; 300 dòng chờ đối chiếu");
    }
}
