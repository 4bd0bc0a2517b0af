//! Turns one file's front matter into a typed `Document`, collecting every
//! problem (DC001-DC003, SOA003) with its line instead of stopping at the first.

use std::collections::BTreeMap;

use marked_yaml::{LoaderOptions, Node};

use super::frontmatter::{self, SplitError};
use super::limits;
use crate::diagnostics::finding::Finding;
use crate::diagnostics::rules;
use crate::model::catalogue::{map_2013, ControlId};
use crate::model::document::*;
use crate::model::ids::{parse_date, ClauseId, Date, DocId, Interval, Spanned};
use crate::model::record::*;

/// Keys the contract defines; anything else is allowed unless it looks like a
/// misspelling of one of these.
pub const CONTRACT_KEYS: &[&str] = &[
    "id",
    "title",
    "type",
    "version",
    "status",
    "owner",
    "classification",
    "approved_by",
    "approved_on",
    "approved_digest",
    "next_review",
    "controls",
    "clauses",
    "audience",
    "summary",
    "recurring",
    "acknowledge",
    "record",
    "date",
    "data",
    "auditor",
    "scope_clauses",
    "scope_controls",
    "findings",
    "attendees",
    "inputs",
    "actions",
    "systems",
    "reviewer",
    "course",
    "applicability",
    "objectives",
];

/// The outcome of parsing one file.
#[derive(Clone)]
pub enum Parsed {
    /// No front matter: not a controlled document.
    NotADocument,
    /// Parsed; `document` is `None` when required keys were unusable.
    Document {
        document: Option<std::sync::Arc<Document>>,
        findings: Vec<Finding>,
    },
}

/// Parses `text` read from `path` (relative to the ISMS root).
pub fn parse_document(path: &str, text: &str) -> Parsed {
    let split = match frontmatter::split(text) {
        None => return Parsed::NotADocument,
        Some(Err(SplitError::NeverClosed)) => {
            return Parsed::Document {
                document: None,
                findings: vec![Finding::new(&rules::DC001, "front matter is never closed")
                    .at(path, 1)
                    .hint("end the front matter with a line containing only `---`")],
            }
        }
        Some(Ok(s)) => s,
    };
    let mut p = DocParser {
        path,
        lines: YamlLines::new(split.yaml, split.yaml_line),
        findings: Vec::new(),
        key_lines: BTreeMap::new(),
    };
    // Checked before the parser, which recurses once per level.
    if let Err(shape) = limits::scan_yaml(split.yaml) {
        let (line, message, hint) = match shape {
            limits::YamlShape::TooDeep { line } => (
                line,
                format!(
                    "front matter nests lists or mappings deeper than {} levels",
                    limits::MAX_DEPTH
                ),
                "front matter needs a few levels at most: fix the nesting on this line",
            ),
            limits::YamlShape::AfterFlowMapping { line } => (
                line,
                "front matter continues after the `{...}` mapping that should hold all of it"
                    .to_string(),
                "write the front matter as `key: value` lines, or move this line into the `{...}`",
            ),
        };
        return Parsed::Document {
            document: None,
            findings: vec![Finding::new(&rules::DC001, message)
                .at(path, split.yaml_line + line - 1)
                .hint(hint)],
        };
    }
    let root = if split.yaml.trim().is_empty() {
        None
    } else {
        match parse_yaml(split.yaml) {
            Ok(node) => Some(node),
            Err(e) => {
                let (marker, msg) = yaml_error(&e);
                return Parsed::Document {
                    document: None,
                    findings: vec![Finding::new(&rules::DC001, format!("front matter is not valid YAML: {msg}"))
                        .at(path, p.lines.line(marker.as_ref()))
                        .hint("fix the YAML syntax; quote values containing `: ` or starting with `[`, `{`, `*`, `&`, `@`")],
                };
            }
        }
    };
    let empty = marked_yaml::types::MarkedMappingNode::new_empty(marked_yaml::Span::new_blank());
    let map = root.as_ref().and_then(Node::as_mapping).unwrap_or(&empty);
    for (k, _) in map.iter() {
        p.key_lines.insert(k.as_str().to_string(), p.key_line(k));
    }
    p.check_typos(map);
    p.check_control_chars(map);
    let document = p.build(map, &split).map(std::sync::Arc::new);
    Parsed::Document {
        document,
        findings: p.findings,
    }
}

/// Parses front matter YAML the way every command reads it: duplicate keys
/// are errors and scalars stay text (spans kept, for `isms approve`).
pub fn parse_yaml(yaml: &str) -> Result<Node, marked_yaml::LoadError> {
    let opts = LoaderOptions::default()
        .error_on_duplicate_keys(true)
        .prevent_coercion(true);
    marked_yaml::parse_yaml_with_options(0, yaml, opts)
}

/// Where the YAML parser's error is (when it knows) and what it says.
fn yaml_error(e: &marked_yaml::LoadError) -> (Option<marked_yaml::Marker>, String) {
    use marked_yaml::LoadError::*;
    let (m, msg) = match e {
        TopLevelMustBeMapping(m) => (
            m,
            "the front matter must be a mapping of keys to values".to_string(),
        ),
        TopLevelMustBeSequence(m) => (m, "unexpected sequence".to_string()),
        UnexpectedAnchor(m) => (m, "anchors (`&name`) are not supported".to_string()),
        MappingKeyMustBeScalar(m) => (m, "keys must be plain text".to_string()),
        UnexpectedTag(m) => (m, "tags (`!name`) are not supported".to_string()),
        ScanError(m, se) => (m, se.info().to_string()),
        DuplicateKey(inner) => {
            return (
                inner.key.span().start().copied(),
                format!("key `{}` appears twice", inner.key.as_str()),
            );
        }
    };
    (Some(*m), msg)
}

/// Maps the YAML parser's positions to file lines.
///
/// YAML counts a lone carriage return as a line break; editors, `git diff`
/// and every other line this tool reports count `\n` only. Front matter with
/// a stray `\r` would otherwise be reported below where it is, even past the
/// end of the file. The common case (no lone `\r`) uses the parser's line.
struct YamlLines {
    /// File line of the first YAML line.
    base: u32,
    /// Character offsets of each `\n`, kept only when the YAML holds a lone
    /// `\r`: a position's line is the number of `\n` before it.
    newlines: Option<Vec<usize>>,
}

impl YamlLines {
    fn new(yaml: &str, base: u32) -> YamlLines {
        let bytes = yaml.as_bytes();
        let lone_cr = bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        let newlines = lone_cr.then(|| {
            yaml.chars()
                .enumerate()
                .filter_map(|(i, c)| (c == '\n').then_some(i))
                .collect()
        });
        YamlLines { base, newlines }
    }

    /// The file line of `marker`, or of the first YAML line without one.
    fn line(&self, marker: Option<&marked_yaml::Marker>) -> u32 {
        let Some(m) = marker else {
            return self.base;
        };
        let offset = match &self.newlines {
            None => m.line().saturating_sub(1),
            Some(newlines) => newlines.partition_point(|&i| i < m.character()),
        };
        self.base
            .saturating_add(u32::try_from(offset).unwrap_or(u32::MAX))
    }
}

struct DocParser<'a> {
    path: &'a str,
    lines: YamlLines,
    findings: Vec<Finding>,
    key_lines: BTreeMap<String, u32>,
}

impl DocParser<'_> {
    fn line_of(&self, node: &Node) -> u32 {
        self.lines.line(node.span().start())
    }

    fn key_line(&self, key: &marked_yaml::types::MarkedScalarNode) -> u32 {
        self.lines.line(key.span().start())
    }

    fn err(&mut self, rule: &'static rules::Rule, line: u32, msg: String, hint: &str) {
        let mut f = Finding::new(rule, msg).at(self.path, line);
        if !hint.is_empty() {
            f = f.hint(hint);
        }
        self.findings.push(f);
    }

    /// DC003 for every key or value holding a control character other
    /// than tab, CR or LF (they would reach pages and terminals as is).
    /// Front matter is at most [`limits::MAX_DEPTH`] levels deep here.
    fn check_control_chars(&mut self, map: &marked_yaml::types::MarkedMappingNode) {
        let mut stack: Vec<&Node> = Vec::new();
        let report = |this: &mut Self, s: &marked_yaml::types::MarkedScalarNode| {
            if let Some(c) = limits::control_char(s.as_str()) {
                let line = this.key_line(s);
                this.err(
                    &rules::DC003,
                    line,
                    format!("text contains the control character U+{:04X}", u32::from(c)),
                    "remove it; only tabs and line breaks are allowed in text",
                );
            }
        };
        for (k, v) in map.iter() {
            report(self, k);
            stack.push(v);
        }
        while let Some(node) = stack.pop() {
            match node {
                Node::Scalar(s) => report(self, s),
                Node::Sequence(seq) => stack.extend(seq.iter()),
                Node::Mapping(m) => {
                    for (k, v) in m.iter() {
                        report(self, k);
                        stack.push(v);
                    }
                }
            }
        }
    }

    fn check_typos(&mut self, map: &marked_yaml::types::MarkedMappingNode) {
        for (k, _) in map.iter() {
            let key = k.as_str();
            if CONTRACT_KEYS.contains(&key) {
                continue;
            }
            let allowed = if key.chars().count() >= 6 { 2 } else { 1 };
            if let Some(best) = CONTRACT_KEYS
                .iter()
                .map(|c| (edit_distance(key, c), *c))
                .filter(|(d, _)| *d <= allowed)
                .min()
            {
                let line = self.key_line(k);
                self.err(
                    &rules::DC003,
                    line,
                    format!("unknown key `{key}`"),
                    &format!("did you mean `{}`?", best.1),
                );
            }
        }
    }

    /// A scalar's text, or a DC003 when the value is a list or mapping.
    fn text(
        &mut self,
        map: &marked_yaml::types::MarkedMappingNode,
        key: &str,
    ) -> Option<Spanned<String>> {
        let node = map.get_node(key)?;
        let line = self.line_of(node);
        match node {
            Node::Scalar(s) => {
                let v = s.as_str().trim().to_string();
                if v.is_empty() || v == "~" || v == "null" {
                    None
                } else {
                    Some(Spanned::new(v, line))
                }
            }
            _ => {
                self.err(
                    &rules::DC003,
                    line,
                    format!("`{key}` must be a single value, not a list or mapping"),
                    "",
                );
                None
            }
        }
    }

    fn required(
        &mut self,
        map: &marked_yaml::types::MarkedMappingNode,
        key: &str,
        what: &str,
    ) -> Option<Spanned<String>> {
        let v = self.text(map, key);
        if v.is_none() && map.get_node(key).is_none() {
            self.err(
                &rules::DC002,
                1,
                format!("required key `{key}` is missing"),
                &format!("add `{key}:` ({what}) to the front matter"),
            );
        } else if v.is_none() {
            let line = self.key_lines.get(key).copied().unwrap_or(1);
            self.err(
                &rules::DC002,
                line,
                format!("required key `{key}` is empty"),
                &format!("give `{key}` a value ({what})"),
            );
        }
        v
    }

    fn date(
        &mut self,
        map: &marked_yaml::types::MarkedMappingNode,
        key: &str,
    ) -> Option<Spanned<Date>> {
        let t = self.text(map, key)?;
        match parse_date(&t) {
            Some(d) if !limits::year_in_range(d) => {
                self.err(
                    &rules::DC003,
                    t.line,
                    limits::year_message(&format!("`{key}`"), &t.value),
                    "check the year; dates run from 1900-01-01 to 9999-12-31",
                );
                None
            }
            Some(d) => Some(Spanned::new(d, t.line)),
            None => {
                self.err(
                    &rules::DC003,
                    t.line,
                    format!("`{key}` is not a valid date: `{}`", t.value),
                    "write dates as YYYY-MM-DD, e.g. 2026-03-01",
                );
                None
            }
        }
    }

    fn enum_value<T>(
        &mut self,
        t: Option<Spanned<String>>,
        key: &str,
        parse: fn(&str) -> Option<T>,
        accepted: &str,
    ) -> Option<T> {
        let t = t?;
        let v = parse(&t);
        if v.is_none() {
            self.err(
                &rules::DC003,
                t.line,
                format!("unknown {key} `{}`", t.value),
                &format!("use one of: {accepted}"),
            );
        }
        v
    }

    /// A list of scalars (a single scalar counts as a one-item list).
    fn list(
        &mut self,
        map: &marked_yaml::types::MarkedMappingNode,
        key: &str,
    ) -> Vec<Spanned<String>> {
        match map.get_node(key) {
            None => Vec::new(),
            Some(node) => self.list_node(node, key),
        }
    }

    fn list_node(&mut self, node: &Node, key: &str) -> Vec<Spanned<String>> {
        match node {
            Node::Scalar(s) if s.as_str().trim().is_empty() => Vec::new(),
            Node::Scalar(s) => vec![Spanned::new(
                s.as_str().trim().to_string(),
                self.line_of(node),
            )],
            Node::Sequence(seq) => {
                let mut out = Vec::new();
                for item in seq.iter() {
                    match item {
                        Node::Scalar(s) => out.push(Spanned::new(
                            s.as_str().trim().to_string(),
                            self.line_of(item),
                        )),
                        _ => {
                            let line = self.line_of(item);
                            self.err(
                                &rules::DC003,
                                line,
                                format!("items of `{key}` must be single values"),
                                "",
                            );
                        }
                    }
                }
                out
            }
            Node::Mapping(_) => {
                let line = self.line_of(node);
                self.err(&rules::DC003, line, format!("`{key}` must be a list"), "");
                Vec::new()
            }
        }
    }

    fn controls(&mut self, items: Vec<Spanned<String>>) -> Vec<Spanned<ControlId>> {
        let mut out = Vec::new();
        for item in items {
            match ControlId::parse(&item) {
                Some(c) => out.push(Spanned::new(c, item.line)),
                None => {
                    let mapped = map_2013(&item);
                    let hint = if mapped.is_empty() {
                        "use an ISO/IEC 27001:2022 Annex A id such as 5.15 (`isms controls` lists them)".to_string()
                    } else {
                        let ids: Vec<String> = mapped.iter().map(|c| c.to_string()).collect();
                        format!(
                            "`{}` is an ISO/IEC 27001:2013 id; in 2022 it maps to {}",
                            item.value,
                            ids.join(", ")
                        )
                    };
                    self.findings.push(
                        Finding::new(
                            &rules::SOA003,
                            format!("unknown Annex A control `{}`", item.value),
                        )
                        .at(self.path, item.line)
                        .hint(hint),
                    );
                }
            }
        }
        out
    }

    fn clauses(&mut self, items: Vec<Spanned<String>>, key: &str) -> Vec<Spanned<ClauseId>> {
        let mut out = Vec::new();
        for item in items {
            match ClauseId::parse(&item) {
                Some(c) => out.push(Spanned::new(c, item.line)),
                None => self.err(
                    &rules::DC003,
                    item.line,
                    format!("unknown clause `{}` in `{key}`", item.value),
                    "use a clause number of ISO/IEC 27001:2022 clauses 4-10, e.g. 6.1.2",
                ),
            }
        }
        out
    }

    fn build(
        &mut self,
        map: &marked_yaml::types::MarkedMappingNode,
        split: &frontmatter::Split,
    ) -> Option<Document> {
        let id_text = self.required(map, "id", "a unique document id such as POL-AC");
        let title = self.required(map, "title", "the document's title");
        let type_text = self.required(map, "type", "scope, policy, procedure, record, ...");
        let doc_type = self.enum_value(type_text, "type", DocType::parse, "scope, policy, procedure, standard, plan, soa, risk-assessment, risk-treatment-plan, objectives, record, register, guideline");
        let record_kind = self.text(map, "record");
        let is_record = doc_type == Some(DocType::Record) || record_kind.is_some();
        let version = if is_record {
            self.text(map, "version")
        } else {
            self.required(map, "version", "e.g. \"1.0\"")
        };
        let status_text = if is_record {
            self.text(map, "status")
        } else {
            self.required(map, "status", "draft, approved or retired")
        };
        let status = self.enum_value(
            status_text,
            "status",
            Status::parse,
            "draft, approved, retired",
        );
        let owner = self.required(map, "owner", "the accountable role or person");
        let class_text = self.required(
            map,
            "classification",
            "public, internal, confidential or restricted",
        );
        let classification = self.enum_value(
            class_text,
            "classification",
            Classification::parse,
            "public, internal, confidential, restricted",
        );
        let id = id_text.and_then(|t| match DocId::parse(&t) {
            Some(_) if t.value.chars().count() > limits::MAX_ID_CHARS => {
                self.err(
                    &rules::DC003,
                    t.line,
                    format!(
                        "id is {} characters long, more than the limit of {}",
                        t.value.chars().count(),
                        limits::MAX_ID_CHARS
                    ),
                    "shorten the id; it names the document's page",
                );
                None
            }
            Some(id) => Some(Spanned::new(id, t.line)),
            None => {
                self.err(&rules::DC003, t.line, format!("invalid id `{}`", t.value), "ids use capital letters, digits, `.`, `_` and `-`, starting with a letter or digit, e.g. POL-AC");
                None
            }
        });
        let approved_by = self.text(map, "approved_by");
        let approved_on = self.date(map, "approved_on");
        let approved_digest = self.text(map, "approved_digest");
        if let Some(d) = &approved_digest {
            let ok = d.strip_prefix("sha256:").is_some_and(|h| {
                h.len() == 64
                    && h.bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            });
            if !ok {
                self.err(
                    &rules::DC003,
                    d.line,
                    "`approved_digest` must be `sha256:` and 64 lowercase hex digits".into(),
                    "let `isms approve` write it",
                );
            }
        }
        let next_review = self.date(map, "next_review");
        let controls_line = map.get_node("controls").map(|n| {
            self.key_lines
                .get("controls")
                .copied()
                .unwrap_or_else(|| self.line_of(n))
        });
        let control_items = self.list(map, "controls");
        let controls = self.controls(control_items);
        let clause_items = self.list(map, "clauses");
        let clauses = self.clauses(clause_items, "clauses");
        let audience_items = self.list(map, "audience");
        let audience_written = !audience_items.is_empty();
        let mut audience = Audience::default();
        for a in &audience_items {
            match a.value.as_str() {
                "staff" => audience.staff = true,
                "auditor" => audience.auditor = true,
                other => self.err(
                    &rules::DC003,
                    a.line,
                    format!("unknown audience `{other}`"),
                    "use staff and/or auditor",
                ),
            }
        }
        let summary = self.text(map, "summary").map(|s| s.value);
        let recurring = self.recurring(map);
        let acknowledge = self.acknowledge(map);
        let record = match (&record_kind, doc_type) {
            (Some(kind), _) => self.record(map, kind),
            (None, Some(DocType::Record)) => {
                self.err(
                    &rules::DC002,
                    1,
                    "required key `record` is missing".into(),
                    "add `record:` with the record kind, e.g. access-review",
                );
                None
            }
            _ => None,
        };
        if is_record && map.get_node("date").is_none() {
            self.err(
                &rules::DC002,
                1,
                "required key `date` is missing".into(),
                "add `date:` (the day of the activity, YYYY-MM-DD)",
            );
        }
        let soa = (doc_type == Some(DocType::Soa)).then(|| self.soa(map));
        let objectives = if doc_type == Some(DocType::Objectives) {
            self.objectives(map)
        } else {
            None
        };
        let actions = if doc_type == Some(DocType::RiskTreatmentPlan) && !is_record {
            self.action_entries(map)
        } else {
            Vec::new()
        };
        let mut extra = BTreeMap::new();
        for (k, v) in map.iter() {
            if !CONTRACT_KEYS.contains(&k.as_str()) {
                extra.insert(k.as_str().to_string(), to_json(v));
            }
        }
        Some(Document {
            path: self.path.to_string(),
            id: id?,
            title: title?.value,
            doc_type: doc_type?,
            version: version.map(|v| v.value),
            status,
            owner: owner?,
            classification: classification?,
            approved_by,
            approved_on,
            approved_digest,
            next_review,
            controls,
            controls_line,
            clauses,
            audience,
            audience_written,
            summary,
            recurring,
            acknowledge,
            record,
            soa,
            objectives,
            actions,
            extra,
            key_lines: std::mem::take(&mut self.key_lines),
            body: split.body.to_string(),
            body_line: split.body_line,
            body_digest: frontmatter::body_digest(split.body),
            // Set by the loader, which hashes the file's bytes once for
            // both this and the model's `sources`.
            source_digest: String::new(),
            outline: Default::default(),
            promises: Default::default(),
        })
    }

    /// `acknowledge: true|false`; any other value is DC003.
    fn acknowledge(
        &mut self,
        map: &marked_yaml::types::MarkedMappingNode,
    ) -> Option<Spanned<bool>> {
        let t = self.text(map, "acknowledge")?;
        match t.value.trim() {
            "true" => Some(Spanned::new(true, t.line)),
            "false" => Some(Spanned::new(false, t.line)),
            other => {
                self.err(
                    &rules::DC003,
                    t.line,
                    format!("`acknowledge` must be true or false, not `{other}`"),
                    "write `acknowledge: true` when staff must confirm they read each version",
                );
                None
            }
        }
    }

    fn recurring(&mut self, map: &marked_yaml::types::MarkedMappingNode) -> Vec<Recurring> {
        let Some(node) = map.get_node("recurring") else {
            return Vec::new();
        };
        let Some(seq) = node.as_sequence() else {
            let line = self.line_of(node);
            self.err(
                &rules::DC003,
                line,
                "`recurring` must be a list of {record, every}".into(),
                "e.g. recurring: [{record: access-review, every: quarterly}]",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in seq.iter() {
            let line = self.line_of(item);
            let Some(m) = item.as_mapping() else {
                self.err(
                    &rules::DC003,
                    line,
                    "items of `recurring` must be {record, every}".into(),
                    "",
                );
                continue;
            };
            let record = self.text(m, "record");
            let every = self.text(m, "every");
            match (record, every) {
                (Some(r), Some(e)) => match Interval::parse(&e) {
                    Some(every) => out.push(Recurring {
                        record: r.value,
                        every,
                        line: self.key_lines.get("recurring").copied().unwrap_or(line),
                    }),
                    None => self.err(
                        &rules::DC003,
                        e.line,
                        format!("invalid interval `{}`", e.value),
                        "use `N days/weeks/months/years`, monthly, quarterly or annually",
                    ),
                },
                _ => self.err(
                    &rules::DC003,
                    line,
                    "a `recurring` item needs both `record` and `every`".into(),
                    "",
                ),
            }
        }
        out
    }

    fn record(
        &mut self,
        map: &marked_yaml::types::MarkedMappingNode,
        kind: &Spanned<String>,
    ) -> Option<Record> {
        let date = self.date(map, "date");
        let data = self.text(map, "data");
        let details = match kind.as_str() {
            "internal-audit" => {
                let auditor = self.text(map, "auditor");
                let sc = self.list(map, "scope_clauses");
                let scope_clauses = self
                    .clauses(sc, "scope_clauses")
                    .into_iter()
                    .map(|c| c.value)
                    .collect();
                let sk = self.list(map, "scope_controls");
                let scope_controls = self.controls(sk).into_iter().map(|c| c.value).collect();
                let findings_line = map
                    .get_node("findings")
                    .map(|_| self.key_lines.get("findings").copied().unwrap_or(1));
                let findings = self.audit_findings(map);
                RecordDetails::InternalAudit(InternalAudit {
                    auditor,
                    scope_clauses,
                    scope_controls,
                    findings,
                    findings_line,
                })
            }
            "management-review" => {
                let attendees = self
                    .list(map, "attendees")
                    .into_iter()
                    .map(|a| a.value)
                    .collect();
                let attendees_line = self.key_lines.get("attendees").copied();
                let inputs_line = self.key_lines.get("inputs").copied();
                let inputs = self.review_inputs(map);
                let actions = self.action_entries(map);
                RecordDetails::ManagementReview(ManagementReview {
                    attendees,
                    attendees_line,
                    inputs,
                    inputs_line,
                    actions,
                })
            }
            "access-review" => RecordDetails::AccessReview(AccessReview {
                systems: self
                    .list(map, "systems")
                    .into_iter()
                    .map(|s| s.value)
                    .collect(),
                reviewer: self.text(map, "reviewer").map(|r| r.value),
            }),
            "training" => RecordDetails::Training {
                course: self.text(map, "course").map(|c| c.value),
            },
            "certification-audit" => RecordDetails::CertificationAudit(self.certification(map)),
            _ => RecordDetails::Other,
        };
        Some(Record {
            kind: kind.value.clone(),
            date: date?,
            data,
            details,
            table: None,
        })
    }

    fn review_inputs(
        &mut self,
        map: &marked_yaml::types::MarkedMappingNode,
    ) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        let Some(node) = map.get_node("inputs") else {
            return out;
        };
        match node {
            Node::Mapping(m) => {
                for (k, v) in m.iter() {
                    out.push((k.as_str().to_string(), Some(display_node(v))));
                }
            }
            other => {
                for item in self.list_node(other, "inputs") {
                    out.push((item.value, None));
                }
            }
        }
        for (key, _) in &out {
            if !REVIEW_INPUTS.iter().any(|(k, _)| k == key) {
                let line = self.key_lines.get("inputs").copied().unwrap_or(1);
                self.err(&rules::DC003, line, format!("unknown management review input `{key}`"), "use previous-actions, issue-changes, interested-party-changes, performance, interested-party-feedback, risk, improvement");
            }
        }
        out
    }

    fn audit_findings(&mut self, map: &marked_yaml::types::MarkedMappingNode) -> Vec<AuditFinding> {
        let mut out = Vec::new();
        let Some(node) = map.get_node("findings") else {
            return out;
        };
        let Some(seq) = node.as_sequence() else {
            return out;
        };
        for item in seq.iter() {
            let line = self.line_of(item);
            let Some(m) = item.as_mapping() else {
                self.err(
                    &rules::DC003,
                    line,
                    "audit findings must be mappings {id, severity, ...}".into(),
                    "",
                );
                continue;
            };
            let sev_text = self.text(m, "severity");
            let severity = match sev_text {
                None => {
                    self.err(
                        &rules::DC002,
                        line,
                        "audit finding without `severity`".into(),
                        "use major, minor or observation",
                    );
                    continue;
                }
                Some(s) => match self.enum_value(
                    Some(s),
                    "finding severity",
                    AuditSeverity::parse,
                    "major, minor, observation",
                ) {
                    Some(s) => s,
                    None => continue,
                },
            };
            out.push(AuditFinding {
                id: self.text(m, "id").map(|t| t.value).unwrap_or_default(),
                severity,
                reference: self.text(m, "ref").map(|t| t.value),
                summary: self.text(m, "summary").map(|t| t.value),
                action: self.text(m, "action").map(|t| t.value),
                due: self.date(m, "due").map(|d| d.value),
                closed_on: self.date(m, "closed_on").map(|d| d.value),
                action_id: self.text(m, "action_id"),
                line,
            });
        }
        out
    }

    /// `actions:` of a management review or a risk-treatment plan: a list of
    /// `{id, risk, action, owner, due, closed_on}`, or v1's plain strings
    /// (actions without owner or due).
    fn action_entries(&mut self, map: &marked_yaml::types::MarkedMappingNode) -> Vec<ActionEntry> {
        let Some(node) = map.get_node("actions") else {
            return Vec::new();
        };
        let items: Vec<&Node> = match node {
            Node::Sequence(seq) => seq.iter().collect(),
            other => vec![other],
        };
        let mut out = Vec::new();
        for item in items {
            let line = self.line_of(item);
            match item {
                Node::Scalar(s) => {
                    let text = s.as_str().trim();
                    if !text.is_empty() {
                        out.push(ActionEntry {
                            action: Some(text.to_string()),
                            line,
                            ..ActionEntry::default()
                        });
                    }
                }
                Node::Mapping(m) => out.push(ActionEntry {
                    id: self.text(m, "id").map(|t| t.value),
                    risk: self.text(m, "risk").map(|t| t.value),
                    action: self.text(m, "action").map(|t| t.value),
                    owner: self.text(m, "owner").map(|t| t.value),
                    due: self.date(m, "due").map(|d| d.value),
                    closed_on: self.date(m, "closed_on").map(|d| d.value),
                    line,
                }),
                Node::Sequence(_) => self.err(
                    &rules::DC003,
                    line,
                    "items of `actions` must be `{id, action, owner, due, closed_on}` or text".into(),
                    "e.g. actions: [{id: MR-1, action: Review supplier contracts, owner: Head of IT, due: 2027-04-30}]",
                ),
            }
        }
        out
    }

    /// A certification-body audit: `stage`, `body` and graded `findings`.
    fn certification(&mut self, map: &marked_yaml::types::MarkedMappingNode) -> CertificationAudit {
        let stage_text = self.text(map, "stage");
        let stage = self.enum_value(
            stage_text,
            "certification audit stage",
            CertStage::parse,
            "stage1, stage2, surveillance, recertification",
        );
        let body = self.text(map, "body").map(|t| t.value);
        let mut findings = Vec::new();
        if let Some(node) = map.get_node("findings") {
            let Some(seq) = node.as_sequence() else {
                let line = self.line_of(node);
                self.err(
                    &rules::DC003,
                    line,
                    "`findings` must be a list of {id, grade, summary, ...}".into(),
                    "",
                );
                return CertificationAudit {
                    stage,
                    body,
                    findings,
                };
            };
            for item in seq.iter() {
                let line = self.line_of(item);
                let Some(m) = item.as_mapping() else {
                    self.err(
                        &rules::DC003,
                        line,
                        "certification audit findings must be mappings {id, grade, ...}".into(),
                        "",
                    );
                    continue;
                };
                let grade_text = self.text(m, "grade");
                if grade_text.is_none() {
                    self.err(
                        &rules::DC002,
                        line,
                        "certification audit finding without `grade`".into(),
                        "use major, minor, observation, ofi or concern",
                    );
                    continue;
                }
                let Some(grade) = self.enum_value(
                    grade_text,
                    "finding grade",
                    Grade::parse,
                    "major, minor, observation, ofi, concern",
                ) else {
                    continue;
                };
                findings.push(CertFinding {
                    id: self.text(m, "id").map(|t| t.value).unwrap_or_default(),
                    grade,
                    summary: self.text(m, "summary").map(|t| t.value),
                    clause: self.text(m, "clause").map(|t| t.value),
                    control: self.text(m, "control").map(|t| t.value),
                    action_id: self.text(m, "action_id"),
                    due: self.date(m, "due").map(|d| d.value),
                    closed_on: self.date(m, "closed_on").map(|d| d.value),
                    line,
                });
            }
        }
        CertificationAudit {
            stage,
            body,
            findings,
        }
    }

    fn soa(&mut self, map: &marked_yaml::types::MarkedMappingNode) -> Soa {
        let line = self.key_lines.get("applicability").copied().unwrap_or(1);
        let mut soa = Soa {
            line,
            entries: Vec::new(),
        };
        let Some(node) = map.get_node("applicability") else {
            self.err(
                &rules::DC002,
                1,
                "the SoA has no `applicability:` list".into(),
                "add one entry per Annex A control",
            );
            return soa;
        };
        let Some(seq) = node.as_sequence() else {
            self.err(
                &rules::DC003,
                line,
                "`applicability` must be a list".into(),
                "",
            );
            return soa;
        };
        for item in seq.iter() {
            let line = self.line_of(item);
            let Some(m) = item.as_mapping() else {
                self.err(
                    &rules::DC003,
                    line,
                    "SoA entries must be mappings {control, applicable, status, justification}"
                        .into(),
                    "",
                );
                continue;
            };
            let Some(control_text) = self.text(m, "control") else {
                self.err(
                    &rules::DC002,
                    line,
                    "SoA entry without `control`".into(),
                    "",
                );
                continue;
            };
            let Some(control) = self.controls(vec![control_text]).pop() else {
                continue;
            };
            let applicable = match self.text(m, "applicable") {
                Some(t) if t.value == "true" || t.value == "yes" => true,
                Some(t) if t.value == "false" || t.value == "no" => false,
                Some(t) => {
                    self.err(
                        &rules::DC003,
                        t.line,
                        format!("`applicable` must be true or false, not `{}`", t.value),
                        "",
                    );
                    continue;
                }
                None => {
                    self.err(
                        &rules::DC002,
                        line,
                        format!("SoA entry for {} without `applicable`", control.value),
                        "add `applicable: true` or `false`",
                    );
                    continue;
                }
            };
            let status_text = self.text(m, "status");
            let status = self.enum_value(
                status_text,
                "implementation status",
                ImplementationStatus::parse,
                "implemented, partial, planned, not-implemented",
            );
            let justification = self.text(m, "justification").map(|j| j.value);
            soa.entries.push(SoaEntry {
                control: control.value,
                applicable,
                status,
                justification,
                line: control.line,
            });
        }
        soa
    }

    fn objectives(
        &mut self,
        map: &marked_yaml::types::MarkedMappingNode,
    ) -> Option<Spanned<Vec<Objective>>> {
        let node = map.get_node("objectives")?;
        let line = self.key_lines.get("objectives").copied().unwrap_or(1);
        let mut out = Vec::new();
        if let Some(seq) = node.as_sequence() {
            for item in seq.iter() {
                let iline = self.line_of(item);
                let Some(m) = item.as_mapping() else { continue };
                out.push(Objective {
                    objective: self.text(m, "objective").map(|t| t.value),
                    owner: self.text(m, "owner").map(|t| t.value),
                    measure: self.text(m, "measure").map(|t| t.value),
                    target: self.text(m, "target").map(|t| t.value),
                    due: self.date(m, "due").map(|d| d.value),
                    line: iline,
                });
            }
        }
        Some(Spanned::new(out, line))
    }
}

/// A compact human rendering of any node (for notes and actions).
fn display_node(node: &Node) -> String {
    match node {
        Node::Scalar(s) => s.as_str().to_string(),
        Node::Sequence(seq) => seq.iter().map(display_node).collect::<Vec<_>>().join("; "),
        Node::Mapping(m) => m
            .iter()
            .map(|(k, v)| format!("{}: {}", k.as_str(), display_node(v)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn to_json(node: &Node) -> serde_json::Value {
    match node {
        Node::Scalar(s) => serde_json::Value::String(s.as_str().to_string()),
        Node::Sequence(seq) => serde_json::Value::Array(seq.iter().map(to_json).collect()),
        Node::Mapping(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| (k.as_str().to_string(), to_json(v)))
                .collect(),
        ),
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<std::sync::Arc<Document>>, Vec<Finding>) {
        match parse_document("p.md", text) {
            Parsed::Document { document, findings } => (document, findings),
            Parsed::NotADocument => panic!("not a document"),
        }
    }

    const GOOD: &str = "---\nid: POL-AC\ntitle: Access control\ntype: policy\nversion: 1.10\nstatus: approved\nowner: Head of IT\nclassification: internal\ncontrols: [5.1, 5.10, A.5.15]\n---\n# Body\n";

    #[test]
    fn ids_and_versions_as_written() {
        let (doc, findings) = parse(GOOD);
        assert!(findings.is_empty(), "{findings:?}");
        let doc = doc.expect("doc");
        assert_eq!(doc.version.as_deref(), Some("1.10"));
        let c: Vec<String> = doc.controls.iter().map(|c| c.value.to_string()).collect();
        assert_eq!(c, vec!["5.1", "5.10", "5.15"]);
        assert_eq!(doc.line_of("controls"), 9);
        assert_eq!(doc.body_line, 11);
    }

    #[test]
    fn reports_every_problem_with_lines() {
        let text = "---\nid: pol\ntitle: X\ntype: polcy\nversion: \"1\"\nstatus: approved\nowner: A\nclassification: secret\naproved_by: B\napproved_on: 2026-02-30\ncontrols: [\"A.9.2.1\"]\n---\n";
        let (_, f) = parse(text);
        let got: Vec<(&str, Option<u32>)> = f.iter().map(|f| (f.rule.code, f.line)).collect();
        for want in [
            ("DC003", Some(2)),
            ("DC003", Some(4)),
            ("DC003", Some(8)),
            ("DC003", Some(9)),
            ("DC003", Some(10)),
            ("SOA003", Some(11)),
        ] {
            assert!(got.contains(&want), "{want:?} not in {got:?}");
        }
        let soa3 = f.iter().find(|f| f.rule.code == "SOA003").expect("soa003");
        assert!(soa3.hint.as_deref().unwrap_or("").contains("5.16"));
    }

    #[test]
    fn broken_yaml_and_missing_keys() {
        let (_, f) = parse("---\nid: [unclosed\n---\n");
        assert_eq!(f[0].rule.code, "DC001");
        let (_, f) = parse("---\nid: X\n---\n");
        assert!(f
            .iter()
            .any(|f| f.rule.code == "DC002" && f.message.contains("title")));
    }

    /// YAML counts a lone carriage return as a line break; editors, `git`
    /// and every other line the tool reports count `\n` only, so the parser's
    /// line numbers are mapped back to the file's.
    #[test]
    fn a_lone_carriage_return_does_not_push_lines_past_the_file() {
        // Line 2 holds two YAML lines split by a lone CR; the bad key is on
        // file line 3, which YAML calls line 4 of the file.
        let (_, f) = parse("---\nid: X\rtitle: Y\nowner\n[x\n---\n");
        assert_eq!(f[0].rule.code, "DC001", "{f:?}");
        assert!(f[0].line.is_some_and(|l| l <= 5), "{f:?}");
        let (_, f) = parse("---\nid: X\r\r\rtype: polcy\n---\n");
        let typo = f
            .iter()
            .find(|f| f.message.contains("polcy"))
            .expect("type finding");
        assert_eq!(typo.line, Some(2), "{f:?}");
        let (_, f) = parse("---\nid: X\r\r\rid: Y\n---\n");
        assert_eq!(f[0].line, Some(2), "{f:?}");
    }

    #[test]
    fn record_without_version() {
        let (doc, f) = parse("---\nid: R1\ntitle: T\ntype: record\nrecord: access-review\ndate: 2026-01-01\nowner: A\nclassification: internal\n---\n");
        assert!(f.is_empty(), "{f:?}");
        assert!(doc.expect("doc").is_record());
    }
}
