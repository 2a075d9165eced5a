//! Submissions exported from ODK Central and KoboToolbox, read into one shape.
//!
//! What each tool writes (from their documentation):
//! - ODK Central's CSV export is a .zip (`<form id>.csv` and one `<form id>-<repeat>.csv`
//!   per repeat, whose rows point at their parent with `PARENT_KEY`). The main file has
//!   `SubmissionDate`, the form's fields (groups joined by `-`, so `meta-instanceID`),
//!   `KEY` (the submission's id: its first instanceID, kept through edits), and the
//!   system columns `SubmitterID`, `SubmitterName`, `Status`, `ReviewState`, `Edits`,
//!   `FormVersion`.
//! - ODK Central's OData JSON: `{"value": [...]}` with `__id` (the same first
//!   instanceID), `__system` (`submissionDate`, `formVersion`, …), `meta.instanceID`, and
//!   groups as nested objects.
//! - KoboToolbox's data API: `{"count", "next", "previous", "results": [...]}` whose
//!   entries have `_uuid` (this version's instanceID), `meta/instanceID`,
//!   `meta/rootUuid` (the first version's, kept through edits), `meta/deprecatedID` on
//!   an edit, `_submission_time`, `_xform_id_string` (the form id) and `__version__`;
//!   groups are joined by `/` in the keys. Its CSV export has the same columns, `;` or
//!   `,` separated.
//!
//! Where a tool writes `meta/deprecatedID` (an edit names the version it replaces), the
//! chain is followed back to its first instanceID within the export, so that each
//! submission is known by one stable id whatever the tool.

use std::collections::{BTreeMap, HashMap};

/// Which tool made the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    OdkCentral,
    Kobo,
}

impl Tool {
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::OdkCentral => "odk",
            Tool::Kobo => "kobo",
        }
    }
}

/// One submission, whatever the tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub tool: Tool,
    /// The first instanceID of the submission, the same through every edit.
    pub stable_id: String,
    /// This version's instanceID.
    pub instance_id: String,
    /// The form id, when the export says it (a CSV file's name, Kobo's
    /// `_xform_id_string`, the OData context).
    pub form_id: Option<String>,
    pub form_version: Option<String>,
    pub submitted_at: Option<String>,
    /// The answers by field name (the last part of a group path).
    pub fields: BTreeMap<String, String>,
    /// Rows in repeat files that point at this submission.
    pub repeat_rows: usize,
    /// Where it is in the file: a CSV line (1 = header) or a JSON entry (1 = first).
    pub line: usize,
}

/// Why an export could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Unreadable(String),
}

fn unreadable(s: impl Into<String>) -> ExportError {
    ExportError::Unreadable(s.into())
}

/// The largest export read: a commune's submissions are a few megabytes.
pub const MAX_EXPORT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads an export, telling the tool and format from the bytes: a .zip is ODK Central's
/// CSV export; JSON with `value` is its OData; JSON with `results` (or a list) is Kobo's
/// API; a CSV with `KEY` is an ODK main file, one with `_uuid` Kobo's.
pub fn read_export(file_name: &str, bytes: &[u8]) -> Result<Vec<Submission>, ExportError> {
    let stem = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .split('.')
        .next()
        .unwrap_or_default()
        .to_string();
    if bytes.starts_with(b"PK") {
        return odk_csv_zip(bytes);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| unreadable("tệp không phải văn bản UTF-8 (CSV, JSON) hay .zip"))?;
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let json: serde_json::Value = serde_json::from_str(trimmed).map_err(|e| {
            unreadable(format!(
                "JSON không hợp lệ: dòng {}, cột {}",
                e.line(),
                e.column()
            ))
        })?;
        return read_json(&json);
    }
    let (header, _) = csv_table(text)?;
    if header.iter().any(|h| h == "KEY") {
        let mut subs = odk_main_csv(text, Some(stem))?;
        settle_chains(&mut subs);
        Ok(subs)
    } else if header.iter().any(|h| h == "_uuid") {
        kobo_csv(text)
    } else {
        Err(unreadable(
            "không nhận ra tệp: cần bản xuất CSV (.csv.zip) hoặc OData của ODK Central, hoặc CSV, JSON của KoboToolbox",
        ))
    }
}

/// The header and rows of a CSV text, separated by `,` or `;` (whichever the header
/// uses more).
fn csv_table(text: &str) -> Result<(Vec<String>, Vec<Vec<String>>), ExportError> {
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| unreadable(format!("không đọc được dòng tiêu đề CSV: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| unreadable(format!("dòng {}: CSV không hợp lệ: {e}", i + 2)))?;
        rows.push(rec.iter().map(str::to_string).collect());
    }
    Ok((header, rows))
}

/// The field name of a column or key: the last part of its group path.
fn leaf(path: &str) -> &str {
    path.rsplit(['/', '-']).next().unwrap_or(path)
}

fn strip_uuid(s: &str) -> String {
    s.trim().to_string()
}

fn odk_csv_zip(bytes: &[u8]) -> Result<Vec<Submission>, ExportError> {
    let files =
        crate::xlsform::unzip(bytes, MAX_EXPORT_BYTES).map_err(|e| unreadable(e.to_string()))?;
    let mut mains = Vec::new();
    let mut parents: HashMap<String, usize> = HashMap::new();
    for (name, data) in &files {
        if !name.to_ascii_lowercase().ends_with(".csv") {
            continue;
        }
        let text = std::str::from_utf8(data)
            .map_err(|_| unreadable(format!("{name}: không phải văn bản UTF-8")))?
            .trim_start_matches('\u{feff}');
        let (header, rows) = csv_table(text)?;
        match header.iter().position(|h| h == "PARENT_KEY") {
            // A repeat's file: count its rows by the submission they belong to (the
            // parent key of a nested repeat starts with the submission's key).
            Some(p) => {
                for row in rows {
                    if let Some(key) = row.get(p) {
                        let root = key.split('/').next().unwrap_or(key).to_string();
                        *parents.entry(root).or_default() += 1;
                    }
                }
            }
            None => {
                let stem = name
                    .rsplit('/')
                    .next()
                    .unwrap_or(name)
                    .trim_end_matches(".csv");
                mains.extend(odk_main_csv(text, Some(stem.to_string()))?);
            }
        }
    }
    if mains.is_empty() {
        return Err(unreadable(
            "tệp .zip không có tệp CSV chính của ODK Central (tệp có cột KEY, không có PARENT_KEY)",
        ));
    }
    for s in &mut mains {
        s.repeat_rows = parents.get(&s.stable_id).copied().unwrap_or(0);
    }
    settle_chains(&mut mains);
    Ok(mains)
}

fn odk_main_csv(text: &str, form_id: Option<String>) -> Result<Vec<Submission>, ExportError> {
    let (header, rows) = csv_table(text)?;
    let col = |name: &str| header.iter().position(|h| h == name);
    let key = col("KEY").ok_or_else(|| unreadable("tệp CSV của ODK Central thiếu cột KEY"))?;
    let instance = col("meta-instanceID").or(col("instanceID"));
    let deprecated = col("meta-deprecatedID").or(col("deprecatedID"));
    let date = col("SubmissionDate");
    let version = col("FormVersion");
    let system = [
        "KEY",
        "SubmissionDate",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    ];
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let get = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let key_value = get(Some(key)).unwrap_or_default();
        let mut fields = BTreeMap::new();
        for (c, h) in header.iter().enumerate() {
            if system.contains(&h.as_str()) {
                continue;
            }
            if let Some(v) = row.get(c) {
                fields.insert(leaf(h).to_string(), v.trim().to_string());
            }
        }
        if let Some(d) = get(deprecated) {
            fields.insert("deprecatedID".into(), d);
        }
        out.push(Submission {
            tool: Tool::OdkCentral,
            stable_id: strip_uuid(&key_value),
            instance_id: get(instance).unwrap_or_else(|| key_value.clone()),
            form_id: form_id.clone(),
            form_version: get(version),
            submitted_at: get(date),
            fields,
            repeat_rows: 0,
            line: i + 2,
        });
    }
    Ok(out)
}

fn kobo_csv(text: &str) -> Result<Vec<Submission>, ExportError> {
    let (header, rows) = csv_table(text)?;
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut map = serde_json::Map::new();
        for (c, h) in header.iter().enumerate() {
            if let Some(v) = row.get(c) {
                map.insert(h.clone(), serde_json::Value::String(v.clone()));
            }
        }
        out.push(kobo_entry(&map, i + 2));
    }
    settle_chains(&mut out);
    Ok(out)
}

fn text_of(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// Flattens nested objects (OData groups) into leaf field names.
fn flatten(obj: &serde_json::Map<String, serde_json::Value>, out: &mut BTreeMap<String, String>) {
    for (k, v) in obj {
        match v {
            serde_json::Value::Object(inner) => flatten(inner, out),
            other => {
                if let Some(t) = text_of(other) {
                    out.insert(leaf(k).to_string(), t);
                }
            }
        }
    }
}

fn kobo_entry(map: &serde_json::Map<String, serde_json::Value>, line: usize) -> Submission {
    let get = |k: &str| map.get(k).and_then(text_of);
    let instance = get("meta/instanceID")
        .or_else(|| get("_uuid").map(|u| format!("uuid:{}", u.trim_start_matches("uuid:"))))
        .unwrap_or_default();
    let root = get("meta/rootUuid")
        .map(|u| format!("uuid:{}", u.trim_start_matches("uuid:")))
        .unwrap_or_else(|| instance.clone());
    let mut fields = BTreeMap::new();
    for (k, v) in map {
        if k.starts_with('_') || k == "formhub/uuid" {
            continue;
        }
        if let Some(t) = text_of(v) {
            fields.insert(leaf(k).to_string(), t);
        }
    }
    Submission {
        tool: Tool::Kobo,
        stable_id: root,
        instance_id: instance,
        form_id: get("_xform_id_string"),
        form_version: get("__version__").or_else(|| get("version")),
        submitted_at: get("_submission_time"),
        fields,
        repeat_rows: 0,
        line,
    }
}

fn read_json(json: &serde_json::Value) -> Result<Vec<Submission>, ExportError> {
    let not_object = || unreadable("mỗi bản nộp trong JSON phải là một đối tượng");
    if let Some(values) = json.get("value").and_then(|v| v.as_array()) {
        // ODK Central OData; the context URL names the form:
        // …/v1/projects/1/forms/<form id>.svc/$metadata#Submissions
        let form_id = json
            .get("@odata.context")
            .and_then(|c| c.as_str())
            .and_then(|c| c.split("/forms/").nth(1))
            .and_then(|rest| rest.split(".svc").next())
            .map(str::to_string);
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let obj = v.as_object().ok_or_else(not_object)?;
            let id = obj.get("__id").and_then(text_of).unwrap_or_default();
            let system = obj.get("__system").and_then(|s| s.as_object());
            let sys = |k: &str| system.and_then(|s| s.get(k)).and_then(text_of);
            let mut fields = BTreeMap::new();
            let mut body = obj.clone();
            body.remove("__id");
            body.remove("__system");
            flatten(&body, &mut fields);
            let instance = fields
                .get("instanceID")
                .cloned()
                .unwrap_or_else(|| id.clone());
            out.push(Submission {
                tool: Tool::OdkCentral,
                stable_id: id,
                instance_id: instance,
                form_id: form_id.clone(),
                form_version: sys("formVersion"),
                submitted_at: sys("submissionDate"),
                fields,
                repeat_rows: 0,
                line: i + 1,
            });
        }
        settle_chains(&mut out);
        return Ok(out);
    }
    let entries = json
        .get("results")
        .and_then(|v| v.as_array())
        .or_else(|| json.as_array())
        .ok_or_else(|| {
            unreadable("JSON không phải bản xuất của ODK Central (value) hay KoboToolbox (results)")
        })?;
    let mut out = Vec::new();
    for (i, v) in entries.iter().enumerate() {
        out.push(kobo_entry(v.as_object().ok_or_else(not_object)?, i + 1));
    }
    settle_chains(&mut out);
    Ok(out)
}

/// Follows `deprecatedID` back through the export: each submission takes the stable id
/// of the first version of its chain; of several versions of one chain in the export,
/// only the latest (the one no other replaces) is kept.
fn settle_chains(subs: &mut Vec<Submission>) {
    let replaced: HashMap<String, String> = subs
        .iter()
        .filter_map(|s| {
            s.fields
                .get("deprecatedID")
                .filter(|d| !d.is_empty())
                .map(|d| (s.instance_id.clone(), d.clone()))
        })
        .collect();
    let stable_of: HashMap<String, String> = subs
        .iter()
        .map(|s| (s.instance_id.clone(), s.stable_id.clone()))
        .collect();
    for s in subs.iter_mut() {
        let mut at = s.instance_id.clone();
        let mut steps = 0;
        while let Some(prev) = replaced.get(&at) {
            at = prev.clone();
            steps += 1;
            if steps > 1000 {
                break;
            }
        }
        if at != s.instance_id {
            // The first version's own stable id when it is in the export (ODK's KEY of
            // it), else its instanceID.
            s.stable_id = stable_of.get(&at).cloned().unwrap_or(at);
        }
    }
    let superseded: std::collections::HashSet<String> = replaced.values().cloned().collect();
    subs.retain(|s| !superseded.contains(&s.instance_id));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_chain_keeps_its_first_id_and_only_the_last_version() {
        let json = serde_json::json!({"count": 3, "next": null, "previous": null, "results": [
            {"_uuid": "a1", "meta/instanceID": "uuid:a1", "household": "H1", "_xform_id_string": "f"},
            {"_uuid": "a2", "meta/instanceID": "uuid:a2", "meta/deprecatedID": "uuid:a1", "household": "H1"},
            {"_uuid": "a3", "meta/instanceID": "uuid:a3", "meta/deprecatedID": "uuid:a2", "household": "H2"}
        ]});
        let subs = read_export("kobo.json", json.to_string().as_bytes()).unwrap();
        assert_eq!(subs.len(), 1);
        assert_eq!(subs[0].stable_id, "uuid:a1");
        assert_eq!(subs[0].instance_id, "uuid:a3");
        assert_eq!(subs[0].fields["household"], "H2");
    }

    #[test]
    fn something_else_is_refused_with_a_reason() {
        assert!(read_export("x.csv", b"a,b\n1,2\n").is_err());
        assert!(read_export("x.json", b"{\"x\": 1}").is_err());
    }
}
