//! A refused form shown again (issue 15): the page that holds the form is rendered once
//! more with what the user typed in every field and the problem next to the field it is
//! about, instead of an error page that loses the typing. Nothing was saved, so the page
//! answers 422.
//!
//! A page keeps a [`Refused`] for each form it may show again; an empty one (the
//! default) gives every field its usual value and no message.

use giamngheo_app::AppError;
use std::collections::HashMap;

/// What was typed in a refused form and why it was refused.
#[derive(Debug, Clone, Default)]
pub struct Refused {
    values: HashMap<String, String>,
    /// The form field the problem is about (its `name` in the page).
    field: Option<String>,
    message: String,
}

impl Refused {
    /// The form as typed and the error that refused it. Only a refusal of the input
    /// (`Invalid`) is shown next to a field; any other error (no access, not found, a
    /// database fault) is returned as it was, for the error page.
    pub fn of(values: HashMap<String, String>, error: AppError) -> Result<Refused, AppError> {
        match error {
            AppError::Invalid { field, message } => Ok(Refused {
                values,
                field: Some(field),
                message,
            }),
            // A refusal that is about the whole form (its review moved on, a conflict
            // with another user's save) is shown above the form.
            AppError::Conflict(message) => Ok(Refused {
                values,
                field: None,
                message,
            }),
            other => Err(other),
        }
    }

    /// A form shown again with values and no problem (a filter form keeps what it
    /// filters on).
    pub fn with_values(values: HashMap<String, String>) -> Refused {
        Refused {
            values,
            ..Refused::default()
        }
    }

    /// Names the form field that the app's field `from` is typed in, when the two
    /// differ (the app says `village_code`, the form's select is `village`).
    pub fn field_alias(mut self, from: &str, to: &str) -> Refused {
        if self.field.as_deref() == Some(from) {
            self.field = Some(to.to_string());
        }
        self
    }

    /// True when the form was refused (the page then answers 422).
    pub fn is_refused(&self) -> bool {
        !self.message.is_empty()
    }

    /// What the user typed in `name`, or `default` when the form is shown fresh.
    pub fn value_or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.values.get(name).map(String::as_str).unwrap_or(default)
    }

    /// What the user typed in `name` (empty for a fresh form).
    pub fn value(&self, name: &str) -> &str {
        self.value_or(name, "")
    }

    /// True when `name` held `option` (for a select or a radio button shown again).
    pub fn chose(&self, name: &str, option: &str) -> bool {
        self.values.get(name).is_some_and(|v| v == option)
    }

    /// The problem with field `name`, if the form was refused for it.
    pub fn error(&self, name: &str) -> Option<&str> {
        (self.field.as_deref() == Some(name)).then_some(self.message.as_str())
    }

    /// The problem when it is about no field the form has (`fields` are the names the
    /// form shows a message next to), to be shown above the form.
    pub fn general(&self, fields: &[&str]) -> Option<&str> {
        match self.field.as_deref() {
            Some(f) if fields.contains(&f) => None,
            _ if self.is_refused() => Some(self.message.as_str()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> HashMap<String, String> {
        [("attendees", "40"), ("agreeing", "55")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_refused_field_keeps_every_value_and_its_message() {
        let r = Refused::of(typed(), AppError::invalid("agreeing", "lớn hơn số dự họp")).unwrap();
        assert!(r.is_refused());
        assert_eq!(r.value("attendees"), "40");
        assert_eq!(r.value_or("held_on", "07/12/2026"), "07/12/2026");
        assert_eq!(r.error("agreeing"), Some("lớn hơn số dự họp"));
        assert_eq!(r.error("attendees"), None);
        assert_eq!(r.general(&["attendees", "agreeing"]), None);
        assert_eq!(r.general(&["attendees"]), Some("lớn hơn số dự họp"));
    }

    #[test]
    fn an_app_field_is_named_as_the_form_names_it() {
        let r = Refused::of(typed(), AppError::invalid("village_code", "không có hộ"))
            .unwrap()
            .field_alias("village_code", "village");
        assert_eq!(r.error("village"), Some("không có hộ"));
    }

    #[test]
    fn other_errors_go_to_the_error_page() {
        assert!(Refused::of(typed(), AppError::NotFound("x".into())).is_err());
        let fresh = Refused::default();
        assert!(!fresh.is_refused());
        assert_eq!(fresh.general(&[]), None);
    }
}
