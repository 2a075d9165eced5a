//! The `giamngheo` binary: the web server and the batch commands. It only wires
//! configuration, logging and the application together; the work is done in the
//! libraries.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, SystemClock};
use giamngheo_domain::Hierarchy;
use giamngheo_store::Store;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod backup;
mod bench;
mod bench_coverage;
mod bench_survey;
mod benefits;
mod classify;
mod import;
mod inspections;
mod policies;
mod programme;
mod programme_activities;
mod report;
mod survey;
mod units;

#[derive(Parser, Debug)]
#[command(
    name = "giamngheo",
    version,
    about = "Phần mềm quản lý dữ liệu giảm nghèo bền vững"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Chạy máy chủ web và API (runs the web UI and the JSON API).
    Serve(ServeArgs),
    /// Cập nhật lược đồ cơ sở dữ liệu (applies database migrations).
    Migrate(DbArgs),
    /// Nạp dữ liệu mẫu: Huyện Hương Khê giả lập với thôn, hộ, nhân khẩu và người dùng mẫu
    /// (fills an empty database with a synthetic district and demo users).
    Demo(DemoArgs),
    /// Đơn vị hành chính (administrative units).
    Units {
        #[command(subcommand)]
        command: UnitsCommand,
    },
    /// Phân loại hộ theo chuẩn nghèo từ tệp CSV (classifies the households of a CSV file).
    Classify(classify::ClassifyArgs),
    /// Thôn, bản, tổ dân phố (villages).
    Villages {
        #[command(subcommand)]
        command: VillagesCommand,
    },
    /// Hộ gia đình (households).
    Households {
        #[command(subcommand)]
        command: HouseholdsCommand,
    },
    /// Báo cáo chính thức ra tệp json, csv hoặc xlsx (an official report to a file;
    /// `--list` names them).
    Report(report::ReportArgs),
    /// Rà soát trên điện thoại (ODK Collect, KoboCollect): phiếu và bản nộp (the field
    /// survey: forms for the phones, submissions back).
    Survey {
        #[command(subcommand)]
        command: survey::SurveyCommand,
    },
    /// Người dùng (users).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Tên cơ quan chuyên môn (the agencies holding the `office` role: Sở Nông nghiệp và
    /// Môi trường, Phòng Kinh tế, Phòng Văn hóa – Xã hội…).
    Agency {
        #[command(subcommand)]
        command: AgencyCommand,
    },
    /// Độ bao phủ chính sách: đối tượng được hưởng, đã hưởng, chưa hưởng (policy coverage
    /// per unit and year, to json, csv or xlsx).
    Coverage(policies::CoverageArgs),
    /// Tính lại số liệu bao phủ lưu sẵn (recompute the kept coverage spans of every
    /// household, after a policy's rule or the units' flags changed, or once for existing
    /// data; coverage counts the households themselves until it has run).
    CoverageRebuild(policies::CoverageRebuildArgs),
    /// Sao lưu cơ sở dữ liệu khi máy chủ vẫn chạy (an online backup: SQLite VACUUM INTO,
    /// PostgreSQL pg_dump -Fc).
    Backup(backup::BackupArgs),
    /// Đo tốc độ (benchmarks): `bench load` đo các trang của một máy chủ đang chạy dưới
    /// tải (p50, p99, lỗi, 503 mỗi trang).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Vốn chương trình giảm nghèo: báo cáo tiến độ, nhập bảng giải ngân (the
    /// programme's funds: progress report, disbursement import).
    Programme {
        #[command(subcommand)]
        command: programme::ProgrammeCommand,
    },
    /// Khôi phục cơ sở dữ liệu từ bản sao lưu, khi máy chủ đã dừng (replaces the
    /// database with a backup; refuses while a server uses it).
    Restore(backup::RestoreArgs),
    /// Lần hưởng chính sách: nhập danh sách của cơ quan (benefits: an agency's list).
    Benefits {
        #[command(subcommand)]
        command: benefits::BenefitsCommand,
    },
    /// Phát hiện về chính sách (findings on the benefits).
    Findings {
        #[command(subcommand)]
        command: benefits::FindingsCommand,
    },
    /// Nhiệm vụ của các cơ quan: nạp kế hoạch (the agencies' tasks: load a plan).
    Tasks {
        #[command(subcommand)]
        command: inspections::TasksCommand,
    },
    /// Kiểm tra, giám sát: lập kế hoạch, chọn mẫu hộ, kiểm tra kết quả rà soát
    /// (inspections: plan, sample, review checks).
    Inspections {
        #[command(subcommand)]
        command: inspections::InspectionsCommand,
    },
}

#[derive(Args, Debug, Clone)]
struct DbArgs {
    /// Database: a SQLite file path (created if missing) or postgres://…
    #[arg(long, env = "GIAMNGHEO_DATABASE_URL", default_value = "giamngheo.db")]
    database_url: String,
    /// Administrative levels, top first, for lists imported without their own
    /// (`units import --list-hierarchy`) and units with nothing under them yet:
    /// `province,commune,village` (since the 2025 reform, the default) or
    /// `province,district,commune,village`. Each list loaded keeps its own.
    #[arg(
        long,
        env = "GIAMNGHEO_HIERARCHY",
        default_value = "province,commune,village"
    )]
    hierarchy: String,
    /// A directory of poverty standard files (*.toml) that add to or replace the
    /// embedded national standards, e.g. a province's higher local standard.
    #[arg(long, env = "GIAMNGHEO_STANDARDS_DIR")]
    standards_dir: Option<PathBuf>,
    /// A directory of report definitions (*.toml) laid over the built-in ones: a file
    /// with a report's `name` replaces it, `catalog.toml` replaces the code lists. So an
    /// administrator corrects a heading without a rebuild.
    #[arg(long, env = "GIAMNGHEO_REPORTS_DIR")]
    reports_dir: Option<PathBuf>,
    /// A directory of policy files (*.toml) laid over the built-in catalogue: a policy
    /// with the code of a built-in one replaces it (a new ceiling, a corrected rate).
    #[arg(long, env = "GIAMNGHEO_POLICIES_DIR")]
    policies_dir: Option<PathBuf>,
    /// A directory of programme files (*.toml: a period's projects, the funding sources,
    /// the allocation coefficients) that replace the embedded ones of the same kind and
    /// id, e.g. the 2026–2035 components once the decision is at hand.
    #[arg(long, env = "GIAMNGHEO_PROGRAMME_DIR")]
    programme_dir: Option<PathBuf>,
    /// A directory of wording files (*.toml) laid over the built-in wording of the
    /// printed review documents (van-ban-ra-soat.toml), key by key. A file with a
    /// mistake is refused with its line and key, and the built-in wording is kept.
    #[arg(long, env = "GIAMNGHEO_FORMS_DIR")]
    forms_dir: Option<PathBuf>,
}

/// The demo's defaults, shared by `demo` and `serve --demo`.
const DEMO_SEED: u64 = 2021;
const DEMO_HOUSEHOLDS: usize = 30_000;

#[derive(Args, Debug)]
struct DemoArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The same seed gives the same households and the same passwords.
    #[arg(long, default_value_t = DEMO_SEED)]
    seed: u64,
    /// How many households to make (about as many as Hương Khê has).
    #[arg(long, default_value_t = DEMO_HOUSEHOLDS)]
    households: usize,
    /// Dữ liệu mẫu toàn quốc: mọi xã còn hiệu lực của 34 tỉnh (households over every
    /// commune of today's list, loaded through the bulk import, with two periods of
    /// classifications).
    #[arg(long)]
    national: bool,
    /// With --national: keep the generated households CSV at this path (to measure
    /// `households import` on it alone).
    #[arg(long, requires = "national")]
    keep_csv: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "GIAMNGHEO_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Mark cookies Secure: set it when users reach the server over HTTPS (through a
    /// reverse proxy). Requests with `X-Forwarded-Proto: https` get Secure cookies anyway.
    #[arg(
        long,
        env = "GIAMNGHEO_SECURE_COOKIES",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    secure_cookies: bool,
    /// A reverse proxy whose `X-Forwarded-For` header names the client, for the sign-in
    /// limits (repeat the option, or comma-separate addresses in the variable). From any
    /// other peer the header is ignored, so that a client cannot pick a new address for
    /// every guess. None by default: set it when a proxy, even on this machine, sits in
    /// front, or every client counts as the proxy's address.
    #[arg(
        long = "trusted-proxy",
        value_name = "ADDR",
        env = "GIAMNGHEO_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Load the demo district first when the database holds no households yet (as
    /// `giamngheo demo` with its defaults), so that one command starts a product to try.
    /// A database that already holds households is served as it is.
    #[arg(long)]
    demo: bool,
    /// Requests worked on at once; more wait for a place (see --queue-wait-ms).
    #[arg(long, env = "GIAMNGHEO_MAX_REQUESTS", default_value_t = 32)]
    max_requests: usize,
    /// How long a request beyond --max-requests waits for a place before the server
    /// answers 503 with Retry-After, in milliseconds.
    #[arg(long, env = "GIAMNGHEO_QUEUE_WAIT_MS", default_value_t = 2000)]
    queue_wait_ms: u64,
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Tải với nhiều kết nối cùng lúc vào danh sách hộ, trang một hộ, tìm kiếm, báo cáo
    /// xã và bảng điều khiển (load with many connections on the main pages).
    Load(bench::LoadArgs),
    /// Độ bao phủ một chính sách của cả tỉnh, một mình và khi nhiều yêu cầu cùng lúc
    /// (coverage of one policy for a province, alone and under concurrent requests).
    Coverage(bench_coverage::CoverageBenchArgs),
    /// Lưu phiếu B của một thôn 100 hộ: cả lưới một lần và từng hộ một (saving a
    /// village's phiếu B grid, at once and row by row).
    Survey(bench_survey::SurveyBenchArgs),
}

#[derive(Subcommand, Debug)]
enum UnitsCommand {
    /// Nhập hoặc cập nhật danh mục đơn vị hành chính từ tệp CSV
    /// (code,name,kind,level,parent_code[,area,extremely_difficult,border,programme_30a,programme_135,valid_from]).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file.
        file: PathBuf,
        /// Date the list takes effect (dd/mm/yyyy); today by default.
        #[arg(long)]
        valid_from: Option<String>,
        /// Retire the file's provinces' units that the file no longer lists (merges).
        /// Without --yes, only prints what would be retired and changes nothing.
        #[arg(long)]
        retire_missing: bool,
        /// The successors of retired units: a CSV with old_code,new_code (the reform's
        /// mapping file works as it is). A unit that still holds households, villages,
        /// users or units is retired only with a successor.
        #[arg(long, requires = "retire_missing")]
        successors: Option<PathBuf>,
        /// Apply --retire-missing after reading its summary.
        #[arg(long)]
        yes: bool,
        /// The list's own hierarchy when it differs from GIAMNGHEO_HIERARCHY, e.g.
        /// `province,district,commune,village` for a list from before July 2025.
        #[arg(long)]
        list_hierarchy: Option<String>,
    },
    /// Áp dụng một lần sắp xếp đơn vị hành chính: danh mục mới và bảng ánh xạ xã cũ → xã
    /// mới (applies a merger to a database that already holds data; re-runnable).
    Reform {
        #[command(flatten)]
        db: DbArgs,
        /// The new official list (code,name,kind,level,parent_code).
        #[arg(long)]
        list: PathBuf,
        /// The mapping (old_code,new_code,whole; the shipped file's layout).
        #[arg(long)]
        mapping: PathBuf,
        /// First day of the new units (dd/mm/yyyy); the old ones end the day before.
        #[arg(long)]
        effective: String,
        /// Check and count everything, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Phân các thôn của xã cũ bị chia về xã mới, từ tệp CSV (village_code,commune_code).
    AssignVillages {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum HouseholdsCommand {
    /// Nhập hộ và thành viên từ tệp .xlsx hoặc .csv theo mẫu (imports households and
    /// members; the file is refused whole if any row is wrong).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The .xlsx or .csv file. A CSV file is streamed, whatever its size; a re-run
        /// of a file whose import was interrupted goes on after what was committed.
        file: PathBuf,
        /// Households written per transaction (CSV files).
        #[arg(long, default_value_t = 2_000)]
        batch: usize,
    },
}

#[derive(Subcommand, Debug)]
enum VillagesCommand {
    /// Nhập danh sách thôn từ tệp CSV (commune_code,name,kind[,code,area]).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum AgencyCommand {
    /// Đặt tên cơ quan của mọi đơn vị một cấp (`--tier commune`) hoặc của một đơn vị
    /// (`--unit CODE`, which wins over its tier's name).
    Set {
        #[command(flatten)]
        db: DbArgs,
        /// province, district or commune.
        #[arg(long, required_unless_present = "unit", conflicts_with = "unit")]
        tier: Option<giamngheo_domain::Tier>,
        /// The code of one unit.
        #[arg(long)]
        unit: Option<String>,
        /// The agency's name as officials write it, e.g. "Phòng Văn hóa – Xã hội".
        name: String,
    },
    /// Liệt kê các cơ quan (lists the agencies: code, kind, unit, validity, name).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Thêm một cơ quan (adds an agency that records policies: its code, name, unit and
    /// kind, e.g. social_insurance, social_policy_bank, education, school).
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Its code, e.g. `18496-thcs`.
        code: String,
        /// Its name as officials write it.
        #[arg(long)]
        name: String,
        /// The unit it serves.
        #[arg(long)]
        unit: String,
        /// Its kind (labour, health, education, school, social_policy_bank, …).
        #[arg(long)]
        kind: String,
        /// First day (dd/mm/yyyy); today by default.
        #[arg(long)]
        valid_from: Option<String>,
    },
    /// In tên cơ quan của một đơn vị (prints the name an office of the unit is shown as).
    Show {
        #[command(flatten)]
        db: DbArgs,
        /// The unit's code.
        unit: String,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Tạo người dùng; mật khẩu đọc từ đầu vào chuẩn (creates a user; the password is
    /// read from standard input, so that it stays out of the shell history).
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Tên đăng nhập (username): a–z, 0–9, `.`, `_`, `-`.
        username: String,
        /// admin, office, agency_officer, commune_officer, village_head, oversight or
        /// province_viewer (`labour_office`, the old name of `office`, is still accepted).
        #[arg(long)]
        role: giamngheo_app::access::Role,
        /// The code of the unit the role applies to (and everything below it).
        #[arg(long)]
        unit: String,
        /// Read the password from the first line of standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// The agency the user works for (`giamngheo agency list`); it must serve the
        /// user's unit or a unit above it.
        #[arg(long)]
        agency: Option<String>,
    },
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lỗi: không khởi động được: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lỗi: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Report(args) => {
            let app = open_app(&args.db).await?;
            report::run(&app, args).await
        }
        Command::Survey { command } => {
            let app = open_app(command.db()).await?;
            survey::run(&app, command).await
        }
        Command::Demo(args) => demo(args).await,
        Command::Programme { command } => {
            let app = open_app(programme::db(&command)).await?;
            programme::run(&app, command).await
        }
        Command::Benefits {
            command: benefits::BenefitsCommand::Import(args),
        } => {
            let app = open_app(&args.db).await?;
            benefits::import(&app, args).await
        }
        Command::Findings {
            command: benefits::FindingsCommand::Check(args),
        } => {
            let app = open_app(&args.db).await?;
            benefits::check(&app, args).await
        }
        Command::Tasks { command } => {
            let app = open_app(inspections::tasks_db(&command)).await?;
            inspections::run_tasks(&app, command).await
        }
        Command::Inspections { command } => {
            let app = open_app(inspections::db(&command)).await?;
            inspections::run(&app, command).await
        }
        Command::Backup(args) => backup::backup(args).await,
        Command::Coverage(args) => {
            let app = open_app(&args.db).await?;
            policies::coverage(&app, args).await
        }
        Command::CoverageRebuild(args) => {
            let app = open_app(&args.db).await?;
            policies::coverage_rebuild(&app, args).await
        }
        Command::Agency {
            command: AgencyCommand::List { db },
        } => policies::list_agencies(&open_app(&db).await?).await,
        Command::Agency {
            command:
                AgencyCommand::Add {
                    db,
                    code,
                    name,
                    unit,
                    kind,
                    valid_from,
                },
        } => {
            let app = open_app(&db).await?;
            let valid_from = match valid_from.as_deref() {
                Some(s) => giamngheo_sheets_date(s)?,
                None => app.clock().today(),
            };
            let agency = app
                .add_agency_as_system(&code, &name, &unit, &kind, valid_from)
                .await?;
            println!("đã thêm cơ quan {} – {}", agency.code, agency.name);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            command: BenchCommand::Load(args),
        } => bench::run(args).await,
        Command::Bench {
            command: BenchCommand::Coverage(args),
        } => bench_coverage::run(args).await,
        Command::Bench {
            command: BenchCommand::Survey(args),
        } => bench_survey::run(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::Migrate(db) => {
            backup::hold_database(&db.database_url)?;
            let store = Store::connect(&db.database_url)
                .await
                .context("không mở được cơ sở dữ liệu")?;
            let before = store.check_schema().await?;
            let after = store.migrate().await?;
            println!(
                "lược đồ cơ sở dữ liệu ({}): phiên bản {before} → {after}",
                store.backend().as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Units {
            command:
                UnitsCommand::Import {
                    db,
                    file,
                    valid_from,
                    retire_missing,
                    successors,
                    yes,
                    list_hierarchy,
                },
        } => {
            let app = open_app(&db).await?;
            let valid_from = match valid_from {
                Some(d) => giamngheo_sheets_date(&d)?,
                None => app.clock().today(),
            };
            let successors = match successors {
                Some(path) => units::read_successors(&path)?,
                None => Vec::new(),
            };
            let input = std::fs::File::open(&file)
                .with_context(|| format!("không mở được tệp {}", file.display()))?;
            // Retiring units is checked on a dry run first: the summary says what would
            // end, and only --yes writes it.
            let apply = !retire_missing || yes;
            let (plan, summary) = app
                .plan_units(
                    std::io::BufReader::new(input),
                    &UnitImportOptions {
                        valid_from,
                        retire_missing,
                        hierarchy: list_hierarchy
                            .map(|h| Hierarchy::parse(&h))
                            .transpose()
                            .context("--list-hierarchy")?,
                    },
                    &successors,
                    apply,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            match summary {
                Some(summary) => println!(
                    "đã nhập {} đơn vị, {} đơn vị hết hiệu lực",
                    summary.rows, summary.retired
                ),
                None => print!("{}", units::dry_run_summary(&plan)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Units {
            command:
                UnitsCommand::Reform {
                    db,
                    list,
                    mapping,
                    effective,
                    dry_run,
                },
        } => {
            let app = open_app(&db).await?;
            let effective = giamngheo_sheets_date(&effective)?;
            units::reform(&app, &list, &mapping, effective, dry_run).await
        }
        Command::Units {
            command: UnitsCommand::AssignVillages { db, file },
        } => {
            let app = open_app(&db).await?;
            units::assign_villages(&app, &file).await
        }
        Command::Villages {
            command: VillagesCommand::Import { db, file },
        } => {
            let app = open_app(&db).await?;
            let input = std::fs::File::open(&file)
                .with_context(|| format!("không mở được tệp {}", file.display()))?;
            let created = app
                .import_villages_as_system(std::io::BufReader::new(input))
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!("đã thêm {} thôn", created.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Classify(args) => classify::run(args),
        Command::Households {
            command: HouseholdsCommand::Import { db, file, batch },
        } => {
            let app = open_app(&db).await?;
            import::run(&app, &file, batch).await
        }
        Command::Agency {
            command:
                AgencyCommand::Set {
                    db,
                    tier,
                    unit,
                    name,
                },
        } => {
            let app = open_app(&db).await?;
            let scope = match (tier, unit) {
                (Some(tier), _) => giamngheo_app::agencies::AgencyScope::Tier(tier),
                (None, Some(unit)) => giamngheo_app::agencies::AgencyScope::Unit(unit),
                (None, None) => anyhow::bail!("cần --tier hoặc --unit"),
            };
            app.set_agency_name(&scope, &name).await?;
            println!("đã đặt tên cơ quan");
            Ok(ExitCode::SUCCESS)
        }
        Command::Agency {
            command: AgencyCommand::Show { db, unit },
        } => {
            let app = open_app(&db).await?;
            match app.agency_name(&unit).await? {
                Some(name) => println!("{name}"),
                None => println!("(chưa đặt tên cơ quan cho đơn vị {unit})"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    role,
                    unit,
                    password_stdin: _,
                    agency,
                },
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("không đọc được mật khẩu từ đầu vào chuẩn")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            if password.is_empty() {
                anyhow::bail!("mật khẩu trống: hãy đưa mật khẩu vào đầu vào chuẩn");
            }
            let app = open_app(&db).await?;
            if let Some(code) = &agency {
                app.agency_for_unit(&unit, code).await?;
            }
            let user = app
                .add_user_as_system(giamngheo_app::auth::NewUserInput {
                    username,
                    password,
                    role,
                    unit_code: unit,
                })
                .await?;
            if let Some(code) = agency {
                app.set_user_agency_as_system(user.id, &user.unit_code, &code)
                    .await?;
                println!("cơ quan: {code}");
            }
            println!(
                "đã tạo người dùng {} ({}, {} – {})",
                user.username,
                user.role.label_vi(),
                user.unit_code,
                user.unit_name
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn giamngheo_sheets_date(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .with_context(|| format!("ngày «{s}» không hợp lệ (dùng dd/mm/yyyy)"))
}

/// The report definitions: the built-in ones, with the `--reports-dir` folder laid over
/// them. A malformed file stops the start, naming the file, line and reason, rather than
/// serving reports with a half-read definition.
fn report_catalog(db: &DbArgs) -> Result<giamngheo_app::reports::ReportCatalog> {
    match &db.reports_dir {
        Some(dir) => giamngheo_app::reports::ReportCatalog::with_overrides(dir)
            .map_err(|e| anyhow::anyhow!("{e}")),
        None => Ok(giamngheo_app::reports::catalog().clone()),
    }
}

/// The wording of the printed documents: the built-in one, with the `--forms-dir`
/// folder laid over it. Unlike a report definition, a bad wording file does not stop the
/// start: the commune must still be able to print, so the file is refused, said why on
/// standard error (file, line and key), and the built-in wording is kept.
fn print_wording(db: &DbArgs) -> giamngheo_app::print_wording::Wording {
    let Some(dir) = &db.forms_dir else {
        return giamngheo_app::print_wording::Wording::default();
    };
    let (wording, problems) = giamngheo_app::print_wording::Wording::with_overrides(dir);
    for problem in problems {
        eprintln!("cảnh báo: {problem}");
    }
    wording
}

/// Opens the database, brings its schema up to date and loads the official units list
/// into an empty database, so that every command works on a fresh installation.
async fn open_app(db: &DbArgs) -> Result<App> {
    let hierarchy = Hierarchy::parse(&db.hierarchy).context("GIAMNGHEO_HIERARCHY")?;
    backup::hold_database(&db.database_url)?;
    let store = Store::connect(&db.database_url)
        .await
        .context("không mở được cơ sở dữ liệu")?;
    store.migrate().await?;
    let standards = match &db.standards_dir {
        // A malformed standard file stops the start, naming the file, line and reason,
        // rather than classifying under a half-read standard.
        Some(dir) => giamngheo_rules::StandardSet::with_dir(dir)
            .map_err(|e| anyhow::anyhow!("chuẩn nghèo: {e}"))?,
        None => giamngheo_rules::StandardSet::embedded(),
    };
    let policies = match &db.policies_dir {
        // A malformed policy file stops the start, naming the file and reason, rather
        // than counting coverage under a half-read catalogue.
        Some(dir) => giamngheo_rules::PolicyCatalogue::with_dir(dir)
            .map_err(|e| anyhow::anyhow!("chính sách: {e}"))?,
        None => giamngheo_rules::PolicyCatalogue::embedded(),
    };
    let programme = match &db.programme_dir {
        Some(dir) => giamngheo_rules::programme::ProgrammeSet::with_dir(dir)
            .map_err(|e| anyhow::anyhow!("chương trình: {e}"))?,
        None => giamngheo_rules::programme::ProgrammeSet::embedded(),
    };
    let config = Config {
        hierarchy,
        standards: Arc::new(standards),
        reports: Arc::new(report_catalog(db)?),
        policies: Arc::new(policies),
        programme: Arc::new(programme),
        wording: Arc::new(print_wording(db)),
        ..Config::default()
    };
    let app = App::new(store, config, Arc::new(SystemClock));
    app.load_official_units_if_empty().await?;
    Ok(app)
}

async fn serve(args: ServeArgs) -> Result<ExitCode> {
    let app = open_app(&args.db).await?;
    if args.demo && app.store().household_count().await? == 0 {
        load_and_show_demo(&app, DEMO_SEED, DEMO_HOUSEHOLDS).await?;
    }
    // Checked once at start, so that /healthz can tell a damaged file without reading
    // the whole database on every probe.
    match app.store().check_integrity_at_start().await? {
        giamngheo_store::Integrity::Failed(problems) => {
            tracing::error!(problems = ?problems, "the database failed PRAGMA quick_check");
            eprintln!(
                "CẢNH BÁO: cơ sở dữ liệu không qua được kiểm tra toàn vẹn (PRAGMA quick_check); /healthz báo lỗi. Xem docs/OPERATIONS.md, mục Khôi phục."
            );
        }
        giamngheo_store::Integrity::Ok | giamngheo_store::Integrity::NotApplicable => {}
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("không nghe được ở {}", args.listen))?;
    tracing::info!(
        address = %listener.local_addr()?,
        backend = app.store().backend().as_str(),
        "giamngheo is serving"
    );
    eprintln!(
        "Giảm nghèo đang chạy tại http://{}/",
        listener.local_addr()?
    );
    let options = giamngheo_web::WebOptions {
        secure_cookies: args.secure_cookies,
        trusted_proxies: args.trusted_proxies,
        capacity: giamngheo_web::Capacity::new(
            args.max_requests,
            std::time::Duration::from_millis(args.queue_wait_ms),
        ),
    };
    // The peer address feeds the sign-in rate limit.
    let service = giamngheo_web::router_with(app, options)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the demo district and prints what it made and how to sign in.
async fn demo(args: DemoArgs) -> Result<ExitCode> {
    let app = open_app(&args.db).await?;
    if args.national {
        return import::national_demo(&app, args.seed, args.households as u64, args.keep_csv).await;
    }
    load_and_show_demo(&app, args.seed, args.households).await
}

/// Loads the demo district into `app`'s database and prints the demo users.
/// Counts are printed the Vietnamese way (`30.000 hộ`), as on the pages.
async fn load_and_show_demo(app: &App, seed: u64, households: usize) -> Result<ExitCode> {
    use giamngheo_sheets::reports::number;
    let started = std::time::Instant::now();
    let summary = app.load_demo(seed, households).await?;
    println!(
        "Đã nạp dữ liệu mẫu Huyện Hương Khê (seed {}) vào {} trong {:.1} giây: {} thôn mới, {} hộ, {} nhân khẩu.",
        seed,
        app.store().backend().as_str(),
        started.elapsed().as_secs_f64(),
        number(summary.villages_created as i64),
        number(summary.households as i64),
        number(summary.members as i64)
    );
    if let (Some(first), Some(last)) = (summary.periods.first(), summary.periods.last()) {
        println!(
            "Danh sách hộ nghèo, hộ cận nghèo các năm {first}–{last}: {} lượt phân loại.",
            number(summary.classifications as i64)
        );
    }
    if let Some(reform) = &summary.reform {
        println!(
            "Sắp xếp đơn vị hành chính 01/07/2025: {} thôn và {} hộ chuyển về các xã mới.",
            number(reform.villages_moved as i64),
            number(reform.households_moved as i64)
        );
    }
    if let Some(review) = &summary.open_review {
        println!(
            "Đợt rà soát định kỳ cho năm {} (chuẩn {}) đang mở ở xã {}: đã điều tra {}/{} hộ.",
            review.period,
            review.standard,
            review.commune_code,
            number(review.surveyed as i64),
            number(review.listed as i64)
        );
    }
    println!();
    println!("Người dùng mẫu (mật khẩu chỉ để dùng thử, đừng dùng cho dữ liệu thật):");
    let rows: Vec<[String; 4]> = summary
        .users
        .iter()
        .map(|u| {
            [
                u.username.clone(),
                u.role.as_str().to_string(),
                format!("{} {}", u.unit_code, u.unit_name),
                u.password.clone(),
            ]
        })
        .collect();
    let header = ["tên đăng nhập", "vai trò", "đơn vị", "mật khẩu"].map(String::from);
    // Padding counts characters, so the Vietnamese names line up.
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(&rows) {
        println!(
            "  {:<w0$}  {:<w1$}  {:<w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
