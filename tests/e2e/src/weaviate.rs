//! Starts a real `weaviate-server` (built by `scripts/setup.sh`) on 127.0.0.1 with the
//! `backup-filesystem` module, fresh directories and free ports, so instances run side by side.

use std::path::PathBuf;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{free_port, repo_root};

/// API-key authentication for a server that refuses anonymous access.
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub key: String,
    pub user: String,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Folder name under `.work/weaviate/`; made unique per process.
    pub name: String,
    pub api_key: Option<ApiKey>,
    /// A second key whose user may only read (AdminList authorization): backups get 403.
    pub read_only_key: Option<ApiKey>,
}

/// A running Weaviate; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Weaviate {
    child: Child,
    pub url: String,
    pub port: u16,
    pub home: PathBuf,
    pub backups_dir: PathBuf,
}

/// The `weaviate-server` to run: `$WEAVIATE_BIN`, or where `scripts/setup.sh` builds it.
pub fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("WEAVIATE_BIN") {
        return PathBuf::from(p);
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    PathBuf::from(home).join(".cache/backup-console/weaviate-v1.39.0/weaviate-server")
}

impl Weaviate {
    pub fn start(opts: Options) -> Weaviate {
        let bin = binary();
        assert!(bin.exists(), "{} is missing: run scripts/setup.sh", bin.display());
        let name = if opts.name.is_empty() { "wv".to_string() } else { opts.name.clone() };
        let home = repo_root()
            .join(".work/weaviate")
            .join(format!("{name}-{}-{}", std::process::id(), free_port()));
        let _ = std::fs::remove_dir_all(&home);
        let data = home.join("data");
        let backups_dir = home.join("backups");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&backups_dir).unwrap();
        let port = free_port();
        let (gossip, data_port) = (free_port(), free_port());
        let (raft, raft_rpc) = (free_port(), free_port());
        let log = std::fs::File::create(home.join("weaviate.log")).unwrap();
        let mut cmd = Command::new(&bin);
        cmd.args(["--scheme", "http", "--host", "127.0.0.1", "--port", &port.to_string()])
            .current_dir(&home)
            .env("PERSISTENCE_DATA_PATH", &data)
            .env("BACKUP_FILESYSTEM_PATH", &backups_dir)
            .env("ENABLE_MODULES", "backup-filesystem")
            .env("DEFAULT_VECTORIZER_MODULE", "none")
            .env("API_BASED_MODULES_DISABLED", "true")
            .env("DISABLE_TELEMETRY", "true")
            .env("CLUSTER_HOSTNAME", "node1")
            .env("CLUSTER_BIND_ADDR", "127.0.0.1")
            .env("CLUSTER_GOSSIP_BIND_PORT", gossip.to_string())
            .env("CLUSTER_DATA_BIND_PORT", data_port.to_string())
            .env("RAFT_PORT", raft.to_string())
            .env("RAFT_INTERNAL_RPC_PORT", raft_rpc.to_string())
            .env("RAFT_JOIN", format!("node1:{raft}"))
            .env("RAFT_BOOTSTRAP_EXPECT", "1")
            .env("GRPC_PORT", free_port().to_string())
            .env("GO_PROFILING_DISABLE", "true")
            .env("LOG_LEVEL", "info")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null());
        match &opts.api_key {
            Some(k) => {
                let (mut keys, mut users) = (k.key.clone(), k.user.clone());
                if let Some(ro) = &opts.read_only_key {
                    keys = format!("{keys},{}", ro.key);
                    users = format!("{users},{}", ro.user);
                    cmd.env("AUTHORIZATION_ADMINLIST_ENABLED", "true")
                        .env("AUTHORIZATION_ADMINLIST_USERS", &k.user)
                        .env("AUTHORIZATION_ADMINLIST_READONLY_USERS", &ro.user);
                }
                cmd.env("AUTHENTICATION_APIKEY_ENABLED", "true")
                    .env("AUTHENTICATION_APIKEY_ALLOWED_KEYS", keys)
                    .env("AUTHENTICATION_APIKEY_USERS", users)
                    .env("AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED", "false");
            }
            None => {
                cmd.env("AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED", "true");
            }
        }
        // The server must not outlive a test or dev stack that was killed without unwinding.
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start weaviate-server");
        let mut wv = Weaviate {
            child,
            url: format!("http://127.0.0.1:{port}"),
            port,
            home,
            backups_dir,
        };
        wv.wait_ready(Duration::from_secs(120));
        wv
    }

    fn wait_ready(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let url = format!("{}/v1/.well-known/ready", self.url);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("weaviate-server exited ({status}); log:\n{}", self.log_tail());
            }
            if let Ok(r) = ureq::get(&url).timeout(Duration::from_secs(2)).call() {
                if r.status() == 200 {
                    return;
                }
            }
            if Instant::now() > deadline {
                panic!("weaviate-server not ready after {timeout:?}; log:\n{}", self.log_tail());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// The last lines of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.home.join("weaviate.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Stops the server cleanly and waits for it.
    pub fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Weaviate {
    fn drop(&mut self) {
        self.stop();
    }
}
