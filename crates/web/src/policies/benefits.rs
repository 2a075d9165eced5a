//! The household page's "Chính sách đã hưởng" section: the household's benefits, a
//! small form to record one, and on each row in force a form to correct it (a new row that
//! supersedes it, with a reason), for the roles that may. The app layer checks access on
//! every read and write (`App::household_benefits`, `App::record_benefit`,
//! `App::correct_benefit`); this module parses the forms and shapes the lines.

use crate::auth::CurrentUser;
use crate::error::HtmlError;
use crate::form::Refused;
use crate::format;
use crate::i18n::Lang;
use crate::programme::{parse_day, parse_vnd};
use crate::routes::Routes;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use giamngheo_app::access::Actor;
use giamngheo_app::policies::benefits::BenefitInput;
use giamngheo_app::{App, AppError};
use serde::Deserialize;
use std::collections::HashMap;

/// One benefit as the section lists it, every field already written for the page.
pub struct BenefitLine {
    pub id: i64,
    pub policy: String,
    pub member: String,
    pub dates: String,
    pub amount: String,
    /// The quantity with its unit ("500 m²"), empty when the row has none.
    pub quantity: String,
    pub reference: String,
    pub agency: String,
    /// A row replaced by a correction stays listed for history, struck through.
    pub voided: bool,
    /// The correction form, on a row in force of a policy the actor may record.
    pub correction: Option<Correction>,
}

/// The values a correction form starts from: the row's own, as an officer types them.
pub struct Correction {
    /// The member's id, empty for a household benefit.
    pub member: String,
    pub valid_from: String,
    pub valid_to: String,
    pub amount: String,
    pub quantity: String,
    /// The unit of the policy's quantity; empty when the policy counts none (the field
    /// is then not shown).
    pub quantity_unit: String,
    pub reference: String,
}

/// A policy the actor may record, for the form's select.
pub struct PolicyChoice {
    pub code: String,
    /// The name, with the unit of its quantity when it has one, so that the officer
    /// knows which policies ask for the quantity field.
    pub name: String,
}

/// The section of the household page.
pub struct BenefitsSection {
    pub lines: Vec<BenefitLine>,
    /// Empty when the actor may record no policy: the form is then not shown.
    pub policies: Vec<PolicyChoice>,
    /// Whether a policy of the select counts a quantity: the field is then shown.
    pub with_quantity: bool,
    /// The entry form as typed when the app refused it; empty otherwise.
    pub form: Refused,
}

/// A quantity written the Vietnamese way: `1.200`, `1,5`.
fn quantity_text(q: f64) -> String {
    if q.fract() == 0.0 && q.abs() < 1e15 {
        format::number(q as i64)
    } else {
        crate::svg::decimal(q, 2)
            .trim_end_matches('0')
            .trim_end_matches(',')
            .to_string()
    }
}

/// Reads a quantity as an officer types it, dots grouping thousands and a decimal comma
/// (`1.200`, `2,5`); empty is none.
fn parse_quantity(text: &str) -> Result<Option<f64>, AppError> {
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    match digits.parse::<f64>() {
        Ok(q) if q.is_finite() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
            Ok(Some(q))
        }
        _ => Err(AppError::invalid(
            "quantity",
            format!("«{}» không phải là số", text.trim()),
        )),
    }
}

/// The section for `household_id`, or `None` when the actor may not read its benefits
/// (the rest of the household page still shows).
pub(crate) async fn section(
    app: &App,
    actor: &Actor,
    household_id: i64,
    members: &[(i64, String)],
    lang: Lang,
) -> Result<Option<BenefitsSection>, AppError> {
    let vi = lang == Lang::Vi;
    let benefits = match app.household_benefits(actor, household_id).await {
        Ok(b) => b,
        Err(AppError::Forbidden(_) | AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut may_record = HashMap::new();
    for p in app.policies().iter() {
        may_record.insert(p.code.clone(), app.may_record_policy(actor, p).await);
    }
    let mut lines = Vec::with_capacity(benefits.len());
    for b in benefits {
        let unit = app
            .policies()
            .get(&b.policy)
            .and_then(|p| p.quantity.as_ref())
            .map(|q| if vi { &q.unit_vi } else { &q.unit_en }.clone());
        let policy = match (vi, app.policies().get(&b.policy)) {
            (false, Some(p)) => p.name_en.clone(),
            _ => b.policy_name.clone(),
        };
        let member = match b.member_id {
            Some(id) => members
                .iter()
                .find(|(m, _)| *m == id)
                .map(|(_, name)| name.clone())
                .unwrap_or_else(|| "—".into()),
            None => if vi { "Cả hộ" } else { "Whole household" }.into(),
        };
        let dates = match b.valid_to {
            Some(to) => format!("{} – {}", format::date(&b.valid_from), format::date(&to)),
            None => format!("{} –", format::date(&b.valid_from)),
        };
        let agency = match &b.agency_code {
            Some(code) => app
                .store()
                .agency(code)
                .await?
                .map(|a| a.name)
                .unwrap_or_else(|| code.clone()),
            None => String::new(),
        };
        let quantity = match (b.quantity, &unit) {
            (Some(q), Some(u)) => format!("{} {u}", quantity_text(q)),
            (Some(q), None) => quantity_text(q),
            (None, _) => String::new(),
        };
        let correction =
            (b.is_current() && may_record.get(&b.policy) == Some(&true)).then(|| Correction {
                member: b.member_id.map(|m| m.to_string()).unwrap_or_default(),
                valid_from: format::date(&b.valid_from),
                valid_to: b.valid_to.as_ref().map(format::date).unwrap_or_default(),
                amount: b.amount.map(format::number).unwrap_or_default(),
                quantity: b.quantity.map(quantity_text).unwrap_or_default(),
                quantity_unit: unit.clone().unwrap_or_default(),
                reference: b.reference.clone().unwrap_or_default(),
            });
        lines.push(BenefitLine {
            id: b.id,
            policy,
            member,
            dates,
            amount: b.amount.map(format::number).unwrap_or_default(),
            quantity,
            reference: b.reference.clone().unwrap_or_default(),
            agency,
            voided: !b.is_current(),
            correction,
        });
    }
    let mut policies = Vec::new();
    let mut with_quantity = false;
    for p in app.policies().iter() {
        if may_record.get(&p.code) == Some(&true) {
            let name = if vi { &p.name_vi } else { &p.name_en };
            let name = match &p.quantity {
                Some(q) => {
                    with_quantity = true;
                    let unit = if vi { &q.unit_vi } else { &q.unit_en };
                    let label = if vi { "số lượng" } else { "quantity" };
                    format!("{name} ({label}: {unit})")
                }
                None => name.clone(),
            };
            policies.push(PolicyChoice {
                code: p.code.clone(),
                name,
            });
        }
    }
    Ok(Some(BenefitsSection {
        lines,
        policies,
        with_quantity,
        form: Refused::default(),
    }))
}

pub(super) fn routes() -> Routes {
    Routes::new()
        .route("/households/{id}/benefits", post(record))
        .route("/households/{id}/benefits/{benefit}/correct", post(correct))
}

#[derive(Deserialize)]
struct RecordForm {
    policy: String,
    #[serde(default)]
    member: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    reference: String,
}

impl RecordForm {
    /// The fields as typed, by their names in the form, to show a refused form again.
    fn typed(&self) -> HashMap<String, String> {
        [
            ("policy", &self.policy),
            ("member", &self.member),
            ("valid_from", &self.valid_from),
            ("valid_to", &self.valid_to),
            ("amount", &self.amount),
            ("quantity", &self.quantity),
            ("reference", &self.reference),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }

    /// The typed form as the app's input; a bad field is named and nothing is recorded.
    fn input(&self, household_id: i64) -> Result<BenefitInput, AppError> {
        let member_id = match self.member.trim() {
            "" => None,
            text => Some(
                text.parse::<i64>()
                    .map_err(|_| AppError::invalid("member_id", "thành viên không hợp lệ"))?,
            ),
        };
        let day = |field: &str, text: &str| match text.trim() {
            "" => Ok(None),
            t => parse_day(field, t).map(Some),
        };
        let amount = match self.amount.trim() {
            "" => None,
            text => Some(
                i64::try_from(parse_vnd("amount", text)?)
                    .map_err(|_| AppError::invalid("amount", "số tiền quá lớn"))?,
            ),
        };
        Ok(BenefitInput {
            household_id,
            member_id,
            policy: self.policy.trim().to_string(),
            valid_from: day("valid_from", &self.valid_from)?,
            valid_to: day("valid_to", &self.valid_to)?,
            amount,
            quantity: parse_quantity(&self.quantity)?,
            reference: Some(self.reference.clone()),
        })
    }
}

async fn record(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RecordForm>,
) -> Response {
    let recorded = match form.input(id) {
        Ok(input) => app.record_benefit(&user.actor, input).await,
        Err(e) => Err(e),
    };
    match recorded {
        Ok(_) => Redirect::to(&format!("/households/{id}#benefits")).into_response(),
        // A refusal of what was typed comes back on the household's page with the form
        // as typed; any other error (no access, not found) is the error page.
        Err(error) => match Refused::of(form.typed(), error) {
            Ok(refused) => {
                let refused = refused.field_alias("member_id", "member");
                let form = crate::households::RefusedForm::Benefit(refused);
                crate::households::with_refused(&app, lang, &user, id, form).await
            }
            Err(error) => HtmlError {
                lang,
                error: labelled(error, lang),
            }
            .into_response(),
        },
    }
}

/// The correction form: the corrected values of the row, which the policy and household
/// of the old row keep, and the reason, required.
#[derive(Deserialize)]
struct CorrectForm {
    #[serde(flatten)]
    values: RecordForm,
    #[serde(default)]
    reason: String,
}

async fn correct(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path((id, benefit)): Path<(i64, i64)>,
    Form(form): Form<CorrectForm>,
) -> Result<Redirect, HtmlError> {
    let err = |error| HtmlError {
        lang,
        error: labelled(error, lang),
    };
    let input = form.values.input(id).map_err(err)?;
    // The row must be one of this household's: a correction posted under another
    // household's address is not found, as a row outside the actor's area is.
    let old = app
        .household_benefits(&user.actor, id)
        .await
        .map_err(err)?
        .into_iter()
        .find(|b| b.id == benefit);
    if old.is_none() {
        return Err(err(AppError::NotFound(format!(
            "bản ghi hưởng chính sách số {benefit}"
        ))));
    }
    app.correct_benefit(&user.actor, benefit, input, &form.reason)
        .await
        .map_err(err)?;
    Ok(Redirect::to(&format!("/households/{id}#benefits")))
}

/// Names a refused field by its label on the form rather than its internal code, so that
/// the error page speaks the user's language.
fn labelled(error: AppError, lang: Lang) -> AppError {
    let AppError::Invalid { field, message } = error else {
        return error;
    };
    let vi = lang == Lang::Vi;
    let label = match field.as_str() {
        "policy" => {
            if vi {
                "Chính sách"
            } else {
                "Policy"
            }
        }
        "member_id" => {
            if vi {
                "Người hưởng"
            } else {
                "Member"
            }
        }
        "valid_from" => {
            if vi {
                "Từ ngày"
            } else {
                "From"
            }
        }
        "valid_to" => {
            if vi {
                "Đến ngày"
            } else {
                "To"
            }
        }
        "amount" => {
            if vi {
                "Số tiền"
            } else {
                "Amount"
            }
        }
        "reference" => {
            if vi {
                "Số hiệu"
            } else {
                "Reference"
            }
        }
        "quantity" => {
            if vi {
                "Số lượng"
            } else {
                "Quantity"
            }
        }
        "reason" => {
            if vi {
                "Lý do sửa"
            } else {
                "Reason"
            }
        }
        "household_id" => {
            if vi {
                "Hộ"
            } else {
                "Household"
            }
        }
        _ => return AppError::Invalid { field, message },
    };
    AppError::Invalid {
        field: label.to_string(),
        message,
    }
}
