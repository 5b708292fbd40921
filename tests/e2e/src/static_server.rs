//! Serves a built console bundle (`dist/`) from a directory, optionally under a sub-path.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;

use tiny_http::{Header, Response, Server};

use crate::free_port;

/// A static file server on 127.0.0.1 running on a background thread for the process's life.
pub struct StaticServer {
    pub url: String,
    server: Arc<Server>,
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

impl StaticServer {
    /// Serves `root` at `http://127.0.0.1:{port}{prefix}` (`prefix` like `/` or `/admin/backups/`).
    pub fn start(root: &Path, prefix: &str) -> StaticServer {
        let port = free_port();
        let server = Arc::new(Server::http(("127.0.0.1", port)).expect("static server"));
        let root: PathBuf = root.to_path_buf();
        let prefix = prefix.to_string();
        let s = server.clone();
        let url = format!("http://127.0.0.1:{port}{prefix}");
        thread::spawn(move || {
            for req in s.incoming_requests() {
                let path = req.url().split('?').next().unwrap_or("/").to_string();
                let rel = path.strip_prefix(prefix.as_str()).map(|r| if r.is_empty() { "index.html" } else { r });
                let file = rel
                    .filter(|r| !r.split('/').any(|c| c == ".."))
                    .map(|r| root.join(r))
                    .filter(|p| p.is_file());
                let _ = match file {
                    Some(p) => {
                        let body = std::fs::read(&p).unwrap_or_default();
                        let ct = Header::from_bytes("Content-Type", content_type(&p)).unwrap();
                        req.respond(Response::from_data(body).with_header(ct))
                    }
                    None => req.respond(Response::from_string("not found").with_status_code(404)),
                };
            }
        });
        StaticServer { url, server }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.server.unblock();
    }
}
