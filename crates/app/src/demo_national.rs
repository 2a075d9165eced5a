//! `giamngheo demo --national`: synthetic households over the whole country, for trying
//! and measuring the product at national scale.
//!
//! Every commune valid today (34 provinces and 3,321 communes in the list the database
//! holds) gets one village and a share of the households, loaded through the same
//! streamed bulk import as a real file ([`crate::bulk_import`]): a CSV is written to a
//! temporary file and imported, then two periods of classifications are written per
//! commune. The poverty is shaped like the national figures in reform-2025.md: in 2023
//! 2.93 % poor and 2.78 % near-poor, at the end of 2024 1.93 % poor, with the northern
//! mountain provinces at four times the rate of the others. Statuses come from the
//! rules: each household's survey figures are made to lie on the intended side of the
//! standard's lines, then classified under the standard itself.
//!
//! The same seed and size give the same households, whatever the database.

use crate::bulk_import::{BulkOptions, BulkProgress};
use crate::households::By;
use crate::{App, AppError};
use chrono::NaiveDate;
use giamngheo_domain::{Area, text};
use giamngheo_rules::{Evidence, HouseholdInput, IndicatorSet, Lang, Standard, Status, classify};
use giamngheo_store::{AuditEntry, ClassificationFields, HouseholdFilter, HouseholdListRow};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Classifications written in one transaction, at most (rounded up to a whole commune).
const WRITE_BATCH: usize = 20_000;

/// How many national loads this process has started, to name each one's temporary file.
static LOADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The synthetic shape of the data. These are not rules of the programme (those live in
/// the standards' files); they only decide what the made-up households look like.
mod shape {
    /// Provinces of the northern mountains (today's codes, after the 2025 mergers):
    /// Cao Bằng, Tuyên Quang, Điện Biên, Lai Châu, Sơn La, Lào Cai, Thái Nguyên, Lạng
    /// Sơn, Phú Thọ.
    pub const MOUNTAIN_PROVINCES: [&str; 9] =
        ["04", "08", "11", "12", "14", "15", "19", "20", "25"];
    /// How many times the national rate a mountain province has.
    pub const MOUNTAIN_FACTOR: f64 = 4.0;
    /// (period, standard, national poor share, national near-poor share).
    pub const PERIODS: [(i32, &str, f64, f64); 2] = [
        (2023, "vn-2022", 0.0293, 0.0278),
        (2024, "vn-2022", 0.0193, 0.0290),
    ];
    /// Members of a household: 1 to this many.
    pub const MAX_MEMBERS: u64 = 6;
}

/// What the national demo made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalSummary {
    pub provinces: usize,
    pub communes: usize,
    pub villages_created: usize,
    pub households: u64,
    pub members: u64,
    pub classifications: usize,
    /// Households of each status in the last period: (poor, near-poor).
    pub last_period: (usize, usize),
}

/// SplitMix64: a small, fast generator whose every draw depends only on the seed and
/// the household, so that a household is the same whichever others are made.
struct Draw(u64);

impl Draw {
    fn new(seed: u64, index: u64) -> Draw {
        Draw(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len() as u64) as usize]
    }
}

/// A commune with the village its households go to.
#[derive(Debug, Clone)]
pub struct NationalCommune {
    pub province_code: String,
    pub code: String,
    pub village_code: String,
    pub area: Area,
}

const FAMILY: [&str; 10] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ",
];
const MIDDLE_MALE: [&str; 4] = ["Văn", "Đức", "Minh", "Quang"];
const MIDDLE_FEMALE: [&str; 4] = ["Thị", "Ngọc", "Thu", "Thanh"];
const GIVEN: [&str; 12] = [
    "An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hoa", "Lan", "Linh", "Nam", "Sơn", "Tâm",
];
const MOUNTAIN_ETHNICITIES: [&str; 6] = ["Tày", "Thái", "Mường", "Nùng", "Mông", "Dao"];

fn is_mountain(province: &str) -> bool {
    shape::MOUNTAIN_PROVINCES.contains(&province)
}

/// The household code of the household at `index`; the index is read back from it to
/// find the household's draws when its classifications are written.
fn household_code(index: u64) -> String {
    format!("QG{index:08}")
}

fn index_of(code: &str) -> Option<u64> {
    code.strip_prefix("QG")?.parse().ok()
}

/// The commune of household `index`.
fn commune_of(seed: u64, index: u64, communes: usize) -> usize {
    Draw::new(seed, index).below(communes as u64) as usize
}

/// Writes the households CSV: one row per member, households in index order.
pub fn write_national_csv(
    seed: u64,
    households: u64,
    communes: &[NationalCommune],
    out: &mut impl Write,
) -> std::io::Result<u64> {
    writeln!(
        out,
        "household_code,village_code,full_name,sex,birth_date,ethnicity,relation,citizen_id"
    )?;
    let mut members = 0u64;
    for index in 0..households {
        let commune = &communes[commune_of(seed, index, communes.len())];
        // The draws after the commune's: a second stream of the same household.
        let mut draw = Draw::new(seed ^ 0x5EED, index);
        let family = draw.pick(&FAMILY);
        let ethnicity = if is_mountain(&commune.province_code) && draw.unit() < 0.7 {
            draw.pick(&MOUNTAIN_ETHNICITIES)
        } else {
            "Kinh"
        };
        let size = 1 + draw.below(shape::MAX_MEMBERS);
        let head_year = 1945 + draw.below(50);
        for position in 0..size {
            let female = match position {
                0 => draw.unit() < 0.25,
                1 => true,
                _ => draw.unit() < 0.5,
            };
            let (relation, year) = match position {
                0 => ("Chủ hộ", head_year),
                1 => ("Vợ/chồng", head_year + draw.below(5)),
                _ => ("Con", (head_year + 20 + draw.below(15)).min(2025)),
            };
            let middle = if female {
                draw.pick(&MIDDLE_FEMALE)
            } else {
                draw.pick(&MIDDLE_MALE)
            };
            let name = format!("{family} {middle} {}", draw.pick(&GIVEN));
            // Adults have a citizen ID: twelve digits, unique by the member's number.
            let citizen_id = if year <= 2008 {
                format!("{:012}", 100_000_000_000 + members)
            } else {
                String::new()
            };
            writeln!(
                out,
                "{},{},{name},{},{year},{ethnicity},{relation},{citizen_id}",
                household_code(index),
                commune.village_code,
                if female { "Nữ" } else { "Nam" },
            )?;
            members += 1;
        }
    }
    Ok(members)
}

/// The national shares scaled so that the mountain provinces have
/// [`shape::MOUNTAIN_FACTOR`] times the others' rate and the country the target.
fn province_rate(national: f64, mountain_share: f64, province: &str) -> f64 {
    let base = national / (1.0 + (shape::MOUNTAIN_FACTOR - 1.0) * mountain_share);
    if is_mountain(province) {
        base * shape::MOUNTAIN_FACTOR
    } else {
        base
    }
}

/// The survey figures of a household meant to be of `status` under `standard`: income
/// just under or well over the line, and as many deprivations as the status needs.
fn survey_for(standard: &Standard, area: Area, status: Status) -> HouseholdInput {
    let line = standard.lines(area).poor_line.value;
    let min_deprived = standard.min_deprivations().value as usize;
    let (income, deprived) = match status {
        Status::Poor => (line * 7 / 10, min_deprived),
        Status::NearPoor => (line * 9 / 10, min_deprived.saturating_sub(1).min(1)),
        _ => (line * 3, 0),
    };
    let mut set = IndicatorSet::default();
    for k in 0..deprived.min(standard.indicators().len()) {
        set.insert(k);
    }
    HouseholdInput {
        area,
        evidence: Evidence::Income(income),
        deprived: set,
    }
}

impl App {
    /// Loads the national synthetic data into a database that holds no households yet.
    /// With `keep_csv`, the households file is written there and kept (for measuring the
    /// import alone); otherwise it goes to a temporary file, deleted afterwards.
    pub async fn load_national_demo(
        &self,
        seed: u64,
        households: u64,
        keep_csv: Option<&Path>,
        progress: &(dyn Fn(BulkProgress) + Sync),
    ) -> Result<NationalSummary, AppError> {
        if households == 0 {
            return Err(AppError::invalid("households", "số hộ mẫu phải lớn hơn 0"));
        }
        self.load_official_units_if_empty().await?;
        if self.store().household_count().await? > 0 {
            return Err(AppError::Conflict(
                "cơ sở dữ liệu đã có hộ; dữ liệu mẫu toàn quốc chỉ nạp vào cơ sở dữ liệu chưa có hộ nào".into(),
            ));
        }
        let (communes, provinces, villages_created) = self.national_villages().await?;
        if communes.is_empty() {
            return Err(AppError::NotFound("xã còn hiệu lực trong danh mục".into()));
        }

        let path: PathBuf = match keep_csv {
            Some(p) => p.to_path_buf(),
            // Named by the process and a counter of its loads: two loads running at once
            // in one process (the test suites load SQLite, PostgreSQL and Citus side by
            // side) must not write, read and delete the same file.
            None => std::env::temp_dir().join(format!(
                "giamngheo-quoc-gia-{seed}-{households}-{}-{}.csv",
                std::process::id(),
                LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            )),
        };
        let written = {
            let path = path.clone();
            let communes = communes.clone();
            crate::imports::off_the_async_threads(move || {
                let file = std::fs::File::create(&path)?;
                let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
                let members = write_national_csv(seed, households, &communes, &mut out)?;
                out.flush()?;
                Ok::<u64, std::io::Error>(members)
            })
            .await
        };
        let members = written.map_err(|e| {
            AppError::invalid(
                "file",
                format!("không ghi được tệp {}: {e}", path.display()),
            )
        })?;
        let imported = self
            .import_households_bulk(By::System, &path, &BulkOptions::default(), progress)
            .await;
        if keep_csv.is_none() {
            let _ = std::fs::remove_file(&path);
        }
        let imported = imported?;

        let (classifications, last_period) = self
            .national_classifications(seed, &communes, households)
            .await?;
        self.store().refresh_statistics().await?;
        Ok(NationalSummary {
            provinces,
            communes: communes.len(),
            villages_created,
            households: imported.households,
            members,
            classifications,
            last_period,
        })
    }

    /// Every commune valid today with one village, created where it has none by that
    /// name; and the number of provinces.
    async fn national_villages(&self) -> Result<(Vec<NationalCommune>, usize, usize), AppError> {
        const VILLAGE: &str = "Thôn Trung Tâm";
        let provinces: Vec<_> = self
            .store()
            .children(None, false)
            .await?
            .into_iter()
            .filter(|u| u.tier == "province")
            .collect();
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for province in &provinces {
            for commune in self.store().children(Some(&province.code), false).await? {
                if commune.tier != "commune" {
                    continue;
                }
                let area = match commune.area.as_deref() {
                    Some("urban") => Area::Urban,
                    _ => Area::Rural,
                };
                let village = self
                    .store()
                    .village_named(&commune.code, &text::fold(VILLAGE))
                    .await?;
                let entry = NationalCommune {
                    province_code: province.code.clone(),
                    code: commune.code.clone(),
                    village_code: village.clone().unwrap_or_default(),
                    area,
                };
                if village.is_none() {
                    missing.push(found.len());
                }
                found.push(entry);
            }
        }
        if !missing.is_empty() {
            let mut csv = String::from("commune_code,name,kind\n");
            for &i in &missing {
                csv.push_str(&format!("{},{VILLAGE},Thôn\n", found[i].code));
            }
            let created = self.import_villages_as_system(csv.as_bytes()).await?;
            for (&i, code) in missing.iter().zip(created) {
                found[i].village_code = code;
            }
        }
        Ok((found, provinces.len(), missing.len()))
    }

    /// Two periods of classifications for every household: each commune's list of a
    /// period with its audit entry, written a province at a time. A statement per commune
    /// made 3,321 list queries and 6,642 transactions however few households there were,
    /// which on Citus (every statement a distributed plan) took minutes for 2,000.
    async fn national_classifications(
        &self,
        seed: u64,
        communes: &[NationalCommune],
        households: u64,
    ) -> Result<(usize, (usize, usize)), AppError> {
        let total = households.max(1) as f64;
        let mountain = (0..households)
            .filter(|&i| is_mountain(&communes[commune_of(seed, i, communes.len())].province_code))
            .count() as f64
            / total;
        let mut written = 0;
        let mut last = (0, 0);
        let mut provinces: Vec<&str> = communes.iter().map(|c| c.province_code.as_str()).collect();
        provinces.dedup();
        for province in provinces {
            let (rows, _) = self
                .store()
                .list_households(
                    &HouseholdFilter {
                        scope_column: "province_code",
                        scope_code: province.to_string(),
                        text: None,
                        citizen_id: None,
                        include_inactive: false,
                        villages: Vec::new(),
                    },
                    i64::MAX / 2,
                    0,
                )
                .await?;
            let mut by_commune: std::collections::HashMap<&str, Vec<&HouseholdListRow>> =
                Default::default();
            for row in &rows {
                by_commune
                    .entry(row.commune_code.as_str())
                    .or_default()
                    .push(row);
            }
            for (k, (period, standard_id, poor, near)) in shape::PERIODS.iter().enumerate() {
                let standard = self
                    .config()
                    .standards
                    .get(standard_id)
                    .ok_or_else(|| AppError::invalid("standard", standard_id.to_string()))?;
                let baseline = k == 0;
                let effective = NaiveDate::from_ymd_opt(*period, if baseline { 1 } else { 12 }, 1)
                    .expect("a valid day");
                let decision = format!(
                    "Danh sách hộ nghèo, hộ cận nghèo năm {period} (dữ liệu mẫu toàn quốc)"
                );
                let mut list = Vec::with_capacity(rows.len());
                let mut audits = Vec::new();
                for commune in communes.iter().filter(|c| c.province_code == province) {
                    let Some(rows) = by_commune.get(commune.code.as_str()) else {
                        continue;
                    };
                    let poor = province_rate(*poor, mountain, &commune.province_code);
                    let near = province_rate(*near, mountain, &commune.province_code);
                    let before = list.len();
                    let (mut n_poor, mut n_near) = (0, 0);
                    for row in rows {
                        let Some(index) = index_of(&row.code) else {
                            continue;
                        };
                        // One draw per household for both periods, moved a little between
                        // them: most keep their status, some leave the lists, a few join.
                        let mut draw = Draw::new(seed ^ 0xC1A5, index);
                        let u = draw.unit();
                        let u = if baseline {
                            u
                        } else {
                            (u + (draw.unit() - 0.5) * 0.02).clamp(0.0, 1.0)
                        };
                        let intended = if u < poor {
                            Status::Poor
                        } else if u < poor + near {
                            Status::NearPoor
                        } else {
                            Status::NotPoor
                        };
                        let input = survey_for(standard, commune.area, intended);
                        let result = classify(standard, &input)
                            .map_err(|e| AppError::invalid("standard", e.to_string()))?;
                        match result.status {
                            Status::Poor => n_poor += 1,
                            Status::NearPoor => n_near += 1,
                            _ => {}
                        }
                        let Evidence::Income(income) = input.evidence else {
                            unreachable!("income evidence");
                        };
                        list.push(ClassificationFields {
                            household_id: row.id,
                            province_code: commune.province_code.clone(),
                            district_code: None,
                            commune_code: commune.code.clone(),
                            village_code: row.village_code.clone(),
                            period: *period,
                            standard: standard_id.to_string(),
                            kind: if baseline { "baseline" } else { "periodic" }.to_string(),
                            review_id: None,
                            status: result.status.as_str().to_string(),
                            area: commune.area.as_str().to_string(),
                            income_per_capita: Some(income as i64),
                            score_a: None,
                            score_b: i32::from(result.score_b),
                            deprivation_count: i32::from(result.deprivation_count),
                            deprived: input
                                .deprived
                                .indexes()
                                .map(|k| standard.indicators()[k].code.as_str())
                                .collect::<Vec<_>>()
                                .join(","),
                            reasons: result.reasons_text(Lang::Vi),
                            transition: None,
                            member_count: row.member_count,
                            causes: String::new(),
                            decision_number: Some(decision.clone()),
                            decision_date: (!baseline).then_some(effective),
                            effective_date: effective,
                            approved_by: "hệ thống".to_string(),
                            approved_at: format!("{effective}T01:00:00Z"),
                            supersedes: None,
                            correction_reason: None,
                            certificate_number: None,
                        });
                    }
                    audits.push(AuditEntry {
                        at: self
                            .clock()
                            .now()
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        user_id: None,
                        username: "hệ thống".to_string(),
                        action: if baseline {
                            "classification.baseline"
                        } else {
                            "review.approve"
                        }
                        .to_string(),
                        entity: "classification".to_string(),
                        entity_id: String::new(),
                        household_id: None,
                        unit_code: Some(commune.code.clone()),
                        province_code: Some(commune.province_code.clone()),
                        changes: serde_json::json!([
                            {"field": "period", "old": null, "new": period},
                            {"field": "households", "old": null, "new": list.len() - before},
                            {"field": "poor", "old": null, "new": n_poor},
                            {"field": "near_poor", "old": null, "new": n_near},
                        ])
                        .to_string(),
                        reason: Some("dữ liệu mẫu toàn quốc".to_string()),
                    });
                    if k + 1 == shape::PERIODS.len() {
                        last.0 += n_poor;
                        last.1 += n_near;
                    }
                    // A large province is written in parts, whole communes each, so that
                    // memory stays flat in the size of the nation.
                    if list.len() >= WRITE_BATCH {
                        written += self.write_national(&mut list, &mut audits).await?;
                    }
                }
                written += self.write_national(&mut list, &mut audits).await?;
            }
        }
        Ok((written, last))
    }

    /// Writes the classifications gathered so far with their audit entries, and empties
    /// both; the number written.
    async fn write_national(
        &self,
        list: &mut Vec<ClassificationFields>,
        audits: &mut Vec<AuditEntry>,
    ) -> Result<usize, AppError> {
        if list.is_empty() {
            audits.clear();
            return Ok(0);
        }
        let written = self
            .store()
            .insert_classifications(list, audits, self.clock().now())
            .await?
            .len();
        list.clear();
        audits.clear();
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn communes() -> Vec<NationalCommune> {
        ["04", "01", "79"]
            .iter()
            .enumerate()
            .map(|(i, p)| NationalCommune {
                province_code: p.to_string(),
                code: format!("0000{i}"),
                village_code: format!("0000{i}001"),
                area: Area::Rural,
            })
            .collect()
    }

    #[test]
    fn the_same_seed_writes_the_same_file_and_another_seed_another() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut c = Vec::new();
        write_national_csv(7, 200, &communes(), &mut a).unwrap();
        write_national_csv(7, 200, &communes(), &mut b).unwrap();
        write_national_csv(8, 200, &communes(), &mut c).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn mountain_provinces_are_poorer_and_the_country_meets_its_figure() {
        let share = 0.25;
        let mountain = province_rate(0.0293, share, "04");
        let other = province_rate(0.0293, share, "79");
        assert!((mountain / other - shape::MOUNTAIN_FACTOR).abs() < 1e-9);
        let national = mountain * share + other * (1.0 - share);
        assert!((national - 0.0293).abs() < 1e-9);
    }
}
