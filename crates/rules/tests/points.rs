//! Form B1 point tables loaded as data, and score A computed from item answers.

use giamngheo_domain::Area;
use giamngheo_rules::{Answer, PointError, PointTable, ResolvedScoreA, resolve_score_a};

/// An example table, also a seed of the parsers' fuzzing (`never_panics.rs`).
const TABLE: &str = include_str!("data/b1-example.toml");

#[test]
fn score_a_is_the_base_plus_the_items() {
    let table = PointTable::parse("example.toml", TABLE).unwrap();
    assert_eq!(table.area, Some(Area::Rural));
    let score = |size, tv| {
        table.score([
            ("household_size", Answer::Count(size)),
            ("tv", Answer::Choice(tv)),
        ])
    };
    assert_eq!(score(1, "yes"), Ok(100));
    assert_eq!(score(2, "no"), Ok(75));
    assert_eq!(score(3, "no"), Ok(75));
    assert_eq!(score(9, "yes"), Ok(65));
}

#[test]
fn every_item_must_be_answered_once_with_a_valid_answer() {
    let table = PointTable::parse("example.toml", TABLE).unwrap();
    assert_eq!(
        table.score([("tv", Answer::Choice("yes"))]),
        Err(PointError::Missing("household_size".into()))
    );
    assert_eq!(
        table.score([("cows", Answer::Count(2))]),
        Err(PointError::UnknownItem("cows".into()))
    );
    assert!(matches!(
        table.score([
            ("tv", Answer::Choice("maybe")),
            ("household_size", Answer::Count(1))
        ]),
        Err(PointError::InvalidAnswer { .. })
    ));
    assert!(matches!(
        table.score([
            ("tv", Answer::Count(1)),
            ("household_size", Answer::Count(1))
        ]),
        Err(PointError::InvalidAnswer { .. })
    ));
    assert_eq!(
        table.score([("tv", Answer::Choice("no")), ("tv", Answer::Choice("no")),]),
        Err(PointError::AnsweredTwice("tv".into()))
    );
}

#[test]
fn a_malformed_table_names_the_line() {
    let text = TABLE.replace("{ up_to = 3, points = 25 }", "{ up_to = 0, points = 25 }");
    let error = PointTable::parse("bad.toml", &text).unwrap_err();
    let line = TABLE[..TABLE.find("[[items]]").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(error.line(), Some(line), "{error}");
    assert!(error.to_string().starts_with("bad.toml:"), "{error}");

    let text = TABLE.replace("choices = { yes = 10, no = 0 }", "points = 10");
    let error = PointTable::parse("bad.toml", &text).unwrap_err();
    assert!(error.to_string().contains("points"), "{error}");
}

#[test]
fn without_a_table_score_a_is_taken_as_entered() {
    let table = PointTable::parse("example.toml", TABLE).unwrap();
    let answers = [
        ("household_size", Answer::Count(2)),
        ("tv", Answer::Choice("no")),
    ];
    assert_eq!(
        resolve_score_a(None, Some(120), &answers),
        Ok(ResolvedScoreA {
            score: Some(120),
            computed: false,
            entered_differs: None
        })
    );
    // With a table and answers, the computed total wins and a different entry is flagged.
    assert_eq!(
        resolve_score_a(Some(&table), Some(120), &answers),
        Ok(ResolvedScoreA {
            score: Some(75),
            computed: true,
            entered_differs: Some(120)
        })
    );
    assert_eq!(
        resolve_score_a(Some(&table), Some(75), &answers)
            .unwrap()
            .entered_differs,
        None
    );
    // A form with only the total filled in keeps the total.
    assert_eq!(
        resolve_score_a(Some(&table), Some(90), &[]).unwrap().score,
        Some(90)
    );
}
