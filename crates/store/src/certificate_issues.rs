//! Certificates recorded as issued to their households (migration 0078).

use crate::households::{insert_audit, timestamp};
use crate::{AuditEntry, Store, StoreError, with_pool};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;

/// A certificate to record as issued: the review household it was approved for and the
/// classification that carries its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateIssue {
    pub review_household_id: i64,
    pub classification_id: i64,
}

impl Store {
    /// Records the certificates of a review as issued on `issued_on`, all in one
    /// transaction with their audit entries.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_certificate_issues(
        &self,
        review_id: i64,
        commune_code: &str,
        issues: &[CertificateIssue],
        issued_on: NaiveDate,
        issued_by: &str,
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in issues.chunks(crate::households::CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO certificate_issues (review_id, review_household_id, classification_id, \
                     commune_code, issued_on, issued_by, created_at) ",
                );
                qb.push_values(chunk, |mut b, i| {
                    b.push_bind(review_id)
                        .push_bind(i.review_household_id)
                        .push_bind(i.classification_id)
                        .push_bind(commune_code)
                        .push_bind(issued_on)
                        .push_bind(issued_by)
                        .push_bind(&now);
                });
                qb.build().execute(&mut *tx).await?;
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The review households of a review whose certificate was issued, with the date it
    /// was first issued.
    pub async fn certificates_issued(
        &self,
        review_id: i64,
    ) -> Result<std::collections::HashMap<i64, NaiveDate>, StoreError> {
        let rows = with_pool!(self, pool => sqlx::query_as::<_, (i64, NaiveDate)>(
            "SELECT review_household_id, issued_on FROM certificate_issues \
             WHERE review_id = $1 ORDER BY id DESC",
        )
        .bind(review_id)
        .fetch_all(pool)
        .await?);
        // Newest first, so that the first issue's date is the one kept.
        Ok(rows.into_iter().collect())
    }
}
