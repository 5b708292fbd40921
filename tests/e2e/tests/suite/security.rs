//! Safe to embed: hostile links, frames, servers and pages get nothing. The key stays with its
//! server, only allowed hosts are heard, the release bundle runs under a strict CSP, hostile
//! server data is inert, and a broken config.json stops the console instead of weakening it.


use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::common::{dist, weaviate, DONE, LONG};
use e2e::browser::{form_xpath, Browser, NETWORK_NAME};
use e2e::proxy::Proxy;
use e2e::static_server::{StaticOptions, StaticServer};
use e2e::weaviate::{ApiKey, Options, Weaviate};
use e2e::{free_port, repo_root, wait_until};
use thirtyfour::prelude::*;

const KEY: &str = "admin-key-for-a";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The release bundle with a `config.json` of the test's own (and more options).
fn console_with(config: &str, mut opts: StaticOptions) -> StaticServer {
    opts.files.push(("/config.json".into(), config.as_bytes().to_vec(), "application/json".into()));
    StaticServer::start_with(&dist(), "/", opts)
}

fn keyed_weaviate(name: &str) -> Weaviate {
    let wv = Weaviate::start(Options {
        name: name.into(),
        api_key: Some(ApiKey { key: KEY.into(), user: "admin".into() }),
        ..Default::default()
    });
    let rest = wv.rest();
    rest.create_collection("Article");
    rest.insert_objects("Article", 5);
    wv
}

fn saw_meta(p: &Proxy) -> bool {
    p.seen().iter().any(|s| s.path.starts_with("/v1/meta"))
}

async fn host_events(b: &Browser) -> Vec<String> {
    let mut out = vec![];
    for li in b.driver.find_all(By::Css("#events li")).await.unwrap() {
        out.push(li.text().await.unwrap());
    }
    out
}

async fn post_config_from_host(b: &Browser, console_origin: &str, config: serde_json::Value) {
    b.driver
        .execute(
            "document.getElementById('console').contentWindow.postMessage({type: 'config', config: arguments[1]}, arguments[0]);",
            vec![serde_json::json!(console_origin), config],
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remembered_key_never_follows_a_link_to_another_server() {
    let wv = keyed_weaviate("sec-link");
    // Its own origin: the page sees another server, the proxy records what reaches it.
    let recorder = Proxy::start(&wv.url);
    let site = StaticServer::start(&dist(), "/");
    let b = Browser::start().await;

    b.goto(&site.url).await;
    let conn = form_xpath("Connection");
    b.fill(&conn, "Weaviate URL", &wv.url).await;
    b.fill(&conn, "API key", KEY).await;
    b.driver.find(By::Id("remember-key")).await.unwrap().click().await.unwrap();
    b.click_button(&conn, "Connect").await;
    b.wait_for(&form_xpath("Create backup"), CONNECT_TIMEOUT).await;
    let stored = b.driver.execute("return sessionStorage.getItem('backup-console.api-key')", vec![]).await.unwrap();
    let stored = stored.json().as_str().unwrap_or_default().to_string();
    assert!(stored.contains(KEY) && stored.contains(&wv.url), "the key is remembered with its server: {stored}");

    // A link to the same console naming another server, opened in the same tab: offered, not
    // connected to. Nothing reaches that server until the admin presses Connect.
    b.goto(&format!("{}?weaviate={}", site.url, recorder.url)).await;
    let there = recorder.url.trim_start_matches("http://");
    b.wait_for(&format!("{conn}//*[@role='status' and normalize-space()='Connect to http://{there} (from a link)?']"), CONNECT_TIMEOUT).await;
    assert_eq!(b.field(&conn, "Weaviate URL").await.prop("value").await.unwrap().as_deref(), Some(recorder.url.as_str()));
    let note = b.body_text().await;
    assert!(note.contains("it is not sent to"), "the form says why no key would be sent:\n{note}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(recorder.seen().is_empty(), "a link made the console call its server: {:?}", recorder.seen());

    // Confirmed: the other server is asked, without the key, and what it says is shown as its
    // words, not the console's.
    b.click_button(&conn, "Connect").await;
    wait_until(CONNECT_TIMEOUT, "the console asks the other server", || saw_meta(&recorder));
    let alert = b.alert_containing(&conn, "401", CONNECT_TIMEOUT).await;
    assert!(alert.starts_with(&format!("HTTP 401: {there} said: \"anonymous access not enabled")), "{alert}");
    assert!(recorder.authorization_seen().is_empty(), "no Authorization reached the other server: {:?}", recorder.authorization_seen());

    // Back on its own server (a link again, confirmed again), the remembered key is used.
    b.follow_link(&format!("{}?weaviate={}", site.url, wv.url)).await;
    b.wait_for(&form_xpath("Create backup"), CONNECT_TIMEOUT).await;
    assert!(recorder.authorization_seen().is_empty());
    b.quit().await;
}

/// A server that answers every request with `307` to `to` (same path), with the CORS headers
/// a gateway in front of Weaviate would add: what a moved server, or a hostile one, sends.
fn redirecting_server(to: &str) -> (String, Arc<tiny_http::Server>, Arc<std::sync::Mutex<Vec<String>>>) {
    let port = free_port();
    let server = Arc::new(tiny_http::Server::http(("127.0.0.1", port)).unwrap());
    let asked = Arc::new(std::sync::Mutex::new(vec![]));
    let (s, log, to) = (server.clone(), asked.clone(), to.to_string());
    thread::spawn(move || {
        for req in s.incoming_requests() {
            log.lock().unwrap().push(format!("{} {}", req.method(), req.url()));
            let mut resp = tiny_http::Response::empty(307);
            for (k, v) in [
                ("Location", format!("{to}{}", req.url())),
                ("Access-Control-Allow-Origin", "*".into()),
                ("Access-Control-Allow-Methods", "*".into()),
                ("Access-Control-Allow-Headers", "Content-Type, Authorization".into()),
            ] {
                resp = resp.with_header(tiny_http::Header::from_bytes(k, v.as_bytes()).unwrap());
            }
            let _ = req.respond(resp);
        }
    });
    (format!("http://127.0.0.1:{port}"), server, asked)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_is_refused_and_the_other_server_gets_nothing() {
    let (wv, _rest) = weaviate("sec-redirect", &[("Article", 3)]);
    // The other origin a redirect points at: a real Weaviate behind a recorder.
    let elsewhere = Proxy::start(&wv.url);
    let (moved, server, asked) = redirecting_server(&elsewhere.url);
    let site = StaticServer::start(&dist(), "/");
    let b = Browser::start().await;
    let conn = form_xpath("Connection");

    b.follow_link(&format!("{}?weaviate={moved}", site.url)).await;
    let alert = b.alert_containing(&conn, "redirect", CONNECT_TIMEOUT).await;
    assert!(alert.contains("the server answered with a redirect; use the final URL"), "{alert}");
    assert!(alert.contains("nothing was sent where it points"), "{alert}");
    assert!(asked.lock().unwrap().iter().any(|r| r.starts_with("GET /v1/meta")), "{:?}", asked.lock().unwrap());

    // With a key (a preflighted request) the same: refused, nothing goes on.
    b.fill(&conn, "API key", KEY).await;
    b.click_button(&conn, "Connect").await;
    wait_until(CONNECT_TIMEOUT, "the redirecting server is asked again", || asked.lock().unwrap().len() >= 2);
    b.wait_for(&format!("{conn}//*[@role='alert']"), CONNECT_TIMEOUT).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(elsewhere.seen().is_empty(), "a redirect was followed to another origin: {:?}", elsewhere.seen());
    assert!(b.driver.find(By::XPath(form_xpath("Create backup"))).await.is_err(), "connected through a redirect");
    server.unblock();
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_over_plain_http_to_another_machine_needs_a_yes_first() {
    let wv = keyed_weaviate("sec-http");
    let recorder = Proxy::start(&wv.url);
    let port = recorder.url.rsplit(':').next().unwrap();
    // Resolves to the recorder for this browser, but is no loopback name to the console.
    let remote = format!("http://{NETWORK_NAME}:{port}");
    let site = StaticServer::start(&dist(), "/");
    let b = Browser::start().await;
    let conn = form_xpath("Connection");
    let ack = format!("Send the key unencrypted to {remote}");

    b.goto(&site.url).await;
    b.fill(&conn, "Weaviate URL", &remote).await;
    b.fill(&conn, "API key", KEY).await;
    // Asked before anything is sent, and Connect without the tick sends nothing either.
    let tick = b.field(&conn, &ack).await;
    assert!(tick.is_displayed().await.unwrap() && !tick.is_selected().await.unwrap());
    b.click_button(&conn, "Connect").await;
    let why = b.alert_containing(&conn, "unencrypted", Duration::from_secs(10)).await;
    assert!(why.contains(&ack) && why.contains("https"), "{why}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(recorder.seen().is_empty(), "sent before the admin agreed: {:?}", recorder.seen());

    // Ticked: the key goes there.
    tick.click().await.unwrap();
    b.click_button(&conn, "Connect").await;
    b.wait_for(&form_xpath("Create backup"), CONNECT_TIMEOUT).await;
    assert!(!recorder.authorization_seen().is_empty(), "the key went to the server once agreed");

    // Loopback is this machine: no question. Nor without a key.
    b.click_button("//body", "Change server").await;
    b.fill(&conn, "Weaviate URL", &recorder.url).await;
    assert!(b.driver.find(By::XPath(format!("{conn}//label[starts-with(., 'Send the key unencrypted')]"))).await.is_err());
    b.fill(&conn, "Weaviate URL", &remote).await;
    b.fill(&conn, "API key", "").await;
    assert!(b.driver.find(By::XPath(format!("{conn}//label[starts-with(., 'Send the key unencrypted')]"))).await.is_err());
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hosts_change_only_what_they_may_and_foreign_frames_get_nothing() {
    let wv = keyed_weaviate("sec-host");
    let own = Proxy::start(&wv.url);
    let other = Proxy::start(&wv.url);
    let host = StaticServer::start(&repo_root().join("examples"), "/");
    let host_origin = host.url.trim_end_matches('/').to_string();
    let site = console_with(&format!(r#"{{"allowedOrigins":["{host_origin}"]}}"#), StaticOptions::default());
    let console_origin = site.url.trim_end_matches('/').to_string();
    let b = Browser::start().await;

    // The allowed host names its server; the admin gives the key in the host page's field,
    // which sends it by postMessage.
    b.goto(&host.host_page(&site.url, &own.url)).await;
    b.wait_for("//li[@data-type='ready']", CONNECT_TIMEOUT).await;
    b.driver.find(By::Id("key")).await.unwrap().send_keys(KEY).await.unwrap();
    b.driver.find(By::XPath("//form[@id='key-form']//button")).await.unwrap().click().await.unwrap();
    let frame = b.driver.find(By::Id("console")).await.unwrap();
    frame.clone().enter_frame().await.unwrap();
    b.wait_for(&form_xpath("Create backup"), CONNECT_TIMEOUT).await;
    b.driver.enter_default_frame().await.unwrap();
    assert!(!own.authorization_seen().is_empty(), "the key went to the server it was given for");
    assert_eq!(host_events(&b).await.iter().filter(|e| *e == "ready").count(), 1, "ready once");

    // (b) The host names another server without a key: nothing of the key goes there.
    post_config_from_host(&b, &console_origin, serde_json::json!({ "weaviateUrl": other.url })).await;
    wait_until(CONNECT_TIMEOUT, "the console asks the other server", || saw_meta(&other));
    frame.clone().enter_frame().await.unwrap();
    b.alert_containing(&form_xpath("Connection"), "401", CONNECT_TIMEOUT).await;
    b.driver.enter_default_frame().await.unwrap();
    assert!(other.authorization_seen().is_empty(), "{:?}", other.authorization_seen());

    // (c) A page whose origin is not on config.json's list frames the same console and names
    // itself with ?hostOrigin= (host.html does): no event reaches it, its config is ignored.
    let foreign = StaticServer::start(&repo_root().join("examples"), "/");
    let target = Proxy::start(&wv.url);
    b.goto(&foreign.host_page(&site.url, &target.url)).await;
    let frame = b.wait_for("//iframe[@id='console']", CONNECT_TIMEOUT).await;
    frame.clone().enter_frame().await.unwrap();
    b.wait_for(&form_xpath("Connection"), CONNECT_TIMEOUT).await;
    b.driver.enter_default_frame().await.unwrap();
    post_config_from_host(&b, &console_origin, serde_json::json!({ "weaviateUrl": target.url, "readOnly": false })).await;
    // The allowed host's message took effect in well under this; the foreign one never does.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(target.seen().is_empty(), "a foreign framer pointed the console somewhere: {:?}", target.seen());
    assert!(host_events(&b).await.is_empty(), "nothing posted to a foreign origin");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_release_bundle_runs_a_backup_under_a_strict_csp() {
    let (wv, rest) = weaviate("sec-csp", &[("Article", 10)]);
    let csp = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self' {}; \
         img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        wv.url
    );
    let headers = vec![
        ("Content-Security-Policy".to_string(), csp),
        ("X-Content-Type-Options".to_string(), "nosniff".to_string()),
        ("Referrer-Policy".to_string(), "no-referrer".to_string()),
    ];
    let site = console_with(r##"{"themeVars":{"--bc-accent":"#7a3cff"}}"##, StaticOptions { headers, ..Default::default() });
    let b = Browser::start().await;
    b.follow_link(&format!("{}?weaviate={}&theme=dark", site.url, wv.url)).await;
    let create = form_xpath("Create backup");
    b.wait_for(&create, CONNECT_TIMEOUT).await;
    b.fill(&create, "Backup ID", "under-csp").await;
    b.click_button(&create, "Start backup").await;
    assert_eq!(b.wait_job_status("backup:filesystem:under-csp", &DONE, LONG).await, "SUCCESS");
    assert_eq!(rest.wait_backup("filesystem", "under-csp", LONG)["status"], "SUCCESS");
    // The theme variables arrived through CSSOM, which the policy allows.
    let accent = b
        .driver
        .execute("return getComputedStyle(document.documentElement).getPropertyValue('--bc-accent').trim()", vec![])
        .await
        .unwrap();
    assert_eq!(accent.json(), "#7a3cff");
    assert_eq!(b.csp_violations().await, Vec::<String>::new());

    // Negative control: the recorder does see a violation when there is one.
    b.driver
        .execute("const s = document.createElement('style'); s.textContent = 'p {}'; document.head.append(s);", vec![])
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while b.csp_violations().await.is_empty() {
        assert!(std::time::Instant::now() < deadline, "an inline <style> was not reported");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.quit().await;
}

/// A server that answers like Weaviate 1.39 but lists hostile backups: what a compromised or
/// buggy server, or a proxy in the middle, could send.
fn hostile_server() -> (String, Arc<tiny_http::Server>) {
    let port = free_port();
    let server = Arc::new(tiny_http::Server::http(("127.0.0.1", port)).unwrap());
    let s = server.clone();
    let list = serde_json::json!([
        {"id": "nonascii-time", "status": "SUCCESS", "classes": ["Article"],
         "startedAt": "2026-01-01T00:00:00.12éZ", "completedAt": "99999-99-99T99:99:99Z", "size": 1e308},
        {"id": "negative-size", "status": "FAILED", "classes": ["<img src=x onerror=window.__xss=1>"],
         "startedAt": "-1", "completedAt": "0001-01-01T00:00:00Z", "size": -1},
        {"id": "html-everywhere", "status": "<b onmouseover=window.__xss=2>SUCCESS</b>",
         "classes": ["=HYPERLINK(\"http://evil\")", "<script>window.__xss=3</script>"],
         "startedAt": "2026-02-30T25:61:61.999999999999Z", "size": 0},
        {"id": "<img src=x onerror=window.__xss=4>", "status": "EXPLODING", "classes": [], "startedAt": "", "size": 1.5e-300},
    ]);
    thread::spawn(move || {
        for req in s.incoming_requests() {
            let path = req.url().split('?').next().unwrap_or_default().to_string();
            let body = match path.as_str() {
                "/v1/meta" => serde_json::json!({"version": "1.39.0", "modules": {"backup-filesystem": {}}}),
                "/v1/schema" => serde_json::json!({"classes": [{"class": "Article"}]}),
                "/v1/nodes" => serde_json::json!({"nodes": [{"name": "node1"}]}),
                "/v1/backups/filesystem" => list.clone(),
                _ => serde_json::json!({"error": [{"message": "<i>not here</i>"}]}),
            };
            let status = if req.method().as_str() == "OPTIONS" || body.get("error").is_none() { 200 } else { 404 };
            let mut resp = tiny_http::Response::from_string(body.to_string()).with_status_code(status);
            for (k, v) in [
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "*"),
                ("Access-Control-Allow-Headers", "Content-Type, Authorization"),
                ("Content-Type", "application/json"),
            ] {
                resp = resp.with_header(tiny_http::Header::from_bytes(k, v).unwrap());
            }
            let _ = req.respond(resp);
        }
    });
    (format!("http://127.0.0.1:{port}"), server)
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_server_data_renders_inert_and_the_console_stays_usable() {
    let (url, server) = hostile_server();
    let site = StaticServer::start(&dist(), "/");
    let b = Browser::start().await;
    b.follow_link(&format!("{}?weaviate={}", site.url, url)).await;
    let create = form_xpath("Create backup");
    b.wait_for(&create, CONNECT_TIMEOUT).await;
    for id in ["nonascii-time", "negative-size", "html-everywhere"] {
        b.wait_for(&format!("//tr[@data-job='backup:filesystem:{id}']"), CONNECT_TIMEOUT).await;
    }
    // Shown as text, exactly as sent.
    assert_eq!(b.job_cell("backup:filesystem:html-everywhere", "status").await.as_deref(), Some("<b onmouseover=window.__xss=2>SUCCESS</b>"));
    let body = b.body_text().await;
    assert!(body.contains("<img src=x onerror=window.__xss=1>"), "{body}");
    assert!(!body.contains("The console stopped"), "{body}");
    // Still usable: the form takes input and validates it.
    b.fill(&create, "Backup ID", "Not Valid").await;
    b.click_button(&create, "Start backup").await;
    b.alert_containing(&create, "lowercase", Duration::from_secs(10)).await;
    let xss = b.driver.execute("return window.__xss === undefined", vec![]).await.unwrap();
    assert_eq!(xss.json(), true, "no script from server data ran");
    assert_eq!(b.driver.find_all(By::Css("table img, table script, table b")).await.unwrap().len(), 0);
    server.unblock();
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn config_json_fails_closed_without_false_alarms() {
    let (wv, _rest) = weaviate("sec-config", &[("Article", 3)]);
    let recorder = Proxy::start(&wv.url);
    let b = Browser::start().await;

    // Present but invalid (a misspelt key): the console stops and sends nothing.
    let broken = console_with(r#"{"readonly": true}"#, StaticOptions::default());
    b.goto(&format!("{}?weaviate={}", broken.url, recorder.url)).await;
    let alert = b.wait_for("//*[@role='alert' and contains(., 'configuration is invalid')]", CONNECT_TIMEOUT).await;
    assert!(alert.text().await.unwrap().contains("readonly"));
    assert!(b.driver.find(By::XPath(form_xpath("Connection"))).await.is_err());
    // A wildcard allow-list is refused the same way.
    let star = console_with(r#"{"allowedOrigins": ["*"]}"#, StaticOptions::default());
    b.goto(&format!("{}?weaviate={}", star.url, recorder.url)).await;
    b.wait_for("//*[@role='alert' and contains(., 'allowedOrigins')]", CONNECT_TIMEOUT).await;
    assert!(recorder.seen().is_empty(), "nothing sent on an invalid configuration: {:?}", recorder.seen());

    // Absent behind a single-page-app fallback (config.json answers index.html): no notice.
    let spa = StaticServer::start_with(&dist(), "/", StaticOptions { spa_fallback: true, ..Default::default() });
    b.follow_link(&format!("{}?weaviate={}", spa.url, wv.url)).await;
    b.wait_for(&form_xpath("Create backup"), CONNECT_TIMEOUT).await;
    assert!(spa.requests().iter().any(|r| r.starts_with("/config.json")));
    let body = b.body_text().await;
    assert!(!body.contains("config.json") && !body.contains("configuration"), "a false alarm:\n{body}");
    b.quit().await;
}

#[test]
fn the_bundle_has_no_examples_and_no_inline_code() {
    let dist = dist();
    assert!(dist.join("index.html").exists(), "build first");
    assert!(!dist.join("examples").exists(), "dist/ must not ship examples/");
    let html = std::fs::read_to_string(dist.join("index.html")).unwrap();
    let mut rest = html.as_str();
    while let Some(i) = rest.find("<script") {
        let tag_end = rest[i..].find('>').unwrap() + i;
        let tag = &rest[i..tag_end];
        assert!(tag.contains("src="), "inline script in index.html: {tag}");
        let close = rest[tag_end..].find("</script>").unwrap() + tag_end;
        assert!(rest[tag_end + 1..close].trim().is_empty(), "a script with a src has no body");
        rest = &rest[close..];
    }
    assert!(!html.contains("<style"), "inline style in index.html");
    assert!(!html.contains(" style="), "style attribute in index.html");
}
