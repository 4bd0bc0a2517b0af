//! Hand-offs of `isms build`: the audit index as one reproducible zip, the
//! audit pack PDF (tagged, holding the SoA and every approved document,
//! byte-identical across clones), and the staff audit briefing.
//!
//! The PDF checks read it with poppler's `pdfinfo` and `pdftotext`
//! (Debian's `poppler-utils`, which CI installs).

mod common;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{commit_all, edit, example_repo, isms, AS_OF};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Clones `source` (no hard links, so nothing is shared) into a new folder.
fn clone(source: &Path) -> tempfile::TempDir {
    let target = tempfile::tempdir().expect("tempdir");
    let status = Command::new("git")
        .args(["clone", "--quiet", "--no-local"])
        .arg(source)
        .arg(target.path().join("clone"))
        .status()
        .expect("run git clone");
    assert!(status.success(), "git clone");
    target
}

/// Builds the ISMS at `root` into `out` with the tests' as-of date.
fn build(root: &Path, out: &Path) {
    let (code, _, stderr) = isms(&[
        "build",
        root.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--as-of",
        AS_OF,
    ]);
    assert!(code == 0 || code == 1, "build failed ({code}): {stderr}");
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs a poppler tool with `args`, failing with what to install when it
/// is missing.
#[cfg(feature = "pdf")]
fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is needed (apt-get install poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The example ISMS built from two separate clones of one commit, in
/// folders of different names and path lengths.
struct TwoBuilds {
    _dirs: Vec<tempfile::TempDir>,
    outs: [PathBuf; 2],
    root: PathBuf,
}

fn two_builds() -> TwoBuilds {
    let (dir, _root, _repo) = example_repo();
    let first = clone(dir.path());
    let second = clone(dir.path());
    let out_a = first.path().join("out");
    let out_b = second.path().join("a-longer-output-folder-name");
    build(&first.path().join("clone/isms"), &out_a);
    build(&second.path().join("clone/isms"), &out_b);
    let root = first.path().join("clone/isms");
    TwoBuilds {
        _dirs: vec![dir, first, second],
        outs: [out_a, out_b],
        root,
    }
}

#[test]
fn zip_and_pdf_are_byte_identical_across_clones_and_verify() {
    let builds = two_builds();
    let [a, b] = &builds.outs;
    let zip_a = fs::read(a.join("audit-index.zip")).expect("zip a");
    let zip_b = fs::read(b.join("audit-index.zip")).expect("zip b");
    assert!(zip_a == zip_b, "audit-index.zip differs between clones");
    if cfg!(feature = "pdf") {
        let pdf_a = fs::read(a.join("audit/exports/audit-pack.pdf")).expect("pdf a");
        let pdf_b = fs::read(b.join("audit/exports/audit-pack.pdf")).expect("pdf b");
        assert!(pdf_a == pdf_b, "audit-pack.pdf differs between clones");
        assert!(pdf_a.starts_with(b"%PDF-"));
    }

    // The zip holds the whole audit index, sorted, each file as written.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_a)).expect("zip");
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.expect("name").into_owned())
        .collect();
    let mut on_disk: Vec<String> = walkdir::WalkDir::new(a.join("audit"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(a).expect("prefix");
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect();
    on_disk.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries in path order");
    assert_eq!(names, on_disk, "the whole audit index and nothing else");
    let mut manifest = String::new();
    archive
        .by_name("audit/exports/manifest.json")
        .expect("manifest in the zip")
        .read_to_string(&mut manifest)
        .expect("manifest text");

    // Its manifest verifies: every export listed with the SHA-256 of the
    // file in the zip, the PDF among them, and every source file with the
    // SHA-256 of the file in the checkout.
    let manifest: Value = serde_json::from_str(&manifest).expect("manifest json");
    let exports = manifest["exports"].as_array().expect("exports");
    let listed: Vec<&str> = exports.iter().filter_map(|e| e["path"].as_str()).collect();
    let mut expected = vec![
        "exports/actions.csv",
        "exports/findings.json",
        "exports/register.csv",
        "exports/soa.csv",
        "exports/soa.xlsx",
    ];
    if cfg!(feature = "pdf") {
        expected.insert(1, "exports/audit-pack.pdf");
    }
    assert_eq!(listed, expected, "every other export, sorted");
    assert!(!listed.contains(&"exports/manifest.json"));
    for e in exports {
        let path = e["path"].as_str().expect("path");
        let mut bytes = Vec::new();
        archive
            .by_name(&format!("audit/{path}"))
            .expect("listed export in the zip")
            .read_to_end(&mut bytes)
            .expect("bytes");
        assert_eq!(
            e["sha256"].as_str(),
            Some(sha256(&bytes).as_str()),
            "{path}"
        );
    }
    let files = manifest["files"].as_array().expect("files");
    assert!(!files.is_empty());
    for f in files {
        let path = f["path"].as_str().expect("path");
        let bytes = fs::read(builds.root.join(path)).expect("source");
        assert_eq!(
            f["sha256"].as_str(),
            Some(sha256(&bytes).as_str()),
            "{path}"
        );
    }
}

#[test]
#[cfg(feature = "pdf")]
fn the_pdf_is_tagged_and_holds_the_soa_and_every_approved_document() {
    let (dir, root, _repo) = example_repo();
    let out = dir.path().join("out");
    build(&root, &out);
    let pdf = out.join("audit/exports/audit-pack.pdf");
    // The auditor finds it from the evidence index's overview.
    let overview = std::fs::read_to_string(out.join("audit/index.html")).expect("overview");
    assert!(
        overview.contains(r#"<a href="exports/audit-pack.pdf">audit-pack.pdf</a>"#),
        "the overview links the audit pack"
    );
    let info = poppler("pdfinfo", &[pdf.as_os_str()]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
        "{info}"
    );
    assert!(
        info.lines()
            .any(|l| l.starts_with("Title:") && l.contains("Audit pack")),
        "{info}"
    );
    let text = poppler(
        "pdftotext",
        &["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()],
    );

    // The SoA: one row per Annex A control, each starting with its id.
    let soa_start = text.find("All 93 controls").expect("SoA section");
    let soa_end = text[soa_start..]
        .find("Document register")
        .map(|i| soa_start + i)
        .expect("register after the SoA");
    let soa = &text[soa_start..soa_end];
    let (_, controls, _) = isms(&["controls", "--format", "json"]);
    let controls: Value = serde_json::from_str(&controls).expect("controls json");
    let controls = controls.as_array().expect("controls");
    assert_eq!(controls.len(), 93);
    let rows = soa
        .lines()
        .filter(|l| {
            let first = l.split_whitespace().next().unwrap_or("");
            controls.iter().any(|c| c["id"].as_str() == Some(first))
        })
        .count();
    assert_eq!(rows, 93, "one SoA row per control:\n{soa}");

    // Every approved document's title, as a section of its own.
    let (_, json, _) = isms(&[
        "check",
        root.to_str().expect("utf-8"),
        "--format",
        "json",
        "--as-of",
        AS_OF,
    ]);
    assert!(json.contains("\"findings\""));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut approved = 0;
    for entry in walkdir::WalkDir::new(&root).into_iter().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let source = fs::read_to_string(path).expect("read");
        if !source.starts_with("---") || !source.contains("\nstatus: approved") {
            continue;
        }
        let title = source
            .lines()
            .find_map(|l| l.strip_prefix("title: "))
            .expect("title")
            .trim()
            .trim_matches('"');
        approved += 1;
        let words = title.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&words), "{title} in the PDF");
    }
    assert!(approved > 10, "the example has approved documents");
}

#[test]
fn the_zip_follows_the_commit_and_as_of_date() {
    let (dir, root, repo) = example_repo();
    let out = dir.path().join("out");
    build(&root, &out);
    let first = fs::read(out.join("audit-index.zip")).expect("zip");
    let policy = fs::read_dir(root.join("policies"))
        .expect("policies")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("a policy");
    let text = fs::read_to_string(&policy).expect("read");
    fs::write(&policy, format!("{text}\nOne more line.\n")).expect("write");
    commit_all(&repo, "Edit a policy", 1);
    build(&root, &out);
    let second = fs::read(out.join("audit-index.zip")).expect("zip");
    assert!(first != second, "a new commit gives a new archive");
}

#[test]
fn staff_briefing_is_linked_from_four_weeks_before_the_audit() {
    let (dir, root, _repo) = example_repo();
    let toml = fs::read_to_string(root.join("isms.toml")).expect("toml");
    let stage2 = toml
        .lines()
        .find_map(|l| l.strip_prefix("stage2 = "))
        .expect("the example has a Stage 2 date")
        .trim()
        .to_string();
    let page = |as_of: &str| {
        let out = dir.path().join(format!("out-{as_of}"));
        let (code, _, stderr) = isms(&[
            "build",
            root.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
            "--as-of",
            as_of,
        ]);
        assert!(code == 0 || code == 1, "{stderr}");
        let home = fs::read_to_string(out.join("staff/index.html")).expect("home");
        let briefing = fs::read_to_string(out.join("staff/briefing.html")).ok();
        (home, briefing)
    };
    let date = chrono::NaiveDate::parse_from_str(&stage2, "%Y-%m-%d").expect("date");
    let day = |offset: i64| {
        (date - chrono::Duration::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };

    let (home, briefing) = page(&day(29));
    assert!(!home.contains("briefing.html"), "not linked 29 days before");
    let briefing = briefing.expect("the page exists while the audit lies ahead");
    assert!(briefing.contains(&stage2) && briefing.contains("Stage 2"));
    assert!(briefing.contains("no wrong answers"));

    let (home, _) = page(&day(28));
    assert!(
        home.contains("href=\"briefing.html\""),
        "linked 28 days before"
    );
    let (home, _) = page(&day(0));
    assert!(home.contains("href=\"briefing.html\""), "linked on the day");
    let (home, _) = page(&day(-1));
    assert!(
        !home.contains("href=\"briefing.html\""),
        "not after the audit"
    );
}

#[test]
fn a_staff_briefing_document_replaces_the_default_text_and_a_confidential_one_does_not() {
    let (dir, root, repo) = example_repo();
    let brief = |id: &str, classification: &str, marker: &str| {
        format!(
            "---\nid: {id}\ntitle: Our audit, explained\ntype: briefing\nversion: \"1\"\n\
             status: approved\nowner: Priya Shah\nclassification: {classification}\n\
             approved_by: Sam Lee\napproved_on: 2027-01-20\n---\n\n# Our audit\n\n{marker} \
             See [the access policy](id:POL-AC).\n"
        )
    };
    fs::write(
        root.join("secret-brief.md"),
        brief("BRF-SECRET", "confidential", "secret-brief-4411"),
    )
    .expect("write");
    commit_all(&repo, "Add a briefing", 1);
    let out = dir.path().join("out");
    build(&root, &out);
    let page = fs::read_to_string(out.join("staff/briefing.html")).expect("briefing");
    assert!(!page.contains("secret-brief-4411") && !page.contains("BRF-SECRET"));
    assert!(page.contains("no wrong answers"), "the default text");

    fs::write(
        root.join("brief.md"),
        brief("BRF-OWN", "internal", "own-brief-7731"),
    )
    .expect("write");
    commit_all(&repo, "Add the staff briefing", 2);
    build(&root, &out);
    // Tera writes `/` in attributes as `&#x2F;`, which browsers read as `/`.
    let page = fs::read_to_string(out.join("staff/briefing.html"))
        .expect("briefing")
        .replace("&#x2F;", "/");
    assert!(page.contains("own-brief-7731"), "the document's text");
    assert!(
        !page.contains("no wrong answers"),
        "replaces the default text"
    );
    assert!(page.contains("href=\"docs/BRF-OWN.html\""));
    assert!(
        page.contains("href=\"docs/POL-AC.html\""),
        "links lead into docs/ from the site root"
    );
    assert!(!page.contains("secret-brief-4411"));
}

/// `text` with its `approved_on` line set to `date`.
fn approved_on(text: &str, date: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with("approved_on:") {
                format!("approved_on: {date}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Re-approves the acceptable use policy with `from` replaced by `to` in
/// its body, as version 2.1 approved on 2027-02-01, and commits it.
fn reapprove_aup(root: &Path, repo: &git2::Repository, from: &str, to: &str, n: i64) {
    let path = root.join("policies/acceptable-use.md");
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{from}");
    let text = text
        .replace(from, to)
        .replace("version: \"2.0\"", "version: \"2.1\"");
    fs::write(&path, approved_on(&text, "2027-02-01")).expect("write");
    commit_all(repo, "Acceptable use: lock screens sooner", n);
}

#[test]
fn staff_pages_show_what_changed_since_the_previous_approval() {
    let (dir, root, repo) = example_repo();
    reapprove_aup(
        &root,
        &repo,
        "lock automatically after five minutes",
        "lock automatically after two minutes",
        1,
    );
    let out = dir.path().join("out");
    build(&root, &out);
    let page = fs::read_to_string(out.join("staff/docs/POL-AUP.html")).expect("page");
    assert!(
        page.contains("id=\"what-changed\""),
        "the changes are shown"
    );
    assert!(
        page.contains("version 2.0 approved on 2026-05-11"),
        "since when"
    );
    assert!(page.contains("in the version approved on 2027-02-01"));
    assert!(
        page.contains("<del><span class=\"visually-hidden\">removed: </span>five</del>"),
        "the removed word, with its text alternative"
    );
    assert!(
        page.contains("<ins><span class=\"visually-hidden\">added: </span>two</ins>"),
        "the added word, with its text alternative"
    );
    assert!(page.contains("1 word added, 1 removed"));
    let home = fs::read_to_string(out.join("staff/index.html"))
        .expect("home")
        .replace("&#x2F;", "/");
    let changed = home
        .split("Changed since their previous approval")
        .nth(1)
        .expect("the home page lists changed documents");
    assert!(changed.contains("href=\"docs/POL-AUP.html\""));
    assert!(changed.contains("approved 2027-02-01, changed since the version approved 2026-05-11"));

    // Documents approved once have no such section.
    let other = fs::read_to_string(out.join("staff/docs/POL-AC.html")).expect("page");
    assert!(!other.contains("what-changed"));
}

#[test]
fn an_earlier_text_naming_a_hidden_document_is_not_shown() {
    let (dir, root, repo) = example_repo();
    // The earlier approved text names the confidential risk register.
    let path = root.join("policies/acceptable-use.md");
    let text = fs::read_to_string(&path).expect("read");
    let text = text.replace(
        "## Your laptop",
        "Risks are in the Information Security Risk Register.\n\n## Your laptop",
    );
    fs::write(&path, approved_on(&text, "2026-06-01")).expect("write");
    commit_all(&repo, "Acceptable use: point to the risks", 1);
    let text = fs::read_to_string(&path).expect("read");
    fs::write(
        &path,
        text.replace(
            "Risks are in the Information Security Risk Register.\n\n",
            "",
        ),
    )
    .expect("write");
    reapprove_aup(&root, &repo, "five minutes", "two minutes", 2);
    let out = dir.path().join("out");
    build(&root, &out);
    let page = fs::read_to_string(out.join("staff/docs/POL-AUP.html")).expect("page");
    assert!(
        !page.contains("Risk Register"),
        "nothing of the hidden document"
    );
    assert!(!page.contains("what-changed"));
}

/// An `acknowledge: true` document says how to confirm reading it: by mail
/// to the ISMS lead's roster address, or on `[site] acknowledge_url`; a
/// document without the flag says nothing of it; an address a browser could
/// misread is refused at its line.
#[test]
fn acknowledge_documents_say_how_to_confirm() {
    let (dir, root, _repo) = example_repo();
    let out = dir.path().join("out");
    build(&root, &out);
    let aup = std::fs::read_to_string(out.join("staff/docs/POL-AUP.html")).expect("POL-AUP page");
    assert!(aup.contains("Confirm that you have read this"), "{aup}");
    assert!(
        aup.contains(
            "href=\"mailto:priya.shah@northwind.example?subject=Read%20and%20understood%3A%20"
        ),
        "{aup}"
    );
    let ac = std::fs::read_to_string(out.join("staff/docs/POL-AC.html")).expect("POL-AC page");
    assert!(!ac.contains("Confirm that you have read this"));

    edit(
        &root.join("isms.toml"),
        "[site]",
        "[site]\nacknowledge_url = \"https://forms.northwind.example/read\"",
    );
    build(&root, &out);
    let aup = std::fs::read_to_string(out.join("staff/docs/POL-AUP.html")).expect("POL-AUP page");
    assert!(
        // Tera writes `/` in attributes as `&#x2F;`, which browsers read as `/`.
        aup.replace("&#x2F;", "/").contains(
            "<a href=\"https://forms.northwind.example/read\">Confirm on the acknowledgement form</a>"
        ),
        "{aup}"
    );

    edit(
        &root.join("isms.toml"),
        "acknowledge_url = \"https://forms.northwind.example/read\"",
        "acknowledge_url = \"javascript:alert(1)\"",
    );
    let (code, stdout, stderr) = isms(&["check", root.to_str().expect("utf-8"), "--as-of", AS_OF]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains("acknowledge_url"),
        "{stdout}{stderr}"
    );
}

/// The `.pdf` files of the typeset-volume cache inside the git directory.
#[cfg(feature = "pdf")]
fn cached_volumes(repo: &git2::Repository) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(repo.path().join("isms/pdf"))
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".pdf"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(feature = "pdf")]
#[test]
fn a_second_build_reuses_the_typeset_pack_and_a_new_commit_replaces_it() {
    let (dir, root, repo) = example_repo();
    let root_arg = root.to_str().expect("utf-8");
    let (code, _, stderr) = isms(&["check", root_arg, "--as-of", AS_OF]);
    assert!(code == 0 || code == 1, "check failed ({code}): {stderr}");
    assert!(cached_volumes(&repo).is_empty(), "check typesets nothing");

    let out = dir.path().join("out");
    let pdf = out.join("audit/exports/audit-pack.pdf");
    build(&root, &out);
    let first = fs::read(&pdf).expect("pdf");
    let kept = cached_volumes(&repo);
    assert_eq!(kept.len(), 1, "one volume kept: {kept:?}");
    let cached = fs::read(repo.path().join("isms/pdf").join(&kept[0])).expect("cached");
    assert!(cached == first, "the cache holds the published pack");

    // The same commit again: the same bytes, from the cache.
    fs::remove_dir_all(&out).expect("remove out");
    build(&root, &out);
    assert!(
        fs::read(&pdf).expect("pdf") == first,
        "a reused pack differs"
    );
    assert_eq!(cached_volumes(&repo), kept);

    // A new commit names itself on the cover: a new pack, the old one gone.
    let policy = root.join("policies/acceptable-use.md");
    let text = fs::read_to_string(&policy).expect("read");
    fs::write(&policy, format!("{text}\nOne more line.\n")).expect("write");
    commit_all(&repo, "Edit a policy", 1);
    build(&root, &out);
    let third = fs::read(&pdf).expect("pdf");
    assert!(third != first, "a new commit gives a new pack");
    let now = cached_volumes(&repo);
    assert_eq!(now.len(), 1, "only this build's volume is kept: {now:?}");
    assert_ne!(now, kept);

    // Deleting the cache changes nothing but the time.
    fs::remove_dir_all(repo.path().join("isms/pdf")).expect("remove cache");
    build(&root, &out);
    assert!(
        fs::read(&pdf).expect("pdf") == third,
        "cache and typesetter disagree"
    );
}
