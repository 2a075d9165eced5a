//! Households (hộ gia đình) and their members (thành viên): validated values and the code
//! lists the registry uses.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One entry of a code list: the stored code, the Vietnamese and English labels, and
/// whether the answer counts as adequate for the deprivation indicators (durable
/// material, safe water, hygienic latrine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub code: &'static str,
    pub label_vi: &'static str,
    pub label_en: &'static str,
    pub adequate: bool,
}

const fn c(
    code: &'static str,
    label_vi: &'static str,
    label_en: &'static str,
    adequate: bool,
) -> Choice {
    Choice {
        code,
        label_vi,
        label_en,
        adequate,
    }
}

/// A named list of choices.
#[derive(Debug, Clone, Copy)]
pub struct ChoiceList {
    pub name: &'static str,
    pub choices: &'static [Choice],
}

impl ChoiceList {
    pub fn get(&self, code: &str) -> Option<&'static Choice> {
        self.choices.iter().find(|c| c.code == code)
    }

    /// Accepts a code or a Vietnamese label typed with or without diacritics.
    pub fn parse(&self, input: &str) -> Option<&'static Choice> {
        let input = input.trim();
        self.get(input).or_else(|| {
            let folded = crate::text::fold(input);
            self.choices
                .iter()
                .find(|c| crate::text::fold(c.label_vi) == folded)
        })
    }

    pub fn codes(&self) -> String {
        self.choices
            .iter()
            .map(|c| c.code)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Materials of walls, columns and roofs. "Non-durable" (thiếu kiên cố, đơn sơ) counts
/// against housing quality.
pub const MATERIALS: ChoiceList = ChoiceList {
    name: "material",
    choices: &[
        c(
            "concrete",
            "Bê tông, gạch, đá",
            "Concrete, brick, stone",
            true,
        ),
        c("metal", "Kim loại, tôn", "Metal sheet", true),
        c("wood_durable", "Gỗ bền chắc", "Durable wood", true),
        c("tile", "Ngói, fibro xi măng", "Tile, fibre cement", true),
        c("wood_poor", "Gỗ tạp, tre", "Poor wood, bamboo", false),
        c(
            "leaf",
            "Lá, rơm rạ, giấy dầu",
            "Leaves, straw, tar paper",
            false,
        ),
        c("mud", "Đất, vách đất", "Mud", false),
        c("other", "Khác", "Other", false),
    ],
};

/// Domestic water sources; the adequate ones are "safe" (hợp vệ sinh).
pub const WATER_SOURCES: ChoiceList = ChoiceList {
    name: "water_source",
    choices: &[
        c("piped", "Nước máy", "Piped water", true),
        c("drilled_well", "Giếng khoan", "Drilled well", true),
        c(
            "protected_well",
            "Giếng đào được bảo vệ",
            "Protected dug well",
            true,
        ),
        c(
            "protected_spring",
            "Nước khe, mó được bảo vệ",
            "Protected spring",
            true,
        ),
        c("rainwater", "Nước mưa", "Rainwater", true),
        c("bought", "Nước mua (bình, xe téc)", "Bought water", true),
        c(
            "unprotected_well",
            "Giếng đào không được bảo vệ",
            "Unprotected well",
            false,
        ),
        c(
            "unprotected_spring",
            "Nước khe, mó không được bảo vệ",
            "Unprotected spring",
            false,
        ),
        c(
            "surface",
            "Sông, suối, ao, hồ",
            "River, stream, pond",
            false,
        ),
        c("other", "Khác", "Other", false),
    ],
};

/// Latrine types; the adequate ones are hygienic (hợp vệ sinh).
pub const LATRINES: ChoiceList = ChoiceList {
    name: "latrine",
    choices: &[
        c("flush", "Tự hoại, bán tự hoại", "Flush, septic tank", true),
        c("double_vault", "Hai ngăn", "Double vault", true),
        c(
            "ventilated_pit",
            "Chìm có ống thông hơi",
            "Ventilated pit",
            true,
        ),
        c("biogas", "Biogas", "Biogas", true),
        c("simple_pit", "Hố xí đơn giản", "Simple pit", false),
        c("none", "Không có nhà tiêu", "None", false),
        c("other", "Khác", "Other", false),
    ],
};

pub const RELATIONS: ChoiceList = ChoiceList {
    name: "relation",
    choices: &[
        c("head", "Chủ hộ", "Head", true),
        c("spouse", "Vợ/chồng", "Spouse", true),
        c("child", "Con", "Child", true),
        c("child_in_law", "Con dâu/con rể", "Child-in-law", true),
        c("grandchild", "Cháu", "Grandchild", true),
        c("parent", "Bố/mẹ", "Parent", true),
        c("parent_in_law", "Bố/mẹ vợ/chồng", "Parent-in-law", true),
        c("grandparent", "Ông/bà", "Grandparent", true),
        c("sibling", "Anh/chị/em", "Sibling", true),
        c("other", "Khác", "Other", true),
    ],
};

/// School levels, for enrolment (đang học) and the highest qualification (bằng cấp cao nhất).
pub const SCHOOL_LEVELS: ChoiceList = ChoiceList {
    name: "school_level",
    choices: &[
        c("none", "Không", "None", false),
        c("preschool", "Mầm non", "Preschool", true),
        c("primary", "Tiểu học", "Primary", true),
        c(
            "lower_secondary",
            "Trung học cơ sở",
            "Lower secondary",
            true,
        ),
        c(
            "upper_secondary",
            "Trung học phổ thông",
            "Upper secondary",
            true,
        ),
        c("vocational", "Trung cấp, sơ cấp nghề", "Vocational", true),
        c("college", "Cao đẳng", "College", true),
        c(
            "university",
            "Đại học trở lên",
            "University or higher",
            true,
        ),
    ],
};

pub const WORK_STATUSES: ChoiceList = ChoiceList {
    name: "work_status",
    choices: &[
        c("employed", "Có việc làm", "Employed", true),
        c("wage_worker", "Làm công ăn lương", "Wage worker", true),
        c("unemployed", "Thất nghiệp", "Unemployed", false),
        c("student", "Đang đi học", "Student", true),
        c("homemaker", "Nội trợ", "Homemaker", true),
        c("retired", "Nghỉ hưu", "Retired", true),
        c(
            "unable",
            "Không có khả năng lao động",
            "Unable to work",
            true,
        ),
        c("child", "Trẻ em", "Child", true),
    ],
};

pub const DISABILITIES: ChoiceList = ChoiceList {
    name: "disability",
    choices: &[
        c("none", "Không", "None", true),
        c("mild", "Khuyết tật nhẹ", "Mild", false),
        c("severe", "Khuyết tật nặng", "Severe", false),
        c(
            "very_severe",
            "Khuyết tật đặc biệt nặng",
            "Very severe",
            false,
        ),
    ],
};

/// Nutrition of a child under 16; the adequate value is normal.
pub const NUTRITION: ChoiceList = ChoiceList {
    name: "nutrition",
    choices: &[
        c("normal", "Bình thường", "Normal", true),
        c("stunted", "Thấp còi", "Stunted", false),
        c("underweight", "Nhẹ cân", "Underweight", false),
    ],
};

/// The 54 ethnic groups of Vietnam with the statistics office's codes (Decision
/// 121-TCTK/PPCĐ). Every group except Kinh (01) is an ethnic minority.
pub const ETHNICITIES: ChoiceList = ChoiceList {
    name: "ethnicity",
    choices: &[
        c("01", "Kinh", "Kinh", false),
        c("02", "Tày", "Tay", true),
        c("03", "Thái", "Thai", true),
        c("04", "Hoa", "Hoa", true),
        c("05", "Khmer", "Khmer", true),
        c("06", "Mường", "Muong", true),
        c("07", "Nùng", "Nung", true),
        c("08", "Mông", "Hmong", true),
        c("09", "Dao", "Dao", true),
        c("10", "Gia Rai", "Jarai", true),
        c("11", "Ngái", "Ngai", true),
        c("12", "Ê Đê", "Ede", true),
        c("13", "Ba Na", "Bahnar", true),
        c("14", "Xơ Đăng", "Sedang", true),
        c("15", "Sán Chay", "San Chay", true),
        c("16", "Cơ Ho", "Koho", true),
        c("17", "Chăm", "Cham", true),
        c("18", "Sán Dìu", "San Diu", true),
        c("19", "Hrê", "Hre", true),
        c("20", "Mnông", "Mnong", true),
        c("21", "Raglay", "Raglai", true),
        c("22", "Xtiêng", "Stieng", true),
        c("23", "Bru - Vân Kiều", "Bru - Van Kieu", true),
        c("24", "Thổ", "Tho", true),
        c("25", "Giáy", "Giay", true),
        c("26", "Cơ Tu", "Co Tu", true),
        c("27", "Giẻ Triêng", "Gie Trieng", true),
        c("28", "Mạ", "Ma", true),
        c("29", "Khơ Mú", "Khmu", true),
        c("30", "Co", "Co", true),
        c("31", "Tà Ôi", "Ta Oi", true),
        c("32", "Chơ Ro", "Cho Ro", true),
        c("33", "Kháng", "Khang", true),
        c("34", "Xinh Mun", "Xinh Mun", true),
        c("35", "Hà Nhì", "Ha Nhi", true),
        c("36", "Chu Ru", "Chu Ru", true),
        c("37", "Lào", "Lao", true),
        c("38", "La Chí", "La Chi", true),
        c("39", "La Ha", "La Ha", true),
        c("40", "Phù Lá", "Phu La", true),
        c("41", "La Hủ", "La Hu", true),
        c("42", "Lự", "Lu", true),
        c("43", "Lô Lô", "Lo Lo", true),
        c("44", "Chứt", "Chut", true),
        c("45", "Mảng", "Mang", true),
        c("46", "Pà Thẻn", "Pa Then", true),
        c("47", "Cờ Lao", "Co Lao", true),
        c("48", "Cống", "Cong", true),
        c("49", "Bố Y", "Bo Y", true),
        c("50", "Si La", "Si La", true),
        c("51", "Pu Péo", "Pu Peo", true),
        c("52", "Brâu", "Brau", true),
        c("53", "Ơ Đu", "O Du", true),
        c("54", "Rơ Măm", "Ro Mam", true),
    ],
};

/// True when the ethnicity code is an ethnic minority (every group but Kinh).
pub fn is_ethnic_minority(code: &str) -> bool {
    ETHNICITIES.get(code).is_some_and(|c| c.adequate)
}

/// Sex as recorded on the citizen ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Sex::Male => "Nam",
            Sex::Female => "Nữ",
        }
    }

    /// Accepts `male`/`female`, `nam`/`nữ` (with or without diacritics), `1`/`2`.
    pub fn parse(s: &str) -> Option<Sex> {
        match crate::text::fold(s).as_str() {
            "male" | "nam" | "1" | "m" => Some(Sex::Male),
            "female" | "nu" | "2" | "f" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// A citizen ID number (căn cước công dân): exactly 12 digits. Personal data: shown
/// masked unless the role may see it, never logged.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CitizenId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("số CCCD phải gồm đúng 12 chữ số")]
pub struct CitizenIdError;

impl CitizenId {
    pub fn parse(s: &str) -> Result<CitizenId, CitizenIdError> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(CitizenId(digits))
        } else {
            Err(CitizenIdError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but the last three digits hidden: `*********123`.
    pub fn masked(&self) -> String {
        mask_citizen_id(&self.0)
    }
}

/// Masks any stored citizen ID text, keeping the last three characters.
pub fn mask_citizen_id(s: &str) -> String {
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| if i + 3 < n { '*' } else { c })
        .collect()
}

// Debug must not print the number: a stray `{:?}` in a log line would leak it.
impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitizenId({})", self.masked())
    }
}

impl TryFrom<String> for CitizenId {
    type Error = CitizenIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CitizenId::parse(&s)
    }
}

impl From<CitizenId> for String {
    fn from(c: CitizenId) -> String {
        c.0
    }
}

/// A household code: unique within its commune, letters, digits, `-`, `/` and `.`, at
/// most 30 characters (communes keep their own numbering).
pub fn parse_household_code(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("mã hộ trống".into());
    }
    if s.chars().count() > 30 {
        return Err("mã hộ dài quá 30 ký tự".into());
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.' | '_'))
    {
        return Err("mã hộ chỉ gồm chữ không dấu, số và các dấu - / . _".into());
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_54_ethnic_groups_and_only_kinh_is_not_a_minority() {
        assert_eq!(ETHNICITIES.choices.len(), 54);
        assert!(!is_ethnic_minority("01"));
        assert!(is_ethnic_minority("44"));
        assert_eq!(ETHNICITIES.get("44").unwrap().label_vi, "Chứt");
        assert_eq!(ETHNICITIES.parse("chut").unwrap().code, "44");
    }

    #[test]
    fn citizen_ids_are_twelve_digits_and_masked() {
        let id = CitizenId::parse("042 123 456 789").unwrap();
        assert_eq!(id.as_str(), "042123456789");
        assert_eq!(id.masked(), "*********789");
        assert_eq!(format!("{id:?}"), "CitizenId(*********789)");
        assert!(CitizenId::parse("12345678901").is_err());
        assert!(CitizenId::parse("04212345678x").is_err());
    }

    #[test]
    fn choices_accept_labels_without_diacritics() {
        assert_eq!(WATER_SOURCES.parse("nuoc may").unwrap().code, "piped");
        assert_eq!(LATRINES.parse("flush").unwrap().code, "flush");
        assert!(MATERIALS.parse("plastic").is_none());
        assert_eq!(Sex::parse("Nữ"), Some(Sex::Female));
    }

    #[test]
    fn household_codes_are_plain() {
        assert_eq!(parse_household_code(" HK-001 ").unwrap(), "HK-001");
        assert!(parse_household_code("hộ 1").is_err());
        assert!(parse_household_code("").is_err());
    }
}

/// A household as entered (form, API, import file, demo), before it is stored. Codes in
/// the `String` fields are checked against their lists by [`HouseholdDraft::check`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HouseholdDraft {
    /// Unique within the commune.
    pub code: String,
    /// The village (thôn, bản, tổ dân phố) the household lives in.
    pub village_code: String,
    pub address: String,
    pub phone: Option<String>,
    /// Overrides the village's area when set.
    pub area: Option<crate::Area>,
    /// Derived from the members' ethnicities when not set.
    pub ethnic_minority: Option<bool>,
    /// Derived from the head's sex when not set.
    pub female_headed: Option<bool>,
    /// Household of people with merit (hộ người có công).
    pub merit: bool,
    /// Receives a monthly social allowance (bảo trợ xã hội).
    pub social_allowance: bool,
    /// Total floor area of the home, square metres.
    pub floor_area_m2: Option<u32>,
    pub wall_material: Option<String>,
    pub column_material: Option<String>,
    pub roof_material: Option<String>,
    pub water_source: Option<String>,
    pub latrine: Option<String>,
    pub has_tv: bool,
    pub has_radio: bool,
    pub has_computer: bool,
    pub has_smartphone: bool,
    /// The village loudspeaker reaches the home.
    pub loudspeaker: bool,
    /// Production land, square metres.
    pub production_land_m2: Option<u32>,
    pub notes: String,
    pub members: Vec<MemberDraft>,
}

/// A member as entered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemberDraft {
    pub full_name: String,
    pub sex: Option<Sex>,
    /// The full date when known; otherwise only `birth_year`.
    pub birth_date: Option<chrono::NaiveDate>,
    pub birth_year: Option<i32>,
    /// Code from [`ETHNICITIES`].
    pub ethnicity: String,
    /// Code from [`RELATIONS`].
    pub relation: String,
    pub citizen_id: Option<CitizenId>,
    pub health_insurance_number: Option<String>,
    pub health_insurance_expiry: Option<chrono::NaiveDate>,
    /// Level currently enrolled in, from [`SCHOOL_LEVELS`] (`none` when not studying).
    pub school_level: Option<String>,
    pub school_grade: Option<u8>,
    /// Highest qualification, from [`SCHOOL_LEVELS`].
    pub qualification: Option<String>,
    /// From [`WORK_STATUSES`].
    pub work_status: Option<String>,
    pub labour_contract: bool,
    /// From [`DISABILITIES`].
    pub disability: Option<String>,
    /// Monthly social allowance, VND.
    pub social_allowance_vnd: i64,
    /// For children under 16, from [`NUTRITION`].
    pub nutrition: Option<String>,
    pub uses_internet: bool,
}

/// A problem with one field of a draft: the field name (as in the import template) and
/// the member's position when the field is a member's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftProblem {
    pub member: Option<usize>,
    pub field: &'static str,
    pub message: String,
}

impl HouseholdDraft {
    /// Normalises text to NFC and checks every field; returns all problems found.
    pub fn check(&mut self, today: chrono::NaiveDate) -> Vec<DraftProblem> {
        use crate::text::normalize;
        let mut problems = Vec::new();
        let mut bad = |member: Option<usize>, field: &'static str, message: String| {
            problems.push(DraftProblem {
                member,
                field,
                message,
            })
        };
        match parse_household_code(&self.code) {
            Ok(c) => self.code = c,
            Err(e) => bad(None, "household_code", e),
        }
        if self.village_code.trim().is_empty() {
            bad(None, "village_code", "thiếu mã thôn".into());
        }
        self.address = normalize(&self.address);
        self.notes = normalize(&self.notes);
        if let Some(p) = &self.phone {
            let p = p.trim();
            if p.is_empty() {
                self.phone = None;
            } else if !p
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-'))
                || p.len() > 20
            {
                bad(None, "phone", "số điện thoại không hợp lệ".into());
            }
        }
        for (field, value, list) in [
            ("wall_material", &self.wall_material, &MATERIALS),
            ("column_material", &self.column_material, &MATERIALS),
            ("roof_material", &self.roof_material, &MATERIALS),
            ("water_source", &self.water_source, &WATER_SOURCES),
            ("latrine", &self.latrine, &LATRINES),
        ] {
            if let Some(v) = value
                && list.get(v).is_none()
            {
                bad(
                    None,
                    field,
                    format!("giá trị «{v}» không có trong danh mục ({})", list.codes()),
                );
            }
        }
        if self.members.is_empty() {
            bad(None, "members", "hộ phải có ít nhất một thành viên".into());
        }
        let heads = self.members.iter().filter(|m| m.relation == "head").count();
        if !self.members.is_empty() && heads != 1 {
            bad(
                None,
                "relation",
                format!("hộ phải có đúng một chủ hộ (đang có {heads})"),
            );
        }
        let mut ids = std::collections::HashSet::new();
        for (i, m) in self.members.iter_mut().enumerate() {
            let at = Some(i);
            m.full_name = normalize(&m.full_name);
            if m.full_name.is_empty() {
                bad(at, "full_name", "thiếu họ tên".into());
            } else if m.full_name.chars().count() > 100 {
                bad(at, "full_name", "họ tên dài quá 100 ký tự".into());
            }
            if m.sex.is_none() {
                bad(at, "sex", "thiếu giới tính (Nam/Nữ)".into());
            }
            if let Some(d) = m.birth_date {
                use chrono::Datelike;
                m.birth_year = Some(d.year());
            }
            match m.birth_year {
                None => bad(at, "birth_date", "thiếu ngày sinh hoặc năm sinh".into()),
                Some(y) => {
                    use chrono::Datelike;
                    if y < 1890 || y > today.year() || m.birth_date.is_some_and(|d| d > today) {
                        bad(at, "birth_date", format!("năm sinh {y} không hợp lệ"));
                    }
                }
            }
            if ETHNICITIES.get(&m.ethnicity).is_none() {
                bad(
                    at,
                    "ethnicity",
                    format!(
                        "dân tộc «{}» không có trong danh mục 54 dân tộc",
                        m.ethnicity
                    ),
                );
            }
            if RELATIONS.get(&m.relation).is_none() {
                bad(
                    at,
                    "relation",
                    format!(
                        "quan hệ «{}» không hợp lệ ({})",
                        m.relation,
                        RELATIONS.codes()
                    ),
                );
            }
            if let Some(id) = &m.citizen_id
                && !ids.insert(id.clone())
            {
                bad(
                    at,
                    "citizen_id",
                    "số CCCD trùng với thành viên khác của hộ".into(),
                );
            }
            for (field, value, list) in [
                ("school_level", &m.school_level, &SCHOOL_LEVELS),
                ("qualification", &m.qualification, &SCHOOL_LEVELS),
                ("work_status", &m.work_status, &WORK_STATUSES),
                ("disability", &m.disability, &DISABILITIES),
                ("nutrition", &m.nutrition, &NUTRITION),
            ] {
                if let Some(v) = value
                    && list.get(v).is_none()
                {
                    bad(
                        at,
                        field,
                        format!("giá trị «{v}» không có trong danh mục ({})", list.codes()),
                    );
                }
            }
            if m.social_allowance_vnd < 0 {
                bad(at, "social_allowance_vnd", "số tiền không được âm".into());
            }
            if let Some(n) = &m.health_insurance_number {
                let n = n.trim().to_string();
                if n.is_empty() {
                    m.health_insurance_number = None;
                } else if n.len() > 20 || !n.chars().all(|c| c.is_ascii_alphanumeric()) {
                    bad(
                        at,
                        "health_insurance_number",
                        "số thẻ BHYT không hợp lệ".into(),
                    );
                } else {
                    m.health_insurance_number = Some(n.to_uppercase());
                }
            }
        }
        problems
    }

    /// The head of the household, once checked.
    pub fn head(&self) -> Option<&MemberDraft> {
        self.members.iter().find(|m| m.relation == "head")
    }

    /// The ethnic-minority flag as given, or derived: any member of a minority group.
    pub fn is_ethnic_minority(&self) -> bool {
        self.ethnic_minority.unwrap_or_else(|| {
            self.members
                .iter()
                .any(|m| is_ethnic_minority(&m.ethnicity))
        })
    }

    /// The female-headed flag as given, or derived from the head's sex.
    pub fn is_female_headed(&self) -> bool {
        self.female_headed
            .unwrap_or_else(|| self.head().is_some_and(|h| h.sex == Some(Sex::Female)))
    }
}

#[cfg(test)]
mod draft_tests {
    use super::*;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn member(name: &str, relation: &str) -> MemberDraft {
        MemberDraft {
            full_name: name.into(),
            sex: Some(Sex::Female),
            birth_year: Some(1980),
            ethnicity: "44".into(),
            relation: relation.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_draft_has_no_problems_and_derives_flags() {
        let mut d = HouseholdDraft {
            code: "HK-1".into(),
            village_code: "18499001".into(),
            members: vec![member("Hồ Thị  Lan", "head"), member("Hồ Văn Nam", "child")],
            ..Default::default()
        };
        assert_eq!(d.check(today()), vec![]);
        assert_eq!(d.members[0].full_name, "Hồ Thị Lan");
        assert!(d.is_ethnic_minority());
        assert!(d.is_female_headed());
    }

    #[test]
    fn every_problem_is_named_by_field_and_member() {
        let mut d = HouseholdDraft {
            code: "".into(),
            village_code: "18499001".into(),
            water_source: Some("lake".into()),
            members: vec![member("", "child"), member("B", "cousin")],
            ..Default::default()
        };
        let fields: Vec<(Option<usize>, &str)> = d
            .check(today())
            .iter()
            .map(|p| (p.member, p.field))
            .collect();
        assert_eq!(
            fields,
            [
                (None, "household_code"),
                (None, "water_source"),
                (None, "relation"),
                (Some(0), "full_name"),
                (Some(1), "relation"),
            ]
        );
    }
}
