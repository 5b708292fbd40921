//! The run command's engine: a local real Weaviate with demo data, the console built by trunk
//! and served with a `config.json` that points it at that Weaviate and allows the example
//! dashboard (on a second origin) to embed it. Ctrl-C stops everything.
//!
//! `--cluster`: three Weaviate nodes backing up to S3, GCS and Azure emulators instead of one
//! node on the filesystem, as production runs.
//!
//! A demo backup policy runs every minute under `backup-runner schedule`, so a newcomer sees
//! one fire (and expire the oldest of its backups) within a minute.
//!
//! Everything it starts dies with it however it ends (Ctrl-C, a closed terminal, `kill`): each
//! child is asked to stop when this process dies (`PR_SET_PDEATHSIG`), and `scripts/run.sh`
//! execs this binary, so no cargo process stands between the shell and it.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

use e2e::cluster::{Cluster, ClusterOptions};
use e2e::rest::{seed_demo, Rest};
use e2e::runner::Runner;
use e2e::{free_port, repo_root};
use e2e::static_server::{StaticOptions, StaticServer};
use e2e::storage::{ObjectStores, DEFAULT_BUCKET};
use e2e::weaviate::{Options, Weaviate};

/// What the console is pointed at.
enum Target {
    Single(Weaviate),
    // The cluster first: it stops before the storage it writes to.
    Cluster(Cluster, ObjectStores),
}

impl Target {
    fn url(&self) -> &str {
        match self {
            Target::Single(w) => &w.url,
            Target::Cluster(c, _) => c.url(),
        }
    }

    fn describe(&self) -> Vec<String> {
        match self {
            Target::Single(w) => vec![format!("Weaviate {} (data in {})", w.url, w.home.display())],
            Target::Cluster(c, stores) => {
                let nodes: Vec<String> = c.nodes.iter().map(|n| format!("{} {}", n.name, n.url)).collect();
                vec![
                    format!("Weaviate cluster: {} (data in {})", nodes.join(", "), c.home.display()),
                    format!("Backups to {}", stores.describe()),
                    format!("  bucket/container \"{}\" on each; filesystem is enabled too, and refused on a cluster", DEFAULT_BUCKET),
                ]
            }
        }
    }
}

/// The demo policy: every minute, the three newest kept.
fn demo_policy(backend: &str) -> serde_json::Value {
    serde_json::json!({
        "name": "demo", "backend": backend, "schedule": "* * * * *", "timeZone": "UTC",
        "retention": { "maxCount": 3 }, "freshness": "3m"
    })
}

/// `backup-runner schedule` for the demo policy, serving metrics on a free port; its events go
/// to `log`.
fn start_runner(url: &str, env: Vec<(String, String)>, policy: serde_json::Value, log: &std::path::Path) -> (Child, String) {
    let runner = Runner::new(url, env);
    runner.policies(serde_json::json!([policy]));
    let metrics = format!("127.0.0.1:{}", free_port());
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).expect("runner log folder");
    }
    let log = std::fs::File::create(log).expect("runner log");
    let mut cmd = runner.command(&["schedule", "--metrics-addr", &metrics]);
    cmd.stdout(log.try_clone().unwrap()).stderr(log).stdin(Stdio::null());
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let child = cmd.spawn().expect("start backup-runner");
    // The policies file lives as long as the process: the runner folder is kept.
    std::mem::forget(runner);
    (child, format!("http://{metrics}/metrics"))
}

fn main() {
    // Its own bundle folder (`dist/` is the release build the tests use), or a bundle already
    // built (`CONSOLE_DIST`, as the tests name theirs).
    let dist = match std::env::var_os("CONSOLE_DIST") {
        Some(built) => std::path::PathBuf::from(built),
        None => {
            let dist = repo_root().join(".work/devstack/dist");
            let build = Command::new("trunk").args(["build", "--offline", "--dist"]).arg(&dist).current_dir(repo_root()).status();
            if !build.is_ok_and(|s| s.success()) {
                eprintln!("trunk build failed");
                std::process::exit(1);
            }
            dist
        }
    };
    let target = if std::env::args().skip(1).any(|a| a == "--cluster") {
        let stores = ObjectStores::start();
        Target::Cluster(Cluster::start(&stores, ClusterOptions { prefix: "node".into(), nodes: 3, env: vec![] }), stores)
    } else {
        Target::Single(Weaviate::start(Options { name: "dev".into(), ..Default::default() }))
    };
    seed_demo(&Rest::new(target.url()));
    // The example dashboard, on its own origin, embedding the console in an iframe.
    let host = StaticServer::start(&repo_root().join("examples"), "/");
    let (backend, store_env) = match &target {
        Target::Single(w) => ("filesystem", vec![("BACKUP_FILESYSTEM_PATH".to_string(), w.backups_dir.display().to_string())]),
        Target::Cluster(_, stores) => ("s3", stores.weaviate_env()),
    };
    let policy = demo_policy(backend);
    let log = repo_root().join(".work/devstack/runner.log");
    let (_runner, metrics) = start_runner(target.url(), store_env, policy.clone(), &log);
    let mut config = serde_json::json!({
        "weaviateUrl": target.url(),
        "allowedOrigins": [host.url.trim_end_matches('/')],
        "policies": [policy],
    });
    if let Target::Cluster(..) = target {
        config["defaultBackend"] = "s3".into();
    }
    // The examples are not part of the bundle; the mount-API page needs the bundle's origin.
    let console = StaticServer::start_with(
        &dist,
        "/",
        StaticOptions {
            files: vec![("/config.json".into(), config.to_string().into_bytes(), "application/json".into())],
            mounts: vec![("/examples/".into(), repo_root().join("examples"))],
            ..Default::default()
        },
    );
    println!();
    for line in target.describe() {
        println!("  {line}");
    }
    println!("  Demo collections: Article, Author, Paragraph");
    println!("  Demo policy \"demo\" on {backend}: a backup every minute, the 3 newest kept (backup-runner schedule)");
    println!("    metrics {metrics}, events in {}", log.display());
    println!("  Console: {}", console.url);
    println!("  Example dashboard embedding it: {}", host.host_page(&console.url, &target.url()));
    println!("  Mount API example: {}examples/mount.html?weaviate={}", console.url, target.url());
    println!();
    println!("  Ctrl-C stops everything.");
    loop {
        std::thread::park();
    }
}
