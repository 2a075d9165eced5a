//! `giamngheo programme activities …`: the programme's activities from the command line,
//! run as the system (whoever runs the command controls the server).
//!
//! - `activities list --unit CODE --year YEAR`: the activities of a unit and the communes
//!   below it, one line each;
//! - `activities add --unit … --year … --project … --type … --name … --start dd/mm/yyyy …`:
//!   records an activity (audited) and prints its number;
//! - `activities import-beneficiaries --activity ID FILE`: a list of beneficiaries
//!   (.xlsx or .csv) matched to the registry, with the rows it could not match left in
//!   the activity's queue; a bad file is refused naming each bad row by line and column.

use crate::programme::{refused, system_actor};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use giamngheo_app::programme::ActivityInput;
use giamngheo_app::{App, AppError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum ActivitiesCommand {
    /// Danh sách hoạt động của một đơn vị trong một năm.
    List {
        #[command(flatten)]
        db: crate::DbArgs,
        /// Mã đơn vị (tỉnh, huyện hoặc xã).
        #[arg(long)]
        unit: String,
        #[arg(long)]
        year: i32,
    },
    /// Ghi một hoạt động mới.
    Add(Box<AddArgs>),
    /// Nhập danh sách hưởng lợi của một hoạt động từ tệp .xlsx hoặc .csv.
    ImportBeneficiaries {
        #[command(flatten)]
        db: crate::DbArgs,
        /// Số hoạt động.
        #[arg(long)]
        activity: i64,
        file: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// Mã đơn vị của hoạt động (xã, hoặc đơn vị cấp trên).
    #[arg(long)]
    unit: String,
    #[arg(long)]
    year: i32,
    /// Mã dự án hoặc tiểu dự án (p3, c5…).
    #[arg(long)]
    project: String,
    /// Mã loại hoạt động (livelihood_model, training, communication_event…).
    #[arg(long = "type")]
    activity_type: String,
    #[arg(long)]
    name: String,
    /// Ngày bắt đầu, dd/mm/yyyy.
    #[arg(long)]
    start: String,
    /// Ngày kết thúc, dd/mm/yyyy.
    #[arg(long)]
    end: Option<String>,
    #[arg(long)]
    planned: Option<i64>,
    #[arg(long)]
    done: Option<i64>,
    #[arg(long)]
    place: Option<String>,
    #[arg(long)]
    content: Option<String>,
    /// Số người tham dự (bắt buộc với sự kiện truyền thông, tập huấn).
    #[arg(long)]
    participants: Option<i32>,
    /// Trong đó nữ.
    #[arg(long)]
    women: Option<i32>,
    /// Trong đó người dân tộc thiểu số.
    #[arg(long)]
    minority: Option<i32>,
    /// Vật tư, giống, vốn hỗ trợ người tham gia (chỉ với mô hình giảm nghèo).
    #[arg(long)]
    inputs: Option<String>,
    /// Đối tượng của sự kiện truyền thông, tập huấn.
    #[arg(long)]
    audience: Option<String>,
    /// Tài liệu, ấn phẩm của sự kiện.
    #[arg(long)]
    materials: Option<String>,
}

pub fn db(command: &ActivitiesCommand) -> &crate::DbArgs {
    match command {
        ActivitiesCommand::List { db, .. } | ActivitiesCommand::ImportBeneficiaries { db, .. } => {
            db
        }
        ActivitiesCommand::Add(args) => &args.db,
    }
}

/// A date typed as dd/mm/yyyy (or yyyy-mm-dd), named by its option when wrong.
fn day(option: &str, text: &str) -> Result<chrono::NaiveDate, AppError> {
    giamngheo_sheets::units::parse_date(text.trim())
        .map_err(|e| AppError::invalid(&format!("--{option}"), e))
}

/// An error of the app as the command line shows it, with exit code 2.
fn failed(e: &AppError) -> ExitCode {
    match e {
        AppError::File(errors) => {
            let _ = refused(errors);
        }
        other => eprintln!("không thực hiện được: {other}"),
    }
    ExitCode::from(2)
}

pub async fn run(app: &App, command: ActivitiesCommand) -> Result<ExitCode> {
    match command {
        ActivitiesCommand::List { unit, year, .. } => {
            let actor = system_actor(app, &unit).await?;
            let list = match app.activities(&actor, &unit, year).await {
                Ok(list) => list,
                Err(e) => return Ok(failed(&e)),
            };
            if list.is_empty() {
                println!("không có hoạt động nào của {unit} năm {year}");
            }
            for a in list {
                let f = &a.fields;
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\tkế hoạch {}\tthực hiện {}",
                    a.id,
                    f.start_date.format("%d/%m/%Y"),
                    f.unit_code,
                    f.project,
                    a.activity_type_name,
                    f.name,
                    f.planned_quantity
                        .map(|n| n.to_string())
                        .unwrap_or("–".into()),
                    f.done_quantity.map(|n| n.to_string()).unwrap_or("–".into()),
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ActivitiesCommand::Add(args) => {
            let input = async {
                Ok::<_, AppError>(ActivityInput {
                    start_date: day("start", &args.start)?,
                    end_date: match args.end.as_deref() {
                        Some(end) => Some(day("end", end)?),
                        None => None,
                    },
                    unit: args.unit.clone(),
                    year: args.year,
                    project: args.project.clone(),
                    activity_type: args.activity_type.clone(),
                    name: args.name.clone(),
                    planned_quantity: args.planned,
                    done_quantity: args.done,
                    place: args.place.clone(),
                    content: args.content.clone(),
                    participants: args.participants,
                    participants_women: args.women,
                    participants_minority: args.minority,
                    inputs: args.inputs.clone(),
                    audience: args.audience.clone(),
                    materials: args.materials.clone(),
                })
            };
            let result = async {
                let input = input.await?;
                let actor = system_actor(app, &args.unit).await?;
                app.record_activity(&actor, &input).await
            };
            match result.await {
                Ok(id) => {
                    println!("đã ghi hoạt động số {id}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => Ok(failed(&e)),
            }
        }
        ActivitiesCommand::ImportBeneficiaries { activity, file, .. } => {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("không đọc được {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let result = async {
                let record = app
                    .store()
                    .activity(activity)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("hoạt động số {activity}")))?;
                let actor = system_actor(app, &record.fields.unit_code).await?;
                app.import_activity_beneficiaries(&actor, activity, &name, &bytes)
                    .await
            };
            match result.await {
                Ok(summary) => {
                    println!("{}", summary.message_vi());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => Ok(failed(&e)),
            }
        }
    }
}
