//! The seed workflow against real releases of Weaviate (README "Version matrix"): connect,
//! create with include and with exclude, SUCCESS in the Jobs table, restore, cancel and list
//! where the release has them, as `backup_core::version` says. The test command runs the pinned
//! release and the oldest of `WEAVIATE_MATRIX` (scripts/versions.sh); `scripts/matrix.sh` runs
//! `given_release` for each of them (`MATRIX_VERSION`).


use std::time::{Duration, Instant};

use backup_core::version::{Capabilities, Feature, Version};
use crate::common::{console, include_then_restore_after_delete, open, open_advanced, row_text, slow_collection, start_restore, DONE, LONG, SLOW_SEED};
use e2e::browser::{form_xpath, Browser};
use e2e::proxy::Proxy;
use e2e::weaviate::{Options, Weaviate};
use serde_json::json;
use thirtyfour::prelude::*;


/// Exhaustive, so a feature added to core fails to compile here until [`Feature::ALL`] has it.
fn words(f: Feature) -> &'static str {
    match f {
        Feature::NodeMapping => "node mapping",
        Feature::CpuPercentage => "CPU/compression options",
        Feature::Cancel => "cancel",
        Feature::BucketPath => "bucket/path",
        Feature::List => "list",
        Feature::RolesUsersOptions => "roles/users options",
        Feature::OverwriteAlias => "overwrite alias",
        Feature::ListOrderAndSize => "list order and size",
        Feature::ZstdCompression => "zstd",
        Feature::RestoreCancel => "restore cancel",
        Feature::Wildcards => "wildcards",
        Feature::IncrementalBase => "incremental",
        Feature::IncludeUsers => "include users",
        Feature::IncludeRoles => "include roles",
    }
}

/// `WEAVIATE_MATRIX`, oldest first (exported by scripts/versions.sh).
fn matrix() -> Vec<String> {
    let m = std::env::var("WEAVIATE_MATRIX").expect("WEAVIATE_MATRIX: run `source scripts/versions.sh` first");
    m.split_whitespace().map(String::from).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn newest_release() {
    seed_workflow(matrix().last().expect("a release")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn oldest_release() {
    seed_workflow(matrix().first().expect("a release")).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "scripts/matrix.sh runs it for each release, named by MATRIX_VERSION"]
async fn given_release() {
    seed_workflow(&std::env::var("MATRIX_VERSION").expect("MATRIX_VERSION, e.g. v1.35.2")).await;
}

/// The console's requests for the backend's list (`GET /v1/backups/filesystem[?order=…]`).
fn list_requests(proxy: &Proxy) -> usize {
    let list = |p: &str| p == "/v1/backups/filesystem" || p.starts_with("/v1/backups/filesystem?");
    proxy.seen().iter().filter(|r| r.method == "GET" && list(&r.path)).count()
}

/// Cancels a running job from its row and checks that it ends CANCELED on the page.
async fn cancel_running(b: &Browser, job: &str) {
    let row = format!("//tr[@data-job='{job}']");
    b.click_button(&row, "Cancel").await;
    b.click_button(&row, "Confirm cancel").await;
    assert_eq!(b.wait_job_status(job, &DONE, LONG).await, "CANCELED", "{job}: {:?}", b.job_cell(job, "error").await);
    let outcome = b.wait_for(&format!("{row}//*[contains(@class,'cancel-outcome')]"), Duration::from_secs(5)).await;
    assert_eq!(outcome.text().await.unwrap(), "Canceled as requested.");
}

/// Asserts that a running job offers no Cancel, saying it needs the release with `feature` (a
/// job that already ended offers none either, which proves nothing, so then nothing is checked).
async fn cancel_refused(b: &Browser, job: &str, feature: Feature) {
    let row = format!("//tr[@data-job='{job}']");
    let why = b.driver.find(By::XPath(format!("{row}//*[@class='cannot-cancel']"))).await;
    let status = b.job_cell(job, "status").await.unwrap_or_default();
    if DONE.contains(&status.as_str()) {
        return;
    }
    let why = why.unwrap_or_else(|_| panic!("{job} ({status}) says why it cannot be cancelled")).text().await.unwrap();
    assert!(why.contains(&format!("needs weaviate {} or newer", feature.since())), "{job}: {why}");
    assert!(b.driver.find(By::XPath(format!("{row}//button[normalize-space()='Cancel']"))).await.is_err(), "{job}: no Cancel");
}

async fn seed_workflow(version: &str) {
    let started = Instant::now();
    let caps = Capabilities::for_version(version);
    let gated: Vec<&str> = Feature::ALL.into_iter().filter(|f| !caps.has(*f)).map(words).collect();
    println!("matrix {version} gates off: {}", if gated.is_empty() { "nothing".into() } else { gated.join(", ") });

    let wv = Weaviate::start(Options { name: format!("matrix-{version}"), version: Some(version.into()), ..Default::default() });
    let rest = wv.rest();
    let (code, meta) = rest.call("GET", "/meta", None);
    assert_eq!(code, 200, "{meta}");
    assert_eq!(meta["version"].as_str().and_then(Version::parse), Version::parse(version), "the server is the release asked for: {meta}");
    // Big enough to cancel while it runs; its backup, made once per release and kept in .work/,
    // holds every collection, so it comes first.
    let slow = format!("Slow{}", version.replace(['v', '.'], ""));
    slow_collection(&rest, &slow);
    for (c, n) in [("Article", 30), ("Paragraph", 10)] {
        rest.create_collection(c);
        rest.insert_objects(c, n);
    }
    rest.backup("filesystem", json!({"id": "from-rest", "include": ["Paragraph"]}), LONG);
    // Core's gate agrees with the server: before v1.32 the list route answers 500 "not
    // implemented" (backup-api.md §4).
    let (code, body) = rest.call("GET", "/backups/filesystem", None);
    assert_eq!(code == 200, caps.has(Feature::List), "{version}: GET /v1/backups/filesystem → {code} {body}");

    // Connect (through a proxy that records what the console asks).
    let proxy = Proxy::start(&wv.url);
    let site = console();
    let b = Browser::start().await;
    let create = open(&b, &site.url, &proxy.url).await;
    let restore = form_xpath("Restore backup");

    // List: a backup made elsewhere shows up, where the release can list.
    if caps.has(Feature::List) {
        let job = "backup:filesystem:from-rest";
        assert_eq!(b.wait_job_status(job, &["SUCCESS"], Duration::from_secs(15)).await, "SUCCESS");
        assert!(row_text(&b, job).await.contains("elsewhere"));
    }

    // Create with include → SUCCESS; restore it after the collection is gone → SUCCESS.
    include_then_restore_after_delete(&b, &rest, 30).await;

    // Create with exclude → SUCCESS, without the excluded collections.
    b.fill(&create, "Backup ID", "exc-1").await;
    b.fill(&create, "Include collections", "").await;
    b.fill(&create, "Exclude collections", &format!("Paragraph, {slow}")).await;
    b.click_button(&create, "Start backup").await;
    let job = "backup:filesystem:exc-1";
    assert_eq!(b.wait_job_status(job, &DONE, LONG).await, "SUCCESS", "{:?}", b.job_cell(job, "error").await);
    let text = row_text(&b, job).await;
    assert!(text.contains("Article") && !text.contains("Paragraph") && !text.contains(&slow), "{text}");
    b.fill(&create, "Exclude collections", "").await;

    // Cancel a running backup.
    b.fill(&create, "Backup ID", "to-cancel").await;
    b.fill(&create, "Include collections", &slow).await;
    open_advanced(&b, &create).await;
    b.fill(&create, "CPU percentage", "1").await;
    b.fill(&create, "Compression level", "BestCompression").await;
    b.click_button(&create, "Start backup").await;
    let job = "backup:filesystem:to-cancel";
    b.wait_job_status(job, &["STARTED"], Duration::from_secs(10)).await;
    if caps.has(Feature::Cancel) {
        cancel_running(&b, job).await;
        assert_eq!(rest.wait_backup("filesystem", "to-cancel", LONG)["status"], "CANCELED");
    } else {
        cancel_refused(&b, job, Feature::Cancel).await;
        assert_eq!(b.wait_job_status(job, &DONE, LONG).await, "SUCCESS");
    }

    // Cancel a running restore.
    rest.delete_collection(&slow);
    b.fill(&restore, "Backup ID", SLOW_SEED).await;
    open_advanced(&b, &restore).await;
    b.fill(&restore, "CPU percentage", "1").await;
    start_restore(&b, &restore).await;
    let rjob = format!("restore:filesystem:{SLOW_SEED}");
    b.wait_for(&format!("//tr[@data-job='{rjob}']"), Duration::from_secs(10)).await;
    if caps.has(Feature::RestoreCancel) {
        cancel_running(&b, &rjob).await;
        assert_eq!(rest.wait_restore("filesystem", SLOW_SEED, LONG)["status"], "CANCELED");
    } else {
        cancel_refused(&b, &rjob, Feature::RestoreCancel).await;
        assert_eq!(b.wait_job_status(&rjob, &DONE, LONG).await, "SUCCESS", "{:?}", b.job_cell(&rjob, "error").await);
    }

    // Without list, the console never asked for one, and knows only its own jobs.
    if !caps.has(Feature::List) {
        assert_eq!(list_requests(&proxy), 0, "no list request to a release without list");
        assert!(b.job_cell("backup:filesystem:from-rest", "status").await.is_none(), "a backup made elsewhere cannot show");
    } else {
        assert!(list_requests(&proxy) > 0);
    }
    b.quit().await;
    println!("matrix {version} passed in {:.0} s", started.elapsed().as_secs_f64());
}
