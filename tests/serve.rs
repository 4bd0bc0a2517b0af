//! `isms serve` under clients that misbehave: the real binary on 127.0.0.1,
//! stopping by itself (`--exit-after`) and killed at the end of each test.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{example_repo, AS_OF};

/// A served file under the input size limit (8 MiB); each stalled client
/// asks for it [`PIPELINED`] times on one connection, far more than the
/// socket buffers of both ends hold, so that a client that does not read
/// keeps the server's write blocked.
const BIG_FILE: &str = "big.bin";
const BIG_SIZE: usize = 7 << 20;
const PIPELINED: usize = 8;
/// How long any answer the test waits for may take.
const PATIENCE: Duration = Duration::from_secs(10);

/// The server process, killed when the test ends (it would also stop by
/// itself after `--exit-after`).
struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `isms serve` on a copy of the example with a large theme file and
/// waits until it listens.
fn start(root: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_isms"))
        .arg("serve")
        .arg(root)
        .args(["--port", "0", "--as-of", AS_OF, "--exit-after", "120"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start isms serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines
            .next()
            .expect("the server stopped before listening")
            .expect("read stdout");
        if let Some(rest) = line.strip_prefix("Serving the staff site on http://") {
            break rest.split('/').next().expect("address").to_string();
        }
    };
    // Keep reading what it prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, address }
}

/// Sends a GET for `path` (asking the server to close the connection after
/// its answer when `close`) and returns the connection, unread.
fn request(address: &str, path: &str, close: bool) -> TcpStream {
    requests(address, path, 1, close)
}

/// Sends `count` pipelined GETs for `path` on one connection, unread.
fn requests(address: &str, path: &str, count: usize, close: bool) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(PATIENCE))
        .expect("read timeout");
    for n in 0..count {
        let last = n + 1 == count;
        let connection = if close && last {
            "Connection: close\r\n"
        } else {
            ""
        };
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\n{connection}\r\n"
        )
        .expect("send");
    }
    stream
}

/// Reads the status line's first bytes (`HTTP/1.1 200`), within PATIENCE.
fn status(stream: &mut TcpStream) -> String {
    let mut head = [0u8; 12];
    match stream.read_exact(&mut head) {
        Ok(()) => String::from_utf8_lossy(&head).into_owned(),
        Err(e) => format!("no answer: {e}"),
    }
}

#[test]
fn clients_that_never_read_a_large_page_do_not_stall_others() {
    let (_dir, root, _repo) = example_repo();
    let static_dir = root.join("theme/static");
    std::fs::create_dir_all(&static_dir).expect("mkdir");
    std::fs::write(static_dir.join(BIG_FILE), vec![b'x'; BIG_SIZE]).expect("big file");
    let server = start(&root);

    // Each of these gets its answer started, then never reads further.
    let mut stalled = Vec::new();
    for n in 0..8 {
        let path = format!("/staff/{BIG_FILE}");
        let mut stream = requests(&server.address, &path, PIPELINED, false);
        assert_eq!(status(&mut stream), "HTTP/1.1 200", "stalled client {n}");
        stalled.push(stream);
    }
    // Another client is still answered, in full.
    let mut other = request(&server.address, "/__isms/version", true);
    assert_eq!(status(&mut other), "HTTP/1.1 200");
    let mut rest = String::new();
    other.read_to_string(&mut rest).expect("the whole answer");
    assert!(rest.contains("\"version\""), "{rest}");
    drop(stalled);
}

/// How many pages the first build of `isms serve` on `root` rendered, as
/// it prints it; the server stops by itself right after.
fn pages_rendered_at_start(root: &std::path::Path) -> usize {
    let output = Command::new(env!("CARGO_BIN_EXE_isms"))
        .arg("serve")
        .arg(root)
        .args(["--port", "0", "--as-of", AS_OF, "--exit-after", "1"])
        .stderr(Stdio::null())
        .output()
        .expect("run isms serve");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Rebuilt in "))
        .expect("the first build's line");
    let (_, rest) = line.split_once('(').expect("a count");
    rest.split(' ')
        .next()
        .expect("count")
        .parse()
        .expect("a number")
}

#[test]
fn serve_starts_from_the_pages_the_last_build_kept() {
    let (_dir, root, _repo) = example_repo();
    let fresh = pages_rendered_at_start(&root);
    let build = Command::new(env!("CARGO_BIN_EXE_isms"))
        .arg("build")
        .arg(&root)
        .args(["--as-of", AS_OF])
        .output()
        .expect("run isms build");
    assert!(build.status.success(), "{build:?}");
    let after_build = pages_rendered_at_start(&root);
    assert!(fresh > 40, "without kept pages every page renders: {fresh}");
    // The audit overview lists the audit pack, which the preview does not
    // make: that page, and little else, renders again.
    assert!(
        after_build <= 3,
        "{after_build} of {fresh} pages rendered after a build"
    );
}
