//! Storage for giamngheo on SQLite (the default, one file, no set-up) and PostgreSQL (for
//! production), behind one interface.
//!
//! Every query is written once in SQL that both backends accept (numbered `$1`
//! parameters, `ON CONFLICT`, no backend-only functions) and kept to what a distributed
//! PostgreSQL (Citus) can run. The [`with_pool!`] macro runs the same body against
//! whichever pool is open, so the two backends cannot drift apart; where the schema needs
//! different column types, each backend has its own migrations folder.

mod benefit_findings;
mod benefit_imports;
mod benefit_writes;
mod benefits;
mod bulk;
mod certificate_issues;
pub mod citus;
mod claims;
mod coverage;
mod coverage_candidates;
mod coverage_spans;
mod error;
mod finding_facts;
mod homes;
mod households;
mod in_list;
mod inspections;
mod letters;
mod maintenance;
mod periodic;
mod programme;
mod programme_activities;
mod programme_beneficiary_queue;
mod rebase;
mod reform;
mod report_rollup;
mod reports;
mod review_surveys;
mod reviews;
mod rollup;
mod survey;
mod tasks;
#[cfg(feature = "testing")]
pub mod testing;
mod units;
mod users;

pub use benefit_findings::{
    FindingRecord, HouseholdFact, MemberFact, NewFinding, PersonBenefit, StatusHistoryRow,
};
pub use benefit_imports::{
    BenefitTarget, ImportCounts, ImportedBenefit, ImportedBenefitRecord, MatchCandidate,
    NewBenefitImport, NewQueueRow, QueueRecord,
};
pub use benefits::{AgencyRecord, BenefitRecord, NewBenefit};
pub use bulk::{ImportRun, RunMark};
pub use certificate_issues::CertificateIssue;
pub use coverage::{
    CoverageHousehold, CoverageInputs, CoverageMember, CoverageNames, CoverageQuery,
};
pub use coverage_candidates::{CandidateFilter, MemberFilter};
pub use coverage_spans::{
    CoverageSpan, SpanBenefit, SpanClassification, SpanSources, SpanState, SpanSum,
};
pub use error::{StoreError, UniqueKey};
pub use finding_facts::FactsOf;
pub use households::{
    AuditEntry, AuditFilter, AuditRecord, AuditScope, DuplicateRow, HouseholdFields,
    HouseholdFilter, HouseholdListRow, HouseholdRecord, HouseholdSort, ListNarrowing, ListTotal,
    MemberFields, MemberRecord, MemberSave, NewHousehold, Transfer, TransferSide, TransferSource,
    TransferTarget,
};
pub use inspections::{
    ClassFactsRow, InspectionRecord, MeetingCheckRow, NewInspection, ReviewCheckRow, SampleRow,
};
pub use letters::{NewRefusalLetter, RefusalLetterRecord};
pub use maintenance::{Integrity, sqlite_file};
pub use periodic::{PeriodicIssueRecord, PeriodicTextRecord};
pub use programme::{AllocationFlags, CommuneAllocationRow, EntryRecord, NewEntry, Recorder};
pub use programme_activities::{
    ActivityFields, ActivityRecord, BeneficiaryRecord, NewActivity, NewBeneficiary,
};
pub use programme_beneficiary_queue::{
    ActivityImportCounts, ActivityQueueRecord, NewActivityImport, NewActivityQueueRow,
};
pub use rebase::Rebase;
pub use reform::{
    ReformInput, ReformOutcome, SuccessionPair, UserMove, VillageAssignment, WaitingVillage,
};
pub use reports::{
    BoundaryRecord, Fact, HouseholdStatusRow, InsuranceCount, MovementGroup, ReportScope,
    TargetInput, TargetRecord,
};
pub use review_surveys::SurveyWrite;
pub use reviews::{
    ClassificationFields, ClassificationRecord, ComplaintRecord, MeetingRecord, MinutesFile,
    NewMeeting, NewReview, NewReviewHousehold, PostingRecord, ReviewHouseholdRecord, ReviewRecord,
    ReviewSummary, SurveyRecord, certificate_number, movement_pairs_statement,
};
pub use survey::{ReviewListItem, SubmissionRecord};
pub use tasks::{
    NewTask, NewTaskFile, NewTaskUpdate, TaskFile, TaskFileMeta, TaskRecord, TaskUpdateRecord,
};
pub use units::{NewVillage, UnitRecord, UnitSearchHit, UnitUpdate, UnitUpsert, UnitVersion};
pub use users::{NewSession, NewUser, SessionRecord, UserChange, UserRecord};

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the open pool, whichever backend it is.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// How many connections a store keeps and how long a caller waits for one.
///
/// A caller that waits longer than `acquire_timeout` gets [`StoreError::Overloaded`],
/// which the web server answers with 503 and `Retry-After`: the wait is bounded so that
/// a burst beyond capacity is shed with a clear answer instead of piling up.
#[derive(Debug, Clone, Copy)]
pub struct PoolLimits {
    pub postgres_connections: u32,
    pub sqlite_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolLimits {
    fn default() -> PoolLimits {
        PoolLimits {
            postgres_connections: 16,
            // SQLite serialises writers anyway; more readers than cores only add waiting.
            sqlite_connections: 8,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// A connection pool to the product's database.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// The integrity check run at server start, for the health check.
    integrity: Arc<OnceLock<Integrity>>,
    /// The distribution keys of the households read so far (see [`homes`]).
    homes: Arc<homes::HomeCache>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

impl Store {
    /// Opens a database by URL: `postgres://…` or `postgresql://…` for PostgreSQL;
    /// `sqlite://PATH`, `sqlite:PATH` or a plain file path for SQLite, with sqlx's query
    /// parameters (`?mode=ro`, `?mode=rw`, `?mode=rwc`). A missing SQLite file is created
    /// unless the URL gives a `mode`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, PoolLimits::default()).await
    }

    /// Opens a database as [`Store::connect`] does, with the pool's size and how long a
    /// request waits for one of its connections before it is told the server is busy.
    pub async fn connect_with(url: &str, limits: PoolLimits) -> Result<Store, StoreError> {
        if maintenance::is_postgres_url(url) {
            // JIT compilation pays off only for queries that run for seconds; ours are
            // index range scans and small writes, for which it adds 0,1–0,4 s whenever a
            // plan's estimated cost is high (as it is for a province report, or any
            // statement before the first ANALYZE). A URL can still turn it back on.
            let mut options = PgConnectOptions::from_str(url)?;
            if !url.contains("jit") {
                options = options.options([("jit", "off")]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(limits.postgres_connections)
                .acquire_timeout(limits.acquire_timeout)
                // Every query takes a connection from the pool on its own, and sqlx
                // pings each connection it hands out by default: a second round trip
                // per query, which under load doubled the waits in the pool's queue.
                // A connection the database has dropped (a restart) fails the query
                // that meets it instead of being replaced unseen: rare, and cheaper than
                // a round trip on every query.
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            Ok(Store {
                pool: Pool::Postgres(pool),
                integrity: Arc::default(),
                homes: Arc::default(),
            })
        } else {
            let target = maintenance::sqlite_target(url)?;
            // An in-memory database lives in one connection; a file shares WAL readers.
            let max = if target.in_memory {
                1
            } else {
                limits.sqlite_connections
            };
            let pool = SqlitePoolOptions::new()
                .max_connections(max)
                .acquire_timeout(limits.acquire_timeout)
                // The ping of each connection handed out is a round trip to the
                // connection's worker thread for nothing: a file does not go away.
                .test_before_acquire(false)
                .connect_with(target.options)
                .await?;
            Ok(Store {
                pool: Pool::Sqlite(pool),
                integrity: Arc::default(),
                homes: Arc::default(),
            })
        }
    }

    /// The statement opening a transaction that reads a household's distribution key
    /// before its first write. SQLite must take the write lock at once: a transaction that
    /// read first and then writes is refused ("database is locked") rather than made to
    /// wait when another writer is ahead of it.
    pub(crate) fn begin_writing(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "BEGIN IMMEDIATE",
            Pool::Postgres(_) => "BEGIN",
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.pool {
            Pool::Sqlite(_) => &SQLITE_MIGRATIONS,
            Pool::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    /// The newest schema version this binary knows.
    pub fn known_schema_version(&self) -> i64 {
        self.migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// The schema version the database is at, 0 for an empty database.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let exists_sql = match self.pool {
            Pool::Sqlite(_) => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Pool::Postgres(_) => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        let exists: i64 =
            with_pool!(self, pool => sqlx::query_scalar(exists_sql).fetch_one(pool).await?);
        if exists == 0 {
            return Ok(0);
        }
        let version: Option<i64> = with_pool!(self, pool => sqlx::query_scalar(
            "SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE"
        )
        .fetch_one(pool)
        .await?);
        Ok(version.unwrap_or(0))
    }

    /// Refuses a database written by a newer binary: running old code on a newer schema
    /// could silently drop what the newer version keeps.
    pub async fn check_schema(&self) -> Result<i64, StoreError> {
        let found = self.schema_version().await?;
        let known = self.known_schema_version();
        if found > known {
            return Err(StoreError::SchemaTooNew { found, known });
        }
        Ok(found)
    }

    /// Applies the migrations this binary knows; returns the schema version reached.
    /// On a database with the `citus` extension, the tables are then distributed (a
    /// table already placed is left alone, so a re-run does nothing): see [`citus`].
    pub async fn migrate(&self) -> Result<i64, StoreError> {
        self.check_schema().await?;
        with_pool!(self, pool => self.migrator().run(pool).await.map(|_| ())?);
        if let Pool::Postgres(pool) = &self.pool
            && citus::is_citus(pool).await?
        {
            citus::distribute(pool).await?;
        }
        self.schema_version().await
    }

    /// True when the database is a distributed PostgreSQL (Citus).
    pub async fn is_citus(&self) -> Result<bool, StoreError> {
        match &self.pool {
            Pool::Postgres(pool) => citus::is_citus(pool).await,
            Pool::Sqlite(_) => Ok(false),
        }
    }

    /// Applies the migrations up to `version` only, to test a later one on the data of
    /// an older schema.
    #[cfg(feature = "testing")]
    pub async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        with_pool!(self, pool => self.migrator().run_to(version, pool).await?);
        Ok(())
    }

    /// True when the schema is at the version this binary expects.
    pub async fn is_current(&self) -> Result<bool, StoreError> {
        Ok(self.check_schema().await? == self.known_schema_version())
    }

    /// Runs one administrative statement (used by tests to create and drop databases).
    #[cfg(feature = "testing")]
    pub async fn execute_admin(&self, sql: &str) -> Result<(), StoreError> {
        with_pool!(self, pool => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(pool)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// Runs one administrative query returning text (used by tests to list and copy
    /// tables).
    #[cfg(feature = "testing")]
    pub async fn admin_strings(&self, sql: &str) -> Result<Vec<String>, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(pool)
            .await?),
        )
    }

    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await);
    }

    /// Reads a setting.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Writes a setting.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }
}
