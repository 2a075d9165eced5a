//! The commune's annual household review (rà soát) through the app layer, on SQLite and
//! PostgreSQL, from the list to the certificates. The other review tests are by topic:
//! review_steps (what each step refuses, corrections, settings), review_deadlines (working
//! days across Tết, the reporting calendar), review_requests (a household's own request
//! during the year) and review_access (who may read or act).

use giamngheo_app::access::Role;
use giamngheo_app::awaiting::Awaiting;
use giamngheo_app::{App, AppError};
use giamngheo_domain::Tier;
use giamngheo_store::Store;
use std::collections::BTreeSet;

/// The review set-up shared with the other review test files.
#[path = "common/reviews.rs"]
mod fixtures;
use fixtures::*;

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

async fn the_annual_review_of_a_commune_runs_from_the_list_to_the_certificates(store: Store) {
    let (app, clock) = setup(store, "2021-08-20").await;
    let me = officer(DIEN_MY);

    // Điền Mỹ's lists for 2021, decided on paper under the 2016 standard.
    let binh = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    let lan = family(&app, &me, "DM-002", TRUNG_HOA, "Trần Thị Lan").await;
    let hung = family(&app, &me, "DM-003", TRUNG_HOA, "Lê Văn Hùng").await;
    let mai = family(&app, &me, "DM-004", TRUNG_HOA, "Hồ Thị Mai").await;
    let duc = family(&app, &me, "DM-005", HA_LAM, "Phan Văn Đức").await;
    let hoa = family(&app, &me, "DM-006", HA_LAM, "Võ Thị Hoa").await;
    let nam = family(&app, &me, "DM-007", HA_LAM, "Đặng Văn Nam").await;
    let thu = family(&app, &me, "DM-008", HA_LAM, "Bùi Thị Thu").await;
    let son = family(&app, &me, "DM-009", HA_LAM, "Ngô Văn Sơn").await;
    let elsewhere = family(&app, &officer(HA_LINH), "HL-001", BAC_HA, "Lê Văn Tám").await;
    for (h, status) in [
        (binh, "poor"),
        (lan, "poor"),
        (hung, "poor"),
        (mai, "near_poor"),
        (duc, "near_poor"),
        (son, "not_poor"),
        (elsewhere, "poor"),
    ] {
        baseline(&app, h, 2021, "vn-2016", status).await;
    }
    // Võ Thị Hoa left poverty in 2021 and now asks to be reviewed again.
    baseline(&app, hoa, 2020, "vn-2016", "poor").await;
    baseline(&app, hoa, 2021, "vn-2016", "not_poor").await;

    // Step 1, September 2021: the review for 2022 lists the households on the lists.
    clock.set("2021-09-06");
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.review.step, "listing");
    assert_eq!(view.review.standard, "vn-2022");
    assert_eq!(view.review.due_on, day("2021-12-14"));
    let listed: BTreeSet<i64> = view.households.iter().map(|h| h.household_id).collect();
    assert_eq!(
        listed,
        BTreeSet::from([binh, lan, hung, mai, duc]),
        "the poor and near-poor of Điền Mỹ are listed; not the others, nor Hà Linh's"
    );
    assert!(
        view.households
            .iter()
            .all(|h| h.source == "list" && h.step == "listed")
    );

    // Three households hand in a request; phiếu A lets two through.
    for (h, name) in [
        (hoa, "Võ Thị Hoa"),
        (nam, "Đặng Văn Nam"),
        (thu, "Bùi Thị Thu"),
    ] {
        app.add_review_request(&me, id, h, request("2021-09-06", "enter", name))
            .await
            .unwrap();
    }
    assert!(matches!(
        app.add_review_request(&me, id, nam, request("2021-09-07", "enter", "Đặng Văn Nam"))
            .await,
        Err(AppError::Conflict(_))
    ));
    refused_at_step(
        app.start_survey(&me, id, version(&app, &me, id).await)
            .await,
        "chưa được nhận dạng nhanh",
    );
    clock.set("2021-09-09");
    screen(&app, &me, id, hoa, true).await;
    screen(&app, &me, id, nam, true).await;
    screen(&app, &me, id, thu, false).await;

    // Step 2: the survey with phiếu B.
    clock.set("2021-09-10");
    let v = version(&app, &me, id).await;
    app.start_survey(&me, id, v).await.unwrap();
    clock.set("2021-09-20");
    let on = "2021-09-20";
    assert_eq!(
        survey(&app, &me, id, binh, phieu_b(120, &FOUR, on)).await,
        "poor"
    );
    assert_eq!(
        survey(&app, &me, id, lan, phieu_b(130, &["water"], on)).await,
        "near_poor"
    );
    assert_eq!(
        survey(&app, &me, id, hung, phieu_b(160, &THREE, on)).await,
        "not_poor"
    );
    assert_eq!(
        survey(&app, &me, id, mai, phieu_b(150, &[], on)).await,
        "not_poor"
    );
    refused_at_step(
        app.start_meetings(&me, id, version(&app, &me, id).await)
            .await,
        "chưa được điều tra",
    );
    assert_eq!(
        survey(&app, &me, id, duc, phieu_b(135, &["water", "telecom"], on)).await,
        "near_poor"
    );
    assert_eq!(
        survey(&app, &me, id, hoa, phieu_b(110, &THREE, on)).await,
        "poor"
    );
    assert_eq!(
        survey(&app, &me, id, nam, phieu_b(125, &FOUR, on)).await,
        "poor"
    );
    // The household screened out is not surveyed.
    let view = app.review(&me, id).await.unwrap();
    let out = rh(&view, thu);
    assert_eq!(out.step, "excluded");
    assert!(matches!(
        app.record_survey(&me, id, out.id, out.version, phieu_b(100, &FOUR, on))
            .await,
        Err(AppError::Invalid { .. })
    ));

    // Step 3: the village meetings. Trung Hòa agrees with only 49 of 100: its households
    // go back to the survey, and the posting cannot start.
    clock.set("2021-10-05");
    let v = version(&app, &me, id).await;
    app.start_meetings(&me, id, v).await.unwrap();
    assert!(
        !app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-10-05", 100, 49))
            .await
            .unwrap()
    );
    assert!(
        app.record_meeting(&me, id, meeting(HA_LAM, "2021-10-05", 35, 30))
            .await
            .unwrap()
    );
    let view = app.review(&me, id).await.unwrap();
    for h in [binh, lan, hung, mai] {
        assert_eq!(
            rh(&view, h).step,
            "resurvey",
            "Trung Hòa goes back to the survey"
        );
        assert_eq!(rh(&view, h).meeting_outcome, "rejected");
    }
    for h in [duc, hoa, nam] {
        assert_eq!(rh(&view, h).meeting_outcome, "agreed");
    }
    assert!(
        view.allows(giamngheo_domain::review::Move::StartPosting)
            .is_err()
    );
    refused_at_step(
        app.start_posting(&me, id, view.review.version, day("2021-10-06"), "UBND xã")
            .await,
        "chưa được điều tra",
    );
    // Hạ Lâm's households were agreed: no new survey for them without a complaint.
    let agreed = rh(&view, duc);
    refused_at_step(
        app.record_survey(&me, id, agreed.id, agreed.version, phieu_b(100, &FOUR, on))
            .await,
        "đã được họp dân thông qua",
    );

    // The reviewers go back to Trung Hòa; Lê Văn Hùng's home is found worse than thought.
    clock.set("2021-10-08");
    let on = "2021-10-08";
    assert_eq!(
        survey(&app, &me, id, binh, phieu_b(118, &FOUR, on)).await,
        "poor"
    );
    assert_eq!(
        survey(&app, &me, id, lan, phieu_b(131, &["water"], on)).await,
        "near_poor"
    );
    assert_eq!(
        survey(&app, &me, id, hung, phieu_b(145, &THREE, on)).await,
        "not_poor"
    );
    assert_eq!(
        survey(&app, &me, id, mai, phieu_b(152, &[], on)).await,
        "not_poor"
    );
    refused_at_step(
        app.start_posting(
            &me,
            id,
            version(&app, &me, id).await,
            day("2021-10-12"),
            "UBND xã",
        )
        .await,
        "chưa được họp dân thông qua",
    );
    // The new meeting: exactly half agrees, which is enough.
    clock.set("2021-10-12");
    assert!(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-10-12", 40, 20))
            .await
            .unwrap()
    );

    // Step 4: the posting, put up on Monday 18 October; the day it goes up is not counted,
    // so its 3 working days run to Thursday 21 October.
    clock.set("2021-10-18");
    let v = version(&app, &me, id).await;
    let ends = app
        .start_posting(&me, id, v, day("2021-10-18"), "Nhà văn hóa thôn và UBND xã")
        .await
        .unwrap();
    assert_eq!(ends, day("2021-10-21"));
    clock.set("2021-10-19");
    let complaint = app
        .record_complaint(
            &me,
            id,
            Some(duc),
            "Phan Văn Đức",
            "Gia đình không có bảo hiểm y tế, nhà dột nát; đề nghị xem lại.",
            day("2021-10-19"),
        )
        .await
        .unwrap();

    // The posting is not over on its last day.
    clock.set("2021-10-21");
    let v = version(&app, &me, id).await;
    refused_at_step(
        app.approve_review(&me, id, v, "125/QĐ-UBND", day("2021-10-21"))
            .await,
        "21/10/2021",
    );
    // The day after, the open complaint still stops the decision.
    clock.set("2021-10-22");
    refused_at_step(
        app.approve_review(&me, id, v, "125/QĐ-UBND", day("2021-10-22"))
            .await,
        "khiếu nại",
    );
    // The re-check (phúc tra) finds three deprivations: a new survey before the decision.
    app.resolve_complaint(
        &me,
        id,
        complaint,
        "Phúc tra: thiếu bảo hiểm y tế, nhà tạm; điều tra lại",
        day("2021-10-22"),
        true,
    )
    .await
    .unwrap();
    refused_at_step(
        app.approve_review(
            &me,
            id,
            version(&app, &me, id).await,
            "125/QĐ-UBND",
            day("2021-10-22"),
        )
        .await,
        "chưa được họp dân thông qua",
    );
    assert_eq!(
        survey(&app, &me, id, duc, phieu_b(135, &THREE, "2021-10-22")).await,
        "poor"
    );

    // Step 5: the chair decides on Monday.
    clock.set("2021-10-25");
    let v = version(&app, &me, id).await;
    let decided = app
        .approve_review(&me, id, v, "125/QĐ-UBND", day("2021-10-25"))
        .await
        .unwrap();
    assert_eq!(decided, 7, "every household surveyed gets a classification");

    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.review.step, "closed");
    assert_eq!(view.review.decision_number.as_deref(), Some("125/QĐ-UBND"));
    assert_eq!(view.review.closed_on, Some(day("2021-10-25")));
    assert!(!view.can_write);
    assert_eq!(view.meetings.len(), 3);
    assert_eq!(
        view.meetings.iter().filter(|m| !m.passed).count(),
        1,
        "the failed meeting stays on record"
    );
    assert_eq!(view.complaints[0].resolved_on, Some(day("2021-10-22")));

    let expected = [
        (binh, "poor", "unchanged"),
        (lan, "near_poor", "poor_to_near_poor"),
        (hung, "not_poor", "escaped_poverty"),
        (mai, "not_poor", "escaped_near_poverty"),
        (duc, "poor", "near_poor_to_poor"),
        (hoa, "poor", "fell_back"),
        (nam, "poor", "newly_poor"),
    ];
    let mut certificates = Vec::new();
    for (h, status, transition) in expected {
        let statuses = app.household_statuses(&me, h).await.unwrap();
        let c = &statuses[0].fields;
        assert_eq!(c.period, 2022, "household {h}");
        assert_eq!(c.standard, "vn-2022");
        assert_eq!(c.kind, "periodic");
        assert_eq!(c.review_id, Some(id));
        assert_eq!(c.status, status, "household {h}");
        assert_eq!(c.transition.as_deref(), Some(transition), "household {h}");
        assert_eq!(c.decision_number.as_deref(), Some("125/QĐ-UBND"));
        assert_eq!(c.decision_date, Some(day("2021-10-25")));
        let r = rh(&view, h);
        assert_eq!(r.final_status.as_deref(), Some(status));
        assert_eq!(r.classification_id, Some(statuses[0].id));
        if matches!(status, "poor" | "near_poor") {
            let n = c.certificate_number.clone().expect("a certificate");
            assert!(n.ends_with("/GCN-HN.HCN"), "{n}");
            certificates.push(n);
        } else {
            assert_eq!(c.certificate_number, None, "no certificate off the lists");
        }
    }
    certificates.sort();
    assert_eq!(
        certificates,
        [
            "001/GCN-HN.HCN",
            "002/GCN-HN.HCN",
            "003/GCN-HN.HCN",
            "004/GCN-HN.HCN",
            "005/GCN-HN.HCN"
        ]
    );
    // Phan Văn Đức's classification carries the re-check's survey.
    let duc_now = &app.household_statuses(&me, duc).await.unwrap()[0];
    assert_eq!(duc_now.fields.deprivation_count, 3);
    assert_eq!(duc_now.fields.score_b, 30);

    // The request phiếu A turned away is answered with a reason, and decided nothing.
    let refused = rh(&view, thu);
    assert_eq!(refused.step, "refused");
    assert!(
        refused
            .refusal_reason
            .as_deref()
            .unwrap()
            .contains("phiếu A")
    );
    assert_eq!(refused.classification_id, None);
    assert!(app.household_statuses(&me, thu).await.unwrap().is_empty());

    // Võ Thị Hoa's history over the years, newest first.
    let history: Vec<(i32, String)> = app
        .household_statuses(&me, hoa)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.fields.period, c.fields.status))
        .collect();
    assert_eq!(
        history,
        [
            (2022, "poor".to_string()),
            (2021, "not_poor".to_string()),
            (2020, "poor".to_string())
        ]
    );
    // Ngô Văn Sơn, off the lists and without a request, keeps his 2021 status only.
    assert_eq!(app.household_statuses(&me, son).await.unwrap().len(), 1);

    // Who did each step, and when, is in the audit log.
    let (log, _) = app.store().audit_log(1000, 0).await.unwrap();
    let actions: BTreeSet<&str> = log
        .iter()
        .filter(|a| a.entry.entity == "review")
        .map(|a| a.entry.action.as_str())
        .collect();
    for action in [
        "review.open",
        "review.request",
        "review.screening",
        "review.step",
        "review.survey",
        "review.meeting",
        "review.complaint",
        "review.recheck",
        "review.approve",
    ] {
        assert!(
            actions.contains(action),
            "{action} missing from {actions:?}"
        );
    }
    assert!(
        log.iter()
            .filter(|a| a.entry.entity == "review")
            .all(|a| a.entry.username == me.username && a.entry.entity_id == id.to_string())
    );
    let steps: Vec<String> = log
        .iter()
        .rev()
        .filter(|a| a.entry.action == "review.step")
        .map(|a| {
            giamngheo_app::households::decode_changes(&a.entry.changes)[0]
                .new
                .to_string()
        })
        .collect();
    assert_eq!(steps, ["\"survey\"", "\"meeting\"", "\"posting\""]);
    let duc_trail: Vec<String> = app
        .household_history(&me, duc)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.entry.action)
        .collect();
    assert_eq!(
        duc_trail
            .iter()
            .filter(|a| a.as_str() == "review.survey")
            .count(),
        2,
        "the first survey and the re-check's are both kept: {duc_trail:?}"
    );
    assert_eq!(duc_trail[0], "review.approve");

    // The five certificates wait to be issued on the officer's home; the households off
    // the lists get none.
    let awaiting_certificates = |app: App, unit: &'static str| async move {
        let mut hs: Vec<i64> = app
            .households_awaiting(&officer(DIEN_MY), unit)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.awaiting == Awaiting::Certificate)
            .map(|a| a.household_id)
            .collect();
        hs.sort();
        hs
    };
    let mut five = vec![binh, lan, duc, hoa, nam];
    five.sort();
    assert_eq!(awaiting_certificates(app.clone(), DIEN_MY).await, five);
    assert_eq!(
        awaiting_certificates(app.clone(), HA_LAM).await,
        [duc, hoa, nam],
        "a village's home lists its own households only"
    );
    // Issued before the decision or in the future: refused by its field.
    for bad in ["2021-10-24", "2021-10-26"] {
        let err = app
            .issue_certificates(&me, id, None, None, day(bad))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AppError::Invalid { field, .. } if field == "issued_on"),
            "{bad}: {err:?}"
        );
    }
    // A household off the lists has no certificate to issue.
    assert!(matches!(
        app.issue_certificates(&me, id, Some(rh(&view, hung).id), None, day("2021-10-25"))
            .await,
        Err(AppError::NotFound(_))
    ));
    // One household's, then Hạ Lâm's, then the rest; issuing again adds nothing.
    let one = app
        .issue_certificates(&me, id, Some(rh(&view, binh).id), None, day("2021-10-25"))
        .await
        .unwrap();
    assert_eq!(one, 1);
    let village = app
        .issue_certificates(&me, id, None, Some(HA_LAM), day("2021-10-25"))
        .await
        .unwrap();
    assert_eq!(village, 3);
    assert_eq!(awaiting_certificates(app.clone(), DIEN_MY).await, [lan]);
    let rest = app
        .issue_certificates(&me, id, None, None, day("2021-10-25"))
        .await
        .unwrap();
    assert_eq!(rest, 1, "only Trần Thị Lan's was left");
    assert!(awaiting_certificates(app.clone(), DIEN_MY).await.is_empty());
    let again = app
        .issue_certificates(&me, id, None, None, day("2021-10-25"))
        .await
        .unwrap();
    assert_eq!(again, 0);
    // Trung Hòa's village head reads Trung Hòa's part of the review, to print its
    // documents: its households, meetings and complaints only, and changes nothing.
    let head = actor(Role::VillageHead, TRUNG_HOA, Tier::Village);
    let part = app.review(&head, id).await.unwrap();
    let mut ours: Vec<i64> = part.households.iter().map(|h| h.household_id).collect();
    ours.sort();
    let mut trung_hoa = vec![binh, lan, hung, mai];
    trung_hoa.sort();
    assert_eq!(
        ours, trung_hoa,
        "no household of Hạ Lâm in Trung Hòa's part"
    );
    assert!(part.meetings.iter().all(|m| m.village_code == TRUNG_HOA));
    assert!(!part.meetings.is_empty());
    assert!(
        part.complaints
            .iter()
            .all(|c| c.household_id.is_some_and(|h| trung_hoa.contains(&h))),
        "no complaint about another village's household"
    );
    assert!(!part.can_write);
    let ha_lam_meeting = view
        .meetings
        .iter()
        .find(|m| m.village_code == HA_LAM)
        .unwrap()
        .id;
    assert!(matches!(
        app.meeting_minutes(&head, ha_lam_meeting).await,
        Err(AppError::NotFound(_))
    ));
    let (_, _, bytes) = app
        .meeting_minutes(&head, part.meetings[0].id)
        .await
        .unwrap();
    assert!(bytes.starts_with(b"%PDF"), "the village's own minutes open");
    assert!(app.meeting_minutes(&me, ha_lam_meeting).await.is_ok());
    assert!(
        app.issue_certificates(&head, id, None, None, day("2021-10-25"))
            .await
            .is_err(),
        "a village head records nothing"
    );
    // A village head of another commune does not find the review at all.
    let other = actor(Role::VillageHead, BAC_HA, Tier::Village);
    assert!(matches!(
        app.review(&other, id).await,
        Err(AppError::NotFound(_))
    ));
    // A commune cannot record another commune's certificates.
    assert!(
        app.issue_certificates(&officer(HA_LINH), id, None, None, day("2021-10-25"))
            .await
            .is_err()
    );
}
app_test!(the_annual_review_of_a_commune_runs_from_the_list_to_the_certificates);
