//! The README's nginx example works as pasted: Debian's nginx, given the README's `location`
//! block with only the bundle's folder and the Weaviate URL put in, serves the release bundle
//! under `/admin/backups/` with exactly the README's headers, and the console runs a backup to
//! SUCCESS there without a single Content-Security-Policy violation.


use crate::common;
use std::path::Path;

use crate::common::{weaviate, DONE, LONG};
use e2e::browser::Browser;
use e2e::nginx::Nginx;
use e2e::repo_root;

/// What the README's block names that a deployment (here, the test) puts its own value in for.
const README_FOLDER: &str = "/var/www/backup-console/";
const README_WEAVIATE: &str = "https://weaviate.example.com";

/// The README's ```nginx block, verbatim.
fn readme_block() -> String {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let (_, rest) = readme.split_once("\n```nginx\n").expect("README.md has an ```nginx block");
    let (block, _) = rest.split_once("\n```").expect("the ```nginx block ends");
    block.to_string()
}

fn replace_once(block: &str, from: &str, to: &str) -> String {
    assert_eq!(block.matches(from).count(), 1, "the README's nginx block names {from} once:\n{block}");
    block.replacen(from, to, 1)
}

/// Every file under `dir`, as paths relative to it.
fn files(dir: &Path, rel: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{rel}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            files(&entry.path(), &format!("{name}/"), out);
        } else {
            out.push(name);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_nginx_block_serves_the_release_bundle_under_a_sub_path() {
    let dist = common::dist();
    let (wv, rest) = weaviate("nginx", &[("Article", 10)]);
    let block = readme_block();
    assert!(block.starts_with("location /admin/backups/ {\n"), "the README's block serves /admin/backups/:\n{block}");
    let block = replace_once(&block, README_FOLDER, &format!("{}/", dist.display()));
    let block = replace_once(&block, README_WEAVIATE, &wv.url);
    let nginx = Nginx::start(&block);
    let site = format!("{}/admin/backups/", nginx.url);

    // Every file of the bundle, and an error, comes with exactly the README's three headers;
    // each file with its own type, which under `nosniff` is the only one the browser uses.
    let csp = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self' {}; \
         img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors https://dashboard.example.com",
        wv.url
    );
    let get = |path: &str| match ureq::get(&format!("{site}{path}")).call() {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET /admin/backups/{path}: {e}"),
    };
    let has_headers = |path: &str, r: &ureq::Response| {
        assert_eq!(r.all("Content-Security-Policy"), [csp.as_str()], "/admin/backups/{path}");
        assert_eq!(r.all("X-Content-Type-Options"), ["nosniff"], "/admin/backups/{path}");
        assert_eq!(r.all("Referrer-Policy"), ["no-referrer"], "/admin/backups/{path}");
    };
    let mut paths = vec![String::new()];
    files(&dist, "", &mut paths);
    for path in &paths {
        let r = get(path);
        assert_eq!(r.status(), 200, "GET /admin/backups/{path}");
        has_headers(path, &r);
        let expected_type = match path.rsplit_once('.').map_or("html", |(_, ext)| ext) {
            "html" => "text/html",
            "js" => "application/javascript",
            "wasm" => "application/wasm",
            "css" => "text/css",
            "json" => "application/json",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "ico" => "image/x-icon",
            other => panic!("no expected type for .{other} (/admin/backups/{path})"),
        };
        assert_eq!(r.content_type(), expected_type, "/admin/backups/{path}");
    }
    let missing = get("no-such-file");
    assert_eq!(missing.status(), 404);
    has_headers("no-such-file", &missing);

    let b = Browser::start().await;
    let create = common::open(&b, &site, &wv.url).await;
    b.fill(&create, "Backup ID", "behind-nginx").await;
    b.click_button(&create, "Start backup").await;
    assert_eq!(b.wait_job_status("backup:filesystem:behind-nginx", &DONE, LONG).await, "SUCCESS");
    assert_eq!(rest.wait_backup("filesystem", "behind-nginx", LONG)["status"], "SUCCESS");
    assert_eq!(b.csp_violations().await, Vec::<String>::new());
    b.quit().await;
}
