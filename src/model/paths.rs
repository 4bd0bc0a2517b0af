//! Paths written in documents: relative links and `data:` paths are joined
//! onto the document's folder, and `%XX` escapes decoded, the same way by
//! the loader, the link checks, the renderer and the preview server.

/// Joins a path written in a document (relative to it) onto the document's
/// folder, normalising `.` and `..`; `None` when it leaves the ISMS root.
pub fn join_relative(doc_path: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = doc_path.split('/').collect();
    parts.pop();
    if target.starts_with('/') {
        parts.clear();
    }
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Decodes `%XX` escapes in a link or URL path; a malformed escape stays as
/// written, and so does the whole text when the result is not UTF-8.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}
