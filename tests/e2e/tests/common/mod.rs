//! Shared set-up of the end-to-end tests.

use e2e::repo_root;
use e2e::static_server::StaticServer;

/// Serves the release build (`dist/`, or `$CONSOLE_DIST`).
pub fn console() -> StaticServer {
    let dist = std::env::var("CONSOLE_DIST").map(Into::into).unwrap_or_else(|_| repo_root().join("dist"));
    assert!(dist.join("index.html").exists(), "{} has no build: run `trunk build --release --offline`", dist.display());
    StaticServer::start(&dist, "/")
}
