//! `export`: a policy as a Kubernetes CronJob, a crontab line, or a systemd service.
//!
//! systemd's `OnCalendar=` is not cron: its day-of-month and day-of-week combine with AND where
//! cron's combine with OR, it has no `L`/`W`/`#`, and a zone is a suffix of each expression. A
//! translation would be right for most schedules and silently wrong for some, so the systemd
//! export runs `backup-runner schedule --policy NAME` as a long-running service instead: the
//! same cron evaluation (croner, in the policy's zone) as the console's preview, seconds
//! included, and a `/metrics` endpoint for free.

use backup_core::policy::{Policy, Schedule};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    CronJob,
    Crontab,
    Systemd,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format, String> {
        match s {
            "cronjob" => Ok(Format::CronJob),
            "crontab" => Ok(Format::Crontab),
            "systemd" => Ok(Format::Systemd),
            other => Err(format!("--as {other:?}: choose cronjob, crontab or systemd.")),
        }
    }
}

/// Where the exported job finds things.
#[derive(Clone, Debug)]
pub struct Target {
    /// The policies file as the job sees it.
    pub file: String,
    pub url: String,
    /// The runner's image (CronJob) or binary path (crontab, systemd).
    pub program: String,
}

pub fn export(policy: &Policy, format: Format, t: &Target) -> Result<String, String> {
    let schedule = Schedule::parse(&policy.schedule)?;
    if format != Format::Systemd && schedule.has_seconds() {
        return Err(format!(
            "{}: the schedule {:?} has a seconds field, which {} cannot express (it runs at most once a minute). Use a five-field schedule, or --as systemd (the runner's own scheduler).",
            policy.name,
            policy.schedule,
            if format == Format::CronJob { "a Kubernetes CronJob" } else { "cron" }
        ));
    }
    Ok(match format {
        Format::CronJob => cronjob(policy, t),
        Format::Crontab => crontab(policy, t),
        Format::Systemd => systemd(policy, t),
    })
}

/// A YAML scalar: JSON's string syntax is YAML's double-quoted style.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A DNS-1123 name for the CronJob (at most 52 characters: Kubernetes appends 11 to name Jobs).
fn k8s_name(policy: &str) -> String {
    let mut n: String = format!("backup-policy-{}", policy.replace('_', "-"));
    n.truncate(52);
    n.trim_end_matches('-').to_string()
}

fn cronjob(p: &Policy, t: &Target) -> String {
    let dir = std::path::Path::new(&t.file).parent().map(|d| d.display().to_string()).filter(|d| !d.is_empty()).unwrap_or_else(|| "/etc/backup-runner".into());
    format!(
        r#"# Runs backup policy {name:?} on its schedule. The object store's credentials (for retention)
# come from the Secret "weaviate-backup-storage": the same variables Weaviate's backup module reads.
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {k8s}
spec:
  schedule: {schedule}
  timeZone: {tz}
  # Weaviate runs one backup at a time; a run never overlaps the previous one.
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 300
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 3
  jobTemplate:
    spec:
      backoffLimit: 0
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: backup-runner
              image: {image}
              args: ["run", "--policy", {name_q}, "--file", {file}]
              env:
                - name: WEAVIATE_URL
                  value: {url}
                - name: WEAVIATE_API_KEY
                  valueFrom:
                    secretKeyRef:
                      name: weaviate-api-key
                      key: api-key
              envFrom:
                - secretRef:
                    name: weaviate-backup-storage
                    optional: true
              volumeMounts:
                - name: policies
                  mountPath: {dir}
                  readOnly: true
          volumes:
            - name: policies
              configMap:
                name: backup-policies
"#,
        name = p.name,
        k8s = k8s_name(&p.name),
        schedule = q(&p.schedule),
        tz = q(&p.time_zone),
        image = q(&t.program),
        name_q = q(&p.name),
        file = q(&t.file),
        url = q(&t.url),
        dir = q(&dir),
    )
}

/// A shell word in single quotes.
fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn crontab(p: &Policy, t: &Target) -> String {
    // `%` ends a crontab command (the rest is stdin) unless escaped.
    let cmd = format!(
        "WEAVIATE_URL={} {} run --policy {} --file {} >> /var/log/backup-runner-{}.log 2>&1",
        sh(&t.url),
        sh(&t.program),
        sh(&p.name),
        sh(&t.file),
        p.name
    )
    .replace('%', r"\%");
    format!(
        "# Backup policy {name:?}. Put WEAVIATE_API_KEY and the object store's variables in the crontab's\n# environment (or a wrapper); cronie and cronie-compatible crons read CRON_TZ.\nCRON_TZ={tz}\n{schedule} {cmd}\n",
        name = p.name,
        tz = p.time_zone,
        schedule = p.schedule,
    )
}

fn systemd(p: &Policy, t: &Target) -> String {
    format!(
        r#"# backup-runner-{name}.service: runs backup policy {name:?} on its schedule ({schedule} in {tz})
# with the runner's own scheduler; systemd's OnCalendar= does not read cron schedules.
# /etc/backup-runner/env holds WEAVIATE_API_KEY and the object store's variables.
[Unit]
Description=Weaviate backup policy {name}
Wants=network-online.target
After=network-online.target

[Service]
Environment=WEAVIATE_URL={url}
EnvironmentFile=-/etc/backup-runner/env
ExecStart={program} schedule --policy {name} --file {file} --metrics-addr 127.0.0.1:9464
Restart=on-failure
RestartSec=30
DynamicUser=yes

[Install]
WantedBy=multi-user.target
"#,
        name = p.name,
        schedule = p.schedule,
        tz = p.time_zone,
        url = t.url,
        program = t.program,
        file = t.file,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target { file: "/etc/backup-runner/policies.json".into(), url: "http://weaviate:8080".into(), program: "ghcr.io/x/backup-runner:1".into() }
    }

    fn nightly() -> Policy {
        Policy::new("nightly_eu", "s3", "30 2 * * *", "Europe/Berlin")
    }

    #[test]
    fn cronjob_forbids_overlap_and_takes_the_key_from_a_secret() {
        let y = export(&nightly(), Format::CronJob, &target()).unwrap();
        for line in [
            "kind: CronJob",
            "  name: backup-policy-nightly-eu",
            "  schedule: \"30 2 * * *\"",
            "  timeZone: \"Europe/Berlin\"",
            "  concurrencyPolicy: Forbid",
            "              args: [\"run\", \"--policy\", \"nightly_eu\", \"--file\", \"/etc/backup-runner/policies.json\"]",
            "                - name: WEAVIATE_API_KEY",
            "                    secretKeyRef:",
            "                name: backup-policies",
            "                  mountPath: \"/etc/backup-runner\"",
        ] {
            assert!(y.lines().any(|l| l == line), "missing {line:?} in\n{y}");
        }
        assert!(!y.contains('\t'), "YAML has no tabs");
    }

    #[test]
    fn crontab_sets_the_zone_and_quotes_the_command() {
        let c = export(&nightly(), Format::Crontab, &Target { program: "/usr/local/bin/backup-runner".into(), ..target() }).unwrap();
        let lines: Vec<&str> = c.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(lines[0], "CRON_TZ=Europe/Berlin");
        assert!(lines[1].starts_with("30 2 * * * WEAVIATE_URL='http://weaviate:8080' '/usr/local/bin/backup-runner' run --policy 'nightly_eu' --file "), "{}", lines[1]);
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn systemd_runs_the_scheduler_as_a_service() {
        let s = export(&nightly(), Format::Systemd, &Target { program: "/usr/local/bin/backup-runner".into(), ..target() }).unwrap();
        assert!(s.contains("\nExecStart=/usr/local/bin/backup-runner schedule --policy nightly_eu --file /etc/backup-runner/policies.json --metrics-addr 127.0.0.1:9464\n"));
        assert!(s.contains("\n[Install]\nWantedBy=multi-user.target\n"));
        assert!(!s.contains("\nOnCalendar="), "no timer: the service schedules");
    }

    #[test]
    fn seconds_schedules_are_refused_by_cron_formats_only() {
        let mut p = nightly();
        p.schedule = "*/5 * * * * *".into();
        for f in [Format::CronJob, Format::Crontab] {
            let e = export(&p, f, &target()).unwrap_err();
            assert!(e.contains("seconds field") && e.contains("--as systemd"), "{e}");
        }
        assert!(export(&p, Format::Systemd, &target()).is_ok());
        assert!(Format::parse("k8s").unwrap_err().contains("cronjob, crontab or systemd"));
    }
}
