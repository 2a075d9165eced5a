//! The sample of households an inspection visits: random with a seed (reproducible, see
//! [`giamngheo_rules::draw_sample`]) or risk-based — the households with an open finding,
//! then those whose class changed with few changed facts (`inspections/risk.toml`).

use super::audit;
use crate::access::{Action, Actor};
use crate::reports::tier_of;
use crate::{App, AppError};
use giamngheo_domain::Tier;
use giamngheo_rules::{ClassFacts, changed_facts, draw_sample};
use giamngheo_store::{ClassFactsRow, SampleRow};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// How the sample is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleChoice {
    /// `size` households at random; the same seed draws the same households.
    Random { size: usize, seed: u64 },
    /// Up to `size` households by risk.
    Risk { size: usize },
}

impl SampleChoice {
    /// The sample asked for by its method's name (`random`, `risk`). A random sample
    /// without a seed takes `fallback_seed` (the clock's), which is kept with the sample
    /// so that the draw can still be repeated.
    pub fn from_parts(
        method: &str,
        size: usize,
        seed: Option<u64>,
        fallback_seed: u64,
    ) -> Result<SampleChoice, AppError> {
        match method.trim() {
            "random" => Ok(SampleChoice::Random {
                size,
                seed: seed.unwrap_or(fallback_seed),
            }),
            "risk" => Ok(SampleChoice::Risk { size }),
            other => Err(AppError::invalid(
                "method",
                format!("cách chọn mẫu «{other}» không rõ (ngẫu nhiên: random, theo rủi ro: risk)"),
            )),
        }
    }
}

/// A household of a sample as its page shows it. Its code and head's name are given
/// only to an actor who may read that household's personal data (within their area);
/// anyone else sees its number alone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SampledHousehold {
    pub position: i32,
    pub household_id: i64,
    /// random, open_finding or class_changed.
    pub reason: String,
    pub code: Option<String>,
    pub head_name: Option<String>,
}

/// The most households a sample takes: an inspection visits a handful, not a register.
const MAX_SAMPLE: usize = 500;

#[derive(Deserialize)]
struct Risk {
    max_changed_facts: usize,
    #[allow(dead_code)]
    to_confirm: bool,
}

static RISK: LazyLock<Risk> = LazyLock::new(|| {
    toml::from_str(include_str!("../../inspections/risk.toml"))
        .unwrap_or_else(|e| panic!("inspections/risk.toml is invalid: {e}"))
});

/// At most this many facts changed with the class for a household to be a risk (data).
pub fn max_changed_facts() -> usize {
    RISK.max_changed_facts
}

fn column(tier: Tier) -> &'static str {
    match tier {
        Tier::Province => "province_code",
        Tier::District => "district_code",
        Tier::Commune => "commune_code",
        Tier::Village => "village_code",
    }
}

fn facts(row: &ClassFactsRow) -> ClassFacts {
    ClassFacts {
        status: row.status.clone(),
        income_per_capita: row.income_per_capita,
        deprived: row
            .deprived
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        member_count: row.member_count,
    }
}

/// The households whose class changed from `before` to `after` with at most `max`
/// changed facts, fewest first. A period's last row for a household (a correction comes
/// after what it corrects) is the one compared.
pub(crate) fn class_changed(
    rows: &[ClassFactsRow],
    before: i32,
    after: i32,
    max: usize,
) -> Vec<i64> {
    let mut last: BTreeMap<(i64, i32), &ClassFactsRow> = BTreeMap::new();
    for r in rows {
        last.insert((r.household_id, r.period), r);
    }
    let mut out: Vec<(usize, i64)> = last
        .iter()
        .filter(|((_, p), _)| *p == after)
        .filter_map(|((h, _), a)| {
            let b = last.get(&(*h, before))?;
            let (fb, fa) = (facts(b), facts(a));
            let changed = changed_facts(&fb, &fa);
            (fb.status != fa.status && changed <= max).then_some((changed, *h))
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, h)| h).collect()
}

impl App {
    /// The sample's households with their code and head where the actor may read them.
    pub(crate) async fn sampled_households(
        &self,
        actor: &Actor,
        sample: &[SampleRow],
    ) -> Result<Vec<SampledHousehold>, AppError> {
        // One access check per village: a sample is a handful of villages.
        let mut readable: BTreeMap<String, bool> = BTreeMap::new();
        let mut out = Vec::with_capacity(sample.len());
        for s in sample {
            let household = self.store().household(s.household_id).await?;
            let mut shown = None;
            if let Some(h) = household {
                let village = h.fields.village_code.clone();
                let may = match readable.get(&village) {
                    Some(may) => *may,
                    None => {
                        let may = match self.authorize(actor, Action::ReadPersonal, &village).await
                        {
                            Ok(()) => true,
                            Err(AppError::NotFound(_) | AppError::Forbidden(_)) => false,
                            Err(other) => return Err(other),
                        };
                        readable.insert(village, may);
                        may
                    }
                };
                if may {
                    shown = Some((h.fields.code, h.fields.head_name));
                }
            }
            let (code, head_name) = shown.unzip();
            out.push(SampledHousehold {
                position: s.position,
                household_id: s.household_id,
                reason: s.reason.clone(),
                code,
                head_name,
            });
        }
        Ok(out)
    }

    /// Draws and keeps the sample of inspection `id`; the households in order. A sample
    /// is drawn once: a second draw is refused and the first stands.
    pub async fn draw_inspection_sample(
        &self,
        actor: &Actor,
        id: i64,
        choice: SampleChoice,
    ) -> Result<Vec<SampleRow>, AppError> {
        let record = self.writable_inspection(actor, id).await?;
        let size = match choice {
            SampleChoice::Random { size, .. } | SampleChoice::Risk { size } => size,
        };
        if size == 0 || size > MAX_SAMPLE {
            return Err(AppError::invalid(
                "size",
                format!("cỡ mẫu phải từ 1 đến {MAX_SAMPLE} hộ"),
            ));
        }
        let unit = self.unit(&record.unit_code).await?;
        let col = column(tier_of(&unit));
        let candidates = self.store().active_household_ids(col, &unit.code).await?;
        let (method, seed, rows): (&str, Option<i64>, Vec<(i64, String)>) = match choice {
            SampleChoice::Random { size, seed } => (
                "random",
                // Kept as the database's signed integer; read back bit for bit.
                Some(seed as i64),
                draw_sample(&candidates, size, seed)
                    .into_iter()
                    .map(|h| (h, "random".to_string()))
                    .collect(),
            ),
            SampleChoice::Risk { size } => {
                let inside: BTreeSet<i64> = candidates.iter().copied().collect();
                let mut chosen: Vec<(i64, String)> = self
                    .store()
                    .households_with_open_findings(&unit.province_code)
                    .await?
                    .into_iter()
                    .filter(|h| inside.contains(h))
                    .map(|h| (h, "open_finding".to_string()))
                    .collect();
                // The review of year Y makes the lists of period Y + 1; an inspection of
                // a review names its period, any other compares the inspection's year
                // with the year before.
                let period = match record.subject_kind.as_str() {
                    "review" => record
                        .subject_code
                        .as_deref()
                        .and_then(|c| c.trim().parse::<i32>().ok())
                        .unwrap_or(record.year),
                    _ => record.year,
                };
                let rows = self
                    .store()
                    .class_facts(col, &unit.code, (period - 1, period))
                    .await?;
                for h in class_changed(&rows, period - 1, period, max_changed_facts()) {
                    if inside.contains(&h) && !chosen.iter().any(|(c, _)| *c == h) {
                        chosen.push((h, "class_changed".to_string()));
                    }
                }
                chosen.truncate(size);
                ("risk", None, chosen)
            }
        };
        let entry = audit(
            self,
            actor,
            "inspection.sample",
            "inspection",
            id,
            &record,
            serde_json::json!([
                {"field": "sample_method", "old": null, "new": method},
                {"field": "sample_seed", "old": null, "new": seed},
                {"field": "sample_size", "old": null, "new": rows.len()},
            ]),
        );
        self.store()
            .save_sample(id, method, seed, size as i32, &rows, &entry)
            .await?;
        Ok(self.store().inspection_sample(id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        id: i64,
        h: i64,
        period: i32,
        status: &str,
        income: i64,
        deprived: &str,
    ) -> ClassFactsRow {
        ClassFactsRow {
            id,
            household_id: h,
            period,
            status: status.into(),
            income_per_capita: Some(income),
            deprived: deprived.into(),
            member_count: 4,
        }
    }

    #[test]
    fn a_class_that_moves_on_few_facts_is_a_risk() {
        let rows = vec![
            // 1: escaped poverty with nothing changed: a risk.
            row(1, 1, 2021, "poor", 1_000_000, "water"),
            row(2, 1, 2022, "not_poor", 1_000_000, "water"),
            // 2: escaped with a higher income and two indicators resolved: explained.
            row(3, 2, 2021, "poor", 1_000_000, "water,housing"),
            row(4, 2, 2022, "not_poor", 2_500_000, ""),
            // 3: unchanged class: not a risk.
            row(5, 3, 2021, "poor", 1_000_000, ""),
            row(6, 3, 2022, "poor", 1_000_000, ""),
            // 4: a correction (the later row) put the class back: no change.
            row(7, 4, 2021, "near_poor", 1_200_000, ""),
            row(8, 4, 2022, "poor", 1_200_000, ""),
            row(9, 4, 2022, "near_poor", 1_200_000, ""),
            // 5: one fact changed: still a risk at a limit of 1.
            row(10, 5, 2021, "poor", 1_000_000, ""),
            row(11, 5, 2022, "near_poor", 1_100_000, ""),
        ];
        assert_eq!(class_changed(&rows, 2021, 2022, 1), vec![1, 5]);
        assert_eq!(class_changed(&rows, 2021, 2022, 0), vec![1]);
    }
}
