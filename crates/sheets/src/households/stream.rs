//! A households CSV read as a stream, for the command line's import of files of any size
//! (a province's register is hundreds of megabytes).
//!
//! The rows are read by the same [`Assembler`] as a whole file, with the same checks and
//! messages, but a household is handed out as soon as its last row is read, so memory
//! holds one household, not the file. That needs a household's rows to be adjacent,
//! which the template and every export give; a household whose rows are split is refused
//! naming the line, since it could otherwise be loaded twice. Only two compact sets grow
//! with the file: a 16-byte fingerprint per household key and the citizen IDs as numbers,
//! both needed to find duplicates across the whole file.

use super::{Assembler, Building, ImportedHousehold, In, household_draft};
use crate::error::SheetErrors;
use giamngheo_domain::household::CitizenId;
use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, BufReader, Read};

/// What a streamed read keeps besides the household being assembled.
pub(super) struct StreamState {
    /// The fingerprint of every household key (village, code) already started.
    seen: HashSet<u128>,
    /// Households complete and not yet handed out.
    ready: VecDeque<ImportedHousehold>,
}

/// A citizen ID as a number: it is twelve digits, so the number is exact.
pub(super) fn citizen_key(id: &CitizenId) -> u64 {
    id.as_str().parse().expect("a citizen ID is twelve digits")
}

/// Two independent 64-bit hashes of a household key. Two different keys share one only
/// with a chance of about 2⁻¹²⁸ per pair, far below any file's size.
fn fingerprint(key: &(String, String)) -> u128 {
    let half = |salt: u8| {
        let mut h = DefaultHasher::new();
        salt.hash(&mut h);
        key.hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

impl Assembler {
    /// Called with each row's household key before the row is added: a new key completes
    /// the household being assembled; a key seen before, not the current one, means the
    /// household's rows are split.
    pub(super) fn stream_next_key(&mut self, key: &(String, String), line: u64) {
        if self.by_key.contains_key(key) {
            return;
        }
        let state = self.stream.as_mut().expect("streaming");
        if !state.seen.insert(fingerprint(key)) {
            self.errors.push(
                line,
                "household_code",
                format!(
                    "các dòng của hộ {} (thôn {}) phải nằm liền nhau; dòng này tách khỏi các dòng trước của hộ",
                    key.1, key.0
                ),
            );
        }
        self.flush_current();
    }

    /// Moves the household being assembled to the ready queue.
    fn flush_current(&mut self) {
        self.by_key.clear();
        let state = self.stream.as_mut().expect("streaming");
        for b in self.households.drain(..) {
            let Building {
                line,
                values,
                members,
                member_lines,
            } = b;
            state.ready.push_back(ImportedHousehold {
                line,
                member_lines,
                draft: household_draft(values, members),
            });
        }
    }
}

/// The physical line of each record. The csv reader's line is where the previous record
/// ended, before the blank lines it skips (see [`crate::error::Lines`]); this reader
/// notes every run of two or more line ends as the bytes pass, so that the lines skipped
/// can be added without holding the file. Runs behind the reader are dropped.
struct LineEnds<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// The run of CR/LF bytes being read: its start and bytes.
    run: Option<(u64, Vec<u8>)>,
    /// Finished runs with two or more line feeds, in file order.
    runs: VecDeque<(u64, Vec<u8>)>,
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' || b == b'\r' {
                self.run
                    .get_or_insert_with(|| (self.offset, Vec::new()))
                    .1
                    .push(b);
            } else if let Some(run) = self.run.take() {
                self.keep(run);
            }
            self.offset += 1;
        }
        if n == 0
            && let Some(run) = self.run.take()
        {
            self.keep(run);
        }
        Ok(n)
    }
}

impl<R> LineEnds<R> {
    fn keep(&mut self, run: (u64, Vec<u8>)) {
        if run.1.iter().filter(|&&b| b == b'\n').count() >= 2 {
            self.runs.push_back(run);
        }
    }

    /// The line where the record at `position` starts.
    fn line_of(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(p) = position else { return 0 };
        let at = p.byte();
        while self
            .runs
            .front()
            .is_some_and(|(start, bytes)| start + bytes.len() as u64 <= at)
        {
            self.runs.pop_front();
        }
        let skipped = match self.runs.front() {
            Some((start, bytes)) if *start <= at => {
                let from = usize::try_from(at - start).unwrap_or(usize::MAX);
                crate::error::leading_line_ends(bytes.get(from..).unwrap_or_default()).0
            }
            _ => 0,
        };
        p.line() + skipped
    }
}

/// A households CSV read one household at a time.
pub struct HouseholdStream<R: Read> {
    reader: csv::Reader<LineEnds<BufReader<R>>>,
    assembler: Assembler,
    record: csv::StringRecord,
    finished: bool,
}

impl<R: Read> HouseholdStream<R> {
    /// Reads the header; a file that is not a UTF-8 CSV with the required columns is
    /// refused here, with the same messages as a file read whole.
    pub fn open(input: R) -> Result<HouseholdStream<R>, SheetErrors> {
        let mut input = BufReader::with_capacity(1 << 16, input);
        let head = input
            .fill_buf()
            .map_err(|e| SheetErrors::single(1, "", format!("không đọc được tệp: {e}")))?;
        super::refuse_workbooks(head)?;
        // A file saved as UTF-16 gets the whole-file reader's one message. Other bytes
        // that are not UTF-8 are named by line as the rows are read.
        let probe = &head[..head.len().min(512)];
        if probe.starts_with(b"\xFF\xFE")
            || probe.starts_with(b"\xFE\xFF")
            || (probe.len() >= 4 && probe.iter().filter(|&&b| b == 0).count() * 4 >= probe.len())
        {
            super::decode_utf8(probe)?;
        }
        let bom = head.starts_with(b"\xEF\xBB\xBF");
        let first_line = {
            let start = if bom { 3 } else { 0 };
            let end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
            String::from_utf8_lossy(&head[start..end.max(start)]).into_owned()
        };
        if bom {
            input.consume(3);
        }
        let delimiter = super::delimiter_of(&first_line);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(1 << 16)
            .from_reader(LineEnds {
                inner: input,
                offset: 0,
                run: None,
                runs: VecDeque::new(),
            });
        let mut record = csv::StringRecord::new();
        let mut assembler = loop {
            match reader.read_record(&mut record) {
                Ok(false) => return Err(SheetErrors::single(1, "", "tệp trống")),
                Ok(true) if record.iter().all(|c| c.trim().is_empty()) => continue,
                Ok(true) => {
                    let line = reader.get_mut().line_of(record.position()).max(1);
                    break Assembler::new(line, record.iter().map(Cow::Borrowed))?;
                }
                Err(e) => {
                    let line = reader.get_mut().line_of(e.position()).max(1);
                    return Err(SheetErrors::single(line, "", csv_reason(&e)));
                }
            }
        };
        assembler.stream = Some(StreamState {
            seen: HashSet::new(),
            ready: VecDeque::new(),
        });
        Ok(HouseholdStream {
            reader,
            assembler,
            record,
            finished: false,
        })
    }

    /// The next complete household, or `None` at the end of the file. Reading goes on
    /// after a problem, so that [`HouseholdStream::finish`] lists all of them; what a
    /// household with a problem holds is not to be written.
    pub fn next_household(&mut self) -> Option<ImportedHousehold> {
        loop {
            let state = self.assembler.stream.as_mut().expect("streaming");
            if let Some(h) = state.ready.pop_front() {
                return Some(h);
            }
            if self.finished {
                return None;
            }
            match self.reader.read_record(&mut self.record) {
                Ok(false) => {
                    self.finished = true;
                    self.assembler.flush_current();
                }
                Ok(true) => {
                    let line = self.reader.get_mut().line_of(self.record.position());
                    let cells: Vec<In<'_>> = self.record.iter().map(In::Text).collect();
                    if !self.assembler.row(line, &cells) {
                        self.finished = true;
                        self.assembler.flush_current();
                    }
                }
                Err(e) => {
                    let line = self.reader.get_mut().line_of(e.position());
                    if !self.assembler.errors.push(line, "", csv_reason(&e)) {
                        self.finished = true;
                    }
                }
            }
        }
    }

    /// True once any problem was found: the file will be refused.
    pub fn has_problems(&self) -> bool {
        !self.assembler.errors.is_empty()
    }

    /// How far into the file the reader is, in bytes.
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }

    /// The member rows read so far.
    pub fn rows(&self) -> usize {
        self.assembler.rows
    }

    /// The problems found, once every household was read.
    pub fn finish(mut self) -> Result<usize, SheetErrors> {
        while self.next_household().is_some() {}
        if self.assembler.rows == 0 && self.assembler.errors.is_empty() {
            self.assembler.errors.push(
                self.assembler.header_line + 1,
                "",
                "tệp không có dòng dữ liệu nào",
            );
        }
        if self.assembler.errors.is_empty() {
            Ok(self.assembler.rows)
        } else {
            Err(self.assembler.errors)
        }
    }
}

/// The reason of a reader error, worded as for a file read whole.
fn csv_reason(e: &csv::Error) -> String {
    crate::error::csv_error(e, &crate::error::Lines::new(&[])).reason
}
