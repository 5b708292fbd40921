//! How the console looks and reads: the first run, the jobs, a failed job's detail and the
//! create form with a validation error, at 1400, 1024 and 390 px wide, light and dark, and
//! embedded in the example dashboard. Every view is checked with axe-core (no serious or critical
//! findings); no screenshot is kept, since no test would look at it.


use std::time::Duration;

use crate::common::{axe, console, open, start_restore, weaviate, DONE, LONG};
use e2e::browser::{form_xpath, Browser};
use e2e::repo_root;
use e2e::static_server::{StaticOptions, StaticServer};
use serde_json::json;
use thirtyfour::prelude::*;

/// (width, height, name): a wide desktop, a small laptop, a phone.
const SIZES: [(u32, u32, &str); 3] = [(1400, 900, "1400"), (1024, 768, "1024"), (390, 844, "390")];
const DETAIL: &str = "//section[@aria-labelledby='job-detail-h']";

fn dist() -> std::path::PathBuf {
    std::env::var("CONSOLE_DIST").map(Into::into).unwrap_or_else(|_| repo_root().join("dist"))
}

/// Emulates a device `width` × `height` CSS pixels wide (a phone below 600).
async fn viewport(b: &Browser, width: u32, height: u32) {
    b.driver
        .cdp()
        .send_raw(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
        )
        .await
        .expect("Emulation.setDeviceMetricsOverride");
}

/// Lets the layout settle (fonts, a poll tick) and checks accessibility.
async fn look(b: &Browser, name: &str) {
    tokio::time::sleep(Duration::from_millis(700)).await;
    let found = axe(b).await;
    assert_eq!(found, Vec::<String>::new(), "axe-core on {name}");
}

async fn scroll_y(b: &Browser) -> f64 {
    b.driver.execute("return window.scrollY", vec![]).await.unwrap().json().as_f64().unwrap()
}

/// What sticks out past the viewport's right edge (tag.class: right edge), for a failure message.
async fn sticking_out(b: &Browser) -> String {
    let js = "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1)
        .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '') + ': ' + Math.round(e.getBoundingClientRect().right))
        .slice(0, 12).join(', ')";
    b.driver.execute(js, vec![]).await.unwrap().json().as_str().unwrap_or_default().to_string()
}

/// Whether the page scrolls sideways (something wider than the viewport).
async fn overflows_sideways(b: &Browser) -> bool {
    let r = b
        .driver
        .execute("return document.documentElement.scrollWidth > document.documentElement.clientWidth + 1", vec![])
        .await
        .unwrap();
    r.json().as_bool().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_jobs_detail_and_errors_at_three_widths_light_and_dark() {
    let (wv, rest) = weaviate("looks", &[("Article", 10), ("Author", 3), ("Paragraph", 5)]);
    // A backup made by a script: the list shows it, marked "elsewhere".
    rest.backup("filesystem", json!({"id": "nightly-by-script", "include": ["Author"]}), LONG);
    let site = console();
    let b = Browser::start().await;
    let base = format!("{}?weaviate={}", site.url, wv.url);

    // From this console: a backup, and a restore into a collection that exists, which fails.
    let create = open(&b, &site.url, &wv.url).await;
    b.fill(&create, "Backup ID", "before-upgrade").await;
    b.fill(&create, "Include collections", "Article").await;
    b.click_button(&create, "Start backup").await;
    assert_eq!(b.wait_job_status("backup:filesystem:before-upgrade", &DONE, LONG).await, "SUCCESS");
    let restore = form_xpath("Restore backup");
    b.fill(&restore, "Backup ID", "before-upgrade").await;
    start_restore(&b, &restore).await;
    let failed = "restore:filesystem:before-upgrade";
    assert_eq!(b.wait_job_status(failed, &DONE, LONG).await, "FAILED");
    b.wait_for("//tr[@data-job='backup:filesystem:nightly-by-script']", Duration::from_secs(40)).await;

    for theme in ["light", "dark"] {
        for (w, h, size) in SIZES {
            viewport(&b, w, h).await;

            // First run: no server named anywhere.
            b.goto(&format!("{}?theme={theme}", site.url)).await;
            b.wait_for(&form_xpath("Connection"), Duration::from_secs(30)).await;
            assert!(b.driver.find(By::XPath("//*[normalize-space()='Change server']")).await.is_err());
            look(&b, &format!("first-run-{size}-{theme}")).await;

            // Connected, with jobs: the connection is one line, the summary answers first.
            b.follow_link(&format!("{base}&theme={theme}")).await;
            b.wait_job_status(failed, &["FAILED"], Duration::from_secs(30)).await;
            b.wait_for("//tr[@data-job='backup:filesystem:nightly-by-script']", Duration::from_secs(40)).await;
            let summary = b.wait_for("//*[@aria-label='Summary']", Duration::from_secs(5)).await.text().await.unwrap();
            assert!(summary.contains("1 failure in the last 24 h") && summary.contains("1 of 3 collections in no backup"), "{summary}");
            assert!(!b.field(&form_xpath("Connection"), "Weaviate URL").await.is_displayed().await.unwrap());
            // The dashboard's sections are spaced by the console's grid like the first screen's,
            // though the dashboard is mounted into an element of its own.
            let spacing = b.driver.execute(
                "const s = document.querySelector('[aria-label=Summary]').getBoundingClientRect(), l = document.querySelector('.layout').getBoundingClientRect(); \
                 return [l.top - s.bottom, parseFloat(getComputedStyle(document.querySelector('main.console')).rowGap)]",
                vec![],
            ).await.unwrap().json().clone();
            let (gap, row_gap) = (spacing[0].as_f64().unwrap(), spacing[1].as_f64().unwrap());
            assert!((gap - row_gap).abs() < 0.5, "summary to jobs {gap} px, the console's row gap {row_gap} px, at {size} px");
            assert!(!overflows_sideways(&b).await, "no sideways scrolling at {size} px: {}", sticking_out(&b).await);
            look(&b, &format!("jobs-{size}-{theme}")).await;

            // A failed job's detail, opened from its ID link; "All jobs" returns to the table
            // where it was.
            let link = b.wait_for(&format!("//tr[@data-job='{failed}']//a[normalize-space()='before-upgrade']"), Duration::from_secs(5)).await;
            link.scroll_into_view().await.unwrap();
            let before = scroll_y(&b).await;
            link.click().await.unwrap();
            let detail = b.wait_for(DETAIL, Duration::from_secs(5)).await;
            let text = detail.text().await.unwrap();
            assert!(text.contains("FAILED") && text.contains("already exists"), "{text}");
            assert!(text.contains("Status timeline") && text.contains("STARTED"), "{text}");
            let focused = b.driver.execute("return document.activeElement.id", vec![]).await.unwrap();
            assert_eq!(focused.json(), "job-detail-h", "the detail's heading has the focus");
            assert!(!overflows_sideways(&b).await, "no sideways scrolling at {size} px: {}", sticking_out(&b).await);
            look(&b, &format!("detail-failed-{size}-{theme}")).await;
            b.click_button(DETAIL, "← All jobs").await;
            b.wait_for(&format!("//tr[@data-job='{failed}']"), Duration::from_secs(5)).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(b.driver.find(By::XPath(DETAIL)).await.is_err(), "the detail is closed");
            let after = scroll_y(&b).await;
            assert!((after - before).abs() < 2.0, "back where it was: {before} → {after}");

            // The create form with a validation error.
            b.fill(&create, "Backup ID", "Bad Id").await;
            b.click_button(&create, "Start backup").await;
            b.alert_containing(&create, "lowercase", Duration::from_secs(5)).await;
            b.driver.execute("document.getElementById('create-h').scrollIntoView(); window.scrollBy(0, -12)", vec![]).await.unwrap();
            look(&b, &format!("create-error-{size}-{theme}")).await;
        }
    }
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deep_link_to_a_job_and_change_server() {
    let (wv, rest) = weaviate("looks-link", &[("Article", 4)]);
    rest.backup("filesystem", json!({"id": "listed-one"}), LONG);
    let site = console();
    let b = Browser::start().await;
    viewport(&b, 1024, 768).await;

    // A deep link opens the detail on a fresh load (the job comes from the backend's list);
    // "All jobs" then goes to the table.
    b.follow_link(&format!("{}?weaviate={}#/jobs/backup/filesystem/listed-one", site.url, wv.url)).await;
    let detail = b.wait_for(&format!("{DETAIL}//*[contains(., 'SUCCESS')]"), Duration::from_secs(40)).await;
    assert!(detail.is_displayed().await.unwrap());
    let row = b.wait_for("//tr[@data-job='backup:filesystem:listed-one' and @aria-current='true']", Duration::from_secs(5)).await;
    assert!(row.is_displayed().await.unwrap());
    b.click_button(DETAIL, "← All jobs").await;
    b.wait_for("//tr[@data-job='backup:filesystem:listed-one' and not(@aria-current)]", Duration::from_secs(5)).await;
    assert!(b.driver.current_url().await.unwrap().as_str().ends_with("#/"));

    // An unknown job: says so, with the way back.
    b.follow_link(&format!("{}?weaviate={}#/jobs/backup/filesystem/no-such-job", site.url, wv.url)).await;
    b.wait_for(&format!("{DETAIL}//*[contains(., 'knows no backup')]"), Duration::from_secs(30)).await;

    // "Change server" brings back the same labelled controls, and Connect collapses them again.
    b.follow_link(&format!("{}?weaviate={}", site.url, wv.url)).await;
    b.wait_for(&form_xpath("Create backup"), Duration::from_secs(30)).await;
    let conn = form_xpath("Connection");
    b.click_button("//body", "Change server").await;
    let url = b.field(&conn, "Weaviate URL").await;
    assert!(url.is_displayed().await.unwrap());
    assert!(b.field(&conn, "API key").await.is_displayed().await.unwrap());
    assert_eq!(b.driver.execute("return document.activeElement.id", vec![]).await.unwrap().json(), "weaviate-url");
    b.click_button(&conn, "Connect").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while url.is_displayed().await.unwrap() {
        assert!(std::time::Instant::now() < deadline, "the form stays open after connecting");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.quit().await;
}

async fn host_events(b: &Browser) -> Vec<String> {
    let mut out = vec![];
    for i in b.driver.find_all(By::Css("#events li")).await.unwrap() {
        out.push(i.text().await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_in_the_example_dashboard() {
    let (wv, _rest) = weaviate("looks-embed", &[("Article", 6), ("Author", 2)]);
    let host = StaticServer::start(&repo_root().join("examples"), "/");
    // As the run command deploys it: the server named in config.json too.
    let config = json!({ "weaviateUrl": wv.url, "allowedOrigins": [host.url.trim_end_matches('/')] }).to_string();
    let site = StaticServer::start_with(
        &dist(),
        "/",
        StaticOptions { files: vec![("/config.json".into(), config.into_bytes(), "application/json".into())], ..Default::default() },
    );
    let b = Browser::start().await;
    viewport(&b, 1400, 900).await;
    for theme in ["light", "dark"] {
        b.goto(&format!("{}?theme={theme}", host.host_page(&site.url, &wv.url))).await;
        b.wait_for("//li[@data-type='ready']", Duration::from_secs(30)).await;
        let frame = b.driver.find(By::Id("console")).await.unwrap();
        frame.clone().enter_frame().await.unwrap();
        let create = form_xpath("Create backup");
        b.wait_for(&create, Duration::from_secs(30)).await;
        let id = format!("from-dashboard-{theme}");
        b.fill(&create, "Backup ID", &id).await;
        b.click_button(&create, "Start backup").await;
        assert_eq!(b.wait_job_status(&format!("backup:filesystem:{id}"), &DONE, LONG).await, "SUCCESS");
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(axe(&b).await, Vec::<String>::new(), "axe-core inside the frame, {theme}");
        let content = b.driver.execute("return document.body.scrollHeight", vec![]).await.unwrap().json().as_f64().unwrap();
        b.driver.enter_default_frame().await.unwrap();

        // Auto-height: the frame is as tall as the console (the host adds 20 px).
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let h = b.driver.execute("return document.getElementById('console').getBoundingClientRect().height", vec![]).await.unwrap();
            let h = h.json().as_f64().unwrap();
            if (h - (content + 20.0)).abs() <= 4.0 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "iframe {h} px for content {content} px");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        b.driver.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
        let events = host_events(&b).await;
        assert_eq!(events.iter().filter(|e| *e == "ready").count(), 1, "ready once per load: {events:?}");
    }
    b.quit().await;
}
