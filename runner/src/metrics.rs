//! The scheduler's Prometheus text exposition (format 0.0.4), one series per policy.

use std::collections::BTreeMap;
use std::fmt::Write;

/// What the scheduler knows about one policy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyMetrics {
    /// Unix seconds.
    pub last_success: Option<f64>,
    pub last_failure: Option<f64>,
    pub last_duration_seconds: Option<f64>,
    pub last_size_bytes: Option<f64>,
    pub backups_kept: Option<usize>,
    pub backups_expired_total: u64,
    /// By result: `success`, `failure`, `skipped`.
    pub runs_total: BTreeMap<&'static str, u64>,
    pub overdue: bool,
}

pub const RESULTS: [&str; 3] = ["success", "failure", "skipped"];

/// A label value as the text format wants it: `\`, `"` and newlines escaped.
pub fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The exposition of every policy's metrics, policies in name order.
pub fn render(policies: &BTreeMap<String, PolicyMetrics>) -> String {
    type Get = fn(&PolicyMetrics) -> Option<f64>;
    let gauges: [(&str, &str, Get); 6] = [
        ("last_success_timestamp_seconds", "Unix time of the end of the policy's last successful backup.", |m| m.last_success),
        ("last_failure_timestamp_seconds", "Unix time of the end of the policy's last failed run.", |m| m.last_failure),
        ("last_duration_seconds", "How long the policy's last successful backup took.", |m| m.last_duration_seconds),
        ("last_size_bytes", "Pre-compression size of the policy's last successful backup.", |m| m.last_size_bytes),
        ("backups_kept", "The policy's backups on the server after retention.", |m| m.backups_kept.map(|k| k as f64)),
        ("overdue", "1 when the last success is older than the policy's freshness objective.", |m| Some(if m.overdue { 1.0 } else { 0.0 })),
    ];
    let mut out = String::new();
    for (name, help, get) in gauges {
        let _ = writeln!(out, "# HELP backup_policy_{name} {help}\n# TYPE backup_policy_{name} gauge");
        for (policy, m) in policies {
            // Never seen is 0: an alert on `time() - last_success > x` then fires for it.
            let _ = writeln!(out, "backup_policy_{name}{{policy=\"{}\"}} {}", escape(policy), number(get(m).unwrap_or(0.0)));
        }
    }
    let _ = writeln!(out, "# HELP backup_policy_backups_expired_total Backups the runner deleted by retention.\n# TYPE backup_policy_backups_expired_total counter");
    for (policy, m) in policies {
        let _ = writeln!(out, "backup_policy_backups_expired_total{{policy=\"{}\"}} {}", escape(policy), m.backups_expired_total);
    }
    let _ = writeln!(out, "# HELP backup_policy_runs_total Runs by result.\n# TYPE backup_policy_runs_total counter");
    for (policy, m) in policies {
        for r in RESULTS {
            let _ = writeln!(out, "backup_policy_runs_total{{policy=\"{}\",result=\"{r}\"}} {}", escape(policy), m.runs_total.get(r).copied().unwrap_or(0));
        }
    }
    out
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape("x\ny"), "x\\ny");
    }

    #[test]
    fn every_series_per_policy_with_help_and_type() {
        let mut m = BTreeMap::new();
        let mut nightly = PolicyMetrics { last_success: Some(1_765_000_000.0), last_duration_seconds: Some(2.5), last_size_bytes: Some(1_073_741_824.0), backups_kept: Some(2), backups_expired_total: 1, overdue: true, ..Default::default() };
        nightly.runs_total.insert("success", 3);
        m.insert("nightly".to_string(), nightly);
        m.insert("we\"ird".to_string(), PolicyMetrics::default());
        let text = render(&m);
        for line in [
            "# TYPE backup_policy_last_success_timestamp_seconds gauge",
            "backup_policy_last_success_timestamp_seconds{policy=\"nightly\"} 1765000000",
            "backup_policy_last_failure_timestamp_seconds{policy=\"nightly\"} 0",
            "backup_policy_last_duration_seconds{policy=\"nightly\"} 2.5",
            "backup_policy_last_size_bytes{policy=\"nightly\"} 1073741824",
            "backup_policy_backups_kept{policy=\"nightly\"} 2",
            "backup_policy_overdue{policy=\"nightly\"} 1",
            "# TYPE backup_policy_backups_expired_total counter",
            "backup_policy_backups_expired_total{policy=\"nightly\"} 1",
            "backup_policy_runs_total{policy=\"nightly\",result=\"success\"} 3",
            "backup_policy_runs_total{policy=\"nightly\",result=\"failure\"} 0",
            "backup_policy_overdue{policy=\"we\\\"ird\"} 0",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
        // Each metric family's HELP/TYPE once, before its samples.
        assert_eq!(text.matches("# TYPE backup_policy_runs_total").count(), 1);
    }
}
