//! The console asks for a running backup's status just after each of the server's coordinator
//! checks, on the cadence of the server's version: shown within a second of its flip, with no
//! more status reads than the coordinator made checks (+2). v1.39.7's cadence cannot be built
//! here (backup-api.md §11), so both run against a server emulated to their source
//! (`e2e::coordinator`).


use std::time::{Duration, Instant};

use crate::common::{console, open};
use e2e::browser::Browser;
use e2e::coordinator::{Cadence, Coordinator};

/// Creates a backup whose nodes work 4 s on a server of `version`; returns how long after the
/// flip the row showed SUCCESS, the status reads and the coordinator's checks until the flip.
async fn four_second_backup(version: &str, cadence: Cadence) -> (Duration, usize, usize) {
    let server = Coordinator::start(version, cadence, Duration::from_secs(4));
    let site = console();
    let b = Browser::start().await;
    let create = open(&b, &site.url, &server.url).await;
    b.fill(&create, "Backup ID", "four-seconds").await;
    b.click_button(&create, "Start backup").await;
    let row = "backup:filesystem:four-seconds";
    let deadline = Instant::now() + Duration::from_secs(40);
    let shown = loop {
        if b.job_cell(row, "status").await.as_deref() == Some("SUCCESS") {
            break Instant::now();
        }
        assert!(Instant::now() < deadline, "no SUCCESS in 40 s:\n{}", b.body_text().await);
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    b.quit().await;
    let flip = server.flip_at().expect("the backup was created");
    let reads = server.status_reads().iter().filter(|t| **t <= shown).count();
    let late = shown.saturating_duration_since(flip);
    eprintln!("[cadence] v{version}: shown {late:?} after the flip, {reads} status reads, {} checks", server.checks_to_flip());
    (late, reads, server.checks_to_flip())
}

#[tokio::test(flavor = "multi_thread")]
async fn v1_39_7_doubling_cadence_is_followed() {
    let (late, reads, checks) = four_second_backup("1.39.7", Cadence::Doubling).await;
    assert!(late < Duration::from_secs(1), "shown {late:?} after the flip at ~6.3 s");
    assert!(reads <= checks + 2, "{reads} status reads for {checks} checks");
}

#[tokio::test(flavor = "multi_thread")]
async fn v1_39_3_fixed_cadence_is_still_followed() {
    let (late, reads, checks) = four_second_backup("1.39.3", Cadence::Fixed).await;
    assert!(late < Duration::from_secs(1), "shown {late:?} after the flip at 12 s");
    assert!(reads <= checks + 2, "{reads} status reads for {checks} checks");
}
