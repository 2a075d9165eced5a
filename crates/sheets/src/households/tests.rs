use super::*;

#[test]
fn columns_follow_their_indexes() {
    let at = |code: &str| COLUMNS.iter().position(|c| c.code == code).unwrap();
    assert_eq!(at("household_code"), C_HOUSEHOLD_CODE);
    assert_eq!(at("notes"), C_NOTES);
    assert_eq!(at("full_name"), C_FULL_NAME);
    assert_eq!(at("citizen_id"), C_CITIZEN_ID);
    assert_eq!(at("uses_internet"), C_INTERNET);
    assert_eq!(C_INTERNET + 1, COLUMNS.len());
    assert!(COLUMNS[..HOUSEHOLD_COLUMNS].iter().all(|c| c.household));
    assert!(COLUMNS[HOUSEHOLD_COLUMNS..].iter().all(|c| !c.household));
}

#[test]
fn headers_are_found_by_code_label_or_both() {
    let index = HeaderIndex::new();
    assert_eq!(index.find("full_name"), Some(C_FULL_NAME));
    assert_eq!(index.find("HỌ VÀ TÊN"), Some(C_FULL_NAME));
    assert_eq!(index.find("ho va ten"), Some(C_FULL_NAME));
    assert_eq!(index.find("Họ và tên (full_name)"), Some(C_FULL_NAME));
    assert_eq!(
        index.find("\u{feff}Mã hộ (household_code)"),
        Some(C_HOUSEHOLD_CODE)
    );
    assert_eq!(
        index.find("Diện tích nhà ở, m² (floor_area_m2)"),
        Some(C_FLOOR_AREA)
    );
    assert_eq!(index.find("STT"), None);
}

#[test]
fn numbers_allow_thousands_groups_but_not_fractions() {
    assert_eq!(parse_whole("1200"), Some(1200));
    assert_eq!(parse_whole("1.200"), Some(1200));
    assert_eq!(parse_whole("1,200,000"), Some(1_200_000));
    assert_eq!(parse_whole("45.0"), Some(45));
    assert_eq!(parse_whole("12.5"), None);
    assert_eq!(parse_whole("-3"), None);
    assert_eq!(parse_whole("abc"), None);
}

#[test]
fn dates_need_a_four_digit_year_and_must_exist() {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(parse_date("05/03/1985"), Ok(d(1985, 3, 5)));
    assert_eq!(parse_date("5/3/1985"), Ok(d(1985, 3, 5)));
    assert_eq!(parse_date("1985-03-05"), Ok(d(1985, 3, 5)));
    assert_eq!(parse_date("1985-03-05T00:00:00"), Ok(d(1985, 3, 5)));
    assert!(
        parse_date("31/02/2020")
            .unwrap_err()
            .contains("không tồn tại")
    );
    assert!(
        parse_date("2020-13-01")
            .unwrap_err()
            .contains("không tồn tại")
    );
    assert!(parse_date("1/1/20").unwrap_err().contains("dd/mm/yyyy"));
    assert!(parse_date("hôm qua").is_err());
}

#[test]
fn booleans_as_officials_type_them() {
    for yes in ["1", "có", "Co", "x", "X", "true"] {
        assert_eq!(parse_bool(yes), Some(true), "{yes}");
    }
    for no in ["0", "không", "khong", "", "false"] {
        assert_eq!(parse_bool(no), Some(false), "{no}");
    }
    assert_eq!(parse_bool("maybe"), None);
}

#[test]
fn the_choice_index_agrees_with_choice_list_parse() {
    let index = ChoiceIndex::new();
    for list in [
        &ETHNICITIES,
        &RELATIONS,
        &MATERIALS,
        &WATER_SOURCES,
        &NUTRITION,
    ] {
        for c in list.choices {
            for input in [c.code, c.label_vi, &text::fold(c.label_vi)] {
                assert_eq!(
                    index.parse(list, input).map(|c| c.code),
                    list.parse(input).map(|c| c.code)
                );
            }
        }
    }
}
