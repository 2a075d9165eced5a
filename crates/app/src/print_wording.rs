//! The wording of the documents a review prints (the posting list, the village meeting's
//! minutes, the recognition decision with its annex): titles, legal bases, the
//! decision's articles, the minutes' sentences, "Nơi nhận" and signature titles.
//!
//! The wording is data, like the report definitions: built-in TOML files shipped in the
//! binary, with an administrator's folder (`--forms-dir`) laid over them key by key, so
//! a corrected legal basis needs no rebuild. The figures are `{placeholders}`; a key may
//! only use the placeholders its built-in text uses, because those are the ones the
//! printing code fills in. A file that breaks a rule is refused whole, with a message
//! naming the file, line and key, and the built-in wording stays in force: a typo in an
//! override must not stop the commune from printing its lists.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

/// The name of the built-in wording file; an override of the same keys may be in any
/// `*.toml` file of the folder.
pub const BUILTIN_FILE: &str = "van-ban-ra-soat.toml";
const BUILTIN: &str = include_str!("../forms/van-ban-ra-soat.toml");

/// One text: a sentence, or lines (a title of several lines, a list of legal bases).
#[derive(Debug, Clone, PartialEq)]
pub enum Text {
    One(String),
    Lines(Vec<String>),
}

impl Text {
    fn kind_words(&self) -> &'static str {
        match self {
            Text::One(_) => "một chuỗi (\"…\")",
            Text::Lines(_) => "một danh sách dòng ([\"…\", \"…\"])",
        }
    }

    fn strings(&self) -> Vec<&str> {
        match self {
            Text::One(s) => vec![s.as_str()],
            Text::Lines(l) => l.iter().map(String::as_str).collect(),
        }
    }
}

/// Why an override file was refused, in Vietnamese, with where to look.
#[derive(Debug, Clone, PartialEq)]
pub struct WordingProblem {
    pub file: String,
    /// 1-based; 0 when the file could not be read at all.
    pub line: usize,
    /// `section.key`, empty for a problem of the file as a whole.
    pub key: String,
    pub reason: String,
}

impl fmt::Display for WordingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tệp lời văn «{}»", self.file)?;
        if self.line > 0 {
            write!(f, ", dòng {}", self.line)?;
        }
        if !self.key.is_empty() {
            write!(f, ", mục «{}»", self.key)?;
        }
        write!(
            f,
            ": {}; tệp này không được dùng, giữ lời văn có sẵn",
            self.reason
        )
    }
}

/// The wording of the printed documents, by `section.key`.
#[derive(Debug, Clone, PartialEq)]
pub struct Wording {
    texts: BTreeMap<String, Text>,
}

static BUILTIN_PARSED: OnceLock<Wording> = OnceLock::new();

impl Default for Wording {
    fn default() -> Self {
        Wording::builtin().clone()
    }
}

impl Wording {
    /// The built-in wording, parsed once (a test proves it parses).
    pub fn builtin() -> &'static Wording {
        BUILTIN_PARSED.get_or_init(|| Wording {
            texts: read_file(BUILTIN_FILE, BUILTIN).expect("the built-in wording parses"),
        })
    }

    /// The built-in wording with every `*.toml` file of `dir` laid over it, in the
    /// order of their names; the files refused are left out and said why.
    pub fn with_overrides(dir: &Path) -> (Wording, Vec<WordingProblem>) {
        let mut wording = Wording::builtin().clone();
        let mut problems = Vec::new();
        let mut files: Vec<_> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect(),
            Err(e) => {
                problems.push(WordingProblem {
                    file: dir.display().to_string(),
                    line: 0,
                    key: String::new(),
                    reason: format!("không đọc được thư mục ({e})"),
                });
                return (wording, problems);
            }
        };
        files.sort();
        for path in files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let result = std::fs::read_to_string(&path)
                .map_err(|e| WordingProblem {
                    file: name.clone(),
                    line: 0,
                    key: String::new(),
                    reason: format!("không đọc được tệp ({e})"),
                })
                .and_then(|text| wording.overlay(&name, &text));
            if let Err(p) = result {
                problems.push(p);
            }
        }
        (wording, problems)
    }

    /// Lays the keys of one override file over this wording, all or none: each key must
    /// be a built-in one, of the same kind, using only the built-in text's placeholders.
    pub fn overlay(&mut self, file: &str, text: &str) -> Result<(), WordingProblem> {
        let read = read_file(file, text)?;
        let builtin = Wording::builtin();
        for (key, value) in &read {
            let refuse = |reason: String| WordingProblem {
                file: file.to_string(),
                line: line_of(text, key),
                key: key.clone(),
                reason,
            };
            let Some(original) = builtin.texts.get(key) else {
                return Err(refuse("không có mục này trong lời văn có sẵn".into()));
            };
            if std::mem::discriminant(original) != std::mem::discriminant(value) {
                return Err(refuse(format!("phải là {}", original.kind_words())));
            }
            let allowed: BTreeSet<String> = original
                .strings()
                .into_iter()
                .flat_map(|s| placeholders(s).unwrap_or_default())
                .collect();
            for s in value.strings() {
                let used = placeholders(s).map_err(&refuse)?;
                if let Some(bad) = used.iter().find(|p| !allowed.contains(*p)) {
                    let list: Vec<String> = allowed.iter().map(|p| format!("{{{p}}}")).collect();
                    let choice = if list.is_empty() {
                        "mục này không có chỗ điền số liệu".to_string()
                    } else {
                        format!("dùng được: {}", list.join(", "))
                    };
                    return Err(refuse(format!(
                        "không có chỗ điền «{{{bad}}}» ở mục này ({choice})"
                    )));
                }
            }
        }
        self.texts.extend(read);
        Ok(())
    }

    /// The text of `key` with its placeholders filled in. A key the built-in file lacks
    /// is a programming error, caught by the tests that print every document.
    pub fn text(&self, key: &str, values: &[(&str, &str)]) -> String {
        match self.texts.get(key) {
            Some(Text::One(s)) => fill(s, values),
            Some(Text::Lines(l)) => l
                .iter()
                .map(|s| fill(s, values))
                .collect::<Vec<_>>()
                .join("\n"),
            None => panic!("no wording for {key}"),
        }
    }

    /// The lines of `key` filled in; a line naming a placeholder without a value (no
    /// district since the 2025 reform, no instrument for the standard) is left out.
    pub fn lines(&self, key: &str, values: &[(&str, &str)]) -> Vec<String> {
        let lines = match self.texts.get(key) {
            Some(Text::Lines(l)) => l.as_slice(),
            Some(Text::One(s)) => std::slice::from_ref(s),
            None => panic!("no wording for {key}"),
        };
        lines
            .iter()
            .filter(|line| {
                placeholders(line).unwrap_or_default().iter().all(|p| {
                    values
                        .iter()
                        .any(|(name, value)| name == p && !value.is_empty())
                })
            })
            .map(|line| fill(line, values))
            .collect()
    }
}

impl Wording {
    /// The national motto's lines over every printed document (`common.motto`).
    pub fn motto(&self) -> Vec<String> {
        self.lines("common.motto", &[])
    }

    /// The place and date under the motto (`common.date_line`): "Hương Khê, ngày 05
    /// tháng 12 năm 2021" in the built-in wording.
    pub fn date_line(&self, place: &str, d: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let (day, month, year) = (
            format!("{:02}", d.day()),
            format!("{:02}", d.month()),
            d.year().to_string(),
        );
        self.text(
            "common.date_line",
            &[
                ("place", place),
                ("day", &day),
                ("month", &month),
                ("year", &year),
            ],
        )
    }
}

/// The texts of a wording file by `section.key`, or why it cannot be read.
fn read_file(file: &str, text: &str) -> Result<BTreeMap<String, Text>, WordingProblem> {
    let table: toml::Table = toml::from_str(text).map_err(|e| WordingProblem {
        file: file.to_string(),
        line: e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
            .unwrap_or(0),
        key: String::new(),
        reason: format!("không đúng cú pháp TOML ({})", e.message()),
    })?;
    let mut out = BTreeMap::new();
    for (section, keys) in table {
        let toml::Value::Table(keys) = keys else {
            return Err(WordingProblem {
                file: file.to_string(),
                line: line_of(text, &section),
                key: section,
                reason: "phải là một nhóm [tên nhóm]".into(),
            });
        };
        for (key, value) in keys {
            let full = format!("{section}.{key}");
            let text_of = match value {
                toml::Value::String(s) => Some(Text::One(s)),
                toml::Value::Array(items) => items
                    .into_iter()
                    .map(|v| match v {
                        toml::Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(Text::Lines),
                _ => None,
            };
            let Some(value) = text_of else {
                return Err(WordingProblem {
                    file: file.to_string(),
                    line: line_of(text, &full),
                    key: full,
                    reason: "phải là một chuỗi hoặc một danh sách chuỗi".into(),
                });
            };
            out.insert(full, value);
        }
    }
    Ok(out)
}

/// The line where `section.key` (or a `[section]`) is written, for the message; 0 when
/// it cannot be told (a key written in an inline table).
fn line_of(text: &str, full: &str) -> usize {
    let (section, key) = full.split_once('.').unwrap_or((full, ""));
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = header.trim().to_string();
            if key.is_empty() && current == section {
                return i + 1;
            }
        } else if current == section
            && !key.is_empty()
            && line
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return i + 1;
        }
    }
    0
}

/// The placeholder names of a text, or why its braces do not pair.
fn placeholders(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("dấu «}» không có dấu «{» đi trước".into());
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| "dấu «{» không có dấu «}» đóng".to_string())?;
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(format!(
                "«{{{name}}}» không phải chỗ điền số liệu (tên gồm chữ thường không dấu và _)"
            ));
        }
        out.push(name.to_string());
        rest = &after[close + 1..];
    }
    Ok(out)
}

/// `text` with each `{name}` replaced by its value.
fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_wording_parses_and_its_placeholders_are_well_formed() {
        let w = Wording::builtin();
        assert!(w.texts.len() > 50, "{} keys", w.texts.len());
        for (key, text) in &w.texts {
            for s in text.strings() {
                placeholders(s).unwrap_or_else(|e| panic!("{key}: {e}"));
            }
        }
        assert_eq!(
            w.text("decision.article_2", &[]),
            "Quyết định có hiệu lực kể từ ngày ký."
        );
    }

    #[test]
    fn an_override_replaces_only_its_keys() {
        let mut w = Wording::builtin().clone();
        w.overlay(
            "sua.toml",
            "[decision]\narticle_2 = \"Quyết định có hiệu lực từ ngày {date}.\"\n",
        )
        .unwrap_err();
        w.overlay(
            "sua.toml",
            "[decision]\nrecipients = [\"Như Điều 3;\", \"Lưu: VT, LĐTBXH.\"]\n",
        )
        .unwrap();
        assert_eq!(
            w.lines("decision.recipients", &[]),
            ["Như Điều 3;", "Lưu: VT, LĐTBXH."]
        );
        assert_eq!(w.text("decision.decides", &[]), "QUYẾT ĐỊNH:");
    }

    #[test]
    fn a_bad_file_is_refused_whole_naming_its_line_and_key() {
        let mut w = Wording::builtin().clone();
        let text = "[posting]\ncol_note = \"Ghi chú khác\"\n\n[decision]\nissuer = \"CHỦ TỊCH {chairman}\"\n";
        let e = w.overlay("quyet-dinh.toml", text).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (5, "decision.issuer"));
        let message = e.to_string();
        assert!(message.contains("«quyet-dinh.toml», dòng 5, mục «decision.issuer»"));
        assert!(message.contains("{chairman}") && message.contains("{commune_upper}"));
        assert_eq!(&w, Wording::builtin(), "nothing of the file is used");

        let e = w
            .overlay("x.toml", "[posting]\ntitel = \"…\"\n")
            .unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (2, "posting.titel"));
        let e = w
            .overlay("x.toml", "[posting]\ntitle = \"…\"\n")
            .unwrap_err();
        assert!(e.reason.contains("danh sách dòng"), "{e}");
        let e = w
            .overlay("x.toml", "[posting]\n\ntitle = [\"…\"\n")
            .unwrap_err();
        assert!(e.line >= 3 && e.reason.contains("TOML"), "{e}");
        let e = w
            .overlay("x.toml", "[posting]\ndoc_title = \"{village\"\n")
            .unwrap_err();
        assert!(e.reason.contains("dấu «}»"), "{e}");
    }

    #[test]
    fn a_folder_keeps_the_good_files_and_names_the_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.toml"),
            "[minutes]\ncopies = \"Biên bản lập thành 03 bản.\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("b.toml"), "[minutes]\ncopies = 3\n").unwrap();
        std::fs::write(dir.path().join("ghi-chu.txt"), "not wording").unwrap();
        let (w, problems) = Wording::with_overrides(dir.path());
        assert_eq!(w.text("minutes.copies", &[]), "Biên bản lập thành 03 bản.");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].file.as_str(), problems[0].line), ("b.toml", 2));
    }

    #[test]
    fn the_date_line_follows_its_pattern() {
        let d = chrono::NaiveDate::from_ymd_opt(2021, 12, 5).unwrap();
        assert_eq!(
            Wording::builtin().date_line("Hương Khê", d),
            "Hương Khê, ngày 05 tháng 12 năm 2021"
        );
        let mut w = Wording::builtin().clone();
        w.overlay(
            "ngay.toml",
            "[common]\ndate_line = \"{place}, ngày {day}/{month}/{year}\"\n",
        )
        .unwrap();
        assert_eq!(w.date_line("Hương Khê", d), "Hương Khê, ngày 05/12/2021");
        assert_eq!(
            w.motto(),
            [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc"
            ]
        );
    }

    #[test]
    fn a_line_without_its_value_is_left_out() {
        let w = Wording::builtin();
        let with = w.lines("decision.recipients", &[("district", "Huyện Hương Khê")]);
        assert_eq!(with[1], "UBND Huyện Hương Khê (báo cáo);");
        let without = w.lines("decision.recipients", &[("district", "")]);
        assert_eq!(without, ["Như Điều 3;", "Lưu: VT."]);
    }
}
