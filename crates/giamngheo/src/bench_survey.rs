//! `giamngheo bench survey`: how long saving a village's phiếu B grid takes (issue 15
//! asks for a village of 100 households under 1 s; saved row by row it took 5,9 s).
//!
//! On an empty database it first loads the demo with `--households` households, which
//! leaves the demo commune's review open at the survey. It then takes the village of
//! that review with the most households (up to `--rows` of them, topped up from other
//! villages when it has fewer) and saves their phiếu B `--runs` times as the grid does
//! (`App::record_surveys`: one read of the review, one transaction), then the same rows
//! one call each (`App::record_survey`, the way the grid saved before), and prints both.

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use giamngheo_app::App;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::reviews::{SurveyEntry, SurveyInput};
use giamngheo_domain::Tier;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct SurveyBenchArgs {
    #[command(flatten)]
    db: crate::DbArgs,
    /// Households of the demo loaded first when the database holds none.
    #[arg(long, default_value_t = 20_000)]
    households: usize,
    /// Rows of the grid saved at once (a village of 100 households by default).
    #[arg(long, default_value_t = 100)]
    rows: usize,
    /// Saves of the whole grid, each way.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

/// Milliseconds, one decimal, Vietnamese style.
fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0).replace('.', ",")
}

/// The demo's commune officer, who runs the review.
async fn officer(app: &App) -> Result<Actor> {
    let user = app
        .store()
        .user_by_username("demo.commune_officer")
        .await?
        .ok_or_else(|| anyhow!("không có người dùng demo.commune_officer (cần dữ liệu mẫu)"))?;
    Ok(Actor {
        user_id: user.id,
        username: user.username.clone(),
        role: user
            .role
            .parse::<Role>()
            .map_err(|_| anyhow!("vai trò lạ"))?,
        unit_code: user.unit_code.clone(),
        unit_tier: user
            .unit_tier
            .parse::<Tier>()
            .map_err(|_| anyhow!("cấp lạ"))?,
        agency_code: None,
    })
}

/// The officer's open review at the survey step, opened and moved to the survey when the
/// commune has none open.
async fn review_at_survey(app: &App, actor: &Actor) -> Result<i64> {
    let open = app
        .reviews(actor, None)
        .await?
        .into_iter()
        .find(|r| r.closed_on.is_none() && r.kind == "periodic");
    let id = match open {
        Some(r) => r.id,
        None => {
            let d = app.periodic_review_defaults();
            let standard = d
                .standard
                .ok_or_else(|| anyhow!("không có chuẩn nghèo cho năm {}", d.period))?;
            app.open_periodic_review(actor, &actor.unit_code, d.period, &standard)
                .await?
        }
    };
    let view = app.review(actor, id).await?;
    match view.review.step.as_str() {
        "listing" => app.start_survey(actor, id, view.review.version).await?,
        "survey" => {}
        other => bail!("đợt rà soát số {id} đang ở bước {other}, không nhập được phiếu B"),
    }
    Ok(id)
}

/// The grid's rows as the reviewer would type them, on the versions read now: the
/// standard's own evidence (score A or income) and no ticks.
async fn grid(app: &App, actor: &Actor, id: i64, rows: usize) -> Result<Vec<SurveyEntry>> {
    let view = app.review(actor, id).await?;
    let standard = app
        .config()
        .standards
        .get(&view.review.standard)
        .ok_or_else(|| anyhow!("không có chuẩn {}", view.review.standard))?;
    let mut by_village: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for h in view
        .households
        .iter()
        .filter(|h| !matches!(h.step.as_str(), "screening" | "excluded"))
    {
        by_village
            .entry(h.village_code.as_str())
            .or_default()
            .push(h);
    }
    let mut villages: Vec<_> = by_village.into_values().collect();
    villages.sort_by_key(|v| std::cmp::Reverse(v.len()));
    let today = app.clock().today();
    Ok(villages
        .into_iter()
        .flatten()
        .take(rows)
        .map(|h| SurveyEntry {
            rh_id: h.id,
            version: h.version,
            input: SurveyInput {
                income_per_capita: (!standard.has_score_a()).then_some(1_000_000),
                score_a: standard.has_score_a().then_some(120),
                ticks: Vec::new(),
                surveyed_by: "Rà soát viên đo tốc độ".into(),
                surveyed_on: today,
            },
        })
        .collect())
}

pub async fn run(args: SurveyBenchArgs) -> Result<ExitCode> {
    let app = crate::open_app(&args.db).await?;
    if app.store().household_count().await? == 0 {
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
    let actor = officer(&app).await?;
    let id = review_at_survey(&app, &actor).await?;
    let first = grid(&app, &actor, id, args.rows).await?;
    let listed = app.review(&actor, id).await?.households.len();
    println!(
        "Đợt rà soát số {id} ({} hộ trong danh sách), lưới {} hộ, cơ sở dữ liệu {}.",
        giamngheo_app::targets::number_vi(listed as i64),
        first.len(),
        app.store().backend().as_str(),
    );
    for (label, batch) in [("cả lưới một lần", true), ("từng hộ một", false)] {
        let mut times = Vec::with_capacity(args.runs);
        for _ in 0..args.runs {
            let rows = grid(&app, &actor, id, args.rows).await?;
            let n = rows.len();
            let t = Instant::now();
            let saved = if batch {
                app.record_surveys(&actor, id, rows)
                    .await?
                    .into_iter()
                    .filter(|(_, r)| r.is_ok())
                    .count()
            } else {
                let mut saved = 0;
                for r in rows {
                    app.record_survey(&actor, id, r.rh_id, r.version, r.input)
                        .await
                        .with_context(|| format!("hộ số {} trong đợt rà soát", r.rh_id))?;
                    saved += 1;
                }
                saved
            };
            times.push(t.elapsed());
            if saved != n {
                bail!("chỉ lưu được {saved} trên {n} phiếu");
            }
        }
        times.sort_unstable();
        println!(
            "{label}: {} lần, nhanh nhất {} ms, trung vị {} ms, chậm nhất {} ms",
            times.len(),
            ms(times.first().copied().unwrap_or_default()),
            ms(times[times.len() / 2]),
            ms(times.last().copied().unwrap_or_default()),
        );
    }
    Ok(ExitCode::SUCCESS)
}
