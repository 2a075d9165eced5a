//! The dashboard page: rates by unit, the trend over years, the deprivation profile,
//! review progress and the map, all drawn as SVG on the server (see `svg.rs`), and the
//! upload of commune boundaries (GeoJSON) for the map. The app layer computes and
//! checks access; these handlers only render.

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::headers::{component, see_other};
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use crate::svg::{self, BarRow, MapArea, Series};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use giamngheo_app::dashboard::{Dashboard, UnitRate};
use giamngheo_app::{App, AppError};
use giamngheo_domain::review::Step;
use serde::Deserialize;

pub(crate) fn routes() -> Routes {
    // The boundary file's size limit is applied with every upload's, in `upload.rs`.
    Routes::new()
        .route("/dashboard", get(page))
        .route("/dashboard/boundaries", post(upload))
}

/// The dashboard's text, once per language.
pub struct DT {
    pub title: &'static str,
    pub unit: &'static str,
    pub period: &'static str,
    pub show: &'static str,
    pub no_data: &'static str,
    pub poor: &'static str,
    pub near_poor: &'static str,
    pub rates_title: &'static str,
    pub rates_note: &'static str,
    pub trend_title: &'static str,
    pub trend_note: &'static str,
    pub deprivation_title: &'static str,
    pub deprivation_note: &'static str,
    pub deprived_share: &'static str,
    pub progress_title: &'static str,
    pub no_reviews: &'static str,
    pub commune: &'static str,
    pub current_step: &'static str,
    pub not_started: &'static str,
    pub map_title: &'static str,
    pub map_missing: &'static str,
    pub under: &'static str,
    pub from: &'static str,
    pub no_figures: &'static str,
    pub upload_title: &'static str,
    pub upload_help: &'static str,
    pub property: &'static str,
    pub file: &'static str,
    pub upload: &'static str,
    pub uploaded: &'static str,
    pub upload_refused: &'static str,
    pub households: &'static str,
    pub rate: &'static str,
    pub whole_unit: &'static str,
    pub standard: &'static str,
    pub no_poor: &'static str,
}

pub static DT_VI: DT = DT {
    title: "Tổng quan",
    unit: "Đơn vị",
    period: "Năm",
    show: "Xem",
    no_data: "Chưa có dữ liệu phân loại cho kỳ này",
    poor: "Hộ nghèo",
    near_poor: "Hộ cận nghèo",
    rates_title: "Tỷ lệ hộ nghèo, hộ cận nghèo theo đơn vị",
    rates_note: "Tỷ lệ trên tổng số hộ dân cư đang có trong sổ (như Biểu 01).",
    trend_title: "Tỷ lệ hộ nghèo, hộ cận nghèo qua các năm",
    trend_note: "Mỗi năm tính trên số hộ dân cư đang có trong sổ hiện nay.",
    deprivation_title: "Tỷ lệ hộ nghèo thiếu hụt từng chỉ số",
    deprivation_note: "Tỷ lệ trên tổng số hộ nghèo của kỳ",
    deprived_share: "Hộ nghèo thiếu hụt",
    progress_title: "Tiến độ rà soát theo xã",
    no_reviews: "Chưa có cuộc rà soát nào cho kỳ này.",
    commune: "Xã",
    current_step: "Đang ở bước",
    not_started: "Chưa bắt đầu",
    map_title: "Bản đồ tỷ lệ hộ nghèo theo xã",
    map_missing: "Bản đồ sẽ hiện khi ranh giới các xã (tệp GeoJSON) được tải lên.",
    under: "dưới",
    from: "từ",
    no_figures: "chưa có số liệu",
    upload_title: "Tải ranh giới xã (GeoJSON)",
    upload_help: "Tệp GeoJSON FeatureCollection, mỗi đối tượng là một xã (Polygon hoặc MultiPolygon, kinh độ/vĩ độ), thuộc tính chứa mã xã theo mã thống kê. Tệp có lỗi bị từ chối toàn bộ. Tối đa 8 MB.",
    property: "Thuộc tính chứa mã xã",
    file: "Tệp",
    upload: "Tải lên",
    uploaded: "Đã lưu ranh giới số xã:",
    upload_refused: "Tệp ranh giới bị từ chối, không có gì được ghi:",
    households: "Số hộ",
    rate: "Tỷ lệ",
    whole_unit: "Toàn đơn vị",
    standard: "Chuẩn",
    no_poor: "Kỳ này không có hộ nghèo.",
};

pub static DT_EN: DT = DT {
    title: "Dashboard",
    unit: "Unit",
    period: "Year",
    show: "Show",
    no_data: "No classifications for this period yet",
    poor: "Poor",
    near_poor: "Near-poor",
    rates_title: "Poor and near-poor household rates by unit",
    rates_note: "Rates over the registry's households (as in form 01).",
    trend_title: "Poor and near-poor household rates over the years",
    trend_note: "Every year is taken over the registry's current households.",
    deprivation_title: "Share of poor households deprived in each indicator",
    deprivation_note: "Share of the period's poor households",
    deprived_share: "Poor households deprived",
    progress_title: "Review progress by commune",
    no_reviews: "No review for this period yet.",
    commune: "Commune",
    current_step: "Current step",
    not_started: "Not started",
    map_title: "Poverty rate by commune",
    map_missing: "A map appears when the communes' boundaries (a GeoJSON file) are uploaded.",
    under: "under",
    from: "from",
    no_figures: "no figures",
    upload_title: "Upload commune boundaries (GeoJSON)",
    upload_help: "A GeoJSON FeatureCollection, one feature per commune (Polygon or MultiPolygon, longitude/latitude), with a property holding the commune's statistics code. A file with any error is refused whole. At most 8 MB.",
    property: "Property holding the commune code",
    file: "File",
    upload: "Upload",
    uploaded: "Boundaries stored for communes:",
    upload_refused: "The boundary file was refused; nothing was written:",
    households: "Households",
    rate: "Rate",
    whole_unit: "Whole unit",
    standard: "Standard",
    no_poor: "No poor households in this period.",
};

pub(crate) fn text(lang: Lang) -> &'static DT {
    match lang {
        Lang::Vi => &DT_VI,
        Lang::En => &DT_EN,
    }
}

const POOR_COLOR: &str = "#a4161a";
const NEAR_POOR_COLOR: &str = "#e09f3e";

/// A row of the rates table under the chart, for print and screen readers.
pub struct RateLine {
    pub name: String,
    pub households: String,
    pub poor: String,
    pub poor_rate: String,
    pub near_poor: String,
    pub near_poor_rate: String,
}

fn rate_line(r: &UnitRate) -> RateLine {
    let pct = |v: Option<f64>| v.map(svg::percent).unwrap_or_else(|| "–".into());
    RateLine {
        name: r.name.clone(),
        households: format::number(r.households),
        poor: format::number(r.poor),
        poor_rate: pct(r.poor_rate),
        near_poor: format::number(r.near_poor),
        near_poor_rate: pct(r.near_poor_rate),
    }
}

pub struct ProgressLine {
    pub name: String,
    pub counts: Vec<String>,
    pub current: String,
}

/// The communes without data, named up to ten; a province with hundreds of them would
/// otherwise fill the page.
fn without_data_line(lang: Lang, units: &[giamngheo_store::UnitRecord]) -> String {
    const SHOWN: usize = 10;
    let names: Vec<&str> = units.iter().take(SHOWN).map(|u| u.name.as_str()).collect();
    let mut line = names.join(", ");
    if units.len() > SHOWN {
        let more = giamngheo_app::targets::number_vi((units.len() - SHOWN) as i64);
        line.push_str(&match lang {
            Lang::Vi => format!(" và {more} xã khác"),
            Lang::En => format!(" and {more} other communes"),
        });
    }
    line
}

/// The tables of rates by unit and of review progress by commune, as the dashboard and
/// the province viewer's home show them (templates `figures_*.html`).
pub struct Figures {
    pub d: &'static DT,
    pub has_data: bool,
    pub total: Option<RateLine>,
    pub rates: Vec<RateLine>,
    pub steps: Vec<&'static str>,
    pub progress: Vec<ProgressLine>,
    pub any_review: bool,
}

pub(crate) fn figures(lang: Lang, dash: &Dashboard) -> Figures {
    let d = text(lang);
    let steps: Vec<&'static str> = Step::ALL
        .iter()
        .map(|s| match lang {
            Lang::Vi => s.label_vi(),
            Lang::En => s.label_en(),
        })
        .collect();
    let progress = dash
        .progress
        .iter()
        .map(|p| ProgressLine {
            name: p.commune_name.clone(),
            counts: p.by_step.iter().map(|(_, n)| format::number(*n)).collect(),
            current: match p.current() {
                Some(s) => match lang {
                    Lang::Vi => s.label_vi(),
                    Lang::En => s.label_en(),
                }
                .to_string(),
                None => d.not_started.to_string(),
            },
        })
        .collect();
    Figures {
        d,
        has_data: dash.has_data,
        total: dash.total.as_ref().filter(|_| dash.has_data).map(rate_line),
        rates: if dash.has_data {
            dash.rates.iter().map(rate_line).collect()
        } else {
            Vec::new()
        },
        steps,
        progress,
        any_review: dash.progress.iter().any(|p| p.total() > 0),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    d: &'static DT,
    unit_code: String,
    unit_name: String,
    period: String,
    periods: Vec<i32>,
    has_data: bool,
    /// The communes below without a decision for the period, named in one line.
    without_data: String,
    standard: String,
    rates_svg: String,
    /// The tables of rates and progress, shared with the province viewer's home.
    fig: Figures,
    trend_svg: String,
    deprivation_svg: String,
    map_svg: Option<String>,
    can_upload: bool,
    csrf: String,
    notice: Option<String>,
    upload_errors: Vec<String>,
    /// The programme's disbursement progress (HTML), empty for who does not read it.
    money: String,
}

#[derive(Deserialize)]
struct PageQuery {
    unit: Option<String>,
    period: Option<String>,
    uploaded: Option<usize>,
}

fn build(
    lang: Lang,
    user: &CurrentUser,
    dash: Dashboard,
    notice: Option<String>,
    upload_errors: Vec<String>,
    money: String,
) -> DashboardPage {
    let d = text(lang);
    let series = [
        Series {
            name: d.poor,
            color: POOR_COLOR,
        },
        Series {
            name: d.near_poor,
            color: NEAR_POOR_COLOR,
        },
    ];
    let period_label = dash.period.map(|p| p.to_string()).unwrap_or_default();
    let rates_title = format!("{} – {} {period_label}", d.rates_title, dash.unit.name);
    let rows: Vec<BarRow> = dash
        .rates
        .iter()
        .map(|r| BarRow {
            label: r.name.clone(),
            values: vec![r.poor_rate, r.near_poor_rate],
        })
        .collect();
    let rates_svg = if dash.has_data {
        svg::bar_chart(&rates_title, &series, &rows, d.no_data)
    } else {
        svg::bar_chart(&rates_title, &series, &[], d.no_data)
    };
    let points: Vec<(String, Vec<Option<f64>>)> = dash
        .trend
        .iter()
        .map(|p| (p.period.to_string(), vec![p.poor_rate, p.near_poor_rate]))
        .collect();
    let trend_svg = svg::line_chart(
        &format!("{} – {}", d.trend_title, dash.unit.name),
        &series,
        &points,
        d.no_data,
    );
    let deprivation_rows: Vec<BarRow> = dash
        .deprivation
        .iter()
        .map(|x| BarRow {
            label: match lang {
                Lang::Vi => x.name_vi.clone(),
                Lang::En => x.name_en.clone(),
            },
            values: vec![x.share],
        })
        .collect();
    let deprivation_svg = svg::bar_chart(
        &format!(
            "{} – {} {period_label} ({}: {})",
            d.deprivation_title,
            dash.unit.name,
            d.deprivation_note,
            format::number(dash.poor_households)
        ),
        &[Series {
            name: d.deprived_share,
            color: POOR_COLOR,
        }],
        &deprivation_rows,
        if dash.has_data { d.no_poor } else { d.no_data },
    );
    let map_svg = (!dash.map.is_empty()).then(|| {
        let areas: Vec<MapArea> = dash
            .map
            .iter()
            .map(|m| MapArea {
                label: m.name.clone(),
                rate: m.poor_rate,
                polygons: m.polygons.clone(),
            })
            .collect();
        svg::map(
            &format!("{} – {} {period_label}", d.map_title, dash.unit.name),
            &areas,
            &svg::class_labels(d.under, d.from, d.no_figures),
            d.no_data,
        )
    });
    DashboardPage {
        t: lang.t(),
        lang,
        viewer: Some(user.viewer(lang)),
        d,
        unit_code: dash.unit.code.clone(),
        unit_name: dash.unit.name.clone(),
        period: period_label,
        periods: {
            // A year asked for without classifications stays selected in the list.
            let mut p = dash.periods.clone();
            if let Some(x) = dash.period.filter(|x| !p.contains(x)) {
                p.push(x);
                p.sort_unstable();
            }
            p
        },
        has_data: dash.has_data,
        without_data: without_data_line(lang, &dash.communes_without_data),
        standard: dash.standard.clone().unwrap_or_default(),
        rates_svg,
        fig: figures(lang, &dash),
        trend_svg,
        deprivation_svg,
        map_svg,
        can_upload: dash.can_upload,
        csrf: user.csrf.clone(),
        notice,
        upload_errors,
        money,
    }
}

fn parse_period(s: Option<&str>) -> Result<Option<i32>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid("period", "năm không hợp lệ")),
    }
}

async fn page(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<DashboardPage, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let period = parse_period(q.period.as_deref()).map_err(err)?;
    let unit = q
        .unit
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| user.actor.unit_code.clone());
    let dash = app
        .dashboard(&user.actor, unit.trim(), period)
        .await
        .map_err(err)?;
    let notice = q
        .uploaded
        .map(|n| format!("{} {}", text(lang).uploaded, format::number(n as i64)));
    // The money of the year asked about, or of this year: a period is the year a
    // classification holds for, and the programme's books are kept by the same year.
    let year = period.unwrap_or_else(|| app.clock().today().year());
    let money = crate::programme::money_section(&app, &user.actor, &dash.unit.code, year, lang)
        .await
        .map_err(err)?;
    Ok(build(lang, &user, dash, notice, Vec::new(), money))
}

async fn upload(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    mut multipart: Multipart,
) -> Result<Response, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let mut unit: Option<String> = None;
    let mut property = String::from("ma_xa");
    let mut file: Option<Bytes> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("unit") => unit = field.text().await.ok().filter(|s| !s.trim().is_empty()),
            Some("property") => {
                if let Ok(p) = field.text().await {
                    property = p;
                }
            }
            Some("file") => {
                file = Some(field.bytes().await.map_err(|_| {
                    err(AppError::invalid(
                        "file",
                        "không đọc được tệp tải lên (tệp quá lớn?)",
                    ))
                })?)
            }
            _ => {}
        }
    }
    let unit_code = unit
        .map(|u| u.trim().to_string())
        .unwrap_or_else(|| user.actor.unit_code.clone());
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return Err(err(AppError::invalid("file", "chưa chọn tệp")));
    };
    match app
        .upload_boundaries(&user.actor, Some(&unit_code), &property, &file)
        .await
    {
        Ok(n) => Ok(see_other(&format!(
            "/dashboard?unit={}&uploaded={n}",
            component(&unit_code)
        ))),
        // The problems of the file are shown on the dashboard, next to the form, so the
        // user can fix the file and try again.
        Err(AppError::Invalid { field, message }) if field == "file" || field == "property" => {
            let dash = app
                .dashboard(&user.actor, &unit_code, None)
                .await
                .map_err(err)?;
            let problems = message.lines().map(str::to_string).collect();
            let page = build(lang, &user, dash, None, problems, String::new());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(err(e)),
    }
}
