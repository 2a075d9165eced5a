//! Writes a workbook of about 1 MB whose one cell unpacks to 1 GB, to check by hand that
//! an import refuses it quickly and in little memory:
//!
//! ```sh
//! cargo run -p giamngheo-sheets --example xlsx_bomb -- /tmp/bom.xlsx
//! /usr/bin/time -v giamngheo households import --db … /tmp/bom.xlsx
//! ```

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bom.xlsx".to_string());
    let file = giamngheo_sheets::testing::xlsx_with_long_cell(1 << 30);
    std::fs::write(&path, &file)?;
    println!("{path}: {} bytes, one cell of 1 GB", file.len());
    Ok(())
}
