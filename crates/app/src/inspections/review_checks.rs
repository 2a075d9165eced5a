//! Findings computed from the review (source `review`), added by a stable `check_key` so
//! that running the checks again adds nothing twice:
//! - `income_above_line`: a household classified poor whose surveyed income is above the
//!   poor line of its standard and area (the line is the standard's data; a line still to
//!   confirm is said so in the evidence);
//! - `meeting_under_threshold`: a village meeting recorded as passed with fewer agreeing
//!   than the share the review settings require (data, `meeting_min_agree_percent`);
//! - `certificate_without_decision`: a certificate number on a classification that names
//!   no recognition decision.
//!
//! The evidence names the household by its id, never by a name.

use crate::access::{Actor, Role};
use crate::policies::imports::group;
use crate::reports::tier_of;
use crate::{App, AppError};
use giamngheo_domain::Area;
use giamngheo_domain::review::meeting_passes_at;
use giamngheo_store::{AuditEntry, NewFinding, ReviewCheckRow};
use std::collections::BTreeMap;
use std::str::FromStr;

/// The kinds of finding the review checks compute, with their Vietnamese and English
/// names.
pub const REVIEW_FINDING_KINDS: [(&str, &str, &str); 3] = [
    (
        "income_above_line",
        "Hộ nghèo có thu nhập trên chuẩn",
        "Poor household with income above the line",
    ),
    (
        "meeting_under_threshold",
        "Họp dân không đủ tỷ lệ đồng ý vẫn thông qua",
        "Meeting passed under the required share",
    ),
    (
        "certificate_without_decision",
        "Giấy chứng nhận không có quyết định",
        "Certificate without a decision",
    ),
];

/// What a run of the checks did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReviewChecks {
    pub added: usize,
    /// Findings the checks had already recorded.
    pub already: usize,
}

impl App {
    /// Runs the review checks of `unit` for the lists of `period` (the office or an
    /// administrator of an area holding the unit).
    pub async fn check_review_findings(
        &self,
        actor: &Actor,
        unit: &str,
        period: i32,
    ) -> Result<ReviewChecks, AppError> {
        self.authorize(actor, crate::access::Action::ReadAggregates, unit)
            .await?;
        if !matches!(actor.role, Role::Admin | Role::Office) {
            return Err(AppError::Forbidden(format!(
                "vai trò {} không được chạy kiểm tra kết quả rà soát",
                actor.role.label_vi()
            )));
        }
        self.check_review_findings_as_system(unit, period, &actor.username, Some(actor.user_id))
            .await
    }

    /// The checks as the system runs them (the command line, a nightly job).
    pub async fn check_review_findings_as_system(
        &self,
        unit: &str,
        period: i32,
        by: &str,
        user_id: Option<i64>,
    ) -> Result<ReviewChecks, AppError> {
        crate::tasks::check_year(period)?;
        let unit = self.unit(unit).await?;
        let column = match tier_of(&unit) {
            giamngheo_domain::Tier::Province => "province_code",
            giamngheo_domain::Tier::District => "district_code",
            giamngheo_domain::Tier::Commune => "commune_code",
            giamngheo_domain::Tier::Village => "village_code",
        };
        let mut found: Vec<NewFinding> = Vec::new();
        let now = self
            .clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let finding = |kind: &str,
                       key: String,
                       province: &str,
                       unit: &str,
                       household: Option<i64>,
                       evidence: serde_json::Value,
                       action: &str| NewFinding {
            source: "review".into(),
            kind: kind.into(),
            check_key: Some(key),
            province_code: province.into(),
            unit_code: unit.into(),
            household_id: household,
            member_id: None,
            benefit_id: None,
            activity_id: None,
            inspection_id: None,
            evidence: evidence.to_string(),
            required_action: Some(action.into()),
            responsible_agency: None,
            deadline: None,
        };

        // A period's last row for a household is what stands (corrections come later).
        let mut latest: BTreeMap<i64, ReviewCheckRow> = BTreeMap::new();
        for row in self
            .store()
            .review_check_rows(column, &unit.code, period)
            .await?
        {
            latest.insert(row.household_id, row);
        }
        for c in latest.values() {
            if c.status == "poor"
                && let (Some(income), Some(standard), Ok(area)) = (
                    c.income_per_capita,
                    self.config().standards.get(&c.standard),
                    Area::from_str(&c.area),
                )
            {
                let line = &standard.lines(area).poor_line;
                if income > 0 && income as u64 > line.value {
                    found.push(finding(
                        "income_above_line",
                        format!("review:income_above_line:{}", c.id),
                        &c.province_code,
                        &c.village_code,
                        Some(c.household_id),
                        serde_json::json!({
                            "text": format!(
                                "Hộ được phân loại hộ nghèo (danh sách năm {period}) có thu nhập bình quân {} đồng/người/tháng, cao hơn chuẩn nghèo {} đồng{}",
                                group(income as u64),
                                group(line.value),
                                if line.to_confirm { " (cần xác nhận)" } else { "" }
                            ),
                            "classification_id": c.id, "period": period,
                            "standard": c.standard, "area": c.area,
                            "income_per_capita": income, "poor_line": line.value,
                            "poor_line_to_confirm": line.to_confirm,
                        }),
                        "Kiểm tra lại thu nhập trên phiếu điều tra và phân loại hộ",
                    ));
                }
            }
            if c.certificate_number.is_some() && c.decision_number.is_none() {
                found.push(finding(
                    "certificate_without_decision",
                    format!("review:certificate_without_decision:{}", c.id),
                    &c.province_code,
                    &c.village_code,
                    Some(c.household_id),
                    serde_json::json!({
                        "text": format!(
                            "Có giấy chứng nhận số {} (danh sách năm {period}) nhưng không có quyết định công nhận",
                            c.certificate_number.as_deref().unwrap_or_default()
                        ),
                        "classification_id": c.id, "period": period,
                        "certificate_number": c.certificate_number,
                    }),
                    "Bổ sung quyết định công nhận hoặc thu hồi giấy chứng nhận",
                ));
            }
        }
        let min_percent = self.review_settings().await?.meeting_min_agree_percent;
        for m in self
            .store()
            .review_check_meetings(column, &unit.code, period)
            .await?
        {
            let (attendees, agreeing) = (m.attendees.max(0) as u32, m.agreeing.max(0) as u32);
            if m.passed && !meeting_passes_at(attendees, agreeing, min_percent) {
                found.push(finding(
                    "meeting_under_threshold",
                    format!("review:meeting_under_threshold:{}", m.id),
                    &m.province_code,
                    &m.village_code,
                    None,
                    serde_json::json!({
                        "text": format!(
                            "Cuộc họp dân được ghi là thông qua với {agreeing}/{attendees} người đồng ý, dưới tỷ lệ tối thiểu {min_percent} %"
                        ),
                        "meeting_id": m.id, "review_id": m.review_id, "period": period,
                        "attendees": attendees, "agreeing": agreeing,
                        "min_agree_percent": min_percent,
                    }),
                    "Tổ chức lại họp dân hoặc giải trình kết quả biểu quyết",
                ));
            }
        }

        let mut out = ReviewChecks::default();
        for f in found {
            let entry = AuditEntry {
                at: now.clone(),
                user_id,
                username: by.to_string(),
                action: "finding.create".into(),
                entity: "finding".into(),
                entity_id: String::new(),
                household_id: f.household_id,
                unit_code: Some(f.unit_code.clone()),
                province_code: Some(f.province_code.clone()),
                changes: serde_json::json!([{"field": "kind", "old": null, "new": f.kind}])
                    .to_string(),
                reason: None,
            };
            match self.store().insert_finding(&f, &entry).await? {
                Some(_) => out.added += 1,
                None => out.already += 1,
            }
        }
        Ok(out)
    }
}
