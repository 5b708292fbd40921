//! Beyond create/restore: list and reconcile, cancel, options, custom paths, version gating,
//! ambiguous submits. Real Weaviate, release bundle, headless Chromium.


use std::time::Duration;

use crate::common::{console, open, open_advanced, slow_collection, start_restore, weaviate, DONE, LONG, SLOW_SEED};
use e2e::browser::{form_xpath, Browser};
use e2e::proxy::{Fault, Proxy, Rule};
use e2e::rest::Rest;
use e2e::weaviate::{Options, Weaviate};
use serde_json::json;
use thirtyfour::prelude::*;

struct Stack {
    wv: Weaviate,
    rest: Rest,
    proxy: Proxy,
    _site: e2e::static_server::StaticServer,
    b: Browser,
}

/// Weaviate with what `seed` puts in, the console connected through a recording proxy.
async fn stack(name: &str, seed: impl FnOnce(&Rest), meta_version: Option<&str>) -> Stack {
    let wv = Weaviate::start(Options { name: name.into(), ..Default::default() });
    let rest = wv.rest();
    seed(&rest);
    let proxy = Proxy::start(&wv.url);
    if let Some(v) = meta_version {
        proxy.set_meta_version(v);
    }
    let site = console();
    let b = Browser::start().await;
    open(&b, &site.url, &proxy.url).await;
    Stack { wv, rest, proxy, _site: site, b }
}

/// `Article` with `n` small objects.
fn articles(n: usize) -> impl FnOnce(&Rest) {
    move |rest| {
        rest.create_collection("Article");
        rest.insert_objects("Article", n);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn backups_made_elsewhere_appear_and_ambiguous_submit_is_recovered() {
    let (wv, rest) = weaviate("adv-list", &[("Article", 10)]);
    rest.backup("filesystem", json!({"id": "from-script"}), LONG);
    let proxy = Proxy::start(&wv.url);
    let site = console();
    let b = Browser::start().await;
    let create = open(&b, &site.url, &proxy.url).await;

    // 1. Made over REST, found by the list on connect, marked as such.
    let job = "backup:filesystem:from-script";
    assert_eq!(b.wait_job_status(job, &["SUCCESS"], Duration::from_secs(15)).await, "SUCCESS");
    let row = b.driver.find(By::Css(format!("tr[data-job='{job}']"))).await.unwrap();
    assert!(row.text().await.unwrap().contains("elsewhere"));
    // The restore form offers it.
    let offered = b.driver.find_all(By::Css("#restore-ids option")).await.unwrap();
    assert_eq!(offered.len(), 1);

    // 6. The POST reaches the server but its answer is lost: the console asks for the status,
    // shows the job, and sends nothing twice.
    let lose = proxy.add_rule(Rule { method: Some("POST"), path_contains: "/v1/backups/filesystem", nth: Some(1), fault: Fault::LoseAnswer });
    b.fill(&create, "Backup ID", "lost-answer").await;
    b.click_button(&create, "Start backup").await;
    b.wait_for(&format!("{create}//*[@role='status' and contains(., 'answer was lost')]"), Duration::from_secs(15)).await;
    let lost = "backup:filesystem:lost-answer";
    assert_eq!(b.wait_job_status(lost, &DONE, LONG).await, "SUCCESS");
    let posts: Vec<_> = proxy.seen().into_iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1, "one request: {posts:?}");
    assert_eq!(proxy.fired(lose), 1);
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_a_running_backup_and_restore() {
    let s = stack("adv-cancel", |rest| slow_collection(rest, "Article"), None).await;
    let create = form_xpath("Create backup");
    s.b.fill(&create, "Backup ID", "to-cancel").await;
    open_advanced(&s.b, &create).await;
    s.b.fill(&create, "CPU percentage", "1").await;
    s.b.fill(&create, "Compression level", "BestCompression").await;
    s.b.click_button(&create, "Start backup").await;
    let job = "backup:filesystem:to-cancel";
    s.b.wait_job_status(job, &["STARTED"], Duration::from_secs(10)).await;
    let row = format!("//tr[@data-job='{job}']");
    let fresh = s.b.driver.find(By::XPath(format!("{row}//*[@class='fresh']"))).await.unwrap().text().await.unwrap();
    assert!(fresh.starts_with("updated ") && fresh.ends_with("s ago"), "{fresh}");
    s.b.click_button(&row, "Cancel").await;
    let confirm = s.b.wait_for(&format!("{row}//*[@role='group' and @aria-label='Confirm cancel']"), Duration::from_secs(5)).await;
    assert!(confirm.text().await.unwrap().contains("No backup data is deleted"));
    s.b.click_button(&row, "Confirm cancel").await;
    assert_eq!(s.b.wait_job_status(job, &DONE, LONG).await, "CANCELED");
    let outcome = s.b.wait_for(&format!("{row}//*[contains(@class,'cancel-outcome')]"), Duration::from_secs(5)).await;
    assert_eq!(outcome.text().await.unwrap(), "Canceled as requested.");
    assert_eq!(s.rest.wait_backup("filesystem", "to-cancel", LONG)["status"], "CANCELED");
    let deletes: Vec<_> = s.proxy.seen().into_iter().filter(|r| r.method == "DELETE").collect();
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].path, "/v1/backups/filesystem/to-cancel");

    // A running restore (v1.36+) is cancelled through DELETE …/restore.
    s.rest.delete_collection("Article");
    let restore = form_xpath("Restore backup");
    s.b.fill(&restore, "Backup ID", SLOW_SEED).await;
    open_advanced(&s.b, &restore).await;
    s.b.fill(&restore, "CPU percentage", "1").await;
    start_restore(&s.b, &restore).await;
    let rjob = format!("restore:filesystem:{SLOW_SEED}");
    let rrow = format!("//tr[@data-job='{rjob}']");
    s.b.click_button(&rrow, "Cancel").await;
    s.b.click_button(&rrow, "Confirm cancel").await;
    assert_eq!(s.b.wait_job_status(&rjob, &DONE, LONG).await, "CANCELED", "{:?}", s.b.job_cell(&rjob, "error").await);
    let text = s.b.wait_for(&format!("{rrow}//*[contains(@class,'cancel-outcome')]"), Duration::from_secs(5)).await.text().await.unwrap();
    assert_eq!(text, "Canceled as requested.");
    assert_eq!(s.rest.wait_restore("filesystem", SLOW_SEED, LONG)["status"], "CANCELED");
    let deletes: Vec<_> = s.proxy.seen().into_iter().filter(|r| r.method == "DELETE").collect();
    assert_eq!(deletes.len(), 2);
    assert_eq!(deletes[1].path, format!("/v1/backups/filesystem/{SLOW_SEED}/restore"));
    s.b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn options_incremental_and_custom_path() {
    let s = stack("adv-options", articles(40), None).await;
    let (create, restore) = (form_xpath("Create backup"), form_xpath("Restore backup"));

    // 3. CPU percentage and compression reach the server, and the backup succeeds.
    s.b.fill(&create, "Backup ID", "base").await;
    open_advanced(&s.b, &create).await;
    s.b.fill(&create, "CPU percentage", "20").await;
    s.b.fill(&create, "Compression level", "BestSpeed").await;
    s.b.click_button(&create, "Start backup").await;
    assert_eq!(s.b.wait_job_status("backup:filesystem:base", &DONE, LONG).await, "SUCCESS");
    let post = s.proxy.seen().into_iter().find(|r| r.method == "POST").unwrap();
    let body: serde_json::Value = serde_json::from_str(&post.body).unwrap();
    assert_eq!(body["config"], json!({"CPUPercentage": 20, "CompressionLevel": "BestSpeed"}), "{body}");

    // An incremental backup on top, after more objects; its restore brings all back.
    s.rest.insert_objects_from("Article", 40, 25);
    s.b.fill(&create, "Backup ID", "incr").await;
    s.b.fill(&create, "Incremental base backup", "base").await;
    s.b.click_button(&create, "Start backup").await;
    let st = s.b.wait_job_status("backup:filesystem:incr", &DONE, LONG).await;
    assert_eq!(st, "SUCCESS", "{:?}", s.b.job_cell("backup:filesystem:incr", "error").await);
    let posts: Vec<_> = s.proxy.seen().into_iter().filter(|r| r.method == "POST").collect();
    assert!(posts[1].body.contains(r#""incremental_base_backup_id":"base""#), "{}", posts[1].body);
    s.rest.delete_collection("Article");
    s.b.fill(&restore, "Backup ID", "incr").await;
    start_restore(&s.b, &restore).await;
    let st = s.b.wait_job_status("restore:filesystem:incr", &DONE, LONG).await;
    assert_eq!(st, "SUCCESS", "{:?}", s.b.job_cell("restore:filesystem:incr", "error").await);
    assert_eq!(s.rest.object_count("Article"), 65);

    // 4. A backup at a custom path: status polling and the restore use the same path.
    let custom = s.wv.home.join("custom-backups");
    let custom = custom.to_str().unwrap();
    s.b.fill(&create, "Backup ID", "pathed").await;
    s.b.fill(&create, "Incremental base backup", "").await;
    s.b.fill(&create, "Path", custom).await;
    s.b.click_button(&create, "Start backup").await;
    assert_eq!(s.b.wait_job_status("backup:filesystem:pathed", &DONE, LONG).await, "SUCCESS");
    assert!(std::path::Path::new(custom).join("pathed/backup_config.json").exists());
    let polled: Vec<_> = s.proxy.seen().into_iter().filter(|r| r.method == "GET" && r.path.starts_with("/v1/backups/filesystem/pathed")).collect();
    assert!(!polled.is_empty() && polled.iter().all(|r| r.path.contains(&format!("?path={custom}"))), "{polled:?}");

    s.rest.delete_collection("Article");
    s.b.fill(&restore, "Backup ID", "pathed").await;
    open_advanced(&s.b, &restore).await;
    s.b.fill(&restore, "Path", custom).await;
    start_restore(&s.b, &restore).await;
    let st = s.b.wait_job_status("restore:filesystem:pathed", &DONE, LONG).await;
    assert_eq!(st, "SUCCESS", "{:?}", s.b.job_cell("restore:filesystem:pathed", "error").await);
    let restore_polls: Vec<_> = s.proxy.seen().into_iter().filter(|r| r.method == "GET" && r.path.starts_with("/v1/backups/filesystem/pathed/restore")).collect();
    assert!(!restore_polls.is_empty() && restore_polls.iter().all(|r| r.path.contains("?path=")), "{restore_polls:?}");
    assert_eq!(s.rest.object_count("Article"), 65);
    s.b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_server_hides_what_it_lacks() {
    // 5. /v1/meta says 1.27.0 (the rest is the real 1.39 server).
    let s = stack("adv-gating", articles(5), Some("1.27.0")).await;
    let create = form_xpath("Create backup");
    open_advanced(&s.b, &create).await;
    let base = s.b.field(&create, "Incremental base backup").await;
    assert!(!base.is_enabled().await.unwrap());
    assert!(base.attr("title").await.unwrap().unwrap().contains("1.37.0"));
    let path = s.b.field(&create, "Path").await;
    assert!(!path.is_enabled().await.unwrap(), "bucket/path arrived in 1.27.2");
    assert!(s.b.field(&create, "CPU percentage").await.is_enabled().await.unwrap());
    let zstd = s.b.driver.find(By::Css("#create-compression option[value='ZstdBestSpeed']")).await.unwrap();
    assert!(!zstd.is_enabled().await.unwrap());

    // Wildcards are refused before sending.
    s.b.fill(&create, "Backup ID", "old-server").await;
    s.b.fill(&create, "Include collections", "Art*").await;
    s.b.click_button(&create, "Start backup").await;
    let text = s.b.alert_containing(&create, "Wildcards need", Duration::from_secs(5)).await;
    assert!(text.contains("1.36.0"), "{text}");
    // No list call (1.32+) and no POST.
    assert!(s.proxy.seen().iter().all(|r| !r.path.contains("order=") && r.method == "GET"), "{:?}", s.proxy.seen());

    // Cancel exists on 1.27 for backups; a restore can't be cancelled there (needs 1.36).
    s.b.fill(&create, "Include collections", "").await;
    s.b.click_button(&create, "Start backup").await;
    let row = "//tr[@data-job='backup:filesystem:old-server']";
    s.b.wait_for(&format!("{row}//button[normalize-space()='Cancel']"), Duration::from_secs(10)).await;
    assert_eq!(s.b.wait_job_status("backup:filesystem:old-server", &DONE, LONG).await, "SUCCESS");
    s.b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backend_whose_list_fails_says_why() {
    let (wv, _rest) = weaviate("adv-corrupt", &[("Article", 5)]);
    // One corrupt descriptor makes the whole list answer 500.
    std::fs::create_dir_all(wv.backups_dir.join("broken")).unwrap();
    std::fs::write(wv.backups_dir.join("broken/backup_config.json"), "{oops").unwrap();
    let site = console();
    let b = Browser::start().await;
    let create = open(&b, &site.url, &wv.url).await;
    let err = b
        .wait_for("//*[contains(@class,'list-error') and contains(., 'could not be listed')]", Duration::from_secs(15))
        .await
        .text()
        .await
        .unwrap();
    assert!(err.contains("\"filesystem\"") && err.contains("HTTP 500") && err.contains("unmarshal descriptor"), "{err}");
    // The console still works.
    b.fill(&create, "Backup ID", "still-works").await;
    b.click_button(&create, "Start backup").await;
    assert_eq!(b.wait_job_status("backup:filesystem:still-works", &DONE, LONG).await, "SUCCESS");
    b.quit().await;
}
