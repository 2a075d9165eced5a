//! Reading and writing the files officials exchange: CSV now, .xlsx as reports arrive.
//!
//! Every problem found in a file is reported with its line (1 = the header line) and
//! column name, so the person who made the file can fix it without guessing.

pub mod benefit_lists;
pub mod csv_out;
pub mod error;
pub mod export;
pub mod households;
pub mod limits;
pub mod pdf;
pub mod periodic;
pub mod policies;
pub mod programme;
pub mod reform;
pub mod reports;
pub mod submissions;
pub mod testing;
pub mod units;
pub mod xlsform;

pub use error::{CellError, SheetErrors};
