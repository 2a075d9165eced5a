//! The use cases of giamngheo, shared by the web pages, the JSON API, the command line and
//! background jobs. Handlers and commands call these functions; none of them talks to the
//! store directly, so every rule (validation, and from the registry on, access) is
//! applied in one place.

pub mod access;
pub mod agencies;
pub mod auth;
pub mod awaiting;
pub mod basis;
pub mod bulk_import;
pub mod clock;
pub mod dashboard;
pub mod demo;
pub mod demo_national;
pub mod error;
pub mod export;
pub mod facts;
pub mod files;
pub mod household_codes;
pub mod households;
pub mod imports;
pub mod inspections;
mod matching;
pub mod passwords;
pub mod periodic;
pub mod policies;
pub mod print_wording;
pub mod programme;
pub mod reform;
pub mod reporting;
pub mod reports;
pub mod review_letters;
pub mod reviews;
pub mod survey;
pub mod targets;
pub mod tasks;
pub mod throttle;
pub mod unit_retire;
pub mod units;
pub mod users;
pub mod village_assignment;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AppError, OVERLOAD_RETRY_AFTER_SECS};
/// The rules engine, for the layers above that show its statuses and deadlines.
pub use giamngheo_rules as rules;

use giamngheo_domain::Hierarchy;
use giamngheo_store::Store;
use std::sync::{Arc, Mutex, MutexGuard};

/// Configuration the use cases need.
#[derive(Clone)]
pub struct Config {
    /// The administrative hierarchy in use (four or three levels).
    pub hierarchy: Hierarchy,
    /// The poverty standards: the embedded national ones plus any from a standards
    /// directory (a province's local standard, a corrected figure).
    pub standards: Arc<giamngheo_rules::StandardSet>,
    /// Working days and public holidays, for review deadlines.
    pub calendar: Arc<giamngheo_rules::Calendar>,
    /// The report definitions: the built-in ones, or those with an administrator's
    /// folder laid over them (`--reports-dir`), so a heading is corrected without a
    /// rebuild.
    pub reports: Arc<reports::ReportCatalog>,
    /// The support-policy catalogue: the embedded one, or with an administrator's folder
    /// laid over it (`--policies-dir`), so a ceiling or a rate is corrected without a
    /// rebuild.
    pub policies: Arc<giamngheo_rules::PolicyCatalogue>,
    /// The programme's structures, funding sources and allocation coefficients: the
    /// embedded ones, or with an administrator's folder laid over them
    /// (`--programme-dir`).
    pub programme: Arc<giamngheo_rules::programme::ProgrammeSet>,
    /// The wording of the documents a review prints: the built-in one, or with an
    /// administrator's folder laid over it (`--forms-dir`), so a legal basis or a
    /// signature title is corrected without a rebuild.
    pub wording: Arc<print_wording::Wording>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            hierarchy: Hierarchy::default(),
            standards: Arc::new(giamngheo_rules::StandardSet::embedded()),
            calendar: Arc::new(giamngheo_rules::Calendar::embedded()),
            reports: Arc::new(reports::catalog().clone()),
            policies: Arc::new(giamngheo_rules::PolicyCatalogue::embedded()),
            programme: Arc::new(giamngheo_rules::programme::ProgrammeSet::embedded()),
            wording: Arc::new(print_wording::Wording::default()),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("hierarchy", &self.hierarchy.to_string())
            .field("standards", &self.standards.ids().collect::<Vec<_>>())
            .finish()
    }
}

/// The application: the store, the configuration and the clock.
#[derive(Clone)]
pub struct App {
    store: Store,
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    /// Failed sign-ins, shared by every clone of the app.
    limiter: Arc<Mutex<throttle::LoginLimiter>>,
    /// Places for imports running at once, shared by every clone of the app.
    imports: Arc<tokio::sync::Semaphore>,
}

impl App {
    pub fn new(store: Store, config: Config, clock: Arc<dyn Clock>) -> App {
        App {
            store,
            config: Arc::new(config),
            clock,
            limiter: Arc::default(),
            imports: imports::slots(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn hierarchy(&self) -> &Hierarchy {
        &self.config.hierarchy
    }

    /// The report definitions this application computes.
    pub fn catalog(&self) -> &reports::ReportCatalog {
        &self.config.reports
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    fn limiter(&self) -> MutexGuard<'_, throttle::LoginLimiter> {
        // The limiter holds no invariant a panic could break halfway, so a poisoned lock
        // is still usable.
        self.limiter.lock().unwrap_or_else(|e| e.into_inner())
    }
}
