//! The household page's "Chính sách đã hưởng" section: the household's benefits, and a
//! small form to record one for the roles that may. The app layer checks access on every
//! read and write (`App::household_benefits`, `App::record_benefit`); this module parses
//! the form and shapes the lines.

use crate::auth::CurrentUser;
use crate::error::HtmlError;
use crate::format;
use crate::i18n::Lang;
use crate::programme::{parse_day, parse_vnd};
use crate::routes::Routes;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Redirect;
use axum::routing::post;
use giamngheo_app::access::Actor;
use giamngheo_app::policies::benefits::BenefitInput;
use giamngheo_app::{App, AppError};
use serde::Deserialize;

/// One benefit as the section lists it, every field already written for the page.
pub struct BenefitLine {
    pub policy: String,
    pub member: String,
    pub dates: String,
    pub amount: String,
    pub reference: String,
    pub agency: String,
    /// A row replaced by a correction stays listed for history, struck through.
    pub voided: bool,
}

/// A policy the actor may record, for the form's select.
pub struct PolicyChoice {
    pub code: String,
    pub name: String,
}

/// The section of the household page.
pub struct BenefitsSection {
    pub lines: Vec<BenefitLine>,
    /// Empty when the actor may record no policy: the form is then not shown.
    pub policies: Vec<PolicyChoice>,
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
    let mut lines = Vec::with_capacity(benefits.len());
    for b in benefits {
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
        lines.push(BenefitLine {
            policy,
            member,
            dates,
            amount: b.amount.map(format::number).unwrap_or_default(),
            reference: b.reference.clone().unwrap_or_default(),
            agency,
            voided: !b.is_current(),
        });
    }
    let mut policies = Vec::new();
    for p in app.policies().iter() {
        if app.may_record_policy(actor, p).await {
            policies.push(PolicyChoice {
                code: p.code.clone(),
                name: if vi { &p.name_vi } else { &p.name_en }.clone(),
            });
        }
    }
    Ok(Some(BenefitsSection { lines, policies }))
}

pub(super) fn routes() -> Routes {
    Routes::new().route("/households/{id}/benefits", post(record))
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
    reference: String,
}

impl RecordForm {
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
            quantity: None,
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
) -> Result<Redirect, HtmlError> {
    let err = |error| HtmlError {
        lang,
        error: labelled(error, lang),
    };
    let input = form.input(id).map_err(err)?;
    app.record_benefit(&user.actor, input).await.map_err(err)?;
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
