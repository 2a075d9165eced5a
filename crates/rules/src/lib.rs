//! Poverty standards and the household classification engine of giamngheo.
//!
//! Every status the product gives comes from here, and follows the rules of
//! `shared/domain/standards.md`:
//!
//! - **Standards are data.** `vn-2016`, `vn-2022` and `vn-2027` are TOML files embedded in
//!   the binary (`standards/`). Each figure carries its legal source and a `to_confirm`
//!   mark. A province's higher local standard, or a corrected figure, is a file in a
//!   standards directory ([`StandardSet::with_dir`]); nothing is a constant in code.
//! - **Classification with reasons** ([`classify`]): status, deprivation count, score B
//!   and the reasons in Vietnamese and English. [`Standard::decide`] gives the same result
//!   without allocating, for streaming; [`classify_columns`] classifies columnar batches
//!   on all cores.
//! - **Deprivations from member facts** ([`derive_deprivations`]), with the places where
//!   the form's ticks disagree.
//! - **Transitions** between two periods ([`transition`]) and the `recently_escaped` flag.
//! - **Form B1 point tables** ([`PointTable`]) that compute score A from item answers.
//! - **Support policies as data** ([`PolicyCatalogue`], embedded `policies/*.toml`) and who
//!   is eligible on a date ([`eligible`]) over the classification in force then.
//! - **The programme as data** ([`programme`]): projects, funding sources and the
//!   allocation coefficients of each programme period, with the suggested allocation.
//! - **Working days** ([`Calendar`]): weekends and the yearly public holidays (embedded
//!   `calendar/vn-holidays.toml`), for posting, complaint and review deadlines.
//!
//! The crate is pure: no async, no database, no network. The one exception is
//! [`StandardSet::with_dir`], which reads the `*.toml` files of a directory with
//! `std::fs`; the parsing itself ([`Standard::parse`], [`StandardSet::add_files`],
//! [`PointTable::parse`]) takes text, so callers that hold the files elsewhere (a
//! database, an upload) never touch the file system through this crate.

mod batch;
mod calendar;
mod classify;
mod derive;
mod figure;
mod money;
mod points;
mod policy;
mod policy_eligibility;
mod policy_narrowing;
pub mod programme;
mod recurrence;
mod review_window;
mod sample;
mod standard;
mod status;
mod transition;

pub use batch::{BatchError, BatchOutcome, HouseholdColumns, StatusCounts, classify_columns};
pub use calendar::{
    Calendar, CalendarError, CalendarYear, DayKind, DeadlineStatus, SpecialDay, Term,
};
pub use classify::{
    Classification, ClassifyError, Decision, DeprivedIndicators, Evidence, HouseholdInput,
    IncomePosition, IndicatorSet, Reason, classify,
};
pub use derive::{
    DeriveRule, DerivedTick, DerivedTicks, Device, Devices, Disagreement, Employment,
    HealthInsurance, HouseholdFacts, MemberFacts, Qualification, Service, age_on,
    derive_deprivations,
};
pub use figure::Figure;
pub use money::{Lang, grouped, write_grouped};
pub use points::{
    Answer, Band, PointError, PointItem, PointTable, ResolvedScoreA, Scoring, resolve_score_a,
};
pub use policy::{
    Beneficiary, Eligibility, MemberRule, Policy, PolicyCatalogue, PolicyError, PolicyKind,
    QuantityUnit, Terms, UnitFlag,
};
pub use policy_eligibility::{
    Eligible, HouseholdTraits, MemberTraits, StatusChange, StatusHistory, eligible,
    household_eligible, member_meets,
};
pub use policy_narrowing::{MemberNarrowing, Narrowing, narrowing};
pub use recurrence::{Recurrence, RecurrenceError};
pub use review_window::{DayOfYear, PeriodicWindow};
pub use sample::{ClassFacts, changed_facts, draw as draw_sample};
pub use standard::{
    AreaLines, IncomeRule, Indicator, MAX_INDICATORS, Origin, Period, Standard, StandardError,
    StandardSet, UnknownIndicator,
};
pub use status::{ParseStatusError, Status};
pub use transition::{PeriodStatus, Transition, TransitionKind, TransitionWindows, transition};
