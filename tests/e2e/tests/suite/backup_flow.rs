//! End to end: a real Weaviate, the release bundle in headless Chromium, one backup through
//! the console's create form, confirmed over REST.

use std::time::Duration;


use crate::common::{console, open, weaviate, DONE};
use e2e::browser::{form_xpath, Browser};
use e2e::proxy::Proxy;
use thirtyfour::prelude::*;

#[tokio::test(flavor = "multi_thread")]
async fn backup_through_the_form_reaches_success() {
    let (wv, rest) = weaviate("e2e-flow", &[("Article", 30), ("Paragraph", 10)]);
    let site = console();
    let b = Browser::start().await;

    // Runtime configuration by query parameter: the console connects by itself.
    let create = open(&b, &site.url, &wv.url).await;

    b.fill(&create, "Backend", "filesystem").await;
    b.fill(&create, "Backup ID", "e2e-first").await;
    b.fill(&create, "Include collections", "Article").await;
    b.click_button(&create, "Start backup").await;

    let job = "backup:filesystem:e2e-first";
    b.wait_job_status(job, &["STARTED", "SUCCESS"], Duration::from_secs(15)).await;
    let status = b.wait_job_status(job, &DONE, Duration::from_secs(90)).await;
    assert_eq!(status, "SUCCESS", "error cell: {:?}", b.job_cell(job, "error").await);
    let row = b.driver.find(By::Css(format!("tr[data-job='{job}']"))).await.unwrap();
    let row_text = row.text().await.unwrap();
    assert!(row_text.contains("Article") && !row_text.contains("Paragraph"), "{row_text}");

    // The server agrees, and the files are on disk.
    let (code, body) = rest.call("GET", "/backups/filesystem/e2e-first", None);
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["status"], "SUCCESS");
    assert!(wv.backups_dir.join("e2e-first/backup_config.json").exists());
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_form_validation_and_server_errors() {
    let (wv, rest) = weaviate("e2e-forms", &[("Article", 5)]);
    let site = console();
    let b = Browser::start().await;
    b.goto(&site.url).await;

    // Nothing listening: an explanation, not a crash.
    let conn = form_xpath("Connection");
    b.fill(&conn, "Weaviate URL", &format!("http://127.0.0.1:{}", e2e::free_port())).await;
    b.click_button(&conn, "Connect").await;
    let text = b.alert_containing(&conn, "unreachable", Duration::from_secs(15)).await;
    assert!(text.contains("CORS"), "{text}");

    // Connection through the form, via a proxy that counts the requests.
    let proxy = Proxy::start(&wv.url);
    b.fill(&conn, "Weaviate URL", &proxy.url).await;
    b.click_button(&conn, "Connect").await;
    let create = form_xpath("Create backup");
    b.wait_for(&create, Duration::from_secs(30)).await;

    // Invalid input is rejected in the form, with the rule, and nothing is sent.
    let posts = || proxy.seen().into_iter().filter(|r| r.method != "GET").count();
    b.fill(&create, "Backup ID", "My Backup").await;
    b.click_button(&create, "Start backup").await;
    let id = b.field(&create, "Backup ID").await;
    assert_eq!(id.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    b.alert_containing(&create, "lowercase", Duration::from_secs(5)).await;

    b.fill(&create, "Backup ID", "fine-id").await;
    b.fill(&create, "Include collections", "Article").await;
    b.fill(&create, "Exclude collections", "Article").await;
    b.click_button(&create, "Start backup").await;
    b.alert_containing(&create, "not both", Duration::from_secs(5)).await;
    for label in ["Include collections", "Exclude collections"] {
        let f = b.field(&create, label).await;
        assert_eq!(f.attr("aria-invalid").await.unwrap().as_deref(), Some("true"), "{label}");
    }

    b.fill(&create, "Exclude collections", "").await;
    b.fill(&create, "Include collections", "article").await;
    b.click_button(&create, "Start backup").await;
    let text = b.alert_containing(&create, "No such collection", Duration::from_secs(5)).await;
    assert!(text.contains("did you mean Article"), "{text}");

    b.fill(&create, "Include collections", "Zed*").await;
    b.click_button(&create, "Start backup").await;
    b.alert_containing(&create, "matches no collection", Duration::from_secs(5)).await;
    b.fill(&create, "Include collections", "").await;

    assert_eq!(posts(), 0, "no request for invalid input: {:?}", proxy.seen());
    assert!(b.driver.find(By::Css("tr[data-job]")).await.is_err(), "no job row for an invalid form");

    // A duplicate id: the server's own message in the form's alert, and no phantom row.
    rest.backup("filesystem", serde_json::json!({"id": "taken"}), Duration::from_secs(60));
    b.fill(&create, "Backup ID", "taken").await;
    b.click_button(&create, "Start backup").await;
    let alert = b
        .wait_for(&format!("{create}//*[@role='alert' and contains(., 'already exists')]"), Duration::from_secs(10))
        .await;
    let text = alert.text().await.unwrap();
    assert!(text.contains("backup \"taken\" already exists at"), "{text}");
    assert!(b.driver.find(By::Css("tr[data-job]")).await.is_err(), "no phantom row");
    b.quit().await;
}
