//! The written answers (văn bản trả lời) to refused requests, each issue numbered in its
//! commune and year.

use crate::households::insert_audit;
use crate::{AuditEntry, Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, QueryBuilder};

/// One issued letter.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RefusalLetterRecord {
    pub id: i64,
    pub review_id: i64,
    pub review_household_id: i64,
    pub commune_code: String,
    pub year: i32,
    pub seq: i32,
    pub number: String,
    pub stated_reason: String,
    pub issued_on: NaiveDate,
    pub issued_by: String,
}

/// A letter to issue; its running number is given by the store.
#[derive(Debug, Clone)]
pub struct NewRefusalLetter {
    pub review_id: i64,
    pub review_household_id: i64,
    pub commune_code: String,
    /// The number's pattern, `{n}` standing for the running number ("{n}/UBND").
    pub pattern: String,
    pub stated_reason: String,
    pub issued_on: NaiveDate,
    pub issued_by: String,
}

const SELECT: &str = "SELECT id, review_id, review_household_id, commune_code, year, seq, number, \
     stated_reason, issued_on, issued_by FROM refusal_letters";

impl Store {
    /// Issues a letter with the next running number of its commune in the year it is
    /// issued, zero-padded to three digits as certificates are. Two officers issuing at
    /// once cannot take one number: the unique index refuses the second, which is told
    /// to try again.
    pub async fn issue_refusal_letter(
        &self,
        letter: &NewRefusalLetter,
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<RefusalLetterRecord, StoreError> {
        use chrono::Datelike;
        let now = crate::households::timestamp(now);
        let year = letter.issued_on.year();
        let id: i64 = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let last: Option<i32> = sqlx::query_scalar(
                "SELECT MAX(seq) FROM refusal_letters WHERE commune_code = $1 AND year = $2",
            )
            .bind(&letter.commune_code)
            .bind(year)
            .fetch_one(&mut *tx)
            .await?;
            let seq = last.unwrap_or(0) + 1;
            let number = letter.pattern.replace("{n}", &format!("{seq:03}"));
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO refusal_letters (review_id, review_household_id, commune_code, year, seq, \
                 number, stated_reason, issued_on, issued_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(letter.review_id)
            .bind(letter.review_household_id)
            .bind(&letter.commune_code)
            .bind(year)
            .bind(seq)
            .bind(&number)
            .bind(&letter.stated_reason)
            .bind(letter.issued_on)
            .bind(&letter.issued_by)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(tx, audit);
            tx.commit().await?;
            id
        });
        self.refusal_letters(letter.review_id)
            .await?
            .into_iter()
            .find(|l| l.id == id)
            .ok_or_else(|| StoreError::NotFound("văn bản trả lời".into()))
    }

    /// A review's letters, oldest first: the last of a household's is the one in force.
    pub async fn refusal_letters(
        &self,
        review_id: i64,
    ) -> Result<Vec<RefusalLetterRecord>, StoreError> {
        let sql = format!("{SELECT} WHERE review_id = $1 ORDER BY id");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, RefusalLetterRecord>(AssertSqlSafe(sql.as_str()))
            .bind(review_id)
            .fetch_all(pool)
            .await?),
        )
    }
}
