//! Classifying many households at once from columnar input, in parallel.

use crate::classify::{ClassifyError, Evidence, IndicatorSet, decide};
use crate::standard::Standard;
use crate::status::Status;
use giamngheo_domain::Area;
use rayon::prelude::*;

/// Households as columns (struct of arrays): the layout a bulk load or a report job
/// builds, and the one that lets the whole country be classified in about a second.
/// The three columns have one entry per household, in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdColumns {
    pub area: Vec<Area>,
    pub evidence: Vec<Evidence>,
    pub deprived: Vec<IndicatorSet>,
}

impl HouseholdColumns {
    pub fn with_capacity(capacity: usize) -> Self {
        HouseholdColumns {
            area: Vec::with_capacity(capacity),
            evidence: Vec::with_capacity(capacity),
            deprived: Vec::with_capacity(capacity),
        }
    }

    pub fn push(&mut self, area: Area, evidence: Evidence, deprived: IndicatorSet) {
        self.area.push(area);
        self.evidence.push(evidence);
        self.deprived.push(deprived);
    }

    pub fn len(&self) -> usize {
        self.area.len()
    }

    pub fn is_empty(&self) -> bool {
        self.area.is_empty()
    }
}

/// How many households got each status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusCounts {
    pub poor: u64,
    pub near_poor: u64,
    pub medium: u64,
    pub not_poor: u64,
}

impl StatusCounts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Poor => self.poor += 1,
            Status::NearPoor => self.near_poor += 1,
            Status::Medium => self.medium += 1,
            Status::NotPoor => self.not_poor += 1,
        }
    }

    fn merge(mut self, other: StatusCounts) -> StatusCounts {
        self.poor += other.poor;
        self.near_poor += other.near_poor;
        self.medium += other.medium;
        self.not_poor += other.not_poor;
        self
    }

    pub fn total(&self) -> u64 {
        self.poor + self.near_poor + self.medium + self.not_poor
    }
}

/// The result of a batch, as columns in the input's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOutcome {
    pub status: Vec<Status>,
    pub deprivation_count: Vec<u8>,
    pub counts: StatusCounts,
}

/// A household of a batch that could not be classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("hộ thứ {index} (household at index {index}): {error}")]
pub struct BatchError {
    pub index: usize,
    pub error: ClassifyError,
}

/// Households per parallel task: large enough that scheduling costs nothing, small enough
/// that both cores stay busy to the end.
const CHUNK: usize = 64 * 1024;

/// Classifies every household of `columns` under `standard`, using all cores.
///
/// Score B is `deprivation_count × standard.points_per_indicator()`; it is not stored
/// per household to keep the result small. Fails on the first household (lowest index)
/// that cannot be classified, e.g. a score A under a standard without a threshold.
///
/// # Panics
/// When the columns have different lengths, which is a caller's bug.
pub fn classify_columns(
    standard: &Standard,
    columns: &HouseholdColumns,
) -> Result<BatchOutcome, BatchError> {
    let n = columns.len();
    assert!(
        columns.evidence.len() == n && columns.deprived.len() == n,
        "household columns differ in length"
    );
    let mut status = vec![Status::NotPoor; n];
    let mut deprivation_count = vec![0u8; n];
    let counts = status
        .par_chunks_mut(CHUNK)
        .zip(deprivation_count.par_chunks_mut(CHUNK))
        .enumerate()
        .map(|(chunk, (status_out, count_out))| {
            let start = chunk * CHUNK;
            let end = start + status_out.len();
            let mut counts = StatusCounts::default();
            let rows = columns.area[start..end]
                .iter()
                .zip(&columns.evidence[start..end])
                .zip(&columns.deprived[start..end]);
            for (offset, ((area, evidence), deprived)) in rows.enumerate() {
                let decision =
                    decide(standard, *area, *evidence, *deprived).map_err(|error| BatchError {
                        index: start + offset,
                        error,
                    })?;
                status_out[offset] = decision.status;
                count_out[offset] = decision.deprivation_count;
                counts.add(decision.status);
            }
            Ok::<_, BatchError>(counts)
        })
        .try_reduce(StatusCounts::default, |a, b| Ok(a.merge(b)));
    // `try_reduce` may stop at any failing chunk; report the lowest index so that the
    // error does not depend on thread timing.
    let counts = match counts {
        Ok(counts) => counts,
        Err(_) => return Err(first_error(standard, columns)),
    };
    Ok(BatchOutcome {
        status,
        deprivation_count,
        counts,
    })
}

fn first_error(standard: &Standard, columns: &HouseholdColumns) -> BatchError {
    (0..columns.len())
        .find_map(|index| {
            decide(
                standard,
                columns.area[index],
                columns.evidence[index],
                columns.deprived[index],
            )
            .err()
            .map(|error| BatchError { index, error })
        })
        .expect("a failed batch has a failing household")
}
