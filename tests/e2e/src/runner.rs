//! The `backup-runner` binary (workspace member `runner/`), built once per test process through
//! cargo itself, so the path is right whatever the target directory, and run with exactly the
//! environment a test gives it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use crate::{free_port, repo_root};

/// Builds the runner (debug) and returns its executable, as cargo reports it.
pub fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let t = std::time::Instant::now();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "-p", "backup-runner", "--message-format=json-render-diagnostics"])
            .current_dir(repo_root())
            .stderr(Stdio::inherit())
            .output()
            .expect("run cargo build -p backup-runner");
        assert!(out.status.success(), "cargo build -p backup-runner failed");
        eprintln!("[runner] cargo build -p backup-runner: {:.1} s", t.elapsed().as_secs_f64());
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|m| m["target"]["name"] == "backup-runner")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo named no backup-runner executable")
    })
}

/// What one run printed and how it ended.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    /// Every JSON line of stdout.
    pub events: Vec<Value>,
    pub stderr: String,
}

impl Ran {
    pub fn of(out: Output) -> Ran {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let events = stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l}")))
            .collect();
        Ran { code: out.status.code(), events, stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
    }

    /// The events named `name` (`started`, `expired`, …).
    pub fn events(&self, name: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["event"] == name).collect()
    }
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {:?}\nstdout:\n", self.code)?;
        for e in &self.events {
            writeln!(f, "  {e}")?;
        }
        write!(f, "stderr:\n{}", self.stderr)
    }
}

/// The runner against one Weaviate, with a policies file of its own.
pub struct Runner {
    pub url: String,
    pub env: Vec<(String, String)>,
    pub dir: PathBuf,
}

impl Runner {
    /// `env`: the object store's settings, as Weaviate's backup modules get them.
    pub fn new(url: &str, env: Vec<(String, String)>) -> Runner {
        let dir = repo_root().join(".work/runner").join(format!("{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        Runner { url: url.into(), env, dir }
    }

    /// Writes `{"version": 1, "policies": [...]}`; returns its path.
    pub fn policies(&self, policies: Value) -> String {
        let path = self.dir.join("policies.json");
        std::fs::write(&path, serde_json::json!({"version": 1, "policies": policies}).to_string()).unwrap();
        path.display().to_string()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(binary());
        // Nothing from the test's own environment (a WEAVIATE_API_KEY, AWS_* of the machine).
        cmd.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).envs(self.env.iter().cloned());
        cmd.args(args).arg("--url").arg(&self.url).arg("--file").arg(self.dir.join("policies.json"));
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Ran {
        Ran::of(self.command(args).output().expect("start backup-runner"))
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start backup-runner")
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
