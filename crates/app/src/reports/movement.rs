//! The movement table's rules: which columns a household counts in, and the
//! households behind a count.

use super::*;

// ---------------------------------------------------------------- movement rules

/// The columns (1–9) of the movement table of `list` (`poor` or `near_poor`) that a
/// household counts in for `unit`.
///
/// Columns 1 and 9 come from the statuses at the start and the end. The movement columns
/// come from the `transition` the review recorded, or, where none was recorded, from the
/// two statuses; a household that moved to another unit leaves by column 3 and arrives
/// by column 8, and one that became inactive (moved away, died, merged) leaves by 3. So
/// the check 9 = 1 − 2 − 3 − 4 + 5 + 6 + 7 + 8 holds exactly when the recorded transitions
/// agree with the statuses and every household on the start list was classified again.
pub fn movement_cells(list: &str, unit: &str, g: &MovementGroup) -> Vec<u8> {
    let other = if list == "poor" { "near_poor" } else { "poor" };
    let prev_here = g.prev_unit.as_deref() == Some(unit);
    let cur_here = g.cur_unit.as_deref() == Some(unit);
    let start_in = prev_here && g.prev_status.as_deref() == Some(list);
    let end_in = cur_here && g.cur_status.as_deref() == Some(list);
    let mut cells = Vec::new();
    if start_in {
        cells.push(1);
    }
    if end_in {
        cells.push(9);
    }
    if !g.active {
        if start_in && !end_in {
            cells.push(3);
        }
        return cells;
    }
    if g.prev_unit.is_some() && g.cur_unit.is_some() && g.prev_unit != g.cur_unit {
        if start_in {
            cells.push(3);
        }
        if end_in {
            cells.push(8);
        }
        return cells;
    }
    if !cur_here {
        return cells;
    }
    if g.split && g.prev_status.is_none() {
        if end_in {
            cells.push(8);
        }
        return cells;
    }
    match g.transition.as_deref().filter(|t| *t != "unchanged") {
        Some(t) => {
            let column = match (list, t) {
                ("poor", "escaped_poverty") => Some(2),
                ("poor", "poor_to_near_poor") => Some(4),
                ("poor", "newly_poor") => Some(5),
                ("poor", "fell_back") => Some(6),
                ("poor", "near_poor_to_poor") => Some(7),
                ("near_poor", "escaped_near_poverty") => Some(2),
                ("near_poor", "near_poor_to_poor") => Some(4),
                // A near-poor household that falls back into poverty (within the years
                // after an escape) is "tái nghèo" in the poor table and leaves the
                // near-poor list for the poor one here.
                ("near_poor", "fell_back") if start_in => Some(4),
                ("near_poor", "new_near_poor") => Some(5),
                ("near_poor", "poor_to_near_poor") => Some(7),
                _ => None,
            };
            cells.extend(column);
        }
        None if g.transition.is_some() => {}
        None => {
            if start_in && !end_in {
                if g.cur_status.as_deref() == Some(other) {
                    cells.push(4);
                } else if g.cur_status.is_some() {
                    cells.push(2);
                }
            } else if end_in && !start_in {
                if g.prev_status.as_deref() == Some(other) {
                    cells.push(7);
                } else {
                    cells.push(5);
                }
            }
        }
    }
    cells
}

pub(super) fn group_of(row: &HouseholdStatusRow) -> MovementGroup {
    MovementGroup {
        prev_unit: row.prev_unit.clone(),
        prev_status: row.prev_status.clone(),
        cur_unit: row.cur_unit.clone(),
        cur_status: row.cur_status.clone(),
        transition: row.cur_transition.clone(),
        active: row.active,
        split: row.split,
        households: 1,
    }
}

pub(super) fn has_code(list: Option<&str>, code: &str) -> bool {
    list.is_some_and(|l| l.split(',').any(|c| c.trim() == code))
}

/// Whether a household counts in fact `key` for `unit` (the drill-down of a figure).
/// `registered_here` says the registry places it in the unit.
pub fn household_counts_in(
    key: &str,
    unit: &str,
    row: &HouseholdStatusRow,
    registered_here: bool,
) -> bool {
    match key {
        "households" | "people" => return registered_here && row.active,
        "ethnic_minority" => return registered_here && row.active && row.ethnic_minority,
        _ => {}
    }
    if let Some(rest) = key.strip_prefix("move.") {
        let Some((list, n)) = rest.split_once('.') else {
            return false;
        };
        let Ok(n) = n.parse::<u8>() else {
            return false;
        };
        return movement_cells(list, unit, &group_of(row)).contains(&n);
    }
    let Some((status, measure)) = key.split_once('.') else {
        return false;
    };
    if row.cur_status.as_deref() != Some(status) || row.cur_unit.as_deref() != Some(unit) {
        return false;
    }
    match measure {
        "households" | "people" => true,
        "ethnic_minority" => row.cur_ethnic_minority == Some(true),
        "merit" => row.cur_merit == Some(true),
        "female_headed" => row.cur_female_headed == Some(true),
        "urban" => row.cur_area.as_deref() == Some("urban"),
        "no_labour" => row.cur_no_labour == Some(true),
        "children" => row.cur_children.is_some_and(|n| n > 0),
        m => {
            if let Some(code) = m.strip_prefix("deprived.") {
                has_code(row.cur_deprived.as_deref(), code)
            } else if let Some(code) = m.strip_prefix("cause.") {
                has_code(row.cur_causes.as_deref(), code)
            } else if let Some(code) = m.strip_prefix("ethnicity.") {
                row.cur_head_ethnicity.as_deref() == Some(code)
            } else {
                false
            }
        }
    }
}
