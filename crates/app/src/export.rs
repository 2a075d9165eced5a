//! The household list of a unit as a file (`/api/v1/households/export`, the export
//! button of the households page): every active household of the unit in the user's
//! area, optionally only those whose current status is one asked for, one line per
//! member. Citizen IDs and health insurance card numbers are masked exactly as on the
//! pages (all but the last three characters) unless the role may read citizen IDs.

use crate::access::{Action, Actor};
use crate::{App, AppError};
use giamngheo_domain::household::{RELATIONS, mask_citizen_id};
use giamngheo_rules::Status;
use giamngheo_sheets::export::ExportLine;
use giamngheo_store::ListNarrowing;
use std::collections::HashMap;

/// The most households one export holds: beyond it the user narrows the unit, so that
/// one request cannot hold the server for minutes.
pub const MAX_EXPORT_HOUSEHOLDS: i64 = 20_000;

impl App {
    /// The lines of the export of `unit` (the user's own by default), with the search
    /// `query` of the households page, households whose current status is `status` only
    /// when it is given (`poor`, `near_poor`, `medium`, `not_poor`), narrowed and sorted
    /// as the households page is (`narrowing`), so that the file holds the list on
    /// screen. A unit outside the user's area is not found.
    pub async fn export_households(
        &self,
        actor: &Actor,
        unit: Option<&str>,
        query: Option<&str>,
        status: Option<&str>,
        narrowing: &ListNarrowing,
        as_of: Option<chrono::NaiveDate>,
    ) -> Result<Vec<ExportLine>, AppError> {
        let wanted: Option<Status> = match status.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(s.parse().map_err(|_| {
                AppError::invalid(
                    "status",
                    format!(
                        "tình trạng «{s}» không hợp lệ (poor, near_poor, medium hoặc not_poor)"
                    ),
                )
            })?),
        };
        let unit = unit.map(str::trim).filter(|u| !u.is_empty());
        let (unit, filter) = self.household_filter(actor, unit, query, as_of).await?;
        let (households, total) = self
            .store()
            .list_households_narrowed(&filter, narrowing, MAX_EXPORT_HOUSEHOLDS, 0, None)
            .await?;
        let total = total.count;
        if total > MAX_EXPORT_HOUSEHOLDS {
            return Err(AppError::invalid(
                "unit",
                format!(
                    "{} có {} hộ, quá {} hộ một lần xuất; hãy chọn đơn vị nhỏ hơn",
                    unit.name,
                    giamngheo_sheets::reports::number(total),
                    giamngheo_sheets::reports::number(MAX_EXPORT_HOUSEHOLDS)
                ),
            ));
        }
        // Each household's current status: its latest classification, read commune by
        // commune (rows come ordered so that the last one seen is the latest).
        let mut current: HashMap<i64, Status> = HashMap::new();
        let mut communes: Vec<&str> = households.iter().map(|h| h.commune_code.as_str()).collect();
        communes.sort_unstable();
        communes.dedup();
        for commune in communes {
            for c in self
                .store()
                .classifications_in_commune(commune, i32::MAX)
                .await?
            {
                if let Ok(s) = c.fields.status.parse::<Status>() {
                    current.insert(c.fields.household_id, s);
                }
            }
        }
        let see_ids = actor.may(Action::ReadCitizenId);
        let shown = |v: Option<&str>| match v {
            None => String::new(),
            Some(v) if see_ids => v.to_string(),
            Some(v) => mask_citizen_id(v),
        };
        let mut lines = Vec::new();
        for h in households {
            let status = current.get(&h.id).copied();
            if wanted.is_some() && status != wanted {
                continue;
            }
            for m in self.store().members_of(h.id, false).await? {
                let f = &m.fields;
                lines.push(ExportLine {
                    household_code: h.code.clone(),
                    village: h.village_name.clone(),
                    address: h.address.clone(),
                    status: status.map(|s| s.label_vi().to_string()).unwrap_or_default(),
                    full_name: f.full_name.clone(),
                    relation: RELATIONS
                        .get(&f.relation)
                        .map(|c| c.label_vi.to_string())
                        .unwrap_or_default(),
                    birth_year: f.birth_year,
                    citizen_id: shown(f.citizen_id.as_deref()),
                    insurance_number: shown(f.health_insurance_number.as_deref()),
                });
            }
        }
        tracing::info!(
            user_id = actor.user_id,
            unit = %unit.code,
            lines = lines.len(),
            "households exported"
        );
        Ok(lines)
    }
}
