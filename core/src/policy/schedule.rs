//! When a policy runs: a cron pattern read by `croner` (a maintained parser; daylight-saving
//! changes, month ends and leap days behave as its documentation says) in an explicit time zone.
//!
//! The zone is the caller's: natively `chrono_tz::Tz`, in the browser [`Zone`] over the
//! browser's own `Intl` rules, so no zone database is compiled into the console.

use std::str::FromStr;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use croner::parser::{CronParser, Seconds};
use croner::Cron;

/// A parsed cron pattern: five fields (minute first), or six with seconds first.
#[derive(Clone, Debug)]
pub struct Schedule {
    cron: Cron,
    text: String,
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// How far ahead a schedule is searched before it counts as never firing (`0 0 30 2 *`).
const SEARCH_YEARS: i64 = 8;

impl Schedule {
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("A schedule is required, e.g. 0 2 * * * (every day at 02:00).".into());
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(t)
            .map_err(|e| format!("Not a cron schedule ({e})."))?;
        let schedule = Schedule { cron, text: t.to_string() };
        if schedule.next_after(&Utc, DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default()).is_none() {
            return Err(format!("{t} never fires (no such date)."));
        }
        Ok(schedule)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern names seconds (cron, crontab and CronJob count minutes only).
    pub fn has_seconds(&self) -> bool {
        self.text.split_whitespace().count() == 6
    }

    /// The schedule in plain English (croner's words).
    pub fn describe(&self) -> String {
        self.cron.describe()
    }

    /// The first run strictly after `after`, reading the pattern on `tz`'s wall clock.
    pub fn next_after<Tz: TimeZone>(&self, tz: &Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = after.with_timezone(tz);
        let next = self.cron.find_next_occurrence(&start, false).ok()?;
        let next = next.with_timezone(&Utc);
        (next - after < chrono::TimeDelta::days(366 * SEARCH_YEARS)).then_some(next)
    }

    /// The next `n` runs after `after`.
    pub fn next_runs<Tz: TimeZone>(&self, tz: &Tz, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let mut runs = Vec::with_capacity(n);
        let mut at = after;
        while runs.len() < n {
            match self.next_after(tz, at) {
                Some(next) => {
                    runs.push(next);
                    at = next;
                }
                None => break,
            }
        }
        runs
    }

    /// The longest wait between two of the next `runs` runs: the schedule's interval, for a
    /// default freshness objective that does not cry wolf over a weekend gap.
    pub fn longest_gap<Tz: TimeZone>(&self, tz: &Tz, after: DateTime<Utc>, runs: usize) -> Option<chrono::TimeDelta> {
        self.next_runs(tz, after, runs.max(2)).windows(2).map(|w| w[1] - w[0]).max()
    }
}

impl FromStr for Schedule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Schedule::parse(s)
    }
}

/// A time zone's rules as a platform knows them: the offset from UTC at an instant.
pub trait ZoneRules: Clone + std::fmt::Debug {
    /// Seconds east of UTC at `utc` (seconds since the epoch), or `None` past the rules' range.
    fn offset_at(&self, utc: i64) -> Option<i32>;
}

/// A chrono time zone over [`ZoneRules`]: enough for `croner`, which asks for the offset of
/// instants and for the instants of wall-clock times (none in a gap, two in an overlap).
#[derive(Clone, Debug)]
pub struct Zone<R: ZoneRules>(pub R);

/// The offset of a [`Zone`] at some instant.
#[derive(Clone, Debug)]
pub struct ZoneOffset<R: ZoneRules> {
    rules: R,
    fixed: FixedOffset,
}

impl<R: ZoneRules> Offset for ZoneOffset<R> {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl<R: ZoneRules> std::fmt::Display for ZoneOffset<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fixed.fmt(f)
    }
}

impl<R: ZoneRules> Zone<R> {
    fn fixed_at(&self, utc: i64) -> FixedOffset {
        let secs = self.0.offset_at(utc).unwrap_or(0);
        FixedOffset::east_opt(secs).unwrap_or(FixedOffset::east_opt(0).expect("zero offset"))
    }

    fn offset(&self, fixed: FixedOffset) -> ZoneOffset<R> {
        ZoneOffset { rules: self.0.clone(), fixed }
    }
}

impl<R: ZoneRules> TimeZone for Zone<R> {
    type Offset = ZoneOffset<R>;

    fn from_offset(offset: &Self::Offset) -> Self {
        Zone(offset.rules.clone())
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<Self::Offset> {
        match local.and_hms_opt(0, 0, 0) {
            Some(dt) => self.offset_from_local_datetime(&dt),
            None => LocalResult::None,
        }
    }

    /// A wall-clock time maps to the instants `local - offset` whose own offset is `offset`.
    /// Offsets change at most once within a day on every real zone, so the offsets a day
    /// before and a day after are the only candidates.
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<Self::Offset> {
        let wall = local.and_utc().timestamp();
        let mut found: Vec<FixedOffset> = Vec::with_capacity(2);
        for probe in [wall - 86_400, wall + 86_400] {
            let candidate = self.fixed_at(probe);
            let instant = wall - i64::from(candidate.local_minus_utc());
            if self.fixed_at(instant) == candidate && !found.contains(&candidate) {
                found.push(candidate);
            }
        }
        found.sort_by_key(|o| std::cmp::Reverse(o.local_minus_utc()));
        match found.as_slice() {
            [] => LocalResult::None,
            [one] => LocalResult::Single(self.offset(*one)),
            // The larger offset is the earlier instant.
            [earlier, later, ..] => LocalResult::Ambiguous(self.offset(*earlier), self.offset(*later)),
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> Self::Offset {
        let t = utc.and_hms_opt(0, 0, 0).map(|d| d.and_utc().timestamp()).unwrap_or(0);
        self.offset(self.fixed_at(t))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> Self::Offset {
        self.offset(self.fixed_at(utc.and_utc().timestamp()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn runs<Tz: TimeZone>(pattern: &str, tz: &Tz, after: &str, n: usize) -> Vec<String> {
        Schedule::parse(pattern)
            .unwrap()
            .next_runs(tz, utc(after), n)
            .into_iter()
            .map(|t| t.to_rfc3339())
            .collect()
    }

    /// chrono-tz's rules behind the [`Zone`] adapter the browser uses, so both paths are
    /// checked against the same database.
    #[derive(Clone, Debug)]
    struct Db(Tz);
    impl ZoneRules for Db {
        fn offset_at(&self, utc: i64) -> Option<i32> {
            let t = DateTime::from_timestamp(utc, 0)?;
            Some(self.0.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc())
        }
    }

    #[test]
    fn daily_at_two_skips_the_missing_hour_and_runs_once_in_the_repeated_one() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 2026-03-29 02:00 does not exist in Berlin (clocks jump 02:00 → 03:00): croner runs
        // such a fixed-time job at the first instant after the gap.
        assert_eq!(
            runs("30 2 * * *", &berlin, "2026-03-27T12:00:00Z", 3),
            ["2026-03-28T01:30:00+00:00", "2026-03-29T01:00:00+00:00", "2026-03-30T00:30:00+00:00"]
        );
        // 2026-10-25 02:30 happens twice (03:00 CEST → 02:00 CET): one run, the first.
        assert_eq!(
            runs("30 2 * * *", &berlin, "2026-10-24T12:00:00Z", 2),
            ["2026-10-25T00:30:00+00:00", "2026-10-26T01:30:00+00:00"]
        );
    }

    #[test]
    fn the_browser_zone_adapter_agrees_with_the_database_across_dst() {
        for name in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"] {
            let tz: Tz = name.parse().unwrap();
            let zone = Zone(Db(tz));
            for pattern in ["30 2 * * *", "0 * * * *", "15 1 * * SUN", "0 0 1 * *"] {
                for after in ["2026-03-07T00:00:00Z", "2026-03-28T00:00:00Z", "2026-10-24T00:00:00Z", "2026-11-01T00:00:00Z"] {
                    assert_eq!(runs(pattern, &tz, after, 30), runs(pattern, &zone, after, 30), "{name} {pattern} {after}");
                }
            }
        }
    }

    #[test]
    fn the_31st_runs_only_in_months_that_have_one() {
        assert_eq!(
            runs("0 0 31 * *", &Utc, "2026-01-31T00:00:00Z", 4),
            ["2026-03-31T00:00:00+00:00", "2026-05-31T00:00:00+00:00", "2026-07-31T00:00:00+00:00", "2026-08-31T00:00:00+00:00"]
        );
    }

    #[test]
    fn february_29th_waits_for_a_leap_year() {
        assert_eq!(runs("0 12 29 2 *", &Utc, "2026-01-01T00:00:00Z", 2), ["2028-02-29T12:00:00+00:00", "2032-02-29T12:00:00+00:00"]);
    }

    #[test]
    fn patterns_that_never_fire_or_do_not_parse_are_refused() {
        assert!(Schedule::parse("0 0 30 2 *").unwrap_err().contains("never fires"));
        assert!(Schedule::parse("61 * * * *").unwrap_err().starts_with("Not a cron schedule"));
        assert!(Schedule::parse("").is_err());
        assert!(Schedule::parse("*/5 * * * * *").unwrap().has_seconds());
        assert!(!Schedule::parse("@daily").unwrap().has_seconds());
    }

    #[test]
    fn the_interval_is_the_longest_gap() {
        let weekdays = Schedule::parse("0 2 * * 1-5").unwrap();
        let gap = weekdays.longest_gap(&Utc, utc("2026-12-01T00:00:00Z"), 20).unwrap();
        assert_eq!(gap, chrono::TimeDelta::days(3));
        assert!(weekdays.describe().to_lowercase().contains("monday"));
    }
}
