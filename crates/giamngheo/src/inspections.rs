//! The agencies' tasks and the inspections from the command line, run as the system
//! (whoever runs the command controls the server); every write is audited as `system`.
//!
//! - `tasks load-plan FILE.toml`: a unit's plan of tasks (the shape of the shipped
//!   `tasks/plan-444-2021.toml`); checked whole before anything is written, and a task
//!   the plan already holds is skipped.
//! - `inspections plan --unit CODE --year YEAR --agency CODE --subject review|policy|project
//!   [--code X] --on dd/mm/yyyy`: plans an inspection; prints its number.
//! - `inspections sample ID --method random|risk --size N [--seed S]`: draws and keeps the
//!   sample; prints the households by number and code (no names).
//! - `inspections check --unit CODE --period YEAR`: the review checks (a poor household
//!   with an income above the line, a meeting passed under the required share, a
//!   certificate without a decision); the new findings join the findings list.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use giamngheo_app::App;
use giamngheo_app::inspections::{InspectionInput, SampleChoice};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum TasksCommand {
    /// Nạp kế hoạch nhiệm vụ của một đơn vị từ tệp .toml (loads a unit's plan of tasks).
    LoadPlan {
        #[command(flatten)]
        db: crate::DbArgs,
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum InspectionsCommand {
    /// Lập kế hoạch kiểm tra (plans an inspection).
    Plan(PlanArgs),
    /// Chọn mẫu hộ kiểm tra (draws the sample of households).
    Sample(SampleArgs),
    /// Kiểm tra kết quả rà soát và ghi phát hiện (runs the review checks).
    Check(CheckArgs),
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// Mã đơn vị được kiểm tra.
    #[arg(long)]
    unit: String,
    #[arg(long)]
    year: i32,
    /// Mã cơ quan kiểm tra (444-ldtbxh…).
    #[arg(long)]
    agency: String,
    /// review, policy hoặc project.
    #[arg(long)]
    subject: String,
    /// Mã chính sách, dự án hoặc năm rà soát.
    #[arg(long)]
    code: Option<String>,
    /// Ngày dự kiến, dd/mm/yyyy.
    #[arg(long)]
    on: String,
}

#[derive(Args, Debug)]
pub struct SampleArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// Số của đợt kiểm tra.
    id: i64,
    /// random (ngẫu nhiên) hoặc risk (theo rủi ro).
    #[arg(long, default_value = "random")]
    method: String,
    #[arg(long)]
    size: usize,
    /// Hạt giống của mẫu ngẫu nhiên; cùng hạt giống cho cùng mẫu.
    #[arg(long)]
    seed: Option<u64>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// Mã đơn vị (tỉnh, huyện, xã, thôn).
    #[arg(long)]
    unit: String,
    /// Năm của danh sách (kết quả rà soát cuối năm trước).
    #[arg(long)]
    period: i32,
}

pub fn tasks_db(command: &TasksCommand) -> &crate::DbArgs {
    match command {
        TasksCommand::LoadPlan { db, .. } => db,
    }
}

pub fn db(command: &InspectionsCommand) -> &crate::DbArgs {
    match command {
        InspectionsCommand::Plan(a) => &a.db,
        InspectionsCommand::Sample(a) => &a.db,
        InspectionsCommand::Check(a) => &a.db,
    }
}

pub async fn run_tasks(app: &App, command: TasksCommand) -> Result<ExitCode> {
    let TasksCommand::LoadPlan { file, .. } = command;
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("không đọc được {}", file.display()))?;
    let name = file.display().to_string();
    match app.load_plan_tasks(&name, &text).await {
        Ok(loaded) => {
            println!(
                "Đã nạp {} nhiệm vụ; {} nhiệm vụ đã có trong kế hoạch",
                loaded.inserted, loaded.skipped
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(&e),
    }
}

/// A refusal of the input: said in words, exit status 2, nothing changed.
fn refused(e: &giamngheo_app::AppError) -> Result<ExitCode> {
    match e {
        giamngheo_app::AppError::Store(_) => Err(anyhow::anyhow!("{e}")),
        _ => {
            eprintln!("{e}");
            Ok(ExitCode::from(2))
        }
    }
}

pub async fn run(app: &App, command: InspectionsCommand) -> Result<ExitCode> {
    let result = match command {
        InspectionsCommand::Plan(a) => plan(app, a).await,
        InspectionsCommand::Sample(a) => sample(app, a).await,
        InspectionsCommand::Check(a) => check(app, a).await,
    };
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => refused(&e),
    }
}

async fn plan(app: &App, a: PlanArgs) -> Result<(), giamngheo_app::AppError> {
    let actor = crate::programme::system_actor(app, &a.unit).await?;
    let planned_on = giamngheo_sheets::units::parse_date(a.on.trim())
        .map_err(|e| giamngheo_app::AppError::invalid("--on", e))?;
    let id = app
        .plan_inspection(
            &actor,
            InspectionInput {
                unit_code: a.unit,
                year: a.year,
                inspecting_agency: a.agency,
                subject_kind: a.subject,
                subject_code: a.code,
                planned_on,
            },
        )
        .await?;
    println!("Đã lập kế hoạch kiểm tra số {id}");
    Ok(())
}

async fn sample(app: &App, a: SampleArgs) -> Result<(), giamngheo_app::AppError> {
    let not_found = || giamngheo_app::AppError::NotFound(format!("đợt kiểm tra số {}", a.id));
    let record = app.store().inspection(a.id).await?.ok_or_else(not_found)?;
    let actor = crate::programme::system_actor(app, &record.unit_code).await?;
    // Without a seed the clock gives one; it is kept with the sample and printed.
    let clock_seed = app.clock().now().timestamp().unsigned_abs();
    let choice = SampleChoice::from_parts(&a.method, a.size, a.seed, clock_seed)?;
    app.draw_inspection_sample(&actor, a.id, choice).await?;
    let view = app.inspection(&actor, a.id).await?;
    if let Some(seed) = view.record.sample_seed {
        println!("Hạt giống: {}", seed as u64);
    }
    for h in &view.households {
        println!(
            "{}\t{}\t{}\t{}",
            h.position,
            h.household_id,
            h.code.as_deref().unwrap_or(""),
            h.reason
        );
    }
    Ok(())
}

async fn check(app: &App, a: CheckArgs) -> Result<(), giamngheo_app::AppError> {
    let run = app
        .check_review_findings_as_system(&a.unit, a.period, "system", None)
        .await?;
    println!(
        "Đã kiểm tra kết quả rà soát: {} phát hiện mới, {} phát hiện đã có",
        run.added, run.already
    );
    Ok(())
}
