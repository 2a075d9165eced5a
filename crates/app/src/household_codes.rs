//! The next household code a commune would give (issue 15): adding a household suggests
//! it, so that an officer does not look up the last code by hand. Communes number their
//! households their own way ("18547-00012", "DM-007"): the suggestion follows the way
//! most of the commune's codes are written, the same prefix and the same width, one
//! past the highest number. It is only a suggestion; the form may be changed and the
//! store still refuses a code already used.

use crate::access::{Action, Actor};
use crate::{App, AppError};
use std::collections::HashMap;

/// The code after the highest of `codes` written the commune's usual way; for a commune
/// without numbered codes, `{commune}-00001`.
pub fn next_household_code(commune: &str, codes: &[String]) -> String {
    // Each code split into its prefix and its trailing number.
    let numbered: Vec<(&str, &str)> = codes
        .iter()
        .filter_map(|c| {
            let digits = c.len() - c.trim_end_matches(|ch: char| ch.is_ascii_digit()).len();
            (digits > 0).then(|| c.split_at(c.len() - digits))
        })
        .collect();
    let mut by_prefix: HashMap<&str, usize> = HashMap::new();
    for (prefix, _) in &numbered {
        *by_prefix.entry(prefix).or_default() += 1;
    }
    // The most used prefix; ties go to the longer, then the smaller one, so that the
    // answer does not depend on the order of the codes.
    let Some(prefix) = by_prefix
        .iter()
        .max_by(|a, b| {
            a.1.cmp(b.1)
                .then_with(|| a.0.len().cmp(&b.0.len()))
                .then_with(|| b.0.cmp(a.0))
        })
        .map(|(p, _)| *p)
    else {
        return format!("{commune}-00001");
    };
    let (width, highest) = numbered
        .iter()
        .filter(|(p, _)| *p == prefix)
        .fold((0, 0u64), |(w, h), (_, n)| {
            (w.max(n.len()), h.max(n.parse().unwrap_or(0)))
        });
    format!("{prefix}{:0width$}", highest + 1)
}

impl App {
    /// The household code to suggest for a new household of `commune`, which the user
    /// must be allowed to add households to.
    pub async fn suggest_household_code(
        &self,
        actor: &Actor,
        commune: &str,
    ) -> Result<String, AppError> {
        self.authorize(actor, Action::WriteHouseholds, commune)
            .await?;
        let codes = self.store().household_codes_in_commune(commune).await?;
        Ok(next_household_code(commune, &codes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_next_code_follows_the_communes_numbering() {
        assert_eq!(
            next_household_code(
                "18547",
                &codes(&["18547-00001", "18547-00012", "18547-00003"])
            ),
            "18547-00013"
        );
        assert_eq!(
            next_household_code("18502", &codes(&["DM-001", "DM-002"])),
            "DM-003"
        );
        // The usual prefix wins over a stray code.
        assert_eq!(
            next_household_code("18502", &codes(&["DM-009", "DM-010", "X-99"])),
            "DM-011"
        );
        // A number past its width grows rather than wraps.
        assert_eq!(next_household_code("1", &codes(&["A-99"])), "A-100");
    }

    #[test]
    fn a_commune_without_numbered_codes_starts_at_one() {
        assert_eq!(next_household_code("18547", &[]), "18547-00001");
        assert_eq!(
            next_household_code("18547", &codes(&["ABC"])),
            "18547-00001"
        );
    }
}
