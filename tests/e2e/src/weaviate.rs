//! Starts a real `weaviate-server` (built by `scripts/setup.sh`) on 127.0.0.1 with the
//! `backup-filesystem` module, fresh directories and free ports, so instances run side by side
//! (servers before v1.34 excepted: see [`needs_default_cluster_ports`]).

use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use backup_core::version::Version;

use crate::rest::Rest;
use crate::{free_port, repo_root};

/// The pinned release: `WEAVIATE_VERSION` in `scripts/versions.sh`, the one place it is set.
pub fn pinned() -> String {
    let versions = std::fs::read_to_string(repo_root().join("scripts/versions.sh")).expect("read scripts/versions.sh");
    let pin = versions.lines().find_map(|l| l.strip_prefix("WEAVIATE_VERSION="));
    pin.map(|v| v.trim().to_string()).expect("scripts/versions.sh sets WEAVIATE_VERSION=")
}

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
    /// More environment, applied last (e.g. `ENABLE_CLEANUP_UNFINISHED_BACKUPS=true`).
    pub env: Vec<(String, String)>,
    /// Another release than [`binary`] (`v1.27.0`): its server from the cache ([`binary_for`]),
    /// started with the environment that release needs.
    pub version: Option<String>,
}

/// A running Weaviate; stopped (SIGTERM, then SIGKILL) when dropped. Its folder is removed
/// then too, unless the thread is panicking: a failed test keeps data and log to look at.
pub struct Weaviate {
    child: Child,
    bin: PathBuf,
    env: Vec<(String, String)>,
    /// Held while a server on the default cluster ports lives ([`needs_default_cluster_ports`]).
    _default_ports: Option<std::fs::File>,
    api_key: Option<String>,
    pub url: String,
    pub port: u16,
    pub home: PathBuf,
    pub backups_dir: PathBuf,
}

/// The `weaviate-server` to run: `$WEAVIATE_BIN`, or the [`pinned`] one.
pub fn binary() -> PathBuf {
    match std::env::var("WEAVIATE_BIN") {
        Ok(p) => PathBuf::from(p),
        Err(_) => binary_for(&pinned()),
    }
}

/// Where `scripts/setup.sh` and `scripts/matrix.sh` build a release (`weaviate_bin` in
/// `scripts/versions.sh`).
pub fn binary_for(version: &str) -> PathBuf {
    let cache = std::env::var("BACKUP_CONSOLE_CACHE").map(PathBuf::from).unwrap_or_else(|_| {
        PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into())).join(".cache/backup-console")
    });
    cache.join(format!("weaviate-{version}/weaviate-server"))
}

/// Servers before v1.34 require the data port to be the gossip port + 1 (v1.29.0
/// `usecases/config/environment.go`: "CLUSTER_DATA_BIND_PORT must be one port number greater
/// than CLUSTER_GOSSIP_BIND_PORT"; gone at v1.34.0) and reach every node, themselves included,
/// at memberlist's port + 1 (v1.29.0 `usecases/cluster/state.go` `NodeHostname`). They keep
/// the defaults, 7946 and 7947, so only one of them runs on this machine at a time. Nor do they
/// read `CLUSTER_BIND_ADDR` (v1.29.0 `parseClusterConfig`): memberlist advertises an address
/// of its choosing, an IPv6 one here, which their RAFT address (`host:port` split at the first
/// colon, v1.27.0 `adapters/handlers/rest/configure_api.go`) cannot take, so they are told
/// `CLUSTER_ADVERTISE_ADDR`.
pub fn needs_default_cluster_ports(version: Version) -> bool {
    version < Version::new(1, 34, 0)
}

/// Waits for, then holds, the machine-wide lock on the default cluster ports (in the folder
/// [`free_port`] locks its ports in, which never hands out these).
fn lock_default_cluster_ports() -> std::fs::File {
    let dir = Path::new("/tmp/backup-console-ports");
    std::fs::create_dir_all(dir).expect("port lock folder");
    let lock = std::fs::File::options().create(true).truncate(false).write(true).open(dir.join("7946.lock")).expect("port lock file");
    // SAFETY: flock on a descriptor this function owns; the kernel drops it when the file closes.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0, "lock the default cluster ports");
    lock
}

impl Weaviate {
    pub fn start(opts: Options) -> Weaviate {
        let bin = opts.version.as_deref().map_or_else(binary, binary_for);
        assert!(bin.exists(), "{} is missing: run scripts/setup.sh (scripts/matrix.sh for other releases)", bin.display());
        let old = opts.version.as_deref().and_then(Version::parse).is_some_and(needs_default_cluster_ports);
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
        let raft = free_port();
        let mut env: Vec<(String, String)> = [
            ("PERSISTENCE_DATA_PATH", data.display().to_string()),
            ("BACKUP_FILESYSTEM_PATH", backups_dir.display().to_string()),
            ("ENABLE_MODULES", "backup-filesystem".into()),
            ("DEFAULT_VECTORIZER_MODULE", "none".into()),
            ("API_BASED_MODULES_DISABLED", "true".into()),
            ("DISABLE_TELEMETRY", "true".into()),
            ("CLUSTER_HOSTNAME", "node1".into()),
            ("CLUSTER_BIND_ADDR", "127.0.0.1".into()),
            ("RAFT_PORT", raft.to_string()),
            ("RAFT_INTERNAL_RPC_PORT", free_port().to_string()),
            ("RAFT_JOIN", format!("node1:{raft}")),
            ("RAFT_BOOTSTRAP_EXPECT", "1".into()),
            ("GRPC_PORT", free_port().to_string()),
            ("GO_PROFILING_DISABLE", "true".into()),
            ("LOG_LEVEL", "info".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let default_ports = old.then(lock_default_cluster_ports);
        if old {
            env.push(("CLUSTER_ADVERTISE_ADDR".into(), "127.0.0.1".into()));
        } else {
            env.push(("CLUSTER_GOSSIP_BIND_PORT".into(), free_port().to_string()));
            env.push(("CLUSTER_DATA_BIND_PORT".into(), free_port().to_string()));
        }
        let mut set = |k: &str, v: &str| env.push((k.into(), v.into()));
        match &opts.api_key {
            Some(k) => {
                let (mut keys, mut users) = (k.key.clone(), k.user.clone());
                if let Some(ro) = &opts.read_only_key {
                    keys = format!("{keys},{}", ro.key);
                    users = format!("{users},{}", ro.user);
                    set("AUTHORIZATION_ADMINLIST_ENABLED", "true");
                    set("AUTHORIZATION_ADMINLIST_USERS", &k.user);
                    set("AUTHORIZATION_ADMINLIST_READONLY_USERS", &ro.user);
                }
                set("AUTHENTICATION_APIKEY_ENABLED", "true");
                set("AUTHENTICATION_APIKEY_ALLOWED_KEYS", &keys);
                set("AUTHENTICATION_APIKEY_USERS", &users);
                set("AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED", "false");
            }
            None => set("AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED", "true"),
        }
        env.extend(opts.env);
        let child = spawn_binary(&bin, &home, port, &env);
        let mut wv = Weaviate {
            child,
            bin,
            env,
            _default_ports: default_ports,
            api_key: opts.api_key.map(|k| k.key),
            url: format!("http://127.0.0.1:{port}"),
            port,
            home,
            backups_dir,
        };
        wv.wait_ready(Duration::from_secs(120));
        wv
    }

    /// A REST client for this server, with the admin key when it has one.
    pub fn rest(&self) -> Rest {
        Rest { url: self.url.clone(), api_key: self.api_key.clone() }
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
        // SAFETY: signals our own child, which is not yet reaped (try_wait above).
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.kill();
    }

    /// Kills the server (SIGKILL: a crash, nothing flushed or cleaned up) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same data, ports and environment (stopping it first if it
    /// still runs) and waits until it is ready.
    pub fn restart(&mut self) {
        self.stop();
        self.child = spawn_binary(&self.bin, &self.home, self.port, &self.env);
        self.wait_ready(Duration::from_secs(120));
    }
}

/// Starts [`binary`] in `home`, appending to `home/weaviate.log` (so a restart keeps the first
/// run's log).
pub(crate) fn spawn(home: &Path, port: u16, env: &[(String, String)]) -> Child {
    spawn_binary(&binary(), home, port, env)
}

fn spawn_binary(bin: &Path, home: &Path, port: u16, env: &[(String, String)]) -> Child {
    let log = std::fs::File::options().create(true).append(true).open(home.join("weaviate.log")).unwrap();
    let mut cmd = Command::new(bin);
    cmd.args(["--scheme", "http", "--host", "127.0.0.1", "--port", &port.to_string()])
        .current_dir(home)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null());
    // The server must not outlive a test or dev stack that was killed without unwinding. The
    // signal follows the *thread* that spawned it, so start and restart from the test's thread,
    // not from a pooled one that may exit.
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    cmd.spawn().expect("start weaviate-server")
}

impl Drop for Weaviate {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            eprintln!("weaviate-server data and log kept in {}", self.home.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.home);
        }
    }
}
