//! What happens after a create or restore POST, shared by both forms: the job goes into the
//! table, or, when the answer was lost (network error, 5xx), the server is asked whether the
//! job started before the admin is offered a retry.

use backup_core::api::StartedResponse;
use backup_core::error::ApiError;
use backup_core::job::{Job, JobKey};
use backup_core::options::Location;
use backup_core::snippet::SentRequest;

use crate::now_ms;
use crate::state::Connection;

/// The outcome of a submit, for the form to show.
pub enum Submitted {
    /// The job is running: show it.
    Started(Job),
    /// The answer was lost, but the job exists on the server.
    Recovered(Job),
    Failed(ApiError),
}

pub async fn settle(
    conn: &Connection,
    key: JobKey,
    location: Location,
    (request, sent): (SentRequest, Result<StartedResponse, ApiError>),
) -> Submitted {
    match sent {
        Ok(resp) => {
            let mut job = Job::started(key, &resp, now_ms());
            job.location = location;
            job.request = Some(request);
            Submitted::Started(job)
        }
        Err(e) if e.is_transient() => match conn.client.job_status(&key, &location, None).await {
            Ok(status) => {
                let mut job = Job::recovered(key, location, &status, now_ms());
                job.request = Some(request);
                Submitted::Recovered(job)
            }
            Err(_) => Submitted::Failed(e),
        },
        Err(e) => Submitted::Failed(e),
    }
}

/// The notice for a recovered job.
pub const RECOVERED: &str =
    "The server's answer was lost, but the job did start: it is in the table below. Nothing was sent twice.";
