//! The HTTP side of `isms serve`: OUT's layout (`/staff/`, `/audit/`, `/`
//! leading to `/staff/`) from memory, plus two endpoints for live reload.
//! Only files of the last good build are ever served: a URL is looked up in
//! that map and nothing else, so no path can reach the disk.

use std::io::Cursor;
use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::site::{Published, Shared};

/// The live-reload client, injected into every HTML page served.
const LIVE_RELOAD_JS: &str = include_str!("../../themes/default/serve/live-reload.js");
/// Shown for a URL that is not in the build, and for every page before the
/// first good build.
const NOT_FOUND_HTML: &str = include_str!("../../themes/default/serve/not-found.html");
const NO_BUILD_HTML: &str = include_str!("../../themes/default/serve/no-build.html");

/// Where the injected script is served from; the version endpoint is named
/// in the script itself.
const SCRIPT_URL: &str = "/__isms/live-reload.js";
const VERSION_URL: &str = "/__isms/version";

/// Which `Host` headers a request may carry.
#[derive(Clone, Debug)]
pub enum Hosts {
    /// Bound to a loopback address: only the loopback names with this port.
    /// A page on another site that resolves its own name to 127.0.0.1 (DNS
    /// rebinding) then cannot read the audit index through the browser.
    Loopback(u16),
    /// Bound to another address with `--bind`: the user chose to share it.
    Any,
}

impl Hosts {
    fn allows(&self, host: Option<&str>) -> bool {
        match self {
            Hosts::Any => true,
            Hosts::Loopback(port) => host.is_some_and(|h| {
                ["127.0.0.1", "localhost", "[::1]"]
                    .iter()
                    .any(|name| h.eq_ignore_ascii_case(&format!("{name}:{port}")))
            }),
        }
    }
}

/// Answers requests until the server is dropped.
pub fn serve_requests(server: &tiny_http::Server, shared: &Shared, hosts: &Hosts) {
    for request in server.incoming_requests() {
        let host = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Host"))
            .map(|h| h.value.as_str().to_string());
        // A client that went away is no reason to stop serving others.
        let _ = if hosts.allows(host.as_deref()) {
            answer(request, &shared.get())
        } else {
            text(
                request,
                421,
                "text/plain; charset=utf-8",
                b"isms serve answers only requests for 127.0.0.1 or localhost\n".to_vec(),
            )
        };
    }
}

/// A body shared with the published build, sent without copying it.
struct Body(Arc<Vec<u8>>);

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn respond<R: std::io::Read>(
    request: Request,
    mut response: Response<R>,
    headers: &[(&str, &str)],
) -> std::io::Result<()> {
    // Pages change on every rebuild: never let the browser keep a stale one.
    for (name, value) in [("Cache-Control", "no-store")].iter().chain(headers) {
        if let Some(h) = header(name, value) {
            response.add_header(h);
        }
    }
    request.respond(response)
}

fn text(request: Request, status: u16, content_type: &str, body: Vec<u8>) -> std::io::Result<()> {
    let len = body.len();
    let response = Response::new(
        StatusCode(status),
        Vec::new(),
        Cursor::new(body),
        Some(len),
        None,
    );
    respond(request, response, &[("Content-Type", content_type)])
}

fn redirect(request: Request, to: &str) -> std::io::Result<()> {
    let response = Response::empty(StatusCode(302));
    respond(request, response, &[("Location", to)])
}

fn answer(request: Request, state: &Published) -> std::io::Result<()> {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return text(
            request,
            405,
            "text/plain; charset=utf-8",
            b"only GET and HEAD are served\n".to_vec(),
        );
    }
    let path = request_path(request.url());
    match path.as_str() {
        "/" => return redirect(request, "/staff/"),
        "/staff" | "/audit" => return redirect(request, &format!("{path}/")),
        VERSION_URL => {
            let body = version_json(state);
            return text(request, 200, "application/json", body.into_bytes());
        }
        SCRIPT_URL => {
            return text(
                request,
                200,
                "text/javascript; charset=utf-8",
                LIVE_RELOAD_JS.as_bytes().to_vec(),
            )
        }
        _ => {}
    }
    if state.empty && (path.ends_with(".html") || path.ends_with('/')) {
        return text(
            request,
            503,
            "text/html; charset=utf-8",
            inject(NO_BUILD_HTML.as_bytes(), state.version),
        );
    }
    let mut key = path.trim_start_matches('/').to_string();
    if key.ends_with('/') {
        key.push_str("index.html");
    }
    let Some(bytes) = state.files.get(&key) else {
        return text(
            request,
            404,
            "text/html; charset=utf-8",
            inject(NOT_FOUND_HTML.as_bytes(), state.version),
        );
    };
    let content_type = content_type(&key);
    if content_type.starts_with("text/html") {
        return text(request, 200, content_type, inject(bytes, state.version));
    }
    let len = bytes.len();
    let response = Response::new(
        StatusCode(200),
        Vec::new(),
        Cursor::new(Body(Arc::clone(bytes))),
        Some(len),
        None,
    );
    respond(request, response, &[("Content-Type", content_type)])
}

/// The version endpoint's answer (the protocol is described in the script).
fn version_json(state: &Published) -> String {
    serde_json::json!({
        "version": state.version.to_string(),
        "error": state.error,
    })
    .to_string()
}

/// The path of a request URL: query and fragment dropped, `%XX` decoded.
fn request_path(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    crate::model::paths::percent_decode(path)
}

/// An HTML page with the live-reload script added before `</body>` (or at
/// the end when there is none), told which build the page comes from.
fn inject(html: &[u8], version: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_URL}\" data-version=\"{version}\" defer></script>\n");
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The media type of a site file, by extension.
fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_drop_queries_and_decode() {
        assert_eq!(request_path("/staff/?q=a"), "/staff/");
        assert_eq!(
            request_path("/audit/docs/A%20B.html#x"),
            "/audit/docs/A B.html"
        );
        assert_eq!(request_path("/bad%zz"), "/bad%zz");
        assert_eq!(request_path("/end%4"), "/end%4");
    }

    #[test]
    fn injects_before_the_last_body_end() {
        let html = inject(b"<html><body><p>x</p></BODY></html>", 7);
        let html = String::from_utf8(html).expect("utf-8");
        assert_eq!(
            html,
            "<html><body><p>x</p><script src=\"/__isms/live-reload.js\" data-version=\"7\" defer></script>\n</BODY></html>"
        );
        assert!(String::from_utf8(inject(b"<p>no body</p>", 1))
            .expect("utf-8")
            .ends_with("defer></script>\n"));
    }

    #[test]
    fn only_loopback_host_names_are_answered() {
        let hosts = Hosts::Loopback(8787);
        assert!(hosts.allows(Some("127.0.0.1:8787")));
        assert!(hosts.allows(Some("LOCALHOST:8787")));
        assert!(hosts.allows(Some("[::1]:8787")));
        assert!(!hosts.allows(Some("attacker.example:8787")));
        assert!(!hosts.allows(Some("127.0.0.1:9999")));
        assert!(!hosts.allows(None));
        assert!(Hosts::Any.allows(Some("intranet.example:8787")));
    }

    #[test]
    fn types_by_extension() {
        assert_eq!(content_type("staff/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("audit/exports/soa.CSV"),
            "text/csv; charset=utf-8"
        );
        assert_eq!(content_type("x"), "application/octet-stream");
    }
}
