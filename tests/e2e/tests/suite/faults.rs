//! Nothing is lost under faults: a hung status read, a Weaviate killed and restarted mid-job,
//! and a seeded chaos soak. Each ends with the job table equal to what the server reports.


use std::time::{Duration, Instant};

use crate::common::{console, open, open_advanced, slow_collection, start_restore, DONE, LONG};
use e2e::browser::{form_xpath, Browser};
use e2e::proxy::{Fault, Proxy, Rule};
use e2e::rest::Rest;
use e2e::weaviate::{Options, Weaviate};
use serde_json::json;
use thirtyfour::prelude::*;

/// Longer than any of the console's request deadlines: only a deadline ends such a read early.
const HANG: Duration = Duration::from_secs(60);

fn row(job: &str) -> String {
    format!("//tr[@data-job='{job}']")
}

async fn row_text(b: &Browser, job: &str) -> String {
    match b.driver.find(By::XPath(row(job))).await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits until the job's row contains `needle`; returns how long that took.
async fn wait_row_contains(b: &Browser, job: &str, needle: &str, timeout: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if row_text(b, job).await.contains(needle) {
            return start.elapsed();
        }
        assert!(start.elapsed() < timeout, "row {job} never said {needle:?}:\n{}", b.body_text().await);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn rows_with(b: &Browser, job: &str) -> usize {
    b.driver.find_all(By::XPath(row(job))).await.unwrap().len()
}

/// The server's own word on a job: its status, or the HTTP status when it has none.
fn truth(rest: &Rest, kind: &str, id: &str) -> String {
    let path = match kind {
        "backup" => format!("/backups/filesystem/{id}"),
        _ => format!("/backups/filesystem/{id}/restore"),
    };
    let (s, b) = rest.call("GET", &path, None);
    match b["status"].as_str() {
        Some(st) if s == 200 => st.to_string(),
        _ => format!("HTTP {s}"),
    }
}

/// Waits until the server reports the job finished (or no longer knows it), up to `patience`;
/// then whatever it says. A job the server lost track of may never finish (backup-api.md §2.3).
fn wait_truth(rest: &Rest, kind: &str, id: &str, patience: Duration) -> String {
    let deadline = Instant::now() + patience;
    loop {
        let t = truth(rest, kind, id);
        if DONE.contains(&t.as_str()) || t == "HTTP 404" || Instant::now() > deadline {
            return t;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The row shows exactly `truth`: that status, or for a job the server no longer knows, why
/// polling stopped.
async fn assert_row_shows(b: &Browser, job: &str, truth: &str) {
    if truth == "HTTP 404" {
        wait_row_contains(b, job, "no longer knows this job (404)", LONG).await;
    } else {
        assert_eq!(b.wait_job_status(job, &[truth], LONG).await, truth);
    }
    assert_eq!(rows_with(b, job).await, 1, "one row for {job}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hung_status_read_shows_connection_lost_and_recovers() {
    let wv = Weaviate::start(Options { name: "fault-hang".into(), ..Default::default() });
    let rest = wv.rest();
    rest.create_collection("Article");
    rest.insert_objects("Article", 20);
    let proxy = Proxy::start(&wv.url);
    let site = console();
    let b = Browser::start().await;
    let create = open(&b, &site.url, &proxy.url).await;

    // A backup: its second status read never answers.
    proxy.add_rule(Rule { method: Some("GET"), path_contains: "/v1/backups/filesystem/hung", nth: Some(2), fault: Fault::Hang(HANG) });
    let started = Instant::now();
    b.fill(&create, "Backup ID", "hung").await;
    b.click_button(&create, "Start backup").await;
    let job = "backup:filesystem:hung";
    wait_row_contains(&b, job, "connection lost", Duration::from_secs(30)).await;
    assert_eq!(b.wait_job_status(job, &DONE, LONG).await, "SUCCESS");
    assert!(started.elapsed() < HANG, "recovered before the hung read ended: {:?}", started.elapsed());
    assert_eq!(rest.wait_backup("filesystem", "hung", LONG)["status"], "SUCCESS");

    // A restore (no list to rescue it): the same.
    proxy.clear_rules();
    proxy.add_rule(Rule { method: Some("GET"), path_contains: "/hung/restore", nth: Some(2), fault: Fault::Hang(HANG) });
    rest.delete_collection("Article");
    let restore = form_xpath("Restore backup");
    b.fill(&restore, "Backup ID", "hung").await;
    let started = Instant::now();
    start_restore(&b, &restore).await;
    let rjob = "restore:filesystem:hung";
    wait_row_contains(&b, rjob, "connection lost", Duration::from_secs(30)).await;
    assert_eq!(b.wait_job_status(rjob, &DONE, LONG).await, "SUCCESS");
    assert!(started.elapsed() < HANG, "recovered before the hung read ended: {:?}", started.elapsed());
    assert_eq!(rest.wait_restore("filesystem", "hung", LONG)["status"], "SUCCESS");
    assert_eq!(rest.object_count("Article"), 20);
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn weaviate_killed_mid_job_and_restarted() {
    // As production should run: a backup cut off by a crash becomes CANCELED at the next start
    // instead of STARTED forever (backup-api.md §2.3).
    let cleanup = vec![("ENABLE_CLEANUP_UNFINISHED_BACKUPS".to_string(), "true".to_string())];
    let mut wv = Weaviate::start(Options { name: "fault-kill".into(), env: cleanup, ..Default::default() });
    let rest = wv.rest();
    slow_collection(&rest, "Article");
    let site = console();
    let b = Browser::start().await;
    let create = open(&b, &site.url, &wv.url).await;

    for kind in ["backup", "restore"] {
        let id = format!("killed-{kind}");
        let job = format!("{kind}:filesystem:{id}");
        if kind == "backup" {
            b.fill(&create, "Backup ID", &id).await;
            open_advanced(&b, &create).await;
            b.fill(&create, "CPU percentage", "1").await;
            b.click_button(&create, "Start backup").await;
        } else {
            rest.backup("filesystem", json!({"id": id}), LONG);
            rest.delete_collection("Article");
            let restore = form_xpath("Restore backup");
            b.fill(&restore, "Backup ID", &id).await;
            open_advanced(&b, &restore).await;
            b.fill(&restore, "CPU percentage", "1").await;
            start_restore(&b, &restore).await;
        }
        b.wait_for(&row(&job), Duration::from_secs(15)).await;
        let before = truth(&rest, kind, &id);
        assert!(!DONE.contains(&before.as_str()), "{job} must still run when the server is killed: {before}");
        wv.kill();
        wait_row_contains(&b, &job, "connection lost", Duration::from_secs(30)).await;
        // A reload while the server is down: nothing to connect to, nothing lost either.
        b.driver.refresh().await.unwrap();
        b.alert_containing(&form_xpath("Connection"), "network", Duration::from_secs(30)).await;
        wv.restart();
        b.click_button(&form_xpath("Connection"), "Connect").await;
        let t = wait_truth(&rest, kind, &id, Duration::from_secs(30));
        assert_row_shows(&b, &job, &t).await;
        assert!(!row_text(&b, &job).await.contains("connection lost"), "the outage is over");
        if kind == "backup" {
            assert_eq!(t, "CANCELED", "the cleanup at start cancels the cut-off backup");
        }
        println!("{kind} killed mid-job: the server reports {t} after the restart; the row says the same");
    }
    b.quit().await;
}

/// Starts a job through the UI the way an admin would under a flaky network: click, and click
/// again while the form says the request failed and no row appeared.
async fn start_job(b: &Browser, kind: &str, id: &str, include: &str) {
    let (form, button) = match kind {
        "backup" => (form_xpath("Create backup"), "Start backup"),
        _ => (form_xpath("Restore backup"), "Start restore"),
    };
    let job = format!("{kind}:filesystem:{id}");
    b.fill(&form, "Backup ID", id).await;
    b.fill(&form, "Include collections", include).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if rows_with(b, &job).await > 0 && !b.job_cell(&job, "status").await.unwrap_or_default().is_empty() {
            return;
        }
        let busy = b.driver.find(By::XPath(format!("{form}//button[@aria-busy='true']"))).await.is_ok();
        let confirm = b.driver.find(By::XPath(format!("{form}//button[normalize-space()='Confirm restore']"))).await;
        if let Ok(c) = confirm {
            let _ = c.click().await;
        } else if !busy {
            if let Ok(button) = b.driver.find(By::XPath(format!("{form}//button[normalize-space()='{button}']"))).await {
                let _ = button.click().await;
            }
        }
        assert!(Instant::now() < deadline, "{job} never started:\n{}", b.body_text().await);
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn seeded_chaos_soak_ends_equal_to_the_servers_truth() {
    let seed: u64 = std::env::var("CHAOS_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261125);
    let mut wv = Weaviate::start(Options { name: "fault-soak".into(), ..Default::default() });
    let rest = wv.rest();
    for (c, n) in [("Article", 30), ("Note", 5)] {
        rest.create_collection(c);
        rest.insert_objects(c, n);
    }
    let proxy = Proxy::start(&wv.url);
    let site = console();
    let b = Browser::start().await;
    open(&b, &site.url, &proxy.url).await;
    let began = Instant::now();
    proxy.chaos(
        seed,
        &[
            (0.10, Fault::Latency(Duration::from_millis(700))),
            (0.02, Fault::Hang(Duration::from_secs(15))),
            (0.05, Fault::Status(503)),
            (0.03, Fault::Status(500)),
            (0.03, Fault::LoseAnswer),
            (0.02, Fault::Truncate),
            (0.02, Fault::InvalidJson),
            (0.02, Fault::DropBeforeUpstream),
        ],
    );

    // 24 backups (the first six also hold Note), then six restores of those six, and one
    // server restart on the way.
    let mut jobs: Vec<(String, String)> = vec![];
    for i in 0..30 {
        if i == 15 {
            wv.kill();
            wv.restart();
        }
        let (kind, id, include) = if i < 24 {
            ("backup", format!("soak-{i}"), if i < 6 { "Article, Note" } else { "Article" })
        } else {
            let (s, body) = rest.call("DELETE", "/schema/Note", None);
            assert!(s == 200 || s == 404, "delete Note: {s} {body}");
            ("restore", format!("soak-{}", i - 24), "Note")
        };
        start_job(&b, kind, &id, include).await;
        let job = format!("{kind}:filesystem:{id}");
        b.wait_job_status(&job, &DONE, LONG).await;
        jobs.push((kind.to_string(), id));
    }
    let counts = proxy.stop_chaos();
    println!("chaos seed {seed}: {} jobs in {:?}; faults {counts:?}", jobs.len(), began.elapsed());
    assert!(counts.iter().map(|(_, n)| n).sum::<usize>() > 0, "no fault fired");

    for (kind, id) in &jobs {
        let job = format!("{kind}:filesystem:{id}");
        let t = wait_truth(&rest, kind, id, LONG);
        assert!(DONE.contains(&t.as_str()), "{job}: {t}");
        assert_row_shows(&b, &job, &t).await;
    }
    let all = b.driver.find_all(By::XPath("//tr[@data-job]")).await.unwrap().len();
    assert_eq!(all, jobs.len(), "no extra rows");
    assert!(!b.body_text().await.contains("The console stopped"));
    b.quit().await;
}
