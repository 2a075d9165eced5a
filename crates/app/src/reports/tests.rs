//! Tests of the report definitions, formulas and movement rules.

use super::*;

#[test]
fn the_builtin_definitions_load() {
    let c = ReportCatalog::builtin();
    assert!(c.get("dien-bien-ho-ngheo").is_some());
    assert_eq!(c.indicators_for(2021).0, "vn-2016");
    assert_eq!(c.indicators_for(2022).1.len(), 12);
}

#[test]
fn formulas_compute_rates_and_refuse_division_by_zero() {
    let e = Expr::parse("poor.households / households * 100").unwrap();
    let f = |n: &str| match n {
        "poor.households" => Some(121.0),
        "households" => Some(3000.0),
        _ => None,
    };
    assert!((e.eval(&f).unwrap() - 4.0333).abs() < 1e-3);
    let zero = |n: &str| {
        if n == "households" {
            Some(0.0)
        } else {
            Some(1.0)
        }
    };
    assert_eq!(e.eval(&zero), None);
    assert_eq!(
        Expr::parse("c1 - c2 - (c3 - -c4)").unwrap().names(),
        vec!["c1", "c2", "c3", "c4"]
    );
    assert!(Expr::parse("a +").is_err());
}

fn g(prev: Option<(&str, &str)>, cur: Option<(&str, &str)>, t: Option<&str>) -> MovementGroup {
    MovementGroup {
        prev_unit: prev.map(|p| p.0.to_string()),
        prev_status: prev.map(|p| p.1.to_string()),
        cur_unit: cur.map(|c| c.0.to_string()),
        cur_status: cur.map(|c| c.1.to_string()),
        transition: t.map(String::from),
        active: true,
        split: false,
        households: 1,
    }
}

#[test]
fn movements_fall_in_their_columns() {
    let esc = g(Some(("A", "poor")), Some(("A", "not_poor")), None);
    assert_eq!(movement_cells("poor", "A", &esc), vec![1, 2]);
    let to_np = g(Some(("A", "poor")), Some(("A", "near_poor")), None);
    assert_eq!(movement_cells("poor", "A", &to_np), vec![1, 4]);
    assert_eq!(movement_cells("near_poor", "A", &to_np), vec![9, 7]);
    let new = g(None, Some(("A", "poor")), Some("newly_poor"));
    assert_eq!(movement_cells("poor", "A", &new), vec![9, 5]);
    let back = g(
        Some(("A", "not_poor")),
        Some(("A", "poor")),
        Some("fell_back"),
    );
    assert_eq!(movement_cells("poor", "A", &back), vec![9, 6]);
    assert_eq!(movement_cells("near_poor", "A", &back), Vec::<u8>::new());
    let back_from_np = g(
        Some(("A", "near_poor")),
        Some(("A", "poor")),
        Some("fell_back"),
    );
    assert_eq!(movement_cells("poor", "A", &back_from_np), vec![9, 6]);
    assert_eq!(movement_cells("near_poor", "A", &back_from_np), vec![1, 4]);
    let moved = g(Some(("A", "poor")), Some(("B", "poor")), None);
    assert_eq!(movement_cells("poor", "A", &moved), vec![1, 3]);
    assert_eq!(movement_cells("poor", "B", &moved), vec![9, 8]);
    let mut gone = g(Some(("A", "poor")), None, None);
    gone.active = false;
    assert_eq!(movement_cells("poor", "A", &gone), vec![1, 3]);
    // A recorded escape from a household that was not poor at the start breaks the
    // check: it decreases a list it was never on.
    let wrong = g(
        Some(("A", "near_poor")),
        Some(("A", "not_poor")),
        Some("escaped_poverty"),
    );
    assert_eq!(movement_cells("poor", "A", &wrong), vec![2]);
}
