//! Embedded in a hosted dashboard, and the comforts: iframe + postMessage from another origin,
//! a sub-path deployment, the mount API, deep links, copy as curl (run for real),
//! accessibility (axe-core, keyboard only).


use std::time::Duration;

use crate::common::{axe, console, dist, open, weaviate, DONE, LONG};
use e2e::browser::{form_xpath, Browser};
use e2e::repo_root;
use e2e::static_server::{StaticOptions, StaticServer};
use thirtyfour::prelude::*;


const DEMO: &[(&str, usize)] = &[("Article", 10), ("Author", 3)];

fn examples() -> std::path::PathBuf {
    repo_root().join("examples")
}

/// The console as a deployment that lets `host` embed it (config.json's allow-list), with the
/// examples beside it (the mount-API page must share the bundle's origin).
fn console_for_host(host: &StaticServer) -> StaticServer {
    let config = serde_json::json!({ "allowedOrigins": [host.url.trim_end_matches('/')] }).to_string();
    StaticServer::start_with(
        &dist(),
        "/",
        StaticOptions {
            files: vec![("/config.json".into(), config.into_bytes(), "application/json".into())],
            mounts: vec![("/examples/".into(), examples())],
            ..Default::default()
        },
    )
}

async fn host_events(b: &Browser) -> Vec<String> {
    let items = b.driver.find_all(By::Css("#events li")).await.unwrap();
    let mut out = vec![];
    for i in items {
        out.push(i.text().await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn host_page_embeds_the_console_from_another_origin() {
    let (wv, rest) = weaviate("emb-host", DEMO);
    let host = StaticServer::start(&examples(), "/");
    let site = console_for_host(&host);
    let b = Browser::start().await;
    b.goto(&format!("{}?theme=dark", host.host_page(&site.url, &wv.url))).await;
    b.wait_for("//li[@data-type='ready']", Duration::from_secs(30)).await;

    let frame = b.driver.find(By::Id("console")).await.unwrap();
    frame.clone().enter_frame().await.unwrap();
    let create = form_xpath("Create backup");
    b.wait_for(&create, Duration::from_secs(30)).await;
    // The host's theme arrived with its config.
    let theme = b.driver.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap();
    assert_eq!(theme.json(), "dark");
    b.fill(&create, "Backup ID", "from-host").await;
    b.click_button(&create, "Start backup").await;
    assert_eq!(b.wait_job_status("backup:filesystem:from-host", &DONE, LONG).await, "SUCCESS");
    b.driver.enter_default_frame().await.unwrap();

    b.wait_for("//li[@data-type='job-finished']", Duration::from_secs(15)).await;
    let events = host_events(&b).await;
    let started = events.iter().position(|e| e == "job-started backup from-host STARTED").expect("job-started");
    let finished = events.iter().position(|e| e == "job-finished backup from-host SUCCESS").expect("job-finished");
    assert!(started < finished, "{events:?}");
    assert!(events.iter().all(|e| !e.contains("Bearer")), "{events:?}");
    // The console's height messages resized the iframe.
    let height = frame.css_value("height").await.unwrap();
    let px: f64 = height.trim_end_matches("px").parse().unwrap();
    assert!(px > 700.0, "iframe height {height}");

    // A later config message (a rotated key, a new theme) updates the running console.
    b.driver
        .execute(
            "document.getElementById('console').contentWindow.postMessage({type: 'config', config: {theme: 'light'}}, arguments[0]);",
            vec![serde_json::json!(site.url.trim_end_matches('/'))],
        )
        .await
        .unwrap();
    frame.clone().enter_frame().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let theme = b.driver.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap();
        if theme.json() == "light" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "config update not applied: {:?}", theme.json());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.wait_for(&create, Duration::from_secs(5)).await;
    b.driver.enter_default_frame().await.unwrap();
    assert_eq!(rest.wait_backup("filesystem", "from-host", LONG)["status"], "SUCCESS");

    assert_eq!(host_events(&b).await.iter().filter(|e| *e == "ready").count(), 1, "ready once per load");

    // A trap (what any panic becomes) leaves the stopped page, and the host hears it once.
    frame.clone().enter_frame().await.unwrap();
    // Both ways a trap reaches the page: an uncaught error (a callback) and a rejected promise
    // (a future). Injected, because the console has no way left to panic on purpose.
    let trap = "dispatchEvent(new ErrorEvent('error', { error: new WebAssembly.RuntimeError('unreachable') }));
                Promise.reject(new WebAssembly.RuntimeError('unreachable'));";
    b.driver.execute(trap, vec![]).await.unwrap();
    b.wait_for("//*[@role='alert'][contains(., 'The console stopped — reload')]", Duration::from_secs(5)).await;
    assert!(b.driver.find(By::XPath("//a[.='Reload the console']")).await.is_ok());
    b.driver.enter_default_frame().await.unwrap();
    b.wait_for("//li[@data-type='stopped']", Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(b.driver.find_all(By::XPath("//li[@data-type='stopped']")).await.unwrap().len(), 1, "stopped once");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sub_path_deployment_and_mount_api() {
    let (wv, _rest) = weaviate("emb-paths", DEMO);
    let b = Browser::start().await;

    // The same release bundle under /admin/backups/.
    let sub = StaticServer::start(&dist(), "/admin/backups/");
    b.follow_link(&format!("{}?weaviate={}", sub.url, wv.url)).await;
    let create = form_xpath("Create backup");
    b.wait_for(&create, Duration::from_secs(30)).await;
    b.fill(&create, "Backup ID", "under-subpath").await;
    b.click_button(&create, "Start backup").await;
    assert_eq!(b.wait_job_status("backup:filesystem:under-subpath", &DONE, LONG).await, "SUCCESS");

    // Read-only mode: the table, no forms and no Cancel.
    b.follow_link(&format!("{}?weaviate={}&readOnly=true", sub.url, wv.url)).await;
    b.wait_for("//tr[@data-job='backup:filesystem:under-subpath']", Duration::from_secs(30)).await;
    assert!(b.driver.find(By::XPath(&create)).await.is_err());
    assert!(b.driver.find(By::XPath(form_xpath("Restore backup"))).await.is_err());

    // The mount API: a plain page mounts the console into a <div>.
    let site = console_for_host(&sub);
    b.goto(&format!("{}examples/mount.html?weaviate={}", site.url, wv.url)).await;
    let slot_create = format!("//div[@id='console-slot']{create}");
    b.wait_for(&slot_create, Duration::from_secs(30)).await;
    b.fill(&slot_create, "Backup ID", "mounted").await;
    b.click_button(&slot_create, "Start backup").await;
    assert_eq!(b.wait_job_status("backup:filesystem:mounted", &DONE, LONG).await, "SUCCESS");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deep_links_and_copy_as_curl() {
    let (wv, rest) = weaviate("emb-links", DEMO);
    let site = console();
    let b = Browser::start().await;
    let base = format!("{}?weaviate={}", site.url, wv.url);
    let create = open(&b, &site.url, &wv.url).await;
    b.fill(&create, "Backup ID", "linked").await;
    b.fill(&create, "Include collections", "Article").await;
    b.click_button(&create, "Start backup").await;
    let job = "backup:filesystem:linked";
    assert_eq!(b.wait_job_status(job, &DONE, LONG).await, "SUCCESS");

    // A deep link opens the job (after a fresh load).
    b.goto(&format!("{base}#/jobs/backup/filesystem/linked")).await;
    b.driver.refresh().await.unwrap();
    let row = b.wait_for(&format!("//tr[@data-job='{job}' and @aria-current='true']"), Duration::from_secs(30)).await;
    assert!(row.is_displayed().await.unwrap());
    // …and one pre-fills the restore form; back returns to the job link.
    b.goto(&format!("{base}#/restore/filesystem/linked")).await;
    let restore = form_xpath("Restore backup");
    let id = b.field(&restore, "Backup ID").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while id.prop("value").await.unwrap().as_deref() != Some("linked") {
        assert!(std::time::Instant::now() < deadline, "restore form not pre-filled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.driver.back().await.unwrap();
    b.wait_for(&format!("//tr[@data-job='{job}' and @aria-current='true']"), Duration::from_secs(10)).await;

    // Copy as curl: the exact request; run it (with a new id) against the real server.
    let summary = b.wait_for(&format!("//tr[@data-job='{job}']//details[@class='request']/summary"), Duration::from_secs(5)).await;
    summary.click().await.unwrap();
    let curl = b.wait_for(&format!("//tr[@data-job='{job}']//pre[@data-snippet='curl']"), Duration::from_secs(5)).await;
    let curl = curl.text().await.unwrap();
    assert!(curl.contains("'{\"id\":\"linked\",\"include\":[\"Article\"]}'"), "{curl}");
    assert!(!curl.contains("Authorization"), "no key, no header: {curl}");
    let python = b.driver.find(By::XPath(format!("//tr[@data-job='{job}']//pre[@data-snippet='python']"))).await.unwrap();
    assert!(python.text().await.unwrap().contains("requests.request("));
    let rerun = curl.replace("\"linked\"", "\"linked-by-curl\"");
    let out = std::process::Command::new("bash").arg("-c").arg(&rerun).output().unwrap();
    let answer = String::from_utf8_lossy(&out.stdout);
    assert!(answer.contains("\"status\":\"STARTED\""), "curl said: {answer} {}", String::from_utf8_lossy(&out.stderr));
    let done = rest.wait_backup("filesystem", "linked-by-curl", LONG);
    assert_eq!(done["status"], "SUCCESS");

    // Coverage: Article is in a successful backup, Author in none.
    let covered = b.driver.find(By::Css("tr[data-collection='Article']")).await.unwrap();
    assert_eq!(covered.attr("data-covered").await.unwrap().as_deref(), Some("true"));
    assert!(covered.text().await.unwrap().contains("linked"));
    let gap = b.driver.find(By::Css("tr[data-collection='Author']")).await.unwrap();
    assert!(gap.text().await.unwrap().contains("In no backup"));

    // Export links carry the table.
    let csv = b.driver.find(By::XPath("//a[normalize-space()='Export CSV']")).await.unwrap();
    let href = csv.attr("href").await.unwrap().unwrap();
    assert!(href.starts_with("data:text/csv") && href.contains("linked"), "{href}");
    let json = b.driver.find(By::XPath("//a[normalize-space()='Export JSON']")).await.unwrap();
    let href = json.attr("href").await.unwrap().unwrap();
    assert!(href.starts_with("data:application/json") && href.contains("linked"), "{href}");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn accessible_and_keyboard_only() {
    let (wv, _rest) = weaviate("emb-a11y", DEMO);
    let site = console();
    let b = Browser::start().await;
    let create = form_xpath("Create backup");

    // The check can fail: an image without a text alternative is reported.
    b.follow_link(&format!("{}?weaviate={}", site.url, wv.url)).await;
    b.wait_for(&create, Duration::from_secs(30)).await;
    b.driver.execute("document.body.append(document.createElement('img'))", vec![]).await.unwrap();
    let found = axe(&b).await;
    assert!(found.iter().any(|v| v.starts_with("image-alt")), "{found:?}");

    for theme in ["light", "dark"] {
        b.follow_link(&format!("{}?weaviate={}&theme={theme}", site.url, wv.url)).await;
        b.wait_for(&create, Duration::from_secs(30)).await;
        assert_eq!(axe(&b).await, Vec::<String>::new(), "main view, {theme}");
    }

    // Keyboard only: Tab to the Backup ID field, type, Tab to "Start backup", Enter.
    async fn tab_to(b: &Browser, pred: &str) {
        for _ in 0..80 {
            let hit = b.driver.execute(&format!("const e = document.activeElement; return !!(e && ({pred}));"), vec![]).await.unwrap();
            if hit.json().as_bool() == Some(true) {
                return;
            }
            b.driver.action_chain().send_keys(Key::Tab).perform().await.unwrap();
        }
        panic!("Tab never reached {pred}");
    }
    open(&b, &site.url, &wv.url).await;
    tab_to(&b, "e.id === 'create-id'").await;
    b.driver.action_chain().send_keys("by-keyboard").perform().await.unwrap();
    tab_to(&b, "e.tagName === 'BUTTON' && e.textContent.trim() === 'Start backup'").await;
    b.driver.action_chain().send_keys(Key::Enter).perform().await.unwrap();
    assert_eq!(b.wait_job_status("backup:filesystem:by-keyboard", &DONE, LONG).await, "SUCCESS");
    assert_eq!(b.driver.title().await.unwrap(), "Weaviate Backup Console", "no running job in the title");

    // A job that ends while the tab is hidden (another tab in front) leaves a toast, and a
    // browser notification once opted in (the Notification API is recorded by a stand-in).
    b.driver
        .execute(
            "window.__notes = []; window.Notification = class { static permission = 'granted';
               static requestPermission() { return Promise.resolve('granted'); }
               constructor(title) { window.__notes.push(title); } };",
            vec![],
        )
        .await
        .unwrap();
    b.field("//body", "Notify me when a job ends while this tab is in the background").await.click().await.unwrap();
    b.fill(&create, "Backup ID", "while-hidden").await;
    b.click_button(&create, "Start backup").await;
    b.wait_job_status("backup:filesystem:while-hidden", &["STARTED"], Duration::from_secs(10)).await;
    assert!(b.driver.title().await.unwrap().starts_with("(1 running)"));
    let console_tab = b.driver.window().await.unwrap();
    let other = b.driver.new_tab().await.unwrap();
    b.driver.switch_to_window(other).await.unwrap();
    b.driver.goto("about:blank").await.unwrap();
    tokio::time::sleep(Duration::from_secs(14)).await;
    b.driver.switch_to_window(console_tab).await.unwrap();
    let toast = b.wait_for("//*[contains(@class,'toast') and contains(., 'while-hidden')]", Duration::from_secs(20)).await;
    assert!(toast.text().await.unwrap().contains("SUCCESS"));
    let notes = b.driver.execute("return window.__notes", vec![]).await.unwrap();
    assert_eq!(notes.json(), &serde_json::json!(["backup while-hidden ended SUCCESS"]));

    // A view with validation errors, light and dark.
    b.fill(&create, "Backup ID", "Bad Id").await;
    b.click_button(&create, "Start backup").await;
    b.alert_containing(&create, "lowercase", Duration::from_secs(5)).await;
    assert_eq!(axe(&b).await, Vec::<String>::new(), "view with errors");
    b.follow_link(&format!("{}?weaviate={}&theme=dark", site.url, wv.url)).await;
    b.wait_for("//tr[@data-job='backup:filesystem:by-keyboard']", Duration::from_secs(30)).await;
    b.quit().await;
}
