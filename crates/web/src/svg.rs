//! Charts drawn on the server as SVG: pure functions from figures to markup.
//!
//! The dashboard must work on an old phone, offline and on paper, so the charts are plain
//! inline SVG with no script: each carries `role="img"`, an `aria-label` and a `<title>`
//! for screen readers, every bar and point has its own `<title>` tooltip, and the values
//! are written next to the marks as text, so a printed page still says the figures.
//! Numbers follow Vietnamese usage (`4,03 %`). Text passed in is escaped here.

use crate::format;
use std::fmt::Write;

/// Escapes text for SVG (XML) content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number with `places` decimals, Vietnamese style: `1.234,50`.
pub fn decimal(v: f64, places: usize) -> String {
    let s = format!("{:.*}", places, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let n: i64 = int.parse().unwrap_or(0);
    // A value that rounds to zero is written without a minus sign.
    let negative = v < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{}", format::number(n))
    } else {
        format!("{sign}{},{frac}", format::number(n))
    }
}

/// A rate as the reports write it: `4,03 %`.
pub fn percent(v: f64) -> String {
    format!("{} %", decimal(v, 2))
}

/// The axis maximum for data up to `max`: the smallest of 1, 2, 2,5 and 5 times a power
/// of ten that is at least `max`, so that ticks fall on round figures. Empty or zero
/// data still gets an axis (up to 1).
pub fn nice_max(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        let candidate = step * power;
        if candidate >= max * (1.0 - 1e-12) {
            return candidate;
        }
    }
    10.0 * power
}

/// Tick values from 0 to `max` (a [`nice_max`]): four intervals when it starts with a 2
/// (0, 5, 10, 15, 20), five otherwise (0, 1, … 5; 0, 0,5, … 2,5).
fn ticks(max: f64) -> Vec<f64> {
    let lead = max / 10f64.powf(max.log10().floor());
    let n = if (lead - 2.0).abs() < 1e-9 { 4 } else { 5 };
    (0..=n).map(|i| max * i as f64 / n as f64).collect()
}

/// The shortest label of a tick: `0`, `2,5`, `10`.
fn tick_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        decimal(v, 0)
    } else if ((v * 10.0) - (v * 10.0).round()).abs() < 1e-9 {
        decimal(v, 1)
    } else {
        decimal(v, 2)
    }
}

/// A series of a chart: its name in the legend and its colour.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    pub name: &'a str,
    pub color: &'a str,
}

/// One row of a bar chart: a label and one value per series (`None`: not defined, for
/// example a rate of a unit with no households).
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

fn open(out: &mut String, width: f64, height: f64, title: &str) {
    let t = escape(title);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" role=\"img\" aria-label=\"{t}\" class=\"chart\" \
         font-family=\"sans-serif\" font-size=\"12\"><title>{t}</title>"
    );
}

/// A chart with nothing to draw says so instead of drawing empty axes.
fn empty_chart(title: &str, empty: &str) -> String {
    let mut out = String::new();
    open(&mut out, 600.0, 60.0, title);
    let _ = write!(
        out,
        "<text x=\"10\" y=\"35\" fill=\"#444\">{}</text></svg>",
        escape(empty)
    );
    out
}

fn legend(out: &mut String, series: &[Series<'_>], x: f64, y: f64) {
    let mut at = x;
    for s in series {
        let _ = write!(
            out,
            "<rect x=\"{at}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            y - 10.0,
            escape(s.color),
            at + 16.0,
            y,
            escape(s.name)
        );
        at += 24.0 + 7.0 * s.name.chars().count() as f64;
    }
}

/// Horizontal grouped bars: one group per row (in the order given), one bar per series,
/// each with its value written after it, and an axis in percent.
pub fn bar_chart(title: &str, series: &[Series<'_>], rows: &[BarRow], empty: &str) -> String {
    let all: Vec<f64> = rows
        .iter()
        .flat_map(|r| r.values.iter().flatten())
        .copied()
        .collect();
    if rows.is_empty() || all.is_empty() {
        return empty_chart(title, empty);
    }
    let max = nice_max(all.iter().copied().fold(0.0, f64::max));
    // The label column fits the longest label (about 6,6 units a character at this
    // font size), so long indicator names are not cut off at the left edge.
    let longest = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    let label_w = (longest as f64 * 6.6 + 14.0).clamp(100.0, 320.0).round();
    let plot_w = 420.0;
    let width = label_w + plot_w + 90.0;
    let bar_h = 13.0;
    let group_h = bar_h * series.len() as f64 + 10.0;
    let top = 30.0;
    let height = top + group_h * rows.len() as f64 + 30.0;
    let x_of = |v: f64| label_w + (v.max(0.0) / max) * plot_w;

    let mut out = String::new();
    open(&mut out, width, height, title);
    legend(&mut out, series, label_w, 16.0);
    let bottom = height - 24.0;
    for t in ticks(max) {
        let x = x_of(t);
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{bottom}\" stroke=\"#ddd\"/>\
             <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#444\">{} %</text>",
            bottom + 16.0,
            tick_label(t)
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let y0 = top + group_h * i as f64 + 5.0;
        let label = escape(&row.label);
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>",
            label_w - 8.0,
            y0 + group_h / 2.0
        );
        for (j, s) in series.iter().enumerate() {
            let y = y0 + bar_h * j as f64;
            let value = row.values.get(j).copied().flatten();
            let text = value.map(percent).unwrap_or_else(|| "–".into());
            let tip = format!("{label} – {}: {}", escape(s.name), escape(&text));
            let w = value.map(|v| x_of(v) - label_w).unwrap_or(0.0);
            let _ = write!(
                out,
                "<g><title>{tip}</title><rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" \
                 height=\"{}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#222\">{}</text></g>",
                bar_h - 2.0,
                escape(s.color),
                label_w + w + 4.0,
                y + bar_h - 3.0,
                escape(&text)
            );
        }
    }
    let _ = write!(
        out,
        "<line x1=\"{label_w}\" y1=\"{top}\" x2=\"{label_w}\" y2=\"{bottom}\" stroke=\"#444\"/></svg>"
    );
    out
}

/// Lines over years: one point per label (a year) and series, joined where consecutive
/// values exist; a missing value breaks the line rather than being drawn as zero.
pub fn line_chart(
    title: &str,
    series: &[Series<'_>],
    points: &[(String, Vec<Option<f64>>)],
    empty: &str,
) -> String {
    let all: Vec<f64> = points
        .iter()
        .flat_map(|p| p.1.iter().flatten())
        .copied()
        .collect();
    if points.is_empty() || all.is_empty() {
        return empty_chart(title, empty);
    }
    let max = nice_max(all.iter().copied().fold(0.0, f64::max));
    let (left, right, top, bottom) = (60.0, 30.0, 34.0, 40.0);
    let (width, height) = (640.0, 300.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let n = points.len();
    let x_of = |i: usize| {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: f64| top + plot_h - (v.max(0.0) / max) * plot_h;

    let mut out = String::new();
    open(&mut out, width, height, title);
    legend(&mut out, series, left, 16.0);
    for t in ticks(max) {
        let y = y_of(t);
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#444\">{} %</text>",
            width - right,
            left - 6.0,
            y + 4.0,
            tick_label(t)
        );
    }
    for (i, (label, _)) in points.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x_of(i),
            height - bottom + 18.0,
            escape(label)
        );
    }
    for (j, s) in series.iter().enumerate() {
        let color = escape(s.color);
        let mut segment: Vec<String> = Vec::new();
        let mut segments: Vec<Vec<String>> = Vec::new();
        for (i, (_, values)) in points.iter().enumerate() {
            match values.get(j).copied().flatten() {
                Some(v) => segment.push(format!("{:.1},{:.1}", x_of(i), y_of(v))),
                None => segments.push(std::mem::take(&mut segment)),
            }
        }
        segments.push(segment);
        for seg in segments.iter().filter(|s| s.len() > 1) {
            let _ = write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>",
                seg.join(" ")
            );
        }
        for (i, (label, values)) in points.iter().enumerate() {
            if let Some(v) = values.get(j).copied().flatten() {
                let (x, y) = (x_of(i), y_of(v));
                let text = percent(v);
                // The second series writes its values below the point so the two do
                // not overlap where the lines run close.
                let dy = if j % 2 == 0 { -8.0 } else { 16.0 };
                let _ = write!(
                    out,
                    "<g><title>{} {}: {}</title><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" \
                     fill=\"{color}\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" \
                     fill=\"#222\">{}</text></g>",
                    escape(s.name),
                    escape(label),
                    escape(&text),
                    y + dy,
                    escape(&text)
                );
            }
        }
    }
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#444\"/></svg>",
        height - bottom,
        width - right,
        height - bottom
    );
    out
}

/// A polygon: an outer ring and any holes, each a list of (longitude, latitude).
pub type Polygon = Vec<Vec<(f64, f64)>>;

/// One unit on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapArea {
    pub label: String,
    pub rate: Option<f64>,
    pub polygons: Vec<Polygon>,
}

/// The classes of poverty rate the map colours by: upper bounds (exclusive) in percent,
/// the last class open-ended. Light to dark, a sequence that stays readable in greys.
pub const RATE_CLASSES: [(f64, &str); 5] = [
    (2.0, "#ffffb2"),
    (5.0, "#fecc5c"),
    (10.0, "#fd8d3c"),
    (20.0, "#f03b20"),
    (f64::INFINITY, "#bd0026"),
];

/// The fill of units without figures.
pub const NO_DATA_FILL: &str = "#d9d9d9";

/// The index of the class a rate falls in.
pub fn rate_class(rate: f64) -> usize {
    RATE_CLASSES
        .iter()
        .position(|(upper, _)| rate < *upper)
        .unwrap_or(RATE_CLASSES.len() - 1)
}

/// An equirectangular projection fitted to a box: longitude scaled by the cosine of the
/// middle latitude, so that a commune keeps its shape at Vietnam's latitudes, and
/// north up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    min_lon: f64,
    max_lat: f64,
    k: f64,
    scale: f64,
    dx: f64,
    dy: f64,
}

impl Projection {
    /// Fits the points into `width` × `height` with `margin` on every side, keeping the
    /// aspect ratio and centring the drawing. `None` without points.
    pub fn fit(
        points: impl IntoIterator<Item = (f64, f64)>,
        width: f64,
        height: f64,
        margin: f64,
    ) -> Option<Projection> {
        let (mut min_lon, mut max_lon) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut min_lat, mut max_lat) = (f64::INFINITY, f64::NEG_INFINITY);
        for (lon, lat) in points {
            min_lon = min_lon.min(lon);
            max_lon = max_lon.max(lon);
            min_lat = min_lat.min(lat);
            max_lat = max_lat.max(lat);
        }
        if !min_lon.is_finite() || !min_lat.is_finite() {
            return None;
        }
        let k = ((min_lat + max_lat) / 2.0).to_radians().cos();
        let geo_w = (max_lon - min_lon) * k;
        let geo_h = max_lat - min_lat;
        let (avail_w, avail_h) = (width - 2.0 * margin, height - 2.0 * margin);
        // A single point or a line has no area; any scale draws it in the middle.
        let scale = match (geo_w > 0.0, geo_h > 0.0) {
            (true, true) => (avail_w / geo_w).min(avail_h / geo_h),
            (true, false) => avail_w / geo_w,
            (false, true) => avail_h / geo_h,
            (false, false) => 1.0,
        };
        Some(Projection {
            min_lon,
            max_lat,
            k,
            scale,
            dx: margin + (avail_w - geo_w * scale) / 2.0,
            dy: margin + (avail_h - geo_h * scale) / 2.0,
        })
    }

    pub fn apply(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.dx + (lon - self.min_lon) * self.k * self.scale,
            self.dy + (self.max_lat - lat) * self.scale,
        )
    }

    /// The height that keeps the aspect of the points at `width`, within bounds, so a
    /// long district is not drawn in a square with wide empty bands.
    pub fn height_for(points: &[(f64, f64)], width: f64, margin: f64) -> f64 {
        let (mut min_lon, mut max_lon, mut min_lat, mut max_lat) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for (lon, lat) in points {
            min_lon = min_lon.min(*lon);
            max_lon = max_lon.max(*lon);
            min_lat = min_lat.min(*lat);
            max_lat = max_lat.max(*lat);
        }
        let k = ((min_lat + max_lat) / 2.0).to_radians().cos();
        let geo_w = (max_lon - min_lon) * k;
        let geo_h = max_lat - min_lat;
        if !(geo_w > 0.0 && geo_h > 0.0) {
            return width;
        }
        ((width - 2.0 * margin) * geo_h / geo_w + 2.0 * margin).clamp(240.0, 760.0)
    }
}

/// The SVG path of polygons (holes drawn with the even-odd rule).
fn path(polygons: &[Polygon], p: &Projection) -> String {
    let mut d = String::new();
    for polygon in polygons {
        for ring in polygon {
            for (i, (lon, lat)) in ring.iter().enumerate() {
                let (x, y) = p.apply(*lon, *lat);
                let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
    }
    d
}

/// A map of units filled by poverty-rate class, each with a tooltip (its name and
/// rate), and a legend of the classes below it. `legend_labels` names the classes in
/// order ("dưới 2 %", …) followed by the label of units without figures.
pub fn map(title: &str, areas: &[MapArea], legend_labels: &[String], empty: &str) -> String {
    let points: Vec<(f64, f64)> = areas
        .iter()
        .flat_map(|a| a.polygons.iter().flatten().flatten())
        .copied()
        .collect();
    let width = 640.0;
    let margin = 10.0;
    let map_h = Projection::height_for(&points, width, margin);
    let Some(projection) = Projection::fit(points.iter().copied(), width, map_h, margin) else {
        return empty_chart(title, empty);
    };
    let legend_h = 30.0;
    let mut out = String::new();
    open(&mut out, width, map_h + legend_h, title);
    for a in areas {
        let (fill, rate) = match a.rate {
            Some(r) => (RATE_CLASSES[rate_class(r)].1, percent(r)),
            None => (NO_DATA_FILL, "–".to_string()),
        };
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"{fill}\" fill-rule=\"evenodd\" stroke=\"#555\" \
             stroke-width=\"0.8\"><title>{}: {}</title></path>",
            path(&a.polygons, &projection),
            escape(&a.label),
            escape(&rate)
        );
    }
    let fills: Vec<&str> = RATE_CLASSES
        .iter()
        .map(|c| c.1)
        .chain([NO_DATA_FILL])
        .collect();
    let mut x = margin;
    let y = map_h + 20.0;
    for (fill, label) in fills.iter().zip(legend_labels) {
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{fill}\" stroke=\"#555\" \
             stroke-width=\"0.5\"/><text x=\"{}\" y=\"{y}\">{}</text>",
            y - 11.0,
            x + 18.0,
            escape(label)
        );
        x += 30.0 + 6.5 * label.chars().count() as f64;
    }
    out.push_str("</svg>");
    out
}

/// The legend labels of [`RATE_CLASSES`] in Vietnamese or English, then `no_data`.
pub fn class_labels(under: &str, from: &str, no_data: &str) -> Vec<String> {
    let mut labels = Vec::new();
    let mut lower = 0.0;
    for (upper, _) in RATE_CLASSES {
        if lower == 0.0 {
            labels.push(format!("{under} {} %", tick_label(upper)));
        } else if upper.is_infinite() {
            labels.push(format!("{from} {} %", tick_label(lower)));
        } else {
            labels.push(format!("{}–{} %", tick_label(lower), tick_label(upper)));
        }
        lower = upper;
    }
    labels.push(no_data.to_string());
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: [Series<'static>; 2] = [
        Series {
            name: "Hộ nghèo",
            color: "#a4161a",
        },
        Series {
            name: "Hộ cận nghèo",
            color: "#e09f3e",
        },
    ];

    #[test]
    fn rates_are_written_the_vietnamese_way() {
        assert_eq!(percent(4.0333), "4,03 %");
        assert_eq!(percent(0.0), "0,00 %");
        assert_eq!(percent(100.0), "100,00 %");
        assert_eq!(decimal(1234.5, 2), "1.234,50");
        assert_eq!(decimal(-0.001, 2), "0,00");
        assert_eq!(decimal(-2.5, 1), "-2,5");
        assert_eq!(tick_label(2.5), "2,5");
        assert_eq!(tick_label(10.0), "10");
    }

    #[test]
    fn axes_end_on_round_figures() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(4.03), 5.0);
        assert_eq!(nice_max(5.0), 5.0);
        assert_eq!(nice_max(12.0), 20.0);
        assert_eq!(nice_max(21.0), 25.0);
        assert_eq!(nice_max(0.3), 0.5);
        assert_eq!(ticks(5.0).len(), 6);
        assert_eq!(ticks(20.0), vec![0.0, 5.0, 10.0, 15.0, 20.0]);
    }

    #[test]
    fn bars_are_scaled_to_the_axis_and_labelled() {
        let rows = vec![
            BarRow {
                label: "Xã Điền Mỹ".into(),
                values: vec![Some(4.03), Some(2.5)],
            },
            BarRow {
                label: "Xã <Hà> Linh".into(),
                values: vec![Some(5.0), None],
            },
        ];
        let svg = bar_chart("Tỷ lệ hộ nghèo", &S, &rows, "Chưa có dữ liệu");
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-label=\"Tỷ lệ hộ nghèo\""));
        assert!(svg.contains("<title>Tỷ lệ hộ nghèo</title>"));
        assert!(svg.contains(">4,03 %<"));
        assert!(svg.contains(">2,50 %<"));
        assert!(svg.contains("Xã &lt;Hà&gt; Linh"));
        assert!(!svg.contains("<Hà>"));
        // The axis ends at 5 %: the 5 % bar spans the whole plot (420 units), the
        // 4,03 % bar 4,03 / 5 of it; the label column fits the longest label.
        assert!(svg.contains("width=\"420.0\""));
        assert!(svg.contains("<rect x=\"100\" "), "{svg}");
        let long = vec![BarRow {
            label: "Phương tiện phục vụ tiếp cận thông tin".into(),
            values: vec![Some(1.0)],
        }];
        assert!(bar_chart("T", &S[..1], &long, "").contains("<rect x=\"265\" "));
        assert!(svg.contains(&format!("width=\"{:.1}\"", 4.03 / 5.0 * 420.0)));
        // An undefined value draws no bar and says so.
        assert!(svg.contains(">–<"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn empty_charts_say_there_is_no_data() {
        let svg = bar_chart("Tỷ lệ", &S, &[], "Chưa có dữ liệu phân loại cho kỳ này");
        assert!(svg.contains("Chưa có dữ liệu phân loại cho kỳ này"));
        assert!(!svg.contains("<rect"));
        let rows = vec![BarRow {
            label: "Xã A".into(),
            values: vec![None, None],
        }];
        assert!(bar_chart("T", &S, &rows, "trống").contains("trống"));
        assert!(line_chart("T", &S, &[], "trống").contains("trống"));
        assert!(map("T", &[], &[], "trống").contains("trống"));
    }

    #[test]
    fn lines_break_where_a_year_has_no_figure() {
        let points = vec![
            ("2020".to_string(), vec![Some(6.0), Some(3.0)]),
            ("2021".to_string(), vec![Some(5.0), None]),
            ("2022".to_string(), vec![Some(4.03), Some(2.0)]),
        ];
        let svg = line_chart("Xu hướng", &S, &points, "trống");
        // Poor: one line through three points; near-poor: two lone points, no line.
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 5);
        assert!(svg.contains("Hộ nghèo 2022: 4,03 %"));
        assert!(svg.contains(">2021<"));
    }

    #[test]
    fn the_projection_keeps_shape_and_fits_the_box() {
        // A square of one degree at latitude 60°: a degree of longitude is half as long
        // as a degree of latitude there, so it is drawn twice as tall as wide.
        let square = [(10.0, 59.5), (11.0, 59.5), (11.0, 60.5), (10.0, 60.5)];
        let p = Projection::fit(square, 200.0, 200.0, 0.0).unwrap();
        let (x0, y0) = p.apply(10.0, 60.5);
        let (x1, y1) = p.apply(11.0, 59.5);
        assert!((y0 - 0.0).abs() < 1e-9 && (y1 - 200.0).abs() < 1e-9);
        let k = 60f64.to_radians().cos();
        assert!(((x1 - x0) - 200.0 * k).abs() < 1e-6, "{x0} {x1}");
        // Centred horizontally.
        assert!((x0 - (200.0 - (x1 - x0)) / 2.0).abs() < 1e-6);
        // North is up.
        assert!(p.apply(10.5, 60.4).1 < p.apply(10.5, 59.6).1);
        assert!(Projection::fit([], 100.0, 100.0, 0.0).is_none());
    }

    #[test]
    fn the_map_colours_by_class_with_tooltips_and_a_legend() {
        let square =
            |x: f64, y: f64| vec![vec![(x, y), (x + 0.1, y), (x + 0.1, y + 0.1), (x, y + 0.1)]];
        let areas = vec![
            MapArea {
                label: "Xã Điền Mỹ".into(),
                rate: Some(4.03),
                polygons: vec![square(105.7, 18.1)],
            },
            MapArea {
                label: "Xã Hà Linh".into(),
                rate: None,
                polygons: vec![square(105.8, 18.1), square(105.9, 18.2)],
            },
        ];
        let labels = class_labels("dưới", "từ", "chưa có số liệu");
        assert_eq!(labels[0], "dưới 2 %");
        assert_eq!(labels[1], "2–5 %");
        assert_eq!(labels[4], "từ 20 %");
        let svg = map("Bản đồ tỷ lệ hộ nghèo", &areas, &labels, "trống");
        assert!(svg.contains("<title>Xã Điền Mỹ: 4,03 %</title>"));
        assert!(svg.contains("<title>Xã Hà Linh: –</title>"));
        assert!(svg.contains(&format!("fill=\"{}\"", RATE_CLASSES[1].1)));
        assert!(svg.contains(&format!("fill=\"{NO_DATA_FILL}\"")));
        assert!(svg.contains(">chưa có số liệu<"));
        assert_eq!(rate_class(0.0), 0);
        assert_eq!(rate_class(2.0), 1);
        assert_eq!(rate_class(55.0), 4);
    }
}
