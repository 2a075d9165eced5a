//! Times the household registry's everyday reads on a database filled with
//! `giamngheo demo --households N`: list pages near the start and deep into a district,
//! name searches with and without diacritics, and a household with its members.
//!
//! ```sh
//! cargo run --release -- demo --households 1000000 --database-url big.db
//! cargo run --release -p giamngheo-app --example registry_speed -- big.db
//! ```
//! Prints one line a measurement: the median and the slowest of several runs.

use giamngheo_app::access::{Actor, Role};
use giamngheo_app::{App, Config, SystemClock};
use giamngheo_domain::Tier;
use giamngheo_store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 7;

async fn time<F, Fut, T>(label: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut samples: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        std::hint::black_box(f().await);
        samples.push(start.elapsed());
    }
    samples.sort();
    println!(
        "{label:<55} median {:>8.2} ms   max {:>8.2} ms",
        samples[RUNS / 2].as_secs_f64() * 1e3,
        samples[RUNS - 1].as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "giamngheo.db".into());
    let store = Store::connect(&url).await.expect("open the database");
    let households = store.household_count().await.expect("count");
    println!(
        "{url}: {households} households ({})",
        store.backend().as_str()
    );
    let app = App::new(store, Config::default(), Arc::new(SystemClock));
    let district = Actor {
        user_id: 0,
        username: "bench".into(),
        role: Role::Office,
        unit_code: "444".into(),
        unit_tier: Tier::District,
        agency_code: None,
    };
    let first = app
        .list_households(&district, None, None, 1)
        .await
        .expect("list");
    let pages = (first.total + first.page_size - 1) / first.page_size;
    println!("district 444: {} households, {pages} pages", first.total);
    let commune = app.children(Some("444")).await.expect("communes")[1]
        .code
        .clone();
    time("district list, page 1", || {
        app.list_households(&district, None, None, 1)
    })
    .await;
    time("district list, page 100", || {
        app.list_households(&district, None, None, 100)
    })
    .await;
    time("district list, last page", || {
        app.list_households(&district, None, None, pages)
    })
    .await;
    time("commune list, page 1", || {
        app.list_households(&district, Some(&commune), None, 1)
    })
    .await;
    time("district search «nguyen van an» (no diacritics)", || {
        app.list_households(&district, None, Some("nguyen van an"), 1)
    })
    .await;
    time("district search «Hồ Thị» (diacritics)", || {
        app.list_households(&district, None, Some("Hồ Thị"), 1)
    })
    .await;
    time("commune search by household code", || {
        app.list_households(&district, Some(&commune), Some("zz-none"), 1)
    })
    .await;
    let id = first.items[0].id;
    time("one household with members", || {
        app.household(&district, id)
    })
    .await;
}
