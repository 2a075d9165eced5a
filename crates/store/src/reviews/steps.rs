//! Reviews and their steps: opening, households, screening, meetings, postings and
//! complaints.

use super::classify::CHUNK;
use super::*;

impl Store {
    pub async fn insert_review(
        &self,
        r: &NewReview,
        households: &[NewReviewHousehold],
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let id = with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO reviews (province_code, district_code, commune_code, kind, period, standard, step, \
                 opened_on, due_on, posting_days, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'listing', $7, $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind(&r.province_code)
            .bind(&r.district_code)
            .bind(&r.commune_code)
            .bind(&r.kind)
            .bind(r.period)
            .bind(&r.standard)
            .bind(r.opened_on)
            .bind(r.due_on)
            .bind(r.posting_days)
            .bind(&r.created_by)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            for chunk in households.chunks(CHUNK) {
                let homes = home_provinces!(tx, chunk.iter().map(|h| h.household_id));
                let mut qb = QueryBuilder::new(
                    "INSERT INTO review_households (home_province, review_id, household_id, province_code, village_code, source, \
                     request_date, request_channel, requester, request_kind, step, updated_at) ",
                );
                qb.push_values(chunk, |mut b, h| {
                    b.push_bind(homes.get(&h.household_id).cloned().unwrap_or_default())
                        .push_bind(id)
                        .push_bind(h.household_id)
                        .push_bind(&h.province_code)
                        .push_bind(&h.village_code)
                        .push_bind(&h.source)
                        .push_bind(h.request_date)
                        .push_bind(&h.request_channel)
                        .push_bind(&h.requester)
                        .push_bind(&h.request_kind)
                        .push_bind(&h.step)
                        .push_bind(&now);
                });
                qb.build().execute(&mut *tx).await?;
            }
            let audit: Vec<AuditEntry> = audit
                .iter()
                .map(|a| AuditEntry { entity_id: id.to_string(), ..a.clone() })
                .collect();
            insert_audit!(tx, audit);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    pub async fn review(&self, id: i64) -> Result<Option<ReviewRecord>, StoreError> {
        let sql = format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// Reviews of a commune for a period and kind (to refuse a second periodic review).
    pub async fn reviews_of_commune(
        &self,
        commune: &str,
        period: i32,
        kind: &str,
    ) -> Result<Vec<ReviewRecord>, StoreError> {
        let sql = format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE commune_code = $1 AND period = $2 AND kind = $3 ORDER BY id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewRecord>(AssertSqlSafe(sql.as_str()))
            .bind(commune)
            .bind(period)
            .bind(kind)
            .fetch_all(pool)
            .await?),
        )
    }

    /// Reviews in a unit (by the review's province, district or commune column), newest
    /// first, with their progress.
    pub async fn review_summaries(
        &self,
        scope_column: &'static str,
        scope_code: &str,
        limit: i64,
    ) -> Result<Vec<ReviewSummary>, StoreError> {
        assert!(["province_code", "district_code", "commune_code"].contains(&scope_column));
        let c_at = crate::units::version_at("c", "r.commune_code", "r.opened_on");
        let sql = format!(
            "SELECT r.id, r.commune_code, c.name AS commune_name, r.kind, r.period, r.standard, r.step, r.opened_on, \
             r.due_on, r.closed_on, \
             COALESCE(n.households, 0) AS households, COALESCE(n.surveyed, 0) AS surveyed, \
             COALESCE(n.agreed, 0) AS agreed \
             FROM reviews r JOIN admin_units c ON c.code = r.commune_code AND {c_at} \
             LEFT JOIN (SELECT rh.review_id, COUNT(*) AS households, \
                    SUM(CASE WHEN rh.provisional_status IS NOT NULL THEN 1 ELSE 0 END) AS surveyed, \
                    SUM(CASE WHEN rh.meeting_outcome = 'agreed' THEN 1 ELSE 0 END) AS agreed \
                FROM review_households rh \
                WHERE rh.step <> 'excluded' AND rh.review_id IN (SELECT x.id FROM reviews x WHERE x.{scope_column} = $1) \
                GROUP BY rh.review_id) n ON n.review_id = r.id \
             WHERE r.{scope_column} = $1 ORDER BY r.period DESC, r.commune_code, r.id DESC LIMIT {limit}"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewSummary>(AssertSqlSafe(sql.as_str()))
            .bind(scope_code)
            .fetch_all(pool)
            .await?),
        )
    }

    /// Moves a review to another step (and records its decision when given) if its
    /// version is still the one read.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_review_step(
        &self,
        id: i64,
        expected_version: i64,
        step: &str,
        decision: Option<(&str, NaiveDate)>,
        closed_on: Option<NaiveDate>,
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE reviews SET step = $1, decision_number = COALESCE($2, decision_number), \
                 decision_date = COALESCE($3, decision_date), closed_on = COALESCE($4, closed_on), \
                 version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
            )
            .bind(step)
            .bind(decision.map(|d| d.0))
            .bind(decision.map(|d| d.1))
            .bind(closed_on)
            .bind(&now)
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Stale("đợt rà soát".into()));
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn add_review_household(
        &self,
        review_id: i64,
        h: &NewReviewHousehold,
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_writing()).await?;
            let homes = home_provinces!(tx, [h.household_id]);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO review_households (review_id, household_id, province_code, village_code, source, \
                 request_date, request_channel, requester, request_kind, step, updated_at, home_province) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(review_id)
            .bind(h.household_id)
            .bind(&h.province_code)
            .bind(&h.village_code)
            .bind(&h.source)
            .bind(h.request_date)
            .bind(&h.request_channel)
            .bind(&h.requester)
            .bind(&h.request_kind)
            .bind(&h.step)
            .bind(&now)
            .bind(homes.get(&h.household_id).cloned().unwrap_or_default())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::unique_as_conflict(e, "hộ đã có trong đợt rà soát này"))?;
            insert_audit!(tx, audit);
            tx.commit().await?;
            id
        }))
    }

    pub async fn review_households(
        &self,
        review_id: i64,
    ) -> Result<Vec<ReviewHouseholdRecord>, StoreError> {
        let sql = format!(
            "{RH_SELECT} WHERE rh.review_id = $1 ORDER BY rh.village_code, h.head_sort_key, rh.id"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewHouseholdRecord>(AssertSqlSafe(sql.as_str()))
            .bind(review_id)
            .fetch_all(pool)
            .await?),
        )
    }

    pub async fn review_household(
        &self,
        id: i64,
    ) -> Result<Option<ReviewHouseholdRecord>, StoreError> {
        let sql = format!("{RH_SELECT} WHERE rh.id = $1");
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewHouseholdRecord>(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(pool)
            .await?),
        )
    }

    /// The reviews a household has been part of, newest first.
    pub async fn reviews_of_household(
        &self,
        household_id: i64,
    ) -> Result<Vec<ReviewHouseholdRecord>, StoreError> {
        let Some(home) = self.home_province_of(household_id).await? else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "{RH_SELECT} WHERE rh.home_province = $1 AND rh.household_id = $2 ORDER BY rh.review_id DESC"
        );
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ReviewHouseholdRecord>(AssertSqlSafe(sql.as_str()))
            .bind(&home)
            .bind(household_id)
            .fetch_all(pool)
            .await?),
        )
    }

    /// Records the screening (phiếu A) of a requesting household.
    pub async fn save_screening(
        &self,
        id: i64,
        expected_version: i64,
        answers: &str,
        passed: bool,
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        let step = if passed { "listed" } else { "excluded" };
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE review_households SET screening_answers = $1, screening_passed = $2, step = $3, \
                 version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
            )
            .bind(answers)
            .bind(passed)
            .bind(step)
            .bind(&now)
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Stale("hộ trong đợt rà soát".into()));
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records a village meeting and its outcome for the given review households.
    pub async fn record_meeting(
        &self,
        m: &NewMeeting,
        households: &[i64],
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let outcome = if m.passed { "agreed" } else { "rejected" };
        // A failed meeting sends its households back to the survey (review.md step 3).
        let step = if m.passed { "agreed" } else { "resurvey" };
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO review_meetings (review_id, village_code, held_on, attendees, agreeing, passed, chaired_by, \
                 minutes_name, minutes_type, minutes, recorded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(m.review_id)
            .bind(&m.village_code)
            .bind(m.held_on)
            .bind(m.attendees)
            .bind(m.agreeing)
            .bind(m.passed)
            .bind(&m.chaired_by)
            .bind(&m.minutes_name)
            .bind(&m.minutes_type)
            .bind(&m.minutes)
            .bind(&m.recorded_by)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            for hid in households {
                sqlx::query(
                    "UPDATE review_households SET meeting_outcome = $1, step = $2, version = version + 1, updated_at = $3 \
                     WHERE id = $4",
                )
                .bind(outcome)
                .bind(step)
                .bind(&now)
                .bind(hid)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
            id
        }))
    }

    pub async fn meetings(&self, review_id: i64) -> Result<Vec<MeetingRecord>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, MeetingRecord>(
            "SELECT id, review_id, village_code, held_on, attendees, agreeing, passed, chaired_by, minutes_name, \
             minutes_type, recorded_by FROM review_meetings WHERE review_id = $1 ORDER BY id",
        )
        .bind(review_id)
        .fetch_all(pool)
        .await?))
    }

    /// The minutes file of a meeting, with the review it belongs to.
    pub async fn meeting_minutes(
        &self,
        meeting_id: i64,
    ) -> Result<Option<MinutesFile>, StoreError> {
        let row: Option<MinutesRow> = with_pool!(self, pool => sqlx::query_as::<_, MinutesRow>(
            "SELECT review_id, minutes_name, minutes_type, minutes FROM review_meetings WHERE id = $1",
        )
        .bind(meeting_id)
        .fetch_optional(pool)
        .await?);
        Ok(row.and_then(|r| {
            Some(MinutesFile {
                review_id: r.review_id,
                name: r.minutes_name?,
                media_type: r.minutes_type?,
                bytes: r.minutes?,
            })
        }))
    }

    pub async fn insert_posting(
        &self,
        review_id: i64,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        place: &str,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO review_postings (review_id, starts_on, ends_on, place, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(review_id)
        .bind(starts_on)
        .bind(ends_on)
        .bind(place)
        .bind(recorded_by)
        .bind(&now)
        .execute(pool)
        .await
        .map(|_| ())?);
        Ok(())
    }

    pub async fn postings(&self, review_id: i64) -> Result<Vec<PostingRecord>, StoreError> {
        Ok(with_pool!(self, pool => sqlx::query_as::<_, PostingRecord>(
            "SELECT id, review_id, starts_on, ends_on, place, recorded_by FROM review_postings WHERE review_id = $1 ORDER BY id",
        )
        .bind(review_id)
        .fetch_all(pool)
        .await?))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_complaint(
        &self,
        review_id: i64,
        household_id: Option<i64>,
        complainant: &str,
        content: &str,
        received_on: NaiveDate,
        recorded_by: &str,
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO complaints (review_id, household_id, complainant, content, received_on, recorded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(review_id)
            .bind(household_id)
            .bind(complainant)
            .bind(content)
            .bind(received_on)
            .bind(recorded_by)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(tx, audit);
            tx.commit().await?;
            id
        }))
    }

    /// Records a complaint's re-check result; with `resurvey`, the household it concerns
    /// is surveyed again before the decision.
    pub async fn resolve_complaint(
        &self,
        id: i64,
        recheck_result: &str,
        resolved_on: NaiveDate,
        resurvey: Option<(i64, i64)>,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE complaints SET recheck_result = $1, resolved_on = $2 WHERE id = $3 AND resolved_on IS NULL",
            )
            .bind(recheck_result)
            .bind(resolved_on)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("khiếu nại đã được giải quyết".into()));
            }
            if let Some((review_id, household_id)) = resurvey {
                sqlx::query(
                    "UPDATE review_households SET step = 'recheck', version = version + 1 WHERE review_id = $1 AND household_id = $2",
                )
                .bind(review_id)
                .bind(household_id)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit!(tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn complaints(&self, review_id: i64) -> Result<Vec<ComplaintRecord>, StoreError> {
        Ok(
            with_pool!(self, pool => sqlx::query_as::<_, ComplaintRecord>(
            "SELECT id, review_id, household_id, complainant, content, received_on, recheck_result, resolved_on, recorded_by \
             FROM complaints WHERE review_id = $1 ORDER BY id",
        )
        .bind(review_id)
        .fetch_all(pool)
        .await?),
        )
    }
}
