//! A reform of administrative units applied to a database that already holds data: new
//! units opened, old ones closed, villages, households, open reviews and users moved to
//! the units that succeeded theirs, in one transaction.

use crate::households::{AuditEntry, insert_audit};
use crate::units::{
    CLOSE_CHUNK, UPSERT_CHUNK, UnitUpsert, UnitVersion, VersionPlan, close_versions, timestamp,
    upsert_conflict, write_versions,
};
use crate::{Store, StoreError, with_pool};
use chrono::{DateTime, Days, NaiveDate, Utc};
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One (old commune, new commune) pair of a reform's mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessionPair {
    pub old_code: String,
    pub new_code: String,
    /// False where the old commune was split between several new ones.
    pub whole: bool,
}

/// A reform to apply. The caller has checked the mapping against the database (every old
/// commune valid the day before `effective`, every new one in `units`).
#[derive(Debug, Clone)]
pub struct ReformInput {
    pub effective: NaiveDate,
    /// The list's name and its hierarchy, recorded in unit_lists.
    pub list_name: String,
    pub hierarchy: String,
    /// The new list, every row valid from `effective`.
    pub units: Vec<UnitUpsert>,
    pub pairs: Vec<SuccessionPair>,
    /// Do everything, report it, and roll it back.
    pub dry_run: bool,
}

/// A village of a split commune that waits for an administrator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WaitingVillage {
    pub code: String,
    pub name: String,
    pub old_commune_code: String,
    /// The new communes the old one was split between.
    pub candidates: Vec<String>,
}

/// A user whose unit was closed: moved to its successor, or (`to` = `None`) left for an
/// administrator because the unit went into several.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserMove {
    pub username: String,
    pub from: String,
    pub to: Option<String>,
}

/// What a reform did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReformOutcome {
    pub units_opened: u64,
    pub units_closed: u64,
    pub successions_recorded: u64,
    pub villages_moved: u64,
    pub villages_waiting: Vec<WaitingVillage>,
    pub households_moved: u64,
    pub reviews_moved: u64,
    pub users_moved: Vec<UserMove>,
}

impl ReformOutcome {
    /// Whether the run changed anything: a second run of the same reform does not, and
    /// leaves no audit entry either.
    pub fn changed_anything(&self) -> bool {
        self.units_opened > 0
            || self.units_closed > 0
            || self.successions_recorded > 0
            || self.villages_moved > 0
            || self.households_moved > 0
            || self.reviews_moved > 0
            || self.users_moved.iter().any(|u| u.to.is_some())
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct VillageVersion {
    code: String,
    valid_from: NaiveDate,
    level: i32,
    name: String,
    name_folded: String,
    kind: String,
    parent_code: Option<String>,
    area: Option<String>,
    area_overridden: bool,
    extremely_difficult: bool,
    border: bool,
    programme_30a: bool,
    programme_135: bool,
    awaiting_assignment: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct UserUnit {
    id: i64,
    username: String,
    unit_code: String,
}

/// Where a closed unit went: the new units, and whether it went whole into one.
fn successors_of(
    pairs: &[SuccessionPair],
    old_version: &HashMap<String, UnitVersion>,
    new_province: &HashMap<String, String>,
) -> BTreeMap<String, (BTreeSet<String>, bool)> {
    let mut out: BTreeMap<String, (BTreeSet<String>, bool)> = BTreeMap::new();
    let mut add = |old: &str, new: &str, whole: bool| {
        let e = out
            .entry(old.to_string())
            .or_insert_with(|| (BTreeSet::new(), true));
        e.0.insert(new.to_string());
        e.1 &= whole;
    };
    for p in pairs {
        add(&p.old_code, &p.new_code, p.whole);
        if let Some(old) = old_version.get(&p.old_code) {
            if let Some(parent) = &old.parent_code
                && parent != &old.province_code
            {
                add(parent, &p.new_code, p.whole);
            }
            if let Some(np) = new_province.get(&p.new_code) {
                add(&old.province_code, np, true);
            }
        }
    }
    for (set, whole) in out.values_mut() {
        *whole &= set.len() == 1;
    }
    out
}

/// Moves village version `$v` under commune `$code` (of `$level`, in `$province`) from
/// `$eff`: the version closes the day before and a new one starts, and the village's
/// households (their members, and their rows in open reviews) follow it; adds to
/// `$out.villages_moved` and `$out.households_moved`. Runs in the open transaction `$tx`.
macro_rules! move_village {
    ($tx:ident, $v:expr, $code:expr, $level:expr, $province:expr, $name:expr, $eff:expr, $now:expr, $out:ident) => {
        let v = &$v;
        if v.valid_from >= $eff {
            // Made after the effective day under the old unit: its whole life is the new
            // commune's, so the version itself moves (a version may not end before it
            // starts).
            sqlx::query(
                "DELETE FROM admin_units WHERE code = $1 AND valid_from = $2",
            )
            .bind(&v.code)
            .bind(v.valid_from)
            .execute(&mut *$tx)
            .await?;
        } else {
            sqlx::query(
                "UPDATE admin_units SET valid_to = $1, updated_at = $2 WHERE code = $3 AND valid_from = $4",
            )
            .bind($eff - Days::new(1))
            .bind(&$now)
            .bind(&v.code)
            .bind(v.valid_from)
            .execute(&mut *$tx)
            .await?;
        }
        let from = v.valid_from.max($eff);
        sqlx::query(
            "INSERT INTO admin_units (code, name, name_folded, kind, level, tier, parent_code, \
             province_code, area, area_overridden, extremely_difficult, border, programme_30a, \
             programme_135, valid_from, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'village', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        )
        .bind(&v.code)
        .bind(&v.name)
        .bind(&v.name_folded)
        .bind(&v.kind)
        .bind($level + 1)
        .bind(&$code)
        .bind(&$province)
        .bind(&v.area)
        .bind(v.area_overridden)
        .bind(v.extremely_difficult)
        .bind(v.border)
        .bind(v.programme_30a)
        .bind(v.programme_135)
        .bind(from)
        .bind(&$now)
        .execute(&mut *$tx)
        .await?;
        $out.villages_moved += 1;
        // A household code is unique in its commune. The unique key holds only within one
        // distribution key (migration 0040), and a reform may bring households of two
        // home provinces into one commune, so the codes are compared here as well.
        let clash: Option<String> = sqlx::query_scalar(
            "SELECT m.code FROM households m WHERE m.village_code = $1 AND m.code IN \
             (SELECT o.code FROM households o WHERE o.commune_code = $2 AND o.village_code <> $1) \
             LIMIT 1",
        )
        .bind(&v.code)
        .bind(&$code)
        .fetch_optional(&mut *$tx)
        .await?;
        if clash.is_some() {
            return Err(StoreError::Conflict(format!(
                "hai hộ cùng mã sẽ thuộc {} ({}) khi chuyển thôn {}: hãy đổi mã một hộ trước",
                $name, $code, v.code
            )));
        }
        // The village's households claim their codes in the new commune and release them
        // in the old one (migration 0091), in the same transaction.
        let village_codes = "SELECT commune_code, code FROM households WHERE village_code = $1";
        let codes_before: Vec<(String, String)> = sqlx::query_as(village_codes)
            .bind(&v.code)
            .fetch_all(&mut *$tx)
            .await?;
        $out.households_moved += sqlx::query(
            "UPDATE households SET commune_code = $1, district_code = NULL, province_code = $2, \
             version = version + 1, updated_at = $3 WHERE village_code = $4",
        )
        .bind(&$code)
        .bind(&$province)
        .bind(&$now)
        .bind(&v.code)
        .execute(&mut *$tx)
        .await
        .map_err(|e| StoreError::unique_as_conflict(e, format!(
            "hai hộ cùng mã sẽ thuộc {} ({}) khi chuyển thôn {}: hãy đổi mã một hộ trước",
            $name, $code, v.code
        )))?
        .rows_affected();
        let codes_after: Vec<(String, String)> = sqlx::query_as(village_codes)
            .bind(&v.code)
            .fetch_all(&mut *$tx)
            .await?;
        let held = |codes: Vec<(String, String)>| $crate::claims::Held {
            codes: codes.into_iter().collect(),
            ..Default::default()
        };
        $crate::claims::settle!($tx, &held(codes_before), &held(codes_after));
        sqlx::query(
            "UPDATE members SET province_code = $1 \
             WHERE household_id IN (SELECT id FROM households WHERE village_code = $2)",
        )
        .bind(&$province)
        .bind(&v.code)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE review_households SET province_code = $1 \
             WHERE village_code = $2 AND review_id IN (SELECT id FROM reviews WHERE step <> 'closed')",
        )
        .bind(&$province)
        .bind(&v.code)
        .execute(&mut *$tx)
        .await?;
    };
}

impl Store {
    /// Applies a reform in one transaction: all of it or nothing. Running it again finds
    /// everything done and changes nothing. `audit` makes the audit entry of the run
    /// from what it did; it is written in the same transaction, when the run changed
    /// anything.
    pub async fn apply_reform(
        &self,
        input: &ReformInput,
        now: DateTime<Utc>,
        audit: impl Fn(&ReformOutcome) -> AuditEntry,
    ) -> Result<ReformOutcome, StoreError> {
        let now = timestamp(now);
        let eff = input.effective;
        let day_before = eff - Days::new(1);
        let existing = self.official_versions().await?;
        let plan = VersionPlan::new(&existing, &input.units);

        // The versions the old units had the day before (before this run touched them).
        let old_version: HashMap<String, UnitVersion> = existing
            .iter()
            .filter(|v| v.covers(day_before))
            .map(|v| (v.code.clone(), v.clone()))
            .collect();
        let written_from: HashMap<&str, NaiveDate> = plan
            .writes
            .iter()
            .map(|(r, _)| (r.code.as_str(), r.valid_from))
            .collect();
        let new_row: HashMap<&str, &UnitUpsert> = plan
            .writes
            .iter()
            .map(|(r, _)| (r.code.as_str(), r))
            .collect();
        let new_province: HashMap<String, String> = input
            .units
            .iter()
            .map(|r| (r.code.clone(), r.province_code.clone()))
            .collect();
        let successors = successors_of(&input.pairs, &old_version, &new_province);

        // Old units the new list does not carry on: closed on the day before. Those it
        // lists again are handled by the plan (kept, or closed and reopened when the
        // code now means another unit).
        let to_close: Vec<&UnitVersion> = successors
            .keys()
            .filter(|c| !written_from.contains_key(c.as_str()))
            .filter_map(|c| old_version.get(c))
            .filter(|v| v.valid_to.is_none())
            .collect();
        // Units closed by this run, whatever closed them.
        let closed_now: BTreeSet<&str> = to_close
            .iter()
            .map(|v| v.code.as_str())
            .chain(plan.closes.iter().map(|(c, _, _)| c.as_str()))
            .collect();

        let mut out = ReformOutcome {
            units_opened: plan.opened as u64,
            ..ReformOutcome::default()
        };
        let conflict = upsert_conflict(true);
        // A reform updates households on every shard and then the shared tables (reviews,
        // units) in one transaction; Citus allows that only when the shard updates run one
        // connection at a time.
        let sequential = self.is_citus().await?;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if sequential {
                sqlx::query("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
                    .execute(&mut *tx)
                    .await?;
            }
            let mut written = 0u64;
            write_versions!(tx, plan, conflict, now, written);
            let _ = written;
            out.units_closed = plan.closes.len() as u64;
            let keys: Vec<(&String, NaiveDate)> = to_close.iter().map(|v| (&v.code, v.valid_from)).collect();
            out.units_closed += close_versions!(tx, day_before, &now, "valid_to IS NULL AND", keys);

            // Who succeeded whom, for "now part of …" and for re-basing figures.
            let mut rows = Vec::new();
            for (old, (news, _)) in &successors {
                let Some(ov) = old_version.get(old) else { continue };
                for new in news {
                    let Some(nf) = written_from.get(new.as_str()) else { continue };
                    if old == new && *nf == ov.valid_from {
                        continue; // the same unit throughout (e.g. a province kept)
                    }
                    let whole = successors[old].1
                        || input.pairs.iter().any(|p| &p.old_code == old && &p.new_code == new && p.whole);
                    rows.push((old.clone(), ov.valid_from, new.clone(), *nf, whole));
                }
            }
            for chunk in rows.chunks(UPSERT_CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO unit_successors (old_code, old_valid_from, new_code, new_valid_from, whole) ",
                );
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(&r.0).push_bind(r.1).push_bind(&r.2).push_bind(r.3).push_bind(r.4);
                });
                qb.push(" ON CONFLICT DO NOTHING");
                out.successions_recorded += qb.build().execute(&mut *tx).await?.rows_affected();
            }

            // Villages of the old communes: moved under the new commune where the old one
            // went whole into one, otherwise flagged for an administrator.
            let villages: Vec<VillageVersion> = sqlx::query_as(
                "SELECT code, valid_from, level, name, name_folded, kind, parent_code, area, area_overridden, \
                 extremely_difficult, border, programme_30a, programme_135, awaiting_assignment \
                 FROM admin_units WHERE tier = 'village' AND valid_to IS NULL ORDER BY code",
            )
            .fetch_all(&mut *tx)
            .await?;
            for v in villages {
                let Some(parent) = v.parent_code.as_deref() else { continue };
                if !input.pairs.iter().any(|p| p.old_code == parent) {
                    continue;
                }
                // Already under the new unit of its (reused) code: moved by an earlier
                // run, or made under it since. A village made under the old unit, even
                // after the effective day (a database that applies the reform late), sits
                // one level under the old commune, not the new one.
                if let Some(n) = new_row.get(parent)
                    && written_from[parent] <= v.valid_from
                    && v.level == n.level + 1
                {
                    continue;
                }
                let (news, whole) = &successors[parent];
                let target = news.iter().next().and_then(|n| new_row.get(n.as_str()));
                let (true, Some(target)) = (*whole, target) else {
                    if !v.awaiting_assignment {
                        sqlx::query(
                            "UPDATE admin_units SET awaiting_assignment = TRUE, updated_at = $1 \
                             WHERE code = $2 AND valid_from = $3",
                        )
                        .bind(&now)
                        .bind(&v.code)
                        .bind(v.valid_from)
                        .execute(&mut *tx)
                        .await?;
                    }
                    out.villages_waiting.push(WaitingVillage {
                        code: v.code.clone(),
                        name: v.name.clone(),
                        old_commune_code: parent.to_string(),
                        candidates: news.iter().cloned().collect(),
                    });
                    continue;
                };
                move_village!(tx, v, target.code, target.level, target.province_code, target.name, eff, now, out);
            }

            // Open reviews follow their communes' villages; closed ones keep their unit.
            // Only pairs whose old commune has an open review can move one, so those
            // communes are read once instead of one UPDATE per pair (thousands in the
            // national reform, a handful with reviews). A commune that receives reviews
            // joins the set, so a pair whose old code is an earlier pair's new code still
            // moves them on as before.
            let mut with_open: BTreeSet<String> =
                sqlx::query_scalar("SELECT DISTINCT commune_code FROM reviews WHERE step <> 'closed'")
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .collect();
            for p in input.pairs.iter().filter(|p| successors[&p.old_code].1) {
                let Some(target) = new_row.get(p.new_code.as_str()) else { continue };
                if !with_open.contains(&p.old_code) {
                    continue;
                }
                let moved = sqlx::query(
                    "UPDATE reviews SET commune_code = $1, district_code = NULL, province_code = $2, \
                     version = version + 1, updated_at = $3 \
                     WHERE commune_code = $4 AND step <> 'closed' AND opened_on < $5 \
                     AND (district_code IS NOT NULL OR commune_code <> $1 OR province_code <> $2)",
                )
                .bind(&target.code)
                .bind(&target.province_code)
                .bind(&now)
                .bind(&p.old_code)
                .bind(eff)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if moved > 0 {
                    with_open.insert(target.code.clone());
                }
                out.reviews_moved += moved;
            }

            // Users of a closed unit: to its successor when there is one.
            let users: Vec<UserUnit> = sqlx::query_as("SELECT id, username, unit_code FROM users ORDER BY username")
                .fetch_all(&mut *tx)
                .await?;
            for u in users {
                if !closed_now.contains(u.unit_code.as_str()) {
                    continue;
                }
                let to = successors
                    .get(&u.unit_code)
                    .filter(|(news, whole)| *whole && news.len() == 1)
                    .and_then(|(news, _)| news.iter().next().cloned());
                if let Some(to) = &to {
                    sqlx::query("UPDATE users SET unit_code = $1 WHERE id = $2")
                        .bind(to)
                        .bind(u.id)
                        .execute(&mut *tx)
                        .await?;
                }
                out.users_moved.push(UserMove { username: u.username, from: u.unit_code, to });
            }

            if out.changed_anything() {
                insert_audit!(tx, [audit(&out)]);
            }

            sqlx::query(
                "INSERT INTO unit_lists (name, hierarchy, valid_from, loaded_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(&input.list_name)
            .bind(&input.hierarchy)
            .bind(eff)
            .bind(&now)
            .execute(&mut *tx)
            .await?;

            if input.dry_run {
                tx.rollback().await?;
            } else {
                tx.commit().await?;
            }
        });
        Ok(out)
    }
}

impl Store {
    /// The villages a reform left waiting for an administrator (their old commune was
    /// split), open versions only, in one province or everywhere, by code.
    pub async fn waiting_villages(
        &self,
        province: Option<&str>,
    ) -> Result<Vec<crate::UnitRecord>, StoreError> {
        let cols = crate::units::unit_columns(crate::units::OWN_LAST_DAY);
        let sql = format!(
            "SELECT {cols} FROM admin_units u WHERE u.tier = 'village' AND u.awaiting_assignment \
             AND u.valid_to IS NULL AND ($1 IS NULL OR u.province_code = $1) ORDER BY u.code"
        );
        Ok(with_pool!(self, pool => {
            sqlx::query_as::<_, crate::UnitRecord>(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(province)
                .fetch_all(pool)
                .await?
        }))
    }
}

/// A village of a split commune given its new commune by an administrator.
#[derive(Debug, Clone)]
pub struct VillageAssignment {
    pub village_code: String,
    /// The village's open version (the one waiting).
    pub village_valid_from: NaiveDate,
    pub commune_code: String,
    pub commune_level: i32,
    pub commune_name: String,
    pub province_code: String,
    /// The first day of the new commune (the reform's), from which the village is its.
    pub effective: NaiveDate,
}

impl Store {
    /// Moves villages that waited for an administrator under the new communes given, with
    /// their households and their rows in open reviews, in one transaction: all or none.
    pub async fn assign_villages(
        &self,
        assignments: &[VillageAssignment],
        now: DateTime<Utc>,
    ) -> Result<ReformOutcome, StoreError> {
        let now = timestamp(now);
        let mut out = ReformOutcome::default();
        // A reform updates households on every shard and then the shared tables (reviews,
        // units) in one transaction; Citus allows that only when the shard updates run one
        // connection at a time.
        let sequential = self.is_citus().await?;
        with_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if sequential {
                sqlx::query("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
                    .execute(&mut *tx)
                    .await?;
            }
            for a in assignments {
                let v: VillageVersion = sqlx::query_as(
                    "SELECT code, valid_from, level, name, name_folded, kind, parent_code, area, area_overridden, \
                     extremely_difficult, border, programme_30a, programme_135, awaiting_assignment \
                     FROM admin_units WHERE code = $1 AND valid_from = $2",
                )
                .bind(&a.village_code)
                .bind(a.village_valid_from)
                .fetch_one(&mut *tx)
                .await?;
                move_village!(tx, v, a.commune_code, a.commune_level, a.province_code, a.commune_name, a.effective, now, out);
            }
            tx.commit().await?;
        });
        Ok(out)
    }
}
