//! The `isms` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: rendering allocates many small
/// strings on every core, where glibc's allocator spends a third of the
/// time and fragments in a long-running `serve`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_t` in
/// mimalloc.h; the bindings name no constant for it): how many
/// milliseconds freed memory waits before it goes back to the system.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For `serve`: memory one rebuild frees is kept for a minute rather than
/// a second (mimalloc 3's default), so the next rebuild, a few seconds
/// later, reuses it instead of faulting fresh, zeroed pages in again (about
/// a tenth of a rebuild's time at 10,000 documents). An idle server still
/// returns it.
fn keep_freed_memory_between_rebuilds() {
    // SAFETY: sets a plain integer option of the allocator; mimalloc reads
    // options atomically and allows changing them at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 60_000) }
}

/// For `check` and `diff`: memory freed during the run is never handed
/// back before the process exits. They run for seconds and peak well below
/// `build`; handing memory back a second after it was freed only made the
/// next stage fault in fresh, zeroed pages again (a cold check of 10,000
/// documents spent about a tenth of its processor time in the kernel
/// zeroing pages, and ran about 0.1 s faster without).
fn keep_freed_memory_until_exit() {
    // SAFETY: as above; -1 means "never purge" (mimalloc 3's options.c).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

/// For `build`, while a stage allocates and frees in bulk (typesetting the
/// audit pack, see `isms::memory`): freed memory is kept until the stage
/// ends, then the default (a second) holds again. With the default
/// throughout, a cold build of 10,000 documents spent 13-14 of its 87
/// processor seconds in the kernel zeroing pages; keeping memory while
/// typesetting made it 14% faster (51.1 s against 59.6 s) for 4% more peak
/// memory (1,343 MiB against 1,295). Kept for the whole build instead, a
/// warm build (nothing typeset) peaked 15% higher for 0.1 s.
fn keep_freed_memory_in_bulk(in_bulk: bool) {
    let delay = if in_bulk { -1 } else { DEFAULT_PURGE_DELAY };
    // SAFETY: as above.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay) }
}

/// mimalloc 3's default purge delay, in milliseconds (options.c).
const DEFAULT_PURGE_DELAY: std::ffi::c_long = 1000;

use isms::commands::{self, controls::ControlsFormat, Format};
use isms::diagnostics::finding::Severity;
use isms::model::ids::{parse_date, Date};

#[derive(Parser)]
#[command(
    name = "isms",
    version,
    about = "Check and publish an ISO/IEC 27001:2022 ISMS kept as Markdown in git"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Common {
    /// The date every date rule is judged against (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_name = "SEVERITY", default_value = "minor", value_parser = parse_severity)]
    fail_on: Severity,
    /// Print how long each stage took (and, on Linux, the memory in use
    /// after it) to stderr.
    #[arg(long)]
    timings: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Load and check the ISMS; print findings; write nothing.
    Check {
        /// The ISMS root (holding isms.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Check, then write the staff site and the audit index under OUT.
    Build {
        /// The ISMS root (holding isms.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output folder (default: DIR/public); gets `staff/` and `audit/`.
        #[arg(long, value_name = "OUT")]
        out: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Compare the ISMS at BASE with HEAD (default: the working tree) in
    /// document-control terms; exit 1 only for findings the change introduces.
    Diff {
        /// The revision to compare against (branch, tag or commit), e.g. `origin/main`.
        base: String,
        /// The revision to compare (default: the working tree).
        head: Option<String>,
        /// The ISMS root (holding isms.toml).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Build both sites into memory, serve them on 127.0.0.1 and rebuild on
    /// every change, reloading open pages.
    Serve {
        /// The ISMS root (holding isms.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// Address to listen on. The default, 127.0.0.1, is reachable from
        /// this machine only; any other address serves the audit index,
        /// with every document, to the network without access control.
        #[arg(long, value_name = "ADDRESS")]
        bind: Option<std::net::IpAddr>,
        /// Open the staff site in the default browser.
        #[arg(long)]
        open: bool,
        /// Look for changes by polling instead of file-system events (for
        /// network shares and containers where events do not arrive).
        #[arg(long)]
        poll: bool,
        /// The date every date rule is judged against (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
        as_of: Option<Date>,
        /// Print how long each stage of every rebuild took to stderr.
        #[arg(long)]
        timings: bool,
        /// Stop after this many seconds (for scripts and tests).
        #[arg(long, value_name = "SECONDS", hide = true)]
        exit_after: Option<u64>,
    },
    /// Explain a rule (or list all rules).
    Explain { code: Option<String> },
    /// List the ISO/IEC 27001:2022 Annex A controls.
    Controls {
        #[arg(long, value_enum, default_value = "human")]
        format: ControlsFormat,
    },
    /// Start a new ISMS repository (runs `git init` when DIR is not in one).
    Init {
        dir: PathBuf,
        /// Also write a CI workflow at the repository root (see docs/ci.md).
        #[arg(long, value_enum)]
        ci: Option<commands::scaffold::Ci>,
    },
    /// Add a draft document with the front matter its type needs.
    New {
        /// scope, policy, procedure, standard, plan, soa, risk-assessment, ...,
        /// or a record kind (access-review, training, leavers,
        /// acknowledgements, supplier-inventory, ...) for a record and its CSV
        #[arg(value_name = "TYPE")]
        doc_type: String,
        title: String,
        /// The ISMS root.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Record an approval in a document's front matter.
    Approve {
        /// Document id.
        id: String,
        /// Who approved it.
        #[arg(long)]
        by: String,
        /// Approval date (default: today).
        #[arg(long, value_parser = parse_as_of)]
        on: Option<Date>,
        /// The ISMS root.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
}

fn parse_as_of(s: &str) -> Result<Date, String> {
    parse_date(s).ok_or_else(|| format!("`{s}` is not a date; use YYYY-MM-DD"))
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("`{s}`: use error, major, minor or observation"))
}

fn today() -> Date {
    chrono::Local::now().date_naive()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Command::Check { common, .. }
    | Command::Build { common, .. }
    | Command::Diff { common, .. } = &cli.command
    {
        if common.timings {
            isms::timing::enable();
        }
    }
    match &cli.command {
        Command::Check { .. } | Command::Diff { .. } => keep_freed_memory_until_exit(),
        Command::Build { .. } => isms::memory::on_bulk(keep_freed_memory_in_bulk),
        _ => {}
    }
    let code = match cli.command {
        Command::Check { dir, common } => commands::check::run(
            &dir,
            common.as_of.unwrap_or_else(today),
            common.format,
            common.fail_on,
        ),
        Command::Diff {
            base,
            head,
            dir,
            common,
        } => commands::diff::run(
            &dir,
            &base,
            head.as_deref(),
            common.as_of.unwrap_or_else(today),
            common.format,
            common.fail_on,
        ),
        Command::Init { dir, ci } => commands::scaffold::init(&dir, today(), ci),
        Command::New {
            doc_type,
            title,
            dir,
        } => commands::scaffold::new(&dir, &doc_type, &title, today()),
        Command::Build { dir, out, common } => commands::build::run(
            &dir,
            out.as_deref(),
            common.as_of.unwrap_or_else(today),
            common.format,
            common.fail_on,
        ),
        Command::Serve {
            dir,
            port,
            bind,
            open,
            poll,
            as_of,
            exit_after,
            timings,
        } => {
            if timings {
                isms::timing::enable();
            }
            keep_freed_memory_between_rebuilds();
            isms::serve::run(&isms::serve::Options {
                root: dir,
                port,
                bind,
                open,
                as_of,
                poll,
                exit_after: exit_after.map(std::time::Duration::from_secs),
            })
        }
        Command::Explain { code } => commands::explain::run(code.as_deref()),
        Command::Controls { format } => commands::controls::run(format),
        Command::Approve { id, by, on, dir } => {
            match commands::approve::run(&dir, &id, &by, on.unwrap_or_else(today)) {
                Ok(approval) => {
                    println!("{approval}");
                    commands::EXIT_OK
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    commands::EXIT_UNUSABLE
                }
            }
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}

#[cfg(test)]
mod tests {
    /// The index set is the purge delay: no other option has its default,
    /// 1000 (milliseconds, mimalloc 3's options.c), at that position.
    #[test]
    fn the_allocator_option_set_for_serve_is_the_purge_delay() {
        // SAFETY: reads a plain integer option of the allocator.
        let value = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(value, super::DEFAULT_PURGE_DELAY);
    }
}
