//! The postMessage protocol with a host page that embeds the console in an `<iframe>`.
//!
//! Host → console: `{"type":"config","config":{…ConsoleConfig…}}` (again later for updates,
//! such as a rotated API key). Console → host: `ready`, `job-started`, `job-finished`,
//! `height`, `stopped`. Only the one allowed host origin (`ConsoleConfig::host_target`) is heard
//! or posted to; no event carries a secret.

use serde::Serialize;

use crate::config::{ConsoleConfig, Source};
use crate::job::Job;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostMessage {
    Config(ConsoleConfig),
}

/// Parses a message's data (as JSON text); anything else, including a config that breaks the
/// rules for hosts (see [`Source::Host`]), is ignored (`None`).
pub fn parse_host_message(data: &str) -> Option<HostMessage> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        config: Option<serde_json::Value>,
    }
    let env: Envelope = serde_json::from_str(data).ok()?;
    match (env.kind.as_str(), env.config) {
        ("config", Some(c)) => ConsoleConfig::parse(&c.to_string(), Source::Host).ok().map(HostMessage::Config),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ConsoleEvent {
    Ready,
    JobStarted { id: String, kind: String, backend: String, status: String },
    JobFinished { id: String, kind: String, backend: String, status: String, error: Option<String> },
    Height { height: u32 },
    /// The console hit a bug and stopped; the host may offer a reload.
    Stopped,
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
        for other in ["", "null", "42", r#"{"type":"other"}"#, r#"{"type":"config"}"#, r#"{"type":"config","config":{"readOnly":1}}"#,
                      r#"{"type":"config","config":{"allowedOrigins":["http://evil"]}}"#,
                      r#"{"type":"config","config":{"weaviateUrl":"javascript:alert(1)"}}"#] {
            assert_eq!(parse_host_message(other), None, "{other}");
        }
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
        assert_eq!(ConsoleEvent::Stopped.to_json(), r#"{"type":"stopped"}"#);
        assert_eq!(ConsoleEvent::Height { height: 900 }.to_json(), r#"{"type":"height","height":900}"#);
        assert!(ConsoleEvent::finished(&job).to_json().contains(r#""type":"job-finished""#));
    }
}
