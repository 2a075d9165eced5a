//! Writing households: creating them with their members, saving a changed household,
//! moving members between households, and appending audit entries; each change in one
//! transaction with its audit entries.

use super::*;

impl Store {
    /// Creates households with their members and audit entries in one transaction: all
    /// or none. Returns the new ids in input order, or `StoreError::Duplicate` when a
    /// citizen ID or household code was saved by another writer since it was checked.
    pub async fn insert_households(
        &self,
        households: &[NewHousehold],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        let now = timestamp(now);
        let mut ids = Vec::with_capacity(households.len());
        // Before any write: two of them sharing a code would also be matched to one id
        // below.
        let claims = crate::claims::Held::of_new(households)?;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in households.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(format!(
                    "INSERT INTO households (home_province, {}, created_at, updated_at) ",
                    household_columns()
                ));
                // A new household's distribution key is the province it is registered in.
                qb.push_values(chunk, |mut b, h| {
                    b.push_bind(&h.fields.province_code);
                    bind_household!(b, push_bind, &h.fields);
                    b.push_bind(&now).push_bind(&now);
                });
                qb.push(" RETURNING id, commune_code, code");
                let returned: Vec<(i64, String, String)> = qb
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                // RETURNING gives no order guarantee, so ids are matched by the unique
                // (commune, code) key.
                let by_key: std::collections::HashMap<(String, String), i64> = returned
                    .into_iter()
                    .map(|(id, commune, code)| ((commune, code), id))
                    .collect();
                let chunk_ids: Vec<i64> = chunk
                    .iter()
                    .map(|h| by_key[&(h.fields.commune_code.clone(), h.fields.code.clone())])
                    .collect();
                // Their keys first, so that the audit entries below find them.
                let keys = crate::homes::registered(&chunk_ids, chunk);
                crate::homes::insert_homes!(tx, &keys);
                // A new household can be eligible before any classification (a village's
                // flags) and bring its members' cards: its coverage spans are computed
                // before the next coverage is read.
                let homes: std::collections::HashMap<i64, String> = keys.into_iter().collect();
                crate::coverage_spans::mark_coverage_stale!(tx, homes, chunk_ids.iter().copied());
                let members: Vec<(String, i64, String, &MemberFields)> = chunk
                    .iter()
                    .zip(&chunk_ids)
                    .flat_map(|(h, id)| {
                        h.members.iter().map(move |m| {
                            let province = h.fields.province_code.clone();
                            (province.clone(), *id, province, m)
                        })
                    })
                    .collect();
                insert_members!(tx, members, &now);
                let audits: Vec<AuditEntry> = chunk
                    .iter()
                    .zip(&chunk_ids)
                    .map(|(h, id)| AuditEntry {
                        entity_id: id.to_string(),
                        household_id: Some(*id),
                        ..h.audit.clone()
                    })
                    .collect();
                insert_audit!(tx, audits);
                ids.extend(chunk_ids);
            }
            crate::claims::settle!(tx, &Default::default(), &claims);
            tx.commit().await?;
        });
        Ok(ids)
    }

    /// Saves a household's changed fields and members if its version is still
    /// `expected_version`; otherwise nothing is written and the answer is a conflict.
    pub async fn save_household(
        &self,
        id: i64,
        expected_version: i64,
        fields: &HouseholdFields,
        members: &[MemberSave],
        audit: &[AuditEntry],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let set: Vec<String> = HOUSEHOLD_FIELDS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let n = HOUSEHOLD_FIELDS.len();
        let update_sql = format!(
            "UPDATE households SET {}, version = version + 1, updated_at = ${} \
             WHERE id = ${} AND version = ${} AND home_province = ${}",
            set.join(", "),
            n + 1,
            n + 2,
            n + 3,
            n + 4
        );
        let member_set: Vec<String> = MEMBER_FIELDS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let m = MEMBER_FIELDS.len();
        let member_update_sql = format!(
            "UPDATE members SET {}, updated_at = ${} WHERE id = ${} AND household_id = ${} AND home_province = ${}",
            member_set.join(", "),
            m + 1,
            m + 2,
            m + 3,
            m + 4
        );
        // Every statement names the household's key, so that on Citus it runs on the
        // household's shard alone (see crate::homes); no key, no such household.
        let Some(home) = self.home_province_of(id).await? else {
            return Err(StoreError::Stale(format!("hộ {}", fields.code)));
        };
        // The claims are read before the first write: on SQLite the write lock is taken
        // at the start (see Store::begin_writing).
        let begin = self.begin_writing();
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let held_before = crate::claims::held_by!(tx, &[id]);
            let q = sqlx::query(AssertSqlSafe(update_sql.as_str()));
            let q = bind_household!(q, bind, fields);
            let updated = q
                .bind(&now)
                .bind(id)
                .bind(expected_version)
                .bind(&home)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::unique_as_conflict(e, "mã hộ đã có trong xã"))?
                .rows_affected();
            if updated == 0 {
                return Err(StoreError::Stale(format!("hộ {}", fields.code)));
            }
            let mut inserts = Vec::new();
            for save in members {
                match save {
                    MemberSave::Update { id: member_id, fields: mf } => {
                        let q = sqlx::query(AssertSqlSafe(member_update_sql.as_str()));
                        let q = bind_member!(q, bind, mf);
                        q.bind(&now)
                            .bind(member_id)
                            .bind(id)
                            .bind(&home)
                            .execute(&mut *tx)
                            .await
                            .map_err(|e| StoreError::unique_as_conflict(e, "số CCCD đã có ở hộ khác"))?;
                    }
                    MemberSave::Insert(mf) => inserts.push((home.clone(), id, fields.province_code.clone(), mf)),
                    MemberSave::Deactivate { id: member_id } => {
                        sqlx::query(
                            "UPDATE members SET active = FALSE, updated_at = $1 \
                             WHERE id = $2 AND household_id = $3 AND home_province = $4",
                        )
                            .bind(&now)
                            .bind(member_id)
                            .bind(id)
                            .bind(&home)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
            insert_members!(tx, inserts, &now);
            let held_after = crate::claims::held_by!(tx, &[id]);
            crate::claims::settle!(tx, &held_before, &held_after);
            insert_audit!(tx, audit);
            // Its members may have changed (age, schooling, left, died): its coverage
            // spans are recomputed before the next coverage is read.
            let homes = home_provinces!(tx, [id]);
            crate::coverage_spans::mark_coverage_stale!(tx, homes, [id]);
            tx.commit().await?;
        });
        Ok(expected_version + 1)
    }

    /// Moves members to another household and saves both households' new fields, with
    /// version checks, in one transaction. Used to move a member, to split a household
    /// (the target is created in the same transaction) and to merge two households (the
    /// source is then left inactive, pointing at the target). Returns the target's id.
    pub async fn transfer_members(
        &self,
        transfer: &Transfer<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = timestamp(now);
        let set: Vec<String> = HOUSEHOLD_FIELDS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let n = HOUSEHOLD_FIELDS.len();
        let update_sql = format!(
            "UPDATE households SET {}, version = version + 1, updated_at = ${}, active = ${}, merged_into = ${} \
             WHERE id = ${} AND version = ${}",
            set.join(", "),
            n + 1,
            n + 2,
            n + 3,
            n + 4,
            n + 5
        );
        // A household split off another is registered with the same distribution key:
        // its members then stay on their shard, whichever province it is in later.
        let insert_sql = format!(
            "INSERT INTO households ({}, split_from, created_at, updated_at, home_province) VALUES ({}) RETURNING id",
            household_columns(),
            (1..=n + 4)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let from = &transfer.from;
        // Moving a member between households of different distribution keys cannot
        // update the key on Citus: the row is copied under the target's key, keeping its
        // id, and the old one removed. SQLite has no shards and updates it in place.
        let copy_member_sql = format!(
            "INSERT INTO members (id, home_province, household_id, province_code, position, relation, updated_at, {}, active, created_at) \
             SELECT id, $1, $2, $3, $4, $5, $6, {}, active, created_at FROM members WHERE id = $7 AND household_id = $8",
            MEMBER_FIELDS
                .iter()
                .filter(|c| **c != "position" && **c != "relation")
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            MEMBER_FIELDS
                .iter()
                .filter(|c| **c != "position" && **c != "relation")
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        );
        let sqlite = self.backend() == crate::Backend::Sqlite;
        let target_id = with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_writing()).await?;
            let mut homes = home_provinces!(tx, [from.id]);
            let from_home = homes.get(&from.id).cloned().unwrap_or_default();
            let mut before_ids = vec![from.id];
            if let TransferTarget::Existing(to) = &transfer.to {
                before_ids.push(to.id);
            }
            let held_before = crate::claims::held_by!(tx, &before_ids);
            let target_id = match &transfer.to {
                TransferTarget::Existing(to) => {
                    let q = sqlx::query(AssertSqlSafe(update_sql.as_str()));
                    let q = bind_household!(q, bind, to.fields);
                    let updated = q
                        .bind(&now)
                        .bind(true)
                        .bind(None::<i64>)
                        .bind(to.id)
                        .bind(to.version)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if updated == 0 {
                        return Err(StoreError::Stale(format!("hộ {}", to.fields.code)));
                    }
                    to.id
                }
                TransferTarget::New(fields) => {
                    let q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(insert_sql.as_str()));
                    let q = bind_household!(q, bind, *fields);
                    let id = q.bind(from.id)
                        .bind(&now)
                        .bind(&now)
                        .bind(&from_home)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(|e| StoreError::unique_as_conflict(e, format!("mã hộ {} đã có trong xã", fields.code)))?;
                    crate::homes::insert_homes!(tx, &[(id, from_home.clone())]);
                    id
                }
            };
            let merged_into = if from.active { None } else { Some(target_id) };
            let q = sqlx::query(AssertSqlSafe(update_sql.as_str()));
            let q = bind_household!(q, bind, from.fields);
            let updated = q
                .bind(&now)
                .bind(from.active)
                .bind(merged_into)
                .bind(from.id)
                .bind(from.version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 0 {
                return Err(StoreError::Stale(format!("hộ {}", from.fields.code)));
            }
            // The movement tables read the registry's marks from their pairs
            // (migration 0013): a merge leaves the source inactive and the target active.
            for (household, active) in [(from.id, from.active), (target_id, true)] {
                sqlx::query("UPDATE movements SET active = $1 WHERE household_id = $2")
                    .bind(active)
                    .bind(household)
                    .execute(&mut *tx)
                    .await?;
            }
            homes.extend(home_provinces!(tx, [target_id]));
            let target_home = homes.get(&target_id).cloned().unwrap_or_default();
            for (member_id, position, relation) in &transfer.moves {
                if sqlite || target_home == from_home {
                    // Citus refuses any SET of the distribution column, even to the value
                    // it has, so the key is named only where it changes (SQLite).
                    let sql = if target_home == from_home {
                        "UPDATE members SET household_id = $1, province_code = $2, position = $3, relation = $4, updated_at = $5 \
                         WHERE id = $6 AND household_id = $7 AND home_province = $8"
                    } else {
                        "UPDATE members SET household_id = $1, province_code = $2, position = $3, relation = $4, updated_at = $5, \
                         home_province = $8 WHERE id = $6 AND household_id = $7"
                    };
                    sqlx::query(sql)
                    .bind(target_id)
                    .bind(&transfer.target_province)
                    .bind(position)
                    .bind(relation)
                    .bind(&now)
                    .bind(member_id)
                    .bind(from.id)
                    .bind(&target_home)
                    .execute(&mut *tx)
                    .await?;
                } else {
                    sqlx::query(AssertSqlSafe(copy_member_sql.as_str()))
                        .bind(&target_home)
                        .bind(target_id)
                        .bind(&transfer.target_province)
                        .bind(position)
                        .bind(relation)
                        .bind(&now)
                        .bind(member_id)
                        .bind(from.id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM members WHERE home_province = $1 AND id = $2 AND household_id = $3")
                        .bind(&from_home)
                        .bind(member_id)
                        .bind(from.id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let audit: Vec<AuditEntry> = transfer
                .audit
                .iter()
                .map(|a| {
                    let mut a = a.clone();
                    if a.household_id.is_none() {
                        a.household_id = Some(target_id);
                        a.entity_id = target_id.to_string();
                    }
                    a
                })
                .collect();
            let held_after = crate::claims::held_by!(tx, &[from.id, target_id]);
            crate::claims::settle!(tx, &held_before, &held_after);
            insert_audit!(tx, audit);
            crate::coverage_spans::mark_coverage_stale!(tx, homes, [from.id, target_id]);
            tx.commit().await?;
            target_id
        });
        Ok(target_id)
    }

    /// Appends audit entries on their own (changes to units, users).
    pub async fn append_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            insert_audit!(tx, entries);
            tx.commit().await?;
        });
        Ok(())
    }
}
