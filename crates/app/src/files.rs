//! What an uploaded file is, decided by its first bytes and never by the name or the
//! media type the browser sends: both are chosen by whoever uploads, and a file kept
//! and served back as something it is not (an SVG or an HTML page named `.png`) would
//! run script on the site's own origin. Every upload that is kept or parsed asks
//! [`accept`] with the kinds it takes; the web layer asks [`sniff`] again when it
//! serves a kept file back, so that rows stored before this check are never shown as
//! what they claim.

use crate::AppError;

/// The kinds of file an upload may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    /// UTF-8 text holding a JSON object or array (a GeoJSON file).
    Json,
    /// A Word document (.docx): a zip package with a main document part and no macros.
    Docx,
}

/// Scans of meeting minutes and, later, any other attachment: documents and photos a
/// browser shows without running anything.
pub const DOCUMENTS: &[FileKind] = &[FileKind::Pdf, FileKind::Jpeg, FileKind::Png];

/// Attachments of the agencies' reports (tasks, inspections): documents, photos and Word
/// files. A Word file is always downloaded, never shown.
pub const ATTACHMENTS: &[FileKind] =
    &[FileKind::Pdf, FileKind::Jpeg, FileKind::Png, FileKind::Docx];

impl FileKind {
    /// The media type the file is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Json => "application/json",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    /// The usual file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Json => "json",
            FileKind::Docx => "docx",
        }
    }

    /// The name people know the kind by, for messages.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Jpeg => "JPEG",
            FileKind::Png => "PNG",
            FileKind::Json => "JSON (GeoJSON)",
            FileKind::Docx => "Word (.docx)",
        }
    }

    /// Whether a browser may show the file itself rather than save it: images only. A
    /// PDF may carry script for the browser's viewer, so it is always downloaded.
    pub fn shown_inline(self) -> bool {
        matches!(self, FileKind::Jpeg | FileKind::Png)
    }
}

/// The signatures that open each binary kind (ISO 32000 `%PDF-`, JPEG's SOI marker
/// followed by a marker byte, the eight-byte PNG signature).
const PDF_MAGIC: &[u8] = b"%PDF-";
const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG_MAGIC: &[u8] = &[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// A zip archive's first local file header (a .docx is a zip package).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Whether a zip archive is a Word document: it opens, it has the package's content
/// types and a main document part, and it carries no macro project nor any part that is
/// a program. An executable or script merely renamed `.docx` is no zip at all and fails
/// earlier; a zip that holds one fails here.
fn is_docx(bytes: &[u8]) -> bool {
    let Ok(archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return false;
    };
    let Ok(names) = archive
        .file_names()
        .map(|n| n.map(|n| n.to_ascii_lowercase()))
        .collect::<Result<Vec<String>, _>>()
    else {
        return false;
    };
    let has = |name: &str| names.iter().any(|n| n == name);
    let forbidden = |n: &String| {
        n.ends_with("vbaproject.bin")
            || [
                ".exe", ".dll", ".bat", ".cmd", ".com", ".scr", ".js", ".vbs", ".ps1", ".msi",
            ]
            .iter()
            .any(|ext| n.ends_with(ext))
    };
    has("[content_types].xml") && has("word/document.xml") && !names.iter().any(forbidden)
}

/// What `bytes` are, or `None` for anything else (an SVG, HTML, a script, a zip).
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(PDF_MAGIC) {
        return Some(FileKind::Pdf);
    }
    if bytes.starts_with(JPEG_MAGIC) {
        return Some(FileKind::Jpeg);
    }
    if bytes.starts_with(PNG_MAGIC) {
        return Some(FileKind::Png);
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return is_docx(bytes).then_some(FileKind::Docx);
    }
    let text = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) && std::str::from_utf8(text).is_ok() {
        return Some(FileKind::Json);
    }
    None
}

/// The kind of an uploaded file when it is one of `accepted`; otherwise a refusal on
/// `field` that names the kinds accepted.
pub fn accept(field: &str, bytes: &[u8], accepted: &[FileKind]) -> Result<FileKind, AppError> {
    match sniff(bytes) {
        Some(kind) if accepted.contains(&kind) => Ok(kind),
        _ => Err(AppError::invalid(
            field,
            format!(
                "loại tệp không được nhận; chỉ nhận tệp {}",
                list_vi(accepted)
            ),
        )),
    }
}

/// `PDF, JPEG hoặc PNG`.
fn list_vi(kinds: &[FileKind]) -> String {
    let labels: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
    match labels.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} hoặc {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// A size limit in whole megabytes, for messages.
pub fn megabytes(limit: usize) -> usize {
    limit.div_ceil(1024 * 1024)
}

/// The refusal of a file over `limit` bytes.
pub fn too_large(field: &str, limit: usize) -> AppError {
    AppError::invalid(
        field,
        format!("Tệp quá lớn (tối đa {} MB)", megabytes(limit)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_known_by_their_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileKind::Jpeg)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileKind::Png));
        assert_eq!(
            sniff("\u{FEFF}\n {\"type\": \"FeatureCollection\"}".as_bytes()),
            Some(FileKind::Json)
        );
    }

    #[test]
    fn script_carriers_are_nothing_accepted() {
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>";
        assert_eq!(sniff(svg), None);
        assert_eq!(sniff(b"<html><script>alert(1)</script></html>"), None);
        // A PNG signature that does not open the file is not a PNG.
        assert_eq!(sniff(b"<html>\x89PNG\r\n\x1a\n"), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"{\xff}"), None);
    }

    #[test]
    fn a_refusal_names_the_kinds_accepted() {
        let e = accept("minutes", b"<svg/>", DOCUMENTS).unwrap_err();
        assert_eq!(
            e.to_string(),
            AppError::invalid(
                "minutes",
                "loại tệp không được nhận; chỉ nhận tệp PDF, JPEG hoặc PNG"
            )
            .to_string()
        );
        assert_eq!(
            accept("minutes", b"%PDF-1.4", DOCUMENTS).unwrap(),
            FileKind::Pdf
        );
        assert!(accept("file", b"%PDF-1.4", &[FileKind::Json]).is_err());
    }

    /// A zip archive of the given parts, as a word processor or an attacker writes one.
    pub(crate) fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_word_document_is_known_by_its_parts_and_a_disguised_program_is_not() {
        let docx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ]);
        assert_eq!(sniff(&docx), Some(FileKind::Docx));
        assert_eq!(accept("file", &docx, ATTACHMENTS).unwrap(), FileKind::Docx);
        // A Windows program named `.docx` or `.pdf`: the MZ header is no kind we take.
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00This program cannot be run in DOS mode";
        assert_eq!(sniff(exe), None);
        assert!(accept("file", exe, ATTACHMENTS).is_err());
        // A zip carrying a program, or a macro project, or without a document part.
        let smuggled = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
            ("word/setup.exe", b"MZ"),
        ]);
        assert_eq!(sniff(&smuggled), None);
        let macros = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
            ("word/vbaProject.bin", b"\xd0\xcf"),
        ]);
        assert_eq!(sniff(&macros), None);
        assert_eq!(sniff(&zip_of(&[("payload.txt", b"x")])), None);
        // Word files are accepted only where a route asks for them.
        assert!(accept("minutes", &docx, DOCUMENTS).is_err());
    }

    #[test]
    fn limits_are_told_in_megabytes() {
        assert_eq!(megabytes(10 * 1024 * 1024), 10);
        assert_eq!(megabytes(2 * 1024 * 1024 + 1), 3);
    }
}
