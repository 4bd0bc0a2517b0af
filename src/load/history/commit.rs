//! The fields of a commit object that the history needs, parsed from its
//! raw bytes.
//!
//! Walking 20,000 commits through libgit2's commit objects costs about ten
//! microseconds each (inflate through its locked pack access, then parsing
//! and copying every header), and the walk cannot be spread over threads
//! because each commit names the next ones. Reading the raw object with the
//! pack reader and taking only what is needed is several times faster.
//!
//! The result must be exactly what libgit2 reports (the tree, the parents,
//! the author's name and time, and `git_commit_summary`), so only commits
//! in the plain form git writes are parsed here; anything unusual (NUL
//! bytes, a missing or odd time zone, duplicate author lines) returns
//! `None` and the caller asks libgit2 instead.

use git2::Oid;

/// What [`parse`] extracts.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Parsed {
    pub tree: Oid,
    pub parents: Vec<Oid>,
    /// Author name, trimmed as libgit2 trims it.
    pub author: String,
    /// Author time, seconds since the epoch.
    pub time: i64,
    /// Author UTC offset in minutes.
    pub offset: i32,
    /// First paragraph of the message, as `git_commit_summary` builds it.
    pub subject: String,
}

/// Parses a commit in the plain form, or `None` (see the module comment).
pub(super) fn parse(data: &[u8]) -> Option<Parsed> {
    // libgit2 reads the message as a C string; keep clear of that case.
    if data.contains(&0) {
        return None;
    }
    let mut rest = data;
    let tree = id_header(&mut rest, b"tree ")?;
    let mut parents = Vec::new();
    while let Some(parent) = id_header(&mut rest, b"parent ") {
        parents.push(parent);
    }
    let author_line = line(&mut rest, b"author ")?;
    if rest.starts_with(b"author ") {
        return None;
    }
    let committer_line = line(&mut rest, b"committer ")?;
    let (author, time, offset) = signature(author_line)?;
    signature(committer_line)?;

    // Further headers (encoding, gpgsig, mergetag, ...) run up to the first
    // empty line; the message follows it.
    let header_end = data.len() - rest.len();
    let mut at = header_end;
    let message: &[u8] = loop {
        if at >= data.len() {
            break &[];
        }
        if data[at] == b'\n' {
            break &data[at + 1..];
        }
        match data[at..].iter().position(|&b| b == b'\n') {
            Some(end) => at += end + 1,
            None => break &[],
        }
    };
    Some(Parsed {
        tree,
        parents,
        author,
        time,
        offset,
        subject: summary(message),
    })
}

/// `<name><40 hex digits>\n` at the start of `rest`.
fn id_header(rest: &mut &[u8], name: &[u8]) -> Option<Oid> {
    let hex = rest.strip_prefix(name)?;
    if hex.get(40) != Some(&b'\n') || !hex[..40].iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let id = Oid::from_str(std::str::from_utf8(&hex[..40]).ok()?).ok()?;
    *rest = &hex[41..];
    Some(id)
}

/// The line starting with `name`, without `name` and the newline.
fn line<'a>(rest: &mut &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let body = rest.strip_prefix(name)?;
    let end = body.iter().position(|&b| b == b'\n')?;
    *rest = &body[end + 1..];
    Some(&body[..end])
}

/// `Name <email> 1700000000 +0100` as libgit2's signature parser reads it:
/// name trimmed of "crud", time in seconds, offset in minutes (zero when
/// the zone is out of range). Other forms are left to libgit2.
fn signature(line: &[u8]) -> Option<(String, i64, i32)> {
    let open = line.iter().rposition(|&b| b == b'<')?;
    let close = line.iter().rposition(|&b| b == b'>')?;
    if close <= open {
        return None;
    }
    let name = trim_crud(&line[..open]);
    let when = line.get(close + 1..)?.strip_prefix(b" ")?;
    let space = when.iter().position(|&b| b == b' ')?;
    let (digits, zone) = (&when[..space], &when[space + 1..]);
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let time: i64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    let (sign, zone) = match zone {
        [b'+', zone @ ..] => (1, zone),
        [b'-', zone @ ..] => (-1, zone),
        _ => return None,
    };
    if zone.len() != 4 || !zone.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value: i32 = std::str::from_utf8(zone).ok()?.parse().ok()?;
    let (hours, minutes) = (value / 100, value % 100);
    let offset = if hours <= 14 && minutes <= 59 {
        sign * (hours * 60 + minutes)
    } else {
        0
    };
    Some((String::from_utf8_lossy(name).into_owned(), time, offset))
}

/// libgit2's `is_crud`: bytes trimmed from both ends of a name.
fn is_crud(byte: u8) -> bool {
    byte <= 32
        || matches!(
            byte,
            b',' | b':' | b';' | b'<' | b'>' | b'"' | b'\\' | b'\''
        )
}

fn trim_crud(mut name: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = name {
        if !is_crud(*first) {
            break;
        }
        name = rest;
    }
    while let [rest @ .., last] = name {
        if !is_crud(*last) {
            break;
        }
        name = rest;
    }
    name
}

/// `git_commit_summary`: the first paragraph of the message (after leading
/// newlines), whitespace runs that contain a newline turned into one
/// space, other runs kept, trailing whitespace dropped.
fn summary(message: &[u8]) -> String {
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let is_space_nonlf = |b: u8| matches!(b, b' ' | b'\t' | 0x0b | 0x0c | b'\r');
    let start = message
        .iter()
        .position(|&b| b != b'\n')
        .unwrap_or(message.len());
    let msg = &message[start..];
    let mut out = Vec::new();
    let mut space: Option<(usize, bool)> = None;
    for (i, &c) in msg.iter().enumerate() {
        if c == b'\n' {
            let next = &msg[i + 1..];
            let blank = next
                .iter()
                .position(|&b| !is_space_nonlf(b))
                .is_none_or(|p| next[p] == b'\n');
            if blank {
                break;
            }
        }
        if is_space(c) {
            let (begin, newline) = space.unwrap_or((i, false));
            space = Some((begin, newline || c == b'\n'));
        } else {
            if let Some((begin, newline)) = space.take() {
                if newline {
                    out.push(b' ');
                } else {
                    out.extend_from_slice(&msg[begin..i]);
                }
            }
            out.push(c);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{ObjectType, Repository};

    const TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    const PARENT: &str = "1111111111111111111111111111111111111111";

    /// Writes `raw` as a commit and compares the fast parse with libgit2.
    fn same_as_libgit2(raw: &str) {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        let odb = repo.odb().expect("odb");
        let id = odb
            .write(ObjectType::Commit, raw.as_bytes())
            .expect("write");
        let commit = repo.find_commit(id).expect("libgit2 parses it");
        let Some(parsed) = parse(raw.as_bytes()) else {
            return;
        };
        let author = commit.author();
        assert_eq!(parsed.tree, commit.tree_id(), "{raw:?}");
        assert_eq!(
            parsed.parents,
            commit.parent_ids().collect::<Vec<_>>(),
            "{raw:?}"
        );
        assert_eq!(parsed.author.as_bytes(), author.name_bytes(), "{raw:?}");
        assert_eq!(parsed.time, author.when().seconds(), "{raw:?}");
        assert_eq!(parsed.offset, author.when().offset_minutes(), "{raw:?}");
        assert_eq!(
            parsed.subject.as_bytes(),
            commit.summary_bytes().unwrap_or_default(),
            "{raw:?}"
        );
    }

    fn commit(author: &str, extra: &str, message: &str) -> String {
        format!(
            "tree {TREE}\nparent {PARENT}\nauthor {author}\ncommitter C <c@x> 1700000000 +0000\n{extra}\n{message}"
        )
    }

    #[test]
    fn matches_libgit2() {
        let authors = [
            "Priya Shah <p@x> 1700000000 +0100",
            "  Priya, Shah:  <p@x> 1700000000 -0530",
            "'Quoted' <p@x> 1700000000 +1500",
            "A <p@x> 1700000000 +0060",
            "No Zone <p@x> 1700000000",
            "Odd <p@x> 17000x0000 +0100",
            "<only@x> 0 +0000",
            "Émile Zoë <e@x> 1700000000 +0200",
        ];
        let messages = [
            "Subject\n",
            "Subject",
            "\n\nLeading newlines\n\nBody\n",
            "Two\nlines  of   subject\n\nBody",
            "Tabs\tand  spaces   \n",
            "Ends at a blank line\n   \t\nBody",
            "Carriage\r\nreturn\r\n\r\nBody",
            "",
            "\n",
            "  indented\n  continued\n",
        ];
        for author in authors {
            for message in messages {
                same_as_libgit2(&commit(author, "", message));
            }
        }
        same_as_libgit2(&commit(
            "A <a@x> 1 +0000",
            "encoding ISO-8859-1\ngpgsig -----BEGIN-----\n sig\n -----END-----\n",
            "Signed\n",
        ));
        // A commit without a blank line after the headers has no message.
        same_as_libgit2(&format!(
            "tree {TREE}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n"
        ));
    }

    #[test]
    fn unusual_forms_are_left_to_libgit2() {
        let dup = format!(
            "tree {TREE}\nauthor A <a@x> 1 +0000\nauthor B <b@x> 2 +0000\ncommitter C <c@x> 1 +0000\n\nx"
        );
        assert_eq!(parse(dup.as_bytes()), None);
        assert_eq!(parse(commit("No Zone <p@x> 1", "", "x").as_bytes()), None);
        assert_eq!(parse(b"tree 123\n"), None);
        assert!(parse(commit("A <a@x> 1 +0000", "", "x").as_bytes()).is_some());
    }
}
