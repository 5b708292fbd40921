//! What the job table shows: text and status filters, the sort order, the page of rows that
//! is rendered, and how a backend's list refresh relates to the known jobs. All on positions
//! in the job list, so the app sorts and filters without copying a job.

use crate::api::BackupListItem;
use crate::job::{Job, JobKey, JobKind};
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

/// Whether `hay` contains `needle` (already lower-case), ignoring case, without allocating
/// for ASCII needles.
fn contains_folded(hay: &str, needle: &str) -> bool {
    if needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(needle)
    }
}

impl TableView {
    fn needle(&self) -> String {
        self.text.trim().to_lowercase()
    }

    fn matches(&self, needle: &str, job: &Job) -> bool {
        let key = &job.key;
        // A needle without ':' cannot span the separators of `{kind}:{backend}:{id}`.
        let key_hit = if needle.contains(':') {
            contains_folded(&key.to_string(), needle)
        } else {
            [key.kind.as_str(), &key.backend, &key.id].iter().any(|p| contains_folded(p, needle))
        };
        let hit = needle.is_empty()
            || key_hit
            || contains_folded(job.status.as_str(), needle)
            || job.classes.iter().any(|c| contains_folded(c, needle))
            || job.error.as_deref().is_some_and(|e| contains_folded(e, needle));
        hit && self.status.accepts(job.status.tone())
    }

    pub fn shows(&self, job: &Job) -> bool {
        self.matches(&self.needle(), job)
    }

    /// Whether a job's status, error or collections can change where it stands: otherwise
    /// the order and the filter read only what is fixed when a job is added (its key and
    /// start), and a status update cannot move a row.
    pub fn follows_updates(&self) -> bool {
        !self.text.trim().is_empty() || self.status != StatusFilter::All || self.sort == SortBy::Status
    }

    /// Positions in `jobs` of the shown jobs, in display order. `jobs` are newest added first;
    /// ties keep that order.
    pub fn arrange<J: std::ops::Deref<Target = Job>>(&self, jobs: &[J]) -> Vec<usize> {
        let needle = self.needle();
        let mut shown: Vec<usize> = (0..jobs.len()).filter(|&i| self.matches(&needle, &jobs[i])).collect();
        let key = |i: usize| {
            let job = &jobs[i];
            match self.sort {
                SortBy::Newest => (0, !job.started_ms, i),
                SortBy::Oldest => (0, job.started_ms, i),
                SortBy::Status => (tone_rank(job.status.tone()), !job.started_ms, i),
            }
        };
        ordered(shown.drain(..).map(key).collect())
    }
}

/// Positions by `(rank, order)`, ties kept in position order (a stable sort). Every ordering
/// in the console goes through this one sort, so the wasm holds one sort routine instead of
/// one per comparator (~4 KB each). `!started_ms` as the order means newest first.
pub fn ordered(mut keyed: Vec<(u8, u64, usize)>) -> Vec<usize> {
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, _, i)| i).collect()
}

/// Rows rendered at once: a page. Beyond it the admin pages, filters or sorts; a table of
/// 10,000 backups renders 50 rows (~50 DOM nodes each), not 10,000.
pub const PAGE_SIZE: usize = 50;

/// The rendered part of the arranged rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The page shown (from 0), clamped to the pages there are.
    pub page: usize,
    pub pages: usize,
    /// Positions in the arranged rows: `first..end`.
    pub first: usize,
    pub end: usize,
}

impl Window {
    /// Page `page` of `shown` rows, `size` a page; a page beyond the last shows the last (the
    /// filter shrank the rows), and there is always one page, if empty.
    pub fn of(shown: usize, page: usize, size: usize) -> Window {
        let size = size.max(1);
        let pages = shown.div_ceil(size).max(1);
        let page = page.min(pages - 1);
        let first = page * size;
        Window { page, pages, first, end: (first + size).min(shown) }
    }

    /// The page that holds the row at `position`.
    pub fn page_of(position: usize, size: usize) -> usize {
        position / size.max(1)
    }
}

/// How a backend's list relates to the jobs already known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListDiff {
    /// Items of backups not known yet, in list order (an id listed twice, once).
    pub added: Vec<usize>,
    /// (item, known job): each is folded into that job with [`Job::apply_listed`], which
    /// leaves it untouched unless the item changes it.
    pub known: Vec<(usize, usize)>,
}

/// Splits a list refresh of `backend` into new and known backups; `known` finds a job by its
/// `{kind}:{backend}:{id}` key.
pub fn diff_listed(backend: &str, items: &[BackupListItem], known: impl Fn(&str) -> Option<usize>) -> ListDiff {
    let mut diff = ListDiff::default();
    let mut new_keys = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let key = JobKey { kind: JobKind::Backup, backend: backend.to_string(), id: item.id.clone() }.to_string();
        match known(&key) {
            Some(at) => diff.known.push((i, at)),
            None => {
                if new_keys.insert(key) {
                    diff.added.push(i);
                }
            }
        }
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::StartedResponse;
    use crate::status::Status;

    fn job(id: &str, status: &str, started: u64) -> Job {
        let r: StartedResponse =
            serde_json::from_str(&format!(r#"{{"id":"{id}","status":"STARTED","classes":["Article"]}}"#)).unwrap();
        let mut j = Job::started(JobKey { kind: JobKind::Backup, backend: "filesystem".into(), id: id.into() }, &r, started);
        j.status = Status::parse(status);
        j
    }

    fn jobs() -> Vec<Job> {
        vec![job("a", "SUCCESS", 1), job("b", "STARTED", 3), job("c", "FAILED", 2), job("d", "WEIRD", 0)]
    }

    fn ids(jobs: &[Job], order: Vec<usize>) -> Vec<String> {
        order.into_iter().map(|i| jobs[i].key.id.clone()).collect()
    }

    fn arrange(v: &TableView, jobs: &[Job]) -> Vec<String> {
        let refs: Vec<&Job> = jobs.iter().collect();
        ids(jobs, v.arrange(&refs))
    }

    #[test]
    fn sorts() {
        let mut v = TableView::default();
        assert_eq!(arrange(&v, &jobs()), ["b", "c", "a", "d"]);
        v.sort = SortBy::Oldest;
        assert_eq!(arrange(&v, &jobs()), ["d", "a", "c", "b"]);
        v.sort = SortBy::Status;
        assert_eq!(arrange(&v, &jobs()), ["b", "d", "c", "a"]);
        // Ties keep the given order (newest added first).
        let same = vec![job("newer", "STARTED", 5), job("older", "STARTED", 5)];
        assert_eq!(arrange(&TableView::default(), &same), ["newer", "older"]);
    }

    #[test]
    fn filters() {
        let mut v = TableView { status: StatusFilter::Running, ..Default::default() };
        assert_eq!(arrange(&v, &jobs()), ["b", "d"]);
        v.status = StatusFilter::All;
        v.text = "FAIL".into();
        assert_eq!(arrange(&v, &jobs()), ["c"]);
        v.text = "article".into();
        assert_eq!(arrange(&v, &jobs()).len(), 4);
        v.text = "nothing".into();
        assert!(arrange(&v, &jobs()).is_empty());
        // Across the key's separators, and non-ASCII text.
        v.text = " BACKUP:FILESYSTEM:c ".into();
        assert_eq!(arrange(&v, &jobs()), ["c"]);
        let mut e = job("e", "FAILED", 9);
        e.error = Some("Größe überschritten".into());
        v.text = "GRÖSSE".into();
        assert!(!v.shows(&e), "no full case folding: ß is not ss");
        v.text = "ÜBER".into();
        assert!(v.shows(&e));
    }

    #[test]
    fn which_views_follow_status_updates() {
        assert!(!TableView::default().follows_updates());
        assert!(!TableView { sort: SortBy::Oldest, ..Default::default() }.follows_updates());
        assert!(TableView { sort: SortBy::Status, ..Default::default() }.follows_updates());
        assert!(TableView { status: StatusFilter::Failed, ..Default::default() }.follows_updates());
        assert!(TableView { text: "x".into(), ..Default::default() }.follows_updates());
        assert!(!TableView { text: "  ".into(), ..Default::default() }.follows_updates());
    }

    #[test]
    fn windows_of_a_large_table() {
        assert_eq!(Window::of(0, 0, 100), Window { page: 0, pages: 1, first: 0, end: 0 });
        assert_eq!(Window::of(42, 0, 100), Window { page: 0, pages: 1, first: 0, end: 42 });
        assert_eq!(Window::of(10_000, 0, 100), Window { page: 0, pages: 100, first: 0, end: 100 });
        assert_eq!(Window::of(10_000, 99, 100), Window { page: 99, pages: 100, first: 9_900, end: 10_000 });
        assert_eq!(Window::of(1_001, 10, 100), Window { page: 10, pages: 11, first: 1_000, end: 1_001 });
        // The filter shrank the rows under the page: the last page shows.
        assert_eq!(Window::of(250, 7, 100), Window { page: 2, pages: 3, first: 200, end: 250 });
        assert_eq!(Window::of(5, usize::MAX, 0), Window { page: 4, pages: 5, first: 4, end: 5 });
        assert_eq!(Window::page_of(0, 100), 0);
        assert_eq!(Window::page_of(199, 100), 1);
        assert_eq!(Window::page_of(200, 100), 2);
        // Every row is on exactly one page.
        for shown in [0, 1, 99, 100, 101, 1_000, 10_001] {
            let pages = Window::of(shown, 0, 100).pages;
            let covered: usize = (0..pages).map(|p| Window::of(shown, p, 100)).map(|w| w.end - w.first).sum();
            assert_eq!(covered, shown);
        }
    }

    fn listed(id: &str, status: &str) -> BackupListItem {
        serde_json::from_str(&format!(r#"{{"id":"{id}","status":"{status}","classes":["Article"]}}"#)).unwrap()
    }

    /// A refresh of 1,000 listed backups where one has finished touches one job.
    #[test]
    fn a_list_refresh_touches_only_what_changed() {
        let mut items: Vec<BackupListItem> = (0..1_000).map(|i| listed(&format!("b{i}"), "SUCCESS")).collect();
        items[500] = listed("b500", "STARTED");
        let mut known: Vec<Job> = vec![];
        let index = |known: &[Job]| -> std::collections::HashMap<String, usize> {
            known.iter().enumerate().map(|(i, j)| (j.key.to_string(), i)).collect()
        };
        let first = diff_listed("s3", &items, |k| index(&known).get(k).copied());
        assert_eq!(first.added.len(), 1_000);
        assert!(first.known.is_empty());
        known.extend(first.added.iter().map(|&i| Job::from_listed("s3", &items[i], 7)));

        // The same list again: nothing new, nothing changed.
        let idx = index(&known);
        let again = diff_listed("s3", &items, |k| idx.get(k).copied());
        assert!(again.added.is_empty());
        assert_eq!(again.known.len(), 1_000);
        let before = known.clone();
        let changed = again.known.iter().filter(|&&(i, at)| known[at].apply_listed(&items[i], 9)).count();
        assert_eq!(changed, 0);
        assert_eq!(known, before);

        // One backup finished, one is new.
        items[500] = listed("b500", "SUCCESS");
        items.push(listed("fresh", "STARTED"));
        let diff = diff_listed("s3", &items, |k| idx.get(k).copied());
        assert_eq!(diff.added, vec![1_000]);
        let touched: Vec<usize> = diff.known.iter().filter(|&&(i, at)| known[at].apply_listed(&items[i], 11)).map(|&(_, at)| at).collect();
        assert_eq!(touched.len(), 1);
        assert_eq!(known[touched[0]].key.id, "b500");
        assert_eq!(known[touched[0]].status, Status::Success);
    }

    #[test]
    fn a_list_names_each_new_backup_once_and_keys_by_backend() {
        let items = vec![listed("x", "SUCCESS"), listed("x", "SUCCESS"), listed("y", "SUCCESS")];
        let diff = diff_listed("gcs", &items, |k| (k == "backup:gcs:y").then_some(0));
        assert_eq!(diff, ListDiff { added: vec![0], known: vec![(2, 0)] });
        assert_eq!(diff_listed("s3", &items, |k| (k == "backup:gcs:y").then_some(0)).added, vec![0, 2]);
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
