//! "Copy as curl" and "Copy as Python": the exact request the console sent, with the API key
//! replaced by an environment variable, ready to paste into a script.

use serde::{Deserialize, Serialize};

use crate::job::JobKey;
use crate::options::Location;

/// A request as sent: method, path under `/v1` (with its query), JSON body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRequest {
    pub method: String,
    pub path: String,
    pub body: Option<String>,
}

impl SentRequest {
    /// The status read of a job, exactly as the poller sends it.
    pub fn status_read(key: &JobKey, location: &Location) -> SentRequest {
        SentRequest { method: "GET".into(), path: crate::path::job(key, location), body: None }
    }
}

/// The variable the snippets read the API key from.
pub const KEY_VAR: &str = "WEAVIATE_API_KEY";

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn py_str(s: &str) -> String {
    // A JSON string literal is a valid Python string literal.
    serde_json::to_string(s).unwrap_or_default()
}

/// A curl command line. `--globoff`: curl would expand `[1-99999999]` or `{a,b}` in the URL
/// (an id may hold them) into that many requests. `--data-raw`: with `-d`, a body starting
/// with `@` names a file to upload instead.
pub fn curl(base_url: &str, req: &SentRequest, with_key: bool) -> String {
    // A request read back from the journal may hold anything, and this text is pasted into a
    // shell: only a plain method name goes unquoted.
    let plain = !req.method.is_empty() && req.method.bytes().all(|b| b.is_ascii_uppercase());
    let method = if plain { req.method.clone() } else { shell_quote(&req.method) };
    let mut parts = vec![
        "curl -sS --globoff".to_string(),
        format!("-X {method}"),
        shell_quote(&format!("{base_url}/v1{}", req.path)),
    ];
    if with_key {
        parts.push(format!("-H \"Authorization: Bearer ${KEY_VAR}\""));
    }
    if let Some(b) = &req.body {
        parts.push("-H 'Content-Type: application/json'".into());
        parts.push(format!("--data-raw {}", shell_quote(b)));
    }
    parts.join(" \\\n  ")
}

/// A Python script using `requests`.
pub fn python(base_url: &str, req: &SentRequest, with_key: bool) -> String {
    let mut headers = vec![];
    if req.body.is_some() {
        headers.push(r#""Content-Type": "application/json""#.to_string());
    }
    if with_key {
        headers.push(format!(r#""Authorization": "Bearer " + os.environ["{KEY_VAR}"]"#));
    }
    let mut args = vec![py_str(&req.method), py_str(&format!("{base_url}/v1{}", req.path))];
    if !headers.is_empty() {
        args.push(format!("headers={{{}}}", headers.join(", ")));
    }
    if let Some(b) = &req.body {
        args.push(format!("data={}", py_str(b)));
    }
    let import = if with_key { "import os\n\nimport requests" } else { "import requests" };
    format!(
        "{import}\n\nresp = requests.request(\n    {},\n)\nprint(resp.status_code, resp.text)\n",
        args.join(",\n    ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post() -> SentRequest {
        SentRequest { method: "POST".into(), path: "/backups/filesystem".into(), body: Some(r#"{"id":"it's"}"#.into()) }
    }

    #[test]
    fn curl_is_exact_and_keyless() {
        let c = curl("http://h:8080", &post(), true);
        assert_eq!(
            c,
            "curl -sS --globoff \\\n  -X POST \\\n  'http://h:8080/v1/backups/filesystem' \\\n  -H \"Authorization: Bearer $WEAVIATE_API_KEY\" \\\n  -H 'Content-Type: application/json' \\\n  --data-raw '{\"id\":\"it'\\''s\"}'"
        );
        let get = SentRequest { method: "GET".into(), path: "/backups/fs/x?path=/p".into(), body: None };
        assert_eq!(curl("http://h", &get, false), "curl -sS --globoff \\\n  -X GET \\\n  'http://h/v1/backups/fs/x?path=/p'");
        let tampered = SentRequest { method: "GET $(id);".into(), path: "/x".into(), body: None };
        assert!(curl("http://h", &tampered, false).contains("-X 'GET $(id);'"));
        let empty = SentRequest { method: String::new(), ..get };
        assert!(curl("http://h", &empty, false).contains("-X ''"), "an empty method stays an argument");
    }

    #[test]
    fn curl_neither_reads_files_nor_globs() {
        let upload = SentRequest { body: Some("@/home/admin/.aws/credentials".into()), ..post() };
        let c = curl("http://h", &upload, false);
        assert!(c.ends_with("--data-raw '@/home/admin/.aws/credentials'") && !c.contains(" -d "), "{c}");
        let key = JobKey { kind: crate::job::JobKind::Backup, backend: "fs".into(), id: "x[1-99999999]".into() };
        let status = SentRequest::status_read(&key, &Location::default());
        let c = curl("http://h", &status, false);
        assert_eq!(c, "curl -sS --globoff \\\n  -X GET \\\n  'http://h/v1/backups/fs/x%5B1-99999999%5D'");
        assert!(python("http://h", &status, false).contains(r#""http://h/v1/backups/fs/x%5B1-99999999%5D""#), "the same URL");
    }

    #[test]
    fn python_is_exact_and_keyless() {
        let p = python("http://h:8080", &post(), true);
        assert!(p.starts_with("import os\n\nimport requests\n"));
        assert!(p.contains(r#"data="{\"id\":\"it's\"}""#), "{p}");
        assert!(p.contains(r#"os.environ["WEAVIATE_API_KEY"]"#));
        assert!(!python("http://h", &post(), false).contains("Authorization"));
    }
}
