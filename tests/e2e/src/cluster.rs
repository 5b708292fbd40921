//! A Weaviate cluster of N `weaviate-server` processes on 127.0.0.1, as Weaviate's own
//! `tools/dev/run_dev_server.sh` runs three nodes on one host: nodes named `<prefix>-0…`, every
//! port free at start, a fresh folder per node, the backup modules enabled (filesystem too, so
//! its refusal on a cluster can be seen). Stopped on drop.

use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

use crate::rest::Rest;
use crate::storage::ObjectStores;
use crate::weaviate::{binary, spawn};
use crate::{free_port, repo_root};

#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// Node names are `<prefix>-0`, `<prefix>-1`, …; also names the folder under `.work/cluster/`.
    pub prefix: String,
    pub nodes: usize,
    /// More environment for every node, applied last.
    pub env: Vec<(String, String)>,
}

/// One node: its name (`CLUSTER_HOSTNAME`, what backups record) and REST URL.
pub struct Node {
    pub name: String,
    pub url: String,
    pub home: PathBuf,
    port: u16,
    env: Vec<(String, String)>,
    child: Child,
}

impl Node {
    pub fn rest(&self) -> Rest {
        Rest::new(&self.url)
    }

    /// Kills the node (SIGKILL: a crash, nothing flushed) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the killed node again on its data, ports and environment, and waits until it is
    /// ready.
    pub fn restart(&mut self) {
        self.kill();
        self.child = spawn(&self.home, self.port, &self.env);
        let deadline = Instant::now() + Duration::from_secs(120);
        while !self.ready() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited ({status}); log:\n{}", self.name, self.log_tail());
            }
            assert!(Instant::now() < deadline, "{} not ready after a restart; log:\n{}", self.name, self.log_tail());
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn ready(&self) -> bool {
        let url = format!("{}/v1/.well-known/ready", self.url);
        ureq::get(&url).timeout(Duration::from_secs(2)).call().is_ok_and(|r| r.status() == 200)
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.home.join("weaviate.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

/// A running cluster; its folder is removed on drop unless the thread is panicking.
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub home: PathBuf,
    /// How long the nodes took from spawn to all ready and seeing each other.
    pub start_time: Duration,
}

/// Two consecutive free ports: Weaviate dials a peer's internal RPC on the peer's RAFT port + 1
/// whatever the peer was configured with (and its data port on gossip + 1 when the peer's
/// gossiped metadata is unreadable).
fn port_pair() -> u16 {
    let mut first = free_port();
    loop {
        let next = free_port();
        if next == first + 1 {
            return first;
        }
        first = next;
    }
}

impl Cluster {
    /// Starts every node at once (RAFT bootstrap waits for all of them) with the modules of
    /// `stores`, and waits until each is ready and `/v1/nodes` lists all of them healthy.
    pub fn start(stores: &ObjectStores, opts: ClusterOptions) -> Cluster {
        let bin = binary();
        assert!(bin.exists(), "{} is missing: run scripts/setup.sh", bin.display());
        let home = repo_root().join(".work/cluster").join(format!("{}-{}-{}", opts.prefix, std::process::id(), free_port()));
        let _ = std::fs::remove_dir_all(&home);
        let names: Vec<String> = (0..opts.nodes).map(|i| format!("{}-{i}", opts.prefix)).collect();
        let (gossip, raft): (Vec<u16>, Vec<u16>) = names.iter().map(|_| (port_pair(), port_pair())).unzip();
        let raft_join = names.iter().zip(&raft).map(|(n, p)| format!("{n}:{p}")).collect::<Vec<_>>().join(",");
        let started = Instant::now();
        let nodes: Vec<Node> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let node_home = home.join(name);
                std::fs::create_dir_all(node_home.join("data")).unwrap();
                let port = free_port();
                let mut env: Vec<(String, String)> = [
                    ("CLUSTER_HOSTNAME", name.clone()),
                    ("PERSISTENCE_DATA_PATH", node_home.join("data").display().to_string()),
                    ("ENABLE_MODULES", "backup-filesystem,backup-s3,backup-gcs,backup-azure".into()),
                    ("BACKUP_FILESYSTEM_PATH", node_home.join("backups").display().to_string()),
                    ("DEFAULT_VECTORIZER_MODULE", "none".into()),
                    ("API_BASED_MODULES_DISABLED", "true".into()),
                    ("DISABLE_TELEMETRY", "true".into()),
                    ("AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED", "true".into()),
                    ("GO_PROFILING_DISABLE", "true".into()),
                    // Without a private IP on the host, memberlist refuses to pick an address.
                    ("CLUSTER_BIND_ADDR", "127.0.0.1".into()),
                    // Peers' RAFT ports are read from RAFT_JOIN only with this set.
                    ("CLUSTER_IN_LOCALHOST", "true".into()),
                    ("CLUSTER_GOSSIP_BIND_PORT", gossip[i].to_string()),
                    ("CLUSTER_DATA_BIND_PORT", (gossip[i] + 1).to_string()),
                    ("RAFT_PORT", raft[i].to_string()),
                    ("RAFT_INTERNAL_RPC_PORT", (raft[i] + 1).to_string()),
                    ("RAFT_JOIN", raft_join.clone()),
                    ("RAFT_BOOTSTRAP_EXPECT", opts.nodes.to_string()),
                    ("GRPC_PORT", free_port().to_string()),
                    ("LOG_LEVEL", "info".into()),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
                if i > 0 {
                    env.push(("CLUSTER_JOIN".into(), format!("127.0.0.1:{}", gossip[0])));
                }
                env.extend(stores.weaviate_env());
                env.extend(opts.env.iter().cloned());
                let child = spawn(&node_home, port, &env);
                Node { name: name.clone(), url: format!("http://127.0.0.1:{port}"), home: node_home, port, env, child }
            })
            .collect();
        let mut cluster = Cluster { nodes, home, start_time: Duration::ZERO };
        cluster.wait_ready(Duration::from_secs(180));
        cluster.start_time = started.elapsed();
        cluster
    }

    fn wait_ready(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let all_healthy = |rest: &Rest, n: usize| {
            let (s, b) = rest.call("GET", "/nodes", None);
            let healthy = b["nodes"].as_array().map(|a| a.iter().filter(|n| n["status"] == "HEALTHY").count());
            s == 200 && healthy == Some(n)
        };
        loop {
            for node in &mut self.nodes {
                if let Ok(Some(status)) = node.child.try_wait() {
                    panic!("{} exited ({status}); log:\n{}", node.name, node.log_tail());
                }
            }
            if self.nodes.iter().all(Node::ready) && all_healthy(&self.rest(), self.nodes.len()) {
                return;
            }
            if Instant::now() > deadline {
                let logs: Vec<String> = self.nodes.iter().map(|n| format!("== {}\n{}", n.name, n.log_tail())).collect();
                panic!("cluster not ready after {timeout:?}:\n{}", logs.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// A REST client for the first node.
    pub fn rest(&self) -> Rest {
        self.nodes[0].rest()
    }

    pub fn url(&self) -> &str {
        &self.nodes[0].url
    }

    pub fn node_names(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.name.clone()).collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // All at once, so the nodes' shutdowns overlap instead of adding up.
        for node in &mut self.nodes {
            if let Ok(None) = node.child.try_wait() {
                // SAFETY: signals our own child, not yet reaped (try_wait above).
                unsafe { libc::kill(node.child.id() as libc::pid_t, libc::SIGTERM) };
            }
        }
        let deadline = Instant::now() + Duration::from_secs(15);
        for node in &mut self.nodes {
            while Instant::now() < deadline && !matches!(node.child.try_wait(), Ok(Some(_))) {
                std::thread::sleep(Duration::from_millis(100));
            }
            node.kill();
        }
        if std::thread::panicking() {
            eprintln!("cluster data and logs kept in {}", self.home.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.home);
        }
    }
}
