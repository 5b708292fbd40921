//! Serves a built console bundle (`dist/`) from a directory, optionally under a sub-path, with
//! optional extra response headers, in-memory files, extra folders and a single-page-app
//! fallback; records what was requested.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;

use tiny_http::{Header, Response, Server};

use crate::free_port;

/// How [`StaticServer::start_with`] serves beyond plain files.
#[derive(Clone, Debug, Default)]
pub struct StaticOptions {
    /// Added to every response (e.g. a `Content-Security-Policy`).
    pub headers: Vec<(String, String)>,
    /// (URL path, body, content type), served instead of anything on disk.
    pub files: Vec<(String, Vec<u8>, String)>,
    /// (URL prefix like `/examples/`, folder): more folders beside the root.
    pub mounts: Vec<(String, PathBuf)>,
    /// Unknown paths answer the root's `index.html` as `text/html`, as `trunk serve` and many
    /// static hosts do (so a missing `config.json` comes back as HTML).
    pub spa_fallback: bool,
}

/// A static file server on 127.0.0.1 running on a background thread until dropped.
pub struct StaticServer {
    pub url: String,
    server: Arc<Server>,
    requests: Arc<Mutex<Vec<String>>>,
    /// [`StaticOptions::files`], and those added once the server runs.
    files: Arc<Mutex<Vec<(String, Vec<u8>, String)>>>,
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// The file under `root` for `rel` (a path relative to the mount; `index.html` for a folder),
/// refusing `..`.
fn file_in(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
    if rel.split('/').any(|c| c == "..") {
        return None;
    }
    Some(root.join(rel)).filter(|p| p.is_file())
}

impl StaticServer {
    /// Serves `root` at `http://127.0.0.1:{port}{prefix}` (`prefix` like `/` or `/admin/backups/`).
    pub fn start(root: &Path, prefix: &str) -> StaticServer {
        StaticServer::start_with(root, prefix, StaticOptions::default())
    }

    /// Like [`StaticServer::start`], with `opts`.
    pub fn start_with(root: &Path, prefix: &str, opts: StaticOptions) -> StaticServer {
        let port = free_port();
        let server = Arc::new(Server::http(("127.0.0.1", port)).expect("static server"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let mut mounts = opts.mounts.clone();
        mounts.push((prefix.to_string(), root.to_path_buf()));
        let files = Arc::new(Mutex::new(opts.files.clone()));
        let (s, log, served) = (server.clone(), requests.clone(), files.clone());
        thread::spawn(move || {
            for req in s.incoming_requests() {
                log.lock().unwrap().push(req.url().to_string());
                let path = req.url().split('?').next().unwrap_or("/").to_string();
                let file = served.lock().unwrap().iter().find(|(p, _, _)| *p == path).map(|(_, body, ct)| (body.clone(), ct.clone()));
                let found = file.or_else(|| {
                    mounts
                        .iter()
                        .find_map(|(pre, dir)| path.strip_prefix(pre.as_str()).and_then(|rel| file_in(dir, rel)))
                        .or_else(|| opts.spa_fallback.then(|| mounts.last().unwrap().1.join("index.html")))
                        .and_then(|p| Some((std::fs::read(&p).ok()?, content_type(&p).to_string())))
                });
                let resp = match found {
                    Some((body, ct)) => Response::from_data(body).with_header(Header::from_bytes("Content-Type", ct).unwrap()),
                    None => Response::from_data(b"not found".to_vec()).with_status_code(404),
                };
                let resp = opts.headers.iter().fold(resp, |r, (k, v)| r.with_header(Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap()));
                let _ = req.respond(resp);
            }
        });
        StaticServer { url: format!("http://127.0.0.1:{port}{prefix}"), server, requests, files }
    }

    /// Serves `examples/host.html` as a deployer edits it, its `<meta>` tags naming the console
    /// and the Weaviate (the page never takes either from its own URL), and returns its URL.
    /// Added once this server runs: the console's `allowedOrigins` needs this server's origin.
    pub fn host_page(&self, console_url: &str, weaviate_url: &str) -> String {
        let page = std::fs::read_to_string(crate::repo_root().join("examples/host.html")).expect("examples/host.html");
        let set = |page: String, name: &str, value: &str| {
            let tag = format!(r#"<meta name="{name}" content=""#);
            let at = page.find(&tag).unwrap_or_else(|| panic!("examples/host.html has no {name} meta")) + tag.len();
            let end = at + page[at..].find('"').unwrap();
            format!("{}{value}{}", &page[..at], &page[end..])
        };
        let page = set(set(page, "backup-console-url", console_url), "weaviate-url", weaviate_url);
        // The URL is `http://127.0.0.1:{port}/{prefix}`.
        let path = format!("/{}host.html", self.url.splitn(4, '/').nth(3).unwrap_or_default());
        let mut files = self.files.lock().unwrap();
        files.retain(|(p, _, _)| *p != path);
        files.push((path, page.into_bytes(), content_type(Path::new("host.html")).into()));
        format!("{}host.html", self.url)
    }

    /// URLs requested so far (path and query), in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.server.unblock();
    }
}
