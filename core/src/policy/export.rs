//! What runs a policy unattended: a Kubernetes CronJob, a crontab entry or a systemd unit, each
//! calling `backup-runner` with the same policies file. Written here once, so the console's
//! exports and `backup-runner export` print the same text.

use super::{Checked, Policy};

/// Which scheduler the manifest is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manifest {
    CronJob,
    Crontab,
    Systemd,
}

impl Manifest {
    pub const ALL: [Manifest; 3] = [Manifest::CronJob, Manifest::Crontab, Manifest::Systemd];

    /// The `--as` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Manifest::CronJob => "cronjob",
            Manifest::Crontab => "crontab",
            Manifest::Systemd => "systemd",
        }
    }

    pub fn parse(s: &str) -> Option<Manifest> {
        Manifest::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Where the runner finds its server, its policies and its secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunnerSetup {
    pub weaviate_url: String,
    /// The policies file's path on the machine (crontab, systemd) or in the pod.
    pub policies_file: String,
    /// crontab/systemd: a file of `NAME=value` lines, `WEAVIATE_API_KEY` and the storage
    /// credentials; CronJob: the Secret holding the same keys.
    pub env_file: String,
    pub secret: String,
    pub config_map: String,
    pub image: String,
}

impl Default for RunnerSetup {
    fn default() -> Self {
        RunnerSetup {
            weaviate_url: "http://weaviate:8080".into(),
            policies_file: "/etc/backup-runner/policies.json".into(),
            env_file: "/etc/backup-runner/env".into(),
            secret: "backup-runner".into(),
            config_map: "backup-policies".into(),
            image: "backup-runner:latest".into(),
        }
    }
}

/// Cron and Kubernetes read standard five-field patterns only; croner reads more.
fn standard_cron(checked: &Checked) -> Result<String, String> {
    let text = checked.schedule.as_str();
    if checked.schedule.has_seconds() {
        return Err(format!("{text} names seconds; cron and Kubernetes schedule by the minute. Use `backup-runner schedule` for it."));
    }
    if text.chars().any(|c| matches!(c, 'L' | 'W' | '#' | '?')) {
        return Err(format!("{text} uses croner's extensions (L, W, #, ?), which cron and Kubernetes do not read."));
    }
    Ok(text.to_string())
}

/// The CronJob's name: a DNS label of at most 52 characters (Kubernetes adds 11 to name its
/// Jobs), where policy names may have 64 and underscores.
fn job_name(policy: &str) -> String {
    let mut n = format!("backup-policy-{}", policy.replace('_', "-"));
    n.truncate(52);
    n.trim_end_matches('-').to_string()
}

/// Single-quotes for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A double-quoted YAML scalar.
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The manifest text, or why this policy's schedule cannot be written for that scheduler.
pub fn manifest(policy: &Policy, checked: &Checked, kind: Manifest, setup: &RunnerSetup) -> Result<String, String> {
    let name = &policy.name;
    match kind {
        Manifest::CronJob => {
            let schedule = standard_cron(checked)?;
            Ok(format!(
                r#"# backup-runner for policy {name}. The Secret {secret} holds WEAVIATE_API_KEY and the
# storage credentials Weaviate's backup module reads (e.g. AWS_ACCESS_KEY_ID); the ConfigMap
# {config_map} holds policies.json.
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {job}
spec:
  schedule: {schedule}
  timeZone: {tz}
  # Weaviate runs one backup at a time; a late run never overlaps the previous one.
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 600
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 5
  jobTemplate:
    spec:
      backoffLimit: 0
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: backup-runner
              image: {image}
              args: ["run", "--policy", {name_q}, "--file", "/etc/backup-runner/policies.json"]
              env:
                - name: WEAVIATE_URL
                  value: {url}
              envFrom:
                - secretRef:
                    name: {secret}
              volumeMounts:
                - name: policies
                  mountPath: /etc/backup-runner
                  readOnly: true
          volumes:
            - name: policies
              configMap:
                name: {config_map}
"#,
                job = job_name(name),
                schedule = yaml_str(&schedule),
                tz = yaml_str(&policy.time_zone),
                image = yaml_str(&setup.image),
                name_q = yaml_str(name),
                url = yaml_str(&setup.weaviate_url),
                secret = setup.secret,
                config_map = setup.config_map,
            ))
        }
        Manifest::Crontab => {
            let schedule = standard_cron(checked)?;
            Ok(format!(
                "# backup-runner for policy {name} (CRON_TZ needs cronie or another cron that reads it).\n\
                 # {env} holds WEAVIATE_API_KEY and the storage credentials, one NAME=value per line.\n\
                 CRON_TZ={tz}\n\
                 {schedule} {command}\n",
                tz = policy.time_zone,
                env = setup.env_file,
                // cron turns an unescaped `%` into a newline and feeds the rest to stdin.
                command = format!(
                    "set -a; . {}; set +a; WEAVIATE_URL={} backup-runner run --policy {} --file {}",
                    sh_quote(&setup.env_file),
                    sh_quote(&setup.weaviate_url),
                    sh_quote(name),
                    sh_quote(&setup.policies_file)
                )
                .replace('%', r"\%"),
            ))
        }
        // systemd's OnCalendar is not cron, and no translation keeps every pattern's meaning:
        // the unit runs the runner's own scheduler for this policy, which also serves metrics.
        Manifest::Systemd => Ok(format!(
            "# /etc/systemd/system/backup-policy-{name}.service\n\
             [Unit]\n\
             Description=Weaviate backup policy {name} (backup-runner)\n\
             After=network-online.target\n\
             Wants=network-online.target\n\
             \n\
             [Service]\n\
             Environment=WEAVIATE_URL={url}\n\
             EnvironmentFile={env}\n\
             ExecStart=backup-runner schedule --policy {name} --file {file}\n\
             Restart=on-failure\n\
             DynamicUser=yes\n\
             \n\
             [Install]\n\
             WantedBy=multi-user.target\n",
            url = setup.weaviate_url,
            env = setup.env_file,
            file = setup.policies_file,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(p: &Policy) -> Checked {
        p.validate(None, &|_| true).unwrap()
    }

    #[test]
    fn cronjob_forbids_overlap_and_reads_the_key_from_a_secret() {
        let p = Policy::new("nightly", "s3", "0 2 * * *", "Europe/Berlin");
        let y = manifest(&p, &checked(&p), Manifest::CronJob, &RunnerSetup::default()).unwrap();
        for want in ["concurrencyPolicy: Forbid", "schedule: \"0 2 * * *\"", "timeZone: \"Europe/Berlin\"", "secretRef:", "args: [\"run\", \"--policy\", \"nightly\""] {
            assert!(y.contains(want), "{want} missing:\n{y}");
        }
        assert!(!y.contains("WEAVIATE_API_KEY\n                  value"), "the key is never inline");
    }

    #[test]
    fn crontab_sets_the_zone_and_quotes_for_the_shell() {
        let p = Policy::new("nightly", "s3", "15 3 * * 1-5", "America/New_York");
        let setup = RunnerSetup { weaviate_url: "https://db.example.com/it's".into(), ..Default::default() };
        let t = manifest(&p, &checked(&p), Manifest::Crontab, &setup).unwrap();
        assert!(t.contains("CRON_TZ=America/New_York\n15 3 * * 1-5 set -a;"), "{t}");
        assert!(t.contains(r"WEAVIATE_URL='https://db.example.com/it'\''s'"), "{t}");
        let percent = RunnerSetup { policies_file: "/srv/100%/policies.json".into(), ..Default::default() };
        let t = manifest(&p, &checked(&p), Manifest::Crontab, &percent).unwrap();
        assert!(t.contains(r"--file '/srv/100\%/policies.json'"), "cron would cut the line at %: {t}");
    }

    #[test]
    fn the_cronjob_name_is_a_kubernetes_name() {
        let long = "a".repeat(60) + "_x";
        let p = Policy::new(&long, "s3", "0 2 * * *", "UTC");
        let y = manifest(&p, &checked(&p), Manifest::CronJob, &RunnerSetup::default()).unwrap();
        let name = y.lines().find_map(|l| l.strip_prefix("  name: ")).unwrap();
        assert!(name.len() <= 52 && name.starts_with("backup-policy-aaa") && !name.contains('_'), "{name}");
    }

    #[test]
    fn schedules_cron_cannot_read_are_refused_but_systemd_runs_them() {
        for pattern in ["*/5 * * * * *", "0 2 L * *"] {
            let p = Policy::new("fast", "filesystem", pattern, "UTC");
            let c = checked(&p);
            assert!(manifest(&p, &c, Manifest::Crontab, &RunnerSetup::default()).is_err());
            assert!(manifest(&p, &c, Manifest::CronJob, &RunnerSetup::default()).is_err());
            let unit = manifest(&p, &c, Manifest::Systemd, &RunnerSetup::default()).unwrap();
            assert!(unit.contains("ExecStart=backup-runner schedule --policy fast"));
        }
        assert_eq!(Manifest::parse("cronjob"), Some(Manifest::CronJob));
        assert_eq!(Manifest::parse("kube"), None);
    }
}
