//! A server emulated to one Weaviate release's backup coordinator, for the releases that cannot
//! be built here (v1.39.4+ need `weaviate/sroar` versions the Go proxy refuses; backup-api.md
//! §11): it answers discovery as that version, and a created backup's status flips from STARTED
//! to SUCCESS at the first coordinator check after its nodes are done, on that release's cadence
//! (`usecases/backup/coordinator.go` `commit`: v1.39.0 … v1.39.6 wait 2 s, then 10 s; v1.39.7
//! waits 100 ms and doubles up to 10 s). Every status read is recorded with its time.

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tiny_http::Server;

use crate::{free_port, json_answer};

/// When a release's coordinator checks its nodes, from the start: the waits between checks.
#[derive(Clone, Copy, Debug)]
pub enum Cadence {
    /// v1.39.0 … v1.39.6: `timeoutNextRound / 5`, then `timeoutNextRound` (10 s).
    Fixed,
    /// v1.39.7: `_FirstRoundPeriod` (100 ms), doubling up to 10 s.
    Doubling,
}

impl Cadence {
    /// The checks' times from the start, up to `until`.
    pub fn checks(self, until: Duration) -> Vec<Duration> {
        let (mut at, mut wait) = match self {
            Cadence::Fixed => (Duration::ZERO, Duration::from_secs(2)),
            Cadence::Doubling => (Duration::ZERO, Duration::from_millis(100)),
        };
        let mut out = vec![];
        while at + wait <= until {
            at += wait;
            out.push(at);
            wait = match self {
                Cadence::Fixed => Duration::from_secs(10),
                Cadence::Doubling => (wait * 2).min(Duration::from_secs(10)),
            };
        }
        out
    }

    /// The check that sees nodes done at `done`.
    pub fn flip(self, done: Duration) -> Duration {
        *self.checks(done + Duration::from_secs(11)).iter().find(|c| **c >= done).expect("a check after the work")
    }
}

#[derive(Default)]
struct Backup {
    id: String,
    started: Option<Instant>,
}

/// The emulated server; stops on drop.
pub struct Coordinator {
    pub url: String,
    server: Arc<Server>,
    backup: Arc<Mutex<Backup>>,
    reads: Arc<Mutex<Vec<Instant>>>,
    cadence: Cadence,
    work: Duration,
}

impl Coordinator {
    /// Answers as Weaviate `version`; a created backup's nodes work for `work`.
    pub fn start(version: &str, cadence: Cadence, work: Duration) -> Coordinator {
        let port = free_port();
        let server = Arc::new(Server::http(("127.0.0.1", port)).unwrap());
        let backup = Arc::new(Mutex::new(Backup::default()));
        let reads = Arc::new(Mutex::new(vec![]));
        let (s, b, seen, version) = (server.clone(), backup.clone(), reads.clone(), version.to_string());
        thread::spawn(move || {
            for mut req in s.incoming_requests() {
                let route = req.url().split('?').next().unwrap_or("").to_string();
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let (status, text): (u16, Value) = match (req.method().as_str(), route.as_str()) {
                    ("OPTIONS", _) => (204, Value::Null),
                    ("GET", "/v1/meta") => (200, json!({"version": version, "modules": {"backup-filesystem": {"backupsPath": "/tmp"}}})),
                    ("GET", "/v1/schema") => (200, json!({"classes": [{"class": "Article"}]})),
                    ("GET", "/v1/nodes") => (200, json!({"nodes": [{"name": "node1"}]})),
                    ("GET", "/v1/backups/filesystem") => (200, json!([])),
                    ("POST", "/v1/backups/filesystem") => {
                        let id = serde_json::from_str::<Value>(&body).ok().and_then(|v| v["id"].as_str().map(String::from)).unwrap_or_default();
                        *b.lock().unwrap() = Backup { id: id.clone(), started: Some(Instant::now()) };
                        (200, json!({"backend": "filesystem", "classes": ["Article"], "id": id, "status": "STARTED"}))
                    }
                    ("GET", r) if r.starts_with("/v1/backups/filesystem/") => {
                        let now = Instant::now();
                        seen.lock().unwrap().push(now);
                        let backup = b.lock().unwrap();
                        let id = &route["/v1/backups/filesystem/".len()..];
                        match backup.started.filter(|_| backup.id == id) {
                            Some(start) => {
                                let done = now.duration_since(start) >= cadence.flip(work);
                                (200, json!({"backend": "filesystem", "id": id, "status": if done { "SUCCESS" } else { "STARTED" }}))
                            }
                            None => (404, json!({"error": [{"message": "backup not found"}]})),
                        }
                    }
                    _ => (404, json!({"error": [{"message": "no such route"}]})),
                };
                let text = if text.is_null() { String::new() } else { text.to_string() };
                let _ = req.respond(json_answer(status, text));
            }
        });
        Coordinator { url: format!("http://127.0.0.1:{port}"), server, backup, reads, cadence, work }
    }

    /// When the created backup flips to SUCCESS, once one was created.
    pub fn flip_at(&self) -> Option<Instant> {
        self.backup.lock().unwrap().started.map(|s| s + self.cadence.flip(self.work))
    }

    /// The coordinator's checks up to the flip.
    pub fn checks_to_flip(&self) -> usize {
        self.cadence.checks(self.cadence.flip(self.work)).len()
    }

    /// The times of every status read so far.
    pub fn status_reads(&self) -> Vec<Instant> {
        self.reads.lock().unwrap().clone()
    }
}

impl Drop for Coordinator {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadences_follow_their_source() {
        let ms = |v: Vec<Duration>| v.into_iter().map(|d| d.as_millis()).collect::<Vec<_>>();
        assert_eq!(ms(Cadence::Fixed.checks(Duration::from_secs(25))), [2_000, 12_000, 22_000]);
        assert_eq!(ms(Cadence::Doubling.checks(Duration::from_secs(23))), [100, 300, 700, 1_500, 3_100, 6_300, 12_700, 22_700]);
        assert_eq!(Cadence::Doubling.flip(Duration::from_secs(4)), Duration::from_millis(6_300));
        assert_eq!(Cadence::Fixed.flip(Duration::from_secs(4)), Duration::from_secs(12));
    }
}
