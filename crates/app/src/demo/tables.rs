//! The random number generator and the tables the demo draws from: names, ethnic
//! groups, village names, and the calibration of income and score A.

use super::*;

// ---------------------------------------------------------------------------------------
// The random number generator.

/// xoshiro256** (Blackman and Vigna), seeded through splitmix64.
#[derive(Debug, Clone)]
pub(super) struct Rng {
    pub(super) s: [u64; 4],
}

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
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

    pub(super) fn next_u64(&mut self) -> u64 {
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
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn between(&mut self, lo: u32, hi: u32) -> u32 {
        debug_assert!(lo <= hi);
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub(super) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Roughly standard normal: the sum of six uniforms, centred and scaled (variance
    /// 6/12, times √2 squared). Its tails stop at ±4.2, which suits a demo.
    pub(super) fn normal(&mut self) -> f64 {
        let sum: f64 = (0..6).map(|_| self.unit()).sum();
        (sum - 3.0) * std::f64::consts::SQRT_2
    }

    /// Female with chance `female`, otherwise male.
    pub(super) fn sex(&mut self, female: f64) -> Sex {
        if self.chance(female) {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub(super) fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
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

pub(super) const FAMILY_KINH: &[(&str, u32)] = &[
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
pub(super) const FAMILY_CHUT: &[(&str, u32)] =
    &[("Hồ", 60), ("Cao", 15), ("Đinh", 15), ("Nguyễn", 10)];
pub(super) const FAMILY_MUONG: &[(&str, u32)] = &[("Bùi", 4), ("Đinh", 3), ("Quách", 2), ("Hà", 1)];
pub(super) const FAMILY_THAI_LAO: &[(&str, u32)] = &[("Lò", 3), ("Vi", 3), ("Lương", 2), ("Lữ", 1)];
pub(super) const FAMILY_TAY_NUNG: &[(&str, u32)] =
    &[("Hoàng", 3), ("Nông", 3), ("Lục", 1), ("Triệu", 1)];

pub(super) const MIDDLE_MALE_OLD: &[(&str, u32)] = &[
    ("Văn", 12),
    ("Đình", 2),
    ("Hữu", 2),
    ("Xuân", 2),
    ("Đức", 2),
    ("Công", 1),
    ("Quang", 1),
    ("Ngọc", 1),
];
pub(super) const MIDDLE_MALE_YOUNG: &[(&str, u32)] = &[
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
pub(super) const MIDDLE_FEMALE_YOUNG: &[(&str, u32)] = &[
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

pub(super) const GIVEN_MALE: &[&str] = &[
    "Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Sơn", "Long", "Thắng", "Bình", "Cường", "Hòa", "Lợi",
    "Quân", "Tâm", "Thành", "Trung", "Vinh", "Đạt", "Hiếu", "Kiên", "Phong", "Tùng", "Việt", "Anh",
    "Huy", "Khánh", "Lâm", "Minh", "Nghĩa", "Phúc", "Tài", "Thông", "Toàn", "Hưng", "Lực", "Đông",
    "Hoan", "Kỳ", "Nhân", "Sáu", "Tình", "Thuận", "Đức", "Quý", "Châu",
];
pub(super) const GIVEN_FEMALE: &[&str] = &[
    "Lan", "Hương", "Hoa", "Mai", "Hà", "Linh", "Nga", "Thảo", "Trang", "Yến", "Nhung", "Hằng",
    "Hạnh", "Loan", "Thủy", "Vân", "Oanh", "Hiền", "Ngọc", "Phương", "Huyền", "Nhàn", "Tâm",
    "Dung", "Lý", "Lài", "Sen", "Cúc", "Đào", "Tuyết", "Thơm", "Liên", "Hồng", "Quỳnh", "Trâm",
    "Vy", "Ánh", "Giang", "Thương", "Diệu",
];

/// Plausible village names of the area. Apart from Rào Tre, the real Chứt settlement of
/// Hương Liên, they are not taken from any official list.
pub(super) const VILLAGE_NAMES: &[&str] = &[
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
pub(super) const REMOTE_COMMUNES: &[&str] = &[
    "huong lien",
    "huong lam",
    "huong vinh",
    "hoa hai",
    "phu gia",
];

/// Where a household is: the village and what the generator knows about it.
pub(super) struct Place<'a> {
    pub(super) commune_code: &'a str,
    pub(super) commune_name: &'a str,
    pub(super) village_code: &'a str,
    pub(super) village_name: &'a str,
    pub(super) urban: bool,
    /// Added to each household's wealth.
    pub(super) offset: f64,
    /// Share of households that are Chứt (only in a Chứt bản).
    pub(super) chut_share: f64,
}

/// Minorities other than Chứt, for the odd household or in-married spouse: Mường, Thái,
/// Lào, Tày, Nùng.
pub(super) const OTHER_MINORITIES: &[(&str, u32)] =
    &[("06", 4), ("03", 3), ("37", 3), ("02", 1), ("07", 1)];

pub(super) const KINH: &str = "01";
pub(super) const CHUT: &str = "44";

// ---------------------------------------------------------------------------------------
// The generator.

/// How much likelier than an average household a household of wealth `w` is to be
/// deprived on an indicator: a table interpolated linearly, so that no transcendental
/// function is needed.
pub(super) fn need_factor(w: f64) -> f64 {
    pub(super) const POINTS: [(f64, f64); 7] = [
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
pub(super) fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
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
pub(super) const INCOME_RURAL: [(f64, f64); 8] = [
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
pub(super) const SCORE_A_RURAL: [(f64, f64); 7] = [
    (-4.5, 55.0),
    (-2.0, 105.0),
    (-1.3, 140.0),
    (0.0, 170.0),
    (1.0, 195.0),
    (2.0, 225.0),
    (3.5, 265.0),
];

/// The points of score A a household loses for each lack of home and assets.
pub(super) const B1_POINTS_PER_LACK: f64 = 18.0;

/// How many of the things form B1 scores a household lacks: a durable home, room, a
/// hygienic latrine, safe water, a means of information. Form B1 scores a household's
/// home and assets, which is why its score A falls with these deprivations too.
pub(super) fn b1_lacks(d: &HouseholdDraft) -> u32 {
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
/// from 2021 to 2027: enough for the poverty rate to fall by 1 to 1.5 points a year, as
/// the seed plan targets. The years after 2025 go on at the same pace, as the 2026–2030
/// programme expects.
pub(super) const YEARLY_GROWTH: [f64; (LAST_PERIOD - FIRST_PERIOD + 1) as usize] =
    [0.0, 0.1, 0.25, 0.25, 0.25, 0.25, 0.25];

/// How much more a household earns in 2027 than the same surveyed wealth earned in 2021:
/// six years of prices and wages. Income is the survey figure of `vn-2027` (which has no
/// score A yet), and the 2021 curve scaled by this keeps its poor share plausible against
/// the new, higher lines.
pub(super) const INCOME_GROWTH_2027: f64 = 2.0;
