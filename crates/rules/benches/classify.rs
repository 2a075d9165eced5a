//! The national batch: 27 million households (the whole country) classified from
//! columnar input. Target: under a second on 2 cores.

use criterion::{Criterion, criterion_group, criterion_main};
use giamngheo_domain::Area;
use giamngheo_rules::{
    Evidence, HouseholdColumns, HouseholdInput, IndicatorSet, StandardSet, classify_columns,
};
use std::hint::black_box;
use std::time::Duration;

const HOUSEHOLDS: usize = 27_000_000;

/// A deterministic mix of households around the lines, so that every branch of the rules
/// is taken: a small xorshift generator instead of a random-number dependency.
fn country(households: usize, indicators: u32) -> HouseholdColumns {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mask = (1u32 << indicators) - 1;
    let mut columns = HouseholdColumns::with_capacity(households);
    for _ in 0..households {
        let bits = next();
        let area = if bits & 3 == 0 {
            Area::Urban
        } else {
            Area::Rural
        };
        let evidence = if bits & 4 == 0 {
            Evidence::Income((bits >> 8) % 4_000_000)
        } else {
            Evidence::ScoreA(((bits >> 8) % 300) as u32)
        };
        // Few deprivations are the common case: keep two thirds of households at ≤ 2.
        let ticks = ((bits >> 40) as u32 & (bits >> 24) as u32 & mask) as u16;
        columns.push(area, evidence, IndicatorSet::from_bits(ticks));
    }
    columns
}

fn national_batch(c: &mut Criterion) {
    let standards = StandardSet::embedded();
    let standard = standards.get("vn-2022").expect("vn-2022 is embedded");
    let columns = country(HOUSEHOLDS, standard.indicators().len() as u32);

    let mut group = c.benchmark_group("national");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("classify_columns vn-2022, 27M households", |b| {
        b.iter(|| classify_columns(standard, black_box(&columns)).expect("valid batch"))
    });
    group.finish();

    let one = HouseholdInput {
        area: Area::Rural,
        evidence: Evidence::Income(1_400_000),
        deprived: IndicatorSet::from_bits(0b111),
    };
    c.bench_function("classify one household with reasons", |b| {
        b.iter(|| giamngheo_rules::classify(standard, black_box(&one)).expect("valid"))
    });
}

criterion_group!(benches, national_batch);
criterion_main!(benches);
