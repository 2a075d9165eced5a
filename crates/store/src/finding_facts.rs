//! The facts the policy checks read (benefits, classifications, members, households),
//! either of every household of a unit or of some households only: an import checks
//! just the households it wrote benefits for, instead of reading a whole province's
//! 1,9 million benefits and 3 million classifications after every list. Those households
//! are read in one statement per table on PostgreSQL (see [`crate::in_list`]).

use crate::benefit_imports::scope_column;
use crate::in_list::InList;
use crate::{
    HouseholdFact, ImportedBenefitRecord, MemberFact, StatusHistoryRow, Store, StoreError,
    with_pool,
};
use sqlx::{Database, Encode, QueryBuilder, Type};

/// Whose facts to read.
#[derive(Debug, Clone, Copy)]
pub enum FactsOf<'a> {
    /// Every household of the unit `code` of `tier` (`village`, `commune`, …).
    Unit { code: &'a str, tier: &'a str },
    /// These households (by id), wherever they are.
    Households(&'a [i64]),
}

/// One statement's share of a read: the unit at once, or a chunk of household ids.
enum Part<'a> {
    Unit(&'static str, &'a str),
    Ids(&'a [i64]),
}

impl<'a> FactsOf<'a> {
    /// The statements' shares: the unit at once, or the ids in lists of `chunk`.
    fn parts(self, chunk: usize) -> Result<Vec<Part<'a>>, StoreError> {
        Ok(match self {
            FactsOf::Unit { code, tier } => vec![Part::Unit(scope_column(tier)?, code)],
            FactsOf::Households(ids) => ids.chunks(chunk).map(Part::Ids).collect(),
        })
    }
}

/// Pushes the condition that the household `h` is in the part.
fn push_part<DB>(qb: &mut QueryBuilder<DB>, part: &Part<'_>)
where
    DB: Database + InList<i64>,
    for<'s> &'s str: Encode<'s, DB> + Type<DB>,
{
    match part {
        Part::Unit(column, code) => {
            qb.push(format!("h.{column} = ")).push_bind(*code);
        }
        Part::Ids(ids) => DB::push_in(qb, "h.id", ids),
    }
}

impl Store {
    /// The benefits not voided of the households of `of`, by id.
    pub async fn benefits_of(
        &self,
        of: FactsOf<'_>,
    ) -> Result<Vec<ImportedBenefitRecord>, StoreError> {
        let mut out: Vec<ImportedBenefitRecord> = Vec::new();
        for part in of.parts(self.in_list_chunk())? {
            let rows: Vec<ImportedBenefitRecord> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT b.id, b.home_province, b.household_id, b.member_id, b.policy, \
                            b.valid_from, b.valid_to, b.agency_code, b.reference, b.unit_code, \
                            b.province_code, b.import_id \
                     FROM benefits b JOIN households h \
                       ON h.home_province = b.home_province AND h.id = b.household_id \
                     WHERE b.voided_at IS NULL AND ",
                );
                push_part(&mut qb, &part);
                qb.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows);
        }
        out.sort_by_key(|b| b.id);
        Ok(out)
    }

    /// The benefits not voided of the households in a unit of `tier`, by id.
    pub async fn benefits_in(
        &self,
        unit_code: &str,
        tier: &str,
    ) -> Result<Vec<ImportedBenefitRecord>, StoreError> {
        self.benefits_of(FactsOf::Unit {
            code: unit_code,
            tier,
        })
        .await
    }

    /// The classifications of the households of `of`, in the order made.
    pub async fn status_history_of(
        &self,
        of: FactsOf<'_>,
    ) -> Result<Vec<StatusHistoryRow>, StoreError> {
        let mut out: Vec<StatusHistoryRow> = Vec::new();
        for part in of.parts(self.in_list_chunk())? {
            let rows: Vec<StatusHistoryRow> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT c.id, c.household_id, c.effective_date, c.status, c.supersedes \
                     FROM classifications c JOIN households h \
                       ON h.home_province = c.home_province AND h.id = c.household_id WHERE ",
                );
                push_part(&mut qb, &part);
                qb.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows);
        }
        out.sort_by_key(|c| c.id);
        Ok(out)
    }

    /// The classifications of the households of a unit of `tier`, in the order made.
    pub async fn status_history_in(
        &self,
        unit_code: &str,
        tier: &str,
    ) -> Result<Vec<StatusHistoryRow>, StoreError> {
        self.status_history_of(FactsOf::Unit {
            code: unit_code,
            tier,
        })
        .await
    }

    /// The members of the households of `of`, active or not.
    pub async fn member_facts_of(&self, of: FactsOf<'_>) -> Result<Vec<MemberFact>, StoreError> {
        let mut out = Vec::new();
        for part in of.parts(self.in_list_chunk())? {
            let rows: Vec<MemberFact> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT m.id, m.household_id, h.code AS household_code, m.citizen_id, \
                            m.active, m.birth_date, m.birth_year, m.school_level \
                     FROM members m JOIN households h \
                       ON h.home_province = m.home_province AND h.id = m.household_id WHERE ",
                );
                push_part(&mut qb, &part);
                qb.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// The members of the households of a unit of `tier`, active or not.
    pub async fn member_facts_in(
        &self,
        unit_code: &str,
        tier: &str,
    ) -> Result<Vec<MemberFact>, StoreError> {
        self.member_facts_of(FactsOf::Unit {
            code: unit_code,
            tier,
        })
        .await
    }

    /// The households of `of`: their village, commune and ethnicity.
    pub async fn household_facts_of(
        &self,
        of: FactsOf<'_>,
    ) -> Result<Vec<HouseholdFact>, StoreError> {
        let mut out = Vec::new();
        for part in of.parts(self.in_list_chunk())? {
            let rows: Vec<HouseholdFact> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT h.id, h.village_code, h.commune_code, h.ethnic_minority \
                     FROM households h WHERE ",
                );
                push_part(&mut qb, &part);
                qb.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// The households of a unit of `tier`: their village, commune and ethnicity.
    pub async fn household_facts_in(
        &self,
        unit_code: &str,
        tier: &str,
    ) -> Result<Vec<HouseholdFact>, StoreError> {
        self.household_facts_of(FactsOf::Unit {
            code: unit_code,
            tier,
        })
        .await
    }
}
