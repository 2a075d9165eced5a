//! A household that moves to another commune after its list placed it. Its status on the
//! reference date is that of the classification in force then, and the unit that counts
//! it is the one that classification names (as in every other report): the commune that
//! put it on the list counts it, with its members and its card, until the commune it
//! moved to classifies it; from that classification's effective date the new commune
//! counts it and the old one no longer does. The registry's village (where it lives
//! today) is not dated, so it cannot say where the household was on a past date.

use super::*;
use giamngheo_app::policies::benefits::BenefitInput;
use giamngheo_app::policies::coverage::CoverageRequest;
use giamngheo_store::store_test as app_test;

/// BHYT `(commune, eligible, covered)` of district 444 by commune on `as_of`, the same
/// through the narrowed reading and the full one.
async fn by_commune(app: &App, as_of: NaiveDate) -> Vec<(String, i64, i64)> {
    let req = CoverageRequest {
        unit: "444".into(),
        year: 2020,
        policy: Some("bhyt".into()),
        as_of: Some(as_of),
        by_child: true,
        basis: None,
    };
    let fast = app.coverage_as_system(&req).await.unwrap();
    let full = app.coverage_full_evaluation(&req).await.unwrap();
    assert_eq!(fast.rows, full.rows, "on {as_of}");
    fast.rows
        .into_iter()
        .map(|r| (r.unit, r.eligible, r.covered))
        .collect()
}

fn figures(rows: &[(&str, i64, i64)]) -> Vec<(String, i64, i64)> {
    rows.iter()
        .map(|(u, e, c)| (u.to_string(), *e, *c))
        .collect()
}

async fn a_moved_household_counts_where_its_classification_in_force_places_it(store: Store) {
    let app = setup(store).await;
    let office = actor(Role::Office, "444", Tier::District, None);
    let id = households(
        &app,
        "18499001",
        &[vec![
            member("Hồ Văn Nam", "head", 1970, None),
            member("Hồ Thị Na", "child", 2012, Some("primary")),
        ]],
    )
    .await[0];
    app.store()
        .insert_classifications(
            &[classification(
                id,
                "18499001",
                2020,
                "poor",
                date(2019, 12, 20),
            )],
            &[],
            Utc::now(),
        )
        .await
        .unwrap();
    let members = app.store().members_of(id, false).await.unwrap();
    app.record_benefit(
        &office,
        BenefitInput {
            household_id: id,
            member_id: Some(members[0].id),
            policy: "bhyt".into(),
            valid_from: Some(date(2020, 1, 1)),
            valid_to: Some(date(2020, 12, 31)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let before = figures(&[("18499", 2, 1), ("18502", 0, 0)]);
    assert_eq!(by_commune(&app, date(2020, 12, 31)).await, before);

    // The household moves to a village of the other commune: the registry changes, its
    // list of 2020 does not. The commune that classified it still counts it, with both
    // members and the head's card.
    let view = app.household(&office, id).await.unwrap();
    let (mut draft, ids) = App::draft_of(&view);
    draft.village_code = "18502001".into();
    app.update_household(
        &office,
        id,
        view.household.version,
        draft,
        ids,
        Some("Chuyển đến xã khác".into()),
    )
    .await
    .unwrap();
    assert_eq!(
        app.household(&office, id)
            .await
            .unwrap()
            .household
            .fields
            .commune_code,
        "18502"
    );
    assert_eq!(by_commune(&app, date(2020, 12, 31)).await, before);
    let old_commune = CoverageRequest {
        unit: "18499".into(),
        year: 2020,
        policy: Some("bhyt".into()),
        as_of: Some(date(2020, 12, 31)),
        ..Default::default()
    };
    let list = app.uncovered(&office, &old_commune).await.unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.items[0].member_id, Some(members[1].id));

    // The new commune classifies it from 01/09/2020: from then on it counts there, and
    // before that day where it was.
    app.store()
        .insert_classifications(
            &[classification(
                id,
                "18502001",
                2020,
                "poor",
                date(2020, 9, 1),
            )],
            &[],
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(
        by_commune(&app, date(2020, 12, 31)).await,
        figures(&[("18499", 0, 0), ("18502", 2, 1)])
    );
    assert_eq!(by_commune(&app, date(2020, 8, 31)).await, before);
    assert_eq!(app.uncovered(&office, &old_commune).await.unwrap().total, 0);
}
app_test!(a_moved_household_counts_where_its_classification_in_force_places_it);
