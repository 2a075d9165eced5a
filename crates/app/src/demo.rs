//! Synthetic demo data: a made-up but realistic Huyện Hương Khê (Hà Tĩnh), the
//! mountainous border district of the seed plan, for trying the product without real
//! personal data.
//!
//! [`plan`] is pure and deterministic: the same seed, household count, commune list and
//! date give a byte-identical plan on every machine. It draws from a self-written
//! xoshiro256** generator rather than a crate, so that no upgrade of a dependency can
//! silently change the data a seed produces, and it uses only `+ − × ÷` on floats (no
//! `exp`, `ln` or `sqrt` from the platform's maths library, whose last bits may differ
//! between systems).
//!
//! Each household gets a hidden "wealth" score that makes its facts hang together: poorer
//! households have more children, non-durable homes, unsafe water, stunted children,
//! lapsed health-insurance cards. The score itself is never stored; the product must
//! find the poor households from their facts, as a reviewer would.
//!
//! The same score, with yearly noise and growth, gives each household's survey figures
//! for the demo's classification history: income per person under `vn-2016` (2021) and
//! score A of form B1 under `vn-2022` (2022 on). They are stored only as what they are,
//! the survey results of each classification; [`classify_plan`] classifies them through
//! the rules engine, with the deprivations derived from the households' facts.

use crate::access::Role;
use crate::auth::NewUserInput;
use crate::households::{By, DraftInput};
use crate::{App, AppError};
use chrono::{Datelike, Days, Months, NaiveDate};
use giamngheo_domain::Area;
use giamngheo_domain::household::{CitizenId, HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::text;
use giamngheo_rules::{
    Evidence, HouseholdInput, IndicatorSet, Lang, PeriodStatus, StandardSet, Status,
    TransitionKind, TransitionWindows, classify, derive_deprivations, transition,
};
use giamngheo_store::{AuditEntry, ClassificationFields, HouseholdFilter, certificate_number};
use std::collections::BTreeMap;

/// A village (thôn, bản, tổ dân phố) the demo creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoVillage {
    /// A provisional code: the commune's code and a three-digit number, as the app numbers
    /// villages of a commune that has none yet. The loader replaces it with the code the
    /// database actually gives.
    pub code: String,
    pub commune_code: String,
    /// The full name with its kind word, e.g. «Thôn Trung Hòa», «Bản Rào Tre».
    pub name: String,
    /// «Thôn», «Bản» or «Tổ dân phố».
    pub kind: String,
}

/// Everything the demo writes, before it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPlan {
    pub villages: Vec<DemoVillage>,
    /// Households whose `village_code` is the provisional code of one of `villages`.
    pub households: Vec<HouseholdDraft>,
    /// The area of each household (its commune's), in the order of `households`.
    pub areas: Vec<Area>,
    /// The periods the demo classifies, oldest first, with each household's survey
    /// figures.
    pub periods: Vec<DemoPeriod>,
}

/// One period of the demo's classification history, before it is classified.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPeriod {
    /// The year the lists apply to.
    pub period: i32,
    /// The standard the period was classified under: `vn-2016` for 2021, `vn-2022` after.
    pub standard: String,
    /// What the survey found of each household, in the order of the plan's households:
    /// income per person per month under `vn-2016`, score A of form B1 under `vn-2022`.
    pub evidence: Vec<Evidence>,
}

impl DemoPeriod {
    /// The 2021 lists were the baseline the seed plan started from; every later period
    /// is the result of the periodic review held at the end of the year before.
    pub fn is_baseline(&self) -> bool {
        self.period == FIRST_PERIOD
    }
}

/// The first period of the demo history: the seed plan's year.
pub const FIRST_PERIOD: i32 = 2021;
/// The last period the demo history may reach: the end of the 2022–2025 programme.
pub const LAST_PERIOD: i32 = 2025;

impl DemoPlan {
    /// The number of members over all households.
    pub fn member_count(&self) -> usize {
        self.households.iter().map(|h| h.members.len()).sum()
    }
}

/// Plans `households` households of the communes given as `(code, name, area)`, with
/// ages, cards and school years reckoned on `today`.
///
/// Every commune gets 8–20 villages and at least one household (when there are at least
/// as many households as communes); a township (thị trấn) or ward gets more households
/// and residential groups (tổ dân phố) instead of villages. The commune named Hương Liên,
/// or failing that the last rural commune, gets «Bản Rào Tre», a village of mostly Chứt
/// households: the Chứt of Hương Khê live there.
///
/// The classification history covers 2021 and 2022, and each later period up to 2025
/// whose review (at the end of the year before) lies in a year already begun on `today`.
pub fn plan(
    seed: u64,
    households: usize,
    communes: &[(String, String, Option<String>)],
    today: NaiveDate,
) -> DemoPlan {
    Generator::new(seed, today).plan(households, communes)
}

/// The communes of `district` in the official list shipped with the binary, as
/// `(code, name, area)`: what [`plan`] takes, for tests and benchmarks that run without a
/// database.
pub fn shipped_communes(district: &str) -> Vec<(String, String, Option<String>)> {
    let rows = giamngheo_sheets::units::read_units(crate::units::OFFICIAL_UNITS_CSV.as_bytes())
        .expect("the shipped units list is valid");
    rows.into_iter()
        .filter(|r| {
            r.parent_code
                .as_ref()
                .is_some_and(|p| p.as_str() == district)
        })
        .map(|r| {
            let area = r.area.or_else(|| r.kind.default_area());
            (
                r.code.as_str().to_string(),
                r.name,
                area.map(|a| a.as_str().to_string()),
            )
        })
        .collect()
}

/// One household's classification in one period, as the rules engine gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoStatus {
    /// What the engine was given: the area, the survey figure and the derived ticks.
    pub input: HouseholdInput,
    pub status: Status,
    pub deprivation_count: u8,
    pub score_b: u16,
    /// The move from the previous period; `None` in the first, which has none.
    pub transition: Option<TransitionKind>,
}

/// Classifies every household of `plan` in every period of it through the rules engine,
/// as a reviewer's survey would: the deprivations derived from the household's facts,
/// the income or score A from the plan, the transitions from the household's history.
/// The result follows `plan.periods`, each list following `plan.households`.
///
/// The facts are derived on `today`, the day the plan describes the households on: on
/// any other day ages and cards would be read out of their time (children not yet born,
/// cards not yet issued). The periods differ by their survey figures, which move faster
/// than the deprivations do.
pub fn classify_plan(
    plan: &DemoPlan,
    standards: &StandardSet,
    today: NaiveDate,
) -> Result<Vec<Vec<DemoStatus>>, AppError> {
    let used = plan
        .periods
        .iter()
        .map(|p| {
            standards.get(&p.standard).ok_or_else(|| {
                AppError::invalid("standard", format!("không có chuẩn nghèo «{}»", p.standard))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let windows = TransitionWindows::default();
    let mut out: Vec<Vec<DemoStatus>> = plan
        .periods
        .iter()
        .map(|_| Vec::with_capacity(plan.households.len()))
        .collect();
    let mut history: Vec<PeriodStatus> = Vec::with_capacity(plan.periods.len());
    let mut derived: Vec<(&str, IndicatorSet)> = Vec::with_capacity(2);
    for (i, draft) in plan.households.iter().enumerate() {
        let facts = crate::facts::household_facts(draft);
        history.clear();
        derived.clear();
        for (k, (period, standard)) in plan.periods.iter().zip(&used).enumerate() {
            // Periods under the same standard share the ticks, derived once.
            let deprived = match derived.iter().find(|(id, _)| *id == standard.id()) {
                Some((_, set)) => *set,
                None => {
                    let set = derive_deprivations(standard, &facts, today).deprived();
                    derived.push((standard.id(), set));
                    set
                }
            };
            let input = HouseholdInput {
                area: plan.areas[i],
                evidence: period.evidence[i],
                deprived,
            };
            let decision = standard
                .decide(&input)
                .map_err(|e| AppError::invalid("standard", e.to_string()))?;
            let current = PeriodStatus {
                year: period.period,
                status: decision.status,
            };
            let moved = (k > 0)
                .then(|| transition(history.last().copied(), current, &history, &windows).kind);
            history.push(current);
            out[k].push(DemoStatus {
                input,
                status: decision.status,
                deprivation_count: decision.deprivation_count,
                score_b: decision.score_b,
                transition: moved,
            });
        }
    }
    Ok(out)
}

/// The decision of a commune's periodic review that set the lists of `period`: its
/// number and date, a working day between 15 and 30 December of the year before, after
/// the review's deadline of 14 December.
pub fn demo_decision(seed: u64, commune: &str, period: i32) -> (String, NaiveDate) {
    let key = commune
        .bytes()
        .fold(seed ^ ((period as u64) << 40), |h, b| mix(h ^ u64::from(b)));
    let number = 100 + mix(key) % 400;
    let day = 15 + (mix(key ^ 1) % 16) as u32;
    let mut date = NaiveDate::from_ymd_opt(period - 1, 12, day).expect("a December day");
    // A weekend decision moves to the Friday before.
    while date.weekday().number_from_monday() > 5 {
        date = date.pred_opt().expect("within the calendar");
    }
    (format!("{number}/QĐ-UBND"), date)
}

// ---------------------------------------------------------------------------------------
// The random number generator.

/// xoshiro256** (Blackman and Vigna), seeded through splitmix64.
#[derive(Debug, Clone)]
struct Rng {
    s: [u64; 4],
}

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is far below anything a demo
    /// could show).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        debug_assert!(lo <= hi);
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Roughly standard normal: the sum of six uniforms, centred and scaled (variance
    /// 6/12, times √2 squared). Its tails stop at ±4.2, which suits a demo.
    fn normal(&mut self) -> f64 {
        let sum: f64 = (0..6).map(|_| self.unit()).sum();
        (sum - 3.0) * std::f64::consts::SQRT_2
    }

    /// Female with chance `female`, otherwise male.
    fn sex(&mut self, female: f64) -> Sex {
        if self.chance(female) {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (item, w) in items {
            if x < u64::from(*w) {
                return *item;
            }
            x -= u64::from(*w);
        }
        items[items.len() - 1].0
    }
}

// ---------------------------------------------------------------------------------------
// Names and code lists the generator draws from.

const FAMILY_KINH: &[(&str, u32)] = &[
    ("Nguyễn", 30),
    ("Trần", 12),
    ("Lê", 10),
    ("Phan", 9),
    ("Võ", 7),
    ("Hồ", 6),
    ("Đặng", 5),
    ("Bùi", 4),
    ("Phạm", 4),
    ("Hoàng", 3),
    ("Đinh", 3),
    ("Dương", 3),
    ("Đoàn", 2),
    ("Hà", 2),
    ("Thái", 2),
    ("Lương", 2),
    ("Đào", 2),
    ("Cao", 2),
    ("Trương", 2),
    ("Ngô", 2),
    ("Đỗ", 2),
    ("Chu", 1),
    ("Mai", 1),
    ("Tôn", 1),
];

/// The Chứt of Rào Tre carry Vietnamese family names; Hồ is by far the most common.
const FAMILY_CHUT: &[(&str, u32)] = &[("Hồ", 60), ("Cao", 15), ("Đinh", 15), ("Nguyễn", 10)];
const FAMILY_MUONG: &[(&str, u32)] = &[("Bùi", 4), ("Đinh", 3), ("Quách", 2), ("Hà", 1)];
const FAMILY_THAI_LAO: &[(&str, u32)] = &[("Lò", 3), ("Vi", 3), ("Lương", 2), ("Lữ", 1)];
const FAMILY_TAY_NUNG: &[(&str, u32)] = &[("Hoàng", 3), ("Nông", 3), ("Lục", 1), ("Triệu", 1)];

const MIDDLE_MALE_OLD: &[(&str, u32)] = &[
    ("Văn", 12),
    ("Đình", 2),
    ("Hữu", 2),
    ("Xuân", 2),
    ("Đức", 2),
    ("Công", 1),
    ("Quang", 1),
    ("Ngọc", 1),
];
const MIDDLE_MALE_YOUNG: &[(&str, u32)] = &[
    ("Văn", 5),
    ("Đức", 3),
    ("Minh", 3),
    ("Hữu", 2),
    ("Quang", 2),
    ("Xuân", 2),
    ("Đình", 2),
    ("Công", 2),
    ("Trọng", 1),
    ("Ngọc", 1),
    ("Gia", 1),
    ("Anh", 1),
];
const MIDDLE_FEMALE_YOUNG: &[(&str, u32)] = &[
    ("Thị", 10),
    ("Ngọc", 2),
    ("Thu", 2),
    ("Thanh", 2),
    ("Hồng", 1),
    ("Phương", 1),
    ("Khánh", 1),
    ("Bảo", 1),
    ("Minh", 1),
    ("Hoài", 1),
];

const GIVEN_MALE: &[&str] = &[
    "Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Sơn", "Long", "Thắng", "Bình", "Cường", "Hòa", "Lợi",
    "Quân", "Tâm", "Thành", "Trung", "Vinh", "Đạt", "Hiếu", "Kiên", "Phong", "Tùng", "Việt", "Anh",
    "Huy", "Khánh", "Lâm", "Minh", "Nghĩa", "Phúc", "Tài", "Thông", "Toàn", "Hưng", "Lực", "Đông",
    "Hoan", "Kỳ", "Nhân", "Sáu", "Tình", "Thuận", "Đức", "Quý", "Châu",
];
const GIVEN_FEMALE: &[&str] = &[
    "Lan", "Hương", "Hoa", "Mai", "Hà", "Linh", "Nga", "Thảo", "Trang", "Yến", "Nhung", "Hằng",
    "Hạnh", "Loan", "Thủy", "Vân", "Oanh", "Hiền", "Ngọc", "Phương", "Huyền", "Nhàn", "Tâm",
    "Dung", "Lý", "Lài", "Sen", "Cúc", "Đào", "Tuyết", "Thơm", "Liên", "Hồng", "Quỳnh", "Trâm",
    "Vy", "Ánh", "Giang", "Thương", "Diệu",
];

/// Plausible village names of the area. Apart from Rào Tre, the real Chứt settlement of
/// Hương Liên, they are not taken from any official list.
const VILLAGE_NAMES: &[&str] = &[
    "Trung Hòa",
    "Tân Hương",
    "Phúc Sơn",
    "Thanh Bình",
    "Hòa Bình",
    "Tân Thành",
    "Kim Lệ",
    "Phú Lễ",
    "Đông Tiến",
    "Tân Phúc",
    "Xuân Hòa",
    "Vĩnh Phúc",
    "Thượng Lĩnh",
    "Hạ Lĩnh",
    "Khe Giao",
    "Trường Sơn",
    "Đồng Bàu",
    "Hòa Thắng",
    "Quyết Tiến",
    "Tiến Thành",
    "Trung Tâm",
    "Bình Minh",
    "Lâm Trường",
    "Tân Long",
    "Gia Phú",
    "Phú Mỹ",
    "Đồng Lâm",
    "Liên Giang",
    "Thống Nhất",
    "Tân Mỹ",
    "Khe Đá",
    "Tân Quang",
    "Yên Hòa",
    "Đông Châu",
    "Nam Sơn",
    "Bắc Sơn",
    "Trung Sơn",
    "Phúc Đình",
    "Lạc Thiện",
    "Phương Mỹ",
    "Hà Đông",
    "Hà Tây",
];

/// Communes treated as remote border communes (on the border with Laos), whose
/// households are poorer on average.
const REMOTE_COMMUNES: &[&str] = &[
    "huong lien",
    "huong lam",
    "huong vinh",
    "hoa hai",
    "phu gia",
];

/// Where a household is: the village and what the generator knows about it.
struct Place<'a> {
    commune_code: &'a str,
    commune_name: &'a str,
    village_code: &'a str,
    village_name: &'a str,
    urban: bool,
    /// Added to each household's wealth.
    offset: f64,
    /// Share of households that are Chứt (only in a Chứt bản).
    chut_share: f64,
}

/// Minorities other than Chứt, for the odd household or in-married spouse: Mường, Thái,
/// Lào, Tày, Nùng.
const OTHER_MINORITIES: &[(&str, u32)] = &[("06", 4), ("03", 3), ("37", 3), ("02", 1), ("07", 1)];

const KINH: &str = "01";
const CHUT: &str = "44";

// ---------------------------------------------------------------------------------------
// The generator.

/// How much likelier than an average household a household of wealth `w` is to be
/// deprived on an indicator: a table interpolated linearly, so that no transcendental
/// function is needed.
fn need_factor(w: f64) -> f64 {
    const POINTS: [(f64, f64); 7] = [
        (-3.0, 9.0),
        (-2.0, 5.5),
        (-1.0, 2.4),
        (0.0, 1.0),
        (1.0, 0.45),
        (2.0, 0.2),
        (3.0, 0.1),
    ];
    interpolate(&POINTS, w)
}

/// The value at `x` of a table of points, interpolated linearly and held flat beyond its
/// ends: no transcendental function is needed.
fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    if x <= points[0].0 {
        return points[0].1;
    }
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        if x <= x1 {
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
        }
    }
    points[points.len() - 1].1
}

/// Income per person per month, in thousand đồng, of a rural household whose surveyed
/// wealth is `z`. Chosen so that in 2021 about a tenth of the district is below the
/// rural poor line of `vn-2016` (700,000) and another tenth between it and the
/// near-poor line (1,000,000), as in a poor mountainous district.
const INCOME_RURAL: [(f64, f64); 8] = [
    (-4.5, 250.0),
    (-3.0, 380.0),
    (-1.45, 700.0),
    (-0.9, 1_000.0),
    (0.0, 1_600.0),
    (1.0, 2_500.0),
    (2.0, 3_800.0),
    (3.5, 6_500.0),
];

/// Score A of form B1 of a rural household whose surveyed wealth is `z`: about a fifth
/// of the district at or below the rural threshold of 140 points at the end of 2021.
/// Urban households score 35 points more, as their threshold is 175.
const SCORE_A_RURAL: [(f64, f64); 7] = [
    (-4.5, 55.0),
    (-2.0, 105.0),
    (-1.3, 140.0),
    (0.0, 170.0),
    (1.0, 195.0),
    (2.0, 225.0),
    (3.5, 265.0),
];

/// The points of score A a household loses for each lack of home and assets.
const B1_POINTS_PER_LACK: f64 = 18.0;

/// How many of the things form B1 scores a household lacks: a durable home, room, a
/// hygienic latrine, safe water, a means of information. Form B1 scores a household's
/// home and assets, which is why its score A falls with these deprivations too.
fn b1_lacks(d: &HouseholdDraft) -> u32 {
    use giamngheo_domain::household::{LATRINES, MATERIALS, WATER_SOURCES};
    let poor = |list: &giamngheo_domain::household::ChoiceList, v: &Option<String>| {
        v.as_deref()
            .and_then(|c| list.get(c))
            .is_some_and(|c| !c.adequate)
    };
    let non_durable = [&d.wall_material, &d.column_material, &d.roof_material]
        .iter()
        .filter(|m| poor(&MATERIALS, m))
        .count();
    let cramped = d
        .floor_area_m2
        .is_some_and(|a| (a as usize) < 8 * d.members.len());
    [
        non_durable >= 2,
        cramped,
        poor(&LATRINES, &d.latrine),
        poor(&WATER_SOURCES, &d.water_source),
        !(d.has_tv || d.has_computer || d.has_smartphone),
    ]
    .iter()
    .filter(|&&lack| lack)
    .count() as u32
}

/// How much the surveyed wealth of every household grows from one period to the next,
/// from 2021 to 2025: enough for the poverty rate to fall by 1 to 1.5 points a year, as
/// the seed plan targets.
const YEARLY_GROWTH: [f64; (LAST_PERIOD - FIRST_PERIOD + 1) as usize] =
    [0.0, 0.1, 0.25, 0.25, 0.25];

/// A person being made, before the member draft.
struct Person {
    relation: &'static str,
    sex: Sex,
    age: u32,
    ethnicity: &'static str,
    family: &'static str,
}

struct Generator {
    rng: Rng,
    today: NaiveDate,
    /// Citizen-ID serials handed out per (province of birth, sex-and-century digit, year
    /// of birth): the 6-digit serial is unique within each, so every ID is unique.
    citizen_serials: BTreeMap<(u16, u8, u8), u32>,
    /// Health-insurance (social-insurance) numbers handed out.
    insurance_serial: u64,
    /// Scrambles serials so that they look random while staying unique.
    serial_offset: u64,
    /// Draws the survey figures. A stream of its own, so that the households a seed
    /// gives do not depend on how many periods the history covers.
    survey_rng: Rng,
}

impl Generator {
    fn new(seed: u64, today: NaiveDate) -> Generator {
        let mut rng = Rng::new(seed);
        let serial_offset = rng.next_u64();
        Generator {
            rng,
            today,
            citizen_serials: BTreeMap::new(),
            insurance_serial: 0,
            serial_offset,
            survey_rng: Rng::new(mix(seed ^ 0x5355_5256_4559_5321)),
        }
    }

    fn plan(
        &mut self,
        households: usize,
        communes: &[(String, String, Option<String>)],
    ) -> DemoPlan {
        let mut out = DemoPlan {
            villages: Vec::new(),
            households: Vec::with_capacity(households),
            areas: Vec::with_capacity(households),
            periods: (FIRST_PERIOD..=LAST_PERIOD)
                .filter(|&p| p <= FIRST_PERIOD + 1 || p <= self.today.year())
                .map(|period| DemoPeriod {
                    period,
                    standard: if period == FIRST_PERIOD {
                        "vn-2016"
                    } else {
                        "vn-2022"
                    }
                    .to_string(),
                    evidence: Vec::with_capacity(households),
                })
                .collect(),
        };
        if communes.is_empty() {
            return out;
        }
        let urban: Vec<bool> = communes
            .iter()
            .map(|(_, _, area)| area.as_deref() == Some("urban"))
            .collect();
        let folded: Vec<String> = communes
            .iter()
            .map(|(_, name, _)| text::fold(name))
            .collect();
        let remote: Vec<bool> = folded
            .iter()
            .map(|f| REMOTE_COMMUNES.iter().any(|r| f.ends_with(r)))
            .collect();
        let chut_commune = folded
            .iter()
            .position(|f| f.ends_with("huong lien"))
            .or_else(|| urban.iter().rposition(|u| !u));

        // Townships hold more people than a rural commune; remote communes fewer.
        let weights: Vec<f64> = (0..communes.len())
            .map(|i| {
                let base = if urban[i] {
                    2.2
                } else if remote[i] {
                    0.8
                } else {
                    1.0
                };
                base * self.rng.uniform(0.7, 1.3)
            })
            .collect();
        let per_commune = apportion(households, &weights);

        for (i, (code, name, _)) in communes.iter().enumerate() {
            let count = per_commune[i];
            let offset = if urban[i] {
                0.7
            } else if remote[i] {
                -0.35
            } else {
                self.rng.uniform(-0.2, 0.2)
            };
            let villages = self.villages_of(code, urban[i], chut_commune == Some(i), count);
            let first_village = out.villages.len();
            // Villages differ in size; a Chứt bản is small.
            let village_weights: Vec<f64> = villages
                .iter()
                .map(|v| {
                    if v.kind == "Bản" {
                        0.0
                    } else {
                        self.rng.uniform(0.5, 1.5)
                    }
                })
                .collect();
            let chut_households = if chut_commune == Some(i) {
                // About 0.4 % of the district, as the Chứt are a small group; at least a
                // few households so that small demos show them too.
                (households / 250).clamp(3, 150).min(count)
            } else {
                0
            };
            let mut village_counts = apportion(count - chut_households, &village_weights);
            if let Some(b) = villages.iter().position(|v| v.kind == "Bản") {
                village_counts[b] = chut_households;
            }
            out.villages.extend(villages);
            let mut serial = 0;
            for (v, &n) in village_counts.iter().enumerate() {
                let village = &out.villages[first_village + v];
                let is_ban = village.kind == "Bản";
                let place = Place {
                    commune_code: code,
                    commune_name: name,
                    village_code: &village.code,
                    village_name: &village.name,
                    urban: urban[i],
                    offset: if is_ban { -2.4 } else { offset },
                    chut_share: if is_ban { 0.9 } else { 0.0 },
                };
                for _ in 0..n {
                    serial += 1;
                    let (draft, wealth) = self.household(&place, serial);
                    let lacks = b1_lacks(&draft);
                    out.households.push(draft);
                    out.areas.push(if place.urban {
                        Area::Urban
                    } else {
                        Area::Rural
                    });
                    self.survey(wealth, lacks, place.urban, &mut out.periods);
                }
            }
        }
        out
    }

    /// 8–20 villages of a commune, more for a commune with more households.
    fn villages_of(
        &mut self,
        commune: &str,
        urban: bool,
        chut: bool,
        households: usize,
    ) -> Vec<DemoVillage> {
        let wanted = (households / 110).clamp(8, 20) as u32;
        let jitter = self.rng.between(0, 4);
        let n = (wanted + jitter).saturating_sub(2).clamp(8, 20) as usize;
        let mut names: Vec<(String, &'static str)> = Vec::with_capacity(n + 1);
        if urban {
            for k in 1..=n {
                names.push((format!("Tổ dân phố {k}"), "Tổ dân phố"));
            }
        } else if self.rng.chance(0.5) {
            for k in 1..=n {
                names.push((format!("Thôn {k}"), "Thôn"));
            }
        } else {
            // Distinct names drawn without replacement, kept in the order drawn.
            let mut pool: Vec<&str> = VILLAGE_NAMES.to_vec();
            for _ in 0..n {
                let k = self.rng.below(pool.len() as u64) as usize;
                names.push((format!("Thôn {}", pool.swap_remove(k)), "Thôn"));
            }
        }
        if chut {
            names.push(("Bản Rào Tre".to_string(), "Bản"));
        }
        names
            .into_iter()
            .enumerate()
            .map(|(k, (name, kind))| DemoVillage {
                code: format!("{commune}{:03}", k + 1),
                commune_code: commune.to_string(),
                name,
                kind: kind.to_string(),
            })
            .collect()
    }

    /// A household of `place` and its hidden wealth.
    fn household(&mut self, place: &Place<'_>, serial: usize) -> (HouseholdDraft, f64) {
        let w = self.rng.normal() + place.offset;
        let need = need_factor(w);
        let rng = &mut self.rng;

        // The household's ethnic group, and sometimes a spouse from another group.
        let ethnicity: &'static str = if rng.chance(place.chut_share) {
            CHUT
        } else if rng.chance(0.012) {
            rng.weighted(OTHER_MINORITIES)
        } else {
            KINH
        };
        let people = self.compose(ethnicity, w);
        let members: Vec<MemberDraft> = people.iter().map(|p| self.member(p, w, place)).collect();
        let mut draft = HouseholdDraft {
            code: format!("{}-{serial:05}", place.commune_code),
            village_code: place.village_code.to_string(),
            members,
            ..Default::default()
        };
        let ages: Vec<u32> = people.iter().map(|p| p.age).collect();
        self.deprive(&mut draft, &ages, need, w, place);
        self.home(&mut draft, &ages, need, w, place);
        (draft, w)
    }

    /// Each period's survey figure of a household of wealth `w`: what a survey sees is
    /// the wealth blurred by measurement and by the year's luck, and every year brings
    /// the district's growth plus a household's own ups and downs, so that households
    /// leave the lists and a few fall back, as in the field. Score A also loses points
    /// for each of the household's `lacks` of home and assets, which form B1 scores.
    fn survey(&mut self, w: f64, lacks: u32, urban: bool, periods: &mut [DemoPeriod]) {
        let rng = &mut self.survey_rng;
        let mut z = w + 0.3 * rng.normal();
        // The draws are the same whatever the number of periods, so that the early
        // periods do not change with the day the plan is made.
        for (k, growth) in YEARLY_GROWTH.iter().enumerate() {
            if k > 0 {
                z += growth + 0.25 * rng.normal();
            }
            let year = FIRST_PERIOD + k as i32;
            let Some(period) = periods.iter_mut().find(|p| p.period == year) else {
                continue;
            };
            let evidence = if period.standard == "vn-2016" {
                // Town life costs more, as the urban lines say (900,000 against 700,000).
                let thousands = interpolate(&INCOME_RURAL, z) * if urban { 1.3 } else { 1.0 };
                Evidence::Income((thousands / 10.0).round() as u64 * 10_000)
            } else {
                let score = interpolate(&SCORE_A_RURAL, z) + if urban { 35.0 } else { 0.0 }
                    - B1_POINTS_PER_LACK * f64::from(lacks);
                Evidence::ScoreA(score.round().max(10.0) as u32)
            };
            period.evidence.push(evidence);
        }
    }

    /// Who lives in the household: the head first, then spouse, children and others.
    fn compose(&mut self, ethnicity: &'static str, w: f64) -> Vec<Person> {
        #[derive(Clone, Copy)]
        enum Shape {
            SingleElder,
            ElderCouple,
            YoungCouple,
            Nuclear,
            SingleParent,
            ThreeGenerations,
            WithGrandparent,
            SingleAdult,
        }
        use Shape::*;
        let rng = &mut self.rng;
        let shape = rng.weighted(&[
            (SingleElder, 6),
            (ElderCouple, 9),
            (YoungCouple, 5),
            (Nuclear, 46),
            (SingleParent, 6),
            (ThreeGenerations, 16),
            (WithGrandparent, 9),
            (SingleAdult, 3),
        ]);
        let family = |rng: &mut Rng, ethnicity: &str| -> &'static str {
            match ethnicity {
                CHUT => rng.weighted(FAMILY_CHUT),
                "06" => rng.weighted(FAMILY_MUONG),
                "03" | "37" => rng.weighted(FAMILY_THAI_LAO),
                "02" | "07" => rng.weighted(FAMILY_TAY_NUNG),
                _ => rng.weighted(FAMILY_KINH),
            }
        };
        // A spouse is usually of the household's group; a Chứt man sometimes marries a
        // Kinh woman, and a Kinh family sometimes has a spouse from a minority.
        let spouse_ethnicity = |rng: &mut Rng| -> &'static str {
            if ethnicity == CHUT {
                if rng.chance(0.15) { KINH } else { CHUT }
            } else if ethnicity == KINH && rng.chance(0.006) {
                rng.weighted(OTHER_MINORITIES)
            } else {
                ethnicity
            }
        };
        // Poorer households and Chứt households have more children.
        let children_count = |rng: &mut Rng| -> u32 {
            let mut k = rng.weighted(&[(1u32, 20), (2, 45), (3, 25), (4, 10)]);
            if w < -1.0 && rng.chance(0.35) {
                k += 1;
            }
            if ethnicity == CHUT && rng.chance(0.5) {
                k += 1;
            }
            k
        };
        let head_family = family(rng, ethnicity);
        let mut people = Vec::with_capacity(8);
        let add_children = |rng: &mut Rng,
                            people: &mut Vec<Person>,
                            mother_age: u32,
                            family: &'static str,
                            relation: &'static str,
                            count: u32| {
            let mut at_birth = rng.between(19, 27);
            for _ in 0..count {
                if people.len() >= 8 || at_birth > mother_age || at_birth > 44 {
                    break;
                }
                let age = mother_age - at_birth;
                // Grown children have mostly left home.
                if age <= 27 || rng.chance(0.2) {
                    people.push(Person {
                        relation,
                        sex: rng.sex(0.48),
                        age,
                        ethnicity,
                        family,
                    });
                }
                at_birth += rng.between(2, 5);
            }
        };
        let person = |relation, sex, age, ethnicity, family| Person {
            relation,
            sex,
            age,
            ethnicity,
            family,
        };
        match shape {
            SingleElder | SingleAdult => {
                // Old people living alone are mostly widows; younger ones mostly men
                // working away from their families.
                let (female, youngest, oldest) = match shape {
                    SingleElder => (0.75, 62, 95),
                    _ => (0.3, 22, 59),
                };
                let sex = rng.sex(female);
                let age = rng.between(youngest, oldest);
                people.push(person("head", sex, age, ethnicity, head_family));
            }
            ElderCouple | YoungCouple => {
                let (youngest, oldest, gap, wife_youngest) = match shape {
                    ElderCouple => (60, 88, 6, 55),
                    _ => (21, 32, 4, 18),
                };
                let age = rng.between(youngest, oldest);
                people.push(person("head", Sex::Male, age, ethnicity, head_family));
                let e = spouse_ethnicity(rng);
                let f = family(rng, e);
                let wife = age.saturating_sub(rng.between(0, gap)).max(wife_youngest);
                people.push(person("spouse", Sex::Female, wife, e, f));
            }
            Nuclear | WithGrandparent => {
                let age = rng.between(24, 58);
                let e = spouse_ethnicity(rng);
                let f = family(rng, e);
                let wife = age.saturating_sub(rng.between(0, 6)).max(20);
                // One household in ten is registered under the wife's name.
                if rng.chance(0.1) {
                    people.push(person("head", Sex::Female, wife, e, f));
                    people.push(person("spouse", Sex::Male, age, ethnicity, head_family));
                } else {
                    people.push(person("head", Sex::Male, age, ethnicity, head_family));
                    people.push(person("spouse", Sex::Female, wife, e, f));
                }
                if let WithGrandparent = shape {
                    let old = (age + rng.between(22, 34)).min(98);
                    let sex = rng.sex(0.7);
                    let relation = if people[0].sex == Sex::Male {
                        "parent"
                    } else {
                        "parent_in_law"
                    };
                    let f = if sex == Sex::Male {
                        head_family
                    } else {
                        family(rng, ethnicity)
                    };
                    people.push(person(relation, sex, old, ethnicity, f));
                }
                let count = children_count(rng);
                add_children(rng, &mut people, wife, head_family, "child", count);
            }
            SingleParent => {
                let age = rng.between(25, 50);
                let f = family(rng, ethnicity);
                people.push(person("head", Sex::Female, age, ethnicity, f));
                let count = children_count(rng).min(3);
                // The children carry their (absent) father's family name.
                let father = family(rng, ethnicity);
                add_children(rng, &mut people, age, father, "child", count);
            }
            ThreeGenerations => {
                let age = rng.between(52, 80);
                people.push(person("head", Sex::Male, age, ethnicity, head_family));
                let wife = age.saturating_sub(rng.between(0, 6));
                if rng.chance(0.8) {
                    let e = spouse_ethnicity(rng);
                    let f = family(rng, e);
                    people.push(person("spouse", Sex::Female, wife, e, f));
                }
                // The son who stays with his parents, his wife and their children.
                let son = wife.saturating_sub(rng.between(20, 30)).max(20);
                people.push(person("child", Sex::Male, son, ethnicity, head_family));
                let e = spouse_ethnicity(rng);
                let f = family(rng, e);
                let daughter_in_law = son.saturating_sub(rng.between(0, 5)).max(19);
                people.push(person("child_in_law", Sex::Female, daughter_in_law, e, f));
                if rng.chance(0.2) && wife >= 40 {
                    let young = wife.saturating_sub(rng.between(30, 38)).max(16);
                    let sex = rng.sex(0.5);
                    people.push(person("child", sex, young, ethnicity, head_family));
                }
                let count = children_count(rng).min(3);
                add_children(
                    rng,
                    &mut people,
                    daughter_in_law,
                    head_family,
                    "grandchild",
                    count,
                );
            }
        }
        people
    }

    /// A member as a healthy, schooled, insured household member of its age would be;
    /// [`Generator::deprive`] later takes some of that away.
    fn member(&mut self, p: &Person, w: f64, place: &Place<'_>) -> MemberDraft {
        let today = self.today;
        let rng = &mut self.rng;
        let birth = birth_date(today, p.age, rng.between(0, 363));
        let full_name = full_name(rng, p, birth.year());
        // Older people's papers often give only the year of birth.
        let birth_date = if birth.year() < 1955 && rng.chance(0.15) {
            None
        } else {
            Some(birth)
        };

        // Disability is commoner with age and in poorer households.
        let base = match p.age {
            0..18 => 0.01,
            18..60 => 0.03,
            60..80 => 0.08,
            _ => 0.15,
        };
        let disability = if rng.chance(base * need_factor(w).min(3.0)) {
            rng.weighted(&[("mild", 65), ("severe", 28), ("very_severe", 7)])
        } else {
            "none"
        };
        let severe = matches!(disability, "severe" | "very_severe");

        // School: enrolled at the level for the age.
        let (school, grade): (&str, Option<u8>) = match p.age {
            0..3 => ("", None),
            3..6 => ("preschool", None),
            6..11 => ("primary", Some((p.age - 5) as u8)),
            11..15 => ("lower_secondary", Some((p.age - 5) as u8)),
            15 => ("upper_secondary", Some(10)),
            16..18 => {
                if rng.chance((0.8 + 0.08 * w).clamp(0.4, 0.97)) {
                    ("upper_secondary", Some((p.age - 5) as u8))
                } else if rng.chance(0.4) {
                    ("vocational", None)
                } else {
                    ("none", None)
                }
            }
            18..23 => {
                if rng.chance((0.3 + 0.1 * w).clamp(0.05, 0.6)) {
                    (
                        rng.weighted(&[("university", 5), ("college", 2), ("vocational", 3)]),
                        None,
                    )
                } else {
                    ("none", None)
                }
            }
            _ => ("none", None),
        };
        let studying = !matches!(school, "" | "none");

        // Highest qualification completed, by age, generation and wealth. Members aged
        // 16–30 who are not studying hold at least lower secondary here.
        let qualification: Option<&str> = match p.age {
            0..11 => None,
            11..15 => Some("primary"),
            15..18 => Some("lower_secondary"),
            _ => {
                let year = birth.year();
                let shift = (w * 10.0) as i32;
                let q = if year < 1960 {
                    rng.weighted(&[
                        ("none", 8),
                        ("primary", 40),
                        ("lower_secondary", 36),
                        ("upper_secondary", 12),
                        ("vocational", 2),
                        ("university", 2),
                    ])
                } else if year < 1985 {
                    rng.weighted(&[
                        ("primary", 14),
                        ("lower_secondary", 42),
                        ("upper_secondary", (28 + shift).max(5) as u32),
                        ("vocational", 8),
                        ("college", 3),
                        ("university", (5 + shift / 2).max(1) as u32),
                    ])
                } else {
                    rng.weighted(&[
                        ("lower_secondary", 28),
                        ("upper_secondary", (40 + shift).max(10) as u32),
                        ("vocational", 12),
                        ("college", 6),
                        ("university", (12 + shift).max(2) as u32),
                    ])
                };
                if p.age <= 30 && matches!(q, "none" | "primary") {
                    Some("lower_secondary")
                } else if p.age < 22 && matches!(q, "college" | "university") {
                    Some("upper_secondary")
                } else {
                    Some(q)
                }
            }
        };

        // Work. Wage workers have a labour contract here; unemployment and work without
        // a contract are added by `deprive`.
        let pension_chance = if place.urban { 0.3 } else { 0.12 } + 0.05 * w;
        let (work, pension): (&str, bool) = match p.age {
            0..6 => ("child", false),
            6..15 => ("student", false),
            _ if studying => ("student", false),
            _ if severe => ("unable", false),
            15..61 => {
                let wage = if place.urban { 40 } else { 20 };
                let home = if p.sex == Sex::Female && p.age >= 20 {
                    8
                } else {
                    0
                };
                (
                    rng.weighted(&[
                        ("employed", 100 - wage - home),
                        ("wage_worker", wage),
                        ("homemaker", home.max(1)),
                    ]),
                    false,
                )
            }
            _ if rng.chance(pension_chance.clamp(0.02, 0.5)) => ("retired", true),
            80.. => ("unable", false),
            _ => (rng.weighted(&[("employed", 6), ("homemaker", 4)]), false),
        };
        let labour_contract = work == "wage_worker";

        // The monthly social allowance (Decree 20/2021: base 360,000 VND times a
        // coefficient of 1.5 for people over 80 without a pension and for severe
        // disability, 2 for very severe disability).
        let mut allowance = 0;
        if p.age >= 80 && !pension {
            allowance = 540_000;
        }
        if disability == "severe" {
            allowance = allowance.max(540_000);
        }
        if disability == "very_severe" {
            allowance = 720_000;
        }

        // The card's object code (mã đối tượng) and benefit level follow who the member
        // is: children under 6, pupils, pensioners, employees, people on allowances,
        // ethnic minorities, households listed poor or near-poor last year; otherwise a
        // card the household buys.
        let object = if p.age < 6 {
            "TE1"
        } else if work == "retired" {
            "HT3"
        } else if allowance > 0 {
            "BT2"
        } else if w < -1.3 {
            "HN2"
        } else if p.ethnicity != KINH {
            "DT2"
        } else if w < -0.8 {
            "CN3"
        } else if studying {
            "HS4"
        } else if labour_contract {
            "DN4"
        } else {
            "GD4"
        };
        let insurance_number = self.insurance_number(object);
        let rng = &mut self.rng;
        // Cards run for a year at most, so a valid one ends within the next eleven months.
        let expiry = end_of_month(today, rng.between(0, 10) as i32);

        // Citizen IDs are issued from 14; a fifth of teenagers and a few adults have
        // not got one yet.
        let citizen_id = if p.age >= 14 && rng.chance(if p.age < 18 { 0.8 } else { 0.97 }) {
            self.citizen_id(p.sex, birth.year())
        } else {
            None
        };

        MemberDraft {
            full_name,
            sex: Some(p.sex),
            birth_date,
            birth_year: Some(birth.year()),
            ethnicity: p.ethnicity.to_string(),
            relation: p.relation.to_string(),
            citizen_id,
            health_insurance_number: Some(insurance_number),
            health_insurance_expiry: Some(expiry),
            school_level: (!school.is_empty()).then(|| school.to_string()),
            school_grade: grade,
            qualification: qualification.map(str::to_string),
            work_status: Some(work.to_string()),
            labour_contract,
            disability: Some(disability.to_string()),
            social_allowance_vnd: allowance,
            nutrition: (p.age < 16).then(|| "normal".to_string()),
            uses_internet: false,
        }
    }

    /// Takes away what poorer households lack: each indicator of the 2022 standard that
    /// the members' facts settle is made deprived with a chance that grows as wealth
    /// falls. The dependants indicator follows from the ages alone.
    fn deprive(
        &mut self,
        draft: &mut HouseholdDraft,
        ages: &[u32],
        need: f64,
        w: f64,
        place: &Place<'_>,
    ) {
        let today = self.today;
        let rng = &mut self.rng;
        let p = |base: f64| (base * need).min(0.95);
        let members = &mut draft.members;
        let pick = |rng: &mut Rng, candidates: &[usize]| -> Option<usize> {
            (!candidates.is_empty()).then(|| *rng.pick(candidates))
        };
        let who = |f: &dyn Fn(usize) -> bool| -> Vec<usize> {
            (0..ages.len()).filter(|&i| f(i)).collect()
        };

        // Employment: someone of working age is unemployed or works without a contract.
        if rng.chance(p(0.07)) {
            let able = who(&|i| {
                (15..61).contains(&ages[i])
                    && !matches!(
                        members[i].work_status.as_deref(),
                        Some("student" | "unable")
                    )
            });
            if let Some(i) = pick(rng, &able) {
                if rng.chance(0.35) {
                    members[i].work_status = Some("unemployed".into());
                } else {
                    members[i].work_status = Some("wage_worker".into());
                }
                members[i].labour_contract = false;
                members[i].health_insurance_number = members[i]
                    .health_insurance_number
                    .as_ref()
                    .map(|n| n.replacen("DN4", "GD4", 1));
            }
        }

        // Nutrition: a child, most often a small one, is stunted or underweight.
        if rng.chance(p(0.05)) {
            let small = who(&|i| ages[i] < 5);
            let children = who(&|i| ages[i] < 16);
            let chosen = if small.is_empty() {
                pick(rng, &children)
            } else {
                pick(rng, &small)
            };
            if let Some(i) = chosen {
                let state = if rng.chance(0.55) {
                    "stunted"
                } else {
                    "underweight"
                };
                members[i].nutrition = Some(state.into());
            }
        }

        // Health insurance: a member aged 6 or over has no card, or one that lapsed.
        if rng.chance(p(0.04)) {
            let insured = who(&|i| ages[i] >= 6);
            let times = if rng.chance(0.4) { 2 } else { 1 };
            for _ in 0..times {
                if let Some(i) = pick(rng, &insured) {
                    if rng.chance(0.5) || members[i].health_insurance_number.is_none() {
                        members[i].health_insurance_number = None;
                        members[i].health_insurance_expiry = None;
                    } else {
                        let months = rng.between(1, 11);
                        members[i].health_insurance_expiry =
                            Some(end_of_month(today, -(months as i32)));
                    }
                }
            }
        }

        // Adult education: someone aged 16–30 left school early.
        if rng.chance(p(0.04)) {
            let young = who(&|i| (16..31).contains(&ages[i]));
            if let Some(i) = pick(rng, &young) {
                let m = &mut members[i];
                m.qualification = Some(if rng.chance(0.7) { "primary" } else { "none" }.into());
                m.school_level = Some("none".into());
                m.school_grade = None;
                if m.work_status.as_deref() == Some("student") {
                    m.work_status = Some("employed".into());
                }
            }
        }

        // School attendance: a child aged 3 to 15 is not in school.
        if rng.chance(p(0.02)) {
            let children = who(&|i| (3..16).contains(&ages[i]));
            if let Some(i) = pick(rng, &children) {
                let m = &mut members[i];
                m.school_level = Some("none".into());
                m.school_grade = None;
                m.work_status = Some("child".into());
                if let Some(n) = &m.health_insurance_number {
                    m.health_insurance_number = Some(n.replacen("HS4", "GD4", 1));
                }
            }
        }

        // Telecom and information: an internet user, unless the household has no means.
        // Households of old people alone rarely use the internet.
        let no_means = rng.chance(p(0.01));
        let users = who(&|i| (12..66).contains(&ages[i]));
        let offline_chance = if users.is_empty() { 0.75 } else { p(0.08) };
        let offline = no_means || rng.chance(offline_chance);
        if !offline {
            let share = (0.55 + 0.1 * w).clamp(0.2, 0.9);
            let mut any = false;
            for &i in &users {
                if rng.chance(share) {
                    members[i].uses_internet = true;
                    any = true;
                }
            }
            if !any {
                let i = users.first().copied().unwrap_or(0);
                members[i].uses_internet = true;
            }
        }
        draft.has_smartphone = !no_means && (!offline || rng.chance(0.1));
        if no_means {
            draft.loudspeaker = false;
        } else {
            draft.has_tv = rng.chance((0.88 + 0.04 * w).clamp(0.5, 0.98));
            draft.has_radio = rng.chance(0.08);
            let computer = if place.urban { 0.25 } else { 0.05 } + 0.08 * w.max(0.0);
            draft.has_computer = !offline && rng.chance(computer);
            draft.loudspeaker = rng.chance(if place.urban { 0.5 } else { 0.75 });
            if !(draft.has_tv
                || draft.has_radio
                || draft.has_computer
                || draft.has_smartphone
                || draft.loudspeaker)
            {
                draft.has_tv = true;
            }
        }
        draft.social_allowance = members.iter().any(|m| m.social_allowance_vnd > 0);
    }

    /// The home, land, phone and address.
    fn home(
        &mut self,
        draft: &mut HouseholdDraft,
        ages: &[u32],
        need: f64,
        w: f64,
        place: &Place<'_>,
    ) {
        let rng = &mut self.rng;
        let p = |base: f64| (base * need).min(0.95);
        let n = draft.members.len() as u32;

        // Floor area: below 8 m² a person when cramped, otherwise a house of its kind.
        draft.floor_area_m2 = Some(if rng.chance(p(0.03)) {
            (8 * n)
                .saturating_sub(rng.between(1, 3 * n))
                .max(6)
                .min(8 * n - 1)
        } else {
            let typical = (60.0 + 20.0 * w + rng.uniform(-15.0, 40.0)).max(30.0) as u32;
            typical.max(8 * n + rng.between(0, 10))
        });

        // Materials: a non-durable home has at least two of walls, columns and roof of
        // non-durable material.
        if rng.chance(p(0.03)) {
            draft.wall_material = Some(rng.pick(&["wood_poor", "mud", "leaf"]).to_string());
            draft.column_material = Some("wood_poor".into());
            draft.roof_material = Some(
                rng.weighted(&[("leaf", 3), ("metal", 4), ("wood_poor", 1)])
                    .to_string(),
            );
        } else {
            draft.wall_material = Some(
                rng.weighted(&[("concrete", 90), ("wood_durable", 7), ("wood_poor", 3)])
                    .to_string(),
            );
            draft.column_material = Some(
                rng.weighted(&[("concrete", 88), ("wood_durable", 10), ("metal", 2)])
                    .to_string(),
            );
            draft.roof_material = Some(
                rng.weighted(&[("tile", 45), ("metal", 35), ("concrete", 20)])
                    .to_string(),
            );
        }

        draft.water_source = Some(
            if rng.chance(p(0.07)) {
                rng.weighted(&[
                    ("unprotected_well", 4),
                    ("unprotected_spring", 4),
                    ("surface", 2),
                ])
            } else if place.urban {
                rng.weighted(&[("piped", 80), ("drilled_well", 15), ("protected_well", 5)])
            } else {
                rng.weighted(&[
                    ("drilled_well", 40),
                    ("protected_well", 25),
                    ("protected_spring", 15),
                    ("piped", 12),
                    ("rainwater", 5),
                    ("bought", 3),
                ])
            }
            .to_string(),
        );
        draft.latrine = Some(
            if rng.chance(p(0.1)) {
                rng.weighted(&[("simple_pit", 3), ("none", 1)])
            } else {
                rng.weighted(&[
                    ("flush", 70),
                    ("double_vault", 14),
                    ("ventilated_pit", 10),
                    ("biogas", 6),
                ])
            }
            .to_string(),
        );

        // Production land: most rural households farm; in the township a few do.
        let farms = if place.urban {
            rng.chance(0.3)
        } else {
            rng.chance(0.92)
        };
        draft.production_land_m2 = farms.then(|| {
            let m2 = 1_500.0 * (1.0 + 0.25 * w).max(0.2) * rng.uniform(0.3, 2.0);
            (m2 as u32 / 10).max(10) * 10
        });

        // A household of people with merit (veterans, martyrs' families) has old members.
        draft.merit = ages.iter().any(|&a| a >= 65) && rng.chance(0.08);

        draft.phone = rng.chance(0.75).then(|| {
            let prefix = rng.pick(&[
                "098", "097", "096", "086", "091", "094", "088", "083", "084", "085", "039", "038",
                "037", "036", "035", "034", "033", "032", "090", "093", "089", "070", "079", "077",
            ]);
            format!("{prefix}{:07}", rng.below(10_000_000))
        });
        draft.address = if place.urban {
            format!(
                "Số {}, {}, {}",
                rng.between(1, 220),
                place.village_name,
                place.commune_name
            )
        } else {
            format!("{}, {}", place.village_name, place.commune_name)
        };
    }

    /// A citizen ID: the province of birth (Hà Tĩnh, or a neighbour), the sex-and-century
    /// digit, the year of birth and a serial unique within those.
    fn citizen_id(&mut self, sex: Sex, year: i32) -> Option<CitizenId> {
        let province: u16 = self.rng.weighted(&[(42, 93), (40, 4), (44, 2), (1, 1)]);
        let century = if year < 2000 { 0 } else { 2 };
        let digit = century + if sex == Sex::Female { 1 } else { 0 };
        let yy = year.rem_euclid(100) as u8;
        let n = self
            .citizen_serials
            .entry((province, digit, yy))
            .or_insert(0);
        if *n >= 1_000_000 {
            return None;
        }
        // Multiplying by a number prime to 10 permutes the serials modulo 10⁶; the offset
        // differs by key so that the first serials of two years do not look alike.
        let key = (u64::from(province) << 16) | (u64::from(digit) << 8) | u64::from(yy);
        let offset = mix(self.serial_offset ^ key);
        let serial = (u64::from(*n) * 738_137 + offset % 1_000_000) % 1_000_000;
        *n += 1;
        CitizenId::parse(&format!("{province:03}{digit}{yy:02}{serial:06}")).ok()
    }

    /// A health-insurance card number: object code and benefit level, the province (42),
    /// and the holder's ten-digit social-insurance number, itself starting with 42.
    fn insurance_number(&mut self, object: &str) -> String {
        let n = self.insurance_serial;
        self.insurance_serial += 1;
        let serial = (n * 61_803_397 + mix(!self.serial_offset) % 100_000_000) % 100_000_000;
        format!("{object}4242{serial:08}")
    }
}

/// splitmix64's finaliser: spreads the bits of `x`.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A birth date that makes someone `age` full years old on `today`, `days_back` (0–363)
/// days before the birthday's anniversary.
fn birth_date(today: NaiveDate, age: u32, days_back: u32) -> NaiveDate {
    let anniversary = today
        .checked_sub_months(Months::new(12 * age))
        .expect("ages stay within the calendar");
    anniversary
        .checked_sub_days(Days::new(u64::from(days_back)))
        .expect("ages stay within the calendar")
}

/// The last day of the month `months` months after (or before, when negative) `today`'s.
fn end_of_month(today: NaiveDate, months: i32) -> NaiveDate {
    let first = today.with_day(1).expect("day 1 exists");
    let next = if months >= -1 {
        first.checked_add_months(Months::new((months + 1) as u32))
    } else {
        first.checked_sub_months(Months::new((-months - 1) as u32))
    }
    .expect("within the calendar");
    next.pred_opt().expect("within the calendar")
}

/// Family name, middle name and given name, in the style of the person's generation.
fn full_name(rng: &mut Rng, p: &Person, birth_year: i32) -> String {
    let middle = match (p.sex, birth_year < 1985) {
        (Sex::Male, true) => rng.weighted(MIDDLE_MALE_OLD),
        (Sex::Male, false) => rng.weighted(MIDDLE_MALE_YOUNG),
        (Sex::Female, true) => {
            if rng.chance(0.9) {
                "Thị"
            } else {
                rng.weighted(MIDDLE_FEMALE_YOUNG)
            }
        }
        (Sex::Female, false) => rng.weighted(MIDDLE_FEMALE_YOUNG),
    };
    let names = match p.sex {
        Sex::Male => GIVEN_MALE,
        Sex::Female => GIVEN_FEMALE,
    };
    // «Nguyễn Minh Minh» would look like a typing error.
    let mut given = rng.pick(names);
    while *given == middle {
        given = rng.pick(names);
    }
    format!("{} {middle} {given}", p.family)
}

/// Splits `total` in proportion to `weights` by largest remainders, deterministically;
/// every positive weight gets at least one when there are enough to go round.
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum <= 0.0 {
        let mut out = vec![0; weights.len()];
        out[0] = total;
        return out;
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut out: Vec<usize> = exact.iter().map(|x| *x as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (exact[a] - out[a] as f64, exact[b] - out[b] as f64);
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let mut left = total - out.iter().sum::<usize>();
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        if weights[i] > 0.0 {
            out[i] += 1;
            left -= 1;
        }
    }
    // Give every positive weight one, taken from the largest share.
    let positive = weights.iter().filter(|w| **w > 0.0).count();
    if total >= positive {
        for i in 0..weights.len() {
            if weights[i] > 0.0 && out[i] == 0 {
                let largest = (0..out.len())
                    .max_by(|&a, &b| out[a].cmp(&out[b]).then(b.cmp(&a)))
                    .expect("not empty");
                out[largest] -= 1;
                out[i] += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Loading the plan into the database.

/// The demo's district: Huyện Hương Khê of the seed plan.
pub const DEMO_DISTRICT: &str = "444";
/// Its province, Hà Tĩnh.
pub const DEMO_PROVINCE: &str = "42";

/// A demo user, with the password the command line prints.
#[derive(Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub unit_code: String,
    pub unit_name: String,
}

// The password is for printing once, not for logs.
impl std::fmt::Debug for DemoUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoUser")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("unit_code", &self.unit_code)
            .finish_non_exhaustive()
    }
}

/// What [`App::load_demo`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub villages_created: usize,
    /// Villages of the plan that the database had already (same commune and name).
    pub villages_reused: usize,
    pub households: usize,
    pub members: usize,
    /// Classifications written, one per household and period.
    pub classifications: usize,
    /// The periods classified, oldest first.
    pub periods: Vec<i32>,
    pub users: Vec<DemoUser>,
}

/// What the classification history of the demo is written from, shared by the communes.
struct DemoLists<'a> {
    seed: u64,
    periods: &'a [DemoPeriod],
    history: &'a [Vec<DemoStatus>],
    /// The database village code and member count of each household of the plan.
    households: &'a [(String, i32)],
    certificate_pattern: String,
}

/// Most households the demo makes: far more than a district has, still quick to make.
pub const MAX_DEMO_HOUSEHOLDS: usize = 1_000_000;

/// The demo password of a role: easy to type, and the same for a seed every time. It
/// does not start with the username (`demo.admin`), which the password policy refuses.
pub fn demo_password(seed: u64, role: Role) -> String {
    let index = Role::ALL.iter().position(|r| *r == role).unwrap_or(0) as u64;
    format!(
        "dung-thu-{}-{:04}",
        role.as_str(),
        mix(seed ^ (index << 56)) % 10_000
    )
}

impl App {
    /// Fills the database with the demo district: villages, `households` households with
    /// their members, their classification history (the 2021 baseline under `vn-2016`,
    /// then each end-of-year review's lists under `vn-2022`, see [`plan`]), and one user
    /// per role (see [`DemoSummary::users`]).
    ///
    /// The official units are loaded first when the database has none. A district that
    /// already has households is refused, so that demo data never mixes with real data.
    /// Households are written commune by commune, each commune in one transaction; should
    /// the load stop halfway, start again on a fresh database.
    pub async fn load_demo(&self, seed: u64, households: usize) -> Result<DemoSummary, AppError> {
        if households == 0 || households > MAX_DEMO_HOUSEHOLDS {
            return Err(AppError::invalid(
                "households",
                format!("số hộ mẫu phải từ 1 đến {MAX_DEMO_HOUSEHOLDS}"),
            ));
        }
        self.load_official_units_if_empty().await?;
        let district = self.store().unit(DEMO_DISTRICT).await?.ok_or_else(|| {
            AppError::NotFound(format!(
                "huyện mã {DEMO_DISTRICT} (Hương Khê); dữ liệu mẫu cần phân cấp tỉnh, huyện, xã, thôn"
            ))
        })?;
        let (_, existing) = self
            .store()
            .list_households(
                &HouseholdFilter {
                    scope_column: "district_code",
                    scope_code: DEMO_DISTRICT.to_string(),
                    text: None,
                    citizen_id: None,
                    include_inactive: true,
                    villages: Vec::new(),
                },
                1,
                0,
            )
            .await?;
        if existing > 0 {
            return Err(AppError::Conflict(format!(
                "{} đã có {existing} hộ; dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu chưa có hộ nào \
                 ở huyện này, để không lẫn với dữ liệu thật (hãy dùng một cơ sở dữ liệu mới)",
                district.name
            )));
        }
        // The demo's history lies under the district and communes of before the 2025
        // reform: once the district is closed, they are taken as they stood on its last
        // day, and villages are created valid from its first.
        let today = self.clock().today();
        let closed = district.valid_to.filter(|last| *last < today);
        let villages_from = closed.map(|_| district.valid_from);
        let communes: Vec<(String, String, Option<String>)> = self
            .store()
            .children_on(Some(DEMO_DISTRICT), closed.unwrap_or(today))
            .await?
            .into_iter()
            .filter(|u| u.tier == "commune")
            .map(|u| (u.code, u.name, u.area))
            .collect();
        if communes.is_empty() {
            return Err(AppError::NotFound(format!("xã của {}", district.name)));
        }

        let started = std::time::Instant::now();
        let plan = plan(seed, households, &communes, self.clock().today());
        tracing::info!(
            villages = plan.villages.len(),
            households = plan.households.len(),
            members = plan.member_count(),
            ms = started.elapsed().as_millis() as u64,
            "demo planned"
        );

        let history = classify_plan(&plan, &self.config().standards, self.clock().today())?;
        for (period, statuses) in plan.periods.iter().zip(&history) {
            let count = |s: Status| statuses.iter().filter(|h| h.status == s).count();
            tracing::info!(
                period = period.period,
                standard = %period.standard,
                poor = count(Status::Poor),
                near_poor = count(Status::NearPoor),
                "demo classified"
            );
        }

        let (codes, villages_created, villages_reused) =
            self.demo_villages(&plan, villages_from).await?;

        // Households, commune by commune so that progress shows.
        let members = plan.member_count();
        let mut by_commune: BTreeMap<&str, Vec<DraftInput>> = BTreeMap::new();
        // The plan index of each household, in the order it is written, per commune; and
        // what its classifications repeat of it (village, members).
        let mut indexes: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut households_of: Vec<(String, i32)> = Vec::with_capacity(plan.households.len());
        let commune_of: BTreeMap<&str, &str> = plan
            .villages
            .iter()
            .map(|v| (v.code.as_str(), v.commune_code.as_str()))
            .collect();
        let total = plan.households.len();
        // The drafts move into the inputs rather than being copied: at national sizes the
        // plan is most of the memory the command uses.
        for (i, mut draft) in plan.households.into_iter().enumerate() {
            let commune = commune_of[draft.village_code.as_str()];
            draft.village_code = codes[draft.village_code.as_str()].clone();
            households_of.push((draft.village_code.clone(), draft.members.len() as i32));
            indexes.entry(commune).or_default().push(i);
            by_commune
                .entry(commune)
                .or_default()
                .push(DraftInput::form(draft));
        }
        let lists = DemoLists {
            seed,
            periods: &plan.periods,
            history: &history,
            households: &households_of,
            certificate_pattern: self.review_settings().await?.certificate_pattern,
        };
        let mut written = 0;
        let mut classifications = 0;
        for (done, (code, _, _)) in communes.iter().enumerate() {
            let Some(inputs) = by_commune.remove(code.as_str()) else {
                continue;
            };
            let ids = self.create_households(By::System, inputs, "demo").await?;
            written += ids.len();
            // `create_households` gives the ids in the order of its inputs.
            let plan_indexes = indexes.remove(code.as_str()).unwrap_or_default();
            let pairs: Vec<(usize, i64)> = plan_indexes.into_iter().zip(ids).collect();
            classifications += self.demo_classifications(&lists, code, &pairs).await?;
            tracing::info!(
                commune = %code,
                communes = format!("{}/{}", done + 1, communes.len()),
                households = format!("{written}/{total}"),
                classifications,
                "demo households written"
            );
        }

        let users = self
            .demo_users(seed, &communes, &plan.villages, &codes)
            .await?;
        // The reports' plans need statistics of the tables just filled.
        self.store().refresh_statistics().await?;
        tracing::info!(
            households = written,
            members,
            users = users.len(),
            seconds = started.elapsed().as_secs_f64(),
            "demo loaded"
        );
        Ok(DemoSummary {
            villages_created,
            villages_reused,
            households: written,
            members,
            classifications,
            periods: plan.periods.iter().map(|p| p.period).collect(),
            users,
        })
    }

    /// Writes the classification history of one commune's households, `(plan index,
    /// id)`: one insert and one audit entry per period, as a commune's decision covers
    /// its households together. Returns how many were written.
    async fn demo_classifications(
        &self,
        lists: &DemoLists<'_>,
        commune: &str,
        households: &[(usize, i64)],
    ) -> Result<usize, AppError> {
        let mut written = 0;
        for (period, statuses) in lists.periods.iter().zip(lists.history) {
            let standard = self
                .config()
                .standards
                .get(&period.standard)
                .ok_or_else(|| AppError::invalid("standard", period.standard.clone()))?;
            let (kind, decision_number, decision_date, effective_date) = if period.is_baseline() {
                (
                    "baseline",
                    format!(
                        "Danh sách hộ nghèo, hộ cận nghèo năm {} (dữ liệu mẫu)",
                        period.period
                    ),
                    None,
                    NaiveDate::from_ymd_opt(period.period, 1, 1).expect("1 January"),
                )
            } else {
                let (number, date) = demo_decision(lists.seed, commune, period.period);
                ("periodic", number, Some(date), date)
            };
            // Approved at 08:00 in Hà Nội on the day it took effect.
            let approved_at = format!("{effective_date}T01:00:00Z");
            let mut certificates: i64 = 0;
            let mut rows = Vec::with_capacity(households.len());
            for &(i, id) in households {
                let s = &statuses[i];
                let (village_code, member_count) = &lists.households[i];
                // Certificates are the periodic review's; the baseline lists came from
                // before the product.
                let certificate_number =
                    (!period.is_baseline() && s.status.is_on_lists()).then(|| {
                        certificates += 1;
                        certificate_number(&lists.certificate_pattern, certificates)
                    });
                let reasons = classify(standard, &s.input)
                    .map_err(|e| AppError::invalid("standard", e.to_string()))?
                    .reasons_text(Lang::Vi);
                let deprived: Vec<&str> = s
                    .input
                    .deprived
                    .indexes()
                    .map(|k| standard.indicators()[k].code.as_str())
                    .collect();
                let (income_per_capita, score_a) = match s.input.evidence {
                    Evidence::Income(i) => (Some(i as i64), None),
                    Evidence::ScoreA(a) => (None, Some(a as i32)),
                };
                rows.push(ClassificationFields {
                    household_id: id,
                    province_code: DEMO_PROVINCE.to_string(),
                    district_code: Some(DEMO_DISTRICT.to_string()),
                    commune_code: commune.to_string(),
                    village_code: village_code.clone(),
                    period: period.period,
                    standard: period.standard.clone(),
                    kind: kind.to_string(),
                    review_id: None,
                    status: s.status.as_str().to_string(),
                    area: s.input.area.as_str().to_string(),
                    income_per_capita,
                    score_a,
                    score_b: i32::from(s.score_b),
                    deprivation_count: i32::from(s.deprivation_count),
                    deprived: deprived.join(","),
                    reasons,
                    transition: s.transition.map(|t| t.as_str().to_string()),
                    member_count: *member_count,
                    causes: String::new(),
                    decision_number: Some(decision_number.clone()),
                    decision_date,
                    effective_date,
                    approved_by: "hệ thống".to_string(),
                    approved_at: approved_at.clone(),
                    supersedes: None,
                    correction_reason: None,
                    certificate_number,
                });
            }
            let on = |status: Status| {
                households
                    .iter()
                    .filter(|(i, _)| statuses[*i].status == status)
                    .count()
            };
            let change = |field: &str, new: serde_json::Value| serde_json::json!({ "field": field, "old": null, "new": new });
            let changes = serde_json::Value::Array(vec![
                change("period", period.period.into()),
                change("standard", period.standard.clone().into()),
                change("decision", decision_number.clone().into()),
                change("households", rows.len().into()),
                change("poor", on(Status::Poor).into()),
                change("near_poor", on(Status::NearPoor).into()),
            ]);
            let audit = AuditEntry {
                at: self
                    .clock()
                    .now()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                user_id: None,
                username: "hệ thống".to_string(),
                action: if period.is_baseline() {
                    "classification.baseline"
                } else {
                    "review.approve"
                }
                .to_string(),
                entity: "classification".to_string(),
                entity_id: String::new(),
                household_id: None,
                unit_code: Some(commune.to_string()),
                province_code: Some(DEMO_PROVINCE.to_string()),
                changes: changes.to_string(),
                reason: Some("dữ liệu mẫu".to_string()),
            };
            written += self
                .store()
                .insert_classifications(&rows, &[audit], self.clock().now())
                .await?
                .len();
        }
        Ok(written)
    }

    /// Creates the plan's villages that the communes do not have yet; returns the
    /// database code of each provisional code, and how many were created and reused.
    /// With `from`, the villages are created as they stood on that day (under communes
    /// closed since).
    async fn demo_villages(
        &self,
        plan: &DemoPlan,
        from: Option<NaiveDate>,
    ) -> Result<(BTreeMap<String, String>, usize, usize), AppError> {
        let mut codes = BTreeMap::new();
        let mut missing = Vec::new();
        for v in &plan.villages {
            match self
                .store()
                .village_named(&v.commune_code, &text::fold(&v.name))
                .await?
            {
                Some(code) => {
                    codes.insert(v.code.clone(), code);
                }
                None => missing.push(v),
            }
        }
        let reused = codes.len();
        if !missing.is_empty() {
            // Through the same path as a village list uploaded by an administrator, so
            // that codes are numbered and checked the usual way. Names hold no commas or
            // quotes, so the CSV needs no quoting.
            let mut csv = String::from("commune_code,name,kind\n");
            for v in &missing {
                csv.push_str(&format!("{},{},{}\n", v.commune_code, v.name, v.kind));
            }
            let created = match from {
                Some(day) => {
                    self.import_villages_as_system_on(csv.as_bytes(), day)
                        .await?
                }
                None => self.import_villages_as_system(csv.as_bytes()).await?,
            };
            for (v, code) in missing.iter().zip(created) {
                codes.insert(v.code.clone(), code);
            }
        }
        tracing::info!(created = missing.len(), reused, "demo villages ready");
        Ok((codes, missing.len(), reused))
    }

    /// One user per role, each at a unit where the role makes sense: the province for
    /// the administrator and the province viewer, the district for its offices and
    /// oversight, Hương Liên (or the first commune) and one of its villages.
    async fn demo_users(
        &self,
        seed: u64,
        communes: &[(String, String, Option<String>)],
        villages: &[DemoVillage],
        codes: &BTreeMap<String, String>,
    ) -> Result<Vec<DemoUser>, AppError> {
        let commune = communes
            .iter()
            .find(|(_, name, _)| text::fold(name).ends_with("huong lien"))
            .unwrap_or(&communes[0])
            .0
            .clone();
        // The village head of Bản Rào Tre shows the Chứt village; elsewhere the first.
        let of_commune = || villages.iter().filter(|v| v.commune_code == commune);
        let village = of_commune()
            .find(|v| v.kind == "Bản")
            .or_else(|| of_commune().next())
            .map(|v| codes[&v.code].clone())
            .expect("every commune has villages");
        // Users work today: a unit of the demo's history closed since is replaced by the
        // unit that succeeded it.
        let district_today = self.demo_scope_today(DEMO_DISTRICT).await?;
        let commune_today = self.demo_scope_today(&commune).await?;
        let mut users = Vec::new();
        for role in Role::ALL {
            let unit_code = match role {
                Role::Admin | Role::ProvinceViewer => DEMO_PROVINCE.to_string(),
                Role::Office | Role::AgencyOfficer | Role::Oversight => district_today.clone(),
                Role::CommuneOfficer => commune_today.clone(),
                Role::VillageHead => village.clone(),
            };
            let password = demo_password(seed, role);
            let user = self
                .add_user_as_system(NewUserInput {
                    username: format!("demo.{}", role.as_str()),
                    password: password.clone(),
                    role,
                    unit_code,
                })
                .await?;
            users.push(DemoUser {
                username: user.username,
                password,
                role,
                unit_code: user.unit_code,
                unit_name: user.unit_name,
            });
        }
        Ok(users)
    }

    /// The unit valid today for a code of the demo's history: itself while valid, else
    /// the one unit it went into, else its province (a district split between communes).
    async fn demo_scope_today(&self, code: &str) -> Result<String, AppError> {
        match self.resolve_unit(code, None).await {
            Ok(u) => Ok(u.code),
            Err(AppError::Gone(_)) => {
                let closed = self.unit(code).await?;
                let successors = self.successors(&closed).await?;
                Ok(match successors.as_slice() {
                    [(only, _)] => only.code.clone(),
                    _ => closed.province_code,
                })
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_keeps_the_total_and_gives_everyone_one() {
        let out = apportion(10, &[5.0, 0.01, 3.0, 2.0]);
        assert_eq!(out.iter().sum::<usize>(), 10);
        assert!(out.iter().all(|&n| n >= 1));
        assert_eq!(apportion(0, &[1.0, 2.0]), vec![0, 0]);
        assert_eq!(apportion(5, &[0.0, 1.0]), vec![0, 5]);
    }

    #[test]
    fn birth_dates_give_the_age_asked_for() {
        let today = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        for age in [0, 1, 14, 60, 99] {
            for back in [0, 1, 200, 363] {
                let b = birth_date(today, age, back);
                let mut years = today.year() - b.year();
                if (today.month(), today.day()) < (b.month(), b.day()) {
                    years -= 1;
                }
                assert_eq!(years, age as i32, "{b} for age {age}");
            }
        }
    }

    #[test]
    fn months_end_where_they_should() {
        let today = NaiveDate::from_ymd_opt(2021, 3, 15).unwrap();
        assert_eq!(
            end_of_month(today, 0),
            NaiveDate::from_ymd_opt(2021, 3, 31).unwrap()
        );
        assert_eq!(
            end_of_month(today, -1),
            NaiveDate::from_ymd_opt(2021, 2, 28).unwrap()
        );
        assert_eq!(
            end_of_month(today, -3),
            NaiveDate::from_ymd_opt(2020, 12, 31).unwrap()
        );
        assert_eq!(
            end_of_month(today, 10),
            NaiveDate::from_ymd_opt(2022, 1, 31).unwrap()
        );
    }

    #[test]
    fn the_need_factor_falls_with_wealth() {
        assert_eq!(need_factor(0.0), 1.0);
        assert_eq!(need_factor(-5.0), 9.0);
        assert!(need_factor(-1.5) > need_factor(-1.0));
        assert!(need_factor(0.5) < 1.0);
    }
}
