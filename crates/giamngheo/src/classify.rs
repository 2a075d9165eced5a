//! `giamngheo classify`: classifies the households of a CSV file under a standard.
//!
//! This is a contract other tools rely on (issue 3):
//! - input: UTF-8 CSV with a header; columns `household_id`, `area`, `income_per_capita`,
//!   `score_a` and one `0`/`1` column per indicator of the standard, in any order; other
//!   columns are ignored;
//! - output: `household_id,status,deprivation_count,score_b` and, with `--reasons`,
//!   `reasons`, one row per valid input row in input order, to `--output` or stdout;
//! - a bad row is named on stderr with its line and column and skipped; the valid rows are
//!   still classified and the exit status is 2;
//! - a fatal problem (unknown standard, bad standard file, a file that is not a CSV of the
//!   expected shape) exits with 1 and leaves no output file: the output is written to a
//!   temporary file beside it and renamed only at the end.
//!
//! The file is streamed in chunks of rows that the cores classify in parallel and that are
//! written in input order (see [`classify_rows`]), so memory stays flat whatever the size.

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use giamngheo_domain::Area;
use giamngheo_rules::{Evidence, IndicatorSet, Lang, Standard, StandardSet};
use indicatif::{ProgressBar, ProgressStyle};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit status when some rows were invalid but the others were classified.
const EXIT_BAD_ROWS: u8 = 2;

#[derive(Args, Debug, Clone)]
pub struct ClassifyArgs {
    /// Mã chuẩn nghèo (standard id), e.g. vn-2016, vn-2022, vn-2027.
    #[arg(long)]
    pub standard: String,
    /// Tệp CSV đầu vào (input CSV, UTF-8, with a header).
    #[arg(long)]
    pub input: PathBuf,
    /// Tệp CSV kết quả; mặc định in ra stdout (output CSV; stdout when absent).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Thư mục chứa tệp chuẩn nghèo (*.toml) bổ sung hoặc thay thế chuẩn có sẵn
    /// (directory of standard files that add to or override the embedded ones).
    #[arg(long, env = "GIAMNGHEO_STANDARDS_DIR")]
    pub standards_dir: Option<PathBuf>,
    /// Thêm cột lý do (adds the reasons column; it costs about as much as the
    /// classification itself, so it is left out unless asked for).
    #[arg(long)]
    pub reasons: bool,
    /// Ngôn ngữ của cột lý do (language of the reasons column).
    #[arg(long, value_enum, default_value_t = ReasonLang::Vi)]
    pub lang: ReasonLang,
    /// Rows classified per chunk by each core (for tests of the chunk boundaries).
    #[arg(long, default_value_t = CHUNK_ROWS, hide = true)]
    pub chunk_rows: usize,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonLang {
    Vi,
    En,
}

impl From<ReasonLang> for Lang {
    fn from(lang: ReasonLang) -> Lang {
        match lang {
            ReasonLang::Vi => Lang::Vi,
            ReasonLang::En => Lang::En,
        }
    }
}

/// Runs the command. `Err` is a fatal error (nothing written); `Ok` carries exit status
/// 0, or 2 when some rows were invalid.
pub fn run(args: ClassifyArgs) -> Result<ExitCode> {
    let standards = match &args.standards_dir {
        Some(dir) => StandardSet::with_dir(dir).map_err(|error| {
            anyhow!("tệp chuẩn nghèo không hợp lệ (invalid standard file): {error}")
        })?,
        None => StandardSet::embedded(),
    };
    let standard = standards.get(&args.standard).ok_or_else(|| {
        let known: Vec<&str> = standards.ids().collect();
        anyhow!(
            "không có chuẩn nghèo «{}»; các chuẩn có: {} (unknown standard)",
            args.standard,
            known.join(", ")
        )
    })?;

    let input_name = args.input.display().to_string();
    let file = File::open(&args.input).with_context(|| {
        format!("không mở được tệp đầu vào (cannot open the input) {input_name}")
    })?;
    let size = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(file);
    let columns = Columns::from_header(&mut reader, standard, &input_name)?;

    // A second handle on the input, read only to name the line of a bad row.
    let mut input = InputFile {
        name: input_name.clone(),
        file: File::open(&args.input).ok(),
    };
    let progress = progress_bar(size);
    let output = Output {
        lang: Lang::from(args.lang),
        reasons: args.reasons,
    };
    let summary = match &args.output {
        Some(path) => {
            let pending = PendingFile::create(path)?;
            let summary = classify_rows(
                &mut reader,
                &columns,
                standard,
                output,
                args.chunk_rows,
                pending.writer()?,
                &mut input,
                &progress,
            )?;
            pending.persist()?;
            summary
        }
        None => {
            let stdout = io::stdout().lock();
            classify_rows(
                &mut reader,
                &columns,
                standard,
                output,
                args.chunk_rows,
                io::BufWriter::with_capacity(1 << 16, stdout),
                &mut input,
                &progress,
            )?
        }
    };
    progress.finish_and_clear();

    if summary.invalid > 0 {
        eprintln!(
            "{input_name}: đã phân loại {} hộ, bỏ qua {} dòng lỗi (classified {}, skipped {} invalid rows)",
            summary.classified, summary.invalid, summary.classified, summary.invalid
        );
        Ok(ExitCode::from(EXIT_BAD_ROWS))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

fn progress_bar(size: u64) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(size);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// Where each needed column stands in the input.
struct Columns {
    household_id: usize,
    area: usize,
    income: Option<usize>,
    score_a: Option<usize>,
    /// `(column, indicator index)`, in the standard's order.
    indicators: Vec<(usize, usize)>,
    /// Names of the header, for error messages.
    names: Vec<String>,
}

impl Columns {
    fn from_header(
        reader: &mut csv::Reader<File>,
        standard: &Standard,
        input_name: &str,
    ) -> Result<Columns> {
        let not_csv = "tệp không phải CSV UTF-8 có dòng tiêu đề (the input is not a UTF-8 CSV file with a header)";
        let header = reader
            .byte_headers()
            .with_context(|| format!("{input_name}: {not_csv}"))?
            .clone();
        if header.is_empty() {
            bail!("{input_name}: tệp rỗng (empty file): {not_csv}");
        }
        let mut names = Vec::with_capacity(header.len());
        for (at, field) in header.iter().enumerate() {
            let field = if at == 0 {
                field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
            } else {
                field
            };
            let name = std::str::from_utf8(field)
                .map_err(|_| anyhow!("{input_name}:1: {not_csv}"))?
                .trim()
                .to_string();
            if !name.is_empty() && names.contains(&name) {
                bail!("{input_name}:1: cột «{name}» bị lặp (duplicate column)");
            }
            names.push(name);
        }
        let find = |name: &str| names.iter().position(|known| known == name);
        let require = |name: &str| {
            find(name).ok_or_else(|| {
                anyhow!(
                    "{input_name}:1: thiếu cột «{name}» (missing column) cần cho chuẩn {}; {not_csv}",
                    standard.id()
                )
            })
        };
        let household_id = require("household_id")?;
        let area = require("area")?;
        let income = find("income_per_capita");
        let score_a = find("score_a");
        if income.is_none() && score_a.is_none() {
            bail!(
                "{input_name}:1: cần cột income_per_capita hoặc score_a (neither income_per_capita nor score_a column)"
            );
        }
        let indicators = standard
            .indicators()
            .iter()
            .enumerate()
            .map(|(index, indicator)| require(&indicator.code).map(|column| (column, index)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Columns {
            household_id,
            area,
            income,
            score_a,
            indicators,
            names,
        })
    }
}

/// What can be wrong with one field of a row.
#[derive(Debug, Clone, Copy)]
enum Problem {
    Missing,
    EmptyId,
    NotUtf8,
    UnknownArea,
    NotAnInteger,
    NoIncomeNorScore,
    ScoreNotUsed,
    NotATick,
}

impl Problem {
    fn text(self) -> &'static str {
        match self {
            Problem::Missing => "dòng thiếu ô này (the row has no such field)",
            Problem::EmptyId => "mã hộ trống (empty household id)",
            Problem::NotUtf8 => "không phải văn bản UTF-8 (not UTF-8 text)",
            Problem::UnknownArea => {
                "khu vực phải là rural hoặc urban (area must be rural or urban)"
            }
            Problem::NotAnInteger => "phải là số nguyên không âm (must be a non-negative integer)",
            Problem::NoIncomeNorScore => {
                "không có thu nhập lẫn điểm A (neither income_per_capita nor score_a)"
            }
            Problem::ScoreNotUsed => {
                "chuẩn này không dùng điểm A, cần thu nhập (this standard has no score-A threshold)"
            }
            Problem::NotATick => "phải là 0 hoặc 1 (must be 0 or 1)",
        }
    }
}

/// The input's name for messages, and a second handle on it to name the physical line of
/// a record, as an editor shows it.
///
/// The csv reader's line is where the previous record ended, before the blank lines it
/// skips; the record starts after the line ends found at that byte offset. They are read
/// again from the file, only for bad rows, so the stream stays one pass.
struct InputFile {
    name: String,
    file: Option<File>,
}

impl InputFile {
    fn line_of(&mut self, position: &csv::Position) -> u64 {
        use std::io::{Read, Seek, SeekFrom};
        let mut line = position.line();
        let Some(file) = &mut self.file else {
            return line;
        };
        if file.seek(SeekFrom::Start(position.byte())).is_err() {
            return line;
        }
        let mut chunk = [0u8; 4096];
        loop {
            let n = match file.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let (ends, only_line_ends) = giamngheo_sheets::error::leading_line_ends(&chunk[..n]);
            line += ends;
            if !only_line_ends {
                break;
            }
        }
        line
    }
}

struct Summary {
    classified: u64,
    invalid: u64,
}

/// Rows a worker classifies at a time: large enough that handing a chunk over costs
/// nothing beside it, small enough that the chunks waiting stay a few megabytes.
const CHUNK_ROWS: usize = 8 * 1024;

/// Chunks read ahead of the writer, per worker.
const CHUNKS_AHEAD: usize = 2;

/// A chunk of input rows, numbered in input order.
struct Chunk {
    seq: u64,
    records: Vec<csv::ByteRecord>,
    /// How far the reader is when the chunk is complete, for the progress bar.
    bytes: u64,
}

/// What a worker made of a chunk: the output rows, already in CSV, and the bad rows.
struct Done {
    seq: u64,
    csv: Vec<u8>,
    bad: Vec<(csv::Position, Vec<(usize, Problem)>)>,
    classified: u64,
    bytes: u64,
}

/// What the output holds besides the statuses.
#[derive(Clone, Copy)]
struct Output {
    lang: Lang,
    reasons: bool,
}

/// Reads every row, writes the valid ones classified and reports the others.
///
/// Reading (the CSV tokenizer, one pass through the bytes), classifying and writing
/// form a pipeline: the reader hands chunks of rows to one worker per core, each worker
/// parses, classifies and formats its chunk into CSV bytes, and this thread writes the
/// chunks in input order, with the bad rows' messages at their place. The output is the
/// same byte for byte as one thread would write.
#[allow(clippy::too_many_arguments)]
fn classify_rows<W: Write>(
    reader: &mut csv::Reader<File>,
    columns: &Columns,
    standard: &Standard,
    output: Output,
    chunk_rows: usize,
    sink: W,
    input: &mut InputFile,
    progress: &ProgressBar,
) -> Result<Summary> {
    let input_name = input.name.clone();
    let input_name = input_name.as_str();
    let write_error = "không ghi được kết quả (cannot write the output)";
    let mut writer = csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(sink);
    let mut header = vec!["household_id", "status", "deprivation_count", "score_b"];
    if output.reasons {
        header.push("reasons");
    }
    writer.write_record(&header).context(write_error)?;
    writer.flush().context(write_error)?;
    let mut sink = writer
        .into_inner()
        .map_err(|e| anyhow!("{write_error}: {}", e.error()))?;

    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk_rows = chunk_rows.max(1);
    let mut stderr = io::BufWriter::new(io::stderr().lock());
    let mut summary = Summary {
        classified: 0,
        invalid: 0,
    };
    let (work_tx, work_rx) = std::sync::mpsc::sync_channel::<Chunk>(workers * CHUNKS_AHEAD);
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<Result<Done>>();
    // Set when the writer stops on an error, so that the reader stops too.
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| -> Result<()> {
        for _ in 0..workers {
            let work_rx = &work_rx;
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                loop {
                    let chunk = match work_rx.lock().map(|rx| rx.recv()) {
                        Ok(Ok(chunk)) => chunk,
                        _ => return,
                    };
                    let done = classify_chunk(chunk, columns, standard, output, input_name);
                    // Once the writer has stopped, the chunks still coming are dropped,
                    // so that the reader never waits on a full channel.
                    let _ = done_tx.send(done);
                }
            });
        }
        drop(done_tx);
        // The reader: chunks go out in order while the workers and this thread work.
        let stop = &stop;
        let reader_done = scope.spawn(move || -> Result<()> {
            let mut seq = 0;
            loop {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return Ok(());
                }
                let mut records = Vec::with_capacity(chunk_rows);
                while records.len() < chunk_rows {
                    let mut record = csv::ByteRecord::new();
                    let more = reader.read_byte_record(&mut record).with_context(|| {
                        format!(
                            "{input_name}: tệp CSV hỏng, dừng xử lý (the CSV file is damaged; stopped)"
                        )
                    })?;
                    if !more {
                        break;
                    }
                    records.push(record);
                }
                let last = records.len() < chunk_rows;
                if !records.is_empty() {
                    let chunk = Chunk {
                        seq,
                        records,
                        bytes: reader.position().byte(),
                    };
                    if work_tx.send(chunk).is_err() {
                        return Ok(());
                    }
                    seq += 1;
                }
                if last {
                    return Ok(());
                }
            }
        });

        // The writer: chunks in input order, whichever worker finishes first.
        let written = (|| -> Result<()> {
            let mut waiting: std::collections::BTreeMap<u64, Done> = Default::default();
            let mut next = 0u64;
            for done in done_rx {
                let done = done?;
                waiting.insert(done.seq, done);
                while let Some(done) = waiting.remove(&next) {
                    next += 1;
                    // Messages of bad rows first: they come before the next chunk's rows in
                    // input order, and stderr and stdout are separate streams anyway.
                    for (position, mut problems) in done.bad {
                        summary.invalid += 1;
                        let line = input.line_of(&position);
                        for message in problem_messages(input_name, line, columns, &mut problems) {
                            if progress.is_hidden() {
                                writeln!(stderr, "{message}").context("cannot write to stderr")?;
                            } else {
                                progress.println(message);
                            }
                        }
                    }
                    sink.write_all(&done.csv).context(write_error)?;
                    summary.classified += done.classified;
                    progress.set_position(done.bytes);
                }
            }
            Ok(())
        })();
        if written.is_err() {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            return written;
        }
        reader_done
            .join()
            .map_err(|_| anyhow!("{input_name}: the reader stopped"))??;
        Ok(())
    })?;
    sink.flush().context(write_error)?;
    stderr.flush().context("cannot write to stderr")?;
    Ok(summary)
}

/// Parses, classifies and formats one chunk.
fn classify_chunk(
    chunk: Chunk,
    columns: &Columns,
    standard: &Standard,
    output: Output,
    input_name: &str,
) -> Result<Done> {
    let write_error = "không ghi được kết quả (cannot write the output)";
    let mut writer = csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(Vec::with_capacity(chunk.records.len() * 64));
    let mut out = csv::ByteRecord::new();
    let mut reasons = String::with_capacity(256);
    let mut number = String::with_capacity(8);
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    let mut bad = Vec::new();
    let mut classified = 0;
    for record in &chunk.records {
        problems.clear();
        let row = parse_row(record, columns, standard, &mut problems);
        let Some((id, area, evidence, deprived)) = row else {
            let position = record
                .position()
                .cloned()
                .unwrap_or_else(csv::Position::new);
            bad.push((position, std::mem::take(&mut problems)));
            continue;
        };
        let decision = standard
            .decide(&giamngheo_rules::HouseholdInput {
                area,
                evidence,
                deprived,
            })
            .map_err(|error| anyhow!("{input_name}: {error}"))?;
        out.clear();
        // The identifier comes from the input file and could be a formula.
        out.push_field(&giamngheo_sheets::csv_out::safe_field(id));
        out.push_field(decision.status.as_str().as_bytes());
        number.clear();
        let _ = write!(number, "{}", decision.deprivation_count);
        out.push_field(number.as_bytes());
        number.clear();
        let _ = write!(number, "{}", decision.score_b);
        out.push_field(number.as_bytes());
        if output.reasons {
            reasons.clear();
            decision
                .write_reasons(standard, &mut reasons, output.lang)
                .expect("writing into a String cannot fail");
            out.push_field(&giamngheo_sheets::csv_out::safe_field(reasons.as_bytes()));
        }
        writer.write_byte_record(&out).context(write_error)?;
        classified += 1;
    }
    let csv = writer
        .into_inner()
        .map_err(|e| anyhow!("{write_error}: {}", e.error()))?;
    Ok(Done {
        seq: chunk.seq,
        csv,
        bad,
        classified,
        bytes: chunk.bytes,
    })
}

/// One message per problem of a bad row, in column order; the fields missing from a
/// short row are named together in one message.
fn problem_messages(
    input_name: &str,
    line: u64,
    columns: &Columns,
    problems: &mut [(usize, Problem)],
) -> Vec<String> {
    problems.sort_by_key(|&(column, _)| column);
    let name = |column: usize| columns.names[column].as_str();
    let missing: Vec<&str> = problems
        .iter()
        .filter(|(_, problem)| matches!(problem, Problem::Missing))
        .map(|&(column, _)| name(column))
        .collect();
    let mut messages: Vec<String> = problems
        .iter()
        .filter(|(_, problem)| !matches!(problem, Problem::Missing))
        .map(|&(column, problem)| {
            format!(
                "{input_name}:{line}: cột {} (column): {}",
                name(column),
                problem.text()
            )
        })
        .collect();
    if !missing.is_empty() {
        messages.push(format!(
            "{input_name}:{line}: cột {} (columns): {}",
            missing.join(", "),
            Problem::Missing.text()
        ));
    }
    messages
}

/// Parses one row; on failure, every problem found is in `problems` with its column.
fn parse_row<'r>(
    record: &'r csv::ByteRecord,
    columns: &Columns,
    standard: &Standard,
    problems: &mut Vec<(usize, Problem)>,
) -> Option<(&'r [u8], Area, Evidence, IndicatorSet)> {
    let id = field(record, columns.household_id, problems);
    let area = field(record, columns.area, problems);
    // A short row that stops before an optional column leaves it empty, as a spreadsheet
    // does when the last cells of a row are blank.
    let optional = |column: usize| {
        (
            column,
            Some(record.get(column).unwrap_or_default().trim_ascii()),
        )
    };
    let income = columns.income.map(optional);
    let score = columns.score_a.map(optional);
    let mut deprived = IndicatorSet::EMPTY;
    for &(column, index) in &columns.indicators {
        match field(record, column, problems) {
            Some(b"1") => deprived.insert(index),
            Some(b"0") | None => {}
            Some(_) => problems.push((column, Problem::NotATick)),
        }
    }

    match id {
        Some([]) => problems.push((columns.household_id, Problem::EmptyId)),
        Some(bytes) if std::str::from_utf8(bytes).is_err() => {
            problems.push((columns.household_id, Problem::NotUtf8));
        }
        _ => {}
    }
    let area = match area {
        Some(b"rural") => Some(Area::Rural),
        Some(b"urban") => Some(Area::Urban),
        Some(_) => {
            problems.push((columns.area, Problem::UnknownArea));
            None
        }
        None => None,
    };
    // `Err` when the field is unreadable (already reported), `Ok(None)` when the column
    // is absent from the file or the field is empty.
    let mut number = |column_value: Option<(usize, Option<&[u8]>)>| -> Result<Option<u64>, ()> {
        let Some((column, Some(value))) = column_value else {
            return Ok(None);
        };
        if value.is_empty() {
            return Ok(None);
        }
        match parse_integer(value) {
            Some(parsed) => Ok(Some(parsed)),
            None => {
                problems.push((column, Problem::NotAnInteger));
                Err(())
            }
        }
    };
    let income = number(income);
    let score = number(score);
    // When score A is present it alone decides the income test (the contract).
    let evidence = match (score, income) {
        (Err(()), _) | (_, Err(())) => None,
        (Ok(Some(score)), _) => {
            let column = columns.score_a.expect("a score comes from its column");
            match u32::try_from(score) {
                Ok(score) if standard.has_score_a() => Some(Evidence::ScoreA(score)),
                Ok(_) => {
                    problems.push((column, Problem::ScoreNotUsed));
                    None
                }
                Err(_) => {
                    problems.push((column, Problem::NotAnInteger));
                    None
                }
            }
        }
        (Ok(None), Ok(Some(income))) => Some(Evidence::Income(income)),
        (Ok(None), Ok(None)) => {
            let column = columns
                .income
                .or(columns.score_a)
                .expect("checked in the header");
            problems.push((column, Problem::NoIncomeNorScore));
            None
        }
    };
    if !problems.is_empty() {
        return None;
    }
    Some((id?, area?, evidence?, deprived))
}

/// The trimmed field of `column`, or `None` (and a problem) when the row is too short.
fn field<'r>(
    record: &'r csv::ByteRecord,
    column: usize,
    problems: &mut Vec<(usize, Problem)>,
) -> Option<&'r [u8]> {
    let value = record.get(column);
    if value.is_none() {
        problems.push((column, Problem::Missing));
    }
    value.map(<[u8]>::trim_ascii)
}

/// A non-negative integer of ASCII digits, without allocation.
fn parse_integer(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u64, |value, &byte| {
        let digit = byte.checked_sub(b'0').filter(|digit| *digit <= 9)?;
        value.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// An output file written under a temporary name beside its destination and renamed
/// over it only when complete, so that a fatal error never leaves a partial file. The
/// temporary file is removed if the command stops before [`PendingFile::persist`].
struct PendingFile {
    temporary: PathBuf,
    destination: PathBuf,
    persisted: bool,
}

impl PendingFile {
    fn create(destination: &Path) -> Result<PendingFile> {
        let dir = match destination.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = destination.file_name().ok_or_else(|| {
            anyhow!(
                "tệp kết quả không hợp lệ (invalid output path) {}",
                destination.display()
            )
        })?;
        let temporary = dir.join(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        File::create(&temporary).with_context(|| {
            format!(
                "không tạo được tệp kết quả (cannot create the output) {}",
                temporary.display()
            )
        })?;
        Ok(PendingFile {
            temporary,
            destination: destination.to_path_buf(),
            persisted: false,
        })
    }

    fn writer(&self) -> Result<io::BufWriter<File>> {
        let file = File::options()
            .write(true)
            .truncate(true)
            .open(&self.temporary)
            .with_context(|| format!("cannot open {}", self.temporary.display()))?;
        Ok(io::BufWriter::with_capacity(1 << 16, file))
    }

    fn persist(mut self) -> Result<()> {
        std::fs::rename(&self.temporary, &self.destination).with_context(|| {
            format!(
                "không ghi được tệp kết quả (cannot write the output) {}",
                self.destination.display()
            )
        })?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.persisted {
            // Best effort: the error that brought us here is the one worth reporting.
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_plain_ascii_digits() {
        assert_eq!(parse_integer(b"1500000"), Some(1_500_000));
        assert_eq!(parse_integer(b"0"), Some(0));
        assert_eq!(parse_integer(b""), None);
        assert_eq!(parse_integer(b"-1"), None);
        assert_eq!(parse_integer(b"1.500.000"), None);
        assert_eq!(parse_integer(b"99999999999999999999999"), None);
    }
}
