//! The generator of the demo plan: communes, villages, households and their survey
//! figures; the people of a household are made in `people`.

use super::tables::*;
use super::*;
/// How many years of [`YEARLY_GROWTH`] (2021–2025) draw from the survey stream; the
/// later ones draw from a stream of their own.
const EARLY_YEARS: usize = 5;

/// A person being made, before the member draft.
pub(super) struct Person {
    pub(super) relation: &'static str,
    pub(super) sex: Sex,
    pub(super) age: u32,
    pub(super) ethnicity: &'static str,
    pub(super) family: &'static str,
}

pub(super) struct Generator {
    pub(super) rng: Rng,
    pub(super) today: NaiveDate,
    /// Citizen-ID serials handed out per (province of birth, sex-and-century digit, year
    /// of birth): the 6-digit serial is unique within each, so every ID is unique.
    pub(super) citizen_serials: BTreeMap<(u16, u8, u8), u32>,
    /// Health-insurance (social-insurance) numbers handed out.
    pub(super) insurance_serial: u64,
    /// Scrambles serials so that they look random while staying unique.
    pub(super) serial_offset: u64,
    /// Draws the survey figures. A stream of its own, so that the households a seed
    /// gives do not depend on how many periods the history covers.
    pub(super) survey_rng: Rng,
    /// Draws the yearly changes after 2025, the years added when the demo's story was
    /// carried past the reform: a stream apart, so that the figures of 2021–2025 stay
    /// those every earlier version of the demo gave for a seed.
    pub(super) later_rng: Rng,
}

impl Generator {
    pub(super) fn new(seed: u64, today: NaiveDate) -> Generator {
        let mut rng = Rng::new(seed);
        let serial_offset = rng.next_u64();
        Generator {
            rng,
            today,
            citizen_serials: BTreeMap::new(),
            insurance_serial: 0,
            serial_offset,
            survey_rng: Rng::new(mix(seed ^ 0x5355_5256_4559_5321)),
            later_rng: Rng::new(mix(seed ^ 0x4c41_5445_5232_3032)),
        }
    }

    pub(super) fn plan(
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
                .map(|period| DemoPeriod::new(period, households))
                .collect(),
            next: Some(self.today.year() + 1)
                .filter(|&p| p > FIRST_PERIOD + 1 && p <= LAST_PERIOD)
                .map(|period| DemoPeriod::new(period, households)),
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
                    self.survey(
                        wealth,
                        lacks,
                        place.urban,
                        &mut out.periods,
                        out.next.as_mut(),
                    );
                }
            }
        }
        out
    }

    /// 8–20 villages of a commune, more for a commune with more households.
    pub(super) fn villages_of(
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
    pub(super) fn household(&mut self, place: &Place<'_>, serial: usize) -> (HouseholdDraft, f64) {
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
    pub(super) fn survey(
        &mut self,
        w: f64,
        lacks: u32,
        urban: bool,
        periods: &mut [DemoPeriod],
        mut next: Option<&mut DemoPeriod>,
    ) {
        let mut z = w + 0.3 * self.survey_rng.normal();
        // The draws are the same whatever the number of periods, so that the early
        // periods do not change with the day the plan is made.
        for (k, growth) in YEARLY_GROWTH.iter().enumerate() {
            let rng = if k < EARLY_YEARS {
                &mut self.survey_rng
            } else {
                &mut self.later_rng
            };
            if k > 0 {
                z += growth + 0.25 * rng.normal();
            }
            let year = FIRST_PERIOD + k as i32;
            let found = periods.iter_mut().find(|p| p.period == year);
            let Some(period) = found.or(next.as_deref_mut().filter(|p| p.period == year)) else {
                continue;
            };
            let evidence = if period.standard == "vn-2022" {
                let score = interpolate(&SCORE_A_RURAL, z) + if urban { 35.0 } else { 0.0 }
                    - B1_POINTS_PER_LACK * f64::from(lacks);
                Evidence::ScoreA(score.round().max(10.0) as u32)
            } else {
                // The income of `vn-2016` (2021) and of `vn-2027`, which has no score A.
                // Town life costs more, as the urban lines say (900,000 against 700,000
                // in 2021, 2,800,000 against 2,200,000 from 2027).
                let growth = if period.period > 2026 {
                    INCOME_GROWTH_2027
                } else {
                    1.0
                };
                let thousands =
                    interpolate(&INCOME_RURAL, z) * if urban { 1.3 } else { 1.0 } * growth;
                Evidence::Income((thousands / 10.0).round() as u64 * 10_000)
            };
            period.evidence.push(evidence);
        }
    }
}

/// splitmix64's finaliser: spreads the bits of `x`.
pub(super) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A birth date that makes someone `age` full years old on `today`, `days_back` (0–363)
/// days before the birthday's anniversary.
pub(super) fn birth_date(today: NaiveDate, age: u32, days_back: u32) -> NaiveDate {
    let anniversary = today
        .checked_sub_months(Months::new(12 * age))
        .expect("ages stay within the calendar");
    anniversary
        .checked_sub_days(Days::new(u64::from(days_back)))
        .expect("ages stay within the calendar")
}

/// The last day of the month `months` months after (or before, when negative) `today`'s.
pub(super) fn end_of_month(today: NaiveDate, months: i32) -> NaiveDate {
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
pub(super) fn full_name(rng: &mut Rng, p: &Person, birth_year: i32) -> String {
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
pub(super) fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
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
