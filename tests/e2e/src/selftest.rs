//! The harness checked on its own: the faults as a browser sees them, the static server's
//! options, port claims, CSP recording, process clean-up, and a Weaviate kill and restart.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::browser::Browser;
use crate::proxy::{Fault, Mode, Proxy, Rule};
use crate::static_server::{StaticOptions, StaticServer};

/// A stand-in for Weaviate: `/v1/meta` answers JSON with CORS headers.
fn upstream() -> StaticServer {
    let body = serde_json::to_vec(&json!({"version": "1.39.0", "modules": {}})).unwrap();
    StaticServer::start_with(
        Path::new("/nonexistent"),
        "/",
        StaticOptions {
            headers: vec![("Access-Control-Allow-Origin".into(), "*".into())],
            files: vec![("/v1/meta".into(), body, "application/json".into())],
            ..Default::default()
        },
    )
}

fn get(url: &str) -> (u16, String) {
    match ureq::get(url).timeout(Duration::from_secs(10)).call() {
        Ok(r) | Err(ureq::Error::Status(_, r)) => (r.status(), r.into_string().unwrap_or_default()),
        Err(e) => panic!("GET {url}: {e}"),
    }
}

#[test]
fn ports_stay_claimed_across_processes() {
    let port = crate::free_port();
    let lock = std::fs::File::open(format!("/tmp/backup-console-ports/{port}.lock")).unwrap();
    // A second open file description is what another process would hold.
    let taken = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX | libc::LOCK_NB) } != 0;
    assert!(taken, "port {port} is not locked");
    assert_ne!(crate::free_port(), port);
}

#[test]
fn static_server_options() {
    let dir = std::env::temp_dir().join(format!("bc-static-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("index.html"), "<p>root</p>").unwrap();
    std::fs::write(dir.join("sub/x.js"), "x()").unwrap();
    let site = StaticServer::start_with(
        &dir,
        "/app/",
        StaticOptions {
            headers: vec![("X-Test".into(), "yes".into())],
            files: vec![("/app/config.json".into(), b"{\"a\":1}".to_vec(), "application/json".into())],
            mounts: vec![("/examples/".into(), dir.join("sub"))],
            spa_fallback: true,
        },
    );
    let r = ureq::get(&format!("{}config.json", site.url)).call().unwrap();
    assert_eq!((r.header("x-test"), r.content_type()), (Some("yes"), "application/json"));
    assert_eq!(r.into_string().unwrap(), "{\"a\":1}");
    let base = site.url.trim_end_matches("/app/");
    assert_eq!(get(&format!("{base}/examples/x.js")), (200, "x()".into()));
    let r = ureq::get(&format!("{base}/anything/else?q=1")).call().unwrap();
    assert_eq!(r.content_type(), "text/html");
    assert_eq!(r.into_string().unwrap(), "<p>root</p>");
    assert_eq!(site.requests(), ["/app/config.json", "/examples/x.js", "/anything/else?q=1"]);
    let plain = StaticServer::start(&dir, "/app/");
    assert_eq!(get(&format!("{}nothing", plain.url)).0, 404);
    assert_eq!(get(&plain.url), (200, "<p>root</p>".into()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn proxy_rules_count_and_compose() {
    let up = upstream();
    let proxy = Proxy::start(up.url.trim_end_matches('/'));
    let meta = format!("{}/v1/meta", proxy.url);
    let second = proxy.add_rule(Rule { method: Some("GET"), path_contains: "/meta", nth: Some(2), fault: Fault::Status(503) });
    let slow = proxy.add_rule(Rule { method: None, path_contains: "/v1/", nth: None, fault: Fault::Latency(Duration::from_millis(300)) });
    let t = std::time::Instant::now();
    assert_eq!(get(&meta).0, 200);
    let (status, body) = get(&meta);
    assert_eq!(status, 503);
    assert!(body.contains("\"error\":[{\"message\":"), "{body}");
    assert_eq!(get(&meta).0, 200);
    assert!(t.elapsed() >= Duration::from_millis(900), "latency adds up: {:?}", t.elapsed());
    assert_eq!((proxy.fired(second), proxy.fired(slow)), (1, 3));
    proxy.clear_rules();
    proxy.set_mode(Mode::Fail(500));
    assert_eq!(get(&meta).0, 500);
    proxy.set_mode(Mode::Pass);
    proxy.set_meta_version("1.27.0");
    assert!(get(&meta).1.contains("\"version\":\"1.27.0\""));
    let seen = proxy.seen();
    assert_eq!(seen.len(), 5);
    assert!(proxy.authorization_seen().is_empty());
    ureq::get(&meta).set("Authorization", "Bearer k").call().unwrap();
    let auth = proxy.authorization_seen();
    assert_eq!(auth.len(), 1);
    assert_eq!(auth[0].header("authorization"), Some("Bearer k"));
}

#[test]
fn chaos_is_reproducible() {
    let up = upstream();
    let run = |seed| {
        let proxy = Proxy::start(up.url.trim_end_matches('/'));
        proxy.chaos(seed, &[(0.3, Fault::Status(500)), (0.2, Fault::Status(502))]);
        let statuses: Vec<u16> = (0..40).map(|_| get(&format!("{}/v1/meta", proxy.url)).0).collect();
        let counts = proxy.stop_chaos();
        assert_eq!(get(&format!("{}/v1/meta", proxy.url)).0, 200, "chaos stopped");
        (statuses, counts)
    };
    let (a, counts) = run(7);
    assert_eq!(run(7).0, a);
    assert_ne!(run(8).0, a);
    let n = |code| a.iter().filter(|s| **s == code).count();
    assert_eq!(counts, [(Fault::Status(500), n(500)), (Fault::Status(502), n(502))]);
    assert!(n(500) > 0 && n(502) > 0 && n(200) > 0, "{a:?}");
}

/// What a page's `fetch` of `url` ends with: `status body`, `status body-error`, or the error's
/// name (`TypeError` for a network error, `TimeoutError` after 2 s).
async fn page_fetch(b: &Browser, url: &str) -> String {
    let r = b
        .driver
        .execute_async(
            "const [url, done] = arguments;
             fetch(url, { signal: AbortSignal.timeout(2000) })
               .then(r => r.text().then(t => done(r.status + ' ' + t), () => done(r.status + ' body-error')))
               .catch(e => done(e.name));",
            vec![json!(url)],
        )
        .await
        .unwrap();
    r.json().as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn faults_as_the_browser_sees_them_and_csp_is_recorded() {
    let up = upstream();
    let proxy = Proxy::start(up.url.trim_end_matches('/'));
    let page = StaticServer::start_with(
        Path::new("/nonexistent"),
        "/",
        StaticOptions {
            headers: vec![("Content-Security-Policy".into(), "script-src 'self'".into())],
            files: vec![("/index.html".into(), b"<script>window.inline = 1</script><p>page</p>".to_vec(), "text/html".into())],
            ..Default::default()
        },
    );
    let b = Browser::start().await;
    b.add_init_script("window.__early = typeof window.inline").await;
    b.set_window_size(800, 600).await;
    b.goto(&format!("{}index.html", page.url)).await;
    let early = b.driver.execute("return [window.__early, window.inline === undefined, window.innerWidth]", vec![]).await.unwrap();
    assert_eq!(early.json(), &json!(["undefined", true, 800]));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while b.csp_violations().await.is_empty() {
        assert!(std::time::Instant::now() < deadline, "no CSP violation recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(b.csp_violations().await, ["script-src-elem inline"]);

    let meta = format!("{}/v1/meta", proxy.url);
    assert!(page_fetch(&b, &meta).await.starts_with("200 {"));
    for (fault, seen) in [
        (Fault::Status(503), "503 {\"error\":[{\"message\":\"proxy: simulated failure (HTTP 503)\"}]}"),
        (Fault::Truncate, "200 body-error"),
        (Fault::InvalidJson, "200 <html><body>upstream error</body></html>"),
        (Fault::DropBeforeUpstream, "TypeError"),
        (Fault::LoseAnswer, "TypeError"),
        (Fault::Hang(Duration::from_secs(4)), "TimeoutError"),
        (Fault::Hang(Duration::from_millis(500)), "TypeError"),
    ] {
        proxy.clear_rules();
        let r = proxy.add_rule(Rule { method: Some("GET"), path_contains: "/v1/meta", nth: None, fault: fault.clone() });
        assert_eq!(page_fetch(&b, &meta).await, seen, "{fault:?}");
        assert_eq!(proxy.fired(r), 1, "{fault:?}");
    }
    let forwarded = up.requests().len();
    assert_eq!(forwarded, 6, "Status and DropBeforeUpstream never reach the server: {:?}", up.requests());
    b.quit().await;
}

/// The pids of `root` and all its descendants.
fn process_tree(root: u32) -> Vec<u32> {
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // pid (comm) state ppid …; comm may hold spaces, so split after the last ')'.
            let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
            if ppid == Some(parent) && !tree.contains(&pid) {
                tree.push(pid);
            }
        }
        i += 1;
    }
    tree
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.rsplit_once(')').is_some_and(|(_, r)| r.trim_start().starts_with('Z')))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_browser_leaves_no_process_or_profile() {
    let b = Browser::start().await;
    b.goto("about:blank").await;
    let tree = process_tree(b._processes.chromedriver.id());
    let profile = b._processes.profile.clone();
    assert!(tree.len() > 2, "chromedriver and Chromium: {tree:?}");
    assert!(profile.exists());
    drop(b);
    crate::wait_until(Duration::from_secs(10), "every process ended", || !tree.iter().any(|p| alive(*p)));
    assert!(!profile.exists());
}

#[test]
fn weaviate_kill_and_restart_keep_data_and_address() {
    let mut wv = crate::weaviate::Weaviate::start(crate::weaviate::Options { name: "selftest".into(), ..Default::default() });
    let rest = wv.rest();
    rest.create_collection("Article");
    rest.insert_objects("Article", 3);
    let (url, home) = (wv.url.clone(), wv.home.clone());
    wv.kill();
    assert!(ureq::get(&format!("{url}/v1/meta")).timeout(Duration::from_secs(2)).call().is_err());
    wv.restart();
    assert_eq!(wv.url, url);
    assert_eq!(rest.object_count("Article"), 3);
    drop(wv);
    assert!(!home.exists(), "home removed after a passing test");
}
