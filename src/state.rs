//! Reactive state shared through context, shaped like Leptos's todomvc: plain types with
//! methods, rows keyed by a stable id, each row's job in its own signal so a status change
//! re-renders only that row.

use backup_core::job::Job;
use leptos::prelude::*;

use crate::client::Client;

/// The Weaviate the console is connected to, and what discovery found there.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub client: Client,
    pub version: String,
    /// Enabled backup backends (`filesystem`, `s3`, …).
    pub backends: Vec<String>,
    /// Existing collections, exact case.
    pub collections: Vec<String>,
}

/// One row of the job table.
#[derive(Clone, Debug)]
pub struct JobEntry {
    /// `{kind}:{backend}:{id}`: stable across updates.
    pub key: String,
    pub job: RwSignal<Job>,
}

/// All jobs, newest first.
#[derive(Clone, Debug, Default)]
pub struct Jobs(pub Vec<JobEntry>);

impl Jobs {
    /// Adds a job at the top. A job with the same key (a restore of the same backup run
    /// again, say) is replaced in place of the old row.
    pub fn add(&mut self, job: Job) {
        let key = job.key.to_string();
        self.0.retain(|e| e.key != key);
        self.0.insert(0, JobEntry { key, job: RwSignal::new(job) });
    }

    pub fn entries(&self) -> &[JobEntry] {
        &self.0
    }
}

/// Everything components share; provided once by the app.
#[derive(Clone, Copy)]
pub struct AppState {
    pub connection: RwSignal<Option<Connection>>,
    pub jobs: RwSignal<Jobs>,
    /// The poller's clock, for live durations.
    pub now: RwSignal<u64>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            connection: RwSignal::new(None),
            jobs: RwSignal::new(Jobs::default()),
            now: RwSignal::new(crate::now_ms()),
        }
    }

    pub fn provide(self) -> AppState {
        provide_context(self);
        self
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

/// The state provided by the app (or a test harness).
pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}

impl Connection {
    /// Connects: the version and backends from `/v1/meta`, the collections from `/v1/schema`.
    pub async fn discover(client: Client) -> Result<Connection, backup_core::error::ApiError> {
        let meta = client.meta().await?;
        let schema = client.schema().await?;
        Ok(Connection {
            version: meta.version.clone(),
            backends: meta.backup_backends(),
            collections: schema.collection_names(),
            client,
        })
    }
}
