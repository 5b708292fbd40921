//! The poller (`use_job_poller_with_options`) against a fake Weaviate with short intervals:
//! the cases that otherwise only the end-to-end suite covers. The fake replaces `window.fetch`
//! for the test's duration, so requests take the app's real `Client` path.

use std::cell::RefCell;
use std::rc::Rc;

use backup_console::client::Client;
use backup_console::now_ms;
use backup_console::poller::{use_job_poller_with_options, UseJobPollerOptions};
use backup_console::state::{AppState, Connection};
use backup_core::api::StartedResponse;
use backup_core::job::{Job, JobKey, JobKind};
use backup_core::poll::{Grid, PollPolicy};
use backup_core::version::Version;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function install_fetch(handler) {
    const real = window.fetch;
    window.fetch = (req, init) => {
        const url = typeof req === "string" ? req : req.url;
        const signal = (init && init.signal) || req.signal;
        const [status, body, delay] = handler(url);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => resolve(new Response(body, { status, headers: { "content-type": "application/json" } })), delay);
            if (signal) signal.addEventListener("abort", () => { clearTimeout(timer); reject(new DOMException("aborted", "AbortError")); });
        });
    };
    return () => { window.fetch = real; };
}
export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
"#)]
extern "C" {
    fn install_fetch(handler: &Closure<dyn FnMut(String) -> js_sys::Array>) -> js_sys::Function;
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_promise(ms: u32) -> js_sys::Promise;
}

async fn sleep(ms: u32) {
    wasm_bindgen_futures::JsFuture::from(sleep_promise(ms)).await.unwrap();
}

/// A fake Weaviate: every status read gets `status` and `body` after `delay_ms`; lists are empty. It logs
/// when each status read was sent. Restores the real `fetch` when dropped.
struct FakeServer {
    asks: Rc<RefCell<Vec<u64>>>,
    restore: js_sys::Function,
    _handler: Closure<dyn FnMut(String) -> js_sys::Array>,
}

impl FakeServer {
    fn start(status: u16, body: &str, delay_ms: u32) -> FakeServer {
        let asks = Rc::new(RefCell::new(vec![]));
        let body = body.to_string();
        let handler = Closure::new({
            let asks = asks.clone();
            move |url: String| {
                let (status, body) = if url.contains("order=desc") {
                    (200, "[]".to_string())
                } else {
                    asks.borrow_mut().push(now_ms());
                    (status, body.clone())
                };
                js_sys::Array::of3(&status.into(), &body.into(), &delay_ms.into())
            }
        });
        let restore = install_fetch(&handler);
        FakeServer { asks, restore, _handler: handler }
    }
    fn asks(&self) -> Vec<u64> {
        self.asks.borrow().clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        let _ = self.restore.call0(&JsValue::NULL);
    }
}

const RUNNING: &str = r#"{"id":"b","backend":"filesystem","status":"STARTED"}"#;

/// A coordinator checking 100 ms after the start, then every 200 ms; asked 30 ms after each.
fn short_grid(_: Version) -> Grid {
    Grid { first_ms: 100, step_ms: 200, doubling: false, margin_ms: 30, drift_ms: 0 }
}

fn options(policy: PollPolicy) -> UseJobPollerOptions {
    UseJobPollerOptions { tick_ms: 20, list_ms: 60_000, policy, grid_for: short_grid, ..UseJobPollerOptions::default() }
}

fn quick() -> PollPolicy {
    PollPolicy { fast_ms: 10, fast_for_ms: 60_000, cap_ms: 10, hidden_ms: 400, retry_base_ms: 40, retry_cap_ms: 160, ..PollPolicy::default() }
}

/// A backup started at `start` on this console's clock; `None`: started elsewhere (polled
/// adaptively).
fn job(start: Option<u64>) -> Job {
    let resp: StartedResponse = serde_json::from_str(RUNNING).unwrap();
    let mut j = Job::started(JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: "b".into() }, &resp, start.unwrap_or(now_ms()));
    if start.is_none() {
        j.grid_start_ms = None;
    }
    j
}

/// An app state connected to the fake server, holding `job`, with the poller mounted.
fn poll(job: Job, options: UseJobPollerOptions) -> (AppState, impl Drop, impl Fn() + Clone, impl Fn() + Clone) {
    let state = AppState::new();
    state.connection.set(Some(Connection {
        client: Client::new("http://fake.test:8080", None),
        version: "1.39.0".into(),
        caps: backup_core::version::Capabilities::for_version("1.39.0"),
        backends: vec!["filesystem".into()],
        collections: vec![],
        nodes: vec!["node1".into()],
        clock_offset_ms: None,
        access: None,
    }));
    state.jobs.update(|j| j.add(job));
    let doc = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    let made = Rc::new(RefCell::new(None));
    let handle = leptos::mount::mount_to(host, {
        let made = made.clone();
        move || {
            state.provide();
            let r = use_job_poller_with_options(options);
            *made.borrow_mut() = Some((Owner::current().unwrap(), r.pause, r.resume));
        }
    });
    let (owner, pause, resume) = made.borrow_mut().take().unwrap();
    (state, Unmount(owner, handle), pause, resume)
}

/// Unmounts the app and disposes its owner: dropping the handle alone left a test's poller
/// asking during the next tests (their fake server counted its reads).
struct Unmount<H>(Owner, H);

impl<H> Drop for Unmount<H> {
    fn drop(&mut self) {
        self.0.cleanup();
    }
}

fn gaps(asks: &[u64]) -> Vec<u64> {
    asks.windows(2).map(|w| w[1] - w[0]).collect()
}

#[wasm_bindgen_test]
async fn asks_just_after_each_check_of_the_grid() {
    let server = FakeServer::start(200, RUNNING, 5);
    let start = now_ms();
    let (_state, _app, _, _) = poll(job(Some(start)), options(quick()));
    sleep(800).await;
    let asks: Vec<u64> = server.asks().iter().map(|t| t - start).collect();
    // Checks at 100, 300, 500, 700 ms: asked 30 ms after each, never before, and not between
    // (the 20 ms ticks and the 10 ms adaptive interval would ask far more often).
    assert_eq!(asks.len(), 4, "{asks:?}");
    for (ask, check) in asks.iter().zip([100, 300, 500, 700]) {
        assert!((check + 30..check + 90).contains(ask), "asked at +{ask} ms for the check at +{check}: {asks:?}");
    }
}

#[wasm_bindgen_test]
async fn never_two_reads_in_flight_for_one_job() {
    let server = FakeServer::start(200, RUNNING, 120);
    let (_state, _app, _, _) = poll(job(None), options(quick()));
    sleep(600).await;
    let asks = server.asks();
    assert!(asks.len() >= 3, "kept asking: {asks:?}");
    // Due every 10 ms and ticked every 20 ms, each read still waits for the last answer.
    assert!(gaps(&asks).iter().all(|g| *g >= 120), "overlapping reads: gaps {:?}", gaps(&asks));
}

#[wasm_bindgen_test]
async fn failed_reads_back_off_to_the_cap() {
    let server = FakeServer::start(503, r#"{"error":[{"message":"down"}]}"#, 0);
    let (state, _app, _, _) = poll(job(None), options(quick()));
    sleep(700).await;
    let gaps = gaps(&server.asks());
    assert!(gaps.len() >= 4, "{gaps:?}");
    for (gap, want) in gaps.iter().zip([40, 80, 160, 160]) {
        assert!((want..want + 60).contains(gap), "gaps {gaps:?}, want 40, 80, 160, 160");
    }
    let problem = state.jobs.with_untracked(|j| j.entries()[0].job.with_untracked(|j| j.poll_problem.clone()));
    assert!(problem.is_some_and(|p| p.contains("retrying")));
}

#[wasm_bindgen_test]
async fn a_hidden_tab_asks_at_the_heartbeat_and_at_once_when_shown() {
    let server = FakeServer::start(200, RUNNING, 0);
    let hidden = RwSignal::new(true);
    let (_state, _app, _, _) = poll(job(None), UseJobPollerOptions { hidden: Some(hidden.into()), ..options(quick()) });
    sleep(600).await;
    let asks = server.asks();
    // At once (it may have changed while nobody looked), then at the 400 ms heartbeat.
    assert_eq!(asks.len(), 2, "hidden, asked at {:?}", gaps(&asks));
    assert!(gaps(&asks)[0] >= 400);
    let shown = now_ms();
    hidden.set(false);
    sleep(100).await;
    let after = server.asks();
    // The next heartbeat would be 400 ms after the last ask.
    assert!(after.len() > 2 && after[2] - shown < 80, "shown at {shown}, asked at {after:?}");
}

#[wasm_bindgen_test]
async fn a_permanent_error_stops_polling_with_the_reason_until_checked_again() {
    let server = FakeServer::start(403, r#"{"error":[{"message":"forbidden"}]}"#, 0);
    let (state, _app, _, _) = poll(job(None), options(quick()));
    sleep(300).await;
    assert_eq!(server.asks().len(), 1, "asked again after a 403");
    let row = state.jobs.with_untracked(|j| j.entries()[0].job.clone());
    let problem = row.with_untracked(|j| j.poll_problem.clone()).unwrap_or_default();
    assert!(problem.contains("(403) — polling stopped"), "{problem}");
    // "Check again": the next tick asks once more, and stops again.
    row.update(Job::check_again);
    sleep(200).await;
    assert_eq!(server.asks().len(), 2);
    assert!(row.with_untracked(|j| j.poll_stopped.is_some()));
}

#[wasm_bindgen_test]
async fn pause_stops_asking_and_resume_asks_again() {
    let server = FakeServer::start(200, RUNNING, 0);
    let (_state, _app, pause, resume) = poll(job(None), options(quick()));
    sleep(100).await;
    pause();
    sleep(20).await;
    let paused = server.asks().len();
    assert!(paused >= 3, "{paused}");
    sleep(200).await;
    assert_eq!(server.asks().len(), paused, "asked while paused");
    resume();
    sleep(50).await;
    assert!(server.asks().len() > paused + 1);
}

#[wasm_bindgen_test]
async fn unmounting_aborts_the_read_in_flight_and_stops_asking() {
    let server = FakeServer::start(200, RUNNING, 100);
    let (state, app, _, _) = poll(job(None), options(quick()));
    sleep(50).await;
    assert_eq!(server.asks().len(), 1);
    let row = state.jobs.with_untracked(|j| j.entries()[0].job.clone());
    let before = row.with_untracked(|j| j.last_update_ms);
    drop(app);
    sleep(250).await;
    assert_eq!(server.asks().len(), 1, "asked after unmounting");
    assert_eq!(row.with_untracked(|j| j.last_update_ms), before, "an answer landed after unmounting");
}
