//! Matching a row of an outside list (an agency's benefit list, an activity's list of
//! beneficiaries) to a member of the registry, the one rule for every such import: by
//! citizen ID; failing that, by the folded name, birth year and village; failing that,
//! unmatched. A row that fits several members is ambiguous. Both kinds of failure go to
//! a queue an officer resolves, so the rule lives here once.

use crate::{App, AppError};
use giamngheo_domain::text;
use giamngheo_sheets::benefit_lists::ListRow;
use giamngheo_store::{MatchCandidate, UnitRecord};
use std::collections::{HashMap, HashSet};

/// How one row was matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Match {
    One(usize),
    Ambiguous(Vec<usize>),
    None,
}

/// The members of a unit, indexed for matching.
pub(crate) struct Index<'a> {
    candidates: &'a [MatchCandidate],
    by_citizen_id: HashMap<&'a str, Vec<usize>>,
    by_name_year: HashMap<(&'a str, i32), Vec<usize>>,
    /// The folded names of each village (every version).
    village_names: HashMap<&'a str, Vec<String>>,
}

impl<'a> Index<'a> {
    pub(crate) fn new(
        candidates: &'a [MatchCandidate],
        villages: &'a [(String, String)],
    ) -> Index<'a> {
        let mut by_citizen_id: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_name_year: HashMap<(&str, i32), Vec<usize>> = HashMap::new();
        for (i, c) in candidates.iter().enumerate() {
            if let Some(id) = &c.citizen_id {
                by_citizen_id.entry(id.as_str()).or_default().push(i);
            }
            by_name_year
                .entry((c.name_folded.as_str(), c.birth_year))
                .or_default()
                .push(i);
        }
        let mut village_names: HashMap<&str, Vec<String>> = HashMap::new();
        for (code, name) in villages {
            village_names
                .entry(code.as_str())
                .or_default()
                .push(name.clone());
        }
        Index {
            candidates,
            by_citizen_id,
            by_name_year,
            village_names,
        }
    }

    /// Whether the village the list wrote (a code, a name with or without «Thôn») is the
    /// candidate's village.
    fn same_village(&self, candidate: &MatchCandidate, written_folded: &str) -> bool {
        if written_folded == candidate.village_code {
            return true;
        }
        self.village_names
            .get(candidate.village_code.as_str())
            .is_some_and(|names| {
                names.iter().any(|n| {
                    n == written_folded
                        || n.strip_suffix(written_folded)
                            .is_some_and(|head| head.ends_with(' '))
                })
            })
    }

    pub(crate) fn find(&self, row: &ListRow) -> Match {
        if let Some(id) = &row.citizen_id
            && let Some(found) = self.by_citizen_id.get(id.as_str())
        {
            return match found.as_slice() {
                [one] => Match::One(*one),
                many => Match::Ambiguous(many.to_vec()),
            };
        }
        let Some(year) = row.birth_year else {
            return Match::None;
        };
        let name = text::fold(&row.full_name);
        let Some(same_name) = self.by_name_year.get(&(name.as_str(), year)) else {
            return Match::None;
        };
        let Some(village) = &row.village else {
            // Without a village, a name and year alone never decide: an officer confirms.
            return Match::Ambiguous(same_name.clone());
        };
        let village = text::fold(village);
        let fits: Vec<usize> = same_name
            .iter()
            .copied()
            .filter(|i| self.same_village(&self.candidates[*i], &village))
            .collect();
        match fits.as_slice() {
            [] => Match::None,
            [one] => Match::One(*one),
            many => Match::Ambiguous(many.to_vec()),
        }
    }
}

impl App {
    /// The members of `unit` and below that matching `rows` can find, with the folded
    /// names of their villages: what [`Index`] matches against.
    ///
    /// [`Index::find`] only ever looks up a row's citizen ID, and, when that finds no one,
    /// the row's folded name and birth year; so the members holding the rows' citizen IDs,
    /// then those bearing the names of the rows whose ID found no one, match exactly as
    /// every member of the unit would. A province-wide list reads a few thousand members
    /// by index instead of all 1,8 million.
    pub(crate) async fn match_candidates_of(
        &self,
        unit: &UnitRecord,
        rows: &[ListRow],
    ) -> Result<(Vec<MatchCandidate>, Vec<(String, String)>), AppError> {
        let mut citizen_ids: Vec<String> =
            rows.iter().filter_map(|r| r.citizen_id.clone()).collect();
        citizen_ids.sort_unstable();
        citizen_ids.dedup();
        let mut candidates = self
            .store()
            .match_candidates_among(&unit.code, &unit.tier, &citizen_ids, &[])
            .await?;
        let found: HashSet<&str> = candidates
            .iter()
            .filter_map(|c| c.citizen_id.as_deref())
            .collect();
        let mut names: Vec<String> = rows
            .iter()
            .filter(|r| r.birth_year.is_some())
            .filter(|r| r.citizen_id.as_deref().is_none_or(|id| !found.contains(id)))
            .map(|r| text::fold(&r.full_name))
            .collect();
        names.sort_unstable();
        names.dedup();
        if !names.is_empty() {
            let known: HashSet<i64> = candidates.iter().map(|c| c.member_id).collect();
            let by_name = self
                .store()
                .match_candidates_among(&unit.code, &unit.tier, &[], &names)
                .await?;
            candidates.extend(
                by_name
                    .into_iter()
                    .filter(|c| !known.contains(&c.member_id)),
            );
        }
        let mut village_codes: Vec<String> =
            candidates.iter().map(|c| c.village_code.clone()).collect();
        village_codes.sort_unstable();
        village_codes.dedup();
        let villages = self.store().village_names_folded(&village_codes).await?;
        Ok((candidates, villages))
    }
}
