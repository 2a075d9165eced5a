//! Households and their members from one table (.csv or .xlsx), one row per member.
//!
//! The household's own columns (address, housing, assets, …) repeat on each of its
//! members' rows or are left empty after its first row; rows of one household are
//! grouped by `household_code` + `village_code` and need not be adjacent. The header cell
//! of a column may be its code (`full_name`), its Vietnamese label (`Họ và tên`) or both
//! (`Họ và tên (full_name)`), typed with or without diacritics.
//!
//! A file is read whole: every problem is listed with its line and column, and a file
//! with any problem yields no household at all. The checks that need the database or
//! today's date (does the village exist, is a birth date in the future) belong to the
//! app, which maps its findings back to the file with [`draft_problems_to_cells`].

use crate::error::{CellError, SheetErrors};
use chrono::{Datelike, NaiveDate};
use giamngheo_domain::household::{
    self, CitizenId, DISABILITIES, DraftProblem, ETHNICITIES, HouseholdDraft, LATRINES, MATERIALS,
    MemberDraft, NUTRITION, RELATIONS, SCHOOL_LEVELS, Sex, WATER_SOURCES, WORK_STATUSES,
};
use giamngheo_domain::{Area, UnitCode, text};
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

mod files;
pub mod stream;
mod template;

use files::{decode_utf8, delimiter_of, refuse_workbooks};
pub use files::{read_households_csv, read_households_xlsx};
pub use template::{households_template_csv, households_template_xlsx};

/// The largest file accepted, in bytes. A district's register (30,000 households, 120,000
/// members) is about 28 MB as CSV with every column filled and 11 MB as .xlsx.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;

/// The most member rows accepted in one file: a province's worth, far above a district.
pub const MAX_ROWS: usize = 2_000_000;

/// Header cells read from the left; columns further right are ignored. The template has
/// 39 columns, and a sheet whose used range reaches column XFD must not make us allocate
/// sixteen thousand cells a row.
const MAX_COLUMNS: usize = 200;

/// The name of the template's data sheet, preferred over the first sheet when present.
pub const SHEET_NAME: &str = "Hộ gia đình";

/// The name of the template's sheet of code lists.
pub const LISTS_SHEET_NAME: &str = "Danh mục";

/// A household read from a file, with the lines it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedHousehold {
    /// The household's first row (1 is the header line).
    pub line: u64,
    /// The line of each member, in the order of `draft.members`.
    pub member_lines: Vec<u64>,
    pub draft: HouseholdDraft,
}

/// The two formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
}

impl FileKind {
    /// Decides by content first: an .xlsx file is a zip archive whatever its name, and a
    /// CSV file renamed `.xlsx` is still text. The name decides only when the content
    /// does not.
    pub fn detect(filename: &str, bytes: &[u8]) -> FileKind {
        if bytes.starts_with(ZIP_MAGIC) {
            return FileKind::Xlsx;
        }
        let lower = filename.to_ascii_lowercase();
        if bytes.is_empty() && (lower.ends_with(".xlsx") || lower.ends_with(".xlsm")) {
            FileKind::Xlsx
        } else {
            FileKind::Csv
        }
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The old binary Excel format (.xls), which spreadsheet programs still offer.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Reads a households file of either kind.
pub fn read_households(
    bytes: &[u8],
    kind: FileKind,
) -> Result<Vec<ImportedHousehold>, SheetErrors> {
    match kind {
        FileKind::Csv => read_households_csv(bytes),
        FileKind::Xlsx => read_households_xlsx(bytes),
    }
}

/// What a column holds, which decides how its cells are read.
#[derive(Debug, Clone, Copy)]
enum Kind {
    HouseholdCode,
    VillageCode,
    /// Free text, stored in NFC with single spaces.
    Text,
    /// A phone number: text, but a number cell gets back the leading zero Excel drops.
    Phone,
    Area,
    Bool,
    /// A non-negative whole number (square metres).
    Count,
    /// A non-negative amount of VND.
    Money,
    /// A school grade, 1 to 12.
    Grade,
    Choice(&'static household::ChoiceList),
    Ethnicity,
    Sex,
    /// A full date, or a year alone.
    BirthDate,
    Date,
    CitizenId,
}

/// One column of the households table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The code, as in [`DraftProblem::field`] and the CSV template's header.
    pub code: &'static str,
    /// The Vietnamese label shown in the .xlsx template.
    pub label: &'static str,
    /// A file without this column is refused.
    pub required: bool,
    /// A household's column (repeated on each member row) rather than a member's.
    pub household: bool,
    kind: Kind,
    /// Column width in the template, in characters.
    width: f64,
}

const fn h(code: &'static str, label: &'static str, kind: Kind, width: f64) -> Column {
    Column {
        code,
        label,
        required: false,
        household: true,
        kind,
        width,
    }
}

const fn m(code: &'static str, label: &'static str, kind: Kind, width: f64) -> Column {
    Column {
        code,
        label,
        required: false,
        household: false,
        kind,
        width,
    }
}

const fn required(c: Column) -> Column {
    Column {
        required: true,
        ..c
    }
}

/// Every column, in the template's order. The positions are used as indexes below, so
/// the `C_*` constants must follow this order.
pub const COLUMNS: [Column; 39] = [
    required(h("household_code", "Mã hộ", Kind::HouseholdCode, 12.0)),
    required(h("village_code", "Mã thôn", Kind::VillageCode, 12.0)),
    h("address", "Địa chỉ", Kind::Text, 24.0),
    h("phone", "Số điện thoại", Kind::Phone, 14.0),
    h("area", "Khu vực", Kind::Area, 12.0),
    h("ethnic_minority", "Hộ dân tộc thiểu số", Kind::Bool, 10.0),
    h("female_headed", "Chủ hộ là nữ", Kind::Bool, 10.0),
    h("merit", "Hộ người có công", Kind::Bool, 10.0),
    h(
        "social_allowance",
        "Hộ hưởng trợ cấp bảo trợ xã hội",
        Kind::Bool,
        12.0,
    ),
    h("floor_area_m2", "Diện tích nhà ở, m²", Kind::Count, 10.0),
    h(
        "wall_material",
        "Vật liệu tường",
        Kind::Choice(&MATERIALS),
        18.0,
    ),
    h(
        "column_material",
        "Vật liệu cột",
        Kind::Choice(&MATERIALS),
        18.0,
    ),
    h(
        "roof_material",
        "Vật liệu mái",
        Kind::Choice(&MATERIALS),
        18.0,
    ),
    h(
        "water_source",
        "Nguồn nước sinh hoạt",
        Kind::Choice(&WATER_SOURCES),
        20.0,
    ),
    h("latrine", "Loại nhà tiêu", Kind::Choice(&LATRINES), 20.0),
    h("has_tv", "Có ti vi", Kind::Bool, 8.0),
    h("has_radio", "Có radio", Kind::Bool, 8.0),
    h("has_computer", "Có máy vi tính", Kind::Bool, 8.0),
    h(
        "has_smartphone",
        "Có điện thoại thông minh",
        Kind::Bool,
        10.0,
    ),
    h(
        "loudspeaker",
        "Nghe được loa truyền thanh",
        Kind::Bool,
        10.0,
    ),
    h("production_land_m2", "Đất sản xuất, m²", Kind::Count, 10.0),
    h("notes", "Ghi chú", Kind::Text, 24.0),
    required(m("full_name", "Họ và tên", Kind::Text, 24.0)),
    required(m("sex", "Giới tính", Kind::Sex, 8.0)),
    required(m("birth_date", "Ngày sinh", Kind::BirthDate, 12.0)),
    required(m("ethnicity", "Dân tộc", Kind::Ethnicity, 10.0)),
    required(m(
        "relation",
        "Quan hệ với chủ hộ",
        Kind::Choice(&RELATIONS),
        14.0,
    )),
    m("citizen_id", "Số CCCD", Kind::CitizenId, 15.0),
    m("health_insurance_number", "Số thẻ BHYT", Kind::Text, 17.0),
    m("health_insurance_expiry", "Hạn thẻ BHYT", Kind::Date, 12.0),
    m(
        "school_level",
        "Cấp học đang học",
        Kind::Choice(&SCHOOL_LEVELS),
        16.0,
    ),
    m("school_grade", "Lớp đang học", Kind::Grade, 8.0),
    m(
        "qualification",
        "Bằng cấp cao nhất",
        Kind::Choice(&SCHOOL_LEVELS),
        16.0,
    ),
    m(
        "work_status",
        "Tình trạng việc làm",
        Kind::Choice(&WORK_STATUSES),
        16.0,
    ),
    m("labour_contract", "Có hợp đồng lao động", Kind::Bool, 10.0),
    m(
        "disability",
        "Khuyết tật",
        Kind::Choice(&DISABILITIES),
        14.0,
    ),
    m(
        "social_allowance_vnd",
        "Trợ cấp xã hội hằng tháng, đồng",
        Kind::Money,
        12.0,
    ),
    m(
        "nutrition",
        "Dinh dưỡng trẻ em",
        Kind::Choice(&NUTRITION),
        12.0,
    ),
    m("uses_internet", "Có sử dụng Internet", Kind::Bool, 10.0),
];

// Indexes into COLUMNS; `columns_follow_their_indexes` checks them.
const C_HOUSEHOLD_CODE: usize = 0;
const C_VILLAGE_CODE: usize = 1;
const C_ADDRESS: usize = 2;
const C_PHONE: usize = 3;
const C_AREA: usize = 4;
const C_ETHNIC_MINORITY: usize = 5;
const C_FEMALE_HEADED: usize = 6;
const C_MERIT: usize = 7;
const C_SOCIAL_ALLOWANCE: usize = 8;
const C_FLOOR_AREA: usize = 9;
const C_WALL: usize = 10;
const C_COLUMN: usize = 11;
const C_ROOF: usize = 12;
const C_WATER: usize = 13;
const C_LATRINE: usize = 14;
const C_TV: usize = 15;
const C_RADIO: usize = 16;
const C_COMPUTER: usize = 17;
const C_SMARTPHONE: usize = 18;
const C_LOUDSPEAKER: usize = 19;
const C_LAND: usize = 20;
const C_NOTES: usize = 21;
/// The household's columns are the first ones.
const HOUSEHOLD_COLUMNS: usize = 22;
const C_FULL_NAME: usize = 22;
const C_SEX: usize = 23;
const C_BIRTH_DATE: usize = 24;
const C_ETHNICITY: usize = 25;
const C_RELATION: usize = 26;
const C_CITIZEN_ID: usize = 27;
const C_HI_NUMBER: usize = 28;
const C_HI_EXPIRY: usize = 29;
const C_SCHOOL_LEVEL: usize = 30;
const C_SCHOOL_GRADE: usize = 31;
const C_QUALIFICATION: usize = 32;
const C_WORK_STATUS: usize = 33;
const C_LABOUR_CONTRACT: usize = 34;
const C_DISABILITY: usize = 35;
const C_ALLOWANCE_VND: usize = 36;
const C_NUTRITION: usize = 37;
const C_INTERNET: usize = 38;

/// One cell as the file gives it: CSV has only text; .xlsx also has numbers, dates and
/// booleans.
#[derive(Debug, Clone, Copy)]
enum In<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// A cell the spreadsheet itself marks as broken (`#REF!`, `#VALUE!`, …).
    Broken,
}

impl In<'_> {
    fn is_empty(&self) -> bool {
        match self {
            In::Empty => true,
            In::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text. Whole numbers lose the `.0` a spreadsheet stores them with, so
    /// a code typed as a number reads as the code.
    fn text(&self) -> Cow<'_, str> {
        match self {
            In::Empty | In::Broken => Cow::Borrowed(""),
            In::Text(s) => Cow::Borrowed(s.trim()),
            In::Number(f) => Cow::Owned(number_text(*f)),
            In::Date(d) => Cow::Owned(d.format("%d/%m/%Y").to_string()),
            In::Bool(true) => Cow::Borrowed("1"),
            In::Bool(false) => Cow::Borrowed("0"),
        }
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// A cell's value once read. Household values are compared across a household's rows,
/// so equal meanings must give equal values ("có" and "1" are both `Bool(true)`).
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Empty,
    Text(String),
    Bool(bool),
    Count(u32),
    Money(i64),
    Grade(u8),
    Code(&'static str),
    Area(Area),
    Sex(Sex),
    Birth(Option<NaiveDate>, i32),
    Date(NaiveDate),
    CitizenId(CitizenId),
}

/// Code lists indexed by folded label, built once per file: `ChoiceList::parse` folds
/// every label on every call, which is too slow for a hundred thousand rows.
struct ChoiceIndex {
    by_label: HashMap<&'static str, HashMap<String, &'static household::Choice>>,
}

impl ChoiceIndex {
    fn new() -> Self {
        let mut by_label = HashMap::new();
        for list in [
            &MATERIALS,
            &WATER_SOURCES,
            &LATRINES,
            &RELATIONS,
            &SCHOOL_LEVELS,
            &WORK_STATUSES,
            &DISABILITIES,
            &NUTRITION,
            &ETHNICITIES,
        ] {
            let index: HashMap<String, &'static household::Choice> = list
                .choices
                .iter()
                .flat_map(|c| [(text::fold(c.label_vi), c), (c.label_vi.to_string(), c)])
                .collect();
            by_label.insert(list.name, index);
        }
        ChoiceIndex { by_label }
    }

    /// The same answer as [`household::ChoiceList::parse`]: the code, or the label
    /// typed with or without diacritics.
    fn parse(
        &self,
        list: &household::ChoiceList,
        input: &str,
    ) -> Option<&'static household::Choice> {
        let index = self.by_label.get(list.name)?;
        // The label as written in the template is found without folding, which is most
        // of the time taken by a large file.
        list.get(input)
            .or_else(|| index.get(input).copied())
            .or_else(|| index.get(&text::fold(input)).copied())
    }
}

/// Reads one cell of a column.
fn read_cell(kind: Kind, cell: In<'_>, choices: &ChoiceIndex) -> Result<Value, String> {
    if let In::Broken = cell {
        return Err("ô bị lỗi công thức".into());
    }
    if cell.is_empty() {
        return Ok(Value::Empty);
    }
    let s = cell.text();
    let s = s.as_ref();
    match kind {
        Kind::HouseholdCode => household::parse_household_code(s).map(Value::Text),
        Kind::VillageCode => UnitCode::parse(s)
            .map(|c| Value::Text(c.as_str().to_string()))
            .map_err(|e| e.to_string()),
        Kind::Text => Ok(Value::Text(text::normalize(s))),
        Kind::Phone => Ok(Value::Text(match cell {
            // Excel stores 0912345678 typed into a number cell as 912345678; Vietnamese
            // phone numbers have ten digits and start with 0.
            In::Number(_) if s.len() == 9 => format!("0{s}"),
            _ => s.to_string(),
        })),
        Kind::Area => match text::fold(s).as_str() {
            "rural" | "nong thon" => Ok(Value::Area(Area::Rural)),
            "urban" | "thanh thi" => Ok(Value::Area(Area::Urban)),
            _ => Err(format!("khu vực «{s}» phải là Nông thôn hoặc Thành thị")),
        },
        Kind::Bool => match cell {
            In::Bool(b) => Ok(Value::Bool(b)),
            _ => parse_bool(s)
                .map(Value::Bool)
                .ok_or_else(|| format!("«{s}» phải là Có hoặc Không (1/0, x hoặc để trống)")),
        },
        Kind::Count => parse_whole(s)
            .and_then(|n| u32::try_from(n).ok())
            .map(Value::Count)
            .ok_or_else(|| format!("«{s}» phải là số nguyên không âm")),
        Kind::Money => parse_whole(s)
            .map(Value::Money)
            .ok_or_else(|| format!("«{s}» phải là số tiền nguyên, không âm (đồng)")),
        Kind::Grade => parse_whole(s)
            .filter(|g| (1..=12).contains(g))
            .map(|g| Value::Grade(g as u8))
            .ok_or_else(|| format!("lớp «{s}» phải là số từ 1 đến 12")),
        Kind::Choice(list) => choices
            .parse(list, s)
            .map(|c| Value::Code(c.code))
            .ok_or_else(|| unknown_choice(list, s)),
        Kind::Ethnicity => {
            // A number cell holding 1 means the code 01.
            let padded = if s.len() == 1 && s.as_bytes()[0].is_ascii_digit() {
                Cow::Owned(format!("0{s}"))
            } else {
                Cow::Borrowed(s)
            };
            choices
                .parse(&ETHNICITIES, &padded)
                .map(|c| Value::Code(c.code))
                .ok_or_else(|| {
                    format!(
                        "dân tộc «{s}» không có trong danh mục 54 dân tộc (ghi mã 01–54 hoặc tên, ví dụ Kinh, Chứt)"
                    )
                })
        }
        Kind::Sex => match s {
            "Nam" => Some(Sex::Male),
            "Nữ" => Some(Sex::Female),
            _ => Sex::parse(s),
        }
        .map(Value::Sex)
        .ok_or_else(|| format!("giới tính «{s}» phải là Nam hoặc Nữ")),
        Kind::BirthDate => match cell {
            In::Date(d) => Ok(Value::Birth(Some(d), d.year())),
            _ if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Value::Birth(None, s.parse().expect("four digits")))
            }
            _ => parse_date(s)
                .map(|d| Value::Birth(Some(d), d.year()))
                .map_err(|e| format!("{e}, hoặc chỉ năm sinh yyyy")),
        },
        Kind::Date => match cell {
            In::Date(d) => Ok(Value::Date(d)),
            _ => parse_date(s).map(Value::Date),
        },
        Kind::CitizenId => {
            // Excel turns 042123456789 typed into a number cell into 42123456789. Every
            // citizen ID starts with the 0 of a province code, so the zeros are restored.
            let digits = match cell {
                In::Number(_) if s.len() < 12 && s.bytes().all(|b| b.is_ascii_digit()) => {
                    Cow::Owned(format!("{s:0>12}"))
                }
                _ => Cow::Borrowed(s),
            };
            CitizenId::parse(&digits)
                .map(Value::CitizenId)
                .map_err(|e| e.to_string())
        }
    }
}

fn unknown_choice(list: &household::ChoiceList, s: &str) -> String {
    let labels: Vec<&str> = list.choices.iter().map(|c| c.label_vi).collect();
    format!(
        "«{s}» không có trong danh mục; ghi một trong: {}",
        labels.join("; ")
    )
}

/// Booleans as officials type them: 1/0, có/không, x or nothing, true/false.
fn parse_bool(s: &str) -> Option<bool> {
    // The common spellings first, without the cost of folding.
    match s {
        "1" | "x" | "X" | "Có" | "có" => return Some(true),
        "0" | "" | "Không" | "không" => return Some(false),
        _ => {}
    }
    match text::fold(s).as_str() {
        "1" | "co" | "x" | "true" | "yes" | "c" => Some(true),
        "0" | "khong" | "false" | "no" | "k" | "" => Some(false),
        _ => None,
    }
}

/// A non-negative whole number, allowing thousands groups written with `.`, `,` or a
/// space (`1.200`, `1,200`, `1 200`). A decimal fraction is refused rather than guessed:
/// `12.5` could mean twelve and a half or a mistyped `12.500`.
fn parse_whole(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if let Ok(n) = s.parse::<i64>() {
        return (n >= 0).then_some(n);
    }
    // A number cell such as 45.0 is whole.
    if let Some(whole) = s.strip_suffix(".0") {
        return parse_whole(whole);
    }
    let mut groups = s.split(['.', ',', ' ']);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut digits = first.to_string();
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(g);
    }
    digits.parse().ok()
}

/// Accepts `dd/mm/yyyy` (also with `-` or `.`), ISO `yyyy-mm-dd` and an ISO date-time
/// whose time is ignored. The year must have four digits: `1/1/20` is refused rather than
/// read as the year 20.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    let bad_format = || format!("ngày «{s}» không đúng dạng dd/mm/yyyy");
    let date_part = match s.get(..10) {
        Some(head) if s.len() > 10 && matches!(s.as_bytes()[10], b'T' | b' ') => head,
        _ => s,
    };
    let parts: Vec<&str> = date_part.split(['/', '-', '.']).collect();
    let [a, b, c] = parts[..] else {
        return Err(bad_format());
    };
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad_format());
    }
    let (year, month, day) = if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
        (a, b, c)
    } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
        (c, b, a)
    } else {
        return Err(bad_format());
    };
    let (year, month, day): (i32, u32, u32) = (
        year.parse().map_err(|_| bad_format())?,
        month.parse().map_err(|_| bad_format())?,
        day.parse().map_err(|_| bad_format())?,
    );
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("ngày «{s}» không tồn tại (dd/mm/yyyy)"))
}

/// Finds a column from a header cell: its code, its label, or `Label (code)`.
struct HeaderIndex {
    by_name: HashMap<String, usize>,
}

impl HeaderIndex {
    fn new() -> Self {
        let mut by_name = HashMap::new();
        for (i, c) in COLUMNS.iter().enumerate() {
            by_name.insert(text::fold(c.code), i);
            by_name.insert(text::fold(c.label), i);
        }
        HeaderIndex { by_name }
    }

    fn find(&self, cell: &str) -> Option<usize> {
        let cell = cell.trim_start_matches('\u{feff}').trim();
        let folded = text::fold(cell);
        if let Some(&i) = self.by_name.get(&folded) {
            return Some(i);
        }
        let inner = folded.strip_suffix(')')?;
        let (label, code) = inner.rsplit_once('(')?;
        self.by_name
            .get(code.trim())
            .or_else(|| self.by_name.get(label.trim()))
            .copied()
    }
}

/// A household being assembled from its rows.
struct Building {
    line: u64,
    /// The value of each household column and the line that gave it.
    values: Vec<Option<(Value, u64)>>,
    members: Vec<MemberDraft>,
    member_lines: Vec<u64>,
}

/// The reading state shared by the CSV and the .xlsx readers.
struct Assembler {
    header_line: u64,
    /// For each column of [`COLUMNS`], its position in the file's rows.
    positions: Vec<Option<usize>>,
    /// The widest position used, so that longer rows can be told apart.
    header_width: usize,
    choices: ChoiceIndex,
    households: Vec<Building>,
    by_key: HashMap<(String, String), usize>,
    /// The first line of each citizen ID, keyed by the ID's twelve digits as a number so
    /// that a streamed province file keeps eight bytes per person, not a string.
    citizen_ids: HashMap<u64, u64>,
    rows: usize,
    errors: SheetErrors,
    /// Set when the file is streamed ([`stream::HouseholdStream`]) rather than read whole.
    stream: Option<stream::StreamState>,
}

impl Assembler {
    /// Reads the header row; a missing required column or a column given twice refuses
    /// the file before any row is read.
    fn new<'a>(
        header_line: u64,
        header: impl IntoIterator<Item = Cow<'a, str>>,
    ) -> Result<Assembler, SheetErrors> {
        let index = HeaderIndex::new();
        let mut positions = vec![None; COLUMNS.len()];
        let mut errors = SheetErrors::new();
        let mut header_width = 0;
        for (pos, cell) in header.into_iter().enumerate().take(MAX_COLUMNS) {
            if cell.trim().is_empty() {
                continue;
            }
            header_width = pos + 1;
            // Columns the template does not know (a running number, a remark of the
            // village) are ignored, so officials may keep their own.
            if let Some(i) = index.find(&cell) {
                if positions[i].is_some() {
                    errors.push(
                        header_line,
                        COLUMNS[i].code,
                        format!("cột «{}» xuất hiện hai lần", COLUMNS[i].label),
                    );
                }
                positions[i] = Some(pos);
            }
        }
        for (i, c) in COLUMNS.iter().enumerate() {
            if c.required && positions[i].is_none() {
                errors.push(
                    header_line,
                    c.code,
                    format!("thiếu cột bắt buộc «{} ({})»", c.label, c.code),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Assembler {
            header_line,
            positions,
            header_width,
            choices: ChoiceIndex::new(),
            households: Vec::new(),
            by_key: HashMap::new(),
            citizen_ids: HashMap::new(),
            rows: 0,
            errors,
            stream: None,
        })
    }

    /// Reads one member row; returns false when reading should stop (too many problems
    /// or too many rows).
    fn row(&mut self, line: u64, cells: &[In<'_>]) -> bool {
        let cell =
            |pos: Option<usize>| pos.and_then(|p| cells.get(p).copied()).unwrap_or(In::Empty);
        // Blank rows, which spreadsheets leave between and after the data, are skipped.
        if self.positions.iter().all(|&p| cell(p).is_empty()) {
            return true;
        }
        self.rows += 1;
        // A streamed file holds one household at a time, so it may be of any length.
        if self.stream.is_none() && self.rows > MAX_ROWS {
            self.errors.push(
                line,
                "",
                format!("tệp có quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp"),
            );
            return false;
        }
        if let Some(extra) = cells
            .iter()
            .skip(self.header_width)
            .position(|c| !c.is_empty())
        {
            // Usually an unquoted comma in an address, which shifts every cell after it.
            self.errors.push(
                line,
                "",
                format!(
                    "dòng có dữ liệu ở cột thứ {} nhưng tiêu đề chỉ có {} cột (có thể do dấu phẩy trong ô không được đặt trong ngoặc kép)",
                    self.header_width + extra + 1,
                    self.header_width
                ),
            );
        }
        let mut values = Vec::with_capacity(COLUMNS.len());
        for (i, c) in COLUMNS.iter().enumerate() {
            let value = match read_cell(c.kind, cell(self.positions[i]), &self.choices) {
                Ok(v) => v,
                Err(reason) => {
                    self.errors.push(line, c.code, reason);
                    Value::Empty
                }
            };
            values.push(value);
        }

        if let Value::CitizenId(id) = &values[C_CITIZEN_ID] {
            match self.citizen_ids.entry(stream::citizen_key(id)) {
                Entry::Occupied(first) => {
                    self.errors.push(
                        line,
                        COLUMNS[C_CITIZEN_ID].code,
                        format!("số CCCD trùng với dòng {}", first.get()),
                    );
                }
                Entry::Vacant(v) => {
                    v.insert(line);
                }
            }
        }

        let key = match (&values[C_HOUSEHOLD_CODE], &values[C_VILLAGE_CODE]) {
            (Value::Text(h), Value::Text(v)) => Some((v.clone(), h.clone())),
            _ => {
                // A code that is there but malformed has been reported already.
                if cell(self.positions[C_HOUSEHOLD_CODE]).is_empty() {
                    self.errors
                        .push(line, COLUMNS[C_HOUSEHOLD_CODE].code, "thiếu mã hộ");
                }
                if cell(self.positions[C_VILLAGE_CODE]).is_empty() {
                    self.errors
                        .push(line, COLUMNS[C_VILLAGE_CODE].code, "thiếu mã thôn");
                }
                None
            }
        };
        if let Some(key) = key {
            if self.stream.is_some() {
                self.stream_next_key(&key, line);
            }
            let at = *self.by_key.entry(key).or_insert_with(|| {
                self.households.push(Building {
                    line,
                    values: vec![None; HOUSEHOLD_COLUMNS],
                    members: Vec::new(),
                    member_lines: Vec::new(),
                });
                self.households.len() - 1
            });
            let building = &mut self.households[at];
            let mut values = values.into_iter();
            for (i, value) in values.by_ref().take(HOUSEHOLD_COLUMNS).enumerate() {
                if value == Value::Empty {
                    continue;
                }
                match &building.values[i] {
                    None => building.values[i] = Some((value, line)),
                    Some((first, first_line)) if *first != value => {
                        self.errors.push(
                            line,
                            COLUMNS[i].code,
                            format!(
                                "khác với dòng {first_line} của cùng hộ; các dòng của một hộ phải ghi giống nhau hoặc để trống"
                            ),
                        );
                    }
                    Some(_) => {}
                }
            }
            let member: Vec<Value> = values.collect();
            building.members.push(member_draft(member));
            building.member_lines.push(line);
        }
        !self.errors.truncated
    }

    fn finish(mut self) -> Result<Vec<ImportedHousehold>, SheetErrors> {
        if self.households.is_empty() && self.errors.is_empty() {
            self.errors
                .push(self.header_line + 1, "", "tệp không có dòng dữ liệu nào");
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        Ok(self
            .households
            .into_iter()
            .map(|b| ImportedHousehold {
                line: b.line,
                member_lines: b.member_lines,
                draft: household_draft(b.values, b.members),
            })
            .collect())
    }
}

fn household_draft(values: Vec<Option<(Value, u64)>>, members: Vec<MemberDraft>) -> HouseholdDraft {
    let mut d = HouseholdDraft {
        members,
        ..HouseholdDraft::default()
    };
    for (i, value) in values.into_iter().enumerate() {
        let Some((value, _)) = value else { continue };
        match (i, value) {
            (C_HOUSEHOLD_CODE, Value::Text(s)) => d.code = s,
            (C_VILLAGE_CODE, Value::Text(s)) => d.village_code = s,
            (C_ADDRESS, Value::Text(s)) => d.address = s,
            (C_PHONE, Value::Text(s)) => d.phone = Some(s),
            (C_AREA, Value::Area(a)) => d.area = Some(a),
            (C_ETHNIC_MINORITY, Value::Bool(b)) => d.ethnic_minority = Some(b),
            (C_FEMALE_HEADED, Value::Bool(b)) => d.female_headed = Some(b),
            (C_MERIT, Value::Bool(b)) => d.merit = b,
            (C_SOCIAL_ALLOWANCE, Value::Bool(b)) => d.social_allowance = b,
            (C_FLOOR_AREA, Value::Count(n)) => d.floor_area_m2 = Some(n),
            (C_WALL, Value::Code(c)) => d.wall_material = Some(c.into()),
            (C_COLUMN, Value::Code(c)) => d.column_material = Some(c.into()),
            (C_ROOF, Value::Code(c)) => d.roof_material = Some(c.into()),
            (C_WATER, Value::Code(c)) => d.water_source = Some(c.into()),
            (C_LATRINE, Value::Code(c)) => d.latrine = Some(c.into()),
            (C_TV, Value::Bool(b)) => d.has_tv = b,
            (C_RADIO, Value::Bool(b)) => d.has_radio = b,
            (C_COMPUTER, Value::Bool(b)) => d.has_computer = b,
            (C_SMARTPHONE, Value::Bool(b)) => d.has_smartphone = b,
            (C_LOUDSPEAKER, Value::Bool(b)) => d.loudspeaker = b,
            (C_LAND, Value::Count(n)) => d.production_land_m2 = Some(n),
            (C_NOTES, Value::Text(s)) => d.notes = s,
            (i, v) => unreachable!("column {} cannot hold {v:?}", COLUMNS[i].code),
        }
    }
    d
}

/// Builds a member from the member columns' values, which follow the household's.
fn member_draft(values: Vec<Value>) -> MemberDraft {
    let mut m = MemberDraft::default();
    for (i, value) in values.into_iter().enumerate() {
        match (HOUSEHOLD_COLUMNS + i, value) {
            (_, Value::Empty) => {}
            (C_FULL_NAME, Value::Text(s)) => m.full_name = s,
            (C_SEX, Value::Sex(s)) => m.sex = Some(s),
            (C_BIRTH_DATE, Value::Birth(date, year)) => {
                m.birth_date = date;
                m.birth_year = Some(year);
            }
            (C_ETHNICITY, Value::Code(c)) => m.ethnicity = c.into(),
            (C_RELATION, Value::Code(c)) => m.relation = c.into(),
            (C_CITIZEN_ID, Value::CitizenId(id)) => m.citizen_id = Some(id),
            (C_HI_NUMBER, Value::Text(s)) => m.health_insurance_number = Some(s),
            (C_HI_EXPIRY, Value::Date(d)) => m.health_insurance_expiry = Some(d),
            (C_SCHOOL_LEVEL, Value::Code(c)) => m.school_level = Some(c.into()),
            (C_SCHOOL_GRADE, Value::Grade(g)) => m.school_grade = Some(g),
            (C_QUALIFICATION, Value::Code(c)) => m.qualification = Some(c.into()),
            (C_WORK_STATUS, Value::Code(c)) => m.work_status = Some(c.into()),
            (C_LABOUR_CONTRACT, Value::Bool(b)) => m.labour_contract = b,
            (C_DISABILITY, Value::Code(c)) => m.disability = Some(c.into()),
            (C_ALLOWANCE_VND, Value::Money(n)) => m.social_allowance_vnd = n,
            (C_NUTRITION, Value::Code(c)) => m.nutrition = Some(c.into()),
            (C_INTERNET, Value::Bool(b)) => m.uses_internet = b,
            (i, v) => unreachable!("column {} cannot hold {v:?}", COLUMNS[i].code),
        }
    }
    m
}

/// Maps the problems [`HouseholdDraft::check`] finds back to the file: a member's
/// problem to that member's line, a household's to the household's first line.
pub fn draft_problems_to_cells(h: &ImportedHousehold, problems: &[DraftProblem]) -> Vec<CellError> {
    problems
        .iter()
        .map(|p| CellError {
            line: p
                .member
                .and_then(|i| h.member_lines.get(i).copied())
                .unwrap_or(h.line),
            // "members" (a household without members) is not a column: the whole line.
            column: if COLUMNS.iter().any(|c| c.code == p.field) {
                p.field.to_string()
            } else {
                String::new()
            },
            reason: p.message.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
