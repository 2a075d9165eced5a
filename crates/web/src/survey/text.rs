//! Interface text of the field survey, once per language.

use crate::i18n::Lang;

pub struct ST {
    pub card_title: &'static str,
    pub card_intro: &'static str,
    pub download_forms: &'static str,
}

const VI: ST = ST {
    card_title: "Phiếu điện thoại (ODK Collect, KoboCollect)",
    card_intro: "Phiếu A, phiếu B theo chuẩn của đợt rà soát và danh sách hộ của từng thôn, để tải lên ODK Central hoặc KoboToolbox; rà soát viên điền phiếu không cần mạng.",
    download_forms: "Tải phiếu và danh sách hộ (.zip)",
};

const EN: ST = ST {
    card_title: "Phone forms (ODK Collect, KoboCollect)",
    card_intro: "Forms A and B under the review's standard and each village's household list, to upload to ODK Central or KoboToolbox; reviewers fill them without a connection.",
    download_forms: "Download the forms and household lists (.zip)",
};

pub fn st(lang: Lang) -> &'static ST {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}
