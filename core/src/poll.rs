//! When to ask for a job's status next. Pure, so the schedule is unit-tested without timers.
//!
//! Weaviate's coordinator changes a running job's status only when it checks its nodes, on a
//! cadence that depends on the server's version (see [`Grid::for_version`]). Asking between two
//! checks cannot show anything new (and from v1.36.19 every status read costs an object-storage
//! read), so a job the console started itself is asked just after each check: the [`Grid`].
//! Whatever the grid cannot predict is asked on the adaptive schedule instead: a restore's
//! schema apply (`FINALIZING` ends when the work does), statuses the grid does not know, jobs
//! started elsewhere (their start is on another clock), and any job whose status once changed
//! where no check could have changed it (a cadence this console does not know, a server too
//! busy to keep time).

use crate::job::{Job, JobKind};
use crate::status::Status;
use crate::version::Version;

/// The coordinator's checks of its nodes, relative to a job's start (the console's clock when
/// the POST's answer arrived: the coordinator starts counting just before it answers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    /// The wait before the first check.
    pub first_ms: u64,
    /// The longest wait from one check to the next.
    pub step_ms: u64,
    /// Each wait doubles the one before, up to `step_ms`; otherwise every wait after the first
    /// is `step_ms`.
    pub doubling: bool,
    /// How long after a check its status is asked for: the round trip, the coordinator's
    /// own work (it writes the descriptor before the status shows) and timer slack.
    pub margin_ms: u64,
    /// Added per check: each wait starts when the previous check *ended*, so the grid drifts
    /// late by the length of every check before it.
    pub drift_ms: u64,
}

impl Default for Grid {
    fn default() -> Self {
        Grid::FIXED
    }
}

impl Grid {
    /// v1.39.0 … v1.39.6 (and every older release): 2 s, then every 10 s.
    /// `usecases/backup/coordinator.go` `commit` at v1.39.6: `retryAfter := c.timeoutNextRound / 5`,
    /// then `retryAfter = c.timeoutNextRound` (`_NextRoundPeriod = 10 * time.Second`). Measured on
    /// v1.39.0: `STARTED → SUCCESS` at 2.04 s, 22.04 s and 102.07 s after the POST.
    pub const FIXED: Grid = Grid { first_ms: 2_000, step_ms: 10_000, doubling: false, margin_ms: 250, drift_ms: 15 };

    /// v1.39.7 on: 100 ms, doubling up to 10 s. `usecases/backup/coordinator.go` at v1.39.7:
    /// `_FirstRoundPeriod = 100 * time.Millisecond`, `retryAfter := min(_FirstRoundPeriod,
    /// c.timeoutNextRound)` … `retryAfter = min(2*retryAfter, c.timeoutNextRound)`. (The issue
    /// that asked for this named v1.39.6; that tag's source still has `timeoutNextRound / 5`.)
    pub const DOUBLING: Grid = Grid { first_ms: 100, step_ms: 10_000, doubling: true, margin_ms: 250, drift_ms: 15 };

    /// The first release with the doubling cadence. Newer releases are assumed to keep it until
    /// their source says otherwise; a job whose status changes where it cannot falls back to
    /// the adaptive schedule ([`PollSlot::answered`]), so a wrong guess costs time, never a
    /// missed change.
    pub const DOUBLING_SINCE: Version = Version::new(1, 39, 7);

    pub fn for_version(version: Version) -> Grid {
        if version >= Grid::DOUBLING_SINCE {
            Grid::DOUBLING
        } else {
            Grid::FIXED
        }
    }

    /// The wait before check `k`.
    fn wait(&self, k: u64) -> u64 {
        match (k, self.doubling) {
            (0, _) => self.first_ms,
            (_, false) => self.step_ms,
            (k, true) => self.first_ms.checked_shl(k.min(63) as u32).filter(|w| *w >> k.min(63) == self.first_ms).unwrap_or(u64::MAX).min(self.step_ms),
        }
    }

    /// Checks before the waits reach `step_ms` (at most 64: the waits double).
    fn ramp(&self) -> u64 {
        (0..64).find(|k| *k > 0 && self.wait(*k) >= self.step_ms).unwrap_or(1)
    }

    /// When check `k` happens, from the start.
    fn check_ms(&self, k: u64) -> u64 {
        let ramp = self.ramp();
        let mut at = 0u64;
        for i in 0..=k.min(ramp - 1) {
            at = at.saturating_add(self.wait(i)).saturating_add(if i > 0 { self.drift_ms } else { 0 });
        }
        if k >= ramp {
            at = at.saturating_add((k - ramp + 1).saturating_mul(self.step_ms.saturating_add(self.drift_ms)));
        }
        at
    }

    /// The last check at or before `t` (from the start), if any.
    fn last_check(&self, t: u64) -> Option<u64> {
        if t < self.check_ms(0) {
            return None;
        }
        let ramp = self.ramp();
        if let Some(k) = (1..ramp).find(|k| self.check_ms(*k) > t) {
            return Some(k - 1);
        }
        let period = self.step_ms.saturating_add(self.drift_ms).max(1);
        let last_ramp = self.check_ms(ramp - 1);
        Some(ramp - 1 + (t - last_ramp) / period)
    }

    /// The first time after `after` (exclusive) to ask about a job that started at `start`.
    pub fn next_ask_ms(&self, start: u64, after: u64) -> u64 {
        let since = after.saturating_sub(start);
        let k = match self.last_check(since.saturating_sub(self.margin_ms)) {
            Some(k) if self.check_ms(k).saturating_add(self.margin_ms) <= since => k + 1,
            Some(k) => k,
            None => 0,
        };
        start.saturating_add(self.check_ms(k)).saturating_add(self.margin_ms)
    }

    /// Whether a status that changed between the asks sent at `before` and at `at` can have
    /// changed at one of the coordinator's checks: some check, plus its allowed lateness,
    /// overlaps that interval.
    pub fn explains(&self, start: u64, before: u64, at: u64) -> bool {
        let Some(since_start) = at.checked_sub(start) else { return false };
        let Some(k) = self.last_check(since_start) else {
            // Before the first check: only a refusal at commit, which the first ask shows.
            return before <= start;
        };
        start.saturating_add(self.check_ms(k)).saturating_add(self.margin_ms) > before
    }
}

/// The polling schedule's knobs, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollPolicy {
    /// Adaptive: interval right after a change.
    pub fast_ms: u64,
    /// Adaptive: how long after a change a job is polled at `fast_ms` before backing off.
    pub fast_for_ms: u64,
    /// Adaptive: longest interval.
    pub cap_ms: u64,
    /// Heartbeat while the tab is hidden.
    pub hidden_ms: u64,
    /// First retry delay after a failed status read; doubles per failure.
    pub retry_base_ms: u64,
    pub retry_cap_ms: u64,
    pub grid: Grid,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            fast_ms: 1_000,
            fast_for_ms: 10_000,
            cap_ms: 5_000,
            hidden_ms: 30_000,
            retry_base_ms: 2_000,
            retry_cap_ms: 30_000,
            grid: Grid::default(),
        }
    }
}

/// Whether the coordinator's checks are what changes this job's status next.
fn grid_status(job: &Job) -> bool {
    match job.key.kind {
        JobKind::Backup => job.status == Status::Started,
        // A restore-cancel writes CANCELED before it answers: not a check's doing.
        JobKind::Restore => {
            matches!(job.status, Status::Started | Status::Transferring | Status::Transferred) && !job.cancel_requested
        }
    }
}

impl PollPolicy {
    /// Adaptive delay for a job unchanged for `quiet_ms`, whose last `failures` reads failed in
    /// a row, in a tab that is `hidden` or not.
    pub fn next_delay_ms(&self, quiet_ms: u64, failures: u32, hidden: bool) -> u64 {
        let base = if failures > 0 {
            let factor = 1u64 << (failures - 1).min(16);
            self.retry_base_ms.saturating_mul(factor).min(self.retry_cap_ms)
        } else if quiet_ms < self.fast_for_ms {
            self.fast_ms
        } else {
            // Grow by 1 s for every 10 s beyond the fast phase, up to the cap.
            self.fast_ms.saturating_add((quiet_ms - self.fast_for_ms) / 10).min(self.cap_ms)
        };
        if hidden {
            base.max(self.hidden_ms)
        } else {
            base
        }
    }

    /// When to ask first about a job not asked about yet: at once (it may have changed while
    /// nobody looked, e.g. before a reload), unless it started so recently that the
    /// coordinator has not checked yet.
    pub fn first_due_ms(&self, job: &Job, now: u64) -> u64 {
        match job.grid_start_ms.filter(|_| grid_status(job)) {
            Some(start) if now < start.saturating_add(self.grid.first_ms) => self.grid.next_ask_ms(start, now),
            _ => now,
        }
    }

    /// When to ask next about `job`, whose last answer (or failure) came at `now`.
    pub fn next_due_ms(&self, job: &Job, slot: &PollSlot, now: u64, hidden: bool) -> u64 {
        let anchor = job.grid_start_ms.filter(|_| !slot.off_grid && grid_status(job) && job.poll_failures == 0);
        match anchor {
            // Hidden: a heartbeat, still just after a check.
            Some(start) => self.grid.next_ask_ms(start, if hidden { now.saturating_add(self.hidden_ms) } else { now }),
            None => {
                let quiet = now.saturating_sub(job.last_change_ms);
                now.saturating_add(self.next_delay_ms(quiet, job.poll_failures, hidden))
            }
        }
    }
}

/// One job's place in the schedule: at most one request in flight, when the next is due, and
/// what the grid has been shown so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollSlot {
    pub next_due_ms: u64,
    pub in_flight: bool,
    /// When the request behind the last answer was sent.
    asked_ms: Option<u64>,
    /// A change came where no check could have made it: this job is polled adaptively.
    pub off_grid: bool,
    /// The job's cancel has been seen (see [`PollSlot::cancel_seen`]).
    cancel_noted: bool,
}

impl PollSlot {
    /// A slot whose first ask waits for `due_ms` (a job just started: nothing changes before
    /// the first check).
    pub fn due_at(due_ms: u64) -> PollSlot {
        PollSlot { next_due_ms: due_ms, ..PollSlot::default() }
    }
    pub fn is_due(&self, now_ms: u64) -> bool {
        !self.in_flight && now_ms >= self.next_due_ms
    }
    pub fn begin(&mut self) {
        self.in_flight = true;
    }
    pub fn finish(&mut self, now_ms: u64, delay_ms: u64) {
        self.in_flight = false;
        self.next_due_ms = now_ms.saturating_add(delay_ms);
    }
    /// The answer to the request sent at `sent_ms` arrived; `changed`: it showed a new status.
    /// A change the grid cannot explain moves the job to the adaptive schedule for good.
    pub fn answered(&mut self, grid: &Grid, start: Option<u64>, sent_ms: u64, changed: bool) {
        if let (true, Some(start), Some(before)) = (changed, start, self.asked_ms) {
            if !grid.explains(start, before, sent_ms) {
                self.off_grid = true;
            }
        }
        self.asked_ms = Some(sent_ms);
    }
    /// `job` may have been cancelled since the last look. A restore-cancel writes `CANCELED`
    /// before it answers, so that status is asked for at once, not at the next check; a
    /// backup's cancel ends at a check, which the grid already asks after.
    pub fn cancel_seen(&mut self, job: &Job, now_ms: u64) {
        if job.cancel_requested && !self.cancel_noted {
            self.cancel_noted = true;
            if job.key.kind == JobKind::Restore {
                self.hurry(now_ms);
            }
        }
    }
    /// The tab became visible again: poll at once.
    pub fn hurry(&mut self, now_ms: u64) {
        self.next_due_ms = self.next_due_ms.min(now_ms);
    }
}

/// Where one job's slot stands at a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotState {
    /// Nothing to do before `due_ms`: the poller wakes then.
    Waiting { due_ms: u64 },
    /// A request is out; its answer schedules the next.
    InFlight,
    /// Ask now.
    Due,
}

impl PollSlot {
    pub fn state(&self, now_ms: u64) -> SlotState {
        if self.in_flight {
            SlotState::InFlight
        } else if now_ms >= self.next_due_ms {
            SlotState::Due
        } else {
            SlotState::Waiting { due_ms: self.next_due_ms }
        }
    }

    /// The read sent at `sent_ms` ended at `now_ms`: `answered` is whether the status changed,
    /// `None` if the read failed (`job` already holds the answer or the failure). Returns when
    /// to ask next; `None` for a job that no longer polls (it is due as soon as it polls again,
    /// e.g. after "Check again").
    pub fn landed(&mut self, policy: &PollPolicy, job: &Job, sent_ms: u64, answered: Option<bool>, now_ms: u64, hidden: bool) -> Option<u64> {
        if let Some(changed) = answered {
            self.answered(&policy.grid, job.grid_start_ms, sent_ms, changed);
        }
        let due = job.polls().then(|| policy.next_due_ms(job, self, now_ms, hidden));
        self.finish(now_ms, due.unwrap_or(now_ms).saturating_sub(now_ms));
        due
    }
}

/// The one wake-up the poller keeps: the earliest time anything is due.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wake {
    at_ms: Option<u64>,
}

impl Wake {
    /// Whether a wake-up at `due_ms` must replace the one set (none set, or a later one).
    pub fn sooner(&self, due_ms: u64) -> bool {
        self.at_ms.is_none_or(|at| due_ms < at)
    }
    pub fn set(&mut self, due_ms: u64) {
        self.at_ms = Some(due_ms);
    }
    /// It fired, or was cleared.
    pub fn clear(&mut self) {
        self.at_ms = None;
    }
    /// The earliest of the slots' `Waiting` dues, for one tick's states.
    pub fn earliest(states: impl IntoIterator<Item = SlotState>) -> Option<u64> {
        let waiting = |s| match s {
            SlotState::Waiting { due_ms } => Some(due_ms),
            SlotState::InFlight | SlotState::Due => None,
        };
        states.into_iter().filter_map(waiting).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adaptive_is_quick_after_a_change_then_backs_off_to_cap() {
        let p = PollPolicy::default();
        assert_eq!(p.next_delay_ms(0, 0, false), 1_000);
        assert_eq!(p.next_delay_ms(9_999, 0, false), 1_000);
        assert_eq!(p.next_delay_ms(20_000, 0, false), 2_000);
        assert_eq!(p.next_delay_ms(40_000, 0, false), 4_000);
        assert_eq!(p.next_delay_ms(3_600_000, 0, false), 5_000);
        let mut last = 0;
        for t in (0..200_000).step_by(1_000) {
            let d = p.next_delay_ms(t, 0, false);
            assert!(d >= last && d <= p.cap_ms);
            last = d;
        }
    }

    #[test]
    fn failures_back_off_exponentially_to_a_cap() {
        let p = PollPolicy::default();
        assert_eq!(p.next_delay_ms(0, 1, false), 2_000);
        assert_eq!(p.next_delay_ms(0, 2, false), 4_000);
        assert_eq!(p.next_delay_ms(0, 3, false), 8_000);
        assert_eq!(p.next_delay_ms(0, 10, false), 30_000);
        assert_eq!(p.next_delay_ms(0, u32::MAX, false), 30_000);
    }

    #[test]
    fn hidden_tab_slows_to_heartbeat() {
        let p = PollPolicy::default();
        assert_eq!(p.next_delay_ms(0, 0, true), 30_000);
        assert_eq!(p.next_delay_ms(0, 10, true), 30_000);
    }

    #[test]
    fn grid_asks_just_after_each_check() {
        let g = Grid::default();
        let start = 1_000_000;
        assert_eq!(g.next_ask_ms(start, 0), start + 2_250, "a job not yet started waits for the first check");
        assert_eq!(g.next_ask_ms(start, start), start + 2_250);
        assert_eq!(g.next_ask_ms(start, start + 2_249), start + 2_250);
        assert_eq!(g.next_ask_ms(start, start + 2_250), start + 12_265);
        assert_eq!(g.next_ask_ms(start, start + 5_000), start + 12_265);
        assert_eq!(g.next_ask_ms(start, start + 12_265), start + 22_280);
        // The measured flips, each seen by the first ask after it.
        for flip in [2_040, 22_040, 102_070] {
            let ask = g.next_ask_ms(start, start + flip - 300);
            assert!(ask > start + flip && ask < start + flip + 500, "flip at {flip}: asked at +{}", ask - start);
        }
        assert_eq!(g.next_ask_ms(u64::MAX - 5, u64::MAX), u64::MAX, "saturates");
    }

    #[test]
    fn a_60_s_backup_needs_seven_asks() {
        let g = Grid::default();
        let (start, flip) = (0, 62_050);
        let mut asks = vec![];
        let mut t = start;
        loop {
            t = g.next_ask_ms(start, t);
            asks.push(t);
            if t >= flip {
                break;
            }
        }
        assert_eq!(asks.len(), 7, "{asks:?}");
        assert!(asks.last().unwrap() - flip < 500);
    }

    #[test]
    fn the_grid_follows_the_server_version() {
        assert_eq!(Grid::for_version(Version::new(1, 39, 0)), Grid::FIXED);
        assert_eq!(Grid::for_version(Version::new(1, 39, 6)), Grid::FIXED, "v1.39.6's source still waits timeoutNextRound / 5");
        assert_eq!(Grid::for_version(Version::new(1, 39, 7)), Grid::DOUBLING);
        assert_eq!(Grid::for_version(Version::new(1, 40, 0)), Grid::DOUBLING, "newer: assumed until its source says otherwise");
        assert_eq!(Grid::for_version(Version::new(1, 27, 0)), Grid::FIXED);
    }

    #[test]
    fn doubling_grid_asks_after_each_check_from_100_ms() {
        let g = Grid::DOUBLING;
        let start = 1_000_000;
        let mut asks = vec![];
        let mut t = start;
        while asks.len() < 10 {
            t = g.next_ask_ms(start, t);
            asks.push(t - start);
        }
        // Checks at 100, 300, 700, 1500, 3100, 6300, 12700, then every 10 s (plus drift).
        assert_eq!(asks, [350, 565, 980, 1_795, 3_410, 6_625, 13_040, 23_055, 33_070, 43_085]);
        assert_eq!(g.next_ask_ms(start, start + 349), start + 350);
        assert_eq!(g.next_ask_ms(start, start + 350), start + 565);
        assert_eq!(g.next_ask_ms(start, 0), start + 350, "a job not yet started waits for the first check");
    }

    #[test]
    fn a_4_s_backup_on_the_doubling_grid_is_seen_within_a_second_of_its_flip() {
        // Its nodes finish at 4 s; the check at ~6.3 s flips it.
        let g = Grid::DOUBLING;
        let flip = g.check_ms(5);
        assert!((6_300..6_400).contains(&flip));
        let mut asks = vec![];
        let mut t = 0;
        while asks.last().is_none_or(|a| *a < flip) {
            t = g.next_ask_ms(0, t);
            asks.push(t);
        }
        assert!(asks.last().unwrap() - flip < 1_000);
        assert!(asks.len() <= 6 + 2, "no more asks than checks (+2): {asks:?}");
        // The old grid on the same server would not have shown it before 12 s.
        assert!(Grid::FIXED.next_ask_ms(0, flip) > 12_000);
    }

    #[test]
    fn doubling_grid_explains_only_changes_at_its_checks() {
        let g = Grid::DOUBLING;
        let s = 10_000;
        assert!(g.explains(s, s + 350, s + 565), "check 1 lies between");
        assert!(g.explains(s, s + 3_410, s + 6_625));
        assert!(!g.explains(s, s + 6_625, s + 9_000), "no check between 6.4 s and 12.7 s");
        assert!(g.explains(s, s + 6_625, s + 13_040));
        assert!(!g.explains(s, s + 23_055, s + 30_000));
    }

    #[test]
    fn grid_explains_changes_only_around_checks() {
        let g = Grid::default();
        let s = 10_000;
        // Asked after check 0 and after check 1: a change in between is check 1's.
        assert!(g.explains(s, s + 2_250, s + 12_265));
        // Asked just after check 1, then 3 s later: nothing can have changed there.
        assert!(!g.explains(s, s + 12_265, s + 15_265));
        // An ask before check 1 and one after it.
        assert!(g.explains(s, s + 11_000, s + 12_100));
        // A refusal at commit shows at the first ask, with nothing asked before.
        assert!(g.explains(s, s, s + 2_250));
        assert!(!g.explains(s, s + 500, s + 1_500), "nothing happens between the start and the first check");
        assert!(!g.explains(s, 0, s - 1), "an ask before the start explains nothing");
    }

    fn job(kind: JobKind, status: &str) -> Job {
        Job::for_test(kind, status, 100_000)
    }

    #[test]
    fn console_backups_follow_the_grid() {
        let p = PollPolicy::default();
        let j = job(JobKind::Backup, "STARTED");
        assert_eq!(j.grid_start_ms, Some(100_000));
        let slot = PollSlot::default();
        assert_eq!(p.next_due_ms(&j, &slot, 100_000, false), 102_250);
        assert_eq!(p.next_due_ms(&j, &slot, 102_260, false), 112_265);
        // Hidden: a heartbeat, on the grid.
        assert_eq!(p.next_due_ms(&j, &slot, 102_260, true), 132_295);
        // Cancelling a backup ends at a check too.
        let mut c = j.clone();
        c.cancel_requested = true;
        assert_eq!(p.next_due_ms(&c, &slot, 102_260, false), 112_265);
    }

    #[test]
    fn the_first_ask_waits_only_for_the_first_check() {
        let p = PollPolicy::default();
        let j = job(JobKind::Backup, "STARTED");
        assert_eq!(p.first_due_ms(&j, 100_010), 102_250, "just started");
        assert_eq!(p.first_due_ms(&j, 500_000), 500_000, "resumed after a reload: at once");
        let mut elsewhere = j.clone();
        elsewhere.grid_start_ms = None;
        assert_eq!(p.first_due_ms(&elsewhere, 100_010), 100_010);
    }

    #[test]
    fn restores_follow_the_grid_until_finalizing() {
        let p = PollPolicy::default();
        let slot = PollSlot::default();
        for status in ["STARTED", "TRANSFERRING", "TRANSFERRED"] {
            assert_eq!(p.next_due_ms(&job(JobKind::Restore, status), &slot, 100_000, false), 102_250, "{status}");
        }
        // The schema apply ends when it is done: adaptive, quick after the change.
        let mut f = job(JobKind::Restore, "FINALIZING");
        f.last_change_ms = 102_300;
        assert_eq!(p.next_due_ms(&f, &slot, 102_300, false), 103_300);
        // A restore-cancel is answered at once.
        let mut c = job(JobKind::Restore, "TRANSFERRING");
        c.cancel_requested = true;
        c.last_change_ms = 105_000;
        assert_eq!(p.next_due_ms(&c, &slot, 105_000, false), 106_000);
    }

    #[test]
    fn what_the_grid_cannot_predict_is_adaptive() {
        let p = PollPolicy::default();
        let slot = PollSlot::default();
        // A status this version does not know, on a backup.
        let mut odd = job(JobKind::Backup, "TRANSFERRING");
        odd.last_change_ms = 100_000;
        assert_eq!(p.next_due_ms(&odd, &slot, 100_000, false), 101_000);
        // Started elsewhere: no start on this clock.
        let mut elsewhere = job(JobKind::Backup, "STARTED");
        elsewhere.grid_start_ms = None;
        elsewhere.last_change_ms = 100_000;
        assert_eq!(p.next_due_ms(&elsewhere, &slot, 100_500, false), 101_500);
        // Failing reads retry on their own backoff, then return to the grid.
        let mut failing = job(JobKind::Backup, "STARTED");
        failing.poll_failures = 2;
        assert_eq!(p.next_due_ms(&failing, &slot, 103_000, false), 107_000);
        failing.poll_failures = 0;
        assert_eq!(p.next_due_ms(&failing, &slot, 107_000, false), 112_265);
    }

    #[test]
    fn a_change_off_the_grid_falls_back_to_adaptive_for_that_job() {
        let p = PollPolicy::default();
        let mut j = job(JobKind::Restore, "TRANSFERRING");
        let start = j.grid_start_ms;
        let mut slot = PollSlot::default();
        slot.answered(&p.grid, start, 102_250, false);
        // Back to a visible tab 3 s later: the status changed, and no check lies in between.
        slot.answered(&p.grid, start, 105_250, true);
        assert!(slot.off_grid);
        j.last_change_ms = 105_260;
        assert_eq!(p.next_due_ms(&j, &slot, 105_260, false), 106_260);
        // A change seen at the ask after a check stays on the grid.
        let mut on = PollSlot::default();
        on.answered(&p.grid, start, 102_250, false);
        on.answered(&p.grid, start, 112_265, true);
        assert!(!on.off_grid);
        // The first answer has nothing to compare with.
        let mut first = PollSlot::default();
        first.answered(&p.grid, start, 105_000, true);
        assert!(!first.off_grid);
    }

    #[test]
    fn a_restore_cancel_is_asked_about_at_once_a_backup_cancel_at_the_next_check() {
        let mut restore = job(JobKind::Restore, "TRANSFERRING");
        let mut slot = PollSlot::due_at(112_265);
        slot.cancel_seen(&restore, 105_000);
        assert_eq!(slot.next_due_ms, 112_265, "nothing cancelled yet");
        restore.cancel_requested = true;
        slot.cancel_seen(&restore, 105_000);
        assert!(slot.is_due(105_000));
        slot.finish(105_100, 1_000);
        slot.cancel_seen(&restore, 105_200);
        assert_eq!(slot.next_due_ms, 106_100, "once");
        let mut backup = job(JobKind::Backup, "STARTED");
        backup.cancel_requested = true;
        let mut slot = PollSlot::due_at(112_265);
        slot.cancel_seen(&backup, 105_000);
        assert_eq!(slot.next_due_ms, 112_265);
    }

    #[test]
    fn slot_allows_one_request_in_flight() {
        let mut s = PollSlot::default();
        assert!(s.is_due(0));
        s.begin();
        assert!(!s.is_due(10_000));
        s.finish(1_000, 1_000);
        assert!(!s.is_due(1_999));
        assert!(s.is_due(2_000));
        s.finish(2_000, 30_000);
        s.hurry(5_000);
        assert!(s.is_due(5_000));
        s.finish(u64::MAX - 1, 30_000);
        assert_eq!(s.next_due_ms, u64::MAX, "saturates instead of overflowing");
        assert!(!PollSlot::due_at(7).is_due(6));
    }

    #[test]
    fn extreme_policies_saturate() {
        let p = PollPolicy { fast_ms: u64::MAX, cap_ms: u64::MAX, ..PollPolicy::default() };
        assert_eq!(p.next_delay_ms(u64::MAX, 0, false), u64::MAX);
        for doubling in [false, true] {
            let g = Grid { first_ms: u64::MAX, step_ms: u64::MAX, doubling, margin_ms: u64::MAX, drift_ms: u64::MAX };
            assert_eq!(g.next_ask_ms(5, 10), u64::MAX);
            g.explains(u64::MAX, 0, u64::MAX);
            let g = Grid { first_ms: 1, step_ms: u64::MAX, doubling, margin_ms: 0, drift_ms: 0 };
            assert!(g.next_ask_ms(0, u64::MAX - 1) >= u64::MAX - 1);
        }
    }

    #[test]
    fn a_slot_is_waiting_in_flight_or_due() {
        let mut s = PollSlot::due_at(1_000);
        assert_eq!(s.state(999), SlotState::Waiting { due_ms: 1_000 });
        assert_eq!(s.state(1_000), SlotState::Due);
        s.begin();
        assert_eq!(s.state(5_000), SlotState::InFlight, "in flight even when overdue");
        s.finish(5_000, 100);
        assert_eq!(s.state(5_050), SlotState::Waiting { due_ms: 5_100 });
    }

    #[test]
    fn a_landed_read_schedules_the_next_or_stops() {
        let p = PollPolicy::default();
        let mut j = job(JobKind::Backup, "STARTED");
        let mut slot = PollSlot::due_at(102_250);
        slot.begin();
        assert_eq!(slot.landed(&p, &j, 102_250, Some(false), 102_260, false), Some(112_265), "on the grid");
        assert_eq!(slot.state(102_260), SlotState::Waiting { due_ms: 112_265 });
        slot.begin();
        j.apply_poll_error(&crate::error::ApiError::Server { status: 503, message: "down".into() });
        assert_eq!(slot.landed(&p, &j, 112_265, None, 112_300, false), Some(114_300), "a failure backs off");
        slot.begin();
        j.apply_poll_error(&crate::error::ApiError::Forbidden("no".into()));
        assert_eq!(slot.landed(&p, &j, 114_300, None, 114_310, false), None, "stopped");
        assert_eq!(slot.state(114_310), SlotState::Due, "due the moment it polls again");
        // An answer whose change no check explains moves the job off the grid; a failure says nothing.
        let mut s = PollSlot::default();
        s.landed(&p, &j, 102_250, Some(false), 102_260, false);
        s.landed(&p, &j, 105_250, None, 105_260, false);
        assert!(!s.off_grid);
        s.landed(&p, &j, 105_300, Some(true), 105_310, false);
        assert!(s.off_grid);
    }

    #[test]
    fn the_wake_up_is_the_earliest_due() {
        let states = [SlotState::Waiting { due_ms: 30 }, SlotState::InFlight, SlotState::Due, SlotState::Waiting { due_ms: 20 }];
        assert_eq!(Wake::earliest(states), Some(20));
        assert_eq!(Wake::earliest([SlotState::InFlight]), None);
        let mut w = Wake::default();
        assert!(w.sooner(50));
        w.set(50);
        assert!(!w.sooner(50) && !w.sooner(60), "an earlier or equal wake-up covers it");
        assert!(w.sooner(40));
        w.clear();
        assert!(w.sooner(60));
    }
}
