//! An activity's beneficiaries in bulk, from a list in .xlsx or .csv (a livelihood
//! model's households, a training's trainees), with the matching and review queue of
//! the benefit imports (`crate::matching`): a row is matched to a member by citizen ID,
//! else by name, birth year and village; a row that fits nobody or several people waits
//! in the activity's queue for an officer. Nothing read is dropped, a bad file is
//! refused whole naming each bad row by line and column, and a second import of the
//! same list changes nothing.

use super::activities::ActivityView;
use super::allocation::recorder;
use crate::access::{Action, Actor};
use crate::matching::{Index, Match};
use crate::policies::imports::group;
use crate::policies::lists::{ACTIVITY_BENEFICIARIES, benefit_lists};
use crate::{App, AppError};
use giamngheo_domain::text;
use giamngheo_sheets::benefit_lists::{ListRow, read_benefit_list};
use giamngheo_sheets::households::FileKind;
use giamngheo_store::{
    ActivityQueueRecord, NewActivityImport, NewActivityQueueRow, NewBeneficiary,
};

/// What an import of an activity's list did.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ActivityImportSummary {
    /// Rows read from the file.
    pub rows: u64,
    /// People added to the activity's list.
    pub added: u64,
    /// Rows put in the queue (unmatched plus ambiguous).
    pub queued: u64,
    pub unmatched: u64,
    pub ambiguous: u64,
    /// Rows already on the list or in the queue (an earlier import of the same list).
    pub skipped: u64,
}

impl ActivityImportSummary {
    /// The summary in Vietnamese, numbers grouped with dots.
    pub fn message_vi(&self) -> String {
        let mut s = format!(
            "Đã đọc {} dòng: thêm {} người vào danh sách hưởng lợi; {} dòng chờ đối chiếu \
             ({} không tìm thấy, {} trùng nhiều người)",
            group(self.rows),
            group(self.added),
            group(self.queued),
            group(self.unmatched),
            group(self.ambiguous)
        );
        if self.skipped > 0 {
            s.push_str(&format!(
                "; {} dòng đã có từ lần nhập trước, không ghi lại",
                group(self.skipped)
            ));
        }
        s
    }
}

/// What identifies the person a row names, for the queue's "once per activity": the
/// citizen ID, else the folded name, birth year and village.
fn row_key(row: &ListRow) -> String {
    match &row.citizen_id {
        Some(id) => format!("cccd:{id}"),
        None => format!(
            "ten:{}|{}|{}",
            text::fold(&row.full_name),
            row.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            row.village.as_deref().map(text::fold).unwrap_or_default()
        ),
    }
}

impl App {
    /// The activity and the check that `actor` may change its list of beneficiaries and
    /// read the people of its unit (a list names them).
    async fn activity_for_list(&self, actor: &Actor, id: i64) -> Result<ActivityView, AppError> {
        let activity = self.activity(actor, id).await?;
        self.authorize_activity_write(actor, &activity.fields.unit_code, activity.livelihood_model)
            .await?;
        self.authorize(actor, Action::ReadPersonal, &activity.fields.unit_code)
            .await?;
        Ok(activity)
    }

    /// Imports a list of beneficiaries for activity `id` (see the module documentation).
    pub async fn import_activity_beneficiaries(
        &self,
        actor: &Actor,
        id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<ActivityImportSummary, AppError> {
        let activity = self.activity_for_list(actor, id).await?;
        let layout = benefit_lists().layouts[ACTIVITY_BENEFICIARIES]
            .layout
            .clone();
        let kind = FileKind::detect(file_name, bytes);
        let owned = bytes.to_vec();
        let rows =
            crate::imports::off_the_async_threads(move || read_benefit_list(&owned, kind, &layout))
                .await
                .map_err(AppError::File)?;
        let unit = self.unit(&activity.fields.unit_code).await?;
        let (candidates, villages) = self.match_candidates_of(&unit, &rows).await?;
        let index = Index::new(&candidates, &villages);
        let mut summary = ActivityImportSummary {
            rows: rows.len() as u64,
            ..ActivityImportSummary::default()
        };
        let mut matched = Vec::new();
        let mut queue = Vec::new();
        for row in &rows {
            let (reason, ids) = match index.find(row) {
                Match::One(i) => {
                    let c = &candidates[i];
                    let beneficiary = NewBeneficiary {
                        home_province: c.home_province.clone(),
                        household_id: Some(c.household_id),
                        member_id: Some(c.member_id),
                        commune_code: c.commune_code.clone(),
                        action: "add".into(),
                        reason: None,
                    };
                    let audit = self.audit(
                        actor,
                        "programme.beneficiary.import",
                        "programme_activity",
                        id.to_string(),
                        Some(c.household_id),
                        &c.commune_code,
                        &c.province_code,
                        vec![
                            Self::change("member_id", serde_json::Value::Null, c.member_id),
                            Self::change("line", serde_json::Value::Null, row.line),
                        ],
                    );
                    matched.push((beneficiary, audit));
                    continue;
                }
                Match::Ambiguous(ids) => ("ambiguous", ids),
                Match::None => ("unmatched", Vec::new()),
            };
            queue.push(NewActivityQueueRow {
                line: row.line,
                row_key: row_key(row),
                citizen_id: row.citizen_id.clone(),
                full_name: row.full_name.clone(),
                name_folded: text::fold(&row.full_name),
                birth_year: row.birth_year,
                village: row.village.clone(),
                reason: reason.into(),
                candidates: ids.iter().map(|i| candidates[*i].member_id).collect(),
            });
        }
        let file_name: String = file_name.chars().take(200).collect();
        let run = NewActivityImport {
            activity_id: id,
            unit_code: &unit.code,
            province_code: &unit.province_code,
            file_name: &file_name,
            matched: &matched,
            queue: &queue,
        };
        let counts = self
            .store()
            .record_activity_import(&run, &recorder(actor), self.clock().now())
            .await?;
        summary.added = counts.added;
        summary.queued = counts.queued;
        summary.skipped = counts.skipped;
        summary.ambiguous = counts.queued_ambiguous;
        summary.unmatched = counts.queued - counts.queued_ambiguous;
        tracing::info!(
            activity = id,
            rows = summary.rows,
            added = summary.added,
            queued = summary.queued,
            skipped = summary.skipped,
            "activity beneficiaries imported"
        );
        Ok(summary)
    }

    /// The queued rows of activity `id` (waiting ones unless `status` says otherwise),
    /// for someone who may change its list.
    pub async fn activity_queue(
        &self,
        actor: &Actor,
        id: i64,
        status: Option<&str>,
    ) -> Result<Vec<ActivityQueueRecord>, AppError> {
        self.activity_for_list(actor, id).await?;
        Ok(self
            .store()
            .activity_queue(id, Some(status.unwrap_or("waiting")))
            .await?)
    }

    /// A waiting queued row `actor` may close, with its activity.
    async fn waiting_row(
        &self,
        actor: &Actor,
        queue_id: i64,
    ) -> Result<(ActivityQueueRecord, ActivityView), AppError> {
        let not_found = || AppError::NotFound(format!("dòng chờ đối chiếu số {queue_id}"));
        let row = self
            .store()
            .activity_queue_row(queue_id)
            .await?
            .ok_or_else(not_found)?;
        let activity = self
            .activity_for_list(actor, row.activity_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        if row.status != "waiting" {
            return Err(AppError::Conflict(format!(
                "dòng chờ đối chiếu số {queue_id} đã được xử lý"
            )));
        }
        Ok((row, activity))
    }

    /// Matches a queued row to a household of the activity's unit (and one of its
    /// members, if given): the person joins the list and the row is closed, audited.
    pub async fn resolve_activity_queue_row(
        &self,
        actor: &Actor,
        queue_id: i64,
        household_id: i64,
        member_id: Option<i64>,
    ) -> Result<(), AppError> {
        let (row, activity) = self.waiting_row(actor, queue_id).await?;
        let not_found = || AppError::NotFound(format!("hộ số {household_id}"));
        let household = self
            .store()
            .household(household_id)
            .await?
            .filter(|h| h.active)
            .ok_or_else(not_found)?;
        let chain = self
            .store()
            .ancestry(&household.fields.village_code)
            .await?;
        if !chain.iter().any(|u| u.code == activity.fields.unit_code) {
            return Err(AppError::invalid(
                "household_id",
                format!("hộ số {household_id} không thuộc đơn vị của hoạt động"),
            ));
        }
        self.authorize(actor, Action::ReadPersonal, &household.fields.village_code)
            .await
            .map_err(|_| not_found())?;
        if let Some(m) = member_id
            && !self
                .store()
                .members_of(household_id, false)
                .await?
                .iter()
                .any(|x| x.id == m)
        {
            return Err(AppError::invalid(
                "member_id",
                format!("hộ số {household_id} không có thành viên số {m}"),
            ));
        }
        let home_province = self
            .store()
            .home_province_of(household_id)
            .await?
            .ok_or_else(not_found)?;
        let beneficiary = NewBeneficiary {
            home_province,
            household_id: Some(household_id),
            member_id,
            commune_code: household.fields.commune_code.clone(),
            action: "add".into(),
            reason: None,
        };
        let audit = self.audit(
            actor,
            "programme.beneficiary.match",
            "programme_activity",
            row.activity_id.to_string(),
            Some(household_id),
            &household.fields.commune_code,
            &household.fields.province_code,
            vec![
                Self::change("queue_id", serde_json::Value::Null, queue_id),
                Self::change("member_id", serde_json::Value::Null, member_id),
            ],
        );
        self.store()
            .close_activity_queue_row(
                queue_id,
                Some(&beneficiary),
                None,
                &audit,
                &recorder(actor),
                self.clock().now(),
            )
            .await?;
        Ok(())
    }

    /// Rejects a queued row with a reason (someone not of this unit, a wrong line of the
    /// list…); the row stays, marked rejected, and the change is audited.
    pub async fn reject_activity_queue_row(
        &self,
        actor: &Actor,
        queue_id: i64,
        reason: &str,
    ) -> Result<(), AppError> {
        let reason = text::normalize(reason.trim());
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "cần ghi lý do từ chối"));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::invalid("reason", "lý do dài quá 500 ký tự"));
        }
        let (row, _) = self.waiting_row(actor, queue_id).await?;
        let mut audit = self.audit(
            actor,
            "programme.beneficiary.reject",
            "programme_beneficiary_queue",
            queue_id.to_string(),
            None,
            &row.unit_code,
            &row.province_code,
            vec![Self::change("status", "waiting", "rejected")],
        );
        audit.reason = Some(reason.clone());
        self.store()
            .close_activity_queue_row(
                queue_id,
                None,
                Some(&reason),
                &audit,
                &recorder(actor),
                self.clock().now(),
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_keyed_by_citizen_id_else_by_folded_name_year_and_village() {
        let row = |id: Option<&str>, name: &str, village: Option<&str>| ListRow {
            line: 2,
            reference: String::new(),
            citizen_id: id.map(str::to_string),
            full_name: name.into(),
            birth_year: Some(1980),
            village: village.map(str::to_string),
            valid_from: chrono::NaiveDate::MIN,
            valid_to: None,
            amount: None,
        };
        assert_eq!(
            row_key(&row(Some("042000000001"), "Lê Văn An", None)),
            "cccd:042000000001"
        );
        assert_eq!(
            row_key(&row(None, "Lê Văn An", Some("Thôn Trung Hòa"))),
            row_key(&row(None, "LE VAN AN", Some("thon trung hoa")))
        );
    }
}
