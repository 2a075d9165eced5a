//! Measures the households readers on a district-sized file: 30,000 households with four
//! members each (120,000 rows), as CSV and as .xlsx, written to the temporary folder.
//!
//! Run in release: `cargo run --release -p giamngheo-sheets --example households_speed`.
//! `-- --households N` changes the size; `-- --seed-corpus DIR` only writes the templates
//! into DIR as seeds for the fuzz targets.

use giamngheo_sheets::households::{
    COLUMNS, households_template_csv, households_template_xlsx, read_households_csv,
    read_households_xlsx,
};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, dir] = &args[..]
        && flag == "--seed-corpus"
    {
        std::fs::create_dir_all(dir)?;
        std::fs::write(format!("{dir}/template.csv"), households_template_csv())?;
        std::fs::write(format!("{dir}/template.xlsx"), households_template_xlsx())?;
        return Ok(());
    }
    let households: usize = match &args[..] {
        [flag, n] if flag == "--households" => n.parse()?,
        _ => 30_000,
    };
    let rows = district(households);
    let dir = std::env::temp_dir();

    let started = Instant::now();
    let csv = to_csv(&rows)?;
    let csv_path = dir.join("households-district.csv");
    std::fs::write(&csv_path, &csv)?;
    let xlsx = to_xlsx(&rows)?;
    let xlsx_path = dir.join("households-district.xlsx");
    std::fs::write(&xlsx_path, &xlsx)?;
    println!(
        "wrote {} households, {} rows: {} ({:.1} MB) and {} ({:.1} MB) in {:.1} s",
        households,
        rows.len(),
        csv_path.display(),
        csv.len() as f64 / 1e6,
        xlsx_path.display(),
        xlsx.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    for _ in 0..3 {
        let started = Instant::now();
        let read = read_households_csv(&csv).map_err(|e| e.to_string())?;
        let csv_time = started.elapsed();
        assert_eq!(read.len(), households);
        let started = Instant::now();
        let read = read_households_xlsx(&xlsx).map_err(|e| e.to_string())?;
        let xlsx_time = started.elapsed();
        assert_eq!(read.len(), households);
        println!(
            "read: csv {:.3} s, xlsx {:.3} s",
            csv_time.as_secs_f64(),
            xlsx_time.as_secs_f64()
        );
    }
    Ok(())
}

/// A made-up district: households of four (head, spouse, two children), every column
/// filled, code-list answers written as Vietnamese labels as officials type them.
fn district(households: usize) -> Vec<Vec<String>> {
    let ethnicities = ["Kinh", "Chứt", "Mường", "Thái", "44", "01"];
    let members = [
        ("Hồ Văn", "Nam", "Chủ hộ", "12/03/1975"),
        ("Lê Thị", "Nữ", "Vợ/chồng", "1978"),
        ("Hồ Thị", "Nữ", "Con", "01/09/2010"),
        ("Hồ Văn", "Nam", "Con", "2016-05-20"),
    ];
    let mut rows = Vec::with_capacity(households * 4);
    for h in 0..households {
        for (i, (family, sex, relation, birth)) in members.iter().enumerate() {
            let row: Vec<String> = COLUMNS
                .iter()
                .map(|c| {
                    let v = match c.code {
                        "household_code" => format!("HK-{h:06}"),
                        "village_code" => format!("{}", 18_499_001 + h % 60),
                        "address" => format!("Thôn {}, xã Hương Liên", h % 60 + 1),
                        "phone" => format!("09{:08}", h),
                        "area" => "Nông thôn".into(),
                        "merit" | "social_allowance" | "has_computer" => "Không".into(),
                        "ethnic_minority" | "female_headed" => String::new(),
                        "floor_area_m2" => format!("{}", 20 + h % 80),
                        "wall_material" | "column_material" => "Gỗ tạp, tre".into(),
                        "roof_material" => "Kim loại, tôn".into(),
                        "water_source" => "Giếng khoan".into(),
                        "latrine" => "Hố xí đơn giản".into(),
                        "has_tv" | "has_radio" | "has_smartphone" | "loudspeaker" => "x".into(),
                        "production_land_m2" => format!("{}", 1_000 + h % 5_000),
                        "notes" => String::new(),
                        "full_name" => format!("{family} Thành {h}"),
                        "sex" => sex.to_string(),
                        "birth_date" => birth.to_string(),
                        "ethnicity" => ethnicities[h % ethnicities.len()].into(),
                        "relation" => relation.to_string(),
                        "citizen_id" => format!("0441{:08}", h * 4 + i),
                        "health_insurance_number" => format!("DT44{:011}", h * 4 + i),
                        "health_insurance_expiry" => "31/12/2026".into(),
                        "school_level" if i >= 2 => "Tiểu học".into(),
                        "school_grade" if i >= 2 => "3".into(),
                        "qualification" => "Trung học cơ sở".into(),
                        "work_status" if i >= 2 => "Trẻ em".into(),
                        "work_status" => "Có việc làm".into(),
                        "labour_contract" => "0".into(),
                        "disability" => "Không".into(),
                        "social_allowance_vnd" => "0".into(),
                        "nutrition" if i >= 2 => "Bình thường".into(),
                        "uses_internet" => "có".into(),
                        _ => String::new(),
                    };
                    // After the first member, household columns are left empty.
                    if c.household && i > 0 && !c.required {
                        String::new()
                    } else {
                        v
                    }
                })
                .collect();
            rows.push(row);
        }
    }
    rows
}

fn to_csv(rows: &[Vec<String>]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS.iter().map(|c| c.code))?;
    for r in rows {
        w.write_record(r)?;
    }
    Ok(w.into_inner()?)
}

fn to_xlsx(rows: &[Vec<String>]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("Hộ gia đình")?;
    for (c, col) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, format!("{} ({})", col.label, col.code))?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, v)?;
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}
