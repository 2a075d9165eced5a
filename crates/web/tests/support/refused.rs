//! One shape for every refused-form test (issue 15): a form posted wrongly must come
//! back with 422, the values typed in it, the problem next to its field (or above the
//! form when it is about no field), the site's header and menu, and nothing saved.
//! A test file lists its forms as [`Refusal`]s and runs them with [`check`].

use super::{Answer, Part, Served, post_form, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

/// One form posted wrongly, and what its page must show again.
pub struct Refusal {
    /// The form, as the failure message names it.
    pub name: &'static str,
    /// Where the form posts; the form is found in the page by this action.
    pub action: String,
    /// The fields posted (the CSRF token is added).
    pub fields: Vec<(String, String)>,
    /// Posted as `multipart/form-data` (a form with a file) rather than url-encoded.
    pub multipart: bool,
    /// Text the form must show again: typed values, chosen options.
    pub kept: Vec<String>,
    /// The field whose problem is shown next to it; `None` when the problem is about no
    /// field and is shown above the form.
    pub field: Option<&'static str>,
    /// Words of the problem.
    pub message: &'static str,
    /// Fields that must show no problem.
    pub clean: Vec<&'static str>,
}

impl Refusal {
    /// A url-encoded form with the site's menu, its problem next to `field`.
    pub fn new(name: &'static str, action: impl Into<String>, fields: &[(&str, &str)]) -> Self {
        Refusal {
            name,
            action: action.into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            multipart: false,
            kept: Vec::new(),
            field: None,
            message: "",
            clean: Vec::new(),
        }
    }

    /// The problem `message` expected next to `field`.
    pub fn at(mut self, field: &'static str, message: &'static str) -> Self {
        self.field = Some(field);
        self.message = message;
        self
    }

    /// The problem `message` expected above the form.
    pub fn above(mut self, message: &'static str) -> Self {
        self.field = None;
        self.message = message;
        self
    }

    /// Text the form must show again.
    pub fn keeps(mut self, kept: &[&str]) -> Self {
        self.kept.extend(kept.iter().map(|k| k.to_string()));
        self
    }

    /// Fields that must show no problem.
    pub fn clean(mut self, fields: &[&'static str]) -> Self {
        self.clean.extend_from_slice(fields);
        self
    }

    pub fn multipart(mut self) -> Self {
        self.multipart = true;
        self
    }
}

/// The text from the input named `name` up to the end of its label: where the page puts
/// the problem of that input.
pub fn around<'a>(page: &'a str, name: &str) -> &'a str {
    let at = page
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name}"));
    let end = at + page[at..].find("</label>").unwrap();
    &page[at..end]
}

/// The form of `page` that posts to `action`, from its action to its end.
pub fn form_of<'a>(page: &'a str, action: &str) -> &'a str {
    let at = page
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form posting to {action}: {page}"));
    let end = at + page[at..].find("</form>").unwrap();
    &page[at..end]
}

/// A multipart form post of text fields, as a form with a file sends it.
pub fn multipart(uri: &str, cookie: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let parts: Vec<Part<'_>> = fields.iter().map(|(k, v)| Part::Field(k, v)).collect();
    super::multipart(uri, (header::COOKIE, cookie), &parts)
}

/// How many entries the audit log holds: every save writes one, so an unchanged count
/// says that nothing was saved.
pub async fn audit_count(app: &giamngheo_app::App) -> i64 {
    app.store().audit_log(1, 0).await.unwrap().1
}

/// Posts the form of `case` with the session `session` and its token `csrf`, and checks
/// the page it comes back on; answers it for any further check.
pub async fn check(
    site: &impl Served,
    app: &giamngheo_app::App,
    session: &str,
    csrf: &str,
    case: &Refusal,
) -> Answer {
    let before = audit_count(app).await;
    let cookie = format!("gn_session={session}");
    let mut fields: Vec<(&str, &str)> = vec![("csrf", csrf)];
    fields.extend(case.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let request = if case.multipart {
        multipart(&case.action, &cookie, &fields)
    } else {
        post_form(&case.action, Some(&cookie), &fields)
    };
    let answer = send(site, request).await;
    let name = case.name;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{name}: {}",
        answer.body
    );
    // Every refused form comes back on a page of the site, never on a print page
    // without the header and menu (issue 15: no dead ends).
    assert!(
        answer.body.contains("<nav class=\"main\">"),
        "{name}: the page keeps its menu"
    );
    let form = form_of(&answer.body, &case.action);
    for kept in &case.kept {
        assert!(
            form.contains(kept.as_str()),
            "{name}: {kept} not kept in {form}"
        );
    }
    match case.field {
        Some(field) => {
            let next = around(form, field);
            assert!(next.contains("field-error"), "{name}: {next}");
            assert!(next.contains(case.message), "{name}: {next}");
        }
        None => assert!(form.contains(case.message), "{name}: {form}"),
    }
    for field in &case.clean {
        assert!(
            !around(form, field).contains("field-error"),
            "{name}: {field} shows a problem"
        );
    }
    assert_eq!(audit_count(app).await, before, "{name}: nothing saved");
    answer
}
