//! The user's language: Vietnamese first, English second.
//!
//! The choice comes from `?lang=` (which the language links set and which is then kept
//! in a cookie) or the `lang` cookie; Vietnamese otherwise, because the officials who
//! use the product work in Vietnamese.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn t(self) -> &'static T {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// The word for a tier in this language.
    pub fn tier(self, tier: &str) -> &'static str {
        let t = self.t();
        match tier {
            "province" => t.province,
            "district" => t.district,
            "commune" => t.commune,
            "village" => t.village,
            _ => "",
        }
    }

    pub fn area(self, area: Option<&str>) -> &'static str {
        let t = self.t();
        match area {
            Some("rural") => t.rural,
            Some("urban") => t.urban,
            _ => "—",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of(&parts.uri, &parts.headers))
    }
}

impl Lang {
    /// The language a request asks for: `?lang=`, else the `lang` cookie, else Vietnamese.
    pub fn of(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> Lang {
        let from_query = uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.strip_prefix("lang="))
                .find_map(Lang::parse)
        });
        if let Some(l) = from_query {
            return l;
        }
        let from_cookie = headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().strip_prefix("lang="))
            .find_map(Lang::parse);
        from_cookie.unwrap_or(Lang::Vi)
    }
}

/// Every piece of interface text, once per language.
pub struct T {
    pub app_name: &'static str,
    pub tagline: &'static str,
    pub home: &'static str,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    pub search_results: &'static str,
    pub no_results: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub level: &'static str,
    pub area: &'static str,
    pub units_under: &'static str,
    pub provinces: &'static str,
    pub province: &'static str,
    pub district: &'static str,
    pub commune: &'static str,
    pub village: &'static str,
    pub villages: &'static str,
    pub rural: &'static str,
    pub urban: &'static str,
    pub flags: &'static str,
    pub extremely_difficult: &'static str,
    pub border: &'static str,
    pub programme_30a: &'static str,
    pub programme_135: &'static str,
    pub valid_from: &'static str,
    pub valid_to: &'static str,
    pub add_village: &'static str,
    pub village_name: &'static str,
    pub village_kind: &'static str,
    pub save: &'static str,
    pub import_villages: &'static str,
    pub import_help: &'static str,
    pub upload: &'static str,
    pub no_children: &'static str,
    pub village_created: &'static str,
    pub villages_imported: &'static str,
    pub error_title: &'static str,
    pub not_found: &'static str,
    pub back_home: &'static str,
    pub file_refused: &'static str,
    /// The answer when the server sheds a request it has no capacity for.
    pub overloaded: &'static str,
    pub line: &'static str,
    pub column: &'static str,
    pub reason: &'static str,
    pub other_language: &'static str,
    pub other_language_code: &'static str,
    pub breadcrumb: &'static str,
    pub nav_units: &'static str,
    pub nav_households: &'static str,
    pub nav_reviews: &'static str,
    pub nav_audit: &'static str,
    pub nav_targets: &'static str,
    pub nav_standards: &'static str,
    pub nav_dashboard: &'static str,
    pub login_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub login_help: &'static str,
    pub signed_in_as: &'static str,
    pub change_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    pub password_min: &'static str,
    pub password_rules: &'static str,
    pub password_changed: &'static str,
    pub passwords_differ: &'static str,
    pub form_expired: &'static str,
    pub wrong_credentials: &'static str,
}

pub static VI: T = T {
    app_name: "Giảm nghèo",
    tagline: "Quản lý dữ liệu giảm nghèo bền vững",
    home: "Trang chủ",
    search: "Tìm",
    search_placeholder: "Tìm hộ (tên, mã hộ, CCCD) hoặc đơn vị, có dấu hoặc không dấu",
    search_results: "Kết quả tìm kiếm",
    no_results: "Không tìm thấy đơn vị nào.",
    code: "Mã",
    name: "Tên",
    kind: "Loại",
    level: "Cấp",
    area: "Khu vực",
    units_under: "Số đơn vị trực thuộc",
    provinces: "Tỉnh, thành phố",
    province: "Tỉnh",
    district: "Huyện",
    commune: "Xã",
    village: "Thôn",
    villages: "Thôn, bản, tổ dân phố",
    rural: "Nông thôn",
    urban: "Thành thị",
    flags: "Diện chương trình",
    extremely_difficult: "Đặc biệt khó khăn",
    border: "Biên giới",
    programme_30a: "Chương trình 30a",
    programme_135: "Chương trình 135",
    valid_from: "Hiệu lực từ",
    valid_to: "Hết hiệu lực",
    add_village: "Thêm thôn, bản, tổ dân phố",
    village_name: "Tên thôn",
    village_kind: "Loại",
    save: "Lưu",
    import_villages: "Nhập danh sách thôn từ tệp CSV",
    import_help: "Tệp CSV UTF-8 có các cột name, kind (và tùy chọn code, area). Tệp có dòng sai sẽ bị từ chối toàn bộ.",
    upload: "Tải lên",
    no_children: "Chưa có đơn vị trực thuộc.",
    village_created: "Đã thêm thôn",
    villages_imported: "Đã nhập số thôn:",
    error_title: "Có lỗi",
    not_found: "Không tìm thấy trang hoặc đơn vị này.",
    back_home: "Về trang chủ",
    file_refused: "Tệp bị từ chối, không có gì được ghi. Hãy sửa các lỗi sau rồi tải lên lại:",
    overloaded: "Máy chủ đang quá tải, yêu cầu chưa được thực hiện. Hãy thử lại sau ít giây.",
    line: "Dòng",
    column: "Cột",
    reason: "Lý do",
    other_language: "English",
    other_language_code: "en",
    breadcrumb: "Đường dẫn",
    nav_units: "Đơn vị hành chính",
    nav_households: "Hộ gia đình",
    nav_reviews: "Rà soát",
    nav_audit: "Nhật ký",
    nav_targets: "Chỉ tiêu",
    nav_standards: "Chuẩn nghèo",
    nav_dashboard: "Tổng quan",
    login_title: "Đăng nhập",
    username: "Tên đăng nhập",
    password: "Mật khẩu",
    sign_in: "Đăng nhập",
    sign_out: "Đăng xuất",
    login_help: "Quên mật khẩu? Hãy nhờ quản trị viên của xã hoặc tỉnh đặt lại.",
    signed_in_as: "Đang đăng nhập",
    change_password: "Đổi mật khẩu",
    current_password: "Mật khẩu hiện tại",
    new_password: "Mật khẩu mới",
    confirm_password: "Nhập lại mật khẩu mới",
    password_min: "Số ký tự tối thiểu:",
    password_rules: "Mật khẩu không được trùng tên đăng nhập. Sau khi đổi, các phiên đăng nhập khác của bạn sẽ bị đăng xuất.",
    password_changed: "Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất.",
    passwords_differ: "Hai lần nhập mật khẩu mới không giống nhau.",
    form_expired: "Biểu mẫu đã hết hạn hoặc không được gửi từ trang này. Hãy tải lại trang rồi làm lại.",
    wrong_credentials: "Tên đăng nhập hoặc mật khẩu không đúng.",
};

pub static EN: T = T {
    app_name: "Giảm nghèo",
    tagline: "Sustainable poverty reduction data",
    home: "Home",
    search: "Search",
    search_placeholder: "Find a household (name, code, citizen ID) or a unit, with or without diacritics",
    search_results: "Search results",
    no_results: "No unit found.",
    code: "Code",
    name: "Name",
    kind: "Kind",
    level: "Level",
    area: "Area",
    units_under: "Units under it",
    provinces: "Provinces and cities",
    province: "Province",
    district: "District",
    commune: "Commune",
    village: "Village",
    villages: "Villages",
    rural: "Rural",
    urban: "Urban",
    flags: "Programme flags",
    extremely_difficult: "Extremely difficult",
    border: "Border",
    programme_30a: "Programme 30a",
    programme_135: "Programme 135",
    valid_from: "Valid from",
    valid_to: "Valid to",
    add_village: "Add a village",
    village_name: "Village name",
    village_kind: "Kind",
    save: "Save",
    import_villages: "Import villages from a CSV file",
    import_help: "A UTF-8 CSV file with columns name, kind (and optionally code, area). A file with any bad row is refused whole.",
    upload: "Upload",
    no_children: "No units under this one yet.",
    village_created: "Village added",
    villages_imported: "Villages imported:",
    error_title: "Something went wrong",
    not_found: "This page or unit does not exist.",
    back_home: "Back to the home page",
    file_refused: "The file was refused and nothing was written. Fix these problems and upload it again:",
    overloaded: "The server is overloaded and did not carry out the request. Try again in a few seconds.",
    line: "Line",
    column: "Column",
    reason: "Reason",
    other_language: "Tiếng Việt",
    other_language_code: "vi",
    breadcrumb: "Breadcrumb",
    nav_units: "Administrative units",
    nav_households: "Households",
    nav_reviews: "Reviews",
    nav_audit: "Audit log",
    nav_targets: "Targets",
    nav_standards: "Standards",
    nav_dashboard: "Dashboard",
    login_title: "Sign in",
    username: "Username",
    password: "Password",
    sign_in: "Sign in",
    sign_out: "Sign out",
    login_help: "Forgot your password? Ask your commune or province administrator to reset it.",
    signed_in_as: "Signed in as",
    change_password: "Change password",
    current_password: "Current password",
    new_password: "New password",
    confirm_password: "New password again",
    password_min: "Minimum length:",
    password_rules: "The password may not be your username. After the change, your other sessions are signed out.",
    password_changed: "Password changed. Your other sessions have been signed out.",
    passwords_differ: "The two new passwords differ.",
    form_expired: "This form has expired or was not sent from this site. Reload the page and try again.",
    wrong_credentials: "Wrong username or password.",
};
