//! The command line's import of a households CSV of any size (a province's register):
//! streamed, loaded in batches through the store's fast path, resumable after a kill.
//!
//! The file is read three times, never held:
//! 1. its SHA-256, which names the import run and so finds what an earlier, killed run of
//!    the same file committed;
//! 2. a checking pass, with every check of an import read whole (each row's fields, the
//!    villages and the writer's access, household codes and citizen IDs against the file
//!    and the database) and the same messages with line and column. Any problem refuses
//!    the file before anything is written, as before;
//! 3. the loading pass, in batches of [`BulkOptions::batch_households`] households, each
//!    in one transaction that also records how many households of the file are
//!    committed. A re-run skips those: the households an earlier run committed are
//!    neither checked against the database again (they are there, put by that run) nor
//!    written twice.
//!
//! Reading and parsing run on a thread of their own, a batch ahead of the database, so
//! that the two cores share the work. Memory holds two batches, the villages of the file
//! and two compact sets for duplicates (see `giamngheo_sheets::households::stream`).
//! Between the check and the load another writer may save a household code or citizen ID
//! of the file; the unique index then refuses that batch whole, the batches before it stay
//! committed, and a re-run names the row.

use crate::households::{By, CheckCache, DraftInput, Problems, new_households};
use crate::{App, AppError};
use giamngheo_sheets::SheetErrors;
use giamngheo_sheets::households::ImportedHousehold;
use giamngheo_sheets::households::stream::HouseholdStream;
use giamngheo_store::{RunMark, StoreError};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};

/// How a bulk import runs.
#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Households per transaction.
    pub batch_households: usize,
    /// Stop after this many batches of this run, as if the process were killed there;
    /// for the tests and for measuring a resume.
    pub stop_after_batches: Option<usize>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            batch_households: 2_000,
            stop_after_batches: None,
        }
    }
}

/// Which pass a progress report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkStage {
    Hashing,
    Checking,
    Loading,
}

/// How far a pass is, in bytes of the file.
#[derive(Debug, Clone, Copy)]
pub struct BulkProgress {
    pub stage: BulkStage,
    pub bytes: u64,
    pub households: u64,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkSummary {
    /// Households in the file.
    pub households: u64,
    /// Member rows in the file.
    pub members: u64,
    /// Households an earlier run had committed, skipped by this one.
    pub already_committed: u64,
    /// Households this run committed.
    pub loaded: u64,
    /// False when the run stopped early ([`BulkOptions::stop_after_batches`]).
    pub complete: bool,
}

/// What the reading thread sends: a batch, with how far into the file it ends.
enum Chunk {
    Batch(Vec<ImportedHousehold>, u64),
    End(Result<usize, SheetErrors>),
}

/// Reads `path` on a blocking thread and sends its households in batches; two batches
/// wait at most, so memory stays flat however fast the file is read.
fn read_batches(path: PathBuf, batch: usize) -> tokio::sync::mpsc::Receiver<Chunk> {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::task::spawn_blocking(move || {
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) => {
                let _ = tx.blocking_send(Chunk::End(Err(SheetErrors::single(
                    1,
                    "",
                    format!("không đọc được tệp: {e}"),
                ))));
                return;
            }
        };
        let mut stream = match HouseholdStream::open(file) {
            Ok(s) => s,
            Err(e) => {
                let _ = tx.blocking_send(Chunk::End(Err(e)));
                return;
            }
        };
        let mut current = Vec::with_capacity(batch);
        while let Some(h) = stream.next_household() {
            current.push(h);
            if current.len() == batch {
                let full = std::mem::replace(&mut current, Vec::with_capacity(batch));
                if tx
                    .blocking_send(Chunk::Batch(full, stream.bytes_read()))
                    .is_err()
                {
                    return;
                }
            }
        }
        if !current.is_empty()
            && tx
                .blocking_send(Chunk::Batch(current, stream.bytes_read()))
                .is_err()
        {
            return;
        }
        let _ = tx.blocking_send(Chunk::End(stream.finish()));
    });
    rx
}

/// The SHA-256 of a file, read in blocks.
fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn drafts(batch: Vec<ImportedHousehold>) -> Vec<DraftInput> {
    batch
        .into_iter()
        .map(|h| DraftInput {
            line: Some(h.line),
            member_lines: h.member_lines,
            draft: h.draft,
        })
        .collect()
}

/// A 128-bit fingerprint of a commune and household code, for codes repeated across
/// batches (two villages of one commune); see the stream's own fingerprint.
fn code_fingerprint(commune: &str, code: &str) -> u128 {
    let half = |salt: u8| {
        let mut h = DefaultHasher::new();
        (salt, commune, code).hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

impl App {
    /// Imports a households CSV file by streaming it (see the module's notes). A file
    /// with any problem is refused whole with [`AppError::File`] and writes nothing.
    pub async fn import_households_bulk(
        &self,
        by: By<'_>,
        path: &Path,
        options: &BulkOptions,
        progress: &(dyn Fn(BulkProgress) + Sync),
    ) -> Result<BulkSummary, AppError> {
        let _slot = self.import_slot()?;
        let batch = options.batch_households.max(1);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let source = format!("import: {name}");
        let owned = path.to_path_buf();
        let hash = crate::imports::off_the_async_threads(move || file_sha256(&owned))
            .await
            .map_err(|e| AppError::invalid("file", format!("không đọc được tệp {name}: {e}")))?;
        progress(BulkProgress {
            stage: BulkStage::Hashing,
            bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            households: 0,
        });
        let earlier = self.store().import_run(&hash).await?;
        let done = earlier.as_ref().map_or(0, |r| r.households_done as u64);

        // The checking pass.
        let mut cache = CheckCache::default();
        let mut problems = Problems::new();
        let mut codes: HashMap<u128, u64> = HashMap::new();
        let mut households = 0u64;
        let mut members = 0u64;
        let mut batches = read_batches(path.to_path_buf(), batch);
        let sheet_result = loop {
            match batches.recv().await {
                Some(Chunk::Batch(b, bytes)) => {
                    let first = households;
                    households += b.len() as u64;
                    members += b.iter().map(|h| h.member_lines.len() as u64).sum::<u64>();
                    progress(BulkProgress {
                        stage: BulkStage::Checking,
                        bytes,
                        households,
                    });
                    if problems.full() {
                        continue;
                    }
                    // The households an earlier run committed are in the database by
                    // that run's doing: checking them against it would find themselves.
                    let skip = done.saturating_sub(first).min(b.len() as u64) as usize;
                    let mut inputs = drafts(b).split_off(skip);
                    self.check_drafts(by, &mut inputs, &mut cache, &mut problems)
                        .await?;
                    for input in &inputs {
                        let Some(commune) = cache.commune_of(&input.draft.village_code) else {
                            continue;
                        };
                        let line = input.line.unwrap_or(0);
                        let key = code_fingerprint(commune, &input.draft.code);
                        if let Some(first) = codes.get(&key).copied() {
                            if first != line {
                                problems.add(
                                    input,
                                    None,
                                    "household_code",
                                    format!(
                                        "mã hộ {} trùng với hộ ở dòng {first}",
                                        input.draft.code
                                    ),
                                );
                            }
                        } else {
                            codes.insert(key, line);
                        }
                    }
                }
                Some(Chunk::End(result)) => break result,
                // The reading thread ended without its last word: it panicked.
                None => {
                    return Err(AppError::invalid(
                        "file",
                        format!("không đọc hết được tệp {name}"),
                    ));
                }
            }
        };
        // As for a file read whole: the file's own problems first; the checks against the
        // database only when the file itself is sound.
        sheet_result.map_err(AppError::File)?;
        problems.into_result()?;
        drop(codes);

        let run = self
            .store()
            .start_import_run(&hash, &name, households as i64, self.clock().now())
            .await?;
        let mut summary = BulkSummary {
            households,
            members,
            already_committed: done,
            loaded: 0,
            complete: true,
        };
        if run.finished_at.is_some() || done >= households {
            self.store()
                .finish_import_run(&hash, self.clock().now())
                .await?;
            return Ok(summary);
        }

        // The loading pass.
        let mut batches = read_batches(path.to_path_buf(), batch);
        let mut seen = 0u64;
        let mut committed = done;
        let mut batches_done = 0usize;
        // The reader's last word (its result) was had in the checking pass.
        while let Some(Chunk::Batch(b, bytes)) = batches.recv().await {
            let first = seen;
            seen += b.len() as u64;
            let skip = done.saturating_sub(first).min(b.len() as u64) as usize;
            if skip == b.len() {
                continue;
            }
            if options.stop_after_batches == Some(batches_done) {
                summary.complete = false;
                break;
            }
            let mut inputs = drafts(b).split_off(skip);
            // The draft checks also tidy the drafts (as for a file read whole); the
            // rest was checked in the first pass.
            let today = self.clock().today();
            for input in inputs.iter_mut() {
                let _ = input.draft.check(today);
            }
            let new = new_households(by, &inputs, &cache, &source, self.clock().now());
            committed += new.len() as u64;
            let mark = RunMark {
                file_sha256: &hash,
                households_done: committed as i64,
            };
            match self
                .store()
                .load_households(&new, self.clock().now(), Some(mark))
                .await
            {
                Ok(_) => {}
                Err(StoreError::Duplicate(key)) => {
                    return Err(AppError::Conflict(format!(
                        "{}: dữ liệu vừa được người khác lưu trong lúc nhập; {} hộ đầu của tệp đã được ghi, hãy chạy lại lệnh để biết dòng trùng",
                        key.message(),
                        committed - new.len() as u64
                    )));
                }
                Err(e) => return Err(e.into()),
            }
            batches_done += 1;
            summary.loaded += new.len() as u64;
            progress(BulkProgress {
                stage: BulkStage::Loading,
                bytes,
                households: committed,
            });
        }
        if summary.complete {
            self.store()
                .finish_import_run(&hash, self.clock().now())
                .await?;
        }
        tracing::info!(
            households = summary.loaded,
            skipped = summary.already_committed,
            "households bulk-imported"
        );
        // An import can multiply a table's size; the reports' plans need to know.
        self.store().refresh_statistics().await?;
        Ok(summary)
    }
}
