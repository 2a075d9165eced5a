//! The password policy: what every new password must be, wherever it is set (the
//! password change page, the API, `giamngheo user add`, the demo users).
//!
//! Length alone does not make a password hard to guess: `aaaaaaaaaa`, `1234567890`,
//! `qwertyuiop` and `password12` are the first things a guesser tries. The policy refuses
//! those shapes and the 10,000 most common passwords (`data/common-passwords.txt`, see
//! `data/common-passwords.md` for its source and licence), and leaves long passphrases
//! alone: `Sông-Lam-chảy-1975!` is fine. It is pure code, so that it is tested without a
//! database.

use giamngheo_domain::text::fold;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted: hashing cost grows with length, so an unbounded password
/// would let anyone keep the server busy.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Fewest different characters a password must have: fewer means a character or a short
/// group repeated (`aaaaaaaaaa`, `abababab12`).
pub const MIN_DISTINCT_CHARS: usize = 5;

/// The 10,000 most common passwords, most common first.
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");
/// Vietnamese words people build passwords from, folded (no diacritics).
const COMMON_WORDS_VI: &str = include_str!("../data/common-words-vi.txt");

/// Runs of characters that are easy to type in order: the digits, the alphabet and the
/// rows of a QWERTY keyboard (the layout Vietnamese keyboards use).
const SEQUENCES: [&str; 6] = [
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
];

/// Why a password is refused, in Vietnamese, for the person choosing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    TooLong,
    Blank,
    SameAsUsername,
    Repeated,
    Sequence,
    Common,
    CommonWordWithDigits,
}

impl Weakness {
    pub fn message_vi(&self) -> String {
        match self {
            Weakness::TooShort => format!("mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự"),
            Weakness::TooLong => format!("mật khẩu dài quá (tối đa {MAX_PASSWORD_BYTES} byte)"),
            Weakness::Blank => "mật khẩu không được chỉ gồm khoảng trắng".into(),
            Weakness::SameAsUsername => {
                "mật khẩu không được trùng tên đăng nhập (kể cả khi thêm chữ số)".into()
            }
            Weakness::Repeated => format!(
                "mật khẩu lặp lại một vài ký tự (như «aaaaaaaaaa»): cần ít nhất {MIN_DISTINCT_CHARS} ký tự khác nhau"
            ),
            Weakness::Sequence => {
                "mật khẩu là một dãy ký tự liền nhau (như «1234567890», «abcdefghij» hay hàng phím «qwertyuiop»), rất dễ đoán".into()
            }
            Weakness::Common => {
                "mật khẩu này nằm trong danh sách 10.000 mật khẩu phổ biến nhất, rất dễ đoán".into()
            }
            Weakness::CommonWordWithDigits => {
                "mật khẩu là một từ phổ biến thêm chữ số hoặc ký hiệu (như «matkhau2024»), rất dễ đoán; hãy dùng một câu dài gồm nhiều từ".into()
            }
        }
    }
}

impl std::fmt::Display for Weakness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_vi())
    }
}

fn common_words() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .chain(COMMON_WORDS_VI.lines())
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect()
    })
}

/// The form a password is compared in: folded (lower case, no diacritics) and without
/// spaces and separators, so that `Mật Khẩu` and `mat-khau` are both `matkhau`.
fn squeeze(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// True when `s` (at least 3 characters) runs along one of [`SEQUENCES`], forwards or
/// backwards, wrapping around (`7890123456`).
fn is_sequence(s: &str) -> bool {
    if s.chars().count() < 3 {
        return false;
    }
    SEQUENCES.iter().any(|seq| {
        let forward = seq.repeat(3);
        let backward: String = forward.chars().rev().collect();
        forward.contains(s) || backward.contains(s)
    })
}

/// Checks a new password against the policy; `username` is the account's.
pub fn check(username: &str, password: &str) -> Result<(), Weakness> {
    if password.trim().is_empty() {
        return Err(Weakness::Blank);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Weakness::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Weakness::TooLong);
    }
    let squeezed = squeeze(password);
    // The part a guesser builds on: the password without the digits and symbols people
    // put before or after a word (`matkhau2024`, `!password1`).
    let base = squeeze(password.trim_matches(|c: char| !c.is_alphabetic()));
    let user = squeeze(username);
    if !user.is_empty() && (squeezed == user || base == user) {
        return Err(Weakness::SameAsUsername);
    }
    let distinct: HashSet<char> = password.to_lowercase().chars().collect();
    if distinct.len() < MIN_DISTINCT_CHARS {
        return Err(Weakness::Repeated);
    }
    if is_sequence(&squeezed) {
        return Err(Weakness::Sequence);
    }
    let words = common_words();
    if words.contains(squeezed.as_str()) || words.contains(fold(password).trim()) {
        return Err(Weakness::Common);
    }
    let built_on_word = !base.is_empty() && (words.contains(base.as_str()) || is_sequence(&base));
    if built_on_word || listed_with_digits(password, words) {
        return Err(Weakness::CommonWordWithDigits);
    }
    Ok(())
}

/// True when the password is a listed one with only digits and symbols before or after
/// it: `a1234562024` is `a123456` (listed) and `2024`.
fn listed_with_digits(password: &str, words: &HashSet<&'static str>) -> bool {
    let folded: String = fold(password).split_whitespace().collect();
    let listed = |part: &str| words.contains(part) || words.contains(squeeze(part).as_str());
    let no_letters = |part: &str| !part.chars().any(char::is_alphabetic);
    folded.char_indices().skip(1).any(|(i, _)| {
        let (head, tail) = folded.split_at(i);
        (no_letters(tail) && listed(head)) || (no_letters(head) && listed(tail))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_ten_thousand_passwords() {
        assert_eq!(COMMON_PASSWORDS.lines().count(), 10_000);
        assert!(common_words().contains("password"));
        assert!(common_words().contains("matkhau"));
    }

    #[test]
    fn weak_shapes_are_refused_with_their_reason() {
        let cases = [
            ("          ", Weakness::Blank),
            ("ngắn", Weakness::TooShort),
            ("aaaaaaaaaa", Weakness::Repeated),
            ("abababababab", Weakness::Repeated),
            ("1111122222", Weakness::Repeated),
            ("1234567890", Weakness::Sequence),
            ("0987654321", Weakness::Sequence),
            ("7890123456", Weakness::Sequence),
            ("abcdefghij", Weakness::Sequence),
            ("qwertyuiop", Weakness::Sequence),
            ("QWERTYUIOP", Weakness::Sequence),
            ("asdfghjkl;", Weakness::Sequence),
            ("1qaz2wsx3edc", Weakness::Sequence),
            ("password123", Weakness::Common),
            ("qwerty123456", Weakness::Common),
            ("iloveyou12", Weakness::CommonWordWithDigits),
            ("password12", Weakness::Common),
            ("password2024", Weakness::CommonWordWithDigits),
            ("matkhau2024", Weakness::CommonWordWithDigits),
            ("Mật-khẩu-2024", Weakness::CommonWordWithDigits),
            ("!!dragon2026", Weakness::CommonWordWithDigits),
            ("qwerty2024!", Weakness::CommonWordWithDigits),
            ("canbo.xa2024", Weakness::SameAsUsername),
        ];
        for (password, expected) in cases {
            assert_eq!(
                check("canbo.xa", password),
                Err(expected.clone()),
                "{password}"
            );
            assert!(!expected.message_vi().is_empty());
        }
    }

    #[test]
    fn long_passphrases_pass() {
        for password in [
            "Sông-Lam-chảy-1975!",
            "mật khẩu đủ dài",
            "mật khẩu thử nghiệm 2026",
            "demo-admin-0042",
            "trâu ơi ta bảo trâu này",
            "correct horse battery staple",
        ] {
            assert_eq!(check("canbo.xa", password), Ok(()), "{password}");
        }
    }

    #[test]
    fn the_common_list_is_refused_with_digits_appended() {
        // Every listed password long enough to be tried, and every listed word with
        // digits after it, is refused.
        for word in COMMON_PASSWORDS.lines().step_by(37) {
            if word.chars().count() >= MIN_PASSWORD_CHARS {
                assert!(check("someone", word).is_err(), "{word}");
            }
            let with_digits = format!("{word}{}", "2024202420".get(..10).unwrap());
            if word.chars().any(char::is_alphabetic) {
                assert!(check("someone", &with_digits).is_err(), "{with_digits}");
            }
        }
    }
}
