//! Domain values shared by every layer of giamngheo.
//!
//! This crate is pure: no I/O, no async. Values are validated when they are built
//! ("parse, don't validate"), so code that holds one never checks it again.

pub mod area;
pub mod household;
pub mod review;
pub mod text;
pub mod unit;

pub use area::Area;
pub use unit::{AdminUnit, Hierarchy, Tier, UnitCode, UnitFlags, UnitKind};
