//! Certificates of a review, and the PDF helpers the printed documents share.

use super::{date, err};
use crate::auth::CurrentUser;
use crate::error::HtmlError;
use crate::format;
use crate::i18n::Lang;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use giamngheo_app::access::Action;
use giamngheo_app::print_wording::Wording;
use giamngheo_app::{App, AppError};
use giamngheo_sheets::pdf::{CertMemberDoc, CertificateDoc, CertificateWords, certificates_pdf};
use serde::Deserialize;

// ---------------------------------------------------------------- certificates, letters, calendar

pub struct CertMember {
    pub name: String,
    pub ethnicity: String,
    pub relation: String,
    pub male_year: String,
    pub female_year: String,
}

pub struct Certificate {
    pub number: String,
    pub kind_title: String,
    pub head: String,
    pub members: Vec<CertMember>,
    pub period: i32,
    pub status: String,
    /// Its sentences and labels from the wording file, filled in.
    pub words: CertificateWords,
}

#[derive(Template, WebTemplate)]
#[template(path = "certificates.html")]
pub(super) struct CertificatesPage {
    lang: Lang,
    /// The page's title, from the wording file.
    title: String,
    /// The national motto's lines, from the wording file.
    motto: Vec<String>,
    date_line: String,
    certificates: Vec<Certificate>,
    /// The same certificates as a PDF, for the "Tải PDF" link.
    pdf_url: String,
    /// The form recording the certificates shown as issued, for a user who may write.
    issue: Option<IssueForm>,
}

/// The form that records the certificates of the page as issued to their households.
pub struct IssueForm {
    pub action: String,
    pub csrf: String,
    pub rh: String,
    pub village: String,
    pub today: String,
    /// "Đã cấp 3/5 giấy chứng nhận trên trang này."
    pub state: String,
}

impl CertificatesPage {
    /// The PDF version of the page: the same certificates, filled from the same values.
    fn pdf_docs(&self) -> Vec<CertificateDoc> {
        self.certificates
            .iter()
            .map(|c| CertificateDoc {
                number: c.number.clone(),
                title: c.kind_title.clone(),
                period: c.period,
                head: c.head.clone(),
                status: c.status.clone(),
                motto: self.motto.clone(),
                words: c.words.clone(),
                members: c
                    .members
                    .iter()
                    .map(|m| CertMemberDoc {
                        name: m.name.clone(),
                        ethnicity: m.ethnicity.clone(),
                        relation: m.relation.clone(),
                        male_year: m.male_year.clone(),
                        female_year: m.female_year.clone(),
                    })
                    .collect(),
                date_line: self.date_line.clone(),
            })
            .collect()
    }
}

/// What one certificate says about its household, before the wording is filled in.
struct CertFacts<'a> {
    commune: &'a str,
    district: &'a str,
    decision: &'a str,
    period: i32,
    kind_title: &'a str,
    head: &'a str,
    ethnicity: &'a str,
    citizen_id: &'a str,
    residence: &'a str,
}

/// Marks where a bold value goes in a sentence of the wording, to split it there.
const BOLD_HERE: &str = "\u{1}";

/// The certificate's sentences and labels from the wording, filled in with its facts.
fn certificate_words(w: &Wording, f: &CertFacts<'_>) -> CertificateWords {
    let period = f.period.to_string();
    let commune = ("commune", f.commune);
    let status = w.text(
        "certificate.status",
        &[("status", BOLD_HERE), ("period", &period)],
    );
    let (status_before, status_after) = status.split_once(BOLD_HERE).unwrap_or((&status, ""));
    CertificateWords {
        agency: w.lines(
            "certificate.agency",
            &[
                ("district_upper", &f.district.to_uppercase()),
                ("commune_upper", &f.commune.to_uppercase()),
            ],
        ),
        year: w.text("certificate.year", &[("period", &period)]),
        basis: w.text(
            "certificate.basis",
            &[("decision", f.decision), commune, ("period", &period)],
        ),
        certifies: w.text("certificate.certifies", &[commune]),
        head_label: w.text("certificate.head_label", &[]),
        ethnicity: w.text("certificate.ethnicity", &[("ethnicity", f.ethnicity)]),
        citizen_id: w.text("certificate.citizen_id", &[("citizen_id", f.citizen_id)]),
        residence: w.text("certificate.residence", &[("residence", f.residence)]),
        status_before: status_before.to_string(),
        status_after: status_after.to_string(),
        member_columns: w.lines("certificate.member_columns", &[]),
        confirm_columns: w.lines("certificate.confirm_columns", &[]),
        signer_title: w.lines("common.chair_title", &[]),
        signer_hint: w.text("common.chair_hint", &[]),
        doc_title: w.text(
            "certificate.doc_title",
            &[("title", f.kind_title), ("head", f.head)],
        ),
        collection_title: w.text("certificate.collection_title", &[]),
    }
}

/// A PDF download. The filename is plain ASCII so that every browser keeps it as given.
pub(crate) fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) fn wants_pdf(format: &Option<String>) -> bool {
    format.as_deref() == Some("pdf")
}

/// The short place name of a unit for the date line ("Điền Mỹ" of "Xã Điền Mỹ").
pub(crate) fn place_name(name: &str) -> String {
    for prefix in [
        "Xã ",
        "Phường ",
        "Thị trấn ",
        "Huyện ",
        "Tỉnh ",
        "Thành phố ",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    name.to_string()
}

#[derive(Deserialize, Default)]
pub(super) struct CertQuery {
    rh: Option<i64>,
    /// A village's certificates only (its code), for handing them out village by village.
    village: Option<String>,
    /// `pdf` for the PDF instead of the print-ready page.
    format: Option<String>,
}

pub(super) async fn certificates(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<CertQuery>,
) -> Result<Response, HtmlError> {
    use giamngheo_domain::household::{ETHNICITIES, RELATIONS};
    let e = err(lang);
    let view = app.review(&user.actor, id).await.map_err(&e)?;
    if view.review.step != "closed" {
        return Err(e(AppError::invalid(
            "step",
            "chỉ in giấy chứng nhận sau khi có quyết định công nhận",
        )));
    }
    let chain = app.ancestry(&view.commune.code).await.map_err(&e)?;
    let name_of = |tier: &str| {
        chain
            .iter()
            .find(|u| u.tier == tier)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let wording = app.config().wording.clone();
    let decided = view.review.decision_date.unwrap_or(view.today);
    let decision = wording.text(
        "certificate.decision",
        &[
            (
                "number",
                view.review.decision_number.as_deref().unwrap_or_default(),
            ),
            ("date", &format::date(&decided)),
        ],
    );
    let district = name_of("district");
    let mut certificates = Vec::new();
    for h in view
        .households
        .iter()
        .filter(|h| q.rh.is_none_or(|r| r == h.id))
        .filter(|h| q.village.as_deref().is_none_or(|v| v == h.village_code))
    {
        let Some(cid) = h.classification_id else {
            continue;
        };
        let Some(c) = app
            .store()
            .classification(cid)
            .await
            .map_err(|x| e(x.into()))?
        else {
            continue;
        };
        let Some(number) = c.fields.certificate_number.clone() else {
            continue;
        };
        let hv = app
            .household(&user.actor, h.household_id)
            .await
            .map_err(&e)?;
        let head = hv.members.iter().find(|m| m.fields.relation == "head");
        let poor = c.fields.status == "poor";
        let kind_title = wording.text(
            if poor {
                "certificate.title_poor"
            } else {
                "certificate.title_near_poor"
            },
            &[],
        );
        let head_name = hv.household.fields.head_name.clone();
        let words = certificate_words(
            &wording,
            &CertFacts {
                commune: &view.commune.name,
                district: &district,
                decision: &decision,
                period: c.fields.period,
                kind_title: &kind_title,
                head: &head_name,
                ethnicity: &head
                    .map(|m| lang.label(&ETHNICITIES, Some(&m.fields.ethnicity)))
                    .unwrap_or_default(),
                citizen_id: &head
                    .and_then(|m| m.fields.citizen_id.clone())
                    .unwrap_or_else(|| "—".into()),
                residence: &format!(
                    "{}, {}, {}",
                    hv.village.name,
                    hv.commune.name,
                    name_of("province")
                ),
            },
        );
        certificates.push(Certificate {
            number,
            kind_title,
            head: head_name,
            words,
            members: hv
                .members
                .iter()
                .map(|m| CertMember {
                    name: m.fields.full_name.clone(),
                    ethnicity: lang.label(&ETHNICITIES, Some(&m.fields.ethnicity)),
                    relation: lang.label(&RELATIONS, Some(&m.fields.relation)),
                    male_year: if m.fields.sex == "male" {
                        m.fields.birth_year.to_string()
                    } else {
                        String::new()
                    },
                    female_year: if m.fields.sex == "female" {
                        m.fields.birth_year.to_string()
                    } else {
                        String::new()
                    },
                })
                .collect(),
            period: c.fields.period,
            status: lang.status(Some(&c.fields.status)),
        });
    }
    let mut one = q.rh.map(|rh| format!("&rh={rh}")).unwrap_or_default();
    if let Some(v) = &q.village {
        one.push_str(&format!("&village={}", crate::headers::component(v)));
    }
    let issued = app
        .store()
        .certificates_issued(id)
        .await
        .map_err(|x| e(x.into()))?;
    let shown: Vec<i64> = view
        .households
        .iter()
        .filter(|h| q.rh.is_none_or(|r| r == h.id))
        .filter(|h| q.village.as_deref().is_none_or(|v| v == h.village_code))
        .filter(|h| giamngheo_app::reviews::gets_certificate(h))
        .map(|h| h.id)
        .collect();
    let issue = (user.actor.may(Action::WriteHouseholds) && !shown.is_empty()).then(|| IssueForm {
        action: format!("/reviews/{id}/certificates/issued"),
        csrf: user.viewer(lang).csrf,
        rh: q.rh.map(|r| r.to_string()).unwrap_or_default(),
        village: q.village.clone().unwrap_or_default(),
        today: view.today.format("%Y-%m-%d").to_string(),
        state: format!(
            "Đã ghi nhận cấp {}/{} giấy chứng nhận trên trang này.",
            format::number(shown.iter().filter(|h| issued.contains_key(h)).count() as i64),
            format::number(shown.len() as i64)
        ),
    });
    let page = CertificatesPage {
        lang,
        issue,
        title: wording.text("certificate.page_title", &[("commune", &view.commune.name)]),
        motto: wording.motto(),
        date_line: wording.date_line(&place_name(&view.commune.name), decided),
        certificates,
        pdf_url: format!("/reviews/{id}/certificates?format=pdf{one}"),
    };
    if wants_pdf(&q.format) {
        let name = match q.rh {
            Some(rh) => format!("giay-chung-nhan-{id}-{rh}.pdf"),
            None => format!("giay-chung-nhan-{id}.pdf"),
        };
        return Ok(pdf_response(certificates_pdf(&page.pdf_docs()), &name));
    }
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub(super) struct IssuedForm {
    #[serde(default)]
    rh: String,
    #[serde(default)]
    village: String,
    issued_on: String,
}

/// Records the certificates of the page (one household's, a village's or the review's)
/// as issued on the date typed, then shows the page again.
pub(super) async fn certificates_issued(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<IssuedForm>,
) -> Result<Response, HtmlError> {
    let e = err(lang);
    app.authorize_review_write(&user.actor, id)
        .await
        .map_err(&e)?;
    let issued_on = date(&f.issued_on, "issued_on").map_err(&e)?;
    let rh = match f.rh.trim() {
        "" => None,
        r => Some(r.parse::<i64>().map_err(|_| {
            e(AppError::invalid(
                "rh",
                "số hộ trong đợt rà soát không hợp lệ",
            ))
        })?),
    };
    let village = Some(f.village.trim()).filter(|v| !v.is_empty());
    app.issue_certificates(&user.actor, id, rh, village, issued_on)
        .await
        .map_err(&e)?;
    let mut back = format!("/reviews/{id}/certificates?issued=1");
    if let Some(r) = rh {
        back.push_str(&format!("&rh={r}"));
    }
    if let Some(v) = village {
        back.push_str(&format!("&village={}", crate::headers::component(v)));
    }
    Ok(crate::headers::see_other(&back))
}
