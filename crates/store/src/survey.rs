//! The field survey: the reviews below a unit for the phones' forms, and (from migration
//! 0090) the submissions brought back from ODK Central and KoboToolbox.

use crate::{Store, StoreError, with_pool};
use sqlx::AssertSqlSafe;

/// A review as the survey tools list it: which commune, period, kind and step.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewListItem {
    pub id: i64,
    pub commune_code: String,
    pub period: i32,
    pub kind: String,
    pub step: String,
}

impl Store {
    /// Every review of the communes below a unit (by the review's province, district or
    /// commune column), optionally of one period, by commune then newest first. There is
    /// no limit: a province holds a few hundred communes and one periodic review each a
    /// year, and a tool that syncs forms must see all of them.
    pub async fn reviews_below(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        period: Option<i32>,
    ) -> Result<Vec<ReviewListItem>, StoreError> {
        assert!(["province_code", "district_code", "commune_code"].contains(&scope_column));
        let sql = format!(
            "SELECT id, commune_code, period, kind, step FROM reviews \
             WHERE {scope_column} = $1 AND ($2 IS NULL OR period = $2) \
             ORDER BY commune_code, period DESC, id DESC"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewListItem>(AssertSqlSafe(sql.as_str()))
            .bind(scope_code)
            .bind(period)
            .fetch_all(pool)
            .await?),
        )
    }
}
