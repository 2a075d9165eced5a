//! Text handling for Vietnamese names: Unicode NFC normalisation and a folded form for
//! searching with or without diacritics.

use unicode_normalization::UnicodeNormalization;

/// Returns the text in Unicode NFC with surrounding white space removed and inner runs of
/// white space collapsed to one space.
///
/// Input from keyboards and spreadsheets arrives in both composed and decomposed forms;
/// storing one form makes equality, uniqueness and sorting behave.
pub fn normalize(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Folds text for search: lower case, no diacritics, `đ` as `d`, single spaces.
///
/// "Huyện Hương Khê" and "huyen  huong khe" fold to the same string, so officials can
/// type on any keyboard.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        last_space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Combining diacritical marks, the block Vietnamese tone and vowel marks decompose into.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_tones_vowel_marks_and_d_bar() {
        assert_eq!(fold("Huyện Hương Khê"), "huyen huong khe");
        assert_eq!(fold("ĐỨC THỌ"), "duc tho");
        assert_eq!(fold("  Thị   trấn  Phố Châu "), "thi tran pho chau");
    }

    #[test]
    fn decomposed_and_composed_input_normalise_alike() {
        let decomposed = "Hu\u{0079}\u{0065}\u{0323}\u{0302}n";
        assert_eq!(normalize(decomposed), "Huyện");
        assert_eq!(fold(decomposed), "huyen");
    }

    proptest::proptest! {
        #[test]
        fn folding_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            proptest::prop_assert_eq!(fold(&once), once.clone());
        }
    }
}
