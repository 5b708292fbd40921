//! Client-side validation of the create and restore forms, mirroring the server's rules
//! (`usecases/backup/handler.go`, `scheduler.go`) so nothing invalid is ever sent.

use crate::version::{Capabilities, Feature};

/// A form field a rule can reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Backend,
    Id,
    Include,
    Exclude,
    Cpu,
    Compression,
    Bucket,
    Path,
    BaseId,
    NodeMapping,
    Roles,
    // A backup policy's own fields (`policy`).
    Name,
    Schedule,
    TimeZone,
    IdTemplate,
    Incremental,
    Retention,
    Freshness,
}

/// The rejected fields of a form, each with the rule it broke, in form order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(Field, String)>);

impl FieldErrors {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Every rejected field with its message, in form order.
    pub fn iter(&self) -> impl Iterator<Item = (Field, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }
    /// Adds every error of `other` whose field has none yet.
    pub fn extend(&mut self, other: FieldErrors) {
        for (f, m) in other.0 {
            self.add(f, m);
        }
    }
    pub fn add(&mut self, field: Field, msg: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, msg.into()));
        }
    }
}

/// The id rule of the server: `^[a-z0-9_-]+$`.
pub fn check_backup_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("Backup ID is required.".into());
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-'))
    {
        let what = if bad == ' ' { "a space".to_string() } else { format!("'{bad}'") };
        return Err(format!(
            "Backup ID may contain only lowercase letters, digits, '_' and '-' (found {what})."
        ));
    }
    Ok(())
}

/// A collection list as typed: names separated by commas and/or whitespace.
pub fn parse_collection_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn first_duplicate(names: &[String]) -> Option<&str> {
    names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
        .map(|(_, n)| n.as_str())
}

/// A name is a wildcard pattern when it has `*` or `?` (then `[...]` classes work too).
pub fn is_pattern(name: &str) -> bool {
    name.contains(['*', '?'])
}

/// Go's `path.Match`, as the server uses it: `*` is any run of characters but `/`, `?` one
/// character but `/`, `[abc]`, `[a-z]`, `[^a]` a class, `\` escapes the next character. A
/// malformed pattern matches nothing. Characters are Unicode scalars (Go reads bytes, which
/// differs only for non-ASCII names, and Weaviate's collection names are ASCII).
///
/// Go's own algorithm, so it runs in O(pattern × name) time: the pattern splits into chunks, each
/// a `*` run and then fixed-width tokens, and each chunk takes the earliest place it fits (the
/// last one must end the name). Without a `/` in the name, as in every collection name, that
/// finds every match; with one, a class matching the `/` can end a chunk too early (`*[^a]*`
/// does not match `x/a`), and this answers as Go does.
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    let Some(chunks) = glob::parse(pattern) else {
        return false;
    };
    let name: Vec<char> = name.chars().collect();
    let mut rest = &name[..];
    for (i, chunk) in chunks.iter().enumerate() {
        let last = i + 1 == chunks.len();
        if chunk.star && chunk.tokens.is_empty() {
            return !rest.contains(&'/');
        }
        let width = chunk.tokens.len();
        let fits = |at: &[char]| {
            at.len() >= width && (!last || at.len() == width) && chunk.tokens.iter().zip(at).all(|(t, c)| t.matches(*c))
        };
        let max_skip = if chunk.star { rest.iter().position(|c| *c == '/').unwrap_or(rest.len()) } else { 0 };
        match (0..=max_skip).find(|k| fits(&rest[*k..])) {
            Some(k) => rest = &rest[k + width..],
            None => return false,
        }
    }
    rest.is_empty()
}

mod glob {
    /// What one name character must be.
    pub enum Token {
        Literal(char),
        /// `?`
        Any,
        Class { negated: bool, ranges: Vec<(char, char)> },
    }

    impl Token {
        pub fn matches(&self, c: char) -> bool {
            match self {
                Token::Literal(l) => *l == c,
                Token::Any => c != '/',
                // As in Go, a class may match `/`.
                Token::Class { negated, ranges } => ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated,
            }
        }
    }

    /// Tokens after a run of `*` (if `star`).
    pub struct Chunk {
        pub star: bool,
        pub tokens: Vec<Token>,
    }

    /// The chunks of a pattern, or `None` when Go would answer `ErrBadPattern`.
    pub fn parse(pattern: &str) -> Option<Vec<Chunk>> {
        let mut p = pattern.chars().peekable();
        let mut chunks = vec![];
        while p.peek().is_some() {
            let mut chunk = Chunk { star: false, tokens: vec![] };
            while p.next_if_eq(&'*').is_some() {
                chunk.star = true;
            }
            while let Some(c) = p.next_if(|c| *c != '*') {
                chunk.tokens.push(match c {
                    '?' => Token::Any,
                    '\\' => Token::Literal(p.next()?),
                    '[' => class(&mut p)?,
                    c => Token::Literal(c),
                });
            }
            chunks.push(chunk);
        }
        Some(chunks)
    }

    /// A class after its `[`, by Go's rules: not empty, `-` and `]` only escaped (or `]` as the
    /// end), and closed.
    fn class(p: &mut std::iter::Peekable<std::str::Chars>) -> Option<Token> {
        let negated = p.next_if_eq(&'^').is_some();
        let mut ranges = vec![];
        loop {
            if !ranges.is_empty() && p.next_if_eq(&']').is_some() {
                return Some(Token::Class { negated, ranges });
            }
            let lo = endpoint(p)?;
            let hi = if p.next_if_eq(&'-').is_some() { endpoint(p)? } else { lo };
            ranges.push((lo, hi));
        }
    }

    /// One end of a range; Go also refuses one that ends the pattern (the class is unclosed).
    fn endpoint(p: &mut std::iter::Peekable<std::str::Chars>) -> Option<char> {
        let c = match p.next()? {
            '-' | ']' => return None,
            '\\' => p.next()?,
            c => c,
        };
        p.peek()?;
        Some(c)
    }
}

/// The collections `names` select from `known`: patterns expanded, duplicates removed.
pub fn expand(names: &[String], known: &[String]) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for n in names {
        let hits: Vec<&String> = if is_pattern(n) {
            known.iter().filter(|k| pattern_matches(n, k)).collect()
        } else {
            vec![n]
        };
        for h in hits {
            if !out.contains(h) {
                out.push(h.clone());
            }
        }
    }
    out
}

/// What the patterns in a typed list match, for display under the field; `None` without patterns.
pub fn pattern_preview(text: &str, known: &[String]) -> Option<String> {
    let names = parse_collection_list(text);
    if !names.iter().any(|n| is_pattern(n)) {
        return None;
    }
    let hits = expand(&names, known);
    Some(if hits.is_empty() { "Matches no collection.".into() } else { format!("Matches: {}.", hits.join(", ")) })
}

/// The first rule a list of names breaks. `known` are the collections to match against (the
/// schema for a create), `None` when unknown.
pub(crate) fn check_names(names: &[String], known: Option<&[String]>, caps: Capabilities) -> Option<String> {
    if let Some(d) = first_duplicate(names) {
        return Some(format!("{d} is listed twice."));
    }
    if let Some(p) = names.iter().find(|n| is_pattern(n)) {
        if !caps.has(Feature::Wildcards) {
            return Some(format!(
                "Wildcards need Weaviate {} or newer; this server would look for a collection named {p}.",
                Feature::Wildcards.since()
            ));
        }
    }
    let known = known?;
    if let Some(p) = names.iter().find(|n| is_pattern(n) && !known.iter().any(|k| pattern_matches(n, k))) {
        return Some(format!(
            "{p} matches no collection (the server would then take every collection)."
        ));
    }
    let unknown: Vec<&str> =
        names.iter().filter(|n| !is_pattern(n) && !known.contains(n)).map(String::as_str).collect();
    (!unknown.is_empty()).then(|| unknown_message(&unknown, known))
}

fn unknown_message(unknown: &[&str], known: &[String]) -> String {
    let hint = unknown
        .iter()
        .find_map(|u| known.iter().find(|k| k.eq_ignore_ascii_case(u)))
        .map(|k| format!(" Names are case-sensitive: did you mean {k}?"))
        .unwrap_or_default();
    format!("No such collection: {}.{hint}", unknown.join(", "))
}

/// What the user typed into a create or restore form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SelectionForm {
    pub backend: String,
    pub id: String,
    pub include: String,
    pub exclude: String,
}

/// A valid form: backend, id, and the collection selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    pub backend: String,
    pub id: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl SelectionForm {
    /// Applies every rule; `known` are the collections names must match (the schema for a
    /// create, the backup's classes for a restore) when known.
    pub fn validate(&self, known: Option<&[String]>, caps: Capabilities) -> Result<Selection, FieldErrors> {
        let mut errs = FieldErrors::default();
        let backend = self.backend.trim().to_string();
        if backend.is_empty() {
            errs.add(Field::Backend, "Choose a backup backend.");
        }
        let id = self.id.trim().to_string();
        if let Err(e) = check_backup_id(&id) {
            errs.add(Field::Id, e);
        }
        let include = parse_collection_list(&self.include);
        let exclude = parse_collection_list(&self.exclude);
        if !include.is_empty() && !exclude.is_empty() {
            let msg = "Use either include or exclude, not both.";
            errs.add(Field::Include, msg);
            errs.add(Field::Exclude, msg);
        }
        for (field, names) in [(Field::Include, &include), (Field::Exclude, &exclude)] {
            if let Some(m) = check_names(names, known, caps) {
                errs.add(field, m);
            }
        }
        if errs.is_empty() {
            Ok(Selection { backend, id, include, exclude })
        } else {
            Err(errs)
        }
    }
}

impl Selection {
    /// Re-checks the collection names against `known` once they are known (for a restore, the
    /// backup's collections, which the form does not have when it first validates).
    pub fn check_names_against(&self, known: &[String], caps: Capabilities) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        for (field, names) in [(Field::Include, &self.include), (Field::Exclude, &self.exclude)] {
            if let Some(m) = check_names(names, Some(known), caps) {
                errs.add(field, m);
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }

}

/// Collections a restore would create that already exist: Weaviate accepts such a restore,
/// then ends it FAILED. `backup_classes` are the backup's collections when known; without
/// them every existing collection the selection does not rule out is a possible conflict.
pub fn restore_conflicts(sel: &Selection, backup_classes: Option<&[String]>, existing: &[String]) -> Vec<String> {
    let targets: Vec<String> = match (sel.include.is_empty(), backup_classes) {
        (false, Some(classes)) => expand(&sel.include, classes),
        (false, None) => expand(&sel.include, existing),
        (true, classes) => {
            let pool = classes.unwrap_or(existing);
            let excluded = expand(&sel.exclude, pool);
            pool.iter().filter(|c| !excluded.contains(c)).cloned().collect()
        }
    };
    targets.into_iter().filter(|t| existing.contains(t)).collect()
}

/// A fresh, valid backup id from a UTC timestamp, e.g. `backup-20261123-1530`.
pub fn generated_backup_id(year: u32, month: u32, day: u32, hour: u32, minute: u32) -> String {
    format!("backup-{year:04}{month:02}{day:02}-{hour:02}{minute:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Capabilities = Capabilities { version: crate::version::Version::new(1, 39, 0) };

    fn form(id: &str, include: &str, exclude: &str) -> SelectionForm {
        SelectionForm {
            backend: "filesystem".into(),
            id: id.into(),
            include: include.into(),
            exclude: exclude.into(),
        }
    }

    #[test]
    fn id_rule_matches_server_regex() {
        for ok in ["a", "nightly-1", "b_2", "0", "x-y_z-09"] {
            assert!(check_backup_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "My Backup", "UPPER", "a.b", "a/b", "é", "a b", "tab\t"] {
            assert!(check_backup_id(bad).is_err(), "{bad:?}");
        }
        assert!(check_backup_id("My Backup").unwrap_err().contains("lowercase"));
    }

    #[test]
    fn lists_split_on_commas_and_spaces() {
        assert_eq!(
            parse_collection_list(" Article, Paragraph  Author,,\n"),
            vec!["Article", "Paragraph", "Author"]
        );
        assert!(parse_collection_list(" , ").is_empty());
    }

    #[test]
    fn include_and_exclude_are_exclusive() {
        let e = form("b", "Article", "Paragraph").validate(None, ALL).unwrap_err();
        assert!(e.get(Field::Include).unwrap().contains("not both"));
        assert!(e.get(Field::Exclude).unwrap().contains("not both"));
        assert!(form("b", "Article", "").validate(None, ALL).is_ok());
        assert!(form("b", "", "Article").validate(None, ALL).is_ok());
        assert!(form("b", "", "").validate(None, ALL).is_ok());
    }

    #[test]
    fn duplicates_are_rejected() {
        let e = form("b", "Article, Article", "").validate(None, ALL).unwrap_err();
        assert_eq!(e.get(Field::Include), Some("Article is listed twice."));
    }

    #[test]
    fn unknown_collections_flagged_case_sensitively() {
        let known = vec!["Article".to_string(), "Paragraph".to_string()];
        let e = form("b", "article", "").validate(Some(&known), ALL).unwrap_err();
        let msg = e.get(Field::Include).unwrap();
        assert!(msg.contains("No such collection: article"), "{msg}");
        assert!(msg.contains("did you mean Article"), "{msg}");
        let ok = form("b", "Article", "").validate(Some(&known), ALL).unwrap();
        assert_eq!(ok.include, vec!["Article"]);
        assert!(form("b", "", "Nope").validate(Some(&known), ALL).is_err());
    }

    #[test]
    fn valid_form_builds_the_request() {
        let create = crate::options::CreateForm { selection: form(" nightly-1 ", "Article Paragraph", ""), ..Default::default() };
        let (_, r, _) = create.validate(None, ALL).unwrap();
        assert_eq!(r.id, "nightly-1");
        assert_eq!(r.include, vec!["Article", "Paragraph"]);
        assert!(r.exclude.is_empty());
    }

    #[test]
    fn empty_backend_and_id() {
        let mut f = form("", "", "");
        f.backend.clear();
        let e = f.validate(None, ALL).unwrap_err();
        assert!(e.get(Field::Backend).is_some());
        assert_eq!(e.get(Field::Id), Some("Backup ID is required."));
    }

    #[test]
    fn go_path_match_semantics() {
        assert!(pattern_matches("Art*", "Article"));
        assert!(pattern_matches("*", "Article"));
        assert!(pattern_matches("A?thor", "Author"));
        assert!(pattern_matches("[AP]*", "Paragraph"));
        assert!(pattern_matches("[a-z]*", "x"));
        assert!(!pattern_matches("[^A]*", "Article"));
        assert!(!pattern_matches("art*", "Article"), "case-sensitive");
        assert!(!pattern_matches("A?", "Art"));
        assert!(!pattern_matches("[A", "A"), "malformed matches nothing");
        assert!(!pattern_matches("", "A"));
    }

    /// `TestMatch` of Go's `path/match_test.go`; `ErrBadPattern` is no match.
    #[test]
    fn go_match_test_table() {
        let table: &[(&str, &str, bool)] = &[
            ("abc", "abc", true),
            ("*", "abc", true),
            ("*c", "abc", true),
            ("a*", "a", true),
            ("a*", "abc", true),
            ("a*", "ab/c", false),
            ("a*/b", "abc/b", true),
            ("a*/b", "a/c/b", false),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false),
            ("a*b?c*x", "abxbbxdbxebxczzx", true),
            ("a*b?c*x", "abxbbxdbxebxczzy", false),
            ("ab[c]", "abc", true),
            ("ab[b-d]", "abc", true),
            ("ab[e-g]", "abc", false),
            ("ab[^c]", "abc", false),
            ("ab[^b-d]", "abc", false),
            ("ab[^e-g]", "abc", true),
            ("a\\*b", "a*b", true),
            ("a\\*b", "ab", false),
            ("a?b", "a☺b", true),
            ("a[^a]b", "a☺b", true),
            ("a???b", "a☺b", false),
            ("a[^a][^a][^a]b", "a☺b", false),
            ("[a-ζ]*", "α", true),
            ("*[a-ζ]", "A", false),
            ("a?b", "a/b", false),
            ("a*b", "a/b", false),
            ("[\\]a]", "]", true),
            ("[\\-]", "-", true),
            ("[x\\-]", "x", true),
            ("[x\\-]", "-", true),
            ("[x\\-]", "z", false),
            ("[\\-x]", "x", true),
            ("[\\-x]", "-", true),
            ("[\\-x]", "a", false),
            ("[]a]", "]", false),
            ("[-]", "-", false),
            ("[x-]", "x", false),
            ("[x-]", "-", false),
            ("[x-]", "z", false),
            ("[-x]", "x", false),
            ("[-x]", "-", false),
            ("[-x]", "a", false),
            ("\\", "a", false),
            ("[a-b-c]", "a", false),
            ("[", "a", false),
            ("[^", "a", false),
            ("[^bc", "a", false),
            ("a[", "a", false),
            ("a[", "ab", false),
            ("a[", "x", false),
            ("a/b[", "x", false),
            ("*x", "xxx", true),
            // Go's greedy chunks: `[^a]` takes the `x`, and the last `*` cannot cross the `/`.
            ("*[^a]*", "x/a", false),
            ("*[^a]", "x/", true),
        ];
        for (pattern, name, want) in table {
            assert_eq!(pattern_matches(pattern, name), *want, "{pattern:?} {name:?}");
        }
    }

    #[test]
    fn adversarial_patterns_take_linear_time() {
        let pattern = format!("{}c", "*a".repeat(60));
        let name = "a".repeat(5_000);
        assert!(!pattern_matches(&pattern, &name));
        assert!(pattern_matches(&pattern, &format!("{name}c")));
        let deep = "a".repeat(200_000);
        assert!(pattern_matches(&deep, &deep), "no recursion, so no stack overflow");
        let known = vec![name.clone(), "Article".to_string()];
        assert_eq!(pattern_preview(&pattern, &known).unwrap(), "Matches no collection.");
    }

    #[test]
    fn wildcards_expand_and_must_match_something() {
        let known = vec!["Article".to_string(), "Author".to_string(), "Paragraph".to_string()];
        assert_eq!(expand(&["A*".into(), "Article".into()], &known), vec!["Article", "Author"]);
        assert_eq!(pattern_preview("A*", &known).unwrap(), "Matches: Article, Author.");
        assert_eq!(pattern_preview("Zed*", &known).unwrap(), "Matches no collection.");
        assert_eq!(pattern_preview("Article", &known), None);
        let e = form("b", "Zed*", "").validate(Some(&known), ALL).unwrap_err();
        assert!(e.get(Field::Include).unwrap().contains("matches no collection"));
        assert!(form("b", "A*", "").validate(Some(&known), ALL).is_ok());
    }

    #[test]
    fn wildcards_refused_on_old_servers() {
        let old = Capabilities::for_version("1.35.0");
        let e = form("b", "A*", "").validate(None, old).unwrap_err();
        assert!(e.get(Field::Include).unwrap().contains("1.36.0 or newer"));
    }

    #[test]
    fn restore_conflicts_name_existing_collections() {
        let existing = vec!["Article".to_string(), "Other".to_string()];
        let backup = vec!["Article".to_string(), "Paragraph".to_string()];
        let sel = |inc: &str, exc: &str| form("b", inc, exc).validate(None, ALL).unwrap();
        assert_eq!(restore_conflicts(&sel("", ""), Some(&backup), &existing), vec!["Article"]);
        assert!(restore_conflicts(&sel("Paragraph", ""), Some(&backup), &existing).is_empty());
        assert!(restore_conflicts(&sel("", "Article"), Some(&backup), &existing).is_empty());
        assert_eq!(restore_conflicts(&sel("A*", ""), Some(&backup), &existing), vec!["Article"]);
        // Backup contents unknown: every existing collection not excluded may conflict.
        assert_eq!(restore_conflicts(&sel("", "Other"), None, &existing), vec!["Article"]);
    }

    #[test]
    fn names_rechecked_against_a_backup() {
        let backup = vec!["Article".to_string()];
        let sel = form("b", "Paragraph", "").validate(None, ALL).unwrap();
        let e = sel.check_names_against(&backup, ALL).unwrap_err();
        assert!(e.get(Field::Include).unwrap().contains("No such collection: Paragraph"));
        let ok = form("b", "Art*", "").validate(None, ALL).unwrap();
        assert!(ok.check_names_against(&backup, ALL).is_ok());
    }

    #[test]
    fn generated_id_is_valid() {
        let id = generated_backup_id(2026, 11, 23, 15, 30);
        assert_eq!(id, "backup-20261123-1530");
        assert!(check_backup_id(&id).is_ok());
    }
}
