//! Problems are named by the file's physical line, as an editor or a spreadsheet shows
//! it: the header is line 1, and blank lines, Windows line ends (CR LF) and a quoted cell
//! that runs over several lines all count.

use giamngheo_sheets::SheetErrors;
use giamngheo_sheets::households::read_households_csv;
use giamngheo_sheets::units::{read_units, read_villages};

fn lines(e: &SheetErrors) -> Vec<u64> {
    e.errors.iter().map(|e| e.line).collect()
}

/// The same text with Unix and with Windows line ends.
fn both_line_ends(text: &str) -> [String; 2] {
    [text.to_string(), text.replace('\n', "\r\n")]
}

#[test]
fn households_problems_name_the_physical_line() {
    let text = "household_code,village_code,address,full_name,sex,birth_date,ethnicity,relation\n\
                DM-1,18499001,Xóm 1,Hồ Văn An,Nam,1970,Kinh,Chủ hộ\n\
                \n\
                DM-2,18499001,\"Xóm 2,\nthôn Trung Hòa\",Lê Văn Bình,Nam,1980,Kinh,Chủ hộ\n\
                \n\
                \n\
                DM-3,18499001,Xóm 3,Lê Văn Cường,X,1981,Kinh,Chủ hộ\n\
                DM-4,18499001,\"nhiều\n\ndòng\",Lê Văn Dũng,Nam,1982,Kinh,Sếp\n";
    for text in both_line_ends(text) {
        let errors = read_households_csv(text.as_bytes()).unwrap_err();
        // Line 8 holds DM-3's wrong sex; DM-4 starts on line 9 (its address runs to 11).
        assert_eq!(lines(&errors), [8, 9], "{errors}");
    }
}

#[test]
fn a_header_after_blank_lines_keeps_its_line() {
    let text = "\n\nhousehold_code,village_code,full_name,sex,birth_date,ethnicity,relation\n\
                DM-1,18499001,Hồ Văn An,Nam,năm ngoái,Kinh,Chủ hộ\n";
    for text in both_line_ends(text) {
        let errors = read_households_csv(text.as_bytes()).unwrap_err();
        assert_eq!(lines(&errors), [4], "{errors}");
    }
}

#[test]
fn units_and_villages_problems_name_the_physical_line() {
    let units = "code,name,kind,level,parent_code\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 \n\
                 444,\"Huyện\nHương Khê\",Huyện,2,42\n\
                 18499,Xã Điền Mỹ,Xã,không,444\n";
    for text in both_line_ends(units) {
        let errors = read_units(text.as_bytes()).unwrap_err();
        assert_eq!(lines(&errors), [6], "{errors}");
    }
    let villages = "commune_code,name,kind\n\
                    18499,\"Thôn\nTrung Hòa\",Thôn\n\
                    \n\
                    18x99,Thôn Hạ Lâm,Thôn\n";
    for text in both_line_ends(villages) {
        let errors = read_villages(text.as_bytes(), None).unwrap_err();
        assert_eq!(lines(&errors), [5], "{errors}");
    }
}
