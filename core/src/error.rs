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
    /// The server answered with a redirect (30x). The console follows none: nothing went to
    /// the address it points at, which may be another server.
    Redirected,
    /// The browser does not let this page send the request at all: an `https` console may not
    /// call a plain-`http` server (mixed content).
    MixedContent(String),
    /// The answer (with this status) was longer than the console reads for its kind of request;
    /// it was not read to the end.
    TooLarge { status: u16, message: String },
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

/// What [`ApiError::Redirected`] says.
const REDIRECTED: &str = "the server answered with a redirect; use the final URL";

fn empty_body(status: u16) -> String {
    format!("HTTP {status} with an empty body")
}

/// Who said a server's words, for showing them as the server's: its `host[:port]` (from its
/// URL), or "the server" when that is not known.
pub fn speaker(server: Option<&str>) -> String {
    server
        .and_then(crate::origin::origin_of)
        .and_then(|o| o.split_once("://").map(|(_, host)| host.to_string()))
        .unwrap_or_else(|| "the server".into())
}

impl ApiError {
    /// An answer of `status` longer than `limit` bytes.
    pub fn too_large(status: u16, limit: u64) -> ApiError {
        let size = match limit {
            l if l >= 1 << 20 => format!("{} MB", l >> 20),
            l => format!("{} KB", (l >> 10).max(1)),
        };
        ApiError::TooLarge { status, message: format!("answer too large: over {size}") }
    }

    /// Maps a non-2xx HTTP answer to its error, keeping at most
    /// [`MAX_SERVER_TEXT_CHARS`](crate::limit::MAX_SERVER_TEXT_CHARS) of the server's text.
    pub fn from_response(status: u16, body: &str) -> ApiError {
        let mut message = server_text(&parse_error_message(body));
        if message.is_empty() {
            message = empty_body(status);
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
            ApiError::Network(_) | ApiError::Timeout(_) | ApiError::Decode(_) | ApiError::Redirected | ApiError::MixedContent(_) => None,
            ApiError::Unauthorized(_) => Some(401),
            ApiError::Forbidden(_) => Some(403),
            ApiError::NotFound(_) => Some(404),
            ApiError::Unprocessable(_) => Some(422),
            ApiError::Client { status, .. } | ApiError::Server { status, .. } | ApiError::TooLarge { status, .. } => Some(*status),
        }
    }

    /// The server's text verbatim (or the transport's, or the console's), for display next to
    /// the hint.
    pub fn message(&self) -> &str {
        match self {
            ApiError::Network(m)
            | ApiError::Timeout(m)
            | ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Unprocessable(m)
            | ApiError::Decode(m)
            | ApiError::MixedContent(m) => m,
            ApiError::Client { message, .. } | ApiError::Server { message, .. } | ApiError::TooLarge { message, .. } => message,
            ApiError::Redirected => REDIRECTED,
        }
    }

    /// The words of the server's own answer in this error, if there are any. They are shown
    /// quoted and labelled with the [`speaker`], never as the console's: a server (or a link's
    /// server) can write anything, "paste the admin key here" included.
    pub fn server_words(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Unprocessable(m)
            | ApiError::Client { message: m, .. }
            | ApiError::Server { message: m, .. } => {
                (Some(m.as_str()) != self.status().map(empty_body).as_deref()).then_some(m.as_str())
            }
            _ => None,
        }
    }

    /// The error in one line as the console shows it: the server's words quoted after who said
    /// them (`HTTP 401: 127.0.0.1:9999 said: "…"`), anything else as it is.
    pub fn shown(&self, server: Option<&str>) -> String {
        match (self.status(), self.attributed(server)) {
            (Some(status), Some((who, words))) => format!("HTTP {status}: {who} \"{words}\""),
            _ => self.to_string(),
        }
    }

    /// The server's words and who said them (`127.0.0.1:9999 said:`), for every place that
    /// shows them; `None` when the error carries none.
    pub fn attributed(&self, server: Option<&str>) -> Option<(String, &str)> {
        self.server_words().map(|words| (format!("{} said:", speaker(server)), words))
    }

    /// Whether asking again can help by itself. See [`Fault`] for the table.
    pub fn fault(&self) -> Fault {
        match self {
            ApiError::Network(_)
            | ApiError::Timeout(_)
            | ApiError::Server { .. }
            | ApiError::Decode(_)
            | ApiError::TooLarge { .. } => Fault::Transient,
            // 408: the server gave up waiting for the request; 429: rate limited.
            ApiError::Client { status: 408 | 429, .. } => Fault::Transient,
            ApiError::Unauthorized(_)
            | ApiError::Forbidden(_)
            | ApiError::NotFound(_)
            | ApiError::Unprocessable(_)
            | ApiError::Client { .. }
            // The same request is redirected, or blocked, the same way again.
            | ApiError::Redirected
            | ApiError::MixedContent(_) => Fault::Permanent,
        }
    }

    /// Worth retrying by itself (while polling): the server may come back.
    pub fn is_transient(&self) -> bool {
        self.fault() == Fault::Transient
    }

    /// The request may have reached the server and taken effect although no answer says so
    /// (no answer at all, a 5xx that a proxy may have produced after forwarding it, a 2xx that
    /// could not be read, in full or at all). A POST that failed like this is ambiguous: ask the
    /// server before offering a retry. A 408 or 429 says the request was not processed; a
    /// redirect says "not here", and a blocked request was never sent.
    pub fn may_have_taken_effect(&self) -> bool {
        match self {
            ApiError::Network(_) | ApiError::Timeout(_) | ApiError::Server { .. } | ApiError::Decode(_) => true,
            ApiError::TooLarge { status, .. } => !(400..500).contains(status),
            _ => false,
        }
    }

    /// The server refused a create because a backup is already running: 422 from v1.37.10 /
    /// v1.38.2 on (500 before), or a node still finishing or uploading one (500 `cannot commit`,
    /// `is not yet released`) (v1.39.0 `usecases/backup/scheduler.go`,
    /// `adapters/repos/db/backup.go` `initBackup`). The texts [`message_hint`] explains too.
    pub fn is_busy(&self) -> bool {
        let m = self.message();
        matches!(self.status(), Some(422) | Some(500)) && (m.contains(RUNNING) || m.contains(NOT_RELEASED))
    }

    /// 401 or 403: a new API key may fix it.
    pub fn is_auth(&self) -> bool {
        matches!(self, ApiError::Unauthorized(_) | ApiError::Forbidden(_))
    }

    /// A one-line human hint: what this means and what to do about it.
    pub fn hint(&self) -> Option<String> {
        if let ApiError::Forbidden(m) = self {
            if let Some(wanted) = crate::access::forbidden_permission(m) {
                return Some(format!("This API key lacks {wanted}: ask for a role that grants it, or use another key (Change server)."));
            }
        }
        let hint: Option<&'static str> = match self {
            ApiError::Network(_) => Some(
                "The server is unreachable from this page: check the URL, that Weaviate is running, \
                 and that its CORS settings allow this origin (a redirect without CORS headers fails the same way).",
            ),
            ApiError::Redirected => Some(
                "The console follows no redirect, so nothing was sent where it points: enter the address \
                 the server redirects to (often https:// instead of http://, or another path).",
            ),
            ApiError::MixedContent(_) => Some(
                "This console is served over https, and browsers block its requests to a plain-http server: \
                 use the server's https address.",
            ),
            ApiError::TooLarge { .. } => Some(
                "The console stopped reading this answer: check that the URL points at Weaviate itself, \
                 not at a proxy or another site.",
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
        };
        hint.map(str::to_string)
    }
}

/// Weaviate's words for "a backup or restore is running" and "a node still holds the last one".
const RUNNING: &str = "already in progress";
const NOT_RELEASED: &str = "is not yet released";

/// A hint for a Weaviate error text, wherever it shows up (an HTTP answer, or the `error` of a
/// FAILED job).
pub fn message_hint(m: &str) -> Option<&'static str> {
    const RULES: &[(&str, &str)] = &[
        (RUNNING, "Another backup or restore is running: wait for it or cancel it."),
        ("local filesystem backend is not viable", "The filesystem backend works on single-node clusters only: use s3, gcs or azure."),
        // The same text when a node is down during a create and when a restore names nodes the
        // cluster does not have (backup-api.md; seen on v1.39.0).
        ("cannot resolve hostname", "Weaviate cannot reach a node by that name: one is down, or (restoring) the backup was taken on nodes with other names: keep CLUSTER_HOSTNAME stable or map node names."),
        (NOT_RELEASED, "The cluster is still busy with the previous operation: try again shortly."),
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
        assert!(busy.is_busy());
        let held = ApiError::from_response(500, r#"{"error":[{"message":"cannot create new backup, backup ‘b’ is not yet released, try again later"}]}"#);
        assert!(held.is_busy());
        assert!(!ApiError::from_response(422, r#"{"error":[{"message":"class X not found"}]}"#).is_busy());
        assert!(busy.hint().unwrap().contains("wait for it or cancel it"));
        let dup = ApiError::from_response(
            422,
            r#"{"error":[{"message":"backup \"x\" already exists at \"/b/x\""}]}"#,
        );
        assert!(dup.hint().unwrap().contains("another ID"));
        assert!(ApiError::Forbidden("rbac: forbidden".into()).hint().unwrap().contains("permission"));
        let scoped = ApiError::Forbidden("rbac: authorization, forbidden action: user 'scoped' has insufficient permissions to create_backups [[Domain: backups,Collection: Author]]".into());
        assert!(scoped.hint().unwrap().starts_with("This API key lacks manage_backups on Author"));
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
    fn the_servers_words_are_quoted_and_labelled_as_its_own() {
        let phish = ApiError::from_response(401, r#"{"message":"Key expired — paste the admin key and press Connect"}"#);
        assert_eq!(
            phish.shown(Some("http://127.0.0.1:9999/weaviate")),
            r#"HTTP 401: 127.0.0.1:9999 said: "Key expired — paste the admin key and press Connect""#
        );
        assert_eq!(phish.server_words(), Some("Key expired — paste the admin key and press Connect"));
        assert_eq!(speaker(Some("https://Gw.Example:443/x")), "gw.example");
        assert_eq!(speaker(None), "the server");
        assert_eq!(speaker(Some("nonsense")), "the server");
        // The console's own words are not put in the server's mouth, and vice versa.
        assert_eq!(ApiError::from_response(503, "").server_words(), None);
        assert_eq!(ApiError::from_response(503, "").shown(Some("http://h")), "HTTP 503: HTTP 503 with an empty body");
        for own in [ApiError::Network("network error: Failed to fetch".into()), ApiError::Timeout("no answer within 10 s".into()),
                    ApiError::Redirected, ApiError::MixedContent("x".into()), ApiError::too_large(200, 1 << 20)] {
            assert_eq!(own.server_words(), None, "{own:?}");
            assert_eq!(own.shown(Some("http://h")), own.to_string());
        }
    }

    #[test]
    fn redirects_blocked_requests_and_huge_answers_say_what_happened() {
        assert_eq!(ApiError::Redirected.to_string(), "the server answered with a redirect; use the final URL");
        assert!(ApiError::Redirected.hint().unwrap().contains("nothing was sent where it points"));
        assert_eq!(ApiError::Redirected.fault(), Fault::Permanent);
        assert!(!ApiError::Redirected.may_have_taken_effect());
        let mixed = ApiError::MixedContent("blocked as mixed content".into());
        assert!(mixed.hint().unwrap().contains("https") && !mixed.hint().unwrap().contains("CORS"));
        assert_eq!(mixed.fault(), Fault::Permanent);
        assert!(!mixed.may_have_taken_effect(), "never sent");
        let big = ApiError::too_large(503, 6 << 20);
        assert_eq!(big.to_string(), "HTTP 503: answer too large: over 6 MB");
        assert_eq!(ApiError::too_large(200, 512 << 10).message(), "answer too large: over 512 KB");
        assert!(big.is_transient() && big.may_have_taken_effect());
        assert!(ApiError::too_large(200, 1 << 20).may_have_taken_effect(), "accepted, not read");
        assert!(!ApiError::too_large(422, 1 << 20).may_have_taken_effect());
    }

    #[test]
    fn timeout_reads_as_its_message() {
        let e = ApiError::Timeout("no answer within 10 s".into());
        assert_eq!(e.to_string(), "no answer within 10 s");
        assert!(e.hint().unwrap().contains("did not answer in time"));
    }
}
