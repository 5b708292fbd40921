//! When to ask for a job's status next. Pure, so the schedule is unit-tested without timers.
//!
//! Weaviate's coordinator itself checks its nodes after 2 s and then every 10 s, so polling
//! faster than about once a second gains nothing; long jobs are polled less often.

/// The polling schedule's knobs, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollPolicy {
    /// Interval for a job that just started.
    pub fast_ms: u64,
    /// How long a job is polled at `fast_ms` before backing off.
    pub fast_for_ms: u64,
    /// Longest interval for a long-running job.
    pub cap_ms: u64,
    /// Heartbeat while the tab is hidden.
    pub hidden_ms: u64,
    /// First retry delay after a failed status read; doubles per failure.
    pub retry_base_ms: u64,
    pub retry_cap_ms: u64,
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
        }
    }
}

impl PollPolicy {
    /// Delay before the next status read of a job that has been running for `running_ms`,
    /// whose last `failures` reads failed in a row, in a tab that is `hidden` or not.
    pub fn next_delay_ms(&self, running_ms: u64, failures: u32, hidden: bool) -> u64 {
        let base = if failures > 0 {
            let factor = 1u64 << (failures - 1).min(16);
            self.retry_base_ms.saturating_mul(factor).min(self.retry_cap_ms)
        } else if running_ms < self.fast_for_ms {
            self.fast_ms
        } else {
            // Grow by 1 s for every 10 s beyond the fast phase, up to the cap.
            self.fast_ms.saturating_add((running_ms - self.fast_for_ms) / 10).min(self.cap_ms)
        };
        if hidden {
            base.max(self.hidden_ms)
        } else {
            base
        }
    }
}

/// One job's place in the schedule: at most one request in flight, and when the next is due.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollSlot {
    pub next_due_ms: u64,
    pub in_flight: bool,
}

impl PollSlot {
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
    /// The tab became visible again: poll at once.
    pub fn hurry(&mut self, now_ms: u64) {
        self.next_due_ms = self.next_due_ms.min(now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_at_first_then_backs_off_to_cap() {
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
    }

    #[test]
    fn extreme_policies_saturate() {
        let p = PollPolicy { fast_ms: u64::MAX, cap_ms: u64::MAX, ..PollPolicy::default() };
        assert_eq!(p.next_delay_ms(u64::MAX, 0, false), u64::MAX);
    }
}
