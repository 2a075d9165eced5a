//! Measures the report PDF writer on district-sized reports: the review results of a
//! district (22 communes and the total, twelve columns under merged headings), a
//! deprivations table with 25 columns, and the per-unit file of a district (the
//! district's table, then one table per commune with its villages). The files are
//! written to the temporary folder so that a person can look at them.
//!
//! Run in release: `cargo run --release -p giamngheo-sheets --example report_pdf_speed`.

use giamngheo_sheets::pdf::reports_pdf;
use giamngheo_sheets::reports::{NumberKind, SheetColumn, SheetReport, SheetRow};
use std::time::Instant;

const COMMUNES: usize = 22;
const VILLAGES: usize = 12;
/// Renders of each file, so that the figure is an average rather than one sample.
const ROUNDS: u32 = 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let results = report(
        "Huyện Hương Khê",
        "KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2022",
        result_columns(),
        &names("Xã Hương", COMMUNES),
    );
    let deprivations = report(
        "Huyện Hương Khê",
        "HỘ NGHÈO THIẾU HỤT CÁC CHỈ SỐ DỊCH VỤ XÃ HỘI CƠ BẢN NĂM 2022",
        deprivation_columns(),
        &names("Xã Hương", COMMUNES),
    );
    let mut per_unit = vec![results.clone()];
    for commune in names("Xã Hương", COMMUNES) {
        per_unit.push(report(
            &commune,
            "KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2022",
            result_columns(),
            &names("Thôn", VILLAGES),
        ));
    }
    let dir = std::env::temp_dir();
    for (name, reports) in [
        ("report-district-results.pdf", vec![results]),
        ("report-district-deprivations.pdf", vec![deprivations]),
        ("report-district-per-unit.pdf", per_unit),
    ] {
        let started = Instant::now();
        let mut pdf = Vec::new();
        for _ in 0..ROUNDS {
            pdf = reports_pdf(&reports);
        }
        let each = started.elapsed() / ROUNDS;
        let path = dir.join(name);
        std::fs::write(&path, &pdf)?;
        println!(
            "{}: {} report(s), {} kB, {:.1} ms each",
            path.display(),
            reports.len(),
            pdf.len() / 1024,
            each.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix} {i}")).collect()
}

/// A heading path and its kind as a column.
fn col(path: &[&str], kind: NumberKind) -> SheetColumn {
    let heading = path.iter().map(|h| h.to_string()).collect();
    SheetColumn { heading, kind }
}

/// Households and people, then five figures each for the poor and the near-poor.
fn result_columns() -> Vec<SheetColumn> {
    let mut columns = vec![
        col(&["Tổng số hộ dân cư"], NumberKind::Count),
        col(&["Tổng số nhân khẩu"], NumberKind::Count),
    ];
    for group in ["Hộ nghèo", "Hộ cận nghèo"] {
        for (leaf, kind) in [
            ("Số hộ", NumberKind::Count),
            ("Tỷ lệ (%)", NumberKind::Rate),
            ("Số nhân khẩu", NumberKind::Count),
            ("Tỷ lệ nhân khẩu (%)", NumberKind::Rate),
            ("Hộ DTTS", NumberKind::Count),
        ] {
            columns.push(col(&[group, leaf], kind));
        }
    }
    columns
}

/// The vn-2022 standard's twelve indicators, each with its households and its rate.
fn deprivation_columns() -> Vec<SheetColumn> {
    let indicators = [
        "Việc làm",
        "Người phụ thuộc trong hộ gia đình",
        "Dinh dưỡng",
        "Bảo hiểm y tế",
        "Trình độ giáo dục của người lớn",
        "Tình trạng đi học của trẻ em",
        "Chất lượng nhà ở",
        "Diện tích nhà ở bình quân đầu người",
        "Nguồn nước sinh hoạt",
        "Nhà tiêu hợp vệ sinh",
        "Sử dụng dịch vụ viễn thông",
        "Phương tiện phục vụ tiếp cận thông tin",
    ];
    let mut columns = vec![col(&["Tổng số hộ nghèo"], NumberKind::Count)];
    for name in indicators {
        columns.push(col(&[name, "Số hộ"], NumberKind::Count));
        columns.push(col(&[name, "Tỷ lệ (%)"], NumberKind::Rate));
    }
    columns
}

fn report(unit: &str, title: &str, columns: Vec<SheetColumn>, rows: &[String]) -> SheetReport {
    // Figures of a district's size: a few hundred poor households in a commune, some
    // thousands in the district, rates below 100 %.
    let value = |row: usize, c: usize, total: bool| match columns[c].kind {
        NumberKind::Rate => Some(((row * 7 + c * 3) % 100) as f64 + 0.25),
        NumberKind::Count if total => Some((4_321 + c * 17) as f64),
        NumberKind::Count => Some(((row * 37 + c * 11) % 400) as f64),
    };
    let mut table: Vec<SheetRow> = rows
        .iter()
        .enumerate()
        .map(|(i, label)| SheetRow {
            label: label.clone(),
            values: (0..columns.len()).map(|c| value(i, c, false)).collect(),
            bold: false,
        })
        .collect();
    table.push(SheetRow {
        label: "Tổng cộng".into(),
        values: (0..columns.len()).map(|c| value(0, c, true)).collect(),
        bold: true,
    });
    SheetReport {
        sheet_name: unit.into(),
        agency: vec![
            "UBND HUYỆN HƯƠNG KHÊ".into(),
            "PHÒNG LAO ĐỘNG - TB&XH".into(),
        ],
        motto: vec![
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
            "Độc lập - Tự do - Hạnh phúc".into(),
        ],
        form: Some("Biểu số 01".into()),
        title: title.into(),
        subtitle: vec![format!("Đơn vị: {unit}, số liệu đến ngày 31/12/2022")],
        label_heading: "Đơn vị".into(),
        columns,
        numbered: true,
        rows: table,
        notes: vec!["Đầu kỳ: kết quả năm 2021; cuối kỳ: kết quả năm 2022.".into()],
        place_date: "Hương Khê, ngày 05 tháng 01 năm 2023".into(),
        signers: vec![
            ("NGƯỜI LẬP BIỂU".into(), "(Ký, ghi rõ họ tên)".into()),
            ("THỦ TRƯỞNG ĐƠN VỊ".into(), "(Ký tên, đóng dấu)".into()),
        ],
    }
}
