//! `isms build` end to end: a confidential document must leave no trace on
//! the staff site, while staff documents are published; the audit overview
//! shows the Stage 2 timeline, SoA coverage and the full register.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use git2::{IndexAddOption, Repository, Signature, Time};
use tempfile::TempDir;
use walkdir::WalkDir;

const STAFF_MARKER: &str = "staff-marker-7f3a";
const SECRET_MARKER: &str = "secret-marker-c91e";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

fn doc(id: &str, title: &str, classification: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\ntype: policy\nversion: \"1.0\"\nstatus: approved\n\
         owner: Ann Owner\nclassification: {classification}\napproved_by: Bob Boss\n\
         approved_on: 2026-06-01\n---\n\n# {title}\n\n{body}\n"
    )
}

fn commit_all(repo: &Repository, subject: &str, seconds: i64) {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("find tree");
    let sig = Signature::new("Ann Owner", "ann@example.org", &Time::new(seconds, 0)).expect("sig");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<_> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, subject, &tree, &parents)
        .expect("commit");
}

/// A small ISMS in a git repository: one internal policy linking to one
/// confidential policy, plus a commit that names the confidential one.
fn small_isms() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let repo = Repository::init(root).expect("init");
    write(
        root,
        "isms.toml",
        "[organisation]\nname = \"Example Ltd\"\ntop_management = [\"Bob Boss\"]\n",
    );
    write(
        root,
        "policies/open.md",
        &doc(
            "POL-OPEN",
            "Open Policy",
            "internal",
            &format!(
                "Everyone reads this: {STAFF_MARKER}.\n\nSee [the vault](vault.md#keys) and \
                 [again](id:POL-VAULT) and [control](control:5.15).\n\n## Keys\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
            ),
        ),
    );
    commit_all(&repo, "Add the open policy", 1_780_000_000);
    write(
        root,
        "policies/vault.md",
        &doc(
            "POL-VAULT",
            "Vault Keeping Policy",
            "confidential",
            &format!("## Keys\n\nOnly a few know {SECRET_MARKER}.\n"),
        ),
    );
    commit_all(&repo, "Add POL-VAULT and tidy", 1_780_100_000);
    write(
        root,
        "policies/open.md",
        &doc(
            "POL-OPEN",
            "Open Policy",
            "internal",
            &format!("Everyone reads this: {STAFF_MARKER}.\n\nSee [the vault](vault.md#keys) and [again](id:POL-VAULT#keys).\n"),
        ),
    );
    commit_all(
        &repo,
        "Link the Vault Keeping Policy from the open one",
        1_780_200_000,
    );
    write(
        root,
        "policies/open.md",
        &doc(
            "POL-OPEN",
            "Open Policy",
            "internal",
            &format!("Everyone reads this: {STAFF_MARKER}.\n\nSee [the vault](vault.md#keys) and [again](id:POL-VAULT#keys).\n\nMore.\n"),
        ),
    );
    commit_all(&repo, "Clarify the open policy", 1_780_300_000);
    dir
}

fn build(root: &Path, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_isms"))
        .arg("build")
        .arg(root)
        .arg("--out")
        .arg(out)
        .args(["--as-of", "2026-12-01", "--fail-on", "error"])
        .output()
        .expect("run isms build")
}

fn all_text(dir: &Path) -> Vec<(String, String)> {
    WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let text = String::from_utf8_lossy(&fs::read(e.path()).expect("read")).into_owned();
            (e.path().display().to_string(), text)
        })
        .collect()
}

#[test]
fn confidential_documents_stay_off_the_staff_site() {
    let isms = small_isms();
    let out_dir = tempfile::tempdir().expect("out");
    let out = out_dir.path().join("site");
    let run = build(isms.path(), &out);
    assert!(
        run.status.code() == Some(0) || run.status.code() == Some(1),
        "build failed: {}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );

    let staff = all_text(&out.join("staff"));
    assert!(!staff.is_empty());
    for (path, text) in &staff {
        for needle in [
            "POL-VAULT",
            "Vault Keeping Policy",
            "vault.md",
            SECRET_MARKER,
        ] {
            assert!(!text.contains(needle), "{path} mentions {needle}");
        }
    }
    let open = fs::read_to_string(out.join("staff/docs/POL-OPEN.html")).expect("open page");
    assert!(open.contains(STAFF_MARKER));
    // "the vault" names the hidden file's stem (`vault.md`), so it reads
    // as an unpublished document; "again" names nothing and stays.
    assert!(
        open.contains("See a document not published on this site and again."),
        "links become text: {open}"
    );
    assert!(open.contains("Clarify the open policy"), "history kept");
    assert!(!out.join("staff/docs/POL-VAULT.html").exists());
    let index = fs::read_to_string(out.join("staff/search-index.js")).expect("search index");
    assert!(index.contains("POL-OPEN"));

    // The audit index holds everything, with working links.
    let vault = fs::read_to_string(out.join("audit/docs/POL-VAULT.html")).expect("audit page");
    assert!(vault.contains(SECRET_MARKER));
    let open_audit = fs::read_to_string(out.join("audit/docs/POL-OPEN.html")).expect("audit open");
    assert!(open_audit.contains("href=\"POL-VAULT.html#keys\""));
    let audit_index = fs::read_to_string(out.join("audit/index.html")).expect("audit index");
    assert!(audit_index.contains("Example Ltd"));
    let register = fs::read_to_string(out.join("audit/register.html")).expect("register");
    assert!(register.contains("POL-VAULT") && register.contains("POL-OPEN"));
    assert!(
        audit_index.contains("The timeline needs a Stage 2 date"),
        "no [audit] stage2: the timeline is replaced by a note"
    );

    // A rebuild is byte-for-byte the same and leaves no temporary folder.
    let first = all_text(&out);
    let again = build(isms.path(), &out);
    assert!(again.status.code() == Some(0) || again.status.code() == Some(1));
    assert_eq!(first, all_text(&out));
    let leftovers = fs::read_dir(out_dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".isms-build"))
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn refuses_an_output_folder_holding_the_isms() {
    let isms = small_isms();
    let run = build(isms.path(), isms.path());
    assert_eq!(run.status.code(), Some(2));
    assert!(!isms.path().join("staff").exists());
}

#[test]
fn input_errors_write_nothing() {
    let isms = small_isms();
    write(isms.path(), "isms.toml", "this is not = = toml\n");
    let out_dir = tempfile::tempdir().expect("out");
    let out = out_dir.path().join("site");
    let run = build(isms.path(), &out);
    assert_eq!(run.status.code(), Some(2));
    assert!(!out.exists());
}

#[test]
fn default_output_is_public_inside_the_isms_and_rebuilds_cleanly() {
    let isms = small_isms();
    for _ in 0..2 {
        let run = Command::new(env!("CARGO_BIN_EXE_isms"))
            .arg("build")
            .arg(isms.path())
            .args(["--as-of", "2026-12-01", "--fail-on", "error"])
            .output()
            .expect("run isms build");
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&run.stdout)
        );
    }
    assert!(isms.path().join("public/staff/index.html").is_file());
    assert!(isms.path().join("public/audit/index.html").is_file());
}

#[test]
fn a_build_removes_what_a_killed_build_left_inside_the_isms() {
    let isms = small_isms();
    // What a build of the default OUT killed while writing leaves behind.
    let stale = isms.path().join(".isms-build-4242-0");
    write(
        &stale,
        "isms-build.lock",
        "A temporary folder of `isms build`, for public\n",
    );
    write(&stale, "new/staff/index.html", "half a site");
    // Not ours: no marker.
    write(isms.path(), ".isms-build-notes/keep.txt", "mine");
    let run = Command::new(env!("CARGO_BIN_EXE_isms"))
        .arg("build")
        .arg(isms.path())
        .args(["--as-of", "2026-12-01", "--fail-on", "error"])
        .output()
        .expect("run isms build");
    assert_eq!(run.status.code(), Some(0));
    assert!(!stale.exists());
    assert!(isms.path().join(".isms-build-notes/keep.txt").is_file());
    assert!(isms.path().join("public/staff/index.html").is_file());
}

/// A theme in `root/theme` whose `base.html` adds HOUSE-FOOTER to the
/// default footer.
fn override_footer(root: &Path) {
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"),
    )
    .expect("base.html");
    write(
        root,
        "theme/templates/base.html",
        &base.replace("</footer>", "<p>HOUSE-FOOTER</p></footer>"),
    );
}

#[test]
fn theme_folder_overrides_templates_and_assets_and_logo_is_published() {
    let isms = small_isms();
    let root = isms.path();
    write(
        root,
        "isms.toml",
        "[organisation]\nname = \"Example Ltd\"\ntop_management = [\"Bob Boss\"]\n\n[site]\nlogo = \"assets/logo.svg\"\n",
    );
    write(
        root,
        "assets/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    write(root, "theme/static/assets/extra.css", "/* house style */\n");
    override_footer(root);
    let out = tempfile::tempdir().expect("out");
    let site = out.path().join("site");
    let output = build(root, &site);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let home = std::fs::read_to_string(site.join("staff/index.html")).expect("home");
    assert!(home.contains("HOUSE-FOOTER"), "override not used");
    assert!(home.contains("src=\"assets/logo.svg\""), "logo not linked");
    assert!(site.join("staff/assets/logo.svg").is_file());
    assert!(site.join("audit/assets/extra.css").is_file());
    let page = std::fs::read_to_string(site.join("staff/docs/POL-OPEN.html")).expect("doc page");
    assert!(
        page.contains("src=\"../assets/logo.svg\""),
        "logo path on a nested page"
    );
}

#[test]
fn a_theme_is_used_when_the_isms_folder_is_named_relative_to_the_current_one() {
    let isms = small_isms();
    let root = isms.path();
    override_footer(root);
    let parent = root.parent().expect("parent");
    let name = root.file_name().expect("name");
    // `isms build .` inside the ISMS, and `isms build NAME` beside it.
    for (dir, arg) in [(root, Path::new(".")), (parent, Path::new(name))] {
        let out = tempfile::tempdir().expect("out");
        let site = out.path().join("site");
        let output = Command::new(env!("CARGO_BIN_EXE_isms"))
            .current_dir(dir)
            .arg("build")
            .arg(arg)
            .arg("--out")
            .arg(&site)
            .args(["--as-of", "2026-12-01", "--fail-on", "error"])
            .output()
            .expect("run isms build");
        assert!(
            output.status.success(),
            "isms build {}: {}",
            arg.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let home = std::fs::read_to_string(site.join("staff/index.html")).expect("home");
        assert!(home.contains("HOUSE-FOOTER"), "override not used");
    }
}

#[test]
fn refuses_a_non_empty_folder_it_did_not_create() {
    let isms = small_isms();
    let out = tempfile::tempdir().expect("out");
    write(out.path(), "staff/notes.txt", "someone's file\n");
    let output = build(isms.path(), out.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not empty"));
    assert!(out.path().join("staff/notes.txt").is_file());
    // A folder it created itself is rebuilt.
    let site = out.path().join("site");
    assert!(build(isms.path(), &site).status.success());
    assert!(build(isms.path(), &site).status.success());
}

/// Builds the example ISMS (after `change`) at the tests' fixed as-of date
/// and returns the audit overview and `register.csv`.
fn build_example(change: impl FnOnce(&Path)) -> (String, String) {
    let (_repo_dir, root, _repo) = common::example_repo();
    change(&root);
    let out = tempfile::tempdir().expect("out");
    let site = out.path().join("site");
    let run = Command::new(env!("CARGO_BIN_EXE_isms"))
        .arg("build")
        .arg(&root)
        .arg("--out")
        .arg(&site)
        .args(["--as-of", common::AS_OF, "--fail-on", "error"])
        .output()
        .expect("run isms build");
    assert!(
        run.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let read = |rel: &str| fs::read_to_string(site.join(rel)).expect(rel);
    (read("audit/index.html"), read("audit/exports/register.csv"))
}

/// The state the timeline shows for a milestone, from its row's class.
fn milestone_state<'a>(index: &'a str, key: &str) -> &'a str {
    let marker = format!("<tr id=\"milestone-{key}\" class=\"milestone-");
    let start = index.find(&marker).map(|i| i + marker.len());
    let start = start.unwrap_or_else(|| panic!("no milestone {key}"));
    let len = index[start..].find('"').expect("end of class");
    &index[start..start + len]
}

#[test]
fn audit_overview_shows_coverage_timeline_and_register() {
    let (index, register) = build_example(|_| {});

    // The chart is an image with a text alternative, drawn at build time.
    let svg_start = index
        .find("<svg class=\"cov-chart\"")
        .expect("coverage chart");
    let svg_tag = &index[svg_start..svg_start + index[svg_start..].find('>').expect("tag end")];
    assert!(svg_tag.contains("role=\"img\""), "{svg_tag}");
    assert!(index[svg_start..].contains("<title id=\"coverage-title\">"));
    assert!(index[svg_start..].contains("<desc id=\"coverage-desc\">Organizational controls"));
    // The table beside it adds up to the catalogue.
    let totals = index.find("<tr class=\"total-row\">").expect("totals row");
    let totals = &index[totals..totals + index[totals..].find("</tr>").expect("row end")];
    assert!(totals.ends_with("<td class=\"num\">93</td>"), "{totals}");

    // The example is ready for Stage 2 on 2027-03-02 as of 2027-02-15: the
    // internal audit (2026-12-01) is more than 8 weeks before it.
    for key in [
        "internal-audit",
        "management-review",
        "documents-approved",
        "training",
        "access-review",
        "evidence-packs",
    ] {
        assert_eq!(milestone_state(&index, key), "done", "{key}");
    }
    assert_eq!(milestone_state(&index, "register-walk-through"), "to-do");
    assert_eq!(milestone_state(&index, "staff-briefing"), "to-do");
    assert!(index.contains("REC-IA-2026.html\">REC-IA-2026</a>, dated 2026-12-01"));

    assert_eq!(
        register.lines().next(),
        Some(
            "id,title,type,version,status,owner,approved_by,approved_on,next_review,\
             classification,audience,staff_site,last_change_commit,last_change_date,\
             last_change_author,approval_current,path"
        )
    );
    let policy = register
        .lines()
        .find(|l| l.starts_with("POL-IS,"))
        .expect("POL-IS row");
    assert!(
        policy.ends_with(",yes,policies/information-security-policy.md"),
        "{policy}"
    );
    let record = register
        .lines()
        .find(|l| l.starts_with("REC-IA-2026,"))
        .expect("REC-IA-2026 row");
    assert!(
        record.contains(",auditor,no,") && record.contains(",n/a,"),
        "{record}"
    );
}

#[test]
fn audit_timeline_shows_late_missing_and_upcoming_milestones() {
    let (index, _) = build_example(|root| {
        // Stage 2 moved forward to 2027-02-01 and the management review
        // gone. Without surveillance dates the passed Stage 2 stays the
        // audit the timeline counts back from.
        common::edit(
            &root.join("isms.toml"),
            "stage2 = 2027-03-02",
            "stage2 = 2027-02-01",
        );
        common::edit(
            &root.join("isms.toml"),
            "surveillance = [2028-02-15, 2029-02-14]\n",
            "",
        );
        common::remove(&root.join("records/management-review/2027-01-management-review.md"));
    });
    assert_eq!(milestone_state(&index, "internal-audit"), "done");
    assert_eq!(milestone_state(&index, "management-review"), "missing");
    // The SoA was approved on 2027-01-25, after the due date 2027-01-04.
    assert_eq!(milestone_state(&index, "documents-approved"), "late");
    // Due 2027-01-18: the review of 2027-01-18 is just in time.
    assert_eq!(milestone_state(&index, "access-review"), "done");
    // No management review at all, so one evidence area is empty.
    assert_eq!(milestone_state(&index, "evidence-packs"), "missing");

    let (index, _) = build_example(|root| {
        common::edit(
            &root.join("isms.toml"),
            "stage2 = 2027-03-02",
            "stage2 = 2027-05-04",
        );
        for month in ["2026-04", "2026-07", "2026-10", "2027-01"] {
            common::remove(&root.join(format!("records/access-reviews/{month}.md")));
        }
    });
    // Due 2027-04-20, well after the as-of date: still to do, not missing.
    assert_eq!(milestone_state(&index, "access-review"), "upcoming");
    assert!(index.contains("To do by 2027-04-20"));
}

#[test]
fn a_theme_template_that_fails_names_itself_and_writes_nothing() {
    let isms = small_isms();
    let root = isms.path();
    write(
        root,
        "theme/templates/staff/doc.html",
        "{% extends \"base.html\" %}{% block main %}{{ page.missing_value.deeper }}{% endblock %}",
    );
    let out = tempfile::tempdir().expect("out");
    let site = out.path().join("site");
    let output = build(root, &site);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("rendering staff/docs/") && stderr.contains("with staff/doc.html"),
        "{stderr}"
    );
    assert!(!site.exists(), "a failed render writes nothing");

    write(root, "theme/templates/staff/doc.html", "{% if %}");
    let output = build(root, &site);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("theme templates") && stderr.contains("staff/doc.html"),
        "{stderr}"
    );
    assert!(!site.exists());
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn tree_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside");
            (rel.display().to_string(), fs::read(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn pages_kept_between_builds_give_the_build_a_fresh_one_gives() {
    let dir = small_isms();
    let root = dir.path();
    let kept = root.join(".git/isms/pages-v1.bin");
    let out = |name: &str| {
        root.parent().expect("parent").join(format!(
            "{}-{name}",
            root.file_name().expect("name").to_string_lossy()
        ))
    };
    let (first, second, fresh) = (out("first"), out("second"), out("fresh"));
    assert!(build(root, &first).status.success());
    assert!(
        kept.is_file(),
        "the pages are kept beside the history cache"
    );

    // An uncommitted edit of a staff document and a new site title: the
    // next build reuses what did not change and renders the rest.
    write(
        root,
        "policies/open.md",
        &doc(
            "POL-OPEN",
            "Open Policy",
            "internal",
            &format!("Everyone reads this: {STAFF_MARKER}.\n\nEdited after the first build.\n"),
        ),
    );
    fs::write(
        root.join("isms.toml"),
        "[organisation]\nname = \"Example Ltd\"\ntop_management = [\"Bob Boss\"]\n\n\
         [site]\ntitle = \"Renamed Policies\"\n",
    )
    .expect("config");
    assert!(build(root, &second).status.success());
    let reused = tree_bytes(&second);
    fs::remove_dir_all(root.join(".git/isms")).expect("drop every cache");
    assert!(build(root, &fresh).status.success());
    assert_eq!(
        reused.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        tree_bytes(&fresh)
            .iter()
            .map(|(p, _)| p)
            .collect::<Vec<_>>()
    );
    for ((path, a), (_, b)) in reused.iter().zip(tree_bytes(&fresh)) {
        assert!(*a == b, "{path} differs from a build without kept pages");
    }
    let page = fs::read_to_string(second.join("staff/docs/POL-OPEN.html")).expect("page");
    assert!(page.contains("Edited after the first build."));
    assert!(page.contains("Renamed Policies"));

    // A damaged file is ignored, and replaced.
    fs::write(&kept, b"isms-pages1\ncut short").expect("damage");
    let again = out("again");
    assert!(build(root, &again).status.success());
    assert!(tree_bytes(&again) == tree_bytes(&fresh));
    assert!(fs::metadata(&kept).expect("kept").len() > 100);
    for o in [first, second, fresh, again] {
        let _ = fs::remove_dir_all(o);
    }
}
