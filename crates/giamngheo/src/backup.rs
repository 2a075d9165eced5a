//! `giamngheo backup` and `giamngheo restore`, and the lock that keeps a restore from
//! replacing a database a server is using. docs/OPERATIONS.md has the procedure.
//!
//! SQLite: the backup is `VACUUM INTO`, a consistent copy taken while the server runs.
//! A restore checks the backup (`PRAGMA integrity_check`, a schema version this binary
//! knows), takes the database's lock, which every server and command holds shared while
//! it runs, moves the old file and its `-wal` aside, puts the copy in place and checks the
//! result. PostgreSQL: `pg_dump -Fc` and `pg_restore`, which must be on PATH.

use anyhow::{Context, Result, bail};
use clap::Args;
use giamngheo_store::{Integrity, Store, sqlite_file};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::OnceLock;

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Database: a SQLite file path or postgres://…
    #[arg(long, env = "GIAMNGHEO_DATABASE_URL", default_value = "giamngheo.db")]
    database_url: String,
    /// The backup file to write; it must not exist yet.
    #[arg(long)]
    output: PathBuf,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// Database to replace: a SQLite file path or postgres://…
    #[arg(long, env = "GIAMNGHEO_DATABASE_URL", default_value = "giamngheo.db")]
    database_url: String,
    /// The backup file (from `giamngheo backup`).
    file: PathBuf,
}

/// `FILE` with `suffix` appended to its name, in the same folder, so that renames
/// between them stay on one file system and are atomic.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn lock_file(database: &Path) -> Result<File> {
    let path = beside(database, ".lock");
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("không mở được tệp khoá {}", path.display()))
}

/// Takes the lock of `database` without waiting: shared, or alone; `busy` says why it
/// is not free.
fn take_lock(
    file: &File,
    shared: bool,
    database: &Path,
    busy: impl FnOnce() -> String,
) -> Result<()> {
    let taken = if shared {
        file.try_lock_shared()
    } else {
        file.try_lock()
    };
    match taken {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => bail!("{}", busy()),
        Err(TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("không khoá được {}", database.display()))
        }
    }
}

/// Holds the database's lock shared for as long as this process runs: servers and
/// commands share it, a restore needs it alone. PostgreSQL and in-memory databases have
/// none.
pub fn hold_database(url: &str) -> Result<()> {
    static HELD: OnceLock<File> = OnceLock::new();
    let Some(path) = sqlite_file(url) else {
        return Ok(());
    };
    if HELD.get().is_some() {
        return Ok(());
    }
    let file = lock_file(&path)?;
    take_lock(&file, true, &path, || {
        format!(
            "cơ sở dữ liệu {} đang được khôi phục (giamngheo restore); hãy đợi lệnh đó xong",
            path.display()
        )
    })?;
    let _ = HELD.set(file);
    Ok(())
}

fn check_ok(integrity: &Integrity, what: &str) -> Result<()> {
    match integrity {
        Integrity::Failed(problems) => bail!(
            "{what} bị hỏng (PRAGMA integrity_check): {}",
            problems.join("; ")
        ),
        Integrity::Ok | Integrity::NotApplicable => Ok(()),
    }
}

fn print_counts(counts: &[(String, i64)]) {
    for (table, n) in counts {
        if !table.starts_with('_') {
            println!("  {table}: {n}");
        }
    }
}

/// `giamngheo backup`.
pub async fn backup(args: BackupArgs) -> Result<ExitCode> {
    if args.output.exists() {
        bail!(
            "tệp {} đã có; hãy chọn tên khác (bản sao lưu không ghi đè)",
            args.output.display()
        );
    }
    if sqlite_file(&args.database_url).is_none() {
        return pg_dump(&args.database_url, &args.output);
    }
    let store = Store::connect(&args.database_url)
        .await
        .context("không mở được cơ sở dữ liệu")?;
    // Written under another name and renamed when whole, so that a backup file that
    // exists is a complete one.
    let partial = beside(&args.output, ".partial");
    let _ = std::fs::remove_file(&partial);
    store
        .backup_sqlite_into(&partial)
        .await
        .with_context(|| format!("không sao lưu được vào {}", args.output.display()))?;
    store.close().await;
    let copy = open_backup(&partial).await?;
    check_ok(&copy.integrity_check(false).await?, "bản sao lưu")?;
    let version = copy.schema_version().await?;
    let counts = copy.row_counts().await?;
    copy.close().await;
    std::fs::rename(&partial, &args.output)
        .with_context(|| format!("không đổi tên được thành {}", args.output.display()))?;
    println!(
        "đã sao lưu vào {} (SQLite, lược đồ phiên bản {version}):",
        args.output.display()
    );
    print_counts(&counts);
    Ok(ExitCode::SUCCESS)
}

/// A backup file opened read-only, so that looking at it changes nothing.
async fn open_backup(path: &Path) -> Result<Store> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    Store::connect(&url)
        .await
        .with_context(|| format!("{} không phải tệp SQLite đọc được", path.display()))
}

/// `giamngheo restore`.
pub async fn restore(args: RestoreArgs) -> Result<ExitCode> {
    if !args.file.is_file() {
        bail!("không có tệp sao lưu {}", args.file.display());
    }
    let Some(target) = sqlite_file(&args.database_url) else {
        return pg_restore(&args.database_url, &args.file).await;
    };

    // The backup must be whole and of a schema this binary knows.
    let copy = open_backup(&args.file).await?;
    check_ok(&copy.integrity_check(false).await?, "bản sao lưu")?;
    copy.check_schema().await?;
    copy.close().await;

    // No server or command may have the database open.
    let lock = lock_file(&target)?;
    take_lock(&lock, false, &target, || {
        format!(
            "cơ sở dữ liệu {} đang được dùng (máy chủ giamngheo serve hoặc một lệnh khác đang chạy); hãy dừng máy chủ rồi khôi phục lại",
            target.display()
        )
    })?;

    let staging = beside(&target, ".restoring");
    std::fs::copy(&args.file, &staging)
        .with_context(|| format!("không chép được vào {}", staging.display()))?;
    File::open(&staging)?.sync_all()?;
    // The old database, with its write-ahead log, is kept beside under another name
    // rather than deleted: a restore of the wrong file can be undone.
    let aside = beside(&target, ".before-restore");
    if target.exists() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(beside(&aside, suffix));
        }
        std::fs::rename(&target, &aside)?;
        let wal = beside(&target, "-wal");
        if wal.exists() {
            std::fs::rename(&wal, beside(&aside, "-wal"))?;
        }
    }
    // A log or shared-memory file left next to the new file would be read as its own.
    for suffix in ["-wal", "-shm"] {
        let stale = beside(&target, suffix);
        if stale.exists() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("không xoá được {}", stale.display()))?;
        }
    }
    std::fs::rename(&staging, &target)?;

    let store = Store::connect(&args.database_url)
        .await
        .context("không mở được cơ sở dữ liệu đã khôi phục")?;
    check_ok(
        &store.integrity_check(false).await?,
        "cơ sở dữ liệu đã khôi phục",
    )?;
    let version = store.check_schema().await?;
    let counts = store.row_counts().await?;
    store.close().await;
    drop(lock);
    println!(
        "đã khôi phục {} từ {} (lược đồ phiên bản {version}; tệp cũ giữ ở {}):",
        target.display(),
        args.file.display(),
        aside.display()
    );
    print_counts(&counts);
    Ok(ExitCode::SUCCESS)
}

/// Runs a PostgreSQL client program, saying what to install when it is missing.
fn run_pg_tool(program: &str, args: &[&str]) -> Result<std::process::Output> {
    match Command::new(program).args(args).output() {
        Ok(out) => Ok(out),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "không tìm thấy {program} trên PATH: hãy cài gói postgresql-client cùng phiên bản với máy chủ (xem docs/OPERATIONS.md, mục Sao lưu)"
        ),
        Err(e) => Err(e).with_context(|| format!("không chạy được {program}")),
    }
}

fn pg_dump(url: &str, output: &Path) -> Result<ExitCode> {
    let output_str = output
        .to_str()
        .context("đường dẫn tệp sao lưu phải là UTF-8")?;
    let out = run_pg_tool(
        "pg_dump",
        &["--format=custom", "--no-owner", "--file", output_str, url],
    )?;
    if !out.status.success() {
        let _ = std::fs::remove_file(output);
        bail!("pg_dump thất bại: {}", String::from_utf8_lossy(&out.stderr));
    }
    println!(
        "đã sao lưu vào {} (PostgreSQL, pg_dump -Fc)",
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The newest migration a `pg_dump -Fc` file records, read from its
/// `_sqlx_migrations` data.
fn pg_dump_schema_version(file: &str) -> Result<i64> {
    let out = run_pg_tool(
        "pg_restore",
        &["--data-only", "--table=_sqlx_migrations", "--file=-", file],
    )?;
    if !out.status.success() {
        bail!(
            "{file} không phải bản sao lưu pg_dump -Fc đọc được: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut in_copy = false;
    let mut newest = 0;
    for line in text.lines() {
        if line.starts_with("COPY ") && line.contains("_sqlx_migrations") {
            in_copy = true;
        } else if line == "\\." {
            in_copy = false;
        } else if in_copy {
            let mut fields = line.split('\t');
            let version = fields.next().and_then(|v| v.parse::<i64>().ok());
            // Columns: version, description, installed_on, success, …
            let success = fields.nth(2) == Some("t");
            if let Some(v) = version.filter(|_| success) {
                newest = newest.max(v);
            }
        }
    }
    Ok(newest)
}

async fn pg_restore(url: &str, file: &Path) -> Result<ExitCode> {
    let file_str = file
        .to_str()
        .context("đường dẫn tệp sao lưu phải là UTF-8")?;
    let found = pg_dump_schema_version(file_str)?;
    let store = Store::connect(url)
        .await
        .context("không mở được cơ sở dữ liệu")?;
    let known = store.known_schema_version();
    if found > known {
        bail!(giamngheo_store::StoreError::SchemaTooNew { found, known });
    }
    let others = store.other_connections().await?;
    store.close().await;
    if others > 0 {
        bail!(
            "cơ sở dữ liệu đang có {others} kết nối khác (máy chủ giamngheo serve?); hãy dừng máy chủ rồi khôi phục lại"
        );
    }
    let out = run_pg_tool(
        "pg_restore",
        &[
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            url,
            file_str,
        ],
    )?;
    if !out.status.success() {
        bail!(
            "pg_restore thất bại (không có gì bị thay đổi): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = Store::connect(url).await?;
    let version = store.check_schema().await?;
    let counts = store.row_counts().await?;
    store.close().await;
    println!(
        "đã khôi phục từ {} (PostgreSQL, lược đồ phiên bản {version}):",
        file.display()
    );
    print_counts(&counts);
    Ok(ExitCode::SUCCESS)
}
