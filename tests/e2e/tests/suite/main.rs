//! The end-to-end tests, one binary: `cargo test -p e2e --test suite -- --test-threads=2`
//! keeps two tests running at all times (most of a test's time is waiting for a server or a
//! browser), where a binary per file ran its one or two tests and then stood idle. One file per
//! area; `-- tabs::` runs one.

mod common;

mod advanced;
mod backup_flow;
mod cadence;
mod cluster;
mod embedding;
mod faults;
mod framing;
mod looks;
mod matrix;
mod nginx;
mod node_mapping;
mod permissions;
mod policies;
mod run_command;
mod runner;
mod security;
mod server_facts;
mod split;
mod tabs;
mod workflow;
