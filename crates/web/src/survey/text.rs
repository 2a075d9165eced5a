//! Interface text of the field survey, once per language.

use crate::i18n::Lang;

pub struct ST {
    pub card_title: &'static str,
    pub card_intro: &'static str,
    pub download_forms: &'static str,
    pub import_title: &'static str,
    pub import_hint: &'static str,
    pub import_file: &'static str,
    pub import_button: &'static str,
    pub queue_title: &'static str,
    pub queue_empty: &'static str,
    pub applied_count: &'static str,
    pub household: &'static str,
    pub form: &'static str,
    pub tool: &'static str,
    pub submitted: &'static str,
    pub reason: &'static str,
    pub form_a: &'static str,
    pub form_b: &'static str,
    pub result: &'static str,
    pub phone_title: &'static str,
    pub phone_links: &'static str,
    pub deprived: &'static str,
}

const VI: ST = ST {
    card_title: "Phiếu điện thoại (ODK Collect, KoboCollect)",
    card_intro: "Phiếu A, phiếu B theo chuẩn của đợt rà soát và danh sách hộ của từng thôn, để tải lên ODK Central hoặc KoboToolbox; rà soát viên điền phiếu không cần mạng.",
    download_forms: "Tải phiếu và danh sách hộ (.zip)",
    import_title: "Nhập bản nộp từ điện thoại",
    import_hint: "Bản xuất CSV (.csv.zip) hoặc OData (JSON) của ODK Central; CSV hoặc JSON của KoboToolbox. Bản nộp đã sửa cập nhật phiếu cũ; nhập lại cùng tệp không thay đổi gì.",
    import_file: "Tệp xuất",
    import_button: "Nhập bản nộp",
    queue_title: "Bản nộp chờ xử lý",
    queue_empty: "Không có bản nộp nào chờ xử lý.",
    applied_count: "Bản nộp đã nhập vào phiếu",
    household: "Mã hộ",
    form: "Phiếu",
    tool: "Công cụ",
    submitted: "Thời điểm nộp",
    reason: "Lý do",
    form_a: "Phiếu A",
    form_b: "Phiếu B",
    result: "Kết quả nhập",
    phone_title: "Phiếu B",
    phone_links: "Nhập phiếu B trên điện thoại, từng hộ",
    deprived: "Thiếu hụt",
};

const EN: ST = ST {
    card_title: "Phone forms (ODK Collect, KoboCollect)",
    card_intro: "Forms A and B under the review's standard and each village's household list, to upload to ODK Central or KoboToolbox; reviewers fill them without a connection.",
    download_forms: "Download the forms and household lists (.zip)",
    import_title: "Import submissions from the phones",
    import_hint: "ODK Central's CSV (.csv.zip) or OData (JSON) export; KoboToolbox's CSV or JSON. An edited submission updates its survey; importing the same file again changes nothing.",
    import_file: "Export file",
    import_button: "Import submissions",
    queue_title: "Submissions waiting",
    queue_empty: "No submission is waiting.",
    applied_count: "Submissions applied",
    household: "Household code",
    form: "Form",
    tool: "Tool",
    submitted: "Submitted",
    reason: "Reason",
    form_a: "Form A",
    form_b: "Form B",
    result: "Import result",
    phone_title: "Form B",
    phone_links: "Enter form B on a phone, one household at a time",
    deprived: "Deprived",
};

pub fn st(lang: Lang) -> &'static ST {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}
