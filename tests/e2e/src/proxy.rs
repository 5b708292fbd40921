//! An HTTP proxy in front of Weaviate whose behaviour a test switches at run time: pass
//! through, answer 5xx, or cut the answer off (as the browser sees it: a network error), and
//! that records every request it sees.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use tiny_http::{Header, Response, Server};

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

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: String,
}

pub struct Proxy {
    pub url: String,
    mode: Arc<Mutex<Mode>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    meta_version: Arc<Mutex<Option<String>>>,
    server: Arc<Server>,
}

const CORS: [(&str, &str); 3] = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "*"),
    ("Access-Control-Allow-Headers", "Content-Type, Authorization"),
];

fn header(k: &str, v: &str) -> Header {
    Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap()
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        let port = free_port();
        let server = Arc::new(Server::http(("127.0.0.1", port)).expect("proxy"));
        let mode = Arc::new(Mutex::new(Mode::Pass));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let meta_version = Arc::new(Mutex::new(None::<String>));
        let (s, m, log, up, mv) = (server.clone(), mode.clone(), seen.clone(), upstream.to_string(), meta_version.clone());
        thread::spawn(move || {
            for mut req in s.incoming_requests() {
                let (m, log, up, mv) = (m.clone(), log.clone(), up.clone(), mv.clone());
                thread::spawn(move || {
                    let mut body = String::new();
                    let _ = req.as_reader().read_to_string(&mut body);
                    let method = req.method().to_string();
                    let path = req.url().to_string();
                    if method != "OPTIONS" {
                        log.lock().unwrap().push(Seen { method: method.clone(), path: path.clone(), body: body.clone() });
                    }
                    let mode = m.lock().unwrap().clone();
                    let cors = |r: Response<std::io::Cursor<Vec<u8>>>| CORS.iter().fold(r, |r, (k, v)| r.with_header(header(k, v)));
                    let lose = match &mode {
                        Mode::Fail(code) if method != "OPTIONS" => {
                            let r = Response::from_string(format!("{{\"code\":{code},\"message\":\"proxy: simulated failure\"}}"));
                            let _ = req.respond(cors(r.with_status_code(*code)));
                            return;
                        }
                        Mode::Unreachable => {
                            let _ = req.respond(Response::from_string("unreachable").with_status_code(502));
                            return;
                        }
                        Mode::LoseAnswerOnce(p) => method == "POST" && path.contains(p.as_str()),
                        _ => false,
                    };
                    let mut out = ureq::request(&method, &format!("{up}{path}")).timeout(Duration::from_secs(60));
                    for h in req.headers() {
                        let name = h.field.as_str().as_str();
                        if name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("content-type") {
                            out = out.set(name, h.value.as_str());
                        }
                    }
                    let result = if body.is_empty() { out.call() } else { out.send_string(&body) };
                    let resp = match result {
                        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
                        Err(e) => {
                            let _ = req.respond(Response::from_string(e.to_string()).with_status_code(502));
                            return;
                        }
                    };
                    if lose {
                        *m.lock().unwrap() = Mode::Pass;
                        let _ = req.respond(Response::from_string("lost").with_status_code(502));
                        return;
                    }
                    let status = resp.status();
                    let mut r = Response::from_data(Vec::new()).with_status_code(status);
                    for name in resp.headers_names() {
                        if name.to_lowercase().starts_with("access-control-") || name.eq_ignore_ascii_case("content-type") {
                            r = r.with_header(header(&name, resp.header(&name).unwrap_or("")));
                        }
                    }
                    let mut bytes = Vec::new();
                    let _ = resp.into_reader().read_to_end(&mut bytes);
                    if let (true, Some(v)) = (path.starts_with("/v1/meta"), mv.lock().unwrap().clone()) {
                        let mut meta: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
                        meta["version"] = serde_json::Value::String(v);
                        bytes = serde_json::to_vec(&meta).unwrap();
                    }
                    let len = bytes.len();
                    let _ = req.respond(r.with_data(std::io::Cursor::new(bytes), Some(len)));
                });
            }
        });
        Proxy { url: format!("http://127.0.0.1:{port}"), mode, seen, meta_version, server }
    }

    /// Makes `/v1/meta` report another server version (to test version gating).
    pub fn set_meta_version(&self, version: &str) {
        *self.meta_version.lock().unwrap() = Some(version.to_string());
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// Requests seen so far (preflights left out).
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.server.unblock();
    }
}
