//! The release bundle's dashboard is its own wasm chunk (src/dashboard.rs): the first load
//! carries the connection form alone, the chunk comes at Connect, and a failed fetch of it says
//! so on screen and recovers with "Try again".

mod common;

use std::time::Duration;

use common::{console, weaviate};
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

#[tokio::test]
async fn dashboard_chunk_comes_at_connect_and_a_failed_fetch_can_be_retried() {
    assert!(repo_root().join("dist").join(CHUNK).is_file(), "the release build has no {CHUNK}: is wasm-split-cli installed?");
    let (wv, _rest) = weaviate("split", &[("Article", 3)]);
    let site = console();
    let b = Browser::start().await;

    b.goto(&site.url).await;
    let connect = "//form[.//label[normalize-space()='Weaviate URL']]";
    b.wait_for(connect, Duration::from_secs(30)).await;
    // Interactive without it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(b.requests_to(CHUNK).await, 0, "the dashboard chunk is not part of the first load");

    block_chunk(&b, true).await;
    b.fill(connect, "Weaviate URL", &wv.url).await;
    b.click_button(connect, "Connect").await;
    let alert = b.alert_containing("//main", "could not be loaded", Duration::from_secs(30)).await;
    assert!(alert.contains("Try again"), "the alert offers a retry: {alert}");

    block_chunk(&b, false).await;
    b.click_button("//section[@role='alert']", "Try again").await;
    b.wait_for(&form_xpath("Create backup"), Duration::from_secs(30)).await;
    b.wait_for("//table[caption[normalize-space()='Jobs']]", Duration::from_secs(10)).await;
    assert!(!b.body_text().await.contains("could not be loaded"), "the alert is gone once the chunk is in");
    // Fetched by content hash, so no cache can hand this main module another build's chunk.
    let urls = b.driver.execute("return performance.getEntriesByType('resource').map(e => e.name)", vec![]).await.unwrap();
    let urls: Vec<String> = serde_json::from_value(urls.json().clone()).unwrap();
    assert!(urls.iter().any(|u| u.contains(&format!("{CHUNK}?v="))), "the chunk's URL is versioned: {urls:?}");
    b.quit().await;
}
