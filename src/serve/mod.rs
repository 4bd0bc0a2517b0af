//! `isms serve`: build both sites into memory, serve them on 127.0.0.1 with
//! OUT's layout, and rebuild on every change to the sources, reloading open
//! pages. A broken source keeps the last good site served and shows the
//! error in the browser; fixing it recovers without a restart.
//!
//! Rebuilds are incremental: the load stage re-parses only changed files and
//! re-reads git history only when HEAD or the index moved
//! ([`crate::load::LoadState`]); the render stage re-renders only pages
//! whose inputs changed ([`crate::render::memo::Memo`]). Nothing is written
//! to disk but the history cache inside the git directory.

pub mod http;
pub mod site;
pub mod watch;

use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::diagnostics::exit::UNUSABLE as EXIT_UNUSABLE;
use crate::diagnostics::finding::{Finding, Severity};
use crate::load::{LoadOptions, LoadState};
use crate::model::digest::FastSet;
use crate::model::ids::Date;
use crate::pipeline::{run_checks_with, Checked};
use crate::render::memo::Memo;
use crate::report;
use site::{BuildError, Shared};

/// How `isms serve` was asked to run.
pub struct Options {
    pub root: PathBuf,
    pub port: u16,
    /// The address to listen on; loopback unless given explicitly.
    pub bind: Option<IpAddr>,
    pub open: bool,
    /// The date rules are judged against; `None` is today, at each rebuild.
    pub as_of: Option<Date>,
    /// Use polling instead of native file events.
    pub poll: bool,
    /// Stop by itself after this long (tests, benchmarks).
    pub exit_after: Option<Duration>,
}

/// Runs the server; returns only on a start-up failure or after
/// `exit_after`, with the exit code.
pub fn run(opts: &Options) -> i32 {
    let root = match opts.root.canonicalize() {
        Ok(root) if root.join("isms.toml").is_file() => root,
        _ => {
            eprintln!(
                "error: no isms.toml in {}: not an ISMS root (run `isms init` to start one)",
                opts.root.display()
            );
            return EXIT_UNUSABLE;
        }
    };
    let bind = opts.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !bind.is_loopback() {
        eprintln!(
            "warning: serving on {bind}: anyone who can reach this address can read the audit \
             index, which holds every document whatever its classification, with no access control"
        );
    }
    let shared = Shared::new();
    let server = match http::Server::bind(
        SocketAddr::new(bind, opts.port),
        shared.clone(),
        http::Limits::default(),
    ) {
        Ok(server) => server,
        Err(e) => {
            eprintln!(
                "error: cannot listen on {bind}:{}: {e} (choose another --port)",
                opts.port
            );
            return EXIT_UNUSABLE;
        }
    };
    let address = server
        .local_addr()
        .map_or_else(|_| format!("{bind}:{}", opts.port), |a| a.to_string());
    let mut session = Session::new(root.clone(), opts.as_of);
    // Watch first: a save during the first build is then the next rebuild,
    // not lost.
    let watch = match watch::Watch::start(session.sources(), opts.poll) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_UNUSABLE;
        }
    };
    session.rebuild(&shared, Vec::new());

    // Each connection is served on its own thread, within the limits of
    // `http::Limits` (see there).
    std::thread::spawn(move || server.run());
    let url = format!("http://{address}/");
    println!("Serving the staff site on {url}staff/ and the audit index on {url}audit/");
    println!(
        "Watching {} for changes ({} events); press Ctrl-C to stop",
        root.display(),
        watch.kind
    );
    if opts.open {
        open_browser(&format!("{url}staff/"));
    }
    let deadline = opts.exit_after.map(|d| Instant::now() + d);
    while let Some(changed) = watch.next_batch(deadline) {
        session.rebuild(&shared, changed);
    }
    0
}

/// What stays alive between rebuilds.
struct Session {
    root: PathBuf,
    as_of: Option<Date>,
    load: LoadState,
    memo: Memo,
    report: ConsoleReport,
}

/// What the console shows after each rebuild: every finding the first
/// time, then only what changed.
struct ConsoleReport {
    /// The findings of the last rebuild that got as far as the checks, to
    /// print only what changed.
    last_findings: Option<FastSet<FindingKey>>,
    colour: bool,
}

/// What identifies a finding across rebuilds: a hash of its rule, place
/// and message. Keeping 64 bits instead of the strings makes the diff cheap
/// at tens of thousands of findings; two findings sharing a hash (odds of
/// about one in 10^19 per pair) would only leave one out of "new" on the
/// console.
type FindingKey = u64;

fn finding_key(f: &Finding) -> FindingKey {
    crate::render::memo::key_of(&(f.rule.code, &f.path, f.line, &f.message))
}

impl Session {
    fn new(root: PathBuf, as_of: Option<Date>) -> Session {
        let memo = crate::load::history::cache_dir(&root).map_or_else(Memo::enabled, |dir| {
            let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
            crate::render::page_store::PageStore::new(&dir, as_of).open()
        });
        Session {
            root,
            as_of,
            // The watcher reports every change (polling included).
            load: LoadState::trusting_hints(),
            // The pages the last `isms build` kept, if any: the first
            // rebuild then renders only what changed since.
            memo,
            report: ConsoleReport {
                last_findings: None,
                colour: std::io::stdout().is_terminal(),
            },
        }
    }

    fn as_of(&self) -> Date {
        self.as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// The folders the watcher needs, from the current configuration.
    fn sources(&self) -> watch::Sources {
        let config_theme = crate::load::config::parse_config(
            &crate::model::confined::Confined::new(&self.root)
                .map(|c| c.read_text("isms.toml").unwrap_or_default())
                .unwrap_or_default(),
        )
        .ok()
        .and_then(|c| c.site.theme);
        let theme = config_theme
            .map(|t| self.root.join(t))
            .and_then(|t| t.canonicalize().ok())
            .filter(|t| !t.starts_with(&self.root));
        let git_dir = git2::Repository::discover(&self.root)
            .ok()
            .and_then(|r| r.path().canonicalize().ok());
        watch::Sources {
            ignored: vec![self.root.join("public")],
            root: self.root.clone(),
            theme,
            git_dir,
        }
    }

    /// Loads, checks and renders; publishes the result or the error.
    fn rebuild(&mut self, shared: &Shared, changed: Vec<String>) {
        let start = Instant::now();
        if !changed.is_empty() {
            let shown: Vec<&str> = changed.iter().take(3).map(String::as_str).collect();
            let more = changed.len().saturating_sub(shown.len());
            println!(
                "\nChanged: {}{}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        self.load.hints = changed;
        let as_of = self.as_of();
        let opts = LoadOptions {
            history_cache: true,
            out_dir: None,
            ..LoadOptions::default()
        };
        let checked = match crate::timing::step("serve: load and check", || {
            run_checks_with(&self.root, as_of, &opts, &mut self.load)
        }) {
            Ok(checked) => checked,
            Err(error) => {
                eprintln!("error: {error}");
                shared.fail(BuildError::unlocated(error.to_string()));
                return;
            }
        };
        if checked.has_input_errors() {
            self.report.print(&self.root, &checked);
            let error = first_error(&checked.findings);
            println!(
                "Not published: fix the input errors above; the last good build stays served."
            );
            shared.fail(error);
            return;
        }
        // The report prints on one core while the sites render on the others.
        let (report, memo) = (&mut self.report, &self.memo);
        let ((), rendered) = rayon::join(
            || crate::timing::step("serve: report", || report.print(&self.root, &checked)),
            || {
                crate::render::render_sites_with(
                    &checked.isms,
                    &checked.summary,
                    &checked.findings,
                    memo,
                )
            },
        );
        let mut replaced = None;
        match rendered {
            Ok(sites) => {
                replaced = Some(crate::timing::step("serve: publish", || {
                    shared.publish(sites)
                }));
                println!(
                    "Rebuilt in {} ms ({} pages rendered, the rest reused)",
                    start.elapsed().as_millis(),
                    self.memo.rendered()
                );
            }
            Err(error) => {
                eprintln!("error: {error}");
                shared.fail(self.render_failure(&error));
            }
        }
        // Freeing a large model takes milliseconds nobody needs to wait for.
        // The history goes first, here: the next load updates it in place
        // only when nothing else holds it.
        let mut checked = checked;
        drop(std::mem::take(&mut checked.isms.history));
        // If no thread can be started, the closure, and the model with it,
        // is dropped here instead.
        let _ = std::thread::Builder::new()
            .name("free-model".into())
            .spawn(move || drop((checked, replaced)));
    }

    /// A render error as the overlay shows it: with the file it names,
    /// relative to the ISMS root when it lies inside it.
    fn render_failure(&self, error: &crate::render::RenderError) -> BuildError {
        let path = error.path().map(|p| {
            p.strip_prefix(&self.root)
                .map(|rel| rel.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| p.display().to_string())
        });
        BuildError {
            path,
            line: None,
            message: error.to_string(),
        }
    }
}

impl ConsoleReport {
    /// Prints every finding on the first build, then only new ones and how
    /// many were resolved, with the summary each time.
    fn print(&mut self, root: &std::path::Path, checked: &Checked) {
        // Each finding's key, computed once.
        let keyed: Vec<(FindingKey, &Finding)> = checked
            .findings
            .iter()
            .map(|f| (finding_key(f), f))
            .collect();
        let keys: FastSet<FindingKey> = keyed.iter().map(|(k, _)| *k).collect();
        let new: Vec<&Finding> = match &self.last_findings {
            None => checked.findings.iter().collect(),
            Some(old) => keyed
                .iter()
                .filter(|(k, _)| !old.contains(k))
                .map(|(_, f)| *f)
                .collect(),
        };
        let resolved = self
            .last_findings
            .as_ref()
            .map_or(0, |old| old.difference(&keys).count());
        print!(
            "{}",
            report::human::render_findings(root, new.iter().copied(), self.colour)
        );
        if self.last_findings.is_some() {
            println!("{} new finding(s), {} resolved", new.len(), resolved);
        }
        print!(
            "{}",
            report::human::render_summary(&checked.summary, self.colour)
        );
        self.last_findings = Some(keys);
    }
}

/// The overlay's content: the first input error, with every other one in
/// the message.
fn first_error(findings: &[Finding]) -> BuildError {
    let errors: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    let first = errors.first();
    let mut message = first.map_or_else(String::new, |f| describe(f));
    if errors.len() > 1 {
        message.push_str(&format!("\n\n{} more input error(s):", errors.len() - 1));
        for f in &errors[1..] {
            let at = match (&f.path, f.line) {
                (Some(p), Some(l)) => format!("{p}:{l}: "),
                (Some(p), None) => format!("{p}: "),
                _ => String::new(),
            };
            message.push_str(&format!("\n{at}{}", describe(f)));
        }
    }
    BuildError {
        path: first.and_then(|f| f.path.clone()),
        line: first.and_then(|f| f.line),
        message,
    }
}

fn describe(f: &Finding) -> String {
    match &f.hint {
        Some(hint) => format!("[{}] {} (help: {hint})", f.rule.code, f.message),
        None => format!("[{}] {}", f.rule.code, f.message),
    }
}

/// Opens `url` in the desktop's browser; a failure is only reported.
fn open_browser(url: &str) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let result = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = result {
        eprintln!("warning: could not open a browser ({e}); open {url} yourself");
    }
}
