//! Property tests: every parser and formatter of the crate is total on hostile input (a broken
//! or malicious server, a tampered `localStorage`, a crafted link, query or host message) and
//! keeps its invariants.
//!
//! Each property runs [`cases()`] cases: `PROPTEST_CASES` when set, else 100 000, and prints
//! `proptest <name>: <cases> cases`. Cargo shows that output only when asked:
//! `cargo test -p backup-core --lib -- --nocapture`. The longer run, before a release:
//! `PROPTEST_CASES=10000000 cargo test -p backup-core --lib --release props`.
//!
//! A failing case is shrunk and reported, and its seed saved in
//! `core/proptest-regressions/props.txt`, which every later run replays first: commit it.

use std::fmt::Debug;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseResult, TestRunner};
use serde_json::{json, Number, Value};

use crate::api::{BackupListItem, Meta, Nodes, Schema, StartedResponse, StatusResponse};
use crate::config::{normalize_url, query_param, read_config_file, ConsoleConfig, Source};
use crate::error::{message_hint, parse_error_message, ApiError, Fault};
use crate::export::{to_csv, to_json};
use crate::format::{human_duration, human_size_gib, parse_rfc3339_ms};
use crate::host::{parse_host_message, ConsoleEvent, HostMessage};
use crate::job::{Job, JobKey, JobKind};
use crate::journal::Journal;
use crate::key::check_api_key;
use crate::options::{parse_node_mapping, CreateOptions, Location, RestoreOptions};
use crate::origin::{base_of, clear_text_to_network, exact_origin, origin_of, BoundKey};
use crate::poll::{PollPolicy, PollSlot};
use crate::preflight::Facts;
use crate::route::Route;
use crate::snippet::{curl, python, SentRequest};
use crate::status::Status;
use crate::table::{SortBy, StatusFilter, TableView};
use crate::validate::{
    check_backup_id, expand, generated_backup_id, is_pattern, parse_collection_list, pattern_matches, pattern_preview,
    restore_conflicts, SelectionForm,
};
use crate::version::{Capabilities, Feature, Version};

const DEFAULT_CASES: u32 = 100_000;

/// Cases per property.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CASES)
}

/// Runs one property for [`cases()`] cases, saying so in the test output.
fn check<S: Strategy>(name: &'static str, strategy: S, test: impl Fn(S::Value) -> TestCaseResult)
where
    S::Value: Debug,
{
    let cases = cases();
    println!("proptest {name}: {cases} cases");
    // XorShift: seeding the default ChaCha for every case dominates a debug build's run time.
    let config = Config {
        cases,
        source_file: Some(file!()),
        test_name: Some(name),
        rng_algorithm: RngAlgorithm::XorShift,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&strategy, test) {
        panic!("proptest {name}: {e}\n{runner}");
    }
}

/// The normal run tries at least 100 000 cases per property.
const _: () = assert!(DEFAULT_CASES >= 100_000);

/// [`check`] runs every property for [`cases()`] new cases, after the saved regressions (a
/// runner config that ran fewer, or stopped at the first, would fail here).
#[test]
fn prop_case_counts() {
    let ran = std::sync::atomic::AtomicU32::new(0);
    check("props::check", any::<u8>(), |_| {
        ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    });
    let ran = ran.into_inner();
    assert!(ran >= cases(), "{ran} cases run, {} wanted", cases());
}

// ---- Generators -------------------------------------------------------------------------------

/// The raw material of every generator: `left` pseudo-random numbers from `state`, then zeros.
/// Proptest shrinks `left`, and a zero always takes the simplest choice (the first option, the
/// shortest length, nothing optional), so a failing case still shrinks to a small value. One
/// `(u64, u32)` per case keeps 100 000 cases per property affordable in a debug build, where
/// proptest's own combinators (a value tree per character) cost twenty times as much.
struct Draw {
    state: u64,
    left: u32,
}

fn drawn<T: Debug>(budget: u32, make: impl Fn(&mut Draw) -> T) -> impl Strategy<Value = T> {
    (any::<u64>(), 0..=budget).prop_map(move |(state, left)| make(&mut Draw { state, left }))
}

/// Characters that break naive parsers: the separators of every format in the crate, quotes,
/// controls, invisible and right-to-left marks, non-ASCII digits, astral characters.
const NASTY: &[char] = &[
    '0', '1', '2', '5', '9', 'a', 'Z', 'T', ':', '.', '-', '+', '/', '\\', '*', '?', '[', ']', '^', '=', '@', '"',
    '\'', ',', ';', '&', '%', '#', '<', '>', '{', '}', '$', '`', ' ', '\t', '\r', '\n', '\0', '\u{7f}', '\u{85}',
    '\u{a0}', 'é', '€', '☺', '\u{200b}', '\u{202e}', '\u{feff}', '٣', '𝔘', '🙂',
];

const NASTY_TEXT: &[&str] = &[
    "",
    " ",
    "<script>alert(1)</script>",
    r#"=HYPERLINK("http://x","y")"#,
    "STARTED",
    "SUCCESS",
    "0001-01-01T00:00:00.000Z",
    "2026-08-20T10:00:12.345Z",
    "2026-01-01T00:00:00.12éZ",
    "null",
    "{}",
    "1e308",
    "-1",
    "NaN",
    "http://127.0.0.1:8080",
    "javascript:alert(1)",
    "../../etc/passwd",
    "%00%zz%",
    "'; rm -rf ~; '",
    "$(id)",
    "\u{0}\r\nX-Injected: 1",
    "already in progress",
    "A*",
    "[^a-z]*",
];

const STATUSES: &[&str] = &["STARTED", "TRANSFERRING", "TRANSFERRED", "FINALIZING", "SUCCESS", "CANCELLING", "CANCELED", "FAILED"];

const SIZES: &[f64] = &[
    0.0, -0.0, -1.0, 1e308, -1e308, 5e-324, 0.0123, 1.5, 1023.99, 2048.0, f64::MAX, f64::MIN, f64::NAN, f64::INFINITY,
    f64::NEG_INFINITY,
];

/// Keys the crate's types read, so random objects reach past the first field.
const KEYS: &[&str] = &[
    "id", "backend", "path", "status", "error", "classes", "startedAt", "completedAt", "size", "version", "hostname",
    "modules", "nodes", "name", "class", "message", "code", "type", "config", "weaviateUrl", "apiKey", "defaultBackend",
    "theme", "themeVars", "allowedOrigins", "readOnly", "v", "entries", "server", "job", "origin", "key",
    "backup-filesystem", "backup-s3", "--bc-accent",
];

/// A valid RFC 3339 UTC time, with its fields.
#[derive(Debug)]
struct Time {
    text: String,
    y: i64,
    m: i64,
    d: i64,
    ms_of_day: i64,
}

/// Makes a JSON value from draws.
type Maker = fn(&mut Draw) -> Value;

impl Draw {
    fn u32(&mut self) -> u32 {
        if self.left == 0 {
            return 0;
        }
        self.left -= 1;
        // SplitMix64.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 32) as u32
    }

    fn u64(&mut self) -> u64 {
        u64::from(self.u32()) << 32 | u64::from(self.u32())
    }

    /// `0..n`, `n > 0`.
    fn below(&mut self, n: usize) -> usize {
        self.u32() as usize % n
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.below(from.len())]
    }

    fn flip(&mut self) -> bool {
        self.u32() % 2 == 1
    }

    fn char(&mut self) -> char {
        match self.below(4) {
            0 | 1 => self.pick(NASTY),
            2 => char::from((self.u32() % 128) as u8),
            _ => char::from_u32(self.u32() % 0x11_0000).unwrap_or('\u{fffd}'),
        }
    }

    fn chars_from(&mut self, alphabet: &[char], max_len: usize) -> String {
        let len = self.below(max_len + 1);
        (0..len).map(|_| self.pick(alphabet)).collect()
    }

    /// Arbitrary text: any Unicode, nasty characters, known hostile strings.
    fn text(&mut self) -> String {
        match self.below(6) {
            0 => self.pick(NASTY_TEXT).to_string(),
            _ => {
                let len = self.below(25);
                (0..len).map(|_| self.char()).collect()
            }
        }
    }

    fn time(&mut self) -> Time {
        let y = 1970 + self.below(8030) as i64;
        let m = 1 + self.below(12) as i64;
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        let dim = match m {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let d = 1 + self.below(dim);
        let (hh, mm, ss, ms) = (self.below(24), self.below(60), self.below(60), self.below(1000));
        // Written with `digits` fraction digits, of which the parser reads the first three.
        let digits = self.below(10);
        let frac = format!("{ms:03}{:06}", self.below(1_000_000));
        let ms = frac.get(..digits.min(3)).map_or(0, |f| f.parse::<usize>().unwrap_or(0) * 10usize.pow(3 - digits.min(3) as u32));
        let text = format!(
            "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}{}{}",
            if digits > 0 { format!(".{}", &frac[..digits]) } else { String::new() },
            if self.flip() { "+00:00" } else { "Z" }
        );
        Time { text, y, m, d: d as i64, ms_of_day: (((hh * 60 + mm) * 60 + ss) * 1000 + ms) as i64 }
    }

    /// Nearly a timestamp: a valid time, one with a character replaced or inserted, or timestamp
    /// characters in any order.
    fn timestamp(&mut self) -> String {
        match self.below(3) {
            0 => self.time().text,
            1 => {
                let mut chars: Vec<char> = self.time().text.chars().collect();
                let i = self.below(chars.len() + 1);
                let c = self.char();
                if i == chars.len() || self.flip() {
                    chars.insert(i, c);
                } else {
                    chars[i] = c;
                }
                chars.into_iter().collect()
            }
            _ => self.chars_from(&['0', '1', '2', '5', '9', '-', 'T', ':', '.', 'Z', '+', ' ', 'é', '٣', '\0'], 32),
        }
    }

    /// Something like a URL or an origin, right or subtly wrong.
    fn url(&mut self) -> String {
        match self.below(5) {
            0 => return self.good_url(),
            1 => return self.text(),
            _ => {}
        }
        let scheme = self.pick(&["http", "https", "HTTP", "Https", "ftp", "javascript", "", "http:"]);
        let sep = self.pick(&["://", ":", ":///", "//"]);
        let host = match self.below(3) {
            0 => self.pick(&["localhost", "127.0.0.1", "[::1]", "h", "a.example", "good@evil", "[::1", "x y", ""]).to_string(),
            1 => "weaviate.example.com".to_string(),
            _ => (0..self.below(9)).map(|_| self.char()).collect(),
        };
        let port = match self.below(4) {
            0 => String::new(),
            1 => format!(":{}", self.pick(&["80", "443", "8080", "0080", "99999", "", "1x", "65535"])),
            2 => format!(":{}", self.below(70_000)),
            _ => format!(":{}", (0..self.below(4)).map(|_| self.char()).collect::<String>()),
        };
        let tail = self.pick(&["", "/", "/v1", "//", "/a?b#c", "?x", "#", " "]);
        format!("{scheme}{sep}{host}{port}{tail}")
    }

    /// What an HTTP header can carry, or nearly (spaces).
    fn visible_ascii(&mut self) -> String {
        let top = if self.flip() { 94 } else { 95 };
        (0..self.below(40)).map(|_| char::from(b'!' + self.below(top) as u8)).collect()
    }

    /// A URL a server could have.
    fn good_url(&mut self) -> String {
        let scheme = self.pick(&["http", "https"]);
        let host = self.pick(&["localhost", "127.0.0.1", "[::1]", "weaviate.example.com", "Host.Example"]);
        let port = self.pick(&["", ":8080", ":80", ":443", ":0"]);
        format!("{scheme}://{host}{port}{}", self.pick(&["", "/", "/v1/"]))
    }

    /// Any text, timestamp or URL.
    fn string(&mut self) -> String {
        match self.below(3) {
            0 => self.text(),
            1 => self.timestamp(),
            _ => self.url(),
        }
    }

    /// Any `f64`: the hostile table, any bit pattern (NaN, infinities, subnormals), ordinary sizes.
    fn size(&mut self) -> f64 {
        match self.below(3) {
            0 => self.pick(SIZES),
            1 => f64::from_bits(self.u64()),
            _ => f64::from(self.u32()) / 1000.0,
        }
    }

    fn number(&mut self) -> Value {
        match self.below(3) {
            0 => Value::from(self.u64() as i64),
            1 => Value::from(self.u64()),
            // JSON has no NaN or infinity.
            _ => Number::from_f64(self.size()).map_or(json!(1e308), Value::Number),
        }
    }

    /// Any JSON value up to `depth` levels of nesting, with hostile leaves.
    fn json(&mut self, depth: u32) -> Value {
        match self.below(if depth == 0 { 6 } else { 8 }) {
            0 => Value::Null,
            1 => Value::Bool(self.flip()),
            2 => self.number(),
            3..=5 => Value::String(self.string()),
            6 => Value::Array((0..self.below(5)).map(|_| self.json(depth - 1)).collect()),
            _ => Value::Object((0..self.below(5)).map(|_| (self.key(), self.json(depth - 1))).collect()),
        }
    }

    fn key(&mut self) -> String {
        if self.below(3) == 2 {
            self.text()
        } else {
            self.pick(KEYS).to_string()
        }
    }

    /// An object with these fields, each usually present and usually made by its maker (else any
    /// JSON), and perhaps a few other keys.
    fn object(&mut self, fields: &[(&str, Maker)]) -> Value {
        let extra = if self.below(4) == 3 { 1 + self.below(2) } else { 0 };
        let mut o: serde_json::Map<String, Value> = (0..extra).map(|_| (self.key(), self.json(1))).collect();
        for (name, make) in fields {
            let v = match self.below(8) {
                0 => continue,
                1 => self.json(2),
                _ => make(self),
            };
            o.insert(name.to_string(), v);
        }
        Value::Object(o)
    }

    fn status(&mut self) -> String {
        match self.below(3) {
            0 | 1 => self.pick(STATUSES).to_string(),
            _ => self.text(),
        }
    }

    fn names(&mut self) -> Vec<String> {
        (0..self.below(5))
            .map(|_| if self.flip() { self.pick(&["Article", "Author", "Paragraph", "article"]).to_string() } else { self.text() })
            .collect()
    }

    fn listed_item(&mut self) -> BackupListItem {
        BackupListItem {
            id: self.text(),
            classes: (0..self.below(4)).map(|_| self.text()).collect(),
            status: Status::parse(&self.status()),
            started_at: self.flip().then(|| self.timestamp()),
            completed_at: self.flip().then(|| self.timestamp()),
            size: self.flip().then(|| self.size()),
            incremental_base_backup_id: self.flip().then(|| self.text()),
        }
    }

    /// A job built from an arbitrary listed backup, with an arbitrary error and kind.
    fn job(&mut self) -> Job {
        let backend = self.text();
        let item = self.listed_item();
        let mut j = Job::from_listed(&backend, &item, self.u64());
        j.error = self.flip().then(|| self.text());
        if self.flip() {
            j.key.kind = JobKind::Restore;
        }
        j
    }

    fn caps(&mut self) -> Capabilities {
        if self.flip() {
            Capabilities::for_version(&self.text())
        } else {
            Capabilities { version: Version::new(self.below(3) as u32, self.below(45) as u32, self.below(30) as u32) }
        }
    }
}

fn string_v(d: &mut Draw) -> Value {
    Value::String(d.string())
}

fn url_v(d: &mut Draw) -> Value {
    Value::String(d.url())
}

fn number_v(d: &mut Draw) -> Value {
    d.number()
}

fn timestamp_v(d: &mut Draw) -> Value {
    Value::String(d.timestamp())
}

fn status_v(d: &mut Draw) -> Value {
    Value::String(d.status())
}

fn strings_v(d: &mut Draw) -> Value {
    Value::Array((0..d.below(4)).map(|_| string_v(d)).collect())
}

/// JSON shaped like the answers of the endpoints the console reads, hostile inside.
fn api_json(d: &mut Draw) -> Value {
    match d.below(6) {
        0 => Value::Array(
            (0..d.below(4))
                .map(|_| {
                    d.object(&[
                        ("id", string_v),
                        ("classes", strings_v),
                        ("status", status_v),
                        ("startedAt", timestamp_v),
                        ("completedAt", timestamp_v),
                        ("size", number_v),
                    ])
                })
                .collect(),
        ),
        1 => d.object(&[
            ("id", string_v),
            ("backend", string_v),
            ("path", string_v),
            ("status", status_v),
            ("error", string_v),
            ("classes", strings_v),
            ("startedAt", timestamp_v),
            ("completedAt", timestamp_v),
            ("size", number_v),
        ]),
        2 => d.object(&[("version", string_v), ("hostname", string_v), ("modules", |d| d.json(3))]),
        3 => d.object(&[("classes", |d| Value::Array((0..d.below(4)).map(|_| d.object(&[("class", string_v)])).collect()))]),
        4 => d.object(&[("nodes", |d| Value::Array((0..d.below(4)).map(|_| d.object(&[("name", string_v)])).collect()))]),
        _ => d.json(3),
    }
}

/// A configuration, mostly valid so that the checks after parsing run too.
fn config_json(d: &mut Draw) -> Value {
    fn mostly(d: &mut Draw, good: fn(&mut Draw) -> String) -> Value {
        Value::String(if d.below(4) == 3 { d.string() } else { good(d) })
    }
    d.object(&[
        ("weaviateUrl", |d| mostly(d, Draw::good_url)),
        ("apiKey", |d| mostly(d, Draw::visible_ascii)),
        ("defaultBackend", |d| mostly(d, |d| d.pick(&["s3", "filesystem", "gcs", "azure"]).to_string())),
        ("theme", |d| mostly(d, |d| d.pick(&["light", "dark", "auto"]).to_string())),
        ("themeVars", |d| {
            let var = |d: &mut Draw| if d.flip() { format!("--bc-{}", d.text()) } else { d.text() };
            Value::Object((0..d.below(4)).map(|_| (var(d), string_v(d))).collect())
        }),
        ("allowedOrigins", |d| Value::Array((0..d.below(3)).map(|_| mostly(d, Draw::good_url)).collect())),
        ("readOnly", |d| Value::Bool(d.flip())),
    ])
}

fn config_text(d: &mut Draw) -> String {
    match d.below(3) {
        0 => d.text(),
        1 => d.json(3).to_string(),
        _ => config_json(d).to_string(),
    }
}

// ---- format -----------------------------------------------------------------------------------

#[test]
fn prop_parse_rfc3339_ms_is_total() {
    check("format::parse_rfc3339_ms (any text)", drawn(64, |d| if d.flip() { d.text() } else { d.timestamp() }), |s| {
        if let Some(ms) = parse_rfc3339_ms(&s) {
            prop_assert!(s.trim().is_ascii(), "only ASCII digits and separators are read: {s:?}");
            prop_assert!(ms <= 253_402_300_800_999, "after 9999: {s:?}");
        }
        Ok(())
    });
}

/// Days since 1970-01-01 back to the civil date (Howard Hinnant's `civil_from_days`), the
/// inverse of the parser's algorithm, so a round trip checks both.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[test]
fn prop_parse_rfc3339_ms_reads_valid_times() {
    check("format::parse_rfc3339_ms (valid times round-trip)", drawn(16, Draw::time), |t| {
        let ms = parse_rfc3339_ms(&t.text).ok_or_else(|| TestCaseError::fail(format!("unread: {}", t.text)))? as i64;
        prop_assert_eq!(civil_from_days(ms.div_euclid(86_400_000)), (t.y, t.m, t.d));
        prop_assert_eq!(ms.rem_euclid(86_400_000), t.ms_of_day);
        Ok(())
    });
}

#[test]
fn prop_human_size_gib_is_short() {
    check("format::human_size_gib", drawn(4, Draw::size), |gib| {
        let s = human_size_gib(gib);
        prop_assert!(s.chars().count() <= 14, "{gib} → {s}");
        prop_assert_eq!(s == "—", !gib.is_finite() || gib < 0.0);
        prop_assert!(!s.contains("inf") && !s.contains("NaN"), "{gib} → {s}");
        Ok(())
    });
}

#[test]
fn prop_human_duration_reads_back() {
    check("format::human_duration", prop_oneof![any::<u64>(), 0..10_000_000u64], |ms| {
        let s = human_duration(ms);
        let parts: Vec<u64> = s.split(':').map(|p| p.parse().unwrap_or(u64::MAX)).collect();
        let secs = parts.iter().fold(0u64, |acc, p| acc.saturating_mul(60).saturating_add(*p));
        prop_assert_eq!(secs, ms / 1000, "{}", s);
        prop_assert!(parts[1..].iter().all(|p| *p < 60), "{}", s);
        Ok(())
    });
}

// ---- status, error ----------------------------------------------------------------------------

#[test]
fn prop_status_parse_round_trips() {
    check("status::Status::parse", drawn(32, Draw::status), |s| {
        let st = Status::parse(&s);
        prop_assert_eq!(st.as_str(), s.as_str());
        st.tone().as_str();
        let json = serde_json::to_string(&st).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(serde_json::from_str::<Status>(&json).ok(), Some(st));
        Ok(())
    });
}

fn error_body(d: &mut Draw) -> String {
    match d.below(4) {
        0 => d.text(),
        1 => d.json(3).to_string(),
        2 => d
            .object(&[("error", |d| Value::Array((0..d.below(4)).map(|_| d.object(&[("message", string_v)])).collect()))])
            .to_string(),
        _ => d.object(&[("code", number_v), ("message", string_v)]).to_string(),
    }
}

#[test]
fn prop_parse_error_message_is_total() {
    check("error::parse_error_message", drawn(256, error_body), |body| {
        let m = parse_error_message(&body);
        if serde_json::from_str::<Value>(&body).is_err() {
            prop_assert_eq!(m, body.trim());
        }
        Ok(())
    });
}

#[test]
fn prop_api_error_from_response_is_total() {
    let status = prop_oneof![any::<u16>(), 400..600u16];
    check("error::ApiError::from_response", (status, drawn(256, error_body)), |(status, body)| {
        let e = ApiError::from_response(status, &body);
        prop_assert_eq!(e.status(), Some(status));
        prop_assert!(!e.message().is_empty());
        let prefix = format!("HTTP {status}: ");
        prop_assert!(e.to_string().starts_with(&prefix));
        prop_assert_eq!(e.fault() == Fault::Transient, (500..=599).contains(&status) || status == 408 || status == 429);
        e.hint();
        e.is_auth();
        e.may_have_taken_effect();
        Ok(())
    });
}

#[test]
fn prop_message_hint_is_total() {
    check("error::message_hint", drawn(64, Draw::text), |m| {
        message_hint(&m);
        message_hint(&format!("{m} already in progress {m}"))
            .ok_or_else(|| TestCaseError::fail("a known phrase inside any text is recognised"))?;
        Ok(())
    });
}

// ---- config, host, origin ---------------------------------------------------------------------

/// What any accepted configuration must guarantee, whoever sent it.
fn accepted_config_holds(c: &ConsoleConfig, source: Source) -> TestCaseResult {
    if let Some(u) = &c.weaviate_url {
        prop_assert_eq!(normalize_url(u), Ok(u.clone()));
        prop_assert_eq!(c.url(), Some(u.clone()));
    }
    if let Some(k) = &c.api_key {
        prop_assert!(check_api_key(k).is_ok());
    }
    if source == Source::Host {
        prop_assert_eq!(&c.allowed_origins, &None);
    }
    for o in c.allowed_origins.iter().flatten() {
        prop_assert_eq!(exact_origin(o), Ok(o.clone()));
    }
    for (k, v) in c.theme_vars() {
        prop_assert!(k.starts_with("--bc-") && !v.contains(['{', '}', ';', '<', '>']), "{k}: {v}");
    }
    let first = c.allowed_origins.iter().flatten().next().cloned();
    for parent in [None, Some("http://evil.example"), first.as_deref()] {
        if let Some(t) = c.host_target(parent) {
            prop_assert!(c.allowed_origins.iter().flatten().any(|o| *o == t), "{t}");
        }
    }
    c.bound_key();
    Ok(())
}

#[test]
fn prop_config_parse_is_total() {
    check("config::ConsoleConfig::parse", drawn(256, |d| (config_text(d), d.flip())), |(text, host)| {
        let source = if host { Source::Host } else { Source::Deployment };
        if let Ok(c) = ConsoleConfig::parse(&text, source) {
            accepted_config_holds(&c, source)?;
        }
        Ok(())
    });
}

#[test]
fn prop_read_config_file_is_total() {
    let file = drawn(256, |d| {
        let status = if d.flip() { d.pick(&[200, 404, 410, 500]) } else { d.u32() as u16 };
        let ct = if d.flip() { d.pick(&["application/json", "text/html; charset=utf-8", " TEXT/HTML", ""]).to_string() } else { d.text() };
        (status, ct, config_text(d))
    });
    check("config::read_config_file", file, |(status, ct, body)| {
        match read_config_file(status, &ct, &body) {
            Ok(Some(c)) => accepted_config_holds(&c, Source::Deployment)?,
            Ok(None) => prop_assert!(status == 404 || status == 410 || status == 200),
            Err(_) => prop_assert!(status != 404 && status != 410),
        }
        Ok(())
    });
}

/// `s` percent-encoded as a browser encodes a query value.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn query(d: &mut Draw) -> String {
    if d.below(4) == 3 {
        return d.text();
    }
    let pairs: Vec<String> = (0..d.below(5))
        .map(|_| {
            let k = if d.flip() { d.pick(&["weaviate", "backend", "theme", "readOnly", "hostOrigin", "apiKey"]).to_string() } else { d.text() };
            let v = match d.below(4) {
                0 => d.url(),
                1 => percent_encode(&d.url()),
                2 => d.pick(&["%", "%e9%", "true", "1", "dark"]).to_string(),
                _ => d.text(),
            };
            format!("{k}={v}")
        })
        .collect();
    format!("?{}", pairs.join("&"))
}

#[test]
fn prop_config_from_query_is_total() {
    check("config::ConsoleConfig::from_query", drawn(128, query), |q| {
        let c = ConsoleConfig::from_query(&q);
        prop_assert_eq!(&c.api_key, &None);
        prop_assert_eq!(&c.allowed_origins, &None);
        if let Some(o) = &c.host_origin {
            prop_assert_eq!(exact_origin(o), Ok(o.clone()));
        }
        c.url();
        c.over(ConsoleConfig::default()).bound_key();
        Ok(())
    });
}

#[test]
fn prop_normalize_url_is_idempotent() {
    check("config::normalize_url", drawn(64, Draw::url), |u| {
        if let Ok(n) = normalize_url(&u) {
            prop_assert_eq!(normalize_url(&n), Ok(n.clone()));
            let lower = n.to_ascii_lowercase();
            prop_assert!(lower.starts_with("http://") || lower.starts_with("https://"), "{n}");
            prop_assert!(!n.contains(char::is_whitespace) && !n.ends_with('/'), "{n}");
        }
        Ok(())
    });
}

#[test]
fn prop_query_param_decodes_what_browsers_encode() {
    let input = drawn(192, |d| {
        let name: String = (0..1 + d.below(8)).map(|_| d.pick(&['a', 'b', 'Z', 'q'])).collect();
        (query(d), d.text(), name, d.text())
    });
    check("config::query_param", input, |(q, any_name, name, value)| {
        query_param(&q, &any_name);
        let q = format!("?x=1&k{name}={}&k{name}=second", percent_encode(&value));
        prop_assert_eq!(query_param(&q, &format!("k{name}")), Some(value));
        Ok(())
    });
}

fn host_message(d: &mut Draw) -> String {
    match d.below(3) {
        0 => d.text(),
        1 => d.json(3).to_string(),
        _ => {
            let kind = if d.flip() { json!("config") } else { d.json(1) };
            let mut config = if d.flip() { config_json(d) } else { d.json(3) };
            // A host may not set it: usually leave it out, so that the rest is checked.
            if d.below(4) > 0 {
                config.as_object_mut().map(|o| o.remove("allowedOrigins"));
            }
            json!({"type": kind, "config": config}).to_string()
        }
    }
}

#[test]
fn prop_parse_host_message_is_total() {
    check("host::parse_host_message", drawn(256, host_message), |data| {
        if let Some(HostMessage::Config(c)) = parse_host_message(&data) {
            accepted_config_holds(&c, Source::Host)?;
        }
        Ok(())
    });
}

#[test]
fn prop_origins_are_canonical() {
    check("origin::origin_of, exact_origin, BoundKey", drawn(128, |d| (d.url(), d.url(), d.text())), |(a, b, key)| {
        if let Some(o) = origin_of(&a) {
            prop_assert_eq!(origin_of(&o), Some(o.clone()));
            let authority = o.strip_prefix("http://").or_else(|| o.strip_prefix("https://"));
            prop_assert!(
                authority.is_some_and(|a| !a.is_empty() && !a.contains(['/', '?', '#', '@', '\\']) && !a.contains(char::is_whitespace)),
                "{o}"
            );
        }
        if let Ok(o) = exact_origin(&a) {
            prop_assert_eq!(exact_origin(&o), Ok(o.clone()));
        }
        if let Some(k) = BoundKey::new(&a, &key) {
            prop_assert_eq!(k.for_url(&a), Some(key.trim()));
            // Never to another origin, nor outside its base.
            if k.for_url(&b).is_some() {
                prop_assert_eq!(origin_of(&b), origin_of(&a));
                prop_assert!(base_of(&b).is_some_and(|there| there.starts_with(k.base())), "{b}");
            }
            prop_assert_eq!(BoundKey::parse_stored(&k.to_stored()), Some(k));
        }
        if clear_text_to_network(&a) {
            prop_assert!(a.trim().to_ascii_lowercase().starts_with("http://"), "{a}");
        }
        Ok(())
    });
}

/// A key bound to a base URL goes below it segment by segment and nowhere beside it: not to a
/// longer name (`/weaviate-evil`), not up a level, not through a path the browser rewrites.
#[test]
fn prop_keys_stop_at_their_base_url() {
    let segment = |d: &mut Draw| d.chars_from(&['a', 'Z', '0', '-', '_', '.', '%', '2', 'e', 'E', '~', 'é', '\\', ' ', ':', '@'], 8);
    let input = drawn(128, move |d| {
        let base = format!("{}{}", d.good_url().trim_end_matches('/'), (0..d.below(3)).map(|_| format!("/{}", segment(d))).collect::<String>());
        (base, segment(d), segment(d), d.flip())
    });
    check("origin::BoundKey::for_url segments", input, |(base, s1, s2, slash)| {
        let Some(k) = BoundKey::new(&base, "k") else { return Ok(()) };
        let plain = |s: &str| !s.is_empty() && base_of(&format!("http://h/{s}")).as_deref() == Some(&*format!("http://h/{s}"));
        let below = format!("{}/{s1}{}", k.base(), if slash { "/" } else { "" });
        if plain(&s1) {
            prop_assert_eq!(k.for_url(&below), Some("k"), "{}", below);
        }
        // Beside the base: its last segment (or host, or port) made longer. (Spaces at the end
        // are no change: browsers trim them too; `:0` after a port `:0` is the same port.)
        let same_port = k.base().ends_with(":0") && s2.starts_with('0');
        if !(s2.trim().is_empty() || s2.starts_with(['/', ':']) || same_port) {
            prop_assert_eq!(k.for_url(&format!("{}{s2}", k.base())), None, "{}{}", k.base(), s2);
        }
        for up in ["..", "%2e%2e", ".%2E", "."] {
            prop_assert_eq!(k.for_url(&format!("{}/{up}/{s1}", k.base())), None);
        }
        Ok(())
    });
}

#[test]
fn prop_stored_key_parse_is_total() {
    let stored = drawn(128, |d| match d.below(3) {
        0 => d.text(),
        1 => d.json(3).to_string(),
        _ => {
            // The base URL's field, or the whole origin's of an older console.
            let field = if d.flip() { "base" } else { "origin" };
            d.object(&[(field, url_v), ("key", string_v)]).to_string()
        }
    });
    check("origin::BoundKey::parse_stored", stored, |text| {
        if let Some(k) = BoundKey::parse_stored(&text) {
            prop_assert!(!k.key.is_empty());
            prop_assert_eq!(base_of(k.base()), Some(k.base().to_string()));
        }
        Ok(())
    });
}

// ---- route, journal, api ----------------------------------------------------------------------

#[test]
fn prop_route_parse_round_trips() {
    let hash = drawn(64, |d| {
        if d.below(4) == 3 {
            return d.text();
        }
        let segments: Vec<String> = (0..d.below(6))
            .map(|_| {
                if d.flip() {
                    d.pick(&["jobs", "restore", "backup", "filesystem", "s3", "nightly-1", "x_1", "..", "", "Bad Id"]).to_string()
                } else {
                    d.text()
                }
            })
            .collect();
        format!("{}{}", d.pick(&["", "#", "#/", "#//"]), segments.join("/"))
    });
    check("route::Route::parse", hash, |h| {
        let r = Route::parse(&h);
        let back = r.to_hash();
        prop_assert_eq!(Route::parse(&back), r);
        prop_assert!(back.chars().all(|c| c.is_ascii_alphanumeric() || "#/-_".contains(c)), "{back}");
        Ok(())
    });
}

fn journal_text(d: &mut Draw) -> String {
    match d.below(3) {
        0 => d.text(),
        1 => d.json(3).to_string(),
        _ => {
            let mut j = Journal::default();
            for _ in 0..d.below(3) {
                let server = d.text();
                let jobs: Vec<Job> = (0..d.below(3)).map(|_| d.job()).collect();
                j.set_jobs(&server, jobs);
            }
            let text = j.to_json();
            if d.flip() {
                let keep = d.below(text.chars().count() + 1);
                text.chars().take(keep).collect()
            } else {
                text
            }
        }
    }
}

/// Equal, floats to the last bit or two: serde_json reads floats fast but not always exactly
/// (its `float_roundtrip` feature would grow the wasm bundle).
fn nearly_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            (x - y).abs() <= x.abs().max(y.abs()) * 4.0 * f64::EPSILON
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| nearly_equal(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| nearly_equal(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn prop_journal_parse_is_total() {
    check("journal::Journal::parse", drawn(1024, |d| (journal_text(d), d.text())), |(text, server)| {
        if let Ok(j) = Journal::parse(&text) {
            let again = Journal::parse(&j.to_json()).map_err(TestCaseError::fail)?;
            let (a, b) = (serde_json::to_value(&j), serde_json::to_value(&again));
            prop_assert!(matches!((&a, &b), (Ok(a), Ok(b)) if nearly_equal(a, b)), "{a:?} {b:?}");
            j.jobs_for(&server);
        }
        Ok(())
    });
}

/// Everything the console does with an answer of each endpoint.
fn read_answers(text: &str, now: u64) {
    if let Ok(s) = serde_json::from_str::<StatusResponse>(text) {
        s.completed_at();
        let key = JobKey { kind: JobKind::Backup, backend: s.backend.clone(), id: s.id.clone() };
        let mut j = Job::recovered(key, Location::default(), &s, now);
        j.apply_status(&s, now);
        human_size_gib(j.size_gib.unwrap_or(0.0));
    }
    if let Ok(items) = serde_json::from_str::<Vec<BackupListItem>>(text) {
        let mut jobs: Vec<Job> = items.iter().map(|i| Job::from_listed("s3", i, now)).collect();
        for (j, i) in jobs.iter_mut().zip(&items) {
            j.apply_listed(i, now);
            j.duration_ms(now);
        }
        to_csv(&jobs);
        to_json(&jobs);
    }
    if let Ok(m) = serde_json::from_str::<Meta>(text) {
        m.backup_backends();
        Capabilities::for_version(&m.version);
    }
    if let Ok(s) = serde_json::from_str::<Schema>(text) {
        s.collection_names();
    }
    let _ = serde_json::from_str::<Nodes>(text);
    if let Ok(r) = serde_json::from_str::<StartedResponse>(text) {
        Job::started(JobKey { kind: JobKind::Restore, backend: r.backend.clone(), id: r.id.clone() }, &r, now);
    }
    let _ = serde_json::from_str::<Job>(text);
}

#[test]
fn prop_api_answers_from_any_text() {
    check("api types from any text", drawn(64, |d| (d.text(), d.u64())), |(text, now)| {
        read_answers(&text, now);
        Ok(())
    });
}

#[test]
fn prop_api_answers_from_any_json() {
    check("api types from any JSON", drawn(512, |d| (api_json(d), d.u64())), |(v, now)| {
        read_answers(&v.to_string(), now);
        Ok(())
    });
}

// ---- validate ---------------------------------------------------------------------------------

#[test]
fn prop_check_backup_id_is_the_server_regex() {
    let id = drawn(32, |d| if d.flip() { d.text() } else { d.chars_from(&['a', 'z', '0', '9', '_', '-', 'A', ' '], 12) });
    check("validate::check_backup_id", id, |id| {
        let server = !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        prop_assert_eq!(check_backup_id(&id).is_ok(), server);
        Ok(())
    });
}

#[test]
fn prop_generated_backup_id_is_valid() {
    check("validate::generated_backup_id", any::<(u32, u32, u32, u32, u32)>(), |(y, mo, d, h, mi)| {
        prop_assert!(check_backup_id(&generated_backup_id(y, mo, d, h, mi)).is_ok());
        Ok(())
    });
}

#[test]
fn prop_parse_collection_list_splits_cleanly() {
    check("validate::parse_collection_list", drawn(64, Draw::text), |t| {
        let names = parse_collection_list(&t);
        prop_assert!(names.iter().all(|n| !n.is_empty() && !n.contains(|c: char| c == ',' || c.is_whitespace())));
        prop_assert_eq!(parse_collection_list(&names.join(", ")), names);
        Ok(())
    });
}

/// `path.Match` by its definition rather than Go's algorithm: a malformed pattern is no match,
/// and otherwise every way each `*` can split the name is tried. Exponential: short inputs only.
/// Go's greedy algorithm departs from it in one corner, which `pattern_matches` keeps (it must
/// answer as the server does): a class that matches `/` can end a chunk early, and then a later
/// `*` cannot cross that `/` (`*[^a]*` does not match `x/a`). Collection names have no `/`.
fn reference_match(pattern: &[char], name: &[char]) -> bool {
    fn endpoint(p: &[char]) -> Option<(char, &[char])> {
        match p {
            ['\\', c, rest @ ..] => Some((*c, rest)),
            [c, rest @ ..] if !matches!(c, '-' | ']' | '\\') => Some((*c, rest)),
            _ => None,
        }
    }
    /// The class after `[`: whether `c` is in it, and the pattern after it.
    fn class(p: &[char], c: char) -> Option<(bool, &[char])> {
        let (negated, mut p) = match p {
            ['^', rest @ ..] => (true, rest),
            _ => (false, p),
        };
        let (mut hit, mut empty) = (false, true);
        loop {
            if let (false, [']', rest @ ..]) = (empty, p) {
                return Some((hit != negated, rest));
            }
            let (lo, rest) = endpoint(p)?;
            let (hi, rest) = match rest {
                ['-', rest @ ..] => endpoint(rest)?,
                _ => (lo, rest),
            };
            hit |= lo <= c && c <= hi;
            empty = false;
            p = rest;
        }
    }
    fn valid(p: &[char]) -> bool {
        match p {
            [] => true,
            ['\\'] => false,
            ['\\', _, rest @ ..] => valid(rest),
            ['[', rest @ ..] => class(rest, '\0').is_some_and(|(_, rest)| valid(rest)),
            [_, rest @ ..] => valid(rest),
        }
    }
    fn go(p: &[char], n: &[char]) -> bool {
        match (p, n) {
            ([], _) => n.is_empty(),
            (['*', rest @ ..], _) => (0..=n.len()).take_while(|k| !n[..*k].contains(&'/')).any(|k| go(rest, &n[k..])),
            (_, []) => false,
            (['?', rest @ ..], [c, n @ ..]) => *c != '/' && go(rest, n),
            (['\\', l, rest @ ..], [c, n @ ..]) => l == c && go(rest, n),
            (['[', rest @ ..], [c, n @ ..]) => class(rest, *c).is_some_and(|(hit, rest)| hit && go(rest, n)),
            ([l, rest @ ..], [c, n @ ..]) => l == c && go(rest, n),
        }
    }
    valid(pattern) && go(pattern, name)
}

#[test]
fn prop_pattern_matches_agrees_with_the_definition() {
    const PIECES: &[&str] = &[
        "a", "b", "/", "*", "*", "?", "[ab]", "[^a]", "[a-b]", "[/]", "[^/]", "[\\]]", "[a-]", "[]a]", "\\*", "\\", "[",
        "]", "^", "-", "é", "[é-ü]",
    ];
    let input = drawn(24, |d| {
        let p: String = (0..d.below(6)).map(|_| d.pick(PIECES)).collect();
        let n: String = d.chars_from(&['a', 'b', 'b', '/', '-', ']', '^', '*', 'é', 'ö'], 8);
        (p.chars().collect::<Vec<_>>(), n.chars().collect::<Vec<_>>())
    });
    check("validate::pattern_matches (against a backtracking reference)", input, |(p, n)| {
        if !n.contains(&'/') || !p.contains(&'[') {
            prop_assert_eq!(pattern_matches(&String::from_iter(&p), &String::from_iter(&n)), reference_match(&p, &n));
        }
        Ok(())
    });
}

#[test]
fn prop_pattern_matches_is_total() {
    let input = drawn(192, |d| {
        let pattern = if d.flip() {
            (0..d.below(40)).map(|_| d.pick(&["*", "a", "?", "*a", "[a-z]", "\\*", "/"])).collect()
        } else {
            d.text()
        };
        (pattern, d.text(), d.text())
    });
    check("validate::pattern_matches (any text)", input, |(p, n, other)| {
        pattern_matches(&p, &n);
        // Every character escaped: the pattern is that exact name.
        let exact: String = n.chars().flat_map(|c| ['\\', c]).collect();
        prop_assert!(pattern_matches(&exact, &n));
        prop_assert_eq!(pattern_matches(&exact, &other), n == other);
        prop_assert_eq!(pattern_matches("*", &n), !n.contains('/'));
        Ok(())
    });
}

#[test]
fn prop_expand_and_preview_are_total() {
    check("validate::expand, pattern_preview, is_pattern", drawn(256, |d| (d.text(), d.names(), d.names())), |(typed, wanted, known)| {
        let preview = pattern_preview(&typed, &known);
        prop_assert_eq!(preview.is_some(), parse_collection_list(&typed).iter().any(|n| is_pattern(n)));
        let hits = expand(&wanted, &known);
        for h in &hits {
            prop_assert!(wanted.contains(h) || known.contains(h));
        }
        let unique: std::collections::BTreeSet<&String> = hits.iter().collect();
        prop_assert_eq!(unique.len(), hits.len());
        Ok(())
    });
}

#[test]
fn prop_selection_forms_are_total() {
    let input = drawn(512, |d| {
        let id = if d.flip() { d.text() } else { d.chars_from(&['a', 'z', '0', '_', '-'], 8) };
        let form = SelectionForm { backend: d.text(), id, include: d.text(), exclude: d.text() };
        let known = d.flip().then(|| d.names());
        (form, known, d.names(), d.names(), d.caps())
    });
    check(
        "validate::SelectionForm::validate, restore_conflicts, preflight::check",
        input,
        |(form, known, existing, nodes, caps)| {
            if let Ok(sel) = form.validate(known.as_deref(), caps) {
                prop_assert!(check_backup_id(&sel.id).is_ok() && !sel.backend.is_empty());
                prop_assert!(sel.include.is_empty() || sel.exclude.is_empty());
                let _ = sel.check_names_against(&existing, caps);
                for c in restore_conflicts(&sel, known.as_deref(), &existing) {
                    prop_assert!(existing.contains(&c));
                }
                let facts = Facts { existing, backup_classes: known.clone(), running: vec![], nodes, access: None };
                for f in crate::preflight::check(&sel, &facts) {
                    f.message();
                }
                let create = crate::options::CreateForm { selection: form.clone(), ..Default::default() };
                let (_, req, _) = create.validate(known.as_deref(), caps).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                serde_json::to_string(&req).map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            Ok(())
        },
    );
}

// ---- options, key, version, snippet, table, poll, events --------------------------------------

#[test]
fn prop_options_are_total() {
    let input = drawn(256, |d| {
        let short = |d: &mut Draw| match d.below(3) {
            0 => d.text(),
            1 => d.below(100).to_string(),
            _ => d.pick(&["BestSpeed", "ZstdBestSpeed", "noRestore", "all", "a=b, c = d", "a=b\na=c"]).to_string(),
        };
        let create = CreateOptions { cpu: short(d), compression: short(d), bucket: d.text(), path: d.text(), base_id: short(d), roles: d.text() };
        let restore = RestoreOptions {
            cpu: short(d),
            bucket: d.text(),
            path: d.text(),
            roles: short(d),
            users: short(d),
            overwrite_alias: d.flip(),
            node_mapping: short(d),
        };
        (create, restore, d.caps(), d.text())
    });
    check("options::CreateOptions, RestoreOptions, parse_node_mapping, Location::query", input, |(c, r, caps, id)| {
        let mut req = crate::api::BackupCreateRequest { id, ..Default::default() };
        for loc in [c.apply(&mut req, caps).ok(), r.apply(&mut Default::default(), caps).ok()].into_iter().flatten() {
            let q = loc.query();
            prop_assert!(q.chars().all(|ch| ch.is_ascii_alphanumeric() || "?=&%-_.~/".contains(ch)), "{q}");
        }
        if let Some(n) = req.config.as_ref().and_then(|c| c.cpu_percentage) {
            prop_assert!((1..=80).contains(&n));
        }
        if let Ok(m) = parse_node_mapping(&r.node_mapping) {
            prop_assert!(m.iter().all(|(k, v)| !k.is_empty() && !v.is_empty()));
        }
        Ok(())
    });
}

#[test]
fn prop_check_api_key_is_visible_ascii() {
    let key = drawn(64, |d| if d.flip() { d.visible_ascii() } else { d.text() });
    check("key::check_api_key", key, |k| {
        let r = check_api_key(&k);
        prop_assert_eq!(r.is_ok(), k.trim().chars().all(|c| ('!'..='~').contains(&c)));
        if let Err(e) = r {
            prop_assert!(e.starts_with("The API key contains characters an HTTP header cannot carry ("), "{e}");
        }
        Ok(())
    });
}


#[test]
fn prop_versions_are_total() {
    check("version::Version::parse, Capabilities", (drawn(64, Draw::text), any::<(u32, u32, u32)>()), |(t, (a, b, c))| {
        Version::parse(&t);
        let v = Version::new(a, b, c);
        prop_assert_eq!(Version::parse(&v.to_string()), Some(v));
        prop_assert_eq!(Version::parse(&format!("v{v}-rc.0")), Some(v));
        for caps in [Capabilities::for_version(&t), Capabilities { version: v }] {
            for f in Feature::ALL {
                prop_assert_eq!(caps.lacks(f).is_none(), caps.has(f));
            }
        }
        Ok(())
    });
}

/// The words of a POSIX shell command line, or `None` if any character could mean more than
/// itself: outside quotes only plain characters, `\` escapes and line continuations, inside
/// `'…'` anything, and the one expansion the snippet intends.
fn shell_words(line: &str) -> Option<Vec<String>> {
    const KEY_HEADER: &str = "\"Authorization: Bearer $WEAVIATE_API_KEY\"";
    let (mut words, mut word) = (vec![], None::<String>);
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match c {
            '\'' => {
                let (quoted, after) = rest.split_once('\'')?;
                word.get_or_insert_with(String::new).push_str(quoted);
                rest = after;
            }
            '"' => {
                rest = line[line.len() - rest.len() - 1..].strip_prefix(KEY_HEADER)?;
                word.get_or_insert_with(String::new).push_str(&KEY_HEADER[1..KEY_HEADER.len() - 1]);
            }
            '\\' => {
                let e = rest.chars().next()?;
                rest = &rest[e.len_utf8()..];
                if e != '\n' {
                    word.get_or_insert_with(String::new).push(e);
                }
            }
            ' ' | '\n' => words.extend(word.take()),
            c if c.is_ascii_alphanumeric() || "-_./:,@%+=".contains(c) => word.get_or_insert_with(String::new).push(c),
            _ => return None,
        }
    }
    words.extend(word);
    Some(words)
}

#[test]
fn prop_snippets_quote_everything() {
    let input = drawn(128, |d| {
        let method = if d.flip() { d.pick(&["GET", "POST", "DELETE"]).to_string() } else { d.text() };
        let req = SentRequest { method, path: d.text(), body: d.flip().then(|| d.text()) };
        (d.url(), req, d.flip())
    });
    check("snippet::curl, python", input, |(base, req, with_key)| {
        let c = curl(&base, &req, with_key);
        let words = shell_words(&c).ok_or_else(|| TestCaseError::fail(format!("unquoted shell syntax in {c}")))?;
        let mut want =
            vec!["curl".to_string(), "-sS".into(), "--globoff".into(), "-X".into(), req.method.clone(), format!("{base}/v1{}", req.path)];
        if with_key {
            want.extend(["-H".to_string(), "Authorization: Bearer $WEAVIATE_API_KEY".into()]);
        }
        if let Some(b) = &req.body {
            want.extend(["-H".to_string(), "Content-Type: application/json".into(), "--data-raw".into(), b.clone()]);
        }
        prop_assert_eq!(words, want);
        let p = python(&base, &req, with_key);
        prop_assert_eq!(p.contains("Authorization"), with_key);
        prop_assert!(p.contains(&serde_json::to_string(&req.method).unwrap_or_default()));
        Ok(())
    });
}

/// `encodeURIComponent`, from its definition (ECMA-262, Encode): a character of its unreserved
/// set stands for itself; any other is its UTF-8 bytes, each as `%` and two upper-case hex digits.
fn encode_uri_component(s: &str) -> String {
    const UNRESERVED: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()";
    let mut out = String::new();
    for c in s.chars() {
        if UNRESERVED.contains(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push('%');
                out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('?').to_ascii_uppercase());
                out.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('?').to_ascii_uppercase());
            }
        }
    }
    out
}

#[test]
fn prop_request_paths_encode_as_browsers_do() {
    let input = drawn(128, |d| {
        let key = JobKey { kind: if d.flip() { JobKind::Backup } else { JobKind::Restore }, backend: d.text(), id: d.text() };
        let loc = Location { bucket: d.flip().then(|| d.text()), path: d.flip().then(|| d.text()) };
        (key, loc)
    });
    check("path::segment, path::job", input, |(key, loc)| {
        for s in [&key.backend, &key.id] {
            prop_assert_eq!(crate::path::segment(s), encode_uri_component(s));
        }
        let suffix = if key.kind == JobKind::Restore { "/restore" } else { "" };
        let want = format!("/backups/{}/{}{suffix}{}", encode_uri_component(&key.backend), encode_uri_component(&key.id), loc.query());
        prop_assert_eq!(crate::path::job(&key, &loc), want);
        Ok(())
    });
}

#[test]
fn prop_server_text_is_bounded_and_marked() {
    use crate::limit::{server_text, MAX_SERVER_TEXT_CHARS};
    let text = drawn(64, |d| {
        let unit = d.text();
        let times = if d.flip() { 1 } else { 1 + d.below(3 * MAX_SERVER_TEXT_CHARS) };
        unit.repeat(times)
    });
    check("limit::server_text", text, |text| {
        let kept = server_text(&text);
        let n = text.chars().count();
        if n <= MAX_SERVER_TEXT_CHARS {
            prop_assert_eq!(kept, text);
        } else {
            let head: String = text.chars().take(MAX_SERVER_TEXT_CHARS).collect();
            let note = format!("… [cut here: {} more character{}]", n - MAX_SERVER_TEXT_CHARS, if n - MAX_SERVER_TEXT_CHARS == 1 { "" } else { "s" });
            prop_assert_eq!(kept, format!("{head}{note}"));
        }
        Ok(())
    });
}

#[test]
fn prop_table_view_is_total() {
    let input = drawn(1024, |d| {
        let jobs: Vec<Job> = (0..d.below(5)).map(|_| d.job()).collect();
        (d.text(), d.text(), jobs, d.names())
    });
    check("table::TableView, StatusFilter/SortBy::from_label, coverage", input, |(t, label, jobs, collections)| {
        StatusFilter::from_label(&label);
        let refs: Vec<&Job> = jobs.iter().collect();
        for (status, sort) in StatusFilter::ALL.into_iter().zip(SortBy::ALL.into_iter().cycle()) {
            let view = TableView { text: t.clone(), status, sort };
            let shown = view.arrange(&refs);
            prop_assert!(shown.iter().all(|&i| i < jobs.len() && view.shows(&jobs[i])));
            let mut unique = shown.clone();
            unique.sort_unstable();
            unique.dedup();
            prop_assert_eq!(unique.len(), shown.len());
        }
        let all = TableView { sort: SortBy::from_label(&label), ..Default::default() }.arrange(&refs);
        prop_assert_eq!(all.len(), jobs.len());
        // The one shared sort (`table::ordered`) agrees with the standard stable sort.
        let mut newest: Vec<usize> = (0..jobs.len()).collect();
        newest.sort_by_key(|&i| std::cmp::Reverse(jobs[i].started_ms));
        prop_assert_eq!(TableView::default().arrange(&refs), newest);
        prop_assert_eq!(crate::coverage::coverage(&collections, &jobs).len(), collections.len());
        Ok(())
    });
}

#[test]
fn prop_job_state_machine_is_total() {
    let input = drawn(1024, |d| {
        let steps: Vec<(Option<Value>, u64, u16)> = (0..d.below(6))
            .map(|_| {
                let answer = d.flip().then(|| d.object(&[("status", status_v), ("error", string_v), ("size", number_v)]));
                (answer, d.u64(), d.u32() as u16)
            })
            .collect();
        (d.job(), steps, d.caps())
    });
    check("job::Job (status answers, poll errors, cancels)", input, |(mut j, steps, caps)| {
        for (answer, now, code) in steps {
            let was_terminal = j.is_terminal();
            match answer.and_then(|v| serde_json::from_value::<StatusResponse>(v).ok()) {
                Some(s) => j.apply_status(&s, now),
                None => j.apply_poll_error(&ApiError::from_response(code, "")),
            }
            prop_assert!(!was_terminal || j.is_terminal(), "a terminal job stays terminal");
            j.duration_ms(now);
            j.stalled_since(now, now);
            let _ = j.cancel_blocker(caps);
            j.cancel_outcome();
        }
        Ok(())
    });
}

#[test]
fn prop_poll_schedule_is_total() {
    let policy = any::<[u64; 6]>().prop_map(|[fast_ms, fast_for_ms, cap_ms, hidden_ms, retry_base_ms, retry_cap_ms]| PollPolicy {
        fast_ms,
        fast_for_ms,
        cap_ms,
        hidden_ms,
        retry_base_ms,
        retry_cap_ms,
        grid: Default::default(),
    });
    check("poll::PollPolicy, PollSlot", (policy, any::<(u64, u32, bool, u64)>()), |(p, (running, failures, hidden, now))| {
        let d = p.next_delay_ms(running, failures, hidden);
        if hidden {
            prop_assert!(d >= p.hidden_ms);
        }
        let mut slot = PollSlot::default();
        slot.begin();
        slot.finish(now, d);
        prop_assert!(slot.next_due_ms >= now);
        slot.hurry(now);
        prop_assert!(slot.is_due(now));
        Ok(())
    });
}

#[test]
fn prop_console_events_are_json() {
    check("host::ConsoleEvent::to_json", drawn(256, Draw::job), |j| {
        for e in [ConsoleEvent::started(&j), ConsoleEvent::finished(&j)] {
            let v: Value = serde_json::from_str(&e.to_json()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&v["id"], &json!(j.key.id));
        }
        Ok(())
    });
}

// ---- export -----------------------------------------------------------------------------------

/// RFC 4180 records, as a spreadsheet reads the export.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (vec![], vec![], String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (_, c) => cell.push(c),
        }
    }
    rows
}

/// `cell`, as a spreadsheet reads it, is `text`, or `text` after a `'` when `text` could start a
/// formula; and it never can.
fn cell_holds(cell: &str, text: &str) -> TestCaseResult {
    let formula = |s: &str| s.trim_start().starts_with(['=', '+', '-', '@']) || s.starts_with(['\t', '\r', '\n']);
    prop_assert!(!formula(cell), "{cell:?}");
    match cell.strip_prefix('\'') {
        Some(rest) if rest == text => {}
        _ => {
            prop_assert_eq!(cell, text);
            prop_assert!(!formula(text));
        }
    }
    Ok(())
}

/// Text that a spreadsheet may read as a formula: spaces, then a formula character, then anything.
fn cell_text(d: &mut Draw) -> String {
    let lead: String = (0..d.below(4)).map(|_| d.pick(&[' ', '\t', '\r', '\n', '\u{a0}', '\u{3000}', '\0'])).collect();
    let start = d.pick(&["", "=", "+", "-", "@", "'", ";", "x;=", "\""]);
    format!("{lead}{start}{}", d.text())
}

#[test]
fn prop_csv_fields_are_quoted_and_inert() {
    check("export::csv_field", drawn(64, |d| if d.flip() { cell_text(d) } else { d.text() }), |text| {
        let field = crate::export::csv_field(&text);
        prop_assert!(field.len() >= 2 && field.starts_with('"') && field.ends_with('"'), "{field:?}");
        prop_assert!(!field[1..field.len() - 1].replace("\"\"", "").contains('"'), "inner quotes doubled: {field:?}");
        let rows = read_csv(&format!("{field}\r\n"));
        prop_assert_eq!(rows.len(), 1);
        prop_assert_eq!(rows[0].len(), 1);
        cell_holds(&rows[0][0], &text)
    });
}

#[test]
fn prop_csv_cells_are_never_formulas() {
    let jobs = drawn(1024, |d| (0..d.below(4)).map(|_| d.job()).collect::<Vec<_>>());
    check("export::to_csv, to_json", jobs, |jobs| {
        let rows = read_csv(&to_csv(&jobs));
        prop_assert_eq!(rows.len(), jobs.len() + 1);
        for (row, j) in rows[1..].iter().zip(&jobs) {
            let want = [
                j.key.kind.as_str().to_string(),
                j.key.id.clone(),
                j.key.backend.clone(),
                j.status.as_str().to_string(),
                j.classes.join(" "),
                j.started_ms.to_string(),
                j.finished_ms.map(|f| f.to_string()).unwrap_or_default(),
                j.size_gib.map(|s| s.to_string()).unwrap_or_default(),
                j.error.clone().unwrap_or_default(),
            ];
            prop_assert_eq!(row.len(), want.len());
            for (cell, want) in row.iter().zip(want) {
                cell_holds(cell, &want)?;
            }
        }
        let v: Value = serde_json::from_str(&to_json(&jobs)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(v.as_array().map(Vec::len), Some(jobs.len()));
        Ok(())
    });
}

// ---- Backup policies ----------------------------------------------------------------------------

mod policies {
    use super::*;
    use crate::policy::retention::Plan;
    use crate::policy::state::{Base, Member};
    use crate::policy::{IdTemplate, Incremental, PoliciesFile, Policy, Retention, Schedule, Span};
    use chrono::{DateTime, TimeDelta, Utc};

    const ID_CHARS: &[char] = &['a', 'b', 'z', '0', '7', '-', '_'];
    const TOKENS: &[&str] = &["{policy}", "{yyyymmdd}", "{hhmmss}", "{yyyy}", "{", "}", "-", "x", ".", "A"];

    fn instant(d: &mut Draw) -> DateTime<Utc> {
        // 1970 … 9999: every year chrono and a backup id can hold.
        DateTime::from_timestamp((d.u64() % 253_402_300_799) as i64, 0).unwrap()
    }

    fn template(d: &mut Draw) -> String {
        match d.below(3) {
            0 => crate::policy::DEFAULT_TEMPLATE.to_string(),
            1 => (0..d.below(7)).map(|_| d.pick(TOKENS)).collect(),
            _ => d.text(),
        }
    }

    #[test]
    fn prop_id_templates_render_valid_ids_that_parse_back() {
        let gen = drawn(64, |d| (d.chars_from(ID_CHARS, 12), template(d), instant(d), d.text()));
        check("policy::IdTemplate", gen, |(name, text, at, other)| {
            let _ = IdTemplate::parse(&other).map(|t| t.parse_id(&name, &other));
            let (Ok(t), Ok(())) = (IdTemplate::parse(&text), crate::policy::check_name(&name)) else { return Ok(()) };
            let id = t.render(&name, at);
            prop_assert!(check_backup_id(&id).is_ok(), "{id}");
            prop_assert_eq!(t.parse_id(&name, &id), Some(at));
            Ok(())
        });
    }

    const CRON_CHARS: &[char] = &['*', '/', ',', '-', ' ', ' ', '0', '1', '2', '5', '9', '3', 'L', 'W', '#', '?', 'M', 'O', 'N', '@'];

    #[test]
    fn prop_schedules_are_total_and_move_forward() {
        let gen = drawn(64, |d| {
            let text = match d.below(3) {
                0 => d.pick(&["@daily", "@hourly", "0 2 * * *", "*/15 * * * *", "0 0 31 * *", "0 12 29 2 *", "0 0 L * *", "0 2 * * 1#2"]).to_string(),
                1 => (0..5).map(|_| d.chars_from(CRON_CHARS, 3)).collect::<Vec<_>>().join(" "),
                _ => d.text(),
            };
            (text, instant(d))
        });
        check("policy::Schedule", gen, |(text, at)| {
            let Ok(s) = Schedule::parse(&text) else { return Ok(()) };
            let runs = s.next_runs(&Utc, at, 3);
            let mut last = at;
            for r in runs {
                prop_assert!(r > last, "{text}: {r} after {last}");
                last = r;
            }
            Ok(())
        });
    }

    #[test]
    fn prop_policies_file_parse_is_total() {
        let gen = drawn(128, |d| {
            let p = Policy::new(&d.chars_from(ID_CHARS, 8), d.pick(&["filesystem", "s3", ""]), d.pick(&["0 2 * * *", "@hourly", "x"]), d.pick(&["UTC", "Nowhere"]));
            let mut v = serde_json::to_value(PoliciesFile::new(vec![p])).unwrap();
            let policy = &mut v["policies"][0];
            for _ in 0..d.below(4) {
                let key = d.pick(&["retention", "freshness", "incremental", "idTemplate", "include", "cpuPercentage", "paused", "bogus", "onPreviousRunning"]);
                policy[key] = d.json(2);
            }
            if d.flip() { v.to_string() } else { d.text() }
        });
        check("policy::PoliciesFile::parse", gen, |text| {
            if let Ok(file) = PoliciesFile::parse(&text, &|z| z == "UTC") {
                for p in &file.policies {
                    prop_assert!(p.validate(None, &|z| z == "UTC").is_ok());
                }
                prop_assert_eq!(PoliciesFile::parse(&file.to_json(), &|z| z == "UTC").ok(), Some(file));
            }
            Ok(())
        });
    }

    fn members(d: &mut Draw) -> Vec<Member> {
        let n = d.below(12);
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut ms: Vec<Member> = (0..n)
            .map(|i| {
                let started = start - TimeDelta::hours(i as i64 * 6);
                let status = Status::parse(d.pick(&["SUCCESS", "SUCCESS", "SUCCESS", "FAILED", "CANCELED", "STARTED", "TRANSFERRING"]));
                Member { id: format!("m{i}"), started, status, finished: Some(started), base: Base::Full, size_gib: None, error: None }
            })
            .collect();
        for i in 0..n {
            ms[i].base = match d.below(4) {
                0 => Base::Full,
                1 => Base::Unknown,
                // Usually an older backup; sometimes any, cycles included (a server can say anything).
                _ => Base::On(format!("m{}", if d.flip() { i + 1 + d.below(3) } else { d.below(n) })),
            };
        }
        ms
    }

    #[test]
    fn prop_retention_never_breaks_a_chain_min_count_or_a_running_backup() {
        let gen = drawn(64, |d| {
            let mut p = Policy::new("p", "filesystem", "0 */6 * * *", "UTC");
            p.retention = Retention {
                expire_after: d.flip().then(|| Span::from_secs(3_600 * (1 + d.below(72) as i64))),
                min_count: d.flip().then(|| d.below(5) as u32),
                max_count: d.flip().then(|| 1 + d.below(6) as u32),
            };
            p.incremental = d.flip().then_some(Incremental { full_every: 3 });
            let ms = members(d);
            (p, ms, d.below(100) as i64)
        });
        check("policy::retention::Plan", gen, |(p, ms, hours)| {
            let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap() + TimeDelta::hours(hours);
            let plan = Plan::of(&p, &ms, now);
            prop_assert_eq!(plan.items.len(), ms.len());
            let expired: Vec<&str> = plan.expired().map(|m| m.id.as_str()).collect();
            for (m, _) in &plan.items {
                let kept = !expired.contains(&m.id.as_str());
                prop_assert!(kept || !m.is_running(), "running {} expired", m.id);
                if kept {
                    if let Base::On(b) = &m.base {
                        prop_assert!(!expired.contains(&b.as_str()), "{} kept but its base {b} expired", m.id);
                    }
                    if m.base == Base::Unknown && p.incremental.is_some() && m.status == Status::Success {
                        let older_gone = plan.expired().any(|e| e.started < m.started && e.status == Status::Success);
                        prop_assert!(!older_gone, "{} has an unknown base, yet an older success expired", m.id);
                    }
                }
            }
            let successes = ms.iter().filter(|m| m.status == Status::Success).count();
            let kept_successes = plan.kept().filter(|m| m.status == Status::Success).count();
            let min = p.retention.min_count.unwrap_or(0) as usize;
            prop_assert!(kept_successes >= min.min(successes), "kept {kept_successes} of {successes}, minCount {min}");
            Ok(())
        });
    }
}

#[test]
fn prop_access_is_total() {
    check("access::OwnInfo, forbidden_permission", drawn(128, |d| (d.json(3).to_string(), d.text())), |(json, text)| {
        let _ = crate::access::forbidden_permission(&text);
        let _ = crate::access::forbidden_permission(&format!("rbac: insufficient permissions to {text}"));
        if let Ok(info) = serde_json::from_str::<crate::access::OwnInfo>(&json) {
            if let Some(a) = crate::access::Access::from_own_info(info) {
                let known = vec![text.clone(), "Article".to_string()];
                if let Some(n) = a.narrowing(&known, &[], &[]) {
                    prop_assert_eq!(n.allowed.len() + n.left_out.len(), known.len());
                    prop_assert!(n.left_out.iter().all(|c| !a.can_back_up(c)));
                }
                let _ = (a.describe(), a.missing(&known), a.none());
            }
        }
        Ok(())
    });
}
