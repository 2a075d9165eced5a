//! Writing amounts and scores the way each language groups digits.

use std::fmt;

/// The language of a text meant for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Vietnamese, the language of the officials who use the product.
    #[default]
    Vi,
    En,
}

impl Lang {
    /// Vietnamese groups thousands with a dot (1.500.000), English with a comma.
    fn group_separator(self) -> char {
        match self {
            Lang::Vi => '.',
            Lang::En => ',',
        }
    }
}

/// Writes `value` with thousands grouped for `lang`, without allocating: the CSV command
/// calls this once per row.
pub fn write_grouped(out: &mut dyn fmt::Write, value: u64, lang: Lang) -> fmt::Result {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = value;
    loop {
        digits[len] = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for position in (0..len).rev() {
        out.write_char(char::from(digits[position]))?;
        if position > 0 && position % 3 == 0 {
            out.write_char(lang.group_separator())?;
        }
    }
    Ok(())
}

/// The grouped form of `value` as a new string.
pub fn grouped(value: u64, lang: Lang) -> String {
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = write_grouped(&mut text, value, lang);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_per_language() {
        assert_eq!(grouped(1_500_000, Lang::Vi), "1.500.000");
        assert_eq!(grouped(1_500_000, Lang::En), "1,500,000");
        assert_eq!(grouped(0, Lang::Vi), "0");
        assert_eq!(grouped(999, Lang::Vi), "999");
        assert_eq!(grouped(1_000, Lang::Vi), "1.000");
        assert_eq!(grouped(u64::MAX, Lang::En), "18,446,744,073,709,551,615");
    }
}
