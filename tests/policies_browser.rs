//! The Policies view's components in headless Chromium (wasm-bindgen-test): the editor's
//! validation (Intl time zones), its live preview, and the table's rows from known jobs.

use backup_core::api::StartedResponse;
use backup_core::job::{Job, JobKey, JobKind};
use backup_console::components::policies::{PolicyBook, PolicyEditor, PolicyTable};
use backup_console::state::{AppState, Connection};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

#[path = "support/mod.rs"]
mod support;

use support::{connection, mount, q, set_input};

wasm_bindgen_test_configure!(run_in_browser);

/// A connected state on a server of its own (policies are kept per server URL).
fn connected_state(url: &str) -> AppState {
    let state = AppState::new();
    state.connection.set(Some(Connection { collections: vec!["Article".into()], ..connection(url) }));
    state
}

async fn settle_dom() {
    for _ in 0..6 {
        leptos::task::tick().await;
    }
}

#[wasm_bindgen_test]
async fn the_editor_shows_every_problem_at_once_and_saves_nothing() {
    let state = connected_state("http://127.0.0.1:19");
    let book = StoredValue::new(None::<PolicyBook>);
    let (root, _h) = mount(move || {
        state.provide();
        let b = PolicyBook::provide();
        book.set_value(Some(b));
        view! { <PolicyEditor book=b editing=None /> }
    });
    settle_dom().await;
    set_input(&root, "#policy-name", "Nightly");
    set_input(&root, "#policy-schedule", "0 25 * * *");
    set_input(&root, "#policy-zone", "Mars/Olympus_Mons");
    set_input(&root, "#policy-max", "lots");
    let save: HtmlElement = q(&root, "button[type=submit]").unwrap().unchecked_into();
    save.click();
    settle_dom().await;
    for field in ["#policy-name", "#policy-schedule", "#policy-zone", "#policy-max"] {
        assert_eq!(q(&root, field).unwrap().get_attribute("aria-invalid").as_deref(), Some("true"), "{field}");
        let alert = q(&root, &format!("{field}-error[role=alert]")).unwrap_or_else(|| panic!("{field} has no alert"));
        assert!(!alert.text_content().unwrap().is_empty());
    }
    // The browser's Intl refused the zone.
    assert!(q(&root, "#policy-zone-error").unwrap().text_content().unwrap().contains("Unknown time zone"));
    let kept = book.get_value().unwrap().kept;
    assert!(kept.with_untracked(|k| k.policies.is_empty()), "nothing saved");

    // Fixed, with a zone Intl knows: the preview shows five runs and their ids, and it saves.
    set_input(&root, "#policy-name", "nightly");
    set_input(&root, "#policy-schedule", "30 2 * * *");
    set_input(&root, "#policy-zone", "Europe/Berlin");
    set_input(&root, "#policy-max", "14");
    settle_dom().await;
    assert!(q(&root, "[aria-invalid=true]").is_none());
    let runs = root.query_selector_all(".next-runs li").unwrap();
    assert_eq!(runs.length(), 5);
    let first = runs.item(0).unwrap().text_content().unwrap();
    // 02:30 in Berlin is 01:30 UTC in winter, 00:30 in summer: the id carries the UTC time.
    assert!(first.contains("→ nightly-") && (first.ends_with("-013000") || first.ends_with("-003000")), "{first}");
    save.click();
    settle_dom().await;
    assert_eq!(kept.with_untracked(|k| k.policies.iter().map(|p| p.name.clone()).collect::<Vec<_>>()), ["nightly"]);
    let stored = web_sys::window().unwrap().local_storage().unwrap().unwrap().get_item("backup-console.policies http://127.0.0.1:19").unwrap().unwrap();
    assert!(stored.contains("\"nightly\"") && stored.contains("Europe/Berlin"), "{stored}");
}

fn listed(id: &str, status: &str) -> Job {
    let resp: StartedResponse = serde_json::from_value(serde_json::json!({"id": id, "status": status})).unwrap();
    let mut j = Job::started(JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: id.into() }, &resp, 0);
    j.finished_ms = Some(backup_console::now_ms() - 3 * 3_600_000);
    j
}

#[wasm_bindgen_test]
async fn the_table_shows_each_policy_from_the_jobs_it_made() {
    let state = connected_state("http://127.0.0.1:29");
    let policy = serde_json::json!({"name": "hourly", "backend": "filesystem", "schedule": "0 * * * *", "timeZone": "UTC",
        "retention": {"maxCount": 14, "minCount": 3, "expireAfter": "30d"}});
    state.config.set(backup_core::config::ConsoleConfig { policies: Some(vec![policy]), ..Default::default() });
    state.jobs.update(|j| {
        j.add(listed("hourly-20261201-020000", "SUCCESS"));
        j.add(listed("hourly-eu-20261201-030000", "FAILED"));
    });
    let (root, _h) = mount(move || {
        state.provide();
        let book = PolicyBook::provide();
        view! { <PolicyTable book /> }
    });
    settle_dom().await;
    let row = "table[aria-label=Policies] tr[data-policy=hourly]";
    let cell = |col: &str| q(&root, &format!("{row} [data-col={col}]")).unwrap_or_else(|| panic!("{col}")).text_content().unwrap();
    // Its success is 3 h old, and its freshness is two hours: overdue. The look-alike's failure is not its.
    assert_eq!(cell("state"), "overdue");
    assert_eq!(cell("last-success"), "3 h ago");
    assert_eq!(cell("last-failure"), "none");
    assert_eq!(cell("retention"), "max 14, min 3, 30d");
    assert!(cell("policy").contains("from config.json"));
    assert!(cell("schedule").contains("0 * * * *"));
    assert_ne!(cell("next-run"), "never");
}

/// The browser's Intl rules behind the schedule give the runs the zone database gives (the
/// same expectations as core's chrono-tz test), across both of Berlin's changes in 2026.
#[wasm_bindgen_test]
fn intl_zones_agree_with_the_zone_database_across_dst() {
    use backup_console::components::policies::intl_zone::zone;
    let utc = |s: &str| backup_core::policy_view::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&backup_core::policy_view::Utc);
    let berlin = zone("Europe/Berlin").unwrap();
    let schedule = backup_core::policy::Schedule::parse("30 2 * * *").unwrap();
    let runs = |after: &str, n: usize| schedule.next_runs(&berlin, utc(after), n).into_iter().map(|t| t.to_rfc3339()).collect::<Vec<_>>();
    assert_eq!(runs("2026-03-27T12:00:00Z", 3), ["2026-03-28T01:30:00+00:00", "2026-03-29T01:00:00+00:00", "2026-03-30T00:30:00+00:00"]);
    assert_eq!(runs("2026-10-24T12:00:00Z", 2), ["2026-10-25T00:30:00+00:00", "2026-10-26T01:30:00+00:00"]);
    let kolkata = zone("Asia/Kolkata").unwrap();
    assert_eq!(schedule.next_after(&kolkata, utc("2026-12-06T00:00:00Z")).unwrap().to_rfc3339(), "2026-12-06T21:00:00+00:00");
    assert!(zone("Mars/Olympus_Mons").is_none());
}
