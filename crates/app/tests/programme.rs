//! The programme's money through the app layer, on SQLite, PostgreSQL and Citus: the
//! suggested allocation on a hand-computed fixture, the ledger refusing an overdraw and
//! keeping a reversal, and who may do what.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::programme::{
    AdoptItem, AdoptRequest, DisbursementInput, FlagsInput, PlanInput, ReverseInput, SuggestRequest,
};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_rules::programme::Weighting;
use giamngheo_store::{Store, UnitUpdate};
use std::sync::Arc;

use giamngheo_store::store_test as app_test;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn actor(role: Role, unit: &str, tier: Tier, agency: Option<&str>) -> Actor {
    Actor {
        user_id: 1,
        username: format!("{}-{unit}", role.as_str()),
        role,
        unit_code: unit.to_string(),
        unit_tier: tier,
        agency_code: agency.map(str::to_string),
    }
}

fn admin() -> Actor {
    actor(Role::Admin, "42", Tier::Province, None)
}

fn finance() -> Actor {
    actor(Role::AgencyOfficer, "42", Tier::Province, Some("42-stc"))
}

/// Hà Tĩnh with five communes on 1 March 2026, flagged so that their coefficients are
/// 52 (border, zone II, two extremely difficult villages), 50 (zone III and border: the
/// highest only), 30 (zone I), 25 (no flag) and 40 (zone II).
async fn setup(store: Store) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let config = Config {
        hierarchy: Hierarchy::three_levels(),
        ..Config::default()
    };
    let app = App::new(store, config, Arc::new(FixedClock(now)));
    let units = "code,name,kind,level,parent_code\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 18001,Xã Một,Xã,2,42\n\
                 18002,Xã Hai,Xã,2,42\n\
                 18003,Xã Ba,Xã,2,42\n\
                 18004,Xã Bốn,Xã,2,42\n\
                 18005,Xã Năm,Xã,2,42\n";
    app.import_units(
        units.as_bytes(),
        &giamngheo_app::units::UnitImportOptions {
            valid_from: date(2025, 7, 1),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    let villages = app
        .import_villages_as_system_on(
            "commune_code,name,kind\n18001,Thôn Khe Một,Thôn\n18001,Thôn Khe Hai,Thôn\n18001,Thôn Bình,Thôn\n18002,Thôn Cao,Thôn\n"
                .as_bytes(),
            date(2025, 7, 1),
        )
        .await
        .unwrap();
    let admin = admin();
    let set = |zone: Option<&str>, border: bool| FlagsInput {
        zone: zone.map(str::to_string),
        to_confirm: border,
        ..FlagsInput::default()
    };
    for (code, zone, border) in [
        ("18001", Some("II"), true),
        ("18002", Some("III"), true),
        ("18003", Some("I"), false),
        ("18004", None, false),
        ("18005", Some("2"), false),
    ] {
        app.set_allocation_flags(&admin, code, &set(zone, border))
            .await
            .unwrap();
        app.update_unit(
            &admin,
            code,
            UnitUpdate {
                area: None,
                extremely_difficult: false,
                border,
                programme_30a: false,
                programme_135: false,
            },
        )
        .await
        .unwrap();
    }
    // Two of Xã Một's three villages are extremely difficult.
    for village in villages.iter().take(2) {
        app.update_unit(
            &admin,
            village,
            UnitUpdate {
                area: None,
                extremely_difficult: true,
                border: false,
                programme_30a: false,
                programme_135: false,
            },
        )
        .await
        .unwrap();
    }
    app
}

async fn the_suggested_allocation_matches_the_hand_computed_fixture(store: Store) {
    let app = setup(store).await;
    let suggestion = app
        .suggest_allocation(
            &admin(),
            &SuggestRequest {
                unit: "42".into(),
                year: 2026,
                total: 1_000_000,
                weighting: Weighting::Coefficients,
            },
        )
        .await
        .unwrap();
    let got: Vec<(&str, u64, u64)> = suggestion
        .items
        .iter()
        .map(|i| (i.unit.as_str(), i.coefficient, i.share))
        .collect();
    // Σ = 197: floors 263 959 + 253 807 + 152 284 + 126 903 + 203 045 = 999 998, and
    // the two VND left go to the largest remainders (Xã Năm 135/197, Xã Bốn 109/197).
    assert_eq!(
        got,
        [
            ("18001", 52, 263_959),
            ("18002", 50, 253_807),
            ("18003", 30, 152_284),
            ("18004", 25, 126_904),
            ("18005", 40, 203_046),
        ]
    );
    assert_eq!(
        suggestion.items[0].formula_vi,
        "50 (xã biên giới) + 2 × 1 (thôn ĐBKK) = 52"
    );
    assert_eq!(
        suggestion.items[1].formula_vi,
        "50 (xã khu vực III) + 0 × 1 (thôn ĐBKK) = 50"
    );
    assert!(
        suggestion.items.iter().all(|i| i.to_confirm),
        "the 2026 coefficients are to confirm"
    );
    assert_eq!(suggestion.rule, "allocation-2026-2030");

    // Only one commune: the whole total.
    let one = app
        .suggest_allocation(
            &admin(),
            &SuggestRequest {
                unit: "18003".into(),
                year: 2026,
                total: 7,
                weighting: Weighting::Coefficients,
            },
        )
        .await
        .unwrap();
    assert_eq!(one.items.len(), 1);
    assert_eq!(one.items[0].share, 7);

    // The registry-weighted option with an empty registry has nothing to weigh by.
    let err = app
        .suggest_allocation(
            &admin(),
            &SuggestRequest {
                unit: "42".into(),
                year: 2026,
                total: 1_000,
                weighting: Weighting::Households,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid { .. }), "{err:?}");
    // No coefficients are known for a year of the old programme.
    let err = app
        .suggest_allocation(
            &admin(),
            &SuggestRequest {
                unit: "42".into(),
                year: 2021,
                total: 1_000,
                weighting: Weighting::Coefficients,
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("2021"), "{err}");
}

fn adopt(items: &[(&str, u64)]) -> AdoptRequest {
    AdoptRequest {
        unit: "42".into(),
        year: 2026,
        project: "c2".into(),
        source: "central".into(),
        date: date(2026, 2, 15),
        document_number: Some("125/QĐ-UBND".into()),
        weighting: Weighting::Coefficients,
        items: items
            .iter()
            .map(|(unit, amount)| AdoptItem {
                unit: unit.to_string(),
                amount: *amount,
            })
            .collect(),
    }
}

fn disbursement(unit: &str, amount: u64, overdraw: Option<&str>) -> DisbursementInput {
    DisbursementInput {
        unit: unit.into(),
        year: 2026,
        project: "c2".into(),
        source: "central".into(),
        activity_id: None,
        amount,
        date: date(2026, 2, 20),
        document_number: Some("PC-01".into()),
        note: None,
        overdraw_note: overdraw.map(str::to_string),
    }
}

async fn the_ledger_refuses_an_overdraw_and_keeps_a_reversal(store: Store) {
    let app = setup(store).await;
    let office = actor(Role::Office, "42", Tier::Province, None);
    let ids = app
        .adopt_allocation(
            &office,
            &adopt(&[("18001", 600_000), ("18002", 400_000), ("18003", 0)]),
        )
        .await
        .unwrap();
    assert_eq!(ids.len(), 2, "a commune given nothing gets no row");
    let finance = finance();
    let first = app
        .record_disbursement(&finance, &disbursement("18001", 500_000, None))
        .await
        .unwrap();
    // 100 000 left: 100 001 is refused and nothing is written.
    let err = app
        .record_disbursement(&finance, &disbursement("18001", 100_001, None))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("vượt số vốn"), "{err}");
    let rows = app
        .programme_entries(&finance, "18001", 2026, Some("disbursement"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    // The exact balance is spendable.
    app.record_disbursement(&finance, &disbursement("18001", 100_000, None))
        .await
        .unwrap();
    // Reversing the allocation would leave the commune below zero: refused.
    let err = app
        .reverse_entry(
            &office,
            ids[0],
            &ReverseInput {
                reason: "Nhập nhầm xã".into(),
                overdraw_note: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    // Reversing the first disbursement gives its money back; the row stays.
    let reversal = app
        .reverse_entry(
            &finance,
            first,
            &ReverseInput {
                reason: "Chứng từ ghi sai số tiền".into(),
                overdraw_note: None,
            },
        )
        .await
        .unwrap();
    let rows = app
        .programme_entries(&finance, "18001", 2026, Some("disbursement"))
        .await
        .unwrap();
    let amounts: Vec<(i64, i64, Option<i64>, Option<i64>)> = rows
        .iter()
        .map(|r| (r.id, r.amount, r.reverses, r.reversed_by))
        .collect();
    assert!(amounts.contains(&(first, 500_000, None, Some(reversal))));
    assert!(amounts.contains(&(reversal, -500_000, Some(first), None)));
    // A row is reversed once only, and a reversal is not reversed.
    for id in [first, reversal] {
        let err = app
            .reverse_entry(
                &finance,
                id,
                &ReverseInput {
                    reason: "lần nữa".into(),
                    overdraw_note: None,
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    }
    // An explicit, noted override lets the commune spend past its allocation.
    app.record_disbursement(
        &finance,
        &disbursement("18001", 900_000, Some("Tạm ứng theo Công văn 12/UBND")),
    )
    .await
    .unwrap();
    let (log, _) = app.store().audit_log(50, 0).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.entry.action.as_str()).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "programme.allocation.adopt")
            .count(),
        2
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "programme.disbursement.record")
            .count(),
        3
    );
    assert!(actions.contains(&"programme.entry.reverse"));
    let overdraw = log
        .iter()
        .find(|a| a.entry.changes.contains("overdraw_note"))
        .expect("the override is audited");
    assert_eq!(overdraw.entry.action, "programme.disbursement.record");
    let adopted = log
        .iter()
        .find(|a| {
            a.entry.action == "programme.allocation.adopt"
                && a.entry.unit_code.as_deref() == Some("18001")
        })
        .unwrap();
    assert_eq!(adopted.entry.entity_id, ids[0].to_string());
    assert!(
        adopted.entry.changes.contains("600000"),
        "{}",
        adopted.entry.changes
    );
}

async fn money_is_written_by_finance_allocated_by_the_office_and_read_in_scope(store: Store) {
    let app = setup(store).await;
    let office = actor(Role::Office, "42", Tier::Province, None);
    let agriculture = actor(Role::AgencyOfficer, "42", Tier::Province, Some("42-snnmt"));
    let oversight = actor(Role::Oversight, "42", Tier::Province, None);
    let commune = actor(Role::CommuneOfficer, "18001", Tier::Commune, None);
    let other_commune = actor(Role::CommuneOfficer, "18002", Tier::Commune, None);
    let request = SuggestRequest {
        unit: "42".into(),
        year: 2026,
        total: 1_000,
        weighting: Weighting::Coefficients,
    };
    for who in [&admin(), &office, &finance()] {
        app.suggest_allocation(who, &request).await.unwrap();
    }
    for who in [&agriculture, &oversight] {
        let err = app.suggest_allocation(who, &request).await.unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    }
    // A commune officer asking about the province is outside their area.
    let err = app
        .suggest_allocation(&commune, &request)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");

    app.adopt_allocation(&finance(), &adopt(&[("18001", 1_000), ("18002", 1_000)]))
        .await
        .unwrap();
    let plan = PlanInput {
        unit: "42".into(),
        year: 2026,
        project: "c2".into(),
        source: "central".into(),
        amount: 5_000,
        date: date(2026, 1, 10),
        document_number: None,
    };
    for who in [&office, &agriculture, &oversight] {
        let err = app.record_plan(who, &plan).await.unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
        let err = app
            .record_disbursement(who, &disbursement("18001", 10, None))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    }
    app.record_plan(&finance(), &plan).await.unwrap();
    // An unknown project or a source closed with the districts is named.
    let err = app
        .record_plan(
            &finance(),
            &PlanInput {
                project: "p9".into(),
                ..plan.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("p9"), "{err}");
    let err = app
        .record_plan(
            &finance(),
            &PlanInput {
                source: "district".into(),
                ..plan.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Ngân sách huyện"), "{err}");

    // Oversight reads everything of the province; a commune officer only their own.
    let all = app
        .programme_entries(&oversight, "42", 2026, None)
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let own = app
        .programme_entries(&commune, "18001", 2026, None)
        .await
        .unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].unit, "18001");
    let err = app
        .programme_entries(&other_commune, "18001", 2026, None)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");

    // Only an administrator changes the allocation flags.
    let err = app
        .set_allocation_flags(&office, "18004", &FlagsInput::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
    let err = app
        .set_allocation_flags(
            &admin(),
            "18004",
            &FlagsInput {
                zone: Some("IV".into()),
                ..FlagsInput::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("IV"), "{err}");
}

async fn the_progress_report_counts_plans_allocations_disbursements_and_reversals(store: Store) {
    let app = setup(store).await;
    let finance = finance();
    app.record_plan(
        &finance,
        &PlanInput {
            unit: "42".into(),
            year: 2026,
            project: "c2".into(),
            source: "central".into(),
            amount: 2_000_000,
            date: date(2026, 1, 10),
            document_number: Some("01/KH-UBND".into()),
        },
    )
    .await
    .unwrap();
    app.adopt_allocation(&finance, &adopt(&[("18001", 600_000), ("18002", 400_000)]))
        .await
        .unwrap();
    let wrong = app
        .record_disbursement(&finance, &disbursement("18001", 300_000, None))
        .await
        .unwrap();
    app.reverse_entry(
        &finance,
        wrong,
        &ReverseInput {
            reason: "Sai số tiền".into(),
            overdraw_note: None,
        },
    )
    .await
    .unwrap();
    app.record_disbursement(&finance, &disbursement("18001", 150_000, None))
        .await
        .unwrap();
    let progress = app.programme_progress(&finance, "42", 2026).await.unwrap();
    assert_eq!(progress.lines.len(), 1);
    let line = &progress.lines[0];
    assert_eq!(
        (line.project.as_str(), line.source.as_str()),
        ("c2", "central")
    );
    assert!(line.to_confirm);
    assert_eq!(
        (
            line.amounts.planned,
            line.amounts.allocated,
            line.amounts.disbursed
        ),
        (2_000_000, 1_000_000, 150_000)
    );
    assert_eq!(line.amounts.rate, Some(15.0));
    let communes: Vec<(&str, i64, i64)> = progress
        .communes
        .iter()
        .map(|c| (c.unit.as_str(), c.amounts.allocated, c.amounts.disbursed))
        .collect();
    assert_eq!(
        communes,
        [("18001", 600_000, 150_000), ("18002", 400_000, 0)]
    );
    // A commune's own report: its allocation and spending, not the province's plan.
    let commune = actor(Role::CommuneOfficer, "18001", Tier::Commune, None);
    let own = app
        .programme_progress(&commune, "18001", 2026)
        .await
        .unwrap();
    assert_eq!(
        (own.total.planned, own.total.allocated, own.total.disbursed),
        (0, 600_000, 150_000)
    );
    assert_eq!(own.total.rate, Some(25.0));
    let err = app
        .programme_progress(&commune, "18002", 2026)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
    // The sheet the workbook, CSV and PDF are written from.
    let sheet = progress.to_sheet(
        date(2026, 3, 1),
        giamngheo_app::print_wording::Wording::builtin(),
    );
    assert_eq!(sheet.rows.len(), 4, "one line, the total and two communes");
    assert_eq!(sheet.rows[1].label, "Tổng cộng");
    assert_eq!(
        sheet.rows[1].values,
        [
            Some(2_000_000.0),
            Some(1_000_000.0),
            Some(150_000.0),
            Some(15.0)
        ]
    );

    // The report definition `tien-do-von` gives the same figures: the total, and each
    // commune's allocated, disbursed and rate; the disbursements by source add up.
    let report = app
        .report(
            &finance,
            &giamngheo_app::reports::ReportRequest {
                name: "tien-do-von".into(),
                unit: "42".into(),
                period: 2026,
                as_of: None,
                basis: None,
            },
        )
        .await
        .unwrap();
    let total = report.rows.last().unwrap();
    assert_eq!(total.label, "Tổng cộng");
    assert_eq!(
        total.values[..4],
        [
            Some(progress.total.planned as f64),
            Some(progress.total.allocated as f64),
            Some(progress.total.disbursed as f64),
            progress.total.rate
        ]
    );
    // The columns that expand over the funding sources, then over the projects, each add
    // up to the total disbursed.
    let expanded = |heading: &str| -> f64 {
        let columns: Vec<usize> = report
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.heading.first().map(String::as_str) == Some(heading))
            .map(|(i, _)| i)
            .collect();
        assert!(!columns.is_empty(), "columns «{heading}»");
        columns.iter().filter_map(|&i| total.values[i]).sum()
    };
    assert_eq!(
        expanded("Đã giải ngân theo nguồn vốn (đồng)"),
        progress.total.disbursed as f64
    );
    assert_eq!(
        expanded("Đã giải ngân theo dự án (đồng)"),
        progress.total.disbursed as f64
    );
    // Each project's column is the sum of the progress page's lines of that project and
    // its sub-projects.
    let structure = app.programme().structure_for(2026).unwrap();
    for (i, column) in report.columns.iter().enumerate() {
        let Some(project) = column
            .drill
            .as_deref()
            .and_then(|d| d.strip_prefix("money.project."))
            .and_then(|d| d.strip_suffix(".disbursed"))
        else {
            continue;
        };
        let from_lines: i64 = progress
            .lines
            .iter()
            .filter(|l| structure.project_of(&l.project).map(|p| p.code.as_str()) == Some(project))
            .map(|l| l.amounts.disbursed)
            .sum();
        assert_eq!(
            total.values[i].unwrap_or(0.0),
            from_lines as f64,
            "project {project}"
        );
    }
    for c in &progress.communes {
        let row = report
            .rows
            .iter()
            .find(|r| r.unit_code.as_deref() == Some(c.unit.as_str()))
            .unwrap_or_else(|| panic!("a row for {}", c.unit));
        assert_eq!(
            row.values[1..4],
            [
                Some(c.amounts.allocated as f64),
                Some(c.amounts.disbursed as f64),
                c.amounts.rate
            ],
            "{}",
            c.unit
        );
    }
    // Money is not households: every money column drills down to the ledger's entries,
    // the programme's own list (`App::programme_figure`).
    assert!(report.columns.iter().all(|c| {
        c.drill
            .as_deref()
            .is_some_and(giamngheo_app::programme::is_programme_fact)
    }));
}

/// The units import takes the allocation flags: the coefficients read them, each change
/// is audited, and a bad cell refuses the file naming its line and column.
async fn the_units_import_takes_the_allocation_flags(store: Store) {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let config = Config {
        hierarchy: Hierarchy::three_levels(),
        ..Config::default()
    };
    let app = App::new(store.clone(), config, Arc::new(FixedClock(now)));
    let options = giamngheo_app::units::UnitImportOptions {
        valid_from: date(2025, 7, 1),
        retire_missing: false,
        hierarchy: None,
    };
    let units = "code,name,kind,level,parent_code,border,zone,safety_zone,island,special_zone,flags_to_confirm\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,,0,,0,0,0,0\n\
                 18001,Xã Một,Xã,2,42,1,II,0,0,0,1\n\
                 18002,Xã Hai,Xã,2,42,0,I,0,0,0,1\n\
                 18003,Xã Ba,Xã,2,42,0,,0,1,0,1\n\
                 18004,Xã Bốn,Xã,2,42,0,,0,0,0,0\n\
                 18005,Xã Năm,Xã,2,42,0,khu vực II,1,0,0,1\n";
    app.import_units(units.as_bytes(), &options).await.unwrap();
    let suggestion = app
        .suggest_allocation(
            &admin(),
            &SuggestRequest {
                unit: "42".into(),
                year: 2026,
                total: 1_000_000,
                weighting: Weighting::Coefficients,
            },
        )
        .await
        .unwrap();
    let coefficients: Vec<(&str, u64)> = suggestion
        .items
        .iter()
        .map(|i| (i.unit.as_str(), i.coefficient))
        .collect();
    assert_eq!(
        coefficients,
        [
            ("18001", 50),
            ("18002", 30),
            ("18003", 50),
            ("18004", 25),
            ("18005", 50)
        ]
    );
    let flags = store.allocation_flags("18005").await.unwrap();
    assert_eq!(flags.zone.as_deref(), Some("II"));
    assert!(flags.safety_zone && flags.allocation_flags_to_confirm);
    // Four communes changed (Xã Bốn and the province have no flag set).
    assert_eq!(
        giamngheo_store::testing::query_i64(
            &store,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'unit.allocation_flags'"
        )
        .await,
        4
    );

    let bad = "code,name,kind,level,parent_code,zone,island\n\
               18001,Xã Một,Xã,2,42,III,0\n\
               18002,Xã Hai,Xã,2,42,IV,có\n";
    match app.import_units(bad.as_bytes(), &options).await {
        Err(AppError::File(errors)) => {
            let places: Vec<(u64, &str)> = errors
                .errors
                .iter()
                .map(|e| (e.line, e.column.as_str()))
                .collect();
            assert_eq!(places, [(3, "zone"), (3, "island")]);
        }
        other => panic!("expected the file refused, got {other:?}"),
    }
    // Nothing changed: Xã Một is still zone II.
    assert_eq!(
        store
            .allocation_flags("18001")
            .await
            .unwrap()
            .zone
            .as_deref(),
        Some("II")
    );
}

app_test!(the_suggested_allocation_matches_the_hand_computed_fixture);
app_test!(the_progress_report_counts_plans_allocations_disbursements_and_reversals);
app_test!(the_ledger_refuses_an_overdraw_and_keeps_a_reversal);
app_test!(money_is_written_by_finance_allocated_by_the_office_and_read_in_scope);
app_test!(the_units_import_takes_the_allocation_flags);
