//! The sample of households an inspection visits (mẫu hộ kiểm tra), drawn by the product.
//!
//! A random sample is reproducible: the same candidates, size and seed always give the
//! same households, so that anyone can check afterwards that the inspectors did not pick
//! them. The candidates are sorted first, so the order the database returns them in does
//! not matter; the generator is SplitMix64 (Steele, Lea and Flood 2014), written out here
//! so that no library upgrade can change a sample already drawn, and the draw is a partial
//! Fisher–Yates shuffle.
//!
//! A risk-based sample also looks at households whose class changed between two periods
//! while few of the facts behind it did: [`changed_facts`] counts them.

use std::collections::BTreeSet;

/// SplitMix64: a small generator whose sequence is fixed by its seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n ≥ 1), without modulo bias.
    fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// `size` distinct households of `candidates` (all of them when there are fewer), in the
/// order drawn. The same candidates (in any order, duplicates ignored), size and seed
/// give the same sample.
pub fn draw(candidates: &[i64], size: usize, seed: u64) -> Vec<i64> {
    let mut pool: Vec<i64> = candidates
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let take = size.min(pool.len());
    let mut rng = SplitMix64(seed);
    for i in 0..take {
        let j = i + rng.below((pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(take);
    pool
}

/// The facts behind a household's class in one period, as the classification kept them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassFacts {
    pub status: String,
    pub income_per_capita: Option<i64>,
    /// The deprived indicator codes.
    pub deprived: BTreeSet<String>,
    pub member_count: i32,
}

/// How many facts differ between two periods: the income (one fact), each indicator
/// deprived in one period and not the other, and the number of members.
pub fn changed_facts(before: &ClassFacts, after: &ClassFacts) -> usize {
    usize::from(before.income_per_capita != after.income_per_capita)
        + before
            .deprived
            .symmetric_difference(&after.deprived)
            .count()
        + usize::from(before.member_count != after.member_count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_seed_gives_the_same_sample_whatever_the_order() {
        let ids: Vec<i64> = (1..=200).collect();
        let a = draw(&ids, 10, 2021);
        let mut reversed = ids.clone();
        reversed.reverse();
        assert_eq!(draw(&reversed, 10, 2021), a);
        assert_ne!(draw(&ids, 10, 2022), a);
        assert_eq!(a.len(), 10);
        // Fixed forever: a sample drawn today must be drawn again the same in ten years.
        assert_eq!(
            draw(&[1, 2, 3, 4, 5], 3, 7),
            draw(&[5, 4, 3, 2, 1, 1], 3, 7)
        );
        assert_eq!(draw(&[1, 2, 3], 10, 1).len(), 3);
        assert!(draw(&[], 5, 1).is_empty());
    }

    #[test]
    fn changed_facts_are_counted_one_by_one() {
        let before = ClassFacts {
            status: "poor".into(),
            income_per_capita: Some(1_400_000),
            deprived: ["health_insurance".to_string(), "water".to_string()].into(),
            member_count: 4,
        };
        let mut after = before.clone();
        after.status = "not_poor".into();
        assert_eq!(changed_facts(&before, &after), 0);
        after.deprived.remove("water");
        assert_eq!(changed_facts(&before, &after), 1);
        after.income_per_capita = Some(2_100_000);
        after.member_count = 3;
        assert_eq!(changed_facts(&before, &after), 3);
    }

    proptest! {
        #[test]
        fn a_sample_is_a_reproducible_subset_of_distinct_candidates(
            ids in proptest::collection::vec(0i64..500, 0..120),
            size in 0usize..60,
            seed in any::<u64>(),
        ) {
            let s = draw(&ids, size, seed);
            prop_assert_eq!(&s, &draw(&ids, size, seed));
            let distinct: BTreeSet<i64> = ids.iter().copied().collect();
            prop_assert_eq!(s.len(), size.min(distinct.len()));
            let unique: BTreeSet<i64> = s.iter().copied().collect();
            prop_assert_eq!(unique.len(), s.len());
            prop_assert!(s.iter().all(|id| distinct.contains(id)));
        }
    }
}
