//! Every way a request to Weaviate can fail, as one typed error.
//!
//! Weaviate answers errors in two body shapes: handler errors
//! `{"error":[{"message":"…"}]}` and go-openapi framework errors `{"code":N,"message":"…"}`
//! (the anonymous-access 401 is written raw, without a JSON content type). Both are parsed
//! from the text, whatever the content type says.

use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The request never got an HTTP answer: server down, wrong URL, or blocked by CORS
    /// (browsers do not tell these apart).
    Network(String),
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
    /// Maps a non-2xx HTTP answer to its error.
    pub fn from_response(status: u16, body: &str) -> ApiError {
        let mut message = parse_error_message(body);
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
            ApiError::Network(_) | ApiError::Decode(_) => None,
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
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Unprocessable(m)
            | ApiError::Decode(m) => m,
            ApiError::Client { message, .. } | ApiError::Server { message, .. } => message,
        }
    }

    /// Worth retrying by itself (while polling): the server may come back.
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiError::Network(_) | ApiError::Server { .. })
    }

    /// A one-line human hint: what this means and what to do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            ApiError::Network(_) => Some(
                "The server is unreachable from this page: check the URL, that Weaviate is running, \
                 and that its CORS settings allow this origin.",
            ),
            ApiError::Unauthorized(_) => Some(
                "Authentication failed: set the API key, or fix it if it is wrong.",
            ),
            ApiError::Forbidden(_) => Some("This API key lacks backup permission for these collections."),
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
        ("cannot resolve hostname", "The backup was taken on a node with another name: keep CLUSTER_HOSTNAME stable or map node names."),
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
    }
}
