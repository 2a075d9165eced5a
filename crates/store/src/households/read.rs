//! Reading households and members: one by id or code, lists of a unit (plain, counted,
//! narrowed), possible duplicates, codes, statuses and labels.

use super::*;

impl Store {
    pub async fn household(&self, id: i64) -> Result<Option<HouseholdRecord>, StoreError> {
        // The key names the household's shard (see crate::homes); no key, no household.
        let Some(home) = self.home_province_of(id).await? else {
            return Ok(None);
        };
        let sql = format!(
            "{} WHERE home_province = $1 AND id = $2",
            select_household()
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, HouseholdRecord>(AssertSqlSafe(sql.as_str()))
            .bind(&home)
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    pub async fn household_by_code(
        &self,
        commune_code: &str,
        code: &str,
    ) -> Result<Option<HouseholdRecord>, StoreError> {
        let sql = format!(
            "{} WHERE commune_code = $1 AND code = $2",
            select_household()
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, HouseholdRecord>(AssertSqlSafe(sql.as_str()))
            .bind(commune_code)
            .bind(code)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// The members of a household, in their order; inactive ones only when asked.
    pub async fn members_of(
        &self,
        household_id: i64,
        include_inactive: bool,
    ) -> Result<Vec<MemberRecord>, StoreError> {
        let Some(home) = self.home_province_of(household_id).await? else {
            return Ok(Vec::new());
        };
        let active = if include_inactive { "" } else { " AND active" };
        let sql = format!(
            "{} WHERE home_province = $1 AND household_id = $2{active} ORDER BY position, id",
            select_member()
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, MemberRecord>(AssertSqlSafe(sql.as_str()))
            .bind(&home)
            .bind(household_id)
            .fetch_all(pool)
            .await?),
        )
    }

    pub async fn member(&self, id: i64) -> Result<Option<MemberRecord>, StoreError> {
        let sql = format!("{} WHERE id = $1", select_member());
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, MemberRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// The active members holding any of these citizen IDs, with their household, for
    /// naming the other household when a duplicate is refused.
    pub async fn members_with_citizen_ids(
        &self,
        citizen_ids: &[String],
    ) -> Result<Vec<(String, i64, String, String)>, StoreError> {
        let mut found = Vec::new();
        for chunk in citizen_ids.chunks(CHUNK) {
            let rows: Vec<(String, i64, String, String)> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new(
                    "SELECT m.citizen_id, h.id, h.code, h.commune_code FROM members m \
                     JOIN households h ON h.id = m.household_id AND h.home_province = m.home_province \
                     WHERE m.active AND m.citizen_id IN (",
                );
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(id);
                }
                qb.push(")");
                qb.build_query_as().fetch_all(pool).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// Which of these household codes a commune already uses.
    pub async fn existing_household_codes(
        &self,
        commune_code: &str,
        codes: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut found = Vec::new();
        for chunk in codes.chunks(CHUNK) {
            let rows: Vec<String> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new("SELECT code FROM households WHERE commune_code = ");
                qb.push_bind(commune_code);
                qb.push(" AND code IN (");
                let mut sep = qb.separated(", ");
                for c in chunk {
                    sep.push_bind(c);
                }
                qb.push(")");
                qb.build_query_scalar().fetch_all(pool).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// Which of these (commune, household code) pairs are already used, whatever the
    /// commune: one query for a thousand pairs, where a batch of an import spreading over
    /// hundreds of communes took one round trip per commune with
    /// [`Store::existing_household_codes`].
    pub async fn existing_household_codes_in(
        &self,
        pairs: &[(String, String)],
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut found = Vec::new();
        for chunk in pairs.chunks(CHUNK) {
            let rows: Vec<(String, String)> = with_pool!(self, pool => {
                let mut qb = QueryBuilder::new("WITH wanted (commune_code, code) AS (");
                qb.push_values(chunk, |mut row, (commune, code)| {
                    row.push_bind(commune).push_bind(code);
                });
                qb.push(
                    ") SELECT h.commune_code, h.code FROM households h JOIN wanted w \
                     ON h.commune_code = w.commune_code AND h.code = w.code",
                );
                qb.build_query_as().fetch_all(pool).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// One page of households, sorted the Vietnamese way by the head's name, and the
    /// exact total count for the filter (for exports and tests, which need it exact).
    pub async fn list_households(
        &self,
        filter: &HouseholdFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<HouseholdListRow>, i64), StoreError> {
        let (rows, total) = self
            .list_households_counted(filter, limit, offset, None)
            .await?;
        Ok((rows, total.count))
    }

    /// One page of households and how many the filter finds, counted only up to
    /// `count_up_to` (at least to the end of the page) when it is given.
    ///
    /// The matching households are found once, in one statement: their ids in the
    /// list's order, up to the count's bound, are both counted and paged. A page deep in
    /// a large unit therefore no longer makes the database count the whole unit (80 ms
    /// for 200,000 households on PostgreSQL, on every page), and a search runs its member
    /// lookup once instead of once for the count and once for the page.
    pub async fn list_households_counted(
        &self,
        filter: &HouseholdFilter,
        limit: i64,
        offset: i64,
        count_up_to: Option<i64>,
    ) -> Result<(Vec<HouseholdListRow>, ListTotal), StoreError> {
        self.list_households_narrowed(
            filter,
            &ListNarrowing::default(),
            limit,
            offset,
            count_up_to,
        )
        .await
    }

    /// [`Store::list_households_counted`] narrowed further by the list page's filters
    /// (village, current status, ethnic minority, female head, merit, disability) and
    /// sorted by one of its columns.
    pub async fn list_households_narrowed(
        &self,
        filter: &HouseholdFilter,
        narrowing: &ListNarrowing,
        limit: i64,
        offset: i64,
        count_up_to: Option<i64>,
    ) -> Result<(Vec<HouseholdListRow>, ListTotal), StoreError> {
        assert!(
            SCOPE_COLUMNS.contains(&filter.scope_column),
            "scope column comes from a fixed list"
        );
        let (mut conditions, mut binds) = if filter.villages.is_empty() {
            (
                format!("h.{} = $1", filter.scope_column),
                vec![filter.scope_code.clone()],
            )
        } else {
            (
                format!(
                    "h.village_code IN ({})",
                    crate::rebase::placeholders(1, filter.villages.len())
                ),
                filter.villages.clone(),
            )
        };
        if !filter.include_inactive {
            // Written as an equality so that the (unit, active, sort key) index serves
            // both the filter and the order; a bare boolean test would not use it.
            conditions.push_str(" AND h.active = TRUE");
        }
        if let Some(text) = &filter.text {
            binds.push(like_contains(text));
            binds.push(text.to_uppercase());
            let n = binds.len();
            let name = n - 1;
            let scope = filter.scope_column;
            conditions.push_str(&if self.backend() == crate::Backend::Postgres {
                // The members' trigram index finds the name among all members, and the
                // code index the household code; only those households are then checked
                // against the unit. Written as one IN over a union so that PostgreSQL
                // can join from the few found rather than filter the whole unit.
                format!(
                    " AND h.id IN (SELECT m.household_id FROM members m WHERE m.active = TRUE \
                     AND m.name_folded LIKE ${name} ESCAPE '\\' \
                     UNION ALL SELECT c.id FROM households c WHERE c.{scope} = $1 AND UPPER(c.code) = ${n})"
                )
            } else if text.chars().count() >= 3 {
                // SQLite's trigram index of member names (migration 0092) finds the
                // members whose name holds the text, as the LIKE below would, and the
                // code index the household code; only those households are then checked
                // against the unit, as on PostgreSQL. The text is given to FTS5 as one
                // quoted phrase, so that none of its characters is read as an operator.
                binds.push(format!("\"{}\"", text.replace('"', "\"\"")));
                let phrase = binds.len();
                format!(
                    " AND h.id IN (SELECT m.household_id FROM members m WHERE m.id IN \
                     (SELECT rowid FROM member_names WHERE member_names MATCH ${phrase}) AND m.active = TRUE \
                     UNION ALL SELECT c.id FROM households c WHERE UPPER(c.code) = ${n})"
                )
            } else {
                // Fewer than three characters make no trigram: the search looks only at
                // the members of the unit's households, one household at a time through
                // the (household, active, name) index, never at the members of the whole
                // database.
                format!(
                    " AND (EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id \
                     AND m.active = TRUE AND m.name_folded LIKE ${name} ESCAPE '\\') \
                     OR UPPER(h.code) = ${n})"
                )
            });
        }
        if let Some(id) = &filter.citizen_id {
            binds.push(id.clone());
            conditions.push_str(&format!(
                // `active` is the predicate of the partial unique index on citizen IDs;
                // without it the index cannot be used and every member is scanned.
                " AND h.id IN (SELECT m.household_id FROM members m \
                 WHERE m.citizen_id = ${} AND m.active)",
                binds.len()
            ));
        }
        narrowing.push_conditions(&mut conditions, &mut binds);
        let bound = count_up_to.map(|c| c.max(offset + limit));
        let bound_sql = bound.map(|b| format!(" LIMIT {b}")).unwrap_or_default();
        let (sort_column, direction) = narrowing.order_by();
        // The page's ids are found first from the index alone; only the rows of the page
        // are then read in full, with the count of all the ids found carried on each.
        let v_latest = crate::units::latest_version("v", "h.village_code");
        // The sort column is carried in `matched` under the name `sort_key` so that
        // the page is cut in the order the user asked for; the head's sort key breaks
        // ties, so that equal values still list the Vietnamese way.
        let page_sql = format!(
            "WITH matched AS MATERIALIZED (SELECT h.id, h.{sort_column} AS sort_key, h.head_sort_key FROM households h \
             WHERE {conditions} ORDER BY h.{sort_column} {direction}, h.head_sort_key, h.id{bound_sql}) \
             SELECT h.id, h.code, h.head_name, h.village_code, v.name AS village_name, h.commune_code, \
             h.address, h.member_count, h.ethnic_minority, h.version, \
             (SELECT COUNT(*) FROM matched) AS matched_count \
             FROM households h JOIN admin_units v ON v.code = h.village_code AND {v_latest} \
             WHERE h.id IN (SELECT id FROM matched ORDER BY sort_key {direction}, head_sort_key, id LIMIT {limit} OFFSET {offset}) \
             ORDER BY h.{sort_column} {direction}, h.head_sort_key, h.id"
        );
        let rows: Vec<CountedRow> = with_pool!(self, pool => {
            let mut page = sqlx::query_as::<_, CountedRow>(AssertSqlSafe(page_sql.as_str()));
            for b in &binds {
                page = page.bind(b);
            }
            page.fetch_all(pool).await?
        });
        let count = match rows.first() {
            Some(r) => r.matched_count,
            // An empty page past the end says nothing of the count: count on its own.
            None if offset > 0 => {
                let count_sql = format!(
                    "SELECT COUNT(*) FROM (SELECT h.id FROM households h WHERE {conditions}{bound_sql}) c"
                );
                with_pool!(self, pool => {
                    let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql.as_str()));
                    for b in &binds {
                        count = count.bind(b);
                    }
                    count.fetch_one(pool).await?
                })
            }
            None => 0,
        };
        let total = ListTotal {
            count,
            more: bound.is_some_and(|b| count >= b),
        };
        Ok((rows.into_iter().map(|r| r.row).collect(), total))
    }

    /// People of the scope who share a folded name and birth year with someone else in
    /// the same village: possible duplicates for a person to look at.
    pub async fn possible_duplicates(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        limit: i64,
    ) -> Result<Vec<DuplicateRow>, StoreError> {
        assert!(SCOPE_COLUMNS.contains(&scope_column));
        let sql = format!(
            "SELECT h.village_code, m.name_folded, m.birth_year, m.id AS member_id, m.full_name, \
             h.id AS household_id, h.code AS household_code \
             FROM members m JOIN households h ON h.id = m.household_id AND h.home_province = m.home_province \
             JOIN (SELECT h2.village_code, m2.name_folded, m2.birth_year FROM members m2 \
                   JOIN households h2 ON h2.id = m2.household_id AND h2.home_province = m2.home_province \
                   WHERE h2.{scope_column} = $1 AND m2.active AND h2.active \
                   GROUP BY h2.village_code, m2.name_folded, m2.birth_year HAVING COUNT(*) > 1) d \
               ON d.village_code = h.village_code AND d.name_folded = m.name_folded AND d.birth_year = m.birth_year \
             WHERE m.active AND h.active \
             ORDER BY h.village_code, m.name_folded, m.birth_year, m.id LIMIT {limit}"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, DuplicateRow>(AssertSqlSafe(sql.as_str()))
            .bind(scope_code)
            .fetch_all(pool)
            .await?),
        )
    }

    /// Every household code of a commune (left households included: their codes stay
    /// taken), for suggesting the next one.
    pub async fn household_codes_in_commune(
        &self,
        commune: &str,
    ) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(
            "SELECT code FROM households WHERE commune_code = $1",
        )
        .bind(commune)
        .fetch_all(pool)
        .await?))
    }

    /// The status of each period (the row in force) of the households asked for, oldest
    /// period first: a list page's class history, whose last entry is the current status.
    pub async fn period_statuses(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, i32, String)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let homes = self.home_list(ids).await?;
        if homes.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT household_id, period, status FROM classifications \
             WHERE home_province IN ({}) AND household_id IN ({}) AND valid_until IS NULL \
             ORDER BY household_id, period, id",
            crate::rebase::placeholders(1, homes.len()),
            crate::rebase::placeholders(homes.len() + 1, ids.len())
        );
        Ok(with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, (i64, i32, String)>(AssertSqlSafe(sql.as_str()));
            for home in &homes {
                q = q.bind(home);
            }
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// The code and head of each household asked for, to name households in the audit
    /// log by what officials know them by rather than by their internal number.
    pub async fn household_labels(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let homes = self.home_list(ids).await?;
        if homes.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, code, head_name FROM households WHERE home_province IN ({}) AND id IN ({})",
            crate::rebase::placeholders(1, homes.len()),
            crate::rebase::placeholders(homes.len() + 1, ids.len())
        );
        Ok(with_pool!(self, pool => {
            let mut q = sqlx::query_as::<_, (i64, String, String)>(AssertSqlSafe(sql.as_str()));
            for home in &homes {
                q = q.bind(home);
            }
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        }))
    }

    /// Number of households, active or not.
    pub async fn household_count(&self) -> Result<i64, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM households")
            .fetch_one(pool)
            .await?),
        )
    }
}
