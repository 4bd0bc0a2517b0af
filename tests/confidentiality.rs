//! The staff site holds nothing of a document that is not on it (contract
//! section 4): not its id, title, path, file name or stem, in a page, a
//! link, an image, the search index or a commit subject. Regression tests
//! for each way a hidden document once leaked, then a property test over
//! generated ISMSs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{IndexAddOption, Repository, Signature, Time};
use proptest::prelude::*;
use tempfile::TempDir;
use walkdir::WalkDir;

/// What a refused link naming a hidden document reads instead.
const NEUTRAL: &str = "a document not published on this site";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

fn commit_all(repo: &Repository, subject: &str, n: i64) {
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], IndexAddOption::DEFAULT, None)
        .expect("add");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("find tree");
    let sig = Signature::new(
        "Ann Owner",
        "ann@example.org",
        &Time::new(1_780_000_000 + n * 3600, 0),
    )
    .expect("sig");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<_> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, subject, &tree, &parents)
        .expect("commit");
}

/// An approved internal policy: on the staff site.
fn staff_doc(id: &str, title: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\ntype: policy\nversion: \"1.0\"\nstatus: approved\n\
         owner: Ann Owner\nclassification: internal\napproved_by: Bob Boss\n\
         approved_on: 2026-06-01\n---\n\n{body}\n"
    )
}

/// Why a generated document is kept off the staff site.
#[derive(Clone, Copy, Debug)]
enum Hidden {
    Draft,
    Retired,
    Record,
    AuditorsOnly,
    Confidential,
}

fn hidden_doc(why: Hidden, id: &str, title: &str) -> String {
    let front = match why {
        Hidden::Record => format!(
            "id: {id}\ntitle: {title}\ntype: record\nrecord: penetration-test\n\
             date: 2026-05-01\nowner: Ann Owner\nclassification: internal\n"
        ),
        _ => {
            let (status, classification, audience) = match why {
                Hidden::Draft => ("draft", "internal", ""),
                Hidden::Retired => ("retired", "internal", ""),
                Hidden::AuditorsOnly => ("approved", "internal", "audience: auditor\n"),
                _ => ("approved", "confidential", ""),
            };
            format!(
                "id: {id}\ntitle: {title}\ntype: policy\nversion: \"1.0\"\nstatus: {status}\n\
                 owner: Ann Owner\nclassification: {classification}\n{audience}\
                 approved_by: Bob Boss\napproved_on: 2026-06-01\n"
            )
        }
    };
    format!("---\n{front}---\n\nOnly a few read this.\n")
}

const ISMS_TOML: &str = "[organisation]\nname = \"Example Ltd\"\ntop_management = [\"Bob Boss\"]\n";

/// Builds the ISMS in `dir` into `dir/out`; returns the staff site's folder.
fn build(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_isms"))
        .arg("build")
        .arg(dir.join("isms"))
        .arg("--out")
        .arg(&out)
        .args(["--as-of", "2027-02-15", "--fail-on", "error"])
        .output()
        .expect("run isms build");
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "build failed: {}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    out.join("staff")
}

/// A repository with `isms/` holding `files`, committed once, then one commit
/// per `(subject, path, appended line)` of `edits`.
fn repo(files: &[(String, String)], edits: &[(String, String, String)]) -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = Repository::init(dir.path()).expect("init");
    let root = dir.path().join("isms");
    write(&root, "isms.toml", ISMS_TOML);
    for (path, text) in files {
        write(&root, path, text);
    }
    commit_all(&repo, "Add the policies", 0);
    for (n, (subject, path, line)) in edits.iter().enumerate() {
        let file = root.join(path);
        let mut text = fs::read_to_string(&file).expect("read");
        text.push_str(line);
        text.push('\n');
        fs::write(&file, text).expect("write");
        commit_all(&repo, subject, n as i64 + 1);
    }
    dir
}

/// Decodes the escapes a page may hide a name behind: HTML character
/// references (`&#x2F;`) and then percent escapes.
fn decoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    let bytes = out.as_bytes();
    let mut plain = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&out[i + 1..i + 3], 16) {
                plain.push(b);
                i += 3;
                continue;
            }
        }
        plain.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&plain).into_owned()
}

/// Every file below `dir`, as (path, text as written, text decoded), all
/// lowercase.
fn site_text(dir: &Path) -> Vec<(String, String, String)> {
    let files: Vec<_> = WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let text = String::from_utf8_lossy(&fs::read(e.path()).expect("read")).to_lowercase();
            let plain = decoded(&text).to_lowercase();
            (e.path().display().to_string(), text, plain)
        })
        .collect();
    assert!(!files.is_empty(), "no staff site in {}", dir.display());
    files
}

/// Each way of writing `name` with `-`, `_` or a space between its words.
fn spellings(name: &str) -> Vec<String> {
    let name = name.to_lowercase();
    let mut out = vec![name.clone()];
    for sep in ["-", "_", " "] {
        let respelt = name.replace(['-', '_', ' '], sep);
        if !out.contains(&respelt) {
            out.push(respelt);
        }
    }
    out
}

/// Asserts that no file of the staff site holds any spelling of `names`.
fn assert_absent(staff: &Path, names: &[&str]) {
    for (path, text, plain) in site_text(staff) {
        for name in names {
            for spelling in spellings(name) {
                assert!(
                    !text.contains(&spelling) && !plain.contains(&spelling),
                    "{path} names {spelling:?}:\n{plain}"
                );
            }
        }
    }
}

fn page(staff: &Path, id: &str) -> String {
    fs::read_to_string(staff.join(format!("docs/{id}.html"))).expect("staff page")
}

/// The hidden document of the regression tests, and its names.
const SECRET_PATH: &str = "restricted/zqx-secret-plan.md";
const SECRET_NAMES: [&str; 5] = [
    "CONF-SECRET",
    "Zqx Vault Plan",
    "restricted/zqx-secret-plan.md",
    "zqx-secret-plan.md",
    "zqx-secret-plan",
];

fn secret() -> (String, String) {
    (
        SECRET_PATH.to_string(),
        hidden_doc(Hidden::Confidential, "CONF-SECRET", "Zqx Vault Plan"),
    )
}

#[test]
fn commit_subjects_naming_a_hidden_file_name_or_stem_are_left_out() {
    let files = [
        secret(),
        (
            "policies/open.md".to_string(),
            staff_doc("POL-OPEN", "Open Policy", "Everyone reads this."),
        ),
    ];
    let subjects = [
        "Update zqx-secret-plan.md",
        "zqx-secret-plan",
        "Tidy ZQX_SECRET_PLAN",
        "Move zqx secret plan wording here",
        "Update restricted/zqx-secret-plan.md",
        "Mention conf_secret",
        "Reword the ZQX VAULT-PLAN",
        "Clarify the open policy",
    ];
    let edits: Vec<(String, String, String)> = subjects
        .iter()
        .enumerate()
        .map(|(n, s)| {
            (
                s.to_string(),
                "policies/open.md".to_string(),
                format!("Line {n}."),
            )
        })
        .collect();
    let dir = repo(&files, &edits);
    let staff = build(dir.path());
    assert_absent(&staff, &SECRET_NAMES);
    assert_absent(&staff, &["zqx", "conf-secret"]);
    let open = page(&staff, "POL-OPEN");
    assert!(open.contains("Clarify the open policy"), "{open}");
    assert!(open.contains("Add the policies"), "{open}");
}

#[test]
fn links_and_images_to_hidden_documents_are_dropped_in_every_form() {
    let body = "Markdown: [a1](../restricted/zqx-secret-plan.md?x=1) \
        [a2](../restricted/zqx-secret-plan.md/) [a3](<../restricted/zqx-secret-plan.md >) \
        [a4](../restricted/zqx%2Dsecret%2Dplan.md) [a5](./../restricted/zqx-secret-plan.MD) \
        [a6](id:CONF-SECRET) [a7](/restricted/zqx-secret-plan.md#top) [a8][r] \
        ![i1](../restricted/zqx-secret-plan.md) ![i2](zqx-secret-plan.png)\n\n\
        [r]: ../restricted/zqx-secret-plan.md\n\n\
        Raw: <a href=\"../restricted/zqx-secret-plan.md?x=1\">b1</a> \
        <a href=\"../restricted/zqx-secret-plan.md/\">b2</a> \
        <a href=\"../restricted/zqx-secret-plan.md \">b3</a> \
        <a href=\"../restricted/zqx%2Dsecret%2Dplan.md\">b4</a> \
        <a href=\"./../restricted/zqx-secret-plan.MD#top\">b5</a> \
        <a href=\"CONF-SECRET.html\">b6</a> <a href=\"id:CONF-SECRET\">b7</a> \
        <img src=\"../restricted/zqx-secret-plan.md\" alt=\"i3\"> \
        <img src=\"../restricted/zqx-secret-plan.md?x=1\" alt=\"i4\">\n\n\
        <blockquote cite=\"../restricted/zqx-secret-plan.md\">quoted</blockquote>\n\n\
        Visible: [v1](other.md?x=1) <a href=\"other.md#top\">v2</a> \
        <a href=\"./other.md/\">v3</a> <a href=\"POL-OTHER.html\">v4</a> \
        [web](https://example.org/a?b=1&c=2)\n";
    let files = [
        secret(),
        (
            "policies/open.md".to_string(),
            staff_doc("POL-OPEN", "Open Policy", body),
        ),
        (
            "policies/other.md".to_string(),
            staff_doc("POL-OTHER", "Other Policy", "## Top\n\nMore."),
        ),
    ];
    let dir = repo(&files, &[]);
    let staff = build(dir.path());
    assert_absent(&staff, &SECRET_NAMES);
    assert_absent(&staff, &["zqx", "conf-secret"]);
    let open = page(&staff, "POL-OPEN");
    for text in [
        "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "b1", "b2", "b3", "b4", "b5", "b6", "b7",
    ] {
        assert!(open.contains(&format!(" {text}")), "{text} kept: {open}");
    }
    assert!(open.contains("quoted"), "{open}");
    for alt in ["i1", "i2", "i3", "i4"] {
        assert!(!open.contains(alt), "image {alt} dropped: {open}");
    }
    assert!(!open.contains("<img"), "{open}");
    for (text, href) in [
        ("v1", "POL-OTHER.html"),
        ("v2", "POL-OTHER.html#top"),
        ("v3", "POL-OTHER.html"),
        ("v4", "POL-OTHER.html"),
    ] {
        assert!(
            open.contains(&format!("<a href=\"{href}\">{text}</a>")),
            "{text} links to {href}: {open}"
        );
    }
    assert!(
        open.contains("href=\"https://example.org/a?b=1&amp;c=2\""),
        "{open}"
    );
}

#[test]
fn link_text_naming_a_hidden_document_reads_neutral() {
    let body = "One <id:CONF-SECRET>.\n\nTwo [CONF-SECRET](id:CONF-SECRET#x).\n\n\
        Three [the Zqx Vault Plan](../restricted/zqx-secret-plan.md).\n\n\
        Four [zqx-secret-plan.md](../restricted/zqx-secret-plan.md?x=1).\n\n\
        Five <a href=\"../restricted/zqx-secret-plan.md\">see <b>conf_secret</b></a>.\n\n\
        Six [*zqx secret plan*](../restricted/zqx-secret-plan.md/).\n\n\
        Seven [the plan](id:CONF-SECRET).\n";
    let files = [
        secret(),
        (
            "policies/open.md".to_string(),
            staff_doc("POL-OPEN", "Open Policy", body),
        ),
    ];
    let dir = repo(&files, &[]);
    let staff = build(dir.path());
    assert_absent(&staff, &SECRET_NAMES);
    assert_absent(&staff, &["zqx", "conf-secret"]);
    let open = page(&staff, "POL-OPEN");
    for n in ["One", "Two", "Three", "Four", "Five", "Six"] {
        assert!(open.contains(&format!("{n} {NEUTRAL}")), "{n}: {open}");
    }
    assert!(open.contains("Seven the plan."), "{open}");
}

/// A generated document's names. Every word is `qz` and five random
/// letters, and no two documents share a word, so that no name occurs in
/// the theme's text or inside another document's names.
#[derive(Clone, Debug)]
struct Names {
    id: String,
    title: String,
    folder: String,
    stem: String,
}

impl Names {
    fn new(words: &[String], folder: &str, separator: char) -> Names {
        let capital = |w: &str| format!("{}{}", w[..1].to_uppercase(), &w[1..]);
        Names {
            id: format!("{}-{}", words[0], words[1]).to_uppercase(),
            title: format!("{} {}", capital(&words[2]), words[3]),
            folder: folder.to_string(),
            stem: format!("{}{separator}{}", words[4], words[5]),
        }
    }
    fn file(&self) -> String {
        format!("{}.md", self.stem)
    }
    fn path(&self) -> String {
        format!("{}/{}", self.folder, self.file())
    }
    /// Every name the staff site must not hold when the document is hidden.
    fn all(&self) -> [String; 5] {
        [
            self.id.clone(),
            self.title.clone(),
            self.path(),
            self.file(),
            self.stem.clone(),
        ]
    }
}

const WORDS_PER_DOC: usize = 6;
const STAFF_FOLDERS: [&str; 2] = ["policies", "staff/handbook"];
const HIDDEN_FOLDERS: [&str; 3] = ["policies", "restricted", "restricted/deep"];
const HIDDEN_WHY: [Hidden; 5] = [
    Hidden::Draft,
    Hidden::Retired,
    Hidden::Record,
    Hidden::AuditorsOnly,
    Hidden::Confidential,
];

/// How a staff body links to a hidden document: `form` picks the way the
/// destination is written, `text` the link text.
#[derive(Clone, Debug)]
struct LinkSpec {
    target: usize,
    form: usize,
    text: usize,
}

/// A commit subject naming a hidden document: `form` picks the wording.
#[derive(Clone, Debug)]
struct SubjectSpec {
    target: usize,
    form: usize,
}

#[derive(Clone, Debug)]
struct Case {
    staff: Vec<(Names, Vec<LinkSpec>)>,
    hidden: Vec<(Names, Hidden)>,
    subjects: Vec<SubjectSpec>,
}

const LINK_FORMS: usize = 20;
const TEXT_FORMS: usize = 8;
const SUBJECT_FORMS: usize = 10;

fn word() -> impl Strategy<Value = String> {
    prop::collection::vec(b'a'..=b'z', 5)
        .prop_map(|letters| format!("qz{}", String::from_utf8(letters).expect("ascii")))
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=3, 1usize..=4)
        .prop_flat_map(|(staff, hidden)| {
            let docs = staff + hidden;
            (
                prop::collection::vec(word(), docs * WORDS_PER_DOC),
                prop::collection::vec((0usize..2, any::<bool>()), staff),
                prop::collection::vec((0usize..3, any::<bool>(), 0usize..5), hidden),
                prop::collection::vec(
                    prop::collection::vec((0..hidden, 0..LINK_FORMS, 0..TEXT_FORMS), 1..8),
                    staff,
                ),
                prop::collection::vec((0..hidden, 0..SUBJECT_FORMS), 1..6),
            )
        })
        .prop_filter("distinct words", |(words, ..)| {
            let mut sorted = words.clone();
            sorted.sort();
            sorted.dedup();
            sorted.len() == words.len()
        })
        .prop_map(|(words, staff, hidden, links, subjects)| {
            let mut chunks = words.chunks(WORDS_PER_DOC);
            let separator = |dash: bool| if dash { '-' } else { '_' };
            let staff = staff
                .into_iter()
                .zip(links)
                .map(|((folder, dash), links)| {
                    let names = Names::new(
                        chunks.next().expect("words"),
                        STAFF_FOLDERS[folder],
                        separator(dash),
                    );
                    let links = links
                        .into_iter()
                        .map(|(target, form, text)| LinkSpec { target, form, text })
                        .collect();
                    (names, links)
                })
                .collect();
            let hidden = hidden
                .into_iter()
                .map(|(folder, dash, why)| {
                    let names = Names::new(
                        chunks.next().expect("words"),
                        HIDDEN_FOLDERS[folder],
                        separator(dash),
                    );
                    (names, HIDDEN_WHY[why])
                })
                .collect();
            let subjects = subjects
                .into_iter()
                .map(|(target, form)| SubjectSpec { target, form })
                .collect();
            Case {
                staff,
                hidden,
                subjects,
            }
        })
}

/// Upper-cases a path's `.md` extension.
fn upper_ext(path: &str) -> String {
    format!("{}.MD", path.strip_suffix(".md").unwrap_or(path))
}

/// Percent-encodes the separators and dots of a path.
fn encoded(path: &str) -> String {
    path.replace('-', "%2D")
        .replace('_', "%5F")
        .replace('.', "%2E")
}

/// The Markdown (or raw HTML) of one link from a document in `from` (a
/// folder) to `to`, and any reference definition it needs.
fn link(spec: &LinkSpec, n: usize, from: &str, to: &Names) -> (String, String) {
    let up = "../".repeat(from.split('/').count());
    let rel = format!("{up}{}", to.path());
    let text = match spec.text {
        0 => to.id.clone(),
        1 => to.title.clone(),
        2 => to.file(),
        3 => to.stem.clone(),
        4 => to.path(),
        5 => to.stem.replace(['-', '_'], " ").to_uppercase(),
        6 => format!("see *{}* now", to.title),
        _ => "this one".to_string(),
    };
    let id = &to.id;
    let markdown = match spec.form {
        0 => format!("[{text}]({rel})"),
        1 => format!("[{text}]({rel}?x=1)"),
        2 => format!("[{text}]({rel}/#top)"),
        3 => format!("[{text}](<{rel} >)"),
        4 => format!("[{text}]({})", encoded(&rel)),
        5 => format!("[{text}](./{})", upper_ext(&rel)),
        6 => format!("[{text}](/{})", to.path()),
        7 => format!("[{text}](id:{id}#x)"),
        8 => format!("<id:{id}>"),
        9 => {
            return (
                format!("[{text}][ref{n}]"),
                format!("[ref{n}]: {rel} \"{text}\"\n"),
            )
        }
        10 => format!("![{text}]({rel})"),
        11 => format!("<a href=\"{rel}?x=1#y\">{text}</a>"),
        12 => format!("<a href=\"{rel}/\" title=\"{text}\">{text}</a>"),
        13 => format!("<a href=\"{rel} \">{text}</a>"),
        14 => format!("<a href=\"{}\">{text}</a>", encoded(&rel)),
        15 => format!("<img src=\"{rel}\" alt=\"{text}\">"),
        16 => format!("<a href=\"{id}.html\">{text}</a>"),
        17 => format!("<a href=\"id:{id}\">{text}</a>"),
        18 => format!("<a href=\"./{}\">{text}</a>", upper_ext(&rel)),
        _ => format!("<img src=\"{}?v=2\" alt=\"{text}\">", encoded(&rel)),
    };
    (markdown, String::new())
}

fn subject(spec: &SubjectSpec, to: &Names) -> String {
    match spec.form {
        0 => format!("Update {}", to.file()),
        1 => to.stem.clone(),
        2 => format!("Add {}", to.id),
        3 => format!("Reword the {}", to.title),
        4 => format!("Move {}", to.path()),
        5 => format!("Tidy {}", to.stem.replace(['-', '_'], " ")),
        6 => format!("Tidy {}", to.stem.to_uppercase().replace('-', "_")),
        7 => format!("Mention {}", to.id.to_lowercase().replace('-', "_")),
        8 => format!(
            "Rename {} to something",
            to.title.to_lowercase().replace(' ', "-")
        ),
        _ => format!("Merge branch '{}'", to.stem.replace('_', "-")),
    }
}

/// Builds the ISMS of `case` and checks the staff site: nothing of a hidden
/// document, everything of a staff one.
fn check_case(case: &Case) -> Result<(), TestCaseError> {
    let hidden: Vec<&Names> = case.hidden.iter().map(|(n, _)| n).collect();
    let mut files = Vec::new();
    for (names, why) in &case.hidden {
        files.push((names.path(), hidden_doc(*why, &names.id, &names.title)));
    }
    for (names, links) in &case.staff {
        let mut body = format!("Staff text for {}.\n\n", names.title);
        let mut definitions = String::new();
        for (n, spec) in links.iter().enumerate() {
            let (markdown, definition) = link(spec, n, &names.folder, hidden[spec.target]);
            body.push_str(&format!("Link {n}: {markdown} here.\n\n"));
            definitions.push_str(&definition);
        }
        body.push_str(&definitions);
        files.push((names.path(), staff_doc(&names.id, &names.title, &body)));
    }
    // Every commit touches every staff document (so that its subject is in
    // each staff history) and the hidden document it names.
    let mut edits = Vec::new();
    for (n, spec) in case.subjects.iter().enumerate() {
        let text = subject(spec, hidden[spec.target]);
        for (names, _) in &case.staff {
            edits.push((text.clone(), names.path(), format!("Edit {n}.")));
        }
        edits.push((text, hidden[spec.target].path(), format!("Edit {n}.")));
    }
    for (names, _) in &case.staff {
        edits.push((
            "Routine tidy".to_string(),
            names.path(),
            "Tidied.".to_string(),
        ));
    }
    let dir = repo(&files, &edits);
    let staff = build(dir.path());

    for names in &hidden {
        let all = names.all();
        assert_absent(&staff, &all.iter().map(String::as_str).collect::<Vec<_>>());
    }
    let site = site_text(&staff);
    for (names, _) in &case.staff {
        for name in [&names.id, &names.title] {
            let name = name.to_lowercase();
            prop_assert!(
                site.iter().any(|(_, text, _)| text.contains(&name)),
                "{name} is not on the staff site"
            );
        }
        let page = page(&staff, &names.id);
        prop_assert!(page.contains(&names.title), "{page}");
        prop_assert!(page.contains("Routine tidy"), "{page}");
    }
    Ok(())
}

/// How many generated ISMSs to build: `PROPTEST_CASES`, else 24.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_trace_of_hidden_documents_on_the_staff_site(case in case()) {
        check_case(&case)?;
    }
}
