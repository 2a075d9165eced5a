//! Audit entries in words (issue 15): the action as a Vietnamese phrase ("Phê duyệt kết
//! quả rà soát"), each changed field by its label ("Số điện thoại: — → 0912…"), values
//! as the forms show them (Có/Không, dd/mm/yyyy, the label of a code), never the
//! internal names the app stores (`household.update`, `floor_area_m2`).

use crate::format;
use crate::hh_text::HT;
use crate::i18n::Lang;
use giamngheo_app::households::decode_changes;
use giamngheo_domain::household::{
    ChoiceList, DISABILITIES, ETHNICITIES, LATRINES, MATERIALS, NUTRITION, RELATIONS,
    SCHOOL_LEVELS, WATER_SOURCES, WORK_STATUSES,
};
use giamngheo_store::AuditRecord;
use serde_json::Value;

/// An audit entry as a page shows it.
pub struct HistoryRow {
    pub at: String,
    pub who: String,
    pub action: String,
    pub reason: String,
    /// Each change as (field label, old value, new value), in words.
    pub changes: Vec<(String, String, String)>,
}

/// The actions the audit page offers to filter on, with their phrase, in the order of
/// the work: the registry, the review, then the rest.
pub const ACTIONS: &[(&str, &str, &str)] = &[
    ("household.create", "Thêm hộ", "Household added"),
    ("household.update", "Sửa thông tin hộ", "Household changed"),
    (
        "household.move",
        "Chuyển thôn",
        "Household moved to another village",
    ),
    ("household.split", "Tách hộ", "Household split"),
    (
        "household.merge_in",
        "Nhập hộ khác vào",
        "Another household merged in",
    ),
    (
        "household.merge_out",
        "Nhập vào hộ khác",
        "Merged into another household",
    ),
    ("member.add", "Thêm thành viên", "Member added"),
    ("member.update", "Sửa thành viên", "Member changed"),
    ("member.leave", "Thành viên rời hộ", "Member left"),
    ("member.move_in", "Thành viên chuyển đến", "Member moved in"),
    (
        "member.move_out",
        "Thành viên chuyển đi",
        "Member moved out",
    ),
    (
        "review.open",
        "Mở đợt rà soát định kỳ",
        "Periodic review opened",
    ),
    (
        "review.open_regular",
        "Mở đợt rà soát thường xuyên",
        "Regular review opened",
    ),
    (
        "review.request",
        "Nhận giấy đề nghị rà soát",
        "Review request received",
    ),
    (
        "review.screening",
        "Rà soát bằng phiếu A",
        "Screened with form A",
    ),
    (
        "review.step",
        "Chuyển bước rà soát",
        "Review moved to the next step",
    ),
    ("review.survey", "Nhập phiếu B", "Form B entered"),
    (
        "review.certificate_issued",
        "Cấp giấy chứng nhận hộ nghèo, hộ cận nghèo",
        "Certificate issued",
    ),
    (
        "review.meeting",
        "Ghi kết quả họp dân",
        "Village meeting recorded",
    ),
    (
        "review.complaint",
        "Ghi nhận khiếu nại",
        "Complaint recorded",
    ),
    (
        "review.recheck",
        "Phúc tra khiếu nại",
        "Complaint rechecked",
    ),
    (
        "review.approve",
        "Phê duyệt kết quả rà soát",
        "Review results approved",
    ),
    (
        "classification.baseline",
        "Ghi nhận kết quả phân loại có sẵn",
        "Existing classification recorded",
    ),
    (
        "classification.correct",
        "Đính chính kết quả phân loại",
        "Classification corrected",
    ),
    (
        "survey.submission",
        "Nhận phiếu khảo sát từ điện thoại",
        "Phone survey received",
    ),
    (
        "report.sent",
        "Ghi nhận đã gửi báo cáo",
        "Report recorded as sent",
    ),
    ("target.create", "Đặt chỉ tiêu", "Target set"),
    ("target.update", "Sửa chỉ tiêu", "Target changed"),
    ("task.create", "Giao nhiệm vụ", "Task assigned"),
    ("task.report", "Báo cáo nhiệm vụ", "Task reported"),
    (
        "benefit.create",
        "Ghi nhận hỗ trợ chính sách",
        "Benefit recorded",
    ),
    (
        "benefit.correct",
        "Sửa thông tin hỗ trợ",
        "Benefit corrected",
    ),
    (
        "benefit.import",
        "Nhập danh sách hỗ trợ",
        "Benefit list imported",
    ),
    (
        "benefit.match",
        "Đối chiếu danh sách hỗ trợ",
        "Benefit list matched",
    ),
    (
        "benefit.reject",
        "Từ chối dòng hỗ trợ",
        "Benefit row rejected",
    ),
    (
        "finding.create",
        "Ghi nhận phát hiện sai sót",
        "Finding recorded",
    ),
    ("finding.close", "Đóng phát hiện sai sót", "Finding closed"),
    (
        "inspection.plan",
        "Lập kế hoạch kiểm tra",
        "Inspection planned",
    ),
    (
        "inspection.sample",
        "Chọn mẫu kiểm tra",
        "Inspection sample drawn",
    ),
    (
        "inspection.record",
        "Ghi kết quả kiểm tra",
        "Inspection recorded",
    ),
    (
        "boundary.upload",
        "Tải lên ranh giới xã",
        "Commune boundaries uploaded",
    ),
    (
        "unit.allocation_flags",
        "Sửa đặc điểm đơn vị",
        "Unit flags changed",
    ),
    (
        "units.reform",
        "Sắp xếp đơn vị hành chính",
        "Administrative units reorganised",
    ),
    ("user.create", "Tạo người dùng", "User created"),
    (
        "user.password_reset",
        "Đặt lại mật khẩu người dùng",
        "Password reset",
    ),
    ("user.disable", "Khóa tài khoản", "Account disabled"),
    ("user.enable", "Mở khóa tài khoản", "Account enabled"),
    (
        "user.unit",
        "Chuyển đơn vị người dùng",
        "User moved to another unit",
    ),
];

/// The action as a phrase. An action this list does not know yet is named by what it
/// touched, so that no internal code reaches the page.
pub fn action_label(lang: Lang, action: &str) -> String {
    if let Some((_, vi, en)) = ACTIONS.iter().find(|(code, _, _)| *code == action) {
        return match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
        .to_string();
    }
    let subject = action.split('.').next().unwrap_or("");
    let (vi, en) = match subject {
        "household" => ("Thay đổi hộ", "Household change"),
        "member" => ("Thay đổi thành viên", "Member change"),
        "review" => ("Thay đổi trong đợt rà soát", "Review change"),
        "user" | "users" => ("Thay đổi người dùng", "User change"),
        "unit" | "units" => ("Thay đổi đơn vị hành chính", "Unit change"),
        "programme" => ("Thay đổi chương trình", "Programme change"),
        _ => ("Thay đổi dữ liệu", "Data change"),
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
    .to_string()
}

/// Shows an audit timestamp (stored in UTC) in Vietnam's time, as officials read it.
pub fn local_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(7))
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_string())
}

/// The label of a stored field name and the list its codes come from, if any. A
/// member's fields are stored as `Họ tên.field`: the member is named, then the label.
fn field_label(lang: Lang, field: &str) -> (String, Option<&'static ChoiceList>) {
    let h = lang.h();
    let (member, name) = match field.rsplit_once('.') {
        Some((m, f)) => (Some(m), f),
        None => (None, field),
    };
    let (label, list): (&str, Option<&'static ChoiceList>) = match name {
        "code" => (h.household_code, None),
        "village_code" => (h.village, None),
        "head_name" => (h.head, None),
        "address" => (h.address, None),
        "phone" => (h.phone, None),
        "area" => (h.area, None),
        "ethnic_minority" => (h.ethnic_minority, None),
        "female_headed" => (h.female_headed, None),
        "merit" => (h.merit, None),
        "social_allowance" => (h.social_allowance, None),
        "floor_area_m2" => (h.floor_area, None),
        "wall_material" => (h.wall, Some(&MATERIALS)),
        "column_material" => (h.column, Some(&MATERIALS)),
        "roof_material" => (h.roof, Some(&MATERIALS)),
        "water_source" => (h.water, Some(&WATER_SOURCES)),
        "latrine" => (h.latrine, Some(&LATRINES)),
        "has_tv" => (h.tv, None),
        "has_radio" => (h.radio, None),
        "has_computer" => (h.computer, None),
        "has_smartphone" => (h.smartphone, None),
        "loudspeaker" => (h.loudspeaker, None),
        "production_land_m2" => (h.land, None),
        "notes" => (h.notes, None),
        "full_name" => (h.full_name, None),
        "sex" => (h.sex, None),
        "birth_date" | "birth_year" => (h.birth, None),
        "ethnicity" => (h.ethnicity, Some(&ETHNICITIES)),
        "relation" => (h.relation, Some(&RELATIONS)),
        "citizen_id" => (h.citizen_id, None),
        "health_insurance_number" => (h.health_insurance, None),
        "health_insurance_expiry" => (h.health_insurance_expiry, None),
        "school_level" => (h.school_level, Some(&SCHOOL_LEVELS)),
        "school_grade" => (h.school_grade, None),
        "qualification" => (h.qualification, None),
        "work_status" => (h.work_status, Some(&WORK_STATUSES)),
        "labour_contract" => (h.labour_contract, None),
        "disability" => (h.disability, Some(&DISABILITIES)),
        "social_allowance_vnd" => (h.allowance, None),
        "nutrition" => (h.nutrition, Some(&NUTRITION)),
        "uses_internet" => (h.uses_internet, None),
        "active" => (vi_en(lang, "Còn trong hộ", "In the household"), None),
        "household" => (h.household, None),
        "source" => (vi_en(lang, "Nguồn", "Source"), None),
        "split" => (h.split, None),
        "merged_into" => (h.merge, None),
        // A field this list does not know: its name with the underscores as spaces
        // reads better than the code, and says no less.
        other => return (with_member(member, &other.replace('_', " ")), None),
    };
    (with_member(member, label), list)
}

fn vi_en(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

fn with_member(member: Option<&str>, label: &str) -> String {
    match member {
        Some(m) => format!("{m} – {label}"),
        None => label.to_string(),
    }
}

/// A stored value in words: yes/no, a date as dd/mm/yyyy, a number with its dots, the
/// label of a code.
fn value_text(lang: Lang, h: &HT, list: Option<&ChoiceList>, v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(true) => h.yes.into(),
        Value::Bool(false) => h.no.into(),
        Value::Number(n) => n
            .as_i64()
            .map(format::number)
            .unwrap_or_else(|| n.to_string()),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => {
            if let Some(list) = list {
                return lang.label(list, Some(s));
            }
            match s.as_str() {
                "male" => h.male.into(),
                "female" => h.female.into(),
                _ => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                    Ok(d) => format::date(&d),
                    Err(_) => s.clone(),
                },
            }
        }
        other => other.to_string(),
    }
}

/// The entries as a page shows them.
pub fn history_rows(lang: Lang, records: &[AuditRecord]) -> Vec<HistoryRow> {
    let h = lang.h();
    records
        .iter()
        .map(|r| HistoryRow {
            at: local_time(&r.entry.at),
            who: r.entry.username.clone(),
            action: action_label(lang, &r.entry.action),
            reason: r.entry.reason.clone().unwrap_or_default(),
            changes: decode_changes(&r.entry.changes)
                .into_iter()
                .map(|c| {
                    let (label, list) = field_label(lang, &c.field);
                    (
                        label,
                        value_text(lang, h, list, &c.old),
                        value_text(lang, h, list, &c.new),
                    )
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_offered_is_a_phrase_and_an_unknown_one_names_its_subject() {
        assert_eq!(
            action_label(Lang::Vi, "review.approve"),
            "Phê duyệt kết quả rà soát"
        );
        assert_eq!(
            action_label(Lang::Vi, "household.something_new"),
            "Thay đổi hộ"
        );
        for (code, vi, _) in ACTIONS {
            assert!(!vi.contains('.'), "{code}");
        }
    }

    #[test]
    fn a_change_reads_as_its_label_and_values() {
        let h = Lang::Vi.h();
        let (label, _) = field_label(Lang::Vi, "phone");
        assert_eq!(label, h.phone);
        let (label, list) = field_label(Lang::Vi, "Nguyễn Văn A.relation");
        assert_eq!(label, format!("Nguyễn Văn A – {}", h.relation));
        assert_eq!(
            value_text(Lang::Vi, h, None, &Value::String("2026-12-07".into())),
            "07/12/2026"
        );
        assert_eq!(value_text(Lang::Vi, h, None, &Value::Bool(true)), h.yes);
        assert_eq!(
            value_text(Lang::Vi, h, None, &serde_json::json!(1500000)),
            "1.500.000"
        );
        assert_ne!(
            value_text(Lang::Vi, h, list, &Value::String("head".into())),
            "head"
        );
    }
}
