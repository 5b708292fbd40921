//! The run command's engine: a local real Weaviate with demo data, the console built by trunk
//! and served with a `config.json` that points it at that Weaviate and allows the example
//! dashboard (on a second origin) to embed it. Ctrl-C stops everything.
//!
//! `--cluster`: three Weaviate nodes backing up to S3, GCS and Azure emulators instead of one
//! node on the filesystem, as production runs.

use std::process::Command;

use e2e::cluster::{Cluster, ClusterOptions};
use e2e::repo_root;
use e2e::rest::{seed_demo, Rest};
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

fn main() {
    let build = Command::new("trunk").args(["build", "--offline"]).current_dir(repo_root()).status();
    if !build.is_ok_and(|s| s.success()) {
        eprintln!("trunk build failed");
        std::process::exit(1);
    }
    let target = if std::env::args().skip(1).any(|a| a == "--cluster") {
        let stores = ObjectStores::start();
        Target::Cluster(Cluster::start(&stores, ClusterOptions { prefix: "node".into(), nodes: 3, env: vec![] }), stores)
    } else {
        Target::Single(Weaviate::start(Options { name: "dev".into(), ..Default::default() }))
    };
    seed_demo(&Rest::new(target.url()));
    // The example dashboard, on its own origin, embedding the console in an iframe.
    let host = StaticServer::start(&repo_root().join("examples"), "/");
    let mut config = serde_json::json!({
        "weaviateUrl": target.url(),
        "allowedOrigins": [host.url.trim_end_matches('/')],
    });
    if let Target::Cluster(..) = target {
        config["defaultBackend"] = "s3".into();
    }
    // The examples are not part of the bundle; the mount-API page needs the bundle's origin.
    let console = StaticServer::start_with(
        &repo_root().join("dist"),
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
    println!("  Console: {}", console.url);
    println!("  Example dashboard embedding it: {}", host.host_page(&console.url, &target.url()));
    println!("  Mount API example: {}examples/mount.html?weaviate={}", console.url, target.url());
    println!();
    println!("  Ctrl-C stops everything.");
    loop {
        std::thread::park();
    }
}
