//! Component tests of the layout around the jobs: the job detail, the summary line and the
//! connection line (a module of `browser.rs`, sharing its helpers).

use backup_core::api::{StartedResponse, StatusResponse};
use backup_core::job::{Job, JobKey, JobKind};
use backup_core::snippet::SentRequest;
use backup_console::components::{JobDetail, SummaryLine};
use backup_console::first_screen::connection_form::{connection_form, ConnectionUi};
use backup_console::first_screen::connection_line::connection_line;
use backup_console::first_screen::dom::El;
use backup_console::state::AppState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use super::{connected_state, mount, q, settle_dom};

fn key(kind: JobKind, id: &str) -> JobKey {
    JobKey { kind, backend: "filesystem".into(), id: id.into() }
}

fn started(kind: JobKind, id: &str, classes: &[&str], at: u64) -> Job {
    let resp: StartedResponse = serde_json::from_str(&format!(
        r#"{{"id":"{id}","backend":"filesystem","classes":{},"status":"STARTED"}}"#,
        serde_json::to_string(classes).unwrap()
    ))
    .unwrap();
    Job::started(key(kind, id), &resp, at)
}

fn status(job: &mut Job, json: &str, at: u64) {
    let resp: StatusResponse = serde_json::from_str(json).unwrap();
    job.apply_status(&resp, at);
}

fn click(root: &web_sys::Element, sel: &str) {
    q(root, sel).unwrap_or_else(|| panic!("no {sel}")).unchecked_into::<HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn job_detail_shows_the_timeline_the_error_with_its_hint_and_the_request() {
    let state = connected_state();
    let now = backup_console::now_ms();
    let mut job = started(JobKind::Restore, "before-upgrade", &["Article"], now - 5_000);
    status(&mut job, r#"{"status":"TRANSFERRING"}"#, now - 4_000);
    status(
        &mut job,
        r#"{"status":"FAILED","error":"could not restore classes: [\"Article\": class name Article already exists]"}"#,
        now - 2_000,
    );
    job.request = Some(SentRequest {
        method: "POST".into(),
        path: "/backups/filesystem/before-upgrade/restore".into(),
        body: Some("{}".into()),
    });
    state.jobs.update(|j| j.add(job));
    let backs = RwSignal::new(0);
    let (root, _h) = mount(move || {
        state.provide();
        let back = Callback::new(move |()| backs.update(|n| *n += 1));
        view! { <JobDetail key=key(JobKind::Restore, "before-upgrade") back /> }
    });
    settle_dom().await;

    let heading = q(&root, "#job-detail-h").unwrap().text_content().unwrap();
    assert_eq!(heading, "Restore before-upgrade");
    let steps: Vec<String> = {
        let list = root.query_selector_all(".timeline li .status").unwrap();
        (0..list.length()).map(|i| list.get(i).unwrap().text_content().unwrap()).collect()
    };
    assert_eq!(steps, ["STARTED", "TRANSFERRING", "FAILED"]);
    let error = q(&root, ".detail-error").unwrap().text_content().unwrap();
    assert!(error.contains("class name Article already exists"), "{error}");
    assert!(error.contains("delete it first"), "the hint: {error}");
    let curl = q(&root, "pre[data-snippet=curl]").unwrap().text_content().unwrap();
    assert!(curl.contains("/v1/backups/filesystem/before-upgrade/restore"), "{curl}");
    let again = q(&root, "a.button-link").unwrap();
    assert_eq!(again.text_content().unwrap(), "Restore again…");
    assert_eq!(again.get_attribute("href").as_deref(), Some("#/restore/filesystem/before-upgrade"));
    assert!(q(&root, "button.danger").is_none(), "no cancel for a finished job");

    click(&root, "button.back");
    assert_eq!(backs.get_untracked(), 1);
}

#[wasm_bindgen_test]
async fn job_detail_of_a_running_backup_offers_a_confirmed_cancel_and_of_an_unknown_one_says_so() {
    let state = connected_state();
    let now = backup_console::now_ms();
    state.jobs.update(|j| j.add(started(JobKind::Backup, "nightly", &["Article"], now)));
    let (root, _h) = mount(move || {
        state.provide();
        view! {
            <JobDetail key=key(JobKind::Backup, "nightly") back=Callback::new(|()| ()) />
            <div id="other"><JobDetail key=key(JobKind::Backup, "gone") back=Callback::new(|()| ()) /></div>
        }
    });
    settle_dom().await;
    let cancel = root.query_selector_all("button.secondary").unwrap();
    let cancel: HtmlElement = (0..cancel.length())
        .map(|i| cancel.get(i).unwrap().unchecked_into::<HtmlElement>())
        .find(|b| b.text_content().as_deref() == Some("Cancel"))
        .expect("a Cancel button");
    cancel.click();
    settle_dom().await;
    let confirm = q(&root, "[role=group][aria-label='Confirm cancel']").expect("a confirmation");
    assert!(confirm.text_content().unwrap().contains("No backup data is deleted"));

    let other = q(&root, "#other").unwrap().text_content().unwrap();
    assert!(other.contains("knows no backup \"gone\""), "{other}");
}

#[wasm_bindgen_test]
async fn summary_line_counts_running_recent_failures_and_collections_in_no_backup() {
    let state = connected_state(); // collections Article, Paragraph
    let now = backup_console::now_ms();
    state.now.set(now);
    let mut ok = started(JobKind::Backup, "ok", &["Article"], now - 60_000);
    status(&mut ok, r#"{"status":"SUCCESS"}"#, now - 50_000);
    let mut bad = started(JobKind::Backup, "bad", &["Paragraph"], now - 40_000);
    status(&mut bad, r#"{"status":"FAILED","error":"boom"}"#, now - 30_000);
    let running = started(JobKind::Backup, "running", &["Paragraph"], now);
    state.jobs.update(|j| {
        j.add(ok);
        j.add(bad);
        j.add(running);
    });
    let (root, _h) = mount(move || {
        state.provide();
        view! { <SummaryLine /> }
    });
    settle_dom().await;
    let text = q(&root, "[aria-label=Summary]").unwrap().text_content().unwrap();
    assert!(text.contains("1 job running"), "{text}");
    assert!(text.contains("1 failure in the last 24 h"), "{text}");
    assert!(text.contains("1 of 2 collections in no backup"), "{text}");
}

#[wasm_bindgen_test]
async fn once_connected_the_connection_is_one_line_and_change_server_brings_the_same_controls_back() {
    let state = AppState::new();
    let (root, _h) = super::support::mount_dom(move || {
        state.provide();
        let ui = ConnectionUi::default();
        let both = El::new("div");
        connection_line(&both, ui);
        both.child(connection_form(ui)).0
    });
    settle_dom().await;
    let form = q(&root, "form[aria-labelledby=connection-h]").unwrap();
    assert!(!form.has_attribute("hidden"), "first run: the form");
    assert!(q(&root, ".conn-line").is_none());

    state.connection.set(Some(super::connection("http://127.0.0.1:9")));
    settle_dom().await;
    assert!(form.has_attribute("hidden"), "connected: the line instead");
    let line = q(&root, ".conn-line").unwrap().text_content().unwrap();
    assert!(line.contains("127.0.0.1:9") && line.contains("Weaviate 1.39.0") && line.contains("filesystem"), "{line}");
    assert!(line.contains("no API key"), "{line}");

    click(&root, ".conn-line button");
    settle_dom().await;
    assert!(!form.has_attribute("hidden"));
    for sel in ["#weaviate-url", "#api-key", "button[type=submit]"] {
        assert!(q(&form, sel).is_some(), "{sel}");
    }
    assert_eq!(q(&root, ".conn-line button").unwrap().get_attribute("aria-expanded").as_deref(), Some("true"));

    // A (re)connection closes it again.
    state.connection.set(Some(super::connection("http://127.0.0.1:9")));
    settle_dom().await;
    assert!(form.has_attribute("hidden"));
}
