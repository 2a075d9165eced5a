//! The home page's text, once per language.

use crate::i18n::Lang;

pub struct HT {
    pub shortcuts: &'static str,
    pub unit_page: &'static str,
    pub reviews_title: &'static str,
    pub no_reviews: &'static str,
    pub commune: &'static str,
    pub kind: &'static str,
    pub period: &'static str,
    pub step: &'static str,
    pub due: &'static str,
    pub state: &'static str,
    pub progress: &'static str,
    pub periodic: &'static str,
    pub regular: &'static str,
    pub late: &'static str,
    pub due_soon: &'static str,
    pub on_time: &'static str,
    pub intro_admin: &'static str,
    pub intro_office: &'static str,
    pub intro_agency: &'static str,
    pub intro_commune: &'static str,
    pub intro_village: &'static str,
    pub intro_oversight: &'static str,
    pub intro_viewer: &'static str,
}

const VI: HT = HT {
    shortcuts: "Lối tắt",
    unit_page: "Thông tin đơn vị",
    reviews_title: "Rà soát đang thực hiện",
    no_reviews: "Không có đợt rà soát nào đang thực hiện.",
    commune: "Xã",
    kind: "Loại",
    period: "Năm",
    step: "Bước hiện tại",
    due: "Hạn",
    state: "Tình trạng",
    progress: "Số hộ: danh sách / đã khảo sát / đã thống nhất",
    periodic: "Định kỳ",
    regular: "Thường xuyên",
    late: "Quá hạn",
    due_soon: "Đến hạn trong 7 ngày",
    on_time: "Còn trong hạn",
    intro_admin: "Quản trị hệ thống trong phạm vi đơn vị của bạn.",
    intro_office: "Tiến độ rà soát của các xã thuộc đơn vị, báo cáo và tổng quan.",
    intro_agency: "Số liệu, báo cáo và danh sách hộ của đơn vị để phối hợp thực hiện chính sách.",
    intro_commune: "Bước rà soát hiện tại của xã, các hạn sắp đến và đã quá, và lối tắt đến công việc thường ngày.",
    intro_village: "Thôn của bạn và phần việc của thôn trong đợt rà soát.",
    intro_oversight: "Theo dõi, giám sát kết quả rà soát và báo cáo của đơn vị.",
    intro_viewer: "Số liệu tổng hợp của tỉnh: tổng quan và báo cáo, không có thông tin cá nhân.",
};

const EN: HT = HT {
    shortcuts: "Shortcuts",
    unit_page: "About the unit",
    reviews_title: "Reviews under way",
    no_reviews: "No review is under way.",
    commune: "Commune",
    kind: "Kind",
    period: "Year",
    step: "Current step",
    due: "Due",
    state: "State",
    progress: "Households: listed / surveyed / agreed",
    periodic: "Periodic",
    regular: "Regular",
    late: "Late",
    due_soon: "Due within 7 days",
    on_time: "On time",
    intro_admin: "Administration within your unit.",
    intro_office: "The review's progress in the communes of your unit, reports and the dashboard.",
    intro_agency: "Your unit's figures, reports and households, for carrying out the policies.",
    intro_commune: "Your commune's current review step, deadlines due and missed, and shortcuts to daily work.",
    intro_village: "Your village and its part of the review.",
    intro_oversight: "Following and overseeing your unit's review results and reports.",
    intro_viewer: "The province's aggregate figures: dashboard and reports, no personal data.",
};

pub fn of(lang: Lang) -> &'static HT {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}
