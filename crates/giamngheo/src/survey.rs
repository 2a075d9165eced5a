//! `giamngheo survey`: the field survey offline from the command line (issue 18).
//! `survey forms --review ID --output DIR` writes a review's XLSForms (phiếu A, phiếu B)
//! and each village's household list, ready to upload to ODK Central or KoboToolbox;
//! `survey import --review ID FILE` imports an export of submissions, printing what it
//! applied and what waits in the queue, with the reasons.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum SurveyCommand {
    /// Ghi phiếu A, phiếu B (XLSForm) và danh sách hộ từng thôn (CSV) của một đợt rà soát
    /// vào một thư mục (writes a review's forms and household lists to a folder).
    Forms(FormsArgs),
    /// Nhập bản nộp xuất từ ODK Central (.csv.zip, OData JSON) hoặc KoboToolbox (CSV,
    /// JSON) vào một đợt rà soát (imports submissions into a review).
    Import(ImportArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// The review's id.
    #[arg(long)]
    review: i64,
    /// The export file.
    file: PathBuf,
}

#[derive(Args, Debug)]
pub struct FormsArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// The review's id (`GET /api/v1/reviews`).
    #[arg(long)]
    review: i64,
    /// The folder to write into; created when missing.
    #[arg(long)]
    output: PathBuf,
}

impl SurveyCommand {
    pub fn db(&self) -> &crate::DbArgs {
        match self {
            SurveyCommand::Forms(a) => &a.db,
            SurveyCommand::Import(a) => &a.db,
        }
    }
}

pub async fn run(app: &giamngheo_app::App, command: SurveyCommand) -> Result<ExitCode> {
    match command {
        SurveyCommand::Forms(args) => {
            let bundle = app.survey_forms_as_system(args.review).await?;
            std::fs::create_dir_all(&args.output)
                .with_context(|| format!("không tạo được thư mục {}", args.output.display()))?;
            for (name, bytes) in bundle.files() {
                let path = args.output.join(&name);
                std::fs::write(&path, bytes)
                    .with_context(|| format!("không ghi được {}", path.display()))?;
                println!("{}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        SurveyCommand::Import(args) => {
            let bytes = std::fs::read(&args.file)
                .with_context(|| format!("không đọc được {}", args.file.display()))?;
            let name = args
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let s = app
                .import_submissions_as_system(args.review, &name, &bytes)
                .await?;
            println!(
                "nhập mới: {}, cập nhật: {}, không đổi: {}, chờ xử lý: {}",
                s.applied, s.updated, s.unchanged, s.queued
            );
            for r in &s.reasons {
                println!("chờ xử lý — {r}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
