//! Backup Console: a Leptos (CSR) admin console for Weaviate's backup API.
//!
//! Logic lives in the `backup-core` crate; this crate wires it to the browser:
//! `client` (every HTTP call), `poller` (every timer), `state` (shared reactive state),
//! `runtime_config` (where the Weaviate URL comes from), and `components` (what the admin sees).

pub mod app;
pub mod client;
pub mod components;
pub mod embed;
pub mod job_events;
pub mod journal;
pub mod poller;
pub mod routes;
pub mod runtime_config;
pub mod state;
pub mod theme;

pub use app::App;

/// Milliseconds since the epoch, from the browser clock.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
