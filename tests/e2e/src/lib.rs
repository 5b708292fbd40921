//! Test and dev harness: a real local `weaviate-server`, a demo data set, a static server for
//! the built console, and a headless Chromium driver. Used by `devstack` (the run command) and
//! by the end-to-end tests, so both start Weaviate the same way.

pub mod browser;
pub mod cluster;
pub mod coordinator;
pub mod nginx;
pub mod proxy;
pub mod rest;
pub mod runner;
pub mod static_server;
pub mod storage;
pub mod weaviate;

#[cfg(test)]
mod selftest;

use std::fs::File;
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A JSON answer with Weaviate's default CORS headers, for the fake servers of the tests and
/// the benchmark.
pub fn json_answer(status: u16, text: String) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap();
    proxy::CORS
        .iter()
        .fold(tiny_http::Response::from_string(text).with_status_code(status), |r, (k, v)| r.with_header(header(k, v)))
        .with_header(header("Content-Type", "application/json"))
}

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// Lock files of the ports this process handed out, kept open until it exits.
static HELD_PORTS: Mutex<Vec<File>> = Mutex::new(Vec::new());

/// A TCP port free on every interface right now, never handed out twice on this machine while
/// this process lives.
///
/// The bind check alone races: a port is free when checked, then released, and a server binds
/// it only later (Weaviate's gossip and RAFT ports seconds later), so another test binary or
/// `cargo test` run checking meanwhile gets the same port. Each port is therefore also claimed
/// with an exclusive `flock` on `/tmp/backup-console-ports/<port>.lock`, held until this
/// process exits; the kernel drops the lock even on SIGKILL, so a crash leaves nothing stale.
/// Ports come from 20000–31999, below Linux's ephemeral range, so outgoing connections cannot
/// take them either (some Weaviate listeners bind all interfaces).
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_000;
    // Not $TMPDIR: every process on the machine must agree on the folder.
    let dir = std::path::Path::new("/tmp/backup-console-ports");
    std::fs::create_dir_all(dir).expect("port lock folder");
    let start = (std::process::id() * 97) % SPAN;
    for _ in 0..SPAN {
        let port = (LOW + (start + NEXT.fetch_add(1, Ordering::Relaxed)) % SPAN) as u16;
        let lock = File::options().create(true).truncate(false).write(true).open(dir.join(format!("{port}.lock"))).expect("port lock file");
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            continue;
        }
        if TcpListener::bind(("0.0.0.0", port)).is_ok() && TcpListener::bind(("127.0.0.1", port)).is_ok() {
            HELD_PORTS.lock().unwrap().push(lock);
            return port;
        }
    }
    panic!("no free port in {LOW}..{}", LOW + SPAN)
}

/// Polls `done` every 100 ms until it holds; panics with `what` after `timeout`.
pub fn wait_until(timeout: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "after {timeout:?}: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
