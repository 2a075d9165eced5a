//! The households templates, CSV and .xlsx, with their example household.

use super::{COLUMNS, Kind, LISTS_SHEET_NAME, SHEET_NAME, parse_date};
use chrono::Datelike;
use giamngheo_domain::household::{
    self, DISABILITIES, ETHNICITIES, LATRINES, MATERIALS, NUTRITION, RELATIONS, SCHOOL_LEVELS,
    WATER_SOURCES, WORK_STATUSES,
};

/// The example household of the templates: two members, marked in the notes so that
/// nobody imports it by mistake. Household values are given on the first row only.
const EXAMPLE_NOTE: &str = "Ví dụ — xóa dòng này";

/// The example rows as `(column code, value)`; dates as `dd/mm/yyyy`.
fn example_rows() -> [Vec<(&'static str, &'static str)>; 2] {
    [
        vec![
            ("household_code", "VD-001"),
            ("village_code", "00000000"),
            ("address", "Thôn Ví Dụ"),
            ("phone", "0912345678"),
            ("area", "Nông thôn"),
            ("merit", "Không"),
            ("social_allowance", "Không"),
            ("floor_area_m2", "36"),
            ("wall_material", "Gỗ tạp, tre"),
            ("column_material", "Gỗ bền chắc"),
            ("roof_material", "Kim loại, tôn"),
            ("water_source", "Nước khe, mó được bảo vệ"),
            ("latrine", "Hố xí đơn giản"),
            ("has_tv", "Có"),
            ("has_radio", "Không"),
            ("has_computer", "Không"),
            ("has_smartphone", "Có"),
            ("loudspeaker", "Có"),
            ("production_land_m2", "2.500"),
            ("notes", EXAMPLE_NOTE),
            ("full_name", "Hồ Thị Lan"),
            ("sex", "Nữ"),
            ("birth_date", "12/03/1985"),
            ("ethnicity", "Chứt"),
            ("relation", "Chủ hộ"),
            ("citizen_id", "044185000123"),
            ("health_insurance_number", "DT4444412345678"),
            ("health_insurance_expiry", "31/12/2026"),
            ("school_level", "Không"),
            ("qualification", "Tiểu học"),
            ("work_status", "Có việc làm"),
            ("labour_contract", "Không"),
            ("disability", "Không"),
            ("social_allowance_vnd", "0"),
            ("uses_internet", "Có"),
        ],
        vec![
            ("household_code", "VD-001"),
            ("village_code", "00000000"),
            ("notes", EXAMPLE_NOTE),
            ("full_name", "Hồ Văn Nam"),
            ("sex", "Nam"),
            // Only the year is known.
            ("birth_date", "2015"),
            ("ethnicity", "44"),
            ("relation", "Con"),
            ("school_level", "Tiểu học"),
            ("school_grade", "5"),
            ("work_status", "Trẻ em"),
            ("disability", "Không"),
            ("nutrition", "Bình thường"),
        ],
    ]
}

/// The CSV template: a header of column codes and the example household.
pub fn households_template_csv() -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, cells: Vec<&str>| {
        crate::csv_out::write_row(w, cells).expect("writing to memory cannot fail");
    };
    write(&mut w, COLUMNS.iter().map(|c| c.code).collect());
    for row in example_rows() {
        let cells = COLUMNS
            .iter()
            .map(|c| {
                row.iter()
                    .find(|(k, _)| *k == c.code)
                    .map_or("", |(_, v)| v)
            })
            .collect();
        write(&mut w, cells);
    }
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the template is UTF-8")
}

/// The .xlsx template: the sheet «Hộ gia đình» with a header of «label (code)», the
/// example household and date columns shown as dd/mm/yyyy, and the sheet «Danh mục»
/// with every code list.
pub fn households_template_xlsx() -> Vec<u8> {
    template_workbook().expect("the template is fixed and always writable")
}

fn template_workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, Workbook};
    let mut workbook = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xDDEBF7));
    let date = Format::new().set_num_format("dd/mm/yyyy");
    // Codes, phone and ID numbers are text: as numbers Excel would drop their leading
    // zeros (042… becomes 42…).
    let text = Format::new().set_num_format("@");
    let example = Format::new()
        .set_italic()
        .set_font_color(Color::RGB(0x7F7F7F));
    let example_date = example.clone().set_num_format("dd/mm/yyyy");

    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET_NAME)?;
    for (col, c) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, c.width)?;
        match c.kind {
            Kind::BirthDate | Kind::Date => {
                sheet.set_column_format(col, &date)?;
            }
            Kind::HouseholdCode | Kind::VillageCode | Kind::Phone | Kind::CitizenId => {
                sheet.set_column_format(col, &text)?;
            }
            _ => {}
        }
        sheet.write_string_with_format(0, col, format!("{} ({})", c.label, c.code), &header)?;
    }
    sheet.set_row_height(0, 48)?;
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in example_rows().iter().enumerate() {
        let r = r as u32 + 1;
        for (code, value) in row {
            let col = COLUMNS
                .iter()
                .position(|c| c.code == *code)
                .expect("example columns exist") as u16;
            let is_date = matches!(COLUMNS[col as usize].kind, Kind::BirthDate | Kind::Date);
            match parse_date(value) {
                Ok(d) if is_date => {
                    let d =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(r, col, &d, &example_date)?;
                }
                // A year alone is a number, as an official would type it.
                _ if is_date => {
                    let year: f64 = value.parse().expect("example years are numbers");
                    sheet.write_number_with_format(r, col, year, &example)?;
                }
                _ => {
                    sheet.write_string_with_format(r, col, *value, &example)?;
                }
            }
        }
    }

    let lists = workbook.add_worksheet();
    lists.set_name(LISTS_SHEET_NAME)?;
    lists.set_column_width(0, 34)?;
    lists.set_column_width(1, 18)?;
    lists.set_column_width(2, 40)?;
    lists.set_freeze_panes(1, 0)?;
    for (col, title) in ["Danh mục (cột)", "Mã", "Tên"].iter().enumerate() {
        lists.write_string_with_format(0, col as u16, *title, &header)?;
    }
    let fixed: [(&str, &[(&str, &str)]); 3] = [
        ("Giới tính (sex)", &[("male", "Nam"), ("female", "Nữ")]),
        (
            "Khu vực (area)",
            &[("rural", "Nông thôn"), ("urban", "Thành thị")],
        ),
        (
            "Có/Không (các cột có, hộ …)",
            &[("1", "Có"), ("0", "Không")],
        ),
    ];
    let coded: [(&str, &household::ChoiceList); 9] = [
        ("Dân tộc (ethnicity)", &ETHNICITIES),
        ("Quan hệ với chủ hộ (relation)", &RELATIONS),
        (
            "Vật liệu tường, cột, mái (wall_material, column_material, roof_material)",
            &MATERIALS,
        ),
        ("Nguồn nước sinh hoạt (water_source)", &WATER_SOURCES),
        ("Loại nhà tiêu (latrine)", &LATRINES),
        (
            "Cấp học, bằng cấp (school_level, qualification)",
            &SCHOOL_LEVELS,
        ),
        ("Tình trạng việc làm (work_status)", &WORK_STATUSES),
        ("Khuyết tật (disability)", &DISABILITIES),
        ("Dinh dưỡng trẻ em (nutrition)", &NUTRITION),
    ];
    let entries: Vec<(&str, &str, &str)> = fixed
        .iter()
        .flat_map(|(name, items)| {
            items
                .iter()
                .map(move |(code, label)| (*name, *code, *label))
        })
        .chain(coded.iter().flat_map(|(name, list)| {
            list.choices
                .iter()
                .map(move |c| (*name, c.code, c.label_vi))
        }))
        .collect();
    for (r, (name, code, label)) in entries.iter().enumerate() {
        let r = r as u32 + 1;
        lists.write_string(r, 0, *name)?;
        lists.write_string_with_format(r, 1, *code, &text)?;
        lists.write_string(r, 2, *label)?;
    }
    lists.autofilter(0, 0, entries.len() as u32, 2)?;
    workbook.save_to_buffer()
}
