//! Every CSV the product writes goes through here, so that no cell can run as a formula
//! when the file is opened in a spreadsheet program (CSV formula injection).
//!
//! A cell that begins with `=`, `+`, `-` or `@`, a tab or a carriage return is written
//! with an apostrophe in front (`'=HYPERLINK(…)`), which spreadsheet programs show as
//! text, as OWASP recommends. The one exception is a cell that is wholly a plain decimal
//! number (`-5`, `+84`, `-0.25`): such a cell cannot hold a formula, spreadsheets read it
//! as the number it is, and the reports' figures (a change of `-27` households) must stay
//! numbers for the programs that read the files back. Anything more, such as `-2+3` or
//! `-5 ` with a space, is prefixed.

use std::borrow::Cow;

/// Whether a cell would be prefixed.
pub fn needs_prefix(cell: &[u8]) -> bool {
    match cell.first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !is_plain_number(cell),
        _ => false,
    }
}

/// An optional sign, digits, and optionally a point and more digits.
fn is_plain_number(cell: &[u8]) -> bool {
    let digits = cell
        .strip_prefix(b"-")
        .or(cell.strip_prefix(b"+"))
        .unwrap_or(cell);
    let (whole, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], Some(&digits[dot + 1..])),
        None => (digits, None),
    };
    !whole.is_empty()
        && whole.iter().all(u8::is_ascii_digit)
        && fraction.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
}

/// The cell as it is written: unchanged (without allocating) or with the apostrophe.
pub fn safe_field(cell: &[u8]) -> Cow<'_, [u8]> {
    if needs_prefix(cell) {
        let mut out = Vec::with_capacity(cell.len() + 1);
        out.push(b'\'');
        out.extend_from_slice(cell);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(cell)
    }
}

/// Writes one record, every cell made safe.
pub fn write_row<W, I, C>(writer: &mut csv::Writer<W>, cells: I) -> csv::Result<()>
where
    W: std::io::Write,
    I: IntoIterator<Item = C>,
    C: AsRef<[u8]>,
{
    for cell in cells {
        writer.write_field(safe_field(cell.as_ref()))?;
    }
    writer.write_record(None::<&[u8]>)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(cells: &[&str]) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        write_row(&mut w, cells).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn formulas_become_text() {
        for cell in [
            "=1+1",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "=HYPERLINK(\"http://x\",\"Bấm\")",
            "-",
            "+",
            "-5 ",
            "-1e5",
            "-.5",
            "-5.",
        ] {
            assert!(needs_prefix(cell.as_bytes()), "{cell:?}");
            assert_eq!(&safe_field(cell.as_bytes())[..1], b"'", "{cell:?}");
        }
    }

    #[test]
    fn numbers_and_ordinary_text_are_unchanged() {
        for cell in [
            "-5",
            "+84912345678",
            "-0.25",
            "4.03",
            "1500000",
            "",
            "Xã Điền Mỹ",
            "Hồ Văn An = chủ hộ",
            "'=1",
        ] {
            assert!(!needs_prefix(cell.as_bytes()), "{cell:?}");
            assert!(matches!(safe_field(cell.as_bytes()), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn a_row_is_written_with_quoting_as_usual() {
        assert_eq!(
            written(&["=1+1", "-5", "a,b", "@x"]),
            "'=1+1,-5,\"a,b\",'@x\n"
        );
    }
}
