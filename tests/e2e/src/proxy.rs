//! An HTTP proxy in front of Weaviate that records every request it sees (with headers) and
//! injects faults a test switches at run time: a blanket [`Mode`], per-path [`Rule`]s, or a
//! seeded random [`Proxy::chaos`] for soak tests.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use tiny_http::{Header, Request, Response, Server};

use crate::free_port;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Pass,
    /// Answer every request with this status (with CORS headers, so the page reads it).
    Fail(u16),
    /// Answer without CORS headers: to the page, a network error; nothing reaches Weaviate.
    Unreachable,
    /// Forward the next POST whose path contains this text, then hide the answer from the
    /// page: the server acted, the page saw a network error.
    LoseAnswerOnce(String),
}

/// What happens to a request a [`Rule`] (or chaos) picks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long before forwarding, then pass. Adds up with other faults.
    Latency(Duration),
    /// Forward, hold the answer this long, then give the page a network error (as a dropped
    /// connection does). Make it longer than the console's own deadline to test that one.
    Hang(Duration),
    /// Answer this status with CORS headers and a Weaviate-shaped error body; nothing is
    /// forwarded.
    Status(u16),
    /// Forward, then answer the real status and headers with the body cut in half and broken
    /// off: the page's `fetch` resolves, reading the body fails.
    Truncate,
    /// Forward, then answer 200 with a body that is not JSON (an HTML error page).
    InvalidJson,
    /// Never reach Weaviate; the page sees a network error.
    DropBeforeUpstream,
    /// Forward, then hide the answer: the server acted, the page saw a network error.
    LoseAnswer,
}

/// Which requests get a fault. Preflights (`OPTIONS`) only match a rule that names them.
#[derive(Clone, Debug)]
pub struct Rule {
    /// `None`: any method.
    pub method: Option<&'static str>,
    /// Matched against the path with its query.
    pub path_contains: &'static str,
    /// Only the nth matching request (from 1); `None`: every one.
    pub nth: Option<usize>,
    pub fault: Fault,
}

impl Rule {
    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method {
            Some(m) => m.eq_ignore_ascii_case(method),
            None => method != "OPTIONS",
        };
        method_ok && path.contains(self.path_contains)
    }
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: String,
    /// Request headers as sent, names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

struct Armed {
    rule: Rule,
    matched: usize,
    fired: usize,
}

/// Seeded random faults: each request draws once and meets at most one of them.
struct Chaos {
    rng: u64,
    faults: Vec<(f64, Fault, usize)>,
}

impl Chaos {
    /// xorshift64*: reproducible from the seed, no crate needed.
    fn draw(&mut self) -> f64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct State {
    upstream: String,
    mode: Mutex<Mode>,
    seen: Mutex<Vec<Seen>>,
    meta_version: Mutex<Option<String>>,
    rules: Mutex<Vec<Armed>>,
    chaos: Mutex<Option<Chaos>>,
}

pub struct Proxy {
    pub url: String,
    state: Arc<State>,
    server: Arc<Server>,
}

/// What Weaviate's CORS defaults answer (`CORS_ALLOW_ORIGIN=*`, `CORS_ALLOW_METHODS=*`).
pub const CORS: [(&str, &str); 3] = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "*"),
    ("Access-Control-Allow-Headers", "Content-Type, Authorization"),
];

fn header(k: &str, v: &str) -> Header {
    Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap()
}

/// Weaviate's answer, as far as the page can see it.
struct Answer {
    status: u16,
    /// `Content-Type` and `Access-Control-*`.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        let port = free_port();
        let server = Arc::new(Server::http(("127.0.0.1", port)).expect("proxy"));
        let state = Arc::new(State {
            upstream: upstream.to_string(),
            mode: Mutex::new(Mode::Pass),
            seen: Mutex::new(Vec::new()),
            meta_version: Mutex::new(None),
            rules: Mutex::new(Vec::new()),
            chaos: Mutex::new(None),
        });
        let (s, st) = (server.clone(), state.clone());
        thread::spawn(move || {
            for req in s.incoming_requests() {
                let st = st.clone();
                thread::spawn(move || st.handle(req));
            }
        });
        Proxy { url: format!("http://127.0.0.1:{port}"), state, server }
    }

    /// Makes `/v1/meta` report another server version (to test version gating).
    pub fn set_meta_version(&self, version: &str) {
        *self.state.meta_version.lock().unwrap() = Some(version.to_string());
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    /// Adds a fault rule; returns its index for [`Proxy::fired`]. Rules apply in order after
    /// the [`Mode`]: latencies add up, the first other fault that fires decides the answer
    /// (a later one does not fire).
    pub fn add_rule(&self, rule: Rule) -> usize {
        let mut rules = self.state.rules.lock().unwrap();
        rules.push(Armed { rule, matched: 0, fired: 0 });
        rules.len() - 1
    }

    /// Removes every rule; indexes start again from 0.
    pub fn clear_rules(&self) {
        self.state.rules.lock().unwrap().clear();
    }

    /// How many requests rule `index` has faulted.
    pub fn fired(&self, index: usize) -> usize {
        self.state.rules.lock().unwrap()[index].fired
    }

    /// From now on each request (preflights aside) meets at most one of `faults`, each with its
    /// probability, drawn from a PRNG seeded with `seed`: the same seed and the same request
    /// order give the same faults. After the mode and the rules; replaces an earlier chaos.
    pub fn chaos(&self, seed: u64, faults: &[(f64, Fault)]) {
        assert!(faults.iter().map(|(p, _)| p).sum::<f64>() <= 1.0, "probabilities add up to more than 1");
        *self.state.chaos.lock().unwrap() = Some(Chaos {
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            faults: faults.iter().map(|(p, f)| (*p, f.clone(), 0)).collect(),
        });
    }

    /// How often each chaos fault has fired so far.
    pub fn chaos_counts(&self) -> Vec<(Fault, usize)> {
        let chaos = self.state.chaos.lock().unwrap();
        chaos.iter().flat_map(|c| c.faults.iter().map(|(_, f, n)| (f.clone(), *n))).collect()
    }

    /// Ends the chaos; returns the final [`Proxy::chaos_counts`].
    pub fn stop_chaos(&self) -> Vec<(Fault, usize)> {
        let counts = self.chaos_counts();
        *self.state.chaos.lock().unwrap() = None;
        counts
    }

    /// Requests seen so far (preflights left out).
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// Requests seen so far that carried an `Authorization` header.
    pub fn authorization_seen(&self) -> Vec<Seen> {
        self.seen().into_iter().filter(|r| r.header("authorization").is_some()).collect()
    }
}

impl State {
    fn handle(&self, mut req: Request) {
        let mut body = String::new();
        let _ = req.as_reader().read_to_string(&mut body);
        let method = req.method().to_string();
        let path = req.url().to_string();
        if method != "OPTIONS" {
            let headers = req.headers().iter().map(|h| (h.field.as_str().as_str().to_ascii_lowercase(), h.value.to_string())).collect();
            self.seen.lock().unwrap().push(Seen { method: method.clone(), path: path.clone(), body: body.clone(), headers });
        }
        let (delay, fault) = self.plan(&method, &path);
        thread::sleep(delay);
        match fault {
            Some(Fault::Status(code)) => {
                let body = format!("{{\"error\":[{{\"message\":\"proxy: simulated failure (HTTP {code})\"}}]}}");
                let headers = CORS.iter().chain(&[("Content-Type", "application/json")]).map(|(k, v)| (k.to_string(), v.to_string())).collect();
                return respond(req, Answer { status: code, headers, body: body.into_bytes() });
            }
            Some(Fault::DropBeforeUpstream) => return unreachable(req),
            _ => {}
        }
        let answer = match self.forward(&req, &method, &path, &body) {
            Ok(a) => a,
            Err(e) => return respond(req, Answer { status: 502, headers: vec![], body: e.into_bytes() }),
        };
        match fault {
            Some(Fault::Hang(hold)) => {
                thread::sleep(hold);
                unreachable(req)
            }
            Some(Fault::LoseAnswer) => unreachable(req),
            Some(Fault::Truncate) => truncated(req, answer),
            Some(Fault::InvalidJson) => {
                respond(req, Answer { status: 200, body: b"<html><body>upstream error</body></html>".to_vec(), ..answer })
            }
            _ => respond(req, answer),
        }
    }

    /// The delay and the fault for this request, counting what fired.
    fn plan(&self, method: &str, path: &str) -> (Duration, Option<Fault>) {
        let mut delay = Duration::ZERO;
        let mut fault = None;
        let mut take = |f: &Fault| match f {
            Fault::Latency(d) => {
                delay += *d;
                true
            }
            _ if fault.is_none() => {
                fault = Some(f.clone());
                true
            }
            _ => false,
        };
        {
            let mut mode = self.mode.lock().unwrap();
            match &*mode {
                Mode::Fail(code) if method != "OPTIONS" => {
                    take(&Fault::Status(*code));
                }
                Mode::Unreachable => {
                    take(&Fault::DropBeforeUpstream);
                }
                Mode::LoseAnswerOnce(p) if method == "POST" && path.contains(p.as_str()) => {
                    take(&Fault::LoseAnswer);
                    *mode = Mode::Pass;
                }
                _ => {}
            }
        }
        for armed in self.rules.lock().unwrap().iter_mut().filter(|a| a.rule.matches(method, path)) {
            armed.matched += 1;
            if armed.rule.nth.is_none_or(|n| n == armed.matched) && take(&armed.rule.fault) {
                armed.fired += 1;
            }
        }
        if let Some(chaos) = self.chaos.lock().unwrap().as_mut().filter(|_| method != "OPTIONS") {
            let mut x = chaos.draw();
            for (p, f, n) in chaos.faults.iter_mut() {
                if x < *p {
                    if take(f) {
                        *n += 1;
                    }
                    break;
                }
                x -= *p;
            }
        }
        (delay, fault)
    }

    fn forward(&self, req: &Request, method: &str, path: &str, body: &str) -> Result<Answer, String> {
        let mut out = ureq::request(method, &format!("{}{path}", self.upstream)).timeout(Duration::from_secs(60));
        for h in req.headers() {
            let name = h.field.as_str().as_str();
            if name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("content-type") {
                out = out.set(name, h.value.as_str());
            }
        }
        let resp = match if body.is_empty() { out.call() } else { out.send_string(body) } {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => return Err(e.to_string()),
        };
        let status = resp.status();
        let headers = resp
            .headers_names()
            .into_iter()
            .filter(|n| n.to_lowercase().starts_with("access-control-") || n.eq_ignore_ascii_case("content-type"))
            .map(|n| {
                let v = resp.header(&n).unwrap_or("").to_string();
                (n, v)
            })
            .collect();
        let mut bytes = Vec::new();
        let _ = resp.into_reader().read_to_end(&mut bytes);
        if let (true, Some(v)) = (path.starts_with("/v1/meta"), self.meta_version.lock().unwrap().clone()) {
            let mut meta: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            meta["version"] = serde_json::Value::String(v);
            bytes = serde_json::to_vec(&meta).unwrap();
        }
        Ok(Answer { status, headers, body: bytes })
    }
}

fn respond(req: Request, a: Answer) {
    let r = a.headers.iter().fold(Response::from_data(a.body).with_status_code(a.status), |r, (k, v)| r.with_header(header(k, v)));
    let _ = req.respond(r);
}

/// An answer without CORS headers: to the page, the same network error as a refused or
/// dropped connection.
fn unreachable(req: Request) {
    let _ = req.respond(Response::from_string("unreachable").with_status_code(502));
}

/// The real status and headers, then half the body as one chunk and a malformed chunk header:
/// the browser fails the body read at once (`ERR_INVALID_CHUNKED_ENCODING`). tiny_http cannot
/// close a connection early, which is the other way to break a body.
fn truncated(req: Request, a: Answer) {
    let half = &a.body[..a.body.len() / 2];
    let mut head = format!("HTTP/1.1 {} X\r\nTransfer-Encoding: chunked\r\n", a.status);
    for (k, v) in &a.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut w = req.into_writer();
    let _ = w.write_all(head.as_bytes());
    if !half.is_empty() {
        let _ = write!(w, "{:x}\r\n", half.len());
        let _ = w.write_all(half);
        let _ = w.write_all(b"\r\n");
    }
    let _ = w.write_all(b"not-a-chunk-size\r\n");
    let _ = w.flush();
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.server.unblock();
    }
}
