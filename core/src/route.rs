//! Deep links in the URL fragment, so a job or a pre-filled restore can be shared and the
//! browser's back button works: `#/jobs/{kind}/{backend}/{id}`, `#/restore/{backend}/{id}`.

use crate::job::{JobKey, JobKind};
use crate::validate::check_backup_id;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Home,
    Job(JobKey),
    Restore { backend: String, id: String },
    /// The Policies table.
    Policies,
    /// One policy's page.
    Policy(String),
    /// The editor: a new policy (`None`) or one to change.
    EditPolicy(Option<String>),
}

/// The editor's path segment for a new policy: no policy name starts with `_`.
const NEW_POLICY: &str = "_new";

fn valid_segment(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Route {
    /// Anything unrecognised is `Home`.
    pub fn parse(hash: &str) -> Route {
        let parts: Vec<&str> = hash.trim_start_matches('#').trim_start_matches('/').split('/').collect();
        let ok = |b: &str, id: &str| valid_segment(b) && check_backup_id(id).is_ok();
        match parts.as_slice() {
            ["jobs", kind, backend, id] if ok(backend, id) => {
                let kind = match *kind {
                    "backup" => JobKind::Backup,
                    "restore" => JobKind::Restore,
                    _ => return Route::Home,
                };
                Route::Job(JobKey { kind, backend: backend.to_string(), id: id.to_string() })
            }
            ["restore", backend, id] if ok(backend, id) => {
                Route::Restore { backend: backend.to_string(), id: id.to_string() }
            }
            ["policies"] => Route::Policies,
            ["policies", NEW_POLICY] => Route::EditPolicy(None),
            ["policies", name] if check_backup_id(name).is_ok() => Route::Policy(name.to_string()),
            ["policies", name, "edit"] if check_backup_id(name).is_ok() => Route::EditPolicy(Some(name.to_string())),
            _ => Route::Home,
        }
    }

    /// The job whose detail this route opens.
    pub fn job(&self) -> Option<&JobKey> {
        match self {
            Route::Job(k) => Some(k),
            _ => None,
        }
    }

    /// Whether this route shows the Policies view (its table, a policy, the editor).
    pub fn is_policies(&self) -> bool {
        matches!(self, Route::Policies | Route::Policy(_) | Route::EditPolicy(_))
    }

    pub fn to_hash(&self) -> String {
        match self {
            Route::Home => "#/".into(),
            Route::Job(k) => format!("#/jobs/{}/{}/{}", k.kind.as_str(), k.backend, k.id),
            Route::Restore { backend, id } => format!("#/restore/{backend}/{id}"),
            Route::Policies => "#/policies".into(),
            Route::Policy(name) => format!("#/policies/{name}"),
            Route::EditPolicy(None) => format!("#/policies/{NEW_POLICY}"),
            Route::EditPolicy(Some(name)) => format!("#/policies/{name}/edit"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for h in ["#/jobs/backup/filesystem/nightly-1", "#/jobs/restore/s3/x_1", "#/restore/filesystem/b", "#/policies",
                  "#/policies/nightly", "#/policies/_new", "#/policies/nightly/edit"] {
            assert_eq!(Route::parse(h).to_hash(), h);
        }
    }

    #[test]
    fn only_a_job_route_opens_a_job() {
        let key = JobKey { kind: JobKind::Restore, backend: "s3".into(), id: "x_1".into() };
        assert_eq!(Route::parse("#/jobs/restore/s3/x_1").job(), Some(&key));
        assert_eq!(Route::parse("#/restore/s3/x_1").job(), None);
        assert_eq!(Route::Home.job(), None);
        assert!(Route::parse("#/policies/x/edit").is_policies() && !Route::parse("#/restore/s3/x_1").is_policies());
    }

    #[test]
    fn junk_is_home() {
        for h in ["", "#", "#/", "#/jobs/backup/filesystem", "#/jobs/delete/fs/x", "#/jobs/backup/fs/Bad Id",
                  "#/restore/../x", "#/jobs/backup/f%2F/x", "#/restore/fs/x/extra", "#/policies/a b", "#/policies/x/delete"] {
            assert_eq!(Route::parse(h), Route::Home, "{h}");
        }
    }
}
