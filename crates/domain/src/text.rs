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

/// A key that sorts Vietnamese text in dictionary order when compared byte by byte:
/// letters first (a < ă < â < b < c < d < đ < e < ê …), then tones (none, huyền, hỏi, ngã,
/// sắc, nặng), then case.
///
/// Byte order and plain Unicode order are wrong for Vietnamese (they put "Đ" after "Z"
/// and "Ă" after "Z"), and a database collation differs between SQLite and PostgreSQL;
/// a stored key sorts the same everywhere, and an index on it keeps paging fast.
pub fn sort_key(s: &str) -> String {
    let mut primary = String::with_capacity(s.len() * 2);
    let mut tones = String::with_capacity(s.len());
    let mut cases = String::with_capacity(s.len());
    let decomposed: Vec<char> = s.nfd().collect();
    let mut i = 0;
    while i < decomposed.len() {
        let c = decomposed[i];
        i += 1;
        if is_combining_mark(c) {
            continue;
        }
        // Gather this letter's marks.
        let mut modifier = 0u8;
        let mut tone = 0u8;
        while i < decomposed.len() && is_combining_mark(decomposed[i]) {
            match decomposed[i] {
                '\u{0306}' => modifier = 1, // breve: ă
                '\u{0302}' => modifier = 2, // circumflex: â ê ô
                '\u{031B}' => modifier = 3, // horn: ơ ư
                '\u{0300}' => tone = 1,     // huyền
                '\u{0309}' => tone = 2,     // hỏi
                '\u{0303}' => tone = 3,     // ngã
                '\u{0301}' => tone = 4,     // sắc
                '\u{0323}' => tone = 5,     // nặng
                _ => {}
            }
            i += 1;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        cases.push(if c.is_uppercase() { '1' } else { '0' });
        tones.push(char::from(b'0' + tone));
        match lower {
            'a'..='z' => {
                // Two bytes a letter: the base letter, then its modifier, so that d < đ and
                // a < ă < â while every other letter keeps its alphabet place.
                primary.push(lower);
                primary.push(char::from(b'0' + modifier));
            }
            'đ' => {
                primary.push('d');
                primary.push('9');
            }
            ' ' | '-' | '\'' => {
                primary.push(' ');
                primary.push(' ');
            }
            other => {
                // Digits and other signs sort before letters, by code point.
                let mut buf = [0u8; 4];
                for b in other.encode_utf8(&mut buf).bytes() {
                    primary.push(char::from(b'!' + (b >> 4)));
                    primary.push(char::from(b'!' + (b & 0x0f)));
                }
            }
        }
    }
    format!("{primary}\u{1}{tones}\u{1}{cases}")
}

/// The sort key of a person's full name in the Vietnamese way: given name (the last
/// word) first, then the family and middle names.
pub fn person_sort_key(full_name: &str) -> String {
    let name = normalize(full_name);
    match name.rsplit_once(' ') {
        Some((family_middle, given)) => sort_key(&format!("{given} {family_middle}")),
        None => sort_key(&name),
    }
}

#[cfg(test)]
mod sort_tests {
    use super::*;

    fn sorted(words: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        v.sort_by_key(|w| sort_key(w));
        v
    }

    #[test]
    fn letters_follow_the_vietnamese_alphabet() {
        assert_eq!(
            sorted(&[
                "Đức", "Dũng", "Ân", "Ăn", "An", "Bình", "Yến", "Ơn", "Ông", "Oanh"
            ]),
            [
                "An", "Ăn", "Ân", "Bình", "Dũng", "Đức", "Oanh", "Ông", "Ơn", "Yến"
            ]
        );
    }

    #[test]
    fn tones_come_after_letters() {
        assert_eq!(
            sorted(&["má", "mạ", "ma", "mà", "mả", "mã", "mai"]),
            ["ma", "mà", "mả", "mã", "má", "mạ", "mai"]
        );
    }

    #[test]
    fn people_sort_by_given_name_first() {
        let mut names = vec!["Trần Văn Bình", "Nguyễn Thị An", "Lê Đức Anh", "Hồ Thị An"];
        names.sort_by_key(|n| person_sort_key(n));
        assert_eq!(
            names,
            ["Hồ Thị An", "Nguyễn Thị An", "Lê Đức Anh", "Trần Văn Bình"]
        );
    }
}
