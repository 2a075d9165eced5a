//! Workbooks that unpack to far more than they weigh are refused before they are read.

use giamngheo_sheets::households::read_households_xlsx;
use giamngheo_sheets::limits::{XLSX_LIMITS, XlsxLimits, check_xlsx};
use giamngheo_sheets::testing::xlsx_with_long_cell;
use std::time::{Duration, Instant};

/// The process's peak resident memory in MB, from Linux's accounting.
fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

#[test]
fn a_one_megabyte_file_with_a_one_gigabyte_cell_is_refused_quickly() {
    let bomb = xlsx_with_long_cell(1 << 30);
    assert!(
        bomb.len() < 1_200_000,
        "the bomb weighs {} bytes",
        bomb.len()
    );
    let started = Instant::now();
    let errors = read_households_xlsx(&bomb).expect_err("a 1 GB cell must be refused");
    let took = started.elapsed();
    let message = errors.to_string();
    assert!(
        message.contains("dài quá 32.767 ký tự"),
        "the message names the limit: {message}"
    );
    // Refused at the limit, not after inflating the gigabyte: a debug build takes a few
    // milliseconds where the whole cell took a minute.
    assert!(took < Duration::from_secs(2), "took {took:?}");
    if let Some(peak) = peak_memory_mb() {
        assert!(peak < 500, "peak memory {peak} MB");
    }
}

#[test]
fn a_long_cell_under_the_limit_is_a_workbook_that_reads() {
    // The same construction, small: the generator makes real workbooks, so the refusal
    // above is the limit's and not a broken archive's.
    let file = xlsx_with_long_cell(1000);
    check_xlsx(&file, &XLSX_LIMITS).expect("within the limits");
    let errors = read_households_xlsx(&file).expect_err("one column is not a households file");
    let message = errors.to_string();
    assert!(
        !message.contains("không đọc được"),
        "the workbook itself reads: {message}"
    );
}

#[test]
fn every_limit_is_named_when_crossed() {
    let file = xlsx_with_long_cell(100_000);
    let refused = |limits: XlsxLimits| {
        check_xlsx(&file, &limits)
            .expect_err("over the limit")
            .to_string()
    };
    let message = refused(XlsxLimits {
        max_entry_bytes: 50_000,
        ..XLSX_LIMITS
    });
    assert!(message.contains("mỗi phần"), "{message}");
    let message = refused(XlsxLimits {
        max_total_bytes: 50_000,
        ..XLSX_LIMITS
    });
    assert!(message.contains("cả tệp"), "{message}");
    let message = refused(XlsxLimits {
        max_entries: 3,
        ..XLSX_LIMITS
    });
    assert!(message.contains("giới hạn 3"), "{message}");
    let message = refused(XlsxLimits {
        max_tag_bytes: 40,
        ..XLSX_LIMITS
    });
    assert!(message.contains("thẻ XML"), "{message}");
}

#[test]
fn the_template_is_within_the_limits() {
    let template = giamngheo_sheets::households::households_template_xlsx();
    check_xlsx(&template, &XLSX_LIMITS).expect("the template");
}
