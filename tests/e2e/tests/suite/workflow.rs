//! The backup and restore workflow end to end: real Weaviate, release bundle, headless Chromium.


use std::time::Duration;

use crate::common::{console, include_then_restore_after_delete, open, open_advanced, row_text, slow_collection, weaviate, DONE, LONG};
use e2e::browser::{form_xpath, Browser};
use e2e::proxy::{Fault, Mode, Proxy, Rule};
use e2e::weaviate::{ApiKey, Options, Weaviate};
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread")]
async fn include_backup_restore_after_delete_and_exclude_backup() {
    let (wv, rest) = weaviate("e2e-workflow", &[("Article", 30), ("Paragraph", 10)]);
    let site = console();
    let b = Browser::start().await;
    open(&b, &site.url, &wv.url).await;
    let create = form_xpath("Create backup");

    // 1. Include one collection → SUCCESS; restore it after it is deleted → SUCCESS.
    include_then_restore_after_delete(&b, &rest, 30).await;

    // 2. Exclude → the server's classes leave it out.
    b.fill(&create, "Backup ID", "exc-1").await;
    b.fill(&create, "Include collections", "").await;
    b.fill(&create, "Exclude collections", "Paragraph").await;
    b.click_button(&create, "Start backup").await;
    let job = "backup:filesystem:exc-1";
    assert_eq!(b.wait_job_status(job, &DONE, LONG).await, "SUCCESS");
    let text = row_text(&b, job).await;
    assert!(text.contains("Article") && !text.contains("Paragraph"), "{text}");
    let (code, body) = rest.call("GET", "/backups/filesystem", None);
    assert_eq!(code, 200, "{body}");
    let item = body.as_array().unwrap().iter().find(|i| i["id"] == "exc-1").unwrap().clone();
    assert_eq!(item["classes"], serde_json::json!(["Article"]));
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn restore_into_existing_collection_warns_then_fails_with_server_error() {
    let (wv, rest) = weaviate("e2e-conflict", &[("Article", 5)]);
    rest.backup("filesystem", serde_json::json!({"id": "snap"}), LONG);
    let site = console();
    let b = Browser::start().await;
    open(&b, &site.url, &wv.url).await;
    // Made over REST, so it appears from the list, marked as made elsewhere.
    b.wait_job_status("backup:filesystem:snap", &["SUCCESS"], Duration::from_secs(15)).await;
    let restore = form_xpath("Restore backup");

    let sent = b.requests_to("/restore").await;
    b.fill(&restore, "Backup ID", "snap").await;
    b.click_button(&restore, "Start restore").await;
    let warning = b.alert_containing(&restore, "already exist", Duration::from_secs(15)).await;
    assert!(warning.contains("Article"), "{warning}");
    assert_eq!(b.requests_to("/restore").await, sent, "nothing sent before confirmation");

    b.click_button(&restore, "Confirm restore").await;
    let job = "restore:filesystem:snap";
    assert_eq!(b.wait_job_status(job, &DONE, LONG).await, "FAILED");
    let err = b.job_cell(job, "error").await.unwrap();
    assert!(err.contains("already exists"), "{err}");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reload_keeps_running_job_and_ignores_corrupt_journal() {
    let (wv, rest) = weaviate("e2e-reload", &[]);
    slow_collection(&rest, "Article");
    let site = console();
    let b = Browser::start().await;
    let create = open(&b, &site.url, &wv.url).await;

    b.fill(&create, "Backup ID", "survives-reload").await;
    open_advanced(&b, &create).await;
    b.fill(&create, "CPU percentage", "1").await;
    b.click_button(&create, "Start backup").await;
    let job = "backup:filesystem:survives-reload";
    assert_eq!(b.wait_job_status(job, &["STARTED", "SUCCESS", "FAILED"], Duration::from_secs(10)).await, "STARTED");
    b.driver.refresh().await.unwrap();
    b.wait_for(&create, Duration::from_secs(30)).await;
    b.wait_for(&format!("//tr[@data-job='{job}']"), Duration::from_secs(10)).await;
    // The reload happened while the server was still at work, so the row came from the journal.
    let (code, now) = rest.call("GET", "/backups/filesystem/survives-reload", None);
    assert_eq!((code, now["status"].as_str()), (200, Some("STARTED")), "{now}");
    assert_eq!(b.wait_job_status(job, &DONE, LONG).await, "SUCCESS");
    let stored: String = b
        .driver
        .execute("return localStorage.getItem('backup-console.journal')", vec![])
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert!(stored.contains("survives-reload"), "{stored}");

    // A corrupt stored value: a notice, no crash, and the console still works.
    b.driver.execute("localStorage.setItem('backup-console.journal', '{not json')", vec![]).await.unwrap();
    b.driver.refresh().await.unwrap();
    b.wait_for(&create, Duration::from_secs(30)).await;
    b.wait_for("//*[@role='status' and contains(., 'could not be read')]", Duration::from_secs(10)).await;
    b.fill(&create, "Backup ID", "after-corrupt").await;
    b.click_button(&create, "Start backup").await;
    assert_eq!(b.wait_job_status("backup:filesystem:after-corrupt", &DONE, LONG).await, "SUCCESS");
    b.quit().await;
}

/// Every `localStorage` and `sessionStorage` entry of the page, as "store key=value" lines.
async fn web_storage(b: &Browser) -> String {
    let r = b
        .driver
        .execute(
            "return [['local', localStorage], ['session', sessionStorage]].flatMap(([n, s]) =>
               Object.keys(s).map(k => n + ' ' + k + '=' + s.getItem(k))).join('\\n')",
            vec![],
        )
        .await
        .unwrap();
    r.json().as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn api_key_server_401_then_right_key_succeeds() {
    let key = ApiKey { key: "s3cret-key".into(), user: "admin".into() };
    let viewer = ApiKey { key: "viewer-key".into(), user: "viewer".into() };
    let wv = Weaviate::start(Options {
        name: "e2e-auth".into(),
        api_key: Some(key.clone()),
        read_only_key: Some(viewer.clone()),
        ..Default::default()
    });
    let rest = wv.rest();
    rest.create_collection("Article");
    rest.insert_objects("Article", 5);
    let proxy = Proxy::start(&wv.url);
    let site = console();
    let b = Browser::start().await;
    let conn = form_xpath("Connection");

    // No key: the server's 401 text and what to do, and no Authorization header at all.
    b.follow_link(&format!("{}?weaviate={}", site.url, proxy.url)).await;
    let text = b.alert_containing(&conn, "401", Duration::from_secs(30)).await;
    assert!(text.contains("anonymous access not enabled"), "{text}");
    assert!(text.contains("API key"), "{text}");
    assert!(!proxy.seen().is_empty() && proxy.authorization_seen().is_empty(), "{:?}", proxy.seen());

    // Wrong key.
    b.fill(&conn, "API key", "wrong").await;
    b.click_button(&conn, "Connect").await;
    b.alert_containing(&conn, "invalid api key", Duration::from_secs(15)).await;

    // A read-only key connects, but the server refuses the backup: 403, and why.
    b.fill(&conn, "API key", &viewer.key).await;
    b.click_button(&conn, "Connect").await;
    let create = form_xpath("Create backup");
    b.wait_for(&create, Duration::from_secs(30)).await;
    b.fill(&create, "Backup ID", "as-viewer").await;
    b.click_button(&create, "Start backup").await;
    let text = b.alert_containing(&create, "403", Duration::from_secs(15)).await;
    assert!(text.contains("forbidden") && text.contains("lacks backup permission"), "{text}");
    assert!(b.driver.find(By::Css("tr[data-job]")).await.is_err());
    // Typed but not remembered: kept in memory only.
    let stored = web_storage(&b).await;
    assert!(!stored.contains("wrong") && !stored.contains(&viewer.key), "{stored}");
    let post = proxy.seen().into_iter().find(|r| r.method == "POST").expect("the viewer's POST");
    assert_eq!(post.header("authorization"), Some("Bearer viewer-key"));

    // The right key: once connected, the controls are behind "Change server".
    b.click_button("//body", "Change server").await;
    b.fill(&conn, "API key", &key.key).await;
    b.field(&conn, "Remember the API key for this server in this tab (sessionStorage)").await.click().await.unwrap();
    b.click_button(&conn, "Connect").await;
    b.wait_for(&create, Duration::from_secs(30)).await;
    // Remembered for this tab only: a reload connects without retyping.
    b.driver.refresh().await.unwrap();
    b.wait_for(&create, Duration::from_secs(30)).await;
    b.fill(&create, "Backup ID", "with-key").await;
    b.click_button(&create, "Start backup").await;
    assert_eq!(b.wait_job_status("backup:filesystem:with-key", &DONE, LONG).await, "SUCCESS");
    let post = proxy.seen().into_iter().rfind(|r| r.method == "POST").unwrap();
    assert_eq!(post.header("authorization"), Some("Bearer s3cret-key"));
    let stored = web_storage(&b).await;
    let with_key: Vec<&str> = stored.lines().filter(|l| l.contains(&key.key)).collect();
    assert!(with_key.len() == 1 && with_key[0].starts_with("session "), "only sessionStorage holds the key: {stored}");
    assert!(stored.contains("with-key"), "the journal is there: {stored}");
    b.quit().await;
}

/// Waits for the row's "connection lost" notice naming `what`; the job keeps its status.
async fn outage_notice(b: &Browser, job: &str, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let err = b.job_cell(job, "error").await.unwrap_or_default();
        if err.contains("connection lost — retrying") && err.contains(what) && err.contains("last update") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no outage notice ({what}): {err}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(b.job_cell(job, "status").await.as_deref(), Some("STARTED"), "the job stays");
}

#[tokio::test(flavor = "multi_thread")]
async fn lost_connection_while_polling_keeps_the_job_and_recovers() {
    let (wv, _rest) = weaviate("e2e-lost", &[("Article", 20)]);
    let proxy = Proxy::start(&wv.url);
    let site = console();
    let b = Browser::start().await;
    let create = open(&b, &site.url, &proxy.url).await;

    // The POST passes; from then on no status or list read does, so the page cannot learn
    // that the backup ended.
    let outage = proxy.add_rule(Rule { method: Some("GET"), path_contains: "/v1/backups/", nth: None, fault: Fault::Status(503) });
    b.fill(&create, "Backup ID", "through-outage").await;
    b.click_button(&create, "Start backup").await;
    let job = "backup:filesystem:through-outage";
    b.wait_job_status(job, &["STARTED"], Duration::from_secs(10)).await;
    outage_notice(&b, job, "HTTP 503").await;
    assert!(proxy.fired(outage) > 0);
    // The mode applies before the rules: switching takes no gap a poll could slip through.
    proxy.set_mode(Mode::Unreachable);
    proxy.clear_rules();
    outage_notice(&b, job, "network error").await;
    proxy.set_mode(Mode::Pass);
    assert_eq!(b.wait_job_status(job, &DONE, LONG).await, "SUCCESS");
    let err = b.job_cell(job, "error").await.unwrap_or_default();
    assert!(!err.contains("connection lost"), "recovered by itself: {err}");
    b.quit().await;
}
