//! The Backup Console's logic, free of any browser API so it is tested natively in seconds.
//!
//! The app (top-level crate) only wires these types to the DOM, timers and `fetch`.

pub mod access;
pub mod api;
pub mod config;
pub mod coverage;
pub mod error;
pub mod export;
pub mod format;
pub mod host;
pub mod job;
pub mod job_view;
pub mod key;
pub mod limit;
pub mod options;
pub mod origin;
pub mod path;
pub mod journal;
pub mod poll;
pub mod policy;
pub mod policy_view;
pub mod preflight;
#[cfg(test)]
mod props;
pub mod request;
pub mod route;
pub mod snippet;
pub mod status;
pub mod summary;
pub mod table;
pub mod validate;
pub mod version;
