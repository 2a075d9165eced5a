//! The problems of a refused household form, each next to the field it is about and named
//! by the field's label (issue 15): "Thành viên 2 – Ngày sinh: …", never the internal
//! `members[1].birth_date`.
//!
//! Problems come from two places: what the page could not read (a number that is not one,
//! a date that is not a date), found while reading the form, and what the app refused,
//! whose fields are the draft's (`household_code`, `members[i].citizen_id`), joined in
//! one message as `field: message; field: message`. Both are kept under the name of the
//! form's input (`code`, `m3.citizen_id`), so the template finds the message by the name
//! it gives the input.

use crate::hh_text::HT;

/// The problems of a refused form, under the names of the form's inputs.
#[derive(Debug, Clone, Default)]
pub struct FieldProblems {
    list: Vec<(String, String)>,
}

impl FieldProblems {
    pub fn new() -> FieldProblems {
        FieldProblems::default()
    }

    /// Adds a problem of the input named `name`.
    pub fn push(&mut self, name: impl Into<String>, message: impl Into<String>) {
        self.list.push((name.into(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The app's refusal, read back into problems of the form's inputs. `message` is
    /// the app's (one problem, or several joined as `field: message; …`); `field` is the
    /// first field it names; `kept` gives, for each member of the draft, the index of
    /// its block in the form (blank and removed blocks are not in the draft).
    pub fn from_app(field: &str, message: &str, kept: &[usize]) -> FieldProblems {
        let mut out = FieldProblems::new();
        let parts: Vec<&str> = message.split("; ").collect();
        let joined = parts.iter().all(|p| {
            p.split_once(": ")
                .is_some_and(|(f, _)| input_name(f, kept).is_some())
        });
        if joined && parts.len() > 1 || message.starts_with(&format!("{field}: ")) {
            for part in parts {
                if let Some((f, m)) = part.split_once(": ")
                    && let Some(name) = input_name(f, kept)
                {
                    out.push(name, m);
                }
            }
        } else {
            out.push(input_name(field, kept).unwrap_or_default(), message);
        }
        out
    }

    /// The problem of the input named `name`, joined when there are several.
    pub fn of(&self, name: &str) -> Option<String> {
        let found: Vec<&str> = self
            .list
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, m)| m.as_str())
            .collect();
        (!found.is_empty()).then(|| found.join("; "))
    }

    /// The problem of field `field` of the member block `index` (a reference, as the
    /// template passes it).
    pub fn member(&self, index: &usize, field: &str) -> Option<String> {
        self.of(&format!("m{index}.{field}"))
    }

    /// Every problem in one line, each named by its label, for the top of the form.
    pub fn summary(&self, h: &HT) -> String {
        self.list
            .iter()
            .map(|(name, message)| match label(h, name) {
                Some(l) => format!("{l}: {message}"),
                None => message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The form input an app field is typed in: `household_code` is `code`,
/// `members[1].birth_date` is `m{kept[1]}.birth`.
fn input_name(field: &str, kept: &[usize]) -> Option<String> {
    if let Some(rest) = field.strip_prefix("members[") {
        let (i, member_field) = rest.split_once("].")?;
        let index = kept.get(i.parse::<usize>().ok()?)?;
        let input = match member_field {
            "birth_date" | "birth_year" => "birth",
            "health_insurance_number" => "health_insurance_number",
            f if f.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => f,
            _ => return None,
        };
        return Some(format!("m{index}.{input}"));
    }
    match field {
        "household_code" | "code" => Some("code".into()),
        f if f.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') && !f.is_empty() => {
            Some(f.to_string())
        }
        _ => None,
    }
}

/// The label of a form input, as the form shows it; a member's is preceded by
/// "Thành viên n".
fn label(h: &HT, name: &str) -> Option<String> {
    if let Some(rest) = name.strip_prefix('m')
        && let Some((i, field)) = rest.split_once('.')
        && let Ok(i) = i.parse::<usize>()
    {
        let l = match field {
            "full_name" => h.full_name,
            "sex" => h.sex,
            "birth" => h.birth,
            "citizen_id" => h.citizen_id,
            "health_insurance_number" => h.health_insurance,
            "health_insurance_expiry" => h.health_insurance_expiry,
            "school_grade" => h.school_grade,
            "social_allowance_vnd" => h.allowance,
            "relation" => h.relation,
            "ethnicity" => h.ethnicity,
            _ => return Some(format!("{} {}", h.members, i + 1)),
        };
        return Some(format!("{} {} – {l}", h.members, i + 1));
    }
    Some(
        match name {
            "code" => h.household_code,
            "village_code" => h.village,
            "address" => h.address,
            "phone" => h.phone,
            "floor_area_m2" => h.floor_area,
            "production_land_m2" => h.land,
            "members" => h.members,
            "reason" => h.reason,
            _ => return None,
        }
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn an_app_refusal_of_several_fields_lands_on_each_input() {
        let p = FieldProblems::from_app(
            "household_code",
            "household_code: thiếu mã hộ; members[1].birth_date: ngày sinh ở tương lai",
            &[0, 2],
        );
        assert_eq!(p.of("code").as_deref(), Some("thiếu mã hộ"));
        assert_eq!(
            p.member(&2, "birth").as_deref(),
            Some("ngày sinh ở tương lai")
        );
        let summary = p.summary(Lang::Vi.h());
        assert!(!summary.contains("members["), "{summary}");
        assert!(!summary.contains("household_code"), "{summary}");
    }

    #[test]
    fn a_single_refusal_keeps_its_whole_message() {
        let p = FieldProblems::from_app("village_code", "không có thôn mã 999: hãy chọn lại", &[]);
        assert_eq!(
            p.of("village_code").as_deref(),
            Some("không có thôn mã 999: hãy chọn lại")
        );
    }
}
