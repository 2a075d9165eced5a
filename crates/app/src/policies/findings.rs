//! Findings on the support policies (trục lợi chính sách), computed from the benefits:
//! a benefit to a household not eligible on its date; the same person (citizen ID) on two
//! households' lists; a loan for recently escaped households given after the years of
//! grace; a card of someone recorded dead or moved away; the same citizen ID twice in one
//! import. Each is added once, by a stable `check_key`, with its evidence in words; an
//! officer closes it as justified or corrected. The list shows findings of every source
//! (the review's and the inspections' too).

use super::coverage::{household_traits, member_traits};
use super::imports::{ImportStep, group};
use super::lists::{BenefitLists, benefit_lists};
use crate::access::{Action, Actor, Role};
use crate::households::By;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_rules::{
    PolicyCatalogue, Status, StatusChange, StatusHistory, eligible, household_eligible,
};
use giamngheo_sheets::benefit_lists::ListRow;
use giamngheo_store::{
    AuditEntry, FactsOf, FindingRecord, HouseholdFact, ImportedBenefitRecord, MemberFact,
    NewBenefitImport, NewFinding, PersonBenefit, StatusHistoryRow,
};
use std::collections::{BTreeMap, HashMap};

/// What a check run added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct FindingsRun {
    /// Findings found (new or already stored).
    pub found: u64,
    /// Of which new.
    pub added: u64,
}

/// The finding kinds this module computes, with their Vietnamese names.
pub const POLICY_FINDING_KINDS: [(&str, &str); 5] = [
    (
        "ineligible_benefit",
        "Hưởng chính sách khi không đủ điều kiện",
    ),
    (
        "duplicate_person",
        "Một người có tên trong danh sách hưởng của hai hộ",
    ),
    (
        "loan_after_escape",
        "Vay vốn hộ mới thoát nghèo quá thời hạn",
    ),
    (
        "card_after_death",
        "Thẻ BHYT của người đã chết hoặc chuyển đi",
    ),
    (
        "duplicate_citizen_id_in_import",
        "Một số CCCD xuất hiện hai lần trong một lần nhập",
    ),
];

/// Every finding kind of the one findings list (the policy checks', the review's and
/// the inspections'), with its Vietnamese name.
pub fn finding_kinds() -> Vec<(&'static str, &'static str)> {
    let others = crate::inspections::REVIEW_FINDING_KINDS
        .iter()
        .chain(crate::inspections::INSPECTION_FINDING_KINDS.iter())
        .map(|(k, vi, _)| (*k, *vi));
    POLICY_FINDING_KINDS.iter().copied().chain(others).collect()
}

/// A finding kind's name in Vietnamese; a kind no longer known is «Phát hiện khác»,
/// never its code.
pub fn finding_kind_vi(kind: &str) -> &'static str {
    finding_kinds()
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map_or("Phát hiện khác", |(_, name)| name)
}

/// A citizen ID shown with only its last three digits.
fn masked(id: &str) -> String {
    let keep = id.len().saturating_sub(3);
    format!("{}{}", "*".repeat(keep), &id[keep..])
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn evidence(text: String, extra: serde_json::Value) -> String {
    let mut v = serde_json::json!({ "text": text });
    if let (Some(obj), serde_json::Value::Object(more)) = (v.as_object_mut(), extra) {
        obj.extend(more);
    }
    v.to_string()
}

/// The evidence of a stored finding in words.
/// The evidence of a stored finding in words: the checks write it as `text`, the
/// inspectors as `note`.
pub fn evidence_text(f: &FindingRecord) -> String {
    let v = serde_json::from_str::<serde_json::Value>(&f.evidence).ok();
    ["text", "note"]
        .iter()
        .find_map(|key| v.as_ref()?.get(key)?.as_str().map(str::to_string))
        .unwrap_or_else(|| f.evidence.clone())
}

/// Each household's classifications with corrections applied, in the order made.
pub(crate) fn histories(rows: &[StatusHistoryRow]) -> HashMap<i64, StatusHistory> {
    let superseded: std::collections::HashSet<i64> =
        rows.iter().filter_map(|r| r.supersedes).collect();
    let mut out: HashMap<i64, Vec<StatusChange>> = HashMap::new();
    for r in rows.iter().filter(|r| !superseded.contains(&r.id)) {
        if let Ok(status) = r.status.parse::<Status>() {
            out.entry(r.household_id).or_default().push(StatusChange {
                effective: r.effective_date,
                status,
            });
        }
    }
    out.into_iter()
        .map(|(id, changes)| (id, StatusHistory::new(changes)))
        .collect()
}

/// Where the household stood on `date`, in words, for the evidence.
fn standing_vi(history: &StatusHistory, date: NaiveDate) -> String {
    match history.status_on(date) {
        None => "chưa có kết quả phân loại".into(),
        Some(Status::Poor) => "hộ nghèo".into(),
        Some(Status::NearPoor) => "hộ cận nghèo".into(),
        Some(_) => match history.left_lists_on_or_before(date) {
            Some(left_on) => format!("đã thoát nghèo từ {}", dmy(left_on)),
            None => "không thuộc hộ nghèo, cận nghèo".into(),
        },
    }
}

/// What the checks on the benefits of one unit read.
#[derive(Debug, Default)]
pub(crate) struct CheckInputs {
    /// The benefits not voided of the unit's households.
    pub benefits: Vec<ImportedBenefitRecord>,
    pub history: Vec<StatusHistoryRow>,
    /// The unit's members, active or not.
    pub members: Vec<MemberFact>,
    pub households: Vec<HouseholdFact>,
    /// The flags of the units flagged (see `Store::unit_flags`).
    pub unit_flags: HashMap<String, (bool, bool)>,
    /// When the members who left did so.
    pub left_on: HashMap<i64, NaiveDate>,
    /// The benefits, anywhere in the province, of the people with a citizen ID who hold a
    /// benefit in the unit: a person is on two households' lists whichever units they are.
    pub elsewhere: Vec<PersonBenefit>,
}

/// The checks on the benefits of one unit, pure: the findings they raise.
pub(crate) fn benefit_findings(
    lists: &BenefitLists,
    catalogue: &PolicyCatalogue,
    inputs: &CheckInputs,
) -> Vec<NewFinding> {
    let CheckInputs {
        benefits,
        history,
        members,
        households,
        unit_flags,
        left_on,
        elsewhere,
    } = inputs;
    let no_history = StatusHistory::default();
    let histories = histories(history);
    let members: HashMap<i64, &MemberFact> = members.iter().map(|m| (m.id, m)).collect();
    let households: HashMap<i64, &HouseholdFact> = households.iter().map(|h| (h.id, h)).collect();
    let codes: HashMap<i64, &str> = members
        .values()
        .map(|m| (m.household_id, m.household_code.as_str()))
        .collect();
    let household_code = |b: &ImportedBenefitRecord| {
        codes
            .get(&b.household_id)
            .map_or_else(|| b.household_id.to_string(), |c| (*c).to_string())
    };
    let finding =
        |kind: &str, key: String, b: &ImportedBenefitRecord, text: String, action: &str| {
            NewFinding {
                source: "policy".into(),
                kind: kind.into(),
                check_key: Some(key),
                province_code: b.province_code.clone(),
                unit_code: b.unit_code.clone(),
                household_id: Some(b.household_id),
                member_id: b.member_id,
                benefit_id: Some(b.id),
                evidence: evidence(
                    text,
                    serde_json::json!({
                        "policy": b.policy,
                        "reference": b.reference,
                        "valid_from": b.valid_from,
                    }),
                ),
                required_action: Some(action.into()),
                responsible_agency: b.agency_code.clone(),
                ..Default::default()
            }
        };
    let mut out = Vec::new();
    for b in benefits {
        let Some(policy) = lists.policy(catalogue, &b.policy) else {
            continue;
        };
        let history = histories.get(&b.household_id).unwrap_or(&no_history);
        let reference = b.reference.as_deref().unwrap_or("—");
        // The catalogue's rule on the benefit's date over the same facts coverage reads:
        // the household's ethnicity, its village's and commune's flags, and the member's
        // age and school level for a benefit given to a person.
        let traits = households
            .get(&b.household_id)
            .map(|h| {
                household_traits(
                    unit_flags,
                    &h.village_code,
                    &h.commune_code,
                    h.ethnic_minority,
                )
            })
            .unwrap_or_default();
        let household_ok =
            household_eligible(&policy.policy, history, traits, b.valid_from).is_eligible();
        let member = b
            .member_id
            .and_then(|id| members.get(&id))
            .map(|m| member_traits(m.birth_date, m.birth_year, &m.school_level));
        let eligible = match member {
            Some(member) => {
                eligible(&policy.policy, history, traits, Some(member), b.valid_from).is_eligible()
            }
            None => household_ok,
        };
        let years = policy
            .policy
            .eligibility
            .recently_escaped_years
            .as_ref()
            .map(|f| f.value);
        let left_lists = history.left_lists_on_or_before(b.valid_from);
        if eligible {
            // Nothing to say about eligibility.
        } else if policy.loan_after_escape()
            && let (Some(left_on), Some(years)) = (left_lists, years)
        {
            out.push(finding(
                "loan_after_escape",
                format!("loan_after_escape:{}", b.id),
                b,
                format!(
                    "Hộ {} vay «{}» (số {reference}) ngày {}, khi đã thoát nghèo từ {} — quá {years} năm",
                    household_code(b),
                    policy.name,
                    dmy(b.valid_from),
                    dmy(left_on),
                ),
                "Rà soát khoản vay với Ngân hàng Chính sách xã hội",
            ));
        } else {
            out.push(finding(
                "ineligible_benefit",
                format!("ineligible_benefit:{}", b.id),
                b,
                format!(
                    "Hộ {} hưởng «{}» (số {reference}) ngày {}, khi {}",
                    household_code(b),
                    policy.name,
                    dmy(b.valid_from),
                    if household_ok {
                        "người hưởng không đủ điều kiện về tuổi hoặc cấp học".to_string()
                    } else {
                        standing_vi(history, b.valid_from)
                    },
                ),
                "Xác minh điều kiện hưởng; thu hồi nếu không đủ điều kiện",
            ));
        }
        if policy.card()
            && let Some(m) = b.member_id.and_then(|id| members.get(&id))
            && !m.active
        {
            let left = left_on.get(&m.id).copied();
            let still_valid = match (left, b.valid_to) {
                (Some(left), Some(to)) => to >= left,
                _ => true,
            };
            if still_valid {
                let since = left.map_or_else(|| "không rõ ngày".to_string(), dmy);
                out.push(finding(
                    "card_after_death",
                    format!("card_after_death:{}", b.id),
                    b,
                    format!(
                        "Thẻ «{}» (số {reference}) của thành viên đã chết hoặc chuyển đi khỏi hộ {} (ghi nhận {since}) còn giá trị đến {}",
                        policy.name,
                        m.household_code,
                        b.valid_to.map_or_else(|| "không thời hạn".to_string(), dmy),
                    ),
                    "Báo cơ quan Bảo hiểm xã hội thu hồi thẻ",
                ));
            }
        }
    }
    // The same citizen ID on two households' benefits of one policy, the unit's benefits
    // compared with the province's. Each group is ordered by benefit id, so the earliest
    // benefit is the one the others are reported against whichever unit is checked, and
    // a finding's key is the same from every unit.
    type Group<'a> = BTreeMap<i64, (&'a ImportedBenefitRecord, String)>;
    let mut by_person: BTreeMap<(&str, &str), Group<'_>> = BTreeMap::new();
    for b in benefits {
        if let Some(id) = b
            .member_id
            .and_then(|m| members.get(&m))
            .and_then(|m| m.citizen_id.as_deref())
        {
            by_person
                .entry((b.policy.as_str(), id))
                .or_default()
                .insert(b.id, (b, household_code(b)));
        }
    }
    for p in elsewhere {
        if let Some(group) = by_person.get_mut(&(p.benefit.policy.as_str(), p.citizen_id.as_str()))
        {
            group
                .entry(p.benefit.id)
                .or_insert((&p.benefit, p.household_code.clone()));
        }
    }
    for ((policy, id), group) in by_person {
        let mut list = group.into_values();
        let Some((first, first_code)) = list.next() else {
            continue;
        };
        for (other, other_code) in list.filter(|(b, _)| b.household_id != first.household_id) {
            out.push(finding(
                "duplicate_person",
                format!("duplicate_person:{}:{}", first.id, other.id),
                other,
                format!(
                    "Số CCCD {} có trong danh sách hưởng «{policy}» của hai hộ: {first_code} và {other_code}",
                    masked(id),
                ),
                "Xác minh người này thuộc hộ nào; thu hồi phần hưởng trùng",
            ));
        }
    }
    out
}

impl App {
    /// Runs the policy checks on the benefits of a unit and adds the new findings.
    pub async fn check_findings(&self, unit_code: &str) -> Result<FindingsRun, AppError> {
        let unit = self.unit(unit_code).await?;
        self.check_findings_of(
            &unit,
            FactsOf::Unit {
                code: &unit.code,
                tier: &unit.tier,
            },
            &|_| {},
        )
        .await
    }

    /// Runs the policy checks on the benefits of these households of a unit (those an
    /// import just wrote benefits for) and adds the new findings. Every check looks at a
    /// benefit with its own household's facts, or, for the same person on two lists, at
    /// the person's benefits anywhere in the province; so the findings an import can
    /// bring are all found here, without reading the rest of the province.
    pub(crate) async fn check_findings_of_households(
        &self,
        unit: &giamngheo_store::UnitRecord,
        household_ids: &[i64],
        progress: &(dyn Fn(ImportStep) + Sync),
    ) -> Result<FindingsRun, AppError> {
        self.check_findings_of(unit, FactsOf::Households(household_ids), progress)
            .await
    }

    async fn check_findings_of(
        &self,
        unit: &giamngheo_store::UnitRecord,
        of: FactsOf<'_>,
        progress: &(dyn Fn(ImportStep) + Sync),
    ) -> Result<FindingsRun, AppError> {
        let store = self.store();
        let benefits = store.benefits_of(of).await?;
        let history = store.status_history_of(of).await?;
        let members = store.member_facts_of(of).await?;
        let inactive: Vec<i64> = members.iter().filter(|m| !m.active).map(|m| m.id).collect();
        let left_on: HashMap<i64, NaiveDate> = store
            .members_left_at(&inactive)
            .await?
            .into_iter()
            .filter_map(|(id, at)| {
                NaiveDate::parse_from_str(at.get(..10)?, "%Y-%m-%d")
                    .ok()
                    .map(|d| (id, d))
            })
            .collect();
        // The citizen IDs of the people holding a benefit in the unit, to find their
        // benefits on other households' lists anywhere in the province.
        let holders: std::collections::HashSet<i64> =
            benefits.iter().filter_map(|b| b.member_id).collect();
        let mut citizen_ids: Vec<String> = members
            .iter()
            .filter(|m| holders.contains(&m.id))
            .filter_map(|m| m.citizen_id.clone())
            .collect();
        citizen_ids.sort_unstable();
        citizen_ids.dedup();
        let elsewhere = store
            .person_benefits_in_province(&unit.province_code, &citizen_ids)
            .await?;
        let inputs = CheckInputs {
            households: store.household_facts_of(of).await?,
            unit_flags: store.unit_flags().await?,
            benefits,
            history,
            members,
            left_on,
            elsewhere,
        };
        let found = benefit_findings(benefit_lists(), self.policies(), &inputs);
        progress(ImportStep::WritingFindings {
            findings: found.len() as u64,
        });
        let added = store.insert_findings(&found, self.clock().now()).await?;
        if added > 0 {
            tracing::info!(unit = %unit.code, added, "policy findings added");
        }
        Ok(FindingsRun {
            found: found.len() as u64,
            added,
        })
    }

    /// Adds a finding for each citizen ID that appears on two or more rows of one import.
    pub(crate) async fn record_duplicate_citizen_ids(
        &self,
        run: &NewBenefitImport,
        import_id: i64,
        rows: &[ListRow],
    ) -> Result<u64, AppError> {
        let mut lines: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for r in rows {
            if let Some(id) = &r.citizen_id {
                lines.entry(id.as_str()).or_default().push(r.line);
            }
        }
        let found: Vec<NewFinding> = lines
            .into_iter()
            .filter(|(_, l)| l.len() > 1)
            .map(|(id, l)| NewFinding {
                source: "policy".into(),
                kind: "duplicate_citizen_id_in_import".into(),
                check_key: Some(format!("duplicate_citizen_id_in_import:{import_id}:{}", l[0])),
                province_code: run.province_code.clone(),
                unit_code: run.unit_code.clone(),
                household_id: None,
                member_id: None,
                benefit_id: None,
                evidence: evidence(
                    format!(
                        "Số CCCD {} xuất hiện {} lần trong lần nhập số {import_id} («{}»), ở các dòng {}",
                        masked(id),
                        l.len(),
                        run.file_name,
                        l.iter().map(|n| group(*n)).collect::<Vec<_>>().join(", "),
                    ),
                    serde_json::json!({ "import_id": import_id, "lines": l }),
                ),
                required_action: Some("Đề nghị cơ quan gửi danh sách kiểm tra lại các dòng trùng".into()),
                responsible_agency: Some(run.agency_code.clone()),
                ..Default::default()
            })
            .collect();
        Ok(self
            .store()
            .insert_findings(&found, self.clock().now())
            .await?)
    }

    fn findings_reader(actor: &Actor) -> Result<(), AppError> {
        match actor.role {
            Role::Admin
            | Role::Office
            | Role::Oversight
            | Role::CommuneOfficer
            | Role::AgencyOfficer => Ok(()),
            _ => Err(AppError::Forbidden(format!(
                "vai trò {} không xem được các phát hiện",
                actor.role.label_vi()
            ))),
        }
    }

    /// The findings of every source in `unit_code` (the actor's unit when `None`) and below,
    /// optionally of one kind and status.
    pub async fn findings(
        &self,
        actor: &Actor,
        unit_code: Option<&str>,
        kind: Option<&str>,
        status: Option<&str>,
    ) -> Result<Vec<FindingRecord>, AppError> {
        Self::findings_reader(actor)?;
        let unit = self.unit(unit_code.unwrap_or(&actor.unit_code)).await?;
        self.authorize(actor, Action::ReadAggregates, &unit.code)
            .await?;
        if let Some(s) = status
            && !["open", "justified", "corrected"].contains(&s)
        {
            return Err(AppError::invalid(
                "status",
                "trạng thái phải là open, justified hoặc corrected",
            ));
        }
        let all = self
            .store()
            .findings_of_province(&unit.province_code, kind, status)
            .await?;
        // Keeps the findings whose unit is the one asked for or below it.
        let mut inside: HashMap<String, bool> = HashMap::new();
        let mut out = Vec::new();
        for f in all {
            let keep = match inside.get(&f.unit_code) {
                Some(k) => *k,
                None => {
                    let chain = self.store().ancestry(&f.unit_code).await?;
                    let k = chain.iter().any(|u| u.code == unit.code);
                    inside.insert(f.unit_code.clone(), k);
                    k
                }
            };
            if keep {
                out.push(f);
            }
        }
        Ok(out)
    }

    /// Closes an open finding of any source as `justified` or `corrected`, with a note;
    /// audited. The one rule for every finding: the office of the unit (the roles that
    /// write there) or an officer of the agency the finding names as responsible closes
    /// it; oversight and everyone else only read. Outside the actor's area the finding
    /// is "not found".
    pub async fn close_finding(
        &self,
        by: By<'_>,
        id: i64,
        status: &str,
        note: &str,
    ) -> Result<(), AppError> {
        let Some(status) = crate::inspections::FindingStatus::parse(status) else {
            return Err(AppError::invalid(
                "status",
                "trạng thái đóng phải là «đã giải trình» (justified) hoặc «đã khắc phục» (corrected)",
            ));
        };
        let status = status.code();
        let note = giamngheo_domain::text::normalize(note.trim());
        if note.is_empty() {
            return Err(AppError::invalid(
                "note",
                "cần ghi nội dung giải trình hoặc khắc phục",
            ));
        }
        if note.chars().count() > 1000 {
            return Err(AppError::invalid("note", "ghi chú dài quá 1.000 ký tự"));
        }
        let not_found = || AppError::NotFound(format!("phát hiện số {id}"));
        let finding = self.store().finding(id).await?.ok_or_else(not_found)?;
        let hide_place = |e| match e {
            AppError::NotFound(_) => not_found(),
            other => other,
        };
        let (user_id, username) = match by {
            By::User(actor) => {
                self.authorize(actor, Action::ReadAggregates, &finding.unit_code)
                    .await
                    .map_err(hide_place)?;
                if actor.role == Role::AgencyOfficer {
                    if actor.agency_code.is_none()
                        || actor.agency_code != finding.responsible_agency
                    {
                        return Err(AppError::Forbidden(
                            "chỉ cơ quan chịu trách nhiệm hoặc cơ quan chuyên môn được đóng phát hiện"
                                .into(),
                        ));
                    }
                } else {
                    self.authorize(actor, Action::WriteHouseholds, &finding.unit_code)
                        .await
                        .map_err(hide_place)?;
                }
                (Some(actor.user_id), actor.username.clone())
            }
            By::System => (None, "hệ thống".to_string()),
        };
        if finding.status != "open" {
            return Err(AppError::Conflict(format!(
                "phát hiện số {id} đã được xử lý"
            )));
        }
        let audit = AuditEntry {
            at: String::new(),
            user_id,
            username,
            action: "finding.close".into(),
            entity: "finding".into(),
            entity_id: id.to_string(),
            household_id: finding.household_id,
            unit_code: Some(finding.unit_code.clone()),
            province_code: Some(finding.province_code.clone()),
            changes: serde_json::json!([
                {"field": "status", "old": "open", "new": status},
            ])
            .to_string(),
            reason: Some(note.clone()),
        };
        self.store()
            .close_finding(id, status, &note, audit, self.clock().now())
            .await?;
        Ok(())
    }
}
