//! What the job table shows: text and status filters, and the sort order.

use crate::job::Job;
use crate::status::Tone;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    All,
    Running,
    Succeeded,
    Failed,
    Canceled,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 5] =
        [StatusFilter::All, StatusFilter::Running, StatusFilter::Succeeded, StatusFilter::Failed, StatusFilter::Canceled];

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::All => "All",
            StatusFilter::Running => "Running",
            StatusFilter::Succeeded => "Succeeded",
            StatusFilter::Failed => "Failed",
            StatusFilter::Canceled => "Canceled",
        }
    }

    pub fn from_label(s: &str) -> StatusFilter {
        StatusFilter::ALL.into_iter().find(|f| f.label() == s).unwrap_or_default()
    }

    fn accepts(self, tone: Tone) -> bool {
        match self {
            StatusFilter::All => true,
            // Unknown statuses are still polled, so they count as running.
            StatusFilter::Running => matches!(tone, Tone::Running | Tone::Unknown),
            StatusFilter::Succeeded => tone == Tone::Success,
            StatusFilter::Failed => tone == Tone::Failed,
            StatusFilter::Canceled => tone == Tone::Canceled,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Newest,
    Oldest,
    /// Running first, then failed, canceled, succeeded; newest first within each.
    Status,
}

impl SortBy {
    pub const ALL: [SortBy; 3] = [SortBy::Newest, SortBy::Oldest, SortBy::Status];

    pub fn label(self) -> &'static str {
        match self {
            SortBy::Newest => "Newest first",
            SortBy::Oldest => "Oldest first",
            SortBy::Status => "Status",
        }
    }

    pub fn from_label(s: &str) -> SortBy {
        SortBy::ALL.into_iter().find(|f| f.label() == s).unwrap_or_default()
    }
}

fn tone_rank(t: Tone) -> u8 {
    match t {
        Tone::Running | Tone::Unknown => 0,
        Tone::Failed => 1,
        Tone::Canceled => 2,
        Tone::Success => 3,
    }
}

/// The table's filter and order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableView {
    pub text: String,
    pub status: StatusFilter,
    pub sort: SortBy,
}

impl TableView {
    pub fn shows(&self, job: &Job) -> bool {
        let text = self.text.trim().to_lowercase();
        let hit = text.is_empty()
            || job.key.to_string().to_lowercase().contains(&text)
            || job.status.as_str().to_lowercase().contains(&text)
            || job.classes.iter().any(|c| c.to_lowercase().contains(&text))
            || job.error.as_deref().is_some_and(|e| e.to_lowercase().contains(&text));
        hit && self.status.accepts(job.status.tone())
    }

    /// The keys of the shown jobs, in display order. `jobs` are (key, job), newest added first.
    pub fn arrange(&self, jobs: &[(String, Job)]) -> Vec<String> {
        let mut shown: Vec<&(String, Job)> = jobs.iter().filter(|(_, j)| self.shows(j)).collect();
        match self.sort {
            SortBy::Newest => shown.sort_by_key(|(_, j)| std::cmp::Reverse(j.started_ms)),
            SortBy::Oldest => shown.sort_by_key(|(_, j)| j.started_ms),
            SortBy::Status => {
                shown.sort_by_key(|(_, j)| (tone_rank(j.status.tone()), std::cmp::Reverse(j.started_ms)))
            }
        }
        shown.into_iter().map(|(k, _)| k.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::StartedResponse;
    use crate::job::JobKind;
    use crate::status::Status;

    fn job(id: &str, status: &str, started: u64) -> (String, Job) {
        let r: StartedResponse =
            serde_json::from_str(&format!(r#"{{"id":"{id}","status":"STARTED","classes":["Article"]}}"#)).unwrap();
        let mut j = Job::started(crate::job::JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: id.into() }, &r, started);
        j.status = Status::parse(status);
        (j.key.to_string(), j)
    }

    fn jobs() -> Vec<(String, Job)> {
        vec![job("a", "SUCCESS", 1), job("b", "STARTED", 3), job("c", "FAILED", 2), job("d", "WEIRD", 0)]
    }

    fn ids(keys: Vec<String>) -> Vec<String> {
        keys.into_iter().map(|k| k.rsplit(':').next().unwrap().to_string()).collect()
    }

    #[test]
    fn sorts() {
        let mut v = TableView::default();
        assert_eq!(ids(v.arrange(&jobs())), ["b", "c", "a", "d"]);
        v.sort = SortBy::Oldest;
        assert_eq!(ids(v.arrange(&jobs())), ["d", "a", "c", "b"]);
        v.sort = SortBy::Status;
        assert_eq!(ids(v.arrange(&jobs())), ["b", "d", "c", "a"]);
    }

    #[test]
    fn filters() {
        let mut v = TableView { status: StatusFilter::Running, ..Default::default() };
        assert_eq!(ids(v.arrange(&jobs())), ["b", "d"]);
        v.status = StatusFilter::All;
        v.text = "FAIL".into();
        assert_eq!(ids(v.arrange(&jobs())), ["c"]);
        v.text = "article".into();
        assert_eq!(v.arrange(&jobs()).len(), 4);
        v.text = "nothing".into();
        assert!(v.arrange(&jobs()).is_empty());
    }

    #[test]
    fn labels_round_trip() {
        for f in StatusFilter::ALL {
            assert_eq!(StatusFilter::from_label(f.label()), f);
        }
        for s in SortBy::ALL {
            assert_eq!(SortBy::from_label(s.label()), s);
        }
        assert_eq!(StatusFilter::from_label("bogus"), StatusFilter::All);
    }
}
