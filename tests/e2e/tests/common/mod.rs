//! Shared set-up of the end-to-end tests.

#![allow(dead_code)] // each test file uses its own part

use std::time::Duration;

use e2e::browser::{form_xpath, Browser};
use e2e::repo_root;
use e2e::rest::Rest;
use e2e::static_server::StaticServer;
use e2e::weaviate::{Options, Weaviate};

/// How long a small backup or restore may take (the coordinator reports every 10 s).
pub const LONG: Duration = Duration::from_secs(90);
pub const DONE: [&str; 3] = ["SUCCESS", "FAILED", "CANCELED"];

/// Serves the release build (`dist/`, or `$CONSOLE_DIST`).
pub fn console() -> StaticServer {
    let dist = std::env::var("CONSOLE_DIST").map(Into::into).unwrap_or_else(|_| repo_root().join("dist"));
    assert!(dist.join("index.html").exists(), "{} has no build: run `trunk build --release --offline`", dist.display());
    StaticServer::start(&dist, "/")
}

/// A fresh anonymous Weaviate with these collections and object counts.
pub fn weaviate(name: &str, collections: &[(&str, usize)]) -> (Weaviate, Rest) {
    let wv = Weaviate::start(Options { name: name.into(), ..Default::default() });
    let rest = Rest::new(&wv.url);
    for (c, n) in collections {
        rest.create_collection(c);
        rest.insert_objects(c, *n);
    }
    (wv, rest)
}

/// Opens the console at `site` pointed at `weaviate` (query config) and waits until it has
/// connected; returns the create form's XPath.
pub async fn open(b: &Browser, site: &str, weaviate: &str) -> String {
    b.goto(&format!("{site}?weaviate={weaviate}")).await;
    let create = form_xpath("Create backup");
    b.wait_for(&create, Duration::from_secs(30)).await;
    create
}
