//! The benchmark behind `scripts/bench.sh`: what the console costs a browser and a server, on
//! this machine, against a real local Weaviate and a fake server that lists many backups.
//! Prints Markdown tables; not a test (nothing is asserted).
//!
//! `bench --dist DIR [--dist DIR2 …] [--only load,poll,idle,scale,leak,policies]`: each section for each build
//! (the polling comparison shares one Weaviate and its collections between builds);
//! `BENCH_OBJECTS=a,b,c` sizes the three collections of the polling comparison (objects of
//! 32 KiB), `BENCH_LEAK_ROUNDS` the rounds of 100 jobs run and cleared (10), `BENCH_PYTHON` the
//! Python that has `weaviate-client`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use e2e::browser::{form_xpath, Browser};
use e2e::proxy::Proxy;
use e2e::static_server::{StaticOptions, StaticServer};
use e2e::weaviate::{Options, Weaviate};
use e2e::{free_port, repo_root};
use serde_json::{json, Value};
use thirtyfour::prelude::*;
use tiny_http::Server;

/// Installed before every page: when the console became interactive, when the first row and
/// each final status showed, keystroke latencies, the wasm memory, and a switch that makes the
/// page believe it is hidden (headless Chromium has no real background tab).
const PROBES: &str = r#"
window.__tti = null; window.__firstRow = null; window.__shown = {}; window.__lat = [];
new MutationObserver(() => {
  if (window.__tti === null && [...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'Connect'))
    window.__tti = performance.now();
  if (window.__firstRow === null && document.querySelector('tr[data-job]')) window.__firstRow = performance.now();
  for (const c of document.querySelectorAll('tr[data-job] [data-col=status]')) {
    const t = c.textContent, k = c.closest('tr').dataset.job;
    if ((t === 'SUCCESS' || t === 'FAILED' || t === 'CANCELED') && !(k in window.__shown)) window.__shown[k] = Date.now();
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
addEventListener('keydown', e => {
  const t = e.timeStamp;
  requestAnimationFrame(() => setTimeout(() => window.__lat.push(performance.now() - t), 0));
}, true);
for (const name of ['instantiateStreaming', 'instantiate']) {
  const orig = WebAssembly[name];
  WebAssembly[name] = async (...args) => {
    const r = await orig.apply(WebAssembly, args);
    const exports = (r.instance || r).exports;
    if (exports && exports.memory) window.__wasmMemory = exports.memory;
    return r;
  };
}
(() => {
  let hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', { get() { return hidden ? 'hidden' : 'visible'; }, configurable: true });
  Object.defineProperty(Document.prototype, 'hidden', { get() { return hidden; }, configurable: true });
  window.__setHidden = h => { hidden = h; document.dispatchEvent(new Event('visibilitychange')); };
})();
"#;

fn wall_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

async fn browser() -> Browser {
    let b = Browser::start().await;
    b.add_init_script(PROBES).await;
    b.driver.set_script_timeout(Duration::from_secs(120)).await.unwrap();
    b
}

async fn js(b: &Browser, script: &str) -> Value {
    match b.driver.execute(script, vec![]).await {
        Ok(r) => r.json().clone(),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

async fn cdp(b: &Browser, method: &str, params: Value) -> Value {
    b.driver.cdp().send_raw(method, params).await.unwrap_or(Value::Null)
}

/// CDP `Performance.getMetrics` as (name, value) pairs.
async fn metrics(b: &Browser) -> Vec<(String, f64)> {
    let m = cdp(b, "Performance.getMetrics", json!({})).await;
    m["metrics"]
        .as_array()
        .map(|a| a.iter().map(|x| (x["name"].as_str().unwrap_or("").to_string(), x["value"].as_f64().unwrap_or(0.0))).collect())
        .unwrap_or_default()
}

fn metric(m: &[(String, f64)], name: &str) -> f64 {
    m.iter().find(|(n, _)| n == name).map_or(f64::NAN, |(_, v)| *v)
}

/// Polls `script` (an expression) every 100 ms until it is truthy; its value, or Null.
async fn wait_js(b: &Browser, script: &str, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let v = js(b, &format!("return {script}")).await;
        if !(v.is_null() || v == json!(false) || v.get("error").is_some()) {
            return v;
        }
        if Instant::now() > deadline {
            return Value::Null;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn gzip_len(path: &Path) -> usize {
    let out = std::process::Command::new("gzip").arg("-9c").arg(path).output().expect("gzip");
    out.stdout.len()
}

// ---- first load ------------------------------------------------------------------------------

async fn first_load(dist: &Path) {
    // Every file of the bundle, wasm-bindgen's snippets/ included.
    fn files(dir: &Path) -> Vec<PathBuf> {
        let entries = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path());
        entries.flat_map(|p| if p.is_dir() { files(&p) } else { vec![p] }).collect()
    }
    let mut assets = files(dist);
    assets.sort();

    // What the page fetches before it is interactive (the dashboard's chunk is asked for once
    // the connection form has been painted).
    let site = StaticServer::start(dist, "/");
    let b = browser().await;
    b.goto(&site.url).await;
    wait_js(&b, "window.__tti", Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fetched = js(
        &b,
        "return performance.getEntriesByType('resource').filter(e => e.startTime <= window.__tti).map(e => new URL(e.name).pathname)",
    )
    .await;
    let fetched: HashSet<String> = fetched.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
    b.quit().await;
    let at_first = |p: &Path| {
        let rel = p.strip_prefix(dist).unwrap().display().to_string();
        rel == "index.html" || fetched.contains(&format!("/{rel}"))
    };

    println!("\n### First load\n\n| asset | bytes | gzip -9 |\n|---|---:|---:|");
    let (mut raw, mut gz, mut later) = (0, 0, vec![]);
    for p in &assets {
        let (r, g) = (std::fs::metadata(p).unwrap().len() as usize, gzip_len(p));
        let name = p.strip_prefix(dist).unwrap().display().to_string();
        if at_first(p) {
            raw += r;
            gz += g;
            println!("| {name} | {r} | {g} |");
        } else {
            later.push((name, r, g));
        }
    }
    println!("| **total until interactive** | **{raw}** | **{gz}** |");
    for (name, r, g) in &later {
        println!("| {name} (fetched after the page is interactive) | {r} | {g} |");
    }

    let b = browser().await;
    let cold_loads = |n: usize, settle: Duration| {
        let (b, url) = (&b, &site.url);
        async move {
            let mut times = vec![];
            for _ in 0..n {
                cdp(b, "Network.clearBrowserCache", json!({})).await;
                b.goto("about:blank").await;
                b.goto(url).await;
                if let Some(t) = wait_js(b, "window.__tti", Duration::from_secs(60)).await.as_f64() {
                    times.push(t);
                }
                // What loads after (the dashboard chunk) finishes first: an abandoned download
                // still takes its share of an emulated link and would slow the next load.
                tokio::time::sleep(settle).await;
            }
            times
        }
    };
    let report = |what: &str, times: Vec<f64>| {
        println!(
            "\nTime to interactive (navigation start → \"Connect\" rendered), {what}, median of {} cold loads: **{:.0} ms** (all: {})",
            times.len(),
            median(times.clone()),
            times.iter().map(|t| format!("{t:.0}")).collect::<Vec<_>>().join(", ")
        );
    };
    report("local", cold_loads(9, Duration::ZERO).await);
    // What the weight costs an admin on a slow link: Chrome DevTools' "Fast 3G" (150 ms round
    // trip, 1.6 Mbit/s down).
    cdp(&b, "Network.enable", json!({})).await;
    let fast_3g = json!({"offline": false, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8});
    cdp(&b, "Network.emulateNetworkConditions", fast_3g).await;
    // The bench's server does not compress: these are raw bytes, a worst case.
    report("\"Fast 3G\" (150 ms, 1.6 Mbit/s, uncompressed)", cold_loads(7, Duration::from_secs(6)).await);
    b.quit().await;
}

// ---- a fake server that lists many backups ---------------------------------------------------

/// Answers discovery, lists `listed` backups, and runs every created backup to SUCCESS at once.
struct FakeServer {
    url: String,
    server: Arc<Server>,
}

impl FakeServer {
    fn start(listed: usize) -> FakeServer {
        FakeServer::start_named(listed, |i, _, _| format!("nightly-{i:05}"))
    }

    /// Lists `listed` backups named by `id(i, date, time)` (`yyyymmdd`, `hhmmss` of its start).
    fn start_named(listed: usize, id: fn(usize, &str, &str) -> String) -> FakeServer {
        let port = free_port();
        let server = Arc::new(Server::http(("127.0.0.1", port)).unwrap());
        let list: Vec<Value> = (0..listed)
            .map(|i| {
                let (day, sec) = (i / 86_400, i % 86_400);
                let (month, mday, h, m, s) = (1 + day / 28 % 12, 1 + day % 28, sec / 3600, sec / 60 % 60, sec % 60);
                let at = format!("2025-{month:02}-{mday:02}T{h:02}:{m:02}:{s:02}.000Z");
                let id = id(i, &format!("2025{month:02}{mday:02}"), &format!("{h:02}{m:02}{s:02}"));
                json!({"id": id, "classes": ["Article", "Paragraph"], "status": "SUCCESS",
                       "startedAt": at, "completedAt": at, "size": 0.0123})
            })
            .rev()
            .collect();
        let list = serde_json::to_string(&list).unwrap();
        let created = Arc::new(Mutex::new(HashSet::<String>::new()));
        let s = server.clone();
        thread::spawn(move || {
            for mut req in s.incoming_requests() {
                let path = req.url().to_string();
                let method = req.method().to_string();
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let route = path.split('?').next().unwrap_or("").to_string();
                let (status, text) = match (method.as_str(), route.as_str()) {
                    ("OPTIONS", _) => (204, String::new()),
                    ("GET", "/v1/meta") => (200, json!({"version": "1.39.0", "modules": {"backup-filesystem": {}}}).to_string()),
                    ("GET", "/v1/schema") => (200, json!({"classes": [{"class": "Article"}, {"class": "Paragraph"}]}).to_string()),
                    ("GET", "/v1/nodes") => (200, json!({"nodes": [{"name": "node1"}]}).to_string()),
                    ("GET", "/v1/backups/filesystem") => (200, list.clone()),
                    ("POST", "/v1/backups/filesystem") => {
                        let id = serde_json::from_str::<Value>(&body).ok().and_then(|v| v["id"].as_str().map(String::from)).unwrap_or_default();
                        created.lock().unwrap().insert(id.clone());
                        (200, json!({"backend": "filesystem", "classes": ["Article"], "id": id, "status": "STARTED"}).to_string())
                    }
                    ("GET", r) if r.starts_with("/v1/backups/filesystem/") => {
                        let id = &r["/v1/backups/filesystem/".len()..];
                        if created.lock().unwrap().contains(id) {
                            (200, json!({"backend": "filesystem", "id": id, "status": "SUCCESS", "size": 0.001,
                                         "startedAt": "2026-01-01T00:00:00.000Z", "completedAt": "2026-01-01T00:00:02.000Z"}).to_string())
                        } else {
                            (404, json!({"error": [{"message": "metadata not found"}]}).to_string())
                        }
                    }
                    _ => (404, json!({"error": [{"message": "no such route"}]}).to_string()),
                };
                let _ = req.respond(e2e::json_answer(status, text));
            }
        });
        FakeServer { url: format!("http://127.0.0.1:{port}"), server }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

/// Opens the console and connects to `url` by the form, the way an admin does.
async fn connect(b: &Browser, site: &str, url: &str) -> Option<f64> {
    b.goto(site).await;
    wait_js(b, "window.__tti", Duration::from_secs(30)).await;
    let input = b.driver.find(By::Css("#weaviate-url")).await.ok()?;
    input.clear().await.ok()?;
    input.send_keys(url).await.ok()?;
    let started = js(
        b,
        "const t = performance.now(); [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Connect').click(); return t",
    )
    .await
    .as_f64()?;
    let first = wait_js(b, "window.__firstRow", Duration::from_secs(120)).await.as_f64()?;
    Some(first - started)
}

/// Waits (at most about two minutes) until the number of rendered rows stops changing.
async fn rows_settled(b: &Browser) -> u64 {
    let mut last = u64::MAX;
    let mut same = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let n = js(b, "return document.querySelectorAll('tr[data-job]').length").await.as_u64().unwrap_or(0);
        if n == last {
            same += 1;
            if same >= 6 {
                return n;
            }
        } else {
            same = 0;
            last = n;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    last
}

/// Types `text` into the element and returns the keystroke latencies (keydown → next frame).
async fn typing(b: &Browser, css: &str, text: &str) -> Vec<f64> {
    js(b, "window.__lat = []; return 0").await;
    let Ok(el) = b.driver.find(By::Css(css)).await else { return vec![] };
    let _ = el.click().await;
    for c in text.chars() {
        let _ = el.send_keys(c.to_string()).await;
    }
    wait_js(b, &format!("window.__lat.length >= {}", text.chars().count()), Duration::from_secs(120)).await;
    serde_json::from_value(js(b, "return window.__lat").await).unwrap_or_default()
}

async fn storage_bytes(b: &Browser) -> u64 {
    js(b, "let n = 0; for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); n += k.length + localStorage.getItem(k).length; } return n")
        .await
        .as_u64()
        .unwrap_or(0)
}

async fn wasm_bytes(b: &Browser) -> u64 {
    js(b, "return window.__wasmMemory ? window.__wasmMemory.buffer.byteLength : 0").await.as_u64().unwrap_or(0)
}

fn kib(bytes: f64) -> String {
    format!("{:.0} KB", bytes / 1024.0)
}

async fn scale(dist: &Path) {
    println!("\n### Many listed backups (fake server)\n");
    println!("| listed | first row after Connect | typing in a form (median / max) | typing in the table filter (median / max) | main thread busy while idle | DOM nodes | JS heap | wasm memory | localStorage |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let site = StaticServer::start(dist, "/");
    for n in [1_000, 10_000] {
        // A console that cannot keep up would hold every measurement for minutes.
        if tokio::time::timeout(Duration::from_secs(900), scale_row(&site, n)).await.is_err() {
            println!("| {n} | did not finish within 15 minutes | | | | | | | |");
        }
    }
}

async fn scale_row(site: &StaticServer, n: usize) {
    let fake = FakeServer::start(n);
    let b = browser().await;
    cdp(&b, "Performance.enable", json!({})).await;
    let first = connect(&b, &site.url, &fake.url).await;
    rows_settled(&b).await;
    // Idle: only timers run.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let m0 = metrics(&b).await;
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(20)).await;
    let m1 = metrics(&b).await;
    let busy = (metric(&m1, "TaskDuration") - metric(&m0, "TaskDuration")) / t0.elapsed().as_secs_f64() * 100.0;
    cdp(&b, "HeapProfiler.collectGarbage", json!({})).await;
    let m = metrics(&b).await;
    let (wasm, stored) = (wasm_bytes(&b).await, storage_bytes(&b).await);
    let form = typing(&b, "#create-id", "typed-1").await;
    let filter = typing(&b, "#jobs-filter", "y-0999").await;
    let lat = |v: &Vec<f64>| {
        if v.is_empty() {
            "—".to_string()
        } else {
            format!("{:.0} / {:.0} ms", median(v.clone()), v.iter().cloned().fold(0.0, f64::max))
        }
    };
    println!(
        "| {n} | {} | {} | {} | {busy:.1} % | {:.0} | {} | {} | {} |",
        first.map_or("—".into(), |f| format!("{:.2} s", f / 1000.0)),
        lat(&form),
        lat(&filter),
        metric(&m, "Nodes"),
        kib(metric(&m, "JSHeapUsedSize")),
        kib(wasm as f64),
        kib(stored as f64),
    );
    b.quit().await;
}

// ---- policies over many listed backups ---------------------------------------------------------

/// Policies in the benchmark's `config.json`, and the backups listed (spread evenly over them).
const POLICIES: usize = 20;
const POLICY_BACKUPS: usize = 10_000;

/// When the Policies table first shows every policy with a last success.
const POLICY_PROBE: &str = r#"
window.__policiesDone = null;
new MutationObserver(() => {
  if (window.__policiesDone !== null) return;
  const cells = document.querySelectorAll('table[aria-label=Policies] tr[data-policy] [data-col=last-success]');
  if (cells.length >= 20 && [...cells].every(c => c.textContent !== 'never')) window.__policiesDone = performance.now();
}).observe(document, { subtree: true, childList: true, characterData: true });
"#;

/// How long the Policies view takes over 10,000 listed backups: from the list's answer to the
/// table showing every policy's last success (the list merged into the jobs, each policy's
/// backups found by its template, states worked out, rows drawn), beside the jobs table's
/// first row from the same answer (both drawn in one go, so the first includes the list's merge);
/// a switch from the jobs to the table; and a policy saved in the editor, which recounts every
/// policy over every listed backup before its page shows (median of 3 loads).
async fn policies(dist: &Path) {
    println!("\n### Policies ({POLICIES} policies, {POLICY_BACKUPS} listed backups, fake server)\n");
    let fake = FakeServer::start_named(POLICY_BACKUPS, |i, date, time| format!("p{:02}-{date}-{time}", i % POLICIES));
    let policies: Vec<Value> = (0..POLICIES)
        .map(|k| json!({"name": format!("p{k:02}"), "backend": "filesystem", "schedule": "0 2 * * *", "timeZone": "Europe/Berlin",
                        "retention": {"maxCount": 14, "minCount": 3, "expireAfter": "30d"}}))
        .collect();
    let config = json!({"weaviateUrl": fake.url, "policies": policies}).to_string();
    let site = StaticServer::start_with(
        dist,
        "/",
        StaticOptions { files: vec![("/config.json".into(), config.into_bytes(), "application/json".into())], ..Default::default() },
    );
    let (mut rows, mut table, mut switch, mut recount) = (vec![], vec![], vec![], vec![]);
    for _ in 0..3 {
        let b = browser().await;
        b.add_init_script(POLICY_PROBE).await;
        b.goto(&format!("{}#/policies", site.url)).await;
        let done = wait_js(&b, "window.__policiesDone", Duration::from_secs(120)).await.as_f64();
        let listed = js(&b, "const e = performance.getEntriesByType('resource').find(e => e.name.includes('/v1/backups/filesystem')); return e ? e.responseEnd : null").await.as_f64();
        let first = wait_js(&b, "window.__firstRow", Duration::from_secs(30)).await.as_f64();
        if let (Some(done), Some(listed), Some(first)) = (done, listed, first) {
            table.push(done - listed);
            rows.push(first - listed);
        }
        let switched = b
            .driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 location.hash = '#/';
                 setTimeout(() => {
                   const t = performance.now(); location.hash = '#/policies';
                   const check = () => document.querySelectorAll('table[aria-label=Policies] tr[data-policy]').length >= 20
                     ? setTimeout(() => done(performance.now() - t), 0) : requestAnimationFrame(check);
                   requestAnimationFrame(check);
                 }, 500);",
                vec![],
            )
            .await
            .ok()
            .and_then(|r| r.json().as_f64());
        switch.extend(switched);
        // A policy saved in the editor: every policy recounted over every listed backup (the
        // book's entries changed), then the new policy's page drawn.
        let saved = b
            .driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 location.hash = '#/policies/_new';
                 setTimeout(() => {
                   const set = (id, v) => { const e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); };
                   set('policy-name', 'p99'); set('policy-zone', 'Europe/Berlin');
                   setTimeout(() => {
                     const t = performance.now();
                     document.querySelector('.policy-editor button[type=submit]').click();
                     const check = () => document.querySelector('.policy .facts [data-col=state]')
                       ? setTimeout(() => done(performance.now() - t), 0) : requestAnimationFrame(check);
                     requestAnimationFrame(check);
                   }, 300);
                 }, 500);",
                vec![],
            )
            .await
            .ok()
            .and_then(|r| r.json().as_f64());
        recount.extend(saved);
        b.quit().await;
    }
    let ms = |v: &Vec<f64>| if v.is_empty() { "—".to_string() } else { format!("{:.0} ms", median(v.clone())) };
    println!("| what | median |\n|---|---:|");
    println!("| list answered → first job row | {} |", ms(&rows));
    println!("| list answered → Policies table with every last success | {} |", ms(&table));
    println!("| jobs → Policies table (route change, {POLICIES} rows) | {} |", ms(&switch));
    println!("| a policy saved → its page (all {} policies recounted over {POLICY_BACKUPS} backups) | {} |", POLICIES + 1, ms(&recount));
}

// ---- 1,000 jobs run and cleared --------------------------------------------------------------

async fn leak(dist: &Path) {
    let rounds: usize = std::env::var("BENCH_LEAK_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(10);
    println!("\n### {} jobs run and cleared (fake server, {rounds} rounds of 100)\n", rounds * 100);
    println!("| after round | wasm memory | JS heap |\n|---:|---:|---:|");
    let site = StaticServer::start(dist, "/");
    let fake = FakeServer::start(0);
    let b = browser().await;
    cdp(&b, "Performance.enable", json!({})).await;
    b.follow_link(&format!("{}?weaviate={}", site.url, fake.url)).await;
    b.wait_for(&form_xpath("Create backup"), Duration::from_secs(30)).await;
    for round in 1..=rounds {
        js(
            &b,
            &format!(
                "window.__round = false;
                 (async () => {{
                   const id = document.getElementById('create-id');
                   const form = id.closest('form');
                   const submit = form.querySelector('button[type=submit]');
                   for (let i = 0; i < 100; i++) {{
                     const name = 'r{round}-' + i;
                     id.value = name; id.dispatchEvent(new Event('input', {{ bubbles: true }}));
                     submit.click();
                     const sel = 'tr[data-job=\"backup:filesystem:' + name + '\"]';
                     for (let w = 0; w < 2000 && !document.querySelector(sel); w++) await new Promise(r => setTimeout(r, 5));
                   }}
                   window.__round = true;
                 }})(); return 0"
            ),
        )
        .await;
        wait_js(&b, "window.__round", Duration::from_secs(300)).await;
        wait_js(
            &b,
            "[...document.querySelectorAll('tr[data-job] [data-col=status]')].every(c => c.textContent === 'SUCCESS')",
            Duration::from_secs(120),
        )
        .await;
        js(&b, "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Clear finished').click(); return 0").await;
        wait_js(&b, "document.querySelectorAll('tr[data-job]').length === 0", Duration::from_secs(30)).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        cdp(&b, "HeapProfiler.collectGarbage", json!({})).await;
        let m = metrics(&b).await;
        if [1, 2, 5, 10, 20, 30, 50, 100].contains(&round) || round == rounds {
            println!("| {} jobs | {} | {} |", round * 100, kib(wasm_bytes(&b).await as f64), kib(metric(&m, "JSHeapUsedSize")));
        }
    }
    b.quit().await;
}

// ---- status polling against a real Weaviate, beside the official Python client ----------------

/// Polls the backup's status straight from Weaviate every 100 ms; the wall-clock time the
/// first final status was seen.
fn watch_flip(url: String, id: String, stop: Arc<AtomicBool>) -> thread::JoinHandle<Option<(u64, String)>> {
    thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let asked = wall_ms();
            if let Ok(r) = ureq::get(&format!("{url}/v1/backups/filesystem/{id}")).timeout(Duration::from_secs(5)).call() {
                let v: Value = r.into_json().unwrap_or_default();
                if let Some(s @ ("SUCCESS" | "FAILED" | "CANCELED")) = v["status"].as_str() {
                    return Some((asked, s.to_string()));
                }
            }
            thread::sleep(Duration::from_millis(100).saturating_sub(Duration::from_millis(wall_ms() - asked)));
        }
        None
    })
}

/// Status reads of backup `id` sent from `origin` (a console's page; `None`: not a browser).
fn status_requests(proxy: &Proxy, id: &str, origin: Option<&str>) -> usize {
    let path = format!("/v1/backups/filesystem/{id}");
    let seen: Vec<_> = proxy.seen().into_iter().filter(|r| r.header("origin") == origin).collect();
    // Only what came after the POST (the console reads the status once before it, to tell a
    // lost answer apart from an earlier job).
    let post = seen.iter().position(|r| r.method == "POST" && r.body.contains(&format!("\"{id}\""))).unwrap_or(0);
    seen[post..].iter().filter(|r| r.method == "GET" && r.path.split('?').next() == Some(path.as_str())).count()
}

const PYTHON_CLIENT: &str = r#"
import sys, time, weaviate
from weaviate.classes.backup import BackupConfigCreate, BackupStorage
port, grpc, bid, coll = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
client = weaviate.connect_to_custom(http_host="127.0.0.1", http_port=port, http_secure=False,
    grpc_host="127.0.0.1", grpc_port=grpc, grpc_secure=False, skip_init_checks=True)
try:
    r = client.backup.create(backup_id=bid, backend=BackupStorage.FILESYSTEM, include_collections=[coll],
        wait_for_completion=True, config=BackupConfigCreate(cpu_percentage=1))
    print(int(time.time() * 1000), r.status)
finally:
    client.close()
"#;

/// A console connected to the proxy, ready to start backups.
struct Console {
    site: StaticServer,
    b: Browser,
    label: String,
}

async fn polling(dists: &[PathBuf]) {
    let sizes: Vec<usize> = std::env::var("BENCH_OBJECTS")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![4_500, 27_000, 54_000]);
    let grpc = free_port();
    let wv = Weaviate::start(Options { name: "bench".into(), env: vec![("GRPC_PORT".into(), grpc.to_string())], ..Default::default() });
    let rest = wv.rest();
    let names = ["BenchSmall", "BenchMedium", "BenchLarge"];
    for (name, n) in names.iter().zip(&sizes) {
        rest.create_collection(name);
        let noise = json!({"name": "noise", "dataType": ["text"], "indexFilterable": false, "indexSearchable": false});
        let (code, body) = rest.call("POST", &format!("/schema/{name}/properties"), Some(noise));
        assert_eq!(code, 200, "{body}");
        rest.insert_noise(name, *n, 32);
    }
    let proxy = Proxy::start(&wv.url);
    let proxy_port: u16 = proxy.url.rsplit(':').next().unwrap().parse().unwrap();
    let create = form_xpath("Create backup");
    let mut consoles = vec![];
    for dist in dists {
        let site = StaticServer::start(dist, "/");
        let b = browser().await;
        b.follow_link(&format!("{}?weaviate={}", site.url, proxy.url)).await;
        b.wait_for(&create, Duration::from_secs(30)).await;
        consoles.push(Console { site, b, label: dist.display().to_string() });
    }
    let python = std::env::var("BENCH_PYTHON").unwrap_or_else(|_| repo_root().join(".tools/bench-venv/bin/python").display().to_string());

    println!("\n### Status polling (real Weaviate v1.39.0, CPUPercentage 1, through the recording proxy)\n");
    println!("| backup of (objects of 32 KiB) | client | server flipped after | status requests | shown / returned after the flip |");
    println!("|---|---|---:|---:|---:|");
    let after = |t: Option<u64>, f: &Option<(u64, String)>| match (t, f) {
        (Some(t), Some((f, _))) => format!("{:.2} s", (t as f64 - *f as f64) / 1000.0),
        _ => "—".into(),
    };
    for (round, (name, n)) in names.iter().zip(&sizes).enumerate() {
        for (c, Console { site, b, label }) in consoles.iter().enumerate() {
            let id = format!("bench-console-{round}-{c}");
            b.fill(&create, "Backup ID", &id).await;
            b.fill(&create, "Include collections", name).await;
            let cpu = b.driver.find(By::Css("#create-cpu")).await;
            if !matches!(&cpu, Ok(el) if el.is_displayed().await.unwrap_or(false)) {
                let summary = b.wait_for(&format!("{create}//details/summary"), Duration::from_secs(5)).await;
                summary.click().await.unwrap();
            }
            b.fill(&create, "CPU percentage", "1").await;
            let stop = Arc::new(AtomicBool::new(false));
            let posted = wall_ms();
            b.click_button(&create, "Start backup").await;
            let flip = watch_flip(wv.url.clone(), id.clone(), stop.clone());
            let key = format!("backup:filesystem:{id}");
            wait_js(&b, &format!("window.__shown['{key}']"), Duration::from_secs(600)).await;
            stop.store(true, Ordering::Relaxed);
            let flip = flip.join().unwrap();
            let shown = js(&b, &format!("return window.__shown['{key}']")).await.as_u64();
            let origin = site.url.trim_end_matches('/');
            let console_requests = status_requests(&proxy, &id, Some(origin));
            println!(
                "| {name} ({n}) | console {label} | {} | {console_requests} | {} |",
                flip.as_ref().map_or("—".into(), |(f, s)| format!("{:.1} s ({s})", (*f as f64 - posted as f64) / 1000.0)),
                after(shown, &flip),
            );
        }

        // The official client, the same backup again.
        let pid = format!("bench-python-{round}");
        let posted = wall_ms();
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = watch_flip(wv.url.clone(), pid.clone(), stop.clone());
        let out = std::process::Command::new(&python)
            .args(["-c", PYTHON_CLIENT, &proxy_port.to_string(), &grpc.to_string(), &pid, name])
            .output()
            .expect("run the Python client (scripts/bench.sh installs it)");
        stop.store(true, Ordering::Relaxed);
        let pflip = watcher.join().unwrap();
        let returned: Option<u64> = String::from_utf8_lossy(&out.stdout).split_whitespace().next().and_then(|t| t.parse().ok());
        if returned.is_none() {
            eprintln!("python client: {}", String::from_utf8_lossy(&out.stderr));
        }
        let python_requests = status_requests(&proxy, &pid, None);
        println!(
            "| {name} ({n}) | Python weaviate-client 4.24.1 | {} | {python_requests} | {} |",
            pflip.as_ref().map_or("—".into(), |(f, s)| format!("{:.1} s ({s})", (*f as f64 - posted as f64) / 1000.0)),
            after(returned, &pflip),
        );
    }

    for c in consoles {
        c.b.quit().await;
    }
}

/// Requests per minute of a connected console whose only job has ended, visible and hidden.
async fn idle(dists: &[PathBuf]) {
    let wv = Weaviate::start(Options { name: "bench-idle".into(), ..Default::default() });
    let rest = wv.rest();
    rest.create_collection("Article");
    rest.insert_objects("Article", 10);
    let proxy = Proxy::start(&wv.url);
    let create = form_xpath("Create backup");
    println!("\n### Idle connected console (its backup ended)\n\n| console | tab | requests per minute |\n|---|---|---:|");
    for (i, dist) in dists.iter().enumerate() {
        let site = StaticServer::start(dist, "/");
        let b = browser().await;
        b.follow_link(&format!("{}?weaviate={}", site.url, proxy.url)).await;
        b.wait_for(&create, Duration::from_secs(30)).await;
        let id = format!("idle-{i}");
        b.fill(&create, "Backup ID", &id).await;
        b.click_button(&create, "Start backup").await;
        b.wait_job_status(&format!("backup:filesystem:{id}"), &["SUCCESS"], Duration::from_secs(90)).await;
        for (tab, hide) in [("visible", false), ("hidden", true)] {
            js(&b, &format!("window.__setHidden({hide}); return 0")).await;
            tokio::time::sleep(Duration::from_secs(2)).await;
            let before = proxy.seen().len();
            tokio::time::sleep(Duration::from_secs(60)).await;
            println!("| {} | {tab} | {} |", dist.display(), proxy.seen().len() - before);
        }
        b.quit().await;
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let mut dists: Vec<PathBuf> = args.windows(2).filter(|w| w[0] == "--dist").map(|w| PathBuf::from(&w[1])).collect();
    if dists.is_empty() {
        dists.push(repo_root().join("dist"));
    }
    for d in &dists {
        assert!(d.join("index.html").exists(), "{} has no build", d.display());
    }
    let only = arg("--only").unwrap_or_else(|| "load,poll,idle,scale,leak,policies".into());
    let wants = |s: &str| only.split(',').any(|o| o == s);
    for dist in &dists {
        println!("\n## Backup Console benchmark: {}", dist.display());
        if wants("load") {
            first_load(dist).await;
        }
        if wants("scale") {
            scale(dist).await;
        }
        if wants("leak") {
            leak(dist).await;
        }
        if wants("policies") {
            policies(dist).await;
        }
    }
    if wants("poll") {
        polling(&dists).await;
    }
    if wants("idle") {
        idle(&dists).await;
    }
}
