//! Test and dev harness: a real local `weaviate-server`, a demo data set, a static server for
//! the built console, and a headless Chromium driver. Used by `devstack` (the run command) and
//! by the end-to-end tests, so both start Weaviate the same way.

pub mod browser;
pub mod cluster;
pub mod proxy;
pub mod rest;
pub mod static_server;
pub mod storage;
pub mod weaviate;

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// A TCP port free on every interface right now, never handed out twice by this process.
/// Ports come from 20000–31999, below Linux's ephemeral range, so outgoing connections and
/// parallel tests cannot take them between this check and the server's bind (some Weaviate
/// listeners bind all interfaces).
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_000;
    let start = (std::process::id() * 97) % SPAN;
    for _ in 0..SPAN {
        let port = (LOW + (start + NEXT.fetch_add(1, Ordering::Relaxed)) % SPAN) as u16;
        if TcpListener::bind(("0.0.0.0", port)).is_ok() && TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in {LOW}..{}", LOW + SPAN)
}
