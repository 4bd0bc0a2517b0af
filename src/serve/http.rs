//! The HTTP side of `isms serve`: OUT's layout (`/staff/`, `/audit/`, `/`
//! leading to `/staff/`) from memory, plus two endpoints for live reload.
//! Only files of the last good build are ever served: a URL is looked up in
//! that map and nothing else, so no path can reach the disk.
//!
//! A small HTTP/1.1 server on `std::net`, with `httparse` reading request
//! heads: one thread per connection, at most [`Limits::max_connections`] at
//! once (more are answered 503 and closed), and every read and write bounded
//! by [`Limits::timeout`], so that a client that sends nothing, or stops
//! reading a large answer, is dropped and never holds up the others.
//! tiny_http, used before, gives no access to its sockets' timeouts and
//! starts a thread per connection without bound; an async stack (hyper and
//! tokio) would be far heavier than a preview server for one person needs.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// The largest request head read; browsers send a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;
/// Answers are written in pieces of this size, each within the timeout.
const WRITE_CHUNK: usize = 64 * 1024;

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

/// What keeps one client from holding up the others.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The longest wait for a request head (also between two requests on a
    /// kept-alive connection) and for each piece of an answer to be taken.
    pub timeout: Duration,
    /// The most connections served at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(15),
            max_connections: 64,
        }
    }
}

/// What the connection threads share with the accept loop.
struct State {
    shared: Shared,
    hosts: Hosts,
    limits: Limits,
    active: AtomicUsize,
    stopping: AtomicBool,
}

/// A listening server; [`Server::run`] answers requests.
pub struct Server {
    listener: TcpListener,
    state: Arc<State>,
}

/// Observes and stops a running [`Server`] from another thread.
#[derive(Clone)]
pub struct Handle {
    address: SocketAddr,
    state: Arc<State>,
}

impl Server {
    /// Listens on `address` (port 0 picks a free one). On a loopback
    /// address only the loopback host names are answered.
    pub fn bind(address: SocketAddr, shared: Shared, limits: Limits) -> io::Result<Server> {
        let listener = TcpListener::bind(address)?;
        let bound = listener.local_addr()?;
        let hosts = if bound.ip().is_loopback() {
            Hosts::Loopback(bound.port())
        } else {
            Hosts::Any
        };
        let state = Arc::new(State {
            shared,
            hosts,
            limits,
            active: AtomicUsize::new(0),
            stopping: AtomicBool::new(false),
        });
        Ok(Server { listener, state })
    }

    /// The address listened on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn handle(&self) -> io::Result<Handle> {
        Ok(Handle {
            address: self.local_addr()?,
            state: Arc::clone(&self.state),
        })
    }

    /// Accepts connections until stopped, each served on its own thread.
    pub fn run(self) {
        for stream in self.listener.incoming() {
            if self.state.stopping.load(Ordering::SeqCst) {
                break;
            }
            let stream = match stream {
                Ok(stream) => stream,
                Err(_) => {
                    // Out of file descriptors, or a connection reset before
                    // it was accepted: wait a little rather than spin.
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
            };
            let timeout = Some(self.state.limits.timeout);
            if stream.set_read_timeout(timeout).is_err()
                || stream.set_write_timeout(timeout).is_err()
            {
                continue;
            }
            let _ = stream.set_nodelay(true);
            let Some(slot) = Slot::take(&self.state) else {
                refuse(stream);
                continue;
            };
            let state = Arc::clone(&self.state);
            // If the thread cannot start, the closure and the slot in it are
            // dropped, which closes the connection and frees the slot.
            let _ = std::thread::Builder::new()
                .name("isms-http".into())
                .spawn(move || {
                    let _slot = slot;
                    serve_connection(stream, &state);
                });
        }
    }
}

impl Handle {
    /// How many connections are being served.
    pub fn active(&self) -> usize {
        self.state.active.load(Ordering::SeqCst)
    }

    /// Makes [`Server::run`] return (connections being served finish on
    /// their own).
    pub fn stop(&self) {
        self.state.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop up.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
    }
}

/// One of the `max_connections` places, given back when dropped.
struct Slot(Arc<State>);

impl Slot {
    fn take(state: &Arc<State>) -> Option<Slot> {
        let max = state.limits.max_connections;
        state
            .active
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(Arc::clone(state)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Tells a connection over the cap to come back later. The answer is far
/// smaller than a new socket's send buffer, so this never blocks.
fn refuse(mut stream: TcpStream) {
    let reply = Reply::text(
        503,
        "text/plain; charset=utf-8",
        b"isms serve is busy; try again\n".to_vec(),
    );
    let _ = stream.write_all(&reply.head(false));
    let _ = stream.write_all(reply.body.as_ref());
}

/// The parts of a request head the server uses.
struct Head {
    method: String,
    target: String,
    host: Option<String>,
    keep_alive: bool,
    /// A body follows (not read: the connection is closed after the answer).
    has_body: bool,
}

/// Why no request head could be read.
enum HeadError {
    /// The client closed the connection, or sent nothing in time.
    Gone,
    TooLarge,
    Malformed,
}

/// Answers the requests of one connection until it closes, misbehaves or
/// times out.
fn serve_connection(mut stream: TcpStream, state: &State) {
    let timeout = state.limits.timeout;
    let mut buffer = Vec::new();
    loop {
        let head = match read_head(&mut stream, &mut buffer, timeout) {
            Ok(head) => head,
            Err(HeadError::Gone) => return,
            Err(HeadError::TooLarge) => {
                let reply = Reply::text(
                    431,
                    "text/plain; charset=utf-8",
                    b"request head too large\n".to_vec(),
                );
                let _ = send(&mut stream, &reply, true, false, timeout);
                close_gently(stream);
                return;
            }
            Err(HeadError::Malformed) => {
                let reply = Reply::text(
                    400,
                    "text/plain; charset=utf-8",
                    b"malformed request\n".to_vec(),
                );
                let _ = send(&mut stream, &reply, true, false, timeout);
                close_gently(stream);
                return;
            }
        };
        let keep_alive = head.keep_alive && !head.has_body;
        let reply = if state.hosts.allows(head.host.as_deref()) {
            answer(&head.method, &head.target, &state.shared.get())
        } else {
            Reply::text(
                421,
                "text/plain; charset=utf-8",
                b"isms serve answers only requests for 127.0.0.1 or localhost\n".to_vec(),
            )
        };
        let with_body = head.method != "HEAD";
        if send(&mut stream, &reply, with_body, keep_alive, timeout).is_err() {
            return;
        }
        if !keep_alive {
            close_gently(stream);
            return;
        }
    }
}

/// Closes after a last answer, first reading (for a moment, and a bounded
/// amount) what the client still sends: closing with unread data would
/// reset the connection, and the client could lose the answer.
fn close_gently(mut stream: TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    if stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .is_err()
    {
        return;
    }
    let mut sink = [0u8; 4096];
    for _ in 0..16 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Reads the next request head, keeping any bytes after it (a pipelined
/// request) in `buffer`. The whole head must arrive within `timeout`.
fn read_head(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    timeout: Duration,
) -> Result<Head, HeadError> {
    let deadline = Instant::now() + timeout;
    let mut chunk = [0u8; 4096];
    loop {
        if !buffer.is_empty() {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut request = httparse::Request::new(&mut headers);
            match request.parse(buffer) {
                Ok(httparse::Status::Complete(len)) => {
                    let head = owned_head(&request);
                    buffer.drain(..len);
                    return head;
                }
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
                Err(_) => return Err(HeadError::Malformed),
            }
        }
        if buffer.len() >= MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(HeadError::Gone);
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(HeadError::Gone),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

fn owned_head(request: &httparse::Request) -> Result<Head, HeadError> {
    let (Some(method), Some(target), Some(version)) =
        (request.method, request.path, request.version)
    else {
        return Err(HeadError::Malformed);
    };
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
    };
    let connection = header("Connection")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let keep_alive = if version >= 1 {
        !connection.split(',').any(|t| t.trim() == "close")
    } else {
        connection.split(',').any(|t| t.trim() == "keep-alive")
    };
    let has_body =
        header("Transfer-Encoding").is_some() || header("Content-Length").is_some_and(|n| n != "0");
    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
        host: header("Host"),
        keep_alive,
        has_body,
    })
}

/// Writes `reply`, each piece within `timeout`: a client that stops reading
/// is dropped.
fn send(
    stream: &mut TcpStream,
    reply: &Reply,
    with_body: bool,
    keep_alive: bool,
    timeout: Duration,
) -> io::Result<()> {
    let head = reply.head(keep_alive);
    let body: &[u8] = if with_body { reply.body.as_ref() } else { &[] };
    for piece in std::iter::once(head.as_slice()).chain(body.chunks(WRITE_CHUNK)) {
        let deadline = Instant::now() + timeout;
        let mut rest = piece;
        while !rest.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            stream.set_write_timeout(Some(left))?;
            match stream.write(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    stream.flush()
}

/// A body: built for this answer, or shared with the published build and
/// sent without copying it.
enum Body {
    Owned(Vec<u8>),
    Shared(Arc<Vec<u8>>),
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        match self {
            Body::Owned(bytes) => bytes,
            Body::Shared(bytes) => bytes.as_slice(),
        }
    }
}

/// An answer before it is written.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

impl Reply {
    fn text(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body: Body::Owned(body),
        }
    }

    /// The status line and headers. Pages change on every rebuild: never let
    /// the browser keep a stale one.
    fn head(&self, keep_alive: bool) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n",
            self.status,
            reason(self.status),
            self.body.as_ref().len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !keep_alive {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn redirect(to: &str) -> Reply {
    Reply {
        status: 302,
        headers: vec![("Location", to.to_string())],
        body: Body::Owned(Vec::new()),
    }
}

fn answer(method: &str, url: &str, state: &Published) -> Reply {
    if !matches!(method, "GET" | "HEAD") {
        let mut reply = Reply::text(
            405,
            "text/plain; charset=utf-8",
            b"only GET and HEAD are served\n".to_vec(),
        );
        reply.headers.push(("Allow", "GET, HEAD".to_string()));
        return reply;
    }
    let path = request_path(url);
    match path.as_str() {
        "/" => return redirect("/staff/"),
        "/staff" | "/audit" => return redirect(&format!("{path}/")),
        VERSION_URL => {
            let body = version_json(state);
            return Reply::text(200, "application/json", body.into_bytes());
        }
        SCRIPT_URL => {
            return Reply::text(
                200,
                "text/javascript; charset=utf-8",
                LIVE_RELOAD_JS.as_bytes().to_vec(),
            )
        }
        _ => {}
    }
    if state.empty && (path.ends_with(".html") || path.ends_with('/')) {
        return Reply::text(
            503,
            "text/html; charset=utf-8",
            inject(NO_BUILD_HTML.as_bytes(), state.version),
        );
    }
    let mut key = path.trim_start_matches('/').to_string();
    if key.ends_with('/') {
        key.push_str("index.html");
    }
    let Some(bytes) = state.file(&key) else {
        return Reply::text(
            404,
            "text/html; charset=utf-8",
            inject(NOT_FOUND_HTML.as_bytes(), state.version),
        );
    };
    let content_type = content_type(&key);
    if content_type.starts_with("text/html") {
        return Reply::text(200, content_type, inject(bytes, state.version));
    }
    Reply {
        status: 200,
        headers: vec![("Content-Type", content_type.to_string())],
        body: Body::Shared(Arc::clone(bytes)),
    }
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
    use std::io::{Read, Write};

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

    /// A server on 127.0.0.1 serving `staff/big.bin` (larger than the
    /// socket buffers) and a small page, stopped when dropped.
    struct Running(Handle);

    impl Drop for Running {
        fn drop(&mut self) {
            self.0.stop();
        }
    }

    const BIG: usize = 48 << 20;
    const PATIENCE: Duration = Duration::from_secs(10);

    fn start(limits: Limits) -> Running {
        let shared = Shared::new();
        shared.publish(crate::render::Sites {
            staff: vec![
                ("big.bin".into(), Arc::new(vec![b'x'; BIG])),
                ("index.html".into(), Arc::new(b"<body>home</body>".to_vec())),
            ],
            audit: Vec::new(),
            ..crate::render::Sites::default()
        });
        let address = SocketAddr::from(([127, 0, 0, 1], 0));
        let server = Server::bind(address, shared, limits).expect("bind");
        let handle = server.handle().expect("handle");
        std::thread::spawn(move || server.run());
        Running(handle)
    }

    fn connect(server: &Running, request: &str) -> TcpStream {
        let mut stream = TcpStream::connect(server.0.address).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        let request = request.replace("{host}", &server.0.address.to_string());
        stream.write_all(request.as_bytes()).expect("send");
        stream
    }

    /// Everything the server sends until it closes the connection.
    fn read_all(stream: &mut TcpStream) -> String {
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).expect("read until closed");
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn status(stream: &mut TcpStream) -> String {
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).expect("status line");
        String::from_utf8_lossy(&head).into_owned()
    }

    /// Waits, at most PATIENCE, until `done` holds.
    fn eventually(done: impl Fn() -> bool) -> bool {
        let until = Instant::now() + PATIENCE;
        while Instant::now() < until {
            if done() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        done()
    }

    const BIG_GET: &str = "GET /staff/big.bin HTTP/1.1\r\nHost: {host}\r\n\r\n";

    #[test]
    fn a_client_that_stops_reading_is_dropped_after_the_timeout() {
        let server = start(Limits {
            timeout: Duration::from_millis(300),
            max_connections: 8,
        });
        let mut stalled = connect(&server, BIG_GET);
        assert_eq!(status(&mut stalled), "HTTP/1.1 200");
        assert!(eventually(|| server.0.active() == 0), "still served");
        // What it reads now ends before the whole file: it was cut off.
        let mut rest = Vec::new();
        let _ = stalled.read_to_end(&mut rest);
        assert!(rest.len() < BIG);
    }

    #[test]
    fn connections_over_the_cap_are_told_to_come_back_later() {
        let server = start(Limits {
            timeout: Duration::from_secs(30),
            max_connections: 2,
        });
        let mut stalled: Vec<TcpStream> = (0..2).map(|_| connect(&server, BIG_GET)).collect();
        for stream in &mut stalled {
            assert_eq!(status(stream), "HTTP/1.1 200");
        }
        let mut over = connect(&server, "GET /staff/ HTTP/1.1\r\nHost: {host}\r\n\r\n");
        assert_eq!(status(&mut over), "HTTP/1.1 503");
        drop(stalled);
        assert!(eventually(|| server.0.active() == 0));
        let mut again = connect(
            &server,
            "GET /staff/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        );
        assert!(read_all(&mut again).contains("home"));
    }

    #[test]
    fn kept_alive_pipelined_head_and_refused_requests() {
        let server = start(Limits::default());
        let mut stream = connect(
            &server,
            "GET /staff/ HTTP/1.1\r\nHost: {host}\r\n\r\n\
             HEAD /staff/index.html HTTP/1.1\r\nHost: {host}\r\n\r\n\
             GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n\
             POST /staff/ HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        let all = read_all(&mut stream);
        // Bodies do not end with a line break: find the status lines anywhere.
        let statuses: Vec<&str> = all
            .match_indices("HTTP/1.1 ")
            .filter_map(|(at, _)| all[at..].split("\r\n").next())
            .collect();
        assert_eq!(
            statuses,
            [
                "HTTP/1.1 200 OK",
                "HTTP/1.1 200 OK",
                "HTTP/1.1 421 Misdirected Request",
                "HTTP/1.1 405 Method Not Allowed"
            ]
        );
        // The HEAD answer has the page's length and no body.
        assert_eq!(all.matches("home").count(), 1);
        assert!(all.contains("Cache-Control: no-store"));

        let mut bad = connect(&server, "NOT HTTP AT ALL\r\n\r\n");
        assert!(read_all(&mut bad).starts_with("HTTP/1.1 400"));
        let mut huge = connect(
            &server,
            &format!("GET / HTTP/1.1\r\nX: {}\r\n", "y".repeat(MAX_HEAD)),
        );
        assert!(read_all(&mut huge).starts_with("HTTP/1.1 431"));
    }
}
