//! `giamngheo households import`: a CSV file of any size is streamed and loaded in
//! batches (see `giamngheo_app::bulk_import`), with a progress bar and a summary; a
//! workbook (.xlsx), which cannot be streamed, is read whole within the web's limit.

use anyhow::{Context, Result};
use giamngheo_app::App;
use giamngheo_app::bulk_import::{BulkOptions, BulkProgress, BulkStage};
use giamngheo_app::households::By;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use giamngheo_sheets::reports::number;

/// Imports `file` into `app`'s database.
pub async fn run(app: &App, file: &Path, batch_households: usize) -> Result<ExitCode> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut head = [0u8; 4];
    let read = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .with_context(|| format!("không đọc được tệp {}", file.display()))?;
    if head[..read].starts_with(b"PK\x03\x04") {
        let bytes = std::fs::read(file)
            .with_context(|| format!("không đọc được tệp {}", file.display()))?;
        let n = app
            .import_households_file(By::System, &name, bytes)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        println!("đã nhập {} hộ", number(n as i64));
        return Ok(ExitCode::SUCCESS);
    }

    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(size);
    let started = Instant::now();
    let options = BulkOptions {
        batch_households,
        ..BulkOptions::default()
    };
    let show = |p: BulkProgress| show_progress(&bar, p);
    let result = app
        .import_households_bulk(By::System, file, &options, &show)
        .await;
    bar.finish_and_clear();
    let summary = result.map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    if summary.loaded == 0 && summary.already_committed >= summary.households {
        println!(
            "tệp {name} đã được nhập xong trước đây ({} hộ); không ghi thêm gì",
            number(summary.households as i64)
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "đã nhập {} hộ, {} nhân khẩu trong {} giây ({} hộ/giây){}",
        number(summary.loaded as i64),
        number(summary.members as i64),
        format!("{seconds:.1}").replace('.', ","),
        number((summary.loaded as f64 / seconds.max(0.001)) as i64),
        if summary.already_committed > 0 {
            format!(
                "; {} hộ đầu tệp đã được nhập ở lần chạy trước, bỏ qua",
                number(summary.already_committed as i64)
            )
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Loads the national synthetic data and prints what it made.
pub async fn national_demo(
    app: &App,
    seed: u64,
    households: u64,
    keep_csv: Option<std::path::PathBuf>,
) -> Result<ExitCode> {
    let started = Instant::now();
    let bar = progress_bar(0);
    let show = |p: BulkProgress| {
        // The file is written before it is imported: its size is known at the hash.
        if bar.length() == Some(0) && p.stage == BulkStage::Hashing {
            bar.set_length(p.bytes);
        }
        show_progress(&bar, p);
    };
    let result = app
        .load_national_demo(seed, households, keep_csv.as_deref(), &show)
        .await;
    bar.finish_and_clear();
    let s = result?;
    let share = |n: usize| {
        format!("{:.2}", 100.0 * n as f64 / s.households.max(1) as f64).replace('.', ",")
    };
    println!(
        "Đã nạp dữ liệu mẫu toàn quốc (seed {seed}) vào {} trong {} giây: {} tỉnh, {} xã, {} thôn mới, {} hộ, {} nhân khẩu, {} lượt phân loại; kỳ cuối: {} hộ nghèo ({} %), {} hộ cận nghèo ({} %).",
        app.store().backend().as_str(),
        format!("{:.1}", started.elapsed().as_secs_f64()).replace('.', ","),
        s.provinces,
        number(s.communes as i64),
        number(s.villages_created as i64),
        number(s.households as i64),
        number(s.members as i64),
        number(s.classifications as i64),
        number(s.last_period.0 as i64),
        share(s.last_period.0),
        number(s.last_period.1 as i64),
        share(s.last_period.1),
    );
    Ok(ExitCode::SUCCESS)
}

fn show_progress(bar: &ProgressBar, p: BulkProgress) {
    bar.set_message(match p.stage {
        BulkStage::Hashing => "đọc tệp".to_string(),
        BulkStage::Checking => format!("kiểm tra {} hộ", number(p.households as i64)),
        BulkStage::Loading => format!("đã ghi {} hộ", number(p.households as i64)),
    });
    bar.set_position(p.bytes);
}

fn progress_bar(size: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(size);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {eta} {msg}") {
        bar.set_style(style);
    }
    bar
}
