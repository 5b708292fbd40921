//! Framed by a page the deployment does not allow, on a static host that sends no
//! `frame-ancestors` header (nothing stops the frame): the console says so, sends nothing by
//! itself although `config.json` names a server and its key, and refuses restores and cancels, so
//! a page overlaying it cannot click-jack one through. An allowed host's frame connects at once.


use std::time::Duration;

use crate::common::{dist, DONE, LONG};
use e2e::browser::{form_xpath, Browser};
use e2e::proxy::{Fault, Proxy, Rule};
use e2e::static_server::{StaticOptions, StaticServer};
use e2e::weaviate::{ApiKey, Options, Weaviate};
use e2e::{repo_root, wait_until};
use thirtyfour::prelude::*;

const KEY: &str = "framing-admin-key";
const TIMEOUT: Duration = Duration::from_secs(30);
const REFUSED: &str = "which this deployment does not allow";

/// A page on an origin of its own that frames `console_url` over a decoy, almost transparent,
/// as a click-jacker does.
fn decoy_page(console_url: &str) -> StaticServer {
    let page = format!(
        r#"<!doctype html><title>Claim your prize</title>
<button style="position:absolute;top:300px;left:900px">Claim your prize</button>
<iframe id="console" src="{console_url}" style="position:absolute;top:0;left:0;width:1200px;height:1300px;border:0;opacity:0.01"></iframe>"#
    );
    let files = vec![("/prize.html".into(), page.into_bytes(), "text/html; charset=utf-8".into())];
    StaticServer::start_with(&repo_root().join("examples"), "/", StaticOptions { files, ..Default::default() })
}

fn count(proxy: &Proxy, what: impl Fn(&str, &str) -> bool) -> usize {
    proxy.seen().iter().filter(|s| what(&s.method, &s.path)).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_not_on_allowed_origins_frames_the_console_and_gets_nothing_done() {
    let wv = Weaviate::start(Options {
        name: "framing".into(),
        api_key: Some(ApiKey { key: KEY.into(), user: "admin".into() }),
        ..Default::default()
    });
    let rest = wv.rest();
    rest.create_collection("Article");
    rest.insert_objects("Article", 5);
    let proxy = Proxy::start(&wv.url);
    let host = StaticServer::start(&repo_root().join("examples"), "/");
    // A real server and its key in config.json: a console that would connect by itself.
    let config = serde_json::json!({ "weaviateUrl": proxy.url, "apiKey": KEY, "allowedOrigins": [host.url.trim_end_matches('/')] });
    let files = vec![("/config.json".into(), config.to_string().into_bytes(), "application/json".into())];
    let site = StaticServer::start_with(&dist(), "/", StaticOptions { files, ..Default::default() });
    let decoy = decoy_page(&site.url);
    let b = Browser::start().await;

    b.goto(&format!("{}prize.html", decoy.url)).await;
    b.driver.find(By::Id("console")).await.unwrap().enter_frame().await.unwrap();
    let notice = b.wait_for(&format!("//*[@role='status' and contains(., '{REFUSED}')]"), TIMEOUT).await.text().await.unwrap();
    assert!(notice.contains(&format!("framed by {}, {REFUSED}", decoy.url.trim_end_matches('/'))), "{notice}");
    // The form is filled in from config.json, and nothing is sent until the admin says so.
    let conn = form_xpath("Connection");
    assert_eq!(b.field(&conn, "Weaviate URL").await.prop("value").await.unwrap().as_deref(), Some(proxy.url.as_str()));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(proxy.seen().is_empty(), "the framed console sent requests by itself: {:?}", proxy.seen());

    // The admin's own Connect works (and so would a click-jacked one: reading is harmless).
    b.click_button(&conn, "Connect").await;
    let create = form_xpath("Create backup");
    b.wait_for(&create, TIMEOUT).await;

    // Cancel stays in view, disabled, saying why. (Status reads fail for now, so the backup
    // stays STARTED here however fast the server is.)
    let held = proxy.add_rule(Rule { method: Some("GET"), path_contains: "/v1/backups/filesystem/framed", nth: None, fault: Fault::Status(503) });
    b.fill(&create, "Backup ID", "framed").await;
    b.click_button(&create, "Start backup").await;
    let row = "//tr[@data-job='backup:filesystem:framed']";
    let cancel = b.wait_for(&format!("{row}//button[normalize-space()='Cancel']"), TIMEOUT).await;
    assert_eq!(cancel.attr("disabled").await.unwrap().as_deref(), Some("true"), "Cancel is refused");
    assert!(cancel.attr("title").await.unwrap().unwrap_or_default().contains(REFUSED));
    assert!(proxy.fired(held) > 0, "the backup's status reads were held");
    proxy.clear_rules();
    assert_eq!(b.wait_job_status("backup:filesystem:framed", &DONE, LONG).await, "SUCCESS");

    // The restore form is there and says why it refuses; Start restore sends nothing (not even
    // the pre-flight's schema read) and asks for no confirmation.
    let restore = form_xpath("Restore backup");
    let reason = b.wait_for(&format!("{restore}//*[@role='status' and contains(., '{REFUSED}')]"), TIMEOUT).await;
    assert!(reason.text().await.unwrap().contains("restores and cancels are refused"));
    let schema_reads = count(&proxy, |_, p| p.starts_with("/v1/schema"));
    b.fill(&restore, "Backup ID", "framed").await;
    b.click_button(&restore, "Start restore").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(b.driver.find(By::XPath(&format!("{restore}//button[normalize-space()='Confirm restore']"))).await.is_err());
    assert_eq!(count(&proxy, |_, p| p.starts_with("/v1/schema")), schema_reads, "no pre-flight");
    assert_eq!(count(&proxy, |_, p| p.contains("/restore")), 0, "no restore reached the server");
    assert_eq!(count(&proxy, |m, _| m == "DELETE"), 0, "no cancel reached the server");
    b.driver.enter_default_frame().await.unwrap();

    // The same console in the allowed host's frame connects by itself, as before.
    let before = count(&proxy, |_, p| p.starts_with("/v1/meta"));
    b.goto(&host.host_page(&site.url, &proxy.url)).await;
    wait_until(TIMEOUT, "the allowed host's console connects", || count(&proxy, |_, p| p.starts_with("/v1/meta")) > before);
    b.driver.find(By::Id("console")).await.unwrap().enter_frame().await.unwrap();
    b.wait_for(&create, TIMEOUT).await;
    assert!(!b.body_text().await.contains(REFUSED));
    b.quit().await;
}
