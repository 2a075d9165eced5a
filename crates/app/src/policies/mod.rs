//! Support policies (issue 14): agencies' list imports with their match queue, and the
//! findings on the benefits.

pub mod findings;
pub mod imports;
pub mod lists;
