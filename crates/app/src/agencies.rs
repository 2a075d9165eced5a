//! The names of the agencies that hold the `office` role, as data an administrator edits.
//!
//! Since July 2025 the review is run by a province's Department of Agriculture and
//! Environment (Sở Nông nghiệp và Môi trường) and a commune's Economic Department (Phòng
//! Kinh tế) or Culture–Social Department (Phòng Văn hóa – Xã hội), each commune choosing
//! which (reform-2025.md). The names are settings rows, seeded by migration 0026:
//! `agency.<tier>` for every unit of a tier, and `agency.unit.<code>` for one unit, which
//! wins. The pages show them where a role name would otherwise be a literal.

use crate::{App, AppError};
use giamngheo_domain::Tier;

/// What an agency name is set for: every unit of a tier, or one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgencyScope {
    Tier(Tier),
    Unit(String),
}

/// The longest agency name accepted: the longest official names are well under it.
const MAX_NAME_CHARS: usize = 200;

impl App {
    /// The name of the office of `unit_code`: that unit's own row, else its tier's.
    pub async fn agency_name(&self, unit_code: &str) -> Result<Option<String>, AppError> {
        if let Some(name) = self
            .store()
            .setting(&format!("agency.unit.{unit_code}"))
            .await?
        {
            return Ok(Some(name));
        }
        let unit = self.unit(unit_code).await?;
        Ok(self
            .store()
            .setting(&format!("agency.{}", unit.tier))
            .await?)
    }

    /// Sets an agency name (the command line runs this as the system). The name is
    /// stored in NFC, trimmed; an empty or overlong name, or an unknown unit, is refused
    /// and nothing changes.
    pub async fn set_agency_name(&self, scope: &AgencyScope, name: &str) -> Result<(), AppError> {
        let name = giamngheo_domain::text::normalize(name.trim());
        if name.is_empty() {
            return Err(AppError::invalid("name", "thiếu tên cơ quan"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::invalid(
                "name",
                format!("tên cơ quan dài quá {MAX_NAME_CHARS} ký tự"),
            ));
        }
        let key = match scope {
            AgencyScope::Tier(tier) => {
                if tier == &Tier::Village {
                    return Err(AppError::invalid(
                        "tier",
                        "thôn không có cơ quan chuyên môn",
                    ));
                }
                format!("agency.{}", tier.as_str())
            }
            AgencyScope::Unit(code) => {
                // Refuses an unknown code with the usual "not found" message.
                self.unit(code).await?;
                format!("agency.unit.{code}")
            }
        };
        self.store().set_setting(&key, &name).await?;
        tracing::info!(key = %key, "agency name set");
        Ok(())
    }
}
