//! Claims of the values that must be unique across the whole country (migration 0091):
//! citizen IDs of active members, household codes per commune, certificate numbers per
//! commune and period.
//!
//! A write that can change which of these values a set of households holds reads what
//! they hold before it and after it ([`held_by`]), and settles the difference
//! ([`settle`]) in the same transaction: values no longer held are released, new ones
//! claimed. A claim already taken by another household, in whatever home province it is
//! stored, is refused by the claim's primary key and reaches the caller as
//! [`StoreError::Duplicate`] with the same message as the row's own unique index, which
//! names no household. Claims are written in the values' order, so that two writers
//! never wait for each other's claims in opposite orders.
//!
//! The same code runs on SQLite, where the rows' own unique indexes already hold for the
//! whole database; the claims then only agree with them.

use crate::{StoreError, UniqueKey};
use std::collections::BTreeSet;

/// Rows per claim statement (two parameters a row at most).
pub(crate) const CHUNK: usize = 1000;

/// The unique values a set of households holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Held {
    pub(crate) citizen_ids: BTreeSet<String>,
    /// (commune, household code).
    pub(crate) codes: BTreeSet<(String, String)>,
}

impl Held {
    /// What new households with their members will hold (new members are active). A
    /// value given twice among them is refused here, as its claim would be: the set of
    /// claims would otherwise hold it once and let both through.
    pub(crate) fn of_new(households: &[crate::NewHousehold]) -> Result<Held, StoreError> {
        let mut held = Held::default();
        for h in households {
            let code = (h.fields.commune_code.clone(), h.fields.code.clone());
            if !held.codes.insert(code) {
                return Err(StoreError::Duplicate(UniqueKey::HouseholdCode));
            }
            for id in h.members.iter().filter_map(|m| m.citizen_id.as_ref()) {
                if !id.is_empty() && !held.citizen_ids.insert(id.clone()) {
                    return Err(StoreError::Duplicate(UniqueKey::CitizenId));
                }
            }
        }
        Ok(held)
    }
}

/// What `households` (ids) hold now, read inside an open transaction.
macro_rules! held_by {
    ($tx:expr, $households:expr) => {{
        let households: &[i64] = $households;
        let mut held = $crate::claims::Held::default();
        // The households' keys name their shards (see crate::homes).
        let homes = $crate::homes::distinct_homes(&$crate::homes::read_homes!($tx, households));
        for chunk in households.chunks($crate::claims::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new("SELECT citizen_id FROM members WHERE ");
            $crate::homes::push_homes(&mut qb, "home_province", &homes);
            qb.push(
                " AND active = TRUE AND citizen_id IS NOT NULL \
                 AND citizen_id <> '' AND household_id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            let ids: Vec<String> = qb.build_query_scalar().fetch_all(&mut *$tx).await?;
            held.citizen_ids.extend(ids);
            let mut qb =
                sqlx::QueryBuilder::new("SELECT commune_code, code FROM households WHERE ");
            $crate::homes::push_homes(&mut qb, "home_province", &homes);
            qb.push(" AND id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            let codes: Vec<(String, String)> = qb.build_query_as().fetch_all(&mut *$tx).await?;
            held.codes.extend(codes);
        }
        held
    }};
}

/// Releases what `$before` held and `$after` no longer does, and claims what `$after`
/// holds and `$before` did not, inside an open transaction.
macro_rules! settle {
    ($tx:expr, $before:expr, $after:expr) => {{
        let before: &$crate::claims::Held = $before;
        let after: &$crate::claims::Held = $after;
        let released: Vec<&String> = before.citizen_ids.difference(&after.citizen_ids).collect();
        for chunk in released.chunks($crate::claims::CHUNK) {
            let mut qb =
                sqlx::QueryBuilder::new("DELETE FROM citizen_id_claims WHERE citizen_id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind((*id).clone());
            }
            qb.push(")");
            qb.build().execute(&mut *$tx).await?;
        }
        let released: Vec<&(String, String)> = before.codes.difference(&after.codes).collect();
        for (commune, code) in released {
            sqlx::query("DELETE FROM household_code_claims WHERE commune_code = $1 AND code = $2")
                .bind(commune)
                .bind(code)
                .execute(&mut *$tx)
                .await?;
        }
        let claimed: Vec<&String> = after.citizen_ids.difference(&before.citizen_ids).collect();
        for chunk in claimed.chunks($crate::claims::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO citizen_id_claims (citizen_id) ");
            qb.push_values(chunk, |mut b, id| {
                b.push_bind((*id).clone());
            });
            qb.build().execute(&mut *$tx).await?;
        }
        let claimed: Vec<&(String, String)> = after.codes.difference(&before.codes).collect();
        for chunk in claimed.chunks($crate::claims::CHUNK) {
            let mut qb =
                sqlx::QueryBuilder::new("INSERT INTO household_code_claims (commune_code, code) ");
            qb.push_values(chunk, |mut b, (commune, code)| {
                b.push_bind(commune.clone()).push_bind(code.clone());
            });
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}

/// Claims the certificate numbers first given by `$rows` (classification fields), inside
/// the transaction that stores them. A correction carries its number over and claims
/// nothing; certificate numbers are never released (history is not rewritten).
macro_rules! claim_certificates {
    ($tx:expr, $rows:expr) => {{
        let rows: &[$crate::ClassificationFields] = $rows;
        let claims: std::collections::BTreeSet<(&str, &str, i32, &str)> = rows
            .iter()
            .filter(|c| c.supersedes.is_none())
            .filter_map(|c| {
                c.certificate_number.as_deref().map(|n| {
                    (
                        c.commune_code.as_str(),
                        c.province_code.as_str(),
                        c.period,
                        n,
                    )
                })
            })
            .collect();
        let claims: Vec<_> = claims.into_iter().collect();
        for chunk in claims.chunks($crate::claims::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO certificate_claims (commune_code, province_code, period, certificate_number) ",
            );
            qb.push_values(chunk, |mut b, (commune, province, period, number)| {
                b.push_bind(commune.to_string())
                    .push_bind(province.to_string())
                    .push_bind(*period)
                    .push_bind(number.to_string());
            });
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}

pub(crate) use {claim_certificates, held_by, settle};
