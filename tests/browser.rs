//! Components mounted in headless Chromium (wasm-bindgen-test), asserting on the DOM.

use backup_core::api::StartedResponse;
use backup_core::job::{Job, JobKey, JobKind};
use backup_core::status::Status;
use backup_console::components::{CoverageView, CreateBackupForm, ErrorAlert, JobTable, RestoreBackupForm, SummaryLine};
use backup_console::state::AppState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

#[path = "support/mod.rs"]
mod support;

use support::{connection, mount, q, set_input};

wasm_bindgen_test_configure!(run_in_browser);

fn connected_state() -> AppState {
    let state = AppState::new();
    // Never reached: these tests only exercise what happens before a request.
    state.connection.set(Some(connection("http://127.0.0.1:9")));
    state
}

fn job(id: &str) -> Job {
    let resp: StartedResponse = serde_json::from_str(&format!(
        r#"{{"id":"{id}","backend":"filesystem","classes":["Article"],"status":"STARTED"}}"#
    ))
    .unwrap();
    Job::started(JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: id.into() }, &resp, 0)
}

fn submit(root: &Element) {
    let button: HtmlElement = q(root, "button[type=submit]").unwrap().unchecked_into();
    button.click();
}

#[wasm_bindgen_test]
async fn job_rows_show_exact_status_and_update_in_place() {
    let state = connected_state();
    state.jobs.update(|j| {
        j.add(job("older"));
        j.add(job("newer"));
    });
    let (root, _h) = mount(move || {
        state.provide();
        view! { <JobTable /> }
    });
    leptos::task::tick().await;
    let table = q(&root, "table").unwrap();
    assert_eq!(q(&table, "caption").unwrap().text_content().unwrap(), "Jobs");
    let rows = root.query_selector_all("tr[data-job]").unwrap();
    assert_eq!(rows.length(), 2);
    let first: Element = rows.get(0).unwrap().unchecked_into();
    assert_eq!(first.get_attribute("data-job").unwrap(), "backup:filesystem:newer", "newest first");
    let status = q(&root, "tr[data-job='backup:filesystem:older'] [data-col=status]").unwrap();
    assert_eq!(status.text_content().unwrap(), "STARTED");

    // A status change updates that row's cell, the same DOM node.
    let entry = state.jobs.with_untracked(|j| j.entries()[1].clone());
    entry.job.update(|j| j.status = Status::parse("SUCCESS"));
    leptos::task::tick().await;
    assert_eq!(status.text_content().unwrap(), "SUCCESS");
    assert!(status.class_name().contains("status-success"));

    // An unknown status from a newer server is shown as-is.
    entry.job.update(|j| j.status = Status::parse("REINDEXING"));
    leptos::task::tick().await;
    assert_eq!(status.text_content().unwrap(), "REINDEXING");
}

#[wasm_bindgen_test]
async fn invalid_id_is_flagged_and_nothing_is_started() {
    let state = connected_state();
    let (root, _h) = mount(move || {
        state.provide();
        view! { <CreateBackupForm /> }
    });
    leptos::task::tick().await;
    let form = q(&root, "form").unwrap();
    let name_id = form.get_attribute("aria-labelledby").unwrap();
    assert_eq!(q(&root, &format!("#{name_id}")).unwrap().text_content().unwrap(), "Create backup");

    set_input(&root, "#create-id", "My Backup");
    submit(&root);
    leptos::task::tick().await;
    let id = q(&root, "#create-id").unwrap();
    assert_eq!(id.get_attribute("aria-invalid").as_deref(), Some("true"));
    let alert = q(&root, "#create-id-error[role=alert]").unwrap();
    assert!(alert.text_content().unwrap().contains("lowercase"));
    assert!(state.jobs.with_untracked(|j| j.entries().is_empty()));
    let button = q(&root, "button[type=submit]").unwrap();
    assert!(!button.has_attribute("disabled"), "no request in flight");
}

#[wasm_bindgen_test]
async fn include_and_exclude_together_and_unknown_collection() {
    let state = connected_state();
    let (root, _h) = mount(move || {
        state.provide();
        view! { <CreateBackupForm /> }
    });
    leptos::task::tick().await;
    set_input(&root, "#create-id", "ok-id");
    set_input(&root, "#create-include", "Article");
    set_input(&root, "#create-exclude", "Paragraph");
    submit(&root);
    leptos::task::tick().await;
    for f in ["#create-include", "#create-exclude"] {
        assert_eq!(q(&root, f).unwrap().get_attribute("aria-invalid").as_deref(), Some("true"), "{f}");
    }
    assert!(q(&root, "#create-id").unwrap().get_attribute("aria-invalid").is_none());

    set_input(&root, "#create-exclude", "");
    set_input(&root, "#create-include", "article");
    submit(&root);
    leptos::task::tick().await;
    let alert = q(&root, "#create-include-error[role=alert]").unwrap().text_content().unwrap();
    assert!(alert.contains("did you mean Article"), "{alert}");
    assert!(q(&root, "#create-exclude").unwrap().get_attribute("aria-invalid").is_none());
}

#[wasm_bindgen_test]
async fn server_text_is_escaped_in_alerts() {
    let err = backup_core::error::ApiError::from_response(
        422,
        r#"{"error":[{"message":"class <b>Foo</b> doesn't exist"}]}"#,
    );
    let (root, _h) = mount(move || view! { <ErrorAlert error=Signal::stored(Some(err)) /> });
    leptos::task::tick().await;
    let alert = q(&root, "[role=alert]").unwrap();
    assert!(q(&alert, "b").is_none(), "markup from the server is not interpreted");
    let text = alert.text_content().unwrap();
    assert!(text.contains("class <b>Foo</b> doesn't exist"), "{text}");
    assert!(text.contains("case-sensitive"), "{text}");
}

#[wasm_bindgen_test]
async fn table_filters_and_clears_finished_jobs() {
    let state = connected_state();
    state.jobs.update(|j| {
        j.add(job("alpha"));
        j.add(job("beta"));
    });
    let done = state.jobs.with_untracked(|j| j.entries()[0].job.clone());
    done.update(|j| j.status = Status::parse("SUCCESS"));
    let (root, _h) = mount(move || {
        state.provide();
        view! { <JobTable /> }
    });
    leptos::task::tick().await;
    let rows = || root.query_selector_all("tr[data-job]").unwrap().length();
    assert_eq!(rows(), 2);

    set_input(&root, "#jobs-filter", "alp");
    leptos::task::tick().await;
    assert_eq!(rows(), 1);
    assert!(q(&root, "tr[data-job='backup:filesystem:alpha']").is_some());
    set_input(&root, "#jobs-filter", "");

    let status: web_sys::HtmlSelectElement = q(&root, "#jobs-status").unwrap().unchecked_into();
    status.set_value("Succeeded");
    status.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    leptos::task::tick().await;
    assert_eq!(rows(), 1);
    assert!(q(&root, "tr[data-job='backup:filesystem:beta']").is_some());
    status.set_value("All");
    status.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();

    let clear: HtmlElement = root
        .query_selector_all("button")
        .unwrap()
        .get(0)
        .unwrap()
        .unchecked_into();
    assert_eq!(clear.text_content().unwrap(), "Clear finished");
    clear.click();
    leptos::task::tick().await;
    assert_eq!(rows(), 1);
    assert!(q(&root, "tr[data-job='backup:filesystem:alpha']").is_some(), "running job stays");
}

#[wasm_bindgen_test]
async fn no_backup_backend_says_how_to_enable_one() {
    let state = connected_state();
    state.connection.update(|c| c.as_mut().unwrap().backends.clear());
    let (root, _h) = mount(move || {
        state.provide();
        view! { <CreateBackupForm /> }
    });
    leptos::task::tick().await;
    let alert = q(&root, "[role=alert]").unwrap().text_content().unwrap();
    assert!(alert.contains("No backup backend is enabled") && alert.contains("ENABLE_MODULES=backup-filesystem"), "{alert}");
}

#[wasm_bindgen_test]
async fn a_job_added_again_updates_its_existing_row() {
    let state = connected_state();
    let (root, _h) = mount(move || {
        state.provide();
        view! { <JobTable /> }
    });
    // The list finds the backup while the console's POST is still in flight…
    let listed: backup_core::api::BackupListItem =
        serde_json::from_str(r#"{"id":"race","status":"STARTED","classes":["Article"]}"#).unwrap();
    state.jobs.update(|j| {
        j.merge_listed("filesystem", &[listed], 0);
    });
    leptos::task::tick().await;
    let row = q(&root, "tr[data-job='backup:filesystem:race']").unwrap();
    assert!(row.text_content().unwrap().contains("elsewhere"));
    // …then the POST answer arrives: the same row now follows the console's job.
    state.jobs.update(|j| j.add(job("race")));
    leptos::task::tick().await;
    assert!(!row.text_content().unwrap().contains("elsewhere"), "row shows the console's job");
    let entry = state.jobs.with_untracked(|j| j.entries()[0].clone());
    entry.job.update(|j| j.status = Status::parse("SUCCESS"));
    leptos::task::tick().await;
    assert_eq!(q(&root, "tr[data-job='backup:filesystem:race'] [data-col=status]").unwrap().text_content().unwrap(), "SUCCESS");
    assert_eq!(root.query_selector_all("tr[data-job]").unwrap().length(), 1);
}

/// Years of backups: "Started" says which day unless it was today.
#[wasm_bindgen_test]
async fn started_shows_the_date_unless_today() {
    let state = connected_state();
    let mut old = job("old");
    old.started_ms = 1_735_819_200_000; // 2 January 2025, 12:00 UTC
    let mut today = job("today");
    today.started_ms = backup_console::now_ms();
    state.jobs.update(|j| j.replace(vec![old, today]));
    let (root, _h) = mount(move || {
        state.provide();
        view! { <JobTable /> }
    });
    settle_dom().await;
    let started = |id: &str| {
        q(&root, &format!("tr[data-job='backup:filesystem:{id}'] [data-col=started]")).unwrap().text_content().unwrap()
    };
    assert!(started("old").contains("/2025"), "{}", started("old"));
    assert!(!started("today").contains('/'), "time of day only: {}", started("today"));
}

/// Should anything panic, the page says so and offers a reload instead of dying silently.
#[wasm_bindgen_test]
fn a_panic_leaves_a_stopped_message_with_a_reload_link() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let page = doc.create_element("div").unwrap();
    page.set_inner_html("<p>the console as it was</p>");
    backup_console::panic_page::render_stopped(&page);
    let alert = q(&page, "[role=alert]").expect("an alert");
    assert!(alert.text_content().unwrap().contains("The console stopped — reload"));
    assert!(!page.text_content().unwrap().contains("as it was"));
    let link = q(&page, "a[href]").expect("a reload link");
    assert_eq!(link.get_attribute("href"), web_sys::window().unwrap().location().href().ok());
}

/// `(data-job, status, "elsewhere" badge)` of every row, top to bottom.
fn rows(root: &Element) -> Vec<(String, String, bool)> {
    let list = root.query_selector_all("tr[data-job]").unwrap();
    (0..list.length())
        .map(|i| {
            let tr: Element = list.get(i).unwrap().unchecked_into();
            let status = q(&tr, "[data-col=status]").unwrap().text_content().unwrap();
            (tr.get_attribute("data-job").unwrap(), status, q(&tr, ".badge").is_some())
        })
        .collect()
}

/// Lets effects, memos and the row list catch up.
async fn settle_dom() {
    for _ in 0..4 {
        leptos::task::tick().await;
    }
}

/// Server A's journal has backup `x`; server B's list has a backup `x` too. Switching A→B→A→B→A
/// must never touch a disposed signal, each server shows its own `x`, and a late answer about
/// A's `x` must not change B's row.
#[wasm_bindgen_test]
async fn switching_servers_back_and_forth_keeps_each_servers_rows() {
    use backup_core::journal::{Journal, STORAGE_KEY};
    let (a, b) = (connection("http://127.0.0.1:9"), connection("http://127.0.0.2:9"));
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let mut journal = Journal::default();
    journal.set_jobs(a.client.base_url(), vec![job("x"), job("a-only")]);
    journal.set_jobs(b.client.base_url(), vec![job("b-only")]);
    storage.set_item(STORAGE_KEY, &journal.to_json()).unwrap();

    let state = AppState::new();
    state.connection.set(Some(a.clone()));
    let (root, _h) = mount(move || {
        state.provide();
        backup_console::journal::use_journal();
        view! { <JobTable /> }
    });
    settle_dom().await;
    let on_a = || {
        vec![
            ("backup:filesystem:x".to_string(), "STARTED".to_string(), false),
            ("backup:filesystem:a-only".to_string(), "STARTED".to_string(), false),
        ]
    };
    assert_eq!(rows(&root), on_a());
    let x_on_a = state.jobs.with_untracked(|j| j.entries()[0].clone());

    let listed: backup_core::api::BackupListItem =
        serde_json::from_str(r#"{"id":"x","status":"SUCCESS","classes":["Paragraph"]}"#).unwrap();
    // Newest first: B's `x` started later than `b-only`.
    let on_b = || {
        vec![
            ("backup:filesystem:x".to_string(), "SUCCESS".to_string(), true),
            ("backup:filesystem:b-only".to_string(), "STARTED".to_string(), false),
        ]
    };
    for round in 0..2 {
        state.connection.set(Some(b.clone()));
        settle_dom().await;
        // B's list refresh finds its own `x`.
        state.jobs.update(|j| {
            j.merge_listed("filesystem", std::slice::from_ref(&listed), 1);
        });
        settle_dom().await;
        assert_eq!(rows(&root), on_b(), "on B, round {round}");

        // A poll about A's `x` answers late, after the switch: B's `x` stays as it is.
        x_on_a.job.update(|j| j.status = Status::parse("FAILED"));
        settle_dom().await;
        assert_eq!(rows(&root), on_b(), "on B after a late answer for A, round {round}");
        x_on_a.job.update(|j| j.status = Status::parse("STARTED"));

        state.connection.set(Some(a.clone()));
        settle_dom().await;
        assert_eq!(rows(&root), on_a(), "back on A, round {round}");
        // The rows are live: a status change shows, on that row only.
        let x = state.jobs.with_untracked(|j| j.entries()[0].clone());
        x.job.update(|j| j.status = Status::parse("TRANSFERRING"));
        settle_dom().await;
        assert_eq!(rows(&root)[0].1, "TRANSFERRING");
        x.job.update(|j| j.status = Status::parse("STARTED"));
        settle_dom().await;
    }
    storage.remove_item(STORAGE_KEY).unwrap();
}

/// A permanent error stops polling a job, says why in its row, and "Check again" resumes it.
#[wasm_bindgen_test]
async fn a_stopped_job_says_why_and_can_be_checked_again() {
    let state = connected_state();
    state.jobs.update(|j| j.add(job("gone")));
    let entry = state.jobs.with_untracked(|j| j.entries()[0].clone());
    entry.job.update(|j| {
        j.apply_poll_error(&backup_core::error::ApiError::from_response(404, r#"{"error":[{"message":"metadata not found"}]}"#))
    });
    let (root, _h) = mount(move || {
        state.provide();
        view! { <JobTable /> }
    });
    settle_dom().await;
    let cell = q(&root, "tr[data-job='backup:filesystem:gone'] [data-col=error]").unwrap();
    let text = cell.text_content().unwrap();
    assert!(text.contains("The server no longer knows this job (404) — polling stopped"), "{text}");
    assert!(!entry.job.with_untracked(Job::polls));
    let again: HtmlElement = q(&cell, "button").unwrap().unchecked_into();
    assert_eq!(again.text_content().unwrap(), "Check again");
    again.click();
    settle_dom().await;
    assert!(entry.job.with_untracked(Job::polls), "the poller asks once more");
    assert!(q(&cell, "button").is_none());
}

/// A list refused for good (here 401) is not asked again until the admin says so.
#[wasm_bindgen_test]
async fn a_refused_list_says_it_stopped_and_can_be_checked_again() {
    let state = connected_state();
    let refused = backup_core::error::ApiError::from_response(401, r#"{"code":401,"message":"unauthorized: invalid api key"}"#);
    let flaky = backup_core::error::ApiError::from_response(500, r#"{"error":[{"message":"unmarshal descriptor"}]}"#);
    state.list_errors.set(vec![("filesystem".into(), refused), ("s3".into(), flaky)]);
    let (root, _h) = mount(move || {
        state.provide();
        view! { <JobTable /> }
    });
    settle_dom().await;
    let errors = root.query_selector_all(".list-error").unwrap();
    assert_eq!(errors.length(), 2);
    let first: Element = errors.get(0).unwrap().unchecked_into();
    assert!(first.text_content().unwrap().contains("not read again until you ask"));
    let second: Element = errors.get(1).unwrap().unchecked_into();
    assert!(q(&second, "button").is_none(), "a 500 is retried by itself");
    let again: HtmlElement = q(&first, "button").unwrap().unchecked_into();
    again.click();
    settle_dom().await;
    assert_eq!(state.list_errors.with_untracked(|e| e.iter().map(|(b, _)| b.clone()).collect::<Vec<_>>()), vec!["s3"]);
}

/// Starts recording DOM mutations under `root`; the returned function stops and returns how
/// many touched `inside` and how many touched anything else.
fn record_mutations(root: &Element) -> js_sys::Function {
    let start = js_sys::Function::new_with_args(
        "root",
        "const recs = [];
         const o = new MutationObserver(r => recs.push(...r));
         o.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
         return inside => {
           recs.push(...o.takeRecords());
           o.disconnect();
           const n = recs.filter(r => inside.contains(r.target)).length;
           return [n, recs.length - n];
         };",
    );
    start.call1(&wasm_bindgen::JsValue::NULL, root).unwrap().unchecked_into()
}

fn stop_recording(stop: &js_sys::Function, inside: &Element) -> (u32, u32) {
    let counts: js_sys::Array = stop.call1(&wasm_bindgen::JsValue::NULL, inside).unwrap().unchecked_into();
    (counts.get(0).as_f64().unwrap() as u32, counts.get(1).as_f64().unwrap() as u32)
}

/// Backups `b0000`…`b0999`, newest first, all succeeded but `b{running}`.
fn thousand_backups_one_running(running: u64) -> Vec<Job> {
    (0..1_000u64)
        .rev()
        .map(|i| {
            let mut j = job(&format!("b{i:04}"));
            j.started_ms = 1_000 + i;
            if i != running {
                j.status = Status::parse("SUCCESS");
                j.finished_ms = Some(5_000 + i);
            }
            j
        })
        .collect()
}

/// 1,000 jobs: one page is rendered, a status change re-renders only its row (no other row,
/// no re-ordering), and the clock touches only the running row.
#[wasm_bindgen_test]
async fn a_status_change_in_one_row_of_1000_touches_only_that_row() {
    let state = connected_state();
    state.jobs.update(|j| j.replace(thousand_backups_one_running(995)));
    let (root, _h) = mount(move || {
        state.provide();
        view! { <JobTable /> }
    });
    settle_dom().await;
    assert_eq!(root.query_selector_all("tr[data-job]").unwrap().length(), 50, "one page of 50 rows");
    let pager = q(&root, "nav.pager").unwrap().text_content().unwrap();
    assert!(pager.contains("Jobs 1–50 of 1000, page 1 of 20"), "{pager}");

    let row = q(&root, "tr[data-job='backup:filesystem:b0990']").unwrap();
    let entry = state.jobs.with_untracked(|j| j.entries()[j.position("backup:filesystem:b0990").unwrap()].clone());
    let stop = record_mutations(&root);
    entry.job.update(|j| j.status = Status::parse("FAILED"));
    settle_dom().await;
    let (inside, outside) = stop_recording(&stop, &row);
    assert!(inside > 0, "the row shows the change");
    assert_eq!(outside, 0, "nothing outside the changed row was touched");
    assert_eq!(q(&row, "[data-col=status]").unwrap().text_content().unwrap(), "FAILED");

    let running = q(&root, "tr[data-job='backup:filesystem:b0995']").unwrap();
    let stop = record_mutations(&root);
    state.now.set(60_000);
    settle_dom().await;
    let (inside, outside) = stop_recording(&stop, &running);
    assert!(inside > 0, "the running row's duration moves");
    assert_eq!(outside, 0, "finished rows do not read the clock");

    // Every row stays reachable: the next page.
    let next: HtmlElement = root.query_selector_all("nav.pager button").unwrap().get(1).unwrap().unchecked_into();
    next.click();
    settle_dom().await;
    let pager = q(&root, "nav.pager").unwrap().text_content().unwrap();
    let first = q(&root, "tr[data-job]").unwrap().get_attribute("data-job");
    assert!(q(&root, "tr[data-job='backup:filesystem:b0949']").is_some(), "{pager} {first:?}");
    assert!(q(&root, "tr[data-job='backup:filesystem:b0999']").is_none());

    // Another filter starts from the first page, even when it keeps every row.
    set_input(&root, "#jobs-filter", "b0");
    settle_dom().await;
    let pager = q(&root, "nav.pager").unwrap().text_content().unwrap();
    assert!(pager.contains("Jobs 1–50 of 1000, page 1 of 20"), "{pager}");
}

/// The restore and incremental-base suggestions follow the list and jobs ending, not every
/// status read: with 1,000 backups listed, a running job's progress does not rescan them.
#[wasm_bindgen_test]
async fn suggestions_recompute_when_a_job_ends_not_at_every_status_read() {
    let state = connected_state();
    state.jobs.update(|j| j.replace(thousand_backups_one_running(999)));
    let runs = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counted = runs.clone();
    let suggestions = Memo::new(move |_| {
        counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        state.successful_backups("filesystem")
    });
    assert_eq!(suggestions.get().first().map(String::as_str), Some("b0998"));
    assert_eq!(suggestions.with(Vec::len), 50);

    let running = state.jobs.with_untracked(|j| j.entries()[j.position("backup:filesystem:b0999").unwrap()].clone());
    running.job.update(|j| j.status = Status::parse("TRANSFERRING"));
    assert_eq!(suggestions.get().first().map(String::as_str), Some("b0998"));
    assert_eq!(runs.load(std::sync::atomic::Ordering::Relaxed), 1, "a running job's progress does not rescan the list");

    running.job.update(|j| {
        j.status = Status::parse("SUCCESS");
        j.finished_ms = Some(9_000);
    });
    assert_eq!(suggestions.get().first().map(String::as_str), Some("b0999"), "a backup that succeeds is offered at once");
    assert_eq!(runs.load(std::sync::atomic::Ordering::Relaxed), 2);
}

/// The layout around the jobs: job detail, summary line, connection line.
#[path = "browser_looks.rs"]
mod looks;

/// Bytes the app holds: every allocation of this test binary goes through here.
struct Counting;
static LIVE: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, std::sync::atomic::Ordering::Relaxed);
        std::alloc::System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: std::alloc::Layout) {
        LIVE.fetch_sub(l.size() as isize, std::sync::atomic::Ordering::Relaxed);
        std::alloc::System.dealloc(p, l)
    }
}
#[global_allocator]
static ALLOC: Counting = Counting;

/// Jobs that ran and were cleared leave nothing behind in what shows them (table, summary,
/// coverage, the forms' suggestions, the journal, job events): rows, their signals and effects,
/// their subscriptions and the suggestion lists' options go with them.
#[wasm_bindgen_test]
async fn jobs_run_and_cleared_leave_no_memory_behind() {
    let state = connected_state();
    let (_root, _h) = mount(move || {
        state.provide();
        backup_console::journal::use_journal();
        let _alerts = backup_console::job_events::use_job_events();
        view! { <JobTable /> <SummaryLine /> <CoverageView /> <CreateBackupForm /> <RestoreBackupForm /> }
    });
    settle_dom().await;
    let mut live = vec![];
    // Rounds of 100 (a page of 50 drawn each); the body is rebuilt every 10 rounds.
    for round in 0..30 {
        for i in 0..100 {
            state.jobs.update(|j| j.add(job(&format!("r{round}-{i}"))));
        }
        settle_dom().await;
        state.now.set(1_000 * (round + 1));
        state.jobs.with_untracked(|j| {
            for e in j.entries() {
                e.job.update(|j| {
                    j.status = Status::parse("SUCCESS");
                    j.finished_ms = Some(1);
                });
            }
        });
        settle_dom().await;
        state.jobs.update(|j| j.clear_finished());
        settle_dom().await;
        live.push(LIVE.load(std::sync::atomic::Ordering::Relaxed));
    }
    // What the body held is freed at each rebuild: compare the lows of the first and last ten.
    let low = |r: std::ops::Range<usize>| live[r].iter().copied().min().unwrap_or_default();
    let per_job = (low(20..30) - low(0..10)) / 2_000;
    web_sys::console::log_1(&format!("live bytes after each round of 100: {live:?}; {per_job} B per job").into());
    assert!(per_job < 8, "{per_job} bytes kept per job run and cleared: {live:?}");
}

/// Paging through jobs that stay (each page drawn again and again) holds no memory either.
#[wasm_bindgen_test]
async fn paging_back_and_forth_leaves_no_memory_behind() {
    let state = connected_state();
    state.jobs.update(|j| j.replace((0..200).map(|i| job(&format!("p{i}"))).collect()));
    let (root, _h) = mount(move || {
        state.provide();
        view! { <JobTable /> }
    });
    settle_dom().await;
    let buttons = root.query_selector_all("nav.pager button").unwrap();
    let (previous, next): (HtmlElement, HtmlElement) =
        (buttons.get(0).unwrap().unchecked_into(), buttons.get(1).unwrap().unchecked_into());
    let mut live = vec![];
    // 60 page turns of 50 rows: 3,000 rows drawn, the body rebuilt every 500.
    for turn in 0..60 {
        if turn % 2 == 0 { next.click() } else { previous.click() }
        settle_dom().await;
        live.push(LIVE.load(std::sync::atomic::Ordering::Relaxed));
    }
    assert_eq!(root.query_selector_all("tr[data-job]").unwrap().length(), 50);
    let low = |r: std::ops::Range<usize>| live[r].iter().copied().min().unwrap_or_default();
    let per_row = (low(40..60) - low(0..20)) / 2_000;
    web_sys::console::log_1(&format!("live bytes after each page turn: {live:?}; {per_row} B per row drawn").into());
    assert!(per_row < 4, "{per_row} bytes kept per row drawn: {live:?}");
}

/// What another tab of the browser does to the journal: writes `journal` merged into what is
/// stored, and the browser tells this tab (a `storage` event fires only in the other tabs).
fn another_tab_writes(journal: &backup_core::journal::Journal) {
    use backup_core::journal::{Journal, STORAGE_KEY};
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let mut stored = Journal::parse(&storage.get_item(STORAGE_KEY).unwrap().unwrap_or_default()).unwrap();
    stored.merge(journal);
    storage.set_item(STORAGE_KEY, &stored.to_json()).unwrap();
    let init = web_sys::StorageEventInit::new();
    init.set_key(Some(STORAGE_KEY));
    let event = web_sys::StorageEvent::new_with_event_init_dict("storage", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

/// Issue 18: a job another tab starts shows here at once, this tab's own writes keep it (no
/// write from a stale copy), and a job another tab clears leaves here too.
#[wasm_bindgen_test]
async fn jobs_another_tab_starts_or_clears_show_live_and_are_kept() {
    use backup_core::journal::{Journal, STORAGE_KEY};
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.remove_item(STORAGE_KEY).unwrap();
    let state = connected_state();
    let url = state.connection.with_untracked(|c| c.as_ref().unwrap().client.base_url().to_string());
    let (root, _h) = mount(move || {
        state.provide();
        backup_console::journal::use_journal();
        view! { <JobTable /> }
    });
    settle_dom().await;
    let mut other = Journal::default();
    let mut restore = job("from-other-tab");
    restore.key.kind = JobKind::Restore;
    other.set_jobs(&url, vec![restore.clone()]);
    another_tab_writes(&other);
    settle_dom().await;
    assert_eq!(rows(&root), vec![("restore:filesystem:from-other-tab".to_string(), "STARTED".to_string(), false)]);

    // This tab starts a backup: the other tab's restore stays in the journal.
    state.jobs.update(|j| j.add(job("here")));
    settle_dom().await;
    let stored = Journal::parse(&storage.get_item(STORAGE_KEY).unwrap().unwrap()).unwrap();
    let mut ids: Vec<String> = stored.jobs_for(&url).into_iter().map(|j| j.key.to_string()).collect();
    ids.sort();
    assert_eq!(ids, ["backup:filesystem:here", "restore:filesystem:from-other-tab"]);

    // The other tab sees the restore end, and starts two backups meanwhile.
    let mut done = restore.clone();
    done.status = Status::parse("SUCCESS");
    done.last_update_ms = 9;
    // Newer, so listed before the restore: added before the restore is looked up.
    let newer = |id: &str, at: u64| Job { started_ms: at, ..job(id) };
    other.set_jobs(&url, vec![newer("other-1", 5), done, newer("other-2", 6)]);
    another_tab_writes(&other);
    settle_dom().await;
    let mut shown = rows(&root);
    shown.sort();
    let started = |id: &str| (format!("backup:filesystem:{id}"), "STARTED".to_string(), false);
    let ended = ("restore:filesystem:from-other-tab".to_string(), "SUCCESS".to_string(), false);
    assert_eq!(shown, vec![started("here"), started("other-1"), started("other-2"), ended.clone()]);
    // It clears what ended.
    let known = Journal::parse(&storage.get_item(STORAGE_KEY).unwrap().unwrap()).unwrap().known_for(&url);
    let mut cleared = Journal::parse(&storage.get_item(STORAGE_KEY).unwrap().unwrap()).unwrap();
    let still: Vec<Job> = cleared.jobs_for(&url).into_iter().filter(|j| !j.is_terminal()).collect();
    cleared.record(&url, &still, &known);
    storage.set_item(STORAGE_KEY, &cleared.to_json()).unwrap();
    another_tab_writes(&Journal::default());
    settle_dom().await;
    let mut shown = rows(&root);
    shown.sort();
    assert_eq!(shown, vec![started("here"), started("other-1"), started("other-2")]);
    storage.remove_item(STORAGE_KEY).unwrap();
}

/// Fills `localStorage` to the last few characters with keys `fill-*`; returns how many.
fn fill_storage(storage: &web_sys::Storage) -> usize {
    let mut keys = 0;
    let mut chunk = 1 << 20;
    while chunk >= 8 {
        let text = "x".repeat(chunk);
        while storage.set_item(&format!("fill-{keys}"), &text).is_ok() {
            keys += 1;
        }
        chunk /= 2;
    }
    keys
}

fn empty_storage(storage: &web_sys::Storage, keys: usize) {
    for k in 0..=keys {
        storage.remove_item(&format!("fill-{k}")).unwrap();
    }
}

/// Issue 18: a full storage quota is said on the page, not swallowed, and the journal makes
/// room (the oldest finished jobs) instead of no longer saving for any server.
#[wasm_bindgen_test]
async fn a_full_storage_quota_is_shown_and_the_journal_still_saves() {
    use backup_core::journal::{Journal, STORAGE_KEY};
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let mut old = Journal::default();
    old.set_jobs(
        "http://old.example",
        (0..200).map(|i| {
            let mut j = job(&format!("old-{i}"));
            j.status = Status::parse("SUCCESS");
            j.started_ms = i;
            j
        }),
    );
    storage.set_item(STORAGE_KEY, &old.to_json()).unwrap();
    let keys = fill_storage(&storage);
    let state = connected_state();
    let url = state.connection.with_untracked(|c| c.as_ref().unwrap().client.base_url().to_string());
    let (_root, _h) = mount(move || {
        state.provide();
        backup_console::journal::use_journal();
        view! { <JobTable /> }
    });
    settle_dom().await;
    state.jobs.update(|j| j.add(job("new-here")));
    settle_dom().await;
    let notice = state.notice.get_untracked().unwrap_or_default();
    assert!(notice.contains("storage for this site is full") && notice.contains("dropped"), "{notice:?}");
    let stored = Journal::parse(&storage.get_item(STORAGE_KEY).unwrap().unwrap()).unwrap();
    assert_eq!(stored.jobs_for(&url).len(), 1, "the new job is saved");
    let left = stored.jobs_for("http://old.example");
    assert!(!left.is_empty() && left.len() < 200 && left.iter().all(|j| j.started_ms >= 100), "the oldest went: {}", left.len());

    // Nothing left to drop: the admin is told the list is not saved.
    storage.remove_item(STORAGE_KEY).unwrap();
    let more = fill_storage(&storage);
    state.jobs.update(|j| j.add(job("unsaved")));
    settle_dom().await;
    let notice = state.notice.get_untracked().unwrap_or_default();
    assert!(notice.contains("could not be saved") && notice.contains("reload"), "{notice:?}");
    empty_storage(&storage, keys.max(more));
    storage.remove_item(STORAGE_KEY).unwrap();
}

/// A fresh tab's session storage: no remembered key, no server connected to before.
fn fresh_session() {
    web_sys::window().unwrap().session_storage().unwrap().unwrap().clear().unwrap();
}

fn connection_form(state: AppState) -> (Element, impl Drop) {
    use backup_console::first_screen::connection_form::{connection_form, ConnectionUi};
    support::mount_dom(move || {
        state.provide();
        connection_form(ConnectionUi::default()).0
    })
}

#[wasm_bindgen_test]
async fn a_server_named_by_a_link_waits_for_connect() {
    fresh_session();
    let state = AppState::new();
    state.config.set(backup_core::config::ConsoleConfig::from_query("?weaviate=http://127.0.0.1:7&theme=dark"));
    let (root, _h) = connection_form(state);
    settle_dom().await;
    let prompt = q(&root, "[role=status].link-prompt").expect("the offer");
    assert_eq!(prompt.text_content().unwrap(), "Connect to http://127.0.0.1:7 (from a link)?");
    let url: HtmlInputElement = q(&root, "#weaviate-url").unwrap().unchecked_into();
    assert_eq!(url.value(), "http://127.0.0.1:7", "pre-filled");
    assert!(!state.connecting.get_untracked() && state.connect_error.get_untracked().is_none(), "nothing sent");
    // The admin's Connect is the confirmation.
    submit(&root);
    settle_dom().await;
    assert!(state.connecting.get_untracked() || state.connect_error.get_untracked().is_some(), "Connect sends");
    assert!(q(&root, ".link-prompt").is_none());
}

#[wasm_bindgen_test]
async fn a_server_named_by_the_deployment_is_connected_at_once() {
    fresh_session();
    let state = AppState::new();
    let file = r#"{"weaviateUrl":"http://127.0.0.1:8"}"#;
    state.config.set(backup_core::config::ConsoleConfig::parse(file, backup_core::config::Source::Deployment).unwrap());
    let (root, _h) = connection_form(state);
    settle_dom().await;
    assert!(state.connecting.get_untracked() || state.connect_error.get_untracked().is_some());
    assert!(q(&root, ".link-prompt").is_none());
}

#[wasm_bindgen_test]
async fn a_key_over_plain_http_to_another_machine_is_asked_about_first() {
    fresh_session();
    let state = AppState::new();
    let (root, _h) = connection_form(state);
    settle_dom().await;
    set_input(&root, "#weaviate-url", "http://weaviate.corp:8080");
    settle_dom().await;
    assert!(q(&root, "#clear-text-ok").is_none(), "no key, nothing to ask");
    set_input(&root, "#api-key", "secret-key");
    settle_dom().await;
    let label = q(&root, "label[for=clear-text-ok]").expect("asked before Connect");
    assert_eq!(label.text_content().unwrap(), "Send the key unencrypted to http://weaviate.corp:8080");
    submit(&root);
    settle_dom().await;
    assert!(!state.connecting.get_untracked() && state.connect_error.get_untracked().is_none(), "nothing sent");
    let why = q(&root, "#clear-text-ok-error[role=alert]").unwrap().text_content().unwrap();
    assert!(why.contains("Send the key unencrypted to http://weaviate.corp:8080"), "{why}");
    assert_eq!(q(&root, "#clear-text-ok").unwrap().get_attribute("aria-invalid").as_deref(), Some("true"));
    // https, or this machine: no question.
    for fine in ["https://weaviate.corp:8080", "http://localhost:8080", "http://127.0.0.1:8080"] {
        set_input(&root, "#weaviate-url", fine);
        settle_dom().await;
        assert!(q(&root, "#clear-text-ok").is_none(), "{fine}");
    }
}

#[wasm_bindgen_test]
async fn the_key_field_is_never_submitted_nor_offered_to_password_managers() {
    fresh_session();
    let (root, _h) = connection_form(AppState::new());
    settle_dom().await;
    let key = q(&root, "#api-key").unwrap();
    assert_eq!(key.get_attribute("type").as_deref(), Some("password"), "masked, and announced as a password");
    assert_eq!(key.get_attribute("autocomplete").as_deref(), Some("one-time-code"));
    for opt_out in ["data-1p-ignore", "data-lpignore", "data-bwignore", "data-form-type"] {
        assert!(key.get_attribute(opt_out).is_some(), "{opt_out}");
    }
    // A native submit (a handler that failed) carries no field: none has a name.
    assert_eq!(root.query_selector_all("form [name]").unwrap().length(), 0);
    assert!(q(&root, "form").unwrap().get_attribute("action").is_none());
}

#[wasm_bindgen_test]
async fn the_servers_words_are_quoted_and_labelled_as_its_own() {
    let err = backup_core::error::ApiError::from_response(401, r#"{"message":"Key expired — paste the admin key and press Connect"}"#);
    let (root, _h) = mount(move || view! { <ErrorAlert error=Signal::stored(Some(err)) server="http://127.0.0.1:9999".to_string() /> });
    leptos::task::tick().await;
    let message = q(&root, ".alert-message").unwrap().text_content().unwrap();
    assert_eq!(message, "HTTP 401: 127.0.0.1:9999 said: \"Key expired — paste the admin key and press Connect\"");
    // Without a URL given: the connected server's.
    let state = connected_state();
    let err = backup_core::error::ApiError::from_response(403, r#"{"error":[{"message":"forbidden"}]}"#);
    let (root, _h2) = mount(move || {
        state.provide();
        view! { <ErrorAlert error=Signal::stored(Some(err)) /> }
    });
    leptos::task::tick().await;
    assert_eq!(q(&root, ".alert-message").unwrap().text_content().unwrap(), "HTTP 403: 127.0.0.1:9 said: \"forbidden\"");
}

/// Waits `ms` on the browser's clock (lock grants and rejections are tasks, not ticks).
async fn sleep_ms(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// Mounts this tab's sharing of the polling, connected (a visible tab: it polls), then lets a
/// script take the polling lock over, as another tab does when the admin turns to it, and
/// never let it go. Returns the server's URL and the mount.
async fn a_tab_that_follows(state: AppState) -> (String, impl Drop) {
    use backup_console::state::Lead;
    let url = state.connection.with_untracked(|c| c.as_ref().unwrap().client.base_url().to_string());
    let mounted = mount(move || {
        state.provide();
        backup_console::tabs::use_tabs();
    });
    sleep_ms(100).await;
    assert_eq!(state.lead.get_untracked(), Lead::Polls(url.clone()), "a visible tab polls");
    let other = js_sys::Function::new_with_args(
        "name",
        "navigator.locks.request(name, { steal: true }, () => new Promise(() => {})).catch(() => {})",
    );
    other.call1(&wasm_bindgen::JsValue::NULL, &format!("backup-console.poll {url}").into()).unwrap();
    sleep_ms(100).await;
    assert_eq!(state.lead.get_untracked(), Lead::Follows, "the other tab polls");
    (url, mounted.1)
}

/// Only the polling tab reads status, so "Check again" in a tab that does not poll would ask
/// nobody: that tab takes the polling over, and asks.
#[wasm_bindgen_test]
async fn check_again_in_a_tab_that_does_not_poll_makes_it_poll() {
    let state = connected_state();
    let (url, _h) = a_tab_that_follows(state).await;
    let stopped = RwSignal::new(job("stopped"));
    backup_console::tabs::check_again(stopped.write_only());
    sleep_ms(100).await;
    assert_eq!(state.lead.get_untracked(), backup_console::state::Lead::Polls(url), "this tab polls again");
}

/// The polling tab says it is leaving: a visible tab waiting for the lock takes it then, not
/// when the browser gets round to releasing it (here: never, the holder is a script).
#[wasm_bindgen_test]
async fn a_visible_tab_takes_the_polling_when_the_polling_tab_says_it_leaves() {
    use backup_console::state::Lead;
    let state = connected_state();
    let (url, _h) = a_tab_that_follows(state).await;
    let channel = web_sys::BroadcastChannel::new("backup-console").unwrap();
    channel.post_message(&backup_core::journal::Told::leaving("http://elsewhere:8080").into()).unwrap();
    sleep_ms(100).await;
    assert_eq!(state.lead.get_untracked(), Lead::Follows, "another server's polling tab is not this one's");
    channel.post_message(&backup_core::journal::Told::leaving(&url).into()).unwrap();
    sleep_ms(100).await;
    assert_eq!(state.lead.get_untracked(), Lead::Polls(url), "this tab polls");
    channel.close();
}

/// The sending side: a page going away says it leaves when it is the polling tab, and says
/// nothing when another tab polls.
#[wasm_bindgen_test]
async fn the_polling_tab_says_it_leaves_when_its_page_goes() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    let heard = Rc::new(RefCell::new(vec![]));
    let channel = web_sys::BroadcastChannel::new("backup-console").unwrap();
    let into = heard.clone();
    let on = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        into.borrow_mut().extend(e.data().as_string());
    });
    channel.set_onmessage(Some(on.as_ref().unchecked_ref()));
    let page_goes = js_sys::Function::new_no_args(
        "window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }))",
    );

    let state = connected_state();
    let (url, _h) = a_tab_that_follows(state).await;
    page_goes.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    sleep_ms(100).await;
    assert_eq!(*heard.borrow(), Vec::<String>::new(), "a tab that does not poll says nothing");

    backup_console::tabs::check_again(RwSignal::new(job("stopped")).write_only());
    sleep_ms(100).await;
    page_goes.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    sleep_ms(100).await;
    assert_eq!(*heard.borrow(), vec![backup_core::journal::Told::leaving(&url)], "the polling tab says it leaves");
    channel.close();
}

// The table body's rebuild schedule (`reactive::Redraws`).

#[wasm_bindgen_test]
fn the_table_body_is_rebuilt_at_a_wholesale_page_change_after_enough_rows() {
    let page = |from: u64| (from..from + 50).collect::<Vec<u64>>();
    let mut r = backup_console::reactive::Redraws::default().next(&[], &page(0));
    assert_eq!(r, backup_console::reactive::Redraws { drawn: 50, generation: 0 });
    // Paging: each page is all new rows; the 10th page reaches REDRAW_AFTER and rebuilds.
    for p in 1..10 {
        r = r.next(&page((p - 1) * 50), &page(p * 50));
        assert_eq!(r.generation, u64::from(p == 9), "page {p}");
    }
    assert_eq!(r.drawn, 50, "the new body counts the page it draws");
    // Clear finished empties the page: wholesale, but few rows drawn since.
    assert_eq!(r.next(&page(450), &[]), backup_console::reactive::Redraws { drawn: 50, generation: 1 });
}

#[wasm_bindgen_test]
fn one_new_row_at_a_time_is_not_interrupted_until_four_times_as_many() {
    let mut r = backup_console::reactive::Redraws::default();
    let mut page: Vec<u64> = vec![];
    for key in 0..(4 * backup_console::reactive::REDRAW_AFTER as u64 - 1) {
        let mut next = vec![key];
        next.extend(page.iter().take(49));
        r = r.next(&page, &next);
        page = next;
    }
    assert_eq!(r.generation, 0, "a row kept on the page means the admin may be in it");
    let mut next = vec![u64::MAX];
    next.extend(page.iter().take(49));
    assert_eq!(r.next(&page, &next), backup_console::reactive::Redraws { drawn: 50, generation: 1 });
}

/// The first screen's slots: content is built again only when its key changes, keeps its own
/// bindings while the key stays, and what it bound goes with it when it is replaced.
#[wasm_bindgen_test]
async fn a_slot_rebuilds_only_when_its_key_changes_and_drops_what_the_old_content_bound() {
    use backup_console::first_screen::dom::El;
    let (shown, label, builds) = (RwSignal::new(true), RwSignal::new("a".to_string()), RwSignal::new(0));
    let (root, _h) = support::mount_dom(move || {
        El::new("div")
            .slot(move || shown.get(), move |on| {
                builds.update(|n| *n += 1);
                on.then(|| El::new("p").bind_text(move || label.get()))
            })
            .0
    });
    settle_dom().await;
    assert_eq!(q(&root, "p").unwrap().text_content().unwrap(), "a");
    let first = q(&root, "p").unwrap();
    label.set("b".into());
    settle_dom().await;
    assert_eq!(q(&root, "p").unwrap().text_content().unwrap(), "b", "the content's own binding follows");
    assert!(first.is_same_node(q(&root, "p").as_ref().map(|p| p.as_ref())), "not built again");
    shown.set(true);
    settle_dom().await;
    assert_eq!(builds.get_untracked(), 1, "the same key builds nothing");
    label.set("b2".into());
    settle_dom().await;
    assert_eq!(first.text_content().unwrap(), "b2", "and the content still follows after the key was read again");
    shown.set(false);
    settle_dom().await;
    assert!(q(&root, "p").is_none());
    // The old paragraph's binding is gone with it: it no longer follows.
    label.set("c".into());
    settle_dom().await;
    assert_eq!(first.text_content().unwrap(), "b2");
    shown.set(true);
    settle_dom().await;
    assert_eq!((builds.get_untracked(), q(&root, "p").unwrap().text_content().unwrap().as_str()), (3, "c"));
}
