//! Agencies as data (migration 0060): listing, adding, and naming a user's agency.

use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_store::AgencyRecord;

/// The agency kinds the policies, programme and tasks know (migration 0060).
pub const AGENCY_KINDS: [&str; 19] = [
    "labour",
    "finance",
    "agriculture",
    "culture",
    "health",
    "education",
    "infrastructure",
    "justice",
    "home_affairs",
    "natural_resources",
    "construction",
    "economic",
    "culture_social",
    "social_policy_bank",
    "social_insurance",
    "school",
    "commune_committee",
    "fatherland_front",
    "steering_committee",
];

/// The Vietnamese name of an agency kind, for notes such as "the list of … was never
/// imported".
pub fn kind_label_vi(kind: &str) -> &'static str {
    match kind {
        "social_policy_bank" => "Ngân hàng Chính sách xã hội",
        "social_insurance" => "cơ quan Bảo hiểm xã hội",
        "health" => "ngành y tế",
        "education" | "school" => "ngành giáo dục (các trường)",
        "labour" => "cơ quan lao động",
        "agriculture" => "ngành nông nghiệp",
        "infrastructure" | "construction" => "ngành xây dựng",
        "justice" => "ngành tư pháp",
        "natural_resources" => "ngành tài nguyên và môi trường",
        "culture" | "culture_social" => "ngành văn hóa",
        _ => "cơ quan thực hiện",
    }
}

/// The longest agency name accepted.
const MAX_NAME_CHARS: usize = 200;

impl App {
    /// Every agency, by code.
    pub async fn agencies(&self) -> Result<Vec<AgencyRecord>, AppError> {
        Ok(self.store().agencies().await?)
    }

    /// Adds an agency (the command line runs this as the system). The code is lowercase
    /// ASCII, digits and `-`; the name is stored in NFC; the unit must exist and the kind
    /// be one of [`AGENCY_KINDS`]. Nothing changes on an error.
    pub async fn add_agency_as_system(
        &self,
        code: &str,
        name: &str,
        unit_code: &str,
        kind: &str,
        valid_from: NaiveDate,
    ) -> Result<AgencyRecord, AppError> {
        let code = code.trim();
        if code.is_empty()
            || code.len() > 40
            || !code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(AppError::invalid(
                "code",
                "mã cơ quan gồm chữ thường không dấu, chữ số và «-», tối đa 40 ký tự",
            ));
        }
        let name = giamngheo_domain::text::normalize(name.trim());
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::invalid(
                "name",
                format!("tên cơ quan phải có, tối đa {MAX_NAME_CHARS} ký tự"),
            ));
        }
        if !AGENCY_KINDS.contains(&kind) {
            return Err(AppError::invalid(
                "kind",
                format!(
                    "loại cơ quan «{kind}» không hợp lệ ({})",
                    AGENCY_KINDS.join(", ")
                ),
            ));
        }
        let unit = self.unit(unit_code.trim()).await?;
        let agency = AgencyRecord {
            code: code.to_string(),
            name,
            unit_code: unit.code,
            kind: kind.to_string(),
            valid_from,
            valid_to: None,
        };
        self.store().insert_agency(&agency).await?;
        tracing::info!(agency = %agency.code, kind = %agency.kind, "agency added");
        Ok(agency)
    }

    /// Names the agency user `user_id` works for (the command line runs this as the
    /// system). The agency must exist and serve the user's unit or a unit above it, so that
    /// an officer never records for an agency of another area.
    pub async fn set_user_agency_as_system(
        &self,
        user_id: i64,
        user_unit: &str,
        agency_code: &str,
    ) -> Result<(), AppError> {
        let agency = self.agency_for_unit(user_unit, agency_code).await?;
        self.store()
            .set_user_agency(user_id, Some(&agency.code))
            .await?;
        Ok(())
    }

    /// The agency `agency_code` if it exists and serves `unit` or a unit above it;
    /// checked before a user is created, so that a refused agency creates nobody.
    pub async fn agency_for_unit(
        &self,
        user_unit: &str,
        agency_code: &str,
    ) -> Result<AgencyRecord, AppError> {
        let agency = self
            .store()
            .agency(agency_code.trim())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("cơ quan mã «{}»", agency_code.trim())))?;
        let chain = self.store().ancestry(user_unit).await?;
        if !chain.iter().any(|u| u.code == agency.unit_code) {
            return Err(AppError::invalid(
                "agency",
                format!(
                    "cơ quan {} phục vụ đơn vị {}, không phải đơn vị của người dùng hoặc cấp trên",
                    agency.code, agency.unit_code
                ),
            ));
        }
        Ok(agency)
    }
}
