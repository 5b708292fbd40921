//! The postMessage protocol with a host page that embeds the console in an `<iframe>`.
//!
//! Host → console: `{"type":"config","config":{…ConsoleConfig…}}` (again later for updates,
//! such as a rotated API key). Console → host: `ready`, `job-started`, `job-finished`,
//! `height`, `stopped`. Only the one allowed host origin (`ConsoleConfig::host_target`) is heard
//! or posted to; no event carries a secret. A page that frames the console without being allowed
//! gets a console that acts only on the admin's own clicks ([`refused_framer`]).

use serde::Serialize;

use crate::config::{ConsoleConfig, Source};
use crate::job::Job;
use crate::origin::origin_of;

/// A page framing the console that the deployment does not allow: its origin, when the browser
/// tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedFramer(pub Option<String>);

impl RefusedFramer {
    /// What the console says on the page and beside every control it refuses.
    pub fn notice(&self) -> String {
        let framer = match &self.0 {
            Some(origin) => origin.clone(),
            None => "a page whose origin the browser does not tell".into(),
        };
        format!(
            "This console is framed by {framer}, which this deployment does not allow: it does not connect by itself, \
             and restores and cancels are refused here. To embed it in that page, add its origin to allowedOrigins in config.json."
        )
    }
}

/// Whether the pages framing the console may, so that a page overlaying it (click-jacking,
/// even where no `frame-ancestors` header is sent) cannot drive a restore or a cancel.
///
/// `ancestors`: the framing pages' origins (or URLs), nearest first, as the browser reports
/// them, `None` where it does not; empty when the console is not framed. Every one must be on
/// `allowed` or be the console's own origin (`own`: a page there can script the console
/// directly, framing adds nothing). One whose origin is unknown is refused, and so is every
/// framer when the deployment allows none. The first refused one is named.
pub fn refused_framer(ancestors: &[Option<String>], own: &str, allowed: &[String]) -> Option<RefusedFramer> {
    let may = |origin: &str| origin == own || allowed.iter().any(|a| a == origin);
    ancestors.iter().map(|a| a.as_deref().and_then(origin_of)).find(|o| !o.as_deref().is_some_and(may)).map(RefusedFramer)
}

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
    fn only_allowed_or_own_pages_may_frame_the_console() {
        let own = "https://console.example";
        let allowed = vec!["https://dash.example".to_string()];
        let check = |ancestors: &[Option<&str>], allowed: &[String]| {
            let ancestors: Vec<Option<String>> = ancestors.iter().map(|a| a.map(String::from)).collect();
            refused_framer(&ancestors, own, allowed).map(|f| f.0)
        };
        assert_eq!(check(&[], &allowed), None, "not framed");
        assert_eq!(check(&[], &[]), None, "not framed, no allow-list");
        assert_eq!(check(&[Some("https://dash.example")], &allowed), None, "an allowed host");
        assert_eq!(check(&[Some("https://dash.example/boards/7?x=1")], &allowed), None, "a referrer is a URL on that origin");
        assert_eq!(check(&[Some(own)], &[]), None, "its own origin");
        assert_eq!(check(&[Some("https://evil.example")], &allowed), Some(Some("https://evil.example".into())));
        assert_eq!(check(&[Some("https://dash.example")], &[]), Some(Some("https://dash.example".into())), "no allow-list: nobody");
        assert_eq!(check(&[Some("https://dash.example:8443")], &allowed), Some(Some("https://dash.example:8443".into())), "exact origins");
        assert_eq!(check(&[None], &allowed), Some(None), "no ancestorOrigins and no referrer: unknown, refused");
        assert_eq!(check(&[Some("null")], &allowed), Some(None), "an opaque (sandboxed) framer");
        assert_eq!(check(&[Some("")], &allowed), Some(None));
        // A page that frames an allowed host overlays the console as well.
        assert_eq!(check(&[Some("https://dash.example"), Some("https://evil.example")], &allowed), Some(Some("https://evil.example".into())));
        assert_eq!(check(&[Some("https://dash.example"), None], &allowed), Some(None));
        assert_eq!(check(&[Some("https://dash.example"), Some(own)], &allowed), None);

        let notice = RefusedFramer(Some("https://evil.example".into())).notice();
        assert!(notice.starts_with("This console is framed by https://evil.example, which this deployment does not allow"), "{notice}");
        assert!(RefusedFramer(None).notice().contains("framed by a page whose origin the browser does not tell"));
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
