//! The Policies view against a real Weaviate: policies from `config.json`, backups made over
//! REST under a policy's template ids and by backup-runner (from the policies file the console
//! exports, unchanged) grouped under it, an overdue policy in its row and in the summary line,
//! and "Run now" through the create path.


use std::time::Duration;

use backup_core::policy::IdTemplate;
use backup_core::policy_view::{DateTime, Utc};
use crate::common::{dist, weaviate, DONE, LONG};
use e2e::browser::{form_xpath, Browser};
use e2e::runner::Runner;
use e2e::static_server::{StaticOptions, StaticServer};
use serde_json::json;
use thirtyfour::prelude::*;

/// The console with `config` as its `config.json`.
fn console_with(config: serde_json::Value) -> StaticServer {
    StaticServer::start_with(
        &dist(),
        "/",
        StaticOptions { files: vec![("/config.json".into(), config.to_string().into_bytes(), "application/json".into())], ..Default::default() },
    )
}

async fn text(b: &Browser, css: &str) -> String {
    b.driver.find(By::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

/// Waits until the element at `css` has `want` as its text.
async fn wait_text(b: &Browser, css: &str, want: &str, timeout: Duration) {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let got = match b.driver.find(By::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if got == want {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{css}: {got:?}, wanted {want:?}\n{}", b.body_text().await);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn config_policies_group_their_backups_flag_overdue_and_run_now() {
    let (wv, rest) = weaviate("e2e-policies", &[("Article", 20), ("Author", 5)]);
    // Two runs of `nightly` as the runner would name them, and backups that only look alike.
    for id in ["nightly-20261204-020000", "nightly-20261205-020000", "nightly-eu-20261205-020000", "nightly-manual"] {
        rest.backup("filesystem", json!({"id": id, "include": ["Article"]}), LONG);
    }
    let config = json!({
        "weaviateUrl": wv.url,
        "policies": [
            {"name": "nightly", "backend": "filesystem", "include": ["Article"], "schedule": "0 2 * * *", "timeZone": "UTC",
             "retention": {"maxCount": 14, "minCount": 3, "expireAfter": "30d"}},
            {"name": "stale", "backend": "filesystem", "include": ["Author"], "schedule": "0 3 * * *", "timeZone": "Europe/Berlin", "freshness": "1m"}
        ]
    });
    let site = console_with(config);
    let b = Browser::start().await;
    // This browser first saw `stale` long ago, and it has no success since: overdue. (A policy
    // seen for the first time now is not overdue before its first run could have happened.)
    // Written from a page of the console's origin that does not run the console.
    b.goto(&format!("{}config.json", site.url)).await;
    let server = wv.url.trim_end_matches('/');
    b.driver
        .execute(
            "localStorage.setItem('backup-console.policies ' + arguments[0], JSON.stringify({policies: [], firstSeen: {stale: 0}})); return 0",
            vec![json!(server)],
        )
        .await
        .unwrap();
    b.goto(&site.url).await;
    let create = form_xpath("Create backup");
    b.wait_for(&create, Duration::from_secs(30)).await;

    // (1) The header's "Policies" link opens the table; both policies are there, from config.json.
    b.wait_for("//header//a[normalize-space()='Policies']", Duration::from_secs(10)).await.click().await.unwrap();
    let table = "//table[@aria-label='Policies']";
    b.wait_for(table, Duration::from_secs(10)).await;
    let nightly = "table[aria-label=Policies] tr[data-policy=nightly]";
    wait_text(&b, &format!("{nightly} [data-col=state]"), "ok", Duration::from_secs(30)).await;
    let success = text(&b, &format!("{nightly} [data-col=last-success]")).await;
    assert!(success.ends_with("ago") || success == "just now", "{success}");
    assert!(text(&b, &format!("{nightly} [data-col=policy]")).await.contains("from config.json"));
    assert_eq!(text(&b, &format!("{nightly} [data-col=retention]")).await, "max 14, min 3, 30d");
    assert!(text(&b, &format!("{nightly} [data-col=schedule]")).await.contains("0 2 * * *"));
    // The next 02:00 UTC, in this browser's local time.
    let next = text(&b, &format!("{nightly} [data-col=next-run]")).await;
    let expected: String = b
        .driver
        .execute(
            "const d = new Date(); d.setUTCHours(2, 0, 0, 0); if (d <= new Date()) d.setUTCDate(d.getUTCDate() + 1); return d.toLocaleString('en-GB')",
            vec![],
        )
        .await
        .unwrap()
        .json()
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(next, expected);

    // The policy's page lists its two runs, not the look-alikes (membership by template).
    b.driver.find(By::Css(format!("{nightly} [data-col=policy] a"))).await.unwrap().click().await.unwrap();
    b.wait_for("//h2[contains(., 'Policy')]", Duration::from_secs(10)).await;
    let mut members = vec![];
    for row in b.driver.find_all(By::Css("table[aria-label='Backups of this policy'] tr[data-member]")).await.unwrap() {
        members.push(row.attr("data-member").await.unwrap().unwrap());
    }
    assert_eq!(members, ["nightly-20261205-020000", "nightly-20261204-020000"]);
    assert_eq!(b.driver.find_all(By::Css(".next-runs li")).await.unwrap().len(), 5);
    let plan = text(&b, ".retention-plan").await;
    assert!(plan.contains("kept: among the newest 3 (minCount)"), "{plan}");
    let page = b.body_text().await;
    assert!(page.contains("kind: CronJob") && page.contains("\"name\": \"nightly\""), "exports: {page}");

    // The exported policies file runs unchanged in backup-runner, and what it makes is grouped
    // under the policy once the console reads the list again.
    let exported = text(&b, "pre[data-snippet=policies-file]").await;
    let runner = Runner::new(&wv.url, vec![("BACKUP_FILESYSTEM_PATH".into(), wv.backups_dir.display().to_string())]);
    std::fs::write(runner.dir.join("policies.json"), &exported).unwrap();
    let ran = runner.run(&["run", "--policy", "nightly"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    let made = ran.events("succeeded")[0]["id"].as_str().unwrap().to_string();
    b.wait_for(&format!("//table[@aria-label='Backups of this policy']//tr[@data-member='{made}']"), Duration::from_secs(90)).await;

    // (2) `stale` is overdue in its row and in the summary line.
    b.goto(&format!("{}#/policies", site.url)).await;
    wait_text(&b, "tr[data-policy=stale] [data-col=state]", "overdue", Duration::from_secs(30)).await;
    assert_eq!(text(&b, "tr[data-policy=stale] [data-col=last-success]").await, "never");
    b.wait_for("//*[@aria-label='Summary']//*[@data-summary='policies']//a[normalize-space()='1 policy overdue']", Duration::from_secs(10)).await;

    // (3) "Run now" starts an ordinary job with the template's id for now (UTC).
    b.goto(&format!("{}#/policies/nightly", site.url)).await;
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let before = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
    b.click_button("//form[contains(@class, 'run-now')]", "Run now").await;
    let started = b.wait_for("//form[contains(@class, 'run-now')]//*[@role='status']//a", Duration::from_secs(30)).await;
    let id = started.text().await.unwrap();
    let at = IdTemplate::parse(backup_core::policy::DEFAULT_TEMPLATE).unwrap().parse_id("nightly", &id).unwrap_or_else(|| panic!("{id} is not a nightly id"));
    assert!((at - before).num_seconds().abs() < 120, "{id} vs {before}");
    b.goto(&format!("{}#/", site.url)).await;
    let job = format!("backup:filesystem:{id}");
    let status = b.wait_job_status(&job, &DONE, LONG).await;
    assert_eq!(status, "SUCCESS", "{:?}", b.job_cell(&job, "error").await);
    // The policy's selection went with it (the list says which collections a backup holds).
    let (code, list) = rest.call("GET", "/backups/filesystem", None);
    let made = list.as_array().and_then(|l| l.iter().find(|b| b["id"] == json!(id))).cloned();
    assert_eq!((code, made.map(|b| b["classes"].clone())), (200, Some(json!(["Article"]))), "{list}");
    b.quit().await;
}
