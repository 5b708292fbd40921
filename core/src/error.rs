//! Every way a request to Weaviate can fail, as one typed error.
//!
//! Weaviate answers errors in two body shapes: handler errors
//! `{"error":[{"message":"…"}]}` and go-openapi framework errors `{"code":N,"message":"…"}`
//! (the anonymous-access 401 is written raw, without a JSON content type). Both are parsed
//! from the text, whatever the content type says.

use serde::Deserialize;

use crate::limit::server_text;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The request never got an HTTP answer: server down, wrong URL, or blocked by CORS
    /// (browsers do not tell these apart).
    Network(String),
    /// No answer within the request's deadline ("no answer within 10 s"); the request was
    /// abandoned and may or may not have reached the server.
    Timeout(String),
    /// 401: missing or wrong API key.
    Unauthorized(String),
    /// 403: the key is valid but lacks permission.
    Forbidden(String),
    /// 404.
    NotFound(String),
    /// 422: the server refused the request as invalid.
    Unprocessable(String),
    /// Any other 4xx (400 malformed JSON, 415 content type, …).
    Client { status: u16, message: String },
    /// 5xx.
    Server { status: u16, message: String },
    /// A 2xx whose body did not match the expected shape.
    Decode(String),
}

/// How a failure should be handled.
///
/// | error | fault |
/// |---|---|
/// | network error, timeout, 5xx, 408, 429 | transient: retry with backoff |
/// | a 2xx body that is not the expected JSON | transient: a proxy's page or a cut-off answer |
/// | 401, 403 | permanent until the API key changes |
/// | 404 (the job is gone), 422, other 4xx | permanent: the same request fails the same way |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Transient,
    Permanent,
}

#[derive(Deserialize)]
struct HandlerBody {
    error: Vec<HandlerMessage>,
}

#[derive(Deserialize)]
struct HandlerMessage {
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct FrameworkBody {
    message: String,
}

/// The server's own message from an error body, in either shape; the raw text otherwise.
pub fn parse_error_message(body: &str) -> String {
    let trimmed = body.trim();
    if let Ok(h) = serde_json::from_str::<HandlerBody>(trimmed) {
        let msgs: Vec<&str> = h
            .error
            .iter()
            .map(|m| m.message.as_str())
            .filter(|m| !m.is_empty())
            .collect();
        if !msgs.is_empty() {
            return msgs.join("; ");
        }
    }
    if let Ok(f) = serde_json::from_str::<FrameworkBody>(trimmed) {
        return f.message;
    }
    trimmed.to_string()
}

impl ApiError {
    /// Maps a non-2xx HTTP answer to its error, keeping at most
    /// [`MAX_SERVER_TEXT_CHARS`](crate::limit::MAX_SERVER_TEXT_CHARS) of the server's text.
    pub fn from_response(status: u16, body: &str) -> ApiError {
        let mut message = server_text(&parse_error_message(body));
        if message.is_empty() {
            message = format!("HTTP {status} with an empty body");
        }
        match status {
            401 => ApiError::Unauthorized(message),
            403 => ApiError::Forbidden(message),
            404 => ApiError::NotFound(message),
            422 => ApiError::Unprocessable(message),
            500..=599 => ApiError::Server { status, message },
            _ => ApiError::Client { status, message },
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Network(_) | ApiError::Timeout(_) | ApiError::Decode(_) => None,
            ApiError::Unauthorized(_) => Some(401),
            ApiError::Forbidden(_) => Some(403),
            ApiError::NotFound(_) => Some(404),
            ApiError::Unprocessable(_) => Some(422),
            ApiError::Client { status, .. } | ApiError::Server { status, .. } => Some(*status),
        }
    }

    /// The server's text verbatim (or the transport's), for display next to the hint.
    pub fn message(&self) -> &str {
        match self {
            ApiError::Network(m)
            | ApiError::Timeout(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Unprocessable(m)
            | ApiError::Decode(m) => m,
            ApiError::Client { message, .. } | ApiError::Server { message, .. } => message,
        }
    }

    /// Whether asking again can help by itself. See [`Fault`] for the table.
    pub fn fault(&self) -> Fault {
        match self {
            ApiError::Network(_) | ApiError::Timeout(_) | ApiError::Server { .. } | ApiError::Decode(_) => {
                Fault::Transient
            }
            // 408: the server gave up waiting for the request; 429: rate limited.
            ApiError::Client { status: 408 | 429, .. } => Fault::Transient,
            ApiError::Unauthorized(_)
            | ApiError::Forbidden(_)
            | ApiError::NotFound(_)
            | ApiError::Unprocessable(_)
            | ApiError::Client { .. } => Fault::Permanent,
        }
    }

    /// Worth retrying by itself (while polling): the server may come back.
    pub fn is_transient(&self) -> bool {
        self.fault() == Fault::Transient
    }

    /// The request may have reached the server and taken effect although no answer says so
    /// (no answer at all, a 5xx that a proxy may have produced after forwarding it, a 2xx that
    /// could not be read). A POST that failed like this is ambiguous: ask the server before
    /// offering a retry. A 408 or 429 says the request was not processed.
    pub fn may_have_taken_effect(&self) -> bool {
        matches!(self, ApiError::Network(_) | ApiError::Timeout(_) | ApiError::Server { .. } | ApiError::Decode(_))
    }

    /// 401 or 403: a new API key may fix it.
    pub fn is_auth(&self) -> bool {
        matches!(self, ApiError::Unauthorized(_) | ApiError::Forbidden(_))
    }

    /// A one-line human hint: what this means and what to do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            ApiError::Network(_) => Some(
                "The server is unreachable from this page: check the URL, that Weaviate is running, \
                 and that its CORS settings allow this origin.",
            ),
            ApiError::Timeout(_) => Some(
                "The server did not answer in time: it may be overloaded, or the network is too slow.",
            ),
            ApiError::Unauthorized(_) => Some(
                "Authentication failed: set the API key, or fix it if it is wrong.",
            ),
            ApiError::Forbidden(_) => Some(
                "This API key lacks backup permission for these collections: use a key that has it (Change server).",
            ),
            ApiError::NotFound(_) => Some("No backup with this ID on this backend (IDs are lowercase)."),
            _ => message_hint(self.message()),
        }
    }
}

/// A hint for a Weaviate error text, wherever it shows up (an HTTP answer, or the `error` of a
/// FAILED job).
pub fn message_hint(m: &str) -> Option<&'static str> {
    const RULES: &[(&str, &str)] = &[
        ("already in progress", "Another backup or restore is running: wait for it or cancel it."),
        ("local filesystem backend is not viable", "The filesystem backend works on single-node clusters only: use s3, gcs or azure."),
        // The same text when a node is down during a create and when a restore names nodes the
        // cluster does not have (backup-api.md; seen on v1.39.0).
        ("cannot resolve hostname", "Weaviate cannot reach a node by that name: one is down, or (restoring) the backup was taken on nodes with other names: keep CLUSTER_HOSTNAME stable or map node names."),
        ("is not yet released", "The cluster is still busy with the previous operation: try again shortly."),
        ("leader not found", "The cluster is still busy with the previous operation: try again shortly."),
        ("invalid backup in scheduler", "Only a backup whose status is SUCCESS can be restored."),
        ("nothing left to restore", "Everything was excluded: leave at least one collection in."),
        ("empty class list", "Everything was excluded: leave at least one collection in."),
        ("already exists at", "A backup with this ID already exists on this backend: choose another ID."),
        ("did you enable the right module", "This backend is not enabled on the server (ENABLE_MODULES, e.g. backup-filesystem)."),
        ("doesn't exist", "Collection names are case-sensitive: check the spelling."),
        ("already exists", "The collection already exists: delete it first, or exclude it from the restore."),
        ("no available classes to backup", "The database has no collections yet: there is nothing to back up."),
        ("unsupported media type", "The request was sent with the wrong content type."),
        ("might be down", "A node stopped answering during the job: check the cluster's health."),
        ("context canceled", "The job was stopped: by a cancel request, or because the node coordinating it shut down."),
    ];
    RULES.iter().find(|(needle, _)| m.contains(needle)).map(|(_, hint)| *hint)
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status() {
            Some(s) => write!(f, "HTTP {s}: {}", self.message()),
            None => f.write_str(self.message()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_error_shape() {
        let e = ApiError::from_response(
            422,
            r#"{"error":[{"message":"invalid backup id: 'My Id' allowed characters are lowercase, 0-9, _, -"}]}"#,
        );
        assert_eq!(
            e,
            ApiError::Unprocessable(
                "invalid backup id: 'My Id' allowed characters are lowercase, 0-9, _, -".into()
            )
        );
    }

    #[test]
    fn framework_error_shape() {
        let e = ApiError::from_response(
            422,
            r#"{"code":608,"message":"config.CPUPercentage in body should be less than or equal to 80"}"#,
        );
        assert_eq!(
            e.message(),
            "config.CPUPercentage in body should be less than or equal to 80"
        );
    }

    #[test]
    fn raw_anonymous_401_with_odd_spacing() {
        let body = r#"{"code":401,"message": "anonymous access not enabled. Please authenticate through one of the available methods: [API-keys]" }"#;
        let e = ApiError::from_response(401, body);
        assert!(matches!(e, ApiError::Unauthorized(_)));
        assert!(e.message().starts_with("anonymous access not enabled"));
        assert!(e.hint().unwrap().contains("API key"));
    }

    #[test]
    fn several_handler_messages_are_joined() {
        let e = ApiError::from_response(500, r#"{"error":[{"message":"a"},{"message":"b"}]}"#);
        assert_eq!(e, ApiError::Server { status: 500, message: "a; b".into() });
        assert!(e.is_transient());
    }

    #[test]
    fn a_huge_error_body_is_not_kept_whole() {
        let page = format!("<html>{}</html>", "x".repeat(6 * 1024 * 1024));
        let e = ApiError::from_response(503, &page);
        assert!(e.message().starts_with("<html>xxx") && e.message().contains("… [cut here: "), "{}", &e.message()[..40]);
        assert!(e.message().len() < 2_100);
        let json = format!(r#"{{"error":[{{"message":"{}"}}]}}"#, "y".repeat(100_000));
        assert!(ApiError::from_response(422, &json).message().len() < 2_100);
    }

    #[test]
    fn non_json_and_empty_bodies() {
        assert_eq!(ApiError::from_response(502, "Bad Gateway").message(), "Bad Gateway");
        assert_eq!(
            ApiError::from_response(503, "").message(),
            "HTTP 503 with an empty body"
        );
        assert_eq!(
            ApiError::from_response(415, r#"{"code":415,"message":"unsupported media type"}"#),
            ApiError::Client { status: 415, message: "unsupported media type".into() }
        );
    }

    #[test]
    fn hints_for_catalogue_cases() {
        let busy = ApiError::from_response(422, r#"{"error":[{"message":"backup b0 already in progress"}]}"#);
        assert!(busy.hint().unwrap().contains("wait for it or cancel it"));
        let dup = ApiError::from_response(
            422,
            r#"{"error":[{"message":"backup \"x\" already exists at \"/b/x\""}]}"#,
        );
        assert!(dup.hint().unwrap().contains("another ID"));
        assert!(ApiError::Forbidden("rbac: forbidden".into()).hint().unwrap().contains("permission"));
        assert!(ApiError::Network("x".into()).hint().unwrap().contains("unreachable"));
        assert!(!ApiError::Unprocessable("x".into()).is_transient());
        let fs = ApiError::Unprocessable(
            "local filesystem backend is not viable for backing up a node cluster, try s3 or gcs".into(),
        );
        assert!(fs.hint().unwrap().contains("single-node"));
        let missing = ApiError::from_response(404, r#"{"error":[{"message":"backup id \"x\" does not exist: metadata not found"}]}"#);
        assert!(missing.hint().unwrap().contains("No backup with this ID"));
        let not_success = ApiError::Unprocessable("invalid backup in scheduler /b/x status: STARTED".into());
        assert!(not_success.hint().unwrap().contains("SUCCESS"));
        let restore_exists = ApiError::Unprocessable(
            "could not restore classes: [\"Article\": error when trying to restore class: class name Article already exists]".into(),
        );
        assert!(restore_exists.hint().unwrap().contains("delete it first"));
        let node = message_hint("cannot resolve hostname for \"node2\"").unwrap();
        assert!(node.contains("one is down") && node.contains("map node names"), "create and restore: {node}");
        assert!(message_hint("context canceled").unwrap().contains("cancel request"));
    }

    #[test]
    fn faults_are_classified() {
        let transient = [
            ApiError::Network("network error: Failed to fetch".into()),
            ApiError::Timeout("no answer within 10 s".into()),
            ApiError::from_response(500, "boom"),
            ApiError::from_response(503, ""),
            ApiError::from_response(429, "slow down"),
            ApiError::from_response(408, ""),
            ApiError::Decode("unexpected answer from the server (HTTP 200): expected value".into()),
        ];
        for e in &transient {
            assert_eq!(e.fault(), Fault::Transient, "{e:?}");
            assert!(e.is_transient());
        }
        let permanent = [
            ApiError::from_response(401, r#"{"code":401,"message":"unauthorized: invalid api key"}"#),
            ApiError::from_response(403, r#"{"error":[{"message":"forbidden"}]}"#),
            ApiError::from_response(404, r#"{"error":[{"message":"metadata not found"}]}"#),
            ApiError::from_response(422, r#"{"error":[{"message":"no backup provider"}]}"#),
            ApiError::from_response(400, "bad"),
            ApiError::from_response(415, "unsupported media type"),
        ];
        for e in &permanent {
            assert_eq!(e.fault(), Fault::Permanent, "{e:?}");
        }
        assert!(permanent[0].is_auth() && permanent[1].is_auth() && !permanent[2].is_auth());
    }

    #[test]
    fn which_failed_posts_may_have_taken_effect() {
        assert!(ApiError::Network("x".into()).may_have_taken_effect());
        assert!(ApiError::Timeout("no answer within 30 s".into()).may_have_taken_effect());
        assert!(ApiError::from_response(502, "Bad Gateway").may_have_taken_effect());
        assert!(ApiError::Decode("unexpected answer (HTTP 200)".into()).may_have_taken_effect(), "accepted, unreadable");
        assert!(!ApiError::from_response(429, "").may_have_taken_effect(), "refused, not processed");
        assert!(!ApiError::from_response(422, "").may_have_taken_effect());
    }

    #[test]
    fn timeout_reads_as_its_message() {
        let e = ApiError::Timeout("no answer within 10 s".into());
        assert_eq!(e.to_string(), "no answer within 10 s");
        assert!(e.hint().unwrap().contains("did not answer in time"));
    }
}
