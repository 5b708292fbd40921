//! The run command's engine: a local real Weaviate with demo data, and the console served by
//! `trunk serve` pointed at it. Ctrl-C stops both.

use std::process::Command;

use e2e::rest::{seed_demo, Rest};
use e2e::repo_root;
use e2e::static_server::StaticServer;
use e2e::weaviate::{Options, Weaviate};

fn main() {
    let mut weaviate = Weaviate::start(Options { name: "dev".into(), ..Default::default() });
    seed_demo(&Rest::new(&weaviate.url));
    let port = std::env::var("CONSOLE_PORT").unwrap_or_else(|_| "8090".into());
    let console = format!("http://127.0.0.1:{port}/?weaviate={}", weaviate.url);
    // The example dashboard, on its own origin, embedding the console in an iframe.
    let host = StaticServer::start(&repo_root().join("examples"), "/");
    println!();
    println!("  Weaviate {} (data in {})", weaviate.url, weaviate.home.display());
    println!("  Demo collections: Article, Author, Paragraph");
    println!("  Console: {console}");
    println!("  Example dashboard embedding it: {}host.html?console=http://127.0.0.1:{port}/&weaviate={}", host.url, weaviate.url);
    println!();
    let status = Command::new("trunk")
        .args(["serve", "--offline", "--address", "127.0.0.1", "--port", &port])
        .current_dir(repo_root())
        .status();
    weaviate.stop();
    if let Err(e) = status {
        eprintln!("trunk serve failed: {e}");
        std::process::exit(1);
    }
}
