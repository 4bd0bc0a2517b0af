//! Hostile input: deep nesting, front matter that hides lines, files that
//! lead outside the ISMS, and values beyond the documented limits. Each is a
//! finding with its file and line; nothing crashes, every other file is
//! still reported, and nothing outside the ISMS is read or published.

mod common;

use std::path::Path;

use common::{check_json, commit_all, edit, example_repo, findings, isms, AS_OF};

/// A line that must never appear in any output: the content of a file
/// outside the ISMS.
const MARKER: &str = "OUTSIDE-MARKER-7f3a9c";

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn doc(id: &str, extra: &str) -> String {
    format!("---\nid: {id}\ntitle: Test\ntype: guideline\nversion: \"1\"\nstatus: draft\nowner: Head of IT\nclassification: internal\n{extra}---\nBody\n")
}

/// `check` and `build` on `root` (human and JSON): exit codes and all output.
fn run_all(root: &Path, out: &Path) -> (i32, serde_json::Value, String) {
    let (code, json) = check_json(root);
    let root_s = root.to_str().expect("utf-8");
    let (c2, o2, e2) = isms(&["check", root_s, "--as-of", AS_OF]);
    let (c3, o3, e3) = isms(&[
        "build",
        root_s,
        "--as-of",
        AS_OF,
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(c2, code, "{o2}{e2}");
    assert_eq!(c3, code, "{o3}{e3}");
    let all = format!("{json}{o2}{e2}{o3}{e3}");
    (code, json, all)
}

fn has(json: &serde_json::Value, rule: &str, path: &str, line: u64) -> bool {
    findings(json)
        .iter()
        .any(|(r, p, l)| r == rule && p == path && *l == line)
}

#[test]
fn deeply_nested_front_matter_is_dc001_at_its_line_and_others_still_reported() {
    let (dir, root, repo) = example_repo();
    let n = 5000;
    write(
        &root.join("deep/block.md"),
        &doc("DEEP-BLOCK", &format!("extra:\n{}x\n", "- ".repeat(n))),
    );
    write(
        &root.join("deep/flow.md"),
        &doc(
            "DEEP-FLOW",
            &format!("extra: {}{}\n", "[".repeat(n), "]".repeat(n)),
        ),
    );
    write(
        &root.join("deep/map.md"),
        &doc(
            "DEEP-MAP",
            &format!("extra: {}1{}\n", "{a: ".repeat(n), "}".repeat(n)),
        ),
    );
    // Another file broken in an ordinary way: still reported.
    edit(
        &root.join("policies/acceptable-use.md"),
        "\nowner:",
        "\nnext_review: 2027-01-01\nowner:",
    );
    commit_all(&repo, "Add deep files", 1);
    let (code, json, _) = run_all(&root, &dir.path().join("out"));
    assert_eq!(code, 2, "{json:#}");
    for (path, line) in [
        ("deep/block.md", 10),
        ("deep/flow.md", 9),
        ("deep/map.md", 9),
    ] {
        assert!(has(&json, "DC001", path, line), "{path}: {json:#}");
    }
    assert!(
        findings(&json)
            .iter()
            .any(|(r, p, _)| r == "DC007" && p == "policies/acceptable-use.md"),
        "{json:#}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn deeply_nested_isms_toml_is_reported_at_its_line() {
    let (dir, root, _repo) = example_repo();
    let toml = root.join("isms.toml");
    let text = std::fs::read_to_string(&toml).expect("toml");
    let lines = text.lines().count() as u64;
    std::fs::write(
        &toml,
        format!(
            "{text}\n[source]\nexclude = {}{}\n",
            "[".repeat(5000),
            "]".repeat(5000)
        ),
    )
    .expect("write");
    let (code, json, _) = run_all(&root, &dir.path().join("out"));
    assert_eq!(code, 2);
    assert!(has(&json, "DC003", "isms.toml", lines + 3), "{json:#}");
}

#[test]
fn front_matter_after_a_flow_mapping_is_dc001_at_the_extra_line() {
    let (dir, root, repo) = example_repo();
    write(
        &root.join("flow.md"),
        "---\n{id: FLOW-1, title: Flow, type: guideline, version: \"1\", status: draft, owner: Head of IT, classification: internal}\nstatus: approved\n---\nBody\n",
    );
    commit_all(&repo, "Add a flow document", 1);
    let (code, json, _) = run_all(&root, &dir.path().join("out"));
    assert_eq!(code, 2, "{json:#}");
    assert!(has(&json, "DC001", "flow.md", 3), "{json:#}");
}

#[cfg(unix)]
#[test]
fn files_outside_the_isms_are_never_read_nor_published() {
    use std::os::unix::fs::symlink;
    let (dir, root, repo) = example_repo();
    let outside = dir.path().join("outside");
    let csv = format!("id,reported_on,summary,severity,status,closed_on\n{MARKER},2026-02-11,{MARKER},low,closed,2026-02-12\n");
    write(&outside.join("log.csv"), &csv);
    write(
        &outside.join("logo.svg"),
        &format!("<svg><!-- {MARKER} --></svg>"),
    );
    write(
        &outside.join("doc.md"),
        &doc("OUT-1", &format!("summary: {MARKER}\n")),
    );
    write(&outside.join("theme.css"), &format!("/* {MARKER} */"));
    // A CSV `data:` that is a link out, one that climbs out with `..`.
    symlink(
        outside.join("log.csv"),
        root.join("records/incidents/link.csv"),
    )
    .expect("link");
    edit(
        &root.join("records/incidents/incident-log.md"),
        "data: incident-log.csv",
        "data: link.csv",
    );
    edit(
        &root.join("records/training/2026-security-awareness.md"),
        "data: training-2026.csv",
        "data: ../../../outside/log.csv",
    );
    // A document that is a link out, and a theme file that is one.
    symlink(outside.join("doc.md"), root.join("policies/linked.md")).expect("link");
    std::fs::create_dir_all(root.join("theme/static")).expect("mkdir");
    symlink(
        outside.join("theme.css"),
        root.join("theme/static/extra.css"),
    )
    .expect("link");
    // The logo, outside, and the roster, a link out.
    symlink(outside.join("log.csv"), root.join("people/link.csv")).expect("link");
    let toml = root.join("isms.toml");
    let text = std::fs::read_to_string(&toml).expect("toml");
    let roster_line = text
        .lines()
        .position(|l| l.starts_with("roster ="))
        .expect("roster line") as u64
        + 1;
    let linked = text.replace("people/roster.csv", "people/link.csv");
    std::fs::write(&toml, format!("{linked}logo = \"../outside/logo.svg\"\n")).expect("write");
    let logo_line = text.lines().count() as u64 + 1;
    commit_all(&repo, "Link outside", 1);

    let out = dir.path().join("out");
    let (code, json, all) = run_all(&root, &out);
    assert_eq!(code, 2, "{json:#}");
    assert!(!all.contains(MARKER), "{all}");
    assert!(!all.contains("OUT-1"), "{all}");
    assert!(!out.exists());
    assert!(
        has(&json, "DC003", "records/incidents/incident-log.md", 7),
        "{json:#}"
    );
    assert!(
        has(
            &json,
            "DC003",
            "records/training/2026-security-awareness.md",
            8
        ),
        "{json:#}"
    );
    assert!(has(&json, "DC003", "isms.toml", logo_line), "{json:#}");
    assert!(has(&json, "DC003", "isms.toml", roster_line), "{json:#}");
    let at = |rule: &str, path: &str| {
        findings(&json)
            .iter()
            .any(|(r, p, _)| r == rule && p == path)
    };
    assert!(at("DC001", "policies/linked.md"), "{json:#}");
    assert!(at("DC003", "theme/static/extra.css"), "{json:#}");

    // The logo as an absolute path, and as a link: refused the same way.
    for logo in [
        outside
            .join("logo.svg")
            .to_str()
            .expect("utf-8")
            .to_string(),
        "logo-link.svg".to_string(),
    ] {
        let (dir2, root2, _repo2) = example_repo();
        symlink(outside.join("logo.svg"), root2.join("logo-link.svg")).expect("link");
        std::fs::write(root2.join("isms.toml"), format!("{text}logo = {logo:?}\n")).expect("write");
        let out2 = dir2.path().join("out");
        let (code, json, all) = run_all(&root2, &out2);
        assert_eq!(code, 2, "{json:#}");
        assert!(has(&json, "DC003", "isms.toml", logo_line), "{json:#}");
        assert!(!all.contains(MARKER), "{all}");
        assert!(!out2.exists());
    }
}

#[test]
fn long_ids_control_characters_and_out_of_range_years_are_dc003() {
    let (dir, root, repo) = example_repo();
    let long = "A".repeat(300);
    write(&root.join("long.md"), &doc(&long, ""));
    write(
        &root.join("nul.md"),
        "---\nid: NUL-1\ntitle: \"Bad\\0title\"\ntype: guideline\nversion: \"1\"\nstatus: draft\nowner: Head of IT\nclassification: internal\n---\nBody\n",
    );
    write(
        &root.join("year.md"),
        &doc("YEAR-1", "next_review: 0000-01-01\n"),
    );
    commit_all(&repo, "Add bad values", 1);
    let out = dir.path().join("out");
    let (code, json, all) = run_all(&root, &out);
    assert_eq!(code, 2, "{json:#}");
    assert!(has(&json, "DC003", "long.md", 2), "{json:#}");
    assert!(has(&json, "DC003", "nul.md", 3), "{json:#}");
    assert!(has(&json, "DC003", "year.md", 9), "{json:#}");
    assert!(!all.contains("os error"), "{all}");
    assert!(!out.exists());
}

#[test]
fn oversized_files_are_findings_and_not_read() {
    let (dir, root, repo) = example_repo();
    let big = 8 * 1024 * 1024 + 1;
    let mut text = doc("BIG-1", "");
    text.push_str(&"x".repeat(big));
    write(&root.join("big.md"), &text);
    let csv = root.join("records/incidents/incident-log.csv");
    let mut rows = std::fs::read_to_string(&csv).expect("csv");
    rows.push_str(&format!("# {}\n", "y".repeat(big)));
    std::fs::write(&csv, rows).expect("write");
    commit_all(&repo, "Add big files", 1);
    let (code, json, _) = run_all(&root, &dir.path().join("out"));
    assert_eq!(code, 2, "{json:#}");
    assert!(
        findings(&json)
            .iter()
            .any(|(r, p, _)| r == "DC001" && p == "big.md"),
        "{json:#}"
    );
    assert!(
        has(&json, "DC003", "records/incidents/incident-log.md", 7),
        "{json:#}"
    );
}

#[cfg(unix)]
#[test]
fn theme_files_stay_inside_their_theme_folder() {
    use std::os::unix::fs::symlink;
    let (dir, root, repo) = example_repo();
    let secret = dir.path().join("secret");
    write(&secret.join("leak.css"), &format!("/* {MARKER} */"));
    // A theme folder outside the ISMS is allowed by `[site] theme`...
    let theme = dir.path().join("house-theme");
    write(
        &theme.join("static/assets/house.css"),
        "/* house style */\n",
    );
    let toml = root.join("isms.toml");
    let text = std::fs::read_to_string(&toml).expect("toml");
    std::fs::write(&toml, format!("{text}theme = \"../house-theme\"\n")).expect("write");
    let theme_line = text.lines().count() as u64 + 1;
    commit_all(&repo, "House theme", 1);
    let out = dir.path().join("out");
    let (code, json, _) = run_all(&root, &out);
    assert_eq!(code, 0, "{json:#}");
    assert!(out.join("staff/assets/house.css").is_file());

    // ...but a file in it that links out of it is refused, unread.
    symlink(&secret, theme.join("static/more")).expect("link");
    let out2 = dir.path().join("out2");
    let (code, json, all) = run_all(&root, &out2);
    assert_eq!(code, 2, "{json:#}");
    assert!(has(&json, "DC003", "isms.toml", theme_line), "{json:#}");
    assert!(!all.contains(MARKER), "{all}");
    assert!(!out2.exists());

    // An implicit `theme/` whose `static/` folder links out of the ISMS.
    std::fs::write(&toml, &text).expect("write");
    std::fs::create_dir_all(root.join("theme")).expect("mkdir");
    symlink(&secret, root.join("theme/static")).expect("link");
    commit_all(&repo, "Linked theme", 2);
    let out3 = dir.path().join("out3");
    let (code, json, all) = run_all(&root, &out3);
    assert_eq!(code, 2, "{json:#}");
    assert!(
        findings(&json)
            .iter()
            .any(|(r, p, _)| r == "DC003" && p == "theme/static"),
        "{json:#}"
    );
    assert!(!all.contains(MARKER), "{all}");
    assert!(!out3.exists());
}

/// The live preview loads with the watcher's hints: a link out or a deep
/// file saved while it runs is the same finding as in a fresh check.
#[cfg(unix)]
#[test]
fn preview_reloads_refuse_links_out_and_deep_nesting_like_a_fresh_check() {
    use isms::load::{LoadOptions, LoadState};
    use isms::pipeline::{run_checks, run_checks_with};
    let (dir, root, _repo) = example_repo();
    let opts = LoadOptions {
        history_cache: false,
        out_dir: None,
        ..LoadOptions::default()
    };
    let as_of = isms::model::ids::parse_date(AS_OF).expect("date");
    let report = |checked: &isms::pipeline::Checked| {
        isms::report::json::render(&checked.summary, &checked.findings)
    };
    let mut state = LoadState::trusting_hints();
    run_checks_with(&root, as_of, &opts, &mut state).expect("first load");

    write(
        &dir.path().join("out.md"),
        &doc("OUT-2", &format!("summary: {MARKER}\n")),
    );
    std::os::unix::fs::symlink(dir.path().join("out.md"), root.join("linked.md")).expect("link");
    write(
        &root.join("deep.md"),
        &doc("DEEP-2", &format!("extra:\n{}x\n", "- ".repeat(5000))),
    );
    state.hints = vec!["linked.md".into(), "deep.md".into()];
    let live = run_checks_with(&root, as_of, &opts, &mut state).expect("reload");
    let fresh = run_checks(&root, as_of, &opts).expect("fresh");
    assert_eq!(report(&live), report(&fresh));
    let text = report(&live);
    assert!(!text.contains(MARKER), "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert!(has(&json, "DC001", "deep.md", 10), "{json:#}");
    assert!(
        findings(&json)
            .iter()
            .any(|(r, p, _)| r == "DC001" && p == "linked.md"),
        "{json:#}"
    );
}
