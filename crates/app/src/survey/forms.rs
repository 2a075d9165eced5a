//! The XLSForms of a review (phiếu A and phiếu B) and each village's household list as
//! a CSV attachment, for ODK Collect and KoboCollect.
//!
//! One form per kind serves the whole commune: the reviewer picks the village, then the
//! household from that village's list (`select_one_from_file hh_<village>.csv`), sees
//! the facts the commune holds (head's name, members' ages, current class) and confirms.
//! The chosen household's code comes back in the field `household`, whatever the village.

use crate::access::Actor;
use crate::{App, AppError};
use chrono::Datelike;
use giamngheo_domain::Area;
use giamngheo_rules::{Lang, Standard, Status, grouped};
use giamngheo_sheets::xlsform::{FormSheet, attachment_csv, workbook, zip_files};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// The two languages of the forms, as XLSForm column suffixes.
const VI: &str = "Tiếng Việt (vi)";
const EN: &str = "English (en)";

/// The hidden field that carries the form's version in every submission.
pub const VERSION_FIELD: &str = "form_version";

/// The columns of a household list attachment.
pub const ATTACHMENT_COLUMNS: [&str; 5] = ["name", "label", "head_name", "ages", "current_class"];

/// The wording and bounds of the forms (`survey/forms.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct FormText {
    pub bounds: Bounds,
    pub labels: BTreeMap<String, Label>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Bounds {
    pub score_a: Bound,
    pub income_per_capita: Bound,
}

/// The range a number typed on the phone must fall in, and the message when it does not.
#[derive(Debug, Clone, Deserialize)]
pub struct Bound {
    pub min: i64,
    pub max: i64,
    pub message_vi: String,
    pub message_en: String,
}

impl Bound {
    pub fn holds(&self, v: i64) -> bool {
        (self.min..=self.max).contains(&v)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub vi: String,
    pub en: String,
}

impl FormText {
    /// The wording shipped with the product.
    pub fn embedded() -> FormText {
        // The file is part of the build and checked by the tests; it cannot be invalid
        // in a released binary.
        toml::from_str(include_str!("../../survey/forms.toml")).expect("survey/forms.toml")
    }

    fn label<'a>(&'a self, key: &'a str) -> (&'a str, &'a str) {
        self.labels
            .get(key)
            .map(|l| (l.vi.as_str(), l.en.as_str()))
            .unwrap_or((key, key))
    }
}

/// Which form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// Phiếu A, the quick screening of households that asked to be reviewed.
    Screening,
    /// Phiếu B, the survey: B1 score (or income) and the B2 ticks.
    Survey,
}

impl FormKind {
    pub fn file_stem(self) -> &'static str {
        match self {
            FormKind::Screening => "phieu_a",
            FormKind::Survey => "phieu_b",
        }
    }

    /// The form id the tools keep with each submission: the review and the form.
    pub fn form_id(self, review_id: i64) -> String {
        format!("giamngheo_r{review_id}_{}", self.file_stem())
    }
}

/// One household's line of a village list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedHousehold {
    pub code: String,
    pub head_name: String,
    pub ages: String,
    pub current_class: String,
}

/// A generated form: its workbook and the version written in its settings.
#[derive(Debug, Clone)]
pub struct GeneratedForm {
    pub kind: FormKind,
    pub form_id: String,
    pub version: String,
    pub xlsx: Vec<u8>,
}

/// Everything handed to the tools for one review.
#[derive(Debug, Clone)]
pub struct FormBundle {
    pub forms: Vec<GeneratedForm>,
    /// `hh_<village>.csv` and its bytes.
    pub attachments: Vec<(String, Vec<u8>)>,
}

impl FormBundle {
    /// The files as they go in the .zip and the output folder.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = self
            .forms
            .iter()
            .map(|f| (format!("{}.xlsx", f.kind.file_stem()), f.xlsx.clone()))
            .collect();
        files.extend(self.attachments.iter().cloned());
        files
    }

    pub fn zip(&self) -> Result<Vec<u8>, AppError> {
        zip_files(&self.files()).map_err(|e| {
            tracing::error!(error = %e, "survey forms zip");
            AppError::invalid("forms", "không tạo được tệp .zip")
        })
    }
}

/// A village of the review with its households.
#[derive(Debug, Clone)]
pub struct VillageList {
    pub code: String,
    pub name: String,
    pub households: Vec<ListedHousehold>,
}

/// The survey sheet's columns.
fn survey_header() -> Vec<String> {
    [
        "type",
        "name",
        &format!("label::{VI}"),
        &format!("label::{EN}"),
        &format!("hint::{VI}"),
        &format!("hint::{EN}"),
        "required",
        "relevant",
        "constraint",
        &format!("constraint_message::{VI}"),
        &format!("constraint_message::{EN}"),
        "calculation",
        "appearance",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// One row of the survey sheet, by column.
#[derive(Default)]
struct Q<'a> {
    kind: String,
    name: String,
    label: (&'a str, &'a str),
    hint: (String, String),
    required: bool,
    relevant: &'a str,
    constraint: String,
    message: (String, String),
    calculation: String,
    appearance: &'a str,
}

impl Q<'_> {
    fn row(self) -> Vec<String> {
        vec![
            self.kind,
            self.name,
            self.label.0.to_string(),
            self.label.1.to_string(),
            self.hint.0,
            self.hint.1,
            if self.required {
                "yes".into()
            } else {
                String::new()
            },
            self.relevant.to_string(),
            self.constraint,
            self.message.0,
            self.message.1,
            self.calculation,
            self.appearance.to_string(),
        ]
    }
}

/// `concat(${a}, ${b})` over the villages' fields, or the one field alone.
fn joined(prefix: &str, villages: &[VillageList]) -> String {
    let parts: Vec<String> = villages
        .iter()
        .map(|v| format!("${{{prefix}_{}}}", v.code))
        .collect();
    if parts.len() == 1 {
        parts[0].clone()
    } else {
        format!("concat({})", parts.join(", "))
    }
}

/// After the household is confirmed.
const CONFIRMED: &str = "${confirm} = 'yes'";

/// Builds one form: the rows that pick and confirm the household, then the form's own.
pub fn build_form(
    kind: FormKind,
    review_id: i64,
    title: &str,
    standard: &Standard,
    villages: &[VillageList],
    text: &FormText,
) -> Result<GeneratedForm, AppError> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    rows.push(
        Q {
            kind: "select_one village".into(),
            name: "village".into(),
            label: text.label("village"),
            required: true,
            ..Q::default()
        }
        .row(),
    );
    let relevant_of: Vec<String> = villages
        .iter()
        .map(|v| format!("${{village}} = '{}'", v.code))
        .collect();
    let hint = text.label("household_hint");
    for (v, relevant) in villages.iter().zip(&relevant_of) {
        rows.push(
            Q {
                kind: format!("select_one_from_file hh_{}.csv", v.code),
                name: format!("hh_{}", v.code),
                label: text.label("household"),
                hint: (hint.0.into(), hint.1.into()),
                required: true,
                relevant,
                appearance: "autocomplete",
                ..Q::default()
            }
            .row(),
        );
        for column in ["head_name", "ages", "current_class"] {
            rows.push(
                Q {
                    kind: "calculate".into(),
                    name: format!("{column}_{}", v.code),
                    calculation: format!(
                        "instance('hh_{v}')/root/item[name=${{hh_{v}}}]/{column}",
                        v = v.code
                    ),
                    ..Q::default()
                }
                .row(),
            );
        }
    }
    for (name, prefix) in [
        ("household", "hh"),
        ("head", "head_name"),
        ("ages", "ages"),
        ("current_class", "current_class"),
    ] {
        rows.push(
            Q {
                kind: "calculate".into(),
                name: name.into(),
                calculation: joined(prefix, villages),
                ..Q::default()
            }
            .row(),
        );
    }
    rows.push(
        Q {
            kind: "note".into(),
            name: "facts".into(),
            label: text.label("facts"),
            relevant: "${household} != ''",
            ..Q::default()
        }
        .row(),
    );
    let confirm_message = text.label("confirm_message");
    rows.push(
        Q {
            kind: "select_one yes_no".into(),
            name: "confirm".into(),
            label: text.label("confirm"),
            required: true,
            relevant: "${household} != ''",
            constraint: ". = 'yes'".into(),
            message: (confirm_message.0.into(), confirm_message.1.into()),
            ..Q::default()
        }
        .row(),
    );
    match kind {
        FormKind::Screening => {
            rows.push(
                Q {
                    kind: "select_one yes_no".into(),
                    name: "passed".into(),
                    label: text.label("passed"),
                    required: true,
                    relevant: CONFIRMED,
                    ..Q::default()
                }
                .row(),
            );
            rows.push(
                Q {
                    kind: "text".into(),
                    name: "note".into(),
                    label: text.label("note"),
                    relevant: CONFIRMED,
                    ..Q::default()
                }
                .row(),
            );
        }
        FormKind::Survey => {
            // Part B1: score A where the standard has one, else the income as measured.
            let (name, bound) = if standard.has_score_a() {
                ("score_a", &text.bounds.score_a)
            } else {
                ("income_per_capita", &text.bounds.income_per_capita)
            };
            rows.push(
                Q {
                    kind: "integer".into(),
                    name: name.into(),
                    label: text.label(name),
                    hint: b1_hint(standard),
                    required: true,
                    relevant: CONFIRMED,
                    constraint: format!(". >= {} and . <= {}", bound.min, bound.max),
                    message: (bound.message_vi.clone(), bound.message_en.clone()),
                    ..Q::default()
                }
                .row(),
            );
            // Part B2: one tick per indicator of the standard, its definition as hint.
            let unconfirmed = text.label("to_confirm");
            for i in standard.indicators() {
                let mark = |s: &str| {
                    if i.to_confirm {
                        format!("{s} ")
                    } else {
                        String::new()
                    }
                };
                let vi_label = format!("{}: {}", i.dimension_vi, i.name_vi);
                let en_label = format!("{}: {}", i.dimension_en, i.name_en);
                rows.push(
                    Q {
                        kind: "select_one deprived".into(),
                        name: format!("b2_{}", i.code),
                        label: (vi_label.as_str(), en_label.as_str()),
                        hint: (
                            format!(
                                "{}Thiếu hụt khi {}",
                                mark(unconfirmed.0),
                                i.deprived_when_vi.as_deref().unwrap_or(&i.name_vi)
                            ),
                            format!(
                                "{}Deprived when {}",
                                mark(unconfirmed.1),
                                i.deprived_when_en.as_deref().unwrap_or(&i.name_en)
                            ),
                        ),
                        required: true,
                        relevant: CONFIRMED,
                        ..Q::default()
                    }
                    .row(),
                );
            }
        }
    }
    rows.push(
        Q {
            kind: "text".into(),
            name: "surveyed_by".into(),
            label: text.label("surveyed_by"),
            required: true,
            relevant: CONFIRMED,
            ..Q::default()
        }
        .row(),
    );
    let date_message = text.label("surveyed_on_message");
    rows.push(
        Q {
            kind: "date".into(),
            name: "surveyed_on".into(),
            label: text.label("surveyed_on"),
            required: true,
            relevant: CONFIRMED,
            constraint: ". <= today()".into(),
            message: (date_message.0.into(), date_message.1.into()),
            ..Q::default()
        }
        .row(),
    );
    let choice = |list: &str, name: &str, (vi, en): (&str, &str)| {
        vec![
            list.to_string(),
            name.to_string(),
            vi.to_string(),
            en.to_string(),
        ]
    };
    let mut choices = Vec::new();
    for v in villages {
        choices.push(choice("village", &v.code, (&v.name, &v.name)));
    }
    choices.push(choice("yes_no", "yes", text.label("yes")));
    choices.push(choice("yes_no", "no", text.label("no")));
    choices.push(choice("deprived", "yes", text.label("deprived")));
    choices.push(choice("deprived", "no", text.label("not_deprived")));
    let survey = FormSheet {
        name: "survey".into(),
        header: survey_header(),
        rows,
    };
    let choices = FormSheet {
        name: "choices".into(),
        header: vec![
            "list_name".into(),
            "name".into(),
            format!("label::{VI}"),
            format!("label::{EN}"),
        ],
        rows: choices,
    };
    // The version is the form's content: the same review and standard give the same
    // version, and a submission made on an older form is told apart on import.
    let mut hash = Sha256::new();
    for sheet in [&survey, &choices] {
        for row in std::iter::once(&sheet.header).chain(&sheet.rows) {
            for cell in row {
                hash.update(cell.as_bytes());
                hash.update([0x1f]);
            }
            hash.update([0x1e]);
        }
    }
    let version = hex::encode(&hash.finalize()[..6]);
    // The version also travels as an answer of its own: every tool exports the fields,
    // while where each keeps the settings' version differs (KoboToolbox writes its own
    // deployment id in `__version__`).
    let mut survey = survey;
    survey.rows.push(
        Q {
            kind: "calculate".into(),
            name: VERSION_FIELD.into(),
            calculation: format!("'{version}'"),
            ..Q::default()
        }
        .row(),
    );
    let form_id = kind.form_id(review_id);
    let settings = FormSheet {
        name: "settings".into(),
        header: vec![
            "form_title".into(),
            "form_id".into(),
            "version".into(),
            "default_language".into(),
            "instance_name".into(),
        ],
        rows: vec![vec![
            title.to_string(),
            form_id.clone(),
            version.clone(),
            VI.to_string(),
            "${household}".into(),
        ]],
    };
    let xlsx = workbook(&[survey, choices, settings]).map_err(|e| {
        tracing::error!(error = %e, "survey form workbook");
        AppError::invalid("forms", "không tạo được phiếu .xlsx")
    })?;
    Ok(GeneratedForm {
        kind,
        form_id,
        version,
        xlsx,
    })
}

/// The score-A thresholds of the standard, shown beside the B1 total.
fn b1_hint(standard: &Standard) -> (String, String) {
    let line = |area: Area| {
        let l = standard.lines(area);
        l.score_a_threshold
            .as_ref()
            .map(|f| (f.value, f.to_confirm))
            .unwrap_or((l.poor_line.value, l.poor_line.to_confirm))
    };
    let (rural, rc) = line(Area::Rural);
    let (urban, uc) = line(Area::Urban);
    let mark = if rc || uc { " (cần xác nhận)" } else { "" };
    let mark_en = if rc || uc { " (to confirm)" } else { "" };
    if standard.has_score_a() {
        (
            format!(
                "Ngưỡng {}: nông thôn {rural} điểm, thành thị {urban} điểm{mark}",
                standard.id()
            ),
            format!(
                "Threshold of {}: rural {rural} points, urban {urban} points{mark_en}",
                standard.id()
            ),
        )
    } else {
        (
            format!(
                "Chuẩn nghèo {}: nông thôn {} đồng, thành thị {} đồng{mark}",
                standard.id(),
                grouped(rural, Lang::Vi),
                grouped(urban, Lang::Vi)
            ),
            format!(
                "Poverty line of {}: rural {rural} VND, urban {urban} VND{mark_en}",
                standard.id()
            ),
        )
    }
}

impl App {
    /// The forms and household lists of a review, for a user who may read its
    /// households' personal data (a review outside their area is not found).
    pub async fn survey_forms(
        &self,
        actor: &Actor,
        review_id: i64,
    ) -> Result<FormBundle, AppError> {
        let view = self.review(actor, review_id).await?;
        self.authorize(
            actor,
            crate::access::Action::ReadPersonal,
            &view.review.commune_code,
        )
        .await?;
        let standard = self
            .config()
            .standards
            .get(&view.review.standard)
            .ok_or_else(|| {
                AppError::invalid(
                    "standard",
                    format!("không có chuẩn nghèo «{}»", view.review.standard),
                )
            })?;
        let today = self.clock().today();
        // The class each household holds now: its latest classification before the
        // review's period.
        let mut current: HashMap<i64, String> = HashMap::new();
        for c in self
            .store()
            .classifications_in_commune(&view.review.commune_code, view.review.period - 1)
            .await?
        {
            let label = c
                .fields
                .status
                .parse::<Status>()
                .map(|s| s.label_vi().to_string())
                .unwrap_or(c.fields.status.clone());
            current.insert(c.fields.household_id, label);
        }
        let mut villages: Vec<VillageList> = Vec::new();
        for h in view.households.iter().filter(|h| h.step != "excluded") {
            let members = self.store().members_of(h.household_id, false).await?;
            let ages = members
                .iter()
                .map(|m| (today.year() - m.fields.birth_year).to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let line = ListedHousehold {
                code: h.household_code.clone(),
                head_name: h.head_name.clone(),
                ages,
                current_class: current
                    .get(&h.household_id)
                    .cloned()
                    .unwrap_or_else(|| "chưa phân loại".into()),
            };
            match villages.iter_mut().find(|v| v.code == h.village_code) {
                Some(v) => v.households.push(line),
                None => villages.push(VillageList {
                    code: h.village_code.clone(),
                    name: h.village_name.clone(),
                    households: vec![line],
                }),
            }
        }
        if villages.is_empty() {
            return Err(AppError::invalid(
                "review",
                "đợt rà soát chưa có hộ nào để lập phiếu",
            ));
        }
        villages.sort_by(|a, b| a.code.cmp(&b.code));
        let text = FormText::embedded();
        let mut forms = Vec::new();
        for kind in [FormKind::Screening, FormKind::Survey] {
            let (title_vi, _) = text.label(match kind {
                FormKind::Screening => "title_a",
                FormKind::Survey => "title_b",
            });
            let title = format!(
                "{title_vi} — {} — {}",
                view.commune.name, view.review.period
            );
            forms.push(build_form(
                kind, review_id, &title, standard, &villages, &text,
            )?);
        }
        let attachments = villages
            .iter()
            .map(|v| {
                let rows: Vec<Vec<String>> = v
                    .households
                    .iter()
                    .map(|h| {
                        vec![
                            h.code.clone(),
                            format!("{} — {}", h.code, h.head_name),
                            h.head_name.clone(),
                            h.ages.clone(),
                            h.current_class.clone(),
                        ]
                    })
                    .collect();
                (
                    format!("hh_{}.csv", v.code),
                    attachment_csv(&ATTACHMENT_COLUMNS, &rows),
                )
            })
            .collect();
        Ok(FormBundle { forms, attachments })
    }
}
