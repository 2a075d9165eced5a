//! `giamngheo bench coverage`: how long the coverage of one policy takes for a whole
//! province, alone and under many concurrent requests (issue 14 asks for 500,000
//! households under 1 s).
//!
//! On an empty database it first loads the demo (province 42, Hà Tĩnh) with
//! `--households` households, their classifications and benefits, so that the figures
//! are measured on realistic rows; on a database with households it measures what is
//! there. It then computes the coverage `--runs` times one after the other, and
//! `--connections` tasks at once, each `--per-connection` times, through the same
//! `App::coverage_as_system` the page, the API and the report use (sharing the store's
//! connection pool as the server's requests do).

use anyhow::Result;
use clap::Args;
use giamngheo_app::App;
use giamngheo_app::policies::coverage::CoverageRequest;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct CoverageBenchArgs {
    #[command(flatten)]
    db: crate::DbArgs,
    /// Households of the demo loaded first when the database holds none.
    #[arg(long, default_value_t = 500_000)]
    households: usize,
    /// The unit whose coverage is computed: the demo's province by default.
    #[arg(long, default_value = "42")]
    unit: String,
    /// The policy (see `GET /api/v1/policies`).
    #[arg(long, default_value = "bhyt")]
    policy: String,
    /// The year; the current year (counted on today) by default.
    #[arg(long)]
    year: Option<i32>,
    /// Computations one after the other, alone.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Computations at once for the second measure.
    #[arg(long, default_value_t = 100)]
    connections: usize,
    /// Computations each of those sends, one after the other.
    #[arg(long, default_value_t = 2)]
    per_connection: usize,
}

/// Milliseconds, one decimal, Vietnamese style.
fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0).replace('.', ",")
}

/// The duration at `p` per cent of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub async fn run(args: CoverageBenchArgs) -> Result<ExitCode> {
    let app = crate::open_app(&args.db).await?;
    let existing = app.store().household_count().await?;
    if existing == 0 {
        let started = Instant::now();
        eprintln!(
            "Cơ sở dữ liệu trống: nạp dữ liệu mẫu {} hộ…",
            giamngheo_app::targets::number_vi(args.households as i64)
        );
        app.load_demo(2021, args.households).await?;
        eprintln!(
            "Đã nạp trong {} giây.",
            format!("{:.1}", started.elapsed().as_secs_f64()).replace('.', ",")
        );
    }
    let year = args
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&app.clock().today()));
    let req = CoverageRequest {
        unit: args.unit.clone(),
        year,
        policy: Some(args.policy.clone()),
        as_of: None,
        by_child: false,
        basis: None,
    };
    // A first computation, not counted: it names the figures and warms the caches.
    let first = app.coverage_as_system(&req).await?;
    let row = first
        .rows
        .first()
        .ok_or_else(|| anyhow::anyhow!("không có số liệu bao phủ"))?;
    println!(
        "{} – {} ({}), năm {}, tính trên ngày {}, cơ sở dữ liệu {}: {} hộ trong cơ sở dữ liệu; đủ điều kiện {}, đã hưởng {} ({} %).",
        row.unit_name,
        row.policy_name,
        if row.counts == "person" {
            "tính theo người"
        } else {
            "tính theo hộ"
        },
        year,
        first.as_of.format("%d/%m/%Y"),
        app.store().backend().as_str(),
        giamngheo_app::targets::number_vi(app.store().household_count().await?),
        giamngheo_app::targets::number_vi(row.eligible),
        giamngheo_app::targets::number_vi(row.covered),
        giamngheo_app::targets::decimal_vi(row.rate),
    );

    let mut alone = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let t = Instant::now();
        app.coverage_as_system(&req).await?;
        alone.push(t.elapsed());
    }
    alone.sort_unstable();
    println!(
        "một mình, {} lần: nhanh nhất {} ms, trung vị {} ms, p95 {} ms, p99 {} ms, chậm nhất {} ms",
        alone.len(),
        ms(alone.first().copied().unwrap_or_default()),
        ms(percentile(&alone, 50.0)),
        ms(percentile(&alone, 95.0)),
        ms(percentile(&alone, 99.0)),
        ms(alone.last().copied().unwrap_or_default()),
    );

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        let app: App = app.clone();
        let req = req.clone();
        let n = args.per_connection;
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(n);
            let mut errors = Vec::new();
            for _ in 0..n {
                let t = Instant::now();
                match app.coverage_as_system(&req).await {
                    Ok(_) => times.push(t.elapsed()),
                    Err(e) => errors.push(e.to_string()),
                }
            }
            (times, errors)
        }));
    }
    let mut times = Vec::new();
    // The errors by message: under load they are the pool's refusals (a request that
    // waited too long for a database connection), which the server answers with 503.
    let mut errors: std::collections::BTreeMap<String, usize> = Default::default();
    for task in tasks {
        let (t, e) = task.await?;
        times.extend(t);
        for message in e {
            *errors.entry(message).or_default() += 1;
        }
    }
    let wall = started.elapsed();
    times.sort_unstable();
    println!(
        "{} kết nối cùng lúc, {} lần xong: p50 {} ms, p95 {} ms, p99 {} ms, chậm nhất {} ms, {} lần/giây, {} lỗi (tổng {} giây)",
        args.connections,
        times.len(),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 95.0)),
        ms(percentile(&times, 99.0)),
        ms(times.last().copied().unwrap_or_default()),
        format!("{:.2}", times.len() as f64 / wall.as_secs_f64().max(1e-9)).replace('.', ","),
        errors.values().sum::<usize>(),
        format!("{:.1}", wall.as_secs_f64()).replace('.', ","),
    );
    for (message, n) in &errors {
        println!("  {n} lần: {message}");
    }
    Ok(ExitCode::SUCCESS)
}
