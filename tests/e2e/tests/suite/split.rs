//! The release bundle's dashboard is its own wasm chunk (src/dashboard.rs): the first load
//! carries the connection form alone, the chunk is fetched once that form is on screen, and a
//! failed fetch of it says so and recovers with "Try again".


use std::time::Duration;

use crate::common::{console, weaviate};
use e2e::browser::{form_xpath, Browser};
use e2e::repo_root;
use serde_json::json;

const CHUNK: &str = "split_dashboard.wasm";

async fn block_chunk(b: &Browser, blocked: bool) {
    let cdp = b.driver.cdp();
    cdp.send_raw("Network.enable", json!({})).await.expect("Network.enable");
    let urls = if blocked { vec![format!("*{CHUNK}*")] } else { vec![] };
    cdp.send_raw("Network.setBlockedURLs", json!({ "urls": urls })).await.expect("Network.setBlockedURLs");
}

/// Records when the "Connect" button first appeared (performance.now()).
const INTERACTIVE: &str = r#"
window.__tti = null;
new MutationObserver(() => {
  if (window.__tti === null && [...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'Connect'))
    window.__tti = performance.now();
}).observe(document, { subtree: true, childList: true });
"#;

#[tokio::test]
async fn dashboard_chunk_comes_after_the_first_screen_and_a_failed_fetch_can_be_retried() {
    assert!(repo_root().join("dist").join(CHUNK).is_file(), "the release build has no {CHUNK}: is wasm-split-cli installed?");
    let (wv, _rest) = weaviate("split", &[("Article", 3)]);
    let site = console();
    let b = Browser::start().await;
    b.add_init_script(INTERACTIVE).await;
    let connect = "//form[.//label[normalize-space()='Weaviate URL']]";

    // Asked for only once the connection form is on screen; fetched by content hash, so no
    // cache can hand this main module another build's chunk.
    b.goto(&site.url).await;
    b.wait_for(connect, Duration::from_secs(30)).await;
    let chunk = format!("return performance.getEntriesByType('resource').find(e => e.name.includes('{CHUNK}'))");
    let mut entry = serde_json::Value::Null;
    for _ in 0..100 {
        entry = b.driver.execute(&format!("{chunk} || null"), vec![]).await.unwrap().json().clone();
        if !entry.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tti = b.driver.execute("return window.__tti", vec![]).await.unwrap().json().as_f64().expect("Connect appeared");
    let started = entry["startTime"].as_f64().unwrap_or_else(|| panic!("the chunk was fetched: {entry}"));
    assert!(started > tti, "the chunk is not part of the first load: asked for at {started} ms, interactive at {tti} ms");
    assert!(entry["name"].as_str().unwrap().contains(&format!("{CHUNK}?v=")), "the chunk's URL is versioned: {entry}");

    // Unreachable: the connection form still works, the alert says what is missing, and
    // "Try again" brings the dashboard once the chunk can be fetched.
    block_chunk(&b, true).await;
    b.goto(&site.url).await;
    let alert = b.alert_containing("//main", "could not be loaded", Duration::from_secs(30)).await;
    assert!(alert.contains("Try again"), "the alert offers a retry: {alert}");
    b.fill(connect, "Weaviate URL", &wv.url).await;
    b.click_button(connect, "Connect").await;
    b.wait_for("//*[normalize-space()='Change server']", Duration::from_secs(30)).await;
    block_chunk(&b, false).await;
    b.click_button("//section[@role='alert']", "Try again").await;
    b.wait_for(&form_xpath("Create backup"), Duration::from_secs(30)).await;
    b.wait_for("//table[caption[normalize-space()='Jobs']]", Duration::from_secs(10)).await;
    assert!(!b.body_text().await.contains("could not be loaded"), "the alert is gone once the chunk is in");
    b.quit().await;
}
