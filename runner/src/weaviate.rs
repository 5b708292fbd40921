//! A blocking client for the few backup endpoints a run needs, over core's API types and paths.
//! Every request has a deadline and a size limit; redirects are never followed, so the key is
//! only ever sent to the URL it was given for.

use std::io::Read;
use std::time::Duration;

use backup_core::api::{BackupCreateRequest, BackupListItem, Meta, StartedResponse, StatusResponse};
use backup_core::error::ApiError;
use backup_core::job::{JobKey, JobKind};
use backup_core::options::Location;
use backup_core::path;
use serde::de::DeserializeOwned;

/// A create answers after every node agreed and the descriptor is written: allow for a slow
/// object store. Everything else is a small read.
const TIMEOUT: Duration = Duration::from_secs(60);
/// A list of thousands of backups is a few MB; nothing the runner reads is larger.
const MAX_BODY: u64 = 16 << 20;

pub struct Weaviate {
    agent: ureq::Agent,
    /// `http(s)://host:port`, no trailing slash.
    pub url: String,
    key: Option<String>,
}

impl Weaviate {
    pub fn new(url: &str, key: Option<String>) -> Result<Weaviate, String> {
        let url = url.trim().trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("The Weaviate URL {url:?} must start with http:// or https://."));
        }
        let agent = ureq::AgentBuilder::new().timeout(TIMEOUT).redirects(0).build();
        Ok(Weaviate { agent, url, key })
    }

    fn call<T: DeserializeOwned>(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Result<T, ApiError> {
        let mut req = self.agent.request(method, &format!("{}/v1{path}", self.url));
        if let Some(k) = &self.key {
            req = req.set("Authorization", &format!("Bearer {k}"));
        }
        let result = match body {
            Some(b) => req.send_json(b),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(status, r)) => {
                let text = read_limited(r, status)?;
                return Err(ApiError::from_response(status, &text));
            }
            Err(ureq::Error::Transport(t)) => {
                // Its Display repeats the URL, which the caller's message already names.
                let cause = std::error::Error::source(&t).map(|c| c.to_string()).or_else(|| t.message().map(str::to_string));
                let m = format!("{}{}", t.kind(), cause.map(|c| format!(": {c}")).unwrap_or_default());
                return Err(if m.contains("timed out") { ApiError::Timeout(format!("no answer within {} s", TIMEOUT.as_secs())) } else { ApiError::Network(m) });
            }
        };
        let status = resp.status();
        if (300..400).contains(&status) {
            return Err(ApiError::Redirected);
        }
        let text = read_limited(resp, status)?;
        serde_json::from_str(&text).map_err(|e| ApiError::Decode(format!("unexpected answer from {path}: {e}")))
    }

    pub fn meta(&self) -> Result<Meta, ApiError> {
        self.call("GET", "/meta", None)
    }

    pub fn list(&self, backend: &str) -> Result<Vec<BackupListItem>, ApiError> {
        self.call("GET", &path::backups(backend), None)
    }

    pub fn create(&self, backend: &str, req: &BackupCreateRequest) -> Result<StartedResponse, ApiError> {
        let body = serde_json::to_value(req).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.call("POST", &path::backups(backend), Some(&body))
    }

    pub fn status(&self, backend: &str, id: &str, loc: &Location) -> Result<StatusResponse, ApiError> {
        let key = JobKey { kind: JobKind::Backup, backend: backend.into(), id: id.into() };
        self.call("GET", &path::job(&key, loc), None)
    }
}

fn read_limited(resp: ureq::Response, status: u16) -> Result<String, ApiError> {
    let mut buf = Vec::new();
    resp.into_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut buf)
        .map_err(|e| ApiError::Network(format!("reading the answer: {e}")))?;
    if buf.len() as u64 > MAX_BODY {
        return Err(ApiError::too_large(status, MAX_BODY));
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_are_accepted() {
        assert!(Weaviate::new("ftp://x", None).is_err());
        assert_eq!(Weaviate::new("http://127.0.0.1:8080/", None).unwrap().url, "http://127.0.0.1:8080");
    }
}
