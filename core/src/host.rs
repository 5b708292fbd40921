//! The postMessage protocol with a host page that embeds the console in an `<iframe>`.
//!
//! Host → console: `{"type":"config","config":{…ConsoleConfig…}}` (again later for updates,
//! such as a rotated API key). Console → host: `ready`, `job-started`, `job-finished`,
//! `height`. Only origins on the allow-list are heard or posted to; no event carries a secret.

use serde::Serialize;

use crate::config::ConsoleConfig;
use crate::job::Job;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostMessage {
    Config(ConsoleConfig),
}

/// Parses a message's data (as JSON text); anything else is ignored (`None`).
pub fn parse_host_message(data: &str) -> Option<HostMessage> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        config: Option<ConsoleConfig>,
    }
    let env: Envelope = serde_json::from_str(data).ok()?;
    match (env.kind.as_str(), env.config) {
        ("config", Some(c)) => Some(HostMessage::Config(c)),
        _ => None,
    }
}

/// Exact origin match; `*` is never accepted.
pub fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    origin != "null" && allowed.iter().any(|a| a != "*" && a == origin)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ConsoleEvent {
    Ready,
    JobStarted { id: String, kind: String, backend: String, status: String },
    JobFinished { id: String, kind: String, backend: String, status: String, error: Option<String> },
    Height { height: u32 },
}

impl ConsoleEvent {
    pub fn started(job: &Job) -> ConsoleEvent {
        ConsoleEvent::JobStarted {
            id: job.key.id.clone(),
            kind: job.key.kind.as_str().into(),
            backend: job.key.backend.clone(),
            status: job.status.as_str().into(),
        }
    }

    pub fn finished(job: &Job) -> ConsoleEvent {
        ConsoleEvent::JobFinished {
            id: job.key.id.clone(),
            kind: job.key.kind.as_str().into(),
            backend: job.key.backend.clone(),
            status: job.status.as_str().into(),
            error: job.error.clone(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::StartedResponse;
    use crate::job::{JobKey, JobKind};

    #[test]
    fn config_messages_parse_and_others_are_ignored() {
        let m = parse_host_message(r#"{"type":"config","config":{"weaviateUrl":"http://h:1","apiKey":"k"}}"#);
        let Some(HostMessage::Config(c)) = m else { panic!() };
        assert_eq!(c.api_key.as_deref(), Some("k"));
        for other in ["", "null", "42", r#"{"type":"other"}"#, r#"{"type":"config"}"#, r#"{"type":"config","config":{"readOnly":1}}"#] {
            assert_eq!(parse_host_message(other), None, "{other}");
        }
    }

    #[test]
    fn origins() {
        let allowed = vec!["http://host:9".to_string()];
        assert!(origin_allowed("http://host:9", &allowed));
        assert!(!origin_allowed("http://host:90", &allowed));
        assert!(!origin_allowed("http://evil", &allowed));
        assert!(!origin_allowed("null", &["null".into()]));
        assert!(!origin_allowed("http://x", &["*".into()]));
        assert!(!origin_allowed("http://host:9", &[]));
    }

    #[test]
    fn events_carry_no_secrets() {
        let resp: StartedResponse = serde_json::from_str(r#"{"id":"b","status":"STARTED"}"#).unwrap();
        let key = JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: "b".into() };
        let job = Job::started(key, &resp, 0);
        assert_eq!(
            ConsoleEvent::started(&job).to_json(),
            r#"{"type":"job-started","id":"b","kind":"backup","backend":"filesystem","status":"STARTED"}"#
        );
        assert_eq!(ConsoleEvent::Ready.to_json(), r#"{"type":"ready"}"#);
        assert_eq!(ConsoleEvent::Height { height: 900 }.to_json(), r#"{"type":"height","height":900}"#);
        assert!(ConsoleEvent::finished(&job).to_json().contains(r#""type":"job-finished""#));
    }
}
