//! What a units list would retire, and the refusals that keep people attached to units
//! that exist: a unit that still holds households, villages, users or units is retired
//! only with its successors named (the 2025 reform's old → new mapping), and a commune is
//! not moved to another province while its households are recorded in the old one.

use crate::{App, AppError};
use giamngheo_sheets::SheetErrors;
use giamngheo_sheets::units::UnitRow;
use giamngheo_store::UnitUpsert;
use std::collections::{BTreeSet, HashMap};

/// A unit the list would retire, and what still points at it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Retirement {
    pub code: String,
    pub name: String,
    /// Active households of the commune.
    pub households: i64,
    /// Valid villages under it.
    pub villages: i64,
    /// Active users given it as their unit.
    pub users: i64,
    /// Units of the list that name it as their parent.
    pub units: i64,
    /// The units that take over from it, from the mapping given.
    pub successors: Vec<String>,
}

impl Retirement {
    fn holds_anything(&self) -> bool {
        self.households + self.villages + self.users + self.units > 0
    }

    /// Holding something and succeeded by nothing: retiring it would orphan them.
    pub fn refused(&self) -> bool {
        self.holds_anything() && self.successors.is_empty()
    }

    /// One line of the summary: `18502 Xã Hà Linh: 3 hộ, 1 thôn → 18499`.
    pub fn line_vi(&self) -> String {
        let mut held = Vec::new();
        for (n, what) in [
            (self.households, "hộ"),
            (self.villages, "thôn"),
            (self.users, "người dùng"),
            (self.units, "đơn vị trực thuộc"),
        ] {
            if n > 0 {
                held.push(format!("{} {what}", giamngheo_sheets::reports::number(n)));
            }
        }
        let held = if held.is_empty() {
            "không còn gì trực thuộc".to_string()
        } else {
            held.join(", ")
        };
        let after = if self.successors.is_empty() {
            String::new()
        } else {
            format!(" → kế thừa: {}", self.successors.join(", "))
        };
        format!("{} {}: {held}{after}", self.code, self.name)
    }
}

/// What a units list would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UnitImportPlan {
    /// Units the list adds or updates.
    pub rows: usize,
    pub retirements: Vec<Retirement>,
}

impl UnitImportPlan {
    pub(crate) fn with_rows(mut self, rows: usize) -> UnitImportPlan {
        self.rows = rows;
        self
    }

    pub fn refused(&self) -> Vec<&Retirement> {
        self.retirements.iter().filter(|r| r.refused()).collect()
    }

    /// The refusal, naming every unit that cannot be retired and what it holds.
    pub fn refusal_vi(&self) -> String {
        let lines: Vec<String> = self
            .refused()
            .iter()
            .map(|r| format!("  {}", r.line_vi()))
            .collect();
        format!(
            "không cho hết hiệu lực {} đơn vị còn hộ, thôn, người dùng hoặc đơn vị trực thuộc \
             mà không có đơn vị kế thừa (--successors TỆP với cột old_code,new_code); \
             không có gì được ghi:\n{}",
            lines.len(),
            lines.join("\n")
        )
    }

    /// (old, new) for every retired unit with successors.
    pub(crate) fn successor_pairs(&self) -> Vec<(String, String)> {
        self.retirements
            .iter()
            .flat_map(|r| r.successors.iter().map(|s| (r.code.clone(), s.clone())))
            .collect()
    }
}

impl App {
    /// The units `gone` with what they hold and their successors from `mapping`. A
    /// successor must be a unit of the list or a valid unit that stays.
    pub(crate) async fn retirements(
        &self,
        upserts: &[UnitUpsert],
        gone: &[String],
        mapping: &[(String, String)],
    ) -> Result<UnitImportPlan, AppError> {
        let holdings = self.store().unit_holdings(gone).await?;
        let gone_set: BTreeSet<&str> = gone.iter().map(String::as_str).collect();
        let listed: BTreeSet<&str> = upserts.iter().map(|u| u.code.as_str()).collect();
        let mut children: HashMap<&str, i64> = HashMap::new();
        for u in upserts {
            if let Some(p) = &u.parent_code {
                *children.entry(p.as_str()).or_default() += 1;
            }
        }
        let mut retirements = Vec::with_capacity(gone.len());
        for code in gone {
            let mut successors = Vec::new();
            for (old, new) in mapping.iter().filter(|(old, _)| old == code) {
                let stays = listed.contains(new.as_str())
                    || (!gone_set.contains(new.as_str())
                        && matches!(self.store().unit(new).await?, Some(u) if u.valid_to.is_none()));
                if !stays {
                    return Err(AppError::invalid(
                        "successors",
                        format!(
                            "đơn vị kế thừa {new} của {old} không có trong danh mục mới hay trong cơ sở dữ liệu"
                        ),
                    ));
                }
                successors.push(new.clone());
            }
            let (households, villages, users) = holdings.get(code).copied().unwrap_or_default();
            let name = self
                .store()
                .unit(code)
                .await?
                .map(|u| u.name)
                .unwrap_or_default();
            retirements.push(Retirement {
                code: code.clone(),
                name,
                households,
                villages,
                users,
                units: children.get(code.as_str()).copied().unwrap_or(0),
                successors,
            });
        }
        Ok(UnitImportPlan {
            rows: upserts.len(),
            retirements,
        })
    }

    /// Refuses rows that move a commune to another province while its households are
    /// recorded in the old one: the province is part of every household's key (reports,
    /// scopes, the distribution of a national database), so they must move first.
    pub(crate) async fn refuse_province_moves(
        &self,
        rows: &[UnitRow],
        upserts: &[UnitUpsert],
    ) -> Result<(), AppError> {
        let province_of: HashMap<&str, &str> = upserts
            .iter()
            .map(|u| (u.code.as_str(), u.province_code.as_str()))
            .collect();
        let communes: Vec<String> = upserts
            .iter()
            .filter(|u| u.tier == "commune")
            .map(|u| u.code.clone())
            .collect();
        let mut errors = SheetErrors::new();
        for (commune, province, n) in self
            .store()
            .households_by_commune_province(&communes)
            .await?
        {
            let new = province_of[commune.as_str()];
            if province == new {
                continue;
            }
            let line = rows
                .iter()
                .find(|r| r.code.as_str() == commune)
                .map(|r| r.line)
                .unwrap_or(0);
            errors.push(
                line,
                "parent_code",
                format!(
                    "xã {commune} chuyển sang tỉnh {new} nhưng {} hộ của xã còn ghi ở tỉnh {province}; \
                     hãy chuyển các hộ trước rồi nhập lại",
                    giamngheo_sheets::reports::number(n)
                ),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.into())
        }
    }
}
