//! Importing households and members from the files communes send: good files, files
//! saved the wrong way, and files with mistakes, each named by line and column.

use giamngheo_domain::household::{HouseholdDraft, Sex};
use giamngheo_sheets::households::{
    FileKind, ImportedHousehold, MAX_FILE_BYTES, draft_problems_to_cells, households_template_csv,
    households_template_xlsx, read_households, read_households_csv, read_households_xlsx,
};
use giamngheo_sheets::{CellError, SheetErrors};

const HEADER: &str = "household_code,village_code,address,floor_area_m2,water_source,has_tv,full_name,sex,birth_date,ethnicity,relation,citizen_id,school_grade";

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

fn places(e: &SheetErrors) -> Vec<(u64, &str)> {
    e.errors
        .iter()
        .map(|e| (e.line, e.column.as_str()))
        .collect()
}

fn reasons(e: &SheetErrors) -> String {
    e.errors
        .iter()
        .map(CellError::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

#[test]
fn a_commune_file_gives_households_with_their_members_and_lines() {
    let bytes = csv(&[
        "HK-1,18499001,Thôn 1,45,Giếng khoan,có,Hồ Thị Lan,Nữ,12/03/1985,Chứt,Chủ hộ,044185000123,",
        "HK-2,18499001,Thôn 1,30,nuoc may,0,Lê Văn Ba,Nam,1970,Kinh,head,,",
        // The second member of HK-1 comes after another household and leaves the
        // household's columns empty.
        "HK-1,18499001,,,,,Hồ Văn Nam,nam,2015-06-01,44,Con,,5",
    ]);
    let households = read_households_csv(&bytes).unwrap();
    assert_eq!(households.len(), 2);
    let lan = &households[0];
    assert_eq!((lan.line, lan.member_lines.clone()), (2, vec![2, 4]));
    let d = &lan.draft;
    assert_eq!(
        (d.code.as_str(), d.village_code.as_str()),
        ("HK-1", "18499001")
    );
    assert_eq!(d.address, "Thôn 1");
    assert_eq!(d.floor_area_m2, Some(45));
    assert_eq!(d.water_source.as_deref(), Some("drilled_well"));
    assert!(d.has_tv);
    assert_eq!(d.members.len(), 2);
    let head = &d.members[0];
    assert_eq!(head.full_name, "Hồ Thị Lan");
    assert_eq!(head.sex, Some(Sex::Female));
    assert_eq!(
        head.birth_date,
        chrono::NaiveDate::from_ymd_opt(1985, 3, 12)
    );
    assert_eq!(head.birth_year, Some(1985));
    assert_eq!(head.ethnicity, "44");
    assert_eq!(head.relation, "head");
    assert_eq!(head.citizen_id.as_ref().unwrap().as_str(), "044185000123");
    let child = &d.members[1];
    assert_eq!(
        (child.relation.as_str(), child.school_grade),
        ("child", Some(5))
    );
    assert_eq!(
        child.birth_date,
        chrono::NaiveDate::from_ymd_opt(2015, 6, 1)
    );

    let ba = &households[1].draft;
    assert_eq!(ba.water_source.as_deref(), Some("piped"));
    assert!(!ba.has_tv);
    assert_eq!(ba.members[0].birth_date, None);
    assert_eq!(ba.members[0].birth_year, Some(1970));
    assert_eq!(ba.members[0].ethnicity, "01");

    // The drafts pass the app's own checks.
    for h in households {
        let mut draft: HouseholdDraft = h.draft;
        assert_eq!(draft.check(today()), vec![]);
    }
}

#[test]
fn headers_may_be_vietnamese_labels_and_the_separator_a_semicolon() {
    let text = "\u{feff}Mã hộ (household_code);MA THON;Họ và tên;giới tính;Ngày sinh;Dân tộc;Quan hệ với chủ hộ;STT\n\
                HK-1;18499001;Hồ Thị Lan;Nữ;12/03/1985;Chứt;Chủ hộ;1\n";
    let households = read_households_csv(text.as_bytes()).unwrap();
    assert_eq!(households[0].draft.members[0].full_name, "Hồ Thị Lan");
    assert_eq!(
        read_households(text.as_bytes(), FileKind::detect("ho.csv", text.as_bytes())).unwrap(),
        households
    );
}

#[test]
fn a_file_saved_in_windows_1252_is_refused_with_one_clear_message() {
    // "Hồ" cannot be written in Windows-1252; a program saving it there writes "H?" or,
    // as here, the byte 0xF4 ("ô") for the vowel.
    let mut bytes = csv(&["HK-1,18499001,,,,,Lan,Nữ,1985,Kinh,head,,"]);
    bytes.extend_from_slice(b"HK-2,18499001,,,,,H\xf4 Lan,N,1985,Kinh,head,,\n");
    let err = read_households_csv(&bytes).unwrap_err();
    assert_eq!(err.errors.len(), 1);
    assert_eq!(err.errors[0].line, 3);
    assert!(
        err.errors[0].reason.contains("không phải UTF-8"),
        "{}",
        reasons(&err)
    );
    assert!(err.errors[0].reason.contains("CSV UTF-8"));
}

#[test]
fn a_file_saved_as_utf16_is_refused() {
    let text = String::from_utf8(csv(&["HK-1,18499001,,,,,Lan,Nữ,1985,Kinh,head,,"])).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let err = read_households_csv(&bytes).unwrap_err();
    assert_eq!(places(&err), [(1, "")]);
    assert!(err.errors[0].reason.contains("UTF-16"));
    // Without its byte-order mark it is still recognised.
    let err = read_households_csv(&bytes[2..]).unwrap_err();
    assert!(err.errors[0].reason.contains("UTF-16"));
}

#[test]
fn every_missing_required_column_is_named_on_line_1() {
    let text = "household_code,full_name,sex,birth_date,relation\nHK-1,Lan,Nữ,1985,head\n";
    let err = read_households_csv(text.as_bytes()).unwrap_err();
    assert_eq!(places(&err), [(1, "village_code"), (1, "ethnicity")]);
    assert!(err.errors[0].reason.contains("Mã thôn"));
}

#[test]
fn bad_dates_are_named_by_line_and_column() {
    let bytes = csv(&[
        "HK-1,18499001,,,,,Lan,Nữ,31/02/2020,Kinh,head,,",
        "HK-1,18499001,,,,,Nam,Nam,2020-13-01,Kinh,child,,",
        "HK-1,18499001,,,,,Ba,Nam,ngày 3,Kinh,child,,",
        "HK-1,18499001,,,,,Tư,Nam,3/4/85,Kinh,child,,",
    ]);
    let err = read_households_csv(&bytes).unwrap_err();
    assert_eq!(
        places(&err),
        [
            (2, "birth_date"),
            (3, "birth_date"),
            (4, "birth_date"),
            (5, "birth_date")
        ]
    );
    assert!(err.errors[0].reason.contains("31/02/2020"));
    assert!(err.errors[0].reason.contains("không tồn tại"));
    assert!(err.errors[2].reason.contains("dd/mm/yyyy"));
}

#[test]
fn a_citizen_id_on_two_rows_names_both_lines() {
    let bytes = csv(&[
        "HK-1,18499001,,,,,Lan,Nữ,1985,Kinh,head,044185000123,",
        "HK-2,18499001,,,,,Ba,Nam,1970,Kinh,head,,",
        "HK-2,18499001,,,,,Lan,Nữ,1985,Kinh,spouse,044 185 000 123,",
    ]);
    let err = read_households_csv(&bytes).unwrap_err();
    assert_eq!(places(&err), [(4, "citizen_id")]);
    assert!(err.errors[0].reason.contains("dòng 2"), "{}", reasons(&err));
    // The message does not repeat the number itself.
    assert!(!err.errors[0].reason.contains("123"));
}

#[test]
fn household_values_that_disagree_across_rows_are_refused() {
    let bytes = csv(&[
        "HK-1,18499001,Thôn 1,45,piped,1,Lan,Nữ,1985,Kinh,head,,",
        // Repeating the same values is fine, also written differently ("có" = 1).
        "HK-1,18499001,Thôn 1,45,Nước máy,có,Nam,Nam,2010,Kinh,child,,",
        "HK-1,18499001,Thôn 2,50,,,Ba,Nam,2012,Kinh,child,,",
    ]);
    let err = read_households_csv(&bytes).unwrap_err();
    assert_eq!(places(&err), [(4, "address"), (4, "floor_area_m2")]);
    assert!(err.errors[0].reason.contains("dòng 2"));
}

#[test]
fn unknown_codes_and_bad_numbers_are_named() {
    let bytes = csv(&[
        "HK-1,18499001,,45m2,lake,maybe,Lan,Nữ,1985,Việt,head,12345,13",
        "HK 1,1849900a,,,,,Nam,X,1985,Kinh,cousin,,",
    ]);
    let err = read_households_csv(&bytes).unwrap_err();
    assert_eq!(
        places(&err),
        [
            (2, "floor_area_m2"),
            (2, "water_source"),
            (2, "has_tv"),
            (2, "ethnicity"),
            (2, "citizen_id"),
            (2, "school_grade"),
            (3, "household_code"),
            (3, "village_code"),
            (3, "sex"),
            (3, "relation"),
        ]
    );
    let all = reasons(&err);
    assert!(
        all.contains("dòng 2, cột «ethnicity»: dân tộc «Việt» không có trong danh mục 54 dân tộc"),
        "{all}"
    );
    assert!(
        all.contains("Giếng khoan"),
        "the water source error lists the choices: {all}"
    );
}

#[test]
fn empty_and_header_only_files_are_refused() {
    let err = read_households_csv(b"").unwrap_err();
    assert_eq!(places(&err), [(1, "")]);
    assert!(err.errors[0].reason.contains("trống"));
    let err = read_households_csv(b"\n\n").unwrap_err();
    assert_eq!(places(&err), [(1, "")]);
    let err = read_households_csv(&csv(&[])).unwrap_err();
    assert_eq!(places(&err), [(2, "")]);
    assert!(err.errors[0].reason.contains("không có dòng dữ liệu"));
    // Blank rows at the end, as spreadsheets save them, are not data.
    let err = read_households_csv(&csv(&[",,,,,,,,,,,,", ""])).unwrap_err();
    assert!(err.errors[0].reason.contains("không có dòng dữ liệu"));
}

#[test]
fn a_row_longer_than_the_header_is_refused() {
    let bytes = csv(&["HK-1,18499001,Thôn 1, xóm 2,45,piped,1,Lan,Nữ,1985,Kinh,head,,5"]);
    let err = read_households_csv(&bytes).unwrap_err();
    assert!(
        err.errors
            .iter()
            .any(|e| e.line == 2 && e.column.is_empty() && e.reason.contains("ngoặc kép")),
        "{}",
        reasons(&err)
    );
}

#[test]
fn a_too_large_file_is_refused_before_reading() {
    let bytes = vec![b'a'; MAX_FILE_BYTES + 1];
    let err = read_households_csv(&bytes).unwrap_err();
    assert!(
        err.errors[0].reason.contains("vượt giới hạn"),
        "{}",
        reasons(&err)
    );
    let err = read_households_xlsx(&bytes).unwrap_err();
    assert!(err.errors[0].reason.contains("vượt giới hạn"));
}

#[test]
fn errors_stop_at_the_limit() {
    let rows: Vec<String> = (0..300)
        .map(|i| format!("HK-{i},18499001,,,,,Lan,Nữ,bad,Kinh,head,,"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let err = read_households_csv(&csv(&rows)).unwrap_err();
    assert_eq!(err.errors.len(), SheetErrors::LIMIT);
    assert!(err.truncated);
}

#[test]
fn the_apps_problems_point_back_to_the_file() {
    let bytes = csv(&[
        "HK-1,18499001,,,,,Lan,Nữ,1985,Kinh,child,,",
        "HK-2,18499001,,,,,Ba,Nam,1970,Kinh,head,,",
        "HK-1,18499001,,,,,,Nam,2030,Kinh,child,,",
    ]);
    let households = read_households_csv(&bytes).unwrap();
    let h: &ImportedHousehold = &households[0];
    let problems = h.draft.clone().check(today());
    let cells = draft_problems_to_cells(h, &problems);
    let places: Vec<(u64, &str)> = cells.iter().map(|c| (c.line, c.column.as_str())).collect();
    assert_eq!(
        places,
        [(2, "relation"), (4, "full_name"), (4, "birth_date")]
    );
}

#[test]
fn file_kind_is_decided_by_content_first() {
    assert_eq!(
        FileKind::detect("ho.csv", b"PK\x03\x04rest"),
        FileKind::Xlsx
    );
    assert_eq!(
        FileKind::detect("ho.xlsx", b"household_code,"),
        FileKind::Csv
    );
    assert_eq!(
        FileKind::detect("ho.csv", b"household_code,"),
        FileKind::Csv
    );
    let err = read_households_csv(b"PK\x03\x04rest").unwrap_err();
    assert!(err.errors[0].reason.contains(".xlsx"));
    let err = read_households_xlsx(b"household_code,village_code\n").unwrap_err();
    assert_eq!(places(&err), [(1, "")]);
    assert!(err.errors[0].reason.contains(".xlsx"));
}

/// Writes a workbook the way an official's spreadsheet would hold the data: numbers as
/// numbers, dates as dates, some text cells.
fn workbook(sheet_name: &str, rows: &[Vec<Cell>]) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    // A sheet of notes: first when the data sheet is «Hộ gia đình», which the reader
    // then prefers; after it otherwise, since the reader falls back to the first sheet.
    let notes = |wb: &mut Workbook| {
        let notes = wb.add_worksheet().set_name("Hướng dẫn").unwrap();
        notes.write_string(0, 0, "Đọc kỹ").unwrap();
    };
    if sheet_name == "Hộ gia đình" {
        notes(&mut wb);
    }
    let sheet = wb.add_worksheet();
    sheet.set_name(sheet_name).unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    sheet.write_string(r, c, *s).unwrap();
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n).unwrap();
                }
                Cell::Date(y, m, d) => {
                    let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    sheet.write_datetime_with_format(r, c, &dt, &date).unwrap();
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(r, c, *b).unwrap();
                }
            }
        }
    }
    if sheet_name != "Hộ gia đình" {
        notes(&mut wb);
    }
    wb.save_to_buffer().unwrap()
}

enum Cell {
    Empty,
    Text(&'static str),
    Number(f64),
    Date(u16, u8, u8),
    Bool(bool),
}

fn xlsx_header() -> Vec<Cell> {
    [
        "Mã hộ (household_code)",
        "Mã thôn (village_code)",
        "Số điện thoại",
        "Diện tích nhà ở, m² (floor_area_m2)",
        "has_tv",
        "Họ và tên",
        "Giới tính",
        "Ngày sinh",
        "Dân tộc",
        "Quan hệ với chủ hộ",
        "Số CCCD",
    ]
    .into_iter()
    .map(Cell::Text)
    .collect()
}

#[test]
fn a_workbook_with_numbers_and_dates_reads_like_the_csv() {
    use Cell::*;
    let bytes = workbook(
        "Hộ gia đình",
        &[
            xlsx_header(),
            vec![
                Text("HK-1"),
                Number(18499001.0),
                // A phone and a citizen ID typed into number cells lose their leading 0.
                Number(912345678.0),
                Number(45.0),
                Bool(true),
                Text("Hồ Thị Lan"),
                Text("Nữ"),
                Date(1985, 3, 12),
                Text("Chứt"),
                Text("Chủ hộ"),
                Number(44185000123.0),
                Empty,
                // A remark right of the table is not data.
                Text("đã kiểm tra"),
            ],
            vec![Empty],
            vec![
                Text("HK-1"),
                Text("18499001"),
                Empty,
                Empty,
                Empty,
                Text("Hồ Văn Nam"),
                Text("Nam"),
                Number(2015.0),
                Number(44.0),
                Text("con"),
                Empty,
            ],
        ],
    );
    assert_eq!(FileKind::detect("ho.xlsx", &bytes), FileKind::Xlsx);
    let households = read_households(&bytes, FileKind::Xlsx).unwrap();
    assert_eq!(households.len(), 1);
    let h = &households[0];
    // Lines are the spreadsheet's row numbers; the blank row 3 is skipped.
    assert_eq!((h.line, h.member_lines.clone()), (2, vec![2, 4]));
    let d = &h.draft;
    assert_eq!(d.village_code, "18499001");
    assert_eq!(d.phone.as_deref(), Some("0912345678"));
    assert_eq!(d.floor_area_m2, Some(45));
    assert!(d.has_tv);
    let lan = &d.members[0];
    assert_eq!(lan.birth_date, chrono::NaiveDate::from_ymd_opt(1985, 3, 12));
    assert_eq!(lan.citizen_id.as_ref().unwrap().as_str(), "044185000123");
    let nam = &d.members[1];
    assert_eq!((nam.birth_date, nam.birth_year), (None, Some(2015)));
    assert_eq!(
        (nam.ethnicity.as_str(), nam.relation.as_str()),
        ("44", "child")
    );
}

#[test]
fn workbook_problems_name_the_spreadsheet_row() {
    use Cell::*;
    let bytes = workbook(
        "Sheet1",
        &[
            vec![Empty],
            xlsx_header(),
            vec![
                Text("HK-1"),
                Text("18499001"),
                Empty,
                Number(45.5),
                Text("?"),
                Text("Lan"),
                Text("Nữ"),
                Text("31/02/2020"),
                Text("Kinh"),
                Text("head"),
                Empty,
            ],
        ],
    );
    let err = read_households_xlsx(&bytes).unwrap_err();
    assert_eq!(
        places(&err),
        [(3, "floor_area_m2"), (3, "has_tv"), (3, "birth_date")]
    );
    // The header was on row 2 there; a missing column is named on the header's row.
    let bytes = workbook(
        "Hộ gia đình",
        &[vec![Text("household_code"), Text("full_name")]],
    );
    let err = read_households_xlsx(&bytes).unwrap_err();
    assert_eq!(
        places(&err),
        [
            (1, "village_code"),
            (1, "sex"),
            (1, "birth_date"),
            (1, "ethnicity"),
            (1, "relation")
        ]
    );
    let err = read_households_xlsx(&workbook("Hộ gia đình", &[])).unwrap_err();
    assert!(err.errors[0].reason.contains("trống"), "{}", reasons(&err));
}

#[test]
fn the_templates_read_back_as_the_example_household() {
    for (kind, households) in [
        ("xlsx", read_households_xlsx(&households_template_xlsx())),
        (
            "csv",
            read_households_csv(households_template_csv().as_bytes()),
        ),
    ] {
        let households = households.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(households.len(), 1, "{kind}");
        let h = &households[0];
        assert_eq!(h.member_lines, [2, 3], "{kind}");
        let mut draft = h.draft.clone();
        assert_eq!(draft.check(today()), vec![], "{kind}");
        assert!(draft.notes.contains("Ví dụ"), "{kind}");
        assert_eq!(draft.production_land_m2, Some(2500), "{kind}");
        assert_eq!(draft.latrine.as_deref(), Some("simple_pit"), "{kind}");
        let [lan, nam] = &draft.members[..] else {
            panic!("{kind}: two members")
        };
        assert_eq!(lan.citizen_id.as_ref().unwrap().as_str(), "044185000123");
        assert_eq!(
            lan.health_insurance_expiry,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 31)
        );
        assert_eq!(lan.birth_date, chrono::NaiveDate::from_ymd_opt(1985, 3, 12));
        assert_eq!(
            (nam.birth_year, nam.school_grade),
            (Some(2015), Some(5)),
            "{kind}"
        );
        assert_eq!(nam.nutrition.as_deref(), Some("normal"));
    }
}

#[test]
fn the_template_lists_every_code() {
    use calamine::{Reader, Xlsx};
    let bytes = households_template_xlsx();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["Hộ gia đình", "Danh mục"]);
    let header = wb.worksheet_range("Hộ gia đình").unwrap();
    assert_eq!(
        header.get_value((0, 0)).unwrap().to_string(),
        "Mã hộ (household_code)"
    );
    let lists = wb.worksheet_range("Danh mục").unwrap();
    let codes: Vec<(String, String)> = lists
        .rows()
        .map(|r| (r[1].to_string(), r[2].to_string()))
        .collect();
    assert!(codes.contains(&("44".into(), "Chứt".into())));
    assert!(codes.contains(&("head".into(), "Chủ hộ".into())));
    assert!(codes.contains(&("flush".into(), "Tự hoại, bán tự hoại".into())));
    assert!(codes.contains(&("stunted".into(), "Thấp còi".into())));
    // 54 ethnic groups and every other list.
    assert!(codes.len() > 54 + 10 + 8 + 10 + 7 + 8 + 8 + 4 + 3);
}

/// The in-CI fuzzing: whatever a file holds, the readers answer with households or with
/// problems, never with a panic. `crates/sheets/fuzz` runs the same under libFuzzer.
mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Cells that have broken readers before: empty, spaces, quotes, separators,
    /// decomposed Vietnamese, long numbers, odd dates, a byte-order mark.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("HK-1".to_string()),
            Just("18499001".to_string()),
            Just("head".to_string()),
            Just("Chu\u{0309} hộ".to_string()),
            Just("\"a,b\"".to_string()),
            Just("\u{feff}".to_string()),
            Just("31/02/2020".to_string()),
            Just("9999999999999999999999".to_string()),
            Just("1.0.0.0.0.0.0.0.0.0.0".to_string()),
            Just("2020-01-01T".to_string()),
            "[0-9./, -]{0,12}",
            "\\PC{0,12}",
        ]
    }

    fn column() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(
                giamngheo_sheets::households::COLUMNS
                    .iter()
                    .map(|c| c.code.to_string())
                    .collect::<Vec<_>>()
            ),
            "\\PC{0,8}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = read_households_csv(&bytes);
            let _ = read_households_xlsx(&bytes);
            let _ = read_households(&bytes, FileKind::detect("x.xlsx", &bytes));
        }

        #[test]
        fn csv_like_text(
            header in prop_oneof![
                // The full header, so that rows are read cell by cell.
                Just(
                    giamngheo_sheets::households::COLUMNS
                        .iter()
                        .map(|c| c.code.to_string())
                        .collect::<Vec<_>>()
                ),
                proptest::collection::vec(column(), 0..45),
            ],
            rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..45), 0..20),
            separator in proptest::sample::select(vec![",", ";", "\t"]),
        ) {
            let mut text = header.join(separator);
            for r in &rows {
                text.push('\n');
                text.push_str(&r.join(separator));
            }
            if let Ok(households) = read_households_csv(text.as_bytes()) {
                for h in &households {
                    prop_assert_eq!(h.member_lines.len(), h.draft.members.len());
                    let problems = h.draft.clone().check(today());
                    let _ = draft_problems_to_cells(h, &problems);
                }
            }
        }

        #[test]
        fn a_damaged_template(at in 0usize..100_000, byte in any::<u8>(), cut in 0usize..100_000) {
            let mut bytes = households_template_xlsx();
            let n = bytes.len();
            bytes[at % n] = byte;
            bytes.truncate(n - cut % (n / 4));
            let _ = read_households_xlsx(&bytes);
        }
    }
}
