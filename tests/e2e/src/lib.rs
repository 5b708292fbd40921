//! Test and dev harness: a real local `weaviate-server`, a demo data set, a static server for
//! the built console, and a headless Chromium driver. Used by `devstack` (the run command) and
//! by the end-to-end tests, so both start Weaviate the same way.

pub mod browser;
pub mod rest;
pub mod static_server;
pub mod weaviate;

use std::net::TcpListener;
use std::path::PathBuf;

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// A TCP port free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port()
}
