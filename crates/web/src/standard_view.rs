//! A poverty standard as the pages show it: every figure and indicator with its legal
//! source and, where the exact wording is not confirmed, a visible "cần xác nhận" mark.
//!
//! The survey form, the household page's links and the standards page all read a
//! standard through [`StandardView`], so that a figure an administrator corrects with a
//! standards file (`--standards-dir`) shows the same source and mark everywhere, and a
//! standard without a score-A threshold (vn-2027 today) says on the form which evidence
//! decides the class.

use crate::auth::CurrentUser;
use crate::error::HtmlError;
use crate::format;
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::routing::get;
use giamngheo_app::App;
use giamngheo_app::rules::{Figure, Origin, Standard};
use giamngheo_domain::Area;

pub(crate) fn routes() -> Routes {
    Routes::new().route("/standards", get(page))
}

/// Words of the standard box, once per language.
pub struct Words {
    pub to_confirm: &'static str,
    pub source: &'static str,
    pub indicators: &'static str,
    pub dimension: &'static str,
    pub indicator: &'static str,
    pub deprived_when: &'static str,
    pub figures: &'static str,
    pub embedded: &'static str,
    pub from_file: &'static str,
    pub poor_line: &'static str,
    pub near_poor_line: &'static str,
    pub medium_up_to: &'static str,
    pub score_a_threshold: &'static str,
    pub min_deprivations: &'static str,
    pub periods: &'static str,
    pub evidence_score_a: &'static str,
    pub evidence_income: &'static str,
    pub title: &'static str,
    pub help: &'static str,
}

const VI: Words = Words {
    to_confirm: "cần xác nhận",
    source: "Nguồn",
    indicators: "Chỉ số thiếu hụt",
    dimension: "Chiều",
    indicator: "Chỉ số",
    deprived_when: "Thiếu hụt khi",
    figures: "Chuẩn và ngưỡng",
    embedded: "có sẵn trong phần mềm",
    from_file: "đọc từ tệp",
    poor_line: "Chuẩn nghèo",
    near_poor_line: "Chuẩn cận nghèo",
    medium_up_to: "Mức sống trung bình đến",
    score_a_threshold: "Ngưỡng điểm A (B1)",
    min_deprivations: "Số chỉ số thiếu hụt tối thiểu của hộ nghèo",
    periods: "Áp dụng cho năm",
    evidence_score_a: "Phiếu nhận điểm A (tổng điểm phần B1) so với ngưỡng của chuẩn, hoặc thu nhập bình quân khi không có điểm A.",
    evidence_income: "Chuẩn này chưa có ngưỡng điểm A: nhập thu nhập bình quân đầu người/tháng đã đánh giá (như phiếu C) và so với chuẩn nghèo. Khi có ngưỡng điểm A, quản trị viên thêm vào tệp chuẩn (thư mục chuẩn nghèo) mà không cần cài lại.",
    title: "Chuẩn nghèo",
    help: "Các con số và chỉ số đánh dấu «cần xác nhận» chưa đối chiếu được nguyên văn văn bản; quản trị viên sửa bằng tệp chuẩn cùng mã trong thư mục chuẩn nghèo.",
};

const EN: Words = Words {
    to_confirm: "to confirm",
    source: "Source",
    indicators: "Deprivation indicators",
    dimension: "Dimension",
    indicator: "Indicator",
    deprived_when: "Deprived when",
    figures: "Lines and thresholds",
    embedded: "built in",
    from_file: "read from file",
    poor_line: "Poor line",
    near_poor_line: "Near-poor line",
    medium_up_to: "Medium living up to",
    score_a_threshold: "Score-A (B1) threshold",
    min_deprivations: "Least deprivations of a poor household",
    periods: "Applies to years",
    evidence_score_a: "The form takes score A (the B1 total) against the standard's threshold, or the income when there is no score A.",
    evidence_income: "This standard has no score-A threshold yet: enter the assessed income per person per month (as on form C), compared with the poor line. When a threshold is known an administrator adds it to the standard file (standards directory) without a reinstall.",
    title: "Poverty standards",
    help: "Figures and indicators marked “to confirm” could not be checked against the legal wording; an administrator corrects them with a standard file of the same id in the standards directory.",
};

impl Words {
    pub fn of(lang: Lang) -> &'static Words {
        match lang {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }
}

/// One figure of a standard as shown: label, value, source, mark.
pub struct FigureView {
    pub label: String,
    pub value: String,
    pub source: String,
    pub to_confirm: bool,
}

pub struct IndicatorView {
    pub code: String,
    pub dimension: String,
    pub name: String,
    pub deprived_when: String,
    pub source: String,
    pub to_confirm: bool,
}

pub struct StandardView {
    pub w: &'static Words,
    pub id: String,
    pub name: String,
    pub instrument: String,
    pub origin: String,
    pub periods: String,
    pub figures: Vec<FigureView>,
    pub indicators: Vec<IndicatorView>,
    pub uses_score_a: bool,
    /// Which evidence the survey form takes under this standard, in words.
    pub evidence: &'static str,
    /// Whether anything of the standard is still to confirm.
    pub to_confirm: bool,
}

impl StandardView {
    pub fn of(standard: &Standard, lang: Lang) -> StandardView {
        let w = Words::of(lang);
        let mut figures = Vec::new();
        let mut push = |label: String, figure: &Figure, money: bool| {
            figures.push(FigureView {
                label,
                value: if money {
                    format!("{} đ", format::number(figure.value as i64))
                } else {
                    format::number(figure.value as i64)
                },
                source: figure.source.clone().unwrap_or_default(),
                to_confirm: figure.to_confirm,
            });
        };
        for area in Area::ALL {
            let lines = standard.lines(area);
            let place = lang_area(lang, area);
            push(format!("{} ({place})", w.poor_line), &lines.poor_line, true);
            if lines.near_poor_line.value != lines.poor_line.value {
                push(
                    format!("{} ({place})", w.near_poor_line),
                    &lines.near_poor_line,
                    true,
                );
            }
            if let Some(figure) = &lines.medium_up_to {
                push(format!("{} ({place})", w.medium_up_to), figure, true);
            }
            if let Some(figure) = &lines.score_a_threshold {
                push(format!("{} ({place})", w.score_a_threshold), figure, false);
            }
        }
        push(
            w.min_deprivations.to_string(),
            standard.min_deprivations(),
            false,
        );
        let indicators: Vec<IndicatorView> = standard
            .indicators()
            .iter()
            .map(|i| {
                let (dimension, name, when) = match lang {
                    Lang::Vi => (&i.dimension_vi, &i.name_vi, &i.deprived_when_vi),
                    Lang::En => (&i.dimension_en, &i.name_en, &i.deprived_when_en),
                };
                IndicatorView {
                    code: i.code.clone(),
                    dimension: dimension.clone(),
                    name: name.clone(),
                    deprived_when: when.clone().unwrap_or_default(),
                    source: i.source.clone().unwrap_or_default(),
                    to_confirm: i.to_confirm,
                }
            })
            .collect();
        let uses_score_a = standard.has_score_a();
        StandardView {
            w,
            id: standard.id().to_string(),
            name: match lang {
                Lang::Vi => standard.name_vi(),
                Lang::En => standard.name_en(),
            }
            .to_string(),
            instrument: standard.instrument().unwrap_or_default().to_string(),
            origin: match standard.origin() {
                Origin::Embedded => w.embedded.to_string(),
                Origin::File(name) => format!("{} {name}", w.from_file),
            },
            periods: standard
                .periods()
                .iter()
                .map(|p| format!("{}–{}", p.from, p.to))
                .collect::<Vec<_>>()
                .join(", "),
            figures,
            indicators,
            uses_score_a,
            evidence: if uses_score_a {
                w.evidence_score_a
            } else {
                w.evidence_income
            },
            to_confirm: to_confirm(standard),
        }
    }
}

/// Whether anything of a standard is still to confirm: a figure or an indicator.
pub fn to_confirm(standard: &Standard) -> bool {
    !standard.figures_to_confirm().is_empty() || standard.indicators().iter().any(|i| i.to_confirm)
}

fn lang_area(lang: Lang, area: Area) -> &'static str {
    lang.area(Some(match area {
        Area::Rural => "rural",
        Area::Urban => "urban",
    }))
}

#[derive(Template, WebTemplate)]
#[template(path = "standards.html")]
struct StandardsPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<crate::auth::Viewer>,
    w: &'static Words,
    standards: Vec<StandardView>,
}

/// Every standard the product knows, as officials read them. No personal data, so every
/// signed-in user may read it.
async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
) -> Result<StandardsPage, HtmlError> {
    Ok(StandardsPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        w: Words::of(lang),
        standards: app
            .config()
            .standards
            .iter()
            .map(|s| StandardView::of(s, lang))
            .collect(),
    })
}
